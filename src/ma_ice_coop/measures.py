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

from .errors import ParameterError
from .schemas import COUNTY_FIPS

MEASURE_COLUMNS = ["county_fips", "county", "measure", "period_start", "period_end", "numerator",
                   "denominator", "estimate", "ci_low", "ci_high", "source"]
AGENCY_COLUMNS = ["agency_group", *MEASURE_COLUMNS[2:]]
PER_100K = 100_000

# What each measure id means (units in brackets); the downloads README is generated from this.
MEASURES = {
    "detainers_lodged": "ICE detainers lodged at the county's sheriff-run jails and HOCs [count]; interval: exact Poisson",
    "detainers_per_100k": "detainers lodged per 100,000 residents over the period [rate]; denominator: population",
    "custody_share": "share of detainers whose lift reason is 'Booked into Detention' (ICE took custody) [0-1]; denominator: all detainers",
    "custody_share_resolved": "custody share among resolved detainers (lift reason recorded) [0-1]",
    "custody_share_shrunk": "custody share after beta-binomial empirical-Bayes shrinkage toward the state pool [0-1]; interval: posterior 95%",
    "declined_share": "share with lift reason 'Detainer Declined by LEA' [0-1]; a lower bound: ICE records only declines it learns of",
    "declined_share_broad": "declined share counting also releases without transfer (Early Release etc.) [0-1]; sensitivity",
    "unresolved_share": "share with no lift reason recorded (pending or never papered) [0-1]",
    "recorded_declines": "ICE-recorded declined detainers per sheriff facility-year [declines per facility-year]; numerator: declines; denominator: facility-years; an absent facility-year had zero",
    "jail_arrests": "ICE arrests recorded at the county's sheriff-run jails, pooled 2011-10-01..2023-01-29 [count]; a lower bound (free-text landmarks)",
    "jail_arrests_per_100k": "jail arrests per 100,000 residents per year [rate]; denominator: person-years",
    "jail_arrests_per_1k_foreign_born": "jail arrests per 1,000 foreign-born residents per year [rate]; denominator: foreign-born person-years (ACS 2012-16)",
    "detention_contract_days": "days with at least one ICE detainee held in the county's sheriff-run facilities [days]; denominator: days in the period",
    "mean_daily_ice_headcount": "mean ICE detainees held per day in the county's sheriff-run facilities [persons]; numerator: person-days",
    "ice_adp_year_end": "average daily ICE detainee population in the county's sheriff-run facilities, ICE year-end statistics [persons]",
    "agreement_287g_years": "years with a 287(g) agreement in force for the county's sheriff [years]; denominator: years in the period",
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

DETAINER_MEASURES = ("detainers_lodged", "detainers_per_100k", "custody_share", "custody_share_resolved",
                     "custody_share_shrunk", "declined_share", "declined_share_broad", "unresolved_share")
JAIL_ARREST_MEASURES = ("jail_arrests", "jail_arrests_per_100k", "jail_arrests_per_1k_foreign_born")
DETENTION_MEASURES = ("detention_contract_days", "mean_daily_ice_headcount")


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
    return {"recorded_declines": NPR_DECLINES, "ice_adp_year_end": ICE_YEAR_END_STATS,
            "agreement_287g_years": AGREEMENTS_287G}[measure]


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


def beta_binomial_prior(successes, trials) -> tuple[float, float]:
    """Empirical-Bayes Beta(alpha, beta) prior: maximum marginal likelihood over groups with n > 0.

    With little between-group variation the fit drives alpha + beta up (full pooling); it is capped at
    1e4 so the estimate stays finite.
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    keep = n > 0
    k, n = k[keep], n[keep]
    if k.size == 0:
        raise ParameterError("no group has any trials: shrinkage needs at least one non-empty group")
    pooled = min(max(k.sum() / n.sum(), 1e-4), 1 - 1e-4)

    def negloglik(params):
        mean = 1 / (1 + np.exp(-params[0]))
        size = np.exp(params[1])
        return -stats.betabinom.logpmf(k, n, mean * size, (1 - mean) * size).sum()

    start = [np.log(pooled / (1 - pooled)), np.log(10.0)]
    fit = optimize.minimize(negloglik, start, method="L-BFGS-B",
                            bounds=[(-10, 10), (np.log(0.1), np.log(1e4))])
    mean = 1 / (1 + np.exp(-fit.x[0]))
    size = float(np.exp(fit.x[1]))
    return float(mean * size), float((1 - mean) * size)


def shrunken_proportions(successes, trials) -> pd.DataFrame:
    """Posterior mean and 95% interval of each group's proportion under the fitted beta-binomial prior."""
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    a, b = beta_binomial_prior(k, n)
    post_a, post_b = k + a, n - k + b
    empty = n == 0  # a group without data has no estimate of its own: left blank, not the prior
    return pd.DataFrame({"estimate": np.where(empty, np.nan, post_a / (post_a + post_b)),
                         "ci_low": np.where(empty, np.nan, stats.beta.ppf(0.025, post_a, post_b)),
                         "ci_high": np.where(empty, np.nan, stats.beta.ppf(0.975, post_a, post_b)),
                         "prior_alpha": a, "prior_beta": b})


# ----------------------------------------------------------------------------- helpers

def county_frame() -> pd.DataFrame:
    """The 14 counties (county_fips, county, small_county) from data/reference/counties.csv."""
    from .reference import load_counties

    counties = load_counties()[["county_fips", "county", "small_county"]]
    return counties.sort_values("county_fips", ignore_index=True)


def _by_county(values: pd.Series, fill=0) -> pd.Series:
    """A county-indexed series over all 14 counties (absent counties get `fill`)."""
    return values.reindex(COUNTY_FIPS).fillna(fill)


def _table(measure: str, period: Period, numerator, denominator, estimate, ci_low, ci_high, source: str,
           keys=COUNTY_FIPS, key_name: str = "county_fips") -> pd.DataFrame:
    out = pd.DataFrame({
        key_name: list(keys), "measure": measure,
        "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
        "numerator": np.asarray(numerator, dtype="float64"), "denominator": np.asarray(denominator, dtype="float64"),
        "estimate": np.asarray(estimate, dtype="float64"), "ci_low": np.asarray(ci_low, dtype="float64"),
        "ci_high": np.asarray(ci_high, dtype="float64"), "source": source})
    return out


def _with_county_names(table: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(county_frame()["county_fips"], county_frame()["county"]))
    table = table.copy()
    table.insert(1, "county", table["county_fips"].map(names))
    return table[MEASURE_COLUMNS]


def population(year: int, covariates: pd.DataFrame | None = None) -> pd.Series:
    """County population (persons) in `year` or the latest year before it, indexed by county_fips."""
    from .loaders.covariates import county_covariates_wide

    wide = county_covariates_wide(year, panel=covariates, variables=["population"])
    return wide.set_index("county_fips")["population"]


def _check_period(period: Period, coverage: Period, what: str) -> None:
    if not period.within(coverage):
        raise ParameterError(f"period {period.start}..{period.end} is outside the coverage of {what} "
                             f"({coverage.start}..{coverage.end}); choose dates within it")


# ----------------------------------------------------------------------------- detainer measures

def _detainer_counts(detainers: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per key: all detainers and each outcome (custody, declined, unresolved, resolved, broad decline)."""
    d = detainers
    counts = pd.DataFrame({
        "all": d.groupby(key).size(),
        "custody": d[d["outcome"] == "custody"].groupby(key).size(),
        "declined": d[d["outcome"] == "declined"].groupby(key).size(),
        "declined_broad": d[(d["outcome"] == "declined") | d["lea_release_without_transfer"]].groupby(key).size(),
        "unresolved": d[d["outcome"] == "unresolved"].groupby(key).size(),
    })
    counts = counts.fillna(0).astype("int64")
    counts["resolved"] = counts["all"] - counts["unresolved"]
    return counts


def _detainer_measure_rows(counts: pd.DataFrame, period: Period, source: str, keys, key_name: str,
                           population_by_key: pd.Series | None) -> list[pd.DataFrame]:
    counts = counts.reindex(keys).fillna(0)
    rows = []
    low, high = poisson_interval(counts["all"])
    rows.append(_table("detainers_lodged", period, counts["all"], np.nan, counts["all"], low, high, source,
                       keys, key_name))
    if population_by_key is not None:
        pop = population_by_key.reindex(keys).to_numpy(dtype="float64")
        low, high = poisson_interval(counts["all"], pop / PER_100K)
        rows.append(_table("detainers_per_100k", period, counts["all"], pop, counts["all"] / pop * PER_100K,
                           low, high, source + " ; county_covariates population", keys, key_name))
    for measure, numerator, denominator in [
        ("custody_share", "custody", "all"), ("custody_share_resolved", "custody", "resolved"),
        ("declined_share", "declined", "all"), ("declined_share_broad", "declined_broad", "all"),
        ("unresolved_share", "unresolved", "all"),
    ]:
        k, n = counts[numerator].to_numpy(), counts[denominator].to_numpy()
        low, high = proportion_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(_table(measure, period, k, n, estimate, low, high, source, keys, key_name))
    if (counts["all"] > 0).sum() >= 2:
        shrunk = shrunken_proportions(counts["custody"], counts["all"])
        note = (f"{source} ; beta-binomial EB prior Beta({shrunk['prior_alpha'].iloc[0]:.2f}, "
                f"{shrunk['prior_beta'].iloc[0]:.2f})")
        rows.append(_table("custody_share_shrunk", period, counts["custody"], counts["all"], shrunk["estimate"],
                           shrunk["ci_low"], shrunk["ci_high"], note, keys, key_name))
    return rows


def _detainers_in_period(detainers: pd.DataFrame, period: Period) -> pd.DataFrame:
    release_cover = FY2015_DETAINERS if set(detainers["release_id"].unique()) <= {"npr_lea"} else None
    if release_cover is not None:
        _check_period(period, release_cover, "the FY2015 detainer records")
    ma = detainers[(detainers["facility_state"] == "MASSACHUSETTS") & period.contains(detainers["prepare_date"])]
    return ma


def county_detainer_measures(detainers: pd.DataFrame, period: Period = FY2015_DETAINERS, *,
                             covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Detainer measures for each county's sheriff-run facilities (all 14 counties)."""
    ma = _detainers_in_period(detainers, period)
    sheriff = ma[ma["operator_type"] == "sheriff"]
    counts = _detainer_counts(sheriff, "sheriff_county_fips")
    source = "detainers (" + ", ".join(sorted(ma["source_file"].unique())) + ")"
    pop = population(period.end.year, covariates)
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

def sheriff_facility_years(facilities: pd.DataFrame, years) -> pd.DataFrame:
    """Sheriff facility x year pairs when the facility was open (open_years), unspecified buckets left out."""
    sheriff = facilities[(facilities["operator_type"] == "sheriff")
                         & ~facilities["facility_id"].str.endswith("_unspecified")]
    rows = []
    for _, f in sheriff.iterrows():
        span = f.get("open_years")
        first, _, last = ("" if pd.isna(span) else str(span)).partition("-")
        for year in years:
            if (first and year < int(first)) or (last and year > int(last)):
                continue
            rows.append((f["facility_id"], f["sheriff_county_fips"], year))
    return pd.DataFrame(rows, columns=["facility_id", "sheriff_county_fips", "year"])


def recorded_decline_measures(declines: pd.DataFrame, facilities: pd.DataFrame,
                              years=range(2007, 2016)) -> pd.DataFrame:
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
        raise ParameterError(f"recorded declines at facility-years outside the grid: "
                             f"{sorted(set(zip(outside['facility_id'], outside['year'])))}; check open_years in "
                             "data/reference/facilities.csv or widen the years")
    source = "facility_year_declines (npr_declines) ; data/reference/facilities.csv"
    rows = []
    periods = [(year, Period(max(date(year, 1, 1), NPR_DECLINES.start), min(date(year, 12, 31), NPR_DECLINES.end)))
               for year in years]
    periods.append((None, Period(max(date(years[0], 1, 1), NPR_DECLINES.start),
                                 min(date(years[-1], 12, 31), NPR_DECLINES.end))))
    for year, period in periods:
        in_years = grid if year is None else grid[grid["year"] == year]
        dec = sheriff if year is None else sheriff[sheriff["year"] == year]
        k = _by_county(dec.groupby("sheriff_county_fips")["recorded_declines"].sum())
        n = _by_county(in_years.groupby("sheriff_county_fips").size())
        low, high = poisson_interval(k, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        rows.append(_table("recorded_declines", period, k, n, estimate, low, high, source))
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- ICE arrests at jails

def jail_arrest_measures(arrests: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """ICE arrests at each county's sheriff-run jails (pooled 2011-10..2023-01): count and rates."""
    from .loaders.covariates import county_covariates_wide

    period = JAIL_ARRESTS
    sheriff = arrests[(arrests["status"] == "facility") & (arrests["operator_type"] == "sheriff")]
    k = _by_county(sheriff.groupby("sheriff_county_fips")["arrests"].sum())
    source = "jail_arrests (uwchr_arrest_landmarks)"
    low, high = poisson_interval(k)
    rows = [_table("jail_arrests", period, k, np.nan, k, low, high, source)]
    mid_year = 2017  # the middle of the pooled period
    pop = population(mid_year, covariates).reindex(COUNTY_FIPS).to_numpy(dtype="float64")
    person_years = pop * period.years
    low, high = poisson_interval(k, person_years / PER_100K)
    rows.append(_table("jail_arrests_per_100k", period, k, person_years, k / person_years * PER_100K, low, high,
                       source + f" ; county_covariates population {mid_year} x {period.years:.2f} years"))
    wide = county_covariates_wide(2016, panel=covariates, variables=["foreign_born_share", "population"])
    fb = wide.set_index("county_fips").reindex(COUNTY_FIPS)
    fb_years = (fb["foreign_born_share"] * fb["population"]).to_numpy(dtype="float64") * period.years
    low, high = poisson_interval(k, fb_years / 1000)
    rows.append(_table("jail_arrests_per_1k_foreign_born", period, k, fb_years, k / fb_years * 1000, low, high,
                       source + f" ; foreign-born = share x population (ACS 2012-16) x {period.years:.2f} years"))
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
    table = _table("jail_arrests", period, k, np.nan, k, low, high, "jail_arrests (uwchr_arrest_landmarks)",
                   k.index, "agency_group")
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
    return pd.concat([
        _table("detention_contract_days", period, days, n, days, np.nan, np.nan, source),
        _table("mean_daily_ice_headcount", period, person_days, n, person_days / period.days, np.nan, np.nan, source),
    ], ignore_index=True)


def detention_measures(daily: pd.DataFrame, fiscal_years=range(2009, 2025)) -> pd.DataFrame:
    """Days with ICE detainees and mean daily ICE headcount in each county's sheriff facilities, per FY."""
    rows = [detention_rows(daily, fiscal_year_period(fy)) for fy in fiscal_years]
    return _with_county_names(pd.concat(rows, ignore_index=True))


def year_end_detention_measures(fy_table: pd.DataFrame) -> pd.DataFrame:
    """ICE year-end average daily population in each county's sheriff facilities, FY2019-FY2025."""
    sheriff = fy_table[fy_table["operator_type"] == "sheriff"]
    rows = []
    for fy, group in sheriff.groupby("fiscal_year"):
        through = date.fromisoformat(group["data_through"].iloc[0])
        period = Period(date(int(fy) - 1, 10, 1), through)
        adp = _by_county(group.groupby("sheriff_county_fips")["adp_total"].sum())
        rows.append(_table("ice_adp_year_end", period, adp, np.nan, adp, np.nan, np.nan,
                           "ice_detention_fy (ICE year-end detention statistics)"))
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- 287(g)

def agreement_287g_measures(panel: pd.DataFrame) -> pd.DataFrame:
    """Years with a 287(g) agreement in force for each county's sheriff: pooled 2005-2025 and per year."""
    sheriffs = panel[panel["agency_type"] == "sheriff"]
    source = "agreements_287g_years (data/reference/agreements_287g.csv)"
    rows = []
    for year, group in sheriffs.groupby("year"):
        flag = _by_county(group.set_index("county_fips")["agreement_287g"].astype("float64"))
        rows.append(_table("agreement_287g_years", Period(date(int(year), 1, 1), date(int(year), 12, 31)),
                           flag, 1, flag, np.nan, np.nan, source))
    years = sorted(sheriffs["year"].unique())
    total = _by_county(sheriffs.groupby("county_fips")["agreement_287g"].sum().astype("float64"))
    rows.append(_table("agreement_287g_years", Period(date(int(years[0]), 1, 1), date(int(years[-1]), 12, 31)),
                       total, len(years), total, np.nan, np.nan, source))
    return _with_county_names(pd.concat(rows, ignore_index=True))


# ----------------------------------------------------------------------------- all together

def sort_measures(table: pd.DataFrame, key: str = "county_fips") -> pd.DataFrame:
    return table.sort_values([key, "measure", "period_start", "period_end"], ignore_index=True)


def county_measures() -> pd.DataFrame:
    """Every county measure from the processed tables, long format (MEASURE_COLUMNS), sorted."""
    from .facilities import load_facilities
    from .io import read_processed

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
    from .io import read_processed

    parts = [agency_detainer_measures(read_processed("detainers")),
             agency_jail_arrest_measures(read_processed("jail_arrests"))]
    return sort_measures(pd.concat(parts, ignore_index=True), key="agency_group")


def default_period(measure: str) -> Period:
    """The period a measure is shown for by default: its coverage (the latest fiscal year for ICE statistics)."""
    if measure == "ice_adp_year_end":
        return Period(date(2024, 10, 1), ICE_YEAR_END_STATS.end)
    return measure_coverage(measure)


def measure_table(measure: str, period: Period | None = None) -> pd.DataFrame:
    """One measure for the 14 counties over one period (default: the measure's whole coverage).

    Detainer and detention measures are computed for any period within their coverage; recorded
    declines and 287(g) years are summed over the calendar years the period spans; ICE arrests at
    jails exist only pooled over 2011-10-01..2023-01-29; ICE year-end statistics only per fiscal year.
    """
    from .facilities import load_facilities
    from .io import read_processed

    coverage = measure_coverage(measure)
    period = period or default_period(measure)
    _check_period(period, coverage, f"measure {measure!r}")
    if measure in DETAINER_MEASURES:
        table = county_detainer_measures(read_processed("detainers"), period,
                                         covariates=read_processed("county_covariates"))
    elif measure in JAIL_ARREST_MEASURES:
        if period != JAIL_ARRESTS:
            raise ParameterError(f"{measure} is pooled over {JAIL_ARRESTS.start}..{JAIL_ARRESTS.end} in the source "
                                 "(no dates per arrest): use exactly that period")
        table = jail_arrest_measures(read_processed("jail_arrests"), read_processed("county_covariates"))
    elif measure in DETENTION_MEASURES:
        table = _with_county_names(detention_rows(read_processed("ice_detention_daily"), period))
    elif measure == "recorded_declines":
        years = range(period.start.year, period.end.year + 1)
        table = recorded_decline_measures(read_processed("facility_year_declines"), load_facilities(), years)
        table = table[(table["period_start"] == max(date(years[0], 1, 1), NPR_DECLINES.start).isoformat())
                      & (table["period_end"] == min(date(years[-1], 12, 31), NPR_DECLINES.end).isoformat())]
        if table["county_fips"].duplicated().any():  # a single year: the yearly and pooled rows coincide
            table = table.drop_duplicates(subset=["county_fips"])
    elif measure == "agreement_287g_years":
        panel = read_processed("agreements_287g_years")
        panel = panel[panel["year"].between(period.start.year, period.end.year)]
        table = agreement_287g_measures(panel)
        table = table[table["period_start"] == date(period.start.year, 1, 1).isoformat()]
        table = table[table["period_end"] == date(period.end.year, 12, 31).isoformat()]
    else:  # ice_adp_year_end
        table = year_end_detention_measures(read_processed("ice_detention_fy"))
        table = table[(table["period_start"] >= period.start.isoformat())
                      & (table["period_end"] <= period.end.isoformat())]
        if table[["period_start", "period_end"]].drop_duplicates().shape[0] != 1:
            raise ParameterError("ice_adp_year_end is published per fiscal year: choose a period covering exactly one "
                                 "fiscal year (e.g. 2023-10-01..2024-09-30)")
    table = table[table["measure"] == measure]
    return table.sort_values("county_fips", ignore_index=True)[MEASURE_COLUMNS]


# ----------------------------------------------------------------------------- comparing measures

SHARE_MEASURES = ("custody_share", "custody_share_resolved", "custody_share_shrunk", "declined_share",
                  "declined_share_broad", "unresolved_share")
RATE_MEASURES = ("detainers_per_100k", "jail_arrests_per_100k", "jail_arrests_per_1k_foreign_born",
                 "recorded_declines")
# One measure per kind of cooperation, each over its source's full coverage: the side-by-side view.
HEADLINE_MEASURES = ("detainers_per_100k", "custody_share", "declined_share", "unresolved_share",
                     "recorded_declines", "jail_arrests_per_100k", "mean_daily_ice_headcount",
                     "agreement_287g_years")


def measure_kind(measure: str) -> str:
    """'share' (0-1, binomial), 'rate' (per population or facility-year), 'count' or 'administrative'."""
    measure_coverage(measure)  # validates the name
    if measure in SHARE_MEASURES:
        return "share"
    if measure in RATE_MEASURES:
        return "rate"
    if measure in ("detainers_lodged", "jail_arrests"):
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


def side_by_side(measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """County x measure estimates (each over its default period), for comparing definitions."""
    frames = []
    for measure in measures:
        table = measure_table(measure)
        frames.append(table.set_index("county_fips")["estimate"].rename(measure))
    wide = pd.concat(frames, axis=1).reset_index()
    wide.insert(1, "county", wide["county_fips"].map(dict(zip(county_frame()["county_fips"],
                                                              county_frame()["county"]))))
    return wide


def measure_rank_agreement(wide: pd.DataFrame, measures: tuple[str, ...] = HEADLINE_MEASURES) -> pd.DataFrame:
    """Spearman rank correlation between every pair of measures over the counties where both exist."""
    rows = []
    for i, a in enumerate(measures):
        for b in measures[i + 1:]:
            both = wide[[a, b]].dropna()
            rho = both[a].rank().corr(both[b].rank()) if len(both) >= 4 else float("nan")
            rows.append({"measure_a": a, "measure_b": b, "counties": len(both), "spearman_rho": rho})
    return pd.DataFrame(rows)
