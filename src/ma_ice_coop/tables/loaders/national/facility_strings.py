"""Redraft the national facility crosswalk (data/reference/national_facilities.csv) from the FY2015 detainer
release as read, before any placement, so that a string new to the crosswalk never needs a built table:

    python -m ma_ice_coop.tables.loaders.national.facility_strings

Rows reviewed by hand (method `hand`) are kept as they are; every other row is redrafted by the rules; the
summary printed says how many detainers are placed and classified, by method. Review the new strings by hand.
"""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders.detainers import SOURCE, read_detainer_release
from ma_ice_coop.tables.national_facilities import print_summary, update_crosswalk


def release_rows() -> pd.DataFrame:
    """The core detainer release (NPR FY2015) as read: facility strings, no placement."""
    return read_detainer_release(input_path(SOURCE), "npr_lea", SOURCE)


if __name__ == "__main__":
    print_summary(update_crosswalk(detainers=release_rows()))
