"""287(g) agreement years, 2005-2025: one row per agency x year for the 14 sheriffs and the state DOC.

Inputs (data/sources.yaml):
- `wapo_287g_2019`: Washington Post yearly participation flags 2005-2019 (national xlsx; MA rows picked here).
- `ddp_287g_2007_2010_ma`: MA rows of ICE's 287(g) partner lists as of 2007-09-19, 2008-03-10, 2010-10-29.
- `appelson_287g_2021_2024_ma`: MA rows of ICE's list snapshots 2021-01-13, 2021-07-26, 2022-08-09, 2024-06-27,
  2024-12-18.
- `appelson_287g_2025`: ICE's daily lists 2025-05-16..2025-07-03 (national; MA rows derived here, see
  derive_appelson_2025_ma, checked against the mirror's extract `appelson_287g_2025_ma`).
- data/reference/agreements_287g.csv: the project's agreement periods with bracketed entry/exit dates.

A year counts as "in force" when the evidence shows the agreement in force at some point in that
year: the period from start_bracket_to (first date a source shows it in force) to end_bracket_from
(last date a source shows it in force; the latest ICE list for agreements still active). Lists only
bracket entry and exit, so a year with neither a list nor a dated report inside the known period is
counted from the period (the `evidence` column says so). The loader checks the panel against every
list: an agency on an ICE list must be in force that year, and one missing from a list must not be
known in force on that date; WaPo flags must match except for WAPO_DISAGREEMENTS.

Operational and paper years are two columns. `agreement_287g_operational`: a calendar year counts when an
agreement that operated was in force and operating for at least part of it, from the first to the last date
a source shows it in force (the days between the last such date and a known exit do not count: Barnstable,
last shown 2022-08-09 and ended 2023-01-04, has no operational year 2023). `agreement_287g_paper`: years
covered only by an agreement that was signed and listed but never operated (NEVER_OPERATIONAL: Barnstable
2007-2009). `agreement_287g` (either) is kept for the checks against the lists, which show paper agreements.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.reference import load_agreements_287g, load_counties
from ma_ice_coop.tables.schemas import COUNTY_FIPS, col, table_schema
from ma_ice_coop.tables.vintage import LATEST_287G_LIST

WAPO_FILE = "wapo_287g_2019"
DDP_FILE = "ddp_287g_2007_2010_ma"
APPELSON_2021_2024_FILE = "appelson_287g_2021_2024_ma"
APPELSON_2025_FILE = "appelson_287g_2025"
APPELSON_2025_MA_EXTRACT = "appelson_287g_2025_ma"
REFERENCE = "data/reference/agreements_287g.csv"
MA_STATE = "MASSACHUSETTS"
WAPO_YEARS = tuple(range(2005, 2020))
FIRST_YEAR = 2005  # first year of the WaPo flags: no evidence before
LATEST_LIST_DATE = LATEST_287G_LIST  # the latest ICE list in the inputs (stated once in tables/vintage.py)
LAST_YEAR = int(LATEST_LIST_DATE[:4])
DOC_KEY = "ma_doc"
DOC_AGENCY = "Massachusetts Department of Correction"

# Agency names as written in the lists (normalised: lower case, straight quotes, single spaces) -> key.
# Sheriff keys are county FIPS. A Massachusetts name not here is an error, never dropped.
AGENCY_ALIASES = {
    "barnstable county sheriff's office": "25001",
    "bristol county sheriff's office": "25005",
    "bristol county": "25005",  # WaPo's second Bristol row (ORI MA0030000, 'Terminated by DHS')
    "plymouth county sheriff's department": "25023",
    "massachusetts department of corrections": DOC_KEY,
    "massachusetts department of correction": DOC_KEY,
    "department of corrections": DOC_KEY,
    "massachusetts of corrections": DOC_KEY,  # the 2025 scrape drops 'department'
    "framingham police department": "framingham_pd",
}

# (agency key, year) -> why the panel differs from the Washington Post flags.
WAPO_DISAGREEMENTS = {
    ("25001", year): "Barnstable's 2007 agreement is on ICE's lists of 2007-09-19 and 2008-03-10 and was named as "
    "participating on 2009-03-22; ICE suspended it in 2009 before it operated. WaPo flags start in 2018."
    for year in (2007, 2008, 2009)
}

# Agreements signed and on ICE's lists that never operated, keyed by (agency key, start_bracket_from):
# their years are paper years, never operational years.
NEVER_OPERATIONAL = {
    ("25001", "2007-06-01"): "Barnstable's 2007 agreement: on ICE's lists of 2007-09-19 and 2008-03-10 and named as "
    "participating on 2009-03-22, but the sheriff said ICE suspended the program 'before it "
    "ever got off the ground' (Boston Globe 2009-10-01, cited in agreements_287g.csv).",
}

_SRC = "data/reference/agreements_287g.csv; WaPo flags; ICE 287(g) lists (DDP, Appelson)"
AGREEMENTS_287G_YEARS_SCHEMA = table_schema(
    "agreements_287g_years",
    "287(g) agreement in force, per Massachusetts sheriff (14 counties) and the state Department of Correction and "
    "calendar year 2005-2025, one row per agency x year; counties with no agreement have explicit False rows. A year "
    "is True when a list snapshot, a WaPo flag or the bracketed agreement period shows an agreement in force at some "
    "point in it. Police agreements (Framingham PD 2007-2009, State Police 2006-2007) are not in the panel.",
    {
        "county_fips": col(
            "str",
            "5-char FIPS of the sheriff's county; null for the state DOC",
            source=REFERENCE,
            nullable=True,
            checks=[pa.Check.isin(COUNTY_FIPS)],
        ),
        "agency": col(
            "str",
            "sheriff's office (data/reference/counties.csv) or 'Massachusetts Department of Correction'",
            source="data/reference/counties.csv",
        ),
        "agency_type": col(
            "str", "sheriff or state_doc", source=REFERENCE, checks=[pa.Check.isin(["sheriff", "state_doc"])]
        ),
        "year": col("int64", "calendar year", unit="year", checks=[pa.Check.in_range(FIRST_YEAR, LAST_YEAR)]),
        "agreement_287g": col(
            "bool",
            "True when a 287(g) agreement was in force at some point in the year, operating "
            "or on paper only (operational or paper)",
            source=_SRC,
        ),
        "agreement_287g_operational": col(
            "bool",
            "operational year: an agreement that operated was in force and "
            "operating for at least part of the year (first to last date a source shows "
            "it in force)",
            source=_SRC,
        ),
        "agreement_287g_paper": col(
            "bool",
            "paper year: only an agreement that was signed and listed but never "
            "operated (NEVER_OPERATIONAL) covers the year",
            source=_SRC,
        ),
        "evidence": col(
            "str",
            "which lists show the agency that year (or that the year is counted from the reference agreement period)",
            source=_SRC,
        ),
        "source": col(
            "str",
            "reference table and input file ids used for the row (data/sources.yaml), ' ; '-separated",
            source="data/sources.yaml",
        ),
    },
    unique=["agency", "year"],
)


# ----------------------------------------------------------------------------- agency names


def normalise_agency(name: str) -> str:
    """Lower case, straight apostrophes, single spaces."""
    return re.sub(r"\s+", " ", str(name).replace("\u2019", "'")).strip().lower()


def agency_key(name: str, where: str) -> str:
    """The project key of a Massachusetts agency named in a list; SchemaError for an unknown name."""
    key = AGENCY_ALIASES.get(normalise_agency(name))
    if key is None:
        raise SchemaError(
            f"{where}: Massachusetts agency {name!r} is not in the 287(g) agency crosswalk\n"
            "  what to do: add its normalised name to AGENCY_ALIASES in ma_ice_coop/loaders/agreements_287g.py "
            "(and an agreement period to data/reference/agreements_287g.csv if it is a sheriff or the DOC)"
        )
    return key


def _require_columns(frame: pd.DataFrame, columns: list[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{where}: missing columns {missing} (found {list(frame.columns)})\n"
            "  what to do: restore the registered file (make data) or update this loader for the new layout"
        )


def _input(file_id: str, path: Path | None) -> Path:
    if path is not None:
        return Path(path)

    return input_path(file_id)


# ----------------------------------------------------------------------------- WaPo flags


def read_wapo_ma_flags(path: Path | None = None, file_id: str = WAPO_FILE) -> pd.DataFrame:
    """WaPo flags for Massachusetts agencies: agency_key, year 2005-2019, flagged (bool); rows OR-ed per key."""
    path = _input(file_id, path)
    raw = pd.read_excel(path, engine="calamine")
    year_cols = [f"y{y}" for y in WAPO_YEARS]
    _require_columns(raw, ["State", "County", *year_cols], f"{file_id} ({path})")
    ma = raw[raw["State"].astype("str").str.strip().str.upper() == MA_STATE]
    records = []
    for _, row in ma.iterrows():
        key = agency_key(row["County"], f"{file_id} ({path})")
        for year, column in zip(WAPO_YEARS, year_cols, strict=True):
            value = "" if pd.isna(row[column]) else str(row[column]).strip().upper()
            if value not in ("", "X"):
                raise SchemaError(
                    f"{file_id} ({path}): column {column} has {value!r} for {row['County']!r}\n"
                    "  what to do: flags are 'X' or blank; check the workbook"
                )
            records.append((key, year, value == "X"))
    flags = pd.DataFrame(records, columns=["agency_key", "year", "flagged"])
    return flags.groupby(["agency_key", "year"], as_index=False)["flagged"].any()


# ----------------------------------------------------------------------------- ICE list snapshots


def derive_appelson_2025_ma(path: Path | None = None) -> pd.DataFrame:
    """MA rows of Appelson's national 2025 agreements.csv, as text (the `appelson_287g_2025_ma` extract)."""
    path = _input(APPELSON_2025_FILE, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require_columns(raw, ["date", "state", "agency", "type"], f"{APPELSON_2025_FILE} ({path})")
    return raw[raw["state"] == MA_STATE].reset_index(drop=True)


def _snapshots(frame: pd.DataFrame, date_col: str, file_id: str, path) -> pd.DataFrame:
    """(file_id, as_of date, agency_key) for every row; as_of from the first 10 characters of date_col."""
    where = f"{file_id} ({path})"
    as_of = pd.to_datetime(frame[date_col].str[:10], format="%Y-%m-%d", errors="coerce")
    if as_of.isna().any():
        bad = frame.loc[as_of.isna(), date_col].tolist()[:3]
        raise SchemaError(
            f"{where}: column {date_col!r} has values that are not dates {bad}\n"
            "  what to do: restore the registered file"
        )
    keys = [agency_key(name, where) for name in frame["agency"]]
    return pd.DataFrame({"file_id": file_id, "as_of": as_of.dt.date, "agency_key": keys})


def read_list_snapshots(
    ddp_path: Path | None = None, appelson_path: Path | None = None, appelson_2025_path: Path | None = None
) -> pd.DataFrame:
    """Every Massachusetts agency on every ICE list snapshot: file_id, as_of (date), agency_key; deduplicated.

    Each snapshot date is known from its rows (every list in these inputs names the DOC).
    """
    ddp_path = _input(DDP_FILE, ddp_path)
    ddp = pd.read_csv(ddp_path, dtype=str, keep_default_na=False)
    _require_columns(ddp, ["as_of", "agency"], f"{DDP_FILE} ({ddp_path})")
    appelson_path = _input(APPELSON_2021_2024_FILE, appelson_path)
    app = pd.read_csv(appelson_path, dtype=str, keep_default_na=False)
    _require_columns(app, ["capture_date", "state", "agency"], f"{APPELSON_2021_2024_FILE} ({appelson_path})")
    app25 = derive_appelson_2025_ma(appelson_2025_path)
    frames = [
        _snapshots(ddp, "as_of", DDP_FILE, ddp_path),
        _snapshots(app, "capture_date", APPELSON_2021_2024_FILE, appelson_path),
        _snapshots(app25, "date", APPELSON_2025_FILE, appelson_2025_path or APPELSON_2025_FILE),
    ]
    out = pd.concat(frames, ignore_index=True).drop_duplicates()
    return out.sort_values(["as_of", "agency_key"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- the panel


def panel_agencies() -> pd.DataFrame:
    """The 15 panel agencies: agency_key, county_fips (None for DOC), agency, agency_type."""

    counties = load_counties()
    rows = [
        (f, f, office, "sheriff") for f, office in zip(counties["county_fips"], counties["sheriff_office"], strict=True)
    ]
    rows.append((DOC_KEY, None, DOC_AGENCY, "state_doc"))
    return pd.DataFrame(rows, columns=["agency_key", "county_fips", "agency", "agency_type"])


def known_periods(agreements: pd.DataFrame, latest_list: date) -> pd.DataFrame:
    """agency_key, first and last day each agreement is known in force, exit_to (end_bracket_to or None);
    sheriffs and DOC only. Open agreements are known in force up to the latest list."""
    kept = agreements[agreements["agency_type"].isin(["sheriff", "state_doc"])]
    keys = [f if t == "sheriff" else DOC_KEY for f, t in zip(kept["county_fips"], kept["agency_type"], strict=True)]
    last = [pd.Timestamp(latest_list) if pd.isna(e) else e for e in kept["end_bracket_from"]]
    exit_to = [None if pd.isna(e) else e.date() for e in kept["end_bracket_to"]]
    operational = [
        (k, pd.Timestamp(s).date().isoformat()) not in NEVER_OPERATIONAL
        for k, s in zip(keys, kept["start_bracket_from"], strict=True)
    ]
    return pd.DataFrame(
        {
            "agency_key": keys,
            "first": [t.date() for t in kept["start_bracket_to"]],
            "last": [pd.Timestamp(t).date() for t in last],
            "exit_to": exit_to,
            "operational": operational,
        }
    )


def in_force_on(periods: pd.DataFrame, key: str, day: date) -> bool:
    """Known in force on `day`."""
    sub = periods[periods["agency_key"] == key]
    return bool(((sub["first"] <= day) & (sub["last"] >= day)).any())


def in_force_in_year(periods: pd.DataFrame, key: str, year: int) -> bool:
    """Known in force at some point in `year`."""
    sub = periods[periods["agency_key"] == key]
    return bool(((sub["first"] <= date(year, 12, 31)) & (sub["last"] >= date(year, 1, 1))).any())


def _list_text(days: list[date]) -> str:
    days = sorted(set(days))
    if len(days) > 3:
        return f"ICE lists {days[0]}..{days[-1]} ({len(days)} dates)"
    return "ICE list" + ("s " if len(days) > 1 else " ") + ", ".join(str(d) for d in days)


def evidence_for(
    key: str, year: int, flag: bool, wapo: pd.DataFrame, snaps: pd.DataFrame, periods: pd.DataFrame
) -> tuple[str, str]:
    """(evidence text, source ids) for one agency-year: what the WaPo flags and the ICE lists of that year show."""
    sources = [REFERENCE]
    parts = []
    if year in WAPO_YEARS:
        sources.append(WAPO_FILE)
        flagged = bool(wapo[(wapo["agency_key"] == key) & (wapo["year"] == year)]["flagged"].any())
        if flagged:
            parts.append("WaPo flag")
        else:
            parts.append(
                "not flagged by WaPo" + (" (documented disagreement)" if (key, year) in WAPO_DISAGREEMENTS else "")
            )
    year_snaps = snaps[[d.year == year for d in snaps["as_of"]]]
    if len(year_snaps):
        sources.extend(sorted(set(year_snaps["file_id"])))
        on = year_snaps[year_snaps["agency_key"] == key]["as_of"].tolist()
        parts.append(_list_text(on) if on else "not on " + _list_text(year_snaps["as_of"].tolist()))
    positive = any(p == "WaPo flag" or p.startswith("ICE list") for p in parts)
    if flag and not positive:
        parts.append("in force per the bracketed agreement period in the reference table")
    paper = periods[(periods["agency_key"] == key) & ~periods["operational"]]
    if flag and in_force_in_year(paper, key, year) and not in_force_in_year(periods[periods["operational"]], key, year):
        parts.append("paper year: the agreement never operated (NEVER_OPERATIONAL)")
    if not flag:
        ended = periods[(periods["agency_key"] == key) & periods["exit_to"].notna()]
        for last, exit_to in zip(ended["last"], ended["exit_to"], strict=True):
            if last.year < year <= exit_to.year:
                parts.append(f"exit bracketed {last}..{exit_to}, no source shows it in force this year")
    if not parts:
        parts.append("no list this year; no agreement period covers it")
    return "; ".join(parts), " ; ".join(dict.fromkeys(sources))


def check_year_range(first_year: int, last_year: int) -> None:
    """Years within the evidence (2005..2025) and in order; ParameterError listing the valid range."""
    ok = all(isinstance(y, int) and FIRST_YEAR <= y <= LAST_YEAR for y in (first_year, last_year))
    if not ok or first_year > last_year:
        raise ParameterError(
            f"years {first_year}..{last_year} are not a valid period for the 287(g) panel: "
            f"valid years are {FIRST_YEAR}..{LAST_YEAR} (WaPo flags start in {FIRST_YEAR}; the latest "
            f"ICE list is from {LAST_YEAR}), with first_year <= last_year"
        )


def check_against_lists(panel: pd.DataFrame, periods: pd.DataFrame, wapo: pd.DataFrame, snaps: pd.DataFrame) -> None:
    """Raise SchemaError where the reference periods contradict a list snapshot or (undocumented) a WaPo flag."""
    keys = set(panel["agency_key"])
    for _, snap in snaps.drop_duplicates(["as_of"]).iterrows():
        listed = set(snaps[snaps["as_of"] == snap["as_of"]]["agency_key"]) & keys
        for key in sorted(keys):
            known = in_force_on(periods, key, snap["as_of"])
            if key in listed and not in_force_in_year(periods, key, snap["as_of"].year):
                problem = f"{key} is on the ICE list of {snap['as_of']} but no agreement period covers that year"
            elif key not in listed and known:
                problem = f"{key} is known in force on {snap['as_of']} but absent from that ICE list"
            else:
                continue
            raise SchemaError(f"{REFERENCE}: {problem}\n  what to do: correct the bracket dates in {REFERENCE}")
    merged = panel.merge(wapo, on=["agency_key", "year"], how="inner")
    merged["flagged"] = merged["flagged"].astype("bool")
    differ = merged[merged["agreement_287g"] != merged["flagged"]]
    undocumented = [
        (k, y) for k, y in zip(differ["agency_key"], differ["year"], strict=True) if (k, y) not in WAPO_DISAGREEMENTS
    ]
    if undocumented:
        raise SchemaError(
            f"{REFERENCE}: the panel differs from the WaPo flags for {undocumented}\n  what to do: correct "
            "the agreement periods, or document the disagreement in WAPO_DISAGREEMENTS with its evidence"
        )


def load_agreements_287g_years(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> pd.DataFrame:
    """Agency x year panel of 287(g) agreements in force (14 sheriffs + state DOC), validated and sorted."""

    check_year_range(first_year, last_year)
    wapo = read_wapo_ma_flags()
    snaps = read_list_snapshots()
    periods = known_periods(load_agreements_287g(), max(snaps["as_of"]))
    agencies = panel_agencies()
    records = []
    operating = periods[periods["operational"]]
    for agency in agencies.itertuples(index=False):
        for year in range(first_year, last_year + 1):
            flag = in_force_in_year(periods, agency.agency_key, year)
            operational = in_force_in_year(operating, agency.agency_key, year)
            evidence, sources = evidence_for(agency.agency_key, year, flag, wapo, snaps, periods)
            records.append(
                (
                    agency.agency_key,
                    agency.county_fips,
                    agency.agency,
                    agency.agency_type,
                    year,
                    flag,
                    operational,
                    flag and not operational,
                    evidence,
                    sources,
                )
            )
    panel = pd.DataFrame(
        records,
        columns=[
            "agency_key",
            "county_fips",
            "agency",
            "agency_type",
            "year",
            "agreement_287g",
            "agreement_287g_operational",
            "agreement_287g_paper",
            "evidence",
            "source",
        ],
    )
    check_against_lists(panel, periods, wapo, snaps)
    panel = panel.astype(
        {
            "county_fips": "str",
            "agency": "str",
            "agency_type": "str",
            "year": "int64",
            "agreement_287g": "bool",
            "agreement_287g_operational": "bool",
            "agreement_287g_paper": "bool",
            "evidence": "str",
            "source": "str",
        }
    )
    panel = panel.sort_values(["agency_type", "county_fips", "year"], na_position="last").reset_index(drop=True)
    return AGREEMENTS_287G_YEARS_SCHEMA.validate(panel[list(AGREEMENTS_287G_YEARS_SCHEMA.columns)])
