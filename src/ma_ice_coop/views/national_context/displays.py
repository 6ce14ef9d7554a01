"""Tables and figures of the national notebook (HTML tables through present.report, SVG figures with alt text,
caption and source through present.figure_style)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.present.figure_style import figure_html
from ma_ice_coop.present.national_figures import marginal_effect_plot, national_funnel, sensitivity_plot
from ma_ice_coop.present.report import fmt_num, fmt_pct, html_table
from ma_ice_coop.views.national_context.compute import NationalContext
from ma_ice_coop.views.national_context.text import (
    covariate_words,
    fmt_value,
    measure_words,
    scope_words,
    state_words,
    term_words,
)

SOURCE = (
    "NPR FY2015 ICE detainer release (FOIA 15-87693), placed in counties by data/reference/national_facilities.csv; "
    "county covariates: tonmcg county presidential results, OpenIntro usdata, MEDSL election context"
)


def _interval(result: NationalContext, low, high) -> str:
    return f"{fmt_value(result, low)} to {fmt_value(result, high)}"


def highlighted_html(result: NationalContext):
    """The highlighted state's counties: detainers, estimate with interval, national percentile and its range."""
    rows = result.highlighted
    table = pd.DataFrame(
        {
            "County": rows["county"],
            "Detainers" if result.family == "share" else "Detainers lodged": rows["numerator"].map(fmt_num)
            if result.family == "count"
            else rows["denominator"].map(fmt_num),
            measure_words(result): rows["estimate"].map(lambda v: fmt_value(result, v)),
            "95% CI": [_interval(result, lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)],
            "National percentile": [
                f"{p:.0f} ({lo:.0f} to {hi:.0f})" if np.isfinite(p) else "not ranked: " + why
                for p, lo, hi, why in zip(
                    rows["percentile"], rows["percentile_low"], rows["percentile_high"], rows["reason"], strict=True
                )
            ],
        }
    )
    return html_table(
        table,
        caption=f"{state_words(result)} counties among the {fmt_num(len(result.analysed))} {scope_words(result)} "
        "analysed: percentile of the estimate (and of the two ends of its 95% interval)",
    )


def placement_html(result: NationalContext, top: int = 12):
    table = result.placement.head(top)
    shown = pd.DataFrame(
        {
            "State": table["state_name"].map(lambda name: name if name.startswith("(") else name.title()),
            "Detainers": table["detainers"].map(fmt_num),
            "Placed in a county": table["placed_share"].map(lambda v: fmt_pct(v, 1)),
            "Operator known": table["classified_share"].map(lambda v: fmt_pct(v, 1)),
            "At sheriff-run facilities": table["sheriff_placed"].map(fmt_num),
        }
    )
    return html_table(shown, caption=f"Placement of the FY2015 detainers, the {top} states with most detainers")


def outcomes_html(result: NationalContext):
    table = result.outcomes
    shown = pd.DataFrame(
        {
            "Detainers": table["group"].str.capitalize(),
            "Number": table["detainers"].map(fmt_num),
            "ICE took custody": table["custody"].map(lambda v: fmt_pct(v, 1)),
            "Declined (recorded)": table["declined"].map(lambda v: fmt_pct(v, 1)),
            "No outcome recorded": table["unresolved"].map(lambda v: fmt_pct(v, 1)),
        }
    )
    return html_table(shown, caption="Outcomes of the FY2015 detainers by placement (all states)")


def coefficients_html(result: NationalContext):
    if not result.fits:
        return html_table(pd.DataFrame({"Model": ["not fitted"], "Reason": result.refusals or ["no data"]}))
    rows = pd.concat([fit.coefficients for fit in result.fits], ignore_index=True)
    ratio = "Odds ratio per SD" if result.family == "share" else "Rate ratio per SD"
    shown = pd.DataFrame(
        {
            "Model": rows["model"],
            "Covariate": rows["term"].map(term_words),
            ratio: rows["ratio"].map(lambda v: f"{v:.2f}"),
            "95% CI": [
                f"{np.exp(lo):.2f} to {np.exp(hi):.2f}" for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)
            ],
            "p": rows["p_value"].map(lambda v: "<0.001" if v < 0.001 else f"{v:.3f}"),
            "Counties": rows["n"].map(fmt_num),
        }
    )
    return html_table(shown, caption="National models, state fixed effects (state dummies not shown)")


def model_notes(result: NationalContext) -> str:
    """The fits' own notes (dispersion, precision, warnings), after the one note on scaling they all share."""
    scaling = "Each covariate is centred and scaled over the counties analysed: every estimate is per 1 SD."
    notes = [f"- {fit.model}: {note}" for fit in result.fits for note in fit.notes if not note.startswith("Continuous")]
    return "\n".join([f"- {scaling}", *notes])


def funnel_html(result: NationalContext):
    table = result.analysed.assign(
        label=result.analysed["county"].str.replace(" County", "", regex=False),
        highlight=result.analysed["state"] == result.highlight,
    )
    share = result.family == "share"
    table = table.assign(denominator=table["denominator"] if share else table["population"])
    table.attrs["highlight_name"] = state_words(result)
    fig = national_funnel(
        table,
        kind=result.family,
        pooled=result.pooled,
        title=f"{measure_words(result)}: {scope_words(result)} against the national pool",
        xlabel="detainers at sheriff-run facilities (log scale)" if share else "residents (log scale)",
        ylabel="share of detainers" if share else "detainers per 100,000 residents",
        scale=1.0 if share else 100_000,
    )
    alt = (
        f"Funnel plot of {fmt_num(len(table))} counties: {measure_words(result).lower()} against "
        f"{'detainers' if share else 'residents'} on a log axis, with the national pool "
        f"({fmt_value(result, result.pooled)}) and 95% and 99.8% limits; {state_words(result)} counties in blue."
    )
    return figure_html(
        fig,
        alt=alt,
        caption="Counties outside the dotted limits differ from the pool by more than "
        "chance at that level; small counties scatter widely by chance alone.",
        source=SOURCE,
    )


def marginal_html(result: NationalContext, covariate: str):
    curves = result.curves.get(covariate, {})
    share = result.family == "share"
    population = covariate == "population"
    if population:  # the model uses log population; the axis shows residents on a log scale
        curves = {model: curve.assign(value=np.exp(curve["value"])) for model, curve in curves.items()}
    fig = marginal_effect_plot(
        curves,
        title=f"Predicted {measure_words(result).lower()} as '{covariate_words(covariate)}' varies",
        xlabel="residents (log scale)" if population else covariate_words(covariate),
        ylabel="average predicted share" if share else "predicted detainers per 100,000",
        scale=1.0 if share else 100_000,
        log_x=population,
    )
    alt = (
        f"Lines of the average predicted {measure_words(result).lower()} over the 5th to 95th percentile of "
        f"'{covariate_words(covariate)}', one per model, with 95% bands."
    )
    caption = (
        "Each county keeps its own state and other covariates; the band is the uncertainty of this covariate's "
        "coefficient only (so it narrows at the average)."
    )
    return figure_html(fig, alt=alt, caption=caption, source=SOURCE)


def sensitivity_html(result: NationalContext):
    if result.sensitivity.empty:
        return html_table(pd.DataFrame({"Sensitivity": ["no model could be refitted"]}))
    fig = sensitivity_plot(
        result.sensitivity.assign(term=result.sensitivity["term"].map(term_words)),
        title=f"{result.sensitivity['model'].iloc[0]}: estimates under other choices",
        xlabel="log odds ratio per SD" if result.family == "share" else "log rate ratio per SD",
    )
    alt = "Estimates with 95% intervals for each covariate under each minimum-detainer threshold and placement rule."
    return figure_html(
        fig,
        alt=alt,
        caption="An estimate that keeps its sign and size across choices is robust to them.",
        source=SOURCE,
    )
