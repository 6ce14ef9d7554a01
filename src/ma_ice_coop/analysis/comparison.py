"""Comparing counties and measures: which estimates rest on few cases (small by data), the state pool,
which side of the pool a county lies on, and how measures rank the counties alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import HEADLINE_MEASURES, measure_kind

# Small by data, not by population: a county's estimate of a measure is flagged "small" (read its
# interval, do not rank it) when it rests on few cases. Shares: fewer than SMALL_SHARE_DENOMINATOR
# detainers in the denominator. Counts and rates: fewer than SMALL_EVENT_COUNT events in the
# numerator. Complete administrative counts are never small. A row with no denominator (0) or no
# events to measure is "no data", which is not the same as small.
SMALL_SHARE_DENOMINATOR = 30


SMALL_EVENT_COUNT = 10


def small_by_data(table: pd.DataFrame) -> pd.Series:
    """Per row of a measure table (MEASURE_COLUMNS): True where the estimate rests on few cases.

    Shares: 0 < denominator < SMALL_SHARE_DENOMINATOR (detainers). Counts and rates: numerator
    (events) < SMALL_EVENT_COUNT where the denominator exists. Administrative measures: never."""
    kinds = table["measure"].map(measure_kind)
    numerator = table["numerator"].astype("float64")
    denominator = table["denominator"].astype("float64")
    share_small = (kinds == "share") & (denominator > 0) & (denominator < SMALL_SHARE_DENOMINATOR)
    has_exposure = denominator.isna() | (denominator > 0)
    event_small = kinds.isin(["rate", "count"]) & has_exposure & (numerator < SMALL_EVENT_COUNT)
    return (share_small | event_small).rename("small_by_data")


def small_rule(measure: str) -> str:
    """The rule that flags a county as small for `measure`, in words (for report text)."""
    kind = measure_kind(measure)
    if kind == "share":
        return f"fewer than {SMALL_SHARE_DENOMINATOR} detainers in the denominator"
    if kind in ("rate", "count"):
        return f"fewer than {SMALL_EVENT_COUNT} events counted"
    return "never (complete administrative counts)"


def pooled_estimate(table: pd.DataFrame) -> float:
    """The state pool of a share or rate: sum of numerators over sum of denominators (NaN if none).

    For rates per 100,000 (or per 1,000) the scale of the table's estimates is kept."""
    num, den = table["numerator"].sum(), table["denominator"].sum()
    if not den > 0:
        return float("nan")
    ratio = num / den
    with_den = table[(table["denominator"] > 0) & (table["numerator"] > 0)]
    if len(with_den):  # recover the scale (e.g. per 100,000) from any row
        row = with_den.iloc[0]
        ratio *= row["estimate"] / (row["numerator"] / row["denominator"])
    return float(ratio)


def pool_side(tables: list[pd.DataFrame]) -> pd.Series:
    """Per county_fips: 'above' ('below') where, in every table (a measure and its sensitivity variants), the
    county's 95% interval lies wholly above (below) that table's own pool; '' otherwise."""
    sides = []
    for table in tables:
        pool = pooled_estimate(table)
        t = table.set_index("county_fips")
        side = np.where(t["ci_low"] > pool, "above", np.where(t["ci_high"] < pool, "below", ""))
        sides.append(pd.Series(side, index=t.index))
    frame = pd.concat(sides, axis=1)
    return frame.iloc[:, 0].where(frame.nunique(axis=1) == 1, "")


def measure_rank_agreement(wide: pd.DataFrame, measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """Spearman rank correlation between every pair of measures over the counties where both exist."""
    rows = []
    for i, a in enumerate(measures):
        for b in measures[i + 1 :]:
            both = wide[[a, b]].dropna()
            rho = both[a].rank().corr(both[b].rank()) if len(both) >= 4 else float("nan")
            rows.append({"measure_a": a, "measure_b": b, "counties": len(both), "spearman_rho": rho})
    return pd.DataFrame(rows)
