"""The county profile's key findings: one sentence per fact, every number from the CountyProfile."""

from __future__ import annotations

import pandas as pd

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import KEY_EVENTS, timeline_row
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import counted, esc, period_text, year_ranges
from ma_ice_coop.tables.loaders.covariates import CONTESTED_RULE
from ma_ice_coop.views.county_profile.compute import (
    CountyProfile,
    custody_measure,
    decline_measure,
    measure_summary,
)
from ma_ice_coop.views.county_profile.formatting import comparison_text, fmt_mean, fmt_value
from ma_ice_coop.views.county_profile.labels import LABELS, OPERATOR_PLURAL, PARTY_NAMES, UNDERCOUNT_BEFORE


def heading(profile: CountyProfile) -> str:
    return f"## {esc(profile.county)} County: {esc(profile.county_row['sheriff_office'])}"


def key_findings(profile: CountyProfile) -> str:
    lines = _unit_findings(profile) + _detainer_findings(profile)
    if profile.host is None:
        lines.append(_jail_arrest_sentence(profile))
        lines.append(_detention_sentence(profile))
    lines.append(_agreement_sentence(profile))
    lines.append(sheriff_sentence(profile))
    if len(profile.other_facilities):
        lines.append(_other_facilities_sentence(profile))
    lines.append(_lunn_sentence(profile))
    return bullet_list(lines)


def _unit_findings(profile: CountyProfile) -> list[str]:
    """What the measures are about: the jail that holds the county's prisoners, or the sheriff's facilities;
    and the measures resting on too few cases to rank."""
    lines = []
    office = esc(profile.county_row["sheriff_office"])
    county, host = esc(profile.county), esc(profile.host)
    if profile.host is not None:
        lines.append(
            f"**{county} has no jail or house of correction.** Its prisoners are held in "
            f"{host} County ({esc('; '.join(profile.host_facilities))}), so the {office}'s measures "
            f"below are zero or blank by construction: they say nothing about how the sheriff treats ICE "
            f"requests. For the jail that holds its prisoners see the "
            f"[{host} County report]({host}.html)."
        )
    elif len(profile.sheriff_facilities):
        names = "; ".join(f"{esc(name)}" for name in sorted(profile.sheriff_facilities["facility_name"]))
        one = len(profile.sheriff_facilities) == 1
        lines.append(
            f"The {office} runs {counted(len(profile.sheriff_facilities), 'facility', 'facilities')} in this "
            f"project's crosswalk ({names}). Every measure below is about "
            f"{'this facility' if one else 'these facilities'} only."
        )
    if profile.small_measures and profile.host is None:  # a county without a jail has structural zeros
        shown = "; ".join(f"{LABELS[m].split(' (')[0]} ({measures.small_rule(m)})" for m in profile.small_measures)
        lines.append(
            f"**Few cases:** {county}'s estimates rest on too few cases to rank for: {shown}. "
            "Small is decided by the data of each measure, not by population: read these 95% intervals, "
            "which are wide, not the county's position among counties."
        )
    return lines


def _detainer_findings(profile: CountyProfile) -> list[str]:
    """Detainers lodged and their outcomes (or, for a county without a jail, what its records hold)."""
    lodged = measure_summary(profile, "detainers_lodged")
    period = period_text(profile.period.start.isoformat(), profile.period.end.isoformat())
    if profile.host is not None:
        arrests = measure_summary(profile, "jail_arrests")
        headcount = measure_summary(profile, "mean_daily_ice_headcount")
        return [
            f"Accordingly these records hold {counted(lodged['estimate'], 'detainer')} at a {esc(profile.county)} "
            f"sheriff facility ({period}), {counted(arrests['estimate'], 'ICE arrest')} at its jails "
            f"({arrests['period_start']} to {arrests['period_end']}) and a mean of "
            f"{fmt_num(headcount['estimate'], 1)} ICE detainees per day "
            f"({headcount['period_start']} to {headcount['period_end']})."
        ]
    if not lodged["estimate"] > 0:
        return [
            f"ICE lodged no detainer at the sheriff's facilities from {period} in these records, so the "
            "custody, decline and unresolved shares cannot be computed for this county."
        ]
    rate = measure_summary(profile, "detainers_per_100k")
    return [
        f"From {period}, ICE lodged {counted(lodged['estimate'], 'detainer')} at the sheriff's facilities: "
        f"{fmt_value('detainers_per_100k', rate['estimate'], rate['ci_low'], rate['ci_high'])} per "
        f"100,000 residents{residents_text(profile)}, against a state pool of "
        f"{fmt_value('detainers_per_100k', rate['state'])} "
        f"for all sheriff facilities ({comparison_text(rate)}).",
        _custody_sentence(profile),
        _unresolved_sentence(profile),
        _decline_sentence(profile),
    ]


def _custody_sentence(profile: CountyProfile) -> str:
    measure = custody_measure(profile)
    custody = measure_summary(profile, measure)
    if pd.isna(custody["estimate"]):
        return (
            "None of the county's detainers has an outcome recorded, so no custody share among resolved "
            "detainers can be computed."
        )
    of = "resolved detainers (those with an outcome recorded)" if measure.endswith("resolved") else "detainers"
    if custody["denominator"] == 1:
        of = of.replace("detainers", "detainer")
    estimate = fmt_value(measure, custody["estimate"], custody["ci_low"], custody["ci_high"])
    return (
        f"ICE recorded taking custody ('Booked into Detention') for {fmt_num(custody['numerator'])} of "
        f"{fmt_num(custody['denominator'])} {of}: {estimate}, "
        f"against a state pool of {fmt_pct(custody['state'])} ({comparison_text(custody)})."
    )


def _unresolved_sentence(profile: CountyProfile) -> str:
    unresolved = measure_summary(profile, "unresolved_share")
    verb = "has" if unresolved["numerator"] == 1 else "have"
    return (
        f"{fmt_num(unresolved['numerator'])} of {counted(unresolved['denominator'], 'detainer')} "
        f"({fmt_pct(unresolved['estimate'])}) {verb} no outcome recorded at all (state pool "
        f"{fmt_pct(unresolved['state'])}): what happened to them is not known."
    )


def _decline_sentence(profile: CountyProfile) -> str:
    measure = decline_measure(profile)
    declines = measure_summary(profile, measure)
    what = (
        counted(
            declines["numerator"], "decline or release without a transfer", "declines or releases without a transfer"
        )
        if measure.endswith("broad")
        else counted(declines["numerator"], "decline by the jail", "declines by the jail")
    )
    return (
        f"ICE recorded {what}: {fmt_value(measure, declines['estimate'], declines['ci_low'], declines['ci_high'])}, "
        f"against a state pool of {fmt_pct(declines['state'])}. This is a lower bound: ICE records only the "
        "declines it learns of."
    )


def residents_text(profile: CountyProfile) -> str:
    """Whose residents are the denominator of the jail measures, when not only the county's own."""
    if profile.served == [profile.county]:
        return ""
    return (
        f" (residents of {' and '.join(esc(county) for county in profile.served)} counties, whose prisoners the "
        "sheriff's jails hold: counties.csv prisoners_held_in)"
    )


def _jail_arrest_sentence(profile: CountyProfile) -> str:
    """ICE arrests at the county's jails: the count as placed, its sensitivity range and the rate."""
    arrests = measure_summary(profile, "jail_arrests")
    rate = measure_summary(profile, "jail_arrests_per_100k")
    moves = pd.notna(arrests["range_low"]) and arrests["range_low"] != arrests["range_high"]
    count_range = (
        f"; sensitivity range {fmt_num(arrests['range_low'])} to {fmt_num(arrests['range_high'])} with ambiguous "
        "landmarks left out or unplaced ones naming a place with its jail counted in"
        if moves
        else "; no ambiguous landmark touches this count"
    )
    rate_range = f", range {fmt_num(rate['range_low'], 1)} to {fmt_num(rate['range_high'], 1)}" if moves else ""
    return (
        f"ICE recorded {counted(arrests['estimate'], 'arrest')} at the sheriff's jails from {arrests['period_start']} "
        f"to {arrests['period_end']} (pooled{count_range}): "
        f"{fmt_value('jail_arrests_per_100k', rate['estimate'], rate['ci_low'], rate['ci_high'])} per 100,000 "
        f"residents{residents_text(profile)} per year{rate_range}, against a state pool of "
        f"{fmt_value('jail_arrests_per_100k', rate['state'])} ({comparison_text(rate)}). Arrest places come from "
        "free text, so misplacement can raise or lower the count; residents stand in for the jail population "
        "(no bookings source is used)."
    )


def _other_facilities_sentence(profile: CountyProfile) -> str:
    others = profile.other_facilities
    kinds = [OPERATOR_PLURAL.get(kind, kind) for kind in sorted(set(others["operator_type"]))]
    other_arrests = int(others["ice_arrests"].sum())
    arrests = f", and ICE recorded {counted(other_arrests, 'arrest')} at them" if other_arrests else ""
    return (
        f"Facilities located in {esc(profile.county)} County but not run by its sheriff ({', '.join(kinds)}) "
        f"received {counted(int(others['detainers'].sum()), 'detainer')} in the same period{arrests}; they are "
        "listed apart and never counted in the county's numbers." + _state_police_note(profile)
    )


def _state_police_note(profile: CountyProfile) -> str:
    """State Police detainers in the county are a state agency's, never the sheriff's cooperation."""
    state_police = profile.other_facilities[profile.other_facilities["operator_type"] == "state_police"]
    detainers = int(state_police["detainers"].sum())
    if not detainers:
        return ""
    return (
        f" {counted(detainers, 'detainer was', 'detainers were')} lodged with the Massachusetts State Police "
        f"({esc('; '.join(sorted(state_police['facility_name'])))}), a state agency: they are not cooperation by "
        f"the {esc(profile.county_row['sheriff_office'])} and are not in its measures."
    )


def _lunn_sentence(profile: CountyProfile) -> str:
    period = period_text(profile.period.start.isoformat(), profile.period.end.isoformat())
    lunn = timeline_row(KEY_EVENTS["lunn"])
    return (
        f"The detainer outcomes ({period}) predate Lunn v. Commonwealth ({lunn['date']}), after which "
        "Massachusetts law gives officers no authority to hold anyone on an ICE detainer alone (the sheriffs "
        "with 287(g) agreements said their ICE-trained officers still could; see Methodology): they "
        "describe practice then, not now."
    )


def _detention_sentence(profile: CountyProfile) -> str:
    headcount = measure_summary(profile, "mean_daily_ice_headcount")
    held = profile.sheriff_facilities[profile.sheriff_facilities["detention_days"] > 0]
    if held.empty:
        cover = measures.ICE_DETENTION_DAILY
        text = (
            f"The daily ICE detention records ({cover.start} to {cover.end}) show no ICE detainee held in the "
            "sheriff's facilities"
        )
    else:
        first = held["first_day"].min().date().isoformat()
        last = held["last_day"].max().date().isoformat()
        days = int(profile.years["detention_days"].fillna(0).sum())
        text = (
            f"ICE detainees were held in the sheriff's facilities on {counted(days, 'day')} between {first} and "
            f"{last} (records before {UNDERCOUNT_BEFORE.isoformat()} undercount); {_fiscal_year_peak(profile)} "
            f"(mean over {headcount['period_start']} to {headcount['period_end']}, the complete records: "
            f"{fmt_mean(headcount['estimate'])} per day; see the year table)"
        )
    return text + _year_end_adp_text(profile.adp) + "."


def _year_end_adp_text(adp: pd.DataFrame) -> str:
    """ICE's year-end ADP of the latest fiscal year listing any of the sheriff's facilities."""
    listed = adp[adp["adp_total"] > 0]
    first_fy, last_fy = int(adp["fiscal_year"].min()), int(adp["fiscal_year"].max())
    if listed.empty:
        return (
            f"; ICE's year-end statistics FY{first_fy}-FY{last_fy} "
            "list none of its facilities (not listed, which is not the same as none held)"
        )
    latest = listed.iloc[-1]
    latest_fy = int(latest["fiscal_year"])
    text = (
        f"; ICE's year-end statistics give an average daily population of {fmt_num(latest['adp_total'], 1)} "
        f"in FY{latest_fy}, the latest year listing any of its facilities"
    )
    if latest_fy < last_fy:
        after = latest_fy + 1
        text += f" (none listed in FY{after}" + (f"-FY{last_fy})" if after < last_fy else ")")
    return text


def _fiscal_year_peak(profile: CountyProfile) -> str:
    """The per-fiscal-year panel in words: the peak fiscal year of the complete records and the last with any."""
    years = profile.years
    complete = years[years["undercount"].map(lambda value: value is False) & years["mean_daily"].notna()]
    held = complete[complete["mean_daily"] > 0]
    if held.empty:
        return f"by fiscal year, none was held from FY{UNDERCOUNT_BEFORE.year + 1} on"
    peak = held.sort_values(["mean_daily", "year"], ascending=[False, True]).iloc[0]
    return (
        f"by fiscal year, the mean held per day peaked at {fmt_mean(peak['mean_daily'])} in FY{int(peak['year'])} "
        f"and the last fiscal year with any was FY{int(held['year'].max())}"
    )


def _agreement_sentence(profile: CountyProfile) -> str:
    """Operational 287(g) years (the count the reports use) and, apart, paper-only years."""
    years = profile.years
    operational = years.loc[years["agreement_287g"].fillna(False).astype(bool), "year"].tolist()
    paper = years.loc[years["agreement_287g_paper"].fillna(False).astype(bool), "year"].tolist()
    span = f"{int(years['year'].min())}-{int(years['year'].max())}"
    paper_text = (
        f" An earlier agreement existed on paper only in {year_ranges(paper)} (signed and on ICE's lists, "
        f"never operated): {counted(len(paper), 'paper year')}, not counted as operational."
        if paper
        else ""
    )
    if operational:
        return (
            f"The sheriff's 287(g) agreement was operational in {year_ranges(operational)} "
            f"({fmt_num(len(operational))} of the years {span}; the reports count operational years: a calendar "
            "year counts when the agreement was in force and operating for at least part of it, as the "
            "methodology section says)." + paper_text
        )
    if paper:
        return f"No operational 287(g) agreement is recorded for this sheriff in {span}." + paper_text
    return f"No 287(g) agreement is recorded for this sheriff in {span}."


def sheriff_sentence(profile: CountyProfile) -> str:
    """The sheriff in office and the 2022 sheriff race (uses only `sheriffs` and `covariates`)."""
    in_office = profile.sheriffs[profile.sheriffs["term_end"] == ""]
    covariates = profile.covariates.set_index("variable")
    parts = []
    if len(in_office):
        sheriff = in_office.iloc[-1]
        how = f", {sheriff['how_started']}" if sheriff["how_started"] else ""
        parts.append(
            f"The sheriff since {sheriff['term_start']} is {esc(sheriff['sheriff_name'])} "
            f"({PARTY_NAMES.get(sheriff['party'], sheriff['party'])}{how})"
        )
    share = covariates.loc["sheriff_2022_winner_share", "value"]
    contested = covariates.loc["sheriff_2022_contested", "value"]
    if pd.notna(share):
        race = "contested" if contested == 1 else "uncontested"
        parts.append(
            f"the 2022 sheriff race was {race} ({CONTESTED_RULE}; county_covariates); the winner had "
            f"{fmt_pct(share)} of the votes (MEDSL certified precinct sums)"
        )
    return "; ".join(parts) + "." if parts else "No sheriff in office is recorded for this county."
