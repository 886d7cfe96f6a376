"""Stage 1, :func:`load_inputs`: every file a scenario names, read once and checked once.

The last of three reading steps: :mod:`camsite.readers` reads a file's
points (encodings, CRS), :mod:`camsite.layers` makes incidents and cameras
of them in the standard columns, and this stage reads what a scenario names.
Each layer has one reader here that returns the layer and a
:class:`LayerStats` (rows read, kept, dropped and why, outside the study
area). ``camsite run`` calls them through :func:`load_inputs`, which stops at
the first error; ``camsite validate`` calls the same readers one by one and
collects every error, so both commands apply the same checks and report the
same counts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from camsite import areas, candidates, coverage, layers, network, readers, sensitive
from camsite.config import PointLayer, Scenario
from camsite.errors import InputError
from camsite.stages._zones import check_no_view_sizes

logger = logging.getLogger(__name__)

__all__ = [
    "FAR_M",
    "Inputs",
    "LayerStats",
    "load_cameras",
    "load_incidents",
    "load_inputs",
    "read_extras",
    "read_incident_layer",
    "read_network",
    "read_point_file",
    "read_study_area",
]

#: A layer with most points farther than this (metres) from the study area has the wrong CRS or file.
FAR_M = 5_000.0


@dataclass(frozen=True)
class LayerStats:
    """What reading one layer found: rows, kept, dropped (reason -> count), outside the study area."""

    layer: str
    file: str
    rows: int | None = None
    kept: int | None = None
    dropped: Mapping[str, int] = field(default_factory=dict)
    outside: int | None = None
    crs: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """Every input of a scenario, in the working CRS, read and checked.

    Attributes
    ----------
    crs
        The working CRS (projected, metres).
    study_area, subareas
        The study-area polygon; named reporting areas (``name``, ``label``, ``source``, geometry).
    network
        The clipped, projected street network.
    incidents
        Incidents used (inside the study area, or street-level and spread along their street).
    existing
        Existing cameras (sensitive).
    open_space
        Street corridors plus open areas minus buildings: what a sight line may cross.
    footfall, mounting_points
        Optional point layers (None when the scenario names none).
    exclusion_zones
        ``name``, ``penalty_sek`` (NaN = no site), geometry.
    districts
        ``[boundaries] districts``: ``name``, geometry (empty when none), for maps and area-level incidents.
    water
        ``[boundaries] water`` (None when not given): no candidate or demand point lies in it.
    entrances
        Metro entrances (``[demand.footfall] entrances``; None when not given): ``name``, ``kind``, geometry.
    no_view_zones
        ``name``, ``label``, geometry: places no camera may look into.
    stats
        One :class:`LayerStats` per layer read, in reading order.
    incident_stats
        Incidents read, outside the study area, dropped by reason.
    """

    crs: str
    study_area: BaseGeometry
    subareas: gpd.GeoDataFrame
    network: network.Network
    incidents: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame
    open_space: BaseGeometry
    footfall: gpd.GeoDataFrame | None
    mounting_points: gpd.GeoDataFrame | None
    exclusion_zones: gpd.GeoDataFrame
    stats: tuple[LayerStats, ...]
    incident_stats: Mapping[str, Any]
    districts: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame({"name": []}, geometry=[]))
    water: BaseGeometry | None = None
    entrances: gpd.GeoDataFrame | None = None
    no_view_zones: gpd.GeoDataFrame = field(
        default_factory=lambda: gpd.GeoDataFrame({"name": [], "label": []}, geometry=[]))
    #: ``[network] open_areas`` (squares, plazas, parks): public space that is demand, not only sight lines.
    open_areas: BaseGeometry | None = None
    #: ``[candidates] sensitive_places`` as read (located or not; the located ones are also in no_view_zones).
    sensitive_places: gpd.GeoDataFrame | None = None
    #: ``[candidates] residential``: the façade bands (masked, or a cost on the views reaching them).
    residential: gpd.GeoDataFrame | None = None


def _crs_text(gdf: gpd.GeoDataFrame) -> str:
    src = gdf.attrs.get("source_crs", "")
    return f"{src} ({gdf.attrs.get('crs_from', '')})" if src else ""


def _check_far(gdf: gpd.GeoDataFrame, area: BaseGeometry, file: str, what: str) -> None:
    """Raise when most points lie over :data:`FAR_M` from the study area (a wrong CRS or a wrong file)."""
    if len(gdf) == 0:
        return
    med = float(np.median(gdf.distance(area).to_numpy(float)))
    if med > FAR_M:
        raise InputError(f"most {what} lie more than {FAR_M / 1000:g} km from the study area (median "
                         f"{med / 1000:.1f} km): wrong CRS or wrong file?", file=file, where="coordinates")


def read_study_area(scenario: Scenario) -> tuple[BaseGeometry, gpd.GeoDataFrame]:
    """The study-area polygon and the sub-areas frame; an empty study area is an error."""
    area = areas.study_area_polygon(scenario)
    if area.is_empty or area.area <= 0:
        raise InputError("the study area is empty", file=scenario.source_file, where="study_area")
    return area, areas.subareas_frame(scenario)


def read_network(scenario: Scenario, area: BaseGeometry) -> tuple[network.Network, LayerStats]:
    """The street network clipped to ``area``; every street excluded is an error."""
    path = str(scenario.resolve(scenario.network.path))
    net = network.load_network(scenario, area)
    edges = net.edges
    n_excl = int(edges["excluded"].sum()) if "excluded" in edges else 0
    if len(edges) and n_excl == len(edges):
        raise InputError("every street in the study area is excluded (network.exclude_highways)", file=path,
                         where="network")
    dropped = {"excluded highway": n_excl} if n_excl else {}
    return net, LayerStats("network", path, len(edges), len(edges) - n_excl, dropped, crs=scenario.crs)


def read_incident_layer(scenario: Scenario, layer: PointLayer,
                        area: BaseGeometry) -> tuple[gpd.GeoDataFrame, LayerStats]:
    """One incident layer: the rows used (inside the study area buffered by the snap distance, or
    street-level and so spread along their street) and its :class:`LayerStats`."""
    path = str(scenario.resolve(layer.path))
    gdf = layers.read_incidents(layer, scenario)
    _check_far(gdf, area, path, "incidents")
    keep = gdf.geometry.within(area.buffer(scenario.demand.snap_distance_m)).to_numpy() \
        | gdf["precision"].eq("street").to_numpy()
    warnings = _duplicate_warning(gdf)
    weights = scenario.category_weights
    w = gdf["weight"].to_numpy(float) * gdf["category"].map(lambda c: weights.get(c, 0.0)).to_numpy(float)
    if len(gdf) and not (w > 0).any():
        warnings += ("every incident weighs 0 (check category_weights and the category column)",)
    if (~keep).any():
        warnings += (f"{int((~keep).sum())} of {len(gdf)} incidents lie outside the study area and are not used",)
    stats = LayerStats(f"incidents:{layer.name}", path, int(gdf.attrs.get("rows", len(gdf))), len(gdf),
                       dict(gdf.attrs.get("dropped", {})), int((~keep).sum()), _crs_text(gdf), warnings)
    return gdf[keep], stats


def load_incidents(scenario: Scenario, area: BaseGeometry) -> tuple[gpd.GeoDataFrame, dict[str, Any],
                                                                     tuple[LayerStats, ...]]:
    """Every incident layer (see :func:`read_incident_layer`).

    Returns the incidents used, the run's incident statistics and one
    :class:`LayerStats` per layer.
    """
    if not scenario.incidents:
        return layers.empty_incidents(scenario.crs), {"read": 0, "outside_study_area": 0, "dropped": {}}, ()
    frames, stats = [], []
    dropped: dict[str, int] = {}
    for layer in scenario.incidents:
        gdf, st = read_incident_layer(scenario, layer, area)
        frames.append(gdf)
        stats.append(st)
        for reason, n in st.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + int(n)
    inc = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=scenario.crs)
    outside = sum(s.outside or 0 for s in stats)
    if outside:
        logger.warning("%d of %d incidents lie outside the study area (and its margin) and are not used: expected "
                       "when the file covers more than the area (docs/troubleshooting.md)", outside, len(inc) + outside)
    info = {"read": int(len(inc) + outside), "outside_study_area": int(outside), "dropped": dropped}
    return inc.reset_index(drop=True), info, tuple(stats)


def _duplicate_warning(gdf: gpd.GeoDataFrame) -> tuple[str, ...]:
    dups = gdf.attrs.get("duplicate_ids") or {}
    if not dups:
        return ()
    first, rows = next(iter(dups.items()))
    return (f"{len(dups)} duplicate id(s), e.g. {first!r} in rows {', '.join(map(str, rows[:5]))}",)


def load_cameras(scenario: Scenario, area: BaseGeometry) -> tuple[gpd.GeoDataFrame, LayerStats | None]:
    """The existing cameras (an empty frame when the scenario names none)."""
    cam = scenario.existing_cameras
    if cam is None:
        return layers.empty_cameras(scenario.crs), None
    path = str(scenario.resolve(cam.path))
    gdf = layers.read_cameras(cam, scenario)
    _check_far(gdf, area, path, "cameras")
    outside = int((gdf.distance(area).to_numpy(float) > scenario.demand.snap_distance_m).sum()) if len(gdf) else 0
    note = ("this layer is illustrative (made up), not the police's cameras",) if cam.source == "illustrative" \
        else ()
    return gdf, LayerStats("existing_cameras", path, int(gdf.attrs.get("rows", len(gdf))), len(gdf),
                           dict(gdf.attrs.get("dropped", {})), outside, _crs_text(gdf),
                           _duplicate_warning(gdf) + note)


def read_point_file(scenario: Scenario, text: str, layer: str, area: BaseGeometry,
                    numeric: tuple[str, ...] = ()) -> tuple[gpd.GeoDataFrame, LayerStats]:
    """A point file the scenario names (footfall, mounting points); ``numeric`` columns must be numbers >= 0."""
    path = scenario.resolve(text)
    gdf = readers.read_points(path, target_crs=scenario.crs)
    for col in numeric:
        name = next((str(c) for c in gdf.columns if str(c).strip().lower() == col.lower()), None)
        if name is None:
            raise InputError(f"no column {col!r}", file=path, where="header")
        values = readers.to_number(gdf[name]).to_numpy(float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(gdf[readers.ROW].to_numpy()[np.argmax(bad)])
            raise InputError("must be a number >= 0", file=path, where=f"row {row}, column {col}")
    _check_far(gdf, area, str(path), "points")
    outside = int((gdf.distance(area).to_numpy(float) > scenario.demand.snap_distance_m).sum()) if len(gdf) else 0
    return gdf, LayerStats(layer, str(path), int(gdf.attrs.get("rows", len(gdf))), len(gdf),
                           dict(gdf.attrs.get("dropped", {})), outside, _crs_text(gdf), _duplicate_warning(gdf))


def read_extras(scenario: Scenario, area: BaseGeometry, net: network.Network) -> dict[str, Any]:
    """Footfall, mounting points, exclusion zones and the open space (buildings, open areas).

    Returns a dict with keys ``footfall``, ``mounting_points``,
    ``exclusion_zones``, ``open_space`` and ``stats`` (a tuple of LayerStats).
    """
    stats: list[LayerStats] = []
    footfall = mounts = None
    ff = scenario.demand.footfall
    if ff is not None:
        footfall, st = read_point_file(scenario, ff.path, "footfall", area, (ff.count_column,))
        stats.append(st)
    if scenario.candidates.mounting_points:
        mounts, st = read_point_file(scenario, scenario.candidates.mounting_points, "mounting_points", area)
        stats.append(st)
    entrances = None
    if ff is not None and ff.entrances:
        raw, st = read_point_file(scenario, ff.entrances, "entrances", area)
        stats.append(st)
        entrances = _entrances(raw)
    zones = candidates.exclusion_zones(scenario.candidates.exclusions, crs=scenario.crs,
                                       resolve=scenario.resolve)
    no_view = candidates.no_view_zones(scenario.candidates.no_view, crs=scenario.crs, resolve=scenario.resolve)
    check_no_view_sizes(scenario.candidates.no_view, list(no_view.geometry), area=area,
                        reach_m=max(c.range_m for c in scenario.camera_types))
    no_view, places, facades = _sensitive_zones(scenario, no_view)
    open_areas = _polygons(scenario, scenario.network.open_areas)
    if entrances is not None and len(entrances) and ff is not None:
        # the square in front of an entrance is open space a camera can see across
        squares = shapely.union_all(entrances.geometry.buffer(ff.square_radius_m).to_numpy())
        open_areas = squares if open_areas is None else shapely.union(open_areas, squares)
    space = coverage.open_space(net, open_areas=open_areas, buildings=_polygons(scenario, scenario.network.buildings))
    return {"footfall": footfall, "mounting_points": mounts, "exclusion_zones": zones, "open_space": space,
            "entrances": entrances, "no_view_zones": no_view, "stats": tuple(stats),
            "open_areas": _polygons(scenario, scenario.network.open_areas), "sensitive_places": places,
            "residential": facades}


def _sensitive_zones(scenario: Scenario, no_view: gpd.GeoDataFrame) -> tuple[
        gpd.GeoDataFrame, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """The do-not-view zones with the sensitive places (and masked façades) added; the places and façades."""
    cfg = scenario.candidates
    places = sensitive.read_places(scenario.resolve(cfg.sensitive_places), crs=scenario.crs) \
        if cfg.sensitive_places else None
    facades = sensitive.facade_zones(scenario.resolve(cfg.residential), crs=scenario.crs,
                                     depth_m=cfg.residential_facade_m) if cfg.residential else None
    extra = [z for z in (places[places["located"].to_numpy(bool)] if places is not None else None,
                         facades if cfg.residential_mode == "mask" else None) if z is not None and len(z)]
    if extra:
        no_view = gpd.GeoDataFrame(pd.concat([no_view, *(z.drop(columns="located") for z in extra)],
                                             ignore_index=True), geometry="geometry", crs=scenario.crs)
    return no_view, places, facades


def _entrances(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Entrance points: ``name`` (their station) and geometry; an OSM export is filtered to subway entrances."""
    cols = {str(c).lower(): c for c in raw.columns}
    keep = np.ones(len(raw), bool)
    for col in ("kind", "railway"):
        if col in cols:
            keep &= raw[cols[col]].astype(str).eq("subway_entrance").to_numpy()
            break
    name_col = next((cols[c] for c in ("nearest_station_derived", "station", "name") if c in cols), None)
    names = raw[name_col].fillna("").astype(str).to_numpy() if name_col is not None else np.full(len(raw), "")
    return gpd.GeoDataFrame({"name": names[keep]}, geometry=raw.geometry.to_numpy()[keep], crs=raw.crs)


def _polygons(scenario: Scenario, path: str | None) -> BaseGeometry | None:
    return None if not path else areas.read_polygons(Path(scenario.resolve(path)), crs=scenario.crs)


def load_inputs(scenario: Scenario) -> Inputs:
    """Read and check every input of ``scenario``; raise at the first unusable one.

    Raises
    ------
    InputError
        Naming the file, the row or key and what is wrong.
    """
    area, subareas = read_study_area(scenario)
    districts, water = areas.district_polygons(scenario), areas.water_polygon(scenario)
    net, net_stats = read_network(scenario, area)
    inc, inc_info, inc_stats = load_incidents(scenario, area)
    existing, cam_stats = load_cameras(scenario, area)
    extras = read_extras(scenario, area, net)
    stats = (net_stats, *inc_stats, *((cam_stats,) if cam_stats else ()), *extras["stats"])
    return Inputs(crs=scenario.crs, study_area=area, subareas=subareas, network=net, incidents=inc,
                  existing=existing, open_space=extras["open_space"], footfall=extras["footfall"],
                  mounting_points=extras["mounting_points"], exclusion_zones=extras["exclusion_zones"],
                  stats=stats, incident_stats=inc_info, districts=districts, water=water,
                  entrances=extras["entrances"], no_view_zones=extras["no_view_zones"],
                  open_areas=extras["open_areas"], sensitive_places=extras["sensitive_places"],
                  residential=extras["residential"])
