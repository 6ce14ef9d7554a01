"""The processed-table build: determinism, atomic writes, failures that keep earlier outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop import cli, io
from ma_ice_coop.errors import ProjectError
from ma_ice_coop.sources.fetch import sha256_of
from ma_ice_coop.tables import process
from ma_ice_coop.tables.schemas import COUNTY_FIPS


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory):
    """Every table built again, in this process, into a temporary folder, beside the project's own build (made by
    `make data` in another process from the same verified inputs and code): two builds, one comparison."""
    from ma_ice_coop import config

    original = config.processed_dir
    out = tmp_path_factory.mktemp("processed_again")
    try:
        config.processed_dir = lambda: out
        process.process_all(out=open("/dev/null", "w"))
    finally:
        config.processed_dir = original
    return out, original()


def test_build_is_byte_identical(built_twice):
    a, b = built_twice
    names = sorted(p.name for p in a.iterdir())
    assert set(names) <= {p.name for p in b.iterdir()}, "data/processed lacks tables: run `make data` first"
    assert {f"{t}.parquet" for t in process.TABLES} | {"county_boundaries.geojson", "MANIFEST.json"} <= set(names)
    for name in names:
        assert sha256_of(a / name) == sha256_of(b / name), f"{name} differs from data/processed (run `make data`?)"


def test_no_temporary_files_left(built_twice):
    assert not [p for p in built_twice[0].iterdir() if p.name.startswith(".")]


def test_detainers_table(built_twice):
    df = pd.read_parquet(built_twice[0] / "detainers.parquet")
    assert len(df) == 79_053
    ma = df[df["facility_state"] == "MASSACHUSETTS"]
    assert len(ma) == 410
    assert ma["facility_id"].notna().all(), "every Massachusetts facility string is mapped"
    assert set(ma["county_fips"].dropna()) <= set(COUNTY_FIPS)
    sheriff = ma[ma["operator_type"] == "sheriff"]
    assert sheriff["sheriff_county_fips"].notna().all()
    assert set(sheriff["sheriff_county_fips"]) <= set(COUNTY_FIPS)
    assert df.loc[df["facility_state"] != "MASSACHUSETTS", "facility_id"].isna().all()


def test_failed_table_keeps_the_previous_version(processed_tmp, monkeypatch):
    process.process_all(["detainers"], out=open("/dev/null", "w"))
    path = io.processed_path("detainers")
    before = path.read_bytes()

    def broken():
        raise ProjectError("simulated failure in the detainers loader")

    monkeypatch.setattr(process.Table, "load", lambda self: broken())
    with pytest.raises(ProjectError, match="(?s)1 table.*detainers.*simulated failure"):
        process.process_all(["detainers"], out=open("/dev/null", "w"))
    assert path.read_bytes() == before


def test_schema_violation_is_reported_and_nothing_written(processed_tmp, monkeypatch):
    from ma_ice_coop.tables.loaders import detainers

    good = detainers.load_detainers

    def with_bad_outcome():
        df = good()
        df.loc[0, "outcome"] = "vanished"
        return df

    monkeypatch.setattr(detainers, "load_detainers", with_bad_outcome)
    with pytest.raises(ProjectError, match="(?s)detainers.*fails its schema"):
        process.process_all(["detainers"], out=open("/dev/null", "w"))
    assert not io.processed_path("detainers").exists()


def test_unknown_table_lists_valid_ones():
    with pytest.raises(ProjectError, match="tables: detainers"):
        process.process_all(["detainerz"])


def test_cli_reports_errors_without_a_traceback(capsys):
    assert cli.main(["process", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown table") and "Traceback" not in err


def test_read_processed_before_build_says_what_to_run(processed_tmp):
    with pytest.raises(ProjectError, match="make data"):
        io.read_processed("detainers")


def test_codebook_lists_every_column(built_twice, monkeypatch):
    from ma_ice_coop import config
    from ma_ice_coop.tables import codebook

    monkeypatch.setattr(config, "processed_dir", lambda: built_twice[0])
    text = codebook.codebook_markdown()
    for table in process.TABLES.values():
        assert f"## `{table.name}`" in text
        for column in table.schema_object().columns:
            assert f"| `{column}` |" in text
