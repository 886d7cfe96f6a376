"""Locating police events from their text (see :func:`locate_events`).

Rules, each applied to every event (the places file holds the names and the
word lists, see :mod:`camsite.events._places` and :mod:`camsite.events._rules`):

- the most precise place named wins (intersection, station, street, area);
- *place elsewhere* (counted together in ``attrs["scene"]``, printed as
  "platsen någon annanstans"):

  1. a place whose nearest place name is another municipality or district
     is ignored ("Torsgatan i Solna");
  2. when the first place a text names is elsewhere, the event is not
     located (later names are arrests, hospitals, ...);
  3. a place that a transport or arrest word names ("polisen stoppade tåget
     vid Fridhemsplan", "greps vid Fridhemsplan") is ignored when a scene
     ("i Blackeberg", "på Fleminggatan") is named before it; an area scene
     that covers the later place does not count ("Bråk på Kungsholmen ...
     greps vid Fridhemsplan").

  The event is then located at the scene if that is a place here ("moved"),
  else left unlocated; an event counts when its location differs from the
  one the most precise place here would give without these rules;
- *indoors*: a text that names an indoor place after a preposition ("i en
  lägenhet", "på en restaurang", "ombord på en båt"; not "utanför en
  restaurang") flags the event ``indoor`` (it is still located and kept);
- *duplicates*: located events of the same type within an hour with the same
  text or the same location (precision class, points within 25 m) are merged
  into the lowest id, which lists the others in ``merged_ids``.

>>> from shapely.geometry import LineString
>>> edges = gpd.GeoDataFrame({"name": ["Fleminggatan"]}, geometry=[LineString([(0, 0), (400, 0)])], crs="EPSG:3011")
>>> events = [{"id": 1, "name": "1 maj 11.00, Rån, Stockholm", "datetime": "2025-05-01 12:00:00 +02:00",
...            "type": "Rån", "summary": "Rån i en butik på Fleminggatan. Mannen greps vid Fridhemsplan."}]
>>> stations = pd.DataFrame({"stop_name": ["Fridhemsplan"], "lat": [59.3330], "lon": [18.0308]})
>>> located = locate_events(events, edges, stations=stations)
>>> row = located.iloc[0]
>>> row["precision"], row["place"], bool(row["indoor"]), row["merged_ids"], located.attrs["scene"]
('street', 'Fleminggatan', True, '', {'moved': 1, 'unlocated': 0})
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from camsite.events._categories import category_for
from camsite.events._duplicates import merge_duplicates
from camsite.events._feed import event_text, event_time, municipality
from camsite.events._match import CONNECTOR, Gazetteer, Mention, near_station_word, sentence_spans
from camsite.events._names import normalise_name
from camsite.events._places import Places, load_places, stations_frame
from camsite.events._rules import IndoorRule, SceneRule
from camsite.events._streets import StreetMatcher
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
           "matched_text", "municipality", "weight", "source", "url", "district", "indoor", "merged_ids")
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
    district: str = ""
    #: What the scene-elsewhere rule did: "" nothing, "moved" to the scene, "unlocated".
    scene: str = ""

    def same_place(self, other: Location) -> bool:
        """Whether both name the same place in the same precision class."""
        return (self.precision, self.place) == (other.precision, other.place)


UNLOCATED = Location("unlocated")


class _Locator:
    """Holds the street index, station points and the compiled gazetteer for a batch of events."""

    def __init__(self, edges: gpd.GeoDataFrame, stations: gpd.GeoDataFrame | None, area: BaseGeometry | None,
                 crs: str, places: Places) -> None:
        self.streets = StreetMatcher(edges, area=area)
        self.area = area
        self.stations = {} if stations is None else dict(zip(stations["name"], stations.geometry))
        to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.places = places
        self.aliases = places.aliases
        self.areas = {name: (Point(*to_crs.transform(a.lon, a.lat)), a.radius_m) for name, a in places.areas.items()}
        self.gazetteer = Gazetteer(streets=self.streets.names, stations=self.stations,
                                   areas=[*self.areas, *self.aliases], other_places=places.other_places,
                                   local_places=places.local_places)
        self.scene = SceneRule.from_spec(places.scene_elsewhere)
        self.indoor = IndoorRule.from_spec(places.indoor)
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
            name = self.aliases.get(roles["area"], roles["area"])
            point, radius = self.areas[name]
            return Location("area", point, radius, name, "", m.text, m.start,
                            district=self.places.areas[name].district)
        return None

    # -- one event --------------------------------------------------------------------------------
    def locate(self, text: str, *, county_level: bool) -> Location:
        """Where the event of ``text`` happened (``county_level``: filed under the county, not a municipality)."""
        mentions = self.gazetteer.find(text)
        places = [m for m in mentions if {"street", "station", "area", "other"} & m.roles.keys()]
        here = [m for m in places if "other" not in m.roles]
        if not here:
            return UNLOCATED
        targets = [m for m in here if not _elsewhere(m, mentions, text, whole_text=county_level)]
        dropped = self._scene_elsewhere(text, places, targets)
        kept = [m for m in targets if m not in dropped]
        found = self._best(text, kept, mentions, places[0], first_rule=True) if kept else UNLOCATED
        if len(kept) == len(here) and places[0] in kept:
            return found
        # Some place of the home ground was put elsewhere: did that change where the event is?
        naive = self._best(text, here, mentions, places[0], first_rule=False)
        if naive.precision == "unlocated" or found.same_place(naive):
            return found
        return replace(found, scene="unlocated" if found.precision == "unlocated" else "moved")

    def _best(self, text: str, targets: list[Mention], mentions: list[Mention], first: Mention, *,
              first_rule: bool) -> Location:
        """The most precise place among ``targets``.

        Unlocated when the first place named (``first``) is not a target and no
        misspelt crossing was mended: with ``first_rule`` always, else only
        when ``first`` is a street at a crossing with a street the network lacks.
        """
        streets, mended = self._check_neighbours(text, [m for m in targets if "street" in m.roles], mentions)
        kept = [m for m in targets if "street" not in m.roles or m in streets]
        if not kept or (first not in kept and not mended and (first_rule or first in targets)):
            return UNLOCATED  # the first place named is elsewhere: later names are arrests, hospitals, ...
        district = any("area" in m.roles for m in kept)
        crossings = mended + self._intersections(text, streets)
        crossed = {name for c in crossings for name in c.place.split(" / ")}
        singles = [c for m in kept if (c := self._single(text, m, district_named=district))
                   and not (c.precision == "street" and c.place in crossed)]
        cands = crossings + singles
        if not cands:
            return UNLOCATED
        # The most precise place named wins, even outside the area (the event is then dropped).
        return min(cands, key=lambda c: (c.uncertainty_m, c.start))

    def _scene_elsewhere(self, text: str, places: list[Mention], targets: list[Mention]) -> set[Mention]:
        """The targets that a transport or arrest word names after a scene elsewhere was named."""
        linked = self.scene.linked(text, places)
        if not linked & set(targets):
            return set()
        scenes = self.scene.scenes(text, places, linked)
        return {m for m in linked & set(targets) if any(s.end <= m.start and self._apart(text, s, m) for s in scenes)}

    def _apart(self, text: str, scene: Mention, m: Mention) -> bool:
        """Whether ``scene`` is another place than ``m`` (an area covering ``m``'s point is not)."""
        if "other" in scene.roles:
            return True
        if set(scene.roles.values()) & set(m.roles.values()):
            return False
        if "area" not in scene.roles:
            return True
        centre, radius = self.areas[self.aliases.get(scene.roles["area"], scene.roles["area"])]
        here = self._single(text, m, district_named=False)
        return here is None or here.point is None or here.point.distance(centre) > radius


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
                  crs: str = "EPSG:3011", places: Places | None = None) -> gpd.GeoDataFrame:
    """Locate police events from their text on a street network.

    Each event's preamble (or summary) and body are searched for the
    network's street names, station names and the districts of the places
    file (``places``), in their Swedish spellings and inflections. Two
    streets joined as "vid X och Y", "korsningen X/Y", "X-Y" or "hörnet X
    och Y" that meet in the network give an intersection; a station name
    next to a word such as "tunnelbanestationen" (or a station square such as
    Fridhemsplan) a station; a street name (with or without a house number)
    the street; a district its centre. The most precise location wins
    (smallest uncertainty; inside ``area`` first).

    A mention whose nearest place name (same sentence; whole text for events
    filed under "Stockholms län") is another municipality or district is
    ignored, and so is every event whose ``name`` ends with a municipality
    other than ``municipality_name``. The scene-elsewhere, indoor and
    duplicate rules of the module docstring apply.

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
    places
        Areas, places elsewhere and wording rules (:func:`load_places`); the
        shipped Kungsholmen file when None.

    Returns
    -------
    GeoDataFrame
        One row per event kept (duplicates merged), in ``crs``, with the
        columns of :data:`COLUMNS` and geometry (None when unlocated).
        ``attrs["counts"]`` holds the number of events per precision class
        before any filter, ``attrs["scene"]`` how many the scene-elsewhere
        rule ``moved`` or left ``unlocated``, ``attrs["n_too_coarse"]`` how
        many were dropped by ``max_area_radius_m``, ``attrs["n_in_area"]`` and
        ``attrs["in_area"]`` (per precision class) how many were kept before
        merging, ``attrs["n_merged"]`` how many duplicates were merged away.
    """
    edges = edges if edges.crs is not None and edges.crs == crs else edges.to_crs(crs)
    st = None if stations is None else stations_frame(stations, crs=crs)
    loc = _Locator(edges, st, area, crs, load_places() if places is None else places)
    texts = [event_text(ev) for ev in events]
    rows = [_locate_one(loc, ev, text, municipality_name) for ev, text in zip(events, texts)]
    gdf = _frame(events, rows, [loc.indoor(t) for t in texts], crs)
    counts = {p: int((gdf["precision"] == p).sum()) for p in EVENT_PRECISIONS}
    keep, coarse = _keep(gdf, rows, area, max_area_radius_m)
    if max_area_radius_m is not None or area is not None:
        gdf = gdf[keep].reset_index(drop=True)
        texts = [t for t, k in zip(texts, keep) if k]
    in_area = {p: int((gdf["precision"] == p).sum()) for p in EVENT_PRECISIONS[:-1]}
    n_kept = len(gdf)
    gdf = merge_duplicates(gdf, texts).reset_index(drop=True)
    gdf.attrs = {"counts": counts, "n_in_area": n_kept if area is not None else None, "in_area": in_area,
                 "n_too_coarse": int(coarse.sum()), "n_merged": n_kept - len(gdf),
                 "scene": {k: sum(r.scene == k for r in rows) for k in ("moved", "unlocated")}}
    logger.info("located %d events: %s", len(events), ", ".join(f"{k} {v}" for k, v in counts.items()))
    return gdf


def _locate_one(loc: _Locator, event: dict[str, Any], text: str, home: str | None) -> Location:
    """One event's location; unlocated when it is filed under a municipality other than ``home``."""
    muni = municipality(event)
    county = muni.lower().endswith(" län")
    if home is not None and not county and muni.lower() != home.strip().lower():
        return UNLOCATED
    return loc.locate(text, county_level=county)


def _keep(gdf: gpd.GeoDataFrame, rows: list[Location], area: BaseGeometry | None,
          max_area_radius_m: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows to keep (inside ``area``, not too coarse) and rows too coarse."""
    coarse = np.zeros(len(gdf), dtype=bool)
    if max_area_radius_m is not None:
        coarse = (gdf["precision"] == "area").to_numpy() & (gdf["uncertainty_m"] > max_area_radius_m).to_numpy()
    keep = ~coarse
    if area is not None:
        keep &= (gdf.geometry.notna().to_numpy() & gdf.geometry.covered_by(area).to_numpy()
                 & np.array([r.inside for r in rows], dtype=bool))
    return keep, coarse


def _frame(events: Sequence[dict[str, Any]], rows: list[Location], indoor: list[bool], crs: str) -> gpd.GeoDataFrame:
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
        "district": [r.district for r in rows],
        "indoor": np.array(indoor, dtype=bool),
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([r.point for r in rows], crs=crs), crs=crs)
