"""Merging events the feed reports twice.

Two located events are duplicates when they have the same type, happened
within :data:`WINDOW` of each other, and either have the same text or are
located alike (same precision class, points at most :data:`DISTANCE_M`
apart). Duplicates chain (A~B and B~C merge all three). Each group keeps the
event with the lowest id; its ``merged_ids`` lists the others.

>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> g = gpd.GeoDataFrame({"incident_id": ["12", "7", "9"], "type": ["Rån"] * 3,
...     "date": pd.to_datetime(["2025-05-01 12:00", "2025-05-01 12:30", "2025-05-01 15:00"]),
...     "precision": ["street"] * 3}, geometry=[Point(0, 0), Point(10, 0), Point(0, 0)], crs="EPSG:3011")
>>> out = merge_duplicates(g, ["a", "b", "c"])
>>> list(out["incident_id"]), list(out["merged_ids"])
(['7', '9'], ['12', ''])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["DISTANCE_M", "WINDOW", "duplicate_groups", "merge_duplicates"]

logger = logging.getLogger(__name__)

#: Events further apart in time are never duplicates.
WINDOW = pd.Timedelta(hours=1)
#: Events located further apart (m) are duplicates only by their text.
DISTANCE_M = 25.0


def _id_key(incident_id: str) -> tuple[int, int, str]:
    """Sort key: numeric ids by value, before any other id."""
    return (0, int(incident_id), "") if incident_id.isdigit() else (1, 0, incident_id)


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _same(gdf: gpd.GeoDataFrame, texts: Sequence[str], i: int, j: int) -> bool:
    """Whether rows ``i`` and ``j`` (same type, within the window) are the same event."""
    if texts[i] == texts[j]:
        return True
    a, b = gdf.geometry.iloc[i], gdf.geometry.iloc[j]
    return bool(gdf["precision"].iloc[i] == gdf["precision"].iloc[j] and a.distance(b) <= DISTANCE_M)


def duplicate_groups(gdf: gpd.GeoDataFrame, texts: Sequence[str]) -> list[list[int]]:
    """Positions of the rows that are one event, in groups of two or more (rows without geometry never are).

    Parameters
    ----------
    gdf
        Events with ``incident_id``, ``type``, ``date``, ``precision`` and point geometry (projected, metres).
    texts
        Each row's report text, in the order of ``gdf``.
    """
    parent = list(range(len(gdf)))
    dates = pd.to_datetime(gdf["date"]).reset_index(drop=True)
    located = gdf.geometry.notna().to_numpy() & dates.notna().to_numpy()
    for _, pos in pd.Series(np.arange(len(gdf)))[located].groupby(gdf["type"].to_numpy()[located]):
        order = sorted(pos, key=lambda k: dates[k])
        for a, i in enumerate(order):
            for j in order[a + 1:]:
                if dates[j] - dates[i] > WINDOW:
                    break
                if _same(gdf, texts, i, j):
                    parent[_root(parent, j)] = _root(parent, i)
    groups: dict[int, list[int]] = {}
    for i in range(len(gdf)):
        groups.setdefault(_root(parent, i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def merge_duplicates(gdf: gpd.GeoDataFrame, texts: Sequence[str]) -> gpd.GeoDataFrame:
    """One row per event: each group of duplicates keeps its lowest id, with the others in ``merged_ids``.

    ``merged_ids`` is comma-separated, "" for an event reported once; the
    row order and index of the rows kept are unchanged. ``attrs["n_merged"]``
    is the number of rows merged away.
    """
    merged = np.full(len(gdf), "", dtype=object)
    drop = np.zeros(len(gdf), dtype=bool)
    for group in duplicate_groups(gdf, texts):
        ids = sorted(((str(gdf["incident_id"].iloc[k]), k) for k in group), key=lambda t: _id_key(t[0]))
        (_, keep), rest = ids[0], ids[1:]
        merged[keep] = ",".join(i for i, _ in rest)
        drop[[k for _, k in rest]] = True
    out = gdf.assign(merged_ids=merged)[~drop]
    out.attrs = {**gdf.attrs, "n_merged": int(drop.sum())}
    if drop.any():
        logger.info("merged %d duplicate events", int(drop.sum()))
    return out
