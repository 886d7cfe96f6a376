"""Viewshed polygons for maps: a fan of rays per site, each cut where it leaves the open space.

:func:`viewsheds` is re-exported by :mod:`camsite.coverage`; the do-not-view
zones (:mod:`camsite.coverage._noview`) compute the viewsheds they need here too.

The viewshed of a variant is approximated by the polygon through the ends of
rays cast every few degrees across its field of view (from the site itself
for a sector). Each ray runs until its first sample outside the open space
(or inside a building), or to the range. Between two rays the polygon is a
straight chord, so a narrow side street between rays may be cut off or a
corner overdrawn by up to the ray spacing: the viewshed is for maps, the
coverage matrix is computed point by point.
"""

from __future__ import annotations

import logging
import math
from typing import cast

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from camsite.cameras import CameraModels
from camsite.coverage._raster import Raster

logger = logging.getLogger(__name__)

__all__ = ["MAX_CELLS", "open_raster", "ray_fans", "site_arrays", "site_fans", "viewsheds"]

#: Ray samples per chunk.
CHUNK_SAMPLES = 4_000_000
#: Largest raster (cells, one byte each) before the cells are made coarser.
MAX_CELLS = 1_500_000_000


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


def site_arrays(sites: gpd.GeoDataFrame, cameras: CameraModels) -> tuple[np.ndarray, ...]:
    """Type, range, field of view and heading per site (a ``fov_deg`` column overrides the type's where given)."""
    types = sites["camera_type"].astype(str).to_numpy() if len(sites) else np.zeros(0, object)
    rng = cameras.lookup(types, "range_m")
    fov = cameras.lookup(types, "fov_deg")
    if "fov_deg" in sites and len(sites):
        own = sites["fov_deg"].to_numpy(float)
        fov = np.where(np.isnan(own), fov, own)
    head = sites["heading_deg"].to_numpy(float) if "heading_deg" in sites else np.full(len(sites), np.nan)
    return types, rng, fov, head


def open_raster(space: BaseGeometry, buildings: BaseGeometry | None, resolution_m: float) -> Raster:
    """The open space rasterised, with building cells closed (coarser cells if the area is very large)."""
    if not space.is_empty:
        x0, y0, x1, y1 = space.bounds
        cells = (x1 - x0) * (y1 - y0) / resolution_m**2
        if cells > MAX_CELLS:
            coarse = resolution_m * math.sqrt(cells / MAX_CELLS)
            logger.warning("open space spans %.0f km²: raster cells of %.2f m instead of %.2f m", (x1 - x0) *
                           (y1 - y0) / 1e6, coarse, resolution_m)
            resolution_m = coarse
    raster = Raster.from_geometry(space, resolution_m=resolution_m)
    if buildings is None or buildings.is_empty:
        return raster
    return raster.minus(Raster.from_geometry(buildings, resolution_m=resolution_m, bounds=space.bounds))


def site_fans(sx: np.ndarray, sy: np.ndarray, types: np.ndarray, rng: np.ndarray, fov: np.ndarray, head: np.ndarray,
               raster: Raster, clearance_m: float, ray_step_deg: float) -> np.ndarray:
    """Viewshed polygons of sites of any types (arrays from :func:`site_arrays`): one :func:`ray_fans` call per
    type and kind of view (all round, or a sector)."""
    out = np.empty(len(sx), dtype=object)
    for t in np.unique(types):
        ix = np.flatnonzero(types == t)
        full = np.isnan(head[ix]) | (fov[ix] >= 360)
        for sel, f in ((ix[full], 360.0), (ix[~full], float(fov[ix[0]]))):
            if len(sel):
                out[sel] = ray_fans(sx[sel], sy[sel], head[sel], range_m=float(rng[ix[0]]), fov_deg=f,
                                    raster=raster, ray_step_deg=ray_step_deg, clearance_m=clearance_m)
    return out


def viewsheds(
    sites: gpd.GeoDataFrame,
    cameras: CameraModels,
    *,
    open_space: BaseGeometry,
    buildings: BaseGeometry | None = None,
    resolution_m: float = 0.5,
    clearance_m: float = 1.0,
    ray_step_deg: float = 7.5,
) -> gpd.GeoSeries:
    """Viewshed polygons of ``sites`` alone (e.g. only the chosen sites, after
    :func:`camsite.coverage.coverage_matrix` with ``viewsheds=False``).

    Same polygons as :func:`~camsite.coverage.coverage_matrix` gives for the same sites and settings.

    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from camsite.cameras import CameraModels
    >>> cams = CameraModels.of(["dome"], range_m=[30], fov_deg=[360], cost_sek=[1])
    >>> space = LineString([(0, 0), (100, 0)]).buffer(5)
    >>> sites = gpd.GeoDataFrame({"camera_type": ["dome"], "heading_deg": [float("nan")]}, geometry=[Point(50, 0)])
    >>> vs = viewsheds(sites, cams, open_space=space)
    >>> 0.8 < vs.iloc[0].area / (60 * 10) <= 1.0   # about the corridor within range
    True
    """
    types, rng, fov, head = site_arrays(sites, cameras)
    geoms = sites.geometry.to_numpy()
    raster = open_raster(open_space, buildings, resolution_m)
    vs = site_fans(shapely.get_x(geoms), shapely.get_y(geoms), types, rng, fov, head, raster, clearance_m,
                    ray_step_deg)
    return gpd.GeoSeries(vs, index=sites.index, crs=sites.crs)
