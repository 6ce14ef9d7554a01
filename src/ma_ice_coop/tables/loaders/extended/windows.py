"""The de-duplication rule of the extended releases: one release supplies each prepare date.

The releases overlap. The two NPR series are two extracts of the same detainers for FY2009-FY2015 (their row
counts agree year by year), and each Deportation Data Project release repeats the months of the one before it.
No person identifier links rows across releases, so rows cannot be matched one by one. The rule is by date:

1. Releases are ranked (RELEASE_PREFERENCE, best first). npr_lea (the series of the core FY2015 file, whose six
   columns are documented) comes before npr_fy (header names partly inferred); a later DDP release comes before
   an earlier one, because its outcomes have had longer to be recorded.
2. A release covers, per file, the span from that file's first to its last prepare date (files less than
   MERGE_GAP_DAYS apart count as one span).
3. Taking the releases in rank order, each owns the dates it covers that no better release covers.
4. A row is kept when its release owns its prepare date. Rows of other releases for that date are read, counted
   (the overlap table compares the releases) and left out of every measure, so no detainer is counted twice.

A release's cut-off is its last prepare date; detainers prepared within CENSOR_DAYS of it are flagged
`near_cutoff` (their outcome may have been recorded after the data were extracted: right-censoring).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

RELEASE_PREFERENCE = ("npr_lea", "npr_fy", "ddp_2026_03", "ddp_2025_12", "ddp_2025_07")
MERGE_GAP_DAYS = 7
"""A release's files less than a week apart are read as one span: a file's first and last detainers fall on working
days, so the days between two consecutive files (a weekend at a fiscal year's turn) are no gap in the release."""
CENSOR_DAYS = 180
"""Days before a release's cut-off within which a detainer's outcome is flagged as possibly not yet recorded."""


@dataclass(frozen=True)
class Window:
    """Dates [start, end] (inclusive) whose detainers come from `release_id`."""

    release_id: str
    start: pd.Timestamp
    end: pd.Timestamp


def _rank(release_id: str) -> int:
    if release_id not in RELEASE_PREFERENCE:
        raise ValueError(
            f"release '{release_id}' has no place in RELEASE_PREFERENCE {RELEASE_PREFERENCE}: "
            "rank it in tables/loaders/extended/windows.py before loading it"
        )
    return RELEASE_PREFERENCE.index(release_id)


def _merge(
    spans: list[tuple[pd.Timestamp, pd.Timestamp]], gap_days: int = 1
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Day spans merged when they overlap or lie at most `gap_days` apart (1: touching)."""
    merged: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + pd.Timedelta(days=gap_days):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(span, taken) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The days of `span` not in any of the `taken` spans."""
    pieces = [span]
    day = pd.Timedelta(days=1)
    for t_start, t_end in taken:
        rest = []
        for start, end in pieces:
            if t_end < start or t_start > end:
                rest.append((start, end))
                continue
            if start < t_start:
                rest.append((start, t_start - day))
            if end > t_end:
                rest.append((t_end + day, end))
        pieces = rest
    return pieces


def owned_windows(file_spans: pd.DataFrame) -> list[Window]:
    """The windows each release owns, from one row per file: release_id, first_date, last_date."""
    taken: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    windows: list[Window] = []
    releases = sorted(file_spans["release_id"].unique(), key=_rank)
    for release in releases:
        rows = file_spans[file_spans["release_id"] == release]
        files = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in zip(rows["first_date"], rows["last_date"], strict=True)]
        spans = _merge(files, MERGE_GAP_DAYS)
        own = [piece for span in spans for piece in _subtract(span, taken)]
        windows.extend(Window(release, start, end) for start, end in own)
        taken = _merge(taken + spans)
    return sorted(windows, key=lambda w: w.start)


def kept_mask(release_id: pd.Series, prepare_date: pd.Series, windows: list[Window]) -> pd.Series:
    """True where a row's release owns its prepare date."""
    kept = pd.Series(False, index=release_id.index)
    for w in windows:
        kept |= (release_id == w.release_id) & prepare_date.between(w.start, w.end)
    return kept


def cutoffs(file_spans: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each release's last prepare date (its extraction cut-off, as far as the rows show)."""
    return {r: pd.Timestamp(d) for r, d in file_spans.groupby("release_id")["last_date"].max().items()}


def near_cutoff_mask(release_id: pd.Series, prepare_date: pd.Series, cutoff: dict[str, pd.Timestamp]) -> pd.Series:
    """True for detainers prepared within CENSOR_DAYS of their release's cut-off."""
    last = release_id.map(cutoff)
    return (prepare_date > last - pd.Timedelta(days=CENSOR_DAYS)).fillna(False).astype(bool)
