"""The build's content cache: a step or a notebook run is redone only when what it depends on changed.

Keys are sha256 digests of the inputs (package code, reference tables, registry, locked environment,
processed tables, a notebook's cell sources and parameters). They live in build/cache/ (ignored by git).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.specs.notebooks import Run


def content_digest(*parts: bytes) -> str:
    """sha256 over the sha256s of the parts (order matters)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _files_digest(paths) -> str:
    root = config.project_root()
    items = sorted(Path(p) for p in paths)
    return content_digest(
        *[p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() for p in items if p.is_file()]
    )


def code_digest() -> str:
    """The package code, the notebook registry, the reference tables and the locked environment."""
    root = config.project_root()
    files = list((root / "src" / "ma_ice_coop").rglob("*.py"))
    files += list((root / "data" / "reference").glob("*"))
    files += [
        root / "notebooks" / "registry.yaml",
        root / "requirements.lock",
        root / "data" / "detainer_releases.yaml",
    ]
    return _files_digest(files)


def data_digest() -> str:
    """The processed tables (their manifest of sha256s)."""
    manifest = config.processed_dir() / "MANIFEST.json"
    return content_digest(manifest.read_bytes()) if manifest.exists() else "no-processed-data"


def notebook_source_digest(path: Path) -> str:
    """Cell types, sources and tags only: the notebook's own outputs do not count."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        (
            c["cell_type"],
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        for c in doc["cells"]
    ]
    return content_digest(json.dumps(cells, sort_keys=True).encode())


def run_key(run: Run, code: str, data: str) -> str:
    params = json.dumps(run.params, sort_keys=True, default=str).encode()
    return content_digest(notebook_source_digest(run.spec.path).encode(), params, code.encode(), data.encode())


def _cache_path() -> Path:
    return config.project_root() / "build" / "cache" / "notebook_runs.json"


def load_cache() -> dict[str, str]:
    path = _cache_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save_cache(cache: dict[str, str]) -> None:
    io.atomic_write_text(_cache_path(), json.dumps(cache, indent=1, sort_keys=True) + "\n")


def is_fresh(run: Run, key: str, cache: dict[str, str]) -> bool:
    return cache.get(run.label) == key and run.executed_path.exists() and run.html_path.exists()
