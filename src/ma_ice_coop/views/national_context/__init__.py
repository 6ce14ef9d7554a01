"""The 'Massachusetts in national context' notebook: one FY2015 detainer measure for every US county, where the
14 Massachusetts counties (or one state's counties) sit, and what county politics and demographics go with it
within states. Modules: `compute` (the result), `text` (generated words), `displays` (tables and figures)."""

from ma_ice_coop.views.national_context.compute import (
    COUNT_MEASURES,
    SHARE_MEASURES,
    NationalContext,
    check_parameters,
    compute,
)
from ma_ice_coop.views.national_context.displays import (
    coefficients_html,
    funnel_html,
    highlighted_html,
    marginal_html,
    model_notes,
    outcomes_html,
    placement_html,
    sensitivity_html,
)
from ma_ice_coop.views.national_context.text import (
    ecological_text,
    key_findings,
    limitations,
    model_text,
    placement_text,
)

# The processed tables this notebook reads, through analysis/national_data.py (the cache key covers these;
# tests/test_view_tables.py checks the list against the code; county_covariates is read by the Massachusetts
# measure code that the national measures reuse).
PROCESSED_TABLES = (
    "county_covariates",
    "detainers",
    "national_agreements_287g",
    "national_county_covariates",
    "national_ice_detention_daily",
)

__all__ = [
    "PROCESSED_TABLES",
    "COUNT_MEASURES",
    "SHARE_MEASURES",
    "NationalContext",
    "check_parameters",
    "coefficients_html",
    "compute",
    "ecological_text",
    "funnel_html",
    "highlighted_html",
    "key_findings",
    "limitations",
    "marginal_html",
    "model_notes",
    "model_text",
    "outcomes_html",
    "placement_html",
    "placement_text",
    "sensitivity_html",
]
