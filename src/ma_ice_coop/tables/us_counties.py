"""Every US county (and county-equivalent) with its FIPS code, state name and abbreviation.

Built from real files, never typed in: county names and FIPS from OpenIntro usdata `county_complete`
(Census names, 3,142 counties, 50 states + DC); state abbreviations from the tonmcg 2016 county results,
joined on the two-digit state FIPS. Name lookups normalise the ways facility strings write a county
("CTY", "CO.", "ST.", "PARISH", "COUNTY") so that "TRAVIS CTY" and "Travis County" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path

COUNTIES_FILE = "openintro_county_complete"
ABBREVIATIONS_FILE = "tonmcg_pres_2016"
# Words a county-equivalent's Census name ends with; dropped to form the lookup key.
COUNTY_WORDS = ("COUNTY", "PARISH", "BOROUGH", "CENSUS AREA", "MUNICIPALITY", "CITY AND BOROUGH")
_ABBREVIATED = {
    r"\bCTY\b": "COUNTY",
    r"\bCNTY\b": "COUNTY",
    r"\bCO\b\.?": "COUNTY",
    r"\bST\b\.?": "SAINT",
    r"\bSTE\b": "SAINTE",
}


def name_key(name: str) -> str:
    """Lookup key of a county name: upper case, abbreviations written out, the trailing county word dropped.

    'St. Louis County' -> 'SAINT LOUIS'; 'Richmond city' -> 'RICHMOND CITY' (Virginia's independent cities keep
    'CITY', so Richmond city and Richmond County stay apart).
    """
    text = re.sub(r"[.'’]", " ", str(name).upper())
    text = text.replace("-", " ")
    for pattern, full in _ABBREVIATED.items():
        text = re.sub(pattern, full, text)
    text = re.sub(r"\s+", " ", text).strip()
    for word in COUNTY_WORDS:
        if text.endswith(" " + word):
            return text[: -len(word) - 1].strip()
    return text


@lru_cache(maxsize=1)
def us_counties() -> pd.DataFrame:
    """county_fips (5 digits), county_name (Census), state_name (upper case), state_abbr, name_key."""
    from ma_ice_coop.tables.loaders.covariates.common import read_rda_table  # lazy: pyreadr only when needed

    raw = read_rda_table(input_path(COUNTIES_FILE), COUNTIES_FILE, "county_complete", ["fips", "state", "name"])
    counties = pd.DataFrame(
        {
            "county_fips": raw["fips"].astype(int).map("{:05d}".format),
            "county_name": raw["name"].astype(str),
            "state_name": raw["state"].astype(str).str.upper(),
        }
    )
    abbr = pd.read_csv(input_path(ABBREVIATIONS_FILE), dtype=str, usecols=["state_abbr", "combined_fips"])
    abbr["state_fips"] = abbr["combined_fips"].str.zfill(5).str[:2]
    by_state = abbr.drop_duplicates("state_fips").set_index("state_fips")["state_abbr"]
    counties["state_abbr"] = counties["county_fips"].str[:2].map(by_state)
    if counties["state_abbr"].isna().any():
        missing = sorted(counties.loc[counties["state_abbr"].isna(), "state_name"].unique())
        raise SchemaError(f"no state abbreviation in {ABBREVIATIONS_FILE} for {missing}")
    counties["name_key"] = counties["county_name"].map(name_key)
    return counties.sort_values("county_fips", ignore_index=True)


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, str], str]:
    counties = us_counties()
    return dict(
        zip(zip(counties["state_abbr"], counties["name_key"], strict=True), counties["county_fips"], strict=True)
    )


@lru_cache(maxsize=1)
def state_abbreviations() -> dict[str, str]:
    """Upper-case state name -> two-letter abbreviation (51: the states and DC)."""
    counties = us_counties()
    return dict(zip(counties["state_name"], counties["state_abbr"], strict=False))


def county_fips_for(state: str, county_name: str) -> str | None:
    """FIPS of a county given its state (name or abbreviation) and its name as written; None when unknown."""
    state = str(state).strip().upper()
    abbr = state if len(state) == 2 else state_abbreviations().get(state)
    if abbr is None:
        return None
    return _index().get((abbr, name_key(county_name)))
