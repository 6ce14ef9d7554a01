"""Small-n models: permutation Spearman, quasi-binomial GLM, mixed binomial GLM, interrupted time series.

Unless a test says it reads a processed table, every data set here is SYNTHETIC test data generated
with a fixed seed and a known truth; none of it describes Massachusetts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ma_ice_coop.analysis import models as M
from ma_ice_coop.io import processed_path


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------------------------------------
# permutation Spearman


def test_perfectly_monotone_gives_rho_one_and_smallest_p():
    x = np.arange(14)
    r = M.permutation_spearman(x, x**3 + 5)
    assert r["rho"] == pytest.approx(1.0)
    assert r["p_value"] == pytest.approx(1 / 10_000)  # (0 + 1) / (9999 + 1)
    assert r["n"] == 14 and r["n_permutations"] == 9999
    down = M.permutation_spearman(x, -x, n_permutations=999)
    assert down["rho"] == pytest.approx(-1.0)
    assert down["p_value"] == pytest.approx(1 / 1000)


def test_independent_variables_give_a_large_p():
    # synthetic: two independent normal samples
    rng = np.random.default_rng(11)
    r = M.permutation_spearman(rng.normal(size=14), rng.normal(size=14))
    assert abs(r["rho"]) < 0.5
    assert r["p_value"] > 0.2


def test_rho_matches_scipy_with_ties():
    x = [1, 2, 2, 3, 5, 5, 5, 8, 9, 10]
    y = [2, 1, 4, 4, 3, 7, 6, 9, 8, 8]
    r = M.permutation_spearman(x, y, n_permutations=199)
    assert r["rho"] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_p_value_is_count_plus_one_over_permutations_plus_one():
    rng = np.random.default_rng(5)
    x = rng.normal(size=12)
    y = x + rng.normal(size=12)
    r = M.permutation_spearman(x, y, n_permutations=99)
    count = r["p_value"] * 100 - 1
    assert count == pytest.approx(round(count)) and 0 <= round(count) <= 99


def test_same_seed_same_result_and_seed_is_used():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=14), rng.normal(size=14)
    a = M.permutation_spearman(x, y, seed=1)
    b = M.permutation_spearman(x, y, seed=1)
    assert a == b
    others = {M.permutation_spearman(x, y, seed=s, n_permutations=199)["p_value"] for s in range(5)}
    assert len(others) > 1  # the seed drives the permutations


def test_missing_pairs_are_dropped_and_counted():
    x = [1, 2, np.nan, 4, 5, 6, 7]
    y = [1, 2, 3, None, 5, 6, 7]
    r = M.permutation_spearman(pd.Series(x), pd.Series(y, dtype="Float64"), n_permutations=99)
    assert r["n"] == 5 and r["n_dropped"] == 2
    assert r["rho"] == pytest.approx(1.0)
    assert "2 pairs with a missing value dropped" in r["note"]


def test_fewer_than_four_pairs_or_constant_gives_nan_with_a_note():
    r = M.permutation_spearman([1, 2, 3, np.nan], [3, 1, 2, 4])
    assert r["n"] == 3 and math.isnan(r["rho"]) and math.isnan(r["p_value"])
    assert "at least 4" in r["note"]
    c = M.permutation_spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])
    assert math.isnan(c["rho"]) and "constant" in c["note"]


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="same length"):
        M.permutation_spearman([1, 2, 3, 4], [1, 2, 3])
    with pytest.raises(ValueError, match="numeric"):
        M.permutation_spearman(pd.Series(["a", "b", "c", "d"]), [1, 2, 3, 4])


def test_rank_correlations_table():
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"share": rng.uniform(size=14)})
    table["same"] = table["share"] * 10
    table["noise"] = rng.normal(size=14)
    table.loc[0, "noise"] = np.nan
    out = M.rank_correlations(table, "share", ["same", "noise"], n_permutations=999)
    assert list(out.columns) == [
        "covariate",
        "n",
        "rho",
        "ci_low",
        "ci_high",
        "p_value",
        "p_holm",
        "tied_outcome",
        "tied_covariate",
        "ties_dominate",
        "ties",
        "n_small",
        "rho_without_small",
        "p_without_small",
        "note",
    ]
    assert (out["ci_low"] <= out["rho"]).all() and (out["rho"] <= out["ci_high"]).all()
    assert out["covariate"].tolist() == ["same", "noise"]
    assert out["n"].tolist() == [14, 13]
    assert out.loc[0, "rho"] == pytest.approx(1.0)
    assert (out["p_holm"] >= out["p_value"]).all()
    pd.testing.assert_frame_equal(out, M.rank_correlations(table, "share", ["same", "noise"], n_permutations=999))


def test_rank_correlations_refuses_many_covariates_and_policy_outcomes():
    table = pd.DataFrame({c: np.arange(14.0) for c in ["y", "a", "b", "c", "d", "agreement_287g"]})
    with pytest.raises(ValueError, match="14 Massachusetts counties"):
        M.rank_correlations(table, "y", ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="never the outcome"):
        M.rank_correlations(table, "agreement_287g", ["a"])
    with pytest.raises(ValueError, match="not in the table"):
        M.rank_correlations(table, "y", ["zzz"])


# ---------------------------------------------------------------------------------------------
# quasi-binomial GLM


def _synthetic_counties(seed=7, n=14, beta=0.8, intercept=-1.0, overdispersion=0.0):
    """SYNTHETIC county table with a known log-odds slope `beta` on x (beta-binomial if overdispersed)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    trials = rng.integers(30, 400, size=n)
    p = _expit(intercept + beta * x)
    if overdispersion:
        p = rng.beta(p / overdispersion, (1 - p) / overdispersion)
    return pd.DataFrame({"x": x, "successes": rng.binomial(trials, p), "trials": trials})


def test_glm_recovers_a_known_effect():
    table = _synthetic_counties(overdispersion=0.02)
    res = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x"])
    coef = res.coefficients.set_index("term")
    assert list(res.coefficients.columns) == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "odds_ratio",
        "or_low",
        "or_high",
        "covariate_sd",
    ]
    assert coef.loc["x", "estimate"] > 0
    assert coef.loc["x", "or_low"] < math.exp(0.8) < coef.loc["x", "or_high"]
    assert coef.loc["x", "odds_ratio"] == pytest.approx(math.exp(coef.loc["x", "estimate"]))
    assert res.n == 14 and res.df_resid == 12
    assert res.dispersion > 1  # the beta-binomial noise shows up as overdispersion


def test_glm_dispersion_is_pearson_chi2_over_df():
    # Guards against the statsmodels pitfall where the (successes, failures) endog with scale="X2"
    # ignores the number of trials and reports a dispersion ~1/mean(trials).
    table = _synthetic_counties(seed=8)
    res = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x"])
    b0, b1 = res.coefficients["estimate"]
    mu = _expit(b0 + b1 * table["x"])
    x2 = (((table["successes"] - table["trials"] * mu) ** 2) / (table["trials"] * mu * (1 - mu))).sum()
    assert res.dispersion == pytest.approx(x2 / 12, rel=1e-6)
    assert 0.3 < res.dispersion < 3  # plain binomial data: dispersion near 1


def test_glm_standardised_terms_are_per_sd():
    table = _synthetic_counties(overdispersion=0.02)
    res = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x"], standardize=True)
    row = res.coefficients.set_index("term").loc["x (per SD)"]
    sd = table["x"].std(ddof=1)
    assert row["covariate_sd"] == pytest.approx(sd)
    assert row["or_low"] < math.exp(0.8 * sd) < row["or_high"]
    assert "per 1 SD" in res.note


def test_glm_binary_covariate_is_not_standardised():
    table = _synthetic_counties()
    table["flag"] = (np.arange(14) % 2).astype(bool)
    res = M.quasi_binomial_glm(
        table, successes="successes", trials="trials", covariates=["x", "flag"], standardize=True
    )
    assert res.coefficients["term"].tolist() == ["Intercept", "x (per SD)", "flag"]


def test_glm_refuses_more_than_three_covariates():
    table = _synthetic_counties()
    for c in "abcd":
        table[c] = np.random.default_rng(1).normal(size=14)
    with pytest.raises(ValueError, match="at most 3") as err:
        M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["a", "b", "c", "d"])
    assert "14 Massachusetts counties" in str(err.value)


def test_glm_excludes_rows_with_zero_trials():
    table = _synthetic_counties()
    extra = pd.DataFrame({"x": [0.3, -1.2], "successes": [0, 0], "trials": [0, 0]})
    res = M.quasi_binomial_glm(
        pd.concat([table, extra], ignore_index=True), successes="successes", trials="trials", covariates=["x"]
    )
    base = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x"])
    assert res.n == 14
    assert "2 rows with trials == 0 excluded" in res.note
    pd.testing.assert_frame_equal(res.coefficients, base.coefficients)


def test_glm_refuses_without_residual_degrees_of_freedom():
    table = _synthetic_counties().head(4)
    table["z"] = [1.0, 3.0, 2.0, 5.0]
    res = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x", "z"])
    assert res.df_resid == 1
    assert res.coefficients["estimate"].isna().all()
    assert res.coefficients["term"].tolist() == ["Intercept", "x", "z"]
    assert "Not fitted" in res.note and "residual degrees of freedom" in res.note
    assert math.isnan(res.dispersion)


def test_glm_refuses_constant_covariate_and_rejects_impossible_counts():
    table = _synthetic_counties()
    table["const"] = 1.0
    res = M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["const"])
    assert res.coefficients["estimate"].isna().all() and "collinear" in res.note
    bad = table.copy()
    bad.loc[0, "successes"] = bad.loc[0, "trials"] + 1
    with pytest.raises(ValueError, match="successes > trials"):
        M.quasi_binomial_glm(bad, successes="successes", trials="trials", covariates=["x"])


def test_functions_do_not_print(capsys):
    table = _synthetic_counties()
    M.quasi_binomial_glm(table, successes="successes", trials="trials", covariates=["x"])
    M.permutation_spearman(table["x"], table["successes"], n_permutations=99)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ---------------------------------------------------------------------------------------------
# mixed binomial GLM


def _synthetic_detainers(seed=4):
    """SYNTHETIC detainer rows: 5 groups with known random intercepts around logit(0.25)."""
    rng = np.random.default_rng(seed)
    effects = {"A": -0.6, "B": -0.2, "C": 0.0, "D": 0.3, "E": 0.7}
    sizes = {"A": 60, "B": 25, "C": 80, "D": 10, "E": 40}
    frames = []
    for g in ["E", "C", "A", "D", "B"]:  # deliberately unsorted
        p = _expit(math.log(0.25 / 0.75) + effects[g])
        frames.append(pd.DataFrame({"county": g, "custody": rng.binomial(1, p, size=sizes[g])}))
    rows = pd.concat(frames, ignore_index=True)
    rows["x"] = rows["county"].map({"A": -1.0, "B": -0.5, "C": 0.0, "D": 0.5, "E": 1.0})
    return rows


def test_mixed_glm_runs_on_five_groups_and_is_deterministic():
    rows = _synthetic_detainers()
    a = M.mixed_binomial_glm(rows, outcome="custody", group="county", seed=3)
    b = M.mixed_binomial_glm(rows, outcome="custody", group="county", seed=3)
    for name in ("fixed_effects", "random_intercept_sd", "group_effects"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.note == b.note
    assert a.n == 215 and a.n_groups == 5
    ge = a.group_effects
    assert ge["group"].tolist() == ["A", "B", "C", "D", "E"]
    assert ge["n"].tolist() == [60, 25, 80, 10, 40]
    assert list(a.fixed_effects.columns) == [
        "term",
        "estimate",
        "sd",
        "ci_low",
        "ci_high",
        "odds_ratio",
        "or_low",
        "or_high",
        "covariate_sd",
    ]
    fe = a.fixed_effects.set_index("term").loc["Intercept"]
    assert fe["ci_low"] < math.log(0.25 / 0.75) < fe["ci_high"]
    sd = a.random_intercept_sd.iloc[0]
    assert 0 < sd["ci_low"] < sd["median"] < sd["ci_high"]
    assert sd["estimate"] >= sd["median"]  # mean of a log-normal
    # shrinkage: fitted shares lie between each group's observed share and the overall share
    overall = rows["custody"].mean()
    lo = np.minimum(ge["observed_share"], overall) - 1e-9
    hi = np.maximum(ge["observed_share"], overall) + 1e-9
    assert ((ge["fitted_share"] >= lo) & (ge["fitted_share"] <= hi)).all()


def test_mixed_glm_with_a_group_level_covariate():
    rows = _synthetic_detainers()
    res = M.mixed_binomial_glm(rows, outcome="custody", group="county", covariates=["x"])
    assert res.fixed_effects["term"].tolist() == ["Intercept", "x (per SD)"]
    assert np.isfinite(res.fixed_effects["estimate"]).all()
    with pytest.raises(ValueError, match="at most 3"):
        M.mixed_binomial_glm(
            rows.assign(a=1.0, b=2.0, c=3.0), outcome="custody", group="county", covariates=["x", "a", "b", "c"]
        )


def test_mixed_glm_refusals_and_bad_outcome():
    rows = _synthetic_detainers()
    one = M.mixed_binomial_glm(rows[rows["county"] == "A"], outcome="custody", group="county")
    assert one.fixed_effects["estimate"].isna().all() and "at least 2" in one.note
    flat = M.mixed_binomial_glm(rows.assign(custody=0), outcome="custody", group="county")
    assert "does not vary" in flat.note
    with pytest.raises(ValueError, match="0/1"):
        M.mixed_binomial_glm(rows.assign(custody=2), outcome="custody", group="county")


def test_mixed_glm_drops_rows_with_a_missing_group():
    rows = _synthetic_detainers()
    rows["county"] = rows["county"].astype("string")
    rows.loc[:4, "county"] = pd.NA
    res = M.mixed_binomial_glm(rows, outcome="custody", group="county")
    assert res.n == len(rows) - 5
    assert "5 rows with a missing outcome, group or covariate dropped" in res.note


@pytest.mark.skipif(not processed_path("detainers").exists(), reason="processed table 'detainers' not built")
def test_mixed_glm_on_fy2015_massachusetts_sheriff_detainers():
    from ma_ice_coop.io import read_processed

    det = read_processed("detainers")
    rows = det[(det["facility_state"] == "MASSACHUSETTS") & (det["operator_type"] == "sheriff")].copy()
    rows["custody"] = rows["outcome"].eq("custody")
    a = M.mixed_binomial_glm(rows, outcome="custody", group="sheriff_county_fips")
    b = M.mixed_binomial_glm(rows, outcome="custody", group="sheriff_county_fips")
    pd.testing.assert_frame_equal(a.group_effects, b.group_effects, check_exact=True)
    pd.testing.assert_frame_equal(a.fixed_effects, b.fixed_effects, check_exact=True)
    assert a.n == len(rows)
    assert a.n_groups == rows["sheriff_county_fips"].nunique()
    assert a.group_effects["group"].tolist() == sorted(rows["sheriff_county_fips"].unique())
    assert a.group_effects["n"].sum() == len(rows)
    assert a.group_effects["successes"].sum() == rows["custody"].sum()
    assert np.isfinite(a.fixed_effects["estimate"]).all()
    assert a.group_effects["fitted_share"].between(0, 1).all()


# ---------------------------------------------------------------------------------------------
# interrupted time series


def _synthetic_monthly(n_before=24, n_after=24, drop=-30.0, seed=3):
    """SYNTHETIC monthly series: level 100, +0.5 a month, a level drop at the event, AR(1) noise."""
    rng = np.random.default_rng(seed)
    n = n_before + n_after
    t = np.arange(n)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.4 * noise[i - 1] + rng.normal(0, 3)
    y = 100 + 0.5 * t + drop * (t >= n_before) + noise
    return pd.Series(y, index=pd.date_range("2015-01-01", periods=n, freq="MS"), name="headcount")


def test_its_recovers_a_known_level_drop():
    series = _synthetic_monthly()
    res = M.interrupted_time_series(series, "2017-01-01")
    coef = res.coefficients.set_index("term")
    assert coef.index.tolist() == [
        "intercept",
        "time (per month)",
        "level change at event",
        "slope change after event (per month)",
    ]
    level = coef.loc["level change at event"]
    assert level["ci_low"] < -30 < level["ci_high"] and level["p_value"] < 0.01
    assert coef.loc["time (per month)", "ci_low"] < 0.5 < coef.loc["time (per month)", "ci_high"]
    assert res.n_before == 24 and res.n_after == 24
    fitted = res.fitted
    assert list(fitted.columns) == ["date", "segment", "observed", "fitted", "counterfactual"]
    first_after = fitted[fitted["segment"] == "after"].iloc[0]
    assert first_after["date"] == pd.Timestamp("2017-01-01")
    assert first_after["fitted"] - first_after["counterfactual"] == pytest.approx(level["estimate"])
    before = fitted[fitted["segment"] == "before"]
    assert np.allclose(before["fitted"], before["counterfactual"])
    again = M.interrupted_time_series(series, "2017-01-01")
    pd.testing.assert_frame_equal(res.coefficients, again.coefficients, check_exact=True)


def test_its_leaves_out_the_month_containing_a_mid_month_event():
    series = _synthetic_monthly()
    res = M.interrupted_time_series(series, "2016-12-15")
    excluded = res.fitted[res.fitted["segment"] == "event period (excluded)"]
    assert excluded["date"].tolist() == [pd.Timestamp("2016-12-01")]
    assert res.n_before == 23 and res.n_after == 24
    assert "left out" in res.note
    kept = M.interrupted_time_series(series, "2016-12-15", exclude_event_period=False)
    assert kept.n_before == 24


def test_its_refuses_with_fewer_than_eight_points_on_a_side():
    series = _synthetic_monthly(n_before=24, n_after=7)
    res = M.interrupted_time_series(series, "2017-01-01")
    assert res.n_after == 7
    assert res.coefficients["estimate"].isna().all()
    assert "Not fitted" in res.note and "after" in res.note and "8" in res.note
    outside = M.interrupted_time_series(_synthetic_monthly(), "2030-01-01")
    assert outside.n_after == 0 and outside.coefficients["estimate"].isna().all()


def test_its_drops_missing_months_and_counts_them():
    series = _synthetic_monthly()
    series.iloc[[3, 30]] = np.nan
    res = M.interrupted_time_series(series.drop(series.index[10]), "2017-01-01")
    assert res.n_before == 22 and res.n_after == 23
    assert "3 periods with no value dropped" in res.note


def test_its_rejects_irregular_or_duplicated_dates():
    series = _synthetic_monthly()
    off = series.copy()
    off.index = off.index + pd.Timedelta(days=3)
    with pytest.raises(ValueError, match="not on the 'MS' grid"):
        M.interrupted_time_series(off, "2017-01-01")
    with pytest.raises(ValueError, match="more than once"):
        M.interrupted_time_series(pd.concat([series, series.iloc[:1]]), "2017-01-01")


# ---------------------------------------------------------------------------------------------


def test_ecological_inference_note():
    note = M.ecological_inference_note()
    assert "14 counties" in note and "individual" in note
    assert 2 <= note.count(". ") + 1 <= 3
