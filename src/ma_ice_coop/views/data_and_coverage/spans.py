"""The segments and points of the coverage timeline, and the table beside it (one row per dataset).

Spans come from the coverage constants of `ma_ice_coop.analysis.measures` (which the measures enforce);
the table adds what each processed table actually holds, so the two can be compared.
"""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import fmt_num
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.loaders.ice_detention import FULL_COVERAGE_START
from ma_ice_coop.views.data_and_coverage.definitions import COVARIATE_GROUPS, ELECTION_DATE, OTHER_COVARIATES
from ma_ice_coop.views.data_and_coverage.formatting import day_text, fiscal_years_label, year_list
from ma_ice_coop.views.data_and_coverage.record_counts import ma_detainers


def _segment(dataset: str, start, end, kind: str) -> dict:
    return {"dataset": dataset, "start": pd.Timestamp(start), "end": pd.Timestamp(end), "kind": kind}


def _table_row(dataset: str, period: measures.Period, dates_from: str, held: str) -> dict:
    return {
        "dataset": dataset,
        "coverage start": period.start.isoformat(),
        "coverage end": period.end.isoformat(),
        "dates from": dates_from,
        "in the processed table": held,
    }


def _one_span(dataset: str, period: measures.Period, kind: str, constant: str, held: str):
    """A dataset drawn as one span over its measure's coverage period: ([segment], table row)."""
    return [_segment(dataset, period.start, period.end, kind)], _table_row(dataset, period, constant, held)


def _detainer_coverage(detainers: pd.DataFrame, fy_label: str):
    period = measures.FY2015_DETAINERS
    ma = ma_detainers(detainers)
    held = (
        f"{fmt_num(len(detainers))} detainers nationally, prepared {day_text(detainers['prepare_date'].min())} to "
        f"{day_text(detainers['prepare_date'].max())}; {fmt_num(len(ma))} at Massachusetts facilities "
        f"({day_text(ma['prepare_date'].min())} to {day_text(ma['prepare_date'].max())})"
    )
    name = f"ICE detainer records with outcomes ({fy_label}, to {day_text(period.end)})"
    return _one_span(name, period, "records", "measures.FY2015_DETAINERS", held)


def _declines_coverage(declines: pd.DataFrame):
    held = (
        f"{fmt_num(len(declines))} Massachusetts facility-years with a recorded decline, calendar years "
        f"{declines['year'].min()}-{declines['year'].max()}; absent facility-years had none"
    )
    name = "ICE-recorded declined detainers per facility-year (NPR)"
    return _one_span(name, measures.NPR_DECLINES, "annual", "measures.NPR_DECLINES", held)


def _arrests_coverage(arrests: pd.DataFrame):
    held = (
        f"{fmt_num(len(arrests))} landmarks, {fmt_num(arrests['arrests'].sum())} arrests, each one total for "
        f"{day_text(arrests['period_start'].min())} to {day_text(arrests['period_end'].max())}"
    )
    name = "ICE arrests by landmark (pooled, no years)"
    return _one_span(name, measures.JAIL_ARRESTS, "pooled", "measures.JAIL_ARRESTS", held)


def _detention_daily_coverage(daily: pd.DataFrame):
    """Daily headcounts: an undercounting span before FULL_COVERAGE_START, full records from it."""
    period = measures.ICE_DETENTION_DAILY
    full = FULL_COVERAGE_START
    name = "ICE detention headcount per facility and day"
    segments = [
        _segment(name, period.start, full - pd.Timedelta(days=1), "undercount"),
        _segment(name, full, period.end, "records"),
    ]
    before = daily[daily["before_full_coverage"]]
    held = (
        f"{fmt_num(len(daily))} facility-days with at least one detainee, {day_text(daily['date'].min())} to "
        f"{day_text(daily['date'].max())}; {fmt_num(len(before))} of them before {day_text(full)} undercount"
    )
    constant = "measures.ICE_DETENTION_DAILY; loaders.ice_detention.FULL_COVERAGE_START"
    return segments, _table_row(name, period, constant, held)


def _year_end_coverage(year_end: pd.DataFrame):
    held = (
        f"{fmt_num(len(year_end))} facility-years, FY{year_end['fiscal_year'].min()}-"
        f"FY{year_end['fiscal_year'].max()}, last data through {year_end['data_through'].max()}"
    )
    name = "ICE year-end detention statistics (per fiscal year)"
    return _one_span(name, measures.ICE_YEAR_END_STATS, "annual", "measures.ICE_YEAR_END_STATS", held)


def _agreements_coverage(agreements: pd.DataFrame):
    held = (
        f"{fmt_num(len(agreements))} agency-years ({agreements['agency'].nunique()} agencies), years "
        f"{agreements['year'].min()}-{agreements['year'].max()}"
    )
    name = "287(g) agreements per agency and year"
    return _one_span(name, measures.AGREEMENTS_287G, "annual", "measures.AGREEMENTS_287G", held)


def point_dates(rows: pd.DataFrame) -> list[pd.Timestamp]:
    """Dates of the single-year values of a covariate group: election dates, else July 1 of the year."""
    dates = set()
    for years, vintages in zip(rows["years"], rows["vintages"], strict=True):
        elections = {
            int(match.group(1)[:4]): pd.Timestamp(match.group(1))
            for vintage in vintages
            if (match := ELECTION_DATE.search(vintage))
        }
        for year in years:
            dates.add(elections.get(year, pd.Timestamp(year=year, month=7, day=1)))
    return sorted(dates)


def _covariate_coverage(covariates: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """One point per year with a value, and one table row, for each covariate group present."""
    segments, table = [], []
    for label, _test in (*COVARIATE_GROUPS, (OTHER_COVARIATES, None)):
        rows = covariates[covariates["group"] == label]
        if rows.empty:
            continue
        dates = point_dates(rows)
        segments += [_segment(label, date, date, "point") for date in dates]
        years = sorted({year for row_years in rows["years"] for year in row_years})
        period = measures.Period(dates[0].date(), dates[-1].date())
        names = "; ".join(rows["variable"].map(catalogue().short_label))
        held = f"{len(rows)} variable(s): {names}; years {year_list(years)}"
        table.append(_table_row(label, period, "county_covariates (years with a value)", held))
    return segments, table


def coverage_spans(processed: dict, covariates: pd.DataFrame, facts: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and points of the coverage timeline, and the table beside it; records their numbers in `facts`."""
    declines, daily = processed["facility_year_declines"], processed["ice_detention_daily"]
    datasets = [
        _detainer_coverage(processed["detainers"], fiscal_years_label(facts)),
        _declines_coverage(declines),
        _arrests_coverage(processed["jail_arrests"]),
        _detention_daily_coverage(daily),
        _year_end_coverage(processed["ice_detention_fy"]),
        _agreements_coverage(processed["agreements_287g_years"]),
    ]
    segments = [segment for dataset_segments, _row in datasets for segment in dataset_segments]
    table = [row for _segments, row in datasets]
    covariate_segments, covariate_rows = _covariate_coverage(covariates)
    before = daily[daily["before_full_coverage"]]
    facts["detention_full_start"] = FULL_COVERAGE_START
    facts["detention_days_before"] = len(before)
    facts["detention_person_days_before"] = int(before["headcount"].sum())
    facts["detention_person_days"] = int(daily["headcount"].sum())
    facts["declines_total"] = int(declines["recorded_declines"].sum())
    facts["declines_years"] = (
        (int(declines["year"].min()), int(declines["year"].max())) if len(declines) else (None, None)
    )
    facts["declines_facility_years"] = len(declines)
    return pd.DataFrame(segments + covariate_segments), pd.DataFrame(table + covariate_rows)
