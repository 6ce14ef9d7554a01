"""The index's small-multiple maps: one small county map per scorecard column, the value printed in each
county, with the same values as a table beside them (alt text, caption and source line on the figure)."""

from __future__ import annotations

import html
import math

import pandas as pd

from ma_ice_coop.present.figure_style import figure_markup
from ma_ice_coop.present.maps import small_multiples
from ma_ice_coop.present.report import fmt_num, fmt_pct
from ma_ice_coop.tables.catalogue import catalogue

#: Coded policy values as map values (darker = more cooperation); unknown has no value (hatched).
POLICY_LEVELS = {"yes": 1.0, "partial": 0.5, "no": 0.0}
POLICY_SHORT = {"yes": "yes", "partial": "in part", "no": "no", "unknown": "?", "not_applicable": "no jail"}


def _years(coverage: str) -> str:
    """'2008-2024': the calendar years a source's coverage (measure catalogue) spans."""
    period = catalogue().coverage[coverage].period
    return f"{period.start.year}-{period.end.year}"


def _value(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def _panels(frame: pd.DataFrame, policy_labels: dict[str, str], questions: tuple[str, ...]) -> list[tuple]:
    """(title, GEOID -> value, GEOID -> printed text) per map, from the scorecard frame."""
    by_fips = frame.set_index("county_fips")
    jail = by_fips["houses_own_prisoners"].to_dict()
    operational = by_fips["agreement_287g_operational"].map(len).to_dict()
    days = by_fips["ice_detention_days"].fillna(0).to_dict()
    adp = by_fips["ice_adp_fy2025"].fillna(0).to_dict()
    rate = by_fips["jail_arrests_per_100k"].to_dict()
    share = by_fips["custody_share"].to_dict()
    panels = [
        (
            f"287(g): operational years, {_years('agreements_287g')}",
            operational,
            {f: str(v) for f, v in operational.items()},
        ),
        (
            f"Days with ICE detainees held, {_years('ice_detention_daily')}",
            days,
            {f: fmt_num(v) for f, v in days.items()},
        ),
        ("ICE detainees a day, FY2025 (0: not listed)", adp, {f: fmt_num(v) for f, v in adp.items()}),
        (
            f"ICE arrests at the jails a year per 100,000 residents, {_years('jail_arrests')}",
            {f: _value(v) for f, v in rate.items()},
            {f: fmt_num(v, 1) if jail[f] else "no jail" for f, v in rate.items()},
        ),
        (
            "FY2015 detainers: share ICE took into custody",
            {f: _value(v) for f, v in share.items()},
            {f: fmt_pct(v) if jail[f] else "no jail" for f, v in share.items()},
        ),
    ]
    for question in questions:
        coded = by_fips[f"policy_{question}_value"].fillna("unknown").to_dict()
        values = {f: POLICY_LEVELS.get(v, math.nan) for f, v in coded.items()}
        panels.append((policy_labels[question], values, {f: POLICY_SHORT.get(v, v) for f, v in coded.items()}))
    return panels


def _panel_table(frame: pd.DataFrame, panels: list[tuple]) -> str:
    """The mapped values as a table: one row per county, one column per map."""
    head = "".join(f'<th scope="col">{html.escape(title)}</th>' for title, _, _ in panels)
    rows = []
    for fips, county in zip(frame["county_fips"], frame["county"], strict=True):
        cells = "".join(f"<td>{html.escape(texts.get(fips, '–'))}</td>" for _, _, texts in panels)
        rows.append(f'<tr><th scope="row">{html.escape(county)}</th>{cells}</tr>')
    return (
        '<div class="table-wrap"><table class="ma-table"><caption>The values on the maps</caption>'
        f'<thead><tr><th scope="col">County</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def scorecard_maps_html(
    frame: pd.DataFrame, geojson: dict, policy_labels: dict[str, str], questions: tuple[str, ...]
) -> str:
    """The small multiples (an SVG figure with alt text, caption and source) and the table of their values."""
    panels = _panels(frame, policy_labels, questions)
    fig = small_multiples(geojson, panels, title="The scorecard on maps: each form of cooperation, by county")
    alt = (
        f"{len(panels)} small maps of the 14 Massachusetts counties, one per scorecard column, each county "
        "shaded by its value (darker is more) with the value printed on it; the same values are in the table "
        "beside the maps."
    )
    caption = (
        "Each map has its own scale and period (see the scorecard's column headings); hatched grey: no value "
        "(no jail, no detainers, or a policy not known). Policy maps: yes darkest, in part between, no lightest."
    )
    source = (
        "reports/data/scorecard.csv (ICE daily detention headcounts and arrests via UWCHR, ICE year-end "
        "statistics, NPR FY2015 detainer records, 287(g) lists, data/reference/sheriff_policies.csv); "
        "Census county boundaries"
    )
    figure = figure_markup(fig, alt=alt, caption=caption, source=source)
    return f'<div class="maps-and-table">{figure}{_panel_table(frame, panels)}</div>'
