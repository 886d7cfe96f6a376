"""Demand points: what is worth seeing (incidents, street space, footfall).

:func:`build_demand` turns located incidents, the street network and the
optional footfall points into weighted demand points (see the data contract in
docs/architecture.md). The weight of an incident is

    raw weight × category weight × recency × precision factor

and that total is preserved exactly: a point-like incident (an intersection)
is spread over the disc of its recorded uncertainty (:mod:`camsite.uncertainty`),
or, with no uncertainty, moved onto its street (snapped) or kept where it is;
an incident known only to a street is spread evenly over sample points of
that street's usable segments (within its uncertainty of its point, when the
point is on the street); a station incident over the station's exits and,
for ``underground_share``, underground (counted, seen by no street camera).
Each incident demand point carries its event's id (``event``): a street
event's samples are its own (one row per event and sample point, identical
rows are merged by the optimiser); only district-level (area) samples, spread
for all of a district's events of a category at once, carry "".

>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> pts = street_points(gpd.GeoSeries([LineString([(0, 0), (100, 0)])]), spacing_m=10.0)
>>> len(pts.geometry), float(pts.length_m.sum())
(10, 100.0)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from camsite import placement, uncertainty
from camsite.config import DemandConfig, FootfallConfig
from camsite.errors import InputError
from camsite.network import name_keys
from camsite.vocab import FOOTFALL_CATEGORY, STREET_CATEGORY

logger = logging.getLogger(__name__)

__all__ = ["DEMAND_COLUMNS", "build_demand", "incident_weights", "street_points", "usable_edges"]

#: Columns of the demand frame, in order (docs/architecture.md).
DEMAND_COLUMNS: tuple[str, ...] = ("demand_id", "kind", "category", "weight", "incidents", "edge_id", "precision",
                                   "event", "underground", "geometry")
_DAYS_PER_YEAR = 365.25


def usable_edges(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Edges that are neither tunnels nor excluded highways (they carry demand and candidates)."""
    mask = ~(edges["tunnel"].to_numpy(bool) | edges["excluded"].to_numpy(bool))
    return edges[mask]


@dataclass(frozen=True)
class StreetPoints:
    """Sample points along lines: position of the source line, its edge id, point, length it stands for."""

    source: np.ndarray
    edge_id: np.ndarray
    geometry: np.ndarray
    length_m: np.ndarray


def street_points(lines: gpd.GeoSeries, *, spacing_m: float, edge_ids: np.ndarray | None = None) -> StreetPoints:
    """Points every ``spacing_m`` along each line, at the middle of equal pieces.

    A line of length L gets ``n = max(1, round(L / spacing_m))`` points at
    ``(i + 0.5) L / n``; each point stands for ``L / n`` metres.
    """
    geoms = np.asarray(lines.to_numpy() if hasattr(lines, "to_numpy") else lines, dtype=object)
    ids = np.arange(len(geoms)) if edge_ids is None else np.asarray(edge_ids)
    length = shapely.length(geoms)
    n = np.maximum(1, np.round(length / spacing_m)).astype(np.int64) if spacing_m > 0 else np.ones(len(geoms), int)
    rep = np.repeat(np.arange(len(geoms)), n)
    starts = np.cumsum(n) - n
    i = np.arange(int(n.sum())) - np.repeat(starts, n)
    piece = length[rep] / n[rep]
    pts = shapely.line_interpolate_point(geoms[rep], (i + 0.5) * piece)
    return StreetPoints(source=rep, edge_id=ids[rep], geometry=pts, length_m=piece)


def _recency(dates: pd.Series, half_life_years: float | None, reference: str | None) -> npt.NDArray[np.float64]:
    if half_life_years is None or len(dates) == 0:
        return np.ones(len(dates))
    d = pd.to_datetime(dates, errors="coerce", utc=True)
    ref = pd.Timestamp(reference, tz="UTC") if reference else d.max()
    if pd.isna(ref):
        logger.warning("no incident has a date: recency weighting not applied")
        return np.ones(len(dates))
    age = ((ref - d).dt.total_seconds() / 86400 / _DAYS_PER_YEAR).to_numpy(float)
    missing = np.isnan(age)
    if missing.any():
        logger.warning("%d incidents have no date: recency weight 1", int(missing.sum()))
    return np.where(missing, 1.0, 0.5 ** (np.clip(age, 0, None) / half_life_years))


def incident_weights(incidents: pd.DataFrame, cfg: DemandConfig,
                     category_weights: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """Final weight per incident: raw weight × category weight × recency × precision factor.

    A category missing from ``category_weights`` gets the weight of ``ovrigt``
    (0 if that is missing too), and is logged.
    """
    cw = dict(category_weights)
    codes, cats = pd.factorize(incidents["category"].astype(str))  # look up each distinct category once
    unknown = sorted(set(cats) - set(cw))
    if unknown:
        logger.warning("categories without a weight (weighted as 'ovrigt' = %s): %s", cw.get("ovrigt", 0.0),
                       ", ".join(unknown))
    cat_w: npt.NDArray[np.float64] = np.array([cw.get(c, cw.get("ovrigt", 0.0)) for c in cats] + [0.0], float)[codes]
    pf = dict(cfg.precision_factors)
    codes, precs = pd.factorize(incidents["precision"].fillna("point").astype(str))
    prec_w: npt.NDArray[np.float64] = np.array([pf.get(p, 1.0) for p in precs] + [1.0], float)[codes]
    raw: npt.NDArray[np.float64] = pd.to_numeric(incidents["weight"], errors="coerce").fillna(1.0).to_numpy(float) \
        if "weight" in incidents.columns else np.ones(len(incidents))
    dem = cfg
    return raw * cat_w * prec_w * _recency(incidents.get("date", pd.Series([pd.NaT] * len(incidents))),
                                          dem.half_life_years, dem.reference_date)


def _frame(kind: Any, category: Any, weight: Any, incidents: Any, edge_id: Any, geometry: Any,
           crs: Any, precision: Any = "", event: Any = "", underground: Any = False) -> gpd.GeoDataFrame:
    geoms = np.asarray(geometry, dtype=object)
    return gpd.GeoDataFrame({"kind": kind, "category": category, "weight": np.asarray(weight, float),
                             "incidents": np.asarray(incidents, float), "edge_id": np.asarray(edge_id, np.int64),
                             "precision": np.broadcast_to(np.asarray(precision, dtype=object), geoms.shape),
                             "event": np.broadcast_to(np.asarray(event, dtype=object), geoms.shape),
                             "underground": np.broadcast_to(np.asarray(underground, dtype=bool), geoms.shape)},
                            geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def _event_ids(inc: pd.DataFrame) -> npt.NDArray[np.object_]:
    """Each incident's ``incident_id`` as text ("" when the frame has none)."""
    if "incident_id" not in inc.columns:
        return np.full(len(inc), "", object)
    return inc["incident_id"].fillna("").astype(str).to_numpy(object)


def _snap(inc: gpd.GeoDataFrame, weights: np.ndarray, edges: gpd.GeoDataFrame, snap_m: float,
          crs: Any) -> tuple[gpd.GeoDataFrame, int]:
    """Move point incidents onto the nearest usable edge within ``snap_m``; the rest stay point demand."""
    pts = inc.geometry.to_numpy()
    edge_ix = np.full(len(pts), -1, np.int64)
    if len(pts) and len(edges) and snap_m > 0:  # 0 turns snapping off
        tree = shapely.STRtree(edges.geometry.to_numpy())
        (pi, ei) = tree.query_nearest(pts, max_distance=snap_m, all_matches=False)
        edge_ix[pi] = ei
    ok = edge_ix >= 0
    geom = pts.copy()
    if ok.any():
        lines = edges.geometry.to_numpy()[edge_ix[ok]]
        geom[ok] = shapely.line_interpolate_point(lines, shapely.line_locate_point(lines, pts[ok]))
    eid = np.where(ok, edges["edge_id"].to_numpy()[np.maximum(edge_ix, 0)], -1)
    kind = np.where(ok, "incident", "point")
    prec = inc["precision"].fillna("point").astype(str).to_numpy(object) if "precision" in inc.columns else "point"
    return _frame(kind, inc["category"].astype(str).to_numpy(), weights, np.ones(len(pts)), eid, geom, crs, prec,
                  _event_ids(inc)), int((~ok).sum())


def _discs(inc: gpd.GeoDataFrame, weights: np.ndarray, radii: np.ndarray, edges: gpd.GeoDataFrame,
           dem: DemandConfig, open_space: BaseGeometry | None, crs: Any) -> gpd.GeoDataFrame:
    """Point-like incidents spread over the disc of their uncertainty (in the open space), each sample with its
    share; a sample within ``snap_distance_m`` of a usable street is an ``incident`` on that edge (not moved)."""
    src, pts, share = uncertainty.disc_samples(inc.geometry.to_numpy(), radii, spacing_m=dem.uncertainty_spacing_m,
                                               open_space=open_space)
    eid = np.full(len(pts), -1, np.int64)
    if len(pts) and len(edges) and dem.snap_distance_m > 0:
        pi, ei = shapely.STRtree(edges.geometry.to_numpy()).query_nearest(pts, max_distance=dem.snap_distance_m,
                                                                          all_matches=False)
        eid[pi] = edges["edge_id"].to_numpy()[ei]
    prec = inc["precision"].fillna("point").astype(str).to_numpy(object)[src]
    return _frame(np.where(eid >= 0, "incident", "point"), inc["category"].astype(str).to_numpy()[src],
                  weights[src] * share, share, eid, pts, crs, prec, _event_ids(inc)[src])


def _spread_streets(inc: gpd.GeoDataFrame, weights: np.ndarray, edges: gpd.GeoDataFrame, spacing_m: float,
                    crs: Any, radii: np.ndarray | None = None,
                    near_m: float = 30.0) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Spread street-precision incidents over sample points of their street, by length, within ``radii`` of the
    recorded point when it lies on (within ``near_m`` of) the street; returns (frame, matched mask)."""
    names = name_keys(edges["name"])
    key = name_keys(inc["street"] if "street" in inc.columns else pd.Series([""] * len(inc), index=inc.index))
    matched = key.isin(set(names[names != ""])).to_numpy()
    if not matched.any():
        return _frame([], [], [], [], [], [], crs), matched
    on_street = edges[names.isin(set(key[matched])).to_numpy()]
    spacing = spacing_m or 10.0
    sp = street_points(on_street.geometry, spacing_m=spacing, edge_ids=on_street["edge_id"].to_numpy())
    pt_street = name_keys(on_street["name"]).to_numpy(object)[sp.source]
    px, py = np.full(len(sp.geometry), np.nan), np.full(len(sp.geometry), np.nan)
    full = ~shapely.is_empty(sp.geometry)
    px[full], py[full] = shapely.get_x(sp.geometry[full]), shapely.get_y(sp.geometry[full])
    r = np.full(len(inc), np.nan) if radii is None else radii
    cats, geoms, keys = inc["category"].astype(str).to_numpy(), inc.geometry.to_numpy(), key.to_numpy(object)
    ids = _event_ids(inc)
    parts = []
    for j in np.flatnonzero(matched):
        ix = uncertainty.street_window(px, py, np.flatnonzero(pt_street == keys[j]), geoms[j], float(r[j]), near_m + spacing / 2)
        length = sp.length_m[ix] if sp.length_m[ix].sum() > 0 else np.ones(len(ix))
        share = length / length.sum()
        parts.append(pd.DataFrame({"ix": ix, "category": cats[j], "event": ids[j], "weight": weights[j] * share,
                                   "n": share}))
    # one row per (event, sample point): each event's own samples (the optimiser merges identical rows)
    rows = pd.concat(parts).groupby(["ix", "category", "event"], as_index=False, sort=True).sum()
    ix = rows["ix"].to_numpy()
    return _frame("incident", rows["category"].to_numpy(), rows["weight"], rows["n"], sp.edge_id[ix], sp.geometry[ix],
                  crs, "street", rows["event"].to_numpy(object)), matched


def _station_frame(inc: gpd.GeoDataFrame, w: np.ndarray, entrances: gpd.GeoDataFrame, dem: DemandConfig,
                   crs: Any) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Station incidents: ``1 - underground_share`` over the station's exits (the squares in front), the rest
    underground at the station's point (counted, seen by no street camera)."""
    ff = dem.footfall
    placed, ok = placement.to_exits(inc.geometry, w, entrances, search_m=ff.entrance_search_m if ff else 300.0,
                                    merge_m=ff.exit_merge_m if ff else 60.0,
                                    radius_m=ff.square_radius_m if ff else 25.0, incidents=True)
    up, down = 1.0 - dem.underground_share, dem.underground_share
    cats, ids = inc["category"].astype(str).to_numpy(), _event_ids(inc)
    above = _frame("incident", cats[placed.source], placed.weight * up, placed.incidents * up, placed.edge_id,
                   placed.geometry, crs, "station", ids[placed.source])
    k = np.flatnonzero(ok)
    below = _frame("incident", cats[k], w[k] * down, np.full(len(k), down), -1, inc.geometry.to_numpy()[k], crs,
                   "station", ids[k], True)
    return pd.concat([above, below], ignore_index=True), ok


def _spread_area_groups(sub: gpd.GeoDataFrame, district: pd.Series, w: np.ndarray, sp: StreetPoints,
                        districts: Mapping[str, BaseGeometry], radius_m: float,
                        crs: Any) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Area-level incidents of one district and category are spread together (one set of points per group,
    not one per incident); incidents without a district polygon are spread one by one over their disc."""
    key = name_keys(district).to_numpy(object)
    has = np.array([k in districts for k in key], bool)
    label = np.where(has, key, np.arange(len(key)).astype(str))
    groups = pd.DataFrame({"g": label, "category": sub["category"].astype(str).to_numpy(), "w": w, "n": 1.0,
                           "row": np.arange(len(sub))})
    agg = groups.groupby(["g", "category"], sort=True).agg(w=("w", "sum"), n=("n", "sum"), row=("row", "first"))
    first = agg["row"].to_numpy()
    placed, ok_group = placement.spread_areas(
        sub.geometry.iloc[first].reset_index(drop=True), pd.Series(key[first]), agg["w"].to_numpy(float),
        samples=gpd.GeoSeries(sp.geometry), sample_length=sp.length_m, sample_edge=sp.edge_id,
        districts=districts, radius_m=radius_m)
    n = agg["n"].to_numpy(float)[placed.source]
    frame = _frame("incident", agg.index.get_level_values("category").to_numpy()[placed.source], placed.weight,
                   placed.incidents * n, placed.edge_id, placed.geometry, crs, "area")
    placed_groups = set(zip(agg.index.get_level_values("g")[ok_group], agg.index.get_level_values("category")[ok_group]))
    ok = np.array([(g, c) in placed_groups for g, c in zip(groups["g"], groups["category"])], bool)
    return frame, ok


def _place_imprecise(incidents: gpd.GeoDataFrame, w: np.ndarray, spread_edges: gpd.GeoDataFrame,
                     dem: DemandConfig, districts: Mapping[str, BaseGeometry] | None,
                     entrances: gpd.GeoDataFrame | None, crs: Any) -> tuple[list[gpd.GeoDataFrame], np.ndarray]:
    """Area-level incidents over their district's streets; station incidents at the station's entrances."""
    frames: list[gpd.GeoDataFrame] = []
    done = np.zeros(len(incidents), bool)
    prec = incidents["precision"].to_numpy() if len(incidents) else np.zeros(0, object)
    is_area = prec == "area"
    if is_area.any() and len(spread_edges):
        sp = street_points(spread_edges.geometry, spacing_m=dem.street_spacing_m or 10.0,
                           edge_ids=spread_edges["edge_id"].to_numpy())
        sub = incidents[is_area]
        district = sub["district"] if "district" in sub.columns else pd.Series([""] * len(sub), index=sub.index)
        frame, ok = _spread_area_groups(sub, district, w[is_area], sp, districts or {}, dem.area_spread_m, crs)
        frames.append(frame)
        done[np.flatnonzero(is_area)[ok]] = True
    is_station = prec == "station"
    if is_station.any() and entrances is not None and len(entrances):
        sub = incidents[is_station]
        frame, ok = _station_frame(sub, w[is_station], entrances, dem, crs)
        frames.append(frame)
        done[np.flatnonzero(is_station)[ok]] = True
    return frames, done


def _incident_demand(incidents: gpd.GeoDataFrame, all_edges: gpd.GeoDataFrame, edges: gpd.GeoDataFrame,
                     spread_edges: gpd.GeoDataFrame, dem: DemandConfig, category_weights: Mapping[str, float],
                     crs: Any, districts: Mapping[str, BaseGeometry] | None = None,
                     entrances: gpd.GeoDataFrame | None = None,
                     open_space: BaseGeometry | None = None) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    w = incident_weights(incidents, dem, category_weights)
    radii = uncertainty.recorded_uncertainty(incidents, dem.uncertainty_m)
    indoor = incidents["indoor"].to_numpy(bool) if "indoor" in incidents.columns else np.zeros(len(incidents), bool)
    w = np.where(indoor, w * dem.indoor_weight, w)
    placed_frames, placed = _place_imprecise(incidents, w, spread_edges, dem, districts, entrances, crs)
    is_street = incidents["precision"].eq("street").to_numpy() if len(incidents) else np.zeros(0, bool)
    spread, matched = _spread_streets(incidents[is_street], w[is_street], spread_edges, dem.street_spacing_m, crs,
                                      radii[is_street], dem.snap_distance_m)
    street_unmatched = np.zeros(len(incidents), bool)
    street_unmatched[np.flatnonzero(is_street)[~matched]] = True
    # a street that exists only as tunnel or excluded highway (a motorway) is no demand: no camera sees it
    unusable = set(name_keys(all_edges["name"])) - set(name_keys(edges["name"])) - {""}
    on_unusable = street_unmatched & name_keys(incidents["street"] if "street" in incidents.columns else
                                           pd.Series([""] * len(incidents), index=incidents.index)).isin(
                                               unusable).to_numpy()
    if on_unusable.any():
        logger.info("%d street-level incidents are on tunnels or excluded highways only: not demand",
                    int(on_unusable.sum()))
    street_unmatched &= ~on_unusable
    if street_unmatched.any():  # the commonest names and what to do (a newcomer meets it in the default run)
        named = incidents.loc[street_unmatched].get("street", pd.Series(dtype=object))
        named = named.fillna("").astype(str).str.strip()
        top = sorted(named[named != ""].value_counts().items(), key=lambda nc: (-nc[1], nc[0]))  # ties by name
        listed = ", ".join(f"{n} ({c})" for n, c in top[:3]) + (", ..." if len(top) > 3 else "")
        logger.warning("%d street-level incidents name a street not in the network within the study area and its "
                       "margin%s: each is used as a point where its file puts it. Nothing to do for streets beyond "
                       "the area's edge; otherwise check the spelling of the street column against the network's "
                       "street names (docs/troubleshooting.md)", int(street_unmatched.sum()),
                       f" ({listed})" if listed else "")
    as_point = (~is_street | street_unmatched) & ~placed
    unplaced = as_point & (incidents.geometry.isna() | incidents.geometry.is_empty).to_numpy()
    if unplaced.any():
        logger.warning("%d incidents have no position and no known street: not used", int(unplaced.sum()))
    as_point &= ~unplaced
    prec = incidents["precision"].fillna("point").astype(str).to_numpy(object)
    on_disc = as_point & (radii > 0) & ~np.isin(prec, uncertainty.SPREAD_PRECISIONS)
    discs = _discs(incidents[on_disc], w[on_disc], radii[on_disc], edges, dem, open_space, crs)
    as_point &= ~on_disc
    snapped, far = _snap(incidents[as_point], w[as_point], edges, dem.snap_distance_m, crs)
    if far:
        logger.info("%d incidents lie over %.0f m from a usable street: kept as point demand", far,
                    dem.snap_distance_m)
    stats = {"incidents": len(incidents), "incident_weight": float(w.sum()),
             "snapped": int(len(snapped) - far), "kept_as_point": far,
             "spread_over_streets": int(matched.sum()), "street_not_found": int(street_unmatched.sum()),
             "zero_weight_incidents": int((w <= 0).sum()), "on_tunnel_or_excluded": int(on_unusable.sum()),
             "on_tunnel_or_excluded_weight": float(w[on_unusable].sum()), "unplaced": int(unplaced.sum()),
             "unplaced_weight": float(w[unplaced].sum()), "indoor": int(indoor.sum()),
             "placed_by_area_or_station": int(placed.sum()), "spread_over_disc": int(on_disc.sum())}
    return pd.concat([snapped, discs, spread, *placed_frames], ignore_index=True), stats


def _footfall_totals(points: gpd.GeoDataFrame, cfg: FootfallConfig) -> np.ndarray:
    """Weight of each footfall point: ``count / 1000 × weight_per_1000``."""
    if cfg.count_column not in points.columns:
        raise InputError(f"no column {cfg.count_column!r} (set [demand.footfall] count_column)",
                         file=points.attrs.get("source_file", cfg.path), where="header")
    counts = pd.to_numeric(points[cfg.count_column], errors="coerce").fillna(0).to_numpy(float)
    total: np.ndarray = counts / 1000.0 * cfg.weight_per_1000
    return total


def _add_footfall(street: gpd.GeoDataFrame, points: gpd.GeoDataFrame, cfg: FootfallConfig,
                  crs: Any) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Add ``count / 1000 × weight_per_1000`` per footfall point, spread over street demand within the radius."""
    total = _footfall_totals(points, cfg)
    tree = shapely.STRtree(street.geometry.to_numpy())
    fi, si = tree.query(points.geometry.to_numpy(), predicate="dwithin", distance=cfg.radius_m)
    n_near = np.bincount(fi, minlength=len(points))
    add = np.zeros(len(street))
    np.add.at(add, si, total[fi] / n_near[fi])
    street = street.assign(weight=street["weight"].to_numpy() + add)
    lonely = (n_near == 0) & (total > 0)
    extra = _frame("street", STREET_CATEGORY, total[lonely], 0.0, -1, points.geometry.to_numpy()[lonely], crs)
    if lonely.any():
        logger.warning("%d footfall points have no street demand within %.0f m: kept as points", int(lonely.sum()),
                       cfg.radius_m)
    return pd.concat([street, extra], ignore_index=True), {"footfall_points": len(points),
                                                           "footfall_weight": float(total.sum())}


def _footfall_at_entrances(points: gpd.GeoDataFrame, cfg: FootfallConfig, entrances: gpd.GeoDataFrame,
                           crs: Any) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Footfall as its own demand kind: each station's count shared among its exits' squares."""
    total = _footfall_totals(points, cfg)
    placed, ok = placement.to_exits(points.geometry, total, entrances, search_m=cfg.entrance_search_m,
                                    merge_m=cfg.exit_merge_m, radius_m=cfg.square_radius_m)
    frame = _frame("footfall", FOOTFALL_CATEGORY, placed.weight, 0.0, -1, placed.geometry, crs)
    lonely = ~ok & (total > 0)
    if lonely.any():
        logger.warning("%d footfall points have no metro entrance within %.0f m: kept as points", int(lonely.sum()),
                       cfg.entrance_search_m)
        frame = pd.concat([frame, _frame("footfall", FOOTFALL_CATEGORY, total[lonely], 0.0, -1,
                                         points.geometry.to_numpy()[lonely], crs)], ignore_index=True)
    return frame, {"footfall_points": len(points), "footfall_weight": float(total.sum())}


def _open_area_demand(area: BaseGeometry, dem: DemandConfig, crs: Any) -> gpd.GeoDataFrame:
    """Grid points every ``street_spacing_m`` inside ``area``, each weighing one street sample point."""
    s = dem.street_spacing_m
    x0, y0, x1, y1 = area.bounds
    xs = np.arange(np.floor(x0 / s) * s + s / 2, x1, s)
    ys = np.arange(np.floor(y0 / s) * s + s / 2, y1, s)
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(area, gx.ravel(), gy.ravel())
    pts = np.asarray(shapely.points(gx.ravel()[inside], gy.ravel()[inside]), dtype=object)
    return _frame("street", STREET_CATEGORY, np.full(len(pts), s * dem.street_weight_per_m), 0.0, -1, pts, crs)


def _street_demand(edges: gpd.GeoDataFrame, dem: DemandConfig, crs: Any) -> gpd.GeoDataFrame:
    if dem.street_spacing_m <= 0:
        return _frame([], [], [], [], [], [], crs)
    sp = street_points(edges.geometry, spacing_m=dem.street_spacing_m, edge_ids=edges["edge_id"].to_numpy())
    return _frame("street", STREET_CATEGORY, sp.length_m * dem.street_weight_per_m, 0.0, sp.edge_id, sp.geometry, crs)


def build_demand(network: Any, incidents: gpd.GeoDataFrame, cfg: DemandConfig, *,
                 category_weights: Mapping[str, float], footfall: gpd.GeoDataFrame | None = None,
                 study_area: BaseGeometry | None = None, districts: Mapping[str, BaseGeometry] | None = None,
                 entrances: gpd.GeoDataFrame | None = None,
                 open_areas: BaseGeometry | None = None,
                 open_space: BaseGeometry | None = None) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Demand points from incidents, street space and footfall.

    Parameters
    ----------
    network
        A :class:`camsite.network.Network` (only ``edges`` and ``crs`` are used).
    incidents
        Standard incident columns (docs/architecture.md), in the working CRS.
    cfg
        Snapping, street space, precision factors, recency and the footfall settings.
    category_weights
        Weight per incident category.
    footfall
        Footfall points (the file ``cfg.footfall`` names), or None.
    study_area
        If given, street-level incidents are spread only over the parts of
        their street inside it, so no weight is lost when the caller keeps
        only demand inside the study area.
    districts
        District polygons by case-folded name: an area-level incident naming
        one is spread over its streets (others over a disc of
        ``cfg.area_spread_m``).
    entrances
        Metro entrances (``name`` = station): station incidents and footfall
        are placed at them (footfall as its own kind, ``footfall``).
    open_areas
        Squares, plazas and parks: public space sampled on a grid every
        ``cfg.street_spacing_m`` (inside ``study_area`` when given), each
        point weighing as much as a street sample point (``spacing × street
        weight per metre``), kind ``street``.
    open_space
        Where a camera can see (street corridors, squares): the sample points
        of an incident's disc of uncertainty are kept only there
        (:mod:`camsite.uncertainty`); None keeps the whole disc.

    Returns
    -------
    (GeoDataFrame, dict)
        Demand points (columns :data:`DEMAND_COLUMNS`, index ``demand_id``)
        and counts for the run summary. Points with weight 0 are dropped.
    """
    crs = network.edges.crs or network.crs
    edges = usable_edges(network.edges)
    spread_edges = edges if study_area is None else _clip_edges(edges, study_area)
    inc_frame, stats = _incident_demand(incidents, network.edges, edges, spread_edges, cfg, category_weights, crs,
                                        districts, entrances, open_space)
    street = _street_demand(edges, cfg, crs)
    if open_areas is not None and not open_areas.is_empty and cfg.street_spacing_m > 0:
        area = open_areas if study_area is None else shapely.intersection(open_areas, study_area)
        squares = _open_area_demand(area, cfg, crs)
        stats["open_area_points"] = len(squares)
        street = pd.concat([street, squares], ignore_index=True)
    stats["street_points"] = len(street)
    stats["street_weight"] = float(street["weight"].sum())
    ff = cfg.footfall
    if ff is not None and footfall is not None and entrances is not None and len(entrances):
        ff_frame, ff_stats = _footfall_at_entrances(footfall, ff, entrances, crs)
        street = pd.concat([street, ff_frame], ignore_index=True)
        stats.update(ff_stats)
    elif ff is not None and footfall is not None and len(street):
        street, ff_stats = _add_footfall(street, footfall, ff, crs)
        stats.update(ff_stats)
    out = pd.concat([inc_frame, street], ignore_index=True)
    out = out[out["weight"].to_numpy() > 0].reset_index(drop=True)
    out.insert(0, "demand_id", np.arange(len(out), dtype=np.int64))
    out.index = pd.RangeIndex(len(out), name="demand_id")
    stats["demand_points"] = len(out)
    logger.info("demand: %d points (%d snapped, %d kept as points, %d street points)", len(out), stats["snapped"],
                stats["kept_as_point"], stats["street_points"])
    return gpd.GeoDataFrame(out[list(DEMAND_COLUMNS)], geometry="geometry", crs=crs), stats


def _clip_edges(edges: gpd.GeoDataFrame, area: BaseGeometry) -> gpd.GeoDataFrame:
    clipped = shapely.intersection(edges.geometry.to_numpy(), area)
    lines = shapely.get_parts(clipped, return_index=True)
    keep = shapely.get_type_id(lines[0]) == 1
    out = edges.iloc[lines[1][keep]].copy()
    return out.set_geometry(gpd.GeoSeries(lines[0][keep], crs=edges.crs, index=out.index))
