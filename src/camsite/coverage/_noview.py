"""Do-not-view zones: places (a care facility's entrance) that no new camera's view may include.

A candidate variant *looks into* a zone when its viewshed (its sector within
range, cut where the open space ends: the ray fan of
:func:`camsite.coverage.viewsheds`) overlaps the zone by more than
:data:`MIN_OVERLAP_M2`, or when its column of the coverage matrix holds a
demand point inside the zone (the matrix is computed point by point, so a
view through a gap narrower than the ray spacing counts too). A zone behind a
wall is not looked into: the rays stop at the wall.

Two modes:

``"mask"`` (default)
    A privacy mask, as real cameras offer: the camera keeps its view less the
    *masked region*, the zone and what lies behind it as seen from the camera
    (a mask drawn over the zone in the image also hides what is behind it).
    The region is the convex hull of the zone and of its outline projected away
    from the camera to beyond the range (:func:`mask_regions`). Demand points in
    it drop out of the camera's column and the region is cut out of its
    viewshed. A variant whose masked column keeps less than ``min_view_share``
    of the demand weight it covered is removed.
``"forbid"``
    Every variant that looks into a zone is removed.

Existing cameras are not changed: only candidate columns are passed in. Only
candidates within range of a zone need any geometry work; the rest of the
matrix is left as it is.

>>> import geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> from camsite.cameras import CameraModels
>>> from camsite.coverage import coverage_matrix
>>> cams = CameraModels.of(["dome"], range_m=[30], fov_deg=[360], cost_sek=[1])
>>> space = LineString([(-100, 0), (100, 0)]).buffer(5)
>>> demand = gpd.GeoDataFrame({"weight": [1.0] * 5}, geometry=[Point(x, 0) for x in (-20, -10, 10, 20, 25)])
>>> sites = gpd.GeoDataFrame({"camera_type": ["dome"], "heading_deg": [float("nan")]}, geometry=[Point(0, 0)])
>>> zones = gpd.GeoDataFrame({"name": ["door"], "label": ["Entrance"]}, geometry=[Point(20, 0).buffer(3)])
>>> cov = coverage_matrix(demand, sites, cams, open_space=space)
>>> nv = apply_no_view(cov.matrix, demand, sites, zones, cams, space, viewsheds=cov.viewsheds)
>>> nv.matrix.toarray().ravel().tolist()   # the point in the zone and the one behind it drop out
[True, True, True, False, False]
>>> nv.keep.tolist(), nv.zones[["candidates_masked", "candidates_removed"]].to_numpy().tolist()  # kept 3 of 5
([True], [[1, 0]])
>>> nv.zones["masked_variants"].tolist()   # the masked ones (by index here: no ``variant`` column)
[('0',)]
>>> round(nv.viewsheds.iloc[0].intersection(zones.geometry.iloc[0]).area, 6)
0.0
>>> apply_no_view(cov.matrix, demand, sites, zones, cams, space, min_view_share=0.7).keep.tolist()
[False]
>>> apply_no_view(cov.matrix, demand, sites, zones, cams, space, mode="forbid").keep.tolist()
[False]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite.cameras import CameraModels
from camsite.coverage._viewshed import viewsheds as viewsheds_of

logger = logging.getLogger(__name__)

__all__ = ["MIN_OVERLAP_M2", "NO_VIEW_COLUMNS", "NO_VIEW_MODES", "NoView", "apply_no_view", "empty_no_view",
           "mask_regions"]

#: The modes of ``candidates.no_view_mode``.
NO_VIEW_MODES: tuple[str, ...] = ("mask", "forbid")
#: Columns of the per-zone frame, in order.
NO_VIEW_COLUMNS: tuple[str, ...] = ("name", "label", "candidates_masked", "candidates_removed", "masked_variants")
#: A viewshed overlapping a zone by no more than this (m²) does not look into it (a shared edge, rounding).
MIN_OVERLAP_M2 = 0.01
#: A camera this close to a zone (metres) has it on every side: its whole view is masked.
NEAR_M = 0.5


@dataclass(frozen=True)
class NoView:
    """Candidates after the do-not-view zones.

    Attributes
    ----------
    matrix
        Demand × candidates (every input column, bool CSR), masked columns with
        their masked points dropped; columns of removed variants are left as they were.
    keep
        Per candidate variant: False when it is removed.
    zones
        One row per zone (:data:`NO_VIEW_COLUMNS`): variants that look into it
        and keep a masked view, variants removed for it (a variant looking
        into two zones counts for both), and the ids (``variant``, else the
        index) of the masked ones, sorted: a chosen one needs its privacy mask.
    viewsheds
        Per candidate variant (same index): the viewsheds given, with the masked
        regions cut out; when none were given, the variants near a zone have
        their computed viewshed and the rest an empty polygon.
    """

    matrix: sp.csr_matrix
    keep: NDArray[np.bool_]
    zones: pd.DataFrame
    viewsheds: gpd.GeoSeries


def empty_no_view() -> pd.DataFrame:
    """The per-zone frame with no zones (its columns and dtypes).

    >>> list(empty_no_view().columns)
    ['name', 'label', 'candidates_masked', 'candidates_removed', 'masked_variants']
    """
    return pd.DataFrame({"name": pd.Series(dtype=object), "label": pd.Series(dtype=object),
                         "candidates_masked": pd.Series(dtype=np.int64),
                         "candidates_removed": pd.Series(dtype=np.int64),
                         "masked_variants": pd.Series(dtype=object)})


def mask_regions(x: NDArray[np.float64], y: NDArray[np.float64], zones: NDArray[np.object_],
                 reach: NDArray[np.float64]) -> NDArray[np.object_]:
    """The region a privacy mask hides, per (camera at ``x``, ``y``; zone) pair.

    The convex hull of the zone and of its outline projected from the camera
    to twice ``reach`` (at least): the zone and its shadow, from the part of the zone within twice ``reach``
    of the camera (the rest hides nothing in range). The outline is first
    cut into pieces no longer than the camera's distance to it, so the far
    side of the hull stays beyond ``reach``. A camera within :data:`NEAR_M` of
    a zone's hull gets a disc of radius ``2 * reach``: everything.

    >>> from shapely.geometry import Point
    >>> m = mask_regions(np.array([0.0]), np.array([0.0]), np.array([Point(20, 0).buffer(3)]), np.array([30.0]))
    >>> [m[0].covers(Point(x, 0)) for x in (10, 18, 25, 59)], m[0].covers(Point(25, 10))
    ([False, True, True, True], False)
    """
    cams = shapely.points(x, y)
    # only the part of a zone within twice the reach can hide anything the camera sees: a zone point farther
    # away shadows only what lies beyond it, so the work is proportional to what the zone touches, not its size
    near_zone = shapely.intersection(zones, shapely.buffer(cams, 2.0 * reach, quad_segs=8))
    near_zone = np.where(shapely.is_empty(near_zone), zones, near_zone)  # a pair only touching: keep the zone
    hulls = shapely.convex_hull(near_zone)
    dist = shapely.distance(cams, hulls)
    near = dist < NEAR_M
    # a camera next to the zone gets a disc (below): no outline to cut; the rest in pieces <= its distance
    dense = shapely.segmentize(hulls, np.where(near, 4.0 * reach + 1.0, np.maximum(dist, NEAR_M)))
    coords, ix = shapely.get_coordinates(dense, return_index=True)
    dx, dy = coords[:, 0] - x[ix], coords[:, 1] - y[ix]
    r = np.maximum(np.hypot(dx, dy), 1e-9)
    f = 2.0 * np.maximum(reach[ix], r) / r
    far = np.column_stack([x[ix] + dx * f, y[ix] + dy * f])
    order = np.argsort(np.concatenate([ix, ix]), kind="stable")
    multi = shapely.multipoints(np.concatenate([coords, far])[order], indices=np.concatenate([ix, ix])[order])
    # arrays in, arrays out; the stubs cannot tell that from one geometry
    hull = cast(NDArray[np.object_], shapely.convex_hull(multi))
    out: NDArray[np.object_] = np.where(near, shapely.buffer(cams, 2.0 * reach), hull)
    return out


def _near_pairs(sites: NDArray[np.object_], rng: NDArray[np.float64],
                zones: NDArray[np.object_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(candidate, zone) pairs with the zone within the candidate's range, sorted by candidate."""
    tree = shapely.STRtree(zones)
    cs, zs = [], []
    for r in np.unique(rng):  # one query per distinct range (a handful of camera types)
        sel = np.flatnonzero(rng == r)
        local, z = tree.query(sites[sel], predicate="dwithin", distance=float(r))
        cs.append(sel[local])
        zs.append(z)
    c, z = np.concatenate(cs), np.concatenate(zs)
    order = np.lexsort((z, c))
    return c[order].astype(np.int64), z[order].astype(np.int64)


def _column_entries(csc: sp.csc_matrix, cols: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each entry of ``cols`` (repeats allowed), the rows set in that column: (position in ``cols``, row)."""
    start, count = csc.indptr[cols], np.diff(csc.indptr)[cols]
    pos = np.repeat(np.arange(len(cols)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return pos, csc.indices[np.repeat(start, count) + offset].astype(np.int64)


def _views(viewsheds: gpd.GeoSeries | None, candidates: gpd.GeoDataFrame, near: NDArray[np.int64],
           cameras: CameraModels, open_space: BaseGeometry, zones: NDArray[np.object_], *, resolution_m: float,
           clearance_m: float, ray_step_deg: float) -> NDArray[np.object_]:
    """Viewshed per candidate: the ones given, else computed for the ``near`` candidates only."""
    if viewsheds is not None:
        if len(viewsheds) != len(candidates):
            raise ValueError(f"{len(viewsheds)} viewsheds for {len(candidates)} candidates")
        given = np.array(viewsheds.to_numpy(), dtype=object)
        given[near] = shapely.make_valid(given[near])
        return given
    out = np.full(len(candidates), shapely.Polygon(), dtype=object)
    if len(near):
        reach = float(np.max(cameras.lookup(candidates["camera_type"].iloc[near].astype(str).to_numpy(), "range_m")))
        # rays from a candidate within range of a zone end within 2 ranges of it: rasterise only that much
        around = shapely.union_all(shapely.buffer(zones, 2 * reach + clearance_m + 4 * resolution_m))
        space = shapely.intersection(open_space, around)
        vs = viewsheds_of(candidates.iloc[near], cameras, open_space=space, resolution_m=resolution_m,
                          clearance_m=clearance_m, ray_step_deg=ray_step_deg)
        out[near] = shapely.make_valid(vs.to_numpy())
    return out


def _looks_into(csc: sp.csc_matrix, points: NDArray[np.object_], views: NDArray[np.object_],
                c: NDArray[np.int64], zone_geoms: NDArray[np.object_]) -> NDArray[np.bool_]:
    """Per (candidate, zone) pair: the view overlaps the zone, or the column holds a demand point inside it."""
    overlap = shapely.area(shapely.intersection(views[c], zone_geoms)) > MIN_OVERLAP_M2
    shapely.prepare(zone_geoms)
    pos, rows = _column_entries(csc, c)
    inside = shapely.covers(zone_geoms[pos], points[rows])
    seen: NDArray[np.bool_] = overlap | (np.bincount(pos[inside], minlength=len(c)) > 0)
    return seen


def _masked_matrix(matrix: sp.csr_matrix, csc: sp.csc_matrix, points: NDArray[np.object_], c: NDArray[np.int64],
                   masks: NDArray[np.object_]) -> sp.csr_matrix:
    """``matrix`` (``csc``: the same as CSC) less the (point, candidate) entries whose point lies in a mask of that
    candidate."""
    shapely.prepare(masks)
    pos, rows = _column_entries(csc, c)
    hit = shapely.covers(masks[pos], points[rows])
    drop = sp.csr_matrix((np.ones(int(hit.sum()), np.int8), (rows[hit], c[pos[hit]])), shape=matrix.shape)
    drop.data[:] = 1  # a point hidden by two zones' masks is dropped once
    m = sp.csr_matrix(matrix, dtype=np.int8)
    out = sp.csr_matrix(m - m.multiply(drop))
    out.eliminate_zeros()
    return sp.csr_matrix(out, dtype=bool)


def _view_share(before: sp.csr_matrix, after: sp.csr_matrix, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per candidate: the share of its covered demand weight that the masked column keeps (1 where it had none)."""
    w0 = np.asarray(before.T @ weights, float).ravel()
    w1 = np.asarray(after.T @ weights, float).ravel()
    share: NDArray[np.float64] = np.divide(w1, w0, out=np.ones_like(w0), where=w0 > 0)
    return share


def _cut(views: NDArray[np.object_], c: NDArray[np.int64], z: NDArray[np.int64],
         masks: NDArray[np.object_]) -> NDArray[np.object_]:
    """The viewsheds with each pair's masked region cut out (one pass per zone: a handful)."""
    out = views.copy()
    for zone in np.unique(z):
        sel = z == zone
        out[c[sel]] = shapely.difference(out[c[sel]], masks[sel])
    return out


def _counts(zones: gpd.GeoDataFrame, z: NDArray[np.int64], removed: NDArray[np.bool_],
            ids: NDArray[np.object_]) -> pd.DataFrame:
    """The per-zone frame from the looking pairs' zones, whether each pair's candidate was removed and its id."""
    names = zones["name"].astype(str).to_numpy(object)
    labels = zones["label"].fillna("").astype(str).to_numpy(object) if "label" in zones else names
    n = len(zones)
    masked = [tuple(sorted(ids[(z == i) & ~removed])) for i in range(n)]
    return pd.DataFrame({"name": names, "label": np.where(labels == "", names, labels),
                         "candidates_masked": np.bincount(z[~removed], minlength=n).astype(np.int64),
                         "candidates_removed": np.bincount(z[removed], minlength=n).astype(np.int64),
                         "masked_variants": pd.Series(masked, dtype=object)})


def apply_no_view(matrix: sp.csr_matrix, demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame,
                  zones: gpd.GeoDataFrame, cameras: CameraModels, open_space: BaseGeometry, *, mode: str = "mask",
                  min_view_share: float = 0.5, viewsheds: gpd.GeoSeries | None = None, resolution_m: float = 0.5,
                  clearance_m: float = 1.0, ray_step_deg: float = 7.5) -> NoView:
    """Mask the do-not-view ``zones`` out of the candidates' views, or remove the candidates that see them.

    Parameters
    ----------
    matrix
        Demand × candidates coverage (bool CSR), from :func:`camsite.coverage.coverage_matrix`.
    demand
        Demand points (rows of ``matrix``): geometry and ``weight``.
    candidates
        Candidate variants (columns of ``matrix``): ``camera_type``, ``heading_deg``, geometry.
    zones
        ``name``, ``label``, geometry (polygons): from :func:`camsite.candidates.no_view_zones`.
    cameras
        The camera types' ranges and fields of view.
    open_space
        The open space the coverage was computed with (for the viewsheds not given).
    mode
        ``"mask"`` or ``"forbid"`` (see the module notes).
    min_view_share
        In ``"mask"`` mode, a masked variant keeping less than this share of
        its covered demand weight is removed.
    viewsheds
        The candidates' viewsheds (aligned with ``candidates``), as
        ``coverage_matrix(..., viewsheds=True)`` gives them; None computes them
        for the candidates within range of a zone only.
    resolution_m, clearance_m, ray_step_deg
        Settings of the viewsheds computed here (as in :func:`camsite.coverage.viewsheds`).

    Returns
    -------
    NoView
        The masked matrix, which variants to keep, the per-zone counts and the masked viewsheds.
    """
    if mode not in NO_VIEW_MODES:
        raise ValueError(f"mode must be one of {', '.join(NO_VIEW_MODES)}, not {mode!r}")
    sites = candidates.geometry.to_numpy()
    zone_geoms = zones.geometry.to_numpy()
    rng = cameras.lookup(candidates["camera_type"].astype(str).to_numpy(), "range_m") if len(candidates) \
        else np.zeros(0)
    c, z = _near_pairs(sites, rng, zone_geoms) if len(zones) and len(candidates) else (np.zeros(0, np.int64),) * 2
    views = _views(viewsheds, candidates, np.unique(c), cameras, open_space, zone_geoms, resolution_m=resolution_m,
                   clearance_m=clearance_m, ray_step_deg=ray_step_deg)
    points = demand.geometry.to_numpy()
    csc = sp.csc_matrix(matrix)
    looks = _looks_into(csc, points, views, c, zone_geoms[z])
    c, z = c[looks], z[looks]
    remove = np.zeros(len(candidates), bool)
    masked = matrix
    if mode == "forbid":
        remove[c] = True
    elif len(c):
        masks = mask_regions(shapely.get_x(sites[c]), shapely.get_y(sites[c]), zone_geoms[z], rng[c])
        masked = _masked_matrix(matrix, csc, points, c, masks)
        remove[c] = _view_share(matrix, masked, demand["weight"].to_numpy(float))[c] < min_view_share
        views = _cut(views, c, z, masks)
    logger.info("no-view zones (%s): %d variants look into %d of %d zones; %d removed", mode, len(np.unique(c)),
                len(np.unique(z)), len(zones), int(remove.sum()))
    ids = (candidates["variant"] if "variant" in candidates else candidates.index.to_series()).astype(str)
    return NoView(matrix=masked, keep=~remove, zones=_counts(zones, z, remove[c], ids.to_numpy(object)[c]),
                  viewsheds=gpd.GeoSeries(views, index=candidates.index, crs=candidates.crs))
