"""Acquire every input file and verify it: download (pooch) or copy from an offline mirror.

A file is placed in data/raw/ only after its size and sha256 match the registry, so a failed
download, a truncated copy or an altered mirror never replaces a good cached file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from ma_ice_coop import config
from ma_ice_coop.errors import DataSourceError
from ma_ice_coop.sources.derivations import ONLINE_DERIVATIONS
from ma_ice_coop.sources.registry import InputFile, build_inputs, get, load_registry

# Extracts with no mirrored original that the project can rebuild online from their upstream
# files. file_id -> function(list of downloaded upstream paths, output path). Filled by
# online_extracts.py (imported by fetch_all).


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_file(entry: InputFile, path: Path, *, origin: str, shown: Path | None = None) -> None:
    """Raise DataSourceError unless `path` is exactly the registered file (errors name `shown`, the file the
    user knows, when `path` is a staging copy)."""
    if not path.exists():
        raise DataSourceError(
            entry.file_id,
            f"file not found in {origin}",
            _fix_missing(entry, origin),
            source=entry.source,
            path=str(path),
        )
    size = path.stat().st_size
    if size == 0:
        problem = "file is empty (0 bytes)"
    elif size < entry.bytes:
        problem = f"file is truncated ({size:,} of {entry.bytes:,} bytes)"
    elif size != entry.bytes:
        problem = f"file has {size:,} bytes, registry says {entry.bytes:,}: it was altered or replaced"
    else:
        digest = sha256_of(path)
        if digest == entry.sha256:
            return
        problem = f"sha256 is {digest}, registry says {entry.sha256}: the file was altered"
    raise DataSourceError(
        entry.file_id,
        f"{problem} ({origin})",
        f"restore the original file (upstream: {entry.urls[0]}); if the publisher has released a new version "
        "on purpose, review it and update data/sources.yaml",
        source=entry.source,
        path=str(shown or path),
    )


def _fix_missing(entry: InputFile, origin: str) -> str:
    if origin.startswith("mirror"):
        return (
            f"check that {config.MIRROR_ENV} (or --mirror) points at a complete copy of the data mirror "
            f"(expected {entry.path} inside it), or unset it to download from {entry.urls[0]}"
        )
    return f"run `make data` (or `ma-ice fetch`) to download it from {entry.urls[0]}"


def _is_cached(entry: InputFile) -> bool:
    path = entry.cache_path
    if not path.exists():
        return False
    # Size first: cheap, and catches most damage; sha256 only when the size is right.
    if path.stat().st_size == entry.bytes and sha256_of(path) == entry.sha256:
        return True
    # An extract rebuilt online is checked by its rows and values, not its bytes.
    return entry.content_sha256 is not None and _content_matches(entry, path)


def _content_matches(entry: InputFile, path: Path) -> bool:
    # imported here: only extracts rebuilt online need pandas, and a no-op build should not pay for it
    import pandas as pd

    from ma_ice_coop.sources.extracts import content_fingerprint  # lazy: imports pandas; rarely needed

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception:
        return False
    return content_fingerprint(frame) == entry.content_sha256


def _install(entry: InputFile, staged: Path, origin: str, shown: Path | None = None) -> Path:
    """Verify a staged file, then move it into the cache atomically."""
    check_file(entry, staged, origin=origin, shown=shown)
    target = entry.cache_path
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)
    return target


def _staging_dir(entry: InputFile) -> Path:
    entry.cache_path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".fetch-", dir=entry.cache_path.parent))


def fetch_file(entry: InputFile | str, mirror: Path | None = None) -> Path:
    """Return the verified local path of one input, fetching it if needed."""
    if isinstance(entry, str):
        entry = get(entry)
    _refuse_folders(entry, mirror)
    if _is_cached(entry):
        return entry.cache_path
    stale = entry.cache_path.exists()
    stage = _staging_dir(entry)
    try:
        if mirror is not None:
            src = mirror / entry.path
            if not src.exists():
                raise DataSourceError(
                    entry.file_id,
                    f"file not found in mirror {mirror}",
                    _fix_missing(entry, "mirror"),
                    source=entry.source,
                    path=str(src),
                )
            staged = stage / entry.cache_path.name
            shutil.copyfile(src, staged)
            return _install(entry, staged, origin=f"mirror {mirror}", shown=src)
        try:
            return _download(entry, stage)
        except DataSourceError as exc:
            if not stale:
                raise
            raise DataSourceError(
                entry.file_id,
                f"the cached copy failed its check (size or sha256) and was not used, and then {exc.problem}",
                exc.fix,
                source=entry.source,
                path=str(entry.cache_path),
            ) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _refuse_folders(entry: InputFile, mirror: Path | None) -> None:
    """A folder where an input file belongs (in data/raw/ or in the mirror) is named, with the fix."""
    if entry.cache_path.is_dir():
        raise DataSourceError(
            entry.file_id,
            "a folder is where the verified copy of this file belongs",
            f"remove that folder (rm -r '{entry.cache_path}') and run `make data` again",
            source=entry.source,
            path=str(entry.cache_path),
        )
    if mirror is not None and (mirror / entry.path).is_dir():
        raise DataSourceError(
            entry.file_id,
            f"the mirror {mirror} holds a folder, not a file, at {entry.path}",
            f"put the file there (the mirror's MANIFEST.csv lists it), or unset {config.MIRROR_ENV} to download it",
            source=entry.source,
            path=str(mirror / entry.path),
        )


def _download(entry: InputFile, stage: Path) -> Path:
    import pooch  # imported here: offline runs never need it

    if entry.kind == "original":
        try:
            staged = Path(
                pooch.retrieve(
                    entry.urls[0], known_hash=None, fname=entry.cache_path.name, path=stage, progressbar=False
                )
            )
        except Exception as exc:  # network errors come in many types; report them all the same way
            raise DataSourceError(
                entry.file_id,
                f"download failed: {exc}",
                f"check the network and that {entry.urls[0]} is reachable, or set {config.MIRROR_ENV} "
                "to an offline copy of the data mirror",
                source=entry.source,
            ) from exc
        return _install(entry, staged, origin=f"download {entry.urls[0]}")
    derive = ONLINE_DERIVATIONS.get(entry.file_id)
    if derive is None:
        raise DataSourceError(
            entry.file_id,
            "this is a Massachusetts extract whose upstream original is not published as a single "
            "downloadable file the project can re-derive it from",
            f"set {config.MIRROR_ENV} (or --mirror) to a copy of the data mirror that holds {entry.path}",
            source=entry.source,
        )
    upstream = []
    for i, url in enumerate(entry.urls):
        try:
            upstream.append(
                Path(
                    pooch.retrieve(
                        url, known_hash=None, fname=f"upstream-{i}-{Path(url).name}", path=stage, progressbar=False
                    )
                )
            )
        except Exception as exc:
            raise DataSourceError(
                entry.file_id,
                f"download of {url} failed: {exc}",
                f"check the network, or set {config.MIRROR_ENV}",
                source=entry.source,
            ) from exc
    staged = stage / entry.cache_path.name
    derive(upstream, staged)
    if not _content_matches(entry, staged):
        raise DataSourceError(
            entry.file_id,
            f"the extract rebuilt from {', '.join(entry.urls)} does not hold the registered rows "
            "and values (content_sha256): the upstream file changed",
            f"compare it with the mirror's copy; if the publisher revised the data on purpose, review it and "
            f"update content_sha256 in data/sources.yaml, or set {config.MIRROR_ENV}",
            source=entry.source,
        )
    target = entry.cache_path
    os.replace(staged, target)
    return target


def fetch_all(
    mirror: Path | None = None, *, file_ids: Iterable[str] | None = None, progress: bool = True
) -> dict[str, Path]:
    """Fetch and verify the build inputs (or the given ids). Returns id -> local path.

    Every file is attempted; failures are collected and raised together, so one bad file
    does not hide another, and the good ones are cached.
    """
    from tqdm import tqdm  # lazy: only when there is something to fetch

    if file_ids is not None:
        entries = [get(i) for i in file_ids]
    elif mirror is not None:
        # With a mirror, also take the reference extracts (use: check) so tests can compare.
        entries = list(load_registry().values())
    else:
        entries = build_inputs()
    done: dict[str, Path] = {}
    errors: list[DataSourceError] = []
    for entry in tqdm(entries, desc="fetch+verify", unit="file", disable=not progress):
        try:
            done[entry.file_id] = fetch_file(entry, mirror)
        except DataSourceError as exc:
            errors.append(exc)
    if errors:
        raise DataSourceError(
            ",".join(e.file_id for e in errors),
            f"{len(errors)} of {len(entries)} input files failed:\n" + "\n".join(f"  - {e}" for e in errors),
            "fix each file listed above; files already verified stay cached in data/raw/",
        )
    return done
