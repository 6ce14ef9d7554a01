"""ICE year-end detention statistics FY2019-FY2025 → `ice_detention_fy` (MA facility × fiscal year).

Inputs: the 7 ICE "detentionStats" workbooks archived by Vera (vera-institute/ice-fytd-stats), registry ids
`ice_detention_stats_fy2019` … `ice_detention_stats_fy2025`, byte-identical to ICE's files. Each has a
sheet named "Facilities <year label>" ("Facilities FY19", "Facilities EOFY2020", "Facilities FY21 YTD", …)
whose header row ("Name", "Address", "City", "State", …) sits under a few preamble rows; its position
varies by year. Below the facility rows some years have footnote rows (no State).

Two steps:
- `derive_ice_detention_stats_ma()`: every row with State == "MA" of each Facilities sheet, as written,
  plus `source_file` (workbook file name) and `sheet`; the "FYxx ALOS" header becomes "ALOS"; columns
  are unioned across years. This reproduces the mirror extract `ice_detention_stats_ma` (tests check it).
- `load_ice_detention_fy()`: typed table, one row per MA facility and fiscal year: ADP (average daily
  population, persons) = Level A + B + C + D, ADP by criminality and sex, ALOS (days), guaranteed
  minimum (beds), plus the facility crosswalk (data/reference/facility_aliases.csv).

A fiscal year runs Oct 1 - Sep 30; `data_through` is the last day a workbook covers, read from the
registry's coverage field (FY2022 ends 2022-09-29 and FY2025 2025-09-25: those files were pulled before
the year ended; SOURCE.md of vera-ice-fytd-stats).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import get, input_path
from ma_ice_coop.tables.facilities import map_facilities
from ma_ice_coop.tables.schemas import CROSSWALK_SOURCE, col, facility_columns, table_schema

WORKBOOK_IDS: dict[int, str] = {year: f"ice_detention_stats_fy{year}" for year in range(2019, 2026)}
EXTRACT_ID = "ice_detention_stats_ma"
ALIAS_SOURCE = "ice_detention_stats"
MA = "MA"
FACILITIES_SHEET_PREFIX = "Facilities"
HEADER_MARKERS = ("Name", "State")
HEADER_SEARCH_ROWS = 20
ALOS_HEADER = re.compile(r"^FY\s*\d{2,4}\s+ALOS$")
SHEET_YEAR = re.compile(r"\b(?:EO)?FY\s*(\d{4}|\d{2})\b")
COVERAGE_END = re.compile(r"\.\.(\d{4}-\d{2}-\d{2})\)?\s*$")
LEVEL_COLUMNS = ("Level A", "Level B", "Level C", "Level D")
CRIMINALITY_COLUMNS = {
    "Male Crim": "adp_male_crim",
    "Male Non-Crim": "adp_male_noncrim",
    "Female Crim": "adp_female_crim",
    "Female Non-Crim": "adp_female_noncrim",
}
TEXT_COLUMNS = {"Name": "facility_name", "City": "city", "Type Detailed": "facility_type"}
NEEDED_COLUMNS = (
    "Name",
    "City",
    "State",
    "Type Detailed",
    "ALOS",
    *LEVEL_COLUMNS,
    *CRIMINALITY_COLUMNS,
    "Guaranteed Minimum",
)
NOT_A_NUMBER = {"", "N/A", "NA", "-"}
MAPPING_COLUMNS = ("facility_id", "status", "operator_type", "county_fips", "sheriff_county_fips")


# --- reading one workbook ------------------------------------------------------------------------------


def facilities_sheet_name(sheet_names: list[str], where: str) -> str:
    """The one sheet whose name starts with "Facilities" (e.g. "Facilities EOFY24")."""
    hits = [s for s in sheet_names if str(s).strip().startswith(FACILITIES_SHEET_PREFIX)]
    if len(hits) != 1:
        problem = "no sheet" if not hits else f"{len(hits)} sheets ({hits})"
        raise SchemaError(
            f"{where}: {problem} named '{FACILITIES_SHEET_PREFIX} …'; sheets found: {list(sheet_names)}. "
            "Is this an ICE detentionStats workbook? If ICE renamed the sheet, update "
            "FACILITIES_SHEET_PREFIX in ma_ice_coop.tables.loaders.ice_detention_stats"
        )
    return hits[0]


def read_facilities_cells(path: Path) -> tuple[str, pd.DataFrame]:
    """(sheet name, every cell of the Facilities sheet) with no header interpretation.

    Cells are kept as written: text stays text (including "N/A"), blank cells are "", numbers and
    dates keep their Excel type.
    """
    sheet = facilities_sheet_name(pd.ExcelFile(path, engine="calamine").sheet_names, str(path))
    cells = pd.read_excel(path, sheet_name=sheet, header=None, engine="calamine", na_filter=False)
    return sheet, cells


def find_header_row(cells: pd.DataFrame, where: str) -> int:
    """Position of the first row holding both "Name" and "State" (the column header row)."""
    for pos in range(min(HEADER_SEARCH_ROWS, len(cells))):
        values = {str(v).strip() for v in cells.iloc[pos].tolist()}
        if all(marker in values for marker in HEADER_MARKERS):
            return pos
    raise SchemaError(
        f"{where}: no header row with {list(HEADER_MARKERS)} in the first {HEADER_SEARCH_ROWS} rows; "
        "check that this is the ICE Facilities sheet and that the columns are still named so"
    )


def normalise_header(value) -> str:
    """Header text stripped; "FY19 ALOS", "FY24 ALOS", … become "ALOS"."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return "ALOS" if ALOS_HEADER.match(text) else text


def _drop_blank_header_columns(data: pd.DataFrame, where: str) -> pd.DataFrame:
    """Columns with no header must be empty (spreadsheet padding); a blank-header column with data is an error."""
    blank = [i for i, name in enumerate(data.columns) if name == ""]
    for i in blank:
        values = data.iloc[:, i].astype("str").fillna("").str.strip()
        if (values != "").any():
            raise SchemaError(f"{where}: column {i + 1} has values but no header; update the loader for the new layout")
    return data.iloc[:, [i for i in range(data.shape[1]) if i not in blank]]


def parse_facilities_sheet(cells: pd.DataFrame, where: str) -> pd.DataFrame:
    """The rows under the header row, named by it, with the needed columns checked (all states)."""
    header_pos = find_header_row(cells, where)
    data = cells.iloc[header_pos + 1 :].copy()
    data.columns = [normalise_header(v) for v in cells.iloc[header_pos].tolist()]
    data = _drop_blank_header_columns(data, where)
    duplicated = sorted(set(data.columns[data.columns.duplicated()]))
    if duplicated:
        raise SchemaError(f"{where}: header names repeated {duplicated}; columns: {list(data.columns)}")
    missing = [c for c in NEEDED_COLUMNS if c not in data.columns]
    if missing:
        raise SchemaError(
            f"{where}: needed column(s) {missing} not found in the Facilities header row; columns found: "
            f"{list(data.columns)}. If ICE renamed a column, update NEEDED_COLUMNS and the column "
            "mapping in ma_ice_coop.tables.loaders.ice_detention_stats"
        )
    return data.reset_index(drop=True)


def select_ma_rows(facilities: pd.DataFrame) -> pd.DataFrame:
    """Facility rows with State == "MA" (exactly, after trimming spaces)."""
    state = facilities["State"].astype("str").str.strip()
    return facilities[state == MA].reset_index(drop=True)


def sheet_fiscal_year(sheet: str, where: str) -> int:
    """Fiscal year named in the sheet label: "Facilities FY19" → 2019, "Facilities EOFY2020" → 2020."""
    found = SHEET_YEAR.search(sheet)
    if not found:
        raise SchemaError(f"{where}: sheet '{sheet}' names no fiscal year (FYxx / EOFYxxxx)")
    year = int(found.group(1))
    return year if year > 100 else 2000 + year


def read_ma_facility_rows(path: Path, fiscal_year: int | None = None) -> pd.DataFrame:
    """MA rows of one workbook's Facilities sheet as written, with `source_file` (file name) and `sheet`.

    With `fiscal_year`, the sheet label must name that year (guards against a mis-registered file).
    """
    sheet, cells = read_facilities_cells(path)
    where = f"{path} sheet '{sheet}'"
    if fiscal_year is not None and sheet_fiscal_year(sheet, where) != fiscal_year:
        raise SchemaError(
            f"{where}: the sheet is for FY{sheet_fiscal_year(sheet, where)}, expected FY{fiscal_year}; "
            "check the file registered for this year in data/sources.yaml"
        )
    ma = select_ma_rows(parse_facilities_sheet(cells, where))
    ma.insert(0, "sheet", sheet)
    ma.insert(0, "source_file", Path(path).name)
    return ma


def _workbook_ma_rows() -> dict[int, pd.DataFrame]:
    """Fiscal year → MA rows of that year's workbook (inputs from data/raw/, verified)."""

    return {year: read_ma_facility_rows(input_path(file_id), year) for year, file_id in WORKBOOK_IDS.items()}


def derive_ice_detention_stats_ma() -> pd.DataFrame:
    """All MA Facilities-sheet rows FY2019-FY2025, columns unioned (blank where a year lacks one).

    Same rows and values as the mirror extract `ice_detention_stats_ma`.
    """
    frames = list(_workbook_ma_rows().values())
    return pd.concat(frames, ignore_index=True, sort=False)


# --- typing --------------------------------------------------------------------------------------------


def to_float(values: pd.Series, column: str, where: str, *, nullable: bool = False) -> pd.Series:
    """Numbers as float64; blank / "N/A" → NaN if nullable, else an error; other text is an error."""
    text = values.astype("str").str.strip()
    blank = text.str.upper().isin(NOT_A_NUMBER) | values.isna()
    numbers = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    bad = numbers.isna() & ~blank
    if bad.any():
        raise SchemaError(f"{where}: column '{column}' has non-numeric values {sorted(set(text[bad]))[:5]}")
    if not nullable and blank.any():
        raise SchemaError(f"{where}: column '{column}' is blank in {int(blank.sum())} MA row(s); expected a number")
    return numbers


def coverage_end(file_id: str) -> str:
    """Last day a workbook covers (ISO date), from its registry coverage, e.g. "FY2022 (2021-10-01..2022-09-29)"."""

    coverage = get(file_id).coverage
    found = COVERAGE_END.search(coverage)
    if not found:
        raise SchemaError(
            f"data/sources.yaml: coverage of '{file_id}' is {coverage!r}; write it as "
            "'FYyyyy (YYYY-MM-DD..YYYY-MM-DD)' so the last day covered can be read"
        )
    return found.group(1)


def tidy_year(rows: pd.DataFrame, fiscal_year: int, file_id: str) -> pd.DataFrame:
    """One workbook's MA rows → typed columns (ADP in persons, ALOS in days); no mapping yet."""
    where = f"{file_id} ({rows['source_file'].iloc[0] if len(rows) else '?'}) MA rows"
    out = pd.DataFrame(index=rows.index)
    out["fiscal_year"] = pd.Series(fiscal_year, index=rows.index, dtype="int64")
    out["data_through"] = coverage_end(file_id)
    for source_col, name in TEXT_COLUMNS.items():
        out[name] = rows[source_col].astype("str").str.strip()
    levels = [to_float(rows[c], c, where) for c in LEVEL_COLUMNS]
    out["adp_total"] = sum(levels[1:], levels[0])
    for source_col, name in CRIMINALITY_COLUMNS.items():
        out[name] = to_float(rows[source_col], source_col, where)
    out["alos_days"] = to_float(rows["ALOS"], "ALOS", where)
    out["guaranteed_minimum"] = to_float(rows["Guaranteed Minimum"], "Guaranteed Minimum", where, nullable=True)
    out["source_file"] = file_id
    return out.astype({"data_through": "str", "source_file": "str"})


def attach_facilities(tidy: pd.DataFrame) -> pd.DataFrame:
    """Crosswalk each (facility_name, city); every MA row of these workbooks is a detention facility."""

    mapped = map_facilities(tidy, ALIAS_SOURCE, name_col="facility_name", city_col="city")
    not_facility = mapped[mapped["status"] != "facility"]
    if len(not_facility):
        listing = sorted(
            set(zip(not_facility["facility_name"], not_facility["city"], not_facility["status"], strict=True))
        )
        raise SchemaError(
            f"data/reference/facility_aliases.csv: ICE detention-statistics MA facilities not mapped to a "
            f"facility {listing}: add each (name, city) under source '{ALIAS_SOURCE}' with status 'facility'"
        )
    return mapped


def tidy_ice_detention_fy() -> pd.DataFrame:
    """Typed MA facility rows of all 7 workbooks (one per facility and fiscal year), before the crosswalk."""
    frames = [tidy_year(rows, year, WORKBOOK_IDS[year]) for year, rows in _workbook_ma_rows().items()]
    return pd.concat(frames, ignore_index=True)


def load_ice_detention_fy() -> pd.DataFrame:
    """The processed `ice_detention_fy` table, sorted by fiscal_year, facility_name, validated."""
    out = attach_facilities(tidy_ice_detention_fy())
    for name in MAPPING_COLUMNS:
        out[name] = out[name].astype("str")
    out = out[list(ICE_DETENTION_FY_SCHEMA.columns)]
    out = out.sort_values(["fiscal_year", "facility_name"]).reset_index(drop=True)
    return ICE_DETENTION_FY_SCHEMA.validate(out)


_SRC = "ICE Detention Statistics year-end workbook, Facilities sheet"
_ADP = [pa.Check.ge(0)]

ICE_DETENTION_FY_SCHEMA = table_schema(
    "ice_detention_fy",
    "ICE detainees held at each Massachusetts facility by federal fiscal year (Oct-Sep) FY2019-FY2025, from ICE's "
    "year-end detention statistics workbooks (archived by Vera): average daily population (ADP) and average length "
    "of stay. Only facilities ICE lists in a year appear (FY2021-FY2025: Plymouth only). FY2022 runs to 2022-09-29 "
    "and FY2025 to 2025-09-25.",
    {
        "fiscal_year": col(
            "int64",
            "US federal fiscal year (Oct 1 - Sep 30) the workbook covers",
            unit="year",
            source="data/sources.yaml",
            checks=[pa.Check.isin(list(WORKBOOK_IDS))],
        ),
        "data_through": col(
            "str",
            "last day the workbook's figures cover (ISO date)",
            unit="date",
            source="data/sources.yaml coverage; vera-ice-fytd-stats SOURCE.md",
            checks=[pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")],
        ),
        "facility_name": col("str", "facility name as written by ICE", source=f"{_SRC}: Name"),
        "city": col("str", "facility city as written by ICE", source=f"{_SRC}: City"),
        "facility_type": col("str", "ICE detailed facility type (IGSA, USMS IGA, …)", source=f"{_SRC}: Type Detailed"),
        "adp_total": col(
            "float64",
            "average daily population of ICE detainees: sum of ADP by classification Level A-D",
            unit="persons",
            source=f"{_SRC}: Level A + Level B + Level C + Level D",
            checks=_ADP,
        ),
        "adp_male_crim": col(
            "float64",
            "ADP, male detainees with a criminal conviction",
            unit="persons",
            source=f"{_SRC}: Male Crim",
            checks=_ADP,
        ),
        "adp_male_noncrim": col(
            "float64",
            "ADP, male detainees without a criminal conviction",
            unit="persons",
            source=f"{_SRC}: Male Non-Crim",
            checks=_ADP,
        ),
        "adp_female_crim": col(
            "float64",
            "ADP, female detainees with a criminal conviction",
            unit="persons",
            source=f"{_SRC}: Female Crim",
            checks=_ADP,
        ),
        "adp_female_noncrim": col(
            "float64",
            "ADP, female detainees without a criminal conviction",
            unit="persons",
            source=f"{_SRC}: Female Non-Crim",
            checks=_ADP,
        ),
        "alos_days": col(
            "float64",
            "average length of stay of ICE detainees at the facility",
            unit="days",
            source=f"{_SRC}: FYxx ALOS",
            checks=_ADP,
        ),
        "guaranteed_minimum": col(
            "float64",
            "contract guaranteed minimum population; null where ICE left it blank or wrote N/A",
            unit="beds",
            source=f"{_SRC}: Guaranteed Minimum",
            nullable=True,
            checks=_ADP,
        ),
        "source_file": col(
            "str",
            "input file id (data/sources.yaml)",
            source="data/sources.yaml",
            checks=[pa.Check.isin(list(WORKBOOK_IDS.values()))],
        ),
        "status": col(
            "str",
            "crosswalk status of the name (facility for every row)",
            source=CROSSWALK_SOURCE,
            checks=[pa.Check.isin(["facility"])],
        ),
        **facility_columns(),
    },
    unique=["fiscal_year", "facility_name"],
)
