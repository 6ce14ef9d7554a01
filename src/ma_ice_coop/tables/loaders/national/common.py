"""Pieces shared by the national loaders: the set of US county FIPS, county names and a lazy FIPS check."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.tables.us_counties import state_abbreviations, us_counties

US_COUNTIES_SOURCE = "ma_ice_coop.tables.us_counties (OpenIntro county_complete names and FIPS)"


@lru_cache(maxsize=1)
def national_fips() -> frozenset[str]:
    """The 3,142 five-digit county FIPS of us_counties()."""
    return frozenset(us_counties()["county_fips"])


def in_us_counties() -> pa.Check:
    """A pandera check: every non-null value is a county FIPS of us_counties() (read when the check runs)."""
    return pa.Check(
        lambda values: values.isin(national_fips()),
        element_wise=False,
        name="in_us_counties",
        error="county_fips not among the 3,142 counties of ma_ice_coop.tables.us_counties",
    )


def short_county_name(census_name: str) -> str:
    """Census county name without a trailing ' County' ('Barnstable County' -> 'Barnstable'; 'Richmond city' and
    'Orleans Parish' are kept whole)."""
    name = str(census_name)
    return name[: -len(" County")] if name.endswith(" County") else name


@lru_cache(maxsize=1)
def county_attributes() -> pd.DataFrame:
    """county_fips -> county (short name), state_abbr, for the 3,142 counties."""
    counties = us_counties()
    return pd.DataFrame(
        {
            "county": counties["county_name"].map(short_county_name).to_numpy(),
            "state_abbr": counties["state_abbr"].to_numpy(),
        },
        index=pd.Index(counties["county_fips"], name="county_fips"),
    )


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    return state_abbreviations()


def state_abbr_of(state) -> str | None:
    """Two-letter abbreviation of a state name (any case) or abbreviation; None when unknown."""
    text = str(state).strip().upper()
    if len(text) == 2:
        return text if text in _abbreviations().values() else None
    return _abbreviations().get(text)
