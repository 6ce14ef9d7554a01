"""The national facility crosswalk: every FY2015 detainer facility string x state -> county and operator type.

One committed table, `data/reference/national_facilities.csv`, one row per (facility_state, facility_name,
facility_city) of the NPR FY2015 detainers (ICE ERO LESA, FOIA 15-87693; 79,053 detainers), missing parts
written as ''. Each row gives the county where the facility is (`county_fips`, blank when it cannot be
placed), who runs it (`operator_type`, see OPERATOR_TYPES) and how both were found (`method`, see METHODS).

Rows are drafted by rules (`draft_crosswalk`): keyword rules on the facility string classify the operator; the
county named in the string places it, else the city through the `zipcodes` gazetteer (3.0.0, MIT). Massachusetts
rows are copied from the hand-built Massachusetts crosswalk (`tables.facilities`). A reviewer then corrects or
confirms rows by hand (method `hand`, with the reason in the note); `update_crosswalk` redrafts every other row
and keeps hand rows as they are. Nothing is dropped: unplaced and unclassified strings stay, counted.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ma_ice_coop import config
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.facilities import map_facilities
from ma_ice_coop.tables.us_counties import county_fips_for, state_abbreviations, us_counties

OPERATOR_TYPES = (
    "sheriff",  # sheriff's office or county jail / county department of corrections
    "state_doc",  # state prison or state department of corrections
    "federal",  # Bureau of Prisons (own or contract prisons), US Marshals, other federal agencies
    "ice",  # ICE service processing centre, contract or private detention centre used mainly by ICE, ICE offices
    "police",  # city/town (or county) police department, city jail
    "court",  # a court or magistrate
    "state_police",  # state police, highway patrol, state department of public safety
    "other",  # known but none of the above (juvenile, hospital, ...)
    "unknown",  # cannot be classified from the string (e.g. 'OTHER-OTHER FACILITY')
)
METHODS = (
    "rule",  # county read from the county named in the string (operator from the keyword rules)
    "gazetteer",  # county from the facility city and state through the zipcodes gazetteer
    "ma_crosswalk",  # Massachusetts: county and operator copied from data/reference/facility_aliases.csv
    "hand",  # set by a reviewer; the note says why (source URL or 'not checked against a source')
    "unplaced",  # no county could be given by the rules (operator may still be classified)
)
KEY = ["facility_state", "facility_name", "facility_city"]
COLUMNS = [*KEY, "fy2015_detainers", "county_fips", "operator_type", "method", "note"]
MA_STATE = "MASSACHUSETTS"
MA_SOURCE = "npr_fy2015_detainers"
_DRAFT_COMMAND = "python -m ma_ice_coop.tables.loaders.national.facility_strings"
# A city whose zip codes lie in several counties is placed in the one holding at least this share of them.
MAJORITY_SHARE = 2 / 3
# States whose jails are run by the state (unified correctional systems): a jail there is state_doc.
UNIFIED_STATES = ("ALASKA", "CONNECTICUT", "DELAWARE", "HAWAII", "RHODE ISLAND", "VERMONT")
_COUNTY_WORD = r"(?:COUNTY|COUNTYY|CTY|CNTY|CO|PARISH)"
# City or county name spellings in the strings -> the gazetteer's spelling (whole words).
_PLACE_WORDS = {"FT": "FORT", "MT": "MOUNT", "ST": "SAINT", "STE": "SAINTE", "PT": "PORT", "N": "NORTH", "S": "SOUTH"}
_COUNTY_ALIASES = {("FLORIDA", "DADE"): "MIAMI DADE", ("MARYLAND", "BALT CITY"): "BALTIMORE CITY"}
# New York City boroughs written as the city: the borough's county (the gazetteer names neighbourhoods instead).
_BOROUGH_COUNTIES = {"MANHATTAN": "New York", "QUEENS": "Queens", "STATEN ISLAND": "Richmond"}

# Ordered keyword rules on the normalised string: (label, pattern, operator type, states or None for all).
# Order matters: US Marshals before any city name, police before 'COUNTY', strong state markers before the
# county rule, weak ones ('CORRECTIONAL INSTITUTION', 'UNIT') after it.
_RULES: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("US Marshals", r"\bU ?S MARSHALL?S?\b|\bUSMS\b|\bMARSHALS\b|\bMARSHAL S\b|UNITED STATES MARSHAL", "federal", None),
    ("BOP contract prison 'CI <name>'", r"^CI\b|\bBSCC\b", "federal", None),
    (
        "BOP / federal prison",
        r"\bFCI\b|\bUSP\b|\bFDC\b|\bMDC\b|\bMCC\b|\bFMC\b|\bFCC\b|\bFPC\b|\bBOP\b|\bFED(ERAL)?\b(?! WAY)|\bMET DET",
        "federal",
        None,
    ),
    ("other federal agency", r"\bCBP\b|BORDER PATROL|\bFBI\b|\bDEA\b|\bATF\b", "federal", None),
    (
        "ICE facility or office",
        r"\bSPC\b|\bCDF\b|PROCESSING (CENTER|CTR)|\bICE\b|\bERO\b|\bDRO\b|\bINS\b|HOLD ?ROOM|\bHOLD$|IMMIGRATION|"
        r"DEPORTATION|CUST(ODY)? CASE|\bDIST OFFICE|SUB OFFICE|FIELD OFFICE|CONTRACT DET",
        "ice",
        None,
    ),
    ("juvenile / hospital", r"JUVENILE|\bJUV\b|HOSPITAL|\bHOSP\b|MENTAL|PSYCH|\bYOUTH\b", "other", None),
    ("court", r"\bCOURTS?\b|\bMAGISTRATE\b|COURTHOUSE", "court", None),
    (
        "state police",
        r"HIGHWAY PATROL|HWY PATROL|STATE POLICE|STATE PATROL|TROOPER|^(TEXAS |TX |ARIZONA |AZ )?DPS\b",
        "state_police",
        None,
    ),
    ("Virginia city jail (city sheriff)", r"\bCITY JAIL\b|\bCITY SHERIFF", "sheriff", ("VIRGINIA",)),
    (
        "police",
        r"\bPOLICE\b|\bPD\b|\bP D\b|\bPOL DEPT\b|\bCITY JAIL\b|\bCITY OF\b|MUNICIPAL|\bPRECINCT\b|CENTRAL BOOKING|"
        r"PUBLIC SAFETY|\bDPS\b",
        "police",
        None,
    ),
    (
        "state prison / state DOC",
        r"STATE PRISON|STATE PRIS\b|STATE PEN|\bSTATE JAIL\b|STATE P$|\bASPC\b|\bSCI\b|\bTDCJ?\b|TEXAS D ?C ?J|"
        r"TEXAS DOC|PENITENTIARY|\bPEN\b|RECEPT|\bA ?& ?R\b|\bCSP\b|MEN COLONY|VOCATIONAL INSTITUT|"
        r"TRANSFER (FACILITY|UNIT)|STATE CORR|\bST PRISON|\bMCI\b|\bACI\b|DIAGNOSTIC|CLASSIF|\bREC (CTR|CENTER)",
        "state_doc",
        None,
    ),
    (
        "California state prison (CDCR acronym)",
        r"\bCCI\b|\bCIM\b|\bCIW\b|\bCMC\b|\bCMF\b|\bCRC\b|\bCTF\b|\bSATF\b|\bPVSP\b|\bKVSP\b|\bNKSP\b|\bHDSP\b|"
        r"\bSVSP\b|\bCCWF\b|\bVSP\b|\bCVSP\b|\bISP\b|\bCALIF INST|\bCALIFORNIA INST|WOMEN S FACIL",
        "state_doc",
        ("CALIFORNIA",),
    ),
    (
        "Georgia county correctional institution (county-run prison for state inmates)",
        rf"\b{_COUNTY_WORD} (CORRECTIONAL INST|CORR INST|CI\b|PRISON|PRIS\b)",
        "state_doc",
        ("GEORGIA",),
    ),
    (
        "unified state system (the state DOC runs the jails)",
        r"JAIL|CORR|DET|PRIS|PRETRIAL|\bCC\b|\bCI\b|INSTITUTION|FACILITY|CENTER|\bCTR\b",
        "state_doc",
        UNIFIED_STATES,
    ),
    ("sheriff", r"SHERIFF|\bS O\b|\bSO\b|\bSHERIF|\b[A-Z]{1,3}CSO\b", "sheriff", None),
    (
        "county (jail) named in the string",
        rf"\b(COUNTYY?|CTY|CNTY|PARISH)\b|\b{_COUNTY_WORD} (JAIL|DET|CORR)",
        "sheriff",
        None,
    ),
    ("state DOC", r"DEPT OF CORR|DEPARTMENT OF CORR|\bDOC\b|\bD O C\b|DEPT CORR|DEPT OF CORRECTIO", "state_doc", None),
    ("jail", r"\bJAIL\b|ADULT DET|\bADC\b|HOUSE OF CORR|\bHOC\b|JUSTICE CENTER|STOCKADE", "sheriff", None),
    (
        "correctional institution / unit",
        r"CORRECTIONAL INST|CORR INST|\bCI\b|\bC ?F\b|\bCORR? FAC\b",
        "state_doc",
        None,
    ),
    ("Texas prison unit (TDCJ)", r"\bUNIT\b", "state_doc", ("TEXAS",)),
    ("New York state correctional facility", r"CORRECTIONAL|\bCORR\b", "state_doc", ("NEW YORK",)),
)


@lru_cache(maxsize=1)
def _state_abbr() -> dict[str, str]:
    """Upper-case state name -> abbreviation, read once (us_counties.state_abbreviations rebuilds it per call)."""
    return state_abbreviations()


@lru_cache(maxsize=None)
def _county_fips(state: str, county_name: str) -> str | None:
    """county_fips_for with the state given as its abbreviation (fast path), cached per (state, name)."""
    abbr = state if len(state) == 2 else _state_abbr().get(state.upper())
    return county_fips_for(abbr, county_name) if abbr else None


def normalise_name(name) -> str:
    """Upper case; dotted acronyms joined ('F.C.I.' -> 'FCI'); punctuation to spaces; single spaces."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    text = str(name).upper()
    text = re.sub(r"\b([A-Z])\.(?=[A-Z]\.)", r"\1", text)
    text = re.sub(r"\b([A-Z])\.([A-Z])\.", r"\1\2 ", text)
    text = re.sub(r"[^A-Z0-9&]+", " ", text)
    return " ".join(text.split())


def _rule_for(name: str, state: str = "") -> tuple[str, str] | None:
    """(operator type, rule label) of the first rule matching the string, None when no rule applies."""
    text = normalise_name(name)
    state = str(state or "").upper()
    for label, pattern, operator, states in _RULES:
        if states is not None and state not in states:
            continue
        if re.search(pattern, text):
            return operator, label
    return (
        ("sheriff", "only a county is named in the string: read as its county jail")
        if county_from_name(name, state)
        else None
    )


def classify_operator(name: str, state: str = "") -> str | None:
    """Operator type of a facility string by keyword rules (state-specific rules need `state`); None if none."""
    hit = _rule_for(name, state)
    return hit[0] if hit else None


def _place_words(text: str) -> str:
    return " ".join(_PLACE_WORDS.get(word, word) for word in text.split())


def _county_candidates(segment: str) -> list[str]:
    """Names that may be the county in one segment of a string, longest first ('X COUNTY', 'COUNTY OF X')."""
    candidates = []
    for match in re.finditer(rf"\b{_COUNTY_WORD}\b", segment):
        before = segment[: match.start()].split()
        candidates += [" ".join(before[-n:]) for n in range(min(4, len(before)), 0, -1)]
        after = segment[match.end() :].split()
        if after[:1] == ["OF"] and len(after) > 1:
            candidates += [" ".join(after[1 : 1 + n]) for n in range(min(3, len(after) - 1), 0, -1)]
    for match in re.finditer(r"\bCITY\b", segment):  # Virginia's independent cities, Baltimore, Carson City
        before = segment[: match.start()].split()
        candidates += [" ".join([*before[-n:], "CITY"]) for n in range(min(3, len(before)), 0, -1)]
    return candidates


def county_from_name(name, state) -> str | None:
    """FIPS of the county named in the string ('HARRIS COUNTY JAIL', 'TRAVIS CTY JAIL') within `state`, else None.

    The string is cut at punctuation first, so 'INDIO JAIL - RIVERSIDE COUNTY' reads 'RIVERSIDE COUNTY' and 'EL
    PASO COUNTY JAIL (CO)' does not read '(CO)' as a county; the longest run of words before the county word that
    is a county of the state wins ('SALT LAKE', not 'LAKE'). The state decides ('ORANGE COUNTY' in CA or FL).
    """
    state = str(state or "").upper()
    if not state or _state_abbr().get(state) is None:
        return None
    text = str(name or "").upper().replace("'", "")
    for segment in re.split(r"[,/()]|-| - ", text):
        for candidate in _county_candidates(normalise_name(segment)):
            for spelling in (_COUNTY_ALIASES.get((state, candidate), candidate), _place_words(candidate)):
                fips = _county_fips(state, spelling)
                if fips:
                    return fips
    return None


@lru_cache(maxsize=1)
def _zip_index() -> tuple[dict[tuple[str, str], Counter], dict[tuple[str, str], Counter]]:
    """(state abbreviation, city) -> Counter of county FIPS ('?' if not in us_counties) over its zip codes
    (zipcodes 3.0.0): by primary city, and by other acceptable city names (tried second)."""
    import zipcodes  # lazy: loads the 42,789 zip codes (about half a second) only when a city is placed

    primary: dict[tuple[str, str], Counter] = {}
    acceptable: dict[tuple[str, str], Counter] = {}
    for row in zipcodes.list_all():
        if row.get("county"):
            fips = _county_fips(row["state"], row["county"]) or "?"
            primary.setdefault((row["state"], row["city"].upper()), Counter())[fips] += 1
            for other in row.get("acceptable_cities") or []:
                acceptable.setdefault((row["state"], other.upper()), Counter())[fips] += 1
    return primary, acceptable


def _city_keys(city: str) -> list[str]:
    text = " ".join(re.sub(r"[.'’]", " ", str(city).upper()).replace("-", " ").split())
    return list(dict.fromkeys([" ".join(str(city).upper().split()), text, _place_words(text)]))


def _city_counties(city: str, abbr: str) -> tuple[Counter | None, str]:
    """Counter of counties of a city's zip codes and the city as found; 15 letters may be a cut-off prefix."""
    primary, acceptable = _zip_index()
    for index, kind in ((primary, "'"), (acceptable, "' (an acceptable city name of those zip codes)")):
        for key in _city_keys(city):
            if (abbr, key) in index:
                return index[(abbr, key)], key + kind
    if len(str(city).strip()) >= 15:
        stem = _city_keys(city)[-1]
        matches = sorted({c for (s, c) in primary if s == abbr and c.startswith(stem)})
        if len(matches) == 1:
            return primary[(abbr, matches[0])], matches[0] + "' (the city as written is cut at 15 letters)"
    return None, ""


def county_from_city(city, state) -> tuple[str | None, str]:
    """(FIPS, note) of the county of a city through the zipcodes gazetteer; (None, why) when it cannot be placed.

    A city whose zip codes lie in several counties is placed only when one county holds at least
    MAJORITY_SHARE of them (the note says so).
    """
    state = str(state or "").upper()
    abbr = _state_abbr().get(state)
    if not city or abbr is None:
        return None, "no city" if not city else f"state '{state}' has no counties in us_counties"
    borough = _BOROUGH_COUNTIES.get(" ".join(str(city).upper().split())) if abbr == "NY" else None
    if borough:
        return _county_fips("NY", borough), f"city '{city}' is the New York City borough of {borough} County"
    counts, found = _city_counties(city, abbr)
    if counts is None:
        return None, f"city '{city}' not in the zipcodes gazetteer for {abbr}"
    total = sum(counts.values())
    fips, top = counts.most_common(1)[0]
    shown = f"'{found} {abbr}: {top} of {total} zip codes in {fips}"
    if top / total < MAJORITY_SHARE or fips == "?":
        return None, f"city {shown}, others in {sorted(set(counts) - {fips})}: no clear majority"
    return fips, f"city {shown}" + ("" if top == total else " (majority)")


def _close_county(name: str, state: str, city_fips: str | None) -> str | None:
    """A county of `state` spelt nearly as the one the string names ('HENNIPEN', 'LEFLORE'), accepted only when
    the facility's city lies in that same county (so a misspelling is never the only evidence)."""
    if not city_fips:
        return None
    counties = us_counties()
    keys = counties.loc[counties["county_fips"] == city_fips, "name_key"]
    if keys.empty:
        return None
    target = keys.iloc[0].replace(" ", "")
    for candidate in _county_candidates(normalise_name(name)):
        squeezed = candidate.replace(" ", "")
        if squeezed == target or difflib.SequenceMatcher(None, squeezed, target).ratio() >= 0.85:
            return city_fips
    return None


def _place(name: str, city: str, state: str, operator: str) -> tuple[str, str, str]:
    """(county FIPS or '', method, note) for a non-Massachusetts string from its name, else its city."""
    fips = county_from_name(name, state)
    if fips:
        return fips, "rule", f"county named in the string ({fips})"
    city_fips, why = county_from_city(city, state)
    if re.search(r"\b(COUNTY|COUNTYY|CTY|CNTY|PARISH)\b", normalise_name(name)) and operator == "sheriff":
        close = _close_county(name, state, city_fips)
        if close:
            return close, "rule", f"the county named is a misspelling of {close}, where the {why}"
        return "", "unplaced", f"the string names a county that is not a county of {state or 'a blank state'}"
    if city_fips:
        return city_fips, "gazetteer", why
    return "", "unplaced", why


def _draft_row(state: str, name: str, city: str) -> dict:
    """Operator, county, method and note of one non-Massachusetts (state, name, city) by the rules."""
    hit = _rule_for(name, state)
    operator, label = hit if hit else ("unknown", "no operator rule applies")
    fips, method, why = _place(name, city, state, operator)
    note = f"operator: {label}; county: {why}"
    return {"county_fips": fips, "operator_type": operator, "method": method, "note": note}


def _ma_rows(keys: pd.DataFrame) -> pd.DataFrame:
    """County and operator of Massachusetts strings from the hand-built crosswalk (method ma_crosswalk)."""
    mapped = map_facilities(keys, MA_SOURCE, "facility_name", "facility_city")
    out = keys.copy()
    out["county_fips"] = mapped["county_fips"].replace({"nan": "", "<NA>": "", "None": ""}).fillna("")
    out["operator_type"] = mapped["operator_type"].replace({"nan": "unknown", "<NA>": "unknown"}).fillna("unknown")
    out["method"] = "ma_crosswalk"
    out["note"] = "Massachusetts crosswalk: facility_id " + mapped["facility_id"].astype("str")
    return out


def detainer_keys(detainers: pd.DataFrame) -> pd.DataFrame:
    """(state, name, city) of each detainer as text, missing parts as '' (aligned to the input index)."""
    missing = [c for c in KEY if c not in detainers.columns]
    if missing:
        raise SchemaError(f"detainers table lacks columns {missing}; expected the processed `detainers` table")
    return detainers[KEY].astype("object").where(detainers[KEY].notna(), "").astype("str")


def draft_crosswalk(detainers: pd.DataFrame) -> pd.DataFrame:
    """One rule-drafted row per (state, name, city) of `detainers`, with its FY2015 detainer count (rows)."""
    counts = detainer_keys(detainers).value_counts().rename("fy2015_detainers").reset_index()
    ma = counts["facility_state"] == MA_STATE
    drafted = pd.DataFrame(
        [_draft_row(s, n, c) for s, n, c in counts.loc[~ma, KEY].itertuples(index=False)], index=counts.index[~ma]
    )
    parts = [counts.loc[~ma].join(drafted)]
    if ma.any():
        parts.append(counts.loc[ma, ["fy2015_detainers"]].join(_ma_rows(counts.loc[ma, KEY])))
    table = pd.concat(parts)[COLUMNS]
    return _sorted(table)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by detainers (most first), then key: the order of the committed file."""
    table = table.astype({"fy2015_detainers": "int64"})
    return table.sort_values(["fy2015_detainers", *KEY], ascending=[False, True, True, True], ignore_index=True)


def crosswalk_path() -> Path:
    return config.reference_dir() / "national_facilities.csv"


def update_crosswalk(path: Path | None = None, detainers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Redraft every non-hand row from the detainers table and write the CSV; hand rows are kept as they are.

    A hand row's detainer count is refreshed (it is not a judgement); a hand row whose string is no longer in
    the detainers table is kept with 0 detainers, so a review is never lost silently.
    """
    path = Path(path) if path else crosswalk_path()
    detainers = read_processed("detainers") if detainers is None else detainers
    drafted = draft_crosswalk(detainers)
    if path.exists():
        hand = load_national_crosswalk(path)
        hand = hand[hand["method"] == "hand"].drop(columns="fy2015_detainers")
        counts = drafted.set_index(KEY)["fy2015_detainers"]
        hand["fy2015_detainers"] = [counts.get(tuple(k), 0) for k in hand[KEY].itertuples(index=False)]
        keys = set(map(tuple, hand[KEY].itertuples(index=False)))
        keep = [tuple(k) not in keys for k in drafted[KEY].itertuples(index=False)]
        drafted = _sorted(pd.concat([drafted[keep], hand[COLUMNS]]))
    drafted.to_csv(path, index=False, lineterminator="\n")
    return drafted


def crosswalk_problems(table: pd.DataFrame) -> list[str]:
    """Every rule broken by a national crosswalk table (text columns; empty list when valid)."""
    counties = us_counties()
    real = set(counties["county_fips"])
    state_fips = dict(zip(counties["state_name"], counties["county_fips"].str[:2], strict=False))
    problems = []
    for i, row in table.iterrows():
        where = f"line {i + 2} ({row['facility_state']!r}, {row['facility_name']!r}, {row['facility_city']!r})"
        fips = row["county_fips"]
        if fips and fips not in real:
            problems.append(f"{where}: county_fips '{fips}' is not a US county FIPS (5 digits; blank if unplaced)")
        elif fips and state_fips.get(row["facility_state"]) != fips[:2]:
            problems.append(f"{where}: county_fips '{fips}' is not in the row's state '{row['facility_state']}'")
        if row["operator_type"] not in OPERATOR_TYPES:
            problems.append(f"{where}: operator_type '{row['operator_type']}' not in {list(OPERATOR_TYPES)}")
        if row["method"] not in METHODS:
            problems.append(f"{where}: method '{row['method']}' not in {list(METHODS)}")
        if row["method"] == "hand" and not row["note"].strip():
            problems.append(f"{where}: a hand row needs a note saying why (what places or classifies it)")
        if not row["fy2015_detainers"].isdigit():
            problems.append(f"{where}: fy2015_detainers '{row['fy2015_detainers']}' is not a whole number")
    duplicated = table[table.duplicated(KEY, keep=False)][KEY].drop_duplicates()
    problems += [f"key {tuple(k)} appears more than once" for k in duplicated.itertuples(index=False)]
    return problems


def load_national_crosswalk(path: Path | None = None) -> pd.DataFrame:
    """data/reference/national_facilities.csv, validated (text; blanks as ''; fy2015_detainers as int64)."""
    path = Path(path) if path else crosswalk_path()
    if not path.exists():
        raise SchemaError(f"{path}: file not found; restore it from git or draft it with {_DRAFT_COMMAND}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != COLUMNS:
        raise SchemaError(f"{path}: columns are {list(table.columns)}; expected exactly {COLUMNS} (in this order)")
    problems = crosswalk_problems(table)
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
        raise SchemaError(
            f"{path}: {len(problems)} problem(s):\n  {shown}{more}\n  what to do: fix those rows by hand "
            f"(county_fips a county of the row's state or blank; operator_type one of {list(OPERATOR_TYPES)}; "
            f"method one of {list(METHODS)}; a note on every hand row), or redraft non-hand rows with "
            "python -m ma_ice_coop.tables.loaders.national.facility_strings"
        )
    table["fy2015_detainers"] = table["fy2015_detainers"].astype("int64")
    return table


def place_detainers(
    detainers: pd.DataFrame, crosswalk: pd.DataFrame | None = None, *, strict: bool = True
) -> pd.DataFrame:
    """county_fips ('' when unplaced), operator_type and placement_method of every detainer (input index).

    A (state, name, city) not in the crosswalk is an error; with `strict=False` it is left unplaced, operator
    `unknown`, method `unlisted` (the extended releases list such strings in a report)."""
    crosswalk = load_national_crosswalk() if crosswalk is None else crosswalk
    keys = detainer_keys(detainers)
    lookup = crosswalk.set_index(KEY)[["county_fips", "operator_type", "method"]]
    index = pd.MultiIndex.from_frame(keys)
    missing = index[~index.isin(lookup.index)].unique()
    if len(missing) and not strict:
        placed = lookup.reindex(index).fillna({"county_fips": "", "operator_type": "unknown", "method": "unlisted"})
        placed.index = detainers.index
        return placed.rename(columns={"method": "placement_method"})
    if len(missing):
        listing = "\n  ".join(f"state={s!r}, name={n!r}, city={c!r}" for s, n, c in list(missing)[:40])
        raise SchemaError(
            f"{len(missing)} facility string(s) are not in {crosswalk_path().name}:\n  {listing}\n  what to do: run "
            "python -m ma_ice_coop.tables.loaders.national.facility_strings to add them, then review"
        )
    placed = lookup.reindex(index)
    placed.index = detainers.index
    return placed.rename(columns={"method": "placement_method"})


def print_summary(table: pd.DataFrame) -> None:
    """The summary `python -m ma_ice_coop.tables.loaders.national.facility_strings` prints (strings, rows, shares)."""
    counts = table["fy2015_detainers"]
    rows = int(counts.sum())
    placed = int(counts[table["county_fips"] != ""].sum())
    classified = int(counts[table["operator_type"] != "unknown"].sum())
    print(f"{len(table)} facility strings, {rows} detainer rows; placed in a county: {placed} ({placed / rows:.1%})")
    print(f"classified: {classified} ({classified / rows:.1%})")
    by_method = table.groupby("method").agg(strings=("method", "size"), detainers=("fy2015_detainers", "sum"))
    by_method["share"] = (by_method["detainers"] / rows).map("{:.1%}".format)
    print(by_method.to_string())
