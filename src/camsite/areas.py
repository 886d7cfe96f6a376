"""Study area, reporting sub-areas and other polygons of a scenario, in the working CRS.

>>> poly = polygon_from_lonlat([(18.03, 59.33), (18.04, 59.33), (18.04, 59.34)], crs="EPSG:3011")
>>> 31 < poly.area / 1e4 < 32  # about 31.7 hectares
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from camsite import readers
from camsite.config import Area, Scenario, SubArea
from camsite.errors import InputError
from camsite.network import name_key

logger = logging.getLogger(__name__)

__all__ = ["district_polygons", "point_from_latlon", "polygon_from_lonlat", "read_polygons", "study_area_polygon",
           "subareas_frame", "water_polygon"]

WGS84 = "EPSG:4326"


def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def polygon_from_lonlat(corners: Sequence[tuple[float, float]], *, crs: str) -> BaseGeometry:
    """A polygon from WGS84 ``(lon, lat)`` corners, projected to ``crs``.

    The ring is made valid, so a self-crossing ring comes back as a MultiPolygon.
    """
    xs, ys = _transformer(crs).transform([c[0] for c in corners], [c[1] for c in corners])
    return shapely.make_valid(Polygon(list(zip(xs, ys))))


def point_from_latlon(latlon: tuple[float, float], *, crs: str) -> Point:
    """A point from a WGS84 ``(lat, lon)`` pair, projected to ``crs``."""
    x, y = _transformer(crs).transform(latlon[1], latlon[0])
    return Point(x, y)


def read_polygons(path: Path, *, crs: str) -> BaseGeometry:
    """Union of the polygons in a GeoJSON or GeoPackage file, projected to ``crs``."""
    merged: BaseGeometry = _read_polygon_frame(path).to_crs(crs).geometry.union_all()
    return shapely.make_valid(merged)


def _read_polygon_frame(path: Path) -> gpd.GeoDataFrame:
    """The polygon features of a GeoJSON or GeoPackage file (WGS84 when it states no CRS)."""
    if not path.exists():
        raise InputError("file does not exist", file=path)
    if path.is_dir():
        raise InputError("is a directory, not a polygon file", file=path)
    readers.refuse_remote_crs(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"cannot read polygons: {exc}", file=path) from None
    gdf = gdf[gdf.geometry.notna()]
    if gdf.empty:
        raise InputError("contains no geometry", file=path)
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    bad = ~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 1
        raise InputError(f"feature is a {gdf.geometry.geom_type.iloc[row - 1]}, expected a polygon", file=path,
                         where=f"feature {row}")
    return gdf


def district_polygons(scenario: Scenario) -> gpd.GeoDataFrame:
    """The ``[boundaries] districts`` polygons: columns ``name`` and geometry (an empty frame when none).

    Raises
    ------
    InputError
        An unreadable file, a missing name column, or a feature that is not a polygon.
    """
    b = scenario.boundaries
    if b is None or b.districts is None:
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=scenario.crs), crs=scenario.crs)
    path = scenario.resolve(b.districts)
    gdf = _read_polygon_frame(path)
    if b.name_column not in gdf.columns:
        raise InputError(f"no column {b.name_column!r} (set [boundaries] name_column; columns: "
                         f"{', '.join(map(str, gdf.columns.drop('geometry')))})", file=path, where="header")
    out = gpd.GeoDataFrame({"name": gdf[b.name_column].astype(str).str.strip().to_numpy()},
                           geometry=gdf.to_crs(scenario.crs).geometry.make_valid().to_numpy(), crs=scenario.crs)
    return out.dissolve(by="name", as_index=False, sort=True)


def water_polygon(scenario: Scenario) -> BaseGeometry | None:
    """The ``[boundaries] water`` mask in the working CRS, or None."""
    b = scenario.boundaries
    if b is None or b.water is None:
        return None
    return read_polygons(scenario.resolve(b.water), crs=scenario.crs)


def _districts(names: tuple[str, ...], scenario: Scenario, key: str) -> BaseGeometry:
    frame = district_polygons(scenario)
    known = {n.casefold(): n for n in frame["name"]}
    missing = [n for n in names if name_key(n) not in known]
    if missing:
        close = ", ".join(sorted(frame["name"])[:12])
        raise InputError(f"unknown district {missing[0]!r} (the file has: {close}, ...)",
                         file=scenario.source_file, where=key)
    wanted = {known[name_key(n)] for n in names}
    merged: BaseGeometry = frame[frame["name"].isin(wanted)].geometry.union_all()
    return shapely.make_valid(merged)


def _area_geometry(area: Area | SubArea, scenario: Scenario, key: str = "study_area") -> BaseGeometry:
    if area.districts is not None:
        geom = _districts(area.districts, scenario, f"{key}.districts")
        if area.polygon is not None:
            geom = shapely.intersection(geom, polygon_from_lonlat(area.polygon, crs=scenario.crs))
        return geom
    if area.polygon is not None:
        return polygon_from_lonlat(area.polygon, crs=scenario.crs)
    if isinstance(area, Area) and area.center is not None:
        assert area.radius_m is not None  # Area.validate requires radius_m with center
        return point_from_latlon(area.center, crs=scenario.crs).buffer(area.radius_m, quad_segs=32)
    assert area.path is not None  # validate() requires exactly one of polygon, center or path
    return read_polygons(scenario.resolve(area.path), crs=scenario.crs)


def study_area_polygon(scenario: Scenario) -> BaseGeometry:
    """The scenario's study area in its working CRS, without water (``[boundaries] water``)."""
    area = _area_geometry(scenario.study_area, scenario)
    water = water_polygon(scenario)
    return area if water is None else shapely.make_valid(shapely.difference(area, water))


def subareas_frame(scenario: Scenario) -> gpd.GeoDataFrame:
    """The reporting sub-areas: columns ``name``, ``label``, ``source``, geometry."""
    rows = [
        {"name": s.name, "label": s.label or s.name, "source": s.source,
         "geometry": _area_geometry(s, scenario, f"subareas[{i}]")}
        for i, s in enumerate(scenario.subareas)
    ]
    return gpd.GeoDataFrame(rows, columns=["name", "label", "source", "geometry"], geometry="geometry",
                            crs=scenario.crs)
