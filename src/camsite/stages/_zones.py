"""Do-not-view zones a run can use: no larger than the study area's bounding box with the cameras' reach.

A do-not-view zone is a place (an entrance, a care facility's door). The
masks are computed only near the candidates that could look into a zone, so
a zone's size costs no memory by itself, but a zone larger than everything a
camera of the study area can see is always a mistake (latitude and longitude
swapped, a buffer in the wrong unit, a district file given as a zone): every
view would be masked and the plan would be empty. Such a zone is refused on
one line naming its key.

>>> from shapely.geometry import Point, box
>>> from camsite.config import NoViewZone
>>> area = box(0, 0, 1000, 500)
>>> check_no_view_sizes((NoViewZone("door", point=(59.3, 18.0), buffer_m=15),), [Point(10, 10).buffer(15)],
...                     area=area, reach_m=50)
>>> check_no_view_sizes((NoViewZone("all", point=(59.3, 18.0), buffer_m=900),), [Point(10, 10).buffer(900)],
...                     area=area, reach_m=50)
Traceback (most recent call last):
camsite.errors.ConfigError: candidates.no_view[0].buffer_m: the zone 'all' covers 2.54 km², more than the study area's bounding box with the cameras' reach of 50 m around it (0.66 km²): a do-not-view zone is a place such as an entrance (a buffer in metres? a polygon as [lon, lat]?)
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from camsite.config import NoViewZone
from camsite.errors import ConfigError

__all__ = ["check_no_view_sizes", "no_view_limit_m2"]


def no_view_limit_m2(area: BaseGeometry, reach_m: float) -> float:
    """The largest area (m²) a do-not-view zone may cover: the study area's bounding box grown by ``reach_m``."""
    return float(shapely.envelope(area).buffer(max(reach_m, 0.0), join_style="mitre").area)


def check_no_view_sizes(zones: Sequence[NoViewZone], geometries: Sequence[BaseGeometry], *, area: BaseGeometry,
                        reach_m: float) -> None:
    """Raise a :class:`ConfigError` naming ``candidates.no_view[i]`` for a zone larger than :func:`no_view_limit_m2`.

    ``geometries`` are the zones in the working CRS (metres), in the order of ``zones``.
    """
    limit = no_view_limit_m2(area, reach_m)
    for i, (zone, geom) in enumerate(zip(zones, geometries, strict=True)):
        size = float(geom.area) if geom is not None else 0.0
        if size <= limit:
            continue
        part = "polygon" if zone.polygon is not None else "buffer_m" if zone.point is not None else "path"
        raise ConfigError(f"the zone {zone.name!r} covers {size / 1e6:.2f} km², more than the study area's bounding "
                          f"box with the cameras' reach of {reach_m:g} m around it ({limit / 1e6:.2f} km²): a "
                          "do-not-view zone is a place such as an entrance (a buffer in metres? a polygon as "
                          "[lon, lat]?)", where=f"candidates.no_view[{i}].{part}")
