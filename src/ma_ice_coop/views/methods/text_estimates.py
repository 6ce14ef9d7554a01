"""The generated text of the first three sections: the measures, the intervals and the funnel plot. Every
number comes from the Methods result (custody share FY2015, jail arrests 2011-10..2023-01, detainers by
operator)."""

from __future__ import annotations

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.present.report import bullet_list
from ma_ice_coop.present.text import counted, join_words, md_source_links, period_text
from ma_ice_coop.views.methods import examples
from ma_ice_coop.views.methods.compute import Methods
from ma_ice_coop.views.methods.wording import agency_words, pct, rate_text, share_text, signed_pct, whole


def detainer_split(report: Methods) -> dict:
    """FY2015 Massachusetts detainers: at sheriff-run facilities, elsewhere, and elsewhere per group."""
    sheriff = float(report.sheriff_detainers["numerator"].sum())
    groups = report.agency_detainers[report.agency_detainers["numerator"] > 0]
    groups = groups.sort_values(["numerator", "agency_group"], ascending=[False, True])
    other = float(groups["numerator"].sum())
    return {"sheriff": sheriff, "other": other, "total": sheriff + other, "groups": groups}


def measures_text(report: Methods) -> str:
    """Why the unit is the sheriff-run facility, and what Lunn changed."""
    split = detainer_split(report)
    period = measures.FY2015_DETAINERS
    groups = join_words(
        f"{agency_words(g)} {whole(n)}"
        for g, n in zip(split["groups"]["agency_group"], split["groups"]["numerator"], strict=True)
    )
    return bullet_list(
        [
            "**Where:** every county measure counts only the jails and houses of correction run by the county's "
            "elected sheriff, because the sheriff is the official whose cooperation is being measured. Of the "
            f"{counted(split['total'], 'detainer')} ICE lodged at Massachusetts facilities from "
            f"{period_text(period.start, period.end)}, {whole(split['sheriff'])} went to sheriff-run facilities and "
            f"{whole(split['other'])} elsewhere ({groups}); those are reported apart and never added to a county. "
            "A prison in the town of Norfolk is a state prison, not the Norfolk County sheriff's jail.",
            "**When:** " + lunn_287g_text(md_source_links) + " So the measures count what can still happen: ICE "
            "taking custody at release, declines ICE recorded, ICE arrests at the jails, beds rented to ICE and "
            "287(g) years. The FY2015 detainer outcomes predate Lunn.",
            "**What:** several measures side by side, because they answer different questions and can disagree. "
            "The table lists every measure of the project's measure catalogue (data/reference/measures.yaml), with "
            "its denominator, the interval it carries and the period its source covers.",
        ]
    )


def jeffreys_text(report: Methods) -> str:
    """The Jeffreys interval, with the example county's FY2015 custody share and a zero share for contrast."""
    row, own = examples.example_row(report.share, report.example_county)
    ex = examples.share_example(row)
    lines = [
        "A share is k out of n (here: detainers where ICE took custody, out of all detainers). Its 95% interval "
        "is the Jeffreys interval: the 2.5% and 97.5% points of a Beta(k + ½, n − k + ½) distribution. It keeps "
        "close to its promised 95% coverage even with a handful of cases and shares near 0% or 100%, where the "
        "textbook normal approximation fails (Brown, Cai and DasGupta, 2001).",
        f"**Worked example** ({_substitute(report, ex['county'], own)}): ICE took custody in "
        f"{whole(ex['k'])} of {whole(ex['n'])} detainers at {ex['county']}'s sheriff-run facilities, a custody "
        f"share of {share_text(ex['estimate'], ex['ci_low'], ex['ci_high'])}, the interval being the Beta("
        f"{ex['beta_a']:g}, {ex['beta_b']:g}) quantiles. The normal approximation would give "
        f"{signed_pct(ex['wald_low'])} to {signed_pct(ex['wald_high'])}"
        + (", below zero, which no share can be." if ex["wald_low"] < 0 else "."),
    ]
    zero = examples.zero_share_row(report.share)
    if zero is not None:
        z = examples.share_example(zero)
        lines.append(
            f"At a share of exactly 0 the normal approximation has no width at all: {z['county']}, 0 of "
            f"{whole(z['n'])}, would read 0% to 0%, as if certain; the Jeffreys interval is "
            f"{pct(z['ci_low'])}–{pct(z['ci_high'])}."
        )
    return bullet_list(lines)


def _substitute(report: Methods, used: str, own: bool) -> str:
    if own:
        return f"{used}, FY2015"
    return f"FY2015; {report.example_county} has no denominator for this measure, so {used} is shown"


def poisson_text(report: Methods) -> str:
    """The exact Poisson interval, with the example county's jail arrests per 100,000 and the smallest count."""
    row, own = examples.example_row(report.rate, report.example_county)
    ex = examples.rate_example(row)
    small = examples.rate_example(examples.small_count_row(report.rate))
    period = measures.JAIL_ARRESTS
    where = ex["county"] if own else f"{ex['county']} ({report.example_county} has no denominator)"
    return bullet_list(
        [
            "A count of events (detainers, arrests) is treated as Poisson. Its exact (Garwood) 95% interval comes "
            "from chi-square quantiles: from χ²(2.5%; 2k)/2 to χ²(97.5%; 2k + 2)/2 for k events. A rate divides "
            "the count and both ends of its interval by the exposure (person-years). Administrative totals (days "
            "with ICE detainees, headcounts, 287(g) years) are complete counts and get no interval.",
            f"**Worked example** ({where}): ICE recorded {counted(ex['k'], 'arrest')} at the county's jails from "
            f"{period_text(period.start, period.end)} (95% CI {whole(ex['count_low'])}–{whole(ex['count_high'])} "
            f"arrests). Over {whole(ex['exposure'])} person-years (residents × {ex['years']:.1f} years) that is "
            f"{rate_text(ex['estimate'], ex['ci_low'], ex['ci_high'])} arrests per 100,000 residents per year.",
            f"With few events the interval is lopsided: {small['county']}, with {counted(small['k'], 'arrest')}, "
            f"has {rate_text(small['estimate'], small['ci_low'], small['ci_high'])} per 100,000 per year, the upper "
            f"end about {small['ci_high'] / small['estimate']:.0f} times the estimate. Such counties are flagged "
            f"small ({measures.small_rule('jail_arrests_per_100k')}) and not ranked.",
        ]
    )


def funnel_text(report: Methods) -> str:
    """Why a funnel plot, and where the counties' custody shares fall on it."""
    positions = examples.funnel_positions(report.share, report.pooled_share)
    inside = positions[positions["position"] == "inside"]
    outside = positions[positions["position"] != "inside"]
    empty = report.share[~(report.share["denominator"] > 0)]["county"].tolist()
    inner, outer = (examples.level_tag(level) for level in examples.FUNNEL_LEVELS)
    where = (
        f"all {len(positions)} counties with detainers lie inside the {inner} limits: none differs from the pool by "
        "more than chance would produce at its number of detainers"
        if outside.empty
        else f"{len(inside)} of {len(positions)} counties lie inside the {inner} limits; outside: "
        + join_words(f"{r.county} ({r.position})" for r in outside.itertuples())
    )
    return bullet_list(
        [
            "A league table sorts counties by their raw share and invites reading the order as real; with "
            f"{whole(positions['n'].min())} to {whole(positions['n'].max())} detainers per county, much of that "
            "order is chance. A funnel plot draws each county's share against its number of detainers, with the "
            "range a county would fall in by chance alone if its true share were the state pool (exact binomial "
            f"{inner} and {outer} limits, narrowing as detainers grow).",
            f"**Worked example** (FY2015 custody share): the state pool is {pct(report.pooled_share)} "
            f"({whole(report.share['numerator'].sum())} of {whole(report.share['denominator'].sum())}); {where}."
            + (f" {join_words(empty)} had no detainers and cannot be placed." if empty else ""),
        ]
    )
