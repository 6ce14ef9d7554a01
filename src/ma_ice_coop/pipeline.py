"""The whole build, one way: fetch + verify → processed tables → codebook and downloads → notebooks →
reports/index.html. Each step is skipped when its inputs are unchanged (content hashes), so a rebuild
with nothing changed takes about a second; `force=True` redoes everything.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
import time
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.changes_page import write_changes_page
from ma_ice_coop.runner import code_digest, content_digest

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
    from ma_ice_coop.registry import load_registry

    shas = sorted(f"{f.file_id}={f.sha256}" for f in load_registry().values() if f.cache_path.exists())
    return content_digest("\n".join(shas).encode(), code_digest().encode())


def _processed_outputs() -> list[Path]:
    from ma_ice_coop.process import BOUNDARIES_FILE, TABLES

    folder = config.processed_dir()
    return [io.processed_path(t) for t in TABLES] + [folder / BOUNDARIES_FILE, folder / "CODEBOOK.md"]


def _download_outputs() -> list[Path]:
    folder = config.project_root() / "reports" / "data"
    return [folder / n for n in ("county_measures.csv", "agency_measures.csv", "county_covariates.csv",
                                 "README.md", "CODEBOOK.md")]


def _step(name: str, key: str, outputs: list[Path], action, steps: dict, force: bool, out) -> None:
    start = time.perf_counter()
    if not force and steps.get(name) == key and all(p.exists() for p in outputs):
        print(f"{name}: up to date", file=out)
        return
    action()
    steps[name] = key
    _save_steps(steps)
    print(f"{name}: done in {time.perf_counter() - start:.1f}s", file=out)


def build_all(*, mirror: Path | None = None, force: bool = False, workers: int | None = None,
              notebooks: bool = True, out=None) -> None:
    """Everything `make all` builds; each step reruns only when its inputs changed."""
    from ma_ice_coop.fetch import fetch_all

    out = out or sys.stderr
    start = time.perf_counter()
    files = fetch_all(mirror, progress=False)
    print(f"fetch: {len(files)} input files verified ({'mirror ' + str(mirror) if mirror else 'download cache'})",
          file=out)
    steps = {} if force else _load_steps()
    key = inputs_digest()

    def processed():  # imported here: a no-op rebuild should not pay for pandera and scipy
        from ma_ice_coop.codebook import write_codebook
        from ma_ice_coop.downloads import reports_data_dir
        from ma_ice_coop.process import process_all

        process_all(out=out)
        codebook = write_codebook()
        shutil.copyfile(codebook, _ensure_dir(reports_data_dir()) / "CODEBOOK.md")

    def downloads():
        from ma_ice_coop.downloads import write_downloads

        write_downloads()

    _step("process", key, _processed_outputs(), processed, steps, force, out)
    _step("downloads", key, _download_outputs(), downloads, steps, force, out)
    if notebooks:
        from ma_ice_coop.build import plan_runs
        from ma_ice_coop.runner import build_runs

        runs = plan_runs()
        build_runs(runs, workers=workers, force=force, out=out)
        write_index(runs)
        write_changes_page()
        print("index: reports/index.html, reports/changes.html", file=out)
    print(f"build finished in {time.perf_counter() - start:.1f}s", file=out)


def _ensure_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ----------------------------------------------------------------------------- the index page

def _describe(params: dict) -> str:
    return ", ".join(f"{k} = {'+'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())


def index_html(runs=None) -> str:
    """reports/index.html: every report and download, with relative links; all text escaped."""
    from ma_ice_coop.build import html_page, plan_runs
    from ma_ice_coop.reference import load_counties

    root = config.project_root() / "reports"
    runs = plan_runs() if runs is None else runs
    esc = html.escape
    parts = [
        "<h1>ICE detainer cooperation by Massachusetts county</h1>",
        "<p>How much do the jails and houses of correction run by the 14 county sheriffs of Massachusetts "
        "cooperate with ICE detainer requests, and how does that relate to county politics, demographics and "
        "policy events? Each report below is a notebook run on public data, with every rate shown with its "
        "denominator and a 95% interval. Reports open with key findings, then methods and limitations.</p>",
        "<h2>Statewide reports</h2>", "<ul>",
    ]
    statewide = [r for r in runs if r.spec.kind == "statewide"]
    for spec_id in dict.fromkeys(r.spec.id for r in statewide):
        group = [r for r in statewide if r.spec.id == spec_id]
        default = next(r for r in group if r.is_default)
        href = default.html_path.relative_to(root).as_posix()
        parts.append(f"<li><a href=\"{esc(href)}\">{esc(default.spec.title)}</a>")
        others = [r for r in group if not r.is_default]
        if others:
            parts.append("<ul>")
            for r in others:
                parts.append(f"<li><a href=\"{esc(r.html_path.relative_to(root).as_posix())}\">"
                             f"with {esc(_describe(r.overrides))}</a></li>")
            parts.append("</ul>")
        parts.append("</li>")
    from ma_ice_coop import measures

    shares = measures.measure_table("custody_share")
    small = set(shares.loc[measures.small_by_data(shares), "county"])
    no_jail = set(load_counties().query("not houses_own_prisoners")["county"])
    none = sorted(set(shares.loc[shares["denominator"] == 0, "county"]) - no_jail)
    cover = measures.FY2015_DETAINERS
    parts += ["</ul>", "<h2>County reports</h2>",
              f"<p>Counties marked * had 1 to {measures.SMALL_SHARE_DENOMINATOR - 1} detainers at their sheriff's "
              f"facilities in the FY2015 detainer records ({cover.start} to {cover.end}), so their detainer shares "
              "rest on few cases: read their intervals, not their rank. Small is decided by the data, not by "
              "population, and each report flags every measure by its own data. "
              + (f"No detainer at all in those records (no share): {esc(', '.join(none))}. " if none else "")
              + "Nantucket has no jail; its prisoners are held in Barnstable.</p>", "<ul class=\"counties\">"]
    counties = load_counties().set_index("county")
    county_runs = sorted((r for r in runs if r.spec.kind == "county"), key=lambda r: r.params.get("county", ""))
    for r in county_runs:
        name = r.params.get("county", "")
        star = " *" if name in counties.index and name in small else ""
        parts.append(f"<li><a href=\"{esc(r.html_path.relative_to(root).as_posix())}\">{esc(name)} County</a>"
                     f"{esc(star)}</li>")
    parts += ["</ul>", "<h2>Downloads</h2>", "<ul>"]
    data = root / "data"
    for name, what in [("county_measures.csv", "every measure for every county and period, with numerator, "
                                               "denominator and 95% interval"),
                       ("agency_measures.csv", "the same for state prisons, federal sites, ICE offices, police "
                                               "and courts (never counted in a county)"),
                       ("county_covariates.csv", "county politics and demographics, with source and vintage"),
                       ("README.md", "what each download contains"),
                       ("CODEBOOK.md", "every column of the processed tables")]:
        if (data / name).exists():
            parts.append(f"<li><a href=\"data/{esc(name)}\">{esc(name)}</a>: {esc(what)}</li>")
    parts += ["</ul>", "<h2>What changed</h2>",
              "<p>Corrections to published reports and changes of data or method, dated, with what was said before "
              "and what is said now: <a href=\"changes.html\">what changed</a>.</p>",
              "<h2>Sources and method</h2>",
              "<p>Sources, citations and how to rebuild or rerun everything: <a href=\"../README.md\">README</a>. "
              "Data come from public FOIA releases (ICE detainer records via NPR; ICE arrests and detention "
              "via the University of Washington Center for Human Rights; ICE statistics via the Vera Institute), "
              "election returns (MEDSL and others), U.S. Census Bureau data and hand-compiled reference tables "
              "with a source for every row.</p>"]
    return html_page("ICE detainer cooperation by Massachusetts county: reports", "\n".join(parts),
                     home="index.html")


def write_index(runs=None) -> Path:
    path = config.project_root() / "reports" / "index.html"
    io.atomic_write_text(path, index_html(runs))
    return path
