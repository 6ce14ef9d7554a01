"""The 'Common questions, answered' notebook: curated answers filled with numbers from the data.

The curated text lives in data/reference/common_questions.yaml (one entry per question Q1..Q20 of the
project notes on common questions, plus the research questions RQ1..RQ12). It holds no data figures:
where a number belongs it names a placeholder such as ``{custody_share_pool}``, which this package
computes from ``ma_ice_coop.analysis.measures`` and the processed tables (``PLACEHOLDERS`` lists them all).
Dated facts are references into data/reference/policy_timeline.csv, shown with their source links.

``load_common_questions`` checks the file and raises ``SchemaError`` (naming the question, the field
and the fix) for a missing or unknown field, an unknown placeholder, a typed figure, a timeline
reference that matches no row, a source URL that is not in the timeline or the cited notes, or a
data reference that is neither a measure nor a processed table.

The modules, in the order the data flow through them:

- ``placeholders``: the placeholders the curated text may use, and ``fill``;
- ``curated``: the shape of the curated file and ``load_common_questions`` with its checks;
- ``values``: the value of every placeholder (``placeholder_values``);
- ``result``: ``compute``, the notebook's result (``CommonQuestions``) and the outcome table;
- ``text``: the Markdown (questions, key findings, limitations);
- ``display``: the HTML tables and the outcome figure.

The notebook does ``from ma_ice_coop.views import common_questions as view``: every name it and the
tests use is exported here.
"""

from __future__ import annotations

from ma_ice_coop.views.common_questions.curated import (
    CORE_DATA,
    FORBIDDEN_CLAIMS,
    QUESTION_IDS,
    QUESTIONS_FILE,
    RESEARCH_IDS,
    Curated,
    Question,
    ResearchQuestion,
    TimelineRef,
    WrongClaim,
    load_common_questions,
    questions_path,
    resolve_timeline,
    timeline_urls,
)
from ma_ice_coop.views.common_questions.display import (
    outcome_figure,
    outcome_table_html,
    question_index_html,
    research_questions_html,
)
from ma_ice_coop.views.common_questions.placeholders import PLACEHOLDERS, fill
from ma_ice_coop.views.common_questions.result import OUTCOME_LABELS, CommonQuestions, compute, outcome_table
from ma_ice_coop.views.common_questions.text import (
    WRONG_HEADING,
    key_findings,
    limitations,
    md_text_keep_links,
    question_markdown,
    questions_markdown,
    timeline_facts,
)
from ma_ice_coop.views.common_questions.values import AGENCY_LABELS, placeholder_values
from ma_ice_coop.views.common_questions.values import _top_counts_text as _top_counts_text  # used by the tests

# The processed tables this notebook reads, directly or through analysis/ (the cache key covers these;
# tests/test_view_tables.py checks the list against the code): every Massachusetts table (not the national ones).
PROCESSED_TABLES = "massachusetts"

__all__ = [
    "PROCESSED_TABLES",
    "AGENCY_LABELS",
    "CORE_DATA",
    "FORBIDDEN_CLAIMS",
    "OUTCOME_LABELS",
    "PLACEHOLDERS",
    "QUESTIONS_FILE",
    "QUESTION_IDS",
    "RESEARCH_IDS",
    "WRONG_HEADING",
    "CommonQuestions",
    "Curated",
    "Question",
    "ResearchQuestion",
    "TimelineRef",
    "WrongClaim",
    "compute",
    "fill",
    "key_findings",
    "limitations",
    "load_common_questions",
    "md_text_keep_links",
    "outcome_figure",
    "outcome_table",
    "outcome_table_html",
    "placeholder_values",
    "question_index_html",
    "question_markdown",
    "questions_markdown",
    "questions_path",
    "research_questions_html",
    "resolve_timeline",
    "timeline_facts",
    "timeline_urls",
]
