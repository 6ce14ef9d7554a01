"""The national notebook's view: parameters it refuses, one state's run, and a model it refuses to fit."""

from __future__ import annotations

import pytest

from ma_ice_coop.analysis import national_models
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.views import national_context as view

COVARIATES = ["pres_dem_share", "foreign_born_share", "population"]


@pytest.fixture(scope="module")
def massachusetts():
    """One state whose counties are too few for the models (7 with at least 10 detainers)."""
    return view.compute("custody_share", COVARIATES, 10, state="MA")


def test_parameters_that_make_no_sense_are_refused():
    with pytest.raises(ParameterError, match="not modelled nationally"):
        view.check_parameters("agreement_287g_years", COVARIATES, 10, "all", [])
    with pytest.raises(ParameterError, match="not both"):
        view.check_parameters("custody_share", COVARIATES, 10, "TX", ["CA"])
    with pytest.raises(ParameterError, match="repeated"):
        view.check_parameters("custody_share", ["population", "population"], 10, "all", [])


def test_one_state_with_too_few_counties_refuses_the_models_and_still_reads(massachusetts):
    assert not massachusetts.fits
    assert "too few" in massachusetts.refusals[0]
    assert set(massachusetts.counties["state"]) == {"MA"} and len(massachusetts.counties) == 14
    findings = view.key_findings(massachusetts)
    assert "Not fitted" in findings and "Within Massachusetts" not in findings
    assert "counties of Massachusetts" in findings
    assert "heteroskedasticity-robust" in view.model_text(massachusetts)


def test_few_states_get_robust_not_clustered_errors():
    import numpy as np

    errors, note = national_models.robust_errors(np.array([0, 0, 1, 1]))
    assert errors == {"cov_type": "HC1"} and "only 2 state(s)" in note
    errors, note = national_models.robust_errors(np.arange(12))
    assert errors["cov_type"] == "cluster" and "12" in note


def test_a_rate_is_shown_per_100000_as_in_the_measure_table():
    from ma_ice_coop.analysis.national_data import national_inputs
    from ma_ice_coop.views.national_context.text import fmt_value

    result = view.compute("detainers_per_100k", COVARIATES, 10, state="MA")
    table = national_inputs().measures
    suffolk = table[(table["measure"] == "detainers_per_100k") & (table["county_fips"] == "25025")].iloc[0]
    assert fmt_value(result, result.highlighted.loc["25025", "estimate"]) == f"{suffolk['estimate']:,.1f}"
    assert 1 < result.pooled * 100_000 < 100  # detainers per 100,000 residents in Massachusetts, not per resident
