"""The open space a camera can see through: street corridors, open areas, minus buildings.

>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> e = gpd.GeoDataFrame({"tunnel": [False, True], "excluded": [False, False], "half_width_m": [5.0, 5.0]},
...                      geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 50), (100, 50)])])
>>> round(corridors(e).area)  # the tunnel is no open space; round caps at both ends
1077
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from camsite.demand import usable_edges

logger = logging.getLogger(__name__)

__all__ = ["corridors", "open_space"]


def corridors(edges: gpd.GeoDataFrame, *, quad_segs: int = 4) -> BaseGeometry:
    """Union of the usable edges buffered by their ``half_width_m`` (round ends close the corners)."""
    use = usable_edges(edges)
    if use.empty:
        return shapely.Polygon()
    bufs = shapely.buffer(use.geometry.to_numpy(), use["half_width_m"].to_numpy(float), quad_segs=quad_segs)
    return shapely.union_all(bufs)


def open_space(network: Any, *, open_areas: BaseGeometry | None = None,
               buildings: BaseGeometry | None = None) -> BaseGeometry:
    """Street corridors plus ``open_areas``, minus ``buildings``.

    Parameters
    ----------
    network
        A :class:`camsite.network.Network` (``edges`` with ``half_width_m``).
    open_areas
        Squares, plazas and parks a camera can see across (polygons), or None.
    buildings
        Footprints a sight line cannot cross, or None.
    """
    space = corridors(network.edges)
    if open_areas is not None and not open_areas.is_empty:
        space = shapely.union(space, open_areas)
    if buildings is not None and not buildings.is_empty:
        space = shapely.difference(space, buildings)
    logger.info("open space: %.1f ha", space.area / 1e4)
    return space
