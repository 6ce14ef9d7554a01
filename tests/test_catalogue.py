"""The measure catalogue (data/reference/measures.yaml): it reproduces the constants the code used before it
existed, covers every measure in the downloads, and a damaged catalogue fails with a clear error."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd
import pytest

from ma_ice_coop import config
from ma_ice_coop.analysis import measures
from ma_ice_coop.build.downloads import downloads_readme
from ma_ice_coop.errors import ParameterError
from ma_ice_coop.specs.parameters import validate_parameters
from ma_ice_coop.tables.catalogue import KINDS, CatalogueError, catalogue, catalogue_path, load_catalogue

# The values of the constants typed in analysis/measures.py before the catalogue (commit 833302a).
OLD_PERIODS = {
    "FY2015_DETAINERS": ("2014-10-01", "2015-07-19"),
    "NPR_DECLINES": ("2007-10-01", "2015-07-19"),
    "JAIL_ARRESTS": ("2011-10-01", "2023-01-29"),
    "ICE_DETENTION_DAILY": ("2008-09-06", "2024-01-04"),
    "AGREEMENTS_287G": ("2005-01-01", "2025-12-31"),
    "ICE_YEAR_END_STATS": ("2018-10-01", "2025-09-25"),
    "DETENTION_COMPLETE": ("2011-10-01", "2024-01-04"),
}
OLD_TUPLES = {
    "DETAINER_MEASURES": (
        "detainers_lodged",
        "detainers_per_100k",
        "custody_share",
        "custody_share_resolved",
        "custody_share_shrunk",
        "custody_share_shrunk_prior_low",
        "custody_share_shrunk_prior_high",
        "declined_share",
        "declined_share_broad",
        "unresolved_share",
    ),
    "JAIL_ARREST_MEASURES": (
        "jail_arrests",
        "jail_arrests_low",
        "jail_arrests_high",
        "jail_arrests_per_100k",
        "jail_arrests_per_100k_low",
        "jail_arrests_per_100k_high",
        "jail_arrests_per_1k_foreign_born",
    ),
    "DETENTION_MEASURES": ("detention_contract_days", "mean_daily_ice_headcount"),
    "AGREEMENT_MEASURES": ("agreement_287g_years", "agreement_287g_paper_years"),
    "SHARE_MEASURES": (
        "custody_share",
        "custody_share_resolved",
        "custody_share_shrunk",
        "custody_share_shrunk_prior_low",
        "custody_share_shrunk_prior_high",
        "declined_share",
        "declined_share_broad",
        "unresolved_share",
    ),
    "HEADLINE_MEASURES": (
        "detainers_per_100k",
        "custody_share",
        "declined_share",
        "unresolved_share",
        "recorded_declines",
        "jail_arrests_per_100k",
        "mean_daily_ice_headcount",
        "agreement_287g_years",
    ),
}
# Only ever used for membership; the catalogue lists them in its own (README) order.
OLD_RATE_MEASURES = {
    "detainers_per_100k",
    "jail_arrests_per_100k",
    "jail_arrests_per_100k_low",
    "jail_arrests_per_100k_high",
    "jail_arrests_per_1k_foreign_born",
    "recorded_declines",
}
OLD_COUNTS = ("detainers_lodged", "jail_arrests", "jail_arrests_low", "jail_arrests_high")
# sha256 of json.dumps(MEASURES) (ids and definitions, in order) and of json.dumps([JAIL_RESIDENTS,
# OPERATIONAL_287G_RULE]): the definitions (and so the downloads README) change only on purpose. Changed on
# 2026-12-01 (plain language): definitions name other measures by label ({measure.<id>}), never by id; before:
# b6447adf267b08f5954d691b16dc4dd82d291192833f4e33d3825ce7903bcd37 and
# 257173a80481d1b05ae66f67f358b538e143554ee480ee6cf052dbd80f9c3407.
OLD_MEASURES_SHA256 = "bcd1f25a82914a2a7ff7908e29353a92679ba526b94c2caedcdf16a49f117fca"
OLD_TEXTS_SHA256 = "0975f595d23973cec1a69278390769a6a273af21ca9eccfa578c140098028c79"


def _sha256(value) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def test_definitions_and_texts_are_the_old_ones():
    assert _sha256(measures.MEASURES) == OLD_MEASURES_SHA256
    assert _sha256([measures.JAIL_RESIDENTS, measures.OPERATIONAL_287G_RULE]) == OLD_TEXTS_SHA256


@pytest.mark.parametrize("name", sorted(OLD_PERIODS))
def test_coverage_periods_are_the_old_dates(name):
    period = getattr(measures, name)
    assert (period.start.isoformat(), period.end.isoformat()) == OLD_PERIODS[name]
    assert isinstance(period, measures.Period)


def test_measure_tuples_are_the_old_ones():
    for name, old in OLD_TUPLES.items():
        assert getattr(measures, name) == old, name
    assert set(measures.RATE_MEASURES) == OLD_RATE_MEASURES
    assert measures.COUNT_MEASURES == OLD_COUNTS
    assert measures.SENSITIVITY_VARIANTS == {
        "jail_arrests": ("jail_arrests_low", "jail_arrests_high"),
        "jail_arrests_per_100k": ("jail_arrests_per_100k_low", "jail_arrests_per_100k_high"),
    }


def test_kind_coverage_and_default_period_as_before():
    for measure in measures.MEASURES:
        old_kind = (
            "share"
            if measure in OLD_TUPLES["SHARE_MEASURES"]
            else "rate"
            if measure in OLD_RATE_MEASURES
            else "count"
            if measure in OLD_COUNTS
            else "administrative"
        )
        assert measures.measure_kind(measure) == old_kind, measure
    assert measures.measure_coverage("recorded_declines") == measures.NPR_DECLINES
    assert measures.measure_coverage("ice_adp_year_end") == measures.ICE_YEAR_END_STATS
    assert measures.measure_coverage("custody_share") == measures.FY2015_DETAINERS
    assert measures.default_period("mean_daily_ice_headcount") == measures.DETENTION_COMPLETE
    assert measures.default_period("ice_adp_year_end") == measures.Period(date(2024, 10, 1), date(2025, 9, 25))
    assert measures.default_period("jail_arrests") == measures.JAIL_ARRESTS
    with pytest.raises(ParameterError, match="unknown measure 'nope'; valid measures: detainers_lodged"):
        measures.measure_coverage("nope")


def test_every_measure_has_every_field():
    for measure in catalogue().measures.values():
        assert measure.kind in KINDS
        assert all([measure.label, measure.short_label, measure.unit, measure.axis_label, measure.definition])
        assert "{" not in measure.definition and "}" not in measure.definition
        assert measure.default_period.within(catalogue().period(measure.coverage))
    assert catalogue().covariate_labels["pres_dem_share"] == "Democratic share of the presidential vote"


def test_every_measure_in_the_downloads_is_in_the_catalogue():
    folder = config.project_root() / "reports" / "data"
    county = pd.read_csv(folder / "county_measures.csv", dtype=str)
    agency = pd.read_csv(folder / "agency_measures.csv", dtype=str)
    known = set(catalogue().measures)
    assert set(county["measure"]) <= known
    assert set(agency["measure"]) <= known
    assert set(county["measure"]) == known  # and the catalogue lists no measure the build never makes


def test_downloads_readme_prints_catalogue_definitions():
    rows = pd.DataFrame(
        {
            "county": ["Suffolk"],
            "measure": ["custody_share"],
            "period_start": [measures.FY2015_DETAINERS.start.isoformat()],
            "period_end": [measures.FY2015_DETAINERS.end.isoformat()],
            "numerator": [5.0],
            "denominator": [100.0],
        }
    )
    text = downloads_readme(rows, pd.DataFrame({"agency_group": ["ice"]}))
    assert f"| `custody_share` | {catalogue().measure('custody_share').definition} |" in text
    assert "from 2011-10-01 (complete records) and from 2008-09-06" in text


def test_date_parameters_can_take_their_bounds_from_a_coverage():
    spec = {"period_start": {"type": "date", "coverage": "fy2015_detainers", "default": "2014-10-01"}}
    assert validate_parameters(spec, {}) == {"period_start": "2014-10-01"}
    with pytest.raises(ParameterError, match=r"outside what the data cover \(2014-10-01..2015-07-19\)"):
        validate_parameters(spec, {"period_start": "2015-08-01"})
    with pytest.raises(ParameterError, match="unknown coverage 'fy2016'"):
        validate_parameters({"day": {"type": "date", "coverage": "fy2016", "default": "2015-01-01"}}, {})


# ----------------------------------------------------------------------------- a damaged catalogue


def _damaged(tmp_path, old: str, new: str):
    text = catalogue_path().read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "measures.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "    kind: share\n",
            "    kind: shares\n",
            r"line \d+ \(measures > custody_share > kind\): unknown kind 'shares'",
        ),
        (
            '    short_label: "Custody share (all)"\n',
            "",
            r"\(measures > custody_share\): missing field\(s\) short_label",
        ),
        (
            "    coverage: fy2015_detainers\n    headline: true\n    definition: >-\n      share of",
            "    coverage: fy2015_detainer\n    headline: true\n    definition: >-\n      share of",
            r"\(measures > custody_share > coverage\): unknown coverage 'fy2015_detainer'; valid: fy2015_detainers",
        ),
        (
            '    end: "2015-07-19"\n',
            '    end: "2015-13-19"\n',
            r"\(coverage > fy2015_detainers > end\): '2015-13-19' is not",
        ),
        ('    end: "2015-07-19"\n', "    end: 2015-07-1\n", r"'2015-07-1' is not an ISO date"),
        ("    headline: true\n", "    headlin: true\n", r"headlin\): unknown field; valid fields: kind"),
        ("{text.jail_residents}", "{text.jail_resident}", r"unknown placeholder \{text.jail_resident\}"),
        ('    start: "2011-10-01"\n    what: the part', '    start: "2007-10-01"\n    what: the part', "is not within"),
    ],
)
def test_a_damaged_catalogue_names_file_line_and_entry(tmp_path, old, new, message):
    path = _damaged(tmp_path, old, new)
    with pytest.raises(CatalogueError, match=message) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value)
    assert ", line " in str(caught.value)


def test_the_error_points_at_the_line_at_fault(tmp_path):
    path = _damaged(tmp_path, "    kind: share\n", "    kind: shares\n")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert f", line {_line_of(path, 'kind: shares')} " in str(caught.value)


def test_a_missing_or_broken_file_is_a_catalogue_error(tmp_path):
    with pytest.raises(CatalogueError, match="missing"):
        load_catalogue(tmp_path / "nope.yaml")
    broken = tmp_path / "measures.yaml"
    broken.write_text("coverage: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid YAML"):
        load_catalogue(broken)
