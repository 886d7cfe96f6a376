"""The budget curve's target points solved on worker processes, started with the curve.

A target point (:func:`~camsite.stages.objectives.target_points`) needs the
curve only for its warm start: the cheapest curve plan that already sees the
share. :func:`start_targets` first finds, in this process, the highest
reachable share when some share lies beyond what every allowed candidate sees
(:func:`~camsite.stages.objectives.target_work`); a share above its bound is
then not solved. Its bound is the LP relaxation, solved without a time limit
(so it does not depend on the load); its MIP has a wall-clock limit of its
own (about a second) and runs alone, before anything else takes the cores,
so that it gets that second to itself. Then
each remaining share's min-cost cover *without* a start goes to a worker
process, and the run starts the curve and solves its main budget.
:meth:`PendingTargets.points` takes the curve: a share whose curve start is
empty takes the worker's plan (the solve the serial path makes); a share the
curve gives a start is solved again here from that start, exactly as
serially. So the points are the ones :func:`target_points` gives, whatever ran
where; a solve stopped at its wall-clock limit depends on the load, as it does
serially.

With ``prove`` (``camsite run --prove``) the quick reach found here (its LP
bound) decides which shares are solved, and the reach's proof (its MIP with
the whole time limit) runs on a worker of its own beside the shares' solves;
:meth:`PendingTargets.points` takes the proven reach. On the default scenario
the two proofs (about 80 s each) then share the run's minutes instead of
following each other.

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
from dataclasses import replace
from typing import Any

import pandas as pd

from camsite import procs
from camsite.optimize import Constraints, Solution, SolverOptions
from camsite.stages._proofs import ProofStore
from camsite.stages._reach import Reach, highest_reach
from camsite.stages.instance import Instance
from camsite.stages.objectives import (
    TARGET_SHARES,
    TargetWork,
    assemble_points,
    incident_rows,
    solve_share,
    stored_share,
    target_work,
)

logger = logging.getLogger(__name__)

__all__ = ["PendingTargets", "start_targets"]

_WORKER: list[tuple[Instance, Constraints, SolverOptions, ProofStore | None]] = []


def _init_worker(instance: Instance, constraints: Constraints, solver: SolverOptions, proofs: ProofStore | None,
                 parent: int) -> None:
    procs.worker_start(parent)  # Ctrl-C is the parent's; the worker ends with the parent, however it ends
    _WORKER[:] = [(instance, constraints, solver, proofs)]


def _share_task(share: float) -> Solution:
    instance, constraints, solver, proofs = _WORKER[0]
    return solve_share(instance, constraints, solver, share, proofs=proofs)


def _reach_task() -> Reach:
    """The highest reach proven (``--prove``) on a worker, beside the shares' solves."""
    instance, constraints, solver, proofs = _WORKER[0]
    return highest_reach(instance, incident_rows(instance), constraints, solver, prove=True, proofs=proofs)


class PendingTargets:
    """Target points being solved on worker processes (:func:`start_targets`)."""

    def __init__(self, instance: Instance, constraints: Constraints, solver: SolverOptions, work: TargetWork, *,
                 workers: int, prove: bool = False, proofs: ProofStore | None = None) -> None:
        self.instance, self.constraints, self.solver, self.work = instance, constraints, solver, work
        self.prove, self.proofs = prove, proofs
        self.pool: ProcessPoolExecutor | None = None
        self.shares: dict[float, Future[Solution]] = {}
        self.reach: Future[Reach] | None = None
        solved = sorted(set(work.solved))
        proving = prove and work.reach is not None and not work.reach.proven  # its MIP on a worker of its own
        if workers < 1 or not (solved or proving) or "fork" not in mp.get_all_start_methods():
            return
        self.pool = ProcessPoolExecutor(min(workers, len(solved)) + proving, mp_context=mp.get_context("fork"),
                                        initializer=_init_worker, initargs=(instance, constraints, solver, proofs, os.getpid()))
        try:
            self.reach = self.pool.submit(_reach_task) if proving else None
            self.shares = {s: self.pool.submit(_share_task, s) for s in solved}
        except BaseException:
            self.cancel()
            raise

    def cancel(self) -> None:
        """End the workers now (nothing is returned)."""
        if self.pool is not None:
            procs.terminate(self.pool)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _solved(self, share: float, start: tuple[int, ...]) -> Solution:
        future = self.shares.get(share)
        if start or future is None:  # the curve gives a start: solved from it, as serially
            return solve_share(self.instance, self.constraints, self.solver, share, start, proofs=self.proofs)
        # proven meanwhile (the run's own question, `--target`, proves and keeps it): the proof, not the quick plan
        return stored_share(self.instance, self.constraints, self.solver, share, self.proofs) or future.result()

    def points(self, curve: pd.DataFrame | None) -> tuple[dict[str, Any], ...]:
        """The target points (:func:`~camsite.stages.objectives.target_points` with this ``curve``).

        The workers end when the points are made (a task the curve made
        unnecessary is not waited for), also when a solve fails.
        """
        try:
            work = self.work if self.reach is None else replace(self.work, reach=self.reach.result())
            return assemble_points(self.instance, self.constraints, self.solver, work, curve,
                                   solved=self._solved, prove=self.prove, proofs=self.proofs)
        finally:
            self.cancel()


def start_targets(instance: Instance, constraints: Constraints, solver: SolverOptions, *,
                  shares: Sequence[float] = TARGET_SHARES, workers: int = 1, prove: bool = False,
                  proofs: ProofStore | None = None) -> PendingTargets | None:
    """Start the target points of ``shares`` on ``workers`` processes (0: none, solved in this process when
    asked) and return once the highest reachable share, when a share needs it, is found here (module docs;
    None: no incident weight, no points).

    ``solver`` is the target points' (their time limit); hand the curve to
    :meth:`PendingTargets.points`, or call :meth:`PendingTargets.cancel` when
    the run fails. ``prove`` and ``proofs``: as :func:`~camsite.stages.objectives.target_points` takes them.
    """
    pooled = workers >= 1 and "fork" in mp.get_all_start_methods()
    # proving: the quick reach (its LP bound) decides the shares here, its proof runs beside them on a worker
    work = target_work(instance, constraints, solver, shares, prove=prove and not pooled, proofs=proofs)
    return None if work is None else PendingTargets(instance, constraints, solver, work, workers=workers,
                                                    prove=prove, proofs=proofs)
