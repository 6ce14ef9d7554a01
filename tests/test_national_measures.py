"""National measures, the comparison with similar-size counties and the national models.

The small frames here are invented rows in the columns of the processed tables (detainers,
national_ice_detention_daily, national_agreements_287g, national_county_covariates); the known totals at the end
come from the real processed tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ma_ice_coop.analysis import national_models
from ma_ice_coop.analysis.national_comparison import (
    MIN_PEER_DETAINERS,
    country_comparison,
    latest_covariates,
    percentile_among,
    size_band,
)
from ma_ice_coop.analysis.national_measures import (
    NATIONAL_COLUMNS,
    national_287g_measures,
    national_detainer_measures,
    national_detention_measures,
)
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.specs.parameters import validate_parameters

COUNTIES = pd.DataFrame(  # invented: three counties in two states
    {
        "county_fips": ["01001", "01003", "02020"],
        "county": ["A County", "B County", "C Borough"],
        "state": ["AL", "AL", "AK"],
        "population": [50_000.0, 200_000.0, 300_000.0],
    }
)


def _detainers(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Invented detainer rows: (sheriff_county_fips or '', operator_type, outcome)."""
    return pd.DataFrame(
        {
            "prepare_date": pd.Timestamp("2015-01-15"),
            "sheriff_county_fips": [fips or None for fips, _, _ in rows],
            "operator_type": [op for _, op, _ in rows],
            "outcome": [outcome for _, _, outcome in rows],
            "lea_release_without_transfer": False,
        }
    )


def test_detainer_measures_count_only_placed_sheriff_rows_and_keep_every_county():
    detainers = _detainers(
        [("01001", "sheriff", "custody")] * 3
        + [("01001", "sheriff", "declined"), ("01001", "sheriff", "unresolved")]
        + [("", "sheriff", "custody"), ("01003", "state_doc", "custody")]
    )
    table = national_detainer_measures(detainers, COUNTIES)
    assert list(table.columns) == NATIONAL_COLUMNS
    lodged = table[table["measure"] == "detainers_lodged"].set_index("county_fips")["numerator"]
    assert lodged.to_dict() == {"01001": 5.0, "01003": 0.0, "02020": 0.0}
    custody = table[table["measure"] == "custody_share"].set_index("county_fips")
    assert custody.loc["01001", "estimate"] == pytest.approx(0.6)
    assert custody.loc["01001", "ci_low"] < 0.6 < custody.loc["01001", "ci_high"]
    assert np.isnan(custody.loc["01003", "estimate"])  # no detainers: no share, not a zero
    rate = table[table["measure"] == "detainers_per_100k"].set_index("county_fips")
    assert rate.loc["01001", "estimate"] == pytest.approx(10.0)
    assert "custody_share_shrunk" not in set(table["measure"])  # no pooling across states
    assert table.set_index("county_fips").loc["02020", "state"].iloc[0] == "AK"


def test_detention_measures_only_for_counties_with_a_sheriff_facility():
    days = pd.date_range("2014-10-01", "2014-10-10")
    daily = pd.DataFrame({"date": days, "headcount": 2, "operator_type": "sheriff", "sheriff_county_fips": "01003"})
    table = national_detention_measures(daily, COUNTIES)
    assert set(table["county_fips"]) == {"01003"}
    fy2015 = table[(table["period_start"] == "2014-10-01") & (table["period_end"] == "2015-09-30")]
    values = fy2015.set_index("measure")["numerator"]
    assert values["detention_contract_days"] == 10
    assert values["mean_daily_ice_headcount"] == 20  # person-days; the estimate divides by the 365 days
    assert fy2015.set_index("measure").loc["mean_daily_ice_headcount", "estimate"] == pytest.approx(20 / 365)


def test_287g_measures_give_every_county_a_zero_or_one_per_year():
    agreements = pd.DataFrame(
        {
            "county_fips": ["01001", "01003", "01003"],
            "year": [2015, 2025, 2025],
            "list_date": ["2015-12-31", "2025-05-16", "2025-07-03"],
            "in_list": [True, True, True],
            "source_file": ["wapo_287g_2019", "appelson_287g_2025", "appelson_287g_2025"],
        }
    )
    table = national_287g_measures(agreements, COUNTIES)
    by_year = table.pivot(index="county_fips", columns="period_start", values="estimate")
    assert by_year["2015-01-01"].to_dict() == {"01001": 1.0, "01003": 0.0, "02020": 0.0}
    assert by_year["2025-05-16"].to_dict() == {"01001": 0.0, "01003": 1.0, "02020": 0.0}
    assert set(table.loc[table["period_start"] == "2025-05-16", "period_end"]) == {"2025-07-03"}


def test_percentiles_count_ties_half_and_size_bands_follow_the_bounds():
    assert percentile_among(np.array([1, 2, 3, 4]), 3) == pytest.approx(62.5)
    assert np.isnan(percentile_among(np.array([]), 1.0))
    bands = size_band(pd.Series([49_999, 50_000, 1_000_000, np.nan]))
    assert bands.tolist() == ["under 50,000", "50,000 to 250,000", "1 million or more", "unknown size"]


def test_country_comparison_ranks_a_share_only_with_enough_detainers():
    national = pd.DataFrame(
        {
            "county_fips": ["01001", "01003", "02020"],
            "measure": "custody_share",
            "estimate": [0.2, 0.5, 0.8],
            "ci_low": [0.1, 0.4, 0.7],
            "ci_high": [0.3, 0.6, 0.9],
            "denominator": [MIN_PEER_DETAINERS - 1, 100, 100],
        }
    )
    population = pd.Series([300_000.0, 300_000.0, 300_000.0], index=national["county_fips"])
    ranked = country_comparison(national, population, "01003").iloc[0]
    assert ranked["peers"] == 2 and ranked["percentile"] == pytest.approx(25.0)
    assert ranked["percentile_low"] == pytest.approx(0.0) and ranked["percentile_high"] == pytest.approx(50.0)
    small = country_comparison(national, population, "01001").iloc[0]
    assert np.isnan(small["percentile"]) and "not ranked" in small["note"]


def test_latest_covariates_take_the_latest_year_at_or_before():
    panel = pd.DataFrame(
        {
            "county_fips": ["01001"] * 3,
            "variable": "pres_dem_share",
            "year": [2012, 2016, 2008],
            "value": [0.4, 0.3, 0.5],
        }
    )
    wide = latest_covariates(panel, ["pres_dem_share"], 2015)
    assert wide.loc["01001", "pres_dem_share"] == 0.4 and wide.loc["01001", "pres_dem_share_year"] == 2012


def _model_data(seed: int = 1) -> pd.DataFrame:
    """Invented counties: a share that falls with x, in six states."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=240)
    n = rng.integers(20, 200, size=240)
    p = 1 / (1 + np.exp(-(-0.5 - 0.6 * x)))
    return pd.DataFrame(
        {
            "x": x,
            "n": n,
            "k": rng.binomial(n, p),
            "state": np.repeat(list("ABCDEF"), 40),
            "population": n * 1000.0,
            "count": rng.poisson(n),
        }
    )


def test_share_models_recover_the_direction_with_state_effects():
    data = _model_data()
    for make in (national_models.binomial_state_glm, national_models.beta_binomial_state_model):
        fit = make(data, ["x"])
        row = fit.coefficients.iloc[0]
        assert row["term"] == "x (per SD)" and row["ci_high"] < 0, fit.model
        curve = national_models.marginal_curve(fit, data, "x")
        assert curve["estimate"].is_monotonic_decreasing
        assert (curve["ci_low"] <= curve["estimate"]).all() and (curve["estimate"] <= curve["ci_high"]).all()


def test_count_model_is_a_rate_model_with_a_population_offset():
    fit = national_models.negative_binomial_state_model(_model_data(), ["x"])
    assert abs(fit.coefficients.iloc[0]["estimate"]) < 0.05  # the rate (count / population) does not follow x
    assert fit.params["Intercept"] == pytest.approx(np.log(1 / 1000), abs=0.05)


def test_the_national_parameters_are_checked():
    spec = {
        "state": {"type": "state", "default": "all"},
        "min_detainers": {"type": "integer", "min": 1, "default": 10},
        "exclude_states": {"type": "states", "default": []},
    }
    assert validate_parameters(spec, {"state": "tx", "exclude_states": ["ca", "TX"]}) == {
        "state": "TX",
        "min_detainers": 10,
        "exclude_states": ["CA", "TX"],
    }
    for bad in ({"state": "Texas"}, {"min_detainers": 0}, {"exclude_states": ["XX"]}):
        with pytest.raises(ParameterError):
            validate_parameters(spec, bad)


def test_the_beta_binomial_score_is_the_gradient_of_its_likelihood():
    from scipy.optimize import approx_fprime

    rng = np.random.default_rng(0)  # invented counties
    x = np.c_[np.ones(50), rng.normal(size=50)]
    n = rng.integers(5, 50, 50).astype(float)
    k = rng.binomial(n.astype(int), 0.3).astype(float)
    theta = np.array([-0.5, 0.2, np.log(8)])
    numeric = -approx_fprime(theta, lambda t: national_models._beta_binomial_negloglik(t, x, k, n), 1e-6)
    assert national_models._beta_binomial_score(theta, x, k, n) == pytest.approx(numeric, rel=1e-4)


def test_national_measures_add_up_and_agree_with_the_massachusetts_measures():
    """Known totals from the real tables: every placed sheriff-run detainer is counted once, and the 14
    Massachusetts counties have the counts and custody shares of county_measures (same detainers, same rule)."""
    from ma_ice_coop.analysis import measures
    from ma_ice_coop.analysis.national_data import national_inputs
    from ma_ice_coop.io import read_processed

    national = national_inputs().measures
    detainers = read_processed("detainers")
    placed = detainers[(detainers["operator_type"] == "sheriff") & detainers["sheriff_county_fips"].notna()]
    lodged = national[national["measure"] == "detainers_lodged"]
    assert lodged["numerator"].sum() == len(placed)
    assert len(lodged) == 3142 and lodged["county_fips"].is_unique
    for measure in ("detainers_lodged", "custody_share", "unresolved_share"):
        ma = measures.measure_table(measure).set_index("county_fips")
        ours = national[national["measure"] == measure].set_index("county_fips").loc[ma.index]
        for column in ("numerator", "denominator", "estimate"):
            pd.testing.assert_series_equal(ours[column], ma[column], check_names=False, obj=f"{measure} {column}")
