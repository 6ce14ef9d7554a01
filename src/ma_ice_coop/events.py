"""Key policy events that notebooks can be parameterised by (a curated subset of the policy timeline).

Each event points at its row in data/reference/policy_timeline.csv (date + category [+ county]), so
its wording and source come from the timeline; tests check that every key matches exactly one row.
`series` names the ICE-detention series an interrupted time series would use around the event:
"statewide" (all sheriff facilities) or an ICE facility code.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import ParameterError


@dataclass(frozen=True)
class KeyEvent:
    key: str
    date: str  # as in the timeline (ISO, at its precision)
    category: str
    county_fips: str  # "" for statewide events
    label: str  # short label for figures
    series: str  # detention series for an interrupted time series


KEY_EVENTS = {e.key: e for e in (
    KeyEvent("secure_communities", "2012-05-15", "federal_action", "", "Secure Communities on in MA", "statewide"),
    KeyEvent("bristol_287g_start", "2017-01-18", "287g_start", "25005", "Bristol 287(g) signed", "BRINDMA"),
    KeyEvent("plymouth_287g_start", "2017-01-18", "287g_start", "25023", "Plymouth 287(g) signed", "PLYMOMA"),
    KeyEvent("lunn", "2017-07-24", "court_ruling", "", "Lunn v. Commonwealth", "statewide"),
    KeyEvent("barnstable_287g_start", "2017-12-20", "287g_start", "25001", "Barnstable 287(g) approved", "statewide"),
    KeyEvent("suffolk_contract_end", "2019-10-08", "policy", "25025", "Suffolk ends ICE contract", "SUFFOMA"),
    KeyEvent("franklin_contract_end", "2021-04", "detention_contract_end", "25011", "Franklin ICE contract ends",
             "GREENMA"),
    KeyEvent("bristol_contract_end", "2021-05-20", "detention_contract_end", "25005", "DHS ends Bristol contract",
             "BRINDMA"),
    KeyEvent("bristol_287g_end", "2021-05-20", "287g_end", "25005", "DHS ends Bristol 287(g)", "BRINDMA"),
    KeyEvent("plymouth_287g_end", "2021-09-10", "287g_end", "25023", "Plymouth ends 287(g)", "PLYMOMA"),
    KeyEvent("sheriff_elections_2022", "2022-11-08", "election", "", "2022 sheriff elections", "statewide"),
    KeyEvent("barnstable_287g_end", "2023-01-04", "287g_end", "25001", "Barnstable ends 287(g)", "statewide"),
    KeyEvent("federal_actions_2025", "2025-01-20", "federal_action", "", "EO 14159 (2025)", "statewide"),
)}


def key_event(key: str) -> KeyEvent:
    if key not in KEY_EVENTS:
        raise ParameterError(f"unknown event {key!r}; valid events: {', '.join(KEY_EVENTS)}")
    return KEY_EVENTS[key]


def event_timestamp(event: KeyEvent) -> pd.Timestamp:
    """The event date as a timestamp (month or year precision → the first day)."""
    text = event.date + "-01" * (2 - event.date.count("-"))
    return pd.Timestamp(text)


def timeline_row(event: KeyEvent, timeline: pd.DataFrame | None = None) -> pd.Series:
    """The policy-timeline row the event stands for (its full wording and source_url)."""
    from .reference import load_policy_timeline

    timeline = load_policy_timeline() if timeline is None else timeline
    rows = timeline[(timeline["date"] == event.date) & (timeline["category"] == event.category)
                    & (timeline["county_fips"].fillna("") == event.county_fips)]
    if len(rows) != 1:
        raise ParameterError(f"event {event.key!r} matches {len(rows)} rows of data/reference/policy_timeline.csv "
                             f"(date {event.date}, category {event.category}, county {event.county_fips or 'none'}); "
                             "fix KEY_EVENTS or the timeline")
    return rows.iloc[0]
