"""A sweep's solves as tasks on an executor (a local pool or a Dask cluster), and solves of the same data under
other side constraints (:class:`Variant`).

The executor is any object with ``map(fn, shared, items)`` (:class:`TaskMap`:
the executors of :mod:`camsite.executors` have it): it calls ``fn(shared,
item)`` for every item and returns the results in the items' order. ``shared``
is the sweep's model before any solve (its reduced arrays and side
constraints, no solver state); the executor sends it to each worker once and
each worker builds the MIP once (:func:`sweep_task`). A task solves one chain
of budgets (:mod:`camsite.optimize._sweep`: one budget by default) from a
solver of its own, started from that budget's greedy plan, or solves one
:class:`Variant`: so a result depends only on the model and the task, never on
what else the worker solved, and the plans are the same on every executor.

:meth:`RemoteTasks.start` runs ``map`` on a thread of this process and returns
at once: the caller solves the main budget meanwhile. optimize never imports
the executors (or dask): they are handed in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from camsite.optimize._api import Matrix, make_model, max_coverage
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import IntArray
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._options import SolverOptions
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["Chain", "PendingSolves", "RemoteTasks", "Task", "TaskMap", "Variant", "solve_chain", "solve_variant", "start_variants", "sweep_task"]


class TaskMap(Protocol):
    """What runs a sweep's tasks: ``map(fn, shared, items)`` -> ``[fn(shared, item) for item in items]``."""

    def map(self, fn: Callable[[Any, Any], Any], shared: object, items: Sequence[Any]) -> list[Any]:
        """``fn(shared, item)`` for every item, in the items' order."""
        ...


@dataclass(frozen=True, eq=False)
class Variant:
    """One solve of a sweep's data (coverage, weights, costs, existing, backup weight) with other side
    constraints, another budget and a start (e.g. a district's next money: its spending row raised).

    Attributes
    ----------
    budget
        The budget of this solve.
    constraints
        Its side constraints (for the same sites as the sweep's model).
    start
        Site indices of a plan to start from (None: the greedy plan); a function of the variant only.
    """

    budget: float
    constraints: Constraints
    start: IntArray | None = None


#: A chain of a sweep's budgets (solved one after the other) and the start of its first budget.
Chain = tuple[tuple[float, ...], IntArray | None]
#: A task: a chain or a variant, and the solver settings of its solves.
Task = tuple[Chain | Variant, SolverOptions]


def solve_variant(model: CoverageModel, variant: Variant, solver: SolverOptions) -> Solution:
    """``variant`` solved as :func:`~camsite.optimize.max_coverage` solves it on the model's data (a model of its
    own: the reductions depend on the side constraints)."""
    t0 = time.perf_counter()
    own = make_model(model.csr, model.w, model.c, existing=model.e, constraints=variant.constraints,
                     backup_weight=model.beta)
    start = None if variant.start is None else np.asarray(variant.start, dtype=np.int64)
    return own._solve(float(variant.budget), solver, start, t0)


def solve_chain(model: CoverageModel, chain: Chain, solver: SolverOptions) -> list[Solution]:
    """The chain's budgets in ascending order, each from the previous optimum (the first from the chain's start),
    on a solver of its own (the same state in every process and thread)."""
    budgets, prev = chain
    own = model.fork()
    sols = []
    for b in budgets:
        sol = own.solve(b, solver=solver, start=prev)
        if sol.status != "infeasible":
            prev = sol.selected
        logger.info("budget %.0f: %s, coverage %.3f%%", b, sol.status, sol.coverage_pct)
        sols.append(sol)
    return sols


def sweep_task(model: CoverageModel, item: Task) -> list[Solution]:
    """One task on a worker: a chain of the sweep's budgets, or one variant (a list of one solution)."""
    task, solver = item
    if isinstance(task, Variant):
        return [solve_variant(model, task, solver)]
    model._build()  # once per worker: the executor keeps ``model`` for the worker's next tasks
    return solve_chain(model, task, solver)


class PendingSolves:
    """Solves started in the background (:meth:`PendingSweep.solve_also`, :func:`start_variants`)."""

    def __init__(self, get: Callable[[], list[Solution]]) -> None:
        self._get = get

    def result(self) -> list[Solution]:
        """The solutions, in the order the variants were given."""
        return self._get()


class RemoteTasks:
    """Tasks of one model running on an executor, from a thread of this process (module docs).

    Each :meth:`start` is one ``map`` over the executor; the maps run one after
    the other in the order started (one model on the workers at a time).
    """

    def __init__(self, executor: TaskMap, model: CoverageModel) -> None:
        self.executor, self.model = executor, model
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="camsite-remote")

    def start(self, tasks: Sequence[Task]) -> Future[list[list[Solution]]]:
        """Run ``tasks`` (in this order) and return at once; the future gives each task's solutions."""
        return self._thread.submit(self.executor.map, sweep_task, self.model, list(tasks))

    def close(self, *, wait: bool = True, cancel: bool = False) -> None:
        """Take no more tasks; ``wait``: until the maps started end; ``cancel``: drop the maps not yet running."""
        self._thread.shutdown(wait=wait, cancel_futures=cancel)


def start_variants(coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, variants: Sequence[Variant], *,
                   existing: npt.ArrayLike | None = None, backup_weight: float = 0.0, solver: SolverOptions,
                   executor: TaskMap | None = None) -> PendingSolves:
    """``variants`` of one instance (:class:`Variant`), each solved as :func:`~camsite.optimize.max_coverage`
    solves it: as ``executor``'s tasks (started now), else in this process when :meth:`PendingSolves.result` is
    called. The solutions are the same either way."""
    items = list(variants)
    if executor is None:
        return PendingSolves(lambda: [max_coverage(coverage, weights, costs, v.budget, existing=existing,
                                                   constraints=v.constraints, solver=solver,
                                                   backup_weight=backup_weight, warm_start=v.start) for v in items])
    # the data only (each variant reduces with its own side constraints, solve_variant)
    model = make_model(coverage, weights, costs, existing=existing, backup_weight=backup_weight, reduce=False)
    remote = RemoteTasks(executor, model)
    future = remote.start([(v, solver) for v in items])
    remote.close(wait=False)  # the map started keeps running; nothing more is queued

    def get() -> list[Solution]:
        return [sols[0] for sols in future.result()]

    return PendingSolves(get)
