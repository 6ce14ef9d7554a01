"""The 14 Massachusetts counties' FIPS codes (a constant of the state, not of any source); kept apart from the
pandera schemas so that reading the reference tables does not import pandera."""

COUNTY_FIPS = [f"25{n:03d}" for n in range(1, 28, 2)]
