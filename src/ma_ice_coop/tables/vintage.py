"""How current the inputs are: the date of the latest ICE 287(g) list in the inputs, and the data vintage that
each report's "cite this report" line gives. Light (no pandas): the page template reads it."""

from __future__ import annotations

from datetime import date

from ma_ice_coop.tables.catalogue import catalogue

#: The latest ICE 287(g) list in the inputs (appelson_287g_2025; tests/test_agreements_287g.py checks it).
LATEST_287G_LIST = "2025-07-03"


def data_vintage() -> date:
    """The newest day the inputs observe: the latest end of the measure catalogue's coverages, where the
    287(g) year panel (which ends on a calendar year's last day) counts by its latest ICE list."""
    ends = [
        date.fromisoformat(LATEST_287G_LIST) if key == "agreements_287g" else coverage.period.end
        for key, coverage in catalogue().coverage.items()
    ]
    return max(ends)
