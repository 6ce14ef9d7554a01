"""Benchmark the report build against the naive way, in one run (a script, not a timed test).

Naive way: every registered notebook run, one after another, with the papermill CLI (a new Python
process and a new kernel each), then `jupyter nbconvert --to html` on each result.
Project way: `ma-ice notebooks --force` (parallel workers with warm kernels, HTML rendered in-process).
Also: the whole `ma-ice build --force`, a no-op `ma-ice build` (nothing changed), rerunning one
county with `ma-ice run`, the national notebook with `ma-ice run` (issue 12: at most 3x one county), and, as
the floor every notebook process pays, a bare
`python -c "import pandas, matplotlib, statsmodels.api, papermill"`. Each is timed `--repeat` times
(default 3), side by side in the same run; the medians and their ratios are reported (absolute times
drift on shared machines, ratios hold).

Usage: .venv/bin/python benchmarks/build_benchmark.py [--repeat 3] [--runs-only]   (or: make benchmark)
`--runs-only` times only the import floor, one county and the national notebook (a minute, not a quarter hour).
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
    parser.add_argument("--runs-only", action="store_true", help="skip the naive loop and the full builds")
    args = parser.parse_args()
    env = dict(os.environ)
    results: dict[str, list[float]] = {
        "import_floor": [],
        "naive": [],
        "project_notebooks": [],
        "project_full_build": [],
        "noop_rebuild": [],
        "one_county_rerun": [],
        "national_run": [],
    }
    if args.runs_only:
        for name in ("naive", "project_notebooks", "project_full_build", "noop_rebuild"):
            del results[name]
    ma_ice = str(BIN / "ma-ice")
    floor = [sys.executable, "-c", "import pandas, matplotlib, statsmodels.api, papermill"]
    for i in range(args.repeat):
        results["import_floor"].append(timed(floor, env=env))
        if not args.runs_only:
            with tempfile.TemporaryDirectory() as tmp:
                results["naive"].append(naive_build(Path(tmp)))
            results["project_notebooks"].append(timed([ma_ice, "notebooks", "--force"], env=env))
            results["project_full_build"].append(timed([ma_ice, "build", "--force"], env=env))
            results["noop_rebuild"].append(timed([ma_ice, "build"], env=env))
        for name, notebook, params in (
            ("one_county_rerun", "county_profile", ["-p", "county=Essex"]),
            ("national_run", "national_context", []),
        ):
            with tempfile.TemporaryDirectory() as tmp:
                results[name].append(timed([ma_ice, "run", notebook, *params, "--out", tmp], env=env))
        print(f"repeat {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in results.items()), flush=True)
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nmedians of {args.repeat} runs on {os.cpu_count()} cores:")
    for name, value in medians.items():
        print(f"  {name:<20} {value:7.1f} s")
    ratios = [
        ("project_notebooks", "naive"),
        ("project_full_build", "naive"),
        ("noop_rebuild", "import_floor"),
        ("one_county_rerun", "import_floor"),
        ("national_run", "one_county_rerun"),
    ]
    for top, bottom in ratios:
        if top in medians and bottom in medians:
            print(f"  ratio {top} / {bottom} = {medians[top] / medians[bottom]:.2f}")


if __name__ == "__main__":
    main()
