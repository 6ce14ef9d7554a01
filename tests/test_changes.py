"""CHANGES.md: dated, linked from the README and the index, and rendered (escaped) into reports/changes.html."""

from __future__ import annotations

import re
from pathlib import Path

from ma_ice_coop.build import changes_page

REPO = Path(__file__).resolve().parents[1]


def test_changes_file_is_dated_and_linked_from_readme_and_index():
    text = (REPO / "CHANGES.md").read_text(encoding="utf-8")
    assert re.search(r"^## \d{4}-\d{2}-\d{2}", text, flags=re.M), "each entry starts with a dated heading"
    assert "CHANGES.md" in (REPO / "README.md").read_text(encoding="utf-8")
    assert 'href="changes.html"' in (REPO / "reports" / "index.html").read_text(encoding="utf-8")


def test_committed_changes_page_matches_changes_file():
    committed = (REPO / "reports" / "changes.html").read_text(encoding="utf-8")
    assert committed == changes_page.changes_html(), "run `make all` to render CHANGES.md"


def test_changes_page_escapes_markup_and_styles_tables():
    page = changes_page.changes_html("## 2026-01-01\n\n| before | now |\n|---|---|\n| <script>x</script> | y |\n")
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert '<table class="ma-table">' in page
