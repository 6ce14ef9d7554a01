"""Run the registered notebooks with papermill and render them to HTML: processed → notebooks → reports.

notebooks/registry.yaml lists every notebook with its parameter sets. Every parameter set is
validated before any kernel starts. The default set's executed notebook is written back over the
committed notebook (the one nbval checks); other sets go to build/notebooks/ (ignored). HTML goes to
reports/. Executed notebooks are cleaned of volatile metadata (papermill timings), so the same inputs
give byte-identical notebooks. A failed run keeps its executed notebook under build/failed/ and
replaces nothing.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ma_ice_coop import config, io
from ma_ice_coop.build.cache import notebook_modules
from ma_ice_coop.build.guard import scratch_folder
from ma_ice_coop.build.labs import lab_header_lines
from ma_ice_coop.errors import ParameterError, ProjectError
from ma_ice_coop.present.pages import CODE_CSS, html_page
from ma_ice_coop.specs.notebooks import Run, load_notebook_registry, make_run

KERNEL = "python3"


class BuildError(ProjectError):
    """A notebook failed to execute or render."""


def clean_notebook(nb) -> None:
    """Remove what changes from run to run but says nothing about the results (timings, run ids, how printed
    text was split into messages), and number the executed cells 1, 2, ... as a fresh kernel would (a warm kernel
    keeps counting)."""
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
            cell.outputs = merged_streams(cell.get("outputs", []))
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = cell.execution_count


def merged_streams(outputs: list) -> list:
    """Outputs with each run of consecutive stdout (or stderr) pieces joined into one: how the kernel splits a
    cell's printing into messages depends on timing, so the same cell could be stored differently run to run."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def execute_run(run: Run, km=None, target: Path | None = None) -> Path:
    """Execute one run with papermill (in kernel manager `km` if given, else a new kernel); write the
    cleaned notebook atomically to `target` (default: the run's executed path). Returns the path."""
    # lazy: papermill and nbformat take seconds to import; planning and `--help` need neither
    import nbformat
    import papermill

    root = config.project_root()
    scratch = scratch_folder()
    executed = scratch / f"{run.spec.id}.ipynb"
    try:
        try:
            papermill.execute_notebook(
                str(run.spec.path),
                str(executed),
                parameters=dict(run.overrides) or None,
                kernel_name=KERNEL,
                progress_bar=False,
                cwd=str(root),
                **({"km": km} if km is not None else {}),
            )
        except Exception as exc:
            raise BuildError(
                f"notebook {run.label} failed: {type(exc).__name__}: {str(exc).strip()[:2000]}"
                f"{_keep_failed(run, executed)}"
            ) from exc
        nb = nbformat.read(executed, as_version=4)
        clean_notebook(nb)
        target = target or run.executed_path
        io.atomic_write_text(target, nbformat.writes(nb) + "\n")
        return target
    finally:  # on success, failure or interrupt: no scratch is left behind
        shutil.rmtree(scratch, ignore_errors=True)


def _keep_failed(run: Run, executed: Path) -> str:
    """Copy a failed run's executed notebook to build/failed/; the words that say where it is."""
    root = config.project_root()
    if not executed.exists():
        return ""
    failed = root / "build" / "failed" / run.spec.id / f"{run.slug}.ipynb"
    _ensure(failed.parent)
    shutil.copyfile(executed, failed)
    return f"; the executed notebook is kept at {failed.relative_to(root)}"


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def report_header(run: Run, notebook_link: str | None = None, to_reports: str | None = None) -> str:
    """Markdown shown under the report's title: the parameters used and a link to the notebook (by default
    the source notebook in the repository, relative to the report's place under reports/)."""
    root = config.project_root()
    if notebook_link is None and run.extended:  # the executed notebook of its own tree, beside the reports
        notebook_link = quote(Path(os.path.relpath(run.executed_path, run.html_path.parent)).as_posix())
    if notebook_link is None:
        depth = len(run.html_path.relative_to(root / "reports").parts) - 1
        notebook_link = "../" * (depth + 1) + run.spec.path.relative_to(root).as_posix()
    params = ", ".join(f"`{k}` = `{json.dumps(v) if isinstance(v, list) else v}`" for k, v in run.params.items())
    lines = []
    if params:
        lines.append(f"Parameters: {params}.")
    lines.append(f"Code: [the notebook]({notebook_link}) (rerun it with other parameters: see the README).")
    text = "\n".join(lines)
    if run.spec.shows_code:  # a lab: its launch button and its other version, in paragraphs of their own
        text += "\n\n" + "\n\n".join(lab_header_lines(run, to_reports or _to_reports(run.html_path)))
    return text


def _to_reports(target: Path) -> str:
    """The relative path from a page at `target` back to reports/ ('' or '../' ...), or reports/ as a file URL
    for a page outside it (a run into another folder)."""
    reports = config.project_root() / "reports"
    if not target.is_relative_to(reports):
        return reports.as_uri() + "/"
    return "../" * (len(target.relative_to(reports).parts) - 1)


def render_html(
    run: Run, source: Path | None = None, target: Path | None = None, notebook_link: str | None = None
) -> Path:
    """Executed notebook → HTML report with the code hidden (shown for a lab); written atomically (default paths:
    the run's)."""
    # lazy: see execute_run
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(source or run.executed_path, as_version=4)
    target = target or run.html_path
    to_reports = _to_reports(target)
    header = nbformat.v4.new_markdown_cell(report_header(run, notebook_link, to_reports))
    header["id"] = "report-header"  # a fixed id: nbformat would draw a random one
    # after the notebook's own title cell (its first markdown cell), if it starts with one
    first = nb.cells[0] if nb.cells else None
    nb.cells.insert(1 if first is not None and first.cell_type == "markdown" else 0, header)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=not run.spec.shows_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    if run.spec.id != METHODS_REPORT:
        add_methods_link(nb, to_reports + f"{METHODS_REPORT}.html")
    body, _ = exporter.from_notebook_node(nb)
    css = CODE_CSS if run.spec.shows_code else ""
    io.atomic_write_text(target, html_page(run.spec.title, body, home=to_reports + "index.html", css=css))
    return target


METHODS_REPORT = "methods"  # the notebook id of the methods page, which every report's limitations link to
LIMITATIONS_HEADING = "## Methodology and limitations"


def add_methods_link(nb, link: str) -> None:
    """A line under the report's 'Methodology and limitations' heading that links the methods page (the link is
    relative to the report's place, which only the build knows)."""
    # lazy: see execute_run
    import nbformat

    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(LIMITATIONS_HEADING):
            line = nbformat.v4.new_markdown_cell(
                "How each measure is defined and how each method works (intervals, funnel plots, shrinkage, "
                f"permutation tests, interrupted time series, ecological inference), with worked examples from "
                f"these data: [the methods page]({link})."
            )
            line["id"] = "methods-link"  # a fixed id: nbformat would draw a random one
            nb.cells.insert(i + 1, line)
            return


def run_to_folder(notebook_id: str, overrides: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Run one notebook with new parameters into `folder` (executed notebook and HTML report, side by side;
    the report links to the executed notebook beside it). The folder is checked before any kernel starts."""
    specs = {s.id: s for s in load_notebook_registry()}
    if notebook_id not in specs:
        raise ParameterError(f"unknown notebook {notebook_id!r}; registered: {', '.join(specs)}")
    run = make_run(specs[notebook_id], overrides)
    stem = f"{notebook_id}__{run.slug}" + ("__extended" if run.extended else "")
    folder = usable_folder(Path(folder))
    kernel = PreloadedKernel(sorted(notebook_modules(run.spec.path)))
    try:
        importlib.import_module("papermill")  # while the kernel imports its own modules
        threading.Thread(target=importlib.import_module, args=("nbconvert",), daemon=True).start()
        executed = execute_run(run, km=kernel.wait_ready(), target=folder / f"{stem}.ipynb")
    finally:
        kernel.shutdown()
    page = render_html(run, source=executed, target=folder / f"{stem}.html", notebook_link=quote(executed.name))
    return executed, page


def usable_folder(folder: Path) -> Path:
    """`folder` made absolute and created if needed; a clear error if it is a file or cannot be written."""
    folder = folder.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--out {folder} is a file, not a folder: give a folder (it is created if needed)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".ma-ice-write-check-")
        probe.close()
    except OSError as exc:
        raise ParameterError(
            f"--out {folder} cannot be written ({exc.strerror or exc}): choose a folder you can write to"
        ) from None
    return folder


def start_kernel():
    """A new kernel (its manager) in the project folder. The kernel's own start-up notices (such as the
    "running over TCP without encryption" warning) go to /dev/null; notebook output comes through the protocol."""
    from jupyter_client import KernelManager  # lazy: see execute_run

    manager = KernelManager(kernel_name=KERNEL)
    manager.start_kernel(cwd=str(config.project_root()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return manager


class PreloadedKernel:
    """A new kernel that imports the notebook's package modules (and so pandas, matplotlib, statsmodels)
    while this process imports papermill: the two slowest imports of a single run overlap. The kernel is
    then exactly a warm kernel of the worker pool (its outputs are byte-identical to a fresh kernel's)."""

    def __init__(self, modules: list[str]):
        self.manager = start_kernel()
        self.client = self.manager.client()
        self.client.start_channels()
        code = f"import importlib as _il\nfor _m in {modules!r}:\n    _il.import_module(_m)\ndel _il, _m"
        self.request = self.client.execute(code, silent=True, store_history=False)

    def wait_ready(self, timeout: float = 300):
        """The kernel manager, once the imports are done (an import error fails here, before any cell)."""
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == self.request:
                break
        self.client.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise BuildError(
                f"the kernel could not import the notebook's modules: {content.get('ename')}: {content.get('evalue')}"
            )
        return self.manager

    def shutdown(self) -> None:
        self.client.stop_channels()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)
