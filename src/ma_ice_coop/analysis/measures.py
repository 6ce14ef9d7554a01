"""Cooperation measures: tidy tables with numerator, denominator, estimate and a 95% interval.

Every measure is computed for sheriff-run facilities per county (`sheriff_county_fips`); state DOC,
federal, ICE, police, court and State Police facilities are measured in their own rows
(`agency_measures`), never folded into a county. Every county appears for every measure: a zero is a
zero. Proportions carry Jeffreys intervals; counts and rates carry exact (Garwood) Poisson intervals;
complete administrative counts (days, headcounts, agreement years) carry no sampling interval (blank).

Columns of every measure table (MEASURE_COLUMNS):
county_fips, county, measure, period_start, period_end (ISO dates), numerator, denominator,
estimate, ci_low, ci_high, source.

What each measure is (kind, labels, unit, definition, coverage) lives in the measure catalogue,
data/reference/measures.yaml; the names below (MEASURES, the *_MEASURES tuples, the coverage periods) are
derived from it (analysis/definitions.py). This module is the front door: every name used as
`measures.<name>` is available here; the computations live in

- intervals.py (Jeffreys and Poisson intervals), shrinkage.py (beta-binomial empirical Bayes),
- measure_tables.py (the long table, counties, populations, jail residents),
- detainer_measures.py, decline_measures.py, jail_arrest_measures.py, detention_measures.py (one per source),
- comparison.py (small by data, the state pool, rank agreement).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ma_ice_coop.analysis.comparison import (
    SMALL_EVENT_COUNT,
    SMALL_SHARE_DENOMINATOR,
    measure_rank_agreement,
    pool_side,
    pooled_estimate,
    small_by_data,
    small_rule,
)
from ma_ice_coop.analysis.decline_measures import recorded_decline_measures, sheriff_facility_years, year_fraction
from ma_ice_coop.analysis.definitions import (
    ADMINISTRATIVE_MEASURES,
    AGREEMENT_MEASURES,
    AGREEMENTS_287G,
    COUNT_MEASURES,
    DETAINER_MEASURES,
    DETENTION_COMPLETE,
    DETENTION_MEASURES,
    FY2015_DETAINERS,
    HEADLINE_MEASURES,
    ICE_DETENTION_DAILY,
    ICE_YEAR_END_STATS,
    JAIL_ARREST_MEASURES,
    JAIL_ARRESTS,
    JAIL_RESIDENTS,
    MEASURES,
    NPR_DECLINES,
    OPERATIONAL_287G_RULE,
    RATE_MEASURES,
    SENSITIVITY_VARIANTS,
    SHARE_MEASURES,
    default_period,
    measure_coverage,
    measure_kind,
)
from ma_ice_coop.analysis.detainer_measures import agency_detainer_measures, county_detainer_measures
from ma_ice_coop.analysis.detention_measures import (
    agreement_287g_measures,
    detention_measures,
    detention_rows,
    fiscal_year_period,
    year_end_detention_measures,
)
from ma_ice_coop.analysis.intervals import poisson_interval, proportion_interval
from ma_ice_coop.analysis.jail_arrest_measures import (
    agency_jail_arrest_measures,
    jail_arrest_counts,
    jail_arrest_measures,
)
from ma_ice_coop.analysis.measure_tables import (
    AGENCY_COLUMNS,
    MEASURE_COLUMNS,
    PER_100K,
    county_frame,
    jail_host,
    jail_residents,
    population,
    sort_measures,
    with_county_names,
)
from ma_ice_coop.analysis.shrinkage import (
    PRIOR_BOUNDS,
    beta_binomial_prior,
    concentration_range,
    fit_beta_binomial,
    shrinkage_sensitivity,
    shrunken_proportions,
)
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import data_version, forget_processed_reads, read_processed
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.facilities import load_facilities
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.periods import Period, check_within

__all__ = [
    "ADMINISTRATIVE_MEASURES",
    "AGENCY_COLUMNS",
    "AGREEMENTS_287G",
    "AGREEMENT_MEASURES",
    "COUNTY_FIPS",
    "COUNT_MEASURES",
    "DETAINER_MEASURES",
    "DETENTION_COMPLETE",
    "DETENTION_MEASURES",
    "FY2015_DETAINERS",
    "HEADLINE_MEASURES",
    "ICE_DETENTION_DAILY",
    "ICE_YEAR_END_STATS",
    "JAIL_ARRESTS",
    "JAIL_ARREST_MEASURES",
    "JAIL_RESIDENTS",
    "MEASURES",
    "MEASURE_COLUMNS",
    "NPR_DECLINES",
    "OPERATIONAL_287G_RULE",
    "PER_100K",
    "PRIOR_BOUNDS",
    "RATE_MEASURES",
    "SENSITIVITY_VARIANTS",
    "SHARE_MEASURES",
    "SMALL_EVENT_COUNT",
    "SMALL_SHARE_DENOMINATOR",
    "ParameterError",
    "Period",
    "agency_detainer_measures",
    "agency_jail_arrest_measures",
    "agency_measures",
    "agreement_287g_measures",
    "beta_binomial_prior",
    "concentration_range",
    "county_detainer_measures",
    "county_frame",
    "county_measures",
    "default_period",
    "detention_measures",
    "detention_rows",
    "fiscal_year_period",
    "fit_beta_binomial",
    "jail_arrest_counts",
    "jail_arrest_measures",
    "jail_host",
    "jail_residents",
    "measure_coverage",
    "measure_kind",
    "measure_rank_agreement",
    "measure_table",
    "poisson_interval",
    "pool_side",
    "pooled_estimate",
    "population",
    "proportion_interval",
    "recorded_decline_measures",
    "sheriff_facility_years",
    "shrinkage_sensitivity",
    "shrunken_proportions",
    "side_by_side",
    "small_by_data",
    "small_rule",
    "sort_measures",
    "year_end_detention_measures",
    "year_fraction",
]


def county_measures() -> pd.DataFrame:
    """Every county measure from the processed tables, long format (MEASURE_COLUMNS), sorted."""
    covariates = read_processed("county_covariates")
    parts = [
        county_detainer_measures(read_processed("detainers"), covariates=covariates),
        recorded_decline_measures(read_processed("facility_year_declines"), load_facilities()),
        jail_arrest_measures(read_processed("jail_arrests"), covariates),
        detention_measures(read_processed("ice_detention_daily")),
        year_end_detention_measures(read_processed("ice_detention_fy")),
        agreement_287g_measures(read_processed("agreements_287g_years")),
    ]
    return sort_measures(pd.concat(parts, ignore_index=True))


def agency_measures() -> pd.DataFrame:
    """Measures for Massachusetts facilities not run by a sheriff (state DOC, federal, ICE, police, ...)."""
    parts = [
        agency_detainer_measures(read_processed("detainers")),
        agency_jail_arrest_measures(read_processed("jail_arrests")),
    ]
    return sort_measures(pd.concat(parts, ignore_index=True), key="agency_group")


# ----------------------------------------------------------------------------- one measure, one period
# One function per source (catalogue coverage key): the county table of that source's measures for a period.


def _detainer_table(measure: str, period: Period) -> pd.DataFrame:
    return county_detainer_measures(read_processed("detainers"), period, covariates=read_processed("county_covariates"))


def _jail_arrest_table(measure: str, period: Period) -> pd.DataFrame:
    if period != JAIL_ARRESTS:
        raise ParameterError(
            f"{measure} is pooled over {JAIL_ARRESTS.start}..{JAIL_ARRESTS.end} in the source "
            "(no dates per arrest): use exactly that period"
        )
    return jail_arrest_measures(read_processed("jail_arrests"), read_processed("county_covariates"))


def _detention_table(measure: str, period: Period) -> pd.DataFrame:
    return with_county_names(detention_rows(read_processed("ice_detention_daily"), period))


def _recorded_declines_table(measure: str, period: Period) -> pd.DataFrame:
    years = range(period.start.year, period.end.year + 1)
    table = recorded_decline_measures(read_processed("facility_year_declines"), load_facilities(), years)
    table = table[
        (table["period_start"] == max(date(years[0], 1, 1), NPR_DECLINES.start).isoformat())
        & (table["period_end"] == min(date(years[-1], 12, 31), NPR_DECLINES.end).isoformat())
    ]
    if table["county_fips"].duplicated().any():  # a single year: the yearly and pooled rows coincide
        table = table.drop_duplicates(subset=["county_fips"])
    return table


def _agreement_table(measure: str, period: Period) -> pd.DataFrame:
    panel = read_processed("agreements_287g_years")
    panel = panel[panel["year"].between(period.start.year, period.end.year)]
    table = agreement_287g_measures(panel)
    table = table[table["period_start"] == date(period.start.year, 1, 1).isoformat()]
    return table[table["period_end"] == date(period.end.year, 12, 31).isoformat()]


def _year_end_table(measure: str, period: Period) -> pd.DataFrame:
    table = year_end_detention_measures(read_processed("ice_detention_fy"))
    table = table[(table["period_start"] >= period.start.isoformat()) & (table["period_end"] <= period.end.isoformat())]
    if table[["period_start", "period_end"]].drop_duplicates().shape[0] != 1:
        raise ParameterError(
            "ice_adp_year_end is published per fiscal year: choose a period covering exactly one "
            "fiscal year (e.g. 2023-10-01..2024-09-30)"
        )
    return table


_TABLE_BY_COVERAGE = {
    "fy2015_detainers": _detainer_table,
    "jail_arrests": _jail_arrest_table,
    "ice_detention_daily": _detention_table,
    "npr_declines": _recorded_declines_table,
    "agreements_287g": _agreement_table,
    "ice_year_end_stats": _year_end_table,
}


def measure_table(measure: str, period: Period | None = None) -> pd.DataFrame:
    """One measure for the 14 counties over one period (default: the measure's default period).

    Detainer and detention measures are computed for any period within their coverage; recorded
    declines and 287(g) years are summed over the calendar years the period spans; ICE arrests at
    jails exist only pooled over their whole coverage; ICE year-end statistics only per fiscal year.
    """
    coverage = measure_coverage(measure)
    period = period or default_period(measure)
    check_within(period, coverage, f"measure {measure!r}")
    table = _source_table(catalogue().measure(measure).coverage, measure, period)
    table = table[table["measure"] == measure]
    return table.sort_values("county_fips", ignore_index=True)[MEASURE_COLUMNS]


_SOURCE_TABLES: dict[tuple, pd.DataFrame] = {}


def _source_table(coverage: str, measure: str, period: Period) -> pd.DataFrame:
    """All measures of one source for a period, computed once per version of the data (io.data_version) in
    a process: a county report asks for ten measures of the same sources, and a warm kernel builds one
    report after another. `measure` only names the measure in an error. Callers get a copy."""
    key = (coverage, period, data_version())
    if key not in _SOURCE_TABLES:
        if len(_SOURCE_TABLES) >= 64:
            _SOURCE_TABLES.clear()
        _SOURCE_TABLES[key] = _TABLE_BY_COVERAGE[coverage](measure, period)
    return _SOURCE_TABLES[key].copy()


def forget_cached_tables() -> None:
    """Drop the cached source tables and processed reads (tests that count reads start from nothing)."""
    _SOURCE_TABLES.clear()
    forget_processed_reads()


def side_by_side(measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """County x measure estimates (each over its default period), for comparing definitions."""
    frames = []
    for measure in measures:
        table = measure_table(measure)
        frames.append(table.set_index("county_fips")["estimate"].rename(measure))
    wide = pd.concat(frames, axis=1).reset_index()
    wide.insert(
        1,
        "county",
        wide["county_fips"].map(dict(zip(county_frame()["county_fips"], county_frame()["county"], strict=True))),
    )
    return wide
