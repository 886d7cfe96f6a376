"""Check every input of a scenario without solving: ``camsite validate``.

:func:`validate_scenario` reads each layer the way a run would (study area,
network, incident layers, existing cameras, footfall, mounting points,
polygon files), counts what is kept, dropped and outside the study area, and
checks the scenario's numbers (weights, costs, budget, camera types). It
collects every problem instead of stopping at the first, so a planner can fix
them all in one go.

>>> r = ValidationReport(scenario="s.toml", layers=(LayerCheck(layer="x", file="a.csv", rows=3, kept=2,
...                      dropped={"empty coordinates": 1}),), errors=(), warnings=("w",))
>>> r.ok, r.layers[0].dropped_text
(True, '1 (empty coordinates: 1)')
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from camsite import areas, layers, network, readers
from camsite.config import Scenario
from camsite.errors import CamsiteError, InputError

logger = logging.getLogger(__name__)

__all__ = ["ValidationReport", "LayerCheck", "validate_scenario", "NEAR_M", "FAR_M", "MAX_PLAUSIBLE_RANGE_M"]

#: Points within this distance (metres) of the study area count as "near" (kept by a run's snapping).
NEAR_M = 30.0
#: A layer with most points farther than this from the study area probably has the wrong CRS.
FAR_M = 5_000.0
#: Camera ranges above this are flagged as implausible for identifying people.
MAX_PLAUSIBLE_RANGE_M = 250.0


@dataclass(frozen=True)
class LayerCheck:
    """What validation found for one input layer."""

    layer: str
    file: str
    rows: int | None = None
    kept: int | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    outside: int | None = None
    crs: str = ""
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def dropped_text(self) -> str:
        """Dropped rows and why, e.g. ``3 (empty coordinates: 2, infinite coordinates: 1)``."""
        n = sum(self.dropped.values())
        if not n:
            return "0"
        return f"{n} (" + ", ".join(f"{k}: {v}" for k, v in self.dropped.items()) + ")"


@dataclass(frozen=True)
class ValidationReport:
    """All layer checks and all errors and warnings of one scenario."""

    scenario: str
    layers: tuple[LayerCheck, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors


# -- helpers -------------------------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    """Collects warning log records of camsite's modules while a layer is read."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_warnings() -> Iterator[list[str]]:
    handler = _Collect()
    root = logging.getLogger("camsite")
    root.addHandler(handler)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)


@dataclass
class _Builder:
    """Mutable state while one layer is checked."""

    layer: str
    file: str
    rows: int | None = None
    kept: int | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    outside: int | None = None
    crs: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def freeze(self) -> LayerCheck:
        return LayerCheck(self.layer, self.file, self.rows, self.kept, dict(self.dropped), self.outside, self.crs,
                          tuple(dict.fromkeys(self.warnings)), tuple(dict.fromkeys(self.errors)))


def _run(check: _Builder, func: Callable[[], object]) -> object | None:
    """Call ``func``, recording camsite warnings and a camsite error on ``check``."""
    with _collect_warnings() as messages:
        try:
            result = func()
        except CamsiteError as exc:
            check.errors.append(str(exc))
            result = None
    check.warnings.extend(messages)
    return result


def _from_points(check: _Builder, gdf: gpd.GeoDataFrame, area: BaseGeometry | None, what: str,
                 spread: np.ndarray | None = None) -> None:
    """Fill ``check`` from a layer read by :mod:`camsite.readers`; ``spread`` marks rows used even outside."""
    attrs = gdf.attrs
    check.rows = attrs.get("rows", len(gdf))
    check.kept = len(gdf)
    check.dropped = dict(attrs.get("dropped", {}))
    src = attrs.get("source_crs", "")
    check.crs = f"{src} ({attrs.get('crs_from', '')})" if src else ""
    dups = attrs.get("duplicate_ids") or {}
    if dups:
        first, rows = next(iter(dups.items()))
        check.warnings.append(f"{len(dups)} duplicate id(s), e.g. {first!r} in rows {', '.join(map(str, rows[:5]))}")
    if area is None or len(gdf) == 0:
        return
    dist = gdf.distance(area).to_numpy(float)
    out = dist > NEAR_M
    check.outside = int(out.sum())
    if check.outside:
        used = int((out & spread).sum()) if spread is not None else 0
        note = f"; {used} of them street-level, still spread along their street" if used else ""
        check.warnings.append(f"{check.outside} of {len(gdf)} {what} lie more than {NEAR_M:g} m outside the study "
                              f"area (not used{note})")
    if np.median(dist) > FAR_M:
        check.errors.append(f"{check.file}: most {what} lie more than {FAR_M / 1000:g} km from the study area "
                            f"(median {np.median(dist) / 1000:.1f} km): wrong CRS or wrong file?")


# -- layer checks --------------------------------------------------------------------------------------------------


def _check_study_area(scenario: Scenario) -> tuple[LayerCheck, BaseGeometry | None]:
    check = _Builder("study_area", scenario.study_area.path or "(in scenario)")
    area = _run(check, lambda: areas.study_area_polygon(scenario))
    if isinstance(area, BaseGeometry):
        if area.is_empty or area.area <= 0:
            check.errors.append(f"{scenario.source_file}: study_area: the study area is empty")
            area = None
        else:
            check.rows = check.kept = 1
            check.crs = scenario.crs
            km2 = area.area / 1e6
            if km2 > 50:
                check.warnings.append(f"the study area is {km2:.0f} km²: a run may be slow")
    subs = _Builder("subareas", "(in scenario)")
    frame = _run(subs, lambda: areas.subareas_frame(scenario))
    if isinstance(frame, gpd.GeoDataFrame) and isinstance(area, BaseGeometry):
        subs.rows = subs.kept = len(frame)
        apart = [str(n) for n, g in zip(frame["name"], frame.geometry) if not g.intersects(area)]
        if apart:
            subs.warnings.append(f"sub-area(s) outside the study area: {', '.join(apart)}")
    check.warnings.extend(subs.warnings)
    check.errors.extend(subs.errors)
    return check.freeze(), area if isinstance(area, BaseGeometry) else None


def _check_network(scenario: Scenario, area: BaseGeometry | None) -> LayerCheck:
    path = scenario.resolve(scenario.network.path)
    check = _Builder("network", str(path))
    if area is None:  # no study area to clip to: check that the file reads
        graph = _run(check, lambda: network.load_graph(path))
        check.rows = graph.number_of_edges() if isinstance(graph, nx.MultiDiGraph) else None
    else:
        net = _run(check, lambda: network.load_network(scenario, area))
        if isinstance(net, network.Network):
            _network_counts(check, net.edges, scenario.crs)
    for key in ("open_areas", "buildings"):
        extra = getattr(scenario.network, key)
        if extra:
            check.errors.extend(_polygon_file_errors(scenario.resolve(extra), f"network.{key}"))
    return check.freeze()


def _network_counts(check: _Builder, edges: gpd.GeoDataFrame, crs: str) -> None:
    check.crs = crs
    n_excl = int(edges["excluded"].sum()) if "excluded" in edges else 0
    check.rows, check.kept = len(edges), len(edges) - n_excl
    if n_excl:
        check.dropped = {"excluded highway": n_excl}
    if n_excl == len(edges):
        check.errors.append(f"{check.file}: every street in the study area is excluded (network.exclude_highways)")


def _polygon_file_errors(path: Path, key: str) -> list[str]:
    if not path.exists():
        return [f"{path}: {key}: file does not exist"]
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        return [f"{path}: {key}: is a directory, not a polygon file"]
    try:
        info = pyogrio.read_info(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises several types for unreadable files
        return [f"{path}: {key}: cannot read ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"]
    if not info.get("features"):
        return [f"{path}: {key}: contains no features"]
    if info.get("geometry_type") and "polygon" not in str(info["geometry_type"]).lower():
        return [f"{path}: {key}: holds {info['geometry_type']} geometry, expected polygons"]
    return []


def _check_incidents(scenario: Scenario, area: BaseGeometry | None) -> list[LayerCheck]:
    out = []
    for i, layer in enumerate(scenario.incidents):
        path = scenario.resolve(layer.path)
        check = _Builder(f"incidents:{layer.name}", str(path))
        inc = _run(check, lambda layer=layer: layers.read_incidents(layer, scenario))
        if isinstance(inc, gpd.GeoDataFrame):
            _from_points(check, inc, area, "incidents", spread=inc["precision"].eq("street").to_numpy())
            weights = scenario.category_weights
            w = inc["weight"].to_numpy(float) * inc["category"].map(lambda c: weights.get(c, 0.0)).to_numpy(float)
            if len(inc) and not (w > 0).any():
                check.warnings.append("every incident weighs 0 (check category_weights and the category column)")
        out.append(check.freeze())
    if not scenario.incidents:
        out.append(LayerCheck("incidents", "(none)", warnings=("no [[incidents]] layer: only street space and "
                                                                "footfall create demand",)))
    return out


def _check_cameras(scenario: Scenario, area: BaseGeometry | None) -> list[LayerCheck]:
    cam = scenario.existing_cameras
    if cam is None:
        return []
    path = scenario.resolve(cam.path)
    check = _Builder("existing_cameras", str(path))
    gdf = _run(check, lambda: layers.read_cameras(cam, scenario))
    if isinstance(gdf, gpd.GeoDataFrame):
        _from_points(check, gdf, area, "cameras")
    if cam.source == "illustrative":
        check.warnings.append("this layer is illustrative (made up), not the police's cameras")
    return [check.freeze()]


def _check_points_file(scenario: Scenario, area: BaseGeometry | None, layer: str, path_text: str,
                       numeric: tuple[str, ...] = ()) -> LayerCheck:
    path = scenario.resolve(path_text)
    check = _Builder(layer, str(path))

    def read() -> gpd.GeoDataFrame:
        gdf = readers.read_points(path, target_crs=scenario.crs)
        for col in numeric:
            values = readers.to_number(gdf[_column(gdf, col, path)]).to_numpy(float)
            bad = ~np.isfinite(values) | (values < 0)
            if bad.any():
                row = int(gdf[readers.ROW].to_numpy()[np.argmax(bad)])
                check.errors.append(f"{path}: row {row}, column {col}: must be a number >= 0")
        return gdf

    gdf = _run(check, read)
    if isinstance(gdf, gpd.GeoDataFrame):
        _from_points(check, gdf, area, "points")
    return check.freeze()


def _column(gdf: gpd.GeoDataFrame, name: str, path: Path) -> str:
    for c in gdf.columns:
        if str(c).strip().lower() == name.lower():
            return str(c)
    raise InputError(f"column {name!r} not found", file=path, where=f"column {name}")


def _check_other_files(scenario: Scenario, area: BaseGeometry | None) -> list[LayerCheck]:
    out = []
    ff = scenario.demand.footfall
    if ff is not None:
        out.append(_check_points_file(scenario, area, "footfall", ff.path, (ff.count_column,)))
    mp = scenario.candidates.mounting_points
    if mp:
        out.append(_check_points_file(scenario, area, "mounting_points", mp))
    for i, ex in enumerate(scenario.candidates.exclusions):
        if ex.path:
            path = scenario.resolve(ex.path)
            errs = _polygon_file_errors(path, f"candidates.exclusions[{i}].path")
            out.append(LayerCheck(f"exclusion:{ex.name}", str(path), errors=tuple(errs)))
    return out


# -- scenario numbers ----------------------------------------------------------------------------------------------


def _crs_errors(scenario: Scenario) -> list[str]:
    """The working CRS must be a projected CRS in metres; a network CRS must be known."""
    src = scenario.source_file or "scenario"
    try:
        crs = CRS.from_user_input(scenario.crs)
    except CRSError:
        return [f"{src}: crs: unknown CRS {scenario.crs!r} (use \"EPSG:3011\", SWEREF 99 18 00)"]
    errors = []
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        errors.append(f"{src}: crs: {scenario.crs} is not a projected CRS in metres (use \"EPSG:3011\")")
    if scenario.network.crs:
        try:
            CRS.from_user_input(scenario.network.crs)
        except CRSError:
            errors.append(f"{src}: network.crs: unknown CRS {scenario.network.crs!r}")
    return errors


def _check_numbers(scenario: Scenario) -> tuple[list[str], list[str]]:
    """Errors and warnings about weights, costs, budget and camera types."""
    errors: list[str] = []
    warnings: list[str] = []
    src = scenario.source_file or "scenario"
    opt = scenario.optimization
    for k, v in scenario.category_weights.items():
        if not (math.isfinite(v) and v >= 0):
            errors.append(f"{src}: category_weights.{k}: must be >= 0")
    if not any(v > 0 for v in scenario.category_weights.values()):
        warnings.append("every category weight is 0: only street space and footfall create demand")
    horizon = opt.horizon_years
    offered = scenario.candidates.camera_types or tuple(c.name for c in scenario.camera_types)
    costs = {}
    for i, ct in enumerate(scenario.camera_types):
        key = f"camera_types[{i}]"
        cost = ct.cost_sek(horizon)
        if not (math.isfinite(cost) and cost >= 0):
            errors.append(f"{src}: {key}: cost must be >= 0")
        if ct.name in offered:
            costs[ct.name] = cost
        if ct.range_m > MAX_PLAUSIBLE_RANGE_M:
            warnings.append(f"camera type {ct.name!r}: range {ct.range_m:g} m is implausibly long")
        if cost == 0:
            warnings.append(f"camera type {ct.name!r} costs nothing (capex and opex 0)")
        if ct.height_m is not None and ct.height_m > 30:
            warnings.append(f"camera type {ct.name!r}: mounting height {ct.height_m:g} m is unusual")
    budget = opt.budget_sek
    if not (math.isfinite(budget) and budget > 0):
        errors.append(f"{src}: optimization.budget_sek: must be > 0")
    elif costs and budget < min(costs.values()):
        cheapest = min(costs, key=lambda n: costs[n])
        errors.append(f"{src}: optimization.budget_sek: {budget:,.0f} SEK is below the cheapest camera "
                      f"({cheapest}: {costs[cheapest]:,.0f} SEK over {horizon:g} years)".replace(",", " "))
    return errors, warnings


# -- entry point ---------------------------------------------------------------------------------------------------


def validate_scenario(scenario: Scenario) -> ValidationReport:
    """Check every input of ``scenario`` without building a model or solving.

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`camsite.config.load` has already checked
        its keys and types).

    Returns
    -------
    ValidationReport
        One :class:`LayerCheck` per input (rows, kept, dropped and why,
        outside the study area, warnings, errors) plus all errors and
        warnings; ``report.ok`` is False when a run would fail.
    """
    num_errors, num_warnings = _check_numbers(scenario)
    crs_errors = _crs_errors(scenario)
    if crs_errors:  # no layer can be projected: report the CRS and the numbers only
        return ValidationReport(scenario=scenario.source_file or scenario.name, layers=(),
                                errors=tuple(crs_errors + num_errors), warnings=tuple(num_warnings))
    area_check, area = _check_study_area(scenario)
    checks = [area_check, _check_network(scenario, area)]
    checks += _check_incidents(scenario, area)
    checks += _check_cameras(scenario, area)
    checks += _check_other_files(scenario, area)
    errors = [e for c in checks for e in c.errors] + num_errors
    warnings = [f"{c.layer}: {w}" for c in checks for w in c.warnings] + num_warnings
    report = ValidationReport(scenario=scenario.source_file or scenario.name, layers=tuple(checks),
                              errors=tuple(dict.fromkeys(errors)), warnings=tuple(dict.fromkeys(warnings)))
    logger.info("validated %s: %d error(s), %d warning(s)", report.scenario, len(report.errors),
                len(report.warnings))
    return report
