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
import functools
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from camsite import layers, network, readers
from camsite.config import Scenario
from camsite.errors import CamsiteError
from camsite.stages import (
    LayerStats,
    inputs,
    instance_for,
    uncoverable_summary,
    unknown_target_categories,
    unused_target_text,
)
from camsite.tables import control_note

logger = logging.getLogger(__name__)

__all__ = ["MAX_PLAUSIBLE_RANGE_M", "LayerCheck", "ValidationReport", "validate_scenario"]

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
    #: Demand no candidate and no existing camera can see (as in summary.json), None when not computed.
    uncoverable: dict[str, Any] | None = None

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


def _from_stats(check: _Builder, stats: LayerStats) -> None:
    """Fill ``check`` from the stats a stage reader returned (the same counts a run uses)."""
    check.rows, check.kept, check.dropped, check.outside = stats.rows, stats.kept, dict(stats.dropped), stats.outside
    check.crs = stats.crs
    check.warnings.extend(stats.warnings)


# -- layer checks --------------------------------------------------------------------------------------------------


def _check_study_area(scenario: Scenario) -> tuple[LayerCheck, BaseGeometry | None]:
    check = _Builder("study_area", scenario.study_area.path or "(in scenario)")
    got = _run(check, lambda: inputs.read_study_area(scenario))
    if not isinstance(got, tuple):
        return check.freeze(), None
    area, frame = got
    check.rows = check.kept = 1
    check.crs = scenario.crs
    km2 = area.area / 1e6
    if km2 > 50:
        check.warnings.append(f"the study area is {km2:.0f} km²: a run may be slow")
    apart = [str(n) for n, g in zip(frame["name"], frame.geometry) if not g.intersects(area)]
    if apart:
        check.warnings.append(f"sub-area(s) outside the study area: {', '.join(apart)}")
    return check.freeze(), area


def _check_network(scenario: Scenario, area: BaseGeometry | None) -> LayerCheck:
    path = scenario.resolve(scenario.network.path)
    check = _Builder("network", str(path))
    if area is None:  # no study area to clip to: check that the file reads
        graph = _run(check, lambda: network.load_graph(path))
        check.rows = graph.number_of_edges() if isinstance(graph, nx.MultiDiGraph) else None
    else:
        got = _run(check, lambda: inputs.read_network(scenario, area))
        if isinstance(got, tuple):
            _from_stats(check, got[1])
    for key in ("open_areas", "buildings"):
        extra = getattr(scenario.network, key)
        if extra:
            check.errors.extend(_polygon_file_errors(scenario.resolve(extra), f"network.{key}"))
    return check.freeze()


def _polygon_file_errors(path: Path, key: str) -> list[str]:
    if not path.exists():
        return [f"{path}: {key}: file does not exist"]
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        return [f"{path}: {key}: is a directory, not a polygon file"]
    try:
        readers.refuse_remote_crs(path)
    except CamsiteError as exc:
        return [str(exc)]
    try:
        info = pyogrio.read_info(path)
    except Exception as exc:
        return [f"{path}: {key}: cannot read ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"]
    if not info.get("features"):
        return [f"{path}: {key}: contains no features"]
    gtype = str(info.get("geometry_type") or "").lower()  # "unknown": mixed Polygon and MultiPolygon
    if gtype and gtype != "unknown" and "polygon" not in gtype:
        return [f"{path}: {key}: holds {info['geometry_type']} geometry, expected polygons"]
    return []


def _check_incidents(scenario: Scenario, area: BaseGeometry | None) -> list[LayerCheck]:
    out = []
    for layer in scenario.incidents:
        check = _Builder(f"incidents:{layer.name}", str(scenario.resolve(layer.path)))
        if area is None:
            _run(check, functools.partial(layers.read_incidents, layer, scenario))
        else:
            got = _run(check, functools.partial(inputs.read_incident_layer, scenario, layer, area))
            if isinstance(got, tuple):
                _from_stats(check, got[1])
                _control_notes(check, got[0], {"category": "category", "incident_id": "incident id"})
        out.append(check.freeze())
    if not scenario.incidents:
        out.append(LayerCheck("incidents", "(none)", warnings=("no [[incidents]] layer: only street space and "
                                                                "footfall create demand",)))
    return out


def _check_cameras(scenario: Scenario, area: BaseGeometry | None, *, strict: bool) -> list[LayerCheck]:
    cam = scenario.existing_cameras
    if cam is None:
        return []
    check = _Builder("existing_cameras", str(scenario.resolve(cam.path)))
    if area is None:
        got = _run(check, lambda: layers.read_cameras(cam, scenario))
    else:
        got = _run(check, lambda: inputs.load_cameras(scenario, area))
        if isinstance(got, tuple) and got[1] is not None:
            _from_stats(check, got[1])
        if isinstance(got, tuple):
            _control_notes(check, got[0], {"camera_id": "camera id", "camera_type": "camera type"})
    frame = got[0] if isinstance(got, tuple) else got
    unmapped = list(getattr(frame, "attrs", {}).get("unmapped", ()))
    if strict and unmapped:  # --strict: what the inventory's mapping leaves out is an error
        check.warnings[:] = [w for w in check.warnings if w not in unmapped]
        check.errors.extend(f"{m} (--strict)" for m in unmapped)
    return [check.freeze()]


def _control_notes(check: _Builder, frame: object, columns: dict[str, str]) -> None:
    """Warn, in the words ``run`` logs, about texts holding control characters (inventory.xlsx drops them)."""
    for column, what in columns.items():
        if isinstance(frame, pd.DataFrame) and column in frame:
            note = control_note(frame[column], what)
            if note:
                check.warnings.append(note)


def _check_points_file(scenario: Scenario, area: BaseGeometry | None, layer: str, path_text: str,
                       numeric: tuple[str, ...] = ()) -> LayerCheck:
    check = _Builder(layer, str(scenario.resolve(path_text)))
    if area is None:
        _run(check, lambda: readers.read_points(scenario.resolve(path_text), target_crs=scenario.crs))
    else:
        got = _run(check, lambda: inputs.read_point_file(scenario, path_text, layer, area, numeric))
        if isinstance(got, tuple):
            _from_stats(check, got[1])
    return check.freeze()


def _check_other_files(scenario: Scenario, area: BaseGeometry | None) -> list[LayerCheck]:
    out = []
    ff = scenario.demand.footfall
    if ff is not None:
        out.append(_check_points_file(scenario, area, "footfall", ff.path, (ff.count_column,)))
    mp = scenario.candidates.mounting_points
    if mp:
        out.append(_check_points_file(scenario, area, "mounting_points", mp))
    if ff is not None and ff.entrances:
        out.append(_check_points_file(scenario, area, "entrances", ff.entrances))
    b = scenario.boundaries
    for key, path_text in (("boundaries.districts", b.districts if b else None),
                           ("boundaries.water", b.water if b else None)):
        if path_text:
            path = scenario.resolve(path_text)
            out.append(LayerCheck(key.split(".")[1], str(path), errors=tuple(_polygon_file_errors(path, key))))
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


def _counted(rule: str, horizon: float) -> str:
    """How ``budget_applies_to`` counts a camera's cost, for the budget error."""
    return {"investment": "to buy", "yearly": "in its dearest year"}.get(rule, f"over {horizon:g} years")


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
        cost = ct.cost_sek(horizon, opt.budget_applies_to)
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
    for key in opt.unused_targets():
        warnings.append(unused_target_text(key))
    budget = opt.budget_sek
    if not (math.isfinite(budget) and budget > 0):
        errors.append(f"{src}: optimization.budget_sek: must be > 0")
    elif costs and budget < min(costs.values()):
        cheapest = min(costs, key=lambda n: costs[n])
        errors.append(f"{src}: optimization.budget_sek: {budget:,.0f} SEK is below the cheapest camera "
                      f"({cheapest}: {costs[cheapest]:,.0f} SEK {_counted(opt.budget_applies_to, horizon)})".replace(",", " "))
    return errors, warnings


# -- entry point ---------------------------------------------------------------------------------------------------


def _uncoverable(scenario: Scenario) -> tuple[dict[str, Any] | None, list[str]]:
    """Build the instance (no solve) and summarise what no camera can see; errors as one-line texts."""
    try:
        inp = inputs.load_inputs(scenario)
        inst = instance_for(scenario, inp, viewsheds=False)
    except CamsiteError as exc:
        return None, [str(exc.in_file(scenario.source_file))]
    targets = [str(e.in_file(scenario.source_file)) for e in unknown_target_categories(inst, scenario.optimization)]
    return uncoverable_summary(inst, inp.network.edges, crs=scenario.crs), targets


def validate_scenario(scenario: Scenario, *, strict: bool = False) -> ValidationReport:
    """Check every input of ``scenario`` without building a model or solving.

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`camsite.config.load` has already checked
        its keys and types).
    strict
        A column or value of the camera inventory that the scenario does not
        map (``[existing_cameras] columns``, ``owner_values``) is an error, not a warning.

    Returns
    -------
    ValidationReport
        One :class:`LayerCheck` per input (rows, kept, dropped and why,
        outside the study area, warnings, errors) plus all errors and
        warnings; ``report.ok`` is False when a run would fail.
    """
    num_errors, num_warnings = _check_numbers(scenario)
    title = control_note([scenario.title, scenario.name], "title")
    num_warnings += [title] if title else []
    crs_errors = _crs_errors(scenario)
    if crs_errors:  # no layer can be projected: report the CRS and the numbers only
        return ValidationReport(scenario=scenario.source_file or scenario.name, layers=(),
                                errors=tuple(crs_errors + num_errors), warnings=tuple(num_warnings))
    area_check, area = _check_study_area(scenario)
    checks = [area_check, _check_network(scenario, area)]
    checks += _check_incidents(scenario, area)
    checks += _check_cameras(scenario, area, strict=strict)
    checks += _check_other_files(scenario, area)
    errors = [e for c in checks for e in c.errors] + num_errors
    warnings = [f"{c.layer}: {w}" for c in checks for w in c.warnings] + num_warnings
    unc = None
    if not errors:
        unc, more = _uncoverable(scenario)
        errors += more
        if unc and unc.get("count"):
            warnings.append(f"{unc['count']} demand points ({unc['share_pct']:.1f}% of the weight, "
                            f"{unc['incident_share_pct'] or 0:.1f}% of the incident weight) can be seen by no "
                            "candidate and no existing camera")
    report = ValidationReport(scenario=scenario.source_file or scenario.name, layers=tuple(checks),
                              errors=tuple(dict.fromkeys(errors)), warnings=tuple(dict.fromkeys(warnings)),
                              uncoverable=unc)
    logger.info("validated %s: %d error(s), %d warning(s)", report.scenario, len(report.errors),
                len(report.warnings))
    return report
