"""The teaching labs: each solution notebook has a student version in step with it; every check accepts the right
answers, turns down wrong ones with a helpful message and says "not answered yet" to the stub; lab cells are short
and never reach into views/; the Binder environment pins what requirements.lock pins."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import nbformat
import pytest

from ma_ice_coop import cli
from ma_ice_coop.build.labs import binder_url
from ma_ice_coop.labs.checking import NOT_ANSWERED, RIGHT, checks_in
from ma_ice_coop.labs.student import (
    CHECK_CALL,
    SOLUTION_TAG,
    YOUR_TURN_TAG,
    cell_sources,
    check_cells,
    student_notebook,
)
from ma_ice_coop.specs.notebooks import load_notebook_registry

REPO = Path(__file__).resolve().parents[1]
SPECS = load_notebook_registry()
LABS = [spec for spec in SPECS if spec.shows_code and not spec.generated_from]
STUDENTS = {spec.generated_from: spec for spec in SPECS if spec.generated_from}
MAX_CELL_LINES = 15


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _check_module(lab):
    """The lab's check module, from the setup cell's `from ma_ice_coop.labs.checks import labN as check`."""
    for cell in _read(lab.path).cells:
        found = re.search(r"from ma_ice_coop\.labs\.checks import (\w+) as check", cell.source)
        if found:
            return importlib.import_module(f"ma_ice_coop.labs.checks.{found.group(1)}")
    raise AssertionError(f"{lab.id}: no `from ma_ice_coop.labs.checks import labN as check` cell")


def _shown(cell) -> str:
    return "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "") for output in cell.get("outputs", [])
    )


def test_there_are_labs_and_each_has_a_student_version():
    assert len(LABS) >= 4
    assert sorted(STUDENTS) == sorted(lab.id for lab in LABS)
    for lab in LABS:
        student = STUDENTS[lab.id]
        assert student.path.parent == lab.path.parent / "student" and student.path.name == lab.path.name
        assert student.parameters == lab.parameters and student.kind == lab.kind


@pytest.mark.parametrize("lab", LABS, ids=lambda spec: spec.id)
def test_the_student_version_is_made_from_the_solution(lab):
    """The committed student version says what the solution's student version says (run `make all` after
    editing a lab: the build writes it)."""
    student = _read(STUDENTS[lab.id].path)
    assert cell_sources(student) == cell_sources(student_notebook(_read(lab.path))), "run `make all` to refresh it"
    assert not [c for c in student.cells if SOLUTION_TAG in c.metadata.get("tags", [])]
    assert [c for c in student.cells if YOUR_TURN_TAG in c.metadata.get("tags", [])]


@pytest.mark.parametrize("lab", LABS, ids=lambda spec: spec.id)
def test_a_lab_opens_with_goals_has_three_to_five_exercises_and_closes_with_questions(lab):
    nb = _read(lab.path)
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    assert markdown[0].startswith("# Lab") and "goals" in markdown[0].lower()
    assert "discussion" in " ".join(markdown[-2:]).lower()
    answers = [c for c in nb.cells if c.cell_type == "code" and SOLUTION_TAG in c.metadata.get("tags", [])]
    assert 3 <= len(answers) <= 5
    called = [CHECK_CALL.search(cell.source).group(1) for cell in check_cells(nb)]
    defined = {check.__name__ for check in checks_in(vars(_check_module(lab))).values()}
    assert sorted(called) == sorted(defined), "every check is used once, and every check cell calls a check"
    assert len(called) >= len(answers)


@pytest.mark.parametrize("spec", LABS + list(STUDENTS.values()), ids=lambda spec: spec.id)
def test_lab_cells_are_short_and_never_reach_into_views(spec):
    for cell in _read(spec.path).cells:
        lines = cell.source.splitlines()
        assert len(lines) <= MAX_CELL_LINES, f"cell {cell.get('id')} has {len(lines)} lines: split it"
        if cell.cell_type == "code":
            assert "ma_ice_coop.views" not in cell.source and "import views" not in cell.source


@pytest.mark.parametrize("lab", LABS, ids=lambda spec: spec.id)
def test_every_lab_figure_has_alt_text(lab):
    """A figure cell's `alt` metadata becomes the image's alt text in the report (nbconvert reads it)."""
    for cell in _read(lab.path).cells:
        if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.outputs):
            assert len(cell.metadata.get("alt", "")) > 40, f"figure cell {cell.get('id')} needs `alt` metadata"


@pytest.mark.parametrize("lab", LABS, ids=lambda spec: spec.id)
def test_the_solution_passes_every_check_and_the_student_version_is_not_answered_yet(lab):
    for cell in check_cells(_read(lab.path)):
        assert _shown(cell).startswith("✓"), f"{cell.source!r} shows {_shown(cell)!r}"
    for cell in check_cells(_read(STUDENTS[lab.id].path)):
        assert NOT_ANSWERED in _shown(cell), f"{cell.source!r} shows {_shown(cell)!r}"


def _examples():
    for lab in LABS:
        module = _check_module(lab)
        for number, example in enumerate(module.examples()):
            yield pytest.param(module, example, id=f"{lab.id}-{example.exercise}-{number}")


@pytest.mark.parametrize("module, example", list(_examples()))
def test_every_check_accepts_right_answers_and_explains_wrong_ones(module, example):
    feedback = checks_in(vars(module))[example.exercise](*example.answers)
    assert bool(feedback) == example.right, str(feedback)
    assert example.says.lower() in str(feedback).lower(), str(feedback)
    if not example.right:
        assert feedback.status != RIGHT and len(feedback.message) > 20, "a wrong answer is told why"


@pytest.mark.parametrize("lab", LABS, ids=lambda spec: spec.id)
def test_every_check_has_right_and_wrong_examples_and_waits_for_a_stub(lab):
    module = _check_module(lab)
    examples = module.examples()
    for number, check in checks_in(vars(module)).items():
        mine = [e for e in examples if e.exercise == number]
        assert any(e.right for e in mine) and sum(not e.right for e in mine) >= 2, number
        stub = check(*[...] * len(check.answer_names))
        assert stub.status == NOT_ANSWERED and "..." in stub.message


# ----------------------------------------------------------------------------- Binder


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        name, sep, version = line.strip().removeprefix("- ").partition("==")
        if sep:
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_pins_the_versions_of_requirements_lock():
    binder = (REPO / "binder" / "environment.yml").read_text(encoding="utf-8")
    lock = [line for line in (REPO / "requirements.lock").read_text().splitlines() if not line.startswith("#")]
    assert _pins(binder.splitlines()) == _pins(lock)
    python = re.compile(r"^\s*- python=(\S+)$", re.MULTILINE)
    assert python.findall(binder) == python.findall((REPO / "environment.yml").read_text(encoding="utf-8"))


def test_binder_post_build_calls_commands_that_exist():
    post_build = REPO / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    commands = [shlex.split(line) for line in post_build.read_text().splitlines() if line and not line[0] == "#"]
    ma_ice = [words[1:] for words in commands if words[0] == "ma-ice"]
    assert ma_ice, "postBuild fetches and processes the data with ma-ice"
    for words in ma_ice:
        cli._parser().parse_args(words)  # exits (SystemExit) on an unknown command or option
    assert ["python", "-m", "pip", "install", "--no-deps", "-e", "."] in commands


def test_the_launch_buttons_open_the_student_versions():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    guide = (REPO / "notebooks" / "labs" / "README.md").read_text(encoding="utf-8")
    for lab in LABS:
        student = STUDENTS[lab.id].path.relative_to(REPO)
        assert f"]({binder_url(student)})" in readme, f"README: no launch link for {student}"
        assert f"student/{student.name}" in guide, f"the guide does not link {student}"


# ----------------------------------------------------------------------------- the rendered pages


@pytest.mark.parametrize("spec", LABS + list(STUDENTS.values()), ids=lambda spec: spec.id)
def test_a_lab_page_shows_its_code_its_launch_button_and_its_other_version(spec):
    from ma_ice_coop.specs.notebooks import make_run  # here: only these tests need a run's paths

    page = make_run(spec, {}).html_path
    text = page.read_text(encoding="utf-8")
    student = spec if spec.generated_from else STUDENTS[spec.id]
    other = next(s for s in SPECS if s.id == spec.generated_from) if spec.generated_from else student
    assert 'class="input_area"' in text, "a lab page shows its code"
    assert binder_url(student.path.relative_to(REPO)).replace("&", "&amp;") in text
    targets = {(page.parent / href).resolve() for href in re.findall(r'href="([^"#:]+)"', text)}
    assert make_run(other, {}).html_path in targets, f"{page.name} links its other version"
    assert REPO / "reports" / "labs" / "guide.html" in targets


def test_the_guide_is_on_the_site_with_a_plan_for_every_lab():
    page = (REPO / "reports" / "labs" / "guide.html").read_text(encoding="utf-8")
    for lab in LABS:
        assert f'href="{lab.path.stem}.html"' in page and f'href="student/{lab.path.stem}.html"' in page
        assert lab.title.split(":")[0] in page
    assert "90 minutes" in page or "90-minute" in page
