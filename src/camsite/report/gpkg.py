"""camsite.gpkg: every layer of a run for QGIS, in the working CRS (EPSG:3011).

Layers: ``proposed_sites``, ``existing_cameras``, ``viewsheds`` (one polygon
per camera, existing and proposed), ``demand`` (aggregated per street segment,
see :mod:`camsite.privacy`), ``candidates``, ``study_area`` and
``subareas``; ``incidents`` (raw points) only with ``include_incidents``;
``exclusion_zones`` and ``no_view_zones`` (the zones with what each did to the
candidates, see :mod:`camsite.report._sensitive`) when the scenario has such zones;
``views`` (graded coverage: each camera's view split by EN 62676-4 level, one
polygon per camera and level, ``source`` proposed or existing, see
:mod:`camsite.report._views`).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from camsite import privacy
from camsite.i18n import tr
from camsite.report import _frames, _robustness, _sensitive, _views, balancing
from camsite.report._stable import stable_gpkg
from camsite.result import RunResult
from camsite.stages import UNCOVERABLE_CELL_M, uncoverable_cells

logger = logging.getLogger(__name__)

__all__ = ["LAYERS", "write_gpkg"]

#: The layers always written, in order.
LAYERS: tuple[str, ...] = (
    "proposed_sites", "existing_cameras", "viewsheds", "demand", "candidates", "study_area", "subareas",
)


def _multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    """Polygonal parts of ``geom`` as one MultiPolygon (None when there are none).

    >>> from shapely.geometry import box
    >>> _multipolygon(box(0, 0, 1, 1)).geom_type
    'MultiPolygon'
    >>> _multipolygon(None) is None
    True
    """
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    parts = [p for p in getattr(geom, "geoms", []) if isinstance(p, (Polygon, MultiPolygon))]
    polys = [q for p in parts for q in (p.geoms if isinstance(p, MultiPolygon) else [p])]
    return MultiPolygon(polys) if polys else None


def _as_os_error(exc: Exception, path: Path) -> OSError:
    """A GDAL or SQLite failure while writing ``path`` as the OSError it is (a full disk above all).

    SQLite says "database or disk is full", GDAL "No space left on device";
    the run folder's writer reports an OSError as one line naming the file.
    """
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if any(s in text.lower() for s in ("disk is full", "no space left", "disk full")):
        return OSError(errno.ENOSPC, "No space left on device", str(path))
    return OSError(errno.EIO, f"cannot write the GeoPackage: {text[:200]}", str(path))


def _write(gdf: gpd.GeoDataFrame, path: Path, layer: str, geometry_type: str) -> None:
    frame = gdf.copy()
    for col in frame.columns:
        if col != frame.geometry.name and frame[col].dtype == object:
            frame[col] = frame[col].astype(str)
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type=geometry_type,
                            promote_to_multi=geometry_type.startswith("Multi"))


def _candidates(result: RunResult) -> gpd.GeoDataFrame:
    cands = result.candidates.reset_index(drop=True)
    cols = [c for c in ("site_id", "variant", "camera_type", "heading_deg", "cost_sek", "penalty_sek", "kind", "street")
            if c in cands]
    out = gpd.GeoDataFrame(cands.loc[:, cols].copy(), geometry=cands.geometry.to_numpy(), crs=result.scenario.crs)
    selected = np.zeros(len(cands), bool)
    selected[_frames.proposed_index(result)] = True
    out["selected"] = selected
    return out


def _areas(result: RunResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    crs = result.scenario.crs
    study = gpd.GeoDataFrame({"name": [result.scenario.name], "title": [result.scenario.title]},
                             geometry=[_multipolygon(result.study_area)], crs=crs)
    sub = result.subareas.reset_index(drop=True)
    cols = [c for c in ("name", "label", "source") if c in sub]
    subs = gpd.GeoDataFrame(sub.loc[:, cols].copy(), geometry=[_multipolygon(g) for g in sub.geometry], crs=crs)
    return study, subs


def _raw_incidents(result: RunResult) -> gpd.GeoDataFrame:
    inc = result.incidents.reset_index(drop=True)
    cols = [c for c in ("incident_id", "category", "weight", "date", "precision", "street", "source") if c in inc]
    out = gpd.GeoDataFrame(inc.loc[:, cols].copy(), geometry=inc.geometry.to_numpy(), crs=result.scenario.crs)
    if "date" in out:
        out["date"] = pd.to_datetime(out["date"], errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    return out


def _uncoverable(result: RunResult) -> gpd.GeoDataFrame:
    """What no camera can see, per grid cell (:func:`camsite.stages.summary.uncoverable_cells`): weight, demand
    points, incidents (under the privacy rule) and the main reason, so that no single incident is shown."""
    crs = result.scenario.crs
    if not len(result.instance.uncoverable):
        return gpd.GeoDataFrame({"weight": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    out = uncoverable_cells(result.instance)
    out["weight"] = out["weight"].round(4)
    out["incidents"] = privacy.suppress(out["incidents"].round(2), min_count=result.min_incident_count or 0)
    m = UNCOVERABLE_CELL_M
    cells = [_multipolygon(shapely.box(x * m, y * m, (x + 1) * m, (y + 1) * m)) for x, y in zip(out["cx"], out["cy"])]
    return gpd.GeoDataFrame(out.drop(columns=["cx", "cy", "x", "y"]), geometry=cells, crs=crs)


def _stage_sites(result: RunResult) -> gpd.GeoDataFrame:
    """The staged plan's sites: one point per site with its stage, install year, street and type."""
    staged = result.stages
    assert staged is not None
    cands = result.candidates.drop_duplicates("site_id").set_index(result.candidates.drop_duplicates("site_id")[
        "site_id"].astype(str))
    rows = [(int(r["stage"]), int(r["year"]), s) for r in staged.to_dict("records")
            for s in str(r["new_sites"]).split(";") if s not in ("", "nan")]
    ids = [s for _, _, s in rows]
    types = dict(zip(result.sites["site_id"].astype(str), result.sites["camera_type"].astype(str)))
    frame = pd.DataFrame({"site_id": ids, "stage": [k for k, _, _ in rows], "install_year": [y for _, y, _ in rows],
                          "street": [str(cands.at[s, "street"] or "") if s in cands.index else "" for s in ids],
                          "in_sites_csv": [s in types for s in ids]})
    geom = [cands.geometry.at[s] if s in cands.index else None for s in ids]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geom, crs=result.scenario.crs), crs=result.scenario.crs)


def write_gpkg(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write camsite.gpkg for ``result`` to ``path``; return ``path``.

    Parameters
    ----------
    result
        The run to export.
    path
        The GeoPackage to write (replaced if it exists).
    lang
        Language of the ``description`` column of ``proposed_sites``.
    include_incidents
        Add the raw ``incidents`` layer (sensitive; internal use only).
    """
    path = Path(path)
    path.unlink(missing_ok=True)
    views = _frames.viewsheds(result)
    views = views.set_geometry([_multipolygon(g) for g in views.geometry], crs=result.scenario.crs)
    study, subs = _areas(result)
    layers = [
        ("proposed_sites", _frames.proposed_sites(result, lang=lang), "Point"),
        ("existing_cameras", _frames.existing_cameras(result), "Point"),
        ("viewsheds", views, "MultiPolygon"),
        ("demand", privacy.aggregate_demand(result.demand, result.edges, subareas=result.subareas), "LineString"),
        ("candidates", _candidates(result), "Point"),
        ("study_area", study, "MultiPolygon"),
        ("subareas", subs, "MultiPolygon"),
    ]
    if include_incidents:
        layers.append(("incidents", _raw_incidents(result), "Point"))
    zones = {"exclusion_zones": (result.inputs.exclusion_zones, _sensitive.exclusion_frame),
             "no_view_zones": (result.inputs.no_view_zones, _sensitive.no_view_frame)}
    for name, (given, frame_of) in zones.items():
        if len(given):  # sensitive places, with what each did to the candidates
            frame = frame_of(result)
            layers.append((name, frame.set_geometry([_multipolygon(g) for g in frame.geometry], crs=frame.crs),
                           "MultiPolygon"))
    if result.stages is not None:  # the staged plan: each site's stage and install year
        layers.append(("stages", _stage_sites(result), "Point"))
    levels = _views.run_views(result)
    if levels is not None:  # graded coverage: the views by level, existing cameras as in ``viewsheds``
        levels.insert(list(levels.columns).index("level") + 1, "level_label", [tr(f"level_{v}", lang)
                                                                           for v in levels["level"]])
        layers.append(("views", levels.set_geometry([_multipolygon(g) for g in levels.geometry], crs=levels.crs),
                       "MultiPolygon"))
    unseen = _uncoverable(result)
    if len(unseen):
        layers.append(("uncoverable", unseen, "MultiPolygon"))
    layers += _robustness.gpkg_layers(result)  # the robustness layer, when the run has an analysis
    if len(result.sites):  # the balancing of interests per site
        layers.append(("balancing", balancing.gpkg_frame(result, lang=lang), "Point"))
    try:
        for name, gdf, gtype in layers:
            _write(gdf, path, name, gtype)
        stable_gpkg(path)
    except (sqlite3.Error, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _as_os_error(exc, path) from None
    logger.info("wrote %s (%d layers)", path, len(layers))
    return path
