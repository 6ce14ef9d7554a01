"""Display helpers for the notebooks: deterministic, escaped HTML tables and text built from numbers.

Notebook prose that states a number is produced by code from the data (never typed by hand), with
these formatters, so every figure in a report traces back to a source table.
"""

from __future__ import annotations

import html
import math
from typing import Iterable

import pandas as pd


def setup_notebook() -> None:
    """Project plot style and pandas display options; call once at the top of a notebook."""
    from ma_ice_coop.present.figures import use_project_style  # lazy: matplotlib only in a notebook

    use_project_style()
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)


def md(text: str):
    """Markdown output (for sentences whose numbers come from code)."""
    from IPython.display import Markdown  # lazy: IPython only in a notebook

    return Markdown(text)


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_pct(value, digits: int = 0) -> str:
    """0.1834 → '18%'; missing → '–'."""
    return "–" if _is_missing(value) else f"{100 * value:.{digits}f}%"


def fmt_num(value, digits: int = 0) -> str:
    """12345.6 → '12,346'; missing → '–'."""
    return "–" if _is_missing(value) else f"{value:,.{digits}f}"


def fmt_estimate(estimate, low, high, *, share: bool, digits: int = 0) -> str:
    """'18% (95% CI 10–31%)' for shares, '2.4 (95% CI 1.8–3.1)' for rates; '–' when missing."""
    if _is_missing(estimate):
        return "–"
    f = (lambda v: fmt_pct(v, digits)) if share else (lambda v: fmt_num(v, digits))
    if _is_missing(low) or _is_missing(high):
        return f(estimate)
    return f"{f(estimate)} (95% CI {f(low)}–{f(high)})"


def html_table(df: pd.DataFrame, *, caption: str = "", formats: dict | None = None, index: bool = False):
    """An escaped, deterministic HTML table (no random ids), with optional per-column formatters."""
    from IPython.display import HTML  # lazy: IPython only in a notebook

    shown = df.copy()
    for column, formatter in (formats or {}).items():
        shown[column] = shown[column].map(formatter)
    body = shown.to_html(index=index, escape=True, na_rep="–", border=0, classes="ma-table")
    cap = f'<p class="ma-caption">{html.escape(caption)}</p>' if caption else ""
    return HTML(cap + body)


def bullet_list(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)
