"""Named places that are not streets, and the wording rules, read from a places file (TOML).

The shipped file, ``places_stockholm.toml`` next to this module, holds the
districts and parks of Kungsholmen (:data:`AREAS`, :data:`AREA_ALIASES`), the
places that put an event elsewhere (:data:`OTHER_PLACES`) or on Kungsholmen
(:data:`LOCAL_PLACES`), the words that put an event indoors and the words that
say where police stopped a train or caught someone. Another district needs
only another file (``camsite import-events polisen --places FILE``).

>>> sorted(AREAS)[:3]
['Fredhäll', 'Hornsberg', 'Karlberg']
>>> "Solna" in OTHER_PLACES and "Blackeberg" in OTHER_PLACES and "Kungsholmen" not in OTHER_PLACES
True
>>> places = load_places()
>>> places.areas["Stadshagen"].district, places.areas["Kronobergsparken"].district, places.aliases["Rålis"]
('STADSHAGEN', '', 'Rålambshovsparken')
>>> loads_places('other_places = []\\nlocal_places = []\\n[areas.X]\\nlat = 95\\nlon = 18\\nradius_m = 1', file="p.toml")
Traceback (most recent call last):
...
camsite.errors.ConfigError: p.toml: areas.X.lat: 95.0 is not a WGS84 latitude
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from camsite import readers
from camsite._schema import build, fail
from camsite.errors import ConfigError, InputError

logger = logging.getLogger(__name__)

__all__ = ["AREAS", "AREA_ALIASES", "DEFAULT_PLACES_FILE", "LOCAL_PLACES", "OTHER_PLACES", "STATION_WORDS",
           "AreaSpec", "IndoorSpec", "Places", "SceneSpec", "load_places", "loads_places", "read_stations",
           "stations_frame"]

#: The places file ``camsite import-events`` reads unless given ``--places``.
DEFAULT_PLACES_FILE = Path(__file__).with_name("places_stockholm.toml")

#: Words that make a name nearby a metro station ("tunnelbanestationen Fridhemsplan").
STATION_WORDS = (
    r"(?:tunnelbane\w*|t-ban\w*|tbana\w*|tunnelbana|tunnelbanan|station(?:en)?|perrong(?:en)?|"
    r"spärr\w*|uppgång\w*|tågplattform\w*|plattform(?:en)?)"
)

# A word or phrase of the rules: letters, digits, spaces, hyphens, colons, dots; "*" only first.
_WORD = re.compile(r"\*?[\w.:-]+(?:\s+[\w.:-]+)*")


def _check_words(words: tuple[str, ...], *, file: str | None, key: str) -> None:
    for i, w in enumerate(words):
        if not _WORD.fullmatch(w.strip()):
            fail(f"{w!r} is not a word or phrase (letters, spaces, hyphens; '*' only first)", file=file,
                 key=f"{key}[{i}]")


def _check_names(names: tuple[str, ...], *, file: str | None, key: str) -> None:
    for i, name in enumerate(names):
        if not name.strip():
            fail("a place name is empty", file=file, key=f"{key}[{i}]")


@dataclass(frozen=True)
class AreaSpec:
    """A district or park: approximate centre (WGS84), a radius (m) covering it, its stadsdel, other spellings."""

    lat: float
    lon: float
    radius_m: float
    district: str = ""
    aliases: tuple[str, ...] = ()

    def validate(self, *, file: str | None, key: str) -> None:
        """Raise :class:`ConfigError` naming ``key`` for an impossible centre or radius."""
        if not -90 <= self.lat <= 90:
            fail(f"{self.lat} is not a WGS84 latitude", file=file, key=f"{key}.lat")
        if not -180 <= self.lon <= 180:
            fail(f"{self.lon} is not a WGS84 longitude", file=file, key=f"{key}.lon")
        if self.radius_m <= 0:
            fail("must be > 0", file=file, key=f"{key}.radius_m")
        _check_names(self.aliases, file=file, key=f"{key}.aliases")


@dataclass(frozen=True)
class IndoorSpec:
    """Words that put an event indoors after one of the prepositions ``before``; phrases that do not."""

    before: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    not_indoor: tuple[str, ...] = ()

    def validate(self, *, file: str | None, key: str) -> None:
        """Raise :class:`ConfigError` naming the entry that is no word or phrase."""
        for name in ("before", "words", "not_indoor"):
            _check_words(getattr(self, name), file=file, key=f"{key}.{name}")


@dataclass(frozen=True)
class SceneSpec:
    """Prepositions that name a scene ("i", "på", ...) and the beginnings of transport/arrest words."""

    scene_prepositions: tuple[str, ...] = ()
    transport_words: tuple[str, ...] = ()

    def validate(self, *, file: str | None, key: str) -> None:
        """Raise :class:`ConfigError` naming the entry that is no word or phrase."""
        for name in ("scene_prepositions", "transport_words"):
            _check_words(getattr(self, name), file=file, key=f"{key}.{name}")


@dataclass(frozen=True)
class Places:
    """A places file: areas, places elsewhere and on the home ground, indoor words, scene-elsewhere words."""

    areas: Mapping[str, AreaSpec]
    other_places: tuple[str, ...]
    local_places: tuple[str, ...]
    indoor: IndoorSpec = IndoorSpec()
    scene_elsewhere: SceneSpec = SceneSpec()
    #: The file read ("" for text).
    source: str = field(default="", metadata={"toml": False})

    @property
    def aliases(self) -> Mapping[str, str]:
        """Other spelling -> area name."""
        return MappingProxyType({a: name for name, spec in self.areas.items() for a in spec.aliases})

    def validate(self, *, file: str | None, key: str) -> None:
        """Raise :class:`ConfigError` for an empty name or a name that is both here and elsewhere."""
        _check_names(self.other_places, file=file, key="other_places")
        _check_names(self.local_places, file=file, key="local_places")
        other = {n.lower() for n in self.other_places}
        for name, spec in self.areas.items():
            for n in (name, *spec.aliases):
                if not n.strip() or n.lower() in other:
                    fail(f"{n!r} is {'empty' if not n.strip() else 'also in other_places'}", file=file,
                         key=f"areas.{name}")


def loads_places(text: str, *, file: str | None = None) -> Places:
    """Parse and check a places file's text; errors name ``file`` and the key.

    Raises
    ------
    ConfigError
        If the text is not TOML, a key is unknown or missing, or a value is impossible.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    return replace(build(Places, data, file=file, key=""), source=file or "")


def load_places(path: str | Path | None = None) -> Places:
    """Read a places file (TOML); the shipped :data:`DEFAULT_PLACES_FILE` when ``path`` is None.

    Raises
    ------
    ConfigError
        If the file is missing or unreadable, or as :func:`loads_places`.
    """
    if path is None:
        return _default_places()
    p = Path(path)
    if not p.is_file():
        raise ConfigError("places file does not exist" if not p.exists() else "is not a places file", file=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read places ({type(exc).__name__}: {exc})", file=p) from None
    places = loads_places(text, file=str(p))
    logger.info("read %d areas, %d places elsewhere from %s", len(places.areas), len(places.other_places), p.name)
    return places


@lru_cache(maxsize=1)
def _default_places() -> Places:
    return load_places(DEFAULT_PLACES_FILE)


#: Districts and parks of the shipped places file: name -> (lat, lon, radius in metres).
AREAS: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {name: (a.lat, a.lon, a.radius_m) for name, a in _default_places().areas.items()})
#: Other spellings of :data:`AREAS` names.
AREA_ALIASES: Mapping[str, str] = _default_places().aliases
#: Places that say an event is not on Kungsholmen (shipped places file).
OTHER_PLACES = frozenset(_default_places().other_places)
#: Places that anchor a mention on Kungsholmen besides the :data:`AREAS` (shipped places file).
LOCAL_PLACES = _default_places().local_places


def stations_frame(stations: pd.DataFrame, *, crs: str) -> gpd.GeoDataFrame:
    """Stations as points in ``crs``: a GeoDataFrame, or a frame with ``lat`` and ``lon`` columns.

    Both need a ``stop_name`` (or ``name``) column.
    """
    name_col = "stop_name" if "stop_name" in stations.columns else "name"
    if name_col not in stations.columns:
        raise InputError("stations have no stop_name column")
    if isinstance(stations, gpd.GeoDataFrame) and stations.geometry is not None:
        gdf = stations if stations.crs is not None else stations.set_crs("EPSG:4326")
        gdf = gdf.to_crs(crs)
    else:
        for col in ("lat", "lon"):
            if col not in stations.columns:
                raise InputError(f"stations have no {col} column")
        gdf = gpd.GeoDataFrame(stations, geometry=gpd.points_from_xy(stations["lon"], stations["lat"]),
                               crs="EPSG:4326").to_crs(crs)
    return gpd.GeoDataFrame({"name": gdf[name_col].astype(str).to_numpy()}, geometry=gdf.geometry.to_numpy(),
                            crs=crs)


def read_stations(path: str | Path, *, crs: str = "EPSG:3011") -> gpd.GeoDataFrame:
    """Read a stations CSV (``stop_name``, ``lat``, ``lon``) into points in ``crs``."""
    path = Path(path)
    if not path.exists():
        raise InputError("stations file does not exist", file=path)
    df, rows = readers.read_csv_table(path, text_columns=("stop_name",))
    for col in ("stop_name", "lat", "lon"):
        if col not in df.columns:
            raise InputError(f"has no {col} column", file=path)
    lat, lon = readers.to_number(df["lat"]), readers.to_number(df["lon"])
    bad = ~(lat.between(-90, 90) & lon.between(-180, 180))
    if bad.any():
        raise InputError("lat/lon is not a WGS84 coordinate", file=path, where=f"row {rows[bad.to_numpy().argmax()]}")
    return stations_frame(df.assign(lat=lat, lon=lon), crs=crs)
