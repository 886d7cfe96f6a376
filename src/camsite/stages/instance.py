"""Stage 2, :func:`build_instance`: demand, candidates and coverage from the inputs.

An :class:`Instance` is what the optimiser needs (the coverage matrix, weights,
costs, existing coverage) together with the frames the report draws from.
It takes only its own configuration: the demand and candidate sections, the
category weights and the camera models.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from camsite import candidates as candidates_mod
from camsite import coverage as coverage_mod
from camsite import demand as demand_mod
from camsite import procs, sensitive
from camsite.cameras import CameraModels
from camsite.config import CandidateConfig, DemandConfig, MonitoringConfig, QualityConfig
from camsite.errors import InputError
from camsite.stages._graded import existing_views, pair_values
from camsite.stages._timeofday import cut_pairs, demand_by_class, needs_split
from camsite.stages.inputs import Inputs
from camsite.stages.rows import ValueRows, value_rows
from camsite.uncertainty import hide_rows

logger = logging.getLogger(__name__)

__all__ = ["UNCOVERABLE_REASONS", "CoverageModel", "Instance", "build_instance", "demand_reach", "district_map",
           "uncoverable_reasons"]

#: How a camera's view of a demand point counts: seen or not (``binary``), or valued by its EN 62676-4 level and
#: the camera's share of the time (``graded``; ``[quality] coverage``).
CoverageModel = Literal["binary", "graded"]


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
    coverage_model
        ``"binary"`` or ``"graded"`` (:data:`CoverageModel`), chosen once by :func:`build_instance`; graded
        instances carry :attr:`levels`, :attr:`shares` and their value rows (:attr:`rows`).
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
    #: Demand no candidate and no existing camera can see: ``demand_id``, ``reason`` (:data:`UNCOVERABLE_REASONS`).
    uncoverable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"demand_id": [], "reason": []}))
    #: Do-not-view zones, one row per zone: ``name``, ``label``, ``candidates_masked``, ``candidates_removed``.
    no_view: pd.DataFrame = field(default_factory=coverage_mod.empty_no_view)
    #: The optimiser's rows (:mod:`camsite.stages.rows`); default: binary coverage, one row per demand point.
    optimiser_rows: ValueRows | None = None
    #: Graded coverage only: EN 62676-4 level codes (1 detect .. 4 identify) of the pairs of :attr:`coverage`
    #: and :attr:`existing_coverage`, and each candidate's and existing camera's share of the time.
    levels: sp.csr_matrix | None = None
    existing_levels: sp.csr_matrix | None = None
    shares: NDArray[np.float64] | None = None
    existing_shares: NDArray[np.float64] | None = None
    coverage_model: CoverageModel = "binary"

    def __post_init__(self) -> None:
        if self.coverage_model not in ("binary", "graded"):
            raise ValueError(f"coverage_model must be 'binary' or 'graded', not {self.coverage_model!r}")
        if self.graded != (self.levels is not None):
            raise ValueError(f"a {self.coverage_model} instance {'needs' if self.graded else 'has no'} level codes")
        if self.optimiser_rows is None:  # binary coverage: the rows are the demand points
            object.__setattr__(self, "optimiser_rows", value_rows(self.coverage, self.weights, self.existing_mask))

    @property
    def graded(self) -> bool:
        """Graded coverage (:attr:`coverage_model`): each pair counts the value of its level, not just seen."""
        return self.coverage_model == "graded"

    @property
    def rows(self) -> ValueRows:
        """The optimiser's rows: every solve and every covered-weight figure uses these."""
        assert self.optimiser_rows is not None  # set in __post_init__
        return self.optimiser_rows

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


def _dry(gdf: gpd.GeoDataFrame, water: BaseGeometry | None) -> tuple[gpd.GeoDataFrame, int]:
    """``gdf`` without the points in ``water``, and how many were left out."""
    if water is None or water.is_empty or gdf.empty:
        return gdf, 0
    wet = shapely.intersects(water, gdf.geometry.to_numpy())
    return gdf[~wet].reset_index(drop=True), int(wet.sum())


def district_map(districts: gpd.GeoDataFrame) -> dict[str, BaseGeometry]:
    """District polygons by name as incidents name them (stripped, case-folded)."""
    return {str(n).strip().casefold(): g for n, g in zip(districts["name"], districts.geometry)} \
        if len(districts) else {}


#: Why no camera can see a demand point (keys of :func:`uncoverable_reasons`).
UNCOVERABLE_REASONS = ("excluded_zone", "too_far", "no_line_of_sight", "underground", "outside_hours")


def uncoverable_reasons(demand: gpd.GeoDataFrame, unseen: NDArray[np.bool_], cands: gpd.GeoDataFrame,
                        zones: gpd.GeoDataFrame, reach_m: float) -> pd.DataFrame:
    """The demand no candidate and no existing camera can see, with the reason.

    ``excluded_zone``: the point lies in a zone where no camera may go;
    ``too_far``: no candidate site within the longest camera range;
    ``no_line_of_sight``: candidates are near, but none sees it (buildings,
    the field of view, or no open space between); ``outside_hours``: the
    incidents happened outside the proposed cameras' monitoring hours (``[monitoring]``).
    """
    ix = np.flatnonzero(unseen)
    pts = demand.geometry.to_numpy()[ix]
    reason = np.full(len(ix), "no_line_of_sight", dtype=object)
    if len(ix) and len(cands):
        tree = shapely.STRtree(cands.geometry.to_numpy())
        near, _ = tree.query(pts, predicate="dwithin", distance=reach_m)
        far = np.ones(len(ix), bool)
        far[near] = False
        reason[far] = "too_far"
    hard = zones[zones["penalty_sek"].isna()] if len(zones) else zones
    if len(ix) and len(hard):
        inside = shapely.intersects(hard.geometry.union_all(), pts)
        reason[inside] = "excluded_zone"
    if len(ix) and "watched" in demand.columns:
        reason[~demand["watched"].to_numpy(bool)[ix]] = "outside_hours"
    return pd.DataFrame({"demand_id": demand["demand_id"].to_numpy()[ix], "reason": reason})


def _renumber(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    demand = demand.reset_index(drop=True)
    demand["demand_id"] = np.arange(len(demand))
    demand.index = pd.RangeIndex(len(demand), name="demand_id")
    return demand


def _no_view(cands: gpd.GeoDataFrame, cov: coverage_mod.Coverage, demand: gpd.GeoDataFrame, inputs: Inputs,
             cfg: CandidateConfig, cameras: CameraModels, *,
             viewsheds: bool) -> tuple[gpd.GeoDataFrame, coverage_mod.Coverage, pd.DataFrame]:
    """The do-not-view zones applied: removed variants leave the candidates, the matrix and the viewsheds alike."""
    nv = coverage_mod.apply_no_view(cov.matrix, demand, cands, inputs.no_view_zones, cameras, inputs.open_space,
                                    mode=cfg.no_view_mode, min_view_share=cfg.min_view_share,
                                    viewsheds=cov.viewsheds if viewsheds else None)
    keep = np.flatnonzero(nv.keep)
    if not len(keep):
        raise InputError("every candidate site looks into a do-not-view zone", where="candidates.no_view")
    views = (nv.viewsheds if viewsheds else cov.viewsheds).iloc[keep].reset_index(drop=True)
    matrix = sp.csr_matrix(nv.matrix[:, keep])
    levels = None if cov.levels is None else sp.csr_matrix(cov.levels.multiply(nv.matrix)[:, keep], dtype=np.uint8)
    return (cands.iloc[keep].reset_index(drop=True),
            coverage_mod.Coverage(matrix=matrix, viewsheds=views, levels=levels), nv.zones)


def demand_reach(area: BaseGeometry, demand_cfg: DemandConfig, cameras: CameraModels) -> BaseGeometry:
    """The study area widened by ``demand.margin_m`` (default the longest camera range): where demand is built,
    so a camera at the edge sees demand just outside."""
    margin = float(cameras.range_m.max()) if demand_cfg.margin_m is None else demand_cfg.margin_m
    return area.buffer(margin) if margin > 0 else area


def build_instance(inputs: Inputs, demand_cfg: DemandConfig, candidate_cfg: CandidateConfig,
                   cameras: CameraModels, *, category_weights: Mapping[str, float],
                   viewsheds: bool = True, quality: QualityConfig | None = None,
                   monitoring: MonitoringConfig | None = None, parallel: bool = False) -> Instance:
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
    quality
        The scenario's ``[quality]``; graded coverage values each pair by its EN 62676-4 level and the camera's
        share of the time (default: binary). The choice is carried by :attr:`Instance.coverage_model`.
    monitoring
        The scenario's ``[monitoring]``: incidents are split by their class of hour (night, inside the
        monitoring hours; :mod:`camsite.stages._timeofday`) and a camera credits an incident only in its hours,
        at night only within its type's ``night_range_m`` (default: all day, no night reach).
    parallel
        The candidates built on a forked child while this process builds the demand (the same ones; 0.1 s less
        on the default scenario): only where this process may fork (``camsite run``; not a server's threads).

    Raises
    ------
    InputError
        When no demand has weight, no candidate lies in the study area or no
        candidate can see any weighted demand.
    """
    area = inputs.study_area
    (demand, stats), cands = _demand_and_candidates(inputs, demand_cfg, candidate_cfg, cameras, category_weights,
                                                    split := monitoring if needs_split(monitoring) else None,
                                                    parallel)
    model: CoverageModel = "graded" if quality is not None and quality.coverage == "graded" else "binary"
    if model == "graded":
        cameras = cameras.graded()  # nothing beyond detection
    cov = coverage_mod.coverage_matrix(demand, cands, cameras, open_space=inputs.open_space, viewsheds=viewsheds,
                                       graded=model == "graded")
    cov = _hide_underground(cov, demand)
    no_view = coverage_mod.empty_no_view()
    if len(inputs.no_view_zones):  # places no view may include: masked out, or the variants seeing them removed
        cands, cov, no_view = _no_view(cands, cov, demand, inputs, candidate_cfg, cameras, viewsheds=viewsheds)
    if inputs.residential is not None and candidate_cfg.residential_mode == "cost":
        cands = _residential_cost(cands, cov.viewsheds if viewsheds else None, inputs,
                                  candidate_cfg.residential_penalty_sek, cameras)
    existing, ex_share = existing_views(inputs.existing, cameras) if model == "graded" else (inputs.existing, None)
    ex_cov = _hide_underground(coverage_mod.coverage_matrix(demand, existing, cameras, open_space=inputs.open_space,
                                                            viewsheds=viewsheds, graded=model == "graded"), demand)
    if split is not None:  # hours and night reach: pairs a camera cannot credit are cut
        cov, ex_cov = _by_time(cov, demand, cands, cameras, "watched"), \
            _by_time(ex_cov, demand, existing, cameras, "watched_existing")
    pairs = _Pairs(cov.matrix, ex_cov.matrix)
    if model == "graded":
        assert quality is not None and ex_share is not None  # graded: set above
        pairs = _graded_pairs(cov, ex_cov, cameras.lookup(cands["camera_type"].astype(str), "share"), ex_share,
                              demand["kind"].to_numpy(object), quality)
    keep = demand.geometry.within(area).to_numpy() | pairs.seen()  # just outside: kept where a camera sees it
    stats["outside_not_seen"] = int((~keep).sum())
    stats["outside_not_seen_weight"] = float(demand["weight"].to_numpy(float)[~keep].sum())
    if not keep.all():
        demand, pairs = _renumber(demand[keep]), pairs.kept(keep)
    weights = demand["weight"].to_numpy(float)
    existing_mask = _any_per_row(pairs.existing)
    coverable = _any_per_row(pairs.candidates) | existing_mask
    if not (weights[coverable] > 0).any():
        raise InputError("no demand point with weight > 0 can be seen from any candidate site (check camera ranges "
                         "and the street corridor widths)", where="camera_types")
    return Instance(demand=demand, candidates=cands, existing=existing, coverage=pairs.candidates,
                    existing_coverage=pairs.existing, candidate_viewsheds=cov.viewsheds,
                    uncoverable=_unseen(demand, ~coverable, cands, inputs, cameras),
                    existing_viewsheds=ex_cov.viewsheds, weights=weights,
                    costs=cands["cost_sek"].to_numpy(float), existing_mask=existing_mask, cameras=cameras,
                    demand_stats=stats, no_view=no_view, coverage_model=model,
                    **(pairs.graded_fields(weights, keep, cov, ex_cov) if model == "graded" else {}))


def _demand_and_candidates(inputs: Inputs, demand_cfg: DemandConfig, candidate_cfg: CandidateConfig,
                           cameras: CameraModels, category_weights: Mapping[str, float],
                           split: MonitoringConfig | None, parallel: bool
                           ) -> tuple[tuple[gpd.GeoDataFrame, dict[str, Any]], gpd.GeoDataFrame]:
    """The demand (and its counts) and the candidates; with ``parallel`` the candidates on a forked child."""
    with procs.Forked(lambda: _candidates(inputs, candidate_cfg, cameras), background=parallel) as making:
        demand = _demand(inputs, demand_cfg, demand_reach(inputs.study_area, demand_cfg, cameras),
                         category_weights=category_weights, monitoring=split)
        return demand, making.result()


def _unseen(demand: gpd.GeoDataFrame, unseen: NDArray[np.bool_], cands: gpd.GeoDataFrame, inputs: Inputs,
            cameras: CameraModels) -> pd.DataFrame:
    """Why each demand point no camera can see is unseen (:func:`uncoverable_reasons`); underground demand
    (no street camera sees it) says so."""
    out = uncoverable_reasons(demand, unseen, cands, inputs.exclusion_zones, float(cameras.range_m.max()))
    if "underground" in demand.columns:
        out.loc[demand["underground"].to_numpy(bool)[out["demand_id"].to_numpy(int)], "reason"] = "underground"
    return out


def _residential_cost(cands: gpd.GeoDataFrame, views: gpd.GeoSeries | None, inputs: Inputs, penalty_sek: float,
                      cameras: CameraModels) -> gpd.GeoDataFrame:
    """The candidates with ``penalty_sek`` added to each variant whose view (``views``; None: computed here)
    reaches a residential façade."""
    assert inputs.residential is not None  # the caller checks
    if views is None:
        views = coverage_mod.viewsheds(cands, cameras, open_space=inputs.open_space)
    extra = sensitive.residential_penalty(views, inputs.residential, penalty_sek=penalty_sek)
    logger.info("residential façades: %d of %d variants cost %.0f SEK more", int((extra > 0).sum()), len(cands),
                penalty_sek)
    return cands.assign(cost_sek=cands["cost_sek"].to_numpy(float) + extra,
                        penalty_sek=cands["penalty_sek"].to_numpy(float) + extra)


def _demand(inputs: Inputs, demand_cfg: DemandConfig, reach: BaseGeometry, *, category_weights: Mapping[str, float],
            monitoring: MonitoringConfig | None = None) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The demand points within ``reach`` and out of the water, numbered, and the counts from building them;
    with ``monitoring``, incidents of each class of hour are built apart."""
    def build(incidents: gpd.GeoDataFrame, cfg: DemandConfig, space: bool) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
        return demand_mod.build_demand(
            inputs.network, incidents, cfg if space else replace(cfg, street_weight_per_m=0.0, footfall=None),
            category_weights=category_weights, footfall=inputs.footfall if space else None, study_area=reach,
            districts=district_map(inputs.districts), entrances=inputs.entrances,
            open_areas=inputs.open_areas if space else None, open_space=inputs.open_space)

    if monitoring is None:
        demand, stats = build(inputs.incidents, demand_cfg, True)
    else:
        demand, stats = demand_by_class(inputs.incidents, demand_cfg, monitoring, build)
    demand, stats["in_water"] = _dry(_inside(demand, reach), inputs.water)
    demand = _renumber(demand)
    if demand.empty or demand["weight"].sum() <= 0:
        raise InputError("no demand with weight > 0 inside the study area (check incident layers, category weights "
                         "and demand.street_weight_per_m)", where="demand")
    return demand, stats


def _candidates(inputs: Inputs, candidate_cfg: CandidateConfig, cameras: CameraModels) -> gpd.GeoDataFrame:
    """The candidate site variants inside the study area and out of the water."""
    cands = _inside(candidates_mod.build_candidates(
        inputs.network, inputs.existing, candidate_cfg, cameras=cameras, crs=inputs.crs,
        mounting_points=inputs.mounting_points, exclusion_zones=inputs.exclusion_zones), inputs.study_area)
    cands, n_wet = _dry(cands, inputs.water)
    if n_wet:
        logger.info("%d candidate sites lie in water (on bridges or quays): left out", n_wet)
    if cands.empty:
        raise InputError("no candidate site inside the study area", where="candidates")
    return cands


def _by_time(cov: coverage_mod.Coverage, demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, cameras: CameraModels,
             watched: str) -> coverage_mod.Coverage:
    """``cov`` without the pairs outside the sites' hours or beyond their night reach (levels alike)."""
    matrix = cut_pairs(cov.matrix, demand, sites, cameras, watched=watched)
    levels = None if cov.levels is None else sp.csr_matrix(cov.levels.multiply(matrix), dtype=np.uint8)
    return coverage_mod.Coverage(matrix=matrix, viewsheds=cov.viewsheds, levels=levels)


def _any_per_row(matrix: sp.csr_matrix) -> NDArray[np.bool_]:
    """Rows with at least one entry (demand points some site sees)."""
    return np.asarray(np.asarray(matrix.sum(axis=1)).ravel() > 0, dtype=bool)


@dataclass(frozen=True)
class _Pairs:
    """Who sees what, demand × candidates and demand × existing cameras; with graded coverage also the values."""

    candidates: sp.csr_matrix
    existing: sp.csr_matrix
    values: sp.csr_matrix | None = None
    existing_values: sp.csr_matrix | None = None
    shares: NDArray[np.float64] | None = None
    existing_shares: NDArray[np.float64] | None = None

    def seen(self) -> NDArray[np.bool_]:
        """Demand points some candidate or existing camera sees."""
        return _any_per_row(self.candidates) | _any_per_row(self.existing)

    def kept(self, keep: NDArray[np.bool_]) -> _Pairs:
        """The pairs of the demand points ``keep`` only."""
        return replace(self, candidates=self.candidates[keep], existing=self.existing[keep],
                       values=None if self.values is None else self.values[keep],
                       existing_values=None if self.existing_values is None else self.existing_values[keep])

    def graded_fields(self, weights: NDArray[np.float64], keep: NDArray[np.bool_], cov: coverage_mod.Coverage,
                      ex_cov: coverage_mod.Coverage) -> dict[str, Any]:
        """:class:`Instance`'s graded fields: the optimiser's value rows, the shares of the time and the level
        codes of the kept demand points (``keep``: before :meth:`kept`; ``cov``, ``ex_cov``: with levels)."""
        values, ex_values = self.values, self.existing_values
        assert values is not None and ex_values is not None and cov.levels is not None and ex_cov.levels is not None
        e0 = ex_values.max(axis=1).toarray().ravel() if ex_values.shape[1] else np.zeros(len(weights))
        return {"optimiser_rows": value_rows(values, weights, e0), "shares": self.shares,
                "existing_shares": self.existing_shares,
                "levels": _levels_kept(cov.levels, keep, self.candidates),
                "existing_levels": _levels_kept(ex_cov.levels, keep, self.existing)}


def _graded_pairs(cov: coverage_mod.Coverage, ex_cov: coverage_mod.Coverage, share: NDArray[np.float64],
                  ex_share: NDArray[np.float64], kinds: NDArray[np.object_], quality: QualityConfig) -> _Pairs:
    """Graded coverage: each pair's value (:func:`~camsite.stages._graded.pair_values`); a pair is seen when its
    value is above 0."""
    assert cov.levels is not None and ex_cov.levels is not None  # coverage_matrix(..., graded=True)
    values = pair_values(cov.levels, kinds, share, quality)
    ex_values = pair_values(ex_cov.levels, kinds, ex_share, quality)
    return _Pairs(values.astype(bool), ex_values.astype(bool), values, ex_values, share, ex_share)


def _hide_underground(cov: coverage_mod.Coverage, demand: gpd.GeoDataFrame) -> coverage_mod.Coverage:
    """The coverage with the rows of underground demand points emptied."""
    hidden = demand["underground"].to_numpy(bool) if "underground" in demand.columns else np.zeros(len(demand), bool)
    if not hidden.any():
        return cov
    levels = None if cov.levels is None else hide_rows(cov.levels, hidden)
    return dataclasses.replace(cov, matrix=hide_rows(cov.matrix, hidden), levels=levels)


def _levels_kept(levels: sp.csr_matrix, keep: NDArray[np.bool_], seen: sp.csr_matrix) -> sp.csr_matrix:
    """Level codes of the kept demand rows, only where the pair has a value."""
    out = sp.csr_matrix(levels[keep].multiply(seen), dtype=np.uint8)
    out.eliminate_zeros()
    return out
