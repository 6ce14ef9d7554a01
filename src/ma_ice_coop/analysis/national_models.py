"""Models across US counties: shares (binomial and beta-binomial) and counts (negative binomial), with state
fixed effects and errors clustered by state.

States had their own laws in 2015 (California's TRUST Act, for one), so every model compares counties within
their state: a dummy per state (fixed effects), and standard errors clustered by state (counties of one state
share unmodelled policy). Covariates are centred and scaled to 1 SD over the counties analysed; estimates are
log-odds (shares) or log rate ratios (counts) per SD. Descriptive associations across counties, never effects
on people (ecological inference).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from ma_ice_coop.analysis.model_checks import standardise, warning_texts

COEFFICIENT_COLUMNS = ["model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "ratio", "n"]
MIN_CLUSTERS = 10  # fewer states than this: heteroskedasticity-robust (HC1) errors, not clustered ones


def robust_errors(groups: np.ndarray) -> tuple[dict, str]:
    """statsmodels fit arguments for the errors: clustered by state when there are enough states, else HC1
    (with one or a few states, clustered errors have too few clusters to be trusted); and a note."""
    n_states = len(set(groups.tolist()))
    if n_states >= MIN_CLUSTERS:
        return {"cov_type": "cluster", "cov_kwds": {"groups": groups}}, f"errors clustered by state ({n_states})"
    return {"cov_type": "HC1"}, (
        f"only {n_states} state(s): heteroskedasticity-robust (HC1) errors, not clustered by state; counties of one "
        "state share its laws, so these intervals may be too narrow"
    )


DRAWS = 400  # parameter draws for the marginal-effect bands
SEED = 20150719  # last prepare date of the FY2015 detainer records


@dataclass(frozen=True)
class NationalFit:
    """One fitted model: coefficients (COEFFICIENT_COLUMNS; covariate terms only), the design and what
    the marginal-effect plots need (params, covariance, design columns), and notes in plain words."""

    model: str
    coefficients: pd.DataFrame
    params: pd.Series
    cov: pd.DataFrame
    design: pd.DataFrame
    sds: dict
    notes: list[str]


def design_matrix(data: pd.DataFrame, covariates: list[str]) -> tuple[pd.DataFrame, dict, list[str]]:
    """Intercept, standardised covariates and a dummy per state but the first (sorted)."""
    covariate_part, _names, sds, notes = standardise(data, covariates, True)
    states = sorted(data["state"].unique())
    dummies = pd.get_dummies(data["state"], prefix="state", dtype="float64")
    dummies = dummies.drop(columns=f"state_{states[0]}") if len(states) > 1 else dummies.iloc[:, 0:0]
    design = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), covariate_part, dummies], axis=1)
    return design.astype("float64"), sds, notes


def _coefficients(model: str, params, bse, terms: list[str], df: float | None, n: int) -> pd.DataFrame:
    estimate = params[terms].to_numpy()
    se = bse[terms].to_numpy()
    z = stats.t.ppf(0.975, df) if df else stats.norm.ppf(0.975)
    p = 2 * (stats.t.sf(np.abs(estimate / se), df) if df else stats.norm.sf(np.abs(estimate / se)))
    return pd.DataFrame(
        {
            "model": model,
            "term": terms,
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - z * se,
            "ci_high": estimate + z * se,
            "p_value": p,
            "ratio": np.exp(estimate),
            "n": n,
        }
    )


def model_label(base: str, design: pd.DataFrame) -> str:
    """'binomial, state fixed effects', or just 'binomial' for one state (no state dummies in the design)."""
    return f"{base}, state fixed effects" if any(c.startswith("state_") for c in design.columns) else base


def _covariate_terms(design: pd.DataFrame) -> list[str]:
    return [c for c in design.columns if c != "Intercept" and not c.startswith("state_")]


def binomial_state_glm(data: pd.DataFrame, covariates: list[str]) -> NationalFit:
    """Binomial GLM (logit) of k/n with state fixed effects and state-clustered errors (t with states-1 df).

    `data`: one row per county with k (successes), n (trials), state and the covariates. The Pearson dispersion
    (chi-square / df, by hand: statsmodels 0.15 under-reports it for two-column endog) is reported; the
    clustered errors already allow for overdispersion and for correlation within a state."""
    import statsmodels.api as sm  # lazy: statsmodels is slow to import and only the models need it

    design, sds, notes = design_matrix(data, covariates)
    endog = np.column_stack([data["k"].to_numpy(float), (data["n"] - data["k"]).to_numpy(float)])
    groups = pd.factorize(data["state"])[0]
    errors, errors_note = robust_errors(groups)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit(**errors)
    mu = fit.predict(design)
    n = data["n"].to_numpy(float)
    pearson = ((data["k"].to_numpy(float) - n * mu) ** 2 / (n * mu * (1 - mu))).sum()
    dispersion = pearson / fit.df_resid
    n_states = len(set(groups))
    terms = _covariate_terms(design)
    df = n_states - 1 if errors["cov_type"] == "cluster" else None
    coefficients = _coefficients(model_label("binomial", design), fit.params, fit.bse, terms, df, len(data))
    notes = [*notes, errors_note, f"Pearson dispersion {dispersion:.1f} (1 = binomial variation)"]
    notes += warning_texts(caught)
    return NationalFit("binomial", coefficients, fit.params, pd.DataFrame(fit.cov_params()), design, sds, notes)


def _beta_binomial_negloglik(theta: np.ndarray, x: np.ndarray, k: np.ndarray, n: np.ndarray) -> float:
    beta, log_phi = theta[:-1], theta[-1]
    mu = special.expit(x @ beta)
    phi = np.exp(log_phi)  # precision: a = mu * phi, b = (1 - mu) * phi
    a, b = np.clip(mu * phi, 1e-10, None), np.clip((1 - mu) * phi, 1e-10, None)
    return -stats.betabinom.logpmf(k, n, a, b).sum()


def _beta_binomial_score(theta: np.ndarray, x: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Gradient of the beta-binomial log-likelihood in (beta, log phi): digamma differences through a = mu phi,
    b = (1 - mu) phi (so that the Hessian is one numerical derivative of this, not two of the likelihood)."""
    beta, phi = theta[:-1], np.exp(theta[-1])
    mu = special.expit(x @ beta)
    a, b = np.clip(mu * phi, 1e-10, None), np.clip((1 - mu) * phi, 1e-10, None)
    common = special.digamma(a + b) - special.digamma(n + a + b)
    d_a = special.digamma(k + a) - special.digamma(a) + common
    d_b = special.digamma(n - k + b) - special.digamma(b) + common
    d_eta = phi * mu * (1 - mu) * (d_a - d_b)
    d_log_phi = phi * (mu * d_a + (1 - mu) * d_b)
    return np.r_[x.T @ d_eta, d_log_phi.sum()]


def beta_binomial_state_model(data: pd.DataFrame, covariates: list[str]) -> NationalFit:
    """Beta-binomial regression (logit mean, one precision phi) with state fixed effects, by maximum likelihood
    (statsmodels GenericLikelihoodModel; errors from the numerical Hessian). Counties vary more than binomial
    sampling allows; the beta-binomial lets each county's share vary around its mean, so large counties do not
    dominate the fit as they do in the binomial GLM."""
    from statsmodels.base.model import GenericLikelihoodModel  # lazy: see binomial_state_glm
    from statsmodels.tools.numdiff import approx_fprime  # lazy: as above

    design, sds, notes = design_matrix(data, covariates)
    k, n, x = data["k"].to_numpy(float), data["n"].to_numpy(float), design.to_numpy()

    class BetaBinomial(GenericLikelihoodModel):
        def loglike(self, params):
            return -_beta_binomial_negloglik(params, x, k, n)

        def score(self, params):
            return _beta_binomial_score(params, x, k, n)

        def hessian(self, params):  # one numerical derivative of the exact score, not two of the likelihood
            return approx_fprime(params, self.score, centered=True)

    start_mu = np.clip(k.sum() / n.sum(), 0.01, 0.99)
    start = np.r_[special.logit(start_mu), np.zeros(x.shape[1] - 1), np.log(10.0)]
    names = [*design.columns, "log_precision"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BetaBinomial(k, x, extra_params_names=["log_precision"])
        model.exog_names[:] = names[:-1]
        fit = model.fit(start_params=start, method="bfgs", maxiter=2000, disp=0)
    params = pd.Series(fit.params, index=names)
    cov = pd.DataFrame(fit.cov_params(), index=names, columns=names)
    bse = pd.Series(np.sqrt(np.diag(cov)), index=names)
    terms = _covariate_terms(design)
    coefficients = _coefficients(model_label("beta-binomial", design), params, bse, terms, None, len(data))
    phi = float(np.exp(params["log_precision"]))
    notes = [
        *notes,
        f"precision {phi:.1f} (a county's share varies around its mean like a Beta with a + b = {phi:.1f})",
    ]
    notes += warning_texts(caught)
    return NationalFit("beta-binomial", coefficients, params.iloc[:-1], cov.iloc[:-1, :-1], design, sds, notes)


def negative_binomial_state_model(data: pd.DataFrame, covariates: list[str]) -> NationalFit:
    """Negative binomial (NB2) regression of a count on covariates with log(population) as offset, state fixed
    effects and state-clustered errors: a rate model (ratio = rate ratio per SD)."""
    import statsmodels.api as sm  # lazy: see binomial_state_glm

    design, sds, notes = design_matrix(data, covariates)
    groups = pd.factorize(data["state"])[0]
    errors, errors_note = robust_errors(groups)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.NegativeBinomial(data["count"].to_numpy(float), design, offset=np.log(data["population"]))
        fit = model.fit(disp=0, maxiter=500, method="bfgs", **errors)
    params = pd.Series(fit.params, index=[*design.columns, "alpha"])
    bse = pd.Series(fit.bse, index=params.index)
    terms = _covariate_terms(design)
    df = len(set(groups)) - 1 if errors["cov_type"] == "cluster" else None
    coefficients = _coefficients(model_label("negative binomial", design), params, bse, terms, df, len(data))
    cov = pd.DataFrame(fit.cov_params(), index=params.index, columns=params.index).iloc[:-1, :-1]
    notes = [*notes, errors_note, f"overdispersion alpha {params['alpha']:.2f} (0 = Poisson)"]
    notes += warning_texts(caught)
    return NationalFit("negative binomial", coefficients, params.iloc[:-1], cov, design, sds, notes)


def marginal_curve(fit: NationalFit, data: pd.DataFrame, covariate: str, points: int = 25) -> pd.DataFrame:
    """Average predicted share (or rate per resident) as `covariate` moves over its 5th-95th percentile, the
    other covariates and the state effects at each county's own values; 95% band from DRAWS draws of the
    covariate coefficients (multivariate normal, the fit's covariance). Columns: value, estimate, ci_low, ci_high."""
    term = next(t for t in fit.design.columns if t.split(" (")[0] == covariate)
    raw = data[covariate].astype(float)
    grid = np.linspace(raw.quantile(0.05), raw.quantile(0.95), points)
    mean, sd = float(raw.mean()), fit.sds.get(term, 1.0)
    # Draw the covariate coefficients only: with states as clusters, the clustered covariance of all the state
    # dummies is singular (rank below the number of states); the band is the covariates' uncertainty.
    terms = _covariate_terms(fit.design)
    rng = np.random.default_rng(SEED)
    sub = rng.multivariate_normal(
        fit.params[terms].to_numpy(), fit.cov.loc[terms, terms].to_numpy(), size=DRAWS, method="eigh"
    )
    draws = np.tile(fit.params.to_numpy(), (DRAWS, 1))
    draws[:, [fit.params.index.get_loc(t) for t in terms]] = sub
    rows = []
    for value in grid:
        x = fit.design.copy()
        x[term] = (value - mean) / sd
        link = x.to_numpy() @ np.vstack([fit.params.to_numpy(), draws]).T
        scale = special.expit(link) if fit.model != "negative binomial" else np.exp(link)
        averaged = scale.mean(axis=0)
        rows.append((value, averaged[0], *np.quantile(averaged[1:], [0.025, 0.975])))
    return pd.DataFrame(rows, columns=["value", "estimate", "ci_low", "ci_high"])
