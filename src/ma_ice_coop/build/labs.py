"""The teaching labs in the build: each lab's student version is made from its solution notebook before the
notebooks run, and a lab's report header carries its launch button and the links to its other version and to
the instructor guide (notebooks/labs/README.md, rendered to reports/labs/guide.html)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

from ma_ice_coop import config, io
from ma_ice_coop.errors import ProjectError
from ma_ice_coop.present.citation import citation
from ma_ice_coop.specs.notebooks import NotebookSpec, Run, load_notebook_registry, make_run

GUIDE_FILE = Path("notebooks") / "labs" / "README.md"
GUIDE_PAGE = Path("reports") / "labs" / "guide.html"
GUIDE_TITLE = "Teaching with these notebooks: the instructor guide"
BINDER = "https://mybinder.org/v2/gh/{repository}/HEAD?urlpath={path}"


def write_student_versions(ids: list[str] | None = None, out=None) -> list[Path]:
    """Write each lab's student version (or those among notebook `ids`) from its solution notebook, when what it
    would say (cell sources, tags and alt texts) differs from the committed one; its outputs are then cleared,
    and the notebook run executes it. Returns the notebooks written. Read as plain JSON: a build with nothing to
    write does not import nbformat."""
    from ma_ice_coop.labs.student import cell_sources, student_notebook  # lazy: the CLI's start-up needs neither

    specs = load_notebook_registry()
    by_id = {spec.id: spec for spec in specs}
    written = []
    for spec in specs:
        if spec.generated_from is None or (ids and spec.id not in ids):
            continue
        student = student_notebook(_read_json(by_id[spec.generated_from].path))
        if spec.path.exists() and cell_sources(_read_json(spec.path)) == cell_sources(student):
            continue
        _write_notebook(spec.path, student)
        written.append(spec.path)
        where = spec.path.relative_to(config.project_root())
        print(f"  labs: wrote the student version {where}", file=out or sys.stderr)
    return written


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_notebook(path: Path, notebook: dict) -> None:
    """Write a notebook as the build writes every executed one (nbformat's layout, a final newline)."""
    import nbformat  # lazy: only when a student version is (re)written

    io.atomic_write_text(path, nbformat.writes(nbformat.from_dict(notebook)) + "\n")


def repository() -> str:
    """The GitHub repository ('owner/name') the launch buttons open: CITATION.cff's repository-code."""
    url = str(citation().get("repository-code", ""))
    prefix = "https://github.com/"
    if not url.startswith(prefix):
        raise ProjectError(f"CITATION.cff: repository-code should be a {prefix}owner/name URL, got {url!r}")
    return url[len(prefix) :].strip("/")


def binder_url(notebook: Path) -> str:
    """Binder, opening `notebook` (relative to the project root) in JupyterLab once the image is built."""
    return BINDER.format(repository=repository(), path=quote(f"lab/tree/{notebook.as_posix()}", safe=""))


def lab_header_lines(run: Run, to_reports: str) -> list[str]:
    """Markdown lines for a lab report's header: launch on Binder, the other version, the guide."""
    root = config.project_root()
    specs = {spec.id: spec for spec in load_notebook_registry()}
    if run.spec.generated_from:
        other, words = specs[run.spec.generated_from], "the solution version, with the answers"
    else:
        other = next((s for s in specs.values() if s.generated_from == run.spec.id), None)
        words = "the student version, with empty answer cells"
    student = run.spec if run.spec.generated_from or other is None else other
    # a text link, not the badge image: a report page loads nothing from elsewhere (it works offline)
    lines = [
        f"**[Launch the student version on Binder]({binder_url(student.path.relative_to(root))})** (a free service: "
        "it can take a while to start, and nothing is saved, so download your notebook before you close the tab)."
    ]
    if other is not None:
        lines.append(f"This lab's other version: [{words}]({to_reports}{_page(other)}).")
    guide = GUIDE_PAGE.relative_to("reports").as_posix()
    lines.append(f"For instructors: [the guide, with a session plan for each lab]({to_reports}{guide}).")
    return lines


def _page(spec: NotebookSpec) -> str:
    """The default report of a notebook, relative to reports/."""
    return make_run(spec, {}).html_path.relative_to(config.project_root() / "reports").as_posix()


def guide_html() -> str:
    """The instructor guide page: notebooks/labs/README.md rendered; its links to the lab notebooks point at the
    lab reports instead (reports/labs/ mirrors notebooks/labs/, so only the ending changes)."""
    from ma_ice_coop.build.changes_page import markdown_html  # lazy: mistune is needed by the pages step only
    from ma_ice_coop.present.pages import html_page  # lazy: with it

    text = (config.project_root() / GUIDE_FILE).read_text(encoding="utf-8")
    text = re.sub(r"\]\(((?![a-z]+:)[^)#]+)\.ipynb([#)])", r"](\1.html\2", text)
    body = markdown_html(text)
    return html_page(GUIDE_TITLE, body, home="../index.html")


def write_guide_page() -> Path:
    path = config.project_root() / GUIDE_PAGE
    io.atomic_write_text(path, guide_html())
    return path
