"""Detainer measures per year from the extended releases (fiscal and calendar years, 2008 onward).

Input: the `extended_monthly` table (counts of detainers per release, month, facility state, sheriff county,
outcome, unlisted facility; `kept` says whether the de-duplication rule keeps them). Only kept rows are measured,
so each row of the output names the release(s) its detainers come from. For each county (sheriff-run facilities
placed in it, as in the national measures), each state (every facility placed in it) and the country:

- detainers lodged and the counts of each outcome; unresolved (no lift reason) counted, never dropped;
- custody, declined, broad-declined and unresolved shares of all detainers, each with a 95% Jeffreys interval;
- `near_cutoff_detainers`: detainers prepared within CENSOR_DAYS of their release's cut-off, whose outcome may
  not have been recorded yet (right-censoring: the unresolved share is then too high and the others too low);
- `days_covered`: the days of the year that some loaded release covers (a year not wholly covered is partial).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.analysis.intervals import proportion_interval

YEAR_TYPES = ("fiscal", "calendar")
SHARES = {
    "custody_share": "custody",
    "declined_share": "declined",
    "declined_share_broad": "declined_broad",
    "unresolved_share": "unresolved",
}
OUTCOME_COUNTS = ("custody", "declined", "lifted", "administrative", "unresolved", "unmapped")
COLUMN_NOTES = {
    "geography": "county (the sheriff-run facilities placed in the county), state (every facility placed in the "
    "state) or national (every detainer, placed or not)",
    "county_fips": "5-digit FIPS of the county (county rows only)",
    "facility_state": "upper-case state name (county and state rows)",
    "year_type": "fiscal (US federal, October-September, named by the year it ends) or calendar",
    "year": "the fiscal or calendar year",
    "releases": "the release(s) the year's detainers come from (data/sources.yaml, use: extended; npr_lea includes "
    "the core FY2015 file), joined by +",
    "detainers": "detainers lodged (kept by the de-duplication rule)",
    "custody, declined, lifted, administrative, unresolved, unmapped": "detainers by outcome "
    "(data/reference/lift_reason_outcomes.csv); unresolved = no lift reason; unmapped = a lift reason not in that "
    "table (listed in the extended build's output)",
    "declined_broad": "declined plus lifts that say the person left local custody without a transfer",
    "near_cutoff_detainers": "detainers prepared within 180 days of their release's cut-off (outcome possibly not "
    "yet recorded)",
    "unlisted_detainers": "detainers at a facility code or string no crosswalk lists (not placed in a county; "
    "counted in their state's and the national rows only)",
    "days_covered, days_in_year": "days of the year inside the loaded releases' windows, and days in the year",
    "custody_share, declined_share, declined_share_broad, unresolved_share": "share of all detainers (0-1); "
    "_low and _high: 95% Jeffreys interval",
}
"""What each column of extended_year_measures holds (the extended download's README)."""


def _year(months: pd.Series, year_type: str) -> pd.Series:
    if year_type == "fiscal":
        return months.dt.year + (months.dt.month >= 10).astype("int64")
    return months.dt.year.astype("int64")


def _counts(kept: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Detainers and outcome counts per group of `keys`."""
    wide = kept.pivot_table(index=keys, columns="outcome", values="detainers", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(OUTCOME_COUNTS), fill_value=0)
    wide.columns.name = None
    broad = kept[kept["lea_release_without_transfer"]].groupby(keys)["detainers"].sum()
    near = kept[kept["near_cutoff"]].groupby(keys)["detainers"].sum()
    unlisted = kept[kept["unlisted"]].groupby(keys)["detainers"].sum()
    releases = kept.sort_values("month").groupby(keys)["release_id"].agg(lambda r: "+".join(dict.fromkeys(r)))
    out = wide.assign(
        detainers=wide.sum(axis=1),
        declined_broad=wide["declined"] + broad.reindex(wide.index, fill_value=0),
        near_cutoff_detainers=near.reindex(wide.index, fill_value=0),
        unlisted_detainers=unlisted.reindex(wide.index, fill_value=0),
        releases=releases.reindex(wide.index),
    )
    return out.reset_index()


def _with_shares(table: pd.DataFrame) -> pd.DataFrame:
    for share, count in SHARES.items():
        low, high = proportion_interval(table[count], table["detainers"])
        with np.errstate(invalid="ignore", divide="ignore"):
            table[share] = np.where(table["detainers"] > 0, table[count] / table["detainers"], np.nan)
        table[f"{share}_low"], table[f"{share}_high"] = low, high
    return table


def days_covered(windows: pd.DataFrame, year: int, year_type: str) -> int:
    """Days of one fiscal or calendar year inside the release windows (start, end inclusive)."""
    start = pd.Timestamp(year - 1, 10, 1) if year_type == "fiscal" else pd.Timestamp(year, 1, 1)
    end = pd.Timestamp(year, 9, 30) if year_type == "fiscal" else pd.Timestamp(year, 12, 31)
    days = 0
    for w_start, w_end in zip(windows["start"], windows["end"], strict=True):
        lo, hi = max(start, pd.Timestamp(w_start)), min(end, pd.Timestamp(w_end))
        days += max((hi - lo).days + 1, 0)
    return days


def year_measures(monthly: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """One row per geography (county, state, national) x year type x year: counts, shares and intervals, the
    releases named, near-cut-off counts and days covered."""
    kept = monthly[monthly["kept"]]
    frames = []
    for year_type in YEAR_TYPES:
        rows = kept.assign(year_type=year_type, year=_year(kept["month"], year_type))
        county = rows[rows["sheriff_county_fips"] != ""]
        levels = (
            ("county", county, ["sheriff_county_fips", "facility_state"]),
            ("state", rows[rows["facility_state"] != ""], ["facility_state"]),
            ("national", rows, []),
        )
        for geography, part, keys in levels:
            if part.empty:
                continue
            table = _counts(part, ["year_type", "year", *keys]).assign(geography=geography)
            frames.append(table)
    table = pd.concat(frames, ignore_index=True).rename(columns={"sheriff_county_fips": "county_fips"})
    table = table.reindex(columns=[*_ID_COLUMNS, *[c for c in table.columns if c not in _ID_COLUMNS]])
    table["county_fips"] = table["county_fips"].fillna("").astype("str")
    table["facility_state"] = table["facility_state"].fillna("").astype("str")
    covered = {(t, y): days_covered(windows, y, t) for t, y in set(zip(table["year_type"], table["year"], strict=True))}
    table["days_covered"] = [covered[k] for k in zip(table["year_type"], table["year"], strict=True)]
    table["days_in_year"] = [_days_in_year(y, t) for t, y in zip(table["year_type"], table["year"], strict=True)]
    table = _with_shares(table)
    return table.sort_values(["geography", "county_fips", "facility_state", "year_type", "year"], ignore_index=True)


_ID_COLUMNS = ["geography", "county_fips", "facility_state", "year_type", "year", "releases"]


def _days_in_year(year: int, year_type: str) -> int:
    if year_type == "fiscal":
        return (pd.Timestamp(year, 9, 30) - pd.Timestamp(year - 1, 10, 1)).days + 1
    return 366 if pd.Timestamp(year, 1, 1).is_leap_year else 365


def monthly_series(monthly: pd.DataFrame, *, state: str | None = None, county_fips: str | None = None) -> pd.DataFrame:
    """Kept detainers per month (one geography): month, detainers, custody, custody_share, near_cutoff
    (any detainer of the month near its release's cut-off). Months with no loaded release are absent."""
    kept = monthly[monthly["kept"]]
    if state is not None:
        kept = kept[kept["facility_state"] == state]
    if county_fips is not None:
        kept = kept[kept["sheriff_county_fips"] == county_fips]
    total = kept.groupby("month")["detainers"].sum()
    custody = kept[kept["outcome"] == "custody"].groupby("month")["detainers"].sum().reindex(total.index, fill_value=0)
    near = kept[kept["near_cutoff"]].groupby("month")["detainers"].sum().reindex(total.index, fill_value=0)
    out = pd.DataFrame({"detainers": total, "custody": custody, "near_cutoff": near > 0})
    out["custody_share"] = out["custody"] / out["detainers"]
    return out.rename_axis("month").reset_index()
