"""Streets of a network by name: where a street lies, how long it is, where two streets meet.

>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> edges = gpd.GeoDataFrame({"name": ["A-gatan", "A-gatan", ["B-gatan", "B-bron"]]}, geometry=[
...     LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)]), LineString([(100, -50), (100, 0)])],
...     crs="EPSG:3011")
>>> idx = StreetMatcher(edges)
>>> sorted(idx.names)
['A-gatan', 'B-bron', 'B-gatan']
>>> idx.meeting_point("A-gatan", "B-gatan")
(<POINT (100 0)>, 0.0)
>>> pt, half, share = idx.street_point("A-gatan")
>>> (pt.x, pt.y, half, share)
(100.0, 0.0, 100.0, 1.0)
>>> sorted(idx.close_names("Scheelagatan"))
[]
>>> idx.close_names("A-gatn")
['A-gatan']
"""

from __future__ import annotations

import difflib
import logging
from functools import lru_cache

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from camsite.network import osm_values

__all__ = ["MAX_GAP_M", "MAX_MEETING_SPREAD_M", "StreetMatcher"]

logger = logging.getLogger(__name__)

#: Two named streets "meet" where they share a node; nodes further apart than this are different meetings.
MAX_MEETING_SPREAD_M = 120.0
#: Streets without a shared node still meet when they come this close (slip lanes, divided roads).
MAX_GAP_M = 20.0


class StreetMatcher:
    """Street segments grouped by name (an edge with a list of names counts for each).

    Parameters
    ----------
    edges
        Street segments with a ``name`` column (str or list of str) in a
        projected CRS. Directed duplicates (same end points and length) count once.
    area
        Optional polygon: :meth:`street_point` uses only the parts inside it.
    """

    def __init__(self, edges: gpd.GeoDataFrame, *, area: BaseGeometry | None = None) -> None:
        rows = [(n, geom) for value, geom in zip(edges["name"], edges.geometry) for n in osm_values(value)
                if geom is not None and not geom.is_empty]
        self.area = area
        self._lines: dict[str, list[LineString]] = {}
        seen: set[tuple[str, tuple[float, ...]]] = set()
        for name, geom in rows:
            key = (name, _segment_key(geom))
            if key not in seen:
                seen.add(key)
                self._lines.setdefault(name, []).append(geom)
        self.names = frozenset(self._lines)
        self._ends = {n: _endpoints(lines) for n, lines in self._lines.items()}
        self.meeting_point = lru_cache(maxsize=None)(self._meeting_point)
        self.street_point = lru_cache(maxsize=None)(self._street_point)

    def close_names(self, word: str, *, cutoff: float = 0.88) -> list[str]:
        """Street names spelled almost like ``word`` (a misspelling such as "Scheelagatan"), best first."""
        lower = {n.lower(): n for n in self.names}
        return [lower[m] for m in difflib.get_close_matches(word.lower(), list(lower), n=2, cutoff=cutoff)]

    def _meeting_point(self, a: str, b: str) -> tuple[Point, float] | None:
        """Where streets ``a`` and ``b`` meet, and half the spread of their shared nodes (m); None if they do not."""
        shared = self._ends[a] & self._ends[b]
        if shared:
            pts = np.array(sorted(shared), dtype=float)
            spread = float(np.max(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))))
            if spread > MAX_MEETING_SPREAD_M:
                logger.debug("%s and %s meet at %d places up to %.0f m apart", a, b, len(pts), spread)
                return None
            return Point(pts.mean(axis=0).round(2)), spread / 2
        la, lb = MultiLineString(self._lines[a]), MultiLineString(self._lines[b])
        if la.distance(lb) > MAX_GAP_M:
            return None
        pa, pb = nearest_points(la, lb)
        return Point((pa.x + pb.x) / 2, (pa.y + pb.y) / 2), la.distance(lb) / 2

    def _street_point(self, name: str) -> tuple[Point, float, float]:
        """A point on the street near the middle of its part in the area, half that part's length (m),
        and the share of the street's length inside the area (1 without an area).

        When the street lies wholly outside the area, the whole street is used.
        """
        lines = MultiLineString(self._lines[name])
        part: BaseGeometry = lines
        share = 1.0
        if self.area is not None:
            share = 0.0
            if lines.intersects(self.area) and lines.length != 0:
                inside = lines.intersection(self.area)
                share = inside.length / lines.length
                if share > 0:
                    part = inside
        point = nearest_points(part, part.centroid)[0]
        return Point(round(point.x, 2), round(point.y, 2)), part.length / 2, share


def _segment_key(geom: BaseGeometry) -> tuple[float, ...]:
    coords = np.asarray(geom.coords)
    a, b = tuple(coords[0].round(1)), tuple(coords[-1].round(1))
    return (*min(a, b), *max(a, b), round(geom.length, 1))


def _endpoints(lines: list[LineString]) -> frozenset[tuple[float, float]]:
    ends: set[tuple[float, float]] = set()
    for line in lines:
        coords = np.asarray(line.coords)
        ends.add(tuple(coords[0].round(2)))
        ends.add(tuple(coords[-1].round(2)))
    return frozenset(ends)
