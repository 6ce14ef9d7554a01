"""The extended releases' de-duplication rule, placement and per-year measures (issue 13).

Small frames written here are invented, in the schemas of the extended tables (tables/loaders/extended/build.py);
the placement tests also read the committed crosswalks and the core `detainers` table that `make data` built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ma_ice_coop import io
from ma_ice_coop.analysis.extended_measures import days_covered, monthly_series, year_measures
from ma_ice_coop.tables.loaders.detainers import FACILITY_COLUMNS
from ma_ice_coop.tables.loaders.extended.placement import place_extended, unlisted_facilities
from ma_ice_coop.tables.loaders.extended.windows import (
    CENSOR_DAYS,
    cutoffs,
    kept_mask,
    near_cutoff_mask,
    owned_windows,
)

T = pd.Timestamp


def spans(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["release_id", "first_date", "last_date"]).assign(
        first_date=lambda f: pd.to_datetime(f["first_date"]), last_date=lambda f: pd.to_datetime(f["last_date"])
    )


def test_npr_lea_owns_its_years_and_npr_fy_only_what_follows():
    windows = owned_windows(
        spans(
            ("npr_lea", "2007-10-01", "2008-09-30"),
            ("npr_lea", "2008-10-01", "2014-09-30"),
            ("npr_lea", "2014-10-01", "2015-07-19"),
            ("npr_fy", "2008-10-01", "2009-09-30"),
            ("npr_fy", "2014-10-01", "2015-09-30"),
            ("npr_fy", "2015-10-01", "2017-09-30"),
        )
    )
    assert [(w.release_id, w.start, w.end) for w in windows] == [
        ("npr_lea", T("2007-10-01"), T("2015-07-19")),
        ("npr_fy", T("2015-07-20"), T("2017-09-30")),
    ]


def test_a_missing_npr_lea_file_is_filled_by_npr_fy():
    windows = owned_windows(
        spans(
            ("npr_lea", "2007-10-01", "2008-09-30"),
            ("npr_lea", "2014-10-01", "2015-07-19"),
            ("npr_fy", "2008-10-01", "2017-09-30"),
        )
    )
    assert [(w.release_id, w.start.date().isoformat(), w.end.date().isoformat()) for w in windows] == [
        ("npr_lea", "2007-10-01", "2008-09-30"),
        ("npr_fy", "2008-10-01", "2014-09-30"),
        ("npr_lea", "2014-10-01", "2015-07-19"),
        ("npr_fy", "2015-07-20", "2017-09-30"),
    ]


def test_the_later_ddp_release_wins_and_the_earlier_fills_only_what_it_lacks():
    both = owned_windows(
        spans(("ddp_2025_07", "2023-09-01", "2025-06-25"), ("ddp_2025_12", "2023-09-03", "2025-10-15"))
    )
    assert [(w.release_id, w.start.date().isoformat(), w.end.date().isoformat()) for w in both] == [
        ("ddp_2025_07", "2023-09-01", "2023-09-02"),
        ("ddp_2025_12", "2023-09-03", "2025-10-15"),
    ]
    alone = owned_windows(spans(("ddp_2025_07", "2023-09-01", "2025-06-25")))
    assert [(w.release_id, w.end) for w in alone] == [("ddp_2025_07", T("2025-06-25"))]


def test_an_unranked_release_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="RELEASE_PREFERENCE"):
        owned_windows(spans(("ddp_2031_01", "2030-01-01", "2031-01-01")))


def test_rows_kept_only_in_their_release_window_and_near_cutoff_flagged():
    file_spans = spans(("npr_lea", "2007-10-01", "2015-07-19"), ("npr_fy", "2008-10-01", "2017-09-30"))
    windows, cut = owned_windows(file_spans), cutoffs(file_spans)
    rows = pd.DataFrame(
        {
            "release_id": ["npr_lea", "npr_fy", "npr_fy", "npr_fy", "npr_lea"],
            "prepare_date": pd.to_datetime(["2009-01-05", "2009-01-05", "2015-07-20", "2017-09-29", "2015-07-19"]),
        }
    )
    assert kept_mask(rows["release_id"], rows["prepare_date"], windows).tolist() == [True, False, True, True, True]
    near = near_cutoff_mask(rows["release_id"], rows["prepare_date"], cut)
    assert near.tolist() == [False, False, False, True, True]
    assert CENSOR_DAYS == 180


def unified(frame: pd.DataFrame) -> pd.DataFrame:
    """The unified columns a release reader gives (the core table without its placement columns)."""
    return frame.drop(columns=[*FACILITY_COLUMNS, "placement_method"])


@pytest.fixture(scope="module")
def core_detainers():
    return io.read_processed("detainers")


def test_placement_of_the_core_rows_equals_the_core_build(core_detainers):
    placed = place_extended(unified(core_detainers))
    for name in (*FACILITY_COLUMNS, "placement_method"):
        assert placed[name].fillna("-").tolist() == core_detainers[name].astype("str").fillna("-").tolist(), name


def test_codes_place_rows_and_unknown_codes_and_strings_are_listed_not_fatal(core_detainers):
    rows = unified(core_detainers).head(4).copy()
    rows["facility_code"] = ["SUFFOMA", "STWRTGA", "NOSUCHX", pd.NA]
    rows["facility_state"] = [pd.NA, pd.NA, "TEXAS", "TEXAS"]
    rows["facility_name"] = ["SUFFOLK", "STEWART", "A JAIL NO CROSSWALK LISTS", "ANOTHER UNLISTED JAIL"]
    placed = place_extended(rows)
    assert placed["facility_id"].tolist()[0] == "suffolk_south_bay_hoc"
    assert placed["sheriff_county_fips"].tolist()[0] == "25025"
    assert placed["facility_state"].tolist()[:2] == ["MASSACHUSETTS", "GEORGIA"]
    assert placed["state_source"].tolist()[:2] == ["crosswalk", "crosswalk"]
    assert placed["county_fips"].tolist()[1] == "13259"  # Stewart Detention Center, Lumpkin GA
    assert pd.isna(placed["sheriff_county_fips"].tolist()[1])  # an ICE facility, not a sheriff's
    assert placed["placement_method"].tolist() == ["ma_crosswalk", "code_crosswalk", "unlisted", "unlisted"]
    listed = unlisted_facilities(placed)
    assert sorted(listed["facility_name"]) == ["A JAIL NO CROSSWALK LISTS", "ANOTHER UNLISTED JAIL"]
    assert listed["detainers"].sum() == 2


def monthly(*rows) -> pd.DataFrame:
    columns = ["release_id", "kept", "month", "facility_state", "sheriff_county_fips", "outcome"]
    frame = pd.DataFrame([r[:6] for r in rows], columns=columns)
    frame["lea_release_without_transfer"] = [r[6] for r in rows]
    frame["near_cutoff"] = [r[7] for r in rows]
    frame["detainers"] = np.array([r[8] for r in rows], dtype="int64")
    frame["unlisted"] = [len(r) > 9 and r[9] for r in rows]
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


MA, SUFFOLK = "MASSACHUSETTS", "25025"
CUBE = monthly(
    ("npr_lea", True, "2014-10-01", MA, SUFFOLK, "custody", False, False, 6),
    ("npr_lea", True, "2015-07-01", MA, SUFFOLK, "unresolved", False, True, 10),
    ("npr_fy", True, "2015-08-01", MA, SUFFOLK, "declined", False, True, 2),
    ("npr_fy", True, "2015-08-01", MA, SUFFOLK, "lifted", True, True, 2),
    ("npr_fy", False, "2014-11-01", MA, SUFFOLK, "custody", False, False, 99),  # a repeat: never counted
    ("npr_lea", True, "2015-01-01", MA, "", "custody", False, False, 5),  # a state prison: state level only
    ("npr_lea", True, "2015-02-01", MA, "", "unresolved", False, False, 3, True),  # a string no crosswalk lists
)
WINDOWS = pd.DataFrame(
    {
        "release_id": ["npr_lea", "npr_fy"],
        "start": pd.to_datetime(["2007-10-01", "2015-07-20"]),
        "end": pd.to_datetime(["2015-07-19", "2017-09-30"]),
    }
)


def test_year_measures_count_kept_rows_name_releases_and_keep_unresolved():
    table = year_measures(CUBE, WINDOWS)
    fy = table[(table["year_type"] == "fiscal") & (table["year"] == 2015)].set_index("geography")
    county = fy.loc["county"]
    assert county["county_fips"] == SUFFOLK
    assert county["detainers"] == 20  # 6 + 10 + 2 + 2: the repeat left out
    assert (county["custody"], county["unresolved"], county["declined"]) == (6, 10, 2)
    assert county["declined_broad"] == 4  # the Early Release-type lift counts in the broad definition
    assert county["custody_share"] == pytest.approx(6 / 20)
    assert county["custody_share_low"] < 0.3 < county["custody_share_high"]
    assert county["releases"] == "npr_lea+npr_fy"
    assert county["near_cutoff_detainers"] == 14
    assert county["days_covered"] == county["days_in_year"] == 365
    assert fy.loc["state", "detainers"] == 28 and fy.loc["national", "detainers"] == 28
    assert fy.loc["state", "unlisted_detainers"] == 3 and county["unlisted_detainers"] == 0


def test_partial_years_and_calendar_years():
    assert days_covered(WINDOWS, 2018, "fiscal") == 0
    assert days_covered(WINDOWS, 2017, "calendar") == 273  # to 2017-09-30
    table = year_measures(CUBE, WINDOWS)
    cy = table[(table["year_type"] == "calendar") & (table["geography"] == "county")].set_index("year")
    assert cy.loc[2014, "detainers"] == 6 and cy.loc[2015, "detainers"] == 14


def test_monthly_series_of_one_county():
    series = monthly_series(CUBE, county_fips=SUFFOLK)
    assert series["detainers"].tolist() == [6, 10, 4]
    assert series["near_cutoff"].tolist() == [False, True, True]
    assert series["custody_share"].tolist()[0] == 1.0
