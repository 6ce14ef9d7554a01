"""The data-and-coverage view: inventory, coverage spans, missingness and gaps, from the real tables."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ma_ice_coop.analysis import measures
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import read_processed
from ma_ice_coop.sources.registry import load_registry
from ma_ice_coop.specs.notebooks import notebook_parameters
from ma_ice_coop.tables.facilities import load_facility_aliases
from ma_ice_coop.tables.loaders.ice_detention import FULL_COVERAGE_START
from ma_ice_coop.tables.process import TABLES
from ma_ice_coop.views import data_and_coverage as view


@pytest.fixture(scope="module")
def default():
    return view.compute(**notebook_parameters("data_and_coverage"))


def _all_text(r) -> str:
    return "\n".join([view.key_findings(r), view.outcome_text(r), view.unknowables(r), view.limitations(r)])


def test_parameters_are_validated():
    assert notebook_parameters("data_and_coverage") == {"include_codebook": True}
    with pytest.raises(ParameterError, match="include_codebook"):
        notebook_parameters("data_and_coverage", include_codebook="maybe")
    with pytest.raises(ParameterError, match="true or false"):
        view.compute(include_codebook="yes")


def test_inventory_matches_the_registry(default):
    files = load_registry()
    assert len(default.files) == len(files)
    assert set(default.sources["source"]) == {f.source for f in files.values()}
    build = sum(f.use == "build" for f in files.values())
    text = view.key_findings(default)
    assert f"lists {len(files)} input files from {len(default.sources)} source folders" in text
    assert f"The build reads {build} of them" in text
    npr = default.sources.set_index("source").loc["npr-sanctuary-cities"]
    assert "npr_fy2015_detainers" in npr["build inputs"] and "npr_fy2015_detainers_ma" in npr["test references"]


def test_ma_outcomes_count_blank_lift_reasons(default):
    f = default.facts
    assert (f["ma_detainers"], f["ma_blank"], f["ma_unresolved"]) == (410, 287, 287)
    assert (f["sheriff_detainers"], f["sheriff_unresolved"]) == (233, 165)
    t = default.outcomes.set_index("lift reason")
    assert t.loc[view.BLANK_LIFT_REASON, "all"] == 287
    assert t.loc["all", "all"] == 410 and t.loc["all", "sheriff"] + t.loc["all", "other"] == 410
    assert t.loc[view.BLANK_LIFT_REASON, "all share"] == pytest.approx(0.70)
    assert t.drop(index="all")["all"].sum() == 410  # nothing dropped
    assert "287 (70%) have a blank lift reason" in view.key_findings(default)


def test_coverage_spans_come_from_the_measure_constants(default):
    spans = default.spans
    det = spans[spans["dataset"].str.startswith("ICE detainer records")].iloc[0]
    assert det["start"].date() == measures.FY2015_DETAINERS.start and det["end"].date() == measures.FY2015_DETAINERS.end
    headcount = spans[spans["dataset"] == "ICE detention headcount per facility and day"].set_index("kind")
    assert headcount.loc["undercount", "start"].date() == measures.ICE_DETENTION_DAILY.start
    assert headcount.loc["undercount", "end"] == FULL_COVERAGE_START - pd.Timedelta(days=1)
    assert headcount.loc["records", "start"] == FULL_COVERAGE_START
    pooled = spans[spans["kind"] == "pooled"].iloc[0]
    assert (pooled["start"].date(), pooled["end"].date()) == (measures.JAIL_ARRESTS.start, measures.JAIL_ARRESTS.end)
    fb = spans[spans["dataset"] == "Foreign-born share (ACS 5-year)"]
    assert sorted(d.year for d in fb["start"]) == [2010, 2016]
    pres = spans[spans["dataset"] == "Presidential election results (county)"]
    assert pd.Timestamp("2000-11-07") in set(pres["start"]) and pd.Timestamp("2024-11-05") in set(pres["start"])


def test_measure_periods_cover_every_measure(default):
    listed = [m for text in default.measure_periods["measures"] for m in text.split(", ")]
    assert sorted(listed) == sorted(measures.MEASURES)


def test_codebook_has_every_schema_column_with_missing_shares(default):
    cb = default.codebook
    for name, table in TABLES.items():
        assert list(cb.loc[cb["table"] == name, "column"]) == list(table.schema_object().columns)
    assert cb["missing"].between(0, 1).all()
    lift = cb[(cb["table"] == "detainers") & (cb["column"] == "lift_reason")]["missing"].iloc[0]
    d = read_processed("detainers")
    assert lift == pytest.approx(d["lift_reason"].isna().mean())
    summary = default.table_summary.set_index("table")
    assert summary.loc["detainers", "rows"] == len(d)
    assert "lift_reason (66.1%)" in summary.loc["detainers", "columns with missing values (share missing)"]
    assert "facility_name (<0.1%)" in summary.loc["detainers", "columns with missing values (share missing)"]


def test_crosswalk_and_unplaced_arrests(default):
    aliases = load_facility_aliases()
    c = default.crosswalk.set_index("source")
    assert c.loc["all", "facility"] == (aliases["status"] == "facility").sum()
    assert c.loc["all", "all strings"] == len(aliases)
    assert c.loc["uwchr_arrest_landmarks", "unplaced"] == 62
    a = default.arrests.set_index("place")
    assert a["arrests"].sum() == default.facts["arrests_total"] == 39034
    assert a.loc["unplaced (landmark names no place)", "arrests"] == 16558
    assert a.loc["Massachusetts sheriff-run jail", "arrests"] == default.facts["arrests_sheriff"]
    ops = default.operators.set_index("operator type")
    assert ops.loc["all", "FY2015 detainers"] == 410 and ops.loc["sheriff", "FY2015 detainers"] == 233
    assert "16,558 of 39,034 arrests" in view.unknowables(default)


def test_gaps_are_computed_and_stated(default):
    text = view.unknowables(default)
    assert "287 of 410 (70%)" in text
    assert "No county non-citizen share" in text
    assert "Only for 2010, 2016" in text
    assert "before 2011-10-01" in text and "3,304 facility-days" in text
    assert "pooled over 2011-10-01 to 2023-01-29 with no years" in text
    assert "[Lunn v. Commonwealth](https://" in text


def test_generated_text_has_no_nan_and_no_wrong_claims(default):
    text = _all_text(default)
    assert not re.search(r"\bnan\b", text.lower())
    assert "Trust Act" not in text and "serious crime" not in text.lower()
    assert "–" not in view.key_findings(default)  # every number in the findings is present


def test_codebook_switch(default):
    full = view.codebook_html(default).data
    assert "lift_reason" in full and "county_covariates" in full
    short = view.compute(include_codebook=False)
    pointer = view.codebook_html(short).data
    assert "data/processed/CODEBOOK.md" in pointer and "lift_reason" not in pointer


def test_figures_have_alt_text_and_are_deterministic(default):
    first = view.coverage_timeline_figure(default).data
    assert first == view.coverage_timeline_figure(default).data
    for figure in (first, view.missing_figure(default).data, view.outcome_figure(default).data):
        assert 'alt="' in figure and "<script" not in figure and "Source:" in figure


def test_timeline_rejects_unknown_kinds():
    spans = pd.DataFrame(
        {
            "dataset": ["x"],
            "start": [pd.Timestamp("2010-01-01")],
            "end": [pd.Timestamp("2011-01-01")],
            "kind": ["guess"],
        }
    )
    with pytest.raises(ValueError, match="unknown span kind"):
        view.coverage_timeline(spans, title="t")
