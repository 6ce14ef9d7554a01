"""The shape of the code: one-way layers (import-linter contracts in pyproject.toml), no import cycles,
modules and functions of a readable size, and the registry's county runs expanded from counties.csv."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from ma_ice_coop.specs import notebooks
from ma_ice_coop.tables.reference import load_counties

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "ma_ice_coop"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def test_layers_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _cycle_from(graph, start: str) -> list[str] | None:
    """A shortest import cycle through `start`, or None."""
    seen, frontier = {start: [start]}, [start]
    while frontier:
        nxt = []
        for module in frontier:
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                if imported == start:
                    return seen[module] + [start]
                if imported not in seen:
                    seen[imported] = seen[module] + [imported]
                    nxt.append(imported)
        frontier = nxt
    return None


def test_no_import_cycles():
    graph = grimp.build_graph("ma_ice_coop", cache_dir=None)
    cycles = [c for m in sorted(graph.modules) if (c := _cycle_from(graph, m))]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def _module_sizes() -> dict[str, int]:
    return {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def test_modules_are_small():
    too_big = {name: n for name, n in _module_sizes().items() if n > MAX_MODULE_LINES}
    assert not too_big, f"modules over {MAX_MODULE_LINES} lines (split them): {too_big}"


def _function_lengths() -> dict[str, int]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"
                out[name] = node.end_lineno - node.lineno + 1
    return out


def test_functions_are_short():
    too_long = {name: n for name, n in _function_lengths().items() if n > MAX_FUNCTION_LINES}
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines (split them): {too_long}"


def test_county_runs_come_from_the_counties_table():
    spec = {s.id: s for s in notebooks.load_notebook_registry()}["county_profile"]
    default = spec.parameters["county"]["default"]
    counties = [c for c in load_counties()["county"] if c != default]
    assert [run.get("county") for run in spec.runs[1:]] == counties
    registry_text = (REPO / "notebooks" / "registry.yaml").read_text(encoding="utf-8")
    assert "{county: Barnstable}" not in registry_text and "for_each: county" in registry_text


def test_for_each_needs_a_known_parameter(tmp_path):
    bad = tmp_path / "registry.yaml"
    bad.write_text(
        "notebooks:\n  - {id: x, path: x.ipynb, title: x, kind: county, parameters: {}, "
        "runs: [{}, {for_each: county}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="for_each: county"):
        notebooks.load_notebook_registry(bad)


def test_each_notebook_is_keyed_on_the_modules_it_imports():
    from ma_ice_coop.build.cache import notebook_modules

    specs = {s.id: s for s in notebooks.load_notebook_registry()}
    modules = {nb_id: notebook_modules(spec.path) for nb_id, spec in specs.items()}
    for nb_id, imported in modules.items():
        if specs[nb_id].shows_code:  # a lab does its own analysis: it imports no view at all
            assert not [m for m in imported if m.startswith("ma_ice_coop.views")], nb_id
            continue
        assert f"ma_ice_coop.views.{nb_id}" in imported
        others = {f"ma_ice_coop.views.{other}" for other in specs if other != nb_id}
        assert not imported & others, f"{nb_id} would rerun when another view changes"
        assert "ma_ice_coop.build.pool" not in imported


def test_a_build_with_nothing_to_do_imports_no_heavy_library():
    """Planning and keying every run (all a no-op `ma-ice build` does besides hashing) must not import
    pandas, pandera, scipy or matplotlib: they are the import floor the no-op build is measured against."""
    code = (
        "import sys\n"
        "from ma_ice_coop.build import pipeline, pool\n"
        "from ma_ice_coop.build.cache import run_keys\n"
        "from ma_ice_coop.specs.notebooks import plan_runs\n"
        "run_keys(plan_runs())\n"
        "print(' '.join(m for m in ('pandas', 'pandera', 'scipy', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"imported: {done.stdout.strip()}"


def test_the_fast_county_list_agrees_with_the_checked_table():
    """specs.parameters reads counties.csv with the csv module (fast planning); load_counties checks it."""
    from ma_ice_coop.specs.parameters import county_names_in_order, valid_counties

    counties = load_counties()
    assert county_names_in_order() == list(counties["county"])
    assert valid_counties() == {
        **{name.lower(): name for name in counties["county"]},
        **dict(zip(counties["county_fips"], counties["county"], strict=True)),
    }


def _unexplained_function_imports(path: Path) -> list[str]:
    """Imports inside functions with no comment saying why: on the line, or on the nearest line above that is
    not itself an import (a comment, or the function's own line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 2
            while above >= 0 and lines[above].strip().startswith(("import ", "from ")):
                above -= 1
            if "#" not in lines[node.lineno - 1] and (above < 0 or "#" not in lines[above]):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_imports_inside_functions_say_why():
    """Imports belong at the top of a module; one inside a function carries a comment saying why (for
    example: lazy, so that the CLI or a build with nothing to do stays fast)."""
    unexplained = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _unexplained_function_imports(path)]
    assert not unexplained, "\n".join(unexplained)
