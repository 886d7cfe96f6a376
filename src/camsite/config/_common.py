"""What every section of a scenario shares: coordinate pairs, limits and the value checks."""

from __future__ import annotations

from camsite._schema import fail

__all__ = ["MAX_SWEEP_POINTS", "MAX_WEIGHT", "MIN_SPACING_M", "LonLat", "check", "check_latlon", "check_polygon"]

LonLat = tuple[float, float]

#: Smallest spacing (metres) of street-space samples and along-street candidates (0 turns them off).
MIN_SPACING_M = 1.0
#: Largest category or street weight: weights are relative, and larger ones overflow the solver's tolerances.
MAX_WEIGHT = 1e6
#: Most budgets in one sweep (each is an exact solve) and most stages in a staged plan.
MAX_SWEEP_POINTS = 200


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
