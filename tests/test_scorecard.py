"""The scorecard: 14 rows with every cell filled or marked unknown, every number equal to its download row,
the same cells on the index and in each county report, and policy beside records."""

from __future__ import annotations

import html
import math
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from ma_ice_coop import config
from ma_ice_coop.analysis.scorecard import SCORECARD_POLICIES, policy_vs_records, scorecard, scorecard_cells
from ma_ice_coop.present import scorecard as card
from ma_ice_coop.present.scorecard_words import bed_contract_finding, summary_html
from ma_ice_coop.tables.policies import POLICY_QUESTIONS
from ma_ice_coop.tables.reference import county_names

REPORTS = config.project_root() / "reports"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return scorecard()


@pytest.fixture(scope="module")
def columns() -> list[card.Column]:
    return card.columns(dict(POLICY_QUESTIONS), SCORECARD_POLICIES)


class _Cells(HTMLParser):
    """Text of every cell of tables with a given class, row by row, and the ids seen."""

    def __init__(self, table_class: str):
        super().__init__()
        self.table_class, self.depth, self.rows, self.ids, self._cell = table_class, 0, [], set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "table" and self.table_class in (attrs.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.depth = 0

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _cells(path, table_class: str) -> _Cells:
    parser = _Cells(table_class)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_fourteen_rows_every_cell_filled_or_unknown(frame, columns):
    assert len(frame) == 14 and frame["county_fips"].is_unique
    for _, row in frame.iterrows():
        for column in columns:
            text = column.text(row)
            assert text.strip(), (row["county"], column.key)
            assert "nan" not in text.lower().split(), (row["county"], column.key, text)
    for question in SCORECARD_POLICIES:
        assert frame[f"policy_{question}_value"].notna().all(), question  # unknown is a value, never a blank


def test_every_number_equals_its_download_row(frame):
    downloads = REPORTS / "data"
    county = pd.read_csv(downloads / "county_measures.csv", dtype={"county_fips": str})
    csv = pd.read_csv(downloads / "scorecard.csv", dtype={"county_fips": str}).set_index("county_fips")
    for name, cell in scorecard_cells().items():
        rows = county[
            (county["measure"] == cell.measure)
            & (county["period_start"] == cell.period.start.isoformat())
            & (county["period_end"] == cell.period.end.isoformat())
        ].set_index("county_fips")
        assert len(rows) == 14, (name, cell)
        for fips in csv.index:
            expected, got = rows.loc[fips, cell.value], csv.loc[fips, name]
            assert (pd.isna(expected) and pd.isna(got)) or math.isclose(expected, got, abs_tol=1e-6), (name, fips)
    computed = frame.set_index("county_fips")
    assert (csv["jail_arrests"] == computed["jail_arrests"]).all()


def test_detention_days_agree_with_the_daily_records(frame):
    """The fiscal years, first and last days come from the daily table; the days from the download: they agree."""
    for _, row in frame.iterrows():
        assert bool(row["ice_detention_fiscal_years"]) == (row["ice_detention_days"] > 0), row["county"]
        if row["ice_detention_days"] > 0:
            assert row["ice_detention_first_day"] <= row["ice_detention_last_day"] <= row["ice_detention_records_end"]


def test_index_scorecard_shows_the_same_cells(frame, columns):
    parsed = _cells(REPORTS / "index.html", "scorecard")
    header, body = parsed.rows[0], parsed.rows[1:]
    assert len(body) == 14 and len(header) == len(columns) + 1
    for (_, row), cells in zip(frame.iterrows(), body, strict=True):
        assert cells[0] == row["county"]
        assert cells[1:] == [" ".join(c.text(row).split()) for c in columns], row["county"]
    assert "scorecard" in parsed.ids


@pytest.mark.parametrize("county", sorted(county_names().values()))
def test_county_report_opens_with_its_row(frame, columns, county):
    path = REPORTS / "counties" / f"{county}.html"
    parsed = _cells(path, "scorecard-card")
    row = frame[frame["county"] == county].iloc[0]
    values = {cells[0]: cells[1] for cells in parsed.rows[1:]}
    assert list(values.values()) == [" ".join(c.text(row).split()) for c in columns]
    assert {f"card-{c.key}" for c in columns} <= parsed.ids  # the index's cell links land here
    assert {"measures", "history"} <= parsed.ids  # and the card's links land in the report's sections
    text = path.read_text(encoding="utf-8")
    assert text.index('id="scorecard"') < text.index("Key findings")  # the first section


def test_index_links_every_cell_to_the_county_card():
    text = (REPORTS / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="(counties/[A-Za-z]+\.html#card-[a-z0-9-]+)"', text))
    assert len(links) == 14 * len(card.columns(dict(POLICY_QUESTIONS), SCORECARD_POLICIES))


def _one_county(**values) -> pd.Series:
    base = {"county_fips": "25005", "county": "Bristol", "ice_detention_days": 100.0, "ice_detention_last_day": ""}
    return pd.Series({**base, **values})


def _beds(*rows) -> pd.DataFrame:
    """A few rows in the schema of data/reference/sheriff_policies.csv (fixture, not real policy)."""
    return pd.DataFrame(
        [{"county_fips": "25005", "policy": "ice_bed_contract", "value": v, "date": d} for v, d in rows]
    )


@pytest.mark.parametrize(
    ("last_day", "days", "rows", "finding"),
    [
        ("2021-06-29", 4388.0, [("yes", "2019-06-26"), ("no", "2021-05-20"), ("no", "2024-11-18")], "held_after_end"),
        ("2021-04-21", 3430.0, [("yes", "2018-06-22"), ("no", "2021-04")], "agree"),  # month: to its last day
        ("", 0.0, [("yes", "2019")], "none_held"),
        ("2015-01-05", 1634.0, [("no", "2019-10-08")], "not_coded"),
        ("", 0.0, [], "no_rows"),
    ],
)
def test_policy_beside_records(last_day, days, rows, finding):
    county = pd.DataFrame([_one_county(ice_detention_last_day=last_day, ice_detention_days=days)])
    policies = _beds(*rows) if rows else _beds().reindex(columns=["county_fips", "policy", "value", "date"])
    check = policy_vs_records(county, policies).iloc[0]
    assert check["finding"] == finding
    assert bed_contract_finding(check)


def test_real_disagreement_is_reported(frame):
    checks = policy_vs_records(frame).set_index("county")
    assert checks.loc["Bristol", "finding"] == "held_after_end"  # DHS ended it 2021-05-20; ICE's records run on
    summary = summary_html(frame, dict(POLICY_QUESTIONS), SCORECARD_POLICIES, checks.reset_index())
    assert "Bristol" in html.unescape(summary)
