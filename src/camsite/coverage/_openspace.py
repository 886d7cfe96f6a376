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

from camsite import areas
from camsite.config import Scenario
from camsite.demand import usable_edges

logger = logging.getLogger(__name__)

__all__ = ["corridors", "open_space", "read_buildings"]


def corridors(edges: gpd.GeoDataFrame, *, quad_segs: int = 4) -> BaseGeometry:
    """Union of the usable edges buffered by their ``half_width_m`` (round ends close the corners)."""
    use = usable_edges(edges)
    if use.empty:
        return shapely.Polygon()
    bufs = shapely.buffer(use.geometry.to_numpy(), use["half_width_m"].to_numpy(float), quad_segs=quad_segs)
    return shapely.union_all(bufs)


def read_buildings(scenario: Scenario) -> BaseGeometry | None:
    """The scenario's building footprints (``network.buildings``), or None."""
    path = scenario.network.buildings
    return None if not path else areas.read_polygons(scenario.resolve(path), crs=scenario.crs)


def open_space(network: Any, scenario: Scenario, *, buildings: BaseGeometry | None = None) -> BaseGeometry:
    """Street corridors plus ``network.open_areas``, minus building footprints.

    Parameters
    ----------
    network
        A :class:`camsite.network.Network` (``edges`` with ``half_width_m``).
    scenario
        Supplies the optional ``network.open_areas`` and ``network.buildings`` files.
    buildings
        Footprints to subtract; default: the scenario's ``network.buildings`` file if any.
    """
    space = corridors(network.edges)
    if scenario.network.open_areas:
        extra = areas.read_polygons(scenario.resolve(scenario.network.open_areas), crs=scenario.crs)
        space = shapely.union(space, extra)
    blds = buildings if buildings is not None else read_buildings(scenario)
    if blds is not None and not blds.is_empty:
        space = shapely.difference(space, blds)
    logger.info("open space: %.1f ha", space.area / 1e4)
    return space
