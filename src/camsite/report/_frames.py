"""Display frames shared by the writers: proposed sites, existing cameras, viewsheds.

Formatting and aggregation only: everything is read from the
:class:`~camsite.result.RunResult`; nothing is optimised or re-solved here.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite import privacy
from camsite.i18n import tr
from camsite.result import SITES_COLUMNS, RunResult

logger = logging.getLogger(__name__)

__all__ = [
    "existing_cameras",
    "existing_viewsheds",
    "illustrative_layers",
    "is_illustrative",
    "proposed_index",
    "proposed_sites",
    "proposed_viewsheds",
    "type_label",
    "viewsheds",
]

_ILLUSTRATIVE = ("illustrative", "illustrativ", "synthetic", "syntetisk")


def is_illustrative(source: object) -> bool:
    """Whether a ``source`` label marks a layer as made up (illustrative or synthetic).

    >>> is_illustrative("illustrative"), is_illustrative("Synthetic grid"), is_illustrative("polisen.se")
    (True, True, False)
    """
    text = str(source or "").lower()
    return any(word in text for word in _ILLUSTRATIVE)


def illustrative_layers(result: RunResult) -> list[str]:
    """Names of the illustrative or synthetic layers: data sources, sub-areas, existing cameras."""
    names = [d.layer for d in result.summary.data_sources if is_illustrative(d.source)]
    names += [n for n in result.summary.illustrative_layers if n not in names]
    if len(result.subareas) and result.subareas.get("source", pd.Series(dtype=str)).map(is_illustrative).any():
        names.append("subareas")
    return names


def type_label(result: RunResult, name: str) -> str:
    """The scenario's label of a camera type, or its name."""
    for cam in result.scenario.camera_types:
        if cam.name == name:
            return cam.label or cam.name
    return name


def proposed_index(result: RunResult) -> np.ndarray:
    """Row indices into ``result.candidates`` of the proposed sites, in rank order."""
    sites, cands = result.sites, result.candidates
    if "candidate_index" in sites:
        return sites["candidate_index"].to_numpy(int)
    if "variant" in sites and "variant" in cands:
        pos = pd.Series(np.arange(len(cands)), index=cands["variant"].to_numpy())
        return pos.loc[sites["variant"].to_numpy()].to_numpy(int)
    keys = list(zip(cands["site_id"], cands["camera_type"]))
    return np.array([keys.index(k) for k in zip(sites["site_id"], sites["camera_type"])], dtype=int)


def _kind_text(kind: object, lang: str) -> str:
    return tr({"intersection": "intersection", "street": "street_kind", "mount": "mount"}.get(str(kind), "street_kind"),
              lang)


def _dec(value: float, lang: str) -> str:
    if not np.isfinite(value):
        return tr("suppressed", lang)
    text = f"{float(value):.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def _description(result: RunResult, row: pd.Series, lang: str) -> str:
    street = str(row.get("street") or "") or tr("unnamed_street", lang)
    text = tr("desc_site", lang, type=type_label(result, str(row["camera_type"])), street=street,
              kind=_kind_text(row.get("kind", ""), lang), gain=_dec(row["gain_weight"], lang),
              inc=_dec(row["gain_incidents"], lang))
    heading = row.get("heading_deg", np.nan)
    if heading is not None and np.isfinite(heading):
        text += "; " + tr("desc_heading", lang, heading=float(heading))
    return text


def proposed_sites(result: RunResult, *, lang: str = "sv") -> gpd.GeoDataFrame:
    """The ranked sites (:data:`SITES_COLUMNS`) plus ``address``, ``description``, ``heading_deg`` and points."""
    sites = result.sites.reset_index(drop=True)
    out = sites.loc[:, list(SITES_COLUMNS)].copy()
    cands = result.candidates.iloc[proposed_index(result) if len(sites) else []].reset_index(drop=True)
    heading = sites["heading_deg"] if "heading_deg" in sites else cands.get("heading_deg",
                                                                           pd.Series(np.nan, index=out.index))
    kind = sites["kind"] if "kind" in sites else cands.get("kind", pd.Series("", index=out.index))
    extra = out.assign(heading_deg=np.asarray(heading, float), kind=np.asarray(kind, object))
    out["address"] = [f"{s or tr('unnamed_street', lang)} ({_kind_text(k, lang)})" for s, k in zip(out["street"], kind)]
    out["description"] = [_description(result, r, lang) for _, r in extra.iterrows()]
    out["heading_deg"] = extra["heading_deg"].to_numpy()
    geom = gpd.points_from_xy(sites["easting"], sites["northing"])
    return gpd.GeoDataFrame(out, geometry=geom, crs=result.scenario.crs)


def existing_cameras(result: RunResult) -> gpd.GeoDataFrame:
    """Existing cameras with what each covers: weight, incidents, and weight no other camera covers."""
    ex = result.existing.reset_index(drop=True)
    m = result.existing_coverage.tocsc().astype(float)
    w = result.demand["weight"].to_numpy(float)
    inc = result.demand["incidents"].to_numpy(float)
    n_cams = np.asarray(m.sum(axis=1)).ravel()
    only = (n_cams == 1).astype(float)
    cols = [c for c in ("camera_id", "camera_type", "heading_deg", "source") if c in ex]
    out = ex.loc[:, cols].copy()
    out["covered_weight"] = np.round(m.T @ w, 3) if len(ex) else []
    seen = np.round(m.T @ inc, 2) if len(ex) else np.zeros(0)
    out["covered_incidents"] = privacy.suppress(seen, min_count=result.min_incident_count)
    out["only_this_weight"] = np.round(m.T @ (w * only), 3) if len(ex) else []
    hidden = np.isnan(out["covered_incidents"].to_numpy(float))  # the weights would give the count back
    only_inc = np.round(m.T @ (inc * only), 2) if len(ex) else np.zeros(0)
    hidden_only = hidden | np.isnan(privacy.suppress(only_inc, min_count=result.min_incident_count))
    out["covered_weight"] = out["covered_weight"].astype(float).where(~hidden, np.nan)
    out["only_this_weight"] = out["only_this_weight"].astype(float).where(~hidden_only, np.nan)
    return gpd.GeoDataFrame(out, geometry=ex.geometry.to_numpy(), crs=result.scenario.crs)


def proposed_viewsheds(result: RunResult) -> list[Any]:
    """Viewshed polygons of the proposed sites in rank order (None where unknown).

    ``candidate_viewsheds`` is normally aligned with the candidates; one aligned
    with the ranked sites instead (viewsheds computed only for the chosen ones)
    is accepted too.
    """
    views, n = result.candidate_viewsheds, len(result.sites)
    if views is None or len(views) == 0:
        return [None] * n
    if len(views) == len(result.candidates):
        return list(views.iloc[proposed_index(result)])
    if len(views) == n:
        return list(views)
    logger.warning("candidate viewsheds (%d) match neither the candidates (%d) nor the sites (%d); not drawn",
                   len(views), len(result.candidates), n)
    return [None] * n


def existing_viewsheds(result: RunResult) -> list[Any]:
    """Viewshed polygons of the existing cameras (None where unknown)."""
    views, n = result.existing_viewsheds, len(result.existing)
    return list(views) if views is not None and len(views) == n else [None] * n


def viewsheds(result: RunResult) -> gpd.GeoDataFrame:
    """One polygon per camera, existing and proposed: ``status``, ``camera_id``, ``rank``, ``camera_type``."""
    idx = proposed_index(result)
    ex, cands = result.existing.reset_index(drop=True), result.candidates
    frames = pd.DataFrame({
        "status": ["existing"] * len(ex) + ["proposed"] * len(idx),
        "camera_id": list(ex.get("camera_id", pd.Series(dtype=str)).astype(str))
        + list(cands["site_id"].iloc[idx].astype(str)),
        "rank": [0] * len(ex) + list(result.sites["rank"].astype(int)),
        "camera_type": list(ex.get("camera_type", pd.Series(dtype=str)).astype(str))
        + list(cands["camera_type"].iloc[idx].astype(str)),
    })
    geoms = existing_viewsheds(result) + proposed_viewsheds(result)
    return gpd.GeoDataFrame(frames, geometry=gpd.GeoSeries(geoms, crs=result.scenario.crs), crs=result.scenario.crs)
