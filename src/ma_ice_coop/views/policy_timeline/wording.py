"""Wording helpers that only the policy-timeline text uses: dates with their precision, headcounts, months and
intervals (lists, year ranges and source links come from ``present.text``)."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present.report import fmt_num


def date_text(row: pd.Series) -> str:
    """A timeline row's date, with its precision when coarser than a day."""
    precision = row["date_precision"]
    return str(row["date"]) + ("" if precision == "day" else f" ({precision} only)")


def persons(value) -> str:
    """A headcount: whole persons from 10 on, one decimal below (and '0' for zero)."""
    if value == 0:
        return "0"
    return fmt_num(value, 0 if abs(value) >= 10 else 1)


def months_text(index: pd.DatetimeIndex) -> str:
    return f"{index.min():%Y-%m} to {index.max():%Y-%m}"


def months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    return (later.to_period("M") - earlier.to_period("M")).n


def ci_text(row: pd.Series, digits: int = 1) -> str:
    """'1.2 (95% CI -0.3 to 2.7)' from a row with estimate, ci_low and ci_high."""
    return (
        f"{fmt_num(row['estimate'], digits)} (95% CI {fmt_num(row['ci_low'], digits)} to "
        f"{fmt_num(row['ci_high'], digits)})"
    )
