"""Write fetched OSM data where a scenario can point to it.

The network goes to ``--out``: ``.graphml``, ``.graphml.gz`` or ``.gpkg``
(layers ``nodes`` and ``edges``), all read by :func:`camsite.network.load_graph`.
Beside it, one single-layer GeoPackage per feature kind, so that readers
taking a file's first layer (``[network] buildings``) get the right one:
``<stem>_buildings.gpkg`` (layer ``buildings``) and ``<stem>_cameras.gpkg``
(layer ``cameras``, the raw OSM tags; see :mod:`camsite.osm_cameras`).
An empty kind (no buildings in the area) writes no file.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
from pathlib import Path

import networkx as nx
import osmnx as ox

from camsite.errors import InputError
from camsite.fetch.download import OsmData

__all__ = ["companion_path", "write_osm"]

logger = logging.getLogger(__name__)


def _kind(path: Path) -> str:
    name = path.name.lower()
    for kind in (".graphml.gz", ".graphml", ".gpkg"):
        if name.endswith(kind):
            return kind
    raise InputError("unknown output format (use .graphml, .graphml.gz or .gpkg)", file=path, where="--out")


def companion_path(out: str | Path, kind: str) -> Path:
    """Where the ``kind`` features (``buildings``, ``cameras``) go for a network written to ``out``.

    >>> companion_path("net/fridhemsplan.graphml.gz", "buildings").as_posix()
    'net/fridhemsplan_buildings.gpkg'
    >>> companion_path("fridhemsplan.gpkg", "cameras").as_posix()
    'fridhemsplan_cameras.gpkg'
    """
    out = Path(out)
    return out.with_name(out.name[: -len(_kind(out))] + f"_{kind}.gpkg")


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp{''.join(path.suffixes[-1:])}")


def _write_graph(graph: nx.MultiDiGraph, tmp: Path, kind: str) -> None:
    if kind == ".gpkg":
        ox.save_graph_geopackage(graph, tmp, directed=True)
    elif kind == ".graphml":
        ox.save_graphml(graph, tmp)
    else:
        plain = tmp.with_name(tmp.name + ".graphml")
        ox.save_graphml(graph, plain)
        with open(plain, "rb") as src, gzip.open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        plain.unlink()


def _replace(tmp: Path, path: Path, write: object) -> None:
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)  # type: ignore[operator]
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_osm(data: OsmData, out: str | Path) -> dict[str, Path]:
    """Write the network to ``out`` and non-empty buildings and cameras to :func:`companion_path`.

    Each file is written to a temporary name and renamed into place when complete.

    Returns
    -------
    dict
        ``network``, and ``buildings`` and ``cameras`` where written: the paths.
    """
    out = Path(out)
    kind = _kind(out)
    written = {"network": out}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _replace(_tmp(out), out, lambda tmp: _write_graph(data.graph, tmp, kind))
        for name, gdf in (("buildings", data.buildings), ("cameras", data.cameras)):
            if gdf is None or gdf.empty:
                continue
            path = companion_path(out, name)
            _replace(_tmp(path), path, lambda tmp, g=gdf, n=name: g.to_file(tmp, layer=n, driver="GPKG",
                                                                              engine="pyogrio"))
            written[name] = path
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", file=out) from None
    logger.info("wrote %s", ", ".join(str(p) for p in written.values()))
    return written
