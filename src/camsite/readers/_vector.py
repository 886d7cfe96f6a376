"""GeoJSON, GeoPackage and other GDAL vector files, read offline."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from camsite.errors import InputError
from camsite.readers._columns import first_line

logger = logging.getLogger(__name__)

__all__ = ["VECTOR_SUFFIXES", "read_vector_frame", "read_zone_layer", "refuse_remote_crs"]

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")


def refuse_remote_crs(path: Path) -> None:
    """Raise :class:`InputError` if a GeoJSON file's ``crs`` member points at a URL.

    GDAL resolves a ``{"type": "link"}`` (or a URL-valued ``name``) crs member by
    downloading it; camsite opens no network connection outside ``fetch-osm``.
    """
    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return
    if b'"crs"' not in head:
        return
    for match in re.finditer(rb'"crs"\s*:\s*\{(?:[^{}]|\{[^{}]*\})*\}', head):
        member = match.group(0)
        if re.search(rb'"type"\s*:\s*"link"', member) or re.search(rb'"(?:href|name)"\s*:\s*"(?:https?|ftp)://',
                                                                     member):
            raise InputError("its \"crs\" member links to a URL, which camsite does not follow (it works offline); "
                             "remove the member (GeoJSON is WGS84) or give the CRS as a name such as EPSG:3006",
                             file=path, where="crs")


def read_vector_frame(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """A vector file's layer (``layer``, or the only one, or the first point layer) as read by GDAL."""
    refuse_remote_crs(path)
    with warnings.catch_warnings():  # GDAL's warnings on odd files become InputErrors or are harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        return _read_vector_quiet(path, layer)


def _json_hint(path: Path) -> str:
    """A hint when a .json file is the police events feed rather than GeoJSON."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return ""
    if head.lstrip().startswith(b"[") and b'"location"' in head and b'"gps"' in head:
        return ("; this looks like the police events feed: locate its events with "
                "`camsite import-events polisen FILE --network GRAPH --out incidents.geojson` and use that file")
    return ""


def _read_vector_quiet(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL raises DataSourceError and others
        raise InputError(f"cannot open as GeoJSON/GeoPackage ({first_line(exc)}){_json_hint(path)}",
                         file=path) from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is not None and layer not in names:
        raise InputError(f"no layer {layer!r} (layers: {', '.join(names) or 'none'})", file=path,
                         where=f"layer {layer}")
    if layer is None and len(names) > 1:
        points = [str(n) for n, g in layers if g and "point" in str(g).lower()]
        layer = points[0] if points else names[0]
        logger.warning("%s has layers %s; reading %r (set `layer` in the scenario to choose)", path.name,
                       ", ".join(names), layer)
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise InputError(f"cannot read ({type(exc).__name__}: {first_line(exc)})", file=path) from None


def read_zone_layer(path: Path, *, crs: str, what: str = "the layer") -> gpd.GeoDataFrame:
    """A vector layer of zones or places (GeoJSON, GeoPackage) in ``crs``, rows without geometry kept.

    A missing file, a remote CRS link or an unreadable layer is one :class:`~camsite.errors.InputError`
    naming the file; a layer without a CRS is taken as WGS84 (GeoJSON's default).
    """
    if not path.is_file():
        raise InputError("file does not exist", file=path)
    refuse_remote_crs(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"cannot read {what}: {str(exc).splitlines()[0]}", file=path) from None
    return gdf.set_crs("EPSG:4326", allow_override=True).to_crs(crs) if gdf.crs is None else gdf.to_crs(crs)
