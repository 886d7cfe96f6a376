"""The ``[demand]`` section: what is worth seeing (incidents, street space, footfall)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from camsite.config._common import MAX_WEIGHT, MIN_SPACING_M, check

__all__ = ["DemandConfig", "FootfallConfig"]


@dataclass(frozen=True)
class FootfallConfig:
    """Points with a daily count of people, spread over nearby street demand."""

    path: str
    count_column: str = "daily_count"
    name_column: str | None = "stop_name"
    radius_m: float = 150.0
    weight_per_1000: float = 0.05
    source: str = ""
    #: Metro entrances (points; OSM railway=subway_entrance): a station's count is shared among its
    #: entrances within ``entrance_search_m`` and spread over the open space within ``square_radius_m``.
    entrances: str | None = None
    entrance_search_m: float = 300.0
    square_radius_m: float = 25.0
    #: Entrances of one station closer than this (single linkage) are one exit (ticket hall); each exit gets an
    #: equal share of the station's travellers and incidents.
    exit_merge_m: float = 60.0

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.radius_m > 0, "must be > 0", file=file, key=f"{key}.radius_m")
        check(0 <= self.exit_merge_m <= 500, "must be in [0, 500] m", file=file, key=f"{key}.exit_merge_m")
        check(self.entrance_search_m > 0, "must be > 0", file=file, key=f"{key}.entrance_search_m")
        check(self.square_radius_m > 0, "must be > 0", file=file, key=f"{key}.square_radius_m")
        check(self.weight_per_1000 >= 0, "must be >= 0", file=file, key=f"{key}.weight_per_1000")


@dataclass(frozen=True)
class DemandConfig:
    """What is worth seeing: incidents, street space and footfall."""

    snap_distance_m: float = 30.0
    street_spacing_m: float = 10.0
    street_weight_per_m: float = 0.01
    half_life_years: float | None = None
    reference_date: str | None = None
    #: Weight factor of incidents flagged ``indoor`` (a flat, a shop): cameras on the street do not see them.
    indoor_weight: float = 0.0
    #: An area-level incident without a district polygon is spread over street demand within this radius.
    area_spread_m: float = 150.0
    #: Demand this far outside the study area is kept where a camera sees it (None: the longest camera range).
    margin_m: float | None = None
    precision_factors: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "point": 1.0, "intersection": 1.0, "station": 0.75, "street": 0.5, "area": 0.25,
    }))
    footfall: FootfallConfig | None = None
    #: Radius (m) of an incident's position when its file gives no ``uncertainty_m``, per precision class;
    #: every class but street, station and area is spread over that disc (docs/assumptions.md).
    uncertainty_m: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "point": 0.0, "intersection": 25.0,
    }))
    #: Grid spacing (m) of the sample points over an incident's disc of uncertainty.
    uncertainty_spacing_m: float = 8.0
    #: Share of a station incident placed underground (counted in the total, seen by no street camera).
    underground_share: float = 0.5

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.snap_distance_m >= 0, "must be >= 0", file=file, key=f"{key}.snap_distance_m")
        check(1 <= self.uncertainty_spacing_m <= 100, "must be in [1, 100] m", file=file,
              key=f"{key}.uncertainty_spacing_m")
        check(0 <= self.underground_share <= 1, "must be in [0, 1]", file=file, key=f"{key}.underground_share")
        for k, v in self.uncertainty_m.items():
            check(0 <= v <= 1000, "must be in [0, 1000] m", file=file, key=f"{key}.uncertainty_m.{k}")
        check(self.street_spacing_m == 0 or self.street_spacing_m >= MIN_SPACING_M,
               f"must be 0 (street space off) or at least {MIN_SPACING_M:g} m: finer sampling adds points "
               "a camera cannot tell apart and may not fit in memory", file=file, key=f"{key}.street_spacing_m")
        check(0 <= self.indoor_weight <= 1, "must be in [0, 1]", file=file, key=f"{key}.indoor_weight")
        check(self.area_spread_m > 0, "must be > 0", file=file, key=f"{key}.area_spread_m")
        if self.margin_m is not None:
            check(0 <= self.margin_m <= 1000, "must be in [0, 1000] m", file=file, key=f"{key}.margin_m")
        check(0 <= self.street_weight_per_m <= MAX_WEIGHT, f"must be in [0, {MAX_WEIGHT:g}]", file=file,
               key=f"{key}.street_weight_per_m")
        if self.half_life_years is not None:
            check(self.half_life_years > 0, "must be > 0", file=file, key=f"{key}.half_life_years")
        for k, v in self.precision_factors.items():
            check(0 <= v <= 1, "must be in [0, 1]", file=file, key=f"{key}.precision_factors.{k}")
