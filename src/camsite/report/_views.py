"""Each camera's view split by EN 62676-4 level: one ring per level, identify innermost.

A camera reaches a level up to a horizontal distance (:func:`camsite.quality.level_reach`),
so within its viewshed the level falls from identify near the camera to detect at the edge. The view
of a level is the viewshed within that level's reach, minus the disc of the next better level.

A 360° camera in an open square (a viewshed larger than every reach) gets rings of area
π (r_outer² − r_inner²), with the discs drawn as regular 64-gons: 32 sin(π/32) (r_outer² − r_inner²),
0.16 % less:

>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> cams = gpd.GeoDataFrame({"camera_id": ["a"], "camera_type": ["dome"]}, geometry=[Point(0, 0)])
>>> views = level_views(cams, [box(-100, -100, 100, 100)], {"dome": [40.0, 20.0, 10.0, 5.0]})
>>> views["level"].tolist()
['detect', 'observe', 'recognise', 'identify']
>>> import math
>>> [round(a / (32 * math.sin(math.pi / 32)), 6) for a in views.area]    # 40²−20², 20²−10², 10²−5², 5²
[1200.0, 300.0, 75.0, 25.0]
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite.quality import LEVELS
from camsite.report import _frames
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["QUAD_SEGS", "level_views", "run_views"]

#: Segments per quarter circle of the level discs (a disc has 4 × QUAD_SEGS vertices).
QUAD_SEGS = 16


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of an overlay result (lines and points where edges touch dropped)."""
    if geom.geom_type in ("Polygon", "MultiPolygon") or geom.is_empty:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _rings(centres: NDArray[np.object_], views: NDArray[np.object_], reach: NDArray[np.float64]
           ) -> NDArray[np.object_]:
    """Ring geometry per camera and level, shape (cameras, 4), detect first; empty where a level is not reached."""
    n = len(centres)
    discs = shapely.buffer(np.repeat(centres, 4), np.clip(reach, 0.0, None).ravel(), quad_segs=QUAD_SEGS)
    discs = discs.reshape(n, 4)
    clipped = shapely.intersection(views[:, None], discs)
    better = np.concatenate([discs[:, 1:], np.full((n, 1), shapely.Polygon(), dtype=object)], axis=1)
    rings: NDArray[np.object_] = shapely.difference(clipped, better)
    return rings


def level_views(cameras: gpd.GeoDataFrame, viewsheds: Sequence[BaseGeometry | None],
                reach_by_type: Mapping[str, Sequence[float]]) -> gpd.GeoDataFrame:
    """One polygon per camera and level: its viewshed within the level's reach, outside the next better level's.

    Parameters
    ----------
    cameras
        Proposed sites (``site_id``) or existing cameras (``camera_id``): point geometry, ``camera_type``
        and optionally ``share`` (share of the time the camera shows a point it sees; default 1).
    viewsheds
        View polygon per camera (aligned with ``cameras``; None where unknown: that camera is left out).
    reach_by_type
        Horizontal reach (metres) of each level per camera type, detect first
        (:meth:`camsite.cameras.CameraModels.level_reach`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``site_id`` or ``camera_id``, ``level`` (identify, recognise, observe, detect),
        ``level_rank`` (1 detect … 4 identify), ``camera_type``, ``share``, ``reach_m`` (the ring's outer
        radius) and the ring; per camera detect first (draw in this order: identify on top), empty rings
        left out. CRS of ``cameras``.
    """
    id_col = "site_id" if "site_id" in cameras else "camera_id"
    if len(cameras) != len(viewsheds):
        raise ValueError(f"{len(viewsheds)} viewsheds for {len(cameras)} cameras")
    views = np.asarray([shapely.Polygon() if v is None else v for v in viewsheds], dtype=object)
    known = ~shapely.is_empty(views) if len(views) else np.zeros(0, bool)
    cams = cameras[known].reset_index(drop=True)
    types = cams["camera_type"].astype(str).to_numpy()
    reach = np.asarray([list(reach_by_type[t]) for t in types], dtype=np.float64).reshape(len(cams), 4)
    rings = _rings(np.asarray(cams.geometry.to_numpy(), dtype=object), views[known], reach)
    share = cams["share"].to_numpy(float) if "share" in cams else np.ones(len(cams))
    frame = pd.DataFrame({
        id_col: np.repeat(cams[id_col].astype(str).to_numpy(), 4),
        "level": np.tile(np.asarray(LEVELS, dtype=object), len(cams)),
        "level_rank": np.tile(np.arange(1, 5), len(cams)),
        "camera_type": np.repeat(types, 4), "share": np.repeat(share, 4),
        "reach_m": np.round(reach.ravel(), 1),
    })
    geoms = np.asarray([_polygonal(g) for g in rings.ravel()], dtype=object)
    keep = ~shapely.is_empty(geoms) if len(geoms) else np.zeros(0, bool)
    keep &= shapely.area(geoms) > 0 if len(geoms) else keep
    return gpd.GeoDataFrame(frame[keep].reset_index(drop=True), geometry=list(geoms[keep]), crs=cameras.crs)


#: The level views of the runs being written (a run's files draw them five times): a copy is handed out.
_MADE: weakref.WeakKeyDictionary[RunResult, gpd.GeoDataFrame | None] = weakref.WeakKeyDictionary()


def run_views(result: RunResult) -> gpd.GeoDataFrame | None:
    """The level views of a run: proposed sites then existing cameras, with ``source`` (proposed / existing)
    and ``camera_id`` (a site's id for proposed sites); None with binary coverage. Made once per result
    (the map, its legend, the report and the GeoPackage each ask); each caller gets its own copy."""
    if result not in _MADE:
        _MADE[result] = _run_views(result)
    made = _MADE[result]
    return None if made is None else made.copy()


def _run_views(result: RunResult) -> gpd.GeoDataFrame | None:
    inst = result.instance
    if not inst.graded:
        return None
    reach = inst.cameras.level_reach()
    by_type = {name: reach[i] for i, name in enumerate(inst.cameras.names)}
    sites = _frames.proposed_sites(result)[["site_id", "camera_type", "geometry"]]
    idx = _frames.proposed_index(result)
    site_share = inst.shares[idx] if inst.shares is not None and len(idx) else np.ones(len(sites))
    proposed = level_views(sites.assign(share=site_share), _frames.proposed_viewsheds(result), by_type)
    existing_cams = result.existing.reset_index(drop=True)
    ex = gpd.GeoDataFrame({"camera_id": existing_cams.get("camera_id", pd.Series(dtype=str)).astype(str),
                           "camera_type": existing_cams["camera_type"].astype(str)},
                          geometry=existing_cams.geometry.to_numpy(), crs=result.scenario.crs)
    ex_share = inst.existing_shares if inst.existing_shares is not None else np.ones(len(ex))
    existing = level_views(ex.assign(share=ex_share), _frames.existing_viewsheds(result), by_type)
    proposed = proposed.rename(columns={"site_id": "camera_id"}).assign(source="proposed")
    existing = existing.assign(source="existing")
    out = pd.concat([proposed, existing], ignore_index=True)
    cols = ["source", "camera_id", "camera_type", "level", "level_rank", "share", "reach_m"]
    logger.debug("%d level views (%d proposed)", len(out), len(proposed))
    return gpd.GeoDataFrame(out[cols], geometry=out.geometry.to_numpy(), crs=result.scenario.crs)

