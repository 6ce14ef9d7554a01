"""The common-questions view: curated answers filled from the real data, checked for wrong claims.

Known values come from the real processed tables (FY2015 detainer records, pooled ICE arrests,
287(g) panel, ICE detention headcounts). Damaged copies of the curated YAML test the checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ma_ice_coop import config
from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.present.text import md_literal, md_source_links
from ma_ice_coop.specs.notebooks import notebook_parameters
from ma_ice_coop.tables.reference import load_policy_timeline
from ma_ice_coop.views import common_questions as view

NOTES = Path(__file__).resolve().parents[2] / "shared" / "notes" / "common-questions.md"


@pytest.fixture(scope="module")
def result():
    return view.compute("all")


@pytest.fixture(scope="module")
def timeline():
    return load_policy_timeline()


@pytest.fixture
def doc():
    return yaml.safe_load(view.questions_path().read_text(encoding="utf-8"))


def _write(tmp_path, doc) -> Path:
    path = tmp_path / "common_questions.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the curated file


def test_curated_file_has_every_question_and_research_question(result):
    assert tuple(result.curated.questions) == view.QUESTION_IDS
    assert tuple(result.curated.research_questions) == view.RESEARCH_IDS
    for q in result.curated.questions.values():
        assert q.question and q.answer and q.not_known
    assert set(result.research["core data can answer"]) <= set(view.CORE_DATA)


def test_every_timeline_reference_resolves_and_every_source_is_cited(result, timeline):
    urls = view.timeline_urls(timeline) | set(result.curated.sources)
    for q in result.curated.questions.values():
        for ref in q.timeline:
            assert len(view.resolve_timeline(ref, timeline)) >= 1, (q.id, ref)
        for claim in q.wrong_claims:
            assert claim.source_url in urls


@pytest.mark.skipif(not NOTES.exists(), reason="project notes (../shared/notes) not available")
def test_listed_sources_are_urls_of_the_notes(result):
    notes = NOTES.read_text(encoding="utf-8")
    for url in result.curated.sources:
        assert url in notes, url


def test_every_placeholder_is_used_and_computed(result):
    used = set()
    for q in result.curated.questions.values():
        texts = [q.answer, *q.not_known, *(c.correction for c in q.wrong_claims)]
        used |= {name for t in texts for name in re.findall(r"\{(\w+)\}", t)}
    for rq in result.curated.research_questions.values():
        used |= set(re.findall(r"\{(\w+)\}", rq.why))
    assert used <= set(view.PLACEHOLDERS)
    assert set(result.values) == set(view.PLACEHOLDERS)
    for name, value in result.values.items():
        assert value and not re.search(r"\bnan\b", value.lower()), name


# ----------------------------------------------------------------------------- known values


def test_placeholder_values_from_the_real_tables(result):
    v = result.values
    assert v["fy2015_period"] == "2014-10-01 to 2015-07-19"
    assert v["detainers_ma_fy2015"] == "410"
    assert v["detainers_sheriff_fy2015"] == "233"
    assert v["detainers_doc_fy2015"] == "100"
    assert v["custody_count_pool"] == "43 of 233"
    assert v["custody_share_pool"].startswith("18% (95% CI ")
    assert v["declined_count_pool"] == "6"
    assert v["unresolved_share_pool"].startswith("71% (95% CI ")
    # operational years only (issue 7, item 11: Barnstable's 2007-2009 agreement never operated)
    assert v["counties_287g"] == "Barnstable (5 years), Bristol (5 years) and Plymouth (5 years)"
    assert v["jail_arrests_courts"] == "1,666"
    assert v["jail_arrests_top"].startswith("the jails of Essex (557)")
    # complete records only (from 2011-10-01; issue 7: no whole-period mean mixing undercounted years)
    assert v["ice_detention_period"] == "2011-10-01 to 2024-01-04"
    assert v["ice_headcount_by_county"].startswith("Plymouth 157, Suffolk 117, Bristol 108")
    assert "Bristol on 2021-06-29" in v["ice_detention_last_days"]
    assert v["sheriff_parties_2023"] == "12 Democrats and 2 Republicans (Plymouth and Worcester)"
    assert v["custody_share_vs_pool"].startswith("no county's 95% interval lies wholly above or below")


def test_key_findings_and_answers_are_generated_without_nan(result):
    texts = [view.key_findings(result), view.questions_markdown(result), view.limitations(result)]
    for text in texts:
        assert not re.search(r"\bnan\b", text.lower())
        assert "{" not in text and "}" not in text  # every placeholder filled
    findings = texts[0]
    assert "43 of 233, a pooled share of 18%" in findings
    assert "There is no statewide Trust Act" in findings
    assert "2017-07-24" in findings  # Lunn's date, from the timeline


def test_outcomes_add_up_and_figure_has_alt_text(result):
    assert result.outcomes["detainers"].sum() == 233
    custody = result.outcomes.set_index("outcome").loc["ICE took custody", "detainers"]
    assert custody == 43
    figure = view.outcome_figure(result)
    assert 'alt="' in figure.data and "<script" not in figure.data
    assert "233" in figure.data


def test_research_questions_table(result):
    assert list(result.research["#"]) == list(view.RESEARCH_IDS)
    html = view.research_questions_html(result).data
    assert "RQ12" in html and "partly" in html


# ----------------------------------------------------------------------------- wrong claims


def _outside_wrong_claim_blocks(markdown: str) -> str:
    """The rendered text with every 'Commonly claimed but wrong' block removed."""
    kept, skipping = [], False
    for line in markdown.split("\n"):
        if line.strip() == view.WRONG_HEADING:
            skipping = True
            continue
        if skipping and (line.startswith("**") or line.startswith("###")):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def test_popular_wrong_claims_are_never_asserted(result):
    rendered = "\n".join(
        [
            view.key_findings(result),
            view.questions_markdown(result),
            view.limitations(result),
            result.research.to_string(),
        ]
    )
    outside = _outside_wrong_claim_blocks(rendered)
    for pattern in view.FORBIDDEN_CLAIMS:
        assert not pattern.search(outside), pattern.pattern
    # the same, rendering the questions without their wrong-claim blocks
    bare = "\n".join(view.question_markdown(result, q, include_wrong_claims=False) for q in view.QUESTION_IDS)
    for pattern in view.FORBIDDEN_CLAIMS:
        assert not pattern.search(bare), pattern.pattern
    # the timeline rows shown as dated facts do not assert them either
    for phrase in ("Massachusetts has a Trust Act", "honor detainers for serious crimes"):
        assert phrase.lower() not in outside.lower()


def test_popular_wrong_claims_are_corrected(result):
    claims = {c.claim: (q.id, c) for q in result.curated.questions.values() for c in q.wrong_claims}
    trust = [c for text, c in claims.items() if re.search(r"massachusetts has a trust act", text, re.I)]
    serious = [c for text, c in claims.items() if re.search(r"honou?r detainers for serious crimes", text, re.I)]
    assert trust and serious
    for _, claim in trust:
        assert "no statewide Trust Act" in claim.correction and "city ordinances" in claim.correction
    for _, claim in serious:
        assert "Lunn" in claim.correction
    # and they appear in the rendered report only as claims (lines starting '- *Claimed:*')
    rendered = view.questions_markdown(result)
    for line in rendered.split("\n"):
        if re.search(r"massachusetts has a trust act|honou?r detainers for serious crimes", line, re.I):
            assert line.startswith("- *Claimed:*")
            claim_part = line.split("— **Correction:**")[1]
            assert not re.search(r"massachusetts has a trust act|honou?r detainers for serious", claim_part, re.I)


# ----------------------------------------------------------------------------- parameters


def test_one_question_renders_only_that_question():
    one = view.compute("Q1")
    assert one.selected == ("Q1",)
    text = view.questions_markdown(one)
    assert text.startswith("### Q1.") and "### Q2." not in text
    assert view.research_questions_html(one).data == ""  # the research-question table only in the full report
    assert view.key_findings(one)  # key findings and methodology still shown
    assert view.limitations(one)


def test_parameters_are_validated():
    assert notebook_parameters("common_questions") == {"question": "all"}
    assert notebook_parameters("common_questions", question="Q20") == {"question": "Q20"}
    with pytest.raises(ParameterError, match="Q21|question"):
        notebook_parameters("common_questions", question="Q21")
    with pytest.raises(ParameterError, match="valid values"):
        view.compute("Q0")


# ----------------------------------------------------------------------------- damaged curated files


def test_unknown_placeholder_is_a_schema_error(tmp_path, doc):
    doc["questions"]["Q3"]["answer"] += " Also {no_such_number}."
    with pytest.raises(SchemaError, match=r"Q3, answer: unknown placeholder \{no_such_number\}"):
        view.load_common_questions(_write(tmp_path, doc))


def test_unresolvable_timeline_reference_is_a_schema_error(tmp_path, doc):
    doc["questions"]["Q2"]["timeline"].append({"date": "2017-07-25", "category": "court_ruling"})
    with pytest.raises(SchemaError, match="Q2, timeline item .*no row of data/reference/policy_timeline.csv"):
        view.load_common_questions(_write(tmp_path, doc))
    doc["questions"]["Q2"]["timeline"][-1] = {"date": "2017-07-24", "category": "ruling"}
    with pytest.raises(SchemaError, match="not a timeline category"):
        view.load_common_questions(_write(tmp_path, doc))


def test_missing_field_is_a_schema_error(tmp_path, doc):
    del doc["questions"]["Q7"]["not_known"]
    with pytest.raises(SchemaError, match=r"Q7: missing field\(s\) \['not_known'\]"):
        view.load_common_questions(_write(tmp_path, doc))


def test_missing_question_is_a_schema_error(tmp_path, doc):
    del doc["questions"]["Q20"]
    with pytest.raises(SchemaError, match=r"missing \['Q20'\]"):
        view.load_common_questions(_write(tmp_path, doc))


def test_uncited_source_url_is_a_schema_error(tmp_path, doc):
    doc["questions"]["Q1"]["wrong_claims"][0]["source_url"] = "https://example.org/not-cited"
    with pytest.raises(SchemaError, match="Q1, wrong_claims item 1, source_url"):
        view.load_common_questions(_write(tmp_path, doc))


def test_typed_figure_is_a_schema_error(tmp_path, doc):
    doc["questions"]["Q6"]["answer"] += " Suffolk had 51 detainers."
    with pytest.raises(SchemaError, match=r"Q6, answer: typed figure"):
        view.load_common_questions(_write(tmp_path, doc))


def test_asserting_a_corrected_claim_is_a_schema_error(tmp_path, doc):
    doc["questions"]["Q11"]["answer"] += " Massachusetts has a Trust Act."
    with pytest.raises(SchemaError, match="asserts a claim the project corrects"):
        view.load_common_questions(_write(tmp_path, doc))


def test_unknown_data_reference_and_core_data_value_are_schema_errors(tmp_path, doc):
    doc["questions"]["Q1"]["data"].append("compliance_rate")
    with pytest.raises(SchemaError, match="'compliance_rate' is neither a measure nor a processed table"):
        view.load_common_questions(_write(tmp_path, doc))
    doc["questions"]["Q1"]["data"].pop()
    doc["research_questions"]["RQ3"]["core_data"] = "maybe"
    with pytest.raises(SchemaError, match="RQ3, core_data"):
        view.load_common_questions(_write(tmp_path, doc))


def test_missing_file_is_a_schema_error(tmp_path):
    with pytest.raises(SchemaError, match="not found"):
        view.load_common_questions(tmp_path / "absent.yaml")


def test_markdown_text_is_escaped():
    assert md_literal("<script>*x*</script>") == "&lt;script&gt;\\*x\\*&lt;/script&gt;"
    assert md_source_links("https://example.org/a_(b)") == "[example.org](https://example.org/a_%28b%29)"


def test_questions_file_lives_in_reference_dir():
    assert view.questions_path() == config.reference_dir() / "common_questions.yaml"
