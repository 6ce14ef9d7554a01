"""The key policy events that notebooks can be parameterised by: the list itself, without pandas (the
parameter checks read it before any kernel starts). What they mean and how they are used: events.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyEvent:
    key: str
    date: str  # as in the timeline (ISO, at its precision)
    category: str
    county_fips: str  # "" for statewide events
    label: str  # short label for figures
    series: str  # detention series for an interrupted time series
    acts_on_headcount: bool = False  # the event ends an ICE bed contract (the headcount's own subject)


KEY_EVENTS = {
    e.key: e
    for e in (
        KeyEvent("secure_communities", "2012-05-15", "federal_action", "", "Secure Communities on in MA", "statewide"),
        KeyEvent("bristol_287g_start", "2017-01-18", "287g_start", "25005", "Bristol 287(g) signed", "BRINDMA"),
        KeyEvent("plymouth_287g_start", "2017-01-18", "287g_start", "25023", "Plymouth 287(g) signed", "PLYMOMA"),
        KeyEvent("lunn", "2017-07-24", "court_ruling", "", "Lunn v. Commonwealth", "statewide"),
        KeyEvent(
            "barnstable_287g_start", "2017-12-20", "287g_start", "25001", "Barnstable 287(g) approved", "statewide"
        ),
        # dated at the announcement (the timeline's 2019-10-08 row), not at an expected or recorded end
        KeyEvent(
            "suffolk_contract_end",
            "2019-10-08",
            "policy",
            "25025",
            "Suffolk announces end of ICE contract",
            "SUFFOMA",
            acts_on_headcount=True,
        ),
        KeyEvent(
            "franklin_contract_end",
            "2021-04",
            "detention_contract_end",
            "25011",
            "Franklin ICE contract ends",
            "GREENMA",
            acts_on_headcount=True,
        ),
        # dated at the DHS decision; the last day in ICE's records comes from the headcount table
        KeyEvent(
            "bristol_contract_end",
            "2021-05-20",
            "detention_contract_end",
            "25005",
            "DHS ends Bristol contract",
            "BRINDMA",
            acts_on_headcount=True,
        ),
        KeyEvent("bristol_287g_end", "2021-05-20", "287g_end", "25005", "DHS ends Bristol 287(g)", "BRINDMA"),
        KeyEvent("plymouth_287g_end", "2021-09-10", "287g_end", "25023", "Plymouth ends 287(g)", "PLYMOMA"),
        KeyEvent("sheriff_elections_2022", "2022-11-08", "election", "", "2022 sheriff elections", "statewide"),
        KeyEvent("barnstable_287g_end", "2023-01-04", "287g_end", "25001", "Barnstable ends 287(g)", "statewide"),
        KeyEvent("federal_actions_2025", "2025-01-20", "federal_action", "", "EO 14159 (2025)", "statewide"),
    )
}
