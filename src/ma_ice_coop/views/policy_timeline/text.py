"""The generated prose of the policy-timeline notebook besides the key findings: section notes and limitations."""

from __future__ import annotations

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.analysis.events import lunn_287g_text, reference_row
from ma_ice_coop.present.report import bullet_list, fmt_num
from ma_ice_coop.present.text import join_words, md_literal, md_source_links
from ma_ice_coop.views.policy_timeline.data import MIN_CONTRACT_DAYS, PolicyTimeline
from ma_ice_coop.views.policy_timeline.findings import its_finding
from ma_ice_coop.views.policy_timeline.summaries import WINDOW_MONTHS


def headcount_text(timeline: PolicyTimeline) -> str:
    facilities = timeline.facilities
    is_contract = facilities["facility_code"].isin(timeline.contract_codes)
    contract, few = facilities[is_contract], facilities[~is_contract]
    jails = join_words([f"{row.county} ({row.facility_code})" for row in contract.itertuples()], empty="none")
    lines = [
        f"Sheriff-run facilities with ICE detainees on at least {MIN_CONTRACT_DAYS} days (county jails that "
        f"rented beds to ICE): {jails}."
    ]
    if len(few):
        lines.append(
            "Other sheriff-run facilities held ICE detainees on only a few days: "
            + join_words(
                [
                    f"{row.county} {row.days} days ({row.first_day.date()}..{row.last_day.date()})"
                    for row in few.itertuples()
                ],
                empty="none",
            )
            + "."
        )
    lines.append(
        f"Days before {timeline.complete_from.date()} undercount (only stays recorded from then on are in the "
        f"data); the series ends on {timeline.coverage.end}. The headcount is therefore read per fiscal year (the "
        "table below), not as one mean over the whole series, which would mix undercounted years with "
        "complete ones."
    )
    return bullet_list(lines)


def its_text(timeline: PolicyTimeline) -> str:
    summary = timeline.summary
    window_start, window_end = summary.window
    first_complete, last_complete = timeline.complete_months
    lines = [
        f"Series: monthly mean of the daily ICE headcount in {summary.series_label}, complete months only "
        f"({first_complete:%Y-%m} to {last_complete:%Y-%m}), within {WINDOW_MONTHS} months of "
        "the event" + (f" ({window_start:%Y-%m} to {window_end:%Y-%m})." if window_start <= window_end else ".")
    ]
    if summary.its_reason:
        lines.append(f"No interrupted time series for this event: {summary.its_reason}.")
    else:
        lines.append(its_finding(timeline))
    if not summary.contract_ended or not summary.its_reason:
        lines.append(f"Model note: {md_literal(summary.its.note)}")
    return bullet_list(lines)


def declines_text(timeline: PolicyTimeline) -> str:
    state = timeline.declines_state
    first_year, last_year = int(state["year"].min()), int(state["year"].max())
    last_end = state.loc[state["year"] == last_year, "period_end"].iloc[0]
    lines = [
        f"Recorded declined detainers per sheriff facility-year, {first_year}-{last_year} (the last year ends "
        f"{last_end}); statewide {fmt_num(state['numerator'].sum())} recorded declines in "
        f"{fmt_num(state['denominator'].sum())} facility-years. A facility-year absent from ICE's table had none; "
        "declines are a lower bound, since ICE recorded only the declines it learned of."
    ]
    if not first_year <= timeline.date.year <= last_year:
        lines.append(
            f"{timeline.event.label} ({timeline.row['date']}) is outside {first_year}-{last_year}: "
            "these data say nothing about it."
        )
    return bullet_list(lines)


def fy2015_context() -> str:
    """Why the FY2015 detainer records are not a typical pre-Lunn year (dates from timeline rows, cited)."""
    period = measures.FY2015_DETAINERS
    secure_communities, trust = reference_row("secure_communities_end"), reference_row("boston_trust_2014")
    return (
        f"That window ({period.start}..{period.end}) straddles the end of Secure Communities and the start of the "
        f"Priority Enforcement Program ({secure_communities['date']}, source: "
        f"{md_source_links(secure_communities['source_url'])}) and follows Boston's Trust "
        f"ordinance ({trust['date']}, source: {md_source_links(trust['source_url'])}): it is not a typical pre-Lunn "
        "year. Detainers prepared shortly before its cut-off may still have been pending when the records were "
        "cut (blank outcomes by prepare month are in the data and coverage report)."
    )


def limitations(timeline: PolicyTimeline) -> str:
    period = measures.FY2015_DETAINERS
    lines = [
        lunn_287g_text(md_source_links) + " Lunn does not act on those bed contracts.",
        "The ICE detention headcount counts people ICE held in sheriff-run jails under bed contracts; it measures "
        "the contracts, not detainers, and a fall to zero after a contract ends is by construction. Days before "
        f"{timeline.complete_from.date()} undercount (only stays recorded from then on are in the data) and the "
        f"series ends on {timeline.coverage.end}.",
        f"The core data hold per-county detainer outcomes only for {period.start}..{period.end}: none after that, in "
        "particular none for the years of Lunn, the 287(g) agreements and the contract ends, so no event here can "
        "be measured as detainers honoured or declined. " + fy2015_context(),
        f"Interrupted time series: fitted on the monthly mean of the daily headcount, complete months only, within "
        f"{WINDOW_MONTHS} months of the event, and only with at least {models.MIN_POINTS_PER_SEGMENT} months on each "
        "side; never on a facility series that is zero by construction after the event (an ICE contract that "
        "ended), where the observed series is shown instead. The headcount counts people ICE held under bed "
        "contracts, so around an event that does not act on those contracts (Lunn, 287(g) agreements, elections) "
        "the model describes the series and is not a test of the event's effect. The level change is measured "
        "against the earlier trend continued, which is an assumption; other events inside the window are named "
        "and not separated; HAC intervals are optimistic on short autocorrelated series.",
        "Recorded declines are a lower bound (ICE recorded only the declines it learned of) and are very few per "
        "year; ICE's year-end workbooks can leave out a facility ICE used for part of a year, so a facility not "
        "listed is not the same as zero; the 287(g) panel marks operational years "
        f"({measures.OPERATIONAL_287G_RULE}).",
        "Dates and wording of events come from data/reference/policy_timeline.csv with a source link per event; "
        "month- or year-precision dates are placed at the first day of the month or year.",
        "Per-county measures concern sheriff-run facilities only; the state DOC is shown apart and never counted "
        "in a county.",
    ]
    return bullet_list(lines)
