"""What every section of a scenario shares: coordinate pairs, limits and the value checks."""

from __future__ import annotations

import shapely

from camsite._schema import fail

__all__ = [
    "MAX_SWEEP_POINTS",
    "MAX_WEIGHT",
    "MAX_YEARS",
    "MAX_ZONE_BUFFER_M",
    "MIN_LIFETIME_YEARS",
    "MIN_SPACING_M",
    "LonLat",
    "check",
    "check_latlon",
    "check_polygon",
    "check_simple",
]

LonLat = tuple[float, float]

#: Smallest spacing (metres) of street-space samples and along-street candidates (0 turns them off).
MIN_SPACING_M = 1.0
#: Largest category or street weight: weights are relative, and larger ones overflow the solver's tolerances.
MAX_WEIGHT = 1e6
#: Most budgets in one sweep (each is an exact solve) and most stages in a staged plan.
MAX_SWEEP_POINTS = 200
#: Longest planning horizon and camera lifetime (years): the cost tables have one column per year.
MAX_YEARS = 100.0
#: Shortest camera lifetime (years, about five weeks): each replacement within the horizon is a purchase.
MIN_LIFETIME_YEARS = 0.1
#: Largest buffer (metres) around a zone given as a point: exclusion and do-not-view zones are places.
MAX_ZONE_BUFFER_M = 2000.0


def check(cond: bool, message: str, *, file: str | None, key: str) -> None:
    if not cond:
        fail(message, file=file, key=key)


def check_polygon(poly: tuple[LonLat, ...] | None, *, file: str | None, key: str) -> None:
    if poly is None:
        return
    check(len(poly) >= 3, "a polygon needs at least 3 [lon, lat] corners", file=file, key=key)
    for i, (lon, lat) in enumerate(poly):
        check(-180 <= lon <= 180 and -90 <= lat <= 90,
               f"corner {i} ({lon}, {lat}) is not a WGS84 [lon, lat] pair", file=file, key=key)


def check_latlon(point: LonLat | None, *, file: str | None, key: str) -> None:
    if point is not None:
        lat, lon = point
        check(-90 <= lat <= 90 and -180 <= lon <= 180, f"({lat}, {lon}) is not a WGS84 [lat, lon] pair",
               file=file, key=key)



def check_simple(poly: tuple[LonLat, ...] | None, *, file: str | None, key: str) -> None:
    """A polygon whose edges cross (a bow tie) has no clear inside: refuse it, naming where.

    >>> check_simple(((0, 0), (1, 1), (1, 0), (0, 1)), file=None, key="k")
    Traceback (most recent call last):
    camsite.errors.ConfigError: k: the polygon's edges cross near [0.5, 0.5] (Self-intersection): list the corners in order around the zone
    """
    if poly is None or len(poly) < 3:
        return
    shape = shapely.Polygon(poly)
    if shape.is_valid:
        return
    reason = shapely.is_valid_reason(shape)
    where = reason[reason.find("[") + 1:reason.rfind("]")].split() if "[" in reason else []
    near = f" near [{float(where[0]):g}, {float(where[1]):g}]" if len(where) >= 2 else ""
    fail(f"the polygon's edges cross{near} ({reason.split('[')[0]}): list the corners in order around the zone",
         file=file, key=key)
