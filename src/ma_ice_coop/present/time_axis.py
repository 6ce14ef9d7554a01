"""Words and tables of the time axis that reports grow from the extended releases (detainers per year).

Shared by the county profile, which-counties and policy-timeline reports; the figures are in
time_axis_figures.py. Every share is shown with its denominator and 95% interval; years that no release covers
wholly, and years with detainers prepared close to a release's cut-off, say so.
"""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis.extended_data import events_for, state_years
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.present.figure_style import figure_html
from ma_ice_coop.present.report import fmt_estimate, fmt_num, html_table
from ma_ice_coop.present.text import join_words
from ma_ice_coop.present.time_axis_figures import its_alt_text, its_figure, years_alt_text, years_figure
from ma_ice_coop.tables.loaders.detainers import release_spec

SMALL_DENOMINATOR = 20
"""Years with fewer detainers than this are flagged: a share of so few says little."""

CORE_NOTE = (
    "Not in this version of the report: it uses ICE's record-level detainer outcomes for October 2014 to July 2015 "
    "only (the FY2015 release bundled with the project). ICE's larger releases, for October 2007 to September 2017 "
    "and September 2023 to about October 2025, are too large to bundle: an extended build of this report, with "
    "detainers and their outcomes per year, can be made on any machine with internet (`make extended`, then "
    "`make all`; see the README, 'Extended data'). Extended reports are written apart from these and never "
    "replace them."
)


def release_title(release_id: str) -> str:
    """The release's title in data/detainer_releases.yaml (its id when the file does not describe it)."""
    try:
        return release_spec(release_id)["title"]
    except SchemaError:  # a release without a layout entry still has a name
        return release_id


def year_label(year: int, year_type: str) -> str:
    return f"FY{year}" if year_type == "fiscal" else str(year)


def _notes(row) -> str:
    notes = []
    if row.days_covered < row.days_in_year:
        notes.append(f"partial year: {row.days_covered} of {row.days_in_year} days in the records")
    if row.near_cutoff_detainers:
        notes.append(
            f"{fmt_num(row.near_cutoff_detainers)} prepared within 180 days of the release's cut-off: outcomes "
            "may not be recorded yet"
        )
    if getattr(row, "unlisted_detainers", 0):
        notes.append(f"{fmt_num(row.unlisted_detainers)} at facilities no crosswalk lists (in no county's numbers)")
    if row.detainers < SMALL_DENOMINATOR:
        notes.append(f"few detainers (under {SMALL_DENOMINATOR}): read the interval")
    return "; ".join(notes)


def _share(row, share: str) -> str:
    return fmt_estimate(getattr(row, share), getattr(row, f"{share}_low"), getattr(row, f"{share}_high"), share=True)


def unlisted_sentence(state_years: pd.DataFrame) -> str:
    """Which years' Massachusetts detainers name a facility no crosswalk lists (left out of every county's numbers);
    '' when none does."""
    rows = state_years[state_years["unlisted_detainers"] > 0]
    if rows.empty:
        return ""
    parts = join_words(
        f"{fmt_num(r.unlisted_detainers)} of {fmt_num(r.detainers)} in {year_label(r.year, r.year_type)}"
        for r in rows.itertuples(index=False)
    )
    return (
        f"Some Massachusetts detainers name a facility that no crosswalk of the project lists ({parts}): they are in "
        "the state's numbers but in no county's, so a county's count for those years may be too low "
        "(the strings are listed in extended_unlisted_facilities.csv, beside the extended reports)."
    )


def years_table(years: pd.DataFrame) -> pd.DataFrame:
    """The per-year rows as the reports show them (text columns)."""
    if years.empty:
        return pd.DataFrame(columns=["Year", "Release", "Detainers", "ICE custody", "Declined", "Unresolved", "Notes"])
    rows = list(years.itertuples(index=False))
    return pd.DataFrame(
        {
            "Year": [year_label(r.year, r.year_type) for r in rows],
            "Release": [r.releases.replace("+", ", ") for r in rows],
            "Detainers": [fmt_num(r.detainers) for r in rows],
            "ICE custody": [_share(r, "custody_share") for r in rows],
            "Declined (recorded)": [_share(r, "declined_share") for r in rows],
            "Unresolved": [_share(r, "unresolved_share") for r in rows],
            "Notes": [_notes(r) for r in rows],
        }
    )


def years_table_html(years: pd.DataFrame, *, caption: str):
    """HTML table of detainers and shares per year (95% Jeffreys intervals; share of all detainers)."""
    return html_table(years_table(years), caption=caption)


def _by_release(spans) -> list[tuple[str, list[tuple[pd.Timestamp, pd.Timestamp]]]]:
    """Consecutive windows of one release grouped (date order kept)."""
    groups: list[tuple[str, list]] = []
    for start, end, release in spans:
        if groups and groups[-1][0] == release:
            groups[-1][1].append((start, end))
        else:
            groups.append((release, [(start, end)]))
    return groups


def coverage_text(spans: list[tuple[pd.Timestamp, pd.Timestamp, str]]) -> str:
    """Which dates the loaded releases cover, and the gaps between them, in plain words."""
    if not spans:
        return "No extended release is loaded."
    parts = [
        join_words(f"{s.date()} to {e.date()}" for s, e in windows) + f" ({release_title(release)})"
        for release, windows in _by_release(spans)
    ]
    gaps = [(e, s2) for (_, e, _), (s2, _, _) in zip(spans, spans[1:], strict=False) if (s2 - e).days > 1]
    text = f"The loaded releases hold detainers prepared {join_words(parts)}."
    if gaps:
        day = pd.Timedelta(days=1)
        words = join_words(f"{(e + day).date()} to {(s - day).date()}" for e, s in gaps)
        text += (
            f" No loaded release covers {words}: those days are gaps in the figures, not zeros (no release with a "
            "public download that the project knows of covers them)."
        )
    return text


SOURCE = (
    "ICE ERO LESA detainer records: the NPR FOIA files (FY2008-FY2017) and the Deportation Data Project's 2025 "
    "releases, as loaded by `make extended` (data/sources.yaml, use: extended), one release per date"
)


def years_figure_html(years: pd.DataFrame, events: pd.DataFrame, *, title: str, what: str):
    """The per-year figure with its alt text, caption and source (an HTML object for a notebook cell)."""
    caption = (
        f"{what[0].upper()}{what[1:]} per fiscal year (bars) and the custody, declined and unresolved shares of "
        "all detainers with 95% intervals; grey spans: no loaded release; lighter, hatched bars: partial years; "
        "hollow markers: detainers near a release's cut-off; dashed lines: key events."
    )
    fig = years_figure(years, events, title=title)
    return figure_html(fig, alt=years_alt_text(years, events, what=what), caption=caption, source=SOURCE)


def its_figure_html(result):
    """The interrupted time series figure (fitted or refused) with its alt text, caption and source."""
    caption = (
        f"Monthly share of detainers taken into ICE custody around {result.event.label}: filled points are the "
        "months used, hollow markers the months left out; lines (when fitted): the segmented regression and the "
        "pre-event trend continued."
    )
    return figure_html(its_figure(result), alt=its_alt_text(result), caption=caption, source=SOURCE)


def state_years_figure_html():
    """Every Massachusetts facility together, per fiscal year, with every statewide key event (None without
    detainers)."""
    years = state_years()
    if years.empty:
        return None
    return years_figure_html(
        years,
        events_for(),
        title="Massachusetts facilities, per fiscal year",
        what="detainers lodged with Massachusetts facilities",
    )
