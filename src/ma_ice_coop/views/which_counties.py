"""The 'Which counties cooperate most' notebook: tables, figures and generated text.

Every sentence with a number is built here from the measure tables, so the notebook holds no
hand-typed figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_estimate, fmt_num, fmt_pct, html_table
from ma_ice_coop.present.text import md_source_links

# The processed tables this notebook reads (data/processed/), directly or through analysis/: its cache key
# covers these and no others (build/cache.py). tests/test_view_tables.py keeps the list complete.
PROCESSED_TABLES = (
    "agreements_287g_years",
    "county_boundaries",
    "county_covariates",
    "detainers",
    "facility_year_declines",
    "ice_detention_daily",
    "ice_detention_fy",
    "jail_arrests",
)

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
    small: list[str]  # counties whose estimate of this measure rests on few cases (measures.small_by_data)
    variants: list[pd.DataFrame]  # the measure's sensitivity variants (measures.SENSITIVITY_VARIANTS), same period
    prior_range: dict | None  # shares: the prior concentration's 95% profile-likelihood range


def compute(measure: str, period_start: str, period_end: str) -> WhichCounties:
    period = measures.Period.parse(period_start, period_end)
    table = measures.measure_table(measure, period)
    kind = measures.measure_kind(measure)
    table = table.assign(small_by_data=measures.small_by_data(table).to_numpy())
    small = sorted(table.loc[table["small_by_data"], "county"])
    variants = [measures.measure_table(v, period) for v in measures.SENSITIVITY_VARIANTS.get(measure, ())]
    sides = measures.pool_side([table, *variants])
    table = table.assign(pool_side=table["county_fips"].map(sides).fillna("").to_numpy())
    shrunk, prior_range = None, None
    if kind == "share" and not measure.startswith("custody_share_shrunk") and (table["denominator"] > 0).sum() >= 2:
        sens = measures.shrinkage_sensitivity(table["numerator"], table["denominator"])
        prior_range = sens["range"]
        shrunk = pd.concat(
            [
                table[["county", "numerator", "denominator", "estimate", "ci_low", "ci_high"]],
                sens["fitted"].add_prefix("shrunk_"),
                sens["low"]["estimate"].rename("shrunk_prior_low"),
                sens["high"]["estimate"].rename("shrunk_prior_high"),
            ],
            axis=1,
        )
    wide = measures.side_by_side()
    agency = measures.agency_measures()
    return WhichCounties(
        measure,
        period,
        kind,
        table,
        measures.pooled_estimate(table),
        shrunk,
        wide,
        measures.measure_rank_agreement(wide),
        agency,
        small,
        variants,
        prior_range,
    )


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
    # Counties whose estimate rests on few cases are not ranked as if certain: the league leaves them out.
    rankable = with_data[~with_data["small_by_data"]]
    top = rankable.sort_values(["estimate", "county"], ascending=[False, True]).head(3)
    tops = "; ".join(f"{row.county} {_fmt(r, row.estimate, row.ci_low, row.ci_high)}" for row in top.itertuples())
    rule = measures.small_rule(r.measure)
    if len(top):
        lines.append(
            f"Highest point estimates of {_label(r)} among the counties not flagged small ({r.period.start} "
            f"to {r.period.end}; small = {rule}): {tops}. {_order_note(top)}"
        )
    else:
        lines.append(f"Every county with an estimate of {_label(r)} is flagged small ({rule}): none is ranked.")
    if r.shrunk is not None:
        lines.append(_shrinkage_finding(r))
    if r.kind in ("share", "rate") and pd.notna(r.pooled):
        pooled = fmt_pct(r.pooled) if r.kind == "share" else fmt_num(r.pooled, 2)
        above = with_data[with_data["pool_side"] == "above"]["county"].tolist()
        below = with_data[with_data["pool_side"] == "below"]["county"].tolist()
        lines.append(
            f"State pool: {pooled} ({fmt_num(t['numerator'].sum())} of {fmt_num(t['denominator'].sum())}"
            f"{'' if r.kind == 'share' else ' (denominator units as in the table)'})."
        )
        also = (
            f" under the counts as placed and at both ends of their sensitivity range "
            f"({', '.join(v['measure'].iloc[0] for v in r.variants)})"
            if r.variants
            else ""
        )
        lines.append(
            f"Counties whose whole 95% interval lies above the pool{also}: "
            f"{', '.join(above) if above else 'none'}; below: {', '.join(below) if below else 'none'}. "
            "The others cannot be told apart from the pool with these data."
        )
    no_den = t[t["denominator"].fillna(1) == 0]["county"].tolist()
    if no_den:
        lines.append(f"No denominator (nothing to measure) in: {', '.join(no_den)}.")
    flagged = with_data[with_data["small_by_data"]]
    if len(flagged):
        shown = "; ".join(
            f"{row.county} {_fmt(r, row.estimate, row.ci_low, row.ci_high)}"
            for row in flagged.sort_values("county").itertuples()
        )
        lines.append(f"Small for this measure ({rule}), not ranked (read their intervals): {shown}.")
    return bullet_list(lines)


def _order_note(top: pd.DataFrame) -> str:
    """Whether the listed counties can be put in order: only where one's 95% interval lies wholly above the
    next one's. Complete administrative counts (no interval) are exact and need no note."""
    rows = list(top.itertuples())
    if len(rows) < 2 or top["ci_low"].isna().all():
        return ""
    pairs = list(pairwise(rows))
    apart = [a.county for a, b in pairs if a.ci_low > b.ci_high]
    overlap = [f"{a.county} and {b.county}" for a, b in pairs if not a.ci_low > b.ci_high]
    if not apart:
        return "Their 95% intervals overlap: these counties cannot be put in order with these data."
    text = "; ".join(f"{name}'s 95% interval lies wholly above the next county's" for name in apart)
    if overlap:
        text += "; the intervals of " + "; of ".join(overlap) + " overlap, so their order is not known"
    return text + "."


def _shrinkage_finding(r: WhichCounties) -> str:
    """The spread of the shrunken shares, and how it moves with the prior's concentration."""
    s = r.shrunk[r.shrunk["denominator"] > 0]
    spread = f"{fmt_pct(s['shrunk_estimate'].min())} to {fmt_pct(s['shrunk_estimate'].max())}"
    span = r.prior_range
    low = f"{fmt_pct(s['shrunk_prior_low'].min())} to {fmt_pct(s['shrunk_prior_low'].max())}"
    high = f"{fmt_pct(s['shrunk_prior_high'].min())} to {fmt_pct(s['shrunk_prior_high'].max())}"
    upper = (
        "the optimiser's cap of 10,000 (the data do not rule out full pooling)"
        if span["open_high"]
        else fmt_num(span["high"], 1)
    )
    text = (
        f"After shrinkage toward the pool of the 14 counties' sheriff facilities the county shares range from "
        f"{spread}, but this depends on the prior: its concentration (alpha + beta) has a 95% profile-likelihood "
        f"range from {fmt_num(span['low'], 1)} to {upper}. At the low end (least shrinkage) the shrunken shares "
        f"range from {low}; at the high end (most shrinkage) from {high}. Read the raw intervals: the shrunken "
        "ranking is not robust to the prior."
    )
    if bool(s["shrunk_at_bound"].iloc[0]):
        text += (
            " The fitted prior sits at a bound of the optimiser, so no shrunken intervals are shown (they would "
            "look more certain than the data allow)."
        )
    return text


def measure_description(r: WhichCounties) -> str:
    return (
        f"**{r.measure}**: {measures.MEASURES[r.measure]}. Period {r.period.start} to {r.period.end}; "
        f"coverage of the source {measures.measure_coverage(r.measure).start} to "
        f"{measures.measure_coverage(r.measure).end}."
    )


def interval_figure(r: WhichCounties):
    t = r.table
    share = r.kind == "share"
    reference = (r.pooled, "state pool") if r.kind in ("share", "rate") and pd.notna(r.pooled) else None
    fig = plots.interval_plot(
        t,
        label_col="county",
        estimate_col="estimate",
        low_col="ci_low",
        high_col="ci_high",
        title=f"{_label(r).capitalize()} by county, {r.period.start} to {r.period.end}",
        xlabel=_axis_label(r),
        flag_col="small_by_data",
        reference=reference,
    )
    missing = t[t["estimate"].isna()]["county"].tolist()
    return plots.figure_html(
        fig,
        alt=f"Dot-and-whisker chart of {_label(r)} for the 14 Massachusetts counties with 95% intervals"
        + (f"; no estimate for {', '.join(missing)}" if missing else "")
        + ".",
        caption=f"{_label(r).capitalize()} for each county's sheriff-run facilities with 95% intervals"
        + ("; the dashed line is the state pool" if reference else "")
        + (
            f"; hollow markers: small for this measure ({measures.small_rule(r.measure)})."
            if share or r.kind in ("rate", "count")
            else "."
        ),
        source=_source(r),
    )


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
    shown = pd.DataFrame(
        {
            "county": t["county"],
            "numerator": t["numerator"],
            "denominator": t["denominator"],
            "estimate (95% CI)": [
                _fmt(r, e, lo, hi) for e, lo, hi in zip(t["estimate"], t["ci_low"], t["ci_high"], strict=True)
            ],
            f"small ({measures.small_rule(r.measure)})": t["small_by_data"].map({True: "yes", False: ""}),
        }
    )
    return html_table(
        shown,
        caption=f"{r.measure}, {r.period.start} to {r.period.end}",
        formats={
            "numerator": lambda v: fmt_num(v, 0 if float(v).is_integer() else 1),
            "denominator": lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() else 1),
        },
    )


def funnel_figure(r: WhichCounties):
    from ma_ice_coop.present.report import md

    if r.kind != "share":
        return md(f"_No funnel plot: {r.measure} is a {r.kind}, not a share of detainers._")
    fig = plots.funnel_plot(
        r.table,
        label_col="county",
        numerator_col="numerator",
        denominator_col="denominator",
        pooled_rate=r.pooled,
        title=f"Funnel plot: {_label(r)} against number of detainers",
        xlabel="detainers (denominator)",
        ylabel=_axis_label(r),
        flag_col="small_by_data",
        pooled_label="state pool",
    )
    return plots.figure_html(
        fig,
        alt=f"Funnel plot of {_label(r)} against the number of detainers per county, "
        "with 95% and 99.8% control limits around the state pool.",
        caption="Points outside the funnel differ from the state pool by more than chance at "
        "their number of detainers. Counties with no detainers cannot be placed.",
        source=_source(r),
    )


def shrinkage_figure(r: WhichCounties):
    from ma_ice_coop.present.report import md

    if r.shrunk is None:
        return md(f"_No shrinkage shown: {r.measure} is not a share with at least two counties that have data._")
    s = r.shrunk[r.shrunk["denominator"] > 0]
    fig = plots.raw_vs_shrunk_plot(
        s,
        label_col="county",
        raw_col="estimate",
        raw_low="ci_low",
        raw_high="ci_high",
        shrunk_col="shrunk_estimate",
        shrunk_low="shrunk_ci_low",
        shrunk_high="shrunk_ci_high",
        title=f"{_label(r).capitalize()}: raw and shrunken",
        xlabel=_axis_label(r),
    )
    prior = f"Beta({s['shrunk_prior_alpha'].iloc[0]:.1f}, {s['shrunk_prior_beta'].iloc[0]:.1f})"
    bound = (
        " The fit sits at a bound of the optimiser: shrunken intervals are not shown."
        if bool(s["shrunk_at_bound"].iloc[0])
        else ""
    )
    from IPython.display import HTML

    figure = plots.figure_html(
        fig,
        alt=f"Raw and empirical-Bayes shrunken {_label(r)} per county with 95% intervals.",
        caption=f"Raw share (Jeffreys interval) and shrunken share (posterior interval) under a "
        f"beta-binomial prior {prior} fitted to the counties' sheriff facilities only "
        f"(no DOC, police or ICE offices).{bound} The table below gives the shrunken "
        "shares at both ends of the prior's range.",
        source=_source(r),
    )
    return HTML(figure.data + shrinkage_sensitivity_html(r).data)


def shrinkage_sensitivity_html(r: WhichCounties):
    """Shrunken shares under the fitted prior and at both ends of the concentration's 95% range."""
    from ma_ice_coop.present.report import md

    if r.shrunk is None:
        return md("_No shrinkage sensitivity: not a share with at least two counties that have data._")
    s = r.shrunk[r.shrunk["denominator"] > 0]
    span = r.prior_range
    high = f"{span['high']:.0f}" + (" (cap)" if span["open_high"] else "")
    shown = pd.DataFrame(
        {
            "county": s["county"],
            "raw": s["estimate"].map(fmt_pct),
            "shrunken (fitted prior)": s["shrunk_estimate"].map(fmt_pct),
            f"concentration {span['low']:.1f} (least shrinkage)": s["shrunk_prior_low"].map(fmt_pct),
            f"concentration {high} (most shrinkage)": s["shrunk_prior_high"].map(fmt_pct),
        }
    )
    return html_table(
        shown,
        caption="Sensitivity of the shrunken shares to the prior: the concentration's 95% "
        "profile-likelihood range (custody share: custody_share_shrunk_prior_low and "
        "_high in county_measures.csv)",
    )


def map_figure(r: WhichCounties):
    from ma_ice_coop.tables.loaders.boundaries import simplified_boundaries_geojson

    t = r.table
    values = dict(zip(t["county_fips"], t["estimate"], strict=True))
    fmt = "{:.0%}" if r.kind == "share" else ("{:.1f}" if r.kind == "rate" else "{:.0f}")
    fig = plots.choropleth(
        simplified_boundaries_geojson(),
        values,
        title=f"{_label(r).capitalize()}, {r.period.start} to {r.period.end}",
        legend_label=_axis_label(r),
        label_names=dict(zip(t["county_fips"], t["county"], strict=True)),
        fmt=fmt,
        missing_label="no estimate (no denominator)",
    )
    return plots.figure_html(
        fig,
        alt=f"Map of the 14 Massachusetts counties shaded by {_label(r)}.",
        caption="Counties shaded by the estimate; hatched counties have no estimate. "
        "The map shows point estimates only: see the intervals above.",
        source=_source(r) + "; boundaries: U.S. Census Bureau 1:500k (2016)",
    )


def side_by_side_html(r: WhichCounties):
    w = r.wide
    formats = {
        m: (fmt_pct if measures.measure_kind(m) == "share" else (lambda v: fmt_num(v, 2)))
        for m in measures.HEADLINE_MEASURES
    }
    periods = "; ".join(
        f"{m}: {measures.default_period(m).start}..{measures.default_period(m).end}" for m in measures.HEADLINE_MEASURES
    )
    return html_table(
        w.drop(columns=["county_fips"]), caption=f"Headline measures (periods: {periods})", formats=formats
    )


def agreement_html(r: WhichCounties):
    a = r.agreement.copy()
    return html_table(
        a,
        caption="Rank agreement between measures (Spearman's rho over counties with both)",
        formats={"spearman_rho": lambda v: fmt_num(v, 2)},
    )


def disagreement_text(r: WhichCounties) -> str:
    a = r.agreement.dropna(subset=["spearman_rho"])
    strong = a[a["spearman_rho"] >= 0.7]
    weak = a[a["spearman_rho"].abs() < 0.3]
    lines = []
    if len(strong):
        lines.append(
            "Measures that rank counties alike (rho ≥ 0.7): "
            + "; ".join(f"{x.measure_a} and {x.measure_b} ({x.spearman_rho:.2f})" for x in strong.itertuples())
            + "."
        )
    lines.append(
        f"{len(weak)} of {len(a)} pairs of measures barely agree (|rho| < 0.3): a county that looks "
        "cooperative on one definition need not on another. With 11-14 counties these correlations are "
        "themselves uncertain."
    )
    return bullet_list(lines)


def agency_html(r: WhichCounties):
    a = r.agency.copy()
    shown = pd.DataFrame(
        {
            "agency group": a["agency_group"],
            "measure": a["measure"],
            "period": a["period_start"] + " to " + a["period_end"],
            "numerator": a["numerator"].map(lambda v: fmt_num(v)),
            "denominator": a["denominator"].map(lambda v: fmt_num(v)),
            "estimate (95% CI)": [
                fmt_estimate(e, lo, hi, share=m.endswith("share") or "share_" in m)
                if (m.endswith("share") or "share_" in m)
                else fmt_estimate(e, lo, hi, share=False)
                for m, e, lo, hi in zip(a["measure"], a["estimate"], a["ci_low"], a["ci_high"], strict=True)
            ],
        }
    )
    return html_table(shown, caption="Massachusetts facilities not run by a sheriff (never counted in a county)")


def limitations(r: WhichCounties) -> str:
    lines = [
        "Unit: facilities run by each county's elected sheriff, rolled up to the county. Detainers at state "
        "prisons (DOC), federal sites, ICE offices and police lockups are reported separately above.",
        lunn_287g_text(md_source_links) + " FY2015 detainer outcomes predate Lunn.",
        "The detainer-level data (FY2015 YTD) are the only record-level outcomes available here; "
        "most Massachusetts outcomes are blank (unresolved) and 'declined' is a lower bound because ICE records "
        "only the declines it learns of.",
        "ICE arrests at jails come from free-text landmarks pooled over 2011-2023, with no link to detainers. "
        "Misplacement can raise or lower a county's count, so each count has a sensitivity range "
        "(jail_arrests_low: ambiguous landmarks left out; jail_arrests_high: unplaced landmarks naming only a place "
        "with the county's jail added); a county is said to lie above or below the pool only if the whole range "
        "agrees.",
        f"Jail rates per resident: {measures.JAIL_RESIDENTS}.",
        "Small by data: a county's estimate is flagged small when it rests on few cases (shares: fewer than "
        f"{measures.SMALL_SHARE_DENOMINATOR} detainers in the denominator; counts and rates: fewer than "
        f"{measures.SMALL_EVENT_COUNT} events), not by its population.",
        "Intervals: Jeffreys for shares, exact Poisson for counts and rates; administrative counts (days, "
        "headcounts, agreement years) are complete counts with no sampling interval.",
        "Nantucket has no jail: its prisoners are held in Barnstable, so its sheriff measures are zero or blank.",
    ]
    return bullet_list(lines)
