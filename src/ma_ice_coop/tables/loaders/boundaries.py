"""Massachusetts county polygons (GeoJSON) from the Census 1:500k cartographic boundary file, 2016.

Source: the PyPI package `plotly-geo` ships the U.S. Census Bureau file cb_2016_us_county_500k
({shp,dbf,shx}, lon/lat degrees, NAD83) in `_plotly_geo/package_data/`; no download at run time.
We keep the records with STATEFP == '25', leave the geometry unchanged, and write a FeatureCollection
sorted by GEOID with properties GEOID (5-char county FIPS), NAME, ALAND and AWATER (square metres).
MA county boundaries have not changed 2010-2024.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ma_ice_coop.errors import ProjectError, SchemaError
from ma_ice_coop.io import atomic_write_text, read_processed_geojson
from ma_ice_coop.tables.schemas import COUNTY_FIPS, col, table_schema

PACKAGE = "_plotly_geo"
SHAPEFILE_NAME = "cb_2016_us_county_500k.shp"
MA_STATEFP = "25"
FIELDS = ["STATEFP", "COUNTYFP", "COUNTYNS", "AFFGEOID", "GEOID", "NAME", "LSAD", "ALAND", "AWATER"]
PROPERTIES = ["GEOID", "NAME", "ALAND", "AWATER"]
SOURCE = "U.S. Census Bureau cartographic boundary file cb_2016_us_county_500k (via PyPI plotly-geo)"

COUNTY_BOUNDARIES_SCHEMA = table_schema(
    "county_boundaries",
    "The 14 Massachusetts counties with land and water area from the Census 2016 1:500k cartographic "
    "boundary file (the attribute table of the county GeoJSON; polygons via county_boundaries_geojson()).",
    {
        "county_fips": col(
            "str", "5-char county FIPS (GEOID)", source=SOURCE, unique=True, checks=[pa.Check.isin(COUNTY_FIPS)]
        ),
        "county_name": col("str", "county name (NAME)", source=SOURCE),
        "aland": col("int64", "land area (ALAND)", unit="square metres", source=SOURCE, checks=[pa.Check.gt(0)]),
        "awater": col("int64", "water area (AWATER)", unit="square metres", source=SOURCE, checks=[pa.Check.ge(0)]),
    },
    unique=["county_fips"],
)


def county_shapefile_path() -> Path:
    """Path of the national 2016 county .shp shipped in plotly-geo (with its .dbf and .shx beside it)."""
    try:
        base = resources.files(PACKAGE) / "package_data"
    except ModuleNotFoundError as exc:
        raise ProjectError(
            f"package {PACKAGE} (PyPI plotly-geo) is not installed: install the pinned environment (requirements.lock)"
        ) from exc
    path = Path(str(base / SHAPEFILE_NAME))
    missing = [p.name for p in (path, path.with_suffix(".dbf"), path.with_suffix(".shx")) if not p.exists()]
    if missing:
        raise ProjectError(f"{path.parent}: {missing} not found in plotly-geo: reinstall plotly-geo 1.0.0")
    return path


def _as_lists(value):
    """pyshp geometry (dicts holding tuples) as plain JSON values: dicts and lists, recursively."""
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return value


def read_state_counties(shp_path: Path, statefp: str = MA_STATEFP) -> list[dict]:
    """GeoJSON features of one state's counties, geometry unchanged, sorted by GEOID."""
    import shapefile  # pyshp

    with shapefile.Reader(str(shp_path)) as reader:
        found = [f.name for f in reader.fields[1:]]
        missing = [name for name in FIELDS if name not in found]
        if missing:
            raise SchemaError(
                f"{shp_path}: fields {missing} missing; expected {FIELDS}, found {found}: use the "
                "Census cb_2016_us_county_500k shapefile"
            )
        features = []
        for shape_record in reader.iterShapeRecords():
            record = shape_record.record.as_dict()
            if record["STATEFP"] != statefp:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {name: record[name] for name in PROPERTIES},
                    "geometry": _as_lists(shape_record.shape.__geo_interface__),
                }
            )
    return sorted(features, key=lambda f: f["properties"]["GEOID"])


def check_ma_counties(features: list[dict], where: str) -> None:
    """Exactly the 14 Massachusetts counties, once each."""
    geoids = [f["properties"]["GEOID"] for f in features]
    if geoids != COUNTY_FIPS:
        raise SchemaError(
            f"{where}: county GEOIDs are {geoids}, expected the 14 Massachusetts counties "
            f"{COUNTY_FIPS}: check the shapefile"
        )


def county_boundaries_geojson(shp_path: Path | None = None) -> dict:
    """The 14 MA county polygons as a GeoJSON FeatureCollection (lon/lat degrees, NAD83), sorted by GEOID."""
    shp_path = shp_path or county_shapefile_path()
    features = read_state_counties(shp_path)
    check_ma_counties(features, str(shp_path))
    return {"type": "FeatureCollection", "features": features}


def geojson_text(collection: dict) -> str:
    """Deterministic JSON: sorted keys, compact fixed separators, newline at the end."""
    return json.dumps(collection, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_county_boundaries(path: Path, shp_path: Path | None = None) -> Path:
    """Write the MA county GeoJSON to `path` atomically; returns the path."""
    path = Path(path)
    atomic_write_text(path, geojson_text(county_boundaries_geojson(shp_path)))
    return path


def load_county_boundaries(shp_path: Path | None = None) -> pd.DataFrame:
    """Attribute table of the 14 MA counties: county_fips, county_name, aland, awater (square metres)."""
    features = county_boundaries_geojson(shp_path)["features"]
    props = [f["properties"] for f in features]
    out = pd.DataFrame(
        {
            "county_fips": pd.Series([p["GEOID"] for p in props], dtype="str"),
            "county_name": pd.Series([p["NAME"] for p in props], dtype="str"),
            "aland": pd.Series([p["ALAND"] for p in props], dtype="int64"),
            "awater": pd.Series([p["AWATER"] for p in props], dtype="int64"),
        }
    )
    return COUNTY_BOUNDARIES_SCHEMA.validate(out)


def _simplify_ring(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer-Douglas-Peucker on one closed ring (degrees); keeps the first/last point and >= 4 points."""
    if len(points) <= 4:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        a, b = points[start], points[end]
        seg = b - a
        inner = points[start + 1 : end]
        length = np.hypot(*seg)
        if length == 0:
            dist = np.hypot(*(inner - a).T)
        else:
            dist = np.abs(seg[0] * (inner[:, 1] - a[1]) - seg[1] * (inner[:, 0] - a[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            keep[start + 1 + i] = True
            stack += [(start, start + 1 + i), (start + 1 + i, end)]
    out = points[keep]
    return out if len(out) >= 4 else points


def simplified_boundaries_geojson(tolerance: float = 0.002) -> dict:
    """County polygons simplified for small maps (about 200 m at this latitude): lighter figures, same
    shapes at report size. Tiny islands whose simplified ring collapses keep their full outline. Read from the
    processed county_boundaries.geojson."""
    collection = read_processed_geojson("county_boundaries")
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        simplified = [
            [_simplify_ring(np.asarray(ring, dtype=float), tolerance).tolist() for ring in polygon]
            for polygon in polygons
        ]
        new_geometry = (
            {"type": "Polygon", "coordinates": simplified[0]}
            if geometry["type"] == "Polygon"
            else {"type": "MultiPolygon", "coordinates": simplified}
        )
        features.append({**feature, "geometry": new_geometry})
    return {"type": "FeatureCollection", "features": features}
