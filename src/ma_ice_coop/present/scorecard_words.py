"""The scorecard's sentences: the plain-words summary above the statewide table and, for each column of a
county's card, where its value comes from. Every number is read from the scorecard frame."""

from __future__ import annotations

import html

import pandas as pd

from ma_ice_coop.analysis.measures import SMALL_SHARE_DENOMINATOR
from ma_ice_coop.present.report import fmt_num
from ma_ice_coop.present.scorecard import adp_text, policy_source_html
from ma_ice_coop.present.text import join_words, year_ranges
from ma_ice_coop.tables.catalogue import catalogue

#: Days with ICE detainees (in total) from which the records show a sustained arrangement, not a few stays.
SUSTAINED_DAYS = 365


def _names(frame: pd.DataFrame, mask) -> list[str]:
    return list(frame.loc[mask, "county"])


def _agreement_sentence(frame: pd.DataFrame) -> str:
    operational = frame[frame["agreement_287g_operational"].map(bool)]
    spans = [f"{row.county} {year_ranges(row.agreement_287g_operational)}" for row in operational.itertuples()]
    on_list = _names(frame, frame["agreement_287g_on_latest_list"])
    latest = frame["agreement_287g_latest_list"].iloc[0]
    return (
        f"{len(spans)} of the {len(frame)} sheriffs' offices had a 287(g) agreement in operation at some time "
        f"({join_words(spans)}); {join_words(on_list, empty='none')} "
        f"{'is' if len(on_list) == 1 else 'are'} on ICE's latest list ({latest})."
    )


def _detention_sentence(frame: pd.DataFrame) -> str:
    held = frame["ice_detention_days"].fillna(0)
    sustained = frame[held >= SUSTAINED_DAYS].sort_values("ice_detention_days", ascending=False)
    brief = frame[(held > 0) & (held < SUSTAINED_DAYS)]
    listed = frame[frame["ice_adp_fy2025"].fillna(0) > 0]
    cover = catalogue().coverage["ice_detention_daily"].period
    brief_text = join_words(f"{row.county} ({fmt_num(row.ice_detention_days)} days)" for row in brief.itertuples())
    fy2025 = join_words(f"{row.county} ({adp_text(row._asdict())})" for row in listed.itertuples())
    return (
        f"ICE's daily records ({cover.start} to {cover.end}) show ICE detainees in {len(sustained)} sheriffs' jails "
        f"on a year or more of days in all ({join_words(sustained['county'])}), an arrangement to hold them such "
        f"as a bed contract, and on only a few days in {join_words(brief['county'], empty='no other jail')}"
        + (f" ({brief_text})" if brief_text else "")
        + f". ICE's FY2025 statistics list {'only ' if len(listed) == 1 else ''}{fy2025 or 'none of them'}."
    )


def _of_all(part: int, whole: int) -> str:
    """'all 13' or '12 of the 13'."""
    return f"all {whole}" if part == whole else f"{part} of the {whole}"


def _arrest_sentence(frame: pd.DataFrame) -> str:
    with_jail = frame[frame["houses_own_prisoners"]]
    rates = with_jail["jail_arrests_per_100k"]
    cover = catalogue().coverage["jail_arrests"].period
    with_arrests = _of_all(int((with_jail["jail_arrests"] > 0).sum()), len(with_jail))
    return (
        f"ICE recorded arrests at {with_arrests} sheriffs' jails "
        f"from {cover.start} to {cover.end}, from {fmt_num(rates.min(), 1)} to {fmt_num(rates.max(), 1)} a year per "
        "100,000 residents; arrests at a jail show that ICE came there, not how the jail helped."
    )


def _custody_sentence(frame: pd.DataFrame) -> str:
    with_jail = frame[frame["houses_own_prisoners"]]
    small = int(with_jail["custody_share_small"].sum())
    none = _names(with_jail, with_jail["fy2015_detainers"].fillna(0) == 0)
    cover = catalogue().coverage["fy2015_detainers"].period
    return (
        f"The detainer records with outcomes cover only {cover.start} to {cover.end}: {small} of the "
        f"{len(with_jail)} jails had 1 to {SMALL_SHARE_DENOMINATOR - 1} detainers"
        + (f" and {join_words(none)} none" if none else "")
        + ", so their custody shares do not rank the sheriffs; those records predate Lunn v. Commonwealth "
        "(2017-07-24), after which Massachusetts law gives no authority to hold anyone on an ICE detainer alone."
    )


def _policy_sentence(frame: pd.DataFrame, labels: dict[str, str], questions: tuple[str, ...]) -> str:
    parts = []
    for question in questions:
        values = frame[f"policy_{question}_value"].fillna("unknown")
        known = values[~values.isin(["unknown", "not_applicable"])]
        parts.append(
            f"{labels[question]}: {int((known == 'yes').sum())} yes, {int((known == 'partial').sum())} in part, "
            f"{int((known == 'no').sum())} no, {int((values == 'unknown').sum())} unknown"
        )
    return "Written policies, as coded from dated sources (latest per office): " + "; ".join(parts) + "."


def summary_html(frame: pd.DataFrame, labels: dict[str, str], questions: tuple[str, ...], checks: pd.DataFrame) -> str:
    """The points above the statewide scorecard: what can and cannot be concluded, from the data; `checks` are
    the rows of `analysis.scorecard.policy_vs_records`."""
    sentences = [
        _agreement_sentence(frame),
        _detention_sentence(frame),
        _arrest_sentence(frame),
        _custody_sentence(frame),
        _policy_sentence(frame, labels, questions),
        disagreement_sentence(checks),
        "Each source covers different years, so the columns are not one ranking: read each with its period.",
    ]
    return '<ul class="answer">' + "".join(f"<li>{html.escape(s)}</li>" for s in sentences) + "</ul>"


def card_explanations(row: pd.Series, questions: tuple[str, ...], prefix: str = "") -> dict[str, str]:
    """Column key -> where a county card value comes from (HTML), with links to the report's sections."""
    measures = catalogue().measures
    history = f'<a href="{prefix}#history">sheriffs, 287(g) and ICE detention over time</a>'
    compared = f'<a href="{prefix}#measures">the measures next to the state</a>'
    notes = {
        "sheriff": "data/reference/sheriffs.csv (one source per row) and " + history,
        "agreement-287g": "ICE's lists, the Washington Post's flags and dated reports (data/reference/"
        "agreements_287g.csv); a year counts as operational under the rule in the methodology; " + history,
        "ice-detention": html.escape(measures["detention_contract_days"].definition) + "; " + history,
        "ice-adp-fy2025": html.escape(measures["ice_adp_year_end"].definition)
        + "; a facility ICE does not list is shown as not listed, not as zero",
        "jail-arrests": html.escape(measures["jail_arrests"].definition) + "; " + compared,
        "custody-share": html.escape(measures["custody_share"].definition) + "; " + compared,
    }
    for question in questions:
        notes[f"policy-{question.replace('_', '-')}"] = policy_source_html(row, question)
    return notes


def bed_contract_finding(check: pd.Series) -> str:
    """One county's ICE bed contract, policy beside records, in words (a row of policy_vs_records)."""
    value, dated, last = check["policy_value"], check["policy_date"], check["records_last_day"]
    days = fmt_num(check["records_days"])
    if check["finding"] == "held_after_end":
        return (
            f"Disagree: the coded end of the contract is dated {dated}, but ICE's daily records show ICE detainees "
            f"held until {last}."
        )
    if check["finding"] == "none_held":
        return f"Disagree: a contract is coded ({value}, {dated}), but ICE's daily records show no day with a detainee."
    if check["finding"] == "not_coded":
        return (
            f"Not coded: ICE's daily records show ICE detainees on {days} days (last {last}), but no dated source in "
            "the policy table says whether there was a contract."
        )
    if check["finding"] == "no_rows":
        return "No coded policy on ICE bed contracts."
    return f"Agree: the latest coded policy ({value}, {dated}) fits ICE's daily records ({days} days with detainees)."


def disagreement_sentence(checks: pd.DataFrame) -> str:
    """Where the coded bed-contract policy and ICE's records disagree or the policy table is silent."""
    disagree = checks[checks["finding"].isin(["held_after_end", "none_held"])]
    silent = checks[checks["finding"] == "not_coded"]
    parts = [f"{row.county}: {bed_contract_finding(pd.Series(row._asdict()))}" for row in disagree.itertuples()]
    parts += [f"{row.county}: {bed_contract_finding(pd.Series(row._asdict()))}" for row in silent.itertuples()]
    if not parts:
        return "The coded bed-contract policies agree with ICE's daily records for every office."
    return "Policy beside records (ICE bed contracts): " + " ".join(parts)
