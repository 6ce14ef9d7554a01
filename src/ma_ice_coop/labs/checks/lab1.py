"""Checks for Lab 1, "What does cooperation mean?" (notebooks/labs/lab1_cooperation.ipynb).

Every expected value is computed here from the processed detainers table (read_processed("detainers"): the NPR
FY2015 ICE detainer records, 2014-10-01..2015-07-19) through the project's own functions
(analysis.detainer_measures.detainers_in_period and detainer_counts, the ones behind the custody_share and
custody_share_resolved rows of reports/data/county_measures.csv), never from the lab's cells. Counts are
detainers; shares are between 0 and 1.
"""

from __future__ import annotations

import math
import numbers
from functools import lru_cache

import pandas as pd

from ma_ice_coop.labs.checking import Example, NotYet, choice, count, exercise, is_nan, known_mistake, number, series

POOL_NOTE = (
    "It is the state pool of the counties' custody_share rows in reports/data/county_measures.csv (numerators "
    "summed over denominators summed), the pool the project's reports compare each county with."
)
COUNTY_NOTE = (
    "These are the county's custody_share and custody_share_resolved rows in reports/data/county_measures.csv; "
    "where a denominator is 0 there is no share, and saying so is the right answer."
)


@lru_cache(maxsize=1)
def _tables() -> tuple[pd.DataFrame, int]:
    """(detainers at Massachusetts facilities over the records' whole coverage, national row count)."""
    from ma_ice_coop.analysis.definitions import FY2015_DETAINERS  # lazy: keeps `import lab1` cheap in the lab
    from ma_ice_coop.analysis.detainer_measures import detainers_in_period  # lazy: imports scipy
    from ma_ice_coop.io import read_processed  # lazy, as above

    national = read_processed("detainers")
    return detainers_in_period(national, FY2015_DETAINERS), len(national)


def _counts(key: str, operator: str | None = None) -> pd.DataFrame:
    """detainer_counts per `key` (all, custody, declined, unresolved, resolved ...), optionally one operator type."""
    from ma_ice_coop.analysis.detainer_measures import detainer_counts  # lazy: imports scipy

    ma = _tables()[0]
    return detainer_counts(ma if operator is None else ma[ma["operator_type"] == operator], key)


@lru_cache(maxsize=1)
def expected_1() -> pd.Series:
    """Exercise 1.1: detainers at Massachusetts facilities per operator_type (count of detainers), largest first."""
    return _counts("operator_type")["all"].sort_values(ascending=False).rename("detainers")


@lru_cache(maxsize=1)
def expected_2() -> dict:
    """Exercise 1.2: sheriff-run facilities statewide: n (all detainers), custody, resolved; share = custody / n."""
    row = _counts("operator_type", "sheriff").loc["sheriff"]
    return {
        "n": int(row["all"]),
        "custody": int(row["custody"]),
        "resolved": int(row["resolved"]),
        "declined": int(row["declined"]),
        "share": row["custody"] / row["all"],
    }


@lru_cache(maxsize=16)
def expected_3(county: str) -> dict:
    """Exercise 1.3 for one county's sheriff (sheriff_county_fips): custody, n, resolved (detainers) and the
    custody share of all and of resolved detainers (NaN where the denominator is 0); also `located`, the
    detainers at every facility standing in the county (county_fips), the count a student should not give."""
    from ma_ice_coop.tables.reference import load_counties  # lazy: only exercise 1.3 needs the county table

    names = load_counties().set_index("county")["county_fips"]
    if county not in names.index:
        raise NotYet(f"county is {county!r}: use one of {', '.join(names.index)}.")
    fips = names[county]
    row = _counts("sheriff_county_fips", "sheriff").reindex([fips], fill_value=0).iloc[0]
    custody, n, resolved = int(row["custody"]), int(row["all"]), int(row["resolved"])
    return {
        "custody": custody,
        "n": n,
        "resolved": resolved,
        "declined": int(row["declined"]),
        "share": custody / n if n else math.nan,
        "share_resolved": custody / resolved if resolved else math.nan,
        "located": int((_tables()[0]["county_fips"] == fips).sum()),
    }


# ----------------------------------------------------------------------------- exercise 1.1


def _operator_mistakes(by_operator: pd.Series) -> None:
    """Name the likely mistakes of exercise 1.1 before the generic Series comparison."""
    want = expected_1()
    values = pd.to_numeric(by_operator, errors="coerce")
    if by_operator.index.isna().any() or math.isclose(values.sum(), _tables()[1]):
        raise NotYet(
            "you counted every detainer in the country: keep only Massachusetts facilities (facility_state is "
            "MASSACHUSETTS)."
        )
    if math.isclose(values.sum(), 1.0, rel_tol=1e-6):
        raise NotYet("these are shares that add up to 1 (normalize=True?): the exercise asks for counts of detainers.")
    if set(by_operator.index) & set(_tables()[0]["facility_id"].dropna()):
        raise NotYet("your labels are facilities: count per operator_type (who runs the facility), not per facility.")
    if set(by_operator.index) < set(want.index):
        raise NotYet("you kept only some operator types: count every Massachusetts detainer, one value per type.")
    facilities = _tables()[0].groupby("operator_type")["facility_id"].nunique()
    if values.reindex(facilities.index).fillna(-1).astype(float).tolist() == facilities.astype(float).tolist():
        raise NotYet("you counted facilities (nunique): count detainers, one per row of the table.")


@exercise("1.1", right="Detainers at Massachusetts facilities, counted by who runs the facility.")
def exercise_1(by_operator):
    """by_operator: a Series, detainers (count) per operator_type, Massachusetts facilities only."""
    if isinstance(by_operator, pd.DataFrame) and by_operator.shape[1] > 1:
        raise NotYet(
            "by_operator should be a Series; you gave a table with several columns (groupby(...).count() counts "
            "the filled-in cells of every column): use .size() or value_counts()."
        )
    if isinstance(by_operator, pd.Series):
        _operator_mistakes(by_operator)
    series(by_operator, expected_1(), what="by_operator")
    return "Not all go to sheriffs: the others go to agencies no sheriff runs, measured apart from any county."


# ----------------------------------------------------------------------------- exercise 1.2


@exercise("1.2", right="The custody share of all detainers at sheriff-run facilities statewide.")
def exercise_2(state_n, state_share):
    """state_n: detainers at sheriff-run facilities (count); state_share: custody / state_n (0-1)."""
    want, ma = expected_2(), _tables()[0]
    wrong_n = {
        len(ma): "state_n counts every Massachusetts facility: keep only sheriff-run ones (operator_type 'sheriff').",
        _tables()[1]: "state_n counts every detainer in the country: keep only sheriff-run Massachusetts facilities.",
        want["resolved"]: "state_n leaves out the blank (unresolved) outcomes: this exercise divides by all detainers.",
    }
    if isinstance(state_n, numbers.Real) and state_n != want["n"] and state_n in wrong_n:
        raise NotYet(wrong_n[state_n])
    count(state_n, want["n"], what="state_n", hint="Count the rows whose operator_type is 'sheriff'.")
    shares = {
        (ma["outcome"] == "custody").mean(): "state_share is the share at every Massachusetts facility: keep only "
        "sheriff-run ones.",
        want["custody"] / want["resolved"]: "state_share divides by resolved detainers only: this exercise divides "
        "by all detainers, blank outcomes included.",
        want["declined"] / want["n"]: "state_share counts declines: the custody share counts outcome 'custody'.",
    }
    known_mistake(state_share, [(reason, value) for value, reason in shares.items()], want["share"])
    number(state_share, want["share"], what="state_share", share=True)
    return POOL_NOTE


# ----------------------------------------------------------------------------- exercise 1.3


def _share(answer, expected: float, *, what: str, denominator: str, other: float) -> None:
    """A share that may not exist (NaN when its denominator is 0); `other` is the other definition's value."""
    if math.isnan(expected):
        if is_nan(answer):
            return
        raise NotYet(
            f"{denominator} is 0, so there is nothing to divide and no share: set {what} to np.nan. A 0 would say "
            "ICE never took custody, which these records do not say."
        )
    if is_nan(answer):
        raise NotYet(f"{what} is NaN, but {denominator} is not 0: there is a share to compute.")
    known_mistake(
        answer, [(f"{what} has the other definition's value: check which denominator it divides by.", other)], expected
    )
    number(answer, expected, what=what, share=True)


@exercise("1.3", right="The custody share of this sheriff's detainers, by both definitions.")
def exercise_3(county, county_custody, county_n, county_n_resolved, county_share, county_share_resolved):
    """For the sheriff of `county`: custody, all and resolved detainers (counts); the custody share of all and
    of resolved detainers (0-1, np.nan when the denominator is 0)."""
    want = expected_3(str(county))
    if isinstance(county_n, numbers.Real) and county_n == want["located"] != want["n"]:
        raise NotYet(
            "county_n counts the detainers at every facility located in the county (county_fips), state prisons, "
            "police and federal sites included: a sheriff's detainers are those with the county's sheriff_county_fips."
        )
    count(county_custody, want["custody"], what="county_custody", hint="Count the outcome 'custody'.")
    count(county_n, want["n"], what="county_n")
    if isinstance(county_n_resolved, numbers.Real) and county_n_resolved == want["n"] != want["resolved"]:
        raise NotYet("county_n_resolved still includes the blank outcomes: leave out outcome 'unresolved'.")
    count(county_n_resolved, want["resolved"], what="county_n_resolved")
    _share(county_share, want["share"], what="county_share", denominator="county_n", other=want["share_resolved"])
    _share(
        county_share_resolved,
        want["share_resolved"],
        what="county_share_resolved",
        denominator="county_n_resolved",
        other=want["share"],
    )
    return COUNTY_NOTE


# ----------------------------------------------------------------------------- exercises 1.4 and 1.5

PRISON_OPTIONS = {
    "a": "No: the state prisons have recorded outcomes too (see the worked example), and a blank is counted, "
    "never a reason to leave a facility out. They are left out because of who decides, not because of outcomes.",
    "b": None,
    "c": "No: several state prisons stand in a county with its own sheriff (MCI-Norfolk is in Norfolk County: "
    "look at its county_fips). Where a facility stands is not the rule; who runs it is.",
    "d": "No: nothing in these records says that, and the state prisons' custody share is not 1. The rule is "
    "about who decides, not about who is held.",
}

BLANK_OPTIONS = {
    "a": "No: a decline is a recorded lift reason of its own ('Detainer Declined by LEA'). A blank is a detainer "
    "with no ending recorded; counting blanks as declines invents declines.",
    "b": "No: dropping the blanks is a choice, not a neutral fix. It assumes they ended like the recorded ones, "
    "and it hides how much is unknown; report both shares and the number of blanks.",
    "c": None,
    "d": "No: nothing in the records says what a blank hides; assuming custody invents hand-overs.",
}


@exercise("1.4", right="A sheriff's measures count only what the sheriff's own facilities did.")
def exercise_4(answer):
    """Multiple choice: why a state prison's detainers are not counted for the county sheriff."""
    choice(answer, PRISON_OPTIONS, what="answer")


@exercise("1.5", right="Blank outcomes are unknowns: count them, and show both definitions side by side.")
def exercise_5(answer):
    """Multiple choice: what a blank (unresolved) outcome means for the custody share."""
    choice(answer, BLANK_OPTIONS, what="answer")


# ----------------------------------------------------------------------------- examples for tests/test_labs.py


def _county_answers(county: str) -> tuple:
    w = expected_3(county)
    return (county, w["custody"], w["n"], w["resolved"], w["share"], w["share_resolved"])


def examples() -> list[Example]:
    """Right answers and plausible wrong ones for every exercise (tests/test_labs.py runs each check on them)."""
    want1, want2, ma = expected_1(), expected_2(), _tables()[0]
    national = pd.concat([want1, pd.Series([_tables()[1] - len(ma)], index=["unknown"])])
    suffolk = _county_answers("Suffolk")
    located = suffolk[:2] + (expected_3("Suffolk")["located"],) + suffolk[3:]
    swapped = suffolk[:4] + (suffolk[5], suffolk[4])
    unresolved_kept = suffolk[:3] + (suffolk[2],) + suffolk[4:]
    return [
        Example("1.1", (want1,), True),
        Example("1.1", (national,), False, "every detainer in the country"),
        Example("1.1", (want1 / want1.sum(),), False, "shares"),
        Example("1.1", (want1.drop("sheriff"),), False, "only some operator types"),
        Example("1.1", (ma.groupby("operator_type").count(),), False, "several columns"),
        Example("1.2", (want2["n"], want2["share"]), True),
        Example("1.2", (len(ma), (ma["outcome"] == "custody").mean()), False, "every Massachusetts facility"),
        Example("1.2", (want2["n"], want2["custody"] / want2["resolved"]), False, "resolved"),
        Example("1.2", (want2["n"], 100 * want2["share"]), False, "percentage"),
        Example("1.2", (want2["resolved"], want2["share"]), False, "blank"),
        Example("1.3", suffolk, True),
        Example("1.3", _county_answers("Nantucket"), True),
        Example("1.3", _county_answers("Dukes"), True),
        Example("1.3", located, False, "sheriff_county_fips"),
        Example("1.3", swapped, False, "other definition"),
        Example("1.3", unresolved_kept, False, "blank outcomes"),
        Example("1.3", ("Nantucket", 0, 0, 0, 0.0, 0.0), False, "np.nan"),
        Example("1.3", ("Dukes", 0, 1, 0, 0.0, 0.0), False, "np.nan"),
        Example("1.4", ("b",), True),
        Example("1.4", ("c",), False, "who runs it"),
        Example("1.4", ("a",), False, "who decides"),
        Example("1.4", ("e",), False, "answer one of"),
        Example("1.5", ("c",), True),
        Example("1.5", ("b",), False, "assumes"),
        Example("1.5", ("a",), False, "invents declines"),
    ]
