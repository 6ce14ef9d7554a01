"""Quasi-binomial GLM of county shares (successes / trials) on up to 3 covariates, with t-based intervals."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.correlation import (
    COLLINEARITY_LIMIT,
    CORR_COLUMNS,
    collinearity_text,
    weighted_covariate_correlations,
)
from ma_ice_coop.analysis.model_checks import (
    as_float,
    check_columns,
    check_covariates,
    check_not_policy_index,
    fmt_number,
    join_notes,
    nan_coefficients,
    plural,
    standardise,
    warning_texts,
)


@dataclass(frozen=True)
class GlmResult:
    """A quasi-binomial GLM fit on county rows.

    coefficients: term, estimate, std_error, ci_low, ci_high, p_value (log-odds scale, t-based
    95% intervals with df_resid degrees of freedom), odds_ratio, or_low, or_high, covariate_sd.
    covariate_correlations: the covariates' pairwise r weighted by trials (see
    :func:`weighted_covariate_correlations`); the note warns when one exceeds COLLINEARITY_LIMIT.
    """

    coefficients: pd.DataFrame
    dispersion: float
    n: int
    df_resid: float
    note: str
    covariate_correlations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CORR_COLUMNS))


_GLM_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "odds_ratio",
    "or_low",
    "or_high",
    "covariate_sd",
]


_WHAT = "quasi_binomial_glm"
_DESCRIPTIVE = "Descriptive: an association across counties, not an effect on individuals."


def quasi_binomial_glm(
    table: pd.DataFrame,
    *,
    successes: str,
    trials: str,
    covariates: Sequence[str],
    standardize: bool = False,
    max_covariate_r: float = COLLINEARITY_LIMIT,
) -> GlmResult:
    """Quasi-binomial logistic regression of successes/trials on up to 3 county covariates.

    A binomial GLM (logit link) on the observed shares weighted by trials (``var_weights``), with
    the dispersion estimated from the Pearson chi-square (``scale="X2"``): the quasi-binomial model,
    whose standard errors grow with overdispersion between counties. Intervals and p-values use the t distribution with
    the residual degrees of freedom. Rows with trials == 0 (no information) or a missing value are
    excluded and counted in the note. The fit is refused (NaN coefficients, reason in ``note``)
    when fewer than 2 residual degrees of freedom remain, when there are no successes or no
    failures at all, or when the covariates are constant or collinear.

    ``standardize=True`` centres continuous covariates and scales them to 1 SD (the term reads
    e.g. ``pres_dem_share (per SD)``); 0/1 covariates are left as they are. With several
    covariates, their correlation weighted by trials is returned, and the note warns (the fit is
    kept: its t-based intervals widen with collinearity) when |r| > ``max_covariate_r``.
    """
    covariates = check_covariates(covariates, what=_WHAT)
    check_not_policy_index(successes, what=_WHAT)
    check_columns(table, [successes, trials, *covariates], what=_WHAT)
    data, notes, n_in = _glm_rows(table, successes, trials, covariates, _WHAT)
    n = len(data)
    k = 1 + len(covariates)
    df_resid = float(n - k)
    design, names, sds, std_notes = (
        standardise(data, covariates, standardize) if n else (pd.DataFrame(), [c for c in covariates], {}, [])
    )
    terms = ["Intercept", *names]
    header = f"Quasi-binomial GLM (logit link) of {successes}/{trials} on {n} of {n_in} rows."
    corr = weighted_covariate_correlations(data, covariates, data["_t"], weights_label=trials)
    if collinearity_text(corr, max_covariate_r):
        notes.append(_collinearity_warning(corr, max_covariate_r))

    def refuse(reason: str) -> GlmResult:
        coef = nan_coefficients(terms, _GLM_COLUMNS)
        return GlmResult(coef, math.nan, n, df_resid, join_notes([header, f"Not fitted: {reason}", *notes]), corr)

    if df_resid < 2:
        return refuse(
            f"only {df_resid:g} residual degrees of freedom ({n} rows, {k} parameters); "
            "at least 2 are needed to estimate the dispersion."
        )
    if data["_s"].sum() == 0 or (data["_t"] - data["_s"]).sum() == 0:
        which = "no successes" if data["_s"].sum() == 0 else "no failures"
        return refuse(f"{which} in any row, so the log-odds are unbounded.")
    exog = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), design], axis=1)
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return refuse("the covariates are constant or collinear over the rows analysed.")
    fit, caught = _fit_glm(data, exog)
    coef = _glm_coefficients(fit, terms, sds)
    dispersion = float(fit.scale)
    note = join_notes([header, *_fit_notes(dispersion, df_resid), *std_notes, *notes, *_warned(caught), _DESCRIPTIVE])
    return GlmResult(coef[_GLM_COLUMNS], dispersion, n, float(fit.df_resid), note, corr)


def _fit_notes(dispersion: float, df_resid: float) -> list[str]:
    return [
        f"Dispersion (Pearson X2 / df_resid) = {fmt_number(dispersion, 2)}"
        + ("; below 1, so intervals are narrower than plain binomial ones." if dispersion < 1 else "."),
        f"95% intervals and p-values use the t distribution with {df_resid:g} residual degrees of freedom.",
    ]


def _warned(caught) -> list[str]:
    return [f"statsmodels warned: {w}" for w in warning_texts(caught)]


def _collinearity_warning(corr: pd.DataFrame, max_covariate_r: float) -> str:
    return (
        f"Warning: {collinearity_text(corr, max_covariate_r)} (|r| above {fmt_number(max_covariate_r, 1)}): "
        "the model cannot separate these covariates, so their adjusted estimates are unstable; "
        "read them one at a time."
    )


def _glm_rows(
    table: pd.DataFrame, successes: str, trials: str, covariates: list[str], what: str
) -> tuple[pd.DataFrame, list[str], int]:
    """The rows the GLM can use (_s successes, _t trials, covariates), notes on those left out, rows given."""
    data = pd.DataFrame(
        {"_s": as_float(table[successes], successes), "_t": as_float(table[trials], trials)}, index=range(len(table))
    )
    for c in covariates:
        data[c] = as_float(table[c], c)
    bad = data[(data["_s"] < 0) | (data["_t"] < 0) | (data["_s"] > data["_t"])]
    if len(bad):
        raise ValueError(
            f"{what}: {len(bad)} row(s) have negative counts or {successes} > {trials} "
            f"(first at row position {int(bad.index[0])}); fix the table before modelling"
        )
    notes: list[str] = []
    n_in = len(data)
    missing = data.isna().any(axis=1)
    if missing.any():
        notes.append(f"{plural(int(missing.sum()), 'row')} with a missing value excluded.")
    data = data[~missing]
    zero = data["_t"] == 0
    if zero.any():
        notes.append(f"{plural(int(zero.sum()), 'row')} with {trials} == 0 excluded (no information).")
    return data[~zero], notes, n_in


def _fit_glm(data: pd.DataFrame, exog: pd.DataFrame):
    """The fitted quasi-binomial GLM and the warnings statsmodels raised."""
    # statsmodels is imported here: it is slow to import and only the model fits need it.
    import statsmodels.api as sm

    # Proportions with var_weights = trials, not the (successes, failures) endog: in statsmodels
    # 0.15 the two-column form gives the same estimates but its scale="X2" dispersion ignores the
    # number of trials (about 1/mean(trials) too small), which would shrink every standard error.
    trials_used = data["_t"].to_numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.GLM(
            data["_s"].to_numpy() / trials_used, exog.to_numpy(), family=sm.families.Binomial(), var_weights=trials_used
        ).fit(scale="X2", use_t=True)
    return fit, caught


def _glm_coefficients(fit, terms: list[str], sds: dict[str, float]) -> pd.DataFrame:
    params = np.asarray(fit.params, dtype=float)
    bse = np.asarray(fit.bse, dtype=float)
    ci = np.asarray(fit.conf_int(alpha=0.05), dtype=float)
    coef = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "estimate": params,
            "std_error": bse,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(fit.pvalues, dtype=float),
        }
    )
    coef["odds_ratio"] = np.exp(coef["estimate"])
    coef["or_low"] = np.exp(coef["ci_low"])
    coef["or_high"] = np.exp(coef["ci_high"])
    coef["covariate_sd"] = [sds.get(t, np.nan) for t in terms]
    return coef
