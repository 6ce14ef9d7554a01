"""The 'Which counties cooperate most' notebook: tables, figures and generated text.

Every sentence with a number is built here from the measure tables, so the notebook holds no
hand-typed figures.

Modules: `compute` (the result), `formatting` (estimates, names, axes, sources), `findings` (the text) and
`display` (figures and tables); `per_year` the extended builds' detainers per year.
"""

from __future__ import annotations

from ma_ice_coop.views.which_counties.compute import WhichCounties, compute
from ma_ice_coop.views.which_counties.display import (
    agency_html,
    agreement_html,
    funnel_figure,
    interval_figure,
    map_figure,
    measure_table_html,
    shrinkage_figure,
    shrinkage_sensitivity_html,
    side_by_side_html,
)
from ma_ice_coop.views.which_counties.findings import _order_note as _order_note  # used by the tests
from ma_ice_coop.views.which_counties.findings import disagreement_text, key_findings, limitations, measure_description
from ma_ice_coop.views.which_counties.per_year import (
    per_year_counts_html,
    per_year_custody_html,
    per_year_figure,
    per_year_text,
)

# The processed tables this notebook reads, directly or through analysis/ (the cache key covers these;
# tests/test_view_tables.py checks the list against the code): every Massachusetts table (not the national ones).
PROCESSED_TABLES = "massachusetts"

__all__ = [
    "PROCESSED_TABLES",
    "WhichCounties",
    "agency_html",
    "agreement_html",
    "compute",
    "disagreement_text",
    "funnel_figure",
    "interval_figure",
    "key_findings",
    "limitations",
    "map_figure",
    "measure_description",
    "measure_table_html",
    "per_year_counts_html",
    "per_year_custody_html",
    "per_year_figure",
    "per_year_text",
    "shrinkage_figure",
    "shrinkage_sensitivity_html",
    "side_by_side_html",
]
