"""The notebook's Markdown: each question's answer, wrong claims and dated facts, key findings, limitations."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.present.report import bullet_list, fmt_num
from ma_ice_coop.present.text import join_words, md_literal, md_source_links, source_urls
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.common_questions.curated import resolve_timeline
from ma_ice_coop.views.common_questions.placeholders import fill
from ma_ice_coop.views.common_questions.result import CommonQuestions
from ma_ice_coop.views.common_questions.values import _period_text

WRONG_HEADING = "**Commonly claimed but wrong**"


def md_text_keep_links(line: str) -> str:
    """Generated lines already hold Markdown links; only HTML-escape `<` and `>` in them."""
    return line.replace("<", "&lt;").replace(">", "&gt;")


def timeline_facts(refs, timeline: pd.DataFrame) -> list[str]:
    """One Markdown line per timeline row the references stand for, in date order, with source links."""
    frames = [resolve_timeline(ref, timeline) for ref in refs]
    rows = pd.concat(frames).drop_duplicates() if frames else timeline.iloc[0:0]
    rows = rows.sort_values(["date", "county_fips", "category", "event"], kind="mergesort")
    lines = []
    for row in rows.itertuples():
        links = md_source_links(row.source_url)
        note = "" if row.confidence == "high" else f" (confidence: {row.confidence})"
        lines.append(f"**{row.date}** — {md_literal(row.event)}{note} Source: {links}.")
    return lines


def _data_line(data: tuple[str, ...]) -> str:
    if not data:
        return "*Data:* none bear on this; it is a legal or policy question, answered from the dated record."
    return "*Data:* " + ", ".join(f"`{d}`" for d in data) + " (see Methodology)."


# ----------------------------------------------------------------------------- the questions


def question_markdown(report: CommonQuestions, qid: str, *, include_wrong_claims: bool = True) -> str:
    """One question: the answer, the wrong claims with corrections, dated facts, and what is not known."""
    question = report.curated.questions[qid]
    parts = [f"### {qid}. {md_literal(question.question)}", "", md_literal(fill(question.answer, report.values)), ""]
    if include_wrong_claims and question.wrong_claims:
        parts += [WRONG_HEADING, ""]
        parts += [
            f"- *Claimed:* “{md_literal(claim.claim)}” — **Correction:** "
            f"{md_literal(fill(claim.correction, report.values))} Source: {md_source_links(claim.source_url)}."
            for claim in question.wrong_claims
        ]
        parts.append("")
    facts = timeline_facts(question.timeline, report.timeline)
    if facts:
        parts += ["**Dated facts**", "", bullet_list(facts), ""]
    parts += [
        "**What the data cannot tell**",
        "",
        bullet_list(md_literal(fill(item, report.values)) for item in question.not_known),
        "",
        _data_line(question.data),
    ]
    return "\n".join(parts)


def questions_markdown(report: CommonQuestions) -> str:
    """Every selected question, in order."""
    return "\n\n".join(question_markdown(report, qid) for qid in report.selected)


# ----------------------------------------------------------------------------- key findings and limitations


def key_findings(report: CommonQuestions) -> str:
    values = report.values
    timeline = report.timeline
    no_trust = timeline[(timeline["date"] == "2024-05") & (timeline["category"] == "legislation")]
    counts = report.research["core data can answer"].value_counts()
    lines = [
        "The law frames every answer. "
        + lunn_287g_text(md_source_links, timeline)
        + " There is no statewide Trust Act: Trust Acts are city ordinances"
        + (f" (source: {md_source_links(source_urls(no_trust.iloc[0]['source_url'])[0])})." if len(no_trust) else "."),
        f"In the only record-level outcome data ({values['fy2015_period']}, before Lunn), "
        f"{values['detainers_sheriff_fy2015']} of the {values['detainers_ma_fy2015']} detainers lodged at "
        f"Massachusetts facilities went to sheriff-run jails. ICE recorded taking custody in "
        f"{values['custody_count_pool']}, a pooled share of {values['custody_share_pool']}, and recorded "
        f"{values['declined_count_pool']} declines (a lower bound); "
        f"{values['unresolved_share_pool']} have no outcome recorded.",
        f"By county, for that custody share, {values['custody_share_vs_pool']}.",
        f"287(g) agreement years ({values['agreement_years_period']}): {values['counties_287g']}; the state DOC's "
        f"agreement was in force in {values['doc_287g_years']}.",
        f"ICE detention in sheriff-run jails ({values['ice_detention_period']}): "
        f"{values['ice_headcount_by_county']}. The last day with an ICE detainee in ICE's daily records was: "
        f"{values['ice_detention_last_days']} (ICE's records, not announced or expected dates; the policy timeline "
        "gives those).",
        f"ICE arrests recorded {values['jail_arrests_period']} (pooled; placed from free-text landmarks, so "
        f"misplacement can raise or lower a count): most at {values['jail_arrests_top']} among sheriff-run jails, "
        f"and {values['jail_arrests_courts']} at {values['jail_arrests_courts_n']}; "
        f"{values['jail_arrests_unplaced']} of the {values['jail_arrests_aor_total']} arrests in ICE's Boston area "
        "cannot be placed.",
        f"Of the {fmt_num(len(report.research))} research questions, the project's core data answer "
        f"{fmt_num(counts.get('yes', 0))}, {fmt_num(counts.get('partly', 0))} in part and "
        f"{fmt_num(counts.get('no', 0))} not at all (the table of research questions says why).",
    ]
    return bullet_list(md_text_keep_links(line) for line in lines)


def _small_text() -> str:
    """Which counties are small for the custody share, decided by their data (measures.small_by_data)."""
    table = measures.measure_table("custody_share")
    small = table.loc[measures.small_by_data(table), "county"].tolist()
    return (
        f"A county is small for a measure when its data are few (for the custody share, "
        f"{measures.small_rule('custody_share')}: {join_words(small) or 'none'}): read its interval, not its rank."
    )


def _limitation_lines(report: CommonQuestions) -> list[str]:
    return [
        "Sources of the answers: each question of the project notes on common questions (which check a widely "
        f"circulated FAQ, {md_source_links(next(iter(report.curated.sources)))}) was answered in the project's own "
        "words in data/reference/common_questions.yaml. Numbers come from the processed tables through named "
        "placeholders filled by code; dated facts come from data/reference/policy_timeline.csv with their source "
        "links.",
        "Unit: the jails and houses of correction run by each county's elected sheriff, rolled up to the county. "
        "State prisons (DOC), federal sites, ICE offices, police lockups and courthouses are counted separately, "
        "never inside a county.",
        f"The FY2015 detainer records ({report.values['fy2015_period']}) are the only record-level outcomes in the "
        "core data and predate Lunn; most outcomes are blank, and 'declined' is a lower bound because ICE records "
        "only the declines it learns of.",
        f"ICE arrests ({report.values['jail_arrests_period']}) are pooled without dates and placed from free-text "
        "landmarks: misplacement can raise or lower a place's count, and unplaced arrests are counted, not dropped.",
        f"ICE detention headcounts: the daily records run {_period_text(measures.ICE_DETENTION_DAILY)} but "
        f"undercount days before {measures.default_period('mean_daily_ice_headcount').start.isoformat()}, so the "
        f"averages quoted cover {report.values['ice_detention_period']}. "
        f"287(g) years are operational years: {measures.OPERATIONAL_287G_RULE}.",
        "Intervals: Jeffreys for shares, exact Poisson for counts and rates; complete administrative counts carry "
        f"no sampling interval. {_small_text()}",
        "Legal and policy questions (notification, training, due process, victims and witnesses) cannot be settled "
        "by these data; the answers give dated, sourced facts and say what is not known. Nothing here is legal "
        "advice.",
    ]


def limitations(report: CommonQuestions) -> str:
    questions = report.curated.questions.values()
    used = sorted({item for q in questions for item in q.data if item in measures.MEASURES})
    tables = sorted({item for q in questions for item in q.data if item not in measures.MEASURES})
    return (
        bullet_list(_limitation_lines(report))
        + "\n- Measures named under *Data*:\n"
        + "\n".join(
            f"  - {md_literal(catalogue().label(measure))} (`{measure}`): {md_literal(measures.MEASURES[measure])}"
            for measure in used
        )
        + "\n- Processed tables named under *Data* (columns in data/processed/CODEBOOK.md): "
        + ", ".join(f"`{table}`" for table in tables)
        + "."
    )
