"""The which-counties report's text: key findings, the measure's description, where the measures disagree,
limitations. Every number comes from the WhichCounties result."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import join_words, md_source_links, period_text
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.which_counties.compute import WhichCounties
from ma_ice_coop.views.which_counties.formatting import format_estimate, measure_words


def measure_words_of(measure: str) -> str:
    return catalogue().phrase(measure)


def key_findings(report: WhichCounties) -> str:
    table = report.table
    with_data = table[table["estimate"].notna()]
    lines = []
    if with_data.empty:
        return f"No county has data for {measure_words(report)} in {report.period.start}..{report.period.end}."
    # Counties whose estimate rests on few cases are not ranked as if certain: the league leaves them out.
    rankable = with_data[~with_data["small_by_data"]]
    top = rankable.sort_values(["estimate", "county"], ascending=[False, True]).head(3)
    tops = "; ".join(
        f"{row.county} {format_estimate(report, row.estimate, row.ci_low, row.ci_high)}" for row in top.itertuples()
    )
    rule = measures.small_rule(report.measure)
    if len(top):
        lines.append(
            f"Highest point estimates of {measure_words(report)} among the counties not flagged small "
            f"({report.period.start} to {report.period.end}; small = {rule}): {tops}. {_order_note(top)}"
        )
    else:
        lines.append(
            f"Every county with an estimate of {measure_words(report)} is flagged small ({rule}): none is ranked."
        )
    if report.shrunk is not None:
        lines.append(_shrinkage_finding(report))
    if report.kind in ("share", "rate") and pd.notna(report.pooled):
        pooled = fmt_pct(report.pooled) if report.kind == "share" else fmt_num(report.pooled, 2)
        above = with_data[with_data["pool_side"] == "above"]["county"].tolist()
        below = with_data[with_data["pool_side"] == "below"]["county"].tolist()
        lines.append(
            f"State pool: {pooled} ({fmt_num(table['numerator'].sum())} of {fmt_num(table['denominator'].sum())}"
            f"{'' if report.kind == 'share' else ' (denominator units as in the table)'})."
        )
        also = (
            f" under the counts as placed and at both ends of their sensitivity range "
            f"({join_words(measure_words_of(v['measure'].iloc[0]) for v in report.variants)})"
            if report.variants
            else ""
        )
        lines.append(
            f"Counties whose whole 95% interval lies above the pool{also}: "
            f"{', '.join(above) if above else 'none'}; below: {', '.join(below) if below else 'none'}. "
            "The others cannot be told apart from the pool with these data."
        )
    no_den = table[table["denominator"].fillna(1) == 0]["county"].tolist()
    if no_den:
        lines.append(f"No denominator (nothing to measure) in: {', '.join(no_den)}.")
    flagged = with_data[with_data["small_by_data"]]
    if len(flagged):
        shown = "; ".join(
            f"{row.county} {format_estimate(report, row.estimate, row.ci_low, row.ci_high)}"
            for row in flagged.sort_values("county").itertuples()
        )
        lines.append(f"Small for this measure ({rule}), not ranked (read their intervals): {shown}.")
    return bullet_list(lines)


def _order_note(top: pd.DataFrame) -> str:
    """Whether the listed counties can be put in order: only where one's 95% interval lies wholly above the
    next one's. Complete administrative counts (no interval) are exact and need no note."""
    rows = list(top.itertuples())
    if len(rows) < 2 or top["ci_low"].isna().all():
        return ""
    pairs = list(pairwise(rows))
    apart = [a.county for a, b in pairs if a.ci_low > b.ci_high]
    overlap = [f"{a.county} and {b.county}" for a, b in pairs if not a.ci_low > b.ci_high]
    if not apart:
        return "Their 95% intervals overlap: these counties cannot be put in order with these data."
    text = "; ".join(f"{name}'s 95% interval lies wholly above the next county's" for name in apart)
    if overlap:
        text += "; the intervals of " + "; of ".join(overlap) + " overlap, so their order is not known"
    return text + "."


def _shrinkage_finding(report: WhichCounties) -> str:
    """The spread of the shrunken shares, and how it moves with the prior's concentration."""
    shrunk = report.shrunk[report.shrunk["denominator"] > 0]
    spread = f"{fmt_pct(shrunk['shrunk_estimate'].min())} to {fmt_pct(shrunk['shrunk_estimate'].max())}"
    span = report.prior_range
    low = f"{fmt_pct(shrunk['shrunk_prior_low'].min())} to {fmt_pct(shrunk['shrunk_prior_low'].max())}"
    high = f"{fmt_pct(shrunk['shrunk_prior_high'].min())} to {fmt_pct(shrunk['shrunk_prior_high'].max())}"
    upper = (
        "the optimiser's cap of 10,000 (the data do not rule out full pooling)"
        if span["open_high"]
        else fmt_num(span["high"], 1)
    )
    text = (
        f"After shrinkage toward the pool of the 14 counties' sheriff facilities the county shares range from "
        f"{spread}, but this depends on the prior: its concentration (alpha + beta) has a 95% profile-likelihood "
        f"range from {fmt_num(span['low'], 1)} to {upper}. At the low end (least shrinkage) the shrunken shares "
        f"range from {low}; at the high end (most shrinkage) from {high}. Read the raw intervals: the shrunken "
        "ranking is not robust to the prior."
    )
    if bool(shrunk["shrunk_at_bound"].iloc[0]):
        text += (
            " The fitted prior sits at a bound of the optimiser, so no shrunken intervals are shown (they would "
            "look more certain than the data allow)."
        )
    return text


def measure_description(report: WhichCounties) -> str:
    coverage = measures.measure_coverage(report.measure)
    return (
        f"**{catalogue().label(report.measure)}**: {measures.MEASURES[report.measure]}. Period "
        f"{period_text(report.period.start, report.period.end)}; coverage of the source "
        f"{period_text(coverage.start, coverage.end)}."
    )


def disagreement_text(report: WhichCounties) -> str:
    agreement = report.agreement.dropna(subset=["spearman_rho"])
    strong = agreement[agreement["spearman_rho"] >= 0.7]
    weak = agreement[agreement["spearman_rho"].abs() < 0.3]
    lines = []
    if len(strong):
        lines.append(
            "Measures that rank counties alike (rho ≥ 0.7): "
            + "; ".join(
                f"{measure_words_of(x.measure_a)} and {measure_words_of(x.measure_b)} ({fmt_num(x.spearman_rho, 2)})"
                for x in strong.itertuples()
            )
            + "."
        )
    lines.append(
        f"{len(weak)} of {len(agreement)} pairs of measures barely agree (|rho| < 0.3): a county that looks "
        "cooperative on one definition need not on another. With 11-14 counties these correlations are "
        "themselves uncertain."
    )
    return bullet_list(lines)


def limitations(report: WhichCounties) -> str:
    lines = [
        "Unit: facilities run by each county's elected sheriff, rolled up to the county. Detainers at state "
        "prisons (DOC), federal sites, ICE offices and police lockups are reported separately above.",
        lunn_287g_text(md_source_links) + " FY2015 detainer outcomes predate Lunn.",
        "The detainer-level data (FY2015 YTD) are the only record-level outcomes available here; "
        "most Massachusetts outcomes are blank (unresolved) and 'declined' is a lower bound because ICE records "
        "only the declines it learns of.",
        "ICE arrests at jails come from free-text landmarks pooled over 2011-2023, with no link to detainers. "
        "Misplacement can raise or lower a county's count, so each count has a sensitivity range "
        "(low end: ambiguous landmarks left out; high end: unplaced landmarks naming only a place "
        "with the county's jail added); a county is said to lie above or below the pool only if the whole range "
        "agrees.",
        f"Jail rates per resident: {measures.JAIL_RESIDENTS}.",
        "Small by data: a county's estimate is flagged small when it rests on few cases (shares: fewer than "
        f"{measures.SMALL_SHARE_DENOMINATOR} detainers in the denominator; counts and rates: fewer than "
        f"{measures.SMALL_EVENT_COUNT} events), not by its population.",
        "Intervals: Jeffreys for shares, exact Poisson for counts and rates; administrative counts (days, "
        "headcounts, agreement years) are complete counts with no sampling interval.",
        "Nantucket has no jail: its prisoners are held in Barnstable, so its sheriff measures are zero or blank.",
    ]
    return bullet_list(lines)
