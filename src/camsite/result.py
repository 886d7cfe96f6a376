"""The in-memory result of one run, handed from the pipeline to the writers.

:class:`RunResult` is plain data: every writer (CSV, GeoJSON, XLSX, GeoPackage,
PNG, HTML) reads from it and none changes it.  All geometries are in the
scenario's working CRS (EPSG:3011 unless the scenario overrides it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import scipy.sparse as sp
from shapely.geometry.base import BaseGeometry

from camsite.config import Scenario

__all__ = ["RunResult", "SITES_COLUMNS"]

#: Columns of sites.csv, in order (issue: end-to-end run).
SITES_COLUMNS: tuple[str, ...] = (
    "rank", "site_id", "lon", "lat", "easting", "northing", "street", "camera_type", "cost_sek",
    "gain_weight", "gain_incidents", "cumulative_cost_sek", "cumulative_coverage_pct",
)


@dataclass(frozen=True)
class RunResult:
    """Everything one ``camsite run`` computed.

    Attributes
    ----------
    scenario
        The validated scenario (with command-line overrides applied).
    study_area
        The study-area polygon.
    subareas
        Named reporting areas: columns ``name``, ``label``, ``source``, geometry.
    edges
        Street segments (one row per undirected edge): ``edge_id``, ``u``, ``v``,
        ``name``, ``highway``, ``tunnel``, ``excluded``, ``length_m``,
        ``half_width_m``, geometry.
    incidents
        Incident points as read (sensitive): ``incident_id``, ``category``,
        ``weight``, ``precision``, ``source``, geometry.
    demand
        Demand points (rows of the coverage matrix): ``demand_id``, ``kind``,
        ``category``, ``weight``, ``incidents``, ``edge_id``, geometry.
    candidates
        Candidate site variants (columns of the coverage matrix): ``site_id``,
        ``variant``, ``camera_type``, ``heading_deg``, ``cost_sek``, ``kind``,
        ``street``, geometry.
    existing
        Existing cameras: ``camera_id``, ``camera_type``, ``heading_deg``,
        ``source``, geometry.
    coverage, existing_coverage
        Sparse boolean matrices, demand × candidates and demand × existing.
    candidate_viewsheds, existing_viewsheds
        Viewshed polygons aligned with ``candidates`` and ``existing``.
    solution
        The optimisation result (:class:`camsite.optimize.Solution`).
    sites
        The ranked proposed sites: :data:`SITES_COLUMNS` plus extras.
    summary
        The content of summary.json.
    budget_curve, stages
        The coverage-budget curve and the staged plan, when asked for.
    """

    scenario: Scenario
    study_area: BaseGeometry
    subareas: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame
    coverage: sp.csr_matrix
    existing_coverage: sp.csr_matrix
    candidate_viewsheds: gpd.GeoSeries
    existing_viewsheds: gpd.GeoSeries
    solution: Any
    sites: pd.DataFrame
    summary: dict[str, Any]
    budget_curve: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    extras: dict[str, Any] = field(default_factory=dict)
