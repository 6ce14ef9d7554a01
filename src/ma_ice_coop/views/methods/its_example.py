"""The interrupted-time-series example: the monthly mean daily ICE headcount of all sheriff-run facilities
(``ice_detention_daily``, complete records only) within WINDOW_MONTHS of Lunn v. Commonwealth, fitted with
``models.interrupted_time_series``. The headcount counts people ICE held under bed contracts, which Lunn did not
act on, so the fit describes the series around the date; it is not a test of the ruling's effect."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp, not_a_test_reason, timeline_row
from ma_ice_coop.io import read_processed

EVENT_KEY = "lunn"
"""The key event of the worked example (analysis.key_events.KEY_EVENTS)."""

WINDOW_MONTHS = 24
"""Months on each side of the event given to the model (as in the policy-timeline report)."""

SERIES_LABEL = "all sheriff-run facilities"
SOURCE = "UWCHR ice-detain daily headcounts (ICE ERO LESA FOIA 2022-ICFO-09022), sheriff-run facilities"


@dataclass
class ItsExample:
    event_label: str
    event_date: pd.Timestamp
    row: pd.Series  # the event's policy-timeline row (date, wording, source_url)
    window: tuple[pd.Timestamp, pd.Timestamp]  # first and last month given to the model
    result: models.ItsResult
    not_a_test: str  # why the fit is descriptive (analysis.events.not_a_test_reason)


def sheriff_monthly_headcount(daily: pd.DataFrame | None = None) -> pd.Series:
    """Monthly mean of the daily ICE headcount (persons) summed over sheriff-run facilities; days absent from the
    table count as zero, over the table's whole coverage (measures.ICE_DETENTION_DAILY)."""
    daily = read_processed("ice_detention_daily") if daily is None else daily
    sheriff = daily[daily["operator_type"] == "sheriff"]
    coverage = measures.ICE_DETENTION_DAILY
    days = pd.date_range(pd.Timestamp(coverage.start), pd.Timestamp(coverage.end), freq="D")
    per_day = sheriff.groupby("date")["headcount"].sum().reindex(days).fillna(0.0).astype("float64")
    return per_day.resample("MS").mean().rename("ICE detainees per day (monthly mean)")


def complete_months() -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last calendar month whose every day is in the complete records (measures.DETENTION_COMPLETE)."""
    start, end = pd.Timestamp(measures.DETENTION_COMPLETE.start), pd.Timestamp(measures.DETENTION_COMPLETE.end)
    first = start.to_period("M").start_time
    if first < start:
        first = (start.to_period("M") + 1).start_time
    last = end.to_period("M").start_time if end.is_month_end else (end.to_period("M") - 1).start_time
    return first, last


def its_example(monthly: pd.Series | None = None) -> ItsExample:
    """The segmented regression around the key event on the complete months within WINDOW_MONTHS of it."""
    event = KEY_EVENTS[EVENT_KEY]
    when = event_timestamp(event)
    monthly = sheriff_monthly_headcount() if monthly is None else monthly
    first, last = complete_months()
    month = when.to_period("M")
    start = max(first, (month - WINDOW_MONTHS).start_time)
    end = min(last, (month + WINDOW_MONTHS).start_time)
    window = monthly[(monthly.index >= start) & (monthly.index <= end)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' warnings are in the result's note
        result = models.interrupted_time_series(window, when)
    return ItsExample(event.label, when, timeline_row(event), (start, end), result, not_a_test_reason(event))


def coefficient(example: ItsExample, position: int) -> pd.Series:
    """One row of the model's coefficient table (0 intercept, 1 trend, 2 level change, 3 slope change)."""
    return example.result.coefficients.iloc[position]
