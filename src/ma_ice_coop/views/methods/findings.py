"""The methods page's key findings (answer first) and its limitations, generated from the Methods result."""

from __future__ import annotations

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import bullet_list
from ma_ice_coop.views.methods import examples
from ma_ice_coop.views.methods.compute import Methods
from ma_ice_coop.views.methods.its_example import coefficient
from ma_ice_coop.views.methods.text_estimates import detainer_split
from ma_ice_coop.views.methods.wording import interval_words, number, p_value_text, pct, share_text, whole


def key_findings(report: Methods) -> str:
    """Six bullets, one per method, each with its worked example's headline number."""
    split = detainer_split(report)
    row, _ = examples.example_row(report.share, report.example_county)
    ex = examples.share_example(row)
    positions = examples.funnel_positions(report.share, report.pooled_share)
    inner = examples.level_tag(examples.FUNNEL_LEVELS[0])
    inside = int((positions["position"] == "inside").sum())
    rows = examples.shrinkage_rows(report.share, report.shrinkage)
    small, large = examples.small_and_large(rows)
    test = report.correlation
    level = coefficient(report.its, 2)
    level_words = (
        "no level change that its interval can tell from zero"
        if level["ci_low"] <= 0 <= level["ci_high"]
        else f"a level change of {number(level['estimate'], 1)} persons a day"
    )
    return bullet_list(
        [
            f"Every measure counts only the jails run by the {len(report.share)} county sheriffs: "
            f"{whole(split['sheriff'])} of the "
            f"{whole(split['total'])} FY2015 Massachusetts detainers; the other {whole(split['other'])} (state "
            "prisons, federal sites, police lockups) are shown apart. [Measures](#measures)",
            "Every share carries a Jeffreys 95% interval and every count or rate an exact Poisson one, e.g. "
            f"{ex['county']}'s FY2015 custody share, {whole(ex['k'])} of {whole(ex['n'])} detainers: "
            f"{share_text(ex['estimate'], ex['ci_low'], ex['ci_high'])}. [Intervals](#intervals)",
            f"On a funnel plot {inside} of the {len(positions)} counties with detainers lie inside the {inner} "
            f"limits around the state pool of {pct(report.pooled_share)}: their custody shares cannot be told "
            "apart from it by these data. [Funnel plots](#funnel-plots)",
            f"Shrinkage moves small counties most: {small.county} ({whole(small.k)} of {whole(small.n)}) from "
            f"{pct(small.raw, 1)} to {pct(small.shrunk, 1)}, {large.county} ({whole(large.k)} of {whole(large.n)}) "
            f"from {pct(large.raw, 1)} to {pct(large.shrunk, 1)}; how far depends on a prior the data barely pin down. "
            "[Shrinkage](#shrinkage)",
            f"Across {test['n']} counties, jail arrests per 100,000 residents rise with the foreign-born share "
            f"(rho = {number(test['rho'])}, permutation p = {p_value_text(test['p_value'])}, 95% interval "
            f"{interval_words(test['ci_low'], test['ci_high'], 2)}): a description of counties that says nothing "
            "about individuals. [Permutation tests](#permutation-tests), "
            "[ecological inference](#ecological-inference)"
            if test["rho"] > 0
            else f"Across {test['n']} counties, the rank correlation of jail arrests per 100,000 residents with the "
            f"foreign-born share is rho = {number(test['rho'])} (permutation p = {p_value_text(test['p_value'])}): "
            "a description of counties that says nothing about individuals. [Permutation tests](#permutation-tests)",
            f"Around {report.its.event_label} the sheriff-run jails' monthly ICE headcount shows {level_words} "
            f"({number(level['estimate'], 1)} persons a day, 95% CI {interval_words(level['ci_low'], level['ci_high'])}"
            "); the fit describes the series and does not test the ruling. "
            "[Interrupted time series](#interrupted-time-series)",
        ]
    )


def limitations(report: Methods) -> str:
    """What the methods cannot do, whatever the data."""
    unresolved = measures.pooled_estimate(report.unresolved)
    return bullet_list(
        [
            "An interval measures chance only (how much a share or count could vary with the same underlying "
            "rate), not errors in the records: "
            f"{pct(unresolved)} of the FY2015 detainers at sheriff-run facilities have no outcome recorded, "
            "'declined' is a lower bound because ICE records only the declines it learns of, and ICE arrest "
            "landmarks are free text, so each arrest count carries a sensitivity range.",
            "Small by data: a share resting on "
            f"{measures.small_rule('custody_share')} or a count or rate on "
            f"{measures.small_rule('jail_arrests_per_100k')} is flagged and not ranked; its interval is still "
            "shown.",
            "A 95% interval misses the true value about one time in twenty: across "
            f"{len(report.share)} counties and several measures, some intervals will miss by chance alone.",
            "Shrunken shares depend on a prior fitted to the same few counties; permutation p-values assume only "
            "that counties are exchangeable, and say nothing about cause; an interrupted time series assumes the "
            "earlier trend would have continued.",
            "Every association here is between counties. Conclusions about people need records about people.",
        ]
    )
