"""Estimates with their uncertainty: dot-and-whisker rows, raw against shrunken estimates, and the
funnel plot with exact binomial control limits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ma_ice_coop.present.figure_parts import (
    _annotate_points,
    _check_columns,
    _draw_reference,
    _fig_legend,
    _flags,
    _labelled_axes,
    _labels,
    _marker_handle,
    _no_data,
    _num,
    _plot_flagged_markers,
    _reference,
    _row_axis,
    _rows_height,
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
# Interval (dot-and-whisker) plots
# --------------------------------------------------------------------------------------------


def interval_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    estimate_col: str,
    low_col: str,
    high_col: str,
    title: str,
    xlabel: str,
    flag_col: str | None = None,
    reference: float | tuple[float, str] | None = None,
    sort: bool = True,
    ylabel: str | None = None,
    reference_label: str = "pooled rate",
    estimate_label: str = "estimate with 95% interval",
) -> Figure:
    """Horizontal dot-and-whisker chart, one row per label (largest estimate on top when `sort`).

    `reference` draws a dashed vertical line (a number, labelled `reference_label`, or a
    ``(value, label)`` tuple). Rows where `flag_col` is True get hollow markers and the legend
    entry "small county (uncertain)". Rows with a missing estimate keep their label but show no
    marker."""
    _check_columns(table, [label_col, estimate_col, low_col, high_col, flag_col], "interval_plot")
    labels = _labels(table, label_col)
    est, low, high = _num(table, estimate_col), _num(table, low_col), _num(table, high_col)
    flags = _flags(table, flag_col)
    order = _sort_order(est, labels) if sort else np.arange(len(labels))
    labels = [labels[i] for i in order]
    est, low, high, flags = est[order], low[order], high[order], flags[order]
    with _style():
        fig, ax = _titled_row_axes(_rows_height(len(labels)), title, xlabel)
        if not labels:
            _no_data(ax)
            return fig
        color = PALETTE["blue"]
        y = np.arange(len(labels), dtype=float)
        ax.hlines(y, low, high, color=color, linewidth=1.8, zorder=2)
        _plot_flagged_markers(ax, est, y, flags, color, zorder=3)
        _row_axis(ax, labels, ylabel)
        handles = [_marker_handle(literal_text(estimate_label), color)]
        if flags.any():
            handles.append(_marker_handle(SMALL_COUNTY_LABEL, color, hollow=True))
        handles += _draw_reference(ax, _reference(reference, reference_label))
        _fig_legend(fig, handles)
    return fig


def raw_vs_shrunk_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    raw_col: str,
    raw_low: str,
    raw_high: str,
    shrunk_col: str,
    shrunk_low: str,
    shrunk_high: str,
    title: str,
    xlabel: str,
    sort: bool = True,
    ylabel: str | None = None,
    reference: float | tuple[float, str] | None = None,
    reference_label: str = "pooled rate",
    raw_label: str = "raw (observed) with 95% interval",
    shrunk_label: str = "shrunken with 95% interval",
) -> Figure:
    """Raw and shrunken estimates side by side per label: two offset markers with intervals.

    Rows are sorted by the shrunken estimate (largest on top) when `sort`. The raw estimate is
    an orange square just above, the shrunken one a blue circle just below each row's tick."""
    cols = [label_col, raw_col, raw_low, raw_high, shrunk_col, shrunk_low, shrunk_high]
    _check_columns(table, cols, "raw_vs_shrunk_plot")
    labels = _labels(table, label_col)
    raw, rlo, rhi = _num(table, raw_col), _num(table, raw_low), _num(table, raw_high)
    shr, slo, shi = _num(table, shrunk_col), _num(table, shrunk_low), _num(table, shrunk_high)
    order = _sort_order(shr, labels) if sort else np.arange(len(labels))
    labels = [labels[i] for i in order]
    with _style():
        fig, ax = _titled_row_axes(_rows_height(len(labels)) + 0.1 * len(labels), title, xlabel)
        if not labels:
            _no_data(ax)
            return fig
        y = np.arange(len(labels), dtype=float)
        offset = 0.18
        series = (
            (raw[order], rlo[order], rhi[order], -offset, PALETTE["orange"], "s", raw_label),
            (shr[order], slo[order], shi[order], +offset, PALETTE["blue"], "o", shrunk_label),
        )
        handles = []
        for value, lo, hi, dy, color, marker, label in series:
            ax.hlines(y + dy, lo, hi, color=color, linewidth=1.8, zorder=2)
            ax.plot(value, y + dy, linestyle="none", marker=marker, markersize=6.5, color=color, zorder=3)
            handles.append(_marker_handle(literal_text(label), color, marker=marker))
        _row_axis(ax, labels, ylabel)
        handles += _draw_reference(ax, _reference(reference, reference_label))
        _fig_legend(fig, handles)
    return fig


# --------------------------------------------------------------------------------------------
# Funnel plot
# --------------------------------------------------------------------------------------------


def funnel_limits(pooled_rate: float, n_values, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits for a proportion around `pooled_rate`.

    For each denominator n, the limits are the binomial(n, pooled_rate) quantiles at
    (1 - level)/2 and (1 + level)/2, divided by n (``scipy.stats.binom.ppf``): a county whose
    proportion lies outside differs from the pooled rate by more than chance at that level.
    The limits are step-like in n because counts are whole numbers."""
    # Imported here: scipy.stats is slow to import and only the funnel plot needs it.
    from scipy.stats import binom

    p = float(pooled_rate)
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"funnel_limits: pooled_rate must be within [0, 1], got {pooled_rate!r}")
    level = float(level)
    if not (0.0 < level < 1.0):
        raise ValueError(f"funnel_limits: level must be within (0, 1), e.g. 0.95 or 0.998, got {level!r}")
    n = np.atleast_1d(np.asarray(n_values, dtype=float))
    if n.size and (not np.all(np.isfinite(n)) or np.any(n < 1) or np.any(n != np.round(n))):
        raise ValueError("funnel_limits: n_values must be whole numbers >= 1 (denominators)")
    alpha = 1.0 - level
    low = binom.ppf(alpha / 2.0, n, p) / n
    high = binom.ppf(1.0 - alpha / 2.0, n, p) / n
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def _funnel_grid(max_n: int) -> np.ndarray:
    if max_n <= 5000:
        return np.arange(1, max_n + 1, dtype=float)
    return np.unique(np.round(np.geomspace(1, max_n, 3000)))


def _fmt_level(level: float) -> str:
    return f"{level * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _draw_funnel_lines(ax, pooled_rate: float, pooled_label: str, levels, grid: np.ndarray, min_den: float):
    """The pooled-rate line and the control limits at each level.

    Returns the legend handles and the highest value each line reaches at the smallest denominator
    (to size the y axis)."""
    ax.axhline(float(pooled_rate), color=PALETTE["black"], linewidth=1.2, zorder=2)
    handles = [Line2D([], [], color=PALETTE["black"], linewidth=1.2, label=literal_text(pooled_label))]
    styles = ((PALETTE["orange"], "--"), (PALETTE["vermillion"], ":"))
    tops = []
    for i, level in enumerate(levels):
        color, ls = styles[i % len(styles)]
        lo, hi = funnel_limits(pooled_rate, grid, level)
        ax.plot(grid, lo, color=color, linestyle=ls, linewidth=1.3, zorder=2)
        ax.plot(grid, hi, color=color, linestyle=ls, linewidth=1.3, zorder=2)
        handles.append(
            Line2D([], [], color=color, linestyle=ls, linewidth=1.3, label=f"{_fmt_level(level)} control limits")
        )
        tops.append(funnel_limits(pooled_rate, [max(1.0, float(np.round(min_den)))], level)[1][0])
    return handles, tops


def funnel_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    numerator_col: str,
    denominator_col: str,
    pooled_rate: float,
    title: str,
    xlabel: str,
    ylabel: str,
    flag_col: str | None = None,
    levels: tuple[float, float] = (0.95, 0.998),
    pooled_label: str = "pooled rate",
    point_label: str = "county",
) -> Figure:
    """Proportion (numerator / denominator) against denominator, with exact binomial control
    limits (95% and 99.8% by default) around `pooled_rate`, each point labelled.

    Rows with a zero or missing denominator cannot be placed and are left out (show them in
    the table beside the figure). Flagged rows get hollow markers."""
    _check_columns(table, [label_col, numerator_col, denominator_col, flag_col], "funnel_plot")
    labels = _labels(table, label_col)
    num, den = _num(table, numerator_col), _num(table, denominator_col)
    flags = _flags(table, flag_col)
    if np.any(num < 0) or np.any(den < 0) or np.any(num > den):
        raise ValueError("funnel_plot: counts must satisfy 0 <= numerator <= denominator")
    keep = np.isfinite(num) & np.isfinite(den) & (den > 0)
    with _style():
        fig, ax = _labelled_axes(5.2, title, xlabel, ylabel)
        if not keep.any():
            _no_data(ax)
            return fig
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        num, den, flags = num[keep], den[keep], flags[keep]
        prop = num / den
        max_n = int(math.ceil(den.max()))
        handles, limit_tops = _draw_funnel_lines(ax, pooled_rate, pooled_label, levels, _funnel_grid(max_n), den.min())
        tops = [prop.max(), *limit_tops]
        color = PALETTE["blue"]
        _plot_flagged_markers(ax, den, prop, flags, color, zorder=4)
        handles.insert(0, _marker_handle(literal_text(point_label), color, line=False))
        if flags.any():
            handles.insert(1, _marker_handle(SMALL_COUNTY_LABEL, color, hollow=True, line=False))
        xlim = (0.0, max_n * 1.05)
        ylim = (0.0, min(1.0, 1.12 * max(tops)) if max(tops) > 0 else 1.0)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        _annotate_points(ax, den, prop, labels, xlim=xlim, ylim=ylim, axes_size_in=(FIG_WIDTH - 0.9, 5.2 - 1.9))
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles)
    return fig
