"""The extended releases' streaming reader on fixtures in each release's exact layout (invented rows, offline)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop.errors import DataSourceError, ParameterError, SchemaError
from ma_ice_coop.tables.loaders import detainers as det
from ma_ice_coop.tables.loaders.extended.read import iter_release_chunks, read_release

FIXTURES = Path(__file__).parent / "fixtures"
EXTENDED = FIXTURES / "extended"


def _load_builder():
    spec = importlib.util.spec_from_file_location("extended_build_fixtures", EXTENDED / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()
RELEASE = {f.file_id: f.release for f in build.FIXTURES}
ROWS = {
    "ext_npr_lea_fy09": 20,
    "ext_npr_lea_fy13_14": 18,
    "ext_npr_fy_fy09": 13,
    "ext_npr_fy_fy16": 12,
    "ext_npr_fy_fy17": 16,
    "ext_ddp_2025_07": 24,
    "ext_ddp_2025_12": 32,
    "ext_ddp_2026_03_fy23": 9,
    "ext_ddp_2026_03_fy24": 6,
    "ext_ddp_2026_03_fy25": 14,
    "ext_ddp_2026_03_fy26": 8,
}
# The core reader cannot read these two: an unknown lift reason (strict) and a preamble on a second sheet.
CORE_CANNOT = {"ext_npr_fy_fy16", "ext_ddp_2026_03_fy25"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> dict[str, Path]:
    return build.write_fixture_tree(tmp_path_factory.mktemp("extended"))


@pytest.fixture(scope="module")
def tables(tree) -> dict[str, pd.DataFrame]:
    return {file_id: read_release(path, RELEASE[file_id], file_id) for file_id, path in tree.items()}


def _write_grid(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _grid(file_id: str, sheet: int = 0) -> list[list[str]]:
    fixture = next(f for f in build.FIXTURES if f.file_id == file_id)
    return build.read_grid(EXTENDED / fixture.release / fixture.parts[sheet][1])


def test_the_tree_has_every_release_under_its_registered_name(tree):
    assert set(tree) == set(ROWS)
    for file_id, path in tree.items():
        assert path.parent.name == RELEASE[file_id]
    assert tree["ext_ddp_2025_12"].name == "ddp_detainers_2025-11.xlsx"
    assert tree["ext_npr_fy_fy09"].name == "detainersfy9.csv"
    assert tree["ext_ddp_2026_03_fy23"].name == "2026-ICLI-00005_Detainers_FY23_20260311_Redacted.xlsx"


def test_the_tree_is_byte_identical_on_every_run(tree, tmp_path):
    again = build.write_fixture_tree(tmp_path / "again")
    assert {k: p.read_bytes() for k, p in again.items()} == {k: p.read_bytes() for k, p in tree.items()}


def test_every_fixture_says_it_is_invented(tree):
    for file_id, path in tree.items():
        fixture = next(f for f in build.FIXTURES if f.file_id == file_id)
        if path.suffix == ".xlsx":
            assert all("TEST FIXTURE" in _grid(file_id, i)[0][0] for i in range(len(fixture.parts)))
        else:
            assert ".fixture." in fixture.parts[0][1]
    assert "TEST FIXTURE" in (FIXTURES / "README.md").read_text(encoding="utf-8")


def test_every_fixture_loads_with_the_core_columns_and_dtypes(tables):
    core = det.read_detainer_release(FIXTURES / "npr_fy_detainers_sample.tsv", "npr_fy", "sample")
    for file_id, table in tables.items():
        assert len(table) == ROWS[file_id], file_id
        assert list(table.columns) == list(core.columns), file_id
        assert table.dtypes.to_dict() == core.dtypes.to_dict(), file_id
        assert (table["release_id"] == RELEASE[file_id]).all() and (table["source_file"] == file_id).all()


@pytest.mark.parametrize("file_id", sorted(set(ROWS) - CORE_CANNOT))
def test_same_table_as_the_core_reader(tree, tables, file_id):
    core = det.read_detainer_release(tree[file_id], RELEASE[file_id], file_id)
    pd.testing.assert_frame_equal(tables[file_id], core)


def test_core_sample_files_read_the_same(tmp_path):
    for name, release in (("npr_fy_detainers_sample.tsv", "npr_fy"), ("ddp_2025_detainers_sample.csv", "ddp_2025")):
        path = FIXTURES / name
        pd.testing.assert_frame_equal(read_release(path, release, "s"), det.read_detainer_release(path, release, "s"))


def test_source_row_is_the_spreadsheet_row(tables):
    ddp = tables["ext_ddp_2025_07"]
    assert ddp["source_row"].tolist() == list(range(8, 32))  # header on row 7
    assert (ddp["source_sheet"] == "Detainers").all()
    npr = tables["ext_npr_lea_fy09"]
    assert npr["source_row"].tolist() == list(range(2, 22)) and (npr["source_sheet"] == "").all()
    first = ddp.iloc[0]
    assert (first["prepare_date"], first["facility_code"]) == (pd.Timestamp("2023-09-05"), "PLYMOMA")


def test_source_row_counts_blank_leading_rows_and_columns(tmp_path):
    """A sheet whose first rows and first column are empty: rows are still numbered as a spreadsheet shows them."""
    grid = _grid("ext_ddp_2025_07")
    rows = [[], [], ["", "TEST FIXTURE: invented"], []] + [[""] + row for row in grid[6:10]]
    book = tmp_path / "offset.xlsx"
    build.write_workbook(book, [("Sheet1", _write_grid(tmp_path / "offset.csv", rows))])
    out = read_release(book, "ddp_2025_07", "t")
    assert out["source_row"].tolist() == [6, 7, 8]
    assert out["facility_code"].tolist() == ["PLYMOMA", "SUFFOMA", "BRINDMA"]


@pytest.mark.parametrize("file_id", sorted(ROWS))
def test_chunks_give_the_same_table_as_one_chunk(tree, tables, file_id):
    chunks = list(iter_release_chunks(tree[file_id], RELEASE[file_id], file_id, chunk_rows=3))
    assert all(1 <= len(c) <= 3 and c["source_sheet"].nunique() == 1 for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), tables[file_id])


def test_a_file_split_across_sheets_reads_every_sheet(tables):
    fy25 = tables["ext_ddp_2026_03_fy25"]
    assert fy25.groupby("source_sheet", sort=False).size().to_dict() == {"Detainers": 6, "Detainers (2)": 8}
    second = fy25[fy25["source_sheet"] == "Detainers (2)"]
    assert second["source_row"].tolist() == list(range(8, 16))  # its own preamble and header on row 7
    assert fy25["prepare_date"].is_monotonic_increasing
    assert fy25["prepare_date"].between("2024-10-01", "2025-09-30").all()


def test_repeated_header_rows_and_a_second_sheet_without_preamble(tmp_path):
    grid = _grid("ext_ddp_2025_07")
    header, data = grid[6], grid[7:]
    first = _write_grid(tmp_path / "one.csv", grid[:10] + [header] + data[3:5] + [[]] + data[5:6])
    second = _write_grid(tmp_path / "two.csv", [header] + data[6:8])
    book = tmp_path / "split.xlsx"
    build.write_workbook(book, [("A", first), ("B", second)])
    out = read_release(book, "ddp_2025_07", "t")
    # sheet A: rows 8-10, the repeated header on row 11, rows 12-13, a blank row 14, row 15; sheet B: rows 2-3
    assert list(zip(out["source_sheet"], out["source_row"], strict=True)) == [
        ("A", 8),
        ("A", 9),
        ("A", 10),
        ("A", 12),
        ("A", 13),
        ("A", 15),
        ("B", 2),
        ("B", 3),
    ]
    assert out["prepare_date"].notna().all()


def test_na_and_blank_cells_are_null(tables):
    text_columns = list(det.UNIFIED_TEXT_COLUMNS)
    for file_id in ("ext_ddp_2026_03_fy23", "ext_ddp_2026_03_fy26", "ext_ddp_2025_07"):
        table = tables[file_id]
        assert not table[text_columns].isin(["NA", ""]).any().any(), file_id
    fy26 = tables["ext_ddp_2026_03_fy26"]
    assert (
        fy26["lift_reason"].isna().sum() == 6
        and (fy26.loc[fy26["lift_reason"].isna(), "outcome"] == "unresolved").all()
    )
    assert tables["ext_ddp_2026_03_fy23"]["person_id"].isna().sum() == 1
    assert tables["ext_ddp_2025_07"].loc[tables["ext_ddp_2025_07"]["source_row"] == 27, "person_id"].isna().all()
    assert tables["ext_npr_lea_fy09"]["detainer_type"].isna().all()
    assert (tables["ext_npr_lea_fy09"]["request_kind"] == "unknown").all()


def test_person_ids_are_40_hex_and_release_scoped(tables):
    ids = {k: set(t["person_id"].dropna()) for k, t in tables.items() if k.startswith("ext_ddp")}
    assert all(pd.Series(sorted(v)).str.fullmatch(r"[0-9a-f]{40}").all() for v in ids.values())
    assert not ids["ext_ddp_2025_07"] & ids["ext_ddp_2025_12"]


def test_unknown_lift_reason_is_unmapped_in_one_file_only(tables):
    unmapped = {k: t.loc[t["outcome"] == det.UNMAPPED, ["source_row", "lift_reason"]] for k, t in tables.items()}
    assert {k: len(v) for k, v in unmapped.items() if len(v)} == {"ext_npr_fy_fy16": 1}
    row = unmapped["ext_npr_fy_fy16"].iloc[0]
    assert (row["source_row"], row["lift_reason"]) == (8, "Lifted - Test Unknown Reason")
    fy16 = tables["ext_npr_fy_fy16"]
    assert not fy16.loc[fy16["outcome"] == det.UNMAPPED, "lea_release_without_transfer"].any()


def test_non_strict_outcomes_and_the_strict_default():
    reasons = pd.Series(["Lifted", "Beamed Up", None, "Early Release"], dtype="str")
    out = det.normalise_outcomes(reasons, strict=False)
    assert out["outcome"].tolist() == ["lifted", "unmapped", "unresolved", "lifted"]
    assert out["lea_release_without_transfer"].tolist() == [False, False, False, True]
    with pytest.raises(SchemaError, match="Beamed Up"):
        det.normalise_outcomes(reasons)


def test_blank_prepare_date_is_null_not_an_error(tables):
    table = tables["ext_npr_lea_fy13_14"]
    blank = table[table["prepare_date"].isna()]
    assert blank["source_row"].tolist() == [12] and blank["fiscal_year"].isna().all()


def test_a_file_without_detainer_type_loads(tmp_path):
    lines = (EXTENDED / "npr_lea" / "lea-detainers-FY09.fixture.txt").read_text().splitlines()
    rows = [r[:1] + r[2:] for r in csv.reader(lines)]
    path = _write_grid(tmp_path / "no_type.txt", rows)
    out = read_release(path, "npr_lea", "t")
    assert len(out) == 20 and out["detainer_type"].isna().all() and (out["request_kind"] == "unknown").all()


def test_a_renamed_required_column_names_the_column_and_the_file(tmp_path):
    text = (EXTENDED / "npr_fy" / "detainersfy17.fixture.csv").read_text().replace("Detainer Lift Reason\t", "Rsn\t")
    bad = tmp_path / "renamed_fy17.csv"
    bad.write_text(text)
    with pytest.raises(SchemaError, match=r"(?s)renamed_fy17\.csv.*lift_reason.*Detainer Lift Reason.*yaml"):
        next(iter_release_chunks(bad, "npr_fy", "t"))
    grid = _grid("ext_ddp_2025_12")
    grid[6] = ["Facility Code" if h == "Detention Facility Code" else h for h in grid[6]]
    book = tmp_path / "renamed.xlsx"
    build.write_workbook(book, [("Detainers", _write_grid(tmp_path / "renamed.csv", grid))])
    with pytest.raises(SchemaError, match=r"(?s)renamed\.xlsx \(sheet 'Detainers'\).*facility_code"):
        read_release(book, "ddp_2025_12", "t")


def test_an_unreadable_date_names_the_file_and_row(tmp_path):
    text = (EXTENDED / "npr_lea" / "lea-detainers-FY09.fixture.txt").read_text().replace("2/9/09", "the ninth")
    bad = tmp_path / "bad_date.txt"
    bad.write_text(text)
    with pytest.raises(SchemaError, match=r"bad_date\.txt: 1 prepare dates could not be read .*10: 'the ninth'"):
        read_release(bad, "npr_lea", "t")
    grid = _grid("ext_ddp_2025_07")
    grid[9][0] = "sometime"
    book = tmp_path / "bad_date.xlsx"
    build.write_workbook(book, [("Detainers", _write_grid(tmp_path / "bad.csv", grid))])
    with pytest.raises(SchemaError, match=r"bad_date\.xlsx \(sheet 'Detainers'\).*10: 'sometime'"):
        read_release(book, "ddp_2025_07", "t")


def test_no_header_and_missing_file_and_bad_chunk_size(tmp_path):
    bad = tmp_path / "no_header.txt"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError, match="no_header.txt: no header row naming"):
        read_release(bad, "npr_lea", "t")
    with pytest.raises(DataSourceError, match="(?s)ext_npr_lea_fy08.*not found.*fetch --extended"):
        read_release(tmp_path / "missing.txt", "npr_lea", "ext_npr_lea_fy08")
    with pytest.raises(ParameterError, match="chunk_rows"):
        next(iter_release_chunks(bad, "npr_lea", "t", chunk_rows=0))


def test_the_2025_releases_share_the_2025_layout():
    base = det.release_spec("ddp_2025")
    for release in ("ddp_2025_07", "ddp_2025_12"):
        spec = det.release_spec(release)
        assert (spec["columns"], spec["required"]) == (base["columns"], base["required"])
        assert spec["title"] != base["title"]
    assert "detainer_type" not in det.release_spec("npr_lea")["required"]


def test_the_fixture_overlaps_the_readme_states(tables):
    """The facts tests of de-duplication rely on (tests/fixtures/README.md)."""
    key = ["prepare_date", "facility_name", "facility_state", "facility_city"]
    lea, fy9 = tables["ext_npr_lea_fy09"], tables["ext_npr_fy_fy09"]
    both = lea.merge(fy9, on=key, suffixes=("_lea", "_fy"))
    assert both["source_row_lea"].tolist() == [2, 3, 4, 5, 6, 7, 8, 12, 19, 21]
    differs = both[both["lift_reason_lea"].fillna("") != both["lift_reason_fy"].fillna("")]
    assert differs["source_row_lea"].tolist() == [5]
    ddp_key = ["prepare_date", "facility_code", "detainer_type", "criminality"]
    july, nov = tables["ext_ddp_2025_07"], tables["ext_ddp_2025_12"]
    carried = july.merge(nov, on=ddp_key, how="left", suffixes=("_07", "_12"), indicator=True)
    assert carried.loc[carried["_merge"] == "left_only", "source_row_07"].tolist() == [16, 18, 30]
    filled = carried[carried["lift_reason_07"].isna() & carried["lift_reason_12"].notna()]
    assert filled["prepare_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-04-08",
        "2025-05-06",
        "2025-06-10",
        "2025-06-17",
        "2025-06-24",
    ]
    assert july["prepare_date"].max() == pd.Timestamp("2025-06-24")
    assert nov["prepare_date"].max() == pd.Timestamp("2025-10-15")
    assert tables["ext_ddp_2026_03_fy26"]["prepare_date"].max() == pd.Timestamp("2026-03-10")
    sep17 = tables["ext_npr_fy_fy17"].query("prepare_date >= '2017-09-01'")
    assert sep17["lift_reason"].isna().sum() == 5 and sep17["prepare_date"].max() == pd.Timestamp("2017-09-30")


# The core FY2015 table, read by the same shared code, is checked byte for byte against a rebuild in
# tests/test_process.py::test_build_is_byte_identical (not again here: it takes seconds).


def test_blank_sheets_are_skipped_and_a_sheet_without_header_is_an_error(tmp_path):
    grid = _grid("ext_ddp_2025_07")[:9]
    data = _write_grid(tmp_path / "data.csv", grid)
    blank = _write_grid(tmp_path / "blank.csv", [[]] * 3)
    book = tmp_path / "blank_sheet.xlsx"
    build.write_workbook(book, [("Notes", blank), ("Detainers", data), ("Empty", blank)])
    assert read_release(book, "ddp_2025_07", "t")["source_sheet"].tolist() == ["Detainers", "Detainers"]
    late = _write_grid(tmp_path / "late.csv", [[]] * 15 + grid)
    book = tmp_path / "late_header.xlsx"
    build.write_workbook(book, [("Detainers", late)])
    with pytest.raises(SchemaError, match=r"late_header\.xlsx \(sheet 'Detainers'\): no header row"):
        read_release(book, "ddp_2025_07", "t")
