"""The 'Cooperation, county politics and demographics' notebook: tables, figures and generated text.

One cooperation measure (at its default period) is joined to 1-3 county covariates (the latest value
at or before `covariate_year`), then described with labelled scatter plots, permutation rank
correlations, a county-level quasi-binomial GLM and a detainer-level random-intercept model on the
FY2015 detainers. With at most 14 counties everything here is descriptive: associations, never causes.
A county whose sheriff runs no jail (Nantucket) has no value for a jail measure, not a zero, and is left
out; counties whose estimate rests on few cases (measures.small_by_data) are flagged; each side's period
is stated; ties and collinear covariates are reported. Every sentence with a number is built here from
the data, so the notebook holds no hand-typed figures.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.present import figures as plots
from ma_ice_coop.present.report import bullet_list, fmt_estimate, fmt_num, fmt_pct, html_table, md_source_links

NOTEBOOK_ID = "politics_demographics"

# Measures with a population-sized denominator: a binomial model of count / person-years is, for a rare
# event, practically a Poisson rate model.
POPULATION_RATES = ("detainers_per_100k", "jail_arrests_per_100k", "jail_arrests_per_1k_foreign_born")

# What the denominator of each measure counts (marker size legend, table headers, text).
DENOMINATOR_LABELS = {
    "custody_share": "detainers",
    "custody_share_shrunk": "detainers",
    "declined_share": "detainers",
    "declined_share_broad": "detainers",
    "unresolved_share": "detainers",
    "custody_share_resolved": "resolved detainers",
    "detainers_per_100k": "residents",
    "jail_arrests_per_100k": "person-years",
    "jail_arrests_per_1k_foreign_born": "foreign-born person-years",
    "recorded_declines": "facility-years",
    "detention_contract_days": "days in the period",
    "mean_daily_ice_headcount": "days in the period",
    "agreement_287g_years": "years in the period",
}

COVARIATE_LABELS = {
    "pres_dem_share": "Democratic share of the presidential vote",
    "pres_rep_share": "Republican share of the presidential vote",
    "pres_dem_margin": "Democratic minus Republican presidential vote share",
    "gov_dem_share": "Democratic share of the governor vote",
    "gov_rep_share": "Republican share of the governor vote",
    "gov_dem_margin": "Democratic minus Republican governor vote share",
    "sheriff_republican": "Republican sheriff (1 = yes)",
    "foreign_born_share": "foreign-born share of residents",
    "hispanic_share": "Hispanic share of residents",
    "white_nonhispanic_share": "non-Hispanic white share of residents",
    "black_share": "Black share of residents",
    "black_nonhispanic_share": "non-Hispanic Black share of residents",
    "median_household_income": "median household income",
    "poverty_share": "share of residents in poverty",
    "rural_share": "rural share of residents",
    "unemployment_rate": "unemployment rate",
    "population": "population",
}

# Every measure here is about the jails of a county's sheriff (287(g) years are refused as an outcome): a county
# whose sheriff runs no jail has no value for it, not a zero (a structural zero), and is left out.
JAIL_MEASURES = tuple(m for m in measures.MEASURES if m != "agreement_287g_years")

N_PERMUTATIONS = 9999
"""Permutations per rank correlation (seed: models.DEFAULT_SEED)."""

MIN_MIXED_GROUPS = 5
"""The detainer-level model is fitted only when at least this many counties have detainers and covariates."""


@dataclass
class PoliticsDemographics:
    measure: str
    kind: str
    period: measures.Period
    covariates: list[str]
    covariate_year: int
    joined: pd.DataFrame  # all 14 counties: measure columns, covariates, <covariate>_year, small, in_analysis
    analysed: pd.DataFrame  # counties in the analysis (a jail and an estimate)
    excluded: pd.DataFrame  # county, reason
    covariate_info: pd.DataFrame  # variable, unit, years used, vintage, source_file
    correlations: pd.DataFrame
    glm: models.GlmResult | None
    glm_reason: str  # why the GLM was skipped ("" when fitted)
    detainer_rows: pd.DataFrame  # FY2015 MA sheriff detainers with custody flag and covariates
    mixed: models.MixedResult | None
    mixed_reason: str  # why the mixed model was skipped ("" when fitted)
    mixed_dropped: pd.DataFrame  # county, detainers, missing (counties left out of the mixed model)
    custody_correlations: pd.DataFrame  # rank correlations of the FY2015 county custody shares (comparison)
    small: list[str]  # counties analysed whose estimate rests on few cases (measures.small_by_data)


# ----------------------------------------------------------------------------- compute


def check_parameters(measure: str, covariates, covariate_year) -> list[str]:
    """Validate the notebook's parameters beyond their registry types; returns the covariate list."""
    if measure not in measures.MEASURES:
        raise ParameterError(f"unknown measure {measure!r}; valid measures: {', '.join(measures.MEASURES)}")
    if any(m in measure.lower() for m in ("287g", "dhs_list", "sanctuary")):
        valid = [m for m in measures.MEASURES if "287g" not in m]
        raise ParameterError(
            f"measure {measure!r} is a policy index: policy indices (287(g), DHS lists) are "
            f"covariates, never the outcome. Choose a cooperation measure: {', '.join(valid)}"
        )
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not 1 <= len(covariates) <= models.MAX_COVARIATES:
        raise ParameterError(
            f"give 1 to {models.MAX_COVARIATES} covariates (14 counties cannot support more), "
            f"got {len(covariates)}: {covariates}"
        )
    if len(set(covariates)) != len(covariates):
        raise ParameterError(f"covariates are repeated: {covariates}")
    if isinstance(covariate_year, bool) or not isinstance(covariate_year, (int, np.integer)):
        raise ParameterError(f"covariate_year must be an integer year, not {covariate_year!r}")
    return covariates


def compute(measure: str, covariates, covariate_year: int) -> PoliticsDemographics:
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.loaders.covariates import county_covariates_wide

    covariates = check_parameters(measure, covariates, covariate_year)
    covariate_year = int(covariate_year)
    panel = read_processed("county_covariates")
    variables = list(dict.fromkeys([*covariates, "population"]))
    wide = county_covariates_wide(covariate_year, panel=panel, variables=variables, with_years=True)

    period = measures.default_period(measure)
    table = measures.measure_table(measure, period)
    kind = measures.measure_kind(measure)
    table = table.assign(small=measures.small_by_data(table))
    joined = table.merge(wide.drop(columns=["county"]), on="county_fips", how="left", validate="one_to_one")
    joined, excluded = _exclusions(measure, joined.sort_values("county_fips", ignore_index=True))
    analysed = joined[joined["in_analysis"]].reset_index(drop=True)
    small = analysed.loc[analysed["small"], "county"].tolist()

    correlations = models.rank_correlations(
        analysed, "estimate", covariates, small="small", n_permutations=N_PERMUTATIONS, seed=models.DEFAULT_SEED
    )
    glm, glm_reason = _fit_glm(measure, kind, analysed, covariates, covariate_year)
    rows = detainer_rows(wide, covariates)
    mixed, mixed_reason, mixed_dropped = _fit_mixed(rows, covariates, covariate_year)
    custody = county_custody_shares(rows, covariates)
    custody_corr = models.rank_correlations(
        custody, "custody_share", covariates, n_permutations=N_PERMUTATIONS, seed=models.DEFAULT_SEED
    )
    return PoliticsDemographics(
        measure,
        kind,
        period,
        covariates,
        covariate_year,
        joined,
        analysed,
        excluded,
        covariate_info(panel, wide, variables),
        correlations,
        glm,
        glm_reason,
        rows,
        mixed,
        mixed_reason,
        mixed_dropped,
        custody_corr,
        small,
    )


def counties_without_jail() -> dict[str, str]:
    """County -> the reason it has no value for a jail measure (houses_own_prisoners false in counties.csv)."""
    from ma_ice_coop.tables.reference import load_counties

    c = load_counties()
    names = dict(zip(c["county_fips"], c["county"], strict=True))
    out = {}
    for row in c[~c["houses_own_prisoners"].astype(bool)].to_dict("records"):
        host = names.get(str(row.get("prisoners_held_in") or ""), "another county")
        out[row["county"]] = (
            f"its sheriff runs no jail and its prisoners are held in {host}'s, so it has no value "
            "for a jail measure, not a zero; houses_own_prisoners = false in "
            "data/reference/counties.csv"
        )
    return out


def _exclusions(measure: str, joined: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mark the counties left out (no jail of their own, then no estimate): (joined + in_analysis, excluded)."""
    no_jail = counties_without_jail() if measure in JAIL_MEASURES else {}
    den_label = DENOMINATOR_LABELS.get(measure, "none")
    reasons = []
    for row in joined.itertuples():
        if row.county in no_jail:
            reasons.append(no_jail[row.county])
        elif pd.isna(row.estimate):
            no_den = pd.notna(row.denominator) and row.denominator == 0
            reasons.append(f"no {den_label} in the period, so no denominator" if no_den else "no estimate")
        else:
            reasons.append("")
    joined = joined.assign(in_analysis=[not x for x in reasons], exclusion=reasons)
    out = joined[~joined["in_analysis"]]
    return joined, pd.DataFrame({"county": out["county"].tolist(), "reason": out["exclusion"].tolist()})


def covariate_info(panel: pd.DataFrame, wide: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """Per covariate: its unit, the years its values come from, and the vintage and source of those years."""
    rows = []
    for var in variables:
        years = sorted(int(y) for y in wide[f"{var}_year"].dropna().unique())
        used = panel[(panel["variable"] == var) & panel["year"].isin(years)]
        used = used.drop_duplicates(["year"]).sort_values("year")
        unit = panel.loc[panel["variable"] == var, "unit"].iloc[0] if (panel["variable"] == var).any() else ""
        rows.append(
            {
                "variable": var,
                "unit": unit,
                "years used": ", ".join(map(str, years)) if years else "none",
                "counties with a value": int(wide[var].notna().sum()),
                "vintage": "; ".join(f"{y}: {v}" for y, v in zip(used["year"], used["vintage"], strict=True)),
                "source": "; ".join(sorted(set(used["source_file"]))),
            }
        )
    return pd.DataFrame(rows)


def _fit_glm(measure: str, kind: str, analysed: pd.DataFrame, covariates: list[str], covariate_year: int):
    """The quasi-binomial GLM where the measure has a meaningful denominator, else (None, reason)."""
    empty = [v for v in covariates if analysed[v].isna().all()]
    if empty and (kind == "share" or measure in POPULATION_RATES):
        return None, (
            f"{', '.join(empty)} has no value at or before {covariate_year} for any county analysed, so "
            "there is nothing to model. Choose another covariate or year."
        )
    if kind == "share" or measure in POPULATION_RATES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = models.quasi_binomial_glm(
                analysed, successes="numerator", trials="denominator", covariates=covariates, standardize=True
            )
        return fit, ""
    if measure == "recorded_declines":
        return None, (
            "recorded_declines counts declines per facility-year: a facility-year can hold several "
            "declines, so it is not one yes/no trial and a binomial model does not describe it; "
            "a Poisson rate model would be needed. The rank correlations above are the analysis."
        )
    if kind == "count":
        return None, (
            f"{measure} is a count with no denominator, so there is nothing to model as a share or a "
            "rate; counts grow with county population. Choose the per-100,000 version of the measure "
            "for a model. The rank correlations above are the analysis."
        )
    return None, (
        f"{measure} is an administrative total (days, headcounts or agreement years) with no "
        "meaningful denominator of trials or person-years, so a binomial or rate model does not "
        "apply. The rank correlations above are the analysis."
    )


def detainer_rows(wide: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """FY2015 detainers at Massachusetts sheriff-run facilities with custody (0/1) and county covariates."""
    from ma_ice_coop.io import read_processed

    d = read_processed("detainers")
    period = measures.FY2015_DETAINERS
    keep = (
        (d["facility_state"] == "MASSACHUSETTS")
        & (d["operator_type"] == "sheriff")
        & period.contains(d["prepare_date"])
        & d["sheriff_county_fips"].notna()
    )
    rows = d.loc[keep, ["prepare_date", "facility_id", "sheriff_county_fips", "outcome"]].copy()
    rows["custody"] = (rows["outcome"] == "custody").astype("int64")
    cov = wide[["county_fips", "county", *covariates]].rename(columns={"county_fips": "sheriff_county_fips"})
    rows = rows.merge(cov, on="sheriff_county_fips", how="left", validate="many_to_one")
    return rows.sort_values(["sheriff_county_fips", "prepare_date", "facility_id"], ignore_index=True)


def county_custody_shares(rows: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Per county with FY2015 detainers: detainers, custody, observed custody share and the covariates."""
    g = rows.groupby(["sheriff_county_fips", "county"], sort=True)
    out = g.agg(detainers=("custody", "size"), custody=("custody", "sum")).reset_index()
    out["custody_share"] = out["custody"] / out["detainers"]
    first = g[covariates].first().reset_index(drop=True)
    return pd.concat([out, first], axis=1)


def _fit_mixed(rows: pd.DataFrame, covariates: list[str], covariate_year: int):
    """The county random-intercept model on the detainer rows, when the covariates exist for the counties."""
    per_county = rows.groupby(["sheriff_county_fips", "county"], sort=True).size().rename("detainers").reset_index()
    dropped = []
    for c in per_county.itertuples():
        values = rows.loc[rows["sheriff_county_fips"] == c.sheriff_county_fips, covariates].iloc[0]
        missing = [v for v in covariates if pd.isna(values[v])]
        if missing:
            dropped.append({"county": c.county, "detainers": int(c.detainers), "missing": ", ".join(missing)})
    dropped = pd.DataFrame(dropped, columns=["county", "detainers", "missing"])
    for v in covariates:
        if rows[v].isna().all():
            return (
                None,
                (
                    f"{v} has no value at or before {covariate_year} for any county with detainers, so "
                    "the detainer-level model cannot use it. Choose another covariate or year."
                ),
                dropped,
            )
    kept = per_county["county"].nunique() - len(dropped)
    if kept < MIN_MIXED_GROUPS:
        return (
            None,
            (
                f"only {kept} counties with detainers have every covariate; at least {MIN_MIXED_GROUPS} "
                "are needed to estimate a between-county spread."
            ),
            dropped,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = models.mixed_binomial_glm(
            rows, outcome="custody", group="sheriff_county_fips", covariates=covariates, standardize=True
        )
    return fit, "", dropped


# ----------------------------------------------------------------------------- formatting helpers


def _label(r: PoliticsDemographics) -> str:
    return r.measure.replace("_", " ")


def cov_label(var: str) -> str:
    return COVARIATE_LABELS.get(var, var.replace("_", " "))


def _unit(r: PoliticsDemographics, var: str) -> str:
    info = r.covariate_info.set_index("variable")
    return str(info.loc[var, "unit"]) if var in info.index else ""


def _is_indicator(r: PoliticsDemographics, var: str) -> bool:
    if _unit(r, var).startswith("indicator"):
        return True
    values = r.joined[var].dropna().unique()
    return len(values) > 0 and set(values.tolist()) <= {0.0, 1.0}


def fmt_cov(r: PoliticsDemographics, var: str, value) -> str:
    """A covariate value in its unit (shares as percentages)."""
    if value is None or pd.isna(value):
        return "–"
    unit = _unit(r, var)
    if unit.startswith("share (0-1)"):
        return fmt_pct(value, 1)
    if unit.startswith("share difference"):
        return f"{100 * value:+.1f} points"
    if unit.startswith("indicator"):
        return fmt_num(value, 0)
    if unit.startswith("USD"):
        return "$" + fmt_num(value, 0)
    if unit in ("persons", "votes"):
        return fmt_num(value, 0)
    return fmt_num(value, 2)


def _fmt_sd(r: PoliticsDemographics, var: str, sd) -> str:
    """The size of one SD of a covariate in words."""
    if sd is None or pd.isna(sd):
        return "0/1, not scaled" if _is_indicator(r, var) else "–"
    unit = _unit(r, var)
    if unit.startswith("share"):
        return f"{100 * sd:.1f} percentage points"
    if unit.startswith("USD"):
        return "$" + fmt_num(sd, 0)
    if unit in ("persons", "votes"):
        return fmt_num(sd, 0) + " " + unit
    return fmt_num(sd, 2) + (f" ({unit})" if unit else "")


def _axis_label(var: str, unit: str) -> str:
    if unit.startswith("share (0-1)"):
        return f"{cov_label(var)} (share, 0-1)"
    if unit.startswith("indicator"):
        return f"{cov_label(var)}"
    return f"{cov_label(var)} ({unit})" if unit else cov_label(var)


def _measure_axis(r: PoliticsDemographics) -> str:
    if r.kind == "share":
        return f"{_label(r)} (share of {DENOMINATOR_LABELS.get(r.measure, 'detainers')}, 0-1)"
    if r.measure.endswith("per_100k"):
        return f"{_label(r)} (per 100,000 residents" + (" per year)" if "arrests" in r.measure else ")")
    if r.measure.endswith("foreign_born"):
        return f"{_label(r)} (per 1,000 foreign-born residents per year)"
    if r.measure == "recorded_declines":
        return "recorded declines per facility-year"
    return _label(r)


def fmt_measure(r: PoliticsDemographics, est, low=None, high=None) -> str:
    if r.kind == "share":
        return fmt_estimate(est, low, high, share=True)
    digits = 2 if r.kind == "rate" else (0 if r.kind == "count" else 1)
    return fmt_estimate(est, low, high, share=False, digits=digits)


def fmt_rho(v) -> str:
    """A correlation to 2 decimals, never '-0.00'."""
    if v is None or pd.isna(v):
        return "–"
    text = f"{v:.2f}"
    return "0.00" if text == "-0.00" else text


def fmt_p(p) -> str:
    """A p-value as text: '< 0.001', 3 decimals below 0.01, else 2 decimals; '–' when missing."""
    if p is None or pd.isna(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def fmt_ratio(v) -> str:
    """An odds ratio: 2 decimals, or 3 significant digits for tiny values (e.g. an intercept)."""
    if v is None or pd.isna(v):
        return "–"
    return f"{v:.2f}" if v >= 0.01 else f"{v:.3g}"


def _ratio_ci(est, low, high) -> str:
    if est is None or pd.isna(est):
        return "–"
    return f"{fmt_ratio(est)} (95% CI {fmt_ratio(low)}–{fmt_ratio(high)})"


def fmt_range(est, low, high, digits: int = 2) -> str:
    """'-0.37 (-1.16 to 0.42)': an estimate with its 95% interval, safe for negative numbers."""
    if est is None or pd.isna(est):
        return "–"
    if pd.isna(low) or pd.isna(high):
        return fmt_num(est, digits)
    return f"{fmt_num(est, digits)} ({fmt_num(low, digits)} to {fmt_num(high, digits)})"


def _excluded_groups(r: PoliticsDemographics) -> list[tuple[str, list[str]]]:
    """(reason, counties) for the counties without an estimate, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for county, reason in zip(r.excluded["county"], r.excluded["reason"], strict=True):
        groups.setdefault(reason, []).append(county)
    return list(groups.items())


def _excluded_sentence(r: PoliticsDemographics) -> str:
    parts = [f"{_join(counties)} ({reason})" for reason, counties in _excluded_groups(r)]
    k = len(r.excluded)
    return (
        f"{k} {'county has' if k == 1 else 'counties have'} no estimate and {'is' if k == 1 else 'are'} "
        f"excluded from every analysis: {'; '.join(parts)}"
    )


def chance_phrase(p_holm, n: int) -> str:
    """What a permutation p-value lets one say, in words."""
    if p_holm is None or pd.isna(p_holm):
        return "not computed"
    if p_holm >= 0.10:
        return (
            f"with {n} counties, the data cannot distinguish this association from chance (which does not "
            "show that there is none)"
        )
    if p_holm >= 0.05:
        return f"weak evidence at best: shuffling the {n} counties produces an association this strong fairly often"
    return (
        f"an association this strong rarely arises when the {n} counties are shuffled, but it remains an "
        "association across counties, not evidence that one causes the other"
    )


def _direction(r: PoliticsDemographics, var: str, rho) -> str:
    if rho is None or pd.isna(rho):
        return f"no rank correlation could be computed between {cov_label(var)} and {_label(r)}"
    if abs(rho) < 0.1:
        return f"the rank correlation between {cov_label(var)} and {_label(r)} was close to zero"
    way = "higher" if rho > 0 else "lower"
    if _is_indicator(r, var):
        return f"counties with '{_yes_label(var)}' tended to have {way} {_label(r)} than the others"
    return f"counties with a higher {cov_label(var)} tended to have {way} {_label(r)}"


def _yes_label(var: str) -> str:
    """'Republican sheriff' for an indicator labelled 'Republican sheriff (1 = yes)'."""
    return cov_label(var).removesuffix(" (1 = yes)")


def _covariate_from_term(term: str) -> str:
    return term.removesuffix(" (per SD)")


def _county_names(fips) -> list[str]:
    names = dict(zip(measures.county_frame()["county_fips"], measures.county_frame()["county"], strict=True))
    return [names.get(f, f) for f in fips]


def _join(names) -> str:
    names = list(names)
    return ", ".join(names) if names else "none"


def _missing_covariates(r: PoliticsDemographics) -> dict[str, list[str]]:
    """Counties with an estimate but no value of a covariate (left out of that covariate's analyses)."""
    return {v: r.analysed.loc[r.analysed[v].isna(), "county"].tolist() for v in r.covariates}


def _or_sentence(r: PoliticsDemographics, row, *, what: str) -> str:
    var = _covariate_from_term(row.term)
    ci = _ratio_ci(row.odds_ratio, row.or_low, row.or_high)
    if row.term.endswith("(per SD)"):
        head = f"{_fmt_sd(r, var, row.covariate_sd)} higher {cov_label(var)} (1 SD)"
    else:
        head = f"{_yes_label(var)} rather than not"
    if pd.isna(row.or_low):
        verdict = ""
    elif row.or_low <= 1 <= row.or_high:
        verdict = f"; the interval includes 1: no association distinguishable from chance with {r.glm.n} counties"
    else:
        verdict = "; the interval excludes 1"
    return f"{head}: {what} {ci}{verdict}"


# ----------------------------------------------------------------------------- key findings


def key_findings(r: PoliticsDemographics) -> str:
    """Plain-word findings: the rank correlations and the county-level model (the detainer-level model is a
    check further down, never a finding)."""
    lines = [
        f"Outcome: {_label(r)} at each county's sheriff-run jails and houses of correction, for "
        f"{len(r.analysed)} of {len(r.joined)} counties; covariates: {', '.join(map(cov_label, r.covariates))}."
        + (f" {_excluded_sentence(r)}." if len(r.excluded) else ""),
        _period_text(r, vintages=False),
    ]
    lines += [_rho_sentence(r, row) for row in r.correlations.itertuples()]
    lines.append(_glm_finding(r))
    if r.small:
        verb, its = ("is", "its") if len(r.small) == 1 else ("are", "their")
        lines.append(
            f"{_join(r.small)} {verb} drawn with hollow markers: {its} estimate rests on few cases "
            f"({measures.small_rule(r.measure)}), so read {its} interval, not {its} rank."
        )
    lines.append(
        "All of this describes counties, not people (ecological inference), and nothing here shows "
        "that politics or demographics cause cooperation."
    )
    return bullet_list(lines)


def _period_text(r: PoliticsDemographics, *, vintages: bool) -> str:
    """Each side's period, and whether they differ: no comparison across periods goes unsaid."""
    info = r.covariate_info.set_index("variable")
    sides, used = [], set()
    for v in r.covariates:
        years = sorted(int(y) for y in r.analysed[f"{v}_year"].dropna().unique())
        used.update(years)
        vintage = f" ({info.loc[v, 'vintage']})" if vintages and info.loc[v, "vintage"] else ""
        sides.append(f"{cov_label(v)}: {', '.join(map(str, years)) or 'none (no value)'}{vintage}")
    text = (
        f"Periods: the measure covers {r.period.start} to {r.period.end}; each covariate is the latest value at or "
        f"before {r.covariate_year} ({'; '.join(sides)})."
    )
    outside = sorted(y for y in used if not r.period.start.year <= y <= r.period.end.year)
    if outside:
        return text + (
            f" The two sides come from different periods ({_join(map(str, outside))} "
            f"{'is' if len(outside) == 1 else 'are'} outside the measure's period): the comparison "
            "assumes that the county differences the covariates describe held during the measure's "
            "period too."
        )
    if used and r.period.years > 1.5:
        return text + (
            f" A single year of each covariate is compared with a measure pooled over "
            f"{fmt_num(r.period.years, 1)} years."
        )
    return text


def _rho_sentence(r: PoliticsDemographics, row) -> str:
    """One rank correlation in words: direction, rho with its interval, p, ties and small counties."""
    if pd.isna(row.rho):
        return f"{cov_label(row.covariate)[0].upper()}{cov_label(row.covariate)[1:]}: no rank correlation ({row.note})"
    d = _direction(r, row.covariate, row.rho)
    text = (
        f"{d[0].upper()}{d[1:]} (Spearman rho {fmt_rho(row.rho)}, approximate 95% interval "
        f"{fmt_rho(row.ci_low)} to {fmt_rho(row.ci_high)}, {row.n} counties; permutation p {fmt_p(row.p_value)}, "
        f"Holm-adjusted {fmt_p(row.p_holm)}): {chance_phrase(row.p_holm, row.n)}."
    )
    if row.ties:
        text += " " + row.ties.replace(row.covariate, cov_label(row.covariate))
    if not row.n_small:
        return text
    names = r.analysed.loc[r.analysed["small"] & r.analysed[row.covariate].notna(), "county"].tolist()
    who = f"{_join(names)}: {measures.small_rule(r.measure)}"
    if pd.isna(row.rho_without_small):
        return text + f" Without the counties whose estimate rests on few cases ({who}) too few are left to compute it."
    return text + (
        f" Without the {'county' if len(names) == 1 else f'{len(names)} counties'} whose estimate "
        f"rests on few cases ({who}): rho {fmt_rho(row.rho_without_small)}, permutation p "
        f"{fmt_p(row.p_without_small)}."
    )


def _corr_words(corr: pd.DataFrame, weights: str, *, only_high: bool) -> str:
    """The covariates' pairwise correlations in words (labels, not variable names)."""
    if only_high:
        corr = corr[corr["r"].abs() > models.COLLINEARITY_LIMIT]
    return "; ".join(
        f"{cov_label(a)} and {cov_label(b)} correlate at r = {fmt_rho(c)} weighted by {weights}"
        for a, b, c in zip(corr["covariate_a"], corr["covariate_b"], corr["r"], strict=True)
        if pd.notna(c)
    )


def _glm_finding(r: PoliticsDemographics) -> str:
    if r.glm is None:
        return f"No county-level model: {r.glm_reason.split('. ')[0]}."
    if pd.isna(r.glm.dispersion):
        return f"The county-level model was not fitted: {_not_fitted_reason(r.glm.note)}"
    den = DENOMINATOR_LABELS.get(r.measure, "denominator")
    head = (
        f"A descriptive county-level model (quasi-binomial GLM on {r.glm.n} counties, each weighted by its {den}, "
        "covariates together)"
    )
    high = _corr_words(r.glm.covariate_correlations, den, only_high=True)
    if high:
        return (
            f"{head} cannot separate the covariates: {high}, above {models.COLLINEARITY_LIMIT}. Its adjusted "
            "estimates are not summarised here; read the covariates one at a time, as above."
        )
    terms = r.glm.coefficients[r.glm.coefficients["term"] != "Intercept"]
    what = "odds ratio" if r.kind == "share" else "rate ratio (odds ratio)"
    parts = [_or_sentence(r, row, what=what) for row in terms.itertuples()]
    return (
        f"{head}: "
        + "; ".join(parts)
        + f". Dispersion {fmt_num(r.glm.dispersion, 1)}"
        + (" (counties vary more than binomial chance would make them)." if r.glm.dispersion > 1 else ".")
    )


def _custody_comparison(r: PoliticsDemographics) -> str:
    """The county-level permutation test of the same FY2015 custody shares, as a check on the mixed model."""
    parts = [
        f"{cov_label(row.covariate)} rho {fmt_rho(row.rho)}, Holm-adjusted p {fmt_p(row.p_holm)}"
        for row in r.custody_correlations.itertuples()
        if pd.notna(row.rho)
    ]
    if not parts:
        return "no county-level permutation test of the custody shares could be computed to check them."
    c = r.custody_correlations
    weak = [cov_label(v) for v in c.loc[c["p_holm"] >= 0.10, "covariate"]]
    text = "the permutation test of the same counties' FY2015 custody shares gives " + "; ".join(parts) + "."
    if weak:
        text += (
            f" For {' and '.join(weak)} it cannot tell the association from chance, so the model's interval "
            "should not be read as settling the question."
        )
    return text


def _mixed_fitted(r: PoliticsDemographics) -> bool:
    return r.mixed is not None and not r.mixed.fixed_effects["estimate"].isna().all()


def _not_fitted_reason(note: str) -> str:
    _, _, tail = note.partition("Not fitted: ")
    return tail or note


# ----------------------------------------------------------------------------- outcome and joined data


def outcome_description(r: PoliticsDemographics) -> str:
    lines = [
        f"**{r.measure}**: {measures.MEASURES[r.measure]}.",
        f"Period: {r.period.start} to {r.period.end} (the measure's default period). "
        f"Covariates: the latest value at or before {r.covariate_year} (the year of each value is shown).",
    ]
    if len(r.excluded):
        lines.append(f"{_excluded_sentence(r)}. {len(r.analysed)} of {len(r.joined)} counties remain.")
    for var, counties in _missing_covariates(r).items():
        if counties:
            lines.append(
                f"No value of {var} at or before {r.covariate_year} for {_join(counties)}: "
                f"{'that county is' if len(counties) == 1 else 'those counties are'} left out of the "
                f"analyses that use {var}."
            )
    if r.kind == "count":
        lines.append(
            "This measure is a count: it grows with county population, so an association with a "
            "covariate may only reflect county size."
        )
    return bullet_list(lines)


def joined_table(r: PoliticsDemographics) -> pd.DataFrame:
    t = r.joined
    den = DENOMINATOR_LABELS.get(r.measure, "none")
    out = pd.DataFrame(
        {
            "county": t["county"],
            "numerator": t["numerator"].map(lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() else 1)),
            f"denominator ({den})": t["denominator"].map(
                lambda v: fmt_num(v, 0 if pd.isna(v) or float(v).is_integer() or v > 1000 else 1)
            ),
            "estimate (95% CI)": [
                fmt_measure(r, e, lo, hi) for e, lo, hi in zip(t["estimate"], t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )
    for var in dict.fromkeys([*r.covariates, "population"]):
        out[f"{var} (year)"] = [
            f"{fmt_cov(r, var, v)} ({int(y)})" if pd.notna(v) else "– (no value)"
            for v, y in zip(t[var], t[f"{var}_year"], strict=True)
        ]
    out[f"small ({measures.small_rule(r.measure)})"] = t["small"].map({True: "yes", False: ""})
    out["in analysis"] = [
        "yes"
        if not why
        else "no (no jail of its own)"
        if why.startswith("its sheriff runs no jail")
        else "no (no estimate)"
        for why in t["exclusion"]
    ]
    return out


def joined_table_html(r: PoliticsDemographics):
    return html_table(
        joined_table(r),
        caption=f"{r.measure} ({r.period.start} to {r.period.end}) joined to county "
        f"covariates as of {r.covariate_year}",
    )


def covariate_info_html(r: PoliticsDemographics):
    return html_table(r.covariate_info, caption="Where each covariate's values come from")


# ----------------------------------------------------------------------------- scatter plots


def _size_col(r: PoliticsDemographics) -> str | None:
    if r.kind == "share" or r.measure in POPULATION_RATES or r.measure == "recorded_declines":
        return "denominator"
    return None


def scatter_figure_markup(r: PoliticsDemographics, var: str) -> str:
    t = r.analysed
    unit = _unit(r, var)
    size = _size_col(r)
    den = DENOMINATOR_LABELS.get(r.measure, "denominator")
    shown = t[t[var].notna()]
    fig = plots.scatter_labeled(
        t,
        x=var,
        y="estimate",
        label_col="county",
        title=f"{_label(r).capitalize()} against {cov_label(var)}",
        xlabel=_axis_label(var, unit),
        ylabel=_measure_axis(r),
        size_col=size,
        flag_col="small",
        size_label=den if size else None,
    )
    rho = r.correlations.set_index("covariate").loc[var]
    alt = (
        f"Scatter plot of {_label(r)} (vertical axis) against {cov_label(var)} (horizontal axis) for "
        f"{len(shown)} Massachusetts counties, each point labelled with its county"
        + (f"; marker area shows the number of {den}" if size else "")
        + f"; hollow markers are counties whose estimate rests on few cases ({measures.small_rule(r.measure)}). "
        + (f"Spearman rank correlation {fmt_rho(rho['rho'])}." if pd.notna(rho["rho"]) else "")
    )
    years = r.covariate_info.set_index("variable").loc[var]
    source = f"{'; '.join(sorted(set(t['source'])))}; {var}: {years['vintage']} ({years['source']})"
    caption = (
        f"Each point is one county's {_label(r)} ({r.period.start} to {r.period.end}) against its "
        f"{cov_label(var)}" + (f"; larger markers have more {den}" if size else "") + ". Intervals are in the table."
    )
    return plots.figure_markup(fig, alt=alt, caption=caption, source=source)


def scatter_table(r: PoliticsDemographics, var: str) -> pd.DataFrame:
    t = r.analysed.sort_values([var, "county"], na_position="last")
    return pd.DataFrame(
        {
            "county": t["county"],
            f"{var} (year)": [
                f"{fmt_cov(r, var, v)} ({int(y)})" if pd.notna(v) else "– (no value)"
                for v, y in zip(t[var], t[f"{var}_year"], strict=True)
            ],
            "estimate (95% CI)": [
                fmt_measure(r, e, lo, hi) for e, lo, hi in zip(t["estimate"], t["ci_low"], t["ci_high"], strict=True)
            ],
            "small (few cases)": t["small"].map({True: "yes", False: ""}),
        }
    )


def scatter_panels(r: PoliticsDemographics):
    """One labelled scatter plot per covariate, each with its table beside it (one HTML block)."""
    from IPython.display import HTML

    parts = []
    for var in r.covariates:
        table = html_table(scatter_table(r, var), caption=f"{cov_label(var)} and {_label(r)}, by {var}").data
        parts.append(
            f"<h3>{html.escape(cov_label(var).capitalize())} (<code>{html.escape(var)}</code>)</h3>"
            '<div class="ma-side-by-side" style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start">'
            f'<div style="flex:1 1 520px;min-width:0">{scatter_figure_markup(r, var)}</div>'
            f'<div style="flex:0 1 360px;min-width:0">{table}</div></div>'
        )
    return HTML("".join(parts))


# ----------------------------------------------------------------------------- rank correlations


def correlation_text(r: PoliticsDemographics) -> str:
    lines = [
        "Spearman's rho compares the counties' ranks on the covariate and on the measure (1 = same order, "
        "-1 = reverse order, 0 = no rank association). The p-value counts how often shuffling the measure "
        f"across the counties gives an |rho| at least as large ({N_PERMUTATIONS} shuffles, seed "
        f"{models.DEFAULT_SEED}); "
        "Holm's adjustment accounts for testing several covariates. The interval for rho is approximate (Fisher z "
        "with the Bonett-Wright variance). Each county counts once, however few cases its estimate rests on; "
        "counties with few cases are drawn hollow, and each correlation is repeated without them.",
        _period_text(r, vintages=True),
    ]
    if len(r.excluded):
        lines.append(f"{_excluded_sentence(r)}.")
    lines += [_rho_sentence(r, row) for row in r.correlations.itertuples()]
    return bullet_list(lines)


def correlations_html(r: PoliticsDemographics):
    c = r.correlations
    shown = pd.DataFrame(
        {
            "covariate": c["covariate"],
            "counties": c["n"],
            "Spearman rho": c["rho"].map(fmt_rho),
            "approximate 95% interval": [
                f"{fmt_rho(lo)} to {fmt_rho(hi)}" if pd.notna(lo) else "–"
                for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)
            ],
            "permutation p": c["p_value"].map(fmt_p),
            "Holm-adjusted p": c["p_holm"].map(fmt_p),
            "tied values (measure / covariate)": [
                f"{a} / {b}" for a, b in zip(c["tied_outcome"], c["tied_covariate"], strict=True)
            ],
            "rho without small counties": [
                fmt_rho(v) if k else "(none small)" for v, k in zip(c["rho_without_small"], c["n_small"], strict=True)
            ],
            "note": [" ".join(x for x in (t, n) if x) for t, n in zip(c["ties"], c["note"], strict=True)],
        }
    )
    return html_table(
        shown,
        caption=f"Rank correlations of {r.measure} ({r.period.start} to {r.period.end}) with "
        f"each covariate (as of {r.covariate_year}; permutation test)",
    )


# ----------------------------------------------------------------------------- county-level GLM


def glm_text(r: PoliticsDemographics) -> str:
    if r.glm is None:
        return f"_No county-level GLM: {r.glm_reason}_"
    den = DENOMINATOR_LABELS.get(r.measure, "denominator")
    lines = [
        f"A descriptive quasi-binomial GLM (logit link) of each county's numerator out of its {den}, with the "
        "covariates together (continuous ones per standard deviation, 0/1 ones as they are). Unlike the rank "
        f"correlations, it weights each county by its {den}, so counties resting on few cases count little. "
        "The dispersion factor widens the intervals when counties differ more than binomial chance would "
        "make them. It describes these counties; it is not a model of how cooperation arises."
    ]
    if len(r.covariates) > 1:
        lines.append(
            f"The covariates' correlation, weighted by {den} as the model weights counties: "
            f"{_corr_words(r.glm.covariate_correlations, den, only_high=False) or 'not computed'}."
            + (
                f" Above {models.COLLINEARITY_LIMIT} the model cannot separate the covariates: its adjusted "
                "estimates below are unstable, so read the covariates one at a time (the rank correlations)."
                if _corr_words(r.glm.covariate_correlations, den, only_high=True)
                else ""
            )
        )
    if r.kind == "rate":
        lines.append(
            f"For a rate, the 'trials' are {den}: with a denominator this large and a rare event, the "
            "binomial model is practically a Poisson model, so this approximates a quasi-Poisson rate "
            "model and its odds ratios read as rate ratios."
        )
    else:
        lines.append(
            f"Odds ratios above 1 mean higher odds of the outcome among a county's {den} where the covariate is higher."
        )
    return "\n\n".join(lines)


def glm_table(r: PoliticsDemographics) -> pd.DataFrame:
    c = r.glm.coefficients
    return pd.DataFrame(
        {
            "term": c["term"],
            "log-odds (95% CI)": [
                fmt_range(e, lo, hi) for e, lo, hi in zip(c["estimate"], c["ci_low"], c["ci_high"], strict=True)
            ],
            "odds ratio (95% CI)": [
                _ratio_ci(e, lo, hi) for e, lo, hi in zip(c["odds_ratio"], c["or_low"], c["or_high"], strict=True)
            ],
            "p (t test)": c["p_value"].map(fmt_p),
            "1 SD of the covariate": [
                _fmt_sd(r, _covariate_from_term(t), sd) if t != "Intercept" else ""
                for t, sd in zip(c["term"], c["covariate_sd"], strict=True)
            ],
        }
    )


def glm_html(r: PoliticsDemographics):
    from ma_ice_coop.present.report import md

    if r.glm is None:
        return md("_No coefficient table (see above)._")
    return html_table(
        glm_table(r),
        caption=f"Quasi-binomial GLM of {r.measure}: n = {r.glm.n} counties, dispersion "
        f"{fmt_num(r.glm.dispersion, 2)}, residual df {fmt_num(r.glm.df_resid)}",
    )


def glm_note(r: PoliticsDemographics) -> str:
    if r.glm is None:
        return ""
    return f"**Model note.** {r.glm.note}"


# ----------------------------------------------------------------------------- detainer-level mixed model


def _detainer_summary(r: PoliticsDemographics) -> dict:
    rows = r.detainer_rows
    return {
        "detainers": len(rows),
        "counties": rows["sheriff_county_fips"].nunique(),
        "custody": int(rows["custody"].sum()),
        "unresolved": int((rows["outcome"] == "unresolved").sum()),
    }


def mixed_text(r: PoliticsDemographics) -> str:
    s = _detainer_summary(r)
    lines = [
        f"The county figures above hide how many detainers each county had. This model works on the "
        f"{fmt_num(s['detainers'])} FY2015 detainers ({measures.FY2015_DETAINERS.start} to "
        f"{measures.FY2015_DETAINERS.end}) lodged at Massachusetts sheriff-run facilities, in {s['counties']} "
        f"counties: the outcome is whether ICE took custody ({fmt_num(s['custody'])} detainers) or not. It is a "
        "logistic model with a random intercept for each county (sheriff_county_fips) and the county covariates as "
        "fixed effects, fitted by variational Bayes: counties with few detainers are pulled toward what the "
        "covariates predict, instead of being taken at face value. The model is the same whatever measure is "
        "chosen above: the FY2015 records are the only detainer-level outcomes available. It is a check on the "
        f"county figures, not a finding: variational Bayes with only {s['counties']} counties understates the "
        "uncertainty, so its intervals are too narrow.",
        f"'Not custody' includes the {fmt_num(s['unresolved'])} detainers "
        f"({fmt_pct(s['unresolved'] / s['detainers'])}) "
        "with no recorded outcome, some of which may have ended in an unrecorded transfer.",
    ]
    if r.mixed is None:
        lines.append(f"_Not fitted: {r.mixed_reason}_")
        return "\n\n".join(lines)
    fitted = f"Data: {fmt_num(r.mixed.n)} detainers in {r.mixed.n_groups} counties"
    if len(r.mixed_dropped):
        fitted += (
            " (left out for a missing covariate value: "
            + "; ".join(
                f"{d.county}, {d.detainers} detainer{'s' if d.detainers != 1 else ''}, no {d.missing}"
                for d in r.mixed_dropped.itertuples()
            )
            + ")"
        )
    years = sorted({int(y) for v in r.covariates for y in r.joined[f"{v}_year"].dropna()})
    fy = measures.FY2015_DETAINERS
    other = [y for y in years if not fy.start.year <= y <= fy.end.year]
    lines.append(
        fitted + f"; county covariates as of {r.covariate_year} (values from {_join(map(str, years))}), as in "
        "the table above"
        + (
            ": a different period from the FY2015 detainers, so the model assumes those "
            "county differences held in FY2015 too."
            if other
            else "."
        )
    )
    high = _corr_words(r.mixed.covariate_correlations, "detainers", only_high=True)
    if len(r.covariates) > 1:
        lines.append(
            "The covariates' correlation, weighted by detainers (each detainer carries its county's values): "
            + (_corr_words(r.mixed.covariate_correlations, "detainers", only_high=False) or "not computed")
            + "."
        )
    if r.mixed.fixed_effects["estimate"].isna().all():
        reason = (
            f"above {models.COLLINEARITY_LIMIT}, the model cannot separate the covariates' effects, and with "
            f"variational Bayes and {r.mixed.n_groups} counties its intervals would still look narrow; read "
            "the covariates one at a time."
            if high
            else _not_fitted_reason(r.mixed.note)
        )
        lines.append(f"_Not fitted: {reason}_")
        return "\n\n".join(lines)
    sd = r.mixed.random_intercept_sd.iloc[0]
    lines.append(
        f"Between-county spread: the random-intercept SD is {fmt_num(sd['estimate'], 2)} on the log-odds "
        f"scale (95% interval {fmt_num(sd['ci_low'], 2)}–{fmt_num(sd['ci_high'], 2)}); with "
        f"{r.mixed.n_groups} counties this interval reflects the prior as much as the data."
    )
    lines.append(
        "A county-level covariate takes one value per county, so its fixed effect rests on "
        f"{r.mixed.n_groups} counties, not {fmt_num(r.mixed.n)} independent detainers. As a check, "
        + _custody_comparison(r)
    )
    return "\n\n".join(lines)


def mixed_fixed_html(r: PoliticsDemographics):
    from ma_ice_coop.present.report import md

    if not _mixed_fitted(r):
        return md("_No fixed-effect table: the model was not fitted._")
    fe = r.mixed.fixed_effects
    sd = r.mixed.random_intercept_sd
    shown = pd.DataFrame(
        {
            "term": pd.concat([fe["term"], sd["term"]], ignore_index=True),
            "posterior mean, log-odds (95% interval)": [
                *[fmt_range(e, lo, hi) for e, lo, hi in zip(fe["estimate"], fe["ci_low"], fe["ci_high"], strict=True)],
                *[fmt_range(e, lo, hi) for e, lo, hi in zip(sd["estimate"], sd["ci_low"], sd["ci_high"], strict=True)],
            ],
            "odds ratio (95% interval)": [
                *[
                    _ratio_ci(e, lo, hi)
                    for e, lo, hi in zip(fe["odds_ratio"], fe["or_low"], fe["or_high"], strict=True)
                ],
                "",
            ],
            "1 SD of the covariate": [
                *[
                    _fmt_sd(r, _covariate_from_term(t), s) if t != "Intercept" else ""
                    for t, s in zip(fe["term"], fe["covariate_sd"], strict=True)
                ],
                "",
            ],
        }
    )
    return html_table(
        shown,
        caption=f"Fixed effects and random-intercept SD: custody (0/1) on {fmt_num(r.mixed.n)} "
        f"FY2015 detainers in {r.mixed.n_groups} counties",
    )


def mixed_groups_table(r: PoliticsDemographics) -> pd.DataFrame:
    g = r.mixed.group_effects
    names = _county_names(g["group"])
    shown = pd.DataFrame(
        {
            "county": names,
            "detainers": g["n"],
            "custody": g["successes"],
            "observed share": g["observed_share"].map(lambda v: fmt_pct(v)),
            "model share": g["fitted_share"].map(lambda v: fmt_pct(v)),
            "county intercept, log-odds (95% interval)": [
                fmt_range(e, lo, hi) for e, lo, hi in zip(g["estimate"], g["ci_low"], g["ci_high"], strict=True)
            ],
            f"small ({measures.small_rule('custody_share')})": np.where(
                g["n"] < measures.SMALL_SHARE_DENOMINATOR, "yes", ""
            ),
        }
    )
    return shown.sort_values("county", ignore_index=True)


def mixed_groups_html(r: PoliticsDemographics):
    from ma_ice_coop.present.report import md

    if not _mixed_fitted(r):
        return md("_No per-county table: the model was not fitted._")
    return html_table(
        mixed_groups_table(r),
        caption=(
            "Per county: observed custody share and the model's share (inverse logit of the posterior-mean linear "
            "predictor: covariates plus the county's random intercept)"
        ),
    )


def custody_correlations_html(r: PoliticsDemographics):
    c = r.custody_correlations
    shown = pd.DataFrame(
        {
            "covariate": c["covariate"],
            "counties": c["n"],
            "Spearman rho": c["rho"].map(fmt_rho),
            "permutation p": c["p_value"].map(fmt_p),
            "Holm-adjusted p": c["p_holm"].map(fmt_p),
        }
    )
    return html_table(
        shown,
        caption="Check: rank correlations of the FY2015 county custody shares (counties with "
        f"detainers, unweighted) with each covariate as of {r.covariate_year}",
    )


def mixed_note(r: PoliticsDemographics) -> str:
    if r.mixed is None:
        return ""
    return (
        f"**Model note.** {r.mixed.note} The model share is a plug-in value, not a posterior mean; a "
        "county-level covariate is the same for every detainer in a county, so its fixed effect is "
        f"informed by {r.mixed.n_groups} county values, not by {fmt_num(r.mixed.n)} independent observations."
    )


# ----------------------------------------------------------------------------- caveats


def ecological_text(r: PoliticsDemographics) -> str:
    return bullet_list(
        [
            models.ecological_inference_note(),
            "Policy indices (287(g) agreements, DHS 'sanctuary' or declined-detainer lists) are covariates, never "
            "outcomes: they describe an agreement or a federal label, not what happened to detainers. This notebook "
            "refuses a policy index as its measure.",
            f"{len(r.analysed)} counties is a very small sample: one unusual county (a small county, or Suffolk, "
            "which includes Boston) can make or break a correlation, so look at the scatter plots, not just the "
            "coefficients.",
        ]
    )


def limitations(r: PoliticsDemographics) -> str:
    from ma_ice_coop.analysis.events import KEY_EVENTS, lunn_287g_text, timeline_row

    lunn = timeline_row(KEY_EVENTS["lunn"])
    s = _detainer_summary(r)
    sources = "; ".join(sorted(set(r.joined["source"])))
    lines = [
        "Unit: facilities run by each county's elected sheriff, rolled up to the county; state prisons (DOC), "
        "federal sites and police lockups are not in any county's measure.",
        f"Measure source: {sources}. Covariate sources and vintages are listed in the table above; each value is "
        f"the latest one at or before {r.covariate_year}, so the measure's period ({r.period.start} to "
        f"{r.period.end}) and the covariates' years need not match: the key findings say when they do not.",
        f"A county whose sheriff runs no jail has no value for a jail measure (not a zero) and is left out: "
        f"{_join(counties_without_jail())}. Ties (many counties with the same value, e.g. zero) make Spearman's rho "
        "unreliable and leave the permutation test few distinct ranks; the rank-correlation table counts them.",
        f"Rank correlations use two-sided Monte Carlo permutation p-values ({N_PERMUTATIONS} shuffles, fixed seed), "
        "which make no distributional assumption; the GLM uses t-based intervals with the residual degrees of "
        "freedom and a Pearson dispersion; "
        "the detainer-level model uses variational Bayes, which understates uncertainty, the more so with only "
        f"{s['counties']} counties. Beside each model with several covariates their weighted correlation is shown; "
        f"above {models.COLLINEARITY_LIMIT} the county model carries a warning and the detainer-level model is "
        "not fitted.",
        f"At most {models.MAX_COVARIATES} covariates are allowed: with so few counties more would fit noise. "
        "No adjustment can rule out other county differences (urban or rural setting, ICE field-office practice, "
        "who is arrested) that go with both politics or demographics and cooperation.",
        f"The FY2015 detainer records predate Lunn ({lunn['date']}). {lunn_287g_text(md_source_links)} So FY2015 associations "
        f"say nothing about later practice. {fmt_pct(s['unresolved'] / s['detainers'])} of the FY2015 detainers at "
        "sheriff-run facilities have no recorded outcome, and 'declined' is a lower bound (ICE records only the declines it "
        "learns of).",
    ]
    if r.measure in measures.JAIL_ARREST_MEASURES:
        lines.append(
            "ICE arrests at jails come from free-text landmarks pooled over the whole period, with no link "
            "to detainers: some arrests cannot be placed in any county and some may be placed in the wrong "
            "one, so a county's count can be too low or too high."
        )
    if r.measure.endswith("per_100k") or r.measure.endswith("foreign_born"):
        lines.append(
            "The denominator counts residents, a proxy for the people who pass through a county's jails "
            "(no jail population or bookings are used here)."
        )
    if "foreign_born_share" in r.covariates:
        lines.append(
            "Foreign-born share exists only for 2010 (ACS 2006-10) and 2016 (ACS 2012-16) in the data; "
            "non-citizen share is not available."
        )
    missing = {v: c for v, c in _missing_covariates(r).items() if c}
    if "sheriff_republican" in missing:
        lines.append(
            f"The sheriff's party is not recorded in data/reference/sheriffs.csv for "
            f"{_join(missing['sheriff_republican'])} in {r.covariate_year}; "
            f"{'that county is' if len(missing['sheriff_republican']) == 1 else 'those counties are'} "
            "left out of analyses using sheriff_republican rather than guessed."
        )
    return bullet_list(lines)
