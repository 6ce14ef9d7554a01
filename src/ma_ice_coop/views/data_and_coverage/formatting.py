"""Small text formats of the notebook: dates, shares, missing shares, year lists, fiscal-year labels."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present.report import fmt_pct
from ma_ice_coop.tables.catalogue import catalogue


def pct_missing(value) -> str:
    """Share missing with one decimal; '<0.1%' for a gap too small to show (never '0.0%' for a gap)."""
    if pd.notna(value) and 0 < value < 0.0005:
        return "<0.1%"
    return fmt_pct(value, 1)


def share_text(part, whole) -> str:
    """part / whole as a percentage, '–' when whole is zero."""
    return fmt_pct(part / whole) if whole else "–"


def day_text(timestamp) -> str:
    """An ISO date, '–' when missing."""
    return "–" if timestamp is None or pd.isna(timestamp) else pd.Timestamp(timestamp).date().isoformat()


def year_list(years: list[int]) -> str:
    """2000, 2004, 2008 or 2007-2017 for consecutive runs."""
    runs, start = [], None
    for index, year in enumerate(years):
        if start is None:
            start = year
        if index + 1 == len(years) or years[index + 1] != year + 1:
            runs.append(str(start) if start == year else f"{start}-{year}")
            start = None
    return ", ".join(runs)


def fiscal_years_label(facts: dict) -> str:
    """'FY2015' or 'FY2015-FY2016' for the fiscal years of the detainer records."""
    years = facts["fiscal_years"]
    if not years:
        return "no fiscal year"
    return f"FY{years[0]}" if len(years) == 1 else f"FY{years[0]}-FY{years[-1]}"


def measure_labels(text: str) -> str:
    """A comma-separated list of measure ids as their short labels."""
    return ", ".join(catalogue().short_label(name) for name in text.split(", "))


def measure_names(text: str) -> str:
    """'custody share (all)' or '3 measures (a, b, c)' for a comma-separated list of measure ids."""
    names = [catalogue().phrase(name) for name in text.split(", ")]
    return names[0] if len(names) == 1 else f"{len(names)} measures ({', '.join(names)})"
