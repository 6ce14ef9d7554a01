"""National figures: every US county in a funnel plot with one state's counties highlighted and labelled,
marginal-effect curves of the national models, and the threshold sensitivity of a model's estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ma_ice_coop.present.figure_parts import _annotate_points, _fig_legend, _labelled_axes, _marker_handle, _no_data
from ma_ice_coop.present.figure_style import FIG_WIDTH, GRID_COLOR, PALETTE, _style, literal_text

FUNNEL_HEIGHT = 5.4
GREY = "#8C8C8C"  # the other counties: context, not data to read one by one
MODEL_COLORS = ("blue", "vermillion", "bluish_green", "orange")


def _limits(pooled: float, grid: np.ndarray, level: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial (shares: grid = detainers) or Poisson (rates: grid = expected count) limits."""
    from scipy import stats  # lazy: scipy.stats is slow to import and only the funnel needs it

    alpha = 1 - level
    if kind == "share":
        return stats.binom.ppf(alpha / 2, grid, pooled) / grid, stats.binom.ppf(1 - alpha / 2, grid, pooled) / grid
    expected = grid * pooled
    return stats.poisson.ppf(alpha / 2, expected) / grid, stats.poisson.ppf(1 - alpha / 2, expected) / grid


def national_funnel(
    table: pd.DataFrame, *, kind: str, pooled: float, title: str, xlabel: str, ylabel: str, scale: float = 1.0
) -> Figure:
    """Estimate against its denominator (log axis) for every county analysed (`table`: estimate, denominator,
    label, highlight), with 95% and 99.8% exact limits around the national pool; highlighted counties are
    coloured and labelled. `scale` multiplies rates for display (e.g. 100,000 for per 100,000 residents)."""
    with _style():
        fig, ax = _labelled_axes(FUNNEL_HEIGHT, title, xlabel, ylabel)
        data = table[(table["denominator"] > 0) & table["estimate"].notna()]
        if data.empty:
            _no_data(ax)
            return fig
        grid = np.unique(np.round(np.geomspace(max(1.0, data["denominator"].min()), data["denominator"].max(), 400)))
        ax.axhline(pooled * scale, color=PALETTE["black"], linewidth=1.2, zorder=2)
        handles = [Line2D([], [], color=PALETTE["black"], linewidth=1.2, label="national pool")]
        for level, color, style in ((0.95, "orange", "--"), (0.998, "vermillion", ":")):
            low, high = _limits(pooled, grid, level, kind)
            for line in (low, high):
                ax.plot(grid, line * scale, color=PALETTE[color], linestyle=style, linewidth=1.2, zorder=2)
            handles.append(Line2D([], [], color=PALETTE[color], linestyle=style, label=f"{level * 100:g}% limits"))
        rest, marked = data[~data["highlight"]], data[data["highlight"]]
        ax.scatter(rest["denominator"], rest["estimate"] * scale, s=9, color=GREY, alpha=0.45, zorder=3)
        ax.scatter(marked["denominator"], marked["estimate"] * scale, s=30, color=PALETTE["blue"], zorder=4)
        handles[:0] = [
            _marker_handle("other US counties", GREY, line=False),
            _marker_handle(
                literal_text(f"{table.attrs.get('highlight_name', 'highlighted')} counties"),
                PALETTE["blue"],
                line=False,
            ),
        ]
        ax.set_xscale("log")
        top = (
            min(1.0, float(data["estimate"].max()) * 1.05) if kind == "share" else float(data["estimate"].max()) * 1.05
        )
        ylim = (0.0, top * scale)
        xlim = (grid.min() * 0.8, grid.max() * 1.25)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        if not marked.empty and len(marked) <= 20:
            _annotate_points(
                ax,
                marked["denominator"].to_numpy(float),
                marked["estimate"].to_numpy(float) * scale,
                [literal_text(label) for label in marked["label"]],
                xlim=xlim,
                ylim=ylim,
                axes_size_in=(FIG_WIDTH - 0.9, FUNNEL_HEIGHT - 1.9),
                log_x=True,
            )
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles, ncols=3)
    return fig


def marginal_effect_plot(
    curves: dict[str, pd.DataFrame], *, title: str, xlabel: str, ylabel: str, scale=1.0, log_x: bool = False
):
    """One line per model (value, estimate, ci_low, ci_high) with its 95% band."""
    with _style():
        fig, ax = _labelled_axes(4.2, title, xlabel, ylabel)
        handles = []
        for (model, curve), color in zip(curves.items(), MODEL_COLORS, strict=False):
            ax.plot(curve["value"], curve["estimate"] * scale, color=PALETTE[color], linewidth=1.6)
            ax.fill_between(
                curve["value"],
                curve["ci_low"] * scale,
                curve["ci_high"] * scale,
                color=PALETTE[color],
                alpha=0.18,
                linewidth=0,
            )
            handles.append(Line2D([], [], color=PALETTE[color], linewidth=1.6, label=literal_text(model)))
        if log_x:
            ax.set_xscale("log")
        ax.grid(color=GRID_COLOR, linewidth=0.8)
        ax.set_axisbelow(True)
        _fig_legend(fig, handles, ncols=2)
    return fig


SENSITIVITY_COLORS = ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")


def sensitivity_plot(table: pd.DataFrame, *, title: str, xlabel: str) -> Figure:
    """Estimate and 95% interval of each term (rows) at each minimum-detainer threshold (colours)."""
    terms = list(dict.fromkeys(table["term"]))
    thresholds = list(dict.fromkeys(table["threshold"]))
    with _style():
        fig, ax = _labelled_axes(1.6 + 0.55 * len(terms) * len(thresholds) / 2, title, xlabel, "")
        step = 0.7 / max(1, len(thresholds))
        handles = []
        for j, (threshold, color) in enumerate(zip(thresholds, SENSITIVITY_COLORS, strict=False)):
            rows = table[table["threshold"] == threshold].set_index("term").reindex(terms)
            y = np.arange(len(terms)) + j * step
            ax.errorbar(
                rows["estimate"],
                y,
                xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                fmt="o",
                color=PALETTE[color],
                markersize=4,
                linewidth=1.2,
            )
            n = int(rows["n"].max()) if rows["n"].notna().any() else 0
            what = f"at least {threshold} detainers" if isinstance(threshold, int) else str(threshold)
            handles.append(_marker_handle(f"{what} ({n:,} counties)", PALETTE[color]))
        ax.axvline(0, color=PALETTE["black"], linewidth=1)
        ax.set_yticks(np.arange(len(terms)) + step * (len(thresholds) - 1) / 2)
        ax.set_yticklabels([literal_text(t) for t in terms])
        ax.invert_yaxis()
        ax.grid(axis="x", color=GRID_COLOR, linewidth=0.8)
        _fig_legend(fig, handles, ncols=2)
    return fig
