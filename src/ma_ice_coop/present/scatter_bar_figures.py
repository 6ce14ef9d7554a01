"""A scatter with every point labelled, and horizontal bars with optional intervals and values."""

from __future__ import annotations

import math

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ma_ice_coop.present.figure_parts import (
    _annotate_points,
    _check_columns,
    _fig_legend,
    _flags,
    _labelled_axes,
    _labels,
    _marker_handle,
    _no_data,
    _num,
    _padded,
    _row_axis,
    _rows_height,
    _short_number,
    _sort_order,
    _titled_row_axes,
)
from ma_ice_coop.present.figure_style import (
    FIG_WIDTH,
    GRID_COLOR,
    PALETTE,
    SMALL_COUNTY_LABEL,
    _style,
    literal_text,
)

# --------------------------------------------------------------------------------------------
# Scatter
# --------------------------------------------------------------------------------------------


def _marker_area(values, largest: float):
    """Marker area (points squared) for `values`: 15 for zero up to 400 for the largest magnitude."""
    return 15.0 + 385.0 * (np.abs(values) / largest if largest > 0 else 0.0)


def _marker_areas(sizes: np.ndarray | None, n: int) -> tuple[np.ndarray, float]:
    """Each point's marker area and the largest size magnitude (45 pt^2 for all without sizes)."""
    if sizes is None:
        return np.full(n, 45.0), 0.0
    largest = np.nanmax(np.abs(sizes)) if np.isfinite(sizes).any() else 0.0
    return np.where(np.isfinite(sizes), _marker_area(np.nan_to_num(sizes), largest), 15.0), largest


def _scatter_flagged(ax, xs, ys, areas, flags, color) -> None:
    for hollow in (False, True):
        sel = flags == hollow
        if sel.any():
            ax.scatter(
                xs[sel],
                ys[sel],
                s=areas[sel],
                alpha=1.0 if hollow else 0.85,
                facecolors="white" if hollow else color,
                edgecolors=color,
                linewidths=1.4,
                zorder=3,
            )


def _size_legend(ax, sizes: np.ndarray, largest: float, color: str, title: str) -> None:
    """A legend of marker sizes inside the axes: the minimum, median and maximum size."""
    finite = np.sort(sizes[np.isfinite(sizes)])
    picks = [finite[0], float(np.median(finite)), finite[-1]]
    size_handles = []
    for v in dict.fromkeys(picks):  # unique, in order
        size_handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                color=color,
                alpha=0.85,
                markersize=math.sqrt(float(_marker_area(v, largest))),
                label=_short_number(v),
            )
        )
    ax.legend(handles=size_handles, title=literal_text(title), loc="best", labelspacing=1.2, borderpad=0.8)


def scatter_labeled(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    label_col: str,
    title: str,
    xlabel: str,
    ylabel: str,
    size_col: str | None = None,
    flag_col: str | None = None,
    size_label: str | None = None,
    point_label: str = "county",
) -> Figure:
    """Scatter with every point labelled (offset text, deterministic placement).

    `size_col` scales marker area with the column (legend shows its minimum, median and
    maximum, titled `size_label`); flagged rows get hollow markers. Rows with a missing x or y
    are left out."""
    _check_columns(table, [x, y, label_col, size_col, flag_col], "scatter_labeled")
    labels = _labels(table, label_col)
    xs, ys = _num(table, x), _num(table, y)
    flags = _flags(table, flag_col)
    sizes = _num(table, size_col) if size_col else None
    keep = np.isfinite(xs) & np.isfinite(ys)
    with _style():
        fig, ax = _labelled_axes(5.4, title, xlabel, ylabel)
        if not keep.any():
            _no_data(ax)
            return fig
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        xs, ys, flags = xs[keep], ys[keep], flags[keep]
        sizes = sizes[keep] if sizes is not None else None
        areas, largest = _marker_areas(sizes, len(xs))
        color = PALETTE["blue"]
        _scatter_flagged(ax, xs, ys, areas, flags, color)
        handles = [_marker_handle(literal_text(point_label), color, line=False)]
        if flags.any():
            handles.append(_marker_handle(SMALL_COUNTY_LABEL, color, hollow=True, line=False))
        xlim, ylim = _padded(xs, 0.08), _padded(ys, 0.08)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        axes_size_in = (FIG_WIDTH - 1.1, 5.4 - 1.8)
        radii_pt = np.sqrt(areas / math.pi) + 1.0
        _annotate_points(ax, xs, ys, labels, xlim=xlim, ylim=ylim, axes_size_in=axes_size_in, radii_pt=radii_pt)
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles, ncols=len(handles))
        if sizes is not None and np.isfinite(sizes).any():
            _size_legend(ax, sizes, largest, color, size_label or size_col)
    return fig


# --------------------------------------------------------------------------------------------
# Bars
# --------------------------------------------------------------------------------------------


def _draw_bars(ax, y: np.ndarray, values: np.ndarray, flags: np.ndarray) -> list:
    """Bars in blue, flagged ones lighter and hatched; returns the legend handle for flagged bars."""
    color = PALETTE["blue"]
    light = mcolors.to_hex(mcolors.to_rgba_array(color)[0] * 0.45 + 0.55)
    bars = ax.barh(
        y,
        np.nan_to_num(values),
        height=0.65,
        color=[light if f else color for f in flags],
        edgecolor=color,
        linewidth=0.8,
        zorder=2,
    )
    for bar, flagged in zip(bars, flags, strict=True):
        if flagged:
            bar.set_hatch("//")
    if flags.any():
        return [Patch(facecolor=light, edgecolor=color, hatch="//", label=SMALL_COUNTY_LABEL)]
    return []


def _draw_bar_intervals(ax, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, interval_label: str) -> Line2D:
    """Black error bars with end ticks; returns their legend handle."""
    ax.hlines(y, lo, hi, color=PALETTE["black"], linewidth=1.3, zorder=3)
    ax.plot(lo, y, linestyle="none", marker="|", markersize=8, color=PALETTE["black"], zorder=3)
    ax.plot(hi, y, linestyle="none", marker="|", markersize=8, color=PALETTE["black"], zorder=3)
    return Line2D(
        [],
        [],
        color=PALETTE["black"],
        marker="|",
        markersize=8,
        linewidth=1.3,
        label=literal_text(interval_label),
    )


def _write_bar_values(ax, y: np.ndarray, values: np.ndarray, ends: np.ndarray, value_fmt: str) -> None:
    """Each finite value written just right of its bar end (or of zero, for negative values)."""
    for yi, v, end in zip(y, values, ends, strict=True):
        if np.isfinite(v):
            ax.annotate(
                literal_text(value_fmt.format(v)),
                (np.nan_to_num(end) if v >= 0 else 0.0, yi),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=8,
            )


def bar_chart(
    table: pd.DataFrame,
    *,
    label_col: str,
    value_col: str,
    title: str,
    xlabel: str,
    low_col: str | None = None,
    high_col: str | None = None,
    sort: bool = True,
    ylabel: str | None = None,
    flag_col: str | None = None,
    value_fmt: str | None = None,
    interval_label: str = "95% interval",
) -> Figure:
    """Horizontal bars (largest on top when `sort`), with optional error bars from `low_col` to
    `high_col`. Flagged rows get hatched, lighter bars and a "small county (uncertain)" legend
    entry; `value_fmt` (e.g. ``"{:,.0f}"``) writes each value at its bar end."""
    if (low_col is None) != (high_col is None):
        raise ValueError("bar_chart: give both low_col and high_col, or neither")
    _check_columns(table, [label_col, value_col, low_col, high_col, flag_col], "bar_chart")
    labels = _labels(table, label_col)
    values = _num(table, value_col)
    flags = _flags(table, flag_col)
    order = _sort_order(values, labels) if sort else np.arange(len(labels))
    labels, values, flags = [labels[i] for i in order], values[order], flags[order]
    with _style():
        fig, ax = _titled_row_axes(_rows_height(len(labels)), title, xlabel)
        if not labels:
            _no_data(ax)
            return fig
        y = np.arange(len(labels), dtype=float)
        handles = _draw_bars(ax, y, values, flags)
        if low_col is not None:
            lo, hi = _num(table, low_col)[order], _num(table, high_col)[order]
            handles.append(_draw_bar_intervals(ax, y, lo, hi, interval_label))
        if value_fmt:
            ends = values if low_col is None else np.fmax(values, _num(table, high_col)[order])
            _write_bar_values(ax, y, values, ends, value_fmt)
        if np.all(np.nan_to_num(values) >= 0):
            ax.set_xlim(left=0)
        ax.axvline(0, color=PALETTE["black"], linewidth=0.8, zorder=2)
        _row_axis(ax, labels, ylabel)
        _fig_legend(fig, handles)
    return fig
