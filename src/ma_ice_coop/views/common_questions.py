"""The 'Common questions, answered' notebook: curated answers filled with numbers from the data.

The curated text lives in data/reference/common_questions.yaml (one entry per question Q1..Q20 of the
project notes on common questions, plus the research questions RQ1..RQ12). It holds no data figures:
where a number belongs it names a placeholder such as ``{custody_share_pool}``, which this module
computes from ``ma_ice_coop.analysis.measures`` and the processed tables (``PLACEHOLDERS`` lists them all).
Dated facts are references into data/reference/policy_timeline.csv, shown with their source links.

``load_common_questions`` checks the file and raises ``SchemaError`` (naming the question, the field
and the fix) for a missing or unknown field, an unknown placeholder, a typed figure, a timeline
reference that matches no row, a source URL that is not in the timeline or the cited notes, or a
data reference that is neither a measure nor a processed table.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd

from ma_ice_coop import config
from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_estimate, fmt_num, fmt_pct, html_table

QUESTIONS_FILE = "common_questions.yaml"
QUESTION_IDS = tuple(f"Q{i}" for i in range(1, 21))
RESEARCH_IDS = tuple(f"RQ{i}" for i in range(1, 13))
QUESTION_FIELDS = ("question", "answer", "wrong_claims", "timeline", "data", "not_known")
CLAIM_FIELDS = ("claim", "correction", "source_url")
RESEARCH_FIELDS = ("question", "core_data", "why", "data")
CORE_DATA = ("yes", "partly", "no")
TOP_LEVEL = ("sources", "questions", "research_questions")
WRONG_HEADING = "**Commonly claimed but wrong**"

# Every placeholder the curated text may use, and what the view puts there.
PLACEHOLDERS = {
    "fy2015_period": "dates covered by the FY2015 detainer records",
    "detainers_ma_fy2015": "detainers lodged at all Massachusetts facilities, FY2015 records",
    "detainers_sheriff_fy2015": "detainers lodged at sheriff-run jails, FY2015 records",
    "detainers_doc_fy2015": "detainers lodged at state prisons (DOC), FY2015 records",
    "detainers_police_fy2015": "detainers lodged at municipal police lockups, FY2015 records",
    "detainers_non_sheriff_fy2015": "detainers at facilities not run by a sheriff, by kind, FY2015 records",
    "detainers_top_counties_fy2015": "the three counties with most detainers at sheriff-run jails, FY2015, and "
    "whether their counts can be told apart (95% intervals)",
    "detainers_per_100k_pool": "detainers at sheriff-run jails per 100,000 residents (exact Poisson 95% CI)",
    "custody_count_pool": "detainers with lift reason 'Booked into Detention' of all, sheriff-run jails",
    "custody_share_pool": "pooled custody share at sheriff-run jails with Jeffreys 95% CI",
    "custody_share_vs_pool": "which counties' custody-share intervals lie wholly above or below the pool",
    "custody_share_doc_fy2015": "custody share at state prisons (DOC) with Jeffreys 95% CI",
    "declined_count_pool": "detainers recorded as 'Detainer Declined by LEA' at sheriff-run jails (a lower bound)",
    "unresolved_share_pool": "pooled share with no recorded lift reason, sheriff-run jails, Jeffreys 95% CI",
    "request_kind_sheriff": "hold versus notification requests among detainers at sheriff-run jails",
    "detainer_types_sheriff": "detainer forms (as ICE labels them) at sheriff-run jails",
    "recorded_declines_period": "dates covered by the NPR recorded-declines table",
    "jail_arrests_period": "dates the pooled ICE arrest records cover",
    "jail_arrests_top": "the three counties whose sheriff-run jails saw most ICE arrests",
    "jail_arrests_courts": "ICE arrests placed at Massachusetts courthouses",
    "jail_arrests_courts_n": "courthouses with at least one ICE arrest (processed jail_arrests table)",
    "jail_arrests_aor_total": "all ICE arrests recorded in the Boston area of responsibility",
    "jail_arrests_unplaced": "ICE arrests whose recorded location cannot be placed (with share)",
    "agreement_years_period": "years covered by the 287(g) panel",
    "counties_287g": "sheriffs with 287(g) agreement years, and how many",
    "doc_287g_years": "years the state DOC's 287(g) agreement was in force, of all panel years",
    "ice_detention_period": "dates the ICE headcount measures cover by default (complete records only)",
    "ice_headcount_by_county": "mean daily ICE detainees in each county's sheriff-run facilities",
    "ice_detention_last_days": "last day with ICE detainees in ICE's daily records, each county that held them",
    "bristol_records_after_dhs_end": "ICE detainees at Bristol in ICE's daily records after DHS ended the contract",
    "ice_year_end_last_listed": "last fiscal year ICE's year-end statistics list each county that stopped holding",
    "ice_adp_latest": "sheriff-run facilities ICE's latest year-end workbook lists, with average daily population",
    "sheriff_2022_bristol_winner_share": "winner's share of the 2022 Bristol sheriff vote",
    "sheriff_2022_barnstable_winner_share": "winner's share of the 2022 Barnstable sheriff vote",
    "sheriff_parties_2023": "party of the 14 sheriffs in office after the 2022 elections",
    "sheriff_2022_uncontested": "uncontested 2022 sheriff races under the write-in rule (county_covariates)",
    "sheriff_2022_contested_rule": "the write-in rule that decides whether a 2022 sheriff race was contested",
    "sheriffs_287g_at_2022_election": "sheriffs with a 287(g) agreement in force on 2022-11-08 (agreements_287g.csv)",
}

# Digits allowed in curated prose: years, ISO dates, fiscal years and legal identifiers. Any other
# digit is a typed figure, which must be a placeholder instead.
_ALLOWED_DIGITS = re.compile(
    r"\bFY ?(?:19|20)\d{2}\b|\b(?:19|20)\d{2}(?:-(?:0[1-9]|1[0-2])(?:-[0-3]\d)?)?\b|287\(g\)"
    r"|\b(?:EO|Executive Order) \d+\b|\b\d+ U\.S\.C\. ?§ ?\d+\b|§ ?\d+\b|\bI-?247[A-Z]?\b"
    r"|\b\d+ Mass\. \d+\b|\bCOVID-19\b|\bR?Q\d+\b"
)
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")

# Popular claims that reports must never assert (they may appear only as claims being corrected).
FORBIDDEN_CLAIMS = (
    re.compile(r"massachusetts has an? (?:statewide |state )?trust act", re.I),
    re.compile(r"\bhas a statewide trust act", re.I),
    re.compile(r"compliance with (?:the )?trust act", re.I),
    re.compile(r"honou?rs? (?:ice )?detainers for serious (?:crimes|offen[cs]es)", re.I),
    re.compile(r"count(?:y|ies) honou?rs? (?:ice )?detainers", re.I),
)

AGENCY_LABELS = {
    "state_doc": "state prisons (DOC)",
    "federal": "federal sites",
    "police": "police lockups",
    "state_police": "State Police stations",
    "ice": "ICE offices",
    "court": "courthouses",
    "other": "other places",
}
OUTCOME_LABELS = {
    "custody": "ICE took custody",
    "declined": "declined by the jail (recorded)",
    "lifted": "lifted or withdrawn by ICE",
    "administrative": "administrative (transferred)",
    "unresolved": "no outcome recorded",
}


# ----------------------------------------------------------------------------- curated text


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
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            raise _fail(
                path,
                where,
                f"unknown placeholder {{{name}}}",
                f"use one of the placeholders the view computes: {', '.join(sorted(PLACEHOLDERS))}",
            )
    bare = _PLACEHOLDER.sub(" ", text)
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


def _date_text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _data_refs(value, path: Path, where: str) -> tuple[str, ...]:
    from ma_ice_coop.tables.process import TABLES

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


def load_common_questions(path: Path | str | None = None, timeline: pd.DataFrame | None = None) -> Curated:
    """Read and check data/reference/common_questions.yaml (see the module docstring for the rules)."""
    import yaml

    from ma_ice_coop.tables.reference import CATEGORIES, load_policy_timeline

    path = Path(path) if path is not None else questions_path()
    if not path.exists():
        raise _fail(path, "file", "not found", "restore data/reference/common_questions.yaml from git")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, "file", f"not valid YAML ({exc})", "fix the YAML syntax") from None
    doc = _fields(doc, TOP_LEVEL, path, "top level")
    timeline = load_policy_timeline() if timeline is None else timeline

    sources = {}
    if not isinstance(doc["sources"], list):
        raise _fail(path, "sources", "expected a list of {url, what}", "list the URLs cited in the notes")
    for i, entry in enumerate(doc["sources"], start=1):
        entry = _fields(entry, ("url", "what"), path, f"sources item {i}")
        url = _text(entry["url"], path, f"sources item {i}, url")
        if url in sources:
            raise _fail(path, f"sources item {i}", f"duplicate url {url}", "list each URL once")
        sources[url] = _text(entry["what"], path, f"sources item {i}, what")
    allowed_urls = set(sources) | timeline_urls(timeline)

    questions = doc["questions"]
    if not isinstance(questions, dict):
        raise _fail(path, "questions", "expected a mapping Q1..Q20", "key each question by its id")
    missing = [q for q in QUESTION_IDS if q not in questions]
    unknown = [q for q in questions if q not in QUESTION_IDS]
    if missing or unknown:
        raise _fail(path, "questions", f"missing {missing}, unknown {unknown}", "give exactly Q1..Q20")
    parsed = {}
    for qid in QUESTION_IDS:
        entry = _fields(questions[qid], QUESTION_FIELDS, path, qid)
        claims = []
        if not isinstance(entry["wrong_claims"], list):
            raise _fail(path, f"{qid}, wrong_claims", "expected a list", "write [] when there is none")
        for i, claim in enumerate(entry["wrong_claims"], start=1):
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
            claims.append(
                WrongClaim(
                    _text(claim["claim"], path, f"{where}, claim"),
                    _check_prose(
                        _text(claim["correction"], path, f"{where}, correction"), path, f"{where}, correction"
                    ),
                    url,
                )
            )
        refs = []
        if not isinstance(entry["timeline"], list):
            raise _fail(path, f"{qid}, timeline", "expected a list of {date, category}", "write [] when none")
        for i, ref in enumerate(entry["timeline"], start=1):
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
            refs.append(tref)
        if not isinstance(entry["not_known"], list) or not entry["not_known"]:
            raise _fail(
                path,
                f"{qid}, not_known",
                "expected a non-empty list",
                "say what the data cannot settle for this question",
            )
        not_known = tuple(
            _check_prose(_text(t, path, f"{qid}, not_known item {i}"), path, f"{qid}, not_known item {i}")
            for i, t in enumerate(entry["not_known"], start=1)
        )
        parsed[qid] = Question(
            qid,
            _text(entry["question"], path, f"{qid}, question"),
            _check_prose(_text(entry["answer"], path, f"{qid}, answer"), path, f"{qid}, answer"),
            tuple(claims),
            tuple(refs),
            _data_refs(entry["data"], path, f"{qid}, data"),
            not_known,
        )

    rqs = doc["research_questions"]
    if not isinstance(rqs, dict):
        raise _fail(path, "research_questions", "expected a mapping RQ1..RQ12", "key each by its id")
    missing = [q for q in RESEARCH_IDS if q not in rqs]
    unknown = [q for q in rqs if q not in RESEARCH_IDS]
    if missing or unknown:
        raise _fail(path, "research_questions", f"missing {missing}, unknown {unknown}", "give exactly RQ1..RQ12")
    research = {}
    for rid in RESEARCH_IDS:
        entry = _fields(rqs[rid], RESEARCH_FIELDS, path, rid)
        status = (
            str(entry["core_data"]).strip().lower()
            if not isinstance(entry["core_data"], bool)
            else ("yes" if entry["core_data"] else "no")
        )
        if status not in CORE_DATA:
            raise _fail(
                path,
                f"{rid}, core_data",
                f"{entry['core_data']!r} is not allowed",
                f"use one of {list(CORE_DATA)} (quote yes and no in YAML)",
            )
        research[rid] = ResearchQuestion(
            rid,
            _text(entry["question"], path, f"{rid}, question"),
            status,
            _check_prose(_text(entry["why"], path, f"{rid}, why"), path, f"{rid}, why"),
            _data_refs(entry["data"], path, f"{rid}, data"),
        )
    return Curated(path, sources, parsed, research)


# ----------------------------------------------------------------------------- numbers


def _period_text(period: measures.Period) -> str:
    return f"{period.start.isoformat()} to {period.end.isoformat()}"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pooled_share(table: pd.DataFrame) -> tuple[int, int, float, float, float]:
    k, n = int(table["numerator"].sum()), int(table["denominator"].sum())
    low, high = measures.proportion_interval([k], [n])
    return k, n, (k / n if n else float("nan")), float(low[0]), float(high[0])


def _num(value: float) -> str:
    return fmt_num(value, 0 if abs(value) >= 10 or float(value).is_integer() else 1)


def _sheriff_detainers(period: measures.Period) -> pd.DataFrame:
    from ma_ice_coop.io import read_processed

    d = read_processed("detainers")
    return d[
        (d["facility_state"] == "MASSACHUSETTS")
        & (d["operator_type"] == "sheriff")
        & period.contains(d["prepare_date"])
    ]


def _request_kinds(d: pd.DataFrame) -> str:
    # The form type shows what a form can request, not what each detainer asked for: ICE's 2011 FAQ gives the
    # I-247 three functions (notice, release information, a hold of up to 48 hours), and which of them a given
    # form asked for is not recorded. So "hold" forms are forms that can request a hold (release review, issue 7).
    forms = d.assign(form=d["detainer_type"].str.split(" - ").str[0].str.strip())
    parts = []
    for kind, what in (
        ("hold", "were on forms that can ask the jail to hold the person"),
        ("notify", "on the notification-only form"),
    ):
        group = forms[forms["request_kind"] == kind]
        if len(group):
            forms_used = sorted(group["form"].unique())
            parts.append(f"{fmt_num(len(group))} {what} ({_and(forms_used)})")
    rest = forms[~forms["request_kind"].isin(["hold", "notify"])]
    if len(rest):
        parts.append(f"{fmt_num(len(rest))} were of another or unknown kind")
    return _and(parts)


def _detainer_types(d: pd.DataFrame) -> str:
    counts = d.groupby("detainer_type").size().reset_index(name="n")
    counts = counts.sort_values(["n", "detainer_type"], ascending=[False, True])
    parts = []
    for row in counts.itertuples():
        pieces = [p.strip() for p in row.detainer_type.split(" - ")]
        parts.append(f"{fmt_num(row.n)} on form {pieces[0]} “{pieces[-1]}”")
    return "; ".join(parts)


def _top_counts_text(lodged: pd.DataFrame, n: int = 3) -> str:
    """The counties with the highest detainer counts, ranked only if their 95% intervals do not overlap."""
    top = lodged.sort_values(["numerator", "county"], ascending=[False, True]).head(n)
    named = _and([f"{r.county} ({fmt_num(r.numerator)})" for r in top.itertuples()])
    if top["ci_low"].max() <= top["ci_high"].min():
        return (
            f"{named}, counts whose 95% intervals overlap, so these counties cannot be told apart and their "
            "order means nothing"
        )
    return f"{named}, in that order"


def placeholder_values() -> dict[str, str]:
    """The text of every placeholder, computed from the measures and the processed tables."""
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
    from ma_ice_coop.tables.reference import load_sheriffs

    v: dict[str, str] = {}
    fy = measures.FY2015_DETAINERS
    v["fy2015_period"] = _period_text(fy)

    lodged = measures.measure_table("detainers_lodged")
    agency = measures.agency_measures()
    agency_lodged = agency[agency["measure"] == "detainers_lodged"].set_index("agency_group")["numerator"]
    sheriff_total = lodged["numerator"].sum()
    v["detainers_sheriff_fy2015"] = fmt_num(sheriff_total)
    v["detainers_ma_fy2015"] = fmt_num(sheriff_total + agency_lodged.sum())
    v["detainers_doc_fy2015"] = fmt_num(agency_lodged.get("state_doc", 0))
    v["detainers_police_fy2015"] = fmt_num(agency_lodged.get("police", 0))
    others = agency_lodged.reset_index().sort_values(["numerator", "agency_group"], ascending=[False, True])
    v["detainers_non_sheriff_fy2015"] = _and(
        [
            f"{AGENCY_LABELS.get(r.agency_group, r.agency_group)} {fmt_num(r.numerator)}"
            for r in others.itertuples()
            if r.numerator > 0
        ]
    )
    v["detainers_top_counties_fy2015"] = _top_counts_text(lodged)
    rate = measures.measure_table("detainers_per_100k")
    k, pop = rate["numerator"].sum(), rate["denominator"].sum()
    low, high = measures.poisson_interval([k], [pop / measures.PER_100K])
    v["detainers_per_100k_pool"] = (
        fmt_estimate(k / pop * measures.PER_100K, low[0], high[0], share=False, digits=1) + " per 100,000 residents"
    )

    custody = measures.measure_table("custody_share")
    ck, cn, cest, clow, chigh = _pooled_share(custody)
    v["custody_count_pool"] = f"{fmt_num(ck)} of {fmt_num(cn)}"
    v["custody_share_pool"] = fmt_estimate(cest, clow, chigh, share=True)
    with_data = custody[custody["denominator"] > 0]
    above = with_data[with_data["ci_low"] > cest]["county"].tolist()
    below = with_data[with_data["ci_high"] < cest]["county"].tolist()
    none = custody[custody["denominator"] == 0]["county"].tolist()
    if not above and not below:
        clause = (
            "no county's 95% interval lies wholly above or below that pool, so with these numbers the "
            "counties cannot be told apart"
        )
    else:
        clause = (
            f"the intervals of {_and(above) or 'no county'} lie wholly above the pool and those of "
            f"{_and(below) or 'no county'} wholly below it; the others cannot be told apart from it"
        )
    if none:
        clause += f" ({_and(none)} had no detainers at all)"
    v["custody_share_vs_pool"] = clause
    agency_custody = agency[(agency["measure"] == "custody_share") & (agency["agency_group"] == "state_doc")]
    row = agency_custody.iloc[0]
    v["custody_share_doc_fy2015"] = (
        f"{fmt_num(row.numerator)} of {fmt_num(row.denominator)}, or "
        f"{fmt_estimate(row.estimate, row.ci_low, row.ci_high, share=True)}"
    )
    declined = measures.measure_table("declined_share")
    v["declined_count_pool"] = fmt_num(declined["numerator"].sum())
    unresolved = measures.measure_table("unresolved_share")
    _, _, uest, ulow, uhigh = _pooled_share(unresolved)
    v["unresolved_share_pool"] = fmt_estimate(uest, ulow, uhigh, share=True)
    d = _sheriff_detainers(fy)
    v["request_kind_sheriff"] = _request_kinds(d)
    v["detainer_types_sheriff"] = _detainer_types(d)
    v["recorded_declines_period"] = _period_text(measures.default_period("recorded_declines"))

    v["jail_arrests_period"] = _period_text(measures.JAIL_ARRESTS)
    jail = measures.measure_table("jail_arrests")
    top = jail.sort_values(["numerator", "county"], ascending=[False, True]).head(3)
    v["jail_arrests_top"] = "the jails of " + _and([f"{r.county} ({fmt_num(r.numerator)})" for r in top.itertuples()])
    arrests = read_processed("jail_arrests")
    courts = arrests[(arrests["status"] == "facility") & (arrests["operator_type"] == "court")]
    v["jail_arrests_courts"] = fmt_num(courts["arrests"].sum())
    v["jail_arrests_courts_n"] = (
        f"{fmt_num(courts.loc[courts['arrests'] > 0, 'facility_id'].nunique())} "
        "Massachusetts courthouses (counted in the processed jail_arrests table, not in "
        "a download)"
    )
    total = arrests["arrests"].sum()
    unplaced = arrests.loc[arrests["status"] == "unplaced", "arrests"].sum()
    v["jail_arrests_aor_total"] = fmt_num(total)
    v["jail_arrests_unplaced"] = f"{fmt_num(unplaced)} ({fmt_pct(unplaced / total)})"

    panel = read_processed("agreements_287g_years")
    years = sorted(panel["year"].unique())
    v["agreement_years_period"] = f"{years[0]}-{years[-1]}"
    sheriff_years = measures.measure_table("agreement_287g_years")
    with_years = sheriff_years[sheriff_years["numerator"] > 0].sort_values(
        ["numerator", "county"], ascending=[False, True]
    )
    v["counties_287g"] = _and([f"{r.county} ({fmt_num(r.numerator)} years)" for r in with_years.itertuples()]) or "none"
    doc = panel[panel["agency_type"] == "state_doc"]
    v["doc_287g_years"] = (
        f"{fmt_num(int(doc['agreement_287g_operational'].sum()))} of the {fmt_num(doc['year'].nunique())} "
        f"calendar years {years[0]}-{years[-1]}"
    )

    period = measures.default_period("mean_daily_ice_headcount")  # complete records only, not the undercount
    v["ice_detention_period"] = _period_text(period)
    head = measures.measure_table("mean_daily_ice_headcount").set_index("county")
    days = measures.measure_table("detention_contract_days").set_index("county")["numerator"]
    held = head.assign(days=days)[days > 0]
    regular = held[held["days"] >= 30].sort_values(["estimate"], ascending=False)
    brief = held[held["days"] < 30].sort_index()
    text = _and([f"{county} {_num(r.estimate)}" for county, r in regular.iterrows()])
    text += " ICE detainees per day, averaged over that period"
    if len(brief):
        text += (
            f" ({_and(list(brief.index))} held ICE detainees on only "
            f"{_and([fmt_num(n) for n in brief['days']])} days; the other counties on none)"
        )
    v["ice_headcount_by_county"] = text
    daily = read_processed("ice_detention_daily")
    sheriff_daily = daily[(daily["operator_type"] == "sheriff") & (daily["headcount"] > 0)]
    names = dict(zip(measures.county_frame()["county_fips"], measures.county_frame()["county"], strict=True))
    last = sheriff_daily.groupby("sheriff_county_fips")["date"].max()
    last = last[[names[f] in regular.index for f in last.index]].sort_values()
    end = pd.Timestamp(period.end)
    ended = [f"{names[f]} on {d.date().isoformat()}" for f, d in last.items() if d < end]
    still = [names[f] for f, d in last.items() if d >= end]
    text = _and(ended) if ended else "no county"
    if still:
        text += f"; {_and(still)} still held ICE detainees on the last day of the data, {period.end.isoformat()}"
    v["ice_detention_last_days"] = text
    v["bristol_records_after_dhs_end"] = _records_after_event("bristol_contract_end", daily)
    v["ice_year_end_last_listed"] = _year_end_last_listed(read_processed("ice_detention_fy"), names)
    fy_table = read_processed("ice_detention_fy")
    sheriff_fy = fy_table[fy_table["operator_type"] == "sheriff"]
    latest = int(sheriff_fy["fiscal_year"].max())
    rows = sheriff_fy[sheriff_fy["fiscal_year"] == latest]
    by_county = rows.groupby("sheriff_county_fips")["adp_total"].sum().sort_values(ascending=False)
    through = rows["data_through"].iloc[0]
    listing = _and([f"{names[f]} ({_num(a)} per day on average)" for f, a in by_county.items()])
    v["ice_adp_latest"] = (
        f"ICE's FY{latest} workbook (data through {through}) lists "
        f"{'only ' if len(by_county) == 1 else ''}{listing} among sheriff-run jails"
    )

    votes = county_covariates_wide(
        2022, panel=read_processed("county_covariates"), variables=["sheriff_2022_winner_share"]
    ).set_index("county")
    v["sheriff_2022_bristol_winner_share"] = fmt_pct(votes.loc["Bristol", "sheriff_2022_winner_share"], 1)
    v["sheriff_2022_barnstable_winner_share"] = fmt_pct(votes.loc["Barnstable", "sheriff_2022_winner_share"], 1)
    v["sheriff_parties_2023"] = _sheriff_parties("2023-02-01", load_sheriffs())
    v.update(_election_2022_values(read_processed("county_covariates")))
    missing = set(PLACEHOLDERS) - set(v)
    if missing:  # a programming error, not a data problem
        raise RuntimeError(f"placeholders without a value: {sorted(missing)}")
    return v


def _records_after_event(key: str, daily: pd.DataFrame) -> str:
    """What ICE's daily records show at a key event's facility after the event's date (e.g. DHS ending a contract)."""
    from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp

    event = KEY_EVENTS[key]
    rows = daily[
        (daily["facility_code"] == event.series) & (daily["headcount"] > 0) & (daily["date"] > event_timestamp(event))
    ]
    if rows.empty:
        return f"no ICE detainee after {event.date}"
    first, last, most = rows["date"].min().date(), rows["date"].max().date(), int(rows["headcount"].max())
    return (
        f"at most {fmt_num(most)} ICE detainee{'s' if most > 1 else ''} a day from {first.isoformat()} to "
        f"{last.isoformat()}"
    )


def _year_end_last_listed(fy_table: pd.DataFrame, names: dict[str, str]) -> str:
    """Counties whose sheriff-run facilities ICE's year-end statistics stopped listing, with the last year listed."""
    sheriff = fy_table[(fy_table["operator_type"] == "sheriff") & (fy_table["adp_total"] > 0)]
    latest = int(fy_table["fiscal_year"].max())
    last = sheriff.groupby("sheriff_county_fips")["fiscal_year"].max().astype(int)
    stopped = last[last < latest].sort_values()
    if stopped.empty:
        return "no county"
    return _and([f"{names[f]} last in FY{fy}" for f, fy in stopped.items()])


def _election_2022_values(panel: pd.DataFrame) -> dict[str, str]:
    """The 2022 sheriff-election figures: uncontested races (one table, one rule) and 287(g) on election day."""
    from ma_ice_coop.tables.loaders.covariates import CONTESTED_RULE, uncontested_sheriff_races_2022
    from ma_ice_coop.tables.reference import load_agreements_287g

    races = panel[(panel["variable"] == "sheriff_2022_contested") & (panel["year"] == 2022)]
    uncontested = uncontested_sheriff_races_2022(panel)
    election = pd.Timestamp("2022-11-08")
    a = load_agreements_287g()
    a = a[a["agency_type"] == "sheriff"]
    in_force = a[(a["start_bracket_to"] <= election) & (a["end_bracket_to"].isna() | (a["end_bracket_to"] > election))]
    names = measures.county_frame().set_index("county_fips")["county"]
    held = sorted(names[f] for f in in_force["county_fips"])
    return {
        "sheriff_2022_uncontested": (
            f"{fmt_num(len(uncontested))} of the {fmt_num(len(races))} races ({_and(uncontested)})"
        ),
        "sheriff_2022_contested_rule": CONTESTED_RULE,
        "sheriffs_287g_at_2022_election": (f"only {_and(held)}" if len(held) == 1 else _and(held)) or "none",
    }


def _sheriff_parties(on: str, sheriffs: pd.DataFrame) -> str:
    """Parties of the sheriffs in office on an ISO date (tenure dates are ISO text at their precision)."""
    sitting = sheriffs[(sheriffs["term_start"] <= on) & ((sheriffs["term_end"] == "") | (sheriffs["term_end"] > on))]
    names = {
        "D": ("Democrat", "Democrats"),
        "R": ("Republican", "Republicans"),
        "I": ("independent", "independents"),
        "U": ("unenrolled", "unenrolled"),
        "": ("of unknown party", "of unknown party"),
    }
    parts = []
    for party, group in sorted(sitting.groupby("party"), key=lambda kv: (-len(kv[1]), kv[0])):
        one, many = names.get(party, (party, party))
        label = one if len(group) == 1 else many
        counties = f" ({_and(sorted(group['county']))})" if len(group) <= 3 else ""
        parts.append(f"{fmt_num(len(group))} {label}{counties}")
    return _and(parts)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every {placeholder} with its computed value (the names were checked on loading)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# ----------------------------------------------------------------------------- the notebook's result


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
    from ma_ice_coop.tables.reference import load_policy_timeline

    valid = ("all", *QUESTION_IDS)
    if question not in valid:
        raise ParameterError(f"unknown question {question!r}; valid values: {', '.join(valid)}")
    timeline = load_policy_timeline()
    curated = load_common_questions(timeline=timeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = placeholder_values()
        outcomes = _outcome_table()
    research = pd.DataFrame(
        [
            {
                "#": r.id,
                "research question": r.question,
                "core data can answer": r.core_data,
                "why": fill(r.why, values),
                "data used": ", ".join(r.data) or "–",
            }
            for r in curated.research_questions.values()
        ]
    )
    selected = QUESTION_IDS if question == "all" else (question,)
    return CommonQuestions(question, selected, curated, values, timeline, outcomes, research)


def _outcome_table() -> pd.DataFrame:
    d = _sheriff_detainers(measures.FY2015_DETAINERS)
    n = len(d)
    rows = []
    for outcome, label in OUTCOME_LABELS.items():
        group = d[d["outcome"] == outcome]
        reasons = sorted(group["lift_reason"].dropna().unique())
        rows.append(
            {"outcome": label, "lift reasons": "; ".join(reasons) if reasons else "(blank)", "detainers": len(group)}
        )
    table = pd.DataFrame(rows)
    low, high = measures.proportion_interval(table["detainers"], np.full(len(table), n))
    table["share"] = table["detainers"] / n if n else np.nan
    table["ci_low"], table["ci_high"] = low, high
    return table


# ----------------------------------------------------------------------------- display

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|])")


def md_text(text: str) -> str:
    """Curated or timeline text made safe for Markdown: HTML escaped, Markdown syntax characters escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_link(url: str) -> str:
    """A Markdown link labelled with the site's name; characters that would end the link are encoded."""
    host = urlsplit(url).netloc.removeprefix("www.") or url
    safe = quote(url, safe=":/?#[]@!$&'*+,;=%~")
    safe = safe.replace("(", "%28").replace(")", "%29")
    return f"[{md_text(host)}]({safe})"


def timeline_facts(refs, timeline: pd.DataFrame) -> list[str]:
    """One Markdown line per timeline row the references stand for, in date order, with source links."""
    frames = [resolve_timeline(ref, timeline) for ref in refs]
    rows = pd.concat(frames).drop_duplicates() if frames else timeline.iloc[0:0]
    rows = rows.sort_values(["date", "county_fips", "category", "event"], kind="mergesort")
    lines = []
    for row in rows.itertuples():
        links = ", ".join(md_link(u.strip()) for u in row.source_url.split(" ; ") if u.strip())
        note = "" if row.confidence == "high" else f" (confidence: {row.confidence})"
        lines.append(f"**{row.date}** — {md_text(row.event)}{note} Source: {links}.")
    return lines


def _data_line(data: tuple[str, ...]) -> str:
    if not data:
        return "*Data:* none bear on this; it is a legal or policy question, answered from the dated record."
    return "*Data:* " + ", ".join(f"`{d}`" for d in data) + " (see Methodology)."


def question_markdown(r: CommonQuestions, qid: str, *, include_wrong_claims: bool = True) -> str:
    """One question: the answer, the wrong claims with corrections, dated facts, and what is not known."""
    q = r.curated.questions[qid]
    parts = [f"### {qid}. {md_text(q.question)}", "", md_text(fill(q.answer, r.values)), ""]
    if include_wrong_claims and q.wrong_claims:
        parts += [WRONG_HEADING, ""]
        parts += [
            f"- *Claimed:* “{md_text(c.claim)}” — **Correction:** {md_text(fill(c.correction, r.values))} "
            f"Source: {md_link(c.source_url)}."
            for c in q.wrong_claims
        ]
        parts.append("")
    facts = timeline_facts(q.timeline, r.timeline)
    if facts:
        parts += ["**Dated facts**", "", bullet_list(facts), ""]
    parts += [
        "**What the data cannot tell**",
        "",
        bullet_list(md_text(fill(t, r.values)) for t in q.not_known),
        "",
        _data_line(q.data),
    ]
    return "\n".join(parts)


def questions_markdown(r: CommonQuestions) -> str:
    """Every selected question, in order."""
    return "\n\n".join(question_markdown(r, qid) for qid in r.selected)


def question_index_html(r: CommonQuestions):
    """The selected questions with the measures and tables that bear on each."""
    shown = pd.DataFrame(
        [
            {
                "#": qid,
                "question": r.curated.questions[qid].question,
                "data": ", ".join(r.curated.questions[qid].data) or "none (legal or policy question)",
                "wrong claims corrected": len(r.curated.questions[qid].wrong_claims),
                "dated facts": len(timeline_facts(r.curated.questions[qid].timeline, r.timeline)),
            }
            for qid in r.selected
        ]
    )
    return html_table(shown, caption="The questions answered below")


def key_findings(r: CommonQuestions) -> str:
    from ma_ice_coop.analysis.events import lunn_287g_text

    v = r.values
    no_trust = r.timeline[(r.timeline["date"] == "2024-05") & (r.timeline["category"] == "legislation")]
    counts = r.research["core data can answer"].value_counts()
    lines = [
        "The law frames every answer. "
        + lunn_287g_text(_md_links, r.timeline)
        + " There is no statewide Trust Act: Trust Acts are city ordinances"
        + (f" (source: {md_link(no_trust.iloc[0]['source_url'].split(' ; ')[0])})." if len(no_trust) else "."),
        f"In the only record-level outcome data ({v['fy2015_period']}, before Lunn), "
        f"{v['detainers_sheriff_fy2015']} of the {v['detainers_ma_fy2015']} detainers lodged at Massachusetts "
        f"facilities went to sheriff-run jails. ICE recorded taking custody in {v['custody_count_pool']}, a "
        f"pooled share of {v['custody_share_pool']}, and recorded {v['declined_count_pool']} declines (a lower "
        "bound); "
        f"{v['unresolved_share_pool']} have no outcome recorded.",
        f"By county, for that custody share, {v['custody_share_vs_pool']}.",
        f"287(g) agreement years ({v['agreement_years_period']}): {v['counties_287g']}; the state DOC's agreement "
        f"was in force in {v['doc_287g_years']}.",
        f"ICE detention in sheriff-run jails ({v['ice_detention_period']}): {v['ice_headcount_by_county']}. "
        f"The last day with an ICE detainee in ICE's daily records was: {v['ice_detention_last_days']} (ICE's "
        "records, not announced or expected dates; the policy timeline gives those).",
        f"ICE arrests recorded {v['jail_arrests_period']} (pooled; placed from free-text landmarks, so misplacement "
        f"can raise or lower a count): most at "
        f"{v['jail_arrests_top']} among sheriff-run jails, and {v['jail_arrests_courts']} at "
        f"{v['jail_arrests_courts_n']}; {v['jail_arrests_unplaced']} of the "
        f"{v['jail_arrests_aor_total']} arrests in ICE's Boston area cannot be placed.",
        f"Of the {fmt_num(len(r.research))} research questions, the project's core data answer "
        f"{fmt_num(counts.get('yes', 0))}, {fmt_num(counts.get('partly', 0))} in part and "
        f"{fmt_num(counts.get('no', 0))} not at all (the table of research questions says why).",
    ]
    return bullet_list(md_text_keep_links(line) for line in lines)


def _md_links(urls: str) -> str:
    """Markdown links for every URL of a ' ; '-separated source_url cell."""
    return ", ".join(md_link(u.strip()) for u in urls.split(" ; ") if u.strip())


def md_text_keep_links(line: str) -> str:
    """Generated lines already hold Markdown links; only HTML-escape `<` and `>` in them."""
    return line.replace("<", "&lt;").replace(">", "&gt;")


def outcome_figure(r: CommonQuestions):
    """What ICE recorded for detainers at sheriff-run jails in FY2015: share by outcome with 95% intervals."""
    t = r.outcomes
    n = int(t["detainers"].sum())
    fig = plots.bar_chart(
        t,
        label_col="outcome",
        value_col="share",
        low_col="ci_low",
        high_col="ci_high",
        title=f"Outcomes ICE recorded, detainers at sheriff-run jails\n{r.values['fy2015_period']}",
        xlabel="share of detainers (0-1)",
        value_fmt="{:.0%}",
    )
    top = t.sort_values(["detainers", "outcome"], ascending=[False, True]).iloc[0]
    return plots.figure_html(
        fig,
        alt=(
            f"Horizontal bar chart of the outcomes ICE recorded for the {fmt_num(n)} detainers lodged at "
            f"Massachusetts sheriff-run jails in FY2015, with 95% intervals; the largest group is "
            f"'{top['outcome']}' at {fmt_pct(top['share'])}."
        ),
        caption=(
            "Share of detainers by outcome (lift reason as recorded by ICE), Jeffreys 95% intervals. "
            "'Declined' counts only declines ICE learned of; 'no outcome recorded' means a blank lift reason."
        ),
        source="ICE detainer records FY2015 YTD (FOIA to NPR); outcomes via data/reference/lift_reason_outcomes.csv",
    )


def outcome_table_html(r: CommonQuestions):
    t = r.outcomes
    shown = pd.DataFrame(
        {
            "outcome": t["outcome"],
            "lift reasons (as ICE records them)": t["lift reasons"],
            "detainers": t["detainers"].map(fmt_num),
            "share (95% CI)": [
                fmt_estimate(e, lo, hi, share=True)
                for e, lo, hi in zip(t["share"], t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )
    return html_table(shown, caption=f"Detainers at sheriff-run jails by recorded outcome, {r.values['fy2015_period']}")


def research_questions_html(r: CommonQuestions):
    """The research questions RQ1..RQ12 with whether the core data can answer each, under their own heading.

    Rendered only when all questions are shown (question = all); a single-question run shows nothing here."""
    from html import escape

    from IPython.display import HTML

    if r.question != "all":
        return HTML("")
    intro = (
        f'<h2 id="research-questions">Research questions: what this project\'s data can answer</h2>\n'
        f"<p>The project notes list {escape(fmt_num(len(r.research)))} research questions to be answered with "
        "data. The table says whether the core data (the default, offline build) can answer each: yes, partly "
        "or no, and why.</p>\n"
    )
    table = html_table(
        r.research, caption="Research questions and what this project's core data can answer (yes / partly / no)"
    )
    return HTML(intro + table.data)


def _small_text() -> str:
    """Which counties are small for the custody share, decided by their data (measures.small_by_data)."""
    table = measures.measure_table("custody_share")
    small = table.loc[measures.small_by_data(table), "county"].tolist()
    return (
        f"A county is small for a measure when its data are few (for the custody share, "
        f"{measures.small_rule('custody_share')}: {_and(small) or 'none'}): read its interval, not its rank."
    )


def limitations(r: CommonQuestions) -> str:
    lines = [
        "Sources of the answers: each question of the project notes on common questions (which check a widely "
        f"circulated FAQ, {md_link(next(iter(r.curated.sources)))}) was answered in the project's own words in "
        "data/reference/common_questions.yaml. Numbers come from the processed tables through named placeholders "
        "filled by code; dated facts come from data/reference/policy_timeline.csv with their source links.",
        "Unit: the jails and houses of correction run by each county's elected sheriff, rolled up to the county. "
        "State prisons (DOC), federal sites, ICE offices, police lockups and courthouses are counted separately, "
        "never inside a county.",
        f"The FY2015 detainer records ({r.values['fy2015_period']}) are the only record-level outcomes in the core "
        "data and predate Lunn; most outcomes are blank, and 'declined' is a lower bound because ICE records only "
        "the declines it learns of.",
        f"ICE arrests ({r.values['jail_arrests_period']}) are pooled without dates and placed from free-text "
        "landmarks: misplacement can raise or lower a place's count, and unplaced arrests are counted, not dropped.",
        f"ICE detention headcounts: the daily records run {_period_text(measures.ICE_DETENTION_DAILY)} but "
        f"undercount days before {measures.default_period('mean_daily_ice_headcount').start.isoformat()}, so the "
        f"averages quoted cover {r.values['ice_detention_period']}. "
        f"287(g) years are operational years: {measures.OPERATIONAL_287G_RULE}.",
        "Intervals: Jeffreys for shares, exact Poisson for counts and rates; complete administrative counts carry "
        f"no sampling interval. {_small_text()}",
        "Legal and policy questions (notification, training, due process, victims and witnesses) cannot be settled "
        "by these data; the answers give dated, sourced facts and say what is not known. Nothing here is legal "
        "advice.",
    ]
    used = sorted({d for q in r.curated.questions.values() for d in q.data if d in measures.MEASURES})
    tables = sorted({d for q in r.curated.questions.values() for d in q.data if d not in measures.MEASURES})
    return (
        bullet_list(lines)
        + "\n- Measures named under *Data*:\n"
        + "\n".join(f"  - `{m}`: {md_text(measures.MEASURES[m])}" for m in used)
        + "\n- Processed tables named under *Data* (columns in data/processed/CODEBOOK.md): "
        + ", ".join(f"`{t}`" for t in tables)
        + "."
    )
