"""Graded coverage for :func:`~camsite.stages.build_instance`: level codes to values, existing domes' views.

The value of a (camera, demand point) pair is the camera's share of the time
on the point (1 for a fixed camera, 1 / presets for a patrolling PTZ dome)
times the scenario's value of the EN 62676-4 level reached, for the point's
demand kind (``[quality] incident``, ``footfall``, ``street``).

>>> import numpy as np, scipy.sparse as sp
>>> from camsite.config import QualityConfig
>>> levels = sp.csr_matrix(np.array([[4, 1], [2, 0]], dtype=np.uint8))
>>> v = pair_values(levels, np.array(["incident", "street"]), np.array([1.0, 0.25]), QualityConfig())
>>> v.toarray().tolist()   # identify 1.0, detect 0.2 x 0.25; a street point observed: 0.5
[[1.0, 0.05], [0.5, 0.0]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite.cameras import CameraModels
from camsite.config import LevelValues, QualityConfig

__all__ = ["VALUE_GROUPS", "existing_views", "pair_values"]

#: Which ``[quality]`` value table each demand kind uses.
VALUE_GROUPS: dict[str, str] = {"incident": "incident", "point": "incident", "footfall": "footfall",
                                "street": "street"}


def _table(quality: QualityConfig, kinds: NDArray[np.object_]) -> NDArray[np.float64]:
    """Value per demand point and level code 0..4, shape (points, 5)."""
    groups = np.array([VALUE_GROUPS.get(str(k), "incident") for k in kinds], dtype=object)
    out = np.zeros((len(kinds), 5))
    for name in ("incident", "footfall", "street"):
        vals: LevelValues = getattr(quality, name)
        out[groups == name, 1:] = vals.as_tuple()
    return out


def pair_values(levels: sp.csr_matrix, kinds: NDArray[np.object_], share: NDArray[np.float64],
                quality: QualityConfig) -> sp.csr_matrix:
    """Demand × sites values from level codes: share of the site × value of the level for the point's kind.

    Pairs whose value is 0 (a level the point's kind does not count) are dropped.
    """
    lv = sp.csr_matrix(levels)
    rows = np.repeat(np.arange(lv.shape[0]), np.diff(lv.indptr))
    table = _table(quality, kinds)
    data = table[rows, lv.data.astype(np.int64)] * share[lv.indices]
    out = sp.csr_matrix((data, lv.indices.copy(), lv.indptr.copy()), shape=lv.shape)
    out.eliminate_zeros()
    return out


def existing_views(existing: gpd.GeoDataFrame, cameras: CameraModels) -> tuple[gpd.GeoDataFrame,
                                                                                NDArray[np.float64]]:
    """Existing cameras with their own field of view (``fov_deg``), and each camera's share of the time.

    An inventoried PTZ dome with a heading is held on that sector (the guard
    position: one preset's angle, all the time); without a heading it patrols all
    round (the type's ``patrol_share`` of the time on each preset), whatever the
    scenario's ``ptz`` for new domes. Other cameras: the type's view, all the time.
    """
    ex = existing.copy()
    if ex.empty:
        ex["fov_deg"] = np.zeros(0)
        return ex, np.zeros(0)
    assert cameras.patrol_share is not None and cameras.lens_deg is not None  # set by CameraModels
    idx = cameras.index(ex["camera_type"].astype(str).to_numpy())
    head = ex["heading_deg"].to_numpy(float) if "heading_deg" in ex else np.full(len(ex), np.nan)
    dome = cameras.ptz[idx]
    guard = dome & ~np.isnan(head)
    ex["fov_deg"] = np.where(guard, cameras.lens_deg[idx], np.where(dome, 360.0, np.nan))
    return ex, np.where(dome & ~guard, cameras.patrol_share[idx], 1.0)
