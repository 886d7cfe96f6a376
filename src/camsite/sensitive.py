"""Sensitive places and residential façades: do-not-view zones from data, and what each site's view holds.

A *sensitive places* layer (``[candidates] sensitive_places``: GeoJSON or
GeoPackage) lists places no camera should look into (a clinic, emergency
housing), one feature each, with ``name``, ``label``, ``kind``, ``precision``
(``address``, ``block``, ``approximate`` or ``not_located``), ``source`` and
``buffer_m`` (a point's radius; default :data:`DEFAULT_BUFFER_M`). Polygons are
used as given. A feature without a geometry is *not located*: it is reported,
but masks nothing. Each located place becomes a do-not-view zone of its own
(:func:`camsite.coverage.apply_no_view`).

A *residential* layer (``[candidates] residential``: building or landuse
polygons) is either masked like a sensitive place (each façade band, the
polygon's outline ``residential_facade_m`` deep, a zone of its own) or, with
``residential_mode = "cost"``, makes each candidate variant whose view
reaches a façade band cost ``residential_penalty_sek`` more.

:func:`places_in_view` and :func:`site_views` say, per camera view, which
places it holds and what share of the view they take: the balancing of
interests cites them per site.

>>> from shapely.geometry import Point, box
>>> views = gpd.GeoSeries([box(0, 0, 10, 10), box(20, 0, 30, 10)], index=["a", "b"])
>>> places = gpd.GeoDataFrame({"name": ["p"], "label": ["Clinic"], "kind": ["vard"], "precision": ["address"]},
...     geometry=[box(8, 0, 12, 10)])
>>> places_in_view(views, places)[["view", "name", "overlap_m2", "share_of_view"]].to_dict("records")
[{'view': 'a', 'name': 'p', 'overlap_m2': 20.0, 'share_of_view': 0.2}]
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite import readers
from camsite.cameras import CameraModels
from camsite.coverage import MIN_OVERLAP_M2, viewsheds
from camsite.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BUFFER_M", "PLACE_COLUMNS", "PRECISIONS", "SITE_VIEW_COLUMNS", "facade_zones", "places_in_view",
           "read_places", "residential_penalty", "site_views"]

#: Radius (metres) of a place given as a point without its own ``buffer_m``.
DEFAULT_BUFFER_M = 15.0
#: How precisely a place is located, most precise first (``not_located``: reported, masks nothing).
PRECISIONS: tuple[str, ...] = ("address", "block", "approximate", "not_located")
#: Columns of :func:`read_places`, in order (plus geometry).
PLACE_COLUMNS: tuple[str, ...] = ("name", "label", "kind", "precision", "source", "located")
#: Columns of :func:`site_views`, in order.
SITE_VIEW_COLUMNS: tuple[str, ...] = ("site_id", "places_in_view", "places_share_pct", "view_m2")


def _text(gdf: gpd.GeoDataFrame, col: str, default: str) -> pd.Series:
    if col not in gdf:
        return pd.Series([default] * len(gdf), index=gdf.index, dtype=object)
    out: pd.Series = gdf[col].where(gdf[col].notna(), default).astype(str).str.strip()
    return out


def read_places(path: str | Path, *, crs: str) -> gpd.GeoDataFrame:
    """The sensitive places of ``path`` in ``crs``: :data:`PLACE_COLUMNS`, geometry (the zone; None if not located).

    Raises
    ------
    InputError
        Unreadable file, no ``name`` column, a name twice, an unknown
        ``precision`` or a ``buffer_m`` that is not a number >= 0 (naming the row).
    """
    p = Path(path)
    gdf = readers.read_zone_layer(p, crs=crs).reset_index(drop=True)
    if "name" not in gdf:
        raise InputError("no column 'name' (one name per sensitive place)", file=p)
    names = _text(gdf, "name", "")
    for i in np.flatnonzero((names == "").to_numpy() | names.duplicated().to_numpy()):
        raise InputError(f"name {names[i]!r} is empty or given twice", file=p, where=f"row {i + 1}, column name")
    precision = _text(gdf, "precision", "approximate").str.lower()
    for i in np.flatnonzero(~precision.isin(PRECISIONS).to_numpy()):
        raise InputError(f"precision {precision[i]!r} is not one of {', '.join(PRECISIONS)}", file=p,
                         where=f"row {i + 1}, column precision")
    raw = gdf["buffer_m"] if "buffer_m" in gdf else pd.Series(np.nan, index=gdf.index)
    buf = pd.to_numeric(raw, errors="coerce")
    bad = buf.lt(0) | (buf.isna() & raw.notna())
    for i in np.flatnonzero(bad.to_numpy()):
        raise InputError(f"buffer_m {raw[i]!r} is not a number of metres >= 0", file=p,
                         where=f"row {i + 1}, column buffer_m")
    geom = gdf.geometry.to_numpy()
    located = ~(shapely.is_missing(geom) | shapely.is_empty(geom)) & (precision != "not_located").to_numpy()
    area = np.isin(shapely.get_type_id(geom), (3, 6))  # Polygon, MultiPolygon
    zone = np.where(area, geom, shapely.buffer(geom, buf.fillna(DEFAULT_BUFFER_M).to_numpy(float)))
    out = gpd.GeoDataFrame({
        "name": names, "label": _text(gdf, "label", "").where(lambda s: s != "", names),
        "kind": _text(gdf, "kind", ""), "precision": precision, "source": _text(gdf, "source", p.name),
        "located": located}, geometry=gpd.GeoSeries([g if ok else None for g, ok in zip(zone, located, strict=True)],
                                                    crs=crs), crs=crs)
    if (~located).any():
        logger.warning("%s: %d sensitive place(s) have no position and mask nothing: %s", p.name,
                       int((~located).sum()), ", ".join(out.loc[~located, "name"]))
    return out


def facade_zones(path: str | Path, *, crs: str, depth_m: float) -> gpd.GeoDataFrame:
    """Residential façade bands of a polygon layer: ``name``, ``label``, geometry (each outline ``depth_m`` deep)."""
    p = Path(path)
    gdf = readers.read_zone_layer(p, crs=crs)
    geom = gdf.geometry.to_numpy()
    polys = np.isin(shapely.get_type_id(geom), (3, 6))
    if not polys.any():
        raise InputError("no building or residential polygons", file=p)
    band = shapely.buffer(shapely.boundary(geom[polys]), depth_m / 2.0 if depth_m > 0 else 0.5)
    names = [f"bostad_{i + 1}" for i in range(len(band))]
    return gpd.GeoDataFrame({"name": names, "label": [f"Bostadsfasad {i + 1}" for i in range(len(band))],
                             "kind": "bostad", "precision": "address", "source": p.name, "located": True},
                            geometry=band, crs=crs)


def places_in_view(views: gpd.GeoSeries, places: gpd.GeoDataFrame, *,
                   min_overlap_m2: float = MIN_OVERLAP_M2) -> pd.DataFrame:
    """Which places each view holds, and their share of it.

    Parameters
    ----------
    views
        Camera views (polygons; the index names them).
    places
        ``name``, ``label`` (and ``kind``, ``precision`` when present), geometry
        (None for a place not located: never in view).
    min_overlap_m2
        An overlap no larger than this does not count (a shared edge, rounding).

    Returns
    -------
    pandas.DataFrame
        One row per (view, place) overlapping: ``view`` (the index label),
        ``name``, ``label``, ``kind``, ``precision``, ``overlap_m2`` and
        ``share_of_view`` (overlap over the view's area, 0-1), in view order.
    """
    cols = ["view", "name", "label", "kind", "precision", "overlap_m2", "share_of_view"]
    geoms = places.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not len(views) or not ok.any():
        return pd.DataFrame({c: [] for c in cols})
    pl = places[ok].reset_index(drop=True)
    tree = shapely.STRtree(pl.geometry.to_numpy())
    v, z = tree.query(shapely.make_valid(views.to_numpy()), predicate="intersects")
    vg = shapely.make_valid(views.to_numpy())[v]
    overlap = shapely.area(shapely.intersection(vg, pl.geometry.to_numpy()[z]))
    area = shapely.area(vg)
    keep = overlap > min_overlap_m2
    v, z, overlap, area = v[keep], z[keep], overlap[keep], area[keep]
    order = np.lexsort((z, v))
    at = z[order]

    def get(col: str) -> NDArray[np.object_]:
        vals: NDArray[np.object_] = (pl[col] if col in pl else pd.Series([""] * len(pl))).to_numpy(object)[at]
        return vals

    return pd.DataFrame({"view": views.index.to_numpy()[v[order]], "name": get("name"), "label": get("label"),
                         "kind": get("kind"), "precision": get("precision"), "overlap_m2": overlap[order].round(1),
                         "share_of_view": np.divide(overlap, area, out=np.zeros_like(overlap),
                                                    where=area > 0)[order].round(4)})


def site_views(sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame, cameras: CameraModels, *,
               open_space: BaseGeometry, buildings: BaseGeometry | None = None) -> pd.DataFrame:
    """Per site: the sensitive places in its full view (before any privacy mask) and their share of it.

    Parameters
    ----------
    sites
        The cameras: ``site_id``, ``camera_type``, ``heading_deg``, geometry (e.g. the proposed sites).
    places
        Places as :func:`read_places` or the run's do-not-view zones give them.
    cameras
        The camera types.
    open_space, buildings
        What a camera can see across (as for :func:`camsite.coverage.viewsheds`).

    Returns
    -------
    pandas.DataFrame
        :data:`SITE_VIEW_COLUMNS`, one row per site in ``sites`` order:
        ``places_in_view`` (the labels with their share of the view, e.g.
        "Klinik (12 %)", joined by "; "; "" when none), ``places_share_pct``
        (the share of the view the places take together, overlaps counted
        once) and ``view_m2`` (the view's area).
    """
    s = sites.reset_index(drop=True)
    views = viewsheds(s, cameras, open_space=open_space, buildings=buildings) if len(s) else gpd.GeoSeries([])
    pairs = places_in_view(views, places)
    geoms = places.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    union = shapely.union_all(geoms[ok]) if ok.any() else shapely.Polygon()
    area = shapely.area(views.to_numpy()) if len(s) else np.zeros(0)
    together = shapely.area(shapely.intersection(views.to_numpy(), union)) if len(s) else np.zeros(0)
    labels, shares, at = pairs["label"].astype(str).to_numpy(), pairs["share_of_view"].to_numpy(float), \
        pairs["view"].to_numpy()
    text = ["; ".join(f"{lab} ({100 * sh:.0f} %)" for lab, sh in zip(labels[at == i], shares[at == i], strict=True))
            for i in range(len(s))]
    return pd.DataFrame({"site_id": s["site_id"].astype(str).to_numpy() if "site_id" in s else s.index.astype(str),
                         "places_in_view": text,
                         "places_share_pct": np.round(100 * np.divide(together, area, out=np.zeros_like(area),
                                                                      where=area > 0), 2),
                         "view_m2": np.round(area, 1)})


def residential_penalty(views: gpd.GeoSeries, facades: gpd.GeoDataFrame, *, penalty_sek: float) -> np.ndarray:
    """Extra cost per view (SEK): ``penalty_sek`` for each view that reaches a residential façade band, else 0.

    >>> from shapely.geometry import box
    >>> f = gpd.GeoDataFrame({"name": ["b"]}, geometry=[box(9, 0, 11, 10)])
    >>> residential_penalty(gpd.GeoSeries([box(0, 0, 10, 10), box(20, 0, 30, 10)]), f, penalty_sek=5.0).tolist()
    [5.0, 0.0]
    """
    if not len(views) or not len(facades):
        return np.zeros(len(views))
    pairs = places_in_view(gpd.GeoSeries(views.to_numpy()), facades)
    hit = np.zeros(len(views), bool)
    hit[pairs["view"].to_numpy(int)] = True
    return np.where(hit, float(penalty_sek), 0.0)
