"""The which-counties report's figures and HTML tables."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from ma_ice_coop.analysis import measures
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct, html_table, md
from ma_ice_coop.present.text import period_text
from ma_ice_coop.tables.catalogue import catalogue as measures_catalogue
from ma_ice_coop.tables.loaders.boundaries import simplified_boundaries_geojson
from ma_ice_coop.views.which_counties.compute import WhichCounties
from ma_ice_coop.views.which_counties.formatting import (
    axis_label,
    format_estimate,
    measure_heading,
    measure_name,
    measure_words,
    sources_text,
)


def interval_figure(report: WhichCounties):
    table = report.table
    share = report.kind == "share"
    reference = (report.pooled, "state pool") if report.kind in ("share", "rate") and pd.notna(report.pooled) else None
    fig = plots.interval_plot(
        table,
        label_col="county",
        estimate_col="estimate",
        low_col="ci_low",
        high_col="ci_high",
        title=f"{measure_heading(report)} by county, {report.period.start} to {report.period.end}",
        xlabel=axis_label(report),
        flag_col="small_by_data",
        reference=reference,
    )
    missing = table[table["estimate"].isna()]["county"].tolist()
    return plots.figure_html(
        fig,
        alt=f"Dot-and-whisker chart of {measure_words(report)} for the 14 Massachusetts counties with 95% intervals"
        + (f"; no estimate for {', '.join(missing)}" if missing else "")
        + ".",
        caption=f"{measure_heading(report)} for each county's sheriff-run facilities with 95% intervals"
        + ("; the dashed line is the state pool" if reference else "")
        + (
            f"; hollow markers: small for this measure ({measures.small_rule(report.measure)})."
            if share or report.kind in ("rate", "count")
            else "."
        ),
        source=sources_text(report),
    )


def measure_denominator(measure: str) -> str:
    return measures_catalogue().measure(measure).denominator or "none"


def measure_table_html(report: WhichCounties):
    table = report.table
    shown = pd.DataFrame(
        {
            "county": table["county"],
            "numerator": table["numerator"],
            f"denominator ({measure_denominator(report.measure)})": table["denominator"],
            "estimate (95% CI)": [
                format_estimate(report, e, lo, hi)
                for e, lo, hi in zip(table["estimate"], table["ci_low"], table["ci_high"], strict=True)
            ],
            f"small ({measures.small_rule(report.measure)})": table["small_by_data"].map({True: "yes", False: ""}),
        }
    )
    return html_table(
        shown,
        caption=f"{measure_heading(report)}, {period_text(report.period.start, report.period.end)}",
        formats={
            "numerator": lambda v: fmt_num(v, 0 if float(v).is_integer() else 1),
            f"denominator ({measure_denominator(report.measure)})": lambda v: fmt_num(
                v, 0 if pd.isna(v) or float(v).is_integer() else 1
            ),
        },
    )


def funnel_figure(report: WhichCounties):
    if report.kind != "share":
        return md(f"_No funnel plot: {measure_words(report)} is a {report.kind}, not a share of detainers._")
    fig = plots.funnel_plot(
        report.table,
        label_col="county",
        numerator_col="numerator",
        denominator_col="denominator",
        pooled_rate=report.pooled,
        title=f"Funnel plot: {measure_words(report)} against number of detainers",
        xlabel="detainers (denominator)",
        ylabel=axis_label(report),
        flag_col="small_by_data",
        pooled_label="state pool",
    )
    return plots.figure_html(
        fig,
        alt=f"Funnel plot of {measure_words(report)} against the number of detainers per county, "
        "with 95% and 99.8% control limits around the state pool.",
        caption="Points outside the funnel differ from the state pool by more than chance at "
        "their number of detainers. Counties with no detainers cannot be placed.",
        source=sources_text(report),
    )


def shrinkage_figure(report: WhichCounties):
    if report.shrunk is None:
        return md(
            f"_No shrinkage shown: {measure_words(report)} is not a share with at least two counties that have data._"
        )
    shrunk = report.shrunk[report.shrunk["denominator"] > 0]
    fig = plots.raw_vs_shrunk_plot(
        shrunk,
        label_col="county",
        raw_col="estimate",
        raw_low="ci_low",
        raw_high="ci_high",
        shrunk_col="shrunk_estimate",
        shrunk_low="shrunk_ci_low",
        shrunk_high="shrunk_ci_high",
        title=f"{measure_heading(report)}: raw and shrunken",
        xlabel=axis_label(report),
    )
    prior = f"Beta({shrunk['shrunk_prior_alpha'].iloc[0]:.1f}, {shrunk['shrunk_prior_beta'].iloc[0]:.1f})"
    bound = (
        " The fit sits at a bound of the optimiser: shrunken intervals are not shown."
        if bool(shrunk["shrunk_at_bound"].iloc[0])
        else ""
    )
    figure = plots.figure_html(
        fig,
        alt=f"Raw and empirical-Bayes shrunken {measure_words(report)} per county with 95% intervals.",
        caption=f"Raw share (Jeffreys interval) and shrunken share (posterior interval) under a "
        f"beta-binomial prior {prior} fitted to the counties' sheriff facilities only "
        f"(no DOC, police or ICE offices).{bound} The table below gives the shrunken "
        "shares at both ends of the prior's range.",
        source=sources_text(report),
    )
    return HTML(figure.data + shrinkage_sensitivity_html(report).data)


def shrinkage_sensitivity_html(report: WhichCounties):
    """Shrunken shares under the fitted prior and at both ends of the concentration's 95% range."""
    if report.shrunk is None:
        return md("_No shrinkage sensitivity: not a share with at least two counties that have data._")
    shrunk = report.shrunk[report.shrunk["denominator"] > 0]
    span = report.prior_range
    high = f"{span['high']:.0f}" + (" (cap)" if span["open_high"] else "")
    shown = pd.DataFrame(
        {
            "county": shrunk["county"],
            "raw": shrunk["estimate"].map(fmt_pct),
            "shrunken (fitted prior)": shrunk["shrunk_estimate"].map(fmt_pct),
            f"concentration {span['low']:.1f} (least shrinkage)": shrunk["shrunk_prior_low"].map(fmt_pct),
            f"concentration {high} (most shrinkage)": shrunk["shrunk_prior_high"].map(fmt_pct),
        }
    )
    return html_table(
        shown,
        caption="Sensitivity of the shrunken shares to the prior: the concentration's 95% "
        "profile-likelihood range (for the custody share, county_measures.csv has both ends as the measures "
        f"'{measure_name('custody_share_shrunk_prior_low')}' and '{measure_name('custody_share_shrunk_prior_high')}')",
    )


def map_figure(report: WhichCounties):
    table = report.table
    values = dict(zip(table["county_fips"], table["estimate"], strict=True))
    fmt = "{:.0%}" if report.kind == "share" else ("{:.1f}" if report.kind == "rate" else "{:.0f}")
    fig = plots.choropleth(
        simplified_boundaries_geojson(),
        values,
        title=f"{measure_heading(report)}, {report.period.start} to {report.period.end}",
        legend_label=axis_label(report),
        label_names=dict(zip(table["county_fips"], table["county"], strict=True)),
        fmt=fmt,
        missing_label="no estimate (no denominator)",
    )
    return plots.figure_html(
        fig,
        alt=f"Map of the 14 Massachusetts counties shaded by {measure_words(report)}.",
        caption="Counties shaded by the estimate; hatched counties have no estimate. "
        "The map shows point estimates only: see the intervals above.",
        source=sources_text(report) + "; boundaries: U.S. Census Bureau 1:500k (2016)",
    )


def side_by_side_html(report: WhichCounties):
    w = report.wide.drop(columns=["county_fips"]).rename(
        columns={m: measure_name(m) for m in measures.HEADLINE_MEASURES}
    )
    formats = {
        measure_name(m): (fmt_pct if measures.measure_kind(m) == "share" else (lambda v: fmt_num(v, 2)))
        for m in measures.HEADLINE_MEASURES
    }
    periods = "; ".join(
        f"{measure_name(m)}: {period_text(measures.default_period(m).start, measures.default_period(m).end)}"
        for m in measures.HEADLINE_MEASURES
    )
    return html_table(w, caption=f"Headline measures (periods: {periods})", formats=formats)


def agreement_html(report: WhichCounties):
    agreement = report.agreement
    shown = pd.DataFrame(
        {
            "measure": agreement["measure_a"].map(measure_name),
            "other measure": agreement["measure_b"].map(measure_name),
            "counties with both": agreement["counties"],
            "Spearman's rho": agreement["spearman_rho"].map(lambda v: fmt_num(v, 2)),
        }
    )
    return html_table(shown, caption="Rank agreement between measures (Spearman's rho over counties with both)")


def agency_html(report: WhichCounties):
    agency = report.agency.copy()
    shown = pd.DataFrame(
        {
            "agency group": agency["agency_group"],
            "measure": agency["measure"].map(measure_name),
            "period": [period_text(a, b) for a, b in zip(agency["period_start"], agency["period_end"], strict=True)],
            "numerator": agency["numerator"].map(lambda v: fmt_num(v)),
            "denominator": agency["denominator"].map(lambda v: fmt_num(v)),
            "estimate (95% CI)": [
                fmt_estimate(e, lo, hi, share=m.endswith("share") or "share_" in m)
                if (m.endswith("share") or "share_" in m)
                else fmt_estimate(e, lo, hi, share=False)
                for m, e, lo, hi in zip(
                    agency["measure"], agency["estimate"], agency["ci_low"], agency["ci_high"], strict=True
                )
            ],
        }
    )
    return html_table(shown, caption="Massachusetts facilities not run by a sheriff (never counted in a county)")
