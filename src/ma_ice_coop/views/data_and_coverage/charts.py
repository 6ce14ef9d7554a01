"""The notebook's figures (drawn by present.coverage_figures and present.figures) with their alt text."""

from __future__ import annotations

from ma_ice_coop.present import figures
from ma_ice_coop.present.coverage_figures import SPAN_KINDS, coverage_timeline
from ma_ice_coop.present.report import fmt_num
from ma_ice_coop.present.text import table_words
from ma_ice_coop.views.data_and_coverage.compute import DataCoverage
from ma_ice_coop.views.data_and_coverage.definitions import BLANK_LIFT_REASON
from ma_ice_coop.views.data_and_coverage.formatting import day_text, fiscal_years_label, pct_missing


def coverage_timeline_figure(coverage: DataCoverage):
    event = coverage.event
    fig = coverage_timeline(
        coverage.spans, title="What each dataset covers, and when", event=(event["timestamp"], event["label"])
    )
    kinds = sorted(set(coverage.spans["kind"]), key=list(SPAN_KINDS).index)
    return figures.figure_html(
        fig,
        alt=f"Timeline with one row per dataset ({len(coverage.span_table)} rows) showing the dates each covers, "
        f"from {day_text(coverage.spans['start'].min())} to {day_text(coverage.spans['end'].max())}: detainer "
        f"outcomes only in {fiscal_years_label(coverage.facts)}, arrests as one pooled total, detention headcounts "
        f"undercounting before {day_text(coverage.facts['detention_full_start'])}, and demographic and election "
        f"values only in single years. A dashed line marks {event['label']} ({event['date']}).",
        caption="Bars: " + "; ".join(SPAN_KINDS[kind][0] for kind in kinds) + ". The dashed line marks "
        f"{event['label']} ({event['date']}), after which Massachusetts law gives officers no authority "
        "to hold anyone solely on a civil ICE detainer.",
        source="data/sources.yaml coverage; ma_ice_coop.analysis.measures coverage constants; processed tables "
        "(covariate years); data/reference/policy_timeline.csv",
    )


def missing_figure(coverage: DataCoverage):
    gaps = coverage.codebook[coverage.codebook["missing"] > 0].copy()
    gaps["label"] = gaps["table"].map(table_words) + ": " + gaps["column"]
    fig = figures.bar_chart(
        gaps,
        label_col="label",
        value_col="missing",
        title="Share of rows with no value, by column",
        xlabel="share of rows missing (0-1)",
        value_fmt="{:.2%}",
    )
    return figures.figure_html(
        fig,
        alt=f"Bar chart of the {len(gaps)} processed-table columns that have missing values, from "
        f"{pct_missing(gaps['missing'].max())} down to {pct_missing(gaps['missing'].min())} of rows.",
        caption="Many gaps are by design: facility ids are blank outside Massachusetts (other states' facility "
        "strings are placed in a county and classified, not named); county columns are blank for strings that "
        "cannot be placed (most record no state), for facilities not run by a sheriff (the sheriff's county), and "
        "for arrest landmarks outside Massachusetts or unplaced; NPR releases carry no facility code, area, "
        "person id or criminality. The lift-reason gap is not by design: ICE recorded no outcome.",
        source="data/processed/ (ma_ice_coop.tables.process.TABLES and their schemas)",
    )


def citation(coverage: DataCoverage, file_id: str) -> str:
    """The registry citation of one input file, without its final full stop (the file id if unknown)."""
    rows = coverage.files[coverage.files["file_id"] == file_id]
    return rows["citation"].iloc[0].rstrip(".") if len(rows) else file_id


def outcome_figure(coverage: DataCoverage):
    outcomes = coverage.outcomes[coverage.outcomes["lift reason"] != "all"]
    fig = figures.bar_chart(
        outcomes,
        label_col="lift reason",
        value_col="all",
        title=f"Massachusetts detainers by ICE lift reason, {fiscal_years_label(coverage.facts)}",
        xlabel="detainers (count)",
        value_fmt="{:,.0f}",
    )
    blank = outcomes.loc[outcomes["lift reason"] == BLANK_LIFT_REASON, "all"].sum()
    return figures.figure_html(
        fig,
        alt=f"Bar chart of the {fmt_num(coverage.facts['ma_detainers'])} detainers at Massachusetts facilities by "
        f"lift reason; the largest bar is the blank lift reason ({fmt_num(blank)} detainers).",
        caption="All Massachusetts facilities (sheriff-run and others); the table splits them.",
        source=citation(coverage, "npr_fy2015_detainers") + "; lift reasons as recorded by ICE",
    )
