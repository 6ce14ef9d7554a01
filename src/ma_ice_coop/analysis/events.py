"""Key policy events that notebooks can be parameterised by (a curated subset of the policy timeline).

Each event points at its row in data/reference/policy_timeline.csv (date + category [+ county]), so
its wording and source come from the timeline; tests check that every key matches exactly one row.
`series` names the ICE-detention series an interrupted time series would use around the event:
"statewide" (all sheriff facilities) or an ICE facility code. `acts_on_headcount` is True only for
events that end (or announce the end of) an ICE bed contract: the ICE detention headcount counts
people ICE held under those contracts, so for every other event (Lunn, 287(g) agreements, elections,
federal actions) a model of the headcount around the event is not a test of the event's effect.

A contract end is three different things, kept apart: the decision or announcement (the event's
timeline row), what the sources said would follow (the county's detention_contract_end rows of the
timeline) and the last day with an ICE detainee in ICE's own daily records, which is computed from
the headcount table (`last_day_in_ice_records`), never typed.
"""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis.key_events import KEY_EVENTS, KeyEvent
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.reference import first_day, load_policy_timeline

NOT_THE_HEADCOUNT = {
    "court_ruling": "{label} concerns holding people on civil ICE detainers; it does not act on the bed contracts "
    "under which ICE held its own detainees in these jails",
    "287g_start": "a 287(g) agreement lets trained jail officers screen people for ICE and lodge its detainers; it is "
    "not a bed contract, and the headcount counts people ICE held under bed contracts",
    "election": "an election changes who runs a sheriff's office; it does not by itself change the bed contracts "
    "under which ICE held its detainees in these jails",
}
NOT_THE_HEADCOUNT["287g_end"] = NOT_THE_HEADCOUNT["287g_start"]


def not_a_test_reason(e: KeyEvent) -> str:
    """Why an ITS of the ICE bed-contract headcount around `e` is not a test of the event's effect ('' if the
    event ends a bed contract, the one kind of event that acts on the headcount)."""
    if e.acts_on_headcount:
        return ""
    return NOT_THE_HEADCOUNT.get(
        e.category,
        "the event does not act directly on the bed contracts under which ICE held its detainees in these jails",
    ).format(label=e.label)


def key_event(key: str) -> KeyEvent:
    if key not in KEY_EVENTS:
        raise ParameterError(f"unknown event {key!r}; valid events: {', '.join(KEY_EVENTS)}")
    return KEY_EVENTS[key]


def event_timestamp(event: KeyEvent) -> pd.Timestamp:
    """The event date as a timestamp (month or year precision → the first day)."""
    return first_day(event.date)


def timeline_row(event: KeyEvent, timeline: pd.DataFrame | None = None) -> pd.Series:
    """The policy-timeline row the event stands for (its full wording and source_url)."""
    timeline = load_policy_timeline() if timeline is None else timeline
    rows = timeline[
        (timeline["date"] == event.date)
        & (timeline["category"] == event.category)
        & (timeline["county_fips"].fillna("") == event.county_fips)
    ]
    if len(rows) != 1:
        raise ParameterError(
            f"event {event.key!r} matches {len(rows)} rows of data/reference/policy_timeline.csv "
            f"(date {event.date}, category {event.category}, county {event.county_fips or 'none'}); "
            "fix KEY_EVENTS or the timeline"
        )
    return rows.iloc[0]


def last_day_in_ice_records(event: KeyEvent, daily: pd.DataFrame | None = None) -> pd.Timestamp | None:
    """The last day with at least one ICE detainee in the event's facility series, from the daily headcount
    (``ice_detention_daily``); None for a statewide series or a facility with no ICE detainee."""
    if event.series == "statewide":
        return None
    if daily is None:
        daily = read_processed("ice_detention_daily")
    days = daily.loc[(daily["facility_code"] == event.series) & (daily["headcount"] > 0), "date"]
    return pd.Timestamp(days.max()) if len(days) else None


def contract_end_rows(event: KeyEvent, timeline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The county's detention_contract_end rows of the timeline other than the event's own row (what the
    sources say about the end of the contract, e.g. an expected date), in date order."""
    timeline = load_policy_timeline() if timeline is None else timeline
    if not event.county_fips:
        return timeline.iloc[:0]
    own = timeline_row(event, timeline).name
    rows = timeline[
        (timeline["category"] == "detention_contract_end")
        & (timeline["county_fips"].fillna("") == event.county_fips)
        & (timeline.index != own)
    ]
    return rows.sort_values("date")


REFERENCE_ROWS = {
    # key: (date, category, county_fips) of a policy-timeline row that reports cite for context
    "boston_trust_2014": ("2014-08-20", "legislation", ""),
    "secure_communities_end": ("2014-11-20", "federal_action", ""),
    "287g_renewals_2019": ("2019-06-30", "287g_renewal", ""),
    "cofield_suit": ("2020-12-21", "lawsuit", "25023"),
    "barnstable_287g_petition": ("2022-02-17", "lawsuit", "25001"),
}


def reference_row(key: str, timeline: pd.DataFrame | None = None) -> pd.Series:
    """A policy-timeline row cited for context (REFERENCE_ROWS), so its date and source are not typed."""
    if key not in REFERENCE_ROWS:
        raise ParameterError(f"unknown reference row {key!r}; valid: {', '.join(REFERENCE_ROWS)}")
    when, category, fips = REFERENCE_ROWS[key]
    timeline = load_policy_timeline() if timeline is None else timeline
    rows = timeline[
        (timeline["date"] == when) & (timeline["category"] == category) & (timeline["county_fips"].fillna("") == fips)
    ]
    if len(rows) != 1:
        raise ParameterError(
            f"reference row {key!r} matches {len(rows)} rows of data/reference/policy_timeline.csv "
            f"(date {when}, category {category}); fix REFERENCE_ROWS or the timeline"
        )
    return rows.iloc[0]


def lunn_287g_text(link, timeline: pd.DataFrame | None = None) -> str:
    """What Lunn changed in state law and what the 287(g) sheriffs claimed after it (release review, issue 7).

    Dates and sources come from policy-timeline rows; `link` turns a source_url cell into the calling report's
    links. Shared wording for every report that explains cooperation after Lunn."""
    t = load_policy_timeline() if timeline is None else timeline
    lunn = timeline_row(KEY_EVENTS["lunn"], t)
    end = {k: timeline_row(KEY_EVENTS[f"{k}_287g_end"], t)["date"] for k in ("bristol", "plymouth", "barnstable")}
    claim = reference_row("287g_renewals_2019", t)
    suits = [reference_row(key, t) for key in ("cofield_suit", "barnstable_287g_petition")]
    return (
        f"Lunn v. Commonwealth ({lunn['date']}, source: {link(lunn['source_url'])}): since then Massachusetts "
        "law gives officers no authority to hold anyone past release solely on a civil ICE detainer. The "
        f"sheriffs with 287(g) agreements (Bristol to {end['bristol']}, Plymouth to {end['plymouth']}, "
        f"Barnstable to {end['barnstable']}) said their ICE-trained officers could still execute detainers as "
        "delegated immigration officers, and the agreements allowed holds of up to 48 hours past release "
        f"(source: {link(claim['source_url'])}). Taxpayer suits challenged that authority ("
        + "; ".join(f"{s['date']}, source: {link(s['source_url'])}" for s in suits)
        + "), and neither ended in a ruling on the merits. Apart from those holds, cooperation since Lunn means "
        "telling ICE about releases, letting ICE take custody at release, 287(g) screening and renting beds "
        "to ICE."
    )
