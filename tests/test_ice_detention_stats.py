"""ICE year-end detention statistics FY2019-FY2025: MA rows of the Facilities sheets → ice_detention_fy."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.extracts import compare_frames, content_fingerprint, read_extract
from ma_ice_coop.tables.loaders import ice_detention_stats as ids

PLYMOUTH = "PLYMOUTH COUNTY CORRECTIONAL FACILITY"
BRISTOL = "BRISTOL COUNTY DETENTION CENTER"
SUFFOLK = "SUFFOLK COUNTY HOUSE OF CORRECTIONS"
FRANKLIN = "FRANKLIN COUNTY HOUSE OF CORRECTION"

# vera-ice-fytd-stats SOURCE.md, "MA content (ADP = sum of Level A-D)", persons, one decimal.
SOURCE_MD_ADP = {
    (2019, PLYMOUTH): 295.6,
    (2019, BRISTOL): 185.4,
    (2019, SUFFOLK): 144.8,
    (2019, FRANKLIN): 33.5,
    (2020, PLYMOUTH): 221.0,
    (2020, BRISTOL): 115.2,
    (2020, FRANKLIN): 21.3,
    (2021, PLYMOUTH): 88.5,
    (2022, PLYMOUTH): 108.8,
    (2023, PLYMOUTH): 91.2,
    (2024, PLYMOUTH): 246.5,
    (2025, PLYMOUTH): 449.3,
}


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    return ids.tidy_ice_detention_fy()


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ids.load_ice_detention_fy()


def _cells(header: list[str], rows: list[list]) -> pd.DataFrame:
    """Raw cells like a Facilities sheet: two preamble rows, the header row, then data rows."""
    width = len(header)
    preamble = [["ICE FACILITIES DATA, FY99"] + [""] * (width - 1), [""] * width]
    return pd.DataFrame(preamble + [header] + rows)


GOOD_HEADER = [
    "Name",
    "Address",
    "City",
    "State",
    "Zip",
    "AOR",
    "Type Detailed",
    "Male/Female",
    "FY99 ALOS",
    "Level A",
    "Level B",
    "Level C",
    "Level D",
    "Male Crim",
    "Male Non-Crim",
    "Female Crim",
    "Female Non-Crim",
    "Guaranteed Minimum",
]
GOOD_ROW = [
    "X COUNTY JAIL",
    "1 MAIN ST",
    "SOMEWHERE",
    "MA",
    1000,
    "BOS",
    "IGSA",
    "Male",
    10.5,
    1.0,
    2.0,
    3.0,
    4.0,
    5.0,
    5.0,
    0,
    0,
    "N/A",
]


# --- the MA extract --------------------------------------------------------------------------------------


def test_derived_ma_rows_equal_the_mirror_extract():
    """Our MA rows of the 7 original workbooks have the same rows and values as the mirror's extract."""
    derived = ids.derive_ice_detention_stats_ma()
    assert compare_frames(derived, read_extract(ids.EXTRACT_ID)) == []


def test_every_ma_row_is_kept(tidy):
    assert len(tidy) == 12
    assert tidy["fiscal_year"].value_counts().sort_index().to_dict() == {
        2019: 4,
        2020: 3,
        2021: 1,
        2022: 1,
        2023: 1,
        2024: 1,
        2025: 1,
    }


# --- values ----------------------------------------------------------------------------------------------


def test_adp_matches_source_md(tidy):
    got = {(r.fiscal_year, r.facility_name): round(r.adp_total, 1) for r in tidy.itertuples()}
    assert got == SOURCE_MD_ADP


def test_plymouth_fy2019_values(tidy):
    row = tidy[(tidy["fiscal_year"] == 2019) & (tidy["facility_name"] == PLYMOUTH)].iloc[0]
    assert row["city"] == "PLYMOUTH" and row["facility_type"] == "IGSA"
    assert row["adp_total"] == pytest.approx(
        150.06575342465783 + 25.164383561643856 + 52.167123287671224 + 68.1917808219178
    )
    assert row["adp_male_crim"] == pytest.approx(125.50958904109581)
    assert row["alos_days"] == pytest.approx(82.0358490566038)
    assert pd.isna(row["guaranteed_minimum"])
    assert row["source_file"] == "ice_detention_stats_fy2019"


def test_adp_by_criminality_adds_up_to_adp_by_level(tidy):
    by_criminality = tidy[list(ids.CRIMINALITY_COLUMNS.values())].sum(axis=1)
    assert (by_criminality - tidy["adp_total"]).abs().max() < 1e-6


def test_franklin_is_a_marshals_contract(tidy):
    assert set(tidy.loc[tidy["facility_name"] == FRANKLIN, "facility_type"]) == {"USMS IGA"}


def test_data_through_is_the_last_day_covered(tidy):
    through = dict(zip(tidy["fiscal_year"], tidy["data_through"], strict=True))
    assert through == {
        2019: "2019-09-30",
        2020: "2020-09-30",
        2021: "2021-09-30",
        2022: "2022-09-29",
        2023: "2023-09-30",
        2024: "2024-09-30",
        2025: "2025-09-25",
    }


# --- the processed table ---------------------------------------------------------------------------------


def test_table_passes_its_schema(table):
    ids.ICE_DETENTION_FY_SCHEMA.validate(table)
    assert list(table.columns) == list(ids.ICE_DETENTION_FY_SCHEMA.columns)
    assert not table.duplicated(["fiscal_year", "facility_name"]).any()
    assert len(table) == 12


def test_every_facility_is_a_mapped_sheriff_facility(table):
    assert set(table["status"]) == {"facility"}
    assert set(table["operator_type"]) == {"sheriff"}
    plymouth = table[table["facility_name"] == PLYMOUTH]
    assert set(plymouth["sheriff_county_fips"]) == {"25023"}
    assert set(plymouth["county_fips"]) == {"25023"}


def test_schema_rejects_a_duplicate_facility_year(table):
    import pandera.errors

    doubled = pd.concat([table, table.head(1)], ignore_index=True)
    with pytest.raises(pandera.errors.SchemaError):
        ids.ICE_DETENTION_FY_SCHEMA.validate(doubled)


def test_build_is_deterministic(table):
    again = ids.load_ice_detention_fy()
    pd.testing.assert_frame_equal(table, again)
    assert content_fingerprint(table) == content_fingerprint(again)


def test_tidy_is_deterministic(tidy):
    pd.testing.assert_frame_equal(tidy, ids.tidy_ice_detention_fy())


# --- bad input -------------------------------------------------------------------------------------------


def test_parse_finds_the_header_row_and_normalises_alos():
    parsed = ids.parse_facilities_sheet(_cells(GOOD_HEADER, [GOOD_ROW]), "test.xlsx sheet 'Facilities FY99'")
    assert "ALOS" in parsed.columns and "FY99 ALOS" not in parsed.columns
    assert parsed["Name"].tolist() == ["X COUNTY JAIL"]


def test_missing_needed_column_names_it_and_lists_the_found_ones():
    header = [h for h in GOOD_HEADER if h != "Level C"]
    row = [v for h, v in zip(GOOD_HEADER, GOOD_ROW, strict=True) if h != "Level C"]
    with pytest.raises(SchemaError, match=r"(?s)test\.xlsx.*'Level C'.*columns found.*'Level D'"):
        ids.parse_facilities_sheet(_cells(header, [row]), "test.xlsx sheet 'Facilities FY99'")


def test_no_header_row_is_an_error():
    cells = _cells(["Facility", "Town", "ST"], [["X", "Y", "MA"]])
    with pytest.raises(SchemaError, match=r"no header row with \['Name', 'State'\]"):
        ids.parse_facilities_sheet(cells, "test.xlsx")


def test_workbook_without_a_facilities_sheet_lists_the_sheets():
    with pytest.raises(SchemaError, match=r"(?s)no sheet named 'Facilities.*'Header', 'ATD FY99'"):
        ids.facilities_sheet_name(["Header", "ATD FY99", "Footnotes"], "test.xlsx")


def test_blank_header_column_with_values_is_an_error():
    header = GOOD_HEADER + [""]
    with pytest.raises(SchemaError, match="column 19 has values but no header"):
        ids.parse_facilities_sheet(_cells(header, [GOOD_ROW + ["stray"]]), "test.xlsx")


def test_text_in_an_adp_column_is_an_error():
    rows = ids.select_ma_rows(ids.parse_facilities_sheet(_cells(GOOD_HEADER, [GOOD_ROW]), "test.xlsx"))
    rows.insert(0, "source_file", "test.xlsx")
    rows.loc[0, "Level B"] = "about 2"
    with pytest.raises(SchemaError, match=r"column 'Level B' has non-numeric values \['about 2'\]"):
        ids.tidy_year(rows, 2019, "ice_detention_stats_fy2019")


def test_only_ma_rows_are_selected_and_na_guaranteed_minimum_is_null():
    other = list(GOOD_ROW)
    other[3] = "RI"
    parsed = ids.parse_facilities_sheet(_cells(GOOD_HEADER, [GOOD_ROW, other, ["footnote"] + [""] * 17]), "t")
    rows = ids.select_ma_rows(parsed)
    rows.insert(0, "source_file", "test.xlsx")
    assert len(rows) == 1
    tidy = ids.tidy_year(rows, 2019, "ice_detention_stats_fy2019")
    assert tidy["adp_total"].tolist() == [10.0]
    assert tidy["guaranteed_minimum"].isna().all()


@pytest.mark.parametrize(
    "sheet, year",
    [
        ("Facilities FY19", 2019),
        ("Facilities EOFY2020", 2020),
        ("Facilities FY21 YTD", 2021),
        ("Facilities EOFY24", 2024),
    ],
)
def test_sheet_labels_name_the_fiscal_year(sheet, year):
    assert ids.sheet_fiscal_year(sheet, "t") == year
