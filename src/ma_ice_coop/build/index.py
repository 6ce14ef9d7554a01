"""reports/index.html: every report and download, with relative links; all text escaped."""

from __future__ import annotations

import html
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.present.pages import html_page
from ma_ice_coop.specs.notebooks import Run, plan_runs


def _value_words(value) -> str:
    """A parameter value for readers: a measure's or covariate's short label, lists joined in words."""
    # here, not at the top: a no-op build skips the index and should not read the catalogue
    from ma_ice_coop.present.text import join_words
    from ma_ice_coop.tables.catalogue import catalogue

    if isinstance(value, list):
        return join_words(_value_words(item) for item in value)
    ids = catalogue().all_ids()
    return catalogue().short_label(value) if isinstance(value, str) and value in ids else str(value)


def _describe(params: dict) -> str:
    """'measure: ICE arrests at jails per 100,000; period_start: 2011-10-01' (parameter names as in the registry)."""
    return "; ".join(f"{name.replace('_', ' ')}: {_value_words(value)}" for name, value in params.items())


INTRO = [
    "<h1>ICE detainer cooperation by Massachusetts county</h1>",
    "<p>How much do the jails and houses of correction run by the 14 county sheriffs of Massachusetts "
    "cooperate with ICE detainer requests, and how does that relate to county politics, demographics and "
    "policy events? Each report below is a notebook run on public data, with every rate shown with its "
    "denominator and a 95% interval. Reports open with key findings, then methods and limitations.</p>",
]
DOWNLOADS = [
    ("scorecard.csv", "one row per sheriff's office: each form of cooperation, with its period and source"),
    ("county_measures.csv", "every measure for every county and period, with numerator, denominator and 95% interval"),
    (
        "agency_measures.csv",
        "the same for state prisons, federal sites, ICE offices, police and courts (never counted in a county)",
    ),
    ("county_covariates.csv", "county politics and demographics, with source and vintage"),
    ("README.md", "what each download contains"),
    ("CODEBOOK.md", "every column of the processed tables"),
]
CLOSING = [
    "<h2>What changed</h2>",
    "<p>Corrections to published reports and changes of data or method, dated, with what was said before "
    'and what is said now: <a href="changes.html">what changed</a>.</p>',
    "<h2>Sources and method</h2>",
    '<p>Sources, citations and how to rebuild or rerun everything: <a href="../README.md">README</a>. '
    "Data come from public FOIA releases (ICE detainer records via NPR; ICE arrests and detention "
    "via the University of Washington Center for Human Rights; ICE statistics via the Vera Institute), "
    "election returns (MEDSL and others), U.S. Census Bureau data and hand-compiled reference tables "
    "with a source for every row.</p>",
]


def _link(run: Run, root: Path, text: str) -> str:
    return f'<a href="{html.escape(run.html_path.relative_to(root).as_posix())}">{html.escape(text)}</a>'


def _statewide_section(
    runs: list[Run], root: Path, kind: str = "statewide", heading: str = "Statewide reports"
) -> list[str]:
    """Each notebook's default report (of one kind), with its other parameter sets nested under it."""
    statewide = [run for run in runs if run.spec.kind == kind]
    if not statewide:
        return []
    parts = [f"<h2>{html.escape(heading)}</h2>", "<ul>"]
    for spec_id in dict.fromkeys(run.spec.id for run in statewide):
        group = [run for run in statewide if run.spec.id == spec_id]
        default = next(run for run in group if run.is_default)
        parts.append(f"<li>{_link(default, root, default.spec.title)}")
        others = [run for run in group if not run.is_default]
        if others:
            parts += ["<ul>"] + [f"<li>{_link(run, root, 'with ' + _describe(run.overrides))}</li>" for run in others]
            parts.append("</ul>")
        parts.append("</li>")
    return parts + ["</ul>"]


def _county_section(runs: list[Run], root: Path) -> list[str]:
    """The county reports, those whose FY2015 detainer shares rest on few cases marked *."""
    # here, not at the top: a no-op build skips the index and should not import pandas and scipy
    from ma_ice_coop.analysis import measures
    from ma_ice_coop.tables.reference import load_counties

    shares = measures.measure_table("custody_share")
    small = set(shares.loc[measures.small_by_data(shares), "county"])
    counties = load_counties()
    no_jail = set(counties.query("not houses_own_prisoners")["county"])
    none = sorted(set(shares.loc[shares["denominator"] == 0, "county"]) - no_jail)
    cover = measures.FY2015_DETAINERS
    parts = [
        "<h2>County reports</h2>",
        f"<p>Counties marked * had 1 to {measures.SMALL_SHARE_DENOMINATOR - 1} detainers at their sheriff's "
        f"facilities in the FY2015 detainer records ({cover.start} to {cover.end}), so their detainer shares "
        "rest on few cases: read their intervals, not their rank. Small is decided by the data, not by "
        "population, and each report flags every measure by its own data. "
        + (f"No detainer at all in those records (no share): {html.escape(', '.join(none))}. " if none else "")
        + "Nantucket has no jail; its prisoners are held in Barnstable.</p>",
        '<ul class="counties">',
    ]
    known = set(counties["county"])
    county_runs = sorted(
        (run for run in runs if run.spec.kind == "county"), key=lambda run: run.params.get("county", "")
    )
    for run in county_runs:
        name = run.params.get("county", "")
        star = " *" if name in known and name in small else ""
        parts.append(f"<li>{_link(run, root, name + ' County')}{html.escape(star)}</li>")
    return parts + ["</ul>"]


def _teaching_section(runs: list[Run], root: Path) -> list[str]:
    """The labs for instructors and students: the guide, then each lab with its student version."""
    labs = [run for run in runs if run.spec.shows_code and run.is_default]
    if not labs:
        return []
    students = {run.spec.generated_from: run for run in labs if run.spec.generated_from}
    solutions = [run for run in labs if not run.spec.generated_from]
    parts = [
        "<h2>Teaching</h2>",
        f"<p>{len(solutions)} labs of about 45 minutes each, with the analysis in plain pandas and statsmodels and "
        "exercises that check themselves; a session plan for each in "
        '<a href="labs/guide.html">the instructor guide</a>.</p>',
        "<ul>",
    ]
    for run in solutions:
        student = students.get(run.spec.id)
        extra = f" ({_link(student, root, 'student version')})" if student else ""
        parts.append(f"<li>{_link(run, root, run.spec.title)}{extra}</li>")
    return parts + ["</ul>"]


def _downloads_section(root: Path) -> list[str]:
    data = root / "data"
    items = [
        f'<li><a href="data/{html.escape(name)}">{html.escape(name)}</a>: {html.escape(what)}</li>'
        for name, what in DOWNLOADS
        if (data / name).exists()
    ]
    return ["<h2>Downloads</h2>", "<ul>", *items, "</ul>"]


def _scorecard_section() -> list[str]:
    """The answer first: the plain-words summary, the scorecard table (sortable with JavaScript) and its maps."""
    # here, not at the top: a no-op build skips the index and should not import pandas and matplotlib
    from ma_ice_coop.analysis.scorecard import SCORECARD_POLICIES, policy_vs_records, scorecard
    from ma_ice_coop.io import read_processed_geojson
    from ma_ice_coop.present import scorecard as card
    from ma_ice_coop.present.scorecard_maps import scorecard_maps_html
    from ma_ice_coop.present.scorecard_words import summary_html
    from ma_ice_coop.tables.policies import POLICY_QUESTIONS

    frame = scorecard()
    labels = dict(POLICY_QUESTIONS)
    columns = card.columns(labels, SCORECARD_POLICIES)
    return [
        '<h2 id="scorecard">Which sheriffs cooperate with ICE, in which ways, and how sure we are</h2>',
        summary_html(frame, labels, SCORECARD_POLICIES, policy_vs_records(frame)),
        "<p>One row per sheriff's office; each column is one form of cooperation, with its period. Select a cell "
        "for the county report's explanation and sources. The same values: "
        '<a href="data/scorecard.csv">scorecard.csv</a>.</p>',
        card.scorecard_table_html(frame, columns),
        card.SORT_SCRIPT,
        scorecard_maps_html(frame, read_processed_geojson("county_boundaries"), labels, SCORECARD_POLICIES),
    ]


def index_html(runs=None) -> str:
    """reports/index.html: the scorecard first, then every report and download, with relative links; all text
    escaped."""
    root = config.project_root() / "reports"
    runs = plan_runs() if runs is None else runs
    parts = (
        INTRO[:1]
        + _scorecard_section()
        + ["<h2>About these reports</h2>"]
        + INTRO[1:]
        + _statewide_section(runs, root)
        + _statewide_section(runs, root, "national", "Massachusetts in national context")
        + _county_section(runs, root)
        + _teaching_section(runs, root)
        + _downloads_section(root)
        + CLOSING
    )
    return html_page("ICE detainer cooperation by Massachusetts county: reports", "\n".join(parts), home="index.html")


def write_index(runs=None) -> Path:
    path = config.project_root() / "reports" / "index.html"
    io.atomic_write_text(path, index_html(runs))
    return path
