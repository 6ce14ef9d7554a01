"""National tables (loaders/national): schemas, known totals, agreement with the Massachusetts tables, bad input.

Three module fixtures read the national tables that `make data` built with the real loaders (and validated
against their schemas); the other tests use small invented fixtures (labelled as such) in the real sources'
layouts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.io import read_processed
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders.national import agreements_287g as n287
from ma_ice_coop.tables.loaders.national import covariates as ncov
from ma_ice_coop.tables.loaders.national import detention as ndet
from ma_ice_coop.tables.loaders.national import facility_placement as place
from ma_ice_coop.tables.us_counties import us_counties

REPO = Path(__file__).resolve().parents[1]
PROCESSED = REPO / "data" / "processed"


def _ma_table(name: str, loader):
    """The processed Massachusetts table when built, else its loader's output (the same frame)."""
    path = PROCESSED / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else loader()


@pytest.fixture(scope="module")
def covariates() -> pd.DataFrame:
    return read_processed("national_county_covariates")


@pytest.fixture(scope="module")
def agreements() -> pd.DataFrame:
    return read_processed("national_agreements_287g")


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return read_processed("national_ice_detention_daily")


# ----------------------------------------------------------------------------- covariates


def test_national_covariates_cover_the_counties_and_agree_with_ma(covariates):
    from ma_ice_coop.tables.loaders.covariates import load_county_covariates  # lazy: only when not built

    assert set(covariates["county_fips"]) == set(us_counties()["county_fips"])
    pres16 = covariates[(covariates["variable"] == "pres_dem_share") & (covariates["year"] == 2016)]
    no_result = us_counties()["state_abbr"].eq("AK") | us_counties()["county_fips"].eq("15005")  # Kalawao
    assert set(pres16["county_fips"]) == set(us_counties().loc[~no_result, "county_fips"])
    ct24 = covariates[(covariates["year"] == 2024) & covariates["county_fips"].str.startswith("09")]
    assert ct24.empty  # Connecticut 2024 is by planning region
    ma = _ma_table("county_covariates", load_county_covariates)
    joined = ma.merge(
        covariates[covariates["state_abbr"] == "MA"],
        on=["county_fips", "year", "variable", "source_file"],
        suffixes=("_ma", "_us"),
    )
    assert len(joined) >= 900  # every shared variable-year from a shared source file
    pd.testing.assert_series_equal(joined["value_ma"], joined["value_us"], check_names=False)
    pd.testing.assert_series_equal(joined["moe_ma"], joined["moe_us"], check_names=False)
    assert (joined["vintage_ma"] == joined["vintage_us"]).all() and (joined["county_ma"] == joined["county_us"]).all()


def test_folded_and_renamed_units_are_counted_in_their_county(covariates):
    jackson = covariates[(covariates["county_fips"] == "29095") & (covariates["variable"] == "pres_dem_votes")]
    context = ncov.read_election_context()
    dem12 = context.set_index("fips")["obama12"].astype(float)
    assert jackson.set_index("year").loc[2012, "value"] == dem12["29095"] + dem12["36000"]
    assert "Kansas City" in jackson.set_index("year").loc[2012, "vintage"]
    assert (covariates["county_fips"] == "46102").any() and not (covariates["county_fips"] == "46113").any()


def test_unknown_fips_is_an_error_not_a_silent_drop():
    with pytest.raises(SchemaError, match="99999"):
        ncov.to_us_counties(pd.Series(["25001", "99999"]), "invented")


def test_renamed_vote_column_gives_a_clear_error(tmp_path):
    # invented fixture in the tonmcg 2020 layout, 'votes_dem' renamed
    path = tmp_path / "tonmcg_2020.csv"
    path.write_text(
        "state_name,county_fips,county_name,votes_gop,democratic,total_votes\nMassachusetts,25001,X,1,2,3\n"
    )
    with pytest.raises(SchemaError, match="votes_dem"):
        ncov.pres_votes_yearly(2020, path)


# ----------------------------------------------------------------------------- 287(g)


def test_wapo_rows_match_the_workbook(agreements):
    from ma_ice_coop.tables.loaders.agreements_287g import read_wapo_ma_flags  # the MA reader, for agreement

    sheet = n287.read_wapo_agencies()
    sheriff = sheet[sheet["agency"].map(n287.agency_kind).notna()]
    wapo = agreements[agreements["source_file"] == n287.WAPO_FILE]
    in_2015 = wapo[(wapo["year"] == 2015) & wapo["in_list"]]
    raw = pd.read_excel(input_path(n287.WAPO_FILE), engine="calamine")
    x_2015 = int(raw["y2015"].astype("str").str.strip().str.upper().eq("X").sum())
    assert int(sheet["y2015"].sum()) == x_2015  # nothing skipped while reading
    assert len(in_2015) + int(sheet.loc[sheet.index.difference(sheriff.index), "y2015"].sum()) <= x_2015
    placed = {
        n287.place_wapo(s, a, f)[0] for s, a, f, x in sheriff[["state", "agency", "wapo_fips", "y2015"]].to_numpy() if x
    }
    assert len(in_2015) == len(placed)
    assert wapo.groupby("list_id").size().nunique() == 1  # every sheet county has one row per year
    ma = read_wapo_ma_flags()
    ma = ma[ma["agency_key"].str.fullmatch(r"\d{5}")].set_index(["agency_key", "year"])["flagged"]
    ours = wapo[wapo["state_abbr"] == "MA"].set_index(["county_fips", "year"])["in_list"]
    assert ours.sort_index().to_dict() == ma.sort_index().to_dict()
    flags_2018 = n287.read_wapo_agencies(input_path("wapo_287g_2018"))
    assert flags_2018.filter(like="y20").equals(sheet.filter(like="y20"))


def test_appelson_rows(agreements):
    ice = agreements[agreements["source_file"] == n287.APPELSON_FILE]
    assert ice["list_id"].nunique() == 17 and ice["in_list"].all()
    assert ice["list_date"].min() == pd.Timestamp("2025-05-16") and ice["list_date"].max() == pd.Timestamp("2025-07-03")
    raw = pd.read_csv(input_path(n287.APPELSON_FILE), dtype=str, keep_default_na=False)
    last = raw[(raw["date"] == "2025-07-03 pm") & raw["agency_type"].eq(n287.APPELSON_SHERIFF_TYPE)]
    typed_counties = {
        n287.place_appelson(*k)[0] for k in last[["state", "county", "agency", "zip"]].drop_duplicates().to_numpy()
    }
    assert typed_counties <= set(ice.loc[ice["list_id"] == "2025-07-03 pm", "county_fips"])
    assert not (ice["state_abbr"] == "MA").any()  # 2025: the MA DOC only, no sheriff
    placed = agreements[agreements["county_fips"].notna()]
    assert not placed.duplicated(["source_file", "list_id", "county_fips"]).any()  # one row per county and list


def test_agency_placement_rules():
    assert n287.agency_county_name("Etowah County Sheriff's Office") == "Etowah County"
    assert n287.agency_kind("Pinal County") == "sheriff" and n287.agency_kind("Mesa Police Department") is None
    assert n287.agency_kind("Osceola County Corrections Dept.") == "county_corrections"
    assert n287.agency_kind("Florida Department of Corrections") is None
    # rows as written in Appelson's list: the county column says Macon, the name and ORI say Madison
    fips, how, note = n287.place_appelson("TENNESSEE", "Macon County", "madison county sheriff", "NA")
    assert (fips, how) == ("47113", "agency_name") and "Macon" in note
    assert n287.place_appelson("TEXAS", "Nowhere County", "a town police", "NA")[1] == "unplaced"


def test_renamed_appelson_column_gives_a_clear_error(tmp_path):
    # invented fixture in the Appelson agreements.csv layout, 'agency' renamed
    path = tmp_path / "agreements.csv"
    path.write_text(
        "date,state,county,zip,agency_name,agency_id,ori,type,population_policed,operating_budget,"
        "agency_type\n2025-05-16 am,ALABAMA,Colbert County,36351,colbert county sheriff,1,AL0200000,"
        "Jail Enforcement Model,1,1,(001) Sheriff\n"
    )
    with pytest.raises(SchemaError, match="agency"):
        n287.appelson_rows(path)


# ----------------------------------------------------------------------------- detention


def test_national_headcount_totals_and_ma_agreement(daily):
    from ma_ice_coop.tables.loaders.ice_detention import load_ice_detention_daily  # lazy: only when not built

    raw = pd.read_csv(
        input_path(ndet.HEADCOUNT_ID),
        sep="|",
        usecols=["detention_facility_code", "n"],
        dtype={"detention_facility_code": "str", "n": "int64"},
    )
    assert len(daily) == len(raw) and daily["headcount"].sum() == raw["n"].sum()
    crosswalk = ndet.read_crosswalk()
    assert set(raw["detention_facility_code"]) == set(crosswalk["facility_code"])
    ma = _ma_table("ice_detention_daily", load_ice_detention_daily)
    ours = daily[daily["facility_code"].isin(set(ma["facility_code"]))]
    assert len(ours) == len(ma) and ours["headcount"].sum() == ma["headcount"].sum()
    by_code = ours.drop_duplicates("facility_code").set_index("facility_code")
    expected = ma.drop_duplicates("facility_code").set_index("facility_code")
    for column in ("county_fips", "operator_type", "sheriff_county_fips"):
        got = by_code[column].astype("object").reindex(expected.index)
        want = expected[column].astype("object")
        assert got.where(got.notna(), None).to_dict() == want.where(want.notna(), None).to_dict(), column
    assert (daily["before_full_coverage"] == (daily["date"] < ndet.FULL_COVERAGE_START)).all()


def test_crosswalk_rows_say_why():
    crosswalk = ndet.read_crosswalk()
    hand = crosswalk[(crosswalk["method"] == "hand") | (crosswalk["operator_basis"] == "hand")]
    assert hand["note"].str.startswith("hand: ").all()
    assert (crosswalk.loc[crosswalk["county_fips"] == "", "note"] != "").all()  # every unplaced code says why
    assert crosswalk["operator_basis"].str.match(r"^(rule: |hand$|ma_crosswalk$)").all()


def test_operator_rules():
    assert place.classify_operator("SPC", "KROME NORTH SPC")[0] == "ice"
    assert place.classify_operator("IGSA", "ETOWAH COUNTY JAIL")[0] == "sheriff"
    assert place.classify_operator("IGSA", "SANTA ANA CITY JAIL")[0] == "police"
    assert place.classify_operator("IGSA", "HALL COUNTY DEPARTMENT OF CORRECTIONS")[0] == "sheriff"
    assert place.classify_operator("IGSA", "PERRYVILLE STATE PRISON")[0] == "state_doc"
    assert place.classify_operator("IGSA", "ADAMS COUNTY DET CENTER", "DIGSA")[0] == "ice"
    assert place.classify_operator("IGSA", "SOMEWHERE DETENTION CENTER")[0] == "unknown"


def test_bad_headcount_and_crosswalk_give_clear_errors(tmp_path):
    # invented fixtures in the UWCHR headcount layout ('n' renamed) and the crosswalk layout (bad operator)
    heads = tmp_path / "headcount.csv"
    heads.write_text("detention_facility_code|count|date\nPLYMOMA|3|2015-01-01\n")
    with pytest.raises(SchemaError, match="expected"):
        ndet.read_national_headcount(heads)
    crosswalk = tmp_path / "crosswalk.csv"
    row = ["PLYMOMA", "X", "PLYMOUTH", "MA", "25023", "jailer", "IGSA", "IGSA", "uwchr_county", "rule: x", ""]
    crosswalk.write_text(",".join(place.CROSSWALK_COLUMNS) + "\n" + ",".join(row) + "\n")
    with pytest.raises(SchemaError, match="jailer"):
        ndet.read_crosswalk(crosswalk)
