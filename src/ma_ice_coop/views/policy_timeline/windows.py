"""The months and the other timeline events around an event of a computed timeline."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.views.policy_timeline.data import PolicyTimeline
from ma_ice_coop.views.policy_timeline.summaries import EventSummary, add_months, month_start

COMPARE_MONTHS = 12
"""Months on each side of an event for the plain before/after means of the headcount."""


def _mean_months(series: pd.Series, months: pd.DatetimeIndex) -> tuple[float, int, pd.DatetimeIndex]:
    got = series.reindex(months).dropna()
    return (float(got.mean()) if len(got) else float("nan")), len(got), got.index


def before_after(
    timeline: PolicyTimeline,
    summary: EventSummary | None = None,
    months: int = COMPARE_MONTHS,
    *,
    series: str | None = None,
) -> dict:
    """Mean monthly ICE headcount of the event's series (or of `series`) over the `months` complete months
    before and after the event (the month containing a mid-month event is left out)."""
    summary = summary or timeline.summary
    first, last = timeline.complete_months
    values = timeline.monthly[series or summary.event.series]
    values = values[(values.index >= first) & (values.index <= last)]
    month = month_start(summary.date)
    mixed = summary.date != month
    before_months = pd.date_range(end=add_months(month, -1), periods=months, freq="MS")
    after_months = pd.date_range(start=add_months(month, 1) if mixed else month, periods=months, freq="MS")
    before, n_before, before_index = _mean_months(values, before_months)
    after, n_after, after_index = _mean_months(values, after_months)
    return {
        "before": before,
        "n_before": n_before,
        "before_months": before_index,
        "after": after,
        "n_after": n_after,
        "after_months": after_index,
    }


def events_in_window(timeline: PolicyTimeline, summary: EventSummary) -> pd.DataFrame:
    """The other events of the timeline figure inside the model's window (not the event itself or its row)."""
    window_start, window_end = summary.window
    shown = timeline.timeline
    last_day = window_end + pd.offsets.MonthEnd(0)
    own = shown["key"] == summary.event.key
    same_row = (
        (shown["date_text"] == summary.row["date"])
        & (shown["category"] == summary.row["category"])
        & (shown["event"] == summary.row["event"])
    )
    return shown[(shown["date"] >= window_start) & (shown["date"] <= last_day) & ~own & ~same_row]
