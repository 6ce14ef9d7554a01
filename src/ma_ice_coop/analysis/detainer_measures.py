"""Detainer measures (FY2015 detainer records): counts, rates per resident, custody / declined /
unresolved shares and the shrunken custody share, per county (sheriff-run facilities) and per agency group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.definitions import FY2015_DETAINERS
from ma_ice_coop.analysis.intervals import poisson_interval, proportion_interval
from ma_ice_coop.analysis.measure_tables import (
    AGENCY_COLUMNS,
    PER_100K,
    jail_residents,
    measure_rows,
    per_exposure,
    population,
    with_county_names,
)
from ma_ice_coop.analysis.shrinkage import shrinkage_sensitivity
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.periods import Period, check_within


def detainer_counts(detainers: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per key: all detainers and each outcome (custody, declined, unresolved, resolved, broad decline)."""
    d = detainers
    counts = pd.DataFrame(
        {
            "all": d.groupby(key).size(),
            "custody": d[d["outcome"] == "custody"].groupby(key).size(),
            "declined": d[d["outcome"] == "declined"].groupby(key).size(),
            "declined_broad": d[(d["outcome"] == "declined") | d["lea_release_without_transfer"]].groupby(key).size(),
            "unresolved": d[d["outcome"] == "unresolved"].groupby(key).size(),
        }
    )
    counts = counts.fillna(0).astype("int64")
    counts["resolved"] = counts["all"] - counts["unresolved"]
    return counts


def _shrunk_rows(counts: pd.DataFrame, period: Period, source: str, keys, key_name: str) -> list[pd.DataFrame]:
    """custody_share_shrunk (fitted prior) and its sensitivity rows at the ends of the concentration's range."""
    sens = shrinkage_sensitivity(counts["custody"], counts["all"])
    span = sens["range"]
    fitted = sens["fitted"]
    note = (
        f"{source} ; beta-binomial EB prior Beta({fitted['prior_alpha'].iloc[0]:.2f}, "
        f"{fitted['prior_beta'].iloc[0]:.2f})"
        + (" ; fit at a bound of the optimiser: intervals blank" if fitted["at_bound"].iloc[0] else "")
    )
    rows = [
        measure_rows(
            "custody_share_shrunk",
            period,
            counts["custody"],
            counts["all"],
            fitted["estimate"],
            fitted["ci_low"],
            fitted["ci_high"],
            note,
            keys,
            key_name,
        )
    ]
    for end in ("low", "high"):
        post = sens[end]
        cap = " (the optimiser's cap: the range is open above)" if end == "high" and span["open_high"] else ""
        rows.append(
            measure_rows(
                f"custody_share_shrunk_prior_{end}",
                period,
                counts["custody"],
                counts["all"],
                post["estimate"],
                post["ci_low"],
                post["ci_high"],
                f"{source} ; prior concentration {span[end]:.1f}{cap}, {end} end of its 95% "
                f"profile-likelihood range {span['low']:.1f}..{span['high']:.1f}",
                keys,
                key_name,
            )
        )
    return rows


JAIL_RESIDENTS_NOTE = (
    " ; county_covariates population of the residents whose prisoners the jails hold (counties.csv prisoners_held_in)"
)


def detainer_measure_rows(
    counts: pd.DataFrame,
    period: Period,
    source: str,
    keys,
    key_name: str,
    population_by_key: pd.Series | None,
    *,
    population_note: str = JAIL_RESIDENTS_NOTE,
    shrink: bool = True,
) -> list[pd.DataFrame]:
    """Detainer measures per key. Shrinkage only for counties (population_by_key given and `shrink`): agency
    groups (DOC, police, ICE offices, ...) are unrelated kinds of agency and are never pooled into one prior."""
    counts = counts.reindex(keys).fillna(0)
    rows = []
    low, high = poisson_interval(counts["all"])
    rows.append(
        measure_rows(
            "detainers_lodged", period, counts["all"], np.nan, counts["all"], low, high, source, keys, key_name
        )
    )
    if population_by_key is not None:
        pop = population_by_key.reindex(keys).to_numpy(dtype="float64")
        low, high = poisson_interval(counts["all"], pop / PER_100K)
        rows.append(
            measure_rows(
                "detainers_per_100k",
                period,
                counts["all"],
                pop,
                per_exposure(counts["all"], pop, PER_100K),
                low,
                high,
                source + population_note,
                keys,
                key_name,
            )
        )
    for measure, numerator, denominator in [
        ("custody_share", "custody", "all"),
        ("custody_share_resolved", "custody", "resolved"),
        ("declined_share", "declined", "all"),
        ("declined_share_broad", "declined_broad", "all"),
        ("unresolved_share", "unresolved", "all"),
    ]:
        k, n = counts[numerator].to_numpy(), counts[denominator].to_numpy()
        low, high = proportion_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(measure_rows(measure, period, k, n, estimate, low, high, source, keys, key_name))
    if shrink and population_by_key is not None and (counts["all"] > 0).sum() >= 2:
        rows.extend(_shrunk_rows(counts, period, source, keys, key_name))
    return rows


def detainers_in_period(detainers: pd.DataFrame, period: Period) -> pd.DataFrame:
    release_cover = FY2015_DETAINERS if set(detainers["release_id"].unique()) <= {"npr_lea"} else None
    if release_cover is not None:
        check_within(period, release_cover, "the FY2015 detainer records")
    ma = detainers[(detainers["facility_state"] == "MASSACHUSETTS") & period.contains(detainers["prepare_date"])]
    return ma


def county_detainer_measures(
    detainers: pd.DataFrame, period: Period = FY2015_DETAINERS, *, covariates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Detainer measures for each county's sheriff-run facilities (all 14 counties)."""
    ma = detainers_in_period(detainers, period)
    sheriff = ma[ma["operator_type"] == "sheriff"]
    counts = detainer_counts(sheriff, "sheriff_county_fips")
    source = "detainers (" + ", ".join(sorted(ma["source_file"].unique())) + ")"
    pop = jail_residents(population(period.end.year, covariates))
    rows = detainer_measure_rows(counts, period, source, COUNTY_FIPS, "county_fips", pop)
    return with_county_names(pd.concat(rows, ignore_index=True))


def agency_detainer_measures(detainers: pd.DataFrame, period: Period = FY2015_DETAINERS) -> pd.DataFrame:
    """The same detainer measures for Massachusetts facilities not run by a sheriff, by operator type."""
    ma = detainers_in_period(detainers, period)
    other = ma[ma["operator_type"] != "sheriff"]
    groups = sorted(other["operator_type"].unique())
    counts = detainer_counts(other, "operator_type")
    source = "detainers (" + ", ".join(sorted(ma["source_file"].unique())) + ")"
    rows = detainer_measure_rows(counts, period, source, groups, "agency_group", None)
    return pd.concat(rows, ignore_index=True)[AGENCY_COLUMNS]
