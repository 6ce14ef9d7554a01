"""'Compared with the country': the county's percentile among US counties of similar size for each national
measure, with the range its own 95% interval allows (analysis.national_comparison)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import FY2015_DETAINERS
from ma_ice_coop.analysis.national_comparison import MIN_PEER_DETAINERS, country_comparison
from ma_ice_coop.analysis.national_data import national_inputs
from ma_ice_coop.present.report import fmt_num, fmt_pct, html_table
from ma_ice_coop.tables.catalogue import catalogue


def country_table(county_fips: str) -> pd.DataFrame:
    """country_comparison for the county, from the national inputs of the current data."""
    inputs = national_inputs()
    return country_comparison(inputs.measures, inputs.population, county_fips)


def _value(measure: str, value: float) -> str:
    if not np.isfinite(value):
        return "–"
    return fmt_num(value, 1) if measure == "detainers_per_100k" else fmt_pct(value)


def _percentile(row) -> str:
    if not np.isfinite(row.percentile):
        return row.note
    return f"{row.percentile:.0f} ({row.percentile_low:.0f} to {row.percentile_high:.0f})"


def country_html(county_fips: str):
    """The county's row per national measure: value with interval, size band, peers and percentile."""
    table = country_table(county_fips)
    shown = pd.DataFrame(
        {
            "Measure": table["measure"].map(catalogue().label),
            "This county": [
                f"{_value(m, e)} ({_value(m, lo)} to {_value(m, hi)})"
                for m, e, lo, hi in zip(
                    table["measure"], table["estimate"], table["ci_low"], table["ci_high"], strict=True
                )
            ],
            "Percentile among similar-size US counties": [_percentile(row) for row in table.itertuples()],
            "Similar-size counties compared": table["peers"].map(fmt_num),
        }
    )
    band = table["band"].iloc[0] if len(table) else "–"
    return html_table(
        shown,
        caption=f"US counties with {band} residents (2015), FY2015 detainers at sheriff-run "
        "facilities; percentile of the estimate (and of the two ends of its 95% interval)",
    )


def country_note(county_fips: str) -> str:
    table = country_table(county_fips)
    band = table["band"].iloc[0] if len(table) else "–"
    return (
        f"Each percentile says what share of US counties with {band} residents had a lower value, over the whole "
        f"FY2015 release ({FY2015_DETAINERS.start} to {FY2015_DETAINERS.end}; this section ignores the report's "
        f"period parameters). Shares are ranked only among counties with at least {MIN_PEER_DETAINERS} detainers "
        "at sheriff-run facilities, and only when this county has that many. Other states' detainers are placed in "
        "counties from their facility strings (data/reference/national_facilities.csv); the national report "
        "(national_context.html) shows how many could not be, and models the pattern."
    )
