"""The downloadable tables under reports/data/: measures, covariates and a README describing them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ma_ice_coop import config, io
from ma_ice_coop.analysis import measures
from ma_ice_coop.analysis.national_data import national_measures_download
from ma_ice_coop.analysis.scorecard import SCORECARD_POLICIES, scorecard
from ma_ice_coop.present.scorecard import DOWNLOAD_COLUMNS, download_frame
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.policies import POLICY_QUESTIONS

DECIMALS = 6  # rounding of floats in the CSVs, so rebuilds are byte-identical across platforms


def reports_data_dir() -> Path:
    return config.project_root() / "reports" / "data"


def _write(df: pd.DataFrame, path: Path) -> None:
    io.write_csv(df.round(DECIMALS), path)


def _measure_rows(county: pd.DataFrame) -> list[str]:
    """One table row per catalogue measure present in `county`: its definition, periods and row count."""
    lines = []
    for measure in catalogue().measures.values():
        rows = county[county["measure"] == measure.id]
        if rows.empty:
            continue
        periods = rows[["period_start", "period_end"]].drop_duplicates()
        span = f"{periods['period_start'].min()}..{periods['period_end'].max()} ({len(periods)})"
        lines.append(f"| `{measure.id}` | {measure.definition} | {span} | {len(rows)} |")
    return lines


def downloads_readme(county: pd.DataFrame, agency: pd.DataFrame) -> str:
    lines = [
        "# Downloads",
        "",
        "Tables behind the reports, rebuilt by `make all` from public data (see the project README for",
        "sources). Rows are sorted and the files are byte-identical on rebuild.",
        "",
        "## county_measures.csv",
        "",
        "One row per county x measure x period, for the facilities run by each county's sheriff.",
        "Columns: `county_fips, county, measure, period_start, period_end, numerator, denominator, estimate,",
        "ci_low, ci_high, source`. Periods are inclusive ISO dates. All 14 counties appear for every",
        "measure and period: a zero is a zero; an estimate is blank only where its denominator is zero",
        "(for example, no detainers at all, so no share). Intervals are 95%: Jeffreys for shares, exact",
        "Poisson for counts and rates, posterior for shrunken shares; blank for complete administrative",
        "counts (days, headcounts, agreement years), which have no sampling error.",
        "",
        "| measure | meaning | periods | rows |",
        "|---|---|---|---|",
    ]
    lines += _measure_rows(county)
    shares = county[
        (county["measure"] == "custody_share") & (county["period_start"] == measures.FY2015_DETAINERS.start.isoformat())
    ]
    small = sorted(shares.loc[measures.small_by_data(shares), "county"])
    complete, daily_start = measures.DETENTION_COMPLETE.start, measures.ICE_DETENTION_DAILY.start
    lines += [
        "",
        "Small by data, not by population: an estimate rests on few cases when a share has "
        f"{measures.small_rule('custody_share')} or a count or rate has {measures.small_rule('jail_arrests')}",
        "(`measures.small_by_data`); read such intervals, not point estimates or ranks. For the FY2015 detainer",
        f"shares that is {', '.join(small)}. Jail arrests carry a sensitivity range (`jail_arrests_low`,",
        "`jail_arrests_high` and their per-100k rows): placement from free-text landmarks can raise or lower a",
        "count. Rates per resident of the jail measures use " + catalogue().texts["jail_residents"] + ".",
        f"Detention measures have whole-period rows from {complete} (complete records) and from {daily_start}",
        f"(undercounts before {complete}) next to the fiscal years. 287(g): `agreement_287g_years` counts",
        "operational years, `agreement_287g_paper_years` agreements signed but never operated.",
        "",
        "## agency_measures.csv",
        "",
        "The same measures for Massachusetts facilities not run by a sheriff (state DOC prisons, federal",
        "sites, ICE offices, police lockups, courts, State Police), one row per operator type, plus ICE arrests",
        "that cannot be placed at a facility and arrests outside Massachusetts in ICE's Boston area. Columns",
        "as above with `agency_group` in place of `county_fips, county`. No shrunken shares: unrelated kinds of",
        "agency (prisons, police, ICE offices, ...) are never pooled into one prior.",
        f"Groups: {', '.join(sorted(agency['agency_group'].unique()))}.",
        "",
        *_scorecard_readme(),
        *_national_readme(),
        "## county_covariates.csv",
        "",
        "The covariate panel: one row per county x year x variable, with `value`, the ACS 90% margin of",
        "error `moe` where the source gives one, `unit`, `source_file` (an input id of data/sources.yaml)",
        "and `vintage`. See data/processed/CODEBOOK.md for every variable.",
        "",
    ]
    return "\n".join(lines)


def _national_readme() -> list[str]:
    return [
        "## national_county_measures.csv",
        "",
        "The same measures for every US county (3,142 counties of the Census list in OpenIntro's county_complete),",
        "with `state` (two-letter abbreviation) after `county`. FY2015 detainer measures (all counties: a zero is",
        "a zero, a share is blank without detainers; rates per 100,000 use the county's 2015 population): facility",
        "strings of other states are placed in counties and classified by data/reference/national_facilities.csv",
        "(Massachusetts rows by the hand-built crosswalk), and only rows at sheriff-run facilities placed in a",
        "county are counted; the 11% of the release with no state cannot be placed. No shrunken shares: states",
        "had their own laws, and one national prior would hide them. ICE detention days and mean daily headcount",
        "per fiscal year 2012-2024 and from 2011-10-01 on, for counties whose sheriff-run facilities appear in the",
        "UWCHR headcounts (data/reference/national_detention_facilities.csv; other counties have no rows).",
        "`agreement_287g_years` for 2015 (Washington Post flags) and 2025 (in at least one of E. Appelson's copies",
        "of ICE's list, 2025-05-16 to 2025-07-03; the 2021-2024 national lists are not in the data mirror).",
        "",
    ]


def _scorecard_readme() -> list[str]:
    lines = [
        "## scorecard.csv",
        "",
        "One row per sheriff's office: each form of cooperation the data can show, with the values the index's",
        "scorecard prints. Every number is a row of county_measures.csv (same measure and period) or a value of a",
        "processed or reference table. Columns:",
        "",
        "| column | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in DOWNLOAD_COLUMNS.items()]
    lines += [
        "| `policy_<question>_value`, `_date`, `_statement`, `_source_url` | the latest coded written policy "
        "(data/reference/sheriff_policies.csv) for each question: "
        + ", ".join(f"`{key}` ({label})" for key, label in POLICY_QUESTIONS.items() if key in SCORECARD_POLICIES)
        + "; unknown is a value |",
        "",
    ]
    return lines


def write_scorecard(folder: Path, county: pd.DataFrame) -> int:
    """reports/data/scorecard.csv from the same measures as county_measures.csv; returns its rows."""
    frame = download_frame(scorecard(county), SCORECARD_POLICIES)
    _write(frame, folder / "scorecard.csv")
    return len(frame)


def write_downloads(folder: Path | None = None) -> dict[str, int]:
    """Write the download CSVs and their README atomically; returns rows per file."""
    folder = folder or reports_data_dir()
    county = measures.county_measures()
    agency = measures.agency_measures()
    covariates = io.read_processed("county_covariates")
    _write(county, folder / "county_measures.csv")
    _write(agency, folder / "agency_measures.csv")
    _write(covariates, folder / "county_covariates.csv")
    scorecard_rows = write_scorecard(folder, county)
    national = national_measures_download()
    _write(national, folder / "national_county_measures.csv")
    io.atomic_write_text(folder / "README.md", downloads_readme(county, agency))
    return {
        "scorecard.csv": scorecard_rows,
        "county_measures.csv": len(county),
        "agency_measures.csv": len(agency),
        "county_covariates.csv": len(covariates),
        "national_county_measures.csv": len(national),
    }
