"""The incident map under the privacy rule: street segments merged into coarser units until each has 3 incidents.

Instead of blanking every segment with one or two incidents, the segments are
grouped into units, finest first, until every unit carries at least
``min_count`` incidents (or none):

1. ``segment``: a segment with ``min_count`` or more incidents is its own unit;
2. ``street``: the remaining segments with incidents, per street name;
3. ``cell``: what is still left, per square grid cell (``cell_m``, 250 m) of the segment's midpoint;
4. ``subarea``: then per sub-area (the first that holds the midpoint);
5. ``area``: then everything left in one unit; if that one is still too small, it joins the smallest unit
   already formed (and if there is none, the whole area is under the threshold and stays blank).

The units partition the segments that carry incidents, so no difference of
two published units isolates a smaller group. Every segment of a unit shows
the unit's total, never its own share.

>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> edges = gpd.GeoDataFrame({"edge_id": [0, 1, 2], "name": ["A", "A", "B"]},
...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)]), LineString([(0, 0), (0, 10)])])
>>> per_edge = pd.DataFrame({"edge_id": [0, 1, 2], "incidents": [1.0, 2.0, 4.0]})
>>> units = merge_units(per_edge, edges, subareas=None)
>>> units[["edge_id", "unit", "unit_level", "unit_incidents"]].to_dict("list")
{'edge_id': [0, 1, 2], 'unit': ['gata:A', 'gata:A', 'segment:2'], 'unit_level': ['street', 'street', 'segment'], \
'unit_incidents': [3.0, 3.0, 4.0]}
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

logger = logging.getLogger(__name__)

__all__ = ["CELL_M", "LEVELS", "merge_units"]

#: Side of the grid cells (metres) of the third level.
CELL_M: float = 250.0
#: The unit levels, finest first.
LEVELS: tuple[str, ...] = ("segment", "street", "cell", "subarea", "area")


def _subarea_of(mid: gpd.GeoSeries, subareas: gpd.GeoDataFrame | None) -> np.ndarray:
    out = np.full(len(mid), "", dtype=object)
    if subareas is None or not len(subareas):
        return out
    for name, geom in zip(subareas["name"].astype(str), subareas.geometry, strict=True):
        inside = (out == "") & np.asarray(shapely.contains(geom, mid.to_numpy()), bool) if geom is not None else None
        if inside is not None:
            out[inside] = name
    return out


def _keys(small: pd.DataFrame, level: str) -> pd.Series:
    if level == "street":
        return small["street"].where(small["street"] != "", "").map(lambda s: f"gata:{s}" if s else "")
    if level == "cell":
        return "ruta:" + small["cx"].astype(str) + "_" + small["cy"].astype(str)
    if level == "subarea":
        return small["subarea"].map(lambda s: f"delområde:{s}" if s else "")
    return pd.Series("område", index=small.index)


def merge_units(per_edge: pd.DataFrame, edges: gpd.GeoDataFrame, *, subareas: gpd.GeoDataFrame | None,
                min_count: float = 3.0, cell_m: float = CELL_M) -> pd.DataFrame:
    """The unit of every segment in ``per_edge`` (``edge_id``, ``incidents``), in its order.

    Parameters
    ----------
    per_edge
        The exact incident count per segment (``edge_id`` must be in ``edges``).
    edges
        Street segments: ``edge_id``, ``name``, geometry.
    subareas
        The run's sub-areas (``name``, geometry), or None.
    min_count
        The smallest count a unit shows.
    cell_m
        The grid cell of the third level.

    Returns
    -------
    pandas.DataFrame
        ``edge_id``, ``unit`` (an id such as ``segment:12``, ``gata:Fleminggatan``, ``ruta:606_26319``),
        ``unit_level`` (one of :data:`LEVELS`, "" for a segment without incidents), ``unit_incidents``
        (the unit's exact total; 0 without incidents, NaN when the whole area is under ``min_count``).
    """
    e = edges.set_index("edge_id", drop=False)
    frame = per_edge.loc[:, ["edge_id", "incidents"]].reset_index(drop=True).copy()
    geom = e.loc[frame["edge_id"]].geometry.reset_index(drop=True)
    mid = geom.interpolate(0.5, normalized=True)
    frame["street"] = e.loc[frame["edge_id"], "name"].fillna("").astype(str).to_numpy()
    frame["cx"] = np.floor(mid.x.to_numpy() / cell_m).astype(int)
    frame["cy"] = np.floor(mid.y.to_numpy() / cell_m).astype(int)
    frame["subarea"] = _subarea_of(mid, subareas)
    n = frame["incidents"].to_numpy(float)
    unit = np.where(n >= min_count, "segment:" + frame["edge_id"].astype(str), "").astype(object)
    level = np.where(n >= min_count, "segment", "").astype(object)
    for lvl in LEVELS[1:]:
        small = frame[(unit == "") & (n > 1e-9)]
        if small.empty:
            break
        keys = _keys(small, lvl)
        sums = small.groupby(keys.to_numpy())["incidents"].sum()
        ok = {k for k, v in sums.items() if k and v >= min_count}
        take = keys.isin(ok).to_numpy()
        unit[small.index[take]] = keys[take].to_numpy()
        level[small.index[take]] = lvl
    rest = frame.index[(unit == "") & (n > 1e-9)]
    if len(rest):  # fewer than min_count left in the whole area: they join the smallest unit formed
        totals = pd.Series(n).groupby(unit).sum().drop("", errors="ignore")
        if len(totals):
            target = str(totals.sort_values(kind="stable").index[0])
            unit[rest], level[rest] = target, level[unit == target][0]
        else:
            logger.info("fewer than %g incidents on the map in all: the demand layer shows none", min_count)
    out = frame.loc[:, ["edge_id"]].assign(unit=unit, unit_level=level)
    totals = pd.Series(n).groupby(unit).sum()
    out["unit_incidents"] = [float(totals[u]) if u else 0.0 for u in unit]
    out.loc[(out["unit"] == "") & (n > 1e-9), "unit_incidents"] = np.nan
    return out
