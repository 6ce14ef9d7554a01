"""The measure catalogue (data/reference/measures.yaml): every measure's kind, labels, unit, definition,
denominator, source table and coverage, with the coverage dates of each source stated once; and every covariate
of the county panel with its labels, unit, definition, source and vintage (tables/catalogue_entries.py).

The file is read once (again only when it changes) and validated as a whole: an unknown kind, a missing or
misspelt field, a measure pointing at an unknown coverage, a date that is not an ISO date, or a definition
naming an unknown placeholder is a CatalogueError that names the file, the line and the entry at fault.
`check_covariates` compares the covariates with the variables (and units) of the built panel the same way.
Readers see labels, never ids: `label`, `short_label`, `axis_label` and `phrase` give them for any id.

This module imports no pandas or scipy: the parameter checks read the catalogue before any kernel starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping, NoReturn

import yaml

from ma_ice_coop import config, io
from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.tables.catalogue_entries import Covariate, in_sentence, read_covariate
from ma_ice_coop.tables.periods import Period

CATALOGUE_FILE = "measures.yaml"
KINDS = ("share", "rate", "count", "administrative")
"""share (0-1, binomial), rate (per population or facility-year), count, administrative (complete counts)."""

SECTIONS = ("coverage", "texts", "measures", "covariates")
_MEASURE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
MEASURE_FIELDS = (
    "kind",
    "label",
    "short_label",
    "unit",
    "axis_label",
    "denominator",
    "source_table",
    "coverage",
    "definition",
)
OPTIONAL_MEASURE_FIELDS = ("default_period", "headline", "sensitivity_variants")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class CatalogueError(SchemaError):
    """The measure catalogue is malformed: the message names the file, line and entry."""


@dataclass(frozen=True)
class Coverage:
    """The dates one source covers (or, with `part_of`, a sub-period of another source's coverage)."""

    key: str
    period: Period
    source_table: str
    inputs: tuple[str, ...]
    what: str
    source: str
    part_of: str | None = None


@dataclass(frozen=True)
class Measure:
    """One measure of the catalogue (definition with its placeholders filled in)."""

    id: str
    kind: str
    label: str
    short_label: str
    unit: str
    axis_label: str
    denominator: str | None
    source_table: str
    coverage: str
    definition: str
    default_period: Period
    headline: bool = False
    sensitivity_variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    path: Path
    coverage: dict[str, Coverage]
    texts: dict[str, str]
    measures: dict[str, Measure]
    covariates: dict[str, Covariate]

    def measure(self, measure_id: str) -> Measure:
        """The catalogue entry of `measure_id` (ParameterError listing the valid ids if unknown)."""
        if measure_id not in self.measures:
            raise ParameterError(f"unknown measure {measure_id!r}; valid measures: {', '.join(self.measures)}")
        return self.measures[measure_id]

    def covariate(self, covariate_id: str) -> Covariate:
        """The catalogue entry of `covariate_id` (ParameterError listing the valid ids if unknown)."""
        if covariate_id not in self.covariates:
            raise ParameterError(f"unknown covariate {covariate_id!r}; valid covariates: {', '.join(self.covariates)}")
        return self.covariates[covariate_id]

    @property
    def covariate_labels(self) -> dict[str, str]:
        return {key: covariate.label for key, covariate in self.covariates.items()}

    def entry(self, entry_id: str) -> Measure | Covariate:
        """The measure or covariate `entry_id` (ParameterError if it is neither)."""
        if entry_id in self.measures:
            return self.measures[entry_id]
        if entry_id in self.covariates:
            return self.covariates[entry_id]
        raise ParameterError(f"{entry_id!r} is neither a measure nor a covariate of {self.path}")

    def all_ids(self) -> tuple[str, ...]:
        """Every id a reader must never see in place of a label: the measures, then the covariates."""
        return (*self.measures, *self.covariates)

    def label(self, entry_id: str) -> str:
        return self.entry(entry_id).label

    def short_label(self, entry_id: str) -> str:
        return self.entry(entry_id).short_label

    def axis_label(self, entry_id: str) -> str:
        return self.entry(entry_id).axis_label

    def phrase(self, entry_id: str, *, short: bool = True) -> str:
        """The (short) label as it reads inside a sentence: 'custody share (all)', 'Hispanic share'."""
        entry = self.entry(entry_id)
        return in_sentence(entry.short_label if short else entry.label)

    def period(self, coverage_key: str) -> Period:
        return self.coverage[coverage_key].period

    def ids(self, *, kind: str | None = None, coverage: str | None = None) -> tuple[str, ...]:
        """Measure ids in catalogue order, optionally of one kind and/or one coverage."""
        return tuple(
            m.id
            for m in self.measures.values()
            if (kind is None or m.kind == kind) and (coverage is None or m.coverage == coverage)
        )

    def measure_coverage(self, measure_id: str) -> Period:
        return self.period(self.measure(measure_id).coverage)

    def source(self, entry_id: str) -> str:
        """Where a measure's or covariate's values come from, named for readers."""
        entry = self.entry(entry_id)
        return entry.source if isinstance(entry, Covariate) else self.coverage[entry.coverage].source


def catalogue_path() -> Path:
    return config.reference_dir() / CATALOGUE_FILE


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """The validated catalogue at `path` (default data/reference/measures.yaml), read once per change."""
    path = Path(path) if path is not None else catalogue_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise CatalogueError(f"{path}: the measure catalogue is missing") from None
    return _load(path, mtime)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Catalogue:
    text = path.read_text(encoding="utf-8")
    reader = _Reader(path, text)
    doc = reader.document()
    coverage = {key: reader.coverage(key, entry, doc["coverage"]) for key, entry in doc["coverage"].items()}
    reader.names = {
        key: in_sentence(str(entry.get("short_label", key))) if isinstance(entry, dict) else key
        for key, entry in doc["measures"].items()
    }
    texts = {
        key: reader.definition(("texts", key), reader.string(("texts", key), value, "text"), coverage, {})
        for key, value in doc["texts"].items()
    }
    measures = {}
    for measure_id, entry in doc["measures"].items():
        measures[measure_id] = reader.measure(measure_id, entry, coverage, texts)
    for measure in measures.values():
        reader.check_variants(measure, measures)
    covariates = {
        key: read_covariate(reader, key, entry, reader.lines.get(("covariates", key)))
        for key, entry in doc["covariates"].items()
    }
    both = sorted(set(measures) & set(covariates))
    if both:
        reader.fail(("covariates", both[0]), "this id is also a measure: an id names one thing")
    return Catalogue(path, coverage, texts, measures, covariates)


class _NoDatesLoader(io.YAML_LOADER):
    """YAML without implicit dates: every date stays text and is parsed (and checked) here."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in io.YAML_LOADER.yaml_implicit_resolvers.items()
}


def _key_lines(node, trail: tuple = (), out: dict | None = None, depth: int = 3) -> dict[tuple, int]:
    """(section, entry[, field]) -> 1-based line of that key in the file."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode) and depth:
        for key_node, value_node in node.value:
            where = (*trail, key_node.value)
            out[where] = key_node.start_mark.line + 1
            _key_lines(value_node, where, out, depth - 1)
    return out


class _Reader:
    """Parses and validates the catalogue's entries; every error names the file, line and entry."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.lines: dict[tuple, int] = {}
        self.names: dict[str, str] = {}  # measure id -> its short label inside a sentence ({measure.<id>})

    def fail(self, where: tuple, problem: str) -> NoReturn:
        line = next((self.lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in self.lines), None)
        at = f", line {line}" if line else ""
        entry = f" ({' > '.join(map(str, where))})" if where else ""
        raise CatalogueError(f"{self.path}{at}{entry}: {problem}")

    def document(self) -> dict:
        try:
            self.lines = _key_lines(yaml.compose(self.text, Loader=_NoDatesLoader))
            doc = yaml.load(self.text, Loader=_NoDatesLoader)
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{self.path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict):
            self.fail((), f"expected the sections {', '.join(SECTIONS)}")
        unknown = [k for k in doc if k not in SECTIONS]
        if unknown:
            self.fail((unknown[0],), f"unknown section; valid sections: {', '.join(SECTIONS)}")
        for section in SECTIONS:
            if not isinstance(doc.get(section), dict) or not doc[section]:
                self.fail((section,), f"the section '{section}' is missing or empty")
        return doc

    def fields(self, where: tuple, entry, required: tuple, optional: tuple = ()) -> dict:
        if not isinstance(entry, dict):
            self.fail(where, f"expected the fields {', '.join(required)}")
        unknown = [k for k in entry if k not in required + optional]
        if unknown:
            self.fail((*where, unknown[0]), f"unknown field; valid fields: {', '.join(required + optional)}")
        missing = [k for k in required if k not in entry]
        if missing:
            self.fail(where, f"missing field(s) {', '.join(missing)}")
        return entry

    def string(self, where: tuple, value, what: str, *, allow_none: bool = False) -> str | None:
        if value is None and allow_none:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"{what} must be non-empty text, got {value!r}")
        return value

    def day(self, where: tuple, value) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f"{value!r} is not an ISO date (YYYY-MM-DD)")

    def coverage(self, key: str, entry, all_entries: dict) -> Coverage:
        where = ("coverage", key)
        part_of = entry.get("part_of") if isinstance(entry, dict) else None
        if part_of:  # a sub-period: its table and inputs are its source's
            self.fields(where, entry, ("part_of", "start", "what"), ("end",))
        else:
            self.fields(where, entry, ("start", "end", "source_table", "inputs", "what", "source"))
        start = self.day((*where, "start"), entry["start"])
        if part_of:
            parent = all_entries.get(part_of)
            if not isinstance(parent, dict) or parent.get("part_of"):
                self.fail(
                    (*where, "part_of"), f"{part_of!r} is not a source's coverage; valid: {', '.join(all_entries)}"
                )
            parent_period = self.coverage(part_of, parent, all_entries).period
            end = self.day((*where, "end"), entry["end"]) if "end" in entry else parent_period.end
        else:
            end = self.day((*where, "end"), entry["end"])
        if end < start:
            self.fail(where, f"end {end} is before start {start}")
        period = Period(start, end)
        if part_of and not period.within(parent_period):
            self.fail(where, f"{start}..{end} is not within {part_of} ({parent_period.start}..{parent_period.end})")
        table = all_entries[part_of]["source_table"] if part_of else entry["source_table"]
        inputs = all_entries[part_of]["inputs"] if part_of else entry["inputs"]
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            self.fail((*where, "inputs"), "inputs must be a list of input ids (data/sources.yaml) or reference files")
        what = self.string((*where, "what"), entry["what"], "what")
        source = all_entries[part_of]["source"] if part_of else entry["source"]
        return Coverage(
            key,
            period,
            self.string((*where, "source_table"), table, "source_table"),
            tuple(inputs),
            what,
            self.string((*where, "source"), source, "source"),
            part_of,
        )

    def definition(self, where: tuple, text: str, coverage: dict[str, Coverage], texts: dict[str, str]) -> str:
        """The definition with {coverage.<key>.start|end}, {text.<key>} and {measure.<id>} (the measure's short
        label, as it reads in a sentence) filled in."""

        def fill(match: re.Match) -> str:
            parts = match.group(1).split(".")
            if parts[0] == "text" and len(parts) == 2 and parts[1] in texts:
                return texts[parts[1]]
            if parts[0] == "coverage" and len(parts) == 3 and parts[1] in coverage and parts[2] in ("start", "end"):
                return getattr(coverage[parts[1]].period, parts[2]).isoformat()
            if parts[0] == "measure" and len(parts) == 2 and parts[1] in self.names:
                return self.names[parts[1]]
            self.fail(
                where,
                f"unknown placeholder {match.group(0)}; use {{text.<key>}} (keys: {', '.join(texts)}), "
                f"{{coverage.<key>.start}} / {{coverage.<key>.end}} (keys: {', '.join(coverage)}) or "
                "{measure.<id>} (a measure id)",
            )

        return _PLACEHOLDER.sub(fill, text)

    def default_period(self, where: tuple, value, coverage: dict[str, Coverage], own: Period) -> Period:
        """A coverage key, or {start[, end]} ending by default with the measure's coverage."""
        if value is None:
            return own
        if isinstance(value, str):
            if value not in coverage:
                self.fail(where, f"unknown coverage {value!r}; valid: {', '.join(coverage)}")
            period = coverage[value].period
        elif isinstance(value, dict) and set(value) <= {"start", "end"} and "start" in value:
            start = self.day(where, value["start"])
            end = self.day(where, value["end"]) if "end" in value else own.end
            if end < start:
                self.fail(where, f"end {end} is before start {start}")
            period = Period(start, end)
        else:
            self.fail(where, "default_period must be a coverage key or {start: <date>[, end: <date>]}")
        if not period.within(own):
            self.fail(where, f"{period.start}..{period.end} is outside the measure's coverage {own.start}..{own.end}")
        return period

    def measure(self, measure_id: str, entry, coverage: dict[str, Coverage], texts: dict[str, str]) -> Measure:
        where = ("measures", measure_id)
        if not _MEASURE_ID.match(str(measure_id)):
            self.fail(where, "a measure id is lower-case letters, digits and underscores")
        self.fields(where, entry, MEASURE_FIELDS, OPTIONAL_MEASURE_FIELDS)
        if entry["kind"] not in KINDS:
            self.fail((*where, "kind"), f"unknown kind {entry['kind']!r}; valid kinds: {', '.join(KINDS)}")
        if entry["coverage"] not in coverage:
            self.fail((*where, "coverage"), f"unknown coverage {entry['coverage']!r}; valid: {', '.join(coverage)}")
        own = coverage[entry["coverage"]]
        if entry["source_table"] != own.source_table:
            self.fail(
                (*where, "source_table"),
                f"{entry['source_table']!r} is not the table of its coverage {own.key!r} ({own.source_table})",
            )
        text = {f: self.string((*where, f), entry[f], f) for f in MEASURE_FIELDS if f != "denominator"}
        headline = entry.get("headline", False)
        if not isinstance(headline, bool):
            self.fail((*where, "headline"), f"headline must be true or false, got {headline!r}")
        variants = entry.get("sensitivity_variants", [])
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            self.fail((*where, "sensitivity_variants"), "sensitivity_variants must be a list of measure ids")
        return Measure(
            id=measure_id,
            kind=text["kind"],
            label=text["label"],
            short_label=text["short_label"],
            unit=text["unit"],
            axis_label=text["axis_label"],
            denominator=self.string((*where, "denominator"), entry["denominator"], "denominator", allow_none=True),
            source_table=text["source_table"],
            coverage=own.key,
            definition=self.definition((*where, "definition"), text["definition"], coverage, texts),
            default_period=self.default_period(
                (*where, "default_period"), entry.get("default_period"), coverage, own.period
            ),
            headline=headline,
            sensitivity_variants=tuple(variants),
        )

    def check_variants(self, measure: Measure, measures: dict[str, Measure]) -> None:
        where = ("measures", measure.id, "sensitivity_variants")
        for variant in measure.sensitivity_variants:
            if variant not in measures:
                self.fail(where, f"unknown measure {variant!r}")
            if measures[variant].coverage != measure.coverage:
                self.fail(where, f"{variant!r} has another coverage than {measure.id!r}")


def check_covariates(units: Mapping[str, str], *, table: str = "county_covariates", path=None) -> None:
    """The catalogue's covariates are exactly the panel's variables, with the same units (`units`: variable ->
    the unit of its rows); else a CatalogueError naming the catalogue file and line (or section)."""
    cat = load_catalogue(path)
    section = _section_line(cat.path)
    missing = sorted(set(units) - set(cat.covariates))
    if missing:
        raise CatalogueError(
            f"{cat.path}, line {section} (covariates): no entry for {', '.join(missing)}, a variable of the "
            f"{table} table; add it with the fields label, short_label, unit, axis_label, definition, source, vintage"
        )
    for key, covariate in cat.covariates.items():
        if key not in units:
            raise CatalogueError(
                f"{cat.path}, line {covariate.line} (covariates > {key}): unknown covariate, not a variable of the "
                f"{table} table; valid: {', '.join(sorted(units))}"
            )
        if covariate.unit != units[key]:
            raise CatalogueError(
                f"{cat.path}, line {covariate.line} (covariates > {key} > unit): {covariate.unit!r} is not the unit "
                f"of its rows in the {table} table ({units[key]!r})"
            )


def _section_line(path: Path) -> int | None:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((number for number, line in enumerate(lines, 1) if line.startswith("covariates:")), None)


def catalogue() -> Catalogue:
    """The project's measure catalogue (data/reference/measures.yaml)."""
    return load_catalogue()
