"""'Detainers per year': the county's detainers and outcomes per fiscal year from the extended releases.

Shown only in extended builds (`extended: true`, after `make extended`); a core report says in one paragraph
what an extended build adds. The county's numbers are its sheriff's facilities, as everywhere in the report.
"""

from __future__ import annotations

from ma_ice_coop.analysis.extended_data import county_years, coverage_spans, events_for, state_years
from ma_ice_coop.present.report import fmt_estimate, fmt_num
from ma_ice_coop.present.time_axis import (
    CORE_NOTE,
    SMALL_DENOMINATOR,
    coverage_text,
    unlisted_sentence,
    year_label,
    years_figure_html,
    years_table_html,
)


def per_year_text(county: str, county_fips: str, extended: bool) -> str:
    """The section's words: what the table and figure show, the coverage, and the plain reading."""
    if not extended:
        return CORE_NOTE
    years = county_years(county_fips)
    intro = (
        f"Detainers ICE lodged with the {county} County sheriff's facilities per federal fiscal year (October to "
        "September), and what ICE recorded as their outcome. Shares are of all detainers, with 95% intervals; "
        "detainers with no recorded outcome stay in the denominator as unresolved. " + coverage_text(coverage_spans())
    )
    if years.empty:
        return "\n\n".join(
            part
            for part in (
                intro,
                f"No detainer in the loaded releases was placed at the {county} sheriff's facilities.",
                unlisted_sentence(state_years()),
            )
            if part
        )
    return "\n\n".join(part for part in (intro, _reading(years), unlisted_sentence(state_years())) if part)


def _reading(years) -> str:
    """The busiest year and the range of the custody share among years with enough detainers."""
    busiest = years.loc[years["detainers"].idxmax()]
    text = (
        f"The most detainers in one year: {fmt_num(busiest['detainers'])} in "
        f"{year_label(busiest['year'], busiest['year_type'])}."
    )
    enough = years[years["detainers"] >= SMALL_DENOMINATOR]
    if len(enough) >= 2:
        low, high = enough.loc[enough["custody_share"].idxmin()], enough.loc[enough["custody_share"].idxmax()]
        text += (
            f" Among the {len(enough)} years with at least {SMALL_DENOMINATOR} detainers, the share ICE recorded as "
            f"taken into its custody ranged from {_share(low)} in {year_label(low['year'], low['year_type'])} to "
            f"{_share(high)} in {year_label(high['year'], high['year_type'])}."
        )
    if years["near_cutoff_detainers"].gt(0).any():
        text += (
            " Years marked in the table include detainers prepared within 180 days of their release's cut-off: "
            "their outcomes may not have been recorded yet, so their unresolved share is likely too high."
        )
    return text


def _share(row) -> str:
    return fmt_estimate(row["custody_share"], row["custody_share_low"], row["custody_share_high"], share=True)


def per_year_figure(county: str, county_fips: str, extended: bool):
    """Detainers per year and their outcome shares, with the statewide and county events marked (None in core)."""
    if not extended:
        return None
    years = county_years(county_fips)
    if years.empty:
        return None
    return years_figure_html(
        years,
        events_for(county_fips),
        title=f"{county} County sheriff's facilities, per fiscal year",
        what=f"detainers lodged with the {county} County sheriff's facilities",
    )


def per_year_html(county: str, county_fips: str, extended: bool):
    """The per-year table (None in core)."""
    if not extended:
        return None
    return years_table_html(
        county_years(county_fips), caption=f"{county} County sheriff's facilities: detainers and outcomes per year"
    )
