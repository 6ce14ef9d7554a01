"""The reference tables in data/reference/: they validate, agree with each other and with the 2022 returns,
carry the events the reports need, and each validator rejects a damaged copy with a clear error."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables import reference as ref
from ma_ice_coop.tables.schemas import COUNTY_FIPS

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"


# ----------------------------------------------------------------------------- the real tables


def test_counties_table():
    counties = ref.load_counties()
    assert list(counties["county_fips"]) == COUNTY_FIPS
    assert list(counties.loc[~counties["houses_own_prisoners"], "county"]) == ["Nantucket"]
    assert counties["houses_own_prisoners"].dtype == bool
    assert not counties["county"].str.contains("County").any()


def test_county_names():
    names = ref.county_names()
    assert len(names) == 14 and names["25009"] == "Essex" and names["25019"] == "Nantucket"


def test_sheriffs_table():
    sheriffs = ref.load_sheriffs()
    assert len(sheriffs) == 29
    assert set(sheriffs["county_fips"]) == set(COUNTY_FIPS)
    assert set(sheriffs["party"]) <= set(ref.PARTIES)
    assert sheriffs["party_confirmed"].dtype == bool
    # one sheriff per county in office in mid-2023 and in mid-2008
    for day in ("2023-06-01", "2008-06-01"):
        assert sorted(ref.sheriffs_in_office(day)["county_fips"]) == COUNTY_FIPS


def _surname(name: str) -> str:
    words = [w for w in re.sub(r"[().,]", " ", name).split() if w not in ("Jr", "Jerry", "Nick")]
    return words[-1].upper()


def test_sheriffs_match_2022_returns():
    """The sheriff in office in 2023 is the 2022 winner (most votes, MEDSL county sums), with the same party."""
    from ma_ice_coop.sources.registry import input_path

    returns = pd.read_csv(input_path("medsl_2022_county_sheriff_governor_ma"), dtype={"county_fips": str})
    sheriff = returns[(returns["office"] == "SHERIFF") & ~returns["candidate"].isin(["BLANK", "WRITEIN"])]
    winners = sheriff.sort_values("votes").groupby("county_fips").tail(1).set_index("county_fips")
    in_office = ref.sheriffs_in_office("2023-06-01").set_index("county_fips")
    assert sorted(winners.index) == COUNTY_FIPS
    party = {"DEMOCRAT": "D", "REPUBLICAN": "R"}
    for fips, row in in_office.iterrows():
        assert _surname(row["sheriff_name"]) in winners.loc[fips, "candidate"], fips
        assert party[winners.loc[fips, "party_detailed"]] == row["party"], fips


def test_agreements_table():
    agreements = ref.load_agreements_287g()
    sheriffs = agreements[agreements["agency_type"] == "sheriff"]
    assert sorted(set(sheriffs["county_fips"])) == ["25001", "25005", "25023"]
    active = agreements[agreements["status_as_of_latest_list"] == "active"]
    assert list(active["agency_type"]) == ["state_doc"]
    assert str(agreements["start_bracket_from"].dtype).startswith("datetime64")
    # the sheriff rows use the office names of counties.csv
    offices = dict(zip(ref.load_counties()["county_fips"], ref.load_counties()["sheriff_office"], strict=True))
    assert all(offices[f] == a for f, a in zip(sheriffs["county_fips"], sheriffs["agency"], strict=True))


def _events(timeline, category, fips=""):
    return timeline[(timeline["category"] == category) & (timeline["county_fips"] == fips)]


def test_timeline_has_the_events_the_reports_need():
    t = ref.load_policy_timeline()
    dates = set(zip(t["date"], t["category"], strict=True))
    assert ("2012-05-15", "federal_action") in dates  # Secure Communities switched on in MA
    assert ("2017-07-24", "court_ruling") in dates  # Lunn v. Commonwealth
    assert ("2007-03-26", "287g_start") in dates  # DOC
    assert set(_events(t, "287g_start", "25005")["date"]) == {"2017-01-18"}
    assert set(_events(t, "287g_end", "25005")["date"]) == {"2021-05-20"}
    assert set(_events(t, "287g_start", "25023")["date"]) == {"2017-01-18"}
    assert set(_events(t, "287g_end", "25023")["date"]) == {"2021-09-10"}
    assert set(_events(t, "287g_start", "25001")["date"]) == {"2007-06", "2017-12-20"}
    assert set(_events(t, "287g_end", "25001")["date"]) == {"2009", "2023-01-04"}
    ends = t[t["category"] == "detention_contract_end"]
    assert set(ends["county_fips"]) == {"25025", "25011", "25005"}
    elections = t[(t["category"] == "election") & (t["date"] == "2022-11-08")]
    assert set(elections["county_fips"]) == {"", "25001", "25005"}
    federal_2025 = t[(t["level"] == "federal") & t["date"].str.startswith("2025")]
    assert len(federal_2025) >= 5
    assert t["date"].tolist() == sorted(t["date"].tolist(), key=lambda d: ref.date_bounds(d)[0])


def test_timeline_carries_no_popular_wrong_claims():
    t = ref.load_policy_timeline()
    text = " ".join(t["event"] + " " + t["notes"]).lower()
    for claim in (
        "massachusetts has a trust act",
        "state trust act",
        "honor detainers for serious crimes",
        "honors detainers for serious crimes",
    ):
        assert claim not in text
    assert "massachusetts has no trust act" in text
    # the statewide bills are recorded as not enacted
    for _, row in t[(t["level"] == "state") & t["event"].str.contains("Safe Communities|PROTECT Act")].iterrows():
        assert re.search(r"not enacted|never (?:became )?law|not law", row["event"] + " " + row["notes"]), row["date"]


def test_timeline_287g_dates_fall_in_the_agreement_brackets():
    """Every sheriff 287(g) start/end event lies inside the bracket of an agreement period of that county."""
    t = ref.load_policy_timeline()
    agreements = ref.load_agreements_287g()
    for _, event in t[t["category"].isin(["287g_start", "287g_end"]) & (t["county_fips"] != "")].iterrows():
        first, last = ref.date_bounds(event["date"])
        side = "start" if event["category"] == "287g_start" else "end"
        rows = agreements[agreements["county_fips"] == event["county_fips"]]
        lo, hi = rows[f"{side}_bracket_from"].dt.date, rows[f"{side}_bracket_to"].dt.date
        assert ((lo <= last) & (hi >= first)).any(), (event["county_fips"], event["date"])


@pytest.mark.parametrize("name", [ref.COUNTIES_FILE, ref.SHERIFFS_FILE, ref.AGREEMENTS_FILE, ref.TIMELINE_FILE])
def test_every_row_cites_sources(name):
    frame = pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)
    assert (frame["source_url"].str.len() > 0).all()
    assert frame["source_url"].str.split(" ; ").map(lambda us: all(u.startswith("http") for u in us)).all()


# ----------------------------------------------------------------------------- damaged copies

LOADERS = {
    ref.COUNTIES_FILE: ref.load_counties,
    ref.SHERIFFS_FILE: ref.load_sheriffs,
    ref.AGREEMENTS_FILE: ref.load_agreements_287g,
    ref.TIMELINE_FILE: ref.load_policy_timeline,
}


def damaged_copy(tmp_path: Path, name: str, change) -> Path:
    """A copy of a reference table with `change(frame)` applied, written to tmp_path."""
    frame = pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)
    frame = change(frame)
    out = tmp_path / name
    frame.to_csv(out, index=False)
    return out


def expect_error(tmp_path, name, change, *fragments):
    path = damaged_copy(tmp_path, name, change)
    with pytest.raises(SchemaError) as caught:
        LOADERS[name](path)
    message = str(caught.value)
    assert name in message and "what to do" in message
    for fragment in fragments:
        assert fragment in message, message


def _set(column, value, row=0):
    def change(frame):
        frame.loc[row, column] = value
        return frame

    return change


@pytest.mark.parametrize(
    "name,column",
    [
        (ref.COUNTIES_FILE, "sheriff_hq_town"),
        (ref.SHERIFFS_FILE, "term_end"),
        (ref.AGREEMENTS_FILE, "end_bracket_to"),
        (ref.TIMELINE_FILE, "date_precision"),
    ],
)
def test_missing_column(tmp_path, name, column):
    expect_error(tmp_path, name, lambda f: f.drop(columns=column), "missing columns", column)


@pytest.mark.parametrize("name", [ref.COUNTIES_FILE, ref.SHERIFFS_FILE, ref.AGREEMENTS_FILE, ref.TIMELINE_FILE])
def test_unknown_fips(tmp_path, name):
    frame = pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["county_fips"] == "25001"][0])  # a row that carries a county
    expect_error(tmp_path, name, _set("county_fips", "25099", row), "'25099'", "county_fips", f"row {row + 1}")


def test_sheriff_term_end_before_start(tmp_path):
    expect_error(tmp_path, ref.SHERIFFS_FILE, _set("term_end", "1990-01", 0), "term_end 1990-01 is before", "row 1")


def test_agreement_end_before_start(tmp_path):
    frame = pd.read_csv(REFERENCE_DIR / ref.AGREEMENTS_FILE, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["county_fips"] == "25005"][0])
    expect_error(
        tmp_path,
        ref.AGREEMENTS_FILE,
        _set("end_bracket_from", "2016-01-01", row),
        "before start_bracket_to",
        f"row {row + 1}",
    )


def test_timeline_bad_date_and_precision(tmp_path):
    expect_error(tmp_path, ref.TIMELINE_FILE, _set("date", "2017-13-01", 0), "not a valid date")
    expect_error(tmp_path, ref.TIMELINE_FILE, _set("date_precision", "month", 0), "set date_precision to 'day'")


def test_timeline_unknown_category(tmp_path):
    expect_error(tmp_path, ref.TIMELINE_FILE, _set("category", "sanctuary_law", 0), "'sanctuary_law'", "category")


@pytest.mark.parametrize("name", [ref.COUNTIES_FILE, ref.SHERIFFS_FILE, ref.AGREEMENTS_FILE, ref.TIMELINE_FILE])
def test_missing_source_url(tmp_path, name):
    expect_error(tmp_path, name, _set("source_url", "", 1), "source_url", "row 2")


def test_counties_bad_boolean_and_duplicate(tmp_path):
    expect_error(tmp_path, ref.COUNTIES_FILE, _set("houses_own_prisoners", "maybe", 0), "not a boolean")
    expect_error(
        tmp_path, ref.COUNTIES_FILE, _set("county_fips", "25003", 0), "duplicated ['25003']", "missing ['25001']"
    )


def test_sheriffs_overlap_and_party(tmp_path):
    # Buckley (row 2) starting in 2020 overlaps Cummings (to 2023-01-04)
    expect_error(tmp_path, ref.SHERIFFS_FILE, _set("term_start", "2020-01", 1), "may not overlap")
    expect_error(tmp_path, ref.SHERIFFS_FILE, _set("party", "Democrat", 1), "'Democrat'", "party")


def test_agreement_status_must_match_end(tmp_path):
    frame = pd.read_csv(REFERENCE_DIR / ref.AGREEMENTS_FILE, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["agency_type"] == "state_doc"][0])
    expect_error(tmp_path, ref.AGREEMENTS_FILE, _set("status_as_of_latest_list", "ended", row), "does not match")


def test_missing_file(tmp_path):
    with pytest.raises(SchemaError, match="file not found"):
        ref.load_counties(tmp_path / "counties.csv")


def test_date_helpers():
    assert ref.date_bounds("2017")[1].isoformat() == "2017-12-31"
    assert ref.date_bounds("2024-02")[1].isoformat() == "2024-02-29"
    assert ref.date_precision("2017-01-18") == "day"
    with pytest.raises(ValueError):
        ref.date_bounds("2017-02-30")
