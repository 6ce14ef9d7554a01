"""Logistic regression with a random intercept per group (one row per detainer), fitted by variational Bayes."""

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
    DEFAULT_SEED,
    Z95,
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
class MixedResult:
    """A logistic random-intercept model fitted by variational Bayes.

    fixed_effects: term, estimate, sd, ci_low, ci_high (log-odds, posterior mean and 95% interval
    mean ± 1.96 sd under the Gaussian VB approximation), odds_ratio, or_low, or_high, covariate_sd.
    random_intercept_sd: one row: term, estimate (posterior mean of the SD), median, ci_low, ci_high,
    log_sd_mean, log_sd_sd.
    group_effects: group, n, successes, observed_share, estimate, sd, ci_low, ci_high (the group's
    random intercept, log-odds), fitted_share (inverse logit of the posterior-mean linear predictor at
    the group's mean covariate values: a shrunken share, plug-in not posterior mean).
    covariate_correlations: the covariates' pairwise r over the rows (weighted by rows, e.g. detainers).
    """

    fixed_effects: pd.DataFrame
    random_intercept_sd: pd.DataFrame
    group_effects: pd.DataFrame
    n: int
    n_groups: int
    converged: bool
    note: str
    seed: int = DEFAULT_SEED
    prior: dict = field(default_factory=dict)
    covariate_correlations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CORR_COLUMNS))


_FE_COLUMNS = ["term", "estimate", "sd", "ci_low", "ci_high", "odds_ratio", "or_low", "or_high", "covariate_sd"]
_RE_SD_COLUMNS = ["term", "estimate", "median", "ci_low", "ci_high", "log_sd_mean", "log_sd_sd"]
_GROUP_COLUMNS = ["group", "n", "successes", "observed_share", "estimate", "sd", "ci_low", "ci_high", "fitted_share"]


def _binary_outcome(values, name: str) -> np.ndarray:
    y = as_float(values, name)
    ok = ~np.isnan(y)
    if not np.isin(y[ok], (0.0, 1.0)).all():
        raise ValueError(
            f"outcome '{name}' must be 0/1 (or boolean), found values "
            f"{sorted(set(np.unique(y[ok]).tolist()) - {0.0, 1.0})[:5]}; "
            "build it first, e.g. rows['custody'] = rows['outcome'].eq('custody')"
        )
    return y


@dataclass
class _MixedSetup:
    """What a fit and a refusal share: the rows analysed, the groups, the design and the notes so far."""

    data: pd.DataFrame  # _y (0/1), _g (group), covariates
    groups: list
    design: pd.DataFrame
    terms: list[str]
    sds: dict[str, float]
    std_notes: list[str]
    notes: list[str]
    header: str
    group_base: pd.DataFrame  # group, n, successes, observed_share
    corr: pd.DataFrame
    seed: int
    prior: dict
    group: str


_WHAT = "mixed_binomial_glm"


def mixed_binomial_glm(
    rows: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    covariates: Sequence[str] = (),
    standardize: bool = True,
    seed: int = DEFAULT_SEED,
    vcp_p: float = 1.0,
    fe_p: float = 2.0,
    max_covariate_r: float = COLLINEARITY_LIMIT,
) -> MixedResult:
    """Logistic regression with a random intercept per group, on one row per detainer.

    Uses statsmodels ``BinomialBayesMixedGLM`` fitted with ``fit_vb`` (mean-field variational
    Bayes), its start values drawn from ``numpy.random.default_rng(seed)``, so two fits with the
    same seed give identical results. Priors are the statsmodels defaults: fixed effects
    N(0, fe_p²) on the log-odds scale, and log(random-intercept SD) ~ N(0, vcp_p²). Because the
    fixed-effect prior depends on the covariate's unit, continuous covariates are standardised by
    default (``standardize=True``; terms read ``name (per SD)``). Covariates (at most 3) should be
    group-level values already merged onto the rows.

    Rows with a missing outcome, group or covariate are dropped and counted in the note. The fit
    is refused (NaN, reason in ``note``) when fewer than 2 groups remain, the outcome does not
    vary, or two covariates correlate with |r| > ``max_covariate_r`` over the rows (one row per
    detainer: weighted by detainers), because their fixed effects could not be separated while the
    variational intervals would still look narrow. Variational Bayes understates posterior spread,
    the more so with few groups (about 11 counties here): treat intervals as too narrow.
    """
    covariates = check_covariates(list(covariates), what=_WHAT)
    check_not_policy_index(outcome, what=_WHAT)
    check_columns(rows, [outcome, group, *covariates], what=_WHAT)
    setup = _mixed_setup(
        rows, outcome, group, covariates, standardize, seed, {"fe_p": float(fe_p), "vcp_p": float(vcp_p)}
    )
    reason = _mixed_refusal(setup, outcome, max_covariate_r)
    if reason:
        return _refused(setup, reason)
    exog = pd.concat([pd.Series(1.0, index=setup.data.index, name="Intercept"), setup.design], axis=1)
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return _refused(setup, "the covariates are constant or collinear over the rows analysed.")
    fit, caught = _fit_vb(setup, exog, vcp_p, fe_p)
    converged, fe = bool(getattr(fit.optim_retvals, "success", True)), _fixed_effects(fit, setup)
    notes = [setup.header, *_fit_notes(setup, fe_p, vcp_p), *setup.std_notes, *setup.notes]
    if not converged:
        notes.append("The variational optimisation did not report convergence: treat results with caution.")
    notes += [f"statsmodels warned: {w}" for w in warning_texts(caught)]
    return MixedResult(
        fe[_FE_COLUMNS],
        _random_intercept_sd(fit, group)[_RE_SD_COLUMNS],
        _group_effects(fit, setup, exog, fe)[_GROUP_COLUMNS],
        len(setup.data),
        len(setup.groups),
        converged,
        join_notes(notes),
        setup.seed,
        setup.prior,
        setup.corr,
    )


def _fit_notes(setup: _MixedSetup, fe_p: float, vcp_p: float) -> list[str]:
    n_groups = len(setup.groups)
    return [
        f"Priors: fixed effects N(0, {fmt_number(fe_p, 2)}^2) on the log-odds scale; log SD of the random "
        f"intercept N(0, {fmt_number(vcp_p, 2)}^2).",
        f"Intervals are mean ± 1.96 posterior SD under the variational approximation, which understates "
        f"uncertainty, the more so with only {plural(n_groups, 'group')}: read them as too narrow.",
        f"The log-normal prior keeps the random-intercept SD away from zero; with {n_groups} groups its "
        "interval reflects the prior as much as the data.",
    ]


def _mixed_setup(
    rows: pd.DataFrame, outcome: str, group: str, covariates: list[str], standardize: bool, seed: int, prior: dict
) -> _MixedSetup:
    """The rows with an outcome, group and covariates (the others dropped and counted), groups and design."""
    data = pd.DataFrame({"_y": _binary_outcome(rows[outcome], outcome)}, index=range(len(rows)))
    data["_g"] = rows[group].to_numpy(dtype=object)
    data.loc[pd.isna(rows[group]).to_numpy(), "_g"] = np.nan
    for c in covariates:
        data[c] = as_float(rows[c], c)
    notes: list[str] = []
    n_in = len(data)
    missing = data["_y"].isna() | pd.isna(data["_g"]) | data[covariates].isna().any(axis=1)
    if missing.any():
        notes.append(f"{plural(int(missing.sum()), 'row')} with a missing outcome, group or covariate dropped.")
    data = data[~missing].reset_index(drop=True)
    n = len(data)
    groups = sorted(pd.unique(data["_g"]).tolist(), key=str)
    design, names, sds, std_notes = (
        standardise(data, covariates, standardize) if n else (pd.DataFrame(), list(covariates), {}, [])
    )
    header = (
        f"Logistic random-intercept model of {outcome} on {n} of {n_in} rows in "
        f"{plural(len(groups), 'group')} of {group}, fitted by variational Bayes (seed {seed})."
    )
    corr = weighted_covariate_correlations(
        data, covariates, weights_label="rows (each group by its number of rows, e.g. detainers)"
    )
    return _MixedSetup(
        data,
        groups,
        design,
        ["Intercept", *names],
        sds,
        std_notes,
        notes,
        header,
        _group_base(data, groups),
        corr,
        seed,
        prior,
        group,
    )


def _group_base(data: pd.DataFrame, groups: list) -> pd.DataFrame:
    """Per group: rows (n), successes and the observed share."""
    n = len(data)
    summary = (
        data.groupby("_g", sort=False)["_y"].agg(["size", "sum"]).reindex(groups)
        if n
        else pd.DataFrame(columns=["size", "sum"])
    )
    group_base = pd.DataFrame(
        {
            "group": pd.Series(groups, dtype=object),
            "n": summary["size"].to_numpy(dtype="int64") if n else np.array([], dtype="int64"),
            "successes": summary["sum"].to_numpy(dtype="int64") if n else np.array([], dtype="int64"),
        }
    )
    group_base["observed_share"] = group_base["successes"] / group_base["n"]
    return group_base


def _mixed_refusal(setup: _MixedSetup, outcome: str, max_covariate_r: float) -> str:
    """Why the data cannot support the model ('' when they can)."""
    if len(setup.groups) < 2:
        return f"{plural(len(setup.groups), 'group')} left; a random intercept needs at least 2."
    if len(setup.data) == 0 or setup.data["_y"].nunique() < 2:
        return f"{outcome} does not vary over the rows analysed."
    if collinearity_text(setup.corr, max_covariate_r):
        return (
            f"{collinearity_text(setup.corr, max_covariate_r)} (|r| above {fmt_number(max_covariate_r, 1)}): the "
            "model cannot separate their effects, and with variational Bayes and so few groups the intervals "
            "would still look narrow. Fit one covariate at a time."
        )
    return ""


def _refused(setup: _MixedSetup, reason: str) -> MixedResult:
    """NaN estimates and the reason in the note."""
    group_effects = setup.group_base.copy()
    for c in _GROUP_COLUMNS[4:]:
        group_effects[c] = np.nan
    re_sd = nan_coefficients([f"sd({setup.group} intercept)"], _RE_SD_COLUMNS)
    return MixedResult(
        nan_coefficients(setup.terms, _FE_COLUMNS),
        re_sd,
        group_effects[_GROUP_COLUMNS],
        len(setup.data),
        len(setup.groups),
        False,
        join_notes([setup.header, f"Not fitted: {reason}", *setup.notes]),
        setup.seed,
        setup.prior,
        setup.corr,
    )


def _group_codes(setup: _MixedSetup) -> np.ndarray:
    return pd.Categorical(setup.data["_g"], categories=setup.groups).codes


def _fit_vb(setup: _MixedSetup, exog: pd.DataFrame, vcp_p: float, fe_p: float):
    """The variational fit (start values from default_rng(seed)) and the warnings statsmodels raised."""
    # statsmodels is imported here: it is slow to import and only the model fits need it.
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    n, groups = len(setup.data), setup.groups
    exog_vc = np.zeros((n, len(groups)))
    exog_vc[np.arange(n), _group_codes(setup)] = 1.0
    model = BinomialBayesMixedGLM(
        setup.data["_y"].to_numpy(),
        exog.to_numpy(),
        exog_vc,
        np.zeros(len(groups), dtype=int),
        vcp_p=vcp_p,
        fe_p=fe_p,
        fep_names=setup.terms,
        vcp_names=[f"sd({setup.group} intercept)"],
        vc_names=[str(g) for g in groups],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit_vb(rng=np.random.default_rng(setup.seed))
    return fit, caught


def _fixed_effects(fit, setup: _MixedSetup) -> pd.DataFrame:
    fe = pd.DataFrame(
        {
            "term": pd.Series(setup.terms, dtype=object),
            "estimate": np.asarray(fit.fe_mean, dtype=float),
            "sd": np.asarray(fit.fe_sd, dtype=float),
        }
    )
    fe["ci_low"] = fe["estimate"] - Z95 * fe["sd"]
    fe["ci_high"] = fe["estimate"] + Z95 * fe["sd"]
    fe["odds_ratio"] = np.exp(fe["estimate"])
    fe["or_low"] = np.exp(fe["ci_low"])
    fe["or_high"] = np.exp(fe["ci_high"])
    fe["covariate_sd"] = [setup.sds.get(t, np.nan) for t in setup.terms]
    return fe


def _random_intercept_sd(fit, group: str) -> pd.DataFrame:
    mean, sd = float(fit.vcp_mean[0]), float(fit.vcp_sd[0])
    return pd.DataFrame(
        {
            "term": pd.Series([f"sd({group} intercept)"], dtype=object),
            "estimate": [math.exp(mean + sd * sd / 2)],
            "median": [math.exp(mean)],
            "ci_low": [math.exp(mean - Z95 * sd)],
            "ci_high": [math.exp(mean + Z95 * sd)],
            "log_sd_mean": [mean],
            "log_sd_sd": [sd],
        }
    )


def _group_effects(fit, setup: _MixedSetup, exog: pd.DataFrame, fe: pd.DataFrame) -> pd.DataFrame:
    group_effects = setup.group_base.copy()
    group_effects["estimate"] = np.asarray(fit.vc_mean, dtype=float)
    group_effects["sd"] = np.asarray(fit.vc_sd, dtype=float)
    group_effects["ci_low"] = group_effects["estimate"] - Z95 * group_effects["sd"]
    group_effects["ci_high"] = group_effects["estimate"] + Z95 * group_effects["sd"]
    xbar = exog.groupby(_group_codes(setup), sort=True).mean().reindex(range(len(setup.groups))).to_numpy()
    linear = xbar @ fe["estimate"].to_numpy() + group_effects["estimate"].to_numpy()
    group_effects["fitted_share"] = 1.0 / (1.0 + np.exp(-linear))
    return group_effects
