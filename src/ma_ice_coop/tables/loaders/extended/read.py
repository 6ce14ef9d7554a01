"""One extended detainer release file → the unified detainer columns, chunk by chunk.

The columns and dtypes are exactly those of `read_detainer_release` (tables/loaders/detainers.py), built by the
same code (`unified_frame`) from the headers data/detainer_releases.yaml maps; only the mapped columns are read.
Differences, all for files too large or too varied for the core reader: the header is found in every sheet of a
workbook (a file split across sheets repeats its preamble and header), repeated header rows and wholly blank rows
are skipped, a blank prepare date is null (NaT) rather than an error, and a lift reason not in
data/reference/lift_reason_outcomes.csv gets outcome `unmapped` (listed in the extended build's report). A
missing required column or an unreadable prepare date is still a SchemaError naming the file (and sheet).

Memory. Python objects are bounded by `chunk_rows` (one chunk at a time), never by the file:
- text files (NPR .txt/.csv): pandas.read_csv in chunks of `chunk_rows` records, mapped columns only; measured
  peak about 0.4 GB above the interpreter for the default 200,000 rows (0.13 GB for 50,000), whatever the size of
  the file (a 155 MB, 1,000,000-row test file streams in about 11 s).
- workbooks (DDP .xlsx): python-calamine parses one sheet at a time into its Rust cell grid (it has no
  row-streaming reader), so a sheet's cells are held once, outside Python: measured about 90 bytes per cell
  (575 MB for a 28.5 MB, 100,000-row, 65-column test workbook), i.e. about 2.3-2.5 GB for the 125 MB November
  2025 workbook (~396,000 rows, ~26 million cells), under the extended build's ~4 GB budget. Rows are turned
  into Python objects one at a time, only the mapped cells are kept, `chunk_rows` rows per chunk; the grid is
  freed before the next sheet. No workbook ever becomes a DataFrame (pandas.read_excel would add every cell as a
  Python object on top of the grid).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from ma_ice_coop.errors import DataSourceError, ParameterError, SchemaError
from ma_ice_coop.tables.loaders import detainers as det

DEFAULT_CHUNK_ROWS = 200_000
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# pandas.read_excel's default NA strings: read_detainer_release nulls these in workbook cells, so this reader does.
EXCEL_NA_STRINGS = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA"]
    + ["NULL", "NaN", "None", "n/a", "nan", "null"]
)


def iter_release_chunks(
    path: Path, release_id: str, source_file: str, *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Frames of at most `chunk_rows` detainers of one release file (a chunk never spans two sheets), in file order.

    Columns and dtypes as read_detainer_release; `source_row` is the row number a spreadsheet shows (header on
    row 7 → first detainer on row 8; NPR text: header = row 1). Raises DataSourceError when the file is missing,
    SchemaError when it has no header, lacks a required column or holds an unreadable prepare date."""
    path = Path(path)
    if int(chunk_rows) < 1:
        raise ParameterError(f"chunk_rows must be a whole number of rows >= 1, not {chunk_rows!r}")
    spec = det.release_spec(release_id)
    if not path.is_file():
        raise DataSourceError(
            source_file,
            "file not found",
            "download the extended releases with `ma-ice fetch --extended` (or `make extended`)",
            path=str(path),
        )
    lift_reasons = det.lift_reason_table()
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        blocks = _workbook_blocks(path, spec, int(chunk_rows))
    else:
        blocks = _text_blocks(path, spec, int(chunk_rows))
    for data, cols, where in blocks:
        yield det.unified_frame(data, cols, release_id, source_file, where, lift_reasons=lift_reasons, strict=False)


def read_release(path: Path, release_id: str, source_file: str) -> pd.DataFrame:
    """A whole (small) release file as one frame: iter_release_chunks concatenated (same columns and dtypes)."""
    chunks = list(iter_release_chunks(path, release_id, source_file))
    if not chunks:
        raise SchemaError(f"{path}: no detainer rows under the header; is the file truncated? Fetch it again")
    return pd.concat(chunks, ignore_index=True)


def _keep_detainers(data: pd.DataFrame, cols: dict[str, str], spec: dict) -> pd.DataFrame:
    """Rows that are detainers: not a repeated header row, not wholly blank (the prepare date as text, blank '')."""
    names = set(spec["columns"]["prepare_date"])
    date_col = cols["prepare_date"]
    values = data[list(dict.fromkeys(cols.values()))]
    blank = values.isna() | values.astype("object").map(lambda v: isinstance(v, str) and not v.strip())
    repeated = data[date_col].map(lambda v: isinstance(v, str) and v.strip() in names)
    data = data[~blank.all(axis=1) & ~repeated].copy()
    data[date_col] = data[date_col].astype("object").where(data[date_col].notna(), "")
    return data


# ---- text files -------------------------------------------------------------------------------------------------


def _text_header(path: Path, spec: dict, sep: str) -> tuple[int, list[str]]:
    """(0-based record number, stripped names) of the header: the first of the first 15 records naming the date."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            head = list(islice(csv.reader(fh, delimiter=sep), det.HEADER_SCAN_ROWS))
    except UnicodeDecodeError as err:
        raise SchemaError(f"{path}: not UTF-8 text ({err}); is this the right file? Fetch it again") from err
    for number, record in enumerate(head):
        if det.is_header_row(record, spec):
            return number, [v.strip() for v in record]
    raise SchemaError(
        f"{path}: no header row naming {sorted(spec['columns']['prepare_date'])} in the first "
        f"{det.HEADER_SCAN_ROWS} rows; is this the right file for its release? Check data/detainer_releases.yaml"
    )


def _text_blocks(path: Path, spec: dict, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, dict, str]]:
    """Chunks of a delimited text file: the mapped columns as text, indexed by line number (header = row 1)."""
    sep = spec.get("sep") or ","
    header_at, header = _text_header(path, spec, sep)
    cols = det.pick_columns(header, spec, path)
    positions = sorted({header.index(name) for name in cols.values()})
    reader = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        keep_default_na=False,
        usecols=positions,
        skiprows=header_at,
        header=0,
        index_col=False,
        skip_blank_lines=False,
        encoding="utf-8-sig",
        chunksize=chunk_rows,
    )
    try:
        for chunk in reader:
            chunk.columns = [header[i] for i in positions]
            chunk.index = chunk.index + header_at + 2  # the first record under the header is row header_at + 2
            chunk["__sheet__"] = ""
            chunk["__row__"] = chunk.index.to_numpy(dtype="int64")
            data = _keep_detainers(chunk, cols, spec)
            if len(data):
                yield data, cols, str(path)
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise SchemaError(f"{path}: cannot be read as text separated by {sep!r} ({err}); fetch it again") from err
    finally:
        reader.close()


# ---- workbooks --------------------------------------------------------------------------------------------------


def _cell(value):
    """A workbook cell as pandas.read_excel (calamine engine) gives it: whole floats as int, dates as datetimes,
    NA strings as None."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return None if value in EXCEL_NA_STRINGS else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _workbook_blocks(path: Path, spec: dict, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, dict, str]]:
    """Chunks of every worksheet of a workbook, one sheet in memory at a time."""
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as err:
        raise SchemaError(f"{path}: not a readable workbook ({err}); delete it and fetch it again") from err
    try:
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            yield from _sheet_blocks(book.get_sheet_by_index(index), str(meta.name), path, spec, chunk_rows)
    finally:
        book.close()


def _sheet_header(rows: Iterator[list], spec: dict, where: str) -> tuple[int, list[str], list[list]] | None:
    """(row number of the header, stripped names, rows read after it) or None for a blank sheet."""
    head = list(islice(rows, det.HEADER_SCAN_ROWS))
    for number, row in enumerate(head, start=1):
        if det.is_header_row(row, spec):
            return number, [str(v).strip() for v in row], head[number:]
    if not any(_cell(v) is not None for row in chain(head, rows) for v in row):
        return None  # nothing in the sheet at all
    raise SchemaError(
        f"{where}: no header row naming {sorted(spec['columns']['prepare_date'])} in the first "
        f"{det.HEADER_SCAN_ROWS} rows; is this the right file for its release? Check data/detainer_releases.yaml"
    )


def _sheet_blocks(sheet, name: str, path: Path, spec: dict, chunk_rows: int) -> Iterator[tuple]:
    """Chunks of one worksheet: the mapped cells of each row under the header, indexed by spreadsheet row.

    python-calamine's iter_rows yields rows from the sheet's first row (blank leading rows included), so the
    n-th row yielded is spreadsheet row n."""
    where = f"{path} (sheet '{name}')"
    rows = iter(sheet.iter_rows())
    found = _sheet_header(rows, spec, where) if sheet.height else None
    if found is None:
        return
    header_number, header, rest = found
    cols = det.pick_columns([h for h in header if h], spec, where)
    positions = sorted({header.index(c) for c in cols.values()})
    names = [header[i] for i in positions]
    for start, block in _batches(chain(rest, rows), positions, chunk_rows, first_row=header_number + 1):
        data = pd.DataFrame(block, columns=names, dtype="object")
        data.index = np.arange(start, start + len(block), dtype="int64")
        data["__sheet__"] = name
        data["__row__"] = data.index.to_numpy()
        data = _keep_detainers(data, cols, spec)
        if len(data):
            yield data, cols, where


def _batches(rows: Iterable[list], positions: list[int], size: int, first_row: int) -> Iterator[tuple[int, list]]:
    """(spreadsheet row of the first row, rows of the mapped cells) in batches of `size` rows."""
    block: list[list] = []
    start = first_row
    width = max(positions) + 1
    for row in rows:
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        block.append([_cell(row[i]) for i in positions])
        if len(block) == size:
            yield start, block
            start, block = start + size, []
    if block:
        yield start, block
