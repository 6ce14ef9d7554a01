"""Interrupted time series of the monthly custody share (extended detainer releases) around a dated event.

Input: the `extended_monthly` table (kept detainers per release, month, facility state, sheriff county, outcome),
summed per month by :func:`ma_ice_coop.analysis.extended_measures.monthly_series`. The series is custody /
all detainers lodged that month (unresolved detainers stay in the denominator). The event comes from the
project's key events (``key_events.KEY_EVENTS``, by key: ``"lunn"`` is Lunn v. Commonwealth), never a typed date.

Where the data allow it: only `window_months` months each side of the event are used; months with a detainer
prepared within CENSOR_DAYS of its release's cut-off are left out (right-censoring: their outcomes may not have
been recorded when the data were extracted, so the custody share would read too low); months with fewer than
`min_detainers` detainers are left out (their share is too noisy to weigh as much as any other month). The model
itself is :func:`ma_ice_coop.analysis.its.interrupted_time_series`, with its refusal rule (fewer than 8 observed
months on a side); a refused result says in plain words which months the loaded releases lack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.events import event_timestamp, key_event
from ma_ice_coop.analysis.extended_measures import monthly_series
from ma_ice_coop.analysis.its import MIN_POINTS_PER_SEGMENT, ItsResult, interrupted_time_series
from ma_ice_coop.analysis.key_events import KeyEvent
from ma_ice_coop.analysis.model_checks import join_notes, plural
from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.tables.loaders.extended.windows import CENSOR_DAYS

WINDOW_MONTHS = 36
"""Months used on each side of the event (three years: long enough for a trend, short enough to stay near it)."""

MIN_MONTH_DETAINERS = 10
"""Fewest detainers for a month to enter the model. A share from 10 detainers already has a 95% interval of
22% to 78% at 5 of 10 (Jeffreys); from fewer it says almost nothing, yet the unweighted regression would give it
the weight of a month of hundreds."""

NEAR_CUTOFF = "near a release's cut-off"
FEW_DETAINERS = "too few detainers"
MONTHLY_COLUMNS = ("kept", "month", "facility_state", "sheriff_county_fips", "outcome", "near_cutoff", "detainers")


@dataclass(frozen=True)
class EventIts:
    """An interrupted time series of the monthly custody share around one event.

    series: the months of the window with any loaded detainer: month, detainers, custody, custody_share,
    near_cutoff, left_out ('' when used, else NEAR_CUTOFF or FEW_DETAINERS). `reason` is '' when fitted, else why
    not (plain words); `summary` is one sentence no stronger than the data; `note` the model's details.
    """

    event: KeyEvent
    event_date: pd.Timestamp
    geography: str
    its: ItsResult
    series: pd.DataFrame
    window: tuple[pd.Timestamp, pd.Timestamp]
    excluded_near_cutoff: int
    excluded_few_detainers: int
    min_detainers: int
    reason: str
    summary: str
    note: str

    @property
    def refused(self) -> bool:
        return bool(self.reason)

    @property
    def coefficients(self) -> pd.DataFrame:
        return self.its.coefficients

    @property
    def fitted(self) -> pd.DataFrame:
        return self.its.fitted

    @property
    def level_change(self) -> pd.Series:
        """The coefficient row of the level change at the event (estimate, ci_low, ci_high in share units)."""
        return self.its.coefficients.iloc[2]


def key_event_frame(keys) -> pd.DataFrame:
    """Key events as the frame the figures take: key, date (timestamp, first day at its precision), date_text
    (ISO at its precision), label, category. Source: key_events.KEY_EVENTS (rows of policy_timeline.csv)."""
    events = [key_event(k) for k in keys]
    return pd.DataFrame(
        {
            "key": [e.key for e in events],
            "date": pd.to_datetime([event_timestamp(e) for e in events]),
            "date_text": [e.date for e in events],
            "label": [e.label for e in events],
            "category": [e.category for e in events],
        }
    )


def lunn_its(
    monthly: pd.DataFrame,
    *,
    state: str | None = "MASSACHUSETTS",
    county_fips: str | None = None,
    event_id: str = "lunn",
    **options,
) -> EventIts:
    """Interrupted time series of the monthly custody share around Lunn v. Commonwealth (see :func:`event_its`)."""
    return event_its(monthly, event_id, state=state, county_fips=county_fips, **options)


def event_its(
    monthly: pd.DataFrame,
    event: str | KeyEvent,
    *,
    state: str | None = "MASSACHUSETTS",
    county_fips: str | None = None,
    window_months: int = WINDOW_MONTHS,
    min_detainers: int = MIN_MONTH_DETAINERS,
    drop_near_cutoff: bool = True,
    windows: pd.DataFrame | None = None,
    hac_lags: int = 3,
) -> EventIts:
    """Segmented regression of custody / detainers per month around `event` (a key of KEY_EVENTS or a KeyEvent).

    `monthly` is the extended_monthly table; `state` (upper-case full name, None for the country) and
    `county_fips` pick the geography; `windows` (extended_windows: release_id, start, end, cutoff), when given,
    lets a refusal name the next release and end the covered months at the release's last day."""
    _check_monthly(monthly)
    if window_months < 1 or min_detainers < 0:
        raise ParameterError(
            f"window_months must be at least 1 and min_detainers at least 0 (got {window_months}, {min_detainers})"
        )
    ev = event if isinstance(event, KeyEvent) else key_event(event)
    date = event_timestamp(ev)
    full = monthly_series(monthly, state=state, county_fips=county_fips)
    lo, hi = _window(date, window_months)
    series = full[(full["month"] >= lo) & (full["month"] <= hi)].reset_index(drop=True)
    left_out = pd.Series("", index=series.index, dtype=object)
    left_out[series["detainers"] < min_detainers] = FEW_DETAINERS
    if drop_near_cutoff:
        left_out[series["near_cutoff"]] = NEAR_CUTOFF
    series["left_out"] = left_out
    used = series[series["left_out"] == ""]
    values = pd.Series(used["custody_share"].to_numpy(float), index=pd.DatetimeIndex(used["month"]), name="custody")
    its = interrupted_time_series(values, date, hac_lags=hac_lags)
    geography = _geography(state, county_fips)
    counts = (int((left_out == NEAR_CUTOFF).sum()), int((left_out == FEW_DETAINERS).sum()))
    refused = its.n_before < MIN_POINTS_PER_SEGMENT or its.n_after < MIN_POINTS_PER_SEGMENT
    context = _Context(ev, date, series, full, (lo, hi), window_months, windows)
    reason = _refusal_reason(context, its) if refused else ""
    summary = _summary(context, its, geography, reason)
    note = join_notes([_exclusion_note(counts, window_months, min_detainers), its.note])
    return EventIts(ev, date, geography, its, series, (lo, hi), *counts, min_detainers, reason, summary, note)


def _check_monthly(monthly: pd.DataFrame) -> None:
    missing = [c for c in MONTHLY_COLUMNS if c not in getattr(monthly, "columns", [])]
    if missing:
        raise SchemaError(
            f"event_its: the monthly table lacks column(s) {missing}; pass the extended_monthly table "
            "(release_id, kept, month, facility_state, sheriff_county_fips, outcome, ..., near_cutoff, detainers)"
        )


def _first_after(date: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The event's month start and the first month starting on or after the event."""
    event_month = date.to_period("M").to_timestamp()
    return event_month, event_month if date == event_month else event_month + pd.DateOffset(months=1)


def _window(date: pd.Timestamp, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month start of the window: `months` whole months before the event's month and `months`
    from the first month starting on or after the event."""
    event_month, first_after = _first_after(date)
    return event_month - pd.DateOffset(months=months), first_after + pd.DateOffset(months=months - 1)


def _geography(state: str | None, county_fips: str | None) -> str:
    if county_fips:
        return f"county {county_fips}" + (f" ({state.title()})" if state else "")
    return state.title() if state else "all US"


@dataclass(frozen=True)
class _Context:
    event: KeyEvent
    date: pd.Timestamp
    series: pd.DataFrame  # the window's months
    full: pd.DataFrame  # every loaded month of the geography
    window: tuple[pd.Timestamp, pd.Timestamp]
    window_months: int
    windows: pd.DataFrame | None


def _covered_to(month: pd.Timestamp, windows: pd.DataFrame | None) -> pd.Timestamp:
    """The last day covered in `month`: the month's end, or the end of the release window that ends inside it."""
    end = month + pd.offsets.MonthEnd(0)
    if windows is not None and len(windows):
        ends = pd.to_datetime(windows["end"])
        inside = ends[(ends >= month) & (ends < end)]
        if len(inside):
            return pd.Timestamp(inside.max())
    return end


def _covered_from(month: pd.Timestamp, windows: pd.DataFrame | None) -> pd.Timestamp:
    if windows is not None and len(windows):
        starts = pd.to_datetime(windows["start"])
        inside = starts[(starts > month) & (starts <= month + pd.offsets.MonthEnd(0))]
        if len(inside):
            return pd.Timestamp(inside.min())
    return month


def _release_named(windows: pd.DataFrame | None, month: pd.Timestamp, *, after: bool) -> str:
    """' (release_id)' of the release window that starts (after) or ends (before) in `month`, if known."""
    if windows is None or not len(windows):
        return ""
    column = "start" if after else "end"
    days = pd.to_datetime(windows[column])
    rows = windows[(days >= month) & (days <= month + pd.offsets.MonthEnd(0))]
    return f" ({rows['release_id'].iloc[0]})" if len(rows) and "release_id" in rows else ""


def _side_span(ctx: _Context, side: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month start of the window on one side of the event (the event's own month is neither)."""
    event_month, first_after = _first_after(ctx.date)
    lo, hi = ctx.window
    return (first_after, hi) if side == "after" else (lo, event_month - pd.DateOffset(months=1))


def _uncovered_text(ctx: _Context, side: str, loaded: pd.Series) -> str:
    """The runs of months of the side that no loaded release covers, and the nearest loaded month beyond."""
    first, last = _side_span(ctx, side)
    grid = pd.date_range(first, last, freq="MS")
    empty = grid[~grid.isin(loaded)]
    if not len(empty):
        return ""
    breaks = np.flatnonzero(np.diff(empty.year * 12 + empty.month) > 1)
    starts, ends = empty[np.r_[0, breaks + 1]], empty[np.r_[breaks, len(empty) - 1]]
    runs = [f"{a:%Y-%m}" if a == b else f"{a:%Y-%m} to {b:%Y-%m}" for a, b in zip(starts, ends, strict=True)]
    beyond = ""
    if side == "after" and ends[-1] == last:
        later = ctx.full.loc[ctx.full["month"] > last, "month"]
        if len(later):
            beyond = f"the next starts {later.min():%Y-%m}{_release_named(ctx.windows, later.min(), after=True)}"
        else:
            runs[-1] = "later months"
    elif side == "before" and starts[0] == first:
        earlier = ctx.full.loc[ctx.full["month"] < first, "month"]
        if len(earlier):
            prev = earlier.max()
            beyond = f"the release before ends {prev:%Y-%m}{_release_named(ctx.windows, prev, after=False)}"
        else:
            runs[0] = "earlier months"
    return f"; no loaded release covers {' and '.join(runs)}" + (f", and {beyond}" if beyond else "")


def _side_text(ctx: _Context, side: str, usable: int) -> str:
    """Why one side of the event has too few usable months: the loaded months, those left out, the gaps."""
    first, last = _side_span(ctx, side)
    months = ctx.series[(ctx.series["month"] >= first) & (ctx.series["month"] <= last)]
    n = len(months)
    count = "only " + plural(n, "month") if n else "no months"
    text = f"the loaded releases have {count}"
    text += f" {side} {ctx.event.label} within {ctx.window_months} months"
    if n:
        start = _covered_from(months["month"].min(), ctx.windows).date()
        text += f" ({start} to {_covered_to(months['month'].max(), ctx.windows).date()})"
    near = int((months["left_out"] == NEAR_CUTOFF).sum())
    few = int((months["left_out"] == FEW_DETAINERS).sum())
    if near or few:
        parts = [f"{near} near a release's cut-off"] if near else []
        parts += [f"{few} with too few detainers"] if few else []
        text += f", of which {' and '.join(parts)} are left out, leaving {usable} usable"
    return text + _uncovered_text(ctx, side, months["month"])


def _refusal_reason(ctx: _Context, its: ItsResult) -> str:
    """Plain words: which side lacks usable months, what the loaded releases have there, and the rule."""
    if ctx.full.empty:
        return "the loaded releases have no detainers for this geography"
    sides = [(s, n) for s, n in (("before", its.n_before), ("after", its.n_after)) if n < MIN_POINTS_PER_SEGMENT]
    texts = [_side_text(ctx, side, n) for side, n in sides]
    return (
        "; and ".join(texts)
        + f". At least {MIN_POINTS_PER_SEGMENT} usable months on each side are needed to separate a trend "
        "from a level change"
    )


def _pp(value: float) -> str:
    """A share difference in percentage points, signed, one decimal (the minus sign as U+2212)."""
    return f"{value * 100:+.1f}".replace("-", "\u2212")


def _summary(ctx: _Context, its: ItsResult, geography: str, reason: str) -> str:
    """One sentence: the level change with its interval, or why no model was fitted."""
    what = f"the monthly custody share of {geography} detainers around {ctx.event.label} ({ctx.date.date()})"
    if reason:
        return f"No interrupted time series of {what}: {reason}."
    level = its.coefficients.iloc[2]
    low, high = float(level["ci_low"]), float(level["ci_high"])
    verdict = (
        "the interval includes no change"
        if low <= 0 <= high
        else "the interval excludes no change, but the design cannot separate the event from anything else "
        "that changed at the same time"
    )
    return (
        f"Against the earlier trend continued, {what} changed in level by {_pp(float(level['estimate']))} "
        f"percentage points (95% interval {_pp(low)} to {_pp(high)}; {its.n_before} months before, "
        f"{its.n_after} after): {verdict}."
    )


def _exclusion_note(counts: tuple[int, int], window_months: int, min_detainers: int) -> str:
    near, few = counts
    return (
        f"Custody share = detainers ending in ICE custody / all detainers lodged in the month (unresolved ones "
        f"included). Window: {window_months} months each side of the event. Left out: "
        f"{plural(near, 'month')} with detainers prepared within {CENSOR_DAYS} days of their release's cut-off "
        "(their outcomes may not have been recorded yet, so the share would read too low) and "
        f"{plural(few, 'month')} with fewer than {min_detainers} detainers (too few for a share)."
    )
