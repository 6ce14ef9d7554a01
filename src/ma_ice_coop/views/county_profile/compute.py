"""The county profile's parameters and its one result, CountyProfile: every table and number the text, the
tables and the figures of the notebook are built from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import read_processed
from ma_ice_coop.specs.notebooks import notebook_parameters
from ma_ice_coop.tables.facilities import load_facilities
from ma_ice_coop.tables.reference import county_names, load_counties, load_sheriffs
from ma_ice_coop.views.county_profile import records
from ma_ice_coop.views.county_profile.labels import NOTEBOOK_ID


@dataclass
class CountyProfile:
    county: str
    county_fips: str
    period: measures.Period
    custody_denominator: str
    decline_definition: str
    county_row: pd.Series  # counties.csv
    small_measures: list[str]  # measure ids whose estimate for this county rests on few cases (small_by_data)
    host: str | None  # county holding this county's prisoners (no jail of its own)
    host_fips: str | None
    served: list[str]  # counties whose residents are the denominator of this county's jail measures
    measure_ids: list[str]
    tables: dict[str, pd.DataFrame]  # measure -> the 14-county table
    summary: pd.DataFrame  # one row per measure for the county, with state and rank
    sheriff_facilities: pd.DataFrame
    other_facilities: pd.DataFrame
    others_without_records: pd.Series  # operator type -> count of facilities with no record
    host_facilities: list[str]
    sheriffs: pd.DataFrame
    years: pd.DataFrame
    monthly: pd.Series
    adp: pd.DataFrame  # ICE year-end ADP per FY for the county
    events: pd.DataFrame
    covariates: pd.DataFrame
    all_current_sheriffs: pd.DataFrame
    state_unresolved: tuple[float, float]  # numerator, denominator (sheriff facilities, period)
    unplaced_arrests: tuple[int, int]  # unplaced, all Boston AOR arrests


# ----------------------------------------------------------------------------- parameters


def validate(county, period_start, period_end, custody_denominator="all", decline_definition="recorded") -> dict:
    """The registry's checks (county normalised to its name) plus the period against the FY2015 detainer
    records, which the period parameters apply to."""
    params = notebook_parameters(
        NOTEBOOK_ID,
        county=county,
        period_start=period_start,
        period_end=period_end,
        custody_denominator=custody_denominator,
        decline_definition=decline_definition,
    )
    period = measures.Period.parse(params["period_start"], params["period_end"])
    cover = measures.FY2015_DETAINERS
    if not period.within(cover):
        raise ParameterError(
            f"notebook {NOTEBOOK_ID!r}: period {period.start}..{period.end} is outside the FY2015 "
            f"detainer records ({cover.start}..{cover.end}); choose period_start and period_end "
            "within them"
        )
    return params


def measure_ids(custody_denominator: str, decline_definition: str) -> list[str]:
    """Headline measures plus the counts and the chosen definition variants, in display order."""
    variant_after = {
        "custody_share": "custody_share_resolved" if custody_denominator == "resolved" else None,
        "declined_share": "declined_share_broad" if decline_definition == "broad" else None,
        "agreement_287g_years": "agreement_287g_paper_years",
    }
    ids = ["detainers_lodged"]
    for measure in measures.HEADLINE_MEASURES:
        if measure == "jail_arrests_per_100k":
            ids.append("jail_arrests")
        ids.append(measure)
        if variant_after.get(measure):
            ids.append(variant_after[measure])
    return ids


def custody_measure(profile: CountyProfile) -> str:
    return "custody_share_resolved" if profile.custody_denominator == "resolved" else "custody_share"


def decline_measure(profile: CountyProfile) -> str:
    return "declined_share_broad" if profile.decline_definition == "broad" else "declined_share"


def measure_summary(profile: CountyProfile, measure: str) -> dict:
    """The county's summary row of one measure (estimate, interval, state, rank, side of the pool)."""
    return profile.summary[profile.summary["measure"] == measure].iloc[0].to_dict()


# ----------------------------------------------------------------------------- compute


def compute(
    county: str,
    period_start: str,
    period_end: str,
    custody_denominator: str = "all",
    decline_definition: str = "recorded",
) -> CountyProfile:
    params = validate(county, period_start, period_end, custody_denominator, decline_definition)
    period = measures.Period.parse(params["period_start"], params["period_end"])
    counties = load_counties()
    county_row = counties[counties["county"] == params["county"]].iloc[0]
    fips = county_row["county_fips"]
    host_fips, host, served = _jail_hosting(county_row)
    ids = measure_ids(params["custody_denominator"], params["decline_definition"])
    detainers = read_processed("detainers")
    tables, summary = _measure_summary(ids, period, detainers, fips)
    small_measures = [m for m in ids if bool(summary.set_index("measure").loc[m, "small"])]

    in_period = detainers[(detainers["facility_state"] == "MASSACHUSETTS") & period.contains(detainers["prepare_date"])]
    arrests = read_processed("jail_arrests")
    daily = read_processed("ice_detention_daily")
    sheriff_facilities, other_facilities, others_without, host_facilities = _facilities(
        in_period, arrests, daily, fips, host_fips if host is not None else None
    )
    county_sheriffs, current = _sheriffs(fips)
    adp = records.year_end_adp(read_processed("ice_detention_fy"), fips)
    years = records.year_table(read_processed("agreements_287g_years"), daily, adp, fips)

    sheriff_detainers = in_period[in_period["operator_type"] == "sheriff"]
    unresolved = float((sheriff_detainers["outcome"] == "unresolved").sum())
    unplaced = int(arrests.loc[arrests["status"] == "unplaced", "arrests"].sum())
    return CountyProfile(
        params["county"],
        fips,
        period,
        params["custody_denominator"],
        params["decline_definition"],
        county_row,
        small_measures,
        host,
        host_fips,
        served,
        ids,
        tables,
        summary,
        sheriff_facilities,
        other_facilities,
        others_without,
        host_facilities,
        county_sheriffs,
        years,
        records.monthly_headcount(daily, fips),
        adp,
        records.timeline_events(fips, county_sheriffs),
        records.county_covariates(fips),
        current,
        (unresolved, float(len(sheriff_detainers))),
        (unplaced, int(arrests["arrests"].sum())),
    )


def _jail_hosting(county_row: pd.Series) -> tuple[str | None, str | None, list[str]]:
    """(fips and name of the county holding this county's prisoners, or None; the counties whose prisoners
    this county's jails hold), from counties.csv prisoners_held_in."""
    fips = county_row["county_fips"]
    names = county_names()
    jail_host = measures.jail_host()
    host_fips = None if county_row["houses_own_prisoners"] else jail_host[fips]
    host = names.get(host_fips) if host_fips else None
    served = [names[served_fips] for served_fips, holder in sorted(jail_host.items()) if holder == fips]
    return host_fips, host, served


def _sheriffs(fips: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the county's sheriffs in term order, every county's sheriff in office by county_fips)."""
    sheriffs = load_sheriffs()
    current = sheriffs[sheriffs["term_end"] == ""].sort_values("county_fips").reset_index(drop=True)
    return records.county_sheriffs(sheriffs, fips), current


def _facilities(in_period: pd.DataFrame, arrests: pd.DataFrame, daily: pd.DataFrame, fips: str, host_fips):
    """(the sheriff's facilities, other facilities in the county with records, count of those without by
    operator type, names of the host county's facilities or [] when the county has its own jail)."""
    facilities = load_facilities()
    per_facility = records.facility_records(in_period, arrests, daily)
    sheriff_facilities, other_facilities, others_without = records.facility_tables(facilities, per_facility, fips)
    host_facilities = records.host_facility_names(facilities, host_fips) if host_fips is not None else []
    return sheriff_facilities, other_facilities, others_without, host_facilities


def _measure_summary(ids: list[str], period: measures.Period, detainers: pd.DataFrame, fips: str):
    """(measure -> the 14-county table with small_by_data, the county's summary row of each measure)."""
    tables = {
        m: table.assign(small_by_data=measures.small_by_data(table).to_numpy())
        for m, table in measure_tables(ids, period, detainers).items()
    }
    variants = {
        m: [measures.measure_table(variant) for variant in measures.SENSITIVITY_VARIANTS[m]]
        for m in ids
        if m in measures.SENSITIVITY_VARIANTS
    }
    summary = pd.DataFrame([summary_row(m, tables[m], fips, variants.get(m, [])) for m in ids])
    return tables, summary


def measure_tables(ids: list[str], period: measures.Period, detainers: pd.DataFrame | None = None) -> dict:
    """measures.measure_table(m, period) for the detainer measures and measure_table(m) (default period) for the
    others. The detainer measures are computed once for all of them, as measure_table does for each."""
    detainers = read_processed("detainers") if detainers is None else detainers
    by_county = measures.county_detainer_measures(detainers, period, covariates=read_processed("county_covariates"))
    tables = {}
    for m in ids:
        if m in measures.DETAINER_MEASURES:
            table = by_county[by_county["measure"] == m].sort_values("county_fips", ignore_index=True)
            tables[m] = table[measures.MEASURE_COLUMNS]
        else:
            tables[m] = measures.measure_table(m)
    return tables


# ----------------------------------------------------------------------------- one measure's summary row


def summary_row(measure: str, table: pd.DataFrame, fips: str, variants: list[pd.DataFrame] = ()) -> dict:
    """The county's row of one measure with the state, its rank, whether it is small by data, which side of
    the pool its interval lies on (agreeing under every sensitivity variant) and the variants' estimates."""
    kind = measures.measure_kind(measure)
    row = table[table["county_fips"] == fips].iloc[0]
    compared = kind in ("share", "rate")
    variant_estimates = [float(v.loc[v["county_fips"] == fips, "estimate"].iloc[0]) for v in variants]
    return {
        "measure": measure,
        "kind": kind,
        **{column: row[column] for column in ("period_start", "period_end", "numerator", "denominator")},
        **{column: row[column] for column in ("estimate", "ci_low", "ci_high")},
        "state": _state_value(measure, kind, table),
        **_rank(row, table[table["estimate"].notna()]),
        "state_numerator": table["numerator"].sum(),
        "state_denominator": table["denominator"].sum(),
        "source": row["source"],
        "small": bool(measures.small_by_data(table[table["county_fips"] == fips]).iloc[0]),
        "side": measures.pool_side([table, *variants]).get(fips, "") if compared else "",
        "side_as_placed": measures.pool_side([table]).get(fips, "") if compared else "",
        "range_low": min(variant_estimates) if variant_estimates else np.nan,
        "range_high": max(variant_estimates) if variant_estimates else np.nan,
    }


def _state_value(measure: str, kind: str, table: pd.DataFrame) -> float:
    if kind in ("share", "rate"):
        return measures.pooled_estimate(table)
    if measure in measures.AGREEMENT_MEASURES:
        return float((table["estimate"] > 0).sum())  # counties with any agreement year
    return float(table["estimate"].sum())  # state total over the 14 counties' sheriff facilities


def _rank(row: pd.Series, with_data: pd.DataFrame) -> dict:
    """Rank (1 = highest) among counties with an estimate, ties, and the ranks its interval allows."""
    rank = {"rank": None, "n_with_data": None, "ties": None, "rank_best": None, "rank_worst": None}
    if pd.notna(row["estimate"]):
        estimate = row["estimate"]
        best, worst = plausible_ranks(row, with_data)
        rank.update(
            rank=int((with_data["estimate"] > estimate).sum()) + 1,
            n_with_data=len(with_data),
            ties=int((with_data["estimate"] == estimate).sum()) - 1,
            rank_best=best,
            rank_worst=worst,
        )
    return rank


def plausible_ranks(row, with_data: pd.DataFrame) -> tuple[int | None, int | None]:
    """The ranks (1 = highest) the county's 95% interval allows: best = 1 + counties whose interval lies
    wholly above it; worst = counties whose interval does not lie wholly below it. (None, None) for
    measures without intervals (complete administrative counts: the point rank is exact)."""
    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return (None, None)
    others = with_data[with_data["county_fips"] != row["county_fips"]].dropna(subset=["ci_low", "ci_high"])
    best = 1 + int((others["ci_low"] > row["ci_high"]).sum())
    worst = len(others) + 1 - int((others["ci_high"] < row["ci_low"]).sum())
    return (best, worst)
