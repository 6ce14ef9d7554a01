"""The generated key findings: one sentence per kind of data around the chosen event (or any key event)."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import contract_end_rows
from ma_ice_coop.present.report import bullet_list, fmt_num
from ma_ice_coop.present.text import join_words, md_literal, md_source_links
from ma_ice_coop.tables.reference import county_names
from ma_ice_coop.views.policy_timeline.data import PolicyTimeline
from ma_ice_coop.views.policy_timeline.summaries import WINDOW_MONTHS, EventSummary
from ma_ice_coop.views.policy_timeline.windows import COMPARE_MONTHS, before_after, events_in_window
from ma_ice_coop.views.policy_timeline.wording import (
    ci_text,
    date_text,
    months_between,
    months_text,
    persons,
)


def key_findings(timeline: PolicyTimeline) -> str:
    summary, row = timeline.summary, timeline.row
    wording = md_literal(str(row["event"]).strip())
    lines = [
        f"**{md_literal(summary.event.label)}**, {date_text(row)}: {wording}{'' if wording.endswith('.') else '.'} "
        f"Source: {md_source_links(row['source_url'])}.",
        availability_finding(summary),
        headcount_finding(timeline),
        its_finding(timeline),
    ]
    for finding in (year_end_finding(timeline), agreements_finding(timeline), declines_finding(timeline)):
        if finding:
            lines.append(finding)
    lines.append(
        "ICE detention headcounts count people ICE held in the jails under bed contracts; they are not "
        "detainers and do not show whether a sheriff held, reported or handed over anyone. None of these "
        "comparisons can by itself show that the event caused a change."
    )
    return bullet_list(lines)


def availability_finding(summary: EventSummary) -> str:
    """Which sources cover both sides of the event, one side only, or neither."""
    available = summary.availability
    before, after = available["before"], available["after"]
    both = available[before & after]["source"].tolist()
    before_only = available[before & ~after]["source"].tolist()
    after_only = available[~before & after]["source"].tolist()
    neither = available[~before & ~after]["source"].tolist()
    text = f"Data within {WINDOW_MONTHS} months on both sides of the event: {join_words(both, empty='none')}."
    if before_only:
        text += f" Before it only: {join_words(before_only)}."
    if after_only:
        text += f" After it only: {join_words(after_only)}."
    return text + (
        f" No data around it: {join_words(neither, empty='none')} (ICE arrests at jails are one total pooled over "
        f"{measures.JAIL_ARRESTS.start}..{measures.JAIL_ARRESTS.end}, so they cannot be split at any event)."
    )


def headcount_finding(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    summary = summary or timeline.summary
    means = before_after(timeline, summary)
    if means["n_before"] == 0 and means["n_after"] == 0:
        return _no_headcount_text(timeline, summary)
    parts = []
    if means["n_before"]:
        parts.append(
            f"{persons(means['before'])} ICE detainees a day on average in {summary.series_label} over the "
            f"{means['n_before']} complete months before the event ({months_text(means['before_months'])})"
        )
    else:
        parts.append(f"no complete month before the event (complete from {timeline.complete_from.date()})")
    if means["n_after"]:
        parts.append(
            f"{persons(means['after'])} over the {means['n_after']} months after it "
            f"({months_text(means['after_months'])})"
        )
    else:
        parts.append(f"no month after it: the daily series ends on {timeline.coverage.end}")
    text = "ICE detention headcount: " + "; ".join(parts) + "."
    if summary.contract_ended and summary.last_day is not None and not summary.event.acts_on_headcount:
        text += (
            f" The last day with an ICE detainee there was {summary.last_day.date()}; "
            "from then on the facility held none."
        )
    if summary.event.acts_on_headcount:
        text += " " + contract_dates_text(timeline, summary)
    if summary.event.series == "statewide" and summary.event.county_fips:
        text += " " + _county_not_in_series_text(timeline, summary.event.county_fips)
    return text


def _no_headcount_text(timeline: PolicyTimeline, summary: EventSummary) -> str:
    if summary.date > timeline.complete_months[1]:
        gap = months_between(pd.Timestamp(timeline.coverage.end), summary.date)
        return (
            f"ICE detention headcount: the daily series ends on {timeline.coverage.end}, "
            f"{gap} months before the event, so it says nothing about the event."
        )
    return (
        f"ICE detention headcount: no complete month within {COMPARE_MONTHS} months of the event "
        f"(complete from {timeline.complete_from.date()})."
    )


def _county_not_in_series_text(timeline: PolicyTimeline, county_fips: str) -> str:
    """Why a county's event is read on the statewide series: its own facilities held ICE detainees on few days."""
    own = timeline.facilities[(timeline.facilities["county_fips"] == county_fips)]
    county = county_names().get(county_fips, county_fips)
    days = int(own["days"].sum()) if len(own) else 0
    return (
        f"{county}'s sheriff-run facilities held ICE detainees on {days} days in the whole series, so "
        "the statewide series is shown; a change in it need not involve this county."
    )


def contract_dates_text(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    """A contract end as separate dates: the decision or announcement (the event's row), what the county's other
    contract-end rows of the timeline say, and the last day in ICE's own daily records (computed)."""
    summary = summary or timeline.summary
    parts = [f"the event's own timeline row, dated {date_text(summary.row)} (quoted above)"]
    for _, end_row in contract_end_rows(summary.event).iterrows():
        wording = md_literal(str(end_row["event"]).strip().rstrip("."))
        parts.append(
            f"the timeline's contract-end row dated {date_text(end_row)}, which reads: “{wording}” "
            f"(source: {md_source_links(end_row['source_url'])})"
        )
    if summary.last_day is not None:
        days = (summary.last_day - summary.date).days
        parts.append(
            f"the last day with an ICE detainee in ICE's daily records, {summary.last_day.date()} "
            f"({abs(days)} days {'after' if days >= 0 else 'before'} the event; computed from "
            "ice_detention_daily)"
        )
    return (
        "These are different dates and are kept apart: " + "; ".join(parts) + ". A date a source expected, "
        "or reported, is not the same as the last day in ICE's records."
    )


def coefficient(summary: EventSummary, position: int) -> pd.Series:
    """A row of the model's coefficient table (2: level change at the event, 3: slope change)."""
    return summary.its.coefficients.iloc[position]


def its_finding(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    summary = summary or timeline.summary
    if summary.its_reason:
        return f"Interrupted time series: none, because {summary.its_reason}."
    level, slope = coefficient(summary, 2), coefficient(summary, 3)
    label = f"descriptive only, not a test of the event's effect: {summary.not_a_test}; " if summary.not_a_test else ""
    text = (
        f"Interrupted time series ({label}{summary.its.n_before} months before, {summary.its.n_after} after, "
        f"within {WINDOW_MONTHS} months of the event): level change at the event {ci_text(level)} ICE detainees a "
        f"day against the earlier trend continued; slope change {ci_text(slope, 2)} a month."
    )
    return text + " " + its_reading(summary) + " " + other_events_text(timeline, summary)


def other_events_text(timeline: PolicyTimeline, summary: EventSummary) -> str:
    """The other timeline events inside the model's window, named (the model does not separate them)."""
    others = events_in_window(timeline, summary)
    if not len(others):
        return "No other event of the timeline figure falls inside the model's window."
    named = "; ".join(f"{other.date_text} {md_literal(other.label)}" for other in others.itertuples())
    return (
        f"The window also contains {len(others)} other timeline event{'s' if len(others) != 1 else ''} "
        f"({named}); the model does not separate them from this one."
    )


def its_reading(summary: EventSummary) -> str:
    level = coefficient(summary, 2)
    if level["ci_low"] <= 0 <= level["ci_high"]:
        return (
            "The level-change interval includes zero: these data do not distinguish a jump at the event from no jump."
        )
    direction = "fell" if level["estimate"] < 0 else "rose"
    return (
        f"The level-change interval excludes zero: the headcount {direction} at about the time of the event "
        f"relative to its earlier trend, but the model cannot attribute that to the event, and its "
        f"intervals are optimistic on a short series."
    )


def short_name(facility_id: str, timeline: PolicyTimeline) -> str:
    """A sheriff facility by its county's name (the facility id when it is not in the headcount)."""
    row = timeline.facilities[timeline.facilities["facility_id"] == facility_id]
    if len(row):
        return str(row["county"].iloc[0])
    return facility_id


def _fiscal_year_text(
    timeline: PolicyTimeline, year_rows: pd.DataFrame, year: int, event_year: int, summary: EventSummary
) -> str:
    """One fiscal year of ICE's statistics: its dates, each listed facility's ADP and the facilities not listed."""
    through = year_rows["data_through"].iloc[0]
    listed = "; ".join(
        f"{short_name(row.facility_id, timeline)} {persons(row.adp_total)}"
        for row in year_rows.sort_values("facility_id").itertuples()
    )
    all_facilities = sorted(timeline.year_end["facility_id"].unique())
    missing = [short_name(f, timeline) for f in all_facilities if f not in set(year_rows["facility_id"])]
    note = f" (not listed: {join_words(missing)})" if missing else ""
    first = pd.Timestamp(year=int(year) - 1, month=10, day=1)
    days = (pd.Timestamp(through) - first).days + 1
    contains = ""
    if year == event_year:
        contains = f" — contains the event: {(summary.date - first).days} of its {days} days are before it"
    return f"FY{year} ({int(year) - 1}-10-01..{through}{contains}): {listed}{note}"


def year_end_finding(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    summary = summary or timeline.summary
    year_end = timeline.year_end
    if year_end.empty:
        return ""
    event_year = summary.date.year + (1 if summary.date.month >= 10 else 0)
    years = sorted(year_end["fiscal_year"].unique())
    if event_year not in years:
        return ""
    parts = [
        _fiscal_year_text(timeline, year_end[year_end["fiscal_year"] == year], year, event_year, summary)
        for year in (event_year - 1, event_year, event_year + 1)
        if year in years
    ]
    return "ICE year-end statistics, average ICE detainees a day in sheriff-run facilities: " + "; ".join(parts) + "."


def agreements_finding(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    summary = summary or timeline.summary
    panel = timeline.panel
    years = sorted(panel["year"].unique())
    event_year = summary.date.year
    shown = [year for year in (event_year - 1, event_year, event_year + 1) if year in years]
    if event_year not in years:
        return ""
    names = county_names()
    parts = []
    for year in shown:
        rows = panel[
            (panel["year"] == year) & panel["agreement_287g_operational"] & (panel["agency_type"] == "sheriff")
        ]
        who = sorted(names.get(fips, fips) for fips in rows["county_fips"].dropna())
        parts.append(f"{year}: {join_words(who) if who else 'no sheriff'}")
    doc = panel[(panel["agency_type"] == "state_doc") & panel["year"].isin(shown)]
    doc_years = sorted(doc.loc[doc["agreement_287g_operational"], "year"].tolist())
    doc_text = (
        " The state DOC's agreement was in force in all of these years (it is not a county)."
        if doc_years == shown
        else " The state DOC's agreement was in force in: "
        + join_words([str(y) for y in doc_years], empty="none")
        + "."
    )
    return (
        f"Sheriffs with an operational 287(g) agreement ({measures.OPERATIONAL_287G_RULE}): "
        + "; ".join(parts)
        + "."
        + doc_text
    )


def declines_finding(timeline: PolicyTimeline, summary: EventSummary | None = None) -> str:
    summary = summary or timeline.summary
    state = timeline.declines_state
    event_year = summary.date.year
    if event_year not in set(state["year"]):
        return ""
    parts = []
    for year in (event_year - 1, event_year, event_year + 1):
        rows = state[state["year"] == year]
        if rows.empty:
            continue
        pooled = rows.iloc[0]
        parts.append(
            f"{year}: {fmt_num(pooled['numerator'])} in {fmt_num(pooled['denominator'])} facility-years "
            f"({fmt_num(pooled['estimate'], 2)}, 95% CI {fmt_num(pooled['ci_low'], 2)}–"
            f"{fmt_num(pooled['ci_high'], 2)})"
        )
    return (
        "Recorded declined detainers at sheriff-run facilities, statewide: "
        + "; ".join(parts)
        + ". Counts this small cannot show a change, and ICE recorded only the declines it learned of."
    )
