"""The scorecard in words: each cell's text and sort key, the statewide table (index), one county's card (county
reports) and the download's columns. Values come from `analysis.scorecard`; this module only words them."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ma_ice_coop.analysis.measures import SMALL_SHARE_DENOMINATOR
from ma_ice_coop.analysis.scorecard import scorecard_cells
from ma_ice_coop.present.report import fmt_num, fmt_pct
from ma_ice_coop.present.text import html_source_links, period_text, year_ranges, year_spans
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.reference import PARTY_NAMES
from ma_ice_coop.tables.vintage import LATEST_287G_LIST

#: Plain words for the coded policy values (sheriff_policies.csv).
POLICY_WORDS = {
    "yes": "yes",
    "no": "no",
    "partial": "in part",
    "unknown": "unknown",
    "not_applicable": "no jail",
}


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _no_jail(row) -> bool:
    return not bool(row["houses_own_prisoners"])


def _held_in(row) -> str:
    host = row["prisoners_held_in_county"]
    return f"no jail (prisoners held in {host}'s)" if host else "no jail"


# ----------------------------------------------------------------------------- cell texts


def sheriff_text(row) -> str:
    """'Donna D. Buckley, Democrat, since 2023-01-04'."""
    party = PARTY_NAMES.get(row["sheriff_party"] or "", row["sheriff_party"])
    return f"{row['sheriff']}, {party}, since {row['sheriff_since']}"


def agreement_text(row) -> str:
    """'2018-2022 (on paper only 2007-2009); not on ICE's latest list': operational years and that list."""
    operational, paper = row["agreement_287g_operational"], row["agreement_287g_paper"]
    if row["agreement_287g_on_latest_list"]:
        now = "; on ICE's latest list"
    else:
        now = "; not on ICE's latest list" if operational or paper else ""
    text = year_ranges(operational) if operational else "none"
    if paper:
        text += f" (on paper only {year_ranges(paper)})"
    return text + now


def measure_years(measure: str) -> str:
    """'2005-2025': the calendar years a measure's coverage spans."""
    period = catalogue().measures[measure].default_period
    return f"{period.start.year}-{period.end.year}"


def fiscal_years(years) -> str:
    """(2009, ..., 2021) -> 'FY2009-FY2021'."""
    return ", ".join(f"FY{a}" if a == b else f"FY{a}–FY{b}" for a, b in year_spans(years))


def detention_text(row) -> str:
    """'FY2009-FY2021, 4,388 days, last 2021-06-29'; 'none'."""
    years = row["ice_detention_fiscal_years"]
    if not years:
        return "none"
    last = row["ice_detention_last_day"]
    ending = "still held on the records' last day" if last == row["ice_detention_records_end"] else f"last {last}"
    return f"{fiscal_years(years)}, {fmt_num(row['ice_detention_days'])} days, {ending}"


def adp_text(row) -> str:
    """ICE's FY2025 average daily population, or 'not listed' (ICE lists facilities, not zeros)."""
    value = row["ice_adp_fy2025"]
    return "not listed" if _missing(value) or value == 0 else f"{fmt_num(value)} a day"


def arrests_text(row) -> str:
    """'186 [range 128-220]; 2.9 per 100k a year (CI 2.5-3.4)'."""
    if _no_jail(row):
        return _held_in(row)
    low, high = fmt_num(row["jail_arrests_low"]), fmt_num(row["jail_arrests_high"])
    count = fmt_num(row["jail_arrests"]) + ("" if low == high else f" [range {low}–{high}]")
    ci = f"CI {fmt_num(row['jail_arrests_per_100k_ci_low'], 1)}–{fmt_num(row['jail_arrests_per_100k_ci_high'], 1)}"
    return f"{count}; {fmt_num(row['jail_arrests_per_100k'], 1)} per 100k a year ({ci})"


def custody_text(row) -> str:
    """'3 of 21: 14% (CI 4%-33%), few cases'; 'no detainers'; 'no jail'."""
    if _no_jail(row):
        return _held_in(row)
    lodged = row["fy2015_detainers"]
    if _missing(lodged) or lodged == 0:
        return "no detainers"
    low, high = fmt_pct(row["custody_share_ci_low"]), fmt_pct(row["custody_share_ci_high"])
    share = fmt_pct(row["custody_share"])
    text = f"{fmt_num(row['fy2015_ice_custody'])} of {fmt_num(lodged)}: {share} (CI {low}–{high})"
    return text + (", few cases" if row["custody_share_small"] else "")


def policy_text(row, question: str) -> str:
    """'yes (2019-05)', 'yes (2025-02-04, medium confidence)': the latest coded value of a written-policy
    question, its date and, when not high, the coder's confidence in the source."""
    value = row[f"policy_{question}_value"]
    if _missing(value):
        return "unknown (not coded)"
    word = POLICY_WORDS.get(value, value)
    date, confidence = row[f"policy_{question}_date"], row[f"policy_{question}_confidence"]
    if value in ("not_applicable", "unknown") or _missing(date):
        return word
    return f"{word} ({date})" if confidence == "high" else f"{word} ({date}, {confidence} confidence)"


def _number(value) -> float:
    return -1.0 if _missing(value) else float(value)


# ----------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """A scorecard column: its key (the county card's row id), header, period, cell text and sort key."""

    key: str
    header: str
    period: str
    text: Callable[[pd.Series], str]
    sort: Callable[[pd.Series], float | str]


def columns(policy_labels: dict[str, str], policies: tuple[str, ...]) -> list[Column]:
    """The scorecard's columns, in order; policy columns labelled by `policy_labels` (tables.policies)."""
    measures = catalogue()
    cover = {key: coverage.period for key, coverage in measures.coverage.items()}
    fy2025 = scorecard_cells()["ice_adp_fy2025"].period
    fixed = [
        Column(
            "sheriff", "Sheriff now", "in office, per the sheriffs table", sheriff_text, lambda r: r["sheriff_party"]
        ),
        Column(
            "agreement-287g",
            "287(g) agreement",
            f"operational years {measure_years('agreement_287g_years')}; latest list {LATEST_287G_LIST}",
            agreement_text,
            lambda r: len(r["agreement_287g_operational"]) + len(r["agreement_287g_paper"]) / 10,
        ),
        Column(
            "ice-detention",
            "ICE detainees held (fiscal years, days)",
            period_text(cover["ice_detention_daily"].start, cover["ice_detention_daily"].end),
            detention_text,
            lambda r: _number(r["ice_detention_days"]),
        ),
        Column(
            "ice-adp-fy2025",
            "ICE detainees a day, FY2025",
            period_text(fy2025.start, fy2025.end),
            adp_text,
            lambda r: _number(r["ice_adp_fy2025"]),
        ),
        Column(
            "jail-arrests",
            f"{measures.measures['jail_arrests'].short_label}; per 100,000 residents a year",
            period_text(cover["jail_arrests"].start, cover["jail_arrests"].end),
            arrests_text,
            lambda r: -1.0 if _no_jail(r) else _number(r["jail_arrests_per_100k"]),
        ),
        Column(
            "custody-share",
            measures.measures["custody_share"].label,
            period_text(cover["fy2015_detainers"].start, cover["fy2015_detainers"].end),
            custody_text,
            lambda r: -1.0 if _no_jail(r) or not r["fy2015_detainers"] else _number(r["custody_share"]),
        ),
    ]
    written = [
        Column(
            f"policy-{q.replace('_', '-')}",
            policy_labels[q],
            "written policy, latest dated source",
            lambda r, q=q: policy_text(r, q),
            lambda r, q=q: str(r[f"policy_{q}_value"]),
        )
        for q in policies
    ]
    return fixed + written


def county_report(county: str, prefix: str = "") -> str:
    """The relative link of a county's report from `prefix` ('' from reports/, '../' from a folder)."""
    return f"{prefix}counties/{county}.html"


def _sort_attr(value) -> str:
    return html.escape(f"{value:.6f}" if isinstance(value, float) else str(value), quote=True)


def scorecard_table_html(frame: pd.DataFrame, cols: list[Column], *, prefix: str = "") -> str:
    """The statewide scorecard: one row per office, each cell linked to the county card row that explains it.

    A plain table (sortable with `SORT_SCRIPT` when JavaScript runs), inside a horizontally scrolling box."""
    head = ['<th scope="col">Sheriff\'s office</th>'] + [
        f'<th scope="col">{html.escape(c.header)}<span class="period">{html.escape(c.period)}</span></th>' for c in cols
    ]
    rows = []
    for _, row in frame.iterrows():
        link = county_report(row["county"], prefix)
        cells = [
            f'<th scope="row" data-sort="{_sort_attr(row["county"])}"><a href="{html.escape(link)}">'
            f"{html.escape(row['county'])}</a></th>"
        ]
        for c in cols:
            cells.append(
                f'<td data-sort="{_sort_attr(c.sort(row))}"><a href="{html.escape(link)}#card-{c.key}">'
                f"{html.escape(c.text(row))}</a></td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="table-wrap"><table class="ma-table scorecard sortable">'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


#: Progressive enhancement: header buttons that sort the scorecard by a column's data-sort values. Without
#: JavaScript the table stays a plain table in FIPS order.
SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable").forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll("thead th").forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = "sort";
    button.setAttribute("aria-label", "sort by this column");
    th.appendChild(button);
    var descending = false;
    button.addEventListener("click", function () {
      var rows = Array.prototype.slice.call(body.rows);
      descending = !descending;
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
</script>"""


def county_card_html(row: pd.Series, cols: list[Column], explanations: dict[str, str]) -> str:
    """One county's scorecard row as a two-column table; each row has the id the statewide table links to and
    the sentence (HTML, from `explanations`, by column key) that says where the value comes from."""
    rows = []
    for c in cols:
        rows.append(
            f'<tr id="card-{c.key}"><th scope="row">{html.escape(c.header)}'
            f'<span class="period">{html.escape(c.period)}</span></th>'
            f"<td>{html.escape(c.text(row))}</td><td>{explanations.get(c.key, '')}</td></tr>"
        )
    return (
        '<div class="table-wrap"><table class="ma-table scorecard-card">'
        '<thead><tr><th scope="col">Form of cooperation</th><th scope="col">What the records or policies show</th>'
        '<th scope="col">Where it comes from</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def policy_source_html(row: pd.Series, question: str) -> str:
    """The coded statement and its source links for one policy cell (HTML)."""
    statement = row[f"policy_{question}_statement"]
    sources = row[f"policy_{question}_source_url"]
    if _missing(sources):
        return "Not coded in data/reference/sheriff_policies.csv."
    text = "" if _missing(statement) else html.escape(str(statement)) + " "
    return f"{text}Source: {html_source_links(sources)}."


# ----------------------------------------------------------------------------- the download

#: reports/data/scorecard.csv: column -> meaning (its README section is written from this), in file order.
DOWNLOAD_COLUMNS = {
    "county_fips": "county FIPS code",
    "county": "county",
    "sheriff_office": "the sheriff's office",
    "houses_own_prisoners": "true when the county has its own jail (Nantucket's prisoners are held in Barnstable's)",
    "sheriff": "the sheriff in office per data/reference/sheriffs.csv (no end of term recorded)",
    "sheriff_party": "D, R, I, U (unenrolled) or blank (not found in a source)",
    "sheriff_since": "start of the sheriff's term (partial ISO date)",
    "agreement_287g_operational": "calendar years with a 287(g) agreement in operation (see README operational rule)",
    "agreement_287g_paper": "calendar years with an agreement signed but never operated",
    "agreement_287g_operational_years": "their number (county_measures agreement_287g_years, whole coverage)",
    "agreement_287g_paper_years": "their number (county_measures agreement_287g_paper_years, whole coverage)",
    "agreement_287g_on_latest_list": "true when the office is on ICE's latest 287(g) list in the inputs",
    "agreement_287g_latest_list": "date of that list",
    "ice_detention_fiscal_years": "federal fiscal years with at least one ICE detainee in the sheriff's facilities",
    "ice_detention_days": "days with at least one ICE detainee (county_measures detention_contract_days, all records)",
    "ice_detention_first_day": "first day with an ICE detainee in ICE's daily records",
    "ice_detention_last_day": "last day with an ICE detainee in ICE's daily records",
    "ice_detention_records_end": "last day of ICE's daily records",
    "ice_adp_fy2025": "ICE year-end statistics FY2025, average daily population (0: the facility is not listed)",
    "jail_arrests": "ICE arrests at the sheriff's jails (county_measures jail_arrests)",
    "jail_arrests_low": "sensitivity range, low (jail_arrests_low)",
    "jail_arrests_high": "sensitivity range, high (jail_arrests_high)",
    "jail_arrests_per_100k": "the same per 100,000 residents per year (jail_arrests_per_100k)",
    "jail_arrests_per_100k_ci_low": "95% exact Poisson interval, low",
    "jail_arrests_per_100k_ci_high": "95% exact Poisson interval, high",
    "jail_arrests_per_100k_low": "per-100k rate of the sensitivity range, low",
    "jail_arrests_per_100k_high": "per-100k rate of the sensitivity range, high",
    "fy2015_detainers": "FY2015 detainers lodged at the sheriff's facilities (custody_share denominator)",
    "fy2015_ice_custody": "of which ICE recorded taking custody (custody_share numerator)",
    "custody_share": "custody share",
    "custody_share_ci_low": "95% Jeffreys interval, low",
    "custody_share_ci_high": "95% Jeffreys interval, high",
    "custody_share_small": f"true when the share rests on fewer than {SMALL_SHARE_DENOMINATOR} detainers",
}


def download_frame(frame: pd.DataFrame, policies: tuple[str, ...]) -> pd.DataFrame:
    """The scorecard as the CSV download: year tuples as '2017-2021' text, then each policy's value, date,
    statement and source."""
    out = frame[list(DOWNLOAD_COLUMNS)].copy()
    for column in ("agreement_287g_operational", "agreement_287g_paper"):
        out[column] = out[column].map(year_ranges)
    out["ice_detention_fiscal_years"] = out["ice_detention_fiscal_years"].map(year_ranges)
    for question in policies:
        for field in ("value", "date", "statement", "source_url"):
            out[f"policy_{question}_{field}"] = frame[f"policy_{question}_{field}"]
    return out
