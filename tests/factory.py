"""One factory for test scenarios, networks and instances.

Scenarios
    :func:`scenario_data` deep-merges keyword overrides into a minimal valid
    scenario (tables merge key by key, lists and values are replaced, :data:`DROP`
    removes a key); :func:`toml` writes such data as TOML text; :func:`scenario`
    validates it through :func:`camsite.config.loads` (or, given a folder,
    writes ``s.toml`` and the data files there and loads it from disk, so
    relative paths resolve against that folder). :func:`fridhemsplan_data` is
    the small real-data preset: a circle around Fridhemsplan on the shipped
    network, camera types, incidents and illustrative cameras;
    :func:`default_data` is the default scenario file as data.

Networks and instances
    :func:`network` builds a :class:`camsite.network.Network` from polylines
    (nodes are the shared end points); :func:`inputs` wraps a network and point
    layers into :class:`camsite.stages.Inputs`; :func:`cameras` gives
    :class:`camsite.cameras.CameraModels` from plain numbers.

The command line
    :func:`invoke` runs ``camsite`` in this process (click's CliRunner) with
    logging put back afterwards; :func:`run_process` starts a real process;
    :func:`one_error_line` checks the one-line error contract.
    :func:`network_cache` reads the shipped network once per study area for
    tests whose subject lies elsewhere.

Every test module builds its scenarios and synthetic networks here, so a
change of the scenario schema is made in one place.
"""

from __future__ import annotations

import contextlib
import copy
import copyreg
import dataclasses
import io
import json
import logging
import math
import pickle
import subprocess
import sys
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from click.testing import CliRunner, Result
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
DEFAULT_SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
GRAPHML = DATA / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz"
INNER_CITY = DATA / "osm" / "stockholm_drive_osmnx2020.tar.gz"
CAMERAS_CSV = DATA / "cameras" / "existing_cameras_illustrative.csv"
INCIDENTS_GEOJSON = DATA / "incidents" / "polisen_kungsholmen.geojson"

CRS = "EPSG:3011"
#: Fridhemsplan as [lat, lon].
LAT, LON = 59.3330, 18.0308

#: A tiny OSM XML file: two streets crossing at node 2 (Fridhemsplan-ish coordinates).
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="59.3330" lon="18.0280"/>
  <node id="2" lat="59.3330" lon="18.0308"/>
  <node id="3" lat="59.3330" lon="18.0336"/>
  <node id="4" lat="59.3345" lon="18.0308"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Fleminggatan"/></way>
  <way id="11"><nd ref="2"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="name" v="Sankt Eriksgatan"/></way>
</osm>
"""

#: An override value that removes the key from the scenario.
DROP = object()

#: The smallest valid scenario: a 300 m circle, one all-round camera type, a budget.
MINIMAL: dict[str, Any] = {
    "name": "t",
    "study_area": {"center": [LAT, LON], "radius_m": 300},
    "network": {"path": "net.graphml"},
    "camera_types": [{"name": "dome", "range_m": 40, "capex_sek": 50000, "opex_sek_per_year": 5000}],
    "optimization": {"budget_sek": 200000},
}

#: The two camera types of the default scenario (cost over 4 years: 108,000 and 150,000 SEK).
FIXED_1080P: dict[str, Any] = {"name": "fixed_1080p", "range_m": 30, "fov_deg": 60, "capex_sek": 60000,
                               "opex_sek_per_year": 12000}
PTZ_DOME: dict[str, Any] = {"name": "ptz_dome", "range_m": 60, "capex_sek": 90000, "opex_sek_per_year": 15000}
FRIDHEMSPLAN_CAMERAS: list[dict[str, Any]] = [FIXED_1080P, PTZ_DOME]


# -- scenario data ------------------------------------------------------------------------------------------------


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` deep-merged into a copy of ``base``: tables merge, other values (lists too) replace, DROP removes."""
    out = copy.deepcopy(dict(base))
    for k, v in over.items():
        if v is DROP:
            out.pop(k, None)
        elif isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def scenario_data(base: Mapping[str, Any] | None = None, /, **overrides: Any) -> dict[str, Any]:
    """:data:`MINIMAL` (or ``base``) with ``overrides`` deep-merged in (see :func:`merge`)."""
    return merge(MINIMAL if base is None else base, overrides)


def fridhemsplan_data(radius_m: float = 300, **overrides: Any) -> dict[str, Any]:
    """A small scenario on the shipped data: ``radius_m`` around Fridhemsplan, police incidents, cameras."""
    base = {
        "name": "small",
        "study_area": {"center": [LAT, LON], "radius_m": radius_m},
        "network": {"path": str(GRAPHML)},
        "incidents": [{"name": "polisen", "path": str(INCIDENTS_GEOJSON)}],
        "existing_cameras": {"path": str(CAMERAS_CSV), "source": "illustrative", "default_type": "ptz_dome"},
        "camera_types": FRIDHEMSPLAN_CAMERAS,
        "optimization": {"budget_sek": 500000},
    }
    return merge(base, overrides)


_PATH_KEYS = ("path", "mounting_points", "open_areas", "buildings", "districts", "water", "entrances",
              "sensitive_places", "residential", "table")


def _absolute_paths(data: Any, folder: Path) -> Any:
    if isinstance(data, Mapping):
        return {k: str((folder / v).resolve()) if k in _PATH_KEYS and isinstance(v, str) and not Path(v).is_absolute()
                else _absolute_paths(v, folder) for k, v in data.items()}
    if isinstance(data, list):
        return [_absolute_paths(v, folder) for v in data]
    return data


def default_data(**overrides: Any) -> dict[str, Any]:
    """The default scenario file (scenarios/fridhemsplan.toml) as data, its paths made absolute, plus overrides."""
    import tomllib

    data = tomllib.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    assert "extends" not in data
    return merge(_absolute_paths(data, DEFAULT_SCENARIO.parent), overrides)


# -- TOML ---------------------------------------------------------------------------------------------------------


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (str, Path)):
        return json.dumps(str(v), ensure_ascii=False)
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def _table(data: Mapping[str, Any], prefix: str, lines: list[str]) -> None:
    subs = []
    for k, v in data.items():
        if isinstance(v, Mapping) or _is_table_array(v):
            subs.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in subs:
        name = f"{prefix}{_key(k)}"
        if isinstance(v, Mapping):
            lines.append(f"\n[{name}]")
            _table(v, name + ".", lines)
        else:
            for item in v:
                lines.append(f"\n[[{name}]]")
                _table(item, name + ".", lines)


def toml(data: Mapping[str, Any]) -> str:
    """``data`` as TOML text (tables as ``[section]``, lists of tables as ``[[section]]``).

    >>> print(toml({"name": "x", "optimization": {"budget_sek": 5.0}, "camera_types": [{"name": "a"}]}))
    name = "x"
    <BLANKLINE>
    [optimization]
    budget_sek = 5.0
    <BLANKLINE>
    [[camera_types]]
    name = "a"
    <BLANKLINE>
    """
    lines: list[str] = []
    _table(data, "", lines)
    return "\n".join(lines) + "\n"


# -- scenarios ----------------------------------------------------------------------------------------------------


def write_files(folder: Path, files: Mapping[str, str | bytes] | None) -> None:
    """Write ``{relative name: text or bytes}`` into ``folder`` (text as UTF-8, line endings kept)."""
    for name, content in (files or {}).items():
        p = Path(folder) / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")


def write_scenario(folder: Path, data: Mapping[str, Any] | None = None, *, name: str = "s.toml",
                   files: Mapping[str, str | bytes] | None = None, **overrides: Any) -> Path:
    """Write ``data`` (default :data:`MINIMAL`, plus ``overrides``) to ``folder/name``, and ``files`` beside it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_files(folder, files)
    path = folder / name
    path.write_text(toml(scenario_data(data, **overrides)), encoding="utf-8")
    return path


def scenario(data: Mapping[str, Any] | None = None, /, *, folder: Path | None = None, file: str = "s.toml",
             files: Mapping[str, str | bytes] | None = None, **overrides: Any):
    """A validated :class:`camsite.config.Scenario` from ``data`` (default :data:`MINIMAL`) and ``overrides``.

    With ``folder`` the scenario and ``files`` are written there and loaded
    from disk (relative paths resolve against ``folder``); without, the TOML
    text is parsed with ``file`` as its (not necessarily existing) name.
    """
    from camsite import config

    full = scenario_data(data, **overrides)
    if folder is not None:
        return config.load(write_scenario(folder, full, name=file, files=files))
    if files:
        raise ValueError("files need a folder")
    return config.loads(toml(full), file=file)


# -- networks and point layers ------------------------------------------------------------------------------------


def network(lines: Sequence[Sequence[tuple[float, float]]], *, names: Sequence[str] | None = None,
            highway: Sequence[str] | str = "residential", tunnel: Sequence[bool] | None = None,
            excluded: Sequence[bool] | None = None, half_width: float | Sequence[float] = 5.0,
            origin: tuple[float, float] = (0.0, 0.0), crs: str = CRS):
    """A :class:`camsite.network.Network` from polylines given relative to ``origin``.

    Nodes are the lines' end points (an end point shared by several lines is
    one node, numbered in order of appearance); ``street_count`` is the number
    of line ends at a node.
    """
    from camsite.network import Network

    x0, y0 = origin
    n = len(lines)
    ids: dict[tuple[float, float], int] = {}
    u = [ids.setdefault((float(c[0][0]), float(c[0][1])), len(ids)) for c in lines]
    v = [ids.setdefault((float(c[-1][0]), float(c[-1][1])), len(ids)) for c in lines]
    geoms = [LineString([(x0 + x, y0 + y) for x, y in c]) for c in lines]
    edges = gpd.GeoDataFrame({
        "edge_id": np.arange(n), "u": u, "v": v,
        "name": list(names) if names is not None else [f"gata {i}" for i in range(n)],
        "highway": [highway] * n if isinstance(highway, str) else list(highway),
        "tunnel": list(tunnel) if tunnel is not None else [False] * n, "bridge": [False] * n,
        "excluded": list(excluded) if excluded is not None else [False] * n,
        "length_m": [g.length for g in geoms],
        "half_width_m": [float(half_width)] * n if np.isscalar(half_width) else [float(h) for h in half_width],
    }, geometry=geoms, crs=crs)
    edges.index.name = "edge_id"
    count = np.bincount(np.asarray(u + v, dtype=np.int64), minlength=len(ids))
    nodes = gpd.GeoDataFrame({"street_count": count}, geometry=[Point(x0 + x, y0 + y) for x, y in ids],
                             crs=crs)
    nodes.index.name = "osmid"
    return Network(graph=None, nodes=nodes, edges=edges, crs=crs)


def points(xy: Iterable[tuple[float, float]], crs: str = CRS, **columns: Any) -> gpd.GeoDataFrame:
    """Points (with optional columns) in ``crs``."""
    geoms = [Point(p) for p in xy]
    return gpd.GeoDataFrame(dict(columns), geometry=geoms, crs=crs)


def sites(xy: Sequence[tuple[float, float]], types: Sequence[str], headings: Sequence[float] | None = None,
          crs: str = CRS) -> gpd.GeoDataFrame:
    """Camera sites: ``camera_type`` and ``heading_deg`` (NaN = all round)."""
    heads = list(headings) if headings is not None else [math.nan] * len(xy)
    return points(xy, crs, camera_type=list(types), heading_deg=[float(h) for h in heads])


def incidents(rows: Sequence[tuple[Any, ...]], crs: str = CRS) -> gpd.GeoDataFrame:
    """Incidents in the standard columns from ``(id, category, weight, date, precision, street, (x, y))`` rows."""
    return gpd.GeoDataFrame({
        "incident_id": [str(r[0]) for r in rows], "category": [r[1] for r in rows],
        "weight": [float(r[2]) for r in rows], "date": pd.to_datetime([r[3] for r in rows]),
        "precision": [r[4] for r in rows], "street": [r[5] for r in rows], "source": "test"},
        geometry=[None if r[6] is None else Point(r[6]) for r in rows], crs=crs)


def cameras(spec: Mapping[str, tuple[float, float, float]] | None = None, *,
            offered: Sequence[str] | None = None):
    """:class:`camsite.cameras.CameraModels` from ``{name: (range_m, fov_deg, cost_sek)}``."""
    from camsite.cameras import CameraModels

    spec = spec or {"dome": (50.0, 360.0, 100.0), "fixed": (30.0, 60.0, 50.0)}
    names = list(spec)
    return CameraModels.of(names, range_m=[spec[n][0] for n in names], fov_deg=[spec[n][1] for n in names],
                           cost_sek=[spec[n][2] for n in names], offered=offered)


def inputs(net, *, study_area: BaseGeometry | None = None, incidents: gpd.GeoDataFrame | None = None,
           existing: gpd.GeoDataFrame | None = None, footfall: gpd.GeoDataFrame | None = None,
           mounting_points: gpd.GeoDataFrame | None = None, exclusion_zones: gpd.GeoDataFrame | None = None,
           open_space: BaseGeometry | None = None, subareas: gpd.GeoDataFrame | None = None):
    """:class:`camsite.stages.Inputs` around a synthetic network (study area: the network's extent plus 100 m)."""
    from camsite import coverage, layers
    from camsite.stages import Inputs

    crs = net.crs
    area = study_area if study_area is not None else net.edges.union_all().envelope.buffer(100)
    return Inputs(
        crs=crs, study_area=area,
        subareas=subareas if subareas is not None else gpd.GeoDataFrame(
            {"name": [], "label": [], "source": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs),
        network=net, incidents=incidents if incidents is not None else layers.empty_incidents(crs),
        existing=existing if existing is not None else layers.empty_cameras(crs),
        open_space=open_space if open_space is not None else coverage.open_space(net),
        footfall=footfall, mounting_points=mounting_points,
        exclusion_zones=exclusion_zones if exclusion_zones is not None else gpd.GeoDataFrame(
            {"name": [], "penalty_sek": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs),
        stats=(), incident_stats={"read": 0 if incidents is None else len(incidents), "outside_study_area": 0,
                                  "dropped": {}})


# -- shared work between tests ------------------------------------------------------------------------------------


@contextlib.contextmanager
def network_cache() -> Iterator[None]:
    """Read each unchanged street-network file once per study area while the block runs.

    ``camsite.network.load_network`` is memoised on the file (path, size,
    modification time), the ``[network]`` section, the working CRS and the
    study area; each call gets its own copies of the node and edge frames.
    Files that fail to read are read (and fail) every time. For tests whose
    subject is not the network (bad incident files, faults while writing).
    """
    from camsite import network as module

    real = module.load_network
    cache: dict[tuple[object, ...], Any] = {}

    def load_network(scenario, study_area):
        path = scenario.resolve(scenario.network.path)
        if not path.is_file():
            return real(scenario, study_area)
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns, repr(scenario.network), scenario.crs, study_area.wkb)
        if key not in cache:
            cache[key] = real(scenario, study_area)
        net = cache[key]
        return dataclasses.replace(net, nodes=net.nodes.copy(), edges=net.edges.copy())

    module.load_network = load_network
    try:
        yield
    finally:
        module.load_network = real


# -- the command line ---------------------------------------------------------------------------------------------


def _mapping_proxy(d: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(d)


def pickled(obj: object) -> bytes:
    """``obj`` pickled, read-only mappings (the scenario's) included; ``pickle.loads`` reads it back."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[types.MappingProxyType] = lambda m: (_mapping_proxy, (dict(m),))
    pickler.dump(obj)
    return buf.getvalue()


@contextlib.contextmanager
def logging_restored() -> Iterator[None]:
    """Undo what the CLI does to logging when the block ends: its stderr handler, levels, captured warnings.

    The CLI configures only the ``camsite`` and ``py.warnings`` loggers; the
    root logger's handlers belong to pytest and are left alone (its level is
    put back).
    """
    names = ("camsite", "py.warnings")
    saved = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).level) for n in names}
    root_level = logging.getLogger().level
    try:
        yield
    finally:
        for n, (handlers, level) in saved.items():
            logger = logging.getLogger(n)
            logger.handlers[:] = handlers
            logger.setLevel(level)
        logging.getLogger().setLevel(root_level)
        logging.captureWarnings(False)


def invoke(*args: object, catch_exceptions: bool = False) -> Result:
    """``camsite ARGS`` in this process (click's CliRunner; stdout and stderr kept apart).

    Exceptions are not caught by default, so a traceback fails the test.
    """
    from camsite.cli import main

    with logging_restored():
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch_exceptions)


def run_process(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m camsite ARGS`` as a real process, as a user starts it."""
    return subprocess.run([sys.executable, "-m", "camsite", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def one_error_line(stderr: str, exit_code: int, expected_code: int, *fragments: str) -> str:
    """The one ``error:`` line of a failed command; checks the exit code, no traceback, and ``fragments``."""
    assert exit_code == expected_code, stderr
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, stderr
    for frag in fragments:
        assert frag in lines[0], lines[0]
    return lines[0]


# -- the browser tests --------------------------------------------------------------------------------------------

def open_offline(browser, url: str, allowed: str, *, width: int = 1280, ready_timeout_ms: int = 10_000):
    """Open ``url`` in a new page with every request not starting with ``allowed`` aborted and recorded.

    Waits for the map (``#map[data-ready]``); returns (page, outside requests, page errors and console errors).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("#map[data-ready]", timeout=ready_timeout_ms)
    return page, outside, errors


#: An earlier run's output folder: what a failed or refused run must leave exactly as it was.
PREVIOUS = {"summary.json": b'{"scenario": "previous run", "outputs": ["sites.csv", "summary.json"]}\n',
            "sites.csv": b"rank,site_id\n1,old\n"}


def assert_untouched(out: Path) -> None:
    """``out`` holds exactly :data:`PREVIOUS` and no temporary or set-aside sibling is left."""
    assert {p.name: p.read_bytes() for p in out.iterdir()} == PREVIOUS
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")) == []
