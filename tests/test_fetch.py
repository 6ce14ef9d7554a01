"""Acquisition: verified copies from a mirror, clear errors for bad inputs, nothing good overwritten."""

from __future__ import annotations

import shutil

import pytest

from ma_ice_coop.errors import DataSourceError
from ma_ice_coop.sources import derivations, fetch, registry

SMALL = "npr_national_by_year"  # a 117-byte original: cheap to copy and damage


def make_mirror(tmp_path, real_mirror, file_ids):
    """A mirror folder holding real copies of a few files (test scratch space, never committed)."""
    root = tmp_path / "mirror"
    for fid in file_ids:
        rel = registry.get(fid).path
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real_mirror / rel, root / rel)
    return root


def test_registry_lists_every_manifest_file(mirror):
    import csv

    rows = list(csv.DictReader(open(mirror / "MANIFEST.csv", newline="")))
    reg = registry.load_registry()
    assert {r["path"] for r in rows} == {f.path for f in reg.values()}
    by_path = {f.path: f for f in reg.values()}
    for r in rows:
        assert by_path[r["path"]].sha256 == r["sha256"]
        assert by_path[r["path"]].kind == r["kind"]


def test_every_file_has_citation_licence_and_url():
    for f in registry.load_registry().values():
        assert f.citation and f.licence and f.urls and f.urls[0].startswith("https://")


def test_fetch_from_mirror_verifies_and_caches(isolated_home, tmp_path, mirror):
    m = make_mirror(tmp_path, mirror, [SMALL])
    path = fetch.fetch_file(SMALL, m)
    assert path.is_file() and path.is_relative_to(isolated_home)
    assert fetch.sha256_of(path) == registry.get(SMALL).sha256


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(p.read_bytes()[:50]), "truncated"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b"2", b"3", 1)), "altered"),
        (lambda p: p.write_bytes(p.read_bytes() + b"x"), "altered"),
        (lambda p: p.unlink(), "not found"),
    ],
)
def test_bad_mirror_file_gives_clear_error_and_keeps_good_cache(isolated_home, tmp_path, mirror, damage, words):
    good_mirror = make_mirror(tmp_path / "good", mirror, [SMALL])
    cached = fetch.fetch_file(SMALL, good_mirror)
    before = cached.read_bytes()
    cached.write_bytes(before[:-1])  # the cache is damaged, so a fetch must go to the mirror
    bad_mirror = make_mirror(tmp_path / "bad", mirror, [SMALL])
    damage(bad_mirror / registry.get(SMALL).path)
    with pytest.raises(DataSourceError) as info:
        fetch.fetch_file(SMALL, bad_mirror)
    message = str(info.value)
    assert words in message and SMALL in message and "what to do" in message
    assert registry.get(SMALL).source in message
    # the failed fetch did not replace what was there, and left no temporary files behind
    assert cached.read_bytes() == before[:-1]
    assert not list(cached.parent.glob(".fetch-*"))


def test_fetch_all_reports_every_failure_and_caches_the_rest(isolated_home, tmp_path, mirror):
    ids = [SMALL, "npr_national_lifted_by_year", "mapoli_county_pvi_2016"]
    m = make_mirror(tmp_path, mirror, ids)
    (m / registry.get(ids[1]).path).write_bytes(b"")
    (m / registry.get(ids[2]).path).unlink()
    with pytest.raises(DataSourceError) as info:
        fetch.fetch_all(m, file_ids=ids, progress=False)
    text = str(info.value)
    assert "2 of 3" in text and ids[1] in text and ids[2] in text
    assert registry.get(SMALL).cache_path.exists()


def test_download_failure_is_a_clear_error(isolated_home, monkeypatch):
    import pooch

    def offline(*args, **kwargs):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataSourceError, match="(?s)download failed.*MA_ICE_MIRROR"):
        fetch.fetch_file(SMALL, None)


def test_download_with_wrong_content_is_rejected(isolated_home, monkeypatch, tmp_path):
    import pooch

    def tampered(url, known_hash, fname, path, progressbar):
        out = tmp_path / "dl" / fname
        out.parent.mkdir(exist_ok=True)
        out.write_bytes(b"x" * registry.get(SMALL).bytes)
        return str(out)

    monkeypatch.setattr(pooch, "retrieve", tampered)
    with pytest.raises(DataSourceError, match="sha256"):
        fetch.fetch_file(SMALL, None)
    assert not registry.get(SMALL).cache_path.exists()


def test_extract_without_online_derivation_says_to_use_the_mirror(isolated_home):
    # The 2007-2010 ICE 287(g) lists survive only as Internet Archive captures: no file to re-derive from.
    assert "ddp_287g_2007_2010_ma" not in derivations.ONLINE_DERIVATIONS
    with pytest.raises(DataSourceError, match="MA_ICE_MIRROR"):
        fetch.fetch_file("ddp_287g_2007_2010_ma", None)


def test_input_path_before_fetch_says_what_to_run(isolated_home):
    with pytest.raises(DataSourceError, match="make data"):
        registry.input_path(SMALL)


def test_unknown_input_lists_valid_ids():
    from ma_ice_coop.errors import ProjectError

    with pytest.raises(ProjectError, match="registered inputs"):
        registry.get("no_such_file")


def test_online_rebuild_of_an_extract_is_checked_by_content(isolated_home, monkeypatch, tmp_path, mirror):
    """Census PEP: the national file is downloaded and cut to MA; accepted only with the same rows."""
    import pandas as pd
    import pooch

    extract = pd.read_csv(mirror / registry.get("census_pep_v2020_ma").path, dtype=str, keep_default_na=False)
    other_state = extract.head(1).assign(STATE="44", STNAME="Rhode Island", CTYNAME="Rhode Island")
    upstream = pd.concat([other_state, extract])  # a stand-in for the national file, in its layout

    def fake_download(url, known_hash, fname, path, progressbar):
        out = tmp_path / fname
        upstream.to_csv(out, index=False)
        return str(out)

    monkeypatch.setattr(pooch, "retrieve", fake_download)
    path = fetch.fetch_file("census_pep_v2020_ma", None)
    assert len(pd.read_csv(path)) == 15
    # a revised upstream (one value changed) is refused
    path.unlink()
    upstream.loc[upstream["COUNTY"] == "1", "POPESTIMATE2020"] = "1"
    with pytest.raises(DataSourceError, match="content_sha256"):
        fetch.fetch_file("census_pep_v2020_ma", None)
    assert not path.exists()
