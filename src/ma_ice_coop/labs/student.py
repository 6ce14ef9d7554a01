"""The student version of a lab, made from its solution notebook (the source the instructor edits).

In the solution notebook, each exercise's answer cell is a code cell tagged `solution`: comment lines that
say what to do, then the code that computes the answer into named variables. In the student version that
cell becomes a your-turn cell: the same comment lines, then `name = ...` for each variable the solution
assigns (so the check cell below it says "not answered yet" until the student fills it in). Markdown cells
tagged `solution` (worked answers to discussion questions) are left out; the relative links of the others are
made one folder deeper (the student version lives in student/). Every output is cleared: the build executes the
student version like any other notebook.
"""

from __future__ import annotations

import ast
import copy
import re

# A check cell calls the lab's check module: `check.exercise_2(custody_share)`.
CHECK_CALL = re.compile(r"^check\.(exercise_\w+)\(", re.MULTILINE)
SOLUTION_TAG = "solution"
YOUR_TURN_TAG = "your-turn"
STUDENT_NOTE = (
    "*Student version: the answer cells are empty (`...`). Fill each one in, run it, then run the check below it. "
    "The solution version, with the answers, is the notebook of the same name one folder up.*"
)


def assigned_names(source: str) -> list[str]:
    """The variables a cell assigns at its top level, in order of first assignment."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        else:
            targets = [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and isinstance(leaf.ctx, ast.Store) and leaf.id not in names:
                    names.append(leaf.id)
    return names


def stub_source(source: str) -> str:
    """The your-turn cell for a solution cell: its leading comment lines, then `name = ...` per answer."""
    lines = source.splitlines()
    comments = []
    for line in lines:
        if not line.startswith("#"):
            break
        comments.append(line)
    names = assigned_names(source)
    if not names:
        raise ValueError(f"a solution cell must assign its answer to a variable; this one assigns none:\n{source}")
    return "\n".join(comments + [f"{name} = ...  # your answer" for name in names])


# A relative markdown link or image: `](path` where path is not a URL, an anchor or an absolute path.
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)")


def one_folder_deeper(markdown: str) -> str:
    """The markdown's relative links, seen from a folder one level below (the student versions sit in student/)."""
    return _RELATIVE_LINK.sub("](../", markdown)


def _is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _text(source) -> str:
    """A cell's source as one string (a notebook file may store it as a list of lines)."""
    return "".join(source) if isinstance(source, list) else source


def student_notebook(solution: dict) -> dict:
    """The student version of a solution notebook: a notebook as read from its file (json or nbformat: only
    dictionary access is used), not changed."""
    student = copy.deepcopy(solution)
    cells = []
    for cell in student["cells"]:
        cell["source"] = _text(cell["source"])
        if _is_solution(cell) and cell["cell_type"] != "code":
            continue
        if _is_solution(cell):
            cell["source"] = stub_source(cell["source"])
            tags = [t for t in cell["metadata"].get("tags", []) if t != SOLUTION_TAG]
            cell["metadata"]["tags"] = tags + [YOUR_TURN_TAG]
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell["source"] = one_folder_deeper(cell["source"])
        cells.append(cell)
    title = next((c for c in cells if c["cell_type"] == "markdown"), None)
    if title is not None:
        title["source"] = title["source"].rstrip("\n") + "\n\n" + STUDENT_NOTE
    student["cells"] = cells
    return student


def cell_sources(nb: dict) -> list[tuple]:
    """What a notebook says, without its outputs: (cell type, source, sorted tags, figure alt text) per cell."""
    return [
        (
            c["cell_type"],
            _text(c["source"]),
            sorted(c.get("metadata", {}).get("tags", [])),
            c.get("metadata", {}).get("alt"),
        )
        for c in nb["cells"]
    ]


def check_cells(nb: dict) -> list:
    """The notebook's check cells, in order."""
    return [c for c in nb["cells"] if c["cell_type"] == "code" and CHECK_CALL.search(_text(c["source"]))]
