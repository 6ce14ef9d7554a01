"""The project's own reference tables in data/reference/: read, check, and parse them.

Four hand-curated fact tables, each row with its source URL(s) (several joined by " ; "):

- counties.csv          the 14 counties: seat, sheriff's office, where it is based, whose jail holds its
                        prisoners (small is decided per measure by data: measures.small_by_data)
- sheriffs.csv          one row per sheriff tenure, before 2010 to 2025
- agreements_287g.csv   one row per agency x 287(g) agreement period (sheriffs, state DOC, police)
- policy_timeline.csv   dated federal / state / county / city events, 2006..2026

Dates are ISO 8601 at the precision the sources give: "2017", "2017-01" or "2017-01-18".
Every loader reads the CSV as text, checks it, and raises SchemaError naming the file, the row
(1 = first data row; the file line is row + 1) and the fix. Loaders take an optional path so tests
can check altered copies.

287(g) bracket dates (agreements_287g.csv). Entry and exit are known only from dated evidence: ICE
list snapshots (2007-09-19, 2008-03-10, 2010-10-29, 2021-01-13 ... 2025-07-03), the Washington Post's
yearly flags, and dated reports. For each agreement period:
  start_bracket_from  earliest date the agreement can have come into force
  start_bracket_to    first date a source shows it in force (so it came into force in between)
  end_bracket_from    last date a source shows it in force (list snapshot or dated report)
  end_bracket_to      first date a source shows it no longer in force (report or list without it)
Blank end brackets mean still in force on the latest ICE list (status_as_of_latest_list = active).
The agreement is *known* in force from start_bracket_to to end_bracket_from.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd

from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.reference_checks import (
    PRECISIONS,
    check_allowed,
    check_dates,
    check_fips,
    check_order,
    check_required,
    check_source_urls,
    checked_once,
    date_bounds,
    date_precision,  # noqa: F401  (part of this module's API)
    first_day,  # noqa: F401  (part of this module's API)
    numbered_rows,
    parse_bool,
    read_reference_csv,
    table_error,
    table_path,
    to_datetime_column,
)

COUNTIES_FILE = "counties.csv"
SHERIFFS_FILE = "sheriffs.csv"
AGREEMENTS_FILE = "agreements_287g.csv"
TIMELINE_FILE = "policy_timeline.csv"

COUNTIES_COLUMNS = [
    "county_fips",
    "county",
    "seat",
    "sheriff_office",
    "sheriff_hq_town",
    "houses_own_prisoners",
    "prisoners_held_in",
    "source_url",
    "notes",
]
SHERIFFS_COLUMNS = [
    "county",
    "county_fips",
    "sheriff_name",
    "party",
    "party_confirmed",
    "term_start",
    "term_end",
    "how_started",
    "facilities",
    "agreement_287g",
    "source_url",
    "notes",
]
AGREEMENTS_COLUMNS = [
    "agency",
    "agency_type",
    "county_fips",
    "model",
    "signed",
    "start_bracket_from",
    "start_bracket_to",
    "end_bracket_from",
    "end_bracket_to",
    "status_as_of_latest_list",
    "source_url",
    "notes",
]
TIMELINE_COLUMNS = [
    "date",
    "date_precision",
    "level",
    "county_fips",
    "category",
    "event",
    "source_url",
    "confidence",
    "notes",
]

PARTIES = ["D", "R", "I", "U", ""]  # U = unenrolled; "" = not found in a source
#: The party codes of sheriffs.csv in words, for readers.
PARTY_NAMES = {
    "D": "Democrat",
    "R": "Republican",
    "I": "independent",
    "U": "unenrolled",
    "": "party not found in a source",
}
HOW_STARTED = ["elected", "appointed", ""]
AGENCY_TYPES = ["sheriff", "state_doc", "police"]
MODELS = ["jail enforcement", "task force", "warrant service", "unknown"]
AGREEMENT_STATUSES = ["active", "ended"]
LEVELS = ["federal", "state", "county", "city"]
CATEGORIES = [
    "287g_start",
    "287g_end",
    "287g_renewal",
    "287g_application",
    "detention_contract_end",
    "court_ruling",
    "election",
    "executive_order",
    "federal_action",
    "lawsuit",
    "legislation",
    "policy",
    "report",
]
CONFIDENCE = ["high", "medium", "low"]

_BOOL_TEXT = {"true": True, "false": False}
_YES_NO = {"yes": True, "no": False}


# ----------------------------------------------------------------------------- generic checks


# ----------------------------------------------------------------------------- partial ISO dates


# ----------------------------------------------------------------------------- counties


@checked_once(COUNTIES_FILE)
def load_counties(path: Path | str | None = None) -> pd.DataFrame:
    """The 14 counties (one row each, sorted by FIPS); booleans parsed. Source: counties.csv."""
    path = table_path(path, COUNTIES_FILE)
    frame = read_reference_csv(path, COUNTIES_COLUMNS)
    check_fips(frame, path, blank_ok=False)
    for column in ["county", "seat", "sheriff_office", "sheriff_hq_town"]:
        check_required(frame, column, path)
    check_source_urls(frame, path)
    dupes = frame["county_fips"][frame["county_fips"].duplicated()].tolist()
    missing = sorted(set(COUNTY_FIPS) - set(frame["county_fips"]))
    if dupes or missing:
        raise table_error(
            path,
            f"needs one row per county: duplicated {dupes}, missing {missing}",
            "keep exactly one row for each of the 14 counties",
        )
    frame["houses_own_prisoners"] = parse_bool(frame, "houses_own_prisoners", path, _BOOL_TEXT)
    check_prisoners_held_in(frame, path)
    return frame.sort_values("county_fips").reset_index(drop=True)


def check_prisoners_held_in(frame: pd.DataFrame, path: Path) -> None:
    """prisoners_held_in: blank for a county with its own jail, else the FIPS of the county whose jail holds
    its prisoners (a county that houses its own prisoners)."""
    own = dict(zip(frame["county_fips"], frame["houses_own_prisoners"], strict=True))
    for i, row in numbered_rows(frame):
        host, houses = row["prisoners_held_in"], row["houses_own_prisoners"]
        if houses and host:
            raise table_error(
                path,
                f"prisoners_held_in is {host} but houses_own_prisoners is true",
                "leave prisoners_held_in blank for a county with its own jail",
                i,
                "prisoners_held_in",
            )
        if not houses and not own.get(host, False):
            raise table_error(
                path,
                f"prisoners_held_in {host!r} is not a county with its own jail",
                "give the FIPS of the county whose jail holds this county's prisoners",
                i,
                "prisoners_held_in",
            )


def county_names(path: Path | str | None = None) -> dict[str, str]:
    """county_fips -> county name without 'County' ('25009' -> 'Essex')."""
    frame = load_counties(path)
    return dict(zip(frame["county_fips"], frame["county"], strict=True))


# ----------------------------------------------------------------------------- sheriffs


def check_tenures(frame: pd.DataFrame, path: Path) -> None:
    """Per county: tenures do not overlap, and exactly one is open (blank term_end = in office)."""
    names = county_names()
    for fips, group in frame.groupby("county_fips", sort=True):
        open_rows = group[group["term_end"] == ""]
        if len(open_rows) != 1:
            raise table_error(
                path,
                f"{names.get(fips, fips)} has {len(open_rows)} tenures with a blank term_end",
                "exactly one sheriff per county is in office (blank term_end) as of the latest source",
            )
        dated = group[group["term_start"] != ""].copy()
        dated["first"] = [date_bounds(v)[0] for v in dated["term_start"]]
        dated = dated.sort_values("first")
        previous = None
        for index, row in dated.iterrows():
            if previous is not None and previous["term_end"] == "":
                raise table_error(
                    path,
                    f"{previous['sheriff_name']} is in office (blank term_end) but {row['sheriff_name']} starts later",
                    "give the earlier tenure its term_end",
                    int(index) + 1,
                    "term_end",
                )
            if previous is not None and date_bounds(row["term_start"])[1] < date_bounds(previous["term_end"])[0]:
                raise table_error(
                    path,
                    f"tenure of {row['sheriff_name']} starts {row['term_start']}, before "
                    f"{previous['sheriff_name']} left ({previous['term_end']})",
                    "correct the dates: tenures in one county may not overlap",
                    int(index) + 1,
                    "term_start",
                )
            previous = row


@checked_once(SHERIFFS_FILE)
def load_sheriffs(path: Path | str | None = None) -> pd.DataFrame:
    """Sheriff tenures, sorted by county and start; dates kept as ISO text at their precision.

    party: D, R, I, U (unenrolled) or '' (not found); party_confirmed parsed to bool.
    Source: sheriffs.csv (adopted from reference-drafts/ma_sheriffs.csv, checked and corrected).
    """
    path = table_path(path, SHERIFFS_FILE)
    frame = read_reference_csv(path, SHERIFFS_COLUMNS)
    check_fips(frame, path, blank_ok=False)
    check_required(frame, "sheriff_name", path)
    names = county_names()
    for i, row in numbered_rows(frame):
        if names[row["county_fips"]] != row["county"]:
            raise table_error(
                path,
                f"county {row['county']!r} does not match county_fips {row['county_fips']} "
                f"({names[row['county_fips']]})",
                "make county and county_fips agree",
                i,
                "county",
            )
    check_allowed(frame, "party", PARTIES, path)
    check_allowed(frame, "how_started", HOW_STARTED, path)
    check_dates(frame, "term_start", path, blank_ok=True)
    check_dates(frame, "term_end", path, blank_ok=True)
    check_order(frame, "term_start", "term_end", path)
    check_source_urls(frame, path)
    check_tenures(frame, path)
    frame["party_confirmed"] = parse_bool(frame, "party_confirmed", path, _YES_NO)
    frame["_first"] = [date_bounds(v)[0] if v else date.min for v in frame["term_start"]]
    frame = frame.sort_values(["county_fips", "_first"]).drop(columns="_first")
    return frame.reset_index(drop=True)


def sheriffs_in_office(on: str | date) -> pd.DataFrame:
    """The tenure(s) covering a day, one row per county where known (date precision taken into account)."""
    day = date.fromisoformat(on) if isinstance(on, str) else on
    frame = load_sheriffs()
    started = [(not s) or date_bounds(s)[0] <= day for s in frame["term_start"]]
    not_ended = [(not e) or date_bounds(e)[1] >= day for e in frame["term_end"]]
    return frame[pd.Series(started) & pd.Series(not_ended)].reset_index(drop=True)


# ----------------------------------------------------------------------------- 287(g) agreements


def check_agreement_rows(frame: pd.DataFrame, path: Path) -> None:
    """Sheriff rows have a county; DOC and police rows do not; blank end <=> active."""
    for i, row in numbered_rows(frame):
        if (row["agency_type"] == "sheriff") != (row["county_fips"] != ""):
            raise table_error(
                path,
                f"agency_type {row['agency_type']!r} with county_fips {row['county_fips']!r}",
                "give county_fips for sheriff rows only (blank for state_doc and police)",
                i,
                "county_fips",
            )
        open_end = row["end_bracket_from"] == "" and row["end_bracket_to"] == ""
        half_open = (row["end_bracket_from"] == "") != (row["end_bracket_to"] == "")
        if half_open:
            raise table_error(
                path,
                "only one end bracket is given",
                "give both end brackets, or leave both blank when still active",
                i,
                "end_bracket_to",
            )
        if open_end != (row["status_as_of_latest_list"] == "active"):
            raise table_error(
                path,
                f"status {row['status_as_of_latest_list']!r} does not match the end brackets",
                "status is 'active' exactly when both end brackets are blank",
                i,
                "status_as_of_latest_list",
            )
        for column in ["start_bracket_from", "start_bracket_to"]:
            if row[column] == "":
                raise table_error(
                    path, "blank start bracket", "every agreement period needs both start brackets", i, column
                )


def check_no_overlap(frame: pd.DataFrame, path: Path) -> None:
    """Periods of one agency do not overlap (next start_bracket_from after previous end_bracket_to)."""
    key = frame["county_fips"].where(frame["county_fips"] != "", frame["agency"])
    for _, group in frame.assign(_key=key).groupby("_key", sort=True):
        ordered = group.sort_values("start_bracket_from")
        ends = ordered["end_bracket_to"].tolist()[:-1]
        starts = ordered["start_bracket_from"].tolist()[1:]
        for index, end, start in zip(ordered.index[1:], ends, starts, strict=True):
            if end == "" or start < end:
                raise table_error(
                    path,
                    f"agreement periods of {group['agency'].iloc[0]!r} overlap",
                    "one row per period: a later period must start after the earlier one ended",
                    int(index) + 1,
                    "start_bracket_from",
                )


@checked_once(AGREEMENTS_FILE)
def load_agreements_287g(path: Path | str | None = None) -> pd.DataFrame:
    """287(g) agreement periods, sorted by agency and start; bracket dates as datetime64 (NaT = blank).

    See the module docstring for what the four bracket dates mean. `signed` stays ISO text (it may be
    month precision). Source: agreements_287g.csv.
    """
    path = table_path(path, AGREEMENTS_FILE)
    frame = read_reference_csv(path, AGREEMENTS_COLUMNS)
    check_required(frame, "agency", path)
    check_allowed(frame, "agency_type", AGENCY_TYPES, path)
    check_fips(frame, path, blank_ok=True)
    check_allowed(frame, "model", MODELS, path)
    check_allowed(frame, "status_as_of_latest_list", AGREEMENT_STATUSES, path)
    check_dates(frame, "signed", path, blank_ok=True)
    brackets = ["start_bracket_from", "start_bracket_to", "end_bracket_from", "end_bracket_to"]
    for column in brackets:
        check_dates(frame, column, path, blank_ok=True, day_only=True)
    check_agreement_rows(frame, path)
    for first, second in pairwise(brackets):
        check_order(frame, first, second, path)
    check_source_urls(frame, path)
    check_no_overlap(frame, path)
    for column in brackets:
        frame[column] = to_datetime_column(frame[column])
    return frame.sort_values(["agency_type", "agency", "start_bracket_from"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- policy timeline


def check_precision(frame: pd.DataFrame, path: Path) -> None:
    """date_precision says how the date is written (year / month / day)."""
    for i, row in numbered_rows(frame):
        expected = PRECISIONS[len(row["date"])]
        if row["date_precision"] != expected:
            raise table_error(
                path,
                f"date {row['date']} is written at {expected} precision but date_precision is "
                f"{row['date_precision']!r}",
                f"set date_precision to {expected!r}",
                i,
                "date_precision",
            )


@checked_once(TIMELINE_FILE)
def load_policy_timeline(path: Path | str | None = None) -> pd.DataFrame:
    """Dated events, sorted by date; dates kept as ISO text at their precision. Source: policy_timeline.csv."""
    path = table_path(path, TIMELINE_FILE)
    frame = read_reference_csv(path, TIMELINE_COLUMNS)
    check_dates(frame, "date", path, blank_ok=False)
    check_allowed(frame, "date_precision", sorted(set(PRECISIONS.values())), path)
    check_precision(frame, path)
    check_allowed(frame, "level", LEVELS, path)
    check_fips(frame, path, blank_ok=True)
    check_allowed(frame, "category", CATEGORIES, path)
    check_required(frame, "event", path)
    check_allowed(frame, "confidence", CONFIDENCE, path)
    check_source_urls(frame, path)
    frame["_first"] = [date_bounds(v)[0] for v in frame["date"]]
    frame = frame.sort_values(["_first", "county_fips", "category"], kind="stable").drop(columns="_first")
    return frame.reset_index(drop=True)
