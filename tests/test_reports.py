"""The committed reports: the index links every report and download, every figure has alt text, and a
county report builds end to end from the processed tables."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from ma_ice_coop.specs import notebooks

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "reports"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_index_links_every_report_and_they_exist():
    index = REPORTS / "index.html"
    assert index.exists(), "run `make all` to build the reports"
    links = _parse(index).links
    for run in notebooks.plan_runs():
        assert run.html_path.relative_to(REPORTS).as_posix() in links, run.label
    for href in links:
        if "://" in href or href.startswith("#"):
            continue
        page, _, fragment = href.partition("#")
        target = (index.parent / page).resolve()
        assert target.exists(), f"broken link {href}"
        if fragment:
            assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), f"no element with the id of {href}"


def test_index_matches_the_registry():
    from ma_ice_coop.build.index import index_html

    assert (REPORTS / "index.html").read_text(encoding="utf-8") == index_html()


@pytest.mark.parametrize("run", notebooks.plan_runs(), ids=lambda r: r.label)
def test_each_report_is_readable_and_accessible(run):
    assert run.html_path.exists(), f"{run.html_path} missing: run `make all`"
    text = run.html_path.read_text(encoding="utf-8")
    parsed = _parse(run.html_path)
    assert parsed.images, "every report has figures"
    for image in parsed.images:
        assert image.get("alt", "").strip(), "every figure has alt text"
    assert "Traceback" not in text and "application/vnd.jupyter.stderr" not in text, "no errors or warnings"
    if run.spec.shows_code:  # a lab: goals first, discussion questions last
        assert "Learning goals" in text and "Discussion" in text
    else:
        assert "Key findings" in text and ("Methodology" in text or "limitations" in text.lower())
    home = [h for h in parsed.links if h.endswith("index.html")]
    assert home and (run.html_path.parent / home[0]).resolve() == (REPORTS / "index.html").resolve()


# One county report from the processed tables to HTML, into a folder of our choice, is built end to end in
# tests/test_extended_build.py::test_the_county_report_grows_a_time_axis (with the extended fixtures, so every core
# section runs as well as the time axis; one such build is enough for the suite's time).
