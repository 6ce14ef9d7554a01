"""Where a county sits among US counties: size bands, percentiles with the interval carried through, and the
national covariates at a year (the latest value at or before it).

A county's percentile is the share of its peers (counties of similar size, with enough detainers for a share)
whose estimate is below its own, ties counted half; the range is the same percentile at the two ends of the
county's 95% interval. Peers' own uncertainty is not propagated: the range says how much the county's own
sampling moves it, not how precisely the whole distribution is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.tables.catalogue import catalogue

# Population bands (residents in 2015): the Census Bureau's own ranges for county size tables are finer; four
# bands keep several hundred peers in each.
SIZE_BANDS = (0, 50_000, 250_000, 1_000_000, np.inf)
SIZE_LABELS = ("under 50,000", "50,000 to 250,000", "250,000 to 1 million", "1 million or more")
UNKNOWN_SIZE = "unknown size"
MIN_PEER_DETAINERS = 10  # a share from fewer detainers is too uncertain to rank a county among its peers
COMPARED_MEASURES = ("detainers_per_100k", "custody_share", "declined_share", "unresolved_share")


def size_band(population: pd.Series) -> pd.Series:
    """The size band label of each population ('unknown size' when the population is missing)."""
    bands = pd.cut(population, bins=list(SIZE_BANDS), labels=list(SIZE_LABELS), right=False)
    return bands.astype(object).where(bands.notna(), UNKNOWN_SIZE)


def percentile_among(peers: np.ndarray, value: float) -> float:
    """Percent of `peers` below `value`, ties counted half (0-100); NaN when there are no peers or no value."""
    peers = np.asarray(peers, dtype="float64")
    peers = peers[np.isfinite(peers)]
    if not len(peers) or not np.isfinite(value):
        return float("nan")
    return float(100 * ((peers < value).sum() + 0.5 * (peers == value).sum()) / len(peers))


def latest_covariates(covariates: pd.DataFrame, variables: list[str], year: int) -> pd.DataFrame:
    """County x variable values at the latest year <= `year` (else the earliest after), with `<variable>_year`.

    `covariates`: the long national panel (county_fips, year, variable, value)."""
    frames = []
    for variable in variables:
        rows = covariates[covariates["variable"] == variable].dropna(subset=["value"])
        before = rows[rows["year"] <= year]
        chosen_year = int(before["year"].max()) if not before.empty else int(rows["year"].min())
        chosen = rows[rows["year"] == chosen_year].set_index("county_fips")["value"]
        frames.append(chosen.rename(variable).astype("float64"))
        frames.append(pd.Series(chosen_year, index=chosen.index, name=f"{variable}_year"))
    return pd.concat(frames, axis=1)


def comparable(table: pd.DataFrame, measure: str) -> pd.Series:
    """Rows of a national measure table (one measure) that can be ranked: shares need MIN_PEER_DETAINERS."""
    if catalogue().measure(measure).kind == "share":
        return table["denominator"] >= MIN_PEER_DETAINERS
    return table["denominator"] > 0


def country_comparison(national: pd.DataFrame, population: pd.Series, county_fips: str) -> pd.DataFrame:
    """The county's percentile among US counties of its size band for each COMPARED_MEASURES measure.

    `national`: national_county_measures rows; `population`: county_fips -> residents (2015). Columns: measure,
    estimate, ci_low, ci_high, denominator, band, peers, percentile, percentile_low, percentile_high, note."""
    bands = size_band(population)
    band = bands.get(county_fips, UNKNOWN_SIZE)
    rows = []
    for measure in COMPARED_MEASURES:
        table = national[national["measure"] == measure].set_index("county_fips")
        if county_fips not in table.index:
            continue
        own = table.loc[county_fips]
        peers = table[(bands.reindex(table.index) == band) & comparable(table.reset_index(), measure).to_numpy()]
        rankable = bool(comparable(own.to_frame().T, measure).iloc[0])
        values = peers["estimate"].to_numpy()
        row = {
            "measure": measure,
            "estimate": own["estimate"],
            "ci_low": own["ci_low"],
            "ci_high": own["ci_high"],
            "denominator": own["denominator"],
            "band": band,
            "peers": len(peers),
            "percentile": percentile_among(values, own["estimate"]) if rankable else np.nan,
            "percentile_low": percentile_among(values, own["ci_low"]) if rankable else np.nan,
            "percentile_high": percentile_among(values, own["ci_high"]) if rankable else np.nan,
            "note": "" if rankable else f"fewer than {MIN_PEER_DETAINERS} detainers: not ranked",
        }
        rows.append(row)
    return pd.DataFrame(rows)
