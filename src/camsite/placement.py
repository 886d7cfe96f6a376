"""Where imprecise evidence is placed: area-level incidents, station incidents and footfall.

An incident known only to a district is spread over the street demand
points of that district's polygon (or, for a place without a polygon such as
a park, of a disc around its point); one known only to a metro station is
shared among the station's exits (ticket halls: its entrances grouped by
distance); a station's daily footfall is shared among its exits alike and
spread over the square in front of each exit's entrances. Weight is
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

from camsite.uncertainty import exit_points, station_exits

__all__ = ["SQUARE_SPACING_M", "Placed", "spread_areas", "station_entrances", "to_exits"]

#: Grid spacing (m) of the points over the square in front of a metro exit.
SQUARE_SPACING_M = 8.0

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


def _exit_pieces(entrances: gpd.GeoDataFrame, rows: npt.NDArray[np.int64], exits: npt.NDArray[np.object_],
                 radius_m: float, cache: dict[str, npt.NDArray[np.object_]]) -> list[npt.NDArray[np.object_]]:
    """The points of each exit among ``rows`` (the square within ``radius_m`` of its entrances, or the entrances)."""
    out = []
    for label in sorted(set(exits[rows])):
        if label not in cache:
            members = np.flatnonzero(exits == label)
            geoms = entrances.geometry.to_numpy()[members]
            cache[label] = exit_points(geoms, radius_m, SQUARE_SPACING_M) if radius_m > 0 else \
                exit_points(geoms, 0.0, SQUARE_SPACING_M)
        out.append(cache[label])
    return out


def to_exits(points: gpd.GeoSeries, totals: FloatArray, entrances: gpd.GeoDataFrame, *, search_m: float,
             merge_m: float, radius_m: float, incidents: bool = False) -> tuple[Placed, npt.NDArray[np.bool_]]:
    """Share each station's total equally among its exits, and each exit's share evenly over its points.

    Parameters
    ----------
    points, totals
        Where each station (or station incident) is, and its weight.
    entrances
        Metro entrances (``name`` = station), see :func:`station_entrances`.
    search_m
        The nearest entrance must lie within this distance.
    merge_m
        Entrances of one station within this distance are one exit (:func:`camsite.uncertainty.station_exits`).
    radius_m
        An exit's points: the grid within this radius of its entrances (0: the entrance nodes).
    incidents
        The pieces carry incident counts (shares of 1) instead of 0.

    Returns
    -------
    (Placed, mask)
        The pieces and which rows had a station.
    """
    exits = station_exits(entrances, merge_m) if len(entrances) else np.zeros(0, object)
    cache: dict[str, npt.NDArray[np.object_]] = {}
    pieces: list[Placed] = []
    placed = np.zeros(len(points), bool)
    for i, pt in enumerate(points.to_numpy()):
        rows = station_entrances(entrances, pt, search_m=search_m)
        if len(rows) == 0:
            continue
        placed[i] = True
        groups = _exit_pieces(entrances, rows, exits, radius_m, cache)
        for grid in groups:
            f = np.full(len(grid), 1.0 / (len(groups) * len(grid)))
            pieces.append(Placed(np.full(len(grid), i, np.int64), totals[i] * f, f if incidents else np.zeros(len(grid)),
                                 np.full(len(grid), -1, np.int64), grid))
    if not pieces:
        return Placed.empty(), placed
    return Placed(*(np.concatenate([getattr(p, f) for p in pieces]) for f in
                    ("source", "weight", "incidents", "edge_id", "geometry"))), placed
