"""Counts from the processed tables: detainer outcomes, blanks by month, arrests by place, covariate years.

`outcome_table` and `arrest_status_table` also record the numbers the generated text uses in `facts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ma_ice_coop.tables.loaders.detainers import MA_STATE
from ma_ice_coop.views.data_and_coverage.definitions import BLANK_LIFT_REASON, COVARIATE_GROUPS, OTHER_COVARIATES

ARREST_PLACES = [
    "Massachusetts sheriff-run jail",
    "other Massachusetts facility or place",
    "outside Massachusetts",
    "unplaced (landmark names no place)",
]


def ma_detainers(detainers: pd.DataFrame) -> pd.DataFrame:
    return detainers[detainers["facility_state"] == MA_STATE]


def _no_state_names(detainers: pd.DataFrame) -> dict:
    """The most common facility name among detainers with no facility state, with its count."""
    return (
        detainers.loc[detainers["facility_state"].isna(), "facility_name"]
        .value_counts()
        .sort_index()
        .sort_values(ascending=False, kind="stable")
        .head(1)
        .to_dict()
    )


def _outcome_facts(detainers: pd.DataFrame, ma: pd.DataFrame, counts: pd.DataFrame, total: pd.Series) -> dict:
    blank = counts[counts["lift reason"] == BLANK_LIFT_REASON]
    unresolved = ma[ma["outcome"] == "unresolved"]
    return {
        "fiscal_years": sorted(int(y) for y in detainers["fiscal_year"].dropna().unique()),
        "ma_detainers": len(ma),
        "ma_first": ma["prepare_date"].min(),
        "ma_last": ma["prepare_date"].max(),
        "national_detainers": len(detainers),
        "national_first": detainers["prepare_date"].min(),
        "national_last": detainers["prepare_date"].max(),
        "ma_unresolved": len(unresolved),
        "ma_blank": int(blank["all"].sum()),
        "sheriff_detainers": int(total["sheriff"]),
        "sheriff_unresolved": int((unresolved["group"] == "sheriff").sum()),
        "other_detainers": int(total["other"]),
        "other_unresolved": int((unresolved["group"] == "other").sum()),
        "ma_declined": int((ma["outcome"] == "declined").sum()),
        "ma_custody": int((ma["outcome"] == "custody").sum()),
        "no_state": int(detainers["facility_state"].isna().sum()),
        "no_state_names": _no_state_names(detainers),
    }


def outcome_table(detainers: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """Massachusetts detainers by lift reason (blank counted as its own row), sheriff vs other facilities.

    Columns: lift reason, outcome, then count and share for sheriff-run facilities, other
    Massachusetts facilities (DOC, federal, ICE, police, State Police) and all; a final 'all' row.
    """
    ma = ma_detainers(detainers).copy()
    ma["lift reason"] = ma["lift_reason"].fillna(BLANK_LIFT_REASON)
    ma["group"] = np.where(ma["operator_type"] == "sheriff", "sheriff", "other")
    counts = (
        ma.groupby(["lift reason", "outcome", "group"])
        .size()
        .unstack("group", fill_value=0)
        .reindex(columns=["sheriff", "other"], fill_value=0)
    )
    counts.columns.name = None
    counts["all"] = counts["sheriff"] + counts["other"]
    counts = counts.reset_index().sort_values(["all", "lift reason"], ascending=[False, True], ignore_index=True)
    total = counts[["sheriff", "other", "all"]].sum()
    counts.loc[len(counts)] = {"lift reason": "all", "outcome": "", **total.to_dict()}
    for group in ("sheriff", "other", "all"):
        counts[f"{group} share"] = counts[group] / total[group] if total[group] else np.nan
    facts.update(_outcome_facts(detainers, ma, counts, total))
    return counts[["lift reason", "outcome", "sheriff", "sheriff share", "other", "other share", "all", "all share"]]


def blank_by_month(detainers: pd.DataFrame) -> pd.DataFrame:
    """Massachusetts detainers and blank (unresolved) outcomes per prepare month, at sheriff-run facilities and at
    all Massachusetts facilities: a blank that piles up near the cut-off is right-censoring (still pending)."""
    ma = ma_detainers(detainers).copy()
    ma["prepare month"] = ma["prepare_date"].dt.to_period("M").astype(str)
    ma["blank"] = ma["lift_reason"].isna()
    ma["sheriff"] = ma["operator_type"] == "sheriff"
    out = (
        ma.groupby("prepare month")
        .agg(
            **{
                "sheriff-run: detainers": ("sheriff", "sum"),
                "sheriff-run: blank": ("blank", lambda blank: int((blank & ma.loc[blank.index, "sheriff"]).sum())),
                "all MA: detainers": ("blank", "size"),
                "all MA: blank": ("blank", "sum"),
            }
        )
        .reset_index()
    )
    out["last prepared"] = ma.groupby("prepare month")["prepare_date"].max().dt.date.astype(str).to_numpy()
    for group in ("sheriff-run", "all MA"):
        detainer_count, blank_count = out[f"{group}: detainers"], out[f"{group}: blank"]
        out[f"{group}: blank share"] = np.where(
            detainer_count > 0, blank_count / detainer_count.where(detainer_count > 0, 1), np.nan
        )
    columns = [
        "prepare month",
        "last prepared",
        "sheriff-run: detainers",
        "sheriff-run: blank",
        "sheriff-run: blank share",
        "all MA: detainers",
        "all MA: blank",
        "all MA: blank share",
    ]
    return out[columns].astype({column: "int64" for column in columns if column.endswith(("detainers", "blank"))})


def _arrest_facts(arrests: pd.DataFrame) -> dict:
    starts, ends = arrests["period_start"].dropna().unique(), arrests["period_end"].dropna().unique()
    status = arrests["status"]
    return {
        "arrests_total": int(arrests["arrests"].sum()),
        "arrest_landmarks": len(arrests),
        "arrests_unplaced": int(arrests.loc[status == "unplaced", "arrests"].sum()),
        "landmarks_unplaced": int((status == "unplaced").sum()),
        "arrests_outside": int(arrests.loc[status == "outside_ma", "arrests"].sum()),
        "arrests_ma": int(arrests.loc[status == "facility", "arrests"].sum()),
        "arrests_sheriff": int(arrests.loc[arrests["operator_type"] == "sheriff", "arrests"].sum()),
        "arrest_periods": len(set(zip(arrests["period_start"], arrests["period_end"], strict=True))),
        "arrest_start": pd.Timestamp(min(starts)) if len(starts) else pd.NaT,
        "arrest_end": pd.Timestamp(max(ends)) if len(ends) else pd.NaT,
    }


def arrest_status_table(arrests: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """ICE arrests in the Boston area of responsibility (pooled) by where the landmark can be placed."""
    placed = arrests.copy()
    placed["place"] = np.select(
        [placed["operator_type"] == "sheriff", placed["status"] == "facility", placed["status"] == "outside_ma"],
        ARREST_PLACES[:3],
        default=ARREST_PLACES[3],
    )
    table = (
        placed.groupby("place")
        .agg(landmarks=("arrests", "size"), arrests=("arrests", "sum"))
        .reindex(ARREST_PLACES, fill_value=0)
        .reset_index()
    )
    table["share of arrests"] = table["arrests"] / table["arrests"].sum()
    facts.update(_arrest_facts(placed))
    return table


def covariate_years(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per covariate variable: its group, the years with a value, and the vintages."""
    rows = []
    for variable, values in panel[panel["value"].notna()].groupby("variable", sort=True):
        group = next((label for label, test in COVARIATE_GROUPS if test(variable)), OTHER_COVARIATES)
        years = sorted(int(y) for y in values["year"].unique())
        vintages = sorted(set(values["vintage"].astype(str))) if "vintage" in values else []
        rows.append(
            {
                "variable": variable,
                "group": group,
                "years": years,
                "first": years[0],
                "last": years[-1],
                "vintages": vintages,
            }
        )
    return pd.DataFrame(rows, columns=["variable", "group", "years", "first", "last", "vintages"])
