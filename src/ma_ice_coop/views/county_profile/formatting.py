"""How the county profile writes its numbers: a measure's estimate, basis, state value, rank and comparison with
the state pool, counted nouns, year ranges and source links."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct
from ma_ice_coop.present.text import ordinal

SHARES_OF_DETAINERS = ("custody_share", "declined_share", "declined_share_broad", "unresolved_share")


def fmt_mean(value) -> str:
    """A mean headcount to one decimal; 'less than 0.1' rather than '0.0' when some were held."""
    return "less than 0.1" if 0 < value < 0.05 else fmt_num(value, 1)


def fmt_covariate(kind: str, value) -> str:
    if pd.isna(value):
        return "–"
    if kind == "pct":
        return fmt_pct(value, 1)
    if kind == "usd":
        return "$" + fmt_num(value)
    if kind == "yesno":
        return "yes" if value == 1 else "no"
    return fmt_num(value)


# ----------------------------------------------------------------------------- a measure's summary row


def fmt_value(measure: str, estimate, low=np.nan, high=np.nan) -> str:
    kind = measures.measure_kind(measure)
    if kind == "share":
        return fmt_estimate(estimate, low, high, share=True)
    if kind == "rate":
        return fmt_estimate(estimate, low, high, share=False, digits=2 if measure == "recorded_declines" else 1)
    if measure == "mean_daily_ice_headcount":
        return fmt_num(estimate, 1)
    return fmt_estimate(estimate, low, high, share=False, digits=0)


def fmt_state(row) -> str:
    measure = row["measure"]
    if row["kind"] == "share":
        return f"{fmt_pct(row['state'])} (state pool)"
    if row["kind"] == "rate":
        return f"{fmt_value(measure, row['state'])} (state pool)"
    if measure in measures.AGREEMENT_MEASURES:
        return f"{fmt_num(row['state'])} of 14 counties had any"
    if measure == "mean_daily_ice_headcount":
        return f"{fmt_num(row['state'], 1)} (all sheriff facilities)"
    return f"{fmt_num(row['state'])} (state total)"


def basis_text(row) -> str:
    """What the county's estimate rests on: '3 of 40 detainers', '12 arrests; 1,234 person-years; ...'."""
    measure, numerator, denominator = row["measure"], fmt_num(row["numerator"]), fmt_num(row["denominator"])
    if measure in SHARES_OF_DETAINERS:
        return f"{numerator} of {denominator} detainers"
    fixed = {
        "custody_share_resolved": f"{numerator} of {denominator} resolved detainers",
        "detainers_per_100k": f"{numerator} detainers; residents {denominator}",
        "recorded_declines": f"{numerator} declines in {denominator} facility-years",
        "mean_daily_ice_headcount": f"{numerator} person-days over {denominator} days",
        "detainers_lodged": f"{numerator} detainers",
    }
    if measure in fixed:
        return fixed[measure]
    if measure == "jail_arrests_per_100k":
        return f"{numerator} arrests; {denominator} person-years" + _sensitivity_range(row, digits=1)
    if measure in measures.AGREEMENT_MEASURES:
        return f"{numerator} of {denominator} years"
    return f"{numerator} arrests" + _sensitivity_range(row, digits=0)


def _sensitivity_range(row, *, digits: int) -> str:
    if pd.isna(row["range_low"]):
        return ""
    return f"; sensitivity range {fmt_num(row['range_low'], digits)}-{fmt_num(row['range_high'], digits)}"


def rank_text(row) -> str:
    if row["rank"] is None or pd.isna(row["rank"]):
        return "no estimate"
    if row["small"]:
        return f"not ranked (small: {measures.small_rule(row['measure'])})"
    n_with_data = int(row["n_with_data"])
    best, worst = row.get("rank_best"), row.get("rank_worst")
    if best is not None and pd.notna(best) and int(best) != int(worst):
        return (
            f"anywhere from {ordinal(int(best))} to {ordinal(int(worst))} highest of {n_with_data} "
            "(the 95% intervals overlap)"
        )
    tied = "tied " if row["ties"] else ""
    return f"{tied}{ordinal(int(row['rank']))} highest of {n_with_data}".replace("1st highest", "highest")


def comparison_text(row, no_jail: bool = False) -> str:
    """The county against the state: which side of the pool its interval lies on, or its share of the total."""
    if no_jail and not row["estimate"] > 0:
        return "zero or blank by construction (no jail)"
    if pd.isna(row["estimate"]):
        return "no estimate (nothing to measure)"
    if row["kind"] in ("share", "rate"):
        return _pool_comparison(row)
    if row["measure"] in measures.AGREEMENT_MEASURES:
        return "–"
    if row["state"] > 0:
        return f"{fmt_pct(row['estimate'] / row['state'])} of the state total"
    return "–"


def _pool_comparison(row) -> str:
    if pd.isna(row["state"]):
        return "–"
    ranged = ", also across its sensitivity range" if pd.notna(row["range_low"]) else ""
    if row["side"] in ("above", "below"):
        return f"whole interval {row['side']} the state pool{ranged}"
    if row["side_as_placed"]:
        return (
            f"interval {row['side_as_placed']} the state pool as placed, but not across its sensitivity "
            "range: cannot be told apart"
        )
    return "interval includes the state pool"
