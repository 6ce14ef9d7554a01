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

This module is the figures' single entry point (``from ma_ice_coop.present import figures as plots``);
the code lives in sibling modules, one place each:

- :mod:`~ma_ice_coop.present.figure_style`: the project style (palette, colours, :data:`STYLE`),
  SVG rendering and the ``<figure>`` HTML;
- :mod:`~ma_ice_coop.present.figure_parts`: shared building blocks (row order, axes, legends, point labels);
- :mod:`~ma_ice_coop.present.interval_figures`: interval, raw-vs-shrunk and funnel plots;
- :mod:`~ma_ice_coop.present.scatter_bar_figures`: labelled scatter and bar chart;
- :mod:`~ma_ice_coop.present.maps`: county polygons and the choropleth;
- :mod:`~ma_ice_coop.present.timeline_chart`: the timeline of events (and series).

Every name is re-exported here under its old name, the underscore helpers too (other figure
modules of ``present/`` use them as ``figures._name``); ``__all__`` lists the public interface.
"""

from __future__ import annotations

from ma_ice_coop.present import figure_parts as _parts
from ma_ice_coop.present import figure_style as _style_module
from ma_ice_coop.present import interval_figures as _intervals
from ma_ice_coop.present import maps as _maps
from ma_ice_coop.present import timeline_chart as _timeline
from ma_ice_coop.present.figure_style import (
    CATEGORY_COLORS,
    PALETTE,
    SEQUENTIAL_CMAP,
    SMALL_COUNTY_LABEL,
    STYLE,
    figure_html,
    figure_markup,
    figure_svg_bytes,
    use_project_style,
)
from ma_ice_coop.present.interval_figures import funnel_limits, funnel_plot, interval_plot, raw_vs_shrunk_plot
from ma_ice_coop.present.maps import choropleth
from ma_ice_coop.present.scatter_bar_figures import bar_chart, scatter_labeled
from ma_ice_coop.present.timeline_chart import category_styles, timeline_events, timeline_figure

# Further names of the figure modules, importable from here as before (other figure modules use
# e.g. ``figures.FIG_WIDTH`` or ``figures._row_axis``).
HASH_SALT = _style_module.HASH_SALT
FONT_FAMILY = _style_module.FONT_FAMILY
BOUNDARY_NOTE = _style_module.BOUNDARY_NOTE
MISSING_FILL = _style_module.MISSING_FILL
MISSING_EDGE = _style_module.MISSING_EDGE
MISSING_HATCH = _style_module.MISSING_HATCH
NOTE_COLOR = _style_module.NOTE_COLOR
GRID_COLOR = _style_module.GRID_COLOR
FIG_WIDTH = _style_module.FIG_WIDTH
_style = _style_module._style
FONT_STACK = _style_module.FONT_STACK
_freeze_layout = _style_module._freeze_layout
_required_text = _style_module._required_text
_close = _style_module._close
literal_text = _style_module.literal_text
wrap_text = _style_module.wrap_text
_text_size_pt = _style_module._text_size_pt
_check_columns = _parts._check_columns
_num = _parts._num
_flags = _parts._flags
_labels = _parts._labels
_sort_order = _parts._sort_order
_new_figure = _parts._new_figure
_rows_height = _parts._rows_height
_labelled_axes = _parts._labelled_axes
_set_title = _parts._set_title
_no_data = _parts._no_data
_label_box = _parts._label_box
_text_color_on = _parts._text_color_on
_fig_legend = _parts._fig_legend
_marker_handle = _parts._marker_handle
_reference = _parts._reference
_draw_reference = _parts._draw_reference
_row_axis = _parts._row_axis
_LABEL_SPOTS = _parts._LABEL_SPOTS
_annotate_points = _parts._annotate_points
_padded = _parts._padded
_short_number = _parts._short_number
_funnel_grid = _intervals._funnel_grid
_fmt_level = _intervals._fmt_level
_feature_rings = _maps._feature_rings
_signed_area = _maps._signed_area
_open_ring = _maps._open_ring
_polygon_path = _maps._polygon_path
_label_point = _maps._label_point
_LINESTYLES = _timeline._LINESTYLES
_period = _timeline._period
_stagger = _timeline._stagger

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
