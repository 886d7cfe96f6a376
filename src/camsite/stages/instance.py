"""Stage 2, :func:`build_instance`: demand, candidates and coverage from the inputs.

An :class:`Instance` is what the optimiser needs (the coverage matrix, weights,
costs, existing coverage) together with the frames the report draws from.
It takes only its own configuration: the demand and candidate sections, the
category weights and the camera models.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite import candidates as candidates_mod
from camsite import coverage as coverage_mod
from camsite import demand as demand_mod
from camsite.cameras import CameraModels
from camsite.config import CandidateConfig, DemandConfig
from camsite.errors import InputError
from camsite.stages.inputs import Inputs

logger = logging.getLogger(__name__)

__all__ = ["Instance", "build_instance"]


@dataclass(frozen=True, eq=False)
class Instance:
    """One siting problem: demand points, candidate variants and who sees what.

    Attributes
    ----------
    demand
        Demand points inside the study area (rows of :attr:`coverage`): ``demand_id``, ``kind``,
        ``category``, ``weight``, ``incidents``, ``edge_id``, geometry.
    candidates
        Candidate site variants inside the study area (columns of :attr:`coverage`).
    existing
        Existing cameras (columns of :attr:`existing_coverage`).
    coverage, existing_coverage
        Boolean CSR matrices: demand × candidates, demand × existing cameras.
    candidate_viewsheds, existing_viewsheds
        Viewshed polygons aligned with the candidates and the existing cameras.
    weights, costs
        Demand weights and candidate costs (SEK over the horizon), as arrays.
    existing_mask
        Demand points some existing camera already sees.
    cameras
        The camera models used.
    demand_stats
        Counts from building the demand (snapped, spread, footfall, ...).
    """

    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame
    coverage: sp.csr_matrix
    existing_coverage: sp.csr_matrix
    candidate_viewsheds: gpd.GeoSeries
    existing_viewsheds: gpd.GeoSeries
    weights: NDArray[np.float64]
    costs: NDArray[np.float64]
    existing_mask: NDArray[np.bool_]
    cameras: CameraModels
    demand_stats: Mapping[str, Any]

    @property
    def site_ids(self) -> NDArray[np.object_]:
        """The physical site id of each candidate variant."""
        return np.asarray(self.candidates["site_id"].to_numpy(), dtype=object)

    @property
    def xy(self) -> NDArray[np.float64]:
        """Candidate coordinates, shape (n, 2), in the working CRS."""
        g = self.candidates.geometry
        return np.column_stack([g.x.to_numpy(float), g.y.to_numpy(float)])


def _inside(gdf: gpd.GeoDataFrame, area: BaseGeometry) -> gpd.GeoDataFrame:
    mask = gdf.geometry.within(area).to_numpy() if len(gdf) else np.zeros(0, bool)
    return gdf[mask].reset_index(drop=True)


def _renumber(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    demand = demand.reset_index(drop=True)
    demand["demand_id"] = np.arange(len(demand))
    demand.index = pd.RangeIndex(len(demand), name="demand_id")
    return demand


def build_instance(inputs: Inputs, demand_cfg: DemandConfig, candidate_cfg: CandidateConfig,
                   cameras: CameraModels, *, category_weights: Mapping[str, float],
                   viewsheds: bool = True) -> Instance:
    """Demand, candidates and coverage for ``inputs``.

    Parameters
    ----------
    inputs
        From :func:`~camsite.stages.load_inputs`.
    demand_cfg, candidate_cfg
        The scenario's ``[demand]`` and ``[candidates]`` sections.
    cameras
        The camera models (range, field of view, cost over the horizon, types offered).
    category_weights
        Weight per incident category.
    viewsheds
        Compute viewshed polygons for the maps (not needed by the optimiser).

    Raises
    ------
    InputError
        When no demand has weight, no candidate lies in the study area or no
        candidate can see any weighted demand.
    """
    area = inputs.study_area
    demand, stats = demand_mod.build_demand(inputs.network, inputs.incidents, demand_cfg,
                                            category_weights=category_weights, footfall=inputs.footfall,
                                            study_area=area)
    demand = _renumber(_inside(demand, area))
    if demand.empty or demand["weight"].sum() <= 0:
        raise InputError("no demand with weight > 0 inside the study area (check incident layers, category weights "
                         "and demand.street_weight_per_m)", where="demand")
    cands = _inside(candidates_mod.build_candidates(
        inputs.network, inputs.existing, candidate_cfg, cameras=cameras, crs=inputs.crs,
        mounting_points=inputs.mounting_points, exclusion_zones=inputs.exclusion_zones), area)
    if cands.empty:
        raise InputError("no candidate site inside the study area", where="candidates")
    cov = coverage_mod.coverage_matrix(demand, cands, cameras, open_space=inputs.open_space, viewsheds=viewsheds)
    ex_cov = coverage_mod.coverage_matrix(demand, inputs.existing, cameras, open_space=inputs.open_space,
                                          viewsheds=viewsheds)
    existing_mask = np.asarray(ex_cov.matrix.sum(axis=1)).ravel() > 0
    weights = demand["weight"].to_numpy(float)
    coverable = (np.asarray(cov.matrix.sum(axis=1)).ravel() > 0) | existing_mask
    if not (weights[coverable] > 0).any():
        raise InputError("no demand point with weight > 0 can be seen from any candidate site (check camera ranges "
                         "and the street corridor widths)", where="camera_types")
    return Instance(demand=demand, candidates=cands, existing=inputs.existing, coverage=cov.matrix,
                    existing_coverage=ex_cov.matrix, candidate_viewsheds=cov.viewsheds,
                    existing_viewsheds=ex_cov.viewsheds, weights=weights,
                    costs=cands["cost_sek"].to_numpy(float), existing_mask=existing_mask, cameras=cameras,
                    demand_stats=stats)
