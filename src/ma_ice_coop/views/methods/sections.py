"""The seven method sections of the methods page: their stable anchors (other reports link to
``methods.html#<anchor>``), their headings and the list of contents at the top of the page."""

from __future__ import annotations

from html import escape

from IPython.display import HTML

SECTIONS = (
    ("measures", "Each measure, and why it is defined that way"),
    ("intervals", "Intervals: Jeffreys for shares, exact Poisson for counts and rates"),
    ("funnel-plots", "Funnel plots instead of league tables"),
    ("shrinkage", "Shrinkage: pulling noisy shares toward the state pool"),
    ("permutation-tests", "Permutation tests for associations across a few counties"),
    ("interrupted-time-series", "Interrupted time series around a dated event (descriptive)"),
    ("ecological-inference", "Ecological inference: counties are not people"),
)
"""(anchor, heading) of each method section, in page order. The anchors are part of the page's interface."""

ANCHORS = tuple(anchor for anchor, _ in SECTIONS)


def section_title(anchor: str) -> str:
    """The heading of the section with this anchor (KeyError names the valid anchors)."""
    titles = dict(SECTIONS)
    if anchor not in titles:
        raise KeyError(f"unknown section {anchor!r}; valid: {', '.join(ANCHORS)}")
    return titles[anchor]


def heading(anchor: str) -> HTML:
    """The section's ``<h2>`` with its stable id (nbconvert gives Markdown headings no ids in the reports)."""
    return HTML(f'<h2 id="{escape(anchor, quote=True)}">{escape(section_title(anchor))}</h2>')


def contents() -> HTML:
    """A linked list of the seven sections (each link is ``#<anchor>``)."""
    items = "".join(
        f'<li><a href="#{escape(anchor, quote=True)}">{escape(title)}</a></li>' for anchor, title in SECTIONS
    )
    return HTML(f'<nav class="ma-contents" aria-label="Sections"><ol>{items}</ol></nav>')
