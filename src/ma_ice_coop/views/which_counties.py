"""The 'Which counties cooperate most' notebook: tables, figures and generated text.

Every sentence with a number is built here from the measure tables, so the notebook holds no
hand-typed figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import measures, plots
from ..report import bullet_list, fmt_estimate, fmt_num, fmt_pct, html_table, small_counties

SOURCE_NOTE = {
    "share": "ICE detainer records FY2015 YTD (FOIA to NPR); lift reasons as recorded by ICE",
    "rate": "see the measure's source column; population: Census/ACS via the covariate panel",
    "count": "see the measure's source column",
    "administrative": "see the measure's source column",
}


@dataclass
class WhichCounties:
    measure: str
    period: measures.Period
    kind: str
    table: pd.DataFrame  # the chosen measure, one row per county
    pooled: float
    shrunk: pd.DataFrame | None  # shares only
    wide: pd.DataFrame  # headline measures side by side
    agreement: pd.DataFrame
    agency: pd.DataFrame
    small: list[str]


def compute(measure: str, period_start: str, period_end: str) -> WhichCounties:
    period = measures.Period.parse(period_start, period_end)
    table = measures.measure_table(measure, period)
    kind = measures.measure_kind(measure)
    small = small_counties()
    table = table.assign(small_county=table["county"].isin(small))
    shrunk = None
    if kind == "share" and measure != "custody_share_shrunk" and (table["denominator"] > 0).sum() >= 2:
        post = measures.shrunken_proportions(table["numerator"], table["denominator"])
        shrunk = pd.concat([table[["county", "numerator", "denominator", "estimate", "ci_low", "ci_high"]],
                            post.add_prefix("shrunk_")], axis=1)
    wide = measures.side_by_side()
    agency = measures.agency_measures()
    return WhichCounties(measure, period, kind, table, measures.pooled_estimate(table), shrunk, wide,
                         measures.measure_rank_agreement(wide), agency, small)


def _fmt(r: WhichCounties, est, low, high) -> str:
    if r.kind == "share":
        return fmt_estimate(est, low, high, share=True)
    return fmt_estimate(est, low, high, share=False, digits=2 if r.kind == "rate" else 0)


def _label(r: WhichCounties) -> str:
    return r.measure.replace("_", " ")


def key_findings(r: WhichCounties) -> str:
    t = r.table
    with_data = t[t["estimate"].notna()]
    lines = []
    if with_data.empty:
        return f"No county has data for {_label(r)} in {r.period.start}..{r.period.end}."
    # Small counties are not ranked as if certain: the league of the highest leaves them out.
    rankable = with_data[~with_data["small_county"]]
    top = rankable.sort_values(["estimate", "county"], ascending=[False, True]).head(3)
    tops = "; ".join(f"{row.county} {_fmt(r, row.estimate, row.ci_low, row.ci_high)}" for row in top.itertuples())
    lines.append(f"Highest {_label(r)} among the larger counties ({r.period.start} to {r.period.end}): {tops}.")
    if r.shrunk is not None:
        s = r.shrunk[r.shrunk["denominator"] > 0].sort_values(["shrunk_estimate", "county"], ascending=[False, True])
        spread = f"{fmt_pct(s['shrunk_estimate'].min())} to {fmt_pct(s['shrunk_estimate'].max())}"
        lines.append(f"After shrinkage toward the state pool the county shares range only from {spread}: "
                     "most of the spread in raw shares is what chance produces with so few detainers.")
    if r.kind in ("share", "rate") and pd.notna(r.pooled):
        pooled = fmt_pct(r.pooled) if r.kind == "share" else fmt_num(r.pooled, 2)
        above = with_data[with_data["ci_low"] > r.pooled]["county"].tolist()
        below = with_data[with_data["ci_high"] < r.pooled]["county"].tolist()
        lines.append(f"State pool: {pooled} ({fmt_num(t['numerator'].sum())} of {fmt_num(t['denominator'].sum())}"
                     f"{'' if r.kind == 'share' else ' (denominator units as in the table)'}).")
        lines.append("Counties whose whole 95% interval lies above the pool: "
                     f"{', '.join(above) if above else 'none'}; below: {', '.join(below) if below else 'none'}. "
                     "The others cannot be told apart from the pool with these data.")
    no_den = t[t["denominator"].fillna(1) == 0]["county"].tolist()
    if no_den:
        lines.append(f"No denominator (nothing to measure) in: {', '.join(no_den)}.")
    flagged = with_data[with_data["small_county"]]
    if len(flagged):
        shown = "; ".join(f"{row.county} {_fmt(r, row.estimate, row.ci_low, row.ci_high)}"
                          for row in flagged.sort_values("county").itertuples())
        lines.append(f"Small counties, not ranked (read their intervals): {shown}.")
    return bullet_list(lines)


def measure_description(r: WhichCounties) -> str:
    return (f"**{r.measure}**: {measures.MEASURES[r.measure]}. Period {r.period.start} to {r.period.end}; "
            f"coverage of the source {measures.measure_coverage(r.measure).start} to "
            f"{measures.measure_coverage(r.measure).end}.")


def interval_figure(r: WhichCounties):
    t = r.table
    share = r.kind == "share"
    reference = (r.pooled, "state pool") if r.kind in ("share", "rate") and pd.notna(r.pooled) else None
    fig = plots.interval_plot(t, label_col="county", estimate_col="estimate", low_col="ci_low", high_col="ci_high",
                              title=f"{_label(r).capitalize()} by county, {r.period.start} to {r.period.end}",
                              xlabel=_axis_label(r), flag_col="small_county", reference=reference)
    missing = t[t["estimate"].isna()]["county"].tolist()
    return plots.figure_html(
        fig, alt=f"Dot-and-whisker chart of {_label(r)} for the 14 Massachusetts counties with 95% intervals"
                 + (f"; no estimate for {', '.join(missing)}" if missing else "") + ".",
        caption=f"{_label(r).capitalize()} for each county's sheriff-run facilities with 95% intervals"
                + ("; the dashed line is the state pool" if reference else "")
                + ("; hollow markers: small counties." if share or r.kind == "rate" else "."),
        source=_source(r))


def _axis_label(r: WhichCounties) -> str:
    units = {"share": "share of detainers (0-1)", "count": "count"}
    if r.measure.endswith("per_100k"):
        return "per 100,000 residents" + (" per year" if "arrests" in r.measure else "")
    if r.measure.endswith("foreign_born"):
        return "per 1,000 foreign-born residents per year"
    if r.measure == "recorded_declines":
        return "recorded declines per facility-year"
    if r.measure == "detention_contract_days":
        return "days with ICE detainees"
    if r.measure in ("mean_daily_ice_headcount", "ice_adp_year_end"):
        return "ICE detainees per day (persons)"
    if r.measure == "agreement_287g_years":
        return "years with a 287(g) agreement"
    return units.get(r.kind, r.kind)


def _source(r: WhichCounties) -> str:
    sources = sorted(set(r.table["source"]))
    return "; ".join(sources)


def measure_table_html(r: WhichCounties):
    t = r.table
    shown = pd.DataFrame({
        "county": t["county"], "numerator": t["numerator"], "denominator": t["denominator"],
        "estimate (95% CI)": [_fmt(r, e, lo, hi) for e, lo, hi in zip(t["estimate"], t["ci_low"], t["ci_high"])],
        "small county": t["small_county"].map({True: "yes", False: ""}),
    })
    return html_table(shown, caption=f"{r.measure}, {r.period.start} to {r.period.end}",
                      formats={"numerator": lambda v: fmt_num(v, 0 if float(v).is_integer() else 1),
                               "denominator": lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() else 1)})


def funnel_figure(r: WhichCounties):
    from ..report import md

    if r.kind != "share":
        return md(f"_No funnel plot: {r.measure} is a {r.kind}, not a share of detainers._")
    fig = plots.funnel_plot(r.table, label_col="county", numerator_col="numerator", denominator_col="denominator",
                            pooled_rate=r.pooled, title=f"Funnel plot: {_label(r)} against number of detainers",
                            xlabel="detainers (denominator)", ylabel=_axis_label(r), flag_col="small_county",
                            pooled_label="state pool")
    return plots.figure_html(fig, alt=f"Funnel plot of {_label(r)} against the number of detainers per county, "
                                      "with 95% and 99.8% control limits around the state pool.",
                             caption="Points outside the funnel differ from the state pool by more than chance at "
                                     "their number of detainers. Counties with no detainers cannot be placed.",
                             source=_source(r))


def shrinkage_figure(r: WhichCounties):
    from ..report import md

    if r.shrunk is None:
        return md(f"_No shrinkage shown: {r.measure} is not a share with at least two counties that have data._")
    s = r.shrunk[r.shrunk["denominator"] > 0]
    fig = plots.raw_vs_shrunk_plot(s, label_col="county", raw_col="estimate", raw_low="ci_low", raw_high="ci_high",
                                   shrunk_col="shrunk_estimate", shrunk_low="shrunk_ci_low",
                                   shrunk_high="shrunk_ci_high", title=f"{_label(r).capitalize()}: raw and shrunken",
                                   xlabel=_axis_label(r))
    prior = f"Beta({s['shrunk_prior_alpha'].iloc[0]:.1f}, {s['shrunk_prior_beta'].iloc[0]:.1f})"
    return plots.figure_html(fig, alt=f"Raw and empirical-Bayes shrunken {_label(r)} per county with 95% intervals.",
                             caption=f"Raw share (Jeffreys interval) and shrunken share (posterior interval) under a "
                                     f"beta-binomial prior {prior} fitted to all counties.", source=_source(r))


def map_figure(r: WhichCounties):
    from ..loaders.boundaries import simplified_boundaries_geojson

    t = r.table
    values = dict(zip(t["county_fips"], t["estimate"]))
    fmt = "{:.0%}" if r.kind == "share" else ("{:.1f}" if r.kind == "rate" else "{:.0f}")
    fig = plots.choropleth(simplified_boundaries_geojson(), values, title=f"{_label(r).capitalize()}, "
                           f"{r.period.start} to {r.period.end}", legend_label=_axis_label(r),
                           label_names=dict(zip(t["county_fips"], t["county"])), fmt=fmt,
                           missing_label="no estimate (no denominator)")
    return plots.figure_html(fig, alt=f"Map of the 14 Massachusetts counties shaded by {_label(r)}.",
                             caption="Counties shaded by the estimate; hatched counties have no estimate. "
                                     "The map shows point estimates only: see the intervals above.",
                             source=_source(r) + "; boundaries: U.S. Census Bureau 1:500k (2016)")


def side_by_side_html(r: WhichCounties):
    w = r.wide
    formats = {m: (fmt_pct if measures.measure_kind(m) == "share" else (lambda v: fmt_num(v, 2)))
               for m in measures.HEADLINE_MEASURES}
    periods = "; ".join(f"{m}: {measures.default_period(m).start}..{measures.default_period(m).end}"
                        for m in measures.HEADLINE_MEASURES)
    return html_table(w.drop(columns=["county_fips"]), caption=f"Headline measures (periods: {periods})",
                      formats=formats)


def agreement_html(r: WhichCounties):
    a = r.agreement.copy()
    return html_table(a, caption="Rank agreement between measures (Spearman's rho over counties with both)",
                      formats={"spearman_rho": lambda v: fmt_num(v, 2)})


def disagreement_text(r: WhichCounties) -> str:
    a = r.agreement.dropna(subset=["spearman_rho"])
    strong = a[a["spearman_rho"] >= 0.7]
    weak = a[a["spearman_rho"].abs() < 0.3]
    lines = []
    if len(strong):
        lines.append("Measures that rank counties alike (rho ≥ 0.7): "
                     + "; ".join(f"{x.measure_a} and {x.measure_b} ({x.spearman_rho:.2f})" for x in strong.itertuples())
                     + ".")
    lines.append(f"{len(weak)} of {len(a)} pairs of measures barely agree (|rho| < 0.3): a county that looks "
                 "cooperative on one definition need not on another. With 11-14 counties these correlations are "
                 "themselves uncertain.")
    return bullet_list(lines)


def agency_html(r: WhichCounties):
    a = r.agency.copy()
    shown = pd.DataFrame({
        "agency group": a["agency_group"], "measure": a["measure"],
        "period": a["period_start"] + " to " + a["period_end"],
        "numerator": a["numerator"].map(lambda v: fmt_num(v)),
        "denominator": a["denominator"].map(lambda v: fmt_num(v)),
        "estimate (95% CI)": [fmt_estimate(e, lo, hi, share=m.endswith("share") or "share_" in m)
                              if (m.endswith("share") or "share_" in m) else fmt_estimate(e, lo, hi, share=False)
                              for m, e, lo, hi in zip(a["measure"], a["estimate"], a["ci_low"], a["ci_high"])],
    })
    return html_table(shown, caption="Massachusetts facilities not run by a sheriff (never counted in a county)")


def limitations(r: WhichCounties) -> str:
    lines = [
        "Unit: facilities run by each county's elected sheriff, rolled up to the county. Detainers at state "
        "prisons (DOC), federal sites, ICE offices and police lockups are reported separately above.",
        "Since Lunn v. Commonwealth (2017-07-24) no Massachusetts officer may hold anyone on a civil ICE "
        "detainer alone; later cooperation means notifying ICE, handing people over at release, 287(g) "
        "screening and renting beds to ICE. FY2015 detainer outcomes predate Lunn.",
        "The detainer-level data (FY2015 YTD) are the only record-level outcomes available here; "
        "most Massachusetts outcomes are blank (unresolved) and 'declined' is a lower bound because ICE records "
        "only the declines it learns of.",
        "ICE arrests at jails come from free-text landmarks pooled over 2011-2023: per-jail counts are lower "
        "bounds, with no denominator and no link to detainers.",
        "Intervals: Jeffreys for shares, exact Poisson for counts and rates; administrative counts (days, "
        "headcounts, agreement years) are complete counts with no sampling interval.",
        "Nantucket has no jail: its prisoners are held in Barnstable, so its sheriff measures are zero or blank.",
    ]
    return bullet_list(lines)
