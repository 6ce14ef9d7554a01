"""The methods page's tables and figure for the models: the permutation test's data, the interrupted time
series (figure drawn by ``present.timeline_figures.its_figure``) and the ecological bounds."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from ma_ice_coop.present import figures as plots
from ma_ice_coop.present import timeline_figures as draw
from ma_ice_coop.present.report import html_table
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.views.methods import examples
from ma_ice_coop.views.methods.compute import COVARIATE, Methods
from ma_ice_coop.views.methods.its_example import SERIES_LABEL, SOURCE, coefficient
from ma_ice_coop.views.methods.wording import interval_words, number, p_value_text, pct, rate_text


def correlation_html(report: Methods):
    """The counties of the permutation test: rate, covariate and the ranks Spearman's rho compares."""
    joined = report.joined
    label = catalogue().covariate_labels.get(COVARIATE, COVARIATE)
    shown = pd.DataFrame(
        {
            "county": joined["county"],
            "arrests per 100,000 per year (95% CI)": [
                rate_text(e, lo, hi)
                for e, lo, hi in zip(joined["estimate"], joined["ci_low"], joined["ci_high"], strict=True)
            ],
            "rank (arrest rate)": stats.rankdata(joined["estimate"]).astype(int),
            label: joined[COVARIATE].map(lambda v: pct(v, 1)),
            f"rank ({label})": stats.rankdata(joined[COVARIATE]).astype(int),
        }
    )
    test = report.correlation
    return html_table(
        shown,
        caption=f"The permutation test's counties (n = {test['n']}): Spearman's rho = {number(test['rho'])}, "
        f"permutation p = {p_value_text(test['p_value'])} ({test['n_permutations']} shuffles)",
    )


def _event_mark(report: Methods) -> draw.EventMark:
    its = report.its
    return draw.EventMark(date=its.event_date, label=its.event_label, legend=f"{its.event_label} ({its.row['date']})")


def its_figure(report: Methods):
    """Observed monthly means, the fitted segments and the pre-event trend continued."""
    fitted = report.its.result.fitted
    dates = pd.to_datetime(fitted["date"])
    level = coefficient(report.its, 2)
    fig = draw.its_figure(fitted, _event_mark(report))
    return plots.figure_html(
        fig,
        alt=f"Monthly mean daily ICE headcount in {SERIES_LABEL} from {dates.min():%Y-%m} to {dates.max():%Y-%m} "
        f"as points, with the fitted segmented regression and the earlier trend continued after "
        f"{report.its.event_label}; the estimated level change is {number(level['estimate'], 1)} persons a day "
        f"(95% CI {interval_words(level['ci_low'], level['ci_high'])}).",
        caption="Descriptive: points are observed monthly means; solid lines the fitted segments before and after "
        "the event; the dashed line the earlier trend continued (the model's assumption, not an observation). "
        "The table below gives the coefficients.",
        source=SOURCE + "; models.interrupted_time_series (OLS, Newey-West errors)",
    )


def its_table_html(report: Methods):
    coefficients = report.its.result.coefficients
    shown = pd.DataFrame(
        {
            "term": coefficients["term"],
            "estimate (persons a day)": coefficients["estimate"].map(lambda v: number(v, 2)),
            "95% CI": [
                interval_words(lo, hi, 2)
                for lo, hi in zip(coefficients["ci_low"], coefficients["ci_high"], strict=True)
            ],
            "p-value": coefficients["p_value"].map(p_value_text),
        }
    )
    return html_table(
        shown,
        caption=f"Segmented regression of the monthly mean daily ICE headcount (persons) in {SERIES_LABEL} around "
        f"{report.its.event_label} ({report.its.row['date']}); descriptive",
    )


def bounds_html(report: Methods):
    """Per county: the arrest rate, the foreign-born share and the bounds on each group's rate."""
    bounds = examples.ecological_bounds(report.joined, COVARIATE)
    label = catalogue().covariate_labels.get(COVARIATE, COVARIATE)
    shown = pd.DataFrame(
        {
            "county": bounds["county"],
            "arrests per 100,000 residents per year": bounds["rate"].map(lambda v: number(v, 2)),
            label: bounds["share"].map(lambda v: pct(v, 1)),
            "foreign-born residents: possible rate": [
                interval_words(lo, hi) for lo, hi in zip(bounds["foreign_low"], bounds["foreign_high"], strict=True)
            ],
            "other residents: possible rate": [
                interval_words(lo, hi) for lo, hi in zip(bounds["other_low"], bounds["other_high"], strict=True)
            ],
        }
    )
    return html_table(
        shown,
        caption="What county totals allow: each group's arrest rate per 100,000 a year (method of bounds)",
    )
