"""Release review (issue 7), TIMELINE part: regression tests that fail if an old method or claim comes back.

Points: (1) interrupted time series: never on a series zero by construction, not a test of Lunn, other events
named; (2) contract ends as separate dates, the last day computed; (3) FY2015 right-censoring and context;
(4) per-year headcount panel, no whole-period mean; (5) small by data; (6) no claims stronger than the data.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pandas as pd
import pytest

from ma_ice_coop.analysis import events, measures
from ma_ice_coop.analysis.events import KEY_EVENTS, last_day_in_ice_records, reference_row
from ma_ice_coop.io import read_processed
from ma_ice_coop.views import data_and_coverage as coverage_view
from ma_ice_coop.views import policy_timeline as view

TIMELINE_MODULES = (view,) + tuple(
    importlib.import_module(f"ma_ice_coop.views.policy_timeline.{name}")
    for name in ("data", "figures", "findings", "selection", "summaries", "tables", "text", "windows", "wording")
)


@pytest.fixture(scope="module")
def lunn():
    return view.compute("lunn")


@pytest.fixture(scope="module")
def suffolk():
    return view.compute("suffolk_contract_end")


@pytest.fixture(scope="module")
def bristol():
    return view.compute("bristol_contract_end")


@pytest.fixture(scope="module")
def federal():
    return view.compute("federal_actions_2025")


@pytest.fixture(scope="module")
def coverage():
    return coverage_view.compute()


def _timeline_text(r) -> str:
    parts = [view.key_findings(r), view.its_text(r), view.headcount_text(r), view.declines_text(r), view.limitations(r)]
    for f in (view.facility_table, view.summary_html, view.its_figure, view.its_table):
        parts.append(f(r).data)
    return "\n".join(parts)


def _coverage_text(r) -> str:
    return "\n".join(
        [
            coverage_view.key_findings(r),
            coverage_view.outcome_text(r),
            coverage_view.unknowables(r),
            coverage_view.limitations(r),
            coverage_view.outcome_html(r).data,
            coverage_view.coverage_timeline_figure(r).data.split("src=")[0],
        ]
    )


# (1) interrupted time series -------------------------------------------------------------------------------


def test_no_model_on_a_series_zero_by_construction(suffolk):
    s = suffolk.summary
    assert s.contract_ended and "zero by construction" in s.its_reason
    assert s.its.coefficients["estimate"].isna().all()
    text = view.key_findings(suffolk)
    # the old method: a fitted level change, then a caveat that it only describes zeros
    assert "level change at the event" not in text
    assert "The level and slope changes then only describe how these zeros differ" not in _timeline_text(suffolk)
    # the descriptive series is shown instead of a model
    figure = view.its_figure(suffolk).data
    assert "no segmented regression is fitted" in figure and "observed values only" in figure
    assert type(view.its_table(suffolk)).__name__ == "Markdown"


def test_every_contract_end_is_refused(lunn):
    cells = view.summary_table(lunn).set_index("key")["interrupted time series"]
    for key in ("suffolk_contract_end", "franklin_contract_end", "bristol_contract_end", "bristol_287g_end"):
        assert cells[key].startswith("none:") and "zero by construction" in cells[key]


def test_lunn_its_is_labelled_not_a_test_of_lunn(lunn):
    assert not KEY_EVENTS["lunn"].acts_on_headcount
    text = view.key_findings(lunn)
    assert "descriptive only, not a test of the event's effect" in text
    assert (
        "Lunn v. Commonwealth concerns holding people on civil ICE detainers; it does not act on the bed contracts"
    ) in text
    cell = view.summary_table(lunn).set_index("key").loc["lunn", "interrupted time series"]
    assert "not a test of the event's effect" in cell
    assert "Lunn does not act on those bed contracts" in view.limitations(lunn)


def test_other_events_in_the_window_are_named(lunn):
    text = view.key_findings(lunn)
    for named in (
        "2017-01-18 Bristol 287(g) signed",
        "2017-01-18 Plymouth 287(g) signed",
        "2017-12-20 Barnstable 287(g) approved",
    ):
        assert named in text
    assert "the model does not separate them from this one" in text
    # the old wording gave only a count, and only when the interval excluded zero
    assert "in the timeline) are not separated from it" not in _timeline_text(lunn)


# (2) contract ends: announcement / expected / last day in ICE's records -------------------------------------


def test_suffolk_event_is_the_announcement_and_the_last_day_is_computed(suffolk):
    e = KEY_EVENTS["suffolk_contract_end"]
    assert e.date == "2019-10-08" and "announces" in e.label
    daily = read_processed("ice_detention_daily")
    computed = daily.loc[(daily["facility_code"] == "SUFFOMA") & (daily["headcount"] > 0), "date"].max()
    assert last_day_in_ice_records(e, daily) == computed == suffolk.summary.last_day
    text = view.key_findings(suffolk)
    assert "dated 2019-10-08" in text
    assert f"the last day with an ICE detainee in ICE's daily records, {computed.date()}" in text
    assert "computed from ice_detention_daily" in text
    assert "is not the same as the last day in ICE's records" in text
    # no December date typed in the key events
    assert not any(k.date.startswith("2019-12") for k in KEY_EVENTS.values())


def test_last_day_follows_the_table_not_a_typed_date():
    e = KEY_EVENTS["suffolk_contract_end"]
    fake = pd.DataFrame(
        {
            "facility_code": ["SUFFOMA", "SUFFOMA", "SUFFOMA"],
            "date": pd.to_datetime(["2019-10-01", "2019-11-02", "2019-11-03"]),
            "headcount": [3, 1, 0],
        }
    )
    assert last_day_in_ice_records(e, fake) == pd.Timestamp("2019-11-02")
    assert last_day_in_ice_records(KEY_EVENTS["lunn"], fake) is None


def test_bristol_decision_and_last_day_are_both_given(bristol):
    text = view.key_findings(bristol)
    assert "**DHS ends Bristol contract**, 2021-05-20" in text
    assert "the last day with an ICE detainee in ICE's daily records, 2021-06-29" in text
    assert str(bristol.summary.last_day.date()) == "2021-06-29"


# (3) FY2015 outcomes: right-censoring and the window's context --------------------------------------------------


def test_blank_outcomes_by_prepare_month(coverage):
    t = coverage.blank_by_month
    f = coverage.facts
    assert t["all MA: detainers"].sum() == f["ma_detainers"] and t["all MA: blank"].sum() == f["ma_blank"]
    assert t["sheriff-run: detainers"].sum() == f["sheriff_detainers"]
    assert t["sheriff-run: blank"].sum() == f["sheriff_unresolved"]
    assert t["prepare month"].iloc[-1] == "2015-07"
    assert "Blank (unresolved) outcomes by prepare month" in coverage_view.outcome_html(coverage).data
    text = coverage_view.outcome_text(coverage)
    assert "Detainers prepared shortly before the cut-off may still have been pending" in text
    assert str(measures.FY2015_DETAINERS.end) in text
    assert "may still have been pending" in coverage_view.key_findings(coverage)


def test_fy2015_window_context_is_cited_from_the_timeline(coverage, lunn):
    sc, trust = reference_row("secure_communities_end"), reference_row("boston_trust_2014")
    text = coverage_view.outcome_text(coverage)
    for row in (sc, trust):
        assert row["date"] in text and row["source_url"].split(" ; ")[0] in text
    assert "Priority Enforcement Program" in text and "not a typical year before Lunn" in text
    limits = view.limitations(lunn)
    assert sc["date"] in limits and trust["date"] in limits and "not a typical pre-Lunn year" in limits
    assert "may still have been pending" in limits


# (4) whole-period means ---------------------------------------------------------------------------------------


def test_headcount_is_read_per_year(lunn):
    panel = view.year_panel(lunn).set_index("fiscal year")
    assert panel.loc["FY2011", "data"].startswith("undercount") and panel.loc["FY2012", "data"] == "complete"
    assert panel.loc["FY2024", "data"].startswith("complete, part of the year")
    html = view.facility_table(lunn).data
    assert "per federal fiscal year" in html and "no mean over the whole series is given" in html
    assert "not as one mean over the whole series" in view.headcount_text(lunn)
    for r in (lunn,):
        assert not re.search(r"(mean|average)[^.]{0,60}2008[-–]2024", _timeline_text(r))


# (5) small by data ---------------------------------------------------------------------------------------------


def test_views_do_not_use_the_population_small_flag():
    for module in (*TIMELINE_MODULES, coverage_view, events):
        source = inspect.getsource(module)
        assert "small_counties(" not in source and "small_county" not in source


# (6) claims no stronger than the data ----------------------------------------------------------------------------


def test_jail_arrests_are_not_called_lower_bounds(coverage, lunn, suffolk, federal):
    text = _coverage_text(coverage)
    assert "Per-jail counts are lower bounds" not in text
    arrests = next(
        line
        for line in coverage_view.unknowables(coverage).splitlines()
        if "arrests" in line and "landmarks" in line and "placed" in line
    )
    assert "lower bound" not in arrests and "sensitivity range" in arrests
    for r in (lunn, suffolk, federal):
        for sentence in re.split(r"(?<=[.;])\s", _timeline_text(r)):
            if "arrest" in sentence.lower():
                assert "lower bound" not in sentence
    # recorded declines remain a lower bound (that is true)
    assert "declines are a lower bound" in view.declines_text(lunn)


def test_lunn_is_stated_no_stronger_than_its_row(coverage, lunn):
    for text in (_coverage_text(coverage), view.limitations(lunn)):
        assert "no Massachusetts officer may hold" not in text
    assert "gives officers no authority to hold anyone" in view.limitations(lunn)
