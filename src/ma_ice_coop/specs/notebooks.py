"""The notebooks and their runs: notebooks/registry.yaml read once, every parameter set validated before any
kernel starts. A run knows its parameters and where its executed notebook and HTML report go."""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ma_ice_coop import config, io
from ma_ice_coop.errors import ParameterError, ProjectError
from ma_ice_coop.io import read_yaml
from ma_ice_coop.specs.parameters import county_names_in_order, validate_parameters


@dataclass(frozen=True)
class NotebookSpec:
    id: str
    path: Path
    title: str
    kind: str
    parameters: dict[str, dict]
    runs: tuple[dict, ...]
    # Optional output templates (relative to the project root) with {parameter} placeholders, e.g.
    # "reports/counties/{county}.html". Executed notebooks of non-default runs are committed (and
    # checked by nbval) when `executed` is given; otherwise they go to build/notebooks/ (ignored).
    html_template: str | None = None
    executed_template: str | None = None
    # A lab's student version names the solution notebook it is made from (labs/student.py); it takes the
    # solution's title (marked as the student version), kind and parameters.
    generated_from: str | None = None

    @property
    def shows_code(self) -> bool:
        """Lab reports show their code (the analysis is the lesson); the other reports hide it."""
        return self.kind == LAB_KIND


EXTENDED_PARAMETER = "extended"
"""The parameter of the notebooks that grow a time axis from the extended releases (registry `extended:`)."""


@dataclass(frozen=True)
class Run:
    spec: NotebookSpec
    params: dict[str, Any] = field(hash=False)
    overrides: dict[str, Any] = field(hash=False)

    @property
    def extended(self) -> bool:
        """A run on the extended releases: its outputs go to build/extended/, never to reports/ or notebooks/."""
        return bool(self.params.get(EXTENDED_PARAMETER))

    @property
    def _named_overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.overrides.items() if k != EXTENDED_PARAMETER}

    @property
    def is_default(self) -> bool:
        return not self._named_overrides

    @property
    def slug(self) -> str:
        """Output name that encodes the parameters that differ from the defaults (an extended run is named like its
        core run: its outputs live in their own tree)."""
        if self.is_default:
            return "default"
        parts = []
        for key in sorted(self._named_overrides):
            value = self.overrides[key]
            text = "+".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}={text}")
        return "__".join(parts).replace("/", "-").replace(" ", "_")

    @property
    def label(self) -> str:
        return f"{'extended:' if self.extended else ''}{self.spec.id}[{self.slug}]"

    def _fill(self, template: str) -> Path:
        values = {k: ("+".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in self.params.items()}
        return config.project_root() / template.format(**values)

    @property
    def reports_root(self) -> Path:
        """reports/ for a core run; build/extended/reports/ for an extended one."""
        return config.extended_output_dir() / "reports" if self.extended else config.project_root() / "reports"

    @property
    def executed_path(self) -> Path:
        if self.extended:
            return config.extended_output_dir() / "notebooks" / self.spec.id / f"{self.slug}.ipynb"
        if self.is_default:
            return self.spec.path
        if self.spec.executed_template:
            return self._fill(self.spec.executed_template)
        return config.project_root() / "build" / "notebooks" / self.spec.id / f"{self.slug}.ipynb"

    @property
    def html_path(self) -> Path:
        reports = config.project_root() / "reports"
        if self.spec.html_template:
            core = self._fill(self.spec.html_template)
        elif self.is_default:
            core = reports / f"{self.spec.id}.html"
        else:
            core = reports / self.spec.id / f"{self.slug}.html"
        return self.reports_root / core.relative_to(reports) if self.extended else core


LAB_KIND = "lab"
STUDENT_TITLE = " (student version)"


def registry_path() -> Path:
    return config.project_root() / "notebooks" / "registry.yaml"


# `for_each: <parameter>` in a notebook's runs: one run per value of that parameter, taken from a reference
# table, except the default's value (the default run covers it). "Run every county" is data, not code.
FOR_EACH_SOURCES = {"county": county_names_in_order}


def expand_runs(entry: dict, path: Path) -> tuple[dict, ...]:
    """The notebook entry's runs with every `{for_each: parameter}` item expanded (in the table's order)."""
    runs = []
    for item in entry["runs"]:
        if "for_each" not in item:
            runs.append(item)
            continue
        name = item["for_each"]
        if name not in FOR_EACH_SOURCES or name not in (entry.get("parameters") or {}):
            raise ProjectError(
                f"{path}: notebook {entry['id']}: `for_each: {name}` needs a parameter of that name with a "
                f"reference table of values; supported: {', '.join(FOR_EACH_SOURCES)}"
            )
        default = entry["parameters"][name].get("default")
        runs.extend({name: value} for value in FOR_EACH_SOURCES[name]() if value != default)
    return tuple(runs)


def load_notebook_registry(path: Path | None = None) -> list[NotebookSpec]:
    path = path or registry_path()
    doc = read_yaml(path)
    entries = {entry.get("id"): entry for entry in doc["notebooks"]}
    specs = []
    for entry in doc["notebooks"]:
        entry = _with_source_entry(entry, entries, path)
        missing = [k for k in ("id", "path", "title", "kind", "runs") if k not in entry]
        if missing:
            raise ProjectError(f"{path}: notebook entry {entry.get('id', '?')} lacks {missing}")
        outputs = entry.get("outputs") or {}
        specs.append(
            NotebookSpec(
                id=entry["id"],
                path=config.project_root() / entry["path"],
                title=entry["title"],
                kind=entry["kind"],
                parameters=entry.get("parameters") or {},
                runs=expand_runs(entry, path),
                html_template=outputs.get("html"),
                executed_template=outputs.get("executed"),
                generated_from=entry.get("generated_from"),
            )
        )
    ids = [s.id for s in specs]
    if len(ids) != len(set(ids)):
        raise ProjectError(f"{path}: notebook ids must be unique, got {ids}")
    return specs


def _with_source_entry(entry: dict, entries: dict[str, dict], path: Path) -> dict:
    """A student version's entry completed from its solution's: title (marked), kind and parameters."""
    source_id = entry.get("generated_from")
    if source_id is None:
        return entry
    source = entries.get(source_id)
    if source is None or source.get("generated_from") or source.get("kind") != LAB_KIND:
        raise ProjectError(f"{path}: notebook {entry.get('id', '?')}: generated_from {source_id!r} is not a lab")
    inherited = {"title": source.get("title", "") + STUDENT_TITLE, "kind": LAB_KIND}
    return inherited | {"parameters": source.get("parameters") or {}} | entry


def make_run(spec: NotebookSpec, overrides: dict[str, Any]) -> Run:
    """A validated run: defaults filled in; overrides equal to a default are dropped."""
    params = validate_parameters(spec.parameters, overrides, notebook=spec.id)
    defaults = validate_parameters(spec.parameters, {}, notebook=spec.id)
    changed = {k: v for k, v in params.items() if defaults[k] != v}
    run = Run(spec, params, changed)
    if run.extended and not io.extended_tables_present():
        raise ParameterError(
            f"{spec.id}: extended=true needs the extended detainer tables, which are not built here: run `make "
            "extended` first (it downloads the larger ICE releases, about 0.7 GB, and needs internet)"
        )
    return run


def plan_runs(ids: list[str] | None = None) -> list[Run]:
    """Every registered run (or those of the given notebook ids), validated before anything executes."""
    specs = load_notebook_registry()
    known = {s.id: s for s in specs}
    unknown = [i for i in (ids or []) if i not in known]
    if unknown:
        raise ParameterError(f"unknown notebook(s) {unknown}; registered: {', '.join(known)}")
    chosen = [known[i] for i in ids] if ids else specs
    return [make_run(spec, dict(overrides)) for spec in chosen for overrides in spec.runs]


def extended_notebook_ids(path: Path | None = None) -> list[str]:
    """The notebooks the registry's `extended:` section lists (they take the `extended` parameter)."""
    path = path or registry_path()
    section = read_yaml(path).get("extended") or {}
    ids = list(section.get("notebooks") or [])
    specs = {s.id: s for s in load_notebook_registry(path)}
    for notebook_id in ids:
        if notebook_id not in specs or EXTENDED_PARAMETER not in specs[notebook_id].parameters:
            raise ProjectError(
                f"{path}: `extended:` lists {notebook_id!r}, which is not a registered notebook with an "
                f"`{EXTENDED_PARAMETER}` parameter"
            )
    return ids


def plan_extended_runs() -> list[Run]:
    """Every run of the notebooks listed under `extended:` in the registry, with extended = true: the reports of an
    extended build (written under build/extended/)."""
    specs = {s.id: s for s in load_notebook_registry()}
    return [
        make_run(specs[i], dict(overrides) | {EXTENDED_PARAMETER: True})
        for i in extended_notebook_ids()
        for overrides in specs[i].runs
    ]


def notebook_parameters(notebook_id: str, **values) -> dict[str, Any]:
    """Validate a notebook's parameters from inside the notebook (for runs outside the build). Called from a
    notebook cell, a value in the kernel's namespace under a name that is neither a parameter nor assigned
    anywhere in the notebook (what `papermill -p countee Essex` leaves) is an error naming it, not a silent
    run with the default."""
    specs = {s.id: s for s in load_notebook_registry()}
    if notebook_id not in specs:
        raise ParameterError(f"unknown notebook {notebook_id!r}; registered: {', '.join(specs)}")
    spec = specs[notebook_id]
    namespace = _calling_notebook_namespace()
    if namespace is not None:
        known = set(spec.parameters) | _assigned_names(spec.path)
        stray = sorted(name for name in _plain_values(namespace) if name not in known)
        if stray:
            raise ParameterError(
                f"notebook {notebook_id!r}: unknown parameter(s) {', '.join(stray)} (set in the notebook's "
                f"namespace, e.g. by papermill -p); this notebook takes: {', '.join(spec.parameters) or 'none'}"
            )
    return validate_parameters(spec.parameters, values, notebook=notebook_id)


_PLAIN_VALUES = (str, int, float, bool, list, type(None))
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}


def _calling_notebook_namespace() -> dict | None:
    """The IPython namespace, when notebook_parameters was called from a notebook cell (not from a module)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    namespace = getattr(shell, "user_ns", None)
    if namespace is None or sys._getframe(2).f_globals is not namespace:
        return None
    return namespace


def _plain_values(namespace: dict) -> list[str]:
    """Names of plain values (text, numbers, lists), as a parameters cell or papermill's injected cell sets."""
    return [
        name
        for name, value in namespace.items()
        if not name.startswith("_") and name not in _IPYTHON_NAMES and isinstance(value, _PLAIN_VALUES)
    ]


def _assigned_names(path: Path) -> set[str]:
    """Every name the notebook's own code cells assign (its parameters cell, its setup cell, ...)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in doc["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics: such a cell assigns nothing this check needs
            continue
        names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return names
