"""One build at a time per checkout, and no scratch left behind.

- `build_lock`: every command that writes the project's outputs holds build/build.lock (filelock: a
  well-kept, cross-platform file lock released by the operating system if the holder dies). A second build
  says that one is running and exits, or waits with `--wait`.
- Scratch folders (`build/tmp/run-<pid>-*`, where papermill writes a notebook before it is cleaned and
  moved into place) are removed when their run ends, however it ends; a build first removes those whose
  process is gone (left by a run that was killed).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from ma_ice_coop import config
from ma_ice_coop.errors import ProjectError

LOCK_FILE = "build.lock"


def build_dir() -> Path:
    return config.project_root() / "build"


@contextmanager
def build_lock(*, wait: bool = False, out=sys.stderr) -> Iterator[None]:
    """Hold build/build.lock for the duration; a clear error (or, with `wait`, a wait) if another holds it."""
    path = build_dir() / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"cannot create {path.parent} ({exc.strerror or exc}): make the checkout writable") from None
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if not wait:
            raise ProjectError(
                f"another build is running in this checkout (it holds {path}): wait for it to finish, or add "
                "--wait to start when it has"
            ) from None
        print(f"waiting for the other build to finish (it holds {path}) ...", file=out, flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def scratch_folder() -> Path:
    """A new, empty folder for one run's intermediate files, named after this process."""
    parent = build_dir() / "tmp"
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def remove_stale_scratch() -> int:
    """Remove the scratch folders whose process has ended (killed runs); returns how many were removed."""
    removed = 0
    for folder in sorted((build_dir() / "tmp").glob("run-*")):
        pid_text = folder.name.split("-")[1] if folder.name.count("-") >= 2 else ""
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed
