"""The methods page's tables and figures. Every figure has a title, labelled axes with units, alt text, a
caption, a source line and a table beside it; the drawing is in ``present`` (funnel plot, ITS figure)."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import html_table
from ma_ice_coop.present.text import period_text
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.methods import examples
from ma_ice_coop.views.methods.compute import Methods
from ma_ice_coop.views.methods.wording import number, pct, rate_text, share_text, whole

DETAINER_SOURCE = "ICE detainer records FY2015 YTD (FOIA to NPR); lift reasons as recorded by ICE"
INTERVALS = {
    "share": "Jeffreys 95%",
    "rate": "exact Poisson 95%",
    "count": "exact Poisson 95%",
    "administrative": "none: a complete count",
}
"""The interval each kind of measure carries (analysis.measures)."""


def measures_html():
    """Every measure of the catalogue (data/reference/measures.yaml): label, kind, interval, denominator, period
    its source covers and definition, in catalogue order (the ids, for analysts, are in the downloads README)."""
    cat = catalogue()
    rows = []
    for m in cat.measures.values():
        coverage = cat.measure_coverage(m.id)
        interval = "posterior 95% (beta-binomial)" if m.kind == "share" and "shrunk" in m.id else INTERVALS[m.kind]
        rows.append(
            {
                "measure": m.label,
                "kind": m.kind,
                "interval": interval,
                "denominator": m.denominator or "none",
                "source covers": period_text(coverage.start, coverage.end),
                "definition": m.definition,
            }
        )
    return html_table(pd.DataFrame(rows), caption="The measures, as the measure catalogue defines them")


def intervals_html(report: Methods):
    """The two worked examples side by side: counts, estimate and 95% interval."""
    share_row, _ = examples.example_row(report.share, report.example_county)
    rate_row, _ = examples.example_row(report.rate, report.example_county)
    share, rate = examples.share_example(share_row), examples.rate_example(rate_row)
    shown = pd.DataFrame(
        {
            "example": [f"{share['county']}: custody share, FY2015", f"{rate['county']}: ICE arrests at jails"],
            "numerator": [whole(share["k"]), whole(rate["k"])],
            "denominator": [f"{whole(share['n'])} detainers", f"{whole(rate['exposure'])} person-years"],
            "estimate (95% CI)": [
                share_text(share["estimate"], share["ci_low"], share["ci_high"]),
                rate_text(rate["estimate"], rate["ci_low"], rate["ci_high"]) + " per 100,000 per year",
            ],
            "method": ["Jeffreys (Beta quantiles)", "exact Poisson (chi-square quantiles)"],
        }
    )
    return html_table(shown, caption="The worked examples of the two intervals")


def funnel_figure(report: Methods):
    """The FY2015 custody share against detainers, with exact binomial limits around the state pool."""
    levels = " and ".join(examples.level_tag(level) for level in examples.FUNNEL_LEVELS)
    fig = plots.funnel_plot(
        report.share,
        label_col="county",
        numerator_col="numerator",
        denominator_col="denominator",
        pooled_rate=report.pooled_share,
        title="Funnel plot: FY2015 custody share against number of detainers",
        xlabel="detainers at the county's sheriff-run facilities (count)",
        ylabel="custody share (share of detainers, 0-1)",
        flag_col="small_by_data",
        levels=examples.FUNNEL_LEVELS,
        pooled_label="state pool",
    )
    return plots.figure_html(
        fig,
        alt=f"Funnel plot of the FY2015 custody share of each county against its number of detainers, with "
        f"{levels} control limits around the state pool of {pct(report.pooled_share)}.",
        caption="Points inside the funnel differ from the state pool by no more than chance would produce at their "
        "number of detainers; hollow markers: small (fewer cases than the project ranks). Counties with no "
        "detainers cannot be placed. The table below gives each county's limits.",
        source=DETAINER_SOURCE,
    )


def funnel_table_html(report: Methods):
    positions = examples.funnel_positions(report.share, report.pooled_share)
    tags = [examples.level_tag(level) for level in examples.FUNNEL_LEVELS]
    shown = pd.DataFrame(
        {
            "county": positions["county"],
            "custody": positions["k"].map(whole),
            "detainers": positions["n"].map(whole),
            "share": positions["share"].map(pct),
            **{
                f"{tag} limits": [
                    f"{pct(lo)}–{pct(hi)}"
                    for lo, hi in zip(positions[f"low_{tag}"], positions[f"high_{tag}"], strict=True)
                ]
                for tag in tags
            },
            "position": positions["position"],
        }
    )
    return html_table(shown, caption="The funnel plot's counties: share, control limits at their number of detainers")


def shrinkage_html(report: Methods):
    """Raw and shrunken custody shares of every county with detainers, at the fitted prior and both range ends."""
    rows = examples.shrinkage_rows(report.share, report.shrinkage)
    span = report.shrinkage["range"]
    high = whole(span["high"]) + (" (cap)" if span["open_high"] else "")
    shown = pd.DataFrame(
        {
            "county": rows["county"],
            "custody / detainers": [f"{whole(k)} / {whole(n)}" for k, n in zip(rows["k"], rows["n"], strict=True)],
            "raw": rows["raw"].map(pct),
            "shrunken (fitted prior, 95% interval)": [
                share_text(e, lo, hi)
                for e, lo, hi in zip(rows["shrunk"], rows["shrunk_low"], rows["shrunk_high"], strict=True)
            ],
            f"least shrinkage (α + β = {number(span['low'], 1)})": rows["least"].map(pct),
            f"most shrinkage (α + β = {high})": rows["most"].map(pct),
        }
    )
    return html_table(shown, caption="FY2015 custody share: raw and shrunken (beta-binomial empirical Bayes)")
