"""Named places that are not streets: metro stations, districts and parks, other municipalities.

>>> sorted(AREAS)[:3]
['Fredhäll', 'Hornsberg', 'Karlberg']
>>> "Solna" in OTHER_PLACES and "Kungsholmen" not in OTHER_PLACES
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from camsite.errors import InputError

__all__ = ["AREAS", "AREA_ALIASES", "LOCAL_PLACES", "OTHER_PLACES", "STATION_WORDS", "read_stations", "stations_frame"]

#: Districts and parks on and around Kungsholmen: approximate centre (lat, lon) and a radius in
#: metres that covers the place; read off a map by the camsite developers (precision class "area").
AREAS: Mapping[str, tuple[float, float, float]] = MappingProxyType({
    "Kungsholmen": (59.3310, 18.0250, 2000.0),
    "Stadshagen": (59.3385, 18.0170, 450.0),
    "Marieberg": (59.3300, 18.0240, 400.0),
    "Fredhäll": (59.3325, 18.0060, 400.0),
    "Kristineberg": (59.3335, 18.0050, 450.0),
    "Hornsberg": (59.3380, 18.0080, 450.0),
    "Lilla Essingen": (59.3245, 18.0040, 450.0),
    "Rålambshovsparken": (59.3275, 18.0270, 300.0),
    "Kronobergsparken": (59.3322, 18.0362, 150.0),
    "Vasaparken": (59.3405, 18.0430, 200.0),
    "Karlberg": (59.3460, 18.0330, 400.0),
})

#: Other spellings of :data:`AREAS` names.
AREA_ALIASES: Mapping[str, str] = MappingProxyType({"Kungsholm": "Kungsholmen", "Rålis": "Rålambshovsparken"})

#: Words that make a name nearby a metro station ("tunnelbanestationen Fridhemsplan").
STATION_WORDS = (
    r"(?:tunnelbane\w*|t-ban\w*|tbana\w*|tunnelbana|tunnelbanan|station(?:en)?|perrong(?:en)?|"
    r"spärr\w*|uppgång\w*|tågplattform\w*|plattform(?:en)?)"
)

#: Places that say an event is not on Kungsholmen: the other municipalities of Stockholm County and
#: Stockholm's districts away from Kungsholmen and Vasastan.
OTHER_PLACES = frozenset({
    # municipalities (Stockholm County)
    "Botkyrka", "Danderyd", "Ekerö", "Haninge", "Huddinge", "Järfälla", "Lidingö", "Nacka", "Norrtälje",
    "Nykvarn", "Nynäshamn", "Salem", "Sigtuna", "Sollentuna", "Solna", "Sundbyberg", "Södertälje", "Tyresö",
    "Täby", "Upplands Väsby", "Upplands-Bro", "Vallentuna", "Vaxholm", "Värmdö", "Österåker",
    # other towns often named
    "Märsta", "Åkersberga", "Tumba", "Flemingsberg", "Jakobsberg", "Rinkeby", "Tensta", "Husby", "Kista",
    "Akalla", "Hjulsta", "Spånga", "Vällingby", "Hässelby", "Bromma", "Alvik", "Traneberg", "Ulvsunda",
    "Abrahamsberg", "Brommaplan", "Södermalm", "Östermalm", "Norrmalm", "Gamla stan", "Gärdet",
    "Hjorthagen", "Djurgården", "Hägersten", "Liljeholmen", "Årsta", "Älvsjö", "Enskede", "Farsta",
    "Skärholmen", "Bandhagen", "Rågsved", "Hagsätra", "Skarpnäck", "Hammarby sjöstad", "Sickla",
    "Hornstull", "Medborgarplatsen", "Slussen", "Gullmarsplan", "Fruängen", "Vårberg", "Bagarmossen",
    "Hökarängen", "Högdalen", "Västertorp", "Mälarhöjden", "Aspudden", "Midsommarkransen", "Hallonbergen",
    "Råsunda", "Hagalund", "Frösunda", "Bergshamra", "Arlanda", "Gotland", "Uppsala", "Göteborg", "Malmö",
    "Stora Essingen", "Gröndal", "Karolinska", "Bredäng", "Nockebyhov", "Nockeby", "Långholmen", "Frescati",
    "Hammarby", "T-centralen", "Centralen", "Centralstationen", "Hötorget", "Sergels torg", "Kungsträdgården",
    "Stureplan", "Östermalmstorg", "Karlaplan", "Huvudsta", "Ropsten", "Hagastaden",
    "Tomteboda", "Solna centrum", "Mörby", "Norrtull",
})

#: Places that anchor a mention on Kungsholmen (besides the :data:`AREAS`).
LOCAL_PLACES = ("Stockholm", "Stockholms stad", "Stockholms innerstad", "Vasastan", "Vasastaden", "Smedsudden")


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
    try:
        df = pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read stations ({type(exc).__name__}: {exc})", file=path) from None
    for col in ("stop_name", "lat", "lon"):
        if col not in df.columns:
            raise InputError(f"has no {col} column", file=path)
    bad = ~(pd.to_numeric(df["lat"], errors="coerce").between(-90, 90)
            & pd.to_numeric(df["lon"], errors="coerce").between(-180, 180))
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise InputError("lat/lon is not a WGS84 coordinate", file=path, where=f"row {row}")
    return stations_frame(df.astype({"lat": float, "lon": float}), crs=crs)
