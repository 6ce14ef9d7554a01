"""How the methods page writes its numbers: shares, rates, counts, p-values and intervals, through
``present.report`` (the same formatters as every other report)."""

from __future__ import annotations

from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct
from ma_ice_coop.present.text import AGENCY_GROUP_NAMES


def share_text(estimate, low, high, digits: int = 0) -> str:
    """'14% (95% CI 4%–33%)'."""
    return fmt_estimate(estimate, low, high, share=True, digits=digits)


def rate_text(estimate, low, high) -> str:
    """'2.92 (95% CI 2.52–3.37)' for a rate per 100,000."""
    return fmt_estimate(estimate, low, high, share=False, digits=2)


def whole(value) -> str:
    """A count: '186', '6,362,705'."""
    return fmt_num(value, 0)


def pct(value, digits: int = 0) -> str:
    return fmt_pct(value, digits)


def signed_pct(value, digits: int = 1) -> str:
    """A share that may fall below 0 (the normal approximation's bound): '−0.7%'."""
    text = fmt_pct(abs(value), digits)
    return f"−{text}" if value < 0 else text


def p_value_text(value) -> str:
    """'0.040'; '<0.001' below."""
    return "<0.001" if value < 0.001 else fmt_num(value, 3)


def number(value, digits: int = 2) -> str:
    """A signed decimal with a minus sign: '−0.06', '0.58'."""
    text = fmt_num(abs(value), digits)
    return f"−{text}" if value < 0 and text.strip("0.,") else text


def interval_words(low, high, digits: int = 1) -> str:
    """'−83.1 to 102.4'."""
    return f"{number(low, digits)} to {number(high, digits)}"


def agency_words(group: str) -> str:
    """A group of facilities not run by a sheriff, in words (present.text.AGENCY_GROUP_NAMES)."""
    return AGENCY_GROUP_NAMES.get(group, group.replace("_", " "))
