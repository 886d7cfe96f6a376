"""The ``[candidates]`` section: where new cameras may go, exclusion zones and zones no camera may see."""

from __future__ import annotations

from dataclasses import dataclass

from camsite.config._common import (
    MAX_ZONE_BUFFER_M,
    MIN_SPACING_M,
    LonLat,
    check,
    check_latlon,
    check_polygon,
    check_simple,
)

__all__ = ["CandidateConfig", "Exclusion", "NoViewZone"]


@dataclass(frozen=True)
class NoViewZone:
    """A place no camera may look into (a care facility's entrance): polygon, or point [lat, lon] + buffer."""

    name: str
    label: str = ""
    polygon: tuple[LonLat, ...] | None = None
    point: LonLat | None = None
    buffer_m: float = 15.0
    path: str | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        given = [self.polygon is not None, self.point is not None, self.path is not None]
        check(sum(given) == 1, "give exactly one of polygon, point or path", file=file, key=key)
        check_polygon(self.polygon, file=file, key=f"{key}.polygon")
        check_simple(self.polygon, file=file, key=f"{key}.polygon")
        check_latlon(self.point, file=file, key=f"{key}.point")
        check(self.buffer_m >= 0, "must be >= 0", file=file, key=f"{key}.buffer_m")
        check(self.buffer_m <= MAX_ZONE_BUFFER_M, f"must be at most {MAX_ZONE_BUFFER_M:g} metres (a zone is a place, "
               "such as an entrance; a larger one is a study-area question)", file=file, key=f"{key}.buffer_m")


@dataclass(frozen=True)
class Exclusion(NoViewZone):
    """A zone where new cameras may not go (or cost a penalty): polygon, or point [lat, lon] + buffer."""

    buffer_m: float = 25.0
    penalty_sek: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        super().validate(file=file, key=key)
        if self.penalty_sek is not None:
            check(self.penalty_sek >= 0, "must be >= 0", file=file, key=f"{key}.penalty_sek")


@dataclass(frozen=True)
class CandidateConfig:
    """Where new cameras may go."""

    intersections: bool = True
    spacing_m: float = 20.0
    mounting_points: str | None = None
    camera_types: tuple[str, ...] | None = None
    min_distance_to_existing_m: float = 15.0
    exclusions: tuple[Exclusion, ...] = ()
    #: Zones no camera's view may include; ``no_view_mode`` "mask" cuts them out of the view (a camera
    #: whose masked view keeps less than ``min_view_share`` of its demand is dropped), "forbid" drops
    #: every camera that would see into one.
    no_view: tuple[NoViewZone, ...] = ()
    no_view_mode: str = "mask"
    min_view_share: float = 0.5
    #: Where a site stands: ``"edge"`` (façade or pole line at the street's edge, corners at intersections,
    #: ``mount_inset_m`` inside the corridor; camsite.mounts) or ``"centreline"`` (on the centreline, as before).
    mount: str = "edge"
    mount_inset_m: float = 0.5
    #: A layer of sensitive places (camsite.sensitive): each located place is a do-not-view zone of its own.
    sensitive_places: str | None = None
    #: A building or residential-landuse polygon layer; its façades are masked ("mask") or make a view that
    #: reaches one cost ``residential_penalty_sek`` more ("cost").
    residential: str | None = None
    residential_mode: str = "mask"
    residential_facade_m: float = 3.0
    residential_penalty_sek: float = 50000.0

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.mount in ("edge", "centreline"), 'must be "edge" or "centreline"', file=file, key=f"{key}.mount")
        check(self.mount_inset_m >= 0, "must be >= 0", file=file, key=f"{key}.mount_inset_m")
        check(self.spacing_m == 0 or self.spacing_m >= MIN_SPACING_M,
               f"must be 0 (intersections and mounting points only) or at least {MIN_SPACING_M:g} m: finer spacing "
               "adds candidates a camera mount cannot tell apart and may not fit in memory", file=file,
               key=f"{key}.spacing_m")
        check(self.min_distance_to_existing_m >= 0, "must be >= 0", file=file, key=f"{key}.min_distance_to_existing_m")
        check(self.no_view_mode in ("mask", "forbid"), "must be \"mask\" or \"forbid\"", file=file,
               key=f"{key}.no_view_mode")
        check(0 <= self.min_view_share <= 1, "must be in [0, 1]", file=file, key=f"{key}.min_view_share")
        check(self.residential_mode in ("mask", "cost"), "must be \"mask\" or \"cost\"", file=file,
              key=f"{key}.residential_mode")
        check(self.residential_facade_m > 0, "must be > 0", file=file, key=f"{key}.residential_facade_m")
        check(self.residential_penalty_sek >= 0, "must be >= 0", file=file, key=f"{key}.residential_penalty_sek")
