"""How the which-counties report writes an estimate, a measure's name, an axis and the sources."""

from __future__ import annotations

from ma_ice_coop.present.report import fmt_estimate
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.catalogue_entries import as_heading
from ma_ice_coop.views.which_counties.compute import WhichCounties

# Denominators counted in residents (the catalogue's `denominator`): their population comes from the Census.
POPULATION_DENOMINATORS = ("residents", "person-years", "foreign-born person-years")


def format_estimate(report: WhichCounties, est, low, high) -> str:
    if report.kind == "share":
        return fmt_estimate(est, low, high, share=True)
    return fmt_estimate(est, low, high, share=False, digits=2 if report.kind == "rate" else 0)


def measure_words(report: WhichCounties) -> str:
    """The measure's short label as it reads in a sentence ('custody share (all)')."""
    return catalogue().phrase(report.measure)


def measure_heading(report: WhichCounties) -> str:
    """The measure's short label with a capital (figure titles)."""
    return as_heading(catalogue().short_label(report.measure))


def measure_name(measure: str) -> str:
    """Any measure's short label, for table cells and headers."""
    return catalogue().short_label(measure)


def axis_label(report: WhichCounties) -> str:
    """The catalogue's axis label of the measure (shares: with their 0-1 scale)."""
    label = catalogue().axis_label(report.measure)
    return f"{label} (0-1)" if report.kind == "share" else label


def sources_text(report: WhichCounties) -> str:
    """The measure's source, named for readers (with the population behind a per-resident rate)."""
    per_resident = catalogue().measure(report.measure).denominator in POPULATION_DENOMINATORS
    return catalogue().source(report.measure) + ("; residents: U.S. Census Bureau" if per_resident else "")
