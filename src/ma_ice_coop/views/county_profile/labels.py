"""The county profile's fixed vocabulary: which measures it shows (their labels come from the measure
catalogue), facility operator names, event groups, the covariates shown and the timeline's span."""

from __future__ import annotations

from datetime import date

from ma_ice_coop.tables import reference
from ma_ice_coop.tables.catalogue import catalogue

NOTEBOOK_ID = "county_profile"

# A county whose sheriff runs no jail has its prisoners held in another county's jail: counties.csv
# prisoners_held_in (measures.jail_host), never hard-coded here.

TIMELINE_START = date(2005, 1, 1)
TIMELINE_END = date(2025, 12, 31)
STATEWIDE_EVENTS = ("secure_communities", "lunn", "sheriff_elections_2022")
UNDERCOUNT_BEFORE = date(2011, 10, 1)  # ICE detention stays are recorded from this day on

PARTY_NAMES = reference.PARTY_NAMES  # the party codes of sheriffs.csv in words (stated once there)

# The measures the profile shows, in its order, and those it draws as interval panels. Their labels, short
# labels and axis texts come from the measure catalogue (data/reference/measures.yaml), stated once there.
PROFILE_MEASURES = (
    "detainers_lodged",
    "detainers_per_100k",
    "custody_share",
    "custody_share_resolved",
    "declined_share",
    "declined_share_broad",
    "unresolved_share",
    "recorded_declines",
    "jail_arrests",
    "jail_arrests_per_100k",
    "mean_daily_ice_headcount",
    "agreement_287g_years",
    "agreement_287g_paper_years",
)
FIGURE_MEASURES = (
    "detainers_per_100k",
    "custody_share",
    "custody_share_resolved",
    "declined_share",
    "declined_share_broad",
    "unresolved_share",
    "recorded_declines",
    "jail_arrests_per_100k",
)
LABELS = {m: catalogue().measure(m).label for m in PROFILE_MEASURES}
SHORT = {m: catalogue().measure(m).short_label for m in FIGURE_MEASURES}
AXIS = {m: catalogue().measure(m).axis_label for m in FIGURE_MEASURES}

OPERATOR_LABELS = {
    "sheriff": "sheriff",
    "state_doc": "state prison (DOC)",
    "federal": "federal",
    "ice": "ICE office",
    "police": "police",
    "state_police": "State Police",
    "court": "court",
    "other": "other (hospital, airport, hotel)",
}

OPERATOR_PLURAL = {
    "state_doc": "state prisons",
    "federal": "federal sites",
    "ice": "ICE offices",
    "police": "police",
    "state_police": "State Police",
    "court": "courts",
    "other": "hospitals and other places",
}

EVENT_GROUPS = {
    "287g_start": "287(g)",
    "287g_end": "287(g)",
    "287g_renewal": "287(g)",
    "287g_application": "287(g)",
    "detention_contract_end": "ICE detention contract",
    "court_ruling": "courts and lawsuits",
    "lawsuit": "courts and lawsuits",
    "election": "sheriffs and elections",
    "sheriff": "sheriffs and elections",
    "federal_action": "federal action",
    "executive_order": "federal action",
    "policy": "policy and reports",
    "legislation": "policy and reports",
    "report": "policy and reports",
}
EVENT_GROUP_ORDER = [
    "287(g)",
    "ICE detention contract",
    "sheriffs and elections",
    "courts and lawsuits",
    "federal action",
    "policy and reports",
]

# Covariates shown in the politics and demographics table: (variable, kind of value). Their labels are the
# catalogue's (data/reference/measures.yaml covariates).
COVARIATES = [
    ("pres_dem_share", "pct"),
    ("pres_rep_share", "pct"),
    ("gov_dem_share", "pct"),
    ("gov_rep_share", "pct"),
    ("sheriff_2022_winner_share", "pct"),
    ("sheriff_2022_contested", "yesno"),
    ("population", "persons"),
    ("foreign_born_share", "pct"),
    ("hispanic_share", "pct"),
    ("median_household_income", "usd"),
    ("poverty_share", "pct"),
    ("rural_share", "pct"),
]
