"""Self-checking exercises: a check says, in plain words, whether a student's answer is right and, if not, why.

A lab's check module (labs/checks/labN.py) defines one function per exercise with the `exercise` decorator.
The function compares the answers it is given with values it computes itself from the processed tables
(never with the lab's own cells) using the comparisons below, which raise `NotYet` with the reason. The
decorator turns that into a `Feedback`, the value a lab's check cell shows:

    ✓ Exercise 1.2: right. ...          the answer matches
    ✗ Exercise 1.2: not yet. ...         it does not, and why (never the expected value itself)
    … Exercise 1.2: not answered yet. ...  the cell still holds the `...` stub of the student version
    – Exercise 1.2: cannot be checked with these parameters. ...  (raised as `CannotCheck`: no right answer
      exists for this run's parameters, e.g. a covariate the panel lacks for the year)

so the student version runs top to bottom without an error.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

RIGHT, NOT_YET, NOT_ANSWERED = "right", "not yet", "not answered yet"
CANNOT_CHECK = "cannot be checked with these parameters"
MARKS = {RIGHT: "✓", NOT_YET: "✗", NOT_ANSWERED: "…", CANNOT_CHECK: "–"}
STUB_ADVICE = "Replace each ... in the your-turn cell above with your answer, run that cell, then run this one again."


class NotYet(Exception):
    """An answer is not right; the message says why, in words a student can act on."""


class CannotCheck(Exception):
    """The exercise has no right answer with the lab's parameters (a covariate missing for the year, a model the
    data cannot support); the message says why and what to change. Not the student's mistake."""


@dataclass(frozen=True)
class Feedback:
    """The result of one check: shown as one line of text; true only when the answer is right."""

    exercise: str
    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == RIGHT

    def __str__(self) -> str:
        return f"{MARKS[self.status]} Exercise {self.exercise}: {self.status}. {self.message}".strip()

    __repr__ = __str__


@dataclass(frozen=True)
class Example:
    """An answer a test gives a check (tests/test_labs.py): `right` says whether the check must accept it, `says`
    words its feedback must contain (for a wrong answer: the helpful part of the message)."""

    exercise: str
    answers: tuple
    right: bool
    says: str = ""


def unanswered(value) -> bool:
    """True for the student version's stub (`...`) and for None."""
    return value is Ellipsis or value is None


def exercise(number: str, *, right: str):
    """Make `check(*answers)` return a Feedback for exercise `number` ('1.2'); `right` is what a right answer
    shows (the check may return more words to add). Any stub answer means 'not answered yet'; an answer the
    check cannot even read (a wrong type, say) is 'not yet', with the reason, rather than an error."""

    def wrap(check):
        names = list(inspect.signature(check).parameters)

        @functools.wraps(check)
        def run(*answers) -> Feedback:
            if len(answers) != len(names):
                return Feedback(number, NOT_YET, f"this check takes {len(names)} answer(s): {', '.join(names)}.")
            if any(unanswered(answer) for answer in answers):
                return Feedback(number, NOT_ANSWERED, STUB_ADVICE)
            try:
                extra = check(*answers)
            except NotYet as reason:
                return Feedback(number, NOT_YET, str(reason))
            except CannotCheck as reason:
                return Feedback(number, CANNOT_CHECK, str(reason))
            except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
                return Feedback(number, NOT_YET, f"your answer could not be checked ({type(error).__name__}: {error}).")
            return Feedback(number, RIGHT, f"{right} {extra or ''}".strip())

        run.exercise = number
        run.answer_names = names
        return run

    return wrap


def checks_in(namespace: dict) -> dict:
    """The exercise checks defined in a module namespace, by exercise number (for tests and the guide)."""
    found = {value.exercise: value for value in namespace.values() if callable(value) and hasattr(value, "exercise")}
    return dict(sorted(found.items(), key=lambda item: [int(part) for part in item[0].split(".")]))


# ----------------------------------------------------------------------------- comparisons (raise NotYet)


def is_nan(value) -> bool:
    """True for a NaN number (the answer "no share: nothing to divide"); False for anything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)


def same(answer, target, rel: float = 1e-3, abs_tol: float = 1e-9) -> bool:
    """Answer and target (numbers, or tuples of numbers) agree within `rel` (and `abs_tol`); False for anything
    unreadable (a Series, text, True/False: the comparisons below say what is wrong with those)."""
    if isinstance(answer, pd.Series | pd.DataFrame | bool | str):
        return False
    try:
        a, t = np.atleast_1d(np.asarray(answer, dtype=float)), np.atleast_1d(np.asarray(target, dtype=float))
    except (TypeError, ValueError):
        return False
    if a.shape != t.shape:
        return False
    return all(math.isclose(x, y, rel_tol=rel, abs_tol=abs_tol) for x, y in zip(a, t, strict=True))


def known_mistake(answer, mistakes, right, rel: float = 1e-3, abs_tol: float = 1e-9) -> None:
    """Raise NotYet with the reason of the first (reason, value) in `mistakes` that the answer equals, unless the
    right answer equals that value too (then the slip cannot be told from the right answer)."""
    for reason, value in mistakes:
        if same(answer, value, rel, abs_tol) and not same(value, right, rel, abs_tol):
            raise NotYet(reason)


def _type_name(value) -> str:
    return "a pandas Series" if isinstance(value, pd.Series) else f"a {type(value).__name__}"


def _as_number(answer, what: str) -> float:
    if isinstance(answer, pd.Series | pd.DataFrame) and answer.size == 1:
        raise NotYet(f"{what} should be one number, not {_type_name(answer)} holding one: take it out with .item().")
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise NotYet(f"{what} should be one number; you gave {_type_name(answer)}.")
    if not math.isfinite(float(answer)):
        raise NotYet(f"{what} is {answer}: a missing or infinite value. Check for a division by zero or a blank.")
    return float(answer)


def number(answer, expected: float, *, what: str, rel: float = 1e-3, share: bool = False, hint: str = "") -> None:
    """`answer` is one number within `rel` (relative) of `expected`. For a share (0-1), an answer that is the
    share in per cent is named as such."""
    value = _as_number(answer, what)
    if math.isclose(value, expected, rel_tol=rel, abs_tol=rel * 1e-3):
        return
    if share and math.isclose(value, 100 * expected, rel_tol=rel):
        raise NotYet(f"{what} looks like a percentage ({value:g}); give it as a share between 0 and 1.")
    side = "too high" if value > expected else "too low"
    raise NotYet(f"{what} is {value:.4g}, which is {side}. {hint}".strip())


def count(answer, expected: int, *, what: str, hint: str = "") -> None:
    """`answer` is a whole number equal to `expected`."""
    value = _as_number(answer, what)
    if value != int(value):
        raise NotYet(f"{what} is a count, a whole number; you gave {value:g}.")
    if int(value) != int(expected):
        side = "too many" if value > expected else "too few"
        raise NotYet(f"{what} is {int(value):,}: {side}. {hint}".strip())


def series(answer, expected: pd.Series, *, what: str, rel: float = 1e-3, hint: str = "") -> None:
    """`answer` is a Series with the same labels as `expected` (in any order) and values within `rel`."""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        raise NotYet(f"{what} should be a Series; you gave a one-column DataFrame: select its column.")
    if not isinstance(answer, pd.Series):
        raise NotYet(f"{what} should be a pandas Series (one value per label); you gave {_type_name(answer)}.")
    missing = [str(label) for label in expected.index if label not in answer.index]
    extra = [str(label) for label in answer.index if label not in expected.index]
    if missing or extra:
        parts = [f"missing {', '.join(missing[:5])}"] * bool(missing) + [f"extra {', '.join(extra[:5])}"] * bool(extra)
        raise NotYet(f"{what} has the wrong labels ({'; '.join(parts)}). {hint}".strip())
    got = pd.to_numeric(answer.reindex(expected.index), errors="coerce").astype(float)
    want = expected.astype(float)
    wrong = [str(i) for i in expected.index if not math.isclose(got[i], want[i], rel_tol=rel, abs_tol=1e-9)]
    if wrong:
        raise NotYet(f"{what} has the right labels but not the right values for {', '.join(wrong[:5])}. {hint}".strip())


def choice(answer, options: dict[str, str | None], *, what: str) -> None:
    """A multiple-choice answer: `options` maps each option to None (right) or to why it is not right."""
    key = str(answer).strip().lower()
    known = {str(option).lower(): reason for option, reason in options.items()}
    if key not in known:
        raise NotYet(f"{what}: answer one of {', '.join(repr(o) for o in options)}; you gave {answer!r}.")
    if known[key] is not None:
        raise NotYet(known[key])
