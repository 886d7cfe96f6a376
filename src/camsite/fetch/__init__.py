"""Fresh OpenStreetMap data for an area: street network, buildings, surveillance cameras.

The only part of camsite that goes online, and only when asked to (``camsite
fetch-osm``). Downloads go through osmnx with its settings changed only for
the duration of the download, and are cached on disk keyed by the query.
"""

from __future__ import annotations

from camsite.fetch._osmnx import osmnx_settings
from camsite.fetch.download import OsmData, Servers, default_cache_dir, fetch_osm
from camsite.fetch.output import companion_path, write_osm
from camsite.fetch.query import NETWORK_TYPES, Query

__all__ = [
    "NETWORK_TYPES",
    "OsmData",
    "Query",
    "Servers",
    "companion_path",
    "default_cache_dir",
    "fetch_osm",
    "osmnx_settings",
    "write_osm",
]
