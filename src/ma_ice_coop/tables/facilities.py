"""The Massachusetts facility crosswalk: every facility string of every source -> one canonical facility.

Two committed reference tables (data/reference/):

- `facilities.csv`: one row per canonical place of custody or arrest, with its operator type, the county
  where it is (`county_fips`) and, for sheriff-run jails only, the county whose elected sheriff runs it
  (`sheriff_county_fips`). Per-county cooperation measures use sheriff facilities only; DOC prisons,
  federal and ICE sites, police lockups and courts are reported separately, never folded into a county.
- `facility_aliases.csv`: one row per distinct raw string per source (name, city, code as written), with
  a status: `facility` (mapped to a facility_id), `outside_ma`, or `unplaced` (no place can be given).

An alias field left blank means the source has no such field, so it matches any value: the headcount
aliases (code only) match rows that also carry a name. A row whose (name, city, code) is not in the
table is an error that lists every such combination; nothing is guessed or dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ma_ice_coop import config
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables.fips import COUNTY_FIPS

FACILITY_COLUMNS = [
    "facility_id",
    "facility_name",
    "operator_type",
    "operator",
    "town",
    "county_fips",
    "sheriff_county_fips",
    "ice_code",
    "open_years",
    "source_url",
    "notes",
]
ALIAS_COLUMNS = ["source", "raw_name", "raw_city", "raw_code", "status", "facility_id", "notes"]
OPERATOR_TYPES = ("sheriff", "state_doc", "federal", "ice", "police", "state_police", "court", "other")
ALIAS_SOURCES = (
    "npr_fy2015_detainers",
    "npr_declines",
    "uwchr_arrest_landmarks",
    "uwchr_detention_facilities",
    "uwchr_detention_headcount",
    "vera_facility_codes",
    "ice_detention_stats",
)
STATUSES = ("facility", "outside_ma", "unplaced")
MAPPED_COLUMNS = ["facility_id", "status", "operator_type", "county_fips", "sheriff_county_fips"]

_SLUG = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")
_OPEN_YEARS = re.compile(r"(\d{4})?-(\d{4})?")
# Alias field patterns tried from most to least specific: (name, city, code) kept (1) or blanked (0).
_KEY_MASKS = [(1, 1, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1), (1, 0, 0), (0, 0, 1), (0, 1, 0)]


def facilities_path() -> Path:
    return config.reference_dir() / "facilities.csv"


def aliases_path() -> Path:
    return config.reference_dir() / "facility_aliases.csv"


def normalise_facility_string(s) -> str:
    """Upper-case, strip, collapse runs of whitespace; missing values become ''."""
    if s is None or (not isinstance(s, str) and pd.isna(s)):
        return ""
    return " ".join(str(s).upper().split())


def _read_reference(path: Path, columns: list[str]) -> pd.DataFrame:
    """A reference CSV as text (blanks as ''), with exactly the expected columns."""
    if not path.exists():
        raise SchemaError(f"{path}: file not found; it is committed with the project (restore it from git)")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != columns:
        raise SchemaError(f"{path}: columns are {list(table.columns)}; expected exactly {columns} (in this order)")
    return table


def _line(i: int) -> str:
    """CSV line number of data row i (header is line 1)."""
    return f"line {i + 2}"


def _raise_problems(path: Path, problems: list[str], fix: str) -> None:
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
        raise SchemaError(f"{path}: {len(problems)} problem(s):\n  {shown}{more}\n  what to do: {fix}")


def _row_problems(row: pd.Series) -> list[str]:
    """The rules on one facility's own fields: id, required text, URL, operator type, counties, open years."""
    problems = []
    if not _SLUG.fullmatch(row["facility_id"]):
        problems.append("facility_id must be a lower_snake slug")
    problems += [
        f"column '{name}' is blank" for name in ("facility_name", "operator", "source_url") if not row[name].strip()
    ]
    if row["source_url"] and not row["source_url"].startswith(("http://", "https://")):
        problems.append(f"source_url '{row['source_url']}' is not an http(s) URL")
    if row["operator_type"] not in OPERATOR_TYPES:
        problems.append(f"unknown operator_type '{row['operator_type']}'; valid: {list(OPERATOR_TYPES)}")
    if row["county_fips"] and row["county_fips"] not in COUNTY_FIPS:
        problems.append(
            f"county_fips '{row['county_fips']}' is not one of the 14 Massachusetts "
            f"counties {COUNTY_FIPS} (leave it blank if outside MA or unknown)"
        )
    if row["open_years"] and not _OPEN_YEARS.fullmatch(row["open_years"]):
        problems.append(
            f"open_years '{row['open_years']}' must look like '1990-', '-2014' or '1955-2023' (blank if unknown)"
        )
    return problems + _sheriff_problems(row)


def _sheriff_problems(row: pd.Series) -> list[str]:
    """A sheriff facility names the county whose sheriff runs it; no other facility does."""
    sheriff_fips = row["sheriff_county_fips"]
    if row["operator_type"] == "sheriff" and not sheriff_fips:
        return ["sheriff facility without sheriff_county_fips (the county whose sheriff runs it)"]
    if row["operator_type"] != "sheriff" and sheriff_fips:
        return [
            f"sheriff_county_fips '{sheriff_fips}' on a non-sheriff facility "
            f"(operator_type '{row['operator_type']}'); leave it blank"
        ]
    if sheriff_fips and sheriff_fips not in COUNTY_FIPS:
        return [f"sheriff_county_fips '{sheriff_fips}' is not one of the 14 Massachusetts counties {COUNTY_FIPS}"]
    return []


def facility_problems(table: pd.DataFrame) -> list[str]:
    """Every rule broken by a facilities table (empty list when valid)."""
    problems = []
    for i, row in table.iterrows():
        where = f"{_line(i)} ({row['facility_id'] or 'no id'})"
        problems += [f"{where}: {problem}" for problem in _row_problems(row)]
    ids = table["facility_id"]
    problems += [f"facility_id '{fid}' appears more than once" for fid in sorted(set(ids[ids.duplicated()]))]
    codes = table.loc[table["ice_code"] != "", "ice_code"]
    problems += [
        f"ice_code '{code}' is given to more than one facility" for code in sorted(set(codes[codes.duplicated()]))
    ]
    return problems


def _mtime(path: Path) -> float:
    """Modification time (cache key: an edited table is re-read and re-validated)."""
    return path.stat().st_mtime_ns if path.exists() else 0


def _blank_to_na(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = table.copy()
    for name in columns:
        out[name] = out[name].replace("", pd.NA)
    return out


@lru_cache(maxsize=4)
def _load_facilities_cached(path: Path, mtime: float) -> pd.DataFrame:
    table = _read_reference(path, FACILITY_COLUMNS)
    _raise_problems(
        path,
        facility_problems(table),
        f"fix those rows of {path.name} (operator_type one of {list(OPERATOR_TYPES)}; "
        "sheriff_county_fips only and always on sheriff facilities)",
    )
    return _blank_to_na(table, ["town", "county_fips", "sheriff_county_fips", "ice_code", "open_years", "notes"])


def load_facilities(path: Path | None = None) -> pd.DataFrame:
    """data/reference/facilities.csv, validated; blank optional cells are missing values."""
    path = Path(path) if path else facilities_path()
    return _load_facilities_cached(path, _mtime(path)).copy()


def alias_key(name, city, code) -> tuple[str, str, str]:
    """The lookup key of one (name, city, code): each part normalised."""
    return (normalise_facility_string(name), normalise_facility_string(city), normalise_facility_string(code))


def alias_problems(table: pd.DataFrame, facility_ids: set[str]) -> list[str]:
    """Every rule broken by an aliases table (empty list when valid)."""
    problems = []
    for i, row in table.iterrows():
        where = f"{_line(i)} ({row['source']}: {row['raw_name']!r}, {row['raw_city']!r}, {row['raw_code']!r})"
        if row["source"] not in ALIAS_SOURCES:
            problems.append(f"{where}: unknown source '{row['source']}'; valid: {list(ALIAS_SOURCES)}")
        if not (row["raw_name"].strip() or row["raw_code"].strip()):
            problems.append(f"{where}: raw_name and raw_code are both blank")
        if row["status"] not in STATUSES:
            problems.append(f"{where}: unknown status '{row['status']}'; valid: {list(STATUSES)}")
        elif row["status"] == "facility":
            if not row["facility_id"]:
                problems.append(f"{where}: status 'facility' needs a facility_id")
            elif row["facility_id"] not in facility_ids:
                problems.append(f"{where}: facility_id '{row['facility_id']}' is not in facilities.csv")
        elif row["facility_id"]:
            problems.append(
                f"{where}: status '{row['status']}' must have a blank facility_id (found '{row['facility_id']}')"
            )
    keys = pd.Series(
        [
            (s, *alias_key(n, c, k))
            for s, n, c, k in zip(table["source"], table["raw_name"], table["raw_city"], table["raw_code"], strict=True)
        ],
        dtype=object,
    )
    for key in sorted(set(keys[keys.duplicated()])):
        problems.append(f"duplicate alias key (source, name, city, code) = {key}: keep one row per raw string")
    return problems


@lru_cache(maxsize=4)
def _load_aliases_cached(path: Path, mtime: float, facilities: Path, facilities_mtime: float) -> pd.DataFrame:
    table = _read_reference(path, ALIAS_COLUMNS)
    ids = set(load_facilities(facilities)["facility_id"])
    _raise_problems(
        path,
        alias_problems(table, ids),
        f"fix those rows of {path.name}; every facility_id must be a row of {facilities.name}",
    )
    return table


def load_facility_aliases(path: Path | None = None, facilities: Path | None = None) -> pd.DataFrame:
    """data/reference/facility_aliases.csv, validated against the facilities table (text; blanks as '')."""
    path = Path(path) if path else aliases_path()
    facilities = Path(facilities) if facilities else path.parent / "facilities.csv"
    return _load_aliases_cached(path, _mtime(path), facilities, _mtime(facilities)).copy()


def facility_lookup(source: str, aliases: pd.DataFrame | None = None) -> dict[tuple[str, str, str], dict]:
    """{normalised (raw_name, raw_city, raw_code): {'status', 'facility_id'}} for one source."""
    if source not in ALIAS_SOURCES:
        raise SchemaError(f"unknown alias source '{source}'; valid sources: {list(ALIAS_SOURCES)}")
    aliases = load_facility_aliases() if aliases is None else aliases
    rows = aliases[aliases["source"] == source]
    return {
        alias_key(n, c, k): {"status": s, "facility_id": f or None}
        for n, c, k, s, f in zip(
            rows["raw_name"], rows["raw_city"], rows["raw_code"], rows["status"], rows["facility_id"], strict=True
        )
    }


UNLISTED = {"status": "unlisted", "facility_id": None}
"""What a string with no alias maps to when mapping is not strict (never written to the crosswalk)."""


def _match(lookup: dict, key: tuple[str, str, str]) -> dict | None:
    """The most specific alias for a key; a blank alias field matches any value."""
    for mask in _KEY_MASKS:
        candidate = tuple(part if keep else "" for part, keep in zip(key, mask, strict=True))
        if any(candidate) and candidate in lookup:
            return lookup[candidate]
    return None


def _column_values(df: pd.DataFrame, column: str | None) -> list:
    if column is None:
        return [""] * len(df)
    if column not in df.columns:
        raise SchemaError(f"map_facilities: column '{column}' is not in the table (columns: {list(df.columns)})")
    return df[column].tolist()


def map_facilities(
    df: pd.DataFrame,
    source: str,
    name_col: str | None,
    city_col: str | None = None,
    code_col: str | None = None,
    *,
    strict: bool = True,
) -> pd.DataFrame:
    """`df` plus facility_id, status, operator_type, county_fips, sheriff_county_fips (same rows, same order).

    Raises SchemaError listing every (name, city, code) with no alias for `source`; with `strict=False` such
    rows get status `unlisted` and no facility (the extended releases list them in a report instead).
    """
    if name_col is None and code_col is None:
        raise SchemaError("map_facilities needs name_col or code_col")
    lookup = facility_lookup(source)
    keys = [
        alias_key(n, c, k)
        for n, c, k in zip(
            _column_values(df, name_col), _column_values(df, city_col), _column_values(df, code_col), strict=True
        )
    ]
    matches = [_match(lookup, key) for key in keys]
    unmapped = sorted({key for key, hit in zip(keys, matches, strict=True) if hit is None})
    if not strict:
        matches = [hit or UNLISTED for hit in matches]
    elif unmapped:
        listing = "\n  ".join(f"name={n!r}, city={c!r}, code={k!r}" for n, c, k in unmapped)
        raise SchemaError(
            f"{len(unmapped)} facility string(s) of source '{source}' are not in the crosswalk:\n  {listing}\n"
            f"  what to do: add a row for each to {aliases_path()} (source '{source}', status facility/outside_ma/"
            "unplaced, and a facility_id from facilities.csv when status is facility)"
        )
    facilities = load_facilities().set_index("facility_id")
    out = df.copy()
    out["facility_id"] = pd.Series([hit["facility_id"] for hit in matches], index=df.index, dtype="str")
    out["status"] = pd.Series([hit["status"] for hit in matches], index=df.index, dtype="str")
    for name in ("operator_type", "county_fips", "sheriff_county_fips"):
        out[name] = out["facility_id"].map(facilities[name]).astype("str")
    return out
