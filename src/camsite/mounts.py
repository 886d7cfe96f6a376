"""Mounting positions at the street's edge: the façade or pole line on both sides, and street corners.

A camera hangs on a façade or a pole at the edge of the street space, not on
the centreline. With ``[candidates] mount = "edge"`` (the default) a candidate
site is placed

* **along a street**: on both sides, offset perpendicular to the centreline by
  the edge's ``half_width_m`` (from its class or lanes, :mod:`camsite.network`)
  minus :data:`INSET_M`;
* **at an intersection**: at each corner, one per pair of neighbouring
  approaches, where the two streets' edge lines (offset by half-width minus
  the inset) meet. A wedge of 170° or more (the straight side of a T-junction)
  gets its corner on the wedge's bisector at the wider half-width; a corner
  farther than :data:`MAX_CORNER_FACTOR` half-widths from the node (a very
  acute wedge) is left out.

The inset (default 0.5 m) keeps the mount just inside the street corridor, so
a sight line along the edge is not cut by the corridor's boundary (the raster
sight-line test counts a cell as open when its centre is inside). A site that
lies deeper inside some street corridor than the inset plus
:data:`EDGE_TOLERANCE_M` (an offset point that fell into a crossing street's
carriageway) or that far outside every corridor is not at the edge and is
dropped by :func:`at_edge`.

Headings are compass bearings (0 = north, 90 = east).

>>> compass(np.array([0.0, 1.0, -1.0]), np.array([1.0, 1.0, 0.0])).tolist()
['N', 'NE', 'W']
>>> [(round(dx, 3), round(dy, 3)) for dx, dy in corner_offsets([0.0, 90.0, 180.0, 270.0], [7.0] * 4, inset_m=0.5)]
[(6.5, 6.5), (6.5, -6.5), (-6.5, -6.5), (-6.5, 6.5)]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["EDGE_TOLERANCE_M", "INSET_M", "MAX_CORNER_FACTOR", "MOUNT_KINDS", "at_edge", "compass",
           "corner_offsets", "edge_depth", "side_offsets"]

FloatArray = npt.NDArray[np.float64]

#: How far inside the street corridor a mount at its edge is placed (metres).
INSET_M = 0.5
#: A site at the edge lies within this of the inset depth (metres); see :func:`at_edge`.
EDGE_TOLERANCE_M = 1.0
#: A corner farther from its node than this many (inset) half-widths is left out (a very acute wedge).
MAX_CORNER_FACTOR = 3.0
#: Wedges this wide or wider (degrees) get their corner on the bisector.
_STRAIGHT_DEG = 170.0
#: The ``mount`` column's values: at the street's edge, a given mounting point, on the centreline.
MOUNT_KINDS = ("facade_or_pole_line", "mounting_point", "centreline")
_COMPASS = np.array(["N", "NE", "E", "SE", "S", "SW", "W", "NW"], dtype=object)


def compass(dx: npt.ArrayLike, dy: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The 8-point compass direction (``"N"``, ``"NE"``, ...) of offsets ``(dx, dy)`` (x east, y north)."""
    bearing = np.mod(np.degrees(np.arctan2(np.asarray(dx, float), np.asarray(dy, float))), 360.0)
    out: npt.NDArray[np.object_] = _COMPASS[np.round(bearing / 45.0).astype(np.int64) % 8]
    return out


def _unit(bearing_deg: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    rad = np.radians(np.asarray(bearing_deg, float))
    return np.sin(rad), np.cos(rad)


def side_offsets(bearing_deg: npt.ArrayLike, half_width_m: npt.ArrayLike, *, inset_m: float = INSET_M
                 ) -> tuple[FloatArray, FloatArray]:
    """Offsets ``(dx, dy)`` from a centreline point to its left-hand edge (the right-hand one is the negative).

    ``bearing_deg`` is the street's direction at the point; the offset is
    ``half_width_m - inset_m`` (at least 0) to the left of it.

    >>> dx, dy = side_offsets([90.0], [7.0])   # an east-west street: the left side is north
    >>> round(float(dx[0]), 9), round(float(dy[0]), 9)
    (0.0, 6.5)
    """
    off = np.maximum(np.asarray(half_width_m, float) - inset_m, 0.0)
    ux, uy = _unit(np.asarray(bearing_deg, float) - 90.0)
    return ux * off, uy * off


def _corner(b0: float, b1: float, w0: float, w1: float) -> tuple[float, float] | None:
    """The corner between approaches ``b0`` and ``b1`` (clockwise from b0), edge offsets ``w0``, ``w1``."""
    theta = (b1 - b0) % 360.0 or 360.0
    phi = np.radians(theta / 2.0)
    if theta >= _STRAIGHT_DEG:
        along, across = max(w0, w1), 0.0
    else:  # distance w0 from approach 0's line and w1 from approach 1's, inside the wedge
        along, across = (w0 + w1) / (2.0 * np.sin(phi)), (w0 - w1) / (2.0 * np.cos(phi))
    if np.hypot(along, across) > MAX_CORNER_FACTOR * max(w0, w1, 1e-9):
        return None
    ax, ay = _unit(b0 + theta / 2.0)
    px, py = _unit(b0 + theta / 2.0 + 90.0)  # clockwise, towards approach 1
    return float(along * ax + across * px), float(along * ay + across * py)


def corner_offsets(bearings_deg: npt.ArrayLike, half_widths_m: npt.ArrayLike, *,
                   inset_m: float = INSET_M) -> list[tuple[float, float]]:
    """Offsets from an intersection's node to its corners, one per pair of neighbouring approaches.

    ``bearings_deg`` are the directions of the streets leaving the node (distinct,
    any order) and ``half_widths_m`` their half-widths. The corner between two
    neighbouring approaches lies ``half_width - inset_m`` from both streets'
    centrelines (module docs); in clockwise order from north. A T-junction (below: the
    side street of half-width 5 m leaves northwards) has two corners on the side street and
    one on the through street's far side, opposite the side street.

    >>> [(round(x, 2), round(y, 2)) for x, y in corner_offsets([90.0, 270.0, 0.0], [7.0, 7.0, 5.0])]
    [(4.5, 6.5), (0.0, -6.5), (-4.5, 6.5)]
    """
    order = np.argsort(np.mod(np.asarray(bearings_deg, float), 360.0), kind="stable")
    b = np.mod(np.asarray(bearings_deg, float), 360.0)[order]
    w = np.maximum(np.asarray(half_widths_m, float)[order] - inset_m, 0.0)
    out = []
    for i in range(len(b)):
        j = (i + 1) % len(b)
        c = _corner(float(b[i]), float(b[j]), float(w[i]), float(w[j]))
        if c is not None:
            out.append(c)
    return out


def edge_depth(points: npt.ArrayLike, edges: gpd.GeoDataFrame) -> FloatArray:
    """How deep each point lies inside the street corridors: the largest ``half_width_m - distance`` over ``edges``.

    Negative outside every corridor (``-inf`` when no edge is within its half-width plus 10 m).
    """
    pts = np.asarray(points, dtype=object)
    depth = np.full(len(pts), -np.inf)
    if len(pts) == 0 or edges.empty:
        return depth
    hw = edges["half_width_m"].to_numpy(float)
    lines = edges.geometry.to_numpy()
    pi, ei = shapely.STRtree(lines).query(pts, predicate="dwithin", distance=float(hw.max()) + 10.0)
    np.maximum.at(depth, pi, hw[ei] - shapely.distance(pts[pi], lines[ei]))
    return depth


def at_edge(points: npt.ArrayLike, edges: gpd.GeoDataFrame, *, inset_m: float = INSET_M) -> npt.NDArray[np.bool_]:
    """Which points lie at the edge of the street space: within :data:`EDGE_TOLERANCE_M` of the inset depth."""
    ok: npt.NDArray[np.bool_] = np.abs(edge_depth(points, edges) - inset_m) <= EDGE_TOLERANCE_M
    return ok
