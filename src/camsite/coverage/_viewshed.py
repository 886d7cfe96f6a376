"""Viewshed polygons for maps: a fan of rays per site, each cut where it leaves the open space.

The viewshed of a variant is approximated by the polygon through the ends of
rays cast every few degrees across its field of view (from the site itself
for a sector). Each ray runs until its first sample outside the open space
(or inside a building), or to the range. Between two rays the polygon is a
straight chord, so a narrow side street between rays may be cut off or a
corner overdrawn by up to the ray spacing: the viewshed is for maps, the
coverage matrix is computed point by point.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import shapely

from camsite.coverage._raster import Raster

__all__ = ["ray_fans"]

#: Ray samples per chunk.
CHUNK_SAMPLES = 4_000_000


def _ray_lengths(x: np.ndarray, y: np.ndarray, ang: np.ndarray, range_m: float, step: float, raster: Raster,
                 clearance_m: float) -> np.ndarray:
    """Visible length of each ray (site x, y and compass angle in radians)."""
    r = np.arange(clearance_m, range_m + 1e-9, step)
    if len(r) == 0 or r[-1] < range_m:
        r = np.append(r, range_m)
    out = np.empty(len(x))
    ux, uy = np.sin(ang), np.cos(ang)
    per = max(1, CHUNK_SAMPLES // len(r))
    for a in range(0, len(x), per):  # chunks of many rays (memory bound), not a loop over pairs
        b = min(len(x), a + per)
        first = raster.first_outside(x[a:b], y[a:b], ux[a:b], uy[a:b], r)
        out[a:b] = np.where(first > 0, r[np.maximum(first - 1, 0)], min(clearance_m, range_m))
    return out


def ray_fans(x: np.ndarray, y: np.ndarray, heading: np.ndarray, *, range_m: float, fov_deg: float, raster: Raster,
             ray_step_deg: float, clearance_m: float) -> np.ndarray:
    """Viewshed polygons (one per site) for sites of one camera type.

    ``heading`` is the compass heading per site (ignored when ``fov_deg`` >= 360).
    """
    n_sites = len(x)
    if n_sites == 0:
        return np.empty(0, dtype=object)
    full = fov_deg >= 360.0
    k = max(3 if full else 2, math.ceil(fov_deg / ray_step_deg) + (0 if full else 1))
    offs = np.linspace(0.0, 360.0, k, endpoint=False) if full else np.linspace(-fov_deg / 2, fov_deg / 2, k)
    base = np.zeros(n_sites) if full else np.nan_to_num(heading)
    ang = np.radians(base[:, None] + offs[None, :])
    step = min(raster.resolution_m * 2.0, max(range_m / 40.0, raster.resolution_m))
    xs, ys = np.repeat(x, k), np.repeat(y, k)
    length = _ray_lengths(xs, ys, ang.ravel(), range_m, step, raster, clearance_m).reshape(n_sites, k)
    ex = x[:, None] + np.sin(ang) * length
    ey = y[:, None] + np.cos(ang) * length
    if full:
        ring = np.stack([ex, ey], axis=2)
    else:
        apex = np.stack([x, y], axis=1)[:, None, :]
        ring = np.concatenate([apex, np.stack([ex, ey], axis=2)], axis=1)
    ring = np.concatenate([ring, ring[:, :1, :]], axis=1)
    # ring is (site, vertex, xy), so shapely returns an array of polygons; its stubs cannot tell that from a 2-D array.
    return cast(np.ndarray, shapely.polygons(ring))
