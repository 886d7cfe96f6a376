"""Inputs and outputs of ``camsite import-events``: the network's named streets, GeoJSON out."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx as ox
import pandas as pd

from camsite.errors import InputError
from camsite.network import load_graph
from camsite.tables import write_text_atomic

logger = logging.getLogger(__name__)

__all__ = ["street_edges", "write_geojson"]


def street_edges(path: str | Path, *, crs: str = "EPSG:3011") -> gpd.GeoDataFrame:
    """The named street segments of a network file, one per undirected segment, in ``crs``.

    Unlike ``Network.edges``, ``name`` keeps every name OSM gives (a list where
    there are several), so a segment that is both a street and a bridge matches both.

    Raises
    ------
    InputError
        If the file cannot be read (see :func:`camsite.network.load_graph`) or has no CRS.
    """
    graph = load_graph(path)
    if not graph.graph.get("crs"):
        raise InputError("street network has no CRS", file=path)
    graph = ox.convert.to_undirected(ox.project_graph(graph, to_crs=crs))
    edges = ox.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True).reset_index()
    if "name" not in edges.columns:
        raise InputError("street network has no street names (edge attribute 'name')", file=path)
    edges = edges[["u", "v", "name", "geometry"]]
    return edges[edges["name"].map(lambda n: isinstance(n, (str, list)))].reset_index(drop=True)


def _json_value(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write located incidents as RFC 7946 GeoJSON (WGS84 lon/lat), atomically.

    Rows without geometry are left out. The file is written next to ``path``
    under a temporary name and renamed into place when complete.

    >>> from shapely.geometry import Point
    >>> import tempfile, pathlib
    >>> g = gpd.GeoDataFrame({"incident_id": ["1"], "date": [pd.Timestamp("2024-05-01 12:00")]},
    ...                      geometry=[Point(153500, 6580800)], crs="EPSG:3011")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fc = json.loads(write_geojson(g, pathlib.Path(d) / "x.geojson").read_text())
    >>> fc["features"][0]["properties"], [round(c, 3) for c in fc["features"][0]["geometry"]["coordinates"]]
    ({'incident_id': '1', 'date': '2024-05-01T12:00:00'}, [18.062, 59.342])
    """
    path = Path(path)
    located = gdf[gdf.geometry.notna()].to_crs("EPSG:4326")
    props = [c for c in located.columns if c != located.geometry.name]
    features = [
        {"type": "Feature",
         "properties": {c: _json_value(v) for c, v in zip(props, row)},
         "geometry": {"type": "Point", "coordinates": [round(geom.x, 7), round(geom.y, 7)]}}
        for row, geom in zip(located[props].itertuples(index=False, name=None), located.geometry)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=None)
    if not path.parent.exists():
        raise InputError("output folder does not exist", file=path.parent)
    write_text_atomic(path, text.replace('}, {"type": "Feature"', '},\n{"type": "Feature"') + "\n")
    logger.info("wrote %d incidents to %s", len(features), path)
    return path
