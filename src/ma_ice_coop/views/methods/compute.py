"""The methods page's result: the tables every worked example is computed from, read once.

Sources: ICE detainer records FY2015 YTD (custody share, detainers by operator), UWCHR arrest landmarks
2011-10..2023-01 with the covariate panel's populations (jail arrests per 100,000 residents per year), the
county covariate panel (foreign-born share) and the UWCHR daily ICE headcount (the time series)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
from ma_ice_coop.views.methods.its_example import ItsExample, its_example

SHARE_MEASURE = "custody_share"
RATE_MEASURE = "jail_arrests_per_100k"
COUNT_MEASURE = "detainers_lodged"
COVARIATE = "foreign_born_share"
COVARIATE_YEAR = 2016
"""The association example: jail arrests per 100,000 against the foreign-born share, latest value at or before
this year (the politics-and-demographics report's default)."""

N_PERMUTATIONS = 9999
"""Permutations of the example's rank correlation (seed: models.DEFAULT_SEED)."""


@dataclass
class Methods:
    example_county: str
    share: pd.DataFrame  # custody_share, one row per county, with small_by_data
    pooled_share: float  # the state pool of the sheriff-run facilities
    unresolved: pd.DataFrame  # unresolved_share, one row per county
    rate: pd.DataFrame  # jail_arrests_per_100k, one row per county, with small_by_data
    sheriff_detainers: pd.DataFrame  # detainers_lodged per county (sheriff-run facilities)
    agency_detainers: pd.DataFrame  # detainers_lodged per group of facilities not run by a sheriff
    shrinkage: dict  # measures.shrinkage_sensitivity of the custody share: range, fitted, low, high
    prior: dict  # measures.fit_beta_binomial of the custody share
    joined: pd.DataFrame  # rate table + COVARIATE (+ its year), counties with a rate only
    correlation: dict  # models.permutation_spearman(COVARIATE, rate)
    its: ItsExample


def compute(example_county: str) -> Methods:
    share = measures.measure_table(SHARE_MEASURE)
    share = share.assign(small_by_data=measures.small_by_data(share).to_numpy())
    rate = measures.measure_table(RATE_MEASURE)
    rate = rate.assign(small_by_data=measures.small_by_data(rate).to_numpy())
    agency = measures.agency_measures()
    wide = county_covariates_wide(
        COVARIATE_YEAR, panel=read_processed("county_covariates"), variables=[COVARIATE], with_years=True
    )
    joined = rate.merge(wide.drop(columns=["county"]), on="county_fips", how="left", validate="one_to_one")
    joined = joined[joined["estimate"].notna()].reset_index(drop=True)
    correlation = models.permutation_spearman(
        joined[COVARIATE], joined["estimate"], n_permutations=N_PERMUTATIONS, seed=models.DEFAULT_SEED
    )
    return Methods(
        example_county=example_county,
        share=share,
        pooled_share=measures.pooled_estimate(share),
        unresolved=measures.measure_table("unresolved_share"),
        rate=rate,
        sheriff_detainers=measures.measure_table(COUNT_MEASURE),
        agency_detainers=agency[agency["measure"] == COUNT_MEASURE].reset_index(drop=True),
        shrinkage=measures.shrinkage_sensitivity(share["numerator"], share["denominator"]),
        prior=measures.fit_beta_binomial(share["numerator"], share["denominator"]),
        joined=joined,
        correlation=correlation,
        its=its_example(),
    )
