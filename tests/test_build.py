"""The notebook registry, parameter validation before any kernel starts, runs, failures and nbval."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ma_ice_coop import config
from ma_ice_coop.build import execute as build
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.present import pages
from ma_ice_coop.specs import notebooks

REPO = Path(__file__).resolve().parents[1]


def test_every_registered_run_is_valid():
    runs = notebooks.plan_runs()
    assert len({r.spec.id for r in runs}) == len(notebooks.load_notebook_registry())
    assert sum(r.is_default for r in runs) == len(notebooks.load_notebook_registry())
    assert len({r.html_path for r in runs}) == len(runs), "output paths must be unique"


@pytest.mark.parametrize("spec", notebooks.load_notebook_registry(), ids=lambda s: s.id)
def test_parameters_cell_matches_the_registry_defaults(spec):
    nb = nbformat.read(spec.path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(tagged[0].source).body:
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == {k: v["default"] for k, v in spec.parameters.items()}


@pytest.mark.parametrize("spec", notebooks.load_notebook_registry(), ids=lambda s: s.id)
def test_committed_notebooks_are_executed_and_clean(spec):
    nb = nbformat.read(spec.path, as_version=4)
    assert "papermill" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "run `make all` (or ma-ice notebooks) to store outputs"
    for cell in code:
        assert not [o for o in cell.outputs if o.output_type == "error"]
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], "no warnings in stored outputs"


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"measure": "compliance"}, "not a measure for this notebook; valid: detainers_lodged"),
        ({"period_start": "2015-07-19", "period_end": "2014-10-01"}, "before its start"),
        ({"period_start": "2010-01-01", "period_end": "2015-07-19"}, "outside what measure 'custody_share' covers"),
        ({"period_start": "July 2015"}, "not an ISO date"),
        ({"colour": "blue"}, "unknown parameter"),
    ],
)
def test_bad_parameters_fail_before_any_kernel_starts(overrides, words):
    spec = {s.id: s for s in notebooks.load_notebook_registry()}["which_counties"]
    with pytest.raises(ParameterError, match=words):
        notebooks.make_run(spec, overrides)


def test_bad_covariates_and_events_list_valid_values():
    specs = {s.id: s for s in notebooks.load_notebook_registry()}
    with pytest.raises(ParameterError, match="valid: .*pres_dem_share"):
        notebooks.make_run(specs["politics_demographics"], {"covariates": ["votes_for_pirates"]})
    with pytest.raises(ParameterError, match="1 to 3 covariates"):
        notebooks.make_run(
            specs["politics_demographics"],
            {"covariates": ["pres_dem_share", "foreign_born_share", "poverty_share", "rural_share"]},
        )
    with pytest.raises(ParameterError, match="policy index: a covariate, never the outcome"):
        notebooks.make_run(specs["politics_demographics"], {"measure": "agreement_287g_years"})
    with pytest.raises(ParameterError, match="not a known event; valid: .*lunn"):
        notebooks.make_run(specs["policy_timeline"], {"event": "moon_landing"})


def test_county_period_outside_the_records_fails_before_any_kernel_starts():
    spec = {s.id: s for s in notebooks.load_notebook_registry()}["county_profile"]
    with pytest.raises(ParameterError, match="outside what the data cover"):
        notebooks.make_run(spec, {"county": "Essex", "period_start": "2016-01-01"})
    with pytest.raises(ParameterError, match="not a Massachusetts county"):
        notebooks.make_run(spec, {"county": "Gotham"})


def test_county_parameter_accepts_names_and_fips():
    from ma_ice_coop.specs.parameters import validate_parameters

    spec = {"county": {"type": "county", "default": "Suffolk"}}
    assert validate_parameters(spec, {"county": "essex county"})["county"] == "Essex"
    assert validate_parameters(spec, {"county": "25019"})["county"] == "Nantucket"
    with pytest.raises(ParameterError, match="not a Massachusetts county; valid: Barnstable"):
        validate_parameters(spec, {"county": "Norfolk Island"})


def test_output_paths_encode_the_parameters():
    spec = {s.id: s for s in notebooks.load_notebook_registry()}["which_counties"]
    default = notebooks.make_run(spec, {})
    assert default.is_default and default.executed_path == spec.path
    assert default.html_path == REPO / "reports" / "which_counties.html"
    run = notebooks.make_run(spec, {"measure": "declined_share"})
    assert run.slug == "measure=declined_share"
    assert run.html_path == REPO / "reports" / "which_counties" / "measure=declined_share.html"
    # a parameter set equal to the defaults is the default run
    assert notebooks.make_run(spec, {"measure": "custody_share"}).is_default


def test_page_escapes_titles():
    page = pages.html_page("<script>alert(1)</script>", "<p>body</p>", home="index.html")
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def _tiny_project(root: Path, source: str) -> None:
    """A throw-away project with one notebook (test scaffolding, no data; the reference tables and CITATION.cff,
    which every page's footer reads, are the project's)."""
    (root / "notebooks").mkdir(parents=True)
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    shutil.copy2(REPO / "CITATION.cff", root / "CITATION.cff")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i}"
    nbformat.write(nb, root / "notebooks" / "tiny.ipynb")
    (root / "notebooks" / "registry.yaml").write_text(
        "notebooks:\n  - id: tiny\n    path: notebooks/tiny.ipynb\n    title: Tiny\n    kind: statewide\n"
        "    parameters:\n      x: {type: choice, choices: [1, 2], default: 1}\n    runs:\n      - {}\n      - {x: 2}\n"
    )


def test_failed_notebook_is_kept_and_nothing_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "project_root", lambda: tmp_path)
    _tiny_project(tmp_path, "assert x == 1, 'x must be 1'")
    run_ok, run_bad = notebooks.plan_runs()
    build.execute_run(run_ok)
    build.render_html(run_ok)
    assert run_ok.html_path.exists()
    previous = run_bad.html_path
    previous.parent.mkdir(parents=True, exist_ok=True)
    previous.write_text("earlier report")
    with pytest.raises(build.BuildError, match="(?s)tiny\\[x=2\\] failed.*x must be 1.*build/failed/tiny/x=2.ipynb"):
        build.execute_run(run_bad)
    assert (tmp_path / "build" / "failed" / "tiny" / "x=2.ipynb").exists()
    assert previous.read_text() == "earlier report"
    assert not run_bad.executed_path.exists()


def test_nbval_fails_when_an_input_changes(tmp_path):
    """Change what a committed notebook computes: nbval must notice that the outputs differ."""
    nb = nbformat.read(REPO / "notebooks" / "statewide" / "which_counties.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('"custody_share"', '"declined_share"')
    changed = tmp_path / "changed.ipynb"
    nbformat.write(nb, changed)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "-o",
            "addopts=",
            str(changed),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "failed" in result.stdout


def test_executed_notebook_has_no_volatile_metadata(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "project_root", lambda: tmp_path)
    _tiny_project(tmp_path, "print(x)")
    run = notebooks.plan_runs()[0]
    first = build.execute_run(run).read_bytes()
    second = build.execute_run(run).read_bytes()
    assert first == second
    doc = json.loads(first)
    assert "papermill" not in doc["metadata"]
    assert all("papermill" not in c["metadata"] and "execution" not in c["metadata"] for c in doc["cells"])


def test_cleaning_joins_printed_text_the_kernel_sent_in_pieces():
    """The kernel may split one cell's printing into several messages (timing): stored, it is one output."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('a'); print('b')", execution_count=7)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a"),
        nbformat.v4.new_output("stream", name="stdout", text="\nb\n"),
        nbformat.v4.new_output("stream", name="stderr", text="w\n"),
        nbformat.v4.new_output("stream", name="stdout", text="c\n"),
    ]
    nb.cells = [cell]
    build.clean_notebook(nb)
    stored = [(o.name, o.text) for o in nb.cells[0].outputs]
    assert stored == [("stdout", "a\nb\n"), ("stderr", "w\n"), ("stdout", "c\n")]
    assert nb.cells[0].execution_count == 1
