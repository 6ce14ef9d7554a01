"""The county profile notebook: one county's sheriff, facilities, measures, history and context.

Every sentence with a number is built here from the processed tables and the reference tables, so
the notebook holds no hand-typed figures. Per-county measures are about the facilities run by the
county's sheriff (`sheriff_county_fips`); other facilities located in the county (state prisons,
federal sites, police, courts) are listed apart and never counted in the county's numbers.

The notebook calls ``view.<name>(profile)`` on this package; its modules, by concern:

- ``labels``: measure labels, operator names, event groups, covariates shown, the timeline's span;
- ``records``: the county's facilities, sheriffs, detention, events and covariates from the tables;
- ``compute``: the parameters and :class:`CountyProfile` (``compute``), with each measure's summary row;
- ``formatting``: how numbers, ranks and comparisons with the state are written;
- ``findings``: the heading and the key findings;
- ``notes``: the measures intro, facility and covariate notes, the limitations;
- ``tables``: the HTML tables;
- ``figures``: the three figures (drawn by ``ma_ice_coop.present.county_figures``);
- ``scorecard``: the first section, the county's scorecard row and its written policies beside the records;
- ``per_year``: detainers and outcomes per year from the extended releases (extended builds only).
"""

from __future__ import annotations

from ma_ice_coop.views.county_profile.compute import (
    CountyProfile,
    compute,
    custody_measure,
    decline_measure,
    measure_ids,
    measure_summary,
    measure_tables,
    validate,
)
from ma_ice_coop.views.county_profile.country import country_html, country_note
from ma_ice_coop.views.county_profile.figures import locator_map, measures_figure, timeline_figure
from ma_ice_coop.views.county_profile.findings import heading, key_findings, sheriff_sentence
from ma_ice_coop.views.county_profile.labels import NOTEBOOK_ID
from ma_ice_coop.views.county_profile.notes import covariates_note, facilities_text, limitations, measures_intro
from ma_ice_coop.views.county_profile.per_year import per_year_figure, per_year_html, per_year_text
from ma_ice_coop.views.county_profile.scorecard import scorecard_html
from ma_ice_coop.views.county_profile.tables import (
    county_facts_html,
    covariates_html,
    events_html,
    measures_table_html,
    other_facilities_html,
    sheriff_facilities_html,
    sheriffs_html,
    years_html,
)

# The name tests/test_release_review_facts.py calls (from before the split into modules).
_sheriff_sentence = sheriff_sentence

# The processed tables this notebook reads, directly or through analysis/ (the cache key covers these;
# tests/test_view_tables.py checks the list against the code): every one of them.
PROCESSED_TABLES = "all"

__all__ = [
    "country_html",
    "country_note",
    "PROCESSED_TABLES",
    "NOTEBOOK_ID",
    "CountyProfile",
    "compute",
    "scorecard_html",
    "county_facts_html",
    "covariates_html",
    "covariates_note",
    "custody_measure",
    "decline_measure",
    "events_html",
    "facilities_text",
    "heading",
    "key_findings",
    "limitations",
    "locator_map",
    "measure_ids",
    "measure_summary",
    "measure_tables",
    "measures_figure",
    "measures_intro",
    "measures_table_html",
    "other_facilities_html",
    "per_year_figure",
    "per_year_html",
    "per_year_text",
    "sheriff_facilities_html",
    "sheriff_sentence",
    "sheriffs_html",
    "timeline_figure",
    "validate",
    "years_html",
]
