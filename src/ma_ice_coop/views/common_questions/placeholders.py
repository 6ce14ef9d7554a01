"""The placeholders the curated text may use (``{custody_share_pool}`` and so on), and filling them in."""

from __future__ import annotations

import re

# Every placeholder the curated text may use, and what the view puts there.
PLACEHOLDERS = {
    "fy2015_period": "dates covered by the FY2015 detainer records",
    "detainers_ma_fy2015": "detainers lodged at all Massachusetts facilities, FY2015 records",
    "detainers_sheriff_fy2015": "detainers lodged at sheriff-run jails, FY2015 records",
    "detainers_doc_fy2015": "detainers lodged at state prisons (DOC), FY2015 records",
    "detainers_police_fy2015": "detainers lodged at municipal police lockups, FY2015 records",
    "detainers_non_sheriff_fy2015": "detainers at facilities not run by a sheriff, by kind, FY2015 records",
    "detainers_top_counties_fy2015": "the three counties with most detainers at sheriff-run jails, FY2015, and "
    "whether their counts can be told apart (95% intervals)",
    "detainers_per_100k_pool": "detainers at sheriff-run jails per 100,000 residents (exact Poisson 95% CI)",
    "custody_count_pool": "detainers with lift reason 'Booked into Detention' of all, sheriff-run jails",
    "custody_share_pool": "pooled custody share at sheriff-run jails with Jeffreys 95% CI",
    "custody_share_vs_pool": "which counties' custody-share intervals lie wholly above or below the pool",
    "custody_share_doc_fy2015": "custody share at state prisons (DOC) with Jeffreys 95% CI",
    "declined_count_pool": "detainers recorded as 'Detainer Declined by LEA' at sheriff-run jails (a lower bound)",
    "unresolved_share_pool": "pooled share with no recorded lift reason, sheriff-run jails, Jeffreys 95% CI",
    "request_kind_sheriff": "hold versus notification requests among detainers at sheriff-run jails",
    "detainer_types_sheriff": "detainer forms (as ICE labels them) at sheriff-run jails",
    "recorded_declines_period": "dates covered by the NPR recorded-declines table",
    "jail_arrests_period": "dates the pooled ICE arrest records cover",
    "jail_arrests_top": "the three counties whose sheriff-run jails saw most ICE arrests",
    "jail_arrests_courts": "ICE arrests placed at Massachusetts courthouses",
    "jail_arrests_courts_n": "courthouses with at least one ICE arrest (processed jail_arrests table)",
    "jail_arrests_aor_total": "all ICE arrests recorded in the Boston area of responsibility",
    "jail_arrests_unplaced": "ICE arrests whose recorded location cannot be placed (with share)",
    "agreement_years_period": "years covered by the 287(g) panel",
    "counties_287g": "sheriffs with 287(g) agreement years, and how many",
    "doc_287g_years": "years the state DOC's 287(g) agreement was in force, of all panel years",
    "ice_detention_period": "dates the ICE headcount measures cover by default (complete records only)",
    "ice_headcount_by_county": "mean daily ICE detainees in each county's sheriff-run facilities",
    "ice_detention_last_days": "last day with ICE detainees in ICE's daily records, each county that held them",
    "bristol_records_after_dhs_end": "ICE detainees at Bristol in ICE's daily records after DHS ended the contract",
    "ice_year_end_last_listed": "last fiscal year ICE's year-end statistics list each county that stopped holding",
    "ice_adp_latest": "sheriff-run facilities ICE's latest year-end workbook lists, with average daily population",
    "sheriff_2022_bristol_winner_share": "winner's share of the 2022 Bristol sheriff vote",
    "sheriff_2022_barnstable_winner_share": "winner's share of the 2022 Barnstable sheriff vote",
    "sheriff_parties_2023": "party of the 14 sheriffs in office after the 2022 elections",
    "sheriff_2022_uncontested": "uncontested 2022 sheriff races under the write-in rule (county_covariates)",
    "sheriff_2022_contested_rule": "the write-in rule that decides whether a 2022 sheriff race was contested",
    "sheriffs_287g_at_2022_election": "sheriffs with a 287(g) agreement in force on 2022-11-08 (agreements_287g.csv)",
}

#: A placeholder as written in the curated text: ``{name}``.
PLACEHOLDER_PATTERN = re.compile(r"\{([A-Za-z0-9_]+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every {placeholder} with its computed value (the names were checked on loading)."""
    return PLACEHOLDER_PATTERN.sub(lambda match: values[match.group(1)], text)
