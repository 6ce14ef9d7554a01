"""ICE detention in county jails: days with ICE detainees and mean daily headcount (daily headcounts), the
ICE year-end average daily population, and the sheriffs' 287(g) years."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import DETENTION_COMPLETE, ICE_DETENTION_DAILY
from ma_ice_coop.analysis.measure_tables import by_county, measure_rows, with_county_names
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.periods import Period, check_within


def fiscal_year_period(fy: int, coverage: Period = ICE_DETENTION_DAILY) -> Period:
    """Federal fiscal year `fy` (Oct-Sep) clipped to a coverage period."""
    return Period(max(date(fy - 1, 10, 1), coverage.start), min(date(fy, 9, 30), coverage.end))


def detention_rows(
    daily: pd.DataFrame,
    period: Period,
    keys=COUNTY_FIPS,
    source: str = "ice_detention_daily (uwchr_detention_headcount)",
) -> pd.DataFrame:
    """Days with ICE detainees and mean daily ICE headcount in each county's sheriff facilities in a period
    (`keys`: the counties, by default the 14 of Massachusetts; `daily` has sheriff_county_fips)."""
    check_within(period, ICE_DETENTION_DAILY, "the daily ICE detention headcounts")
    sheriff = daily[(daily["operator_type"] == "sheriff") & period.contains(daily["date"])]
    by_day = sheriff.groupby(["sheriff_county_fips", "date"], observed=True)["headcount"].sum().reset_index()
    days = by_county(by_day.groupby("sheriff_county_fips", observed=True).size(), keys=keys)
    person_days = by_county(by_day.groupby("sheriff_county_fips", observed=True)["headcount"].sum(), keys=keys)
    if period.start < DETENTION_COMPLETE.start:
        source += f" ; undercounts days before {DETENTION_COMPLETE.start}"
    n = np.full(len(keys), period.days)
    return pd.concat(
        [
            measure_rows("detention_contract_days", period, days, n, days, np.nan, np.nan, source, keys),
            measure_rows(
                "mean_daily_ice_headcount",
                period,
                person_days,
                n,
                person_days / period.days,
                np.nan,
                np.nan,
                source,
                keys,
            ),
        ],
        ignore_index=True,
    )


def detention_measures(daily: pd.DataFrame, fiscal_years=range(2009, 2025)) -> pd.DataFrame:
    """Days with ICE detainees and mean daily ICE headcount in each county's sheriff facilities, per FY and over
    the two whole periods the reports quote (complete records from 2011-10-01; the whole coverage)."""
    periods = [fiscal_year_period(fy) for fy in fiscal_years] + [DETENTION_COMPLETE, ICE_DETENTION_DAILY]
    rows = [detention_rows(daily, period) for period in periods]
    return with_county_names(pd.concat(rows, ignore_index=True))


def year_end_detention_measures(fy_table: pd.DataFrame) -> pd.DataFrame:
    """ICE year-end average daily population in each county's sheriff facilities, FY2019-FY2025."""
    sheriff = fy_table[fy_table["operator_type"] == "sheriff"]
    rows = []
    for fy, group in sheriff.groupby("fiscal_year"):
        through = date.fromisoformat(group["data_through"].iloc[0])
        period = Period(date(int(fy) - 1, 10, 1), through)
        adp = by_county(group.groupby("sheriff_county_fips")["adp_total"].sum())
        rows.append(
            measure_rows(
                "ice_adp_year_end",
                period,
                adp,
                np.nan,
                adp,
                np.nan,
                np.nan,
                "ice_detention_fy (ICE year-end detention statistics)",
            )
        )
    return with_county_names(pd.concat(rows, ignore_index=True))


def agreement_287g_measures(panel: pd.DataFrame) -> pd.DataFrame:
    """Operational and paper-only 287(g) years of each county's sheriff: pooled 2005-2025 and per year.

    Operational (`agreement_287g_operational` of the panel): OPERATIONAL_287G_RULE. Paper
    (`agreement_287g_paper`): years covered only by an agreement that never operated. They never overlap."""
    sheriffs = panel[panel["agency_type"] == "sheriff"]
    years = sorted(sheriffs["year"].unique())
    whole = Period(date(int(years[0]), 1, 1), date(int(years[-1]), 12, 31))
    rows = []
    for measure, column, what in [
        ("agreement_287g_years", "agreement_287g_operational", "operational years"),
        ("agreement_287g_paper_years", "agreement_287g_paper", "paper years"),
    ]:
        source = f"agreements_287g_years ({column}: {what}; data/reference/agreements_287g.csv)"
        for year, group in sheriffs.groupby("year"):
            flag = by_county(group.set_index("county_fips")[column].astype("float64"))
            rows.append(
                measure_rows(
                    measure,
                    Period(date(int(year), 1, 1), date(int(year), 12, 31)),
                    flag,
                    1,
                    flag,
                    np.nan,
                    np.nan,
                    source,
                )
            )
        total = by_county(sheriffs.groupby("county_fips")[column].sum().astype("float64"))
        rows.append(measure_rows(measure, whole, total, len(years), total, np.nan, np.nan, source))
    return with_county_names(pd.concat(rows, ignore_index=True))
