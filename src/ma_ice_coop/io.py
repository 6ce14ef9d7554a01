"""Reading and writing tables: atomic, deterministic writes; typed reads of processed tables."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ma_ice_coop import config
from ma_ice_coop.errors import ProjectError

if TYPE_CHECKING:  # pandas is imported where a table is read: the CLI and a no-op build never need it
    import pandas as pd


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file. A folder that
    cannot be written is a clear error naming it (the file already there is left as it was)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ProjectError(
            f"cannot write {path} ({exc.strerror or exc}): make {path.parent} writable "
            f"(e.g. chmod u+w '{path.parent}') and run the command again"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Deterministic parquet (no index, fixed compression), written atomically."""
    # lazy: only the processed-table build writes parquet
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=False)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV with '\\n' line ends, no index, written atomically."""
    atomic_write_text(path, df.to_csv(index=False, lineterminator="\n"))


def processed_path(table: str) -> Path:
    return config.processed_dir() / f"{table}.parquet"


def value_list_path(table: str, column: str) -> Path:
    """data/processed/<table>.<column>.json: the sorted distinct values of one column of a processed table."""
    return config.processed_dir() / f"{table}.{column}.json"


def read_processed(table: str) -> pd.DataFrame:
    """A processed tidy table; a clear error when it has not been built. Read once per version of the file
    (path, modification time, size) in a process, so a warm kernel running notebook after notebook reads
    each table once; every caller gets its own copy."""
    path = processed_path(table)
    if not path.exists():
        raise ProjectError(f"processed table '{table}' not found at {path}: run `make data` (or `ma-ice process`)")
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _READ:
        import pandas as pd  # see TYPE_CHECKING above

        if len(_READ) >= 32:
            _READ.clear()
        _READ[key] = pd.read_parquet(path)
    return _READ[key].copy()


_READ: dict[tuple, pd.DataFrame] = {}

EXTENDED_MANIFEST = "manifest.json"


def extended_tables_present() -> bool:
    """True when `make extended` has built the extended tables (their manifest is written last)."""
    return (config.extended_processed_dir() / EXTENDED_MANIFEST).exists()


def read_extended(table: str) -> pd.DataFrame:
    """A table built from the extended releases (data/processed/extended/); a clear error when they are absent."""
    path = config.extended_processed_dir() / f"{table}.parquet"
    if not extended_tables_present() or not path.exists():
        raise ProjectError(
            f"extended table '{table}' not found at {path}: the extended releases are not loaded. Run `make "
            "extended` (downloads about 0.7 GB from the publishers, then builds the tables), or leave `extended` "
            "false"
        )
    import pandas as pd  # see TYPE_CHECKING above

    return pd.read_parquet(path)


def forget_processed_reads() -> None:
    """Drop the tables read so far (tests that count reads start from nothing)."""
    _READ.clear()


def data_version() -> tuple:
    """Names, sizes and modification times of the processed and reference files: a key that changes whenever
    the data a computation reads change (for caches of derived tables)."""
    files = [*config.processed_dir().glob("*"), *config.reference_dir().glob("*")]
    stats = [(str(f), f.stat()) for f in files if f.is_file()]
    return tuple(sorted((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats))


def read_processed_geojson(name: str) -> dict:
    """A processed GeoJSON file (data/processed/<name>.geojson); a clear error when it has not been built."""
    path = config.processed_dir() / f"{name}.geojson"
    if not path.exists():
        raise ProjectError(
            f"processed file '{name}.geojson' not found at {path}: run `make data` (or `ma-ice process`)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


# libyaml's parser when PyYAML was built with it (the same safe types, about ten times faster than the
# pure-Python one, which matters for a quick no-op build).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_text(text: str):
    """Parse YAML text with the safe loader (no Python objects are ever built)."""
    return yaml.load(text, Loader=YAML_LOADER)


def read_yaml(path: Path):
    """A YAML file parsed with the safe loader."""
    return read_yaml_text(Path(path).read_text(encoding="utf-8"))
