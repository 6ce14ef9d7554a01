"""The 'Data and coverage' notebook: what each source says, what it covers, and what cannot be known.

Everything shown is computed here from the source registry (data/sources.yaml), the processed tables
(data/processed/), their schemas, the facility crosswalk and the coverage constants of
`ma_ice_coop.analysis.measures`, so the notebook holds no hand-typed figures or dates.

Modules: `definitions` (shared names), `compute` (the result), `record_counts` (outcome, arrest and
covariate counts), `spans` (the coverage timeline's data), `formatting`, `text` (generated text),
`html_tables` (tables) and `charts` (figures, drawn by present.coverage_figures and present.figures).
"""

from ma_ice_coop.present.coverage_figures import SPAN_KINDS, coverage_timeline
from ma_ice_coop.views.data_and_coverage.charts import coverage_timeline_figure, missing_figure, outcome_figure
from ma_ice_coop.views.data_and_coverage.compute import (
    DataCoverage,
    codebook_table,
    compute,
    crosswalk_table,
    fy2015_context_rows,
    measure_periods,
    operator_table,
    reference_event,
    registry_files,
    source_table,
    table_summary,
)
from ma_ice_coop.views.data_and_coverage.definitions import BLANK_LIFT_REASON, COVARIATE_GROUPS
from ma_ice_coop.views.data_and_coverage.html_tables import (
    arrests_html,
    codebook_html,
    covariates_html,
    crosswalk_html,
    measure_periods_html,
    missing_html,
    operators_html,
    outcome_html,
    sources_html,
    span_table_html,
    table_summary_html,
)
from ma_ice_coop.views.data_and_coverage.record_counts import (
    arrest_status_table,
    blank_by_month,
    covariate_years,
    outcome_table,
)
from ma_ice_coop.views.data_and_coverage.spans import coverage_spans
from ma_ice_coop.views.data_and_coverage.text import (
    censoring_text,
    key_findings,
    limitations,
    outcome_text,
    unknowables,
    window_context_text,
)

# The processed tables this notebook reads, directly or through analysis/ (the cache key covers these;
# tests/test_view_tables.py checks the list against the code): every one of them.
PROCESSED_TABLES = "all"

__all__ = [
    "PROCESSED_TABLES",
    "BLANK_LIFT_REASON",
    "COVARIATE_GROUPS",
    "SPAN_KINDS",
    "DataCoverage",
    "arrest_status_table",
    "arrests_html",
    "blank_by_month",
    "censoring_text",
    "codebook_html",
    "codebook_table",
    "compute",
    "coverage_spans",
    "coverage_timeline",
    "coverage_timeline_figure",
    "covariate_years",
    "covariates_html",
    "crosswalk_html",
    "crosswalk_table",
    "fy2015_context_rows",
    "key_findings",
    "limitations",
    "measure_periods",
    "measure_periods_html",
    "missing_figure",
    "missing_html",
    "operator_table",
    "operators_html",
    "outcome_figure",
    "outcome_html",
    "outcome_table",
    "outcome_text",
    "reference_event",
    "registry_files",
    "source_table",
    "sources_html",
    "span_table_html",
    "table_summary",
    "table_summary_html",
    "unknowables",
    "window_context_text",
]
