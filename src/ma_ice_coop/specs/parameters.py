"""Notebook parameters: declared in notebooks/registry.yaml, validated before any kernel starts.

Each parameter has a type; a value outside its valid set is a ParameterError that lists the valid
values. Types:
  measure      a measure id of the measure catalogue, data/reference/measures.yaml (minus any listed in
               `exclude`, with `exclude_reason`)
  date         an ISO date (YYYY-MM-DD), within optional `min`..`max` or within `coverage` (a coverage key of the
               catalogue, e.g. fy2015_detainers: its dates are then not typed twice); `period_start`/`period_end`
               pairs are checked together against the coverage of the notebook's measure
  county       a county name (any case) or 5-digit FIPS; normalised to the county name
  covariates   a list of 1-3 (or `max`) variables of the county covariate panel (or of `table`, e.g.
               national_county_covariates)
  integer      a whole number within `min`..`max`
  state        all, or a state's two-letter abbreviation (any case), from the national covariate panel
  states       a list of state abbreviations (may be empty)
  year         an integer year within `min`..`max`
  event        a key of events.KEY_EVENTS
  choice       one of `choices`
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ma_ice_coop import config, io
from ma_ice_coop.analysis.key_events import KEY_EVENTS
from ma_ice_coop.errors import ParameterError, ProjectError
from ma_ice_coop.io import value_list_path
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.periods import Period

MAX_COVARIATES = 3


def valid_counties() -> dict[str, str]:
    """Accepted spellings (lower-case name and FIPS) -> county name, in FIPS order."""
    path = config.reference_dir() / "counties.csv"
    return dict(_valid_counties(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _valid_counties(path: Path, mtime_ns: int) -> tuple:
    # Read with the csv module: the CLI plans and checks every run before any kernel starts, and a build
    # with nothing to do should not import pandas. tables.reference.load_counties checks the whole file
    # (tests/test_architecture.py: both agree).
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"county_fips", "county"} <= set(rows[0]):
        raise ProjectError(f"{path}: needs the columns county_fips and county; restore it from git")
    accepted = {}
    for row in sorted(rows, key=lambda row: row["county_fips"]):
        accepted[row["county"].strip().lower()] = row["county"].strip()
        accepted[row["county_fips"].strip()] = row["county"].strip()
    return tuple(accepted.items())


def county_names_in_order() -> list[str]:
    """The county names of counties.csv, in FIPS order."""
    return list(dict.fromkeys(valid_counties().values()))


def covariate_names(table: str = "county_covariates") -> list[str]:
    """Variables of a built covariate panel, from the list the processed build writes beside it."""
    return table_values(table, "variable")


def table_values(table: str, column: str) -> list[str]:
    """The distinct values of a processed table's column, from the list the processed build writes beside it."""
    path = value_list_path(table, column)
    if not path.exists():
        raise ProjectError(f"{path} not found: run `make data` (or `ma-ice process`) to build the table {table}")
    return list(_covariate_names(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _covariate_names(path: Path, mtime_ns: int) -> tuple:
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def _check_measure(name: str, spec: dict, value: Any) -> Any:
    measures = catalogue().measures
    valid = [m for m in measures if m not in spec.get("exclude", [])]
    if value not in valid:
        why = f" ({spec['exclude_reason']})" if value in measures and spec.get("exclude_reason") else ""
        raise ParameterError(
            f"parameter {name}={shown(value)} is not a measure for this notebook{why}; valid: {', '.join(valid)}"
        )
    return value


def _check_date(name: str, spec: dict, value: Any) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"parameter {name}={shown(value)} is not an ISO date (YYYY-MM-DD)") from None
    low, high = _date_bounds(name, spec)
    if not low <= day.isoformat() <= high:
        raise ParameterError(f"parameter {name}={shown(value)} is outside what the data cover ({low}..{high})")
    return day.isoformat()


def _check_county(name: str, spec: dict, value: Any) -> str:
    accepted = valid_counties()
    key = str(value).strip().lower().removesuffix(" county")
    if key not in accepted:
        names = sorted(set(accepted.values()))
        raise ParameterError(
            f"parameter {name}={shown(value)} is not a Massachusetts county; valid: {', '.join(names)}"
        )
    return accepted[key]


def _check_covariates(name: str, spec: dict, value: Any) -> list:
    values = [value] if isinstance(value, str) else list(value)
    known = covariate_names(spec.get("table", "county_covariates"))
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ParameterError(f"parameter {name}: unknown covariate(s) {unknown}; valid: {', '.join(known)}")
    most = spec.get("max", MAX_COVARIATES)
    if not 1 <= len(values) <= most:
        why = spec.get("max_reason", "14 counties cannot support more")
        raise ParameterError(f"parameter {name}: give 1 to {most} covariates ({why}), got {len(values)}")
    return values


def _check_integer(name: str, spec: dict, value: Any) -> int:
    low, high = spec.get("min", 0), spec.get("max", 10**9)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"parameter {name}={shown(value)} must be a whole number from {low} to {high}")
    return value


def _state_codes() -> list[str]:
    return table_values("national_county_covariates", "state_abbr")


def _check_state(name: str, spec: dict, value: Any) -> str:
    code = str(value).strip().upper()
    if code == "ALL":
        return "all"
    if code not in _state_codes():
        raise ParameterError(
            f"parameter {name}={shown(value)} is not a state; write all, or a two-letter abbreviation: "
            + ", ".join(_state_codes())
        )
    return code


def _check_states(name: str, spec: dict, value: Any) -> list:
    values = [value] if isinstance(value, str) else list(value or [])
    codes = [str(v).strip().upper() for v in values]
    unknown = [v for v, code in zip(values, codes, strict=True) if code not in _state_codes()]
    if unknown:
        raise ParameterError(
            f"parameter {name}: {shown(unknown)} are not state abbreviations; valid: {', '.join(_state_codes())}"
        )
    return sorted(set(codes))


def _check_year(name: str, spec: dict, value: Any) -> int:
    low, high = spec.get("min", 1900), spec.get("max", 2100)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"parameter {name}={shown(value)} must be a year from {low} to {high}")
    return value


def _check_event(name: str, spec: dict, value: Any) -> str:
    if value not in KEY_EVENTS:
        raise ParameterError(f"parameter {name}={shown(value)} is not a known event; valid: {', '.join(KEY_EVENTS)}")
    return value


def _check_choice(name: str, spec: dict, value: Any) -> Any:
    # the type must match too: 1 is not `true`, and "yes" is not `true` unless the registry lists "yes"
    if not any(value == choice and type(value) is type(choice) for choice in spec["choices"]):
        valid = ", ".join(shown(choice) for choice in spec["choices"])
        raise ParameterError(f"parameter {name}={shown(value)} is not one of the choices; valid: {valid}")
    return value


_CHECKS = {
    "measure": _check_measure,
    "date": _check_date,
    "county": _check_county,
    "covariates": _check_covariates,
    "year": _check_year,
    "event": _check_event,
    "choice": _check_choice,
    "integer": _check_integer,
    "state": _check_state,
    "states": _check_states,
}


def shown(value: Any) -> str:
    """A parameter value as a user writes it: dates as YYYY-MM-DD, nothing as empty, true/false, lists in
    brackets (never Python's repr)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    return str(value)


class _ValueLoader(io.YAML_LOADER):
    """Safe YAML for parameter values, where only true and false are booleans (YAML 1.2): 'yes', 'no', 'on'
    and 'off' stay text, so a true/false choice refuses them unless the registry lists them."""


_ValueLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in io.YAML_LOADER.yaml_implicit_resolvers.items()
}
_ValueLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def parse_value(name: str, text: str) -> Any:
    """A NAME=VALUE value from the command line, read as YAML (numbers, dates, true/false, lists); a clear
    error naming the parameter, the value and the expected form when it cannot be read."""
    try:
        return yaml.load(text, Loader=_ValueLoader)
    except (yaml.YAMLError, ValueError) as exc:
        if _DATE_LIKE.fullmatch(text.strip()):
            raise ParameterError(f"parameter {name}={text} is not a date that exists; write YYYY-MM-DD") from None
        problem = str(getattr(exc, "problem", None) or exc).strip()
        raise ParameterError(
            f"parameter {name}={text} cannot be read ({problem}); write a plain value (county=Essex), a date "
            "(YYYY-MM-DD), a number, true or false, or a list in brackets (covariates=[pres_dem_share])"
        ) from None


def _check_one(name: str, spec: dict, value: Any) -> Any:
    kind = spec["type"]
    if kind not in _CHECKS:
        raise ParameterError(f"parameter {name} has unknown type {kind!r} in notebooks/registry.yaml")
    return _CHECKS[kind](name, spec, value)


def validate_parameters(specs: dict[str, dict], values: dict[str, Any], *, notebook: str = "") -> dict[str, Any]:
    """Defaults filled in, every value checked; returns the normalised parameters."""
    where = f"notebook {notebook!r}: " if notebook else ""
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise ParameterError(
            f"{where}unknown parameter(s) {unknown}; this notebook takes: {', '.join(specs) or 'none'}"
        )
    out = {}
    for name, spec in specs.items():
        value = values.get(name, spec.get("default"))
        try:
            out[name] = _check_one(name, spec, value)
        except ParameterError as exc:
            raise ParameterError(f"{where}{exc}") from None
    if "period_start" in out and "period_end" in out:
        _check_period(out, where)
    return out


def _date_bounds(name: str, spec: dict) -> tuple[str, str]:
    """The ISO dates a date parameter may take: its `coverage` in the catalogue, else `min`..`max`."""
    if "coverage" in spec:
        coverage = catalogue().coverage
        if spec["coverage"] not in coverage:
            raise ParameterError(
                f"parameter {name}: unknown coverage {spec['coverage']!r} in notebooks/registry.yaml; "
                f"valid: {', '.join(coverage)} (data/reference/measures.yaml)"
            )
        period = coverage[spec["coverage"]].period
        return period.start.isoformat(), period.end.isoformat()
    return str(spec.get("min", "0001-01-01")), str(spec.get("max", "9999-12-31"))


def _check_period(params: dict[str, Any], where: str) -> None:
    try:
        period = Period.parse(params["period_start"], params["period_end"])
    except ParameterError as exc:
        raise ParameterError(f"{where}{exc}") from None
    if "measure" in params:
        coverage = catalogue().measure_coverage(params["measure"])
        if not period.within(coverage):
            raise ParameterError(
                f"{where}period {period.start}..{period.end} is outside what measure "
                f"{params['measure']!r} covers ({coverage.start}..{coverage.end})"
            )
