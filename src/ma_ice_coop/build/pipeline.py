"""The whole build, one way: fetch + verify → processed tables → codebook and downloads → notebooks →
reports/index.html. Each step is skipped when its inputs are unchanged (content hashes), so a rebuild
with nothing changed takes about a second; `force=True` redoes everything.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.build.cache import code_digest, content_digest
from ma_ice_coop.build.changes_page import CHANGES_PAGE, changes_source, write_changes_page
from ma_ice_coop.build.index import write_index
from ma_ice_coop.build.labs import GUIDE_FILE, GUIDE_PAGE, write_guide_page

STEP_CACHE = "steps.json"


def _step_cache_path() -> Path:
    return config.project_root() / "build" / "cache" / STEP_CACHE


def _load_steps() -> dict:
    try:
        return json.loads(_step_cache_path().read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _save_steps(steps: dict) -> None:
    io.atomic_write_text(_step_cache_path(), json.dumps(steps, indent=1, sort_keys=True) + "\n")


def inputs_digest() -> str:
    """The verified inputs (their registered sha256s) and the project code and reference tables."""
    from ma_ice_coop.sources.registry import load_registry  # lazy: a fast CLI

    shas = sorted(f"{f.file_id}={f.sha256}" for f in load_registry().values() if f.cache_path.exists())
    return content_digest("\n".join(shas).encode(), code_digest().encode())


def _processed_outputs() -> list[Path]:
    from ma_ice_coop.tables.process import BOUNDARIES_FILE, TABLES, VALUE_LISTS  # lazy: a fast CLI

    folder = config.processed_dir()
    value_lists = [io.value_list_path(table, column) for table, columns in VALUE_LISTS.items() for column in columns]
    return [io.processed_path(t) for t in TABLES] + value_lists + [folder / BOUNDARIES_FILE, folder / "CODEBOOK.md"]


def _download_outputs() -> list[Path]:
    folder = config.project_root() / "reports" / "data"
    return [
        folder / n
        for n in (
            "county_measures.csv",
            "agency_measures.csv",
            "county_covariates.csv",
            "national_county_measures.csv",
            "scorecard.csv",
            "README.md",
            "CODEBOOK.md",
        )
    ]


def _step(name: str, key: str, outputs: list[Path], action, steps: dict, force: bool, out) -> None:
    start = time.perf_counter()
    if not force and steps.get(name) == key and all(p.exists() for p in outputs):
        print(f"{name}: up to date", file=out)
        return
    action()
    steps[name] = key
    _save_steps(steps)
    print(f"{name}: done in {time.perf_counter() - start:.1f}s", file=out)


def build_all(
    *, mirror: Path | None = None, force: bool = False, workers: int | None = None, notebooks: bool = True, out=None
) -> None:
    """Everything `make all` builds; each step reruns only when its inputs changed."""
    from ma_ice_coop.sources.fetch import fetch_all  # lazy: a fast CLI

    out = out or sys.stderr
    start = time.perf_counter()
    files = fetch_all(mirror, progress=False)
    print(
        f"fetch: {len(files)} input files verified ({'mirror ' + str(mirror) if mirror else 'download cache'})",
        file=out,
    )
    steps = {} if force else _load_steps()
    key = inputs_digest()

    def processed():  # imported here: a no-op rebuild should not pay for pandera and scipy
        from ma_ice_coop.build.downloads import reports_data_dir
        from ma_ice_coop.tables.codebook import write_codebook
        from ma_ice_coop.tables.process import process_all

        process_all(out=out)
        codebook = write_codebook()
        io.atomic_write_bytes(_ensure_dir(reports_data_dir()) / "CODEBOOK.md", codebook.read_bytes())

    def downloads():
        from ma_ice_coop.build.downloads import write_downloads  # lazy: a build with nothing to do skips this step

        write_downloads()

    _step("process", key, _processed_outputs(), processed, steps, force, out)
    _step("downloads", key, _download_outputs(), downloads, steps, force, out)
    if notebooks:
        # lazy: `ma-ice build --no-notebooks` needs neither
        from ma_ice_coop.build.pool import build_runs
        from ma_ice_coop.specs.notebooks import plan_runs

        root = config.project_root()
        runs = plan_runs()
        build_runs(runs, workers=workers, force=force, out=out)
        pages_key = content_digest(key.encode(), changes_source().read_bytes(), (root / GUIDE_FILE).read_bytes())
        _step("index", pages_key, _page_outputs(), lambda: _write_pages(runs), steps, force, out)
        if io.extended_tables_present():  # `make extended` was run: its reports, in their own tree
            from ma_ice_coop.build.extended import build_extended_reports  # lazy: only extended builds

            build_extended_reports(workers=workers, force=force, out=out)
    print(f"build finished in {time.perf_counter() - start:.1f}s", file=out)


def _page_outputs() -> list[Path]:
    folder = config.project_root() / "reports"
    return [folder / "index.html", folder / CHANGES_PAGE, config.project_root() / GUIDE_PAGE]


def _write_pages(runs) -> None:
    """reports/index.html, reports/changes.html and the instructor guide, reports/labs/guide.html (they depend on
    the registry, the code, the data, CHANGES.md and the guide's markdown, all in the step's key)."""
    write_index(runs)
    write_changes_page()
    write_guide_page()


def _ensure_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ----------------------------------------------------------------------------- the index page
