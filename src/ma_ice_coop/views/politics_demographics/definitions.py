"""Labels of the measures' denominators and the covariates, and the analysis settings of the notebook."""

from __future__ import annotations

from ma_ice_coop.analysis import measures
from ma_ice_coop.tables.catalogue import catalogue

# Measures with a population-sized denominator: a binomial model of count / person-years is, for a rare
# event, practically a Poisson rate model.
POPULATION_RATES = ("detainers_per_100k", "jail_arrests_per_100k", "jail_arrests_per_1k_foreign_born")

# What the denominator of each measure counts (marker size legend, table headers, text), and the covariates'
# labels: both stated once, in the measure catalogue (data/reference/measures.yaml).
DENOMINATOR_LABELS = {m.id: m.denominator for m in catalogue().measures.values() if m.denominator}
COVARIATE_LABELS = dict(catalogue().covariate_labels)

# Every measure here is about the jails of a county's sheriff (287(g) years are refused as an outcome): a county
# whose sheriff runs no jail has no value for it, not a zero (a structural zero), and is left out.
JAIL_MEASURES = tuple(measure for measure in measures.MEASURES if measure != "agreement_287g_years")

N_PERMUTATIONS = 9999
"""Permutations per rank correlation (seed: models.DEFAULT_SEED)."""

MIN_MIXED_GROUPS = 5
"""The detainer-level model is fitted only when at least this many counties have detainers and covariates."""
