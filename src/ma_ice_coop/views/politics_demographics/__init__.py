"""The 'Cooperation, county politics and demographics' notebook: tables, figures and generated text.

One cooperation measure (at its default period) is joined to 1-3 county covariates (the latest value
at or before `covariate_year`), then described with labelled scatter plots, permutation rank
correlations, a county-level quasi-binomial GLM and a detainer-level random-intercept model on the
FY2015 detainers. With at most 14 counties everything here is descriptive: associations, never causes.
A county whose sheriff runs no jail (Nantucket) has no value for a jail measure, not a zero, and is left
out; counties whose estimate rests on few cases (measures.small_by_data) are flagged; each side's period
is stated; ties and collinear covariates are reported. Every sentence with a number is built here from
the data, so the notebook holds no hand-typed figures.

Modules: `definitions` (labels and settings), `compute` (the result), `formatting` (labels and number
formats), `sentences`, `findings` and `model_text` (generated text), `html_tables` (tables) and `scatter`
(the scatter plots, drawn by present.figures).
"""

from ma_ice_coop.views.politics_demographics.compute import (
    PoliticsDemographics,
    check_parameters,
    compute,
    counties_without_jail,
    county_custody_shares,
    covariate_info,
    detainer_rows,
    fit_glm,
    fit_mixed,
    mark_exclusions,
)
from ma_ice_coop.views.politics_demographics.definitions import (
    COVARIATE_LABELS,
    DENOMINATOR_LABELS,
    JAIL_MEASURES,
    MIN_MIXED_GROUPS,
    N_PERMUTATIONS,
    POPULATION_RATES,
)
from ma_ice_coop.views.politics_demographics.findings import (
    correlation_text,
    ecological_text,
    key_findings,
    limitations,
    outcome_description,
)
from ma_ice_coop.views.politics_demographics.formatting import (
    cov_label,
    fmt_cov,
    fmt_measure,
    fmt_p,
    fmt_range,
    fmt_ratio,
    fmt_rho,
)
from ma_ice_coop.views.politics_demographics.html_tables import (
    correlations_html,
    covariate_info_html,
    custody_correlations_html,
    glm_html,
    glm_table,
    joined_table,
    joined_table_html,
    mixed_fixed_html,
    mixed_groups_html,
    mixed_groups_table,
    scatter_table,
)
from ma_ice_coop.views.politics_demographics.model_text import glm_note, glm_text, mixed_note, mixed_text
from ma_ice_coop.views.politics_demographics.scatter import scatter_figure_markup, scatter_panels
from ma_ice_coop.views.politics_demographics.sentences import chance_phrase

NOTEBOOK_ID = "politics_demographics"

# The processed tables this notebook reads, directly or through analysis/ (the cache key covers these;
# tests/test_view_tables.py checks the list against the code): all but county_boundaries.
PROCESSED_TABLES = (
    "agreements_287g_years",
    "county_covariates",
    "detainers",
    "facility_year_declines",
    "ice_detention_daily",
    "ice_detention_fy",
    "jail_arrests",
)

__all__ = [
    "PROCESSED_TABLES",
    "COVARIATE_LABELS",
    "DENOMINATOR_LABELS",
    "JAIL_MEASURES",
    "MIN_MIXED_GROUPS",
    "NOTEBOOK_ID",
    "N_PERMUTATIONS",
    "POPULATION_RATES",
    "PoliticsDemographics",
    "chance_phrase",
    "check_parameters",
    "compute",
    "correlation_text",
    "correlations_html",
    "counties_without_jail",
    "county_custody_shares",
    "cov_label",
    "covariate_info",
    "covariate_info_html",
    "custody_correlations_html",
    "detainer_rows",
    "ecological_text",
    "fit_glm",
    "fit_mixed",
    "fmt_cov",
    "fmt_measure",
    "fmt_p",
    "fmt_range",
    "fmt_ratio",
    "fmt_rho",
    "glm_html",
    "glm_note",
    "glm_table",
    "glm_text",
    "joined_table",
    "joined_table_html",
    "key_findings",
    "limitations",
    "mark_exclusions",
    "mixed_fixed_html",
    "mixed_groups_html",
    "mixed_groups_table",
    "mixed_note",
    "mixed_text",
    "outcome_description",
    "scatter_figure_markup",
    "scatter_panels",
    "scatter_table",
]
