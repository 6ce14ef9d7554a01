"""The notebook's result: one measure joined to county covariates, rank correlations and two models."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.io import read_processed
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
from ma_ice_coop.tables.reference import load_counties
from ma_ice_coop.views.politics_demographics.definitions import (
    DENOMINATOR_LABELS,
    JAIL_MEASURES,
    MIN_MIXED_GROUPS,
    N_PERMUTATIONS,
    POPULATION_RATES,
)


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


def check_parameters(measure: str, covariates, covariate_year) -> list[str]:
    """Validate the notebook's parameters beyond their registry types; returns the covariate list."""
    if measure not in measures.MEASURES:
        raise ParameterError(f"unknown measure {measure!r}; valid measures: {', '.join(measures.MEASURES)}")
    if any(index in measure.lower() for index in ("287g", "dhs_list", "sanctuary")):
        valid = [name for name in measures.MEASURES if "287g" not in name]
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
    joined, excluded = mark_exclusions(measure, joined.sort_values("county_fips", ignore_index=True))
    analysed = joined[joined["in_analysis"]].reset_index(drop=True)

    correlations = models.rank_correlations(
        analysed, "estimate", covariates, small="small", n_permutations=N_PERMUTATIONS, seed=models.DEFAULT_SEED
    )
    glm, glm_reason = fit_glm(measure, kind, analysed, covariates, covariate_year)
    rows = detainer_rows(wide, covariates)
    mixed, mixed_reason, mixed_dropped = fit_mixed(rows, covariates, covariate_year)
    custody_correlations = models.rank_correlations(
        county_custody_shares(rows, covariates),
        "custody_share",
        covariates,
        n_permutations=N_PERMUTATIONS,
        seed=models.DEFAULT_SEED,
    )
    return PoliticsDemographics(
        measure=measure,
        kind=kind,
        period=period,
        covariates=covariates,
        covariate_year=covariate_year,
        joined=joined,
        analysed=analysed,
        excluded=excluded,
        covariate_info=covariate_info(panel, wide, variables),
        correlations=correlations,
        glm=glm,
        glm_reason=glm_reason,
        detainer_rows=rows,
        mixed=mixed,
        mixed_reason=mixed_reason,
        mixed_dropped=mixed_dropped,
        custody_correlations=custody_correlations,
        small=analysed.loc[analysed["small"], "county"].tolist(),
    )


def counties_without_jail() -> dict[str, str]:
    """County -> the reason it has no value for a jail measure (houses_own_prisoners false in counties.csv)."""
    counties = load_counties()
    names = dict(zip(counties["county_fips"], counties["county"], strict=True))
    out = {}
    for row in counties[~counties["houses_own_prisoners"].astype(bool)].to_dict("records"):
        host = names.get(str(row.get("prisoners_held_in") or ""), "another county")
        out[row["county"]] = (
            f"its sheriff runs no jail and its prisoners are held in {host}'s, so it has no value "
            "for a jail measure, not a zero; houses_own_prisoners = false in "
            "data/reference/counties.csv"
        )
    return out


def mark_exclusions(measure: str, joined: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    joined = joined.assign(in_analysis=[not reason for reason in reasons], exclusion=reasons)
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


def fit_glm(measure: str, kind: str, analysed: pd.DataFrame, covariates: list[str], covariate_year: int):
    """The quasi-binomial GLM where the measure has a meaningful denominator, else (None, reason)."""
    empty = [var for var in covariates if analysed[var].isna().all()]
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
    detainers = read_processed("detainers")
    period = measures.FY2015_DETAINERS
    keep = (
        (detainers["facility_state"] == "MASSACHUSETTS")
        & (detainers["operator_type"] == "sheriff")
        & period.contains(detainers["prepare_date"])
        & detainers["sheriff_county_fips"].notna()
    )
    rows = detainers.loc[keep, ["prepare_date", "facility_id", "sheriff_county_fips", "outcome"]].copy()
    rows["custody"] = (rows["outcome"] == "custody").astype("int64")
    county_values = wide[["county_fips", "county", *covariates]].rename(columns={"county_fips": "sheriff_county_fips"})
    rows = rows.merge(county_values, on="sheriff_county_fips", how="left", validate="many_to_one")
    return rows.sort_values(["sheriff_county_fips", "prepare_date", "facility_id"], ignore_index=True)


def county_custody_shares(rows: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Per county with FY2015 detainers: detainers, custody, observed custody share and the covariates."""
    by_county = rows.groupby(["sheriff_county_fips", "county"], sort=True)
    out = by_county.agg(detainers=("custody", "size"), custody=("custody", "sum")).reset_index()
    out["custody_share"] = out["custody"] / out["detainers"]
    first = by_county[covariates].first().reset_index(drop=True)
    return pd.concat([out, first], axis=1)


def fit_mixed(rows: pd.DataFrame, covariates: list[str], covariate_year: int):
    """The county random-intercept model on the detainer rows, when the covariates exist for the counties."""
    per_county = rows.groupby(["sheriff_county_fips", "county"], sort=True).size().rename("detainers").reset_index()
    dropped = []
    for county in per_county.itertuples():
        values = rows.loc[rows["sheriff_county_fips"] == county.sheriff_county_fips, covariates].iloc[0]
        missing = [var for var in covariates if pd.isna(values[var])]
        if missing:
            dropped.append({"county": county.county, "detainers": int(county.detainers), "missing": ", ".join(missing)})
    dropped = pd.DataFrame(dropped, columns=["county", "detainers", "missing"])
    for var in covariates:
        if rows[var].isna().all():
            reason = (
                f"{var} has no value at or before {covariate_year} for any county with detainers, so "
                "the detainer-level model cannot use it. Choose another covariate or year."
            )
            return None, reason, dropped
    kept = per_county["county"].nunique() - len(dropped)
    if kept < MIN_MIXED_GROUPS:
        reason = (
            f"only {kept} counties with detainers have every covariate; at least {MIN_MIXED_GROUPS} "
            "are needed to estimate a between-county spread."
        )
        return None, reason, dropped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = models.mixed_binomial_glm(
            rows, outcome="custody", group="sheriff_county_fips", covariates=covariates, standardize=True
        )
    return fit, "", dropped


def mixed_fitted(report: PoliticsDemographics) -> bool:
    """Whether the detainer-level model has estimates (it was fitted and its covariates could be separated)."""
    return report.mixed is not None and not report.mixed.fixed_effects["estimate"].isna().all()
