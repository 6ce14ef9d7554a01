"""What the national notebook and the county reports' national section read, computed once per version of the
data in a process: the national measure table, the national covariate panel, county populations and how much
of each state's FY2015 detainers could be placed in a county and classified."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis.national_measures import (
    POPULATION_YEAR,
    national_counties,
    national_county_measures,
    national_detainer_measures,
)
from ma_ice_coop.io import data_version, read_processed
from ma_ice_coop.tables.us_counties import us_counties

STATELESS = "(no state recorded)"


@dataclass(frozen=True)
class NationalInputs:
    measures: pd.DataFrame  # the FY2015 detainer measures of national_county_measures (NATIONAL_COLUMNS)
    covariates: pd.DataFrame  # national_county_covariates (long)
    population: pd.Series  # county_fips -> residents in POPULATION_YEAR
    placement: pd.DataFrame  # placement_by_state
    rule_placed: pd.DataFrame  # detainer measures counting only rows placed by a rule (no gazetteer, no hand)
    outcomes: pd.DataFrame  # outcomes_by_placement


def placement_by_state(detainers: pd.DataFrame) -> pd.DataFrame:
    """Per state as recorded (STATELESS for none): detainers, placed in a county, classified (operator known),
    sheriff-run and placed, and the shares placed and classified. Sorted by detainers, largest first."""
    state = detainers["facility_state"].fillna(STATELESS)
    placed = detainers["county_fips"].notna()
    classified = detainers["operator_type"].notna() & (detainers["operator_type"] != "unknown")
    sheriff = (detainers["operator_type"] == "sheriff") & detainers["sheriff_county_fips"].notna()
    table = (
        pd.DataFrame(
            {
                "state_name": state,
                "detainers": 1,
                "placed": placed.astype(int),
                "classified": classified.astype(int),
                "sheriff_placed": sheriff.astype(int),
            }
        )
        .groupby("state_name", as_index=False)
        .sum()
    )
    abbreviations = dict(zip(us_counties()["state_name"], us_counties()["state_abbr"], strict=False))
    table.insert(0, "state", table["state_name"].map(abbreviations).fillna(""))
    table["placed_share"] = table["placed"] / table["detainers"]
    table["classified_share"] = table["classified"] / table["detainers"]
    return table.sort_values(["detainers", "state_name"], ascending=[False, True], ignore_index=True)


RULE_METHODS = ("rule", "ma_crosswalk")


def outcomes_by_placement(detainers: pd.DataFrame) -> pd.DataFrame:
    """Outcome shares of the detainers by where they could be placed: sheriff-run facilities placed in a county,
    other facilities placed in a county, and rows that could not be placed (or whose operator is unknown).
    Columns: group, detainers, custody, declined, unresolved (shares 0-1)."""
    placed = detainers["county_fips"].notna() & (detainers["operator_type"].fillna("unknown") != "unknown")
    group = pd.Series("not placed, or operator unknown", index=detainers.index)
    group[placed] = "other facilities, placed"
    group[placed & (detainers["operator_type"] == "sheriff")] = "sheriff-run facilities, placed"
    outcome = pd.crosstab(group, detainers["outcome"])
    shares = outcome.div(outcome.sum(axis=1), axis=0)
    table = pd.DataFrame({"detainers": outcome.sum(axis=1)})
    for name in ("custody", "declined", "unresolved"):
        table[name] = shares[name] if name in shares else 0.0
    return table.rename_axis("group").reset_index()


_CACHE: dict[tuple, NationalInputs] = {}


def national_inputs() -> NationalInputs:
    """The national inputs for the current data (recomputed when a processed or reference file changes): the
    FY2015 detainer measures of every county (the national notebook and the county reports' comparison; the
    detention and 287(g) measures are in the download, national_measures_download)."""
    key = data_version()
    if key not in _CACHE:
        _CACHE.clear()
        detainers = read_processed("detainers")
        covariates = read_processed("national_county_covariates")
        frame = national_counties(covariates, us_counties())
        _CACHE[key] = NationalInputs(
            national_detainer_measures(detainers, frame),
            covariates,
            frame.set_index("county_fips")["population"],
            placement_by_state(detainers),
            national_detainer_measures(detainers[detainers["placement_method"].isin(RULE_METHODS)], frame),
            outcomes_by_placement(detainers),
        )
    return _CACHE[key]


def national_measures_download() -> pd.DataFrame:
    """Every national measure (reports/data/national_county_measures.csv): detainers, detention, 287(g)."""
    return national_county_measures(
        read_processed("detainers"),
        read_processed("national_ice_detention_daily"),
        read_processed("national_agreements_287g"),
        read_processed("national_county_covariates"),
        us_counties(),
    )


__all__ = [
    "POPULATION_YEAR",
    "NationalInputs",
    "national_inputs",
    "national_measures_download",
    "outcomes_by_placement",
    "placement_by_state",
]
