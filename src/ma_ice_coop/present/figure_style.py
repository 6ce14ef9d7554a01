"""The project's figure style, and rendering a figure to deterministic SVG and accessible HTML.

This is the one place the style lives: the Okabe-Ito palette, the colours for notes, grids and
missing values, the figure width and the rcParams (:data:`STYLE`) every figure is built and
rendered under. See :mod:`ma_ice_coop.present.figures` for the conventions and the determinism
rules (fixed ``svg.hashsalt``, text kept as SVG text, no date in the metadata, a frozen layout).
"""

from __future__ import annotations

import base64
import html
import io
import sys
import textwrap
from contextlib import contextmanager

import matplotlib as mpl
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.textpath import text_to_path

#: Okabe & Ito (2008) colour-blind-safe palette, by name.
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Order in which categories take colours (yellow, weak on white, and black come last).
CATEGORY_COLORS: tuple[str, ...] = tuple(
    PALETTE[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow", "black")
)

#: Sequential colormap for maps and other ordered values.
SEQUENTIAL_CMAP = "cividis"

HASH_SALT = "ma-ice-coop"
FONT_FAMILY = "DejaVu Sans"
SMALL_COUNTY_LABEL = "small county (uncertain)"
BOUNDARY_NOTE = "Census 1:500k county boundaries"

MISSING_FILL = "#D9D9D9"
MISSING_EDGE = "#595959"
MISSING_HATCH = "///"
NOTE_COLOR = "#595959"
GRID_COLOR = "#E0E0E0"

FIG_WIDTH = 7.5  # inches; the SVG is 540 pt wide

#: rcParams of the project style. Figures are built and rendered inside ``rc_context(STYLE)``,
#: so the output does not depend on the caller's global settings.
STYLE: dict[str, object] = {
    "svg.hashsalt": HASH_SALT,
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "font.family": [FONT_FAMILY],
    "font.sans-serif": [FONT_FAMILY],
    "mathtext.fontset": "dejavusans",
    "font.size": 10.0,
    "axes.titlesize": 12.0,
    "axes.titleweight": "bold",
    "axes.titlepad": 8.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 9.0,
    "legend.title_fontsize": 9.0,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(CATEGORY_COLORS)),
    "axes.unicode_minus": True,
    "axes.formatter.use_locale": False,
    "image.cmap": SEQUENTIAL_CMAP,
    "hatch.color": MISSING_EDGE,
    "hatch.linewidth": 0.8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    "savefig.bbox": "standard",
    "timezone": "UTC",
    "path.simplify": True,
}

#: The font declaration written into the SVG: DejaVu Sans first, then the closest common fonts.
FONT_STACK = b"font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"


def use_project_style() -> None:
    """Apply the project style to the global rcParams (idempotent).

    Not needed for this module's figures, which are built and rendered under the style
    anyway; useful for ad-hoc figures in a notebook."""
    mpl.rcParams.update(STYLE)


@contextmanager
def _style():
    with mpl.rc_context(STYLE):
        yield


# --------------------------------------------------------------------------------------------
# Rendering and HTML
# --------------------------------------------------------------------------------------------


def figure_svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG bytes, identical across runs and machines (same package versions)."""
    buf = io.BytesIO()
    with _style():
        _freeze_layout(fig)
        fig.savefig(buf, format="svg", metadata={"Date": None})
    # Text stays text: readers without DejaVu Sans get the closest common fonts, not a serif default.
    return buf.getvalue().replace(b"font-family: 'DejaVu Sans'", FONT_STACK)


def _freeze_layout(fig: Figure) -> None:
    """Run the constrained layout a fixed number of times, then keep the positions it found.

    The layout depends on tick labels, which depend on the axes size it sets, so successive
    draws can move things by a hair (first render != second). Two passes from the same start
    are deterministic; freezing afterwards makes every later render identical."""
    engine = fig.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine):
        return
    for _ in range(2):
        fig.draw_without_rendering()
    fig.set_layout_engine("none")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def figure_markup(fig: Figure, *, alt: str, caption: str, source: str) -> str:
    """The ``<figure>`` markup of :func:`figure_html`, as a string (closes the figure)."""
    try:
        alt_text = _required_text(alt, "alt")
        source_text = _required_text(source, "source")
        caption_text = "" if caption is None else str(caption).strip()
        svg = figure_svg_bytes(fig)
    finally:
        _close(fig)
    data = base64.b64encode(svg).decode("ascii")
    caption_html = f"{_escape(caption_text)} " if caption_text else ""
    return (
        f'<figure class="ma-figure"><img alt="{_escape(alt_text)}" src="data:image/svg+xml;base64,{data}"/>'
        f'<figcaption>{caption_html}<span class="source">Source: {_escape(source_text)}</span></figcaption></figure>'
    )


def figure_html(fig: Figure, *, alt: str, caption: str, source: str):
    """Render `fig` to deterministic SVG and embed it with alt text, caption and source line.

    Returns an ``IPython.display.HTML`` object; the figure is closed. `alt` and `source` must
    not be blank (every figure needs both)."""
    # Imported here: IPython is only needed inside a notebook, not by the CLI or the tests of figures.
    from IPython.display import HTML

    return HTML(figure_markup(fig, alt=alt, caption=caption, source=source))


def _required_text(value, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError(f"figure_html: `{name}` must be a non-empty string (every figure needs {name} text)")
    return text


def _close(fig: Figure) -> None:
    """Close a pyplot-managed figure; this module's own figures are not managed, so this is a no-op."""
    plt = sys.modules.get("matplotlib.pyplot")  # never imported here: pyplot registers global state
    if plt is not None:
        plt.close(fig)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def literal_text(text) -> str:
    """Text shown as is: `$` escaped so matplotlib never parses it as mathtext."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        text = "(missing)"
    return str(text).replace("$", r"\$")


def wrap_text(text: str, width_in: float, fontsize: float) -> str:
    """Wrap at word boundaries to fit roughly `width_in` inches (DejaVu Sans ~0.58 em per char)."""
    chars = max(20, int(width_in * 72 / (fontsize * 0.58)))
    return "\n".join(textwrap.fill(line, chars, break_long_words=False) for line in literal_text(text).split("\n"))


def _text_size_pt(text: str, fontsize: float) -> tuple[float, float]:
    """Width and height (points) of `text` in the project font, measured from the glyphs."""
    prop = FontProperties(family=FONT_FAMILY, size=fontsize)
    lines = text.replace(r"\$", "$").split("\n")
    width = max(text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines)
    return float(width), fontsize * 1.2 * len(lines)
