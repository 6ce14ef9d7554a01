"""The notebook's result: the source inventory, coverage, codebook, outcome and crosswalk tables, and facts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp, reference_row, timeline_row
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import read_processed, read_yaml
from ma_ice_coop.sources.registry import extended_registry, load_registry
from ma_ice_coop.tables.facilities import STATUSES, load_facilities, load_facility_aliases
from ma_ice_coop.tables.loaders.detainers import release_specs_path
from ma_ice_coop.tables.process import TABLES
from ma_ice_coop.tables.reference import load_policy_timeline
from ma_ice_coop.views.data_and_coverage.formatting import fiscal_years_label, pct_missing
from ma_ice_coop.views.data_and_coverage.record_counts import (
    arrest_status_table,
    blank_by_month,
    covariate_years,
    ma_detainers,
    outcome_table,
)
from ma_ice_coop.views.data_and_coverage.spans import coverage_spans


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


def compute(include_codebook: bool = True) -> DataCoverage:
    """Everything the notebook shows; `include_codebook` only decides whether the full codebook is shown."""
    if not isinstance(include_codebook, (bool, np.bool_)):
        raise ParameterError(f"include_codebook must be true or false, not {include_codebook!r}")
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
    facts.update(gap_facts(processed, covariates))
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
        operators=operator_table(facilities, aliases, processed, fiscal_years_label(facts)),
        crosswalk=crosswalk_table(aliases),
        arrests=arrests,
        covariates=covariates,
        facts=facts,
    )


def registry_files() -> pd.DataFrame:
    """Every registered input file (data/sources.yaml), sorted by source folder and file id."""
    rows = [
        {
            "file_id": file.file_id,
            "source": file.source,
            "kind": file.kind,
            "use": file.use,
            "coverage": file.coverage,
            "rows": file.rows,
            "publisher": file.publisher,
            "what": file.what,
            "citation": file.citation,
            "licence": file.licence,
        }
        for file in load_registry().values()
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
        {
            "measures": ", ".join(names),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "years": period.years,
        }
        for period, names in groups.items()
    ]
    return pd.DataFrame(rows).sort_values(["start", "end"], ignore_index=True)


def reference_event() -> dict:
    """Lunn v. Commonwealth, from KEY_EVENTS and its policy-timeline row (date, label, source)."""
    event = KEY_EVENTS["lunn"]
    row = timeline_row(event)
    return {
        "label": event.label,
        "date": row["date"],
        "timestamp": event_timestamp(event),
        "source_url": row["source_url"],
        "event": row["event"],
    }


def fy2015_context_rows() -> dict:
    """The policy-timeline rows that place the FY2015 window: the end of Secure Communities and Boston's 2014
    ordinance (dates and sources cited from the timeline, not typed)."""
    return {key: reference_row(key) for key in ("secure_communities_end", "boston_trust_2014")}


def codebook_table(processed: dict) -> pd.DataFrame:
    """One row per column of every processed table: type, meaning, unit, source and share missing."""
    rows = []
    for name, table in TABLES.items():
        schema = table.schema_object()
        frame = processed[name]
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
                    "missing": float(frame[column].isna().mean()) if column in frame and len(frame) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def table_summary(codebook: pd.DataFrame, processed: dict) -> pd.DataFrame:
    """One row per processed table: rows, columns, and the columns with missing values."""
    rows = []
    for name in TABLES:
        columns = codebook[codebook["table"] == name]
        gaps = columns[columns["missing"] > 0]
        rows.append(
            {
                "table": name,
                "rows": len(processed[name]),
                "columns": len(columns),
                "complete columns": int((columns["missing"] == 0).sum()),
                "columns with missing values (share missing)": "; ".join(
                    f"{column} ({pct_missing(missing)})"
                    for column, missing in zip(gaps["column"], gaps["missing"], strict=True)
                )
                or "none",
            }
        )
    return pd.DataFrame(rows)


def operator_table(facilities: pd.DataFrame, aliases: pd.DataFrame, processed: dict, fy_label: str) -> pd.DataFrame:
    """Facilities by operator type: how many the crosswalk lists and what the sources hold for them."""
    named = set(aliases.loc[aliases["status"] == "facility", "facility_id"])
    ma = ma_detainers(processed["detainers"])
    arrests = processed["jail_arrests"]
    daily = processed["ice_detention_daily"]
    rows = []
    for operator, group in facilities.groupby("operator_type", sort=True):
        ids = set(group["facility_id"])
        rows.append(
            {
                "operator type": operator,
                "facilities in the crosswalk": len(group),
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
    total = {column: out[column].sum() for column in out.columns if column != "operator type"}
    out.loc[len(out)] = {"operator type": "all", **total}
    return out


def crosswalk_table(aliases: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk strings per source and status (facility / outside_ma / unplaced), with facilities reached."""
    counts = aliases.groupby(["source", "status"]).size().unstack("status", fill_value=0)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    counts["all strings"] = counts.sum(axis=1)
    reached = aliases[aliases["status"] == "facility"].groupby("source")["facility_id"].nunique()
    counts["facilities reached"] = reached.reindex(counts.index, fill_value=0)
    out = counts.reset_index().sort_values("source", ignore_index=True)
    total = {column: int(out[column].sum()) for column in out.columns if column != "source"}
    total["facilities reached"] = aliases.loc[aliases["status"] == "facility", "facility_id"].nunique()
    out.loc[len(out)] = {"source": "all", **total}
    return out


def gap_facts(processed: dict, covariates: pd.DataFrame) -> dict:
    """Numbers for 'what cannot be known': foreign-born and citizen variables, timeline size, unbuilt releases."""
    variables = set(covariates["variable"])
    foreign_born = covariates[covariates["variable"] == "foreign_born_share"]
    noncitizen = sorted(var for var in variables if "noncitizen" in var or "non_citizen" in var)
    citizen = sorted(var for var in variables if "citizen" in var and var not in noncitizen)
    by_variable = covariates.set_index("variable")
    timeline = load_policy_timeline()
    return {
        "foreign_born_years": foreign_born["years"].iloc[0] if len(foreign_born) else [],
        "foreign_born_vintages": foreign_born["vintages"].iloc[0] if len(foreign_born) else [],
        "noncitizen_variables": noncitizen,
        "citizen_variables": citizen,
        "citizen_years": {var: by_variable.loc[var, "years"] for var in citizen},
        "timeline_events": len(timeline),
        "timeline_categories": timeline["category"].value_counts().sort_index().to_dict(),
        "extended_releases": extended_releases(processed["detainers"]),
    }


def extended_releases(detainers: pd.DataFrame) -> list[str]:
    """Titles (data/detainer_releases.yaml) of the releases `make extended` downloads (data/sources.yaml, use:
    extended) that are not in the built table."""
    specs = read_yaml(release_specs_path()).get("releases") or {}
    built = set(detainers["release_id"].dropna().unique())
    fetchable = dict.fromkeys(f.release for f in extended_registry().values())
    return [specs.get(r, {}).get("title", r) for r in fetchable if r not in built]
