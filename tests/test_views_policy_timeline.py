"""The policy-timeline view: events from the timeline, measures around them, the ITS only where data allow."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ma_ice_coop.analysis.events import KEY_EVENTS
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.specs.notebooks import notebook_parameters
from ma_ice_coop.tables.reference import county_names
from ma_ice_coop.views import policy_timeline as view


@pytest.fixture(scope="module")
def lunn():
    return view.compute("lunn")


@pytest.fixture(scope="module")
def suffolk():
    return view.compute("suffolk_contract_end")


@pytest.fixture(scope="module")
def federal():
    return view.compute("federal_actions_2025")


def _all_text(r) -> str:
    parts = [view.key_findings(r), view.its_text(r), view.headcount_text(r), view.declines_text(r), view.limitations(r)]
    for f in (
        view.timeline_table,
        view.availability_html,
        view.facility_table,
        view.declines_table,
        view.agreements_table,
        view.year_end_table,
        view.summary_html,
    ):
        parts.append(f(r).data)
    return "\n".join(parts)


def test_parameters_are_validated():
    assert notebook_parameters("policy_timeline") == {"event": "lunn", "extended": False}
    with pytest.raises(ParameterError, match="valid"):
        notebook_parameters("policy_timeline", event="not_an_event")
    with pytest.raises(ParameterError, match="valid events"):
        view.compute("not_an_event")


def test_lunn_findings_come_from_the_data(lunn):
    text = view.key_findings(lunn)
    assert "**Lunn v. Commonwealth**, 2017-07-24" in text
    assert "[law.justia.com](https://law.justia.com/cases/massachusetts/supreme-court/2017/sjc-12276.html)" in text
    # statewide mean daily ICE headcount, 12 complete months either side (the event month left out)
    assert (
        "502 ICE detainees a day on average in all sheriff-run facilities over the 12 complete months before "
        "the event (2016-07 to 2017-06); 602 over the 12 months after it (2017-08 to 2018-07)" in text
    )
    assert "2016: no sheriff; 2017: Bristol and Plymouth; 2018: Barnstable, Bristol and Plymouth" in text
    # the ITS is fitted, and its level change interval includes zero: said plainly, no effect claimed
    assert lunn.summary.its_reason == ""
    assert (lunn.summary.its.n_before, lunn.summary.its.n_after) == (24, 24)
    assert "do not distinguish a jump at the event from no jump" in text
    assert "No data around it: recorded declines per facility-year" in text
    assert not re.search(r"\bnan\b", text.lower())


def test_suffolk_contract_end_is_zero_by_construction(suffolk):
    s = suffolk.summary
    assert s.event.series == "SUFFOMA" and s.contract_ended and str(s.last_day.date()) == "2019-10-11"
    # release review (issue 7): the series is zero by construction after the event, so no model is fitted
    assert "zero by construction" in s.its_reason and s.its.coefficients["estimate"].isna().all()
    ba = view.before_after(suffolk)
    assert ba["n_after"] == 12 and ba["after"] == 0
    text = view.key_findings(suffolk)
    assert "Interrupted time series: none, because" in text and "not what the event changed" in text
    assert "the last day with an ICE detainee in ICE's daily records, 2019-10-11" in text
    # ICE's year-end statistics no longer list Suffolk in the fiscal year of the event
    assert "Plymouth 221 (not listed: Suffolk)" in text and "Suffolk 145" in text
    assert not re.search(r"\bnan\b", text.lower())


def test_federal_actions_2025_has_no_its_and_says_why(federal):
    s = federal.summary
    assert s.its_reason and "2024-01-04" in s.its_reason and "no 'after'" in s.its_reason
    assert s.its.coefficients["estimate"].isna().all()
    text = view.key_findings(federal)
    assert "Interrupted time series: none, because the daily headcount ends on 2024-01-04" in text
    assert (
        "FY2025 (2024-10-01..2025-09-25 — contains the event: 111 of its 360 days are before it): Plymouth 449" in text
    )
    for shown in (view.its_figure(federal), view.its_table(federal), view.daily_figure(federal)):
        assert type(shown).__name__ == "Markdown"
    assert "2024: no sheriff; 2025: no sheriff" in text


def test_secure_communities_has_too_few_complete_months_before():
    r = view.compute("secure_communities")
    assert "leaves 7 complete months before the event" in r.summary.its_reason
    text = view.key_findings(r)
    assert "2011: 1 in 17 facility-years" in text and "2013: 2 in 17 facility-years" in text


def test_every_key_event_has_a_summary_row(lunn):
    table = view.summary_table(lunn)
    assert table["key"].tolist() == list(KEY_EVENTS)
    fitted = table.loc[table["interrupted time series"].str.startswith("fitted"), "key"].tolist()
    assert "secure_communities" not in fitted and "federal_actions_2025" not in fitted
    assert {"lunn", "sheriff_elections_2022"} <= set(fitted)
    # contract ends: zero by construction after the event, never fitted (release review, issue 7)
    assert not {"suffolk_contract_end", "franklin_contract_end", "bristol_contract_end"} & set(fitted)
    for s in lunn.summaries:
        for finding in (view.headcount_finding(lunn, s), view.its_finding(lunn, s)):
            assert not re.search(r"\bnan\b", finding.lower())


def test_timeline_selection_by_category(lunn):
    t = lunn.timeline
    assert t["number"].tolist() == list(range(1, len(t) + 1))
    assert set(t["category"]) == {
        "federal_action",
        "court_ruling",
        "287g_start",
        "287g_end",
        "detention_contract_end",
        "policy",
        "election",
    }
    assert (t["category"] == "election").sum() == 3
    assert set(t.loc[t["category"] == "detention_contract_end", "who"]) == {"Suffolk", "Franklin", "Bristol"}
    assert set(t.loc[t["category"].isin(["287g_start", "287g_end"]), "who"]) == {
        "Barnstable",
        "Bristol",
        "Plymouth",
        "state DOC",
    }
    federal = t[t["category"] == "federal_action"]
    assert federal["date_text"].tolist()[0] == "2012-05-15"
    assert all(d.startswith("2025") for d in federal["date_text"].tolist()[1:])
    # State Police and Framingham 287(g) rows are not sheriffs or the DOC
    assert not t["event"].str.contains("Framingham|30 Massachusetts State Police troopers").any()
    assert set(KEY_EVENTS) <= set(t["key"])


def test_tables_escape_and_link(lunn):
    table = view.timeline_table(lunn).data
    assert '<a href="https://law.justia.com/cases/massachusetts/supreme-court/2017/sjc-12276.html">' in table
    assert "<strong>In Lunn v. Commonwealth" in table
    assert "<script" not in table and "capecodtimes.com (2)" in table


def test_figures_have_alt_text_and_are_deterministic(lunn):
    figures = [
        view.timeline_figure(lunn),
        view.facility_figure(lunn),
        view.daily_figure(lunn),
        view.its_figure(lunn),
        view.declines_figure(lunn),
        view.agreements_figure(lunn),
        view.year_end_figure(lunn),
    ]
    for figure in figures:
        assert 'alt="' in figure.data and "<script" not in figure.data and "nan" not in figure.data.split("src=")[0]
    assert view.timeline_figure(lunn).data == figures[0].data


def test_recorded_declines_by_year(lunn):
    st = lunn.declines_state
    assert st["year"].tolist() == list(range(2008, 2016))
    assert int(st["numerator"].sum()) == 23 and int(st.loc[st["year"] == 2014, "numerator"].iloc[0]) == 10
    assert set(lunn.declines["county"]) == set(county_names().values())


def test_contract_jails_are_the_five(lunn):
    assert sorted(lunn.contract_codes) == ["BRINDMA", "GREENMA", "NORFOMA", "PLYMOMA", "SUFFOMA"]
    assert (lunn.daily.index.min(), lunn.daily.index.max()) == (pd.Timestamp("2008-09-06"), pd.Timestamp("2024-01-04"))


def test_no_wrong_claims(lunn, federal):
    for r in (lunn, federal):
        text = _all_text(r)
        assert not re.search(r"\bnan\b", text.lower())
        assert "Trust Act" not in text
        assert "honor detainers for serious" not in text
        assert "caused" not in text.replace("can by itself show that the event caused a change", "")
    limits = view.limitations(lunn)
    assert "Lunn" in limits and "2017-07-24" in limits and "not detainers" in limits
    assert "2014-10-01..2015-07-19" in limits
