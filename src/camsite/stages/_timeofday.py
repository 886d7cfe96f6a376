"""Time of day for :func:`~camsite.stages.build_instance`: incident demand split by class of hour, pairs cut.

Incidents are grouped by their class of minute (:func:`camsite.timeofday.day_classes`:
night or day, inside the proposed cameras' hours or not, inside the existing
cameras' hours or not) and each group becomes its own demand points, so a
point stands for incidents of one class only. The pairs of the coverage
matrices are then cut:

* a point outside the proposed cameras' hours is seen by no candidate (and
  likewise for the existing cameras and their hours);
* a night point is seen by a camera only within the camera type's
  ``night_range_m``, at the level the camera reaches there by day.

Both cuts only remove pairs, so the optimiser's rows (:mod:`camsite.stages.rows`)
stay exact: the value of a night point is the best level any chosen camera
reaches within its night reach. Street space and footfall are not split: they
count as seen by day, whenever a camera watches.

>>> import numpy as np, scipy.sparse as sp, geopandas as gpd
>>> from shapely.geometry import Point
>>> from camsite.cameras import CameraModels
>>> cams = CameraModels.of(["c"], range_m=[60], fov_deg=[360], cost_sek=[1], night_range_m=[20])
>>> demand = gpd.GeoDataFrame({"night": [False, True, True], "watched": [True, True, False]},
...                           geometry=[Point(30, 0), Point(10, 0), Point(5, 0)])
>>> sites = gpd.GeoDataFrame({"camera_type": ["c"]}, geometry=[Point(0, 0)])
>>> cut_pairs(sp.csr_matrix(np.ones((3, 1))), demand, sites, cams, watched="watched").toarray().ravel().tolist()
[1.0, 1.0, 0.0]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite.cameras import CameraModels
from camsite.config import DemandConfig, MonitoringConfig
from camsite.timeofday import DayClass, class_of, day_classes

__all__ = ["PERIOD_COLUMNS", "BuildDemand", "cut_pairs", "demand_by_class", "needs_split"]

#: Columns :func:`demand_by_class` adds to the demand: ``period`` ("day", "night"; "" for street space and
#: footfall), ``night``, ``watched`` (by the proposed cameras) and ``watched_existing``.
PERIOD_COLUMNS: tuple[str, ...] = ("period", "night", "watched", "watched_existing")

#: Builds demand from incidents and a demand config; ``space``: with street space and footfall.
BuildDemand = Callable[[gpd.GeoDataFrame, DemandConfig, bool], tuple[gpd.GeoDataFrame, dict[str, Any]]]

_INCIDENT_KINDS = ("incident", "point")


class _Collect(logging.Handler):
    """Holds the records of the demand builder while the groups are built."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _one_warning_each(name: str = "camsite.demand") -> Iterator[None]:
    """The builder's messages once for all groups: records with the same text and a count first are summed."""
    log = logging.getLogger(name)
    keep, collect = log.propagate, _Collect()
    log.addHandler(collect)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(collect)
        log.propagate = keep
    merged: dict[tuple[int, str], logging.LogRecord] = {}
    for r in collect.records:
        key = (r.levelno, str(r.msg))
        args = r.args if isinstance(r.args, tuple) else ()
        if key in merged and args and isinstance(args[0], int):
            old = merged[key].args
            assert isinstance(old, tuple) and isinstance(old[0], int)
            merged[key].args = (old[0] + args[0], *args[1:])
        elif key not in merged:
            merged[key] = r
    for r in merged.values():
        log.handle(r)


def needs_split(monitoring: MonitoringConfig | None) -> bool:
    """Whether incidents are split by time of day: always with a ``[monitoring]`` section (every scenario has one,
    by default all day), so the report can say what the plan sees by day and by night."""
    return monitoring is not None


def _with_reference(cfg: DemandConfig, dates: pd.Series) -> DemandConfig:
    """Recency measured from the latest incident of all classes, not of each class."""
    if cfg.half_life_years is None or cfg.reference_date is not None:
        return cfg
    latest = pd.to_datetime(dates, errors="coerce").max()
    return cfg if pd.isna(latest) else replace(cfg, reference_date=latest.isoformat())


def _mark(demand: gpd.GeoDataFrame, c: DayClass, share: float) -> gpd.GeoDataFrame:
    """Class columns on a group's demand; incident weight and count scaled by ``share``."""
    is_inc = demand["kind"].isin(_INCIDENT_KINDS).to_numpy()
    out = demand.copy()
    if share != 1.0:
        out["weight"] = np.where(is_inc, out["weight"].to_numpy(float) * share, out["weight"].to_numpy(float))
        out["incidents"] = np.where(is_inc, out["incidents"].to_numpy(float) * share,
                                    out["incidents"].to_numpy(float))
    out["period"] = np.where(is_inc, "night" if c.night else "day", "")
    out["night"] = is_inc & c.night
    out["watched"] = ~is_inc | c.watched
    out["watched_existing"] = ~is_inc | c.watched_existing
    return out


def demand_by_class(incidents: gpd.GeoDataFrame, cfg: DemandConfig, monitoring: MonitoringConfig,
                    build: BuildDemand) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Demand with each class of hour built apart (:data:`PERIOD_COLUMNS` added).

    The first group carries the street space and footfall; the others only
    incidents. Night incidents weigh ``monitoring.night_weight`` times their
    weight; an incident of unknown time counts in each class with the class's
    share of the day. Counts in the returned stats are summed over the groups.
    """
    classes = day_classes(monitoring)
    dates = incidents["date"] if "date" in incidents.columns else pd.Series(pd.NaT, index=incidents.index)
    cls = class_of(dates, monitoring) if len(incidents) else np.zeros(0, np.int64)
    cfg = _with_reference(cfg, dates)
    raw = pd.to_numeric(incidents["weight"], errors="coerce").fillna(1.0).to_numpy(float) \
        if "weight" in incidents.columns else np.ones(len(incidents))
    frames: list[gpd.GeoDataFrame] = []
    stats: dict[str, Any] = {}
    with _one_warning_each():
        _build_groups(incidents, cls, classes, raw, cfg, monitoring, build, frames, stats)
    stats["incidents_unknown_time"] = int((cls < 0).sum())
    out = pd.concat(frames, ignore_index=True)
    out = out[out["weight"].to_numpy(float) > 0].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs), stats


def _build_groups(incidents: gpd.GeoDataFrame, cls: NDArray[np.int64], classes: list[DayClass],
                  raw: NDArray[np.float64], cfg: DemandConfig, monitoring: MonitoringConfig, build: BuildDemand,
                  frames: list[gpd.GeoDataFrame], stats: dict[str, Any]) -> None:
    """Build each class's group (and the unknown-time incidents' share of it) into ``frames`` and ``stats``."""
    for k, c in enumerate(classes):
        factor = monitoring.night_weight if c.night else 1.0
        for sub_mask, share in ((cls == k, 1.0), (cls < 0, c.share)):
            space = not frames
            if not (sub_mask.any() or space):
                continue
            sub = incidents[sub_mask].assign(weight=raw[sub_mask] * factor)
            demand, st = build(sub, cfg, space)
            frames.append(_mark(demand, c, share))
            for key, v in st.items():
                stats[key] = stats.get(key, 0) + v if isinstance(v, (int, float)) and key in stats else v


def cut_pairs(matrix: sp.csr_matrix, demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, cameras: CameraModels,
              *, watched: str) -> sp.csr_matrix:
    """``matrix`` (demand × sites) without the pairs time of day rules out.

    A pair is cut when the point lies outside the sites' hours (its column
    ``watched`` is false) or it is a night point farther from the site than
    the site's type's ``night_range_m``.
    """
    m = sp.csr_matrix(matrix, copy=True)
    if m.nnz == 0 or "night" not in demand.columns:
        return m
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    cols = m.indices
    night = demand["night"].to_numpy(bool)
    ok = demand[watched].to_numpy(bool)
    px, py = demand.geometry.x.to_numpy(float), demand.geometry.y.to_numpy(float)
    sx, sy = sites.geometry.x.to_numpy(float), sites.geometry.y.to_numpy(float)
    reach = cameras.lookup(sites["camera_type"].astype(str).to_numpy(), "night_range_m")
    dist = np.hypot(px[rows] - sx[cols], py[rows] - sy[cols])
    keep = ok[rows] & (~night[rows] | (dist <= reach[cols] + 1e-9))
    m.data = np.where(keep, m.data, 0).astype(m.data.dtype)
    m.eliminate_zeros()
    return m
