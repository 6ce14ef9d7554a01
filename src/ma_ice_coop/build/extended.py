"""Extended builds: the tables and reports of the larger ICE detainer releases, apart from the core ones.

`ma-ice process --extended` (the second half of `make extended`) reads every installed extended release file
(sources/extended.py installs them verified) and writes the extended tables to data/processed/extended/.
When those tables exist, `ma-ice build` (`make all`) also runs the notebooks that the registry's `extended:`
section lists with `extended: true`, into build/extended/reports/ and build/extended/notebooks/, and writes
their downloads and index there. The committed reports/ and notebooks/ never change because of them.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.analysis.extended_measures import COLUMN_NOTES, year_measures
from ma_ice_coop.build.pool import build_runs
from ma_ice_coop.errors import DataSourceError
from ma_ice_coop.present.pages import html_page
from ma_ice_coop.sources.extended import installed_extended_files
from ma_ice_coop.sources.registry import extended_registry
from ma_ice_coop.specs.notebooks import plan_extended_runs
from ma_ice_coop.tables.loaders.extended import windows
from ma_ice_coop.tables.loaders.extended.build import ExtendedFile, build_extended_tables

YEAR_MEASURES = "extended_year_measures"


def _installed_files():
    registry = extended_registry()
    installed = installed_extended_files()
    missing = [file_id for file_id in registry if file_id not in installed]
    files = [ExtendedFile(file_id, registry[file_id].release, path) for file_id, path in installed.items()]
    return files, missing


def _derived(monthly, windows) -> dict:
    return {YEAR_MEASURES: year_measures(monthly, windows)}


def process_extended(out=None) -> Path:
    """Build data/processed/extended/ from the installed extended files; clear error when none is installed."""
    out = out or sys.stderr
    files, missing = _installed_files()
    if not files:
        raise DataSourceError(
            "extended",
            "no extended detainer release is installed",
            "run `make extended` (or `ma-ice fetch --extended`) on a machine with internet first; the core build "
            "and its reports do not need them",
        )
    if missing:
        print(f"extended: {len(missing)} registered file(s) not installed, left out: {', '.join(missing)}", file=out)
    folder = build_tables(files, progress=lambda m: print(m, file=out))
    print(f"extended tables written to {folder}", file=out)
    skipped = io.read_extended("extended_skipped_files")
    if len(skipped):
        print(
            f"extended: {len(skipped)} file(s) NOT loaded (layout does not match data/detainer_releases.yaml): "
            f"{', '.join(skipped['file_id'])}; see their problems in build/extended/reports/index.html",
            file=out,
        )
    return folder


def build_tables(files, *, progress=print) -> Path:
    """The extended tables and the per-year measures from these files, into config.extended_processed_dir()."""
    return build_extended_tables(files, config.extended_processed_dir(), derived=_derived, progress=progress)


def extended_reports_dir() -> Path:
    return config.extended_output_dir() / "reports"


def write_extended_downloads() -> Path:
    """build/extended/reports/data/extended_year_measures.csv (every county, state and the country, per year)."""
    folder = extended_reports_dir() / "data"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{YEAR_MEASURES}.csv"
    io.write_csv(io.read_extended(YEAR_MEASURES), target)
    for name in (
        "extended_unlisted_facilities",
        "extended_unmapped_lift_reasons",
        "extended_release_overlap",
        "extended_files",
        "extended_skipped_files",
    ):
        io.write_csv(io.read_extended(name), folder / f"{name}.csv")
    io.write_csv(io.read_extended("extended_windows"), folder / "extended_windows.csv")
    io.atomic_write_text(folder / "README.md", _downloads_readme())
    return target


def _downloads_readme() -> str:
    columns = "\n".join(f"- `{name}`: {what}" for name, what in COLUMN_NOTES.items())
    return (
        "# Extended downloads\n\nBuilt on this machine from the extended ICE detainer releases (`make extended`); "
        "not the project's published downloads (those are in reports/data/).\n\n"
        f"## extended_year_measures.csv\n\n{columns}\n\n## The de-duplication rule\n\n{windows.__doc__.strip()}\n\n"
        "## The other files\n\n- `extended_windows.csv`: the dates each release supplies, and its cut-off.\n"
        "- `extended_release_overlap.csv`: rows read and kept per release and fiscal year.\n"
        "- `extended_unlisted_facilities.csv`: facility codes and strings no crosswalk lists (rows left unplaced).\n"
        "- `extended_unmapped_lift_reasons.csv`: lift reasons not in data/reference/lift_reason_outcomes.csv.\n"
        "- `extended_skipped_files.csv`: files not loaded, and why (a layout that does not match its release's).\n"
        "- `extended_files.csv`: each file loaded, its rows, undated rows (left out), first and last prepare date.\n"
    )


def _table_html(name: str, caption: str, limit: int | None = None) -> str:
    """One extended table as an HTML table (its first `limit` rows), with a caption saying how many rows it has."""
    frame = io.read_extended(name)
    shown = frame.head(limit) if limit else frame
    more = f" (the first {limit} of {len(frame):,}; all in data/{name}.csv)" if limit and len(frame) > limit else ""
    return f"<h2>{html.escape(caption)}</h2>\n<p>{len(frame):,} rows{more}.</p>\n" + shown.to_html(
        index=False, escape=True, border=0, na_rep=""
    )


def _run_words(run) -> str:
    """What tells a run apart in the list: its county, else its parameters other than the defaults."""
    if "county" in run.params:
        return str(run.params["county"])
    named = {k: v for k, v in run.overrides.items() if k != "extended"}
    return ", ".join(f"{k} = {v}" for k, v in named.items()) or "default parameters"


def write_extended_index(runs) -> Path:
    """build/extended/reports/index.html: the extended reports, what was loaded and left unplaced, the downloads,
    and a link back to the core index."""
    root = extended_reports_dir()
    items = "\n".join(
        f'<li><a href="{html.escape(run.html_path.relative_to(root).as_posix())}">{html.escape(run.spec.title)}'
        f" ({html.escape(_run_words(run))})</a></li>"
        for run in runs
    )
    core = (config.project_root() / "reports" / "index.html").as_uri()
    body = (
        "<h1>Extended reports: ICE detainers per year, 2008 onward</h1>\n"
        "<p>Built on this machine from the larger ICE detainer releases (<code>make extended</code>). They are not "
        "the published reports: those use the FY2015 records only and are in "
        f'<a href="{core}">reports/</a>.</p>\n<ul>\n{items}\n</ul>\n'
        + _table_html("extended_windows", "Which release supplies which prepare dates (the de-duplication rule)")
        + _table_html("extended_release_overlap", "Rows read and kept per release and fiscal year")
        + _table_html("extended_files", "Files loaded")
        + _table_html("extended_unlisted_facilities", "Facility codes and strings no crosswalk lists", limit=50)
        + _table_html("extended_unmapped_lift_reasons", "Lift reasons not in the outcome table")
        + _table_html("extended_skipped_files", "Files not loaded (their layout does not match their release's)")
        + '<p>Downloads: <a href="data/extended_year_measures.csv">measures per year</a> (and '
        '<a href="data/README.md">what each column means</a>), and the tables above as CSV in data/.</p>'
    )
    target = root / "index.html"
    io.atomic_write_text(target, html_page("Extended reports", body, home=core))
    return target


def build_extended_reports(*, workers=None, force=False, out=None) -> None:
    """Run the extended notebook runs (cached like the core ones), then their downloads and index."""

    out = out or sys.stderr
    runs = plan_extended_runs()
    print(f"extended: {len(runs)} runs into {extended_reports_dir()}", file=out)
    build_runs(runs, workers=workers, force=force, out=out)
    write_extended_downloads()
    write_extended_index(runs)
