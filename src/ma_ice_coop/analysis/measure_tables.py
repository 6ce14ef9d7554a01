"""The long measure table (MEASURE_COLUMNS) and what every measure needs: the 14 counties, their
populations and the residents whose prisoners each county's jails hold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
from ma_ice_coop.tables.periods import Period
from ma_ice_coop.tables.reference import load_counties

MEASURE_COLUMNS = [
    "county_fips",
    "county",
    "measure",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "estimate",
    "ci_low",
    "ci_high",
    "source",
]


AGENCY_COLUMNS = ["agency_group", *MEASURE_COLUMNS[2:]]


PER_100K = 100_000


def county_frame() -> pd.DataFrame:
    """The 14 counties (county_fips, county) from data/reference/counties.csv."""
    counties = load_counties()[["county_fips", "county"]]
    return counties.sort_values("county_fips", ignore_index=True)


def by_county(values: pd.Series, fill=0, keys=COUNTY_FIPS) -> pd.Series:
    """A county-indexed series over all 14 counties, or over `keys` (absent counties get `fill`)."""
    return values.reindex(list(keys)).fillna(fill)


def per_exposure(counts, exposure, scale: float) -> np.ndarray:
    """counts / exposure * scale, blank (NaN) where there is no exposure."""
    k = np.asarray(counts, dtype="float64")
    e = np.asarray(exposure, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, k / np.where(e > 0, e, 1) * scale, np.nan)


def measure_rows(
    measure: str,
    period: Period,
    numerator,
    denominator,
    estimate,
    ci_low,
    ci_high,
    source: str,
    keys=COUNTY_FIPS,
    key_name: str = "county_fips",
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            key_name: list(keys),
            "measure": measure,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "numerator": np.asarray(numerator, dtype="float64"),
            "denominator": np.asarray(denominator, dtype="float64"),
            "estimate": np.asarray(estimate, dtype="float64"),
            "ci_low": np.asarray(ci_low, dtype="float64"),
            "ci_high": np.asarray(ci_high, dtype="float64"),
            "source": source,
        }
    )
    return out


def with_county_names(table: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(county_frame()["county_fips"], county_frame()["county"], strict=True))
    table = table.copy()
    table.insert(1, "county", table["county_fips"].map(names))
    return table[MEASURE_COLUMNS]


def population(year: int, covariates: pd.DataFrame | None = None) -> pd.Series:
    """County population (persons) in `year` or the latest year before it, indexed by county_fips."""
    wide = county_covariates_wide(year, panel=covariates, variables=["population"])
    return wide.set_index("county_fips")["population"]


def jail_host() -> dict[str, str]:
    """county_fips -> county_fips of the jail that holds its prisoners (itself unless counties.csv
    prisoners_held_in names another county: Nantucket -> Barnstable)."""
    counties = load_counties()
    return {f: (h or f) for f, h in zip(counties["county_fips"], counties["prisoners_held_in"], strict=True)}


def jail_residents(values: pd.Series) -> pd.Series:
    """Per county (all 14): a county-indexed count of residents summed over the counties whose prisoners its
    jails hold; 0 for a county with no jail. The denominator of the jail measures (a proxy for jail population)."""
    host = jail_host()
    v = values.reindex(COUNTY_FIPS).astype("float64")
    return v.groupby(v.index.map(host)).sum().reindex(COUNTY_FIPS).fillna(0.0)


def sort_measures(table: pd.DataFrame, key: str = "county_fips") -> pd.DataFrame:
    return table.sort_values([key, "measure", "period_start", "period_end"], ignore_index=True)
