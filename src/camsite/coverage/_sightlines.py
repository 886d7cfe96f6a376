"""Site-point pairs within range and field of view, and the sight-line test on arrays.

No Python loop over pairs: pairs come from one STRtree ``dwithin`` query per
camera type, and the sight-line test works on whole arrays (in chunks).

>>> import numpy as np
>>> angle_off(np.array([350.0, 10.0, 180.0]), np.array([10.0, 350.0, 0.0])).tolist()
[20.0, 20.0, 180.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from camsite.coverage._raster import Raster

__all__ = ["Pairs", "angle_off", "exact_clear", "in_view", "pairs_in_range", "raster_clear"]

#: Sample points per chunk of the raster test (bounds the memory: ~40 bytes per sample).
CHUNK_SAMPLES = 4_000_000


@dataclass(frozen=True)
class Pairs:
    """Candidate (site, point) pairs with the offset from site to point."""

    site: np.ndarray
    point: np.ndarray
    dx: np.ndarray
    dy: np.ndarray

    @property
    def distance(self) -> np.ndarray:
        """Site-to-point distance (metres)."""
        d: np.ndarray = np.hypot(self.dx, self.dy)
        return d

    def subset(self, mask: np.ndarray) -> Pairs:
        """The pairs where ``mask`` is true."""
        return Pairs(self.site[mask], self.point[mask], self.dx[mask], self.dy[mask])


def angle_off(bearing: np.ndarray, heading: np.ndarray) -> np.ndarray:
    """Absolute angle (degrees, 0..180) between compass bearings and headings."""
    off: np.ndarray = np.abs(np.mod(bearing - heading + 180.0, 360.0) - 180.0)
    return off


def pairs_in_range(tree: shapely.STRtree, site_geoms: np.ndarray, sx: np.ndarray, sy: np.ndarray,
                   site_ix: np.ndarray, range_m: float, px: np.ndarray, py: np.ndarray) -> Pairs:
    """All (site, point) pairs with distance <= ``range_m`` for the sites ``site_ix``."""
    if len(site_ix) == 0:
        e = np.zeros(0, np.int64)
        return Pairs(e, e, np.zeros(0), np.zeros(0))
    s_local, p = tree.query(site_geoms[site_ix], predicate="dwithin", distance=range_m)
    s = site_ix[s_local]
    dx, dy = px[p] - sx[s], py[p] - sy[s]
    keep = dx * dx + dy * dy <= range_m * range_m
    return Pairs(s[keep], p[keep], dx[keep], dy[keep])


def in_view(pairs: Pairs, heading: np.ndarray, fov_deg: np.ndarray) -> np.ndarray:
    """Whether each pair's point is inside its site's field-of-view sector (edges included).

    ``heading`` and ``fov_deg`` are per site; a NaN heading or fov >= 360 sees all round.
    """
    h, f = heading[pairs.site], fov_deg[pairs.site]
    bearing = np.degrees(np.arctan2(pairs.dx, pairs.dy))
    ok = angle_off(bearing, np.nan_to_num(h)) <= f / 2.0 + 1e-9
    seen: np.ndarray = ok | np.isnan(h) | (f >= 360.0) | ((pairs.dx == 0) & (pairs.dy == 0))
    return seen


def raster_clear(pairs: Pairs, sx: np.ndarray, sy: np.ndarray, raster: Raster, *, clearance_m: float,
                 step_m: float | None = None) -> np.ndarray:
    """Sight-line test by sampling: every sample along the segment lies in an open cell.

    Samples are at most ``step_m`` (default: one raster cell) apart, from
    ``clearance_m`` beyond the site to the point itself (a camera on a pole or
    façade at the edge of the open space is not blocked by its own mounting).
    Pairs are grouped by their number of samples (rounded up to a multiple of
    8), so each group is one 2-D array operation.
    """
    step = step_m or raster.resolution_m
    d = pairs.distance
    span = d - clearance_m
    out = np.ones(len(d), bool)
    tested = np.flatnonzero(span > 0)
    if len(tested) == 0:
        return out
    n = np.ceil(span[tested] / step).astype(np.int64) + 1
    bucket = np.maximum(8, -(-n // 8) * 8)
    f = clearance_m / d[tested]
    s = pairs.site[tested]
    x0, y0 = sx[s] + pairs.dx[tested] * f, sy[s] + pairs.dy[tested] * f
    x1, y1 = sx[s] + pairs.dx[tested], sy[s] + pairs.dy[tested]
    for b in np.unique(bucket):
        sel = np.flatnonzero(bucket == b)
        per = max(1, CHUNK_SAMPLES // int(b))
        for i in range(0, len(sel), per):  # chunks of many pairs: memory bound, not a loop over pairs
            c = sel[i:i + per]
            out[tested[c]] = raster.segments_inside(x0[c], y0[c], x1[c], y1[c], n=int(b))
    return out


def exact_clear(pairs: Pairs, sx: np.ndarray, sy: np.ndarray, space: BaseGeometry, *, clearance_m: float,
                buildings: BaseGeometry | None = None) -> np.ndarray:
    """Exact sight-line test: the segment (from ``clearance_m`` beyond the site) is covered by the open space
    and does not cross a building's interior."""
    d = pairs.distance
    far = d > clearance_m
    out = np.ones(len(d), bool)
    if not far.any():
        return out
    p = pairs.subset(far)
    f = clearance_m / d[far]
    x0, y0 = sx[p.site] + p.dx * f, sy[p.site] + p.dy * f
    coords = np.stack([np.column_stack([x0, y0]), np.column_stack([sx[p.site] + p.dx, sy[p.site] + p.dy])], axis=1)
    # coords is (pair, 2, xy), so shapely returns an array of lines; its stubs cannot tell that from a 2-D array.
    lines = cast(np.ndarray, shapely.linestrings(coords))
    shapely.prepare(space)
    ok = shapely.covered_by(lines, space)
    if buildings is not None:
        shapely.prepare(buildings)
        ok &= ~(shapely.intersects(lines, buildings) & ~shapely.touches(lines, buildings))
    out[far] = ok
    return out
