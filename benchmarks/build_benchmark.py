"""Benchmark the report build against the naive way, in one run (a script, not a timed test).

Naive way: every registered notebook run, one after another, with the papermill CLI (a new Python
process and a new kernel each), then `jupyter nbconvert --to html` on each result.
Project way: `ma-ice notebooks --force` (parallel workers with warm kernels, HTML rendered in-process).
Also: the whole `ma-ice build --force`, a no-op `ma-ice build` (nothing changed), rerunning one
county with `ma-ice run`, and, as the floor every notebook process pays, a bare
`python -c "import pandas, matplotlib, statsmodels.api, papermill"`. Each is timed `--repeat` times
(default 3), side by side in the same run; the medians and their ratios are reported (absolute times
drift on shared machines, ratios hold).

Usage: .venv/bin/python benchmarks/build_benchmark.py [--repeat 3]   (or: make benchmark)
The data must be built first (make data). Outputs of the naive way go to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def naive_build(folder: Path) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from ma_ice_coop.specs.notebooks import plan_runs

    start = time.perf_counter()
    for i, run in enumerate(plan_runs()):
        out = folder / f"{i:02d}_{run.spec.id}.ipynb"
        cmd = [str(BIN / "papermill"), str(run.spec.path), str(out), "--no-progress-bar", "--cwd", str(ROOT)]
        for name, value in run.overrides.items():
            cmd += ["-y", json.dumps({name: value})]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ)
    results: dict[str, list[float]] = {
        "import_floor": [],
        "naive": [],
        "project_notebooks": [],
        "project_full_build": [],
        "noop_rebuild": [],
        "one_county_rerun": [],
    }
    ma_ice = str(BIN / "ma-ice")
    floor = [sys.executable, "-c", "import pandas, matplotlib, statsmodels.api, papermill"]
    for i in range(args.repeat):
        results["import_floor"].append(timed(floor, env=env))
        with tempfile.TemporaryDirectory() as tmp:
            results["naive"].append(naive_build(Path(tmp)))
        results["project_notebooks"].append(timed([ma_ice, "notebooks", "--force"], env=env))
        results["project_full_build"].append(timed([ma_ice, "build", "--force"], env=env))
        results["noop_rebuild"].append(timed([ma_ice, "build"], env=env))
        with tempfile.TemporaryDirectory() as tmp:
            results["one_county_rerun"].append(
                timed([ma_ice, "run", "county_profile", "-p", "county=Essex", "--out", tmp], env=env)
            )
        print(f"repeat {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in results.items()), flush=True)
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nmedians of {args.repeat} runs on {os.cpu_count()} cores:")
    for name, value in medians.items():
        print(f"  {name:<20} {value:7.1f} s")
    print(f"  ratio project_notebooks / naive = {medians['project_notebooks'] / medians['naive']:.2f}")
    print(f"  ratio project_full_build / naive = {medians['project_full_build'] / medians['naive']:.2f}")
    print(f"  ratio noop_rebuild / import_floor = {medians['noop_rebuild'] / medians['import_floor']:.2f}")
    print(f"  ratio one_county_rerun / import_floor = {medians['one_county_rerun'] / medians['import_floor']:.2f}")


if __name__ == "__main__":
    main()
