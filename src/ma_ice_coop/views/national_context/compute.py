"""The national notebook's result: one FY2015 detainer measure for every US county, joined to county covariates,
with the national models, their marginal-effect curves and their sensitivity to the analysis choices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import national_models
from ma_ice_coop.analysis.measure_tables import PER_100K
from ma_ice_coop.analysis.national_comparison import latest_covariates, percentile_among
from ma_ice_coop.analysis.national_data import national_inputs
from ma_ice_coop.errors import ParameterError

SHARE_MEASURES = (
    "custody_share",
    "custody_share_resolved",
    "declined_share",
    "declined_share_broad",
    "unresolved_share",
)
COUNT_MEASURES = ("detainers_per_100k",)
COVARIATE_YEAR = 2015  # the detainers were prepared in FY2015: covariates at or before 2015
THRESHOLDS = (1, 10, 30, 100)  # minimum detainers for the threshold sensitivity
WELL_PLACED = 0.95  # states with at least this share of their detainers placed count as well placed
RULE_ONLY = "placed by rule only"
HOME_STATE = "MA"


@dataclass
class NationalContext:
    measure: str
    family: str  # share | count
    covariates: list[str]
    min_detainers: int
    state: str  # all | a state abbreviation
    exclude_states: list[str]
    highlight: str  # the state whose counties are highlighted
    counties: pd.DataFrame  # every county in scope: measure, covariates, population, in_analysis, reason
    analysed: pd.DataFrame
    pooled: float  # the pool over the counties analysed (k / n, or detainers per resident)
    fits: list = field(default_factory=list)  # national_models.NationalFit
    refusals: list[str] = field(default_factory=list)
    curves: dict = field(default_factory=dict)  # covariate -> {model: curve}
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    placement: pd.DataFrame = field(default_factory=pd.DataFrame)  # per state: detainers, placed, classified
    highlighted: pd.DataFrame = field(default_factory=pd.DataFrame)  # the highlighted state's counties, ranked
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)  # outcome shares: placed sheriff, other, unplaced


def check_parameters(measure: str, covariates, min_detainers: int, state: str, exclude_states) -> list[str]:
    """Checks beyond the registry types: a measure this notebook models, and states that leave some counties."""
    if measure not in SHARE_MEASURES + COUNT_MEASURES:
        valid = ", ".join(SHARE_MEASURES + COUNT_MEASURES)
        raise ParameterError(f"measure {measure!r} is not modelled nationally; choose one of {valid}")
    if state != "all" and exclude_states:
        raise ParameterError("give either state (one state) or exclude_states (all states but these), not both")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if len(set(covariates)) != len(covariates):
        raise ParameterError(f"covariates are repeated: {covariates}")
    return covariates


def _measure_frame(national: pd.DataFrame, measure: str, population: pd.Series) -> pd.DataFrame:
    """One measure's rows by county; a rate is kept per resident here (the measure table has it per 100,000),
    like the pool and the models' predictions, and shown per 100,000."""
    rows = national[national["measure"] == measure].set_index("county_fips")
    frame = rows[["county", "state", "numerator", "denominator", "estimate", "ci_low", "ci_high"]].copy()
    if measure in COUNT_MEASURES:
        frame[["estimate", "ci_low", "ci_high"]] = frame[["estimate", "ci_low", "ci_high"]] / PER_100K
    frame["population"] = population.reindex(frame.index)
    return frame


def _in_scope(frame: pd.DataFrame, state: str, exclude_states: list[str]) -> pd.DataFrame:
    if state != "all":
        return frame[frame["state"] == state]
    return frame[~frame["state"].isin(exclude_states)]


def _mark_analysed(frame: pd.DataFrame, family: str, covariates: list[str], min_detainers: int) -> pd.DataFrame:
    frame = frame.copy()
    reason = pd.Series("", index=frame.index)
    missing = frame[covariates + ["population"]].isna().any(axis=1)
    reason[missing] = "a covariate or the population is missing"
    if family == "share":
        few = (frame["denominator"] < min_detainers) & (reason == "")
        reason[few] = f"fewer than {min_detainers} detainers at sheriff-run facilities"
    frame["reason"] = reason
    frame["in_analysis"] = reason == ""
    return frame


def _model_data(analysed: pd.DataFrame, family: str, covariates: list[str]) -> pd.DataFrame:
    data = analysed.reset_index().copy()
    if family == "share":
        data["k"], data["n"] = data["numerator"], data["denominator"]
    else:
        data["count"] = data["numerator"]
    return data


def _design_covariates(covariates: list[str]) -> list[str]:
    """Population enters the models as log population (a count spans four orders of magnitude)."""
    return ["log_population" if c == "population" else c for c in covariates]


def fit_models(
    data: pd.DataFrame, family: str, covariates: list[str], *, first_only: bool = False
) -> tuple[list, list[str]]:
    """The models for the family (or only the first, for the sensitivity refits); a model the data cannot
    support is refused with its reason."""
    design_covariates = _design_covariates(covariates)
    data = data.assign(log_population=np.log(data["population"].astype(float)))
    fits, refusals = [], []
    if len(data) < len(design_covariates) + 10:
        return [], [f"only {len(data)} counties to analyse: too few for {len(design_covariates)} covariates"]
    makers = (
        (national_models.binomial_state_glm, national_models.beta_binomial_state_model)
        if family == "share"
        else (national_models.negative_binomial_state_model,)
    )
    for make in makers[:1] if first_only else makers:
        try:
            fits.append(make(data, design_covariates))
        except (np.linalg.LinAlgError, ValueError) as exc:
            refusals.append(f"{make.__name__}: not fitted ({exc})")
    return fits, refusals


def _rule_only_sensitivity(inputs, measure: str, family: str, covariates, scope, min_detainers: int) -> pd.DataFrame:
    """The first model refitted on measures that count only the detainers placed by a rule (no gazetteer and no
    hand placement): does the finding rest on the judgement calls?"""
    frame = _measure_frame(inputs.rule_placed, measure, inputs.population).join(scope[covariates_only(covariates)])
    frame = frame.loc[frame.index.intersection(scope.index)]
    marked = _mark_analysed(frame, family, covariates, min_detainers)
    fits, _ = fit_models(
        _model_data(marked[marked["in_analysis"]], family, covariates), family, covariates, first_only=True
    )
    return fits[0].coefficients.assign(threshold=RULE_ONLY) if fits else pd.DataFrame()


def covariates_only(covariates: list[str]) -> list[str]:
    return [c for c in covariates if c != "population"]


def sensitivity(
    frame: pd.DataFrame, family: str, covariates: list[str], inputs, measure: str, min_detainers: int
) -> pd.DataFrame:
    """The first model's covariate estimates under each minimum-detainer threshold (shares) and with only the
    rule-placed detainers (columns of COEFFICIENT_COLUMNS plus threshold)."""
    rows = []
    if family == "share":
        for threshold in THRESHOLDS:
            marked = _mark_analysed(frame, family, covariates, threshold)
            data = _model_data(marked[marked["in_analysis"]], family, covariates)
            fits, _ = fit_models(data, family, covariates, first_only=True)
            if fits:
                rows.append(fits[0].coefficients.assign(threshold=threshold))
    rows.append(_rule_only_sensitivity(inputs, measure, family, covariates, frame, min_detainers))
    rows = [r for r in rows if not r.empty]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def highlighted_counties(frame: pd.DataFrame, state: str) -> pd.DataFrame:
    """The highlighted state's counties with their percentile among the counties analysed (of the estimate and of
    the two ends of its interval; blank for a county not analysed)."""
    peers = frame.loc[frame["in_analysis"], "estimate"].to_numpy()
    rows = frame[frame["state"] == state].copy()
    for column, source in (("percentile", "estimate"), ("percentile_low", "ci_low"), ("percentile_high", "ci_high")):
        rows[column] = [
            percentile_among(peers, value) if ok else np.nan
            for value, ok in zip(rows[source], rows["in_analysis"], strict=True)
        ]
    return rows.sort_values("estimate", ascending=False)


def compute(measure: str, covariates, min_detainers: int, state: str = "all", exclude_states=()) -> NationalContext:
    covariates = check_parameters(measure, covariates, min_detainers, state, list(exclude_states))
    inputs = national_inputs()
    family = "share" if measure in SHARE_MEASURES else "count"
    values = latest_covariates(inputs.covariates, covariates_only(covariates), COVARIATE_YEAR)
    frame = _measure_frame(inputs.measures, measure, inputs.population).join(values)
    frame = _mark_analysed(_in_scope(frame, state, list(exclude_states)), family, covariates, min_detainers)
    analysed = frame[frame["in_analysis"]]
    highlight = HOME_STATE if state == "all" else state
    if analysed.empty:
        raise ParameterError(f"no county in scope has {min_detainers} or more detainers and every covariate")
    exposure = analysed["denominator"] if family == "share" else analysed["population"]
    pooled = analysed["numerator"].sum() / exposure.sum()
    data = _model_data(analysed, family, covariates)
    fits, refusals = fit_models(data, family, covariates)
    curves = {
        c: {
            f.model: national_models.marginal_curve(
                f, data.assign(log_population=np.log(data["population"])), _design_covariates([c])[0]
            )
            for f in fits
        }
        for c in covariates
    }
    return NationalContext(
        measure,
        family,
        covariates,
        min_detainers,
        state,
        list(exclude_states),
        highlight,
        frame,
        analysed,
        float(pooled),
        fits,
        refusals,
        curves,
        sensitivity(frame, family, covariates, inputs, measure, min_detainers),
        inputs.placement,
        highlighted_counties(frame, highlight),
        inputs.outcomes,
    )
