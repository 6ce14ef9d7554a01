"""The machinery of the labs, on small cases written here: the checks' comparisons and messages, the student
version's stubs, the registry's student entries and the guide page's links."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from ma_ice_coop.build import labs as build_labs
from ma_ice_coop.errors import ParameterError, ProjectError
from ma_ice_coop.labs import checking
from ma_ice_coop.labs.student import assigned_names, one_folder_deeper, stub_source, student_notebook
from ma_ice_coop.specs import notebooks

REPO = Path(__file__).resolve().parents[1]


@checking.exercise("9.1", right="That is the share.")
def share_check(share):
    checking.number(share, 0.25, what="The share", share=True, hint="Divide custody by all detainers.")


@checking.exercise("9.2", right="Those are the counts.")
def counts_check(counts):
    checking.series(counts, pd.Series({"sheriff": 3, "police": 1}), what="The counts")


@checking.exercise("9.4", right="Fine.")
def parameter_check(year):
    if year < 2010:
        raise checking.CannotCheck("no value before 2010: rerun with a later year.")


def test_a_check_with_no_right_answer_for_the_parameters_says_so_and_is_not_a_mistake():
    feedback = parameter_check(2005)
    assert feedback.status == checking.CANNOT_CHECK and not feedback
    assert (
        str(feedback)
        == "– Exercise 9.4: cannot be checked with these parameters. no value before 2010: rerun with a later year."
    )
    assert parameter_check(2016)


@checking.exercise("9.3", right="Yes.")
def choice_check(answer):
    checking.choice(answer, {"a": None, "b": "No: b counts state prisons."}, what="Your choice")


@pytest.mark.parametrize(
    "answer, status, words",
    [
        (0.25, checking.RIGHT, "That is the share."),
        (25.0, checking.NOT_YET, "percentage"),
        (0.5, checking.NOT_YET, "too high"),
        (0.1, checking.NOT_YET, "Divide custody"),
        (pd.Series([0.25]), checking.NOT_YET, ".item()"),
        ("0.25", checking.NOT_YET, "one number"),
        (True, checking.NOT_YET, "one number"),
        (float("nan"), checking.NOT_YET, "missing"),
        (..., checking.NOT_ANSWERED, "Replace each ..."),
    ],
)
def test_number_checks_explain_the_mistake(answer, status, words):
    feedback = share_check(answer)
    assert feedback.status == status and words in str(feedback)
    assert bool(feedback) == (status == checking.RIGHT)
    assert str(feedback).startswith(checking.MARKS[status] + " Exercise 9.1")
    assert "0.25" not in feedback.message or status == checking.NOT_YET and answer == "0.25"


def test_series_checks_name_missing_and_extra_labels_and_wrong_values():
    assert counts_check(pd.Series({"police": 1, "sheriff": 3}))  # any order
    assert "missing police" in str(counts_check(pd.Series({"sheriff": 3})))
    assert "extra ice" in str(counts_check(pd.Series({"sheriff": 3, "police": 1, "ice": 1})))
    assert "values for sheriff" in str(counts_check(pd.Series({"sheriff": 4, "police": 1})))
    assert "one-column DataFrame" in str(counts_check(pd.DataFrame({"n": [3, 1]}, index=["sheriff", "police"])))
    assert "pandas Series" in str(counts_check([3, 1]))


def test_choice_checks_give_the_reason_for_each_wrong_option():
    assert choice_check(" A ")
    assert "state prisons" in str(choice_check("b"))
    assert "answer one of 'a', 'b'" in str(choice_check("c"))


def test_a_check_given_the_wrong_number_of_answers_says_so():
    assert "takes 1 answer(s): share" in str(share_check(0.25, 0.3))
    assert checking.checks_in(globals()) == {
        "9.1": share_check,
        "9.2": counts_check,
        "9.3": choice_check,
        "9.4": parameter_check,
    }


def test_a_solution_cell_becomes_a_stub_with_its_instructions():
    source = (
        "# Count the detainers by operator type.\n# Hint: value_counts.\nby_operator = df['op'].value_counts()\n"
        "n, k = 3, 1"
    )
    assert assigned_names(source) == ["by_operator", "n", "k"]
    assert stub_source(source) == (
        "# Count the detainers by operator type.\n# Hint: value_counts.\n"
        "by_operator = ...  # your answer\nn = ...  # your answer\nk = ...  # your answer"
    )
    with pytest.raises(ValueError, match="assigns none"):
        stub_source("# nothing\nprint(1)")


def test_the_student_versions_links_point_one_folder_up():
    text = "[a](../../reports/a.html) [b](https://x.org/b) [c](#c) [d](/d) ![e](e.png) [f](mailto:f@x.org)"
    assert one_folder_deeper(text) == (
        "[a](../../../reports/a.html) [b](https://x.org/b) [c](#c) [d](/d) ![e](../e.png) [f](mailto:f@x.org)"
    )


def test_the_student_notebook_drops_worked_answers_and_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Lab 9\n\nLearning goals"),
        nbformat.v4.new_code_cell("# Compute it.\nx = 1", metadata={"tags": ["solution"]}, execution_count=3),
        nbformat.v4.new_code_cell("check.exercise_1(x)", execution_count=4),
        nbformat.v4.new_markdown_cell("Because ...", metadata={"tags": ["solution"]}),
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="✓")]
    student = student_notebook(nb)
    assert [c.cell_type for c in student.cells] == ["markdown", "code", "code"]
    assert "Student version" in student.cells[0].source
    assert student.cells[1].source == "# Compute it.\nx = ...  # your answer"
    assert student.cells[1].metadata["tags"] == ["your-turn"]
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert nb.cells[2].outputs, "the solution notebook is not changed"


def test_a_student_entry_takes_its_labs_title_and_parameters(tmp_path, monkeypatch):
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        "notebooks:\n"
        "  - {id: lab9, path: a.ipynb, title: Lab 9, kind: lab, parameters: {county: {type: county, default: Essex}},"
        " runs: [{}]}\n"
        "  - {id: lab9_student, path: s/a.ipynb, generated_from: lab9, runs: [{}]}\n"
    )
    lab, student = notebooks.load_notebook_registry(registry)
    assert (student.title, student.kind, student.parameters) == ("Lab 9 (student version)", "lab", lab.parameters)
    assert student.shows_code and student.generated_from == "lab9"
    registry.write_text("notebooks:\n  - {id: s, path: s.ipynb, generated_from: nothing, runs: [{}]}\n")
    with pytest.raises(ProjectError, match="generated_from 'nothing' is not a lab"):
        notebooks.load_notebook_registry(registry)


def test_the_guide_page_links_the_lab_reports_not_the_notebooks():
    html = build_labs.guide_html()
    assert "student/lab1_cooperation.html" in html and "lab1_cooperation.ipynb" not in html
    assert build_labs.binder_url(build_labs.GUIDE_FILE).startswith("https://mybinder.org/v2/gh/")


def test_grading_runs_a_copy_and_lists_every_check(tmp_path):
    """A submission with one wrong answer and one cell that raises: the other checks still run and are listed."""
    from ma_ice_coop.build.grading import NO_FEEDBACK, grade_notebooks  # here: it runs a kernel

    solution = REPO / "notebooks" / "labs" / "lab1_cooperation.ipynb"
    nb = nbformat.read(solution, as_version=4)
    answers = [cell for cell in nb.cells if "solution" in cell.metadata.get("tags", [])]
    answers[0].source = "by_operator = detainers['operator_type'].value_counts(normalize=True)"
    answers[1].source = "raise RuntimeError('a broken cell')"
    submitted = tmp_path / "alice.ipynb"
    nbformat.write(nb, submitted)
    before = submitted.read_bytes()
    out = io.StringIO()
    (grade,) = grade_notebooks([submitted], out=out)
    statuses = [status for _, status, _ in grade.checks]
    assert statuses[0] == checking.NOT_YET and statuses[1] == NO_FEEDBACK
    assert statuses[2:] == [checking.RIGHT] * (len(statuses) - 2)
    assert grade.errors and "RuntimeError: a broken cell" in grade.errors[0]
    assert f"{len(statuses) - 2} of {len(statuses)} right, 1 not yet" in out.getvalue()
    assert submitted.read_bytes() == before, "the submitted file is never changed"
    with pytest.raises(ParameterError, match="no such notebook"):
        grade_notebooks([tmp_path / "bob.ipynb"])


def test_the_build_writes_a_student_version_only_when_it_would_say_something_else(tmp_path, monkeypatch):
    from ma_ice_coop import config  # here: the project root is redirected for this test only

    (tmp_path / "notebooks" / "labs").mkdir(parents=True)
    (tmp_path / "notebooks" / "registry.yaml").write_text(
        "notebooks:\n"
        "  - {id: lab9, path: notebooks/labs/lab9.ipynb, title: Lab 9, kind: lab, runs: [{}]}\n"
        "  - {id: lab9_student, path: notebooks/labs/student/lab9.ipynb, generated_from: lab9, runs: [{}]}\n"
    )
    solution = nbformat.v4.new_notebook()
    solution.cells = [
        nbformat.v4.new_markdown_cell("# Lab 9\n\nLearning goals"),
        nbformat.v4.new_code_cell("# Compute it.\nx = 1", metadata={"tags": ["solution"]}),
    ]
    nbformat.write(solution, tmp_path / "notebooks" / "labs" / "lab9.ipynb")
    monkeypatch.setattr(config, "project_root", lambda: tmp_path)
    student = tmp_path / "notebooks" / "labs" / "student" / "lab9.ipynb"
    out = io.StringIO()
    assert build_labs.write_student_versions(out=out) == [student] and "student version" in out.getvalue()
    assert "x = ...  # your answer" in student.read_text(encoding="utf-8")
    assert build_labs.write_student_versions(out=out) == [], "nothing to write when it already says the same"
    solution.cells[1].source = "# Compute it twice.\nx = 2"
    nbformat.write(solution, tmp_path / "notebooks" / "labs" / "lab9.ipynb")
    assert build_labs.write_student_versions(["lab9_student"], out=out) == [student]
    assert build_labs.write_student_versions(["lab9"], out=out) == [], "only the notebooks asked for"


def test_a_known_mistake_is_named_unless_the_right_answer_looks_the_same():
    mistakes = [("You divided by the resolved detainers.", 0.6), ("That is a tuple of shares.", (0.1, 0.2))]
    with pytest.raises(checking.NotYet, match="resolved"):
        checking.known_mistake(0.6001, mistakes, right=0.2)
    with pytest.raises(checking.NotYet, match="tuple"):
        checking.known_mistake((0.1, 0.2), mistakes, right=0.2)
    checking.known_mistake(0.6, mistakes, right=0.6)  # the right answer equals the slip: nothing to say
    checking.known_mistake(pd.Series([0.6]), mistakes, right=0.2)  # unreadable: number() says what is wrong
    assert not checking.same(1e-12, 7e-10, abs_tol=0) and checking.same(1e-12, 7e-10)
    assert checking.is_nan(float("nan")) and not checking.is_nan(None) and not checking.is_nan(0.0)
