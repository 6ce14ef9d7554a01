"""The source registry (data/sources.yaml): every input file, its upstream URL, sha256 and citation.

Files marked `use: extended` (the large ICE detainer releases fetched on request by `ma-ice fetch --extended`)
are kept apart: `load_registry()` and `build_inputs()` never return them; `extended_registry()` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ma_ice_coop import config
from ma_ice_coop.errors import DataSourceError, ProjectError
from ma_ice_coop.io import read_yaml

REQUIRED_KEYS = ("source", "path", "kind", "url", "sha256", "bytes", "publisher", "coverage", "what")
EXTENDED_REQUIRED_KEYS = (*REQUIRED_KEYS, "release")

# How an extended file's identity is checked, from what its publisher gives (sha256 and/or size in bytes).
VERIFY_PUBLISHED = "published sha256 and size"
VERIFY_SIZE_TOFU = "published size; sha256 recorded on first download"
VERIFY_TOFU = "recorded on first download"
VERIFY_CORE = "registry sha256 and size"


@dataclass(frozen=True)
class InputFile:
    """One input file. `path` is its place in the mirror (e.g. raw/<source>/<name>); for an extended file
    extended/<release>/<name>. `sha256` and `bytes` (file size) are None only for extended files whose
    publisher does not give them (trust on first use, see sources/extended.py)."""

    file_id: str
    source: str
    path: str
    kind: str  # "original" (byte-identical upstream) or "extract" (MA subset / conversion)
    urls: tuple[str, ...]
    sha256: str | None
    bytes: int | None
    publisher: str
    coverage: str
    what: str
    citation: str
    licence: str
    rows: int | None = None
    derived_from: tuple[str, ...] = field(default_factory=tuple)
    use: str = "build"  # "build" = a build input; "check" = reference for tests (mirror only)
    content_sha256: str | None = None  # extracts rebuilt online: fingerprint of rows and values
    release: str | None = None  # extended files: the release id of the unified detainers table
    verification: str = VERIFY_CORE  # extended files: one of the VERIFY_* texts above
    published_by: str | None = None  # extended files: where the sha256 / size come from
    other_names: tuple[str, ...] = ()  # extended files: names a hand download may have (`fetch --from`)

    @property
    def cache_path(self) -> Path:
        """Where the verified copy lives: under data/raw/, or config.extended_raw_dir() for extended files."""
        rel = Path(self.path)
        if self.use == "extended":
            if rel.parts and rel.parts[0] == "extended":
                rel = Path(*rel.parts[1:])
            return config.extended_raw_dir() / rel
        if rel.parts and rel.parts[0] == "raw":
            rel = Path(*rel.parts[1:])
        return config.raw_dir() / rel


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[dict[str, InputFile], dict[str, InputFile]]:
    """(core files, extended files) of the registry at `path`, each in file order."""
    if not path.exists():
        raise ProjectError(f"source registry not found at {path}: restore data/sources.yaml from git")
    doc = read_yaml(path)
    sources = doc.get("sources") or {}
    files: dict[str, InputFile] = {}
    extended: dict[str, InputFile] = {}
    for file_id, entry in (doc.get("files") or {}).items():
        if entry.get("use") == "extended":
            extended[file_id] = _extended_entry(path, file_id, entry, sources)
            continue
        missing = [k for k in REQUIRED_KEYS if k not in entry]
        if missing:
            raise ProjectError(f"{path}: file '{file_id}' lacks {', '.join(missing)}")
        if entry.get("use", "build") not in ("build", "check"):
            raise ProjectError(f"{path}: file '{file_id}' has use {entry['use']!r}; use build or check")
        if entry["kind"] not in ("original", "extract"):
            raise ProjectError(f"{path}: file '{file_id}' has kind {entry['kind']!r}; use original or extract")
        src = sources.get(entry["source"])
        if src is None:
            raise ProjectError(f"{path}: file '{file_id}' names source '{entry['source']}', not listed under sources:")
        urls = entry["url"] if isinstance(entry["url"], list) else [entry["url"]]
        files[file_id] = InputFile(
            file_id=file_id,
            source=entry["source"],
            path=entry["path"],
            kind=entry["kind"],
            urls=tuple(urls),
            sha256=entry["sha256"].lower(),
            bytes=int(entry["bytes"]),
            publisher=entry["publisher"],
            coverage=str(entry["coverage"]),
            what=entry["what"],
            citation=src["citation"],
            licence=src["licence"],
            rows=entry.get("rows"),
            derived_from=tuple(entry.get("derived_from") or ()),
            use=entry.get("use", "build"),
            content_sha256=entry.get("content_sha256"),
        )
    for f in files.values():
        unknown = [d for d in f.derived_from if d not in files]
        if unknown:
            raise ProjectError(f"{path}: '{f.file_id}' is derived from unknown file(s) {unknown}")
    return files, extended


def _extended_entry(path: Path, file_id: str, entry: dict, sources: dict) -> InputFile:
    """One `use: extended` file: sha256 and bytes may be null (not published); `release` names its release."""
    missing = [k for k in EXTENDED_REQUIRED_KEYS if k not in entry]
    if missing:
        raise ProjectError(f"{path}: extended file '{file_id}' lacks {', '.join(missing)}")
    if entry["kind"] != "original":
        raise ProjectError(f"{path}: extended file '{file_id}' has kind {entry['kind']!r}; use original")
    if not str(entry["path"]).startswith("extended/"):
        raise ProjectError(
            f"{path}: extended file '{file_id}' has path {entry['path']!r}; write extended/<release>/<name>"
        )
    src = sources.get(entry["source"])
    if src is None:
        raise ProjectError(f"{path}: file '{file_id}' names source '{entry['source']}', not listed under sources:")
    sha256 = str(entry["sha256"]).lower() if entry["sha256"] is not None else None
    size = int(entry["bytes"]) if entry["bytes"] is not None else None
    if sha256 is not None and size is None:
        raise ProjectError(f"{path}: extended file '{file_id}' gives a sha256 without bytes; give the size too")
    verification = VERIFY_PUBLISHED if sha256 else VERIFY_SIZE_TOFU if size is not None else VERIFY_TOFU
    urls = entry["url"] if isinstance(entry["url"], list) else [entry["url"]]
    return InputFile(
        file_id=file_id,
        source=entry["source"],
        path=entry["path"],
        kind=entry["kind"],
        urls=tuple(urls),
        sha256=sha256,
        bytes=size,
        publisher=entry["publisher"],
        coverage=str(entry["coverage"]),
        what=entry["what"],
        citation=src["citation"],
        licence=src["licence"],
        rows=entry.get("rows"),
        use="extended",
        release=str(entry["release"]),
        verification=verification,
        published_by=entry.get("published_by"),
        other_names=tuple(entry.get("also_named") or ()),
    )


def load_registry(path: Path | None = None) -> dict[str, InputFile]:
    """All registered input files by id (build inputs and test references; never the extended files)."""
    return _load((path or config.registry_path()).resolve())[0]


def extended_registry(path: Path | None = None) -> dict[str, InputFile]:
    """The extended detainer-release files (`use: extended`) by id, in file order."""
    return _load((path or config.registry_path()).resolve())[1]


def get(file_id: str) -> InputFile:
    files = load_registry()
    if file_id not in files:
        raise ProjectError(f"unknown input '{file_id}'; registered inputs: {', '.join(sorted(files))}")
    return files[file_id]


def build_inputs() -> list[InputFile]:
    """The files a build needs (use: build); the others are references for tests."""
    return [f for f in load_registry().values() if f.use == "build"]


def input_path(file_id: str) -> Path:
    """Path of a verified, cached input; an error that says to fetch when it is absent."""
    entry = get(file_id)
    path = entry.cache_path
    if not path.exists():
        raise DataSourceError(
            file_id, "not fetched yet", "run `make data` (or `ma-ice fetch`) first", source=entry.source, path=str(path)
        )
    return path
