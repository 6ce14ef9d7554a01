"""Checks for Lab 3 (politics, demographics and 14 counties), computed from the processed tables through the
project's tested functions, never from the lab's cells: the outcome is measures.measure_table(OUTCOME) (ICE arrests
at the sheriff-run jails per 100,000 residents per year, 2011-10-01..2023-01-29; Nantucket, with no jail, left out:
data/reference/counties.csv), the covariates their latest values at or before the lab's covariate year
(county_covariates_wide; the lab passes its year to use_covariate_year), rho and p from models.permutation_spearman,
r from models.weighted_covariate_correlations, the dispersion from models.quasi_binomial_glm."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import stats

from ma_ice_coop.analysis import measures, models
from ma_ice_coop.io import read_processed
from ma_ice_coop.labs.checking import CannotCheck, Example, NotYet, choice, exercise, known_mistake, number
from ma_ice_coop.tables.loaders.covariates import county_covariates_wide
from ma_ice_coop.tables.reference import load_counties

OUTCOME = "jail_arrests_per_100k"
DEM, FB, REP = "pres_dem_share", "foreign_born_share", "pres_rep_share"
COVARIATES = (DEM, FB)
N_SHUFFLES, SEED, DEFAULT_YEAR = 9_999, 20170724, 2016
_settings = {"covariate_year": DEFAULT_YEAR}

WHY = {  # why each likely mistake is wrong, as the check says it
    "pearson": "that is Pearson's r of the values; Spearman's rho correlates ranks: use stats.spearmanr.",
    "count": "you used the count of arrests, not the rate per 100,000: counts rank the big counties first.",
    "nantucket": "you gave Nantucket a rate of zero: it has no jail, so no rate. Use the rows of `analysis`.",
    "fb": "that is the rho for the foreign-born share; this exercise asks for pres_dem_share.",
    "rep": "that is the rho for the Republican share of the vote; use pres_dem_share.",
    "plus_one": "add one to the count and to the number of shuffles: (count + 1) / (n_shuffles + 1).",
    "one_sided": "you counted one side only: the test is two-sided, so compare |rho| (np.abs) with |observed|.",
    "ties": "shuffles whose |rho| equals the observed |rho| count too (>=, not >): many shuffles tie exactly.",
    "scipy_p": "that is scipy's p-value from a t approximation, not the permutation p: count your shuffles.",
    "spearman": "that is Spearman's rho; this exercise asks for Pearson's r (Series.corr's default).",
    "weighted": "that r is weighted (by person-years); this exercise counts each county once.",
    "nantucket_cov": "you included Nantucket: it has covariates but no jail. Use the rows of `analysis`.",
    "squared": "that is r squared; give r itself (its sign says whether the covariates rise together).",
    "scale_1": "1 is the scale the plain binomial model assumes, not an estimate: compute chi-square / df.",
    "chi2": "divide Pearson's chi-square by the residual degrees of freedom (plain.df_resid).",
    "nobs": "divide by the residual degrees of freedom (rows minus parameters), not by the number of rows.",
    "deviance": "that is the deviance-based dispersion; use Pearson's chi-square (plain.pearson_chi2) / df.",
    "x2": "that is fit(scale='X2') with the two-column formula: statsmodels 0.15 leaves out the trials there.",
}


def use_covariate_year(year: int) -> None:
    """Make the checks use the covariates' latest values at or before `year` (the lab's parameter)."""
    _settings["covariate_year"] = int(year)


@functools.lru_cache(maxsize=8)
def _counties(year: int) -> pd.DataFrame:
    """All 14 counties by FIPS: arrests (ICE arrests at the jails), person_years, rate (per 100,000 residents per
    year; NaN without a jail), has_jail, and the covariates (shares 0-1, latest value at or before `year`)."""
    table = measures.measure_table(OUTCOME)[["county_fips", "county", "numerator", "denominator", "estimate"]]
    table = table.rename(columns={"numerator": "arrests", "denominator": "person_years", "estimate": "rate"})
    panel = read_processed("county_covariates")
    wide = county_covariates_wide(year, panel=panel, variables=[DEM, FB, REP]).drop(columns="county")
    jail = load_counties().set_index("county_fips")["houses_own_prisoners"].astype(bool)
    out = table.merge(wide, on="county_fips", how="left", validate="one_to_one")
    return out.assign(has_jail=out["county_fips"].map(jail)).sort_values("county_fips", ignore_index=True)


def _analysed() -> pd.DataFrame:
    """The counties with a jail of their own (the lab's `analysis` table), at the lab's covariate year."""
    return _counties(_settings["covariate_year"]).query("has_jail").reset_index(drop=True)


def _need(var: str) -> None:
    """Refuse, in words, an exercise on a covariate the panel has no value for at or before the year."""
    if _analysed()[var].isna().all():
        years = read_processed("county_covariates").query("variable == @var and value.notna()")["year"]
        years = sorted(years.unique().tolist())
        raise CannotCheck(
            f"the covariate panel has no {var} at or before {_settings['covariate_year']} (only {years}), so this "
            f"exercise cannot be done for this year: rerun the lab with covariate_year {years[0]} or later."
        )


def _spearman(x, y) -> float:
    return float(stats.spearmanr(x, y).statistic)


def _real(value) -> float | None:
    """A finite number as a float, else None (the comparisons of checking.py then say what is wrong)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    return float(value) if math.isfinite(float(value)) else None


def _say_mistake(answer, right: float, mistakes: list[tuple[float, str]], rel: float) -> None:
    """NotYet with WHY[key] (or the key itself, a message) for the first (value, key) mistake the answer is."""
    known_mistake(answer, [(WHY.get(key, key), wrong) for wrong, key in mistakes], right, rel)


def expected_1() -> float:
    """Spearman's rho (-1..1) of the Democratic share of the presidential vote with the arrest rate, counties with
    a jail (models.permutation_spearman)."""
    data = _analysed()
    return float(models.permutation_spearman(data[DEM], data["rate"], n_permutations=1)["rho"])


def _mistakes_1() -> list[tuple[float, str]]:
    data, all14 = _analysed(), _counties(_settings["covariate_year"])
    return [
        (float(stats.pearsonr(data[DEM], data["rate"]).statistic), "pearson"),
        (_spearman(data[DEM], data["arrests"]), "count"),
        (_spearman(all14[DEM], all14["rate"].fillna(0)), "nantucket"),
        (_spearman(data[FB], data["rate"]), "fb"),
        (_spearman(data[REP], data["rate"]), "rep"),
    ]


@exercise("3.1", right="That is Spearman's rho: the counties' ranks on the vote and on the rate, correlated.")
def exercise_1(rho_dem):
    """rho_dem: Spearman's rho of pres_dem_share with the arrest rate over the counties with a jail."""
    right = expected_1()
    _say_mistake(rho_dem, right, _mistakes_1(), rel=0.01)
    number(rho_dem, right, what="rho_dem", rel=0.01, hint="Use stats.spearmanr on `analysis`; do not round.")


@functools.lru_cache(maxsize=8)
def _shuffled_rhos(year: int) -> tuple[float, np.ndarray]:
    """(observed rho, rho of the foreign-born share with each of N_SHUFFLES shuffles of the rates' ranks), drawn
    as the lab and models.permutation_spearman draw them (default_rng(SEED).permuted on the tiled ranks)."""
    data = _counties(year).query("has_jail")
    shuffled = np.random.default_rng(SEED).permuted(np.tile(stats.rankdata(data["rate"]), (N_SHUFFLES, 1)), axis=1)
    rx = stats.rankdata(data[FB]) - (len(data) + 1) / 2
    ry = shuffled - shuffled.mean(axis=1, keepdims=True)
    return _spearman(data[FB], data["rate"]), ry @ rx / np.sqrt((rx @ rx) * (ry**2).sum(axis=1))


def expected_2() -> dict:
    """p_value: the two-sided permutation p-value (share 0-1) of Spearman's rho of the foreign-born share with the
    arrest rate (models.permutation_spearman, N_SHUFFLES shuffles, seed SEED); p_dem: the same for the Democratic
    share; observed: rho; perm_rho: the shuffled rhos the lab's shuffles give."""
    data = _analysed()
    p = [models.permutation_spearman(data[v], data["rate"], n_permutations=N_SHUFFLES, seed=SEED) for v in COVARIATES]
    observed, perm = _shuffled_rhos(_settings["covariate_year"])
    return {"p_dem": p[0]["p_value"], "p_value": p[1]["p_value"], "observed": observed, "perm_rho": perm}


def _own_p_values(perm: np.ndarray, observed: float) -> dict[str, float]:
    """The p-values a student's shuffled rhos give: right (ties with or without a margin), likely mistakes."""
    at_least = np.abs(perm) >= abs(observed) - 1e-9
    one_side = perm >= observed - 1e-9 if observed >= 0 else perm <= observed + 1e-9
    return {
        "right": (at_least.sum() + 1) / (len(perm) + 1),
        "right_exact": ((np.abs(perm) >= abs(observed)).sum() + 1) / (len(perm) + 1),
        "plus_one": at_least.sum() / len(perm),
        "one_sided": (one_side.sum() + 1) / (len(perm) + 1),
        "ties": ((np.abs(perm) > abs(observed) + 1e-9).sum() + 1) / (len(perm) + 1),
    }


def _check_shuffles(perm_rho_fb) -> np.ndarray:
    perm = np.asarray(perm_rho_fb, dtype=float).ravel()
    if len(perm) != N_SHUFFLES:
        raise NotYet(f"perm_rho_fb should hold one rho per shuffle ({N_SHUFFLES:,} of them); yours has {len(perm):,}.")
    if np.isnan(perm).any() or np.ptp(perm) < 1e-12 or np.abs(perm).max() > 1 + 1e-9:
        raise NotYet("perm_rho_fb should hold rhos (-1..1, none blank) of shuffled rates: use spearman_rows.")
    if abs(perm.mean()) > 0.03 or abs(perm.std() * math.sqrt(len(_analysed()) - 1) - 1) > 0.1:
        raise NotYet("perm_rho_fb does not look like rhos of a covariate with shuffled rates (centred on zero).")
    return perm


@exercise("3.2", right="That is the two-sided permutation p-value, with the +1 correction and ties counted.")
def exercise_2(perm_rho_fb, p_fb):
    """perm_rho_fb: the N_SHUFFLES shuffled rhos; p_fb: the two-sided permutation p-value (a share, 0-1)."""
    _need(FB)
    perm, p, want = _check_shuffles(perm_rho_fb), _real(p_fb), expected_2()
    if p is None or p > 1:
        raise NotYet("p_fb should be one number, a share of the shuffles between 0 and 1, not a count or a percentage.")
    own = _own_p_values(perm, want["observed"])
    if not any(math.isclose(p, own[key], abs_tol=1e-9) for key in ("right", "right_exact")):
        scipy_p = float(stats.spearmanr(_analysed()[FB], _analysed()["rate"]).pvalue)
        _say_mistake(p, -1.0, [(own[k], k) for k in ("plus_one", "one_sided", "ties")] + [(scipy_p, "scipy_p")], 1e-9)
        if abs(p - own["right"]) < 0.01:
            raise NotYet("p_fb is close to what your shuffles give, but not equal to it: do not round it.")
        raise NotYet("p_fb is not the share of your shuffles with |rho| at least the observed |rho|.")
    noise = 4 * math.sqrt(2 * want["p_value"] * (1 - want["p_value"]) / N_SHUFFLES) + 2 / N_SHUFFLES
    if abs(p - want["p_dem"]) <= noise < abs(p - want["p_value"]):
        raise NotYet("that looks like the p-value for the Democratic vote share: use the foreign-born share.")
    if abs(p - want["p_value"]) > noise:
        raise NotYet("your shuffled rhos are not those of the foreign-born share with the shuffled rates.")


def expected_3() -> float:
    """Pearson's r (-1..1) of the Democratic vote share with the foreign-born share across the counties with a
    jail, each counted once (models.weighted_covariate_correlations, no weights)."""
    return float(models.weighted_covariate_correlations(_analysed(), [DEM, FB])["r"].iloc[0])


@exercise("3.3", right="That is Pearson's r between the two covariates, each county counted once.")
def exercise_3(r_dem_fb):
    """r_dem_fb: Pearson's r of pres_dem_share with foreign_born_share over the counties with a jail."""
    _need(FB)
    right, data, all14 = expected_3(), _analysed(), _counties(_settings["covariate_year"])
    weighted = models.weighted_covariate_correlations(data, [DEM, FB], data["person_years"])["r"].iloc[0]
    mistakes = [(_spearman(data[DEM], data[FB]), "spearman"), (weighted, "weighted")]
    mistakes += [(all14[DEM].corr(all14[FB]), "nantucket_cov"), (right**2, "squared")]
    _say_mistake(r_dem_fb, right, mistakes, rel=0.01)
    number(r_dem_fb, right, what="r_dem_fb", rel=0.01, hint="Use the two columns of `analysis`; do not round.")


@functools.lru_cache(maxsize=32)
def _plain_fit(year: int, covariates: tuple[str, ...]):
    """(model, fit): the plain binomial GLM of arrests out of person-years, two-column formula, scale 1."""
    # imported here, not with the module: statsmodels is slow to import and only this check needs it
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    data = _counties(year).query("has_jail").assign(not_arrested=lambda d: d["person_years"] - d["arrests"])
    model = smf.glm(f"arrests + not_arrested ~ {' + '.join(covariates)}", data=data, family=sm.families.Binomial())
    return model, model.fit()


def expected_4() -> float:
    """The quasi-binomial GLM's dispersion (Pearson chi-square / residual df, no unit) of the arrests out of the
    person-years on the covariates the year has (models.quasi_binomial_glm)."""
    covariates = [var for var in COVARIATES if _analysed()[var].notna().all()]  # those the lab's GLM has
    fit = models.quasi_binomial_glm(_analysed(), successes="arrests", trials="person_years", covariates=covariates)
    return float(fit.dispersion)


def _mistakes_4() -> list[tuple[float, str]]:
    covariates = tuple(var for var in COVARIATES if _analysed()[var].notna().all())
    model, plain = _plain_fit(_settings["covariate_year"], covariates)
    out = [(1.0, "scale_1"), (plain.pearson_chi2, "chi2"), (plain.pearson_chi2 / plain.nobs, "nobs")]
    out += [(plain.deviance / plain.df_resid, "deviance"), (float(model.fit(scale="X2").scale), "x2")]
    for var in covariates if len(covariates) > 1 else ():
        single = _plain_fit(_settings["covariate_year"], (var,))[1]
        why = f"that is the dispersion of a model with {var} alone; this exercise's model has both covariates."
        out.append((single.pearson_chi2 / single.df_resid, why))
    return out


@exercise("3.4", right="That is the dispersion, Pearson's chi-square over the residual degrees of freedom.")
def exercise_4(dispersion):
    """dispersion: Pearson chi-square / residual degrees of freedom of the plain binomial fit (no unit)."""
    right = expected_4()
    _say_mistake(dispersion, right, _mistakes_4(), rel=1e-3)
    number(dispersion, right, what="dispersion", rel=1e-3, hint="Use plain.pearson_chi2 and plain.df_resid.")
    return "Far above 1: the counties differ much more than binomial chance would make them." if right > 2 else ""


ECOLOGICAL_OPTIONS = {
    "a": "that claims what sheriffs chose, which the data cannot show: arrests at a jail also grow with how many "
    "people ICE seeks are booked there, and with ICE's own practice. An association is not a motive or a cause.",
    "b": "that is a claim about individual voters drawn from county totals (the ecological fallacy): a county's vote "
    "share says nothing about what any one voter thinks about ICE.",
    "c": None,
    "d": "that is a claim about individuals drawn from county figures (the ecological fallacy): the rate is per "
    "resident, not per immigrant, and nothing here says who was arrested or where they live.",
}


@exercise("3.5", right="County figures describe counties: they cannot say how any person was treated, or why.")
def exercise_5(answer):
    """answer: 'a', 'b', 'c' or 'd' (ECOLOGICAL_OPTIONS)."""
    choice(answer, ECOLOGICAL_OPTIONS, what="answer")


def examples() -> list[Example]:
    """Right and plausible wrong answers for every exercise, at the default covariate year."""
    use_covariate_year(DEFAULT_YEAR)
    data, all14, want, m1, m4 = _analysed(), _counties(DEFAULT_YEAR), expected_2(), _mistakes_1(), _mistakes_4()
    perm, own = want["perm_rho"], _own_p_values(want["perm_rho"], want["observed"])
    return [
        Example("3.1", (expected_1(),), True),
        *[Example("3.1", (m1[i][0],), False, s) for i, s in enumerate(["Pearson", "count of", "Nantucket", "foreign"])],
        Example("3.2", (perm, own["right"]), True),
        Example("3.2", (list(perm), float(own["right_exact"])), True),
        Example("3.2", (perm, own["plus_one"]), False, "add one"),
        Example("3.2", (perm, own["one_sided"]), False, "two-sided"),
        Example("3.2", (perm, float(stats.spearmanr(data[FB], data["rate"]).pvalue)), False, "t approximation"),
        Example("3.2", (perm[:999], own["right"]), False, "one rho per shuffle"),
        Example("3.2", (perm, 100 * own["right"]), False, "percentage"),
        Example("3.3", (expected_3(),), True),
        Example("3.3", (_spearman(data[DEM], data[FB]),), False, "Spearman"),
        Example("3.3", (expected_3() ** 2,), False, "squared"),
        Example("3.3", (float(all14[DEM].corr(all14[FB])),), False, "Nantucket"),
        Example("3.4", (expected_4(),), True),
        *[Example("3.4", (m4[i][0],), False, s) for i, s in [(0, "scale"), (1, "degrees of"), (4, "X2"), (5, "alone")]],
        Example("3.5", ("c",), True),
        Example("3.5", ("a",), False, "cause"),
        Example("3.5", ("d",), False, "ecological fallacy"),
        Example("3.5", ("e",), False, "answer one of"),
    ]
