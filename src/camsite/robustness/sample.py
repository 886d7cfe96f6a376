"""One robustness task: a perturbed version of the scenario's data, solved exactly.

:class:`Context` holds what every task shares and what does not change (the
network, the candidates, the base instance with its coverage rows, the side
constraints, the main plan). It is sent to each worker once. :func:`evaluate`
is one task: it turns a :class:`~camsite.robustness.perturb.Draw` into data,
solves at the scenario's budget and measures the main plan on the same data.

Weight-only draws (bootstrap, category and street-space weights, footfall,
costs) only reweight the base instance's rows: incident weight reaches demand
points linearly, so the perturbed demand is rebuilt (fast, no geometry) and
matched to the base demand points by position and kind. Draws that move
incidents or change camera ranges rebuild the instance (new coverage).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import demand as demand_mod
from camsite import ranking, stages
from camsite.cameras import CameraModels
from camsite.config import RobustnessConfig, Scenario
from camsite.optimize import Constraints, SolverOptions
from camsite.robustness import band, payload, perturb
from camsite.robustness.perturb import Draw
from camsite.stages import demand_reach, for_instance

logger = logging.getLogger(__name__)

__all__ = ["Context", "Outcome", "evaluate", "make_context"]

#: Coordinates are matched to this many decimals (metres) when perturbed demand is mapped onto the base points.
_KEY_DECIMALS = 2


@dataclass(frozen=True, eq=False)
class Context:
    """What every task of one analysis shares (sent to each worker once: only what a sample reads, see
    :mod:`camsite.robustness.payload`)."""

    scenario: Scenario
    inputs: stages.Inputs
    instance: stages.Instance
    cameras: CameraModels
    constraints: Constraints
    solver: SolverOptions
    settings: RobustnessConfig
    streets: perturb.StreetIndex
    main_variants: tuple[str, ...]
    #: Each base demand point's key (position, kind, category, precision) for mapping rebuilt demand onto it,
    #: and its share of its key's weight.
    keys: NDArray[np.object_]
    base_share: NDArray[np.float64]
    #: False when rebuilt demand does not reproduce the base weights: every draw then rebuilds the instance.
    reweight_ok: bool
    #: The budget curve's plans (variants per budget), measured on each sample (:mod:`camsite.robustness.band`).
    curve_plans: tuple[tuple[str, ...], ...] = ()
    #: The base instance's incident rows (a reweighted sample has the same rows and no demand frame).
    incident_rows: NDArray[np.bool_] | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of one task (one sample or one sensitivity case).

    ``optimum`` is the covered weight of the sample's own optimal plan and
    ``main_value`` that of the main plan, both under the sample's data (existing
    cameras included); ``total`` is all the sample's demand weight. ``sites`` are
    the chosen site ids in order of marginal gain (rank 1 first).
    """

    index: int
    seed: int
    status: str
    gap: float
    objective: float
    optimum: float
    main_value: float
    total: float
    sites: tuple[str, ...]
    rebuilt: bool
    #: The headline under the sample's data: the share (%) of the incident weight the sample's own plan and
    #: the main plan see (NaN without incidents).
    incident_pct: float = float("nan")
    main_incident_pct: float = float("nan")
    #: The share (%) of the sample's incident weight each curve plan sees (:attr:`Context.curve_plans`).
    curve_incident_pct: tuple[float, ...] = ()

    @property
    def regret_pct(self) -> float:
        """How much less the main plan sees than the sample's optimum, in per cent of the optimum."""
        return 100.0 * (self.optimum - self.main_value) / self.optimum if self.optimum > 0 else 0.0


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the warnings the main run already gave (each sample would repeat them)."""
    names = ("camsite.demand", "camsite.stages", "camsite.candidates", "camsite.coverage", "camsite.optimize",
             "camsite.placement")
    saved = [(n, logging.getLogger(n).level) for n in names]
    for n, _ in saved:
        logging.getLogger(n).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for n, level in saved:
            logging.getLogger(n).setLevel(level)


def _keys(demand: gpd.GeoDataFrame) -> pd.Series:
    g = demand.geometry
    x = np.round(g.x.to_numpy(float), _KEY_DECIMALS)
    y = np.round(g.y.to_numpy(float), _KEY_DECIMALS)
    parts = [demand["kind"].astype(str), demand["category"].astype(str), demand["precision"].astype(str),
             pd.Series(x, index=demand.index).astype(str), pd.Series(y, index=demand.index).astype(str)]
    keys: pd.Series = parts[0].str.cat(parts[1:], sep="|").reset_index(drop=True)
    return keys


def make_context(scenario: Scenario, inputs: stages.Inputs, instance: stages.Instance, main_selected: NDArray[np.int64],
                 *, solver: SolverOptions | None = None, settings: RobustnessConfig | None = None,
                 curve_plans: tuple[tuple[str, ...], ...] = ()) -> Context:
    """The shared part of an analysis of the plan ``main_selected`` (candidate columns of ``instance``) and of
    the budget curve's plans ``curve_plans`` (variants per budget, :func:`camsite.robustness.band.curve_variants`)."""
    cams = instance.cameras
    opt = scenario.optimization
    streets = perturb.StreetIndex.build(demand_mod.usable_edges(inputs.network.edges),
                                        demand_reach(inputs.study_area, scenario.demand, cams), inputs.districts,
                                        scenario.demand.uncertainty_m)
    variants = np.asarray(instance.candidates["variant"].to_numpy(), dtype=object)
    keys = _keys(instance.demand)
    ctx = Context(scenario=scenario, inputs=payload.worker_inputs(inputs), instance=payload.worker_instance(instance),
                  cameras=cams, constraints=stages.plan_constraints(scenario, inputs, instance),
                  solver=for_instance(instance, solver or stages.solver_options(opt, greedy=False, lp_bound=False)),
                  settings=settings or scenario.robustness, streets=streets,
                  main_variants=tuple(str(v) for v in variants[np.asarray(main_selected, np.int64)]),
                  keys=keys.to_numpy(), base_share=_base_share(instance, keys),
                  reweight_ok=True, curve_plans=curve_plans, incident_rows=band.incident_rows(instance))
    with _quiet():
        check = _mapped_weights(ctx, Draw())
    ok = np.allclose(check, instance.weights, rtol=1e-9, atol=1e-12)
    if not ok:
        logger.info("rebuilt demand does not match the instance's demand points: every sample rebuilds the instance")
    return replace(ctx, reweight_ok=bool(ok))


def _demand(ctx: Context, draw: Draw) -> gpd.GeoDataFrame:
    """The draw's demand points, built as :func:`camsite.stages.build_instance` builds them."""
    inputs, sc = ctx.inputs, ctx.scenario
    cfg = perturb.scaled_demand(sc.demand, draw)  # a weight-only draw: same margin, same ranges, same reach
    demand, _ = demand_mod.build_demand(inputs.network, perturb.resampled(inputs.incidents, draw), cfg,
                                        category_weights=perturb.scaled_weights(sc.category_weights, draw),
                                        footfall=inputs.footfall, study_area=demand_reach(inputs.study_area, cfg,
                                                                                          ctx.cameras),
                                        districts=ctx.streets.districts, entrances=inputs.entrances,
                                        open_areas=inputs.open_areas)
    return demand


def _mapped_weights(ctx: Context, draw: Draw) -> NDArray[np.float64]:
    """The draw's weight of each base demand point (same position and kind).

    Base points sharing a key share the key's new weight in proportion to their base weight.
    """
    demand = _demand(ctx, draw)
    new = pd.Series(demand["weight"].to_numpy(float)).groupby(_keys(demand).to_numpy()).sum()
    out: NDArray[np.float64] = new.reindex(ctx.keys).fillna(0.0).to_numpy(float) * ctx.base_share
    return out


def _base_share(instance: stages.Instance, keys: pd.Series) -> NDArray[np.float64]:
    """Each base demand point's share of its key's weight (points sharing a key split the key's new weight)."""
    w = instance.weights
    total = pd.Series(w).groupby(keys.to_numpy()).transform("sum").to_numpy(float)
    out: NDArray[np.float64] = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return out


def _rebuilt(ctx: Context, draw: Draw) -> stages.Instance:
    """A new instance for the draw (moved incidents or other camera ranges change the coverage)."""
    inputs, sc = ctx.inputs, ctx.scenario
    inputs = replace(inputs, incidents=perturb.resampled(inputs.incidents, draw))
    return stages.build_instance(inputs, perturb.scaled_demand(sc.demand, draw), sc.candidates,
                                 perturb.scaled_cameras(ctx.cameras, draw),
                                 category_weights=perturb.scaled_weights(sc.category_weights, draw), viewsheds=False,
                                 quality=sc.quality, monitoring=sc.monitoring)


def sample_instance(ctx: Context, draw: Draw) -> tuple[stages.Instance, bool]:
    """The instance for ``draw`` (costs scaled) and whether it was rebuilt."""
    rebuild = draw.changes_geometry or not ctx.reweight_ok
    if rebuild:
        inst = _rebuilt(ctx, draw)
    else:
        w = _mapped_weights(ctx, draw)
        inst = replace(ctx.instance, weights=w, optimiser_rows=ctx.instance.rows.reweighted(w))
    if draw.cost_factor != 1.0:
        inst = replace(inst, costs=inst.costs * draw.cost_factor)
    return inst, rebuild


def evaluate(ctx: Context, index: int, seed: int, draw: Draw | None = None) -> Outcome:
    """Task ``index``: draw from ``seed`` (unless ``draw`` is given), solve at the budget, measure the main plan."""
    if draw is None:
        draw = draw_for(ctx, seed)
    opt = ctx.scenario.optimization
    with _quiet():
        inst, rebuilt = sample_instance(ctx, draw)
        # the run's side constraints (the districts' spending rows count the sample's costs)
        constraints = ctx.constraints if not rebuilt and draw.cost_factor == 1.0 else \
            stages.plan_constraints(ctx.scenario, ctx.inputs, inst)
        sol = stages.solve(inst, stages.MaxCoverage(opt.budget_sek, backup_weight=opt.backup_weight), constraints,
                           ctx.solver)
    rows = inst.rows
    variants = np.asarray(inst.candidates["variant"].to_numpy(), dtype=object)
    where = {str(v): i for i, v in enumerate(variants)}
    main_cols = np.array([where[v] for v in ctx.main_variants if v in where], np.int64)
    ordered, _ = ranking.rank_by_marginal_gain(rows.matrix, rows.weights, sol.selected, existing=rows.existing)
    site_ids = inst.candidates["site_id"].to_numpy()
    return Outcome(index=index, seed=seed, status=sol.status, gap=float(sol.gap), objective=float(sol.objective),
                   optimum=float(rows.plan_value(ordered).sum()), main_value=float(rows.plan_value(main_cols).sum()),
                   total=float(rows.weights.sum()), sites=tuple(dict.fromkeys(str(site_ids[c]) for c in ordered)),
                   rebuilt=rebuilt, incident_pct=_nan(stages.incident_pct(inst, ordered)),
                   main_incident_pct=_nan(stages.incident_pct(inst, main_cols)),
                   curve_incident_pct=band.plan_shares(inst, ctx.curve_plans, ctx.incident_rows))


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def draw_for(ctx: Context, seed: int) -> Draw:
    """The sample draw for ``seed`` under the context's settings."""
    cats = tuple(k for k, v in ctx.scenario.category_weights.items() if v > 0)
    return perturb.draw_sample(seed, incidents=ctx.inputs.incidents, streets=ctx.streets, categories=cats,
                               n_camera_types=len(ctx.cameras.names), settings=ctx.settings)
