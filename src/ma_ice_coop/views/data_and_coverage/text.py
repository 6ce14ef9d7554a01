"""Generated text: key findings, outcomes and censoring, what cannot be known, and limitations."""

from __future__ import annotations

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import bullet_list, fmt_num, fmt_pct
from ma_ice_coop.present.text import label_ids
from ma_ice_coop.views.data_and_coverage.compute import DataCoverage
from ma_ice_coop.views.data_and_coverage.formatting import (
    day_text,
    fiscal_years_label,
    measure_names,
    share_text,
    year_list,
)

# ----------------------------------------------------------------------------- key findings


def _inventory_sentence(coverage: DataCoverage) -> str:
    files = coverage.files
    build = files[files["use"] == "build"]
    return (
        f"The source registry lists {fmt_num(len(files))} input files from {files['source'].nunique()} source "
        f"folders. The build reads {fmt_num(len(build))} of them ({fmt_num((build['kind'] == 'original').sum())} "
        f"byte-identical originals, {fmt_num((build['kind'] == 'extract').sum())} Massachusetts extracts) from "
        f"{build['source'].nunique()} sources, each verified against its registered sha256 (or, for an extract "
        f"rebuilt online, its rows and values) before use; the other {fmt_num((files['use'] == 'check').sum())} "
        "are reference extracts that only tests compare with."
    )


def key_findings(coverage: DataCoverage) -> str:
    facts = coverage.facts
    fy_label = fiscal_years_label(facts)
    periods = "; ".join(
        f"{row.start} to {row.end} for {measure_names(row.measures)}" for row in coverage.measure_periods.itertuples()
    )
    lines = [
        _inventory_sentence(coverage),
        f"Each measure covers only its source's dates: {periods}.",
        f"Of the {fmt_num(facts['ma_detainers'])} ICE detainers recorded at Massachusetts facilities in "
        f"{fy_label}, {fmt_num(facts['ma_blank'])} ({share_text(facts['ma_blank'], facts['ma_detainers'])}) have a "
        f"blank lift reason, so what happened to them is unknown; at sheriff-run jails "
        f"{fmt_num(facts['sheriff_unresolved'])} of {fmt_num(facts['sheriff_detainers'])} "
        f"({share_text(facts['sheriff_unresolved'], facts['sheriff_detainers'])}). " + _last_month_sentence(coverage),
        _crosswalk_sentence(coverage),
        f"Main gaps: detainer outcomes exist only for {fy_label} ({day_text(facts['national_first'])} to "
        f"{day_text(facts['national_last'])}), so there is no per-county outcome series across "
        f"{coverage.event['label']} ({coverage.event['date']}); {fmt_num(facts['arrests_unplaced'])} of "
        f"{fmt_num(facts['arrests_total'])} ICE arrests "
        f"({share_text(facts['arrests_unplaced'], facts['arrests_total'])}) have a landmark that cannot be placed; "
        + "recorded declines are a lower bound; "
        + ("no non-citizen share; " if not facts["noncitizen_variables"] else "")
        + f"foreign-born share only for {year_list(facts['foreign_born_years']) or 'no year'}.",
    ]
    return bullet_list(lines)


def _last_month_sentence(coverage: DataCoverage) -> str:
    last = coverage.blank_by_month.iloc[-1]
    return (
        f"In the last, partial prepare month ({last['prepare month']}, records cut on "
        f"{measures.FY2015_DETAINERS.end}) {fmt_num(last['all MA: blank'])} of {fmt_num(last['all MA: detainers'])} "
        "are blank: detainers prepared shortly before the cut-off may still have been pending. The window is not "
        f"a typical pre-Lunn year: it straddles the end of Secure Communities "
        f"({coverage.context['secure_communities_end']['date']}, policy timeline) and follows Boston's Trust "
        f"ordinance ({coverage.context['boston_trust_2014']['date']}); see the outcomes section."
    )


def _crosswalk_sentence(coverage: DataCoverage) -> str:
    by_source = coverage.crosswalk.set_index("source")
    total = by_source.loc["all"]
    n_sources = len(by_source) - 1
    return (
        f"The facility crosswalk maps {fmt_num(total['facility'])} Massachusetts facility strings (name, city "
        f"or code as written) from {n_sources} source tables to {fmt_num(total['facilities reached'])} facilities; "
        f"{fmt_num(total['outside_ma'])} more strings are outside Massachusetts and "
        f"{fmt_num(total['unplaced'])} name no place that can be given."
    )


# ----------------------------------------------------------------------------- outcomes


def outcome_text(coverage: DataCoverage) -> str:
    facts = coverage.facts
    return bullet_list(
        [
            f"{fmt_num(facts['ma_detainers'])} detainers at Massachusetts facilities, prepared "
            f"{day_text(facts['ma_first'])} to {day_text(facts['ma_last'])}: {fmt_num(facts['sheriff_detainers'])} "
            f"at sheriff-run jails and {fmt_num(facts['other_detainers'])} at state prisons, federal sites, ICE "
            "offices and police lockups.",
            f"Blank lift reason (no outcome recorded): {fmt_num(facts['ma_blank'])} of "
            f"{fmt_num(facts['ma_detainers'])} ({share_text(facts['ma_blank'], facts['ma_detainers'])}); sheriff-run "
            f"jails {fmt_num(facts['sheriff_unresolved'])} "
            f"({share_text(facts['sheriff_unresolved'], facts['sheriff_detainers'])}), other facilities "
            f"{fmt_num(facts['other_unresolved'])} ({share_text(facts['other_unresolved'], facts['other_detainers'])})"
            ". They stay in every denominator: a share of all detainers can only be read together with this "
            "unresolved share.",
            f"Recorded declines: {fmt_num(facts['ma_declined'])}; ICE took custody: {fmt_num(facts['ma_custody'])}.",
            censoring_text(coverage),
            window_context_text(coverage),
        ]
    )


def censoring_text(coverage: DataCoverage) -> str:
    """Blank outcomes by prepare month: the last (partial) month against the earlier ones, and what it means."""
    months = coverage.blank_by_month
    cut = measures.FY2015_DETAINERS.end
    last, earlier = months.iloc[-1], months.iloc[:-1]
    low, high = earlier["all MA: blank share"].min(), earlier["all MA: blank share"].max()
    return (
        f"Blank outcomes by prepare month (table below): {fmt_pct(low)} to {fmt_pct(high)} of Massachusetts "
        f"detainers in each month from {earlier['prepare month'].iloc[0]} to {earlier['prepare month'].iloc[-1]}, "
        f"and {fmt_num(last['all MA: blank'])} of {fmt_num(last['all MA: detainers'])} "
        f"({fmt_pct(last['all MA: blank share'])}) in {last['prepare month']} (sheriff-run: "
        f"{fmt_num(last['sheriff-run: blank'])} of {fmt_num(last['sheriff-run: detainers'])}), the month of the "
        f"records' cut-off ({cut}). Detainers prepared shortly before the cut-off may still have been pending "
        "(right-censoring), so their blank says nothing yet about the outcome; earlier blanks can also be "
        "detainers still pending (for example on people still serving a sentence) or never papered: the records "
        "do not say which."
    )


def window_context_text(coverage: DataCoverage) -> str:
    """Why the FY2015 window is not a typical pre-Lunn year, citing the timeline rows."""
    window = measures.FY2015_DETAINERS
    secure_communities, trust = coverage.context["secure_communities_end"], coverage.context["boston_trust_2014"]
    event = coverage.event
    return (
        f"The window {window.start} to {window.end} straddles the end of Secure Communities and the start of the "
        f"Priority Enforcement Program ([{secure_communities['date']}]"
        f"({secure_communities['source_url'].split(' ; ')[0]})) and follows Boston's Trust "
        f"ordinance ([{trust['date']}]({trust['source_url'].split(' ; ')[0]})), both from "
        f"data/reference/policy_timeline.csv: it is not a typical year before {event['label']} ({event['date']})."
    )


# ----------------------------------------------------------------------------- what cannot be known


def _top_name(names: dict) -> str:
    """A clause naming the most common facility name among detainers with no state, if any."""
    if not names:
        return ""
    name, count = next(iter(names.items()))
    return f"; {fmt_num(count)} of them are named '{name}'"


def _outcome_unknowables(coverage: DataCoverage) -> list[str]:
    """What the detainer records cannot say: outcomes after FY2015, blanks, declines, unplaced detainers."""
    facts, event = coverage.facts, coverage.event
    fy_label = fiscal_years_label(facts)
    extended = facts["extended_releases"]
    return [
        f"**How outcomes changed after {fy_label}.** The only record-level detainer outcomes in the core data are "
        f"{fy_label} ({day_text(facts['national_first'])} to {day_text(facts['national_last'])}). The core build "
        f"has no per-county outcome panel after {day_text(facts['national_last'])}, through the years of the "
        f"287(g) agreements and the ICE contract endings, so custody and decline shares cannot be compared before "
        f"and after [{event['label']}]({event['source_url']}) ({event['date']})."
        + (
            f" Releases the project downloads and reads on request (`make extended`, not in this build): "
            f"{'; '.join(extended)}."
            if extended
            else ""
        ),
        f"**What happened to most Massachusetts detainers.** {fmt_num(facts['ma_blank'])} of "
        f"{fmt_num(facts['ma_detainers'])} ({share_text(facts['ma_blank'], facts['ma_detainers'])}) have a blank "
        "lift reason: still pending when the file was cut (most likely for detainers prepared shortly before the "
        "cut-off), or never papered. Recorded custody and decline counts are therefore lower bounds of what "
        "happened, and shares of resolved detainers assume the blanks resemble the rest.",
        f"**How many detainers were declined.** ICE records only the declines it learns of: "
        f"{fmt_num(facts['ma_declined'])} recorded declines in the {fy_label} Massachusetts records, and "
        f"{fmt_num(facts['declines_total'])} across {fmt_num(facts['declines_facility_years'])} Massachusetts "
        f"facility-years in the NPR table ({facts['declines_years'][0]}-{facts['declines_years'][1]}). Every "
        "decline count is a lower bound.",
        f"**Whether some unplaced national detainers were in Massachusetts.** {fmt_num(facts['no_state'])} of "
        f"{fmt_num(facts['national_detainers'])} detainers nationally "
        f"({share_text(facts['no_state'], facts['national_detainers'])}) have no facility state"
        f"{_top_name(facts['no_state_names'])}, so the Massachusetts count may miss some.",
    ]


def _covariate_unknowables(facts: dict) -> list[str]:
    """What the covariates cannot say: non-citizen share, foreign-born share between estimates."""
    noncitizen = facts["noncitizen_variables"]
    citizen = "; ".join(f"{label_ids(var)} ({year_list(years)})" for var, years in facts["citizen_years"].items())
    if noncitizen:
        noncitizen_line = f"**Non-citizen share.** Available as {', '.join(map(label_ids, noncitizen))}."
    else:
        noncitizen_line = (
            "**Non-citizen share.** No county non-citizen share is in the data"
            + (f"; the nearest {'is' if len(facts['citizen_years']) == 1 else 'are'} {citizen}" if citizen else "")
            + "."
        )
    return [
        noncitizen_line,
        f"**Foreign-born share between estimates.** Only for {year_list(facts['foreign_born_years']) or 'no year'} "
        f"({'; '.join(facts['foreign_born_vintages'])}); any other year reuses the latest earlier estimate.",
    ]


def _detention_and_arrest_unknowables(facts: dict) -> list[str]:
    """What headcounts before full coverage and free-text arrest landmarks cannot say."""
    before_share = share_text(facts["detention_person_days_before"], facts["detention_person_days"])
    return [
        f"**ICE detention before {day_text(facts['detention_full_start'])}.** Headcounts are built from stays "
        f"recorded from that date on, so the {fmt_num(facts['detention_days_before'])} facility-days before it "
        f"({fmt_num(facts['detention_person_days_before'])} person-days, {before_share} of all person-days) "
        "undercount by an unknown amount.",
        f"**Where ICE made many of its arrests.** Apprehension landmarks are free text: "
        f"{fmt_num(facts['arrests_unplaced'])} of {fmt_num(facts['arrests_total'])} arrests in the Boston area of "
        f"responsibility ({share_text(facts['arrests_unplaced'], facts['arrests_total'])}, "
        f"{fmt_num(facts['landmarks_unplaced'])} landmarks) cannot be placed in any county or state; "
        f"{fmt_num(facts['arrests_sheriff'])} are placed at Massachusetts sheriff-run jails. Misplaced landmarks "
        "can raise as well as lower a jail's count, so per-jail counts carry a sensitivity range rather than a "
        "one-sided bound; unplaced arrests are counted, not treated as zero.",
        f"**When arrests at jails happened.** Each landmark has one count pooled over "
        f"{day_text(facts['arrest_start'])} to {day_text(facts['arrest_end'])} with no years, so arrests at jails "
        "cannot be compared before and after any event, and have no link to detainers.",
    ]


def _policy_unknowables(facts: dict) -> str:
    categories = ", ".join(
        f"{fmt_num(count)} {category.replace('287g', '287(g)').replace('_', ' ')}"
        for category, count in sorted(facts["timeline_categories"].items(), key=lambda item: (-item[1], item[0]))
    )
    return (
        f"**Legal and policy questions.** Whether non-cooperation has legal consequences, how people are "
        "notified, what due process applies and how officers are trained are not in these records. The project "
        f"answers them with dated, sourced facts: its policy timeline has {fmt_num(facts['timeline_events'])} events "
        f"({categories}); see the policy timeline and common questions reports."
    )


def unknowables(coverage: DataCoverage) -> str:
    facts = coverage.facts
    return bullet_list(
        _outcome_unknowables(coverage)
        + _covariate_unknowables(facts)
        + _detention_and_arrest_unknowables(facts)
        + [_policy_unknowables(facts)]
    )


def limitations(coverage: DataCoverage) -> str:
    return bullet_list(
        [
            "The inventory comes from the source registry (data/sources.yaml). This notebook does not re-hash the "
            "files: the fetch step verifies every build input before it is cached, and a processed table is "
            "written only after its schema check passes.",
            "Coverage bars are the coverage constants the measures enforce (ma_ice_coop.analysis.measures); the "
            "table beside them shows the first and last dates the processed tables actually hold, so the two can "
            "be compared. Covariates are drawn at each year with a value (elections at their date, other values at "
            "mid-year; an ACS 5-year estimate is placed at its last year).",
            "Missing = share of rows with no value. In the long covariate panel an absent county-year-variable is "
            "not a row at all; the covariate table lists the years each variable has.",
            "Detainer outcomes: blank lift reasons are a category of their own, never dropped; 'declined' counts "
            "only declines ICE recorded. Blanks are also shown by prepare month, because detainers prepared shortly "
            "before the records' cut-off may still have been pending (right-censoring).",
            "Unit: facilities, rolled up to the county whose elected sheriff runs them; DOC prisons, federal sites, "
            "ICE offices, police lockups and courts are shown separately and never counted in a county.",
            "Arrests come from the whole Boston area of responsibility (New England), so unplaced landmarks may be in "
            "any New England state.",
        ]
    )
