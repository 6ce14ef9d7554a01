"""The names the code uses for measures and coverage, all derived from the measure catalogue
(data/reference/measures.yaml, read by tables/catalogue.py): nothing here is typed twice.

MEASURES maps each measure id to its definition (the downloads README prints it); the *_MEASURES tuples
group the ids by source (coverage) or by kind, in catalogue order; the Period constants are the coverage
of each source (the catalogue's coverage key, upper-cased).
"""

from __future__ import annotations

from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.periods import Period

_CATALOGUE = catalogue()

# What each measure id means (units in brackets); the downloads README is generated from this.
MEASURES = {measure.id: measure.definition for measure in _CATALOGUE.measures.values()}

# The denominator of the jail measures: residents stand in for the jail population (no bookings or jail
# population source is used), counted where their county's prisoners are held.
JAIL_RESIDENTS = _CATALOGUE.texts["jail_residents"]
OPERATIONAL_287G_RULE = _CATALOGUE.texts["operational_287g_rule"]

# Coverage of the sources (see data/sources.yaml and the SOURCE.md files of the mirror).
FY2015_DETAINERS = _CATALOGUE.period("fy2015_detainers")
NPR_DECLINES = _CATALOGUE.period("npr_declines")
JAIL_ARRESTS = _CATALOGUE.period("jail_arrests")
ICE_DETENTION_DAILY = _CATALOGUE.period("ice_detention_daily")
AGREEMENTS_287G = _CATALOGUE.period("agreements_287g")
ICE_YEAR_END_STATS = _CATALOGUE.period("ice_year_end_stats")
# ICE detention stays are recorded from 2011-10-01 on: the whole period with complete records.
DETENTION_COMPLETE = _CATALOGUE.period("detention_complete")

# Measures by source.
DETAINER_MEASURES = _CATALOGUE.ids(coverage="fy2015_detainers")
JAIL_ARREST_MEASURES = _CATALOGUE.ids(coverage="jail_arrests")
DETENTION_MEASURES = _CATALOGUE.ids(coverage="ice_detention_daily")
AGREEMENT_MEASURES = _CATALOGUE.ids(coverage="agreements_287g")

# Measures by kind.
SHARE_MEASURES = _CATALOGUE.ids(kind="share")
RATE_MEASURES = _CATALOGUE.ids(kind="rate")
COUNT_MEASURES = _CATALOGUE.ids(kind="count")
ADMINISTRATIVE_MEASURES = _CATALOGUE.ids(kind="administrative")

# One measure per kind of cooperation, each over its source's full coverage: the side-by-side view.
HEADLINE_MEASURES = tuple(m.id for m in _CATALOGUE.measures.values() if m.headline)

# A measure and the variants that bound it (its sensitivity range): a county is said to lie above or below
# the pool only if its 95% interval does so under the measure and under every variant.
SENSITIVITY_VARIANTS = {m.id: m.sensitivity_variants for m in _CATALOGUE.measures.values() if m.sensitivity_variants}


def measure_coverage(measure: str) -> Period:
    """The dates a measure can be computed for (the coverage of its source)."""
    return _CATALOGUE.measure_coverage(measure)


def measure_kind(measure: str) -> str:
    """'share' (0-1, binomial), 'rate' (per population or facility-year), 'count' or 'administrative'."""
    return _CATALOGUE.measure(measure).kind


def default_period(measure: str) -> Period:
    """The period a measure is shown for by default: its coverage (the latest fiscal year for ICE statistics;
    from 2011-10-01 for the detention measures, whose records undercount before: not mixed into a headline)."""
    return _CATALOGUE.measure(measure).default_period
