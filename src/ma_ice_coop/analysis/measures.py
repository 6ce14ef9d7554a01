"""Cooperation measures: tidy tables with numerator, denominator, estimate and a 95% interval.

Every measure is computed for sheriff-run facilities per county (`sheriff_county_fips`); state DOC,
federal, ICE, police, court and State Police facilities are measured in their own rows
(`agency_measures`), never folded into a county. Every county appears for every measure: a zero is a
zero. Proportions carry Jeffreys intervals; counts and rates carry exact (Garwood) Poisson intervals;
complete administrative counts (days, headcounts, agreement years) carry no sampling interval (blank).

Columns of every measure table (MEASURE_COLUMNS):
county_fips, county, measure, period_start, period_end (ISO dates), numerator, denominator,
estimate, ci_low, ci_high, source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ma_ice_coop.errors import ParameterError
from ma_ice_coop.tables.schemas import COUNTY_FIPS

MEASURE_COLUMNS = [
    "county_fips",
    "county",
    "measure",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "estimate",
    "ci_low",
    "ci_high",
    "source",
]
AGENCY_COLUMNS = ["agency_group", *MEASURE_COLUMNS[2:]]
PER_100K = 100_000

# The denominator of the jail measures: residents stand in for the jail population (no bookings or jail
# population source is used), counted where their county's prisoners are held.
JAIL_RESIDENTS = (
    "the residents whose prisoners the county's jails hold (data/reference/counties.csv "
    "prisoners_held_in: Barnstable's jail also holds Nantucket's prisoners, so Nantucket's residents count "
    "in Barnstable and Nantucket, with no jail, has no denominator and a blank rate), a proxy for the jail "
    "population"
)
OPERATIONAL_287G_RULE = (
    "a calendar year counts when the agreement was in force and operating for at least part of it, "
    "from the first to the last date a source (ICE list, Washington Post flag or dated report) shows "
    "it in force; the days between the last such date and a known exit do not count (so Barnstable's "
    "last days, in January 2023, are not an operational year); agreements that never "
    "operated are paper years (agreement_287g_paper_years)"
)

# What each measure id means (units in brackets); the downloads README is generated from this.
MEASURES = {
    "detainers_lodged": "ICE detainers lodged at the county's sheriff-run jails and HOCs [count]; interval: exact Poisson",
    "detainers_per_100k": "detainers lodged per 100,000 residents over the period [rate]; denominator: "
    + JAIL_RESIDENTS,
    "custody_share": "share of detainers whose lift reason is 'Booked into Detention' (ICE took custody) [0-1]; denominator: all detainers",
    "custody_share_resolved": "custody share among resolved detainers (lift reason recorded) [0-1]",
    "custody_share_shrunk": "custody share after beta-binomial empirical-Bayes shrinkage toward the pool of the 14 counties' sheriff facilities (never pooled with DOC, police or ICE offices) [0-1]; interval: posterior 95%, blank where the fitted prior sits at a bound of the optimiser",
    "custody_share_shrunk_prior_low": "custody_share_shrunk with the prior's concentration (alpha + beta) at the low end of its 95% profile-likelihood range: least shrinkage [0-1]; sensitivity to the prior",
    "custody_share_shrunk_prior_high": "custody_share_shrunk with the prior's concentration at the high end of its 95% profile-likelihood range (the optimiser's cap, 1e4, when the range is open above): most shrinkage [0-1]; sensitivity to the prior",
    "declined_share": "share with lift reason 'Detainer Declined by LEA' [0-1]; a lower bound: ICE records only declines it learns of",
    "declined_share_broad": "declined share counting also releases without transfer (Early Release etc.) [0-1]; sensitivity",
    "unresolved_share": "share with no lift reason recorded (pending or never papered) [0-1]",
    "recorded_declines": "ICE-recorded declined detainers per sheriff facility-year [declines per facility-year]; numerator: declines; denominator: facility-years, the partial years of the source (2007 from 2007-10-01, 2015 to 2015-07-19) counted as fractions of a year; an absent facility-year had zero",
    "jail_arrests": "ICE arrests recorded at the county's sheriff-run jails, pooled 2011-10-01..2023-01-29 [count]; placed from free-text landmarks, so misplacement can raise or lower a count: see jail_arrests_low and jail_arrests_high",
    "jail_arrests_low": "jail_arrests without the ambiguous landmarks placed at the county's jails (text naming an ICE program or unit rather than a place, or a town with several facilities; tagged '[sensitivity: out]' in data/reference/facility_aliases.csv) [count]; sensitivity range, low end",
    "jail_arrests_high": "jail_arrests plus the unplaced landmarks that name only a place holding one of the county's jails (tagged '[sensitivity: in <facility>]' in data/reference/facility_aliases.csv) [count]; sensitivity range, high end",
    "jail_arrests_per_100k": "jail arrests per 100,000 residents per year [rate]; denominator: person-years of "
    + JAIL_RESIDENTS,
    "jail_arrests_per_100k_low": "jail_arrests_low per 100,000 residents per year [rate]; denominator as jail_arrests_per_100k; sensitivity range, low end",
    "jail_arrests_per_100k_high": "jail_arrests_high per 100,000 residents per year [rate]; denominator as jail_arrests_per_100k; sensitivity range, high end",
    "jail_arrests_per_1k_foreign_born": "jail arrests per 1,000 foreign-born residents per year [rate]; denominator: foreign-born person-years (ACS 2012-16) of "
    + JAIL_RESIDENTS,
    "detention_contract_days": "days with at least one ICE detainee held in the county's sheriff-run facilities [days]; denominator: days in the period; per fiscal year and whole periods (from 2011-10-01: complete records; from 2008-09-06: undercounts the days before 2011-10-01)",
    "mean_daily_ice_headcount": "mean ICE detainees held per day in the county's sheriff-run facilities [persons]; numerator: person-days; per fiscal year and whole periods as detention_contract_days",
    "ice_adp_year_end": "average daily ICE detainee population in the county's sheriff-run facilities, ICE year-end statistics [persons]",
    "agreement_287g_years": "operational 287(g) years of the county's sheriff [years]: "
    + OPERATIONAL_287G_RULE
    + "; denominator: years in the period",
    "agreement_287g_paper_years": "paper-only 287(g) years of the county's sheriff [years]: calendar years covered by an agreement that was signed and on ICE's lists but never operated (Barnstable 2007-2009); never counted in agreement_287g_years; denominator: years in the period",
}


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ParameterError(f"period end {self.end} is before its start {self.start}")

    @classmethod
    def parse(cls, start: str, end: str) -> "Period":
        try:
            return cls(date.fromisoformat(str(start)), date.fromisoformat(str(end)))
        except ValueError as exc:
            raise ParameterError(f"period dates must be ISO dates (YYYY-MM-DD), got {start!r}..{end!r}") from exc

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    def contains(self, dates: pd.Series) -> pd.Series:
        return (dates >= pd.Timestamp(self.start)) & (dates <= pd.Timestamp(self.end))

    def within(self, other: "Period") -> bool:
        return other.start <= self.start and self.end <= other.end


# Coverage of the sources (see data/sources.yaml and the SOURCE.md files of the mirror).
FY2015_DETAINERS = Period(date(2014, 10, 1), date(2015, 7, 19))
NPR_DECLINES = Period(date(2007, 10, 1), date(2015, 7, 19))
JAIL_ARRESTS = Period(date(2011, 10, 1), date(2023, 1, 29))
ICE_DETENTION_DAILY = Period(date(2008, 9, 6), date(2024, 1, 4))
AGREEMENTS_287G = Period(date(2005, 1, 1), date(2025, 12, 31))
ICE_YEAR_END_STATS = Period(date(2018, 10, 1), date(2025, 9, 25))
# ICE detention stays are recorded from 2011-10-01 on: the whole period with complete records.
DETENTION_COMPLETE = Period(date(2011, 10, 1), ICE_DETENTION_DAILY.end)

DETAINER_MEASURES = (
    "detainers_lodged",
    "detainers_per_100k",
    "custody_share",
    "custody_share_resolved",
    "custody_share_shrunk",
    "custody_share_shrunk_prior_low",
    "custody_share_shrunk_prior_high",
    "declined_share",
    "declined_share_broad",
    "unresolved_share",
)
JAIL_ARREST_MEASURES = (
    "jail_arrests",
    "jail_arrests_low",
    "jail_arrests_high",
    "jail_arrests_per_100k",
    "jail_arrests_per_100k_low",
    "jail_arrests_per_100k_high",
    "jail_arrests_per_1k_foreign_born",
)
DETENTION_MEASURES = ("detention_contract_days", "mean_daily_ice_headcount")
AGREEMENT_MEASURES = ("agreement_287g_years", "agreement_287g_paper_years")


def measure_coverage(measure: str) -> Period:
    """The dates a measure can be computed for (the coverage of its source)."""
    if measure not in MEASURES:
        raise ParameterError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}")
    if measure in DETAINER_MEASURES:
        return FY2015_DETAINERS
    if measure in JAIL_ARREST_MEASURES:
        return JAIL_ARRESTS
    if measure in DETENTION_MEASURES:
        return ICE_DETENTION_DAILY
    if measure in AGREEMENT_MEASURES:
        return AGREEMENTS_287G
    return {"recorded_declines": NPR_DECLINES, "ice_adp_year_end": ICE_YEAR_END_STATS}[measure]


# ----------------------------------------------------------------------------- intervals


def proportion_interval(successes, trials, *, method: str = "jeffreys") -> tuple[np.ndarray, np.ndarray]:
    """95% interval for k/n (Jeffreys by default, or Wilson); NaN where n == 0."""
    from statsmodels.stats.proportion import proportion_confint

    if method not in ("jeffreys", "wilson"):
        raise ParameterError(f"interval method {method!r}: use 'jeffreys' or 'wilson' (never the normal approximation)")
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    ok = n > 0
    if ok.any():
        lo, hi = proportion_confint(k[ok], n[ok], alpha=0.05, method=method)
        low[ok], high[ok] = lo, hi
    # Brown, Cai & DasGupta (2001): the Jeffreys interval is closed at 0 when k = 0 and at 1 when k = n.
    low[ok & (k == 0)] = 0.0
    high[ok & (k == n)] = 1.0
    return low, high


def poisson_interval(counts, exposure=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% interval for a Poisson count, divided by `exposure`; NaN where exposure <= 0."""
    k = np.asarray(counts, dtype="float64")
    e = np.broadcast_to(np.asarray(exposure, dtype="float64"), k.shape)
    low = np.where(k > 0, stats.chi2.ppf(0.025, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, low / e, np.nan), np.where(e > 0, high / e, np.nan)


# Bounds of the prior fit: logit of the prior mean, log of its concentration alpha + beta (0.1 .. 1e4).
PRIOR_BOUNDS = [(-10.0, 10.0), (float(np.log(0.1)), float(np.log(1e4)))]


def _groups_with_trials(successes, trials) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    keep = n > 0
    if not keep.any():
        raise ParameterError("no group has any trials: shrinkage needs at least one non-empty group")
    return k[keep], n[keep]


def _negloglik(params, k, n) -> float:
    mean = 1 / (1 + np.exp(-params[0]))
    size = np.exp(params[1])
    return -stats.betabinom.logpmf(k, n, mean * size, (1 - mean) * size).sum()


def fit_beta_binomial(successes, trials, log_size: float | None = None) -> dict:
    """Maximum marginal likelihood Beta prior over groups with n > 0 (concentration fixed if `log_size`).

    Returns alpha, beta, size (alpha + beta), negloglik and at_bound (the fit sits at a bound of PRIOR_BOUNDS,
    e.g. the 1e4 cap on the concentration when groups barely vary: the optimum is not interior)."""
    k, n = _groups_with_trials(successes, trials)
    pooled = min(max(k.sum() / n.sum(), 1e-4), 1 - 1e-4)
    start = np.log(pooled / (1 - pooled))
    if log_size is None:
        fit = optimize.minimize(_negloglik, [start, np.log(10.0)], args=(k, n), method="L-BFGS-B", bounds=PRIOR_BOUNDS)
        x = fit.x
    else:
        fit = optimize.minimize(
            lambda p: _negloglik([p[0], log_size], k, n), [start], method="L-BFGS-B", bounds=PRIOR_BOUNDS[:1]
        )
        x = [fit.x[0], log_size]
    at_bound = any(min(abs(v - lo), abs(v - hi)) < 1e-3 for v, (lo, hi) in zip(x, PRIOR_BOUNDS, strict=True))
    mean, size = 1 / (1 + np.exp(-x[0])), float(np.exp(x[1]))
    return {
        "alpha": float(mean * size),
        "beta": float((1 - mean) * size),
        "size": size,
        "negloglik": float(fit.fun),
        "at_bound": bool(at_bound),
    }


def beta_binomial_prior(successes, trials) -> tuple[float, float]:
    """Empirical-Bayes Beta(alpha, beta) prior: maximum marginal likelihood over groups with n > 0.

    With little between-group variation the fit drives alpha + beta up (full pooling); it is capped at
    1e4 so the estimate stays finite (fit_beta_binomial says when the cap is reached).
    """
    fit = fit_beta_binomial(successes, trials)
    return fit["alpha"], fit["beta"]


def concentration_range(successes, trials, grid: int = 121) -> dict:
    """95% profile-likelihood range of the prior's concentration alpha + beta (prior mean profiled out).

    The range holds every concentration on a log grid over PRIOR_BOUNDS whose profile log-likelihood is
    within chi2(1, 0.95) / 2 of the best; `open_low` / `open_high` say that the range reaches a bound."""
    best = fit_beta_binomial(successes, trials)["negloglik"]
    logs = np.linspace(*PRIOR_BOUNDS[1], grid)
    profile = np.array([fit_beta_binomial(successes, trials, log_size=v)["negloglik"] for v in logs])
    inside = logs[profile - min(best, profile.min()) <= stats.chi2.ppf(0.95, 1) / 2]
    return {
        "low": float(np.exp(inside.min())),
        "high": float(np.exp(inside.max())),
        "open_low": bool(inside.min() <= logs[0]),
        "open_high": bool(inside.max() >= logs[-1]),
    }


def shrunken_proportions(successes, trials, log_size: float | None = None) -> pd.DataFrame:
    """Posterior mean and 95% interval of each group's proportion under the fitted beta-binomial prior
    (concentration fitted, or fixed at exp(log_size) for a sensitivity check).

    Where the fitted prior sits at a bound of the optimiser, the intervals are blank (`at_bound` True):
    a prior at the cap is not an estimate, and intervals under it would look more certain than they are."""
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    fit = fit_beta_binomial(k, n, log_size)
    a, b = fit["alpha"], fit["beta"]
    post_a, post_b = k + a, n - k + b
    empty = n == 0  # a group without data has no estimate of its own: left blank, not the prior
    no_ci = empty | (fit["at_bound"] and log_size is None)
    return pd.DataFrame(
        {
            "estimate": np.where(empty, np.nan, post_a / (post_a + post_b)),
            "ci_low": np.where(no_ci, np.nan, stats.beta.ppf(0.025, post_a, post_b)),
            "ci_high": np.where(no_ci, np.nan, stats.beta.ppf(0.975, post_a, post_b)),
            "prior_alpha": a,
            "prior_beta": b,
            "at_bound": fit["at_bound"],
        }
    )


def shrinkage_sensitivity(successes, trials) -> dict:
    """Shrunken proportions under the fitted prior and at both ends of the concentration's 95% range."""
    span = concentration_range(successes, trials)
    return {
        "range": span,
        "fitted": shrunken_proportions(successes, trials),
        "low": shrunken_proportions(successes, trials, float(np.log(span["low"]))),
        "high": shrunken_proportions(successes, trials, float(np.log(span["high"]))),
    }


# ----------------------------------------------------------------------------- helpers


def county_frame() -> pd.DataFrame:
    """The 14 counties (county_fips, county) from data/reference/counties.csv."""
    from ma_ice_coop.tables.reference import load_counties

    counties = load_counties()[["county_fips", "county"]]
    return counties.sort_values("county_fips", ignore_index=True)


def _by_county(values: pd.Series, fill=0) -> pd.Series:
    """A county-indexed series over all 14 counties (absent counties get `fill`)."""
    return values.reindex(COUNTY_FIPS).fillna(fill)


def _table(
    measure: str,
    period: Period,
    numerator,
    denominator,
    estimate,
    ci_low,
    ci_high,
    source: str,
    keys=COUNTY_FIPS,
    key_name: str = "county_fips",
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            key_name: list(keys),
            "measure": measure,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "numerator": np.asarray(numerator, dtype="float64"),
            "denominator": np.asarray(denominator, dtype="float64"),
            "estimate": np.asarray(estimate, dtype="float64"),
            "ci_low": np.asarray(ci_low, dtype="float64"),
            "ci_high": np.asarray(ci_high, dtype="float64"),
            "source": source,
        }
    )
    return out


def _with_county_names(table: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(county_frame()["county_fips"], county_frame()["county"], strict=True))
    table = table.copy()
    table.insert(1, "county", table["county_fips"].map(names))
    return table[MEASURE_COLUMNS]


def population(year: int, covariates: pd.DataFrame | None = None) -> pd.Series:
    """County population (persons) in `year` or the latest year before it, indexed by county_fips."""
    from ma_ice_coop.tables.loaders.covariates import county_covariates_wide

    wide = county_covariates_wide(year, panel=covariates, variables=["population"])
    return wide.set_index("county_fips")["population"]


def jail_host() -> dict[str, str]:
    """county_fips -> county_fips of the jail that holds its prisoners (itself unless counties.csv
    prisoners_held_in names another county: Nantucket -> Barnstable)."""
    from ma_ice_coop.tables.reference import load_counties

    counties = load_counties()
    return {f: (h or f) for f, h in zip(counties["county_fips"], counties["prisoners_held_in"], strict=True)}


def jail_residents(values: pd.Series) -> pd.Series:
    """Per county (all 14): a county-indexed count of residents summed over the counties whose prisoners its
    jails hold; 0 for a county with no jail. The denominator of the jail measures (a proxy for jail population)."""
    host = jail_host()
    v = values.reindex(COUNTY_FIPS).astype("float64")
    return v.groupby(v.index.map(host)).sum().reindex(COUNTY_FIPS).fillna(0.0)


def _check_period(period: Period, coverage: Period, what: str) -> None:
    if not period.within(coverage):
        raise ParameterError(
            f"period {period.start}..{period.end} is outside the coverage of {what} "
            f"({coverage.start}..{coverage.end}); choose dates within it"
        )


# ----------------------------------------------------------------------------- detainer measures


def _detainer_counts(detainers: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per key: all detainers and each outcome (custody, declined, unresolved, resolved, broad decline)."""
    d = detainers
    counts = pd.DataFrame(
        {
            "all": d.groupby(key).size(),
            "custody": d[d["outcome"] == "custody"].groupby(key).size(),
            "declined": d[d["outcome"] == "declined"].groupby(key).size(),
            "declined_broad": d[(d["outcome"] == "declined") | d["lea_release_without_transfer"]].groupby(key).size(),
            "unresolved": d[d["outcome"] == "unresolved"].groupby(key).size(),
        }
    )
    counts = counts.fillna(0).astype("int64")
    counts["resolved"] = counts["all"] - counts["unresolved"]
    return counts


def _per(counts, exposure, scale: float) -> np.ndarray:
    """counts / exposure * scale, blank (NaN) where there is no exposure."""
    k = np.asarray(counts, dtype="float64")
    e = np.asarray(exposure, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(e > 0, k / np.where(e > 0, e, 1) * scale, np.nan)


def _shrunk_rows(counts: pd.DataFrame, period: Period, source: str, keys, key_name: str) -> list[pd.DataFrame]:
    """custody_share_shrunk (fitted prior) and its sensitivity rows at the ends of the concentration's range."""
    sens = shrinkage_sensitivity(counts["custody"], counts["all"])
    span = sens["range"]
    fitted = sens["fitted"]
    note = (
        f"{source} ; beta-binomial EB prior Beta({fitted['prior_alpha'].iloc[0]:.2f}, "
        f"{fitted['prior_beta'].iloc[0]:.2f})"
        + (" ; fit at a bound of the optimiser: intervals blank" if fitted["at_bound"].iloc[0] else "")
    )
    rows = [
        _table(
            "custody_share_shrunk",
            period,
            counts["custody"],
            counts["all"],
            fitted["estimate"],
            fitted["ci_low"],
            fitted["ci_high"],
            note,
            keys,
            key_name,
        )
    ]
    for end in ("low", "high"):
        post = sens[end]
        cap = " (the optimiser's cap: the range is open above)" if end == "high" and span["open_high"] else ""
        rows.append(
            _table(
                f"custody_share_shrunk_prior_{end}",
                period,
                counts["custody"],
                counts["all"],
                post["estimate"],
                post["ci_low"],
                post["ci_high"],
                f"{source} ; prior concentration {span[end]:.1f}{cap}, {end} end of its 95% "
                f"profile-likelihood range {span['low']:.1f}..{span['high']:.1f}",
                keys,
                key_name,
            )
        )
    return rows


def _detainer_measure_rows(
    counts: pd.DataFrame, period: Period, source: str, keys, key_name: str, population_by_key: pd.Series | None
) -> list[pd.DataFrame]:
    """Detainer measures per key. Shrinkage only for counties (population_by_key given): agency groups (DOC,
    police, ICE offices, ...) are unrelated kinds of agency and are never pooled into one prior."""
    counts = counts.reindex(keys).fillna(0)
    rows = []
    low, high = poisson_interval(counts["all"])
    rows.append(
        _table("detainers_lodged", period, counts["all"], np.nan, counts["all"], low, high, source, keys, key_name)
    )
    if population_by_key is not None:
        pop = population_by_key.reindex(keys).to_numpy(dtype="float64")
        low, high = poisson_interval(counts["all"], pop / PER_100K)
        rows.append(
            _table(
                "detainers_per_100k",
                period,
                counts["all"],
                pop,
                _per(counts["all"], pop, PER_100K),
                low,
                high,
                source + " ; county_covariates population of the residents whose prisoners "
                "the jails hold (counties.csv prisoners_held_in)",
                keys,
                key_name,
            )
        )
    for measure, numerator, denominator in [
        ("custody_share", "custody", "all"),
        ("custody_share_resolved", "custody", "resolved"),
        ("declined_share", "declined", "all"),
        ("declined_share_broad", "declined_broad", "all"),
        ("unresolved_share", "unresolved", "all"),
    ]:
        k, n = counts[numerator].to_numpy(), counts[denominator].to_numpy()
        low, high = proportion_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(_table(measure, period, k, n, estimate, low, high, source, keys, key_name))
    if population_by_key is not None and (counts["all"] > 0).sum() >= 2:
        rows.extend(_shrunk_rows(counts, period, source, keys, key_name))
    return rows


def _detainers_in_period(detainers: pd.DataFrame, period: Period) -> pd.DataFrame:
    release_cover = FY2015_DETAINERS if set(detainers["release_id"].unique()) <= {"npr_lea"} else None
    if release_cover is not None:
        _check_period(period, release_cover, "the FY2015 detainer records")
    ma = detainers[(detainers["facility_state"] == "MASSACHUSETTS") & period.contains(detainers["prepare_date"])]
    return ma


def county_detainer_measures(
    detainers: pd.DataFrame, period: Period = FY2015_DETAINERS, *, covariates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Detainer measures for each county's sheriff-run facilities (all 14 counties)."""
    ma = _detainers_in_period(detainers, period)
    sheriff = ma[ma["operator_type"] == "sheriff"]
    counts = _detainer_counts(sheriff, "sheriff_county_fips")
    source = "detainers (" + ", ".join(sorted(ma["source_file"].unique())) + ")"
    pop = jail_residents(population(period.end.year, covariates))
    rows = _detainer_measure_rows(counts, period, source, COUNTY_FIPS, "county_fips", pop)
    return _with_county_names(pd.concat(rows, ignore_index=True))


def agency_detainer_measures(detainers: pd.DataFrame, period: Period = FY2015_DETAINERS) -> pd.DataFrame:
    """The same detainer measures for Massachusetts facilities not run by a sheriff, by operator type."""
    ma = _detainers_in_period(detainers, period)
    other = ma[ma["operator_type"] != "sheriff"]
    groups = sorted(other["operator_type"].unique())
    counts = _detainer_counts(other, "operator_type")
    source = "detainers (" + ", ".join(sorted(ma["source_file"].unique())) + ")"
    rows = _detainer_measure_rows(counts, period, source, groups, "agency_group", None)
    return pd.concat(rows, ignore_index=True)[AGENCY_COLUMNS]


# ----------------------------------------------------------------------------- recorded declines


def year_fraction(year: int, coverage: Period = NPR_DECLINES) -> float:
    """The share of calendar year `year` inside `coverage` (2007: from 2007-10-01 = 92/365; 2015: to
    2015-07-19 = 200/365): a partial year counts as that fraction of a facility-year."""
    start, end = max(date(year, 1, 1), coverage.start), min(date(year, 12, 31), coverage.end)
    return max((end - start).days + 1, 0) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)


def sheriff_facility_years(facilities: pd.DataFrame, years) -> pd.DataFrame:
    """Sheriff facility x year pairs when the facility was open (open_years), unspecified buckets left out;
    `weight` is the fraction of the year inside the declines' coverage (year_fraction)."""
    sheriff = facilities[
        (facilities["operator_type"] == "sheriff") & ~facilities["facility_id"].str.endswith("_unspecified")
    ]
    rows = []
    for _, f in sheriff.iterrows():
        span = f.get("open_years")
        first, _, last = ("" if pd.isna(span) else str(span)).partition("-")
        for year in years:
            if (first and year < int(first)) or (last and year > int(last)):
                continue
            rows.append((f["facility_id"], f["sheriff_county_fips"], year, year_fraction(year)))
    return pd.DataFrame(rows, columns=["facility_id", "sheriff_county_fips", "year", "weight"])


def recorded_decline_measures(
    declines: pd.DataFrame, facilities: pd.DataFrame, years=range(2007, 2016)
) -> pd.DataFrame:
    """Recorded declines per sheriff facility-year, per county and calendar year and pooled.

    `declines` is the facility_year_declines table: facility-years absent from it had zero recorded
    declines. Every decline at a sheriff facility in those years must fall in the facility-year grid
    (a facility missing from the grid is an error, never a silent drop).
    """
    years = sorted(years)
    grid = sheriff_facility_years(facilities, years)
    sheriff = declines[(declines["operator_type"] == "sheriff") & declines["year"].isin(years)]
    keyed = sheriff.merge(grid, on=["facility_id", "sheriff_county_fips", "year"], how="left", indicator=True)
    outside = keyed[keyed["_merge"] == "left_only"]
    if len(outside):
        raise ParameterError(
            f"recorded declines at facility-years outside the grid: "
            f"{sorted(set(zip(outside['facility_id'], outside['year'], strict=True)))}; check open_years in "
            "data/reference/facilities.csv or widen the years"
        )
    source = (
        "facility_year_declines (npr_declines) ; data/reference/facilities.csv ; partial years as fractions "
        "of a facility-year"
    )
    rows = []
    periods = [
        (year, Period(max(date(year, 1, 1), NPR_DECLINES.start), min(date(year, 12, 31), NPR_DECLINES.end)))
        for year in years
    ]
    periods.append(
        (None, Period(max(date(years[0], 1, 1), NPR_DECLINES.start), min(date(years[-1], 12, 31), NPR_DECLINES.end)))
    )
    for year, period in periods:
        in_years = grid if year is None else grid[grid["year"] == year]
        dec = sheriff if year is None else sheriff[sheriff["year"] == year]
        k = _by_county(dec.groupby("sheriff_county_fips")["recorded_declines"].sum())
        n = _by_county(in_years.groupby("sheriff_county_fips")["weight"].sum())
        low, high = poisson_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(_table("recorded_declines", period, k, n, estimate, low, high, source))
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- ICE arrests at jails


def jail_arrest_counts(arrests: pd.DataFrame) -> dict[str, pd.Series]:
    """Per county: ICE arrests at its sheriff-run jails as placed ('central'), without the ambiguous landmarks
    placed there ('low') and with the unplaced landmarks that may be one of its jails ('high')."""
    sheriff = arrests[(arrests["status"] == "facility") & (arrests["operator_type"] == "sheriff")]
    possible = arrests[arrests["possible_sheriff_county_fips"].isin(COUNTY_FIPS)]
    central = _by_county(sheriff.groupby("sheriff_county_fips")["arrests"].sum())
    low = _by_county(sheriff[~sheriff["ambiguous"]].groupby("sheriff_county_fips")["arrests"].sum())
    extra = _by_county(possible.groupby("possible_sheriff_county_fips")["arrests"].sum())
    return {"central": central, "low": low, "high": central + extra}


def jail_arrest_measures(arrests: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """ICE arrests at each county's sheriff-run jails (pooled 2011-10..2023-01): counts and rates, each with its
    sensitivity range (ambiguous landmarks out and in). Rates are per resident of the counties whose prisoners
    the jails hold (jail_residents)."""
    from ma_ice_coop.tables.loaders.covariates import county_covariates_wide

    period = JAIL_ARRESTS
    counts = jail_arrest_counts(arrests)
    source = "jail_arrests (uwchr_arrest_landmarks)"
    mid_year = 2017  # the middle of the pooled period
    person_years = jail_residents(population(mid_year, covariates)).to_numpy(dtype="float64") * period.years
    rate_source = (
        source + f" ; county_covariates population {mid_year} x {period.years:.2f} years of the residents "
        "whose prisoners the jails hold (counties.csv prisoners_held_in)"
    )
    rows = []
    for end, suffix, note in [
        ("central", "", ""),
        ("low", "_low", " ; ambiguous landmarks out"),
        ("high", "_high", " ; possible jail landmarks in"),
    ]:
        k = counts[end]
        low, high = poisson_interval(k)
        rows.append(_table(f"jail_arrests{suffix}", period, k, np.nan, k, low, high, source + note))
        low, high = poisson_interval(k, person_years / PER_100K)
        rows.append(
            _table(
                f"jail_arrests_per_100k{suffix}",
                period,
                k,
                person_years,
                _per(k, person_years, PER_100K),
                low,
                high,
                rate_source + note,
            )
        )
    wide = county_covariates_wide(2016, panel=covariates, variables=["foreign_born_share", "population"])
    fb = wide.set_index("county_fips")
    fb_years = jail_residents(fb["foreign_born_share"] * fb["population"]).to_numpy(dtype="float64") * period.years
    k = counts["central"]
    low, high = poisson_interval(k, fb_years / 1000)
    rows.append(
        _table(
            "jail_arrests_per_1k_foreign_born",
            period,
            k,
            fb_years,
            _per(k, fb_years, 1000),
            low,
            high,
            source + f" ; foreign-born = share x population (ACS 2012-16) x {period.years:.2f} years, of the "
            "residents whose prisoners the jails hold",
        )
    )
    return _with_county_names(pd.concat(rows, ignore_index=True))


def agency_jail_arrest_measures(arrests: pd.DataFrame) -> pd.DataFrame:
    """ICE arrests at Massachusetts places not run by a sheriff, by operator type, plus unplaced and outside MA."""
    period = JAIL_ARRESTS
    placed = arrests[arrests["status"] == "facility"]
    k = placed[placed["operator_type"] != "sheriff"].groupby("operator_type")["arrests"].sum()
    k["unplaced (no facility can be given)"] = arrests.loc[arrests["status"] == "unplaced", "arrests"].sum()
    k["outside Massachusetts (Boston AOR)"] = arrests.loc[arrests["status"] == "outside_ma", "arrests"].sum()
    k = k.sort_index()
    low, high = poisson_interval(k)
    table = _table(
        "jail_arrests",
        period,
        k,
        np.nan,
        k,
        low,
        high,
        "jail_arrests (uwchr_arrest_landmarks)",
        k.index,
        "agency_group",
    )
    return table[AGENCY_COLUMNS]


# ----------------------------------------------------------------------------- ICE detention in county jails


def fiscal_year_period(fy: int, coverage: Period = ICE_DETENTION_DAILY) -> Period:
    """Federal fiscal year `fy` (Oct-Sep) clipped to a coverage period."""
    return Period(max(date(fy - 1, 10, 1), coverage.start), min(date(fy, 9, 30), coverage.end))


def detention_rows(daily: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Days with ICE detainees and mean daily ICE headcount in each county's sheriff facilities in a period."""
    _check_period(period, ICE_DETENTION_DAILY, "the daily ICE detention headcounts")
    sheriff = daily[(daily["operator_type"] == "sheriff") & period.contains(daily["date"])]
    by_day = sheriff.groupby(["sheriff_county_fips", "date"])["headcount"].sum().reset_index()
    days = _by_county(by_day.groupby("sheriff_county_fips").size())
    person_days = _by_county(by_day.groupby("sheriff_county_fips")["headcount"].sum())
    source = "ice_detention_daily (uwchr_detention_headcount)"
    if period.start < date(2011, 10, 1):
        source += " ; undercounts days before 2011-10-01"
    n = np.full(len(COUNTY_FIPS), period.days)
    return pd.concat(
        [
            _table("detention_contract_days", period, days, n, days, np.nan, np.nan, source),
            _table(
                "mean_daily_ice_headcount", period, person_days, n, person_days / period.days, np.nan, np.nan, source
            ),
        ],
        ignore_index=True,
    )


def detention_measures(daily: pd.DataFrame, fiscal_years=range(2009, 2025)) -> pd.DataFrame:
    """Days with ICE detainees and mean daily ICE headcount in each county's sheriff facilities, per FY and over
    the two whole periods the reports quote (complete records from 2011-10-01; the whole coverage)."""
    periods = [fiscal_year_period(fy) for fy in fiscal_years] + [DETENTION_COMPLETE, ICE_DETENTION_DAILY]
    rows = [detention_rows(daily, period) for period in periods]
    return _with_county_names(pd.concat(rows, ignore_index=True))


def year_end_detention_measures(fy_table: pd.DataFrame) -> pd.DataFrame:
    """ICE year-end average daily population in each county's sheriff facilities, FY2019-FY2025."""
    sheriff = fy_table[fy_table["operator_type"] == "sheriff"]
    rows = []
    for fy, group in sheriff.groupby("fiscal_year"):
        through = date.fromisoformat(group["data_through"].iloc[0])
        period = Period(date(int(fy) - 1, 10, 1), through)
        adp = _by_county(group.groupby("sheriff_county_fips")["adp_total"].sum())
        rows.append(
            _table(
                "ice_adp_year_end",
                period,
                adp,
                np.nan,
                adp,
                np.nan,
                np.nan,
                "ice_detention_fy (ICE year-end detention statistics)",
            )
        )
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- 287(g)


def agreement_287g_measures(panel: pd.DataFrame) -> pd.DataFrame:
    """Operational and paper-only 287(g) years of each county's sheriff: pooled 2005-2025 and per year.

    Operational (`agreement_287g_operational` of the panel): OPERATIONAL_287G_RULE. Paper
    (`agreement_287g_paper`): years covered only by an agreement that never operated. They never overlap."""
    sheriffs = panel[panel["agency_type"] == "sheriff"]
    years = sorted(sheriffs["year"].unique())
    whole = Period(date(int(years[0]), 1, 1), date(int(years[-1]), 12, 31))
    rows = []
    for measure, column, what in [
        ("agreement_287g_years", "agreement_287g_operational", "operational years"),
        ("agreement_287g_paper_years", "agreement_287g_paper", "paper years"),
    ]:
        source = f"agreements_287g_years ({column}: {what}; data/reference/agreements_287g.csv)"
        for year, group in sheriffs.groupby("year"):
            flag = _by_county(group.set_index("county_fips")[column].astype("float64"))
            rows.append(
                _table(
                    measure,
                    Period(date(int(year), 1, 1), date(int(year), 12, 31)),
                    flag,
                    1,
                    flag,
                    np.nan,
                    np.nan,
                    source,
                )
            )
        total = _by_county(sheriffs.groupby("county_fips")[column].sum().astype("float64"))
        rows.append(_table(measure, whole, total, len(years), total, np.nan, np.nan, source))
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- all together


def sort_measures(table: pd.DataFrame, key: str = "county_fips") -> pd.DataFrame:
    return table.sort_values([key, "measure", "period_start", "period_end"], ignore_index=True)


def county_measures() -> pd.DataFrame:
    """Every county measure from the processed tables, long format (MEASURE_COLUMNS), sorted."""
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.facilities import load_facilities

    covariates = read_processed("county_covariates")
    parts = [
        county_detainer_measures(read_processed("detainers"), covariates=covariates),
        recorded_decline_measures(read_processed("facility_year_declines"), load_facilities()),
        jail_arrest_measures(read_processed("jail_arrests"), covariates),
        detention_measures(read_processed("ice_detention_daily")),
        year_end_detention_measures(read_processed("ice_detention_fy")),
        agreement_287g_measures(read_processed("agreements_287g_years")),
    ]
    return sort_measures(pd.concat(parts, ignore_index=True))


def agency_measures() -> pd.DataFrame:
    """Measures for Massachusetts facilities not run by a sheriff (state DOC, federal, ICE, police, ...)."""
    from ma_ice_coop.io import read_processed

    parts = [
        agency_detainer_measures(read_processed("detainers")),
        agency_jail_arrest_measures(read_processed("jail_arrests")),
    ]
    return sort_measures(pd.concat(parts, ignore_index=True), key="agency_group")


def default_period(measure: str) -> Period:
    """The period a measure is shown for by default: its coverage (the latest fiscal year for ICE statistics)."""
    if measure == "ice_adp_year_end":
        return Period(date(2024, 10, 1), ICE_YEAR_END_STATS.end)
    if measure in DETENTION_MEASURES:  # the records undercount before 2011-10-01: not mixed into a headline
        return DETENTION_COMPLETE
    return measure_coverage(measure)


def measure_table(measure: str, period: Period | None = None) -> pd.DataFrame:
    """One measure for the 14 counties over one period (default: the measure's whole coverage).

    Detainer and detention measures are computed for any period within their coverage; recorded
    declines and 287(g) years are summed over the calendar years the period spans; ICE arrests at
    jails exist only pooled over 2011-10-01..2023-01-29; ICE year-end statistics only per fiscal year.
    """
    from ma_ice_coop.io import read_processed
    from ma_ice_coop.tables.facilities import load_facilities

    coverage = measure_coverage(measure)
    period = period or default_period(measure)
    _check_period(period, coverage, f"measure {measure!r}")
    if measure in DETAINER_MEASURES:
        table = county_detainer_measures(
            read_processed("detainers"), period, covariates=read_processed("county_covariates")
        )
    elif measure in JAIL_ARREST_MEASURES:
        if period != JAIL_ARRESTS:
            raise ParameterError(
                f"{measure} is pooled over {JAIL_ARRESTS.start}..{JAIL_ARRESTS.end} in the source "
                "(no dates per arrest): use exactly that period"
            )
        table = jail_arrest_measures(read_processed("jail_arrests"), read_processed("county_covariates"))
    elif measure in DETENTION_MEASURES:
        table = _with_county_names(detention_rows(read_processed("ice_detention_daily"), period))
    elif measure == "recorded_declines":
        years = range(period.start.year, period.end.year + 1)
        table = recorded_decline_measures(read_processed("facility_year_declines"), load_facilities(), years)
        table = table[
            (table["period_start"] == max(date(years[0], 1, 1), NPR_DECLINES.start).isoformat())
            & (table["period_end"] == min(date(years[-1], 12, 31), NPR_DECLINES.end).isoformat())
        ]
        if table["county_fips"].duplicated().any():  # a single year: the yearly and pooled rows coincide
            table = table.drop_duplicates(subset=["county_fips"])
    elif measure in AGREEMENT_MEASURES:
        panel = read_processed("agreements_287g_years")
        panel = panel[panel["year"].between(period.start.year, period.end.year)]
        table = agreement_287g_measures(panel)
        table = table[table["period_start"] == date(period.start.year, 1, 1).isoformat()]
        table = table[table["period_end"] == date(period.end.year, 12, 31).isoformat()]
    else:  # ice_adp_year_end
        table = year_end_detention_measures(read_processed("ice_detention_fy"))
        table = table[
            (table["period_start"] >= period.start.isoformat()) & (table["period_end"] <= period.end.isoformat())
        ]
        if table[["period_start", "period_end"]].drop_duplicates().shape[0] != 1:
            raise ParameterError(
                "ice_adp_year_end is published per fiscal year: choose a period covering exactly one "
                "fiscal year (e.g. 2023-10-01..2024-09-30)"
            )
    table = table[table["measure"] == measure]
    return table.sort_values("county_fips", ignore_index=True)[MEASURE_COLUMNS]


# ----------------------------------------------------------------------------- comparing measures

SHARE_MEASURES = (
    "custody_share",
    "custody_share_resolved",
    "custody_share_shrunk",
    "custody_share_shrunk_prior_low",
    "custody_share_shrunk_prior_high",
    "declined_share",
    "declined_share_broad",
    "unresolved_share",
)
RATE_MEASURES = (
    "detainers_per_100k",
    "jail_arrests_per_100k",
    "jail_arrests_per_100k_low",
    "jail_arrests_per_100k_high",
    "jail_arrests_per_1k_foreign_born",
    "recorded_declines",
)
# One measure per kind of cooperation, each over its source's full coverage: the side-by-side view.
HEADLINE_MEASURES = (
    "detainers_per_100k",
    "custody_share",
    "declined_share",
    "unresolved_share",
    "recorded_declines",
    "jail_arrests_per_100k",
    "mean_daily_ice_headcount",
    "agreement_287g_years",
)


def measure_kind(measure: str) -> str:
    """'share' (0-1, binomial), 'rate' (per population or facility-year), 'count' or 'administrative'."""
    measure_coverage(measure)  # validates the name
    if measure in SHARE_MEASURES:
        return "share"
    if measure in RATE_MEASURES:
        return "rate"
    if measure in ("detainers_lodged", "jail_arrests", "jail_arrests_low", "jail_arrests_high"):
        return "count"
    return "administrative"


# Small by data, not by population: a county's estimate of a measure is flagged "small" (read its
# interval, do not rank it) when it rests on few cases. Shares: fewer than SMALL_SHARE_DENOMINATOR
# detainers in the denominator. Counts and rates: fewer than SMALL_EVENT_COUNT events in the
# numerator. Complete administrative counts are never small. A row with no denominator (0) or no
# events to measure is "no data", which is not the same as small.
SMALL_SHARE_DENOMINATOR = 30
SMALL_EVENT_COUNT = 10


def small_by_data(table: pd.DataFrame) -> pd.Series:
    """Per row of a measure table (MEASURE_COLUMNS): True where the estimate rests on few cases.

    Shares: 0 < denominator < SMALL_SHARE_DENOMINATOR (detainers). Counts and rates: numerator
    (events) < SMALL_EVENT_COUNT where the denominator exists. Administrative measures: never."""
    kinds = table["measure"].map(measure_kind)
    numerator = table["numerator"].astype("float64")
    denominator = table["denominator"].astype("float64")
    share_small = (kinds == "share") & (denominator > 0) & (denominator < SMALL_SHARE_DENOMINATOR)
    has_exposure = denominator.isna() | (denominator > 0)
    event_small = kinds.isin(["rate", "count"]) & has_exposure & (numerator < SMALL_EVENT_COUNT)
    return (share_small | event_small).rename("small_by_data")


def small_rule(measure: str) -> str:
    """The rule that flags a county as small for `measure`, in words (for report text)."""
    kind = measure_kind(measure)
    if kind == "share":
        return f"fewer than {SMALL_SHARE_DENOMINATOR} detainers in the denominator"
    if kind in ("rate", "count"):
        return f"fewer than {SMALL_EVENT_COUNT} events counted"
    return "never (complete administrative counts)"


def pooled_estimate(table: pd.DataFrame) -> float:
    """The state pool of a share or rate: sum of numerators over sum of denominators (NaN if none).

    For rates per 100,000 (or per 1,000) the scale of the table's estimates is kept."""
    num, den = table["numerator"].sum(), table["denominator"].sum()
    if not den > 0:
        return float("nan")
    ratio = num / den
    with_den = table[(table["denominator"] > 0) & (table["numerator"] > 0)]
    if len(with_den):  # recover the scale (e.g. per 100,000) from any row
        row = with_den.iloc[0]
        ratio *= row["estimate"] / (row["numerator"] / row["denominator"])
    return float(ratio)


# A measure and the variants that bound it (its sensitivity range): a county is said to lie above or below
# the pool only if its 95% interval does so under the measure and under every variant.
SENSITIVITY_VARIANTS = {
    "jail_arrests": ("jail_arrests_low", "jail_arrests_high"),
    "jail_arrests_per_100k": ("jail_arrests_per_100k_low", "jail_arrests_per_100k_high"),
}


def pool_side(tables: list[pd.DataFrame]) -> pd.Series:
    """Per county_fips: 'above' ('below') where, in every table (a measure and its sensitivity variants), the
    county's 95% interval lies wholly above (below) that table's own pool; '' otherwise."""
    sides = []
    for table in tables:
        pool = pooled_estimate(table)
        t = table.set_index("county_fips")
        side = np.where(t["ci_low"] > pool, "above", np.where(t["ci_high"] < pool, "below", ""))
        sides.append(pd.Series(side, index=t.index))
    frame = pd.concat(sides, axis=1)
    return frame.iloc[:, 0].where(frame.nunique(axis=1) == 1, "")


def side_by_side(measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """County x measure estimates (each over its default period), for comparing definitions."""
    frames = []
    for measure in measures:
        table = measure_table(measure)
        frames.append(table.set_index("county_fips")["estimate"].rename(measure))
    wide = pd.concat(frames, axis=1).reset_index()
    wide.insert(
        1,
        "county",
        wide["county_fips"].map(dict(zip(county_frame()["county_fips"], county_frame()["county"], strict=True))),
    )
    return wide


def measure_rank_agreement(wide: pd.DataFrame, measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """Spearman rank correlation between every pair of measures over the counties where both exist."""
    rows = []
    for i, a in enumerate(measures):
        for b in measures[i + 1 :]:
            both = wide[[a, b]].dropna()
            rho = both[a].rank().corr(both[b].rank()) if len(both) >= 4 else float("nan")
            rows.append({"measure_a": a, "measure_b": b, "counties": len(both), "spearman_rho": rho})
    return pd.DataFrame(rows)
