"""The county profile's figures: the measures among counties, the county's timeline and its locator map.

Each function takes plain tables and numbers (the view computes them) and returns a matplotlib Figure, to be
embedded with :func:`ma_ice_coop.present.figures.figure_html`. County polygons and the row axes of the
interval panels come from :mod:`ma_ice_coop.present.figures`, so every map in the reports draws rings the
same way (exteriors counter-clockwise, holes clockwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.ticker import PercentFormatter

from ma_ice_coop.present import figures

HIGHLIGHT = figures.PALETTE["vermillion"]
OTHER_COUNTIES = figures.PALETTE["blue"]
HOST_FILL = "#F3C9A8"
OTHER_COUNTY_FILL = "#D9D9D9"
UNDERCOUNT_FILL = "#E6E6E6"
OPERATIONAL_287G_ALPHA = 0.18


# ----------------------------------------------------------------------------- measures among counties


@dataclass(frozen=True)
class IntervalPanel:
    """One panel of :func:`interval_panels_figure`: a 14-county measure table and how to label it.

    `table` has columns county, county_fips, estimate, ci_low, ci_high and small_by_data; `pool` is the state
    pool (a dashed line when finite); `share` puts the x axis on 0-100%."""

    table: pd.DataFrame
    title: str
    xlabel: str
    pool: float
    share: bool


def interval_panels_figure(panels: Sequence[IntervalPanel], *, county_fips: str, county_label: str, title: str):
    """Dot-and-whisker panels (three rows of two), one county highlighted with a diamond; estimates resting on
    few cases get hollow markers and a county without an estimate is listed at the bottom of a panel."""
    with mpl.rc_context(figures.STYLE):
        fig = Figure(figsize=(figures.FIG_WIDTH, 10.4), layout="constrained")
        axes = fig.subplots(3, 2)
        for ax, panel in zip(axes.flat, panels, strict=True):
            order = _draw_panel_rows(ax, panel.table, county_fips)
            _style_panel(ax, panel, order, county_fips)
        fig.suptitle(title, fontsize=11, fontweight="bold")
        fig.legend(handles=_interval_legend_handles(county_label), loc="outside lower center", ncols=4)
    return fig


def _draw_panel_rows(ax, table: pd.DataFrame, county_fips: str) -> np.ndarray:
    """The whiskers and markers of one panel, largest estimate on top; returns the row order."""
    labels = table["county"].tolist()
    estimate = table["estimate"].to_numpy(dtype=float)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    small = table["small_by_data"].to_numpy(dtype=bool)
    order = figures._sort_order(estimate, labels)
    for row, i in enumerate(order):
        mine = table["county_fips"].iloc[i] == county_fips
        color = HIGHLIGHT if mine else OTHER_COUNTIES
        if np.isfinite(estimate[i]):
            ax.hlines(row, low[i], high[i], color=color, linewidth=2.4 if mine else 1.4, zorder=3 if mine else 2)
            ax.plot(
                [estimate[i]],
                [float(row)],
                linestyle="none",
                marker="D" if mine else "o",
                markersize=7 if mine else 5,
                color=color,
                markerfacecolor="white" if small[i] else color,
                markeredgewidth=1.4,
                zorder=4 if mine else 3,
            )
        elif mine:
            ax.annotate(
                "no estimate",
                (0, float(row)),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=7,
                color=HIGHLIGHT,
                xycoords=("axes fraction", "data"),
            )
    return order


def _style_panel(ax, panel: IntervalPanel, order: np.ndarray, county_fips: str) -> None:
    """County names as row labels (the county's in bold red-orange), the state pool, axis range and titles."""
    table = panel.table
    labels = table["county"].tolist()
    figures._row_axis(ax, [labels[i] for i in order], None)
    for tick, i in zip(ax.get_yticklabels(), order, strict=True):
        if table["county_fips"].iloc[i] == county_fips:
            tick.set_color(HIGHLIGHT)
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", labelsize=7.5)
    ax.tick_params(axis="x", labelsize=7.5)
    figures._draw_reference(ax, (panel.pool, "state pool"))
    ax.set_xlim(left=0)
    if panel.share:
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title(panel.title, fontsize=9)
    ax.set_xlabel(panel.xlabel, fontsize=8)


def _interval_legend_handles(county_label: str) -> list[Line2D]:
    return [
        Line2D([], [], color=HIGHLIGHT, marker="D", markersize=6, linewidth=2.0, label=county_label),
        Line2D([], [], color=OTHER_COUNTIES, marker="o", markersize=5, linewidth=1.4, label="other counties"),
        Line2D(
            [],
            [],
            color=OTHER_COUNTIES,
            marker="o",
            markersize=5,
            linewidth=1.4,
            markerfacecolor="white",
            label=figures.SMALL_COUNTY_LABEL,
        ),
        Line2D([], [], color=figures.PALETTE["black"], linestyle="--", linewidth=1.0, label="state pool"),
    ]


# ----------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineShading:
    """What :func:`county_timeline_figure` draws over the headcount panel.

    `operational_years`: spans (first, last calendar year) of operational 287(g) years; `undercount`: the start
    of the daily records and the day from which ICE detention stays are recorded; `year_end_adp`: one row per
    fiscal year with fiscal_year, data_through and adp_total (ICE's year-end average daily population)."""

    operational_years: Sequence[tuple[int, int]]
    undercount: tuple[pd.Timestamp, pd.Timestamp]
    year_end_adp: pd.DataFrame


def county_timeline_figure(
    events: pd.DataFrame,
    monthly: pd.Series,
    shading: TimelineShading,
    *,
    title: str,
    start: str,
    end: str,
    category_order: Sequence[str],
):
    """:func:`figures.timeline_figure` with numbered events above the monthly mean ICE headcount, plus shaded
    287(g) years, the undercounted years and ICE's year-end ADP as steps, all in one legend."""
    fig = figures.timeline_figure(
        events,
        title=title,
        series=monthly,
        series_label="ICE detainees per day in the sheriff's jails (monthly mean)",
        ylabel="ICE detainees per day",
        start=start,
        end=end,
        category_order=category_order,
        label_mode="number",
    )
    with mpl.rc_context(figures.STYLE):
        panel = fig.axes[1]
        extra = _shade_operational_years(panel, shading.operational_years)
        extra.append(_shade_undercount(panel, *shading.undercount))
        extra.append(_draw_year_end_adp(panel, shading.year_end_adp))
        top = max(float(monthly.max()), float(shading.year_end_adp["adp_total"].max()), 1.0)
        panel.set_ylim(0, top * 1.1)
        _replace_legend(fig, extra)
    return fig


def _shade_operational_years(panel, spans: Sequence[tuple[int, int]]) -> list[Patch]:
    for first, last in spans:
        x0 = mdates.date2num(pd.Timestamp(f"{first}-01-01"))
        x1 = mdates.date2num(pd.Timestamp(f"{last}-12-31"))
        panel.axvspan(x0, x1, color=figures.PALETTE["orange"], alpha=OPERATIONAL_287G_ALPHA, linewidth=0, zorder=0)
    if not spans:
        return []
    label = "287(g) operational (calendar years)"
    return [Patch(facecolor=figures.PALETTE["orange"], alpha=OPERATIONAL_287G_ALPHA, label=label)]


def _shade_undercount(panel, records_start: pd.Timestamp, recorded_from: pd.Timestamp) -> Patch:
    panel.axvspan(
        mdates.date2num(records_start),
        mdates.date2num(recorded_from),
        facecolor=UNDERCOUNT_FILL,
        linewidth=0,
        zorder=0,
    )
    return Patch(facecolor=UNDERCOUNT_FILL, label=f"undercount before {recorded_from.date().isoformat()}")


def _draw_year_end_adp(panel, year_end_adp: pd.DataFrame) -> Line2D:
    color = figures.PALETTE["vermillion"]
    for _, fiscal_year in year_end_adp.iterrows():
        x0 = mdates.date2num(pd.Timestamp(f"{int(fiscal_year['fiscal_year']) - 1}-10-01"))
        x1 = mdates.date2num(pd.Timestamp(fiscal_year["data_through"]))
        panel.hlines(fiscal_year["adp_total"], x0, x1, color=color, linewidth=2.2, zorder=4)
    return Line2D([], [], color=color, linewidth=2.2, label="ICE year-end average daily population (FY)")


def _replace_legend(fig: Figure, extra: list) -> None:
    """One legend: timeline_figure's entries (relabelled, as its legend holds the texts) followed by `extra`."""
    old = fig.legends[0]
    handles = list(old.legend_handles)
    texts = [text.get_text() for text in old.get_texts()]
    for handle, text in zip(handles, texts, strict=True):
        handle.set_label(text)
    old.remove()
    fig.legend(handles=handles + extra, loc="outside lower center", ncols=2, fontsize=8)


# ----------------------------------------------------------------------------- locator map


@dataclass(frozen=True)
class LocatorCounty:
    """The county a locator map is about and, for a county without a jail, the county holding its prisoners."""

    fips: str
    name: str
    host_fips: str | None = None
    host_name: str | None = None


def locator_map_figure(geojson: dict, county: LocatorCounty, names: Mapping[str, str]):
    """The 14 counties (polygons from figures._polygon_path) with `county` highlighted and named above or below
    the map with a leader line, the host county shaded lighter with an arrow, the others labelled by name."""
    features = sorted(geojson["features"], key=lambda feature: str(feature["properties"]["GEOID"]))
    geoids = [str(feature["properties"]["GEOID"]) for feature in features]
    shapes = [
        (geoid, figures._feature_rings(feature["geometry"], geoid))
        for geoid, feature in zip(geoids, features, strict=True)
    ]
    points = np.concatenate([ring for _, polygons in shapes for rings in polygons for ring in rings])
    (lon0, lat0), (lon1, lat1) = points.min(axis=0), points.max(axis=0)
    top, bottom = lat1 + 0.25, lat0 - 0.18
    with mpl.rc_context(figures.STYLE):
        fig = Figure(figsize=(figures.FIG_WIDTH, 4.6), layout="constrained")
        ax = fig.add_subplot()
        centres = _draw_counties(ax, shapes, county)
        _label_other_counties(ax, centres, county, names)
        if county.fips in centres:
            name_y = top if centres[county.fips][1] >= (lat0 + lat1) / 2.0 else bottom
            _name_county(ax, centres[county.fips], name_y, county.name, (lon0, lon1))
        if county.host_fips and county.host_fips in centres and county.fips in centres:
            _point_to_host(ax, centres[county.fips], centres[county.host_fips], county.host_name)
        ax.set_xlim(lon0 - 0.05, lon1 + 0.05)
        ax.set_ylim(bottom - 0.1, top + 0.1)
        ax.set_aspect(1.0 / np.cos(np.radians((lat0 + lat1) / 2.0)))
        ax.set_axis_off()
        ax.set_title(f"Where {county.name} County is")
        handles = _locator_legend_handles(county)
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        ax.annotate(figures.BOUNDARY_NOTE, (0.0, 0.0), xycoords="axes fraction", fontsize=7, color=figures.NOTE_COLOR)
    return fig


def _draw_counties(ax, shapes, county: LocatorCounty) -> dict[str, tuple[float, float]]:
    """One patch per county; returns each county's label point."""
    centres = {}
    for geoid, polygons in shapes:
        if not polygons:
            continue
        face = OTHER_COUNTY_FILL
        if geoid == county.fips:
            face = HIGHLIGHT
        elif geoid == county.host_fips:
            face = HOST_FILL
        patch = PathPatch(figures._polygon_path(polygons), facecolor=face, edgecolor="white", linewidth=0.8, zorder=2)
        patch.set_gid(f"county-{geoid}")
        ax.add_patch(patch)
        centres[geoid] = _closed_ring_centre(polygons)
    return centres


def _closed_ring_centre(polygons: list[list[np.ndarray]]) -> tuple[float, float]:
    """Mean of the vertices (closing vertex included) of the exterior ring with the most vertices: where this
    map has always put its labels (figures._label_point, of the largest ring by area and without the closing
    vertex, would move every label by a hair)."""
    biggest = max((rings[0] for rings in polygons if len(rings)), key=len)
    return float(biggest[:, 0].mean()), float(biggest[:, 1].mean())


def _label_other_counties(ax, centres: dict, county: LocatorCounty, names: Mapping[str, str]) -> None:
    for geoid, (x, y) in centres.items():
        if geoid == county.fips:
            continue
        ax.text(x, y, names.get(geoid, geoid), ha="center", va="center", fontsize=6.5, color="#333333", zorder=4)


def _name_county(ax, centre: tuple[float, float], name_y: float, name: str, lon_range: tuple[float, float]) -> None:
    """The county's name above the map (northern counties) or below it (southern ones), with a leader line, so
    it never covers a small county or another label."""
    x, y = centre
    lon0, lon1 = lon_range
    width = lon1 - lon0
    align = "left" if x < lon0 + 0.15 * width else ("right" if x > lon1 - 0.15 * width else "center")
    ax.annotate(
        f"{name} County",
        xy=(x, y),
        xytext=(x, name_y),
        ha=align,
        va="center",
        fontsize=9,
        fontweight="bold",
        color="#1A1A1A",
        bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        arrowprops={"arrowstyle": "-", "color": "#1A1A1A", "linewidth": 0.9},
        zorder=6,
    )


def _point_to_host(ax, centre: tuple[float, float], host_centre: tuple[float, float], host_name: str) -> None:
    (host_x, host_y), (x, y) = host_centre, centre
    ax.annotate(
        "",
        xy=(host_x, host_y - 0.04),
        xytext=(x, y + 0.04),
        zorder=5,
        arrowprops={"arrowstyle": "->", "color": "#1A1A1A", "linewidth": 1.0},
    )
    ax.text(
        (host_x + x) / 2 + 0.04,
        (host_y + y) / 2,
        f"prisoners held\nin {host_name}",
        ha="left",
        va="center",
        fontsize=7.5,
        color="#1A1A1A",
        zorder=5,
    )


def _locator_legend_handles(county: LocatorCounty) -> list[Patch]:
    handles = [Patch(facecolor=HIGHLIGHT, edgecolor="white", label=f"{county.name} County")]
    if county.host_fips:
        handles.append(
            Patch(facecolor=HOST_FILL, edgecolor="white", label=f"{county.host_name} County (holds its prisoners)")
        )
    handles.append(Patch(facecolor=OTHER_COUNTY_FILL, edgecolor="white", label="other Massachusetts counties"))
    return handles
