"""National processed tables (every US county): covariates, 287(g) lists, daily ICE detention headcount.

The Massachusetts tables (county_covariates, agreements_287g_years, ice_detention_daily) are untouched: these
loaders read the national originals and reuse the MA loaders' readers, item lists and conventions, so the MA
rows of a national table agree with the MA table wherever both use the same source.
"""
