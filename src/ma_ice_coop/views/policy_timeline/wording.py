"""Small wording helpers of the policy-timeline text: literal Markdown, source links, dates, lists, numbers."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pandas as pd

from ma_ice_coop.present.report import fmt_num


def md_text(text: str) -> str:
    """Timeline wording as Markdown literal text (no emphasis, links or math by accident)."""
    out = str(text)
    for char in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "$"):
        out = out.replace(char, "\\" + char)
    return out


def _urls(source_url: str) -> list[str]:
    return [url.strip() for url in str(source_url).split(" ; ") if url.strip()]


def _host(url: str) -> str:
    host = urlsplit(url).netloc or url
    return host.removeprefix("www.")


def link_names(source_url: str) -> list[tuple[str, str]]:
    """(url, text) per source: the host name, numbered when a host repeats."""
    urls = _urls(source_url)
    hosts = [_host(url) for url in urls]
    out = []
    for position, (url, host) in enumerate(zip(urls, hosts, strict=True)):
        repeats = hosts[:position].count(host)
        out.append((url, host if repeats == 0 else f"{host} ({repeats + 1})"))
    return out


def md_links(source_url: str) -> str:
    return ", ".join(f"[{md_text(text)}](<{url}>)" for url, text in link_names(source_url))


def links_html(source_url: str) -> str:
    return ", ".join(
        f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>' for url, text in link_names(source_url)
    )


def date_text(row: pd.Series) -> str:
    """A timeline row's date, with its precision when coarser than a day."""
    precision = row["date_precision"]
    return str(row["date"]) + ("" if precision == "day" else f" ({precision} only)")


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'; 'none' for no item."""
    items = list(items)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def year_ranges(years: list[int]) -> str:
    """[2008, 2009, 2010, 2014] -> '2008-2010, 2014'; 'none' for no year."""
    if not years:
        return "none"
    out, start, prev = [], years[0], years[0]
    for year in years[1:] + [None]:
        if year is not None and year == prev + 1:
            prev = year
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if year is not None:
            start = prev = year
    return ", ".join(out)


def persons(value) -> str:
    """A headcount: whole persons from 10 on, one decimal below (and '0' for zero)."""
    if value == 0:
        return "0"
    return fmt_num(value, 0 if abs(value) >= 10 else 1)


def months_text(index: pd.DatetimeIndex) -> str:
    return f"{index.min():%Y-%m} to {index.max():%Y-%m}"


def months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    return (later.to_period("M") - earlier.to_period("M")).n


def ci_text(row: pd.Series, digits: int = 1) -> str:
    """'1.2 (95% CI -0.3 to 2.7)' from a row with estimate, ci_low and ci_high."""
    return (
        f"{fmt_num(row['estimate'], digits)} (95% CI {fmt_num(row['ci_low'], digits)} to "
        f"{fmt_num(row['ci_high'], digits)})"
    )
