"""The one rule for each piece of reader-facing wording (present/text.py): lists, year ranges, literal
Markdown and source links; and the one reader of partial dates (tables.reference.first_day). Every view
uses these, so each is pinned here once."""

from __future__ import annotations

import pandas as pd
import pytest

from ma_ice_coop.present import text
from ma_ice_coop.tables.reference import first_day


def test_join_words():
    assert text.join_words([]) == ""
    assert text.join_words([], empty="none") == "none"
    assert text.join_words(["Suffolk"]) == "Suffolk"
    assert text.join_words(["Bristol", "Plymouth"]) == "Bristol and Plymouth"
    assert text.join_words(["Bristol", "Plymouth", "Barnstable"]) == "Bristol, Plymouth and Barnstable"
    assert text.join_words(iter([2017, 2018])) == "2017 and 2018"


def test_year_ranges_sort_and_merge():
    assert text.year_ranges([2014, 2008, 2009, 2010, 2009]) == "2008-2010, 2014"
    assert text.year_ranges([2020]) == "2020"
    assert text.year_ranges([]) == ""
    assert text.year_ranges([], empty="none") == "none"
    assert text.year_spans([2017, 2018, 2020]) == [(2017, 2018), (2020, 2020)]


@pytest.mark.parametrize(
    ("written", "first"), [("2019", "2019-01-01"), ("2019-10", "2019-10-01"), ("2019-10-08", "2019-10-08")]
)
def test_first_day_of_a_partial_date(written, first):
    assert first_day(written) == pd.Timestamp(first)


def test_first_day_blank_and_impossible():
    assert pd.isna(first_day(""))
    with pytest.raises(ValueError):
        first_day("2015-02-30")
    with pytest.raises(ValueError):
        first_day("2015-13")


def test_counted_and_ordinal():
    assert text.counted(1, "detainer") == "1 detainer"
    assert text.counted(1204, "detainer") == "1,204 detainers"
    assert text.counted(2, "facility", "facilities") == "2 facilities"
    assert [text.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th",
    ]  # fmt: skip


def test_md_literal_escapes_markup_and_math():
    assert text.md_literal("<b>*x*</b> $5 [a](b) #1 a|b") == ("&lt;b&gt;\\*x\\*&lt;/b&gt; \\$5 \\[a\\](b) \\#1 a\\|b")


def test_source_links_are_named_by_site_and_numbered_when_a_site_repeats():
    cell = "https://www.wbur.org/a ; https://mass.gov/b ; http://www.wbur.org/c_(d)"
    assert text.source_urls(cell) == ["https://www.wbur.org/a", "https://mass.gov/b", "http://www.wbur.org/c_(d)"]
    assert [name for _, name in text.link_names(cell)] == ["wbur.org", "mass.gov", "wbur.org (2)"]
    assert text.md_source_links(cell) == (
        "[wbur.org](https://www.wbur.org/a), [mass.gov](https://mass.gov/b), "
        "[wbur.org (2)](http://www.wbur.org/c_%28d%29)"
    )
    assert text.html_source_links('https://x.org/?a=1&b="2"') == (
        '<a href="https://x.org/?a=1&amp;b=&quot;2&quot;">x.org</a>'
    )
