"""The methods view: every worked example computed from the real processed tables with the project's own
functions, the seven sections' stable anchors, and generated text free of blanks."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.present.figures import funnel_limits
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views import methods as view
from ma_ice_coop.views.methods import examples

REPO = Path(__file__).resolve().parents[1]
ANCHORS = (
    "measures",
    "intervals",
    "funnel-plots",
    "shrinkage",
    "permutation-tests",
    "interrupted-time-series",
    "ecological-inference",
)
TEXTS = (
    view.key_findings,
    view.measures_text,
    view.jeffreys_text,
    view.poisson_text,
    view.funnel_text,
    view.shrinkage_text,
    view.permutation_text,
    view.its_text,
    view.ecological_text,
    view.limitations,
)


@pytest.fixture(scope="module")
def default():
    return view.compute("Bristol")


def test_the_seven_sections_have_stable_anchors():
    assert view.ANCHORS == ANCHORS
    for anchor in ANCHORS:
        assert f'<h2 id="{anchor}">' in view.heading(anchor).data
    links = re.findall(r'href="#([a-z-]+)"', view.contents().data)
    assert tuple(links) == ANCHORS
    with pytest.raises(KeyError, match="valid: measures"):
        view.heading("methods")


def test_the_measures_table_comes_from_the_catalogue():
    table = view.measures_html().data
    for measure in catalogue().measures.values():
        assert f"<td>{html.escape(measure.label, quote=False)}</td>" in table  # labels, never ids (plain language)
    assert "Jeffreys 95%" in table and "exact Poisson 95%" in table


def test_the_jeffreys_example_is_the_measure_tables_interval(default):
    row, own = examples.example_row(default.share, "Bristol")
    ex = examples.share_example(row)
    assert own and ex["county"] == "Bristol" and ex["n"] > 0
    assert ex["ci_low"] == pytest.approx(row["ci_low"]) and ex["ci_high"] == pytest.approx(row["ci_high"])
    beta = stats.beta(ex["k"] + 0.5, ex["n"] - ex["k"] + 0.5)
    if 0 < ex["k"] < ex["n"]:
        assert ex["ci_low"] == pytest.approx(beta.ppf(0.025)) and ex["ci_high"] == pytest.approx(beta.ppf(0.975))
    text = view.jeffreys_text(default)
    assert f"{ex['k']:.0f} of {ex['n']:.0f} detainers" in text


def test_the_poisson_example_is_the_measure_tables_interval(default):
    row, _ = examples.example_row(default.rate, "Bristol")
    ex = examples.rate_example(row)
    assert ex["estimate"] == pytest.approx(row["estimate"])
    assert ex["ci_low"] == pytest.approx(row["ci_low"]) and ex["ci_high"] == pytest.approx(row["ci_high"])
    assert ex["count_low"] < ex["k"] < ex["count_high"]
    small = examples.rate_example(examples.small_count_row(default.rate))
    assert small["k"] == default.rate.loc[default.rate["numerator"] > 0, "numerator"].min()


def test_a_county_without_a_denominator_falls_back_and_says_so():
    report = view.compute("Nantucket")
    row, own = examples.example_row(report.share, "Nantucket")
    assert not own and row["denominator"] == report.share["denominator"].max()
    assert "Nantucket has no denominator" in view.jeffreys_text(report)
    assert "Nantucket has no denominator" in view.poisson_text(report)


def test_funnel_positions_use_the_exact_binomial_limits(default):
    positions = examples.funnel_positions(default.share, default.pooled_share)
    assert len(positions) == int((default.share["denominator"] > 0).sum())
    low, high = funnel_limits(default.pooled_share, positions["n"], 0.95)
    inside = (positions["share"] >= low) & (positions["share"] <= high)
    assert ((positions["position"] == "inside") == inside).all()
    figure = view.funnel_figure(default).data
    assert 'alt="' in figure and "Source:" in figure and "<script" not in figure


def test_shrinkage_moves_the_small_county_more_than_the_large(default):
    rows = examples.shrinkage_rows(default.share, default.shrinkage)
    small, large = examples.small_and_large(rows)
    assert small["n"] == rows["n"].min() and large["n"] == rows["n"].max()
    assert abs(small["shrunk"] - small["raw"]) > abs(large["shrunk"] - large["raw"])
    mean = default.prior["alpha"] / default.prior["size"]
    for row in (small, large):  # the shrunken share lies between the raw share and the prior mean
        assert min(row["raw"], mean) - 1e-9 <= row["shrunk"] <= max(row["raw"], mean) + 1e-9
    assert "profile-likelihood range" in view.shrinkage_text(default)


def test_the_permutation_example_is_reproducible(default):
    test = default.correlation
    assert test["n"] == int(default.rate["estimate"].notna().sum())
    assert 1 / (test["n_permutations"] + 1) <= test["p_value"] <= 1
    again = models.permutation_spearman(
        default.joined["foreign_born_share"], default.joined["estimate"], n_permutations=9999, seed=models.DEFAULT_SEED
    )
    assert again["rho"] == test["rho"] and again["p_value"] == test["p_value"]
    assert f"over {test['n']} counties" in view.permutation_text(default)


def test_the_time_series_is_labelled_descriptive(default):
    its = default.its.result
    assert its.n_before >= models.MIN_POINTS_PER_SEGMENT and its.n_after >= models.MIN_POINTS_PER_SEGMENT
    assert not its.coefficients["estimate"].isna().any()
    text = view.its_text(default)
    assert "Descriptive, not a test of the event" in text and default.its.row["date"] in text
    assert 'alt="' in view.its_figure(default).data


def test_ecological_bounds_hold_every_split(default):
    bounds = examples.ecological_bounds(default.joined, "foreign_born_share")
    rate, share = bounds["rate"].to_numpy(), bounds["share"].to_numpy()
    # the county rate is the share-weighted mean of the two groups' rates at both extremes of the bounds
    assert np.allclose(share * bounds["foreign_high"] + (1 - share) * bounds["other_low"], rate)
    assert np.allclose(share * bounds["foreign_low"] + (1 - share) * bounds["other_high"], rate)
    assert "method of bounds" in view.ecological_text(default)


def test_texts_are_generated_without_blanks(default):
    for text in TEXTS:
        words = text(default)
        assert words.strip() and not re.search(r"\bnan\b|–\s*\(|\(\s*\)", words.lower()), text.__name__
    assert "Lunn" in view.measures_text(default) and "sheriff-run" in view.key_findings(default)
    for table in (
        view.intervals_html,
        view.funnel_table_html,
        view.shrinkage_html,
        view.correlation_html,
        view.its_table_html,
        view.bounds_html,
    ):
        assert "<table" in table(default).data and ">nan<" not in table(default).data


def test_the_detainers_are_split_by_operator(default):
    detainers = measures.measure_table("detainers_lodged")
    assert "of the" in view.key_findings(default)
    assert f"{detainers['numerator'].sum():.0f} went to sheriff-run facilities" in view.measures_text(default)


def test_the_report_keeps_the_anchors():
    page = REPO / "reports" / "methods.html"
    assert page.exists(), "run `ma-ice notebooks methods` to build the report"
    ids = set(re.findall(r'id="([a-z-]+)"', page.read_text(encoding="utf-8")))
    assert set(ANCHORS) <= ids
