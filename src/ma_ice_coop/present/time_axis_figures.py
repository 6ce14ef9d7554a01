"""Figures of the extended detainer releases on a time axis: measures per year, and the interrupted time series
of the monthly custody share around an event.

:func:`years_figure` takes rows of ``extended_measures.year_measures`` (one geography) and an events frame
(``date``, ``label``; e.g. ``extended_its.key_event_frame``); :func:`its_figure` an ``extended_its.EventIts``.
Each returns a matplotlib ``Figure`` built under the project style; as elsewhere the view embeds it with
:func:`ma_ice_coop.present.figures.figure_html`, and :func:`years_alt_text` / :func:`its_alt_text` give it
alt text that says what the figure shows, gaps and refusals included.

Years that no loaded release covers are grey gaps (no bar, no point, lines broken), never interpolated; partial
years are lighter and hatched; years with detainers near a release's cut-off (outcomes possibly not yet
recorded) have hollow markers.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from ma_ice_coop.analysis.extended_its import FEW_DETAINERS, NEAR_CUTOFF, EventIts
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present import timeline_figures as draw
from ma_ice_coop.present.figure_parts import (
    _check_columns,
    _marker_handle,
    _no_data,
    _plot_flagged_markers,
    _set_title,
)
from ma_ice_coop.present.figure_style import FIG_WIDTH, GRID_COLOR, NOTE_COLOR, PALETTE, _style, literal_text

SHARE_STYLES = {  # column: (legend label, colour)
    "custody_share": ("custody", PALETTE["blue"]),
    "declined_share": ("declined", PALETTE["vermillion"]),
    "unresolved_share": ("unresolved", PALETTE["reddish_purple"]),
}
YEAR_COLUMNS = ("year_type", "year", "detainers", "days_covered", "days_in_year", "near_cutoff_detainers")
YEAR_LABELS = {
    "fiscal": "Federal fiscal year (October to September; FY2010 = Oct 2009 to Sep 2010)",
    "calendar": "Calendar year",
}
BAR_COLOR = PALETTE["blue"]
PARTIAL_ALPHA = 0.4
LABEL_FONTSIZE = 7.5
GAP_TEXT = "no loaded\nrelease"
TITLE_WIDTH = 6.4  # inches: bold titles run wider than plots.wrap_text assumes


# --------------------------------------------------------------------------------------------
# Years


def year_table(years: pd.DataFrame, year_type: str = "fiscal") -> pd.DataFrame:
    """One geography's rows of one year type on every year from the first to the last (gap years added with
    NaN), with `covered` (some loaded release covers part of the year), `partial` and `near_cutoff` flags."""
    _check_columns(
        years,
        [*YEAR_COLUMNS, *SHARE_STYLES, *(f"{c}_{b}" for c in SHARE_STYLES for b in ("low", "high"))],
        "years_figure",
    )
    if year_type not in YEAR_LABELS:
        raise ValueError(f"years_figure: year_type must be 'fiscal' or 'calendar', got {year_type!r}")
    rows = years[years["year_type"] == year_type]
    geo = [c for c in ("geography", "county_fips", "facility_state") if c in rows.columns]
    if geo and len(rows[geo].drop_duplicates()) > 1:
        raise ValueError("years_figure: the rows cover more than one geography; pass one county, state or the nation")
    if rows["year"].duplicated().any():
        raise ValueError(f"years_figure: year {int(rows['year'][rows['year'].duplicated()].iloc[0])} appears twice")
    if rows.empty:
        return rows.assign(**{flag: pd.Series(dtype=bool) for flag in ("covered", "partial", "near_cutoff")})
    span = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    table = rows.set_index(rows["year"].astype("int64")).drop(columns="year").reindex(span).rename_axis("year")
    covered = table["days_covered"].fillna(0).to_numpy() > 0
    table["covered"] = covered
    table["partial"] = covered & (table["days_covered"] < table["days_in_year"]).to_numpy()
    table["near_cutoff"] = covered & (table["near_cutoff_detainers"].fillna(0) > 0).to_numpy()
    shares = [f"{c}{end}" for c in SHARE_STYLES for end in ("", "_low", "_high")]
    table.loc[~covered, shares] = np.nan  # a year no release covers shows no share, whatever its row says
    return table.reset_index()


def year_position(date, year_type: str) -> float:
    """A date on the year axis: year Y spans Y - 0.5 to Y + 0.5 (fiscal Y: 1 October Y-1 to 30 September Y)."""
    day = pd.Timestamp(date)
    year = day.year + (1 if year_type == "fiscal" and day.month >= 10 else 0)
    start = pd.Timestamp(year - 1, 10, 1) if year_type == "fiscal" else pd.Timestamp(year, 1, 1)
    length = ((start + pd.DateOffset(years=1)) - start).days
    return year - 0.5 + (day - start).days / length


def _runs(years: np.ndarray, flags: np.ndarray) -> list[tuple[int, int]]:
    """First and last year of each run of consecutive flagged years."""
    runs: list[tuple[int, int]] = []
    for year, flag in zip(years, flags, strict=True):
        if not flag:
            continue
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], int(year))
        else:
            runs.append((int(year), int(year)))
    return runs


def _draw_gaps(axes, table: pd.DataFrame) -> list[tuple[int, int]]:
    """Grey spans over the years no loaded release covers, labelled in the first panel."""
    gaps = _runs(table["year"].to_numpy(), ~table["covered"].to_numpy(dtype=bool))
    for first, last in gaps:
        for ax in axes:
            ax.axvspan(first - 0.5, last + 0.5, color=draw.UNDERCOUNT_FILL, zorder=0, linewidth=0)
        axes[0].text(
            (first + last) / 2,
            0.4,
            GAP_TEXT,
            transform=axes[0].get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=7,
            color=NOTE_COLOR,
        )
    return gaps


def _draw_bars(ax, table: pd.DataFrame) -> None:
    """Detainers per covered year: partial years lighter and hatched, their share of days covered above."""
    shown = table[table["covered"]]
    bars = ax.bar(shown["year"], shown["detainers"].to_numpy(float), width=0.75, color=BAR_COLOR, zorder=2)
    for patch, row in zip(bars.patches, shown.itertuples(), strict=True):
        if row.partial:
            patch.set_alpha(PARTIAL_ALPHA)
            patch.set_hatch(plots.MISSING_HATCH)
            patch.set_edgecolor(BAR_COLOR)
            ax.annotate(
                f"{row.days_covered / row.days_in_year:.0%}",
                (row.year, row.detainers),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color=NOTE_COLOR,
            )
    ax.set_ylabel("detainers lodged")
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)


def _draw_shares(ax, table: pd.DataFrame) -> None:
    """Each share with its 95% interval, side by side within the year; hollow markers in near-cut-off years;
    the connecting line breaks at gap years."""
    x = table["year"].to_numpy(float)
    near = table["near_cutoff"].to_numpy(dtype=bool)
    for k, (column, (_, color)) in enumerate(SHARE_STYLES.items()):
        xs = x + (k - 1) * 0.22
        y = table[column].to_numpy(float)
        low, high = table[f"{column}_low"].to_numpy(float), table[f"{column}_high"].to_numpy(float)
        ax.plot(xs, y, color=color, linewidth=0.9, alpha=0.7, zorder=2)
        ax.errorbar(xs, y, yerr=[y - low, high - y], fmt="none", ecolor=color, elinewidth=1.1, capsize=2, zorder=3)
        ok = ~np.isnan(y)
        _plot_flagged_markers(ax, xs[ok], y[ok], near[ok], color, zorder=4)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("share of detainers")
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)


def _event_positions(events: pd.DataFrame, year_type: str, x0: float, x1: float) -> pd.DataFrame:
    """The events inside [x0, x1]: x (year axis), label, date, when (`date_text` if given, else the ISO date);
    sorted by date."""
    if events is None or events.empty:
        return pd.DataFrame({"x": [], "label": [], "date": [], "when": []})
    _check_columns(events, ["date", "label"], "years_figure (events)")
    dates = pd.to_datetime(events["date"])
    when = events["date_text"].astype(str) if "date_text" in events else dates.dt.strftime("%Y-%m-%d")
    ev = pd.DataFrame({"date": dates, "label": [literal_text(v) for v in events["label"]], "when": when.to_numpy()})
    ev = ev.sort_values(["date", "label"], kind="mergesort").reset_index(drop=True)
    ev["x"] = [year_position(d, year_type) for d in ev["date"]]
    return ev[(ev["x"] >= x0) & (ev["x"] <= x1)].reset_index(drop=True)


def _draw_events(axes, ev: pd.DataFrame, x0: float, x1: float, max_rows: int = 3) -> tuple[int, list]:
    """Dashed lines through both panels, labels staggered in rows at the top of the first (numbers, listed in
    the legend, when they would overlap). Returns the rows of labels and the legend entries of numbered events."""
    for ax in axes:
        for x in ev["x"]:
            ax.axvline(x, color=draw.EVENT_COLOR, linestyle=draw.EVENT_DASH, linewidth=1.2, zorder=5)
    if ev.empty:
        return 0, []
    per_pt = (x1 - x0) / ((FIG_WIDTH - 1.1) * 72.0)
    stagger = dict(x1=x1, days_per_pt=per_pt, fontsize=LABEL_FONTSIZE, max_rows=max_rows)
    texts, handles = list(ev["label"]), []
    rows, aligns, crowded = plots._stagger(list(ev["x"]), texts, **stagger)
    if crowded:
        texts = [str(n) for n in range(1, len(ev) + 1)]
        rows, aligns, _ = plots._stagger(list(ev["x"]), texts, **stagger)
        handles = [
            Line2D([], [], color=draw.EVENT_COLOR, linestyle=draw.EVENT_DASH, label=f"{n}: {t} ({d})")
            for n, (t, d) in enumerate(zip(ev["label"], ev["when"], strict=True), start=1)
        ]
    for x, text, row, ha in zip(ev["x"], texts, rows, aligns, strict=True):
        axes[0].annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3 if ha == "left" else -3, -2 - 11 * row),
            textcoords="offset points",
            ha=ha,
            va="top",
            fontsize=LABEL_FONTSIZE,
            color=draw.EVENT_COLOR,
            bbox=plots._label_box(),
            zorder=6,
        )
    return max(rows) + 1, handles


def _year_axis(ax, table: pd.DataFrame, year_type: str) -> None:
    years = table["year"].to_numpy()
    step = 1 if len(years) <= 12 else 2
    ax.set_xticks(years, minor=True)
    ticks = [y for y in years if (y - years[0]) % step == 0]
    ax.set_xticks(ticks, labels=[f"FY{y}" if year_type == "fiscal" else str(y) for y in ticks])
    ax.set_xlabel(YEAR_LABELS[year_type])


def _years_legend(fig, table: pd.DataFrame, gaps: list, event_handles: list) -> None:
    handles = [Patch(facecolor=BAR_COLOR, label="detainers, whole year covered")]
    if table["partial"].any():
        handles.append(
            Patch(
                facecolor=BAR_COLOR,
                alpha=PARTIAL_ALPHA,
                hatch=plots.MISSING_HATCH,
                edgecolor=BAR_COLOR,
                label="partial year (% of days covered)",
            )
        )
    if gaps:
        handles.append(Patch(facecolor=draw.UNDERCOUNT_FILL, label="no loaded release"))
    handles += [_marker_handle(f"{name} share, 95% interval", color) for name, color in SHARE_STYLES.values()]
    if table["near_cutoff"].any():
        handles.append(
            _marker_handle(
                "near a release's cut-off (hollow)",
                NOTE_COLOR,
                hollow=True,
                line=False,
            )
        )
    plots._fig_legend(fig, handles + event_handles, ncols=2)


def years_figure(years: pd.DataFrame, events: pd.DataFrame | None, *, title: str, year_type: str = "fiscal") -> Figure:
    """Two stacked panels on a year axis for one geography's ``year_measures`` rows: detainers per year (bars)
    and the custody, declined and unresolved shares with their 95% Jeffreys intervals. `events` (columns date,
    label) are dashed lines through both panels, labelled at the top without overlap."""
    table = year_table(years, year_type)
    with _style():
        fig = plots._new_figure(6.6)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, 1.15])
        _set_title(top, title)
        if table.empty:
            _no_data(top, "No detainers in the loaded releases")
            bottom.set_axis_off()
            return fig
        x0, x1 = float(table["year"].min()) - 0.5, float(table["year"].max()) + 0.5
        gaps = _draw_gaps([top, bottom], table)
        _draw_bars(top, table)
        _draw_shares(bottom, table)
        n_rows, event_handles = _draw_events([top, bottom], _event_positions(events, year_type, x0, x1), x0, x1)
        highest = float(np.nanmax(table["detainers"].to_numpy(float))) if table["covered"].any() else 1.0
        top.set_ylim(0, max(highest, 1.0) * (1.12 + 0.12 * n_rows))
        top.tick_params(axis="x", labelbottom=False)
        bottom.set_xlim(x0, x1)
        _year_axis(bottom, table, year_type)
        _years_legend(fig, table, gaps, event_handles)
    return fig


def years_alt_text(years: pd.DataFrame, events: pd.DataFrame | None, *, what: str, year_type: str = "fiscal") -> str:
    """Alt text for :func:`years_figure`: the span, the range of detainers, partial years, gaps, near-cut-off
    years and the events marked. `what` names the geography, e.g. 'detainers lodged with Massachusetts
    facilities'."""
    table = year_table(years, year_type)
    kind = "fiscal" if year_type == "fiscal" else "calendar"
    if table.empty:
        return f"Empty chart: no {what} in the loaded releases."
    fmt = (lambda y: f"FY{y}") if year_type == "fiscal" else str
    covered = table[table["covered"]]
    text = (
        f"Two stacked charts of {what} per {kind} year, {fmt(int(table['year'].min()))} to "
        f"{fmt(int(table['year'].max()))}: bars of detainers lodged ({int(covered['detainers'].min()):,} to "
        f"{int(covered['detainers'].max()):,} a year) above the custody, declined and unresolved shares of all "
        "detainers with 95% intervals."
    )
    parts = [
        ("Partial years (lighter, hatched)", [fmt(int(y)) for y in table.loc[table["partial"], "year"]]),
        (
            "No loaded release covers",
            [
                fmt(a) if a == b else f"{fmt(a)} to {fmt(b)}"
                for a, b in _runs(table["year"].to_numpy(), ~table["covered"].to_numpy(dtype=bool))
            ],
        ),
        (
            "Years with detainers near a release's cut-off (hollow markers)",
            [fmt(int(y)) for y in table.loc[table["near_cutoff"], "year"]],
        ),
    ]
    text += "".join(f" {head}: {', '.join(items)}." for head, items in parts if items)
    x0, x1 = float(table["year"].min()) - 0.5, float(table["year"].max()) + 0.5
    ev = _event_positions(events, year_type, x0, x1)
    if len(ev):
        text += (
            " Dashed lines at " + "; ".join(f"{t} ({d})" for t, d in zip(ev["label"], ev["when"], strict=True)) + "."
        )
    return text


# --------------------------------------------------------------------------------------------
# The interrupted time series


def _event_mark(result: EventIts) -> draw.EventMark:
    label = result.event.label
    return draw.EventMark(date=result.event_date, label=label, legend=f"{label} ({result.event.date})")


LEFT_OUT_MARKERS = {NEAR_CUTOFF: ("s", "near a release's cut-off (left out)"), FEW_DETAINERS: ("^", "")}


def _plot_months(ax, series: pd.DataFrame, min_detainers: int) -> list:
    """Used months as filled points, left-out months as hollow squares (near cut-off) or triangles (few
    detainers). Returns the legend entries of the left-out kinds drawn."""
    black = PALETTE["black"]
    days = mdates.date2num(pd.to_datetime(series["month"]))
    share = series["custody_share"].to_numpy(float)
    used = (series["left_out"] == "").to_numpy()
    ax.plot(days[used], share[used], linestyle="none", marker="o", markersize=3.5, color=black, zorder=3)
    handles = []
    for reason, (marker, label) in LEFT_OUT_MARKERS.items():
        sel = (series["left_out"] == reason).to_numpy()
        if not sel.any():
            continue
        ax.plot(
            days[sel],
            share[sel],
            linestyle="none",
            marker=marker,
            markersize=4.5,
            markerfacecolor="white",
            markeredgecolor=black,
            zorder=3,
        )
        text = label or f"fewer than {min_detainers} detainers (left out)"
        handles.append(_marker_handle(text, black, hollow=True, marker=marker, line=False))
    return handles


def _share_axis(ax, xlabel: str = "Month") -> None:
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("custody share of detainers")
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=0.8)


def _month_range(result: EventIts) -> tuple[pd.Timestamp, pd.Timestamp]:
    months = pd.to_datetime(result.series["month"])
    lo, hi = (months.min(), months.max()) if len(months) else result.window
    lo, hi = min(lo, result.event_date), max(hi, result.event_date)
    return lo - pd.DateOffset(days=20), hi + pd.DateOffset(days=20)


def its_figure(result: EventIts) -> Figure:
    """The observed monthly custody share with the fitted segments and the earlier trend continued; months left
    out are hollow. When the model was refused: the observed months with the reason written under the chart."""
    if result.refused:
        return _refused_figure(result)
    fitted = result.fitted
    days = mdates.date2num(pd.to_datetime(fitted["date"]))
    before, after = ((fitted["segment"] == s).to_numpy() for s in ("before", "after"))
    excluded = (fitted["segment"] == "event period (excluded)").to_numpy()
    fit, counterfactual = fitted["fitted"].to_numpy(float), fitted["counterfactual"].to_numpy(float)
    blue, purple = PALETTE["blue"], PALETTE["reddish_purple"]
    event = _event_mark(result)
    with _style():
        title = plots.wrap_text(
            f"Custody share of {result.geography} detainers per month around {event.label}",
            TITLE_WIDTH,
            draw.TITLE_SIZE,
        )
        fig, ax = draw._titled_axes(4.6, title)
        handles = [_marker_handle("observed (custody / detainers lodged)", PALETTE["black"], line=False)]
        handles += _plot_months(
            ax, result.series[~result.series["month"].isin(fitted["date"][excluded])], result.min_detainers
        )
        month_points = result.series.set_index("month")["custody_share"]
        if excluded.any():
            x = fitted["date"][excluded]
            ax.plot(
                mdates.date2num(x),
                month_points.reindex(x).to_numpy(float),
                linestyle="none",
                marker="o",
                markersize=4.5,
                markerfacecolor="white",
                markeredgecolor=PALETTE["black"],
                zorder=3,
            )
            handles.append(draw._left_out_handle())
        for mask in (before, after):
            ax.plot(days[mask], fit[mask], color=blue, linewidth=1.8, zorder=2)
        ax.plot(days[after], counterfactual[after], color=purple, linestyle="--", linewidth=1.6, zorder=2)
        draw.date_axis(ax, *_month_range(result))
        _share_axis(ax)
        draw.mark_event(ax, event, label=False)
        handles += [
            Line2D([], [], color=blue, linewidth=1.8, label="fitted"),
            Line2D([], [], color=purple, linestyle="--", linewidth=1.6, label="earlier trend continued"),
            draw.event_handle(event),
        ]
        plots._fig_legend(fig, handles, ncols=2)
    return fig


def _refused_figure(result: EventIts) -> Figure:
    """The observed months of the window (lines broken at missing months) and the reason no model was fitted."""
    event = _event_mark(result)
    reason = result.reason[0].upper() + result.reason[1:]
    text = plots.wrap_text(f"No model fitted. {reason}.", FIG_WIDTH - 1.0, 8)
    note_height = 0.15 * (text.count("\n") + 1) + 0.1  # inches: 8-point lines
    with _style():
        fig = plots._new_figure(3.9 + note_height)
        ax, note = fig.subplots(2, 1, height_ratios=[3.2, note_height])
        title = f"Custody share of {result.geography} detainers per month around {event.label} (no model fitted)"
        _set_title(ax, plots.wrap_text(title, TITLE_WIDTH, draw.TITLE_SIZE))
        series = result.series
        handles = []
        if len(series):
            grid = pd.date_range(series["month"].min(), series["month"].max(), freq="MS")
            line = series.set_index("month")["custody_share"].reindex(grid)
            ax.plot(mdates.date2num(grid), line.to_numpy(float), color=PALETTE["black"], linewidth=0.7, zorder=2)
            handles.append(_marker_handle("observed (custody / detainers lodged)", PALETTE["black"], line=False))
            handles += _plot_months(ax, series, result.min_detainers)
        else:
            ax.text(
                0.5, 0.5, "No loaded detainers in the window", transform=ax.transAxes, ha="center", color=NOTE_COLOR
            )
        draw.date_axis(ax, *_month_range(result))
        _share_axis(ax)
        draw.mark_event(ax, event)
        handles.append(draw.event_handle(event))
        note.set_axis_off()
        note.text(
            0,
            1,
            text,
            transform=note.transAxes,
            ha="left",
            va="top",
            fontsize=8,
            color=NOTE_COLOR,
        )
        plots._fig_legend(fig, handles, ncols=2)
    return fig


def its_alt_text(result: EventIts) -> str:
    """Alt text for :func:`its_figure`: the months shown, the months left out and the level change or the
    refusal."""
    series = result.series
    when = f"{result.event.label} ({result.event.date})"
    if not len(series):
        return f"Empty chart of the monthly custody share of {result.geography} detainers around {when}: " + (
            result.reason + "."
        )
    span = f"{series['month'].min():%Y-%m} to {series['month'].max():%Y-%m}"
    left = (
        f" {result.excluded_near_cutoff} months near a release's cut-off and {result.excluded_few_detainers} "
        f"with fewer than {result.min_detainers} detainers are left out (hollow markers)."
    )
    head = f"Monthly custody share of {result.geography} detainers, {span}, as points, with a dashed line at {when}."
    if result.refused:
        return head + left + f" No model is fitted: {result.reason}."
    return head + left + " Fitted lines before and after the event and the earlier trend continued. " + result.summary
