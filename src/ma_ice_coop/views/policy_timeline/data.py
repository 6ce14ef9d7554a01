"""The data of the policy-timeline notebook: the headcount grid, facilities, declines, panels and every key event."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, KeyEvent, key_event
from ma_ice_coop.io import read_processed
from ma_ice_coop.present import figures as plots
from ma_ice_coop.tables.facilities import load_facilities
from ma_ice_coop.tables.loaders.ice_detention import FULL_COVERAGE_START
from ma_ice_coop.tables.reference import county_names, load_policy_timeline
from ma_ice_coop.views.policy_timeline.selection import timeline_selection, year_end, year_start
from ma_ice_coop.views.policy_timeline.summaries import EventSummary, Headcount, event_summary

MIN_CONTRACT_DAYS = 365
"""A sheriff facility with ICE detainees on at least this many days is shown as a county jail with an ICE
contract (the others held ICE detainees on a handful of days)."""


@dataclass
class PolicyTimeline:
    event: KeyEvent
    date: pd.Timestamp
    row: pd.Series
    timeline: pd.DataFrame  # the events shown, numbered (plots.timeline_events)
    daily: pd.DataFrame  # date x facility code (+ "statewide"), zero-filled, sheriff facilities only
    monthly: pd.DataFrame  # month x the same columns: mean daily headcount
    facilities: pd.DataFrame  # sheriff facilities with ICE detainees: code, names, county, days, first, last
    contract_codes: list[str]
    coverage: measures.Period  # the daily headcount's coverage
    complete_from: pd.Timestamp  # first day with a complete headcount
    complete_months: tuple[pd.Timestamp, pd.Timestamp]  # first and last complete month
    declines: pd.DataFrame  # recorded_declines rows per county and calendar year (2008-2015)
    declines_state: pd.DataFrame  # the same pooled over the state, per year
    panel: pd.DataFrame  # agreements_287g_years
    year_end: pd.DataFrame  # ice_detention_fy rows of sheriff facilities
    summary: EventSummary  # the chosen event
    summaries: list[EventSummary]  # every key event, in KEY_EVENTS order


def compute(event: str) -> PolicyTimeline:
    chosen = key_event(event)
    timeline = load_policy_timeline()
    facilities_ref = load_facilities()
    names = county_names()
    headcount = _headcount(facilities_ref, names)
    contract_codes = headcount.facilities.loc[
        headcount.facilities["days"] >= MIN_CONTRACT_DAYS, "facility_code"
    ].tolist()

    declines_all = measures.recorded_decline_measures(read_processed("facility_year_declines"), facilities_ref)
    declines, declines_state = _decline_tables(declines_all)
    detention_fy = read_processed("ice_detention_fy")
    sheriff_year_end = detention_fy[detention_fy["operator_type"] == "sheriff"].sort_values(
        ["fiscal_year", "facility_name"], ignore_index=True
    )

    selection = timeline_selection(timeline, names)
    numbered = plots.timeline_events(selection, start=year_start(selection), end=year_end(selection))

    summaries = [event_summary(each, timeline, headcount) for each in KEY_EVENTS.values()]
    summary = next(each for each in summaries if each.event.key == chosen.key)
    return PolicyTimeline(
        event=chosen,
        date=summary.date,
        row=summary.row,
        timeline=numbered,
        daily=headcount.daily,
        monthly=headcount.monthly,
        facilities=headcount.facilities,
        contract_codes=contract_codes,
        coverage=headcount.coverage,
        complete_from=headcount.complete_from,
        complete_months=headcount.complete_months,
        declines=declines,
        declines_state=declines_state,
        panel=read_processed("agreements_287g_years"),
        year_end=sheriff_year_end,
        summary=summary,
        summaries=summaries,
    )


def _headcount(facilities_ref: pd.DataFrame, names: dict[str, str]) -> Headcount:
    """The daily ICE headcount of the sheriff-run facilities, per day and per month, and where it is complete."""
    daily_raw = read_processed("ice_detention_daily")
    sheriff = daily_raw[daily_raw["operator_type"] == "sheriff"]
    coverage = measures.ICE_DETENTION_DAILY
    daily = _daily_grid(sheriff, coverage)
    complete_from = pd.Timestamp(FULL_COVERAGE_START)
    return Headcount(
        daily=daily,
        monthly=daily.resample("MS").mean(),
        facilities=_facility_table(sheriff, facilities_ref, names),
        coverage=coverage,
        sheriff=sheriff,
        complete_from=complete_from,
        complete_months=_complete_months(complete_from, pd.Timestamp(coverage.end)),
    )


def _complete_months(complete_from: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last calendar month whose every day is in the complete headcount."""
    last_complete = end.to_period("M").start_time if end.is_month_end else (end.to_period("M") - 1).start_time
    first_complete = complete_from.to_period("M").start_time
    if first_complete < complete_from:
        first_complete = (complete_from.to_period("M") + 1).start_time
    return first_complete, last_complete


def _daily_grid(sheriff: pd.DataFrame, coverage: measures.Period) -> pd.DataFrame:
    """Date x facility code (ICE detainees per day, 0 on days absent from the table), plus 'statewide'."""
    days = pd.date_range(pd.Timestamp(coverage.start), pd.Timestamp(coverage.end), freq="D")
    wide = (
        sheriff.groupby(["date", "facility_code"])["headcount"]
        .sum()
        .unstack("facility_code")
        .reindex(days)
        .fillna(0.0)
        .astype("float64")
    )
    wide = wide[sorted(wide.columns)]
    wide.columns = [str(code) for code in wide.columns]
    wide["statewide"] = wide.sum(axis=1)
    wide.index.name = "date"
    return wide


def _facility_table(sheriff: pd.DataFrame, facilities_ref: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    ref_names = facilities_ref.set_index("facility_id")["facility_name"]
    rows = []
    for code, group in sheriff.groupby("facility_code"):
        facility_id = str(group["facility_id"].iloc[0])
        fips = str(group["sheriff_county_fips"].iloc[0])
        rows.append(
            {
                "facility_code": str(code),
                "facility_id": facility_id,
                "facility": str(ref_names.get(facility_id, group["facility_name"].iloc[0])),
                "county_fips": fips,
                "county": names.get(fips, fips),
                "days": int(group["date"].nunique()),
                "first_day": group["date"].min(),
                "last_day": group["date"].max(),
            }
        )
    return pd.DataFrame(rows).sort_values(["county", "facility_code"], ignore_index=True)


def _decline_tables(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per county and calendar year 2008-2015 (whole years of the NPR table; 2015 ends 2015-07-19),
    and the state pool per year with an exact Poisson interval."""
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    one_year = start.dt.year == end.dt.year
    first_full = measures.NPR_DECLINES.start.year + (1 if measures.NPR_DECLINES.start.month > 1 else 0)
    per_year = rows[one_year & (start.dt.year >= first_full)].copy()
    per_year["year"] = pd.to_datetime(per_year["period_start"]).dt.year.astype(int)
    per_year = per_year.sort_values(["year", "county"], ignore_index=True)
    state = per_year.groupby(["year", "period_start", "period_end"], as_index=False)[["numerator", "denominator"]].sum()
    low, high = measures.poisson_interval(state["numerator"].to_numpy(), state["denominator"].to_numpy())
    state["estimate"] = state["numerator"] / state["denominator"]
    state["ci_low"], state["ci_high"] = low, high
    return per_year, state.sort_values("year", ignore_index=True)
