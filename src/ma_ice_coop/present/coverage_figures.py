"""The coverage timeline of the 'Data and coverage' notebook: one row of bars or points per dataset.

Built deterministically under the project style, like :mod:`ma_ice_coop.present.figures`.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ma_ice_coop.present import figures

# Span kinds drawn by coverage_timeline: legend label, face colour, edge colour, hatch.
SPAN_KINDS = {
    "records": (
        "dated records (one row per detainer or per day)",
        figures.PALETTE["blue"],
        figures.PALETTE["blue"],
        None,
    ),
    "annual": ("yearly counts or flags", figures.PALETTE["bluish_green"], figures.PALETTE["bluish_green"], None),
    "pooled": ("one total pooled over the span (no dates within)", "#CFE8F7", figures.PALETTE["blue"], "//"),
    "undercount": ("partial: undercounts (only stays recorded later)", "#F9E0B0", figures.PALETTE["vermillion"], "xx"),
    "point": ("value for one year or election date", figures.PALETTE["black"], figures.PALETTE["black"], None),
}


def _draw_dataset_row(ax, row_index: int, rows: pd.DataFrame) -> None:
    """One dataset's bars and points at height `row_index` (a grey line joins several points)."""
    points = rows[rows["kind"] == "point"]
    if len(points) > 1:
        xs = mdates.date2num(points["start"].to_numpy())
        ax.plot([xs.min(), xs.max()], [row_index, row_index], color=figures.GRID_COLOR, linewidth=2.0, zorder=1)
    for row in rows.itertuples():
        _label, face, edge, hatch = SPAN_KINDS[row.kind]
        x0 = float(mdates.date2num(row.start))
        if row.kind == "point":
            ax.plot([x0], [row_index], linestyle="none", marker="D", markersize=5, color=face, zorder=3)
            continue
        width = float(mdates.date2num(row.end + pd.Timedelta(days=1))) - x0
        ax.broken_barh(
            [(x0, width)],
            (row_index - 0.3, 0.6),
            facecolors=face,
            edgecolors=edge,
            hatch=hatch,
            linewidth=0.8,
            zorder=2,
        )


def _format_axes(ax, spans: pd.DataFrame, datasets: list[str]) -> None:
    """Dataset labels down the side, calendar years (whole years around the spans) along the bottom."""
    count = len(datasets)
    ax.set_yticks(np.arange(count), labels=["\n".join(textwrap.wrap(name, 34)) for name in datasets])
    ax.set_ylim(count - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.grid(axis="x", color=figures.GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    start, end = spans["start"].min(), spans["end"].max()
    ax.set_xlim(
        mdates.date2num(pd.Timestamp(year=start.year, month=1, day=1)),
        mdates.date2num(pd.Timestamp(year=end.year + 1, month=1, day=1)),
    )
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("Calendar year")


def _legend_handles(spans: pd.DataFrame) -> list:
    """One legend entry per span kind drawn, in the order of SPAN_KINDS."""
    handles = []
    for kind in SPAN_KINDS:
        if kind not in set(spans["kind"]):
            continue
        label, face, edge, hatch = SPAN_KINDS[kind]
        if kind == "point":
            handles.append(Line2D([], [], linestyle="none", marker="D", markersize=5, color=face, label=label))
        else:
            handles.append(Patch(facecolor=face, edgecolor=edge, hatch=hatch, label=label))
    return handles


def _event_line(ax, event: tuple) -> Line2D:
    """A dashed vertical line at the event's date; returns its legend handle."""
    when, text = event
    x = float(mdates.date2num(pd.Timestamp(when)))
    ax.axvline(x, color=figures.PALETTE["black"], linestyle="--", linewidth=1.0, zorder=4)
    return Line2D(
        [],
        [],
        color=figures.PALETTE["black"],
        linestyle="--",
        linewidth=1.0,
        label=f"{text} ({pd.Timestamp(when).date().isoformat()})",
    )


def coverage_timeline(spans: pd.DataFrame, *, title: str, event: tuple | None = None) -> Figure:
    """Horizontal coverage bars per dataset (rows in the order given), points for single-year values.

    `spans` has columns dataset, start, end (timestamps, inclusive) and kind (a key of SPAN_KINDS);
    `event` is an optional (date, label) drawn as a dashed line. Returns a Figure.
    """
    unknown = sorted(set(spans["kind"]) - set(SPAN_KINDS))
    if unknown:
        raise ValueError(f"coverage_timeline: unknown span kind(s) {unknown}; valid: {list(SPAN_KINDS)}")
    datasets = list(dict.fromkeys(spans["dataset"]))
    with mpl.rc_context(figures.STYLE):
        fig = Figure(figsize=(figures.FIG_WIDTH, 2.2 + 0.42 * len(datasets)), layout="constrained")
        ax = fig.add_subplot()
        ax.set_title("\n".join(textwrap.wrap(title, 70)))
        for row_index, name in enumerate(datasets):
            _draw_dataset_row(ax, row_index, spans[spans["dataset"] == name])
        _format_axes(ax, spans, datasets)
        handles = _legend_handles(spans)
        if event is not None:
            handles.append(_event_line(ax, event))
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    return fig
