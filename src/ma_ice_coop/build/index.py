"""reports/index.html: every report and download, with relative links; all text escaped."""

from __future__ import annotations

import html
from pathlib import Path

from ma_ice_coop import config, io
from ma_ice_coop.present.pages import html_page
from ma_ice_coop.specs.notebooks import plan_runs


def _describe(params: dict) -> str:
    return ", ".join(f"{k} = {'+'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())


def index_html(runs=None) -> str:
    """reports/index.html: every report and download, with relative links; all text escaped."""
    from ma_ice_coop.tables.reference import load_counties

    root = config.project_root() / "reports"
    runs = plan_runs() if runs is None else runs
    esc = html.escape
    parts = [
        "<h1>ICE detainer cooperation by Massachusetts county</h1>",
        "<p>How much do the jails and houses of correction run by the 14 county sheriffs of Massachusetts "
        "cooperate with ICE detainer requests, and how does that relate to county politics, demographics and "
        "policy events? Each report below is a notebook run on public data, with every rate shown with its "
        "denominator and a 95% interval. Reports open with key findings, then methods and limitations.</p>",
        "<h2>Statewide reports</h2>",
        "<ul>",
    ]
    statewide = [r for r in runs if r.spec.kind == "statewide"]
    for spec_id in dict.fromkeys(r.spec.id for r in statewide):
        group = [r for r in statewide if r.spec.id == spec_id]
        default = next(r for r in group if r.is_default)
        href = default.html_path.relative_to(root).as_posix()
        parts.append(f'<li><a href="{esc(href)}">{esc(default.spec.title)}</a>')
        others = [r for r in group if not r.is_default]
        if others:
            parts.append("<ul>")
            for r in others:
                parts.append(
                    f'<li><a href="{esc(r.html_path.relative_to(root).as_posix())}">'
                    f"with {esc(_describe(r.overrides))}</a></li>"
                )
            parts.append("</ul>")
        parts.append("</li>")
    from ma_ice_coop.analysis import measures

    shares = measures.measure_table("custody_share")
    small = set(shares.loc[measures.small_by_data(shares), "county"])
    no_jail = set(load_counties().query("not houses_own_prisoners")["county"])
    none = sorted(set(shares.loc[shares["denominator"] == 0, "county"]) - no_jail)
    cover = measures.FY2015_DETAINERS
    parts += [
        "</ul>",
        "<h2>County reports</h2>",
        f"<p>Counties marked * had 1 to {measures.SMALL_SHARE_DENOMINATOR - 1} detainers at their sheriff's "
        f"facilities in the FY2015 detainer records ({cover.start} to {cover.end}), so their detainer shares "
        "rest on few cases: read their intervals, not their rank. Small is decided by the data, not by "
        "population, and each report flags every measure by its own data. "
        + (f"No detainer at all in those records (no share): {esc(', '.join(none))}. " if none else "")
        + "Nantucket has no jail; its prisoners are held in Barnstable.</p>",
        '<ul class="counties">',
    ]
    counties = load_counties().set_index("county")
    county_runs = sorted((r for r in runs if r.spec.kind == "county"), key=lambda r: r.params.get("county", ""))
    for r in county_runs:
        name = r.params.get("county", "")
        star = " *" if name in counties.index and name in small else ""
        parts.append(
            f'<li><a href="{esc(r.html_path.relative_to(root).as_posix())}">{esc(name)} County</a>{esc(star)}</li>'
        )
    parts += ["</ul>", "<h2>Downloads</h2>", "<ul>"]
    data = root / "data"
    for name, what in [
        (
            "county_measures.csv",
            "every measure for every county and period, with numerator, denominator and 95% interval",
        ),
        (
            "agency_measures.csv",
            "the same for state prisons, federal sites, ICE offices, police and courts (never counted in a county)",
        ),
        ("county_covariates.csv", "county politics and demographics, with source and vintage"),
        ("README.md", "what each download contains"),
        ("CODEBOOK.md", "every column of the processed tables"),
    ]:
        if (data / name).exists():
            parts.append(f'<li><a href="data/{esc(name)}">{esc(name)}</a>: {esc(what)}</li>')
    parts += [
        "</ul>",
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
    return html_page("ICE detainer cooperation by Massachusetts county: reports", "\n".join(parts), home="index.html")


def write_index(runs=None) -> Path:
    path = config.project_root() / "reports" / "index.html"
    io.atomic_write_text(path, index_html(runs))
    return path
