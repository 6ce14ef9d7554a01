"""How the which-counties report writes an estimate, a measure's name, an axis and the sources."""

from __future__ import annotations

from ma_ice_coop.present.report import fmt_estimate
from ma_ice_coop.views.which_counties.compute import WhichCounties


def format_estimate(report: WhichCounties, est, low, high) -> str:
    if report.kind == "share":
        return fmt_estimate(est, low, high, share=True)
    return fmt_estimate(est, low, high, share=False, digits=2 if report.kind == "rate" else 0)


def measure_words(report: WhichCounties) -> str:
    return report.measure.replace("_", " ")


def axis_label(report: WhichCounties) -> str:
    units = {"share": "share of detainers (0-1)", "count": "count"}
    if report.measure.endswith("per_100k"):
        return "per 100,000 residents" + (" per year" if "arrests" in report.measure else "")
    if report.measure.endswith("foreign_born"):
        return "per 1,000 foreign-born residents per year"
    if report.measure == "recorded_declines":
        return "recorded declines per facility-year"
    if report.measure == "detention_contract_days":
        return "days with ICE detainees"
    if report.measure in ("mean_daily_ice_headcount", "ice_adp_year_end"):
        return "ICE detainees per day (persons)"
    if report.measure == "agreement_287g_years":
        return "years with a 287(g) agreement"
    return units.get(report.kind, report.kind)


def sources_text(report: WhichCounties) -> str:
    sources = sorted(set(report.table["source"]))
    return "; ".join(sources)
