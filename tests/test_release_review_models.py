"""Release review (issue 7), 'Statistics to fix': correlations and the detainer-level model.

Each test fails if an old method or claim comes back: Nantucket's structural zero in a jail measure,
the population-based small-county flag, periods compared silently, ties unreported, the mixed model
in the key findings, collinear covariates modelled without a word, overstated wording. Synthetic
data sets are generated with a fixed seed and describe no county.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis import models as M
from ma_ice_coop.present import figures
from ma_ice_coop.views import politics_demographics as view

DEFAULT = dict(
    measure="jail_arrests_per_100k", covariates=["pres_dem_share", "foreign_born_share"], covariate_year=2016
)
CUSTODY = dict(measure="custody_share", covariates=["sheriff_republican", "hispanic_share"], covariate_year=2015)


@pytest.fixture(scope="module")
def default():
    return view.compute(**DEFAULT)


@pytest.fixture(scope="module")
def custody():
    return view.compute(**CUSTODY)


@pytest.fixture(scope="module")
def declined():
    return view.compute(measure="declined_share", covariates=["pres_dem_share"], covariate_year=2016)


# ----------------------------------------------------------------------------- structural zeros


def test_every_outcome_measure_is_a_jail_measure():
    assert set(view.JAIL_MEASURES) == set(measures.MEASURES) - {"agreement_287g_years"}
    assert "Nantucket" in view.counties_without_jail()


@pytest.mark.parametrize("which", ["default", "custody", "declined"])
def test_nantucket_is_not_in_the_correlation_input_for_jail_measures(which, request):
    r = request.getfixturevalue(which)
    assert "Nantucket" not in set(r.analysed["county"])
    assert "runs no jail" in r.excluded.set_index("county").loc["Nantucket", "reason"]
    for row in r.correlations.itertuples():
        assert row.n == int(r.analysed[row.covariate].notna().sum())
    findings = view.key_findings(r)
    assert "Nantucket (its sheriff runs no jail" in findings and "not a zero" in findings


def test_a_zero_for_a_county_without_a_jail_is_not_analysed():
    joined = pd.DataFrame(
        {"county": ["Barnstable", "Nantucket", "Dukes"], "estimate": [2.4, 0.0, np.nan], "denominator": [1e6, 1e5, 0.0]}
    )
    out, excluded = view.mark_exclusions("jail_arrests_per_100k", joined)
    assert out["in_analysis"].tolist() == [True, False, False]
    assert excluded["county"].tolist() == ["Nantucket", "Dukes"]
    assert "not a zero" in excluded["reason"].iloc[0] and "no denominator" in excluded["reason"].iloc[1]


def test_default_rank_correlation_without_nantucket(default):
    # with Nantucket's structural zero the foreign-born rho was 0.33 over 14 counties; without it, about 0.57 over 13
    c = default.correlations.set_index("covariate")
    assert c.loc["foreign_born_share", "n"] == 13
    expected = stats.spearmanr(default.analysed["foreign_born_share"], default.analysed["estimate"]).statistic
    assert c.loc["foreign_born_share", "rho"] == pytest.approx(expected) and expected > 0.5


# ----------------------------------------------------------------------------- small by data


def test_small_flag_is_by_data_not_population(default, custody):
    for r in (default, custody):
        assert "small_county" not in r.joined.columns
        table = measures.measure_table(r.measure)
        expected = set(table.loc[measures.small_by_data(table), "county"]) & set(r.analysed["county"])
        assert set(r.small) == expected
    # Barnstable (7 detainers) and Hampden (5) are small for custody share; Berkshire is not flagged by population
    assert {"Barnstable", "Hampden"} <= set(custody.small)
    assert "Berkshire" not in default.small
    assert measures.small_rule("custody_share") in view.key_findings(custody)


def test_scatter_plots_use_the_small_by_data_flag(default, monkeypatch):
    seen = []
    real = figures.scatter_labeled
    monkeypatch.setattr(figures, "scatter_labeled", lambda t, **kw: seen.append((t, kw)) or real(t, **kw))
    view.scatter_figure_markup(default, "pres_dem_share")
    table, kw = seen[0]
    assert kw["flag_col"] == "small"
    assert table.loc[table["small"], "county"].tolist() == default.small


def test_small_counties_get_a_sensitivity_correlation(default, custody):
    c = default.correlations.set_index("covariate")
    assert c.loc["pres_dem_share", "n_small"] == len(default.small) and pd.notna(
        c.loc["pres_dem_share", "rho_without_small"]
    )
    assert "Without the county whose estimate rests on few cases" in view.key_findings(default)
    assert "too few are left to compute it" in view.key_findings(custody)  # 3 counties have 30+ detainers


def test_rank_correlations_repeat_without_small_rows():
    rng = np.random.default_rng(1)
    t = pd.DataFrame({"y": rng.normal(size=12), "x": rng.normal(size=12), "small": [True] * 3 + [False] * 9})
    out = M.rank_correlations(t, "y", ["x"], small="small", n_permutations=199).iloc[0]
    alone = M.permutation_spearman(t.loc[~t["small"], "x"], t.loc[~t["small"], "y"], n_permutations=199)
    assert out["n_small"] == 3 and out["rho_without_small"] == pytest.approx(alone["rho"])


# ----------------------------------------------------------------------------- periods


def test_each_side_period_is_stated(default, custody, declined):
    d = view.key_findings(default)
    assert "Periods: the measure covers 2011-10-01 to 2023-01-29" in d
    assert "A single year of each covariate is compared with a measure pooled over 11.3 years" in d
    c = view.key_findings(custody)
    assert "Hispanic share of residents: 2010" in c and "2010 is outside the measure's period" in c
    assert "2016 is outside the measure's period" in view.key_findings(declined)  # FY2015 against 2016
    assert "a different period from the FY2015 detainers" in view.mixed_text(default)


# ----------------------------------------------------------------------------- ties


def test_ties_are_counted_and_flagged_when_they_dominate():
    y = [0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4]
    x = list(range(10))
    out = M.rank_correlations(pd.DataFrame({"y": y, "x": x}), "y", ["x"], n_permutations=199).iloc[0]
    assert out["tied_outcome"] == 6 and out["tied_covariate"] == 0 and out["ties_dominate"]
    assert "6 of 10 values of the outcome" in out["ties"] and "unreliable" in out["ties"]
    clean = M.rank_correlations(pd.DataFrame({"y": np.arange(10.0), "x": x}), "y", ["x"], n_permutations=99)
    assert not clean["ties_dominate"].iloc[0] and clean["ties"].iloc[0] == ""


def test_ties_are_said_in_the_report(declined, custody):
    assert "Ties dominate" in view.key_findings(declined) and "unreliable" in view.key_findings(declined)
    assert "takes only two values, so rho compares two groups" in view.key_findings(custody)
    assert "tied values (measure / covariate)" in view.correlations_html(declined).data


# ----------------------------------------------------------------------------- the detainer-level model


@pytest.mark.parametrize("which", ["default", "custody"])
def test_key_findings_do_not_mention_the_mixed_model(which, request):
    findings = view.key_findings(request.getfixturevalue(which)).lower()
    for phrase in ("detainer-level", "random intercept", "random-intercept", "mixed", "variational"):
        assert phrase not in findings


def _collinear_detainers(seed=4):
    """SYNTHETIC: 8 groups whose two group-level covariates correlate at about 0.99."""
    rng = np.random.default_rng(seed)
    frames = []
    for g in range(8):
        a = g / 7
        frames.append(
            pd.DataFrame(
                {"group": f"G{g}", "a": a, "b": a + rng.normal(0, 0.03), "y": rng.binomial(1, 0.3, size=20 + 5 * g)}
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_a_collinear_pair_is_refused_by_the_mixed_model_and_warned_by_the_glm():
    rows = _collinear_detainers()
    fit = M.mixed_binomial_glm(rows, outcome="y", group="group", covariates=["a", "b"])
    assert fit.fixed_effects["estimate"].isna().all() and "Not fitted" in fit.note
    assert fit.covariate_correlations["r"].iloc[0] > M.COLLINEARITY_LIMIT and "correlate at r =" in fit.note
    assert np.isfinite(
        M.mixed_binomial_glm(rows, outcome="y", group="group", covariates=["a"]).fixed_effects["estimate"]
    ).all()
    counties = rows.groupby("group").agg(s=("y", "sum"), t=("y", "size"), a=("a", "first"), b=("b", "first"))
    glm = M.quasi_binomial_glm(counties, successes="s", trials="t", covariates=["a", "b"])
    assert "Warning:" in glm.note and "cannot separate" in glm.note
    assert glm.covariate_correlations.loc[0, "weights"] == "t"


def test_weighted_correlation_uses_the_weights():
    t = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0, 1.0, 2.0, -10.0]})
    unweighted = M.weighted_covariate_correlations(t, ["a", "b"])["r"].iloc[0]
    weighted = M.weighted_covariate_correlations(t, ["a", "b"], [100, 100, 100, 1e-9])["r"].iloc[0]
    assert unweighted < 0 and weighted == pytest.approx(1.0, abs=1e-6)


def test_default_run_refuses_the_collinear_mixed_model_and_says_why(default):
    corr = default.mixed.covariate_correlations
    assert corr["r"].iloc[0] > M.COLLINEARITY_LIMIT  # about 0.96 weighted by detainers
    assert default.mixed.fixed_effects["estimate"].isna().all()
    text = view.mixed_text(default)
    assert "correlate at r = 0.96 weighted by detainers" in text and "Not fitted" in text
    assert "cannot separate the covariates" in view.key_findings(default)  # the county GLM: r 0.85 by person-years
    assert "correlate at r = " in view.glm_text(default)


def test_covariate_correlation_is_reported_beside_a_fitted_model(custody):
    assert custody.mixed.covariate_correlations["r"].abs().iloc[0] < M.COLLINEARITY_LIMIT
    assert "weighted by detainers" in view.mixed_text(custody) and "weighted by detainers" in view.glm_text(custody)


def test_variational_bayes_with_few_counties_is_said_to_understate_uncertainty(custody):
    assert (
        f"variational Bayes with only {custody.detainer_rows['sheriff_county_fips'].nunique()} counties "
        "understates the uncertainty" in view.mixed_text(custody)
    )
    assert "understates uncertainty" in custody.mixed.note


# ----------------------------------------------------------------------------- wording


@pytest.mark.parametrize("which", ["default", "custody"])
def test_key_findings_wording_is_no_stronger_than_the_data(which, request):
    r = request.getfixturevalue(which)
    findings = view.key_findings(r)
    assert "almost no rank association" not in findings
    assert not re.search(r"compatible with no association", findings)
    for m in re.finditer(r"no association", findings):
        assert findings[m.start() : m.start() + 80].startswith("no association distinguishable from chance with")
    assert "approximate 95% interval" in findings and "descriptive county-level model" in findings.lower()
    for var in r.covariates:
        assert var not in findings  # labels, not variable names
    assert f"with {len(r.analysed)} counties" in findings or f"{len(r.analysed)} counties" in findings


def test_chance_phrase_names_the_number_of_counties():
    assert view.chance_phrase(0.5, 14).startswith("with 14 counties, the data cannot distinguish")
    assert "does not show that there is none" in view.chance_phrase(0.5, 14)


def test_jail_arrests_are_not_called_lower_bounds(default):
    text = view.limitations(default)
    assert "lower bound" not in text.split("ICE arrests at jails")[1].split("\n")[0]
    assert "too low or too high" in text
    assert "residents, a proxy" in text
