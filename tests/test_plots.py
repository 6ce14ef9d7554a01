"""Figures: titles and labels, deterministic SVG, escaped HTML, funnel limits, missing counties.

All tables and the two-square GeoJSON below are synthetic test inputs made up for these tests
(they exercise the plotting code, they are not data about any county); only the last test reads
the real county boundaries, and only to check that the map renders byte-identically.
"""

from __future__ import annotations

import base64
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402

from ma_ice_coop import config
from ma_ice_coop.present import figures as plots

# --- synthetic test inputs ------------------------------------------------------------------


@pytest.fixture
def rates() -> pd.DataFrame:
    """Synthetic rates for four made-up places (not real counties or data)."""
    return pd.DataFrame(
        {
            "name": ["Alpha", "Beta", "Gamma", "Delta $1"],
            "fips": ["99001", "99003", "99005", "99007"],
            "num": [12, 3, 40, 0],
            "den": [40, 5, 90, 2],
            "rate": [0.30, 0.60, 0.44, 0.0],
            "low": [0.17, 0.2, 0.34, 0.0],
            "high": [0.46, 0.9, 0.55, 0.7],
            "shrunk": [0.31, 0.45, 0.43, 0.25],
            "shrunk_low": [0.2, 0.3, 0.35, 0.1],
            "shrunk_high": [0.42, 0.6, 0.52, 0.45],
            "small": [False, True, False, True],
            "pop": [100_000, 15_000, 250_000, 9_000],
        }
    )


def two_squares() -> dict:
    """A synthetic GeoJSON of two unit squares side by side (one a MultiPolygon), near 42N."""
    sq = lambda x0: [[x0, 42.0], [x0 + 1, 42.0], [x0 + 1, 43.0], [x0, 43.0], [x0, 42.0]]  # noqa: E731
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"GEOID": "99001", "NAME": "West"},
                "geometry": {"type": "Polygon", "coordinates": [sq(-72.0)]},
            },
            {
                "type": "Feature",
                "properties": {"GEOID": "99003", "NAME": "East"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[sq(-71.0)], [sq(-69.5)]]},
            },
        ],
    }


@pytest.fixture
def events() -> pd.DataFrame:
    """Synthetic events (made-up labels and dates) and categories."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2012-05-15", "2017-07-24", "2017-08-01", "2020-01-01", "2022-11-08"]),
            "label": ["Event A", "Event B <b>", "Event C", "Event D", "Event E"],
            "category": ["federal", "court", "state", "federal", "election"],
        }
    )


@pytest.fixture
def monthly() -> pd.Series:
    """A synthetic monthly series."""
    idx = pd.date_range("2010-01-01", "2023-12-01", freq="MS")
    return pd.Series(np.linspace(10.0, 80.0, len(idx)), index=idx, name="people")


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def _title(fig: Figure) -> str:
    return fig.axes[0].get_title()


def _all_builders(rates, events, monthly):
    """One call of every plotting function, as a notebook would make it."""
    return {
        "interval": lambda: plots.interval_plot(
            rates,
            label_col="name",
            estimate_col="rate",
            low_col="low",
            high_col="high",
            title="Custody share",
            xlabel="Share of detainers",
            flag_col="small",
            reference=0.35,
        ),
        "raw_vs_shrunk": lambda: plots.raw_vs_shrunk_plot(
            rates,
            label_col="name",
            raw_col="rate",
            raw_low="low",
            raw_high="high",
            shrunk_col="shrunk",
            shrunk_low="shrunk_low",
            shrunk_high="shrunk_high",
            title="Raw and shrunken",
            xlabel="Share",
        ),
        "funnel": lambda: plots.funnel_plot(
            rates,
            label_col="name",
            numerator_col="num",
            denominator_col="den",
            pooled_rate=0.4,
            title="Funnel",
            xlabel="Detainers (count)",
            ylabel="Custody share",
            flag_col="small",
        ),
        "scatter": lambda: plots.scatter_labeled(
            rates,
            x="pop",
            y="rate",
            label_col="name",
            title="Scatter",
            xlabel="Population (people)",
            ylabel="Share",
            size_col="den",
            flag_col="small",
        ),
        "bar": lambda: plots.bar_chart(
            rates,
            label_col="name",
            value_col="rate",
            title="Bars",
            xlabel="Share",
            low_col="low",
            high_col="high",
            flag_col="small",
            value_fmt="{:.2f}",
        ),
        "map": lambda: plots.choropleth(
            two_squares(),
            {"99001": 3.5},
            title="Map",
            legend_label="Rate (per 100k)",
            label_names={"99001": "West", "99003": "East"},
        ),
        "timeline": lambda: plots.timeline_figure(
            events, title="Timeline", series=monthly, series_label="Monthly mean", ylabel="People (count)"
        ),
    }


# --- titles, labels, return types -----------------------------------------------------------


def test_interval_plot_title_labels_sorting_and_flags(rates):
    fig = plots.interval_plot(
        rates,
        label_col="name",
        estimate_col="rate",
        low_col="low",
        high_col="high",
        title="Custody share",
        xlabel="Share of detainers (%)",
        flag_col="small",
        reference=(0.35, "state (pooled)"),
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "Custody share" and ax.get_xlabel() == "Share of detainers (%)"
    # Largest estimate on top; `$` shown literally (escaped for matplotlib).
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Beta", "Gamma", "Alpha", r"Delta \$1"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert plots.SMALL_COUNTY_LABEL in legend and "state (pooled)" in legend
    assert plt.get_fignums() == []  # never registered with pyplot


def test_interval_plot_unsorted_keeps_order_and_missing_column_is_clear(rates):
    fig = plots.interval_plot(
        rates, label_col="name", estimate_col="rate", low_col="low", high_col="high", title="T", xlabel="X", sort=False
    )
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:3] == ["Alpha", "Beta", "Gamma"]
    with pytest.raises(ValueError, match="not in the table"):
        plots.interval_plot(
            rates, label_col="name", estimate_col="nope", low_col="low", high_col="high", title="T", xlabel="X"
        )


def test_every_function_returns_a_titled_figure(rates, events, monthly):
    for name, build in _all_builders(rates, events, monthly).items():
        fig = build()
        assert isinstance(fig, Figure), name
        assert _title(fig), name
    assert plt.get_fignums() == []


def test_axis_labels_are_set(rates, events, monthly):
    b = _all_builders(rates, events, monthly)
    funnel = b["funnel"]().axes[0]
    assert (funnel.get_xlabel(), funnel.get_ylabel()) == ("Detainers (count)", "Custody share")
    scatter = b["scatter"]().axes[0]
    assert (scatter.get_xlabel(), scatter.get_ylabel()) == ("Population (people)", "Share")
    assert b["raw_vs_shrunk"]().axes[0].get_xlabel() == "Share"
    assert b["bar"]().axes[0].get_xlabel() == "Share"
    timeline = b["timeline"]()
    assert timeline.axes[1].get_ylabel() == "People (count)" and timeline.axes[1].get_xlabel() == "Date"
    assert b["map"]().axes[1].get_ylabel() == "Rate (per 100k)"  # colorbar label


def test_raw_vs_shrunk_has_both_series_in_legend(rates):
    fig = plots.raw_vs_shrunk_plot(
        rates,
        label_col="name",
        raw_col="rate",
        raw_low="low",
        raw_high="high",
        shrunk_col="shrunk",
        shrunk_low="shrunk_low",
        shrunk_high="shrunk_high",
        title="T",
        xlabel="X",
        raw_label="raw",
        shrunk_label="shrunk",
    )
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["raw", "shrunk"]


def test_scatter_labels_every_point(rates):
    fig = plots.scatter_labeled(rates, x="pop", y="rate", label_col="name", title="T", xlabel="X", ylabel="Y")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == sorted(["Alpha", "Beta", "Gamma", r"Delta \$1"])


def test_timeline_events_numbered_in_date_order(events):
    table = plots.timeline_events(events, start="2015-01-01", end="2021-12-31")
    assert table["number"].tolist() == [1, 2, 3]
    assert table["label"].tolist() == ["Event B <b>", "Event C", "Event D"]
    fig = plots.timeline_figure(events, title="T", label_mode="number", start="2015-01-01", end="2021-12-31")
    assert sorted(t.get_text() for t in fig.axes[0].texts)[:3] == ["1", "2", "3"]
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert legend == {"court", "state", "federal"}
    with pytest.raises(ValueError, match="before start"):
        plots.timeline_figure(events, title="T", start="2020-01-01", end="2019-01-01")


def test_empty_table_gives_a_no_data_figure(rates):
    fig = plots.bar_chart(rates.iloc[0:0], label_col="name", value_col="rate", title="T", xlabel="X")
    assert _title(fig) == "T"
    assert [t.get_text() for t in fig.axes[0].texts] == ["No data to show"]


# --- funnel limits --------------------------------------------------------------------------


def test_funnel_limits_are_sane():
    n = np.arange(1, 501)
    for p in (0.05, 0.3, 0.5):
        low95, high95 = plots.funnel_limits(p, n, 0.95)
        low998, high998 = plots.funnel_limits(p, n, 0.998)
        for low, high in ((low95, high95), (low998, high998)):
            assert np.all((0 <= low) & (low <= p) & (p <= high) & (high <= 1))
        assert np.all(low998 <= low95) and np.all(high95 <= high998)  # 99.8% is wider
        width = high95 - low95
        # Wider for small n (the limits are step-like, so compare well-separated n).
        assert width[9] > width[99] > width[499 - 1] > 0
        assert width[0] >= width[9]


def test_funnel_limits_reject_bad_input():
    with pytest.raises(ValueError):
        plots.funnel_limits(1.5, [10], 0.95)
    with pytest.raises(ValueError):
        plots.funnel_limits(0.3, [10], 95)
    with pytest.raises(ValueError):
        plots.funnel_limits(0.3, [0, 2.5], 0.95)


def test_funnel_plot_rejects_impossible_counts(rates):
    bad = rates.assign(num=rates["den"] + 1)
    with pytest.raises(ValueError, match="numerator"):
        plots.funnel_plot(
            bad,
            label_col="name",
            numerator_col="num",
            denominator_col="den",
            pooled_rate=0.4,
            title="T",
            xlabel="X",
            ylabel="Y",
        )


# --- choropleth ------------------------------------------------------------------------------


def test_choropleth_hatches_missing_counties_and_names_them():
    fig = plots.choropleth(
        two_squares(),
        {"99001": 3.5},
        title="Map",
        legend_label="Rate",
        label_names={"99001": "West", "99003": "East"},
        missing_label="no data",
    )
    ax = fig.axes[0]
    assert ax.get_title() == "Map" and not ax.axison
    patches = {p.get_gid(): p for p in ax.patches if isinstance(p, PathPatch)}
    assert set(patches) == {"county-99001", "county-99003"}
    assert patches["county-99003"].get_hatch() == plots.MISSING_HATCH
    assert not patches["county-99001"].get_hatch()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["no data: East"]
    labels = [t.get_text() for t in ax.texts]
    assert "West\n4" in labels and "East" in labels
    # The MultiPolygon's path holds both squares (two closed rings).
    assert (patches["county-99003"].get_path().codes == 79).sum() == 2


def test_choropleth_rejects_unknown_geoids():
    with pytest.raises(ValueError, match="not in the map"):
        plots.choropleth(two_squares(), {"25001": 1.0}, title="T", legend_label="L")


# --- determinism and HTML -------------------------------------------------------------------


def test_svg_is_byte_identical_across_builds_and_renders(rates, events, monthly):
    for name, build in _all_builders(rates, events, monthly).items():
        fig = build()
        first = plots.figure_svg_bytes(fig)
        assert plots.figure_svg_bytes(fig) == first, f"{name}: second render of the same figure differs"
        assert plots.figure_svg_bytes(build()) == first, f"{name}: a rebuilt figure renders differently"
        text = first.decode("utf-8")
        assert "<dc:date>" not in text, name
        assert plots.FONT_STACK.decode() in text or "<text" not in text, f"{name}: text in the project font"


def test_svg_does_not_depend_on_global_rcparams(rates):
    build = lambda: plots.bar_chart(rates, label_col="name", value_col="rate", title="T", xlabel="X")  # noqa: E731
    reference = plots.figure_svg_bytes(build())
    with matplotlib.rc_context({"svg.hashsalt": None, "svg.fonttype": "path", "font.size": 20, "font.family": "serif"}):
        assert plots.figure_svg_bytes(build()) == reference


def test_use_project_style_is_idempotent():
    with matplotlib.rc_context():
        plots.use_project_style()
        first = dict(matplotlib.rcParams)
        plots.use_project_style()
        assert dict(matplotlib.rcParams) == first
        assert matplotlib.rcParams["svg.hashsalt"] == "ma-ice-coop"
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] in plots.PALETTE.values()


def test_figure_html_escapes_embeds_and_closes(rates):
    fig = plt.figure()  # a pyplot-managed figure is closed too
    fig.add_subplot().plot([0, 1], [0, 1])
    out = plots.figure_html(
        fig, alt='<script>alert("a")</script>', caption="<script>x</script> & more", source="<script>evil</script>"
    )
    markup = out.data
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&quot;a&quot;)&lt;/script&gt;" in markup
    assert "&amp; more" in markup and "Source: &lt;script&gt;evil&lt;/script&gt;" in markup
    assert markup.startswith('<figure class="ma-figure"><img alt="')
    assert 'alt="' in markup and '<span class="source">' in markup
    payload = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', markup).group(1)
    assert base64.b64decode(payload).lstrip().startswith(b"<?xml")
    assert plt.get_fignums() == []


def test_figure_html_is_deterministic_and_requires_alt_and_source(rates):
    build = lambda: plots.interval_plot(  # noqa: E731
        rates, label_col="name", estimate_col="rate", low_col="low", high_col="high", title="T", xlabel="X"
    )
    a = plots.figure_html(build(), alt="Alt", caption="Cap", source="Src").data
    b = plots.figure_html(build(), alt="Alt", caption="Cap", source="Src").data
    assert a == b
    with pytest.raises(ValueError, match="alt"):
        plots.figure_html(build(), alt=" ", caption="Cap", source="Src")
    with pytest.raises(ValueError, match="source"):
        plots.figure_html(build(), alt="Alt", caption="Cap", source="")
    assert plt.get_fignums() == []


def test_real_county_map_renders_byte_identically():
    path = config.processed_dir() / "county_boundaries.geojson"
    if not path.exists():
        pytest.skip(f"{path} not built (run `make data`)")
    geojson = json.loads(path.read_text(encoding="utf-8"))
    geoids = [f["properties"]["GEOID"] for f in geojson["features"]]
    names = {f["properties"]["GEOID"]: f["properties"].get("NAME", "") for f in geojson["features"]}
    # Synthetic values (the GEOID's last digits), with two counties left out to exercise hatching.
    values = {g: float(int(g[-3:])) for g in geoids[2:]}

    def build():
        return plots.choropleth(geojson, values, title="Map", legend_label="Value", label_names=names)

    first = plots.figure_svg_bytes(build())
    assert plots.figure_svg_bytes(build()) == first
    assert plt.get_fignums() == []
