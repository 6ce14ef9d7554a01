"""Honest small-n models for 14 counties: descriptive, deterministic, tidy.

With 14 Massachusetts counties (fewer with usable detainer counts), covariate analyses are
descriptive (DESIGN.md, "Measures"): permutation p-values, at most 3 covariates, intervals
rather than rankings, and a note on ecological inference. Policy indices (287(g), DHS lists)
are covariates, never the outcome.

Every function here

- is deterministic: random numbers come only from ``numpy.random.default_rng(seed)``, rows and
  groups are processed in a sorted or caller-given order, never in dict/set order;
- returns tidy DataFrames (or a small dataclass holding DataFrames) and never prints;
- turns statsmodels warnings into text in the result's ``note`` instead of letting them reach a
  notebook's stderr (nbval compares notebook outputs byte for byte);
- refuses, with a ``note`` saying why, when the data cannot support the model (too few rows or
  residual degrees of freedom), and raises ``ValueError`` for requests that are wrong in
  themselves (more than 3 covariates, a missing column, impossible counts).

This module is the front door: every name used as `models.<name>` is available here; the models live in
model_checks.py (limits, input checks, standardising), correlation.py (permutation Spearman, covariate
correlations), glm.py (quasi-binomial GLM), mixed_glm.py (random-intercept model) and its.py
(interrupted time series).
"""

from __future__ import annotations

from ma_ice_coop.analysis.correlation import (
    COLLINEARITY_LIMIT,
    RANK_CORRELATION_COLUMNS,
    TIES_DOMINATE,
    collinearity_text,
    permutation_spearman,
    rank_correlations,
    weighted_covariate_correlations,
)
from ma_ice_coop.analysis.glm import GlmResult, quasi_binomial_glm
from ma_ice_coop.analysis.its import MIN_POINTS_PER_SEGMENT, ItsResult, interrupted_time_series
from ma_ice_coop.analysis.mixed_glm import MixedResult, mixed_binomial_glm
from ma_ice_coop.analysis.model_checks import DEFAULT_SEED, MAX_COVARIATES

__all__ = [
    "COLLINEARITY_LIMIT",
    "DEFAULT_SEED",
    "GlmResult",
    "ItsResult",
    "MAX_COVARIATES",
    "MIN_POINTS_PER_SEGMENT",
    "MixedResult",
    "RANK_CORRELATION_COLUMNS",
    "TIES_DOMINATE",
    "collinearity_text",
    "ecological_inference_note",
    "interrupted_time_series",
    "mixed_binomial_glm",
    "permutation_spearman",
    "quasi_binomial_glm",
    "rank_correlations",
    "weighted_covariate_correlations",
]


def ecological_inference_note() -> str:
    """Plain-language caveat for any county-level association in a notebook."""
    return (
        "These are associations between county-level figures, not facts about people: they say nothing "
        "about how any individual detainer, person or deputy was treated (the ecological fallacy). "
        "With only 14 counties, and fewer with enough detainers to measure, they are descriptive: "
        "permutation p-values and wide intervals, at most 2-3 covariates, and no claim of cause."
    )
