"""The county profile view: generated text and tables from the real processed tables, for every county."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.specs.notebooks import notebook_parameters
from ma_ice_coop.tables.reference import load_counties
from ma_ice_coop.views import county_profile as view
from ma_ice_coop.views.county_profile.formatting import rank_text

COUNTIES = sorted(load_counties()["county"])
DEFAULT = ("2014-10-01", "2015-07-19")
NAN_WORD = re.compile(r"\bnan\b", re.IGNORECASE)  # "Nantucket" contains "nan": match the word only


@pytest.fixture(scope="module")
def profiles(county_profiles):
    return county_profiles


def _all_text(r) -> str:
    """Every generated text and table of the report except the figures."""
    parts = [
        view.heading(r),
        view.key_findings(r),
        view.measures_intro(r),
        view.facilities_text(r),
        view.covariates_note(r),
        view.limitations(r),
    ]
    for table in (
        view.measures_table_html,
        view.sheriff_facilities_html,
        view.other_facilities_html,
        view.events_html,
        view.years_html,
        view.sheriffs_html,
        view.covariates_html,
        view.county_facts_html,
    ):
        out = table(r)
        parts.append(getattr(out, "data", None) or str(out))
    return "\n".join(parts)


@pytest.mark.parametrize("county", COUNTIES)
def test_every_county_renders_without_nan(profiles, county):
    text = _all_text(profiles[county])
    assert not NAN_WORD.search(text), NAN_WORD.search(text)
    assert "<script" not in text


def test_known_values_for_suffolk(profiles):
    r = profiles["Suffolk"]
    text = view.key_findings(r)
    assert "ICE lodged 51 detainers" in text
    assert "for 14 of 51 detainers" in text
    assert "Steven W. Tompkins (Democrat, appointed)" in text
    assert "No 287(g) agreement is recorded" in text
    s = r.summary.set_index("measure")
    assert s.loc["detainers_lodged", "estimate"] == 51 and s.loc["detainers_lodged", "rank"] == 2
    assert s.loc["custody_share", "numerator"] == 14 and s.loc["custody_share", "denominator"] == 51
    assert s.loc["custody_share", "state"] == pytest.approx(43 / 233)
    assert set(r.sheriff_facilities["facility_id"]) == {"suffolk_south_bay_hoc", "suffolk_nashua_street_jail"}


def test_rank_and_comparison_wording(profiles):
    r = profiles["Bristol"]
    table = view.measures_table_html(r).data
    # operational 287(g) years: Bristol, Plymouth and Barnstable 5 each (Barnstable's 2007-09 were paper years)
    assert "tied highest of 14" in table
    assert "The sheriff's 287(g) agreement was operational in 2017-2021" in view.key_findings(r)
    essex = view.measures_table_html(profiles["Essex"]).data
    assert "whole interval above the state pool" in essex


def test_nantucket_points_to_barnstable(profiles):
    r = profiles["Nantucket"]
    text = view.key_findings(r)
    assert "has no jail or house of correction" in text
    assert "Barnstable" in text and "(Barnstable.html)" in text
    assert "zero or blank by construction" in text
    assert r.sheriff_facilities.empty
    assert "Barnstable" in view.sheriff_facilities_html(r).data
    assert "zero or blank by construction (no jail)" in view.measures_table_html(r).data
    assert "Barnstable" in view.limitations(r)
    for county in COUNTIES:
        if county != "Nantucket":
            assert "has no jail" not in view.key_findings(profiles[county])


@pytest.mark.parametrize("county", COUNTIES)
def test_small_by_data_wording(profiles, county):
    """Small is decided per measure by the county's data (measures.small_by_data), not by population."""
    r = profiles[county]
    text = view.key_findings(r)
    assert "small county" not in text
    for m in r.measure_ids:
        row = r.summary[r.summary["measure"] == m].iloc[0]
        expected = bool(measures.small_by_data(r.tables[m][r.tables[m]["county_fips"] == r.county_fips]).iloc[0])
        assert bool(row["small"]) == expected and (m in r.small_measures) == expected
        if expected and pd.notna(row["rank"]):
            assert rank_text(row).startswith("not ranked (small: ")
    if r.small_measures and r.host is None:
        assert "too few cases to rank" in text


@pytest.mark.parametrize("county", COUNTIES)
def test_non_sheriff_facilities_never_counted(profiles, county):
    r = profiles[county]
    lodged = measures.measure_table("detainers_lodged")
    expected = lodged.loc[lodged["county"] == county, "estimate"].iloc[0]
    assert r.sheriff_facilities["detainers"].sum() == expected
    assert (r.sheriff_facilities["operator_type"] == "sheriff").all()
    assert (r.sheriff_facilities["sheriff_county_fips"] == r.county_fips).all()
    assert not (r.other_facilities["operator_type"] == "sheriff").any()
    assert (r.other_facilities["county_fips"] == r.county_fips).all()
    arrests = measures.measure_table("jail_arrests")
    assert r.sheriff_facilities["ice_arrests"].sum() == arrests.loc[arrests["county"] == county, "estimate"].iloc[0]


def test_norfolk_state_prisons_are_apart(profiles):
    """MCI-Norfolk and MCI-Cedar Junction are state prisons in Norfolk County, not the Norfolk sheriff's."""
    r = profiles["Norfolk"]
    assert set(r.sheriff_facilities["facility_id"]) == {"norfolk_dedham_ncc"}
    assert {"doc_mci_norfolk", "doc_mci_cedar_junction"} <= set(r.other_facilities["facility_id"])
    assert r.summary.set_index("measure").loc["detainers_lodged", "estimate"] == 11


def test_tables_equal_measure_table():
    period = measures.Period.parse("2015-01-01", "2015-03-31")
    ids = view.measure_ids("resolved", "broad")
    tables = view.measure_tables(ids, period)
    for m in ids:
        expected = measures.measure_table(m, period if m in measures.DETAINER_MEASURES else None)
        pd.testing.assert_frame_equal(tables[m], expected)


def test_year_table_matches_detention_rows(profiles):
    from ma_ice_coop.io import read_processed

    r = profiles["Bristol"]
    daily = read_processed("ice_detention_daily")
    t = measures.detention_rows(daily, measures.fiscal_year_period(2019))
    t = t[t["county_fips"] == r.county_fips].set_index("measure")
    row = r.years.set_index("year").loc[2019]
    assert row["mean_daily"] == pytest.approx(t.loc["mean_daily_ice_headcount", "estimate"])
    assert row["detention_days"] == t.loc["detention_contract_days", "estimate"]
    assert bool(row["agreement_287g"]) is True
    assert row["adp_year_end"] == pytest.approx(185.394521)


def test_definitions_add_measures():
    r = view.compute("Essex", "2015-01-01", "2015-03-31", "resolved", "broad")
    assert {"custody_share_resolved", "declined_share_broad"} <= set(r.measure_ids)
    assert set(measures.HEADLINE_MEASURES) <= set(r.measure_ids)
    text = view.key_findings(r)
    assert "resolved detainers" in text and "releases without a transfer" in text
    assert "From 2015-01-01 to 2015-03-31" in text
    default = view.measure_ids("all", "recorded")
    assert "custody_share_resolved" not in default and "declined_share_broad" not in default


def test_events_are_numbered_as_in_the_figure(profiles):
    r = profiles["Bristol"]
    assert list(r.events["number"]) == list(range(1, len(r.events) + 1))
    assert r.events["date"].is_monotonic_increasing
    assert "Lunn v. Commonwealth" in " ".join(r.events["event"])
    assert r.events["source_url"].str.startswith("http").all()


def test_figures_have_alt_text(profiles):
    for county in ("Suffolk", "Nantucket"):
        r = profiles[county]
        for figure in (view.measures_figure(r), view.timeline_figure(r), view.locator_map(r)):
            assert 'alt="' in figure.data and "<script" not in figure.data
            assert county in figure.data


def test_fips_is_normalised_to_the_name():
    assert notebook_parameters("county_profile", county="25019")["county"] == "Nantucket"
    assert view.compute("25019", *DEFAULT).county == "Nantucket"


@pytest.mark.parametrize("county", ["Atlantis", "25099", "Norfolk Town"])
def test_unknown_county_raises(county):
    with pytest.raises(ParameterError, match="not a Massachusetts county"):
        notebook_parameters("county_profile", county=county)
    with pytest.raises(ParameterError):
        view.compute(county, *DEFAULT)


@pytest.mark.parametrize(
    "start,end",
    [
        ("2014-09-30", "2015-07-19"),
        ("2014-10-01", "2015-07-20"),
        ("2016-01-01", "2016-06-30"),
        ("2015-03-01", "2015-02-01"),
    ],
)
def test_period_outside_fy2015_raises(start, end):
    with pytest.raises(ParameterError):
        params = notebook_parameters("county_profile", county="Suffolk", period_start=start, period_end=end)
        view.compute(**{k: v for k, v in params.items() if k != "extended"})
    with pytest.raises(ParameterError):
        view.validate("Suffolk", start, end)


def test_bad_choices_raise():
    with pytest.raises(ParameterError):
        notebook_parameters("county_profile", custody_denominator="some")
    with pytest.raises(ParameterError):
        notebook_parameters("county_profile", decline_definition="strict")
