"""The curated text of data/reference/common_questions.yaml: its shape, and the checks made on loading.

``load_common_questions`` raises ``SchemaError`` (naming the question, the field and the fix) for a
missing or unknown field, an unknown placeholder, a typed figure, a timeline reference that matches no
row, a source URL that is not in the timeline or the cited notes, or a data reference that is neither a
measure nor a processed table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ma_ice_coop import config
from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.io import read_yaml
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.process import TABLES
from ma_ice_coop.tables.reference import CATEGORIES, load_policy_timeline
from ma_ice_coop.views.common_questions.placeholders import PLACEHOLDER_PATTERN, PLACEHOLDERS

QUESTIONS_FILE = "common_questions.yaml"
QUESTION_IDS = tuple(f"Q{i}" for i in range(1, 21))
RESEARCH_IDS = tuple(f"RQ{i}" for i in range(1, 13))
QUESTION_FIELDS = ("question", "answer", "wrong_claims", "timeline", "data", "not_known")
CLAIM_FIELDS = ("claim", "correction", "source_url")
RESEARCH_FIELDS = ("question", "core_data", "why", "data")
CORE_DATA = ("yes", "partly", "no")
TOP_LEVEL = ("sources", "questions", "research_questions")

# Digits allowed in curated prose: years, ISO dates, fiscal years and legal identifiers. Any other
# digit is a typed figure, which must be a placeholder instead.
_ALLOWED_DIGITS = re.compile(
    r"\bFY ?(?:19|20)\d{2}\b|\b(?:19|20)\d{2}(?:-(?:0[1-9]|1[0-2])(?:-[0-3]\d)?)?\b|287\(g\)"
    r"|\b(?:EO|Executive Order) \d+\b|\b\d+ U\.S\.C\. ?§ ?\d+\b|§ ?\d+\b|\bI-?247[A-Z]?\b"
    r"|\b\d+ Mass\. \d+\b|\bCOVID-19\b|\bR?Q\d+\b"
)

# Popular claims that reports must never assert (they may appear only as claims being corrected).
FORBIDDEN_CLAIMS = (
    re.compile(r"massachusetts has an? (?:statewide |state )?trust act", re.I),
    re.compile(r"\bhas a statewide trust act", re.I),
    re.compile(r"compliance with (?:the )?trust act", re.I),
    re.compile(r"honou?rs? (?:ice )?detainers for serious (?:crimes|offen[cs]es)", re.I),
    re.compile(r"count(?:y|ies) honou?rs? (?:ice )?detainers", re.I),
)


@dataclass(frozen=True)
class WrongClaim:
    claim: str
    correction: str
    source_url: str


@dataclass(frozen=True)
class TimelineRef:
    date: str
    category: str
    county_fips: str | None  # None: every row with this date and category


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    wrong_claims: tuple[WrongClaim, ...]
    timeline: tuple[TimelineRef, ...]
    data: tuple[str, ...]
    not_known: tuple[str, ...]


@dataclass(frozen=True)
class ResearchQuestion:
    id: str
    question: str
    core_data: str
    why: str
    data: tuple[str, ...]


@dataclass(frozen=True)
class Curated:
    path: Path
    sources: dict[str, str]  # url -> what it is (URLs cited in the project notes)
    questions: dict[str, Question]
    research_questions: dict[str, ResearchQuestion]


def questions_path() -> Path:
    return config.reference_dir() / QUESTIONS_FILE


# ----------------------------------------------------------------------------- checks of one field


def _fail(path: Path, where: str, problem: str, fix: str) -> SchemaError:
    return SchemaError(f"{path}: {where}: {problem}\n  what to do: {fix}")


def _text(value, path: Path, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"expected non-empty text, found {value!r}", "write the text as a YAML string")
    return " ".join(value.split())


def _fields(entry, fields: tuple[str, ...], path: Path, where: str, optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(entry, dict):
        raise _fail(
            path,
            where,
            f"expected a mapping with the fields {list(fields)}, found {type(entry).__name__}",
            "write the entry as a YAML mapping",
        )
    missing = [f for f in fields if f not in entry]
    if missing:
        raise _fail(path, where, f"missing field(s) {missing}", f"every entry needs the fields {list(fields)}")
    unknown = sorted(set(entry) - set(fields) - set(optional))
    if unknown:
        raise _fail(path, where, f"unknown field(s) {unknown}", f"use only the fields {list(fields + optional)}")
    return entry


def _check_prose(text: str, path: Path, where: str) -> str:
    """Placeholders must be known; other digits only years, dates and legal identifiers."""
    for name in PLACEHOLDER_PATTERN.findall(text):
        if name not in PLACEHOLDERS:
            raise _fail(
                path,
                where,
                f"unknown placeholder {{{name}}}",
                f"use one of the placeholders the view computes: {', '.join(sorted(PLACEHOLDERS))}",
            )
    bare = PLACEHOLDER_PATTERN.sub(" ", text)
    if "{" in bare or "}" in bare:
        raise _fail(path, where, "unmatched brace", "placeholders are written {name} with letters, digits and _")
    figures = re.findall(r"\S*\d\S*", _ALLOWED_DIGITS.sub(" ", bare))
    if figures:
        raise _fail(
            path,
            where,
            f"typed figure(s) {figures}",
            "never type a data figure: use a placeholder the view computes (see PLACEHOLDERS) or words",
        )
    for pattern in FORBIDDEN_CLAIMS:
        if pattern.search(text):
            raise _fail(
                path,
                where,
                f"asserts a claim the project corrects ({pattern.pattern!r})",
                "state the correction instead; the claim belongs only in a wrong_claims 'claim'",
            )
    return text


def _prose(value, path: Path, where: str) -> str:
    """Non-empty text that passes the prose checks."""
    return _check_prose(_text(value, path, where), path, where)


def _date_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _data_refs(value, path: Path, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _fail(path, where, f"expected a list, found {value!r}", "write [] when no data bear on the question")
    valid = set(measures.MEASURES) | set(TABLES)
    for item in value:
        if item not in valid:
            raise _fail(
                path,
                where,
                f"{item!r} is neither a measure nor a processed table",
                f"use measure ids ({', '.join(measures.MEASURES)}) or tables ({', '.join(TABLES)})",
            )
    return tuple(value)


def timeline_urls(timeline: pd.DataFrame) -> set[str]:
    """Every source URL of the policy timeline (cells hold several URLs joined by ' ; ')."""
    return {u.strip() for cell in timeline["source_url"] for u in cell.split(" ; ") if u.strip()}


def resolve_timeline(ref: TimelineRef, timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline rows a reference stands for (all rows with its date and category [and county])."""
    rows = timeline[(timeline["date"] == ref.date) & (timeline["category"] == ref.category)]
    if ref.county_fips is not None:
        rows = rows[rows["county_fips"].fillna("") == ref.county_fips]
    return rows


# ----------------------------------------------------------------------------- sections of the file


def _read_document(path: Path) -> dict:
    if not path.exists():
        raise _fail(path, "file", "not found", "restore data/reference/common_questions.yaml from git")
    try:
        doc = read_yaml(path)
    except yaml.YAMLError as exc:
        raise _fail(path, "file", f"not valid YAML ({exc})", "fix the YAML syntax") from None
    return _fields(doc, TOP_LEVEL, path, "top level")


def _parse_sources(entries, path: Path) -> dict[str, str]:
    if not isinstance(entries, list):
        raise _fail(path, "sources", "expected a list of {url, what}", "list the URLs cited in the notes")
    sources = {}
    for i, entry in enumerate(entries, start=1):
        entry = _fields(entry, ("url", "what"), path, f"sources item {i}")
        url = _text(entry["url"], path, f"sources item {i}, url")
        if url in sources:
            raise _fail(path, f"sources item {i}", f"duplicate url {url}", "list each URL once")
        sources[url] = _text(entry["what"], path, f"sources item {i}, what")
    return sources


def _check_ids(entries, ids: tuple[str, ...], path: Path, where: str, not_mapping: tuple[str, str]) -> None:
    """`entries` is a mapping keyed by exactly `ids`; `not_mapping` is (problem, fix) when it is no mapping."""
    if not isinstance(entries, dict):
        raise _fail(path, where, *not_mapping)
    missing = [q for q in ids if q not in entries]
    unknown = [q for q in entries if q not in ids]
    if missing or unknown:
        raise _fail(path, where, f"missing {missing}, unknown {unknown}", f"give exactly {ids[0]}..{ids[-1]}")


def _parse_wrong_claims(claims, allowed_urls: set[str], path: Path, qid: str) -> tuple[WrongClaim, ...]:
    if not isinstance(claims, list):
        raise _fail(path, f"{qid}, wrong_claims", "expected a list", "write [] when there is none")
    parsed = []
    for i, claim in enumerate(claims, start=1):
        where = f"{qid}, wrong_claims item {i}"
        claim = _fields(claim, CLAIM_FIELDS, path, where)
        url = _text(claim["source_url"], path, f"{where}, source_url")
        if url not in allowed_urls:
            raise _fail(
                path,
                f"{where}, source_url",
                f"{url} is neither in data/reference/policy_timeline.csv nor in the sources list",
                "cite a URL of the policy timeline or of the notes (add it to `sources` only if the notes cite it)",
            )
        claim_text = _text(claim["claim"], path, f"{where}, claim")
        parsed.append(WrongClaim(claim_text, _prose(claim["correction"], path, f"{where}, correction"), url))
    return tuple(parsed)


def _parse_timeline_refs(refs, timeline: pd.DataFrame, path: Path, qid: str) -> tuple[TimelineRef, ...]:
    if not isinstance(refs, list):
        raise _fail(path, f"{qid}, timeline", "expected a list of {date, category}", "write [] when none")
    parsed = []
    for i, ref in enumerate(refs, start=1):
        where = f"{qid}, timeline item {i}"
        ref = _fields(ref, ("date", "category"), path, where, optional=("county_fips",))
        county = ref.get("county_fips")
        tref = TimelineRef(
            _date_text(ref["date"]), str(ref["category"]), None if county is None else str(county).strip()
        )
        if tref.category not in CATEGORIES:
            raise _fail(
                path, where, f"category {tref.category!r} is not a timeline category", f"use one of {CATEGORIES}"
            )
        if resolve_timeline(tref, timeline).empty:
            raise _fail(
                path,
                where,
                f"no row of data/reference/policy_timeline.csv has date {tref.date}, "
                f"category {tref.category}" + (f", county {tref.county_fips}" if county is not None else ""),
                "use the date (at its precision) and category of an existing timeline row",
            )
        parsed.append(tref)
    return tuple(parsed)


def _parse_not_known(items, path: Path, qid: str) -> tuple[str, ...]:
    if not isinstance(items, list) or not items:
        raise _fail(
            path, f"{qid}, not_known", "expected a non-empty list", "say what the data cannot settle for this question"
        )
    return tuple(_prose(item, path, f"{qid}, not_known item {i}") for i, item in enumerate(items, start=1))


def _parse_question(qid: str, entry, allowed_urls: set[str], timeline: pd.DataFrame, path: Path) -> Question:
    entry = _fields(entry, QUESTION_FIELDS, path, qid)
    claims = _parse_wrong_claims(entry["wrong_claims"], allowed_urls, path, qid)
    refs = _parse_timeline_refs(entry["timeline"], timeline, path, qid)
    not_known = _parse_not_known(entry["not_known"], path, qid)
    return Question(
        qid,
        _text(entry["question"], path, f"{qid}, question"),
        _prose(entry["answer"], path, f"{qid}, answer"),
        claims,
        refs,
        _data_refs(entry["data"], path, f"{qid}, data"),
        not_known,
    )


def _core_data_status(value, path: Path, rid: str) -> str:
    """yes, partly or no (YAML's unquoted yes and no arrive as booleans)."""
    status = str(value).strip().lower() if not isinstance(value, bool) else ("yes" if value else "no")
    if status not in CORE_DATA:
        raise _fail(
            path,
            f"{rid}, core_data",
            f"{value!r} is not allowed",
            f"use one of {list(CORE_DATA)} (quote yes and no in YAML)",
        )
    return status


def _parse_research_question(rid: str, entry, path: Path) -> ResearchQuestion:
    entry = _fields(entry, RESEARCH_FIELDS, path, rid)
    status = _core_data_status(entry["core_data"], path, rid)
    return ResearchQuestion(
        rid,
        _text(entry["question"], path, f"{rid}, question"),
        status,
        _prose(entry["why"], path, f"{rid}, why"),
        _data_refs(entry["data"], path, f"{rid}, data"),
    )


def load_common_questions(path: Path | str | None = None, timeline: pd.DataFrame | None = None) -> Curated:
    """Read and check data/reference/common_questions.yaml (see the module docstring for the rules)."""
    path = Path(path) if path is not None else questions_path()
    doc = _read_document(path)
    timeline = load_policy_timeline() if timeline is None else timeline
    sources = _parse_sources(doc["sources"], path)
    allowed_urls = set(sources) | timeline_urls(timeline)
    questions = doc["questions"]
    _check_ids(
        questions, QUESTION_IDS, path, "questions", ("expected a mapping Q1..Q20", "key each question by its id")
    )
    parsed = {qid: _parse_question(qid, questions[qid], allowed_urls, timeline, path) for qid in QUESTION_IDS}
    research_questions = doc["research_questions"]
    _check_ids(
        research_questions,
        RESEARCH_IDS,
        path,
        "research_questions",
        ("expected a mapping RQ1..RQ12", "key each by its id"),
    )
    research = {rid: _parse_research_question(rid, research_questions[rid], path) for rid in RESEARCH_IDS}
    return Curated(path, sources, parsed, research)


def data_words(data) -> str:
    """The measures and tables a question uses, for readers: measures by their short label, tables by name."""
    cat = catalogue()
    return ", ".join(
        cat.short_label(item) if item in cat.measures else f"{item.replace('_', ' ')} table" for item in data
    )
