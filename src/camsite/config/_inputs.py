"""The input sections: study area, sub-areas, boundaries, street network, incident and camera layers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from camsite.config._common import LonLat, check, check_latlon, check_polygon

__all__ = ["CAMERA_FIELDS", "OWNERS", "Area", "Boundaries", "CameraLayer", "NetworkConfig", "PointLayer", "SubArea"]

#: The standard camera columns ``[existing_cameras] columns`` can map a file's columns to.
CAMERA_FIELDS: tuple[str, ...] = ("camera_id", "camera_type", "heading_deg", "height_m", "owner")
#: Who runs an existing camera (the ``owner`` column; "before" figures are split by it).
OWNERS: tuple[str, ...] = ("police", "city", "other")


@dataclass(frozen=True)
class Area:
    """The study area: district names, a polygon, a circle (``center`` [lat, lon] and ``radius_m``) or a file.

    ``districts`` name polygons of ``[boundaries] districts``; given with a
    ``polygon`` too, the study area is their intersection (e.g. the part of the
    districts the street network covers).
    """

    polygon: tuple[LonLat, ...] | None = None
    center: LonLat | None = None
    radius_m: float | None = None
    path: str | None = None
    districts: tuple[str, ...] | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        given = [self.polygon is not None, self.center is not None, self.path is not None]
        if self.districts is not None:
            check(len(self.districts) > 0, "give at least one district name", file=file, key=f"{key}.districts")
            check(self.center is None and self.path is None, "districts combine only with polygon (their "
                   "intersection)", file=file, key=f"{key}.districts")
            given = [True]
        check(sum(given) == 1, "give exactly one of districts, polygon, center (with radius_m) or path", file=file,
               key=key)
        check_polygon(self.polygon, file=file, key=f"{key}.polygon")
        check_latlon(self.center, file=file, key=f"{key}.center")
        if self.center is not None:
            check(self.radius_m is not None and self.radius_m > 0, "must be > 0 with center", file=file,
                   key=f"{key}.radius_m")


@dataclass(frozen=True)
class SubArea:
    """A named area for reporting (a forum's area, a mapped drug scene)."""

    name: str
    label: str = ""
    source: str = "illustrative"
    polygon: tuple[LonLat, ...] | None = None
    path: str | None = None
    districts: tuple[str, ...] | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        given = [self.polygon is not None, self.path is not None, self.districts is not None]
        check(sum(given) == 1, "give exactly one of polygon, path or districts", file=file, key=key)
        check_polygon(self.polygon, file=file, key=f"{key}.polygon")


@dataclass(frozen=True)
class Boundaries:
    """Administrative districts (stadsdelar) and water: polygons that study areas and maps use."""

    districts: str | None = None
    name_column: str = "name"
    water: str | None = None
    source: str = ""


@dataclass(frozen=True)
class NetworkConfig:
    """The street network and how street space is modelled."""

    path: str
    source: str = "OpenStreetMap"
    crs: str | None = None
    clip_buffer_m: float = 150.0
    exclude_highways: tuple[str, ...] = ("motorway", "motorway_link")
    default_half_width_m: float = 8.0
    half_width_m: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "trunk": 14.0, "primary": 13.0, "secondary": 12.0, "tertiary": 10.0, "unclassified": 8.0,
        "residential": 8.0, "living_street": 6.0, "pedestrian": 8.0, "service": 5.0, "footway": 3.0,
    }))
    open_areas: str | None = None
    buildings: str | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.clip_buffer_m >= 0, "must be >= 0", file=file, key=f"{key}.clip_buffer_m")
        check(self.default_half_width_m > 0, "must be > 0", file=file, key=f"{key}.default_half_width_m")
        for k, v in self.half_width_m.items():
            check(v > 0, "must be > 0", file=file, key=f"{key}.half_width_m.{k}")


@dataclass(frozen=True)
class PointLayer:
    """An incident layer: CSV, GeoJSON or GeoPackage points."""

    path: str
    name: str = "incidents"
    source: str = ""
    crs: str | None = None
    layer: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    id_column: str | None = None
    category_column: str = "category"
    default_category: str = "ovrigt"
    weight_column: str | None = None
    date_column: str | None = None
    precision_column: str | None = None


@dataclass(frozen=True)
class CameraLayer:
    """The existing cameras (the police's inventory is sensitive: point here to it)."""

    path: str
    source: str = ""
    crs: str | None = None
    layer: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    id_column: str | None = None
    type_column: str = "camera_type"
    heading_column: str = "heading_deg"
    #: Mounting height in metres (optional column; empty or absent: the camera type's ``height_m``).
    height_column: str = "height_m"
    default_type: str | None = None
    #: Who runs each camera (optional column): police, city or other (values mapped by ``owner_values``).
    owner_column: str = "owner"
    #: A file's own column names: standard name (:data:`CAMERA_FIELDS`) -> the file's column, e.g.
    #: ``{ camera_type = "kameratyp", heading_deg = "riktning" }``; overrides the ``*_column`` keys.
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The file's camera-type values -> scenario camera types, e.g. ``{ PTZ = "ptz_dome", fast = "fixed_1080p" }``.
    type_values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The file's owner values -> police, city or other, e.g. ``{ Polisen = "police", Stadsdelen = "city" }``.
    owner_values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def validate(self, *, file: str | None, key: str) -> None:
        for k in self.columns:
            check(k in CAMERA_FIELDS, f"not a camera column (one of {', '.join(CAMERA_FIELDS)})", file=file,
                  key=f"{key}.columns.{k}")
        for k, v in self.owner_values.items():
            check(v in OWNERS, f"must be one of {', '.join(OWNERS)}", file=file, key=f"{key}.owner_values.{k}")
