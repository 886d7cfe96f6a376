"""Download a street network, buildings and surveillance cameras through osmnx, with a cache.

The cache keeps the *results* of a query (the graph, the buildings, the
cameras and the OSM data date) in ``<cache_dir>/<area key>/``, so a repeated
query makes no HTTP request at all, not even to Nominatim. osmnx's own
response cache lives beside them in ``http/``; camsite reads the Overpass
data date (``osm3s.timestamp_osm_base``) from those responses.
"""

from __future__ import annotations

import json
import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import networkx as nx
import osmnx as ox
from shapely.geometry import MultiPolygon, Polygon

from camsite._cache import user_cache_dir
from camsite._version import __version__
from camsite.errors import InputError
from camsite.fetch._osmnx import network_errors, osmnx_settings
from camsite.fetch.features import (
    BUILDING_TAGS,
    CAMERA_TAGS,
    empty_features,
    features_from_geojson,
    features_to_geojson,
    tidy_features,
)
from camsite.fetch.query import Query

__all__ = ["NOMINATIM_URL", "OVERPASS_URL", "OsmData", "Servers", "default_cache_dir", "fetch_osm"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

OVERPASS_URL = "https://overpass-api.de/api"
NOMINATIM_URL = "https://nominatim.openstreetmap.org/"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/camsite/osm``, else ``~/.cache/camsite/osm``.

    >>> default_cache_dir().parts[-2:]
    ('camsite', 'osm')
    """
    return user_cache_dir("osm")


@dataclass(frozen=True)
class Servers:
    """Where to download from, and how patiently.

    ``rate_limit`` turns on osmnx's check of Overpass's ``/status`` before
    each query. It is off by default: when the server cannot be reached,
    osmnx would sleep 60 s before failing; a busy server still answers 429,
    on which osmnx waits and retries by itself.
    """

    overpass_url: str = OVERPASS_URL
    nominatim_url: str = NOMINATIM_URL
    timeout_s: float = 180.0
    rate_limit: bool = False


@dataclass(frozen=True)
class OsmData:
    """What :func:`fetch_osm` returns (all in WGS84).

    ``osm_timestamp`` is the Overpass data date of the street network (None
    if unknown); ``from_cache`` names the parts read from the cache.
    """

    graph: nx.MultiDiGraph
    buildings: gpd.GeoDataFrame | None
    cameras: gpd.GeoDataFrame | None
    osm_timestamp: str | None
    place_name: str | None = None
    from_cache: tuple[str, ...] = field(default=())


class _Cache:
    """The folder of one area: ``meta.json``, the parts, and osmnx's ``http/`` folder."""

    def __init__(self, cache_dir: Path, query: Query) -> None:
        self.dir = cache_dir / query.area_key()
        self.http = self.dir / "http"
        self.meta_file = self.dir / "meta.json"
        self.network_file = self.dir / f"network-{query.network_key()}.graphml"
        self.query = query

    def meta(self) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = json.loads(self.meta_file.read_text(encoding="utf-8"))
            return meta
        except (OSError, ValueError):
            return {}

    def update_meta(self, **items: object) -> None:
        meta = {**self.meta(), "query": self.query.area(), **items}
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_text(self.meta_file, json.dumps(meta, indent=1, sort_keys=True))

    def part_file(self, name: str) -> Path:
        return self.dir / f"{name}.geojson"

    def http_files(self) -> set[Path]:
        return set(self.http.glob("*.json")) if self.http.is_dir() else set()


#: What a damaged cache file raises while it is read back (truncated XML or JSON, wrong content, bad bytes).
_DAMAGED = (ET.ParseError, ValueError, KeyError, TypeError, AttributeError, IndexError, nx.NetworkXError)


@contextmanager
def _cache_file(path: Path) -> Iterator[None]:
    """Reading ``path`` from the cache: a damaged file is one error naming it and how to clear it."""
    try:
        yield
    except _DAMAGED as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120] or type(exc).__name__
        raise InputError(f"the download cache file is damaged ({reason}); delete it (or the whole cache folder, "
                         "or run again with --refresh) and camsite downloads it again", file=path) from None


def _check_http_cache(files: set[Path]) -> None:
    """osmnx reads its cached responses itself: check first that each is whole JSON."""
    for path in sorted(files):
        with _cache_file(path):
            json.loads(path.read_text(encoding="utf-8"))


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _overpass_timestamp(files: set[Path]) -> str | None:
    """The oldest ``osm3s.timestamp_osm_base`` among cached Overpass responses."""
    stamps = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            stamp = (data.get("osm3s") or {}).get("timestamp_osm_base")
            if stamp:
                stamps.append(str(stamp))
    return min(stamps) if stamps else None


def _settings(cache: _Cache, servers: Servers) -> dict[str, object]:
    return {
        "overpass_url": servers.overpass_url, "nominatim_url": servers.nominatim_url,
        "use_cache": True, "cache_folder": str(cache.http), "cache_only_mode": False,
        "requests_timeout": servers.timeout_s, "overpass_rate_limit": servers.rate_limit,
        "http_user_agent": f"camsite/{__version__} (osmnx {ox.__version__})",
        "log_console": False,
    }


class _Fetcher:
    """Fetch the parts of one query, each from the cache or through osmnx."""

    def __init__(self, query: Query, cache: _Cache, servers: Servers, refresh: bool) -> None:
        self.query, self.cache, self.servers, self.refresh = query, cache, servers, refresh
        self.from_cache: list[str] = []
        self._polygon: Polygon | MultiPolygon | None = None
        self.place_name: str | None = cache.meta().get("place_name")

    def polygon(self) -> Polygon | MultiPolygon:
        if self._polygon is None:
            self._polygon = self._resolve_polygon()
        return self._polygon

    def _resolve_polygon(self) -> Polygon | MultiPolygon:
        q = self.query
        polygon = area_polygon(q)
        if polygon is not None:
            return polygon
        assert q.place is not None  # a Query without a bbox or a point has a place
        with network_errors(self.servers.nominatim_url, what="the Nominatim geocoder"):
            try:
                place = ox.geocode_to_gdf(q.place)
            except (ox._errors.InsufficientResponseError, TypeError) as exc:
                raise InputError(f"Nominatim found no area called {q.place!r} ({exc}); try a fuller name, "
                                 "or --bbox", where="--place") from None
        self.place_name = str(place["display_name"].iloc[0]) if "display_name" in place.columns else q.place
        self.cache.update_meta(place_name=self.place_name)
        area: Polygon | MultiPolygon = place.geometry.union_all()  # geocode_to_gdf gives (multi)polygons only
        return area

    def _downloading(self, part: str, func: Callable[[], _T]) -> tuple[_T, str | None]:
        before = self.cache.http_files()
        _check_http_cache(before)
        self.cache.dir.mkdir(parents=True, exist_ok=True)
        logger.info("downloading %s for %s", part, self.query.describe())
        with network_errors(self.servers.overpass_url, what="the Overpass server"):
            result = func()
        new = self.cache.http_files() - before
        return result, _overpass_timestamp(new or self.cache.http_files())

    def network(self) -> tuple[nx.MultiDiGraph, str | None]:
        path = self.cache.network_file
        if path.is_file() and not self.refresh:
            self.from_cache.append("network")
            with _cache_file(path):
                loaded = ox.load_graphml(path)
            return loaded, self.cache.meta().get("timestamps", {}).get(path.name)
        graph, stamp = self._downloading("street network", self._download_graph)
        graph.graph["osm_timestamp"] = stamp or ""
        graph.graph["query"] = self.query.describe()
        ox.save_graphml(graph, path)
        self._record_stamp(path.name, stamp)
        return graph, stamp

    def _download_graph(self) -> nx.MultiDiGraph:
        q = self.query
        try:
            return ox.graph_from_polygon(self.polygon(), network_type=q.network_type, custom_filter=q.custom_filter,
                                         retain_all=True)
        except ox._errors.InsufficientResponseError as exc:
            raise InputError(f"no streets found for {q.describe()} ({exc})") from None

    def features(self, name: str, tags: dict[str, bool | str | list[str]], keep: tuple[str, ...],
                 **tidy: bool) -> gpd.GeoDataFrame:
        path = self.cache.part_file(name)
        if path.is_file() and not self.refresh:
            self.from_cache.append(name)
            with _cache_file(path):
                return features_from_geojson(path.read_text(encoding="utf-8"), keep)

        def download() -> gpd.GeoDataFrame:
            try:
                return tidy_features(ox.features_from_polygon(self.polygon(), tags=tags), keep, **tidy)
            except ox._errors.InsufficientResponseError:
                logger.info("no %s in %s", name, self.query.describe())
                return empty_features(keep)

        gdf, stamp = self._downloading(name, download)
        _write_text(path, features_to_geojson(gdf))
        self._record_stamp(path.name, stamp)
        return gdf

    def _record_stamp(self, part: str, stamp: str | None) -> None:
        stamps = self.cache.meta().get("timestamps", {})
        self.cache.update_meta(timestamps={**stamps, part: stamp})


def fetch_osm(query: Query, *, cache_dir: str | Path | None = None, buildings: bool = True, cameras: bool = True,
              servers: Servers | None = None, refresh: bool = False) -> OsmData:
    """Download (or read from the cache) the street network, buildings and cameras of an area.

    Parameters
    ----------
    query
        The area and the street filter.
    cache_dir
        Cache folder (default :func:`default_cache_dir`). A query already in
        the cache makes no HTTP request.
    buildings, cameras
        Also fetch building footprints (``building=*``) and surveillance
        cameras (``man_made=surveillance``).
    servers
        Overpass and Nominatim URLs, timeout and Overpass rate limiting.
    refresh
        Download again even if the query is in the cache (and update the cache).

    Returns
    -------
    OsmData
        The network as an unprojected osmnx graph and tidy WGS84 frames.

    Raises
    ------
    InputError
        If a server cannot be reached or answers with an error, the place is
        unknown, or the area holds no streets.
    """
    servers = servers or Servers()
    cache = _Cache(Path(cache_dir).expanduser() if cache_dir else default_cache_dir(), query)
    if refresh:
        for stale in cache.http_files():  # osmnx would answer from its own cache otherwise
            stale.unlink()
    fetcher = _Fetcher(query, cache, servers, refresh)
    try:
        with osmnx_settings(**_settings(cache, servers)):
            graph, stamp = fetcher.network()
            bld = fetcher.features("buildings", {"building": True}, BUILDING_TAGS, polygons=True) if buildings \
                else None
            cam = fetcher.features("cameras", {"man_made": "surveillance"}, CAMERA_TAGS, points=True) if cameras \
                else None
    except OSError as exc:  # requests' errors are OSErrors too, but network_errors has turned them into InputError
        raise InputError(f"cannot use the download cache ({exc.strerror or exc}); choose another --cache-dir",
                         file=cache.dir) from None
    return OsmData(graph=graph, buildings=bld, cameras=cam, osm_timestamp=stamp,
                   place_name=fetcher.place_name, from_cache=tuple(fetcher.from_cache))


def area_polygon(query: Query) -> Polygon | None:
    """The query's polygon when it needs no geocoding (bbox or point), else None.

    >>> area_polygon(Query(bbox=(59.0, 18.0, 59.1, 18.1))).bounds
    (18.0, 59.0, 18.1, 59.1)
    """
    if query.bbox is not None:
        s, w, n, e = query.bbox
        return ox.utils_geo.bbox_to_poly((w, s, e, n))
    if query.point is not None:
        assert query.dist_m is not None  # Query checks that a point comes with a distance
        return ox.utils_geo.bbox_to_poly(ox.utils_geo.bbox_from_point(query.point, dist=query.dist_m))
    return None
