"""Locating police events from their text (see :func:`locate_events`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from camsite.events._categories import category_for
from camsite.events._feed import event_text, event_time, municipality
from camsite.events._match import CONNECTOR, Gazetteer, Mention, near_station_word, sentence_spans
from camsite.events._names import normalise_name
from camsite.events._places import AREA_ALIASES, AREAS, stations_frame
from camsite.events._streets import StreetIndex
from camsite.vocab import EVENT_PRECISIONS

logger = logging.getLogger(__name__)

__all__ = ["COLUMNS", "PRECISIONS", "SOURCE", "UNCERTAINTY_M", "locate_events"]

#: Precision classes, best first (:data:`camsite.vocab.EVENT_PRECISIONS`).
PRECISIONS = EVENT_PRECISIONS
#: Uncertainty (m) of an intersection and of a station; a street's is half its length, an area's its radius.
UNCERTAINTY_M = {"intersection": 25.0, "station": 75.0}
#: Lower bound of a street's uncertainty (a very short street is still not a point).
MIN_STREET_UNCERTAINTY_M = 25.0
#: A street with less of its length than this inside the area is taken to be inside only when the text
#: names a district of the area (Kungsholmen, Stadshagen, ...).
MIN_AREA_SHARE = 0.5
SOURCE = "polisen.se händelser"
COLUMNS = ("incident_id", "date", "type", "category", "precision", "uncertainty_m", "place", "street",
           "matched_text", "municipality", "weight", "source", "url")
_ABBREV_FIRST = re.compile(r"(?<![\w:])([A-ZÅÄÖ][\wåäöé]+)-\s*(?:och|&|/|resp\.?)\s*$")
_ENDINGS = ("gatan", "vägen", "gata", "väg", "strand", "gränd", "plan", "torg")
# A word that looks like a street name, and the tight connectors of an intersection.
_STREETLIKE = (r"(?:[A-ZÅÄÖ][\wåäöéü]*\s+){0,2}[A-ZÅÄÖ][\wåäöéü]*"
               r"(?:gatan|gata|vägen|väg|gränd|gränden|strand|stranden|plan|leden|torg|torget|"
               r"backe|backen|bron|allé|allén|tunneln|länken|stigen|kajen|esplanaden)s?(?!\w)")
_TIGHT = (r"\s*(?:/|-|–|&|och|vid|nära|i\s+närheten\s+av|i\s+höjd\s+med|"
          r"(?:i\s+|vid\s+)?korsning(?:en)?\s+(?:med|mot))\s*")
_UNKNOWN_AFTER = re.compile(rf"^{_TIGHT}({_STREETLIKE})")
_UNKNOWN_BEFORE = re.compile(rf"({_STREETLIKE}){_TIGHT}$")
# "Hagagatan är avspärrad mellan X och Y": X and Y only bound a stretch of another street.
_BETWEEN = re.compile(rf"({_STREETLIKE})[^.\n]{{0,40}}?\bmellan\s+(?:[^.\n]{{0,40}}?\s+och\s+)?$")


@dataclass(frozen=True)
class Location:
    """Where one event is: precision class, point, uncertainty, the text that said so."""

    precision: str
    point: Point | None = None
    uncertainty_m: float = float("nan")
    place: str = ""
    street: str = ""
    matched_text: str = ""
    start: int = 0
    inside: bool = True


UNLOCATED = Location("unlocated")


class _Locator:
    """Holds the street index, station points and the compiled gazetteer for a batch of events."""

    def __init__(self, edges: gpd.GeoDataFrame, stations: gpd.GeoDataFrame | None, area: BaseGeometry | None,
                 crs: str) -> None:
        self.streets = StreetIndex(edges, area=area)
        self.area = area
        self.stations = {} if stations is None else dict(zip(stations["name"], stations.geometry))
        to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.areas = {name: (Point(*to_crs.transform(lon, lat)), r) for name, (lat, lon, r) in AREAS.items()}
        self.gazetteer = Gazetteer(streets=self.streets.names, stations=self.stations,
                                   areas=[*self.areas, *AREA_ALIASES])
        self._street_by_key = {normalise_name(n): n for n in self.streets.names}

    # -- intersections ----------------------------------------------------------------------------
    def _intersections(self, text: str, streets: list[Mention]) -> list[Location]:
        out = []
        for m1, m2 in pairwise(streets):
            a, b = m1.roles["street"], m2.roles["street"]
            if a != b and CONNECTOR.fullmatch(text[m1.end:m2.start]):
                out += self._meet(a, b, text[m1.start:m2.end], m1.start)
        for m in streets:  # "Fleming- och Sankt Eriksgatan"
            short = _ABBREV_FIRST.search(text[max(0, m.start - 40):m.start])
            ending = next((e for e in _ENDINGS if m.roles["street"].lower().endswith(e)), None)
            if short and ending:
                first = self._street_by_key.get(normalise_name(short.group(1) + ending))
                if first and first != m.roles["street"]:
                    out += self._meet(first, m.roles["street"], text[m.start - len(short.group()):m.end], m.start)
        return out

    def _meet(self, a: str, b: str, matched: str, start: int) -> list[Location]:
        hit = self.streets.meeting_point(a, b)
        if hit is None:
            return []
        point, spread = hit
        return [Location("intersection", point, UNCERTAINTY_M["intersection"] + spread, f"{a} / {b}", "",
                         matched, start)]

    def _unknown_neighbour(self, text: str, m: Mention, mentions: list[Mention]) -> tuple[str, int, int] | None:
        """A street-like word that no mention covers, joined to ``m`` as a crossing ("X/Okändgatan",
        "X vid Okändvägen") or bounding a stretch of it ("Okändgatan mellan X och Y")."""
        spans = []
        if after := _UNKNOWN_AFTER.search(text[m.end:m.end + 60]):
            spans.append((m.end + after.start(1), m.end + after.end(1)))
        for rx, width in ((_BETWEEN, 120), (_UNKNOWN_BEFORE, 60)):
            if hit := rx.search(text[max(0, m.start - width):m.start]):
                base = max(0, m.start - width)
                spans.append((base + hit.start(1), base + hit.end(1)))
        for lo, hi in spans:
            if not any(x.start < hi and lo < x.end for x in mentions):
                return text[lo:hi], lo, hi
        return None

    def _check_neighbours(self, text: str, streets: list[Mention], mentions: list[Mention]
                          ) -> tuple[list[Mention], list[Location]]:
        """Drop streets named at a crossing with a street the network lacks; mend misspelt crossings.

        The streets kept, and the intersections found by mending a misspelt cross street.
        """
        keep, mended = [], []
        for m in streets:
            hit = self._unknown_neighbour(text, m, mentions)
            if hit is None:
                keep.append(m)
                continue
            word, lo, hi = hit
            close = [] if lo < m.start and text[hi:m.start].find("mellan") >= 0 else \
                [n for n in self.streets.close_names(word.rstrip("s")) if n != m.roles["street"]]
            if close:
                keep.append(m)
                mended += self._meet(m.roles["street"], close[0], text[min(lo, m.start):max(hi, m.end)],
                                     min(lo, m.start))
            else:
                logger.debug("%r meets %r, which is not in the network: not placed on %s", m.text, word,
                             m.roles["street"])
        return keep, mended

    # -- single names -----------------------------------------------------------------------------
    def _single(self, text: str, m: Mention, *, district_named: bool) -> Location | None:
        roles = m.roles
        station = roles.get("station")
        if station is not None and (near_station_word(text, m) or not ({"area", "street"} & roles.keys())):
            return Location("station", self.stations[station], UNCERTAINTY_M["station"], station, "", m.text,
                            m.start)
        if "street" in roles:
            point, half, share = self.streets.street_point(roles["street"])
            return Location("street", point, max(MIN_STREET_UNCERTAINTY_M, half), roles["street"], roles["street"],
                            m.text, m.start, inside=share >= MIN_AREA_SHARE or district_named)
        if "area" in roles:
            name = AREA_ALIASES.get(roles["area"], roles["area"])
            point, radius = self.areas[name]
            return Location("area", point, radius, name, "", m.text, m.start)
        return None

    # -- one event --------------------------------------------------------------------------------
    def locate(self, text: str, *, county_level: bool) -> Location:
        mentions = self.gazetteer.find(text)
        places = [m for m in mentions if {"street", "station", "area", "other"} & m.roles.keys()]
        targets = [m for m in places if "other" not in m.roles
                   and not _elsewhere(m, mentions, text, whole_text=county_level)]
        streets, mended = self._check_neighbours(text, [m for m in targets if "street" in m.roles], mentions)
        targets = [m for m in targets if "street" not in m.roles or m in streets]
        if not targets or (places[0] not in targets and not mended):
            return UNLOCATED  # the first place named is elsewhere: later names are arrests, hospitals, ...
        district = any("area" in m.roles for m in targets)
        crossings = mended + self._intersections(text, streets)
        crossed = {name for c in crossings for name in c.place.split(" / ")}
        singles = [c for m in targets if (c := self._single(text, m, district_named=district))
                   and not (c.precision == "street" and c.place in crossed)]
        cands = crossings + singles
        if not cands:
            return UNLOCATED
        # The most precise place named wins, even outside the area (the event is then dropped).
        return min(cands, key=lambda c: (c.uncertainty_m, c.start))


def _elsewhere(m: Mention, mentions: list[Mention], text: str, *, whole_text: bool) -> bool:
    """Whether the place that frames ``m`` is another municipality or district.

    That is the nearest place name in the same sentence; else the places of
    the sentence before, when all of them are elsewhere ("Krock i Ulvsunda.
    På Drottningholmsvägen/..."); else (``whole_text``) the nearest anywhere.
    """
    anchors = [a for a in mentions if a is not m and ({"other", "local", "area"} & a.roles.keys())]
    if not any("other" in a.roles for a in anchors):
        return False
    spans = sentence_spans(text)
    k = next((i for i, (lo, hi) in enumerate(spans) if lo <= m.start <= hi), 0)
    near = [a for a in anchors if spans[k][0] <= a.start <= spans[k][1]]
    if not near and k > 0:
        before = [a for a in anchors if spans[k - 1][0] <= a.start <= spans[k - 1][1]]
        if before:
            return all("other" in a.roles for a in before)
    if not near and whole_text:
        near = anchors
    if not near:
        return False
    nearest = min(near, key=lambda a: min(abs(a.start - m.end), abs(m.start - a.end)))
    return "other" in nearest.roles


def _dates(events: Sequence[dict[str, Any]]) -> pd.Series:
    return pd.Series([event_time(e) for e in events], dtype="datetime64[ns]")


def _url(value: object) -> str:
    url = str(value or "")
    return f"https://polisen.se{url}" if url.startswith("/") else url


def locate_events(events: Sequence[dict[str, Any]], edges: gpd.GeoDataFrame, *,
                  stations: pd.DataFrame | None = None, area: BaseGeometry | None = None,
                  municipality_name: str | None = "Stockholm", max_area_radius_m: float | None = None,
                  crs: str = "EPSG:3011") -> gpd.GeoDataFrame:
    """Locate police events from their text on a street network.

    Each event's preamble (or summary) and body are searched for the
    network's street names, station names and the districts in
    :data:`~camsite.events._places.AREAS`, in their Swedish spellings and
    inflections. Two streets joined as "vid X och Y", "korsningen X/Y",
    "X-Y" or "hörnet X och Y" that meet in the network give an
    intersection; a station name next to a word such as "tunnelbanestationen"
    (or a station square such as Fridhemsplan) a station; a street name
    (with or without a house number) the street; a district its centre. The
    most precise location wins (smallest uncertainty; inside ``area`` first).

    A mention whose nearest place name (same sentence; whole text for events
    filed under "Stockholms län") is another municipality or district is
    ignored, and so is every event whose ``name`` ends with a municipality
    other than ``municipality_name``.

    Parameters
    ----------
    events
        Events as :func:`load_polisen` returns them.
    edges
        Street segments with a ``name`` column (str, or list of str), e.g.
        ``Network.edges``; projected to ``crs`` if they are not in it.
    stations
        Metro stations: a frame with ``stop_name``, ``lat``, ``lon`` or a
        GeoDataFrame with ``stop_name`` (or ``name``).
    area
        Polygon in ``crs``: events located outside it (and unlocated ones)
        are dropped, and a street's point is taken on its part inside.
    municipality_name
        The municipality the network lies in; None accepts every municipality.
    max_area_radius_m
        Drop events located only to a district larger than this radius
        (e.g. all of Kungsholmen: one point would stand for 2 km around it).
    crs
        The working CRS of the result.

    Returns
    -------
    GeoDataFrame
        One row per event kept, in ``crs``, with the columns of
        :data:`COLUMNS` and geometry (None when unlocated). ``attrs["counts"]``
        holds the number of events per precision class before any filter,
        ``attrs["n_in_area"]`` how many were kept, ``attrs["n_too_coarse"]``
        how many were dropped by ``max_area_radius_m``.
    """
    edges = edges if edges.crs is not None and edges.crs == crs else edges.to_crs(crs)
    st = None if stations is None else stations_frame(stations, crs=crs)
    loc = _Locator(edges, st, area, crs)
    home = None if municipality_name is None else municipality_name.strip().lower()
    rows = []
    for ev in events:
        muni = municipality(ev)
        county = muni.lower().endswith(" län")
        if home is not None and not county and muni.lower() != home:
            rows.append(UNLOCATED)
            continue
        rows.append(loc.locate(event_text(ev), county_level=county))
    gdf = _frame(events, rows, crs)
    counts = {p: int((gdf["precision"] == p).sum()) for p in EVENT_PRECISIONS}
    coarse = np.zeros(len(gdf), dtype=bool)
    if max_area_radius_m is not None:
        coarse = (gdf["precision"] == "area").to_numpy() & (gdf["uncertainty_m"] > max_area_radius_m).to_numpy()
    keep = ~coarse
    if area is not None:
        keep &= (gdf.geometry.notna().to_numpy() & gdf.geometry.covered_by(area).to_numpy()
                 & np.array([r.inside for r in rows], dtype=bool))
    if max_area_radius_m is not None or area is not None:
        gdf = gdf[keep].reset_index(drop=True)
    gdf.attrs = {"counts": counts, "n_in_area": len(gdf) if area is not None else None,
                 "n_too_coarse": int(coarse.sum())}
    logger.info("located %d events: %s", len(events), ", ".join(f"{k} {v}" for k, v in counts.items()))
    return gdf


def _frame(events: Sequence[dict[str, Any]], rows: list[Location], crs: str) -> gpd.GeoDataFrame:
    data = {
        "incident_id": [str(e.get("id")) for e in events],
        "date": _dates(events),
        "type": [str(e.get("type", "")) for e in events],
        "category": [category_for(e.get("type")) for e in events],
        "precision": [r.precision for r in rows],
        "uncertainty_m": np.array([r.uncertainty_m for r in rows], dtype=float).round(1),
        "place": [r.place for r in rows],
        "street": [r.street for r in rows],
        "matched_text": [r.matched_text for r in rows],
        "municipality": [municipality(e) for e in events],
        "weight": np.ones(len(events)),
        "source": [SOURCE] * len(events),
        "url": [_url(e.get("url")) for e in events],
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([r.point for r in rows], crs=crs), crs=crs)
