"""ICE arrests by apprehension landmark in the Boston AOR, pooled 2011-10-01..2023-01-29 (UWCHR).

Source: `uwchr_arrest_landmarks` = UWCHR/ice-enforce `apprehension_landmark_aor.csv` (national; columns
`"" (row no.), aor, apprehension_landmark, total`): ICE ERO administrative arrests, all years pooled, by
Area of Responsibility and the free-text landmark the arresting officer typed. The Boston AOR covers all
six New England states, so each landmark is crosswalked: a Massachusetts facility, outside MA, or
unplaced (non-specific text such as "FUGITIVE OPERATIONS MA", or no landmark at all). Nothing is dropped:
every BOS row is one output row, so the table sums to the AOR total.

Placement from free text can be wrong both ways, so per-jail counts are not lower bounds: they carry a
sensitivity range. An alias note tagged `[sensitivity: out]` marks a landmark placed at a facility that is
ambiguous (it names an ICE program or unit rather than a place, or a town with several facilities):
`ambiguous` is True and the low count leaves it out. A note tagged `[sensitivity: in <facility_id>]` marks an
unplaced landmark that names only a place holding that facility: the high count adds it there
(`possible_facility_id`, `possible_sheriff_county_fips`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.facilities import alias_key, load_facilities, load_facility_aliases, map_facilities
from ma_ice_coop.tables.schemas import COUNTY_FIPS, CROSSWALK_SOURCE, col, facility_columns, table_schema

FILE_ID = "uwchr_arrest_landmarks"
ALIAS_SOURCE = "uwchr_arrest_landmarks"
AOR = "BOS"
_COVERAGE = catalogue().period("jail_arrests")  # the dates are stated once, in data/reference/measures.yaml
PERIOD_START = pd.Timestamp(_COVERAGE.start)
PERIOD_END = pd.Timestamp(_COVERAGE.end)
RAW_HEADER = ["", "aor", "apprehension_landmark", "total"]
STATUSES = ["facility", "outside_ma", "unplaced"]
SENSITIVITY_TAG = re.compile(r"\[sensitivity: (out|in ([a-z0-9_]+))\]")

_SRC = "UWCHR ice-enforce apprehension_landmark_aor.csv (ICE ERO LESA FOIA)"
_FIPS = [pa.Check.isin(COUNTY_FIPS)]

JAIL_ARRESTS_SCHEMA = table_schema(
    "jail_arrests",
    "ICE administrative arrests in the Boston AOR (New England) by apprehension landmark, pooled over "
    f"{_COVERAGE.start}..{_COVERAGE.end} (no years), each landmark crosswalked to a Massachusetts facility, "
    "outside_ma or unplaced. All BOS rows are kept, so arrests sum to the AOR total. Landmarks are free text, "
    "so a per-jail count can be too high or too low: `ambiguous` and `possible_facility_id` give its sensitivity "
    "range; unplaced arrests are counted, not zero.",
    {
        "landmark_raw": col(
            "str", "apprehension landmark as written (null: no landmark recorded)", source=_SRC, nullable=True
        ),
        "status": col(
            "str",
            "facility (a Massachusetts facility), outside_ma, or unplaced",
            source=CROSSWALK_SOURCE,
            checks=[pa.Check.isin(STATUSES)],
        ),
        **facility_columns(always_mapped=False),
        "ambiguous": col(
            "bool",
            "placed at a facility, but the landmark names an ICE program or unit rather than a "
            "place, or a town with several facilities (alias note tagged '[sensitivity: out]'); left out "
            "of the low end of the sensitivity range",
            source=CROSSWALK_SOURCE,
        ),
        "possible_facility_id": col(
            "str",
            "for an unplaced landmark naming only a place that holds this facility "
            "(alias note tagged '[sensitivity: in <facility_id>]'): the facility the high end "
            "of the sensitivity range adds it to; null otherwise",
            source=CROSSWALK_SOURCE,
            nullable=True,
        ),
        "possible_sheriff_county_fips": col(
            "str",
            "sheriff county of possible_facility_id (null if none or not a sheriff facility)",
            source=CROSSWALK_SOURCE,
            nullable=True,
        ),
        "arrests": col(
            "int64",
            "ICE administrative arrests recorded at this landmark, all years pooled",
            unit="arrests",
            source=_SRC,
            checks=[pa.Check.ge(0)],
        ),
        "period_start": col(
            "datetime64[us]", "first arrest date covered by the pooled count", unit="date", source=_SRC
        ),
        "period_end": col("datetime64[us]", "last arrest date covered by the pooled count", unit="date", source=_SRC),
        "source": col("str", "input file id (data/sources.yaml)", source="data/sources.yaml"),
    },
    unique=["landmark_raw"],
)


def read_arrest_landmarks(path: Path) -> pd.DataFrame:
    """The national landmark table as text (row number dropped); unquoted NA landmarks become null."""
    header = pd.read_csv(path, nrows=0, dtype=str).columns.tolist() if Path(path).stat().st_size else []
    header = ["" if str(h).startswith("Unnamed: 0") else h for h in header]
    if header != RAW_HEADER:
        raise SchemaError(
            f"{path}: columns are {header}, expected {RAW_HEADER} (UWCHR apprehension_landmark_aor.csv): "
            "restore the original file or update ma_ice_coop.tables.loaders.jail_arrests for the new layout"
        )
    # The file writes a missing landmark as unquoted NA (R); no landmark is the text "NA".
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values={"apprehension_landmark": ["NA"]})
    return frame.iloc[:, 1:].reset_index(drop=True)


def select_aor_rows(raw: pd.DataFrame, aor: str = AOR) -> pd.DataFrame:
    """The rows of one ICE Area of Responsibility (default BOS = New England)."""
    return raw[raw["aor"] == aor].reset_index(drop=True)


def parse_arrest_counts(values: pd.Series, path: Path | str) -> pd.Series:
    """Arrest counts (whole numbers) from text."""
    bad = ~values.str.fullmatch(r"\d+")
    if bad.any():
        raise SchemaError(
            f"{path}: column 'total' has non-integer values {sorted(set(values[bad]))[:5]}: "
            "expected whole-number arrest counts"
        )
    return values.astype("int64")


def map_landmarks(rows: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk each landmark; a missing landmark is its own row with status unplaced."""

    named = rows[rows["landmark_raw"].notna()]
    mapped = map_facilities(named, ALIAS_SOURCE, name_col="landmark_raw")
    blank = rows[rows["landmark_raw"].isna()].assign(
        facility_id=None, status="unplaced", operator_type=None, county_fips=None, sheriff_county_fips=None
    )
    return pd.concat([mapped, blank], ignore_index=True) if len(blank) else mapped


def sensitivity_tags() -> dict[str, str]:
    """Normalised landmark -> 'out' or the facility_id of an 'in' tag, from the alias notes of this source."""

    aliases = load_facility_aliases()
    rows = aliases[aliases["source"] == ALIAS_SOURCE]
    ids = set(load_facilities()["facility_id"])
    tags = {}
    for name, status, notes in zip(rows["raw_name"], rows["status"], rows["notes"], strict=True):
        match = SENSITIVITY_TAG.search(notes)
        if match is None:
            continue
        tag = match.group(2) or "out"
        if (tag == "out") != (status == "facility") or (tag != "out" and tag not in ids):
            raise SchemaError(
                f"data/reference/facility_aliases.csv: landmark {name!r} has tag {match.group(0)!r} "
                f"with status {status!r}: '[sensitivity: out]' is for placed landmarks, "
                "'[sensitivity: in <facility_id>]' for unplaced ones with a facility_id of facilities.csv"
            )
        tags[alias_key(name, "", "")[0]] = tag
    return tags


def add_sensitivity(out: pd.DataFrame) -> pd.DataFrame:
    """The ambiguous / possible_facility_id / possible_sheriff_county_fips columns from the alias tags."""

    tags = sensitivity_tags()
    keys = [alias_key(n, "", "")[0] if isinstance(n, str) else "" for n in out["landmark_raw"]]
    out["ambiguous"] = [tags.get(k) == "out" for k in keys]
    possible = pd.Series(
        [tags.get(k) if tags.get(k) not in (None, "out") else None for k in keys], index=out.index, dtype="str"
    )
    sheriff = load_facilities().set_index("facility_id")["sheriff_county_fips"]
    out["possible_facility_id"] = possible
    out["possible_sheriff_county_fips"] = possible.map(sheriff).astype("str")
    return out


def load_jail_arrests(path: Path | None = None) -> pd.DataFrame:
    """Every BOS landmark row with its arrests (pooled 2011-10-01..2023-01-29), crosswalked, sorted."""
    if path is None:
        path = input_path(FILE_ID)
    bos = select_aor_rows(read_arrest_landmarks(path))
    rows = pd.DataFrame(
        {
            "landmark_raw": bos["apprehension_landmark"].astype("str"),
            "arrests": parse_arrest_counts(bos["total"], path),
        }
    )
    out = map_landmarks(rows)
    if len(out) != len(rows) or out["arrests"].sum() != rows["arrests"].sum():
        raise SchemaError(
            f"{path}: facility mapping changed the number of BOS rows or arrests "
            f"({len(rows)} -> {len(out)}): check data/reference/facility_aliases.csv"
        )
    out["period_start"] = pd.Series(PERIOD_START, index=out.index).astype("datetime64[us]")
    out["period_end"] = pd.Series(PERIOD_END, index=out.index).astype("datetime64[us]")
    out["source"] = FILE_ID
    for column in ("facility_id", "operator_type", "county_fips", "sheriff_county_fips"):
        out[column] = out[column].astype("str")
    out = add_sensitivity(out)
    out = out[list(JAIL_ARRESTS_SCHEMA.columns)]
    out = out.sort_values(["status", "facility_id", "landmark_raw"], na_position="last").reset_index(drop=True)
    return JAIL_ARRESTS_SCHEMA.validate(out)
