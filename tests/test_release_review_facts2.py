"""Release review (issue 7), second facts pass: the reviewer's entries 1-4, 6-12 and 14 (build/changes/REVIEW.md).

Each test reads the real reference tables and processed tables and the text the views render: the old wrong
sentence must not come back and the corrected one must stay. Counts and dates that come from data are recomputed
here from the tables, not typed.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, lunn_287g_text, timeline_row
from ma_ice_coop.io import read_processed
from ma_ice_coop.present.text import md_source_links
from ma_ice_coop.tables.reference import load_agreements_287g, load_policy_timeline, load_sheriffs
from ma_ice_coop.views import common_questions as view
from ma_ice_coop.views import policy_timeline as timeline_view
from ma_ice_coop.views import politics_demographics as politics_view

POST_LUNN_287G = "said their ICE-trained officers could still execute detainers as delegated immigration officers"


@pytest.fixture(scope="module")
def result():
    return view.compute("all")


@pytest.fixture(scope="module")
def timeline():
    return load_policy_timeline()


@pytest.fixture(scope="module")
def sheriffs():
    return load_sheriffs().set_index("sheriff_name")


def _row(timeline, date, category, fips=""):
    rows = timeline[
        (timeline["date"] == date) & (timeline["category"] == category) & (timeline["county_fips"].fillna("") == fips)
    ]
    assert len(rows) == 1, (date, category, fips)
    return rows.iloc[0]


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)  # undo Markdown escaping for plain-text checks


def _answer(result, qid: str) -> str:
    """A question's answer paragraph only (no wrong claims, dated facts or limits)."""
    return _plain(view.fill(result.curated.questions[qid].answer, result.values))


def _corrections(result, qid: str) -> str:
    return " ".join(c.correction for c in result.curated.questions[qid].wrong_claims)


# ----------------------------------------------------------------------------- 1. the 287(g) jails after Lunn


def test_lunn_text_states_the_287g_claim_with_dates_from_the_timeline(timeline):
    text = lunn_287g_text(md_source_links, timeline=timeline)
    assert "not holding" not in text
    assert "gives officers no authority to hold anyone" in text and POST_LUNN_287G in text
    assert "neither ended in a ruling on the merits" in text
    for key in ("bristol_287g_end", "plymouth_287g_end", "barnstable_287g_end", "lunn"):
        assert timeline_row(KEY_EVENTS[key], timeline)["date"] in text
    for date, category, fips in (("2020-12-21", "lawsuit", "25023"), ("2022-02-17", "lawsuit", "25001")):
        assert _row(timeline, date, category, fips)["date"] in text
    claim = _row(timeline, "2019-06-30", "287g_renewal")
    assert "48 hours" in claim["event"] and "delegated immigration officers" in claim["event"]
    assert "wbur.org/news/2018/05/18/ice-detainers-executed-despite-sjc-ruling" in claim["source_url"]


def test_common_questions_no_longer_say_holding_ended_for_everyone(result):
    findings = _plain(view.key_findings(result))
    assert "so cooperation now means notifying ICE, handing people over at release" not in findings
    assert POST_LUNN_287G in findings
    q15 = _answer(result, "Q15")
    assert "Lunn took away the option to hold" not in q15
    assert "the main constraint on sheriffs without a 287(g) agreement is the law" in q15
    q5 = _corrections(result, "Q5")
    assert "After Lunn no county may hold anyone on a civil detainer alone." not in q5
    assert "whose holders said their ICE-trained officers could still execute detainers" in q5
    q1 = _answer(result, "Q1")
    assert "no Massachusetts officer may hold anyone on one alone" not in q1
    assert POST_LUNN_287G in q1
    curated = view.questions_path().read_text()
    assert "no Massachusetts officer may hold" not in curated and "renting beds to ICE, not holding" not in curated


def test_policy_timeline_and_politics_limitations_carry_the_287g_claim():
    lunn = timeline_view.limitations(timeline_view.compute("lunn"))
    assert "Cooperation after it can still take the form of notifying ICE" not in lunn
    assert POST_LUNN_287G in lunn and "Lunn does not act on those bed contracts" in lunn
    politics = politics_view.limitations(
        politics_view.compute(measure="custody_share", covariates=["sheriff_republican"], covariate_year=2015)
    )
    assert "no Massachusetts officer may hold anyone on a civil detainer alone" not in politics
    assert POST_LUNN_287G in politics and "say nothing about later practice" in politics


# ----------------------------------------------------------------------------- 2. Plymouth began in fall 2017


def test_plymouth_287g_operation_dated_by_its_sources(timeline, sheriffs):
    row = _row(timeline, "2017-01-18", "287g_start", "25023")
    assert "began operating it in early 2017" not in row["event"]
    assert "fall 2017" in row["event"] and "October 2017" in row["event"]
    assert "beginning of 2017" in row["event"]  # the disagreeing source is stated, not dropped
    assert "pcsdma.org/icestatement.html" in row["source_url"] and "wickedlocal.com" in row["source_url"]
    assert "October 2017" in sheriffs.loc["Joseph D. McDonald Jr.", "agreement_287g"]
    plymouth = load_agreements_287g().set_index("agency").loc["Plymouth County Sheriff's Department"]
    assert "(applied 2012)" not in plymouth["notes"] and "October 2017" in plymouth["notes"]
    assert str(plymouth["start_bracket_to"].date()) == "2017-01-18"  # the panel's dates are unchanged


# ----------------------------------------------------------------------------- 3. 287(g) application dates


def test_287g_application_dates_are_ices(timeline, sheriffs):
    assert not sheriffs.loc["Thomas M. Hodgson", "agreement_287g"].startswith("2011-12: applied")
    assert sheriffs.loc["Thomas M. Hodgson", "agreement_287g"].startswith("2011-09-23: applied (ICE")
    mcdonald = sheriffs.loc["Joseph D. McDonald Jr.", "agreement_287g"]
    assert not mcdonald.startswith("2012: applied") and mcdonald.startswith("2011-09-23: applied (ICE")
    assert "the sheriff recalled first seeking one in 2012" in mcdonald
    koutoujian = sheriffs.loc["Peter J. Koutoujian", "agreement_287g"]
    assert "2011 application was withdrawn" not in koutoujian
    assert "first filed in 2008 under DiPaola" in koutoujian and "that he would withdraw it" in koutoujian
    assert "withdrew 2012-12" not in sheriffs.loc["Lewis G. Evangelidis", "agreement_287g"]
    row = _row(timeline, "2012-12", "287g_application")
    assert "withdrew" not in row["event"] and "said they would withdraw" in row["event"]
    assert "2011-09-23" in row["event"] and "2012/12/11/middlesex-sheriff-on-fence-on" in row["source_url"]


# ----------------------------------------------------------------------------- 4. not listed is not zero (Q9)


def test_q9_says_what_the_fy_workbook_lists(result):
    fy = read_processed("ice_detention_fy")
    sheriff = fy[fy["operator_type"] == "sheriff"]
    latest = int(sheriff["fiscal_year"].max())
    listed = sorted(set(sheriff.loc[sheriff["fiscal_year"] == latest, "sheriff_county_fips"]))
    assert listed == ["25023"]  # only Plymouth, as the sentence says
    q9 = _answer(result, "Q9")
    assert "held ICE detainees among sheriff-run jails in FY" not in q9
    assert f"ICE's FY{latest} workbook" in q9 and "lists only Plymouth" in q9
    assert "not listed is not zero" in q9


# ----------------------------------------------------------------------------- 6. Springfield's override


def test_springfield_override_dated_2019_01_14(result, timeline):
    assert timeline[(timeline["date"] == "2018-12") & (timeline["category"] == "legislation")].empty
    row = _row(timeline, "2019-01-14", "legislation")
    assert "overrode Mayor Sarno's veto (10-1)" in row["event"] and "2018-12-17" in row["event"]
    assert "limiting police cooperation with ICE" not in row["event"]
    assert "masslive.com/news/2019/01/city-council-overrides" in row["source_url"] and row["confidence"] == "high"
    q4 = _plain(view.question_markdown(result, "Q4"))
    assert "**2019-01-14**" in q4 and "The month is inferred from a July 2019 report" not in q4


# ----------------------------------------------------------------------------- 7. Ryan v. ICE


def test_ryan_injunction_scope(result):
    q11 = _answer(result, "Q11")
    assert "barred ICE civil arrests at Massachusetts courthouses in 2019" not in q11
    assert "barred ICE from civilly arresting parties, witnesses and others" in q11
    assert "not people brought to court in custody" in q11


# ----------------------------------------------------------------------------- 8. Secure Communities and PEP


def test_fingerprint_checks_continued_under_pep(result):
    q9 = _answer(result, "Q9")
    assert "Secure Communities has sent the fingerprints of every Massachusetts booking" not in q9
    assert "The checks continued under the Priority Enforcement Program" in q9
    assert "Priority Enforcement Program" in _corrections(result, "Q9")
    refs = {(t.date, t.category) for t in result.curated.questions["Q9"].timeline}
    assert {("2014-11-20", "federal_action"), ("2017-01-25", "federal_action")} <= refs


# ----------------------------------------------------------------------------- 9. counts that cannot be ordered


def test_q6_top_counts_are_not_ranked(result):
    lodged = measures.measure_table("detainers_lodged")
    top = lodged.sort_values(["numerator", "county"], ascending=[False, True]).head(3)
    assert top["ci_low"].max() <= top["ci_high"].min()  # the three intervals overlap in the download
    q6 = _answer(result, "Q6")
    assert not re.search(r"most at the jails of \w+ with \d", q6)
    assert "cannot be told apart" in q6 and f"{top.iloc[0]['county']} ({int(top.iloc[0]['numerator'])})" in q6


def test_top_counts_ranked_only_when_intervals_separate():
    apart = pd.DataFrame(
        {
            "county": ["A", "B", "C"],
            "numerator": [90, 40, 10],
            "ci_low": [72.4, 28.6, 4.8],
            "ci_high": [110.6, 54.5, 18.4],
        }
    )
    assert view._top_counts_text(apart).endswith("in that order")
    close = apart.assign(numerator=[52, 51, 50], ci_low=[38.8, 38.0, 37.1], ci_high=[68.2, 67.1, 65.9])
    assert "cannot be told apart" in view._top_counts_text(close)


# ----------------------------------------------------------------------------- 10. politics and the sheriff


def test_q18_makes_no_causal_comparison(result):
    q18 = _answer(result, "Q18")
    assert "Politics matters most" not in q18
    assert "were made by the elected sheriffs' offices" in q18
    assert "cannot say whether party or politics caused any difference in cooperation" in q18


# ----------------------------------------------------------------------------- 11. numbers in no download


def test_form_and_courthouse_counts_name_their_table(result):
    d = read_processed("detainers")
    d = d[
        (d["facility_state"] == "MASSACHUSETTS")
        & (d["operator_type"] == "sheriff")
        & measures.FY2015_DETAINERS.contains(d["prepare_date"])
    ]
    kinds = d["request_kind"].value_counts()
    q3 = _answer(result, "Q3")
    assert "asked the jail to hold the person (forms" not in q3
    assert f"{kinds['hold']} were on forms that can ask the jail to hold the person" in q3
    assert f"{kinds['notify']} on the notification-only form" in q3
    assert "counted from the processed detainers table" in q3
    assert "counted from the processed detainers table" in _answer(result, "Q14")
    assert "counted in the processed table of ICE arrests" in _answer(result, "Q11")


# ----------------------------------------------------------------------------- 12. Worcester sheriff on Lunn


def test_worcester_lunn_criticism_is_cited(sheriffs):
    row = sheriffs.loc["Lewis G. Evangelidis"]
    assert "publicly criticized Lunn (2024)" not in row["agreement_287g"]
    assert "criticized the Lunn decision in a Newsweek interview" in row["agreement_287g"]
    assert "howler.space/2024/10/28" in row["source_url"]


# ----------------------------------------------------------------------------- 14. Savino v. Souza


def test_savino_filed_2020_03_27_and_settlement_only_proposed(result, timeline):
    assert timeline[(timeline["date"] == "2020-03-26") & (timeline["category"] == "lawsuit")].empty
    row = _row(timeline, "2020-03-27", "lawsuit", "25005")
    assert "filed-03-27-20" in row["source_url"] and "law.yale.edu" in row["source_url"]
    assert "the April 2021 settlement followed" not in row["event"]
    assert "to approve a proposed settlement" in row["event"]
    for qid in ("Q15", "Q19"):
        assert "**2020-03-27**" in _plain(view.question_markdown(result, qid))
