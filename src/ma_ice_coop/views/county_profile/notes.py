"""The county profile's notes around its tables: what the measures table shows, what the facility tables count,
how to read the covariates, and the limitations."""

from __future__ import annotations

from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.events import lunn_287g_text
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import counted, esc, md_source_links, period_text
from ma_ice_coop.views.county_profile.compute import CountyProfile, measure_summary
from ma_ice_coop.views.county_profile.labels import LABELS, OPERATOR_LABELS, UNDERCOUNT_BEFORE


def measures_intro(profile: CountyProfile) -> str:
    period = period_text(profile.period.start.isoformat(), profile.period.end.isoformat())
    others = sorted(
        {
            (measure_summary(profile, m)["period_start"], measure_summary(profile, m)["period_end"], m)
            for m in profile.measure_ids
            if m not in measures.DETAINER_MEASURES
        }
    )
    other_text = "; ".join(f"{LABELS[m]}: {start} to {end}" for start, end, m in others)
    return (
        f"The period parameters ({period}) apply to the detainer measures. The other measures use their "
        f"default periods (the coverage of their sources): {other_text}. The state column pools all 14 counties' "
        "sheriff-run facilities; the rank counts only counties with an estimate (1st = highest), and where intervals "
        "overlap it gives every rank the 95% interval allows (from 1 + the counties whose interval lies wholly "
        "above, to the counties whose interval does not lie wholly below). "
        "Shares carry Jeffreys 95% intervals, counts and rates exact Poisson intervals; administrative counts "
        "(ICE headcounts, agreement years) are complete and carry none."
    )


def facilities_text(profile: CountyProfile) -> str:
    lines = []
    sheriff_facilities = profile.sheriff_facilities
    total = int(sheriff_facilities["detainers"].sum()) if len(sheriff_facilities) else 0
    lodged = measure_summary(profile, "detainers_lodged")["estimate"]
    where = "The sheriff's facilities above" if len(sheriff_facilities) else "The sheriff's facilities (none)"
    lines.append(
        f"{where} received {counted(total, 'detainer')} in the period; the county's detainers-lodged "
        f"measure is {fmt_num(lodged)}: the same records."
    )
    if len(profile.others_without_records):
        parts = ", ".join(
            f"{fmt_num(count)} {OPERATOR_LABELS.get(kind, kind)}"
            for kind, count in profile.others_without_records.items()
        )
        lines.append(
            f"Other facilities located in {esc(profile.county)} County in the crosswalk with no detainer, ICE "
            f"arrest or ICE detainee in these records: {parts}."
        )
    lines.append(
        "The facilities below are in the county but not run by its sheriff: state prisons (DOC), federal "
        "sites, ICE offices, police lockups, courts and others. They are never counted in the county's "
        "measures."
    )
    return bullet_list(lines)


def covariates_note(profile: CountyProfile) -> str:
    return bullet_list(
        [
            "The middle column is the median of the 14 counties, not a statewide figure. Votes are shares of all votes "
            "cast for any candidate; demographic shares come from the Census and ACS vintages named in each row.",
            "With 14 counties these are context, not explanations: a county's politics or demographics do not show why "
            "its sheriff's jails cooperate more or less with ICE (see the politics and demographics report).",
        ]
    )


def _unlisted_years_note(profile: CountyProfile) -> str:
    """Fiscal years in which the daily records show ICE detainees in the county's jails but ICE's year-end
    workbook lists none of them (computed from the year table)."""
    years = profile.years
    gaps = years[(years["detention_days"] > 0) & (years["adp_year_end"] == 0)]
    if gaps.empty:
        return ""
    listed = ", ".join(f"FY{int(year)}" for year in gaps["year"])
    return (
        f" (here: {listed}, when the daily records show ICE detainees in {esc(profile.county)}'s jails but the "
        "workbook lists none)"
    )


def limitations(profile: CountyProfile) -> str:
    unresolved, total = profile.state_unresolved
    unplaced, all_arrests = profile.unplaced_arrests
    lines = [
        f"Unit: the facilities run by the {esc(profile.county_row['sheriff_office'])} (facilities.csv, "
        "`sheriff_county_fips`). State prisons (DOC), federal sites, ICE offices, police lockups and courts located "
        "in the county are listed apart and never counted in its measures.",
        lunn_287g_text(md_source_links) + " The detainer outcomes here (FY2015) predate it.",
        f"Blank outcomes: {fmt_num(unresolved)} of {fmt_num(total)} detainers at sheriff facilities in the period "
        f"({fmt_pct(unresolved / total) if total else '–'}) have no lift reason recorded. Shares of all detainers "
        "therefore understate every outcome; shares of resolved detainers rest on few records.",
        "Declines are a lower bound: ICE records only the declines it learns of. The broad definition also counts "
        "releases without a transfer (a sensitivity check, not a measured refusal).",
        f"ICE arrests at jails come from free-text apprehension landmarks pooled over the whole period, with no dates, "
        f"and {fmt_num(unplaced)} of the {fmt_num(all_arrests)} Boston-area arrests cannot be placed at any facility "
        "(counted as unplaced, not zero). Misplacement can raise or lower a jail's count, so each count has a "
        "sensitivity range (ambiguous landmarks left out at its low end, put in at its high end), and a county is "
        "said to lie above or below the state pool only if its interval does so across that range.",
        f"Jail measures per resident (detainers and ICE arrests per 100,000): {measures.JAIL_RESIDENTS}.",
        f"ICE detention headcounts are headlined per fiscal year and over {measures.DETENTION_COMPLETE.start} to "
        f"{measures.DETENTION_COMPLETE.end} (complete records), never as one mean mixing the undercounted years.",
        f"287(g): the reports count operational years ({measures.OPERATIONAL_287G_RULE}).",
        f"ICE detention headcounts are built from stays recorded from {UNDERCOUNT_BEFORE.isoformat()} on, so earlier "
        "days undercount. ICE's year-end workbooks list the facilities ICE reported in them: a facility ICE used for "
        "part of a year can be missing, so 'not listed' is not zero" + _unlisted_years_note(profile) + ".",
        "There is no per-county detainer outcome panel for 2016-2022 in the core data: the detainer measures cannot "
        "show change over time, before and after Lunn, or after the 2022 elections.",
        "Ranks are of point estimates among counties with an estimate; with intervals this wide most counties cannot "
        f"be told apart, and estimates resting on few cases are not ranked (small by data: shares with "
        f"{measures.small_rule('custody_share')}, counts and rates with {measures.small_rule('recorded_declines')}).",
    ]
    if profile.host:
        lines.append(
            f"{esc(profile.county)} has no jail: its sheriff measures are zero or blank by construction, and its "
            f"people held in jail appear in {esc(profile.host)} County's records."
        )
    return bullet_list(lines)
