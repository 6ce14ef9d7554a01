"""The notebook's tables: sources, coverage, covariates, missing values, outcomes, crosswalk, codebook."""

from __future__ import annotations

from IPython.display import HTML

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import fmt_num, fmt_pct, html_table, md
from ma_ice_coop.present.text import code_cells, esc, table_words
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.data_and_coverage.compute import DataCoverage
from ma_ice_coop.views.data_and_coverage.formatting import (
    day_text,
    fiscal_years_label,
    measure_labels,
    pct_missing,
    year_list,
)


def _share_one_decimal(value) -> str:
    return fmt_pct(value, 1)


# ----------------------------------------------------------------------------- sources and coverage


def sources_html(coverage: DataCoverage):
    return html_table(
        coverage.sources,
        caption=f"The {len(coverage.sources)} source folders of data/sources.yaml: citation, "
        "licence, the input files the build reads and those only tests compare "
        "with, and the coverage the registry records",
    )


def measure_periods_html(coverage: DataCoverage):
    periods = coverage.measure_periods.rename(columns={"start": "coverage start", "end": "coverage end"})
    return html_table(
        periods,
        caption="Measures by the coverage of their source (ma_ice_coop.analysis.measures.measure_coverage)",
        formats={"years": lambda v: fmt_num(v, 1), "measures": measure_labels},
    )


def span_table_html(coverage: DataCoverage):
    return html_table(
        coverage.span_table,
        caption="Coverage of each dataset (the dates drawn above) and what the processed "
        "table or covariate panel actually holds",
    )


def covariates_html(coverage: DataCoverage):
    covariates = coverage.covariates.copy()
    covariates["years with a value"] = covariates["years"].map(year_list)
    covariates["vintages"] = covariates["vintages"].map(lambda vintages: "; ".join(vintages))
    covariates["covariate"] = covariates["variable"].map(catalogue().label)
    covariates["parameter value"] = covariates["variable"]
    table = html_table(
        covariates[["group", "covariate", "parameter value", "years with a value", "vintages"]],
        caption="County covariates: the years each variable has a value (a year not listed is "
        "absent from the sources, not zero); the parameter value is what to pass as covariates=[...]",
    )
    return HTML(code_cells(table.data, column=2))


# ----------------------------------------------------------------------------- missingness and outcomes


def table_summary_html(coverage: DataCoverage):
    table = html_table(
        coverage.table_summary,
        caption="Processed tables (their file names in data/processed/): rows, columns, and every column with "
        "missing values (all other columns are complete)",
        formats={"rows": fmt_num},
    )
    return HTML(code_cells(table.data))


def missing_html(coverage: DataCoverage):
    gaps = coverage.codebook[coverage.codebook["missing"] > 0][["table", "column", "missing", "meaning"]]
    table = html_table(
        gaps, caption="Columns with missing values, with what the column means", formats={"missing": pct_missing}
    )
    return HTML(code_cells(code_cells(table.data), column=1))


def outcome_html(coverage: DataCoverage):
    fy_label = fiscal_years_label(coverage.facts)
    by_reason = html_table(
        coverage.outcomes,
        caption=f"Massachusetts detainers by lift reason and outcome, {fy_label}: "
        "sheriff-run jails vs other facilities (blank lift reasons counted)",
        formats={
            "sheriff share": _share_one_decimal,
            "other share": _share_one_decimal,
            "all share": _share_one_decimal,
            "sheriff": fmt_num,
            "other": fmt_num,
            "all": fmt_num,
        },
    )
    months = coverage.blank_by_month
    by_month = html_table(
        months,
        caption=(
            f"Blank (unresolved) outcomes by prepare month, {fy_label}: Massachusetts "
            "sheriff-run facilities and all Massachusetts facilities; the records end on "
            f"{measures.FY2015_DETAINERS.end}, so the last month is partial and its "
            "detainers may still have been pending"
        ),
        formats={column: _share_one_decimal for column in months.columns if column.endswith("share")},
    )
    return HTML(by_reason.data + "\n" + by_month.data)


# ----------------------------------------------------------------------------- facilities and arrests


def operators_html(coverage: DataCoverage):
    return html_table(
        coverage.operators,
        caption="Facilities in the crosswalk (data/reference/facilities.csv) by operator "
        "type, and what the sources hold for them",
        formats={column: fmt_num for column in coverage.operators.columns if column != "operator type"},
    )


def crosswalk_html(coverage: DataCoverage):
    return html_table(
        coverage.crosswalk,
        caption="Crosswalk strings (data/reference/facility_aliases.csv) per source and "
        "status: facility (mapped), outside_ma, unplaced",
        formats={column: fmt_num for column in coverage.crosswalk.columns if column != "source"},
    )


def arrests_html(coverage: DataCoverage):
    facts = coverage.facts
    return html_table(
        coverage.arrests,
        caption=f"ICE arrests in the Boston area of responsibility (all of New England), "
        f"pooled {day_text(facts['arrest_start'])} to {day_text(facts['arrest_end'])}, by where "
        "the apprehension landmark can be placed",
        formats={"landmarks": fmt_num, "arrests": fmt_num, "share of arrests": _share_one_decimal},
    )


# ----------------------------------------------------------------------------- codebook


def codebook_html(coverage: DataCoverage):
    if not coverage.include_codebook:
        return md(
            "The full codebook (every column of every processed table, with meaning, unit, source and share "
            "missing) is in `data/processed/CODEBOOK.md`; rerun with `include_codebook = True` to show it here."
        )
    rows_by_table = coverage.table_summary.set_index("table")["rows"]
    parts = []
    for name, columns in coverage.codebook.groupby("table", sort=False):
        rows = f"{fmt_num(int(rows_by_table.loc[name]))} rows"
        table = html_table(columns.drop(columns="table"), formats={"missing": pct_missing}).data
        caption = f'<p class="ma-caption">{esc(table_words(name))} (<code>{esc(name)}</code>, {rows})</p>'
        parts.append(caption + code_cells(table))
    return HTML("\n".join(parts))
