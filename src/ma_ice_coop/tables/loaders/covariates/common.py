"""Shared pieces of the county covariates: county names, election dates, units, the panel schema,
and careful readers of the source files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
from pandera.pandas import Check

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables.schemas import COUNTY_FIPS, col, table_schema

MA_STATE_NAME = "Massachusetts"
COUNTY_NAMES = {
    "25001": "Barnstable",
    "25003": "Berkshire",
    "25005": "Bristol",
    "25007": "Dukes",
    "25009": "Essex",
    "25011": "Franklin",
    "25013": "Hampden",
    "25015": "Hampshire",
    "25017": "Middlesex",
    "25019": "Nantucket",
    "25021": "Norfolk",
    "25023": "Plymouth",
    "25025": "Suffolk",
    "25027": "Worcester",
}
GENERAL_ELECTION_DATES = {
    2000: "2000-11-07",
    2004: "2004-11-02",
    2008: "2008-11-04",
    2012: "2012-11-06",
    2014: "2014-11-04",
    2016: "2016-11-08",
    2018: "2018-11-06",
    2020: "2020-11-03",
    2022: "2022-11-08",
    2024: "2024-11-05",
}
# Pseudo-candidates for ballots with no vote in the race: excluded from every vote-share denominator.
BLANK_BALLOT_LABELS = {"BLANK", "UNDERVOTES", "OVERVOTES"}
# Aggregated write-ins (MEDSL 2022 "WRITEIN", 2018 "ALL OTHERS"): counted as votes, not as a candidate.
AGGREGATE_OTHER_LABELS = {"WRITEIN", "ALL OTHERS", "SCATTERING"}

UNIT_PERSONS = "persons"
UNIT_SHARE = "share (0-1)"
UNIT_USD = "USD (nominal)"
UNIT_VOTES = "votes"
UNIT_SHARE_DIFF = "share difference (-1 to 1)"
UNIT_INDICATOR = "indicator (0/1)"
UNIT_CODE = "code (1-9)"

PANEL_COLUMNS = ["county_fips", "county", "year", "variable", "value", "moe", "unit", "source_file", "vintage"]
_SNAKE = r"^[a-z][a-z0-9_]*$"

COUNTY_COVARIATES_SCHEMA = table_schema(
    "county_covariates",
    "County covariates as a long panel: one row per (county, year, variable). A (county, year, "
    "variable) absent from the table is absent from the sources, not zero; a row with a null value "
    "means the source lists the county but publishes no estimate.",
    {
        "county_fips": col("str", "5-char county FIPS", source="registry", checks=Check.isin(COUNTY_FIPS)),
        "county": col("str", "county name without 'County'", checks=Check.isin(sorted(COUNTY_NAMES.values()))),
        "year": col(
            "int64",
            "election year, or the reference year of an estimate (end year of a 5-year ACS)",
            unit="year",
            checks=Check.in_range(1990, 2030),
        ),
        "variable": col("str", "snake_case variable id (see load_county_covariates)", checks=Check.str_matches(_SNAKE)),
        "value": col("float64", "the value, in `unit`", nullable=True),
        "moe": col(
            "float64",
            "ACS 90% margin of error in `unit`; null where the source gives none",
            nullable=True,
            checks=Check.ge(0),
        ),
        "unit": col("str", "unit of value and moe (persons, share (0-1), USD (nominal), votes, ...)"),
        "source_file": col("str", "input file id in data/sources.yaml", source="registry"),
        "vintage": col("str", "survey or count and reference period, or the general-election date"),
    },
    unique=["county_fips", "year", "variable"],
)


# --------------------------------------------------------------------------------------------
# reading helpers
# --------------------------------------------------------------------------------------------


def require_columns(frame: pd.DataFrame, required, file_id: str, path) -> None:
    """Raise SchemaError naming the file and listing expected vs found columns."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{file_id} ({path}): expected column(s) {missing} not found.\n"
            f"  expected: {list(required)}\n  found: {list(map(str, frame.columns))}\n"
            "  what to do: if the publisher renamed columns, update the names in "
            "ma_ice_coop/loaders/covariates.py; otherwise restore the registered file (`ma-ice fetch`)."
        )


def read_text_csv(path, file_id: str, required, *, zip_member: str | None = None) -> pd.DataFrame:
    """A CSV (or a CSV inside a .zip) read as text, every cell a string, blanks as ''.

    A path ending in .zip is opened and `zip_member` read from it; any other path is read as CSV
    (so tests can point a parser at a small altered CSV).
    """
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if zip_member not in names:
                raise SchemaError(
                    f"{file_id} ({path}): the zip holds {names}, not '{zip_member}'. "
                    "what to do: restore the registered file, or update the member name here."
                )
            with archive.open(zip_member) as fh:
                frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(frame, required, file_id, path)
    return frame


def read_rda_table(path, file_id: str, object_name: str, required) -> pd.DataFrame:
    """One data frame from an R .rda file (pyreadr; no R needed)."""
    import pyreadr  # lazy: only the OpenIntro .rda files need it

    path = Path(path)
    objects = pyreadr.read_r(str(path))
    if object_name not in objects:
        raise SchemaError(
            f"{file_id} ({path}): holds objects {list(objects)}, not '{object_name}'. "
            "what to do: restore the registered file."
        )
    frame = objects[object_name]
    require_columns(frame, required, file_id, path)
    return frame


def fips5(values: pd.Series) -> pd.Series:
    """County FIPS as 5-char strings from ints, floats ('25001.0') or strings."""
    text = values.astype(str).str.strip().str.replace(r"\.0+$", "", regex=True)
    return text.str.zfill(5)


def to_number(values: pd.Series, file_id: str, column: str) -> pd.Series:
    """Numbers from text ('1,234', '71632.0'); blank/NA become NaN; anything else is an error."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64").reset_index(drop=True)
    text = values.astype(str).str.strip().str.replace(",", "", regex=False).reset_index(drop=True)
    blank = text.isna() | text.str.upper().isin(["", "NA", "NAN", "<NA>", "NONE"])
    nums = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
    bad = nums.isna() & ~blank
    if bad.any():
        raise SchemaError(
            f"{file_id}: column '{column}' has non-numeric values {sorted(set(text[bad]))[:5]}; "
            "what to do: check the file against its SOURCE.md and restore it if altered."
        )
    return nums


def require_all_counties(fips: pd.Series, file_id: str, what: str = "") -> None:
    """Exactly one row for each of the 14 MA counties, or a SchemaError saying which differ."""
    counts = fips.value_counts()
    missing = sorted(set(COUNTY_FIPS) - set(counts.index))
    extra = sorted(set(counts.index) - set(COUNTY_FIPS))
    dupes = sorted(counts[counts > 1].index)
    if missing or extra or dupes:
        raise SchemaError(
            f"{file_id}{' ' + what if what else ''}: expected one row for each of the 14 MA "
            f"counties; missing {missing}, unexpected {extra}, duplicated {dupes}. "
            "what to do: restore the registered file."
        )


def _ma_rows(frame: pd.DataFrame, fips_column: str, file_id: str) -> pd.DataFrame:
    """The 14 Massachusetts county rows of a national county table (columns unchanged)."""
    keep = fips5(frame[fips_column]).isin(COUNTY_FIPS)
    out = frame.loc[keep].reset_index(drop=True)
    require_all_counties(fips5(out[fips_column]), file_id)
    return out


# --------------------------------------------------------------------------------------------
# Massachusetts subsets of the originals (compared with the mirror extracts in tests)
# --------------------------------------------------------------------------------------------

TONMCG_2008_2016_COLUMNS = ["fips_code", "county"] + [
    f"{k}_{y}" for y in (2008, 2012, 2016) for k in ("total", "dem", "gop", "oth")
]
TONMCG_2012_2016_COLUMNS = [
    "combined_fips",
    "votes_dem_2016",
    "votes_gop_2016",
    "total_votes_2016",
    "votes_dem_2012",
    "votes_gop_2012",
    "total_votes_2012",
]
TONMCG_2016_COLUMNS = ["combined_fips", "votes_dem", "votes_gop", "total_votes"]
TONMCG_2020_2024_COLUMNS = ["state_name", "county_fips", "county_name", "votes_gop", "votes_dem", "total_votes"]
