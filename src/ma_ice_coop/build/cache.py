"""The build's content cache: a step or a notebook run is redone only when what it depends on changed.

Keys are sha256 digests of the inputs. A notebook run's key covers its cell sources and parameters, the
package modules the notebook imports (followed transitively through every `ma_ice_coop` import, found
by reading the code, not by importing it), the reference tables, the registry, the locked environment,
and the processed tables its view declares in `PROCESSED_TABLES` (all tables when it declares none).
So editing one view reruns only its notebook. Keys live in build/cache/ (ignored by git).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.specs.notebooks import Run
from ma_ice_coop.tables.process import MA_PROCESSED_NAMES, PROCESSED_NAMES


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


PACKAGE = "ma_ice_coop"


def _shared_inputs() -> list[Path]:
    """What every step depends on besides code: reference tables, registry, release specs, the lock."""
    root = config.project_root()
    files = list((root / "data" / "reference").glob("*"))
    return files + [
        root / "notebooks" / "registry.yaml",
        root / "requirements.lock",
        root / "data" / "detainer_releases.yaml",
    ]


def code_digest() -> str:
    """All package code and the shared inputs (for steps that are not notebook runs)."""
    root = config.project_root()
    return _files_digest(list((root / "src" / PACKAGE).rglob("*.py")) + _shared_inputs())


def _module_file(module: str) -> Path | None:
    """The source file of a package module (or package), None when `module` names no module."""
    return _module_file_under(config.project_root(), module)


@lru_cache(maxsize=None)
def _module_file_under(root: Path, module: str) -> Path | None:
    """Remembered per process and project root: files do not come and go during a build."""
    base = root / "src" / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


# `import ma_ice_coop.x` and `from ma_ice_coop.x import a, b` (also parenthesised over several lines), at
# any indentation: a regular expression is enough (the project uses absolute imports only) and much
# faster than parsing, which keeps a no-op build quick.
_IMPORT = re.compile(
    rf"^[ \t]*(?:import[ \t]+({PACKAGE}[\w.]*)|from[ \t]+({PACKAGE}[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*))",
    re.MULTILINE,
)


def _imported_modules(source: str) -> set[str]:
    """Package modules named by the imports in `source`."""
    found = set()
    for plain, module, names in _IMPORT.findall(source):
        if plain:
            found.add(plain)
            continue
        found.add(module)
        for name in names.strip("()").replace("\n", " ").split(","):
            leaf = name.split(" as ")[0].strip()
            if leaf and _module_file(f"{module}.{leaf}"):
                found.add(f"{module}.{leaf}")
    return found


@lru_cache(maxsize=None)
def _file_imports(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    """The package imports of one file, parsed once per version of the file (keyed by mtime and size)."""
    return frozenset(_imported_modules(Path(path).read_text(encoding="utf-8")))


def _module_closure(modules: frozenset[str]) -> frozenset[str]:
    """Every package module reachable from `modules` by imports, with the parent packages they load."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for name in [".".join(parts[:i]) for i in range(1, len(parts) + 1)]:
            path = _module_file(name)
            if name in seen or path is None:
                continue
            seen.add(name)
            stat = path.stat()
            todo.extend(_file_imports(str(path), stat.st_mtime_ns, stat.st_size))
    return frozenset(seen)


def notebook_modules(path: Path) -> frozenset[str]:
    """The package modules a notebook imports, directly or through other modules."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    direct: set[str] = set()
    for cell in doc["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            direct |= _imported_modules(source)
    return _module_closure(frozenset(direct))


def declared_tables(modules: frozenset[str]) -> list[str] | None:
    """The processed tables the notebook's views declare (`PROCESSED_TABLES = (...)`, "all" for every one, or
    "massachusetts" for all but the national ones), or None when they declare nothing (then the key covers every
    table too)."""
    declared = set()
    for module in sorted(m for m in modules if m.startswith(f"{PACKAGE}.views.")):
        tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PROCESSED_TABLES" for t in node.targets):
                value = ast.literal_eval(node.value)
                declared.update({"all": PROCESSED_NAMES, "massachusetts": MA_PROCESSED_NAMES}.get(value, value))
    return sorted(declared) or None


def notebook_code_digest(modules: frozenset[str]) -> str:
    """The modules a notebook imports and the shared inputs: editing one view changes only its notebooks' keys."""
    files = [_module_file(m) for m in sorted(modules)]
    return _files_digest(files + _shared_inputs())


def data_digest(tables: list[str] | None = None) -> str:
    """The processed tables (their sha256s in the manifest): all of them, or only `tables`."""
    manifest = config.processed_dir() / "MANIFEST.json"
    if not manifest.exists():
        return "no-processed-data"
    if tables is None:
        return content_digest(manifest.read_bytes())
    shas = json.loads(manifest.read_text(encoding="utf-8"))
    return content_digest(
        *[f"{name}={sha}".encode() for name, sha in sorted(shas.items()) if name.split(".")[0] in tables]
    )


def notebook_source_digest(path: Path) -> str:
    """Cell types, sources, tags and figure alt texts (a cell's `alt` metadata, which the HTML report shows) only:
    the notebook's own outputs do not count."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        (
            c["cell_type"],
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
            sorted(c.get("metadata", {}).get("tags", [])),
        )
        + ((c["metadata"]["alt"],) if c.get("metadata", {}).get("alt") else ())
        for c in doc["cells"]
    ]
    return content_digest(json.dumps(cells, sort_keys=True).encode())


def run_keys(runs: list[Run]) -> dict[str, str]:
    """Each run's key: its cell sources and parameters, the code its notebook imports, the tables it reads.
    The code and data digests are computed once per notebook, however many runs it has."""
    per_notebook: dict[Path, bytes] = {}
    keys = {}
    for run in runs:
        path = run.spec.path
        if path not in per_notebook:
            modules = notebook_modules(path)
            per_notebook[path] = content_digest(
                notebook_source_digest(path).encode(),
                notebook_code_digest(modules).encode(),
                data_digest(declared_tables(modules)).encode(),
            ).encode()
        params = json.dumps(run.params, sort_keys=True, default=str).encode()
        extended = extended_data_digest().encode() if run.extended else b""
        keys[run.label] = content_digest(per_notebook[path], params, extended)
    return keys


def extended_data_digest() -> str:
    """The extended tables the reports read (all but the row-level extended_detainers, which none reads)."""
    folder = config.extended_processed_dir()
    files = [f for f in sorted(folder.glob("*")) if f.is_file() and f.name != "extended_detainers.parquet"]
    return content_digest(*[f.name.encode() + b"\0" + f.read_bytes() for f in files]) if files else "no-extended"


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
