"""County covariates for every US county -> the long `national_county_covariates` panel.

Same variables, names, units and vintages as the Massachusetts `county_covariates` table, from the national
originals only (no Massachusetts-only extract), so the MA rows agree with the MA table for the same variable,
year and source file (tests check it):
- president 2008 (`tonmcg_pres_2008_2016`), 2012 and 2016 (`medsl_election_context_2018`, as in the MA table),
  2020 and 2024 (`tonmcg_pres_2020`, `tonmcg_pres_2024`): pres_* shares, margin and votes;
- OpenIntro `openintro_county_complete` (Census 2000 and 2010 counts, PEP 2011-2017, Census 2010 race and
  ethnicity, ACS 2006-10 items, poverty 2016, LAUS unemployment 2007-2017) and `openintro_county_2019`
  (ACS 2015-19 with 90% margins of error);
- MEDSL election-context (ACS 2012-16 shares and income, CVAP, 2010 rural share, 2013 RUCC).
Population 2010 is OpenIntro's Census 2010 count (the MA table reads the same count from its PEP V2020 extract).

Geography: counties are the 3,142 of `us_counties()` (2015-2020 Census county set). Source units that are
not such counties are handled as stated in NON_COUNTY_UNITS / RENAMED_FIPS / FOLDED_UNITS; any other unknown
FIPS is an error, never dropped silently. Not used: `tonmcg_pres_2012_2016` and `tonmcg_pres_2016` (the MA
table uses MEDSL for 2012 and 2016; their Alaska rows repeat the statewide total for every borough).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.loaders.covariates.common import (
    COUNTY_COVARIATES_SCHEMA,
    UNIT_PERSONS,
    fips5,
    read_rda_table,
    read_text_csv,
    to_number,
)
from ma_ice_coop.tables.loaders.covariates.extracts import (
    ELECTION_CONTEXT_COLUMNS,
    OPENINTRO_2019_COLUMNS,
    OPENINTRO_COMPLETE_COLUMNS,
    TONMCG_2008_2016_COLUMNS,
    TONMCG_2020_2024_COLUMNS,
)
from ma_ice_coop.tables.loaders.covariates.panel import (
    ELECTION_CONTEXT_ITEMS,
    OPENINTRO_2019_SPECS,
    OPENINTRO_COMPLETE_ITEMS,
    check_share_ranges,
    vote_share_rows,
)
from ma_ice_coop.tables.loaders.national.common import (
    US_COUNTIES_SOURCE,
    county_attributes,
    in_us_counties,
    national_fips,
)
from ma_ice_coop.tables.schemas import col, table_schema

TONMCG_2008 = "tonmcg_pres_2008_2016"
MEDSL_CONTEXT = "medsl_election_context_2018"
OPENINTRO_COMPLETE = "openintro_county_complete"
OPENINTRO_2019 = "openintro_county_2019"
TONMCG_YEARLY = {2020: "tonmcg_pres_2020", 2024: "tonmcg_pres_2024"}

# FIPS a source still uses for a county that was renamed and recoded (same area): old -> current.
RENAMED_FIPS = {"46113": "46102"}  # Shannon County SD, renamed Oglala Lakota County (MEDSL names it so)
# Units a source reports apart from the county that holds them: their votes are added to that county.
FOLDED_UNITS = {
    "36000": ("29095", "Kansas City MO election board (votes of the Jackson County part of the city)"),
    "51515": (
        "51019",
        "Bedford city VA (reported apart in 2012, zero votes in 2016; in us_counties it is part of Bedford County)",
    ),
}
# Units that are not counties of us_counties() and cannot be mapped onto them: left out, by (file, rule).
NON_COUNTY_UNITS = {
    "tonmcg_pres_2020": "Alaska rows (40 state house districts, codes 02901-02940, not boroughs)",
    "tonmcg_pres_2024": "Alaska rows (40 state house districts, codes 02001-02040, several of which collide with "
    "borough FIPS) and Connecticut's 9 planning regions (09110-09190), which do not nest in its 8 counties",
}
DC_FIPS = "11001"  # tonmcg 2024 reports DC by its 8 wards (11001-11008): summed to the District
DC_2024_NOTE = "District of Columbia: sum of the 8 wards that tonmcg 2024 lists (codes 11001-11008)"
_POP_2010 = ("pop2010", "population", 2010, UNIT_PERSONS, "Census 2010 (2010-04-01)", 1.0)

NATIONAL_COUNTY_COVARIATES_SCHEMA = table_schema(
    "national_county_covariates",
    "County covariates for every US county (the 3,142 of us_counties) as a long panel, one row per (county, year, "
    "variable), with the names, units and vintages of county_covariates (Massachusetts). A (county, year, "
    "variable) absent from the table is absent from the sources, not zero; a null value means the source lists "
    "the county but publishes no estimate. No presidential rows for Alaska (results by state house district, "
    "not borough) or Kalawao HI (votes counted in Maui), nor for Connecticut in 2024 (planning regions). Kansas "
    "City MO's 2012/2016 votes are added to Jackson County and Bedford city's 2012 votes to Bedford County VA "
    "(see vintage); DC 2024 is the sum of its wards.",
    {
        "county_fips": col("str", "5-char county FIPS", source=US_COUNTIES_SOURCE, checks=in_us_counties()),
        "county": col("str", "Census county name without a trailing ' County'", source=US_COUNTIES_SOURCE),
        "state_abbr": col("str", "two-letter state abbreviation", source=US_COUNTIES_SOURCE),
        # the other columns mean what they mean in the Massachusetts panel: one declaration of each
        **{
            name: column
            for name, column in COUNTY_COVARIATES_SCHEMA.columns.items()
            if name not in ("county_fips", "county")
        },
    },
    unique=["county_fips", "year", "variable"],
)
NATIONAL_COVARIATE_COLUMNS = list(NATIONAL_COUNTY_COVARIATES_SCHEMA.columns)


def to_us_counties(fips: pd.Series, file_id: str, *, excluded: pd.Series | None = None) -> pd.Series:
    """FIPS recoded to us_counties (RENAMED_FIPS, FOLDED_UNITS); rows flagged `excluded` become None.

    SchemaError for any other FIPS that is not a county of us_counties()."""
    recode = {**RENAMED_FIPS, **{unit: county for unit, (county, _) in FOLDED_UNITS.items()}}
    text = fips5(fips).astype("object").reset_index(drop=True)
    fips = text.map(lambda code: recode.get(code, code))
    if excluded is not None:
        fips = fips.where(~excluded.to_numpy(), None)
    unknown = sorted(set(fips.dropna()) - national_fips())
    if unknown:
        raise SchemaError(
            f"{file_id}: FIPS {unknown[:10]} are not counties of us_counties() and are not a known renamed, folded "
            "or non-county unit; what to do: check the file, or extend the rules in "
            "ma_ice_coop/tables/loaders/national/covariates.py with the reason"
        )
    return fips


def national_votes(fips: pd.Series, year: int, dem, rep, total, file_id: str) -> pd.DataFrame:
    """County_fips, year, dem/rep/total votes, source_file: summed per county (folded units), checked."""
    frame = pd.DataFrame(
        {
            "county_fips": fips.to_numpy(),
            "dem_votes": np.asarray(dem),
            "rep_votes": np.asarray(rep),
            "total_votes": np.asarray(total),
        }
    ).dropna(subset=["county_fips"])
    if frame[["dem_votes", "rep_votes", "total_votes"]].isna().any().any():
        bad = frame.loc[frame.isna().any(axis=1), "county_fips"].tolist()[:10]
        raise SchemaError(f"{file_id} {year}: missing votes for {bad}; what to do: restore the file")
    out = frame.groupby("county_fips", as_index=False, sort=True)[["dem_votes", "rep_votes", "total_votes"]].sum()
    bad = (out["dem_votes"] + out["rep_votes"] > out["total_votes"]) | (out["total_votes"] <= 0)
    if bad.any():
        raise SchemaError(
            f"{file_id} {year}: Democratic + Republican votes exceed the total, or no votes, for "
            f"{sorted(out.loc[bad, 'county_fips'])[:10]}; what to do: restore the file"
        )
    out.insert(1, "year", year)
    out["source_file"] = file_id
    return out


def pres_votes_2008(path=None) -> pd.DataFrame:
    """President 2008 by county, tonmcg 08-16 file (no Alaska rows, as published).

    Total = dem_2008 + gop_2008 + oth_2008: the file's total_2008 disagrees with its own parts in 5 counties
    (LaPorte IN 208,757 for 46,919 votes; Laclede MO 2,024 for 16,323; Sauk WI, Ottawa OH, Platte MO by < 2%).
    Elsewhere, Massachusetts included, the two are equal."""
    rows = read_text_csv(path or input_path(TONMCG_2008), TONMCG_2008, TONMCG_2008_2016_COLUMNS)
    num = {c: to_number(rows[c], TONMCG_2008, c) for c in ("dem_2008", "gop_2008", "oth_2008")}
    fips = to_us_counties(rows["fips_code"], TONMCG_2008)
    total = num["dem_2008"] + num["gop_2008"] + num["oth_2008"]
    return national_votes(fips, 2008, num["dem_2008"], num["gop_2008"], total, TONMCG_2008)


def read_election_context(path=None) -> pd.DataFrame:
    """MEDSL election-context-2018 (national, text)."""
    return read_text_csv(path or input_path(MEDSL_CONTEXT), MEDSL_CONTEXT, ELECTION_CONTEXT_COLUMNS)


def pres_votes_2012_2016(rows: pd.DataFrame) -> pd.DataFrame:
    """President 2012 and 2016 by county, MEDSL election-context (total = dem + rep + other)."""
    fips = to_us_counties(rows["fips"], MEDSL_CONTEXT)
    frames = []
    for year, (dem, rep, other) in {
        2012: ("obama12", "romney12", "otherpres12"),
        2016: ("clinton16", "trump16", "otherpres16"),
    }.items():
        d, r, o = (to_number(rows[c], MEDSL_CONTEXT, c) for c in (dem, rep, other))
        frames.append(national_votes(fips, year, d, r, d + r + o, MEDSL_CONTEXT))
    return pd.concat(frames, ignore_index=True)


def pres_votes_yearly(year: int, path=None) -> pd.DataFrame:
    """President 2020 or 2024 by county, tonmcg yearly file, without NON_COUNTY_UNITS."""
    fid = TONMCG_YEARLY[year]
    rows = read_text_csv(path or input_path(fid), fid, TONMCG_2020_2024_COLUMNS)
    fips = fips5(rows["county_fips"])
    excluded = rows["state_name"].eq("Alaska")
    if year == 2024:
        excluded |= fips.str.startswith("09") & ~fips.isin(national_fips())
    num = {c: to_number(rows[c], fid, c) for c in ("votes_dem", "votes_gop", "total_votes")}
    wards = rows["state_name"].eq("District of Columbia")
    fips = to_us_counties(rows["county_fips"].where(~wards, DC_FIPS), fid, excluded=excluded)
    return national_votes(fips, year, num["votes_dem"], num["votes_gop"], num["total_votes"], fid)


def folded_vintage_notes(panel: pd.DataFrame, context: pd.DataFrame) -> pd.Series:
    """The vintage text with a note on rows whose county received a folded unit's votes that year."""
    vintage = panel["vintage"].copy()
    fips = fips5(context["fips"])
    for unit, (county, what) in FOLDED_UNITS.items():
        row = context[fips == unit]
        for year, column in ((2012, "obama12"), (2016, "clinton16")):
            counted = len(row) and float(to_number(row[column], MEDSL_CONTEXT, column).iloc[0] or 0) > 0
            hit = (panel["county_fips"] == county) & (panel["year"] == year) & panel["variable"].str.startswith("pres_")
            if counted:
                vintage[hit] = vintage[hit] + f"; includes {what}, MEDSL unit {unit}"
    dc = (panel["county_fips"] == DC_FIPS) & (panel["year"] == 2024) & panel["variable"].str.startswith("pres_")
    vintage[dc] = vintage[dc] + "; " + DC_2024_NOTE
    return vintage


def rows_of(fips, year: int, variable: str, values, *, unit: str, source_file: str, vintage: str, moe=None):
    """Panel rows (without county, state) for one variable-year; as panel.long_rows, built from arrays."""
    values = np.asarray(values, dtype="float64")
    return pd.DataFrame(
        {
            "county_fips": np.asarray(fips, dtype=object),
            "year": int(year),
            "variable": variable,
            "value": values,
            "moe": np.asarray(moe, dtype="float64") if moe is not None else np.full(len(values), np.nan),
            "unit": unit,
            "source_file": source_file,
            "vintage": vintage,
        }
    )


def item_rows(rows: pd.DataFrame, fips: pd.Series, items, file_id: str) -> list[pd.DataFrame]:
    """Long rows for (column, variable, year, unit, vintage, divisor) items; rows with fips None left out."""
    keep = fips.notna().to_numpy()
    frames = []
    for column, variable, year, unit, vintage, divisor in items:
        values = to_number(rows[column], file_id, column) / divisor
        frames.append(
            rows_of(fips[keep], year, variable, values[keep], unit=unit, source_file=file_id, vintage=vintage)
        )
    return frames


def openintro_rows() -> list[pd.DataFrame]:
    """OpenIntro county_complete items (as the MA table, plus the Census 2010 count) and county_2019 with MOEs."""
    complete = read_rda_table(
        input_path(OPENINTRO_COMPLETE), OPENINTRO_COMPLETE, "county_complete", OPENINTRO_COMPLETE_COLUMNS
    ).reset_index(drop=True)
    fips = to_us_counties(complete["fips"], OPENINTRO_COMPLETE)
    frames = item_rows(complete, fips, [*OPENINTRO_COMPLETE_ITEMS, _POP_2010], OPENINTRO_COMPLETE)
    acs = read_rda_table(input_path(OPENINTRO_2019), OPENINTRO_2019, "county_2019", OPENINTRO_2019_COLUMNS)
    acs = acs.reset_index(drop=True)
    fips = to_us_counties(acs["fips"], OPENINTRO_2019)
    for column, variable, unit, divisor in OPENINTRO_2019_SPECS:
        values = to_number(acs[column], OPENINTRO_2019, column) / divisor
        moe = to_number(acs[f"{column}_moe"], OPENINTRO_2019, f"{column}_moe") / divisor
        frames.append(
            rows_of(
                fips,
                2019,
                variable,
                values,
                unit=unit,
                source_file=OPENINTRO_2019,
                vintage="ACS 2015-2019 5-year",
                moe=moe,
            )
        )
    return frames


def check_catalogue_units(panel: pd.DataFrame) -> None:
    """Every variable is a covariate of the catalogue (data/reference/measures.yaml) with the same unit."""
    covariates = catalogue().covariates
    pairs = panel[["variable", "unit"]].astype("object").drop_duplicates()
    units = pairs.groupby("variable")["unit"].agg(lambda u: "; ".join(sorted(set(u))))
    wrong = {v: u for v, u in units.items() if v not in covariates or covariates[v].unit != u}
    if wrong:
        raise SchemaError(f"national covariates: variables not in the catalogue or with another unit: {wrong}")


def load_national_county_covariates() -> pd.DataFrame:
    """The national county x year x variable covariate panel, validated, sorted by variable, year, county."""
    context = read_election_context()
    votes = pd.concat(
        [pres_votes_2008(), pres_votes_2012_2016(context), pres_votes_yearly(2020), pres_votes_yearly(2024)],
        ignore_index=True,
    )
    frames = vote_share_rows(votes, "pres")
    frames += openintro_rows()
    context_fips = to_us_counties(context["fips"], MEDSL_CONTEXT, excluded=fips5(context["fips"]).isin(FOLDED_UNITS))
    frames += item_rows(
        context.reset_index(drop=True), context_fips.reset_index(drop=True), ELECTION_CONTEXT_ITEMS, MEDSL_CONTEXT
    )
    panel = pd.concat(frames, ignore_index=True)
    panel["vintage"] = folded_vintage_notes(panel, context)
    attrs = county_attributes()
    panel["county"] = panel["county_fips"].map(attrs["county"])
    panel["state_abbr"] = panel["county_fips"].map(attrs["state_abbr"])
    panel["year"] = panel["year"].astype("int64")
    for column in ("county_fips", "county", "state_abbr", "variable", "unit", "source_file", "vintage"):
        panel[column] = panel[column].astype("str")
    check_share_ranges(panel)
    check_catalogue_units(panel)
    panel = panel[NATIONAL_COVARIATE_COLUMNS].sort_values(["variable", "year", "county_fips"], ignore_index=True)
    return NATIONAL_COUNTY_COVARIATES_SCHEMA.validate(panel)
