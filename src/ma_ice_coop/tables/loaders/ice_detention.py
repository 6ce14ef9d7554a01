"""Daily ICE detention headcount at Massachusetts facilities, 2008-09-06..2024-01-04 (UWCHR).

Sources:
- `uwchr_detention_headcount` = UWCHR/ice-detain `headcount/frozen/inc_headcount_fy12-24ytd.csv.gz`
  (national, pipe-delimited `detention_facility_code|n|date`): people in ICE detention at a facility on a
  day, computed from ICE stays (FOIA 2022-ICFO-09022); only days with n > 0 appear. The stays released
  are those recorded from 2011-10-01 on, so days before 2011-10-01 count only people still detained on
  or after that date: they undercount (flag `before_full_coverage`).
- `uwchr_detention_facilities` = UWCHR/ice-detain `analyze/input/facilities.csv.gz` (national,
  pipe-delimited; NIJC 2017 facility list): facility names and states.
- `vera_facility_codes` = Vera ice-detention-trends `metadata/facilities.csv`: codes and states of
  facilities missing from the 2017 list (BIDHPMA, a Boston hospital, is in the headcounts but not in it).
A Massachusetts facility is a code with state MA in either list.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.facilities import map_facilities
from ma_ice_coop.tables.schemas import col, facility_columns, table_schema

HEADCOUNT_ID = "uwchr_detention_headcount"
FACILITIES_ID = "uwchr_detention_facilities"
VERA_ID = "vera_facility_codes"
ALIAS_SOURCE = "uwchr_detention_headcount"
MA = "MA"
_COVERAGE = catalogue().period("ice_detention_daily")  # dates stated once, in data/reference/measures.yaml
FULL_COVERAGE_START = pd.Timestamp(catalogue().period("detention_complete").start)
_FULL = f"{FULL_COVERAGE_START:%Y-%m-%d}"

HEADCOUNT_COLUMNS = ["detention_facility_code", "n", "date"]
FACILITY_COLUMNS = [
    "detloc",
    "name",
    "address",
    "city",
    "county",
    "state",
    "zip",
    "circuit",
    "aor",
    "docket",
    "type",
    "type_detailed",
    "authorizing_authority",
    "capacity",
    "guaranteed_minimum",
    "date_of_last_use",
    "date_of_first_use",
    "over_72",
    "dmcp_auth",
]
VERA_COLUMNS = [
    "detention_facility_code",
    "detention_facility_name",
    "latitude",
    "longitude",
    "city",
    "state",
    "type_detailed",
    "type_grouped",
]

_SRC = "UWCHR ice-detain inc_headcount_fy12-24ytd.csv.gz (ICE ERO LESA FOIA 2022-ICFO-09022)"

ICE_DETENTION_DAILY_SCHEMA = table_schema(
    "ice_detention_daily",
    f"People in ICE detention at each Massachusetts facility per day, {_COVERAGE.start}..{_COVERAGE.end}, one row "
    "per facility and day with at least one person (days with none are absent: zero). Built from ICE stays "
    f"recorded from {_FULL} on, so days before {_FULL} undercount (before_full_coverage).",
    {
        "date": col("datetime64[us]", "calendar day", unit="date", source=_SRC),
        "facility_code": col("str", "ICE detention facility code (DETLOC)", source=_SRC),
        "facility_name": col(
            "str",
            "facility name in the UWCHR/NIJC 2017 facility list; the Vera facility "
            "list's name for codes absent from it (BIDHPMA)",
            source="UWCHR ice-detain facilities.csv.gz; Vera ice-detention-trends facilities.csv",
        ),
        **facility_columns(),
        "headcount": col(
            "int64",
            "people in ICE detention at the facility that day",
            unit="people",
            source=_SRC,
            checks=[pa.Check.gt(0)],
        ),
        "before_full_coverage": col(
            "bool",
            f"True for days before {_FULL}: only stays recorded from "
            f"{_FULL} on are in the data, so the headcount undercounts",
            source="UWCHR ice-detain SOURCE.md",
        ),
        "source": col("str", "input file id (data/sources.yaml)", source="data/sources.yaml"),
    },
    unique=["facility_code", "date"],
)


def _read_pipe_table(path: Path, expected: list[str], what: str, *, sep: str = "|") -> pd.DataFrame:
    """A delimited file as text, with its header checked against `expected`."""
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    found = frame.columns.tolist()
    if found != expected:
        raise SchemaError(
            f"{path}: columns are {found}, expected {expected} ({what}): restore the original file or update "
            "ma_ice_coop.tables.loaders.ice_detention for the new layout"
        )
    return frame


def read_headcount(path: Path) -> pd.DataFrame:
    """National daily headcounts as text (pipe-delimited, gz)."""
    return _read_pipe_table(path, HEADCOUNT_COLUMNS, "UWCHR headcount, pipe-delimited")


def read_uwchr_facilities(path: Path) -> pd.DataFrame:
    """National UWCHR/NIJC facility list as text (pipe-delimited, gz)."""
    return _read_pipe_table(path, FACILITY_COLUMNS, "UWCHR facilities list, pipe-delimited")


def read_vera_facility_codes(path: Path) -> pd.DataFrame:
    """Vera facility-code list as text (comma-separated)."""
    return _read_pipe_table(path, VERA_COLUMNS, "Vera facility codes, comma-separated", sep=",")


def select_ma_facilities(facilities: pd.DataFrame) -> pd.DataFrame:
    """UWCHR facility rows with state == MA (the `uwchr_detention_facilities_ma` extract)."""
    return facilities[facilities["state"] == MA].reset_index(drop=True)


def ma_facility_codes(uwchr_facilities: pd.DataFrame, vera_codes: pd.DataFrame) -> list[str]:
    """Codes with state MA in the UWCHR list or in the Vera list."""
    codes = set(uwchr_facilities.loc[uwchr_facilities["state"] == MA, "detloc"])
    codes |= set(vera_codes.loc[vera_codes["state"] == MA, "detention_facility_code"])
    return sorted(codes)


def select_ma_headcount(headcount: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Headcount rows at the given (Massachusetts) codes (the `uwchr_detention_headcount_ma` extract)."""
    return headcount[headcount["detention_facility_code"].isin(codes)].reset_index(drop=True)


def facility_names(uwchr_facilities: pd.DataFrame, vera_codes: pd.DataFrame, codes: list[str]) -> pd.Series:
    """Name per code: the UWCHR name, else the Vera name (code -> name)."""
    uwchr = uwchr_facilities.drop_duplicates("detloc").set_index("detloc")["name"]
    vera = vera_codes.drop_duplicates("detention_facility_code").set_index("detention_facility_code")
    names = pd.Series(codes, index=codes, dtype="str").map(uwchr)
    names = names.fillna(pd.Series(codes, index=codes, dtype="str").map(vera["detention_facility_name"]))
    return names.str.strip()


def tidy_headcount(rows: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Typed rows: date (day), facility_code, headcount (> 0 people)."""
    counts = rows["n"].str.strip()
    bad = ~counts.str.fullmatch(r"\d+")
    if bad.any():
        raise SchemaError(
            f"{path}: column 'n' has non-integer values {sorted(set(rows['n'][bad]))[:5]}: expected "
            "whole-number headcounts"
        )
    dates = pd.to_datetime(rows["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise SchemaError(
            f"{path}: column 'date' has values that are not YYYY-MM-DD dates "
            f"{sorted(set(rows['date'][dates.isna()]))[:5]}"
        )
    return pd.DataFrame(
        {
            "date": dates.astype("datetime64[us]"),
            "facility_code": rows["detention_facility_code"].astype("str"),
            "headcount": counts.astype("int64"),
        }
    )


def map_codes(codes: list[str], names: pd.Series) -> pd.DataFrame:
    """Crosswalk each MA facility code; each must be a known Massachusetts facility."""

    frame = pd.DataFrame(
        {"facility_code": pd.Series(codes, dtype="str"), "facility_name": names.reindex(codes).to_numpy()}
    )
    mapped = map_facilities(frame, ALIAS_SOURCE, name_col="facility_name", code_col="facility_code")
    not_facility = mapped[mapped["status"] != "facility"]
    if len(not_facility):
        raise SchemaError(
            f"data/reference/facility_aliases.csv: MA detention codes not mapped to a facility "
            f"{sorted(not_facility['facility_code'])}: give each code of source {ALIAS_SOURCE} status 'facility'"
        )
    return mapped


def load_ice_detention_daily(
    headcount_path: Path | None = None, facilities_path: Path | None = None, vera_path: Path | None = None
) -> pd.DataFrame:
    """Daily ICE headcount at MA facilities with crosswalk attributes, sorted by facility_code, date."""

    headcount_path = headcount_path or input_path(HEADCOUNT_ID)
    uwchr = read_uwchr_facilities(facilities_path or input_path(FACILITIES_ID))
    vera = read_vera_facility_codes(vera_path or input_path(VERA_ID))
    codes = ma_facility_codes(uwchr, vera)
    daily = tidy_headcount(select_ma_headcount(read_headcount(headcount_path), codes), headcount_path)
    present = sorted(daily["facility_code"].unique())
    attrs = map_codes(present, facility_names(uwchr, vera, present))
    out = daily.merge(
        attrs[["facility_code", "facility_name", "facility_id", "operator_type", "county_fips", "sheriff_county_fips"]],
        on="facility_code",
        how="left",
        validate="many_to_one",
    )
    out["before_full_coverage"] = (out["date"] < FULL_COVERAGE_START).astype(bool)
    out["source"] = HEADCOUNT_ID
    for column in ("facility_name", "facility_id", "operator_type", "county_fips", "sheriff_county_fips"):
        out[column] = out[column].astype("str")
    out = out[list(ICE_DETENTION_DAILY_SCHEMA.columns)]
    out = out.sort_values(["facility_code", "date"]).reset_index(drop=True)
    return ICE_DETENTION_DAILY_SCHEMA.validate(out)
