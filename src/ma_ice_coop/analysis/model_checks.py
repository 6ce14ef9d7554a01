"""What every small-n model shares: the limits (at most 3 covariates, the default seed), input checks that
refuse wrong requests with a ValueError, standardised covariates, and deterministic note text."""

from __future__ import annotations

import math
import warnings
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

MAX_COVARIATES = 3
"""At most this many covariates in any county-level model (DESIGN.md: 14 counties)."""


DEFAULT_SEED = 20170724
"""Default seed: the date of Lunn v. Commonwealth (2017-07-24)."""


Z95 = float(stats.norm.ppf(0.975))


POLICY_INDEX_MARKERS = ("287g", "287_g", "dhs_list", "dhs_declined", "sanctuary")


def fmt_number(x: float, digits: int = 3) -> str:
    """A float as fixed text for notes (deterministic; 'NaN' for missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NaN"
    return f"{x:.{digits}f}"


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def as_float(values, name: str) -> np.ndarray:
    """Numeric (or boolean) values as float64 with NaN for missing; ValueError for text."""
    s = pd.Series(values)
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if s.dtype == object:
        try:
            s = pd.to_numeric(s)
        except (TypeError, ValueError):
            pass
    if not (pd.api.types.is_numeric_dtype(s.dtype) or s.isna().all()):
        raise ValueError(
            f"'{name}' must be numeric or boolean, not {s.dtype}: encode categories as 0/1 columns "
            "(e.g. sheriff party as democrat = 1) before modelling"
        )
    return pd.to_numeric(s).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def check_covariates(covariates: Sequence[str] | str, *, what: str) -> list[str]:
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    if len(set(covariates)) != len(covariates):
        raise ValueError(f"{what}: covariates are repeated: {covariates}")
    if len(covariates) > MAX_COVARIATES:
        raise ValueError(
            f"{what}: {len(covariates)} covariates requested ({', '.join(covariates)}), but at most "
            f"{MAX_COVARIATES} are allowed: with 14 Massachusetts counties, more covariates would fit "
            "noise and leave almost no residual degrees of freedom (DESIGN.md, 'Measures'). "
            "Choose the 2-3 covariates that answer the question, or run them one at a time."
        )
    return covariates


def check_columns(table: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: column(s) {missing} not in the table; available: {sorted(map(str, table.columns))}")


def check_not_policy_index(outcome: str, *, what: str) -> None:
    low = outcome.lower()
    if any(marker in low for marker in POLICY_INDEX_MARKERS):
        raise ValueError(
            f"{what}: '{outcome}' looks like a policy index (287(g), DHS lists); policy indices are "
            "covariates, never the outcome (DESIGN.md, 'Measures'). Use a cooperation measure as the outcome."
        )


def warning_texts(caught: list[warnings.WarningMessage]) -> list[str]:
    """Distinct warning messages in the order they were first raised."""
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).strip()}"
        if text not in seen:
            seen.append(text)
    return seen


def join_notes(parts: Iterable[str]) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def standardise(
    data: pd.DataFrame, covariates: list[str], standardize: bool
) -> tuple[pd.DataFrame, list[str], dict[str, float], list[str]]:
    """Design columns for the covariates: (values, term names, SD used per term, notes).

    With ``standardize``, continuous covariates (more than two distinct values) are centred and
    divided by their sample SD (ddof=1) over the rows analysed; 0/1 covariates stay as they are.
    """
    out = pd.DataFrame(index=data.index)
    names: list[str] = []
    sds: dict[str, float] = {}
    notes: list[str] = []
    kept_binary: list[str] = []
    for c in covariates:
        x = data[c].astype(float)
        distinct = np.unique(x.to_numpy())
        binary = len(distinct) <= 2 and set(distinct.tolist()) <= {0.0, 1.0}
        if standardize and not binary and len(distinct) > 1:
            sd = float(x.std(ddof=1))
            term = f"{c} (per SD)"
            out[term] = (x - float(x.mean())) / sd
            sds[term] = sd
        else:
            term = c
            out[term] = x
            if standardize and binary:
                kept_binary.append(c)
        names.append(term)
    if standardize and any(n.endswith("(per SD)") for n in names):
        notes.append(
            "Continuous covariates are centred and scaled: each estimate is per 1 SD of the "
            "covariate over the rows analysed (covariate_sd gives the SD in the covariate's unit)."
        )
    if kept_binary:
        notes.append(f"0/1 covariates not standardised: {', '.join(kept_binary)}.")
    return out, names, sds, notes


def nan_coefficients(terms: list[str], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"term": pd.Series(terms, dtype=object)})
    for c in columns[1:]:
        out[c] = np.nan
    return out[columns]
