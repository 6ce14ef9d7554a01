"""Notebook parameters: declared in notebooks/registry.yaml, validated before any kernel starts.

Each parameter has a type; a value outside its valid set is a ParameterError that lists the valid
values. Types:
  measure      one of measures.MEASURES (minus any listed in `exclude`, with `exclude_reason`)
  date         an ISO date (YYYY-MM-DD), within optional `min`..`max`; `period_start`/`period_end` pairs are checked together
               against the coverage of the notebook's measure
  county       a county name (any case) or 5-digit FIPS; normalised to the county name
  covariates   a list of 1-3 variables of the county covariate panel
  year         an integer year within `min`..`max`
  event        a key of events.KEY_EVENTS
  choice       one of `choices`
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from ma_ice_coop.errors import ParameterError

MAX_COVARIATES = 3


def valid_counties() -> dict[str, str]:
    """Accepted spellings (lower-case name and FIPS) -> county name."""
    from ma_ice_coop import config

    path = config.reference_dir() / "counties.csv"
    return dict(_valid_counties(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _valid_counties(path, mtime_ns: int) -> tuple:
    from ma_ice_coop.tables.reference import load_counties

    counties = load_counties(path)
    accepted = {}
    for fips, name in zip(counties["county_fips"], counties["county"], strict=True):
        accepted[name.lower()] = name
        accepted[fips] = name
    return tuple(accepted.items())


def covariate_names() -> list[str]:
    """Variables of the built covariate panel (read once per build of the table)."""
    from ma_ice_coop.io import processed_path

    path = processed_path("county_covariates")
    return list(_covariate_names(path, path.stat().st_mtime_ns if path.exists() else 0))


@lru_cache(maxsize=4)
def _covariate_names(path, mtime_ns: int) -> tuple:
    from ma_ice_coop.io import read_processed

    return tuple(sorted(read_processed("county_covariates")["variable"].unique()))


def _check_one(name: str, spec: dict, value: Any) -> Any:
    kind = spec["type"]
    if kind == "measure":
        from ma_ice_coop.analysis.measures import MEASURES

        valid = [m for m in MEASURES if m not in spec.get("exclude", [])]
        if value not in valid:
            why = f" ({spec['exclude_reason']})" if value in MEASURES and spec.get("exclude_reason") else ""
            raise ParameterError(
                f"parameter {name}={value!r} is not a measure for this notebook{why}; valid: {', '.join(valid)}"
            )
        return value
    if kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ParameterError(f"parameter {name}={value!r} is not an ISO date (YYYY-MM-DD)") from None
        low, high = str(spec.get("min", "0001-01-01")), str(spec.get("max", "9999-12-31"))
        if not low <= day.isoformat() <= high:
            raise ParameterError(f"parameter {name}={value!r} is outside what the data cover ({low}..{high})")
        return day.isoformat()
    if kind == "county":
        accepted = valid_counties()
        key = str(value).strip().lower().removesuffix(" county")
        if key not in accepted:
            names = sorted(set(accepted.values()))
            raise ParameterError(f"parameter {name}={value!r} is not a Massachusetts county; valid: {', '.join(names)}")
        return accepted[key]
    if kind == "covariates":
        values = [value] if isinstance(value, str) else list(value)
        known = covariate_names()
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ParameterError(f"parameter {name}: unknown covariate(s) {unknown}; valid: {', '.join(known)}")
        if not 1 <= len(values) <= MAX_COVARIATES:
            raise ParameterError(
                f"parameter {name}: give 1 to {MAX_COVARIATES} covariates (14 counties cannot "
                f"support more), got {len(values)}"
            )
        return values
    if kind == "year":
        low, high = spec.get("min", 1900), spec.get("max", 2100)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParameterError(f"parameter {name}={value!r} must be a year from {low} to {high}")
        return value
    if kind == "event":
        from ma_ice_coop.analysis.events import KEY_EVENTS

        if value not in KEY_EVENTS:
            raise ParameterError(f"parameter {name}={value!r} is not a known event; valid: {', '.join(KEY_EVENTS)}")
        return value
    if kind == "choice":
        if value not in spec["choices"]:
            raise ParameterError(f"parameter {name}={value!r}; valid: {', '.join(map(str, spec['choices']))}")
        return value
    raise ParameterError(f"parameter {name} has unknown type {kind!r} in notebooks/registry.yaml")


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


def _check_period(params: dict[str, Any], where: str) -> None:
    from ma_ice_coop.analysis.measures import Period, measure_coverage

    try:
        period = Period.parse(params["period_start"], params["period_end"])
    except ParameterError as exc:
        raise ParameterError(f"{where}{exc}") from None
    if "measure" in params:
        coverage = measure_coverage(params["measure"])
        if not period.within(coverage):
            raise ParameterError(
                f"{where}period {period.start}..{period.end} is outside what measure "
                f"{params['measure']!r} covers ({coverage.start}..{coverage.end})"
            )
