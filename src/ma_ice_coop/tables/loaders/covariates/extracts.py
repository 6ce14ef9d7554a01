"""Massachusetts subsets of the national covariate sources (`derive_*_ma`), each compared with the
mirror extract in the tests."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders.covariates.common import (
    MA_STATE_NAME,
    TONMCG_2008_2016_COLUMNS,
    TONMCG_2012_2016_COLUMNS,
    TONMCG_2016_COLUMNS,
    TONMCG_2020_2024_COLUMNS,
    _ma_rows,
    fips5,
    read_rda_table,
    read_text_csv,
    require_all_counties,
    require_columns,
    to_number,
)

ELECTION_CONTEXT_COLUMNS = [
    "state",
    "county",
    "fips",
    "trump16",
    "clinton16",
    "otherpres16",
    "romney12",
    "obama12",
    "otherpres12",
    "repgov14",
    "demgov14",
    "othergov14",
    "cvap",
    "white_pct",
    "black_pct",
    "hispanic_pct",
    "foreignborn_pct",
    "median_hh_inc",
    "rural_pct",
    "ruralurban_cc",
]
MEDSL_PRECINCT_COLUMNS = [
    "precinct",
    "office",
    "party_detailed",
    "votes",
    "county_name",
    "county_fips",
    "candidate",
    "district",
    "year",
    "writein",
]
MEDSL_2018_COUNTY_KEYS = ["year", "office", "county_name", "county_fips", "candidate", "party_detailed", "writein"]
MEDSL_2022_COUNTY_KEYS = [
    "year",
    "office",
    "county_name",
    "county_fips",
    "district",
    "candidate",
    "party_detailed",
    "writein",
]
MEDSL_2022_OFFICES = ("SHERIFF", "GOVERNOR", "DISTRICT ATTORNEY")


# tonmcg files: registry id -> (columns as published, FIPS column). 2012-16 and 2016 are derived and
# checked against the mirror, but not used in the panel (their totals run low; MEDSL is used instead).
TONMCG_FILES = {
    "tonmcg_pres_2008_2016": (TONMCG_2008_2016_COLUMNS, "fips_code"),
    "tonmcg_pres_2012_2016": (TONMCG_2012_2016_COLUMNS, "combined_fips"),
    "tonmcg_pres_2016": (TONMCG_2016_COLUMNS, "combined_fips"),
    "tonmcg_pres_2020": (TONMCG_2020_2024_COLUMNS, "county_fips"),
    "tonmcg_pres_2024": (TONMCG_2020_2024_COLUMNS, "county_fips"),
}


def derive_tonmcg_ma(file_id: str, path=None) -> pd.DataFrame:
    """MA rows of one tonmcg county presidential file (text, columns as published)."""
    columns, fips_column = TONMCG_FILES[file_id]
    frame = read_text_csv(path or input_path(file_id), file_id, columns)
    return _ma_rows(frame, fips_column, file_id)


derive_tonmcg_pres_2008_2016_ma = partial(derive_tonmcg_ma, "tonmcg_pres_2008_2016")
derive_tonmcg_pres_2012_2016_ma = partial(derive_tonmcg_ma, "tonmcg_pres_2012_2016")
derive_tonmcg_pres_2016_ma = partial(derive_tonmcg_ma, "tonmcg_pres_2016")
derive_tonmcg_pres_2020_ma = partial(derive_tonmcg_ma, "tonmcg_pres_2020")
derive_tonmcg_pres_2024_ma = partial(derive_tonmcg_ma, "tonmcg_pres_2024")


def derive_medsl_election_context_2018_ma(path=None) -> pd.DataFrame:
    """MA rows of MEDSL election-context-2018.csv (text; 'NA' kept as written)."""
    fid = "medsl_election_context_2018"
    frame = read_text_csv(path or input_path(fid), fid, ELECTION_CONTEXT_COLUMNS)
    frame = frame.loc[frame["state"] == MA_STATE_NAME].reset_index(drop=True)
    require_all_counties(fips5(frame["fips"]), fid, "(state == Massachusetts)")
    return frame


def derive_medsl_2018_precinct_governor_ma(path=None) -> pd.DataFrame:
    """GOVERNOR rows of MEDSL 2018-ma-precinct-general.csv (inside the zip), verbatim."""
    fid = "medsl_2018_precinct"
    frame = read_text_csv(
        path or input_path(fid), fid, MEDSL_PRECINCT_COLUMNS, zip_member="2018-ma-precinct-general.csv"
    )
    return frame.loc[frame["office"] == "GOVERNOR"].reset_index(drop=True)


def derive_medsl_2022_precinct_sheriff_governor_ma(path=None) -> pd.DataFrame:
    """SHERIFF, GOVERNOR and DISTRICT ATTORNEY rows of MEDSL ma22_cleaned.csv (inside the zip), verbatim."""
    fid = "medsl_2022_local_precinct"
    frame = read_text_csv(path or input_path(fid), fid, MEDSL_PRECINCT_COLUMNS, zip_member="ma22_cleaned.csv")
    return frame.loc[frame["office"].isin(MEDSL_2022_OFFICES)].reset_index(drop=True)


def sum_precinct_votes(precincts: pd.DataFrame, keys: list[str], file_id: str) -> pd.DataFrame:
    """Precinct votes summed over `keys` (votes as int64), sorted by the keys."""
    require_columns(precincts, keys + ["votes"], file_id, "precinct rows")
    votes = to_number(precincts["votes"], file_id, "votes")
    if (votes.isna() | (votes < 0) | (votes != np.floor(votes))).any():
        raise SchemaError(
            f"{file_id}: column 'votes' has blank, negative or fractional values; "
            "what to do: restore the registered file."
        )
    frame = precincts[keys].copy()
    frame["votes"] = votes.astype("int64")
    return frame.groupby(keys, sort=True, dropna=False, as_index=False)["votes"].sum()


def derive_medsl_2018_county_governor_ma(path=None) -> pd.DataFrame:
    """MA 2018 governor votes by county and candidate, summed from MEDSL precinct returns."""
    precincts = derive_medsl_2018_precinct_governor_ma(path)
    return sum_precinct_votes(precincts, MEDSL_2018_COUNTY_KEYS, "medsl_2018_precinct")


def derive_medsl_2022_county_sheriff_governor_ma(path=None) -> pd.DataFrame:
    """MA 2022 sheriff/governor/DA votes by county, district and candidate, summed from precincts."""
    precincts = derive_medsl_2022_precinct_sheriff_governor_ma(path)
    return sum_precinct_votes(precincts, MEDSL_2022_COUNTY_KEYS, "medsl_2022_local_precinct")


OPENINTRO_COMPLETE_COLUMNS = (
    ["state", "name", "fips", "pop2000", "pop2010"]
    + [f"pop{y}" for y in range(2011, 2018)]
    + [
        "hispanic_2010",
        "white_not_hispanic_2010",
        "black_2010",
        "foreign_born_2010",
        "median_household_income_2010",
        "poverty_2010",
        "poverty_2016",
    ]
    + [f"unemployment_rate_{y}" for y in range(2007, 2018)]
)
OPENINTRO_2019_ITEMS = ["pop", "hispanic", "white_not_hispanic", "black", "poverty", "median_household_income"]
OPENINTRO_2019_COLUMNS = ["state", "name", "fips"] + [c for item in OPENINTRO_2019_ITEMS for c in (item, f"{item}_moe")]


def _openintro_ma(frame: pd.DataFrame, file_id: str) -> pd.DataFrame:
    """MA rows of an OpenIntro county table, with `fips5` (5-char FIPS) as the first column."""
    out = frame.loc[frame["state"].astype(str) == MA_STATE_NAME].reset_index(drop=True)
    out.insert(0, "fips5", fips5(out["fips"]))
    require_all_counties(out["fips5"], file_id, "(state == Massachusetts)")
    return out


def derive_openintro_county_complete_ma(path=None) -> pd.DataFrame:
    """MA rows of OpenIntro usdata county_complete (.rda), plus a leading `fips5` column."""
    fid = "openintro_county_complete"
    frame = read_rda_table(path or input_path(fid), fid, "county_complete", OPENINTRO_COMPLETE_COLUMNS)
    return _openintro_ma(frame, fid)


def derive_openintro_county_2019_ma(path=None) -> pd.DataFrame:
    """MA rows of OpenIntro usdata county_2019 (ACS 2015-2019 5-year with MOEs), plus `fips5`."""
    fid = "openintro_county_2019"
    frame = read_rda_table(path or input_path(fid), fid, "county_2019", OPENINTRO_2019_COLUMNS)
    return _openintro_ma(frame, fid)


# --------------------------------------------------------------------------------------------
# county vote totals: county_fips, year, dem_votes, rep_votes, total_votes, source_file
# --------------------------------------------------------------------------------------------
