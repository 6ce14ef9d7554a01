"""The HTML tables of the policy-timeline notebook (escaped, deterministic)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from IPython.display import HTML

from ma_ice_coop.present.report import fmt_num, html_table, md
from ma_ice_coop.present.text import html_source_links, year_ranges
from ma_ice_coop.tables.reference import county_names
from ma_ice_coop.views.policy_timeline.data import PolicyTimeline
from ma_ice_coop.views.policy_timeline.findings import short_name
from ma_ice_coop.views.policy_timeline.selection import CATEGORY_LABELS
from ma_ice_coop.views.policy_timeline.summaries import WINDOW_MONTHS, EventSummary
from ma_ice_coop.views.policy_timeline.windows import COMPARE_MONTHS, before_after, events_in_window
from ma_ice_coop.views.policy_timeline.wording import date_text

COVERED = {
    (True, True): "before and after",
    (True, False): "before only",
    (False, True): "after only",
    (False, False): "none",
}
"""A source's coverage of an event (covers some of the months before, some after) in words."""


def _one_decimal(value) -> str:
    return fmt_num(value, 1)


def _timeline_cells(row, chosen: bool) -> list[str]:
    precision = "" if row.date_precision == "day" else f" ({html.escape(str(row.date_precision))})"
    wording = html.escape(str(row.event))
    return [
        str(row.number),
        html.escape(str(row.date_text)) + precision,
        html.escape(CATEGORY_LABELS.get(row.category, row.category)),
        html.escape(str(row.who)),
        f"<strong>{wording}</strong>" if chosen else wording,
        html_source_links(row.source_url),
    ]


def timeline_table(timeline: PolicyTimeline):
    """The numbered events of the figure, with their wording and source links (escaped HTML)."""
    head = ["number", "date", "category", "who", "event", "source"]
    body = []
    for row in timeline.timeline.itertuples():
        cells = _timeline_cells(row, row.key == timeline.event.key)
        body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    caption = (
        "Events in the timeline figure (the chosen event in bold); dates at the precision the sources give "
        "(month or year precision is drawn at the first day)"
    )
    table = (
        '<table border="0" class="dataframe ma-table"><thead><tr>'
        + "".join(f"<th>{name}</th>" for name in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    return HTML(f'<p class="ma-caption">{html.escape(caption)}</p>' + table)


def availability_html(timeline: PolicyTimeline):
    available = timeline.summary.availability
    yes = {True: "yes", False: "no"}
    shown = pd.DataFrame(
        {
            "source": available["source"],
            "coverage": available["coverage"],
            f"within {WINDOW_MONTHS} months before": available["before"].map(yes),
            f"within {WINDOW_MONTHS} months after": available["after"].map(yes),
        }
    )
    return html_table(shown, caption=f"Data around {timeline.event.label} ({timeline.row['date']})")


# --------------------------------------------------------------------------------------------
# ICE detention headcount per facility


def _facility_rows(timeline: PolicyTimeline) -> pd.DataFrame:
    contract = timeline.facilities[timeline.facilities["facility_code"].isin(timeline.contract_codes)]
    rows = []
    for facility in contract.itertuples():
        means = before_after(timeline, series=facility.facility_code)
        rows.append(
            {
                "county": facility.county,
                "facility": facility.facility,
                "ICE code": facility.facility_code,
                "days with ICE detainees": facility.days,
                "first day": str(facility.first_day.date()),
                "last day": str(facility.last_day.date()),
                f"mean per day, {COMPARE_MONTHS} months before": means["before"] if means["n_before"] else np.nan,
                f"mean per day, {COMPARE_MONTHS} months after": means["after"] if means["n_after"] else np.nan,
            }
        )
    return pd.DataFrame(rows)


def facility_table(timeline: PolicyTimeline):
    shown = _facility_rows(timeline)
    formats = {column: _one_decimal for column in shown.columns if column.startswith("mean per day")}
    formats["days with ICE detainees"] = fmt_num
    table = html_table(
        shown,
        caption=(
            f"County jails with ICE contracts: days with ICE detainees "
            f"({timeline.coverage.start}..{timeline.coverage.end}; days before "
            f"{timeline.complete_from.date()} undercount) and the mean daily headcount in the "
            f"complete months before and after {timeline.event.label} ({timeline.row['date']}); "
            "– = no complete month"
        ),
        formats=formats,
    )
    panel = year_panel(timeline)
    per_year = html_table(
        panel,
        caption=(
            "Mean daily ICE headcount per federal fiscal year (October-September) in each county jail with an ICE "
            f"contract and in all sheriff-run facilities: read year by year; years before "
            f"{timeline.complete_from.date()} undercount, so no mean over the whole series is given"
        ),
        formats={column: _one_decimal for column in panel.columns if column not in ("fiscal year", "days", "data")},
    )
    return HTML(table.data + "\n" + per_year.data)


def _year_data_note(first: pd.Timestamp, last: pd.Timestamp, year: int, complete_from: pd.Timestamp) -> str:
    """Whether a fiscal year of the daily series undercounts, is complete, or is complete on part of the year."""
    full_year = first == pd.Timestamp(year=year - 1, month=10, day=1) and last == pd.Timestamp(
        year=year, month=9, day=30
    )
    if last < complete_from:
        return "undercount (before " + str(complete_from.date()) + ")"
    if full_year:
        return "complete"
    return f"complete, part of the year ({first.date()}..{last.date()})"


def year_panel(timeline: PolicyTimeline) -> pd.DataFrame:
    """Per federal fiscal year: days in the series, whether they undercount, and the mean daily ICE headcount
    of each contract jail and of all sheriff-run facilities (the per-year panel, never a whole-period mean)."""
    names = dict(zip(timeline.facilities["facility_code"], timeline.facilities["county"], strict=True))
    daily = timeline.daily
    fiscal_year = daily.index.year + (daily.index.month >= 10)
    rows = []
    for year in sorted(set(fiscal_year)):
        days = daily[fiscal_year == year]
        first, last = days.index.min(), days.index.max()
        rows.append(
            {
                "fiscal year": f"FY{int(year)}",
                "days": len(days),
                "data": _year_data_note(first, last, int(year), timeline.complete_from),
                **{f"{names[code]} ({code})": float(days[code].mean()) for code in timeline.contract_codes},
                "all sheriff-run facilities": float(days["statewide"].mean()),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Interrupted time series


def _p_value_text(value) -> str:
    return "<0.001" if value < 0.001 else fmt_num(value, 3)


def _two_decimals(value) -> str:
    return fmt_num(value, 2)


def its_table(timeline: PolicyTimeline):
    summary = timeline.summary
    if summary.its_reason:
        return md(f"_No coefficient table: {summary.its_reason}._")
    coefficients = summary.its.coefficients
    intervals = zip(coefficients["ci_low"], coefficients["ci_high"], strict=True)
    shown = pd.DataFrame(
        {
            "term": coefficients["term"],
            "estimate": coefficients["estimate"].map(_two_decimals),
            "95% CI": [f"{fmt_num(low, 2)} to {fmt_num(high, 2)}" for low, high in intervals],
            "std. error (HAC)": coefficients["std_error"].map(_two_decimals),
            "p-value": coefficients["p_value"].map(_p_value_text),
        }
    )
    return html_table(
        shown,
        caption=(
            f"Segmented regression of the monthly mean daily ICE headcount "
            f"(persons) in {summary.series_label} around {timeline.event.label} ({timeline.row['date']})"
        ),
    )


# --------------------------------------------------------------------------------------------
# Recorded declines


def _count_pairs(years, numerators, denominators) -> dict[int, str]:
    """'declines/facility-years' per year."""
    return {
        int(year): f"{int(count)}/{int(total)}"
        for year, count, total in zip(years, numerators, denominators, strict=True)
    }


def declines_table(timeline: PolicyTimeline):
    declines = timeline.declines
    years = sorted(declines["year"].unique())
    per_county = {}
    for (county,), rows in declines.groupby(["county"]):
        per_county[county] = _count_pairs(rows["year"], rows["numerator"], rows["denominator"])
    table_rows = []
    for county in sorted(per_county):
        own = declines[declines["county"] == county]
        table_rows.append(
            {
                "county": county,
                **{str(year): per_county[county].get(year, "–") for year in years},
                "total": f"{int(own['numerator'].sum())}/{int(own['denominator'].sum())}",
            }
        )
    state = timeline.declines_state
    statewide = _count_pairs(state["year"], state["numerator"], state["denominator"])
    table_rows.append(
        {
            "county": "statewide",
            **{str(year): pairs for year, pairs in statewide.items()},
            "total": f"{int(state['numerator'].sum())}/{int(state['denominator'].sum())}",
        }
    )
    return html_table(
        pd.DataFrame(table_rows),
        caption=(
            "Recorded declines / sheriff facility-years, per county and year "
            "(0/0: the county had no sheriff facility in the crosswalk that "
            "year)"
        ),
    )


# --------------------------------------------------------------------------------------------
# 287(g) panel


def _agencies(timeline: PolicyTimeline) -> list[tuple[str, str]]:
    """(agency key, display name): the 14 sheriffs by county name, then the state DOC."""
    panel = timeline.panel
    names = county_names()
    sheriffs = sorted({names.get(fips, fips) for fips in panel.loc[panel["agency_type"] == "sheriff", "county_fips"]})
    rows = [(name, name) for name in sheriffs]
    if (panel["agency_type"] == "state_doc").any():
        rows.append(("state DOC", "State DOC (not a county)"))
    return rows


def panel_matrix(timeline: PolicyTimeline) -> tuple[list[str], list[int], np.ndarray]:
    """Agency labels, calendar years and a 0/1 matrix (agency x year) of an operational 287(g) agreement."""
    panel = timeline.panel.copy()
    names = county_names()
    panel["name"] = [
        names.get(fips, fips) if agency_type == "sheriff" else "state DOC"
        for fips, agency_type in zip(panel["county_fips"].fillna(""), panel["agency_type"], strict=True)
    ]
    years = sorted(int(year) for year in panel["year"].unique())
    agencies = _agencies(timeline)
    flags = panel.set_index(["name", "year"])["agreement_287g_operational"]
    in_force = np.array(
        [[1.0 if bool(flags.get((agency, year), False)) else 0.0 for year in years] for agency, _ in agencies]
    )
    return [label for _, label in agencies], years, in_force


def agreements_table(timeline: PolicyTimeline):
    labels, years, in_force = panel_matrix(timeline)
    rows = [
        {
            "agency": label,
            "years in force": year_ranges([year for year, flag in zip(years, row, strict=True) if flag], empty="none"),
            "number of years": int(row.sum()),
        }
        for label, row in zip(labels, in_force, strict=True)
    ]
    return html_table(pd.DataFrame(rows), caption=f"287(g) agreement years per agency, {years[0]}-{years[-1]}")


# --------------------------------------------------------------------------------------------
# ICE year-end statistics


def year_end_table(timeline: PolicyTimeline):
    year_end = timeline.year_end
    years = sorted(int(year) for year in year_end["fiscal_year"].unique())
    rows = []
    for facility_id in sorted(year_end["facility_id"].unique()):
        own = year_end[year_end["facility_id"] == facility_id].set_index("fiscal_year")
        rows.append(
            {
                "facility": short_name(facility_id, timeline) + " (" + str(own["facility_name"].iloc[0]) + ")",
                **{
                    f"FY{year}": (fmt_num(own.loc[year, "adp_total"], 1) if year in own.index else "not listed")
                    for year in years
                },
            }
        )
    through = year_end.groupby("fiscal_year")["data_through"].first()
    caption = (
        "ICE average daily population per sheriff facility by fiscal year (each runs from October 1; data "
        "through: " + ", ".join(f"FY{int(year)} {through[year]}" for year in years) + ")"
    )
    return html_table(pd.DataFrame(rows), caption=caption)


# --------------------------------------------------------------------------------------------
# Every key event


def _covered(available: pd.DataFrame, kind: str) -> str:
    """Does a source kind cover the months before and after the event, in words (COVERED)?"""
    return COVERED[(bool(available.loc[kind, "before"]), bool(available.loc[kind, "after"]))]


def summary_table(timeline: PolicyTimeline) -> pd.DataFrame:
    rows = []
    months_column = f"headcount: complete months before / after (of {COMPARE_MONTHS})"
    for summary in timeline.summaries:
        available = summary.availability.set_index("kind")
        means = before_after(timeline, summary)
        rows.append(
            {
                "event": summary.event.label + (" (chosen)" if summary.event.key == timeline.event.key else ""),
                "key": summary.event.key,
                "date": date_text(summary.row),
                "headcount series": summary.series_label,
                months_column: f"{means['n_before']} / {means['n_after']}",
                "interrupted time series": _its_cell(timeline, summary),
                f"recorded declines (±{WINDOW_MONTHS} months)": _covered(available, "declines"),
                "287(g) panel": _covered(available, "287g"),
                "ICE year-end statistics": _covered(available, "year_end"),
                "FY2015 detainer outcomes": _covered(available, "detainers"),
            }
        )
    return pd.DataFrame(rows)


def _its_cell(timeline: PolicyTimeline, summary: EventSummary) -> str:
    if summary.its_reason:
        return "none: " + summary.its_reason
    others = len(events_in_window(timeline, summary))
    return (
        "fitted"
        + (", descriptive only (not a test of the event's effect)" if summary.not_a_test else "")
        + f"; {others} other timeline event{'s' if others != 1 else ''} in its window"
    )


def summary_html(timeline: PolicyTimeline):
    return html_table(
        summary_table(timeline),
        caption=(f"Every key event: date and which data exist within {WINDOW_MONTHS} months before and after it"),
    )
