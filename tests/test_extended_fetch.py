"""Acquiring the extended detainer releases (`ma-ice fetch --extended`), offline.

A throw-away project gets a small registry of three invented extended files (one with a published sha256 and
size, one with a published size only, one with nothing published); the transport is injected (a pooch
downloader that copies bytes, or a fake requests session that honours Range), so nothing touches the network.
The bytes served are invented, not any release's content.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import requests
import yaml

from ma_ice_coop import config
from ma_ice_coop.cli import main
from ma_ice_coop.errors import DataSourceError, ParameterError
from ma_ice_coop.sources import extended, registry
from ma_ice_coop.sources.resumable import ResumableDownloader, partial_path

PUB = b"invented row\n" * 300  # ext_rel_a_pub: sha256 and size published
SIZED = b"another invented row\n" * 200  # ext_rel_a_size: size published
TOFU = b"invented workbook bytes\n" * 400  # ext_rel_b_tofu: nothing published
URL_PUB = "https://publisher.example.org/a/pub.txt"
URL_PUB_COPY = "https://copy.example.org/a/pub_raw.txt"
URL_SIZED = "https://publisher.example.org/a/sized.txt"
URL_TOFU = "https://publisher.example.org/b/release.xlsx"
ALL_IDS = ("ext_rel_a_pub", "ext_rel_a_size", "ext_rel_b_tofu")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _registry() -> dict:
    common = {"kind": "original", "publisher": "Invented", "what": "invented test file", "use": "extended"}
    return {
        "sources": {
            "core-src": {"citation": "Core source.", "licence": "Public domain."},
            "ext-src": {"citation": "Invented release, https://example.org.", "licence": "Public domain."},
        },
        "files": {
            "core_file": {
                **common,
                "source": "core-src",
                "path": "raw/core-src/core.csv",
                "url": "https://example.org/core.csv",
                "sha256": _sha(b"core"),
                "bytes": 4,
                "coverage": "2015",
                "use": "build",
            },
            "ext_rel_a_pub": {
                **common,
                "source": "ext-src",
                "path": "extended/rel_a/pub.txt",
                "url": [URL_PUB, URL_PUB_COPY],
                "sha256": _sha(PUB),
                "bytes": len(PUB),
                "coverage": "FY2008",
                "release": "rel_a",
                "also_named": ["pub_raw.txt"],
            },
            "ext_rel_a_size": {
                **common,
                "source": "ext-src",
                "path": "extended/rel_a/sized.txt",
                "url": URL_SIZED,
                "sha256": None,
                "bytes": len(SIZED),
                "coverage": "FY2009",
                "release": "rel_a",
            },
            "ext_rel_b_tofu": {
                **common,
                "source": "ext-src",
                "path": "extended/rel_b/release.xlsx",
                "url": [URL_TOFU],
                "sha256": None,
                "bytes": None,
                "coverage": "2023-2025",
                "release": "rel_b",
                "also_named": ["Original Name Redacted.xlsx"],
            },
        },
    }


@pytest.fixture
def ext_home(tmp_path, monkeypatch):
    """A project with the invented registry; extended files, lock and partials under tmp_path/ext."""
    home = tmp_path / "project"
    (home / "data").mkdir(parents=True)
    (home / "data" / "sources.yaml").write_text(yaml.safe_dump(_registry()), encoding="utf-8")
    monkeypatch.setenv(config.HOME_ENV, str(home))
    monkeypatch.setenv(config.EXTENDED_ENV, str(tmp_path / "ext"))
    return tmp_path / "ext"


def serving(content: dict[str, bytes]):
    """A pooch downloader that 'downloads' from a dict; an unknown URL is a connection error."""

    def download(url, output_file, pooch, check_only=False):
        if url not in content:
            raise requests.ConnectionError(f"no route to {url}")
        with open(output_file, "wb") as fh:
            fh.write(content[url])

    return download


class FakeResponse:
    def __init__(self, status: int, body: bytes, headers: dict, fail_after: int | None = None):
        self.status_code, self.body, self.headers, self.fail_after = status, body, headers, fail_after

    def iter_content(self, chunk_size=1):
        if self.fail_after is not None:
            yield self.body[: self.fail_after]
            raise requests.ConnectionError("connection reset by peer")
        yield from (self.body[i : i + 100] for i in range(0, len(self.body), 100))

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} error")

    def close(self):
        pass


class FakeServer:
    """A fake requests session serving `files`; honours Range (206) unless `ranges` is False; the first full
    answer breaks off after `drop_after` bytes when that is set; `offline` refuses every connection."""

    def __init__(self, files=None, *, ranges=True, drop_after=None, offline=False):
        self.files, self.ranges, self.drop_after, self.offline = files or {}, ranges, drop_after, offline
        self.seen: list[tuple[str, dict]] = []

    def get(self, url, headers=None, stream=False, timeout=None, allow_redirects=True):
        assert stream and timeout, "downloads stream, with timeouts"
        self.seen.append((url, dict(headers or {})))
        if self.offline or url not in self.files:
            raise requests.ConnectionError(f"Failed to resolve '{url}' (network is unreachable)")
        body, rng = self.files[url], (headers or {}).get("Range")
        if rng and self.ranges:
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            part = {
                "Content-Length": str(len(body) - start),
                "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}",
            }
            return FakeResponse(206, body[start:], {**part, "ETag": '"v1"'})
        fail, self.drop_after = self.drop_after, None
        return FakeResponse(200, body, {"Content-Length": str(len(body)), "ETag": '"v1"'}, fail_after=fail)

    def head(self, url, allow_redirects=True, timeout=None, headers=None):
        return FakeResponse(200 if url in self.files else 404, b"", {})


def _files_under(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ----------------------------------------------------------------------------- the real registry


def test_real_registry_keeps_extended_files_apart():
    core, ext = registry.load_registry(), registry.extended_registry()
    assert ext and not any(f.use == "extended" for f in core.values())
    assert not any(f.use == "extended" for f in registry.build_inputs()) and not set(core) & set(ext)
    verifications = {registry.VERIFY_PUBLISHED, registry.VERIFY_SIZE_TOFU, registry.VERIFY_TOFU}
    for f in ext.values():
        assert f.release and f.file_id.startswith(f"ext_{f.release}") and f.citation and f.licence and f.coverage
        assert f.verification in verifications and f.published_by and f.kind == "original"
        assert f.urls and all(u.startswith("https://") for u in f.urls)
        assert f.path == f"extended/{f.release}/{f.cache_path.name}"
        assert f.cache_path == config.extended_raw_dir() / f.release / f.cache_path.name
        assert (f.sha256 is None or len(f.sha256) == 64) and (f.sha256 is None or f.bytes)
    assert {"npr_lea", "npr_fy", "ddp_2025_07", "ddp_2025_12"} <= {f.release for f in ext.values()}


# ----------------------------------------------------------------------------- verification


def test_published_sha256_verified_and_only_unpublished_sha256s_recorded(ext_home):
    done = extended.fetch_extended(["rel_a"], progress=False, downloader=serving({URL_PUB: PUB, URL_SIZED: SIZED}))
    assert set(done) == {"ext_rel_a_pub", "ext_rel_a_size"}
    assert done["ext_rel_a_pub"].read_bytes() == PUB and done["ext_rel_a_size"].read_bytes() == SIZED
    lock = extended.read_lock()
    assert set(lock) == {"ext_rel_a_size"} and lock["ext_rel_a_size"]["sha256"] == _sha(SIZED)
    assert lock["ext_rel_a_size"]["url"] == URL_SIZED and lock["ext_rel_a_size"]["recorded_utc"].endswith("Z")
    status = {row["file_id"]: row for row in extended.extended_status()}
    assert status["ext_rel_a_pub"]["installed"] and not status["ext_rel_b_tofu"]["installed"]
    assert status["ext_rel_b_tofu"]["bytes"] is None and status["ext_rel_a_size"]["bytes"] == len(SIZED)
    assert set(extended.installed_extended_files()) == {"ext_rel_a_pub", "ext_rel_a_size"}


def test_published_sha256_mismatch_is_refused_and_nothing_installed(ext_home):
    altered = PUB.replace(b"row", b"rox", 1)  # same size, other bytes
    with pytest.raises(DataSourceError) as info:
        extended.fetch_extended(
            ["rel_a"], progress=False, downloader=serving({URL_PUB: altered, URL_PUB_COPY: altered, URL_SIZED: SIZED})
        )
    text = str(info.value)
    assert "ext_rel_a_pub" in text and "1 of 2" in text and _sha(PUB) in text and _sha(altered) in text
    assert "data/sources.yaml" in text and URL_PUB in text and URL_PUB_COPY in text
    entry = registry.extended_registry()["ext_rel_a_pub"]
    assert not entry.cache_path.exists() and not list(entry.cache_path.parent.glob(".fetch-*"))
    assert registry.extended_registry()["ext_rel_a_size"].cache_path.read_bytes() == SIZED  # the good one stays
    # a bad copy at the first URL, the right one at the second: installed
    done = extended.fetch_extended(["rel_a"], progress=False, downloader=serving({URL_PUB: altered, URL_PUB_COPY: PUB}))
    assert done["ext_rel_a_pub"].read_bytes() == PUB


def test_published_size_mismatch_is_refused(ext_home):
    with pytest.raises(DataSourceError, match=f"(?s)ext_rel_a_size.*published size is {len(SIZED):,}"):
        extended.fetch_extended(["rel_a"], progress=False, downloader=serving({URL_PUB: PUB, URL_SIZED: SIZED + b"x"}))
    assert not config.extended_lock_path().exists()


def test_trust_on_first_use_records_then_refuses_a_different_file(ext_home):
    lock_path = config.extended_lock_path()
    path = extended.fetch_extended(["rel_b"], progress=False, downloader=serving({URL_TOFU: TOFU}))["ext_rel_b_tofu"]
    text = lock_path.read_text()
    assert "the first copy downloaded is trusted;\n# every later download must be identical; keep or commit" in text
    assert _sha(TOFU) in text
    # an identical second download passes
    path.unlink()
    extended.fetch_extended(["rel_b"], progress=False, downloader=serving({URL_TOFU: TOFU}))
    assert path.read_bytes() == TOFU and lock_path.read_text() == text
    # the copy in place was altered (same size): --verify notices, downloads again, and the server's new file
    # differs from the record: refused, naming both hashes; nothing replaced, the lock unchanged
    damaged = TOFU.replace(b"invented", b"INVENTED", 1)
    path.write_bytes(damaged)
    revised = TOFU + b"one more row\n"
    with pytest.raises(DataSourceError) as info:
        extended.fetch_extended(["rel_b"], progress=False, downloader=serving({URL_TOFU: revised}), verify=True)
    message = str(info.value)
    assert _sha(TOFU) in message and _sha(revised) in message and "delete the entry 'ext_rel_b_tofu'" in message
    assert path.read_bytes() == damaged and lock_path.read_text() == text


# ----------------------------------------------------------------------------- resume, offline, by hand


def test_interrupted_download_resumes_with_range(ext_home):
    server = FakeServer({URL_TOFU: TOFU}, drop_after=1000)
    with pytest.raises(DataSourceError, match="connection reset"):
        extended.fetch_extended(["rel_b"], progress=False, session=server)
    part = partial_path("ext_rel_b_tofu")
    assert part.read_bytes() == TOFU[:1000] and not config.extended_lock_path().exists()
    assert not registry.extended_registry()["ext_rel_b_tofu"].cache_path.exists()
    done = extended.fetch_extended(["rel_b"], progress=False, session=server)
    assert done["ext_rel_b_tofu"].read_bytes() == TOFU and not part.exists()
    assert server.seen[-1][1]["Range"] == "bytes=1000-" and server.seen[-1][1]["If-Range"] == '"v1"'
    assert extended.read_lock()["ext_rel_b_tofu"]["sha256"] == _sha(TOFU)


def test_server_without_range_support_restarts_the_file(ext_home, tmp_path):
    part = tmp_path / "p" / "x.part"
    part.parent.mkdir()
    part.write_bytes(b"stale")
    part.with_name("x.part.json").write_text(json.dumps({"url": URL_PUB}))
    server = FakeServer({URL_PUB: PUB}, ranges=False)
    out = tmp_path / "out.bin"
    get = ResumableDownloader(part, session=server)
    get(URL_PUB, str(out), None)
    assert out.read_bytes() == PUB and server.seen[0][1]["Range"] == "bytes=5-" and not part.exists()
    assert get(URL_PUB, None, None, check_only=True) and not get(URL_TOFU, None, None, check_only=True)


def test_offline_names_every_file_and_changes_nothing(ext_home):
    with pytest.raises(DataSourceError) as info:
        extended.fetch_extended(progress=False, session=FakeServer(offline=True))
    text = str(info.value)
    assert all(file_id in text for file_id in ALL_IDS) and "3 of 3" in text
    assert all(url in text for url in (URL_PUB, URL_PUB_COPY, URL_SIZED, URL_TOFU))
    assert "nothing else changed" in text and "core build" in text and "unaffected" in text
    assert not config.extended_lock_path().exists() and _files_under(config.extended_raw_dir()) == []


def test_from_folder_installs_hand_downloads_with_the_same_checks(ext_home, tmp_path):
    hand = tmp_path / "Downloads"
    hand.mkdir()
    (hand / "pub_raw.txt").write_bytes(PUB)  # a publisher's name
    (hand / "sized.txt").write_bytes(SIZED)  # the registered name
    (hand / "Original Name Redacted.xlsx").write_bytes(TOFU)
    done = extended.fetch_extended(from_dir=hand, progress=False)
    assert set(done) == set(ALL_IDS) and done["ext_rel_b_tofu"].read_bytes() == TOFU
    record = extended.read_lock()["ext_rel_b_tofu"]
    assert record["copied_from"].endswith("Original Name Redacted.xlsx") and record["url"] is None
    assert (hand / "pub_raw.txt").exists()  # copied, not moved
    # a hand copy that is not the registered file is refused the same way
    done["ext_rel_a_pub"].unlink()
    (hand / "pub_raw.txt").write_bytes(PUB[:-1])
    with pytest.raises(DataSourceError, match="(?s)ext_rel_a_pub.*refused.*published size"):
        extended.fetch_extended(["rel_a"], from_dir=hand, progress=False)


def test_installed_files_check_sizes_cheaply(ext_home):
    extended.fetch_extended(["rel_b"], progress=False, downloader=serving({URL_TOFU: TOFU}))
    path = extended.installed_extended_files(["rel_b"])["ext_rel_b_tofu"]
    path.write_bytes(TOFU[:10])
    with pytest.raises(DataSourceError, match="(?s)ext_rel_b_tofu.*damaged.*ma-ice fetch --extended --release rel_b"):
        extended.installed_extended_files()


# ----------------------------------------------------------------------------- release ids and the CLI


def test_unknown_release_is_a_clear_error(ext_home, capsys):
    with pytest.raises(ParameterError, match="rel_a, rel_b"):
        extended.fetch_extended(["nope"], progress=False, downloader=serving({}))
    assert main(["fetch", "--extended", "--release", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown extended release 'nope'" in err and "rel_a, rel_b" in err
    assert _files_under(config.extended_raw_dir()) == []


def test_cli_installs_from_a_folder_and_prints_how_each_file_was_verified(ext_home, tmp_path, capsys):
    hand = tmp_path / "Downloads"
    hand.mkdir()
    for name, data in (("pub.txt", PUB), ("sized.txt", SIZED), ("release.xlsx", TOFU)):
        (hand / name).write_bytes(data)
    assert main(["--mirror", str(tmp_path), "fetch", "--extended", "--from", str(hand)]) == 0
    err = capsys.readouterr().err
    assert "mirror" in err and "ignored" in err and "3 extended files in place" in err
    hows = (registry.VERIFY_PUBLISHED, registry.VERIFY_SIZE_TOFU, registry.VERIFY_TOFU)
    for file_id, how in zip(ALL_IDS, hows, strict=True):
        assert any(line.startswith(file_id) and line.endswith(how) for line in err.splitlines())
    assert main(["fetch", "--release", "rel_a"]) == 2 and "add --extended" in capsys.readouterr().err
