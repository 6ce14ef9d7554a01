"""Daily ICE detention headcount at every facility in the UWCHR national file, 2008-09..2024-01-04.

Source `uwchr_detention_headcount` (UWCHR ice-detain `inc_headcount_fy12-24ytd.csv.gz`, pipe-delimited
`detention_facility_code|n|date`, 928,231 rows): people in ICE detention at a facility on a day, only days with
n > 0. Built from stays recorded from FY2012 on, so earlier days undercount (`before_full_coverage`, as in the
MA table `ice_detention_daily`). Facility attributes come from the committed crosswalk
data/reference/national_detention_facilities.csv (written by `facility_placement`): name, county, state,
operator type and UWCHR facility type of every code; a code with no county keeps its rows (county_fips null).
Text columns are categorical to keep the table small and the loader fast.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders.ice_detention import (
    FULL_COVERAGE_START,
    HEADCOUNT_COLUMNS,
    HEADCOUNT_ID,
    ICE_DETENTION_DAILY_SCHEMA,
)
from ma_ice_coop.tables.loaders.national.common import in_us_counties
from ma_ice_coop.tables.loaders.national.facility_placement import (
    CROSSWALK_COLUMNS,
    METHODS,
    OPERATOR_TYPES,
    crosswalk_path,
)
from ma_ice_coop.tables.schemas import col, table_schema

_FULL = f"{FULL_COVERAGE_START:%Y-%m-%d}"
_SRC = "UWCHR ice-detain inc_headcount_fy12-24ytd.csv.gz (ICE ERO LESA FOIA 2022-ICFO-09022)"
_XW = "data/reference/national_detention_facilities.csv"

# Sheriff-run jails that stand outside their county: code -> the sheriff's county (why).
SHERIFF_ELSEWHERE = {
    "ROANOVA": "51161",  # 'ROANOKE COUNTY JAIL', in Salem city VA (UWCHR city SALEM): Roanoke County's sheriff
}

NATIONAL_ICE_DETENTION_DAILY_SCHEMA = table_schema(
    "national_ice_detention_daily",
    "People in ICE detention at every facility code of the UWCHR national headcount per day, one row per "
    "facility and day with at least one person (days with none are absent: zero). Built from ICE stays recorded "
    f"from {_FULL} on, so days before {_FULL} undercount (before_full_coverage). County, state and operator from "
    f"{_XW}; codes that could not be placed keep their rows with county_fips null (territories, codes with no "
    "state), codes that could not be classified have operator_type 'unknown'.",
    {
        "date": col("datetime64[us]", "calendar day", unit="date", source=_SRC),
        "facility_code": col("category", "ICE detention facility code (DETLOC)", source=_SRC),
        "facility_name": col(
            "category",
            "facility name (UWCHR/NIJC 2017 list, else the Vera list); null for codes in neither list",
            source=_XW,
            nullable=True,
        ),
        "county_fips": col(
            "category",
            "5-digit FIPS of the county the facility is in; null when unplaced",
            source=_XW,
            nullable=True,
            checks=in_us_counties(),
        ),
        "sheriff_county_fips": col(
            "category",
            "county whose sheriff runs the facility: county_fips when operator_type is sheriff (a county jail is "
            "taken to be its own county's, except SHERIFF_ELSEWHERE), else null",
            source=_XW,
            nullable=True,
            checks=in_us_counties(),
        ),
        "state_abbr": col(
            "category", "state (or territory) abbreviation; null when neither list gives one", source=_XW, nullable=True
        ),
        "operator_type": col(
            "category",
            "who runs the facility: " + ", ".join(OPERATOR_TYPES),
            source=_XW,
            checks=pa.Check.isin(OPERATOR_TYPES),
        ),
        "facility_type": col(
            "category",
            "UWCHR facility type (IGSA, USMS IGA, SPC, CDF, DIGSA, BOP, Other ...); "
            "null when the code is not in the UWCHR list",
            source=_XW,
            nullable=True,
        ),
        "facility_type_detailed": col(
            "category",
            "UWCHR type_detailed (HOLD, HOSPITAL, JUVENILE, FAMILY ...), else Vera's type_detailed",
            source=_XW,
            nullable=True,
        ),
        "placement": col(
            "category", "how the county was found: " + ", ".join(METHODS), source=_XW, checks=pa.Check.isin(METHODS)
        ),
        # as in the Massachusetts table (one declaration of each)
        "headcount": ICE_DETENTION_DAILY_SCHEMA.columns["headcount"],
        "before_full_coverage": ICE_DETENTION_DAILY_SCHEMA.columns["before_full_coverage"],
        "source": col("category", "input file id (data/sources.yaml)", source="data/sources.yaml"),
    },
    unique=["facility_code", "date"],
)


def read_national_headcount(path: Path) -> pd.DataFrame:
    """The national headcount file: detention_facility_code (category), n (int64), date (datetime64[us])."""
    header = pd.read_csv(path, sep="|", nrows=0).columns.tolist()
    if header != HEADCOUNT_COLUMNS:
        raise SchemaError(
            f"{path}: columns are {header}, expected {HEADCOUNT_COLUMNS} (UWCHR headcount, pipe-delimited): restore "
            "the original file or update ma_ice_coop.tables.loaders.national.detention for the new layout"
        )
    try:
        rows = pd.read_csv(
            path, sep="|", dtype={"detention_facility_code": "category", "n": "int64", "date": "category"}
        )
    except ValueError as err:
        raise SchemaError(
            f"{path}: column 'n' has non-integer values ({err}): expected whole-number headcounts"
        ) from err
    days = rows["date"].cat.categories
    parsed = pd.to_datetime(days, format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        raise SchemaError(
            f"{path}: column 'date' has values that are not YYYY-MM-DD dates {sorted(days[parsed.isna()])[:5]}"
        )
    rows["date"] = parsed.to_numpy().astype("datetime64[us]")[rows["date"].cat.codes.to_numpy()]
    return rows


def read_crosswalk(path: Path | None = None) -> pd.DataFrame:
    """The committed national facility crosswalk as text, checked (columns, vocabularies, one row per code)."""
    path = Path(path or crosswalk_path())
    if not path.exists():
        raise SchemaError(
            f"{path}: not found; it is committed with the project (restore it from git, or write it "
            "with python -m ma_ice_coop.tables.loaders.national.facility_placement)"
        )
    crosswalk = pd.read_csv(path, dtype=str, keep_default_na=False)
    if crosswalk.columns.tolist() != CROSSWALK_COLUMNS:
        raise SchemaError(f"{path}: columns are {crosswalk.columns.tolist()}, expected {CROSSWALK_COLUMNS}")
    for column, allowed in (("operator_type", OPERATOR_TYPES), ("method", METHODS)):
        bad = sorted(set(crosswalk[column]) - set(allowed))
        if bad:
            raise SchemaError(f"{path}: column {column} has {bad}; allowed: {', '.join(allowed)}")
    dupes = sorted(crosswalk.loc[crosswalk["facility_code"].duplicated(), "facility_code"])
    if dupes:
        raise SchemaError(f"{path}: facility codes listed twice: {dupes[:10]}")
    return crosswalk


def per_code_categorical(codes: pd.Series, per_code: pd.Series) -> pd.Categorical:
    """A categorical column giving each row the value of its code in `per_code` (code -> value; None = null)."""
    values = pd.Categorical(per_code.reindex(codes.cat.categories).to_numpy())
    return pd.Categorical.from_codes(values.codes[codes.cat.codes.to_numpy()], dtype=values.dtype)


def load_national_ice_detention_daily(
    headcount_path: Path | None = None, crosswalk: Path | None = None
) -> pd.DataFrame:
    """Daily ICE headcount at every national facility code with crosswalk attributes, sorted by code and date."""
    headcount_path = headcount_path or input_path(HEADCOUNT_ID)
    rows = read_national_headcount(headcount_path)
    attrs = read_crosswalk(crosswalk).set_index("facility_code")
    missing = sorted(set(rows["detention_facility_code"].cat.categories) - set(attrs.index))
    if missing:
        raise SchemaError(
            f"{crosswalk or crosswalk_path()}: headcount codes not in the crosswalk {missing[:10]} ({len(missing)}): "
            "rewrite it with python -m ma_ice_coop.tables.loaders.national.facility_placement and review the new rows"
        )
    codes = rows["detention_facility_code"].cat.reorder_categories(
        sorted(rows["detention_facility_code"].cat.categories)
    )
    out = pd.DataFrame({"date": rows["date"], "facility_code": codes})
    for column, field in [
        ("facility_name", "facility_name"),
        ("county_fips", "county_fips"),
        ("state_abbr", "state_abbr"),
        ("operator_type", "operator_type"),
        ("facility_type", "facility_type"),
        ("facility_type_detailed", "facility_type_detailed"),
        ("placement", "method"),
    ]:
        out[column] = per_code_categorical(codes, attrs[field].replace("", None))
    sheriff = out["operator_type"].eq("sheriff").to_numpy()
    sheriff_fips = out["county_fips"].astype("object").where(sheriff)
    for code, county in SHERIFF_ELSEWHERE.items():
        sheriff_fips[(out["facility_code"] == code).to_numpy()] = county
    out.insert(4, "sheriff_county_fips", sheriff_fips.astype("category"))
    out["headcount"] = rows["n"].astype("int64")
    out["before_full_coverage"] = (out["date"] < FULL_COVERAGE_START).to_numpy()
    out["source"] = pd.Categorical([HEADCOUNT_ID] * len(out))
    out = out.sort_values(["facility_code", "date"], ignore_index=True)
    return NATIONAL_ICE_DETENTION_DAILY_SCHEMA.validate(out)
