"""The national facility crosswalk (data/reference/national_facilities.csv) and its rules."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables import national_facilities as nf
from ma_ice_coop.tables.facilities import map_facilities

DETAINERS = nf.config.processed_dir() / "detainers.parquet"


@pytest.fixture(scope="module")
def detainers() -> pd.DataFrame:
    if not DETAINERS.exists():
        pytest.skip("processed detainers table not built (make data)")
    return pd.read_parquet(DETAINERS, columns=nf.KEY)


@pytest.fixture(scope="module")
def crosswalk() -> pd.DataFrame:
    return nf.load_national_crosswalk()


# Rule tests: facility strings below are invented examples in the NPR style, not rows of the data.
@pytest.mark.parametrize(
    ("name", "state", "operator"),
    [
        ("SOMEWHERE COUNTY JAIL", "TEXAS", "sheriff"),
        ("SOMEWHERE CO. SHERIFF DEPT", "OHIO", "sheriff"),
        ("SOMEWHERE CITY JAIL", "CALIFORNIA", "police"),
        ("SOMEWHERE CITY JAIL", "VIRGINIA", "sheriff"),
        ("US MARSHAL - SOMEWHERE", "ARIZONA", "federal"),
        ("US MARSHALS, SOMEWHERE COUNTY", "TEXAS", "federal"),
        ("SOMEWHERE FED.CORR.INST.", "OREGON", "federal"),
        ("F.C.I. SOMEWHERE", "CALIFORNIA", "federal"),
        ("CI SOMEWHERE", "TEXAS", "federal"),
        ("SOMEWHERE SPC", "TEXAS", "ice"),
        ("SOMEWHERE HOLD ROOM", "CALIFORNIA", "ice"),
        ("SOMEWHERE POLICE DEPT.", "TEXAS", "police"),
        ("SOMEWHERE STATE PRISON", "CALIFORNIA", "state_doc"),
        ("ASPC SOMEWHERE", "ARIZONA", "state_doc"),
        ("SOMEWHERE UNIT", "TEXAS", "state_doc"),
        ("SOMEWHERE UNIT", "OHIO", None),
        ("SOMEWHERE COUNTY CORRECTIONAL INSTITUTION", "GEORGIA", "state_doc"),
        ("SOMEWHERE HIGHWAY PATROL", "CALIFORNIA", "state_police"),
        ("SOMEWHERE MUNICIPAL COURT", "TEXAS", "court"),
        ("SOMEWHERE JUVENILE CENTER", "TEXAS", "other"),
        ("SOMEWHERE DETENTION CENTER", "TEXAS", None),
        ("OTHER-OTHER FACILITY", "", None),
    ],
)
def test_classify_operator_rules(name, state, operator):
    assert nf.classify_operator(name, state) == operator


@pytest.mark.parametrize(
    ("name", "state", "fips"),
    [
        ("HARRIS COUNTY JAIL", "TEXAS", "48201"),
        ("TRAVIS CTY JAIL", "TEXAS", "48453"),
        ("COLLIER COUNTY SHERIFF", "FLORIDA", "12021"),
        ("ORANGE COUNTY JAIL", "CALIFORNIA", "06059"),
        ("ORANGE COUNTY JAIL", "FLORIDA", "12095"),
        ("SALT LAKE COUNTY JAIL", "UTAH", "49035"),
        ("INDIO JAIL - RIVERSIDE COUNTY", "CALIFORNIA", "06065"),
        ("EL PASO COUNTY JAIL (CO)", "COLORADO", "08041"),
        ("FT. BEND COUNTY JAIL", "TEXAS", "48157"),
        ("RICHMOND CITY JAIL", "VIRGINIA", "51760"),
        ("LOS ANGELES CITY JAIL", "CALIFORNIA", None),
        ("HARRIS COUNTY JAIL", "", None),
        ("NOWHERE COUNTY JAIL", "TEXAS", None),
    ],
)
def test_county_from_name(name, state, fips):
    assert nf.county_from_name(name, state) == fips


def test_county_from_city_majority_rule():
    assert nf.county_from_city("EDINBURG", "TEXAS")[0] == "48215"
    assert nf.county_from_city("QUEENS", "NEW YORK")[0] == "36081"
    fips, note = nf.county_from_city("MANASSAS", "VIRGINIA")  # zip codes split between two counties
    assert fips is None and "no clear majority" in note
    assert nf.county_from_city("", "TEXAS") == (None, "no city")


def test_crosswalk_covers_every_detainer_string(detainers, crosswalk):
    keys = set(map(tuple, nf.detainer_keys(detainers).drop_duplicates().itertuples(index=False)))
    listed = set(map(tuple, crosswalk[nf.KEY].itertuples(index=False)))
    assert keys <= listed, sorted(keys - listed)[:10]
    assert crosswalk["fy2015_detainers"].sum() == len(detainers) == 79_053
    placed = nf.place_detainers(detainers, crosswalk)
    assert placed.index.equals(detainers.index) and placed.notna().all().all()


def test_key_facilities(crosswalk):
    rows = crosswalk.set_index(nf.KEY)
    expected = {
        ("ARIZONA", "MARICOPA COUNTY JAIL", "PHOENIX"): ("04013", "sheriff"),
        ("CALIFORNIA", "LOS ANGELES COUNTY JAIL-TWIN TOWER", "LOS ANGELES"): ("06037", "sheriff"),
        ("TEXAS", "HARRIS COUNTY JAIL", "HOUSTON"): ("48201", "sheriff"),
        ("ILLINOIS", "COOK COUNTY JAIL", "CHICAGO"): ("17031", "sheriff"),
        ("CALIFORNIA", "LOS ANGELES CITY JAIL", "LOS ANGELES"): ("06037", "police"),
        ("PENNSYLVANIA", "MOSHANNON VALLEY CORRECTIONAL", "PHILIPSBURG"): ("42033", "federal"),
        ("TEXAS", "CI EDEN", "EDEN"): ("48095", "federal"),
        ("TEXAS", "BSCC FLIGHTLINE UNIT", "BIG SPRING"): ("48227", "federal"),
        ("VIRGINIA", "PRINCE WILLIAM", "MANASSAS"): ("51153", "sheriff"),
        ("CALIFORNIA", "VISTA DETENTION FACILITY", "VISTA"): ("06073", "sheriff"),
        ("", "OTHER-OTHER FACILITY", ""): ("", "unknown"),
    }
    for key, (fips, operator) in expected.items():
        assert (rows.loc[key, "county_fips"], rows.loc[key, "operator_type"]) == (fips, operator), key


def test_massachusetts_rows_agree_with_ma_crosswalk(crosswalk):
    ma = crosswalk[crosswalk["facility_state"] == nf.MA_STATE].reset_index(drop=True)
    mapped = map_facilities(ma, nf.MA_SOURCE, "facility_name", "facility_city")
    assert len(ma) == 33 and (ma["method"] == "ma_crosswalk").all()
    assert ma["county_fips"].tolist() == mapped["county_fips"].tolist()
    assert ma["operator_type"].tolist() == mapped["operator_type"].tolist()


def test_hand_rows_have_notes(crosswalk):
    hand = crosswalk[crosswalk["method"] == "hand"]
    assert len(hand) > 100 and hand["note"].str.strip().ne("").all()


def test_rules_reproduce_every_non_hand_row(detainers, crosswalk):
    drafted = nf.draft_crosswalk(detainers).set_index(nf.KEY)
    committed = crosswalk[crosswalk["method"] != "hand"].set_index(nf.KEY)
    redrafted = drafted.loc[committed.index]
    differ = (redrafted != committed).any(axis=1)
    assert not differ.any(), redrafted[differ].head(10).to_string()


def _write(tmp_path, table: pd.DataFrame):
    path = tmp_path / "national_facilities.csv"
    table.to_csv(path, index=False)
    return path


@pytest.fixture
def small(crosswalk) -> pd.DataFrame:
    return crosswalk.head(5).astype(str).copy()


def test_load_rejects_renamed_column(tmp_path, small):
    with pytest.raises(SchemaError, match="expected exactly"):
        nf.load_national_crosswalk(_write(tmp_path, small.rename(columns={"county_fips": "fips"})))


def test_load_rejects_bad_fips(tmp_path, small):
    small.loc[1, "county_fips"] = "99999"
    with pytest.raises(SchemaError, match="(?s)not a US county FIPS.*what to do"):
        nf.load_national_crosswalk(_write(tmp_path, small))


def test_load_rejects_fips_in_another_state(tmp_path, small):
    row = small.index[small["facility_state"] == "ARIZONA"][0]
    small.loc[row, "county_fips"] = "48201"
    with pytest.raises(SchemaError, match="not in the row's state 'ARIZONA'"):
        nf.load_national_crosswalk(_write(tmp_path, small))


def test_load_rejects_hand_row_without_note(tmp_path, small):
    small.loc[2, ["method", "note"]] = ["hand", ""]
    with pytest.raises(SchemaError, match="hand row needs a note"):
        nf.load_national_crosswalk(_write(tmp_path, small))


def test_place_detainers_names_missing_strings(small):
    # Invented detainer row: a facility string that is in no crosswalk.
    frame = pd.DataFrame({"facility_state": ["TEXAS"], "facility_name": ["NOWHERE JAIL"], "facility_city": ["X"]})
    with pytest.raises(
        SchemaError, match="(?s)NOWHERE JAIL.*python -m ma_ice_coop.tables.loaders.national.facility_strings"
    ):
        nf.place_detainers(frame, small.assign(fy2015_detainers=small["fy2015_detainers"].astype(int)))
