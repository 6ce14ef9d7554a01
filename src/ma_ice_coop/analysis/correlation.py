"""Rank correlations with permutation p-values (Spearman, Holm-adjusted over covariates), and the weighted
correlations of a model's covariates that say when two of them cannot be separated."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ma_ice_coop.analysis.model_checks import (
    DEFAULT_SEED,
    Z95,
    as_float,
    check_columns,
    check_covariates,
    check_not_policy_index,
    fmt_number,
    plural,
)


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
    xa, ya = as_float(x, "x"), as_float(y, "y")
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
    dropped = f" {plural(n_dropped, 'pair')} with a missing value dropped." if n_dropped else ""
    if n < 4:
        result["note"] = (
            f"Not computed: only {plural(n, 'complete pair')} (at least 4 are needed for a "
            f"rank correlation to mean anything).{dropped}"
        )
        return result
    rx, ry = stats.rankdata(xa[keep]), stats.rankdata(ya[keep])
    x_centred = rx - rx.mean()
    y_centred = ry - ry.mean()
    if not x_centred.any() or not y_centred.any():
        which = "x" if not x_centred.any() else "y"
        result["note"] = f"Not computed: {which} is constant over the {n} complete pairs.{dropped}"
        return result
    rho = _rank_corr_stat(x_centred, y_centred)
    count = _permutations_at_least(x_centred, y_centred, abs(rho), n_permutations, seed)
    result["rho"] = rho
    result["p_value"] = (count + 1) / (n_permutations + 1)
    result["ci_low"], result["ci_high"] = _fisher_interval(rho, n)
    result["note"] = (
        f"Two-sided permutation p-value from {n_permutations} permutations (seed {seed}).{dropped}"
    ).strip()
    return result


def _permutations_at_least(x_centred, y_centred, observed: float, n_permutations: int, seed: int) -> int:
    """How many random permutations of y give |rho| >= the observed |rho| (in chunks, from default_rng(seed))."""
    threshold = observed - 1e-12  # count ties with the observed |rho| despite float rounding
    rng = np.random.default_rng(seed)
    chunk = max(1, 1_000_000 // len(x_centred))
    count = 0
    done = 0
    norm = math.sqrt(float(x_centred @ x_centred) * float(y_centred @ y_centred))
    while done < n_permutations:
        size = min(chunk, n_permutations - done)
        perms = rng.permuted(np.tile(y_centred, (size, 1)), axis=1)
        count += int(np.count_nonzero(np.abs(perms @ x_centred) / norm >= threshold))
        done += size
    return count


def _fisher_interval(rho: float, n: int) -> tuple[float, float]:
    """Approximate 95% interval of rho: Fisher z with the Bonett-Wright variance (1 + rho^2/2) / (n - 3)."""
    half = Z95 * math.sqrt((1 + rho * rho / 2) / (n - 3))
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    return min(rho, math.tanh(z - half)), max(rho, math.tanh(z + half))


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


def _ties_text(covariate: str, test: dict) -> tuple[bool, str]:
    """(ties dominate?, words): a 0/1-like covariate compares two groups; many tied values make rho unreliable."""
    if math.isnan(test["rho"]):
        return False, ""
    two_groups = test["distinct_x"] == 2
    parts = [f"{covariate} takes only two values, so rho compares two groups of counties."] if two_groups else []
    sides = (
        [f"{test['tied_y']} of {test['n']} values of the outcome"]
        if test["tied_y"] >= TIES_DOMINATE * test["n"]
        else []
    )
    if test["tied_x"] >= TIES_DOMINATE * test["n"] and not two_groups:
        sides.append(f"{test['tied_x']} of {test['n']} values of {covariate}")
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
    covariates = check_covariates(covariates, what=what)
    check_not_policy_index(outcome, what=what)
    check_columns(table, [outcome, *covariates, *([small] if small else [])], what=what)
    flag = table[small].fillna(False).astype(bool).to_numpy() if small else np.zeros(len(table), dtype=bool)
    rows = []
    for covariate in covariates:
        test = permutation_spearman(table[covariate], table[outcome], **kw)
        dominate, ties = _ties_text(covariate, test)
        n_small = int((flag & table[[covariate, outcome]].notna().all(axis=1).to_numpy()).sum())
        rest = permutation_spearman(table.loc[~flag, covariate], table.loc[~flag, outcome], **kw) if n_small else test
        rows.append(
            {
                **{k: test[k] for k in ("n", "rho", "ci_low", "ci_high", "p_value", "note")},
                "covariate": covariate,
                "tied_outcome": test["tied_y"],
                "tied_covariate": test["tied_x"],
                "ties_dominate": dominate,
                "ties": ties,
                "n_small": n_small,
                "rho_without_small": rest["rho"] if n_small else math.nan,
                "p_without_small": rest["p_value"] if n_small else math.nan,
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in RANK_CORRELATION_COLUMNS if c != "p_holm"])
    out["p_holm"] = holm(out["p_value"].to_numpy(dtype=float))
    out["n"] = out["n"].astype("int64")
    return out[RANK_CORRELATION_COLUMNS]


def holm(p: np.ndarray) -> np.ndarray:
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


COLLINEARITY_LIMIT = 0.8
"""Above this |r| between two covariates (weighted as the model weights rows) a model cannot separate them."""


CORR_COLUMNS = ["covariate_a", "covariate_b", "r", "n", "weights"]


def weighted_covariate_correlations(
    data: pd.DataFrame, covariates: Sequence[str], weights=None, *, weights_label: str = "rows"
) -> pd.DataFrame:
    """Pearson r of every pair of covariates, each row weighted (e.g. by its detainers).

    Columns covariate_a, covariate_b, r, n, weights (what the weights count). Rows with a missing
    value or a weight <= 0 are left out; r is NaN where a covariate is constant."""
    w = np.ones(len(data)) if weights is None else as_float(weights, "weights")
    x = np.column_stack([as_float(data[c], c) for c in covariates]) if covariates else np.empty((len(data), 0))
    keep = ~np.isnan(x).any(axis=1) & (w > 0)
    x, w = x[keep], w[keep]
    rows = []
    for i, first in enumerate(covariates):
        for j in range(i + 1, len(covariates)):
            pair = x[:, [i, j]]
            deviations = pair - np.average(pair, axis=0, weights=w) if len(w) else pair
            ss = (w[:, None] * deviations * deviations).sum(axis=0)
            pearson = (
                float((w * deviations[:, 0] * deviations[:, 1]).sum() / math.sqrt(ss[0] * ss[1]))
                if (ss > 0).all()
                else math.nan
            )
            rows.append(
                {
                    "covariate_a": first,
                    "covariate_b": covariates[j],
                    "r": pearson,
                    "n": int(keep.sum()),
                    "weights": weights_label,
                }
            )
    return pd.DataFrame(rows, columns=CORR_COLUMNS)


def collinearity_text(corr: pd.DataFrame, limit: float = COLLINEARITY_LIMIT) -> str:
    """Words for the pairs of covariates with |r| above ``limit`` ('' when none)."""
    high = corr[corr["r"].abs() > limit]
    return "; ".join(
        f"{first} and {second} correlate at r = {fmt_number(pearson, 2)} weighted by {weights}"
        for first, second, pearson, weights in zip(
            high["covariate_a"], high["covariate_b"], high["r"], high["weights"], strict=True
        )
    )
