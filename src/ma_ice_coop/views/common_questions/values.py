"""The value of every placeholder, computed from ``ma_ice_coop.analysis.measures`` and the processed tables."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, event_timestamp
from ma_ice_coop.io import read_processed
from ma_ice_coop.present.report import fmt_estimate, fmt_num, fmt_pct
from ma_ice_coop.present.text import AGENCY_GROUP_NAMES, join_words, period_text
from ma_ice_coop.tables.loaders.covariates import (
    CONTESTED_RULE,
    county_covariates_wide,
    uncontested_sheriff_races_2022,
)
from ma_ice_coop.tables.reference import county_names, load_agreements_287g, load_sheriffs
from ma_ice_coop.views.common_questions.placeholders import PLACEHOLDERS

AGENCY_LABELS = AGENCY_GROUP_NAMES  # stated once in present/text.py (the methods page uses them too)


# ----------------------------------------------------------------------------- text helpers


def _period_text(period: measures.Period) -> str:
    return period_text(period.start, period.end)


def _num(value: float) -> str:
    return fmt_num(value, 0 if abs(value) >= 10 or float(value).is_integer() else 1)


def _pooled_share(table: pd.DataFrame) -> tuple[int, int, float, float, float]:
    k, n = int(table["numerator"].sum()), int(table["denominator"].sum())
    low, high = measures.proportion_interval([k], [n])
    return k, n, (k / n if n else float("nan")), float(low[0]), float(high[0])


def sheriff_detainers(period: measures.Period) -> pd.DataFrame:
    """Detainers lodged at Massachusetts sheriff-run jails, prepared within `period`."""
    detainers = read_processed("detainers")
    return detainers[
        (detainers["facility_state"] == "MASSACHUSETTS")
        & (detainers["operator_type"] == "sheriff")
        & period.contains(detainers["prepare_date"])
    ]


def _top_counts_text(lodged: pd.DataFrame, n: int = 3) -> str:
    """The counties with the highest detainer counts, ranked only if their 95% intervals do not overlap."""
    top = lodged.sort_values(["numerator", "county"], ascending=[False, True]).head(n)
    named = join_words([f"{row.county} ({fmt_num(row.numerator)})" for row in top.itertuples()])
    if top["ci_low"].max() <= top["ci_high"].min():
        return (
            f"{named}, counts whose 95% intervals overlap, so these counties cannot be told apart and their "
            "order means nothing"
        )
    return f"{named}, in that order"


# ----------------------------------------------------------------------------- FY2015 detainer records


def _detainer_count_values(lodged: pd.DataFrame, agency: pd.DataFrame) -> dict[str, str]:
    """Where the FY2015 detainers were lodged: sheriff-run jails, other facilities, the top counties, the rate."""
    agency_lodged = agency[agency["measure"] == "detainers_lodged"].set_index("agency_group")["numerator"]
    sheriff_total = lodged["numerator"].sum()
    others = agency_lodged.reset_index().sort_values(["numerator", "agency_group"], ascending=[False, True])
    rate = measures.measure_table("detainers_per_100k")
    count, population = rate["numerator"].sum(), rate["denominator"].sum()
    low, high = measures.poisson_interval([count], [population / measures.PER_100K])
    per_100k = fmt_estimate(count / population * measures.PER_100K, low[0], high[0], share=False, digits=1)
    return {
        "detainers_sheriff_fy2015": fmt_num(sheriff_total),
        "detainers_ma_fy2015": fmt_num(sheriff_total + agency_lodged.sum()),
        "detainers_doc_fy2015": fmt_num(agency_lodged.get("state_doc", 0)),
        "detainers_police_fy2015": fmt_num(agency_lodged.get("police", 0)),
        "detainers_non_sheriff_fy2015": join_words(
            [
                f"{AGENCY_LABELS.get(row.agency_group, row.agency_group)} {fmt_num(row.numerator)}"
                for row in others.itertuples()
                if row.numerator > 0
            ]
        ),
        "detainers_top_counties_fy2015": _top_counts_text(lodged),
        "detainers_per_100k_pool": per_100k + " per 100,000 residents",
    }


def _counties_vs_pool(custody: pd.DataFrame, pooled: float) -> str:
    """Which counties' custody-share intervals lie wholly above or below the pooled share."""
    with_data = custody[custody["denominator"] > 0]
    above = with_data[with_data["ci_low"] > pooled]["county"].tolist()
    below = with_data[with_data["ci_high"] < pooled]["county"].tolist()
    without_detainers = custody[custody["denominator"] == 0]["county"].tolist()
    if not above and not below:
        clause = (
            "no county's 95% interval lies wholly above or below that pool, so with these numbers the "
            "counties cannot be told apart"
        )
    else:
        clause = (
            f"the intervals of {join_words(above) or 'no county'} lie wholly above the pool and those of "
            f"{join_words(below) or 'no county'} wholly below it; the others cannot be told apart from it"
        )
    if without_detainers:
        clause += f" ({join_words(without_detainers)} had no detainers at all)"
    return clause


def _outcome_values(agency: pd.DataFrame) -> dict[str, str]:
    """Custody, declined and unresolved shares of the FY2015 detainers."""
    custody = measures.measure_table("custody_share")
    custody_count, detainer_count, pooled, low, high = _pooled_share(custody)
    doc_custody = agency[(agency["measure"] == "custody_share") & (agency["agency_group"] == "state_doc")].iloc[0]
    _, _, unresolved, unresolved_low, unresolved_high = _pooled_share(measures.measure_table("unresolved_share"))
    return {
        "custody_count_pool": f"{fmt_num(custody_count)} of {fmt_num(detainer_count)}",
        "custody_share_pool": fmt_estimate(pooled, low, high, share=True),
        "custody_share_vs_pool": _counties_vs_pool(custody, pooled),
        "custody_share_doc_fy2015": (
            f"{fmt_num(doc_custody.numerator)} of {fmt_num(doc_custody.denominator)}, or "
            f"{fmt_estimate(doc_custody.estimate, doc_custody.ci_low, doc_custody.ci_high, share=True)}"
        ),
        "declined_count_pool": fmt_num(measures.measure_table("declined_share")["numerator"].sum()),
        "unresolved_share_pool": fmt_estimate(unresolved, unresolved_low, unresolved_high, share=True),
    }


def _request_kinds(detainers: pd.DataFrame) -> str:
    # The form type shows what a form can request, not what each detainer asked for: ICE's 2011 FAQ gives the
    # I-247 three functions (notice, release information, a hold of up to 48 hours), and which of them a given
    # form asked for is not recorded. So "hold" forms are forms that can request a hold (release review, issue 7).
    forms = detainers.assign(form=detainers["detainer_type"].str.split(" - ").str[0].str.strip())
    parts = []
    for kind, what in (
        ("hold", "were on forms that can ask the jail to hold the person"),
        ("notify", "on the notification-only form"),
    ):
        group = forms[forms["request_kind"] == kind]
        if len(group):
            forms_used = sorted(group["form"].unique())
            parts.append(f"{fmt_num(len(group))} {what} ({join_words(forms_used)})")
    rest = forms[~forms["request_kind"].isin(["hold", "notify"])]
    if len(rest):
        parts.append(f"{fmt_num(len(rest))} were of another or unknown kind")
    return join_words(parts)


def _detainer_types(detainers: pd.DataFrame) -> str:
    counts = detainers.groupby("detainer_type").size().reset_index(name="n")
    counts = counts.sort_values(["n", "detainer_type"], ascending=[False, True])
    parts = []
    for row in counts.itertuples():
        pieces = [p.strip() for p in row.detainer_type.split(" - ")]
        parts.append(f"{fmt_num(row.n)} on form {pieces[0]} “{pieces[-1]}”")
    return "; ".join(parts)


def _detainer_form_values(period: measures.Period) -> dict[str, str]:
    detainers = sheriff_detainers(period)
    return {
        "request_kind_sheriff": _request_kinds(detainers),
        "detainer_types_sheriff": _detainer_types(detainers),
        "recorded_declines_period": _period_text(measures.default_period("recorded_declines")),
    }


# ----------------------------------------------------------------------------- ICE arrests and 287(g)


def _jail_arrest_values() -> dict[str, str]:
    jail = measures.measure_table("jail_arrests")
    top = jail.sort_values(["numerator", "county"], ascending=[False, True]).head(3)
    arrests = read_processed("jail_arrests")
    courts = arrests[(arrests["status"] == "facility") & (arrests["operator_type"] == "court")]
    total = arrests["arrests"].sum()
    unplaced = arrests.loc[arrests["status"] == "unplaced", "arrests"].sum()
    return {
        "jail_arrests_period": _period_text(measures.JAIL_ARRESTS),
        "jail_arrests_top": "the jails of "
        + join_words([f"{row.county} ({fmt_num(row.numerator)})" for row in top.itertuples()]),
        "jail_arrests_courts": fmt_num(courts["arrests"].sum()),
        "jail_arrests_courts_n": (
            f"{fmt_num(courts.loc[courts['arrests'] > 0, 'facility_id'].nunique())} "
            "Massachusetts courthouses (counted in the processed table of ICE arrests, not in "
            "a download)"
        ),
        "jail_arrests_aor_total": fmt_num(total),
        "jail_arrests_unplaced": f"{fmt_num(unplaced)} ({fmt_pct(unplaced / total)})",
    }


def _agreement_287g_values() -> dict[str, str]:
    panel = read_processed("agreements_287g_years")
    years = sorted(panel["year"].unique())
    sheriff_years = measures.measure_table("agreement_287g_years")
    with_years = sheriff_years[sheriff_years["numerator"] > 0].sort_values(
        ["numerator", "county"], ascending=[False, True]
    )
    doc = panel[panel["agency_type"] == "state_doc"]
    return {
        "agreement_years_period": f"{years[0]}-{years[-1]}",
        "counties_287g": join_words(
            [f"{row.county} ({fmt_num(row.numerator)} years)" for row in with_years.itertuples()]
        )
        or "none",
        "doc_287g_years": (
            f"{fmt_num(int(doc['agreement_287g_operational'].sum()))} of the {fmt_num(doc['year'].nunique())} "
            f"calendar years {years[0]}-{years[-1]}"
        ),
    }


# ----------------------------------------------------------------------------- ICE detention


def _headcount_text(held: pd.DataFrame) -> str:
    """Mean daily ICE detainees of the counties that held them on 30 days or more, then the brief holders."""
    regular = held[held["days"] >= 30].sort_values(["estimate"], ascending=False)
    brief = held[held["days"] < 30].sort_index()
    text = join_words([f"{county} {_num(row.estimate)}" for county, row in regular.iterrows()])
    text += " ICE detainees per day, averaged over that period"
    if len(brief):
        text += (
            f" ({join_words(list(brief.index))} held ICE detainees on only "
            f"{join_words([fmt_num(n) for n in brief['days']])} days; the other counties on none)"
        )
    return text


def _last_days_text(daily: pd.DataFrame, counties: list[str], names: dict[str, str], period) -> str:
    """The last day with an ICE detainee in ICE's daily records, for each of `counties`."""
    sheriff_daily = daily[(daily["operator_type"] == "sheriff") & (daily["headcount"] > 0)]
    last = sheriff_daily.groupby("sheriff_county_fips")["date"].max()
    last = last[[names[fips] in counties for fips in last.index]].sort_values()
    end = pd.Timestamp(period.end)
    ended = [f"{names[fips]} on {day.date().isoformat()}" for fips, day in last.items() if day < end]
    still = [names[fips] for fips, day in last.items() if day >= end]
    text = join_words(ended) if ended else "no county"
    if still:
        text += f"; {join_words(still)} still held ICE detainees on the last day of the data, {period.end.isoformat()}"
    return text


def _records_after_event(key: str, daily: pd.DataFrame) -> str:
    """What ICE's daily records show at a key event's facility after the event's date (e.g. DHS ending a contract)."""
    event = KEY_EVENTS[key]
    rows = daily[
        (daily["facility_code"] == event.series) & (daily["headcount"] > 0) & (daily["date"] > event_timestamp(event))
    ]
    if rows.empty:
        return f"no ICE detainee after {event.date}"
    first, last, most = rows["date"].min().date(), rows["date"].max().date(), int(rows["headcount"].max())
    return (
        f"at most {fmt_num(most)} ICE detainee{'s' if most > 1 else ''} a day from {first.isoformat()} to "
        f"{last.isoformat()}"
    )


def _year_end_last_listed(fy_table: pd.DataFrame, names: dict[str, str]) -> str:
    """Counties whose sheriff-run facilities ICE's year-end statistics stopped listing, with the last year listed."""
    sheriff = fy_table[(fy_table["operator_type"] == "sheriff") & (fy_table["adp_total"] > 0)]
    latest = int(fy_table["fiscal_year"].max())
    last = sheriff.groupby("sheriff_county_fips")["fiscal_year"].max().astype(int)
    stopped = last[last < latest].sort_values()
    if stopped.empty:
        return "no county"
    return join_words([f"{names[fips]} last in FY{fy}" for fips, fy in stopped.items()])


def _latest_year_end_text(fy_table: pd.DataFrame, names: dict[str, str]) -> str:
    """The sheriff-run facilities ICE's latest year-end workbook lists, with their average daily population."""
    sheriff_fy = fy_table[fy_table["operator_type"] == "sheriff"]
    latest = int(sheriff_fy["fiscal_year"].max())
    rows = sheriff_fy[sheriff_fy["fiscal_year"] == latest]
    by_county = rows.groupby("sheriff_county_fips")["adp_total"].sum().sort_values(ascending=False)
    through = rows["data_through"].iloc[0]
    listing = join_words([f"{names[fips]} ({_num(adp)} per day on average)" for fips, adp in by_county.items()])
    return (
        f"ICE's FY{latest} workbook (data through {through}) lists "
        f"{'only ' if len(by_county) == 1 else ''}{listing} among sheriff-run jails"
    )


def _ice_detention_values() -> dict[str, str]:
    period = measures.default_period("mean_daily_ice_headcount")  # complete records only, not the undercount
    head = measures.measure_table("mean_daily_ice_headcount").set_index("county")
    days = measures.measure_table("detention_contract_days").set_index("county")["numerator"]
    held = head.assign(days=days)[days > 0]
    regular_counties = list(held[held["days"] >= 30].sort_values(["estimate"], ascending=False).index)
    daily = read_processed("ice_detention_daily")
    names = county_names()
    fy_table = read_processed("ice_detention_fy")
    return {
        "ice_detention_period": _period_text(period),
        "ice_headcount_by_county": _headcount_text(held),
        "ice_detention_last_days": _last_days_text(daily, regular_counties, names, period),
        "bristol_records_after_dhs_end": _records_after_event("bristol_contract_end", daily),
        "ice_year_end_last_listed": _year_end_last_listed(fy_table, names),
        "ice_adp_latest": _latest_year_end_text(fy_table, names),
    }


# ----------------------------------------------------------------------------- sheriffs and the 2022 elections


def _sheriff_parties(on: str, sheriffs: pd.DataFrame) -> str:
    """Parties of the sheriffs in office on an ISO date (tenure dates are ISO text at their precision)."""
    sitting = sheriffs[(sheriffs["term_start"] <= on) & ((sheriffs["term_end"] == "") | (sheriffs["term_end"] > on))]
    names = {
        "D": ("Democrat", "Democrats"),
        "R": ("Republican", "Republicans"),
        "I": ("independent", "independents"),
        "U": ("unenrolled", "unenrolled"),
        "": ("of unknown party", "of unknown party"),
    }
    parts = []
    for party, group in sorted(sitting.groupby("party"), key=lambda kv: (-len(kv[1]), kv[0])):
        one, many = names.get(party, (party, party))
        label = one if len(group) == 1 else many
        counties = f" ({join_words(sorted(group['county']))})" if len(group) <= 3 else ""
        parts.append(f"{fmt_num(len(group))} {label}{counties}")
    return join_words(parts)


def _election_2022_values(panel: pd.DataFrame) -> dict[str, str]:
    """The 2022 sheriff-election figures: uncontested races (one table, one rule) and 287(g) on election day."""
    races = panel[(panel["variable"] == "sheriff_2022_contested") & (panel["year"] == 2022)]
    uncontested = uncontested_sheriff_races_2022(panel)
    election = pd.Timestamp("2022-11-08")
    agreements = load_agreements_287g()
    agreements = agreements[agreements["agency_type"] == "sheriff"]
    in_force = agreements[
        (agreements["start_bracket_to"] <= election)
        & (agreements["end_bracket_to"].isna() | (agreements["end_bracket_to"] > election))
    ]
    names = county_names()
    held = sorted(names[fips] for fips in in_force["county_fips"])
    return {
        "sheriff_2022_uncontested": (
            f"{fmt_num(len(uncontested))} of the {fmt_num(len(races))} races ({join_words(uncontested)})"
        ),
        "sheriff_2022_contested_rule": CONTESTED_RULE,
        "sheriffs_287g_at_2022_election": (f"only {join_words(held)}" if len(held) == 1 else join_words(held))
        or "none",
    }


def _sheriff_values() -> dict[str, str]:
    votes = county_covariates_wide(
        2022, panel=read_processed("county_covariates"), variables=["sheriff_2022_winner_share"]
    ).set_index("county")
    values = {
        "sheriff_2022_bristol_winner_share": fmt_pct(votes.loc["Bristol", "sheriff_2022_winner_share"], 1),
        "sheriff_2022_barnstable_winner_share": fmt_pct(votes.loc["Barnstable", "sheriff_2022_winner_share"], 1),
        "sheriff_parties_2023": _sheriff_parties("2023-02-01", load_sheriffs()),
    }
    values.update(_election_2022_values(read_processed("county_covariates")))
    return values


# ----------------------------------------------------------------------------- all of them


def placeholder_values() -> dict[str, str]:
    """The text of every placeholder, computed from the measures and the processed tables."""
    fy = measures.FY2015_DETAINERS
    lodged = measures.measure_table("detainers_lodged")
    agency = measures.agency_measures()
    values: dict[str, str] = {"fy2015_period": _period_text(fy)}
    values.update(_detainer_count_values(lodged, agency))
    values.update(_outcome_values(agency))
    values.update(_detainer_form_values(fy))
    values.update(_jail_arrest_values())
    values.update(_agreement_287g_values())
    values.update(_ice_detention_values())
    values.update(_sheriff_values())
    missing = set(PLACEHOLDERS) - set(values)
    if missing:  # a programming error, not a data problem
        raise RuntimeError(f"placeholders without a value: {sorted(missing)}")
    return values
