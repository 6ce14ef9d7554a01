"""`ma-ice grade`: run submitted lab notebooks and list what each check cell says (for instructors).

Each notebook is executed in a fresh kernel in the project folder (so it reads the processed tables), on a
copy: the submitted file is never changed. A cell that raises is recorded and the run goes on, so one broken
cell does not hide the other exercises. The result lists every check cell's feedback line (✓ right, ✗ not yet,
… not answered yet) and counts them.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ma_ice_coop import config
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.labs.checking import CANNOT_CHECK, MARKS, NOT_ANSWERED, NOT_YET, RIGHT
from ma_ice_coop.labs.student import check_cells

CELL_TIMEOUT = 600  # seconds: a lab cell that runs longer than this is stopped and counted as failed
NO_FEEDBACK = "no feedback"  # a check cell that showed no feedback line (it failed, or was changed)


@dataclass
class Grade:
    """What one notebook's checks said: (exercise call, status, feedback line) per check cell, and the cells
    that raised an error (their first line)."""

    path: Path
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(status for _, status, _ in self.checks)

    def summary(self) -> str:
        counts = self.counts()
        total = len(self.checks)
        return (
            f"{counts[RIGHT]} of {total} right, {counts[NOT_YET]} not yet, {counts[NOT_ANSWERED]} not answered"
            f"{f', {counts[CANNOT_CHECK]} cannot be checked' if counts[CANNOT_CHECK] else ''}"
            f"{f', {counts[NO_FEEDBACK]} without feedback' if counts[NO_FEEDBACK] else ''}; "
            f"{len(self.errors)} cell(s) raised an error"
        )


def _feedback(cell) -> tuple[str, str]:
    """(status, line) of the first feedback line a check cell showed."""
    marks = {mark: status for status, mark in MARKS.items()}
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        for line in str(text).splitlines():
            if line[:1] in marks and " Exercise " in line:
                return marks[line[:1]], line
    return NO_FEEDBACK, "(no feedback: the cell failed or no longer calls its check)"


def _errors(nb) -> list[str]:
    found = []
    for number, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {number}: {output.get('ename')}: {str(output.get('evalue', ''))[:200]}")
    return found


def grade_notebook(path: Path) -> Grade:
    """Execute a copy of the notebook at `path` and read its check cells."""
    # lazy: nbformat and nbclient take seconds to import; `ma-ice --help` needs neither
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read {path} as a notebook ({exc}): give the .ipynb files to grade") from None
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(config.project_root())}},
    )
    client.execute()
    grade = Grade(path, errors=_errors(nb))
    for cell in check_cells(nb):
        status, line = _feedback(cell)
        grade.checks.append((cell.source.strip().splitlines()[0], status, line))
    return grade


def grade_notebooks(paths: list[Path], out=None) -> list[Grade]:
    """Grade each notebook in turn, printing its feedback lines and counts as it goes."""
    out = out or sys.stdout
    missing = [str(path) for path in paths if not Path(path).is_file()]
    if missing:
        raise ParameterError(f"no such notebook file(s): {', '.join(missing)}; nothing was graded")
    grades = []
    for number, path in enumerate(paths, start=1):
        print(f"[{number}/{len(paths)}] {path}", file=out, flush=True)
        grade = grade_notebook(path)
        for _, _, line in grade.checks:
            print(f"  {line}", file=out)
        for error in grade.errors:
            print(f"  error in {error}", file=out)
        print(f"  {grade.summary()}", file=out, flush=True)
        grades.append(grade)
    return grades
