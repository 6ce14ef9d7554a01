"""The extended detainer tables: every installed extended release, read in chunks, placed, de-duplicated.

Two passes, so memory stays bounded by one chunk (200,000 rows, well under 1 GB) whatever the files' size:

1. each file is read chunk by chunk (tables/loaders/extended/read.py), placed in counties (placement.py) and
   written to a staging parquet file; its first and last prepare dates are kept;
2. the windows each release owns are fixed from those spans (windows.py, the de-duplication rule), then every
   staged row group is read again: kept rows go to `extended_detainers.parquet`, and every row (kept or not)
   is counted in the monthly table that all measures come from.

The core release (NPR FY2015 YTD, the processed `detainers` table) is one of the npr_lea files, so the core
and extended tables never disagree about FY2015.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ma_ice_coop import io
from ma_ice_coop.errors import SchemaError
from ma_ice_coop.tables.loaders.detainers import SOURCE as CORE_FILE
from ma_ice_coop.tables.loaders.extended.placement import PLACED_COLUMNS, place_extended
from ma_ice_coop.tables.loaders.extended.read import iter_release_chunks
from ma_ice_coop.tables.loaders.extended.windows import (
    CENSOR_DAYS,
    cutoffs,
    kept_mask,
    near_cutoff_mask,
    owned_windows,
)

CORE_RELEASE = "npr_lea"
TEXT = (
    "release_id",
    "source_file",
    "source_sheet",
    "detainer_type",
    "facility_name",
    "facility_code",
    "facility_city",
    "facility_state",
    "state_source",
    "aor",
    "lift_reason",
    "outcome",
    "request_kind",
    "person_id",
    "criminality",
    *PLACED_COLUMNS,
)
ARROW_SCHEMA = pa.schema(
    [
        *(pa.field(n, pa.string()) for n in TEXT),
        pa.field("source_row", pa.int64()),
        pa.field("prepare_date", pa.timestamp("us")),
        pa.field("fiscal_year", pa.int64()),
        pa.field("lea_release_without_transfer", pa.bool_()),
    ]
)
MONTHLY_KEYS = [
    "release_id",
    "kept",
    "month",
    "facility_state",
    "sheriff_county_fips",
    "outcome",
    "lea_release_without_transfer",
    "near_cutoff",
    "unlisted",
]


@dataclass(frozen=True)
class ExtendedFile:
    """One installed file of an extended release (file_id as in data/sources.yaml)."""

    file_id: str
    release_id: str
    path: Path


def _arrow(frame: pd.DataFrame) -> pa.Table:
    columns = [f.name for f in ARROW_SCHEMA]
    return pa.Table.from_pandas(frame[columns], schema=ARROW_SCHEMA, preserve_index=False)


def _stage_file(item: ExtendedFile, staging: Path, progress) -> dict:
    """Read, place and stage one file; its row count, date span and unlisted facilities."""
    target = staging / f"{item.file_id}.parquet"
    spans, rows, undated, unlisted, unmapped = [], 0, 0, [], []
    with pq.ParquetWriter(target, ARROW_SCHEMA) as writer:
        for chunk in iter_release_chunks(item.path, item.release_id, item.file_id):
            placed = place_extended(chunk)
            writer.write_table(_arrow(placed))
            rows += len(placed)
            undated += int(placed["prepare_date"].isna().sum())  # counted here, left out of every measure
            spans.append((placed["prepare_date"].min(), placed["prepare_date"].max()))
            unlisted.append(_unlisted(placed))
            unmapped.append(placed.loc[placed["outcome"] == "unmapped", "lift_reason"].value_counts())
            progress(f"  {item.file_id}: {rows:,} rows read")
    return {
        "file_id": item.file_id,
        "release_id": item.release_id,
        "rows": rows,
        "undated_rows": undated,
        "first_date": min(s[0] for s in spans) if spans else pd.NaT,
        "last_date": max(s[1] for s in spans) if spans else pd.NaT,
        "unlisted": pd.concat(unlisted) if unlisted else pd.DataFrame(),
        "unmapped": pd.concat(unmapped) if unmapped else pd.Series(dtype="int64"),
    }


def _stage_core(staging: Path) -> dict:
    """The core `detainers` table (already placed) staged as the npr_lea FY2015 YTD file."""
    core = io.read_processed("detainers")
    pq.write_table(_arrow(core), staging / f"{CORE_FILE}.parquet")
    return {
        "file_id": CORE_FILE,
        "release_id": CORE_RELEASE,
        "rows": len(core),
        "undated_rows": 0,
        "first_date": core["prepare_date"].min(),
        "last_date": core["prepare_date"].max(),
        "unlisted": pd.DataFrame(),
        "unmapped": pd.Series(dtype="int64"),
    }


def _unlisted(placed: pd.DataFrame) -> pd.DataFrame:
    keys = ["release_id", "facility_state", "facility_code", "facility_name", "facility_city"]
    rows = placed.loc[placed["placement_method"] == "unlisted", keys]
    return rows.astype("object").where(rows.notna(), "").value_counts().rename("detainers").reset_index()


def _monthly(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(
        month=frame["prepare_date"].dt.to_period("M").dt.to_timestamp(),
        unlisted=frame["placement_method"] == "unlisted",
    )
    keys = frame[MONTHLY_KEYS].astype({"facility_state": "object", "sheriff_county_fips": "object"})
    keys = keys.fillna({"facility_state": "", "sheriff_county_fips": ""})
    return keys.value_counts().rename("detainers").reset_index()


def _second_pass(staged: list[dict], staging: Path, out_dir: Path, windows, cut) -> pd.DataFrame:
    """Kept rows to extended_detainers.parquet; the monthly counts of every row (kept flag included)."""
    monthly = []
    with pq.ParquetWriter(
        out_dir / "extended_detainers.parquet", ARROW_SCHEMA.append(pa.field("near_cutoff", pa.bool_()))
    ) as writer:
        for item in staged:
            reader = pq.ParquetFile(staging / f"{item['file_id']}.parquet")
            for i in range(reader.num_row_groups):
                frame = reader.read_row_group(i).to_pandas()
                frame["kept"] = kept_mask(frame["release_id"], frame["prepare_date"], windows)
                frame["near_cutoff"] = near_cutoff_mask(frame["release_id"], frame["prepare_date"], cut)
                monthly.append(_monthly(frame))
                kept = frame[frame["kept"]].drop(columns="kept")
                writer.write_table(pa.Table.from_pandas(kept, schema=writer.schema, preserve_index=False))
    table = pd.concat(monthly, ignore_index=True)
    return table.groupby(MONTHLY_KEYS, as_index=False, dropna=False)["detainers"].sum()


def _overlap(monthly: pd.DataFrame) -> pd.DataFrame:
    """Rows read and kept per release and fiscal year: how far the releases repeat one another."""
    fy = monthly["month"].dt.year + (monthly["month"].dt.month >= 10).astype("int64")
    table = monthly.assign(fiscal_year=fy, kept_rows=monthly["detainers"].where(monthly["kept"], 0))
    return table.groupby(["release_id", "fiscal_year"], as_index=False).agg(
        rows_read=("detainers", "sum"), rows_kept=("kept_rows", "sum")
    )


def _summaries(staged: list[dict], windows, cut) -> dict[str, pd.DataFrame]:
    files = pd.DataFrame([{k: v for k, v in s.items() if k not in ("unlisted", "unmapped")} for s in staged])
    window_table = pd.DataFrame(
        [{"release_id": w.release_id, "start": w.start, "end": w.end, "cutoff": cut[w.release_id]} for w in windows]
    )
    unlisted = [s["unlisted"] for s in staged if len(s["unlisted"])]
    keys = ["release_id", "facility_state", "facility_code", "facility_name", "facility_city"]
    unlisted = (
        pd.concat(unlisted).groupby(keys, as_index=False)["detainers"].sum().sort_values("detainers", ascending=False)
        if unlisted
        else pd.DataFrame(columns=[*keys, "detainers"])
    )
    reasons = [
        s["unmapped"].rename_axis("lift_reason").rename("detainers").reset_index().assign(file_id=s["file_id"])
        for s in staged
        if len(s["unmapped"])
    ]
    reasons = (
        pd.concat(reasons).groupby(["file_id", "lift_reason"], as_index=False)["detainers"].sum()
        if reasons
        else pd.DataFrame(columns=["file_id", "lift_reason", "detainers"])
    )
    return {
        "extended_files": files,
        "extended_windows": window_table,
        "extended_unlisted_facilities": unlisted.reset_index(drop=True),
        "extended_unmapped_lift_reasons": reasons,
    }


def build_extended_tables(files: list[ExtendedFile], out_dir: Path, *, derived=None, progress=print) -> Path:
    """Write every extended table into `out_dir` (replaced whole at the end: an interrupted build leaves the old
    tables as they were). `derived(monthly, windows)` may return more tables (name -> frame) to write beside them."""
    if not files:
        raise ValueError("no extended release files to load")
    work = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    staging = work / ".staging"
    staging.mkdir(parents=True)
    staged, skipped = _stage_all(files, staging, progress)
    spans = pd.DataFrame(staged)[["release_id", "first_date", "last_date"]].dropna()
    windows, cut = owned_windows(spans), cutoffs(spans)
    progress("de-duplicating (release windows) and counting")
    monthly = _second_pass(staged, staging, work, windows, cut)
    tables = {
        "extended_monthly": monthly,
        "extended_release_overlap": _overlap(monthly),
        **_summaries(staged, windows, cut),
        "extended_skipped_files": pd.DataFrame(skipped, columns=["file_id", "release_id", "problem"]),
    }
    if derived is not None:
        tables.update(derived(monthly, tables["extended_windows"]))
    for name, frame in tables.items():
        io.write_parquet(frame.reset_index(drop=True), work / f"{name}.parquet")
    manifest = {
        "censor_days": CENSOR_DAYS,
        "files": [s["file_id"] for s in staged],
        "tables": sorted([*tables, "extended_detainers"]),
    }
    io.atomic_write_text(work / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(staging)
    return _replace_folder(work, out_dir)


def _stage_all(files: list[ExtendedFile], staging: Path, progress) -> tuple[list[dict], list[dict]]:
    """Stage the core table and every file. A file whose layout does not match its release's description (a
    SchemaError: a renamed column, an unreadable date) is not loaded and is listed with its problem; the other
    files load. None loading at all is an error."""
    staged, skipped = [_stage_core(staging)], []
    for item in files:
        progress(f"reading {item.file_id} ({item.release_id})")
        try:
            staged.append(_stage_file(item, staging, progress))
        except SchemaError as exc:
            (staging / f"{item.file_id}.parquet").unlink(missing_ok=True)
            skipped.append({"file_id": item.file_id, "release_id": item.release_id, "problem": str(exc)})
            progress(f"  {item.file_id}: NOT LOADED: {exc}")
    if len(staged) == 1:
        listing = "\n  ".join(f"{s['file_id']}: {s['problem']}" for s in skipped)
        raise SchemaError(f"none of the extended files could be read:\n  {listing}")
    return staged, skipped


def _replace_folder(work: Path, out_dir: Path) -> Path:
    """`work` becomes `out_dir`; the old tables are removed only once the new ones are in place."""
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    work.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir
