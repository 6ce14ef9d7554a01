"""Reading and checking the hand-compiled reference tables: every cell read as text, each rule a clear
error that names the file, the row, the column and what to do."""

from __future__ import annotations

import calendar
import functools
import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd

from ma_ice_coop import config
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables.fips import COUNTY_FIPS

PRECISIONS = {4: "year", 7: "month", 10: "day"}
_ISO_PARTIAL = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def table_path(path: Path | str | None, name: str) -> Path:
    return Path(path) if path is not None else config.reference_dir() / name


def checked_once(file_name: str):
    """Remember a reference loader's checked table per content of its file: a notebook asks for the counties
    dozens of times, and checking every row each time cost about a second per county report. Callers get a
    copy; a file that fails its checks is not remembered (the error is raised every time)."""

    def wrap(loader):
        memo: dict[tuple[str, str], pd.DataFrame] = {}

        @functools.wraps(loader)
        def load(path: Path | str | None = None) -> pd.DataFrame:
            resolved = table_path(path, file_name)
            try:
                key = (str(resolved.resolve()), hashlib.sha256(resolved.read_bytes()).hexdigest())
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                return loader(resolved)  # the loader says what is wrong and what to do
            if key not in memo:
                if len(memo) >= 8:
                    memo.clear()
                memo[key] = loader(resolved)
            return memo[key].copy()

        return load

    return wrap


def table_error(path: Path, problem: str, fix: str, row: int | None = None, column: str | None = None) -> SchemaError:
    where = str(path)
    if row is not None:
        where += f", row {row} (line {row + 1})"
    if column is not None:
        where += f", column '{column}'"
    return SchemaError(f"{where}: {problem}\n  what to do: {fix}")


def read_reference_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """A reference CSV as text (blanks as ''), with every required column present."""
    if not path.exists():
        raise table_error(path, "file not found", "restore it from git (data/reference/ is committed)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise table_error(
            path,
            f"missing columns {missing} (found {list(frame.columns)})",
            f"the file must have the columns {columns}",
        )
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        raise table_error(path, f"unexpected columns {extra}", f"keep exactly the columns {columns}")
    frame = frame[columns].copy()
    for column in columns:
        frame[column] = frame[column].str.strip()
    return frame


def numbered_rows(frame: pd.DataFrame):
    """(row number counted from 1, row) pairs."""
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        yield i, row._asdict()


def check_allowed(frame: pd.DataFrame, column: str, allowed: list[str], path: Path) -> None:
    """Every value of `column` is in `allowed`."""
    for i, row in numbered_rows(frame):
        if row[column] not in allowed:
            raise table_error(path, f"value {row[column]!r} is not allowed", f"use one of {allowed}", i, column)


def check_required(frame: pd.DataFrame, column: str, path: Path) -> None:
    """No blank cells in `column`."""
    for i, row in numbered_rows(frame):
        if row[column] == "":
            raise table_error(path, "blank value", f"fill in '{column}' (every row needs it)", i, column)


def check_fips(frame: pd.DataFrame, path: Path, *, blank_ok: bool) -> None:
    """county_fips is a 5-character Massachusetts county FIPS (or blank where allowed)."""
    for i, row in numbered_rows(frame):
        value = row["county_fips"]
        if value == "" and blank_ok:
            continue
        if value not in COUNTY_FIPS:
            raise table_error(
                path,
                f"{value!r} is not one of the 14 Massachusetts county FIPS codes",
                f"use a 5-character code from {COUNTY_FIPS} (e.g. '25005' for Bristol)"
                + ("; leave it blank when not county-specific" if blank_ok else ""),
                i,
                "county_fips",
            )


def check_source_urls(frame: pd.DataFrame, path: Path) -> None:
    """Every row cites at least one http(s) URL; several are joined by ' ; '."""
    for i, row in numbered_rows(frame):
        urls = [u.strip() for u in row["source_url"].split(" ; ")]
        if row["source_url"] == "" or not all(re.match(r"https?://\S+$", u) for u in urls):
            raise table_error(
                path,
                f"source_url {row['source_url']!r} is not one or more http(s) URLs",
                "give the URL(s) the row's facts come from, separated by ' ; '",
                i,
                "source_url",
            )


def parse_bool(frame: pd.DataFrame, column: str, path: Path, mapping: dict[str, bool]) -> pd.Series:
    for i, row in numbered_rows(frame):
        if row[column].lower() not in mapping:
            raise table_error(path, f"{row[column]!r} is not a boolean", f"write one of {sorted(mapping)}", i, column)
    return frame[column].str.lower().map(mapping).astype("bool")


def date_precision(text: str) -> str:
    """'year', 'month' or 'day' for an ISO date written at that precision; ValueError otherwise."""
    date_bounds(text)
    return PRECISIONS[len(text)]


def date_bounds(text: str) -> tuple[date, date]:
    """First and last day covered by an ISO date at year/month/day precision ('2017-01' -> Jan 1..31)."""
    if not _ISO_PARTIAL.fullmatch(text or ""):
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = parts[1]
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has month {month}")
    last = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, last)
    return date(year, month, parts[2]), date(year, month, parts[2])  # date() checks the day


def first_day(text: str) -> pd.Timestamp:
    """The first day of an ISO date written at year, month or day precision ('2017-07' -> 2017-07-01);
    NaT for a blank cell. ValueError for an impossible date."""
    return pd.Timestamp(date_bounds(text)[0]) if text else pd.NaT


def check_dates(frame: pd.DataFrame, column: str, path: Path, *, blank_ok: bool, day_only: bool = False) -> None:
    """Every cell of `column` is an ISO date (day precision only when day_only)."""
    for i, row in numbered_rows(frame):
        value = row[column]
        if value == "" and blank_ok:
            continue
        try:
            date_bounds(value)
            if day_only and len(value) != 10:
                raise ValueError("not a full date")
        except ValueError:
            shape = "YYYY-MM-DD" if day_only else "YYYY, YYYY-MM or YYYY-MM-DD"
            raise table_error(
                path,
                f"{value!r} is not a valid date",
                f"write an ISO date {shape}" + (" or leave it blank" if blank_ok else ""),
                i,
                column,
            ) from None


def check_order(frame: pd.DataFrame, first: str, second: str, path: Path) -> None:
    """`second` is not before `first` where both are given (compared at the coarser precision)."""
    for i, row in numbered_rows(frame):
        a, b = row[first], row[second]
        if a and b and date_bounds(b)[1] < date_bounds(a)[0]:
            raise table_error(
                path, f"{second} {b} is before {first} {a}", f"correct the dates so that {first} <= {second}", i, second
            )


def to_datetime_column(values: pd.Series) -> pd.Series:
    """Full ISO dates (blank -> NaT) as datetime64[s]."""
    return pd.to_datetime(values.mask(values == ""), format="%Y-%m-%d").astype("datetime64[s]")
