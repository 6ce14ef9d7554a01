"""County covariates → the long `county_covariates` panel (one row per county × year × variable).

Covariates describe the 14 Massachusetts counties: population, demographics (ACS / Census), vote
shares for president (2000-2024) and governor (2014, 2018, 2022), and the 2022 sheriff races.
They are descriptive context for the cooperation measures, never outcomes.

Inputs (data/sources.yaml ids). Massachusetts subsets are derived in code from the national
originals by the `derive_*_ma` functions; tests compare each with the mirror's extract.
- `tonmcg_pres_2008_2016`, `tonmcg_pres_2020`, `tonmcg_pres_2024` (originals): president 2008, 2020, 2024.
- `medsl_election_context_2018` (original): president 2012 and 2016, governor 2014, ACS 2012-16
  demographics, 2010 rural share, 2013 rural-urban continuum code.
- `medsl_countypres_2000_2004_ma` (extract, no original mirrored): president 2000 and 2004.
- `medsl_2018_precinct` (zip original): governor 2018, summed from precincts to counties.
- `medsl_2022_local_precinct` (zip original): governor and sheriff 2022, summed to counties.
- `openintro_county_complete`, `openintro_county_2019` (.rda originals): Census 2000/2010,
  PEP 2011-2017 estimates, ACS 2006-10 and ACS 2015-19 (with margins of error) items.
- `census_pep_v2020_ma` (extract, no original mirrored): Census 2010 count, PEP Vintage 2020.
- `tonmcg_pres_2012_2016`, `tonmcg_pres_2016` (originals) are derived and checked but not used in
  the panel (see the presidential source rule below).

Presidential source rule: where MEDSL county returns exist (2000, 2004 countypres; 2012, 2016 in
election-context, which reproduce the official statewide Democratic and Republican totals) they
are used; tonmcg (compiled from news sites) only where MEDSL is not mirrored (2008, 2020, 2024).
tonmcg's 2012 and 2016 county totals fall 1.2% and 2.8% short of the official statewide totals.

Vote shares are of votes cast for candidates (blank ballots / undervotes excluded, write-ins and
"all others" included), matching the official "total votes" less blanks. Shares are 0-1 fractions.
"""

from __future__ import annotations

import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from pandera.pandas import Check

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.registry import input_path
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
    import pyreadr

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


def _votes_frame(fips, year: int, dem, rep, total, source_file: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "county_fips": list(fips),
            "year": year,
            "dem_votes": list(dem),
            "rep_votes": list(rep),
            "total_votes": list(total),
            "source_file": source_file,
        }
    )
    bad = (
        out[["dem_votes", "rep_votes", "total_votes"]].isna().any(axis=1)
        | (out["dem_votes"] + out["rep_votes"] > out["total_votes"])
        | (out["total_votes"] <= 0)
    )
    if bad.any():
        raise SchemaError(
            f"{source_file} {year}: missing votes, or Democratic + Republican votes exceed "
            f"the total, for {sorted(out.loc[bad, 'county_fips'])}; what to do: restore the file."
        )
    require_all_counties(out["county_fips"], source_file, str(year))
    return out


def pres_votes_medsl_countypres(path=None) -> pd.DataFrame:
    """President 2000 and 2004 by county (MEDSL countypres, MA extract): Democratic, Republican, total votes."""
    fid = "medsl_countypres_2000_2004_ma"
    rows = read_text_csv(
        path or input_path(fid), fid, ["year", "county_fips", "office", "party", "candidatevotes", "totalvotes"]
    )
    rows = rows.assign(
        fips=fips5(rows["county_fips"]),
        votes=to_number(rows["candidatevotes"], fid, "candidatevotes"),
        total=to_number(rows["totalvotes"], fid, "totalvotes"),
    )
    frames = []
    for year in (2000, 2004):
        yr = rows[(rows["year"] == str(year)) & (rows["office"] == "US PRESIDENT")]
        by = yr.groupby("fips")
        total = by["total"].agg(["min", "max"])
        summed = by["votes"].sum()
        if (total["min"] != total["max"]).any() or (summed != total["max"]).any():
            raise SchemaError(
                f"{fid} {year}: totalvotes differs within a county or from the sum of candidatevotes; "
                "what to do: restore the registered file."
            )
        dem = yr[yr["party"] == "DEMOCRAT"].groupby("fips")["votes"].sum()
        rep = yr[yr["party"] == "REPUBLICAN"].groupby("fips")["votes"].sum()
        fips = total.index
        frames.append(_votes_frame(fips, year, dem.reindex(fips), rep.reindex(fips), total["max"], fid))
    return pd.concat(frames, ignore_index=True)


def pres_votes_tonmcg_2008(path=None) -> pd.DataFrame:
    """President 2008 by county (tonmcg 08-16 file): Democratic, Republican, total votes."""
    fid = "tonmcg_pres_2008_2016"
    rows = derive_tonmcg_pres_2008_2016_ma(path)
    num = {c: to_number(rows[c], fid, c) for c in ("dem_2008", "gop_2008", "total_2008")}
    return _votes_frame(fips5(rows["fips_code"]), 2008, num["dem_2008"], num["gop_2008"], num["total_2008"], fid)


def pres_votes_tonmcg(year: int, path=None) -> pd.DataFrame:
    """President 2020 or 2024 by county (tonmcg yearly file): Democratic, Republican, total votes."""
    derive = {2020: derive_tonmcg_pres_2020_ma, 2024: derive_tonmcg_pres_2024_ma}
    if year not in derive:
        raise ParameterError(f"tonmcg yearly files are used for 2020 and 2024, not {year}")
    fid = f"tonmcg_pres_{year}"
    rows = derive[year](path)
    num = {c: to_number(rows[c], fid, c) for c in ("votes_dem", "votes_gop", "total_votes")}
    return _votes_frame(fips5(rows["county_fips"]), year, num["votes_dem"], num["votes_gop"], num["total_votes"], fid)


def _context_votes(rows: pd.DataFrame, year: int, dem: str, rep: str, other: str) -> pd.DataFrame:
    fid = "medsl_election_context_2018"
    d, r, o = (to_number(rows[c], fid, c) for c in (dem, rep, other))
    return _votes_frame(fips5(rows["fips"]), year, d, r, d + r + o, fid)


def pres_votes_election_context(path=None) -> pd.DataFrame:
    """President 2012 and 2016 by county (MEDSL election-context; total = dem + rep + other)."""
    rows = derive_medsl_election_context_2018_ma(path)
    return pd.concat(
        [
            _context_votes(rows, 2012, "obama12", "romney12", "otherpres12"),
            _context_votes(rows, 2016, "clinton16", "trump16", "otherpres16"),
        ],
        ignore_index=True,
    )


def gov_votes_election_context_2014(path=None) -> pd.DataFrame:
    """Governor 2014 by county (MEDSL election-context; Coakley D, Baker R, others)."""
    return _context_votes(derive_medsl_election_context_2018_ma(path), 2014, "demgov14", "repgov14", "othergov14")


def _gov_votes_from_county_totals(totals: pd.DataFrame, year: int, file_id: str) -> pd.DataFrame:
    """Democratic, Republican and total (non-blank) governor votes per county from MEDSL county sums."""
    gov = totals[totals["office"] == "GOVERNOR"]
    counted = gov[~gov["candidate"].isin(BLANK_BALLOT_LABELS)]
    for party in ("DEMOCRAT", "REPUBLICAN"):
        n = counted[counted["party_detailed"] == party].groupby("county_fips")["candidate"].nunique()
        if sorted(n.index) != COUNTY_FIPS or (n != 1).any():
            raise SchemaError(
                f"{file_id} {year}: expected one {party} governor candidate in each of the 14 counties; "
                "what to do: check the file against its SOURCE.md."
            )
    fips = sorted(counted["county_fips"].unique())
    total = counted.groupby("county_fips")["votes"].sum().reindex(fips)
    dem = counted[counted["party_detailed"] == "DEMOCRAT"].groupby("county_fips")["votes"].sum().reindex(fips)
    rep = counted[counted["party_detailed"] == "REPUBLICAN"].groupby("county_fips")["votes"].sum().reindex(fips)
    return _votes_frame(fips, year, dem.astype(float), rep.astype(float), total.astype(float), file_id)


def gov_votes_medsl_2018(path=None) -> pd.DataFrame:
    """Governor 2018 by county (Gonzalez D, Baker R), summed from MEDSL precincts; undervotes excluded."""
    return _gov_votes_from_county_totals(derive_medsl_2018_county_governor_ma(path), 2018, "medsl_2018_precinct")


def gov_votes_medsl_2022(path=None) -> pd.DataFrame:
    """Governor 2022 by county (Healey D, Diehl R), summed from MEDSL precincts; blanks excluded."""
    return _gov_votes_from_county_totals(
        derive_medsl_2022_county_sheriff_governor_ma(path), 2022, "medsl_2022_local_precinct"
    )


def presidential_votes() -> pd.DataFrame:
    """County presidential votes 2000-2024 from the preferred source per year (module docstring)."""
    frames = [
        pres_votes_medsl_countypres(),
        pres_votes_tonmcg_2008(),
        pres_votes_election_context(),
        pres_votes_tonmcg(2020),
        pres_votes_tonmcg(2024),
    ]
    return pd.concat(frames, ignore_index=True).sort_values(["year", "county_fips"], ignore_index=True)


def governor_votes() -> pd.DataFrame:
    """County governor votes 2014 (election-context), 2018 and 2022 (MEDSL precinct sums)."""
    frames = [gov_votes_election_context_2014(), gov_votes_medsl_2018(), gov_votes_medsl_2022()]
    return pd.concat(frames, ignore_index=True).sort_values(["year", "county_fips"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# 2022 sheriff races
# --------------------------------------------------------------------------------------------

CONTESTED_MIN_RUNNER_UP_SHARE = 0.01  # a named runner-up below 1% of the votes is scatter, not a contest
# The write-in rule in words, for every sentence that states how many 2022 sheriff races were (un)contested.
CONTESTED_RULE = (
    "a race counts as contested when a named candidate other than the winner, on the ballot or a named "
    "write-in, received at least 1% of the votes cast for candidates; unnamed write-ins (MEDSL 'WRITEIN', "
    "'all others', scattering) never make a race contested"
)


def uncontested_sheriff_races_2022(panel: pd.DataFrame | None = None) -> list[str]:
    """Counties (names, alphabetical) whose 2022 sheriff race was uncontested under CONTESTED_RULE.

    The one source of the count: the processed county_covariates panel, variable sheriff_2022_contested
    (0 = uncontested). Every report that states the number uses this function."""
    if panel is None:
        from ma_ice_coop.io import read_processed

        panel = read_processed("county_covariates")
    rows = panel[(panel["variable"] == "sheriff_2022_contested") & (panel["year"] == 2022)]
    if rows.empty:
        raise SchemaError(
            "county_covariates has no sheriff_2022_contested rows; what to do: rebuild the processed "
            "tables (ma-ice process)."
        )
    return sorted(rows.loc[rows["value"] == 0, "county_fips"].map(COUNTY_NAMES))


def sheriff_2022_results(path=None) -> pd.DataFrame:
    """One row per county with a 2022 sheriff race in MEDSL: winner, shares, margin, contested.

    Denominator: votes for any candidate (named candidates + aggregated write-ins); blank ballots
    excluded. Contested (1) when the runner-up, the second named candidate, has at least
    CONTESTED_MIN_RUNNER_UP_SHARE (1%) of those votes. MEDSL names some write-in candidates: this
    counts Hampshire's write-in campaign (Gittelson, 11%) as a contest but not Dukes' 50 votes for
    Blake (0.7%, a defeated primary candidate; no one else was on the ballot). margin =
    (winner - runner-up) / denominator when contested, and 1.0 when unopposed (uncontested),
    even though scattered write-ins keep the winner's share below 1. Counties absent from the
    source are absent here (no row, not zero); in the 2022 MEDSL file all 14 counties have a race.
    """
    fid = "medsl_2022_local_precinct"
    totals = derive_medsl_2022_county_sheriff_governor_ma(path)
    sheriff = totals[totals["office"] == "SHERIFF"]
    rows = []
    for fips, race in sheriff.groupby("county_fips", sort=True):
        counted = race[~race["candidate"].isin(BLANK_BALLOT_LABELS)]
        named = counted[~counted["candidate"].isin(AGGREGATE_OTHER_LABELS)]
        named = named.groupby(["candidate", "party_detailed"], as_index=False)["votes"].sum()
        named = named.sort_values(["votes", "candidate"], ascending=[False, True], ignore_index=True)
        denominator = float(counted["votes"].sum())
        if named.empty or denominator <= 0:
            raise SchemaError(
                f"{fid}: the 2022 sheriff race in county {fips} has no named candidate with votes; "
                "what to do: check the file against its SOURCE.md."
            )
        winner = float(named.loc[0, "votes"])
        second = float(named.loc[1, "votes"]) if len(named) > 1 else 0.0
        contested = second / denominator >= CONTESTED_MIN_RUNNER_UP_SHARE
        runner_up = second if len(named) > 1 else np.nan
        rows.append(
            {
                "county_fips": fips,
                "winner": named.loc[0, "candidate"],
                "winner_party": named.loc[0, "party_detailed"],
                "winner_votes": winner,
                "runner_up_votes": runner_up,
                "total_votes": denominator,
                "winner_share": winner / denominator,
                "margin": (winner - runner_up) / denominator if contested else 1.0,
                "contested": 1.0 if contested else 0.0,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# long rows
# --------------------------------------------------------------------------------------------


def long_rows(
    fips, year: int, variable: str, values, *, unit: str, source_file: str, vintage: str, moe=None
) -> pd.DataFrame:
    """Panel rows (without `county`) for one variable-year across counties."""
    values = pd.Series(list(values), dtype="float64")
    return pd.DataFrame(
        {
            "county_fips": list(fips),
            "year": int(year),
            "variable": variable,
            "value": values,
            "moe": pd.Series(list(moe), dtype="float64") if moe is not None else np.nan,
            "unit": unit,
            "source_file": source_file,
            "vintage": vintage,
        }
    )


def vote_share_rows(votes: pd.DataFrame, prefix: str) -> list[pd.DataFrame]:
    """<prefix>_dem_share, _rep_share, _dem_margin, _dem_votes, _rep_votes, _total_votes per county-year."""
    frames = []
    for (year, source), grp in votes.groupby(["year", "source_file"], sort=True):
        vintage = f"general election {GENERAL_ELECTION_DATES[int(year)]}"
        kw = {"source_file": source, "vintage": vintage}
        dem = grp["dem_votes"] / grp["total_votes"]
        rep = grp["rep_votes"] / grp["total_votes"]
        fips = grp["county_fips"]
        frames += [
            long_rows(fips, year, f"{prefix}_dem_share", dem, unit=UNIT_SHARE, **kw),
            long_rows(fips, year, f"{prefix}_rep_share", rep, unit=UNIT_SHARE, **kw),
            long_rows(fips, year, f"{prefix}_dem_margin", dem - rep, unit=UNIT_SHARE_DIFF, **kw),
            long_rows(fips, year, f"{prefix}_dem_votes", grp["dem_votes"], unit=UNIT_VOTES, **kw),
            long_rows(fips, year, f"{prefix}_rep_votes", grp["rep_votes"], unit=UNIT_VOTES, **kw),
            long_rows(fips, year, f"{prefix}_total_votes", grp["total_votes"], unit=UNIT_VOTES, **kw),
        ]
    return frames


def sheriff_rows() -> list[pd.DataFrame]:
    """sheriff_2022_winner_share, _margin, _contested, _total_votes for counties with a 2022 race."""
    res = sheriff_2022_results()
    kw = {"source_file": "medsl_2022_local_precinct", "vintage": f"general election {GENERAL_ELECTION_DATES[2022]}"}
    fips = res["county_fips"]
    return [
        long_rows(fips, 2022, "sheriff_2022_winner_share", res["winner_share"], unit=UNIT_SHARE, **kw),
        long_rows(fips, 2022, "sheriff_2022_margin", res["margin"], unit="share difference (0-1)", **kw),
        long_rows(fips, 2022, "sheriff_2022_contested", res["contested"], unit=UNIT_INDICATOR, **kw),
        long_rows(fips, 2022, "sheriff_2022_total_votes", res["total_votes"], unit=UNIT_VOTES, **kw),
    ]


# (source column, variable, year, unit, vintage, divisor): divisor 100 turns a 0-100 percent into a share.
_PEP_V = "PEP estimate (July 1) as packaged in OpenIntro usdata county_complete"
OPENINTRO_COMPLETE_ITEMS = [
    ("pop2000", "population", 2000, UNIT_PERSONS, "Census 2000 (2000-04-01)", 1.0),
    *[(f"pop{y}", "population", y, UNIT_PERSONS, f"{_PEP_V} ({y}-07-01)", 1.0) for y in range(2011, 2018)],
    ("hispanic_2010", "hispanic_share", 2010, UNIT_SHARE, "Census 2010", 100.0),
    ("white_not_hispanic_2010", "white_nonhispanic_share", 2010, UNIT_SHARE, "Census 2010", 100.0),
    ("black_2010", "black_share", 2010, UNIT_SHARE, "Census 2010", 100.0),
    ("foreign_born_2010", "foreign_born_share", 2010, UNIT_SHARE, "ACS 2006-2010 5-year", 100.0),
    ("median_household_income_2010", "median_household_income", 2010, UNIT_USD, "ACS 2006-2010 5-year", 1.0),
    ("poverty_2010", "poverty_share", 2010, UNIT_SHARE, "ACS 2006-2010 5-year", 100.0),
    (
        "poverty_2016",
        "poverty_share",
        2016,
        UNIT_SHARE,
        "2012-2016 per OpenIntro docs (USDA ERS county data; ACS 2012-2016 5-year or SAIPE 2016)",
        100.0,
    ),
    *[
        (f"unemployment_rate_{y}", "unemployment_rate", y, UNIT_SHARE, f"BLS LAUS annual average {y}", 100.0)
        for y in range(2007, 2018)
    ],
]
_ACS16 = "ACS 2012-2016 5-year"
ELECTION_CONTEXT_ITEMS = [
    ("foreignborn_pct", "foreign_born_share", 2016, UNIT_SHARE, _ACS16, 100.0),
    ("hispanic_pct", "hispanic_share", 2016, UNIT_SHARE, _ACS16, 100.0),
    ("white_pct", "white_nonhispanic_share", 2016, UNIT_SHARE, _ACS16, 100.0),
    ("black_pct", "black_nonhispanic_share", 2016, UNIT_SHARE, _ACS16, 100.0),
    ("median_hh_inc", "median_household_income", 2016, UNIT_USD, _ACS16 + " (2016 dollars)", 1.0),
    ("cvap", "citizen_voting_age_population", 2016, UNIT_PERSONS, _ACS16 + " CVAP special tabulation", 1.0),
    ("rural_pct", "rural_share", 2010, UNIT_SHARE, "Census 2010 (population in rural blocks)", 100.0),
    ("ruralurban_cc", "rural_urban_continuum_code", 2013, UNIT_CODE, "USDA ERS Rural-Urban Continuum Codes 2013", 1.0),
]
_ACS19 = "ACS 2015-2019 5-year"
OPENINTRO_2019_SPECS = [
    ("pop", "population", UNIT_PERSONS, 1.0),
    ("hispanic", "hispanic_share", UNIT_SHARE, 100.0),
    ("white_not_hispanic", "white_nonhispanic_share", UNIT_SHARE, 100.0),
    ("black", "black_share", UNIT_SHARE, 100.0),
    ("poverty", "poverty_share", UNIT_SHARE, 100.0),
    ("median_household_income", "median_household_income", UNIT_USD, 1.0),
]


def _item_rows(rows: pd.DataFrame, fips: pd.Series, items, file_id: str) -> list[pd.DataFrame]:
    frames = []
    for column, variable, year, unit, vintage, divisor in items:
        values = to_number(rows[column], file_id, column) / divisor
        frames.append(long_rows(fips, year, variable, values, unit=unit, source_file=file_id, vintage=vintage))
    return frames


def openintro_complete_rows(path=None) -> list[pd.DataFrame]:
    """Census 2000, PEP 2011-2017, Census 2010 race/ethnicity, ACS 2006-10 items, poverty 2016, LAUS."""
    rows = derive_openintro_county_complete_ma(path)
    return _item_rows(rows, rows["fips5"], OPENINTRO_COMPLETE_ITEMS, "openintro_county_complete")


def openintro_2019_rows(path=None) -> list[pd.DataFrame]:
    """ACS 2015-2019 5-year items with 90% margins of error (MOE scaled like the value)."""
    fid = "openintro_county_2019"
    rows = derive_openintro_county_2019_ma(path)
    frames = []
    for column, variable, unit, divisor in OPENINTRO_2019_SPECS:
        values = to_number(rows[column], fid, column) / divisor
        moe = to_number(rows[f"{column}_moe"], fid, f"{column}_moe") / divisor
        frames.append(
            long_rows(rows["fips5"], 2019, variable, values, unit=unit, source_file=fid, vintage=_ACS19, moe=moe)
        )
    return frames


def election_context_rows(path=None) -> list[pd.DataFrame]:
    """ACS 2012-16 shares and income, CVAP, 2010 rural share and 2013 RUCC from MEDSL election-context."""
    rows = derive_medsl_election_context_2018_ma(path)
    return _item_rows(rows, fips5(rows["fips"]), ELECTION_CONTEXT_ITEMS, "medsl_election_context_2018")


PEP_COLUMNS = ["SUMLEV", "STATE", "COUNTY", "CENSUS2010POP", "POPESTIMATE2020", "INTERNATIONALMIG2020"]


def pep_v2020_rows(path=None) -> list[pd.DataFrame]:
    """Census 2010 count, PEP Vintage 2020 July-1 2020 estimate and net international migration."""
    fid = "census_pep_v2020_ma"
    rows = read_text_csv(path or input_path(fid), fid, PEP_COLUMNS)
    rows = rows[to_number(rows["SUMLEV"], fid, "SUMLEV") == 50]
    fips = rows["STATE"].str.zfill(2) + rows["COUNTY"].str.zfill(3)
    require_all_counties(fips, fid, "(SUMLEV 50)")
    items = [
        ("CENSUS2010POP", "population", 2010, UNIT_PERSONS, "Census 2010 (2010-04-01)", 1.0),
        ("POPESTIMATE2020", "population", 2020, UNIT_PERSONS, "PEP Vintage 2020 (2020-07-01)", 1.0),
        (
            "INTERNATIONALMIG2020",
            "net_international_migration",
            2020,
            UNIT_PERSONS,
            "PEP Vintage 2020 (2019-07-01 to 2020-06-30)",
            1.0,
        ),
    ]
    return _item_rows(rows, fips, items, fid)


# --------------------------------------------------------------------------------------------
# the panel
# --------------------------------------------------------------------------------------------


def check_share_ranges(panel: pd.DataFrame) -> None:
    """Every share in [0, 1] and every share difference in [-1, 1], or a SchemaError naming rows."""
    share = panel["unit"].str.startswith("share (0-1)") | (panel["unit"] == "share difference (0-1)")
    diff = panel["unit"] == UNIT_SHARE_DIFF
    bad = (share & ~panel["value"].between(0, 1)) | (diff & ~panel["value"].between(-1, 1))
    bad &= panel["value"].notna()
    if bad.any():
        raise SchemaError(
            "county covariates: shares out of range in rows\n"
            f"{panel.loc[bad, ['county_fips', 'year', 'variable', 'value']].head(10)}\n"
            "what to do: check the percent/share scaling of the source columns."
        )


SHERIFF_PARTY_YEARS = range(2000, 2026)


def sheriff_party_rows(years=SHERIFF_PARTY_YEARS) -> list[pd.DataFrame]:
    """sheriff_republican (1 = Republican, 0 = another party or unenrolled, null = party unknown) for the
    sheriff in office on July 1 of each year, from data/reference/sheriffs.csv."""
    from ma_ice_coop.tables.reference import sheriffs_in_office

    frames = []
    for year in years:
        office = sheriffs_in_office(f"{year}-07-01")
        if office["county_fips"].duplicated().any():
            raise SchemaError(
                f"data/reference/sheriffs.csv: two tenures cover {year}-07-01 in "
                f"{sorted(office.loc[office['county_fips'].duplicated(), 'county_fips'])}"
            )
        party = office.set_index("county_fips")["party"].reindex(COUNTY_FIPS)
        value = party.map(lambda p: np.nan if not isinstance(p, str) or p == "" else float(p == "R"))
        frames.append(
            long_rows(
                COUNTY_FIPS,
                year,
                "sheriff_republican",
                value,
                unit="indicator (1 = Republican)",
                source_file="data/reference/sheriffs.csv",
                vintage="sheriff in office on July 1",
            )
        )
    return frames


def load_county_covariates() -> pd.DataFrame:
    """The long county × year × variable covariate panel, validated and sorted.

    Variables (value unit in parentheses; years as available, see the codebook / report):
    - population (persons): 2000 and 2010 Census counts, 2011-2017 PEP estimates (OpenIntro),
      2019 ACS 2015-19, 2020 PEP Vintage 2020 (July 1, not the 2020 Census count).
    - net_international_migration (persons): PEP V2020, Jul 2019-Jun 2020.
    - foreign_born_share: 2010 (ACS 2006-10) and 2016 (ACS 2012-16) only; no other source mirrored.
    - hispanic_share, white_nonhispanic_share: 2010 (Census), 2016 (ACS 2012-16), 2019 (ACS 2015-19).
    - black_share (Black alone, any ethnicity): 2010, 2019; black_nonhispanic_share: 2016.
    - median_household_income (USD nominal): 2010, 2016, 2019. poverty_share: 2010, 2016, 2019
      (2019 null for Dukes and Nantucket: ACS/OpenIntro publish none).
    - unemployment_rate (BLS LAUS annual): 2007-2017. citizen_voting_age_population: 2016.
    - rural_share (2010 Census), rural_urban_continuum_code (USDA 2013, 1 = metro of 1M+ ... 9).
    - pres_{dem,rep}_share, pres_dem_margin (= dem - rep share), pres_{dem,rep,total}_votes:
      2000, 2004, 2008, 2012, 2016, 2020, 2024. gov_* likewise: 2014, 2018, 2022.
    - sheriff_republican (1/0, null = party unknown): party of the sheriff in office on July 1,
      2000-2025 (data/reference/sheriffs.csv).
    - sheriff_2022_winner_share, sheriff_2022_margin, sheriff_2022_contested (0/1),
      sheriff_2022_total_votes: only for counties with a 2022 sheriff race in MEDSL (all 14 in
      2022); see `sheriff_2022_results` for the definitions. Absent is absent, never zero.
    Shares are 0-1 fractions; ACS margins of error (90%) are in `moe`, scaled like `value`.
    """
    frames = []
    frames += vote_share_rows(presidential_votes(), "pres")
    frames += vote_share_rows(governor_votes(), "gov")
    frames += sheriff_rows()
    frames += sheriff_party_rows()
    frames += openintro_complete_rows()
    frames += openintro_2019_rows()
    frames += election_context_rows()
    frames += pep_v2020_rows()
    panel = pd.concat(frames, ignore_index=True)
    panel["county"] = panel["county_fips"].map(COUNTY_NAMES)
    panel["year"] = panel["year"].astype("int64")
    for c in ("county_fips", "county", "variable", "unit", "source_file", "vintage"):
        panel[c] = panel[c].astype("str")
    dupes = panel.duplicated(["county_fips", "year", "variable"], keep=False)
    if dupes.any():
        raise SchemaError(
            "county covariates: two sources give the same (county, year, variable):\n"
            f"{panel.loc[dupes, ['county_fips', 'year', 'variable', 'source_file']].head(10)}"
        )
    check_share_ranges(panel)
    panel = panel[PANEL_COLUMNS].sort_values(["variable", "year", "county_fips"], ignore_index=True)
    return COUNTY_COVARIATES_SCHEMA.validate(panel)


def county_covariates_wide(
    year: int,
    *,
    panel: pd.DataFrame | None = None,
    variables=None,
    max_age: int | None = None,
    with_years: bool = False,
) -> pd.DataFrame:
    """One row per county for `year`: each variable's latest non-null value at or before `year`.

    Rule: for every county and variable, take the row with the greatest panel year <= `year`
    whose value is not null (so a 2018 table uses 2016 ACS shares and the 2016 presidential vote;
    Dukes/Nantucket poverty falls back to 2016 when 2019 is null). With `max_age`, values older
    than `year - max_age` are left null. A variable with no such value is null, never zero.
    `with_years=True` adds `<variable>_year` columns giving the year each value comes from.
    Columns: county_fips, county, then the variables in alphabetical order.
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise ParameterError(f"year must be an integer (e.g. 2016), not {year!r}")
    panel = load_county_covariates() if panel is None else panel
    known = sorted(panel["variable"].unique())
    chosen = known if variables is None else list(variables)
    unknown = [v for v in chosen if v not in known]
    if unknown:
        raise ParameterError(f"unknown covariate(s) {unknown}; valid: {', '.join(known)}")
    if year < int(panel["year"].min()):
        raise ParameterError(f"year {year} is before the first covariate year {int(panel['year'].min())}")
    rows = panel[panel["variable"].isin(chosen) & (panel["year"] <= year) & panel["value"].notna()]
    if max_age is not None:
        rows = rows[rows["year"] >= year - max_age]
    latest = rows.sort_values("year").groupby(["county_fips", "variable"], as_index=False).last()
    out = pd.DataFrame({"county_fips": COUNTY_FIPS, "county": [COUNTY_NAMES[f] for f in COUNTY_FIPS]})
    values = latest.pivot(index="county_fips", columns="variable", values="value")
    years = latest.pivot(index="county_fips", columns="variable", values="year")
    for var in sorted(chosen):
        out[var] = out["county_fips"].map(values[var]).astype("float64") if var in values else np.nan
        if with_years:
            col_years = out["county_fips"].map(years[var]) if var in years else pd.Series(pd.NA, index=out.index)
            out[f"{var}_year"] = col_years.astype("Int64")
    return out
