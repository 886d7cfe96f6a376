"""The map layers map.png and the report's SVG map share, prepared once: clipped, sorted, ready to draw.

Everything is in the working CRS and cut to the map's extent (the study area's
bounds plus a margin), so large inputs (Stockholm's water, every district of
the city) cost only what the map shows. The order of every list is fixed
(by name, then coordinates), so reruns draw the same thing byte for byte.

>>> street_names("Norr Mälarstrand; Sysslomansgatan"), street_names(["A", "B", "A"]), street_names(None)
(['Norr Mälarstrand', 'Sysslomansgatan'], ['A', 'B'], [])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from camsite import network, privacy
from camsite.i18n import fmt_num, tr
from camsite.report import _frames, _views
from camsite.result import RunResult

__all__ = ["LEVEL_COLORS", "MAIN_HIGHWAYS", "MAP_COLORS", "Basemap", "Demand", "attribution", "basemap", "demand",
           "drawn_streets", "extent", "legend_items", "street_names", "view_levels_drawn"]

#: OSM highway classes whose streets are drawn stronger and named on the maps.
MAIN_HIGHWAYS: tuple[str, ...] = ("trunk", "primary", "secondary", "tertiary")
#: Colours of the base layers, the same in map.png and the report (the report's script reads them from its data).
MAP_COLORS: dict[str, str] = {
    "water": "#d3e8f6", "water_edge": "#a9cbe3", "district": "#6e6e6e", "district_text": "#5e5e5e",
    "street": "#b9bec4", "street_main": "#737a82", "street_text": "#2f3337", "metro": "#1c1c1c",
    "exclusion": "#a50f15", "no_view": "#b3478f",
}
#: Fill of each EN 62676-4 level's view (graded coverage), identify darkest; the same in map.png and the report.
LEVEL_COLORS: dict[str, str] = {"identify": "#7f2704", "recognise": "#d94801", "observe": "#fd8d3c",
                                "detect": "#fdd0a2"}
_PIECES = 3  # a street's name goes on its longest piece, or on the next ones where that piece has no room
_SHORE_M = 6.0  # district borders this close to water are shoreline, not a border between districts
_MIN_DISTRICT_SHARE = 0.02  # districts covering less of the map than this are not named


@dataclass(frozen=True)
class Basemap:
    """The context layers of one map, cut to ``extent`` ``(x0, y0, x1, y1)``.

    ``districts`` are (name, visible part) for the districts worth naming;
    ``main_streets`` (name, its longest pieces longest first, class rank: 0 trunk … 3 tertiary);
    ``entrances`` (x, y, station name); ``stations`` (name, x, y) at the mean of their visible entrances;
    ``zones`` (kind ``exclusion`` or ``no_view``, label, geometry);
    ``subareas`` (label, visible part) in the scenario's order.
    """

    extent: tuple[float, float, float, float]
    water: BaseGeometry | None
    district_lines: BaseGeometry | None
    districts: tuple[tuple[str, BaseGeometry], ...]
    main_streets: tuple[tuple[str, tuple[LineString, ...], int], ...]
    entrances: tuple[tuple[float, float, str], ...]
    stations: tuple[tuple[str, float, float], ...]
    zones: tuple[tuple[str, str, BaseGeometry], ...]
    subareas: tuple[tuple[str, BaseGeometry], ...]
    attribution: tuple[str, ...]


@dataclass(frozen=True)
class Demand:
    """Demand per street segment under the privacy rule: ``shown`` (weighted incidents > 0) and ``suppressed``."""

    shown: gpd.GeoDataFrame
    suppressed: gpd.GeoDataFrame

    @property
    def vmax(self) -> float:
        """Top of the colour scale: the largest weighted incident sum shown."""
        return max(float(self.shown["incident_weight"].max()), 1e-6) if len(self.shown) else 1.0


def extent(result: RunResult, pad: float = 0.04) -> tuple[float, float, float, float]:
    """The study area's bounds plus ``pad`` of its larger side on every side."""
    x0, y0, x1, y1 = result.study_area.bounds
    m = pad * max(x1 - x0, y1 - y0)
    return x0 - m, y0 - m, x1 + m, y1 + m


def street_names(value: Any) -> list[str]:
    """Every street name of a segment: OSM merges several streets into one edge (a list, or ``"A; B"``)."""
    return network.osm_values(value, sep="; ")


def _polygons(geom: BaseGeometry | None) -> BaseGeometry | None:
    if geom is None or geom.is_empty:
        return None
    parts = [g for g in shapely.get_parts(shapely.make_valid(geom)) if g.geom_type in ("Polygon", "MultiPolygon")]
    merged = shapely.union_all(parts) if parts else None
    return None if merged is None or merged.is_empty else merged


def _lines(geom: BaseGeometry, min_m: float) -> BaseGeometry | None:
    lines = [g for g in shapely.get_parts(geom) if g.geom_type in ("LineString", "MultiLineString")]
    if not lines:
        return None
    merged = shapely.line_merge(shapely.union_all(lines))
    parts = [g for g in shapely.get_parts(merged) if g.geom_type == "LineString" and g.length >= min_m]
    return shapely.MultiLineString(parts) if parts else None


def drawn_streets(result: RunResult) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """The street segments the maps draw (not the excluded motorways) and which of them are main streets."""
    e = result.edges
    if "excluded" in e:
        e = e[~e["excluded"].astype(bool)]
    hw = e["highway"] if "highway" in e else pd.Series("", index=e.index)
    return e, hw.map(lambda h: (street_names(h) or [""])[0]).isin(MAIN_HIGHWAYS)


def _districts(result: RunResult, frame: BaseGeometry, water: BaseGeometry | None
               ) -> tuple[BaseGeometry | None, tuple[tuple[str, BaseGeometry], ...]]:
    d = result.inputs.districts
    if d is None or not len(d):
        return None, ()
    d = d[d.geometry.notna() & d.geometry.intersects(frame)].sort_values("name", kind="stable")
    if not len(d):
        return None, ()
    borders = shapely.union_all(d.geometry.boundary.intersection(frame).to_numpy())
    if water is not None:
        borders = borders.difference(water.buffer(_SHORE_M))
    min_area = _MIN_DISTRICT_SHARE * frame.area
    named = tuple((str(n), part) for n, g in zip(d["name"], d.geometry)
                  if (part := _polygons(g.intersection(frame))) is not None and part.area >= min_area)
    return _lines(borders, 20.0), named


def _main_streets(result: RunResult, frame: BaseGeometry) -> tuple[tuple[str, tuple[LineString, ...], int], ...]:
    e, main = drawn_streets(result)
    e = e[main]
    hw = e["highway"].map(lambda h: street_names(h)[0])
    col = "names" if "names" in e else "name"
    pieces: dict[str, list[BaseGeometry]] = {}
    rank: dict[str, int] = {}
    for value, h, g in zip(e[col], hw, e.geometry):
        for n in street_names(value):
            pieces.setdefault(n, []).append(g)
            rank[n] = min(rank.get(n, 9), MAIN_HIGHWAYS.index(h))
    out = []
    for n in sorted(pieces):
        merged = shapely.line_merge(shapely.union_all(pieces[n]).intersection(frame))
        parts = [p for p in shapely.get_parts(merged) if p.geom_type == "LineString" and not p.is_empty]
        # longest first; equal lengths by their first coordinate
        parts.sort(key=lambda p: (-round(p.length, 3), tuple(p.coords[0])))
        if parts:
            out.append((n, tuple(parts[:_PIECES]), rank[n]))
    return tuple(out)


def _stations(result: RunResult, frame: BaseGeometry
              ) -> tuple[tuple[tuple[float, float, str], ...], tuple[tuple[str, float, float], ...]]:
    """Visible metro entrances (x, y, station), and each station's name at the mean of its visible entrances.

    Without entrances, the footfall layer's named points (stations) stand in, without entrance markers.
    """
    ent = result.inputs.entrances
    use_entrances = ent is not None and len(ent) > 0
    pts = ent if use_entrances else result.inputs.footfall
    if pts is None or not len(pts):
        return (), ()
    col = "name" if use_entrances else next((c for c in ("stop_name", "station", "name") if c in pts), None)
    if col is None or col not in pts:
        return (), ()
    inside = pts[pts.geometry.notna() & pts.geometry.within(frame)]
    xy = pd.DataFrame({"name": inside[col].fillna("").astype(str).str.strip().to_numpy(),
                       "x": inside.geometry.x.to_numpy(float), "y": inside.geometry.y.to_numpy(float)})
    entrances = tuple(sorted((round(float(x), 1), round(float(y), 1), str(n)) for x, y, n in
                             zip(xy["x"], xy["y"], xy["name"])))
    named = xy[xy["name"] != ""].groupby("name", sort=True)[["x", "y"]].mean()
    stations = tuple((str(n), round(float(r.x), 1), round(float(r.y), 1)) for n, r in named.iterrows())
    return (entrances if use_entrances else ()), stations


def _zones(result: RunResult, frame: BaseGeometry, lang: str) -> tuple[tuple[str, str, BaseGeometry], ...]:
    out = []
    ex = result.inputs.exclusion_zones
    for name, pen, g in zip(ex.get("name", []), ex.get("penalty_sek", []), ex.geometry):
        part = _polygons(None if g is None else g.intersection(frame))
        if part is not None:
            pen = float(pen)
            text = str(name) if not np.isfinite(pen) else tr("zone_penalty", lang, name=name,
                                                               cost=fmt_num(pen, 0, lang))
            out.append(("exclusion", text, part))
    nv = result.inputs.no_view_zones
    if nv is not None and len(nv):
        labels = nv["label"] if "label" in nv else nv["name"]
        for name, label, g in zip(nv["name"], labels, nv.geometry):
            part = _polygons(None if g is None else g.intersection(frame))
            if part is not None:
                out.append(("no_view", str(label or name), part))
    return tuple(sorted(out, key=lambda z: (z[0], z[1], z[2].bounds)))


def _subareas(result: RunResult, frame: BaseGeometry) -> tuple[tuple[str, BaseGeometry], ...]:
    subs = result.subareas
    labels = subs["label"] if "label" in subs else subs["name"]
    return tuple((str(lab), part) for lab, g in zip(labels, subs.geometry)
                 if (part := _polygons(None if g is None else g.intersection(frame))) is not None)


def attribution(result: RunResult, *, water: bool, districts: bool, lang: str) -> tuple[str, ...]:
    """The attribution lines: OpenStreetMap always (the streets), the boundaries' source when drawn."""
    lines = [tr("attribution", lang)]
    if water or districts:
        which = tr("attr_both" if water and districts else "attr_water" if water else "attr_districts", lang)
        b = result.scenario.boundaries
        src = (b.source if b is not None else "").strip()
        owner = tr("attr_stockholm", lang) if not src or "stockholm" in src.casefold() else src
        lines.append(f"{which}: {owner}")
    return tuple(lines)


def basemap(result: RunResult, ext: tuple[float, float, float, float], *, lang: str = "sv",
            simplify_m: float = 1.0) -> Basemap:
    """The context layers of ``result`` cut to ``ext``; outlines simplified by ``simplify_m`` metres."""
    frame = box(*ext)
    water = _polygons(shapely.clip_by_rect(result.inputs.water, *ext)) if result.inputs.water is not None else None
    if water is not None and simplify_m > 0:
        water = _polygons(water.simplify(simplify_m, preserve_topology=True))
    lines, named = _districts(result, frame, water)
    if lines is not None and simplify_m > 0:
        lines = lines.simplify(simplify_m)
    entrances, stations = _stations(result, frame)
    return Basemap(extent=ext, water=water, district_lines=lines, districts=named,
                   main_streets=_main_streets(result, frame), entrances=entrances, stations=stations,
                   zones=_zones(result, frame, lang), subareas=_subareas(result, frame),
                   attribution=attribution(result, water=water is not None, districts=lines is not None or
                                           bool(named), lang=lang))


def demand(result: RunResult) -> Demand:
    """Weighted incidents per street segment (:func:`camsite.privacy.aggregate_demand`), sorted by segment."""
    agg = privacy.aggregate_demand(result.demand, result.edges, subareas=result.subareas).sort_values("edge_id", kind="stable")
    shown = agg[~agg["suppressed"] & (agg["incident_weight"].fillna(0) > 0)]
    return Demand(shown=shown, suppressed=agg[agg["suppressed"]])


def view_levels_drawn(result: RunResult) -> list[str]:
    """The EN 62676-4 levels (best first) some camera's view reaches: what the maps colour (graded coverage;
    empty with binary coverage, where the maps draw one colour per view)."""
    views = _views.run_views(result)
    if views is None:
        return []
    present = set(views["level"])
    return [lvl for lvl in LEVEL_COLORS if lvl in present]


def _camera_items(result: RunResult, drawn: list[str]) -> list[tuple[str, bool]]:
    """Legend entries of the cameras: each status's view then its marker; with graded coverage one entry per
    level reached (the views of both statuses are coloured by level), then the markers."""
    levels = view_levels_drawn(result)
    cams = [("existing", bool(len(result.existing))), ("proposed", bool(len(result.sites)))]
    if levels:
        return [*((f"view_{lvl}", True) for lvl in levels), *cams]
    return [("viewshed_ex", "existing" in drawn), cams[0], ("viewshed_new", "proposed" in drawn), cams[1]]


def legend_items(result: RunResult, bm: Basemap, dem: Demand, *, lang: str,
                 include_incidents: bool) -> list[tuple[str, str]]:
    """(key, text) of every layer the map draws, in drawing order: the legend of both maps (graded coverage:
    ``view_identify`` … ``view_detect`` instead of ``viewshed_ex`` and ``viewshed_new``)."""
    _, main = drawn_streets(result)
    views = _frames.viewsheds(result)
    drawn = views[views.geometry.notna() & ~views.geometry.is_empty]["status"].tolist()
    kinds = {z[0] for z in bm.zones}
    rng = ""
    if len(dem.shown):
        lo = float(dem.shown["incident_weight"].min())
        rng = f" ({fmt_num(lo, 1, lang)}–{fmt_num(float(dem.shown['incident_weight'].max()), 1, lang)})"
    items = [
        ("water", bm.water is not None), ("districts", bm.district_lines is not None or bool(bm.districts)),
        ("streets_main", bool(main.any())), ("streets", bool((~main).any())),
        ("metro", bool(bm.entrances or bm.stations)), ("study_area", True), ("subareas", bool(len(result.subareas))),
        ("exclusion", "exclusion" in kinds), ("no_view", "no_view" in kinds),
        ("demand", bool(len(dem.shown))), ("suppressed", bool(len(dem.suppressed))),
        ("incidents", include_incidents and bool(len(result.incidents))),
        *_camera_items(result, drawn),
    ]
    keys = {"streets": "legend_streets_other" if main.any() else "legend_streets", "demand": "legend_demand_weight"}
    return [(k, tr(keys.get(k, f"legend_{k}"), lang) + (rng if k == "demand" else "")) for k, on in items if on]
