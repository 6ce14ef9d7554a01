"""The long `county_covariates` panel (county x year x variable, with source and vintage) and its wide view."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.catalogue import check_covariates
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.loaders.covariates.common import (
    COUNTY_COVARIATES_SCHEMA,
    COUNTY_NAMES,
    GENERAL_ELECTION_DATES,
    PANEL_COLUMNS,
    UNIT_CODE,
    UNIT_INDICATOR,
    UNIT_PERSONS,
    UNIT_SHARE,
    UNIT_SHARE_DIFF,
    UNIT_USD,
    UNIT_VOTES,
    fips5,
    read_text_csv,
    require_all_counties,
    to_number,
)
from ma_ice_coop.tables.loaders.covariates.extracts import (
    derive_medsl_election_context_2018_ma,
    derive_openintro_county_2019_ma,
    derive_openintro_county_complete_ma,
)
from ma_ice_coop.tables.loaders.covariates.votes import governor_votes, presidential_votes, sheriff_2022_results
from ma_ice_coop.tables.reference import sheriffs_in_office


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
    # every variable is described to readers in the catalogue (labels, unit, source), with its unit
    check_covariates(panel.groupby("variable")["unit"].agg(lambda units: "; ".join(sorted(set(units)))).to_dict())
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
