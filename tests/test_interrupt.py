"""Fault injection: a real `ma-ice notebooks` run in a subprocess, interrupted during the notebook step.

The project is a small one in a temporary folder (MA_ICE_HOME): a registry of four runs of a notebook
written here whose one cell sleeps for SLEEPY_SECONDS (0 for a normal build). This keeps each case to a
few seconds while exercising the real worker pool, kernels, scratch folders and cache. Asserted: Ctrl-C
exits 130 within 10 s with one line saying what was finished; no worker or kernel outlives the build;
no scratch folder is left; every earlier output is unchanged; two Ctrl-Cs exit at once; after SIGKILL
the workers and kernels end on their own and the next build recovers and gives the same outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]

REGISTRY = """notebooks:
  - id: sleepy
    path: notebooks/sleepy.ipynb
    title: "A notebook that sleeps (test fixture)"
    kind: statewide
    parameters:
      variant: {type: choice, choices: [a, b, c, d], default: a}
    runs:
      - {}
      - {variant: b}
      - {variant: c}
      - {variant: d}
"""


def _notebook() -> dict:
    cells = [
        {"cell_type": "markdown", "id": "title", "metadata": {}, "source": ["# Sleepy (test fixture)"]},
        {
            "cell_type": "code",
            "id": "parameters",
            "metadata": {"tags": ["parameters"]},
            "execution_count": None,
            "outputs": [],
            "source": ['variant = "a"'],
        },
        {
            "cell_type": "code",
            "id": "sleep",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["import os, time\n", 'time.sleep(float(os.environ.get("SLEEPY_SECONDS", "0")))\n', "variant"],
        },
    ]
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def _as_in_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a test runner's worker may ignore SIGINT, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _build(home: Path, seconds: float, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "MA_ICE_HOME": str(home), "SLEEPY_SECONDS": str(seconds)}
    command = [sys.executable, "-m", "ma_ice_coop", "notebooks", "--workers", "2", "--force", *extra]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_in_a_terminal,
    )


@pytest.fixture
def started(home):
    """Start builds; whatever a failed assertion leaves running is killed with all its children."""
    procs: list[subprocess.Popen] = []

    def start(seconds: float) -> subprocess.Popen:
        procs.append(_build(home, seconds))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            family = psutil.Process(proc.pid).children(recursive=True)
            proc.kill()
            for child in family:
                with contextlib.suppress(psutil.Error):
                    child.kill()
            proc.communicate()


def _outputs(home: Path) -> dict[str, str]:
    """sha256 of every notebook and report in the small project."""
    files = sorted([*home.glob("notebooks/**/*.ipynb"), *home.glob("reports/**/*.html")])
    return {str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """The small project, built once without sleeping: its outputs are the ones that must not change."""
    home = tmp_path_factory.mktemp("sleepy_project")
    (home / "notebooks").mkdir()
    # the reference tables and CITATION.cff: every page's footer reads them
    shutil.copytree(REPO / "data" / "reference", home / "data" / "reference")
    shutil.copy2(REPO / "CITATION.cff", home / "CITATION.cff")
    (home / "notebooks" / "registry.yaml").write_text(REGISTRY, encoding="utf-8")
    (home / "notebooks" / "sleepy.ipynb").write_text(json.dumps(_notebook(), indent=1), encoding="utf-8")
    done = _build(home, 0)
    _, stderr = done.communicate(timeout=180)
    assert done.returncode == 0, stderr
    assert "without encryption" not in stderr  # the kernels' own start-up notices are not build output
    return home


def _running(proc: subprocess.Popen, home: Path) -> list[psutil.Process]:
    """Wait until both workers run a notebook (their scratch folders exist) and the kernels are asleep."""
    deadline = time.monotonic() + 90
    build = psutil.Process(proc.pid)
    # both scratch folders exist and both kernels have started (on a loaded machine a kernel can take seconds)
    while len(list((home / "build" / "tmp").glob("run-*"))) < 2 or len(build.children(recursive=True)) < 4:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the notebook step did not start"
        time.sleep(0.2)
    time.sleep(2.0)
    return build.children(recursive=True)


def _gone(processes: list[psutil.Process], within: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_one_ctrl_c_stops_within_seconds_and_leaves_nothing_behind(home, started):
    before = _outputs(home)
    proc = started(120)
    children = _running(proc, home)
    assert len(children) >= 4, "expected two workers and two kernels"
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    elapsed = time.monotonic() - start
    assert proc.returncode == 130, stderr
    assert elapsed < 10, f"took {elapsed:.1f}s to exit"
    assert "interrupted: 0 of 4 notebook runs had finished" in stderr
    assert "earlier outputs were not replaced" in stderr
    assert "Traceback" not in stderr
    assert not _gone(children, 5), "workers or kernels outlived the build"
    assert not list((home / "build" / "tmp").glob("run-*")), "scratch folders left behind"
    assert _outputs(home) == before


def test_a_second_ctrl_c_exits_at_once(home, started):
    before = _outputs(home)
    proc = started(120)
    children = _running(proc, home)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert time.monotonic() - start < 5
    assert not _gone(children, 5), "workers or kernels outlived the build"
    assert _outputs(home) == before


def test_after_sigkill_the_workers_end_and_the_next_build_recovers(home, started):
    before = _outputs(home)
    proc = started(120)
    children = _running(proc, home)
    proc.kill()
    proc.communicate(timeout=30)
    assert not _gone(children, 15), "workers or kernels outlived a killed build"
    again = started(0)
    _, stderr = again.communicate(timeout=180)
    assert again.returncode == 0, stderr
    assert not list((home / "build" / "tmp").glob("run-*"))
    assert _outputs(home) == before
