"""Loaders of NPR facility-year declines, UWCHR jail arrests by landmark and UWCHR ICE detention headcounts."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.extracts import compare_frames, read_extract
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders import declines as dec
from ma_ice_coop.tables.loaders import ice_detention as det
from ma_ice_coop.tables.loaders import jail_arrests as arr

# --------------------------------------------------------------------------- NPR declines


@pytest.fixture(scope="module")
def npr_raw() -> pd.DataFrame:
    return dec.read_npr_declines(input_path(dec.FILE_ID))


@pytest.fixture(scope="module")
def declines() -> pd.DataFrame:
    return dec.load_facility_year_declines()


def test_npr_ma_rows_equal_the_mirror_extract(npr_raw):
    extract = read_extract("npr_declines_ma")
    assert len(extract.columns) == len(dec.RAW_NAMES)
    extract.columns = dec.RAW_NAMES  # pandas renames the duplicate headers; the positions are what count
    assert compare_frames(dec.select_ma_rows(npr_raw), extract) == []


def test_npr_national_rows_all_read(npr_raw):
    assert len(npr_raw) == 1370
    assert (npr_raw["state"] == dec.MA_STATE).sum() == 21


def test_declines_validate_and_keep_every_ma_row(declines, npr_raw):
    dec.FACILITY_YEAR_DECLINES_SCHEMA.validate(declines)
    ma = dec.select_ma_rows(npr_raw)
    assert len(declines) == len(ma) == 21
    assert declines["recorded_declines"].sum() == ma["declined_count"].astype(int).sum() == 28
    assert declines["other_resolved"].sum() == pd.to_numeric(ma["other_resolved_count"]).sum()
    assert sorted(declines["year"].unique()) == [2008, 2010, 2011, 2012, 2013, 2014, 2015]
    assert (declines["source"] == dec.FILE_ID).all()


def test_declines_known_values(declines):
    essex = declines[(declines["facility_raw"] == "ESSEX CO. JAIL, MIDDLETON") & (declines["year"] == 2014)]
    assert essex[["recorded_declines", "other_resolved"]].values.tolist() == [[5, 73]]
    assert essex["operator_type"].item() == "sheriff"
    assert essex["sheriff_county_fips"].item() == "25009"
    # Blank second block (no other resolved detainer) is stored as 0.
    hampden = declines[(declines["facility_raw"] == "HAMPDEN CO.HOUSE OF CORR.") & (declines["year"] == 2015)]
    assert hampden[["recorded_declines", "other_resolved"]].values.tolist() == [[1, 0]]
    assert hampden["sheriff_county_fips"].item() == "25013"
    # Only sheriff facilities carry a sheriff county.
    assert declines.loc[declines["operator_type"] != "sheriff", "sheriff_county_fips"].isna().all()
    assert declines.loc[declines["operator_type"] == "sheriff", "sheriff_county_fips"].notna().all()


def test_declines_are_deterministic(declines):
    assert declines.equals(dec.load_facility_year_declines())


def test_complete_grid_has_zeros_for_absent_facility_years(declines):
    facilities = declines[["facility_id", "operator_type", "county_fips", "sheriff_county_fips"]].drop_duplicates()
    extra = pd.DataFrame(
        {
            "facility_id": ["zz_test_facility"],
            "operator_type": ["sheriff"],
            "county_fips": ["25019"],
            "sheriff_county_fips": ["25019"],
        }
    )
    grid = dec.facility_year_declines_complete(pd.concat([facilities, extra]), declines=declines)
    dec.FACILITY_YEAR_DECLINES_COMPLETE_SCHEMA.validate(grid)
    assert len(grid) == (len(facilities) + 1) * 8
    assert sorted(grid["year"].unique()) == list(range(2008, 2016))
    assert grid["recorded_declines"].sum() == declines["recorded_declines"].sum()
    assert grid["other_resolved"].sum() == declines["other_resolved"].sum()
    pairs = declines[["facility_id", "year"]].drop_duplicates()
    assert grid["in_npr_table"].sum() == len(pairs)
    absent = grid[~grid["in_npr_table"]]
    assert (absent["recorded_declines"] == 0).all() and (absent["other_resolved"] == 0).all()
    assert (grid.loc[grid["in_npr_table"], "recorded_declines"] > 0).all()
    assert (grid.loc[grid["facility_id"] == "zz_test_facility", "recorded_declines"] == 0).all()


def test_complete_grid_refuses_to_drop_table_rows(declines):
    facilities = declines[["facility_id", "operator_type", "county_fips", "sheriff_county_fips"]].drop_duplicates()
    with pytest.raises(ParameterError, match="outside the requested grid"):
        dec.facility_year_declines_complete(facilities.iloc[1:], declines=declines)
    with pytest.raises(ParameterError, match="outside the requested grid"):
        dec.facility_year_declines_complete(facilities, years=range(2009, 2016), declines=declines)


def _write_lines(path, lines, *, gz=False):
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_npr_renamed_column_raises(tmp_path):
    path = _write_lines(
        tmp_path / "declines.csv",
        [
            "year,det_facility,town,state,count,det_facility,year,count",
            "2014,DUKES COUNTY JAIL,EDGARTOWN,MASSACHUSETTS,2,DUKES COUNTY JAIL,2014,3",
        ],
    )
    with pytest.raises(SchemaError) as info:
        dec.read_npr_declines(path)
    message = str(info.value)
    assert "declines.csv" in message and "'town'" in message and "'city'" in message


def test_npr_second_block_of_another_facility_raises(tmp_path):
    path = _write_lines(
        tmp_path / "declines.csv",
        [",".join(dec.RAW_HEADER), "2014,DUKES COUNTY JAIL,EDGARTOWN,MASSACHUSETTS,2,NASHUA ST. JAIL,2014,3"],
    )
    with pytest.raises(SchemaError, match="second det_facility"):
        dec.tidy_declines(dec.select_ma_rows(dec.read_npr_declines(path)), path)


def test_npr_non_integer_count_raises(tmp_path):
    path = _write_lines(
        tmp_path / "declines.csv", [",".join(dec.RAW_HEADER), "2014,DUKES COUNTY JAIL,EDGARTOWN,MASSACHUSETTS,two,,,"]
    )
    with pytest.raises(SchemaError, match="count"):
        dec.tidy_declines(dec.select_ma_rows(dec.read_npr_declines(path)), path)


# --------------------------------------------------------------------------- UWCHR jail arrests


@pytest.fixture(scope="module")
def arrests() -> pd.DataFrame:
    return arr.load_jail_arrests()


@pytest.fixture(scope="module")
def bos_file_rows() -> pd.DataFrame:
    """The BOS rows read independently of the loader (default NA handling)."""
    raw = pd.read_csv(input_path(arr.FILE_ID))
    return raw[raw["aor"] == "BOS"]


def test_arrests_validate_and_lose_nothing(arrests, bos_file_rows):
    arr.JAIL_ARRESTS_SCHEMA.validate(arrests)
    assert len(arrests) == len(bos_file_rows) == 554
    assert arrests["arrests"].sum() == bos_file_rows["total"].sum()
    assert set(arrests["status"]) <= {"facility", "outside_ma", "unplaced"}
    assert (arrests["period_start"] == pd.Timestamp("2011-10-01")).all()
    assert (arrests["period_end"] == pd.Timestamp("2023-01-29")).all()


def test_arrests_missing_landmark_is_counted_unplaced(arrests, bos_file_rows):
    missing = arrests[arrests["landmark_raw"].isna()]
    assert len(missing) == 1
    assert missing["status"].item() == "unplaced"
    assert missing["arrests"].item() == bos_file_rows.loc[bos_file_rows["apprehension_landmark"].isna(), "total"].item()
    assert missing["arrests"].item() == 916


@pytest.mark.parametrize(
    "landmark, n, county",
    [
        ("ESSEX COUNTY HOC", 557, "25009"),
        ("MIDDLESEX COUNTY HOC", 296, "25017"),
        ("WORCESTER COUNTY HOC", 233, "25027"),
        ("PLYMOUTH COUNTY HOC", 200, "25023"),
        ("NASHUA STREET JAIL", 125, "25025"),
        ("BRISTOL COUNTY HOC", 128, "25005"),
        ("BERKSHIRE COUNTY HOUSE OF CORRECTIONS, PITTSFIELD, MA", 15, "25003"),
    ],
)
def test_arrests_known_sheriff_landmarks(arrests, landmark, n, county):
    row = arrests[arrests["landmark_raw"] == landmark]
    assert row["arrests"].item() == n
    assert row["status"].item() == "facility"
    assert row["operator_type"].item() == "sheriff"
    assert row["sheriff_county_fips"].item() == county


def test_arrests_doc_prison_is_not_a_sheriff(arrests):
    row = arrests[arrests["landmark_raw"] == "MCI NORFOLK"]
    assert row["arrests"].item() == 155
    assert row["operator_type"].item() == "state_doc"
    assert row["sheriff_county_fips"].isna().all()


def test_arrests_statuses_are_consistent(arrests):
    placed = arrests["status"] == "facility"
    assert arrests.loc[placed, "facility_id"].notna().all()
    assert arrests.loc[~placed, ["facility_id", "operator_type", "sheriff_county_fips"]].isna().all().all()
    assert arrests.loc[arrests["operator_type"] != "sheriff", "sheriff_county_fips"].isna().all()


def test_arrests_are_deterministic(arrests):
    assert arrests.equals(arr.load_jail_arrests())


def test_arrests_renamed_column_raises(tmp_path):
    path = _write_lines(tmp_path / "landmarks.csv", ['"","aor","landmark","total"', '"1","BOS","ESSEX COUNTY HOC",557'])
    with pytest.raises(SchemaError) as info:
        arr.load_jail_arrests(path)
    message = str(info.value)
    assert "landmarks.csv" in message and "'landmark'" in message and "'apprehension_landmark'" in message


def test_arrests_non_integer_total_raises(tmp_path):
    path = _write_lines(
        tmp_path / "landmarks.csv", ['"","aor","apprehension_landmark","total"', '"1","BOS","ESSEX COUNTY HOC",5x7']
    )
    with pytest.raises(SchemaError, match="total"):
        arr.load_jail_arrests(path)


# --------------------------------------------------------------------------- UWCHR ICE detention


@pytest.fixture(scope="module")
def uwchr_facilities() -> pd.DataFrame:
    return det.read_uwchr_facilities(input_path(det.FACILITIES_ID))


@pytest.fixture(scope="module")
def ma_codes(uwchr_facilities) -> list[str]:
    return det.ma_facility_codes(uwchr_facilities, det.read_vera_facility_codes(input_path(det.VERA_ID)))


@pytest.fixture(scope="module")
def detention() -> pd.DataFrame:
    return det.load_ice_detention_daily()


def test_ma_facility_rows_equal_the_mirror_extract(uwchr_facilities):
    derived = det.select_ma_facilities(uwchr_facilities)
    assert compare_frames(derived, read_extract("uwchr_detention_facilities_ma", sep="|")) == []
    assert len(derived) == 18


def test_ma_headcount_rows_equal_the_mirror_extract(ma_codes):
    derived = det.select_ma_headcount(det.read_headcount(input_path(det.HEADCOUNT_ID)), ma_codes)
    assert compare_frames(derived, read_extract("uwchr_detention_headcount_ma", sep="|")) == []
    assert len(derived) == 19_734


def test_detention_validates_and_is_sorted(detention):
    det.ICE_DETENTION_DAILY_SCHEMA.validate(detention)
    assert len(detention) == 19_734
    ordered = detention.sort_values(["facility_code", "date"]).reset_index(drop=True)
    assert detention[["facility_code", "date"]].equals(ordered[["facility_code", "date"]])
    assert (detention["source"] == det.HEADCOUNT_ID).all()


def test_detention_coverage_flag(detention):
    assert detention["before_full_coverage"].equals(detention["date"] < pd.Timestamp("2011-10-01"))
    assert detention["before_full_coverage"].any() and not detention["before_full_coverage"].all()


@pytest.mark.parametrize(
    "code, days, first, last, county",
    [
        ("PLYMOMA", 5599, "2008-09-06", "2024-01-04", "25023"),
        ("BRINDMA", 4388, "2009-06-25", "2021-06-29", "25005"),
        ("SUFFOMA", 3586, "2009-12-17", "2019-10-11", "25025"),
        ("GREENMA", 3430, "2011-12-01", "2021-04-21", "25011"),
        ("NORFOMA", 1634, "2010-06-19", "2015-01-05", "25021"),
    ],
)
def test_detention_known_sheriff_facilities(detention, code, days, first, last, county):
    rows = detention[detention["facility_code"] == code]
    assert len(rows) == days
    assert rows["date"].min() == pd.Timestamp(first) and rows["date"].max() == pd.Timestamp(last)
    assert set(rows["operator_type"]) == {"sheriff"}
    assert set(rows["sheriff_county_fips"]) == {county}


def test_detention_non_sheriff_sites_have_no_sheriff(detention):
    for code in ("MABSHOS", "BOSHOLD", "BIDHPMA"):
        rows = detention[detention["facility_code"] == code]
        assert len(rows) > 0
        assert (rows["operator_type"] != "sheriff").all() and rows["sheriff_county_fips"].isna().all()
    assert (
        detention.loc[detention["facility_code"] == "BIDHPMA", "facility_name"].iloc[0] == "Beth Israel Deaconess Hosp"
    )


def test_detention_is_deterministic(detention):
    assert detention.equals(det.load_ice_detention_daily())


def test_headcount_renamed_column_raises(tmp_path):
    path = _write_lines(tmp_path / "headcount.csv.gz", ["facility_code|n|date", "PLYMOMA|1|2008-09-06"], gz=True)
    with pytest.raises(SchemaError) as info:
        det.read_headcount(path)
    message = str(info.value)
    assert "headcount.csv.gz" in message and "'facility_code'" in message and "'detention_facility_code'" in message


def test_facility_list_renamed_column_raises(tmp_path):
    header = "|".join("state_code" if c == "state" else c for c in det.FACILITY_COLUMNS)
    path = _write_lines(tmp_path / "facilities.csv.gz", [header], gz=True)
    with pytest.raises(SchemaError, match="state_code"):
        det.read_uwchr_facilities(path)


def test_headcount_bad_date_raises(tmp_path):
    path = _write_lines(tmp_path / "headcount.csv", ["detention_facility_code|n|date", "PLYMOMA|1|09/06/2008"])
    with pytest.raises(SchemaError, match="date"):
        det.tidy_headcount(det.read_headcount(path), path)
