"""A boolean raster of a polygon, for fast look-ups of many sample points along many segments.

Rasterised by an even-odd scanline fill in numpy (no GDAL): a cell is inside
when its centre is inside the polygon. The raster reaches one cell beyond
the polygon's bounds, so every point off the raster can be clamped to a
border cell, which is outside.

>>> from shapely.geometry import box
>>> r = Raster.from_geometry(box(0, 0, 10, 4), resolution_m=1.0)
>>> int(r.cells.sum())
40
>>> r.contains(np.array([5.0, 5.0, 11.0]), np.array([2.0, 4.5, 2.0])).tolist()
[True, False, False]
>>> r.segments_inside(np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([9.0, 9.0]),
...                   np.array([3.0, 6.0]), n=17).tolist()
[True, False]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["Raster"]

#: Cells filled per chunk when rasterising (bounds the temporary index arrays).
_FILL_CHUNK = 16_000_000


def _segments(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every ring segment of the polygons in ``geom``."""
    polys = shapely.get_parts(geom)
    polys = polys[shapely.get_type_id(polys) == 3]
    rings = shapely.get_rings(polys)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    return coords[:-1][same], coords[1:][same]


@dataclass(frozen=True)
class Raster:
    """Cells ``cells[row, col]`` of size ``resolution_m``; cell (0, 0) has its lower-left corner at ``origin``."""

    cells: np.ndarray
    origin: tuple[float, float]
    resolution_m: float

    @classmethod
    def from_geometry(cls, geom: BaseGeometry, *, resolution_m: float,
                      bounds: tuple[float, float, float, float] | None = None) -> Raster:
        """Rasterise the polygons of ``geom`` (other geometry types are ignored).

        ``bounds`` (default: the geometry's) is widened by one cell on each side.
        """
        if bounds is None:
            bounds = geom.bounds if not geom.is_empty else (0.0, 0.0, 1.0, 1.0)
        x0, y0 = bounds[0] - resolution_m, bounds[1] - resolution_m
        nx = math.ceil((bounds[2] + resolution_m - x0) / resolution_m) + 1
        ny = math.ceil((bounds[3] + resolution_m - y0) / resolution_m) + 1
        a, b = _segments(geom) if not geom.is_empty else (np.zeros((0, 2)), np.zeros((0, 2)))
        cells = _scanline(a, b, x0, y0, nx, ny, resolution_m)
        return cls(cells=cells, origin=(x0, y0), resolution_m=resolution_m)

    def bounds(self) -> tuple[float, float, float, float]:
        """The raster's extent (minx, miny, maxx, maxy)."""
        ny, nx = self.cells.shape
        x0, y0 = self.origin
        return (x0, y0, x0 + nx * self.resolution_m, y0 + ny * self.resolution_m)

    def _cx(self, x: np.ndarray) -> np.ndarray:
        """x in cell units (float32: a 1/1000-cell precision is plenty, and halves the memory traffic)."""
        return ((np.asarray(x, float) - self.origin[0]) / self.resolution_m).astype(np.float32)

    def _cy(self, y: np.ndarray) -> np.ndarray:
        return ((np.asarray(y, float) - self.origin[1]) / self.resolution_m).astype(np.float32)

    def _lookup(self, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        """Cell values at cell-unit coordinates; off the raster -> a border cell, which is outside."""
        ny, nx = self.cells.shape
        itype: type[np.signedinteger[Any]] = np.int32 if ny * nx < 2**31 else np.int64
        col = cx.astype(itype)
        row = cy.astype(itype)
        np.clip(col, 0, nx - 1, out=col)
        np.clip(row, 0, ny - 1, out=row)
        row *= nx
        row += col
        values: np.ndarray = self.cells.reshape(-1)[row]
        return values

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point (x, y) falls in an inside cell (points off the raster are outside)."""
        return self._lookup(self._cx(x), self._cy(y))

    def segments_inside(self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, *, n: int) -> np.ndarray:
        """Whether ``n`` evenly spaced samples (ends included) of each segment all fall in inside cells."""
        t = np.linspace(0.0, 1.0, n, dtype=np.float32)[None, :]
        cx0, cy0 = self._cx(x0), self._cy(y0)
        cx = cx0[:, None] + (self._cx(x1) - cx0)[:, None] * t
        cy = cy0[:, None] + (self._cy(y1) - cy0)[:, None] * t
        inside: np.ndarray = np.all(self._lookup(cx, cy), axis=1)
        return inside

    def first_outside(self, x0: np.ndarray, y0: np.ndarray, ux: np.ndarray, uy: np.ndarray,
                      r: np.ndarray) -> np.ndarray:
        """For rays from (x0, y0) along unit (ux, uy), the index into ``r`` of the first sample outside
        (``len(r)`` if none)."""
        rc = (np.asarray(r, float) / self.resolution_m).astype(np.float32)[None, :]
        cx = self._cx(x0)[:, None] + ux.astype(np.float32)[:, None] * rc
        cy = self._cy(y0)[:, None] + uy.astype(np.float32)[:, None] * rc
        bad = ~self._lookup(cx, cy)
        return np.where(bad.any(axis=1), bad.argmax(axis=1), len(r))

    def minus(self, other: Raster) -> Raster:
        """Cells inside this raster and not inside ``other`` (same grid)."""
        if other.cells.shape != self.cells.shape or other.origin != self.origin:
            raise ValueError("rasters are not on the same grid")
        return Raster(cells=self.cells & ~other.cells, origin=self.origin, resolution_m=self.resolution_m)


def _scanline(a: np.ndarray, b: np.ndarray, x0: float, y0: float, nx: int, ny: int, res: float) -> np.ndarray:
    """Even-odd fill: for each row centre, the crossings of ring segments, paired left to right."""
    ya, yb = a[:, 1], b[:, 1]
    lo, hi = np.minimum(ya, yb), np.maximum(ya, yb)
    # rows whose centre y_c = y0 + (j + 0.5) res lies in [lo, hi)
    j_lo = np.ceil((lo - y0) / res - 0.5).astype(np.int64)
    j_hi = np.ceil((hi - y0) / res - 0.5).astype(np.int64)
    n = np.maximum(0, j_hi - j_lo)
    seg = np.repeat(np.arange(len(a)), n)
    row = j_lo[seg] + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    yc = y0 + (row + 0.5) * res
    xa, xb, ya_s, yb_s = a[seg, 0], b[seg, 0], ya[seg], yb[seg]
    xc = xa + (yc - ya_s) * (xb - xa) / (yb_s - ya_s)
    col = np.clip(np.ceil((xc - x0) / res - 0.5).astype(np.int64), 0, nx)
    order = np.lexsort((col, row))
    flat = row[order] * nx + col[order]
    return _fill(flat[0::2], flat[1::2] - flat[0::2], nx, ny)


def _fill(start: np.ndarray, length: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """A (ny, nx) bool array with the flat runs ``[start, start + length)`` set."""
    cells = np.zeros(ny * nx, bool)
    ends = np.cumsum(length)
    i = 0
    while i < len(start):
        j = max(i + 1, int(np.searchsorted(ends, ends[i] - length[i] + _FILL_CHUNK, side="right")))
        s, ln = start[i:j], length[i:j]
        tot = int(ln.sum())
        if tot:
            idx = np.repeat(s - (np.cumsum(ln) - ln), ln) + np.arange(tot)
            cells[idx] = True
        i = j
    return cells.reshape(ny, nx)
