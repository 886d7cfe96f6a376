"""The camsite pipeline: scenario in, :class:`~camsite.result.RunResult` out.

:func:`run` chains the public stages of :mod:`camsite.stages` and reports
progress through an optional callback, so the CLI can draw progress bars while
the library never prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from camsite import config, stages
from camsite.config import CameraLayer, PointLayer, Scenario
from camsite.errors import CamsiteError, InputError, SolverError
from camsite.i18n import evidence_labels
from camsite.optimize import Constraints, Solution
from camsite.result import RunResult
from camsite.stages import rollout
from camsite.stages.objectives import curve_incident_pct, solve_min_cost, subarea_masks, target_points

logger = logging.getLogger(__name__)

__all__ = ["STEPS", "Progress", "replace_layers", "run"]

#: The steps :func:`run` reports, in order.
STEPS: tuple[str, ...] = ("inputs", "instance", "optimise", "curve", "rank")

#: Progress callback: called with the step name and its 0-based index when the step starts.
Progress = Callable[[str, int], None]


def replace_layers(scenario: Scenario, *, incidents: str | Path | None = None,
                   cameras: str | Path | None = None) -> Scenario:
    """The scenario with its incident layers and/or existing-camera layer replaced by files (``--incidents``, ``--cameras``).

    A replacement incident file keeps the scenario's first layer's settings
    (columns, default category); the camera file keeps the camera layer's.
    """
    if incidents is not None:
        path = str(Path(incidents).resolve())
        base = scenario.incidents[0] if scenario.incidents else None
        layer = replace(base, path=path, source=f"{base.source} (--incidents)") if base else \
            PointLayer(path=path, source="--incidents")
        scenario = replace(scenario, incidents=(layer,))
    if cameras is not None:
        cam = scenario.existing_cameras or CameraLayer(path="")
        scenario = replace(scenario, existing_cameras=replace(cam, path=str(Path(cameras).resolve()),
                                                              source=cam.source or "--cameras"))
    return config.revalidate(scenario)


def _warn_not_proven(table: pd.DataFrame | None, what: str, key: str) -> None:
    """One warning naming the rows of a curve or staged plan the solver did not prove optimal."""
    n = stages.not_proven(table)
    if table is None or n == 0:
        return
    bad = table[~table["proven_optimal"].astype(bool)]
    worst = float(np.nanmax(bad["gap"].to_numpy(float))) if bad["gap"].notna().any() else float("nan")
    keys = ", ".join(f"{v:.0f}" for v in bad[key].to_numpy(float))
    logger.warning("%d of %d %s not proven optimal (time limit; %s %s; largest gap %.1f%%): "
                   "their coverage may be below the best possible", n, len(table), what, key, keys, 100 * worst)


def _check_budget(scenario: Scenario, instance: stages.Instance) -> None:
    budget = scenario.optimization.budget_sek
    cheapest = float(instance.costs.min())
    if budget < cheapest:
        raise InputError(f"budget {budget:,.0f} SEK is below the cheapest candidate ({cheapest:,.0f} SEK)",
                         file=scenario.source_file, where="optimization.budget_sek")


def _answer(scenario: Scenario, inputs: stages.Inputs, instance: stages.Instance, constraints: Constraints
            ) -> tuple[Solution, dict[str, Any]]:
    """The plan answering the scenario's question (``optimization.objective``), and the question for summary.json."""
    opt = scenario.optimization
    if opt.objective == "min_cost":
        try:
            solution, question = solve_min_cost(instance, opt, constraints, stages.solver_options(opt),
                                                subarea_masks(instance, inputs.subareas))
        except CamsiteError as exc:
            raise exc.in_file(scenario.source_file) from None
    else:
        _check_budget(scenario, instance)
        objective = stages.MaxCoverage(opt.budget_sek, backup_weight=opt.backup_weight)
        solution = stages.solve(instance, objective, constraints, stages.solver_options(opt))
        question = {"objective": "max_coverage", "budget_sek": opt.budget_sek}
        if solution.status == "infeasible":
            raise SolverError("the model is infeasible (forced sites over budget, or conflicting constraints)",
                              file=scenario.source_file, where="optimization")
    if solution.status == "time_limit":
        logger.warning("solver stopped at the time limit: best solution found, gap %.4f%%", 100 * solution.gap)
    return solution, question


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
    if incidents is not None or cameras is not None:
        scenario = replace_layers(scenario, incidents=incidents, cameras=cameras)
    opt = scenario.optimization
    try:
        step("inputs", 0)
        inputs = stages.load_inputs(scenario)
        step("instance", 1)
        instance = stages.instance_for(scenario, inputs)
    except CamsiteError as exc:
        raise exc.in_file(scenario.source_file) from None

    step("optimise", 2)
    constraints = stages.constraints_for(instance, opt)
    solution, question = _answer(scenario, inputs, instance, constraints)

    step("curve", 3)
    sweep_opts = stages.solver_options(opt, greedy=False, lp_bound=False, workers=0)
    curve = knee = staged = None
    points: tuple[dict[str, Any], ...] = ()
    if opt.budget_sweep is not None:
        known = {opt.budget_sek: solution} if opt.objective == "max_coverage" else None
        curve, knee = stages.budget_curve(instance, opt.budget_sweep.values(), constraints, sweep_opts,
                                          backup_weight=opt.backup_weight, known=known)
        points = target_points(instance, constraints, sweep_opts, within_pct=curve_incident_pct(instance, curve))
    if opt.stages:
        staged = rollout.yearly_plan(scenario, instance, opt.stage_plan(), constraints, sweep_opts,
                                     backup_weight=opt.backup_weight)
    _warn_not_proven(curve, "budget-curve points", "budget_sek")
    _warn_not_proven(staged, "stages of the staged plan", "stage")

    step("rank", 4)
    sites = stages.rank_sites(instance, solution, crs=scenario.crs,
                              edge_names=stages.street_names(inputs.network.edges),
                              labels=evidence_labels(scenario.output.lang))
    summary = stages.summarise(scenario, inputs, instance, solution, sites=sites, knee=knee,
                               runtime_s=time.perf_counter() - t0, curve=curve, staged=staged)
    summary = replace(summary, question=question, target_points=points)
    summary = replace(summary, costs=rollout.costs_summary(scenario, instance, sites, staged))
    if staged is not None:
        sites = _with_install_years(sites, staged, summary.costs)
    _warn_uncoverable(summary.uncoverable)
    return RunResult(scenario=scenario, inputs=inputs, instance=instance, solution=solution, sites=sites,
                     summary=summary, budget_curve=curve, stages=staged)


def _with_install_years(sites: pd.DataFrame, staged: pd.DataFrame, cost: Mapping[str, Any] | None) -> pd.DataFrame:
    """sites.csv's plan with ``install_year`` (the stage year of each site in the staged plan, empty when the
    staged plan does not have it); a warning when the last stage's sites differ from sites.csv's."""
    when = rollout.install_years(staged)
    out = sites.assign(install_year=pd.Series([when.get(str(s)) for s in sites["site_id"]], index=sites.index,
                                              dtype=object))
    block = (cost or {}).get("staged") or {}
    if block.get("final_differs_from_sites"):
        logger.warning("the staged plan ends with other sites than sites.csv (the one-shot plan for the budget): "
                       "only in the staged plan %s; only in sites.csv %s; see stages.csv and summary.json 'costs'",
                       ", ".join(block["sites_only_in_staged_plan"]) or "none",
                       ", ".join(block["sites_only_in_one_shot_plan"]) or "none")
    return out


def _warn_uncoverable(unc: Mapping[str, Any] | None) -> None:
    """Warn when some demand can be seen by no candidate and no existing camera (it stays in the denominator)."""
    if not unc or not unc.get("count"):
        return
    worst = ", ".join(w["street"] for w in unc.get("worst", [])[:3] if w.get("street"))
    share = unc.get("incident_share_pct")
    logger.warning("%d demand points (%.1f%% of the weight%s) can be seen by no candidate and no existing camera%s; "
                   "see summary.json 'uncoverable'", unc["count"], unc["share_pct"],
                   "" if share is None else f", {share:.1f}% of the incident weight",
                   f", worst near {worst}" if worst else "")
