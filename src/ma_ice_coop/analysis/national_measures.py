"""National measures: the county measures of county_measures.csv for every US county, with the state.

- FY2015 detainers at sheriff-run facilities (NPR FY2015 release; facilities placed in counties by
  data/reference/national_facilities.csv): detainers lodged (exact Poisson interval), detainers per 100,000
  residents (county population 2015), custody, resolved-custody, declined, broad-declined and unresolved
  shares (Jeffreys intervals). Every county has a row: a county with no placed detainer has a zero count and
  blank shares.
- ICE detention in sheriff-run facilities (UWCHR daily headcounts, national): days with ICE detainees and mean
  daily headcount per fiscal year 2012-2024 and over the whole period with complete records, for every county
  in which the records show a sheriff-run facility (other counties have no rows: no such facility).
- 287(g): `agreement_287g_years` for 2015 (Washington Post flag) and for 2025 (in at least one of E. Appelson's
  daily copies of ICE's list, 2025-05-16..2025-07-03); every county has a row for both.

No shrinkage nationally: a prior pooled over states whose laws differed would hide the state effects the
national notebook models.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import DETENTION_COMPLETE, FY2015_DETAINERS
from ma_ice_coop.analysis.detainer_measures import detainer_counts, detainer_measure_rows
from ma_ice_coop.analysis.detention_measures import detention_rows, fiscal_year_period
from ma_ice_coop.analysis.measure_tables import MEASURE_COLUMNS, measure_rows
from ma_ice_coop.tables.periods import Period, check_within

NATIONAL_COLUMNS = ["county_fips", "county", "state", *MEASURE_COLUMNS[2:]]
POPULATION_YEAR = 2015  # the FY2015 detainers are counted against the county's 2015 population estimate
DETENTION_FISCAL_YEARS = range(2012, 2025)
WAPO_YEAR = 2015
LIST_YEAR = 2025


def national_counties(covariates: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """county_fips, county (Census name), state (abbreviation), population (POPULATION_YEAR) of every county."""
    pop = covariates[(covariates["variable"] == "population") & (covariates["year"] == POPULATION_YEAR)]
    out = counties[["county_fips", "county_name", "state_abbr"]].rename(
        columns={"county_name": "county", "state_abbr": "state"}
    )
    out["population"] = out["county_fips"].map(pop.set_index("county_fips")["value"]).astype("float64")
    return out.sort_values("county_fips", ignore_index=True)


def _with_names(rows: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    names = counties.set_index("county_fips")
    rows = rows.copy()
    rows.insert(1, "county", rows["county_fips"].map(names["county"]))
    rows.insert(2, "state", rows["county_fips"].map(names["state"]))
    return rows[NATIONAL_COLUMNS]


def national_detainer_measures(
    detainers: pd.DataFrame, counties: pd.DataFrame, period: Period = FY2015_DETAINERS
) -> pd.DataFrame:
    """Detainer measures of every county's sheriff-run facilities (placed rows of the detainers table)."""
    check_within(period, FY2015_DETAINERS, "the FY2015 detainer records")
    in_period = detainers[period.contains(detainers["prepare_date"])]
    sheriff = in_period[(in_period["operator_type"] == "sheriff") & in_period["sheriff_county_fips"].notna()]
    counts = detainer_counts(sheriff, "sheriff_county_fips")
    keys = counties["county_fips"].tolist()
    population = counties.set_index("county_fips")["population"]
    rows = detainer_measure_rows(
        counts,
        period,
        "detainers (npr_fy2015_detainers; data/reference/national_facilities.csv)",
        keys,
        "county_fips",
        population,
        population_note=f" ; national_county_covariates population {POPULATION_YEAR}",
        shrink=False,
    )
    return _with_names(pd.concat(rows, ignore_index=True), counties)


def national_detention_measures(daily: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """Days with ICE detainees and mean daily headcount per fiscal year, counties with a sheriff-run facility."""
    sheriff = daily[daily["operator_type"] == "sheriff"]
    keys = sorted(set(sheriff["sheriff_county_fips"].dropna().unique()) & set(counties["county_fips"]))
    periods = [fiscal_year_period(fy) for fy in DETENTION_FISCAL_YEARS] + [DETENTION_COMPLETE]
    source = "national_ice_detention_daily (uwchr_detention_headcount)"
    rows = [detention_rows(sheriff, period, keys, source) for period in periods]
    return _with_names(pd.concat(rows, ignore_index=True), counties)


def national_287g_measures(agreements: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """agreement_287g_years for 2015 (WaPo flags) and 2025 (any 2025 ICE list copy), every county (0 or 1)."""
    keys = counties["county_fips"].tolist()
    rows = []
    for year in (WAPO_YEAR, LIST_YEAR):
        lists = agreements[(agreements["year"] == year) & agreements["county_fips"].notna()]
        if lists.empty:
            continue
        flagged = lists[lists["in_list"]].groupby("county_fips").size() > 0
        flag = flagged.reindex(keys, fill_value=False).astype("float64")
        dates = pd.to_datetime(lists["list_date"])
        period = (
            Period(date(year, 1, 1), date(year, 12, 31))
            if year == WAPO_YEAR
            else Period(dates.min().date(), dates.max().date())
        )
        names = ", ".join(sorted(lists["source_file"].astype(str).unique()))
        what = "flagged as participating that year" if year == WAPO_YEAR else "in at least one list copy"
        source = f"national_agreements_287g ({names}: {what})"
        rows.append(measure_rows("agreement_287g_years", period, flag, 1, flag, np.nan, np.nan, source, keys))
    if not rows:
        return pd.DataFrame(columns=NATIONAL_COLUMNS)
    return _with_names(pd.concat(rows, ignore_index=True), counties)


def national_county_measures(
    detainers: pd.DataFrame,
    daily: pd.DataFrame,
    agreements: pd.DataFrame,
    covariates: pd.DataFrame,
    counties: pd.DataFrame,
) -> pd.DataFrame:
    """Every national measure, long format (NATIONAL_COLUMNS), sorted by county, measure and period."""
    frame = national_counties(covariates, counties)
    parts = [
        national_detainer_measures(detainers, frame),
        national_detention_measures(daily, frame),
        national_287g_measures(agreements, frame),
    ]
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["county_fips", "measure", "period_start", "period_end"], ignore_index=True)
