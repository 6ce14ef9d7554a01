"""The coded sheriff-policy table (data/reference/sheriff_policies.csv): the real file loads and covers every
office x question, its 287(g) rows agree with agreements_287g.csv, each bad input is a clear error, and
policy_as_of picks the right row.

Bad-input tests use small fixtures written to tmp_path in the file's schema: one row per county x question
(14 x 7 = 98 rows, the least a valid file can have), then one cell changed."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.tables import policies as pol
from ma_ice_coop.tables import reference as ref
from ma_ice_coop.tables.fips import COUNTY_FIPS

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"


# ----------------------------------------------------------------------------- the real file


def test_real_file_loads_and_covers_every_cell():
    table = pol.load_sheriff_policies()
    assert list(table.columns) == pol.POLICY_COLUMNS
    cells = set(zip(table["county_fips"], table["policy"], strict=True))
    assert cells == {(f, p) for f in COUNTY_FIPS for p in pol.POLICY_QUESTIONS}
    assert len(pol.POLICY_QUESTIONS) == 7 and pol.POLICY_QUESTIONS["notifies_release_dates"]
    assert (table["source_url"] != "").all()


def test_real_file_is_sorted_and_quoted_as_written():
    """The committed file is in the loader's order (county, policy, date) and parses with the csv module."""
    with (REFERENCE_DIR / pol.POLICIES_FILE).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(pol.load_sheriff_policies())
    keys = [(r["county_fips"], r["policy"], ref.first_day(r["date"])) for r in rows]
    assert keys == sorted(keys)


def test_lunn_row_for_every_office():
    """Every office that runs a jail has the 2017-07-24 'no' row citing Lunn; Nantucket's is not_applicable."""
    table = pol.load_sheriff_policies()
    lunn = table[(table["policy"] == "honors_hold_requests") & (table["date"] == "2017-07-24")]
    assert sorted(lunn["county_fips"]) == COUNTY_FIPS
    assert set(lunn.loc[lunn["county"] != "Nantucket", "value"]) == {"no"}
    assert set(lunn.loc[lunn["county"] == "Nantucket", "value"]) == {"not_applicable"}
    assert lunn["source_url"].str.contains("sjc-12276").all()


def test_unknown_rows_are_dated_at_the_search_and_say_what_was_searched():
    table = pol.load_sheriff_policies()
    unknown = table[table["value"] == "unknown"]
    assert set(unknown["date"]) == {pol.UNKNOWN_AS_OF}
    assert (unknown["notes"].str.len() > 20).all()


def test_287g_rows_agree_with_agreements_table():
    """'yes' rows start an agreement period (signed or start_bracket_from); 'no' rows after a 'yes' fall in that
    period's end bracket; offices without an agreement have only 'no'."""
    table = pol.load_sheriff_policies()
    rows = table[table["policy"] == "agreement_287g"]
    agreements = ref.load_agreements_287g()
    sheriffs = agreements[agreements["agency_type"] == "sheriff"]
    starts = {(f, s) for f, s in zip(sheriffs["county_fips"], sheriffs["signed"], strict=True) if s}
    starts |= {
        (f, d.date().isoformat()) for f, d in zip(sheriffs["county_fips"], sheriffs["start_bracket_from"], strict=True)
    }
    for fips, group in rows.groupby("county_fips"):
        periods = sheriffs[sheriffs["county_fips"] == fips].sort_values("start_bracket_from")
        yes = group[group["value"] == "yes"]
        assert len(yes) == len(periods), fips
        assert all((fips, d) in starts for d in yes["date"]), fips
        ends = group[(group["value"] == "no") & (group["date"] > (yes["date"].min() if len(yes) else "9999"))]
        assert len(ends) == len(periods), fips
        for (_, end), (_, period) in zip(ends.iterrows(), periods.iterrows(), strict=True):
            first, last = ref.date_bounds(end["date"])
            assert period["end_bracket_from"].date() <= last and first <= period["end_bracket_to"].date(), fips
        assert set(group["value"]) <= {"yes", "no"}
    assert sorted(sheriffs["county_fips"].unique()) == ["25001", "25005", "25023"]


def test_287g_rows_cite_the_agreements_sources():
    table = pol.load_sheriff_policies()
    yes = table[(table["policy"] == "agreement_287g") & (table["value"] == "yes")]
    sources = set(ref.load_agreements_287g()["source_url"])
    assert set(yes["source_url"]) <= sources
    assert set(yes["source_kind"]) == {"reference_table"}


def test_bed_contracts_match_the_timeline():
    """Offices whose ICE bed contract ended (policy_timeline.csv) have a 'no' row on that date."""
    table = pol.load_sheriff_policies()
    timeline = ref.load_policy_timeline()
    ends = timeline[timeline["category"] == "detention_contract_end"]
    for _, event in ends.iterrows():
        rows = table[(table["county_fips"] == event["county_fips"]) & (table["policy"] == "ice_bed_contract")]
        assert ((rows["value"] == "no") & (rows["date"] == event["date"])).any(), event["county_fips"]
    latest = pol.policy_as_of(table)
    beds = latest[(latest["policy"] == "ice_bed_contract") & (latest["value"] == "yes")]
    assert list(beds["county"]) == ["Plymouth"]


# ----------------------------------------------------------------------------- small fixtures


def fixture_rows() -> list[dict[str, str]]:
    """The smallest valid table: one 'unknown' row per county x question, in the file's schema."""
    counties = ref.load_counties()
    rows = []
    for fips, county, office in zip(
        counties["county_fips"], counties["county"], counties["sheriff_office"], strict=True
    ):
        for policy in pol.POLICY_QUESTIONS:
            rows.append(
                {
                    "county_fips": fips,
                    "county": county,
                    "office": office,
                    "policy": policy,
                    "value": "unknown",
                    "date": pol.UNKNOWN_AS_OF,
                    "date_precision": "day",
                    "statement": "No source found.",
                    "source_url": "https://example.org/searched",
                    "source_kind": "news",
                    "confidence": "low",
                    "notes": "Searched the test corpus.",
                }
            )
    return rows


def write_fixture(tmp_path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    path = tmp_path / pol.POLICIES_FILE
    columns = columns or pol.POLICY_COLUMNS
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_fixture_is_valid(tmp_path):
    table = pol.load_sheriff_policies(write_fixture(tmp_path, fixture_rows()))
    assert len(table) == 98


def expect_error(path: Path, *fragments: str) -> None:
    with pytest.raises(SchemaError) as caught:
        pol.load_sheriff_policies(path)
    message = str(caught.value)
    assert pol.POLICIES_FILE in message and "what to do" in message, message
    for fragment in fragments:
        assert fragment in message, message


def _changed(column: str, value: str, row: int = 3):
    rows = fixture_rows()
    rows[row][column] = value
    return rows


def test_missing_column(tmp_path):
    columns = [c for c in pol.POLICY_COLUMNS if c != "source_kind"]
    expect_error(write_fixture(tmp_path, fixture_rows(), columns), "missing columns", "source_kind")


def test_unknown_fips(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("county_fips", "25099")), "'25099'", "row 4", "county_fips")


def test_county_does_not_match_fips(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("county", "Essex")), "'Essex'", "25001", "row 4", "'Barnstable'")


def test_office_does_not_match_fips(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("office", "Barnstable Sheriff")), "office", "row 4")


def test_unknown_policy(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("policy", "sanctuary")), "'sanctuary'", "row 4", "policy")


def test_unknown_value(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("value", "maybe")), "'maybe'", "row 4", "value")


def test_statement_value_on_a_policy_question(tmp_path):
    rows = _changed("value", "supports", row=3)  # row 3 is Barnstable agreement_287g, which takes yes/no/...
    expect_error(write_fixture(tmp_path, rows), "'supports'", "agreement_287g", "row 4")


def test_bad_date(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("date", "2017-13-01")), "not a valid date", "row 4", "date")


def test_precision_must_match_date(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("date_precision", "month")), "set date_precision to 'day'")


def test_empty_source_url(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("source_url", "")), "source_url", "row 4")


def test_unknown_row_needs_notes(tmp_path):
    expect_error(write_fixture(tmp_path, _changed("notes", "")), "no notes", "row 4")


def test_missing_cell(tmp_path):
    rows = [r for r in fixture_rows() if not (r["county"] == "Dukes" and r["policy"] == "ice_bed_contract")]
    expect_error(write_fixture(tmp_path, rows), "1 county x question cells", "25007 ice_bed_contract")


def test_missing_file(tmp_path):
    with pytest.raises(SchemaError, match="file not found"):
        pol.load_sheriff_policies(tmp_path / pol.POLICIES_FILE)


# ----------------------------------------------------------------------------- policy_as_of


def _history(tmp_path: Path) -> pd.DataFrame:
    """Barnstable's 287(g) cell with four dated rows at mixed precision, the rest unknown."""
    rows = [r for r in fixture_rows() if not (r["county"] == "Barnstable" and r["policy"] == "agreement_287g")]
    base = next(r for r in fixture_rows() if r["county"] == "Barnstable" and r["policy"] == "agreement_287g")
    for value, date, precision in [("yes", "2007-06", "month"), ("no", "2009", "year"), ("yes", "2017-12-20", "day")]:
        rows.append({**base, "value": value, "date": date, "date_precision": precision, "notes": ""})
    return pol.load_sheriff_policies(write_fixture(tmp_path, rows))


def _cell(latest: pd.DataFrame, county: str, policy: str) -> pd.Series:
    found = latest[(latest["county"] == county) & (latest["policy"] == policy)]
    assert len(found) <= 1
    return found.iloc[0] if len(found) else None


def test_policy_as_of_picks_latest_row_on_or_before(tmp_path):
    table = _history(tmp_path)
    assert _cell(pol.policy_as_of(table, "2008-01-01"), "Barnstable", "agreement_287g")["value"] == "yes"
    assert _cell(pol.policy_as_of(table, "2009-06"), "Barnstable", "agreement_287g")["date"] == "2009"
    assert _cell(pol.policy_as_of(table, "2017-12-20"), "Barnstable", "agreement_287g")["date"] == "2017-12-20"
    assert _cell(pol.policy_as_of(table, "2007-06-15"), "Barnstable", "agreement_287g")["date"] == "2007-06"
    assert _cell(pol.policy_as_of(table, "2007-05-31"), "Barnstable", "agreement_287g") is None


def test_policy_as_of_default_is_latest_word_with_all_columns(tmp_path):
    table = _history(tmp_path)
    latest = pol.policy_as_of(table)
    assert list(latest.columns) == pol.POLICY_COLUMNS and len(latest) == 98
    assert _cell(latest, "Barnstable", "agreement_287g")["value"] == "yes"
    assert not latest.duplicated(["county_fips", "policy"]).any()


def test_policy_as_of_on_the_real_file():
    table = pol.load_sheriff_policies()
    assert _cell(pol.policy_as_of(table, "2018-06-30"), "Bristol", "agreement_287g")["value"] == "yes"
    assert _cell(pol.policy_as_of(table, "2021-12-31"), "Bristol", "agreement_287g")["value"] == "no"
    assert _cell(pol.policy_as_of(table, "2019-06-30"), "Suffolk", "ice_bed_contract")["value"] == "yes"
    assert _cell(pol.policy_as_of(table, "2020-01-01"), "Suffolk", "ice_bed_contract")["value"] == "no"


def test_policy_as_of_rejects_a_bad_date():
    with pytest.raises(ParameterError, match="not an ISO date"):
        pol.policy_as_of(pol.load_sheriff_policies(), "July 2017")
