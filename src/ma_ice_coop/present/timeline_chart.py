"""The timeline: events as vertical lines coloured by category with staggered labels (or numbers
read with a table of events), optionally above a time series on the same date axis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ma_ice_coop.present.figure_parts import _check_columns, _fig_legend, _label_box, _new_figure, _no_data, _set_title
from ma_ice_coop.present.figure_style import (
    CATEGORY_COLORS,
    FIG_WIDTH,
    GRID_COLOR,
    NOTE_COLOR,
    PALETTE,
    _style,
    _text_size_pt,
    literal_text,
)

_LINESTYLES = ("-", "--", ":", "-.")
_LABEL_FONTSIZE = 7.5


def category_styles(categories: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(colour, linestyle) per category, in the given order: Okabe-Ito colours, then linestyles."""
    n = len(CATEGORY_COLORS)
    return {c: (CATEGORY_COLORS[i % n], _LINESTYLES[(i // n) % len(_LINESTYLES)]) for i, c in enumerate(categories)}


def timeline_events(events: pd.DataFrame, *, start=None, end=None) -> pd.DataFrame:
    """The events :func:`timeline_figure` draws, in its order, with their ``number`` (1, 2, ...).

    Filtered to ``start <= date <= end`` and sorted by (date, category, label); all columns
    are kept. Show it as the table beside a timeline: when labels are too crowded, the figure
    labels each line with this number instead of its text."""
    _check_columns(events, ["date", "label", "category"], "timeline_events")
    ev = events.copy()
    ev["date"] = pd.to_datetime(ev["date"])
    if ev["date"].isna().any():
        raise ValueError("timeline_figure: every event needs a date")
    t0, t1 = _period(start, end)
    if t0 is not None:
        ev = ev[ev["date"] >= t0]
    if t1 is not None:
        ev = ev[ev["date"] <= t1]
    key = pd.DataFrame(
        {
            "date": ev["date"],
            "category": ["" if pd.isna(v) else str(v) for v in ev["category"].tolist()],
            "label": ["" if pd.isna(v) else str(v) for v in ev["label"].tolist()],
        },
        index=ev.index,
    )
    order = key.sort_values(["date", "category", "label"], kind="mergesort").index
    ev = ev.loc[order].reset_index(drop=True)
    ev.insert(0, "number", np.arange(1, len(ev) + 1))
    return ev


def _period(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    t0 = pd.Timestamp(start) if start is not None else None
    t1 = pd.Timestamp(end) if end is not None else None
    if t0 is not None and t1 is not None and t1 < t0:
        raise ValueError(f"timeline_figure: end {t1.date()} is before start {t0.date()}")
    return t0, t1


def _stagger(
    times: list[float], texts: list[str], *, x1: float, days_per_pt: float, fontsize: float, max_rows: int
) -> tuple[list[int], list[str], bool]:
    """Rows and alignments for labels at `times`: greedy, each label takes the uppermost row
    where it overlaps no other label; past `max_rows` rows, the row where it overlaps least.
    Returns (rows, alignments, whether any label overlaps)."""
    rows, aligns, crowded = [], [], False
    occupied: list[list[tuple[float, float]]] = []
    for t, text in zip(times, texts, strict=True):
        width = (_text_size_pt(text, fontsize)[0] + 6.0) * days_per_pt
        right = t + width <= x1
        lo, hi = (t, t + width) if right else (t - width, t)

        def clash(spans, lo=lo, hi=hi) -> float:
            return sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in spans)

        row = next((k for k, spans in enumerate(occupied) if clash(spans) == 0.0), None)
        if row is None and len(occupied) < max(1, max_rows):
            occupied.append([])
            row = len(occupied) - 1
        elif row is None:
            row = min(range(len(occupied)), key=lambda k: (clash(occupied[k]), k))
            crowded = True
        occupied[row].append((lo, hi))
        rows.append(row)
        aligns.append("left" if right else "right")
    return rows, aligns, crowded


# --------------------------------------------------------------------------------------------
# Steps of timeline_figure
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventLabels:
    """Where the event labels go: their texts, rows and alignments, and whether they are numbers."""

    texts: list[str]
    rows: list[int]
    aligns: list[str]
    numbered: bool

    @property
    def n_rows(self) -> int:
        return max(self.rows, default=0) + 1


def _series_in_period(series: pd.Series | None, t0, t1) -> pd.Series | None:
    """The series as floats on a sorted datetime index, limited to the period (None stays None)."""
    if series is None:
        return None
    if not isinstance(series, pd.Series):
        raise TypeError("timeline_figure: series must be a pandas Series indexed by datetime")
    values = pd.Series(
        pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan),
        index=pd.to_datetime(series.index),
    ).sort_index()
    if t0 is not None:
        values = values[values.index >= t0]
    if t1 is not None:
        values = values[values.index <= t1]
    return values


def _ordered_categories(categories: list[str], category_order: Sequence[str] | None) -> list[str]:
    """The categories present: in `category_order` first, then the others sorted (all sorted by default)."""
    present = list(dict.fromkeys(categories))
    if category_order is None:
        return sorted(present)
    order = [str(c) for c in category_order]
    return [c for c in order if c in present] + sorted(c for c in present if c not in order)


def _time_range(times: list[float], series_x: np.ndarray, t0, t1) -> tuple[float, float]:
    """The x range (matplotlib date numbers, days): `start`/`end` when given, else the data padded by 3%;
    at least 30 days wide."""
    candidates = times + [float(v) for v in series_x]
    x0 = float(mdates.date2num(t0)) if t0 is not None else (min(candidates) if candidates else None)
    x1 = float(mdates.date2num(t1)) if t1 is not None else (max(candidates) if candidates else None)
    if x0 is None or x1 is None:
        x0 = x1 = float(mdates.date2num(pd.Timestamp("2000-01-01")))
    if x1 - x0 < 30.0:
        x0, x1 = (x0 + x1) / 2.0 - 15.0, (x0 + x1) / 2.0 + 15.0
    span = x1 - x0
    if t0 is None:
        x0 -= 0.03 * span
    if t1 is None:
        x1 += 0.03 * span
    return x0, x1


def _place_labels(ev: pd.DataFrame, times: list[float], label_mode: str, max_label_chars: int, stagger: dict):
    """Texts (cut at `max_label_chars`) or numbers for the events, staggered into rows."""
    labels = ["(missing)" if pd.isna(v) else str(v) for v in ev["label"].tolist()]
    texts = [
        literal_text(t if len(t) <= max_label_chars else t[: max_label_chars - 1].rstrip() + "\u2026") for t in labels
    ]
    mode = label_mode
    if mode != "number":
        rows, aligns, crowded = _stagger(times, texts, **stagger)
        if crowded and mode == "auto":
            mode = "number"
    if mode == "number":
        texts = [str(n) for n in ev["number"].tolist()]
        rows, aligns, _ = _stagger(times, texts, **stagger)
    return _EventLabels(texts, rows, aligns, numbered=mode == "number")


def _timeline_axes(title: str, n_rows: int, with_series: bool):
    """The figure, its band of event labels and (with a series) the panel below."""
    band_h = 0.35 + 0.2 * n_rows
    if with_series:
        fig = _new_figure(band_h + 3.2)
        band, panel = fig.subplots(2, 1, sharex=True, height_ratios=[band_h, 2.4])
    else:
        fig = _new_figure(band_h + 1.6)
        band, panel = fig.add_subplot(), None
    _set_title(band, title)
    band.set_ylim(0, n_rows)
    band.set_yticks([])
    band.spines["left"].set_visible(False)
    return fig, band, panel


def _draw_events(band, panel, times, categories, styles, labels: _EventLabels, days_per_pt: float) -> None:
    """A line per event in the band (and a fainter one in the panel), then each label beside its line."""
    for t, cat in zip(times, categories, strict=True):
        color, ls = styles[cat]
        band.axvline(t, color=color, linestyle=ls, linewidth=1.2, zorder=2)
        if panel is not None:
            panel.axvline(t, color=color, linestyle=ls, linewidth=0.9, alpha=0.6, zorder=1)
    n_rows = labels.n_rows
    for t, text, row, ha in zip(times, labels.texts, labels.rows, labels.aligns, strict=True):
        dx = 3.0 * days_per_pt * (1 if ha == "left" else -1)
        band.text(
            t + dx,
            n_rows - row - 0.5,
            text,
            ha=ha,
            va="center",
            fontsize=_LABEL_FONTSIZE,
            color="#1A1A1A",
            bbox=_label_box(),
            zorder=3,
        )


def _numbers_note(band) -> None:
    band.annotate(
        "Numbers refer to the table of events.",
        (1.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 2),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=7,
        color=NOTE_COLOR,
    )


def _draw_series(band, panel, values: pd.Series, series_x: np.ndarray, ylabel: str) -> None:
    band.tick_params(axis="x", labelbottom=False)
    if len(values):
        panel.plot(series_x, values.to_numpy(), color=PALETTE["black"], linewidth=1.5, zorder=3)
    else:
        _no_data(panel, "No series data in this period")
    panel.set_ylabel(literal_text(ylabel))
    if not len(values) or np.nanmin(values.to_numpy()) >= 0:
        panel.set_ylim(bottom=0)
    panel.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    panel.set_axisbelow(True)


def _date_axis(ax, x0: float, x1: float, xlabel: str) -> None:
    ax.set_xlim(x0, x1)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    ax.set_xlabel(literal_text(xlabel))


def _timeline_legend(fig: Figure, series_name: str | None, cats: list[str], styles, cat_names) -> None:
    """The series (if any), then one entry per category."""
    handles = []
    if series_name is not None:
        handles.append(Line2D([], [], color=PALETTE["black"], linewidth=1.5, label=literal_text(series_name)))
    for cat in cats:
        color, ls = styles[cat]
        handles.append(
            Line2D([], [], color=color, linestyle=ls, linewidth=1.5, label=literal_text(cat_names.get(cat, cat)))
        )
    _fig_legend(fig, handles, ncols=min(len(handles), 4))


def timeline_figure(
    events: pd.DataFrame,
    *,
    title: str,
    series: pd.Series | None = None,
    series_label: str | None = None,
    ylabel: str | None = None,
    start=None,
    end=None,
    xlabel: str = "Date",
    category_order: Sequence[str] | None = None,
    category_labels: Mapping[str, str] | None = None,
    label_mode: str = "auto",
    max_label_chars: int = 45,
    max_rows: int = 10,
) -> Figure:
    """Events as vertical lines coloured by category (legend by category) with staggered
    labels; optionally a time series (e.g. monthly mean ICE headcount) drawn as a line in a
    panel below, on the same time axis.

    `events` needs columns ``date`` (datetime-like), ``label`` (short text, cut at
    `max_label_chars` with an ellipsis) and ``category``. `start`/`end` limit events and series
    (inclusive) and set the axis range. Labels are staggered over at most `max_rows` rows.
    `label_mode`: "text" (labels, overlapping if they must), "number" (each line labelled with
    its ``number`` from :func:`timeline_events`, to be read with that table) or "auto" (text
    when it fits in `max_rows` rows, numbers otherwise). Categories are ordered by
    `category_order` (default: sorted) and named in the legend by `category_labels`."""
    if label_mode not in ("auto", "text", "number"):
        raise ValueError(f"timeline_figure: label_mode must be 'auto', 'text' or 'number', got {label_mode!r}")
    ev = timeline_events(events, start=start, end=end)
    t0, t1 = _period(start, end)
    categories = ["(missing)" if pd.isna(v) else str(v) for v in ev["category"].tolist()]
    values = _series_in_period(series, t0, t1)
    cats = _ordered_categories(categories, category_order)
    styles = category_styles(cats)
    cat_names = {str(k): str(v) for k, v in (category_labels or {}).items()}
    times = [float(mdates.date2num(d)) for d in ev["date"]]
    series_x = mdates.date2num(values.index.to_numpy()) if values is not None and len(values) else np.array([])
    x0, x1 = _time_range(times, series_x, t0, t1)
    days_per_pt = (x1 - x0) / ((FIG_WIDTH - 1.3) * 72.0)
    stagger = dict(x1=x1, days_per_pt=days_per_pt, fontsize=_LABEL_FONTSIZE, max_rows=max_rows)
    labels = _place_labels(ev, times, label_mode, max_label_chars, stagger)
    with _style():
        fig, band, panel = _timeline_axes(title, labels.n_rows, with_series=values is not None)
        _draw_events(band, panel, times, categories, styles, labels, days_per_pt)
        if not times and values is None:
            _no_data(band, "No events in this period")
        elif labels.numbered:
            _numbers_note(band)
        if panel is not None:
            _draw_series(band, panel, values, series_x, ylabel or series_label or series.name or "value")
        _date_axis(panel if panel is not None else band, x0, x1, xlabel)
        series_name = None if values is None else series_label or series.name or "series"
        _timeline_legend(fig, series_name, cats, styles, cat_names)
    return fig
