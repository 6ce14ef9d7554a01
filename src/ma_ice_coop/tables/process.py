"""Build every tidy table in data/processed/ from verified inputs: raw → processed.

Each table has one loader and one pandera schema. A table is validated before it is written, and
written atomically, so a failed step leaves the previous good version in place.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ma_ice_coop import config, io
from ma_ice_coop.errors import ProjectError, SchemaError

if TYPE_CHECKING:  # the loaders import pandas when a table is built; the table list alone does not need it
    import pandas as pd


@dataclass(frozen=True)
class Table:
    name: str
    module: str  # under ma_ice_coop.tables.loaders
    loader: str
    schema: str

    def _module(self):
        return importlib.import_module(f"ma_ice_coop.tables.loaders.{self.module}")

    def schema_object(self):
        """The pandera schema declared beside the loader."""
        return getattr(self._module(), self.schema)

    def load(self) -> pd.DataFrame:
        return getattr(self._module(), self.loader)()


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("detainers", "detainers", "load_detainers", "DETAINERS_SCHEMA"),
        Table("facility_year_declines", "declines", "load_facility_year_declines", "FACILITY_YEAR_DECLINES_SCHEMA"),
        Table("jail_arrests", "jail_arrests", "load_jail_arrests", "JAIL_ARRESTS_SCHEMA"),
        Table("ice_detention_daily", "ice_detention", "load_ice_detention_daily", "ICE_DETENTION_DAILY_SCHEMA"),
        Table("ice_detention_fy", "ice_detention_stats", "load_ice_detention_fy", "ICE_DETENTION_FY_SCHEMA"),
        Table("agreements_287g_years", "agreements_287g", "load_agreements_287g_years", "AGREEMENTS_287G_YEARS_SCHEMA"),
        Table("county_covariates", "covariates", "load_county_covariates", "COUNTY_COVARIATES_SCHEMA"),
        # National tables (every US county): the same kinds of rows, with the state (issue 12).
        Table(
            "national_county_covariates",
            "national.covariates",
            "load_national_county_covariates",
            "NATIONAL_COUNTY_COVARIATES_SCHEMA",
        ),
        Table(
            "national_agreements_287g",
            "national.agreements_287g",
            "load_national_agreements_287g",
            "NATIONAL_AGREEMENTS_287G_SCHEMA",
        ),
        Table(
            "national_ice_detention_daily",
            "national.detention",
            "load_national_ice_detention_daily",
            "NATIONAL_ICE_DETENTION_DAILY_SCHEMA",
        ),
    )
}
BOUNDARIES_FILE = "county_boundaries.geojson"
# Every processed table by name (the boundary file is read as county_boundaries): what "all" means in a view's
# PROCESSED_TABLES.
PROCESSED_NAMES = (*TABLES, "county_boundaries")
# The Massachusetts tables (all but the national ones): what "massachusetts" means in a view's PROCESSED_TABLES.
MA_PROCESSED_NAMES = tuple(name for name in PROCESSED_NAMES if not name.startswith("national_"))
# Columns whose values are also written as a small JSON list beside the table, so the parameter checks can
# read them without pandas (a build with nothing to do stays quick): table -> column.
VALUE_LISTS = {"county_covariates": ("variable",), "national_county_covariates": ("variable", "state_abbr")}


def build_table(table: Table) -> pd.DataFrame:
    """Load, validate and atomically write one table; returns it."""
    import pandera.errors  # lazy: the table list alone (a no-op build) does not need pandera

    df = table.load()
    try:
        df = table.schema_object().validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_string()
        raise SchemaError(
            f"table '{table.name}' fails its schema ({len(exc.failure_cases)} problems; first ones:)\n"
            f"{cases}\n  what to do: check the input named in the error, or fix the loader"
        ) from exc
    io.write_parquet(df, io.processed_path(table.name))
    for column in VALUE_LISTS.get(table.name, ()):
        values = sorted(df[column].astype(str).unique())
        io.atomic_write_text(io.value_list_path(table.name, column), json.dumps(values, indent=0) + "\n")
    return df


def build_boundaries() -> None:
    from ma_ice_coop.tables.loaders.boundaries import write_county_boundaries  # lazy: see build_table

    write_county_boundaries(config.processed_dir() / BOUNDARIES_FILE)


def process_all(names: list[str] | None = None, *, out=sys.stderr) -> dict[str, int]:
    """Build the named tables (default: all, plus county boundaries). Returns rows per table.

    Every table is attempted; failures are reported together at the end and raised.
    """
    wanted = names or list(PROCESSED_NAMES)
    unknown = [n for n in wanted if n not in PROCESSED_NAMES]
    if unknown:
        raise ProjectError(f"unknown table(s) {unknown}; tables: {', '.join(PROCESSED_NAMES)}")
    rows: dict[str, int] = {}
    failures: list[str] = []
    for name in wanted:
        start = time.perf_counter()
        try:
            if name == "county_boundaries":
                build_boundaries()
                rows[name] = 14
            else:
                rows[name] = len(build_table(TABLES[name]))
        except ProjectError as exc:
            failures.append(f"{name}: {exc}")
            print(f"  FAILED {name}: {exc}", file=out)
            continue
        print(f"  built {name:<24} {rows[name]:>7,} rows  {time.perf_counter() - start:5.1f}s", file=out)
    _write_manifest()
    if failures:
        raise ProjectError(
            f"{len(failures)} table(s) failed; earlier versions (if any) were kept:\n"
            + "\n".join(f"  - {f}" for f in failures)
        )
    return rows


def _write_manifest() -> None:
    """sha256 of every processed file, so a rebuild can be checked for byte-identity."""
    from ma_ice_coop.sources.fetch import sha256_of  # lazy: see build_table

    folder = config.processed_dir()
    entries = {p.name: sha256_of(p) for p in sorted(folder.glob("*")) if p.suffix in (".parquet", ".geojson")}
    io.atomic_write_text(folder / "MANIFEST.json", json.dumps(entries, indent=1, sort_keys=True) + "\n")
