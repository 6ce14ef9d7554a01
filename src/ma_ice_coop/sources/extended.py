"""Acquire the extended ICE detainer releases (`ma-ice fetch --extended`, `make extended`) and verify them.

The files are registered in data/sources.yaml with `use: extended` (registry.extended_registry()); the core
build never needs them. Each is downloaded with pooch (resumable, sources/resumable.py) from its URLs in
order, into a staging folder beside its place in config.extended_raw_dir(), and installed (os.replace) only
after its identity is verified:

- published sha256 and size: both must match (pooch checks the sha256 while downloading);
- published size only, or nothing published: trust on first use. The first verified copy's sha256 and size
  are recorded in the lock file (config.extended_lock_path()); every later copy must be identical to it.

A failed or interrupted download never replaces a good file and never writes the lock; a partial download
resumes on the next run. `from_dir` installs copies the user downloaded by hand, with the same checks.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import yaml

from ma_ice_coop import config
from ma_ice_coop.errors import DataSourceError, ParameterError, ProjectError
from ma_ice_coop.io import atomic_write_text, read_yaml
from ma_ice_coop.sources.fetch import sha256_of
from ma_ice_coop.sources.registry import InputFile, extended_registry

LOCK_HEADER = """\
# Record of the extended ICE detainer files whose publisher gives no sha256 (data/sources.yaml lists them),
# written by `ma-ice fetch --extended`. Trust on first use: the first copy downloaded is trusted;
# every later download must be identical; keep or commit this file to pin what you analysed.
# If a publisher revises a file on purpose, review the new release, then delete that file's entry below
# and run `ma-ice fetch --extended` again: the new copy is then recorded.
"""


class _Refused(Exception):
    """A complete file that is not the registered one: `kind` is "published" (sha256/size) or "lock"."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# ----------------------------------------------------------------------------- selection, lock, status


def extended_releases() -> list[str]:
    """The release ids that have registered extended files, in file order."""
    return list(dict.fromkeys(f.release for f in extended_registry().values()))


def extended_files(release_ids: Iterable[str] | str | None = None) -> list[InputFile]:
    """The extended files of the given releases (all by default), in file order; an unknown release id is a
    ParameterError listing the known ones."""
    files = list(extended_registry().values())
    if release_ids is None:
        return files
    wanted = [release_ids] if isinstance(release_ids, str) else list(release_ids)
    known = extended_releases()
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise ParameterError(
            f"unknown extended release {', '.join(repr(r) for r in unknown)}: the releases with files to fetch are "
            f"{', '.join(known)} (data/sources.yaml, use: extended)"
        )
    return [f for f in files if f.release in wanted]


def read_lock() -> dict[str, dict]:
    """The trust-on-first-use records by file id ({} when there is no lock file yet)."""
    path = config.extended_lock_path()
    if not path.exists():
        return {}
    try:
        doc = read_yaml(path) or {}
        files = doc.get("files") or {}
        if not isinstance(files, dict):
            raise ValueError("'files' is not a mapping")
    except (OSError, ValueError, yaml.YAMLError, AttributeError) as exc:
        raise ProjectError(
            f"the lock file {path} cannot be read ({exc}): restore it from git (or your copy), or delete it to "
            "record the next download afresh (then nothing pins the files without a published sha256)"
        ) from None
    return files


def _record(file_id: str, record: dict) -> None:
    """Add one file's first verified copy to the lock (read again first, then written atomically)."""
    files = read_lock()
    files[file_id] = record
    text = LOCK_HEADER + yaml.safe_dump({"files": files}, sort_keys=True, default_flow_style=False, width=1000)
    atomic_write_text(config.extended_lock_path(), text)


def _expected(entry: InputFile, lock: dict[str, dict]) -> tuple[int | None, str | None]:
    """(size in bytes, sha256) the file must have: published, else recorded in the lock, else unknown."""
    record = lock.get(entry.file_id) or {}
    size = entry.bytes if entry.bytes is not None else record.get("bytes")
    return size, entry.sha256 or record.get("sha256")


def _is_installed(entry: InputFile, lock: dict[str, dict], verify: bool = False) -> bool:
    """In place with the expected size (and, with `verify`, sha256). A file whose sha256 is not published
    counts as installed only with a lock record (deleting the record asks for a fresh download)."""
    path = entry.cache_path
    if not path.is_file() or (entry.sha256 is None and entry.file_id not in lock):
        return False
    size, sha = _expected(entry, lock)
    if size is None or path.stat().st_size != size:
        return False
    return not verify or sha256_of(path) == sha


def extended_status(release_ids: Iterable[str] | None = None) -> list[dict]:
    """One dict per extended file: file_id, release, filename, bytes (expected; None until known), sha256,
    verification, installed (in place with the expected size), path."""
    lock = read_lock()
    rows = []
    for entry in extended_files(release_ids):
        size, sha = _expected(entry, lock)
        rows.append(
            {
                "file_id": entry.file_id,
                "release": entry.release,
                "filename": entry.cache_path.name,
                "bytes": size,
                "sha256": sha,
                "verification": entry.verification,
                "installed": _is_installed(entry, lock),
                "path": entry.cache_path,
            }
        )
    return rows


def installed_extended_files(release_ids: Iterable[str] | None = None) -> dict[str, Path]:
    """The extended files in place, by id (cheap: size against the registry or lock, no hashing). A file in
    place whose size differs, or with no record of its identity, is an error saying to fetch it again."""
    lock = read_lock()
    found: dict[str, Path] = {}
    for entry in extended_files(release_ids):
        path = entry.cache_path
        if not path.exists():
            continue
        size, _ = _expected(entry, lock)
        refetch = f"run `ma-ice fetch --extended --release {entry.release}` (a copy is replaced only by a verified one)"
        if entry.sha256 is None and entry.file_id not in lock:
            problem = (
                f"the file is in place but {config.extended_lock_path()} has no record of it (its sha256 is not "
                "published, so the first download is recorded there)"
            )
            raise DataSourceError(entry.file_id, problem, refetch, source=entry.source, path=str(path))
        actual = path.stat().st_size if path.is_file() else None
        if actual != size:
            what = "a folder" if actual is None else f"{actual:,} bytes"
            problem = f"the file in place is {what}, expected {size:,} bytes ({entry.verification}): it was damaged"
            raise DataSourceError(entry.file_id, problem, refetch, source=entry.source, path=str(path))
        found[entry.file_id] = path
    return found


# ----------------------------------------------------------------------------- fetch


def fetch_extended(
    release_ids: Iterable[str] | str | None = None,
    *,
    from_dir: str | os.PathLike | None = None,
    progress: bool = True,
    downloader=None,
    session=None,
    verify: bool = False,
) -> dict[str, Path]:
    """Fetch and verify the extended files (or those of `release_ids`); returns id -> installed path.

    Files already in place with the expected size are kept (re-hashed only with `verify`). `from_dir`: install
    copies downloaded by hand from that folder instead of downloading. `downloader`: a pooch downloader used
    for every URL (tests); by default a resumable one over `session` (a requests.Session unless given).
    Every file is attempted; the failures are raised together as one DataSourceError, the good files stay.
    """
    entries = extended_files(release_ids)
    folder = _hand_folder(from_dir) if from_dir is not None else None
    lock = read_lock()
    done: dict[str, Path] = {}
    errors: list[DataSourceError] = []
    for entry in entries:
        if _is_installed(entry, lock, verify):
            _say(progress, f"{entry.file_id}: in place ({entry.verification})")
            done[entry.file_id] = entry.cache_path
            continue
        try:
            done[entry.file_id] = _fetch_one(entry, lock, folder, progress, downloader, session)
        except DataSourceError as exc:
            errors.append(exc)
        lock = read_lock()
    if errors:
        raise DataSourceError(
            ",".join(e.file_id for e in errors),
            f"{len(errors)} of {len(entries)} extended files could not be fetched:\n"
            + "\n".join(f"  - {e}" for e in errors),
            f"nothing else changed: no file listed above was installed or replaced and the lock was not written "
            f"for them; files already verified stay in {config.extended_raw_dir()}; the core build and its "
            "reports do not use these files and are unaffected",
        )
    return done


def _hand_folder(from_dir: str | os.PathLike) -> Path:
    folder = Path(from_dir).expanduser().resolve()
    if not folder.is_dir():
        raise ParameterError(f"--from {from_dir}: no such folder; give the folder holding the files you downloaded")
    return folder


def _say(progress: bool, text: str) -> None:
    if progress:
        print(text, file=sys.stderr, flush=True)


def _fetch_one(entry: InputFile, lock: dict, folder: Path | None, progress: bool, downloader, session) -> Path:
    """Stage one file (download or hand copy), verify it, record it if needed, install it."""
    entry.cache_path.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".fetch-", dir=entry.cache_path.parent))
    try:
        if folder is not None:
            staged, origin, digest = _from_folder(entry, stage, lock, folder)
        else:
            staged, origin, digest = _download(entry, stage, lock, progress, downloader, session)
        try:
            return _install(entry, staged, digest, origin, lock)
        except OSError as exc:  # a folder in its place, a full disk, a read-only folder
            raise DataSourceError(
                entry.file_id,
                f"the verified file could not be put in place ({exc.strerror or exc})",
                f"remove any folder at that path, make {entry.cache_path.parent} writable (and free disk space), "
                "then run `ma-ice fetch --extended` again",
                source=entry.source,
                path=str(entry.cache_path),
            ) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _install(entry: InputFile, staged: Path, digest: str, origin: dict, lock: dict) -> Path:
    """Record a first copy (sha256 not published) in the lock, then move the verified file into place."""
    if entry.sha256 is None and entry.file_id not in lock:
        when = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        _record(entry.file_id, {"sha256": digest, "bytes": staged.stat().st_size, **origin, "recorded_utc": when})
    target = entry.cache_path
    os.replace(staged, target)
    return target


def _verify(entry: InputFile, staged: Path, lock: dict, *, sha_checked: bool) -> str:
    """The sha256 of a complete staged file, or _Refused when it is not the registered / recorded file."""
    size = staged.stat().st_size
    if entry.bytes is not None and size != entry.bytes:
        raise _Refused("published", f"the file has {size:,} bytes; the published size is {entry.bytes:,}")
    if entry.sha256 is not None:
        digest = entry.sha256 if sha_checked else sha256_of(staged)
        if digest != entry.sha256:
            raise _Refused("published", f"the file's sha256 is {digest}; the published sha256 is {entry.sha256}")
        return digest
    digest = sha256_of(staged)
    record = lock.get(entry.file_id)
    if record and (digest != record.get("sha256") or size != record.get("bytes")):
        raise _Refused(
            "lock",
            f"the file (sha256 {digest}, {size:,} bytes) differs from the copy recorded in "
            f"{config.extended_lock_path()} on {record.get('recorded_utc', '?')} (sha256 {record.get('sha256')}, "
            f"{record.get('bytes') or 0:,} bytes)",
        )
    return digest


def _fix(entry: InputFile, kinds: set[str]) -> str:
    if "lock" in kinds:
        return (
            "nothing was installed and the lock was not changed. If the publisher revised the file on purpose, "
            f"review the new release, then delete the entry '{entry.file_id}' from {config.extended_lock_path()} "
            "and run `ma-ice fetch --extended` again (the new copy is then recorded); otherwise keep the copy you have"
        )
    if "published" in kinds:
        return (
            "nothing was installed. Try again later (a download can be corrupted); if the publisher revised the "
            f"file on purpose, review the new release and update sha256/bytes of '{entry.file_id}' in data/sources.yaml"
        )
    return (
        "check the network and that the URLs above are reachable, then run `ma-ice fetch --extended` again (a "
        f"partial download resumes); or download the file in a browser from {entry.urls[0]} and install it with "
        "`ma-ice fetch --extended --from <folder>`"
    )


@contextmanager
def _quiet(pooch):
    """pooch logs every download at INFO, with advice meant for its own API: say what matters ourselves."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


def _download(entry: InputFile, stage: Path, lock: dict, progress: bool, downloader, session):
    """Try each URL in order; return (staged file, lock origin, sha256) or raise DataSourceError naming all."""
    import pooch  # lazy: only a download needs it

    from ma_ice_coop.sources.resumable import ResumableDownloader, partial_path  # lazy: imports requests

    known = f"sha256:{entry.sha256}" if entry.sha256 else None
    reasons: list[str] = []
    kinds: set[str] = set()
    for url in entry.urls:
        _say(progress, f"{entry.file_id}: downloading {url}")
        get = downloader or ResumableDownloader(
            partial_path(entry.file_id), progressbar=progress, session=session, label=entry.file_id
        )
        target = stage / entry.cache_path.name
        try:
            with _quiet(pooch):
                staged = Path(
                    pooch.retrieve(
                        url, known_hash=known, fname=target.name, path=stage, downloader=get, progressbar=progress
                    )
                )
            return staged, {"url": url}, _verify(entry, staged, lock, sha_checked=known is not None)
        except _Refused as exc:
            kinds.add(exc.kind)
            reasons.append(f"{url}: refused: {exc}")
        except Exception as exc:  # network errors come in many types; report them all the same way
            if isinstance(exc, ValueError) and "does not match the known hash" in str(exc):
                kinds.add("published")  # pooch: the sha256 is not the published one (it deleted the download)
                reasons.append(f"{url}: refused: {_short(exc, url, 500)}")
            else:
                reasons.append(f"{url}: {_short(exc, url)}")
        target.unlink(missing_ok=True)
    raise DataSourceError(
        entry.file_id,
        "could not be downloaded; tried:\n" + "\n".join(f"      {r}" for r in reasons),
        _fix(entry, kinds),
        source=entry.source,
        path=str(entry.cache_path),
    )


def _short(exc: Exception, url: str, limit: int = 300) -> str:
    """One line for a failed attempt (the URL, already named before it, shortened to 'it')."""
    text = f"{type(exc).__name__}: {exc}".replace(url, "<it>")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _from_folder(entry: InputFile, stage: Path, lock: dict, folder: Path):
    """Stage a copy the user downloaded by hand (registered name, or a publisher's name) and verify it."""
    names = (entry.cache_path.name, *entry.other_names)
    found = next((folder / n for n in names if (folder / n).is_file()), None)
    if found is None:
        raise DataSourceError(
            entry.file_id,
            f"not found in {folder} (looked for {', '.join(repr(n) for n in names)})",
            f"download it from {entry.urls[0]} into that folder, or run `ma-ice fetch --extended` without --from",
            source=entry.source,
            path=str(entry.cache_path),
        )
    staged = stage / entry.cache_path.name
    shutil.copyfile(found, staged)
    try:
        digest = _verify(entry, staged, lock, sha_checked=False)
    except _Refused as exc:
        raise DataSourceError(
            entry.file_id, f"{found} was refused: {exc}", _fix(entry, {exc.kind}), source=entry.source, path=str(found)
        ) from None
    return staged, {"url": None, "copied_from": found.name}, digest  # the name only: no local paths in the lock
