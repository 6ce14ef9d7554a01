"""The county profile's HTML tables: measures, facilities, timeline events, sheriffs, years, covariates and the
county's reference row. Every cell is escaped except source links built here."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from ma_ice_coop.analysis import measures
from ma_ice_coop.present.report import fmt_num, html_table, md
from ma_ice_coop.present.text import esc, html_source_links, period_text
from ma_ice_coop.views.county_profile.compute import CountyProfile
from ma_ice_coop.views.county_profile.formatting import (
    basis_text,
    comparison_text,
    fmt_covariate,
    fmt_state,
    fmt_value,
    rank_text,
)
from ma_ice_coop.views.county_profile.labels import LABELS, OPERATOR_LABELS, PARTY_NAMES

# facility table column -> facility_records column, for the sheriff's totals row
FACILITY_TOTALS = {
    "detainers": "detainers",
    "of which ICE took custody": "custody",
    "declined (recorded)": "declined",
    "no outcome": "unresolved",
    "ICE arrests 2011-10..2023-01": "ice_arrests",
}


def html_rows(frame: pd.DataFrame, *, caption: str, raw: tuple[str, ...] = ()) -> HTML:
    """An HTML table whose cells are escaped, except the columns in `raw` (already-built links)."""
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = "".join(
            f"<td>{row[column] if column in raw else html.escape(str(row[column]))}</td>" for column in frame.columns
        )
        body.append(f"<tr>{cells}</tr>")
    shown_caption = f'<p class="ma-caption">{html.escape(caption)}</p>' if caption else ""
    return HTML(
        f'{shown_caption}<table class="ma-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def measures_table_html(profile: CountyProfile):
    rows = []
    for _, row in profile.summary.iterrows():
        rows.append(
            {
                "measure": LABELS[row["measure"]],
                "period": period_text(row["period_start"], row["period_end"]),
                f"{profile.county}: based on": basis_text(row),
                f"{profile.county}: estimate (95% CI)": fmt_value(
                    row["measure"], row["estimate"], row["ci_low"], row["ci_high"]
                ),
                "state (sheriff facilities)": fmt_state(row),
                "compared with the state": comparison_text(row, profile.host is not None),
                "rank among counties": rank_text(row),
            }
        )
    return html_table(
        pd.DataFrame(rows),
        caption=f"{profile.county} County's sheriff-run facilities: every measure, with the state and its rank",
    )


# ----------------------------------------------------------------------------- facilities


def _facility_frame(facilities: pd.DataFrame, *, who: bool) -> pd.DataFrame:
    """The shown columns of a facility table; `who` adds the operator (for facilities not run by the sheriff)."""
    shown = pd.DataFrame({"facility": facilities["facility_name"]})
    if who:
        shown["run by"] = [
            f"{OPERATOR_LABELS.get(kind, kind)}: {operator}"
            if isinstance(operator, str) and operator
            else OPERATOR_LABELS.get(kind, kind)
            for kind, operator in zip(facilities["operator_type"], facilities["operator"], strict=True)
        ]
    shown["town"] = facilities["town"].fillna("(not specified)")
    if not who:
        shown["ICE code"] = facilities["ice_code"].fillna("–")
        shown["open"] = facilities["open_years"].fillna("–")
    for column, source in FACILITY_TOTALS.items():
        shown[column] = facilities[source].map(fmt_num)
    shown["days with ICE detainees"] = [
        f"{fmt_num(days)} ({first.date().isoformat()} to {last.date().isoformat()})" if days > 0 else "0"
        for days, first, last in zip(
            facilities["detention_days"], facilities["first_day"], facilities["last_day"], strict=True
        )
    ]
    return shown


def sheriff_facilities_html(profile: CountyProfile):
    period = period_text(profile.period.start.isoformat(), profile.period.end.isoformat())
    if profile.sheriff_facilities.empty:
        host = esc(profile.host)
        where = (
            f" Its prisoners are held at {esc('; '.join(profile.host_facilities))}, run by the {host} "
            f"sheriff (see the [{host} County report]({host}.html))."
            if profile.host
            else ""
        )
        return md(f"_The {esc(profile.county_row['sheriff_office'])} runs no jail or house of correction._{where}")
    shown = _facility_frame(profile.sheriff_facilities, who=False)
    total = {column: "" for column in shown.columns}
    total["facility"] = "All facilities of the sheriff"
    for column, source in FACILITY_TOTALS.items():
        total[column] = fmt_num(profile.sheriff_facilities[source].sum())
    shown = pd.concat([shown, pd.DataFrame([total])], ignore_index=True)
    daily = measures.ICE_DETENTION_DAILY
    return html_table(
        shown,
        caption=f"Facilities run by the {profile.county_row['sheriff_office']}: detainers "
        f"{period} (detainer records), ICE arrests (arrest landmarks, pooled) and days "
        f"with ICE detainees (daily ICE detention records, {period_text(daily.start, daily.end)})",
    )


def other_facilities_html(profile: CountyProfile):
    if profile.other_facilities.empty:
        return md(
            f"_No facility located in {esc(profile.county)} County but not run by its sheriff has a detainer, an ICE "
            "arrest or an ICE detainee in these records._"
        )
    period = period_text(profile.period.start.isoformat(), profile.period.end.isoformat())
    return html_table(
        _facility_frame(profile.other_facilities, who=True),
        caption=f"Facilities located in {profile.county} County, not run by its sheriff (never counted in "
        f"the county's measures): detainers {period}, ICE arrests and days with ICE detainees",
    )


# ----------------------------------------------------------------------------- events, sheriffs, years


def events_html(profile: CountyProfile):
    events = profile.events
    shown = pd.DataFrame(
        {
            "#": events["number"].astype(str),
            "date": events["date_text"],
            "type": events["group"],
            "event": events["event"],
            "sources": [html_source_links(urls) for urls in events["source_url"]],
        }
    )
    return html_rows(
        shown,
        caption=f"Events on the timeline: {profile.county} County events of the policy timeline, "
        "statewide key events and sheriffs taking office (numbers as in the figure)",
        raw=("sources",),
    )


def sheriffs_html(profile: CountyProfile):
    sheriffs = profile.sheriffs
    shown = pd.DataFrame(
        {
            "sheriff": sheriffs["sheriff_name"],
            "party": [PARTY_NAMES.get(party, party) for party in sheriffs["party"]],
            "from": sheriffs["term_start"].replace("", "not found"),
            "to": sheriffs["term_end"].replace("", "in office"),
            "how started": sheriffs["how_started"].replace("", "not found"),
            "287(g) and ICE record": sheriffs["agreement_287g"],
            "sources": [html_source_links(urls) for urls in sheriffs["source_url"]],
        }
    )
    caption = f"Sheriffs of {profile.county} County (data/reference/sheriffs.csv)"
    return html_rows(shown, caption=caption, raw=("sources",))


def _yes_no(value) -> str:
    return "–" if pd.isna(value) else ("yes" if bool(value) else "no")


def _detention_days(days, days_in_period, undercount) -> str:
    if pd.isna(days):
        return "–"
    return f"{fmt_num(days)} of {fmt_num(days_in_period)}" + (" (undercount)" if undercount is True else "")


def years_html(profile: CountyProfile):
    years = profile.years
    detention = zip(years["detention_days"], years["days_in_period"], years["undercount"], strict=True)
    shown = pd.DataFrame(
        {
            "year": years["year"].astype(str),
            "287(g) operational (calendar year)": years["agreement_287g"].map(_yes_no),
            "287(g) on paper only (signed, never operated)": years["agreement_287g_paper"].map(_yes_no),
            "days with ICE detainees (fiscal year)": [
                "–"
                if pd.isna(days)
                else f"{fmt_num(days)} of {fmt_num(n_days)}" + (" (undercount)" if under is True else "")
                for days, n_days, under in detention
            ],
            "mean ICE detainees per day (fiscal year)": [
                "–" if pd.isna(mean) else fmt_num(mean, 1) for mean in years["mean_daily"]
            ],
            "ICE year-end average daily population (fiscal year)": [
                "–" if pd.isna(adp) else ("not listed" if adp == 0 else fmt_num(adp, 1))
                for adp in years["adp_year_end"]
            ],
        }
    )
    return html_table(
        shown,
        caption=f"{profile.county} County's sheriff by year: 287(g) operational and paper-only years "
        "(calendar years; agreements_287g_years) and ICE detention in its facilities "
        "(federal fiscal "
        "years Oct-Sep; daily records FY2008-FY2024, the first and last partial, and ICE "
        "year-end statistics FY2019-FY2025, where 'not listed' means ICE's workbook "
        "lists none of its facilities, which is not the same as none held); "
        "– = not covered",
    )


# ----------------------------------------------------------------------------- context


def covariates_html(profile: CountyProfile):
    rows = [_covariate_row(profile.county, covariate) for _, covariate in profile.covariates.iterrows()]
    rows.append(_sheriff_party_row(profile))
    return html_table(
        pd.DataFrame(rows),
        caption=f"{profile.county} County's politics and demographics next to the median "
        "county (latest value of each variable; county_covariates)",
    )


def _covariate_row(county: str, covariate: pd.Series) -> dict:
    kind = covariate["kind"]
    unranked = covariate["rank"] is None or kind == "yesno" or pd.isna(covariate["rank"])
    return {
        "measure": covariate["label"],
        f"{county}": fmt_covariate(kind, covariate["value"]),
        "median of the 14 counties": (
            f"{fmt_num(covariate['sum'])} of {fmt_num(covariate['n'])} contested"
            if kind == "yesno"
            else fmt_covariate(kind, covariate["median"])
        ),
        "rank (1 = highest)": "–" if unranked else f"{int(covariate['rank'])} of {int(covariate['n'])}",
        "year / vintage": f"{'' if pd.isna(covariate['year']) else int(covariate['year'])}: {covariate['vintage']}",
        "source": covariate["source"],
    }


def _sheriff_party_row(profile: CountyProfile) -> dict:
    in_office = profile.all_current_sheriffs
    mine = in_office[in_office["county_fips"] == profile.county_fips]
    parties = in_office["party"].replace("", "not found").map(lambda party: PARTY_NAMES.get(party, party))
    counts = parties.value_counts().sort_index()
    return {
        "measure": "Party of the sitting sheriff",
        f"{profile.county}": PARTY_NAMES.get(mine["party"].iloc[0], mine["party"].iloc[0]) if len(mine) else "–",
        "median of the 14 counties": "; ".join(f"{fmt_num(count)} {party}" for party, count in counts.items()),
        "rank (1 = highest)": "–",
        "year / vintage": "in office now (sheriffs.csv)",
        "source": "data/reference/sheriffs.csv",
    }


def county_facts_html(profile: CountyProfile):
    row = profile.county_row
    shown = pd.DataFrame(
        [
            {
                "county": row["county"],
                "county seat": row["seat"],
                "sheriff's office": row["sheriff_office"],
                "sheriff based in": row["sheriff_hq_town"],
                "runs its own jail": "yes" if row["houses_own_prisoners"] else f"no (held in {profile.host})",
                "sources": html_source_links(row["source_url"]),
            }
        ]
    )
    return html_rows(shown, caption="The county in data/reference/counties.csv", raw=("sources",))
