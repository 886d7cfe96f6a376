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

from camsite import config, cost_lines, procs, stages
from camsite.config import CameraLayer, PointLayer, Scenario
from camsite.errors import CamsiteError
from camsite.i18n import evidence_labels
from camsite.optimize import Constraints, TaskMap
from camsite.result import RunResult

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
        # the file given is the layer's source everywhere (terminal, report, summary.json, GeoPackage): never the
        # scenario's own "illustrative"
        scenario = replace(scenario, existing_cameras=replace(cam, path=str(Path(cameras).resolve()),
                                                              source=Path(cameras).name))
    return config.revalidate(scenario)


def _warn_not_proven(table: pd.DataFrame | None, what: str, key: str) -> None:
    """One warning naming the rows of a curve or staged plan the solver did not prove optimal."""
    n = stages.not_proven(table)
    if table is None or n == 0:
        return
    bad = table[~table["proven_optimal"].astype(bool) & (table["status"].astype(str) != "infeasible")]
    worst = float(np.nanmax(bad["gap"].to_numpy(float))) if bad["gap"].notna().any() else float("nan")
    keys = ", ".join(f"{v:.0f}" for v in bad[key].to_numpy(float))
    logger.warning("%d of %d %s not proven optimal (time limit; %s %s; largest gap %.1f%%): "
                   "their coverage may be below the best possible", n, len(table), what, key, keys, 100 * worst)


def run(
    scenario: Scenario,
    *,
    incidents: str | Path | None = None,
    cameras: str | Path | None = None,
    progress: Progress | None = None,
    executor: TaskMap | None = None,
    proofs: stages.ProofStore | None = None,
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
    executor
        Runs the budget curve's budgets and the districts' marginal-gain solves as its tasks (anything with
        ``map(fn, shared, items)``, e.g. :class:`camsite.executors.DaskExecutor`); None: a local pool. The main
        plan is solved here either way, and the results are the same.
    proofs
        Where proven target points are kept between runs (:class:`camsite.stages.ProofStore`): a point proven
        earlier on the same data is taken from it, a new proof is kept (``camsite run`` uses the user's cache;
        None: neither).

    Raises
    ------
    InputError
        For unusable input data.
    SolverError
        If the model is infeasible or the solver fails.
    """
    with procs.one_blas_thread():  # the worker processes fill the cores (camsite.procs)
        return _run(scenario, incidents=incidents, cameras=cameras, progress=progress, executor=executor,
                    proofs=proofs)


def _run(scenario: Scenario, *, incidents: str | Path | None, cameras: str | Path | None,
         progress: Progress | None, executor: TaskMap | None, proofs: stages.ProofStore | None) -> RunResult:
    t0 = time.perf_counter()
    step = progress or (lambda name, i: None)
    if incidents is not None or cameras is not None:
        scenario = replace_layers(scenario, incidents=incidents, cameras=cameras)
    try:
        step("inputs", 0)
        inputs = stages.load_inputs(scenario)
        step("instance", 1)
        instance = stages.instance_for(scenario, inputs, parallel=executor is None)  # candidates on a forked child
        city = stages.city_districts(scenario, inputs, instance)  # [[districts]]: one budget, a row each
        cost_lines.scenario_lines(scenario)  # the cost table is checked before anything is solved
    except CamsiteError as exc:
        raise exc.in_file(scenario.source_file) from None

    if scenario.optimization.prove_targets and scenario.optimization.budget_sweep is None:
        logger.warning("--prove (optimization.prove_targets): this run has no budget curve, so it has no target "
                       "points to prove; leave out --no-curve, or give [optimization.budget_sweep]")
    step("optimise", 2)
    constraints = stages.plan_constraints(scenario, inputs, instance, city=city)  # as every command builds them
    pending, answered = _answer_and_start(scenario, inputs, instance, constraints, executor=executor, proofs=proofs)
    try:
        gains = stages.city_gains(scenario, city, instance, constraints, answered.solution, executor=executor,
                                  curve=None if pending is None else pending.curve)  # queued after the curve
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise

    step("curve", 3)
    plans = stages.budget_plans(scenario, instance, constraints, answered=answered, pending=pending, proofs=proofs)
    _warn_not_proven(plans.curve, "budget-curve points", "budget_sek")
    _warn_not_proven(plans.staged, "stages of the staged plan", "stage")

    step("rank", 4)
    solution = answered.solution
    sites = stages.rank_sites(instance, solution, crs=scenario.crs,
                              edge_names=stages.street_names(inputs.network.edges),
                              labels=evidence_labels(scenario.output.lang))
    summary = stages.summarise(scenario, inputs, instance, solution, sites=sites, knee=plans.knee,
                               runtime_s=time.perf_counter() - t0, curve=plans.curve, staged=plans.staged,
                               question=answered.question, target_points=plans.target_points)
    if plans.staged is not None:
        sites = stages.with_install_years(sites, plans.staged, summary.costs)
    _warn_uncoverable(summary.uncoverable)
    districts, district_curve = stages.city_figures(scenario, city, instance, constraints, solution, plans.curve,
                                                    gains=gains)
    return RunResult(scenario=scenario, inputs=inputs, instance=instance, solution=solution, sites=sites,
                     summary=summary, budget_curve=plans.curve, stages=plans.staged, districts=districts,
                     district_curve=district_curve)


def _answer_and_start(scenario: Scenario, inputs: stages.Inputs, instance: stages.Instance,
                      constraints: Constraints, *, executor: TaskMap | None = None,
                      proofs: stages.ProofStore | None = None) -> tuple[stages.PendingPlans | None, stages.Answer]:
    """The plan answering the scenario's question, and its curve and target points started on workers.

    With a budget curve, the answer is solved on a forked child process from the
    start (:class:`camsite.procs.Forked`: the same plan, its log lines handled
    here), so that it takes the core the highest reach of the target points
    leaves while that runs alone in this process (:func:`stages.start_curve`);
    then the curve's and the target points' workers start (on ``executor`` when
    given). Without a curve, or with an executor (a Dask client's threads must
    not be forked), the answer is solved here.
    """
    background = scenario.optimization.budget_sweep is not None and executor is None
    with procs.Forked(lambda: stages.answer(scenario, inputs, instance, constraints, proofs=proofs),
                      background=background) as main:
        pending = stages.start_curve(scenario, instance, constraints, executor=executor,  # the curve, its targets ...
                                     proofs=proofs)
        try:
            return pending, main.result()  # ... while the main plan is solved
        except BaseException:
            if pending is not None:
                pending.cancel()
            raise


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
