"""The extended tables as the reports read them (data/processed/extended/, built by `make extended`).

Every function raises a clear error when the extended releases are not loaded; reports call them only when
their `extended` parameter is true.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ma_ice_coop import config, io
from ma_ice_coop.analysis.extended_its import key_event_frame
from ma_ice_coop.analysis.key_events import KEY_EVENTS
from ma_ice_coop.tables.reference import county_names

MA_STATE = "MASSACHUSETTS"
FIRST_YEAR = 2008  # the first full fiscal year of the NPR files (FY2008 begins 2007-10-01)


@lru_cache(maxsize=2)
def _year_measures(version: tuple) -> pd.DataFrame:
    return io.read_extended("extended_year_measures")


def data_version() -> tuple:
    """Names, sizes and modification times of the extended tables: a key for caches of what is derived from them."""
    folder = config.extended_processed_dir()
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.parquet")))


def year_measures() -> pd.DataFrame:
    """extended_year_measures (a copy): one row per geography x year type x year."""
    return _year_measures(data_version()).copy()


def monthly_counts() -> pd.DataFrame:
    """extended_monthly: detainers per release, month, state, sheriff county and outcome (kept flag included)."""
    return io.read_extended("extended_monthly")


def release_windows() -> pd.DataFrame:
    """extended_windows: which release supplies the detainers of which dates, and each release's cut-off."""
    return io.read_extended("extended_windows")


def county_years(county_fips: str, year_type: str = "fiscal") -> pd.DataFrame:
    """The county's sheriff-run facilities, one row per year from FIRST_YEAR (years no release covers absent)."""
    table = year_measures()
    rows = table[(table["geography"] == "county") & (table["county_fips"] == county_fips)]
    return _years(rows, year_type)


def state_years(state: str = MA_STATE, year_type: str = "fiscal") -> pd.DataFrame:
    """Every facility placed in the state (sheriffs', state prisons', federal), one row per year."""
    table = year_measures()
    rows = table[(table["geography"] == "state") & (table["facility_state"] == state)]
    return _years(rows, year_type)


def ma_counties_years(year_type: str = "fiscal") -> pd.DataFrame:
    """The 14 Massachusetts counties' rows (county_fips, county name added), one row per county and year."""
    table = year_measures()
    names = county_names()
    rows = table[(table["geography"] == "county") & table["county_fips"].isin(list(names))]
    return _years(rows, year_type).assign(county=lambda t: t["county_fips"].map(names))


def _years(rows: pd.DataFrame, year_type: str) -> pd.DataFrame:
    rows = rows[(rows["year_type"] == year_type) & (rows["year"] >= FIRST_YEAR)]
    return rows.sort_values(["county_fips", "year"], ignore_index=True)


def coverage_spans() -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """(start, end, release) of each window, in date order; the gaps between them have no detainer records."""
    windows = release_windows().sort_values("start")
    return [
        (pd.Timestamp(s), pd.Timestamp(e), r)
        for s, e, r in zip(windows["start"], windows["end"], windows["release_id"], strict=True)
    ]


def events_for(county_fips: str | None = None) -> pd.DataFrame:
    """The key events to mark on a time axis (key, date, label, category): the statewide ones and the county's."""
    keys = [e.key for e in KEY_EVENTS.values() if e.county_fips in ("", county_fips or "")]
    return key_event_frame(keys).sort_values("date", ignore_index=True)
