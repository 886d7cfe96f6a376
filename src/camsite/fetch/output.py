"""Write fetched OSM data where a scenario can point to it.

``.gpkg``: one GeoPackage with layers ``nodes`` and ``edges`` (read by
:func:`camsite.network.load_graph`), ``buildings`` and ``cameras``.
``.graphml`` / ``.graphml.gz``: the network, plus ``<stem>_features.gpkg``
beside it with layers ``buildings`` and ``cameras``.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox

from camsite.errors import InputError
from camsite.fetch.download import OsmData

__all__ = ["write_osm", "features_path"]

logger = logging.getLogger(__name__)


def _kind(path: Path) -> str:
    name = path.name.lower()
    for kind in (".graphml.gz", ".graphml", ".gpkg"):
        if name.endswith(kind):
            return kind
    raise InputError("unknown output format (use .graphml, .graphml.gz or .gpkg)", file=path, where="--out")


def features_path(out: str | Path) -> Path:
    """Where the buildings and cameras go for a network written to ``out``.

    >>> features_path("net/fridhemsplan.graphml.gz").as_posix()
    'net/fridhemsplan_features.gpkg'
    >>> features_path("fridhemsplan.gpkg").as_posix()
    'fridhemsplan.gpkg'
    """
    out = Path(out)
    kind = _kind(out)
    return out if kind == ".gpkg" else out.with_name(out.name[: -len(kind)] + "_features.gpkg")


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


def _write_layers(layers: dict[str, gpd.GeoDataFrame], tmp: Path) -> None:
    for name, gdf in layers.items():
        gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")


def write_osm(data: OsmData, out: str | Path) -> list[Path]:
    """Write the network to ``out`` and buildings and cameras to :func:`features_path`.

    Each file is written to a temporary name and renamed into place when complete.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    kind = _kind(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    layers = {n: g for n, g in (("buildings", data.buildings), ("cameras", data.cameras)) if g is not None}
    tmp = _tmp(out)
    written = [out]
    try:
        _write_graph(data.graph, tmp, kind)
        if kind == ".gpkg":
            _write_layers(layers, tmp)
        elif layers:
            feat = features_path(out)
            feat_tmp = _tmp(feat)
            feat_tmp.unlink(missing_ok=True)
            _write_layers(layers, feat_tmp)
            os.replace(feat_tmp, feat)
            written.append(feat)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", file=out) from None
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("wrote %s", ", ".join(str(p) for p in written))
    return written
