"""Sentences shared by the notebook's texts: exclusions, periods, one rank correlation, one odds ratio."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.present.report import fmt_num
from ma_ice_coop.present.text import label_ids
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics
from ma_ice_coop.views.politics_demographics.formatting import (
    cov_label,
    covariate_from_term,
    fmt_p,
    fmt_ratio_ci,
    fmt_rho,
    fmt_sd,
    is_indicator,
    join_or_none,
    measure_label,
    yes_label,
)


def excluded_groups(report: PoliticsDemographics) -> list[tuple[str, list[str]]]:
    """(reason, counties) for the counties without an estimate, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for county, reason in zip(report.excluded["county"], report.excluded["reason"], strict=True):
        groups.setdefault(reason, []).append(county)
    return list(groups.items())


def excluded_sentence(report: PoliticsDemographics) -> str:
    parts = [f"{join_or_none(counties)} ({reason})" for reason, counties in excluded_groups(report)]
    count = len(report.excluded)
    return (
        f"{count} {'county has' if count == 1 else 'counties have'} no estimate and "
        f"{'is' if count == 1 else 'are'} excluded from every analysis: {'; '.join(parts)}"
    )


def missing_covariates(report: PoliticsDemographics) -> dict[str, list[str]]:
    """Counties with an estimate but no value of a covariate (left out of that covariate's analyses)."""
    analysed = report.analysed
    return {var: analysed.loc[analysed[var].isna(), "county"].tolist() for var in report.covariates}


def chance_phrase(p_holm, n: int) -> str:
    """What a permutation p-value lets one say, in words."""
    if p_holm is None or pd.isna(p_holm):
        return "not computed"
    if p_holm >= 0.10:
        return (
            f"with {n} counties, the data cannot distinguish this association from chance (which does not "
            "show that there is none)"
        )
    if p_holm >= 0.05:
        return f"weak evidence at best: shuffling the {n} counties produces an association this strong fairly often"
    return (
        f"an association this strong rarely arises when the {n} counties are shuffled, but it remains an "
        "association across counties, not evidence that one causes the other"
    )


def direction_phrase(report: PoliticsDemographics, var: str, rho) -> str:
    label = measure_label(report)
    if rho is None or pd.isna(rho):
        return f"no rank correlation could be computed between {cov_label(var)} and {label}"
    if abs(rho) < 0.1:
        return f"the rank correlation between {cov_label(var)} and {label} was close to zero"
    way = "higher" if rho > 0 else "lower"
    if is_indicator(report, var):
        return f"counties with '{yes_label(var)}' tended to have {way} {label} than the others"
    return f"counties with a higher {cov_label(var)} tended to have {way} {label}"


def period_text(report: PoliticsDemographics, *, vintages: bool) -> str:
    """Each side's period, and whether they differ: no comparison across periods goes unsaid."""
    info = report.covariate_info.set_index("variable")
    sides, used = [], set()
    for var in report.covariates:
        years = sorted(int(y) for y in report.analysed[f"{var}_year"].dropna().unique())
        used.update(years)
        vintage = f" ({info.loc[var, 'vintage']})" if vintages and info.loc[var, "vintage"] else ""
        sides.append(f"{cov_label(var)}: {', '.join(map(str, years)) or 'none (no value)'}{vintage}")
    period = report.period
    text = (
        f"Periods: the measure covers {period.start} to {period.end}; each covariate is the latest value at or "
        f"before {report.covariate_year} ({'; '.join(sides)})."
    )
    outside = sorted(year for year in used if not period.start.year <= year <= period.end.year)
    if outside:
        return text + (
            f" The two sides come from different periods ({join_or_none(map(str, outside))} "
            f"{'is' if len(outside) == 1 else 'are'} outside the measure's period): the comparison "
            "assumes that the county differences the covariates describe held during the measure's "
            "period too."
        )
    if used and period.years > 1.5:
        return text + (
            f" A single year of each covariate is compared with a measure pooled over {fmt_num(period.years, 1)} years."
        )
    return text


def rho_sentence(report: PoliticsDemographics, row) -> str:
    """One rank correlation in words: direction, rho with its interval, p, ties and small counties."""
    if pd.isna(row.rho):
        label = cov_label(row.covariate)
        return f"{label[0].upper()}{label[1:]}: no rank correlation ({label_ids(row.note)})"
    direction = direction_phrase(report, row.covariate, row.rho)
    text = (
        f"{direction[0].upper()}{direction[1:]} (Spearman rho {fmt_rho(row.rho)}, approximate 95% interval "
        f"{fmt_rho(row.ci_low)} to {fmt_rho(row.ci_high)}, {row.n} counties; permutation p {fmt_p(row.p_value)}, "
        f"Holm-adjusted {fmt_p(row.p_holm)}): {chance_phrase(row.p_holm, row.n)}."
    )
    if row.ties:
        text += " " + label_ids(row.ties.replace(row.covariate, cov_label(row.covariate)))
    if not row.n_small:
        return text
    analysed = report.analysed
    names = analysed.loc[analysed["small"] & analysed[row.covariate].notna(), "county"].tolist()
    who = f"{join_or_none(names)}: {measures.small_rule(report.measure)}"
    if pd.isna(row.rho_without_small):
        return text + f" Without the counties whose estimate rests on few cases ({who}) too few are left to compute it."
    return text + (
        f" Without the {'county' if len(names) == 1 else f'{len(names)} counties'} whose estimate "
        f"rests on few cases ({who}): rho {fmt_rho(row.rho_without_small)}, permutation p "
        f"{fmt_p(row.p_without_small)}."
    )


def correlation_words(correlations: pd.DataFrame, weights: str, *, only_high: bool) -> str:
    """The covariates' pairwise correlations in words (labels, not variable names)."""
    if only_high:
        correlations = correlations[correlations["r"].abs() > models.COLLINEARITY_LIMIT]
    pairs = zip(correlations["covariate_a"], correlations["covariate_b"], correlations["r"], strict=True)
    return "; ".join(
        f"{cov_label(first)} and {cov_label(second)} correlate at r = {fmt_rho(value)} weighted by {weights}"
        for first, second, value in pairs
        if pd.notna(value)
    )


def odds_ratio_sentence(report: PoliticsDemographics, row, *, what: str) -> str:
    """One GLM term in words: what 1 SD (or yes rather than no) goes with, and whether its interval includes 1."""
    var = covariate_from_term(row.term)
    interval = fmt_ratio_ci(row.odds_ratio, row.or_low, row.or_high)
    if row.term.endswith("(per SD)"):
        head = f"{fmt_sd(report, var, row.covariate_sd)} higher {cov_label(var)} (1 SD)"
    else:
        head = f"{yes_label(var)} rather than not"
    if pd.isna(row.or_low):
        verdict = ""
    elif row.or_low <= 1 <= row.or_high:
        verdict = f"; the interval includes 1: no association distinguishable from chance with {report.glm.n} counties"
    else:
        verdict = "; the interval excludes 1"
    return f"{head}: {what} {interval}{verdict}"


def not_fitted_reason(note: str) -> str:
    _, _, tail = note.partition("Not fitted: ")
    return plain_note(tail or note)


def plain_note(note: str) -> str:
    """A note written by the models, for readers: labels for the catalogue's ids, 'county' for the grouping."""
    return label_ids(note).replace("groups of sheriff_county_fips", "counties").replace("sheriff_county_fips", "county")
