"""The generated text of the last four sections: shrinkage, permutation tests, the interrupted time series and
ecological inference. Every number comes from the Methods result."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.present.report import bullet_list
from ma_ice_coop.present.text import counted, join_words, period_text
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.methods import examples
from ma_ice_coop.views.methods.compute import COVARIATE, N_PERMUTATIONS, Methods
from ma_ice_coop.views.methods.its_example import SERIES_LABEL, coefficient
from ma_ice_coop.views.methods.wording import (
    interval_words,
    number,
    p_value_text,
    pct,
    rate_text,
    share_text,
    whole,
)


def prior_words(report: Methods) -> dict:
    """The fitted prior and its concentration range in words."""
    prior, span = report.prior, report.shrinkage["range"]
    cap = f"{whole(span['high'])}, the optimiser's cap" if span["open_high"] else number(span["high"], 1)
    return {
        "beta": f"Beta({number(prior['alpha'], 1)}, {number(prior['beta'], 1)})",
        "mean": pct(prior["alpha"] / prior["size"]),
        "size": whole(prior["size"]),
        "range": f"{number(span['low'], 1)} to {cap}",
        "open_high": span["open_high"],
    }


def _moved(row) -> str:
    # blank posterior intervals (a prior at a bound of the optimiser) leave the shrunken share alone
    shrunk = (
        share_text(row.shrunk, row.shrunk_low, row.shrunk_high, 1) if pd.notna(row.shrunk_low) else pct(row.shrunk, 1)
    )
    return f"{row.county} ({whole(row.k)} of {whole(row.n)} detainers) moves from {pct(row.raw, 1)} to {shrunk}"


def shrinkage_text(report: Methods) -> str:
    """Beta-binomial empirical Bayes, with a small and a large county and the prior's range."""
    rows = examples.shrinkage_rows(report.share, report.shrinkage)
    small, large = examples.small_and_large(rows)
    words = prior_words(report)
    open_note = (
        " (open above: the data do not rule out treating every county as the pool)" if words["open_high"] else ""
    )
    return bullet_list(
        [
            "A county with one detainer can only show a share of 0% or 100%. Empirical-Bayes shrinkage fits one "
            f"Beta(α, β) distribution to the shares of the {len(rows)} counties with detainers (a beta-binomial "
            "model, by maximum marginal likelihood, sheriff-run facilities only) and uses it as a prior: a county's "
            "shrunken share is (k + α) / (n + α + β), its raw share pulled toward the prior mean, the more so the "
            "fewer detainers it has.",
            f"**Worked example** (FY2015 custody share): the fitted prior is {words['beta']}, a mean of "
            f"{words['mean']} worth about {words['size']} detainers. {_moved(small)}; {_moved(large)}.",
            f"**How sure:** the data say little about how strong the prior should be. The 95% profile-likelihood "
            f"range of α + β runs from {words['range']}{open_note}. With the least shrinkage in that range "
            f"{small.county}'s share would be {pct(small.least, 1)} and {large.county}'s {pct(large.least, 1)}; with "
            f"the most, {pct(small.most, 1)} and {pct(large.most, 1)}. Shrunken shares are a caution against "
            "reading raw shares at face value, not a better ranking.",
        ]
    )


def permutation_text(report: Methods) -> str:
    """The permutation test, with one rank correlation across the counties that have a jail arrest rate."""
    test = report.correlation
    left_out = report.rate[report.rate["estimate"].isna()]["county"].tolist()
    year = join_words(str(int(y)) for y in sorted(report.joined[f"{COVARIATE}_year"].dropna().unique()))
    period = measures.JAIL_ARRESTS
    label = catalogue().phrase(COVARIATE, short=False)
    reaches_zero = test["ci_low"] <= 0 <= test["ci_high"]
    return bullet_list(
        [
            f"With {test['n']} counties, textbook p-values lean on assumptions (normal errors, large samples) that "
            "so few points cannot check. A permutation test asks instead: if the covariate had nothing to do with "
            "the measure, how often would shuffling its values among the counties give a rank correlation at least "
            f"this strong? The project shuffles {whole(N_PERMUTATIONS)} times with a fixed seed "
            f"({models.DEFAULT_SEED}); p = (shuffles at least as strong + 1) / {whole(N_PERMUTATIONS + 1)}. Several "
            "covariates get Holm-adjusted p-values, and at most three are used.",
            f"**Worked example:** ICE arrests at jails per 100,000 residents per year "
            f"({period_text(period.start, period.end)}) against the {label} ({year} values): Spearman's rho = "
            f"{number(test['rho'])} over {counted(test['n'], 'county', 'counties')}"
            + (f" ({join_words(left_out)} left out: no jail of its own, so no rate)" if left_out else "")
            + f", permutation p = {p_value_text(test['p_value'])}; approximate 95% interval for rho "
            f"{interval_words(test['ci_low'], test['ci_high'], 2)}.",
            "How to read it: "
            + (
                "the interval reaches zero, so even where p is small this is a pattern to describe, not an "
                "established relation; "
                if reaches_zero
                else "the interval stays on one side of zero, but "
            )
            + "one unusual county can make or break a correlation across so few, and nothing here separates the "
            "covariate from everything else that differs between counties.",
        ]
    )


def its_text(report: Methods) -> str:
    """The segmented regression around the key event, labelled descriptive."""
    its = report.its
    result = its.result
    level, slope = coefficient(its, 2), coefficient(its, 3)
    start, end = its.window
    both_zero = all(row["ci_low"] <= 0 <= row["ci_high"] for row in (level, slope))
    return bullet_list(
        [
            "An interrupted time series fits one straight line to a monthly series before a dated event and "
            "another after it (segmented regression; OLS with Newey-West standard errors), and reports the jump at "
            "the event (level change) and the change of slope, measured against the earlier trend continued. It "
            f"needs at least {models.MIN_POINTS_PER_SEGMENT} months on each side.",
            f"**Worked example:** the monthly mean daily ICE headcount of {SERIES_LABEL}, {start:%Y-%m} to "
            f"{end:%Y-%m} ({result.n_before} months before, {result.n_after} after, the month of the event left "
            f"out), around {its.event_label} ({its.row['date']}): level change {number(level['estimate'], 1)} "
            f"persons a day (95% CI {interval_words(level['ci_low'], level['ci_high'])}), slope change "
            f"{number(slope['estimate'], 1)} persons a day per month "
            f"(95% CI {interval_words(slope['ci_low'], slope['ci_high'])})"
            + ("; neither interval excludes zero." if both_zero else "."),
            f"**Descriptive, not a test of the event:** {its.not_a_test}. The model assumes the earlier trend "
            "would have gone on, anything else that changed at the time is mixed in, and HAC intervals in a short "
            "autocorrelated series are usually too narrow.",
        ]
    )


def ecological_text(report: Methods) -> str:
    """Why county associations say nothing about people, with the method of bounds for the example county."""
    bounds = examples.ecological_bounds(report.joined, COVARIATE)
    chosen = bounds[bounds["county"] == report.example_county]
    row = (chosen if len(chosen) else bounds.sort_values("county")).iloc[0]
    rate_row = report.rate[report.rate["county"] == row["county"]].iloc[0]
    label = catalogue().phrase(COVARIATE, short=False)
    return bullet_list(
        [
            models.ecological_inference_note(),
            f"**Worked example:** the association above (rho = {number(report.correlation['rho'])}) does not show "
            "that foreign-born residents are more likely to be arrested by ICE at a jail. Take "
            f"{row['county']}: {rate_text(rate_row['estimate'], rate_row['ci_low'], rate_row['ci_high'])} arrests "
            f"per 100,000 residents per year and a {label} of {pct(row['share'])}. From these two county figures "
            f"alone, the arrest rate of its foreign-born residents could be anything from "
            f"{number(row['foreign_low'], 1)} to {number(row['foreign_high'], 1)} per 100,000 a year, and that of "
            f"its other residents from {number(row['other_low'], 1)} to {number(row['other_high'], 1)} (the method "
            "of bounds, Duncan and Davis 1953): the totals fit every arrest being of either group. The table gives "
            "the bounds for every county.",
            "What is known about who ICE arrests comes from law and from records about people, not from county "
            "totals; and the people arrested at a county's jail need not live in that county: residents only stand "
            "in for the jail population (see the denominator of "
            f"'{catalogue().measures['jail_arrests_per_100k'].label}' in the measures table). "
            "Likewise a county's vote share describes its voters, not its sheriff's staff or the people in its "
            "jails.",
        ]
    )
