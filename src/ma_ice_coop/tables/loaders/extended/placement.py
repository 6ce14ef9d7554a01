"""Place the detainers of the extended releases in counties, with the project's committed crosswalks.

A row is placed by its ICE facility code when it has one (the 2023+ releases), else by its facility string:

- code of a Massachusetts facility: data/reference/facilities.csv (`ice_code`), which names the facility;
- any other code: data/reference/national_detention_facilities.csv (the codes of the ICE headcounts);
- Massachusetts string: data/reference/facility_aliases.csv (the NPR FY2015 strings);
- any other string: data/reference/national_facilities.csv (the NPR FY2015 strings of every state).

Unlike the core build, a code or string that no crosswalk lists is not an error here: the row stays unplaced
with `placement_method` = `unlisted`, and the extended build lists every such code and string with its count
(the fix is to add them to the crosswalk: `python -m ma_ice_coop.tables.loaders.national.facility_strings`
drafts string rows). Massachusetts rows placed by code are the facilities whose code the hand-built crosswalk
records.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ma_ice_coop.tables.facilities import load_facilities, map_facilities
from ma_ice_coop.tables.loaders.detainers import FACILITY_COLUMNS, MA_STATE
from ma_ice_coop.tables.loaders.national.detention import read_crosswalk
from ma_ice_coop.tables.national_facilities import crosswalk_path, load_national_crosswalk, place_detainers
from ma_ice_coop.tables.us_counties import state_abbreviations

ALIAS_SOURCE = "npr_fy2015_detainers"  # the NPR strings of the core release: the same vocabulary as 2008-2017
PLACED_COLUMNS = (*FACILITY_COLUMNS, "placement_method")
METHODS = ("ma_crosswalk", "code_crosswalk", "rule", "gazetteer", "hand", "unplaced", "unlisted")


@lru_cache(maxsize=1)
def _code_table() -> pd.DataFrame:
    """facility code -> facility_id, operator_type, county_fips, sheriff_county_fips, method, state (full name)."""
    names = {abbr: name for name, abbr in state_abbreviations().items()}
    national = read_crosswalk()
    codes = pd.DataFrame(
        {
            "facility_code": national["facility_code"],
            "facility_id": pd.NA,
            "operator_type": national["operator_type"],
            "county_fips": national["county_fips"].replace("", pd.NA),
            "placement_method": "code_crosswalk",
            "state": national["state_abbr"].map(names),
        }
    )
    codes["sheriff_county_fips"] = codes["county_fips"].where(codes["operator_type"] == "sheriff")
    ma = load_facilities()
    ma = ma[ma["ice_code"].notna() & (ma["ice_code"].astype("str") != "")]
    ma_codes = pd.DataFrame(
        {
            "facility_code": ma["ice_code"].astype("str"),
            "facility_id": ma["facility_id"],
            "operator_type": ma["operator_type"],
            "county_fips": ma["county_fips"],
            "sheriff_county_fips": ma["sheriff_county_fips"],
            "placement_method": "ma_crosswalk",
            "state": MA_STATE,
        }
    )
    table = pd.concat([ma_codes, codes[~codes["facility_code"].isin(ma_codes["facility_code"])]], ignore_index=True)
    return table.set_index("facility_code").astype("str").replace({"<NA>": pd.NA, "nan": pd.NA, "": pd.NA})


@lru_cache(maxsize=2)
def _string_crosswalk(version: tuple) -> pd.DataFrame:
    """data/reference/national_facilities.csv, read and checked once per version of the file (not per chunk)."""
    return load_national_crosswalk()


def _string_crosswalk_now() -> pd.DataFrame:
    stat = crosswalk_path().stat()
    return _string_crosswalk((str(crosswalk_path()), stat.st_mtime_ns, stat.st_size))


def _by_code(rows: pd.DataFrame) -> pd.DataFrame:
    """The placed columns of rows whose facility code a crosswalk lists (others: all null)."""
    table = _code_table()
    codes = rows["facility_code"].astype("object").where(rows["facility_code"].notna(), "").str.strip().str.upper()
    hit = table.reindex(codes.to_numpy())
    hit.index = rows.index
    return hit


def _by_string(rows: pd.DataFrame) -> pd.DataFrame:
    """The placed columns of rows placed by (state, name, city); unlisted strings are left unplaced."""
    out = pd.DataFrame(index=rows.index, columns=list(PLACED_COLUMNS), dtype="object")
    ma = rows["facility_state"] == MA_STATE
    if ma.any():
        mapped = map_facilities(
            rows.loc[ma, ["facility_name", "facility_city"]].fillna(""),
            ALIAS_SOURCE,
            "facility_name",
            "facility_city",
            strict=False,
        )
        for name in FACILITY_COLUMNS:
            out.loc[ma, name] = mapped[name].astype("str").replace({"": pd.NA, "nan": pd.NA}).to_numpy()
        out.loc[ma, "placement_method"] = mapped["status"].map({"unlisted": "unlisted"}).fillna("ma_crosswalk")
    other = ~ma
    if other.any():
        placed = place_detainers(rows.loc[other], _string_crosswalk_now(), strict=False)
        county = placed["county_fips"].astype("str").replace("", pd.NA)
        out.loc[other, "county_fips"] = county.to_numpy()
        out.loc[other, "operator_type"] = placed["operator_type"].astype("str").to_numpy()
        out.loc[other, "sheriff_county_fips"] = county.where(placed["operator_type"] == "sheriff").to_numpy()
        out.loc[other, "placement_method"] = placed["placement_method"].astype("str").to_numpy()
    return out


def place_extended(chunk: pd.DataFrame) -> pd.DataFrame:
    """`chunk` (unified detainer columns) plus facility_id, operator_type, county_fips, sheriff_county_fips and
    placement_method. A missing facility state is taken from the code's crosswalk row (state_source
    `crosswalk`)."""
    out = chunk.copy()
    coded = _by_code(out)
    by_code = coded["placement_method"].notna()
    placed = pd.DataFrame(index=out.index, columns=list(PLACED_COLUMNS), dtype="object")
    placed.loc[by_code] = coded.loc[by_code, list(PLACED_COLUMNS)]
    if (~by_code).any():
        placed.loc[~by_code] = _by_string(out.loc[~by_code]).to_numpy()
    fill_state = out["facility_state"].isna() & coded["state"].notna()
    out.loc[fill_state, "facility_state"] = coded.loc[fill_state, "state"]
    out.loc[fill_state, "state_source"] = "crosswalk"
    for name in PLACED_COLUMNS:
        out[name] = placed[name].astype("str").where(placed[name].notna())
        out[name] = out[name].astype("str")
    return out


def unlisted_facilities(placed: pd.DataFrame) -> pd.DataFrame:
    """Codes and strings no crosswalk lists, with their row counts: release_id, facility_state, facility_code,
    facility_name, facility_city, detainers."""
    rows = placed[placed["placement_method"] == "unlisted"]
    keys = ["release_id", "facility_state", "facility_code", "facility_name", "facility_city"]
    frame = rows[keys].astype("object").where(rows[keys].notna(), "")
    return frame.value_counts().rename("detainers").reset_index()
