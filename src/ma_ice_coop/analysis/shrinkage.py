"""Beta-binomial empirical-Bayes shrinkage of proportions toward their pool, with the prior's sensitivity range."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ma_ice_coop.errors import ParameterError

# Bounds of the prior fit: logit of the prior mean, log of its concentration alpha + beta (0.1 .. 1e4).
PRIOR_BOUNDS = [(-10.0, 10.0), (float(np.log(0.1)), float(np.log(1e4)))]


def _groups_with_trials(successes, trials) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    keep = n > 0
    if not keep.any():
        raise ParameterError("no group has any trials: shrinkage needs at least one non-empty group")
    return k[keep], n[keep]


def _negloglik(params, k, n) -> float:
    mean = 1 / (1 + np.exp(-params[0]))
    size = np.exp(params[1])
    return -stats.betabinom.logpmf(k, n, mean * size, (1 - mean) * size).sum()


def fit_beta_binomial(successes, trials, log_size: float | None = None) -> dict:
    """Maximum marginal likelihood Beta prior over groups with n > 0 (concentration fixed if `log_size`).

    Returns alpha, beta, size (alpha + beta), negloglik and at_bound (the fit sits at a bound of PRIOR_BOUNDS,
    e.g. the 1e4 cap on the concentration when groups barely vary: the optimum is not interior)."""
    k, n = _groups_with_trials(successes, trials)
    pooled = min(max(k.sum() / n.sum(), 1e-4), 1 - 1e-4)
    start = np.log(pooled / (1 - pooled))
    if log_size is None:
        fit = optimize.minimize(_negloglik, [start, np.log(10.0)], args=(k, n), method="L-BFGS-B", bounds=PRIOR_BOUNDS)
        x = fit.x
    else:
        fit = optimize.minimize(
            lambda p: _negloglik([p[0], log_size], k, n), [start], method="L-BFGS-B", bounds=PRIOR_BOUNDS[:1]
        )
        x = [fit.x[0], log_size]
    at_bound = any(min(abs(v - lo), abs(v - hi)) < 1e-3 for v, (lo, hi) in zip(x, PRIOR_BOUNDS, strict=True))
    mean, size = 1 / (1 + np.exp(-x[0])), float(np.exp(x[1]))
    return {
        "alpha": float(mean * size),
        "beta": float((1 - mean) * size),
        "size": size,
        "negloglik": float(fit.fun),
        "at_bound": bool(at_bound),
    }


def beta_binomial_prior(successes, trials) -> tuple[float, float]:
    """Empirical-Bayes Beta(alpha, beta) prior: maximum marginal likelihood over groups with n > 0.

    With little between-group variation the fit drives alpha + beta up (full pooling); it is capped at
    1e4 so the estimate stays finite (fit_beta_binomial says when the cap is reached).
    """
    fit = fit_beta_binomial(successes, trials)
    return fit["alpha"], fit["beta"]


def concentration_range(successes, trials, grid: int = 121) -> dict:
    """95% profile-likelihood range of the prior's concentration alpha + beta (prior mean profiled out).

    The range holds every concentration on a log grid over PRIOR_BOUNDS whose profile log-likelihood is
    within chi2(1, 0.95) / 2 of the best; `open_low` / `open_high` say that the range reaches a bound.
    The grid takes about a second, and every detainer-measure table needs it, so results are kept per
    data (the counts themselves are the key)."""
    key = (tuple(np.asarray(successes, dtype="float64")), tuple(np.asarray(trials, dtype="float64")), grid)
    return dict(_concentration_range(*key))


@lru_cache(maxsize=64)
def _concentration_range(successes: tuple, trials: tuple, grid: int) -> dict:
    best = fit_beta_binomial(successes, trials)["negloglik"]
    logs = np.linspace(*PRIOR_BOUNDS[1], grid)
    profile = np.array([fit_beta_binomial(successes, trials, log_size=v)["negloglik"] for v in logs])
    inside = logs[profile - min(best, profile.min()) <= stats.chi2.ppf(0.95, 1) / 2]
    return {
        "low": float(np.exp(inside.min())),
        "high": float(np.exp(inside.max())),
        "open_low": bool(inside.min() <= logs[0]),
        "open_high": bool(inside.max() >= logs[-1]),
    }


def shrunken_proportions(successes, trials, log_size: float | None = None) -> pd.DataFrame:
    """Posterior mean and 95% interval of each group's proportion under the fitted beta-binomial prior
    (concentration fitted, or fixed at exp(log_size) for a sensitivity check).

    Where the fitted prior sits at a bound of the optimiser, the intervals are blank (`at_bound` True):
    a prior at the cap is not an estimate, and intervals under it would look more certain than they are."""
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    fit = fit_beta_binomial(k, n, log_size)
    a, b = fit["alpha"], fit["beta"]
    post_a, post_b = k + a, n - k + b
    empty = n == 0  # a group without data has no estimate of its own: left blank, not the prior
    no_ci = empty | (fit["at_bound"] and log_size is None)
    return pd.DataFrame(
        {
            "estimate": np.where(empty, np.nan, post_a / (post_a + post_b)),
            "ci_low": np.where(no_ci, np.nan, stats.beta.ppf(0.025, post_a, post_b)),
            "ci_high": np.where(no_ci, np.nan, stats.beta.ppf(0.975, post_a, post_b)),
            "prior_alpha": a,
            "prior_beta": b,
            "at_bound": fit["at_bound"],
        }
    )


def shrinkage_sensitivity(successes, trials) -> dict:
    """Shrunken proportions under the fitted prior and at both ends of the concentration's 95% range."""
    span = concentration_range(successes, trials)
    return {
        "range": span,
        "fitted": shrunken_proportions(successes, trials),
        "low": shrunken_proportions(successes, trials, float(np.log(span["low"]))),
        "high": shrunken_proportions(successes, trials, float(np.log(span["high"]))),
    }
