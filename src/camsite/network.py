"""Street networks: read, project to the working CRS, clip to the study area.

Reads osmnx GraphML (``.graphml``, ``.graphml.gz``), OSM XML (``.osm``,
``.osm.bz2``, ``.osm.gz``, ``.osm.xz``), a GeoPackage with ``nodes`` and
``edges`` layers, or an osmnx shapefile pair (a folder, or a ``.tar.gz`` of
one, holding ``nodes.shp`` and ``edges.shp``).
"""

from __future__ import annotations

import ast
import gzip
import logging
import lzma
import math
import re
import shutil
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from camsite.config import NetworkConfig, Scenario
from camsite.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["TUNNEL_VALUES", "Network", "edges_frame", "first_value", "load_graph", "load_network", "name_key", "name_keys",
           "osm_values"]

#: OSM ``tunnel`` values that put a street underground or inside a building.
TUNNEL_VALUES = frozenset({"yes", "true", "1", "building_passage", "culvert", "avalanche_protector"})


@dataclass(frozen=True)
class Network:
    """A projected street network clipped to a study area (see docs/architecture.md)."""

    graph: nx.MultiDiGraph
    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    crs: str


def _suffixes(path: Path) -> str:
    return "".join(path.suffixes[-2:]).lower()


_NODE_ID = re.compile(r'<node\s+id="([^"]*)"')


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    """A GraphML file (gzipped or not); a node id given twice is an error (networkx would merge them silently)."""
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            text = fh.read()
    else:
        text = path.read_text(encoding="utf-8")
    ids = _NODE_ID.findall(text)
    if len(ids) != len(set(ids)):
        dup = next(i for i, n in Counter(ids).items() if n > 1)
        raise InputError(f"node id {dup!r} is defined twice", file=path, where=f"node {dup}")
    return ox.load_graphml(graphml_str=text)


def _check_nodes(graph: nx.MultiDiGraph, path: Path) -> None:
    """Every node needs finite x and y (an edge to a node that is not defined creates one without them)."""
    for node, data in graph.nodes(data=True):
        try:
            ok = math.isfinite(float(data["x"])) and math.isfinite(float(data["y"]))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise InputError("node has no finite x/y coordinates (a node without them, a NaN, or an edge to a node "
                             "that is not defined)", file=path, where=f"node {node}")


def _read_osm_xml(path: Path) -> nx.MultiDiGraph:
    if path.suffix.lower() != ".xz":
        return ox.graph_from_xml(path, simplify=True, retain_all=True)
    with tempfile.TemporaryDirectory(prefix="camsite-osm-") as tmp:
        plain = Path(tmp) / path.stem
        with lzma.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return ox.graph_from_xml(plain, simplify=True, retain_all=True)


def _graph_from_node_edge_frames(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, path: Path) -> nx.MultiDiGraph:
    for col in ("u", "v"):
        if col not in edges.columns:
            raise InputError(f"edges layer has no {col!r} column (an osmnx nodes/edges export is expected)", file=path)
    if "osmid" not in nodes.columns and nodes.index.name != "osmid":
        raise InputError("nodes layer has no 'osmid' column (an osmnx nodes/edges export is expected)", file=path)
    if nodes.index.name != "osmid":
        nodes = nodes.set_index("osmid")
    nodes = nodes.assign(x=nodes.geometry.x, y=nodes.geometry.y)
    if "key" not in edges.columns:
        edges = edges.assign(key=edges.groupby(["u", "v"]).cumcount())
    edges = edges.set_index(["u", "v", "key"])
    missing = ~edges.index.get_level_values("u").isin(nodes.index) | ~edges.index.get_level_values("v").isin(nodes.index)
    if missing.any():
        logger.warning("%s: %d edges refer to nodes not in the nodes layer; dropped", path, int(missing.sum()))
        edges = edges[~missing]
    return ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": str(nodes.crs)})


def _read_pair(folder: str, path: Path) -> nx.MultiDiGraph:
    nodes = gpd.read_file(f"{folder}/nodes.shp")
    edges = gpd.read_file(f"{folder}/edges.shp")
    return _graph_from_node_edge_frames(nodes, edges, path)


def _read_tar_pair(path: Path) -> nx.MultiDiGraph:
    with tarfile.open(path) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and Path(m.name).stem in ("nodes", "edges")]
        names = {Path(m.name).name for m in members}
        if "nodes.shp" not in names or "edges.shp" not in names:
            raise InputError("archive holds no nodes.shp and edges.shp", file=path)
        with tempfile.TemporaryDirectory(prefix="camsite-net-") as tmp:
            for m in members:  # flatten: only the shapefile parts, never paths from the archive
                src = tar.extractfile(m)
                if src is not None:
                    with src, open(Path(tmp) / Path(m.name).name, "wb") as dst:
                        shutil.copyfileobj(src, dst)
            return _read_pair(tmp, path)


def load_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a street network file into an osmnx MultiDiGraph, in the file's own CRS.

    Parameters
    ----------
    path
        GraphML (optionally gzipped), OSM XML (``.osm``, ``.osm.bz2``,
        ``.osm.gz``, ``.osm.xz``), a GeoPackage with ``nodes`` and ``edges``
        layers, a folder with ``nodes.shp`` and ``edges.shp``, or a
        ``.tar.gz``/``.tgz`` archive of such a folder.

    Raises
    ------
    InputError
        If the file does not exist, is of an unknown kind, or cannot be parsed.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("street network file does not exist", file=path)
    kind = _suffixes(path)
    try:
        if kind.endswith((".graphml", ".graphml.gz")):
            return _read_graphml(path)
        if kind.endswith((".osm", ".osm.bz2", ".osm.gz", ".osm.xz", ".xml")):
            return _read_osm_xml(path)
        if kind.endswith(".gpkg"):
            return _graph_from_node_edge_frames(gpd.read_file(path, layer="nodes"), gpd.read_file(path, layer="edges"),
                                                path)
        if kind.endswith((".tar.gz", ".tgz", ".tar")):
            return _read_tar_pair(path)
        if path.is_dir():
            if not (path / "nodes.shp").exists() or not (path / "edges.shp").exists():
                raise InputError("folder holds no nodes.shp and edges.shp", file=path)
            return _read_pair(str(path), path)
    except InputError:
        raise
    except Exception as exc:  # parsers raise many types on corrupt files; all mean the same to a user
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read street network ({type(exc).__name__}: {msg})", file=path) from None
    raise InputError("unknown street network format (use .graphml, .graphml.gz, .osm, .osm.bz2, .osm.xz, .gpkg, "
                     "a nodes/edges shapefile folder or a .tar.gz of one)", file=path)


def osm_values(value: object, *, sep: str | None = None) -> list[str]:
    """Every value of an OSM tag or street-name cell, stripped, without blanks or repeats, in order.

    Parameters
    ----------
    value
        A list (GraphML through osmnx), a list written as text
        (``"['Norr Mälarstrand', 'Sysslomansgatan']"`` in shapefiles and
        GeoPackages), one value, or a missing value (None, NaN).
    sep
        Also split a text value at this separator (``"; "`` for the
        ``names`` column of :func:`edges_frame`); None: a text is one value.

    Returns
    -------
    list of str
        The values; empty for a missing value.

    Examples
    --------
    >>> osm_values(["A-gatan", "B-bron", "A-gatan"]), osm_values("['A', 'B']"), osm_values(float("nan"))
    (['A-gatan', 'B-bron'], ['A', 'B'], [])
    >>> osm_values("Norr Mälarstrand; Sysslomansgatan", sep="; "), osm_values(" A-gatan ")
    (['Norr Mälarstrand', 'Sysslomansgatan'], ['A-gatan'])
    """
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        value = parsed if isinstance(parsed, list) else value
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
    elif _missing(value):
        items = []
    elif sep is not None:
        items = str(value).split(sep)
    else:
        items = [value]
    texts = (str(v).strip() for v in items if not _missing(v))
    return list(dict.fromkeys(v for v in texts if v and v != "nan"))


def first_value(value: object) -> str:
    """The first of :func:`osm_values` (the street name of a segment with several), "" if none.

    >>> first_value(["Fleminggatan", "Sankt Eriksbron"]), first_value(None)
    ('Fleminggatan', '')
    """
    values = osm_values(value)
    return values[0] if values else ""


def name_key(name: str) -> str:
    """A street or district name as compared: stripped and case-folded.

    >>> name_key(" FLEMINGGATAN "), name_key("Fleminggatan")
    ('fleminggatan', 'fleminggatan')
    """
    return name.strip().casefold()


def name_keys(names: pd.Series) -> pd.Series:
    """:func:`name_key` of every name in a column, "" for a missing one (vectorised).

    >>> name_keys(pd.Series([" Fleminggatan", None, "KUNGSHOLMEN"])).tolist()
    ['fleminggatan', '', 'kungsholmen']
    """
    return names.fillna("").astype(str).str.strip().str.casefold()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _flag(series: pd.Series, truthy: frozenset[str]) -> np.ndarray:
    return series.map(lambda v: any(first_value([x]).lower() in truthy
                                    for x in (v if isinstance(v, list) else [v]))).to_numpy(bool)


def edges_frame(graph: nx.MultiDiGraph, cfg: NetworkConfig) -> gpd.GeoDataFrame:
    """One row per undirected street segment, with camsite's standard columns.

    Reciprocal directed edges with the same geometry become one segment.
    """
    und = ox.convert.to_undirected(graph)
    raw = ox.graph_to_gdfs(und, nodes=False, fill_edge_geometry=True).reset_index()
    cols = {c: raw[c] if c in raw.columns else pd.Series([None] * len(raw), index=raw.index)
            for c in ("name", "highway", "tunnel", "bridge")}
    highway = cols["highway"].map(first_value)
    half = highway.map(lambda h: cfg.half_width_m.get(h, cfg.default_half_width_m)).astype(float)
    edges = gpd.GeoDataFrame(
        {
            "u": raw["u"].to_numpy(), "v": raw["v"].to_numpy(),
            "name": cols["name"].map(first_value).to_numpy(object),
            "names": cols["name"].map(lambda v: "; ".join(osm_values(v))).to_numpy(object),
            "highway": highway.to_numpy(object),
            "tunnel": _flag(cols["tunnel"], TUNNEL_VALUES),
            "bridge": _flag(cols["bridge"], frozenset({"yes", "true", "1", "viaduct"})),
            "excluded": highway.isin(cfg.exclude_highways).to_numpy(bool),
            "length_m": raw.geometry.length.to_numpy(float),
            "half_width_m": half.to_numpy(float),
        },
        geometry=raw.geometry.to_numpy(), crs=raw.crs,
    )
    edges = edges.sort_values(["u", "v"], kind="stable").reset_index(drop=True)
    edges.insert(0, "edge_id", np.arange(len(edges)))
    edges.index.name = "edge_id"
    return edges


def load_network(scenario: Scenario, study_area: BaseGeometry) -> Network:
    """Load the scenario's street network, project it and clip it to the study area.

    Edges within ``network.clip_buffer_m`` of the study area are kept whole,
    so a camera at the edge of the area still sees along its streets.

    Raises
    ------
    InputError
        If the file cannot be read, has no CRS, or has no street inside the study area.
    """
    cfg = scenario.network
    path = scenario.resolve(cfg.path)
    graph = load_graph(path)
    if cfg.crs:
        graph.graph["crs"] = cfg.crs
    if not graph.graph.get("crs"):
        raise InputError("street network has no CRS; set [network] crs in the scenario", file=path)
    if graph.number_of_edges() == 0:
        raise InputError("street network has no edges", file=path)
    _check_nodes(graph, path)
    logger.info("read %s: %d nodes, %d edges", path.name, graph.number_of_nodes(), graph.number_of_edges())
    try:
        graph = ox.project_graph(graph, to_crs=scenario.crs)
    except (CRSError, ValueError, TypeError) as exc:
        raise InputError(f"cannot project the street network from its CRS {graph.graph.get('crs')!r} "
                         f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); set [network] crs",
                         file=path, where="crs") from None
    edges = edges_frame(graph, cfg)
    keep = edges.intersects(study_area.buffer(cfg.clip_buffer_m)).to_numpy()
    if not keep.any():
        raise InputError("no street edge lies inside the study area (check [study_area] and the network's CRS)",
                         file=path)
    edges = edges[keep]
    node_ids = pd.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    graph = graph.subgraph(node_ids).copy()
    nodes = ox.graph_to_gdfs(graph, edges=False)
    nodes = nodes.assign(street_count=nodes["street_count"] if "street_count" in nodes.columns
                         else pd.Series(dict(ox.convert.to_undirected(graph).degree())))
    nodes = nodes[["street_count", "geometry"]]
    edges = edges.reset_index(drop=True)
    edges["edge_id"] = np.arange(len(edges))
    edges.index = pd.RangeIndex(len(edges), name="edge_id")
    logger.info("network in study area: %d nodes, %d street segments, %.1f km", len(nodes), len(edges),
                edges["length_m"].sum() / 1000)
    return Network(graph=graph, nodes=nodes, edges=edges, crs=scenario.crs)
