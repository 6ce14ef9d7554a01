"""The notebook's HTML: the question index, the outcome figure and table, the research questions."""

from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML

from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct, html_table
from ma_ice_coop.views.common_questions.curated import data_words
from ma_ice_coop.views.common_questions.result import CommonQuestions
from ma_ice_coop.views.common_questions.text import timeline_facts


def question_index_html(report: CommonQuestions):
    """The selected questions with the measures and tables that bear on each."""
    questions = report.curated.questions
    shown = pd.DataFrame(
        [
            {
                "#": qid,
                "question": questions[qid].question,
                "data": data_words(questions[qid].data) or "none (legal or policy question)",
                "wrong claims corrected": len(questions[qid].wrong_claims),
                "dated facts": len(timeline_facts(questions[qid].timeline, report.timeline)),
            }
            for qid in report.selected
        ]
    )
    return html_table(shown, caption="The questions answered below")


def outcome_figure(report: CommonQuestions):
    """What ICE recorded for detainers at sheriff-run jails in FY2015: share by outcome with 95% intervals."""
    outcomes = report.outcomes
    total = int(outcomes["detainers"].sum())
    fig = plots.bar_chart(
        outcomes,
        label_col="outcome",
        value_col="share",
        low_col="ci_low",
        high_col="ci_high",
        title=f"Outcomes ICE recorded, detainers at sheriff-run jails\n{report.values['fy2015_period']}",
        xlabel="share of detainers (0-1)",
        value_fmt="{:.0%}",
    )
    top = outcomes.sort_values(["detainers", "outcome"], ascending=[False, True]).iloc[0]
    return plots.figure_html(
        fig,
        alt=(
            f"Horizontal bar chart of the outcomes ICE recorded for the {fmt_num(total)} detainers lodged at "
            f"Massachusetts sheriff-run jails in FY2015, with 95% intervals; the largest group is "
            f"'{top['outcome']}' at {fmt_pct(top['share'])}."
        ),
        caption=(
            "Share of detainers by outcome (lift reason as recorded by ICE), Jeffreys 95% intervals. "
            "'Declined' counts only declines ICE learned of; 'no outcome recorded' means a blank lift reason."
        ),
        source="ICE detainer records FY2015 YTD (FOIA to NPR); outcomes via data/reference/lift_reason_outcomes.csv",
    )


def outcome_table_html(report: CommonQuestions):
    outcomes = report.outcomes
    shown = pd.DataFrame(
        {
            "outcome": outcomes["outcome"],
            "lift reasons (as ICE records them)": outcomes["lift reasons"],
            "detainers": outcomes["detainers"].map(fmt_num),
            "share (95% CI)": [
                fmt_estimate(estimate, low, high, share=True)
                for estimate, low, high in zip(outcomes["share"], outcomes["ci_low"], outcomes["ci_high"], strict=True)
            ],
        }
    )
    return html_table(
        shown, caption=f"Detainers at sheriff-run jails by recorded outcome, {report.values['fy2015_period']}"
    )


def research_questions_html(report: CommonQuestions):
    """The research questions RQ1..RQ12 with whether the core data can answer each, under their own heading.

    Rendered only when all questions are shown (question = all); a single-question run shows nothing here."""
    if report.question != "all":
        return HTML("")
    intro = (
        f'<h2 id="research-questions">Research questions: what this project\'s data can answer</h2>\n'
        f"<p>The project notes list {escape(fmt_num(len(report.research)))} research questions to be answered "
        "with data. The table says whether the core data (the default, offline build) can answer each: yes, "
        "partly or no, and why.</p>\n"
    )
    table = html_table(
        report.research, caption="Research questions and what this project's core data can answer (yes / partly / no)"
    )
    return HTML(intro + table.data)
