"""County votes for president (2000-2024), governor (2014, 2018, 2022) and the 2022 sheriff races,
and which races were contested."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.errors import ParameterError, SchemaError
from ma_ice_coop.io import read_processed
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.fips import COUNTY_FIPS
from ma_ice_coop.tables.loaders.covariates.common import (
    AGGREGATE_OTHER_LABELS,
    BLANK_BALLOT_LABELS,
    COUNTY_NAMES,
    fips5,
    read_text_csv,
    require_all_counties,
    to_number,
)
from ma_ice_coop.tables.loaders.covariates.extracts import (
    derive_medsl_2018_county_governor_ma,
    derive_medsl_2022_county_sheriff_governor_ma,
    derive_medsl_election_context_2018_ma,
    derive_tonmcg_pres_2008_2016_ma,
    derive_tonmcg_pres_2020_ma,
    derive_tonmcg_pres_2024_ma,
)


def _votes_frame(fips, year: int, dem, rep, total, source_file: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "county_fips": list(fips),
            "year": year,
            "dem_votes": list(dem),
            "rep_votes": list(rep),
            "total_votes": list(total),
            "source_file": source_file,
        }
    )
    bad = (
        out[["dem_votes", "rep_votes", "total_votes"]].isna().any(axis=1)
        | (out["dem_votes"] + out["rep_votes"] > out["total_votes"])
        | (out["total_votes"] <= 0)
    )
    if bad.any():
        raise SchemaError(
            f"{source_file} {year}: missing votes, or Democratic + Republican votes exceed "
            f"the total, for {sorted(out.loc[bad, 'county_fips'])}; what to do: restore the file."
        )
    require_all_counties(out["county_fips"], source_file, str(year))
    return out


def pres_votes_medsl_countypres(path=None) -> pd.DataFrame:
    """President 2000 and 2004 by county (MEDSL countypres, MA extract): Democratic, Republican, total votes."""
    fid = "medsl_countypres_2000_2004_ma"
    rows = read_text_csv(
        path or input_path(fid), fid, ["year", "county_fips", "office", "party", "candidatevotes", "totalvotes"]
    )
    rows = rows.assign(
        fips=fips5(rows["county_fips"]),
        votes=to_number(rows["candidatevotes"], fid, "candidatevotes"),
        total=to_number(rows["totalvotes"], fid, "totalvotes"),
    )
    frames = []
    for year in (2000, 2004):
        yr = rows[(rows["year"] == str(year)) & (rows["office"] == "US PRESIDENT")]
        by = yr.groupby("fips")
        total = by["total"].agg(["min", "max"])
        summed = by["votes"].sum()
        if (total["min"] != total["max"]).any() or (summed != total["max"]).any():
            raise SchemaError(
                f"{fid} {year}: totalvotes differs within a county or from the sum of candidatevotes; "
                "what to do: restore the registered file."
            )
        dem = yr[yr["party"] == "DEMOCRAT"].groupby("fips")["votes"].sum()
        rep = yr[yr["party"] == "REPUBLICAN"].groupby("fips")["votes"].sum()
        fips = total.index
        frames.append(_votes_frame(fips, year, dem.reindex(fips), rep.reindex(fips), total["max"], fid))
    return pd.concat(frames, ignore_index=True)


def pres_votes_tonmcg_2008(path=None) -> pd.DataFrame:
    """President 2008 by county (tonmcg 08-16 file): Democratic, Republican, total votes."""
    fid = "tonmcg_pres_2008_2016"
    rows = derive_tonmcg_pres_2008_2016_ma(path)
    num = {c: to_number(rows[c], fid, c) for c in ("dem_2008", "gop_2008", "total_2008")}
    return _votes_frame(fips5(rows["fips_code"]), 2008, num["dem_2008"], num["gop_2008"], num["total_2008"], fid)


def pres_votes_tonmcg(year: int, path=None) -> pd.DataFrame:
    """President 2020 or 2024 by county (tonmcg yearly file): Democratic, Republican, total votes."""
    derive = {2020: derive_tonmcg_pres_2020_ma, 2024: derive_tonmcg_pres_2024_ma}
    if year not in derive:
        raise ParameterError(f"tonmcg yearly files are used for 2020 and 2024, not {year}")
    fid = f"tonmcg_pres_{year}"
    rows = derive[year](path)
    num = {c: to_number(rows[c], fid, c) for c in ("votes_dem", "votes_gop", "total_votes")}
    return _votes_frame(fips5(rows["county_fips"]), year, num["votes_dem"], num["votes_gop"], num["total_votes"], fid)


def _context_votes(rows: pd.DataFrame, year: int, dem: str, rep: str, other: str) -> pd.DataFrame:
    fid = "medsl_election_context_2018"
    d, r, o = (to_number(rows[c], fid, c) for c in (dem, rep, other))
    return _votes_frame(fips5(rows["fips"]), year, d, r, d + r + o, fid)


def pres_votes_election_context(path=None) -> pd.DataFrame:
    """President 2012 and 2016 by county (MEDSL election-context; total = dem + rep + other)."""
    rows = derive_medsl_election_context_2018_ma(path)
    return pd.concat(
        [
            _context_votes(rows, 2012, "obama12", "romney12", "otherpres12"),
            _context_votes(rows, 2016, "clinton16", "trump16", "otherpres16"),
        ],
        ignore_index=True,
    )


def gov_votes_election_context_2014(path=None) -> pd.DataFrame:
    """Governor 2014 by county (MEDSL election-context; Coakley D, Baker R, others)."""
    return _context_votes(derive_medsl_election_context_2018_ma(path), 2014, "demgov14", "repgov14", "othergov14")


def _gov_votes_from_county_totals(totals: pd.DataFrame, year: int, file_id: str) -> pd.DataFrame:
    """Democratic, Republican and total (non-blank) governor votes per county from MEDSL county sums."""
    gov = totals[totals["office"] == "GOVERNOR"]
    counted = gov[~gov["candidate"].isin(BLANK_BALLOT_LABELS)]
    for party in ("DEMOCRAT", "REPUBLICAN"):
        n = counted[counted["party_detailed"] == party].groupby("county_fips")["candidate"].nunique()
        if sorted(n.index) != COUNTY_FIPS or (n != 1).any():
            raise SchemaError(
                f"{file_id} {year}: expected one {party} governor candidate in each of the 14 counties; "
                "what to do: check the file against its SOURCE.md."
            )
    fips = sorted(counted["county_fips"].unique())
    total = counted.groupby("county_fips")["votes"].sum().reindex(fips)
    dem = counted[counted["party_detailed"] == "DEMOCRAT"].groupby("county_fips")["votes"].sum().reindex(fips)
    rep = counted[counted["party_detailed"] == "REPUBLICAN"].groupby("county_fips")["votes"].sum().reindex(fips)
    return _votes_frame(fips, year, dem.astype(float), rep.astype(float), total.astype(float), file_id)


def gov_votes_medsl_2018(path=None) -> pd.DataFrame:
    """Governor 2018 by county (Gonzalez D, Baker R), summed from MEDSL precincts; undervotes excluded."""
    return _gov_votes_from_county_totals(derive_medsl_2018_county_governor_ma(path), 2018, "medsl_2018_precinct")


def gov_votes_medsl_2022(path=None) -> pd.DataFrame:
    """Governor 2022 by county (Healey D, Diehl R), summed from MEDSL precincts; blanks excluded."""
    return _gov_votes_from_county_totals(
        derive_medsl_2022_county_sheriff_governor_ma(path), 2022, "medsl_2022_local_precinct"
    )


def presidential_votes() -> pd.DataFrame:
    """County presidential votes 2000-2024 from the preferred source per year (module docstring)."""
    frames = [
        pres_votes_medsl_countypres(),
        pres_votes_tonmcg_2008(),
        pres_votes_election_context(),
        pres_votes_tonmcg(2020),
        pres_votes_tonmcg(2024),
    ]
    return pd.concat(frames, ignore_index=True).sort_values(["year", "county_fips"], ignore_index=True)


def governor_votes() -> pd.DataFrame:
    """County governor votes 2014 (election-context), 2018 and 2022 (MEDSL precinct sums)."""
    frames = [gov_votes_election_context_2014(), gov_votes_medsl_2018(), gov_votes_medsl_2022()]
    return pd.concat(frames, ignore_index=True).sort_values(["year", "county_fips"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# 2022 sheriff races
# --------------------------------------------------------------------------------------------

CONTESTED_MIN_RUNNER_UP_SHARE = 0.01  # a named runner-up below 1% of the votes is scatter, not a contest
# The write-in rule in words, for every sentence that states how many 2022 sheriff races were (un)contested.
CONTESTED_RULE = (
    "a race counts as contested when a named candidate other than the winner, on the ballot or a named "
    "write-in, received at least 1% of the votes cast for candidates; unnamed write-ins (MEDSL 'WRITEIN', "
    "'all others', scattering) never make a race contested"
)


def uncontested_sheriff_races_2022(panel: pd.DataFrame | None = None) -> list[str]:
    """Counties (names, alphabetical) whose 2022 sheriff race was uncontested under CONTESTED_RULE.

    The one source of the count: the processed county_covariates panel, variable sheriff_2022_contested
    (0 = uncontested). Every report that states the number uses this function."""
    if panel is None:
        panel = read_processed("county_covariates")
    rows = panel[(panel["variable"] == "sheriff_2022_contested") & (panel["year"] == 2022)]
    if rows.empty:
        raise SchemaError(
            "county_covariates has no sheriff_2022_contested rows; what to do: rebuild the processed "
            "tables (ma-ice process)."
        )
    return sorted(rows.loc[rows["value"] == 0, "county_fips"].map(COUNTY_NAMES))


def sheriff_2022_results(path=None) -> pd.DataFrame:
    """One row per county with a 2022 sheriff race in MEDSL: winner, shares, margin, contested.

    Denominator: votes for any candidate (named candidates + aggregated write-ins); blank ballots
    excluded. Contested (1) when the runner-up, the second named candidate, has at least
    CONTESTED_MIN_RUNNER_UP_SHARE (1%) of those votes. MEDSL names some write-in candidates: this
    counts Hampshire's write-in campaign (Gittelson, 11%) as a contest but not Dukes' 50 votes for
    Blake (0.7%, a defeated primary candidate; no one else was on the ballot). margin =
    (winner - runner-up) / denominator when contested, and 1.0 when unopposed (uncontested),
    even though scattered write-ins keep the winner's share below 1. Counties absent from the
    source are absent here (no row, not zero); in the 2022 MEDSL file all 14 counties have a race.
    """
    fid = "medsl_2022_local_precinct"
    totals = derive_medsl_2022_county_sheriff_governor_ma(path)
    sheriff = totals[totals["office"] == "SHERIFF"]
    rows = []
    for fips, race in sheriff.groupby("county_fips", sort=True):
        counted = race[~race["candidate"].isin(BLANK_BALLOT_LABELS)]
        named = counted[~counted["candidate"].isin(AGGREGATE_OTHER_LABELS)]
        named = named.groupby(["candidate", "party_detailed"], as_index=False)["votes"].sum()
        named = named.sort_values(["votes", "candidate"], ascending=[False, True], ignore_index=True)
        denominator = float(counted["votes"].sum())
        if named.empty or denominator <= 0:
            raise SchemaError(
                f"{fid}: the 2022 sheriff race in county {fips} has no named candidate with votes; "
                "what to do: check the file against its SOURCE.md."
            )
        winner = float(named.loc[0, "votes"])
        second = float(named.loc[1, "votes"]) if len(named) > 1 else 0.0
        contested = second / denominator >= CONTESTED_MIN_RUNNER_UP_SHARE
        runner_up = second if len(named) > 1 else np.nan
        rows.append(
            {
                "county_fips": fips,
                "winner": named.loc[0, "candidate"],
                "winner_party": named.loc[0, "party_detailed"],
                "winner_votes": winner,
                "runner_up_votes": runner_up,
                "total_votes": denominator,
                "winner_share": winner / denominator,
                "margin": (winner - runner_up) / denominator if contested else 1.0,
                "contested": 1.0 if contested else 0.0,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# long rows
# --------------------------------------------------------------------------------------------
