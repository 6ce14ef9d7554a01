"""Generated text about the two models: the county-level GLM and the detainer-level mixed model."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.present.report import fmt_num, fmt_pct
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics
from ma_ice_coop.views.politics_demographics.definitions import DENOMINATOR_LABELS
from ma_ice_coop.views.politics_demographics.formatting import cov_label, fmt_p, fmt_rho, join_or_none
from ma_ice_coop.views.politics_demographics.sentences import correlation_words, not_fitted_reason, plain_note

# ----------------------------------------------------------------------------- county-level GLM


def glm_text(report: PoliticsDemographics) -> str:
    if report.glm is None:
        return f"_No county-level GLM: {report.glm_reason}_"
    den = DENOMINATOR_LABELS.get(report.measure, "denominator")
    lines = [
        f"A descriptive quasi-binomial GLM (logit link) of each county's numerator out of its {den}, with the "
        "covariates together (continuous ones per standard deviation, 0/1 ones as they are). Unlike the rank "
        f"correlations, it weights each county by its {den}, so counties resting on few cases count little. "
        "The dispersion factor widens the intervals when counties differ more than binomial chance would "
        "make them. It describes these counties; it is not a model of how cooperation arises."
    ]
    if len(report.covariates) > 1:
        correlations = report.glm.covariate_correlations
        lines.append(
            f"The covariates' correlation, weighted by {den} as the model weights counties: "
            f"{correlation_words(correlations, den, only_high=False) or 'not computed'}."
            + (
                f" Above {models.COLLINEARITY_LIMIT} the model cannot separate the covariates: its adjusted "
                "estimates below are unstable, so read the covariates one at a time (the rank correlations)."
                if correlation_words(correlations, den, only_high=True)
                else ""
            )
        )
    if report.kind == "rate":
        lines.append(
            f"For a rate, the 'trials' are {den}: with a denominator this large and a rare event, the "
            "binomial model is practically a Poisson model, so this approximates a quasi-Poisson rate "
            "model and its odds ratios read as rate ratios."
        )
    else:
        lines.append(
            f"Odds ratios above 1 mean higher odds of the outcome among a county's {den} where the covariate is higher."
        )
    return "\n\n".join(lines)


def glm_note(report: PoliticsDemographics) -> str:
    if report.glm is None:
        return ""
    return f"**Model note.** {plain_note(report.glm.note)}"


# ----------------------------------------------------------------------------- detainer-level mixed model


def detainer_summary(report: PoliticsDemographics) -> dict:
    """Counts of the FY2015 detainer rows: detainers, counties, custody, unresolved."""
    rows = report.detainer_rows
    return {
        "detainers": len(rows),
        "counties": rows["sheriff_county_fips"].nunique(),
        "custody": int(rows["custody"].sum()),
        "unresolved": int((rows["outcome"] == "unresolved").sum()),
    }


def _mixed_intro(summary: dict) -> list[str]:
    """What the detainer-level model is and what 'not custody' includes."""
    return [
        f"The county figures above hide how many detainers each county had. This model works on the "
        f"{fmt_num(summary['detainers'])} FY2015 detainers ({measures.FY2015_DETAINERS.start} to "
        f"{measures.FY2015_DETAINERS.end}) lodged at Massachusetts sheriff-run facilities, in {summary['counties']} "
        f"counties: the outcome is whether ICE took custody ({fmt_num(summary['custody'])} detainers) or not. It is a "
        "logistic model with a random intercept for each county and the county covariates as "
        "fixed effects, fitted by variational Bayes: counties with few detainers are pulled toward what the "
        "covariates predict, instead of being taken at face value. The model is the same whatever measure is "
        "chosen above: the FY2015 records are the only detainer-level outcomes available. It is a check on the "
        f"county figures, not a finding: variational Bayes with only {summary['counties']} counties understates the "
        "uncertainty, so its intervals are too narrow.",
        f"'Not custody' includes the {fmt_num(summary['unresolved'])} detainers "
        f"({fmt_pct(summary['unresolved'] / summary['detainers'])}) "
        "with no recorded outcome, some of which may have ended in an unrecorded transfer.",
    ]


def _mixed_data_sentence(report: PoliticsDemographics) -> str:
    """The detainers and counties in the model, those left out, and the covariates' years against FY2015."""
    fitted = f"Data: {fmt_num(report.mixed.n)} detainers in {report.mixed.n_groups} counties"
    if len(report.mixed_dropped):
        fitted += (
            " (left out for a missing covariate value: "
            + "; ".join(
                f"{left.county}, {left.detainers} detainer{'s' if left.detainers != 1 else ''}, "
                f"no {cov_label(left.missing)}"
                for left in report.mixed_dropped.itertuples()
            )
            + ")"
        )
    years = sorted({int(y) for var in report.covariates for y in report.joined[f"{var}_year"].dropna()})
    fiscal_year = measures.FY2015_DETAINERS
    other = [year for year in years if not fiscal_year.start.year <= year <= fiscal_year.end.year]
    return (
        fitted + f"; county covariates as of {report.covariate_year} (values from {join_or_none(map(str, years))}), "
        "as in the table above"
        + (
            ": a different period from the FY2015 detainers, so the model assumes those "
            "county differences held in FY2015 too."
            if other
            else "."
        )
    )


def _mixed_estimates(report: PoliticsDemographics) -> list[str]:
    """The between-county spread and the county-level check of the fixed effects."""
    spread = report.mixed.random_intercept_sd.iloc[0]
    return [
        f"Between-county spread: the random-intercept SD is {fmt_num(spread['estimate'], 2)} on the log-odds "
        f"scale (95% interval {fmt_num(spread['ci_low'], 2)}–{fmt_num(spread['ci_high'], 2)}); with "
        f"{report.mixed.n_groups} counties this interval reflects the prior as much as the data.",
        "A county-level covariate takes one value per county, so its fixed effect rests on "
        f"{report.mixed.n_groups} counties, not {fmt_num(report.mixed.n)} independent detainers. As a check, "
        + custody_comparison(report),
    ]


def mixed_text(report: PoliticsDemographics) -> str:
    lines = _mixed_intro(detainer_summary(report))
    if report.mixed is None:
        lines.append(f"_Not fitted: {plain_note(report.mixed_reason)}_")
        return "\n\n".join(lines)
    lines.append(_mixed_data_sentence(report))
    correlations = report.mixed.covariate_correlations
    high = correlation_words(correlations, "detainers", only_high=True)
    if len(report.covariates) > 1:
        lines.append(
            "The covariates' correlation, weighted by detainers (each detainer carries its county's values): "
            + (correlation_words(correlations, "detainers", only_high=False) or "not computed")
            + "."
        )
    if report.mixed.fixed_effects["estimate"].isna().all():
        reason = (
            f"above {models.COLLINEARITY_LIMIT}, the model cannot separate the covariates' effects, and with "
            f"variational Bayes and {report.mixed.n_groups} counties its intervals would still look narrow; read "
            "the covariates one at a time."
            if high
            else not_fitted_reason(report.mixed.note)
        )
        lines.append(f"_Not fitted: {plain_note(reason)}_")
        return "\n\n".join(lines)
    lines += _mixed_estimates(report)
    return "\n\n".join(lines)


def custody_comparison(report: PoliticsDemographics) -> str:
    """The county-level permutation test of the same FY2015 custody shares, as a check on the mixed model."""
    correlations = report.custody_correlations
    parts = [
        f"{cov_label(row.covariate)} rho {fmt_rho(row.rho)}, Holm-adjusted p {fmt_p(row.p_holm)}"
        for row in correlations.itertuples()
        if pd.notna(row.rho)
    ]
    if not parts:
        return "no county-level permutation test of the custody shares could be computed to check them."
    weak = [cov_label(var) for var in correlations.loc[correlations["p_holm"] >= 0.10, "covariate"]]
    text = "the permutation test of the same counties' FY2015 custody shares gives " + "; ".join(parts) + "."
    if weak:
        text += (
            f" For {' and '.join(weak)} it cannot tell the association from chance, so the model's interval "
            "should not be read as settling the question."
        )
    return text


def mixed_note(report: PoliticsDemographics) -> str:
    if report.mixed is None:
        return ""
    return (
        f"**Model note.** {plain_note(report.mixed.note)} The model share is a plug-in value, not a posterior mean; a "
        "county-level covariate is the same for every detainer in a county, so its fixed effect is "
        f"informed by {report.mixed.n_groups} county values, not by {fmt_num(report.mixed.n)} independent observations."
    )
