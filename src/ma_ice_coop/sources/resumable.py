"""A resumable HTTP downloader for pooch (the extended detainer releases are 12-125 MB each).

pooch (1.9) calls a downloader as `downloader(url, output_file, pooch, check_only=False)`: it must write the
file at `url` to `output_file` (a path, or an open binary file) and, with `check_only`, only say whether the
URL is available. pooch then checks the hash and moves the file into place.

This one streams with requests, shows a tqdm progress bar when asked, and keeps the bytes received so far in
a persistent partial file (`config.extended_raw_dir()/.partial/<file id>.part`, with a small `.json` beside
it naming the URL and the server's ETag / Last-Modified). An interrupted download resumes: the next run asks
for `Range: bytes=<n>-` (with `If-Range`, so a file changed on the server is fetched whole) and appends on
206 Partial Content; on 200 it starts again. Only a complete file leaves the partial folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import requests

from ma_ice_coop import config

CONNECT_TIMEOUT = 30  # seconds to open a connection
READ_TIMEOUT = 120  # seconds without a byte before giving up (the download resumes on the next run)
CHUNK = 1 << 20  # bytes per read
USER_AGENT = "ma-ice-coop (research data download; pooch + requests)"


class IncompleteDownload(requests.exceptions.RequestException):
    """The connection ended before the announced number of bytes arrived (what was received is kept)."""


def partial_path(file_id: str) -> Path:
    """Where the bytes received so far of one extended file are kept between runs."""
    return config.extended_raw_dir() / ".partial" / f"{file_id}.part"


class ResumableDownloader:
    """pooch downloader with resume: `ResumableDownloader(partial_path(file_id), progressbar=True)`.

    `session` is anything with requests' `get(url, headers=, stream=, timeout=, allow_redirects=)` and `head`
    (tests pass a fake one); by default a requests.Session.
    """

    def __init__(self, partial: Path, *, progressbar: bool = False, session=None, label: str | None = None):
        self.partial = Path(partial)
        self.meta = self.partial.with_name(self.partial.name + ".json")
        self.progressbar = progressbar
        self.session = session if session is not None else requests.Session()
        self.label = label or self.partial.stem
        self.timeout = (CONNECT_TIMEOUT, READ_TIMEOUT)

    def __call__(self, url: str, output_file, pooch=None, check_only: bool = False):
        if check_only:
            return self._available(url)
        self._complete(url)
        self._deliver(output_file)
        return None

    def _available(self, url: str) -> bool:
        response = self.session.head(url, allow_redirects=True, timeout=self.timeout, headers=self._headers({}))
        try:
            return response.status_code == 200
        finally:
            response.close()

    def _headers(self, extra: dict) -> dict:
        # identity: a compressed transfer would make byte offsets (and Content-Length) meaningless for Range
        return {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **extra}

    def _resume_from(self, url: str) -> tuple[int, dict]:
        """Bytes already received of this URL (0 if none, or if the partial came from another URL)."""
        meta = {}
        if self.meta.exists():
            try:
                meta = json.loads(self.meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        if self.partial.exists() and meta.get("url") == url:
            return self.partial.stat().st_size, meta
        return 0, {}  # a partial of another URL is kept until this one starts writing (it may still resume)

    def _discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)

    def _complete(self, url: str, *, retried: bool = False) -> None:
        """Fill the partial file with the whole of `url`, resuming where a previous run stopped."""
        have, meta = self._resume_from(url)
        extra = {}
        if have:
            extra["Range"] = f"bytes={have}-"
            etag = meta.get("etag") or ""
            validator = (etag if not etag.startswith("W/") else "") or meta.get("last_modified")  # strong only
            if validator:
                extra["If-Range"] = validator
        response = self.session.get(
            url, headers=self._headers(extra), stream=True, timeout=self.timeout, allow_redirects=True
        )
        try:
            if response.status_code == 416 and have and not retried:
                # the range is past the end: the partial is complete or stale; start again once
                self._discard()
                response.close()
                self._complete(url, retried=True)
                return
            response.raise_for_status()
            offset = have if response.status_code == 206 and _range_start(response) == have else 0
            self._stream(url, response, offset)
        finally:
            response.close()

    def _stream(self, url: str, response, offset: int) -> None:
        """Append (offset > 0, a 206 answer) or write afresh (offset 0) the body of `response`."""
        from tqdm import tqdm  # lazy: only a download draws a progress bar

        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        self.partial.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": url,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
        }
        self.meta.write_text(json.dumps(meta), encoding="utf-8")
        received = offset
        with (
            open(self.partial, "ab" if offset else "wb") as fh,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=self.label,
                disable=not self.progressbar,
                file=sys.stderr,
            ) as bar,
        ):
            for chunk in response.iter_content(chunk_size=CHUNK):
                if chunk:
                    fh.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if total is not None and received < total:
            raise IncompleteDownload(
                f"the connection ended after {received:,} of {total:,} bytes; run again to resume from there"
            )

    def _deliver(self, output_file) -> None:
        """Hand the complete file to pooch: move it to `output_file` (or copy it into an open file)."""
        if hasattr(output_file, "write"):
            with open(self.partial, "rb") as fh:
                shutil.copyfileobj(fh, output_file, CHUNK)
            self._discard()
            return
        try:
            os.replace(self.partial, output_file)
        except OSError:  # another file system: copy, then drop the partial
            shutil.copyfile(self.partial, output_file)
        self._discard()


def _range_start(response) -> int | None:
    """First byte of a 206 answer, from `Content-Range: bytes <start>-<end>/<size>`."""
    value = response.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    if unit.strip().lower() != "bytes":
        return None
    start, _, _ = rest.partition("-")
    try:
        return int(start)
    except ValueError:
        return None
