"""The budget curve's target points solved on worker processes, started with the curve.

A target point (:func:`~camsite.stages.objectives.target_points`) needs the
curve only for its warm start: the cheapest curve plan that already sees the
share. :func:`start_targets` submits, before the curve or the main budget is
solved, each share's min-cost cover *without* a start and, when some share lies
beyond what every allowed candidate sees, the highest reachable share
(:func:`~camsite.stages._reach.highest_reach`), to worker processes of their
own. :meth:`PendingTargets.points` then takes the curve: a share whose curve
start is empty takes the worker's plan (the same solve the serial path makes);
a share the curve gives a start is solved again here from that start, exactly
as serially. So the points are the ones :func:`target_points` gives, whatever
ran where; only solves stopped at their wall-clock limit depend on the load,
as they do serially.

The workers are forked (the instance is not copied) and end with the parent
(:mod:`camsite.procs`); :meth:`PendingTargets.cancel` ends them at once. With
``workers = 0``, or where ``fork`` is not available, nothing runs until
:meth:`PendingTargets.points`, which then solves in this process, one point
after the other.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pandas as pd

from camsite import procs
from camsite.optimize import Constraints, Solution, SolverOptions
from camsite.stages._reach import Reach, highest_reach
from camsite.stages.instance import Instance
from camsite.stages.objectives import (
    TARGET_SHARES,
    TargetWork,
    assemble_points,
    incident_rows,
    solve_share,
    target_work,
)

logger = logging.getLogger(__name__)

__all__ = ["PendingTargets", "start_targets"]

#: A worker's task: ``("share", share)`` (a min-cost cover without start) or ``("reach", 0.0)``.
_Task = tuple[str, float]
_WORKER: list[tuple[Instance, Constraints, SolverOptions]] = []


def _init_worker(instance: Instance, constraints: Constraints, solver: SolverOptions, parent: int) -> None:
    procs.worker_start(parent)  # Ctrl-C is the parent's; the worker ends with the parent, however it ends
    _WORKER[:] = [(instance, constraints, solver)]


def _share_task(share: float) -> Solution:
    instance, constraints, solver = _WORKER[0]
    return solve_share(instance, constraints, solver, share)


def _reach_task() -> Reach:
    instance, constraints, solver = _WORKER[0]
    return highest_reach(instance, incident_rows(instance), constraints, solver)


class PendingTargets:
    """Target points being solved on worker processes (:func:`start_targets`)."""

    def __init__(self, instance: Instance, constraints: Constraints, solver: SolverOptions, work: TargetWork, *,
                 workers: int) -> None:
        self.instance, self.constraints, self.solver, self.work = instance, constraints, solver, work
        self.pool: ProcessPoolExecutor | None = None
        self.shares: dict[float, Future[Solution]] = {}
        self.reach: Future[Reach] | None = None
        tasks = len(work.solved) + int(work.reach)
        if workers < 1 or not tasks or "fork" not in mp.get_all_start_methods():
            return
        self.pool = ProcessPoolExecutor(min(workers, tasks), mp_context=mp.get_context("fork"),
                                        initializer=_init_worker, initargs=(instance, constraints, solver, os.getpid()))
        try:  # the shares first (in order), the highest reach last: every point waits for the first share
            self.shares = {s: self.pool.submit(_share_task, s) for s in work.solved}
            self.reach = self.pool.submit(_reach_task) if work.reach else None
        except BaseException:
            self.cancel()
            raise

    def cancel(self) -> None:
        """End the workers now (nothing is returned)."""
        if self.pool is not None:
            procs.terminate(self.pool)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _reach(self) -> Reach:
        if self.reach is not None:
            return self.reach.result()
        return highest_reach(self.instance, incident_rows(self.instance), self.constraints, self.solver)

    def _solved(self, share: float, start: tuple[int, ...]) -> Solution:
        future = self.shares.get(share)
        if start or future is None:  # the curve gives a start: solved from it, as serially
            return solve_share(self.instance, self.constraints, self.solver, share, start)
        return future.result()

    def points(self, curve: pd.DataFrame | None) -> tuple[dict[str, Any], ...]:
        """The target points (:func:`~camsite.stages.objectives.target_points` with this ``curve``).

        The workers end when the points are made (a task the curve made
        unnecessary is not waited for), also when a solve fails.
        """
        reached: list[Reach] = []

        def reach() -> Reach:
            reached[:] = reached or [self._reach()]
            return reached[0]

        try:
            return assemble_points(self.instance, self.solver, self.work, curve, solved=self._solved, reach=reach)
        finally:
            self.cancel()


def start_targets(instance: Instance, constraints: Constraints, solver: SolverOptions, *,
                  shares: Sequence[float] = TARGET_SHARES, workers: int = 1) -> PendingTargets | None:
    """Start the target points of ``shares`` on ``workers`` processes (0: none, solved in this process when
    asked) and return at once (None: no incident weight, no points).

    ``solver`` is the target points' (their time limit); hand the curve to
    :meth:`PendingTargets.points`, or call :meth:`PendingTargets.cancel` when
    the run fails.
    """
    work = target_work(instance, constraints, shares)
    if work is None:
        return None
    return PendingTargets(instance, constraints, solver, work, workers=workers)
