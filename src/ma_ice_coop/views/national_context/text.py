"""Generated words for the national notebook: key findings, coverage and placement, the models, reading the
national pattern for one state (ecological inference) and the limitations. Every number comes from the result."""

from __future__ import annotations

import numpy as np

from ma_ice_coop.analysis.definitions import FY2015_DETAINERS
from ma_ice_coop.analysis.national_data import STATELESS
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import counted
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.national_context.compute import COVARIATE_YEAR, WELL_PLACED, NationalContext

# The California Senate's floor analysis of AB 4 (2013-14 session), the TRUST Act on ICE holds.
TRUST_ACT_URL = "http://www.leginfo.ca.gov/pub/13-14/bill/asm/ab_0001-0050/ab_4_cfa_20130905_152002_sen_floor.html"


def measure_words(result: NationalContext) -> str:
    return catalogue().short_label(result.measure)


def state_words(result: NationalContext) -> str:
    """The highlighted state's name ('Massachusetts'), from the national placement table."""
    names = result.placement.set_index("state")["state_name"]
    return str(names.get(result.highlight, result.highlight)).title()


def covariate_words(covariate: str) -> str:
    if covariate in ("population", "log_population"):
        return "Population (log scale)"
    return catalogue().label(covariate)


def term_words(term: str) -> str:
    """A model term in words: 'pres_dem_share (per SD)' -> 'Democratic share of the presidential vote (per SD)'."""
    name, _, rest = term.partition(" (")
    return covariate_words(name) + (f" ({rest}" if rest else "")


def scope_words(result: NationalContext) -> str:
    if result.state != "all":
        return f"counties of {state_words(result)}"
    if result.exclude_states:
        return "US counties outside " + ", ".join(result.exclude_states)
    return "US counties"


def fmt_value(result: NationalContext, value: float) -> str:
    """A share as a percentage, a rate per 100,000 residents."""
    if result.family == "share":
        return fmt_pct(value)
    return fmt_num(value * 100_000, 1) if np.isfinite(value) else "–"


def pool_sentence(result: NationalContext) -> str:
    analysed = result.analysed
    what = "detainers" if result.family == "share" else "residents"
    basis = (
        f"{fmt_num(analysed['numerator'].sum())} of {fmt_num(analysed['denominator'].sum())} detainers"
        if result.family == "share"
        else f"{fmt_num(analysed['numerator'].sum())} detainers at sheriff-run facilities among "
        f"{fmt_num(analysed['population'].sum())} {what}"
    )
    which = (
        f" with at least {result.min_detainers} detainers at sheriff-run facilities"
        if result.family == "share"
        else " with a population and every covariate"
    )
    return (
        f"Over the {fmt_num(len(analysed))} {scope_words(result)}{which} "
        f"(of {fmt_num(len(result.counties))} in scope), the pooled {measure_words(result).lower()} is "
        f"{fmt_value(result, result.pooled)} ({basis}; detainers prepared {FY2015_DETAINERS.start} to "
        f"{FY2015_DETAINERS.end})."
    )


def highlight_sentence(result: NationalContext) -> str:
    rows = result.highlighted
    ranked = rows[rows["in_analysis"]]
    state = state_words(result)
    if ranked.empty:
        return f"None of the {counted(len(rows), 'county', 'counties')} of {state} is in the analysis."
    top = ranked.iloc[0]
    return (
        f"{fmt_num(len(ranked))} of the {counted(len(rows), 'county', 'counties')} of {state} are analysed; their "
        f"percentiles among the {scope_words(result)} analysed run from {ranked['percentile'].min():.0f} to "
        f"{ranked['percentile'].max():.0f}. "
        f"The highest is {top['county']} at {fmt_value(result, top['estimate'])} (95% CI "
        f"{fmt_value(result, top['ci_low'])} to {fmt_value(result, top['ci_high'])}, percentile "
        f"{top['percentile']:.0f}, or {top['percentile_low']:.0f} to {top['percentile_high']:.0f} across its interval)."
    )


def _ratio_words(row, family: str) -> str:
    what = "odds" if family == "share" else "rate"
    if row.ci_low <= 0 <= row.ci_high:
        direction = "no association distinguishable from zero"
    elif row.estimate > 0:
        direction = f"higher {what}"
    else:
        direction = f"lower {what}"
    return (
        f"{row.model}: {direction} ({what} ratio {row.ratio:.2f} per SD, 95% CI {np.exp(row.ci_low):.2f} to "
        f"{np.exp(row.ci_high):.2f}, {fmt_num(row.n)} counties)"
    )


def model_sentences(result: NationalContext) -> list[str]:
    """One sentence per covariate: what each model says, within states."""
    out = []
    for covariate in result.covariates:
        term = ("log_population" if covariate == "population" else covariate) + " (per SD)"
        rows = [row for fit in result.fits for row in fit.coefficients.itertuples() if row.term == term]
        if rows:
            models = "; ".join(_ratio_words(row, result.family) for row in rows)
            out.append(f"{within_words(result)}, a county 1 SD higher in '{covariate_words(covariate)}': {models}.")
    return out + [f"Not fitted: {reason}" for reason in result.refusals]


def within_words(result: NationalContext) -> str:
    return "Within states" if result.state == "all" else f"Within {state_words(result)}"


def key_findings(result: NationalContext) -> str:
    return bullet_list(
        [
            pool_sentence(result),
            highlight_sentence(result),
            *model_sentences(result),
            "These are associations across counties, not effects on people: see 'Reading the national pattern' below.",
        ]
    )


def placement_text(result: NationalContext) -> str:
    table = result.placement
    total = table["detainers"].sum()
    stateless = table.loc[table["state_name"] == STATELESS, "detainers"].sum()
    return bullet_list(
        [
            f"{fmt_num(total)} FY2015 detainers in the release; {fmt_pct(table['placed'].sum() / total, 1)} placed "
            f"in a county and {fmt_pct(table['classified'].sum() / total, 1)} at a facility whose operator is known; "
            f"{fmt_num(table['sheriff_placed'].sum())} at sheriff-run facilities placed in a county (the measure's "
            "detainers).",
            f"{fmt_num(stateless)} detainers ({fmt_pct(stateless / total, 1)}) record no state (almost all of them "
            "at the generic facility 'OTHER-OTHER FACILITY'): they cannot be placed anywhere and are counted here, "
            "not dropped.",
            f"States where at least {WELL_PLACED:.0%} of the detainers are placed: "
            f"{int((table['placed_share'] >= WELL_PLACED).sum())} of {int((table['state'] != '').sum())}. The "
            "rows that cannot be placed carry no state, so they cannot move one county against another within "
            "its state; the table below compares their outcomes with the placed rows'.",
        ]
    )


def model_text(result: NationalContext) -> str:
    family = (
        "Two models of each county's share, k of n detainers: a binomial GLM, and a beta-binomial model, which lets "
        "counties vary more than binomial sampling allows, so that a few large counties do not dominate."
        if result.family == "share"
        else "A negative binomial (NB2) model of each county's detainer count with log population as offset (a rate "
        "model)."
    )
    states = (
        "Each model has a fixed effect per state, and the binomial and negative binomial errors are clustered by "
        "state (t with states - 1 degrees of freedom): every estimate compares counties within the same state, so "
        f"state laws of the time (California's TRUST Act, [AB 4 of 2013]({TRUST_ACT_URL}), for one) are held "
        "constant, not estimated."
        if result.state == "all"
        else f"With one state ({state_words(result)}) there are no state effects to estimate, and the errors are "
        "heteroskedasticity-robust, not clustered."
    )
    return (
        f"{family} Covariates are centred and scaled to 1 SD over the counties analysed, at the latest year at or "
        f"before {COVARIATE_YEAR}. {states}"
    )


def ecological_text(result: NationalContext) -> str:
    return (
        "The national pattern is a pattern among counties. It does not say how any person, deputy or sheriff acted, "
        f"and it does not say why a county of {state_words(result)} sits where it does: a county can be typical of its "
        "politics and still be an outlier for reasons the covariates do not see (its jail's population, its "
        "agreements with ICE, its own policies). Counties that cooperated in 2015 may differ in ways that also shaped "
        "their vote; nothing here separates cause from association."
    )


def limitations(result: NationalContext) -> str:
    return bullet_list(
        [
            f"One release: detainers prepared {FY2015_DETAINERS.start} to {FY2015_DETAINERS.end}; outcomes are "
            "what ICE recorded by the release date (unresolved detainers are a share of their own, not dropped).",
            "Placement: facility strings are placed by rules, a ZIP gazetteer and hand review "
            "(data/reference/national_facilities.csv); a regional or multi-county jail is placed in one county.",
            "The declined share is a lower bound: ICE records only the declines it learns of.",
            "Peers' own uncertainty is not carried into a county's percentile; the percentile range reflects the "
            "county's own interval only.",
            f"Covariates are county averages (ACS or census years near {COVARIATE_YEAR}), with their own sampling "
            "error, which the models ignore.",
        ]
    )
