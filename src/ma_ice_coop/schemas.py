"""Helpers for declaring processed-table schemas (pandera) with codebook metadata.

Every column carries a description, a unit and the source it comes from; the codebook
(`ma-ice codebook`) is generated from these declarations.
"""

from __future__ import annotations

import pandera.pandas as pa

COUNTY_FIPS = [f"25{n:03d}" for n in range(1, 28, 2)]  # the 14 Massachusetts counties


def col(dtype, description: str, *, unit: str = "", source: str = "", nullable: bool = False,
        checks=None, unique: bool = False) -> pa.Column:
    """A pandera Column whose metadata feeds the codebook."""
    return pa.Column(dtype, checks=checks, nullable=nullable, unique=unique, description=description,
                     metadata={"unit": unit, "source": source})


def table_schema(name: str, description: str, columns: dict, *, unique: list[str] | None = None) -> pa.DataFrameSchema:
    """A strict schema: no extra columns, listed order, optional unique key."""
    return pa.DataFrameSchema(columns, name=name, description=description, strict=True, ordered=True,
                              unique=unique, coerce=False)
