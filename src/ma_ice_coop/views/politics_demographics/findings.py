"""Generated text: key findings, the outcome, the rank correlations, and the caveats and limitations."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.analysis.events import KEY_EVENTS, lunn_287g_text, timeline_row
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import md_source_links
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics, counties_without_jail
from ma_ice_coop.views.politics_demographics.definitions import DENOMINATOR_LABELS, N_PERMUTATIONS, POPULATION_RATES
from ma_ice_coop.views.politics_demographics.formatting import cov_label, join_or_none, measure_label
from ma_ice_coop.views.politics_demographics.model_text import detainer_summary
from ma_ice_coop.views.politics_demographics.sentences import (
    correlation_words,
    excluded_sentence,
    missing_covariates,
    not_fitted_reason,
    odds_ratio_sentence,
    period_text,
    rho_sentence,
)

# ----------------------------------------------------------------------------- key findings


def key_findings(report: PoliticsDemographics) -> str:
    """Plain-word findings: the rank correlations and the county-level model (the detainer-level model is a
    check further down, never a finding)."""
    lines = [
        f"Outcome: {measure_label(report)} at each county's sheriff-run jails and houses of correction, for "
        f"{len(report.analysed)} of {len(report.joined)} counties; covariates: "
        f"{', '.join(map(cov_label, report.covariates))}."
        + (f" {excluded_sentence(report)}." if len(report.excluded) else ""),
        period_text(report, vintages=False),
    ]
    lines += [rho_sentence(report, row) for row in report.correlations.itertuples()]
    lines.append(glm_finding(report))
    if report.small:
        verb, its = ("is", "its") if len(report.small) == 1 else ("are", "their")
        lines.append(
            f"{join_or_none(report.small)} {verb} drawn with hollow markers: {its} estimate rests on few cases "
            f"({measures.small_rule(report.measure)}), so read {its} interval, not {its} rank."
        )
    lines.append(
        "All of this describes counties, not people (ecological inference), and nothing here shows "
        "that politics or demographics cause cooperation."
    )
    return bullet_list(lines)


def glm_finding(report: PoliticsDemographics) -> str:
    """The county-level model in one finding: its odds ratios, or why it says nothing."""
    glm = report.glm
    if glm is None:
        return f"No county-level model: {report.glm_reason.split('. ')[0]}."
    if pd.isna(glm.dispersion):
        return f"The county-level model was not fitted: {not_fitted_reason(glm.note)}"
    den = DENOMINATOR_LABELS.get(report.measure, "denominator")
    head = (
        f"A descriptive county-level model (quasi-binomial GLM on {glm.n} counties, each weighted by its {den}, "
        "covariates together)"
    )
    high = correlation_words(glm.covariate_correlations, den, only_high=True)
    if high:
        return (
            f"{head} cannot separate the covariates: {high}, above {models.COLLINEARITY_LIMIT}. Its adjusted "
            "estimates are not summarised here; read the covariates one at a time, as above."
        )
    terms = glm.coefficients[glm.coefficients["term"] != "Intercept"]
    what = "odds ratio" if report.kind == "share" else "rate ratio (odds ratio)"
    parts = [odds_ratio_sentence(report, row, what=what) for row in terms.itertuples()]
    return (
        f"{head}: "
        + "; ".join(parts)
        + f". Dispersion {fmt_num(glm.dispersion, 1)}"
        + (" (counties vary more than binomial chance would make them)." if glm.dispersion > 1 else ".")
    )


# ----------------------------------------------------------------------------- outcome and rank correlations


def outcome_description(report: PoliticsDemographics) -> str:
    lines = [
        f"**{catalogue().label(report.measure)}**: {measures.MEASURES[report.measure]}.",
        f"Period: {report.period.start} to {report.period.end} (the measure's default period). "
        f"Covariates: the latest value at or before {report.covariate_year} (the year of each value is shown).",
    ]
    if len(report.excluded):
        lines.append(f"{excluded_sentence(report)}. {len(report.analysed)} of {len(report.joined)} counties remain.")
    for var, counties in missing_covariates(report).items():
        if counties:
            lines.append(
                f"No value of {cov_label(var)} at or before {report.covariate_year} for {join_or_none(counties)}: "
                f"{'that county is' if len(counties) == 1 else 'those counties are'} left out of the "
                f"analyses that use it."
            )
    if report.kind == "count":
        lines.append(
            "This measure is a count: it grows with county population, so an association with a "
            "covariate may only reflect county size."
        )
    return bullet_list(lines)


def correlation_text(report: PoliticsDemographics) -> str:
    lines = [
        "Spearman's rho compares the counties' ranks on the covariate and on the measure (1 = same order, "
        "-1 = reverse order, 0 = no rank association). The p-value counts how often shuffling the measure "
        f"across the counties gives an |rho| at least as large ({N_PERMUTATIONS} shuffles, seed "
        f"{models.DEFAULT_SEED}); "
        "Holm's adjustment accounts for testing several covariates. The interval for rho is approximate (Fisher z "
        "with the Bonett-Wright variance). Each county counts once, however few cases its estimate rests on; "
        "counties with few cases are drawn hollow, and each correlation is repeated without them.",
        period_text(report, vintages=True),
    ]
    if len(report.excluded):
        lines.append(f"{excluded_sentence(report)}.")
    lines += [rho_sentence(report, row) for row in report.correlations.itertuples()]
    return bullet_list(lines)


# ----------------------------------------------------------------------------- caveats


def ecological_text(report: PoliticsDemographics) -> str:
    return bullet_list(
        [
            models.ecological_inference_note(),
            "Policy indices (287(g) agreements, DHS 'sanctuary' or declined-detainer lists) are covariates, never "
            "outcomes: they describe an agreement or a federal label, not what happened to detainers. This notebook "
            "refuses a policy index as its measure.",
            f"{len(report.analysed)} counties is a very small sample: one unusual county (a small county, or Suffolk, "
            "which includes Boston) can make or break a correlation, so look at the scatter plots, not just the "
            "coefficients.",
        ]
    )


def _general_limitations(report: PoliticsDemographics) -> list[str]:
    """The limitations that hold whatever the measure and covariates."""
    lunn = timeline_row(KEY_EVENTS["lunn"])
    summary = detainer_summary(report)
    sources = catalogue().source(report.measure) + (
        "; residents: U.S. Census Bureau (county covariates)" if report.measure in POPULATION_RATES else ""
    )
    return [
        "Unit: facilities run by each county's elected sheriff, rolled up to the county; state prisons (DOC), "
        "federal sites and police lockups are not in any county's measure.",
        f"Measure source: {sources}. Covariate sources and vintages are listed in the table above; each value is "
        f"the latest one at or before {report.covariate_year}, so the measure's period ({report.period.start} to "
        f"{report.period.end}) and the covariates' years need not match: the key findings say when they do not.",
        f"A county whose sheriff runs no jail has no value for a jail measure (not a zero) and is left out: "
        f"{join_or_none(counties_without_jail())}. Ties (many counties with the same value, e.g. zero) make "
        "Spearman's rho unreliable and leave the permutation test few distinct ranks; the rank-correlation table "
        "counts them.",
        f"Rank correlations use two-sided Monte Carlo permutation p-values ({N_PERMUTATIONS} shuffles, fixed seed), "
        "which make no distributional assumption; the GLM uses t-based intervals with the residual degrees of "
        "freedom and a Pearson dispersion; "
        "the detainer-level model uses variational Bayes, which understates uncertainty, the more so with only "
        f"{summary['counties']} counties. Beside each model with several covariates their weighted correlation is "
        f"shown; above {models.COLLINEARITY_LIMIT} the county model carries a warning and the detainer-level model "
        "is not fitted.",
        f"At most {models.MAX_COVARIATES} covariates are allowed: with so few counties more would fit noise. "
        "No adjustment can rule out other county differences (urban or rural setting, ICE field-office practice, "
        "who is arrested) that go with both politics or demographics and cooperation.",
        f"The FY2015 detainer records predate Lunn ({lunn['date']}). {lunn_287g_text(md_source_links)} So FY2015 "
        f"associations say nothing about later practice. {fmt_pct(summary['unresolved'] / summary['detainers'])} "
        "of the FY2015 detainers at sheriff-run facilities have no recorded outcome, and 'declined' is a lower "
        "bound (ICE records only the declines it learns of).",
    ]


def _chosen_limitations(report: PoliticsDemographics) -> list[str]:
    """The limitations of the chosen measure and covariates."""
    lines = []
    if report.measure in measures.JAIL_ARREST_MEASURES:
        lines.append(
            "ICE arrests at jails come from free-text landmarks pooled over the whole period, with no link "
            "to detainers: some arrests cannot be placed in any county and some may be placed in the wrong "
            "one, so a county's count can be too low or too high."
        )
    if report.measure.endswith("per_100k") or report.measure.endswith("foreign_born"):
        lines.append(
            "The denominator counts residents, a proxy for the people who pass through a county's jails "
            "(no jail population or bookings are used here)."
        )
    if "foreign_born_share" in report.covariates:
        lines.append(
            "Foreign-born share exists only for 2010 (ACS 2006-10) and 2016 (ACS 2012-16) in the data; "
            "non-citizen share is not available."
        )
    missing = {var: counties for var, counties in missing_covariates(report).items() if counties}
    if "sheriff_republican" in missing:
        lines.append(
            f"The sheriff's party is not recorded in data/reference/sheriffs.csv for "
            f"{join_or_none(missing['sheriff_republican'])} in {report.covariate_year}; "
            f"{'that county is' if len(missing['sheriff_republican']) == 1 else 'those counties are'} "
            f"left out of analyses using {cov_label('sheriff_republican')} rather than guessed."
        )
    return lines


def limitations(report: PoliticsDemographics) -> str:
    return bullet_list(_general_limitations(report) + _chosen_limitations(report))
