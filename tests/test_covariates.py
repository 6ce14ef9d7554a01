"""County covariate panel: derivations match the mirror extracts, totals match official returns,
shares are in range, bad input is a clear error, and the build is deterministic."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.extracts import compare_frames, read_extract
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders import covariates as cov
from ma_ice_coop.tables.schemas import COUNTY_FIPS

PRES_YEARS = [2000, 2004, 2008, 2012, 2016, 2020, 2024]
GOV_YEARS = [2014, 2018, 2022]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return cov.load_county_covariates()


@pytest.fixture(scope="module")
def official() -> pd.DataFrame:
    """Statewide president/governor results (MA Secretary of the Commonwealth via ma-election-db).

    official_total = total_votes - blank_votes (votes cast for candidates), which reproduces the
    published totals, e.g. 2,702,984 (2000) and 2,912,388 (2004) as in the countypres SOURCE.md.
    """
    s = pd.read_csv(input_path("ma_election_summaries"))
    s = s[s["office"].isin(["President", "Governor"]) & ~s["is_special"].astype(bool)].copy()
    s["year"] = s["election_date"].str[:4].astype(int)
    s["official_total"] = s["total_votes"] - s["blank_votes"]
    return s.set_index(["office", "year"])[["votes_dem", "votes_gop", "official_total"]]


# ---------------------------------------------------------------- derivations vs mirror extracts

SMALL_EXTRACTS = [
    ("tonmcg_pres_2008_2016_ma", cov.derive_tonmcg_pres_2008_2016_ma),
    ("tonmcg_pres_2012_2016_ma", cov.derive_tonmcg_pres_2012_2016_ma),
    ("tonmcg_pres_2016_ma", cov.derive_tonmcg_pres_2016_ma),
    ("tonmcg_pres_2020_ma", cov.derive_tonmcg_pres_2020_ma),
    ("tonmcg_pres_2024_ma", cov.derive_tonmcg_pres_2024_ma),
    ("medsl_election_context_2018_ma", cov.derive_medsl_election_context_2018_ma),
    ("medsl_2018_county_governor_ma", cov.derive_medsl_2018_county_governor_ma),
    ("medsl_2022_county_sheriff_governor_ma", cov.derive_medsl_2022_county_sheriff_governor_ma),
    ("openintro_county_complete_ma", cov.derive_openintro_county_complete_ma),
    ("openintro_county_2019_ma", cov.derive_openintro_county_2019_ma),
]


@pytest.mark.parametrize("file_id,derive", SMALL_EXTRACTS, ids=[f for f, _ in SMALL_EXTRACTS])
def test_derivation_equals_mirror_extract(file_id, derive):
    assert compare_frames(derive(), read_extract(file_id)) == []


PRECINCT_EXTRACTS = [
    ("medsl_2018_precinct_governor_ma", cov.derive_medsl_2018_precinct_governor_ma),
    ("medsl_2022_precinct_sheriff_governor_ma", cov.derive_medsl_2022_precinct_sheriff_governor_ma),
]


@pytest.mark.parametrize("file_id,derive", PRECINCT_EXTRACTS, ids=[f for f, _ in PRECINCT_EXTRACTS])
def test_precinct_derivation_equals_mirror_extract(file_id, derive):
    assert compare_frames(derive(), read_extract(file_id)) == []


# ---------------------------------------------------------------- panel shape and schema


def test_panel_matches_schema_and_key(panel):
    assert list(panel.columns) == cov.PANEL_COLUMNS
    cov.COUNTY_COVARIATES_SCHEMA.validate(panel)
    assert not panel.duplicated(["county_fips", "year", "variable"]).any()
    assert set(panel["county_fips"]) == set(COUNTY_FIPS)
    assert (panel["county"] == panel["county_fips"].map(cov.COUNTY_NAMES)).all()
    assert not panel["county"].str.contains("County").any()


def test_panel_is_deterministic(panel):
    again = cov.load_county_covariates()
    pd.testing.assert_frame_equal(panel, again)
    assert panel.to_csv(index=False) == again.to_csv(index=False)


@pytest.mark.parametrize("variable", ["pres_dem_share", "pres_rep_share", "pres_dem_margin", "pres_total_votes"])
def test_fourteen_counties_every_presidential_year(panel, variable):
    rows = panel[panel["variable"] == variable]
    assert sorted(rows["year"].unique()) == PRES_YEARS
    assert (rows.groupby("year")["county_fips"].nunique() == 14).all()
    assert rows["value"].notna().all()


def test_fourteen_counties_every_governor_year(panel):
    rows = panel[panel["variable"] == "gov_dem_share"]
    assert sorted(rows["year"].unique()) == GOV_YEARS
    assert (rows.groupby("year")["county_fips"].nunique() == 14).all()


def test_presidential_source_rule(panel):
    """MEDSL where mirrored (2000, 2004, 2012, 2016), tonmcg otherwise (2008, 2020, 2024)."""
    src = panel[panel["variable"] == "pres_dem_share"].groupby("year")["source_file"].unique()
    assert {y: list(v) for y, v in src.items()} == {
        2000: ["medsl_countypres_2000_2004_ma"],
        2004: ["medsl_countypres_2000_2004_ma"],
        2008: ["tonmcg_pres_2008_2016"],
        2012: ["medsl_election_context_2018"],
        2016: ["medsl_election_context_2018"],
        2020: ["tonmcg_pres_2020"],
        2024: ["tonmcg_pres_2024"],
    }


def test_shares_in_unit_interval(panel):
    shares = panel[panel["unit"] == cov.UNIT_SHARE]
    assert len(shares) > 0
    assert shares["value"].dropna().between(0, 1).all()
    margins = panel[panel["unit"] == cov.UNIT_SHARE_DIFF]
    assert margins["value"].between(-1, 1).all()
    moe = panel["moe"].dropna()
    assert (moe >= 0).all()


def test_margin_is_dem_minus_rep(panel):
    wide = panel[panel["variable"].str.startswith(("pres_", "gov_"))].pivot_table(
        index=["county_fips", "year"], columns="variable", values="value"
    )
    for office in ("pres", "gov"):
        part = wide[[f"{office}_dem_share", f"{office}_rep_share", f"{office}_dem_margin"]].dropna()
        diff = part[f"{office}_dem_share"] - part[f"{office}_rep_share"] - part[f"{office}_dem_margin"]
        assert diff.abs().max() < 1e-12
        assert (part[f"{office}_dem_share"] + part[f"{office}_rep_share"] <= 1).all()


def test_foreign_born_only_2010_and_2016(panel):
    rows = panel[panel["variable"] == "foreign_born_share"]
    assert sorted(rows["year"].unique()) == [2010, 2016]
    assert dict(rows.groupby("year")["vintage"].first()) == {2010: "ACS 2006-2010 5-year", 2016: "ACS 2012-2016 5-year"}


def test_acs_2019_rows_carry_margins_of_error(panel):
    inc = panel[(panel["variable"] == "median_household_income") & (panel["year"] == 2019)]
    assert len(inc) == 14 and inc["moe"].notna().all()
    assert (inc["vintage"] == "ACS 2015-2019 5-year").all()
    # the source publishes no 2019 poverty estimate for Dukes and Nantucket: kept as null, not dropped
    pov = panel[(panel["variable"] == "poverty_share") & (panel["year"] == 2019)].set_index("county_fips")
    assert len(pov) == 14
    assert pov["value"].isna().sum() == 2 and pov.loc[["25007", "25019"], "value"].isna().all()


# ---------------------------------------------------------------- totals against official results


def _county_sums(panel, prefix):
    rows = panel[panel["variable"].isin([f"{prefix}_dem_votes", f"{prefix}_rep_votes", f"{prefix}_total_votes"])]
    return rows.pivot_table(index="year", columns="variable", values="value", aggfunc="sum")


# Known, documented gaps of the county sources against the official statewide totals (votes for
# candidates): MEDSL 2016 `otherpres16` lacks ~50k "all others" write-ins; tonmcg 2024 is a
# pre-certification compilation; the 2014 governor county scrape is 0.3-0.4% short.
TOTAL_TOLERANCE = {("President", 2016): 0.016, ("President", 2024): 0.006, ("Governor", 2014): 0.005}
PARTY_TOLERANCE = {("Governor", 2014): 0.0035, ("President", 2024): 0.00002}


@pytest.mark.parametrize("office,prefix,years", [("President", "pres", PRES_YEARS), ("Governor", "gov", GOV_YEARS)])
def test_county_sums_match_official_statewide_totals(panel, official, office, prefix, years):
    sums = _county_sums(panel, prefix)
    for year in years:
        ref = official.loc[(office, year)]
        for column, ref_value, tol in [
            (f"{prefix}_total_votes", ref["official_total"], TOTAL_TOLERANCE.get((office, year), 0.0)),
            (f"{prefix}_dem_votes", ref["votes_dem"], PARTY_TOLERANCE.get((office, year), 0.0)),
            (f"{prefix}_rep_votes", ref["votes_gop"], PARTY_TOLERANCE.get((office, year), 0.0)),
        ]:
            got = sums.loc[year, column]
            assert abs(got / ref_value - 1) <= tol, (office, year, column, got, ref_value)


def test_statewide_totals_stated_in_source_notes(panel):
    """Numbers quoted in the mirror's SOURCE.md files."""
    pres = _county_sums(panel, "pres")
    assert pres.loc[2000, "pres_total_votes"] == 2_702_984
    assert pres.loc[2004, "pres_total_votes"] == 2_912_388
    gov = _county_sums(panel, "gov")
    assert (gov.loc[2018, "gov_rep_votes"], gov.loc[2018, "gov_dem_votes"]) == (1_781_341, 885_770)
    assert (gov.loc[2022, "gov_dem_votes"], gov.loc[2022, "gov_rep_votes"]) == (1_584_403, 859_343)


def test_tonmcg_2016_close_to_medsl_2016():
    """tonmcg 2016 (not used) differs slightly from MEDSL; county Democratic shares agree within 1 point."""
    tm = cov.derive_tonmcg_pres_2016_ma()
    tm_share = (tm["votes_dem"].astype(float) / tm["total_votes"].astype(float)).set_axis(
        cov.fips5(tm["combined_fips"])
    )
    medsl = cov.pres_votes_election_context()
    medsl = medsl[medsl["year"] == 2016].set_index("county_fips")
    diff = (medsl["dem_votes"] / medsl["total_votes"] - tm_share.reindex(medsl.index)).abs()
    assert diff.max() < 0.01


def test_population_sources_agree_and_sum_to_state():
    pep = cov.read_text_csv(input_path("census_pep_v2020_ma"), "census_pep_v2020_ma", cov.PEP_COLUMNS)
    counties = pep[pep["SUMLEV"] == "50"]
    state = pep[pep["SUMLEV"] == "40"].iloc[0]
    assert counties["CENSUS2010POP"].astype(int).sum() == int(state["CENSUS2010POP"]) == 6_547_629
    assert counties["POPESTIMATE2020"].astype(int).sum() == int(state["POPESTIMATE2020"]) == 6_893_574
    oi = cov.derive_openintro_county_complete_ma().set_index("fips5")["pop2010"].astype(float)
    pep_2010 = counties.set_index(counties["STATE"] + counties["COUNTY"].str.zfill(3))["CENSUS2010POP"].astype(float)
    assert (oi.sort_index() == pep_2010.sort_index()).all()


# ---------------------------------------------------------------- sheriff 2022


def test_sheriff_2022_rows(panel):
    res = cov.sheriff_2022_results().set_index("county_fips")
    assert sorted(res.index) == COUNTY_FIPS  # every county elected a sheriff in 2022 (MEDSL)
    contested = set(res.index[res["contested"] == 1])
    assert contested == {"25001", "25005", "25015", "25019", "25027"}
    assert (res.loc[res["contested"] == 0, "margin"] == 1.0).all()
    assert res.loc["25003", "winner"] == "THOMAS N BOWLER"
    assert math.isclose(res.loc["25027", "winner_share"], 166_968 / (166_968 + 116_582 + 302))
    assert math.isclose(res.loc["25005", "margin"], (92_201 - 88_910) / (92_201 + 88_910 + 126))
    rows = panel[panel["variable"].str.startswith("sheriff_2022_")]
    assert set(rows["year"]) == {2022}
    assert rows.groupby("variable")["county_fips"].nunique().to_dict() == {
        "sheriff_2022_contested": 14,
        "sheriff_2022_margin": 14,
        "sheriff_2022_total_votes": 14,
        "sheriff_2022_winner_share": 14,
    }


def test_sheriff_absent_county_is_absent(tmp_path):
    """A county without a sheriff race in the input gets no row (not zero)."""
    totals = read_extract("medsl_2022_precinct_sheriff_governor_ma")
    part = totals[~((totals["office"] == "SHERIFF") & (totals["county_fips"] == "25003"))]
    path = tmp_path / "precincts.csv"
    part.to_csv(path, index=False)
    res = cov.sheriff_2022_results(path)
    assert "25003" not in set(res["county_fips"]) and len(res) == 13


# ---------------------------------------------------------------- wide view


def test_wide_takes_latest_value_at_or_before_year(panel):
    wide = cov.county_covariates_wide(2018, panel=panel, with_years=True).set_index("county_fips")
    assert len(wide) == 14
    assert (wide["pres_dem_share_year"] == 2016).all()
    assert (wide["gov_dem_share_year"] == 2018).all()
    assert (wide["foreign_born_share_year"] == 2016).all()
    assert wide["sheriff_2022_margin"].isna().all()  # no value at or before 2018: null, not zero
    # Dukes poverty 2019 is null in the source, so a 2019 view falls back to 2016
    w19 = cov.county_covariates_wide(2019, panel=panel, variables=["poverty_share"], with_years=True)
    w19 = w19.set_index("county_fips")
    assert w19.loc["25007", "poverty_share_year"] == 2016 and w19.loc["25001", "poverty_share_year"] == 2019
    old = cov.county_covariates_wide(2024, panel=panel, variables=["foreign_born_share"], max_age=5)
    assert old["foreign_born_share"].isna().all()


def test_wide_rejects_bad_parameters(panel):
    with pytest.raises(ParameterError, match="valid"):
        cov.county_covariates_wide(2016, panel=panel, variables=["not_a_variable"])
    with pytest.raises(ParameterError):
        cov.county_covariates_wide(1990, panel=panel)
    with pytest.raises(ParameterError):
        cov.county_covariates_wide("2016", panel=panel)


# ---------------------------------------------------------------- bad input


def _altered_copy(tmp_path, file_id, rename=None, nrows=None, source=None):
    """A small copy of an input (or of a mirror extract when `source` names one), columns renamed."""
    frame = read_extract(source) if source else pd.read_csv(input_path(file_id), dtype=str, keep_default_na=False)
    if nrows is not None:
        frame = frame.head(nrows)
    frame = frame.rename(columns=rename or {})
    path = tmp_path / f"{file_id}.csv"
    frame.to_csv(path, index=False)
    return path


RENAMED = [
    (cov.derive_tonmcg_pres_2020_ma, "tonmcg_pres_2020", None, {"votes_dem": "dem_votes"}),
    (cov.pres_votes_tonmcg_2008, "tonmcg_pres_2008_2016", None, {"dem_2008": "democrat_2008"}),
    (cov.pres_votes_medsl_countypres, "medsl_countypres_2000_2004_ma", None, {"candidatevotes": "votes"}),
    (cov.derive_medsl_election_context_2018_ma, "medsl_election_context_2018", None, {"foreignborn_pct": "fb_pct"}),
    (cov.pep_v2020_rows, "census_pep_v2020_ma", None, {"POPESTIMATE2020": "POPESTIMATE_2020"}),
    (
        cov.derive_medsl_2022_county_sheriff_governor_ma,
        "medsl_2022_local_precinct",
        "medsl_2022_precinct_sheriff_governor_ma",
        {"votes": "vote_count"},
    ),
]


@pytest.mark.parametrize("parse,file_id,source,rename", RENAMED, ids=[r[1] for r in RENAMED])
def test_renamed_column_is_a_clear_error(tmp_path, parse, file_id, source, rename):
    path = _altered_copy(tmp_path, file_id, rename, nrows=500, source=source)
    old, new = next(iter(rename.items()))
    with pytest.raises(SchemaError) as err:
        parse(path)
    msg = str(err.value)
    assert file_id in msg and old in msg and new in msg and "what to do" in msg


def test_missing_county_is_a_clear_error(tmp_path):
    frame = pd.read_csv(input_path("tonmcg_pres_2020"), dtype=str, keep_default_na=False)
    frame = frame[frame["county_fips"] != "25019"]
    path = tmp_path / "no_nantucket.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="25019"):
        cov.derive_tonmcg_pres_2020_ma(path)


def test_non_numeric_votes_are_a_clear_error(tmp_path):
    frame = pd.read_csv(input_path("tonmcg_pres_2020"), dtype=str, keep_default_na=False)
    frame.loc[frame["county_fips"] == "25001", "votes_dem"] = "n/a"
    path = tmp_path / "bad_votes.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="votes_dem"):
        cov.pres_votes_tonmcg(2020, path)
