"""Writes data/reference/national_detention_facilities.csv: county and operator of every detention facility code
in the UWCHR national headcount (`python -m ma_ice_coop.tables.loaders.national.facility_placement`).

One row per code. County (`method`): Massachusetts codes from the project's MA crosswalk (`ma_crosswalk`); else
the UWCHR facility list's county + state via us_counties (`uwchr_county`); else the Vera list's city + state via
the zipcodes gazetteer, taking the county that holds a clear majority (> 1/2) of the city's zip codes
(`gazetteer`); else `unplaced` (county_fips empty, kept). Operator (`operator_basis`): RULES below on the UWCHR /
Vera facility type and the name. Rows a person reviewed (`method` or `operator_basis` = `hand`) are kept as they
are in the committed file when it is rewritten; their note says why.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ma_ice_coop import config
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.facilities import map_facilities
from ma_ice_coop.tables.loaders.ice_detention import (
    ALIAS_SOURCE,
    FACILITIES_ID,
    HEADCOUNT_ID,
    VERA_ID,
    ma_facility_codes,
    read_uwchr_facilities,
    read_vera_facility_codes,
)
from ma_ice_coop.tables.loaders.national.common import state_abbr_of
from ma_ice_coop.tables.us_counties import county_fips_for

CROSSWALK_FILE = "national_detention_facilities.csv"
CROSSWALK_COLUMNS = [
    "facility_code",
    "facility_name",
    "city",
    "state_abbr",
    "county_fips",
    "operator_type",
    "facility_type",
    "facility_type_detailed",
    "method",
    "operator_basis",
    "note",
]
METHODS = ("ma_crosswalk", "uwchr_county", "gazetteer", "hand", "unplaced")
TERRITORIES = {"PR": "Puerto Rico", "GU": "Guam", "VI": "the US Virgin Islands", "MP": "the Northern Mariana Islands"}
OPERATOR_TYPES = ("sheriff", "state_doc", "federal", "ice", "police", "court", "state_police", "other", "unknown")

# (rule name, operator, facility types it applies to (UWCHR type_detailed, else Vera type_detailed; None = any),
#  name pattern (None = any)). The first rule that matches a code decides; none matching -> unknown.
_COUNTY_JAIL = (
    r"\b(COUNTY|CNTY|CO\.?|PARISH|SHERIFF'?S?)\b.*\b(JAIL|DET|DETENTION|CORR|CORRECTION|CORRECTIONS|CORRECTIONAL"
    r"|JUSTICE|PRISON|ADULT|HOC|HOUSE OF CORRECTION|SHERIFF|PUBLIC SAFETY|SECURITY)"
)
RULES = [
    ("ice-owned service processing centre (type SPC)", "ice", {"SPC"}, None),
    ("contract detention facility (type CDF / USMS CDF)", "ice", {"CDF", "USMS CDF"}, None),
    ("dedicated IGSA, a facility used only by ICE (type DIGSA)", "ice", {"DIGSA"}, None),
    (
        "ICE hold room, staging or transport site",
        "ice",
        {"HOLD", "STAGING", "TRANSPORT", "FAMILY STAGING", "TAP-ICE"},
        None,
    ),
    ("family residential centre used only by ICE (type FAMILY)", "ice", {"FAMILY"}, None),
    ("Bureau of Prisons facility (type BOP)", "federal", {"BOP"}, None),
    ("CBP port of entry, Border Patrol station or airport", "federal", {"POE", "BPS", "AIRPORT"}, None),
    ("hospital or medical facility", "other", {"HOSPITAL", "HEALTH", "MEDICAL"}, None),
    ("juvenile facility", "other", {"JUVENILE"}, None),
    ("hotel (as the MA crosswalk: other)", "other", {"HOTEL"}, None),
    (
        "name names a private prison company (CCA, GEO, CoreCivic, MTC, ICA)",
        "ice",
        None,
        r"\b(CCA|GEO|CORECIVIC|MTC|IMMIGRATION CENTERS OF AMERICA|ICA)\b",
    ),
    (
        "name says hotel / motel (as the MA crosswalk: other)",
        "other",
        None,
        r"\b(HOTEL|MOTEL|SUITES|INN|BEST WESTERN|RED ROOF|ECONOLODGE)\b",
    ),
    ("name says hospital / medical", "other", None, r"\b(HOSPITAL|HOSP|MEDICAL|MED CTR|HEALTH)\b"),
    ("name says juvenile / youth", "other", None, r"\b(JUVENILE|JUV|YOUTH)\b"),
    ("name says hold room / staging / ICE office", "ice", None, r"\b(HOLD|HOLDROOM|STAGING|ICE ERO|ERO)\b"),
    ("name says ICE processing centre", "ice", None, r"\b(ICE|PROCESSING CENTER|PROCESSING CTR|IPC)\b"),
    (
        "name says federal (FCI / FDC / USP / federal)",
        "federal",
        None,
        r"\b(FCI|FDC|USP|MDC|FEDERAL|BOP|USMS|US MARSHALS)\b",
    ),
    (
        "name says regional jail: several counties or cities",
        "other",
        None,
        r"\bREGIONAL (JAIL|DET|DETENTION|ADULT|CORR)",
    ),
    (
        "name says city / municipal jail or police",
        "police",
        None,
        r"\b(CITY JAIL|CITY DET|CITY DETENTION|MUNICIPAL|POLICE|PD|CITY CORR|CITY OF)\b",
    ),
    (
        "name says county department of corrections: a county jail run by a county agency other than the sheriff",
        "sheriff",
        None,
        r"\b(COUNTY|CO\.?|CNTY)\b.*\b(DEPARTMENT|DEPT\.?) OF CORR",
    ),
    (
        "name says state prison / department of corrections",
        "state_doc",
        None,
        r"\b(STATE PRISON|STATE PEN|DEPT\.? OF CORR|DEPARTMENT OF CORRECTION|STATE CORR|DOC\b|STATE HOSPITAL)",
    ),
    ("name says county jail / sheriff", "sheriff", None, _COUNTY_JAIL),
    ("name says correctional institution (no county in the name)", "state_doc", None, r"\bCORR(ECTIONAL)? INST"),
    (
        "name names a county or parish (IGSA / IGA read as that county's jail)",
        "sheriff",
        {"IGSA", "USMS IGA"},
        r"\b(COUNTY|PARISH)\b",
    ),
]


def _city_key(city: str) -> str:
    """Letters only, upper case, ST / FT written out: 'Ft. Wayne' and 'FORT WAYNE' meet."""
    text = re.sub(r"\bST\b\.?", "SAINT", str(city).upper())
    text = re.sub(r"\bFT\b\.?", "FORT", text)
    return re.sub(r"[^A-Z]", "", text)


@lru_cache(maxsize=1)
def _zip_index() -> tuple[dict, dict]:
    """(state, city key) -> counties of its zip codes; (state, zip) -> county. From the zipcodes package."""
    import zipcodes  # lazy: the gazetteer is only needed when the crosswalk is rewritten

    by_city: dict[tuple[str, str], list[str]] = {}
    by_zip: dict[tuple[str, str], str] = {}
    for z in zipcodes.list_all():
        by_city.setdefault((z["state"], _city_key(z["city"])), []).append(z["county"])
        by_zip[(z["state"], z["zip_code"])] = z["county"]
    return by_city, by_zip


def gazetteer_county(city: str, state_abbr: str) -> tuple[str | None, str]:
    """(county_fips, how) of a city via zipcodes: the county holding > 1/2 of the city's zip codes."""
    names = _zip_index()[0].get((state_abbr, _city_key(city)), [])
    counties = Counter(county_fips_for(state_abbr, name) or f"? {name}" for name in names)
    if not counties:
        return None, f"no zip code of {city!r}, {state_abbr} in the gazetteer"
    fips, count = counties.most_common(1)[0]
    total = sum(counties.values())
    if count * 2 <= total or fips.startswith("?"):
        return None, f"{city!r}, {state_abbr}: zip codes in {dict(counties)}, no clear majority county"
    share = "" if count == total else f" ({count} of {total} zip codes)"
    return fips, f"gazetteer: {str(city).title()}, {state_abbr} -> county {fips}{share}"


def zip_county(zip_code: str, state_abbr: str) -> str | None:
    """County FIPS of a 5-digit zip code (zipcodes), None when unknown."""
    county = _zip_index()[1].get((state_abbr, str(zip_code).strip()[:5]))
    return county_fips_for(state_abbr, county) if county else None


VERA_DEDICATED = {"DIGSA", "CDF", "USMS CDF", "USMS CDF / USMS IGA"}


def classify_operator(facility_type: str, name: str, vera_type: str = "") -> tuple[str, str]:
    """(operator_type, rule) from the facility type (UPPER), name and Vera's type; ('unknown', ...) when no rule
    matches. A UWCHR IGSA / USMS IGA that Vera types as dedicated or contract (DIGSA, CDF) counts as ice."""
    name = str(name).upper()
    if facility_type.upper() in {"IGSA", "USMS IGA", "OTHER", ""} and vera_type.upper() in VERA_DEDICATED:
        return (
            "ice",
            f"rule: UWCHR type {facility_type or 'none'} but Vera type {vera_type}: used only by ICE / contract",
        )
    for rule, operator, types, pattern in RULES:
        if types is not None and facility_type.upper() not in types:
            continue
        if pattern is not None and not re.search(pattern, name):
            continue
        return operator, f"rule: {rule}"
    return "unknown", "rule: none matched (type and name say nothing about the operator)"


def code_table() -> pd.DataFrame:
    """One row per headcount code: facility_code, person_days, facility_name, city, state, county, zip, types."""
    heads = pd.read_csv(
        input_path(HEADCOUNT_ID),
        sep="|",
        usecols=["detention_facility_code", "n"],
        dtype={"detention_facility_code": "str", "n": "int64"},
    )
    days = heads.groupby("detention_facility_code")["n"].sum().rename("person_days")
    uwchr = read_uwchr_facilities(input_path(FACILITIES_ID)).drop_duplicates("detloc").set_index("detloc")
    vera = read_vera_facility_codes(input_path(VERA_ID)).drop_duplicates("detention_facility_code")
    vera = vera.set_index("detention_facility_code")
    codes = days.index
    out = pd.DataFrame({"facility_code": codes, "person_days": days.to_numpy()})
    for column, frame, field in [
        ("uwchr_name", uwchr, "name"),
        ("vera_name", vera, "detention_facility_name"),
        ("uwchr_city", uwchr, "city"),
        ("vera_city", vera, "city"),
        ("uwchr_state", uwchr, "state"),
        ("vera_state", vera, "state"),
        ("uwchr_county", uwchr, "county"),
        ("zip", uwchr, "zip"),
        ("facility_type", uwchr, "type"),
        ("uwchr_type_detailed", uwchr, "type_detailed"),
        ("vera_type_detailed", vera, "type_detailed"),
    ]:
        out[column] = codes.map(frame[field]).fillna("").str.strip().replace("NA", "").to_numpy()
    out["facility_name"] = out["uwchr_name"].where(out["uwchr_name"] != "", out["vera_name"])
    out["city"] = out["uwchr_city"].where(out["uwchr_city"] != "", out["vera_city"])
    out["state_abbr"] = out["uwchr_state"].where(out["uwchr_state"] != "", out["vera_state"])
    out["facility_type_detailed"] = out["uwchr_type_detailed"].where(
        out["uwchr_type_detailed"] != "", out["vera_type_detailed"]
    )
    return out.sort_values("person_days", ascending=False, ignore_index=True)


def place_code(row: dict) -> tuple[str | None, str, str]:
    """(county_fips, method, note) of a non-MA code by the rules of the module docstring."""
    state = state_abbr_of(row["state_abbr"]) if row["state_abbr"] else None
    if row["state_abbr"] in TERRITORIES:
        return None, "unplaced", f"in {TERRITORIES[row['state_abbr']]}, outside the 3,142 counties of us_counties"
    if state is None:
        return None, "unplaced", f"no state in the UWCHR or Vera list (state {row['state_abbr']!r})"
    notes = []
    if row["uwchr_county"]:
        fips = county_fips_for(state, row["uwchr_county"])
        by_zip = zip_county(row["zip"], state) if row["zip"] else None
        if fips and by_zip and by_zip != fips:
            notes.append(f"check: zip {row['zip']} is in county {by_zip}, UWCHR county {row['uwchr_county']!r}")
        if fips:
            return fips, "uwchr_county", "; ".join(notes)
        notes.append(f"UWCHR county {row['uwchr_county']!r} is not a county of {state}")
    if row["city"]:
        fips, how = gazetteer_county(row["city"], state)
        if fips:
            return fips, "gazetteer", "; ".join([*notes, how])
        notes.append(how)
    return None, "unplaced", "; ".join(notes) or "no county or city in the facility lists"


def ma_rows(codes: pd.DataFrame) -> pd.DataFrame:
    """County and operator of the Massachusetts codes from the MA crosswalk (the MA table's attributes)."""
    mapped = map_facilities(
        codes[["facility_code", "facility_name"]], ALIAS_SOURCE, name_col="facility_name", code_col="facility_code"
    )
    return mapped.set_index("facility_code")[["facility_id", "county_fips", "operator_type"]]


def build_crosswalk(existing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The crosswalk: rule rows for every code, MA rows from the MA crosswalk, hand rows of `existing` kept."""
    codes = code_table()
    uwchr = read_uwchr_facilities(input_path(FACILITIES_ID))
    ma = ma_rows(
        codes[codes["facility_code"].isin(ma_facility_codes(uwchr, read_vera_facility_codes(input_path(VERA_ID))))]
    )
    records = []
    for row in codes.to_dict("records"):
        kind = row["facility_type_detailed"] or row["vera_type_detailed"]
        operator, basis = classify_operator(kind, row["facility_name"], row["vera_type_detailed"])
        if row["facility_code"] in ma.index:
            hit = ma.loc[row["facility_code"]]
            fips, method, note = hit["county_fips"], "ma_crosswalk", f"MA crosswalk facility_id {hit['facility_id']}"
            operator, basis = hit["operator_type"], "ma_crosswalk"
        else:
            fips, method, note = place_code(row)
        records.append(
            {
                **row,
                "county_fips": fips or "",
                "method": method,
                "operator_type": operator,
                "operator_basis": basis,
                "note": note,
            }
        )
    out = pd.DataFrame(records)[CROSSWALK_COLUMNS]
    if existing is not None and len(existing):
        hand = existing[existing["method"].eq("hand") | existing["operator_basis"].eq("hand")]
        hand = hand[hand["facility_code"].isin(out["facility_code"])].set_index("facility_code")
        keep = out["facility_code"].isin(hand.index)
        out = pd.concat([out[~keep], hand.reset_index()[CROSSWALK_COLUMNS]], ignore_index=True)
    order = codes.reset_index()[["facility_code", "index"]].set_index("facility_code")["index"]
    return out.assign(_order=out["facility_code"].map(order)).sort_values("_order").drop(columns="_order")


def crosswalk_path() -> Path:
    return config.reference_dir() / CROSSWALK_FILE


def write_crosswalk(path: Path | None = None) -> pd.DataFrame:
    """Rewrite the crosswalk CSV (rows sorted by detention days, most first), keeping hand rows."""
    path = path or crosswalk_path()
    existing = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None
    out = build_crosswalk(existing)
    out.to_csv(path, index=False)
    return out


if __name__ == "__main__":
    written = write_crosswalk()
    print(f"{crosswalk_path()}: {len(written)} codes; methods {written['method'].value_counts().to_dict()}")
