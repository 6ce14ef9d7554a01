"""NPR facility-year recorded declines (ICE detainers "Declined by LEA"), Massachusetts.

Source: `npr_declines` = nprapps/sanctuary-cities `export/declined_vs_everythingelse.csv`
(national; ICE ERO LESA FOIA 15-87693 detainer records, prepare dates 2007-10..2015-07).
The file has duplicate column names `year, det_facility, city, state, count, det_facility, year, count`:
the first block is the facility-year (calendar year of the prepare date) and its number of detainers
with lift reason "Detainer Declined by LEA"; the second block is a LEFT JOIN of the number of other
resolved detainers there (non-blank lift reason other than a decline). The second block is blank when
that facility-year had no other resolved detainer, so blank means 0. Only facility-years with at least
one recorded decline appear: a facility-year absent from the table had zero recorded declines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..errors import ParameterError, SchemaError
from ..schemas import COUNTY_FIPS, col, table_schema

FILE_ID = "npr_declines"
ALIAS_SOURCE = "npr_declines"
MA_STATE = "MASSACHUSETTS"
GRID_YEARS = tuple(range(2008, 2016))  # calendar years with MA rows; 2015 covers Jan..Jul 19 only

# The header exactly as published (duplicate names are real) and the names we give the columns.
RAW_HEADER = ["year", "det_facility", "city", "state", "count", "det_facility", "year", "count"]
RAW_NAMES = ["year", "det_facility", "city", "state", "declined_count",
             "other_det_facility", "other_year", "other_resolved_count"]

_SRC = "NPR sanctuary-cities declined_vs_everythingelse.csv (ICE FOIA 15-87693)"
_XWALK = "data/reference/facilities.csv via facility_aliases.csv"
_ABSENT_NOTE = ("Only facility-years with at least one recorded decline are in the NPR table; a facility-year "
                "absent from it had zero recorded declines (not missing data). Declines are a lower bound: "
                "ICE records only the declines it learns of.")

FACILITY_YEAR_DECLINES_SCHEMA = table_schema(
    "facility_year_declines",
    "Massachusetts facility x calendar year with at least one ICE-recorded declined detainer, 2008-2015 "
    "(2015 = Jan..Jul 19), one row per NPR facility string x year. " + _ABSENT_NOTE
    + " Use facility_year_declines_complete() for the full grid with zeros.",
    {
        "facility_raw": col("str", "facility name as written in the NPR table (det_facility)", source=_SRC),
        "city_raw": col("str", "city as written in the NPR table", source=_SRC),
        "facility_id": col("str", "project facility id from the crosswalk", source=_XWALK),
        "operator_type": col("str", "who runs the facility (sheriff, state_doc, federal, police, ...)",
                             source=_XWALK),
        "county_fips": col("str", "5-char FIPS of the county the facility is located in", source=_XWALK,
                           nullable=True),
        "sheriff_county_fips": col("str", "5-char FIPS of the county whose sheriff runs it; null unless "
                                   "operator_type is sheriff", source=_XWALK, nullable=True,
                                   checks=[pd_isin_or_null(COUNTY_FIPS)] if False else None),
        "year": col("int64", "calendar year of the detainer prepare date", unit="year", source=_SRC),
        "recorded_declines": col("int64", "detainers with lift reason 'Detainer Declined by LEA' (first "
                                 "'count' column)", unit="detainers", source=_SRC),
        "other_resolved": col("int64", "detainers with a non-blank lift reason other than a decline (second "
                              "'count' column; blank in the file means none, stored as 0)", unit="detainers",
                              source=_SRC),
        "source": col("str", "input file id", source="data/sources.yaml"),
    },
    unique=["facility_raw", "city_raw", "year"],
) if False else None  # replaced below (kept simple: see _schema())
