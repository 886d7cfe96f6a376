"""Tidy osmnx feature frames (buildings, cameras) into a few plain columns.

>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import Point
>>> raw = gpd.GeoDataFrame({"man_made": ["surveillance"], "camera:type": ["dome"], "nodes": [[1, 2]]},
...     geometry=[Point(18.03, 59.33)], crs="EPSG:4326",
...     index=pd.MultiIndex.from_tuples([("node", 42)], names=["element", "id"]))
>>> tidy = tidy_features(raw, CAMERA_TAGS, points=True)
>>> list(tidy.columns)
['osm_id', 'man_made', 'camera:type', 'geometry']
>>> tidy["osm_id"].tolist()
['node/42']
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

__all__ = [
    "BUILDING_TAGS",
    "CAMERA_TAGS",
    "empty_features",
    "features_from_geojson",
    "features_to_geojson",
    "tidy_features",
]

logger = logging.getLogger(__name__)

#: Building tags kept in the buildings layer.
BUILDING_TAGS = ("building", "name", "building:levels", "height", "addr:street", "addr:housenumber")

#: Surveillance tags kept in the cameras layer (see https://wiki.openstreetmap.org/wiki/Tag:man_made=surveillance).
CAMERA_TAGS = ("man_made", "surveillance", "surveillance:type", "surveillance:zone", "camera:type",
               "camera:mount", "camera:direction", "direction", "camera:angle", "height", "operator", "name")


def empty_features(tags: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """An empty feature frame with ``osm_id``, the ``tags`` and a geometry, in WGS84."""
    return gpd.GeoDataFrame({"osm_id": pd.Series(dtype=str), **{t: pd.Series(dtype=str) for t in tags}},
                            geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _osm_ids(gdf: gpd.GeoDataFrame) -> list[str]:
    if "osm_id" in gdf.columns:
        ids: list[str] = gdf["osm_id"].astype(str).tolist()
        return ids
    if gdf.index.nlevels == 2:
        return [f"{kind}/{ident}" for kind, ident in gdf.index]
    return [str(i) for i in gdf.index]


def _text(value: object) -> str | None:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value) if isinstance(value, dict) else ";".join(str(v) for v in value)
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def tidy_features(gdf: gpd.GeoDataFrame, tags: tuple[str, ...], *, points: bool = False,
                  polygons: bool = False) -> gpd.GeoDataFrame:
    """Keep ``osm_id`` (``"node/42"``), the ``tags`` present (as text) and the geometry, in WGS84.

    Parameters
    ----------
    gdf
        An osmnx features frame (index ``element``, ``id``) or an already tidy one.
    tags
        Tag columns to keep, where present.
    points
        Replace non-point geometries (a camera drawn as a way) by a point inside them.
    polygons
        Drop features that are not (multi)polygons (a building mapped as a node).
    """
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    data: dict[str, Sequence[str | None]] = {"osm_id": _osm_ids(gdf)}
    data.update({t: [_text(v) for v in gdf[t]] for t in tags if t in gdf.columns})
    geometry = gdf.geometry.reset_index(drop=True)
    out = gpd.GeoDataFrame(data, geometry=geometry.to_numpy(), crs="EPSG:4326")
    if polygons:
        keep = out.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        if not keep.all():
            logger.info("dropped %d features that are not polygons", int((~keep).sum()))
        out = out[keep].reset_index(drop=True)
    if points:
        not_point = (out.geom_type != "Point").to_numpy()
        out.loc[not_point, "geometry"] = out.geometry[not_point].representative_point()
    return out


def features_to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """A tidy frame as GeoJSON text (for the cache; empty frames too)."""
    text: str = gdf.to_json(drop_id=True, na="null")
    return text


def features_from_geojson(text: str, tags: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Read back what :func:`features_to_geojson` wrote.

    >>> features_from_geojson(features_to_geojson(empty_features(("building",))), ("building",)).shape
    (0, 3)
    """
    features = json.loads(text).get("features", [])
    if not features:
        return empty_features(tags)
    gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    cols = ["osm_id"] + [c for c in gdf.columns if c not in ("osm_id", "geometry")] + ["geometry"]
    return gdf[cols]
