"""The scorecard: one row per sheriff's office, one group of columns per form of cooperation the data can show.

Every number is a row of the measures download (`county_measures()`, the same function that writes
reports/data/county_measures.csv) or a value of a processed or reference table, never a new computation of
a measure; `SCORECARD_CELLS` names, for each numeric column, the measure and period it comes from, so a test can
check each cell against its download row. Periods differ by column (the sources cover different years) and
are part of each column's description.

Sources: county_measures (detainers and outcomes FY2015, ICE arrests at the jails 2011-2023, days with ICE
detainees 2008-2024, ICE year-end statistics FY2025, 287(g) years), ice_detention_daily (first and last day
with ICE detainees), data/reference/sheriffs.csv (the sheriff now), agreements_287g.csv (in force on the
latest ICE list) and sheriff_policies.csv (written policy, with its source and date).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.loaders.agreements_287g import LATEST_LIST_DATE
from ma_ice_coop.tables.policies import load_sheriff_policies, policy_as_of
from ma_ice_coop.tables.reference import county_names, load_agreements_287g, load_counties, load_sheriffs
from ma_ice_coop.tables.reference_checks import date_bounds

#: The written-policy questions the scorecard shows (ids of tables.policies.POLICY_QUESTIONS).
SCORECARD_POLICIES = ("notifies_release_dates", "ice_access_interviews", "honors_hold_requests")

#: Processed tables the scorecard reads (for the views' PROCESSED_TABLES).
PROCESSED_TABLES = (
    "detainers",
    "jail_arrests",
    "ice_detention_daily",
    "ice_detention_fy",
    "agreements_287g_years",
    "county_covariates",
)


@dataclass(frozen=True)
class Cell:
    """Where a numeric scorecard column comes from: a measure of the download and the column it takes."""

    measure: str
    value: str  # numerator, denominator, estimate, ci_low or ci_high
    period: measures.Period


def scorecard_cells() -> dict[str, Cell]:
    """Scorecard column -> the download row (measure, period) and value it is taken from."""
    detainers, arrests = measures.FY2015_DETAINERS, measures.JAIL_ARRESTS
    fy2025 = measures.fiscal_year_period(2025, measures.ICE_YEAR_END_STATS)
    return {
        "fy2015_detainers": Cell("custody_share", "denominator", detainers),
        "fy2015_ice_custody": Cell("custody_share", "numerator", detainers),
        "custody_share": Cell("custody_share", "estimate", detainers),
        "custody_share_ci_low": Cell("custody_share", "ci_low", detainers),
        "custody_share_ci_high": Cell("custody_share", "ci_high", detainers),
        "jail_arrests": Cell("jail_arrests", "estimate", arrests),
        "jail_arrests_low": Cell("jail_arrests_low", "estimate", arrests),
        "jail_arrests_high": Cell("jail_arrests_high", "estimate", arrests),
        "jail_arrests_per_100k": Cell("jail_arrests_per_100k", "estimate", arrests),
        "jail_arrests_per_100k_ci_low": Cell("jail_arrests_per_100k", "ci_low", arrests),
        "jail_arrests_per_100k_ci_high": Cell("jail_arrests_per_100k", "ci_high", arrests),
        "jail_arrests_per_100k_low": Cell("jail_arrests_per_100k_low", "estimate", arrests),
        "jail_arrests_per_100k_high": Cell("jail_arrests_per_100k_high", "estimate", arrests),
        "ice_detention_days": Cell("detention_contract_days", "estimate", measures.ICE_DETENTION_DAILY),
        "ice_adp_fy2025": Cell("ice_adp_year_end", "estimate", fy2025),
        "agreement_287g_operational_years": Cell("agreement_287g_years", "estimate", measures.AGREEMENTS_287G),
        "agreement_287g_paper_years": Cell("agreement_287g_paper_years", "estimate", measures.AGREEMENTS_287G),
    }


def _from_download(county: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns, one row per county (FIPS index), each taken from its download row."""
    columns = {}
    for name, cell in scorecard_cells().items():
        rows = county[
            (county["measure"] == cell.measure)
            & (county["period_start"] == cell.period.start.isoformat())
            & (county["period_end"] == cell.period.end.isoformat())
        ]
        columns[name] = rows.set_index("county_fips")[cell.value]
    frame = pd.DataFrame(columns).reindex(list(measures.COUNTY_FIPS))
    shares = county[
        (county["measure"] == "custody_share")
        & (county["period_start"] == measures.FY2015_DETAINERS.start.isoformat())
        & (county["period_end"] == measures.FY2015_DETAINERS.end.isoformat())
    ].set_index("county_fips")
    frame["custody_share_small"] = measures.small_by_data(shares.reset_index()).set_axis(shares.index)
    return frame


def _years_flagged(panel: pd.DataFrame, column: str) -> dict[str, tuple[int, ...]]:
    """County FIPS -> the calendar years flagged in `column` of the 287(g) year panel (sheriffs only)."""
    sheriff = panel[(panel["agency_type"] == "sheriff") & panel[column]]
    return {fips: tuple(sorted(group["year"].astype(int))) for fips, group in sheriff.groupby("county_fips")}


def _agreement_columns() -> pd.DataFrame:
    """Operational and paper 287(g) years, and whether an agreement is in force on the latest ICE list."""
    panel = read_processed("agreements_287g_years")
    agreements = load_agreements_287g()
    sheriff = agreements[agreements["agency_type"] == "sheriff"]
    active = set(sheriff.loc[sheriff["status_as_of_latest_list"] == "active", "county_fips"])
    operational = _years_flagged(panel, "agreement_287g_operational")
    paper = _years_flagged(panel, "agreement_287g_paper")
    fips = list(measures.COUNTY_FIPS)
    return pd.DataFrame(
        {
            "agreement_287g_operational": [operational.get(f, ()) for f in fips],
            "agreement_287g_paper": [paper.get(f, ()) for f in fips],
            "agreement_287g_on_latest_list": [f in active for f in fips],
            "agreement_287g_latest_list": LATEST_LIST_DATE,
        },
        index=fips,
    )


def _detention_columns() -> pd.DataFrame:
    """Fiscal years with any ICE detainee, and the first and last such day, in each sheriff's facilities."""
    daily = read_processed("ice_detention_daily")
    held = daily[(daily["operator_type"] == "sheriff") & (daily["headcount"] > 0)]
    fiscal_year = held["date"].dt.year + (held["date"].dt.month >= 10).astype(int)
    by_county = held.assign(fiscal_year=fiscal_year).groupby("sheriff_county_fips")
    fips = list(measures.COUNTY_FIPS)
    years = {f: tuple(sorted(set(g["fiscal_year"].astype(int)))) for f, g in by_county}
    first, last = by_county["date"].min(), by_county["date"].max()
    return pd.DataFrame(
        {
            "ice_detention_fiscal_years": [years.get(f, ()) for f in fips],
            "ice_detention_first_day": [first[f].date().isoformat() if f in first else "" for f in fips],
            "ice_detention_last_day": [last[f].date().isoformat() if f in last else "" for f in fips],
            "ice_detention_records_end": measures.ICE_DETENTION_DAILY.end.isoformat(),
        },
        index=fips,
    )


def _sheriff_columns() -> pd.DataFrame:
    """The sheriff in office per the sheriffs table (no end of term), party and start, with the source."""
    sheriffs = load_sheriffs()
    now = sheriffs[sheriffs["term_end"] == ""].drop_duplicates("county_fips", keep="last").set_index("county_fips")
    now = now.reindex(list(measures.COUNTY_FIPS))
    return pd.DataFrame(
        {
            "sheriff": now["sheriff_name"],
            "sheriff_party": now["party"],
            "sheriff_since": now["term_start"],
            "sheriff_source": now["source_url"],
        }
    )


def _policy_columns(policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each scorecard policy question: the latest coded value, its date, statement and source."""
    policies = load_sheriff_policies() if policies is None else policies
    latest = policy_as_of(policies)
    columns = {}
    for question in SCORECARD_POLICIES:
        rows = latest[latest["policy"] == question].set_index("county_fips")
        for field in ("value", "date", "statement", "source_url", "confidence"):
            columns[f"policy_{question}_{field}"] = rows[field]
    return pd.DataFrame(columns).reindex(list(measures.COUNTY_FIPS))


def scorecard(county: pd.DataFrame | None = None, policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per sheriff's office (14, by FIPS): the sheriff now, 287(g), ICE detention, ICE arrests at the jails,
    FY2015 detainers and custody share, and written policy; see `scorecard_cells` for each number's source."""
    county = measures.county_measures() if county is None else county
    counties = load_counties().set_index("county_fips")
    frame = pd.concat(
        [
            counties[["county", "sheriff_office", "houses_own_prisoners", "prisoners_held_in"]],
            _sheriff_columns(),
            _agreement_columns(),
            _detention_columns(),
            _from_download(county),
            _policy_columns(policies),
        ],
        axis=1,
    )
    names = county_names()
    frame["prisoners_held_in_county"] = [names.get(host, "") for host in frame["prisoners_held_in"]]
    frame.index.name = "county_fips"
    return frame.reset_index()


def _bed_contract_check(row: pd.Series, rows: pd.DataFrame) -> tuple[str, str, str]:
    """(latest coded value, its date, finding) for one county's ICE bed contract: 'held_after_end' when ICE's
    records show detainees after the last day of a coded end, 'none_held' when a coded contract has no day with
    detainees in the records, 'not_coded' when the records show a year or more of days and no row says yes,
    else 'agree' (or 'no_rows' when nothing is coded)."""
    coded = rows[rows["value"].isin(["yes", "no"])]
    if coded.empty:
        return "unknown", "", "no_rows"
    latest = coded.iloc[-1]
    last_day, days = row["ice_detention_last_day"], row["ice_detention_days"]
    said_yes = (coded["value"] == "yes").to_numpy()
    # a coded end is the first "no" after the last "yes" (later rows only repeat it)
    end = coded.iloc[said_yes.nonzero()[0].max() + 1] if said_yes.any() and not said_yes[-1] else latest
    if end["value"] == "no" and last_day and date_bounds(end["date"])[1].isoformat() < last_day:
        finding = "held_after_end"
    elif said_yes.any() and not days:
        finding = "none_held"
    elif not said_yes.any() and days >= 365:
        finding = "not_coded"
    else:
        finding = "agree"
    latest = end if finding == "held_after_end" else latest
    return latest["value"], latest["date"], finding


def policy_vs_records(frame: pd.DataFrame, policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per county, the coded ICE bed-contract policy (latest yes/no and its date) beside ICE's daily records
    (days with detainees, last day), and what the comparison finds (see `_bed_contract_check`)."""
    policies = load_sheriff_policies() if policies is None else policies
    beds = policies[policies["policy"] == "ice_bed_contract"]
    out = []
    for _, row in frame.iterrows():
        value, dated, finding = _bed_contract_check(row, beds[beds["county_fips"] == row["county_fips"]])
        out.append(
            {
                "county_fips": row["county_fips"],
                "county": row["county"],
                "policy_value": value,
                "policy_date": dated,
                "records_days": row["ice_detention_days"],
                "records_last_day": row["ice_detention_last_day"],
                "finding": finding,
            }
        )
    return pd.DataFrame(out)
