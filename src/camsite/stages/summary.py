"""Stage 4, :func:`summarise` and :func:`rank_sites`: the figures of a solved plan.

A :class:`Summary` is plain, typed data with no user-facing labels: the
report adds them (in the run's language) when it writes summary.json and the
deliverables.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from pyproj import Transformer

from camsite import ranking
from camsite.config import Scenario
from camsite.optimize import Solution
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance

__all__ = ["CameraTypeRow", "CoverageRow", "DataSource", "Summary", "not_proven", "rank_sites", "summarise"]

#: A layer whose ``source`` is one of these is made up, and every output says so.
MADE_UP_SOURCES: tuple[str, ...] = ("illustrative", "synthetic")


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one group of demand (a category or a sub-area), before and after.

    ``label`` is the scenario's own text for a sub-area, None for a category
    (the report labels categories in its language).
    """

    name: str
    label: str | None
    weight_total: float
    incidents_total: float
    before_pct: float | None
    after_pct: float | None
    incidents_before: float
    incidents_after: float


@dataclass(frozen=True)
class CameraTypeRow:
    """A camera type as the run used it (``cost_sek`` over the horizon)."""

    name: str
    label: str
    range_m: float
    fov_deg: float
    capex_sek: float
    opex_sek_per_year: float
    cost_sek: float
    source: str


@dataclass(frozen=True)
class DataSource:
    """One input layer: its file, stated source, provenance and rows used."""

    layer: str
    file: str
    source: str
    provenance: str
    rows: int
    attribution: str | None = None


@dataclass(frozen=True)
class Summary:
    """The figures of one run (summary.json is written from this, in this order)."""

    scenario: str
    title: str
    scenario_file: str | None
    date: str
    crs: str
    budget_sek: float
    spent_sek: float
    n_new_sites: int
    coverage_before_pct: float
    coverage_after_pct: float
    objective: float
    bound: float
    gap: float
    status: str
    solver: str
    runtime_s: float
    solve_runtime_s: float
    n_demand: int
    n_candidates: int
    n_candidate_sites: int
    n_existing_cameras: int
    n_incidents: int
    weight_total: float
    horizon_years: float
    greedy_objective: float | None
    lp_bound: float | None
    coverage_by_category: tuple[CoverageRow, ...]
    coverage_by_subarea: tuple[CoverageRow, ...]
    budget_curve_knee: Mapping[str, Any] | None
    camera_types: tuple[CameraTypeRow, ...]
    category_weights: Mapping[str, float]
    incident_stats: Mapping[str, Any]
    demand_stats: Mapping[str, Any]
    data_sources: tuple[DataSource, ...]
    illustrative_layers: tuple[str, ...]
    curve_not_proven: int = 0
    stages_not_proven: int = 0


def _lonlat(xs: NDArray[np.float64], ys: NDArray[np.float64], crs: str) -> tuple[NDArray[np.float64], ...]:
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def _incident_gains(cov: sp.csr_matrix, incidents: NDArray[np.float64], order: NDArray[np.int64],
                    existing_mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    covered = existing_mask.copy()
    csc = cov.tocsc()
    gains = []
    for j in order:
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        gains.append(float(incidents[rows[~covered[rows]]].sum()))
        covered[rows] = True
    return np.asarray(gains)


def rank_sites(instance: Instance, solution: Solution, *, crs: str) -> pd.DataFrame:
    """The chosen sites ranked by marginal gain, with the columns of sites.csv and a few extras."""
    weights, ex = instance.weights, instance.existing_mask
    order, gains = ranking.rank_by_marginal_gain(instance.coverage, weights, solution.selected, existing=ex)
    inc_gains = _incident_gains(instance.coverage, instance.demand["incidents"].to_numpy(float), order, ex)
    chosen = instance.candidates.iloc[order]
    xs, ys = chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()
    lon, lat = _lonlat(xs, ys, crs)
    total = weights.sum()
    before = float(weights[ex].sum())
    cost = chosen["cost_sek"].to_numpy(float)
    return pd.DataFrame({
        "rank": np.arange(1, len(order) + 1),
        "site_id": chosen["site_id"].to_numpy(),
        "lon": np.round(lon, 6), "lat": np.round(lat, 6),
        "easting": np.round(xs, 1), "northing": np.round(ys, 1),
        "street": chosen["street"].fillna("").to_numpy(),
        "camera_type": chosen["camera_type"].to_numpy(),
        "cost_sek": np.round(cost, 0),
        "gain_weight": np.round(gains, 4),
        "gain_incidents": np.round(inc_gains, 3),
        "cumulative_cost_sek": np.round(np.cumsum(cost), 0),
        "cumulative_coverage_pct": np.round(100 * (before + np.cumsum(gains)) / total, 3) if total > 0 else 0.0,
        "variant": chosen["variant"].to_numpy(),
        "heading_deg": chosen["heading_deg"].to_numpy(float),
        "kind": chosen["kind"].to_numpy(),
        "candidate_index": order,
    })


def _breakdown(demand: gpd.GeoDataFrame, before: NDArray[np.bool_], after: NDArray[np.bool_],
               groups: Mapping[str, NDArray[np.bool_]], labels: Mapping[str, str] | None) -> tuple[CoverageRow, ...]:
    w = demand["weight"].to_numpy(float)
    inc = demand["incidents"].to_numpy(float)
    rows = []
    for name, mask in groups.items():
        wt = float(w[mask].sum())
        rows.append(CoverageRow(
            name=name, label=None if labels is None else labels.get(name, name), weight_total=round(wt, 4),
            incidents_total=round(float(inc[mask].sum()), 3),
            before_pct=round(100 * float(w[mask & before].sum()) / wt, 3) if wt > 0 else None,
            after_pct=round(100 * float(w[mask & after].sum()) / wt, 3) if wt > 0 else None,
            incidents_before=round(float(inc[mask & before].sum()), 3),
            incidents_after=round(float(inc[mask & after].sum()), 3)))
    return tuple(rows)


def _shown(scenario: Scenario, path: str) -> str:
    """A file as shareable outputs name it: relative to the scenario file's folder (no user's home in a report)."""
    return Path(os.path.relpath(scenario.resolve(path), scenario.base_dir)).as_posix()


def data_sources(scenario: Scenario, inputs: Inputs) -> tuple[DataSource, ...]:
    """The layers a run used, with their files (relative to the scenario file), stated sources and rows."""
    src = [DataSource("network", _shown(scenario, scenario.network.path), scenario.network.source,
                      str(inputs.network.graph.graph.get("source", "")), len(inputs.network.edges),
                      "© OpenStreetMap contributors, ODbL 1.0")]
    for layer in scenario.incidents:
        src.append(DataSource(f"incidents:{layer.name}", _shown(scenario, layer.path), layer.source,
                              layer.source, len(inputs.incidents)))
    cam = scenario.existing_cameras
    if cam is not None:
        src.append(DataSource("existing_cameras", _shown(scenario, cam.path), cam.source, cam.source,
                              len(inputs.existing)))
    return tuple(src)


def summarise(scenario: Scenario, inputs: Inputs, instance: Instance, solution: Solution, *, sites: pd.DataFrame,
              knee: Mapping[str, Any] | None, runtime_s: float, curve: pd.DataFrame | None = None,
              staged: pd.DataFrame | None = None) -> Summary:
    """The figures of a solved plan (coverage before and after, per category and sub-area, the solve's proof).

    ``curve`` and ``staged`` (the budget curve and staged plan, when computed)
    give the counts of their solves that were not proven optimal.
    """
    demand, ex = instance.demand, instance.existing_mask
    after = ranking.covered_mask(instance.coverage, solution.selected, ex)
    weights, opt = instance.weights, scenario.optimization
    cats = {c: demand["category"].eq(c).to_numpy() for c in sorted(demand["category"].unique())}
    subs = inputs.subareas
    sub_masks = {r.name: demand.geometry.within(r.geometry).to_numpy() for r in subs.itertuples()}
    sources = data_sources(scenario, inputs)
    lp = solution.lp_bound
    return Summary(
        scenario=scenario.name, title=scenario.title, scenario_file=Path(scenario.source_file).name if scenario.source_file else None,
        date=dt.date.today().isoformat(), crs=scenario.crs, budget_sek=opt.budget_sek,
        spent_sek=round(float(sites["cost_sek"].sum()), 2), n_new_sites=len(sites),
        coverage_before_pct=round(ranking.coverage_pct(weights, ex), 4),
        coverage_after_pct=round(ranking.coverage_pct(weights, after), 4),
        objective=solution.objective, bound=solution.bound, gap=solution.gap, status=solution.status,
        solver=opt.solver, runtime_s=round(runtime_s, 3), solve_runtime_s=round(float(solution.runtime_s), 3),
        n_demand=len(demand), n_candidates=len(instance.candidates),
        n_candidate_sites=int(instance.candidates["site_id"].nunique()), n_existing_cameras=len(instance.existing),
        n_incidents=len(inputs.incidents), weight_total=round(float(weights.sum()), 4),
        horizon_years=opt.horizon_years, greedy_objective=solution.greedy_objective,
        # the LP relaxation is solved to a tolerance: HiGHS and CBC differ around the 9th digit
        lp_bound=None if lp is None else round(float(lp), 6),
        coverage_by_category=_breakdown(demand, ex, after, cats, None),
        coverage_by_subarea=_breakdown(demand, ex, after, sub_masks, dict(zip(subs["name"], subs["label"]))),
        budget_curve_knee=knee,
        camera_types=tuple(CameraTypeRow(c.name, c.label, c.range_m, c.fov_deg, c.capex_sek, c.opex_sek_per_year,
                                         c.cost_sek(opt.horizon_years), c.source) for c in scenario.camera_types),
        category_weights=dict(scenario.category_weights), incident_stats=dict(inputs.incident_stats),
        demand_stats=dict(instance.demand_stats), data_sources=sources,
        illustrative_layers=tuple(d.layer for d in sources if d.source.lower() in MADE_UP_SOURCES),
        curve_not_proven=not_proven(curve), stages_not_proven=not_proven(staged))


def not_proven(table: pd.DataFrame | None) -> int:
    """How many rows of a budget-curve or staged-plan table were not proven optimal.

    >>> not_proven(pd.DataFrame({"proven_optimal": [True, False, False]})), not_proven(None)
    (2, 0)
    """
    if table is None or "proven_optimal" not in table:
        return 0
    return int((~table["proven_optimal"].astype(bool)).sum())
