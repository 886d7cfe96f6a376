"""Stage 3, :func:`solve`: the optimisation questions asked of an :class:`~camsite.stages.Instance`.

The objective is a small value object (:class:`MaxCoverage` or
:class:`MinCost`); the side constraints are built once per instance
(:func:`constraints_for`) and shared by the main solve, the budget curve and
the staged plan; solver settings travel as one
:class:`~camsite.optimize.SolverOptions`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import optimize
from camsite.config import OptimizationConfig
from camsite.optimize import Constraints, Solution, SolverOptions
from camsite.stages.instance import Instance

logger = logging.getLogger(__name__)

__all__ = [
    "MaxCoverage",
    "MinCost",
    "Objective",
    "budget_curve",
    "constraints_for",
    "for_instance",
    "solve",
    "solver_options",
    "staged_plan",
]


@dataclass(frozen=True)
class MaxCoverage:
    """Cover the most demand weight within ``budget_sek`` (plus ``backup_weight`` × weight covered twice)."""

    budget_sek: float
    backup_weight: float = 0.0


@dataclass(frozen=True, eq=False)
class MinCost:
    """The cheapest plan covering ``target`` of the weight, every requirement of ``covers`` and every hotspot.

    ``target`` None asks for no share of the whole weight. Each requirement of
    ``covers`` is a mask over the instance's rows (:attr:`Instance.rows`) and
    the weight of those rows the plan must cover (a scenario's min-cost
    targets, :func:`~camsite.stages.objectives.requirements`). A hotspot is a
    demand point of weight >= ``hotspot_threshold``.
    """

    target: float | None = 1.0
    hotspot_threshold: float | None = None
    covers: tuple[tuple[NDArray[np.bool_], float], ...] = ()
    #: Candidate indices of a plan known to meet the requirements (a warm start; the optimum does not depend on it).
    start: tuple[int, ...] = ()


#: The questions :func:`solve` answers.
Objective = MaxCoverage | MinCost


def solver_options(opt: OptimizationConfig, *, greedy: bool | None = None, lp_bound: bool | None = None,
                   workers: int = 1) -> SolverOptions:
    """The solver settings of a scenario's ``[optimization]`` section."""
    return SolverOptions(name=opt.solver, time_limit_s=opt.time_limit_s,
                         greedy=opt.greedy if greedy is None else greedy,
                         lp_bound=opt.lp_bound if lp_bound is None else lp_bound, workers=workers)


def constraints_for(instance: Instance, opt: OptimizationConfig) -> Constraints:
    """The side constraints of ``opt`` over the instance's candidates (built once, used by every solve)."""
    cands = instance.candidates
    return optimize.side_constraints(
        site_ids=cands["site_id"].to_numpy(), camera_types=cands["camera_type"].to_numpy(), xy=instance.xy,
        min_spacing_m=opt.min_spacing_m, forced=opt.forced_sites, forbidden=opt.forbidden_sites,
        max_per_type=dict(opt.max_per_type), heading_deg=cands["heading_deg"].to_numpy(float) if "heading_deg" in cands else None,
        same_heading_spacing_m=opt.min_spacing_same_heading_m, same_heading_deg=opt.same_heading_deg)


def for_instance(instance: Instance, solver: SolverOptions) -> SolverOptions:
    """``solver`` told whether the instance's rows are graded value steps (``SolverOptions.nested``: only the
    solver's speed depends on it)."""
    return solver if solver.nested == instance.graded else replace(solver, nested=instance.graded)


def solve(instance: Instance, objective: Objective, constraints: Constraints, solver: SolverOptions) -> Solution:
    """Solve one question exactly (or to the time limit, with its gap), on the instance's rows."""
    rows, solver = instance.rows, for_instance(instance, solver)
    if isinstance(objective, MinCost):
        return optimize.min_cost_cover(rows.matrix, instance.costs, weights=rows.weights, target=objective.target,
                                       covers=[*objective.covers, *_hotspot_cover(instance, objective)],
                                       existing=rows.existing, constraints=constraints, solver=solver,
                                       start=list(objective.start) or None)
    return optimize.max_coverage(rows.matrix, rows.weights, instance.costs, objective.budget_sek,
                                 existing=rows.existing, constraints=constraints, solver=solver,
                                 backup_weight=objective.backup_weight)


def _hotspot_cover(instance: Instance, objective: MinCost) -> list[tuple[NDArray[np.bool_], float]]:
    """Every coverable row of each demand point weighing at least the hotspot threshold, as one requirement.

    The threshold is on the demand point's weight (not on its rows' value steps), so with graded coverage a
    hotspot must get the best value any allowed camera can give it.
    """
    if objective.hotspot_threshold is None:
        return []
    rows = instance.rows
    seen = (np.diff(rows.matrix.indptr) > 0) | rows.existing
    mask = (instance.weights[rows.point] >= objective.hotspot_threshold) & seen
    return [(mask, float(rows.weights[mask].sum()))] if mask.any() else []


def budget_curve(instance: Instance, budgets: Sequence[float], constraints: Constraints, solver: SolverOptions, *,
                 backup_weight: float = 0.0,
                 known: Mapping[float, Solution] | None = None) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """The exact coverage-budget curve and its knee; budgets in ``known`` are not solved again."""
    rows, solver = instance.rows, for_instance(instance, solver)
    curve = optimize.budget_sweep(rows.matrix, rows.weights, instance.costs, budgets, existing=rows.existing,
                                  constraints=constraints, solver=solver,
                                  backup_weight=backup_weight, known=known,
                                  site_labels=instance.candidates["variant"].tolist())
    return curve, optimize.knee(curve)


def start_budget_curve(instance: Instance, budgets: Sequence[float], constraints: Constraints, solver: SolverOptions,
                       *, backup_weight: float = 0.0, skip: Sequence[float] = (),
                       executor: optimize.TaskMap | None = None) -> optimize.PendingCurve:
    """:func:`budget_curve` started on worker processes without the budgets in ``skip`` (solved meanwhile by the
    caller and handed to ``PendingCurve.table``); see :func:`camsite.optimize.start_budget_sweep`. ``executor``:
    the budgets as its tasks (e.g. a Dask cluster's) instead of the local pool's."""
    rows, solver = instance.rows, for_instance(instance, solver)
    return optimize.start_budget_sweep(rows.matrix, rows.weights, instance.costs, budgets, existing=rows.existing,
                                       constraints=constraints, solver=solver, backup_weight=backup_weight,
                                       skip=skip, site_labels=instance.candidates["variant"].tolist(),
                                       executor=executor)


def staged_plan(instance: Instance, stage_budgets: Sequence[float], constraints: Constraints, solver: SolverOptions,
                *, backup_weight: float = 0.0) -> pd.DataFrame:
    """A nested rollout over ``stage_budgets`` (see :func:`camsite.optimize.staged_plan`)."""
    rows, solver = instance.rows, for_instance(instance, solver)
    return optimize.staged_plan(rows.matrix, rows.weights, instance.costs, list(stage_budgets),
                                existing=rows.existing, constraints=constraints, solver=solver,
                                backup_weight=backup_weight, site_labels=instance.candidates["variant"].tolist())
