"""287(g) lists for every US county: one row per (sheriff's county, list), from the national lists in the mirror.

Inputs (data/sources.yaml):
- `wapo_287g_2019`: Washington Post curated flags, y2005..y2019 ('X' = participating that year), one sheet row per
  agency (201 rows: sheriffs, state agencies, police). The `wapo_287g_2018` workbook has the same flags.
- `appelson_287g_2025`: ICE's 287(g) participating-agency list scraped by E. Appelson, 17 snapshots
  2025-05-16 am .. 2025-07-03 pm, one row per agency and model, merged with CSLLEA 2018 agency types.
The national 2021-2024 snapshots are not in the mirror (only the Massachusetts rows are), so this table has no
rows for 2020-2024.

Sheriffs only: WaPo rows whose agency name is a sheriff's office (or a bare 'X County', WaPo's way of writing
some sheriffs), Appelson rows of CSLLEA type '(001) Sheriff'; plus county jails run by a county agency
(e.g. 'Osceola County Corrections Dept.') and Appelson rows with no CSLLEA type whose name says sheriff or
county corrections, each with a note. State agencies, police, regional jails and county boards are out of
scope. Several agencies of one county on one list (Bristol MA's two WaPo rows; a sheriff and a county
corrections department) make one row. County placement (column `placement`): the agency name (WaPo; cross-
checked with WaPo's FIPS column, which has errors), Appelson's county column (cross-checked with the county in
the agency name), a zip code, WaPo's FIPS column, or a hand entry (HAND_PLACEMENTS) with its reason; an agency
that cannot be placed is kept with an empty county_fips and a note.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders.national.common import (
    US_COUNTIES_SOURCE,
    county_attributes,
    in_us_counties,
    state_abbr_of,
)
from ma_ice_coop.tables.schemas import col, table_schema
from ma_ice_coop.tables.us_counties import county_fips_for

WAPO_FILE = "wapo_287g_2019"
APPELSON_FILE = "appelson_287g_2025"
WAPO_YEARS = tuple(range(2005, 2020))
WAPO_COLUMNS = ["State", "County", "ori", "FIPS", *[f"y{y}" for y in WAPO_YEARS]]
APPELSON_COLUMNS = ["date", "state", "county", "zip", "agency", "type", "agency_type"]
APPELSON_SHERIFF_TYPE = "(001) Sheriff"
SECTION_HEADER = "STATE (ALPHABETICAL)"  # WaPo's header row of its second block, 'COUNTIES THAT ENDED 287(g)'

_SHERIFF = re.compile(r"\bsh+er+i+f+", re.IGNORECASE)
_BARE_COUNTY = re.compile(r"^\s*[a-z .'’-]+ (county|parish)\s*$", re.IGNORECASE)
_COUNTY_CORRECTIONS = re.compile(
    r"(county|miami dade) (corrections|correctional facility|of corrections|criminal justice authority"
    r"|detention center)",
    re.IGNORECASE,
)
_AGENCY_SUFFIX = re.compile(
    r"\s*\b(sh+er+i+f+.*|corrections dept.*|criminal justice authority.*|corrections and rehabilitation.*"
    r"|of corrections.*|corrections.*|correctional facility.*|detention center.*)$",
    re.IGNORECASE,
)
# (source file, state as written upper-case, agency as written) -> (county_fips, why). Checked by hand.
HAND_PLACEMENTS = {
    (WAPO_FILE, "CALIFORNIA", "San Bernadino County Sheriff's Department"): (
        "06071",
        "hand: 'San Bernadino' is a misspelling of San Bernardino, the only similar county name in California "
        "(us_counties); no FIPS in the WaPo row",
    ),
    (APPELSON_FILE, "MICHIGAN", "berrian county sheriff offic"): (
        "26021",
        "hand: same agency as 'berrian county sheriff' of the same lists (zip 49085, Berrien County); 'Berrian' is "
        "a misspelling of Berrien, the only similar county name in Michigan (us_counties); this row has no zip",
    ),
    (APPELSON_FILE, "VIRGINIA", "hopewell county sheriff"): (
        "51670",
        "hand: there is no Hopewell County in Virginia; the only county-equivalent named Hopewell in us_counties is "
        "Hopewell city (51670), an independent city; no zip code or CSLLEA match in the row",
    ),
}

_SRC = "WaPo 287g_curated_2019.xlsx (wapo_287g_2019); Appelson agreements.csv (appelson_287g_2025)"
NATIONAL_AGREEMENTS_287G_SCHEMA = table_schema(
    "national_agreements_287g",
    "Sheriffs' 287(g) agreements in the national lists of the mirror: one row per (sheriff's county, list). WaPo "
    "flags 2005-2019: one row per county in the WaPo sheet and year, in_list True when flagged 'X' that year; "
    "list_date is set to Dec 31 of the year (a convention: the flag covers the calendar year, it is not a list "
    "date). ICE lists 2025 (Appelson): one row per sheriff county on each of the 17 snapshots 2025-05-16 am .. "
    "2025-07-03 pm (in_list always True). A county absent from a list's rows is not on that list. The national "
    "2021-2024 ICE lists are not in the mirror (only Massachusetts rows are): no rows for 2020-2024. Agencies "
    "whose county cannot be placed are kept with county_fips null and a note.",
    {
        "county_fips": col(
            "str",
            "5-digit FIPS of the sheriff's county; null when unplaced",
            nullable=True,
            source=US_COUNTIES_SOURCE,
            checks=in_us_counties(),
        ),
        "county": col(
            "str", "Census county name without ' County'; null when unplaced", nullable=True, source=US_COUNTIES_SOURCE
        ),
        "state_abbr": col("str", "two-letter state abbreviation", source=_SRC),
        "agency": col(
            "str", "agency name(s) as written in the list, '; '-separated when several rows make one", source=_SRC
        ),
        "source_file": col(
            "str",
            "input file id (data/sources.yaml)",
            source="data/sources.yaml",
            checks=pa.Check.isin([WAPO_FILE, APPELSON_FILE]),
        ),
        "list_id": col(
            "str", "the list: WaPo year column (y2005..y2019) or Appelson snapshot ('2025-05-19 am')", source=_SRC
        ),
        "list_date": col(
            "datetime64[us]", "snapshot day (Appelson) or Dec 31 of the flag year (WaPo)", unit="date", source=_SRC
        ),
        "year": col("int64", "calendar year of the list", unit="year", source=_SRC),
        "in_list": col("bool", "the agency is flagged (WaPo 'X') or listed (ICE) on this list", source=_SRC),
        "models": col(
            "str",
            "287(g) models on the list ('; '-separated: Jail Enforcement Model, Task Force Model, "
            "Warrant Service Officer); null for WaPo (no model given)",
            nullable=True,
            source=_SRC,
        ),
        "placement": col(
            "str",
            "how the county was found: agency_name, county_column, zip, wapo_fips, hand or unplaced",
            source=_SRC,
            checks=pa.Check.isin(["agency_name", "county_column", "zip", "wapo_fips", "hand", "unplaced"]),
        ),
        "note": col(
            "str",
            "cross-check disagreements, agencies that are not a sheriff's office, unplaced agencies ('' when none)",
            source=_SRC,
        ),
    },
    unique=["source_file", "list_id", "state_abbr", "county_fips", "agency"],
)


def _require(frame: pd.DataFrame, columns: list[str], file_id: str, path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{file_id} ({path}): missing columns {missing} (found {list(map(str, frame.columns))})\n"
            "  what to do: restore the registered file (make data) or update "
            "ma_ice_coop/tables/loaders/national/agreements_287g.py for the new layout"
        )


def agency_county_name(agency: str) -> str:
    """The county part of an agency name: 'Etowah County Sheriff's Office' -> 'Etowah County'."""
    return _AGENCY_SUFFIX.sub("", str(agency)).strip()


def agency_kind(agency: str) -> str | None:
    """'sheriff', 'county_corrections' (a county jail run by a county agency other than the sheriff) or None."""
    if _SHERIFF.search(agency) or _BARE_COUNTY.match(agency):
        return "sheriff"
    if _COUNTY_CORRECTIONS.search(agency):
        return "county_corrections"
    return None


def _zip_county(state_abbr: str, zip_code: str) -> str | None:
    import zipcodes  # lazy: only an agency with no usable county name needs the zip table

    if not re.fullmatch(r"\d{5}", str(zip_code)):
        return None
    hits = [z for z in zipcodes.matching(zip_code) if z["state"] == state_abbr]
    return county_fips_for(state_abbr, hits[0]["county"]) if hits else None


def read_wapo_agencies(path: Path | None = None) -> pd.DataFrame:
    """WaPo sheet rows as agencies: state (upper), agency, wapo_fips (5-char or ''), y2005..y2019 flags (bool).

    Blank rows and the section header are skipped; a blank State is taken from the row above (the sheet is
    sorted by state within each block) and noted."""
    path = Path(path or input_path(WAPO_FILE))
    raw = pd.read_excel(path, engine="calamine")
    _require(raw, WAPO_COLUMNS, WAPO_FILE, path)
    raw = raw[raw["County"].notna()].reset_index(drop=True)
    state = raw["State"].astype("str").str.strip().str.upper().where(raw["State"].notna())
    raw = raw[state.ne(SECTION_HEADER).to_numpy()].reset_index(drop=True)
    state = state[state.ne(SECTION_HEADER)].reset_index(drop=True)
    out = pd.DataFrame({"state": state.ffill(), "agency": raw["County"].astype("str").str.strip()})
    out["note"] = ["" if s == s else "State blank in the sheet; taken from the row above" for s in state]
    out["wapo_fips"] = [f"{int(v):05d}" if pd.notna(v) else "" for v in raw["FIPS"]]
    for year in WAPO_YEARS:
        column = raw[f"y{year}"]
        text = column.where(column.notna(), "").astype("str").str.strip().str.upper()
        bad = ~text.isin(["", "X"])
        if bad.any():
            raise SchemaError(
                f"{WAPO_FILE} ({path}): column y{year} has {sorted(set(text[bad]))}: flags are 'X' or blank"
            )
        out[f"y{year}"] = text.eq("X").to_numpy()
    return out


def place_wapo(state: str, agency: str, wapo_fips: str) -> tuple[str | None, str, str]:
    """(county_fips, placement, note) of a WaPo sheriff row: by name, else WaPo's FIPS column, else hand."""
    hand = HAND_PLACEMENTS.get((WAPO_FILE, state, agency))
    if hand:
        return hand[0], "hand", hand[1]
    abbr = state_abbr_of(state)
    by_name = county_fips_for(abbr, agency_county_name(agency)) if abbr else None
    attrs = county_attributes()
    fips_ok = wapo_fips in attrs.index and attrs.at[wapo_fips, "state_abbr"] == abbr
    if by_name:
        note = "" if not wapo_fips or wapo_fips == by_name else f"WaPo FIPS column says {wapo_fips} (placed by name)"
        return by_name, "agency_name", note
    if fips_ok:
        return wapo_fips, "wapo_fips", f"name {agency_county_name(agency)!r} not a county name; WaPo FIPS column used"
    return None, "unplaced", f"unplaced: no county named {agency_county_name(agency)!r} in {state}"


def _one_row_per_county(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of one list merged per county (unplaced agencies stay apart): agencies, models and notes joined."""
    merged: dict[tuple, dict] = {}
    for row in rows.to_dict("records"):
        place = row["county_fips"] or "unplaced: " + row["agency"]
        key = (row["source_file"], row["list_id"], row["state_abbr"], place)
        acc = merged.setdefault(key, {**row, "agency": set(), "models": set(), "note": {}, "in_list": False})
        acc["agency"].add(row["agency"])
        acc["in_list"] = acc["in_list"] or bool(row["in_list"])
        if row["models"]:
            acc["models"].add(row["models"])
        acc["note"].update(dict.fromkeys(n for n in row["note"].split("; ") if n))
    out = pd.DataFrame(list(merged.values()))
    out["agency"] = out["agency"].map(lambda names: "; ".join(sorted(names)))
    out["models"] = out["models"].map(lambda models: "; ".join(sorted(models)) if models else None)
    out["note"] = out["note"].map(lambda notes: "; ".join(notes))
    return out


def wapo_rows(path: Path | None = None) -> pd.DataFrame:
    """One row per WaPo sheriff county (or unplaced agency) and year 2005-2019."""
    agencies = read_wapo_agencies(path)
    kinds = agencies["agency"].map(agency_kind)
    agencies = agencies[kinds.notna()].assign(kind=kinds[kinds.notna()]).reset_index(drop=True)
    placed = [
        place_wapo(s, a, f)
        for s, a, f in zip(agencies["state"], agencies["agency"], agencies["wapo_fips"], strict=True)
    ]
    agencies["county_fips"] = [p[0] for p in placed]
    agencies["placement"] = [p[1] for p in placed]
    notes = [
        [n, p[2], "county jail run by a county agency other than the sheriff" if k == "county_corrections" else ""]
        for n, p, k in zip(agencies["note"], placed, agencies["kind"], strict=True)
    ]
    agencies["note"] = ["; ".join(x for x in parts if x) for parts in notes]
    agencies["state_abbr"] = agencies["state"].map(state_abbr_of)
    frames = []
    for year in WAPO_YEARS:
        frames.append(
            agencies.assign(
                source_file=WAPO_FILE,
                list_id=f"y{year}",
                year=year,
                list_date=pd.Timestamp(year, 12, 31),
                in_list=agencies[f"y{year}"],
                models=None,
            )
        )
    return _one_row_per_county(pd.concat(frames, ignore_index=True))


def place_appelson(state: str, county: str, agency: str, zip_code: str) -> tuple[str | None, str, str]:
    """(county_fips, placement, note) of an Appelson row: county column checked against the agency name."""
    hand = HAND_PLACEMENTS.get((APPELSON_FILE, state, agency))
    if hand:
        return hand[0], "hand", hand[1]
    abbr = state_abbr_of(state)
    if abbr is None:
        return None, "unplaced", f"unplaced: state {state!r} not recognised"
    by_column = county_fips_for(abbr, county) if county not in ("", "NA", "N/A") else None
    named = agency_county_name(agency)
    by_name = county_fips_for(abbr, named) if re.search(r"\bcounty$|\bparish$", named, re.IGNORECASE) else None
    if by_column and (by_name is None or by_name == by_column):
        return by_column, "county_column", ""
    if by_name:
        why = f"county column {county!r} " + ("names another county" if by_column else "is not a county name")
        return by_name, "agency_name", f"{why}; placed by the agency name"
    by_zip = _zip_county(abbr, zip_code)
    if by_zip:
        return by_zip, "zip", f"county column {county!r} not a county name; placed by zip code {zip_code}"
    return None, "unplaced", f"unplaced: county {county!r}, agency {agency!r}, zip {zip_code!r} give no county"


def read_appelson_sheriffs(path: Path | None = None) -> pd.DataFrame:
    """Appelson rows of sheriffs and county jails (see module docstring), as text, with a `kind_note`."""
    path = Path(path or input_path(APPELSON_FILE))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, APPELSON_COLUMNS, APPELSON_FILE, path)
    typed = raw["agency_type"].eq(APPELSON_SHERIFF_TYPE)
    untyped = raw["agency_type"].eq("NA") & raw["agency"].map(agency_kind).notna()
    rows = raw[typed | untyped].copy()
    rows["kind_note"] = [
        "" if t else "no CSLLEA agency type in the list; the name says " + str(agency_kind(a)).replace("_", " ")
        for t, a in zip(typed[typed | untyped], rows["agency"], strict=True)
    ]
    stamp = rows["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2} (am|pm)")
    if not stamp.all():
        raise SchemaError(
            f"{APPELSON_FILE} ({path}): dates not like '2025-05-16 am': {rows['date'][~stamp][:3].tolist()}"
        )
    return rows.reset_index(drop=True)


def appelson_rows(path: Path | None = None) -> pd.DataFrame:
    """One row per sheriff county (or unplaced agency) and 2025 snapshot."""
    rows = read_appelson_sheriffs(path)
    keys = rows[["state", "county", "agency", "zip"]].drop_duplicates()
    placed = {tuple(k): place_appelson(*k[:3], k[3]) for k in keys.itertuples(index=False)}
    hits = [placed[k] for k in zip(rows["state"], rows["county"], rows["agency"], rows["zip"], strict=True)]
    out = pd.DataFrame(
        {
            "county_fips": [h[0] for h in hits],
            "placement": [h[1] for h in hits],
            "note": ["; ".join(x for x in (h[2], k) if x) for h, k in zip(hits, rows["kind_note"], strict=True)],
            "state_abbr": rows["state"].map(state_abbr_of).to_numpy(),
            "agency": rows["agency"].to_numpy(),
            "source_file": APPELSON_FILE,
            "list_id": rows["date"].to_numpy(),
            "list_date": pd.to_datetime(rows["date"].str[:10]).to_numpy(),
            "year": rows["date"].str[:4].astype(int).to_numpy(),
            "in_list": True,
            "models": rows["type"].to_numpy(),
        }
    )
    return _one_row_per_county(out)


def load_national_agreements_287g(wapo_path: Path | None = None, appelson_path: Path | None = None) -> pd.DataFrame:
    """WaPo 2005-2019 and ICE 2025 sheriff rows, validated, sorted by source_file, list_date, list_id, county."""
    out = pd.concat([wapo_rows(wapo_path), appelson_rows(appelson_path)], ignore_index=True)
    if out["state_abbr"].isna().any():
        raise SchemaError(
            f"287(g) lists: state names not recognised: {out.loc[out['state_abbr'].isna(), 'agency'].tolist()[:5]}"
        )
    out["county"] = out["county_fips"].map(county_attributes()["county"])
    out["list_date"] = pd.to_datetime(out["list_date"]).astype("datetime64[us]")
    out = out.astype(
        {
            "year": "int64",
            "in_list": "bool",
            "state_abbr": "str",
            "agency": "str",
            "source_file": "str",
            "list_id": "str",
            "placement": "str",
            "note": "str",
        }
    )
    for column in ("county_fips", "county", "models"):
        out[column] = out[column].astype("str").where(out[column].notna())
    out = out[list(NATIONAL_AGREEMENTS_287G_SCHEMA.columns)]
    out = out.sort_values(
        ["source_file", "list_date", "list_id", "county_fips", "agency"], ignore_index=True, na_position="last"
    )
    return NATIONAL_AGREEMENTS_287G_SCHEMA.validate(out)
