"""The unified detainers loader: FY2015 NPR records, outcome normalisation, other releases' layouts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.extracts import compare_frames, read_extract
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders import detainers as det

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def fy2015() -> pd.DataFrame:
    return det.read_detainer_release(input_path(det.SOURCE), "npr_lea", det.SOURCE)


def test_all_79053_fy2015_records_load(fy2015):
    assert len(fy2015) == 79_053
    assert fy2015["prepare_date"].min() == pd.Timestamp("2014-10-01")
    assert fy2015["prepare_date"].max() == pd.Timestamp("2015-07-19")
    assert (fy2015["fiscal_year"] == 2015).all()


def test_national_outcomes_match_the_published_counts(fy2015):
    # SOURCE.md / detainer-releases.md 8.1: the 12 lift reasons and 52,263 blanks of FY15YTD.
    assert fy2015["lift_reason"].isna().sum() == 52_263
    assert (fy2015["outcome"] == "custody").sum() == 15_877
    assert (fy2015["outcome"] == "declined").sum() == 5_501
    assert (fy2015["outcome"] == "administrative").sum() == 299  # Transferred
    assert fy2015["outcome"].value_counts().sum() == 79_053  # every row has an outcome, none dropped


def test_massachusetts_outcomes(fy2015):
    ma = fy2015[fy2015["facility_state"] == det.MA_STATE]
    assert len(ma) == 410
    counts = ma["lift_reason"].fillna("(blank)").value_counts().to_dict()
    assert counts == {
        "(blank)": 287,
        "Booked into Detention": 81,
        "Lifted": 20,
        "Prosecutorial Discretion": 10,
        "Detainer Declined by LEA": 6,
        "Early Release": 3,
        "Case Closed": 2,
        "Transferred": 1,
    }
    assert ma["lea_release_without_transfer"].sum() == 3


def test_request_kinds(fy2015):
    assert fy2015["request_kind"].value_counts().to_dict() == {"hold": 75_497 + 2_811 + 199, "notify": 546}


def test_massachusetts_rows_equal_the_mirror_extract(fy2015):
    """Our MA subset of the national workbook has the same rows and values as the mirror's extract."""
    ma = fy2015[fy2015["facility_state"] == det.MA_STATE]
    derived = pd.DataFrame(
        {
            "Prepare Date": ma["prepare_date"].dt.strftime("%Y-%m-%d"),
            "Detainer Type": ma["detainer_type"],
            "Detainer Detention Facility": ma["facility_name"],
            "State": ma["facility_state"],
            "City": ma["facility_city"],
            "Detainer Lift Reason": ma["lift_reason"],
        }
    )
    assert compare_frames(derived, read_extract("npr_fy2015_detainers_ma")) == []


def test_unknown_lift_reason_fails_loudly():
    with pytest.raises(SchemaError, match="Beamed Up.*lift_reason_outcomes.csv"):
        det.normalise_outcomes(pd.Series(["Lifted", "Beamed Up", None], dtype="str"))


def test_blank_lift_reason_is_unresolved_not_dropped():
    out = det.normalise_outcomes(pd.Series([None, "", "Booked into Detention"], dtype="str").replace("", None))
    assert out["outcome"].tolist() == ["unresolved", "unresolved", "custody"]


def test_renamed_column_names_expected_and_found(tmp_path):
    bad = tmp_path / "renamed.csv"
    text = (FIXTURES / "npr_fy_detainers_sample.tsv").read_text().replace("Detainer Lift Reason", "Lift Rsn")
    bad.write_text(text)
    with pytest.raises(SchemaError, match="(?s)lift_reason.*Lift Rsn.*detainer_releases.yaml"):
        det.read_detainer_release(bad, "npr_fy", "test")


def test_unreadable_date_is_an_error(tmp_path):
    bad = tmp_path / "bad_date.tsv"
    bad.write_text((FIXTURES / "npr_fy_detainers_sample.tsv").read_text().replace("10/3/16", "the third"))
    with pytest.raises(SchemaError, match="prepare dates could not be read"):
        det.read_detainer_release(bad, "npr_fy", "test")


def test_unknown_release_lists_known_ones():
    with pytest.raises(SchemaError, match="known releases: .*npr_lea"):
        det.release_spec("trac_2030")


def test_2025_release_layout_loads_into_the_unified_table():
    """Fixture in the 2025 DDP layout: preamble rows, header on row 7, codes, ids, NA as blank."""
    out = det.read_detainer_release(FIXTURES / "ddp_2025_detainers_sample.csv", "ddp_2025", "fixture")
    assert len(out) == 4
    assert out["source_row"].tolist() == [8, 9, 10, 11]
    assert out["facility_code"].tolist() == ["PLYMOMA", "SUFFOMA", "SOMEWTX", "BRINDMA"]
    assert out["person_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert out["outcome"].tolist() == ["custody", "unresolved", "lifted", "declined"]
    assert out["lea_release_without_transfer"].tolist() == [False, False, True, False]
    assert out["fiscal_year"].tolist() == [2024, 2024, 2025, 2025]
    assert out["request_kind"].tolist() == ["hold", "hold", "notify", "hold"]


def test_npr_fy_layout_with_two_digit_years():
    out = det.read_detainer_release(FIXTURES / "npr_fy_detainers_sample.tsv", "npr_fy", "fixture")
    assert out["prepare_date"].tolist() == [pd.Timestamp("2016-10-03"), pd.Timestamp("2017-09-30")]
    assert out["fiscal_year"].tolist() == [2017, 2017]
    assert out["aor"].iloc[0] == "Boston Area of Responsibility"
    assert out["outcome"].tolist() == ["lifted", "unresolved"]


def test_fiscal_year_boundaries():
    dates = pd.Series(pd.to_datetime(["2014-09-30", "2014-10-01", "2015-07-19"]))
    assert det.fiscal_year(dates).tolist() == [2014, 2015, 2015]
