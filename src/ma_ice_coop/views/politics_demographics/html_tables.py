"""The notebook's tables: the joined data, covariate sources, rank correlations and both models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import fmt_num, fmt_pct, html_table, md
from ma_ice_coop.present.text import as_heading, label_ids, period_text
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics, mixed_fitted
from ma_ice_coop.views.politics_demographics.definitions import DENOMINATOR_LABELS
from ma_ice_coop.views.politics_demographics.formatting import (
    county_names,
    cov_heading,
    covariate_from_term,
    fmt_cov,
    fmt_measure,
    fmt_p,
    fmt_range,
    fmt_ratio_ci,
    fmt_rho,
    fmt_sd,
    measure_label,
    term_label,
)


def _intervals(frame: pd.DataFrame, columns: tuple[str, str, str], formatter) -> list[str]:
    """formatter(estimate, low, high) for each row of `frame`, from the three `columns`."""
    estimate, low, high = columns
    return [formatter(*values) for values in zip(frame[estimate], frame[low], frame[high], strict=True)]


def _sd_column(report: PoliticsDemographics, terms: pd.Series, sds: pd.Series) -> list[str]:
    """'1 SD of the covariate' for each model term (blank for the intercept)."""
    return [
        fmt_sd(report, covariate_from_term(term), sd) if term != "Intercept" else ""
        for term, sd in zip(terms, sds, strict=True)
    ]


def _covariate_with_year(report: PoliticsDemographics, table: pd.DataFrame, var: str) -> list[str]:
    return [
        f"{fmt_cov(report, var, value)} ({int(year)})" if pd.notna(value) else "– (no value)"
        for value, year in zip(table[var], table[f"{var}_year"], strict=True)
    ]


def _measure_intervals(report: PoliticsDemographics, table: pd.DataFrame) -> list[str]:
    return _intervals(
        table, ("estimate", "ci_low", "ci_high"), lambda est, low, high: fmt_measure(report, est, low, high)
    )


def _in_analysis_label(exclusion: str) -> str:
    if not exclusion:
        return "yes"
    if exclusion.startswith("its sheriff runs no jail"):
        return "no (no jail of its own)"
    return "no (no estimate)"


# ----------------------------------------------------------------------------- joined data


def joined_table(report: PoliticsDemographics) -> pd.DataFrame:
    joined = report.joined
    den = DENOMINATOR_LABELS.get(report.measure, "none")
    out = pd.DataFrame(
        {
            "county": joined["county"],
            "numerator": joined["numerator"].map(lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() else 1)),
            f"denominator ({den})": joined["denominator"].map(
                lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() or v > 1000 else 1)
            ),
            "estimate (95% CI)": _measure_intervals(report, joined),
        }
    )
    for var in dict.fromkeys([*report.covariates, "population"]):
        out[f"{cov_heading(var)} (year)"] = _covariate_with_year(report, joined, var)
    out[f"small ({measures.small_rule(report.measure)})"] = joined["small"].map({True: "yes", False: ""})
    out["in analysis"] = [_in_analysis_label(exclusion) for exclusion in joined["exclusion"]]
    return out


def joined_table_html(report: PoliticsDemographics):
    return html_table(
        joined_table(report),
        caption=f"{as_heading(measure_label(report))} ({period_text(report.period.start, report.period.end)}) "
        f"joined to county covariates as of {report.covariate_year}",
    )


def covariate_info_html(report: PoliticsDemographics):
    info = report.covariate_info
    shown = info.drop(columns=["variable"]).copy()
    shown.insert(0, "covariate", info["variable"].map(cov_heading))
    return html_table(shown, caption="Where each covariate's values come from")


def scatter_table(report: PoliticsDemographics, var: str) -> pd.DataFrame:
    """The counties of one scatter plot, by covariate value: value (year), estimate, small flag."""
    table = report.analysed.sort_values([var, "county"], na_position="last")
    return pd.DataFrame(
        {
            "county": table["county"],
            f"{cov_heading(var)} (year)": _covariate_with_year(report, table, var),
            "estimate (95% CI)": _measure_intervals(report, table),
            "small (few cases)": table["small"].map({True: "yes", False: ""}),
        }
    )


# ----------------------------------------------------------------------------- rank correlations


def correlations_html(report: PoliticsDemographics):
    correlations = report.correlations
    shown = pd.DataFrame(
        {
            "covariate": correlations["covariate"].map(cov_heading),
            "counties": correlations["n"],
            "Spearman rho": correlations["rho"].map(fmt_rho),
            "approximate 95% interval": [
                f"{fmt_rho(low)} to {fmt_rho(high)}" if pd.notna(low) else "–"
                for low, high in zip(correlations["ci_low"], correlations["ci_high"], strict=True)
            ],
            "permutation p": correlations["p_value"].map(fmt_p),
            "Holm-adjusted p": correlations["p_holm"].map(fmt_p),
            "tied values (measure / covariate)": [
                f"{outcome} / {covariate}"
                for outcome, covariate in zip(correlations["tied_outcome"], correlations["tied_covariate"], strict=True)
            ],
            "rho without small counties": [
                fmt_rho(rho) if n_small else "(none small)"
                for rho, n_small in zip(correlations["rho_without_small"], correlations["n_small"], strict=True)
            ],
            "note": [
                label_ids(" ".join(text for text in (ties, note) if text))
                for ties, note in zip(correlations["ties"], correlations["note"], strict=True)
            ],
        }
    )
    return html_table(
        shown,
        caption=f"Rank correlations of {measure_label(report)} ({period_text(report.period.start, report.period.end)}) "
        f"with each covariate (as of {report.covariate_year}; permutation test)",
    )


# ----------------------------------------------------------------------------- county-level GLM


def glm_table(report: PoliticsDemographics) -> pd.DataFrame:
    coefficients = report.glm.coefficients
    return pd.DataFrame(
        {
            "term": coefficients["term"].map(term_label),
            "log-odds (95% CI)": _intervals(coefficients, ("estimate", "ci_low", "ci_high"), fmt_range),
            "odds ratio (95% CI)": _intervals(coefficients, ("odds_ratio", "or_low", "or_high"), fmt_ratio_ci),
            "p (t test)": coefficients["p_value"].map(fmt_p),
            "1 SD of the covariate": _sd_column(report, coefficients["term"], coefficients["covariate_sd"]),
        }
    )


def glm_html(report: PoliticsDemographics):
    if report.glm is None:
        return md("_No coefficient table (see above)._")
    return html_table(
        glm_table(report),
        caption=f"Quasi-binomial GLM of {measure_label(report)}: n = {report.glm.n} counties, dispersion "
        f"{fmt_num(report.glm.dispersion, 2)}, residual df {fmt_num(report.glm.df_resid)}",
    )


# ----------------------------------------------------------------------------- detainer-level mixed model


def mixed_fixed_html(report: PoliticsDemographics):
    if not mixed_fitted(report):
        return md("_No fixed-effect table: the model was not fitted._")
    fixed = report.mixed.fixed_effects
    spread = report.mixed.random_intercept_sd
    interval_columns = ("estimate", "ci_low", "ci_high")
    shown = pd.DataFrame(
        {
            "term": pd.concat([fixed["term"], spread["term"]], ignore_index=True).map(term_label),
            "posterior mean, log-odds (95% interval)": [
                *_intervals(fixed, interval_columns, fmt_range),
                *_intervals(spread, interval_columns, fmt_range),
            ],
            "odds ratio (95% interval)": [
                *_intervals(fixed, ("odds_ratio", "or_low", "or_high"), fmt_ratio_ci),
                "",
            ],
            "1 SD of the covariate": [*_sd_column(report, fixed["term"], fixed["covariate_sd"]), ""],
        }
    )
    return html_table(
        shown,
        caption=f"Fixed effects and random-intercept SD: custody (0/1) on {fmt_num(report.mixed.n)} "
        f"FY2015 detainers in {report.mixed.n_groups} counties",
    )


def mixed_groups_table(report: PoliticsDemographics) -> pd.DataFrame:
    groups = report.mixed.group_effects
    shown = pd.DataFrame(
        {
            "county": county_names(groups["group"]),
            "detainers": groups["n"],
            "custody": groups["successes"],
            "observed share": groups["observed_share"].map(lambda v: fmt_pct(v)),
            "model share": groups["fitted_share"].map(lambda v: fmt_pct(v)),
            "county intercept, log-odds (95% interval)": _intervals(
                groups, ("estimate", "ci_low", "ci_high"), fmt_range
            ),
            f"small ({measures.small_rule('custody_share')})": np.where(
                groups["n"] < measures.SMALL_SHARE_DENOMINATOR, "yes", ""
            ),
        }
    )
    return shown.sort_values("county", ignore_index=True)


def mixed_groups_html(report: PoliticsDemographics):
    if not mixed_fitted(report):
        return md("_No per-county table: the model was not fitted._")
    return html_table(
        mixed_groups_table(report),
        caption=(
            "Per county: observed custody share and the model's share (inverse logit of the posterior-mean linear "
            "predictor: covariates plus the county's random intercept)"
        ),
    )


def custody_correlations_html(report: PoliticsDemographics):
    correlations = report.custody_correlations
    shown = pd.DataFrame(
        {
            "covariate": correlations["covariate"].map(cov_heading),
            "counties": correlations["n"],
            "Spearman rho": correlations["rho"].map(fmt_rho),
            "permutation p": correlations["p_value"].map(fmt_p),
            "Holm-adjusted p": correlations["p_holm"].map(fmt_p),
        }
    )
    return html_table(
        shown,
        caption="Check: rank correlations of the FY2015 county custody shares (counties with "
        f"detainers, unweighted) with each covariate as of {report.covariate_year}",
    )
