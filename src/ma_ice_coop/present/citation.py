"""How to cite a report: the line in every page's footer, from CITATION.cff (title, authors, version) and the
data vintage (tables/vintage.py), with the licences (LICENSE, LICENSE-DATA.md)."""

from __future__ import annotations

import html
from functools import lru_cache

from ma_ice_coop import config, io
from ma_ice_coop.tables.vintage import data_vintage


@lru_cache(maxsize=1)
def citation() -> dict:
    """CITATION.cff, read once (its title, authors and version are stated there only)."""
    return io.read_yaml(config.project_root() / "CITATION.cff")


def cite_text(report_title: str) -> str:
    """'The MA ICE ... contributors, "<report>", in <project title>, version 0.1.0, data to 2025-09-25.'"""
    cff = citation()
    authors = ", ".join(author["name"] for author in cff["authors"])
    return (
        f'{authors}, "{report_title}", in {cff["title"]}, version {cff["version"]}, '
        f"data to {data_vintage().isoformat()}."
    )


def footer_html(report_title: str, root: str) -> str:
    """The footer: the cite line and the licences; `root` is the relative path from the page to the project root."""
    root = html.escape(root, quote=True)
    return (
        '<footer class="cite"><p><strong>Cite this report:</strong> '
        f"{html.escape(cite_text(report_title))} "
        f'How to cite and reuse: <a href="{root}CITATION.cff">CITATION.cff</a>; code under the MIT licence '
        f'(<a href="{root}LICENSE">LICENSE</a>), the project\'s tables and reports under CC BY 4.0 and each '
        f'source\'s data under its own terms (<a href="{root}LICENSE-DATA.md">LICENSE-DATA.md</a>).</p></footer>'
    )
