"""95% intervals: Jeffreys (or Wilson) for proportions, exact (Garwood) Poisson for counts and rates."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ma_ice_coop.errors import ParameterError


def proportion_interval(successes, trials, *, method: str = "jeffreys") -> tuple[np.ndarray, np.ndarray]:
    """95% interval for k/n (Jeffreys by default, or Wilson); NaN where n == 0."""
    # statsmodels is imported here: it is slow to import and only this interval needs it.
    from statsmodels.stats.proportion import proportion_confint

    if method not in ("jeffreys", "wilson"):
        raise ParameterError(f"interval method {method!r}: use 'jeffreys' or 'wilson' (never the normal approximation)")
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        lo, hi = proportion_confint(k[ok], n[ok], alpha=0.05, method=method)
        low[ok], high[ok] = lo, hi
    # Brown, Cai & DasGupta (2001): the Jeffreys interval is closed at 0 when k = 0 and at 1 when k = n.
    low[ok & (k == 0)] = 0.0
    high[ok & (k == n)] = 1.0
    return low, high


def poisson_interval(counts, exposure=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% interval for a Poisson count, divided by `exposure`; NaN where exposure <= 0."""
    k = np.asarray(counts, dtype="float64")
    e = np.broadcast_to(np.asarray(exposure, dtype="float64"), k.shape)
    low = np.where(k > 0, stats.chi2.ppf(0.025, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, low / e, np.nan), np.where(e > 0, high / e, np.nan)
