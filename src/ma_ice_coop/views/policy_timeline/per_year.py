"""'Detainers and their outcomes per year around the event' (extended builds only).

Massachusetts detainers per fiscal year with every key event marked, and an interrupted time series of the
monthly share taken into ICE custody around the chosen event where the loaded months allow it
(analysis.extended_its). Detainer outcomes are what Lunn acts on: a Massachusetts officer may not hold a person
on a detainer alone, so ICE custody at release is the outcome to watch, not the headcount.
"""

from __future__ import annotations

from functools import lru_cache

from ma_ice_coop.analysis.extended_data import (
    MA_STATE,
    coverage_spans,
    data_version,
    monthly_counts,
    release_windows,
    state_years,
)
from ma_ice_coop.analysis.extended_its import event_its
from ma_ice_coop.present.time_axis import (
    CORE_NOTE,
    coverage_text,
    its_figure_html,
    state_years_figure_html,
    years_table_html,
)


def per_year_text(result, extended: bool) -> str:
    if not extended:
        return CORE_NOTE
    return (
        f"Every Massachusetts facility together, per federal fiscal year; the vertical lines are the key events "
        f"(this report's event: {result.event.label}). " + coverage_text(coverage_spans())
    )


def per_year_figure(result, extended: bool):
    return state_years_figure_html() if extended else None


def per_year_html(result, extended: bool):
    if not extended:
        return None
    return years_table_html(state_years(), caption="Massachusetts facilities: detainers and outcomes per year")


def _its(result):
    return _event_its(result.event.key, data_version())


@lru_cache(maxsize=4)
def _event_its(event_key: str, version: tuple):
    """Fitted once per event and version of the extended tables (the text and the figure both show it)."""
    return event_its(monthly_counts(), event_key, state=MA_STATE, windows=release_windows())


def detainer_its_text(result, extended: bool) -> str:
    """The interrupted time series' plain reading (or why it is not fitted), and its details."""
    if not extended:
        return ""
    its = _its(result)
    return f"{its.summary}\n\n{its.note}"


def detainer_its_figure(result, extended: bool):
    if not extended:
        return None
    return its_figure_html(_its(result))
