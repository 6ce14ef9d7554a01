"""The sheriffs' written ICE-cooperation policies: data/reference/sheriff_policies.csv, read and checked.

One row per sheriff's office x policy question x dated statement, each with its source URL(s) (several joined
by " ; "). The questions follow the ILRC's national map of local entanglement with ICE (POLICY_QUESTIONS).
Values are yes / no / partial (yes only under the conditions the statement gives) / unknown / not_applicable;
public statements are supports / limits / mixed / unknown / not_applicable. Unknown is a value: every office
has at least one row for every question, and an unknown row is dated at the day the sources were searched
(UNKNOWN_AS_OF) with a note of what was searched. Nantucket runs no jail, so jail questions are
not_applicable there. Dates are ISO at the precision the source gives ("2017", "2017-01", "2017-01-18").

Errors name the file, the row (1 = first data row; the file line is row + 1), the column and the fix, as the
other reference loaders do (tables.reference).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pandas as pd

from ma_ice_coop.errors import ParameterError
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.reference import check_precision, first_day, load_counties
from ma_ice_coop.tables.reference_checks import (
    PRECISIONS,
    check_allowed,
    check_dates,
    check_fips,
    check_required,
    check_source_urls,
    checked_once,
    numbered_rows,
    read_reference_csv,
    table_error,
    table_path,
)

POLICIES_FILE = "sheriff_policies.csv"
POLICY_COLUMNS = [
    "county_fips",
    "county",
    "office",
    "policy",
    "value",
    "date",
    "date_precision",
    "statement",
    "source_url",
    "source_kind",
    "confidence",
    "notes",
]
POLICY_QUESTIONS: OrderedDict[str, str] = OrderedDict(
    [
        ("honors_hold_requests", "Holds people past release on an ICE detainer alone"),
        ("notifies_release_dates", "Notifies ICE of release dates"),
        ("ice_access_interviews", "Lets ICE agents into the jail to interview people held"),
        ("agreement_287g", "Has a 287(g) agreement with ICE"),
        ("ice_bed_contract", "Rents jail beds to ICE"),
        ("information_sharing", "Shares information with ICE beyond booking fingerprints"),
        ("public_statement", "Sheriff's public stance on cooperating with ICE"),
    ]
)
POLICY_VALUES = ["yes", "no", "partial", "unknown", "not_applicable"]
STATEMENT_VALUES = ["supports", "limits", "mixed", "unknown", "not_applicable"]
SOURCE_KINDS = [
    "policy_document",
    "official_statement",
    "news",
    "survey",
    "court",
    "ice_list",
    "legislation",
    "reference_table",
]
CONFIDENCE = ["high", "medium", "low"]
UNKNOWN_AS_OF = "2026-12-01"  # the day the sources were searched, the date of every `unknown` row


def allowed_values(policy: str) -> list[str]:
    """The values a row of `policy` may take."""
    return STATEMENT_VALUES if policy == "public_statement" else POLICY_VALUES


def check_county_and_office(frame: pd.DataFrame, path: Path) -> None:
    """county and office are those counties.csv gives for county_fips."""
    counties = load_counties().set_index("county_fips")
    for i, row in numbered_rows(frame):
        county = counties.loc[row["county_fips"]]
        for column, expected in [("county", county["county"]), ("office", county["sheriff_office"])]:
            if row[column] != expected:
                raise table_error(
                    path,
                    f"{column} {row[column]!r} does not match county_fips {row['county_fips']} ({expected!r})",
                    f"make county_fips, county and office agree with counties.csv (here: {expected!r})",
                    i,
                    column,
                )


def check_values(frame: pd.DataFrame, path: Path) -> None:
    """value is allowed for its policy; unknown and not_applicable rows say in notes what was searched or why."""
    for i, row in numbered_rows(frame):
        allowed = allowed_values(row["policy"])
        if row["value"] not in allowed:
            raise table_error(
                path, f"value {row['value']!r} is not allowed for {row['policy']}", f"use one of {allowed}", i, "value"
            )
        if row["value"] in ("unknown", "not_applicable") and row["notes"] == "":
            raise table_error(
                path,
                f"a {row['value']} row has no notes",
                "say in notes what was searched where (unknown) or why the question does not apply (not_applicable)",
                i,
                "notes",
            )


def check_coverage(frame: pd.DataFrame, path: Path) -> None:
    """Every office has at least one row for every question (unknown is a value, not a gap)."""
    present = set(zip(frame["county_fips"], frame["policy"], strict=True))
    missing = [(f, p) for f in COUNTY_FIPS for p in POLICY_QUESTIONS if (f, p) not in present]
    if missing:
        shown = ", ".join(f"{f} {p}" for f, p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise table_error(
            path,
            f"{len(missing)} county x question cells have no row: {shown}",
            f"add a row for each, with value 'unknown', date {UNKNOWN_AS_OF} and a note of what was searched",
        )


@checked_once(POLICIES_FILE)
def load_sheriff_policies(path: Path | str | None = None) -> pd.DataFrame:
    """The coded policy table, checked, sorted by county, policy and date; dates kept as ISO text.

    Source: sheriff_policies.csv (see the module docstring for the values and the unknown rule)."""
    path = table_path(path, POLICIES_FILE)
    frame = read_reference_csv(path, POLICY_COLUMNS)
    check_fips(frame, path, blank_ok=False)
    check_county_and_office(frame, path)
    check_allowed(frame, "policy", list(POLICY_QUESTIONS), path)
    check_values(frame, path)
    check_dates(frame, "date", path, blank_ok=False)
    check_allowed(frame, "date_precision", sorted(set(PRECISIONS.values())), path)
    check_precision(frame, path)
    check_required(frame, "statement", path)
    check_source_urls(frame, path)
    check_allowed(frame, "source_kind", SOURCE_KINDS, path)
    check_allowed(frame, "confidence", CONFIDENCE, path)
    check_coverage(frame, path)
    frame["_first"] = [first_day(v) for v in frame["date"]]
    frame = frame.sort_values(["county_fips", "policy", "_first"], kind="stable").drop(columns="_first")
    return frame.reset_index(drop=True)


def policy_as_of(policies: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """Per county x policy, the latest row dated on or before `as_of` (ISO date at any precision), all columns.

    Partial dates compare by their first day ('2017' is 2017-01-01), so a row dated '2017-07' counts as of
    2017-07-24. Rows with the same first day keep file order and the last one wins. With as_of None every row
    counts, so the answer is each cell's latest word (an `unknown` row dated UNKNOWN_AS_OF included)."""
    firsts = pd.Series([first_day(v) for v in policies["date"]], index=policies.index)
    if as_of is not None:
        try:
            cutoff = first_day(as_of)
        except ValueError:
            raise ParameterError(f"as_of {as_of!r} is not an ISO date: write YYYY, YYYY-MM or YYYY-MM-DD") from None
        if pd.isna(cutoff):
            raise ParameterError("as_of is blank: give an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or None")
        keep = firsts <= cutoff
        policies, firsts = policies[keep], firsts[keep]
    ordered = policies.assign(_first=firsts).sort_values(["county_fips", "policy", "_first"], kind="stable")
    latest = ordered.groupby(["county_fips", "policy"], sort=True).tail(1)
    return latest.drop(columns="_first").reset_index(drop=True)
