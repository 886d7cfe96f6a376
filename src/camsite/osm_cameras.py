"""Existing cameras from OpenStreetMap ``man_made=surveillance`` features.

Maps the OSM tags to camsite's standard camera columns (see
docs/architecture.md): ``camera_id`` (``"osm:node/<id>"``), ``camera_type``
(from ``camera:type`` through a mapping), ``heading_deg`` (from
``camera:direction``, else ``direction``), plus ``operator``,
``surveillance_type`` and ``source``, and writes them as a CSV or GeoJSON a
scenario's ``[existing_cameras]`` can read.

>>> parse_direction("NE")
45.0
>>> parse_direction("350-10")
0.0
>>> parse_direction("90;180") is None
True
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite import readers
from camsite.errors import InputError
from camsite.tables import write_csv

__all__ = [
    "CAMERA_COLUMNS",
    "DEFAULT_TYPE",
    "DEFAULT_TYPE_MAP",
    "SOURCE",
    "cameras_from_osm",
    "parse_direction",
    "parse_type_map",
    "read_osm_cameras",
    "write_cameras",
]

logger = logging.getLogger(__name__)

#: OSM ``camera:type`` -> camera type of the default scenario (scenarios/fridhemsplan.toml).
DEFAULT_TYPE_MAP: Mapping[str, str] = MappingProxyType({
    "dome": "ptz_dome",        # 360° housing
    "panning": "ptz_dome",     # pan-tilt-zoom
    "fixed": "fixed_1080p",    # fixed direction
})

#: Camera type when ``camera:type`` is missing or not in the mapping.
DEFAULT_TYPE = "ptz_dome"

#: Columns of the frame :func:`cameras_from_osm` returns, in order.
CAMERA_COLUMNS = ("camera_id", "camera_type", "heading_deg", "operator", "surveillance_type", "osm_camera_type",
                  "source", "geometry")

SOURCE = "OpenStreetMap"

_COMPASS = {name: i * 22.5 for i, name in enumerate(
    ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"])}
#: surveillance:type values that are not cameras.
_NOT_CAMERAS = frozenset({"guard"})


def _angle(text: str) -> float | None:
    text = text.strip().upper()
    if text in _COMPASS:
        return _COMPASS[text]
    try:
        value = float(text.rstrip("°"))
    except ValueError:
        return None
    return value % 360.0 if math.isfinite(value) else None


def parse_direction(value: object) -> float | None:
    """A heading in degrees clockwise from north from an OSM direction value.

    Accepts degrees (``"90"``, ``"-45"``), 16-point compass letters (``"N"``,
    ``"ENE"``) and ranges (``"90-180"``, ``"NW-NE"``: the midpoint, the short
    way round). Returns None for a missing value, and None for anything else.

    >>> [parse_direction(v) for v in ("90", " 270.5 ", "w", "-90", "0-90", "NW-NE", 45)]
    [90.0, 270.5, 270.0, 270.0, 45.0, 0.0, 45.0]
    >>> parse_direction("forward") is None and parse_direction(None) is None
    True
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)):
        return _angle(str(value))
    text = str(value).strip()
    single = _angle(text)
    if single is not None or "-" not in text[1:]:
        return single
    cut = text.index("-", 1)
    start, end = _angle(text[:cut]), _angle(text[cut + 1:])
    if start is None or end is None:
        return None
    span = (end - start) % 360.0
    return (start + span / 2.0) % 360.0


def parse_type_map(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["dome=ptz_dome", "fixed=fixed_1080p"]`` (command-line form) -> a mapping.

    >>> parse_type_map(["dome=ptz_dome", " fixed = fixed_1080p "])
    {'dome': 'ptz_dome', 'fixed': 'fixed_1080p'}
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"expected OSM_TYPE=CAMERA_TYPE, got {item!r}", where="--camera-type")
        out[key.strip().lower()] = value.strip()
    return out


def _column(gdf: gpd.GeoDataFrame, name: str) -> pd.Series:
    if name in gdf.columns:
        values: pd.Series = gdf[name].where(gdf[name].notna(), None).reset_index(drop=True)
        return values
    return pd.Series([None] * len(gdf), dtype=object)


def _ids(gdf: gpd.GeoDataFrame) -> list[str]:
    if "osm_id" in gdf.columns:
        return [f"osm:{i}" for i in gdf["osm_id"].astype(str)]
    if gdf.index.nlevels == 2:
        return [f"osm:{kind}/{ident}" for kind, ident in gdf.index]
    return [f"osm:node/{i}" for i in gdf.index]


def _headings(gdf: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
    raw = _column(gdf, "camera:direction")
    raw = raw.where(raw.notna(), _column(gdf, "direction"))
    headings = np.full(len(gdf), np.nan)
    bad = []
    for i, value in enumerate(raw):
        parsed = parse_direction(value)
        if parsed is not None:
            headings[i] = parsed
        elif value is not None and str(value).strip():
            bad.append(f"{ids[i]} ({value!r})")
    if bad:
        logger.warning("%d camera(s) with a camera:direction that is not degrees, compass letters or a range; "
                       "heading left empty: %s", len(bad), ", ".join(bad[:10]) + (" ..." if len(bad) > 10 else ""))
    return headings


def _types(osm_types: pd.Series, type_map: Mapping[str, str], default_type: str) -> list[str]:
    out, unknown = [], set()
    for value in osm_types:
        key = str(value).strip().lower() if value is not None else ""
        if key and key not in type_map:
            unknown.add(key)
        out.append(type_map.get(key, default_type))
    if unknown:
        logger.warning("camera:type %s not in the type mapping; used %r", ", ".join(sorted(unknown)), default_type)
    return out


def cameras_from_osm(features: gpd.GeoDataFrame, *, type_map: Mapping[str, str] | None = None,
                     default_type: str = DEFAULT_TYPE, source: str = SOURCE) -> gpd.GeoDataFrame:
    """Standard camera rows from OSM ``man_made=surveillance`` features.

    Parameters
    ----------
    features
        An osmnx features frame (index ``element``, ``id``) or the ``cameras``
        layer written by ``camsite fetch-osm`` (column ``osm_id``); tag
        columns ``camera:type``, ``camera:direction`` (or ``direction``),
        ``operator``, ``surveillance:type`` are used where present.
        Features whose ``surveillance:type`` is ``guard`` are not cameras and
        are dropped; non-point features are replaced by a point inside them.
    type_map
        OSM ``camera:type`` (lower case) -> camera type name in the scenario;
        default :data:`DEFAULT_TYPE_MAP`.
    default_type
        Camera type for a missing or unmapped ``camera:type``.
    source
        Value of the ``source`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`CAMERA_COLUMNS`, in the features' CRS. ``heading_deg``
        is NaN where OSM gives no usable direction (a warning lists the
        unusable ones).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> f = gpd.GeoDataFrame({"osm_id": ["node/1", "node/2"], "camera:type": ["fixed", None],
    ...                       "camera:direction": ["SW", "80-100"], "operator": ["Polisen", None]},
    ...                      geometry=[Point(18.03, 59.33), Point(18.031, 59.333)], crs="EPSG:4326")
    >>> cams = cameras_from_osm(f)
    >>> cams[["camera_id", "camera_type", "heading_deg", "operator"]].to_dict("records")[0]
    {'camera_id': 'osm:node/1', 'camera_type': 'fixed_1080p', 'heading_deg': 225.0, 'operator': 'Polisen'}
    >>> cams["heading_deg"].tolist(), cams["camera_type"].tolist()
    ([225.0, 90.0], ['fixed_1080p', 'ptz_dome'])
    """
    type_map = {k.lower(): v for k, v in (DEFAULT_TYPE_MAP if type_map is None else type_map).items()}
    keep = np.array([str(v).strip().lower() not in _NOT_CAMERAS for v in _column(features, "surveillance:type")],
                    dtype=bool)
    features = features.loc[keep]
    ids = _ids(features)
    geometry = features.geometry.reset_index(drop=True)
    not_point = (geometry.geom_type != "Point").to_numpy()
    if not_point.any():
        geometry[not_point] = geometry[not_point].representative_point()
    osm_types = _column(features, "camera:type")
    data = {
        "camera_id": ids,
        "camera_type": _types(osm_types, type_map, default_type),
        "heading_deg": _headings(features, ids),
        "operator": _column(features, "operator").fillna("").astype(str).to_numpy(object),
        "surveillance_type": _column(features, "surveillance:type").fillna("").astype(str).to_numpy(object),
        "osm_camera_type": osm_types.fillna("").astype(str).to_numpy(object),
        "source": [source] * len(ids),
    }
    return gpd.GeoDataFrame(data, geometry=geometry.to_numpy(), crs=features.crs)


def read_osm_cameras(path: str | Path, *, layer: str = "cameras", **kwargs: object) -> gpd.GeoDataFrame:
    """Read the ``cameras`` layer written by ``camsite fetch-osm`` and map it with :func:`cameras_from_osm`.

    Raises
    ------
    InputError
        If the file or the layer cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file does not exist", file=path)
    try:
        readers.refuse_remote_crs(path)
        features = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for a missing layer or a corrupt file
        raise InputError(f"cannot read layer {layer!r} ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                         file=path) from None
    return cameras_from_osm(features, **kwargs)  # type: ignore[arg-type]


def write_cameras(cameras: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write cameras as ``.csv`` (``lat``/``lon`` in WGS84) or ``.geojson``/``.gpkg``.

    The CSV has columns camera_id, lat, lon, camera_type, heading_deg,
    operator, surveillance_type, osm_camera_type, source.

    >>> import tempfile
    >>> from shapely.geometry import Point
    >>> cams = cameras_from_osm(gpd.GeoDataFrame({"osm_id": ["node/7"]}, geometry=[Point(18.03, 59.33)],
    ...                                          crs="EPSG:4326"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     print(write_cameras(cams, Path(tmp) / "c.csv").read_text().splitlines()[1])
    osm:node/7,59.33,18.03,ptz_dome,,,,,OpenStreetMap
    """
    path = Path(path)
    wgs = cameras.to_crs("EPSG:4326") if cameras.crs is not None else cameras.set_crs("EPSG:4326")
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if suffix == ".csv":
            table = pd.DataFrame(wgs.drop(columns="geometry"))
            table.insert(1, "lat", wgs.geometry.y.round(7).to_numpy())  # numbers: never taken for formulas
            table.insert(2, "lon", wgs.geometry.x.round(7).to_numpy())
            write_csv(table, path)
        elif suffix in (".geojson", ".json"):
            path.write_text(wgs.to_json(drop_id=True, na="null"), encoding="utf-8")
        elif suffix == ".gpkg":
            wgs.to_file(path, layer="cameras", driver="GPKG", engine="pyogrio")
        else:
            raise InputError("unknown camera file format (use .csv, .geojson or .gpkg)", file=path)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", file=path) from None
    logger.info("wrote %d cameras to %s", len(cameras), path)
    return path
