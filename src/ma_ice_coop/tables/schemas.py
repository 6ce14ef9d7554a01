"""Helpers for declaring processed-table schemas (pandera) with codebook metadata.

Every column carries a description, a unit and the source it comes from; the codebook
(`ma-ice codebook`) is generated from these declarations.
"""

from __future__ import annotations

import pandera.pandas as pa

from ma_ice_coop.tables.fips import COUNTY_FIPS  # noqa: F401  (re-exported: the schemas check it)


def col(
    dtype,
    description: str,
    *,
    unit: str = "",
    source: str = "",
    nullable: bool = False,
    checks=None,
    unique: bool = False,
) -> pa.Column:
    """A pandera Column whose metadata feeds the codebook."""
    return pa.Column(
        dtype,
        checks=checks,
        nullable=nullable,
        unique=unique,
        description=description,
        metadata={"unit": unit, "source": source},
    )


def table_schema(name: str, description: str, columns: dict, *, unique: list[str] | None = None) -> pa.DataFrameSchema:
    """A strict schema: no extra columns, listed order, optional unique key."""
    return pa.DataFrameSchema(
        columns, name=name, description=description, strict=True, ordered=True, unique=unique, coerce=False
    )


CROSSWALK_SOURCE = "data/reference/facilities.csv via data/reference/facility_aliases.csv"


def facility_columns(*, always_mapped: bool = True) -> dict:
    """The four crosswalk columns every facility-level table carries (see facilities.map_facilities).

    always_mapped=False for tables whose rows may have no Massachusetts facility (non-MA detainers,
    unplaced arrest landmarks): then facility_id and operator_type may be null too.
    """
    fips = [pa.Check.isin(COUNTY_FIPS)]
    optional = not always_mapped
    return {
        "facility_id": col(
            "str", "project facility id (data/reference/facilities.csv)", source=CROSSWALK_SOURCE, nullable=optional
        ),
        "operator_type": col(
            "str",
            "who runs the facility: sheriff, state_doc, federal, ice, police, state_police, court or other",
            source=CROSSWALK_SOURCE,
            nullable=optional,
        ),
        "county_fips": col(
            "str",
            "5-digit FIPS of the county the facility is located in",
            source=CROSSWALK_SOURCE,
            nullable=True,
            checks=fips,
        ),
        "sheriff_county_fips": col(
            "str",
            "5-digit FIPS of the county whose sheriff runs the facility; null unless operator_type is sheriff",
            source=CROSSWALK_SOURCE,
            nullable=True,
            checks=fips,
        ),
    }
