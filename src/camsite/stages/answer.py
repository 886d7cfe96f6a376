"""Stage 3 for a whole scenario: the plan answering its question, and its plans at other budgets.

:func:`answer` solves what ``[optimization] objective`` asks: the most
coverage within the budget (:class:`~camsite.stages.MaxCoverage`) or the
cheapest plan reaching the targets (:class:`~camsite.stages.MinCost` with the
requirements of :mod:`camsite.stages.objectives`). :func:`budget_plans` solves
the rest of a run's plans: the budget curve and its knee, the curve's target
points and the yearly staged plan (:mod:`camsite.stages.rollout`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from camsite.config import OptimizationConfig, Scenario
from camsite.errors import CamsiteError, InputError, SolverError
from camsite.optimize import Constraints, PendingCurve, Solution, SolverOptions, TaskMap
from camsite.stages._districts import curve_notes
from camsite.stages._proofs import ProofStore
from camsite.stages._targets import PendingTargets, start_targets
from camsite.stages.headline import curve_with_incidents, headline_knee
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance
from camsite.stages.objectives import (
    solve_min_cost,
    subarea_masks,
    target_points,
    unused_target_text,
)
from camsite.stages.rollout import yearly_plan
from camsite.stages.solve import MaxCoverage, solve, solver_options, start_budget_curve

logger = logging.getLogger(__name__)

__all__ = ["TARGET_START_GAP", "TARGET_WORKERS", "Answer", "BudgetPlans", "PendingPlans", "answer", "budget_plans", "start_curve"]

#: Worker processes of the target points, started with the curve's (module docs of
#: :mod:`camsite.stages._targets`).
TARGET_WORKERS = 1
#: A target point's MIP is left out when its best start (greedy, or the cheapest curve plan reaching the share)
#: costs more than this share above the LP bound on a large model (``SolverOptions.max_start_gap``): its
#: seconds would not close that gap (docs/objectives.md).
TARGET_START_GAP = 0.05


@dataclass(frozen=True)
class Answer:
    """The plan answering a scenario's question, and the question as summary.json states it."""

    solution: Solution
    #: ``{"objective": "max_coverage" | "min_cost", ...its parameters}`` (``Summary.question``).
    question: Mapping[str, Any]


@dataclass(frozen=True)
class BudgetPlans:
    """The plans of a run besides its answer; each is None (or empty) when the scenario does not ask for it.

    Attributes
    ----------
    curve, knee
        The budget curve over ``optimization.budget_sweep`` and its knee.
    target_points
        The curve's marked points (:func:`~camsite.stages.objectives.target_points`).
    staged
        The yearly staged plan over ``optimization.stages`` (stages.csv).
    """

    curve: pd.DataFrame | None = None
    knee: Mapping[str, Any] | None = None
    target_points: tuple[dict[str, Any], ...] = ()
    staged: pd.DataFrame | None = None


def _check_budget(scenario: Scenario, instance: Instance) -> None:
    budget = scenario.optimization.budget_sek
    cheapest = float(instance.costs.min())
    if budget < cheapest:
        raise InputError(f"budget {budget:,.0f} SEK is below the cheapest candidate ({cheapest:,.0f} SEK)",
                         file=scenario.source_file, where="optimization.budget_sek")


def answer(scenario: Scenario, inputs: Inputs, instance: Instance, constraints: Constraints, *,
           proofs: ProofStore | None = None) -> Answer:
    """The plan answering the scenario's question (``optimization.objective``), solved exactly.

    Parameters
    ----------
    scenario
        The scenario (its ``[optimization]`` section, and its file for error messages).
    inputs
        From :func:`~camsite.stages.load_inputs` (the sub-areas of ``hotspots = "subareas"``).
    instance
        From :func:`~camsite.stages.instance_for`.
    constraints
        From :func:`~camsite.stages.constraints_for`.
    proofs
        A question of the incident share alone is a target point's: proven earlier on the same data, it comes
        from the store; proven now, it is kept there (:mod:`camsite.stages._proofs`).

    Raises
    ------
    InputError
        When the budget is below the cheapest candidate.
    SolverError
        When the model is infeasible or no plan meets the min-cost targets.
    """
    opt = scenario.optimization
    if opt.objective == "min_cost":
        try:
            solution, question = solve_min_cost(instance, opt, constraints, solver_options(opt),
                                                subarea_masks(instance, inputs.subareas), proofs=proofs)
        except CamsiteError as exc:
            raise exc.in_file(scenario.source_file) from None
    else:
        for key in opt.unused_targets():
            logger.warning("%s", unused_target_text(key))
        _check_budget(scenario, instance)
        objective = MaxCoverage(opt.budget_sek, backup_weight=opt.backup_weight)
        solution = solve(instance, objective, constraints, solver_options(opt))
        question = {"objective": "max_coverage", "budget_sek": opt.budget_sek}
        if solution.status == "infeasible":
            raise SolverError("the model is infeasible (forced sites over budget, or conflicting constraints)",
                              file=scenario.source_file, where="optimization")
    if solution.status == "time_limit":
        logger.warning("solver stopped at the time limit: best solution found, gap %.4f%%", 100 * solution.gap)
    return Answer(solution, question)


@dataclass
class PendingPlans:
    """A run's budget curve and its target points being solved on worker processes (:func:`start_curve`)."""

    curve: PendingCurve
    targets: PendingTargets | None = None

    def cancel(self) -> None:
        """End every worker now (the run failed)."""
        self.curve.cancel()
        if self.targets is not None:
            self.targets.cancel()


def start_curve(scenario: Scenario, instance: Instance, constraints: Constraints, *,
                executor: TaskMap | None = None, proofs: ProofStore | None = None) -> PendingPlans | None:
    """The scenario's budget curve and its target points started on worker processes, before :func:`answer`
    (None: no curve).

    The main budget of a max-coverage question is left out: :func:`answer` solves
    it meanwhile, so the curve, its target points and the main plan share the
    cores. Hand the result to :func:`budget_plans` (``pending``); cancel it
    when the run fails. ``executor`` (e.g. a Dask cluster's, with ``map(fn, shared, items)``): the curve's
    budgets are its tasks instead of the local pool's (the same plans); the target points stay on this machine.
    ``proofs``: target points proven earlier on the same data come from it, new proofs go to it
    (:mod:`camsite.stages._proofs`; ``optimization.prove_targets`` gives the points the scenario's time limit).
    """
    opt = scenario.optimization
    if opt.budget_sweep is None:
        return None
    # the target points first: their highest reach runs alone (its own time limit), then the curve's workers start
    targets = start_targets(instance, constraints, _target_solver(opt, _sweep_options(opt)), workers=TARGET_WORKERS,
                            prove=opt.prove_targets, proofs=proofs)
    try:
        curve = _start(opt, opt.budget_sweep.values(), instance, constraints, executor)
    except BaseException:
        if targets is not None:
            targets.cancel()
        raise
    return PendingPlans(curve, targets)


def _start(opt: OptimizationConfig, budgets: Sequence[float], instance: Instance,
           constraints: Constraints, executor: TaskMap | None = None) -> PendingCurve:
    skip = [opt.budget_sek] if opt.objective == "max_coverage" else []
    return start_budget_curve(instance, budgets, constraints, _sweep_options(opt), backup_weight=opt.backup_weight,
                              skip=skip, executor=executor)


def _sweep_options(opt: OptimizationConfig) -> SolverOptions:
    return solver_options(opt, greedy=False, lp_bound=False, workers=0)


def _target_solver(opt: OptimizationConfig, sweep: SolverOptions) -> SolverOptions:
    """The sweep's solver with the target points' time limit (``optimization.target_time_limit_s``) and
    :data:`TARGET_START_GAP`; with ``optimization.prove_targets``, the scenario's time limit and no start gap."""
    if opt.prove_targets:
        return replace(sweep, time_limit_s=opt.time_limit_s, max_start_gap=None)
    limit = opt.target_time_limit_s if opt.time_limit_s is None else min(opt.time_limit_s, opt.target_time_limit_s)
    return replace(sweep, time_limit_s=limit, max_start_gap=TARGET_START_GAP)


def budget_plans(scenario: Scenario, instance: Instance, constraints: Constraints, *,
                 answered: Answer, pending: PendingPlans | None = None, proofs: ProofStore | None = None
                 ) -> BudgetPlans:
    """The budget curve, its knee and target points, and the staged plan, as the scenario asks for them.

    The sweeps use the scenario's solver without greedy start or LP bound,
    on all cores. ``answered`` (from :func:`answer`) is the plan at the budget
    of a max-coverage question: the curve does not solve that budget again.
    ``pending`` (from :func:`start_curve`) is the curve and its target points
    already started; without it they are solved here (the same plans), with ``proofs`` as :func:`start_curve`
    takes it.
    """
    opt = scenario.optimization
    sweep = _sweep_options(opt)
    plans = BudgetPlans()
    if opt.budget_sweep is not None:
        try:
            plans = _curve_plans(scenario, opt.budget_sweep.values(), instance, constraints, answered, pending,
                                 proofs)
        except BaseException:
            if pending is not None:
                pending.cancel()
            raise
    if opt.stages or opt.frames is not None:
        plans = replace(plans, staged=yearly_plan(scenario, instance, opt.stage_plan(), constraints, sweep,
                                                  backup_weight=opt.backup_weight))
    return plans


def _curve_plans(scenario: Scenario, budgets: Sequence[float], instance: Instance, constraints: Constraints,
                 answered: Answer, pending: PendingPlans | None, proofs: ProofStore | None) -> BudgetPlans:
    """The curve over ``budgets``, its knee and its target points (from ``pending`` when started)."""
    opt = scenario.optimization
    known = {opt.budget_sek: answered.solution} if opt.objective == "max_coverage" else None
    started = pending.curve if pending is not None else _start(opt, budgets, instance, constraints)
    curve = started.table(known)
    curve = curve_with_incidents(instance, curve)  # the headline: incident coverage, and its knee
    curve = curve_notes(scenario, curve)  # why a point is infeasible (below the districts' minimums)
    knee = headline_knee(instance, curve)
    if pending is not None and pending.targets is not None:
        points = pending.targets.points(curve)
    else:
        points = target_points(instance, constraints, _target_solver(opt, _sweep_options(opt)), curve=curve,
                               prove=opt.prove_targets, proofs=proofs)
    return BudgetPlans(curve=curve, knee=knee, target_points=points)
