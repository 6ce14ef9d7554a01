"""County covariates → the long `county_covariates` panel (one row per county × year × variable).

Covariates describe the 14 Massachusetts counties: population, demographics (ACS / Census), vote
shares for president (2000-2024) and governor (2014, 2018, 2022), and the 2022 sheriff races.
They are descriptive context for the cooperation measures, never outcomes.

Inputs (data/sources.yaml ids). Massachusetts subsets are derived in code from the national
originals by the `derive_*_ma` functions; tests compare each with the mirror's extract.
- `tonmcg_pres_2008_2016`, `tonmcg_pres_2020`, `tonmcg_pres_2024` (originals): president 2008, 2020, 2024.
- `medsl_election_context_2018` (original): president 2012 and 2016, governor 2014, ACS 2012-16
  demographics, 2010 rural share, 2013 rural-urban continuum code.
- `medsl_countypres_2000_2004_ma` (extract, no original mirrored): president 2000 and 2004.
- `medsl_2018_precinct` (zip original): governor 2018, summed from precincts to counties.
- `medsl_2022_local_precinct` (zip original): governor and sheriff 2022, summed to counties.
- `openintro_county_complete`, `openintro_county_2019` (.rda originals): Census 2000/2010,
  PEP 2011-2017 estimates, ACS 2006-10 and ACS 2015-19 (with margins of error) items.
- `census_pep_v2020_ma` (extract, no original mirrored): Census 2010 count, PEP Vintage 2020.
- `tonmcg_pres_2012_2016`, `tonmcg_pres_2016` (originals) are derived and checked but not used in
  the panel (see the presidential source rule below).

Presidential source rule: where MEDSL county returns exist (2000, 2004 countypres; 2012, 2016 in
election-context, which reproduce the official statewide Democratic and Republican totals) they
are used; tonmcg (compiled from news sites) only where MEDSL is not mirrored (2008, 2020, 2024).
tonmcg's 2012 and 2016 county totals fall 1.2% and 2.8% short of the official statewide totals.

Vote shares are of votes cast for candidates (blank ballots / undervotes excluded, write-ins and
"all others" included), matching the official "total votes" less blanks. Shares are 0-1 fractions.
"""

from ma_ice_coop.tables.loaders.covariates.common import (  # noqa: F401
    AGGREGATE_OTHER_LABELS,
    BLANK_BALLOT_LABELS,
    COUNTY_COVARIATES_SCHEMA,
    COUNTY_NAMES,
    GENERAL_ELECTION_DATES,
    MA_STATE_NAME,
    PANEL_COLUMNS,
    TONMCG_2008_2016_COLUMNS,
    TONMCG_2012_2016_COLUMNS,
    TONMCG_2016_COLUMNS,
    TONMCG_2020_2024_COLUMNS,
    UNIT_CODE,
    UNIT_INDICATOR,
    UNIT_PERSONS,
    UNIT_SHARE,
    UNIT_SHARE_DIFF,
    UNIT_USD,
    UNIT_VOTES,
    fips5,
    read_rda_table,
    read_text_csv,
    require_all_counties,
    require_columns,
    to_number,
)
from ma_ice_coop.tables.loaders.covariates.extracts import (  # noqa: F401
    ELECTION_CONTEXT_COLUMNS,
    MEDSL_2018_COUNTY_KEYS,
    MEDSL_2022_COUNTY_KEYS,
    MEDSL_2022_OFFICES,
    MEDSL_PRECINCT_COLUMNS,
    OPENINTRO_2019_COLUMNS,
    OPENINTRO_2019_ITEMS,
    OPENINTRO_COMPLETE_COLUMNS,
    TONMCG_FILES,
    derive_medsl_2018_county_governor_ma,
    derive_medsl_2018_precinct_governor_ma,
    derive_medsl_2022_county_sheriff_governor_ma,
    derive_medsl_2022_precinct_sheriff_governor_ma,
    derive_medsl_election_context_2018_ma,
    derive_openintro_county_2019_ma,
    derive_openintro_county_complete_ma,
    derive_tonmcg_ma,
    derive_tonmcg_pres_2008_2016_ma,
    derive_tonmcg_pres_2012_2016_ma,
    derive_tonmcg_pres_2016_ma,
    derive_tonmcg_pres_2020_ma,
    derive_tonmcg_pres_2024_ma,
    sum_precinct_votes,
)
from ma_ice_coop.tables.loaders.covariates.panel import (  # noqa: F401
    ELECTION_CONTEXT_ITEMS,
    OPENINTRO_2019_SPECS,
    OPENINTRO_COMPLETE_ITEMS,
    PEP_COLUMNS,
    SHERIFF_PARTY_YEARS,
    check_share_ranges,
    county_covariates_wide,
    election_context_rows,
    load_county_covariates,
    long_rows,
    openintro_2019_rows,
    openintro_complete_rows,
    pep_v2020_rows,
    sheriff_party_rows,
    sheriff_rows,
    vote_share_rows,
)
from ma_ice_coop.tables.loaders.covariates.votes import (  # noqa: F401
    CONTESTED_MIN_RUNNER_UP_SHARE,
    CONTESTED_RULE,
    gov_votes_election_context_2014,
    gov_votes_medsl_2018,
    gov_votes_medsl_2022,
    governor_votes,
    pres_votes_election_context,
    pres_votes_medsl_countypres,
    pres_votes_tonmcg,
    pres_votes_tonmcg_2008,
    presidential_votes,
    sheriff_2022_results,
    uncontested_sheriff_races_2022,
)
