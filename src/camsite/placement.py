"""Where imprecise evidence is placed: area-level incidents, station incidents and footfall.

An incident known only to a district is spread over the street demand
points of that district's polygon (or, for a place without a polygon such as
a park, of a disc around its point); one known only to a metro station is
shared among the station's entrances; a station's daily footfall is shared
among its entrances and spread over the square in front of each. Weight is
preserved exactly: each placed piece carries a share, and the shares of one
incident or station sum to 1.

Functions here return :class:`Placed` arrays; :mod:`camsite.demand` turns
them into demand points.

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> ent = gpd.GeoDataFrame({"name": ["A", "A", "B"]}, geometry=[Point(0, 0), Point(10, 0), Point(500, 0)])
>>> station_entrances(ent, Point(3, 0), search_m=300).tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["Placed", "disc_points", "spread_areas", "spread_footfall", "station_entrances", "to_entrances"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Placed:
    """Placed pieces: ``source`` (row of the input), weight, incident count, edge id (-1: none), point."""

    source: npt.NDArray[np.int64]
    weight: FloatArray
    incidents: FloatArray
    edge_id: npt.NDArray[np.int64]
    geometry: npt.NDArray[np.object_]

    @staticmethod
    def empty() -> Placed:
        """No pieces."""
        return Placed(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, object))


def _district_key(values: pd.Series) -> npt.NDArray[np.object_]:
    return values.fillna("").astype(str).str.strip().str.casefold().to_numpy(object)


def spread_areas(points: gpd.GeoSeries, district: pd.Series, weights: FloatArray, *, samples: gpd.GeoSeries,
                 sample_length: FloatArray, sample_edge: npt.NDArray[np.int64],
                 districts: Mapping[str, BaseGeometry], radius_m: float) -> tuple[Placed, npt.NDArray[np.bool_]]:
    """Spread area-level incidents over the street sample points of their district (or a disc).

    Parameters
    ----------
    points, district, weights
        The incidents' points, district names (``""`` when none) and weights.
    samples, sample_length, sample_edge
        Street sample points, the length each stands for, their edge ids.
    districts
        District polygons by case-folded name.
    radius_m
        Radius of the disc around an incident whose district has no polygon.

    Returns
    -------
    (Placed, mask)
        The pieces (shares proportional to the street length each sample
        point stands for) and which incidents were placed (a district or disc
        with no street sample point leaves its incidents unplaced).

    >>> from shapely.geometry import Point, box
    >>> s = gpd.GeoSeries([Point(1, 1), Point(2, 2), Point(50, 50)])
    >>> p, ok = spread_areas(gpd.GeoSeries([Point(0, 0), Point(50, 51)]), pd.Series(["x", ""]), np.array([3.0, 1.0]),
    ...                      samples=s, sample_length=np.array([10.0, 20.0, 5.0]), sample_edge=np.array([7, 8, 9]),
    ...                      districts={"x": box(0, 0, 10, 10)}, radius_m=5)
    >>> p.weight.tolist(), p.edge_id.tolist(), ok.tolist()
    ([1.0, 2.0, 1.0], [7, 8, 9], [True, True])
    """
    n = len(points)
    if n == 0 or len(samples) == 0:
        return Placed.empty(), np.zeros(n, bool)
    keys = _district_key(district)
    known = np.array([k in districts for k in keys], bool)
    shapes = np.array([districts[k] if ok else pt.buffer(radius_m)
                       for k, ok, pt in zip(keys, known, points.to_numpy())], dtype=object)
    tree = shapely.STRtree(samples.to_numpy())
    inc_ix, smp_ix = tree.query(shapes, predicate="contains")
    if len(inc_ix) == 0:
        return Placed.empty(), np.zeros(n, bool)
    length = sample_length[smp_ix]
    total = np.bincount(inc_ix, weights=length, minlength=n)
    share = length / total[inc_ix]
    placed = Placed(source=inc_ix.astype(np.int64), weight=weights[inc_ix] * share, incidents=share,
                    edge_id=sample_edge[smp_ix].astype(np.int64), geometry=samples.to_numpy()[smp_ix])
    return placed, total > 0


def station_entrances(entrances: gpd.GeoDataFrame, point: BaseGeometry, *, search_m: float) -> npt.NDArray[np.int64]:
    """Rows of ``entrances`` belonging to the station at ``point``: the nearest entrance's station's entrances
    within ``search_m`` (an entrance without a station name counts alone)."""
    if len(entrances) == 0:
        return np.zeros(0, np.int64)
    d = entrances.distance(point).to_numpy(float)
    near = int(np.argmin(d))
    if d[near] > search_m:
        return np.zeros(0, np.int64)
    names = entrances["name"].astype(str).to_numpy()
    if not names[near]:
        return np.array([near], np.int64)
    return np.flatnonzero((names == names[near]) & (d <= search_m)).astype(np.int64)


def to_entrances(points: gpd.GeoSeries, weights: FloatArray, entrances: gpd.GeoDataFrame, *,
                 search_m: float) -> tuple[Placed, npt.NDArray[np.bool_]]:
    """Share each station-level incident equally among its station's entrances (see :func:`station_entrances`)."""
    src: list[int] = []
    ent: list[int] = []
    share: list[float] = []
    for i, pt in enumerate(points.to_numpy()):
        rows = station_entrances(entrances, pt, search_m=search_m)
        if len(rows) == 0:
            continue
        src += [i] * len(rows)
        ent += rows.tolist()
        share += [1.0 / len(rows)] * len(rows)
    if not src:
        return Placed.empty(), np.zeros(len(points), bool)
    s, e, f = np.array(src, np.int64), np.array(ent, np.int64), np.array(share)
    placed = Placed(source=s, weight=weights[s] * f, incidents=f, edge_id=np.full(len(s), -1, np.int64),
                    geometry=entrances.geometry.to_numpy()[e])
    return placed, np.bincount(s, minlength=len(points)) > 0


def disc_points(center: BaseGeometry, radius_m: float, *, spacing_m: float = 8.0) -> npt.NDArray[np.object_]:
    """The centre and a square grid of points every ``spacing_m`` inside a disc.

    >>> from shapely.geometry import Point
    >>> len(disc_points(Point(0, 0), 10, spacing_m=8))
    5
    """
    k = int(radius_m // spacing_m)
    off = np.arange(-k, k + 1) * spacing_m
    dx, dy = np.meshgrid(off, off)
    inside = dx ** 2 + dy ** 2 <= radius_m ** 2
    x = float(shapely.get_x(center)) + dx[inside]
    y = float(shapely.get_y(center)) + dy[inside]
    pts: npt.NDArray[np.object_] = shapely.points(x, y)
    return pts


def spread_footfall(points: gpd.GeoSeries, totals: FloatArray, entrances: gpd.GeoDataFrame, *, search_m: float,
                    radius_m: float) -> tuple[Placed, npt.NDArray[np.bool_]]:
    """Share each station's footfall among its entrances, and each share evenly over the square in front."""
    pieces: list[Placed] = []
    placed = np.zeros(len(points), bool)
    for i, pt in enumerate(points.to_numpy()):
        rows = station_entrances(entrances, pt, search_m=search_m)
        if len(rows) == 0:
            continue
        placed[i] = True
        for r in rows:
            grid = disc_points(entrances.geometry.iloc[int(r)], radius_m)
            f = np.full(len(grid), 1.0 / (len(rows) * len(grid)))
            pieces.append(Placed(np.full(len(grid), i, np.int64), totals[i] * f, np.zeros(len(grid)),
                                 np.full(len(grid), -1, np.int64), grid))
    if not pieces:
        return Placed.empty(), placed
    return Placed(*(np.concatenate([getattr(p, f) for p in pieces]) for f in
                    ("source", "weight", "incidents", "edge_id", "geometry"))), placed
