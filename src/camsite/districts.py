"""District administration areas (``[[districts]]``) as polygons, and which one each point lies in.

Pure functions over the ``[boundaries] districts`` polygons (stadsdelar) that
:func:`camsite.areas.district_polygons` reads: a district is the union of its
stadsdelar; a point belongs to the first district whose polygon covers it
(boundaries included), ``-1`` when none does.

>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> from camsite.config import District
>>> frame = gpd.GeoDataFrame({"name": ["A", "B", "C"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
>>> areas = district_areas((District(name="west", stadsdelar=("a",)), District(name="east", stadsdelar=("B",))),
...                        frame, file=None)
>>> assign(gpd.GeoSeries([Point(0.5, 0.5), Point(1.5, 0.5), Point(5.5, 5.5)]), areas).tolist()
[0, 1, -1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite.config import District
from camsite.errors import InputError
from camsite.network import name_key

__all__ = ["DistrictAreas", "assign", "district_areas"]


@dataclass(frozen=True, eq=False)
class DistrictAreas:
    """The scenario's districts in order, each as one polygon in the working CRS."""

    districts: tuple[District, ...]
    polygons: tuple[BaseGeometry, ...]

    @property
    def names(self) -> list[str]:
        """The district ids, in the scenario's order."""
        return [d.name for d in self.districts]


def district_areas(districts: Sequence[District], stadsdelar: gpd.GeoDataFrame, *, file: str | None
                   ) -> DistrictAreas:
    """Each district's polygon: the union of its stadsdelar (``stadsdelar``: columns ``name``, geometry).

    Raises
    ------
    InputError
        A stadsdel the boundary file does not have, naming ``districts[i].stadsdelar`` in ``file``.
    """
    known = {name_key(str(n)): g for n, g in zip(stadsdelar["name"], stadsdelar.geometry, strict=True)}
    polys = []
    for i, d in enumerate(districts):
        missing = [s for s in d.stadsdelar if name_key(s) not in known]
        if missing:
            names = ", ".join(sorted(str(n) for n in stadsdelar["name"]))
            raise InputError(f"unknown stadsdel {missing[0]!r} (known: {names})", file=file,
                             where=f"districts[{i}].stadsdelar")
        polys.append(shapely.make_valid(shapely.union_all([known[name_key(s)] for s in d.stadsdelar])))
    return DistrictAreas(districts=tuple(districts), polygons=tuple(polys))


def assign(points: gpd.GeoSeries, areas: DistrictAreas) -> NDArray[np.int64]:
    """The district of each point (its index in ``areas``; the first whose polygon covers it), ``-1`` for none."""
    geoms = np.asarray(points.to_numpy() if hasattr(points, "to_numpy") else points, dtype=object)
    out = np.full(len(geoms), -1, dtype=np.int64)
    for k, poly in enumerate(areas.polygons):
        free = np.flatnonzero(out < 0)
        if free.size == 0:
            break
        hit = shapely.covers(poly, geoms[free])
        out[free[hit]] = k
    return out
