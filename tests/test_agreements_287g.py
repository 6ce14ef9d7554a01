"""The 287(g) agency x year panel: shape, the known histories, agreement with every ICE list snapshot and
with the Washington Post flags (documented exceptions only), and our derivation of the 2025 MA rows."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.sources.extracts import compare_frames, read_extract
from ma_ice_coop.tables.loaders import agreements_287g as g
from ma_ice_coop.tables.reference import load_agreements_287g
from ma_ice_coop.tables.schemas import COUNTY_FIPS

YEARS = list(range(2005, 2026))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return g.load_agreements_287g_years()


@pytest.fixture(scope="module")
def snaps() -> pd.DataFrame:
    return g.read_list_snapshots()


def years_true(panel, fips=None, doc=False):
    rows = panel[panel["agency_type"] == "state_doc"] if doc else panel[panel["county_fips"] == fips]
    assert len(rows) == len(YEARS)
    return sorted(rows.loc[rows["agreement_287g"], "year"])


def test_shape_and_schema(panel):
    assert len(panel) == 15 * 21
    assert panel["agency"].nunique() == 15
    assert sorted(panel["year"].unique()) == YEARS
    assert sorted(panel["county_fips"].dropna().unique()) == COUNTY_FIPS
    doc = panel[panel["agency_type"] == "state_doc"]
    assert doc["county_fips"].isna().all() and set(doc["agency"]) == {g.DOC_AGENCY}
    g.AGREEMENTS_287G_YEARS_SCHEMA.validate(panel)
    assert (panel["evidence"].str.len() > 0).all()
    assert panel["source"].str.startswith(g.REFERENCE).all()


def test_known_histories(panel):
    assert years_true(panel, "25005") == list(range(2017, 2022))  # Bristol: 2017-01-18 .. DHS 2021-05
    assert years_true(panel, "25023") == list(range(2017, 2022))  # Plymouth: 2017-01-18 .. 2021-09
    assert years_true(panel, "25001") == [2007, 2008, 2009, *range(2018, 2023)]  # Barnstable: 2007-09, 2018-22
    assert years_true(panel, doc=True) == list(range(2007, 2026))  # DOC: signed 2007-03-26, still active


def test_counties_without_agreement_are_explicit_zeros(panel):
    others = panel[panel["county_fips"].isin(set(COUNTY_FIPS) - {"25001", "25005", "25023"})]
    assert len(others) == 11 * 21 and not others["agreement_287g"].any()


def test_panel_agrees_with_every_list_snapshot(panel, snaps):
    """Listed on a snapshot => in force that year; in force from the brackets on that day => listed."""
    assert {"2007-09-19", "2008-03-10", "2010-10-29", "2021-01-13", "2022-08-09", "2024-12-18", "2025-07-03"} <= {
        str(d) for d in snaps["as_of"]
    }
    flags = panel.assign(key=panel["county_fips"].fillna(g.DOC_KEY)).set_index(["key", "year"])["agreement_287g"]
    periods = g.known_periods(load_agreements_287g(), max(snaps["as_of"]))
    for day, group in snaps.groupby("as_of"):
        listed = set(group["agency_key"])
        for key in [*COUNTY_FIPS, g.DOC_KEY]:
            if key in listed:
                assert flags[(key, day.year)], (key, day)
            else:
                assert not g.in_force_on(periods, key, day), (key, day)


def test_latest_lists_show_only_the_doc(snaps):
    recent = snaps[[d.year >= 2024 for d in snaps["as_of"]]]
    assert set(recent["agency_key"]) == {g.DOC_KEY}
    on_2022 = snaps[snaps["as_of"].astype(str) == "2022-08-09"]
    assert set(on_2022["agency_key"]) == {"25001", g.DOC_KEY}  # Plymouth and Bristol gone
    on_2021_07 = snaps[snaps["as_of"].astype(str) == "2021-07-26"]
    assert set(on_2021_07["agency_key"]) == {"25001", "25023", g.DOC_KEY}  # Bristol gone


def test_wapo_flags_agree_except_documented(panel):
    wapo = g.read_wapo_ma_flags()
    assert set(wapo["year"]) == set(range(2005, 2020))
    keyed = panel.assign(agency_key=panel["county_fips"].fillna(g.DOC_KEY))
    merged = keyed.merge(wapo, on=["agency_key", "year"], how="left")
    merged["flagged"] = merged["flagged"].fillna(False).astype(bool)
    early = merged[merged["year"] <= 2019]
    differ = early[early["agreement_287g"] != early["flagged"]]
    assert set(zip(differ["agency_key"], differ["year"], strict=True)) == set(g.WAPO_DISAGREEMENTS)
    documented = panel[panel["evidence"].str.contains("documented disagreement")]
    assert set(zip(documented["county_fips"], documented["year"], strict=True)) == set(g.WAPO_DISAGREEMENTS)


def test_both_wapo_workbooks_give_the_same_ma_flags():
    assert g.read_wapo_ma_flags(file_id="wapo_287g_2018").equals(g.read_wapo_ma_flags(file_id="wapo_287g_2019"))


def test_derive_appelson_2025_ma_equals_extract():
    derived = g.derive_appelson_2025_ma()
    assert len(derived) == 17
    assert compare_frames(derived, read_extract(g.APPELSON_2025_MA_EXTRACT)) == []


def test_year_parameters():
    sub = g.load_agreements_287g_years(2017, 2021)
    assert len(sub) == 15 * 5 and sub[sub["county_fips"] == "25005"]["agreement_287g"].all()
    for first, last in [(2004, 2025), (2005, 2026), (2020, 2019)]:
        with pytest.raises(ParameterError, match="valid years are 2005..2025"):
            g.load_agreements_287g_years(first, last)


def test_unknown_agency_on_a_list_is_an_error(tmp_path):
    from ma_ice_coop.sources.registry import input_path

    ddp = pd.read_csv(input_path(g.DDP_FILE), dtype=str, keep_default_na=False)
    extra = ddp.iloc[[0]].assign(agency="Boston Police Department")
    bad = tmp_path / "ddp.csv"
    pd.concat([ddp, extra]).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="Boston Police Department"):
        g.read_list_snapshots(ddp_path=bad)


def test_missing_list_column_is_an_error(tmp_path):
    from ma_ice_coop.sources.registry import input_path

    ddp = pd.read_csv(input_path(g.DDP_FILE), dtype=str, keep_default_na=False).drop(columns="as_of")
    bad = tmp_path / "ddp.csv"
    ddp.to_csv(bad, index=False)
    with pytest.raises(SchemaError, match=r"missing columns \['as_of'\]"):
        g.read_list_snapshots(ddp_path=bad)


def test_deterministic(panel):
    assert g.load_agreements_287g_years().equals(panel)


def test_reference_contradicting_a_list_is_an_error(monkeypatch):
    """Plymouth known in force past 2022-08-09 while that ICE list no longer shows it."""
    real = load_agreements_287g

    def altered():
        frame = real()
        frame.loc[frame["county_fips"] == "25023", "end_bracket_from"] = pd.Timestamp("2022-09-01")
        frame.loc[frame["county_fips"] == "25023", "end_bracket_to"] = pd.Timestamp("2022-10-01")
        return frame

    monkeypatch.setattr(g, "load_agreements_287g", altered)  # the name the loader calls
    with pytest.raises(SchemaError, match="25023 is known in force on 2022-08-09 but absent"):
        g.load_agreements_287g_years()


def test_undocumented_wapo_disagreement_is_an_error(monkeypatch):
    monkeypatch.setattr(g, "WAPO_DISAGREEMENTS", {})
    with pytest.raises(SchemaError, match="differs from the WaPo flags"):
        g.load_agreements_287g_years()


def test_latest_list_date_is_the_last_list_in_the_inputs():
    """LATEST_LIST_DATE (shown as 'ICE's latest list' in the scorecard) is the newest date of the 2025 lists."""
    rows = g.derive_appelson_2025_ma()
    assert max(rows["date"].str[:10]) == g.LATEST_LIST_DATE
    assert g.LAST_YEAR == int(g.LATEST_LIST_DATE[:4])
