"""Lean, self-contained HTML report pages: escaped title, a link home, a small inline stylesheet."""

from __future__ import annotations

import html

from ma_ice_coop.present.citation import footer_html

# Wide content scrolls inside its own box, never the page: tables (pandas' too, with or without the ma-table
# class) are scrolling blocks, as is a future <div class="table-wrap">; media shrink to the column; long words,
# code and URLs break instead of pushing the page wider (break-word, unlike anywhere, leaves table columns alone).
PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;margin:0;\
overflow-wrap:break-word}
main{max-width:960px;margin:0 auto;padding:1rem clamp(.75rem,4vw,1.5rem) 3rem}
body>nav{background:#0b3954;padding:.5rem clamp(.75rem,4vw,1.5rem)}
body>nav a{color:#fff;text-decoration:none;font-weight:600}
h1{font-size:1.8rem;line-height:1.2}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table,.table-wrap{display:block;overflow-x:auto;margin:.5rem 0 1.5rem}.table-wrap table{display:table;margin:0}
table{border-collapse:collapse;font-size:.9rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.ma-caption{font-weight:600;margin-bottom:0}
img,svg,video,canvas,iframe{max-width:100%}img,video{height:auto}figure.ma-figure{margin:1rem 0}
figcaption{font-size:.9rem;color:#444}.source{display:block;color:#666;font-size:.85rem}
pre{white-space:pre-wrap;overflow-x:auto}code{background:#f4f6f8;padding:0 .2rem}
table.scorecard,table.scorecard-card{font-size:.8rem}table.scorecard td,table.scorecard th{min-width:6.5rem}
table.scorecard thead th{vertical-align:bottom}.period{display:block;font-weight:400;color:#555;font-size:.75rem}
button.sort{font-size:.7rem;margin-left:.3rem;padding:0 .3rem}ul.answer li{margin-bottom:.3rem}
footer.cite{margin-top:3rem;border-top:1px solid #ddd;font-size:.85rem;color:#444}
"""


# Pages that show their code (the labs): code cells stand out from their outputs.
CODE_CSS = (
    ".input_area pre{background:#f4f6f8;border-left:3px solid #0b3d5c;padding:.5rem .75rem;margin:1rem 0 .25rem}"
    ".output_area pre{margin:.25rem 0 1rem}"
)


def html_page(title: str, body: str, *, home: str, root: str | None = None, css: str = "") -> str:
    """A lean, self-contained report page: escaped title, a link home, small inline CSS and a footer saying how
    to cite the page; `root` is the relative path from the page to the project root (default: beside `home`'s
    folder's parent, as for a page under reports/); `css` is added to the page's style (e.g. CODE_CSS)."""
    root = home.removesuffix("index.html") + "../" if root is None else root
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}{css}</style>\n</head>\n<body>\n"
        f'<nav><a href="{html.escape(home)}">ICE detainer cooperation in Massachusetts: all reports</a></nav>\n'
        f"<main>\n{body}\n{footer_html(title, root)}\n</main>\n</body>\n</html>\n"
    )
