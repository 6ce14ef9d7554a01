"""reports/changes.html: the project's dated record of corrections and of data or method changes.

`CHANGES.md` at the top of the repository is the one place where changes are written down; the build
renders it (markdown with tables, any raw HTML escaped) into a lean report page linked from the index.
"""

from __future__ import annotations

from pathlib import Path

import mistune

from ma_ice_coop import config, io
from ma_ice_coop.present.pages import html_page

CHANGES_FILE = "CHANGES.md"
CHANGES_PAGE = "changes.html"


def changes_source() -> Path:
    return config.project_root() / CHANGES_FILE


def markdown_html(text: str) -> str:
    """Markdown (tables on, raw HTML escaped) as an HTML body, tables in the reports' style."""
    render = mistune.create_markdown(escape=True, plugins=["table"])
    return render(text).replace("<table>", '<table class="ma-table">')


def changes_html(markdown_text: str | None = None) -> str:
    """The changes page: CHANGES.md rendered to HTML."""
    text = changes_source().read_text(encoding="utf-8") if markdown_text is None else markdown_text
    return html_page("What changed: corrections and data or method changes", markdown_html(text), home="index.html")


def write_changes_page() -> Path:
    """Render CHANGES.md into reports/changes.html (atomic write)."""
    path = config.project_root() / "reports" / CHANGES_PAGE
    io.atomic_write_text(path, changes_html())
    return path
