"""NPR facility-year recorded declines (ICE detainers "Declined by LEA"), Massachusetts.

Source: `npr_declines` = nprapps/sanctuary-cities `export/declined_vs_everythingelse.csv`
(national; ICE ERO LESA FOIA 15-87693 detainer records, prepare dates 2007-10..2015-07).
The file has duplicate column names `year, det_facility, city, state, count, det_facility, year, count`:
the first block is the facility-year (calendar year of the prepare date) and its number of detainers
with lift reason "Detainer Declined by LEA"; the second block is a LEFT JOIN giving the number of other
resolved detainers there (non-blank lift reason other than a decline). The second block is blank when
that facility-year had no other resolved detainer, so blank means 0. Only facility-years with at least
one recorded decline appear: a facility-year absent from the table had zero recorded declines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.facilities import load_facilities, map_facilities
from ma_ice_coop.tables.schemas import col, facility_columns, table_schema

FILE_ID = "npr_declines"
ALIAS_SOURCE = "npr_declines"
MA_STATE = "MASSACHUSETTS"
GRID_YEARS = tuple(range(2008, 2016))  # calendar years with MA rows; 2015 covers Jan..Jul 19 only

# The header exactly as published (duplicate names are real) and the names we give the columns.
RAW_HEADER = ["year", "det_facility", "city", "state", "count", "det_facility", "year", "count"]
RAW_NAMES = [
    "year",
    "det_facility",
    "city",
    "state",
    "declined_count",
    "other_det_facility",
    "other_year",
    "other_resolved_count",
]

_SRC = "NPR sanctuary-cities declined_vs_everythingelse.csv (ICE FOIA 15-87693)"
ABSENT_MEANS_ZERO = (
    "Only facility-years with at least one recorded decline are in the NPR table; a "
    "facility-year absent from it had zero recorded declines (not missing data). Declines "
    "are a lower bound: ICE records only the declines it learns of."
)


def _count_columns() -> dict:
    return {
        "year": col(
            "int64", "calendar year of the detainer prepare date (2015 = Jan..Jul 19)", unit="year", source=_SRC
        ),
        "recorded_declines": col(
            "int64",
            "detainers with lift reason 'Detainer Declined by LEA' (first 'count' column)",
            unit="detainers",
            source=_SRC,
            checks=[pa.Check.ge(0)],
        ),
        "other_resolved": col(
            "int64",
            "detainers with a non-blank lift reason other than a decline (second "
            "'count' column; blank in the file means none and is stored as 0)",
            unit="detainers",
            source=_SRC,
            checks=[pa.Check.ge(0)],
        ),
    }


FACILITY_YEAR_DECLINES_SCHEMA = table_schema(
    "facility_year_declines",
    "Massachusetts facility strings x calendar year with at least one ICE-recorded declined detainer, "
    "2008-2015 (2015 = Jan..Jul 19), one row per NPR facility string and year. "
    + ABSENT_MEANS_ZERO
    + " facility_year_declines_complete() gives the full facility x year grid with zeros.",
    {
        "facility_raw": col("str", "facility name as written in the NPR table (det_facility)", source=_SRC),
        "city_raw": col("str", "city as written in the NPR table", source=_SRC),
        **facility_columns(),
        **_count_columns(),
        "source": col("str", "input file id (data/sources.yaml)", source="data/sources.yaml"),
    },
    unique=["facility_raw", "city_raw", "year"],
)

FACILITY_YEAR_DECLINES_COMPLETE_SCHEMA = table_schema(
    "facility_year_declines_complete",
    "Full grid of the given Massachusetts facilities x calendar years (default 2008-2015) with ICE-recorded "
    "declined detainers, summed over the NPR name strings of each facility. "
    + ABSENT_MEANS_ZERO
    + " Facility-years not in the table are rows with zero counts and in_npr_table = False.",
    {
        **facility_columns(),
        **_count_columns(),
        "in_npr_table": col(
            "bool",
            "True when the facility-year appears in the NPR table (>= 1 recorded "
            "decline); False means zero recorded declines",
            source=_SRC,
        ),
        "source": col("str", "input file id (data/sources.yaml)", source="data/sources.yaml"),
    },
    unique=["facility_id", "year"],
)


def read_npr_declines(path: Path) -> pd.DataFrame:
    """The national NPR table as text, columns renamed to RAW_NAMES (header checked, duplicates kept apart)."""
    frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    found = frame.iloc[0].tolist() if len(frame) else []
    if found != RAW_HEADER:
        raise SchemaError(
            f"{path}: columns are {found}, expected {RAW_HEADER} (the NPR declines table, duplicate names "
            "included): restore the original file or update ma_ice_coop.tables.loaders.declines for the new layout"
        )
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = RAW_NAMES
    return body


def select_ma_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows with state == MASSACHUSETTS, as text (the `npr_declines_ma` extract)."""
    return raw[raw["state"] == MA_STATE].reset_index(drop=True)


def _parse_count(values: pd.Series, column: str, path: Path | str, *, blank: int | None = None) -> pd.Series:
    """Non-negative integers from text; `blank` replaces empty cells (None: blanks are an error)."""
    text = values.str.strip()
    if blank is not None:
        text = text.mask(text == "", str(blank))
    bad = ~text.str.fullmatch(r"\d+")
    if bad.any():
        raise SchemaError(
            f"{path}: column '{column}' has non-integer values {sorted(set(values[bad]))[:5]}: "
            "expected whole numbers; check the file is the NPR declines table"
        )
    return text.astype("int64")


def check_join_block(raw: pd.DataFrame, path: Path | str) -> None:
    """The second det_facility/year block must repeat the first, or be blank (no other resolved detainer)."""
    blank = raw["other_det_facility"] == ""
    ragged = blank != (raw["other_year"] == "")
    ragged |= blank != (raw["other_resolved_count"] == "")
    mismatch = ~blank & ((raw["other_det_facility"] != raw["det_facility"]) | (raw["other_year"] != raw["year"]))
    bad = raw[ragged | mismatch]
    if len(bad):
        raise SchemaError(
            f"{path}: {len(bad)} rows where the second det_facility/year/count block neither repeats the first "
            f"nor is blank (first: {bad.iloc[0].tolist()}): the join layout changed; check the file"
        )


def tidy_declines(raw_ma: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Typed facility-year counts from the text rows: facility_raw, city_raw, year, two counts."""
    check_join_block(raw_ma, path)
    return pd.DataFrame(
        {
            "facility_raw": raw_ma["det_facility"].astype("str"),
            "city_raw": raw_ma["city"].astype("str"),
            "year": _parse_count(raw_ma["year"], "year", path),
            "recorded_declines": _parse_count(raw_ma["declined_count"], "count (first)", path),
            "other_resolved": _parse_count(raw_ma["other_resolved_count"], "count (second)", path, blank=0),
        }
    )


def attach_facilities(tidy: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk each NPR facility string; every MA string must be a known facility."""

    mapped = map_facilities(tidy, ALIAS_SOURCE, name_col="facility_raw", city_col="city_raw")
    not_facility = mapped[mapped["status"] != "facility"]
    if len(not_facility):
        listing = sorted(set(zip(not_facility["facility_raw"], not_facility["status"], strict=True)))
        raise SchemaError(
            f"data/reference/facility_aliases.csv: NPR Massachusetts facility strings not mapped to a facility "
            f"{listing}: every MA row of {FILE_ID} names a facility; give each alias status 'facility'"
        )
    return mapped


def load_facility_year_declines(path: Path | None = None) -> pd.DataFrame:
    """MA facility-years with >= 1 recorded decline (counts in detainers), validated and sorted."""
    if path is None:
        path = input_path(FILE_ID)
    tidy = tidy_declines(select_ma_rows(read_npr_declines(path)), path)
    mapped = attach_facilities(tidy)
    mapped["source"] = FILE_ID
    out = mapped[list(FACILITY_YEAR_DECLINES_SCHEMA.columns)]
    out = out.sort_values(["facility_id", "year", "facility_raw", "city_raw"]).reset_index(drop=True)
    return FACILITY_YEAR_DECLINES_SCHEMA.validate(out)


def _facility_frame(facilities) -> pd.DataFrame:
    """The grid's facility rows: a DataFrame with facility_id (+ attributes), or facility ids from the crosswalk."""
    attrs = ["facility_id", "operator_type", "county_fips", "sheriff_county_fips"]
    if isinstance(facilities, pd.DataFrame):
        frame = facilities
    else:
        ids = list(facilities)
        table = load_facilities()
        unknown = sorted(set(ids) - set(table["facility_id"]))
        if unknown:
            raise ParameterError(f"unknown facility ids {unknown}: valid ids are in data/reference/facilities.csv")
        frame = table[table["facility_id"].isin(ids)]
    missing = [c for c in attrs if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"facilities table lacks columns {missing}: expected {attrs} (as in data/reference/facilities.csv)"
        )
    frame = frame[attrs].drop_duplicates()
    if frame["facility_id"].duplicated().any():
        raise SchemaError("facilities table lists a facility_id twice with different attributes")
    return frame


def facility_year_declines_complete(
    facilities, years: Iterable[int] = GRID_YEARS, *, declines: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every facility x year with recorded declines and other resolved detainers (zeros where absent).

    `facilities`: a DataFrame with facility_id, operator_type, county_fips, sheriff_county_fips (e.g. rows
    of data/reference/facilities.csv) or a list of facility ids. Counts of several NPR strings of one
    facility are summed. A facility-year of the NPR table outside the grid is an error, never dropped.
    """
    declines = load_facility_year_declines() if declines is None else declines
    years = sorted({int(y) for y in years})
    frame = _facility_frame(facilities)
    outside = declines[~declines["facility_id"].isin(frame["facility_id"]) | ~declines["year"].isin(years)]
    if len(outside):
        pairs = sorted(set(zip(outside["facility_id"], outside["year"], strict=True)))
        raise ParameterError(
            f"{len(outside)} NPR facility-years lie outside the requested grid {pairs[:10]}: add those "
            f"facilities/years to the grid (years {years}) or filter the declines table first"
        )
    sums = declines.groupby(["facility_id", "year"], as_index=False)[["recorded_declines", "other_resolved"]].sum()
    grid = frame.merge(pd.DataFrame({"year": pd.Series(years, dtype="int64")}), how="cross")
    out = grid.merge(sums, on=["facility_id", "year"], how="left", indicator=True)
    out["in_npr_table"] = out.pop("_merge").eq("both").astype(bool)
    for column in ("recorded_declines", "other_resolved"):
        out[column] = out[column].fillna(0).astype("int64")
    out["source"] = FILE_ID
    out = out[list(FACILITY_YEAR_DECLINES_COMPLETE_SCHEMA.columns)]
    out = out.sort_values(["facility_id", "year"]).reset_index(drop=True)
    return FACILITY_YEAR_DECLINES_COMPLETE_SCHEMA.validate(out)
