"""Run many notebook runs fast: parallel worker processes, one warm kernel each, and a content cache.

- Workers: `workers` processes (default: the number of cores). Each keeps one Jupyter kernel alive
  and clears its namespace (`%reset -f`) between runs, so pandas, matplotlib and statsmodels are
  imported once per worker instead of once per notebook. Execution counts are renumbered afterwards,
  so a notebook run in a warm kernel is byte-identical to one run in a fresh kernel (nbval checks
  the committed notebooks in fresh kernels on every test run).
- Cache: a run is skipped when its notebook (cell sources), parameters, the package code, the
  registry, the locked environment and the processed data are unchanged, and its outputs exist.
  Keys live in build/cache/notebook_runs.json (ignored by git); `force=True` reruns everything.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from ma_ice_coop import config
from ma_ice_coop.build.cache import is_fresh, load_cache, run_keys, save_cache
from ma_ice_coop.build.execute import BuildError, execute_run, render_html, start_kernel
from ma_ice_coop.build.guard import remove_stale_scratch
from ma_ice_coop.build.labs import write_student_versions
from ma_ice_coop.errors import Interrupted
from ma_ice_coop.specs.notebooks import Run, plan_runs

_KERNEL_MANAGER = None


# ----------------------------------------------------------------------------- cache keys


# ----------------------------------------------------------------------------- warm kernels in workers


def _shutdown_kernel() -> None:
    global _KERNEL_MANAGER
    if _KERNEL_MANAGER is not None:
        try:
            _KERNEL_MANAGER.shutdown_kernel(now=True)
        except Exception:
            pass
        _KERNEL_MANAGER = None


# Between runs in a warm kernel: clear the namespace and the pandas display options (a report's setup sets them;
# a lab does not, and must show its tables as a fresh kernel would: nbval re-runs each notebook in one).
RESET_CODE = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import sys as _sys\n"
    "if 'pandas' in _sys.modules:\n"
    "    _sys.modules['pandas'].reset_option('display')\n"
    "del _sys"
)


def warm_kernel():
    """This process's kernel: started on first use, namespace cleared before each later use."""
    global _KERNEL_MANAGER
    if _KERNEL_MANAGER is not None and _KERNEL_MANAGER.is_alive():
        client = _KERNEL_MANAGER.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive(
                RESET_CODE,
                store_history=False,
                timeout=60,
                output_hook=lambda msg: None,
            )
        finally:
            client.stop_channels()
        return _KERNEL_MANAGER
    _KERNEL_MANAGER = start_kernel()
    atexit.register(_shutdown_kernel)
    return _KERNEL_MANAGER


def run_one(run: Run, warm: bool = True) -> tuple[str, float]:
    """Execute and render one run (in a worker); returns (label, seconds)."""
    start = time.perf_counter()
    km = warm_kernel() if warm else None
    try:
        execute_run(run, km=km)
    except BuildError:
        if km is not None:  # a failed run may leave the kernel in any state: start afresh next time
            _shutdown_kernel()
        raise
    render_html(run)
    return run.label, time.perf_counter() - start


def _quiet_worker() -> None:
    """Worker start-up: the kernel's own start-up chatter is not build output. Ctrl-C in the terminal reaches
    every process of the group: workers ignore it and leave stopping to the build, which ends them with
    SIGTERM; a worker then shuts down its kernel before it exits."""
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)
    _end_with_parent()


def _end_with_parent() -> None:
    """On Linux, ask for SIGTERM when the build process dies, even by SIGKILL: the worker then shuts down its
    kernel and exits, and releases the build lock it inherited (elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _end_worker(signum, frame) -> None:
    _shutdown_kernel()
    os._exit(128 + signum)


def _stop_everything(pool: ProcessPoolExecutor, grace: float = 3.0) -> None:
    """After Ctrl-C: cancel what has not started, end the workers (each shuts down its kernel), then kill
    whatever is left of this process's children after `grace` seconds. A second Ctrl-C kills at once."""
    import psutil  # lazy: only an interrupted build needs it

    children = psutil.Process().children(recursive=True)

    def kill_now(signum, frame):
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        os._exit(130)

    signal.signal(signal.SIGINT, kill_now)
    pool.shutdown(wait=False, cancel_futures=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)
    remove_stale_scratch()


# ----------------------------------------------------------------------------- the build


def build_runs(
    runs: list[Run] | None = None,
    *,
    ids: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    out=None,
) -> dict[str, str]:
    """Execute and render the runs that are not fresh; returns label -> 'built' | 'cached'.

    Every run is attempted; failures are reported together at the end (and not cached), and the
    failed runs' previous outputs stay in place.
    """
    out = out or sys.stderr
    remove_stale_scratch()
    # before the cache keys (a student version's key is its generated cells); a rewritten one has no outputs: rerun
    rewritten = set(write_student_versions(ids, out=out))
    runs = runs if runs is not None else plan_runs(ids)
    cache = load_cache()  # forced runs replace their own keys; the other runs keep theirs
    keys = run_keys(runs)
    todo = [run for run in runs if force or run.spec.path in rewritten or not is_fresh(run, keys[run.label], cache)]
    status = {run.label: "cached" for run in runs if run not in todo}
    if not todo:
        print(f"  notebooks: all {len(runs)} runs up to date (cached)", file=out)
        return status
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    print(f"  notebooks: running {len(todo)} of {len(runs)} runs on {workers} worker(s)", file=out)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker)
    try:
        failures = _collect(pool, todo, keys, cache, status, progress=progress, out=out)
    except KeyboardInterrupt:
        print("\n  interrupted: stopping the notebook runs ...", file=out, flush=True)
        _stop_everything(pool)
        built = sum(1 for label in status.values() if label == "built")
        raise Interrupted(
            f"interrupted: {built} of {len(todo)} notebook runs had finished and their reports are written; the "
            "others were stopped and their earlier outputs were not replaced"
        ) from None
    pool.shutdown(wait=True)
    if failures:
        raise BuildError(
            f"{len(failures)} of {len(todo)} notebook runs failed (their earlier outputs are kept):\n"
            + "\n".join(failures)
        )
    return status


def _collect(pool, todo: list[Run], keys: dict, cache: dict, status: dict, *, progress: bool, out) -> list[str]:
    """Submit every run, record each as it finishes (cache and status), return the failures' messages."""
    from tqdm import tqdm  # lazy: only when there is something to run

    root = config.project_root()
    failures = []
    futures = {pool.submit(run_one, run): run for run in todo}
    with tqdm(total=len(todo), desc="notebooks", unit="run", disable=not progress, file=out) as bar:
        for future in as_completed(futures):
            run = futures[future]
            try:
                label, seconds = future.result()
                status[label] = "built"
                cache[label] = keys[label]
                save_cache(cache)
                shown = run.html_path.relative_to(root) if run.html_path.is_relative_to(root) else run.html_path
                bar.write(f"  built {label:<48} {seconds:5.1f}s -> {shown}", file=out)
            except BuildError as exc:
                failures.append(str(exc))
                bar.write(f"  FAILED {run.label}", file=out)
            bar.update(1)
    return failures
