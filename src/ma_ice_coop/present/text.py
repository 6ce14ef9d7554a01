"""Words for readers, one rule each: lists, counted nouns, ordinals, year ranges, periods, literal Markdown,
measure and covariate labels in place of ids (`label_ids`, `in_sentence`, `as_heading`) and source links
(partial dates are read by `tables.reference.first_day`). Every view writes these through this module, so they
read the same everywhere."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, urlsplit

from ma_ice_coop.present.report import fmt_num
from ma_ice_coop.tables.catalogue import catalogue
from ma_ice_coop.tables.catalogue_entries import as_heading, in_sentence  # noqa: F401  (words for labels)

#: Plural names for readers of the groups of facilities not run by a sheriff (analysis.measures.agency_measures).
AGENCY_GROUP_NAMES = {
    "state_doc": "state prisons (DOC)",
    "federal": "federal sites",
    "police": "police lockups",
    "state_police": "State Police stations",
    "ice": "ICE offices",
    "court": "courthouses",
    "other": "other places",
}

_MARKDOWN_SPECIAL = ("\\", "`", "*", "_", "[", "]", "#", "|", "$")


def join_words(items: Iterable[str], *, empty: str = "") -> str:
    """Items joined in English: 'a', 'a and b', 'a, b and c'; `empty` when there is none."""
    items = [str(item) for item in items]
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(count, singular: str, plural: str | None = None) -> str:
    """'1 detainer', '3 detainers', '1,204 detainers'."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{fmt_num(count)} {word}"


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def year_spans(years: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive years as (first, last): [2017, 2018, 2020] -> [(2017, 2018), (2020, 2020)]."""
    spans: list[tuple[int, int]] = []
    for year in sorted({int(year) for year in years}):
        if spans and year == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], year)
        else:
            spans.append((year, year))
    return spans


def year_ranges(years: Iterable[int], *, empty: str = "") -> str:
    """[2008, 2009, 2010, 2014] -> '2008-2010, 2014'; `empty` when there is no year."""
    spans = year_spans(years)
    if not spans:
        return empty
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in spans)


def esc(text) -> str:
    """A data string escaped for HTML (and so for Markdown cells rendered as HTML)."""
    return html.escape(str(text), quote=False)


def md_literal(text) -> str:
    """Data text as literal Markdown: HTML escaped, and no emphasis, link, heading, table or math by accident."""
    out = esc(text)
    for char in _MARKDOWN_SPECIAL:
        out = out.replace(char, "\\" + char)
    return out


# ----------------------------------------------------------------------------- source links


def source_urls(cell) -> list[str]:
    """The URLs of a reference table's source_url cell (several are joined by ' ; ')."""
    return [url.strip() for url in str(cell).split(" ; ") if url.strip()]


def link_names(cell) -> list[tuple[str, str]]:
    """(url, text) per source of a source_url cell: the site's name, numbered when a site repeats."""
    urls = source_urls(cell)
    hosts = [(urlsplit(url).netloc or url).removeprefix("www.") for url in urls]
    return [
        (url, host if hosts[:position].count(host) == 0 else f"{host} ({hosts[:position].count(host) + 1})")
        for position, (url, host) in enumerate(zip(urls, hosts, strict=True))
    ]


def md_source_links(cell) -> str:
    """A source_url cell as Markdown links named by site: '[mass.gov](…), [wbur.org](…)'. Characters that
    would end a link are percent-encoded."""
    links = []
    for url, text in link_names(cell):
        safe = quote(url, safe=":/?#[]@!$&'*+,;=%~").replace("(", "%28").replace(")", "%29")
        links.append(f"[{md_literal(text)}]({safe})")
    return ", ".join(links)


def html_source_links(cell) -> str:
    """A source_url cell as HTML links named by site, for tables."""
    return ", ".join(
        f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>' for url, text in link_names(cell)
    )


def period_text(start, end) -> str:
    """'2014-10-01 to 2015-07-19' (dates or ISO strings)."""
    return f"{start} to {end}"


# ----------------------------------------------------------------------------- measure and covariate names


def label_ids(text: str) -> str:
    """Text written by the analysis code with the catalogue's ids (measures and covariates) replaced by their
    labels as they read in a sentence: 'sheriff_republican takes only two values' -> 'Republican sheriff takes
    only two values'. For machine-written notes only; views write labels themselves."""
    cat = catalogue()
    pattern = _id_pattern(cat.all_ids())
    return pattern.sub(lambda match: cat.phrase(match.group(0)), str(text))


@lru_cache(maxsize=4)
def _id_pattern(ids: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(name) for name in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{names})(?![A-Za-z0-9_])")


def table_words(table: str) -> str:
    """A processed table named for readers: 'jail_arrests' -> 'jail arrests table' (its id is for code)."""
    return f"{table.replace('_', ' ')} table"


def code_cells(table_html: str, column: int = 0) -> str:
    """An escaped HTML table (present.report.html_table) with the cells of one column set as code (ids an
    analyst passes or looks up): only cells that are plain identifiers are wrapped."""
    pattern = re.compile(r"(<tr>\s*" + r"<td>[^<]*</td>\s*" * column + r"<td>)([A-Za-z0-9_.]+)(</td>)")
    return pattern.sub(r"\1<code>\2</code>\3", table_html)
