"""'Detainers per year, county by county' (extended builds only): the 14 sheriffs' detainers and custody shares
per fiscal year from the extended releases, and the state's facilities together."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis.extended_data import coverage_spans, ma_counties_years, state_years
from ma_ice_coop.present.report import fmt_num, fmt_pct, html_table
from ma_ice_coop.present.time_axis import (
    CORE_NOTE,
    SMALL_DENOMINATOR,
    coverage_text,
    state_years_figure_html,
    unlisted_sentence,
    year_label,
)
from ma_ice_coop.tables.reference import county_names


def per_year_text(extended: bool) -> str:
    if not extended:
        return CORE_NOTE
    return (
        "Detainers per federal fiscal year at each sheriff's facilities, then the share ICE recorded as taken into "
        f"its custody (of all detainers; shown only where the county had at least {SMALL_DENOMINATOR} detainers "
        "that year, with the number in brackets). The figure shows every Massachusetts facility together (state "
        "prisons and federal sites included), with 95% intervals. "
        + coverage_text(coverage_spans())
        + (" " + unlisted_sentence(state_years())).rstrip()
    )


def per_year_figure(extended: bool):
    return state_years_figure_html() if extended else None


def _pivot(years: pd.DataFrame, value, none: str) -> pd.DataFrame:
    """Counties (all 14) x years with any Massachusetts detainer; `none` where a county had no detainer that year
    (a zero of the covered days: the years no release covers are not columns)."""
    table = years.assign(label=[year_label(y, t) for y, t in zip(years["year"], years["year_type"], strict=True)])
    table["shown"] = [value(r) for r in table.itertuples(index=False)]
    wide = table.pivot(index="county", columns="label", values="shown")
    order = table.drop_duplicates("label").sort_values("year")["label"]
    wide = wide.reindex(index=sorted(county_names().values()), columns=list(order)).fillna(none)
    wide.columns.name = None
    return wide.rename_axis("County").reset_index()


def per_year_counts_html(extended: bool):
    """Counties x years: detainers lodged at each sheriff's facilities."""
    if not extended:
        return None
    return html_table(
        _pivot(ma_counties_years(), lambda r: fmt_num(r.detainers), "0"), caption="Detainers lodged per fiscal year"
    )


def per_year_custody_html(extended: bool):
    """Counties x years: custody share (n) where n >= SMALL_DENOMINATOR."""
    if not extended:
        return None

    def shown(r) -> str:
        if r.detainers < SMALL_DENOMINATOR:
            return f"({fmt_num(r.detainers)})"
        return f"{fmt_pct(r.custody_share)} ({fmt_num(r.detainers)})"

    return html_table(
        _pivot(ma_counties_years(), shown, "(0)"),
        caption=f"Share taken into ICE custody per fiscal year (detainers in brackets; share shown from "
        f"{SMALL_DENOMINATOR} detainers)",
    )
