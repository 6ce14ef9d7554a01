"""County maps: GeoJSON polygons drawn as compound paths (exteriors counter-clockwise, holes
clockwise), and the choropleth with its colorbar, hatched missing counties and labels."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

from ma_ice_coop.present.figure_parts import _fig_legend, _new_figure, _set_title, _text_color_on
from ma_ice_coop.present.figure_style import (
    BOUNDARY_NOTE,
    FIG_WIDTH,
    MISSING_EDGE,
    MISSING_FILL,
    MISSING_HATCH,
    NOTE_COLOR,
    SEQUENTIAL_CMAP,
    STYLE,
    _style,
    literal_text,
    wrap_text,
)

#: A county as drawn: its GEOID, its GeoJSON properties and its polygons (lists of rings).
Shape = tuple[str, dict, list[list[np.ndarray]]]

# --------------------------------------------------------------------------------------------
# Polygons
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


# --------------------------------------------------------------------------------------------
# Choropleth
# --------------------------------------------------------------------------------------------


def _map_shapes(geojson: dict, values: Mapping[str, float]) -> list[Shape]:
    """The features as shapes, checked: a FeatureCollection, every feature with a GEOID, every value's GEOID
    on the map."""
    features = (geojson or {}).get("features")
    if not isinstance(features, list) or not features:
        raise ValueError("choropleth: geojson must be a FeatureCollection dict with a non-empty 'features' list")
    shapes: list[Shape] = []
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
    return shapes


def _color_norm(values: dict[str, float], vmin: float | None, vmax: float | None) -> mcolors.Normalize:
    """The colour scale: `vmin`..`vmax`, else the range of the finite values (widened if it is a point)."""
    finite = [v for v in values.values() if math.isfinite(v)]
    lo = vmin if vmin is not None else (min(finite) if finite else 0.0)
    hi = vmax if vmax is not None else (max(finite) if finite else 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return mcolors.Normalize(vmin=lo, vmax=hi)


def _map_aspect_and_height(shapes: list[Shape]) -> tuple[float, float]:
    """The axes aspect (longitude scaled by cos(mean latitude)) and the map's height in inches."""
    rings = [r for _, _, polygons in shapes for rings in polygons for r in rings]
    if not rings:
        raise ValueError("choropleth: the features have no polygon rings to draw")
    pts = np.concatenate(rings)
    (lon0, lat0), (lon1, lat1) = pts.min(axis=0), pts.max(axis=0)
    aspect = 1.0 / max(math.cos(math.radians((lat0 + lat1) / 2.0)), 0.1)
    map_w = FIG_WIDTH - 1.6  # inches left beside the colorbar
    map_h = map_w * (lat1 - lat0) * aspect / max(lon1 - lon0, 1e-9)
    return aspect, map_h


def _county_patch(ax, geoid: str, polygons, value: float, colormap, norm) -> PathPatch:
    """The county's polygons, filled by `value` (hatched grey when it is not finite)."""
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
    return patch


def _county_label(ax, polygons, name: str, value_text: str | None, fill) -> None:
    """The county's name (and value, if any) at its label point, in black or white against `fill`."""
    cx, cy = _label_point(polygons)
    text = literal_text(name) + ("\n" + literal_text(value_text) if value_text is not None else "")
    ax.text(cx, cy, text, ha="center", va="center", fontsize=7.5, zorder=4, linespacing=1.1, color=_text_color_on(fill))


def _draw_counties(ax, shapes: list[Shape], values: dict[str, float], names: dict[str, str], fmt: str, style):
    """Every county's patch and label; returns the display names of the counties without a value."""
    colormap, norm = style
    missing = []
    for geoid, props, polygons in shapes:
        if not polygons:
            continue
        value = values.get(geoid, math.nan)
        has_value = math.isfinite(value)
        patch = _county_patch(ax, geoid, polygons, value, colormap, norm)
        if not has_value:
            missing.append(names.get(geoid) or str(props.get("NAME") or geoid))
        if geoid in names:
            value_text = fmt.format(value) if has_value else None
            _county_label(ax, polygons, names[geoid], value_text, patch.get_facecolor())
    return missing


def _map_colorbar(fig: Figure, ax, colormap, norm, legend_label: str, fmt: str) -> None:
    cbar = fig.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=ax, shrink=0.75, pad=0.02)
    cbar.set_label(literal_text(legend_label))
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: literal_text(fmt.format(v))))
    cbar.outline.set_visible(False)


def _missing_legend(fig: Figure, missing: list[str], missing_label: str) -> None:
    label = wrap_text(f"{missing_label}: {', '.join(missing)}", FIG_WIDTH - 1.0, STYLE["legend.fontsize"])
    handle = Patch(facecolor=MISSING_FILL, edgecolor=MISSING_EDGE, hatch=MISSING_HATCH, label=label)
    _fig_legend(fig, [handle], ncols=1)


def _map_note(ax, note: str) -> None:
    """A small grey note under the map's lower left corner (the boundary source)."""
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
    shapes = _map_shapes(geojson, values)
    vals = {str(k): float(v) if v is not None and not pd.isna(v) else math.nan for k, v in values.items()}
    norm = _color_norm(vals, vmin, vmax)
    colormap = mpl.colormaps[cmap]
    names = {str(k): str(v) for k, v in (label_names or {}).items()}
    aspect, map_h = _map_aspect_and_height(shapes)
    with _style():
        fig = _new_figure(float(np.clip(map_h + 1.4, 3.0, 9.0)))
        ax = fig.add_subplot()
        _set_title(ax, title)
        missing = _draw_counties(ax, shapes, vals, names, fmt, (colormap, norm))
        ax.autoscale_view()
        ax.margins(0.02)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        _map_colorbar(fig, ax, colormap, norm, legend_label, fmt)
        if missing:
            _missing_legend(fig, missing, missing_label)
        if note:
            _map_note(ax, note)
    return fig


# --------------------------------------------------------------------------------------------
# Small multiples
# --------------------------------------------------------------------------------------------


def _simplified(shapes: list[Shape], points_per_ring: int = 40, min_extent: float = 0.02) -> list[Shape]:
    """The shapes thinned for a small map (a fraction of the SVG size): every ring cut to about `points_per_ring`
    vertices (every k-th, the first kept), and islets narrower than `min_extent` degrees dropped (a polygon's
    exterior is always kept)."""
    thinned = []
    for geoid, props, polygons in shapes:
        kept = []
        for polygon in polygons:
            exterior, holes = polygon[0], polygon[1:]
            if kept and np.ptp(exterior, axis=0).max() < min_extent:
                continue
            rings = [exterior] + [h for h in holes if np.ptp(h, axis=0).max() >= min_extent]
            kept.append([r[:: max(1, len(r) // points_per_ring)] for r in rings])
        thinned.append((geoid, props, kept))
    return thinned


def small_multiples(
    geojson: dict,
    panels: list[tuple[str, Mapping[str, float], Mapping[str, str]]],
    *,
    title: str,
    columns: int = 2,
    note: str = BOUNDARY_NOTE,
) -> Figure:
    """One small county map per panel (title, GEOID -> value, GEOID -> printed text), in a grid.

    Each panel has its own sequential scale (reversed cividis: darker = more, 0 the lightest); a county without a
    finite value is hatched grey. The text of each county (its value, in words) is printed on it, so no colorbar
    is needed and no value is read from a colour alone."""
    shapes = _simplified(_map_shapes(geojson, {}))
    aspect, map_h = _map_aspect_and_height(shapes)
    rows = math.ceil(len(panels) / columns)
    panel_h = map_h * (FIG_WIDTH / columns) / (FIG_WIDTH - 1.6) + 0.45
    colormap = mpl.colormaps[SEQUENTIAL_CMAP].reversed()  # darker = more, so 0 is the lightest
    with _style():
        fig = _new_figure(rows * panel_h + 0.5)
        fig.suptitle(literal_text(title), fontsize=STYLE["axes.titlesize"])
        for i, (panel_title, values, texts) in enumerate(panels):
            ax = fig.add_subplot(rows, columns, i + 1)
            vals = {str(k): float(v) if v is not None and not pd.isna(v) else math.nan for k, v in values.items()}
            finite = [v for v in vals.values() if math.isfinite(v)]
            norm = _color_norm(vals, 0.0, max(max(finite, default=0.0), 1.0))  # an all-zero panel stays light
            ax.set_title(wrap_text(panel_title, FIG_WIDTH / columns - 0.2, 8.5), fontsize=8.5)
            for geoid, _props, polygons in shapes:
                if not polygons:
                    continue
                patch = _county_patch(ax, geoid, polygons, vals.get(geoid, math.nan), colormap, norm)
                if geoid in texts:
                    cx, cy = _label_point(polygons)
                    ax.text(
                        cx,
                        cy,
                        literal_text(texts[geoid]),
                        ha="center",
                        va="center",
                        fontsize=5.5,
                        zorder=4,
                        color=_text_color_on(patch.get_facecolor()),
                    )
            ax.autoscale_view()
            ax.margins(0.02)
            ax.set_aspect(aspect)
            ax.set_axis_off()
        if note:
            fig.text(
                0.01,
                0.0,
                literal_text(note + "; hatched grey: no value"),
                fontsize=7,
                color=NOTE_COLOR,
                ha="left",
                va="bottom",
            )
    return fig
