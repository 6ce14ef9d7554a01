"""The county's records from the processed and reference tables: its facilities (and those of others located
in it), its sheriffs, its ICE detention by month and by year, its timeline events and its covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, timeline_row
from ma_ice_coop.io import read_processed
from ma_ice_coop.present import figures as plots
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
from ma_ice_coop.tables.reference import first_day, load_policy_timeline
from ma_ice_coop.views.county_profile.labels import (
    COVARIATES,
    EVENT_GROUPS,
    STATEWIDE_EVENTS,
    TIMELINE_END,
    TIMELINE_START,
    UNDERCOUNT_BEFORE,
)

RECORD_COUNTS = ("detainers", "custody", "declined", "unresolved", "ice_arrests", "detention_days")


# ----------------------------------------------------------------------------- facilities


def facility_records(ma_detainers: pd.DataFrame, arrests: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """Per facility_id: detainers in the period (and outcomes), ICE arrests 2011-2023, ICE detention days."""
    detainers = ma_detainers.groupby("facility_id").agg(
        detainers=("outcome", "size"),
        custody=("outcome", lambda outcome: int((outcome == "custody").sum())),
        declined=("outcome", lambda outcome: int((outcome == "declined").sum())),
        unresolved=("outcome", lambda outcome: int((outcome == "unresolved").sum())),
    )
    placed = arrests[arrests["status"] == "facility"]
    ice_arrests = placed.groupby("facility_id")["arrests"].sum().rename("ice_arrests")
    by_day = daily.groupby(["facility_id", "date"])["headcount"].sum().reset_index()
    detention = by_day.groupby("facility_id").agg(
        detention_days=("date", "size"), first_day=("date", "min"), last_day=("date", "max")
    )
    records = pd.concat([detainers, ice_arrests, detention], axis=1)
    for column in RECORD_COUNTS:
        records[column] = records[column].fillna(0).astype("int64")
    records.index.name = "facility_id"
    return records.reset_index()


def facility_tables(facilities: pd.DataFrame, records: pd.DataFrame, fips: str):
    """(the sheriff's facilities, other facilities located in the county with any record, operator type ->
    count of other facilities in the county with no record)."""
    merged = facilities.merge(records, on="facility_id", how="left")
    for column in RECORD_COUNTS:
        merged[column] = merged[column].fillna(0).astype("int64")
    any_record = (merged["detainers"] + merged["ice_arrests"] + merged["detention_days"]) > 0
    sheriff = merged[(merged["operator_type"] == "sheriff") & (merged["sheriff_county_fips"] == fips)]
    # an "unspecified" bucket is shown only when a record was placed in it
    sheriff = sheriff[~sheriff["facility_id"].str.endswith("_unspecified") | any_record.loc[sheriff.index]]
    sheriff = sheriff.sort_values(["detainers", "ice_arrests", "facility_name"], ascending=[False, False, True])
    other = merged[(merged["operator_type"] != "sheriff") & (merged["county_fips"] == fips)]
    without_records = other[~any_record.loc[other.index]].groupby("operator_type").size().sort_index()
    other = other[any_record.loc[other.index]]
    other = other.sort_values(
        ["operator_type", "detainers", "ice_arrests", "facility_name"], ascending=[True, False, False, True]
    )
    return sheriff.reset_index(drop=True), other.reset_index(drop=True), without_records


def host_facility_names(facilities: pd.DataFrame, host_fips: str) -> list[str]:
    """'Name (town)' of the facilities run by the sheriff of the county holding this county's prisoners."""
    hosts = facilities[
        (facilities["operator_type"] == "sheriff")
        & (facilities["sheriff_county_fips"] == host_fips)
        & ~facilities["facility_id"].str.endswith("_unspecified")
    ]
    return [
        f"{name} ({town})" if isinstance(town, str) and town else name
        for name, town in sorted(zip(hosts["facility_name"], hosts["town"].fillna(""), strict=True))
    ]


# ----------------------------------------------------------------------------- sheriffs and ICE detention


def county_sheriffs(sheriffs: pd.DataFrame, fips: str) -> pd.DataFrame:
    """The county's sheriffs in order of their terms (undated first)."""
    mine = sheriffs[sheriffs["county_fips"] == fips].copy()
    mine["_start"] = [first_day(start) for start in mine["term_start"]]
    mine = mine.sort_values(["_start", "sheriff_name"], na_position="first").drop(columns="_start")
    return mine.reset_index(drop=True)


def year_end_adp(fiscal_years: pd.DataFrame, fips: str) -> pd.DataFrame:
    """ICE's year-end average daily population in the county's sheriff facilities, one row per fiscal year of
    the workbooks (0 when none of its facilities is listed)."""
    adp = (
        fiscal_years[(fiscal_years["operator_type"] == "sheriff") & (fiscal_years["sheriff_county_fips"] == fips)]
        .groupby(["fiscal_year", "data_through"], as_index=False)["adp_total"]
        .sum()
    )
    all_years = fiscal_years[["fiscal_year", "data_through"]].drop_duplicates().sort_values("fiscal_year")
    adp = all_years.merge(adp, on=["fiscal_year", "data_through"], how="left").fillna({"adp_total": 0.0})
    return adp.reset_index(drop=True)


def monthly_headcount(daily: pd.DataFrame, fips: str) -> pd.Series:
    """Monthly mean ICE headcount in the county's sheriff facilities (a day absent from the data had none)."""
    cover = measures.ICE_DETENTION_DAILY
    days = pd.date_range(pd.Timestamp(cover.start), pd.Timestamp(cover.end), freq="D")
    mine = daily[(daily["operator_type"] == "sheriff") & (daily["sheriff_county_fips"] == fips)]
    per_day = mine.groupby("date")["headcount"].sum().reindex(days, fill_value=0).astype("float64")
    monthly = per_day.resample("MS").mean()
    monthly.name = "monthly mean ICE detainees per day"
    return monthly


def year_table(panel: pd.DataFrame, daily: pd.DataFrame, adp: pd.DataFrame, fips: str) -> pd.DataFrame:
    """One row per year: operational 287(g) year (`agreement_287g`) and paper-only 287(g) year
    (`agreement_287g_paper`; calendar years), ICE detention (fiscal year), ICE year-end ADP.

    The fiscal-year detention figures are those of measures.detention_rows (days with any ICE detainee in the
    county's sheriff facilities; person-days over the days of the fiscal year within the coverage)."""
    mine_287g = panel[(panel["agency_type"] == "sheriff") & (panel["county_fips"] == fips)].set_index("year")
    operational, paper = mine_287g["agreement_287g_operational"], mine_287g["agreement_287g_paper"]
    mine = daily[(daily["operator_type"] == "sheriff") & (daily["sheriff_county_fips"] == fips)]
    per_day = mine.groupby("date")["headcount"].sum()
    per_day = per_day[per_day > 0]
    cover = measures.ICE_DETENTION_DAILY  # its first and last fiscal years are partial (clipped to the coverage)
    first_fy = cover.start.year + (1 if cover.start.month >= 10 else 0)
    last_fy = cover.end.year + (1 if cover.end.month >= 10 else 0)
    adp_by_year = dict(zip(adp["fiscal_year"], adp["adp_total"], strict=True))
    rows = []
    for year in range(TIMELINE_START.year, TIMELINE_END.year + 1):
        row = {
            "year": year,
            "agreement_287g": operational.get(year, pd.NA),
            "agreement_287g_paper": paper.get(year, pd.NA),
            "detention_days": np.nan,
            "days_in_period": np.nan,
            "mean_daily": np.nan,
            "undercount": pd.NA,
        }
        if first_fy <= year <= last_fy:
            row.update(_fiscal_year_detention(per_day, year))
        row["adp_year_end"] = adp_by_year.get(year, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _fiscal_year_detention(per_day: pd.Series, year: int) -> dict:
    period = measures.fiscal_year_period(year)
    in_fy = per_day[period.contains(pd.Series(per_day.index, index=per_day.index))]
    return {
        "detention_days": float(len(in_fy)),
        "days_in_period": float(period.days),
        "mean_daily": float(in_fy.sum()) / period.days,
        "undercount": period.start < UNDERCOUNT_BEFORE,
    }


# ----------------------------------------------------------------------------- events and covariates


def timeline_events(fips: str, sheriffs: pd.DataFrame) -> pd.DataFrame:
    """County events of the policy timeline, statewide key events and sheriffs taking office (2005-2025),
    numbered in the order the timeline figure draws them (date, category, label)."""
    timeline = load_policy_timeline()
    rows = [_timeline_event(event, event["event"]) for _, event in timeline[timeline["county_fips"] == fips].iterrows()]
    for key in STATEWIDE_EVENTS:
        rows.append(_timeline_event(timeline_row(KEY_EVENTS[key], timeline), KEY_EVENTS[key].label))
    rows += [_sheriff_event(sheriff) for _, sheriff in sheriffs.iterrows() if sheriff["term_start"]]
    events = pd.DataFrame(rows)
    events["date"] = [first_day(text) for text in events["date_text"]]
    events["group"] = events["category"].map(EVENT_GROUPS).fillna("policy and reports")
    events = events[(events["date"] >= pd.Timestamp(TIMELINE_START)) & (events["date"] <= pd.Timestamp(TIMELINE_END))]
    numbered = plots.timeline_events(events.rename(columns={"category": "raw_category", "group": "category"}))
    return numbered.rename(columns={"category": "group", "raw_category": "category"})


def _timeline_event(event: pd.Series, label: str) -> dict:
    return {
        "date_text": event["date"],
        "category": event["category"],
        "label": label,
        "event": event["event"],
        "source_url": event["source_url"],
        "level": event["level"],
    }


def _sheriff_event(sheriff: pd.Series) -> dict:
    party = f" ({sheriff['party']})" if sheriff["party"] else ""
    how = f", {sheriff['how_started']}" if sheriff["how_started"] else ""
    return {
        "date_text": sheriff["term_start"],
        "category": "sheriff",
        "label": f"{sheriff['sheriff_name']}{party} takes office",
        "event": f"{sheriff['sheriff_name']}{party} becomes sheriff{how}.",
        "source_url": sheriff["source_url"],
        "level": "county",
    }


def county_covariates(fips: str) -> pd.DataFrame:
    """One row per covariate shown: the county's latest value, the 14 counties' median, its rank and source."""
    panel = read_processed("county_covariates")
    variables = [variable for variable, _ in COVARIATES]
    wide = county_covariates_wide(TIMELINE_END.year, panel=panel, variables=variables, with_years=True)
    mine = wide[wide["county_fips"] == fips].iloc[0]
    rows = []
    for variable, kind in COVARIATES:
        values = wide[variable]
        value = mine[variable]
        year = mine[f"{variable}_year"]
        info = panel[(panel["county_fips"] == fips) & (panel["variable"] == variable) & (panel["year"] == year)]
        rows.append(
            {
                "variable": variable,
                "label": catalogue().label(variable),
                "kind": kind,
                "value": value,
                "median": float(values.median()) if values.notna().any() else np.nan,
                "n": int(values.notna().sum()),
                "rank": int((values > value).sum()) + 1 if pd.notna(value) else None,
                "year": year,
                "vintage": info["vintage"].iloc[0] if len(info) else "",
                "source": info["source_file"].iloc[0] if len(info) else "",
                "sum": float(values.sum()),
            }
        )
    return pd.DataFrame(rows)
