"""Release review (issue 7), facts 1-10: the wrong statements must not come back, the corrected ones must stay.

Each test reads the real reference tables and processed tables (as the other view tests do) and the text the
common-questions view renders. Dates and counts that come from data are recomputed here from the tables, not typed.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp
from ma_ice_coop.io import read_processed
from ma_ice_coop.present.text import join_words
from ma_ice_coop.tables.loaders import covariates as cov
from ma_ice_coop.tables.reference import load_agreements_287g, load_policy_timeline, load_sheriffs
from ma_ice_coop.views import common_questions as view

ELECTION = pd.Timestamp("2022-11-08")


@pytest.fixture(scope="module")
def result():
    return view.compute("all")


@pytest.fixture(scope="module")
def timeline():
    return load_policy_timeline()


@pytest.fixture(scope="module")
def sheriffs():
    return load_sheriffs()


@pytest.fixture(scope="module")
def daily():
    return read_processed("ice_detention_daily")


@pytest.fixture(scope="module")
def panel():
    return read_processed("county_covariates")


def _rows(timeline, date, category, fips=""):
    rows = timeline[
        (timeline["date"] == date) & (timeline["category"] == category) & (timeline["county_fips"].fillna("") == fips)
    ]
    assert len(rows) == 1, (date, category, fips)
    return rows.iloc[0]


def _answer(result, qid: str) -> str:
    """A question's rendered Markdown without its 'Commonly claimed but wrong' block (claims quoted there are wrong)."""
    kept, skipping = [], False
    for line in view.question_markdown(result, qid).split("\n"):
        if line.strip() == view.WRONG_HEADING:
            skipping = True
            continue
        if skipping and line.startswith("**"):
            skipping = False
        if not skipping:
            kept.append(line)
    return re.sub(r"\\(.)", r"\1", "\n".join(kept))  # undo Markdown escaping for plain-text checks


def _last_day(daily, code: str) -> str:
    return daily.loc[(daily["facility_code"] == code) & (daily["headcount"] > 0), "date"].max().date().isoformat()


def _reference_text(timeline, sheriffs) -> str:
    return " ".join(list(timeline["event"]) + list(sheriffs["facilities"]) + list(sheriffs["agreement_287g"]))


# ----------------------------------------------------------------------------- 1. Suffolk's contract end


def test_suffolk_announcement_expected_end_and_record_are_three_things(result, timeline, sheriffs, daily):
    announcement = _rows(timeline, "2019-10-08", "policy", "25025")
    assert "moved out by mid-December" not in announcement["event"]
    expected = _rows(timeline, "2019-12", "detention_contract_end", "25025")
    assert "The last ICE detainees left" not in expected["event"]
    assert "expected to stop housing ICE detainees at South Bay by mid-December 2019" in expected["event"]
    assert "jamaicaplainnews.com" in expected["source_url"]
    # the key event stays dated at the announcement (events.py is the TIMELINE helper's; nothing to change)
    assert KEY_EVENTS["suffolk_contract_end"].date == announcement["date"]
    tompkins = sheriffs[sheriffs["sheriff_name"] == "Steven W. Tompkins"].iloc[0]
    assert "ended December 2019" not in tompkins["facilities"]
    assert "detainees moved out by mid-December" not in tompkins["agreement_287g"]
    assert "expected to stop housing ICE detainees by mid-December 2019" in tompkins["agreement_287g"]
    # the last day in ICE's records is computed from the headcount table, not typed
    q9 = _answer(result, "Q9")
    assert f"Suffolk on {_last_day(daily, 'SUFFOMA')}" in q9
    assert "The last ICE detainees left" not in q9
    assert "In ICE's daily records the last day with an ICE detainee was" in q9
    assert "said it expected to stop housing ICE detainees by mid-December 2019" in q9
    assert "The last ICE detainees left" not in view.key_findings(result)


def test_suffolk_absent_from_ice_fy2020_statistics(result):
    fy = read_processed("ice_detention_fy")
    sheriff = fy[(fy["operator_type"] == "sheriff") & (fy["adp_total"] > 0)]
    listed = set(sheriff.loc[sheriff["fiscal_year"] == 2020, "sheriff_county_fips"])
    assert "25025" in set(sheriff.loc[sheriff["fiscal_year"] == 2019, "sheriff_county_fips"]) and "25025" not in listed
    assert "Suffolk last in FY2019" in result.values["ice_year_end_last_listed"]
    assert "Suffolk last in FY2019" in _answer(result, "Q9")


# ----------------------------------------------------------------------------- 2. Bristol's last detainees


def test_bristol_press_date_and_ice_records_are_both_stated(result, timeline, daily):
    row = _rows(timeline, "2021-05-20", "detention_contract_end", "25005")
    assert "moved to an ICE facility in Plymouth County that day, hours after the announcement" in row["event"]
    assert "tauntongazette.com" in row["source_url"]
    q9 = _answer(result, "Q9")
    assert "the press reported that its remaining detainees were moved to Plymouth that day" in q9
    after = daily[
        (daily["facility_code"] == "BRINDMA")
        & (daily["headcount"] > 0)
        & (daily["date"] > event_timestamp(KEY_EVENTS["bristol_contract_end"]))
    ]
    last = _last_day(daily, "BRINDMA")
    assert f"to {last}" in result.values["bristol_records_after_dhs_end"]
    assert f"at most {int(after['headcount'].max())} ICE detainee" in q9
    assert f"Bristol on {last}" in q9


# ----------------------------------------------------------------------------- 3. Boston and Secure Communities


def test_boston_took_part_from_a_2006_pilot(result, timeline):
    row = _rows(timeline, "2012-05-15", "federal_action")
    assert "pilot since 2008" not in row["event"]
    assert "since 2006" in row["event"] and "IDENT/IAFIS" in row["event"] and "launched in 2008" in row["event"]
    assert "wbur.org" in row["source_url"] and "ice.gov" in row["source_url"]
    assert "Boston's since a 2006 fingerprint-sharing pilot" in _answer(result, "Q9")


# ----------------------------------------------------------------------------- 4. the DHS list came down


def test_dhs_sanctuary_list_taken_down_within_days(result, timeline):
    row = _rows(timeline, "2025-05-29", "federal_action")
    assert "DHS took the list down within days" in row["event"]
    assert "lincolndailynews.com" in row["source_url"]
    assert "on a list it took down from its website within days" in _answer(result, "Q5")


# ----------------------------------------------------------------------------- 5. the April 2025 injunction


def test_injunction_covered_plaintiffs_only(result, timeline):
    q2 = view.question_markdown(result, "Q2")
    assert "were blocked in court" not in q2 and "were blocked" not in q2
    assert "for the plaintiff cities and counties" in q2 and "has been covered since August 2025" in q2
    assert "only for the cities and counties that had sued" in q2
    april = _rows(timeline, "2025-04-24", "court_ruling")
    august = _rows(timeline, "2025-08-22", "court_ruling")
    assert "protected only the plaintiffs" in april["event"]
    assert "Boston" in august["event"]
    claim = next(c for c in result.curated.questions["Q2"].wrong_claims if "federal funding" in c.claim)
    assert claim.source_url in august["source_url"]


# ----------------------------------------------------------------------------- 6. outside measures exist


def test_outside_county_measures_are_named_with_what_they_measure(result, timeline):
    q10 = _answer(result, "Q10")
    assert "none publishes a systematic county-by-county measure" not in q10
    assert "No outside, published county measure of cooperation exists" not in q10
    assert "ILRC's National Map of Local Entanglement with ICE" in q10 and "policy on paper" in q10
    assert "TRAC's detainer tool" in q10 and "behaviour as ICE recorded it" in q10
    ilrc = _rows(timeline, "2019-11-13", "report")
    trac = _rows(timeline, "2016-08-12", "report")
    assert "ilrc.org" in ilrc["source_url"] and "not behaviour" in ilrc["event"]
    assert "trac.syr.edu" in trac["source_url"] and "not policy" in trac["event"]
    claims = [c.claim for c in result.curated.questions["Q10"].wrong_claims]
    assert "No outside, published county measure of detainer cooperation exists." in claims  # corrected, not asserted


# ----------------------------------------------------------------------------- 7. 287(g) at the 2022 election


def test_only_barnstable_had_287g_at_the_2022_election(result):
    agreements = load_agreements_287g()
    sheriffs = agreements[agreements["agency_type"] == "sheriff"]
    in_force = sheriffs[
        (sheriffs["start_bracket_to"] <= ELECTION)
        & (sheriffs["end_bracket_to"].isna() | (sheriffs["end_bracket_to"] > ELECTION))
    ]
    assert list(in_force["county_fips"]) == ["25001"]
    q18 = _answer(result, "Q18")
    assert "with 287(g) agreements passed to Democrats" not in q18
    assert "Of the sheriffs, only Barnstable still had a 287(g) agreement on election day" in q18
    assert "DHS had ended Bristol's in May 2021" in q18


# ----------------------------------------------------------------------------- 8. county rules exist


def test_county_sheriff_policies_are_not_denied(result):
    q4 = _answer(result, "Q4")
    assert "not counties" not in q4
    assert "the Hampshire sheriff stated in December 2024" in q4
    assert "the Bristol sheriff's November 2025 policy" in q4
    refs = {(t.date, t.category) for t in result.curated.questions["Q4"].timeline}
    assert {("2024-12-17", "policy"), ("2025-11", "policy")} <= refs


# ----------------------------------------------------------------------------- 9. uncontested races, one table


def test_uncontested_count_comes_from_county_covariates_with_one_rule(result, timeline, panel):
    rows = panel[(panel["variable"] == "sheriff_2022_contested") & (panel["year"] == 2022)]
    expected = sorted(rows.loc[rows["value"] == 0, "county"])
    assert cov.uncontested_sheriff_races_2022(panel) == expected
    q18 = _answer(result, "Q18")
    assert f"{len(expected)} of the {len(rows)} races ({join_words(expected)}) were uncontested" in q18
    assert cov.CONTESTED_RULE in q18
    # no reference row types a count of its own
    for text in timeline["event"].tolist() + timeline["notes"].tolist():
        assert not re.search(r"\d+ with no opponent", text)
        assert "8 with no opponent" not in text


def test_county_profile_sentence_states_the_rule():
    from ma_ice_coop.views import county_profile

    covariates = pd.DataFrame(
        {"variable": ["sheriff_2022_winner_share", "sheriff_2022_contested"], "value": [0.98, 0.0]}
    )
    sheriffs = pd.DataFrame(
        {
            "term_start": ["2017-01-04"],
            "term_end": [""],
            "sheriff_name": ["A. Sheriff"],
            "party": ["D"],
            "how_started": ["elected"],
        }
    )
    text = county_profile._sheriff_sentence(SimpleNamespace(sheriffs=sheriffs, covariates=covariates))
    assert "no runner-up with 1% of the votes" not in text
    assert f"the 2022 sheriff race was uncontested ({cov.CONTESTED_RULE}" in text


# ----------------------------------------------------------------------------- 10. one source of vote counts


def _medsl_votes(panel, fips: str) -> tuple[int, int]:
    wide = panel[(panel["county_fips"] == fips) & (panel["year"] == 2022)].set_index("variable")["value"]
    total, share, margin = (
        wide["sheriff_2022_total_votes"],
        wide["sheriff_2022_winner_share"],
        wide["sheriff_2022_margin"],
    )
    return round(share * total), round((share - margin) * total)


@pytest.mark.parametrize("fips", ["25001", "25005"])
def test_vote_counts_are_the_certified_precinct_sums(timeline, sheriffs, panel, fips):
    winner, runner_up = _medsl_votes(panel, fips)
    row = _rows(timeline, "2022-11-08", "election", fips)
    assert f"{winner:,} votes to {runner_up:,} in the certified precinct returns (MEDSL)" in row["event"]
    assert "github.com/MEDSL" in row["source_url"]
    text = _reference_text(timeline, sheriffs) + " " + " ".join(sheriffs["notes"])
    for old in ("59,034", "55,151", "about 51%-49%", "4,188-604"):
        assert old not in text
