"""Which policy-timeline rows the timeline figure shows, with a short label and who acted."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis.events import KEY_EVENTS, timeline_row
from ma_ice_coop.tables.reference import county_names, first_day, load_agreements_287g, load_policy_timeline

CATEGORY_ORDER = (
    "federal_action",
    "court_ruling",
    "287g_start",
    "287g_end",
    "detention_contract_end",
    "policy",
    "election",
)
CATEGORY_LABELS = {
    "federal_action": "federal action",
    "court_ruling": "court ruling",
    "287g_start": "287(g) start",
    "287g_end": "287(g) end",
    "detention_contract_end": "ICE contract end",
    "policy": "sheriff policy",
    "election": "sheriff election",
}
LEVEL_WHO = {"federal": "federal government", "state": "state", "county": "all sheriffs", "city": "city"}


def timeline_selection(timeline: pd.DataFrame | None = None, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The policy-timeline rows shown in the figure: every key event; 287(g) starts and ends of the
    sheriffs and of the state DOC; ICE contract ends; the 2022 sheriff elections; 2025 federal actions.

    Columns: date (timestamp; month or year precision -> the first day), date_text, date_precision,
    category, label (short), who, event, source_url, key (the KEY_EVENTS key or blank)."""
    timeline = load_policy_timeline() if timeline is None else timeline
    names = county_names() if names is None else names
    fips = timeline["county_fips"].fillna("").astype(str)
    key_rows = {}
    for event in KEY_EVENTS.values():
        key_rows.setdefault(timeline_row(event, timeline).name, event)
    doc_row = _state_doc_rows(timeline, fips)
    rows = []
    for index, row in timeline[_shown(timeline, fips, key_rows, doc_row)].iterrows():
        county = fips[index]
        if county:
            who = names.get(county)
        else:
            who = "state DOC" if doc_row[index] else LEVEL_WHO.get(row["level"], row["level"])
        event = key_rows.get(index)
        rows.append(
            {
                "date": first_day(row["date"]),
                "date_text": row["date"],
                "date_precision": row["date_precision"],
                "category": row["category"],
                "label": _short_label(row, who, event),
                "who": who,
                "event": row["event"],
                "source_url": row["source_url"],
                "key": event.key if event is not None else "",
            }
        )
    return pd.DataFrame(rows)


def _state_doc_rows(timeline: pd.DataFrame, fips: pd.Series) -> pd.Series:
    """The statewide 287(g) rows dated as the state DOC's agreements are (signed or ended)."""
    agreements = load_agreements_287g()
    doc = agreements[agreements["agency_type"] == "state_doc"]
    doc_dates = {str(v) for col in ("signed", "end_bracket_to") for v in doc[col].dropna().tolist() if str(v)}
    is_287g = timeline["category"].isin(["287g_start", "287g_end"])
    return is_287g & (fips == "") & timeline["date"].isin(doc_dates)


def _shown(timeline: pd.DataFrame, fips: pd.Series, key_rows: dict, doc_row: pd.Series) -> pd.Series:
    """Rows kept for the figure (see timeline_selection)."""
    category = timeline["category"]
    recent = KEY_EVENTS["federal_actions_2025"].date[:4]  # federal actions from the year of this key event on
    is_287g = category.isin(["287g_start", "287g_end"])
    return (
        timeline.index.isin(list(key_rows))
        | (is_287g & (fips != ""))
        | doc_row
        | (category == "detention_contract_end")
        | (category == "election")
        | ((category == "federal_action") & (timeline["date"] >= recent))
    )


def _short_label(row: pd.Series, who: str, event) -> str:
    """A key event's own label, a federal action's wording, otherwise 'who: category'."""
    if event is not None:
        return event.label
    if row["category"] == "federal_action":
        return str(row["event"])
    return f"{who}: {CATEGORY_LABELS.get(row['category'], row['category'])}"


def year_start(selection: pd.DataFrame) -> pd.Timestamp:
    return pd.Timestamp(year=int(selection["date"].min().year), month=1, day=1)


def year_end(selection: pd.DataFrame) -> pd.Timestamp:
    return pd.Timestamp(year=int(selection["date"].max().year), month=12, day=31)
