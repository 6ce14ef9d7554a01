"""The figures of the policy-timeline notebook: headcounts, the model, declines, 287(g) years, year-end statistics.

Each function takes plain data (DataFrames, Series, labels) and returns a matplotlib ``Figure`` built under the
project style (with, where the chosen event may fall outside the axis, whether it was marked); the view writes
the alt text and caption and embeds the figure with :func:`ma_ice_coop.present.figures.figure_html`.

The chosen event is a dashed black line (:class:`EventMark`); days before the daily headcount is complete are
shaded (:class:`Undercount`).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ma_ice_coop.present import figures as plots

EVENT_COLOR = plots.PALETTE["black"]
EVENT_DASH = (0, (4, 2))
UNDERCOUNT_FILL = "#EDEDED"
HEADCOUNT_AXIS = "ICE detainees per day (persons)"
TITLE_WIDTH, TITLE_SIZE = 7.2, 12  # inches and points for plots.wrap_text of long titles


@dataclass(frozen=True)
class EventMark:
    """The chosen event on a date axis: its date, its label (drawn at the line) and its legend entry."""

    date: pd.Timestamp
    label: str
    legend: str  # e.g. "Lunn v. Commonwealth (2017-07-24)"


@dataclass(frozen=True)
class Undercount:
    """The daily headcount starts on `coverage_start` but counts every stay only from `complete_from`."""

    coverage_start: pd.Timestamp
    complete_from: pd.Timestamp


# --------------------------------------------------------------------------------------------
# Building blocks


def date_axis(ax, x0: pd.Timestamp, x1: pd.Timestamp) -> None:
    ax.set_xlim(mdates.date2num(x0), mdates.date2num(x1))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def value_axis(ax, ylabel: str, xlabel: str, *, from_zero: bool = True) -> None:
    """The y axis from zero (unless told otherwise), both axis labels and horizontal grid lines."""
    if from_zero:
        ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)


def mark_event(ax, event: EventMark, label: bool = True) -> bool:
    """The chosen event as a dashed black line with its label, if inside the axis range."""
    x = mdates.date2num(event.date)
    lo, hi = ax.get_xlim()
    if not lo <= x <= hi:
        return False
    ax.axvline(x, color=EVENT_COLOR, linestyle=EVENT_DASH, linewidth=1.4, zorder=4)
    if label:
        right = x < lo + 0.7 * (hi - lo)
        ax.annotate(
            plots.literal_text(event.label),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3 if right else -3, -2),
            textcoords="offset points",
            ha="left" if right else "right",
            va="top",
            fontsize=8,
            color=EVENT_COLOR,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    return True


def event_handle(event: EventMark) -> Line2D:
    """The legend entry of the chosen event's dashed line."""
    return Line2D(
        [], [], color=EVENT_COLOR, linestyle=EVENT_DASH, linewidth=1.4, label=plots.literal_text(event.legend)
    )


def shade_undercount(ax, undercount: Undercount, y_text: float = 0.95) -> bool:
    lo, hi = ax.get_xlim()
    start = max(lo, mdates.date2num(undercount.coverage_start))
    end = min(hi, mdates.date2num(undercount.complete_from))
    if end <= start:
        return False
    ax.axvspan(start, end, color=UNDERCOUNT_FILL, zorder=0, linewidth=0)
    ax.text(
        (start + end) / 2,
        y_text,
        f"undercount\nbefore {undercount.complete_from.date()}",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize=7,
        color=plots.NOTE_COLOR,
    )
    return True


def shade_no_data(ax, end: pd.Timestamp, hi: pd.Timestamp, end_text: str) -> None:
    """Grey from the last day of a series to the right edge, labelled 'no data after <end_text>'."""
    ax.axvspan(mdates.date2num(end), mdates.date2num(hi), color=UNDERCOUNT_FILL, zorder=0, linewidth=0)
    ax.text(
        mdates.date2num(end + (hi - end) / 2),
        0.5,
        "no data after\n" + end_text,
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="center",
        fontsize=7,
        color=plots.NOTE_COLOR,
    )


def _titled_axes(height: float, title: str):
    fig = plots._new_figure(height)
    ax = fig.add_subplot()
    ax.set_title(title)
    return fig, ax


# --------------------------------------------------------------------------------------------
# The policy timeline and the daily headcount


def policy_timeline_chart(events: pd.DataFrame, series: pd.Series, undercount: Undercount, **timeline_args) -> Figure:
    """plots.timeline_figure (events above, `series` below; `timeline_args` passed on) with the undercount shaded
    on the series panel."""
    with mpl.rc_context(plots.STYLE):
        fig = plots.timeline_figure(events, series=series, **timeline_args)
        shade_undercount(fig.axes[1], undercount)
    return fig


def facility_headcount_figure(
    monthly: pd.DataFrame,
    labels: dict[str, str],
    styles: dict[str, tuple[str, str]],
    undercount: Undercount,
    event: EventMark,
    x_range: tuple[pd.Timestamp, pd.Timestamp],
) -> tuple[Figure, bool]:
    """One line per column of `monthly` (legend `labels[column]`, colour and line style `styles[column]`).
    Returns the figure and whether the event is inside the axis range."""
    with mpl.rc_context(plots.STYLE):
        fig, ax = _titled_axes(4.6, "ICE detainees per day in county jails with ICE contracts (monthly mean)")
        handles = []
        for column in monthly.columns:
            color, linestyle = styles[column]
            days = mdates.date2num(monthly.index)
            ax.plot(days, monthly[column].to_numpy(), color=color, linestyle=linestyle, linewidth=1.4)
            handles.append(Line2D([], [], color=color, linestyle=linestyle, linewidth=1.5, label=labels[column]))
        date_axis(ax, *x_range)
        value_axis(ax, HEADCOUNT_AXIS, "Month")
        shade_undercount(ax, undercount)
        marked = mark_event(ax, event)
        if marked:
            handles.append(event_handle(event))
        plots._fig_legend(fig, handles, ncols=3)
    return fig, marked


def daily_headcount_figure(
    daily: pd.Series,
    x_range: tuple[pd.Timestamp, pd.Timestamp],
    coverage_end: pd.Timestamp,
    undercount: Undercount,
    event: EventMark,
) -> Figure:
    """The daily headcount around the event; days after `coverage_end` inside the range are shaded as no data."""
    lo, hi = x_range
    with mpl.rc_context(plots.STYLE):
        title = plots.wrap_text(f"ICE detainees per day, a year either side of {event.label}", TITLE_WIDTH, TITLE_SIZE)
        fig, ax = _titled_axes(3.6, title)
        ax.plot(mdates.date2num(daily.index), daily.to_numpy(), color=plots.PALETTE["blue"], linewidth=1.0)
        date_axis(ax, lo, hi)
        value_axis(ax, "ICE detainees (persons)", "Day")
        shade_undercount(ax, undercount)
        mark_event(ax, event)
        if coverage_end < hi:
            shade_no_data(ax, coverage_end, hi, str(coverage_end.date()))
    return fig


# --------------------------------------------------------------------------------------------
# Interrupted time series


def _observed_handle() -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=4,
        color=plots.PALETTE["black"],
        label="observed (monthly mean)",
    )


def _left_out_handle() -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=4.5,
        markerfacecolor="white",
        markeredgecolor=plots.PALETTE["black"],
        label="event month (left out)",
    )


def _plot_its_points(ax, days: np.ndarray, observed: np.ndarray, used: np.ndarray, excluded: np.ndarray) -> None:
    """Observed monthly means as filled points; the event month left out of the model as hollow points."""
    black = plots.PALETTE["black"]
    ax.plot(days[used], observed[used], linestyle="none", marker="o", markersize=3.5, color=black, zorder=3)
    if excluded.any():
        ax.plot(
            days[excluded],
            observed[excluded],
            linestyle="none",
            marker="o",
            markersize=4.5,
            markerfacecolor="white",
            markeredgecolor=black,
            zorder=3,
        )


def its_figure(fitted: pd.DataFrame, event: EventMark) -> Figure:
    """Observed points, the fitted segments and the pre-event trend continued (``models.ItsResult.fitted``)."""
    dates = pd.to_datetime(fitted["date"])
    days = mdates.date2num(dates)
    after = (fitted["segment"] == "after").to_numpy()
    before = (fitted["segment"] == "before").to_numpy()
    excluded = (fitted["segment"] == "event period (excluded)").to_numpy()
    observed, fit, counterfactual = (fitted[c].to_numpy() for c in ("observed", "fitted", "counterfactual"))
    blue, purple = plots.PALETTE["blue"], plots.PALETTE["reddish_purple"]
    with mpl.rc_context(plots.STYLE):
        title = plots.wrap_text(f"Interrupted time series around {event.label}", TITLE_WIDTH, TITLE_SIZE)
        fig, ax = _titled_axes(4.4, title)
        _plot_its_points(ax, days, observed, before | after, excluded)
        for mask in (before, after):
            ax.plot(days[mask], fit[mask], color=blue, linewidth=1.8, zorder=2)
        ax.plot(days[after], counterfactual[after], color=purple, linestyle="--", linewidth=1.6, zorder=2)
        date_axis(ax, dates.min() - pd.DateOffset(days=15), dates.max() + pd.DateOffset(days=15))
        lowest = np.nanmin(np.concatenate([observed, counterfactual, fit]))
        value_axis(ax, HEADCOUNT_AXIS, "Month", from_zero=bool(lowest >= 0))
        mark_event(ax, event, label=False)
        handles = [
            _observed_handle(),
            Line2D([], [], color=blue, linewidth=1.8, label="fitted"),
            Line2D(
                [], [], color=purple, linestyle="--", linewidth=1.6, label="counterfactual (earlier trend continued)"
            ),
            event_handle(event),
        ]
        if excluded.any():
            handles.append(_left_out_handle())
        plots._fig_legend(fig, handles, ncols=2)
    return fig


def observed_window_figure(monthly: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp], event: EventMark) -> Figure:
    """The observed monthly headcount in the model's window, with no model."""
    lo, hi = window
    with mpl.rc_context(plots.STYLE):
        title = plots.wrap_text(
            f"Monthly ICE headcount around {event.label} (no model fitted)", TITLE_WIDTH, TITLE_SIZE
        )
        fig, ax = _titled_axes(3.8, title)
        ax.plot(
            mdates.date2num(monthly.index),
            monthly.to_numpy(),
            linestyle="-",
            marker="o",
            markersize=3.5,
            color=plots.PALETTE["black"],
            linewidth=0.8,
        )
        date_axis(ax, lo - pd.DateOffset(days=15), hi + pd.DateOffset(days=15))
        value_axis(ax, HEADCOUNT_AXIS, "Month")
        mark_event(ax, event)
    return fig


# --------------------------------------------------------------------------------------------
# Recorded declines, 287(g) years, ICE year-end statistics


def declines_figure(state: pd.DataFrame, event: EventMark) -> tuple[Figure, bool]:
    """Statewide recorded declines per facility-year (columns year, period_start, period_end, estimate, ci_low,
    ci_high), one point per period at its middle. Returns the figure and whether the event is marked."""
    start, end = pd.to_datetime(state["period_start"]), pd.to_datetime(state["period_end"])
    middle = mdates.date2num(start + (end - start) / 2)
    rate = state["estimate"].to_numpy()
    blue, black = plots.PALETTE["blue"], plots.PALETTE["black"]
    with mpl.rc_context(plots.STYLE):
        fig, ax = _titled_axes(3.8, "Recorded declined detainers per sheriff facility-year, statewide")
        ax.errorbar(
            middle,
            rate,
            yerr=[rate - state["ci_low"].to_numpy(), state["ci_high"].to_numpy() - rate],
            fmt="o",
            color=blue,
            ecolor=black,
            elinewidth=1.2,
            capsize=3,
            markersize=5,
        )
        first, last = int(state["year"].min()), int(state["year"].max())
        date_axis(ax, pd.Timestamp(year=first, month=1, day=1), pd.Timestamp(year=last, month=12, day=31))
        ax.set_xticks(
            [mdates.date2num(pd.Timestamp(year=int(y), month=7, day=1)) for y in state["year"]],
            labels=[str(int(y)) for y in state["year"]],
        )
        value_axis(ax, "declines per facility-year", "Calendar year")
        marked = mark_event(ax, event)
        handles = [
            Line2D([], [], color=blue, marker="o", linestyle="none", label="statewide rate"),
            Line2D([], [], color=black, marker="|", markersize=8, label="95% interval (exact Poisson)"),
        ]
        if marked:
            handles.append(event_handle(event))
        plots._fig_legend(fig, handles)
    return fig, marked


def _highlight_year(ax, year: int, rows: int, event: EventMark) -> Patch:
    """A frame around the event's year column; returns its legend entry."""
    ax.add_patch(Rectangle((year - 0.5, -0.5), 1, rows, fill=False, edgecolor=EVENT_COLOR, linewidth=1.8, zorder=3))
    return Patch(
        facecolor="none",
        edgecolor=EVENT_COLOR,
        linewidth=1.8,
        label=plots.literal_text(f"year of {event.label} ({year})"),
    )


def agreement_years_figure(labels: list[str], years: list[int], in_force: np.ndarray, event: EventMark) -> Figure:
    """Heat table: one row per agency (`labels`), one column per year, shaded where `in_force` is 1."""
    on, off = plots.PALETTE["blue"], "#F0F0F0"
    with mpl.rc_context(plots.STYLE):
        fig, ax = _titled_axes(1.6 + 0.26 * len(labels), "287(g) agreement in force, by sheriff and calendar year")
        ax.pcolormesh(
            np.arange(len(years) + 1) - 0.5 + years[0],
            np.arange(len(labels) + 1) - 0.5,
            in_force,
            cmap=ListedColormap([off, on]),
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidth=0.8,
        )
        ax.set_yticks(np.arange(len(labels)), labels=[plots.literal_text(v) for v in labels])
        ax.invert_yaxis()
        ax.set_xticks([y for y in years if y % 2 == 1])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_xlabel("Calendar year")
        ax.tick_params(axis="both", length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        handles = [
            Patch(facecolor=on, label="agreement in force at some point in the year"),
            Patch(facecolor=off, edgecolor="#BDBDBD", label="none"),
        ]
        if years[0] <= event.date.year <= years[-1]:
            handles.append(_highlight_year(ax, event.date.year, len(labels), event))
        plots._fig_legend(fig, handles, ncols=2)
    return fig


def year_end_figure(
    year_end: pd.DataFrame, names: dict[str, str], styles: dict[str, tuple[str, str]], event: EventMark
) -> tuple[Figure, bool]:
    """ICE's average daily population per facility and fiscal year as a segment over the year (columns
    facility_id, fiscal_year, data_through, adp_total); `names` maps facility_id to a short name, `styles` a
    short name to (colour, line style). Returns the figure and whether the event is marked."""
    with mpl.rc_context(plots.STYLE):
        fig, ax = _titled_axes(4.2, "ICE year-end statistics: average daily ICE population")
        for row in year_end.itertuples():
            color, linestyle = styles[names[row.facility_id]]
            start = mdates.date2num(pd.Timestamp(year=int(row.fiscal_year) - 1, month=10, day=1))
            end = mdates.date2num(pd.Timestamp(row.data_through))
            ax.hlines(row.adp_total, start, end, color=color, linestyle=linestyle, linewidth=2.2)
        fiscal_years = sorted(int(y) for y in year_end["fiscal_year"].unique())
        x0 = pd.Timestamp(year=fiscal_years[0] - 1, month=10, day=1)
        x1 = max(pd.Timestamp(year=fiscal_years[-1], month=9, day=30), event.date) + pd.DateOffset(days=30)
        date_axis(ax, x0, x1)
        ax.set_xticks(
            [mdates.date2num(pd.Timestamp(year=y, month=4, day=1)) for y in fiscal_years],
            labels=[f"FY{y}" for y in fiscal_years],
        )
        value_axis(ax, "ICE detainees per day (ADP, persons)", "Federal fiscal year (October-September)")
        marked = mark_event(ax, event)
        handles = []
        for facility_id in sorted(names):
            color, linestyle = styles[names[facility_id]]
            handles.append(Line2D([], [], color=color, linestyle=linestyle, linewidth=2.2, label=names[facility_id]))
        if marked:
            handles.append(event_handle(event))
        plots._fig_legend(fig, handles, ncols=3)
    return fig, marked
