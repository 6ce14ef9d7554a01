"""Lean, self-contained HTML report pages: escaped title, a link home, a small inline stylesheet."""

from __future__ import annotations

import html

PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;margin:0}
main{max-width:960px;margin:0 auto;padding:1rem 1.5rem 3rem}
nav{background:#0b3954;padding:.5rem 1.5rem}nav a{color:#fff;text-decoration:none;font-weight:600}
h1{font-size:1.8rem;line-height:1.2}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table.ma-table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1.5rem;display:block;overflow-x:auto}
table.ma-table th,table.ma-table td{border-bottom:1px solid #e3e3e3;padding:.25rem .6rem;\
text-align:left;vertical-align:top}
table.ma-table th{background:#f4f6f8}.ma-caption{font-weight:600;margin-bottom:0}
figure.ma-figure{margin:1rem 0}figure.ma-figure img{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}.source{display:block;color:#666;font-size:.85rem}
pre{white-space:pre-wrap}code{background:#f4f6f8;padding:0 .2rem}
"""


def html_page(title: str, body: str, *, home: str) -> str:
    """A lean, self-contained report page: escaped title, a link home, small inline CSS."""
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f'<nav><a href="{html.escape(home)}">ICE detainer cooperation in Massachusetts: all reports</a></nav>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
