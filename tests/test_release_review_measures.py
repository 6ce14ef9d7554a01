"""Release review (issue 7), statistics owned by the MEASURES helper: each test fails if the old method or
claim comes back (small counties by population, jail arrests as lower bounds, residents-only denominators,
whole facility-years for partial years, one prior across agency types, whole-period means in headlines,
287(g) paper years counted as agreement years)."""

from __future__ import annotations

import html
import inspect
import re

import numpy as np
import pytest

from ma_ice_coop.analysis import measures
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views import county_profile, which_counties
from ma_ice_coop.views.county_profile.compute import measure_summary
from ma_ice_coop.views.county_profile.formatting import comparison_text

DEFAULT = ("2014-10-01", "2015-07-19")


@pytest.fixture(scope="module")
def table():
    return measures.county_measures()


@pytest.fixture(scope="module")
def profiles(county_profiles):
    return county_profiles


@pytest.fixture(scope="module")
def custody():
    return which_counties.compute("custody_share", *DEFAULT)


def _row(table, fips, measure, start=None, end=None):
    rows = table[(table["county_fips"] == fips) & (table["measure"] == measure)]
    if start:
        rows = rows[(rows["period_start"] == start) & (rows["period_end"] == end)]
    assert len(rows) == 1, (fips, measure, start, end)
    return rows.iloc[0]


def _profile_text(r) -> str:
    parts = [
        county_profile.key_findings(r),
        county_profile.limitations(r),
        county_profile.measures_table_html(r).data,
        county_profile.years_html(r).data,
    ]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- 1. small by data


def test_barnstable_and_hampden_are_small_for_fy2015_shares(custody):
    small = set(custody.small)
    assert {"Barnstable", "Hampden"} <= small  # 7 and 5 detainers: small by data
    assert "Suffolk" not in small and "Essex" not in small
    text = which_counties.key_findings(custody)
    assert "among the larger counties" not in text
    assert "small = fewer than 30 detainers in the denominator" in text
    assert "Barnstable" not in text.split("Small for this measure")[0].split("State pool")[0].split(":", 1)[1]


def test_franklin_is_flagged_by_its_data_not_its_population(profiles):
    franklin = profiles["Franklin"]
    assert "jail_arrests" in franklin.small_measures  # 3 arrests
    essex = profiles["Essex"]
    assert "jail_arrests" not in essex.small_measures and "custody_share" not in essex.small_measures
    assert "is a small county" not in county_profile.key_findings(franklin)


def test_static_small_county_flag_is_no_longer_used():
    from ma_ice_coop.build import downloads
    from ma_ice_coop.build import index as pipeline

    for module in (which_counties, county_profile, downloads):
        assert "small_counties" not in inspect.getsource(module), module.__name__
        assert 'small_county"' not in inspect.getsource(module), module.__name__
    assert "small_county" not in inspect.getsource(pipeline.index_html)
    html = pipeline.index_html()
    listing = html[html.find("County reports") : html.find("Downloads")]
    assert re.search(r"Barnstable County</a> \*", listing) and re.search(r"Hampden County</a> \*", listing)
    assert not re.search(r"Berkshire County</a> \*", listing)  # no detainers: not "small", none at all
    assert "not by population" in listing


def test_downloads_readme_states_the_rule(table):
    from ma_ice_coop.build.downloads import downloads_readme

    text = downloads_readme(table, measures.agency_measures())
    assert "Small counties (Dukes, Nantucket, Franklin, Hampshire, Berkshire)" not in text
    assert "Small by data, not by population" in text and "Barnstable" in text and "Hampden" in text


# ----------------------------------------------------------------------------- 2. jail arrests: sensitivity range


def test_jail_arrests_are_not_called_lower_bounds(profiles, custody):
    from ma_ice_coop.tables.loaders import jail_arrests as loader

    for text in (
        measures.MEASURES["jail_arrests"],
        loader.__doc__ or "",
        which_counties.limitations(custody),
        *(_profile_text(r) for r in profiles.values()),
    ):
        for sentence in re.split(r"(?<=[.;])\s|</?td>|\n", text):  # sentences and table cells
            if "arrest" in sentence.lower():
                assert "lower bound" not in sentence, sentence
    from ma_ice_coop.tables.loaders.jail_arrests import JAIL_ARRESTS_SCHEMA

    assert "lower bound" not in (JAIL_ARRESTS_SCHEMA.description or "")
    for m in ("jail_arrests_low", "jail_arrests_high", "jail_arrests_per_100k_low", "jail_arrests_per_100k_high"):
        assert m in measures.MEASURES


def test_sensitivity_range_rows(table):
    period = (measures.JAIL_ARRESTS.start.isoformat(), measures.JAIL_ARRESTS.end.isoformat())
    wide = {
        m: table[(table["measure"] == m) & (table["period_start"] == period[0])].set_index("county_fips")["numerator"]
        for m in ("jail_arrests", "jail_arrests_low", "jail_arrests_high")
    }
    assert (wide["jail_arrests_low"] <= wide["jail_arrests"]).all()
    assert (wide["jail_arrests"] <= wide["jail_arrests_high"]).all()
    # Barnstable: CAP and 287(g)-unit landmarks out (58 - 26), 'CAPE COD' in (58 + 4)
    assert (wide["jail_arrests_low"]["25001"], wide["jail_arrests"]["25001"], wide["jail_arrests_high"]["25001"]) == (
        32,
        58,
        62,
    )
    assert wide["jail_arrests_low"]["25017"] == 450 - 149  # 'CAMBRIDGE JAIL' is ambiguous


def test_above_the_pool_only_if_the_range_agrees(profiles):
    ar = measure_summary(profiles["Barnstable"], "jail_arrests_per_100k")
    assert ar["side_as_placed"] == "below" and ar["side"] == ""
    assert "not across its sensitivity range" in comparison_text(ar)
    jail = which_counties.compute("jail_arrests_per_100k", "2011-10-01", "2023-01-29")
    below = jail.table.set_index("county")["pool_side"]
    assert below["Barnstable"] == ""
    assert "at both ends of their sensitivity range" in which_counties.key_findings(jail)


# ----------------------------------------------------------------------------- 3. denominators of jail measures


def test_nantucket_residents_count_in_barnstable(table):
    pop = measures.population(2017, read_processed("county_covariates"))
    row = _row(table, "25001", "jail_arrests_per_100k")
    assert row["denominator"] == pytest.approx((pop["25001"] + pop["25019"]) * measures.JAIL_ARRESTS.years)
    nantucket = _row(table, "25019", "jail_arrests_per_100k")
    assert nantucket["denominator"] == 0 and np.isnan(nantucket["estimate"])
    det = _row(table, "25001", "detainers_per_100k")
    pop15 = measures.population(2015, read_processed("county_covariates"))
    assert det["denominator"] == pytest.approx(pop15["25001"] + pop15["25019"])
    assert measures.jail_host()["25019"] == "25001"  # from counties.csv prisoners_held_in, not code


def test_residents_are_called_a_proxy(profiles):
    text = county_profile.key_findings(profiles["Barnstable"])
    assert "residents of Barnstable and Nantucket counties" in text
    assert "residents stand in for the jail population" in text
    assert "proxy for the jail population" in measures.MEASURES["jail_arrests_per_100k"]


# ----------------------------------------------------------------------------- 4. Nantucket's State Police detainers


def test_nantucket_state_police_detainers_are_not_sheriff_cooperation(table, profiles):
    d = read_processed("detainers")
    rows = d[d["county_fips"] == "25019"]
    assert len(rows[(rows["prepare_date"] >= "2014-10-01") & (rows["prepare_date"] <= "2015-07-19")]) == 5
    assert (rows["operator_type"] == "state_police").all() and rows["sheriff_county_fips"].isna().all()
    assert set(rows["facility_name"]) == {"MASSACHUSETTS STATE POLICE"}
    assert _row(table, "25019", "detainers_lodged")["numerator"] == 0
    text = county_profile.key_findings(profiles["Nantucket"])
    assert "5 detainers were lodged with the Massachusetts State Police" in text
    assert "they are not cooperation by the Nantucket County Sheriff's Office" in text


# ----------------------------------------------------------------------------- 5. declines per facility-year


def test_partial_years_are_fractions_of_a_facility_year(table):
    pooled = _row(table, "25001", "recorded_declines", "2007-10-01", "2015-07-19")
    assert pooled["denominator"] == pytest.approx(7 + 92 / 365 + 200 / 365)
    assert _row(table, "25001", "recorded_declines", "2007-10-01", "2007-12-31")["denominator"] == pytest.approx(
        92 / 365
    )
    assert "fractions of a year" in measures.MEASURES["recorded_declines"]


# ----------------------------------------------------------------------------- 6. shrinkage


def test_no_prior_pools_unrelated_agency_types():
    agency = measures.agency_measures()
    assert not agency["measure"].str.startswith("custody_share_shrunk").any()


def test_intervals_blank_when_the_prior_fit_hits_a_bound():
    out = measures.shrunken_proportions(np.array([1, 10, 30, 0]), np.array([2, 50, 100, 0]))  # no variation
    assert out["at_bound"].all() and out["ci_low"].isna().all() and out["estimate"].iloc[:3].notna().all()
    r = which_counties.compute("unresolved_share", *DEFAULT)
    assert "sits at a bound of the optimiser" in which_counties.key_findings(r)


def test_sensitivity_to_the_prior_is_shown_and_published(table, custody):
    span = measures.concentration_range(custody.table["numerator"], custody.table["denominator"])
    assert span["low"] < 132.5 < span["high"]
    text = which_counties.key_findings(custody)
    assert "profile-likelihood" in text and "not robust to the prior" in text
    low = _row(table, "25001", "custody_share_shrunk_prior_low")
    high = _row(table, "25001", "custody_share_shrunk_prior_high")
    fitted = _row(table, "25001", "custody_share_shrunk")
    assert high["estimate"] < fitted["estimate"] < low["estimate"]  # Barnstable 3/7 pulled least at the low end
    # the table beside the figure shows the prior-range columns, by their labels (never the ids: plain language)
    figure = html.unescape(which_counties.shrinkage_figure(custody).data)
    assert catalogue().measures["custody_share_shrunk_prior_low"].short_label in figure


# ----------------------------------------------------------------------------- 7. whole-period means


def test_detention_headline_is_the_fiscal_year_panel(table, profiles):
    r = profiles["Franklin"]
    text = county_profile.key_findings(r)
    assert "per day over 2008-09-06 to 2024-01-04" not in text
    assert "by fiscal year, the mean held per day peaked at" in text
    h = measure_summary(r, "mean_daily_ice_headcount")
    assert (h["period_start"], h["period_end"]) == ("2011-10-01", "2024-01-04")


@pytest.mark.parametrize("county", ["Barnstable", "Essex"])
def test_every_period_quoted_in_the_profile_is_in_the_downloads(table, profiles, county):
    r = profiles[county]
    keys = set(zip(table["measure"], table["period_start"], table["period_end"], strict=True))
    for row in r.summary.itertuples():
        assert (row.measure, row.period_start, row.period_end) in keys, row.measure


# ----------------------------------------------------------------------------- 8. 287(g): operational vs paper


def test_barnstable_operational_and_paper_years(table, profiles):
    assert _row(table, "25001", "agreement_287g_years", "2005-01-01", "2025-12-31")["estimate"] == 5
    assert _row(table, "25001", "agreement_287g_paper_years", "2005-01-01", "2025-12-31")["estimate"] == 3
    assert _row(table, "25001", "agreement_287g_years", "2023-01-01", "2023-12-31")["estimate"] == 0
    assert _row(table, "25001", "agreement_287g_years", "2008-01-01", "2008-12-31")["estimate"] == 0
    text = county_profile.key_findings(profiles["Barnstable"])
    assert "in force in 2007-2009, 2018-2022" not in text
    assert "operational in 2018-2022" in text and "on paper only in 2007-2009" in text
    assert "January 2023, are not an operational year" in measures.OPERATIONAL_287G_RULE
    panel = read_processed("agreements_287g_years")
    b = panel[panel["county_fips"] == "25001"].set_index("year")
    assert not (b["agreement_287g_operational"] & b["agreement_287g_paper"]).any()
