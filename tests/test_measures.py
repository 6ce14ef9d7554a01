"""Measures: intervals, shrinkage, sheriff/other separation, zeros, coverage checks, and the real table.

Small frames in these tests are invented inputs in the processed tables' layout (not real data).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ma_ice_coop.analysis import measures as m
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.tables.schemas import COUNTY_FIPS

# ----------------------------------------------------------------------------- intervals


def test_jeffreys_interval_known_values_and_closed_ends():
    low, high = m.proportion_interval([0, 5, 10, 3], [10, 10, 10, 0])
    assert low[0] == 0.0 and 0.1 < high[0] < 0.25  # 0/10: closed at 0
    assert low[1] < 0.5 < high[1] and low[1] == pytest.approx(1 - high[1])  # symmetric at 1/2
    assert high[2] == 1.0 and 0.75 < low[2] < 0.9  # 10/10: closed at 1
    assert np.isnan(low[3]) and np.isnan(high[3])  # no denominator, no interval


def test_wilson_allowed_normal_refused():
    m.proportion_interval([1], [4], method="wilson")
    with pytest.raises(ParameterError, match="never the normal"):
        m.proportion_interval([1], [4], method="normal")


def test_poisson_interval_known_values():
    low, high = m.poisson_interval([0, 10])
    assert low[0] == 0.0 and high[0] == pytest.approx(3.6889, abs=1e-3)
    assert low[1] == pytest.approx(4.7954, abs=1e-3) and high[1] == pytest.approx(18.3904, abs=1e-3)
    low, high = m.poisson_interval([10], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (3, 7), (14, 51), (0, 0)])
def test_intervals_contain_the_estimate(k, n):
    low, high = m.proportion_interval([k], [n])
    if n:
        assert low[0] <= k / n <= high[0]
    plow, phigh = m.poisson_interval([k])
    assert plow[0] <= k <= phigh[0]


# ----------------------------------------------------------------------------- shrinkage


def test_shrinkage_pulls_toward_the_prior_mean_and_leaves_empty_groups_blank():
    # groups that differ, so the prior's fit is interior (a fit at the optimiser's bound blanks the intervals)
    k = np.array([1, 10, 60, 0])
    n = np.array([20, 50, 100, 0])
    out = m.shrunken_proportions(k, n)
    assert not out["at_bound"].iloc[0]
    a, b = out["prior_alpha"].iloc[0], out["prior_beta"].iloc[0]
    pooled = a / (a + b)
    raw = k[:3] / n[:3]
    est = out["estimate"].to_numpy()[:3]
    assert all(min(r, pooled) - 1e-9 <= e <= max(r, pooled) + 1e-9 for r, e in zip(raw, est, strict=True))
    # the smallest group moves most
    assert abs(est[0] - raw[0]) > abs(est[2] - raw[2])
    assert np.isnan(out["estimate"].iloc[3])
    assert (out["ci_low"].iloc[:3] <= out["estimate"].iloc[:3]).all()


def test_shrinkage_is_deterministic():
    k, n = [3, 0, 5, 14, 1], [21, 1, 50, 51, 11]
    pd.testing.assert_frame_equal(m.shrunken_proportions(k, n), m.shrunken_proportions(k, n))


def test_shrinkage_needs_data():
    with pytest.raises(ParameterError):
        m.beta_binomial_prior([0, 0], [0, 0])


# ----------------------------------------------------------------------------- periods


def test_reversed_period_is_an_error():
    with pytest.raises(ParameterError, match="before its start"):
        m.Period.parse("2015-07-19", "2014-10-01")


def test_unparseable_period_is_an_error():
    with pytest.raises(ParameterError, match="ISO dates"):
        m.Period.parse("last year", "2015-07-19")


# ----------------------------------------------------------------------------- detainer measures on a small frame


def _detainers(rows):
    """Invented detainer rows in the processed `detainers` layout (only the columns measures use)."""
    frame = pd.DataFrame(
        rows,
        columns=["prepare_date", "operator_type", "sheriff_county_fips", "outcome", "lea_release_without_transfer"],
    )
    frame["prepare_date"] = pd.to_datetime(frame["prepare_date"])
    frame["facility_state"] = "MASSACHUSETTS"
    frame["release_id"] = "npr_lea"
    frame["source_file"] = "test"
    return frame


@pytest.fixture
def small_detainers():
    return _detainers(
        [
            ("2015-01-05", "sheriff", "25005", "custody", False),
            ("2015-01-06", "sheriff", "25005", "unresolved", False),
            ("2015-02-01", "sheriff", "25005", "declined", False),
            ("2015-03-01", "sheriff", "25025", "lifted", True),
            ("2015-03-02", "state_doc", None, "custody", False),
            ("2015-03-03", "state_doc", None, "custody", False),
        ]
    )


@pytest.fixture
def covariates():
    from ma_ice_coop.io import read_processed

    return read_processed("county_covariates")


def test_sheriff_and_doc_are_never_mixed(small_detainers, covariates):
    county = m.county_detainer_measures(small_detainers, covariates=covariates)
    lodged = county[county["measure"] == "detainers_lodged"].set_index("county_fips")["numerator"]
    assert lodged["25005"] == 3 and lodged["25025"] == 1 and lodged.sum() == 4  # the 2 DOC rows are not here
    agency = m.agency_detainer_measures(small_detainers)
    doc = agency[(agency["agency_group"] == "state_doc") & (agency["measure"] == "custody_share")].iloc[0]
    assert (doc["numerator"], doc["denominator"], doc["estimate"]) == (2, 2, 1.0)


def test_every_county_present_and_zeros_are_zeros(small_detainers, covariates):
    county = m.county_detainer_measures(small_detainers, covariates=covariates)
    for measure, rows in county.groupby("measure"):
        assert sorted(rows["county_fips"]) == COUNTY_FIPS, measure
    lodged = county[county["measure"] == "detainers_lodged"].set_index("county_fips")
    assert lodged.loc["25001", "numerator"] == 0 and lodged.loc["25001", "estimate"] == 0
    share = county[county["measure"] == "custody_share"].set_index("county_fips")
    assert share.loc["25001", "denominator"] == 0 and np.isnan(share.loc["25001", "estimate"])


def test_shares_and_their_denominators(small_detainers, covariates):
    county = m.county_detainer_measures(small_detainers, covariates=covariates).set_index(["measure", "county_fips"])
    assert county.loc[("custody_share", "25005"), ["numerator", "denominator"]].tolist() == [1, 3]
    assert county.loc[("custody_share_resolved", "25005"), ["numerator", "denominator"]].tolist() == [1, 2]
    assert county.loc[("unresolved_share", "25005"), ["numerator", "denominator"]].tolist() == [1, 3]
    assert county.loc[("declined_share", "25025"), "numerator"] == 0
    assert county.loc[("declined_share_broad", "25025"), "numerator"] == 1  # early release counted here


def test_period_outside_the_records_is_an_error(small_detainers, covariates):
    with pytest.raises(ParameterError, match="outside the coverage"):
        m.county_detainer_measures(
            small_detainers, m.Period(date(2016, 1, 1), date(2016, 12, 31)), covariates=covariates
        )


# ----------------------------------------------------------------------------- recorded declines


def _facilities():
    return pd.DataFrame(
        {
            "facility_id": ["a_jail", "b_jail", "b_unspecified", "c_prison"],
            "operator_type": ["sheriff", "sheriff", "sheriff", "state_doc"],
            "sheriff_county_fips": ["25001", "25003", "25003", None],
            "open_years": ["", "2010-", "", ""],
        }
    )


def test_absent_facility_years_count_as_zero():
    declines = pd.DataFrame(
        {
            "facility_id": ["a_jail", "c_prison"],
            "operator_type": ["sheriff", "state_doc"],
            "sheriff_county_fips": ["25001", None],
            "year": [2012, 2012],
            "recorded_declines": [3, 7],
        }
    )
    table = m.recorded_decline_measures(declines, _facilities(), years=range(2008, 2016))
    pooled = table[table["period_start"] == "2008-01-01"]
    pooled = pooled[pooled["period_end"] == "2015-07-19"].set_index("county_fips")
    # 2015 is covered to 2015-07-19 only: 200/365 of a facility-year
    assert pooled.loc["25001", "numerator"] == 3
    assert pooled.loc["25001", "denominator"] == pytest.approx(7 + 200 / 365)
    assert pooled.loc["25003", "numerator"] == 0
    assert pooled.loc["25003", "denominator"] == pytest.approx(5 + 200 / 365)  # open from 2010
    assert pooled.loc["25005", "denominator"] == 0
    by_year = table[(table["county_fips"] == "25001") & (table["period_start"] == "2013-01-01")].iloc[0]
    assert by_year["numerator"] == 0 and by_year["estimate"] == 0  # absent = zero recorded declines


def test_decline_outside_the_grid_is_an_error_not_dropped():
    declines = pd.DataFrame(
        {
            "facility_id": ["b_jail"],
            "operator_type": ["sheriff"],
            "sheriff_county_fips": ["25003"],
            "year": [2009],
            "recorded_declines": [1],
        }
    )
    with pytest.raises(ParameterError, match="outside the grid"):
        m.recorded_decline_measures(declines, _facilities(), years=range(2008, 2016))


# ----------------------------------------------------------------------------- the real tables


@pytest.fixture(scope="module")
def county_table():
    return m.county_measures()


def test_real_table_schema_and_completeness(county_table):
    assert list(county_table.columns) == m.MEASURE_COLUMNS
    assert set(county_table["measure"]) == set(m.MEASURES)
    for (measure, start, end), rows in county_table.groupby(["measure", "period_start", "period_end"]):
        assert sorted(rows["county_fips"]) == COUNTY_FIPS, (measure, start, end)
    assert county_table["county"].notna().all()


def test_real_intervals_contain_estimates(county_table):
    has = county_table.dropna(subset=["ci_low", "ci_high", "estimate"])
    assert len(has) > 100
    assert ((has["ci_low"] <= has["estimate"] + 1e-12) & (has["estimate"] <= has["ci_high"] + 1e-12)).all()


def test_real_totals_match_the_processed_tables(county_table):
    from ma_ice_coop.io import read_processed

    lodged = county_table[county_table["measure"] == "detainers_lodged"]
    assert lodged["numerator"].sum() == 233  # FY2015 detainers at sheriff-run facilities
    arrests = county_table[county_table["measure"] == "jail_arrests"]
    ja = read_processed("jail_arrests")
    assert (
        arrests["numerator"].sum()
        == ja.loc[(ja["status"] == "facility") & (ja["operator_type"] == "sheriff"), "arrests"].sum()
    )
    nantucket = county_table[(county_table["county_fips"] == "25019") & (county_table["measure"] == "jail_arrests")]
    assert nantucket["numerator"].iloc[0] == 0


def test_agency_rows_hold_what_counties_do_not():
    table = m.agency_measures()
    lodged = table[table["measure"] == "detainers_lodged"].set_index("agency_group")["numerator"]
    assert lodged.sum() + 233 == 410  # every MA FY2015 detainer is in exactly one place
    assert "sheriff" not in set(table["agency_group"])


def test_downloads_are_byte_identical_on_rebuild(tmp_path):
    """Written again in this process, the downloads equal the ones `make data` wrote in another (reports/data)."""
    from ma_ice_coop.build.downloads import reports_data_dir, write_downloads

    write_downloads(tmp_path / "a")
    names = ("county_measures.csv", "agency_measures.csv", "county_covariates.csv", "national_county_measures.csv")
    for name in (*names, "README.md"):
        again, built = (tmp_path / "a" / name).read_bytes(), (reports_data_dir() / name).read_bytes()
        assert again == built, f"{name} differs from reports/data (run `make data`?)"
    header = (tmp_path / "a" / "county_measures.csv").read_text().splitlines()[0]
    assert header == ",".join(m.MEASURE_COLUMNS)
