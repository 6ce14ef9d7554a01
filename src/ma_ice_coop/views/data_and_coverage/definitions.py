"""Names the notebook's tables and texts share: the blank lift-reason label and the covariate groups."""

from __future__ import annotations

import re

BLANK_LIFT_REASON = "(blank: no outcome recorded)"

# Covariate variables grouped for the timeline (a variable not listed falls in "Other covariates").
COVARIATE_GROUPS = (
    ("Presidential election results (county)", lambda v: v.startswith("pres_")),
    ("Governor election results (county)", lambda v: v.startswith("gov_")),
    ("Sheriff election results (county)", lambda v: v.startswith("sheriff_") and v != "sheriff_republican"),
    ("Sheriff party (reference table)", lambda v: v == "sheriff_republican"),
    ("Population (Census counts, PEP estimates)", lambda v: v in ("population", "net_international_migration")),
    ("Foreign-born share (ACS 5-year)", lambda v: v == "foreign_born_share"),
    (
        "Other demographics (Census, ACS, USDA)",
        lambda v: (
            v
            in (
                "hispanic_share",
                "white_nonhispanic_share",
                "black_share",
                "black_nonhispanic_share",
                "median_household_income",
                "poverty_share",
                "rural_share",
                "rural_urban_continuum_code",
                "citizen_voting_age_population",
            )
        ),
    ),
    ("Unemployment rate (BLS LAUS)", lambda v: v == "unemployment_rate"),
)
OTHER_COVARIATES = "Other covariates"

ELECTION_DATE = re.compile(r"general election (\d{4}-\d{2}-\d{2})")
