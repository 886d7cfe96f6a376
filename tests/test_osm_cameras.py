"""Existing cameras from OSM man_made=surveillance features: tag mapping, writing, reading back."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from camsite import config, layers
from camsite.errors import InputError
from camsite.osm_cameras import (
    CAMERA_COLUMNS,
    cameras_from_osm,
    parse_direction,
    parse_type_map,
    read_osm_cameras,
    write_cameras,
)


def _features(**columns: list) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame({"osm_id": [f"node/{i + 1}" for i in range(n)], **columns},
                            geometry=[Point(18.03 + i * 1e-4, 59.333) for i in range(n)], crs="EPSG:4326")


@pytest.mark.parametrize("value, expected", [
    ("90", 90.0), ("0", 0.0), ("360", 0.0), ("-90", 270.0), ("450", 90.0), ("12.5", 12.5), ("90°", 90.0),
    ("N", 0.0), ("ne", 45.0), ("ENE", 67.5), ("SSW", 202.5), ("NW", 315.0),
    ("90-180", 135.0), ("180-90", 315.0), ("350-10", 0.0), ("NW-NE", 0.0), ("E-S", 135.0), ("-90-0", 315.0),
    (90, 90.0), (45.0, 45.0),
])
def test_parse_direction(value: object, expected: float) -> None:
    assert parse_direction(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, float("nan"), "", "forward", "90;180", "NNNE", "90-", "a-b", "inf"])
def test_parse_direction_unusable(value: object) -> None:
    assert parse_direction(value) is None


def test_tag_mapping() -> None:
    f = _features(**{
        "camera:type": ["dome", "fixed", "panning", None, "Dome", "thermal"],
        "camera:direction": ["90", "SW", "0-90", None, "bogus", ""],
        "operator": ["Polisen", "Polisen", None, "SL", None, None],
        "surveillance:type": ["camera", "camera", "ALPR", None, "camera", "camera"],
    })
    cams = cameras_from_osm(f)
    assert list(cams.columns) == list(CAMERA_COLUMNS)
    assert cams["camera_id"].tolist()[:2] == ["osm:node/1", "osm:node/2"]
    assert cams["camera_type"].tolist() == ["ptz_dome", "fixed_1080p", "ptz_dome", "ptz_dome", "ptz_dome",
                                            "ptz_dome"]
    np.testing.assert_array_equal(cams["heading_deg"].to_numpy(), [90.0, 225.0, 45.0, np.nan, np.nan, np.nan])
    assert cams["operator"].tolist() == ["Polisen", "Polisen", "", "SL", "", ""]
    assert cams["surveillance_type"].tolist()[:4] == ["camera", "camera", "ALPR", ""]
    assert set(cams["source"]) == {"OpenStreetMap"}
    assert cams.crs.to_epsg() == 4326


def test_invalid_direction_and_unknown_type_warn(caplog: pytest.LogCaptureFixture) -> None:
    f = _features(**{"camera:type": ["thermal", "fixed"], "camera:direction": ["bogus", "90"]})
    with caplog.at_level(logging.WARNING, logger="camsite.osm_cameras"):
        cams = cameras_from_osm(f)
    assert math.isnan(cams["heading_deg"].iloc[0]) and cams["heading_deg"].iloc[1] == 90.0
    text = caplog.text
    assert "osm:node/1 ('bogus')" in text and "heading left empty" in text
    assert "camera:type thermal not in the type mapping" in text


def test_missing_tag_columns_and_direction_fallback() -> None:
    cams = cameras_from_osm(_features(direction=["E", None]))
    assert cams["camera_type"].tolist() == ["ptz_dome", "ptz_dome"]
    assert cams["heading_deg"].iloc[0] == 90.0 and math.isnan(cams["heading_deg"].iloc[1])
    assert cams["operator"].tolist() == ["", ""]


def test_custom_type_map_and_default() -> None:
    f = _features(**{"camera:type": ["dome", "fixed", None]})
    cams = cameras_from_osm(f, type_map={"DOME": "dome360", "fixed": "fast"}, default_type="okand")
    assert cams["camera_type"].tolist() == ["dome360", "fast", "okand"]
    assert parse_type_map(["dome=dome360"]) == {"dome": "dome360"}
    with pytest.raises(InputError, match="expected OSM_TYPE=CAMERA_TYPE"):
        parse_type_map(["dome"])


def test_osmnx_frame_guards_and_ways() -> None:
    index = pd.MultiIndex.from_tuples([("node", 11), ("way", 12), ("node", 13)], names=["element", "id"])
    square = Polygon([(18.03, 59.33), (18.031, 59.33), (18.031, 59.331), (18.03, 59.331)])
    f = gpd.GeoDataFrame({"man_made": ["surveillance"] * 3, "surveillance:type": ["camera", "camera", "guard"]},
                         geometry=[Point(18.03, 59.33), square, Point(18.0, 59.0)], crs="EPSG:4326", index=index)
    cams = cameras_from_osm(f)
    assert cams["camera_id"].tolist() == ["osm:node/11", "osm:way/12"]  # a guard is not a camera
    assert set(cams.geom_type) == {"Point"} and cams.geometry.iloc[1].within(square)


def test_empty() -> None:
    empty = gpd.GeoDataFrame({"osm_id": pd.Series(dtype=str)}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    cams = cameras_from_osm(empty)
    assert len(cams) == 0 and list(cams.columns) == list(CAMERA_COLUMNS)


def test_write_csv_and_geojson(tmp_path: Path) -> None:
    cams = cameras_from_osm(_features(**{"camera:type": ["dome", "fixed"], "camera:direction": ["90", None]}))
    csv = write_cameras(cams, tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0] == "camera_id,lat,lon,camera_type,heading_deg,operator,surveillance_type,osm_camera_type,source"
    assert csv[1] == "osm:node/1,59.333,18.03,ptz_dome,90.0,,,dome,OpenStreetMap"
    assert csv[2].split(",")[4] == ""
    gj = gpd.read_file(write_cameras(cams.to_crs("EPSG:3011"), tmp_path / "c.geojson"))
    assert gj.crs.to_epsg() == 4326 and gj.geometry.iloc[0].distance(Point(18.03, 59.333)) < 1e-7
    with pytest.raises(InputError, match="unknown camera file format"):
        write_cameras(cams, tmp_path / "c.txt")


def test_read_osm_cameras_from_fetch_output(tmp_path: Path) -> None:
    raw = _features(**{"man_made": ["surveillance"], "camera:type": ["fixed"], "camera:direction": ["W"]})
    raw.to_file(tmp_path / "net.gpkg", layer="cameras", driver="GPKG")
    cams = read_osm_cameras(tmp_path / "net.gpkg")
    assert cams[["camera_id", "camera_type", "heading_deg"]].to_dict("records") == [
        {"camera_id": "osm:node/1", "camera_type": "fixed_1080p", "heading_deg": 270.0}]
    with pytest.raises(InputError, match="cannot read layer 'nope'"):
        read_osm_cameras(tmp_path / "net.gpkg", layer="nope")
    with pytest.raises(InputError, match="does not exist"):
        read_osm_cameras(tmp_path / "missing.gpkg")


@pytest.mark.parametrize("suffix", ["csv", "geojson"])
def test_scenario_reads_written_cameras(tmp_path: Path, default_scenario, suffix: str) -> None:
    """The written file is a valid [existing_cameras] layer for the default scenario."""
    cams = cameras_from_osm(_features(**{"camera:type": ["dome", "fixed", None],
                                         "camera:direction": ["90", "NE", None]}))
    path = write_cameras(cams, tmp_path / f"osm_cameras.{suffix}")
    layer = config.CameraLayer(path=str(path), source="OpenStreetMap")
    read = layers.read_cameras(layer, default_scenario)
    assert read["camera_id"].tolist() == ["osm:node/1", "osm:node/2", "osm:node/3"]
    assert read["camera_type"].tolist() == ["ptz_dome", "fixed_1080p", "ptz_dome"]
    np.testing.assert_array_equal(read["heading_deg"].to_numpy(), [90.0, 45.0, np.nan])
    assert str(read.crs).upper().endswith("3011")
