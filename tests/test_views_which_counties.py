"""The which-counties view: generated findings from the real measures, for default and other parameters."""

from __future__ import annotations

import re

import pytest

from ma_ice_coop.views import which_counties as view


@pytest.fixture(scope="module")
def default():
    return view.compute("custody_share", "2014-10-01", "2015-07-19")


def test_findings_are_generated_from_the_numbers(default):
    text = view.key_findings(default)
    assert "State pool: 18% (43 of 233)" in text
    assert not re.search(r"\bnan\b", text.lower())
    assert "No denominator (nothing to measure) in: Berkshire, Hampshire, Nantucket" in text


def test_shrinkage_only_for_shares(default):
    assert default.shrunk is not None and len(default.shrunk) == 14
    rate = view.compute("jail_arrests_per_100k", "2011-10-01", "2023-01-29")
    assert rate.shrunk is None and rate.kind == "rate"
    assert not re.search(r"\bnan\b", view.key_findings(rate).lower())


def test_figures_have_alt_text(default):
    for figure in (
        view.interval_figure(default),
        view.funnel_figure(default),
        view.map_figure(default),
        view.shrinkage_figure(default),
    ):
        assert 'alt="' in figure.data and "<script" not in figure.data


def test_other_agencies_are_listed_apart(default):
    groups = set(default.agency["agency_group"])
    assert {"state_doc", "federal", "police"} <= groups and "sheriff" not in groups


def test_limitations_name_lunn_and_nantucket(default):
    text = view.limitations(default)
    assert "Lunn" in text and "Nantucket" in text
