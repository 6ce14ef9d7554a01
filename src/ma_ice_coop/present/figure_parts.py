"""Building blocks shared by the figure modules: column checks, row order, titled axes, legends,
markers, reference lines, row axes and the placement of point labels.

Every function here draws with the project style of :mod:`ma_ice_coop.present.figure_style`;
callers build their figures inside its ``_style()`` context.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ma_ice_coop.present.figure_style import (
    FIG_WIDTH,
    GRID_COLOR,
    NOTE_COLOR,
    PALETTE,
    STYLE,
    _text_size_pt,
    literal_text,
    wrap_text,
)

# --------------------------------------------------------------------------------------------
# Tables in
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Figures and axes
# --------------------------------------------------------------------------------------------


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


def _titled_row_axes(height: float, title: str, xlabel: str):
    """A new figure with one axes for a chart of rows: titled, x axis labelled (the row axis comes later)."""
    fig = _new_figure(height)
    ax = fig.add_subplot()
    _set_title(ax, title)
    ax.set_xlabel(literal_text(xlabel))
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
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in mcolors.to_rgb(fill))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
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


def _plot_flagged_markers(ax, x: np.ndarray, y: np.ndarray, flags: np.ndarray, color: str, zorder: int) -> None:
    """Circles at (x, y): filled for unflagged rows, then hollow for flagged ones."""
    for hollow in (False, True):
        sel = flags == hollow
        if sel.any():
            ax.plot(
                x[sel],
                y[sel],
                linestyle="none",
                marker="o",
                markersize=7,
                color=color,
                markerfacecolor="white" if hollow else color,
                markeredgewidth=1.5,
                zorder=zorder,
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
# Point labels
# --------------------------------------------------------------------------------------------

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

_MIRRORED_ALIGNMENT = {"left": "right", "right": "left"}


def _box_overlap(first, second) -> float:
    """Area shared by two boxes (left, right, bottom, top)."""
    width = min(first[1], second[1]) - max(first[0], second[0])
    height = min(first[3], second[3]) - max(first[2], second[2])
    return width * height if width > 0 and height > 0 else 0.0


def _best_label_spot(point, radius, text_size, spots, obstacles, axes_size_pt):
    """The first spot whose label box overlaps nothing, else the one that overlaps (or leaves the axes) least.

    Returns (x offset, y offset, ha, va, box) in points."""
    px, py = point
    tw, th = text_size
    w_pt, h_pt = axes_size_pt
    best, best_cost = None, None
    for dx, dy, ha, va in spots:
        gap = radius - 4.0 if dx else 0.0
        ox = dx + (gap if dx > 0 else -gap if dx < 0 else 0.0)
        oy = dy + (max(radius - 4.0, 0.0) if dy > 0 else -max(radius - 4.0, 0.0))
        left = px + ox - (tw if ha == "right" else tw / 2 if ha == "center" else 0.0)
        bottom = py + oy - (th if va == "top" else 0.0)
        box = (left, left + tw, bottom, bottom + th)
        cost = sum(_box_overlap(box, o) for o in obstacles)
        outside = max(0.0, -box[0]) + max(0.0, box[1] - w_pt) + max(0.0, -box[2]) + max(0.0, box[3] - h_pt)
        cost += outside * th * 4.0
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = (ox, oy, ha, va, box), cost
        if cost == 0.0:
            break
    return best


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
    log_x: bool = False,
) -> None:
    """Label each point with offset text, avoiding other labels and markers where it can.

    Greedy and deterministic: points in order of (x, y, label); each label takes the first of
    a fixed list of spots (mirrored for points in the right third) that overlaps nothing already
    placed, else the spot with the least overlap. Positions are estimated from the axis limits
    and the approximate axes size, before drawing. `log_x`: the x axis is logarithmic (x and xlim in data units)."""
    w_pt, h_pt = axes_size_in[0] * 72.0, axes_size_in[1] * 72.0
    x_axis, x_lim = (np.log10(x), np.log10(xlim)) if log_x else (x, xlim)
    sx = w_pt / ((x_lim[1] - x_lim[0]) or 1.0)
    sy = h_pt / ((ylim[1] - ylim[0]) or 1.0)
    px, py = (x_axis - x_lim[0]) * sx, (y - ylim[0]) * sy
    radii = np.full(len(x), 4.0) if radii_pt is None else radii_pt
    finite = np.isfinite(px) & np.isfinite(py)
    obstacles = [
        (px[i] - radii[i], px[i] + radii[i], py[i] - radii[i], py[i] + radii[i]) for i in range(len(x)) if finite[i]
    ]
    mirrored = tuple((-dx, dy, _MIRRORED_ALIGNMENT.get(ha, ha), va) for dx, dy, ha, va in _LABEL_SPOTS)
    order = np.lexsort((np.array(labels, dtype=str), y, x))
    for i in order:
        if not finite[i]:
            continue
        spots = mirrored if px[i] > w_pt * 2.0 / 3.0 else _LABEL_SPOTS  # right third: try the left side first
        text_size = _text_size_pt(labels[i], fontsize)
        ox, oy, ha, va, box = _best_label_spot((px[i], py[i]), radii[i], text_size, spots, obstacles, (w_pt, h_pt))
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


def _padded(values: np.ndarray, frac: float) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = (hi - lo) * frac or max(abs(hi) * 0.1, 1.0)
    return lo - pad, hi + pad


def _short_number(v: float) -> str:
    v = float(v)
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.3g}"
