"""The source registry (data/sources.yaml): every input file, its upstream URL, sha256 and citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ma_ice_coop import config
from ma_ice_coop.errors import DataSourceError, ProjectError
from ma_ice_coop.io import read_yaml

REQUIRED_KEYS = ("source", "path", "kind", "url", "sha256", "bytes", "publisher", "coverage", "what")


@dataclass(frozen=True)
class InputFile:
    """One input file. `path` is its place in the mirror (e.g. raw/<source>/<name>)."""

    file_id: str
    source: str
    path: str
    kind: str  # "original" (byte-identical upstream) or "extract" (MA subset / conversion)
    urls: tuple[str, ...]
    sha256: str
    bytes: int
    publisher: str
    coverage: str
    what: str
    citation: str
    licence: str
    rows: int | None = None
    derived_from: tuple[str, ...] = field(default_factory=tuple)
    use: str = "build"  # "build" = a build input; "check" = reference for tests (mirror only)
    content_sha256: str | None = None  # extracts rebuilt online: fingerprint of rows and values

    @property
    def cache_path(self) -> Path:
        """Where the verified copy lives under data/raw/."""
        rel = Path(self.path)
        if rel.parts and rel.parts[0] == "raw":
            rel = Path(*rel.parts[1:])
        return config.raw_dir() / rel


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, InputFile]:
    if not path.exists():
        raise ProjectError(f"source registry not found at {path}: restore data/sources.yaml from git")
    doc = read_yaml(path)
    sources = doc.get("sources") or {}
    files: dict[str, InputFile] = {}
    for file_id, entry in (doc.get("files") or {}).items():
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
    return files


def load_registry(path: Path | None = None) -> dict[str, InputFile]:
    """All registered input files by id."""
    return _load((path or config.registry_path()).resolve())


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
