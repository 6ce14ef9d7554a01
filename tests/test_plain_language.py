"""Readers see labels, never ids: no rendered report under reports/ shows a catalogue id (a measure or a covariate
of data/reference/measures.yaml) in its prose, table cells and headers, figure text (SVG <text> and <title>) or
alt text. Ids may appear inside <code>/<pre> (a parameter value an analyst passes), in code-input cells and in
links to CSV downloads, and on a lab's page (reports/labs/, which shows its code) in the outputs of its code, where
students see the tables' real column names. The catalogue also covers exactly the covariates of the processed panel."""

from __future__ import annotations

import base64
import re
import sys
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment, XMLParsedAsHTMLWarning

from ma_ice_coop import config
from ma_ice_coop.tables.catalogue import CatalogueError, catalogue, check_covariates, load_catalogue
from ma_ice_coop.tables.catalogue_entries import COVARIATE_FIELDS

REPORTS = config.project_root() / "reports"
PAGES = sorted(REPORTS.rglob("*.html")) if REPORTS.is_dir() else []
_SKIP_TAGS = {"code", "pre", "script", "style"}
_INPUT_CLASSES = {"input", "input_area", "jp-InputArea", "jp-Cell-inputWrapper"}
_OUTPUT_CLASSES = {"jp-OutputArea", "output_area"}
_LAB_PAGES = REPORTS / "labs"
_SVG = "data:image/svg+xml;base64,"


def _ids() -> list[str]:
    """Every catalogue id that could be told from an English word (one-word ids such as 'population' are their
    own label)."""
    return [entry_id for entry_id in catalogue().all_ids() if "_" in entry_id]


def _pattern(ids: list[str]) -> re.Pattern:
    names = "|".join(re.escape(name) for name in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])({names})(?![A-Za-z0-9_])")


def _allowed(node, lab_page: bool = False) -> bool:
    """Text inside code, a code-input cell or a link to a CSV download (and, on a lab's page, a code output) may
    name an id."""
    for parent in node.parents:
        if lab_page and _OUTPUT_CLASSES & set(parent.get("class") or []):
            return True
        if parent.name in _SKIP_TAGS:
            return True
        if parent.name == "a" and str(parent.get("href", "")).split("?")[0].endswith(".csv"):
            return True
        if _INPUT_CLASSES & set(parent.get("class") or []):
            return True
    return False


def _svg_texts(src: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        svg = BeautifulSoup(base64.b64decode(src[len(_SVG) :]).decode("utf-8"), "html.parser")
    for node in svg.find_all(["text", "title"]):
        yield f"figure <{node.name}>", node.get_text(" ")


def _reader_texts(page: Path):
    """(context, text) for everything a reader sees on `page`, outside code."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    lab_page = page.is_relative_to(_LAB_PAGES) and page.name != "guide.html"
    for node in soup.find_all(string=True):
        if isinstance(node, Comment) or _allowed(node, lab_page):
            continue
        yield f"<{node.parent.name}>", str(node)
    for img in soup.find_all("img"):
        yield "figure alt text", img.get("alt", "")
        if str(img.get("src", "")).startswith(_SVG):
            yield from _svg_texts(img["src"])


def id_findings(page: Path, ids: list[str] | None = None) -> list[str]:
    """'page: id in context: "...text..."' for every id a reader would see on `page`."""
    pattern = _pattern(ids or _ids())
    found = []
    for context, text in _reader_texts(page):
        for match in pattern.finditer(text):
            start = max(0, match.start() - 60)
            snippet = " ".join(text[start : match.end() + 60].split())
            found.append(f'{page.relative_to(REPORTS)}: {match.group(1)!r} in {context}: "{snippet}"')
    return found


# reports/index.html is written by build/index.py, which describes each parameter set from its raw values
# ("with measure = custody_share"): tracked for its owner, kept visible here as an expected failure.
# reports/methods.html is another agent's new notebook (views/methods/), in progress on 2026-12-01.
PENDING: dict[str, str] = {}  # page -> why it may still show an id (none now)


@pytest.mark.skipif(not PAGES, reason="no rendered reports (run `ma-ice build`)")
@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPORTS)))
def test_no_catalogue_id_reaches_a_reader(page, request):
    name = str(page.relative_to(REPORTS))
    if name in PENDING:
        request.applymarker(pytest.mark.xfail(reason=PENDING[name], strict=False))
    found = id_findings(page)
    assert not found, f"{len(found)} id(s) shown to readers; use the catalogue's labels:\n" + "\n".join(found[:40])


def test_the_scan_finds_ids_outside_code_and_allows_them_inside(tmp_path, monkeypatch):
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>custody_share by county</text></svg>'
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>Rerun with <code>measure=custody_share</code>.</p>"
        '<p><a href="data/county_measures.csv">jail_arrests_per_100k.csv</a></p>'
        "<table><tr><th>pres_dem_share (year)</th></tr></table>"
        f'<img alt="Map of declined_share" src="{_SVG}{base64.b64encode(svg.encode()).decode()}">'
        "</body></html>",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "REPORTS", tmp_path)
    found = id_findings(page)
    assert [line.split("'")[1] for line in found] == ["pres_dem_share", "declined_share", "custody_share"]
    assert "<th>" in found[0] and "alt text" in found[1] and "figure <text>" in found[2]


def test_the_scan_uses_the_real_catalogue():
    ids = _ids()
    assert "custody_share" in ids and "pres_dem_share" in ids and "sheriff_republican" in ids
    assert set(ids) >= {i for i in catalogue().covariates if "_" in i}


# ----------------------------------------------------------------------------- the catalogue's covariates


def _panel_units() -> dict[str, str]:
    pd = pytest.importorskip("pandas")
    path = config.processed_dir() / "county_covariates.parquet"
    if not path.exists():
        pytest.skip("no processed covariate panel (run `ma-ice process`)")
    panel = pd.read_parquet(path, columns=["variable", "unit"])
    return panel.groupby("variable")["unit"].agg(lambda units: "; ".join(sorted(set(units)))).to_dict()


def test_the_catalogue_covers_every_covariate_of_the_panel():
    units = _panel_units()
    assert sorted(catalogue().covariates) == sorted(units)
    for key, unit in units.items():
        assert catalogue().covariate(key).unit == unit, key
    check_covariates(units)


def test_every_covariate_has_every_field():
    for covariate in catalogue().covariates.values():
        for field in COVARIATE_FIELDS:
            assert str(getattr(covariate, field)).strip(), (covariate.id, field)
        assert covariate.label[0].isupper() or covariate.label[0].isdigit(), covariate.id


def test_a_missing_or_unknown_covariate_names_file_and_line(tmp_path):
    units = {key: covariate.unit for key, covariate in catalogue().covariates.items()}
    with pytest.raises(CatalogueError, match=r"measures\.yaml, line \d+ \(covariates\): no entry for brand_new"):
        check_covariates({**units, "brand_new": "persons"})
    fewer = dict(units)
    fewer.pop("rural_share")
    line = catalogue().covariate("rural_share").line
    with pytest.raises(CatalogueError, match=rf"line {line} \(covariates > rural_share\): unknown covariate"):
        check_covariates(fewer)
    with pytest.raises(CatalogueError, match=r"covariates > population > unit"):
        check_covariates({**units, "population": "votes"})


def test_a_covariate_missing_a_field_names_the_line(tmp_path):
    text = (config.reference_dir() / "measures.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "measures.yaml"
    broken.write_text(text.replace('    vintage: "Census 2010"\n', "", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"line \d+ \(covariates > rural_share\): missing field\(s\) vintage"):
        load_catalogue(broken)
