"""The figures of the policy-timeline notebook: what each shows, its alt text, caption and source.

The drawing is in :mod:`ma_ice_coop.present.timeline_figures`; this module picks the data and writes the words.
"""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present import figures as plots
from ma_ice_coop.present import timeline_figures as draw
from ma_ice_coop.present.report import fmt_num, md
from ma_ice_coop.present.text import join_words
from ma_ice_coop.views.policy_timeline.data import PolicyTimeline
from ma_ice_coop.views.policy_timeline.findings import coefficient, short_name
from ma_ice_coop.views.policy_timeline.selection import CATEGORY_LABELS, CATEGORY_ORDER, year_end, year_start
from ma_ice_coop.views.policy_timeline.tables import panel_matrix
from ma_ice_coop.views.policy_timeline.wording import persons

HEADCOUNT_SOURCE = "UWCHR ice-detain daily headcounts (ICE ERO LESA FOIA 2022-ICFO-09022), sheriff-run facilities"
TIMELINE_SOURCE = "data/reference/policy_timeline.csv (one source link per event)"


def _event_mark(timeline: PolicyTimeline) -> draw.EventMark:
    label = timeline.event.label
    return draw.EventMark(date=timeline.date, label=label, legend=f"{label} ({timeline.row['date']})")


def _undercount(timeline: PolicyTimeline) -> draw.Undercount:
    return draw.Undercount(pd.Timestamp(timeline.coverage.start), timeline.complete_from)


def _facility_styles(timeline: PolicyTimeline) -> dict[str, tuple[str, str]]:
    """The same colour and line style for a county's jail in every figure (county name -> style)."""
    contract = timeline.facilities[timeline.facilities["facility_code"].isin(timeline.contract_codes)]
    return plots.category_styles(sorted(contract["county"].unique()))


def _years(shown: pd.DataFrame, category: str, exclude: tuple[str, ...] = ()) -> str:
    """The years of the shown events of a category (leaving out the given key events)."""
    rows = shown[(shown["category"] == category) & ~shown["key"].isin(list(exclude))]
    return join_words([str(year) for year in sorted({int(day.year) for day in rows["date"]})], empty="none")


def timeline_figure(timeline: PolicyTimeline):
    shown = timeline.timeline
    series = timeline.monthly["statewide"].rename("ICE detainees per day, sheriff-run facilities (monthly mean)")
    fig = draw.policy_timeline_chart(
        shown.drop(columns="number"),
        series,
        _undercount(timeline),
        title="Policy events and ICE detention",
        series_label="ICE detainees per day (monthly mean)",
        ylabel="ICE detainees per day (persons)",
        start=year_start(shown),
        end=year_end(shown),
        category_order=CATEGORY_ORDER,
        category_labels=CATEGORY_LABELS,
    )
    number = shown.loc[shown["key"] == timeline.event.key, "number"]
    chosen = f" The chosen event, {timeline.event.label}, is number {int(number.iloc[0])}." if len(number) else ""
    complete = timeline.monthly["statewide"]
    complete = complete[complete.index >= timeline.complete_from]
    return plots.figure_html(
        fig,
        alt=(
            f"Timeline of {len(shown)} dated policy events from {shown['date'].min().date()} to "
            f"{shown['date'].max().date()}, drawn as vertical lines coloured by category, above a line chart of the "
            f"monthly mean daily number of ICE detainees in Massachusetts sheriff-run facilities from "
            f"{timeline.coverage.start} to {timeline.coverage.end}; with complete data it peaks at "
            f"{persons(complete.max())} in {complete.idxmax():%Y-%m}. Events are numbered as in the table below."
        ),
        caption=(
            "Events: 287(g) starts and ends of the sheriffs and the state DOC, ICE contract ends, the key "
            f"events of this project, the {_years(shown, 'election')} sheriff elections and the "
            f"{_years(shown, 'federal_action', ('secure_communities',))} federal actions. The line counts ICE "
            f"detainees held per day; before {timeline.complete_from.date()} (shaded) it undercounts." + chosen
        ),
        source=f"{TIMELINE_SOURCE}; {HEADCOUNT_SOURCE}",
    )


def facility_figure(timeline: PolicyTimeline):
    codes = timeline.contract_codes
    names = dict(zip(timeline.facilities["facility_code"], timeline.facilities["county"], strict=True))
    county_styles = _facility_styles(timeline)
    event = timeline.event
    fig, marked = draw.facility_headcount_figure(
        timeline.monthly[codes],
        labels={code: f"{names[code]} ({code})" for code in codes},
        styles={code: county_styles[names[code]] for code in codes},
        undercount=_undercount(timeline),
        event=_event_mark(timeline),
        x_range=(pd.Timestamp(timeline.coverage.start), pd.Timestamp(timeline.coverage.end)),
    )
    if marked:
        where = f", with a dashed line at {event.label} ({timeline.row['date']})"
    else:
        where = f"; {event.label} ({timeline.row['date']}) is outside the series"
    return plots.figure_html(
        fig,
        alt=(
            f"Line chart of the monthly mean daily number of ICE detainees in {len(codes)} county jails "
            f"({join_words([names[code] for code in codes], empty='none')}) from {timeline.coverage.start} to "
            f"{timeline.coverage.end}" + where + "."
        ),
        caption=(
            f"Monthly mean of the daily ICE headcount per facility; shaded: before {timeline.complete_from.date()}, "
            "when the data undercount."
            + ("" if marked else f" The chosen event ({timeline.row['date']}) is after the series ends.")
        ),
        source=HEADCOUNT_SOURCE,
    )


def daily_figure(timeline: PolicyTimeline):
    summary = timeline.summary
    start, end = timeline.date - pd.DateOffset(days=365), timeline.date + pd.DateOffset(days=365)
    daily = timeline.daily[summary.event.series]
    daily = daily[(daily.index >= start) & (daily.index <= end)]
    if daily.empty:
        return md(
            f"_No daily headcount within a year of the event: the daily series covers "
            f"{timeline.coverage.start}..{timeline.coverage.end}._"
        )
    fig = draw.daily_headcount_figure(
        daily, (start, end), pd.Timestamp(timeline.coverage.end), _undercount(timeline), _event_mark(timeline)
    )
    return plots.figure_html(
        fig,
        alt=(
            f"Line chart of the daily number of ICE detainees in {summary.series_label} from "
            f"{daily.index.min().date()} to {daily.index.max().date()}, ranging from {persons(daily.min())} to "
            f"{persons(daily.max())}, with a dashed line at {timeline.event.label} ({timeline.row['date']})."
        ),
        caption=f"Daily ICE headcount in {summary.series_label}; a day absent from the data had no ICE detainee.",
        source=HEADCOUNT_SOURCE,
    )


def its_figure(timeline: PolicyTimeline):
    summary = timeline.summary
    if summary.its_reason and summary.contract_ended:
        return observed_window_figure(timeline)
    if summary.its_reason:
        return md(f"_No figure: {summary.its_reason}._")
    fitted = summary.its.fitted
    fig = draw.its_figure(fitted, _event_mark(timeline))
    dates = pd.to_datetime(fitted["date"])
    level = coefficient(summary, 2)
    return plots.figure_html(
        fig,
        alt=(
            f"Monthly mean daily ICE headcount in {summary.series_label} from {dates.min():%Y-%m} "
            f"to {dates.max():%Y-%m} as points, with the fitted segmented regression and the "
            f"earlier trend continued after {timeline.event.label}; the estimated level change is "
            f"{fmt_num(level['estimate'], 1)} persons a day."
        ),
        caption=(
            "Points: observed monthly means; solid: fitted before and after the event; dashed purple: the "
            "pre-event trend continued (the model's counterfactual, an assumption, not an observation)."
        ),
        source=HEADCOUNT_SOURCE + "; models.interrupted_time_series (OLS, Newey-West errors)",
    )


def observed_window_figure(timeline: PolicyTimeline):
    """The observed monthly headcount in the model's window, with no model (for a series that is zero by
    construction after the event)."""
    summary = timeline.summary
    window_start, window_end = summary.window
    monthly = timeline.monthly[summary.event.series]
    monthly = monthly[(monthly.index >= window_start) & (monthly.index <= window_end)]
    fig = draw.observed_window_figure(monthly, summary.window, _event_mark(timeline))
    return plots.figure_html(
        fig,
        alt=(
            f"Monthly mean daily ICE headcount in {summary.series_label} from {monthly.index.min():%Y-%m} to "
            f"{monthly.index.max():%Y-%m}, observed values only, with a dashed line at {timeline.event.label} "
            f"({timeline.row['date']}); the last day with an ICE detainee is {summary.last_day.date()} and the "
            "series is zero after it."
        ),
        caption=(
            "Observed monthly means only: no segmented regression is fitted, because after the event the series "
            "is zero by construction (the contract had ended)."
        ),
        source=HEADCOUNT_SOURCE,
    )


def declines_figure(timeline: PolicyTimeline):
    state = timeline.declines_state
    fig, marked = draw.declines_figure(state, _event_mark(timeline))
    label = timeline.event.label
    return plots.figure_html(
        fig,
        alt=(
            f"Dot-and-whisker chart of recorded declined detainers per sheriff facility-year in Massachusetts, "
            f"{int(state['year'].min())} to {int(state['year'].max())}, from {fmt_num(state['estimate'].min(), 2)} "
            f"to {fmt_num(state['estimate'].max(), 2)} a year, with exact Poisson 95% intervals"
            + (f" and a dashed line at {label}." if marked else "; the chosen event is outside this range.")
        ),
        caption=(
            "Statewide pool of sheriff-run facilities: recorded declines divided by facility-years; each point "
            "sits at the middle of the period it covers." + ("" if marked else f" {label} is outside the period.")
        ),
        source="NPR sanctuary-cities table (ICE FOIA 15-87693) via measures.recorded_decline_measures",
    )


def agreements_figure(timeline: PolicyTimeline):
    labels, years, in_force = panel_matrix(timeline)
    fig = draw.agreement_years_figure(labels, years, in_force, _event_mark(timeline))
    with_any = [label for label, row in zip(labels, in_force, strict=True) if row.any()]
    return plots.figure_html(
        fig,
        alt=(
            f"Heat table of {len(labels)} agencies (the {len(labels) - 1} sheriffs and the state DOC) by year "
            f"{years[0]}-{years[-1]},"
            " shaded where a 287(g) agreement was in force; agreements appear for "
            + join_words(with_any, empty="none")
            + "."
        ),
        caption=(
            "A year counts when an ICE list, a Washington Post flag or the dated agreement period shows an "
            "agreement in force at some point in it. The state DOC is shown apart: it is not a county sheriff."
        ),
        source="agreements_287g_years (data/reference/agreements_287g.csv; ICE 287(g) lists; Washington Post)",
    )


def year_end_figure(timeline: PolicyTimeline):
    statistics = timeline.year_end
    short = {
        facility_id: short_name(facility_id, timeline) for facility_id in sorted(statistics["facility_id"].unique())
    }
    fig, marked = draw.year_end_figure(statistics, short, _facility_styles(timeline), _event_mark(timeline))
    years = sorted(statistics["fiscal_year"].unique())
    label = timeline.event.label
    return plots.figure_html(
        fig,
        alt=(
            f"Horizontal segments showing ICE's average daily population in each listed sheriff facility "
            f"({join_words(sorted(short.values()), empty='none')}) for each fiscal year FY{years[0]}-FY{years[-1]}"
            + (
                f", with a dashed line at {label}."
                if marked
                else f"; {label} ({timeline.row['date']}) is before FY{years[0]}."
            )
        ),
        caption=(
            "Each segment spans the fiscal year its average covers. A facility ICE does not list in a year has "
            "no segment (not listed is not the same as zero)."
        ),
        source="ICE year-end detention statistics workbooks (archived by Vera); ice_detention_fy",
    )
