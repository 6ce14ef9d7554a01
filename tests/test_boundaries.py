"""MA county polygons from plotly-geo's Census 2016 shapefile, checked against the mirror's GeoJSON."""

from __future__ import annotations

import json

import pytest
import shapefile

from ma_ice_coop.errors import SchemaError
from ma_ice_coop.sources.registry import input_path
from ma_ice_coop.tables.loaders import boundaries
from ma_ice_coop.tables.schemas import COUNTY_FIPS


@pytest.fixture(scope="module")
def collection() -> dict:
    return boundaries.county_boundaries_geojson()


@pytest.fixture(scope="module")
def mirror_features() -> dict:
    doc = json.loads(input_path("census_counties_2016_ma").read_text(encoding="utf-8"))
    return {f["properties"]["GEOID"]: f for f in doc["features"]}


def test_fourteen_counties_sorted_by_geoid(collection):
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["GEOID"] for f in collection["features"]] == COUNTY_FIPS
    assert all(set(f["properties"]) == set(boundaries.PROPERTIES) for f in collection["features"])


def test_geometry_and_properties_match_mirror_extract(collection, mirror_features):
    assert sorted(mirror_features) == COUNTY_FIPS
    for feature in collection["features"]:
        reference = mirror_features[feature["properties"]["GEOID"]]
        assert feature["geometry"] == reference["geometry"]  # same type, same coordinates, exactly
        for name, value in feature["properties"].items():
            assert reference["properties"][name] == value, name


def test_written_file_is_deterministic_json(tmp_path, collection):
    first = boundaries.write_county_boundaries(tmp_path / "a.geojson")
    second = boundaries.write_county_boundaries(tmp_path / "b.geojson")
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8")) == collection
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_attribute_table_validates():
    table = boundaries.load_county_boundaries()
    boundaries.COUNTY_BOUNDARIES_SCHEMA.validate(table)
    assert table["county_fips"].tolist() == COUNTY_FIPS
    assert table.loc[table["county_fips"] == "25025", "county_name"].item() == "Suffolk"
    assert table.equals(boundaries.load_county_boundaries())


def _write_tiny_shapefile(path, fields, records):
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as writer:
        for name, kind, size in fields:
            writer.field(name, kind, size=size)
        for record in records:
            writer.poly([[[-71.0, 42.0], [-71.0, 42.1], [-70.9, 42.1], [-71.0, 42.0]]])
            writer.record(*record)


def test_renamed_field_raises_schema_error(tmp_path):
    fields = [
        ("STATEFP", "C", 2),
        ("COUNTYFP", "C", 3),
        ("COUNTYNS", "C", 8),
        ("AFFGEOID", "C", 14),
        ("GEO_ID", "C", 5),
        ("NAME", "C", 100),
        ("LSAD", "C", 2),
        ("ALAND", "N", 14),
        ("AWATER", "N", 14),
    ]
    shp = tmp_path / "renamed.shp"
    _write_tiny_shapefile(shp, fields, [("25", "025", "x", "x", "25025", "Suffolk", "06", 1, 1)])
    with pytest.raises(SchemaError) as info:
        boundaries.county_boundaries_geojson(shp)
    message = str(info.value)
    assert "GEOID" in message and "GEO_ID" in message and "renamed.shp" in message


def test_missing_counties_raise_schema_error(tmp_path):
    fields = [(name, "C" if name not in ("ALAND", "AWATER") else "N", 14) for name in boundaries.FIELDS]
    shp = tmp_path / "one_county.shp"
    _write_tiny_shapefile(shp, fields, [("25", "025", "x", "x", "25025", "Suffolk", "06", 1, 1)])
    with pytest.raises(SchemaError, match="14 Massachusetts counties"):
        boundaries.county_boundaries_geojson(shp)
