"""ICE arrests at each county's sheriff-run jails (pooled over the landmarks table's coverage), with their
sensitivity range, and at places not run by a sheriff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import JAIL_ARRESTS
from ma_ice_coop.analysis.intervals import poisson_interval
from ma_ice_coop.analysis.measure_tables import (
    AGENCY_COLUMNS,
    PER_100K,
    by_county,
    jail_residents,
    measure_rows,
    per_exposure,
    population,
    with_county_names,
)
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide


def jail_arrest_counts(arrests: pd.DataFrame) -> dict[str, pd.Series]:
    """Per county: ICE arrests at its sheriff-run jails as placed ('central'), without the ambiguous landmarks
    placed there ('low') and with the unplaced landmarks that may be one of its jails ('high')."""
    sheriff = arrests[(arrests["status"] == "facility") & (arrests["operator_type"] == "sheriff")]
    possible = arrests[arrests["possible_sheriff_county_fips"].isin(COUNTY_FIPS)]
    central = by_county(sheriff.groupby("sheriff_county_fips")["arrests"].sum())
    low = by_county(sheriff[~sheriff["ambiguous"]].groupby("sheriff_county_fips")["arrests"].sum())
    extra = by_county(possible.groupby("possible_sheriff_county_fips")["arrests"].sum())
    return {"central": central, "low": low, "high": central + extra}


def jail_arrest_measures(arrests: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """ICE arrests at each county's sheriff-run jails (pooled 2011-10..2023-01): counts and rates, each with its
    sensitivity range (ambiguous landmarks out and in). Rates are per resident of the counties whose prisoners
    the jails hold (jail_residents)."""
    period = JAIL_ARRESTS
    counts = jail_arrest_counts(arrests)
    source = "jail_arrests (uwchr_arrest_landmarks)"
    mid_year = 2017  # the middle of the pooled period
    person_years = jail_residents(population(mid_year, covariates)).to_numpy(dtype="float64") * period.years
    rate_source = (
        source + f" ; county_covariates population {mid_year} x {period.years:.2f} years of the residents "
        "whose prisoners the jails hold (counties.csv prisoners_held_in)"
    )
    rows = []
    for end, suffix, note in [
        ("central", "", ""),
        ("low", "_low", " ; ambiguous landmarks out"),
        ("high", "_high", " ; possible jail landmarks in"),
    ]:
        k = counts[end]
        low, high = poisson_interval(k)
        rows.append(measure_rows(f"jail_arrests{suffix}", period, k, np.nan, k, low, high, source + note))
        low, high = poisson_interval(k, person_years / PER_100K)
        rows.append(
            measure_rows(
                f"jail_arrests_per_100k{suffix}",
                period,
                k,
                person_years,
                per_exposure(k, person_years, PER_100K),
                low,
                high,
                rate_source + note,
            )
        )
    wide = county_covariates_wide(2016, panel=covariates, variables=["foreign_born_share", "population"])
    fb = wide.set_index("county_fips")
    fb_years = jail_residents(fb["foreign_born_share"] * fb["population"]).to_numpy(dtype="float64") * period.years
    k = counts["central"]
    low, high = poisson_interval(k, fb_years / 1000)
    rows.append(
        measure_rows(
            "jail_arrests_per_1k_foreign_born",
            period,
            k,
            fb_years,
            per_exposure(k, fb_years, 1000),
            low,
            high,
            source + f" ; foreign-born = share x population (ACS 2012-16) x {period.years:.2f} years, of the "
            "residents whose prisoners the jails hold",
        )
    )
    return with_county_names(pd.concat(rows, ignore_index=True))


def agency_jail_arrest_measures(arrests: pd.DataFrame) -> pd.DataFrame:
    """ICE arrests at Massachusetts places not run by a sheriff, by operator type, plus unplaced and outside MA."""
    period = JAIL_ARRESTS
    placed = arrests[arrests["status"] == "facility"]
    k = placed[placed["operator_type"] != "sheriff"].groupby("operator_type")["arrests"].sum()
    k["unplaced (no facility can be given)"] = arrests.loc[arrests["status"] == "unplaced", "arrests"].sum()
    k["outside Massachusetts (Boston AOR)"] = arrests.loc[arrests["status"] == "outside_ma", "arrests"].sum()
    k = k.sort_index()
    low, high = poisson_interval(k)
    table = measure_rows(
        "jail_arrests",
        period,
        k,
        np.nan,
        k,
        low,
        high,
        "jail_arrests (uwchr_arrest_landmarks)",
        k.index,
        "agency_group",
    )
    return table[AGENCY_COLUMNS]
