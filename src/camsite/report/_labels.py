"""Where the map's names go: stations, zones, sub-areas, districts and main streets, placed so they do not collide.

A greedy placement in map metres, shared by map.png and the report's SVG map:
each label (in priority order: stations, zones, streets, sub-areas, districts) takes the
first of its candidate positions whose box stays inside the map and clear of
the markers and of every label placed before it; a label with no free
position is left out rather than drawn over another. Street names run along
the longest piece of their street, rotated with it and never upside down.

>>> round(upright(120.0), 1), round(upright(-100.0), 1), round(upright(90.0), 1)
(-60.0, 80.0, 90.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel, substring

from camsite.report.basemap import Basemap

__all__ = ["Label", "place_labels", "text_width", "upright"]

#: Kinds of label set in bold.
BOLD = frozenset({"station", "district"})
_SMALLER = 0.85  # a label with no room at its size tries once more this much smaller
_FRACTIONS = (0.5, *(0.5 + s * k / 20 for k in range(1, 10) for s in (-1, 1)))


@dataclass(frozen=True)
class Label:
    """One placed name: ``angle`` in degrees counter-clockwise in map coordinates; ``size`` in display units."""

    kind: str
    text: str
    x: float
    y: float
    angle: float
    size: float


def upright(angle: float) -> float:
    """``angle`` (degrees) turned by 180° where needed so text reads left to right: in (-90, 90]."""
    a = (angle + 180.0) % 360.0 - 180.0
    if a > 90.0:
        a -= 180.0
    elif a <= -90.0:
        a += 180.0
    return a


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Approximate width of ``text`` at font ``size`` (DejaVu Sans-like metrics, a little generous)."""
    em = 0.0
    for ch in text:
        em += 0.32 if ch == " " else 0.7 if ch.isupper() else 0.64 if ch.isdigit() else 0.57
    return em * size * (1.08 if bold else 1.0)


def _box(x: float, y: float, w: float, h: float, angle: float) -> BaseGeometry:
    b = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return affinity.rotate(b, angle, origin=(x, y)) if angle else b


class _Board:
    """The placed boxes and the obstacles, with a test for a free spot."""

    def __init__(self, frame: BaseGeometry, blocked: Sequence[BaseGeometry]) -> None:
        self.frame = frame
        self.taken: list[BaseGeometry] = list(blocked)

    def free(self, shape: BaseGeometry) -> bool:
        if not shape.within(self.frame):
            return False
        return not (self.taken and bool(shapely.intersects(np.asarray(self.taken, dtype=object), shape).any()))

    def take(self, shape: BaseGeometry) -> None:
        self.taken.append(shape)


def _street_spots(line: LineString, w: float, h: float) -> Iterator[tuple[float, float, float]]:
    """Centre and angle of a label ``w`` long on ``line``, from the middle outwards; only where the street is
    straight enough under it."""
    length = line.length
    if length < w:
        return
    for f in _FRACTIONS:
        d = min(max(f * length, w / 2), length - w / 2)
        a, b = line.interpolate(d - w / 2), line.interpolate(d + w / 2)
        chord = LineString([a, b])
        under = substring(line, d - w / 2, d + w / 2)
        if under.hausdorff_distance(chord) > 0.45 * h:
            continue
        mid = line.interpolate(d)
        yield mid.x, mid.y, upright(math.degrees(math.atan2(b.y - a.y, b.x - a.x)))


def _area_spots(part: BaseGeometry, w: float, h: float) -> Iterator[tuple[float, float]]:
    """Points inside ``part``: its pole of inaccessibility first, then a grid nearest to it."""
    polys = sorted(shapely.get_parts(part), key=lambda p: (-round(p.area, 1), p.bounds))
    main = polys[0]
    pole = polylabel(main, tolerance=max(h / 4, 1.0))
    yield pole.x, pole.y
    x0, y0, x1, y1 = main.bounds
    xs, ys = np.linspace(x0 + w / 2, x1 - w / 2, 9), np.linspace(y0 + h / 2, y1 - h / 2, 9)
    grid = sorted(((float(x), float(y)) for x in xs for y in ys), key=lambda p: (round(math.hypot(
        p[0] - pole.x, p[1] - pole.y), 3), p))
    yield from grid


def _station_spots(sx: float, sy: float) -> Callable[[float, float], list[tuple[float, float, float]]]:
    """Above, below, right of and left of a station's marker, then the same further out."""
    def spots(w: float, h: float) -> list[tuple[float, float, float]]:
        gap = 0.6 * h
        offsets = [(0, h / 2 + gap), (0, -h / 2 - gap), (w / 2 + gap, 0), (-w / 2 - gap, 0)]
        offsets += [(k * dx, k * dy) for k in (1.8, 2.6) for dx, dy in offsets[:4]]
        return [(sx + dx, sy + dy, 0.0) for dx, dy in offsets]
    return spots


def _zone_spots(geom: BaseGeometry) -> Callable[[float, float], list[tuple[float, float, float]]]:
    """Inside the zone (its pole of inaccessibility), then just above it, then just below it."""
    def spots(w: float, h: float) -> list[tuple[float, float, float]]:
        first = [(x, y, 0.0) for x, y in _area_spots(geom, w, h)][:1]
        c = geom.centroid
        return [*first, (c.x, geom.bounds[3] + 0.7 * h, 0.0), (c.x, geom.bounds[1] - 0.7 * h, 0.0)]
    return spots


def _edge_spots(geom: BaseGeometry) -> Callable[[float, float], list[tuple[float, float, float]]]:
    """Along the area's outline, just inside it (top first), then just outside."""
    ring = max(shapely.get_parts(geom), key=lambda p: (round(p.area, 1), p.bounds)).exterior
    cx = geom.centroid.x

    def spots(w: float, h: float) -> list[tuple[float, float, float]]:
        pts = [ring.interpolate(k / 40, normalized=True) for k in range(40)]
        cands = {(round(p.x + dx, 1), round(p.y + dy, 1)) for p in pts
                 for dx in (0.0, w / 2 + 0.5 * h, -w / 2 - 0.5 * h) for dy in (-0.8 * h, 0.8 * h)}
        fits = geom.buffer(0.2 * h)
        inner = [c for c in cands if _box(c[0], c[1], w, h, 0).within(fits)]
        outer = [c for c in cands if not _box(c[0], c[1], w, h, 0).intersects(geom.buffer(-0.2 * h))]
        order = sorted(inner, key=lambda c: (-c[1], abs(c[0] - cx), c[0]))
        order += sorted(outer, key=lambda c: (-c[1], abs(c[0] - cx), c[0]))
        return [(x, y, 0.0) for x, y in order]
    return spots


def _along(lines: Sequence[LineString]) -> Callable[[float, float], list[tuple[float, float, float]]]:
    """Along a street's pieces, rotated with them (:func:`_street_spots`)."""
    def spots(w: float, h: float) -> list[tuple[float, float, float]]:
        return [spot for line in lines for spot in _street_spots(line, w + 0.3 * h, h)]
    return spots


def _anywhere(part: BaseGeometry) -> Callable[[float, float], list[tuple[float, float, float]]]:
    """Anywhere inside ``part`` (:func:`_area_spots`)."""
    def spots(w: float, h: float) -> list[tuple[float, float, float]]:
        return [(x, y, 0.0) for x, y in _area_spots(part, w, h)]
    return spots


@dataclass
class _Placer:
    """Puts labels on the board one after the other; ``avoid`` (the main streets) is kept clear where possible."""

    board: _Board
    sizes: Mapping[str, float]
    unit_m: float
    avoid: BaseGeometry
    out: list[Label] = field(default_factory=list)

    def put(self, kind: str, text: str, spots: Callable[[float, float], Iterable[tuple[float, float, float]]],
            inside: BaseGeometry | None = None, avoid: BaseGeometry | None = None) -> None:
        """The first free spot: first off the streets in ``avoid``, then anywhere; then a size smaller."""
        avoid = self.avoid if avoid is None else avoid
        unit_m = self.unit_m
        for scale, strict in ((1.0, True), (1.0, False), (_SMALLER, True), (_SMALLER, False)):
            size = self.sizes[kind] * scale
            w, h = text_width(text, size, bold=kind in BOLD) * unit_m, 1.2 * size * unit_m
            for x, y, a in spots(w, h):
                shape = _box(x, y, w + 0.3 * h, h, a)
                if (inside is None or shape.within(inside)) and not (strict and shape.intersects(avoid)) \
                        and self.board.free(shape):
                    self.board.take(shape)
                    self.out.append(Label(kind, text, round(x, 1), round(y, 1), round(a, 1), round(size, 1)))
                    return


def place_labels(bm: Basemap, *, unit_m: float, sizes: Mapping[str, float],
                 markers: Sequence[tuple[float, float, float]] = (),
                 reserved: Sequence[BaseGeometry] = ()) -> list[Label]:
    """The labels of ``bm`` that fit, for a map drawn at ``unit_m`` metres per display unit.

    Stations come first, then zones, main streets (trunk first, longer first), sub-areas (along
    their top or bottom edge) and districts (anywhere inside them).

    Parameters
    ----------
    bm
        The map's layers.
    unit_m
        Metres per display unit (point or pixel) on the map as first shown.
    sizes
        Font size per kind (``station``, ``zone``, ``subarea``, ``district``, ``street``); a kind without one is not labelled.
    markers
        ``(x, y, radius in display units)`` of symbols no label may cover (sites, cameras, entrances).
    reserved
        Map areas (metres) kept free: the north arrow, the scale bar.
    """
    x0, y0, x1, y1 = bm.extent
    edge = 2 * unit_m
    blocked = [Point(x, y).buffer(r * unit_m, quad_segs=4) for x, y, r in markers] + list(reserved)
    board = _Board(box(x0 + edge, y0 + edge, x1 - edge, y1 - edge), blocked)
    streets = {name: shapely.union_all(lines) for name, lines, _ in bm.main_streets}
    every_street = shapely.union_all(list(streets.values())) if streets else Point()
    placer = _Placer(board, sizes, unit_m, every_street)
    if "station" in sizes:
        for name, sx, sy in bm.stations:
            placer.put("station", name, _station_spots(sx, sy))
    if "zone" in sizes:
        for _, text, geom in bm.zones:
            placer.put("zone", text, _zone_spots(geom))
    if "street" in sizes:
        for name, lines, _ in sorted(bm.main_streets, key=lambda s: (s[2], -round(s[1][0].length, 1), s[0])):
            others = shapely.union_all([g for n, g in streets.items() if n != name]) if len(streets) > 1 else Point()
            placer.put("street", name, _along(lines), avoid=others)
    if "subarea" in sizes:
        for text, geom in bm.subareas:
            placer.put("subarea", text, _edge_spots(geom))
    if "district" in sizes:
        for name, part in sorted(bm.districts, key=lambda d: (-round(d[1].area, 0), d[0])):
            placer.put("district", name, _anywhere(part), inside=part.buffer(2 * sizes["district"] * unit_m))
    return placer.out
