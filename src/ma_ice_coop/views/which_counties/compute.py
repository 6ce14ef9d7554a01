"""The result of the which-counties notebook: one measure for every county, with the state pool, the
flags for small numbers, the sensitivity variants, shrinkage and the side-by-side measures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis import measures

SOURCE_NOTE = {
    "share": "ICE detainer records FY2015 YTD (FOIA to NPR); lift reasons as recorded by ICE",
    "rate": "see the measure's source column; population: Census/ACS via the covariate panel",
    "count": "see the measure's source column",
    "administrative": "see the measure's source column",
}


@dataclass
class WhichCounties:
    measure: str
    period: measures.Period
    kind: str
    table: pd.DataFrame  # the chosen measure, one row per county
    pooled: float
    shrunk: pd.DataFrame | None  # shares only
    wide: pd.DataFrame  # headline measures side by side
    agreement: pd.DataFrame
    agency: pd.DataFrame
    small: list[str]  # counties whose estimate of this measure rests on few cases (measures.small_by_data)
    variants: list[pd.DataFrame]  # the measure's sensitivity variants (measures.SENSITIVITY_VARIANTS), same period
    prior_range: dict | None  # shares: the prior concentration's 95% profile-likelihood range


def compute(measure: str, period_start: str, period_end: str) -> WhichCounties:
    period = measures.Period.parse(period_start, period_end)
    table = measures.measure_table(measure, period)
    kind = measures.measure_kind(measure)
    table = table.assign(small_by_data=measures.small_by_data(table).to_numpy())
    small = sorted(table.loc[table["small_by_data"], "county"])
    variants = [measures.measure_table(v, period) for v in measures.SENSITIVITY_VARIANTS.get(measure, ())]
    sides = measures.pool_side([table, *variants])
    table = table.assign(pool_side=table["county_fips"].map(sides).fillna("").to_numpy())
    shrunk, prior_range = None, None
    if kind == "share" and not measure.startswith("custody_share_shrunk") and (table["denominator"] > 0).sum() >= 2:
        sens = measures.shrinkage_sensitivity(table["numerator"], table["denominator"])
        prior_range = sens["range"]
        shrunk = pd.concat(
            [
                table[["county", "numerator", "denominator", "estimate", "ci_low", "ci_high"]],
                sens["fitted"].add_prefix("shrunk_"),
                sens["low"]["estimate"].rename("shrunk_prior_low"),
                sens["high"]["estimate"].rename("shrunk_prior_high"),
            ],
            axis=1,
        )
    wide = measures.side_by_side()
    agency = measures.agency_measures()
    return WhichCounties(
        measure,
        period,
        kind,
        table,
        measures.pooled_estimate(table),
        shrunk,
        wide,
        measures.measure_rank_agreement(wide),
        agency,
        small,
        variants,
        prior_range,
    )
