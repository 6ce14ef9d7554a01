"""Labels and number formats of the notebook: measure and covariate names, units, ratios, p-values."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct
from ma_ice_coop.present.text import join_words
from ma_ice_coop.tables import reference
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics
from ma_ice_coop.views.politics_demographics.definitions import COVARIATE_LABELS, DENOMINATOR_LABELS


def measure_label(report: PoliticsDemographics) -> str:
    return report.measure.replace("_", " ")


def cov_label(var: str) -> str:
    return COVARIATE_LABELS.get(var, var.replace("_", " "))


def yes_label(var: str) -> str:
    """'Republican sheriff' for an indicator labelled 'Republican sheriff (1 = yes)'."""
    return cov_label(var).removesuffix(" (1 = yes)")


def covariate_from_term(term: str) -> str:
    return term.removesuffix(" (per SD)")


def covariate_unit(report: PoliticsDemographics, var: str) -> str:
    info = report.covariate_info.set_index("variable")
    return str(info.loc[var, "unit"]) if var in info.index else ""


def is_indicator(report: PoliticsDemographics, var: str) -> bool:
    if covariate_unit(report, var).startswith("indicator"):
        return True
    values = report.joined[var].dropna().unique()
    return len(values) > 0 and set(values.tolist()) <= {0.0, 1.0}


def fmt_cov(report: PoliticsDemographics, var: str, value) -> str:
    """A covariate value in its unit (shares as percentages)."""
    if value is None or pd.isna(value):
        return "–"
    unit = covariate_unit(report, var)
    if unit.startswith("share (0-1)"):
        return fmt_pct(value, 1)
    if unit.startswith("share difference"):
        return f"{100 * value:+.1f} points"
    if unit.startswith("indicator"):
        return fmt_num(value, 0)
    if unit.startswith("USD"):
        return "$" + fmt_num(value, 0)
    if unit in ("persons", "votes"):
        return fmt_num(value, 0)
    return fmt_num(value, 2)


def fmt_sd(report: PoliticsDemographics, var: str, sd) -> str:
    """The size of one SD of a covariate in words."""
    if sd is None or pd.isna(sd):
        return "0/1, not scaled" if is_indicator(report, var) else "–"
    unit = covariate_unit(report, var)
    if unit.startswith("share"):
        return f"{100 * sd:.1f} percentage points"
    if unit.startswith("USD"):
        return "$" + fmt_num(sd, 0)
    if unit in ("persons", "votes"):
        return fmt_num(sd, 0) + " " + unit
    return fmt_num(sd, 2) + (f" ({unit})" if unit else "")


def covariate_axis_label(var: str, unit: str) -> str:
    if unit.startswith("share (0-1)"):
        return f"{cov_label(var)} (share, 0-1)"
    if unit.startswith("indicator"):
        return f"{cov_label(var)}"
    return f"{cov_label(var)} ({unit})" if unit else cov_label(var)


def measure_axis_label(report: PoliticsDemographics) -> str:
    label = measure_label(report)
    if report.kind == "share":
        return f"{label} (share of {DENOMINATOR_LABELS.get(report.measure, 'detainers')}, 0-1)"
    if report.measure.endswith("per_100k"):
        return f"{label} (per 100,000 residents" + (" per year)" if "arrests" in report.measure else ")")
    if report.measure.endswith("foreign_born"):
        return f"{label} (per 1,000 foreign-born residents per year)"
    if report.measure == "recorded_declines":
        return "recorded declines per facility-year"
    return label


def fmt_measure(report: PoliticsDemographics, est, low=None, high=None) -> str:
    if report.kind == "share":
        return fmt_estimate(est, low, high, share=True)
    digits = 2 if report.kind == "rate" else (0 if report.kind == "count" else 1)
    return fmt_estimate(est, low, high, share=False, digits=digits)


def fmt_rho(value) -> str:
    """A correlation to 2 decimals, never '-0.00'."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def fmt_p(p) -> str:
    """A p-value as text: '< 0.001', 3 decimals below 0.01, else 2 decimals; '–' when missing."""
    if p is None or pd.isna(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def fmt_ratio(value) -> str:
    """An odds ratio: 2 decimals, or 3 significant digits for tiny values (e.g. an intercept)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:.2f}" if value >= 0.01 else f"{value:.3g}"


def fmt_ratio_ci(est, low, high) -> str:
    if est is None or pd.isna(est):
        return "–"
    return f"{fmt_ratio(est)} (95% CI {fmt_ratio(low)}–{fmt_ratio(high)})"


def fmt_range(est, low, high, digits: int = 2) -> str:
    """'-0.37 (-1.16 to 0.42)': an estimate with its 95% interval, safe for negative numbers."""
    if est is None or pd.isna(est):
        return "–"
    if pd.isna(low) or pd.isna(high):
        return fmt_num(est, digits)
    return f"{fmt_num(est, digits)} ({fmt_num(low, digits)} to {fmt_num(high, digits)})"


def join_or_none(names) -> str:
    """Names joined in English ('a, b and c'), or 'none'."""
    return join_words(names, empty="none")


def county_names(fips) -> list[str]:
    """County names for FIPS codes (a code that is not a Massachusetts county is shown as it is)."""
    names = reference.county_names()
    return [names.get(code, code) for code in fips]
