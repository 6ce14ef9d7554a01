"""The 'Policy events and what the data show around them' notebook: tables, figures and generated text.

One key event (``ma_ice_coop.analysis.events.KEY_EVENTS``) is chosen; every dated fact comes from
data/reference/policy_timeline.csv and every number from the processed tables, so the notebook holds
no hand-typed figures. The measures that have a time axis are shown against the events:

- the daily ICE detention headcount in the sheriff-run jails that rented beds to ICE
  (``ice_detention_daily``; days before 2011-10-01 undercount);
- recorded declined detainers per sheriff facility-year (``measures.recorded_decline_measures``);
- the 287(g) agreement panel (``agreements_287g_years``);
- ICE's year-end detention statistics (``ice_detention_fy``).

An interrupted time series (``models.interrupted_time_series``) is fitted on the monthly mean daily
headcount of the event's series only where the headcount is complete on enough months on both
sides of the event, and never on a series that is zero by construction after the event (a facility
whose ICE contract ended: the descriptive series is shown instead); otherwise the notebook says why
there is none. The headcount counts people ICE held under bed contracts, so around an event that
does not act on those contracts (Lunn, 287(g), elections) the model only describes the series and is
labelled "not a test of the event's effect"; other timeline events inside its window are named.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.analysis.events import (
    KEY_EVENTS,
    KeyEvent,
    contract_end_rows,
    event_timestamp,
    key_event,
    last_day_in_ice_records,
    lunn_287g_text,
    not_a_test_reason,
    reference_row,
    timeline_row,
)
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_num, html_table

WINDOW_MONTHS = 24
"""Months on each side of an event that count as 'around' it (data availability and the ITS window)."""

COMPARE_MONTHS = 12
"""Months on each side of an event for the plain before/after means of the headcount."""

MIN_CONTRACT_DAYS = 365
"""A sheriff facility with ICE detainees on at least this many days is shown as a county jail with an ICE
contract (the others held ICE detainees on a handful of days)."""

NEARBY_MONTHS = 3
"""A facility whose last day with ICE detainees is this close to the event had its contract end then."""

CATEGORY_ORDER = (
    "federal_action",
    "court_ruling",
    "287g_start",
    "287g_end",
    "detention_contract_end",
    "policy",
    "election",
)
CATEGORY_LABELS = {
    "federal_action": "federal action",
    "court_ruling": "court ruling",
    "287g_start": "287(g) start",
    "287g_end": "287(g) end",
    "detention_contract_end": "ICE contract end",
    "policy": "sheriff policy",
    "election": "sheriff election",
}
LEVEL_WHO = {"federal": "federal government", "state": "state", "county": "all sheriffs", "city": "city"}

HEADCOUNT_SOURCE = "UWCHR ice-detain daily headcounts (ICE ERO LESA FOIA 2022-ICFO-09022), sheriff-run facilities"
TIMELINE_SOURCE = "data/reference/policy_timeline.csv (one source link per event)"
EVENT_COLOR = plots.PALETTE["black"]
EVENT_DASH = (0, (4, 2))
UNDERCOUNT_FILL = "#EDEDED"


# --------------------------------------------------------------------------------------------
# Data


@dataclass
class EventSummary:
    """What the data hold around one key event."""

    event: KeyEvent
    date: pd.Timestamp
    row: pd.Series
    series_label: str
    its: models.ItsResult
    its_reason: str  # blank when the model was fitted
    not_a_test: str  # why a fitted model is not a test of the event's effect (blank if the event acts on it)
    window: tuple[pd.Timestamp, pd.Timestamp]  # first and last month given to the model
    contract_ended: bool  # the series' facility stopped holding ICE detainees at about the event
    last_day: pd.Timestamp | None  # last day with ICE detainees in the series (facility series only)
    availability: pd.DataFrame  # source, coverage, before, after


@dataclass
class PolicyTimeline:
    event: KeyEvent
    date: pd.Timestamp
    row: pd.Series
    timeline: pd.DataFrame  # the events shown, numbered (plots.timeline_events)
    daily: pd.DataFrame  # date x facility code (+ "statewide"), zero-filled, sheriff facilities only
    monthly: pd.DataFrame  # month x the same columns: mean daily headcount
    facilities: pd.DataFrame  # sheriff facilities with ICE detainees: code, names, county, days, first, last
    contract_codes: list[str]
    coverage: measures.Period  # the daily headcount's coverage
    complete_from: pd.Timestamp  # first day with a complete headcount
    complete_months: tuple[pd.Timestamp, pd.Timestamp]  # first and last complete month
    declines: pd.DataFrame  # recorded_declines rows per county and calendar year (2008-2015)
    declines_state: pd.DataFrame  # the same pooled over the state, per year
    panel: pd.DataFrame  # agreements_287g_years
    year_end: pd.DataFrame  # ice_detention_fy rows of sheriff facilities
    summary: EventSummary  # the chosen event
    summaries: list[EventSummary]  # every key event, in KEY_EVENTS order


def compute(event: str) -> PolicyTimeline:
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.facilities import load_facilities
    from ma_ice_coop.tables.loaders.ice_detention import FULL_COVERAGE_START
    from ma_ice_coop.tables.reference import load_policy_timeline

    chosen = key_event(event)
    timeline = load_policy_timeline()
    facilities_ref = load_facilities()
    names = _county_names()

    daily_raw = read_processed("ice_detention_daily")
    sheriff = daily_raw[daily_raw["operator_type"] == "sheriff"]
    coverage = measures.ICE_DETENTION_DAILY
    daily = _daily_grid(sheriff, coverage)
    monthly = daily.resample("MS").mean()
    facilities = _facility_table(sheriff, facilities_ref, names)
    contract_codes = facilities.loc[facilities["days"] >= MIN_CONTRACT_DAYS, "facility_code"].tolist()
    complete_from = pd.Timestamp(FULL_COVERAGE_START)
    end = pd.Timestamp(coverage.end)
    last_complete = end.to_period("M").start_time if end.is_month_end else (end.to_period("M") - 1).start_time
    first_complete = complete_from.to_period("M").start_time
    if first_complete < complete_from:
        first_complete = (complete_from.to_period("M") + 1).start_time

    declines_all = measures.recorded_decline_measures(read_processed("facility_year_declines"), facilities_ref)
    declines, declines_state = _decline_tables(declines_all)
    panel = read_processed("agreements_287g_years")
    fy = read_processed("ice_detention_fy")
    year_end = fy[fy["operator_type"] == "sheriff"].sort_values(["fiscal_year", "facility_name"], ignore_index=True)

    selection = timeline_selection(timeline, names)
    numbered = plots.timeline_events(selection, start=_year_start(selection), end=_year_end(selection))

    context = dict(
        daily=daily,
        monthly=monthly,
        facilities=facilities,
        coverage=coverage,
        sheriff=sheriff,
        complete_from=complete_from,
        complete_months=(first_complete, last_complete),
    )
    summaries = [_event_summary(e, timeline, context) for e in KEY_EVENTS.values()]
    summary = next(s for s in summaries if s.event.key == chosen.key)
    return PolicyTimeline(
        chosen,
        summary.date,
        summary.row,
        numbered,
        daily,
        monthly,
        facilities,
        contract_codes,
        coverage,
        complete_from,
        (first_complete, last_complete),
        declines,
        declines_state,
        panel,
        year_end,
        summary,
        summaries,
    )


def _county_names() -> dict[str, str]:
    from ma_ice_coop.tables.reference import county_names

    return county_names()


def _daily_grid(sheriff: pd.DataFrame, coverage: measures.Period) -> pd.DataFrame:
    """Date x facility code (ICE detainees per day, 0 on days absent from the table), plus 'statewide'."""
    days = pd.date_range(pd.Timestamp(coverage.start), pd.Timestamp(coverage.end), freq="D")
    wide = (
        sheriff.groupby(["date", "facility_code"])["headcount"]
        .sum()
        .unstack("facility_code")
        .reindex(days)
        .fillna(0.0)
        .astype("float64")
    )
    wide = wide[sorted(wide.columns)]
    wide.columns = [str(c) for c in wide.columns]
    wide["statewide"] = wide.sum(axis=1)
    wide.index.name = "date"
    return wide


def _facility_table(sheriff: pd.DataFrame, facilities_ref: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    ref = facilities_ref.set_index("facility_id")["facility_name"]
    rows = []
    for code, group in sheriff.groupby("facility_code"):
        fid = str(group["facility_id"].iloc[0])
        fips = str(group["sheriff_county_fips"].iloc[0])
        rows.append(
            {
                "facility_code": str(code),
                "facility_id": fid,
                "facility": str(ref.get(fid, group["facility_name"].iloc[0])),
                "county_fips": fips,
                "county": names.get(fips, fips),
                "days": int(group["date"].nunique()),
                "first_day": group["date"].min(),
                "last_day": group["date"].max(),
            }
        )
    return pd.DataFrame(rows).sort_values(["county", "facility_code"], ignore_index=True)


def _decline_tables(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per county and calendar year 2008-2015 (whole years of the NPR table; 2015 ends 2015-07-19),
    and the state pool per year with an exact Poisson interval."""
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    one_year = start.dt.year == end.dt.year
    first_full = measures.NPR_DECLINES.start.year + (1 if measures.NPR_DECLINES.start.month > 1 else 0)
    per_year = rows[one_year & (start.dt.year >= first_full)].copy()
    per_year["year"] = pd.to_datetime(per_year["period_start"]).dt.year.astype(int)
    per_year = per_year.sort_values(["year", "county"], ignore_index=True)
    state = per_year.groupby(["year", "period_start", "period_end"], as_index=False)[["numerator", "denominator"]].sum()
    low, high = measures.poisson_interval(state["numerator"].to_numpy(), state["denominator"].to_numpy())
    state["estimate"] = state["numerator"] / state["denominator"]
    state["ci_low"], state["ci_high"] = low, high
    return per_year, state.sort_values("year", ignore_index=True)


def timeline_selection(timeline: pd.DataFrame | None = None, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The policy-timeline rows shown in the figure: every key event; 287(g) starts and ends of the
    sheriffs and of the state DOC; ICE contract ends; the 2022 sheriff elections; 2025 federal actions.

    Columns: date (timestamp; month or year precision -> the first day), date_text, date_precision,
    category, label (short), who, event, source_url, key (the KEY_EVENTS key or blank)."""
    from ma_ice_coop.tables.reference import load_agreements_287g, load_policy_timeline

    timeline = load_policy_timeline() if timeline is None else timeline
    names = _county_names() if names is None else names
    fips = timeline["county_fips"].fillna("").astype(str)
    keys = {}
    for e in KEY_EVENTS.values():
        keys.setdefault(timeline_row(e, timeline).name, e)
    agreements = load_agreements_287g()
    doc = agreements[agreements["agency_type"] == "state_doc"]
    doc_dates = {str(v) for col in ("signed", "end_bracket_to") for v in doc[col].dropna().tolist() if str(v)}
    category = timeline["category"]
    recent = KEY_EVENTS["federal_actions_2025"].date[:4]  # federal actions from the year of this key event on
    is_287g = category.isin(["287g_start", "287g_end"])
    doc_row = is_287g & (fips == "") & timeline["date"].isin(doc_dates)
    keep = (
        timeline.index.isin(list(keys))
        | (is_287g & (fips != ""))
        | doc_row
        | (category == "detention_contract_end")
        | (category == "election")
        | ((category == "federal_action") & (timeline["date"] >= recent))
    )
    rows = []
    for idx, row in timeline[keep].iterrows():
        f = fips[idx]
        who = names.get(f) if f else ("state DOC" if doc_row[idx] else LEVEL_WHO.get(row["level"], row["level"]))
        e = keys.get(idx)
        if e is not None:
            label = e.label
        elif row["category"] == "federal_action":
            label = str(row["event"])
        else:
            label = f"{who}: {CATEGORY_LABELS.get(row['category'], row['category'])}"
        rows.append(
            {
                "date": _first_day(row["date"]),
                "date_text": row["date"],
                "date_precision": row["date_precision"],
                "category": row["category"],
                "label": label,
                "who": who,
                "event": row["event"],
                "source_url": row["source_url"],
                "key": e.key if e is not None else "",
            }
        )
    return pd.DataFrame(rows)


def _first_day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text + "-01" * (2 - text.count("-")))


def _year_start(selection: pd.DataFrame) -> pd.Timestamp:
    return pd.Timestamp(year=int(selection["date"].min().year), month=1, day=1)


def _year_end(selection: pd.DataFrame) -> pd.Timestamp:
    return pd.Timestamp(year=int(selection["date"].max().year), month=12, day=31)


def _series_label(code: str, facilities: pd.DataFrame) -> str:
    if code == "statewide":
        return "all sheriff-run facilities"
    row = facilities[facilities["facility_code"] == code]
    if row.empty:
        return code
    name, who = str(row["facility"].iloc[0]), f"{row['county'].iloc[0]} sheriff, ICE code {code}"
    return f"{name[:-1]}; {who})" if name.endswith(")") else f"{name} ({who})"


def _month_start(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.to_period("M").start_time


def _add_months(ts: pd.Timestamp, n: int) -> pd.Timestamp:
    return (ts.to_period("M") + n).start_time


def _overlap(coverage_start, coverage_end, when: pd.Timestamp, months: int = WINDOW_MONTHS) -> tuple[bool, bool]:
    """Does a source cover some of the `months` before the event, and some of the `months` after?"""
    start, end = pd.Timestamp(coverage_start), pd.Timestamp(coverage_end)
    lo, hi = when - pd.DateOffset(months=months), when + pd.DateOffset(months=months)
    return bool(start < when and end >= lo), bool(end >= when and start <= hi)


def _event_summary(e: KeyEvent, timeline: pd.DataFrame, context: dict) -> EventSummary:
    when = event_timestamp(e)
    row = timeline_row(e, timeline)
    monthly, facilities = context["monthly"], context["facilities"]
    first_complete, last_complete = context["complete_months"]
    series = monthly[e.series]
    month = _month_start(when)
    lo = max(first_complete, _add_months(month, -WINDOW_MONTHS))
    hi = min(last_complete, _add_months(month, WINDOW_MONTHS))
    window = series[(series.index >= lo) & (series.index <= hi)] if lo <= hi else series.iloc[:0]
    window = window.rename(_series_label(e.series, facilities))
    last_day = last_day_in_ice_records(e, context["sheriff"])
    coverage_end = pd.Timestamp(context["coverage"].end)
    contract_ended = bool(
        last_day is not None
        and last_day < coverage_end
        and abs(last_day - when) <= pd.Timedelta(days=31 * NEARBY_MONTHS)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # never fit a series that is zero by construction after the event (the contract had ended)
        its = models.interrupted_time_series(window.iloc[:0] if contract_ended else window, when)
    reason = ""
    if contract_ended:
        reason = _zero_reason(e, when, last_day, coverage_end, _series_label(e.series, facilities))
        its = replace(its, note=f"not fitted: {reason}")
    elif its.coefficients["estimate"].isna().all():
        reason = _its_reason(its, when, context)
    availability = _availability(when, context, e.series, facilities)
    return EventSummary(
        e,
        when,
        row,
        _series_label(e.series, facilities),
        its,
        reason,
        "" if reason else not_a_test_reason(e),
        (lo, hi),
        contract_ended,
        last_day,
        availability,
    )


def _zero_reason(
    e: KeyEvent, when: pd.Timestamp, last_day: pd.Timestamp, coverage_end: pd.Timestamp, label: str
) -> str:
    return (
        f"the last day with an ICE detainee in {label} in ICE's daily records is {last_day.date()} and the "
        f"facility held none after it through the end of the series ({coverage_end.date()}): after the event the "
        "series is zero by construction (the ICE contract had ended), so a segmented regression would only "
        "describe how those zeros differ from the earlier trend drawn on, not what the event changed; the "
        "observed series is shown instead"
    )


def _its_reason(its: models.ItsResult, when: pd.Timestamp, context: dict) -> str:
    first_complete, last_complete = context["complete_months"]
    end = context["coverage"].end
    need = models.MIN_POINTS_PER_SEGMENT
    if when > last_complete + pd.offsets.MonthEnd(0):
        return (
            f"the daily headcount ends on {end}, before the event (the last complete month is "
            f"{last_complete:%Y-%m}), so there is no 'after' to compare with"
        )
    if its.n_before < need:
        return (
            f"the headcount is complete only from {context['complete_from'].date()} (earlier days undercount), "
            f"which leaves {its.n_before} complete month{'s' if its.n_before != 1 else ''} before the event; "
            f"at least {need} are needed on each side to separate a trend from a level change"
        )
    return (
        f"only {its.n_after} complete month{'s' if its.n_after != 1 else ''} after the event before the "
        f"daily headcount ends on {end}; at least {need} are needed on each side"
    )


SOURCES = (
    ("ICE detention headcount (daily)", "headcount"),
    ("recorded declines per facility-year", "declines"),
    ("287(g) agreement panel (calendar years)", "287g"),
    ("ICE year-end detention statistics (fiscal years)", "year_end"),
    ("detainer outcomes (FY2015 records)", "detainers"),
    ("ICE arrests at jails (pooled)", "arrests"),
)


def _coverage(kind: str, context: dict) -> tuple[date | None, date | None, str]:
    if kind == "headcount":
        return (
            context["complete_from"].date(),
            context["coverage"].end,
            f"{context['coverage'].start}..{context['coverage'].end}; complete from {context['complete_from'].date()}",
        )
    if kind == "declines":
        p = measures.NPR_DECLINES
    elif kind == "287g":
        p = measures.AGREEMENTS_287G
    elif kind == "year_end":
        p = measures.ICE_YEAR_END_STATS
    elif kind == "detainers":
        p = measures.FY2015_DETAINERS
    else:
        p = measures.JAIL_ARRESTS
        return None, None, f"{p.start}..{p.end}, one pooled total with no dates"
    return p.start, p.end, f"{p.start}..{p.end}"


def _availability(when: pd.Timestamp, context: dict, series: str, facilities: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, kind in SOURCES:
        start, end, text = _coverage(kind, context)
        if start is None:
            before = after = False
        else:
            before, after = _overlap(start, end, when)
        rows.append({"source": name, "kind": kind, "coverage": text, "before": before, "after": after})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Text helpers


def _md_text(text: str) -> str:
    """Timeline wording as Markdown literal text (no emphasis, links or math by accident)."""
    out = str(text)
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "$"):
        out = out.replace(ch, "\\" + ch)
    return out


def _urls(source_url: str) -> list[str]:
    return [u.strip() for u in str(source_url).split(" ; ") if u.strip()]


def _host(url: str) -> str:
    host = urlsplit(url).netloc or url
    return host.removeprefix("www.")


def _link_names(source_url: str) -> list[tuple[str, str]]:
    """(url, text) per source: the host name, numbered when a host repeats."""
    urls = _urls(source_url)
    hosts = [_host(u) for u in urls]
    out = []
    for i, (u, h) in enumerate(zip(urls, hosts, strict=True)):
        n = hosts[:i].count(h)
        out.append((u, h if n == 0 else f"{h} ({n + 1})"))
    return out


def _md_links(source_url: str) -> str:
    return ", ".join(f"[{_md_text(text)}](<{u}>)" for u, text in _link_names(source_url))


def _date_text(row: pd.Series) -> str:
    precision = row["date_precision"]
    return str(row["date"]) + ("" if precision == "day" else f" ({precision} only)")


def _join(items: list[str]) -> str:
    items = list(items)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _persons(v) -> str:
    if v == 0:
        return "0"
    return fmt_num(v, 0 if abs(v) >= 10 else 1)


def _mean_months(series: pd.Series, months: pd.DatetimeIndex) -> tuple[float, int, pd.DatetimeIndex]:
    got = series.reindex(months).dropna()
    return (float(got.mean()) if len(got) else float("nan")), len(got), got.index


def before_after(
    r: PolicyTimeline, s: EventSummary | None = None, n: int = COMPARE_MONTHS, *, series: str | None = None
) -> dict:
    """Mean monthly ICE headcount of the event's series (or of `series`) over the `n` complete months before
    and after the event (the month containing a mid-month event is left out)."""
    s = s or r.summary
    first, last = r.complete_months
    values = r.monthly[series or s.event.series]
    values = values[(values.index >= first) & (values.index <= last)]
    month = _month_start(s.date)
    mixed = s.date != month
    before_months = pd.date_range(end=_add_months(month, -1), periods=n, freq="MS")
    after_months = pd.date_range(start=_add_months(month, 1) if mixed else month, periods=n, freq="MS")
    b, nb, bi = _mean_months(values, before_months)
    a, na, ai = _mean_months(values, after_months)
    return {"before": b, "n_before": nb, "before_months": bi, "after": a, "n_after": na, "after_months": ai}


def _months_text(index: pd.DatetimeIndex) -> str:
    return f"{index.min():%Y-%m} to {index.max():%Y-%m}"


def _coef(s: EventSummary, i: int) -> pd.Series:
    return s.its.coefficients.iloc[i]


def _ci_text(row: pd.Series, digits: int = 1) -> str:
    return (
        f"{fmt_num(row['estimate'], digits)} (95% CI {fmt_num(row['ci_low'], digits)} to "
        f"{fmt_num(row['ci_high'], digits)})"
    )


def _events_in_window(r: PolicyTimeline, s: EventSummary) -> pd.DataFrame:
    lo, hi = s.window
    t = r.timeline
    hi_end = hi + pd.offsets.MonthEnd(0)
    own = t["key"] == s.event.key
    same_row = (t["date_text"] == s.row["date"]) & (t["category"] == s.row["category"]) & (t["event"] == s.row["event"])
    return t[(t["date"] >= lo) & (t["date"] <= hi_end) & ~own & ~same_row]


# --------------------------------------------------------------------------------------------
# Key findings


def key_findings(r: PolicyTimeline) -> str:
    s, row = r.summary, r.row
    wording = _md_text(str(row["event"]).strip())
    lines = [
        f"**{_md_text(s.event.label)}**, {_date_text(row)}: {wording}{'' if wording.endswith('.') else '.'} "
        f"Source: {_md_links(row['source_url'])}."
    ]
    av = s.availability
    both = av[av["before"] & av["after"]]["source"].tolist()
    before_only = av[av["before"] & ~av["after"]]["source"].tolist()
    after_only = av[~av["before"] & av["after"]]["source"].tolist()
    neither = av[~av["before"] & ~av["after"]]["source"].tolist()
    text = f"Data within {WINDOW_MONTHS} months on both sides of the event: {_join(both)}."
    if before_only:
        text += f" Before it only: {_join(before_only)}."
    if after_only:
        text += f" After it only: {_join(after_only)}."
    text += (
        f" No data around it: {_join(neither)} (ICE arrests at jails are one total pooled over "
        f"{measures.JAIL_ARRESTS.start}..{measures.JAIL_ARRESTS.end}, so they cannot be split at any event)."
    )
    lines.append(text)
    lines.append(headcount_finding(r))
    lines.append(its_finding(r))
    for finding in (year_end_finding(r), agreements_finding(r), declines_finding(r)):
        if finding:
            lines.append(finding)
    lines.append(
        "ICE detention headcounts count people ICE held in the jails under bed contracts; they are not "
        "detainers and do not show whether a sheriff held, reported or handed over anyone. None of these "
        "comparisons can by itself show that the event caused a change."
    )
    return bullet_list(lines)


def headcount_finding(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    s = s or r.summary
    ba = before_after(r, s)
    first, last = r.complete_months
    label = s.series_label
    if ba["n_before"] == 0 and ba["n_after"] == 0:
        if s.date > last:
            return (
                f"ICE detention headcount: the daily series ends on {r.coverage.end}, "
                f"{_months_between(pd.Timestamp(r.coverage.end), s.date)} months before the event, so it says "
                "nothing about the event."
            )
        return (
            f"ICE detention headcount: no complete month within {COMPARE_MONTHS} months of the event "
            f"(complete from {r.complete_from.date()})."
        )
    parts = []
    if ba["n_before"]:
        parts.append(
            f"{_persons(ba['before'])} ICE detainees a day on average in {label} over the "
            f"{ba['n_before']} complete months before the event ({_months_text(ba['before_months'])})"
        )
    else:
        parts.append(f"no complete month before the event (complete from {r.complete_from.date()})")
    if ba["n_after"]:
        parts.append(
            f"{_persons(ba['after'])} over the {ba['n_after']} months after it ({_months_text(ba['after_months'])})"
        )
    else:
        parts.append(f"no month after it: the daily series ends on {r.coverage.end}")
    text = "ICE detention headcount: " + "; ".join(parts) + "."
    if s.contract_ended and s.last_day is not None and not s.event.acts_on_headcount:
        text += (
            f" The last day with an ICE detainee there was {s.last_day.date()}; from then on the facility held none."
        )
    if s.event.acts_on_headcount:
        text += " " + contract_dates_text(r, s)
    if s.event.series == "statewide" and s.event.county_fips:
        own = r.facilities[(r.facilities["county_fips"] == s.event.county_fips)]
        county = _county_names().get(s.event.county_fips, s.event.county_fips)
        days = int(own["days"].sum()) if len(own) else 0
        text += (
            f" {county}'s sheriff-run facilities held ICE detainees on {days} days in the whole series, so "
            "the statewide series is shown; a change in it need not involve this county."
        )
    return text


def contract_dates_text(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    """A contract end as separate dates: the decision or announcement (the event's row), what the county's other
    contract-end rows of the timeline say, and the last day in ICE's own daily records (computed)."""
    s = s or r.summary
    parts = [f"the event's own timeline row, dated {_date_text(s.row)} (quoted above)"]
    for _, x in contract_end_rows(s.event).iterrows():
        wording = _md_text(str(x["event"]).strip().rstrip("."))
        parts.append(
            f"the timeline's contract-end row dated {_date_text(x)}, which reads: “{wording}” "
            f"(source: {_md_links(x['source_url'])})"
        )
    if s.last_day is not None:
        days = (s.last_day - s.date).days
        parts.append(
            f"the last day with an ICE detainee in ICE's daily records, {s.last_day.date()} "
            f"({abs(days)} days {'after' if days >= 0 else 'before'} the event; computed from "
            "ice_detention_daily)"
        )
    return (
        "These are different dates and are kept apart: " + "; ".join(parts) + ". A date a source expected, "
        "or reported, is not the same as the last day in ICE's records."
    )


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.to_period("M") - a.to_period("M")).n


def its_finding(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    s = s or r.summary
    if s.its_reason:
        return f"Interrupted time series: none, because {s.its_reason}."
    level, slope = _coef(s, 2), _coef(s, 3)
    label = f"descriptive only, not a test of the event's effect: {s.not_a_test}; " if s.not_a_test else ""
    text = (
        f"Interrupted time series ({label}{s.its.n_before} months before, {s.its.n_after} after, within "
        f"{WINDOW_MONTHS} months of the event): level change at the event {_ci_text(level)} ICE detainees a "
        f"day against the earlier trend continued; slope change {_ci_text(slope, 2)} a month."
    )
    return text + " " + its_reading(r, s) + " " + other_events_text(r, s)


def other_events_text(r: PolicyTimeline, s: EventSummary) -> str:
    """The other timeline events inside the model's window, named (the model does not separate them)."""
    others = _events_in_window(r, s)
    if not len(others):
        return "No other event of the timeline figure falls inside the model's window."
    named = "; ".join(f"{x.date_text} {_md_text(x.label)}" for x in others.itertuples())
    return (
        f"The window also contains {len(others)} other timeline event{'s' if len(others) != 1 else ''} "
        f"({named}); the model does not separate them from this one."
    )


def its_reading(r: PolicyTimeline, s: EventSummary) -> str:
    level = _coef(s, 2)
    crosses = level["ci_low"] <= 0 <= level["ci_high"]
    if crosses:
        return (
            "The level-change interval includes zero: these data do not distinguish a jump at the event from no jump."
        )
    direction = "fell" if level["estimate"] < 0 else "rose"
    return (
        f"The level-change interval excludes zero: the headcount {direction} at about the time of the event "
        f"relative to its earlier trend, but the model cannot attribute that to the event, and its "
        f"intervals are optimistic on a short series."
    )


def year_end_finding(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    s = s or r.summary
    ye = r.year_end
    if ye.empty:
        return ""
    fy = s.date.year + (1 if s.date.month >= 10 else 0)
    years = sorted(ye["fiscal_year"].unique())
    if fy not in years:
        return ""
    shown = [y for y in (fy - 1, fy, fy + 1) if y in years]
    all_facilities = sorted(ye["facility_id"].unique())
    parts = []
    for y in shown:
        g = ye[ye["fiscal_year"] == y]
        through = g["data_through"].iloc[0]
        listed = "; ".join(
            f"{_short_name(x.facility_id, r)} {_persons(x.adp_total)}"
            for x in g.sort_values("facility_id").itertuples()
        )
        missing = [_short_name(f, r) for f in all_facilities if f not in set(g["facility_id"])]
        note = f" (not listed: {_join(missing)})" if missing else ""
        first = pd.Timestamp(year=int(y) - 1, month=10, day=1)
        days = (pd.Timestamp(through) - first).days + 1
        contains = f" — contains the event: {(s.date - first).days} of its {days} days are before it" if y == fy else ""
        parts.append(f"FY{y} ({int(y) - 1}-10-01..{through}{contains}): {listed}{note}")
    return "ICE year-end statistics, average ICE detainees a day in sheriff-run facilities: " + "; ".join(parts) + "."


def _short_name(facility_id: str, r: PolicyTimeline) -> str:
    row = r.facilities[r.facilities["facility_id"] == facility_id]
    if len(row):
        return str(row["county"].iloc[0])
    return facility_id


def agreements_finding(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    s = s or r.summary
    p = r.panel
    years = sorted(p["year"].unique())
    y = s.date.year
    shown = [v for v in (y - 1, y, y + 1) if v in years]
    if y not in years:
        return ""
    names = _county_names()
    parts = []
    for v in shown:
        g = p[(p["year"] == v) & p["agreement_287g_operational"] & (p["agency_type"] == "sheriff")]
        who = sorted(names.get(f, f) for f in g["county_fips"].dropna())
        parts.append(f"{v}: {_join(who) if who else 'no sheriff'}")
    doc = p[(p["agency_type"] == "state_doc") & p["year"].isin(shown)]
    doc_years = sorted(doc.loc[doc["agreement_287g_operational"], "year"].tolist())
    doc_text = (
        " The state DOC's agreement was in force in all of these years (it is not a county)."
        if doc_years == shown
        else f" The state DOC's agreement was in force in: {_join([str(v) for v in doc_years])}."
    )
    return (
        f"Sheriffs with an operational 287(g) agreement ({measures.OPERATIONAL_287G_RULE}): "
        + "; ".join(parts)
        + "."
        + doc_text
    )


def declines_finding(r: PolicyTimeline, s: EventSummary | None = None) -> str:
    s = s or r.summary
    st = r.declines_state
    y = s.date.year
    if y not in set(st["year"]):
        return ""
    parts = []
    for v in (y - 1, y, y + 1):
        g = st[st["year"] == v]
        if g.empty:
            continue
        x = g.iloc[0]
        parts.append(
            f"{v}: {fmt_num(x['numerator'])} in {fmt_num(x['denominator'])} facility-years "
            f"({fmt_num(x['estimate'], 2)}, 95% CI {fmt_num(x['ci_low'], 2)}–{fmt_num(x['ci_high'], 2)})"
        )
    return (
        "Recorded declined detainers at sheriff-run facilities, statewide: "
        + "; ".join(parts)
        + ". Counts this small cannot show a change, and ICE recorded only the declines it learned of."
    )


# --------------------------------------------------------------------------------------------
# Figures: helpers


def _date_axis(ax, x0: pd.Timestamp, x1: pd.Timestamp) -> None:
    ax.set_xlim(mdates.date2num(x0), mdates.date2num(x1))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _mark_event(ax, r: PolicyTimeline, label: bool = True) -> bool:
    """The chosen event as a dashed black line with its label, if inside the axis range."""
    x = mdates.date2num(r.date)
    lo, hi = ax.get_xlim()
    if not lo <= x <= hi:
        return False
    ax.axvline(x, color=EVENT_COLOR, linestyle=EVENT_DASH, linewidth=1.4, zorder=4)
    if label:
        right = x < lo + 0.7 * (hi - lo)
        ax.annotate(
            plots.literal_text(r.event.label),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3 if right else -3, -2),
            textcoords="offset points",
            ha="left" if right else "right",
            va="top",
            fontsize=8,
            color=EVENT_COLOR,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    return True


def _shade_undercount(ax, r: PolicyTimeline, y_text: float = 0.95) -> bool:
    lo, hi = ax.get_xlim()
    start = max(lo, mdates.date2num(pd.Timestamp(r.coverage.start)))
    end = min(hi, mdates.date2num(r.complete_from))
    if end <= start:
        return False
    ax.axvspan(start, end, color=UNDERCOUNT_FILL, zorder=0, linewidth=0)
    ax.text(
        (start + end) / 2,
        y_text,
        f"undercount\nbefore {r.complete_from.date()}",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize=7,
        color=plots.NOTE_COLOR,
    )
    return True


def _facility_styles(r: PolicyTimeline) -> dict[str, tuple[str, str]]:
    """The same colour and line style for a county's jail in every figure (county name -> style)."""
    f = r.facilities[r.facilities["facility_code"].isin(r.contract_codes)]
    return plots.category_styles(sorted(f["county"].unique()))


def _figure(height: float) -> Figure:
    return Figure(figsize=(plots.FIG_WIDTH, height), layout="constrained")


def _legend(fig: Figure, handles: list, ncols: int | None = None) -> None:
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=ncols or min(len(handles), 3))


# --------------------------------------------------------------------------------------------
# The policy timeline


def timeline_figure(r: PolicyTimeline):
    t = r.timeline
    series = r.monthly["statewide"].rename("ICE detainees per day, sheriff-run facilities (monthly mean)")
    start, end = t["date"].min(), t["date"].max()
    x0, x1 = _year_start(t), _year_end(t)
    with mpl.rc_context(plots.STYLE):
        fig = plots.timeline_figure(
            t.drop(columns="number"),
            title="Policy events and ICE detention",
            series=series,
            series_label="ICE detainees per day (monthly mean)",
            ylabel="ICE detainees per day (persons)",
            start=x0,
            end=x1,
            category_order=CATEGORY_ORDER,
            category_labels=CATEGORY_LABELS,
        )
        panel = fig.axes[1]
        _shade_undercount(panel, r)
    number = t.loc[t["key"] == r.event.key, "number"]
    chosen = f" The chosen event, {r.event.label}, is number {int(number.iloc[0])}." if len(number) else ""
    peak = r.monthly["statewide"]
    peak = peak[peak.index >= r.complete_from]
    return plots.figure_html(
        fig,
        alt=(
            f"Timeline of {len(t)} dated policy events from {start.date()} to {end.date()}, drawn as vertical "
            f"lines coloured by category, above a line chart of the monthly mean daily number of ICE detainees "
            f"in Massachusetts sheriff-run facilities from {r.coverage.start} to {r.coverage.end}; with complete "
            f"data it peaks at {_persons(peak.max())} in {peak.idxmax():%Y-%m}. Events are numbered as in the "
            "table below."
        ),
        caption=(
            "Events: 287(g) starts and ends of the sheriffs and the state DOC, ICE contract ends, the key "
            f"events of this project, the {_years(t, 'election')} sheriff elections and the "
            f"{_years(t, 'federal_action', ('secure_communities',))} federal actions. The line counts ICE "
            f"detainees held per day; before {r.complete_from.date()} (shaded) it undercounts." + chosen
        ),
        source=f"{TIMELINE_SOURCE}; {HEADCOUNT_SOURCE}",
    )


def _years(t: pd.DataFrame, category: str, exclude: tuple[str, ...] = ()) -> str:
    """The years of the shown events of a category (leaving out the given key events)."""
    rows = t[(t["category"] == category) & ~t["key"].isin(list(exclude))]
    return _join([str(y) for y in sorted({int(d.year) for d in rows["date"]})])


def _links_html(source_url: str) -> str:
    return ", ".join(
        f'<a href="{html.escape(u, quote=True)}">{html.escape(text)}</a>' for u, text in _link_names(source_url)
    )


def timeline_table(r: PolicyTimeline):
    """The numbered events of the figure, with their wording and source links (escaped HTML)."""
    from IPython.display import HTML

    t = r.timeline
    head = ["number", "date", "category", "who", "event", "source"]
    body = []
    for x in t.itertuples():
        chosen = x.key == r.event.key
        cells = [
            str(x.number),
            html.escape(str(x.date_text))
            + ("" if x.date_precision == "day" else f" ({html.escape(str(x.date_precision))})"),
            html.escape(CATEGORY_LABELS.get(x.category, x.category)),
            html.escape(str(x.who)),
            ("<strong>" if chosen else "") + html.escape(str(x.event)) + ("</strong>" if chosen else ""),
            _links_html(x.source_url),
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    caption = (
        "Events in the timeline figure (the chosen event in bold); dates at the precision the sources give "
        "(month or year precision is drawn at the first day)"
    )
    table = (
        '<table border="0" class="dataframe ma-table"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    return HTML(f'<p class="ma-caption">{html.escape(caption)}</p>' + table)


def availability_html(r: PolicyTimeline):
    av = r.summary.availability
    yes = {True: "yes", False: "no"}
    shown = pd.DataFrame(
        {
            "source": av["source"],
            "coverage": av["coverage"],
            f"within {WINDOW_MONTHS} months before": av["before"].map(yes),
            f"within {WINDOW_MONTHS} months after": av["after"].map(yes),
        }
    )
    return html_table(shown, caption=f"Data around {r.event.label} ({r.row['date']})")


# --------------------------------------------------------------------------------------------
# ICE detention headcount per facility


def headcount_text(r: PolicyTimeline) -> str:
    f = r.facilities
    contract = f[f["facility_code"].isin(r.contract_codes)]
    few = f[~f["facility_code"].isin(r.contract_codes)]
    lines = [
        f"Sheriff-run facilities with ICE detainees on at least {MIN_CONTRACT_DAYS} days (county jails that "
        f"rented beds to ICE): {_join([f'{x.county} ({x.facility_code})' for x in contract.itertuples()])}."
    ]
    if len(few):
        lines.append(
            "Other sheriff-run facilities held ICE detainees on only a few days: "
            + _join([f"{x.county} {x.days} days ({x.first_day.date()}..{x.last_day.date()})" for x in few.itertuples()])
            + "."
        )
    lines.append(
        f"Days before {r.complete_from.date()} undercount (only stays recorded from then on are in the "
        f"data); the series ends on {r.coverage.end}. The headcount is therefore read per fiscal year (the "
        "table below), not as one mean over the whole series, which would mix undercounted years with "
        "complete ones."
    )
    return bullet_list(lines)


def facility_figure(r: PolicyTimeline):
    codes = r.contract_codes
    names = dict(zip(r.facilities["facility_code"], r.facilities["county"], strict=True))
    styles = _facility_styles(r)
    x0, x1 = pd.Timestamp(r.coverage.start), pd.Timestamp(r.coverage.end)
    m = r.monthly
    with mpl.rc_context(plots.STYLE):
        fig = _figure(4.6)
        ax = fig.add_subplot()
        ax.set_title("ICE detainees per day in county jails with ICE contracts (monthly mean)")
        handles = []
        for code in codes:
            color, ls = styles[names[code]]
            ax.plot(mdates.date2num(m.index), m[code].to_numpy(), color=color, linestyle=ls, linewidth=1.4)
            handles.append(Line2D([], [], color=color, linestyle=ls, linewidth=1.5, label=f"{names[code]} ({code})"))
        _date_axis(ax, x0, x1)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("ICE detainees per day (persons)")
        ax.set_xlabel("Month")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        _shade_undercount(ax, r)
        marked = _mark_event(ax, r)
        if marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=EVENT_COLOR,
                    linestyle=EVENT_DASH,
                    linewidth=1.4,
                    label=plots.literal_text(f"{r.event.label} ({r.row['date']})"),
                )
            )
        _legend(fig, handles, ncols=3)
    return plots.figure_html(
        fig,
        alt=(
            f"Line chart of the monthly mean daily number of ICE detainees in {len(codes)} county jails "
            f"({_join([names[c] for c in codes])}) from {r.coverage.start} to {r.coverage.end}"
            + (
                f", with a dashed line at {r.event.label} ({r.row['date']})"
                if marked
                else f"; {r.event.label} ({r.row['date']}) is outside the series"
            )
            + "."
        ),
        caption=(
            f"Monthly mean of the daily ICE headcount per facility; shaded: before {r.complete_from.date()}, "
            "when the data undercount."
            + ("" if marked else f" The chosen event ({r.row['date']}) is after the series ends.")
        ),
        source=HEADCOUNT_SOURCE,
    )


def facility_table(r: PolicyTimeline):
    f = r.facilities[r.facilities["facility_code"].isin(r.contract_codes)]
    rows = []
    for x in f.itertuples():
        ba = before_after(r, series=x.facility_code)
        rows.append(
            {
                "county": x.county,
                "facility": x.facility,
                "ICE code": x.facility_code,
                "days with ICE detainees": x.days,
                "first day": str(x.first_day.date()),
                "last day": str(x.last_day.date()),
                f"mean per day, {COMPARE_MONTHS} months before": ba["before"] if ba["n_before"] else np.nan,
                f"mean per day, {COMPARE_MONTHS} months after": ba["after"] if ba["n_after"] else np.nan,
            }
        )
    shown = pd.DataFrame(rows)
    fmt = {c: (lambda v: fmt_num(v, 1)) for c in shown.columns if c.startswith("mean per day")}
    fmt["days with ICE detainees"] = lambda v: fmt_num(v)
    table = html_table(
        shown,
        caption=(
            f"County jails with ICE contracts: days with ICE detainees "
            f"({r.coverage.start}..{r.coverage.end}; days before "
            f"{r.complete_from.date()} undercount) and the mean daily headcount in the "
            f"complete months before and after {r.event.label} ({r.row['date']}); "
            "– = no complete month"
        ),
        formats=fmt,
    )
    panel = year_panel(r)
    per_year = html_table(
        panel,
        caption=(
            "Mean daily ICE headcount per federal fiscal year (October-September) in each county jail with an ICE "
            f"contract and in all sheriff-run facilities: read year by year; years before {r.complete_from.date()} "
            "undercount, so no mean over the whole series is given"
        ),
        formats={c: (lambda v: fmt_num(v, 1)) for c in panel.columns if c not in ("fiscal year", "days", "data")},
    )
    from IPython.display import HTML

    return HTML(table.data + "\n" + per_year.data)


def year_panel(r: PolicyTimeline) -> pd.DataFrame:
    """Per federal fiscal year: days in the series, whether they undercount, and the mean daily ICE headcount
    of each contract jail and of all sheriff-run facilities (the per-year panel, never a whole-period mean)."""
    names = dict(zip(r.facilities["facility_code"], r.facilities["county"], strict=True))
    d = r.daily
    fy = d.index.year + (d.index.month >= 10)
    rows = []
    for y in sorted(set(fy)):
        g = d[fy == y]
        first, last = g.index.min(), g.index.max()
        full_year = first == pd.Timestamp(year=int(y) - 1, month=10, day=1) and last == pd.Timestamp(
            year=int(y), month=9, day=30
        )
        data = (
            "undercount (before " + str(r.complete_from.date()) + ")"
            if last < r.complete_from
            else "complete"
            if full_year
            else f"complete, part of the year ({first.date()}..{last.date()})"
        )
        rows.append(
            {
                "fiscal year": f"FY{int(y)}",
                "days": len(g),
                "data": data,
                **{f"{names[c]} ({c})": float(g[c].mean()) for c in r.contract_codes},
                "all sheriff-run facilities": float(g["statewide"].mean()),
            }
        )
    return pd.DataFrame(rows)


def daily_figure(r: PolicyTimeline):
    from ma_ice_coop.present.report import md

    s = r.summary
    lo, hi = r.date - pd.DateOffset(days=365), r.date + pd.DateOffset(days=365)
    d = r.daily[s.event.series]
    d = d[(d.index >= lo) & (d.index <= hi)]
    if d.empty:
        return md(
            f"_No daily headcount within a year of the event: the daily series covers "
            f"{r.coverage.start}..{r.coverage.end}._"
        )
    with mpl.rc_context(plots.STYLE):
        fig = _figure(3.6)
        ax = fig.add_subplot()
        ax.set_title(plots.wrap_text(f"ICE detainees per day, a year either side of {r.event.label}", 7.2, 12))
        ax.plot(mdates.date2num(d.index), d.to_numpy(), color=plots.PALETTE["blue"], linewidth=1.0)
        _date_axis(ax, lo, hi)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("ICE detainees (persons)")
        ax.set_xlabel("Day")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        _shade_undercount(ax, r)
        _mark_event(ax, r)
        end = pd.Timestamp(r.coverage.end)
        if end < hi:
            ax.axvspan(mdates.date2num(end), mdates.date2num(hi), color=UNDERCOUNT_FILL, zorder=0, linewidth=0)
            ax.text(
                mdates.date2num(end + (hi - end) / 2),
                0.5,
                "no data after\n" + str(r.coverage.end),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                fontsize=7,
                color=plots.NOTE_COLOR,
            )
    return plots.figure_html(
        fig,
        alt=(
            f"Line chart of the daily number of ICE detainees in {s.series_label} from {d.index.min().date()} to "
            f"{d.index.max().date()}, ranging from {_persons(d.min())} to {_persons(d.max())}, with a dashed line "
            f"at {r.event.label} ({r.row['date']})."
        ),
        caption=f"Daily ICE headcount in {s.series_label}; a day absent from the data had no ICE detainee.",
        source=HEADCOUNT_SOURCE,
    )


# --------------------------------------------------------------------------------------------
# Interrupted time series


def its_text(r: PolicyTimeline) -> str:
    s = r.summary
    lo, hi = s.window
    lines = [
        f"Series: monthly mean of the daily ICE headcount in {s.series_label}, complete months only "
        f"({r.complete_months[0]:%Y-%m} to {r.complete_months[1]:%Y-%m}), within {WINDOW_MONTHS} months of "
        f"the event" + (f" ({lo:%Y-%m} to {hi:%Y-%m})." if lo <= hi else ".")
    ]
    if s.its_reason:
        lines.append(f"No interrupted time series for this event: {s.its_reason}.")
    else:
        lines.append(its_finding(r))
    if not s.contract_ended or not s.its_reason:
        lines.append(f"Model note: {_md_text(s.its.note)}")
    return bullet_list(lines)


def its_table(r: PolicyTimeline):
    from ma_ice_coop.present.report import md

    s = r.summary
    if s.its_reason:
        return md(f"_No coefficient table: {s.its_reason}._")
    c = s.its.coefficients
    shown = pd.DataFrame(
        {
            "term": c["term"],
            "estimate": c["estimate"].map(lambda v: fmt_num(v, 2)),
            "95% CI": [f"{fmt_num(a, 2)} to {fmt_num(b, 2)}" for a, b in zip(c["ci_low"], c["ci_high"], strict=True)],
            "std. error (HAC)": c["std_error"].map(lambda v: fmt_num(v, 2)),
            "p-value": c["p_value"].map(lambda v: "<0.001" if v < 0.001 else fmt_num(v, 3)),
        }
    )
    return html_table(
        shown,
        caption=(
            f"Segmented regression of the monthly mean daily ICE headcount "
            f"(persons) in {s.series_label} around {r.event.label} ({r.row['date']})"
        ),
    )


def its_figure(r: PolicyTimeline):
    from ma_ice_coop.present.report import md

    s = r.summary
    if s.its_reason and s.contract_ended:
        return observed_window_figure(r)
    if s.its_reason:
        return md(f"_No figure: {s.its_reason}._")
    f = s.its.fitted
    x = mdates.date2num(pd.to_datetime(f["date"]))
    after = (f["segment"] == "after").to_numpy()
    before = (f["segment"] == "before").to_numpy()
    excluded = (f["segment"] == "event period (excluded)").to_numpy()
    with mpl.rc_context(plots.STYLE):
        fig = _figure(4.4)
        ax = fig.add_subplot()
        ax.set_title(plots.wrap_text(f"Interrupted time series around {r.event.label}", 7.2, 12))
        ax.plot(
            x[before | after],
            f["observed"].to_numpy()[before | after],
            linestyle="none",
            marker="o",
            markersize=3.5,
            color=plots.PALETTE["black"],
            zorder=3,
        )
        if excluded.any():
            ax.plot(
                x[excluded],
                f["observed"].to_numpy()[excluded],
                linestyle="none",
                marker="o",
                markersize=4.5,
                markerfacecolor="white",
                markeredgecolor=plots.PALETTE["black"],
                zorder=3,
            )
        blue, orange = plots.PALETTE["blue"], plots.PALETTE["reddish_purple"]
        for mask in (before, after):
            ax.plot(x[mask], f["fitted"].to_numpy()[mask], color=blue, linewidth=1.8, zorder=2)
        ax.plot(x[after], f["counterfactual"].to_numpy()[after], color=orange, linestyle="--", linewidth=1.6, zorder=2)
        lo = pd.to_datetime(f["date"]).min() - pd.DateOffset(days=15)
        hi = pd.to_datetime(f["date"]).max() + pd.DateOffset(days=15)
        _date_axis(ax, lo, hi)
        ymin = np.nanmin(
            np.concatenate([f["observed"].to_numpy(), f["counterfactual"].to_numpy(), f["fitted"].to_numpy()])
        )
        if ymin >= 0:
            ax.set_ylim(bottom=0)
        ax.set_ylabel("ICE detainees per day (persons)")
        ax.set_xlabel("Month")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        _mark_event(ax, r, label=False)
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4,
                color=plots.PALETTE["black"],
                label="observed (monthly mean)",
            ),
            Line2D([], [], color=blue, linewidth=1.8, label="fitted"),
            Line2D(
                [], [], color=orange, linestyle="--", linewidth=1.6, label="counterfactual (earlier trend continued)"
            ),
            Line2D(
                [],
                [],
                color=EVENT_COLOR,
                linestyle=EVENT_DASH,
                linewidth=1.4,
                label=plots.literal_text(f"{r.event.label} ({r.row['date']})"),
            ),
        ]
        if excluded.any():
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgecolor=plots.PALETTE["black"],
                    label="event month (left out)",
                )
            )
        _legend(fig, handles, ncols=2)
    level = _coef(s, 2)
    return plots.figure_html(
        fig,
        alt=(
            f"Monthly mean daily ICE headcount in {s.series_label} from {pd.to_datetime(f['date']).min():%Y-%m} "
            f"to {pd.to_datetime(f['date']).max():%Y-%m} as points, with the fitted segmented regression and the "
            f"earlier trend continued after {r.event.label}; the estimated level change is "
            f"{fmt_num(level['estimate'], 1)} persons a day."
        ),
        caption=(
            "Points: observed monthly means; solid: fitted before and after the event; dashed purple: the "
            "pre-event trend continued (the model's counterfactual, an assumption, not an observation)."
        ),
        source=HEADCOUNT_SOURCE + "; models.interrupted_time_series (OLS, Newey-West errors)",
    )


def observed_window_figure(r: PolicyTimeline):
    """The observed monthly headcount in the model's window, with no model (for a series that is zero by
    construction after the event)."""
    s = r.summary
    lo, hi = s.window
    m = r.monthly[s.event.series]
    m = m[(m.index >= lo) & (m.index <= hi)]
    with mpl.rc_context(plots.STYLE):
        fig = _figure(3.8)
        ax = fig.add_subplot()
        ax.set_title(plots.wrap_text(f"Monthly ICE headcount around {r.event.label} (no model fitted)", 7.2, 12))
        ax.plot(
            mdates.date2num(m.index),
            m.to_numpy(),
            linestyle="-",
            marker="o",
            markersize=3.5,
            color=plots.PALETTE["black"],
            linewidth=0.8,
        )
        _date_axis(ax, lo - pd.DateOffset(days=15), hi + pd.DateOffset(days=15))
        ax.set_ylim(bottom=0)
        ax.set_ylabel("ICE detainees per day (persons)")
        ax.set_xlabel("Month")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        _mark_event(ax, r)
    return plots.figure_html(
        fig,
        alt=(
            f"Monthly mean daily ICE headcount in {s.series_label} from {m.index.min():%Y-%m} to "
            f"{m.index.max():%Y-%m}, observed values only, with a dashed line at {r.event.label} "
            f"({r.row['date']}); the last day with an ICE detainee is {s.last_day.date()} and the series is zero "
            "after it."
        ),
        caption=(
            "Observed monthly means only: no segmented regression is fitted, because after the event the series "
            "is zero by construction (the contract had ended)."
        ),
        source=HEADCOUNT_SOURCE,
    )


# --------------------------------------------------------------------------------------------
# Recorded declines


def declines_text(r: PolicyTimeline) -> str:
    st = r.declines_state
    y0, y1 = int(st["year"].min()), int(st["year"].max())
    last_end = st.loc[st["year"] == y1, "period_end"].iloc[0]
    inside = y0 <= r.date.year <= y1
    lines = [
        f"Recorded declined detainers per sheriff facility-year, {y0}-{y1} (the last year ends {last_end}); "
        f"statewide {fmt_num(st['numerator'].sum())} recorded declines in "
        f"{fmt_num(st['denominator'].sum())} facility-years. A facility-year absent from ICE's table had none; "
        "declines are a lower bound, since ICE recorded only the declines it learned of."
    ]
    if not inside:
        lines.append(f"{r.event.label} ({r.row['date']}) is outside {y0}-{y1}: these data say nothing about it.")
    return bullet_list(lines)


def declines_figure(r: PolicyTimeline):
    st = r.declines_state
    start, end = pd.to_datetime(st["period_start"]), pd.to_datetime(st["period_end"])
    mid = start + (end - start) / 2
    x = mdates.date2num(mid)
    y = st["estimate"].to_numpy()
    with mpl.rc_context(plots.STYLE):
        fig = _figure(3.8)
        ax = fig.add_subplot()
        ax.set_title("Recorded declined detainers per sheriff facility-year, statewide")
        ax.errorbar(
            x,
            y,
            yerr=[y - st["ci_low"].to_numpy(), st["ci_high"].to_numpy() - y],
            fmt="o",
            color=plots.PALETTE["blue"],
            ecolor=plots.PALETTE["black"],
            elinewidth=1.2,
            capsize=3,
            markersize=5,
        )
        x0 = pd.Timestamp(year=int(st["year"].min()), month=1, day=1)
        x1 = pd.Timestamp(year=int(st["year"].max()), month=12, day=31)
        _date_axis(ax, x0, x1)
        ax.set_xticks(
            [mdates.date2num(pd.Timestamp(year=int(y), month=7, day=1)) for y in st["year"]],
            labels=[str(int(y)) for y in st["year"]],
        )
        ax.set_ylim(bottom=0)
        ax.set_ylabel("declines per facility-year")
        ax.set_xlabel("Calendar year")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        marked = _mark_event(ax, r)
        handles = [
            Line2D([], [], color=plots.PALETTE["blue"], marker="o", linestyle="none", label="statewide rate"),
            Line2D(
                [], [], color=plots.PALETTE["black"], marker="|", markersize=8, label="95% interval (exact Poisson)"
            ),
        ]
        if marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=EVENT_COLOR,
                    linestyle=EVENT_DASH,
                    linewidth=1.4,
                    label=plots.literal_text(f"{r.event.label} ({r.row['date']})"),
                )
            )
        _legend(fig, handles)
    return plots.figure_html(
        fig,
        alt=(
            f"Dot-and-whisker chart of recorded declined detainers per sheriff facility-year in Massachusetts, "
            f"{int(st['year'].min())} to {int(st['year'].max())}, from {fmt_num(st['estimate'].min(), 2)} to "
            f"{fmt_num(st['estimate'].max(), 2)} a year, with exact Poisson 95% intervals"
            + (f" and a dashed line at {r.event.label}." if marked else "; the chosen event is outside this range.")
        ),
        caption=(
            "Statewide pool of sheriff-run facilities: recorded declines divided by facility-years; each point "
            "sits at the middle of the period it covers."
            + ("" if marked else f" {r.event.label} is outside the period.")
        ),
        source="NPR sanctuary-cities table (ICE FOIA 15-87693) via measures.recorded_decline_measures",
    )


def declines_table(r: PolicyTimeline):
    d = r.declines
    years = sorted(d["year"].unique())
    wide = {}
    for (county,), g in d.groupby(["county"]):
        wide[county] = {
            int(y): f"{int(k)}/{int(n)}" for y, k, n in zip(g["year"], g["numerator"], g["denominator"], strict=True)
        }
    rows = []
    for county in sorted(wide):
        rows.append(
            {
                "county": county,
                **{str(y): wide[county].get(y, "–") for y in years},
                "total": f"{int(d.loc[d['county'] == county, 'numerator'].sum())}/"
                f"{int(d.loc[d['county'] == county, 'denominator'].sum())}",
            }
        )
    st = r.declines_state
    rows.append(
        {
            "county": "statewide",
            **{
                str(int(y)): f"{int(k)}/{int(n)}"
                for y, k, n in zip(st["year"], st["numerator"], st["denominator"], strict=True)
            },
            "total": f"{int(st['numerator'].sum())}/{int(st['denominator'].sum())}",
        }
    )
    return html_table(
        pd.DataFrame(rows),
        caption=(
            "Recorded declines / sheriff facility-years, per county and year "
            "(0/0: the county had no sheriff facility in the crosswalk that "
            "year)"
        ),
    )


# --------------------------------------------------------------------------------------------
# 287(g) panel


def _agencies(r: PolicyTimeline) -> list[tuple[str, str]]:
    """(agency key, display name): the 14 sheriffs by county name, then the state DOC."""
    p = r.panel
    names = _county_names()
    sheriffs = sorted({names.get(f, f) for f in p.loc[p["agency_type"] == "sheriff", "county_fips"]})
    rows = [(n, n) for n in sheriffs]
    if (p["agency_type"] == "state_doc").any():
        rows.append(("state DOC", "State DOC (not a county)"))
    return rows


def _panel_matrix(r: PolicyTimeline) -> tuple[list[str], list[int], np.ndarray]:
    p = r.panel.copy()
    names = _county_names()
    p["name"] = [
        names.get(f, f) if t == "sheriff" else "state DOC"
        for f, t in zip(p["county_fips"].fillna(""), p["agency_type"], strict=True)
    ]
    years = sorted(int(y) for y in p["year"].unique())
    agencies = _agencies(r)
    flags = p.set_index(["name", "year"])["agreement_287g_operational"]
    m = np.array([[1.0 if bool(flags.get((a, y), False)) else 0.0 for y in years] for a, _ in agencies])
    return [label for _, label in agencies], years, m


def agreements_figure(r: PolicyTimeline):
    from matplotlib.colors import ListedColormap

    labels, years, m = _panel_matrix(r)
    on, off = plots.PALETTE["blue"], "#F0F0F0"
    with mpl.rc_context(plots.STYLE):
        fig = _figure(1.6 + 0.26 * len(labels))
        ax = fig.add_subplot()
        ax.set_title("287(g) agreement in force, by sheriff and calendar year")
        ax.pcolormesh(
            np.arange(len(years) + 1) - 0.5 + years[0],
            np.arange(len(labels) + 1) - 0.5,
            m,
            cmap=ListedColormap([off, on]),
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidth=0.8,
        )
        ax.set_yticks(np.arange(len(labels)), labels=[plots.literal_text(v) for v in labels])
        ax.invert_yaxis()
        ax.set_xticks([y for y in years if y % 2 == 1])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_xlabel("Calendar year")
        ax.tick_params(axis="both", length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        handles = [
            Patch(facecolor=on, label="agreement in force at some point in the year"),
            Patch(facecolor=off, edgecolor="#BDBDBD", label="none"),
        ]
        y = r.date.year
        if years[0] <= y <= years[-1]:
            ax.add_patch(
                Rectangle((y - 0.5, -0.5), 1, len(labels), fill=False, edgecolor=EVENT_COLOR, linewidth=1.8, zorder=3)
            )
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor=EVENT_COLOR,
                    linewidth=1.8,
                    label=plots.literal_text(f"year of {r.event.label} ({y})"),
                )
            )
        _legend(fig, handles, ncols=2)
    with_any = [label for label, row in zip(labels, m, strict=True) if row.any()]
    return plots.figure_html(
        fig,
        alt=(
            f"Heat table of {len(labels)} agencies (the {len(labels) - 1} sheriffs and the state DOC) by year "
            f"{years[0]}-{years[-1]},"
            f" shaded where a 287(g) agreement was in force; agreements appear for {_join(with_any)}."
        ),
        caption=(
            "A year counts when an ICE list, a Washington Post flag or the dated agreement period shows an "
            "agreement in force at some point in it. The state DOC is shown apart: it is not a county sheriff."
        ),
        source="agreements_287g_years (data/reference/agreements_287g.csv; ICE 287(g) lists; Washington Post)",
    )


def _ranges(years: list[int]) -> str:
    if not years:
        return "none"
    out, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


def agreements_table(r: PolicyTimeline):
    labels, years, m = _panel_matrix(r)
    rows = [
        {
            "agency": label,
            "years in force": _ranges([y for y, v in zip(years, row, strict=True) if v]),
            "number of years": int(row.sum()),
        }
        for label, row in zip(labels, m, strict=True)
    ]
    return html_table(pd.DataFrame(rows), caption=f"287(g) agreement years per agency, {years[0]}-{years[-1]}")


# --------------------------------------------------------------------------------------------
# ICE year-end statistics


def year_end_figure(r: PolicyTimeline):
    ye = r.year_end
    ids = sorted(ye["facility_id"].unique())
    short = {f: _short_name(f, r) for f in ids}
    styles = _facility_styles(r)
    with mpl.rc_context(plots.STYLE):
        fig = _figure(4.2)
        ax = fig.add_subplot()
        ax.set_title("ICE year-end statistics: average daily ICE population")
        for x in ye.itertuples():
            color, ls = styles[short[x.facility_id]]
            start = pd.Timestamp(year=int(x.fiscal_year) - 1, month=10, day=1)
            end = pd.Timestamp(x.data_through)
            ax.hlines(
                x.adp_total, mdates.date2num(start), mdates.date2num(end), color=color, linestyle=ls, linewidth=2.2
            )
        fys = sorted(int(y) for y in ye["fiscal_year"].unique())
        x0 = pd.Timestamp(year=fys[0] - 1, month=10, day=1)
        x1 = max(pd.Timestamp(year=fys[-1], month=9, day=30), r.date) + pd.DateOffset(days=30)
        _date_axis(ax, x0, x1)
        ax.set_xticks(
            [mdates.date2num(pd.Timestamp(year=y, month=4, day=1)) for y in fys], labels=[f"FY{y}" for y in fys]
        )
        ax.set_ylim(bottom=0)
        ax.set_ylabel("ICE detainees per day (ADP, persons)")
        ax.set_xlabel("Federal fiscal year (October-September)")
        ax.grid(axis="y", color=plots.GRID_COLOR, linewidth=0.8)
        marked = _mark_event(ax, r)
        handles = [
            Line2D([], [], color=styles[short[f]][0], linestyle=styles[short[f]][1], linewidth=2.2, label=short[f])
            for f in ids
        ]
        if marked:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=EVENT_COLOR,
                    linestyle=EVENT_DASH,
                    linewidth=1.4,
                    label=plots.literal_text(f"{r.event.label} ({r.row['date']})"),
                )
            )
        _legend(fig, handles, ncols=3)
    years = sorted(ye["fiscal_year"].unique())
    return plots.figure_html(
        fig,
        alt=(
            f"Horizontal segments showing ICE's average daily population in each listed sheriff facility "
            f"({_join(sorted(short.values()))}) for each fiscal year FY{years[0]}-FY{years[-1]}"
            + (
                f", with a dashed line at {r.event.label}."
                if marked
                else f"; {r.event.label} ({r.row['date']}) is before FY{years[0]}."
            )
        ),
        caption=(
            "Each segment spans the fiscal year its average covers. A facility ICE does not list in a year has "
            "no segment (not listed is not the same as zero)."
        ),
        source="ICE year-end detention statistics workbooks (archived by Vera); ice_detention_fy",
    )


def year_end_table(r: PolicyTimeline):
    ye = r.year_end
    years = sorted(int(y) for y in ye["fiscal_year"].unique())
    rows = []
    for fid in sorted(ye["facility_id"].unique()):
        g = ye[ye["facility_id"] == fid].set_index("fiscal_year")
        rows.append(
            {
                "facility": _short_name(fid, r) + " (" + str(g["facility_name"].iloc[0]) + ")",
                **{f"FY{y}": (fmt_num(g.loc[y, "adp_total"], 1) if y in g.index else "not listed") for y in years},
            }
        )
    through = ye.groupby("fiscal_year")["data_through"].first()
    caption = (
        "ICE average daily population per sheriff facility by fiscal year (each runs from October 1; data "
        "through: " + ", ".join(f"FY{int(y)} {through[y]}" for y in years) + ")"
    )
    return html_table(pd.DataFrame(rows), caption=caption)


# --------------------------------------------------------------------------------------------
# Every key event


def summary_table(r: PolicyTimeline) -> pd.DataFrame:
    rows = []
    for s in r.summaries:
        av = s.availability.set_index("kind")

        def cell(kind):
            before, after = bool(av.loc[kind, "before"]), bool(av.loc[kind, "after"])
            return {
                (True, True): "before and after",
                (True, False): "before only",
                (False, True): "after only",
                (False, False): "none",
            }[(before, after)]

        ba = before_after(r, s)
        rows.append(
            {
                "event": s.event.label + (" (chosen)" if s.event.key == r.event.key else ""),
                "key": s.event.key,
                "date": _date_text(s.row),
                "headcount series": s.series_label,
                f"headcount: complete months before / after (of {COMPARE_MONTHS})": f"{ba['n_before']} / {ba['n_after']}",
                "interrupted time series": _its_cell(r, s),
                f"recorded declines (±{WINDOW_MONTHS} months)": cell("declines"),
                "287(g) panel": cell("287g"),
                "ICE year-end statistics": cell("year_end"),
                "FY2015 detainer outcomes": cell("detainers"),
            }
        )
    return pd.DataFrame(rows)


def _its_cell(r: PolicyTimeline, s: EventSummary) -> str:
    if s.its_reason:
        return "none: " + s.its_reason
    n = len(_events_in_window(r, s))
    return (
        "fitted"
        + (", descriptive only (not a test of the event's effect)" if s.not_a_test else "")
        + f"; {n} other timeline event{'s' if n != 1 else ''} in its window"
    )


def summary_html(r: PolicyTimeline):
    return html_table(
        summary_table(r),
        caption=(f"Every key event: date and which data exist within {WINDOW_MONTHS} months before and after it"),
    )


# --------------------------------------------------------------------------------------------
# Methodology and limitations


def fy2015_context() -> str:
    """Why the FY2015 detainer records are not a typical pre-Lunn year (dates from timeline rows, cited)."""
    p = measures.FY2015_DETAINERS
    sc, trust = reference_row("secure_communities_end"), reference_row("boston_trust_2014")
    return (
        f"That window ({p.start}..{p.end}) straddles the end of Secure Communities and the start of the Priority "
        f"Enforcement Program ({sc['date']}, source: {_md_links(sc['source_url'])}) and follows Boston's Trust "
        f"ordinance ({trust['date']}, source: {_md_links(trust['source_url'])}): it is not a typical pre-Lunn "
        "year. Detainers prepared shortly before its cut-off may still have been pending when the records were "
        "cut (blank outcomes by prepare month are in the data and coverage report)."
    )


def limitations(r: PolicyTimeline) -> str:
    p = measures.FY2015_DETAINERS
    lines = [
        lunn_287g_text(_md_links) + " Lunn does not act on those bed contracts.",
        "The ICE detention headcount counts people ICE held in sheriff-run jails under bed contracts; it measures "
        "the contracts, not detainers, and a fall to zero after a contract ends is by construction. Days before "
        f"{r.complete_from.date()} undercount (only stays recorded from then on are in the data) and the series "
        f"ends on {r.coverage.end}.",
        f"The core data hold per-county detainer outcomes only for {p.start}..{p.end}: none after that, in "
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
