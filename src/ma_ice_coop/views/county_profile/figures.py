"""The county profile's three figures: what present.county_figures draws from the CountyProfile, and the alt
text, caption and source line each is embedded with."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.present import county_figures
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import fmt_pct
from ma_ice_coop.present.text import year_spans
from ma_ice_coop.tables.loaders.boundaries import simplified_boundaries_geojson
from ma_ice_coop.tables.reference import county_names
from ma_ice_coop.views.county_profile.compute import (
    CountyProfile,
    custody_measure,
    decline_measure,
    measure_summary,
)
from ma_ice_coop.views.county_profile.labels import (
    AXIS,
    EVENT_GROUP_ORDER,
    SHORT,
    TIMELINE_END,
    TIMELINE_START,
    UNDERCOUNT_BEFORE,
)


def measures_figure(profile: CountyProfile):
    panels = [
        "detainers_per_100k",
        custody_measure(profile),
        decline_measure(profile),
        "unresolved_share",
        "recorded_declines",
        "jail_arrests_per_100k",
    ]
    fig = county_figures.interval_panels_figure(
        [_interval_panel(profile, measure) for measure in panels],
        county_fips=profile.county_fips,
        county_label=f"{profile.county} County",
        title=f"{profile.county} County among the 14 counties: six measures with 95% intervals",
    )
    custody = measure_summary(profile, custody_measure(profile))
    alt = (
        f"Six dot-and-whisker panels ranking the 14 Massachusetts counties on detainers per 100,000 residents, "
        f"custody share, declined share, unresolved share, recorded declines per facility-year and ICE arrests "
        f"at jails per 100,000 residents, each with 95% intervals and the state pool as a dashed line; "
        f"{profile.county} is highlighted in red-orange with a diamond marker"
        + (
            f" (custody share {fmt_pct(custody['estimate'])})"
            if pd.notna(custody["estimate"])
            else " and has no estimate for the detainer shares"
        )
        + "."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption=f"{profile.county} County (diamond) among all counties. Hollow markers: estimates "
        "resting on few cases, not ranked (shares: "
        f"{measures.small_rule('custody_share')}; rates: "
        f"{measures.small_rule('recorded_declines')}). Counties without an estimate are "
        "listed at the bottom of a "
        "panel without a marker. Dashed line: state pool of all sheriff facilities.",
        source="ICE detainer records FY2015 (FOIA to NPR); NPR facility-year declines; UWCHR "
        "arrest landmarks; population: Census/ACS (county_covariates)",
    )


def _interval_panel(profile: CountyProfile, measure: str) -> county_figures.IntervalPanel:
    table = profile.tables[measure]
    summary = measure_summary(profile, measure)
    return county_figures.IntervalPanel(
        table=table,
        title=f"{SHORT[measure]}\n{summary['period_start']} to {summary['period_end']}",
        xlabel=AXIS[measure],
        pool=measures.pooled_estimate(table),
        share=measures.measure_kind(measure) == "share",
    )


def timeline_figure(profile: CountyProfile):
    events = profile.events.drop(columns="number").rename(columns={"category": "raw_category", "group": "category"})
    operational = profile.years.loc[profile.years["agreement_287g"].fillna(False).astype(bool), "year"].tolist()
    shading = county_figures.TimelineShading(
        operational_years=year_spans(operational),
        undercount=(pd.Timestamp(measures.ICE_DETENTION_DAILY.start), pd.Timestamp(UNDERCOUNT_BEFORE)),
        year_end_adp=profile.adp,
    )
    fig = county_figures.county_timeline_figure(
        events,
        profile.monthly,
        shading,
        title=f"{profile.county} County, {TIMELINE_START.year}-{TIMELINE_END.year}",
        start=TIMELINE_START.isoformat(),
        end=TIMELINE_END.isoformat(),
        category_order=EVENT_GROUP_ORDER,
    )
    alt = (
        f"Timeline of {profile.county} County from {TIMELINE_START.year} to {TIMELINE_END.year}: "
        f"{len(profile.events)} numbered "
        "events (sheriffs taking office, 287(g), ICE contracts, rulings) as vertical lines above a line chart of "
        "the monthly mean number of ICE detainees held in the sheriff's facilities"
        + (", with 287(g) years shaded" if operational else "")
        + " and ICE year-end average daily populations."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption="Numbered lines: events listed in the table below. The black line is the "
        "monthly mean of ICE detainees held per day in the sheriff's facilities (days "
        "without a record count as none); the red-orange steps are ICE's year-end "
        "average daily population.",
        source="ICE detention records (UWCHR, FOIA 2022-ICFO-09022); ICE year-end detention "
        "statistics FY2019-FY2025; data/reference/policy_timeline.csv, sheriffs.csv, "
        "agreements_287g.csv",
    )


def locator_map(profile: CountyProfile):
    names = county_names()
    county = county_figures.LocatorCounty(
        fips=profile.county_fips,
        name=profile.county,
        host_fips=profile.host_fips if profile.host else None,
        host_name=profile.host,
    )
    fig = county_figures.locator_map_figure(simplified_boundaries_geojson(), county, names)
    alt = (
        f"Map of the 14 Massachusetts counties with {profile.county} County highlighted"
        + (f" and {profile.host} County, which holds its prisoners, shaded lighter" if county.host_fips else "")
        + "."
    )
    return plots.figure_html(
        fig,
        alt=alt,
        caption=f"{profile.county} County in Massachusetts.",
        source="U.S. Census Bureau cartographic boundaries 1:500k (2016), simplified",
    )
