"""End to end on fixtures, offline: the extended releases' fixture files (tests/fixtures/extended/: invented rows,
each file in its release's exact published layout) -> the extended tables -> one county report with its time axis.

MA_ICE_EXTENDED_DIR points every extended path (raw, processed, reports) at a temporary folder, so nothing here
touches data/ or reports/.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop import config, io
from ma_ice_coop.build.execute import run_to_folder
from ma_ice_coop.build.extended import build_tables, write_extended_downloads
from ma_ice_coop.cli import main
from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.specs.notebooks import load_notebook_registry, make_run, plan_extended_runs, plan_runs
from ma_ice_coop.tables.loaders.extended import build as extended_build
from ma_ice_coop.tables.loaders.extended.build import ExtendedFile
from ma_ice_coop.tables.loaders.extended.windows import RELEASE_PREFERENCE

FIXTURES = Path(__file__).parent / "fixtures" / "extended"


def _fixture_builder():
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _release(file_id: str) -> str:
    return next(r for r in sorted(RELEASE_PREFERENCE, key=len, reverse=True) if file_id.startswith(f"ext_{r}"))


def _build(root: Path) -> Path:
    """Every fixture file written under root/raw, and their tables under root/processed."""
    os.environ[config.EXTENDED_ENV] = str(root)
    files = _fixture_builder().write_fixture_tree(config.extended_raw_dir())
    return build_tables([ExtendedFile(f, _release(f), p) for f, p in files.items()], progress=lambda _: None)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The extended tables of every fixture file; the environment variable restored afterwards."""
    before = os.environ.get(config.EXTENDED_ENV)
    root = tmp_path_factory.mktemp("extended")
    try:
        _build(root)
        yield root
    finally:
        if before is None:
            os.environ.pop(config.EXTENDED_ENV, None)
        else:
            os.environ[config.EXTENDED_ENV] = before


def table(root: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(root / "processed" / f"{name}.parquet")


def test_the_npr_series_are_never_stacked(tree):
    overlap = table(tree, "extended_release_overlap").set_index(["release_id", "fiscal_year"])
    assert overlap.loc[("npr_lea", 2009)].tolist() == [20, 20]  # rows read, rows kept
    assert overlap.loc[("npr_fy", 2009)].tolist() == [13, 0]  # the same detainers again: read, counted, left out
    assert overlap.loc[("npr_fy", 2016), "rows_kept"] == 12


def test_the_latest_release_of_overlapping_ddp_releases_is_kept(tree):
    # the March 2026 files cover every date of both 2025 releases (tests/test_extended_tables.py has the rule with
    # the 2025 releases alone)
    overlap = table(tree, "extended_release_overlap")
    kept = overlap.groupby("release_id")["rows_kept"].sum()
    read = overlap.groupby("release_id")["rows_read"].sum()
    assert kept["ddp_2025_07"] == 0 and kept["ddp_2025_12"] == 0 and kept["ddp_2026_03"] == read["ddp_2026_03"] == 37
    assert read["ddp_2025_07"] == 24 and read["ddp_2025_12"] == 32


def test_unknown_facilities_and_lift_reasons_are_listed_not_fatal(tree):
    unlisted = table(tree, "extended_unlisted_facilities")
    assert sorted(zip(unlisted["facility_code"], unlisted["facility_name"], strict=True)) == [
        ("", "TEST FIXTURE COUNTY LOCKUP"),
        ("ZZFIXMA", "TEST FIXTURE HOLDING SITE"),
    ]
    reasons = table(tree, "extended_unmapped_lift_reasons")
    assert reasons.to_dict("records") == [
        {"file_id": "ext_npr_fy_fy16", "lift_reason": "Lifted - Test Unknown Reason", "detainers": 1}
    ]
    files = table(tree, "extended_files").set_index("file_id")
    assert files.loc["ext_npr_lea_fy13_14", "undated_rows"] == 1  # counted, left out of every measure


def test_a_file_whose_layout_does_not_match_is_listed_and_the_others_load(tree, tmp_path):
    bad = tmp_path / "detainersfy16.csv"
    text = (tree / "raw" / "npr_fy" / "detainersfy16.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("Prepare Date", "Prep Date", 1), encoding="utf-8")  # a renamed required column
    good = tree / "raw" / "npr_lea" / "lea-detainers-FY09.txt"
    out = tmp_path / "processed"
    extended_build.build_extended_tables(
        [ExtendedFile("ext_npr_fy_fy16", "npr_fy", bad), ExtendedFile("ext_npr_lea_fy09", "npr_lea", good)],
        out,
        progress=lambda _: None,
    )
    skipped = pd.read_parquet(out / "extended_skipped_files.parquet")
    assert skipped["file_id"].tolist() == ["ext_npr_fy_fy16"] and "Prepare Date" in skipped["problem"].iloc[0]
    assert "ext_npr_lea_fy09" in set(pd.read_parquet(out / "extended_files.parquet")["file_id"])
    with pytest.raises(SchemaError, match="none of the extended files could be read"):
        extended_build.build_extended_tables([ExtendedFile("ext_npr_fy_fy16", "npr_fy", bad)], out)


def test_rows_near_a_release_cutoff_are_flagged(tree):
    rows = table(tree, "extended_detainers")
    npr_fy = rows[rows["release_id"] == "npr_fy"]
    late = npr_fy["prepare_date"] > pd.Timestamp("2017-09-30") - pd.Timedelta(days=180)
    assert npr_fy["near_cutoff"].tolist() == late.tolist() and late.any()
    assert rows.groupby(["release_id", "source_file", "source_sheet", "source_row"]).size().max() == 1


def test_year_measures_name_the_release_and_every_geography(tree):
    years = table(tree, "extended_year_measures")
    suffolk = years[(years["geography"] == "county") & (years["county_fips"] == "25025")]
    fiscal = suffolk[suffolk["year_type"] == "fiscal"].set_index("year")
    assert fiscal.loc[2016, "releases"] == "npr_fy" and fiscal.loc[2015, "releases"] == "npr_lea"
    assert fiscal.loc[2015, "detainers"] == 51  # the core FY2015 file's Suffolk detainers, once
    assert set(years["geography"]) == {"county", "state", "national"}
    assert set(years["year_type"]) == {"fiscal", "calendar"}
    national = years[(years["geography"] == "national") & (years["year_type"] == "fiscal")]
    assert national.set_index("year").loc[2015, "detainers"] == 79_053


def test_downloads_and_readme(tree):
    target = write_extended_downloads()
    assert target.parent == config.extended_output_dir() / "reports" / "data"
    assert "The de-duplication rule" in (target.parent / "README.md").read_text(encoding="utf-8")
    assert len(pd.read_csv(target)) == len(table(tree, "extended_year_measures"))


def test_an_interrupted_build_keeps_the_tables_it_had(tree, monkeypatch):
    before = {p.name: p.read_bytes() for p in (tree / "processed").glob("*.parquet")}

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(extended_build, "iter_release_chunks", broken)
    files = [ExtendedFile("ext_npr_lea_fy09", "npr_lea", tree / "raw" / "npr_lea" / "lea-detainers-FY09.txt")]
    with pytest.raises(KeyboardInterrupt):
        build_tables(files)
    assert {p.name: p.read_bytes() for p in (tree / "processed").glob("*.parquet")} == before


def test_extended_runs_write_only_under_build_extended(tree):
    runs = plan_extended_runs()
    assert {r.spec.id for r in runs} == {"county_profile", "which_counties", "policy_timeline"}
    assert len([r for r in runs if r.spec.id == "county_profile"]) == 14
    reports = config.project_root() / "reports"
    for run in runs:
        assert run.html_path.is_relative_to(config.extended_output_dir() / "reports"), run.label
        assert not run.executed_path.is_relative_to(config.project_root() / "notebooks"), run.label
    core = {r.label: r.html_path for r in plan_runs()}
    assert all(path.is_relative_to(reports) for path in core.values())
    assert not any(label.startswith("extended:") for label in core)


def test_the_county_report_grows_a_time_axis(tree, tmp_path):
    executed, page = run_to_folder("county_profile", {"county": "Suffolk", "extended": True}, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert executed.exists() and "Suffolk" in text and 'alt="' in text and "Key findings" in text
    assert "Detainers per year" in text and "FY2016" in text and "npr_fy" in text
    assert "prepared within 180 days of the release" in text
    assert "an extended build of this report" not in text  # the core note is for core reports only


def test_core_reports_say_what_an_extended_build_adds():
    nb = (config.project_root() / "notebooks" / "county" / "county_profile.ipynb").read_text(encoding="utf-8")
    assert "an extended build of this report" in nb


def test_without_extended_tables_the_commands_fail_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(config.EXTENDED_ENV, str(tmp_path))
    assert not io.extended_tables_present()
    spec = next(s for s in load_notebook_registry() if s.id == "county_profile")
    with pytest.raises(ParameterError, match="make extended"):
        make_run(spec, {"extended": True})
    assert main(["process", "--extended", "--wait"]) == 2
    assert "no extended detainer release is installed" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written
