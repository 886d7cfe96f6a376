"""Candidate camera sites and their variants (camera type × heading).

Physical sites are intersections, points every ``spacing_m`` along usable
streets, and user-given mounting points. With ``mount = "edge"`` (the default)
a site stands where a camera can be mounted: the corners of an intersection
and both edges of a street (the façade or pole line, :mod:`camsite.mounts`);
``mount = "centreline"`` puts them on the centreline. Column ``mount`` says
which (``facade_or_pole_line``, ``mounting_point``, ``centreline``) and ``side``
the compass side of the street (``""`` on the centreline). A 360° camera type gives one
variant per site; a fixed camera type gives one variant per heading along
each street leaving the site. Headings are compass bearings in degrees
(0 = north, 90 = east), as ``heading_deg`` of existing cameras.

>>> bearing_deg(0.0, 0.0, np.array([1.0, 0.0]), np.array([0.0, -1.0])).round(1).tolist()
[90.0, 180.0]
>>> site_ids(np.array([152000.4]), np.array([6580000.6]), prefix="")
array(['152000_6580001'], dtype=object)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from camsite import areas, mounts, readers
from camsite.cameras import CameraModels
from camsite.config import CandidateConfig, Exclusion, NoViewZone
from camsite.demand import usable_edges

logger = logging.getLogger(__name__)

__all__ = ["CANDIDATE_COLUMNS", "bearing_deg", "build_candidates", "exclusion_counts", "exclusion_zones",
           "no_view_zones", "site_ids"]

#: Columns of the candidate frame, in order (docs/architecture.md).
CANDIDATE_COLUMNS: tuple[str, ...] = ("site_id", "variant", "camera_type", "heading_deg", "cost_sek", "penalty_sek",
                                      "kind", "street", "mount", "side", "geometry")
#: How far along a street its direction is read from a site (metres).
_LOOK_M = 10.0
#: Headings at one site closer than this (degrees) are one variant.
_SAME_HEADING_DEG = 15.0


def bearing_deg(x0: Any, y0: Any, x1: Any, y1: Any) -> npt.NDArray[np.float64]:
    """Compass bearing from (x0, y0) to (x1, y1) in degrees, 0 = north (+y), clockwise, in [0, 360)."""
    deg: npt.NDArray[np.float64] = np.mod(np.degrees(np.arctan2(np.asarray(x1) - x0, np.asarray(y1) - y0)), 360.0)
    return deg


def site_ids(x: np.ndarray, y: np.ndarray, *, prefix: str) -> np.ndarray:
    """Stable site ids from coordinates rounded to the metre: ``<prefix><easting>_<northing>``."""
    xi, yi = np.round(x).astype(np.int64), np.round(y).astype(np.int64)
    return np.array([f"{prefix}{a}_{b}" for a, b in zip(xi, yi)], dtype=object)


def _sites(kind: str, geom: np.ndarray, street: np.ndarray, heads: list[np.ndarray],
           cost: np.ndarray | None = None, ids: np.ndarray | None = None, *, mount: str = "centreline",
           side: np.ndarray | None = None) -> pd.DataFrame:
    x, y = shapely.get_x(geom), shapely.get_y(geom)
    return pd.DataFrame({"site_id": site_ids(x, y, prefix="m" if kind == "mount" else "") if ids is None else ids,
                         "kind": kind, "street": street, "headings": heads, "geometry": geom,
                         "cost_override": np.full(len(geom), np.nan) if cost is None else cost, "mount": mount,
                         "side": np.full(len(geom), "", dtype=object) if side is None else side})


def _approaches(network: Any, edges: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Nodes where three or more streets meet and a usable street leaves, and each usable edge end at them.

    The ends frame has ``node``, ``name``, ``hw`` (half-width) and ``b``: the
    bearing from the node to a point a few metres along the edge.
    """
    nodes = network.nodes
    ends = np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()])
    deg = pd.Series(ends).value_counts()
    count = nodes["street_count"].fillna(0).to_numpy() if "street_count" in nodes else np.zeros(len(nodes))
    used = nodes.index.isin(deg.index)
    sel = nodes[used & (np.maximum(count, deg.reindex(nodes.index).fillna(0).to_numpy()) >= 3)]
    geoms = edges.geometry.to_numpy()
    length = shapely.length(geoms)
    look = np.minimum(_LOOK_M, length)
    p_u, p_v = shapely.line_interpolate_point(geoms, look), shapely.line_interpolate_point(geoms, length - look)
    hw = edges["half_width_m"].to_numpy(float) if "half_width_m" in edges else np.full(len(edges), 8.0)
    ends_df = pd.DataFrame({"node": ends, "x": np.concatenate([shapely.get_x(p_u), shapely.get_x(p_v)]),
                            "y": np.concatenate([shapely.get_y(p_u), shapely.get_y(p_v)]),
                            "name": np.concatenate([edges["name"].to_numpy(), edges["name"].to_numpy()]),
                            "hw": np.concatenate([hw, hw])})
    ends_df = ends_df[ends_df["node"].isin(sel.index)]
    nx_, ny_ = sel.geometry.x.reindex(ends_df["node"]).to_numpy(), sel.geometry.y.reindex(ends_df["node"]).to_numpy()
    return sel, ends_df.assign(b=bearing_deg(nx_, ny_, ends_df["x"].to_numpy(), ends_df["y"].to_numpy()))


def _intersections(network: Any, edges: gpd.GeoDataFrame, cfg: CandidateConfig) -> pd.DataFrame:
    """Intersection sites: the node itself (``mount = "centreline"``) or its corners (``"edge"``, camsite.mounts).

    Every site of a node gets the node's headings: along each usable street leaving it.
    """
    sel, ends_df = _approaches(network, edges)
    g = ends_df.groupby("node")
    # every selected node ends at least one usable edge, so each has a group
    heads_by_node = {node: _dedupe(b.to_numpy()) for node, b in g["b"]}
    names = g["name"].agg(lambda n: " / ".join(sorted({str(v) for v in n if v}))).reindex(sel.index).fillna("")
    if cfg.mount != "edge":
        return _sites("intersection", sel.geometry.to_numpy(), names.to_numpy(object),
                      [heads_by_node[n] for n in sel.index])
    rows: list[tuple[Any, float, float]] = []
    for node, grp in g:
        b, hw = _merge_approaches(grp["b"].to_numpy(float), grp["hw"].to_numpy(float))
        rows.extend((node, dx, dy) for dx, dy in mounts.corner_offsets(b, hw, inset_m=cfg.mount_inset_m))
    node_ix = [r[0] for r in rows]
    dx, dy = np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float)
    geom = shapely.points(sel.geometry.x.reindex(node_ix).to_numpy() + dx, sel.geometry.y.reindex(node_ix).to_numpy() + dy)
    return _sites("intersection", np.asarray(geom, dtype=object), names.reindex(node_ix).to_numpy(object),
                  [heads_by_node[n] for n in node_ix], mount=mounts.MOUNT_KINDS[0], side=mounts.compass(dx, dy))


def _merge_approaches(b: np.ndarray, hw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Approach bearings with near-duplicates (within :data:`_SAME_HEADING_DEG`) merged, keeping the wider street.

    >>> [v.tolist() for v in _merge_approaches(np.array([90.0, 0.0, 95.0, 359.0]), np.array([5.0, 7.0, 9.0, 8.0]))]
    [[0.0, 90.0], [8.0, 9.0]]
    """
    keep = _dedupe(b)
    off = np.abs(np.mod(b[:, None] - keep[None, :] + 180.0, 360.0) - 180.0)
    nearest = np.argmin(off, axis=1)
    width = np.zeros(len(keep))
    np.maximum.at(width, nearest, hw)
    return keep, width


def nearest_street(points: np.ndarray, edge_ix: np.ndarray, edges: gpd.GeoDataFrame) -> np.ndarray:
    """The street name for points lying on edges ``edge_ix``.

    An edge OSM merged from several streets (``names`` such as ``"Norr
    Mälarstrand; Sysslomansgatan"``) is named after the one whose other
    segments lie nearest the point, so a site at the Sysslomansgatan end is
    labelled Sysslomansgatan. When one of the streets has no segment of its own
    (a bridge merged with the street it carries), the first name is kept.
    """
    names: np.ndarray = np.array(edges["name"].to_numpy(object)[edge_ix], dtype=object)
    if "names" not in edges.columns or len(names) == 0:
        return names
    multi = edges["names"].astype(str).to_numpy(object)
    several = np.flatnonzero(np.char.find(multi[edge_ix].astype(str), ";") >= 0)
    if not len(several):
        return names
    single = edges[np.char.find(multi.astype(str), ";") < 0]
    by_name = {n: shapely.union_all(g.geometry.to_numpy()) for n, g in single.groupby("name") if n}
    for i in several:
        parts = str(multi[edge_ix[i]]).split("; ")
        if all(n in by_name for n in parts):  # comparable only when every street has segments of its own
            names[i] = min((by_name[n].distance(points[i]), n) for n in parts)[1]
    return names


def _dedupe(b: np.ndarray) -> np.ndarray:
    """Sorted headings with near-duplicates (within :data:`_SAME_HEADING_DEG`) merged."""
    b = np.sort(np.round(np.asarray(b, float), 1) % 360.0)
    keep = [b[0]] if len(b) else []
    for v in b[1:]:
        if min(abs(v - keep[-1]), 360 - abs(v - keep[-1])) >= _SAME_HEADING_DEG:
            keep.append(v)
    if len(keep) > 1 and min(abs(keep[-1] - keep[0]), 360 - abs(keep[-1] - keep[0])) < _SAME_HEADING_DEG:
        keep.pop()
    return np.asarray(keep)


def _along_streets(edges: gpd.GeoDataFrame, cfg: CandidateConfig) -> pd.DataFrame:
    """Points every about ``spacing_m`` inside each edge (the ends are intersections or dead ends).

    With ``mount = "edge"`` each point is two sites, one at each edge of the street
    (camsite.mounts), looking along the street both ways and across it.
    """
    spacing_m = cfg.spacing_m
    if spacing_m <= 0 or edges.empty:
        return _sites("street", np.empty(0, object), np.empty(0, object), [])
    geoms = edges.geometry.to_numpy()
    length = shapely.length(geoms)
    n = np.maximum(0, np.round(length / spacing_m).astype(np.int64) - 1)
    rep = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + 1
    pos = k * length[rep] / (n[rep] + 1)
    pts = shapely.line_interpolate_point(geoms[rep], pos)
    ahead = shapely.line_interpolate_point(geoms[rep], np.minimum(pos + 1.0, length[rep]))
    behind = shapely.line_interpolate_point(geoms[rep], np.maximum(pos - 1.0, 0.0))
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    fwd = bearing_deg(x, y, shapely.get_x(ahead), shapely.get_y(ahead))
    back = bearing_deg(x, y, shapely.get_x(behind), shapely.get_y(behind))
    street = nearest_street(pts, rep, edges)
    if cfg.mount != "edge":
        return _sites("street", pts, street, list(np.round(np.column_stack([fwd, back]), 1)))
    dx, dy = mounts.side_offsets(fwd, edges["half_width_m"].to_numpy(float)[rep], inset_m=cfg.mount_inset_m)
    sides = []
    for sign in (1.0, -1.0):  # left of the edge's direction, then right
        geom = np.asarray(shapely.points(x + sign * dx, y + sign * dy), dtype=object)
        across = np.mod(fwd + 90.0 * sign, 360.0)  # from the edge towards the centreline
        heads = [_dedupe(h) for h in np.round(np.column_stack([fwd, back, across]), 1)]
        sides.append(_sites("street", geom, street, heads, mount=mounts.MOUNT_KINDS[0],
                            side=mounts.compass(sign * dx, sign * dy)))
    return pd.concat(sides, ignore_index=True)


def _mounts(pts: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *, across: bool = False) -> pd.DataFrame:
    """Mounting points; optional columns ``cost_sek`` (overrides the type's cost) and ``site_id``.

    Headings along the nearest street both ways and, with ``across``, towards it
    (from a point at least a metre off its centreline); ``side`` is the compass
    direction from the street to the point.
    """
    geoms = pts.geometry.to_numpy()
    tree = shapely.STRtree(edges.geometry.to_numpy())
    pi, ei = tree.query_nearest(geoms, all_matches=False)
    near = np.full(len(geoms), -1)
    near[pi] = ei
    lines = edges.geometry.to_numpy()[near]
    pos = shapely.line_locate_point(lines, geoms)
    length = shapely.length(lines)
    # the street's direction at the nearest point, both ways (the camera looks along the street)
    a = shapely.line_interpolate_point(lines, np.minimum(pos + 1.0, length))
    b = shapely.line_interpolate_point(lines, np.maximum(pos - 1.0, 0.0))
    ax, ay, bx, by = shapely.get_x(a), shapely.get_y(a), shapely.get_x(b), shapely.get_y(b)
    foot = shapely.line_interpolate_point(lines, pos)
    gx, gy = shapely.get_x(geoms), shapely.get_y(geoms)
    ox, oy = gx - shapely.get_x(foot), gy - shapely.get_y(foot)
    off = np.hypot(ox, oy) >= 1.0
    towards = np.where(off & across, bearing_deg(ox, oy, 0.0, 0.0), np.nan)
    heads = [_dedupe(h[~np.isnan(h)]) for h in np.column_stack([bearing_deg(bx, by, ax, ay),
                                                                bearing_deg(ax, ay, bx, by), towards])]
    cost = pd.to_numeric(pts["cost_sek"], errors="coerce").to_numpy(float) if "cost_sek" in pts else None
    ids = pts["site_id"].astype(str).to_numpy(object) if "site_id" in pts else None
    side = np.where(off, mounts.compass(ox, oy), "").astype(object)
    return _sites("mount", geoms, nearest_street(geoms, near, edges), heads, cost, ids,
                  mount=mounts.MOUNT_KINDS[1], side=side)


def _read_zone_file(path: Path, crs: str) -> gpd.GeoDataFrame:
    """Zones from a file: a point CSV, or any vector file (GeoJSON, GeoPackage) of points or polygons."""
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return readers.read_points(path, target_crs=crs)
    gdf = readers.read_zone_layer(path, crs=crs, what="exclusion zones")
    return gdf[gdf.geometry.notna()]


def no_view_zones(zones: tuple[NoViewZone, ...], *, crs: str,
                  resolve: Callable[[str], Path] = Path) -> gpd.GeoDataFrame:
    """The do-not-view zones in ``crs``: columns ``name``, ``label``, geometry (shapes as :func:`exclusion_zones`)."""
    rows = [{"name": z.name, "label": z.label or z.name, "geometry": _zone_geometry(z, crs, resolve)} for z in zones]
    return gpd.GeoDataFrame(rows, columns=["name", "label", "geometry"], geometry="geometry", crs=crs)


def _zone_geometry(zone: Exclusion | NoViewZone, crs: str, resolve: Callable[[str], Path]) -> BaseGeometry:
    if zone.polygon is not None:
        return areas.polygon_from_lonlat(zone.polygon, crs=crs)
    if zone.point is not None:
        return areas.point_from_latlon(zone.point, crs=crs).buffer(zone.buffer_m)
    gdf = _read_zone_file(Path(resolve(str(zone.path))), crs)
    polys = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    geoms = gdf.geometry.to_numpy()
    merged: BaseGeometry = shapely.union_all(np.where(polys, geoms, shapely.buffer(geoms, zone.buffer_m)))
    return merged


def exclusion_zones(exclusions: tuple[Exclusion, ...], *, crs: str,
                    resolve: Callable[[str], Path] = Path) -> gpd.GeoDataFrame:
    """The exclusion zones in ``crs``: columns ``name``, ``penalty_sek`` (NaN = remove), geometry.

    A point is buffered by ``buffer_m``; a polygon is used as given; a file's
    points and lines are buffered, its polygons used as given. ``resolve``
    turns a zone's ``path`` into a file path (the scenario's :meth:`resolve`).
    """
    rows = [{"name": ex.name, "penalty_sek": np.nan if ex.penalty_sek is None else ex.penalty_sek,
             "geometry": _zone_geometry(ex, crs, resolve)} for ex in exclusions]
    return gpd.GeoDataFrame(rows, columns=["name", "penalty_sek", "geometry"], geometry="geometry", crs=crs)


_NO_ZONES = gpd.GeoDataFrame({"name": [], "penalty_sek": []}, geometry=gpd.GeoSeries([]))


def _apply_exclusions(sites: pd.DataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    penalty = np.zeros(len(sites))
    drop = np.zeros(len(sites), bool)
    if len(zones) and len(sites):
        tree = shapely.STRtree(zones.geometry.to_numpy())
        si, zi = tree.query(sites["geometry"].to_numpy(), predicate="intersects")
        zp = zones["penalty_sek"].to_numpy(float)[zi]
        drop[si[np.isnan(zp)]] = True
        np.add.at(penalty, si[~np.isnan(zp)], zp[~np.isnan(zp)])
        logger.info("exclusion zones: %d sites removed, %d penalised", int(drop.sum()), int((penalty > 0).sum()))
    return sites.assign(penalty_sek=penalty)[~drop]


def _near_existing(sites: pd.DataFrame, existing: gpd.GeoDataFrame, min_m: float) -> np.ndarray:
    if min_m <= 0 or existing is None or len(existing) == 0 or len(sites) == 0:
        return np.zeros(len(sites), bool)
    tree = shapely.STRtree(existing.geometry.to_numpy())
    si, _ = tree.query(sites["geometry"].to_numpy(), predicate="dwithin", distance=min_m)
    out = np.zeros(len(sites), bool)
    out[si] = True
    return out


def _variants(sites: pd.DataFrame, cameras: CameraModels) -> pd.DataFrame:
    frames = []
    for name in cameras.offered:
        if cameras.lookup([name], "fov_deg")[0] >= 360:
            v = sites.assign(heading_deg=np.nan)
            v["variant"] = v["site_id"] + ":" + name
        else:
            v = sites.explode("headings").dropna(subset=["headings"])
            v["heading_deg"] = v["headings"].astype(float)
            v["variant"] = v["site_id"] + ":" + name + ":" + np.round(v["heading_deg"]).astype(int).astype(str)
        base = np.where(np.isnan(v["cost_override"].to_numpy(float)), cameras.cost(name), v["cost_override"])
        frames.append(v.assign(camera_type=name, cost_sek=base + v["penalty_sek"].to_numpy(float)))
    out = pd.concat(frames, ignore_index=True) if frames else sites.iloc[:0]
    return out.drop_duplicates("variant").sort_values(["site_id", "variant"], kind="stable")


def _all_sites(network: Any, existing: gpd.GeoDataFrame | None, cfg: CandidateConfig,
               mounting_points: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Every physical site before the exclusion zones (sites near an existing camera left out)."""
    edges = usable_edges(network.edges)
    parts = [_intersections(network, edges, cfg)] if cfg.intersections else []
    if mounting_points is not None:
        parts.append(_mounts(mounting_points, edges, across=cfg.mount == "edge"))
    parts.append(_along_streets(edges, cfg))
    sites = pd.concat(parts, ignore_index=True).drop_duplicates("site_id")
    if cfg.mount == "edge" and len(sites):  # an offset point in a crossing street's carriageway is no mount
        off = (sites["mount"] == mounts.MOUNT_KINDS[0]).to_numpy() & ~mounts.at_edge(
            sites["geometry"].to_numpy(), edges, inset_m=cfg.mount_inset_m)
        logger.info("%d edge sites lie inside another street's space, not at an edge: left out", int(off.sum()))
        sites = sites[~off]
    near = _near_existing(sites, existing, cfg.min_distance_to_existing_m)
    if near.any():
        logger.info("%d candidate sites within %.0f m of an existing camera dropped", int(near.sum()),
                    cfg.min_distance_to_existing_m)
    return sites[~near]


def exclusion_counts(network: Any, existing: gpd.GeoDataFrame | None, cfg: CandidateConfig, *,
                     cameras: CameraModels, exclusion_zones: gpd.GeoDataFrame,
                     mounting_points: gpd.GeoDataFrame | None = None,
                     study_area: BaseGeometry | None = None) -> pd.DataFrame:
    """What each exclusion zone did to the candidates (the arguments as for :func:`build_candidates`).

    One row per zone: ``name``, ``sites_removed`` and ``candidates_removed``
    (site variants) for a zone without penalty, ``sites_penalised`` and
    ``candidates_penalised`` for one with. Only sites inside ``study_area`` (when
    given) count; a site in two zones counts for both.
    """
    sites = _all_sites(network, existing, cfg, mounting_points)
    if study_area is not None and len(sites):
        sites = sites[shapely.within(sites["geometry"].to_numpy(), study_area)]
    n = len(exclusion_zones)
    counts = {k: np.zeros(n, np.int64) for k in ("sites", "variants")}
    if n and len(sites):
        si, zi = shapely.STRtree(exclusion_zones.geometry.to_numpy()).query(sites["geometry"].to_numpy(),
                                                                            predicate="intersects")
        hit = sites.iloc[si].assign(penalty_sek=0.0, zone=zi)
        variants = _variants(hit.assign(site_id=hit["site_id"] + "@" + hit["zone"].astype(str)), cameras)
        counts["sites"] = np.bincount(zi, minlength=n).astype(np.int64)
        counts["variants"] = np.bincount(variants["zone"].to_numpy(np.int64), minlength=n).astype(np.int64)
    removed = exclusion_zones["penalty_sek"].isna().to_numpy() if n else np.zeros(0, bool)
    return pd.DataFrame({"name": exclusion_zones["name"].astype(str).to_numpy(object),
                         "sites_removed": np.where(removed, counts["sites"], 0),
                         "candidates_removed": np.where(removed, counts["variants"], 0),
                         "sites_penalised": np.where(removed, 0, counts["sites"]),
                         "candidates_penalised": np.where(removed, 0, counts["variants"])})


def build_candidates(network: Any, existing: gpd.GeoDataFrame | None, cfg: CandidateConfig, *,
                     cameras: CameraModels, crs: str, mounting_points: gpd.GeoDataFrame | None = None,
                     exclusion_zones: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Candidate site variants: one row per (site, camera type, heading).

    Parameters
    ----------
    network
        A :class:`camsite.network.Network` (``nodes`` and ``edges``).
    existing
        Existing cameras; sites within ``cfg.min_distance_to_existing_m`` are dropped.
    cfg
        Where sites go: intersections, spacing along streets, distance to existing cameras.
    cameras
        Camera types offered at each site (:attr:`CameraModels.offered`) and their costs.
    crs
        The working CRS of the frames.
    mounting_points
        Extra sites (points; optional ``cost_sek`` and ``site_id`` columns).
    exclusion_zones
        From :func:`exclusion_zones`: sites inside are removed or penalised.

    Returns
    -------
    GeoDataFrame
        Columns :data:`CANDIDATE_COLUMNS`, sorted by ``site_id`` then ``variant``;
        tunnels and excluded highways never carry a site.
    """
    sites = _all_sites(network, existing, cfg, mounting_points)
    zones = exclusion_zones if exclusion_zones is not None else _NO_ZONES
    sites = _apply_exclusions(sites, zones)
    out = _variants(sites, cameras)
    logger.info("candidates: %d sites, %d variants", out["site_id"].nunique(), len(out))
    gdf = gpd.GeoDataFrame(out[list(CANDIDATE_COLUMNS[:-1])].reset_index(drop=True),
                           geometry=gpd.GeoSeries(out["geometry"].to_numpy(), crs=crs), crs=crs)
    gdf["street"] = gdf["street"].fillna("").astype(str)
    return gdf
