"""Honest small-n models for 14 counties: descriptive, deterministic, tidy.

With 14 Massachusetts counties (fewer with usable detainer counts), covariate analyses are
descriptive (DESIGN.md, "Measures"): permutation p-values, at most 3 covariates, intervals
rather than rankings, and a note on ecological inference. Policy indices (287(g), DHS lists)
are covariates, never the outcome.

Every function here

- is deterministic: random numbers come only from ``numpy.random.default_rng(seed)``, rows and
  groups are processed in a sorted or caller-given order, never in dict/set order;
- returns tidy DataFrames (or a small dataclass holding DataFrames) and never prints;
- turns statsmodels warnings into text in the result's ``note`` instead of letting them reach a
  notebook's stderr (nbval compares notebook outputs byte for byte);
- refuses, with a ``note`` saying why, when the data cannot support the model (too few rows or
  residual degrees of freedom), and raises ``ValueError`` for requests that are wrong in
  themselves (more than 3 covariates, a missing column, impossible counts).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

MAX_COVARIATES = 3
"""At most this many covariates in any county-level model (DESIGN.md: 14 counties)."""

DEFAULT_SEED = 20170724
"""Default seed: the date of Lunn v. Commonwealth (2017-07-24)."""

MIN_POINTS_PER_SEGMENT = 8
"""Interrupted time series: fewest observed points on each side of the event."""

_Z95 = float(stats.norm.ppf(0.975))
_POLICY_INDEX_MARKERS = ("287g", "287_g", "dhs_list", "dhs_declined", "sanctuary")


# --------------------------------------------------------------------------------------------
# helpers


def _fmt(x: float, digits: int = 3) -> str:
    """A float as fixed text for notes (deterministic; 'NaN' for missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NaN"
    return f"{x:.{digits}f}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _as_float(values, name: str) -> np.ndarray:
    """Numeric (or boolean) values as float64 with NaN for missing; ValueError for text."""
    s = pd.Series(values)
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if s.dtype == object:
        try:
            s = pd.to_numeric(s)
        except (TypeError, ValueError):
            pass
    if not (pd.api.types.is_numeric_dtype(s.dtype) or s.isna().all()):
        raise ValueError(
            f"'{name}' must be numeric or boolean, not {s.dtype}: encode categories as 0/1 columns "
            "(e.g. sheriff party as democrat = 1) before modelling"
        )
    return pd.to_numeric(s).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _check_covariates(covariates: Sequence[str] | str, *, what: str) -> list[str]:
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    if len(set(covariates)) != len(covariates):
        raise ValueError(f"{what}: covariates are repeated: {covariates}")
    if len(covariates) > MAX_COVARIATES:
        raise ValueError(
            f"{what}: {len(covariates)} covariates requested ({', '.join(covariates)}), but at most "
            f"{MAX_COVARIATES} are allowed: with 14 Massachusetts counties, more covariates would fit "
            "noise and leave almost no residual degrees of freedom (DESIGN.md, 'Measures'). "
            "Choose the 2-3 covariates that answer the question, or run them one at a time."
        )
    return covariates


def _check_columns(table: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: column(s) {missing} not in the table; available: {sorted(map(str, table.columns))}")


def _check_not_policy_index(outcome: str, *, what: str) -> None:
    low = outcome.lower()
    if any(marker in low for marker in _POLICY_INDEX_MARKERS):
        raise ValueError(
            f"{what}: '{outcome}' looks like a policy index (287(g), DHS lists); policy indices are "
            "covariates, never the outcome (DESIGN.md, 'Measures'). Use a cooperation measure as the outcome."
        )


def _warning_texts(caught: list[warnings.WarningMessage]) -> list[str]:
    """Distinct warning messages in the order they were first raised."""
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).strip()}"
        if text not in seen:
            seen.append(text)
    return seen


def _join_notes(parts: Iterable[str]) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _standardise(
    data: pd.DataFrame, covariates: list[str], standardize: bool
) -> tuple[pd.DataFrame, list[str], dict[str, float], list[str]]:
    """Design columns for the covariates: (values, term names, SD used per term, notes).

    With ``standardize``, continuous covariates (more than two distinct values) are centred and
    divided by their sample SD (ddof=1) over the rows analysed; 0/1 covariates stay as they are.
    """
    out = pd.DataFrame(index=data.index)
    names: list[str] = []
    sds: dict[str, float] = {}
    notes: list[str] = []
    kept_binary: list[str] = []
    for c in covariates:
        x = data[c].astype(float)
        distinct = np.unique(x.to_numpy())
        binary = len(distinct) <= 2 and set(distinct.tolist()) <= {0.0, 1.0}
        if standardize and not binary and len(distinct) > 1:
            sd = float(x.std(ddof=1))
            term = f"{c} (per SD)"
            out[term] = (x - float(x.mean())) / sd
            sds[term] = sd
        else:
            term = c
            out[term] = x
            if standardize and binary:
                kept_binary.append(c)
        names.append(term)
    if standardize and any(n.endswith("(per SD)") for n in names):
        notes.append(
            "Continuous covariates are centred and scaled: each estimate is per 1 SD of the "
            "covariate over the rows analysed (covariate_sd gives the SD in the covariate's unit)."
        )
    if kept_binary:
        notes.append(f"0/1 covariates not standardised: {', '.join(kept_binary)}.")
    return out, names, sds, notes


# --------------------------------------------------------------------------------------------
# permutation Spearman


def _rank_corr_stat(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / math.sqrt(float(a @ a) * float(b @ b)))


def _tie_counts(x: np.ndarray, y: np.ndarray) -> dict:
    """Values sharing their value with another (tied) and distinct values, for x and y."""
    out = {}
    for name, v in (("x", x), ("y", y)):
        _, counts = np.unique(v, return_counts=True)
        out[f"tied_{name}"], out[f"distinct_{name}"] = int(counts[counts > 1].sum()), int(len(counts))
    return out


def permutation_spearman(x, y, *, n_permutations: int = 9999, seed: int = DEFAULT_SEED) -> dict:
    """Spearman's rho with a two-sided Monte Carlo permutation p-value.

    Pairs with a missing value are dropped (``n`` counts the pairs used, ``n_dropped`` the
    others). Ranks use averages for ties (as ``scipy.stats.spearmanr``). The p-value is
    ``(count + 1) / (n_permutations + 1)`` where ``count`` is the number of permutations of y
    whose |rho| is at least the observed |rho|; its smallest possible value is therefore
    ``1 / (n_permutations + 1)``. With fewer than 4 complete pairs, or a constant x or y,
    rho and p_value are NaN and ``note`` says why.

    ``ci_low``/``ci_high`` is an approximate 95% interval for rho (Fisher z with the Bonett-Wright
    variance (1 + rho^2/2) / (n - 3)). ``tied_x``/``tied_y`` count the values that share their value
    with another pair, ``distinct_x``/``distinct_y`` the distinct values (ties make rho hard to read).

    Returns a dict with keys rho, p_value, ci_low, ci_high, n, n_dropped, n_permutations, tied_x,
    tied_y, distinct_x, distinct_y, note.
    """
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    xa = _as_float(x, "x")
    ya = _as_float(y, "y")
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    keep = ~(np.isnan(xa) | np.isnan(ya))
    n = int(keep.sum())
    n_dropped = int(len(xa) - n)
    result = {
        "rho": math.nan,
        "p_value": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "n": n,
        "n_dropped": n_dropped,
        "n_permutations": int(n_permutations),
        **_tie_counts(xa[keep], ya[keep]),
        "note": "",
    }
    dropped = f" {_plural(n_dropped, 'pair')} with a missing value dropped." if n_dropped else ""
    if n < 4:
        result["note"] = (
            f"Not computed: only {_plural(n, 'complete pair')} (at least 4 are needed for a "
            f"rank correlation to mean anything).{dropped}"
        )
        return result
    rx = stats.rankdata(xa[keep])
    ry = stats.rankdata(ya[keep])
    a = rx - rx.mean()
    b = ry - ry.mean()
    if not a.any() or not b.any():
        which = "x" if not a.any() else "y"
        result["note"] = f"Not computed: {which} is constant over the {n} complete pairs.{dropped}"
        return result
    rho = _rank_corr_stat(a, b)
    threshold = abs(rho) - 1e-12  # count ties with the observed |rho| despite float rounding
    rng = np.random.default_rng(seed)
    chunk = max(1, 1_000_000 // n)
    count = 0
    done = 0
    norm = math.sqrt(float(a @ a) * float(b @ b))
    while done < n_permutations:
        m = min(chunk, n_permutations - done)
        perms = rng.permuted(np.tile(b, (m, 1)), axis=1)
        count += int(np.count_nonzero(np.abs(perms @ a) / norm >= threshold))
        done += m
    result["rho"] = rho
    result["p_value"] = (count + 1) / (n_permutations + 1)
    half = _Z95 * math.sqrt((1 + rho * rho / 2) / (n - 3))
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    result["ci_low"], result["ci_high"] = min(rho, math.tanh(z - half)), max(rho, math.tanh(z + half))
    result["note"] = (
        f"Two-sided permutation p-value from {n_permutations} permutations (seed {seed}).{dropped}"
    ).strip()
    return result


RANK_CORRELATION_COLUMNS = [
    "covariate",
    "n",
    "rho",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "tied_outcome",
    "tied_covariate",
    "ties_dominate",
    "ties",
    "n_small",
    "rho_without_small",
    "p_without_small",
    "note",
]
TIES_DOMINATE = 0.4
"""Ties dominate a side of a rank correlation when at least this share of its values is tied."""


def _ties_text(covariate: str, r: dict) -> tuple[bool, str]:
    """(ties dominate?, words): a 0/1-like covariate compares two groups; many tied values make rho unreliable."""
    if math.isnan(r["rho"]):
        return False, ""
    two_groups = r["distinct_x"] == 2
    parts = [f"{covariate} takes only two values, so rho compares two groups of counties."] if two_groups else []
    sides = [f"{r['tied_y']} of {r['n']} values of the outcome"] if r["tied_y"] >= TIES_DOMINATE * r["n"] else []
    if r["tied_x"] >= TIES_DOMINATE * r["n"] and not two_groups:
        sides.append(f"{r['tied_x']} of {r['n']} values of {covariate}")
    if sides:
        parts.append(
            f"Ties dominate ({' and '.join(sides)} are tied, e.g. at zero): Spearman's rho and its "
            "interval are unreliable here, and the permutation p-value, though it allows for ties, "
            "rests on few distinct ranks."
        )
    return bool(sides), " ".join(parts)


def rank_correlations(
    table: pd.DataFrame, outcome: str, covariates: Sequence[str], *, small: str | None = None, **kw
) -> pd.DataFrame:
    """One permutation Spearman correlation per covariate with ``outcome``, as a tidy table.

    Columns: RANK_CORRELATION_COLUMNS, one row per covariate in the order given. ``p_holm`` is
    Holm-adjusted over the covariates in this call; ci_low/ci_high the approximate 95% interval of
    rho; tied_* count tied values; ``ties`` says in words where ties dominate (TIES_DOMINATE of a
    side tied) or a covariate has two values. With ``small`` (a boolean column: rows resting on few
    cases), n_small counts them among the pairs and rho/p_without_small repeat the test without
    them (NaN when none is small or fewer than 4 rows are left). At most 3 covariates (14 counties);
    keyword arguments go to :func:`permutation_spearman` (n_permutations, seed).
    """
    what = "rank_correlations"
    covariates = _check_covariates(covariates, what=what)
    _check_not_policy_index(outcome, what=what)
    _check_columns(table, [outcome, *covariates, *([small] if small else [])], what=what)
    flag = table[small].fillna(False).astype(bool).to_numpy() if small else np.zeros(len(table), dtype=bool)
    rows = []
    for c in covariates:
        r = permutation_spearman(table[c], table[outcome], **kw)
        dominate, ties = _ties_text(c, r)
        n_small = int((flag & table[[c, outcome]].notna().all(axis=1).to_numpy()).sum())
        rest = permutation_spearman(table.loc[~flag, c], table.loc[~flag, outcome], **kw) if n_small else r
        rows.append(
            {
                **{k: r[k] for k in ("n", "rho", "ci_low", "ci_high", "p_value", "note")},
                "covariate": c,
                "tied_outcome": r["tied_y"],
                "tied_covariate": r["tied_x"],
                "ties_dominate": dominate,
                "ties": ties,
                "n_small": n_small,
                "rho_without_small": rest["rho"] if n_small else math.nan,
                "p_without_small": rest["p_value"] if n_small else math.nan,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in RANK_CORRELATION_COLUMNS if c != "p_holm"])
    out["p_holm"] = _holm(out["p_value"].to_numpy(dtype=float))
    out["n"] = out["n"].astype("int64")
    return out[RANK_CORRELATION_COLUMNS]


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values; NaN stays NaN and is not counted."""
    adj = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return adj
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[j]))
        adj[j] = running
    return adj


# --------------------------------------------------------------------------------------------
# collinearity of the covariates of a multi-covariate model

COLLINEARITY_LIMIT = 0.8
"""Above this |r| between two covariates (weighted as the model weights rows) a model cannot separate them."""
_CORR_COLUMNS = ["covariate_a", "covariate_b", "r", "n", "weights"]


def weighted_covariate_correlations(
    data: pd.DataFrame, covariates: Sequence[str], weights=None, *, weights_label: str = "rows"
) -> pd.DataFrame:
    """Pearson r of every pair of covariates, each row weighted (e.g. by its detainers).

    Columns covariate_a, covariate_b, r, n, weights (what the weights count). Rows with a missing
    value or a weight <= 0 are left out; r is NaN where a covariate is constant."""
    w = np.ones(len(data)) if weights is None else _as_float(weights, "weights")
    x = np.column_stack([_as_float(data[c], c) for c in covariates]) if covariates else np.empty((len(data), 0))
    keep = ~np.isnan(x).any(axis=1) & (w > 0)
    x, w = x[keep], w[keep]
    rows = []
    for i, a in enumerate(covariates):
        for j in range(i + 1, len(covariates)):
            d = x[:, [i, j]] - np.average(x[:, [i, j]], axis=0, weights=w) if len(w) else x[:, [i, j]]
            ss = (w[:, None] * d * d).sum(axis=0)
            r = float((w * d[:, 0] * d[:, 1]).sum() / math.sqrt(ss[0] * ss[1])) if (ss > 0).all() else math.nan
            rows.append(
                {"covariate_a": a, "covariate_b": covariates[j], "r": r, "n": int(keep.sum()), "weights": weights_label}
            )
    return pd.DataFrame(rows, columns=_CORR_COLUMNS)


def collinearity_text(corr: pd.DataFrame, limit: float = COLLINEARITY_LIMIT) -> str:
    """Words for the pairs of covariates with |r| above ``limit`` ('' when none)."""
    high = corr[corr["r"].abs() > limit]
    return "; ".join(
        f"{a} and {b} correlate at r = {_fmt(r, 2)} weighted by {w}"
        for a, b, r, w in zip(high["covariate_a"], high["covariate_b"], high["r"], high["weights"], strict=True)
    )


# --------------------------------------------------------------------------------------------
# quasi-binomial GLM


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
    covariate_correlations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_CORR_COLUMNS))


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


def _nan_coefficients(terms: list[str], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"term": pd.Series(terms, dtype=object)})
    for c in columns[1:]:
        out[c] = np.nan
    return out[columns]


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
    the dispersion estimated from the Pearson chi-square (``scale="X2"``): the quasi-binomial model, whose standard errors
    grow with overdispersion between counties. Intervals and p-values use the t distribution with
    the residual degrees of freedom. Rows with trials == 0 (no information) or a missing value are
    excluded and counted in the note. The fit is refused (NaN coefficients, reason in ``note``)
    when fewer than 2 residual degrees of freedom remain, when there are no successes or no
    failures at all, or when the covariates are constant or collinear.

    ``standardize=True`` centres continuous covariates and scales them to 1 SD (the term reads
    e.g. ``pres_dem_share (per SD)``); 0/1 covariates are left as they are. With several
    covariates, their correlation weighted by trials is returned, and the note warns (the fit is
    kept: its t-based intervals widen with collinearity) when |r| > ``max_covariate_r``.
    """
    import statsmodels.api as sm

    what = "quasi_binomial_glm"
    covariates = _check_covariates(covariates, what=what)
    _check_not_policy_index(successes, what=what)
    _check_columns(table, [successes, trials, *covariates], what=what)

    data = pd.DataFrame(
        {"_s": _as_float(table[successes], successes), "_t": _as_float(table[trials], trials)}, index=range(len(table))
    )
    for c in covariates:
        data[c] = _as_float(table[c], c)
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
        notes.append(f"{_plural(int(missing.sum()), 'row')} with a missing value excluded.")
    data = data[~missing]
    zero = data["_t"] == 0
    if zero.any():
        notes.append(f"{_plural(int(zero.sum()), 'row')} with {trials} == 0 excluded (no information).")
    data = data[~zero]

    n = len(data)
    k = 1 + len(covariates)
    df_resid = float(n - k)
    design, names, sds, std_notes = (
        _standardise(data, covariates, standardize) if n else (pd.DataFrame(), [c for c in covariates], {}, [])
    )
    terms = ["Intercept", *names]
    header = f"Quasi-binomial GLM (logit link) of {successes}/{trials} on {n} of {n_in} rows."
    corr = weighted_covariate_correlations(data, covariates, data["_t"], weights_label=trials)
    if collinearity_text(corr, max_covariate_r):
        notes.append(
            f"Warning: {collinearity_text(corr, max_covariate_r)} (|r| above {_fmt(max_covariate_r, 1)}): "
            "the model cannot separate these covariates, so their adjusted estimates are unstable; "
            "read them one at a time."
        )

    def refuse(reason: str) -> GlmResult:
        coef = _nan_coefficients(terms, _GLM_COLUMNS)
        return GlmResult(coef, math.nan, n, df_resid, _join_notes([header, f"Not fitted: {reason}", *notes]), corr)

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

    # Proportions with var_weights = trials, not the (successes, failures) endog: in statsmodels
    # 0.15 the two-column form gives the same estimates but its scale="X2" dispersion ignores the
    # number of trials (about 1/mean(trials) too small), which would shrink every standard error.
    trials_used = data["_t"].to_numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.GLM(
            data["_s"].to_numpy() / trials_used, exog.to_numpy(), family=sm.families.Binomial(), var_weights=trials_used
        ).fit(scale="X2", use_t=True)
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
    dispersion = float(fit.scale)
    notes = [
        header,
        f"Dispersion (Pearson X2 / df_resid) = {_fmt(dispersion, 2)}"
        + ("; below 1, so intervals are narrower than plain binomial ones." if dispersion < 1 else "."),
        f"95% intervals and p-values use the t distribution with {df_resid:g} residual degrees of freedom.",
        *std_notes,
        *notes,
        *[f"statsmodels warned: {w}" for w in _warning_texts(caught)],
        "Descriptive: an association across counties, not an effect on individuals.",
    ]
    return GlmResult(coef[_GLM_COLUMNS], dispersion, n, float(fit.df_resid), _join_notes(notes), corr)


# --------------------------------------------------------------------------------------------
# Bayesian mixed binomial GLM (random intercept per group)


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
    covariate_correlations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_CORR_COLUMNS))


_FE_COLUMNS = ["term", "estimate", "sd", "ci_low", "ci_high", "odds_ratio", "or_low", "or_high", "covariate_sd"]
_RE_SD_COLUMNS = ["term", "estimate", "median", "ci_low", "ci_high", "log_sd_mean", "log_sd_sd"]
_GROUP_COLUMNS = ["group", "n", "successes", "observed_share", "estimate", "sd", "ci_low", "ci_high", "fitted_share"]


def _binary_outcome(values, name: str) -> np.ndarray:
    y = _as_float(values, name)
    ok = ~np.isnan(y)
    if not np.isin(y[ok], (0.0, 1.0)).all():
        raise ValueError(
            f"outcome '{name}' must be 0/1 (or boolean), found values "
            f"{sorted(set(np.unique(y[ok]).tolist()) - {0.0, 1.0})[:5]}; "
            "build it first, e.g. rows['custody'] = rows['outcome'].eq('custody')"
        )
    return y


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
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    what = "mixed_binomial_glm"
    covariates = _check_covariates(list(covariates), what=what)
    _check_not_policy_index(outcome, what=what)
    _check_columns(rows, [outcome, group, *covariates], what=what)

    data = pd.DataFrame({"_y": _binary_outcome(rows[outcome], outcome)}, index=range(len(rows)))
    data["_g"] = rows[group].to_numpy(dtype=object)
    data.loc[pd.isna(rows[group]).to_numpy(), "_g"] = np.nan
    for c in covariates:
        data[c] = _as_float(rows[c], c)
    notes: list[str] = []
    n_in = len(data)
    missing = data["_y"].isna() | pd.isna(data["_g"]) | data[covariates].isna().any(axis=1)
    if missing.any():
        notes.append(f"{_plural(int(missing.sum()), 'row')} with a missing outcome, group or covariate dropped.")
    data = data[~missing].reset_index(drop=True)
    n = len(data)
    groups = sorted(pd.unique(data["_g"]).tolist(), key=str)
    design, names, sds, std_notes = (
        _standardise(data, covariates, standardize) if n else (pd.DataFrame(), list(covariates), {}, [])
    )
    terms = ["Intercept", *names]
    header = (
        f"Logistic random-intercept model of {outcome} on {n} of {n_in} rows in "
        f"{_plural(len(groups), 'group')} of {group}, fitted by variational Bayes (seed {seed})."
    )
    prior = {"fe_p": float(fe_p), "vcp_p": float(vcp_p)}

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

    def refuse(reason: str) -> MixedResult:
        ge = group_base.copy()
        for c in _GROUP_COLUMNS[4:]:
            ge[c] = np.nan
        re_sd = _nan_coefficients([f"sd({group} intercept)"], _RE_SD_COLUMNS)
        return MixedResult(
            _nan_coefficients(terms, _FE_COLUMNS),
            re_sd,
            ge[_GROUP_COLUMNS],
            n,
            len(groups),
            False,
            _join_notes([header, f"Not fitted: {reason}", *notes]),
            seed,
            prior,
            corr,
        )

    corr = weighted_covariate_correlations(
        data, covariates, weights_label="rows (each group by its number of rows, e.g. detainers)"
    )
    if len(groups) < 2:
        return refuse(f"{_plural(len(groups), 'group')} left; a random intercept needs at least 2.")
    if n == 0 or data["_y"].nunique() < 2:
        return refuse(f"{outcome} does not vary over the rows analysed.")
    if collinearity_text(corr, max_covariate_r):
        return refuse(
            f"{collinearity_text(corr, max_covariate_r)} (|r| above {_fmt(max_covariate_r, 1)}): the model "
            "cannot separate their effects, and with variational Bayes and so few groups the intervals "
            "would still look narrow. Fit one covariate at a time."
        )
    exog = pd.concat([pd.Series(1.0, index=data.index, name="Intercept"), design], axis=1)
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return refuse("the covariates are constant or collinear over the rows analysed.")

    code = pd.Categorical(data["_g"], categories=groups).codes
    exog_vc = np.zeros((n, len(groups)))
    exog_vc[np.arange(n), code] = 1.0
    model = BinomialBayesMixedGLM(
        data["_y"].to_numpy(),
        exog.to_numpy(),
        exog_vc,
        np.zeros(len(groups), dtype=int),
        vcp_p=vcp_p,
        fe_p=fe_p,
        fep_names=terms,
        vcp_names=[f"sd({group} intercept)"],
        vc_names=[str(g) for g in groups],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit_vb(rng=np.random.default_rng(seed))
    converged = bool(getattr(fit.optim_retvals, "success", True))

    fe = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "estimate": np.asarray(fit.fe_mean, dtype=float),
            "sd": np.asarray(fit.fe_sd, dtype=float),
        }
    )
    fe["ci_low"] = fe["estimate"] - _Z95 * fe["sd"]
    fe["ci_high"] = fe["estimate"] + _Z95 * fe["sd"]
    fe["odds_ratio"] = np.exp(fe["estimate"])
    fe["or_low"] = np.exp(fe["ci_low"])
    fe["or_high"] = np.exp(fe["ci_high"])
    fe["covariate_sd"] = [sds.get(t, np.nan) for t in terms]

    m, s = float(fit.vcp_mean[0]), float(fit.vcp_sd[0])
    re_sd = pd.DataFrame(
        {
            "term": pd.Series([f"sd({group} intercept)"], dtype=object),
            "estimate": [math.exp(m + s * s / 2)],
            "median": [math.exp(m)],
            "ci_low": [math.exp(m - _Z95 * s)],
            "ci_high": [math.exp(m + _Z95 * s)],
            "log_sd_mean": [m],
            "log_sd_sd": [s],
        }
    )

    ge = group_base.copy()
    ge["estimate"] = np.asarray(fit.vc_mean, dtype=float)
    ge["sd"] = np.asarray(fit.vc_sd, dtype=float)
    ge["ci_low"] = ge["estimate"] - _Z95 * ge["sd"]
    ge["ci_high"] = ge["estimate"] + _Z95 * ge["sd"]
    xbar = exog.groupby(code, sort=True).mean().reindex(range(len(groups))).to_numpy()
    ge["fitted_share"] = 1.0 / (1.0 + np.exp(-(xbar @ fe["estimate"].to_numpy() + ge["estimate"].to_numpy())))

    notes = [
        header,
        f"Priors: fixed effects N(0, {_fmt(fe_p, 2)}^2) on the log-odds scale; log SD of the random "
        f"intercept N(0, {_fmt(vcp_p, 2)}^2).",
        f"Intervals are mean ± 1.96 posterior SD under the variational approximation, which understates "
        f"uncertainty, the more so with only {_plural(len(groups), 'group')}: read them as too narrow.",
        f"The log-normal prior keeps the random-intercept SD away from zero; with {len(groups)} groups its "
        "interval reflects the prior as much as the data.",
        *std_notes,
        *notes,
        *(
            []
            if converged
            else ["The variational optimisation did not report convergence: treat results with caution."]
        ),
        *[f"statsmodels warned: {w}" for w in _warning_texts(caught)],
    ]
    return MixedResult(
        fe[_FE_COLUMNS],
        re_sd[_RE_SD_COLUMNS],
        ge[_GROUP_COLUMNS],
        n,
        len(groups),
        converged,
        _join_notes(notes),
        seed,
        prior,
        corr,
    )


# --------------------------------------------------------------------------------------------
# interrupted time series


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
    import statsmodels.api as sm

    if not isinstance(series, pd.Series):
        raise ValueError("interrupted_time_series: series must be a pandas Series with a DatetimeIndex")
    if hac_lags < 0 or int(hac_lags) != hac_lags:
        raise ValueError(f"hac_lags must be a non-negative integer, got {hac_lags}")
    hac_lags = int(hac_lags)
    try:
        index = pd.DatetimeIndex(series.index)
    except (TypeError, ValueError) as exc:
        raise ValueError("interrupted_time_series: the series index must be dates") from exc
    values = pd.Series(_as_float(series, series.name or "series"), index=index).sort_index()
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        raise ValueError(f"interrupted_time_series: date {dup.date()} appears more than once; aggregate first")
    unit = _period_unit(freq)
    event = pd.Timestamp(event_date)
    terms = ["intercept", f"time (per {unit})", "level change at event", f"slope change after event (per {unit})"]

    if len(values) == 0:
        grid = pd.DatetimeIndex([])
    else:
        grid = pd.date_range(values.index[0], values.index[-1], freq=freq)
        off_grid = values.index[~values.index.isin(grid)]
        if len(off_grid) or len(grid) == 0 or grid[0] != values.index[0]:
            first = off_grid[0] if len(off_grid) else values.index[0]
            raise ValueError(
                f"interrupted_time_series: date {first.date()} is not on the '{freq}' grid; aggregate to "
                f"regular periods first, e.g. series.resample('{freq}').mean()"
            )
    y = values.reindex(grid)
    t = np.arange(len(grid), dtype=float)

    # which period is the first "after", and is one period left out?
    on_or_after = grid >= event
    excluded = np.zeros(len(grid), dtype=bool)
    if exclude_event_period and len(grid) and grid[0] < event and not (grid == event).any():
        containing = int(np.flatnonzero(grid <= event)[-1])
        if event < grid[containing] + pd.tseries.frequencies.to_offset(freq):
            excluded[containing] = True
    after = on_or_after
    first_after = grid[after][0] if after.any() else None
    t_event = float(np.flatnonzero(after)[0]) if after.any() else math.nan

    segment = np.where(after, "after", "before").astype(object)
    segment[excluded] = "event period (excluded)"
    observed = y.to_numpy(dtype=float)
    missing = np.isnan(observed) & ~excluded
    segment[missing] = "missing"
    use = ~excluded & ~missing
    n_before = int((use & ~after).sum())
    n_after = int((use & after).sum())

    X = np.column_stack(
        [
            np.ones_like(t),
            t,
            after.astype(float),
            np.where(after, t - (t_event if not math.isnan(t_event) else 0.0), 0.0),
        ]
    )
    fitted = pd.DataFrame(
        {"date": grid, "segment": segment, "observed": observed, "fitted": np.nan, "counterfactual": np.nan}
    )

    notes: list[str] = []
    if excluded.any():
        notes.append(
            f"The {unit} containing the event ({grid[excluded][0].date()}) is left out: it mixes before and after."
        )
    if missing.any():
        notes.append(
            f"{_plural(int(missing.sum()), 'period')} with no value dropped; HAC lags then treat the "
            "neighbours of a gap as consecutive."
        )
    header = f"Segmented regression around {event.date()}: {n_before} {unit}s before, {n_after} after" + (
        f" (from {first_after.date()})." if first_after is not None else "."
    )

    def refuse(reason: str) -> ItsResult:
        return ItsResult(
            _nan_coefficients(terms, _ITS_COLUMNS),
            fitted,
            n_before,
            n_after,
            _join_notes([header, f"Not fitted: {reason}", *notes]),
            event,
            first_after,
            hac_lags,
        )

    if n_before < min_points or n_after < min_points:
        side = " and ".join(s for s, k in (("before", n_before), ("after", n_after)) if k < min_points)
        return refuse(
            f"too few observed points {side} the event (at least {min_points} on each side are "
            "needed to separate a trend from a level change)."
        )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.OLS(observed[use], X[use]).fit(
            cov_type="HAC", cov_kwds={"maxlags": hac_lags, "use_correction": True}, use_t=True
        )
    params = np.asarray(fit.params, dtype=float)
    ci = np.asarray(fit.conf_int(alpha=0.05), dtype=float)
    coef = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype=object),
            "estimate": params,
            "std_error": np.asarray(fit.bse, dtype=float),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(fit.pvalues, dtype=float),
        }
    )
    pred = X @ params
    counter = X[:, :2] @ params[:2]
    fitted.loc[~excluded, "fitted"] = pred[~excluded]
    fitted.loc[~excluded, "counterfactual"] = counter[~excluded]
    notes = [
        header,
        f"OLS with Newey-West (HAC, {hac_lags} lags) standard errors; 95% intervals use the t distribution "
        f"with {fit.df_resid:g} degrees of freedom; in short autocorrelated series HAC intervals are "
        "usually too narrow, so read them as optimistic.",
        "The level change is measured against the pre-event trend continued, and assumes that trend would "
        "have gone on; other changes at the same time are not separated from the event.",
        *notes,
        *[f"statsmodels warned: {w}" for w in _warning_texts(caught)],
    ]
    return ItsResult(coef[_ITS_COLUMNS], fitted, n_before, n_after, _join_notes(notes), event, first_after, hac_lags)


# --------------------------------------------------------------------------------------------


def ecological_inference_note() -> str:
    """Plain-language caveat for any county-level association in a notebook."""
    return (
        "These are associations between county-level figures, not facts about people: they say nothing "
        "about how any individual detainer, person or deputy was treated (the ecological fallacy). "
        "With only 14 counties, and fewer with enough detainers to measure, they are descriptive: "
        "permutation p-values and wide intervals, at most 2-3 covariates, and no claim of cause."
    )
