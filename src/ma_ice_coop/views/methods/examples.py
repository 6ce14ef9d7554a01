"""The worked examples' numbers, each computed with the project's own functions from a measure table
(analysis.intervals, analysis.shrinkage, present.figures.funnel_limits); nothing here formats text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.model_checks import Z95
from ma_ice_coop.present.figures import funnel_limits

FUNNEL_LEVELS = (0.95, 0.998)
"""Control limits of the funnel plot (as in the which-counties report)."""


def example_row(table: pd.DataFrame, county: str) -> tuple[pd.Series, bool]:
    """(the county's row, True) when it has a denominator; else (the row with the largest denominator, False),
    so that a worked example always has numbers to show."""
    rows = table[table["county"] == county]
    if len(rows) and rows["denominator"].iloc[0] > 0:
        return rows.iloc[0], True
    with_data = table[table["denominator"] > 0].sort_values(["denominator", "county"], ascending=[False, True])
    return with_data.iloc[0], False


def share_example(row: pd.Series) -> dict:
    """A share's numerator k, denominator n, estimate and Jeffreys 95% interval (analysis.intervals), the Beta
    distribution the interval comes from, and the normal approximation's interval for contrast."""
    k, n = float(row["numerator"]), float(row["denominator"])
    low, high = measures.proportion_interval([k], [n])
    wald_low, wald_high = wald_interval(k, n)
    return {
        "county": row["county"],
        "k": k,
        "n": n,
        "estimate": k / n,
        "ci_low": float(low[0]),
        "ci_high": float(high[0]),
        "beta_a": k + 0.5,
        "beta_b": n - k + 0.5,
        "wald_low": wald_low,
        "wald_high": wald_high,
    }


def wald_interval(k: float, n: float) -> tuple[float, float]:
    """The normal-approximation (Wald) 95% interval p ± 1.96·sqrt(p(1-p)/n), unclipped: shown only to say why the
    project never uses it (at k = 0 or k = n it has no width; near 0 or 1 it leaves [0, 1])."""
    p = k / n
    half = Z95 * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def zero_share_row(table: pd.DataFrame) -> pd.Series | None:
    """The county with a share of exactly 0 on the most detainers (None if no county has one)."""
    zero = table[(table["numerator"] == 0) & (table["denominator"] > 0)]
    if zero.empty:
        return None
    return zero.sort_values(["denominator", "county"], ascending=[False, True]).iloc[0]


def rate_example(row: pd.Series) -> dict:
    """A rate's count k, exposure (person-years) and exact (Garwood) 95% interval, for the count itself and per
    100,000 person-years (analysis.intervals.poisson_interval)."""
    k, exposure = float(row["numerator"]), float(row["denominator"])
    count_low, count_high = measures.poisson_interval([k])
    low, high = measures.poisson_interval([k], exposure / measures.PER_100K)
    period = measures.JAIL_ARRESTS
    return {
        "county": row["county"],
        "k": k,
        "exposure": exposure,
        "years": (period.end - period.start).days / 365.25,
        "count_low": float(count_low[0]),
        "count_high": float(count_high[0]),
        "estimate": k / exposure * measures.PER_100K,
        "ci_low": float(low[0]),
        "ci_high": float(high[0]),
    }


def small_count_row(table: pd.DataFrame) -> pd.Series:
    """The county with the fewest events (at least one) among those with an exposure: its interval is the most
    lopsided."""
    rows = table[(table["numerator"] > 0) & (table["denominator"] > 0)]
    return rows.sort_values(["numerator", "county"]).iloc[0]


def funnel_positions(table: pd.DataFrame, pooled: float) -> pd.DataFrame:
    """Per county with detainers: k, n, share, the exact binomial control limits around the pool at its n
    (FUNNEL_LEVELS) and where the share lies ('inside', 'above 95%', 'below 99.8%', ...)."""
    placed = table[table["denominator"] > 0].reset_index(drop=True)
    n = placed["denominator"].to_numpy(dtype=float)
    share = placed["numerator"].to_numpy(dtype=float) / n
    out = pd.DataFrame({"county": placed["county"], "k": placed["numerator"], "n": n, "share": share})
    position = np.full(len(out), "inside", dtype=object)
    for level in FUNNEL_LEVELS:
        low, high = funnel_limits(pooled, n, level)
        tag = level_tag(level)
        out[f"low_{tag}"], out[f"high_{tag}"] = low, high
        position = np.where(share > high, f"above {tag}", np.where(share < low, f"below {tag}", position))
    out["position"] = position
    return out


def level_tag(level: float) -> str:
    """0.95 -> '95%', 0.998 -> '99.8%'."""
    return f"{level * 100:.1f}".rstrip("0").rstrip(".") + "%"


def shrinkage_rows(table: pd.DataFrame, sensitivity: dict) -> pd.DataFrame:
    """Per county with detainers: k, n, raw share and the shrunken share under the fitted prior and at both
    ends of the prior concentration's 95% range (analysis.shrinkage.shrinkage_sensitivity)."""
    out = pd.DataFrame(
        {
            "county": table["county"],
            "k": table["numerator"],
            "n": table["denominator"],
            "raw": table["estimate"],
            "shrunk": sensitivity["fitted"]["estimate"].to_numpy(),
            "shrunk_low": sensitivity["fitted"]["ci_low"].to_numpy(),
            "shrunk_high": sensitivity["fitted"]["ci_high"].to_numpy(),
            "least": sensitivity["low"]["estimate"].to_numpy(),
            "most": sensitivity["high"]["estimate"].to_numpy(),
        }
    )
    return out[out["n"] > 0].reset_index(drop=True)


def small_and_large(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The county with the fewest detainers (ties: the larger move under shrinkage, then name) and the one with
    the most."""
    by_move = rows.assign(move=(rows["shrunk"] - rows["raw"]).abs())
    small = by_move.sort_values(["n", "move", "county"], ascending=[True, False, True]).iloc[0]
    large = rows.sort_values(["n", "county"], ascending=[False, True]).iloc[0]
    return small, large


def ecological_bounds(joined: pd.DataFrame, covariate: str) -> pd.DataFrame:
    """Duncan-Davis bounds: from a county's arrests per person-year T and its foreign-born share X alone, the
    arrest rate of foreign-born residents can be anything in [max(0, (T - (1 - X)) / X), min(1, T / X)] and that
    of the others in [max(0, (T - X) / (1 - X)), min(1, T / (1 - X))]. Rates per 100,000 person-years."""
    t = joined["numerator"].to_numpy(dtype=float) / joined["denominator"].to_numpy(dtype=float)
    x = joined[covariate].to_numpy(dtype=float)
    scale = measures.PER_100K
    return pd.DataFrame(
        {
            "county": joined["county"],
            "rate": t * scale,
            "share": x,
            "foreign_low": np.maximum(0.0, (t - (1 - x)) / x) * scale,
            "foreign_high": np.minimum(1.0, t / x) * scale,
            "other_low": np.maximum(0.0, (t - x) / (1 - x)) * scale,
            "other_high": np.minimum(1.0, t / (1 - x)) * scale,
        }
    )
