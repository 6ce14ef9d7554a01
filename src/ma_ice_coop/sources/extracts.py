"""Checking our own Massachusetts subsets against the mirror's extracts.

The project derives MA subsets from byte-identical upstream originals in code (in each loader).
A mirror extract (MANIFEST kind=extract) is the reference for that derivation: same rows and same
values. `compare_frames` says where two tables differ, ignoring row order and number formatting.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter

import pandas as pd

from ma_ice_coop.sources.registry import get, input_path


def read_extract(file_id: str, **read_csv_kwargs) -> pd.DataFrame:
    """A mirror extract read as text (every cell a string, blanks as '')."""
    entry = get(file_id)
    if entry.kind != "extract":
        raise ValueError(f"{file_id} is not an extract")
    kwargs = {"dtype": str, "keep_default_na": False}
    kwargs.update(read_csv_kwargs)
    return pd.read_csv(input_path(file_id), **kwargs)


def _norm(value) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    text = str(value).strip()
    if text.upper() in ("NA", "NAN", "NONE", "<NA>"):
        return ""
    try:
        num = float(text.replace(",", ""))
    except ValueError:
        return text
    return round(num, 6) if math.isfinite(num) else text


def content_fingerprint(df: pd.DataFrame) -> str:
    """sha256 of a table's rows and values, independent of row order and number formatting."""

    cols = sorted(map(str, df.columns))
    frame = df.copy()
    frame.columns = list(map(str, frame.columns))
    rows = sorted((tuple(_norm(v) for v in r) for r in frame[cols].itertuples(index=False)), key=repr)
    return hashlib.sha256(repr((cols, rows)).encode("utf-8")).hexdigest()


def compare_frames(derived: pd.DataFrame, extract: pd.DataFrame) -> list[str]:
    """Differences between two tables as messages; [] when they hold the same rows and values.

    Columns must match by name (order ignored); rows are compared as multisets; numbers are
    compared after parsing ('1' == '1.0'); blank, NA and NaN are the same.
    """
    problems = []
    dcols, ecols = list(map(str, derived.columns)), list(map(str, extract.columns))
    if sorted(dcols) != sorted(ecols):
        problems.append(
            f"columns differ: only derived {sorted(set(dcols) - set(ecols))}, "
            f"only extract {sorted(set(ecols) - set(dcols))}"
        )
        return problems
    if len(derived) != len(extract):
        problems.append(f"row counts differ: derived {len(derived)}, extract {len(extract)}")

    def rows(df: pd.DataFrame) -> list[tuple]:
        df = df.copy()
        df.columns = list(map(str, df.columns))
        return [tuple(_norm(v) for v in r) for r in df[sorted(dcols)].itertuples(index=False)]

    a, b = Counter(rows(derived)), Counter(rows(extract))
    only_a = sorted((a - b).elements(), key=repr)
    only_b = sorted((b - a).elements(), key=repr)
    if only_a or only_b:
        problems.append(
            f"{len(only_a)} derived rows not in extract (first: {only_a[:1]}); "
            f"{len(only_b)} extract rows not derived (first: {only_b[:1]})"
        )
    return problems
