"""The methods page ('Methods: how each measure is defined and how sure we can be'): what each measure is,
and each statistical method with a worked example computed from the project's data.

Every sentence with a number is built here from the measure tables (with ``present.report`` and
``present.text``), so the notebook holds no hand-typed figures. Each section has a stable anchor
(``methods.html#shrinkage`` ...), listed in :data:`ANCHORS`.

Modules: `sections` (anchors, headings, contents), `compute` (the result), `examples` (the worked examples'
numbers), `its_example` (the time series), `wording` (numbers in words), `text_estimates` and `text_models`
(the sections' text), `findings` (key findings, limitations), `display` and `display_models` (tables, figures).
"""

from __future__ import annotations

from ma_ice_coop.views.methods.compute import Methods, compute
from ma_ice_coop.views.methods.display import (
    funnel_figure,
    funnel_table_html,
    intervals_html,
    measures_html,
    shrinkage_html,
)
from ma_ice_coop.views.methods.display_models import bounds_html, correlation_html, its_figure, its_table_html
from ma_ice_coop.views.methods.findings import key_findings, limitations
from ma_ice_coop.views.methods.sections import ANCHORS, SECTIONS, contents, heading
from ma_ice_coop.views.methods.text_estimates import funnel_text, jeffreys_text, measures_text, poisson_text
from ma_ice_coop.views.methods.text_models import ecological_text, its_text, permutation_text, shrinkage_text

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
    "ANCHORS",
    "PROCESSED_TABLES",
    "SECTIONS",
    "Methods",
    "bounds_html",
    "compute",
    "contents",
    "correlation_html",
    "ecological_text",
    "funnel_figure",
    "funnel_text",
    "funnel_table_html",
    "heading",
    "intervals_html",
    "its_figure",
    "its_table_html",
    "its_text",
    "jeffreys_text",
    "key_findings",
    "limitations",
    "measures_html",
    "measures_text",
    "permutation_text",
    "poisson_text",
    "shrinkage_html",
    "shrinkage_text",
]
