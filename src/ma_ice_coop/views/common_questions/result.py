"""The notebook's result: the curated text, the placeholder values, the timeline and the tables it shows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.tables.reference import load_policy_timeline
from ma_ice_coop.views.common_questions.curated import QUESTION_IDS, Curated, data_words, load_common_questions
from ma_ice_coop.views.common_questions.placeholders import fill
from ma_ice_coop.views.common_questions.values import placeholder_values, sheriff_detainers

OUTCOME_LABELS = {
    "custody": "ICE took custody",
    "declined": "declined by the jail (recorded)",
    "lifted": "lifted or withdrawn by ICE",
    "administrative": "administrative (transferred)",
    "unresolved": "no outcome recorded",
}


@dataclass
class CommonQuestions:
    question: str
    selected: tuple[str, ...]
    curated: Curated
    values: dict[str, str]
    timeline: pd.DataFrame
    outcomes: pd.DataFrame  # FY2015 outcomes at sheriff-run jails
    research: pd.DataFrame  # RQ1..RQ12 with what the core data can answer


def compute(question: str = "all") -> CommonQuestions:
    valid = ("all", *QUESTION_IDS)
    if question not in valid:
        raise ParameterError(f"unknown question {question!r}; valid values: {', '.join(valid)}")
    timeline = load_policy_timeline()
    curated = load_common_questions(timeline=timeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = placeholder_values()
        outcomes = outcome_table()
    research = pd.DataFrame(
        [
            {
                "#": research_question.id,
                "research question": research_question.question,
                "core data can answer": research_question.core_data,
                "why": fill(research_question.why, values),
                "data used": data_words(research_question.data) or "–",
            }
            for research_question in curated.research_questions.values()
        ]
    )
    selected = QUESTION_IDS if question == "all" else (question,)
    return CommonQuestions(question, selected, curated, values, timeline, outcomes, research)


def outcome_table() -> pd.DataFrame:
    """FY2015 detainers at sheriff-run jails by recorded outcome, with shares and Jeffreys 95% intervals."""
    detainers = sheriff_detainers(measures.FY2015_DETAINERS)
    total = len(detainers)
    rows = []
    for outcome, label in OUTCOME_LABELS.items():
        group = detainers[detainers["outcome"] == outcome]
        reasons = sorted(group["lift_reason"].dropna().unique())
        rows.append(
            {"outcome": label, "lift reasons": "; ".join(reasons) if reasons else "(blank)", "detainers": len(group)}
        )
    table = pd.DataFrame(rows)
    low, high = measures.proportion_interval(table["detainers"], np.full(len(table), total))
    table["share"] = table["detainers"] / total if total else np.nan
    table["ci_low"], table["ci_high"] = low, high
    return table
