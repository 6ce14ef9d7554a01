"""Each view declares the processed tables it reads (`PROCESSED_TABLES`), and the build keys its notebook on
those tables only. The declaration must be complete, or the cache could keep a report built from old data:
checked by reading the code the notebook imports, and by recording what one view actually reads."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ma_ice_coop import config
from ma_ice_coop.analysis import measures
from ma_ice_coop.build import cache
from ma_ice_coop.specs.notebooks import load_notebook_registry, notebook_parameters
from ma_ice_coop.tables.process import PROCESSED_NAMES

READ_CALL = re.compile(r"\bread_processed(?:_geojson)?\(\s*([^)]*?)\s*\)")
ALL_TABLES = set(PROCESSED_NAMES)
SPECS = {spec.id: spec for spec in load_notebook_registry()}


def _reads(modules: frozenset[str]) -> tuple[set[str], list[tuple[str, str]]]:
    """(tables named by a literal read anywhere in `modules`, reads whose table is not a literal)."""
    literal, other = set(), []
    for module in sorted(modules):
        if module == "ma_ice_coop.io":  # where the readers are defined
            continue
        for argument in READ_CALL.findall(cache._module_file(module).read_text(encoding="utf-8")):
            if re.fullmatch(r'"[a-z0-9_]+"', argument):
                literal.add(argument.strip('"'))
            else:
                other.append((module, argument))
    return literal, other


@pytest.mark.parametrize("notebook_id", sorted(SPECS))
def test_declared_tables_are_the_tables_its_code_reads(notebook_id):
    modules = cache.notebook_modules(SPECS[notebook_id].path)
    declared = cache.declared_tables(modules)
    if SPECS[notebook_id].shows_code:  # a lab reads the tables in its own cells: its key covers every table
        assert declared is None, f"{notebook_id}: a lab imports no view, so it declares no tables"
        return
    assert declared is not None, f"{notebook_id}: its view declares no PROCESSED_TABLES"
    literal, other = _reads(modules)
    if other:  # a table chosen at run time: only a view that declares every table may do that
        assert set(declared) == ALL_TABLES, f"{notebook_id} reads tables chosen at run time: {other}"
        assert literal <= set(declared)
        return
    assert set(declared) == literal, f"{notebook_id}: declared {sorted(declared)}, its code reads {sorted(literal)}"


def test_a_table_a_notebook_does_not_read_leaves_its_key_alone(monkeypatch, tmp_path):
    """The county map file changes: notebooks drawing maps get new keys, policy_timeline keeps its own."""
    processed = tmp_path / "processed"
    processed.mkdir()
    manifest = config.processed_dir() / "MANIFEST.json"
    (processed / "MANIFEST.json").write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(config, "processed_dir", lambda: processed)
    runs = {spec_id: SPECS[spec_id] for spec_id in ("policy_timeline", "which_counties")}
    tables = {spec_id: cache.declared_tables(cache.notebook_modules(spec.path)) for spec_id, spec in runs.items()}
    before = {spec_id: cache.data_digest(tables[spec_id]) for spec_id in runs}
    text = (processed / "MANIFEST.json").read_text(encoding="utf-8")
    (processed / "MANIFEST.json").write_text(
        re.sub(r'("county_boundaries.geojson": ")[0-9a-f]+', r"\g<1>" + "0" * 64, text), encoding="utf-8"
    )
    after = {spec_id: cache.data_digest(tables[spec_id]) for spec_id in runs}
    assert after["policy_timeline"] == before["policy_timeline"]
    assert after["which_counties"] != before["which_counties"]


def test_what_a_view_reads_when_it_runs_is_declared(monkeypatch):
    """Record every processed table read while the politics view computes its default run."""
    from ma_ice_coop.views import politics_demographics as view

    read: set[str] = set()
    real = pd.read_parquet

    def recording(path, *args, **kwargs):
        read.add(Path(path).stem)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_parquet", recording)
    measures.forget_cached_tables()  # tables read by earlier tests in this process would not be read again
    view.compute(**notebook_parameters("politics_demographics"))
    assert read, "no processed table was read: the recorder is not in the path"
    assert read <= set(view.PROCESSED_TABLES), f"read but not declared: {sorted(read - set(view.PROCESSED_TABLES))}"
