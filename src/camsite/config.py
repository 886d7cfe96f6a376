"""Scenario files: one TOML file, validated once into a frozen :class:`Scenario`.

Relative paths in a scenario are relative to the scenario file's folder.
Coordinates in a scenario (polygons, points) are WGS84 longitude/latitude,
except ``center`` and ``point`` which are ``[lat, lon]`` as a planner reads
them off a web map.

>>> s = loads('''
... name = "demo"
... [study_area]
... center = [59.3330, 18.0308]
... radius_m = 500
... [network]
... path = "net.graphml"
... [[camera_types]]
... name = "dome"
... range_m = 40
... capex_sek = 50000
... opex_sek_per_year = 5000
... [optimization]
... budget_sek = 200000
... ''', file="demo.toml")
>>> s.camera_types[0].cost_sek(s.optimization.horizon_years)
70000.0
>>> s.optimization.solver
'highs'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from camsite._schema import build, fail
from camsite.errors import ConfigError
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS, SOLVER_NAMES, category_key

__all__ = [
    "Area",
    "CameraLayer",
    "CameraType",
    "CandidateConfig",
    "DemandConfig",
    "Exclusion",
    "FootfallConfig",
    "LevelValues",
    "NetworkConfig",
    "OptimizationConfig",
    "OutputConfig",
    "PointLayer",
    "QualityConfig",
    "Scenario",
    "Stage",
    "SubArea",
    "SweepConfig",
    "load",
    "loads",
    "override",
    "revalidate",
    "to_data",
]

LonLat = tuple[float, float]

#: Smallest spacing (metres) of street-space samples and along-street candidates (0 turns them off).
MIN_SPACING_M = 1.0
#: Largest category or street weight: weights are relative, and larger ones overflow the solver's tolerances.
MAX_WEIGHT = 1e6
#: Most budgets in one sweep (each is an exact solve) and most stages in a staged plan.
MAX_SWEEP_POINTS = 200


def _check(cond: bool, message: str, *, file: str | None, key: str) -> None:
    if not cond:
        fail(message, file=file, key=key)


def _check_polygon(poly: tuple[LonLat, ...] | None, *, file: str | None, key: str) -> None:
    if poly is None:
        return
    _check(len(poly) >= 3, "a polygon needs at least 3 [lon, lat] corners", file=file, key=key)
    for i, (lon, lat) in enumerate(poly):
        _check(-180 <= lon <= 180 and -90 <= lat <= 90,
               f"corner {i} ({lon}, {lat}) is not a WGS84 [lon, lat] pair", file=file, key=key)


def _check_latlon(point: LonLat | None, *, file: str | None, key: str) -> None:
    if point is not None:
        lat, lon = point
        _check(-90 <= lat <= 90 and -180 <= lon <= 180, f"({lat}, {lon}) is not a WGS84 [lat, lon] pair",
               file=file, key=key)


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
            _check(len(self.districts) > 0, "give at least one district name", file=file, key=f"{key}.districts")
            _check(self.center is None and self.path is None, "districts combine only with polygon (their "
                   "intersection)", file=file, key=f"{key}.districts")
            given = [True]
        _check(sum(given) == 1, "give exactly one of districts, polygon, center (with radius_m) or path", file=file,
               key=key)
        _check_polygon(self.polygon, file=file, key=f"{key}.polygon")
        _check_latlon(self.center, file=file, key=f"{key}.center")
        if self.center is not None:
            _check(self.radius_m is not None and self.radius_m > 0, "must be > 0 with center", file=file,
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
        _check(sum(given) == 1, "give exactly one of polygon, path or districts", file=file, key=key)
        _check_polygon(self.polygon, file=file, key=f"{key}.polygon")


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
        _check(self.clip_buffer_m >= 0, "must be >= 0", file=file, key=f"{key}.clip_buffer_m")
        _check(self.default_half_width_m > 0, "must be > 0", file=file, key=f"{key}.default_half_width_m")
        for k, v in self.half_width_m.items():
            _check(v > 0, "must be > 0", file=file, key=f"{key}.half_width_m.{k}")


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


@dataclass(frozen=True)
class CameraType:
    """A camera model: what it sees and what it costs."""

    name: str
    range_m: float
    capex_sek: float
    label: str = ""
    fov_deg: float = 360.0
    opex_sek_per_year: float = 0.0
    height_m: float | None = None
    source: str = ""
    #: Years a camera lasts before it must be replaced (None: longer than any horizon).
    lifetime_years: float | None = None
    # -- graded coverage ([quality] coverage = "graded"; :mod:`camsite.coverage.quality`) --
    #: Horizontal pixels of the image (1920 for 1080p); needed by graded coverage.
    resolution_px: float | None = None
    #: All-round (PTZ) types: the angle of view of one preset (default its sector, 360 / ``presets``);
    #: a fixed type's image is its ``fov_deg``.
    lens_deg: float | None = None
    #: An all-round (PTZ) type shows one of ``presets`` equal sectors at a time.
    presets: int = 4
    #: Share of the time a patrolling PTZ dome shows each preset (default 1 / ``presets``).
    patrol_share: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        _check(self.range_m > 0, "must be > 0", file=file, key=f"{key}.range_m")
        if self.resolution_px is not None:
            _check(self.resolution_px > 0, "must be > 0 (horizontal pixels, e.g. 1920)", file=file,
                   key=f"{key}.resolution_px")
        if self.lens_deg is not None:
            _check(0 < self.lens_deg < 180, "must be in (0, 180) degrees", file=file, key=f"{key}.lens_deg")
            _check(self.fov_deg >= 360, "only for all-round (PTZ) types: a fixed camera's image is its fov_deg",
                   file=file, key=f"{key}.lens_deg")
        _check(1 <= self.presets <= 36, "must be in [1, 36]", file=file, key=f"{key}.presets")
        if self.patrol_share is not None:
            _check(0 < self.patrol_share <= 1, "must be in (0, 1]", file=file, key=f"{key}.patrol_share")
        if self.lifetime_years is not None:
            _check(self.lifetime_years > 0, "must be > 0", file=file, key=f"{key}.lifetime_years")
        _check(0 < self.fov_deg <= 360, "must be in (0, 360]", file=file, key=f"{key}.fov_deg")
        _check(self.capex_sek >= 0, "must be >= 0", file=file, key=f"{key}.capex_sek")
        _check(self.opex_sek_per_year >= 0, "must be >= 0", file=file, key=f"{key}.opex_sek_per_year")
        if self.height_m is not None:
            _check(self.height_m > 0, "must be > 0", file=file, key=f"{key}.height_m")

    def cost_sek(self, horizon_years: float, applies_to: str = "total") -> float:
        """Cost of one camera as ``budget_sek`` counts it (:func:`camsite.costs.budget_cost`).

        ``"total"``: capex (again at each replacement within the horizon) + years × opex.
        """
        from camsite.costs import budget_cost

        return float(budget_cost([self.capex_sek], [self.opex_sek_per_year], [self.lifetime_years or math.inf],
                                 horizon_years=horizon_years, applies_to=applies_to)[0])


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
        _check(self.radius_m > 0, "must be > 0", file=file, key=f"{key}.radius_m")
        _check(0 <= self.exit_merge_m <= 500, "must be in [0, 500] m", file=file, key=f"{key}.exit_merge_m")
        _check(self.entrance_search_m > 0, "must be > 0", file=file, key=f"{key}.entrance_search_m")
        _check(self.square_radius_m > 0, "must be > 0", file=file, key=f"{key}.square_radius_m")
        _check(self.weight_per_1000 >= 0, "must be >= 0", file=file, key=f"{key}.weight_per_1000")


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
        _check(self.snap_distance_m >= 0, "must be >= 0", file=file, key=f"{key}.snap_distance_m")
        _check(1 <= self.uncertainty_spacing_m <= 100, "must be in [1, 100] m", file=file,
               key=f"{key}.uncertainty_spacing_m")
        _check(0 <= self.underground_share <= 1, "must be in [0, 1]", file=file, key=f"{key}.underground_share")
        for k, v in self.uncertainty_m.items():
            _check(0 <= v <= 1000, "must be in [0, 1000] m", file=file, key=f"{key}.uncertainty_m.{k}")
        _check(self.street_spacing_m == 0 or self.street_spacing_m >= MIN_SPACING_M,
               f"must be 0 (street space off) or at least {MIN_SPACING_M:g} m: finer sampling adds points "
               "a camera cannot tell apart and may not fit in memory", file=file, key=f"{key}.street_spacing_m")
        _check(0 <= self.indoor_weight <= 1, "must be in [0, 1]", file=file, key=f"{key}.indoor_weight")
        _check(self.area_spread_m > 0, "must be > 0", file=file, key=f"{key}.area_spread_m")
        if self.margin_m is not None:
            _check(0 <= self.margin_m <= 1000, "must be in [0, 1000] m", file=file, key=f"{key}.margin_m")
        _check(0 <= self.street_weight_per_m <= MAX_WEIGHT, f"must be in [0, {MAX_WEIGHT:g}]", file=file,
               key=f"{key}.street_weight_per_m")
        if self.half_life_years is not None:
            _check(self.half_life_years > 0, "must be > 0", file=file, key=f"{key}.half_life_years")
        for k, v in self.precision_factors.items():
            _check(0 <= v <= 1, "must be in [0, 1]", file=file, key=f"{key}.precision_factors.{k}")


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
        _check(sum(given) == 1, "give exactly one of polygon, point or path", file=file, key=key)
        _check_polygon(self.polygon, file=file, key=f"{key}.polygon")
        _check_latlon(self.point, file=file, key=f"{key}.point")
        _check(self.buffer_m >= 0, "must be >= 0", file=file, key=f"{key}.buffer_m")


@dataclass(frozen=True)
class Exclusion(NoViewZone):
    """A zone where new cameras may not go (or cost a penalty): polygon, or point [lat, lon] + buffer."""

    buffer_m: float = 25.0
    penalty_sek: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        super().validate(file=file, key=key)
        if self.penalty_sek is not None:
            _check(self.penalty_sek >= 0, "must be >= 0", file=file, key=f"{key}.penalty_sek")


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

    def validate(self, *, file: str | None, key: str) -> None:
        _check(self.spacing_m == 0 or self.spacing_m >= MIN_SPACING_M,
               f"must be 0 (intersections and mounting points only) or at least {MIN_SPACING_M:g} m: finer spacing "
               "adds candidates a camera mount cannot tell apart and may not fit in memory", file=file,
               key=f"{key}.spacing_m")
        _check(self.min_distance_to_existing_m >= 0, "must be >= 0", file=file, key=f"{key}.min_distance_to_existing_m")
        _check(self.no_view_mode in ("mask", "forbid"), "must be \"mask\" or \"forbid\"", file=file,
               key=f"{key}.no_view_mode")
        _check(0 <= self.min_view_share <= 1, "must be in [0, 1]", file=file, key=f"{key}.min_view_share")


@dataclass(frozen=True)
class SweepConfig:
    """Budgets for the coverage-budget curve: a list, or start/stop/step."""

    budgets: tuple[float, ...] = ()
    start: float | None = None
    stop: float | None = None
    step: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        start, stop, step = self.start, self.stop, self.step
        if start is not None or stop is not None or step is not None:
            if start is None or stop is None or step is None:
                fail("give start, stop and step together", file=file, key=key)
            _check(step > 0 and stop >= start >= 0, "need 0 <= start <= stop and step > 0", file=file, key=key)
        else:
            _check(len(self.budgets) > 0, "give budgets or start/stop/step", file=file, key=key)
        for i, b in enumerate(self.budgets):
            _check(b >= 0, "must be >= 0", file=file, key=f"{key}.budgets[{i}]")
        n = len(self.values())
        _check(n <= MAX_SWEEP_POINTS, f"gives {n:,} budgets; at most {MAX_SWEEP_POINTS} (each is an exact solve: "
               "use a larger step)", file=file, key=key)

    def values(self) -> tuple[float, ...]:
        """The budgets, sorted ascending and without repeats."""
        vals = list(self.budgets)
        if self.start is not None and self.stop is not None and self.step is not None:
            n = math.floor((self.stop - self.start) / self.step + 1e-9)
            vals += [self.start + i * self.step for i in range(n + 1)]
        return tuple(sorted({float(v) for v in vals}))


@dataclass(frozen=True)
class Stage:
    """One year of a staged rollout: the money for the sites added that year (counted as ``budget_sek`` is)."""

    year: int
    budget_sek: float

    def validate(self, *, file: str | None, key: str) -> None:
        _check(1900 <= self.year <= 2200, "must be a year", file=file, key=f"{key}.year")
        _check(self.budget_sek > 0, "must be > 0", file=file, key=f"{key}.budget_sek")


@dataclass(frozen=True)
class OptimizationConfig:
    """The budget, the model's side constraints and the solver."""

    budget_sek: float
    horizon_years: float = 4.0
    solver: str = "highs"
    time_limit_s: float | None = 300.0
    backup_weight: float = 0.0
    min_spacing_m: float = 0.0
    forced_sites: tuple[str, ...] = ()
    forbidden_sites: tuple[str, ...] = ()
    max_per_type: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    budget_sweep: SweepConfig | None = None
    #: A staged rollout: ``[{ year = 2027, budget_sek = ... }, ...]``, or budgets alone (years ``start_year``,
    #: ``start_year + 1``, ...); see :meth:`stage_plan`.
    stages: tuple[Stage | float, ...] = ()
    greedy: bool = True
    lp_bound: bool = True
    # -- which question (issue 14, part 1) ---------------------------------------------------------------
    #: ``"max_coverage"`` (most coverage within ``budget_sek``) or ``"min_cost"`` (cheapest plan reaching a target).
    objective: str = "max_coverage"
    #: min_cost: the share (0-1) of the incident weight to cover.
    target_incident_share: float | None = None
    #: min_cost: a share (0-1) per incident category that must be covered.
    target_category_shares: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: min_cost: places that must be covered too: ``"none"``, ``"subareas"`` (each sub-area to the target)
    #: or ``"clusters"`` (incident clusters).
    hotspots: str = "none"
    # -- costs over time (issue 14, part 2) ------------------------------------------------------------------
    #: First year of the plan (None: the current year).
    start_year: int | None = None
    #: Yearly discount rate for the present value (0: none, the municipal convention when unsure).
    discount_rate: float = 0.0
    #: What ``budget_sek`` limits: ``"total"`` (capex + opex over the horizon, the default),
    #: ``"investment"`` (capex in the first year) or ``"yearly"`` (each year's capex + opex).
    budget_applies_to: str = "total"

    def validate(self, *, file: str | None, key: str) -> None:
        _check(self.budget_sek > 0, "must be > 0", file=file, key=f"{key}.budget_sek")
        _check(self.objective in ("max_coverage", "min_cost"), 'must be "max_coverage" or "min_cost"', file=file,
               key=f"{key}.objective")
        if self.target_incident_share is not None:
            _check(0 < self.target_incident_share <= 1, "must be in (0, 1] (a share, e.g. 0.5)", file=file,
                   key=f"{key}.target_incident_share")
        for k, v in self.target_category_shares.items():
            _check(0 <= v <= 1, "must be in [0, 1] (a share)", file=file, key=f"{key}.target_category_shares.{k}")
        _check(self.hotspots in ("none", "subareas", "clusters"), 'must be "none", "subareas" or "clusters"',
               file=file, key=f"{key}.hotspots")
        if self.objective == "min_cost":
            _check(self.target_incident_share is not None or bool(self.target_category_shares)
                   or self.hotspots != "none", "min_cost needs a target: target_incident_share, "
                   "target_category_shares or hotspots", file=file, key=f"{key}.objective")
        if self.start_year is not None:
            _check(1900 <= self.start_year <= 2200, "must be a year", file=file, key=f"{key}.start_year")
        _check(0 <= self.discount_rate < 1, "must be in [0, 1) (e.g. 0.03 for 3 %)", file=file,
               key=f"{key}.discount_rate")
        _check(self.budget_applies_to in ("total", "investment", "yearly"),
               'must be "total", "investment" or "yearly"', file=file, key=f"{key}.budget_applies_to")
        _check(self.horizon_years >= 0, "must be >= 0", file=file, key=f"{key}.horizon_years")
        _check(self.solver in SOLVER_NAMES, "must be " + " or ".join(f'"{n}"' for n in SOLVER_NAMES), file=file,
               key=f"{key}.solver")
        if self.time_limit_s is not None:
            _check(self.time_limit_s > 0, "must be > 0", file=file, key=f"{key}.time_limit_s")
        _check(self.backup_weight >= 0, "must be >= 0", file=file, key=f"{key}.backup_weight")
        _check(self.min_spacing_m >= 0, "must be >= 0", file=file, key=f"{key}.min_spacing_m")
        for k, v in self.max_per_type.items():
            _check(v >= 0, "must be >= 0", file=file, key=f"{key}.max_per_type.{k}")
        for i, b in enumerate(self.stages):
            if not isinstance(b, Stage):
                _check(b > 0, "must be > 0", file=file, key=f"{key}.stages[{i}]")
        _check(len(self.stages) <= MAX_SWEEP_POINTS, f"at most {MAX_SWEEP_POINTS} stages", file=file,
               key=f"{key}.stages")
        plan = self.stage_plan()
        for i in range(1, len(plan)):
            _check(plan[i].year > plan[i - 1].year, "stages need increasing years (one stage per year)", file=file,
                   key=f"{key}.stages[{i}]")
        if plan:
            _check(plan[0].year >= self.first_year(), f"is before start_year {self.first_year()}", file=file,
                   key=f"{key}.stages[0]")
            _check(plan[-1].year < self.first_year() + max(1, math.ceil(self.horizon_years)),
                   "is after the planning horizon (start_year + horizon_years)", file=file,
                   key=f"{key}.stages[{len(plan) - 1}]")

    def first_year(self) -> int:
        """``start_year``, or the current year when it is not given."""
        return self.start_year if self.start_year is not None else dt.date.today().year

    def stage_plan(self) -> tuple[Stage, ...]:
        """The stages with their years: plain budgets get ``start_year``, ``start_year + 1``, ...

        >>> OptimizationConfig(budget_sek=1, start_year=2027, stages=(5.0, 7.0)).stage_plan()
        (Stage(year=2027, budget_sek=5.0), Stage(year=2028, budget_sek=7.0))
        """
        first = self.first_year()
        return tuple(s if isinstance(s, Stage) else Stage(first + i, float(s)) for i, s in enumerate(self.stages))


@dataclass(frozen=True)
class LevelValues:
    """The value of seeing a demand point at each EN 62676-4 level (0 to 1, not falling with quality)."""

    identify: float = 1.0
    recognise: float = 0.8
    observe: float = 0.5
    detect: float = 0.2

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Values from the lowest level up: detect, observe, recognise, identify."""
        return (self.detect, self.observe, self.recognise, self.identify)

    def validate(self, *, file: str | None, key: str) -> None:
        for name, v in zip(("detect", "observe", "recognise", "identify"), self.as_tuple()):
            _check(0 <= v <= 1, "must be in [0, 1]", file=file, key=f"{key}.{name}")
        vals = self.as_tuple()
        for lo, hi, name in zip(vals, vals[1:], ("observe", "recognise", "identify")):
            _check(hi >= lo, "must be at least the value of the level below it (a better image is worth no less)",
                   file=file, key=f"{key}.{name}")


#: What a PTZ dome does: ``patrol`` (cycles its presets, each seen a share of the time) or ``guard``
#: (held on one sector, chosen by the optimiser like a fixed camera's heading).
PTZ_MODES = ("patrol", "guard")


@dataclass(frozen=True)
class QualityConfig:
    """How a camera's view is valued: binary (seen or not) or graded by EN 62676-4 image quality."""

    coverage: str = "binary"
    ptz: str = "patrol"
    incident: LevelValues = field(default_factory=LevelValues)
    footfall: LevelValues = field(default_factory=LevelValues)
    street: LevelValues = field(default_factory=lambda: LevelValues(detect=0.0))

    def validate(self, *, file: str | None, key: str) -> None:
        _check(self.coverage in ("binary", "graded"), 'must be "binary" or "graded"', file=file,
               key=f"{key}.coverage")
        _check(self.ptz in PTZ_MODES, 'must be "patrol" or "guard"', file=file, key=f"{key}.ptz")


@dataclass(frozen=True)
class RobustnessConfig:
    """``[robustness]``: how ``camsite robustness`` perturbs the scenario (docs/robustness.md)."""

    bootstrap: bool = True
    jitter: bool = True
    weights: bool = True
    ranges: bool = True
    weight_low: float = 0.5
    weight_high: float = 2.0
    range_pct: float = 20.0
    cost_pct: float = 20.0
    #: Radius an incident moves within; None: each incident's recorded ``uncertainty_m`` (or its class's default).
    jitter_m: float | None = None
    stable_share: float = 0.8

    def validate(self, *, file: str | None, key: str) -> None:
        _check(0 < self.weight_low <= 1, "must be in (0, 1]", file=file, key=f"{key}.weight_low")
        _check(1 <= self.weight_high <= 100, "must be in [1, 100]", file=file, key=f"{key}.weight_high")
        for name in ("range_pct", "cost_pct"):
            _check(0 <= getattr(self, name) < 100, "must be in [0, 100)", file=file, key=f"{key}.{name}")
        if self.jitter_m is not None:
            _check(0 <= self.jitter_m <= 1000, "must be in [0, 1000] metres", file=file, key=f"{key}.jitter_m")
        _check(0 < self.stable_share <= 1, "must be a share in (0, 1]", file=file, key=f"{key}.stable_share")


@dataclass(frozen=True)
class OutputConfig:
    """Where and how results are written (``dir`` is relative to the working directory)."""

    dir: str | None = None
    lang: str = "sv"
    include_incidents: bool = False

    def validate(self, *, file: str | None, key: str) -> None:
        _check(self.lang in ("sv", "en"), "must be \"sv\" or \"en\"", file=file, key=f"{key}.lang")


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, validated. Build it with :func:`load` or :func:`loads`."""

    name: str
    study_area: Area
    network: NetworkConfig
    camera_types: tuple[CameraType, ...]
    optimization: OptimizationConfig
    title: str = ""
    description: str = ""
    crs: str = "EPSG:3011"
    subareas: tuple[SubArea, ...] = ()
    incidents: tuple[PointLayer, ...] = ()
    category_weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CATEGORY_WEIGHTS)
    existing_cameras: CameraLayer | None = None
    boundaries: Boundaries | None = None
    demand: DemandConfig = field(default_factory=DemandConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    robustness: RobustnessConfig = field(default_factory=RobustnessConfig)
    #: The file this scenario was read from (not a TOML key).
    source_file: str | None = field(default=None, metadata={"toml": False})

    def __post_init__(self) -> None:
        """Category keys as incidents get them: ``Våld`` and ``vald`` are one category."""
        folded: dict[str, float] = {}
        for k, v in self.category_weights.items():
            ck = category_key(k)
            if ck in folded:
                fail(f"category {ck!r} is given twice (as {ck!r} and {k!r})", file=self.source_file,
                     key=f"category_weights.{k}")
            folded[ck] = v
        if list(folded) != list(self.category_weights):
            object.__setattr__(self, "category_weights", MappingProxyType(folded))

    def validate(self, *, file: str | None, key: str) -> None:
        _check(len(self.camera_types) > 0, "give at least one [[camera_types]]", file=file, key="camera_types")
        names = [c.name for c in self.camera_types]
        for i, n in enumerate(names):
            _check(names.index(n) == i, f"camera type {n!r} is defined twice", file=file, key=f"camera_types[{i}].name")
        for k, v in self.category_weights.items():
            _check(0 <= v <= MAX_WEIGHT, f"must be in [0, {MAX_WEIGHT:g}] (weights are relative: 1 is an ordinary "
                   "incident)", file=file, key=f"category_weights.{k}")
        has_districts = self.boundaries is not None and self.boundaries.districts is not None
        if self.study_area.districts is not None:
            _check(has_districts, "needs [boundaries] districts (a file of district polygons)", file=file,
                   key="study_area.districts")
        for i, sub in enumerate(self.subareas):
            if sub.districts is not None:
                _check(has_districts, "needs [boundaries] districts (a file of district polygons)", file=file,
                       key=f"subareas[{i}].districts")
        offered = self.candidates.camera_types or ()
        for i, n in enumerate(offered):
            _check(n in names, f"unknown camera type {n!r} (known: {', '.join(names)})", file=file,
                   key=f"candidates.camera_types[{i}]")
        for n in self.optimization.max_per_type:
            _check(n in names, f"unknown camera type {n!r} (known: {', '.join(names)})", file=file,
                   key=f"optimization.max_per_type.{n}")
        if self.quality.coverage == "graded":
            for i, c in enumerate(self.camera_types):
                _check(c.resolution_px is not None, 'needed by quality.coverage = "graded" (horizontal pixels, '
                       'e.g. 1920), or set quality.coverage = "binary"', file=file, key=f"camera_types[{i}].resolution_px")
        cam = self.existing_cameras
        if cam is not None and cam.default_type is not None:
            _check(cam.default_type in names, f"unknown camera type {cam.default_type!r} (known: {', '.join(names)})",
                   file=file, key="existing_cameras.default_type")
        subs = [s.name for s in self.subareas]
        for i, n in enumerate(subs):
            _check(subs.index(n) == i, f"sub-area {n!r} is defined twice", file=file, key=f"subareas[{i}].name")

    # -- helpers -----------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the scenario are relative to."""
        return Path(self.source_file).resolve().parent if self.source_file else Path.cwd()

    def resolve(self, path: str | Path) -> Path:
        """Resolve a path from the scenario against :attr:`base_dir`."""
        p = Path(path).expanduser()
        return (p if p.is_absolute() else self.base_dir / p).resolve()

    def camera_type(self, name: str) -> CameraType:
        """The camera type called ``name``."""
        for c in self.camera_types:
            if c.name == name:
                return c
        raise ConfigError(f"unknown camera type {name!r} (known: {', '.join(c.name for c in self.camera_types)})",
                          file=self.source_file, where="camera_types")

    def output_dir(self) -> Path:
        """The output folder: ``output.dir``, or ``out/<name>`` in the working directory.

        The name is made safe as one folder name (no separators, no ``..``), so
        ``name = "../../x"`` cannot write outside ``out/``:

        >>> Scenario.__new__(Scenario).__class__.safe_name("../../x y")
        'x_y'
        """
        return Path(self.output.dir) if self.output.dir else Path("out") / self.safe_name(self.name)

    @staticmethod
    def safe_name(name: str) -> str:
        """``name`` as one safe folder or file name: letters, digits, ``.``, ``_`` and ``-``; never empty."""
        safe = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._-")
        return safe or "scenario"


def to_data(obj: object) -> Any:
    """A scenario (or one of its sections) as plain TOML-like data: tables, lists, numbers, strings.

    Keys whose value is None are left out (a missing key means its default).
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.metadata.get("toml", True) and getattr(obj, f.name) is not None}
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [to_data(v) for v in obj]
    return obj


def revalidate(scenario: Scenario) -> Scenario:
    """Validate a changed scenario exactly as if it had been read from its file.

    Use it after :func:`dataclasses.replace` on a section (a command-line
    override): unknown values, wrong types, non-finite numbers and impossible
    values raise :class:`~camsite.errors.ConfigError` naming the key.
    """
    return replace(build(Scenario, to_data(scenario), file=scenario.source_file, key=""),
                   source_file=scenario.source_file)


def override(scenario: Scenario, **sections: Any) -> Scenario:
    """A copy with whole sections replaced, validated in full.

    >>> s = loads('name="x"\\n[study_area]\\ncenter=[59.3,18.0]\\nradius_m=100\\n[network]\\npath="n"\\n'
    ...           '[[camera_types]]\\nname="a"\\nrange_m=1\\ncapex_sek=1\\n[optimization]\\nbudget_sek=5')
    >>> override(s, optimization=replace(s.optimization, budget_sek=7.0)).optimization.budget_sek
    7.0
    >>> override(s, demand=replace(s.demand, snap_distance_m=-5.0))
    Traceback (most recent call last):
    ...
    camsite.errors.ConfigError: demand.snap_distance_m: must be >= 0
    """
    return revalidate(replace(scenario, **sections))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into ``base``: tables merge, everything else (arrays too) is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _parse(text: str, file: str | None, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        fail(f"expected a string (a scenario file to start from), got {parent!r}", file=file, key="extends")
    base_dir = Path(file).resolve().parent if file else Path.cwd()
    base = (base_dir / parent).resolve()
    if str(base) in seen:
        fail(f"{parent} extends itself (directly or through another file)", file=file, key="extends")
    if not base.is_file():
        fail(f"scenario file {parent} does not exist", file=file, key="extends")
    try:
        base_text = base.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{parent} is not UTF-8 text ({exc.reason} at byte {exc.start})", file=file, key="extends")
    base_data = _parse(base_text, str(base), (*seen, str(base)))
    base_data = _rebase_paths(base_data, base.parent, base_dir)
    return _merge(base_data, data)


#: Keys whose string value is a file path, relative to the scenario file (``districts`` only as a string:
#: ``[boundaries] districts``; ``study_area.districts`` is a list of names).
PATH_KEYS = ("path", "mounting_points", "open_areas", "buildings", "districts", "water", "entrances")


def _rebase_paths(data: dict[str, Any], src: Path, dst: Path) -> dict[str, Any]:
    """Rewrite relative ``path`` values of an extended file so they stay right from ``dst``."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k in PATH_KEYS and isinstance(v, str) \
                and not Path(v).is_absolute():
            out[k] = os.path.relpath(src / v, dst)
        else:
            out[k] = _rebase_value(v, src, dst)
    return out


def _rebase_value(value: object, src: Path, dst: Path) -> object:
    """:func:`_rebase_paths` on the tables inside ``value`` (a table, an array or a plain value)."""
    if isinstance(value, dict):
        return _rebase_paths(value, src, dst)
    if isinstance(value, list):
        return [_rebase_value(v, src, dst) for v in value]
    return value


def loads(text: str, *, file: str | None = None) -> Scenario:
    """Parse and validate a scenario from TOML text; ``file`` is named in errors.

    A scenario may start from another with ``extends = "other.toml"``: its
    tables are merged key by key, arrays and values are replaced.
    """
    data = _parse(text, file, (str(Path(file).resolve()),) if file else ())
    scenario = build(Scenario, data, file=file, key="")
    return replace(scenario, source_file=file)


def load(path: str | Path) -> Scenario:
    """Read and validate the scenario file at ``path``."""
    p = Path(path)
    if not p.exists():
        raise ConfigError("scenario file does not exist", file=p)
    if p.is_dir():
        raise ConfigError("is a directory, not a scenario file", file=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=p) from None
    return loads(text, file=str(p))
