"""Checks for Lab 2 (small numbers: intervals, funnel plots and shrinkage).

Expected values come from the processed detainer table (FY2015 ICE detainer records) through the project's own
functions: analysis.detainer_measures (counts at each county's sheriff-run facilities), analysis.intervals
(Jeffreys), present.figures.funnel_limits (exact binomial limits) and analysis.shrinkage (beta-binomial prior),
never from the lab's cells. Shares are 0-1 over all detainers lodged, as in the headline custody share."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import stats

from ma_ice_coop.analysis.definitions import FY2015_DETAINERS
from ma_ice_coop.analysis.detainer_measures import detainer_counts, detainers_in_period
from ma_ice_coop.analysis.intervals import proportion_interval
from ma_ice_coop.analysis.shrinkage import fit_beta_binomial, shrunken_proportions
from ma_ice_coop.io import read_processed
from ma_ice_coop.labs.checking import Example, NotYet, choice, exercise, is_nan, known_mistake, number, same, series
from ma_ice_coop.present.figures import funnel_limits
from ma_ice_coop.tables.reference import load_counties

FUNNEL_N = 50
"""Exercise 2.3 asks for the 95% funnel limits at this denominator (detainers)."""
Z95 = stats.norm.ppf(0.975)
NORMAL = "the normal approximation p ± 1.96·sqrt(p(1 − p)/n), which fails for small n and shares near 0 or 1"
JEFFREYS = "Use Beta(k + 1/2, n − k + 1/2)."
SAY = {  # what the checks say about the answers they recognise
    "wald": "That is " + NORMAL + ".",
    "clopper": "That is the Clopper-Pearson interval; the Jeffreys interval adds one half to each count.",
    "resolved": "You used the resolved detainers as n; this share's denominator is all detainers.",
    "closed": "At k = 0 (k = n) the project closes that end at 0 (1), as Brown, Cai and DasGupta (2001) advise; the "
    "Beta quantile there is a hair away, and both are accepted.",
    "compared": "You compared each county's share itself with the pool; ask whether low <= pooled <= high.",
    "opposite": "You marked the intervals that leave the pool out: the question asks the opposite.",
    "counts": "Those are counts of custody detainers, not shares: divide by n.",
    "99.8": "Those are the 99.8% limits; this exercise asks for the 95% limits (quantiles 0.025 and 0.975).",
    "mean_share": "You centred the funnel on the mean of the county shares; the pool is all custody / all detainers.",
    "raw": "That is the raw share k / n: shrinkage adds the prior's a and b to it.",
    "prior_mean": "That is the prior mean a / (a + b): add the county's own counts, k on top and n below.",
    "jeffreys_prior": "That uses the Jeffreys prior Beta(1/2, 1/2), not the prior fitted to the counties (a and b).",
    "only_prior": "With no detainers this is only the prior mean, the centre of the pool: it says nothing about the "
    "county itself, which is why the project's tables leave it blank.",
}
RANKING = {  # exercise 2.5: None marks the right option
    "a": "Not so: a share of one detainer is all or nothing. Its interval spans most of 0 to 1, and with the same "
    "true share as everyone else such a county lands first or last by luck.",
    "b": None,
    "c": "Not so: the lower end of an interval is low for every small county, whatever its share, so this ranks "
    "counties by their size as much as by their share, and the order is still uncertain.",
    "d": "Not so: dropping small counties hides them without making the rest certain; the large counties' intervals "
    "overlap too, and their simulated ranks still spread over several places.",
    "e": "Not so: shrinkage gives better estimates, not certain ranks. Small counties move to the middle because "
    "they have little data, and their rank intervals stay wide.",
}


@functools.lru_cache(maxsize=1)
def _counts() -> pd.DataFrame:
    """Detainers per county name (all 14, counties.csv order) at its sheriff-run facilities, FY2015 records:
    custody, resolved and all (counts). Source: analysis.detainer_measures.detainer_counts."""
    ma = detainers_in_period(read_processed("detainers"), FY2015_DETAINERS)
    counts = detainer_counts(ma[ma["operator_type"] == "sheriff"], "sheriff_county_fips")
    names = load_counties().set_index("county_fips")["county"]
    return counts.reindex(names.index, fill_value=0).rename(index=names)[["custody", "resolved", "all"]]


def _county(county) -> tuple[int, int, int]:
    """(custody, all, resolved) detainers of one county; NotYet for a name that is not a county."""
    counts = _counts()
    if county not in counts.index:
        raise NotYet(f"county should be one of the 14 county names ({', '.join(counts.index)}); got {county!r}.")
    return tuple(int(counts.loc[county, column]) for column in ("custody", "all", "resolved"))


def pooled_share() -> float:
    """The pool of the 14 sheriffs: custody detainers / all detainers at sheriff facilities (share 0-1)."""
    return float(_counts()["custody"].sum() / _counts()["all"].sum())


def expected_1(county: str) -> tuple[float, float]:
    """Jeffreys 95% interval (low, high; shares) of the county's custody share, NaN with no detainers
    (analysis.intervals.proportion_interval: closed at 0 when k = 0 and at 1 when k = n)."""
    k, n, _ = _county(county)
    low, high = proportion_interval([k], [n])
    return float(low[0]), float(high[0])


def expected_2() -> pd.Series:
    """Per county with at least one detainer (by name): does its Jeffreys interval include the pooled share?"""
    counts = _counts()[_counts()["all"] > 0]
    low, high = proportion_interval(counts["custody"], counts["all"])
    return pd.Series((low <= pooled_share()) & (pooled_share() <= high), index=counts.index)


def expected_3() -> tuple[float, float]:
    """Exact binomial 95% funnel limits (shares) around the pooled share at FUNNEL_N detainers
    (present.figures.funnel_limits, the limits of the project's funnel plots)."""
    low, high = funnel_limits(pooled_share(), [FUNNEL_N], 0.95)
    return float(low[0]), float(high[0])


@functools.lru_cache(maxsize=1)
def prior() -> tuple[float, float]:
    """The Beta(a, b) prior fitted by maximum marginal likelihood to the counties' custody counts (counties with
    no detainers add nothing). Source: analysis.shrinkage.fit_beta_binomial."""
    fit = fit_beta_binomial(_counts()["custody"], _counts()["all"])
    return fit["alpha"], fit["beta"]


def expected_4(county: str) -> float:
    """Shrunken custody share (posterior mean, 0-1) of the county; NaN with no detainers, as the project's
    tables leave it. Source: analysis.shrinkage.shrunken_proportions."""
    counts = _counts()
    return float(shrunken_proportions(counts["custody"], counts["all"])["estimate"].iloc[counts.index.get_loc(county)])


def expected_5() -> str:
    """The right option of the ranking question."""
    return next(option for option, reason in RANKING.items() if reason is None)


def _wald(k: float, n: float) -> tuple[float, float]:
    half = Z95 * math.sqrt(k / n * (1 - k / n) / n)
    return k / n - half, k / n + half


@exercise("2.1", right="That is the Jeffreys 95% interval.")
def exercise_1(county, jeffreys_low, jeffreys_high):
    """Jeffreys 95% interval (shares 0-1) of `county`'s custody share over all detainers at its sheriff's
    facilities (FY2015 records); np.nan for both when the county had no detainers."""
    (k, n, resolved), answer = _county(county), (jeffreys_low, jeffreys_high)
    if n == 0 and all(is_nan(v) for v in answer):
        return f"{county} had no detainers at a sheriff facility, so there is no share and no interval."
    if n == 0 and same(answer, stats.beta.ppf([0.025, 0.975], 0.5, 0.5)):
        raise NotYet(f"With no detainers, Beta(1/2, 1/2) is only the prior: it says nothing about {county}.")
    if n == 0:
        raise NotYet(f"{county} had no detainers at a sheriff facility: its interval is blank, np.nan for both.")
    low, high = expected_1(county)
    raw = stats.beta.ppf([0.025, 0.975], k + 0.5, n - k + 0.5)
    target = (raw[0] if same(jeffreys_low, raw[0]) else low, raw[1] if same(jeffreys_high, raw[1]) else high)
    if same(answer, target):
        return SAY["closed"] if k in (0, n) else "It matches statsmodels' proportion_confint(method='jeffreys')."
    clopper = (stats.beta.ppf(0.025, k, n - k + 1) if k else 0.0, stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0)
    mistakes = [
        ("jeffreys_low is above jeffreys_high: did you swap them? The 2.5% quantile comes first.", target[::-1]),
        (SAY["wald"] + " Use the Beta quantiles.", _wald(k, n)),
        (SAY["clopper"], clopper),
        (SAY["resolved"], stats.beta.ppf([0.025, 0.975], k + 0.5, resolved - k + 0.5) if resolved else (-1, -1)),
    ]
    known_mistake(answer, mistakes, target)
    number(jeffreys_low, target[0], what="jeffreys_low", share=True, hint=JEFFREYS)
    number(jeffreys_high, target[1], what="jeffreys_high", share=True, hint=JEFFREYS)


def _coverage_mistakes(answer: pd.Series, expected: pd.Series) -> None:
    """NotYet for the boolean Series a student is likely to build instead of 'the interval includes the pool'."""
    counts, pool = _counts().loc[expected.index], pooled_share()
    share = counts["custody"] / counts["all"]
    half = Z95 * np.sqrt(share * (1 - share) / counts["all"])
    mistakes = [(SAY["compared"], share >= pool), (SAY["compared"], share <= pool), (SAY["opposite"], ~expected)]
    mistakes += [("Those are the intervals of " + NORMAL + ".", (share - half <= pool) & (pool <= share + half))]
    got = answer.reindex(expected.index).astype(bool)
    for reason, wrong in mistakes:
        if got.equals(wrong.astype(bool)) and not wrong.astype(bool).equals(expected):
            raise NotYet(reason)


@exercise("2.2", right="Those are the counties whose 95% interval includes the pooled share.")
def exercise_2(includes_pooled):
    """A boolean Series by county name (counties with at least one detainer): does the county's Jeffreys 95%
    interval include the pooled custody share of the 14 sheriffs?"""
    expected = expected_2()
    if isinstance(includes_pooled, pd.Series):
        labels = [str(label) for label in includes_pooled.index]
        empty = [c for c in _counts().index[_counts()["all"] == 0] if c in labels]
        if empty:
            raise NotYet(
                f"{', '.join(empty)} had no detainers, so there is no interval to test: keep only the "
                "counties with at least one detainer."
            )
        if sorted(labels) == sorted(expected.index) and set(pd.unique(includes_pooled)) <= {True, False}:
            _coverage_mistakes(includes_pooled, expected)
    series(includes_pooled, expected.astype(float), what="includes_pooled", hint="Compare low <= pooled <= high.")
    return f"{int(expected.sum())} of {len(expected)} include it: the data cannot tell those counties from the pool."


@exercise("2.3", right="Those are the exact binomial 95% funnel limits.")
def exercise_3(funnel_low, funnel_high):
    """The 95% funnel limits (shares 0-1) at n = FUNNEL_N detainers around the pooled share: the 2.5% and 97.5%
    quantiles of Binomial(n, pooled), divided by n."""
    expected, answer = expected_3(), (funnel_low, funnel_high)
    if same(answer, expected):
        return "A county with this many detainers and a share outside them differs from the pool by more than chance."
    pool, n, quantiles = pooled_share(), FUNNEL_N, stats.binom.ppf
    mean_share = float((_counts()["custody"] / _counts()["all"]).mean())
    mistakes = [
        (SAY["counts"], quantiles([0.025, 0.975], n, pool)),
        (SAY["wald"] + " The funnel uses exact binomial quantiles.", _wald(pool * n, n)),
        (SAY["99.8"], quantiles([0.001, 0.999], n, pool) / n),
        (SAY["mean_share"], quantiles([0.025, 0.975], n, mean_share) / n),
        ("funnel_low is above funnel_high: did you swap them?", expected[::-1]),
    ]
    known_mistake(answer, mistakes, expected)
    number(funnel_low, expected[0], what="funnel_low", share=True, hint="Use stats.binom.ppf(0.025, n, pooled) / n.")
    number(funnel_high, expected[1], what="funnel_high", share=True, hint="Use stats.binom.ppf(0.975, n, pooled) / n.")


@exercise("2.4", right="That is the shrunken (posterior mean) custody share.")
def exercise_4(county, shrunk_share):
    """The posterior mean (k + a) / (n + a + b) of `county`'s custody share (0-1) under the fitted Beta(a, b)
    prior; with no detainers, np.nan (as in the project's tables) or the prior mean are accepted."""
    k, n, resolved = _county(county)
    (a, b), expected = prior(), expected_4(county)
    if n == 0 and is_nan(shrunk_share):
        return f"{county} had no detainers: there is nothing to shrink, and the project leaves it blank."
    if n == 0 and same(shrunk_share, a / (a + b), 2e-3):
        return SAY["only_prior"]
    if same(shrunk_share, expected, 2e-3):
        return "It matches the project's analysis/shrinkage.py (the same model, fitted by maximum likelihood)."
    mistakes = [
        (SAY["raw"], k / n if n else -1),
        (SAY["prior_mean"], a / (a + b)),
        (SAY["jeffreys_prior"], (k + 0.5) / (n + 1)),
        ("The denominator is n + a + b: you left out b.", (k + a) / (n + a)),
        (SAY["resolved"], (k + a) / (resolved + a + b)),
        (f"{county} had no detainers: give np.nan (no estimate of its own).", shrunk_share if n == 0 else -1),
    ]
    known_mistake(shrunk_share, mistakes, expected, 2e-3)
    number(shrunk_share, expected, what="shrunk_share", rel=2e-3, share=True, hint="Use a and b as fitted above.")


@exercise("2.5", right="A ranking of 14 counties hides how much of the order is chance.")
def exercise_5(answer):
    """The ranking question: which reading of a league table of raw custody shares is right?"""
    choice(answer, RANKING, what="answer")


def examples() -> list[Example]:
    """Right and plausible wrong answers for every exercise (tests/test_labs.py runs each check on them)."""
    (lo, hi), (k, n, resolved), (f_lo, f_hi), (a, b) = expected_1("Suffolk"), _county("Suffolk"), expected_3(), prior()
    right, pool, quantiles = expected_2(), pooled_share(), stats.binom.ppf
    share = _counts().loc[right.index, "custody"] / _counts().loc[right.index, "all"]
    return [
        Example("2.1", ("Suffolk", lo, hi), True),
        Example("2.1", ("Dukes", *expected_1("Dukes")), True),
        Example("2.1", ("Dukes", *stats.beta.ppf([0.025, 0.975], 0.5, 1.5)), True, "closes"),
        Example("2.1", ("Nantucket", math.nan, math.nan), True, "no interval"),
        Example("2.1", ("Nantucket", *stats.beta.ppf([0.025, 0.975], 0.5, 0.5)), False, "prior"),
        Example("2.1", ("Suffolk", *_wald(k, n)), False, "normal approximation"),
        Example("2.1", ("Suffolk", hi, lo), False, "swap"),
        Example("2.1", ("Suffolk", *stats.beta.ppf([0.025, 0.975], k + 0.5, resolved - k + 0.5)), False, "resolved"),
        Example("2.2", (right,), True),
        Example("2.2", (right.reindex(_counts().index, fill_value=False),), False, "no detainers"),
        Example("2.2", (share >= pool,), False, "share itself"),
        Example("2.2", (~right,), False, "opposite"),
        Example("2.2", (list(right),), False, "pandas Series"),
        Example("2.3", (f_lo, f_hi), True),
        Example("2.3", tuple(quantiles([0.025, 0.975], FUNNEL_N, pool)), False, "counts"),
        Example("2.3", _wald(pool * FUNNEL_N, FUNNEL_N), False, "normal approximation"),
        Example("2.3", tuple(quantiles([0.001, 0.999], FUNNEL_N, pool) / FUNNEL_N), False, "99.8%"),
        Example("2.4", ("Dukes", expected_4("Dukes")), True, "shrinkage.py"),
        Example("2.4", ("Nantucket", math.nan), True, "blank"),
        Example("2.4", ("Nantucket", a / (a + b)), True, "prior mean"),
        Example("2.4", ("Suffolk", k / n), False, "raw share"),
        Example("2.4", ("Dukes", a / (a + b)), False, "prior mean"),
        Example("2.4", ("Suffolk", (k + 0.5) / (n + 1)), False, "Jeffreys"),
        Example("2.5", ("b",), True),
        Example("2.5", ("a",), False, "one detainer"),
        Example("2.5", ("e",), False, "shrinkage"),
    ]
