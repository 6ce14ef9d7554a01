"""Every figure of the notebooks: deterministic SVG, colour-blind-safe, accessible.

Each plotting function takes a plain DataFrame (or GeoJSON dict), returns a matplotlib
``Figure`` (never shown, never registered with pyplot) and reads no file. Notebooks embed a
figure with :func:`figure_html`, which renders it to SVG and wraps it in a ``<figure>`` with alt
text, a caption and a source line, every string HTML-escaped.

Determinism (nbval compares stored outputs byte for byte): figures are built and rendered
under the project style (:data:`STYLE`): a fixed ``svg.hashsalt`` (clip-path, hatch and marker
ids), text kept as SVG text in DejaVu Sans (``svg.fonttype = "none"``: half the size of glyph
paths, selectable and read by screen readers; layout is computed with the DejaVu metrics that
ship with matplotlib) and no date in the SVG metadata. Figures are drawn in a fixed layout engine
("constrained"), rows are drawn in a fixed order (ties broken by label), and no random
number or set ordering is used. The same data and package versions give the same bytes.

Conventions: every figure gets the title and axis labels it is given (with units, chosen by
the caller); categories use the Okabe-Ito palette, sequential values cividis; small or
uncertain counties are drawn with hollow markers and a legend entry, never hidden. Strings
are shown literally (a ``$`` never switches on mathtext).
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

# --------------------------------------------------------------------------------------------
# Palette and style
# --------------------------------------------------------------------------------------------

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


FONT_STACK = b"font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"


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
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    caption_html = f"{esc(caption_text)} " if caption_text else ""
    return (
        f'<figure class="ma-figure"><img alt="{esc(alt_text)}" src="data:image/svg+xml;base64,{data}"/>'
        f'<figcaption>{caption_html}<span class="source">Source: {esc(source_text)}</span></figcaption></figure>'
    )


def figure_html(fig: Figure, *, alt: str, caption: str, source: str):
    """Render `fig` to deterministic SVG and embed it with alt text, caption and source line.

    Returns an ``IPython.display.HTML`` object; the figure is closed. `alt` and `source` must
    not be blank (every figure needs both)."""
    from IPython.display import HTML

    return HTML(figure_markup(fig, alt=alt, caption=caption, source=source))


def _required_text(value, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError(f"figure_html: `{name}` must be a non-empty string (every figure needs {name} text)")
    return text


def _close(fig: Figure) -> None:
    """Close a pyplot-managed figure; this module's own figures are not managed, so this is a no-op."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


# --------------------------------------------------------------------------------------------
# Helpers
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


def _check_columns(table: pd.DataFrame, columns: Sequence[str | None], func: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{func}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise ValueError(f"{func}: column(s) {missing} not in the table; its columns are {list(table.columns)}")


def _num(table: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(table[col], errors="raise").to_numpy(dtype=float, na_value=np.nan)


def _flags(table: pd.DataFrame, col: str | None) -> np.ndarray:
    if col is None:
        return np.zeros(len(table), dtype=bool)
    return table[col].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _labels(table: pd.DataFrame, col: str) -> list[str]:
    return [literal_text(v) for v in table[col].tolist()]


def _sort_order(values: np.ndarray, labels: list[str], descending: bool = True) -> np.ndarray:
    """Row order: by value (largest first), missing values last, ties by label."""
    key = np.where(np.isnan(values), np.inf, -values if descending else values)
    return np.lexsort((np.array(labels, dtype=str), key))


def _new_figure(height: float, width: float = FIG_WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _rows_height(n: int) -> float:
    return min(12.0, 1.9 + 0.3 * max(n, 1))


def _labelled_axes(height: float, title: str, xlabel: str, ylabel: str):
    """A new figure with one axes, titled and labelled (all text shown literally)."""
    fig = _new_figure(height)
    ax = fig.add_subplot()
    _set_title(ax, title)
    ax.set_xlabel(literal_text(xlabel))
    ax.set_ylabel(literal_text(ylabel))
    return fig, ax


def _set_title(ax, title: str, width: float = FIG_WIDTH) -> None:
    ax.set_title(wrap_text(title, width - 0.3, STYLE["axes.titlesize"]))


def _no_data(ax, message: str = "No data to show") -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])


def _label_box(alpha: float = 0.85) -> dict:
    """A white box behind a label (cheap in SVG, unlike a stroked halo, which turns every glyph
    into its own path)."""
    return {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": alpha}


def _text_color_on(fill) -> str:
    """Black or white, whichever contrasts more with `fill` (WCAG relative luminance)."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in mcolors.to_rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return PALETTE["black"] if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def _fig_legend(fig: Figure, handles: list, ncols: int | None = None, title: str | None = None) -> None:
    if not handles:
        return
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols or min(len(handles), 3), title=title)


def _marker_handle(label: str, color: str, *, hollow: bool = False, marker: str = "o", line: bool = True) -> Line2D:
    return Line2D(
        [],
        [],
        color=color,
        marker=marker,
        markersize=6,
        linestyle="-" if line else "none",
        linewidth=1.5,
        markerfacecolor="white" if hollow else color,
        markeredgecolor=color,
        label=label,
    )


def _reference(reference, default_label: str) -> tuple[float, str] | None:
    if reference is None:
        return None
    if isinstance(reference, tuple):
        value, label = reference
        return float(value), str(label)
    return float(reference), default_label


def _draw_reference(ax, reference: tuple[float, str] | None) -> list:
    if reference is None or not np.isfinite(reference[0]):
        return []
    ax.axvline(reference[0], color=PALETTE["black"], linestyle="--", linewidth=1.0, zorder=1)
    return [Line2D([], [], color=PALETTE["black"], linestyle="--", linewidth=1.0, label=literal_text(reference[1]))]


def _row_axis(ax, labels: list[str], ylabel: str | None) -> None:
    n = len(labels)
    ax.set_yticks(np.arange(n), labels=labels)
    ax.set_ylim(n - 0.5, -0.5)  # first row at the top
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID_COLOR, linewidth=0.8)
    ax.set_axisbelow(True)
    if ylabel:
        ax.set_ylabel(literal_text(ylabel))


# --------------------------------------------------------------------------------------------
# Interval (dot-and-whisker) plots
# --------------------------------------------------------------------------------------------


def interval_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    estimate_col: str,
    low_col: str,
    high_col: str,
    title: str,
    xlabel: str,
    flag_col: str | None = None,
    reference: float | tuple[float, str] | None = None,
    sort: bool = True,
    ylabel: str | None = None,
    reference_label: str = "pooled rate",
    estimate_label: str = "estimate with 95% interval",
) -> Figure:
    """Horizontal dot-and-whisker chart, one row per label (largest estimate on top when `sort`).

    `reference` draws a dashed vertical line (a number, labelled `reference_label`, or a
    ``(value, label)`` tuple). Rows where `flag_col` is True get hollow markers and the legend
    entry "small county (uncertain)". Rows with a missing estimate keep their label but show no
    marker."""
    _check_columns(table, [label_col, estimate_col, low_col, high_col, flag_col], "interval_plot")
    labels = _labels(table, label_col)
    est, low, high = _num(table, estimate_col), _num(table, low_col), _num(table, high_col)
    flags = _flags(table, flag_col)
    order = _sort_order(est, labels) if sort else np.arange(len(labels))
    labels = [labels[i] for i in order]
    est, low, high, flags = est[order], low[order], high[order], flags[order]
    with _style():
        fig = _new_figure(_rows_height(len(labels)))
        ax = fig.add_subplot()
        _set_title(ax, title)
        ax.set_xlabel(literal_text(xlabel))
        if not labels:
            _no_data(ax)
            return fig
        color = PALETTE["blue"]
        y = np.arange(len(labels), dtype=float)
        ax.hlines(y, low, high, color=color, linewidth=1.8, zorder=2)
        for hollow in (False, True):
            sel = flags == hollow
            if sel.any():
                ax.plot(
                    est[sel],
                    y[sel],
                    linestyle="none",
                    marker="o",
                    markersize=7,
                    color=color,
                    markerfacecolor="white" if hollow else color,
                    markeredgewidth=1.5,
                    zorder=3,
                )
        _row_axis(ax, labels, ylabel)
        handles = [_marker_handle(literal_text(estimate_label), color)]
        if flags.any():
            handles.append(_marker_handle(SMALL_COUNTY_LABEL, color, hollow=True))
        handles += _draw_reference(ax, _reference(reference, reference_label))
        _fig_legend(fig, handles)
    return fig


def raw_vs_shrunk_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    raw_col: str,
    raw_low: str,
    raw_high: str,
    shrunk_col: str,
    shrunk_low: str,
    shrunk_high: str,
    title: str,
    xlabel: str,
    sort: bool = True,
    ylabel: str | None = None,
    reference: float | tuple[float, str] | None = None,
    reference_label: str = "pooled rate",
    raw_label: str = "raw (observed) with 95% interval",
    shrunk_label: str = "shrunken with 95% interval",
) -> Figure:
    """Raw and shrunken estimates side by side per label: two offset markers with intervals.

    Rows are sorted by the shrunken estimate (largest on top) when `sort`. The raw estimate is
    an orange square just above, the shrunken one a blue circle just below each row's tick."""
    cols = [label_col, raw_col, raw_low, raw_high, shrunk_col, shrunk_low, shrunk_high]
    _check_columns(table, cols, "raw_vs_shrunk_plot")
    labels = _labels(table, label_col)
    raw, rlo, rhi = _num(table, raw_col), _num(table, raw_low), _num(table, raw_high)
    shr, slo, shi = _num(table, shrunk_col), _num(table, shrunk_low), _num(table, shrunk_high)
    order = _sort_order(shr, labels) if sort else np.arange(len(labels))
    labels = [labels[i] for i in order]
    with _style():
        fig = _new_figure(_rows_height(len(labels)) + 0.1 * len(labels))
        ax = fig.add_subplot()
        _set_title(ax, title)
        ax.set_xlabel(literal_text(xlabel))
        if not labels:
            _no_data(ax)
            return fig
        y = np.arange(len(labels), dtype=float)
        offset = 0.18
        series = (
            (raw[order], rlo[order], rhi[order], -offset, PALETTE["orange"], "s", raw_label),
            (shr[order], slo[order], shi[order], +offset, PALETTE["blue"], "o", shrunk_label),
        )
        handles = []
        for value, lo, hi, dy, color, marker, label in series:
            ax.hlines(y + dy, lo, hi, color=color, linewidth=1.8, zorder=2)
            ax.plot(value, y + dy, linestyle="none", marker=marker, markersize=6.5, color=color, zorder=3)
            handles.append(_marker_handle(literal_text(label), color, marker=marker))
        _row_axis(ax, labels, ylabel)
        handles += _draw_reference(ax, _reference(reference, reference_label))
        _fig_legend(fig, handles)
    return fig


# --------------------------------------------------------------------------------------------
# Funnel plot
# --------------------------------------------------------------------------------------------


def funnel_limits(pooled_rate: float, n_values, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits for a proportion around `pooled_rate`.

    For each denominator n, the limits are the binomial(n, pooled_rate) quantiles at
    (1 - level)/2 and (1 + level)/2, divided by n (``scipy.stats.binom.ppf``): a county whose
    proportion lies outside differs from the pooled rate by more than chance at that level.
    The limits are step-like in n because counts are whole numbers."""
    from scipy.stats import binom

    p = float(pooled_rate)
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"funnel_limits: pooled_rate must be within [0, 1], got {pooled_rate!r}")
    level = float(level)
    if not (0.0 < level < 1.0):
        raise ValueError(f"funnel_limits: level must be within (0, 1), e.g. 0.95 or 0.998, got {level!r}")
    n = np.atleast_1d(np.asarray(n_values, dtype=float))
    if n.size and (not np.all(np.isfinite(n)) or np.any(n < 1) or np.any(n != np.round(n))):
        raise ValueError("funnel_limits: n_values must be whole numbers >= 1 (denominators)")
    alpha = 1.0 - level
    low = binom.ppf(alpha / 2.0, n, p) / n
    high = binom.ppf(1.0 - alpha / 2.0, n, p) / n
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def _funnel_grid(max_n: int) -> np.ndarray:
    if max_n <= 5000:
        return np.arange(1, max_n + 1, dtype=float)
    return np.unique(np.round(np.geomspace(1, max_n, 3000)))


def funnel_plot(
    table: pd.DataFrame,
    *,
    label_col: str,
    numerator_col: str,
    denominator_col: str,
    pooled_rate: float,
    title: str,
    xlabel: str,
    ylabel: str,
    flag_col: str | None = None,
    levels: tuple[float, float] = (0.95, 0.998),
    pooled_label: str = "pooled rate",
    point_label: str = "county",
) -> Figure:
    """Proportion (numerator / denominator) against denominator, with exact binomial control
    limits (95% and 99.8% by default) around `pooled_rate`, each point labelled.

    Rows with a zero or missing denominator cannot be placed and are left out (show them in
    the table beside the figure). Flagged rows get hollow markers."""
    _check_columns(table, [label_col, numerator_col, denominator_col, flag_col], "funnel_plot")
    labels = _labels(table, label_col)
    num, den = _num(table, numerator_col), _num(table, denominator_col)
    flags = _flags(table, flag_col)
    if np.any(num < 0) or np.any(den < 0) or np.any(num > den):
        raise ValueError("funnel_plot: counts must satisfy 0 <= numerator <= denominator")
    keep = np.isfinite(num) & np.isfinite(den) & (den > 0)
    with _style():
        fig, ax = _labelled_axes(5.2, title, xlabel, ylabel)
        if not keep.any():
            _no_data(ax)
            return fig
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        num, den, flags = num[keep], den[keep], flags[keep]
        prop = num / den
        max_n = int(math.ceil(den.max()))
        grid = _funnel_grid(max_n)
        handles = []
        ax.axhline(float(pooled_rate), color=PALETTE["black"], linewidth=1.2, zorder=2)
        handles.append(Line2D([], [], color=PALETTE["black"], linewidth=1.2, label=literal_text(pooled_label)))
        styles = ((PALETTE["orange"], "--"), (PALETTE["vermillion"], ":"))
        tops = [prop.max()]
        for i, level in enumerate(levels):
            color, ls = styles[i % len(styles)]
            lo, hi = funnel_limits(pooled_rate, grid, level)
            ax.plot(grid, lo, color=color, linestyle=ls, linewidth=1.3, zorder=2)
            ax.plot(grid, hi, color=color, linestyle=ls, linewidth=1.3, zorder=2)
            handles.append(
                Line2D([], [], color=color, linestyle=ls, linewidth=1.3, label=f"{_fmt_level(level)} control limits")
            )
            tops.append(funnel_limits(pooled_rate, [max(1.0, float(np.round(den.min())))], level)[1][0])
        color = PALETTE["blue"]
        for hollow in (False, True):
            sel = flags == hollow
            if sel.any():
                ax.plot(
                    den[sel],
                    prop[sel],
                    linestyle="none",
                    marker="o",
                    markersize=7,
                    color=color,
                    markerfacecolor="white" if hollow else color,
                    markeredgewidth=1.5,
                    zorder=4,
                )
        handles.insert(0, _marker_handle(literal_text(point_label), color, line=False))
        if flags.any():
            handles.insert(1, _marker_handle(SMALL_COUNTY_LABEL, color, hollow=True, line=False))
        xlim = (0.0, max_n * 1.05)
        ylim = (0.0, min(1.0, 1.12 * max(tops)) if max(tops) > 0 else 1.0)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        _annotate_points(ax, den, prop, labels, xlim=xlim, ylim=ylim, axes_size_in=(FIG_WIDTH - 0.9, 5.2 - 1.9))
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles)
    return fig


def _fmt_level(level: float) -> str:
    return f"{level * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _text_size_pt(text: str, fontsize: float) -> tuple[float, float]:
    """Width and height (points) of `text` in the project font, measured from the glyphs."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family=FONT_FAMILY, size=fontsize)
    lines = text.replace(r"\$", "$").split("\n")
    width = max(text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines)
    return float(width), fontsize * 1.2 * len(lines)


#: Candidate label offsets (points) and alignments, tried in order for points on the left side.
_LABEL_SPOTS = (
    (5, 3, "left", "bottom"),
    (5, -3, "left", "top"),
    (-5, 3, "right", "bottom"),
    (-5, -3, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (5, 13, "left", "bottom"),
    (5, -13, "left", "top"),
    (-5, 13, "right", "bottom"),
    (-5, -13, "right", "top"),
)


def _annotate_points(
    ax,
    x: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    axes_size_in: tuple[float, float],
    radii_pt: np.ndarray | None = None,
    fontsize: float = 8.0,
) -> None:
    """Label each point with offset text, avoiding other labels and markers where it can.

    Greedy and deterministic: points in order of (x, y, label); each label takes the first of
    a fixed list of spots (mirrored for points in the right third) that overlaps nothing already
    placed, else the spot with the least overlap. Positions are estimated from the axis limits
    and the approximate axes size, before drawing."""
    w_pt, h_pt = axes_size_in[0] * 72.0, axes_size_in[1] * 72.0
    sx = w_pt / ((xlim[1] - xlim[0]) or 1.0)
    sy = h_pt / ((ylim[1] - ylim[0]) or 1.0)
    px, py = (x - xlim[0]) * sx, (y - ylim[0]) * sy
    radii = np.full(len(x), 4.0) if radii_pt is None else radii_pt
    finite = np.isfinite(px) & np.isfinite(py)
    obstacles = [
        (px[i] - radii[i], px[i] + radii[i], py[i] - radii[i], py[i] + radii[i]) for i in range(len(x)) if finite[i]
    ]

    def overlap(a, b) -> float:
        dx = min(a[1], b[1]) - max(a[0], b[0])
        dy = min(a[3], b[3]) - max(a[2], b[2])
        return dx * dy if dx > 0 and dy > 0 else 0.0

    order = np.lexsort((np.array(labels, dtype=str), y, x))
    for i in order:
        if not finite[i]:
            continue
        tw, th = _text_size_pt(labels[i], fontsize)
        spots = _LABEL_SPOTS
        if px[i] > w_pt * 2.0 / 3.0:  # right third: try the left side first
            spots = tuple((-dx, dy, {"left": "right", "right": "left"}.get(ha, ha), va) for dx, dy, ha, va in spots)
        best, best_cost = None, None
        for dx, dy, ha, va in spots:
            gap = radii[i] - 4.0 if dx else 0.0
            ox = dx + (gap if dx > 0 else -gap if dx < 0 else 0.0)
            oy = dy + (max(radii[i] - 4.0, 0.0) if dy > 0 else -max(radii[i] - 4.0, 0.0))
            left = px[i] + ox - (tw if ha == "right" else tw / 2 if ha == "center" else 0.0)
            bottom = py[i] + oy - (th if va == "top" else 0.0)
            box = (left, left + tw, bottom, bottom + th)
            cost = sum(overlap(box, o) for o in obstacles)
            outside = max(0.0, -box[0]) + max(0.0, box[1] - w_pt) + max(0.0, -box[2]) + max(0.0, box[3] - h_pt)
            cost += outside * th * 4.0
            if best_cost is None or cost < best_cost - 1e-9:
                best, best_cost = (ox, oy, ha, va, box), cost
            if cost == 0.0:
                break
        ox, oy, ha, va, box = best
        obstacles.append(box)
        ax.annotate(
            labels[i],
            (x[i], y[i]),
            xytext=(ox, oy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            zorder=5,
        )


# --------------------------------------------------------------------------------------------
# Scatter and bars
# --------------------------------------------------------------------------------------------


def scatter_labeled(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    label_col: str,
    title: str,
    xlabel: str,
    ylabel: str,
    size_col: str | None = None,
    flag_col: str | None = None,
    size_label: str | None = None,
    point_label: str = "county",
) -> Figure:
    """Scatter with every point labelled (offset text, deterministic placement).

    `size_col` scales marker area with the column (legend shows its minimum, median and
    maximum, titled `size_label`); flagged rows get hollow markers. Rows with a missing x or y
    are left out."""
    _check_columns(table, [x, y, label_col, size_col, flag_col], "scatter_labeled")
    labels = _labels(table, label_col)
    xs, ys = _num(table, x), _num(table, y)
    flags = _flags(table, flag_col)
    sizes = _num(table, size_col) if size_col else None
    keep = np.isfinite(xs) & np.isfinite(ys)
    with _style():
        fig, ax = _labelled_axes(5.4, title, xlabel, ylabel)
        if not keep.any():
            _no_data(ax)
            return fig
        labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
        xs, ys, flags = xs[keep], ys[keep], flags[keep]
        color = PALETTE["blue"]
        handles = []
        if sizes is not None:
            sizes = sizes[keep]
            smax = np.nanmax(np.abs(sizes)) if np.isfinite(sizes).any() else 0.0
            area = lambda v: 15.0 + 385.0 * (np.abs(v) / smax if smax > 0 else 0.0)  # noqa: E731
            s = np.where(np.isfinite(sizes), area(np.nan_to_num(sizes)), 15.0)
        else:
            s = np.full(len(xs), 45.0)
        for hollow in (False, True):
            sel = flags == hollow
            if sel.any():
                ax.scatter(
                    xs[sel],
                    ys[sel],
                    s=s[sel],
                    alpha=1.0 if hollow else 0.85,
                    facecolors="white" if hollow else color,
                    edgecolors=color,
                    linewidths=1.4,
                    zorder=3,
                )
        handles.append(_marker_handle(literal_text(point_label), color, line=False))
        if flags.any():
            handles.append(_marker_handle(SMALL_COUNTY_LABEL, color, hollow=True, line=False))
        xlim, ylim = _padded(xs, 0.08), _padded(ys, 0.08)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        _annotate_points(
            ax,
            xs,
            ys,
            labels,
            xlim=xlim,
            ylim=ylim,
            axes_size_in=(FIG_WIDTH - 1.1, 5.4 - 1.8),
            radii_pt=np.sqrt(s / math.pi) + 1.0,
        )
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles, ncols=len(handles))
        if sizes is not None and np.isfinite(sizes).any():
            finite = np.sort(sizes[np.isfinite(sizes)])
            picks = [finite[0], float(np.median(finite)), finite[-1]]
            size_handles = []
            for v in dict.fromkeys(picks):  # unique, in order
                size_handles.append(
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker="o",
                        color=color,
                        alpha=0.85,
                        markersize=math.sqrt(float(area(v))),
                        label=_short_number(v),
                    )
                )
            ax.legend(
                handles=size_handles,
                title=literal_text(size_label or size_col),
                loc="best",
                labelspacing=1.2,
                borderpad=0.8,
            )
    return fig


def _padded(values: np.ndarray, frac: float) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = (hi - lo) * frac or max(abs(hi) * 0.1, 1.0)
    return lo - pad, hi + pad


def _short_number(v: float) -> str:
    v = float(v)
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.3g}"


def bar_chart(
    table: pd.DataFrame,
    *,
    label_col: str,
    value_col: str,
    title: str,
    xlabel: str,
    low_col: str | None = None,
    high_col: str | None = None,
    sort: bool = True,
    ylabel: str | None = None,
    flag_col: str | None = None,
    value_fmt: str | None = None,
    interval_label: str = "95% interval",
) -> Figure:
    """Horizontal bars (largest on top when `sort`), with optional error bars from `low_col` to
    `high_col`. Flagged rows get hatched, lighter bars and a "small county (uncertain)" legend
    entry; `value_fmt` (e.g. ``"{:,.0f}"``) writes each value at its bar end."""
    if (low_col is None) != (high_col is None):
        raise ValueError("bar_chart: give both low_col and high_col, or neither")
    _check_columns(table, [label_col, value_col, low_col, high_col, flag_col], "bar_chart")
    labels = _labels(table, label_col)
    values = _num(table, value_col)
    flags = _flags(table, flag_col)
    order = _sort_order(values, labels) if sort else np.arange(len(labels))
    labels, values, flags = [labels[i] for i in order], values[order], flags[order]
    with _style():
        fig = _new_figure(_rows_height(len(labels)))
        ax = fig.add_subplot()
        _set_title(ax, title)
        ax.set_xlabel(literal_text(xlabel))
        if not labels:
            _no_data(ax)
            return fig
        y = np.arange(len(labels), dtype=float)
        color = PALETTE["blue"]
        light = mcolors.to_hex(mcolors.to_rgba_array(color)[0] * 0.45 + 0.55)
        bars = ax.barh(
            y,
            np.nan_to_num(values),
            height=0.65,
            color=[light if f else color for f in flags],
            edgecolor=color,
            linewidth=0.8,
            zorder=2,
        )
        for bar, flagged in zip(bars, flags, strict=True):
            if flagged:
                bar.set_hatch("//")
        handles = []
        if flags.any():
            handles.append(Patch(facecolor=light, edgecolor=color, hatch="//", label=SMALL_COUNTY_LABEL))
        if low_col is not None:
            lo, hi = _num(table, low_col)[order], _num(table, high_col)[order]
            ax.hlines(y, lo, hi, color=PALETTE["black"], linewidth=1.3, zorder=3)
            ax.plot(lo, y, linestyle="none", marker="|", markersize=8, color=PALETTE["black"], zorder=3)
            ax.plot(hi, y, linestyle="none", marker="|", markersize=8, color=PALETTE["black"], zorder=3)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=PALETTE["black"],
                    marker="|",
                    markersize=8,
                    linewidth=1.3,
                    label=literal_text(interval_label),
                )
            )
        if value_fmt:
            ends = values if low_col is None else np.fmax(values, _num(table, high_col)[order])
            for yi, v, end in zip(y, values, ends, strict=True):
                if np.isfinite(v):
                    ax.annotate(
                        literal_text(value_fmt.format(v)),
                        (np.nan_to_num(end) if v >= 0 else 0.0, yi),
                        xytext=(4, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=8,
                    )
        if np.all(np.nan_to_num(values) >= 0):
            ax.set_xlim(left=0)
        ax.axvline(0, color=PALETTE["black"], linewidth=0.8, zorder=2)
        _row_axis(ax, labels, ylabel)
        _fig_legend(fig, handles)
    return fig


# --------------------------------------------------------------------------------------------
# Choropleth
# --------------------------------------------------------------------------------------------


def _feature_rings(geometry: dict, geoid: str) -> list[list[np.ndarray]]:
    """Polygons of a feature as lists of rings (exterior first), as float arrays of (lon, lat)."""
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        raise ValueError(f"choropleth: feature {geoid!r} has geometry {kind!r}; expected Polygon or MultiPolygon")
    out = []
    for polygon in polygons:
        rings = [np.asarray(ring, dtype=float)[:, :2] for ring in polygon if len(ring) >= 3]
        if rings:
            out.append(rings)
    return out


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _open_ring(ring: np.ndarray) -> np.ndarray:
    return ring[:-1] if len(ring) > 1 and np.array_equal(ring[0], ring[-1]) else ring


def _polygon_path(polygons: list[list[np.ndarray]]) -> Path:
    """One compound path; exteriors counter-clockwise and holes clockwise (nonzero fill rule)."""
    verts, codes = [], []
    for rings in polygons:
        for k, ring in enumerate(rings):
            ring = _open_ring(ring)
            ccw = _signed_area(ring) > 0
            if (k == 0) != ccw:  # exterior must be CCW, holes CW
                ring = ring[::-1]
            verts.extend(ring.tolist())
            verts.append(ring[0].tolist())
            codes.extend([Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY])
    return Path(np.asarray(verts, dtype=float), np.asarray(codes, dtype=Path.code_type))


def _label_point(polygons: list[list[np.ndarray]]) -> tuple[float, float]:
    """Mean of the vertices of the largest exterior ring (a simple, deterministic label spot)."""
    largest = max((rings[0] for rings in polygons), key=lambda r: abs(_signed_area(_open_ring(r))))
    pts = _open_ring(largest)
    return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def choropleth(
    geojson: dict,
    values: Mapping[str, float],
    *,
    title: str,
    legend_label: str,
    label_names: Mapping[str, str] | None = None,
    missing_label: str = "no data",
    fmt: str = "{:.0f}",
    cmap: str = SEQUENTIAL_CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
    note: str = BOUNDARY_NOTE,
) -> Figure:
    """County map coloured by `values` (GEOID -> number) with a sequential colormap and colorbar.

    Counties without a finite value are hatched grey and named in a legend entry
    "`missing_label`: names". With `label_names` (GEOID -> name), each named county is labelled
    at the mean of its largest ring's vertices with its name and value (`fmt`, also used for
    the colorbar ticks). Longitude is scaled by cos(mean latitude) so shapes are not stretched;
    the lon/lat axes are hidden; a small note names the boundary source."""
    features = (geojson or {}).get("features")
    if not isinstance(features, list) or not features:
        raise ValueError("choropleth: geojson must be a FeatureCollection dict with a non-empty 'features' list")
    shapes: list[tuple[str, dict, list[list[np.ndarray]]]] = []
    for feature in features:
        props = feature.get("properties") or {}
        if "GEOID" not in props:
            raise ValueError(f"choropleth: a feature has no 'GEOID' property (properties: {sorted(props)})")
        geoid = str(props["GEOID"])
        shapes.append((geoid, props, _feature_rings(feature.get("geometry"), geoid)))
    known = [g for g, _, _ in shapes]
    unknown = sorted(str(k) for k in values if str(k) not in known)
    if unknown:
        raise ValueError(f"choropleth: values for GEOIDs not in the map: {unknown}; valid GEOIDs are {sorted(known)}")
    vals = {str(k): float(v) if v is not None and not pd.isna(v) else math.nan for k, v in values.items()}
    finite = [v for v in vals.values() if math.isfinite(v)]
    lo = vmin if vmin is not None else (min(finite) if finite else 0.0)
    hi = vmax if vmax is not None else (max(finite) if finite else 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    norm = mcolors.Normalize(vmin=lo, vmax=hi)
    colormap = mpl.colormaps[cmap]
    names = {str(k): str(v) for k, v in (label_names or {}).items()}

    def display_name(geoid: str, props: dict) -> str:
        return names.get(geoid) or str(props.get("NAME") or geoid)

    fmt_value = lambda v: fmt.format(v)  # noqa: E731
    rings = [r for _, _, polygons in shapes for rings in polygons for r in rings]
    if not rings:
        raise ValueError("choropleth: the features have no polygon rings to draw")
    pts = np.concatenate(rings)
    (lon0, lat0), (lon1, lat1) = pts.min(axis=0), pts.max(axis=0)
    aspect = 1.0 / max(math.cos(math.radians((lat0 + lat1) / 2.0)), 0.1)
    map_w = FIG_WIDTH - 1.6  # inches left beside the colorbar
    map_h = map_w * (lat1 - lat0) * aspect / max(lon1 - lon0, 1e-9)
    with _style():
        fig = _new_figure(float(np.clip(map_h + 1.4, 3.0, 9.0)))
        ax = fig.add_subplot()
        _set_title(ax, title)
        missing = []
        for geoid, props, polygons in shapes:
            if not polygons:
                continue
            value = vals.get(geoid, math.nan)
            has_value = math.isfinite(value)
            patch = PathPatch(
                _polygon_path(polygons),
                facecolor=colormap(norm(value)) if has_value else MISSING_FILL,
                edgecolor="white" if has_value else MISSING_EDGE,
                hatch=None if has_value else MISSING_HATCH,
                linewidth=0.6,
                zorder=2,
            )
            patch.set_gid(f"county-{geoid}")
            ax.add_patch(patch)
            if not has_value:
                missing.append(display_name(geoid, props))
            if geoid in names:
                cx, cy = _label_point(polygons)
                text = literal_text(names[geoid]) + ("\n" + literal_text(fmt_value(value)) if has_value else "")
                fill = patch.get_facecolor()
                ax.text(
                    cx,
                    cy,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    zorder=4,
                    linespacing=1.1,
                    color=_text_color_on(fill),
                )
        ax.autoscale_view()
        ax.margins(0.02)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        sm = ScalarMappable(norm=norm, cmap=colormap)
        cbar = fig.colorbar(sm, ax=ax, shrink=0.75, pad=0.02)
        cbar.set_label(literal_text(legend_label))
        cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: literal_text(fmt_value(v))))
        cbar.outline.set_visible(False)
        if missing:
            label = wrap_text(f"{missing_label}: {', '.join(missing)}", FIG_WIDTH - 1.0, STYLE["legend.fontsize"])
            handle = Patch(facecolor=MISSING_FILL, edgecolor=MISSING_EDGE, hatch=MISSING_HATCH, label=label)
            _fig_legend(fig, [handle], ncols=1)
        if note:
            ax.annotate(
                literal_text(note),
                (0.0, 0.0),
                xycoords="axes fraction",
                xytext=(0, -2),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=7,
                color=NOTE_COLOR,
            )
    return fig


# --------------------------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------------------------

_LINESTYLES = ("-", "--", ":", "-.")


def category_styles(categories: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(colour, linestyle) per category, in the given order: Okabe-Ito colours, then linestyles."""
    n = len(CATEGORY_COLORS)
    return {c: (CATEGORY_COLORS[i % n], _LINESTYLES[(i // n) % len(_LINESTYLES)]) for i, c in enumerate(categories)}


def timeline_events(events: pd.DataFrame, *, start=None, end=None) -> pd.DataFrame:
    """The events :func:`timeline_figure` draws, in its order, with their ``number`` (1, 2, ...).

    Filtered to ``start <= date <= end`` and sorted by (date, category, label); all columns
    are kept. Show it as the table beside a timeline: when labels are too crowded, the figure
    labels each line with this number instead of its text."""
    _check_columns(events, ["date", "label", "category"], "timeline_events")
    ev = events.copy()
    ev["date"] = pd.to_datetime(ev["date"])
    if ev["date"].isna().any():
        raise ValueError("timeline_figure: every event needs a date")
    t0, t1 = _period(start, end)
    if t0 is not None:
        ev = ev[ev["date"] >= t0]
    if t1 is not None:
        ev = ev[ev["date"] <= t1]
    key = pd.DataFrame(
        {
            "date": ev["date"],
            "category": ["" if pd.isna(v) else str(v) for v in ev["category"].tolist()],
            "label": ["" if pd.isna(v) else str(v) for v in ev["label"].tolist()],
        },
        index=ev.index,
    )
    order = key.sort_values(["date", "category", "label"], kind="mergesort").index
    ev = ev.loc[order].reset_index(drop=True)
    ev.insert(0, "number", np.arange(1, len(ev) + 1))
    return ev


def _period(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    t0 = pd.Timestamp(start) if start is not None else None
    t1 = pd.Timestamp(end) if end is not None else None
    if t0 is not None and t1 is not None and t1 < t0:
        raise ValueError(f"timeline_figure: end {t1.date()} is before start {t0.date()}")
    return t0, t1


def _stagger(
    times: list[float], texts: list[str], *, x1: float, days_per_pt: float, fontsize: float, max_rows: int
) -> tuple[list[int], list[str], bool]:
    """Rows and alignments for labels at `times`: greedy, each label takes the uppermost row
    where it overlaps no other label; past `max_rows` rows, the row where it overlaps least.
    Returns (rows, alignments, whether any label overlaps)."""
    rows, aligns, crowded = [], [], False
    occupied: list[list[tuple[float, float]]] = []
    for t, text in zip(times, texts, strict=True):
        width = (_text_size_pt(text, fontsize)[0] + 6.0) * days_per_pt
        right = t + width <= x1
        lo, hi = (t, t + width) if right else (t - width, t)

        def clash(spans, lo=lo, hi=hi) -> float:
            return sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in spans)

        row = next((k for k, spans in enumerate(occupied) if clash(spans) == 0.0), None)
        if row is None and len(occupied) < max(1, max_rows):
            occupied.append([])
            row = len(occupied) - 1
        elif row is None:
            row = min(range(len(occupied)), key=lambda k: (clash(occupied[k]), k))
            crowded = True
        occupied[row].append((lo, hi))
        rows.append(row)
        aligns.append("left" if right else "right")
    return rows, aligns, crowded


def timeline_figure(
    events: pd.DataFrame,
    *,
    title: str,
    series: pd.Series | None = None,
    series_label: str | None = None,
    ylabel: str | None = None,
    start=None,
    end=None,
    xlabel: str = "Date",
    category_order: Sequence[str] | None = None,
    category_labels: Mapping[str, str] | None = None,
    label_mode: str = "auto",
    max_label_chars: int = 45,
    max_rows: int = 10,
) -> Figure:
    """Events as vertical lines coloured by category (legend by category) with staggered
    labels; optionally a time series (e.g. monthly mean ICE headcount) drawn as a line in a
    panel below, on the same time axis.

    `events` needs columns ``date`` (datetime-like), ``label`` (short text, cut at
    `max_label_chars` with an ellipsis) and ``category``. `start`/`end` limit events and series
    (inclusive) and set the axis range. Labels are staggered over at most `max_rows` rows.
    `label_mode`: "text" (labels, overlapping if they must), "number" (each line labelled with
    its ``number`` from :func:`timeline_events`, to be read with that table) or "auto" (text
    when it fits in `max_rows` rows, numbers otherwise). Categories are ordered by
    `category_order` (default: sorted) and named in the legend by `category_labels`."""
    if label_mode not in ("auto", "text", "number"):
        raise ValueError(f"timeline_figure: label_mode must be 'auto', 'text' or 'number', got {label_mode!r}")
    ev = timeline_events(events, start=start, end=end)
    t0, t1 = _period(start, end)
    categories = ["(missing)" if pd.isna(v) else str(v) for v in ev["category"].tolist()]
    if series is not None:
        if not isinstance(series, pd.Series):
            raise TypeError("timeline_figure: series must be a pandas Series indexed by datetime")
        s = pd.Series(
            pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan),
            index=pd.to_datetime(series.index),
        ).sort_index()
        if t0 is not None:
            s = s[s.index >= t0]
        if t1 is not None:
            s = s[s.index <= t1]
    else:
        s = None

    present = list(dict.fromkeys(categories))
    if category_order is not None:
        order = [str(c) for c in category_order]
        cats = [c for c in order if c in present] + sorted(c for c in present if c not in order)
    else:
        cats = sorted(present)
    styles = category_styles(cats)
    cat_names = {str(k): str(v) for k, v in (category_labels or {}).items()}

    # Time range (matplotlib date numbers, days), padded unless start/end are given.
    times = [float(mdates.date2num(d)) for d in ev["date"]]
    s_x = mdates.date2num(s.index.to_numpy()) if s is not None and len(s) else np.array([])
    candidates = times + [float(v) for v in s_x]
    x0 = float(mdates.date2num(t0)) if t0 is not None else (min(candidates) if candidates else None)
    x1 = float(mdates.date2num(t1)) if t1 is not None else (max(candidates) if candidates else None)
    if x0 is None or x1 is None:
        x0 = x1 = float(mdates.date2num(pd.Timestamp("2000-01-01")))
    if x1 - x0 < 30.0:
        x0, x1 = (x0 + x1) / 2.0 - 15.0, (x0 + x1) / 2.0 + 15.0
    span = x1 - x0
    if t0 is None:
        x0 -= 0.03 * span
    if t1 is None:
        x1 += 0.03 * span
    span = x1 - x0

    fontsize = 7.5
    days_per_pt = span / ((FIG_WIDTH - 1.3) * 72.0)
    labels = ["(missing)" if pd.isna(v) else str(v) for v in ev["label"].tolist()]
    texts = [
        literal_text(t if len(t) <= max_label_chars else t[: max_label_chars - 1].rstrip() + "\u2026") for t in labels
    ]
    numbers = [str(n) for n in ev["number"].tolist()]
    stagger = dict(x1=x1, days_per_pt=days_per_pt, fontsize=fontsize, max_rows=max_rows)
    mode = label_mode
    if mode != "number":
        rows, aligns, crowded = _stagger(times, texts, **stagger)
        if crowded and mode == "auto":
            mode = "number"
    if mode == "number":
        texts = numbers
        rows, aligns, _ = _stagger(times, texts, **stagger)
    n_rows = max(rows, default=0) + 1
    band_h = 0.35 + 0.2 * n_rows

    with _style():
        if s is not None:
            fig = _new_figure(band_h + 3.2)
            band, panel = fig.subplots(2, 1, sharex=True, height_ratios=[band_h, 2.4])
        else:
            fig = _new_figure(band_h + 1.6)
            band, panel = fig.add_subplot(), None
        _set_title(band, title)
        band.set_ylim(0, n_rows)
        band.set_yticks([])
        band.spines["left"].set_visible(False)
        for t, cat in zip(times, categories, strict=True):
            color, ls = styles[cat]
            band.axvline(t, color=color, linestyle=ls, linewidth=1.2, zorder=2)
            if panel is not None:
                panel.axvline(t, color=color, linestyle=ls, linewidth=0.9, alpha=0.6, zorder=1)
        for t, text, row, ha in zip(times, texts, rows, aligns, strict=True):
            dx = 3.0 * days_per_pt * (1 if ha == "left" else -1)
            band.text(
                t + dx,
                n_rows - row - 0.5,
                text,
                ha=ha,
                va="center",
                fontsize=fontsize,
                color="#1A1A1A",
                bbox=_label_box(),
                zorder=3,
            )
        if not times and s is None:
            _no_data(band, "No events in this period")
        elif mode == "number":
            band.annotate(
                "Numbers refer to the table of events.",
                (1.0, 1.0),
                xycoords="axes fraction",
                xytext=(0, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=7,
                color=NOTE_COLOR,
            )
        bottom = panel if panel is not None else band
        if panel is not None:
            band.tick_params(axis="x", labelbottom=False)
            if len(s):
                panel.plot(s_x, s.to_numpy(), color=PALETTE["black"], linewidth=1.5, zorder=3)
            else:
                _no_data(panel, "No series data in this period")
            panel.set_ylabel(literal_text(ylabel or series_label or series.name or "value"))
            if not len(s) or np.nanmin(s.to_numpy()) >= 0:
                panel.set_ylim(bottom=0)
            panel.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
            panel.set_axisbelow(True)
        bottom.set_xlim(x0, x1)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
        bottom.set_xlabel(literal_text(xlabel))
        handles = []
        if s is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=PALETTE["black"],
                    linewidth=1.5,
                    label=literal_text(series_label or series.name or "series"),
                )
            )
        for cat in cats:
            color, ls = styles[cat]
            handles.append(
                Line2D([], [], color=color, linestyle=ls, linewidth=1.5, label=literal_text(cat_names.get(cat, cat)))
            )
        _fig_legend(fig, handles, ncols=min(len(handles), 4))
    return fig


__all__ = [
    "PALETTE",
    "CATEGORY_COLORS",
    "SEQUENTIAL_CMAP",
    "STYLE",
    "SMALL_COUNTY_LABEL",
    "use_project_style",
    "figure_svg_bytes",
    "figure_markup",
    "figure_html",
    "interval_plot",
    "raw_vs_shrunk_plot",
    "funnel_limits",
    "funnel_plot",
    "scatter_labeled",
    "bar_chart",
    "choropleth",
    "category_styles",
    "timeline_events",
    "timeline_figure",
]
