"""The facility crosswalk: coverage of every MA string of every source, integrity, domain traps, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.extracts import read_extract
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables import facilities as fac
from ma_ice_coop.tables.schemas import COUNTY_FIPS

NANTUCKET = "25019"
NORFOLK_COUNTY = "25021"


# ---------------------------------------------------------------- the MA strings of each real input


def npr_fy2015_strings() -> set[tuple]:
    raw = pd.read_excel(input_path("npr_fy2015_detainers"), engine="calamine", dtype=str)
    ma = raw[raw["State"] == "MASSACHUSETTS"]
    assert len(ma) == 410
    return set(zip(ma["Detainer Detention Facility"], ma["City"], [""] * len(ma), strict=True))


def npr_declines_strings() -> set[tuple]:
    # Duplicate header names (year, det_facility, count twice): pandas suffixes the second ones with '.1'.
    raw = pd.read_csv(input_path("npr_declines"), dtype=str, keep_default_na=False)
    ma = raw[raw["state"] == "MASSACHUSETTS"]
    assert len(ma) == 21
    return set(zip(ma["det_facility"], ma["city"], [""] * len(ma), strict=True))


def bos_landmarks() -> pd.Series:
    raw = pd.read_csv(input_path("uwchr_arrest_landmarks"), dtype=str, keep_default_na=False)
    return raw.loc[raw["aor"] == "BOS", "apprehension_landmark"]


def uwchr_facilities_ma() -> pd.DataFrame:
    raw = pd.read_csv(input_path("uwchr_detention_facilities"), sep="|", dtype=str, keep_default_na=False)
    return raw[raw["state"] == "MA"]


def vera_codes_ma() -> pd.DataFrame:
    raw = pd.read_csv(input_path("vera_facility_codes"), dtype=str, keep_default_na=False)
    return raw[raw["state"] == "MA"]


def headcount_ma_codes() -> set[str]:
    """Headcount codes (no state column) that the UWCHR or Vera facility lists place in MA."""
    raw = pd.read_csv(
        input_path("uwchr_detention_headcount"),
        sep="|",
        dtype=str,
        keep_default_na=False,
        usecols=["detention_facility_code"],
    )
    ma = set(uwchr_facilities_ma()["detloc"]) | set(vera_codes_ma()["detention_facility_code"])
    return set(raw["detention_facility_code"]) & ma


def ice_stats_strings() -> set[tuple]:
    ma = read_extract("ice_detention_stats_ma")
    return set(zip(ma["Name"], ma["City"], [""] * len(ma), strict=True))


def source_strings() -> dict[str, set[tuple]]:
    """Every distinct (name, city, code) per alias source, verbatim, as the alias table must hold them."""
    uf, vera = uwchr_facilities_ma(), vera_codes_ma()
    return {
        "npr_fy2015_detainers": npr_fy2015_strings(),
        "npr_declines": npr_declines_strings(),
        "uwchr_arrest_landmarks": {(name, "", "") for name in bos_landmarks()},
        "uwchr_detention_facilities": set(zip(uf["name"], uf["city"], uf["detloc"], strict=True)),
        "uwchr_detention_headcount": {("", "", code) for code in headcount_ma_codes()},
        "vera_facility_codes": set(
            zip(vera["detention_facility_name"], vera["city"], vera["detention_facility_code"], strict=True)
        ),
        "ice_detention_stats": ice_stats_strings(),
    }


@pytest.fixture(scope="module")
def strings() -> dict[str, set[tuple]]:
    return source_strings()


@pytest.fixture(scope="module")
def facilities() -> pd.DataFrame:
    return fac.load_facilities()


@pytest.fixture(scope="module")
def aliases() -> pd.DataFrame:
    return fac.load_facility_aliases()


def alias_rows(aliases: pd.DataFrame, source: str) -> set[tuple]:
    rows = aliases[aliases["source"] == source]
    return set(zip(rows["raw_name"], rows["raw_city"], rows["raw_code"], strict=True))


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("source", fac.ALIAS_SOURCES)
def test_every_massachusetts_string_of_every_source_has_an_alias(strings, aliases, source):
    missing = strings[source] - alias_rows(aliases, source)
    assert not missing, f"{source}: add these to data/reference/facility_aliases.csv: {sorted(missing)}"


@pytest.mark.parametrize("source", fac.ALIAS_SOURCES)
def test_alias_table_holds_only_strings_found_in_the_sources(strings, aliases, source):
    stale = alias_rows(aliases, source) - strings[source]
    assert not stale, f"{source}: alias rows match no string of the source: {sorted(stale)}"


def test_coverage_counts(strings):
    assert len(strings["uwchr_arrest_landmarks"]) == 554  # SOURCE.md: 554 BOS rows, incl. 'NA'
    assert ("NA", "", "") in strings["uwchr_arrest_landmarks"]
    assert len(strings["vera_facility_codes"]) == 22
    assert len(strings["uwchr_detention_facilities"]) == 18


def test_headcount_ma_codes_equal_the_mirror_extract():
    extract = read_extract("uwchr_detention_headcount_ma", sep="|")
    assert headcount_ma_codes() == set(extract["detention_facility_code"])


def test_npr_ma_extract_has_the_same_strings_as_the_national_workbook():
    extract = read_extract("npr_fy2015_detainers_ma")
    assert (
        set(zip(extract["Detainer Detention Facility"], extract["City"], [""] * len(extract), strict=True))
        == npr_fy2015_strings()
    )


def test_detainer_and_detention_sources_map_to_facilities_only(aliases):
    """NPR, ICE-code and ICE-statistics strings all name MA places of custody: none is unplaced."""
    rows = aliases[aliases["source"] != "uwchr_arrest_landmarks"]
    assert set(rows["status"]) == {"facility"}


def test_map_facilities_on_every_real_source(strings):
    for source, keys in strings.items():
        frame = pd.DataFrame(sorted(keys), columns=["name", "city", "code"])
        mapped = fac.map_facilities(frame, source, "name", "city", "code")
        assert len(mapped) == len(frame)
        assert mapped["status"].notna().all()
        facility = mapped["status"] == "facility"
        assert mapped.loc[facility, "facility_id"].notna().all()
        assert mapped.loc[~facility, "facility_id"].isna().all()


def test_fy2015_detainers_every_row_reaches_a_facility():
    raw = pd.read_excel(input_path("npr_fy2015_detainers"), engine="calamine", dtype=str)
    ma = raw[raw["State"] == "MASSACHUSETTS"]
    mapped = fac.map_facilities(ma, "npr_fy2015_detainers", "Detainer Detention Facility", "City")
    assert len(mapped) == 410 and (mapped["status"] == "facility").all()
    assert mapped.index.equals(ma.index)


def test_bos_landmark_statuses(aliases):
    rows = aliases[aliases["source"] == "uwchr_arrest_landmarks"]
    assert len(rows) == 554
    assert rows["status"].value_counts().to_dict() == {"outside_ma": 315, "facility": 177, "unplaced": 62}
    status = dict(zip(rows["raw_name"], rows["status"], strict=True))
    assert status["FUGITIVE OPERATIONS MA"] == "unplaced"
    assert status["NA"] == "unplaced"
    assert status["HARTFORD, CT"] == "outside_ma"
    assert status["CAP ACI"] == "outside_ma"  # Rhode Island ACI


# ---------------------------------------------------------------- integrity


def test_reference_tables_are_valid(facilities, aliases):
    assert list(fac.load_facilities().columns) == fac.FACILITY_COLUMNS
    assert list(aliases.columns) == fac.ALIAS_COLUMNS
    assert set(facilities["operator_type"]) <= set(fac.OPERATOR_TYPES)
    assert facilities["source_url"].str.startswith("http").all()


def test_referential_integrity(facilities, aliases):
    ids = set(facilities["facility_id"])
    used = set(aliases.loc[aliases["status"] == "facility", "facility_id"])
    assert used <= ids
    assert ids <= used, f"facilities no alias points to: {sorted(ids - used)}"
    assert (aliases.loc[aliases["status"] != "facility", "facility_id"] == "").all()


def test_sheriff_fips_only_on_sheriff_facilities(facilities):
    sheriff = facilities["operator_type"] == "sheriff"
    assert facilities.loc[sheriff, "sheriff_county_fips"].isin(COUNTY_FIPS).all()
    assert facilities.loc[~sheriff, "sheriff_county_fips"].isna().all()
    assert facilities["county_fips"].dropna().isin(COUNTY_FIPS).all()


def test_code_aliases_point_at_the_facility_carrying_that_code(facilities, aliases):
    by_code = facilities.dropna(subset=["ice_code"]).set_index("ice_code")["facility_id"]
    coded = aliases[aliases["raw_code"] != ""]
    assert (coded["facility_id"] == coded["raw_code"].map(by_code)).all()


# ---------------------------------------------------------------- domain traps


def lookup(source: str, name: str, city: str = "", code: str = "") -> pd.Series:
    frame = pd.DataFrame({"name": [name], "city": [city], "code": [code]})
    return fac.map_facilities(frame, source, "name", "city", "code").iloc[0]


def test_town_of_norfolk_is_state_doc_not_the_norfolk_sheriff():
    for name in ("MCI NORFOLK", "BAY STATE CORR, NORFOLK"):
        row = lookup("npr_fy2015_detainers", name, "NORFOLK")
        assert row["operator_type"] == "state_doc"
        assert row["county_fips"] == NORFOLK_COUNTY  # located in Norfolk County ...
        assert pd.isna(row["sheriff_county_fips"])  # ... but not run by its sheriff
    sheriff = lookup("npr_fy2015_detainers", "NORFLK CNTY DEDHAM", "DEDHAM")
    assert (sheriff["operator_type"], sheriff["sheriff_county_fips"]) == ("sheriff", NORFOLK_COUNTY)


def test_nantucket_has_no_sheriff_facility(facilities):
    sheriff = facilities[facilities["operator_type"] == "sheriff"]
    assert NANTUCKET not in set(sheriff["sheriff_county_fips"]) | set(sheriff["county_fips"])
    row = lookup("npr_fy2015_detainers", "MASSACHUSETTS STATE POLICE", "NANTUCKET")
    assert (row["operator_type"], row["county_fips"]) == ("state_police", NANTUCKET)


def test_every_county_but_nantucket_has_a_sheriff_facility(facilities):
    run = set(facilities.loc[facilities["operator_type"] == "sheriff", "sheriff_county_fips"])
    assert run == set(COUNTY_FIPS) - {NANTUCKET}


@pytest.mark.parametrize(
    "source,name,city,code,facility_id,operator_type",
    [
        ("npr_fy2015_detainers", "NASHUA ST. JAIL", "BOSTON", "", "suffolk_nashua_street_jail", "sheriff"),
        ("vera_facility_codes", "Nashua St. Jail", "Boston", "NASHUMA", "suffolk_nashua_street_jail", "sheriff"),
        (
            "uwchr_arrest_landmarks",
            "WESTERN MASSACHUSETTS REGIONAL WOMEN'S CORRECTIONAL CENTER, CHICOPEE, MA",
            "",
            "",
            "hampden_chicopee_womens_cc",
            "sheriff",
        ),
        ("npr_fy2015_detainers", "MIDDLESEX COUNTY-CAMBRIDGE", "CAMBRIDGE", "", "middlesex_cambridge_jail", "sheriff"),
        (
            "npr_fy2015_detainers",
            "BRISTOL CTY, NEW BEDFORD",
            "NEW BEDFORD",
            "",
            "bristol_new_bedford_ash_street_jail",
            "sheriff",
        ),
        ("npr_fy2015_detainers", "PLYMOUTH COUNTY H.O.C.", "PLYMOUTH", "", "plymouth_ccf", "sheriff"),
        ("uwchr_arrest_landmarks", "MCI PLYMOUTH", "", "", "doc_mci_plymouth", "state_doc"),
        ("uwchr_arrest_landmarks", "287G OFFICER BARNSTABLE COUNTY", "", "", "barnstable_bourne_ccf", "sheriff"),
        ("npr_fy2015_detainers", "DEVENS FMC", "AYER", "", "fmc_devens", "federal"),
        ("npr_fy2015_detainers", "US MARSHALS, BOSTON,MA", "BOSTON", "", "usms_boston", "federal"),
        ("npr_fy2015_detainers", "BOSTON HOLDROOM", "BURLINGTON", "", "ice_burlington_hold_room", "ice"),
        ("uwchr_arrest_landmarks", "ESSEX COUNTY LOCAL POLICE DEPT", "", "", "essex_county_local_police", "police"),
        ("uwchr_detention_headcount", "", "", "PLYMOMA", "plymouth_ccf", "sheriff"),
    ],
)
def test_known_strings(source, name, city, code, facility_id, operator_type):
    row = lookup(source, name, city, code)
    assert (row["facility_id"], row["operator_type"]) == (facility_id, operator_type)


def test_blank_alias_fields_match_any_value():
    """Headcount aliases carry only a code: a row with a name as well still maps (by its code)."""
    row = lookup("uwchr_detention_headcount", "PLYMOUTH COUNTY CORRECTIONAL FACILITY", "", "PLYMOMA")
    assert row["facility_id"] == "plymouth_ccf"


# ---------------------------------------------------------------- functions and bad input


def test_normalise_facility_string():
    assert fac.normalise_facility_string("  mci   cedar\tjunction ") == "MCI CEDAR JUNCTION"
    assert fac.normalise_facility_string(None) == ""
    assert fac.normalise_facility_string(float("nan")) == ""


def test_facility_lookup_is_keyed_on_normalised_strings():
    table = fac.facility_lookup("npr_fy2015_detainers")
    assert table[("NASHUA ST. JAIL", "BOSTON", "")]["facility_id"] == "suffolk_nashua_street_jail"
    with pytest.raises(SchemaError, match="unknown alias source"):
        fac.facility_lookup("no_such_source")


def test_map_facilities_matches_case_and_space_insensitively():
    frame = pd.DataFrame({"n": ["  nashua st.   jail"], "c": ["boston "]}, index=[7])
    out = fac.map_facilities(frame, "npr_fy2015_detainers", "n", "c")
    assert out.index.tolist() == [7] and out.loc[7, "facility_id"] == "suffolk_nashua_street_jail"
    assert list(out.columns) == ["n", "c"] + fac.MAPPED_COLUMNS


def test_map_facilities_lists_every_unknown_string():
    frame = pd.DataFrame(
        {
            "n": ["NASHUA ST. JAIL", "NO SUCH JAIL", "ANOTHER JAIL", "NO SUCH JAIL"],
            "c": ["BOSTON", "SALEM", "LYNN", "SALEM"],
        }
    )
    with pytest.raises(SchemaError) as err:
        fac.map_facilities(frame, "npr_fy2015_detainers", "n", "c")
    message = str(err.value)
    assert "2 facility string(s)" in message
    assert "name='NO SUCH JAIL', city='SALEM'" in message and "name='ANOTHER JAIL', city='LYNN'" in message
    assert "facility_aliases.csv" in message


def test_map_facilities_unknown_column():
    with pytest.raises(SchemaError, match="column 'nope' is not in the table"):
        fac.map_facilities(pd.DataFrame({"n": ["X"]}), "npr_declines", "nope")


@pytest.fixture
def ref_copy(tmp_path) -> Path:
    """A writable copy of the two reference tables."""
    for name in ("facilities.csv", "facility_aliases.csv"):
        shutil.copy(fac.facilities_path().parent / name, tmp_path / name)
    return tmp_path


def edit_csv(path: Path, row_match: dict, changes: dict) -> None:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = pd.Series(True, index=table.index)
    for column, value in row_match.items():
        mask &= table[column] == value
    assert mask.any()
    for column, value in changes.items():
        table.loc[mask, column] = value
    table.to_csv(path, index=False)


@pytest.mark.parametrize(
    "match,changes,expected",
    [
        ({"facility_id": "plymouth_ccf"}, {"operator_type": "county_jail"}, "unknown operator_type 'county_jail'"),
        ({"facility_id": "plymouth_ccf"}, {"sheriff_county_fips": ""}, "sheriff facility without sheriff_county_fips"),
        ({"facility_id": "doc_mci_norfolk"}, {"sheriff_county_fips": "25021"}, "on a non-sheriff facility"),
        ({"facility_id": "plymouth_ccf"}, {"county_fips": "33011"}, "not one of the 14 Massachusetts counties"),
        ({"facility_id": "plymouth_ccf"}, {"sheriff_county_fips": "25099"}, "not one of the 14 Massachusetts counties"),
        ({"facility_id": "plymouth_ccf"}, {"ice_code": "SUFFOMA"}, "ice_code 'SUFFOMA' is given to more than one"),
        ({"facility_id": "plymouth_ccf"}, {"facility_id": "Plymouth CCF"}, "lower_snake slug"),
    ],
)
def test_bad_facilities_table(ref_copy, match, changes, expected):
    edit_csv(ref_copy / "facilities.csv", match, changes)
    with pytest.raises(SchemaError, match=expected) as err:
        fac.load_facilities(ref_copy / "facilities.csv")
    assert "facilities.csv" in str(err.value) and "what to do" in str(err.value)


def test_facilities_table_with_wrong_columns(ref_copy):
    path = ref_copy / "facilities.csv"
    pd.read_csv(path, dtype=str).drop(columns=["ice_code"]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="expected exactly"):
        fac.load_facilities(path)


def test_alias_pointing_at_unknown_facility(ref_copy):
    edit_csv(
        ref_copy / "facility_aliases.csv",
        {"raw_name": "MCI NORFOLK", "source": "npr_fy2015_detainers"},
        {"facility_id": "norfolk_prison"},
    )
    with pytest.raises(SchemaError, match="facility_id 'norfolk_prison' is not in facilities.csv"):
        fac.load_facility_aliases(ref_copy / "facility_aliases.csv")


def test_alias_status_rules(ref_copy):
    edit_csv(ref_copy / "facility_aliases.csv", {"raw_name": "HARTFORD, CT"}, {"facility_id": "plymouth_ccf"})
    edit_csv(
        ref_copy / "facility_aliases.csv",
        {"raw_name": "NCCI GARDNER", "source": "npr_fy2015_detainers"},
        {"status": "mapped"},
    )
    with pytest.raises(SchemaError) as err:
        fac.load_facility_aliases(ref_copy / "facility_aliases.csv")
    assert "must have a blank facility_id" in str(err.value)
    assert "unknown status 'mapped'" in str(err.value)


def test_duplicate_alias_keys(ref_copy):
    path = ref_copy / "facility_aliases.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    extra = table[table["raw_name"] == "NASHUA ST. JAIL"].head(1).copy()
    extra["raw_name"] = " nashua  st. jail"  # the same key once normalised
    pd.concat([table, extra]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="duplicate alias key"):
        fac.load_facility_aliases(path)
