"""Perturbed versions of a scenario's data: what one robustness sample changes.

A :class:`Draw` says how one sample's data differ from the scenario's:
bootstrap multiplicities of the incidents, incidents moved within their
precision class, factors on the category and street-space weights, on
footfall, on the camera ranges and on the camera costs. :func:`draw_sample`
draws one from a seed; the sensitivity table builds them by hand.

Each perturbation draws from its own stream (``SeedSequence(seed).spawn``), so
switching one off does not change what the others draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite.cameras import CameraModels
from camsite.config import DemandConfig, RobustnessConfig
from camsite.network import name_keys
from camsite.stages import district_map
from camsite.uncertainty import recorded_uncertainty

__all__ = ["TEXT_LOCATED", "Draw", "StreetIndex", "draw_sample", "moved_incidents", "scaled_cameras", "scaled_demand",
           "scaled_weights"]

#: Precision classes not moved within a disc (a street incident moves along its street, an area one stays).
_SPREAD = ("street", "area")
#: A street incident's recorded point within this of its street is on it (its window is moved along it).
_ON_STREET_M = 30.0
#: Precision classes located from an event's text (`camsite import-events`): the record is where the text puts
#: the named intersection, street, station or district, the same for wherever the event happened nearby, and the
#: demand model spreads it over its recorded uncertainty. ``jitter_positions = "measured"`` leaves them in place
#: (the default, ``"all"``, moves them within their recorded uncertainty).
TEXT_LOCATED = ("intersection", "street", "station", "area")


@dataclass(frozen=True, eq=False)
class Draw:
    """How one sample's data differ from the scenario's (1 and None: unchanged).

    Attributes
    ----------
    counts
        Bootstrap multiplicity of each incident (row of ``Inputs.incidents``), or None.
    moved
        The incidents with their drawn recorded positions (precision classes unchanged), or None.
    category_factors
        Factor on each category weight (missing: 1).
    street_factor, footfall_factor
        Factors on the street-space weight per metre and on the footfall weight.
    range_factors
        Factor on each camera type's range (aligned with ``CameraModels.names``), or None.
    cost_factor
        Factor on every candidate's cost.
    """

    counts: NDArray[np.int64] | None = None
    moved: gpd.GeoDataFrame | None = None
    category_factors: Mapping[str, float] = field(default_factory=dict)
    street_factor: float = 1.0
    footfall_factor: float = 1.0
    range_factors: NDArray[np.float64] | None = None
    cost_factor: float = 1.0

    @property
    def changes_geometry(self) -> bool:
        """True when demand points or camera reach move (the coverage must be rebuilt)."""
        return self.moved is not None or (self.range_factors is not None and bool(np.any(self.range_factors != 1)))


@dataclass(frozen=True, eq=False)
class StreetIndex:
    """The usable street pieces inside the demand reach, along which a street incident's recorded point moves.

    Attributes
    ----------
    lines
        Line pieces (working CRS).
    names
        Normalised street name of each piece ("" when unnamed).
    districts
        District polygons by normalised name (the demand of a rebuilt sample spreads area incidents over them).
    """

    lines: NDArray[np.object_]
    names: NDArray[np.object_]
    districts: Mapping[str, BaseGeometry]
    #: ``demand.uncertainty_m``: the radius of an incident whose file gives none, per precision class.
    uncertainty_m: Mapping[str, float] = field(default_factory=lambda: DemandConfig().uncertainty_m)

    @classmethod
    def build(cls, edges: gpd.GeoDataFrame, reach: BaseGeometry, districts: gpd.GeoDataFrame,
              uncertainty_m: Mapping[str, float] | None = None) -> StreetIndex:
        """Street pieces of ``edges`` (already the usable ones) clipped to ``reach``."""
        clipped = shapely.intersection(edges.geometry.to_numpy(), reach)
        parts, src = shapely.get_parts(clipped, return_index=True)
        keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)
        names = name_keys(edges["name"]).to_numpy(object)[src[keep]]
        return cls(lines=parts[keep], names=names, districts=district_map(districts),
                   uncertainty_m=dict(DemandConfig().uncertainty_m if uncertainty_m is None else uncertainty_m))

    def spot_on(self, lines: NDArray[np.object_], rng: np.random.Generator) -> BaseGeometry | None:
        """A point drawn uniformly along ``lines`` (by length), or None when there are none."""
        lengths = shapely.length(lines) if len(lines) else np.zeros(0)
        if not len(lines) or lengths.sum() <= 0:
            return None
        k = int(rng.choice(len(lines), p=lengths / lengths.sum()))
        spot: BaseGeometry = shapely.line_interpolate_point(lines[k], rng.uniform(0.0, 1.0), normalized=True)
        return spot

    def street(self, name: str) -> NDArray[np.object_]:
        """The pieces of street ``name`` (normalised)."""
        out: NDArray[np.object_] = self.lines[self.names == name] if name else self.lines[:0]
        return out


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> NDArray[np.float64]:
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def draw_sample(seed: int, *, incidents: gpd.GeoDataFrame, streets: StreetIndex, categories: tuple[str, ...],
                n_camera_types: int, settings: RobustnessConfig) -> Draw:
    """One sample's perturbations, drawn from ``seed`` (the same seed gives the same draw anywhere).

    Parameters
    ----------
    seed
        The sample's seed (from ``SeedSequence(seed).spawn``).
    incidents
        The scenario's incidents (``Inputs.incidents``).
    streets
        Where imprecise incidents may be placed.
    categories
        The scenario's weighted categories, in a fixed order.
    n_camera_types
        Number of camera types.
    settings
        ``[robustness]``: which perturbations are on, and their ranges.
    """
    boot, jit, wts, rng_ranges = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    n = len(incidents)
    counts = np.bincount(boot.integers(0, n, n), minlength=n).astype(np.int64) if settings.bootstrap and n else None
    moved = moved_incidents(incidents, streets, jit, jitter_m=settings.jitter_m,
                            positions=settings.jitter_positions) if settings.jitter and n else None
    if moved is not None and _unchanged(moved.geometry.to_numpy(), incidents.geometry.to_numpy()):
        moved = None  # nothing moved (every record text-located): the sample reuses the base coverage
    cat: dict[str, float] = {}
    street = 1.0
    if settings.weights:
        f = _log_uniform(wts, settings.weight_low, settings.weight_high, len(categories) + 1)
        cat = dict(zip(categories, f[:-1].tolist()))
        street = float(f[-1])
    ranges = None
    if settings.ranges and settings.range_pct > 0:
        p = settings.range_pct / 100.0
        ranges = rng_ranges.uniform(1.0 - p, 1.0 + p, n_camera_types)
    return Draw(counts=counts, moved=moved, category_factors=cat, street_factor=street, range_factors=ranges)


def _unchanged(a: NDArray[np.object_], b: NDArray[np.object_]) -> bool:
    """True when the two geometry arrays are equal (both missing or empty counts as equal)."""
    gone_a = shapely.is_missing(a) | shapely.is_empty(a)
    gone_b = shapely.is_missing(b) | shapely.is_empty(b)
    same = np.where(gone_a | gone_b, gone_a & gone_b, shapely.equals_exact(a, b, 0.0))
    return bool(np.all(same))


def moved_incidents(incidents: gpd.GeoDataFrame, streets: StreetIndex, rng: np.random.Generator, *,
                    jitter_m: float | None, positions: str) -> gpd.GeoDataFrame:
    """The incidents, each with its recorded position moved within its own uncertainty, as the model reads it.

    With ``positions="measured"`` only measured coordinates move (precision
    ``point``, or a class the model reads as one): a record located from its
    text (:data:`TEXT_LOCATED`) is where the text puts it whatever the event's
    exact spot, so another draw of the data would record it at the same place,
    and the demand model already spreads it over its recorded uncertainty
    (moving the centre and spreading again would draw positions up to twice
    its radius away). ``positions="all"`` moves every record as below.

    The demand model already spreads every incident over its uncertainty
    (:mod:`camsite.uncertainty`); what a sample perturbs is the recorded
    position the spread is centred on. A point or intersection moves up to
    ``jitter_m`` (uniform over the disc; None: its own recorded
    ``uncertainty_m``, or its class's default) and keeps its uncertainty; a
    street incident whose point lies on its street moves along that street
    within the same radius and stays a street incident (the demand spreads it
    over the street window around its new point). A street incident with no
    point on its street, an area incident (spread over its district) and a
    station incident (shared among the station's exits) stay where they are:
    their spread already covers all their uncertainty. So does an incident with
    nowhere to go.
    """
    prec = incidents["precision"].fillna("point").astype(str).to_numpy(object)
    geoms = incidents.geometry.to_numpy().copy()
    street = name_keys(incidents["street"]).to_numpy(object) if "street" in incidents.columns else \
        np.full(len(incidents), "", object)
    radii = recorded_uncertainty(incidents, streets.uncertainty_m) if jitter_m is None \
        else np.full(len(incidents), float(jitter_m))
    fixed = positions == "measured"
    for i in range(len(incidents)):
        if fixed and prec[i] in TEXT_LOCATED:
            rng.uniform(0.0, 1.0, 2)  # the same draws as a moved record, so the measured ones keep theirs
            continue
        spot = _spot(prec[i], geoms[i], street[i], streets, rng, jitter_m=float(radii[i]))
        if spot is not None:
            geoms[i] = spot
    out = incidents.copy()
    if "uncertainty_m" in out.columns or jitter_m is None:
        out["uncertainty_m"] = recorded_uncertainty(incidents, streets.uncertainty_m)
    return out.set_geometry(gpd.GeoSeries(geoms, crs=incidents.crs, index=incidents.index))


def _spot(prec: str, geom: BaseGeometry | None, street: str, streets: StreetIndex, rng: np.random.Generator, *,
          jitter_m: float) -> BaseGeometry | None:
    """Where an incident's recorded position lies in this sample (None: where it is). Always draws, so streams
    stay aligned."""
    u = rng.uniform(0.0, 1.0, 2)
    has_point = geom is not None and not geom.is_empty
    if prec not in (*_SPREAD, "station"):
        if not has_point or jitter_m <= 0:
            return None
        r, a = jitter_m * np.sqrt(u[0]), 2 * np.pi * u[1]
        return shapely.Point(geom.x + r * np.cos(a), geom.y + r * np.sin(a))  # type: ignore[union-attr]
    if prec == "street" and has_point and jitter_m > 0:
        lines = streets.street(street)
        if not len(lines) or float(shapely.distance(lines, geom).min()) > _ON_STREET_M:
            return None  # not on its street: the demand spreads it over the whole street already
        window = shapely.get_parts(shapely.intersection(lines, geom.buffer(jitter_m)))  # type: ignore[union-attr]
        return streets.spot_on(window[shapely.get_type_id(window) == 1], rng)
    return None


def scaled_weights(category_weights: Mapping[str, float], draw: Draw) -> dict[str, float]:
    """The category weights times the draw's factors."""
    return {k: float(v) * draw.category_factors.get(k, 1.0) for k, v in category_weights.items()}


def scaled_demand(cfg: DemandConfig, draw: Draw) -> DemandConfig:
    """``[demand]`` with the street-space and footfall weights scaled."""
    out = cfg
    if draw.street_factor != 1.0:
        out = replace(out, street_weight_per_m=cfg.street_weight_per_m * draw.street_factor)
    if draw.footfall_factor != 1.0 and cfg.footfall is not None:
        out = replace(out, footfall=replace(cfg.footfall,
                                            weight_per_1000=cfg.footfall.weight_per_1000 * draw.footfall_factor))
    return out


def scaled_cameras(cams: CameraModels, draw: Draw) -> CameraModels:
    """The camera models with the draw's range factors."""
    if draw.range_factors is None:
        return cams
    factors = np.asarray(draw.range_factors, float)
    night = None if cams.night_range_m is None else cams.night_range_m * factors
    return replace(cams, range_m=cams.range_m * factors, night_range_m=night)


def resampled(incidents: gpd.GeoDataFrame, draw: Draw) -> gpd.GeoDataFrame:
    """The incidents as the draw has them: moved, and their weight times their bootstrap multiplicity."""
    out = draw.moved if draw.moved is not None else incidents
    if draw.counts is None:
        return out
    out = out.copy()
    raw = pd.to_numeric(out["weight"], errors="coerce").fillna(1.0).to_numpy(float) if "weight" in out.columns \
        else np.ones(len(out))
    out["weight"] = raw * draw.counts
    return out
