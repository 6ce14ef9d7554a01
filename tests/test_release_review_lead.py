"""Release review (issue 7), the lead's fixes: rankings where intervals overlap, ICE year-end statistics
'not listed' is not zero, detention days from the whole coverage, and what Lunn changed in every view.
Each test fails if the old claim or method comes back; all use the real processed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop.analysis import measures
from ma_ice_coop.views import county_profile, which_counties

DEFAULT = ("2014-10-01", "2015-07-19")


@pytest.fixture(scope="module")
def barnstable(county_profiles):
    return county_profiles["Barnstable"]


@pytest.fixture(scope="module")
def plymouth(county_profiles):
    return county_profiles["Plymouth"]


@pytest.fixture(scope="module")
def bristol(county_profiles):
    return county_profiles["Bristol"]


def test_which_counties_names_point_estimates_and_says_when_they_cannot_be_ordered():
    arrests = which_counties.compute("jail_arrests_per_100k", "2011-10-01", "2023-01-29")
    text = which_counties.key_findings(arrests)
    assert "Highest jail arrests per 100k among" not in text  # the old league-table wording
    assert "Highest point estimates of" in text
    custody = which_counties.key_findings(which_counties.compute("custody_share", *DEFAULT))
    assert "cannot be put in order" in custody or "overlap" in custody


def test_order_note_only_orders_separated_intervals():
    top = pd.DataFrame(
        {"county": ["A", "B", "C"], "estimate": [6.0, 3.4, 3.3], "ci_low": [5.5, 3.0, 2.9], "ci_high": [6.8, 3.8, 3.9]}
    )
    note = which_counties._order_note(top)
    assert "A's 95% interval lies wholly above the next county's" in note
    assert "the intervals of B and C overlap, so their order is not known" in note
    overlapping = top.assign(ci_low=[1.0, 1.0, 1.0], ci_high=[9.0, 9.0, 9.0])
    assert "cannot be put in order" in which_counties._order_note(overlapping)


def test_profile_ranks_give_every_rank_the_interval_allows(barnstable):
    text = county_profile.measures_table_html(barnstable).data
    arrests = barnstable.summary.set_index("measure").loc["jail_arrests_per_100k"]
    assert arrests["rank_best"] < arrests["rank_worst"]
    assert "anywhere from" in text and "(the 95% intervals overlap)" in text


def test_year_end_statistics_not_listed_is_not_zero(bristol):
    years = county_profile.years_html(bristol).data
    assert "not listed" in years
    assert "where 0 means ICE listed none" not in years
    limits = county_profile.limitations(bristol)
    assert "list only the facilities ICE used that year" not in limits
    assert "FY2021" in limits  # the daily records show ICE detainees in Bristol's jails that the workbook omits


def test_detention_days_cover_the_whole_daily_record(plymouth):
    daily_rows = measures.measure_table("detention_contract_days", measures.ICE_DETENTION_DAILY)
    expected = int(daily_rows.set_index("county")["numerator"]["Plymouth"])
    assert f"on {expected:,} days" in county_profile.key_findings(plymouth)
    assert int(plymouth.years["detention_days"].fillna(0).sum()) == expected


@pytest.mark.parametrize(
    "text_of",
    [
        lambda: county_profile.limitations(county_profile.compute("Suffolk", *DEFAULT)),
        lambda: which_counties.limitations(which_counties.compute("custody_share", *DEFAULT)),
    ],
)
def test_lunn_is_not_said_to_have_ended_all_holding(text_of):
    text = text_of()
    assert "not holding" not in text and "no Massachusetts officer may hold" not in text
    assert "said their ICE-trained officers could still execute detainers" in text
