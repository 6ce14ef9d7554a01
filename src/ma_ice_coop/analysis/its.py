"""Interrupted time series: segmented regression of a regular series around one event (OLS, HAC errors)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.model_checks import as_float, join_notes, nan_coefficients, plural, warning_texts

MIN_POINTS_PER_SEGMENT = 8
"""Interrupted time series: fewest observed points on each side of the event."""


@dataclass(frozen=True)
class ItsResult:
    """Segmented regression around one event.

    coefficients: term, estimate, std_error, ci_low, ci_high, p_value (OLS, HAC/Newey-West SEs,
    t-based 95% intervals). fitted: date, segment (before / after / event period (excluded) /
    missing), observed, fitted, counterfactual (the pre-event line continued; equals fitted before).
    """

    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    n_before: int
    n_after: int
    note: str
    event_date: pd.Timestamp | None = None
    first_after: pd.Timestamp | None = None
    hac_lags: int = 3


_ITS_COLUMNS = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]
_UNITS = {
    "MS": "month",
    "ME": "month",
    "M": "month",
    "BMS": "month",
    "BME": "month",
    "QS": "quarter",
    "QE": "quarter",
    "Q": "quarter",
    "YS": "year",
    "YE": "year",
    "Y": "year",
    "AS": "year",
    "A": "year",
    "W": "week",
    "D": "day",
    "B": "business day",
    "h": "hour",
    "H": "hour",
}


def _period_unit(freq: str) -> str:
    offset = pd.tseries.frequencies.to_offset(freq)
    base = offset.rule_code.split("-")[0]
    unit = _UNITS.get(base, "period")
    return unit if offset.n == 1 else f"{offset.n} {unit}s"


@dataclass(frozen=True)
class _Segments:
    """The series on its regular grid, split around the event."""

    grid: pd.DatetimeIndex
    observed: np.ndarray  # values on the grid (NaN where missing)
    after: np.ndarray  # from the first period starting on or after the event
    excluded: np.ndarray  # the period containing the event, when left out
    missing: np.ndarray  # no value (and not excluded)
    segment: np.ndarray  # before / after / event period (excluded) / missing
    first_after: pd.Timestamp | None
    t_event: float  # index of the first "after" period (NaN if none)

    @property
    def use(self) -> np.ndarray:
        return ~self.excluded & ~self.missing


def interrupted_time_series(
    series: pd.Series,
    event_date,
    *,
    freq: str = "MS",
    hac_lags: int = 3,
    exclude_event_period: bool = True,
    min_points: int = MIN_POINTS_PER_SEGMENT,
) -> ItsResult:
    """Segmented regression of a regular time series on time, a level change and a slope change.

    ``series`` has a DatetimeIndex on the ``freq`` grid (e.g. month starts for ``"MS"``; aggregate
    daily data first, e.g. ``daily.resample("MS").mean()``). The model is

        y_t = b0 + b1 * t + b2 * after_t + b3 * (t - t_event) * after_t + e_t

    with t counted in periods from the first date, ``after_t`` = 1 from the first period starting on
    or after ``event_date``, fitted by OLS with Newey-West (HAC, ``hac_lags`` lags, small-sample
    correction) standard errors and t-based intervals. b2 is the jump at the event relative to the
    pre-event trend continued; b3 the change of slope. When the event falls inside a period (e.g.
    Lunn on 2017-07-24 in a monthly series), that mixed period is left out by default
    (``exclude_event_period``; otherwise it counts as before). Missing values are dropped and
    counted in the note. With fewer than ``min_points`` (8) observed points on either side the
    model is refused: NaN coefficients and a note saying why.
    """
    if not isinstance(series, pd.Series):
        raise ValueError("interrupted_time_series: series must be a pandas Series with a DatetimeIndex")
    hac_lags = _check_hac_lags(hac_lags)
    values = _dated_values(series)
    unit = _period_unit(freq)
    event = pd.Timestamp(event_date)
    terms = ["intercept", f"time (per {unit})", "level change at event", f"slope change after event (per {unit})"]
    parts = _segments(values, _regular_grid(values, freq), event, freq, exclude_event_period)
    use = parts.use
    n_before = int((use & ~parts.after).sum())
    n_after = int((use & parts.after).sum())
    design = _its_design(parts)
    fitted = _fitted_frame(parts)
    notes = _gap_notes(parts, unit)
    header = f"Segmented regression around {event.date()}: {n_before} {unit}s before, {n_after} after" + (
        f" (from {parts.first_after.date()})." if parts.first_after is not None else "."
    )
    if n_before < min_points or n_after < min_points:
        side = " and ".join(s for s, k in (("before", n_before), ("after", n_after)) if k < min_points)
        reason = (
            f"too few observed points {side} the event (at least {min_points} on each side are "
            "needed to separate a trend from a level change)."
        )
        note = join_notes([header, f"Not fitted: {reason}", *notes])
        coef = nan_coefficients(terms, _ITS_COLUMNS)
        return ItsResult(coef, fitted, n_before, n_after, note, event, parts.first_after, hac_lags)
    fit, caught = _fit_ols_hac(parts.observed[use], design[use], hac_lags)
    params = np.asarray(fit.params, dtype=float)
    fitted.loc[~parts.excluded, "fitted"] = (design @ params)[~parts.excluded]
    fitted.loc[~parts.excluded, "counterfactual"] = (design[:, :2] @ params[:2])[~parts.excluded]
    note = join_notes([header, *_fit_notes(fit, hac_lags), *notes, *_warned(caught)])
    coef = _its_coefficients(fit, terms)
    return ItsResult(coef, fitted, n_before, n_after, note, event, parts.first_after, hac_lags)


def _fitted_frame(parts: _Segments) -> pd.DataFrame:
    """date, segment, observed, and fitted / counterfactual (NaN until a fit fills them)."""
    return pd.DataFrame(
        {
            "date": parts.grid,
            "segment": parts.segment,
            "observed": parts.observed,
            "fitted": np.nan,
            "counterfactual": np.nan,
        }
    )


def _fit_notes(fit, hac_lags: int) -> list[str]:
    return [
        f"OLS with Newey-West (HAC, {hac_lags} lags) standard errors; 95% intervals use the t distribution "
        f"with {fit.df_resid:g} degrees of freedom; in short autocorrelated series HAC intervals are "
        "usually too narrow, so read them as optimistic.",
        "The level change is measured against the pre-event trend continued, and assumes that trend would "
        "have gone on; other changes at the same time are not separated from the event.",
    ]


def _warned(caught) -> list[str]:
    return [f"statsmodels warned: {w}" for w in warning_texts(caught)]


def _check_hac_lags(hac_lags) -> int:
    if hac_lags < 0 or int(hac_lags) != hac_lags:
        raise ValueError(f"hac_lags must be a non-negative integer, got {hac_lags}")
    return int(hac_lags)


def _dated_values(series: pd.Series) -> pd.Series:
    """The series as floats on a sorted DatetimeIndex (ValueError for no dates or a repeated date)."""
    try:
        index = pd.DatetimeIndex(series.index)
    except (TypeError, ValueError) as exc:
        raise ValueError("interrupted_time_series: the series index must be dates") from exc
    values = pd.Series(as_float(series, series.name or "series"), index=index).sort_index()
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        raise ValueError(f"interrupted_time_series: date {dup.date()} appears more than once; aggregate first")
    return values


def _regular_grid(values: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period from the first to the last date (ValueError if a date is off the `freq` grid)."""
    if len(values) == 0:
        return pd.DatetimeIndex([])
    grid = pd.date_range(values.index[0], values.index[-1], freq=freq)
    off_grid = values.index[~values.index.isin(grid)]
    if len(off_grid) or len(grid) == 0 or grid[0] != values.index[0]:
        first = off_grid[0] if len(off_grid) else values.index[0]
        raise ValueError(
            f"interrupted_time_series: date {first.date()} is not on the '{freq}' grid; aggregate to "
            f"regular periods first, e.g. series.resample('{freq}').mean()"
        )
    return grid


def _event_period(grid: pd.DatetimeIndex, event: pd.Timestamp, freq: str, exclude: bool) -> np.ndarray:
    """True for the period containing the event when the event falls inside it (and it is to be left out)."""
    excluded = np.zeros(len(grid), dtype=bool)
    if exclude and len(grid) and grid[0] < event and not (grid == event).any():
        containing = int(np.flatnonzero(grid <= event)[-1])
        if event < grid[containing] + pd.tseries.frequencies.to_offset(freq):
            excluded[containing] = True
    return excluded


def _segments(values: pd.Series, grid: pd.DatetimeIndex, event: pd.Timestamp, freq: str, exclude: bool) -> _Segments:
    """Which period is the first "after", is one period left out, and which values are missing."""
    after = grid >= event
    excluded = _event_period(grid, event, freq, exclude)
    segment = np.where(after, "after", "before").astype(object)
    segment[excluded] = "event period (excluded)"
    observed = values.reindex(grid).to_numpy(dtype=float)
    missing = np.isnan(observed) & ~excluded
    segment[missing] = "missing"
    return _Segments(
        grid=grid,
        observed=observed,
        after=after,
        excluded=excluded,
        missing=missing,
        segment=segment,
        first_after=grid[after][0] if after.any() else None,
        t_event=float(np.flatnonzero(after)[0]) if after.any() else math.nan,
    )


def _its_design(parts: _Segments) -> np.ndarray:
    """Columns: intercept, time, after, time since the event (after only)."""
    t = np.arange(len(parts.grid), dtype=float)
    t_event = parts.t_event if not math.isnan(parts.t_event) else 0.0
    return np.column_stack([np.ones_like(t), t, parts.after.astype(float), np.where(parts.after, t - t_event, 0.0)])


def _gap_notes(parts: _Segments, unit: str) -> list[str]:
    notes: list[str] = []
    if parts.excluded.any():
        notes.append(
            f"The {unit} containing the event ({parts.grid[parts.excluded][0].date()}) is left out: it mixes "
            "before and after."
        )
    if parts.missing.any():
        notes.append(
            f"{plural(int(parts.missing.sum()), 'period')} with no value dropped; HAC lags then treat the "
            "neighbours of a gap as consecutive."
        )
    return notes


def _fit_ols_hac(observed: np.ndarray, design: np.ndarray, hac_lags: int):
    """OLS with Newey-West (HAC) standard errors, and the warnings statsmodels raised."""
    # statsmodels is imported here: it is slow to import and only the model fits need it.
    import statsmodels.api as sm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.OLS(observed, design).fit(
            cov_type="HAC", cov_kwds={"maxlags": hac_lags, "use_correction": True}, use_t=True
        )
    return fit, caught


def _its_coefficients(fit, terms: list[str]) -> pd.DataFrame:
    ci = np.asarray(fit.conf_int(alpha=0.05), dtype=float)
    coef = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "estimate": np.asarray(fit.params, dtype=float),
            "std_error": np.asarray(fit.bse, dtype=float),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(fit.pvalues, dtype=float),
        }
    )
    return coef[_ITS_COLUMNS]
