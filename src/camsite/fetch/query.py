"""What to fetch: an area (place, bounding box or point and distance) and a street filter.

>>> q = Query.from_bbox("59.3315,18.0280,59.3345,18.0340")
>>> q.bbox
(59.3315, 18.028, 59.3345, 18.034)
>>> q.area_key() == Query(bbox=(59.3315, 18.028, 59.3345, 18.034), network_type="walk").area_key()
True
>>> q.network_key() == Query(bbox=q.bbox, network_type="walk").network_key()
False
>>> q.describe()
'bbox S,W,N,E = 59.3315,18.028,59.3345,18.034'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from camsite.errors import InputError

__all__ = ["NETWORK_TYPES", "Query", "parse_floats"]

#: osmnx's network types ("all" includes footways and pedestrian streets).
NETWORK_TYPES = ("all", "all_public", "bike", "drive", "drive_service", "walk")

#: Bumped when the cached files change form, so old caches are not misread.
CACHE_VERSION = 1


def parse_floats(text: str, *, count: int, option: str) -> tuple[float, ...]:
    """Parse ``count`` comma-separated numbers given to a command-line ``option``.

    >>> parse_floats("59.33, 18.03", count=2, option="--point")
    (59.33, 18.03)
    >>> parse_floats("59.33", count=2, option="--point")
    Traceback (most recent call last):
    ...
    camsite.errors.InputError: --point: expected 2 numbers separated by commas, got '59.33'
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != count:
        raise InputError(f"expected {count} numbers separated by commas, got {text!r}", where=option)
    return values


def _digest(data: object) -> str:
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()[:16]  # a cache key, not security


@dataclass(frozen=True)
class Query:
    """An area to download and the street network filter.

    Give exactly one of ``place``, ``bbox`` (south, west, north, east in
    WGS84 degrees) or ``point`` (lat, lon) with ``dist_m`` (half the side of
    a square around it, metres).
    """

    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    point: tuple[float, float] | None = None
    dist_m: float | None = None
    network_type: str = "all"
    custom_filter: str | None = None

    def __post_init__(self) -> None:
        given = [self.place is not None, self.bbox is not None, self.point is not None]
        if sum(given) != 1:
            raise InputError("give exactly one of --place, --bbox or --point (with --dist)")
        if self.network_type not in NETWORK_TYPES:
            raise InputError(f"unknown network type {self.network_type!r} (use one of {', '.join(NETWORK_TYPES)})",
                             where="--network-type")
        self._check_bbox()
        self._check_point()

    def _check_bbox(self) -> None:
        if self.bbox is None:
            return
        s, w, n, e = self.bbox
        if not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
            raise InputError(f"{s},{w},{n},{e} is not south,west,north,east in degrees (south < north, "
                             "west < east)", where="--bbox")

    def _check_point(self) -> None:
        if self.point is None:
            if self.dist_m is not None:
                raise InputError("--dist goes with --point", where="--dist")
            return
        lat, lon = self.point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"{lat},{lon} is not a latitude,longitude pair", where="--point")
        if self.dist_m is None or self.dist_m <= 0:
            raise InputError("give --dist in metres (> 0) with --point", where="--dist")

    @classmethod
    def from_bbox(cls, text: str, **kwargs: Any) -> Query:
        """A query for ``"S,W,N,E"`` (as given to ``--bbox``)."""
        s, w, n, e = parse_floats(text, count=4, option="--bbox")
        return cls(bbox=(s, w, n, e), **kwargs)

    @classmethod
    def from_point(cls, text: str, dist_m: float | None, **kwargs: Any) -> Query:
        """A query for ``"LAT,LON"`` (as given to ``--point``) and a distance in metres."""
        lat, lon = parse_floats(text, count=2, option="--point")
        return cls(point=(lat, lon), dist_m=dist_m, **kwargs)

    def area(self) -> dict[str, object]:
        """The area part of the query, as plain data."""
        if self.place is not None:
            return {"place": " ".join(self.place.split()).lower()}
        if self.bbox is not None:
            return {"bbox": [round(v, 7) for v in self.bbox]}
        return {"point": [round(v, 7) for v in self.point or ()], "dist_m": self.dist_m}

    def area_key(self) -> str:
        """Cache key of the area (buildings and cameras depend on it only)."""
        return _digest({"v": CACHE_VERSION, **self.area()})

    def network_key(self) -> str:
        """Cache key of the street network: the area and the filter."""
        flt = {"custom_filter": self.custom_filter} if self.custom_filter else {"network_type": self.network_type}
        return _digest({"v": CACHE_VERSION, **self.area(), **flt})

    def describe(self) -> str:
        """The area in words, for messages."""
        if self.place is not None:
            return f"place {self.place!r}"
        if self.bbox is not None:
            return "bbox S,W,N,E = " + ",".join(f"{v:g}" for v in self.bbox)
        lat, lon = self.point or (0.0, 0.0)
        return f"{self.dist_m:g} m around {lat:g},{lon:g}"
