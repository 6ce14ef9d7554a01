"""One labelled scatter plot per covariate (drawn by present.figures), each with its table beside it."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from ma_ice_coop.analysis import measures
from ma_ice_coop.present import figures
from ma_ice_coop.present.report import html_table
from ma_ice_coop.present.text import as_heading, period_text
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.politics_demographics.compute import PoliticsDemographics
from ma_ice_coop.views.politics_demographics.definitions import DENOMINATOR_LABELS, POPULATION_RATES
from ma_ice_coop.views.politics_demographics.formatting import (
    cov_heading,
    cov_label,
    covariate_axis_label,
    covariate_unit,
    fmt_rho,
    measure_axis_label,
    measure_label,
)
from ma_ice_coop.views.politics_demographics.html_tables import scatter_table


def marker_size_column(report: PoliticsDemographics) -> str | None:
    """The column that sizes the markers (the denominator, where it means something), or None."""
    if report.kind == "share" or report.measure in POPULATION_RATES or report.measure == "recorded_declines":
        return "denominator"
    return None


def _scatter_alt(report: PoliticsDemographics, var: str, shown: int, den: str, sized: bool) -> str:
    rho = report.correlations.set_index("covariate").loc[var]
    return (
        f"Scatter plot of {measure_label(report)} (vertical axis) against {cov_label(var)} (horizontal axis) for "
        f"{shown} Massachusetts counties, each point labelled with its county"
        + (f"; marker area shows the number of {den}" if sized else "")
        + f"; hollow markers are counties whose estimate rests on few cases ({measures.small_rule(report.measure)}). "
        + (f"Spearman rank correlation {fmt_rho(rho['rho'])}." if pd.notna(rho["rho"]) else "")
    )


def scatter_figure_markup(report: PoliticsDemographics, var: str) -> str:
    analysed = report.analysed
    size = marker_size_column(report)
    den = DENOMINATOR_LABELS.get(report.measure, "denominator")
    label = measure_label(report)
    fig = figures.scatter_labeled(
        analysed,
        x=var,
        y="estimate",
        label_col="county",
        title=f"{as_heading(label)} against {cov_label(var)}",
        xlabel=covariate_axis_label(var, covariate_unit(report, var)),
        ylabel=measure_axis_label(report),
        size_col=size,
        flag_col="small",
        size_label=den if size else None,
    )
    alt = _scatter_alt(report, var, int(analysed[var].notna().sum()), den, size is not None)
    years = report.covariate_info.set_index("variable").loc[var]
    source = f"{catalogue().source(report.measure)}; {cov_label(var)}: {catalogue().source(var)}, {years['vintage']}"
    caption = (
        f"Each point is one county's {label} ({period_text(report.period.start, report.period.end)}) against its "
        f"{cov_label(var)}" + (f"; larger markers have more {den}" if size else "") + ". Intervals are in the table."
    )
    return figures.figure_markup(fig, alt=alt, caption=caption, source=source)


def scatter_panels(report: PoliticsDemographics):
    """One labelled scatter plot per covariate, each with its table beside it (one HTML block)."""
    parts = []
    for var in report.covariates:
        caption = f"{cov_heading(var)} and {measure_label(report)}, by county"
        table = html_table(scatter_table(report, var), caption=caption).data
        parts.append(
            f"<h3>{html.escape(cov_heading(var))} (<code>{html.escape(var)}</code>)</h3>"
            '<div class="ma-side-by-side" style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start">'
            f'<div style="flex:1 1 520px;min-width:0">{scatter_figure_markup(report, var)}</div>'
            f'<div style="flex:0 1 360px;min-width:0">{table}</div></div>'
        )
    return HTML("".join(parts))
