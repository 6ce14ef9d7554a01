"""The 'Policy events and what the data show around them' notebook: tables, figures and generated text.

One key event (``ma_ice_coop.analysis.events.KEY_EVENTS``) is chosen; every dated fact comes from
data/reference/policy_timeline.csv and every number from the processed tables, so the notebook holds
no hand-typed figures. The measures that have a time axis are shown against the events:

- the daily ICE detention headcount in the sheriff-run jails that rented beds to ICE
  (``ice_detention_daily``; days before 2011-10-01 undercount);
- recorded declined detainers per sheriff facility-year (``measures.recorded_decline_measures``);
- the 287(g) agreement panel (``agreements_287g_years``);
- ICE's year-end detention statistics (``ice_detention_fy``).

An interrupted time series (``models.interrupted_time_series``) is fitted on the monthly mean daily
headcount of the event's series only where the headcount is complete on enough months on both
sides of the event, and never on a series that is zero by construction after the event (a facility
whose ICE contract ended: the descriptive series is shown instead); otherwise the notebook says why
there is none. The headcount counts people ICE held under bed contracts, so around an event that
does not act on those contracts (Lunn, 287(g), elections) the model only describes the series and is
labelled "not a test of the event's effect"; other timeline events inside its window are named.

The package, by concern:

- :mod:`.data`: :func:`compute` and :class:`PolicyTimeline` (headcount grid, facilities, declines, panels);
- :mod:`.selection`: the timeline rows the figure shows;
- :mod:`.summaries`: per key event, the model's window and fit (or why none) and which sources cover it;
- :mod:`.windows`: before/after means and the other events inside a window;
- :mod:`.wording`: literal Markdown, source links, dates, lists and numbers in words;
- :mod:`.findings`: the generated key findings;
- :mod:`.text`: section notes, the FY2015 context and the limitations;
- :mod:`.tables`: the HTML tables;
- :mod:`.per_year`: detainers and outcomes per year, and their interrupted time series (extended builds);
- :mod:`.figures`: the figures' data, alt text and captions (drawn by ``ma_ice_coop.present.timeline_figures``).

The notebook calls ``view.<name>(...)`` for the names re-exported here.
"""

from __future__ import annotations

from ma_ice_coop.views.policy_timeline.data import MIN_CONTRACT_DAYS, PolicyTimeline, compute
from ma_ice_coop.views.policy_timeline.figures import (
    agreements_figure,
    daily_figure,
    declines_figure,
    facility_figure,
    its_figure,
    observed_window_figure,
    timeline_figure,
    year_end_figure,
)
from ma_ice_coop.views.policy_timeline.findings import (
    agreements_finding,
    availability_finding,
    contract_dates_text,
    declines_finding,
    headcount_finding,
    its_finding,
    its_reading,
    key_findings,
    other_events_text,
    year_end_finding,
)
from ma_ice_coop.views.policy_timeline.per_year import (
    detainer_its_figure,
    detainer_its_text,
    per_year_figure,
    per_year_html,
    per_year_text,
)
from ma_ice_coop.views.policy_timeline.selection import CATEGORY_LABELS, CATEGORY_ORDER, timeline_selection
from ma_ice_coop.views.policy_timeline.summaries import NEARBY_MONTHS, WINDOW_MONTHS, EventSummary
from ma_ice_coop.views.policy_timeline.tables import (
    agreements_table,
    availability_html,
    declines_table,
    facility_table,
    its_table,
    summary_html,
    summary_table,
    timeline_table,
    year_end_table,
    year_panel,
)
from ma_ice_coop.views.policy_timeline.text import (
    declines_text,
    fy2015_context,
    headcount_text,
    its_text,
    limitations,
)
from ma_ice_coop.views.policy_timeline.windows import COMPARE_MONTHS, before_after

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
    "detainer_its_figure",
    "detainer_its_text",
    "per_year_figure",
    "per_year_html",
    "per_year_text",
    "CATEGORY_LABELS",
    "CATEGORY_ORDER",
    "COMPARE_MONTHS",
    "MIN_CONTRACT_DAYS",
    "NEARBY_MONTHS",
    "WINDOW_MONTHS",
    "EventSummary",
    "PolicyTimeline",
    "agreements_figure",
    "agreements_finding",
    "agreements_table",
    "availability_finding",
    "availability_html",
    "before_after",
    "compute",
    "contract_dates_text",
    "daily_figure",
    "declines_figure",
    "declines_finding",
    "declines_table",
    "declines_text",
    "facility_figure",
    "facility_table",
    "fy2015_context",
    "headcount_finding",
    "headcount_text",
    "its_figure",
    "its_finding",
    "its_reading",
    "its_table",
    "its_text",
    "key_findings",
    "limitations",
    "observed_window_figure",
    "other_events_text",
    "summary_html",
    "summary_table",
    "timeline_figure",
    "timeline_selection",
    "timeline_table",
    "year_end_figure",
    "year_end_finding",
    "year_end_table",
    "year_panel",
]
