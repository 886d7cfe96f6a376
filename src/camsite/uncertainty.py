"""Where an incident may have happened: its position as a distribution of weighted sample points.

A police event is located from its text, to an intersection, a street or a
metro station, each with a recorded radius (``uncertainty_m``). camsite
credits a camera with the *expected* value of its view over that
distribution, which keeps the integer program exact: each sample point is an
ordinary demand row carrying its share of the incident's weight, and the
optimiser's presolve merges rows that the cameras cannot tell apart.

- a point-like incident (intersection, point) is spread uniformly over the
  disc of its radius: a square grid every ``spacing_m`` clipped to the disc,
  and, when the open space is known, to the open space (an event in public
  space is not inside a building block); equal weights;
- a station's entrances are grouped into exits (ticket halls): single-linkage
  clusters of the station's entrances within ``merge_m``. Travellers and
  station incidents are shared equally per exit, so that one more entrance
  node in OpenStreetMap does not move the plan; an exit's share is spread
  over the grid points of the square in front of its entrances.

>>> dx, dy = disc_offsets(10.0, 5.0)
>>> len(dx), float(dx.sum()), float(dy.sum())
(13, 0.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

__all__ = [
    "SPREAD_PRECISIONS",
    "disc_offsets",
    "disc_samples",
    "exit_points",
    "hide_rows",
    "recorded_uncertainty",
    "station_exits",
    "street_window",
]

FloatArray = npt.NDArray[np.float64]

#: Precision classes that are NOT spread over a disc (they have their own placement).
SPREAD_PRECISIONS = ("street", "station", "area")


def recorded_uncertainty(incidents: pd.DataFrame, defaults: Mapping[str, float]) -> FloatArray:
    """Each incident's radius: its ``uncertainty_m`` where recorded, else its precision class's default (0 if none).

    >>> df = pd.DataFrame({"precision": ["intersection", "intersection", "point"], "uncertainty_m": [30.0, None, None]})
    >>> recorded_uncertainty(df, {"intersection": 25.0}).tolist()
    [30.0, 25.0, 0.0]
    """
    prec = incidents["precision"].fillna("point").astype(str) if "precision" in incidents.columns \
        else pd.Series(["point"] * len(incidents), index=incidents.index)
    fallback = prec.map(lambda p: float(defaults.get(p, 0.0))).to_numpy(float)
    if "uncertainty_m" not in incidents.columns:
        return fallback
    rec = pd.to_numeric(incidents["uncertainty_m"], errors="coerce").to_numpy(float)
    out: FloatArray = np.where(np.isfinite(rec) & (rec >= 0), rec, fallback)
    return out


def disc_offsets(radius_m: float, spacing_m: float) -> tuple[FloatArray, FloatArray]:
    """Offsets of a square grid every ``spacing_m``, centred on (0, 0), inside the disc of ``radius_m``.

    The centre is always one of them; a radius below the spacing gives the centre alone.

    >>> [len(disc_offsets(r, 5.0)[0]) for r in (0.0, 4.9, 5.0, 25.0)]
    [1, 1, 5, 81]
    """
    k = int(radius_m // spacing_m) if spacing_m > 0 else 0
    off = np.arange(-k, k + 1) * spacing_m
    dx, dy = np.meshgrid(off, off)
    inside = dx ** 2 + dy ** 2 <= radius_m ** 2 + 1e-9
    return dx[inside].astype(float), dy[inside].astype(float)


def disc_samples(points: npt.NDArray[np.object_], radii: FloatArray, *, spacing_m: float,
                 open_space: BaseGeometry | None = None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_],
                                                                  FloatArray]:
    """Sample points over each incident's disc: (source row, point, share of the incident), shares summing to 1.

    Samples outside ``open_space`` (when given) are left out and the rest
    share the weight equally; when none is left, the incident stays at its
    centre (share 1).

    >>> from shapely.geometry import Point, box
    >>> src, pts, share = disc_samples(np.array([Point(0, 0)], dtype=object), np.array([5.0]), spacing_m=5.0,
    ...                                open_space=box(-1, -6, 1, 6))
    >>> src.tolist(), sorted((p.x, p.y) for p in pts), share.tolist()
    ([0, 0, 0], [(0.0, -5.0), (0.0, 0.0), (0.0, 5.0)], [0.3333333333333333, 0.3333333333333333, 0.3333333333333333])
    """
    src: list[npt.NDArray[np.int64]] = []
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    space = open_space if open_space is not None and not open_space.is_empty else None
    if space is not None:
        shapely.prepare(space)
    for i, (pt, r) in enumerate(zip(points, radii)):
        dx, dy = disc_offsets(float(r), spacing_m)
        x, y = float(shapely.get_x(pt)) + dx, float(shapely.get_y(pt)) + dy
        if space is not None and len(x) > 1:
            ok = shapely.intersects_xy(space, x, y)
            if ok.any():
                x, y = x[ok], y[ok]
            else:
                x, y = np.array([shapely.get_x(pt)], float), np.array([shapely.get_y(pt)], float)
        src.append(np.full(len(x), i, np.int64))
        xs.append(x)
        ys.append(y)
    if not src:
        return np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0)
    s = np.concatenate(src)
    n = np.bincount(s, minlength=len(points)).astype(float)
    geoms: npt.NDArray[np.object_] = np.asarray(shapely.points(np.concatenate(xs), np.concatenate(ys)), dtype=object)
    return s, geoms, 1.0 / n[s]


def station_exits(entrances: gpd.GeoDataFrame, merge_m: float) -> npt.NDArray[np.object_]:
    """An exit label per entrance: single-linkage clusters of one station's entrances within ``merge_m``.

    An entrance without a station name is an exit of its own.

    >>> from shapely.geometry import Point
    >>> ent = gpd.GeoDataFrame({"name": ["A", "A", "A", "B", ""]},
    ...                        geometry=[Point(0, 0), Point(50, 0), Point(200, 0), Point(10, 0), Point(20, 0)])
    >>> station_exits(ent, 60.0).tolist()
    ['A#0', 'A#0', 'A#1', 'B#0', '#4']
    """
    n = len(entrances)
    names = entrances["name"].fillna("").astype(str).to_numpy(object) if n else np.zeros(0, object)
    if n == 0:
        return np.zeros(0, object)
    geoms = entrances.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=merge_m)
    same = (names[left] == names[right]) & (names[left] != "")
    graph = sp.coo_matrix((np.ones(int(same.sum())), (left[same], right[same])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    labels = np.empty(n, object)
    for name in pd.unique(names):
        rows = np.flatnonzero(names == name)
        if not name:
            labels[rows] = [f"#{r}" for r in rows]
            continue
        order = {c: k for k, c in enumerate(pd.unique(comp[rows]))}
        labels[rows] = [f"{name}#{order[c]}" for c in comp[rows]]
    return labels


def exit_points(entrances: npt.NDArray[np.object_], radius_m: float, spacing_m: float) -> npt.NDArray[np.object_]:
    """Grid points (every ``spacing_m``, aligned to multiples of it) within ``radius_m`` of any of an exit's entrances.

    The grid does not depend on the entrances' order or multiplicity, so a
    duplicated entrance node gives the same points. Without any grid point
    near (a radius under half the spacing), the entrances themselves.

    >>> from shapely.geometry import Point
    >>> a = exit_points(np.array([Point(0, 0)], dtype=object), 8.0, 8.0)
    >>> b = exit_points(np.array([Point(0, 0), Point(0, 0)], dtype=object), 8.0, 8.0)
    >>> len(a), [p.wkt for p in a] == [p.wkt for p in b]
    (5, True)
    """
    x = shapely.get_x(entrances).astype(float)
    y = shapely.get_y(entrances).astype(float)
    gx = np.arange(np.floor((x.min() - radius_m) / spacing_m), np.ceil((x.max() + radius_m) / spacing_m) + 1)
    gy = np.arange(np.floor((y.min() - radius_m) / spacing_m), np.ceil((y.max() + radius_m) / spacing_m) + 1)
    px, py = (v.ravel() * spacing_m for v in np.meshgrid(gx, gy))
    d2 = (px[:, None] - x[None, :]) ** 2 + (py[:, None] - y[None, :]) ** 2
    near = (d2 <= radius_m ** 2 + 1e-9).any(axis=1)
    if not near.any():
        uniq = {p.wkb: p for p in entrances}
        return np.array([uniq[k] for k in sorted(uniq)], dtype=object)
    pts: npt.NDArray[np.object_] = np.asarray(shapely.points(px[near], py[near]), dtype=object)
    return pts


def hide_rows(matrix: sp.csr_matrix, hidden: npt.NDArray[np.bool_]) -> sp.csr_matrix:
    """``matrix`` with the rows of ``hidden`` demand points emptied (no camera sees them).

    >>> m = hide_rows(sp.csr_matrix(np.ones((3, 2), bool)), np.array([False, True, False]))
    >>> m.toarray().sum(axis=1).tolist()
    [2, 0, 2]
    """
    out: sp.csr_matrix = matrix.copy()
    if hidden.any():
        counts = np.diff(out.indptr)
        out.data[np.repeat(hidden, counts)] = 0
        out.eliminate_zeros()
    return out


def street_window(px: np.ndarray, py: np.ndarray, cand: np.ndarray, geom: BaseGeometry | None, radius: float,
                  near_m: float) -> np.ndarray:
    """The sample points of an incident's street within ``radius`` of its point (at least the nearest), when the
    point lies within ``near_m`` of the street; else the whole street."""
    if geom is None or geom.is_empty or not np.isfinite(radius) or not len(cand):
        return cand
    d = np.hypot(px[cand] - shapely.get_x(geom), py[cand] - shapely.get_y(geom))
    if not (np.nanmin(d, initial=np.inf) <= near_m):
        return cand
    out: np.ndarray = cand[d <= max(radius, float(np.nanmin(d)))]
    return out
