"""The balancing of interests (intresseavvägning) per proposed site: the figures an application rests on.

For each proposed site (rank order): the purpose (the incident categories and
the evidence it rests on, counts under the privacy rule as the sites table
has them), what its view covers (streets, squares, metro entrances, the area
of the view, sensitive places in view and their share of the view), the
proposed monitoring hours, the night reach, the operator and the retention.
The texts of the legal route and the signage are added by the report, in the
run's language (:mod:`camsite.report.balancing`).

Sensitive places in view come from a :data:`SensitiveViews` function; the
default, :func:`no_view_overlap`, measures the scenario's do-not-view zones
(``[[candidates.no_view]]``) against each view. A layer of sensitive places
plugs in by passing another function with the same columns.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from camsite.result import RunResult
from camsite.timeofday import windows_text

__all__ = ["BALANCING_COLUMNS", "SENSITIVE_COLUMNS", "SensitiveViews", "balancing_table", "no_view_overlap",
           "site_views"]

#: What a :data:`SensitiveViews` function returns, one row per proposed site: ``site_id``, the places in view
#: (names joined by ", "; "" when none) and their share (%) of the view's area.
SENSITIVE_COLUMNS: tuple[str, ...] = ("site_id", "sensitive_places", "sensitive_share_pct")

#: Per site, sensitive places in view (:data:`SENSITIVE_COLUMNS`).
SensitiveViews = Callable[[RunResult], pd.DataFrame]

#: Columns of :func:`balancing_table`, in order.
BALANCING_COLUMNS: tuple[str, ...] = (
    "rank", "site_id", "street", "camera_type", "why_categories", "why_precision", "streets_seen",
    "view_area_m2", "square_area_m2", "metro_entrances", "facades", "sensitive_places", "sensitive_share_pct",
    "monitoring_hours", "night_range_m", "operator", "retention_days",
)


def site_views(result: RunResult) -> list[BaseGeometry | None]:
    """The view (viewshed polygon) of each proposed site in rank order; None where the run has none."""
    views, sites = result.candidate_viewsheds, result.sites
    if views is None or len(views) != len(result.candidates) or "candidate_index" not in sites:
        return [None] * len(sites)
    return [views.iloc[int(j)] for j in sites["candidate_index"]]


def _area(geom: BaseGeometry | None) -> float:
    return float(geom.area) if geom is not None and not geom.is_empty else 0.0


def no_view_overlap(result: RunResult) -> pd.DataFrame:
    """The do-not-view zones each proposed site's view reaches, and their share of the view's area (%)."""
    zones = result.inputs.no_view_zones
    rows = []
    for sid, view in zip(result.sites["site_id"].astype(str), site_views(result)):
        names: list[str] = []
        inside = 0.0
        if view is not None and len(zones):
            for label, name, zone in zip(zones.get("label", zones["name"]), zones["name"], zones.geometry):
                part = _area(shapely.intersection(view, zone))
                if part > 0:
                    names.append(str(label or name))
                    inside += part
        total = _area(view)
        rows.append((sid, ", ".join(names), round(100.0 * min(inside, total) / total, 1) if total > 0 else None))
    return pd.DataFrame(rows, columns=list(SENSITIVE_COLUMNS))


def _entrances_in_view(entrances: gpd.GeoDataFrame | None, view: BaseGeometry | None) -> str:
    """The stations whose entrances lie in the view, with how many: ``"Fridhemsplan (2)"``."""
    if entrances is None or entrances.empty or view is None or view.is_empty:
        return ""
    inside = shapely.intersects(view, entrances.geometry.to_numpy())
    if not inside.any():
        return ""
    names = entrances["name"].astype(str).to_numpy()[inside] if "name" in entrances else np.full(int(inside.sum()),
                                                                                               "")
    counts = pd.Series(names).value_counts().sort_index()
    return ", ".join(f"{n or '?'} ({c})" for n, c in counts.items())


def balancing_table(result: RunResult, *, sensitive: SensitiveViews | None = None) -> pd.DataFrame:
    """The figures of the balancing of interests, one row per proposed site (:data:`BALANCING_COLUMNS`).

    Parameters
    ----------
    result
        The run (pass :func:`camsite.privacy.shareable` of it for a shareable table: the categories and
        evidence then carry counts under 3 as "<3").
    sensitive
        Sensitive places in view per site (default :func:`no_view_overlap`).

    ``square_area_m2`` is None without an open-area layer (``[network] open_areas``),
    ``facades`` None without a building layer (not assessed).
    """
    sites = result.sites.reset_index(drop=True)
    views = site_views(result)
    open_areas = result.inputs.open_areas
    sens = (sensitive or no_view_overlap)(result).set_index("site_id")
    scen = result.scenario
    cams = result.instance.cameras
    assert cams.night_range_m is not None  # set by CameraModels
    night = dict(zip(cams.names, cams.night_range_m))
    out = pd.DataFrame({
        "rank": sites["rank"].astype(int), "site_id": sites["site_id"].astype(str),
        "street": sites["street"].astype(str), "camera_type": sites["camera_type"].astype(str),
        "why_categories": sites["why_categories"].fillna("").astype(str),
        "why_precision": sites["why_precision"].fillna("").astype(str),
        "streets_seen": sites["streets_seen"].fillna("").astype(str),
        "view_area_m2": [round(_area(v)) if v is not None else None for v in views],
        "square_area_m2": [None if open_areas is None or v is None else round(_area(shapely.intersection(v, open_areas)))
                           for v in views],
        "metro_entrances": [_entrances_in_view(result.inputs.entrances, v) for v in views],
        "facades": [None] * len(sites),
    })
    out["sensitive_places"] = [sens["sensitive_places"].get(s, "") for s in out["site_id"]]
    out["sensitive_share_pct"] = [sens["sensitive_share_pct"].get(s) for s in out["site_id"]]
    out["monitoring_hours"] = windows_text(scen.monitoring.hours)
    out["night_range_m"] = [None if not np.isfinite(night.get(t, np.inf)) else float(night[t])
                            for t in out["camera_type"]]
    out["operator"] = scen.permit.operator
    out["retention_days"] = scen.permit.retention_days
    return out.loc[:, list(BALANCING_COLUMNS)]
