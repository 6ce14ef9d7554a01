"""Recorded declines per sheriff facility-year (NPR declines table), per county and calendar year and pooled."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import NPR_DECLINES
from ma_ice_coop.analysis.intervals import poisson_interval
from ma_ice_coop.analysis.measure_tables import by_county, measure_rows, with_county_names
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.tables.periods import Period


def year_fraction(year: int, coverage: Period = NPR_DECLINES) -> float:
    """The share of calendar year `year` inside `coverage` (2007: from 2007-10-01 = 92/365; 2015: to
    2015-07-19 = 200/365): a partial year counts as that fraction of a facility-year."""
    start, end = max(date(year, 1, 1), coverage.start), min(date(year, 12, 31), coverage.end)
    return max((end - start).days + 1, 0) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)


def sheriff_facility_years(facilities: pd.DataFrame, years) -> pd.DataFrame:
    """Sheriff facility x year pairs when the facility was open (open_years), unspecified buckets left out;
    `weight` is the fraction of the year inside the declines' coverage (year_fraction)."""
    sheriff = facilities[
        (facilities["operator_type"] == "sheriff") & ~facilities["facility_id"].str.endswith("_unspecified")
    ]
    rows = []
    for _, f in sheriff.iterrows():
        span = f.get("open_years")
        first, _, last = ("" if pd.isna(span) else str(span)).partition("-")
        for year in years:
            if (first and year < int(first)) or (last and year > int(last)):
                continue
            rows.append((f["facility_id"], f["sheriff_county_fips"], year, year_fraction(year)))
    return pd.DataFrame(rows, columns=["facility_id", "sheriff_county_fips", "year", "weight"])


def recorded_decline_measures(
    declines: pd.DataFrame,
    facilities: pd.DataFrame,
    years=range(NPR_DECLINES.start.year, NPR_DECLINES.end.year + 1),
) -> pd.DataFrame:
    """Recorded declines per sheriff facility-year, per county and calendar year and pooled.

    `declines` is the facility_year_declines table: facility-years absent from it had zero recorded
    declines. Every decline at a sheriff facility in those years must fall in the facility-year grid
    (a facility missing from the grid is an error, never a silent drop).
    """
    years = sorted(years)
    grid = sheriff_facility_years(facilities, years)
    sheriff = declines[(declines["operator_type"] == "sheriff") & declines["year"].isin(years)]
    keyed = sheriff.merge(grid, on=["facility_id", "sheriff_county_fips", "year"], how="left", indicator=True)
    outside = keyed[keyed["_merge"] == "left_only"]
    if len(outside):
        raise ParameterError(
            f"recorded declines at facility-years outside the grid: "
            f"{sorted(set(zip(outside['facility_id'], outside['year'], strict=True)))}; check open_years in "
            "data/reference/facilities.csv or widen the years"
        )
    source = (
        "facility_year_declines (npr_declines) ; data/reference/facilities.csv ; partial years as fractions "
        "of a facility-year"
    )
    rows = []
    periods = [
        (year, Period(max(date(year, 1, 1), NPR_DECLINES.start), min(date(year, 12, 31), NPR_DECLINES.end)))
        for year in years
    ]
    periods.append(
        (None, Period(max(date(years[0], 1, 1), NPR_DECLINES.start), min(date(years[-1], 12, 31), NPR_DECLINES.end)))
    )
    for year, period in periods:
        in_years = grid if year is None else grid[grid["year"] == year]
        dec = sheriff if year is None else sheriff[sheriff["year"] == year]
        k = by_county(dec.groupby("sheriff_county_fips")["recorded_declines"].sum())
        n = by_county(in_years.groupby("sheriff_county_fips")["weight"].sum())
        low, high = poisson_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(measure_rows("recorded_declines", period, k, n, estimate, low, high, source))
    return with_county_names(pd.concat(rows, ignore_index=True))
