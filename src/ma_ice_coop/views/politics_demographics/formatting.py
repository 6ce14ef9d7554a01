"""Labels and number formats of the notebook: measure and covariate names, units, ratios, p-values."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct
from ma_ice_coop.present.text import as_heading, in_sentence, join_words, label_ids
from ma_ice_coop.tables import reference
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics
from ma_ice_coop.views.politics_demographics.definitions import COVARIATE_LABELS


def measure_label(report: PoliticsDemographics) -> str:
    """The measure's short label as it reads in a sentence ('ICE arrests at jails per 100,000')."""
    return catalogue().phrase(report.measure)


def cov_label(var: str) -> str:
    """A covariate's label as it reads in a sentence ('foreign-born share of residents')."""
    return in_sentence(COVARIATE_LABELS[var]) if var in COVARIATE_LABELS else label_ids(var)


def cov_heading(var: str) -> str:
    """A covariate's label for a table header or a figure title ('Foreign-born share of residents')."""
    return as_heading(cov_label(var))


def term_label(term: str) -> str:
    """A model term in words: 'Foreign-born share of residents (per SD)'; the intercept as it is."""
    var = covariate_from_term(term)
    return term if term == "Intercept" else cov_heading(var) + term.removeprefix(var)


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
    """The catalogue's axis label of a covariate (shares: with their 0-1 scale)."""
    label = as_heading(catalogue().axis_label(var)) if var in COVARIATE_LABELS else cov_heading(var)
    return f"{label} (0-1)" if unit.startswith("share (0-1)") else label


def measure_axis_label(report: PoliticsDemographics) -> str:
    """The measure's label and unit for a figure axis."""
    measure = catalogue().measure(report.measure)
    if report.kind == "share":
        return f"{measure.short_label} (share of {measure.denominator or 'detainers'}, 0-1)"
    if report.kind == "rate":
        return as_heading(measure.unit)
    return f"{measure.short_label} ({measure.unit})"


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
