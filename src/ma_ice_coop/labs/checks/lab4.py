"""Checks for Lab 4, "Did the event change anything?" (notebooks/labs/lab4_events.ipynb).

The expected values come from the processed ICE detention headcount (``ice_detention_daily``) through the
project's tested functions: the segmented regression is ``analysis.its.interrupted_time_series`` (OLS with
Newey-West errors) of the monthly mean daily headcount of the event's series (all sheriff-run facilities or one
facility), complete months within WINDOW_MONTHS of the event's month; the last day with an ICE detainee is
``analysis.events.last_day_in_ice_records``. Nothing here reads the lab's own cells.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import contract_end_rows, event_timestamp, key_event, last_day_in_ice_records
from ma_ice_coop.analysis.its import MIN_POINTS_PER_SEGMENT, ItsResult, interrupted_time_series
from ma_ice_coop.io import read_processed
from ma_ice_coop.labs.checking import CannotCheck, Example, NotYet, choice, count, exercise, known_mistake

WINDOW_MONTHS = 24
"""Months on each side of the event's month given to the model (as in the policy-timeline report)."""

LEVEL, SLOPE = 2, 3  # rows of ItsResult.coefficients: the level change and the slope change


@functools.lru_cache(maxsize=1)
def _daily() -> pd.DataFrame:
    return read_processed("ice_detention_daily")


@functools.lru_cache(maxsize=1)
def monthly_headcount() -> pd.DataFrame:
    """Month start x ICE facility code (+ "statewide"): mean daily ICE headcount (persons) at sheriff-run
    facilities, a day absent from ``ice_detention_daily`` counting as zero; only the calendar months whose every
    day is in the complete records (measures.DETENTION_COMPLETE, from 2011-10-01 to the end of the table)."""
    daily = _daily()
    sheriff = daily[daily["operator_type"] == "sheriff"]
    period = measures.DETENTION_COMPLETE
    days = pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="D")
    wide = sheriff.groupby(["date", "facility_code"])["headcount"].sum().unstack().reindex(days).fillna(0.0)
    wide["statewide"] = wide.sum(axis=1)
    size = wide.resample("MS").size()
    full = size.to_numpy() == size.index.days_in_month.to_numpy()
    return wide.resample("MS").mean()[full]


@functools.lru_cache(maxsize=None)
def its_around(key: str, exclude_event_period: bool = True) -> ItsResult:
    """The project's segmented regression of the event's monthly series (monthly_headcount) on the complete
    months within WINDOW_MONTHS of the event's month (ICE detainees per day; trend terms per month)."""
    event = key_event(key)
    when = event_timestamp(event)
    series = monthly_headcount()[event.series]
    month = when.to_period("M")
    inside = (series.index >= (month - WINDOW_MONTHS).start_time) & (series.index <= (month + WINDOW_MONTHS).start_time)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the model's own note reports statsmodels' warnings
        return interrupted_time_series(series[inside], when, exclude_event_period=exclude_event_period)


def expected_1(event: str) -> tuple[int, int]:
    """Complete months in the window before the event and after it (the event's own month, if mixed, in neither)."""
    result = its_around(event)
    return result.n_before, result.n_after


def expected_2(event: str) -> float:
    """The level change at the event (ICE detainees per day, against the pre-event trend continued); NaN when
    the model is refused (fewer than MIN_POINTS_PER_SEGMENT months on a side)."""
    return float(its_around(event).coefficients["estimate"].iloc[LEVEL])


def expected_3(contract_end: str) -> pd.Timestamp:
    """The last day with at least one ICE detainee at the contract's facility in ICE's daily records."""
    return last_day_in_ice_records(key_event(contract_end), _daily())


def expected_4(contract_end: str) -> float:
    """The p-value of the level change at the contract end (HAC errors with small-sample correction, t test)."""
    return float(its_around(contract_end).coefficients["p_value"].iloc[LEVEL])


MONTHS_HINT = (
    f"The window runs from {WINDOW_MONTHS} months before the first day of the event's month to {WINDOW_MONTHS} "
    "months after it, both ends included, and holds only complete months."
)


@exercise("4.1", right="That is the window the project's reports give the model.")
def exercise_1(event, n_before, n_after):
    want_before, want_after = expected_1(event)
    for name, value in (("n_before", n_before), ("n_after", n_after)):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 4 * WINDOW_MONTHS:
            raise NotYet(f"{name} is {value:g}: that looks like a count of days. Count the months of `series`.")
    mixed = its_around(event).fitted["segment"].eq("event period (excluded)").any()
    if mixed and (n_before, n_after) in ((want_before + 1, want_after), (want_before, want_after + 1)):
        raise NotYet(
            "you counted the event's own month. The event falls after that month's first day, so the month mixes "
            "days before and after the event: it belongs in neither count."
        )
    if want_before != want_after and (n_before, n_after) == (want_after, want_before):
        raise NotYet("your two counts are swapped: n_before counts the months before the event.")
    count(n_before, want_before, what="n_before", hint=MONTHS_HINT)
    count(n_after, want_after, what="n_after", hint=MONTHS_HINT)


REFUSED = (
    f"for this event the window has fewer than {MIN_POINTS_PER_SEGMENT} complete months on one side, too few to tell "
    "a trend from a jump: the project's reports refuse this model, and so does this check. Try another event."
)


def _close(value: float, target: float, rel: float = 1e-3) -> bool:
    return math.isfinite(target) and math.isclose(value, target, rel_tol=rel, abs_tol=0.0)


def _level_slips(event: str) -> dict[str, float]:
    """What a student who slipped would report as the level change (ICE detainees per day, or a p-value)."""
    result = its_around(event)
    coef, fitted = result.coefficients, result.fitted
    observed = {side: fitted.loc[fitted["segment"] == side, "observed"].mean() for side in ("before", "after")}
    return {
        "slope": float(coef["estimate"].iloc[SLOPE]),
        "p_value": float(coef["p_value"].iloc[LEVEL]),
        "means": float(observed["after"] - observed["before"]),
        "event_month": float(its_around(event, exclude_event_period=False).coefficients["estimate"].iloc[LEVEL]),
    }


_LEVEL_SLIPS = {
    "slope": "that is the slope change (the coefficient of t_after); the level change is the coefficient of `after`.",
    "p_value": "that is the p-value of the level change; the exercise asks for its estimate (fit.params).",
    "means": "that is the mean after minus the mean before. The level change is measured against the pre-event "
    "trend continued: take the coefficient of `after` from the fitted model.",
    "event_month": "you fitted the model with the event's own month in it; use `frame` (it leaves that month out).",
}


@exercise("4.2", right="That is the level change the project's interrupted_time_series estimates.")
def exercise_2(event, level_change):
    want = expected_2(event)
    if not math.isfinite(want):
        raise CannotCheck(REFUSED)
    value = _as_real(level_change, "level_change")
    if _close(value, want):
        return
    known_mistake(
        value, [(_LEVEL_SLIPS[slip], target) for slip, target in _level_slips(event).items()], want, abs_tol=0
    )
    side = "too high" if value > want else "too low"
    raise NotYet(f"level_change is {value:.4g}, which is {side}. Fit FORMULA on `frame`; take `after`'s coefficient.")


def _as_real(answer, what: str) -> float:
    if isinstance(answer, pd.Series | pd.DataFrame):
        raise NotYet(f"{what} should be one number, not a pandas object; take one value out of it (e.g. [...]).")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
        raise NotYet(f"{what} should be one finite number; you gave {answer!r}.")
    return float(answer)


def _as_day(answer, what: str) -> pd.Timestamp:
    if isinstance(answer, pd.Series | pd.DataFrame | pd.Index):
        raise NotYet(f"{what} should be one date, not a pandas object holding dates; take its .max().")
    try:
        day = pd.Timestamp(answer)
    except (TypeError, ValueError) as error:
        raise NotYet(f"{what} should be a date (a pandas Timestamp); {answer!r} is not one ({error}).") from error
    if pd.isna(day):
        raise NotYet(f"{what} is NaT, no date: your filter kept no row. Check the facility code and headcount > 0.")
    return day


@exercise("4.3", right="That is the last day with an ICE detainee in ICE's own daily records.")
def exercise_3(contract_end, last_day):
    want = expected_3(contract_end)
    day = _as_day(last_day, "last_day")
    if day.normalize() == want:
        return
    event = key_event(contract_end)
    if day.normalize() == event_timestamp(event):
        raise NotYet("that is the date of the event's timeline row (an announcement or decision), not ICE's records.")
    expected_ends = contract_end_rows(event)["date"].map(lambda d: pd.Timestamp(d).to_period("M"))
    if day.to_period("M") in set(expected_ends):
        raise NotYet("that is when the sources expected the end; find the last day in ICE's daily records instead.")
    if day.normalize() == pd.Timestamp(_daily()["date"].max()):
        raise NotYet("that is the last day of the whole table: keep only this facility's rows with headcount > 0.")
    if day == day.to_period("M").start_time and day.to_period("M") == want.to_period("M"):
        raise NotYet("that is the first day of a month: a monthly series cannot say which day. Use the daily table.")
    side = "too late" if day > want else "too early"
    raise NotYet(f"last_day is {day.date()}, which is {side}. Use the daily table, this facility's rows only.")


@functools.lru_cache(maxsize=None)
def _p_variants(key: str) -> dict[str, float]:
    """The level change's p-value under the usual slips: no small-sample correction, normal instead of t, plain
    OLS errors; and the slope change's p-value."""
    # statsmodels is imported here: it is slow to import and only this check's wrong-answer diagnosis needs it.
    import statsmodels.api as sm

    result = its_around(key)
    fitted = result.fitted  # date, segment (before / after / event period (excluded) / missing), observed
    t, after = np.arange(len(fitted), dtype=float), (fitted["date"] >= result.first_after).to_numpy(dtype=float)
    design = np.column_stack([np.ones_like(t), t, after, np.where(after == 1, t - t[after == 1].min(), 0.0)])
    use = fitted["segment"].isin(["before", "after"]).to_numpy()
    design, y = design[use], fitted["observed"].to_numpy(dtype=float)[use]

    def p(correction: bool, use_t: bool, robust: bool = True) -> float:
        hac = {"cov_type": "HAC", "cov_kwds": {"maxlags": result.hac_lags, "use_correction": correction}}
        fit = sm.OLS(y, design).fit(**hac, use_t=use_t) if robust else sm.OLS(y, design).fit()
        return float(fit.pvalues[LEVEL])

    return {
        "normal": p(True, False),
        "no_correction": p(False, True),
        "neither": p(False, False),
        "plain": p(False, False, robust=False),
        "slope": float(result.coefficients["p_value"].iloc[SLOPE]),
    }


_P_SLIPS = {
    "slope": "that is the p-value of the slope change (t_after); the exercise asks for the level change (`after`).",
    "normal": "you used the normal distribution: fit with **HAC, which includes use_t=True (t tests).",
    "no_correction": 'you left out the small-sample correction: fit with **HAC ("use_correction": True).',
    "neither": "you fitted HAC errors without the small-sample correction and with normal tests: fit with **HAC.",
    "plain": "you used ordinary OLS errors; the months are autocorrelated, so fit with the HAC errors (**HAC).",
}


@exercise("4.4", right="That is the p-value the project's interrupted_time_series gives for the level change.")
def exercise_4(contract_end, p_level_end):
    want = expected_4(contract_end)
    value = _as_real(p_level_end, "p_level_end")
    if _close(value, want):
        return
    if value == 0:
        raise NotYet("a p-value is never exactly 0: you rounded it. Take it unrounded from the fit's .pvalues.")
    if not 0 < value <= 1:
        raise NotYet(f"a p-value lies between 0 and 1; {value:.4g} looks like an estimate. Use the fit's .pvalues.")
    known_mistake(value, [(_P_SLIPS[slip], p) for slip, p in _p_variants(contract_end).items()], want, abs_tol=0)
    side = "too high" if value > want else "too low"
    raise NotYet(f"p_level_end is {value:.3g}, which is {side}. Use its_frame(monthly[code], end_when).")


OPTIONS_5 = {
    "a": "No: the number is computed correctly. A tiny p-value only says the zeros after the event are far from "
    "the old trend continued; the question is what that could be evidence of.",
    "b": None,
    "c": "No: more lags change the standard error, not what the level change measures. The zeros after the end "
    "would still be zeros by construction, whatever the p-value.",
    "d": "No: the Lunn model is not a test either. Lunn concerns holding people on civil ICE detainers, and the "
    "headcount counts people ICE held under bed contracts, which the ruling did not act on.",
}


@exercise("4.5", right="The model restates that the contract ended; it tests nothing.")
def exercise_5(answer):
    choice(answer, OPTIONS_5, what="answer")


def examples() -> list[Example]:
    """Right and plausible wrong answers for every exercise, at the lab's default parameters."""
    event, end = "lunn", "suffolk_contract_end"
    before, after = expected_1(event)
    slips, last = _level_slips(event), expected_3(end)
    return [
        Example("4.1", (event, before, after), True),
        Example("4.1", (event, before + 1, after), False, "own month"),
        Example("4.1", (event, before - 1, after), False, "too few"),
        Example("4.1", (event, 30 * before, 30 * after), False, "days"),
        Example("4.2", (event, expected_2(event)), True),
        Example("4.2", (event, slips["slope"]), False, "slope"),
        Example("4.2", (event, slips["means"]), False, "trend continued"),
        Example("4.2", (event, expected_2(end)), False, "too low"),
        Example("4.3", (end, last), True),
        Example("4.3", (end, str(last.date())), True),
        Example("4.3", (end, event_timestamp(key_event(end))), False, "announcement"),
        Example("4.3", (end, pd.Timestamp(_daily()["date"].max())), False, "whole table"),
        Example("4.3", (end, last.to_period("M").start_time), False, "first day of a month"),
        Example("4.4", (end, expected_4(end)), True),
        Example("4.4", (end, 0.0), False, "rounded"),
        Example("4.4", (end, expected_2(end)), False, "between 0 and 1"),
        Example("4.4", (end, _p_variants(end)["neither"]), False, "small-sample"),
        Example("4.4", (end, _p_variants(end)["slope"]), False, "slope"),
        Example("4.5", ("b",), True),
        Example("4.5", ("a",), False, "computed correctly"),
        Example("4.5", ("d",), False, "bed contracts"),
    ]
