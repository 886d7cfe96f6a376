"""The camsite pipeline: scenario in, :class:`~camsite.result.RunResult` out.

:func:`run` chains the pure steps (network, layers, demand, candidates,
coverage, optimisation, ranking) and reports progress through an optional
callback, so the CLI can draw progress bars while the library never prints.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from camsite import areas, candidates as candidates_mod, coverage as coverage_mod, demand as demand_mod
from camsite import layers, network, optimize, ranking
from camsite.config import CATEGORY_LABELS, Scenario
from camsite.errors import InputError, SolverError
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["run", "STEPS", "Progress"]

#: The steps :func:`run` reports, in order.
STEPS: tuple[str, ...] = (
    "network", "incidents", "cameras", "demand", "candidates", "coverage", "optimise", "curve", "rank",
)

#: Progress callback: called with the step name and its 0-based index when the step starts.
Progress = Callable[[str, int], None]

STREET_CATEGORY = "gata"


def _apply_layer_overrides(scenario: Scenario, incidents: str | Path | None, cameras: str | Path | None) -> Scenario:
    from dataclasses import replace

    if incidents is not None:
        base = scenario.incidents[0] if scenario.incidents else None
        path = str(Path(incidents).resolve())
        layer = replace(base, path=path, source=f"{base.source} (--incidents)") if base else None
        if layer is None:
            from camsite.config import PointLayer

            layer = PointLayer(path=path, source="--incidents")
        scenario = replace(scenario, incidents=(layer,))
    if cameras is not None:
        from camsite.config import CameraLayer

        base_cam = scenario.existing_cameras or CameraLayer(path="")
        scenario = replace(scenario, existing_cameras=replace(base_cam, path=str(Path(cameras).resolve()),
                                                              source=base_cam.source or "--cameras"))
    return scenario


def _read_incidents(scenario: Scenario, study_area: Any) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    frames = [layers.read_incidents(layer, scenario) for layer in scenario.incidents]
    if not frames:
        return layers.empty_incidents(scenario.crs), {"read": 0, "outside_study_area": 0, "dropped": {}}
    dropped: dict[str, int] = {}  # rows the readers left out, by reason (each was also logged as a warning)
    for frame in frames:
        for reason, n in frame.attrs.get("dropped", {}).items():
            dropped[reason] = dropped.get(reason, 0) + int(n)
    inc = pd.concat(frames, ignore_index=True)
    inc = gpd.GeoDataFrame(inc, geometry="geometry", crs=scenario.crs)
    inside = inc.geometry.within(study_area.buffer(scenario.demand.snap_distance_m)).to_numpy()
    street_level = inc["precision"].eq("street").to_numpy()  # a street event is spread along its street
    keep = inside | street_level
    stats = {"read": int(len(inc)), "outside_study_area": int((~keep).sum()), "dropped": dropped}
    if stats["outside_study_area"]:
        logger.warning("%d incidents lie outside the study area and are not used", stats["outside_study_area"])
    return inc[keep].reset_index(drop=True), stats


def _inside(gdf: gpd.GeoDataFrame, area: Any) -> gpd.GeoDataFrame:
    mask = gdf.geometry.within(area).to_numpy() if len(gdf) else np.zeros(0, bool)
    out = gdf[mask].reset_index(drop=True)
    return out


def _renumber_demand(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    demand = demand.reset_index(drop=True)
    demand["demand_id"] = np.arange(len(demand))
    demand.index = pd.RangeIndex(len(demand), name="demand_id")
    return demand


def _group_codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0].astype(np.int64)


def _solve(scenario: Scenario, cands: gpd.GeoDataFrame, cov: Any, weights: np.ndarray, existing_mask: np.ndarray,
           budget: float) -> Any:
    opt = scenario.optimization
    kwargs = optimize.side_constraints(
        site_ids=cands["site_id"].to_numpy(), camera_types=cands["camera_type"].to_numpy(),
        xy=np.column_stack([cands.geometry.x, cands.geometry.y]), min_spacing_m=opt.min_spacing_m,
        forced=opt.forced_sites, forbidden=opt.forbidden_sites, max_per_type=dict(opt.max_per_type),
    )
    return optimize.max_coverage(
        cov, weights, cands["cost_sek"].to_numpy(float), budget, existing=existing_mask, solver=opt.solver,
        time_limit=opt.time_limit_s, backup_weight=opt.backup_weight, greedy=opt.greedy, lp_bound=opt.lp_bound,
        **kwargs,
    )


def _lonlat(xs: np.ndarray, ys: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def _sites_table(scenario: Scenario, cands: gpd.GeoDataFrame, demand: gpd.GeoDataFrame, cov: Any,
                 existing_mask: np.ndarray, selected: np.ndarray) -> pd.DataFrame:
    weights = demand["weight"].to_numpy(float)
    order, gains = ranking.rank_by_marginal_gain(cov, weights, selected, existing=existing_mask)
    _, inc_gains = _incident_gains(cov, demand, order, existing_mask)
    chosen = cands.iloc[order]
    xs, ys = chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()
    lon, lat = _lonlat(xs, ys, scenario.crs)
    total = weights.sum()
    before = float(weights[existing_mask].sum())
    cost = chosen["cost_sek"].to_numpy(float)
    sites = pd.DataFrame({
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
    return sites


def _incident_gains(cov: Any, demand: gpd.GeoDataFrame, order: np.ndarray,
                    existing_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inc = demand["incidents"].to_numpy(float)
    covered = existing_mask.copy()
    csc = cov.tocsc()
    gains = []
    for j in order:
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        new = rows[~covered[rows]]
        gains.append(float(inc[new].sum()))
        covered[rows] = True
    return order, np.asarray(gains)


def _breakdown(demand: gpd.GeoDataFrame, before: np.ndarray, after: np.ndarray, groups: dict[str, np.ndarray],
               labels: dict[str, str], key: str) -> list[dict[str, Any]]:
    w = demand["weight"].to_numpy(float)
    inc = demand["incidents"].to_numpy(float)
    rows = []
    for name, mask in groups.items():
        wt = float(w[mask].sum())
        rows.append({
            key: name, "label": labels.get(name, name), "weight_total": round(wt, 4),
            "incidents_total": round(float(inc[mask].sum()), 3),
            "before_pct": round(100 * float(w[mask & before].sum()) / wt, 3) if wt > 0 else None,
            "after_pct": round(100 * float(w[mask & after].sum()) / wt, 3) if wt > 0 else None,
            "incidents_before": round(float(inc[mask & before].sum()), 3),
            "incidents_after": round(float(inc[mask & after].sum()), 3),
        })
    return rows


def _data_sources(scenario: Scenario, net: network.Network, incidents: gpd.GeoDataFrame,
                  existing: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    src = [{"layer": "network", "file": str(scenario.resolve(scenario.network.path)), "source": scenario.network.source,
            "provenance": str(net.graph.graph.get("source", "")), "rows": int(len(net.edges)),
            "attribution": "© OpenStreetMap contributors, ODbL 1.0"}]
    for layer in scenario.incidents:
        src.append({"layer": f"incidents:{layer.name}", "file": str(scenario.resolve(layer.path)),
                    "source": layer.source, "provenance": layer.source, "rows": int(len(incidents))})
    if scenario.existing_cameras is not None:
        cam = scenario.existing_cameras
        src.append({"layer": "existing_cameras", "file": str(scenario.resolve(cam.path)), "source": cam.source,
                    "provenance": cam.source, "rows": int(len(existing))})
    return src


def run(
    scenario: Scenario,
    *,
    incidents: str | Path | None = None,
    cameras: str | Path | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run a scenario end to end and return its result (nothing is written).

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`camsite.config.load`).
    incidents, cameras
        Files that replace the scenario's incident and existing-camera layers.
    progress
        Called as ``progress(step, index)`` when each of :data:`STEPS` starts.

    Raises
    ------
    InputError
        For unusable input data.
    SolverError
        If the model is infeasible or the solver fails.
    """
    t0 = time.perf_counter()
    step = progress or (lambda name, i: None)
    scenario = _apply_layer_overrides(scenario, incidents, cameras)

    step("network", 0)
    study_area = areas.study_area_polygon(scenario)
    subareas = areas.subareas_frame(scenario)
    net = network.load_network(scenario, study_area)

    step("incidents", 1)
    inc, inc_stats = _read_incidents(scenario, study_area)

    step("cameras", 2)
    existing = (layers.read_cameras(scenario.existing_cameras, scenario) if scenario.existing_cameras
                else layers.empty_cameras(scenario.crs))

    step("demand", 3)
    demand, demand_stats = demand_mod.build_demand(net, inc, scenario, study_area=study_area)
    demand = _renumber_demand(_inside(demand, study_area))
    if demand.empty or demand["weight"].sum() <= 0:
        raise InputError("no demand with weight > 0 inside the study area (check incident layers, category weights "
                         "and demand.street_weight_per_m)", file=scenario.source_file, where="demand")

    step("candidates", 4)
    cands = _inside(candidates_mod.build_candidates(net, existing, scenario), study_area)
    if cands.empty:
        raise InputError("no candidate site inside the study area", file=scenario.source_file, where="candidates")

    step("coverage", 5)
    space = coverage_mod.open_space(net, scenario)
    cov = coverage_mod.coverage_matrix(demand, cands, scenario, open_space=space)
    ex_cov = coverage_mod.coverage_matrix(demand, existing, scenario, open_space=space)
    existing_mask = np.asarray(ex_cov.matrix.sum(axis=1)).ravel() > 0
    weights = demand["weight"].to_numpy(float)
    coverable = (np.asarray(cov.matrix.sum(axis=1)).ravel() > 0) | existing_mask
    if not (weights[coverable] > 0).any():
        raise InputError("no demand point with weight > 0 can be seen from any candidate site (check camera ranges "
                         "and the street corridor widths)", file=scenario.source_file, where="camera_types")

    step("optimise", 6)
    budget = scenario.optimization.budget_sek
    cheapest = float(cands["cost_sek"].min())
    if budget < cheapest:
        raise InputError(f"budget {budget:,.0f} SEK is below the cheapest candidate ({cheapest:,.0f} SEK)",
                         file=scenario.source_file, where="optimization.budget_sek")
    solution = _solve(scenario, cands, cov.matrix, weights, existing_mask, budget)
    if solution.status == "infeasible":
        raise SolverError("the model is infeasible (forced sites over budget, or conflicting constraints)",
                          file=scenario.source_file, where="optimization")
    if solution.status == "time_limit":
        logger.warning("solver stopped at the time limit: best solution found, gap %.4f%%", 100 * solution.gap)

    step("curve", 7)
    curve, knee, stages = _curve_and_stages(scenario, cands, cov.matrix, weights, existing_mask)

    step("rank", 8)
    sites = _sites_table(scenario, cands, demand, cov.matrix, existing_mask, solution.selected)
    after_mask = ranking.covered_mask(cov.matrix, solution.selected, existing_mask)
    summary = _summary(scenario, net, inc, existing, demand, cands, solution, sites, existing_mask, after_mask,
                       subareas, inc_stats, demand_stats, knee, time.perf_counter() - t0)
    return RunResult(
        scenario=scenario, study_area=study_area, subareas=subareas, edges=net.edges, incidents=inc, demand=demand,
        candidates=cands, existing=existing, coverage=cov.matrix, existing_coverage=ex_cov.matrix,
        candidate_viewsheds=cov.viewsheds, existing_viewsheds=ex_cov.viewsheds, solution=solution, sites=sites,
        summary=summary, budget_curve=curve, stages=stages,
    )


def _curve_and_stages(scenario: Scenario, cands: gpd.GeoDataFrame, cov: Any, weights: np.ndarray,
                      existing_mask: np.ndarray) -> tuple[pd.DataFrame | None, dict | None, pd.DataFrame | None]:
    opt = scenario.optimization
    costs = cands["cost_sek"].to_numpy(float)
    common = dict(existing=existing_mask, solver=opt.solver, time_limit=opt.time_limit_s,
                  backup_weight=opt.backup_weight,
                  **optimize.side_constraints(
                      site_ids=cands["site_id"].to_numpy(), camera_types=cands["camera_type"].to_numpy(),
                      xy=np.column_stack([cands.geometry.x, cands.geometry.y]), min_spacing_m=opt.min_spacing_m,
                      forced=opt.forced_sites, forbidden=opt.forbidden_sites, max_per_type=dict(opt.max_per_type)))
    curve = knee = stages = None
    if opt.budget_sweep is not None:
        curve = optimize.budget_sweep(cov, weights, costs, opt.budget_sweep.values(), **common)
        knee = optimize.knee(curve)
    if opt.stages:
        stages = optimize.staged_plan(cov, weights, costs, list(opt.stages), **common)
    return curve, knee, stages


def _summary(scenario: Scenario, net: network.Network, inc: gpd.GeoDataFrame, existing: gpd.GeoDataFrame,
             demand: gpd.GeoDataFrame, cands: gpd.GeoDataFrame, solution: Any, sites: pd.DataFrame,
             existing_mask: np.ndarray, after_mask: np.ndarray, subareas: gpd.GeoDataFrame,
             inc_stats: dict, demand_stats: dict, knee: dict | None, runtime: float) -> dict[str, Any]:
    weights = demand["weight"].to_numpy(float)
    cats = {c: demand["category"].eq(c).to_numpy() for c in sorted(demand["category"].unique())}
    labels = dict(CATEGORY_LABELS, **{STREET_CATEGORY: "Gatumiljö (gatuyta och flöde)"})
    sub_masks = {r.name: demand.geometry.within(r.geometry).to_numpy() for r in subareas.itertuples()}
    illustrative = [d["layer"] for d in _data_sources(scenario, net, inc, existing)
                    if str(d.get("source", "")).lower() in ("illustrative", "synthetic")]
    return {
        "scenario": scenario.name,
        "title": scenario.title,
        "scenario_file": scenario.source_file,
        "date": dt.date.today().isoformat(),
        "crs": scenario.crs,
        "budget_sek": scenario.optimization.budget_sek,
        "spent_sek": round(float(sites["cost_sek"].sum()), 2),
        "n_new_sites": int(len(sites)),
        "coverage_before_pct": round(ranking.coverage_pct(weights, existing_mask), 4),
        "coverage_after_pct": round(ranking.coverage_pct(weights, after_mask), 4),
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "status": solution.status,
        "solver": scenario.optimization.solver,
        "runtime_s": round(runtime, 3),
        "solve_runtime_s": round(float(solution.runtime_s), 3),
        "n_demand": int(len(demand)),
        "n_candidates": int(len(cands)),
        "n_candidate_sites": int(cands["site_id"].nunique()),
        "n_existing_cameras": int(len(existing)),
        "n_incidents": int(len(inc)),
        "weight_total": round(float(weights.sum()), 4),
        "horizon_years": scenario.optimization.horizon_years,
        "greedy_objective": getattr(solution, "greedy_objective", None),
        # the LP relaxation is solved to a tolerance: HiGHS and CBC differ around the 9th digit
        "lp_bound": None if getattr(solution, "lp_bound", None) is None else round(float(solution.lp_bound), 6),
        "coverage_by_category": _breakdown(demand, existing_mask, after_mask, cats, labels, "category"),
        "coverage_by_subarea": _breakdown(demand, existing_mask, after_mask, sub_masks,
                                          dict(zip(subareas["name"], subareas["label"])), "name"),
        "budget_curve_knee": knee,
        "camera_types": [{"name": c.name, "label": c.label, "range_m": c.range_m, "fov_deg": c.fov_deg,
                          "capex_sek": c.capex_sek, "opex_sek_per_year": c.opex_sek_per_year,
                          "cost_sek": c.cost_sek(scenario.optimization.horizon_years), "source": c.source}
                         for c in scenario.camera_types],
        "category_weights": dict(scenario.category_weights),
        "incident_stats": inc_stats,
        "demand_stats": demand_stats,
        "data_sources": _data_sources(scenario, net, inc, existing),
        "illustrative_layers": illustrative,
    }
