"""The county profile notebook: one county's sheriff, facilities, measures, history and context.

Every sentence with a number is built here from the processed tables and the reference tables, so
the notebook holds no hand-typed figures. Per-county measures are about the facilities run by the
county's sheriff (`sheriff_county_fips`); other facilities located in the county (state prisons,
federal sites, police, courts) are listed apart and never counted in the county's numbers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_estimate, fmt_num, fmt_pct, html_table, md_source_links

NOTEBOOK_ID = "county_profile"

# A county whose sheriff runs no jail has its prisoners held in another county's jail: counties.csv
# prisoners_held_in (measures.jail_host), never hard-coded here.

TIMELINE_START = date(2005, 1, 1)
TIMELINE_END = date(2025, 12, 31)
STATEWIDE_EVENTS = ("secure_communities", "lunn", "sheriff_elections_2022")
UNDERCOUNT_BEFORE = date(2011, 10, 1)  # ICE detention stays are recorded from this day on

PARTY_NAMES = {
    "D": "Democrat",
    "R": "Republican",
    "I": "independent",
    "U": "unenrolled",
    "": "party not found in a source",
}

LABELS = {
    "detainers_lodged": "Detainers lodged",
    "detainers_per_100k": "Detainers per 100,000 residents (over the period)",
    "custody_share": "Custody share: ICE took custody, of all detainers",
    "custody_share_resolved": "Custody share: ICE took custody, of resolved detainers",
    "declined_share": "Declined share (recorded declines; a lower bound)",
    "declined_share_broad": "Declined share, broad (also releases without transfer)",
    "unresolved_share": "Unresolved share (no outcome recorded)",
    "recorded_declines": "Recorded declines per facility-year",
    "jail_arrests": "ICE arrests at the county's jails (as placed; sensitivity range below)",
    "jail_arrests_per_100k": "ICE arrests at jails per 100,000 residents per year",
    "mean_daily_ice_headcount": "Mean ICE detainees held per day (complete records)",
    "agreement_287g_years": "Operational 287(g) years",
    "agreement_287g_paper_years": "Paper-only 287(g) years (signed, never operated)",
}
SHORT = {
    "detainers_per_100k": "Detainers per 100,000",
    "custody_share": "Custody share (all)",
    "custody_share_resolved": "Custody share (resolved)",
    "declined_share": "Declined share",
    "declined_share_broad": "Declined share (broad)",
    "unresolved_share": "Unresolved share",
    "recorded_declines": "Recorded declines",
    "jail_arrests_per_100k": "ICE arrests at jails",
}
AXIS = {
    "detainers_per_100k": "per 100,000 residents over the period",
    "custody_share": "share of detainers",
    "custody_share_resolved": "share of resolved detainers",
    "declined_share": "share of detainers",
    "declined_share_broad": "share of detainers",
    "unresolved_share": "share of detainers",
    "recorded_declines": "declines per facility-year",
    "jail_arrests_per_100k": "per 100,000 residents per year",
}

OPERATOR_LABELS = {
    "sheriff": "sheriff",
    "state_doc": "state prison (DOC)",
    "federal": "federal",
    "ice": "ICE office",
    "police": "police",
    "state_police": "State Police",
    "court": "court",
    "other": "other (hospital, airport, hotel)",
}

OPERATOR_PLURAL = {
    "state_doc": "state prisons",
    "federal": "federal sites",
    "ice": "ICE offices",
    "police": "police",
    "state_police": "State Police",
    "court": "courts",
    "other": "hospitals and other places",
}

EVENT_GROUPS = {
    "287g_start": "287(g)",
    "287g_end": "287(g)",
    "287g_renewal": "287(g)",
    "287g_application": "287(g)",
    "detention_contract_end": "ICE detention contract",
    "court_ruling": "courts and lawsuits",
    "lawsuit": "courts and lawsuits",
    "election": "sheriffs and elections",
    "sheriff": "sheriffs and elections",
    "federal_action": "federal action",
    "executive_order": "federal action",
    "policy": "policy and reports",
    "legislation": "policy and reports",
    "report": "policy and reports",
}
EVENT_GROUP_ORDER = [
    "287(g)",
    "ICE detention contract",
    "sheriffs and elections",
    "courts and lawsuits",
    "federal action",
    "policy and reports",
]

# Covariates shown in the politics and demographics table: (variable, label, kind).
COVARIATES = [
    ("pres_dem_share", "Presidential vote: Democratic share", "pct"),
    ("pres_rep_share", "Presidential vote: Republican share", "pct"),
    ("gov_dem_share", "Governor vote: Democratic share", "pct"),
    ("gov_rep_share", "Governor vote: Republican share", "pct"),
    ("sheriff_2022_winner_share", "2022 sheriff race: winner's share of the votes", "pct"),
    ("sheriff_2022_contested", "2022 sheriff race contested (runner-up at least 1%)", "yesno"),
    ("population", "Population", "persons"),
    ("foreign_born_share", "Foreign-born share", "pct"),
    ("hispanic_share", "Hispanic share", "pct"),
    ("median_household_income", "Median household income (nominal USD)", "usd"),
    ("poverty_share", "Share in poverty", "pct"),
    ("rural_share", "Rural share (population in rural blocks)", "pct"),
]


def _esc(text) -> str:
    """Escape a data string for Markdown/HTML output."""
    return html.escape(str(text), quote=False)


def _n(count, singular: str, plural: str | None = None) -> str:
    """'1 detainer', '3 detainers' (count formatted with fmt_num)."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{fmt_num(count)} {word}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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


# ----------------------------------------------------------------------------- parameters and compute


def validate(county, period_start, period_end, custody_denominator="all", decline_definition="recorded") -> dict:
    """The registry's checks (county normalised to its name) plus the period against the FY2015 detainer
    records, which the period parameters apply to."""
    from ma_ice_coop.specs.notebooks import notebook_parameters

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
    extra = {
        "custody_share": "custody_share_resolved" if custody_denominator == "resolved" else None,
        "declined_share": "declined_share_broad" if decline_definition == "broad" else None,
    }
    extra["agreement_287g_years"] = "agreement_287g_paper_years"
    ids = ["detainers_lodged"]
    for m in measures.HEADLINE_MEASURES:
        if m == "jail_arrests_per_100k":
            ids.append("jail_arrests")
        ids.append(m)
        if extra.get(m):
            ids.append(extra[m])
    return ids


def custody_measure(r: CountyProfile) -> str:
    return "custody_share_resolved" if r.custody_denominator == "resolved" else "custody_share"


def decline_measure(r: CountyProfile) -> str:
    return "declined_share_broad" if r.decline_definition == "broad" else "declined_share"


def compute(
    county: str,
    period_start: str,
    period_end: str,
    custody_denominator: str = "all",
    decline_definition: str = "recorded",
) -> CountyProfile:
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.facilities import load_facilities
    from ma_ice_coop.tables.reference import load_counties, load_sheriffs

    params = validate(county, period_start, period_end, custody_denominator, decline_definition)
    period = measures.Period.parse(params["period_start"], params["period_end"])
    counties = load_counties()
    row = counties[counties["county"] == params["county"]].iloc[0]
    fips = row["county_fips"]
    names = dict(zip(counties["county_fips"], counties["county"], strict=True))
    jail_host = measures.jail_host()
    host_fips = None if row["houses_own_prisoners"] else jail_host[fips]
    host = names.get(host_fips) if host_fips else None
    served = [names[f] for f, h in sorted(jail_host.items()) if h == fips]

    ids = measure_ids(params["custody_denominator"], params["decline_definition"])
    detainers = read_processed("detainers")
    tables = {
        m: t.assign(small_by_data=measures.small_by_data(t).to_numpy())
        for m, t in measure_tables(ids, period, detainers).items()
    }
    variants = {
        m: [measures.measure_table(v) for v in measures.SENSITIVITY_VARIANTS[m]]
        for m in ids
        if m in measures.SENSITIVITY_VARIANTS
    }
    summary = pd.DataFrame([_summary_row(m, tables[m], fips, variants.get(m, [])) for m in ids])
    small_measures = [m for m in ids if bool(summary.set_index("measure").loc[m, "small"])]

    facilities = load_facilities()
    ma = detainers[(detainers["facility_state"] == "MASSACHUSETTS") & period.contains(detainers["prepare_date"])]
    arrests = read_processed("jail_arrests")
    daily = read_processed("ice_detention_daily")
    per_facility = _facility_records(ma, arrests, daily)
    sheriff_fac, other_fac, others_none = _facility_tables(facilities, per_facility, fips)
    host_facilities = []
    if host is not None:
        hf = facilities[
            (facilities["operator_type"] == "sheriff")
            & (facilities["sheriff_county_fips"] == host_fips)
            & ~facilities["facility_id"].str.endswith("_unspecified")
        ]
        host_facilities = [
            f"{n} ({t})" if isinstance(t, str) and t else n
            for n, t in sorted(zip(hf["facility_name"], hf["town"].fillna(""), strict=True))
        ]

    sheriffs = load_sheriffs()
    mine = sheriffs[sheriffs["county_fips"] == fips].copy()
    mine["_start"] = [_first_day(s) for s in mine["term_start"]]
    mine = mine.sort_values(["_start", "sheriff_name"], na_position="first").drop(columns="_start")
    mine = mine.reset_index(drop=True)
    current = sheriffs[sheriffs["term_end"] == ""].sort_values("county_fips").reset_index(drop=True)

    fy = read_processed("ice_detention_fy")
    adp = (
        fy[(fy["operator_type"] == "sheriff") & (fy["sheriff_county_fips"] == fips)]
        .groupby(["fiscal_year", "data_through"], as_index=False)["adp_total"]
        .sum()
    )
    all_fy = fy[["fiscal_year", "data_through"]].drop_duplicates().sort_values("fiscal_year")
    adp = all_fy.merge(adp, on=["fiscal_year", "data_through"], how="left").fillna({"adp_total": 0.0})
    adp = adp.reset_index(drop=True)

    monthly = _monthly_headcount(daily, fips)
    years = _year_table(read_processed("agreements_287g_years"), daily, adp, fips)
    events = _events(fips, mine)
    covariates = _covariates(fips)

    sheriff_ma = ma[ma["operator_type"] == "sheriff"]
    state_unresolved = (float((sheriff_ma["outcome"] == "unresolved").sum()), float(len(sheriff_ma)))
    unplaced = (int(arrests.loc[arrests["status"] == "unplaced", "arrests"].sum()), int(arrests["arrests"].sum()))
    return CountyProfile(
        params["county"],
        fips,
        period,
        params["custody_denominator"],
        params["decline_definition"],
        row,
        small_measures,
        host,
        host_fips,
        served,
        ids,
        tables,
        summary,
        sheriff_fac,
        other_fac,
        others_none,
        host_facilities,
        mine,
        years,
        monthly,
        adp,
        events,
        covariates,
        current,
        state_unresolved,
        unplaced,
    )


def measure_tables(ids: list[str], period: measures.Period, detainers: pd.DataFrame | None = None) -> dict:
    """measures.measure_table(m, period) for the detainer measures and measure_table(m) (default period) for the
    others. The detainer measures are computed once for all of them, as measure_table does for each."""
    from ma_ice_coop.io import read_processed

    detainers = read_processed("detainers") if detainers is None else detainers
    det = measures.county_detainer_measures(detainers, period, covariates=read_processed("county_covariates"))
    tables = {}
    for m in ids:
        if m in measures.DETAINER_MEASURES:
            table = det[det["measure"] == m].sort_values("county_fips", ignore_index=True)
            tables[m] = table[measures.MEASURE_COLUMNS]
        else:
            tables[m] = measures.measure_table(m)
    return tables


def _first_day(text: str):
    from ma_ice_coop.tables.reference import date_bounds

    return pd.Timestamp(date_bounds(text)[0]) if text else pd.NaT


def _summary_row(m: str, table: pd.DataFrame, fips: str, variants: list[pd.DataFrame] = ()) -> dict:
    """The county's row of one measure with the state, its rank, whether it is small by data, which side of
    the pool its interval lies on (agreeing under every sensitivity variant) and the variants' estimates."""
    kind = measures.measure_kind(m)
    row = table[table["county_fips"] == fips].iloc[0]
    side = measures.pool_side([table, *variants]).get(fips, "") if kind in ("share", "rate") else ""
    alone = measures.pool_side([table]).get(fips, "") if kind in ("share", "rate") else ""
    ends = [float(v.loc[v["county_fips"] == fips, "estimate"].iloc[0]) for v in variants]
    with_data = table[table["estimate"].notna()]
    rank = n = ties = None
    rank_range = (None, None)
    if pd.notna(row["estimate"]):
        v = row["estimate"]
        rank = int((with_data["estimate"] > v).sum()) + 1
        ties = int((with_data["estimate"] == v).sum()) - 1
        n = len(with_data)
        rank_range = _plausible_ranks(row, with_data)
    if kind in ("share", "rate"):
        state = measures.pooled_estimate(table)
    elif m in measures.AGREEMENT_MEASURES:
        state = float((table["estimate"] > 0).sum())  # counties with any agreement year
    else:
        state = float(table["estimate"].sum())  # state total over the 14 counties' sheriff facilities
    return {
        "measure": m,
        "kind": kind,
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "numerator": row["numerator"],
        "denominator": row["denominator"],
        "estimate": row["estimate"],
        "ci_low": row["ci_low"],
        "ci_high": row["ci_high"],
        "state": state,
        "rank": rank,
        "n_with_data": n,
        "ties": ties,
        "rank_best": rank_range[0],
        "rank_worst": rank_range[1],
        "state_numerator": table["numerator"].sum(),
        "state_denominator": table["denominator"].sum(),
        "source": row["source"],
        "small": bool(measures.small_by_data(table[table["county_fips"] == fips]).iloc[0]),
        "side": side,
        "side_as_placed": alone,
        "range_low": min(ends) if ends else np.nan,
        "range_high": max(ends) if ends else np.nan,
    }


def _facility_records(ma: pd.DataFrame, arrests: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """Per facility_id: detainers in the period (and outcomes), ICE arrests 2011-2023, ICE detention days."""
    d = ma.groupby("facility_id").agg(
        detainers=("outcome", "size"),
        custody=("outcome", lambda s: int((s == "custody").sum())),
        declined=("outcome", lambda s: int((s == "declined").sum())),
        unresolved=("outcome", lambda s: int((s == "unresolved").sum())),
    )
    a = arrests[arrests["status"] == "facility"].groupby("facility_id")["arrests"].sum().rename("ice_arrests")
    by_day = daily.groupby(["facility_id", "date"])["headcount"].sum().reset_index()
    det = by_day.groupby("facility_id").agg(
        detention_days=("date", "size"), first_day=("date", "min"), last_day=("date", "max")
    )
    out = pd.concat([d, a, det], axis=1)
    for column in ("detainers", "custody", "declined", "unresolved", "ice_arrests", "detention_days"):
        out[column] = out[column].fillna(0).astype("int64")
    out.index.name = "facility_id"
    return out.reset_index()


def _facility_tables(facilities: pd.DataFrame, records: pd.DataFrame, fips: str):
    merged = facilities.merge(records, on="facility_id", how="left")
    for column in ("detainers", "custody", "declined", "unresolved", "ice_arrests", "detention_days"):
        merged[column] = merged[column].fillna(0).astype("int64")
    any_record = (merged["detainers"] + merged["ice_arrests"] + merged["detention_days"]) > 0
    sheriff = merged[(merged["operator_type"] == "sheriff") & (merged["sheriff_county_fips"] == fips)]
    # an "unspecified" bucket is shown only when a record was placed in it
    sheriff = sheriff[~sheriff["facility_id"].str.endswith("_unspecified") | any_record.loc[sheriff.index]]
    sheriff = sheriff.sort_values(["detainers", "ice_arrests", "facility_name"], ascending=[False, False, True])
    other = merged[(merged["operator_type"] != "sheriff") & (merged["county_fips"] == fips)]
    none = other[~any_record.loc[other.index]].groupby("operator_type").size().sort_index()
    other = other[any_record.loc[other.index]]
    other = other.sort_values(
        ["operator_type", "detainers", "ice_arrests", "facility_name"], ascending=[True, False, False, True]
    )
    return sheriff.reset_index(drop=True), other.reset_index(drop=True), none


def _monthly_headcount(daily: pd.DataFrame, fips: str) -> pd.Series:
    """Monthly mean ICE headcount in the county's sheriff facilities (a day absent from the data had none)."""
    cover = measures.ICE_DETENTION_DAILY
    days = pd.date_range(pd.Timestamp(cover.start), pd.Timestamp(cover.end), freq="D")
    mine = daily[(daily["operator_type"] == "sheriff") & (daily["sheriff_county_fips"] == fips)]
    per_day = mine.groupby("date")["headcount"].sum().reindex(days, fill_value=0).astype("float64")
    monthly = per_day.resample("MS").mean()
    monthly.name = "monthly mean ICE detainees per day"
    return monthly


def _year_table(panel: pd.DataFrame, daily: pd.DataFrame, adp: pd.DataFrame, fips: str) -> pd.DataFrame:
    """One row per year: operational 287(g) year (`agreement_287g`) and paper-only 287(g) year
    (`agreement_287g_paper`; calendar years), ICE detention (fiscal year), ICE year-end ADP.

    The fiscal-year detention figures are those of measures.detention_rows (days with any ICE detainee in the
    county's sheriff facilities; person-days over the days of the fiscal year within the coverage)."""
    mine_287g = panel[(panel["agency_type"] == "sheriff") & (panel["county_fips"] == fips)].set_index("year")
    g, paper = mine_287g["agreement_287g_operational"], mine_287g["agreement_287g_paper"]
    mine = daily[(daily["operator_type"] == "sheriff") & (daily["sheriff_county_fips"] == fips)]
    per_day = mine.groupby("date")["headcount"].sum()
    per_day = per_day[per_day > 0]
    rows = []
    cover = measures.ICE_DETENTION_DAILY  # its first and last fiscal years are partial (clipped to the coverage)
    first_fy = cover.start.year + (1 if cover.start.month >= 10 else 0)
    last_fy = cover.end.year + (1 if cover.end.month >= 10 else 0)
    adp_by = dict(zip(adp["fiscal_year"], adp["adp_total"], strict=True))
    for year in range(TIMELINE_START.year, TIMELINE_END.year + 1):
        row = {
            "year": year,
            "agreement_287g": g.get(year, pd.NA),
            "agreement_287g_paper": paper.get(year, pd.NA),
            "detention_days": np.nan,
            "days_in_period": np.nan,
            "mean_daily": np.nan,
            "undercount": pd.NA,
        }
        if first_fy <= year <= last_fy:
            period = measures.fiscal_year_period(year)
            in_fy = per_day[period.contains(pd.Series(per_day.index, index=per_day.index))]
            row.update(
                detention_days=float(len(in_fy)),
                days_in_period=float(period.days),
                mean_daily=float(in_fy.sum()) / period.days,
                undercount=period.start < UNDERCOUNT_BEFORE,
            )
        row["adp_year_end"] = adp_by.get(year, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _events(fips: str, sheriffs: pd.DataFrame) -> pd.DataFrame:
    """County events of the policy timeline, statewide key events and sheriffs taking office (2005-2025)."""
    from ma_ice_coop.analysis.events import KEY_EVENTS, timeline_row
    from ma_ice_coop.tables.reference import load_policy_timeline

    timeline = load_policy_timeline()
    rows = []
    for _, e in timeline[timeline["county_fips"] == fips].iterrows():
        rows.append(
            {
                "date_text": e["date"],
                "category": e["category"],
                "label": e["event"],
                "event": e["event"],
                "source_url": e["source_url"],
                "level": e["level"],
            }
        )
    for key in STATEWIDE_EVENTS:
        event = KEY_EVENTS[key]
        e = timeline_row(event, timeline)
        rows.append(
            {
                "date_text": e["date"],
                "category": e["category"],
                "label": event.label,
                "event": e["event"],
                "source_url": e["source_url"],
                "level": e["level"],
            }
        )
    for _, s in sheriffs.iterrows():
        if not s["term_start"]:
            continue
        party = f" ({s['party']})" if s["party"] else ""
        how = f", {s['how_started']}" if s["how_started"] else ""
        rows.append(
            {
                "date_text": s["term_start"],
                "category": "sheriff",
                "label": f"{s['sheriff_name']}{party} takes office",
                "event": f"{s['sheriff_name']}{party} becomes sheriff{how}.",
                "source_url": s["source_url"],
                "level": "county",
            }
        )
    events = pd.DataFrame(rows)
    events["date"] = [_first_day(t) for t in events["date_text"]]
    events["group"] = events["category"].map(EVENT_GROUPS).fillna("policy and reports")
    events = events[(events["date"] >= pd.Timestamp(TIMELINE_START)) & (events["date"] <= pd.Timestamp(TIMELINE_END))]
    # numbered in the order timeline_figure draws them (date, category, label)
    numbered = plots.timeline_events(events.rename(columns={"category": "raw_category", "group": "category"}))
    return numbered.rename(columns={"category": "group", "raw_category": "category"})


def _covariates(fips: str) -> pd.DataFrame:
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.loaders.covariates import county_covariates_wide

    panel = read_processed("county_covariates")
    variables = [v for v, _, _ in COVARIATES]
    wide = county_covariates_wide(TIMELINE_END.year, panel=panel, variables=variables, with_years=True)
    mine = wide[wide["county_fips"] == fips].iloc[0]
    rows = []
    for variable, label, kind in COVARIATES:
        values = wide[variable]
        value = mine[variable]
        year = mine[f"{variable}_year"]
        info = panel[(panel["county_fips"] == fips) & (panel["variable"] == variable) & (panel["year"] == year)]
        vintage = info["vintage"].iloc[0] if len(info) else ""
        source = info["source_file"].iloc[0] if len(info) else ""
        rank = int((values > value).sum()) + 1 if pd.notna(value) else None
        rows.append(
            {
                "variable": variable,
                "label": label,
                "kind": kind,
                "value": value,
                "median": float(values.median()) if values.notna().any() else np.nan,
                "n": int(values.notna().sum()),
                "rank": rank,
                "year": year,
                "vintage": vintage,
                "source": source,
                "sum": float(values.sum()),
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- formatting helpers


def _fmt_value(m: str, est, low=np.nan, high=np.nan) -> str:
    kind = measures.measure_kind(m)
    if kind == "share":
        return fmt_estimate(est, low, high, share=True)
    if kind == "rate":
        return fmt_estimate(est, low, high, share=False, digits=2 if m == "recorded_declines" else 1)
    if m == "mean_daily_ice_headcount":
        return fmt_num(est, 1)
    return fmt_estimate(est, low, high, share=False, digits=0)


def _fmt_state(row) -> str:
    m = row["measure"]
    if row["kind"] == "share":
        return f"{fmt_pct(row['state'])} (state pool)"
    if row["kind"] == "rate":
        return f"{_fmt_value(m, row['state'])} (state pool)"
    if m in measures.AGREEMENT_MEASURES:
        return f"{fmt_num(row['state'])} of 14 counties had any"
    if m == "mean_daily_ice_headcount":
        return f"{fmt_num(row['state'], 1)} (all sheriff facilities)"
    return f"{fmt_num(row['state'])} (state total)"


def _basis(row) -> str:
    m, k, n = row["measure"], row["numerator"], row["denominator"]
    if m in ("custody_share", "declined_share", "declined_share_broad", "unresolved_share"):
        return f"{fmt_num(k)} of {fmt_num(n)} detainers"
    if m == "custody_share_resolved":
        return f"{fmt_num(k)} of {fmt_num(n)} resolved detainers"
    if m == "detainers_per_100k":
        return f"{fmt_num(k)} detainers; residents {fmt_num(n)}"
    if m == "recorded_declines":
        return f"{fmt_num(k)} declines in {fmt_num(n)} facility-years"
    if m == "jail_arrests_per_100k":
        return f"{fmt_num(k)} arrests; {fmt_num(n)} person-years" + (
            f"; sensitivity range {fmt_num(row['range_low'], 1)}-{fmt_num(row['range_high'], 1)}"
            if pd.notna(row["range_low"])
            else ""
        )
    if m == "mean_daily_ice_headcount":
        return f"{fmt_num(k)} person-days over {fmt_num(n)} days"
    if m in measures.AGREEMENT_MEASURES:
        return f"{fmt_num(k)} of {fmt_num(n)} years"
    if m == "detainers_lodged":
        return f"{fmt_num(k)} detainers"
    return f"{fmt_num(k)} arrests" + (
        f"; sensitivity range {fmt_num(row['range_low'])}-{fmt_num(row['range_high'])}"
        if pd.notna(row["range_low"])
        else ""
    )


def _plausible_ranks(row, with_data: pd.DataFrame) -> tuple[int | None, int | None]:
    """The ranks (1 = highest) the county's 95% interval allows: best = 1 + counties whose interval lies
    wholly above it; worst = counties whose interval does not lie wholly below it. (None, None) for
    measures without intervals (complete administrative counts: the point rank is exact)."""
    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
        return (None, None)
    others = with_data[with_data["county_fips"] != row["county_fips"]].dropna(subset=["ci_low", "ci_high"])
    best = 1 + int((others["ci_low"] > row["ci_high"]).sum())
    worst = len(others) + 1 - int((others["ci_high"] < row["ci_low"]).sum())
    return (best, worst)


def _rank_text(r: CountyProfile, row) -> str:
    if row["rank"] is None or pd.isna(row["rank"]):
        return "no estimate"
    if row["small"]:
        return f"not ranked (small: {measures.small_rule(row['measure'])})"
    n = int(row["n_with_data"])
    best, worst = row.get("rank_best"), row.get("rank_worst")
    if best is not None and pd.notna(best) and int(best) != int(worst):
        return (
            f"anywhere from {_ordinal(int(best))} to {_ordinal(int(worst))} highest of {n} (the 95% intervals overlap)"
        )
    tied = "tied " if row["ties"] else ""
    return f"{tied}{_ordinal(int(row['rank']))} highest of {n}".replace("1st highest", "highest")


def _comparison(row, no_jail: bool = False) -> str:
    if no_jail and not row["estimate"] > 0:
        return "zero or blank by construction (no jail)"
    if pd.isna(row["estimate"]):
        return "no estimate (nothing to measure)"
    if row["kind"] in ("share", "rate"):
        if pd.isna(row["state"]):
            return "–"
        ranged = ", also across its sensitivity range" if pd.notna(row["range_low"]) else ""
        if row["side"] in ("above", "below"):
            return f"whole interval {row['side']} the state pool{ranged}"
        if row["side_as_placed"]:
            return (
                f"interval {row['side_as_placed']} the state pool as placed, but not across its sensitivity "
                "range: cannot be told apart"
            )
        return "interval includes the state pool"
    if row["measure"] in measures.AGREEMENT_MEASURES:
        return "–"
    if row["state"] > 0:
        return f"{fmt_pct(row['estimate'] / row['state'])} of the state total"
    return "–"


def _period_text(start: str, end: str) -> str:
    return f"{start} to {end}"


def _summary(r: CountyProfile, m: str) -> dict:
    return r.summary[r.summary["measure"] == m].iloc[0].to_dict()


def _links(urls: str) -> str:
    parts = [u.strip() for u in str(urls).split(" ; ") if u.strip()]
    return " ".join(f'<a href="{html.escape(u, quote=True)}">[{i}]</a>' for i, u in enumerate(parts, start=1))


def _html_rows(df: pd.DataFrame, *, caption: str, raw: tuple[str, ...] = ()) -> "object":
    """An HTML table whose cells are escaped, except the columns in `raw` (already-built links)."""
    from IPython.display import HTML

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = "".join(f"<td>{row[c] if c in raw else html.escape(str(row[c]))}</td>" for c in df.columns)
        body.append(f"<tr>{cells}</tr>")
    cap = f'<p class="ma-caption">{html.escape(caption)}</p>' if caption else ""
    return HTML(f'{cap}<table class="ma-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _year_ranges(years: list[int]) -> str:
    years = sorted(years)
    spans, start, prev = [], None, None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            spans.append((start, prev))
            start = prev = y
    if start is not None:
        spans.append((start, prev))
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


# ----------------------------------------------------------------------------- text


def heading(r: CountyProfile) -> str:
    return f"## {_esc(r.county)} County: {_esc(r.county_row['sheriff_office'])}"


def key_findings(r: CountyProfile) -> str:
    lines = []
    office = _esc(r.county_row["sheriff_office"])
    period = _period_text(r.period.start.isoformat(), r.period.end.isoformat())
    if r.host is not None:
        lines.append(
            f"**{_esc(r.county)} has no jail or house of correction.** Its prisoners are held in "
            f"{_esc(r.host)} County ({_esc('; '.join(r.host_facilities))}), so the {office}'s measures "
            f"below are zero or blank by construction: they say nothing about how the sheriff treats ICE "
            f"requests. For the jail that holds its prisoners see the "
            f"[{_esc(r.host)} County report]({_esc(r.host)}.html)."
        )
    elif len(r.sheriff_facilities):
        names = "; ".join(f"{_esc(n)}" for n in sorted(r.sheriff_facilities["facility_name"]))
        one = len(r.sheriff_facilities) == 1
        lines.append(
            f"The {office} runs {_n(len(r.sheriff_facilities), 'facility', 'facilities')} in this "
            f"project's crosswalk ({names}). Every measure below is about "
            f"{'this facility' if one else 'these facilities'} only."
        )
    if r.small_measures and r.host is None:  # a county without a jail has structural zeros, not few cases
        shown = "; ".join(f"{LABELS[m].split(' (')[0]} ({measures.small_rule(m)})" for m in r.small_measures)
        lines.append(
            f"**Few cases:** {_esc(r.county)}'s estimates rest on too few cases to rank for: {shown}. "
            "Small is decided by the data of each measure, not by population: read these 95% intervals, "
            "which are wide, not the county's position among counties."
        )

    det = _summary(r, "detainers_lodged")
    per = _summary(r, "detainers_per_100k")
    a = _summary(r, "jail_arrests")
    ar = _summary(r, "jail_arrests_per_100k")
    if r.host is not None:
        h = _summary(r, "mean_daily_ice_headcount")
        lines.append(
            f"Accordingly these records hold {_n(det['estimate'], 'detainer')} at a {_esc(r.county)} sheriff "
            f"facility ({period}), {_n(a['estimate'], 'ICE arrest')} at its jails ({a['period_start']} to "
            f"{a['period_end']}) and a mean of {fmt_num(h['estimate'], 1)} ICE detainees per day "
            f"({h['period_start']} to {h['period_end']})."
        )
    elif det["estimate"] > 0:
        lines.append(
            f"From {period}, ICE lodged {_n(det['estimate'], 'detainer')} at the sheriff's facilities: "
            f"{_fmt_value('detainers_per_100k', per['estimate'], per['ci_low'], per['ci_high'])} per "
            f"100,000 residents{_residents(r)}, against a state pool of "
            f"{_fmt_value('detainers_per_100k', per['state'])} "
            f"for all sheriff facilities ({_comparison(per)})."
        )
        cm = custody_measure(r)
        c = _summary(r, cm)
        u = _summary(r, "unresolved_share")
        if pd.notna(c["estimate"]):
            of = "resolved detainers (those with an outcome recorded)" if cm.endswith("resolved") else "detainers"
            if c["denominator"] == 1:
                of = of.replace("detainers", "detainer")
            lines.append(
                f"ICE recorded taking custody ('Booked into Detention') for {fmt_num(c['numerator'])} of "
                f"{fmt_num(c['denominator'])} {of}: {_fmt_value(cm, c['estimate'], c['ci_low'], c['ci_high'])}, "
                f"against a state pool of {fmt_pct(c['state'])} ({_comparison(c)})."
            )
        else:
            lines.append(
                "None of the county's detainers has an outcome recorded, so no custody share among resolved "
                "detainers can be computed."
            )
        verb = "has" if u["numerator"] == 1 else "have"
        lines.append(
            f"{fmt_num(u['numerator'])} of {_n(u['denominator'], 'detainer')} ({fmt_pct(u['estimate'])}) "
            f"{verb} no outcome recorded at all (state pool {fmt_pct(u['state'])}): what happened to them is "
            "not known."
        )
        dm = decline_measure(r)
        d = _summary(r, dm)
        what = (
            _n(d["numerator"], "decline or release without a transfer", "declines or releases without a transfer")
            if dm.endswith("broad")
            else _n(d["numerator"], "decline by the jail", "declines by the jail")
        )
        lines.append(
            f"ICE recorded {what}: {_fmt_value(dm, d['estimate'], d['ci_low'], d['ci_high'])}, against a "
            f"state pool of {fmt_pct(d['state'])}. This is a lower bound: ICE records only the declines it "
            "learns of."
        )
    else:
        lines.append(
            f"ICE lodged no detainer at the sheriff's facilities from {period} in these records, so the "
            "custody, decline and unresolved shares cannot be computed for this county."
        )

    if r.host is None:
        lines.append(_jail_arrest_sentence(r, a, ar))

    if r.host is None:
        lines.append(_detention_sentence(r))
    lines.append(_agreement_sentence(r))
    lines.append(_sheriff_sentence(r))
    other_det = int(r.other_facilities["detainers"].sum())
    other_arr = int(r.other_facilities["ice_arrests"].sum())
    if len(r.other_facilities):
        kinds = [OPERATOR_PLURAL.get(k, k) for k in sorted(set(r.other_facilities["operator_type"]))]
        arrests = f", and ICE recorded {_n(other_arr, 'arrest')} at them" if other_arr else ""
        lines.append(
            f"Facilities located in {_esc(r.county)} County but not run by its sheriff ({', '.join(kinds)}) "
            f"received {_n(other_det, 'detainer')} in the same period{arrests}; they are listed apart and "
            "never counted in the county's numbers." + _state_police_note(r)
        )
    lunn = _lunn()
    lines.append(
        f"The detainer outcomes ({period}) predate Lunn v. Commonwealth ({lunn['date']}), after which "
        "Massachusetts law gives officers no authority to hold anyone on an ICE detainer alone (the sheriffs "
        "with 287(g) agreements said their ICE-trained officers still could; see Methodology): they "
        "describe practice then, not now."
    )
    return bullet_list(lines)


def _residents(r: CountyProfile) -> str:
    """Whose residents are the denominator of the jail measures, when not only the county's own."""
    if r.served == [r.county]:
        return ""
    return (
        f" (residents of {' and '.join(_esc(c) for c in r.served)} counties, whose prisoners the sheriff's jails "
        "hold: counties.csv prisoners_held_in)"
    )


def _jail_arrest_sentence(r: CountyProfile, a: dict, ar: dict) -> str:
    """ICE arrests at the county's jails: the count as placed, its sensitivity range and the rate."""
    moves = pd.notna(a["range_low"]) and a["range_low"] != a["range_high"]
    rng = (
        f"; sensitivity range {fmt_num(a['range_low'])} to {fmt_num(a['range_high'])} with ambiguous landmarks "
        "left out or unplaced ones naming a place with its jail counted in"
        if moves
        else "; no ambiguous landmark touches this count"
    )
    rate_rng = f", range {fmt_num(ar['range_low'], 1)} to {fmt_num(ar['range_high'], 1)}" if moves else ""
    return (
        f"ICE recorded {_n(a['estimate'], 'arrest')} at the sheriff's jails from {a['period_start']} to "
        f"{a['period_end']} (pooled{rng}): "
        f"{_fmt_value('jail_arrests_per_100k', ar['estimate'], ar['ci_low'], ar['ci_high'])} per 100,000 "
        f"residents{_residents(r)} per year{rate_rng}, against a state pool of "
        f"{_fmt_value('jail_arrests_per_100k', ar['state'])} ({_comparison(ar)}). Arrest places come from "
        "free text, so misplacement can raise or lower the count; residents stand in for the jail population "
        "(no bookings source is used)."
    )


def _state_police_note(r: CountyProfile) -> str:
    """State Police detainers in the county are a state agency's, never the sheriff's cooperation."""
    sp = r.other_facilities[r.other_facilities["operator_type"] == "state_police"]
    n = int(sp["detainers"].sum())
    if not n:
        return ""
    return (
        f" {_n(n, 'detainer was', 'detainers were')} lodged with the Massachusetts State Police "
        f"({_esc('; '.join(sorted(sp['facility_name'])))}), a state agency: they are not cooperation by the "
        f"{_esc(r.county_row['sheriff_office'])} and are not in its measures."
    )


def _lunn() -> pd.Series:
    from ma_ice_coop.analysis.events import KEY_EVENTS, timeline_row

    return timeline_row(KEY_EVENTS["lunn"])


def _detention_sentence(r: CountyProfile) -> str:
    h = _summary(r, "mean_daily_ice_headcount")
    fac = r.sheriff_facilities
    held = fac[fac["detention_days"] > 0]
    span = f"{h['period_start']} to {h['period_end']}"
    latest = r.adp[r.adp["adp_total"] > 0]
    if held.empty:
        cover = measures.ICE_DETENTION_DAILY
        text = (
            f"The daily ICE detention records ({cover.start} to {cover.end}) show no ICE detainee held in the "
            "sheriff's facilities"
        )
    else:
        first = held["first_day"].min().date().isoformat()
        last = held["last_day"].max().date().isoformat()
        days = int(r.years["detention_days"].fillna(0).sum())
        text = (
            f"ICE detainees were held in the sheriff's facilities on {_n(days, 'day')} between {first} and "
            f"{last} (records before {UNDERCOUNT_BEFORE.isoformat()} undercount); {_fiscal_year_peak(r)} "
            f"(mean over {span}, the complete records: {_fmt_mean(h['estimate'])} per day; see the year table)"
        )
    if len(latest):
        fy = latest.iloc[-1]
        text += (
            f"; ICE's year-end statistics give an average daily population of {fmt_num(fy['adp_total'], 1)} "
            f"in FY{int(fy['fiscal_year'])}, the latest year listing any of its facilities"
        )
        last_fy = int(r.adp["fiscal_year"].max())
        if int(fy["fiscal_year"]) < last_fy:
            after = int(fy["fiscal_year"]) + 1
            text += f" (none listed in FY{after}" + (f"-FY{last_fy})" if after < last_fy else ")")
    else:
        text += (
            f"; ICE's year-end statistics FY{int(r.adp['fiscal_year'].min())}-FY{int(r.adp['fiscal_year'].max())} "
            "list none of its facilities (not listed, which is not the same as none held)"
        )
    return text + "."


def _fiscal_year_peak(r: CountyProfile) -> str:
    """The per-fiscal-year panel in words: the peak fiscal year of the complete records and the last with any."""
    y = r.years[r.years["undercount"].map(lambda v: v is False) & r.years["mean_daily"].notna()]
    held = y[y["mean_daily"] > 0]
    if held.empty:
        return f"by fiscal year, none was held from FY{UNDERCOUNT_BEFORE.year + 1} on"
    peak = held.sort_values(["mean_daily", "year"], ascending=[False, True]).iloc[0]
    return (
        f"by fiscal year, the mean held per day peaked at {_fmt_mean(peak['mean_daily'])} in FY{int(peak['year'])} "
        f"and the last fiscal year with any was FY{int(held['year'].max())}"
    )


def _fmt_mean(value) -> str:
    """A mean headcount to one decimal; 'less than 0.1' rather than '0.0' when some were held."""
    return "less than 0.1" if 0 < value < 0.05 else fmt_num(value, 1)


def _agreement_sentence(r: CountyProfile) -> str:
    """Operational 287(g) years (the count the reports use) and, apart, paper-only years."""
    y = r.years
    years = y.loc[y["agreement_287g"].fillna(False).astype(bool), "year"].tolist()
    paper = y.loc[y["agreement_287g_paper"].fillna(False).astype(bool), "year"].tolist()
    span = f"{int(y['year'].min())}-{int(y['year'].max())}"
    paper_text = (
        f" An earlier agreement existed on paper only in {_year_ranges(paper)} (signed and on ICE's lists, "
        f"never operated): {_n(len(paper), 'paper year')}, not counted as operational."
        if paper
        else ""
    )
    if years:
        return (
            f"The sheriff's 287(g) agreement was operational in {_year_ranges(years)} ({fmt_num(len(years))} of "
            f"the years {span}; the reports count operational years: a calendar year counts when the agreement was in "
            f"force and operating for at least part of it, as the methodology section says)." + paper_text
        )
    if paper:
        return f"No operational 287(g) agreement is recorded for this sheriff in {span}." + paper_text
    return f"No 287(g) agreement is recorded for this sheriff in {span}."


def _sheriff_sentence(r: CountyProfile) -> str:
    cur = r.sheriffs[r.sheriffs["term_end"] == ""]
    cov = r.covariates.set_index("variable")
    parts = []
    if len(cur):
        s = cur.iloc[-1]
        how = f", {s['how_started']}" if s["how_started"] else ""
        parts.append(
            f"The sheriff since {s['term_start']} is {_esc(s['sheriff_name'])} "
            f"({PARTY_NAMES.get(s['party'], s['party'])}{how})"
        )
    share = cov.loc["sheriff_2022_winner_share", "value"]
    contested = cov.loc["sheriff_2022_contested", "value"]
    if pd.notna(share):
        from ma_ice_coop.tables.loaders.covariates import CONTESTED_RULE

        race = "contested" if contested == 1 else "uncontested"
        parts.append(
            f"the 2022 sheriff race was {race} ({CONTESTED_RULE}; county_covariates); the winner had "
            f"{fmt_pct(share)} of the votes (MEDSL certified precinct sums)"
        )
    return "; ".join(parts) + "." if parts else "No sheriff in office is recorded for this county."


def measures_intro(r: CountyProfile) -> str:
    period = _period_text(r.period.start.isoformat(), r.period.end.isoformat())
    others = sorted(
        {
            (_summary(r, m)["period_start"], _summary(r, m)["period_end"], m)
            for m in r.measure_ids
            if m not in measures.DETAINER_MEASURES
        }
    )
    other_text = "; ".join(f"{LABELS[m]}: {a} to {b}" for a, b, m in others)
    return (
        f"The period parameters ({period}) apply to the detainer measures. The other measures use their "
        f"default periods (the coverage of their sources): {other_text}. The state column pools all 14 counties' "
        "sheriff-run facilities; the rank counts only counties with an estimate (1st = highest), and where intervals "
        "overlap it gives every rank the 95% interval allows (from 1 + the counties whose interval lies wholly "
        "above, to the counties whose interval does not lie wholly below). "
        "Shares carry Jeffreys 95% intervals, counts and rates exact Poisson intervals; administrative counts "
        "(ICE headcounts, agreement years) are complete and carry none."
    )


# ----------------------------------------------------------------------------- tables


def measures_table_html(r: CountyProfile):
    rows = []
    for _, row in r.summary.iterrows():
        rows.append(
            {
                "measure": LABELS[row["measure"]],
                "period": _period_text(row["period_start"], row["period_end"]),
                f"{r.county}: based on": _basis(row),
                f"{r.county}: estimate (95% CI)": _fmt_value(
                    row["measure"], row["estimate"], row["ci_low"], row["ci_high"]
                ),
                "state (sheriff facilities)": _fmt_state(row),
                "compared with the state": _comparison(row, r.host is not None),
                "rank among counties": _rank_text(r, row),
            }
        )
    return html_table(
        pd.DataFrame(rows),
        caption=f"{r.county} County's sheriff-run facilities: every measure, with the state and its rank",
    )


def _facility_frame(df: pd.DataFrame, *, who: bool) -> pd.DataFrame:
    out = pd.DataFrame({"facility": df["facility_name"]})
    if who:
        out["run by"] = [
            f"{OPERATOR_LABELS.get(t, t)}: {o}" if isinstance(o, str) and o else OPERATOR_LABELS.get(t, t)
            for t, o in zip(df["operator_type"], df["operator"], strict=True)
        ]
    out["town"] = df["town"].fillna("(not specified)")
    if not who:
        out["ICE code"] = df["ice_code"].fillna("–")
        out["open"] = df["open_years"].fillna("–")
    out["detainers"] = df["detainers"].map(fmt_num)
    out["of which ICE took custody"] = df["custody"].map(fmt_num)
    out["declined (recorded)"] = df["declined"].map(fmt_num)
    out["no outcome"] = df["unresolved"].map(fmt_num)
    out["ICE arrests 2011-10..2023-01"] = df["ice_arrests"].map(fmt_num)
    out["days with ICE detainees"] = [
        f"{fmt_num(n)} ({a.date().isoformat()} to {b.date().isoformat()})" if n > 0 else "0"
        for n, a, b in zip(df["detention_days"], df["first_day"], df["last_day"], strict=True)
    ]
    return out


def sheriff_facilities_html(r: CountyProfile):
    from ma_ice_coop.present.report import md

    period = _period_text(r.period.start.isoformat(), r.period.end.isoformat())
    if r.sheriff_facilities.empty:
        where = (
            f" Its prisoners are held at {_esc('; '.join(r.host_facilities))}, run by the {_esc(r.host)} "
            f"sheriff (see the [{_esc(r.host)} County report]({_esc(r.host)}.html))."
            if r.host
            else ""
        )
        return md(f"_The {_esc(r.county_row['sheriff_office'])} runs no jail or house of correction._{where}")
    shown = _facility_frame(r.sheriff_facilities, who=False)
    total = {c: "" for c in shown.columns}
    total["facility"] = "All facilities of the sheriff"
    for col, src in [
        ("detainers", "detainers"),
        ("of which ICE took custody", "custody"),
        ("declined (recorded)", "declined"),
        ("no outcome", "unresolved"),
        ("ICE arrests 2011-10..2023-01", "ice_arrests"),
    ]:
        total[col] = fmt_num(r.sheriff_facilities[src].sum())
    shown = pd.concat([shown, pd.DataFrame([total])], ignore_index=True)
    return html_table(
        shown,
        caption=f"Facilities run by the {r.county_row['sheriff_office']}: detainers "
        f"{period} (detainer records), ICE arrests (arrest landmarks, pooled) and days "
        "with ICE detainees (daily ICE detention records, 2008-09-06 to 2024-01-04)",
    )


def facilities_text(r: CountyProfile) -> str:
    lines = []
    total = int(r.sheriff_facilities["detainers"].sum()) if len(r.sheriff_facilities) else 0
    measure = _summary(r, "detainers_lodged")["estimate"]
    where = "The sheriff's facilities above" if len(r.sheriff_facilities) else "The sheriff's facilities (none)"
    lines.append(
        f"{where} received {_n(total, 'detainer')} in the period; the county's detainers-lodged "
        f"measure is {fmt_num(measure)}: the same records."
    )
    if len(r.others_without_records):
        parts = ", ".join(f"{fmt_num(n)} {OPERATOR_LABELS.get(k, k)}" for k, n in r.others_without_records.items())
        lines.append(
            f"Other facilities located in {_esc(r.county)} County in the crosswalk with no detainer, ICE "
            f"arrest or ICE detainee in these records: {parts}."
        )
    lines.append(
        "The facilities below are in the county but not run by its sheriff: state prisons (DOC), federal "
        "sites, ICE offices, police lockups, courts and others. They are never counted in the county's "
        "measures."
    )
    return bullet_list(lines)


def other_facilities_html(r: CountyProfile):
    from ma_ice_coop.present.report import md

    if r.other_facilities.empty:
        return md(
            f"_No facility located in {_esc(r.county)} County but not run by its sheriff has a detainer, an ICE "
            "arrest or an ICE detainee in these records._"
        )
    period = _period_text(r.period.start.isoformat(), r.period.end.isoformat())
    return html_table(
        _facility_frame(r.other_facilities, who=True),
        caption=f"Facilities located in {r.county} County, not run by its sheriff (never counted in "
        f"the county's measures): detainers {period}, ICE arrests and days with ICE detainees",
    )


def events_html(r: CountyProfile):
    ev = r.events
    shown = pd.DataFrame(
        {
            "#": ev["number"].astype(str),
            "date": ev["date_text"],
            "type": ev["group"],
            "event": ev["event"],
            "sources": [_links(u) for u in ev["source_url"]],
        }
    )
    return _html_rows(
        shown,
        caption=f"Events on the timeline: {r.county} County events of the policy timeline, "
        "statewide key events and sheriffs taking office (numbers as in the figure)",
        raw=("sources",),
    )


def sheriffs_html(r: CountyProfile):
    s = r.sheriffs
    shown = pd.DataFrame(
        {
            "sheriff": s["sheriff_name"],
            "party": [PARTY_NAMES.get(p, p) for p in s["party"]],
            "from": s["term_start"].replace("", "not found"),
            "to": s["term_end"].replace("", "in office"),
            "how started": s["how_started"].replace("", "not found"),
            "287(g) and ICE record": s["agreement_287g"],
            "sources": [_links(u) for u in s["source_url"]],
        }
    )
    return _html_rows(shown, caption=f"Sheriffs of {r.county} County (data/reference/sheriffs.csv)", raw=("sources",))


def years_html(r: CountyProfile):
    y = r.years

    def yes(v):
        return "–" if pd.isna(v) else ("yes" if bool(v) else "no")

    shown = pd.DataFrame(
        {
            "year": y["year"].astype(str),
            "287(g) operational (calendar year)": y["agreement_287g"].map(yes),
            "287(g) on paper only (signed, never operated)": y["agreement_287g_paper"].map(yes),
            "days with ICE detainees (fiscal year)": [
                "–" if pd.isna(d) else f"{fmt_num(d)} of {fmt_num(n)}" + (" (undercount)" if u is True else "")
                for d, n, u in zip(y.get("detention_days"), y.get("days_in_period"), y.get("undercount"), strict=True)
            ],
            "mean ICE detainees per day (fiscal year)": [
                "–" if pd.isna(v) else fmt_num(v, 1) for v in y.get("mean_daily")
            ],
            "ICE year-end average daily population (fiscal year)": [
                "–" if pd.isna(v) else ("not listed" if v == 0 else fmt_num(v, 1)) for v in y["adp_year_end"]
            ],
        }
    )
    return html_table(
        shown,
        caption=f"{r.county} County's sheriff by year: 287(g) operational and paper-only years "
        "(calendar years; agreements_287g_years) and ICE detention in its facilities "
        "(federal fiscal "
        "years Oct-Sep; daily records FY2008-FY2024, the first and last partial, and ICE "
        "year-end statistics FY2019-FY2025, where 'not listed' means ICE's workbook "
        "lists none of its facilities, which is not the same as none held); "
        "– = not covered",
    )


def covariates_html(r: CountyProfile):
    c = r.covariates
    rows = []
    for _, x in c.iterrows():
        rows.append(
            {
                "measure": x["label"],
                f"{r.county}": _fmt_cov(x["kind"], x["value"]),
                "median of the 14 counties": (
                    f"{fmt_num(x['sum'])} of {fmt_num(x['n'])} contested"
                    if x["kind"] == "yesno"
                    else _fmt_cov(x["kind"], x["median"])
                ),
                "rank (1 = highest)": "–"
                if x["rank"] is None or x["kind"] == "yesno" or pd.isna(x["rank"])
                else f"{int(x['rank'])} of {int(x['n'])}",
                "year / vintage": f"{'' if pd.isna(x['year']) else int(x['year'])}: {x['vintage']}",
                "source": x["source"],
            }
        )
    cur = r.all_current_sheriffs
    mine = cur[cur["county_fips"] == r.county_fips]
    counts = cur["party"].replace("", "not found").map(lambda p: PARTY_NAMES.get(p, p)).value_counts().sort_index()
    rows.append(
        {
            "measure": "Party of the sitting sheriff",
            f"{r.county}": PARTY_NAMES.get(mine["party"].iloc[0], mine["party"].iloc[0]) if len(mine) else "–",
            "median of the 14 counties": "; ".join(f"{fmt_num(n)} {p}" for p, n in counts.items()),
            "rank (1 = highest)": "–",
            "year / vintage": "in office now (sheriffs.csv)",
            "source": "data/reference/sheriffs.csv",
        }
    )
    return html_table(
        pd.DataFrame(rows),
        caption=f"{r.county} County's politics and demographics next to the median "
        "county (latest value of each variable; county_covariates)",
    )


def _fmt_cov(kind: str, v) -> str:
    if pd.isna(v):
        return "–"
    if kind == "pct":
        return fmt_pct(v, 1)
    if kind == "usd":
        return "$" + fmt_num(v)
    if kind == "yesno":
        return "yes" if v == 1 else "no"
    return fmt_num(v)


def covariates_note(r: CountyProfile) -> str:
    return bullet_list(
        [
            "The middle column is the median of the 14 counties, not a statewide figure. Votes are shares of all votes "
            "cast for any candidate; demographic shares come from the Census and ACS vintages named in each row.",
            "With 14 counties these are context, not explanations: a county's politics or demographics do not show why "
            "its sheriff's jails cooperate more or less with ICE (see the politics and demographics report).",
        ]
    )


def county_facts_html(r: CountyProfile):
    row = r.county_row
    shown = pd.DataFrame(
        [
            {
                "county": row["county"],
                "county seat": row["seat"],
                "sheriff's office": row["sheriff_office"],
                "sheriff based in": row["sheriff_hq_town"],
                "runs its own jail": "yes" if row["houses_own_prisoners"] else f"no (held in {r.host})",
                "sources": _links(row["source_url"]),
            }
        ]
    )
    return _html_rows(shown, caption="The county in data/reference/counties.csv", raw=("sources",))


# ----------------------------------------------------------------------------- figures


def measures_figure(r: CountyProfile):
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    panels = [
        "detainers_per_100k",
        custody_measure(r),
        decline_measure(r),
        "unresolved_share",
        "recorded_declines",
        "jail_arrests_per_100k",
    ]
    highlight = plots.PALETTE["vermillion"]
    other = plots.PALETTE["blue"]
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(plots.FIG_WIDTH, 10.4), layout="constrained")
        axes = fig.subplots(3, 2)
        for ax, m in zip(axes.flat, panels, strict=True):
            t = r.tables[m]
            labels = t["county"].tolist()
            est = t["estimate"].to_numpy(dtype=float)
            lo, hi = t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float)
            small = t["small_by_data"].to_numpy(dtype=bool)
            order = np.lexsort((np.array(labels), np.where(np.isnan(est), np.inf, -est)))
            ys = np.arange(len(order), dtype=float)
            for y, i in zip(ys, order, strict=True):
                mine = t["county_fips"].iloc[i] == r.county_fips
                color = highlight if mine else other
                if np.isfinite(est[i]):
                    ax.hlines(y, lo[i], hi[i], color=color, linewidth=2.4 if mine else 1.4, zorder=3 if mine else 2)
                    ax.plot(
                        [est[i]],
                        [y],
                        linestyle="none",
                        marker="D" if mine else "o",
                        markersize=7 if mine else 5,
                        color=color,
                        markerfacecolor="white" if small[i] else color,
                        markeredgewidth=1.4,
                        zorder=4 if mine else 3,
                    )
                elif mine:
                    ax.annotate(
                        "no estimate",
                        (0, y),
                        xytext=(3, 0),
                        textcoords="offset points",
                        va="center",
                        ha="left",
                        fontsize=7,
                        color=highlight,
                        xycoords=("axes fraction", "data"),
                    )
            ax.set_yticks(ys, labels=[labels[i] for i in order])
            for tick, i in zip(ax.get_yticklabels(), order, strict=True):
                if t["county_fips"].iloc[i] == r.county_fips:
                    tick.set_color(highlight)
                    tick.set_fontweight("bold")
            ax.tick_params(axis="y", length=0, labelsize=7.5)
            ax.tick_params(axis="x", labelsize=7.5)
            ax.set_ylim(len(order) - 0.5, -0.5)
            ax.grid(axis="x", color=plots.GRID_COLOR, linewidth=0.8)
            ax.set_axisbelow(True)
            pool = measures.pooled_estimate(t)
            if np.isfinite(pool):
                ax.axvline(pool, color=plots.PALETTE["black"], linestyle="--", linewidth=1.0, zorder=1)
            ax.set_xlim(left=0)
            if measures.measure_kind(m) == "share":
                ax.set_xlim(0, 1)
                ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            p = _summary(r, m)
            ax.set_title(f"{SHORT[m]}\n{p['period_start']} to {p['period_end']}", fontsize=9)
            ax.set_xlabel(AXIS[m], fontsize=8)
        fig.suptitle(
            f"{r.county} County among the 14 counties: six measures with 95% intervals", fontsize=11, fontweight="bold"
        )
        handles = [
            Line2D([], [], color=highlight, marker="D", markersize=6, linewidth=2.0, label=f"{r.county} County"),
            Line2D([], [], color=other, marker="o", markersize=5, linewidth=1.4, label="other counties"),
            Line2D(
                [],
                [],
                color=other,
                marker="o",
                markersize=5,
                linewidth=1.4,
                markerfacecolor="white",
                label=plots.SMALL_COUNTY_LABEL,
            ),
            Line2D([], [], color=plots.PALETTE["black"], linestyle="--", linewidth=1.0, label="state pool"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=4)
    c = _summary(r, custody_measure(r))
    alt = (
        f"Six dot-and-whisker panels ranking the 14 Massachusetts counties on detainers per 100,000 residents, "
        f"custody share, declined share, unresolved share, recorded declines per facility-year and ICE arrests "
        f"at jails per 100,000 residents, each with 95% intervals and the state pool as a dashed line; "
        f"{r.county} is highlighted in red-orange with a diamond marker"
        + (
            f" (custody share {fmt_pct(c['estimate'])})"
            if pd.notna(c["estimate"])
            else " and has no estimate for the detainer shares"
        )
        + "."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption=f"{r.county} County (diamond) among all counties. Hollow markers: estimates "
        "resting on few cases, not ranked (shares: "
        f"{measures.small_rule('custody_share')}; rates: "
        f"{measures.small_rule('recorded_declines')}). Counties without an estimate are "
        "listed at the bottom of a "
        "panel without a marker. Dashed line: state pool of all sheriff facilities.",
        source="ICE detainer records FY2015 (FOIA to NPR); NPR facility-year declines; UWCHR "
        "arrest landmarks; population: Census/ACS (county_covariates)",
    )


def timeline_figure(r: CountyProfile):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ev = r.events.drop(columns="number").rename(columns={"category": "raw_category", "group": "category"})
    fig = plots.timeline_figure(
        ev,
        title=f"{r.county} County, {TIMELINE_START.year}-{TIMELINE_END.year}",
        series=r.monthly,
        series_label="ICE detainees per day in the sheriff's jails (monthly mean)",
        ylabel="ICE detainees per day",
        start=TIMELINE_START.isoformat(),
        end=TIMELINE_END.isoformat(),
        category_order=EVENT_GROUP_ORDER,
        label_mode="number",
    )
    import matplotlib as mpl
    import matplotlib.dates as mdates

    with mpl.rc_context(plots.STYLE):
        panel = fig.axes[1]
        extra = []
        years = r.years.loc[r.years["agreement_287g"].fillna(False).astype(bool), "year"].tolist()
        for span in _year_ranges(years).split(", ") if years else []:
            a, _, b = span.partition("-")
            x0 = mdates.date2num(pd.Timestamp(f"{a}-01-01"))
            x1 = mdates.date2num(pd.Timestamp(f"{b or a}-12-31"))
            panel.axvspan(x0, x1, color=plots.PALETTE["orange"], alpha=0.18, linewidth=0, zorder=0)
        if years:
            extra.append(
                Patch(facecolor=plots.PALETTE["orange"], alpha=0.18, label="287(g) operational (calendar years)")
            )
        panel.axvspan(
            mdates.date2num(pd.Timestamp(measures.ICE_DETENTION_DAILY.start)),
            mdates.date2num(pd.Timestamp(UNDERCOUNT_BEFORE)),
            facecolor="#E6E6E6",
            linewidth=0,
            zorder=0,
        )
        extra.append(Patch(facecolor="#E6E6E6", label=f"undercount before {UNDERCOUNT_BEFORE.isoformat()}"))
        adp = r.adp
        for _, fy in adp.iterrows():
            x0 = mdates.date2num(pd.Timestamp(f"{int(fy['fiscal_year']) - 1}-10-01"))
            x1 = mdates.date2num(pd.Timestamp(fy["data_through"]))
            panel.hlines(fy["adp_total"], x0, x1, color=plots.PALETTE["vermillion"], linewidth=2.2, zorder=4)
        extra.append(
            Line2D(
                [],
                [],
                color=plots.PALETTE["vermillion"],
                linewidth=2.2,
                label="ICE year-end average daily population (FY)",
            )
        )
        top = max(float(r.monthly.max()), float(adp["adp_total"].max()), 1.0)
        panel.set_ylim(0, top * 1.1)
        old = fig.legends[0]
        handles = list(old.legend_handles)
        texts = [t.get_text() for t in old.get_texts()]
        for h, t in zip(handles, texts, strict=True):
            h.set_label(t)
        old.remove()
        fig.legend(handles=handles + extra, loc="outside lower center", ncols=2, fontsize=8)
    n_events = len(r.events)
    alt = (
        f"Timeline of {r.county} County from {TIMELINE_START.year} to {TIMELINE_END.year}: {n_events} numbered "
        "events (sheriffs taking office, 287(g), ICE contracts, rulings) as vertical lines above a line chart of "
        "the monthly mean number of ICE detainees held in the sheriff's facilities"
        + (", with 287(g) years shaded" if years else "")
        + " and ICE year-end average daily populations."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption="Numbered lines: events listed in the table below. The black line is the "
        "monthly mean of ICE detainees held per day in the sheriff's facilities (days "
        "without a record count as none); the red-orange steps are ICE's year-end "
        "average daily population.",
        source="ICE detention records (UWCHR, FOIA 2022-ICFO-09022); ICE year-end detention "
        "statistics FY2019-FY2025; data/reference/policy_timeline.csv, sheriffs.csv, "
        "agreements_287g.csv",
    )


def _geometry_polygons(geometry: dict) -> list[list[np.ndarray]]:
    if not geometry:
        return []
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[np.asarray(ring, dtype=float) for ring in poly] for poly in polys]


def _polygon_path(polys):
    from matplotlib.path import Path

    verts, codes = [], []
    for poly in polys:
        for ring in poly:
            if len(ring) > 1 and np.allclose(ring[0], ring[-1]):
                ring = ring[:-1]
            if len(ring) < 3:
                continue
            verts += ring.tolist() + [ring[0].tolist()]
            codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY]
    return Path(np.asarray(verts), codes)


def _label_point(polys) -> tuple[float, float]:
    rings = [poly[0] for poly in polys if len(poly)]
    biggest = max(rings, key=len)
    return float(biggest[:, 0].mean()), float(biggest[:, 1].mean())


def locator_map(r: CountyProfile):
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch

    from ma_ice_coop.tables.loaders.boundaries import simplified_boundaries_geojson

    geo = simplified_boundaries_geojson()
    features = sorted(geo["features"], key=lambda f: str(f["properties"]["GEOID"]))
    names = dict(zip(measures.county_frame()["county_fips"], measures.county_frame()["county"], strict=True))
    shapes = [(str(f["properties"]["GEOID"]), _geometry_polygons(f["geometry"])) for f in features]
    pts = np.concatenate([ring for _, polys in shapes for poly in polys for ring in poly])
    (lon0, lat0), (lon1, lat1) = pts.min(axis=0), pts.max(axis=0)
    aspect = 1.0 / np.cos(np.radians((lat0 + lat1) / 2.0))
    highlight = plots.PALETTE["vermillion"]
    host_fips = r.host_fips if r.host else None
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(plots.FIG_WIDTH, 4.6), layout="constrained")
        ax = fig.add_subplot()
        centres = {}
        for geoid, polys in shapes:
            if not polys:
                continue
            mine = geoid == r.county_fips
            face = highlight if mine else ("#F3C9A8" if geoid == host_fips else "#D9D9D9")
            patch = PathPatch(_polygon_path(polys), facecolor=face, edgecolor="white", linewidth=0.8, zorder=2)
            patch.set_gid(f"county-{geoid}")
            ax.add_patch(patch)
            centres[geoid] = _label_point(polys)
        for geoid, (cx, cy) in centres.items():
            if geoid == r.county_fips:
                continue
            ax.text(cx, cy, names.get(geoid, geoid), ha="center", va="center", fontsize=6.5, color="#333333", zorder=4)
        mid_lat = (lat0 + lat1) / 2.0
        top, bottom = lat1 + 0.25, lat0 - 0.18
        if r.county_fips in centres:
            # the county's name sits above the map (northern counties) or below it (southern ones), with a leader
            # line, so it never covers a small county or another label
            cx, cy = centres[r.county_fips]
            ty = top if cy >= mid_lat else bottom
            width = lon1 - lon0
            ha = "left" if cx < lon0 + 0.15 * width else ("right" if cx > lon1 - 0.15 * width else "center")
            ax.annotate(
                f"{r.county} County",
                xy=(cx, cy),
                xytext=(cx, ty),
                ha=ha,
                va="center",
                fontsize=9,
                fontweight="bold",
                color="#1A1A1A",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                arrowprops={"arrowstyle": "-", "color": "#1A1A1A", "linewidth": 0.9},
                zorder=6,
            )
        if host_fips and host_fips in centres and r.county_fips in centres:
            (hx, hy), (cx, cy) = centres[host_fips], centres[r.county_fips]
            ax.annotate(
                "",
                xy=(hx, hy - 0.04),
                xytext=(cx, cy + 0.04),
                zorder=5,
                arrowprops={"arrowstyle": "->", "color": "#1A1A1A", "linewidth": 1.0},
            )
            ax.text(
                (hx + cx) / 2 + 0.04,
                (hy + cy) / 2,
                f"prisoners held\nin {r.host}",
                ha="left",
                va="center",
                fontsize=7.5,
                color="#1A1A1A",
                zorder=5,
            )
        ax.set_xlim(lon0 - 0.05, lon1 + 0.05)
        ax.set_ylim(bottom - 0.1, top + 0.1)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        ax.set_title(f"Where {r.county} County is")
        handles = [Patch(facecolor=highlight, edgecolor="white", label=f"{r.county} County")]
        if host_fips:
            handles.append(
                Patch(facecolor="#F3C9A8", edgecolor="white", label=f"{r.host} County (holds its prisoners)")
            )
        handles.append(Patch(facecolor="#D9D9D9", edgecolor="white", label="other Massachusetts counties"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        ax.annotate(plots.BOUNDARY_NOTE, (0.0, 0.0), xycoords="axes fraction", fontsize=7, color=plots.NOTE_COLOR)
    alt = (
        f"Map of the 14 Massachusetts counties with {r.county} County highlighted"
        + (f" and {r.host} County, which holds its prisoners, shaded lighter" if host_fips else "")
        + "."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption=f"{r.county} County in Massachusetts.",
        source="U.S. Census Bureau cartographic boundaries 1:500k (2016), simplified",
    )


# ----------------------------------------------------------------------------- limitations


def _unlisted_years_note(r: CountyProfile) -> str:
    """Fiscal years in which the daily records show ICE detainees in the county's jails but ICE's year-end
    workbook lists none of them (computed from the year table)."""
    y = r.years
    gaps = y[(y["detention_days"] > 0) & (y["adp_year_end"] == 0)]
    if gaps.empty:
        return ""
    years = ", ".join(f"FY{int(v)}" for v in gaps["year"])
    return (
        f" (here: {years}, when the daily records show ICE detainees in {_esc(r.county)}'s jails but the "
        "workbook lists none)"
    )


def limitations(r: CountyProfile) -> str:
    unres, total = r.state_unresolved
    unplaced, all_arrests = r.unplaced_arrests
    lines = [
        f"Unit: the facilities run by the {_esc(r.county_row['sheriff_office'])} (facilities.csv, "
        "`sheriff_county_fips`). State prisons (DOC), federal sites, ICE offices, police lockups and courts located "
        "in the county are listed apart and never counted in its measures.",
        lunn_287g_text(md_source_links) + " The detainer outcomes here (FY2015) predate it.",
        f"Blank outcomes: {fmt_num(unres)} of {fmt_num(total)} detainers at sheriff facilities in the period "
        f"({fmt_pct(unres / total) if total else '–'}) have no lift reason recorded. Shares of all detainers "
        "therefore understate every outcome; shares of resolved detainers rest on few records.",
        "Declines are a lower bound: ICE records only the declines it learns of. The broad definition also counts "
        "releases without a transfer (a sensitivity check, not a measured refusal).",
        f"ICE arrests at jails come from free-text apprehension landmarks pooled over the whole period, with no dates, "
        f"and {fmt_num(unplaced)} of the {fmt_num(all_arrests)} Boston-area arrests cannot be placed at any facility "
        "(counted as unplaced, not zero). Misplacement can raise or lower a jail's count, so each count has a "
        "sensitivity range (jail_arrests_low, jail_arrests_high: ambiguous landmarks out or in), and a county is said "
        "to lie above or below the state pool only if its interval does so across that range.",
        f"Jail measures per resident (detainers and ICE arrests per 100,000): {measures.JAIL_RESIDENTS}.",
        f"ICE detention headcounts are headlined per fiscal year and over {measures.DETENTION_COMPLETE.start} to "
        f"{measures.DETENTION_COMPLETE.end} (complete records), never as one mean mixing the undercounted years.",
        f"287(g): the reports count operational years ({measures.OPERATIONAL_287G_RULE}).",
        f"ICE detention headcounts are built from stays recorded from {UNDERCOUNT_BEFORE.isoformat()} on, so earlier "
        "days undercount. ICE's year-end workbooks list the facilities ICE reported in them: a facility ICE used for "
        "part of a year can be missing, so 'not listed' is not zero" + _unlisted_years_note(r) + ".",
        "There is no per-county detainer outcome panel for 2016-2022 in the core data: the detainer measures cannot "
        "show change over time, before and after Lunn, or after the 2022 elections.",
        "Ranks are of point estimates among counties with an estimate; with intervals this wide most counties cannot "
        f"be told apart, and estimates resting on few cases are not ranked (small by data: shares with "
        f"{measures.small_rule('custody_share')}, counts and rates with {measures.small_rule('recorded_declines')}).",
    ]
    if r.host:
        lines.append(
            f"{_esc(r.county)} has no jail: its sheriff measures are zero or blank by construction, and its "
            f"people held in jail appear in {_esc(r.host)} County's records."
        )
    return bullet_list(lines)
