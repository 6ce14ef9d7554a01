"""The 'Data and coverage' notebook: what each source says, what it covers, and what cannot be known.

Everything shown is computed here from the source registry (data/sources.yaml), the processed tables
(data/processed/), their schemas, the facility crosswalk and the coverage constants of
`ma_ice_coop.analysis.measures`, so the notebook holds no hand-typed figures or dates.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct, html_table
from ma_ice_coop.tables.loaders.detainers import MA_STATE

BLANK_LIFT_REASON = "(blank: no outcome recorded)"

# Span kinds drawn by coverage_timeline_figure: legend label, face colour, edge colour, hatch.
SPAN_KINDS = {
    "records": ("dated records (one row per detainer or per day)", plots.PALETTE["blue"], plots.PALETTE["blue"], None),
    "annual": ("yearly counts or flags", plots.PALETTE["bluish_green"], plots.PALETTE["bluish_green"], None),
    "pooled": ("one total pooled over the span (no dates within)", "#CFE8F7", plots.PALETTE["blue"], "//"),
    "undercount": ("partial: undercounts (only stays recorded later)", "#F9E0B0", plots.PALETTE["vermillion"], "xx"),
    "point": ("value for one year or election date", plots.PALETTE["black"], plots.PALETTE["black"], None),
}

# Covariate variables grouped for the timeline (a variable not listed falls in "Other covariates").
COVARIATE_GROUPS = (
    ("Presidential election results (county)", lambda v: v.startswith("pres_")),
    ("Governor election results (county)", lambda v: v.startswith("gov_")),
    ("Sheriff election results (county)", lambda v: v.startswith("sheriff_") and v != "sheriff_republican"),
    ("Sheriff party (reference table)", lambda v: v == "sheriff_republican"),
    ("Population (Census counts, PEP estimates)", lambda v: v in ("population", "net_international_migration")),
    ("Foreign-born share (ACS 5-year)", lambda v: v == "foreign_born_share"),
    (
        "Other demographics (Census, ACS, USDA)",
        lambda v: (
            v
            in (
                "hispanic_share",
                "white_nonhispanic_share",
                "black_share",
                "black_nonhispanic_share",
                "median_household_income",
                "poverty_share",
                "rural_share",
                "rural_urban_continuum_code",
                "citizen_voting_age_population",
            )
        ),
    ),
    ("Unemployment rate (BLS LAUS)", lambda v: v == "unemployment_rate"),
)
_ELECTION_DATE = re.compile(r"general election (\d{4}-\d{2}-\d{2})")


@dataclass
class DataCoverage:
    include_codebook: bool
    files: pd.DataFrame  # one row per registered input file
    sources: pd.DataFrame  # one row per source folder
    measure_periods: pd.DataFrame  # measures grouped by the coverage of their source
    spans: pd.DataFrame  # segments and points drawn in the coverage timeline
    span_table: pd.DataFrame  # one row per dataset: coverage and what the processed table holds
    event: dict  # the reference event drawn on the timeline (Lunn), from the policy timeline
    table_summary: pd.DataFrame  # one row per processed table
    codebook: pd.DataFrame  # one row per processed-table column (meaning, unit, source, missing)
    outcomes: pd.DataFrame  # FY2015 MA detainers by lift reason, sheriff vs other facilities
    blank_by_month: pd.DataFrame  # FY2015 MA detainers and blank outcomes by prepare month (sheriff-run, all MA)
    context: dict  # timeline rows that place the FY2015 window (Secure Communities end, Boston's ordinance)
    operators: pd.DataFrame  # facilities by operator type, with what the sources hold for them
    crosswalk: pd.DataFrame  # crosswalk strings per source and status
    arrests: pd.DataFrame  # ICE arrests (pooled) by crosswalk status
    covariates: pd.DataFrame  # covariate variables: years with a value, vintages
    facts: dict  # numbers the generated text uses


# ----------------------------------------------------------------------------- compute


def compute(include_codebook: bool = True) -> DataCoverage:
    """Everything the notebook shows; `include_codebook` only decides whether the full codebook is shown."""
    if not isinstance(include_codebook, (bool, np.bool_)):
        raise ParameterError(f"include_codebook must be true or false, not {include_codebook!r}")
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.facilities import load_facilities, load_facility_aliases
    from ma_ice_coop.tables.process import TABLES

    processed = {name: read_processed(name) for name in TABLES}
    files = registry_files()
    facilities = load_facilities()
    aliases = load_facility_aliases()
    facts: dict = {}
    outcomes = outcome_table(processed["detainers"], facts)
    arrests = arrest_status_table(processed["jail_arrests"], facts)
    covariates = covariate_years(processed["county_covariates"])
    spans, span_table = coverage_spans(processed, covariates, facts)
    codebook = codebook_table(processed)
    _gap_facts(processed, covariates, facts)
    return DataCoverage(
        include_codebook=bool(include_codebook),
        files=files,
        sources=source_table(files),
        measure_periods=measure_periods(),
        spans=spans,
        span_table=span_table,
        event=reference_event(),
        table_summary=table_summary(codebook, processed),
        codebook=codebook,
        outcomes=outcomes,
        blank_by_month=blank_by_month(processed["detainers"]),
        context=fy2015_context_rows(),
        operators=operator_table(facilities, aliases, processed, _fy(facts)),
        crosswalk=crosswalk_table(aliases),
        arrests=arrests,
        covariates=covariates,
        facts=facts,
    )


def registry_files() -> pd.DataFrame:
    """Every registered input file (data/sources.yaml), sorted by source folder and file id."""
    from ma_ice_coop.sources.registry import load_registry

    rows = [
        {
            "file_id": f.file_id,
            "source": f.source,
            "kind": f.kind,
            "use": f.use,
            "coverage": f.coverage,
            "rows": f.rows,
            "publisher": f.publisher,
            "what": f.what,
            "citation": f.citation,
            "licence": f.licence,
        }
        for f in load_registry().values()
    ]
    return pd.DataFrame(rows).sort_values(["source", "file_id"], ignore_index=True)


def source_table(files: pd.DataFrame) -> pd.DataFrame:
    """One row per source folder: citation, licence, build inputs, test references and coverage text."""
    rows = []
    for source, group in files.groupby("source", sort=True):
        build = group[group["use"] == "build"]
        check = group[group["use"] == "check"]
        coverage = list(dict.fromkeys(build["coverage"].tolist() or check["coverage"].tolist()))
        rows.append(
            {
                "source": source,
                "citation": group["citation"].iloc[0],
                "licence": group["licence"].iloc[0],
                "build inputs": ", ".join(build["file_id"]) or "none (test references only)",
                "test references": ", ".join(check["file_id"]) or "none",
                "coverage": "; ".join(coverage),
            }
        )
    return pd.DataFrame(rows)


def measure_periods() -> pd.DataFrame:
    """Measures grouped by the coverage period of their source (measures.measure_coverage)."""
    groups: dict[measures.Period, list[str]] = {}
    for measure in measures.MEASURES:
        groups.setdefault(measures.measure_coverage(measure), []).append(measure)
    rows = [
        {"measures": ", ".join(ms), "start": p.start.isoformat(), "end": p.end.isoformat(), "years": p.years}
        for p, ms in groups.items()
    ]
    return pd.DataFrame(rows).sort_values(["start", "end"], ignore_index=True)


def reference_event() -> dict:
    """Lunn v. Commonwealth, from KEY_EVENTS and its policy-timeline row (date, label, source)."""
    from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp, timeline_row

    event = KEY_EVENTS["lunn"]
    row = timeline_row(event)
    return {
        "label": event.label,
        "date": row["date"],
        "timestamp": event_timestamp(event),
        "source_url": row["source_url"],
        "event": row["event"],
    }


def _ma_detainers(detainers: pd.DataFrame) -> pd.DataFrame:
    return detainers[detainers["facility_state"] == MA_STATE]


def outcome_table(detainers: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """Massachusetts detainers by lift reason (blank counted as its own row), sheriff vs other facilities.

    Columns: lift reason, outcome, then count and share for sheriff-run facilities, other
    Massachusetts facilities (DOC, federal, ICE, police, State Police) and all; a final 'all' row.
    """
    ma = _ma_detainers(detainers).copy()
    ma["lift reason"] = ma["lift_reason"].fillna(BLANK_LIFT_REASON)
    ma["group"] = np.where(ma["operator_type"] == "sheriff", "sheriff", "other")
    counts = (
        ma.groupby(["lift reason", "outcome", "group"])
        .size()
        .unstack("group", fill_value=0)
        .reindex(columns=["sheriff", "other"], fill_value=0)
    )
    counts.columns.name = None
    counts["all"] = counts["sheriff"] + counts["other"]
    counts = counts.reset_index().sort_values(["all", "lift reason"], ascending=[False, True], ignore_index=True)
    total = counts[["sheriff", "other", "all"]].sum()
    counts.loc[len(counts)] = {"lift reason": "all", "outcome": "", **total.to_dict()}
    for g in ("sheriff", "other", "all"):
        counts[f"{g} share"] = counts[g] / total[g] if total[g] else np.nan
    blank = counts[counts["lift reason"] == BLANK_LIFT_REASON]
    unresolved = ma[ma["outcome"] == "unresolved"]
    facts.update(
        {
            "fiscal_years": sorted(int(y) for y in detainers["fiscal_year"].dropna().unique()),
            "ma_detainers": len(ma),
            "ma_first": ma["prepare_date"].min(),
            "ma_last": ma["prepare_date"].max(),
            "national_detainers": len(detainers),
            "national_first": detainers["prepare_date"].min(),
            "national_last": detainers["prepare_date"].max(),
            "ma_unresolved": len(unresolved),
            "ma_blank": int(blank["all"].sum()),
            "sheriff_detainers": int(total["sheriff"]),
            "sheriff_unresolved": int((unresolved["group"] == "sheriff").sum()),
            "other_detainers": int(total["other"]),
            "other_unresolved": int((unresolved["group"] == "other").sum()),
            "ma_declined": int((ma["outcome"] == "declined").sum()),
            "ma_custody": int((ma["outcome"] == "custody").sum()),
            "no_state": int(detainers["facility_state"].isna().sum()),
            "no_state_names": detainers.loc[detainers["facility_state"].isna(), "facility_name"]
            .value_counts()
            .sort_index()
            .sort_values(ascending=False, kind="stable")
            .head(1)
            .to_dict(),
        }
    )
    return counts[["lift reason", "outcome", "sheriff", "sheriff share", "other", "other share", "all", "all share"]]


def blank_by_month(detainers: pd.DataFrame) -> pd.DataFrame:
    """Massachusetts detainers and blank (unresolved) outcomes per prepare month, at sheriff-run facilities and at
    all Massachusetts facilities: a blank that piles up near the cut-off is right-censoring (still pending)."""
    ma = _ma_detainers(detainers).copy()
    ma["prepare month"] = ma["prepare_date"].dt.to_period("M").astype(str)
    ma["blank"] = ma["lift_reason"].isna()
    ma["sheriff"] = ma["operator_type"] == "sheriff"
    out = (
        ma.groupby("prepare month")
        .agg(
            **{
                "sheriff-run: detainers": ("sheriff", "sum"),
                "sheriff-run: blank": ("blank", lambda b: int((b & ma.loc[b.index, "sheriff"]).sum())),
                "all MA: detainers": ("blank", "size"),
                "all MA: blank": ("blank", "sum"),
            }
        )
        .reset_index()
    )
    out["last prepared"] = ma.groupby("prepare month")["prepare_date"].max().dt.date.astype(str).to_numpy()
    for g in ("sheriff-run", "all MA"):
        n, b = out[f"{g}: detainers"], out[f"{g}: blank"]
        out[f"{g}: blank share"] = np.where(n > 0, b / n.where(n > 0, 1), np.nan)
    cols = [
        "prepare month",
        "last prepared",
        "sheriff-run: detainers",
        "sheriff-run: blank",
        "sheriff-run: blank share",
        "all MA: detainers",
        "all MA: blank",
        "all MA: blank share",
    ]
    return out[cols].astype({c: "int64" for c in cols if c.endswith(("detainers", "blank"))})


def fy2015_context_rows() -> dict:
    """The policy-timeline rows that place the FY2015 window: the end of Secure Communities and Boston's 2014
    ordinance (dates and sources cited from the timeline, not typed)."""
    from ma_ice_coop.analysis.events import reference_row

    return {key: reference_row(key) for key in ("secure_communities_end", "boston_trust_2014")}


def arrest_status_table(arrests: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """ICE arrests in the Boston area of responsibility (pooled) by where the landmark can be placed."""
    a = arrests.copy()
    a["place"] = np.select(
        [a["operator_type"] == "sheriff", a["status"] == "facility", a["status"] == "outside_ma"],
        ["Massachusetts sheriff-run jail", "other Massachusetts facility or place", "outside Massachusetts"],
        default="unplaced (landmark names no place)",
    )
    order = [
        "Massachusetts sheriff-run jail",
        "other Massachusetts facility or place",
        "outside Massachusetts",
        "unplaced (landmark names no place)",
    ]
    table = (
        a.groupby("place")
        .agg(landmarks=("arrests", "size"), arrests=("arrests", "sum"))
        .reindex(order, fill_value=0)
        .reset_index()
    )
    table["share of arrests"] = table["arrests"] / table["arrests"].sum()
    starts, ends = a["period_start"].dropna().unique(), a["period_end"].dropna().unique()
    facts.update(
        {
            "arrests_total": int(a["arrests"].sum()),
            "arrest_landmarks": len(a),
            "arrests_unplaced": int(a.loc[a["status"] == "unplaced", "arrests"].sum()),
            "landmarks_unplaced": int((a["status"] == "unplaced").sum()),
            "arrests_outside": int(a.loc[a["status"] == "outside_ma", "arrests"].sum()),
            "arrests_ma": int(a.loc[a["status"] == "facility", "arrests"].sum()),
            "arrests_sheriff": int(a.loc[a["operator_type"] == "sheriff", "arrests"].sum()),
            "arrest_periods": len(set(zip(a["period_start"], a["period_end"], strict=True))),
            "arrest_start": pd.Timestamp(min(starts)) if len(starts) else pd.NaT,
            "arrest_end": pd.Timestamp(max(ends)) if len(ends) else pd.NaT,
        }
    )
    return table


def covariate_years(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per covariate variable: its group, the years with a value, and the vintages."""
    rows = []
    for variable, g in panel[panel["value"].notna()].groupby("variable", sort=True):
        group = next((label for label, test in COVARIATE_GROUPS if test(variable)), "Other covariates")
        years = sorted(int(y) for y in g["year"].unique())
        vintages = sorted(set(g["vintage"].astype(str))) if "vintage" in g else []
        rows.append(
            {
                "variable": variable,
                "group": group,
                "years": years,
                "first": years[0],
                "last": years[-1],
                "vintages": vintages,
            }
        )
    return pd.DataFrame(rows, columns=["variable", "group", "years", "first", "last", "vintages"])


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _point_dates(rows: pd.DataFrame) -> list[pd.Timestamp]:
    """Dates of the single-year values of a covariate group: election dates, else July 1 of the year."""
    dates = set()
    for years, vintages in zip(rows["years"], rows["vintages"], strict=True):
        elections = {int(m.group(1)[:4]): pd.Timestamp(m.group(1)) for v in vintages if (m := _ELECTION_DATE.search(v))}
        for y in years:
            dates.add(elections.get(y, pd.Timestamp(year=y, month=7, day=1)))
    return sorted(dates)


def coverage_spans(processed: dict, covariates: pd.DataFrame, facts: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and points of the coverage timeline, and the table beside it.

    Spans come from the coverage constants of `ma_ice_coop.analysis.measures` (which the measures enforce);
    the table adds what each processed table actually holds, so the two can be compared.
    """
    from ma_ice_coop.tables.loaders.ice_detention import FULL_COVERAGE_START

    det, dec = processed["detainers"], processed["facility_year_declines"]
    arr, daily = processed["jail_arrests"], processed["ice_detention_daily"]
    fy, g287 = processed["ice_detention_fy"], processed["agreements_287g_years"]
    ma = _ma_detainers(det)
    fy_label = _fy(facts)
    full = FULL_COVERAGE_START
    segments, table = [], []

    def seg(name, start, end, kind):
        segments.append({"dataset": name, "start": _ts(start), "end": _ts(end), "kind": kind})

    def day(ts) -> str:
        return "–" if pd.isna(ts) else pd.Timestamp(ts).date().isoformat()

    p = measures.FY2015_DETAINERS
    name = f"ICE detainer records with outcomes ({fy_label}, to {day(p.end)})"
    seg(name, p.start, p.end, "records")
    table.append(
        (
            name,
            p,
            "measures.FY2015_DETAINERS",
            f"{fmt_num(len(det))} detainers nationally, prepared {day(det['prepare_date'].min())} to "
            f"{day(det['prepare_date'].max())}; {fmt_num(len(ma))} at Massachusetts facilities "
            f"({day(ma['prepare_date'].min())} to {day(ma['prepare_date'].max())})",
        )
    )
    p = measures.NPR_DECLINES
    name = "ICE-recorded declined detainers per facility-year (NPR)"
    seg(name, p.start, p.end, "annual")
    table.append(
        (
            name,
            p,
            "measures.NPR_DECLINES",
            f"{fmt_num(len(dec))} Massachusetts facility-years with a recorded decline, calendar years "
            f"{dec['year'].min()}-{dec['year'].max()}; absent facility-years had none",
        )
    )
    p = measures.JAIL_ARRESTS
    name = "ICE arrests by landmark (pooled, no years)"
    seg(name, p.start, p.end, "pooled")
    table.append(
        (
            name,
            p,
            "measures.JAIL_ARRESTS",
            f"{fmt_num(len(arr))} landmarks, {fmt_num(arr['arrests'].sum())} arrests, each one total for "
            f"{day(arr['period_start'].min())} to {day(arr['period_end'].max())}",
        )
    )
    p = measures.ICE_DETENTION_DAILY
    name = "ICE detention headcount per facility and day"
    seg(name, p.start, full - pd.Timedelta(days=1), "undercount")
    seg(name, full, p.end, "records")
    before = daily[daily["before_full_coverage"]]
    table.append(
        (
            name,
            p,
            "measures.ICE_DETENTION_DAILY; loaders.ice_detention.FULL_COVERAGE_START",
            f"{fmt_num(len(daily))} facility-days with at least one detainee, {day(daily['date'].min())} to "
            f"{day(daily['date'].max())}; {fmt_num(len(before))} of them before {day(full)} undercount",
        )
    )
    p = measures.ICE_YEAR_END_STATS
    name = "ICE year-end detention statistics (per fiscal year)"
    seg(name, p.start, p.end, "annual")
    table.append(
        (
            name,
            p,
            "measures.ICE_YEAR_END_STATS",
            f"{fmt_num(len(fy))} facility-years, FY{fy['fiscal_year'].min()}-FY{fy['fiscal_year'].max()}, "
            f"last data through {fy['data_through'].max()}",
        )
    )
    p = measures.AGREEMENTS_287G
    name = "287(g) agreements per agency and year"
    seg(name, p.start, p.end, "annual")
    table.append(
        (
            name,
            p,
            "measures.AGREEMENTS_287G",
            f"{fmt_num(len(g287))} agency-years ({g287['agency'].nunique()} agencies), years "
            f"{g287['year'].min()}-{g287['year'].max()}",
        )
    )

    for label, _test in (*COVARIATE_GROUPS, ("Other covariates", None)):
        rows = covariates[covariates["group"] == label]
        if rows.empty:
            continue
        dates = _point_dates(rows)
        for d in dates:
            seg(label, d, d, "point")
        years = sorted({y for ys in rows["years"] for y in ys})
        period = measures.Period(dates[0].date(), dates[-1].date())
        table.append(
            (
                label,
                period,
                "county_covariates (years with a value)",
                f"{len(rows)} variable(s): {', '.join(rows['variable'])}; years {_year_list(years)}",
            )
        )

    spans = pd.DataFrame(segments)
    span_table = pd.DataFrame(
        [
            {
                "dataset": n,
                "coverage start": p.start.isoformat(),
                "coverage end": p.end.isoformat(),
                "dates from": src,
                "in the processed table": held,
            }
            for n, p, src, held in table
        ]
    )
    facts["detention_full_start"] = full
    facts["detention_days_before"] = len(before)
    facts["detention_person_days_before"] = int(before["headcount"].sum())
    facts["detention_person_days"] = int(daily["headcount"].sum())
    facts["declines_total"] = int(dec["recorded_declines"].sum())
    facts["declines_years"] = (int(dec["year"].min()), int(dec["year"].max())) if len(dec) else (None, None)
    facts["declines_facility_years"] = len(dec)
    return spans, span_table


def _year_list(years: list[int]) -> str:
    """2000, 2004, 2008 or 2007-2017 for consecutive runs."""
    runs, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            runs.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(runs)


def codebook_table(processed: dict) -> pd.DataFrame:
    """One row per column of every processed table: type, meaning, unit, source and share missing."""
    from ma_ice_coop.tables.process import TABLES

    rows = []
    for name, table in TABLES.items():
        schema = table.schema_object()
        df = processed[name]
        for column, spec in schema.columns.items():
            meta = spec.metadata or {}
            rows.append(
                {
                    "table": name,
                    "column": column,
                    "type": str(spec.dtype),
                    "meaning": spec.description or "",
                    "unit": meta.get("unit", ""),
                    "source": meta.get("source", ""),
                    "missing": float(df[column].isna().mean()) if column in df and len(df) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def table_summary(codebook: pd.DataFrame, processed: dict) -> pd.DataFrame:
    """One row per processed table: rows, columns, and the columns with missing values."""
    from ma_ice_coop.tables.process import TABLES

    rows = []
    for name in TABLES:
        cb = codebook[codebook["table"] == name]
        gaps = cb[cb["missing"] > 0]
        rows.append(
            {
                "table": name,
                "rows": len(processed[name]),
                "columns": len(cb),
                "complete columns": int((cb["missing"] == 0).sum()),
                "columns with missing values (share missing)": "; ".join(
                    f"{c} ({_pct_missing(m)})" for c, m in zip(gaps["column"], gaps["missing"], strict=True)
                )
                or "none",
            }
        )
    return pd.DataFrame(rows)


def operator_table(facilities: pd.DataFrame, aliases: pd.DataFrame, processed: dict, fy_label: str) -> pd.DataFrame:
    """Facilities by operator type: how many the crosswalk lists and what the sources hold for them."""
    named = set(aliases.loc[aliases["status"] == "facility", "facility_id"])
    ma = _ma_detainers(processed["detainers"])
    arrests = processed["jail_arrests"]
    daily = processed["ice_detention_daily"]
    rows = []
    for op, g in facilities.groupby("operator_type", sort=True):
        ids = set(g["facility_id"])
        rows.append(
            {
                "operator type": op,
                "facilities in the crosswalk": len(g),
                "named by a source string": len(ids & named),
                f"with {fy_label} detainers": ma.loc[ma["facility_id"].isin(ids), "facility_id"].nunique(),
                f"{fy_label} detainers": int(ma["facility_id"].isin(ids).sum()),
                "arrests at their landmarks (pooled)": int(
                    arrests.loc[arrests["facility_id"].isin(ids), "arrests"].sum()
                ),
                "with ICE detainees (any day)": daily.loc[daily["facility_id"].isin(ids), "facility_id"].nunique(),
            }
        )
    out = pd.DataFrame(rows).sort_values(
        ["facilities in the crosswalk", "operator type"], ascending=[False, True], ignore_index=True
    )
    total = {c: out[c].sum() for c in out.columns if c != "operator type"}
    out.loc[len(out)] = {"operator type": "all", **total}
    return out


def crosswalk_table(aliases: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk strings per source and status (facility / outside_ma / unplaced), with facilities reached."""
    from ma_ice_coop.tables.facilities import STATUSES

    counts = aliases.groupby(["source", "status"]).size().unstack("status", fill_value=0)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    counts["all strings"] = counts.sum(axis=1)
    reached = aliases[aliases["status"] == "facility"].groupby("source")["facility_id"].nunique()
    counts["facilities reached"] = reached.reindex(counts.index, fill_value=0)
    out = counts.reset_index().sort_values("source", ignore_index=True)
    total = {c: int(out[c].sum()) for c in out.columns if c != "source"}
    total["facilities reached"] = aliases.loc[aliases["status"] == "facility", "facility_id"].nunique()
    out.loc[len(out)] = {"source": "all", **total}
    return out


def _gap_facts(processed: dict, covariates: pd.DataFrame, facts: dict) -> None:
    from ma_ice_coop.tables.reference import load_policy_timeline

    variables = set(covariates["variable"])
    fb = covariates[covariates["variable"] == "foreign_born_share"]
    facts["foreign_born_years"] = fb["years"].iloc[0] if len(fb) else []
    facts["foreign_born_vintages"] = fb["vintages"].iloc[0] if len(fb) else []
    facts["noncitizen_variables"] = sorted(v for v in variables if "noncitizen" in v or "non_citizen" in v)
    facts["citizen_variables"] = sorted(
        v for v in variables if "citizen" in v and v not in facts["noncitizen_variables"]
    )
    cv = covariates.set_index("variable")
    facts["citizen_years"] = {v: cv.loc[v, "years"] for v in facts["citizen_variables"]}
    timeline = load_policy_timeline()
    facts["timeline_events"] = len(timeline)
    facts["timeline_categories"] = timeline["category"].value_counts().sort_index().to_dict()
    facts["extended_releases"] = _extended_releases(processed["detainers"])


def _extended_releases(detainers: pd.DataFrame) -> list[str]:
    """Titles of detainer releases described in data/detainer_releases.yaml but not in the built table."""
    import yaml

    from ma_ice_coop.tables.loaders.detainers import release_specs_path

    specs = yaml.safe_load(release_specs_path().read_text(encoding="utf-8")).get("releases") or {}
    built = set(detainers["release_id"].dropna().unique())
    return [spec.get("title", rid) for rid, spec in sorted(specs.items()) if rid not in built]


# ----------------------------------------------------------------------------- text


def _pct_missing(v) -> str:
    """Share missing with one decimal; '<0.1%' for a gap too small to show (never '0.0%' for a gap)."""
    if pd.notna(v) and 0 < v < 0.0005:
        return "<0.1%"
    return fmt_pct(v, 1)


def _share(k, n) -> str:
    return fmt_pct(k / n) if n else "–"


def _day(ts) -> str:
    return "–" if ts is None or pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


def key_findings(r: DataCoverage) -> str:
    f = r.facts
    files = r.files
    build = files[files["use"] == "build"]
    lines = [
        f"The source registry lists {fmt_num(len(files))} input files from {files['source'].nunique()} source "
        f"folders. The build reads {fmt_num(len(build))} of them ({fmt_num((build['kind'] == 'original').sum())} "
        f"byte-identical originals, {fmt_num((build['kind'] == 'extract').sum())} Massachusetts extracts) from "
        f"{build['source'].nunique()} sources, each verified against its registered sha256 (or, for an extract "
        f"rebuilt online, its rows and values) before use; the other {fmt_num((files['use'] == 'check').sum())} "
        "are reference extracts that only tests compare with.",
        "Each measure covers only its source's dates: "
        + "; ".join(
            f"{row.start} to {row.end} for {_measure_names(row.measures)}" for row in r.measure_periods.itertuples()
        )
        + ".",
        f"Of the {fmt_num(f['ma_detainers'])} ICE detainers recorded at Massachusetts facilities in "
        f"{_fy(f)}, {fmt_num(f['ma_blank'])} ({_share(f['ma_blank'], f['ma_detainers'])}) have a blank lift reason, "
        f"so what happened to them is unknown; at sheriff-run jails {fmt_num(f['sheriff_unresolved'])} of "
        f"{fmt_num(f['sheriff_detainers'])} ({_share(f['sheriff_unresolved'], f['sheriff_detainers'])}). "
        + _last_month_sentence(r),
        _crosswalk_sentence(r),
        f"Main gaps: detainer outcomes exist only for {_fy(f)} ({_day(f['national_first'])} to "
        f"{_day(f['national_last'])}), so there is no per-county outcome series across {r.event['label']} "
        f"({r.event['date']}); {fmt_num(f['arrests_unplaced'])} of {fmt_num(f['arrests_total'])} ICE arrests "
        f"({_share(f['arrests_unplaced'], f['arrests_total'])}) have a landmark that cannot be placed; "
        + "recorded declines are a lower bound; "
        + ("no non-citizen share; " if not f["noncitizen_variables"] else "")
        + f"foreign-born share only for {_year_list(f['foreign_born_years']) or 'no year'}.",
    ]
    return bullet_list(lines)


def _last_month_sentence(r: DataCoverage) -> str:
    last = r.blank_by_month.iloc[-1]
    return (
        f"In the last, partial prepare month ({last['prepare month']}, records cut on "
        f"{measures.FY2015_DETAINERS.end}) {fmt_num(last['all MA: blank'])} of {fmt_num(last['all MA: detainers'])} "
        "are blank: detainers prepared shortly before the cut-off may still have been pending. The window is not "
        f"a typical pre-Lunn year: it straddles the end of Secure Communities "
        f"({r.context['secure_communities_end']['date']}, policy timeline) and follows Boston's Trust ordinance "
        f"({r.context['boston_trust_2014']['date']}); see the outcomes section."
    )


def _top_name(names: dict) -> str:
    """A clause naming the most common facility name among detainers with no state, if any."""
    if not names:
        return ""
    name, n = next(iter(names.items()))
    return f"; {fmt_num(n)} of them are named '{name}'"


def _fy(f: dict) -> str:
    ys = f["fiscal_years"]
    if not ys:
        return "no fiscal year"
    return f"FY{ys[0]}" if len(ys) == 1 else f"FY{ys[0]}-FY{ys[-1]}"


def _measure_names(text: str) -> str:
    names = text.split(", ")
    return names[0] if len(names) == 1 else f"{len(names)} measures ({', '.join(names)})"


def _crosswalk_sentence(r: DataCoverage) -> str:
    c = r.crosswalk.set_index("source")
    total = c.loc["all"]
    n_sources = len(c) - 1
    return (
        f"The facility crosswalk maps {fmt_num(total['facility'])} Massachusetts facility strings (name, city "
        f"or code as written) from {n_sources} source tables to {fmt_num(total['facilities reached'])} facilities; "
        f"{fmt_num(total['outside_ma'])} more strings are outside Massachusetts and "
        f"{fmt_num(total['unplaced'])} name no place that can be given."
    )


# ----------------------------------------------------------------------------- sources and coverage


def sources_html(r: DataCoverage):
    return html_table(
        r.sources,
        caption=f"The {len(r.sources)} source folders of data/sources.yaml: citation, "
        "licence, the input files the build reads and those only tests compare "
        "with, and the coverage the registry records",
    )


def measure_periods_html(r: DataCoverage):
    t = r.measure_periods.rename(columns={"start": "coverage start", "end": "coverage end"})
    return html_table(
        t,
        caption="Measures by the coverage of their source (ma_ice_coop.analysis.measures.measure_coverage)",
        formats={"years": lambda v: fmt_num(v, 1)},
    )


def coverage_timeline_figure(r: DataCoverage):
    fig = coverage_timeline(
        r.spans, title="What each dataset covers, and when", event=(r.event["timestamp"], r.event["label"])
    )
    kinds = sorted(set(r.spans["kind"]), key=list(SPAN_KINDS).index)
    return plots.figure_html(
        fig,
        alt=f"Timeline with one row per dataset ({len(r.span_table)} rows) showing the dates each covers, from "
        f"{_day(r.spans['start'].min())} to {_day(r.spans['end'].max())}: detainer outcomes only in "
        f"{_fy(r.facts)}, arrests as one pooled total, detention headcounts undercounting before "
        f"{_day(r.facts['detention_full_start'])}, and demographic and election values only in single years. "
        f"A dashed line marks {r.event['label']} ({r.event['date']}).",
        caption="Bars: " + "; ".join(SPAN_KINDS[k][0] for k in kinds) + ". The dashed line marks "
        f"{r.event['label']} ({r.event['date']}), after which Massachusetts law gives officers no authority "
        "to hold anyone solely on a civil ICE detainer.",
        source="data/sources.yaml coverage; ma_ice_coop.analysis.measures coverage constants; processed tables "
        "(covariate years); data/reference/policy_timeline.csv",
    )


def coverage_timeline(spans: pd.DataFrame, *, title: str, event: tuple | None = None):
    """Horizontal coverage bars per dataset (rows in the order given), points for single-year values.

    `spans` has columns dataset, start, end (timestamps, inclusive) and kind (a key of SPAN_KINDS).
    Built deterministically under the project style, like ma_ice_coop.present.figures; returns a Figure.
    """
    import matplotlib as mpl
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    unknown = sorted(set(spans["kind"]) - set(SPAN_KINDS))
    if unknown:
        raise ValueError(f"coverage_timeline: unknown span kind(s) {unknown}; valid: {list(SPAN_KINDS)}")
    datasets = list(dict.fromkeys(spans["dataset"]))
    n = len(datasets)
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(plots.FIG_WIDTH, 2.2 + 0.42 * n), layout="constrained")
        ax = fig.add_subplot()
        ax.set_title("\n".join(textwrap.wrap(title, 70)))
        for i, name in enumerate(datasets):
            rows = spans[spans["dataset"] == name]
            points = rows[rows["kind"] == "point"]
            if len(points) > 1:
                xs = mdates.date2num(points["start"].to_numpy())
                ax.plot([xs.min(), xs.max()], [i, i], color=plots.GRID_COLOR, linewidth=2.0, zorder=1)
            for row in rows.itertuples():
                label, face, edge, hatch = SPAN_KINDS[row.kind]
                x0 = float(mdates.date2num(row.start))
                if row.kind == "point":
                    ax.plot([x0], [i], linestyle="none", marker="D", markersize=5, color=face, zorder=3)
                    continue
                width = float(mdates.date2num(row.end + pd.Timedelta(days=1))) - x0
                ax.broken_barh(
                    [(x0, width)],
                    (i - 0.3, 0.6),
                    facecolors=face,
                    edgecolors=edge,
                    hatch=hatch,
                    linewidth=0.8,
                    zorder=2,
                )
        ax.set_yticks(np.arange(n), labels=["\n".join(textwrap.wrap(d, 34)) for d in datasets])
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0, labelsize=8)
        ax.grid(axis="x", color=plots.GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        start, end = spans["start"].min(), spans["end"].max()
        ax.set_xlim(
            mdates.date2num(pd.Timestamp(year=start.year, month=1, day=1)),
            mdates.date2num(pd.Timestamp(year=end.year + 1, month=1, day=1)),
        )
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_minor_locator(mdates.YearLocator(1))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlabel("Calendar year")
        handles = []
        for kind in SPAN_KINDS:
            if kind not in set(spans["kind"]):
                continue
            label, face, edge, hatch = SPAN_KINDS[kind]
            if kind == "point":
                handles.append(Line2D([], [], linestyle="none", marker="D", markersize=5, color=face, label=label))
            else:
                handles.append(Patch(facecolor=face, edgecolor=edge, hatch=hatch, label=label))
        if event is not None:
            when, text = event
            x = float(mdates.date2num(pd.Timestamp(when)))
            ax.axvline(x, color=plots.PALETTE["black"], linestyle="--", linewidth=1.0, zorder=4)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=plots.PALETTE["black"],
                    linestyle="--",
                    linewidth=1.0,
                    label=f"{text} ({pd.Timestamp(when).date().isoformat()})",
                )
            )
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    return fig


def span_table_html(r: DataCoverage):
    return html_table(
        r.span_table,
        caption="Coverage of each dataset (the dates drawn above) and what the processed "
        "table or covariate panel actually holds",
    )


def covariates_html(r: DataCoverage):
    c = r.covariates.copy()
    c["years with a value"] = c["years"].map(_year_list)
    c["vintages"] = c["vintages"].map(lambda v: "; ".join(v))
    return html_table(
        c[["group", "variable", "years with a value", "vintages"]],
        caption="County covariates: the years each variable has a value (a year not listed is "
        "absent from the sources, not zero)",
    )


# ----------------------------------------------------------------------------- missingness


def table_summary_html(r: DataCoverage):
    return html_table(
        r.table_summary,
        caption="Processed tables: rows, columns, and every column with missing "
        "values (all other columns are complete)",
        formats={"rows": fmt_num},
    )


def missing_figure(r: DataCoverage):
    cb = r.codebook[r.codebook["missing"] > 0].copy()
    cb["label"] = cb["table"] + "." + cb["column"]
    fig = plots.bar_chart(
        cb,
        label_col="label",
        value_col="missing",
        title="Share of rows with no value, by column",
        xlabel="share of rows missing (0-1)",
        value_fmt="{:.2%}",
    )
    return plots.figure_html(
        fig,
        alt=f"Bar chart of the {len(cb)} processed-table columns that have missing values, from "
        f"{_pct_missing(cb['missing'].max())} down to {_pct_missing(cb['missing'].min())} of rows.",
        caption="Many gaps are by design: crosswalk columns are blank for detainers outside Massachusetts and for "
        "arrest landmarks outside Massachusetts or unplaced; NPR releases carry no facility code, area, "
        "person id or criminality. The lift-reason gap is not by design: ICE recorded no outcome.",
        source="data/processed/ (ma_ice_coop.tables.process.TABLES and their schemas)",
    )


def missing_html(r: DataCoverage):
    cb = r.codebook[r.codebook["missing"] > 0][["table", "column", "missing", "meaning"]]
    return html_table(
        cb, caption="Columns with missing values, with what the column means", formats={"missing": _pct_missing}
    )


def outcome_text(r: DataCoverage) -> str:
    f = r.facts
    return bullet_list(
        [
            f"{fmt_num(f['ma_detainers'])} detainers at Massachusetts facilities, prepared {_day(f['ma_first'])} to "
            f"{_day(f['ma_last'])}: {fmt_num(f['sheriff_detainers'])} at sheriff-run jails and "
            f"{fmt_num(f['other_detainers'])} at state prisons, federal sites, ICE offices and police lockups.",
            f"Blank lift reason (no outcome recorded): {fmt_num(f['ma_blank'])} of {fmt_num(f['ma_detainers'])} "
            f"({_share(f['ma_blank'], f['ma_detainers'])}); sheriff-run jails {fmt_num(f['sheriff_unresolved'])} "
            f"({_share(f['sheriff_unresolved'], f['sheriff_detainers'])}), other facilities "
            f"{fmt_num(f['other_unresolved'])} ({_share(f['other_unresolved'], f['other_detainers'])}). They stay in "
            "every denominator: a share of all detainers can only be read together with this unresolved share.",
            f"Recorded declines: {fmt_num(f['ma_declined'])}; ICE took custody: {fmt_num(f['ma_custody'])}.",
            censoring_text(r),
            window_context_text(r),
        ]
    )


def censoring_text(r: DataCoverage) -> str:
    """Blank outcomes by prepare month: the last (partial) month against the earlier ones, and what it means."""
    t = r.blank_by_month
    cut = measures.FY2015_DETAINERS.end
    last, earlier = t.iloc[-1], t.iloc[:-1]
    low, high = earlier["all MA: blank share"].min(), earlier["all MA: blank share"].max()
    return (
        f"Blank outcomes by prepare month (table below): {fmt_pct(low)} to {fmt_pct(high)} of Massachusetts "
        f"detainers in each month from {earlier['prepare month'].iloc[0]} to {earlier['prepare month'].iloc[-1]}, "
        f"and {fmt_num(last['all MA: blank'])} of {fmt_num(last['all MA: detainers'])} "
        f"({fmt_pct(last['all MA: blank share'])}) in {last['prepare month']} (sheriff-run: "
        f"{fmt_num(last['sheriff-run: blank'])} of {fmt_num(last['sheriff-run: detainers'])}), the month of the "
        f"records' cut-off ({cut}). Detainers prepared shortly before the cut-off may still have been pending "
        "(right-censoring), so their blank says nothing yet about the outcome; earlier blanks can also be "
        "detainers still pending (for example on people still serving a sentence) or never papered: the records "
        "do not say which."
    )


def window_context_text(r: DataCoverage) -> str:
    """Why the FY2015 window is not a typical pre-Lunn year, citing the timeline rows."""
    p = measures.FY2015_DETAINERS
    sc, trust = r.context["secure_communities_end"], r.context["boston_trust_2014"]
    ev = r.event
    return (
        f"The window {p.start} to {p.end} straddles the end of Secure Communities and the start of the Priority "
        f"Enforcement Program ([{sc['date']}]({sc['source_url'].split(' ; ')[0]})) and follows Boston's Trust "
        f"ordinance ([{trust['date']}]({trust['source_url'].split(' ; ')[0]})), both from "
        f"data/reference/policy_timeline.csv: it is not a typical year before {ev['label']} ({ev['date']})."
    )


def outcome_figure(r: DataCoverage):
    t = r.outcomes[r.outcomes["lift reason"] != "all"]
    fig = plots.bar_chart(
        t,
        label_col="lift reason",
        value_col="all",
        title=f"Massachusetts detainers by ICE lift reason, {_fy(r.facts)}",
        xlabel="detainers (count)",
        value_fmt="{:,.0f}",
    )
    blank = t.loc[t["lift reason"] == BLANK_LIFT_REASON, "all"].sum()
    return plots.figure_html(
        fig,
        alt=f"Bar chart of the {fmt_num(r.facts['ma_detainers'])} detainers at Massachusetts facilities by "
        f"lift reason; the largest bar is the blank lift reason ({fmt_num(blank)} detainers).",
        caption="All Massachusetts facilities (sheriff-run and others); the table splits them.",
        source=_citation(r, "npr_fy2015_detainers") + "; lift reasons as recorded by ICE",
    )


def _citation(r: DataCoverage, file_id: str) -> str:
    rows = r.files[r.files["file_id"] == file_id]
    return rows["citation"].iloc[0].rstrip(".") if len(rows) else file_id


def outcome_html(r: DataCoverage):
    from IPython.display import HTML

    share = lambda v: fmt_pct(v, 1)  # noqa: E731
    by_reason = html_table(
        r.outcomes,
        caption=f"Massachusetts detainers by lift reason and outcome, {_fy(r.facts)}: "
        "sheriff-run jails vs other facilities (blank lift reasons counted)",
        formats={
            "sheriff share": share,
            "other share": share,
            "all share": share,
            "sheriff": fmt_num,
            "other": fmt_num,
            "all": fmt_num,
        },
    )
    t = r.blank_by_month
    by_month = html_table(
        t,
        caption=(
            f"Blank (unresolved) outcomes by prepare month, {_fy(r.facts)}: Massachusetts "
            "sheriff-run facilities and all Massachusetts facilities; the records end on "
            f"{measures.FY2015_DETAINERS.end}, so the last month is partial and its "
            "detainers may still have been pending"
        ),
        formats={c: share for c in t.columns if c.endswith("share")},
    )
    return HTML(by_reason.data + "\n" + by_month.data)


def operators_html(r: DataCoverage):
    return html_table(
        r.operators,
        caption="Facilities in the crosswalk (data/reference/facilities.csv) by operator "
        "type, and what the sources hold for them",
        formats={c: fmt_num for c in r.operators.columns if c != "operator type"},
    )


def crosswalk_html(r: DataCoverage):
    return html_table(
        r.crosswalk,
        caption="Crosswalk strings (data/reference/facility_aliases.csv) per source and "
        "status: facility (mapped), outside_ma, unplaced",
        formats={c: fmt_num for c in r.crosswalk.columns if c != "source"},
    )


def arrests_html(r: DataCoverage):
    f = r.facts
    return html_table(
        r.arrests,
        caption=f"ICE arrests in the Boston area of responsibility (all of New England), "
        f"pooled {_day(f['arrest_start'])} to {_day(f['arrest_end'])}, by where "
        "the apprehension landmark can be placed",
        formats={"landmarks": fmt_num, "arrests": fmt_num, "share of arrests": lambda v: fmt_pct(v, 1)},
    )


# ----------------------------------------------------------------------------- codebook


def codebook_html(r: DataCoverage):
    from IPython.display import HTML

    from ma_ice_coop.present.report import md

    if not r.include_codebook:
        return md(
            "The full codebook (every column of every processed table, with meaning, unit, source and share "
            "missing) is in `data/processed/CODEBOOK.md`; rerun with `include_codebook = True` to show it here."
        )
    parts = []
    for name, cb in r.codebook.groupby("table", sort=False):
        rows = f"{fmt_num(int(r.table_summary.set_index('table').loc[name, 'rows']))} rows"
        parts.append(
            html_table(cb.drop(columns="table"), caption=f"{name} ({rows})", formats={"missing": _pct_missing}).data
        )
    return HTML("\n".join(parts))


# ----------------------------------------------------------------------------- what cannot be known


def unknowables(r: DataCoverage) -> str:
    f = r.facts
    ev = r.event
    cats = f["timeline_categories"]
    extended = f["extended_releases"]
    nb, nfb = f["noncitizen_variables"], f["foreign_born_years"]
    citizen = "; ".join(f"{v} ({_year_list(y)})" for v, y in f["citizen_years"].items())
    categories = ", ".join(
        f"{fmt_num(n)} {c.replace('287g', '287(g)').replace('_', ' ')}"
        for c, n in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    before_share = _share(f["detention_person_days_before"], f["detention_person_days"])
    lines = [
        f"**How outcomes changed after {_fy(f)}.** The only record-level detainer outcomes in the core data are "
        f"{_fy(f)} ({_day(f['national_first'])} to {_day(f['national_last'])}). The core build has no per-county "
        f"outcome panel after {_day(f['national_last'])}, through the years of the 287(g) agreements and the ICE "
        f"contract endings, so custody and decline shares cannot be compared before and after "
        f"[{ev['label']}]({ev['source_url']}) ({ev['date']})."
        + (
            f" Releases the project can read when downloaded (extended data, not in this build): {'; '.join(extended)}."
            if extended
            else ""
        ),
        f"**What happened to most Massachusetts detainers.** {fmt_num(f['ma_blank'])} of "
        f"{fmt_num(f['ma_detainers'])} ({_share(f['ma_blank'], f['ma_detainers'])}) have a blank lift reason: "
        "still pending when the file was cut (most likely for detainers prepared shortly before the cut-off), or "
        "never papered. Recorded custody and decline counts are therefore lower bounds of what happened, and "
        "shares of resolved detainers assume the blanks resemble the rest.",
        f"**How many detainers were declined.** ICE records only the declines it learns of: "
        f"{fmt_num(f['ma_declined'])} recorded declines in the {_fy(f)} Massachusetts records, and "
        f"{fmt_num(f['declines_total'])} across {fmt_num(f['declines_facility_years'])} Massachusetts "
        f"facility-years in the NPR table ({f['declines_years'][0]}-{f['declines_years'][1]}). Every decline "
        "count is a lower bound.",
        f"**Whether some unplaced national detainers were in Massachusetts.** {fmt_num(f['no_state'])} of "
        f"{fmt_num(f['national_detainers'])} detainers nationally ({_share(f['no_state'], f['national_detainers'])}) "
        f"have no facility state{_top_name(f['no_state_names'])}, so the Massachusetts count may miss some.",
        (
            "**Non-citizen share.** No county non-citizen share is in the data"
            + (f"; the nearest {'is' if len(f['citizen_years']) == 1 else 'are'} {citizen}" if citizen else "")
            + "."
            if not nb
            else f"**Non-citizen share.** Available as {', '.join(nb)}."
        ),
        f"**Foreign-born share between estimates.** Only for {_year_list(nfb) or 'no year'} "
        f"({'; '.join(f['foreign_born_vintages'])}); any other year reuses the latest earlier estimate.",
        f"**ICE detention before {_day(f['detention_full_start'])}.** Headcounts are built from stays recorded "
        f"from that date on, so the {fmt_num(f['detention_days_before'])} facility-days before it "
        f"({fmt_num(f['detention_person_days_before'])} person-days, {before_share} of all person-days) "
        "undercount by an unknown amount.",
        f"**Where ICE made many of its arrests.** Apprehension landmarks are free text: "
        f"{fmt_num(f['arrests_unplaced'])} of {fmt_num(f['arrests_total'])} arrests in the Boston area of "
        f"responsibility ({_share(f['arrests_unplaced'], f['arrests_total'])}, {fmt_num(f['landmarks_unplaced'])} "
        f"landmarks) cannot be placed in any county or state; {fmt_num(f['arrests_sheriff'])} are placed at "
        "Massachusetts sheriff-run jails. Misplaced landmarks can raise as well as lower a jail's count, so per-jail "
        "counts carry a sensitivity range rather than a one-sided bound; unplaced arrests are counted, not treated "
        "as zero.",
        f"**When arrests at jails happened.** Each landmark has one count pooled over "
        f"{_day(f['arrest_start'])} to {_day(f['arrest_end'])} with no years, so arrests at jails cannot be "
        "compared before and after any event, and have no link to detainers.",
        f"**Legal and policy questions.** Whether non-cooperation has legal consequences, how people are "
        "notified, what due process applies and how officers are trained are not in these records. The project "
        f"answers them with dated, sourced facts: its policy timeline has {fmt_num(f['timeline_events'])} events "
        f"({categories}); see the policy timeline and common questions reports.",
    ]
    return bullet_list(lines)


def limitations(r: DataCoverage) -> str:
    return bullet_list(
        [
            "The inventory comes from the source registry (data/sources.yaml). This notebook does not re-hash the "
            "files: the fetch step verifies every build input before it is cached, and a processed table is "
            "written only after its schema check passes.",
            "Coverage bars are the coverage constants the measures enforce (ma_ice_coop.analysis.measures); the table beside "
            "them shows the first and last dates the processed tables actually hold, so the two can be compared. "
            "Covariates are drawn at each year with a value (elections at their date, other values at mid-year; an "
            "ACS 5-year estimate is placed at its last year).",
            "Missing = share of rows with no value. In the long covariate panel an absent county-year-variable is "
            "not a row at all; the covariate table lists the years each variable has.",
            "Detainer outcomes: blank lift reasons are a category of their own, never dropped; 'declined' counts "
            "only declines ICE recorded. Blanks are also shown by prepare month, because detainers prepared shortly "
            "before the records' cut-off may still have been pending (right-censoring).",
            "Unit: facilities, rolled up to the county whose elected sheriff runs them; DOC prisons, federal sites, "
            "ICE offices, police lockups and courts are shown separately and never counted in a county.",
            "Arrests come from the whole Boston area of responsibility (New England), so unplaced landmarks may be in "
            "any New England state.",
        ]
    )
