"""ICE detainer records → the unified `detainers` table (one row per detainer).

Core input: the NPR FY2015 YTD release (ICE ERO LESA, FOIA 15-87693; 79,053 detainers prepared
2014-10-01..2015-07-19, national). Later releases (NPR FY2008-FY2017, Deportation Data Project
2023-2026) load into the same table through data/detainer_releases.yaml, which maps each release's
headers onto the unified columns. Lift reasons are normalised with
data/reference/lift_reason_outcomes.csv; a lift reason not listed there is an error, never a guess (the extended
releases' streaming reader, tables/loaders/extended/read.py, marks it `unmapped` and lists it instead).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pandera.pandas import Check

from ma_ice_coop import config
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.io import read_yaml
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.facilities import map_facilities
from ma_ice_coop.tables.national_facilities import place_detainers
from ma_ice_coop.tables.schemas import col, facility_columns, table_schema

MA_STATE = "MASSACHUSETTS"
OUTCOMES = ("custody", "declined", "lifted", "administrative", "unresolved")
REQUEST_KINDS = ("hold", "notify", "other", "unknown")
UNMAPPED = "unmapped"  # outcome of a lift reason not in lift_reason_outcomes.csv (non-strict reading only)
NULL_STRINGS = {"", "NA", "N/A", "NULL", "NAN", "NONE"}
SOURCE = "npr_fy2015_detainers"

UNIFIED_TEXT_COLUMNS = (
    "detainer_type",
    "facility_name",
    "facility_code",
    "facility_city",
    "facility_state",
    "aor",
    "lift_reason",
    "person_id",
    "criminality",
)


def release_specs_path() -> Path:
    return config.data_dir() / "detainer_releases.yaml"


@lru_cache(maxsize=2)
def _release_specs(path: Path) -> dict:
    return read_yaml(path)["releases"]


def release_spec(release_id: str) -> dict:
    specs = _release_specs(release_specs_path())
    if release_id not in specs:
        raise SchemaError(
            f"unknown detainer release '{release_id}'; known releases: {', '.join(sorted(specs))}. "
            f"To load a new release, describe its columns in {release_specs_path()}"
        )
    return specs[release_id]


def lift_reason_table(path: Path | None = None) -> pd.DataFrame:
    """Lift reason → outcome category (data/reference/lift_reason_outcomes.csv)."""
    path = path or config.reference_dir() / "lift_reason_outcomes.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = sorted(set(table["outcome"]) - set(OUTCOMES))
    if bad:
        raise SchemaError(f"{path}: outcome values {bad} are not among {OUTCOMES}")
    if table["lift_reason"].duplicated().any():
        raise SchemaError(
            f"{path}: duplicated lift reasons {sorted(table.loc[table['lift_reason'].duplicated(), 'lift_reason'])}"
        )
    return table


def read_sheet_rows(path: Path, sep: str | None = None) -> pd.DataFrame:
    """Every cell of a release file with no header interpretation (all sheets of a workbook stacked)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
        frames = []
        for name, frame in sheets.items():
            frame = frame.copy()
            frame["__sheet__"] = str(name)
            frame["__row__"] = np.arange(1, len(frame) + 1)  # spreadsheet row number
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # csv.reader, not read_csv: preamble rows above the header have fewer fields than the data.
    with open(path, newline="", encoding="utf-8-sig") as fh:
        records = list(csv.reader(fh, delimiter=sep or ","))
    width = max((len(r) for r in records), default=0)
    raw = pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype="str")
    raw["__sheet__"] = ""
    raw["__row__"] = np.arange(1, len(raw) + 1)  # line number in the file
    return raw


HEADER_SCAN_ROWS = 15  # the header is looked for among the first 15 rows of a file or sheet


def is_header_row(values, spec: dict) -> bool:
    """True when a row's cells name the release's prepare-date column (how a header row is recognised)."""
    return bool(set(spec["columns"]["prepare_date"]) & {str(v).strip() for v in values})


def _split_header(raw: pd.DataFrame, spec: dict, path: Path) -> pd.DataFrame:
    """Find the header row (the one naming the prepare-date column) and return the rows under it."""
    names = set(spec["columns"]["prepare_date"])
    head = raw.head(HEADER_SCAN_ROWS)
    for idx, row in head.iterrows():
        if is_header_row(row.to_numpy(), spec):
            header = [str(v).strip() for v in row.to_numpy()]
            data = raw.iloc[idx + 1 :].copy()
            data.columns = header[:-2] + ["__sheet__", "__row__"]
            # Repeated header rows (one per sheet) are headers, not detainers.
            first = header[0]
            data = data[data.iloc[:, 0].astype(str).str.strip() != first]
            return data
    raise SchemaError(
        f"{path}: no header row naming {sorted(names)} in the first 15 rows; "
        f"is this the right file for its release? Check data/detainer_releases.yaml"
    )


def _pick_columns(data: pd.DataFrame, spec: dict, path: Path) -> dict[str, str]:
    return pick_columns([c for c in data.columns if c not in ("__sheet__", "__row__")], spec, path)


def pick_columns(present: list[str], spec: dict, path: Path | str) -> dict[str, str]:
    """Unified column → the file's header carrying it (the first listed name present); SchemaError naming the file
    when a required column is missing."""
    found = {}
    for unified, candidates in spec["columns"].items():
        hit = next((c for c in candidates if c in present), None)
        if hit is not None:
            found[unified] = hit
    missing = [u for u in spec["required"] if u not in found]
    if missing:
        wanted = {u: spec["columns"][u] for u in missing}
        raise SchemaError(
            f"{path}: required columns not found: {wanted}. Columns in the file: {present}. "
            "If the publisher renamed a column, add the new name to data/detainer_releases.yaml"
        )
    return found


def _clean_text(series: pd.Series) -> pd.Series:
    text = series.astype("str").str.strip()
    text = text.where(~text.str.upper().isin(NULL_STRINGS) & series.notna())
    return text.astype("str")


def parse_prepare_dates(values: pd.Series, path: Path) -> pd.Series:
    """Dates as written in any release: datetimes, Excel serial days, m/d/yy, ISO (with or without time)."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    is_dt = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    out[is_dt] = pd.to_datetime(values[is_dt]).astype("datetime64[us]")
    rest = values[~is_dt].astype("str").str.strip()
    rest = rest[~rest.str.upper().isin(NULL_STRINGS)]
    serial = pd.to_numeric(rest, errors="coerce")
    is_serial = serial.notna() & serial.between(10000, 80000)
    out[is_serial[is_serial].index] = (
        pd.Timestamp("1899-12-30") + pd.to_timedelta(serial[is_serial].astype(int), unit="D")
    ).astype("datetime64[us]")
    text = rest[~is_serial]
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%y", "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p"):
        if text.empty:
            break
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        ok = parsed.notna()
        out[ok[ok].index] = parsed[ok].dt.normalize().astype("datetime64[us]")
        text = text[~ok]
    if not text.empty:
        sample = text.head(5).to_dict()
        raise SchemaError(
            f"{path}: {len(text)} prepare dates could not be read (row: value) {sample}; "
            "fix the file or add the date format to parse_prepare_dates"
        )
    return out.dt.normalize()


def fiscal_year(dates: pd.Series) -> pd.Series:
    """US federal fiscal year (October-September) of each date."""
    return (dates.dt.year + (dates.dt.month >= 10).astype("Int64")).astype("Int64")


def request_kind(detainer_type: pd.Series) -> pd.Series:
    """hold (I-247, I-247A, I-247D), notify (I-247N, I-247G), other (I-247X), unknown (blank/other)."""
    t = detainer_type.fillna("").str.upper().str.replace(r"\s+", " ", regex=True)
    kind = pd.Series("unknown", index=t.index, dtype="str")
    kind[t.str.match(r"^I-?247X")] = "other"
    kind[t.str.match(r"^I-?247[NG]")] = "notify"
    kind[t.str.match(r"^I-?247[AD]") | t.str.match(r"^I-?247 ")] = "hold"
    return kind


def normalise_outcomes(
    lift_reason: pd.Series, table: pd.DataFrame | None = None, *, strict: bool = True
) -> pd.DataFrame:
    """Outcome category and the broad-decline flag for each lift reason (blank → unresolved).

    A lift reason not in the table is a SchemaError; with `strict=False` its outcome is `unmapped` (flag false),
    for the extended releases, which list such reasons in a report instead of failing."""
    table = lift_reason_table() if table is None else table
    mapping = dict(zip(table["lift_reason"], table["outcome"], strict=True))
    broad = dict(zip(table["lift_reason"], table["lea_release_without_transfer"] == "true", strict=True))
    present = lift_reason.dropna()
    unknown = present[~present.isin(list(mapping))]
    if not unknown.empty and not strict:
        mapping.update(dict.fromkeys(unknown.unique(), UNMAPPED))
    elif not unknown.empty:
        counts = unknown.value_counts().to_dict()
        raise SchemaError(
            f"unknown detainer lift reason(s) {counts}: add each to "
            "data/reference/lift_reason_outcomes.csv with its outcome category "
            f"(one of {', '.join(OUTCOMES)}) before loading this release"
        )
    outcome = lift_reason.map(mapping).fillna("unresolved").astype("str")
    flag = lift_reason.map(broad).eq(True)  # unmapped or blank → False (also when every reason is blank)
    return pd.DataFrame({"outcome": outcome, "lea_release_without_transfer": flag}, index=lift_reason.index)


def read_detainer_release(path: Path, release_id: str, source_file: str) -> pd.DataFrame:
    """One release file → unified detainer columns (facility mapping not yet applied)."""
    spec = release_spec(release_id)
    raw = read_sheet_rows(path, sep=spec.get("sep"))
    data = _split_header(raw, spec, path)
    cols = _pick_columns(data, spec, path)
    return unified_frame(data, cols, release_id, source_file, path)


def unified_frame(
    data: pd.DataFrame,
    cols: dict[str, str],
    release_id: str,
    source_file: str,
    path: Path | str,
    *,
    lift_reasons: pd.DataFrame | None = None,
    strict: bool = True,
) -> pd.DataFrame:
    """Rows of a release (its headers as columns, plus `__sheet__` and `__row__`) → the unified detainer columns.

    `cols` maps unified names to the file's headers (pick_columns); `lift_reasons` is lift_reason_table() (read
    once by a caller that converts many chunks); `strict=False` marks unknown lift reasons `unmapped`."""
    out = pd.DataFrame(index=data.index)
    out["release_id"] = release_id
    out["source_file"] = source_file
    out["source_sheet"] = data["__sheet__"].astype("str")
    out["source_row"] = data["__row__"].astype("int64")
    out["prepare_date"] = parse_prepare_dates(data[cols["prepare_date"]], path)
    out["fiscal_year"] = fiscal_year(out["prepare_date"])
    for name in UNIFIED_TEXT_COLUMNS:
        out[name] = _clean_text(data[cols[name]]) if name in cols else pd.Series(pd.NA, index=data.index, dtype="str")
    out["facility_state"] = out["facility_state"].str.upper()
    out["state_source"] = np.where(out["facility_state"].notna(), "recorded", "missing")
    out["request_kind"] = request_kind(out["detainer_type"])
    out = out.join(normalise_outcomes(out["lift_reason"], lift_reasons, strict=strict))
    return out.reset_index(drop=True)


FACILITY_COLUMNS = ("facility_id", "operator_type", "county_fips", "sheriff_county_fips")


def attach_facilities(detainers: pd.DataFrame, alias_source: str) -> pd.DataFrame:
    """Add facility_id, operator_type, county_fips, sheriff_county_fips and placement_method to every row.

    Massachusetts rows: the hand-built crosswalk (data/reference/facilities.csv via facility_aliases.csv), which
    names the facility. Other states: the national crosswalk (data/reference/national_facilities.csv), which
    places the facility string in a county and classifies its operator; no facility id. A sheriff-run
    facility's sheriff is its county's (a regional jail is placed by hand in the county its note names)."""
    out = detainers.copy()
    for name in FACILITY_COLUMNS:
        out[name] = pd.Series(pd.NA, index=out.index, dtype="str")
    ma = out["facility_state"] == MA_STATE
    if ma.any():
        mapped = map_facilities(
            out.loc[ma, ["facility_name", "facility_city"]].fillna(""), alias_source, "facility_name", "facility_city"
        )
        for name in FACILITY_COLUMNS:
            out.loc[ma, name] = mapped[name].astype("str").replace("", pd.NA).to_numpy()
    out["placement_method"] = pd.Series("ma_crosswalk", index=out.index, dtype="str")
    other = ~ma
    if other.any():
        placed = place_detainers(out.loc[other])
        county = placed["county_fips"].astype("str").replace("", pd.NA)
        out.loc[other, "county_fips"] = county.to_numpy()
        out.loc[other, "operator_type"] = placed["operator_type"].astype("str").to_numpy()
        sheriff = county.where(placed["operator_type"] == "sheriff")
        out.loc[other, "sheriff_county_fips"] = sheriff.to_numpy()
        out.loc[other, "placement_method"] = placed["placement_method"].astype("str").to_numpy()
    return out


def load_detainers() -> pd.DataFrame:
    """The processed `detainers` table from the core release (NPR FY2015 YTD), sorted by source row."""

    table = read_detainer_release(input_path(SOURCE), "npr_lea", SOURCE)
    table = attach_facilities(table, SOURCE)
    return table[list(DETAINERS_SCHEMA.columns)].sort_values(
        ["release_id", "source_file", "source_row"], ignore_index=True
    )


_TXT = "str"


def _national_facility_columns() -> dict:
    """The crosswalk columns, with county FIPS of any state and the placement method."""
    columns = facility_columns(always_mapped=False)
    columns["operator_type"] = col(
        _TXT,
        "who runs the facility: sheriff (sheriff or county jail), state_doc, federal, ice, police, state_police, "
        "court, other, or unknown (the string does not say)",
        source="data/reference/facilities.csv (MA) ; data/reference/national_facilities.csv (other states)",
        nullable=True,
    )
    for name, what in (("county_fips", "located in"), ("sheriff_county_fips", "whose sheriff runs the facility")):
        columns[name] = col(
            _TXT,
            f"5-digit FIPS of the county {what}; null when the string cannot be placed"
            + ("; null unless operator_type is sheriff" if name == "sheriff_county_fips" else ""),
            source="data/reference/facilities.csv (MA) ; data/reference/national_facilities.csv (other states)",
            nullable=True,
            checks=[Check.str_matches(r"^\d{5}$")],
        )
    columns["placement_method"] = col(
        _TXT,
        "how the row was placed: ma_crosswalk (Massachusetts hand-built crosswalk), rule, gazetteer, hand, unplaced",
        source="data/reference/national_facilities.csv",
    )
    return columns


_FY2015 = catalogue().period("fy2015_detainers")  # dates stated once, in data/reference/measures.yaml
DETAINERS_SCHEMA = table_schema(
    "detainers",
    "One row per ICE detainer, unified across releases. Core build: NPR FY2015 YTD (prepared "
    f"{_FY2015.start}..{_FY2015.end}), 79,053 national detainers, 410 at Massachusetts facilities.",
    {
        "release_id": col(_TXT, "release the row comes from (data/detainer_releases.yaml)", source="registry"),
        "source_file": col(_TXT, "input file id in data/sources.yaml", source="registry"),
        "source_sheet": col(_TXT, "sheet name for workbooks, blank for text files", source="release file"),
        "source_row": col(
            "int64",
            "row number in the source sheet or file, as a spreadsheet shows it (header = row 1 in NPR)",
            unit="row",
        ),
        "prepare_date": col("datetime64[us]", "date ICE prepared the detainer", unit="date", source="Prepare Date"),
        "fiscal_year": col("Int64", "US federal fiscal year (Oct-Sep) of prepare_date", unit="year", nullable=True),
        "detainer_type": col(
            _TXT,
            "ICE form/type label as written (e.g. I247 ... Notice of Action)",
            nullable=True,
            source="Detainer Type",
        ),
        "facility_name": col(
            _TXT, "facility holding the person, as written", nullable=True, source="Detainer Detention Facility"
        ),
        "facility_code": col(_TXT, "ICE DETLOC facility code (absent in NPR releases)", nullable=True),
        "facility_city": col(_TXT, "facility city as written", nullable=True, source="City"),
        "facility_state": col(_TXT, "facility state, upper-case full name", nullable=True, source="State"),
        "state_source": col(
            _TXT,
            "recorded = state from the file; crosswalk = from the facility code; missing",
            checks=[Check.isin(["recorded", "crosswalk", "missing"])],
        ),
        "aor": col(_TXT, "ICE area of responsibility as written (absent in NPR FY2015)", nullable=True),
        "lift_reason": col(
            _TXT,
            "ICE lift reason as written; blank = pending or no outcome recorded",
            nullable=True,
            source="Detainer Lift Reason",
        ),
        "outcome": col(
            _TXT,
            "normalised outcome: custody / declined (a lower bound) / lifted / administrative / "
            "unresolved (blank lift reason)",
            source="data/reference/lift_reason_outcomes.csv",
            checks=[Check.isin(list(OUTCOMES))],
        ),
        "lea_release_without_transfer": col(
            bool,
            "lift reason says the person left local custody without a "
            "transfer (Early Release etc.): the broad-decline sensitivity",
        ),
        "request_kind": col(
            _TXT,
            "hold (I-247/A/D), notify (I-247N/G), other, unknown; from detainer_type",
            checks=[Check.isin(list(REQUEST_KINDS))],
        ),
        "person_id": col(
            _TXT, "release-scoped anonymised person id (none in NPR); never join across releases", nullable=True
        ),
        "criminality": col(_TXT, "ICE criminality category at preparation (none in NPR)", nullable=True),
        **_national_facility_columns(),
    },
    unique=["release_id", "source_file", "source_sheet", "source_row"],
)
