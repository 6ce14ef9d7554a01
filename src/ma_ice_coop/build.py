"""Run the registered notebooks with papermill and render them to HTML: processed → notebooks → reports.

notebooks/registry.yaml lists every notebook with its parameter sets. Every parameter set is
validated before any kernel starts. The default set's executed notebook is written back over the
committed notebook (the one nbval checks); other sets go to build/notebooks/ (ignored). HTML goes to
reports/. Executed notebooks are cleaned of volatile metadata (papermill timings), so the same inputs
give byte-identical notebooks. A failed run keeps its executed notebook under build/failed/ and
replaces nothing.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ma_ice_coop import config, io
from ma_ice_coop.errors import ParameterError, ProjectError
from ma_ice_coop.parameters import validate_parameters

KERNEL = "python3"


class BuildError(ProjectError):
    """A notebook failed to execute or render."""


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


@dataclass(frozen=True)
class Run:
    spec: NotebookSpec
    params: dict[str, Any] = field(hash=False)
    overrides: dict[str, Any] = field(hash=False)

    @property
    def is_default(self) -> bool:
        return not self.overrides

    @property
    def slug(self) -> str:
        """Output name that encodes the parameters that differ from the defaults."""
        if self.is_default:
            return "default"
        parts = []
        for key in sorted(self.overrides):
            value = self.overrides[key]
            text = "+".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}={text}")
        return "__".join(parts).replace("/", "-").replace(" ", "_")

    @property
    def label(self) -> str:
        return f"{self.spec.id}[{self.slug}]"

    def _fill(self, template: str) -> Path:
        values = {k: ("+".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in self.params.items()}
        return config.project_root() / template.format(**values)

    @property
    def executed_path(self) -> Path:
        if self.is_default:
            return self.spec.path
        if self.spec.executed_template:
            return self._fill(self.spec.executed_template)
        return config.project_root() / "build" / "notebooks" / self.spec.id / f"{self.slug}.ipynb"

    @property
    def html_path(self) -> Path:
        if self.spec.html_template:
            return self._fill(self.spec.html_template)
        reports = config.project_root() / "reports"
        if self.is_default:
            return reports / f"{self.spec.id}.html"
        return reports / self.spec.id / f"{self.slug}.html"


def registry_path() -> Path:
    return config.project_root() / "notebooks" / "registry.yaml"


def load_notebook_registry(path: Path | None = None) -> list[NotebookSpec]:
    path = path or registry_path()
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = []
    for entry in doc["notebooks"]:
        missing = [k for k in ("id", "path", "title", "kind", "runs") if k not in entry]
        if missing:
            raise ProjectError(f"{path}: notebook entry {entry.get('id', '?')} lacks {missing}")
        outputs = entry.get("outputs") or {}
        specs.append(NotebookSpec(id=entry["id"], path=config.project_root() / entry["path"], title=entry["title"],
                                  kind=entry["kind"], parameters=entry.get("parameters") or {},
                                  runs=tuple(entry["runs"]), html_template=outputs.get("html"),
                                  executed_template=outputs.get("executed")))
    ids = [s.id for s in specs]
    if len(ids) != len(set(ids)):
        raise ProjectError(f"{path}: notebook ids must be unique, got {ids}")
    return specs


def make_run(spec: NotebookSpec, overrides: dict[str, Any]) -> Run:
    """A validated run: defaults filled in; overrides equal to a default are dropped."""
    params = validate_parameters(spec.parameters, overrides, notebook=spec.id)
    defaults = validate_parameters(spec.parameters, {}, notebook=spec.id)
    changed = {k: v for k, v in params.items() if defaults[k] != v}
    return Run(spec, params, changed)


def plan_runs(ids: list[str] | None = None) -> list[Run]:
    """Every registered run (or those of the given notebook ids), validated before anything executes."""
    specs = load_notebook_registry()
    known = {s.id: s for s in specs}
    unknown = [i for i in (ids or []) if i not in known]
    if unknown:
        raise ParameterError(f"unknown notebook(s) {unknown}; registered: {', '.join(known)}")
    chosen = [known[i] for i in ids] if ids else specs
    return [make_run(spec, dict(overrides)) for spec in chosen for overrides in spec.runs]


def clean_notebook(nb) -> None:
    """Remove what changes from run to run but says nothing about the results (timings, run ids), and
    number the executed cells 1, 2, ... as a fresh kernel would (a warm kernel keeps counting)."""
    nb.metadata.pop("papermill", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id for the cell it adds
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell.execution_count = count
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = cell.execution_count


def execute_run(run: Run, km=None, target: Path | None = None) -> Path:
    """Execute one run with papermill (in kernel manager `km` if given, else a new kernel); write the
    cleaned notebook atomically to `target` (default: the run's executed path). Returns the path."""
    import nbformat
    import papermill

    root = config.project_root()
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=_ensure(root / "build" / "tmp")))
    executed = scratch / f"{run.spec.id}.ipynb"
    try:
        extra = {"km": km} if km is not None else {}
        papermill.execute_notebook(str(run.spec.path), str(executed), parameters=dict(run.overrides) or None,
                                   kernel_name=KERNEL, progress_bar=False, cwd=str(root), **extra)
    except Exception as exc:
        failed = root / "build" / "failed" / run.spec.id / f"{run.slug}.ipynb"
        if executed.exists():
            _ensure(failed.parent)
            shutil.copyfile(executed, failed)
        shutil.rmtree(scratch, ignore_errors=True)
        where = f"; the executed notebook is kept at {failed.relative_to(root)}" if failed.exists() else ""
        raise BuildError(f"notebook {run.label} failed: {type(exc).__name__}: {str(exc).strip()[:2000]}{where}") from exc
    nb = nbformat.read(executed, as_version=4)
    clean_notebook(nb)
    target = target or run.executed_path
    io.atomic_write_text(target, nbformat.writes(nb) + "\n")
    shutil.rmtree(scratch, ignore_errors=True)
    return target


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def report_header(run: Run) -> str:
    """Markdown shown under the report's title: the parameters used and a link to the notebook."""
    root = config.project_root()
    source = run.spec.path.relative_to(root).as_posix()
    depth = len(run.html_path.relative_to(root / "reports").parts) - 1
    link = "../" * (depth + 1) + source
    params = ", ".join(f"`{k}` = `{json.dumps(v) if isinstance(v, list) else v}`" for k, v in run.params.items())
    lines = []
    if params:
        lines.append(f"Parameters: {params}.")
    lines.append(f"Code: [the notebook]({link}) (rerun it with other parameters: see the README).")
    return "\n".join(lines)


def render_html(run: Run, source: Path | None = None, target: Path | None = None) -> Path:
    """Executed notebook → HTML report with the code hidden; written atomically (default paths: the run's)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(source or run.executed_path, as_version=4)
    header = nbformat.v4.new_markdown_cell(report_header(run))
    header["id"] = "report-header"  # a fixed id: nbformat would draw a random one
    # after the notebook's own title cell (its first markdown cell), if it starts with one
    first = nb.cells[0] if nb.cells else None
    nb.cells.insert(1 if first is not None and first.cell_type == "markdown" else 0, header)
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_anchor_links=True)
    body, _ = exporter.from_notebook_node(nb)
    target = target or run.html_path
    reports = config.project_root() / "reports"
    home = ("../" * (len(target.relative_to(reports).parts) - 1) + "index.html" if target.is_relative_to(reports)
            else (reports / "index.html").as_uri())
    io.atomic_write_text(target, html_page(run.spec.title, body, home=home))
    return target


PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;margin:0}
main{max-width:960px;margin:0 auto;padding:1rem 1.5rem 3rem}
nav{background:#0b3954;padding:.5rem 1.5rem}nav a{color:#fff;text-decoration:none;font-weight:600}
h1{font-size:1.8rem;line-height:1.2}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table.ma-table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1.5rem;display:block;overflow-x:auto}
table.ma-table th,table.ma-table td{border-bottom:1px solid #e3e3e3;padding:.25rem .6rem;text-align:left;vertical-align:top}
table.ma-table th{background:#f4f6f8}.ma-caption{font-weight:600;margin-bottom:0}
figure.ma-figure{margin:1rem 0}figure.ma-figure img{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}.source{display:block;color:#666;font-size:.85rem}
pre{white-space:pre-wrap}code{background:#f4f6f8;padding:0 .2rem}
"""


def html_page(title: str, body: str, *, home: str) -> str:
    """A lean, self-contained report page: escaped title, a link home, small inline CSS."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
            f"<nav><a href=\"{html.escape(home)}\">ICE detainer cooperation in Massachusetts: all reports</a></nav>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")


def build_notebooks(ids: list[str] | None = None, *, workers: int | None = None, force: bool = False,
                    out=None) -> dict[str, str]:
    """Execute and render the registered runs that changed (parallel, cached: see runner.py)."""
    from ma_ice_coop.runner import build_runs

    return build_runs(ids=ids, workers=workers, force=force, out=out)


def run_to_folder(notebook_id: str, overrides: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Run one notebook with new parameters into `folder` (executed notebook and HTML report)."""
    specs = {s.id: s for s in load_notebook_registry()}
    if notebook_id not in specs:
        raise ParameterError(f"unknown notebook {notebook_id!r}; registered: {', '.join(specs)}")
    run = make_run(specs[notebook_id], overrides)
    stem = f"{notebook_id}__{run.slug}"
    folder = Path(folder).resolve()
    executed = execute_run(run, target=folder / f"{stem}.ipynb")
    return executed, render_html(run, source=executed, target=folder / f"{stem}.html")


def notebook_parameters(notebook_id: str, **values) -> dict[str, Any]:
    """Validate a notebook's parameters from inside the notebook (for runs outside the build)."""
    specs = {s.id: s for s in load_notebook_registry()}
    if notebook_id not in specs:
        raise ParameterError(f"unknown notebook {notebook_id!r}; registered: {', '.join(specs)}")
    return validate_parameters(specs[notebook_id].parameters, values, notebook=notebook_id)
