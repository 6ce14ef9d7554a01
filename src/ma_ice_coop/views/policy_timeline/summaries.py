"""What the data hold around each key event: the model's window and fit (or why none), and which sources cover it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.analysis.events import (
    KeyEvent,
    event_timestamp,
    last_day_in_ice_records,
    not_a_test_reason,
    timeline_row,
)

WINDOW_MONTHS = 24
"""Months on each side of an event that count as 'around' it (data availability and the ITS window)."""

NEARBY_MONTHS = 3
"""A facility whose last day with ICE detainees is this close to the event had its contract end then."""

SOURCES = (
    ("ICE detention headcount (daily)", "headcount"),
    ("recorded declines per facility-year", "declines"),
    ("287(g) agreement panel (calendar years)", "287g"),
    ("ICE year-end detention statistics (fiscal years)", "year_end"),
    ("detainer outcomes (FY2015 records)", "detainers"),
    ("ICE arrests at jails (pooled)", "arrests"),
)
"""(name shown, kind) of every source whose coverage is compared with an event."""

PERIODS = {
    "declines": measures.NPR_DECLINES,
    "287g": measures.AGREEMENTS_287G,
    "year_end": measures.ICE_YEAR_END_STATS,
    "detainers": measures.FY2015_DETAINERS,
}
"""The coverage period of each dated source kind except the headcount (its own) and the pooled arrests."""


@dataclass
class Headcount:
    """The daily ICE headcount of the sheriff-run facilities, as the event summaries read it."""

    daily: pd.DataFrame  # date x facility code (+ "statewide"), zero-filled
    monthly: pd.DataFrame  # month x the same columns: mean daily headcount
    facilities: pd.DataFrame  # sheriff facilities with ICE detainees: code, names, county, days, first, last
    coverage: measures.Period
    sheriff: pd.DataFrame  # the ice_detention_daily rows of sheriff-run facilities
    complete_from: pd.Timestamp  # first day with a complete headcount
    complete_months: tuple[pd.Timestamp, pd.Timestamp]  # first and last complete month


@dataclass
class EventSummary:
    """What the data hold around one key event."""

    event: KeyEvent
    date: pd.Timestamp
    row: pd.Series
    series_label: str
    its: models.ItsResult
    its_reason: str  # blank when the model was fitted
    not_a_test: str  # why a fitted model is not a test of the event's effect (blank if the event acts on it)
    window: tuple[pd.Timestamp, pd.Timestamp]  # first and last month given to the model
    contract_ended: bool  # the series' facility stopped holding ICE detainees at about the event
    last_day: pd.Timestamp | None  # last day with ICE detainees in the series (facility series only)
    availability: pd.DataFrame  # source, coverage, before, after


def month_start(day: pd.Timestamp) -> pd.Timestamp:
    return day.to_period("M").start_time


def add_months(day: pd.Timestamp, months: int) -> pd.Timestamp:
    return (day.to_period("M") + months).start_time


def series_label(code: str, facilities: pd.DataFrame) -> str:
    """A headcount series in words: 'all sheriff-run facilities' or the facility with its sheriff and ICE code."""
    if code == "statewide":
        return "all sheriff-run facilities"
    row = facilities[facilities["facility_code"] == code]
    if row.empty:
        return code
    name, who = str(row["facility"].iloc[0]), f"{row['county'].iloc[0]} sheriff, ICE code {code}"
    return f"{name[:-1]}; {who})" if name.endswith(")") else f"{name} ({who})"


def event_summary(event: KeyEvent, timeline: pd.DataFrame, headcount: Headcount) -> EventSummary:
    when = event_timestamp(event)
    label = series_label(event.series, headcount.facilities)
    window_start, window_end, window = _model_window(headcount, event.series, when)
    window = window.rename(label)
    last_day = last_day_in_ice_records(event, headcount.sheriff)
    coverage_end = pd.Timestamp(headcount.coverage.end)
    contract_ended = _contract_ended(last_day, when, coverage_end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # never fit a series that is zero by construction after the event (the contract had ended)
        its = models.interrupted_time_series(window.iloc[:0] if contract_ended else window, when)
    reason = ""
    if contract_ended:
        reason = _zero_reason(last_day, coverage_end, label)
        its = replace(its, note=f"not fitted: {reason}")
    elif its.coefficients["estimate"].isna().all():
        reason = _its_reason(its, when, headcount)
    return EventSummary(
        event=event,
        date=when,
        row=timeline_row(event, timeline),
        series_label=label,
        its=its,
        its_reason=reason,
        not_a_test="" if reason else not_a_test_reason(event),
        window=(window_start, window_end),
        contract_ended=contract_ended,
        last_day=last_day,
        availability=_availability(when, headcount),
    )


def _model_window(headcount: Headcount, series: str, when: pd.Timestamp):
    """The first and last month given to the model and the monthly series between them (complete months within
    WINDOW_MONTHS of the event; empty when there are none)."""
    first_complete, last_complete = headcount.complete_months
    monthly = headcount.monthly[series]
    month = month_start(when)
    window_start = max(first_complete, add_months(month, -WINDOW_MONTHS))
    window_end = min(last_complete, add_months(month, WINDOW_MONTHS))
    if window_start <= window_end:
        window = monthly[(monthly.index >= window_start) & (monthly.index <= window_end)]
    else:
        window = monthly.iloc[:0]
    return window_start, window_end, window


def _contract_ended(last_day: pd.Timestamp | None, when: pd.Timestamp, coverage_end: pd.Timestamp) -> bool:
    """The series' facility held its last ICE detainee within NEARBY_MONTHS of the event, before the series ends."""
    return bool(
        last_day is not None
        and last_day < coverage_end
        and abs(last_day - when) <= pd.Timedelta(days=31 * NEARBY_MONTHS)
    )


def _zero_reason(last_day: pd.Timestamp, coverage_end: pd.Timestamp, label: str) -> str:
    return (
        f"the last day with an ICE detainee in {label} in ICE's daily records is {last_day.date()} and the "
        f"facility held none after it through the end of the series ({coverage_end.date()}): after the event the "
        "series is zero by construction (the ICE contract had ended), so a segmented regression would only "
        "describe how those zeros differ from the earlier trend drawn on, not what the event changed; the "
        "observed series is shown instead"
    )


def _its_reason(its: models.ItsResult, when: pd.Timestamp, headcount: Headcount) -> str:
    last_complete = headcount.complete_months[1]
    end = headcount.coverage.end
    need = models.MIN_POINTS_PER_SEGMENT
    if when > last_complete + pd.offsets.MonthEnd(0):
        return (
            f"the daily headcount ends on {end}, before the event (the last complete month is "
            f"{last_complete:%Y-%m}), so there is no 'after' to compare with"
        )
    if its.n_before < need:
        return (
            f"the headcount is complete only from {headcount.complete_from.date()} (earlier days undercount), "
            f"which leaves {its.n_before} complete month{'s' if its.n_before != 1 else ''} before the event; "
            f"at least {need} are needed on each side to separate a trend from a level change"
        )
    return (
        f"only {its.n_after} complete month{'s' if its.n_after != 1 else ''} after the event before the "
        f"daily headcount ends on {end}; at least {need} are needed on each side"
    )


def _coverage(kind: str, headcount: Headcount) -> tuple[date | None, date | None, str]:
    """First and last day a source kind covers (None for the pooled arrests) and its coverage in words."""
    if kind == "headcount":
        coverage, complete_from = headcount.coverage, headcount.complete_from.date()
        return complete_from, coverage.end, f"{coverage.start}..{coverage.end}; complete from {complete_from}"
    if kind == "arrests":
        period = measures.JAIL_ARRESTS
        return None, None, f"{period.start}..{period.end}, one pooled total with no dates"
    period = PERIODS[kind]
    return period.start, period.end, f"{period.start}..{period.end}"


def _overlap(coverage_start, coverage_end, when: pd.Timestamp, months: int = WINDOW_MONTHS) -> tuple[bool, bool]:
    """Does a source cover some of the `months` before the event, and some of the `months` after?"""
    start, end = pd.Timestamp(coverage_start), pd.Timestamp(coverage_end)
    earliest, latest = when - pd.DateOffset(months=months), when + pd.DateOffset(months=months)
    return bool(start < when and end >= earliest), bool(end >= when and start <= latest)


def _availability(when: pd.Timestamp, headcount: Headcount) -> pd.DataFrame:
    rows = []
    for name, kind in SOURCES:
        start, end, text = _coverage(kind, headcount)
        before, after = (False, False) if start is None else _overlap(start, end, when)
        rows.append({"source": name, "kind": kind, "coverage": text, "before": before, "after": after})
    return pd.DataFrame(rows)
