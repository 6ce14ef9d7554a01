"""Where things live: project folders and the optional offline data mirror.

The mirror is a read-only copy of the public inputs (laid out as in ../shared/data, with a
MANIFEST.csv). It is configured with the environment variable MA_ICE_MIRROR or the CLI flag
--mirror; without it, inputs are downloaded from their upstream URLs.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

MIRROR_ENV = "MA_ICE_MIRROR"
HOME_ENV = "MA_ICE_HOME"


def project_root() -> Path:
    """The folder holding pyproject.toml (override with MA_ICE_HOME)."""
    return _resolved_root(os.environ.get(HOME_ENV) or "")


@lru_cache(maxsize=8)
def _resolved_root(home: str) -> Path:
    """Resolved once per value of MA_ICE_HOME (resolving touches the file system; a build asks thousands
    of times)."""
    return Path(home).resolve() if home else Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return project_root() / "data"


def raw_dir() -> Path:
    """Downloaded or mirror-copied inputs, verified (git-ignored)."""
    return data_dir() / "raw"


def processed_dir() -> Path:
    """Tidy tables built from raw inputs (git-ignored)."""
    return data_dir() / "processed"


def reference_dir() -> Path:
    """Fact tables the project authors and commits, one source per row."""
    return data_dir() / "reference"


def registry_path() -> Path:
    """The source registry: every input file with URL, sha256 and citation."""
    return data_dir() / "sources.yaml"


def mirror_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The configured offline mirror, or None when inputs should be downloaded."""
    value = explicit if explicit is not None else os.environ.get(MIRROR_ENV)
    if not value:
        return None
    return Path(value).expanduser().resolve()


# ----------------------------------------------------------------------------- extended detainer releases
# The larger ICE detainer releases (data/sources.yaml, `use: extended`) are downloaded on request
# (`make extended`) and never needed by the core build or the tests. Their files, tables and reports live
# apart from the core ones, so the committed, nbval-checked reports never change because one user has
# downloaded more. MA_ICE_EXTENDED_DIR moves all of them (raw, processed, reports, lock) under one folder
# (tests use it with fixtures).
EXTENDED_ENV = "MA_ICE_EXTENDED_DIR"


def _extended_root() -> Path | None:
    value = os.environ.get(EXTENDED_ENV)
    return Path(value).expanduser().resolve() if value else None


def extended_raw_dir() -> Path:
    """Verified downloads of the extended releases (git-ignored): data/raw/extended/."""
    root = _extended_root()
    return root / "raw" if root else raw_dir() / "extended"


def extended_processed_dir() -> Path:
    """Tables built from the extended releases (git-ignored): data/processed/extended/."""
    root = _extended_root()
    return root / "processed" if root else processed_dir() / "extended"


def extended_output_dir() -> Path:
    """Executed notebooks and HTML reports of extended builds: build/extended/ (reports/ and notebooks/ in it)."""
    root = _extended_root()
    return root / "build" if root else project_root() / "build" / "extended"


def extended_lock_path() -> Path:
    """Trust-on-first-use record of extended files without a published sha256 (data/extended-releases.lock.yaml):
    written on first download, checked on every later one; the user can keep it (commit it in a fork)."""
    root = _extended_root()
    return (root if root else data_dir()) / "extended-releases.lock.yaml"
