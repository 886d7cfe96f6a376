"""Budget sweeps (in parallel), the knee of the coverage-budget curve, and nested staged plans.

Sweeps
------
The instance is reduced and the MIP built once (:func:`~camsite.optimize.make_model`);
each budget only changes the budget row. Budgets are solved in ascending order
in *chains* of at most :data:`CHAIN_LENGTH` consecutive budgets: the first of a
chain starts from the greedy solution (or, right after a ``known`` budget and
with :data:`START_FROM_KNOWN`, from that solution), each next one from the
previous optimum filled greedily (still feasible, since the budget only grows).
By default chains have length 1 and every budget starts from its greedy
solution: measured, warm starts made single budgets ten times slower
(:data:`CHAIN_LENGTH`). Chains are split at ``known`` budgets
and then evenly into pieces of at most :data:`CHAIN_LENGTH` budgets; the
split depends only on the budgets and ``known``, never on the number of
workers. Every solve starts from a clean solver state (its result depends only
on its budget, its start and the sweep's one LP basis), so the table is
identical whatever ``SolverOptions.workers`` is. That basis is the LP
relaxation's at the middle budget of the sweep, solved once before the workers
start (:meth:`CoverageModel.warm_lp`); every budget's LP (for reduced-cost
fixing) starts from it instead of cold: on the default scenario 0.23 s for
eight budgets' LPs instead of 1.2 s.

Chains run on ``workers`` processes (forked, so the model is not copied;
threads where ``fork`` is not available). ``highspy`` releases the GIL, but two
budgets taking 5.6-5.8 s one after the other took 3.6-4.5 s on two processes
and 4.1-5.7 s on two threads (default scenario, 2 cores), and separate
processes share no solver state. The worker processes end with the parent
(also when it is killed), and a parent stopped by Ctrl-C or SIGTERM ends them
at once instead of waiting for their chains (:mod:`camsite.procs`).

A run does not wait for its main budget before the curve: :func:`start_sweep`
(and :func:`start_budget_sweep` for the table) submits the other budgets to the
workers and returns a :class:`PendingSweep` at once; the caller solves the main
budget on the core the workers leave and hands it to ``result(known)``.

Given an ``executor`` (anything with ``map(fn, shared, items)``, e.g. a Dask
cluster's, :mod:`camsite.optimize._remote`), the chains are its tasks instead,
largest budget first, the model sent once to each worker; each chain still
starts from a clean solver and its own start, so the table is the same.
:meth:`PendingSweep.solve_also` queues other solves of the same data (other
side constraints, e.g. a district's next money) on the same workers.

Knee rule
---------
:func:`knee` lives in :mod:`camsite.optimize._knee` (a rate rule that does
not depend on the sweep's range) and is re-exported here.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from camsite import procs
from camsite.optimize._api import Matrix, make_model
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import IntArray
from camsite.optimize._knee import KNEE_RATE_PP, KNEE_WINDOW_SEK, knee
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._options import DEFAULT_SOLVER, SWEEP_SOLVER, SolverOptions
from camsite.optimize._remote import (
    Chain,
    PendingSolves,
    RemoteTasks,
    TaskMap,
    Variant,
    solve_chain,
    solve_variant,
)
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["CHAIN_LENGTH", "CURVE_COLUMNS", "KNEE_RATE_PP", "KNEE_WINDOW_SEK", "STAGE_COLUMNS", "START_FROM_KNOWN", "PendingCurve",
           "PendingSweep", "budget_sweep", "knee", "solve_budgets", "staged_plan", "start_budget_sweep", "start_sweep"]

#: Columns of :func:`budget_sweep`'s table.
CURVE_COLUMNS = ("budget_sek", "spent_sek", "n_sites", "coverage_pct", "backup_pct", "objective", "bound",
                 "status", "gap", "proven_optimal", "sites")
#: Columns of :func:`staged_plan`'s table.
STAGE_COLUMNS = ("stage", "budget_sek", "cumulative_budget_sek", "spent_sek", "n_sites", "n_new_sites",
                 "coverage_pct", "backup_pct", "optimum_coverage_pct", "shortfall_pct", "status", "gap",
                 "proven_optimal", "new_sites")
#: Most budgets solved one after the other with warm starts (module docs). Measured on the default
#: scenario of December 2026 (9,020 demand points x 4,333 variants, 8 budgets, HiGHS 1.16): every budget
#: started from its own greedy solution took 0.5-3.8 s (9.1 s in all, 5.1 s on two workers), while the
#: 1.75 MSEK budget warm-started from the 1.5 MSEK optimum took 44 s: HiGHS's search after a MIP start
#: varies far more than it saves (chains of 2: 5.4 s, of 4: 49.8 s). So each budget starts cold.
CHAIN_LENGTH = 1
#: Start the budget after a known one (the main solve) from that solution (False: see CHAIN_LENGTH).
START_FROM_KNOWN = False

_Chain = Chain
_WORKER_MODEL: list[CoverageModel] = []


def _chains(budgets: Sequence[float], known: Mapping[float, Solution | None]) -> list[_Chain]:
    """Split sorted ``budgets`` (none of them known) into warm-start chains (module docs); a known budget
    without its solution yet (``None``) splits them but starts nothing."""
    everything = sorted(set(budgets) | set(known))
    out: list[_Chain] = []
    segment: list[float] = []
    anchor: IntArray | None = None

    def flush() -> None:
        n = len(segment)
        if n == 0:
            return
        pieces = math.ceil(n / CHAIN_LENGTH)
        sizes = [n // pieces + (1 if k < n % pieces else 0) for k in range(pieces)]
        pos = 0
        for k, size in enumerate(sizes):
            out.append((tuple(segment[pos:pos + size]), anchor if k == 0 else None))
            pos += size

    for b in everything:
        if b in known:
            flush()
            segment = []
            sol = known[b]
            anchor = sol.selected if sol is not None and sol.status != "infeasible" and START_FROM_KNOWN else None
        else:
            segment.append(b)
    flush()
    return out


def _solve_chain(model: CoverageModel, chain: _Chain, solver: SolverOptions) -> list[Solution]:
    return solve_chain(model, chain, solver)


def _init_worker(model: CoverageModel, parent: int) -> None:
    procs.worker_start(parent)  # Ctrl-C is the parent's; the worker ends with the parent, however it ends
    _WORKER_MODEL[:] = [model]


def _chain_task(chain: _Chain, solver: SolverOptions) -> list[Solution]:
    return _solve_chain(_WORKER_MODEL[0], chain, solver)


def _variant_task(variant: Variant, solver: SolverOptions) -> Solution:
    return solve_variant(_WORKER_MODEL[0], variant, solver)


def _executor(model: CoverageModel, workers: int) -> Executor:
    if "fork" in mp.get_all_start_methods():
        return ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_init_worker,
                                   initargs=(model, os.getpid()))
    _WORKER_MODEL[:] = [model]
    return ThreadPoolExecutor(workers)


class PendingSweep:
    """Budgets being solved on worker processes while the caller goes on (e.g. solves the main budget).

    Made by :func:`start_sweep`; :meth:`result` waits for them, :meth:`cancel`
    ends the workers at once. With one worker (or one budget) nothing runs
    until :meth:`result`, which then solves them in this process. With an
    ``executor`` (:class:`~camsite.optimize._remote.TaskMap`, e.g. a Dask
    cluster) the budgets are its tasks instead of the local pool's, largest
    budget first; the plans are the same.
    """

    def __init__(self, model: CoverageModel, budgets: Iterable[float], solver: SolverOptions,
                 skip: Iterable[float] = (), executor: TaskMap | None = None) -> None:
        wanted = sorted({float(b) for b in budgets})
        for b in wanted:
            if not np.isfinite(b) or b < 0:
                raise ValueError("budgets must be finite numbers >= 0")
        self.model, self.solver, self.wanted = model, solver, wanted
        self.skipped = {float(b) for b in skip}
        self.chains = _chains([b for b in wanted if b not in self.skipped], dict.fromkeys(self.skipped))
        self.workers = min(solver.n_workers, len(self.chains))
        self.pool: Executor | None = None
        self.remote: RemoteTasks | None = None
        self.futures: list[Future[list[Solution]]] = []
        self._remote_chains: Future[list[list[Solution]]] | None = None
        order = sorted(range(len(self.chains)), key=lambda k: -self.chains[k][0][-1])  # slowest first
        if (solver.fixing or solver.lp_bound) and sum(len(ch[0]) for ch in self.chains) > 1:
            model.warm_lp(wanted[(len(wanted) - 1) // 2], solver=solver)  # every budget's LP from one basis
        if executor is not None and self.chains:
            self.remote = RemoteTasks(executor, model)
            self._remote_chains = self.remote.start([(self.chains[k], solver) for k in order])
            self._order = order
        elif self.workers > 1:
            model._build()  # once, before the workers fork
            self.pool = _executor(model, self.workers)
            try:
                submitted = {k: self.pool.submit(_chain_task, self.chains[k], solver) for k in order}
            except BaseException:
                self.cancel()
                raise
            self.futures = [submitted[k] for k in range(len(self.chains))]

    def cancel(self) -> None:
        """End the workers now (nothing is returned)."""
        if self.pool is not None:
            if isinstance(self.pool, ProcessPoolExecutor):
                procs.terminate(self.pool)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.remote is not None:
            self.remote.close(wait=False, cancel=True)  # the executor's owner ends its tasks (a Dask client is closed)
            self.remote = None

    def solve_also(self, variants: Sequence[Variant], solver: SolverOptions) -> PendingSolves:
        """Solve ``variants`` (the sweep's data under other side constraints) on the sweep's workers, after its
        budgets; in this process when the sweep has no workers. Collect them before :meth:`result` returns
        (it ends the local pool once its tasks are done)."""
        items = list(variants)
        if self.remote is not None:
            future = self.remote.start([(v, solver) for v in items])
            return PendingSolves(lambda: [sols[0] for sols in future.result()])
        if self.pool is not None:
            futures = [self.pool.submit(_variant_task, v, solver) for v in items]
            return PendingSolves(lambda: [f.result() for f in futures])
        return PendingSolves(lambda: [solve_variant(self.model, v, solver) for v in items])

    def _results(self) -> list[list[Solution]]:
        if self._remote_chains is not None:
            done = self._remote_chains.result()
            by_chain = dict(zip(self._order, done, strict=True))
            return [by_chain[k] for k in range(len(self.chains))]
        if self.pool is None:
            return [_solve_chain(self.model, ch, self.solver) for ch in self.chains]
        return [f.result() for f in self.futures]

    def result(self, known: Mapping[float, Solution] | None = None) -> dict[float, Solution]:
        """Budget -> :class:`Solution` in ascending order, the skipped budgets taken from ``known``."""
        given = {float(b): s for b, s in (known or {}).items()}
        missing = [b for b in self.wanted if b in self.skipped and b not in given]
        if missing:
            self.cancel()
            raise ValueError(f"budgets {missing} were skipped but are not known")
        try:
            results = self._results()
        except BaseException:
            self.cancel()
            raise
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
        if self.remote is not None:
            self.remote.close(wait=True)
            self.remote = None
        found = {b: s for ch, sols in zip(self.chains, results, strict=True)
                 for b, s in zip(ch[0], sols, strict=True)}
        return {b: found[b] if b in found else given[b] for b in self.wanted}


def start_sweep(model: CoverageModel, budgets: Iterable[float], *, solver: SolverOptions = SWEEP_SOLVER,
                skip: Iterable[float] = (), executor: TaskMap | None = None) -> PendingSweep:
    """Start solving ``model`` for each budget but those in ``skip`` on ``solver.workers`` processes.

    Returns at once (the workers run in the background); :meth:`PendingSweep.result`
    gives the solutions. The main budget of a run is skipped here and solved by
    the caller meanwhile, so both cores work on the curve and the main plan at once.
    With ``executor`` (:class:`~camsite.optimize._remote.TaskMap`) the budgets are its tasks.
    """
    return PendingSweep(model, budgets, solver, skip, executor)


def solve_budgets(model: CoverageModel, budgets: Iterable[float], *, solver: SolverOptions = DEFAULT_SOLVER,
                  known: Mapping[float, Solution] | None = None) -> dict[float, Solution]:
    """Solve ``model`` for each budget (module docs); ``known`` budgets are not solved again.

    A ``known`` budget that is not in ``budgets`` is not returned. ``solver.time_limit_s``
    applies to each budget, ``solver.workers`` sets how many chains run at once.

    Returns
    -------
    dict
        Budget -> :class:`Solution`, in ascending budget order (known budgets included).
    """
    given = {float(b): s for b, s in (known or {}).items()}
    return PendingSweep(model, budgets, solver, skip=given).result(given)


def _join(idx: Iterable[int], labels: Sequence[str] | None) -> str:
    return ";".join(str(int(i)) if labels is None else str(labels[int(i)]) for i in idx)


def _curve_row(budget: float, sol: Solution, labels: Sequence[str] | None) -> dict[str, Any]:
    return {"budget_sek": budget, "spent_sek": sol.spent, "n_sites": sol.n_sites,
            "coverage_pct": round(sol.coverage_pct, 6), "backup_pct": round(sol.backup_pct, 6),
            "objective": sol.objective, "bound": sol.bound, "status": sol.status, "gap": sol.gap,
            "proven_optimal": sol.status == "optimal", "sites": _join(sol.selected, labels)}


def _labels(site_labels: Sequence[str] | None, n_sites: int) -> Sequence[str] | None:
    if site_labels is not None and len(site_labels) != n_sites:
        raise ValueError(f"site_labels has length {len(site_labels)}, expected {n_sites}")
    return site_labels


def budget_sweep(
    coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, budgets: Iterable[float], *,
    existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
    solver: SolverOptions = SWEEP_SOLVER, backup_weight: float = 0.0,
    known: Mapping[float, Solution] | None = None, site_labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The exact coverage-budget curve: one exact max-coverage solve per budget.

    Parameters
    ----------
    coverage, weights, costs, existing, constraints, backup_weight
        As in :func:`max_coverage`.
    budgets
        The budgets (duplicates are solved once).
    solver
        Solver settings; ``time_limit_s`` applies to each budget, ``workers`` sets
        how many budgets are solved at once (the table does not depend on it).
        Default: no greedy or LP bound per budget.
    known
        Budgets already solved (e.g. the main budget, by :func:`max_coverage` with
        the same inputs): not solved again, their rows are made from the given
        solutions, and the next budget starts from them. Budgets not in
        ``budgets`` are ignored.
    site_labels
        A label per site index, used in the ``sites`` column instead of the index.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CURVE_COLUMNS`, one row per budget in ascending order;
        ``proven_optimal`` is False where the solver stopped before proving
        optimality (time limit: ``gap`` says how far it may be from the best);
        ``sites`` lists the chosen sites separated by ``;``. No timings, so the
        table is the same on every run.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> cov = sp.csr_matrix(np.eye(3, dtype=bool))
    >>> budget_sweep(cov, [3.0, 2.0, 1.0], np.ones(3), [1, 2], site_labels=["a", "b", "c"])["sites"].tolist()
    ['a', 'a;b']
    """
    given = {float(b): s for b, s in (known or {}).items()}
    return start_budget_sweep(coverage, weights, costs, budgets, existing=existing, constraints=constraints,
                              solver=solver, backup_weight=backup_weight, skip=given,
                              site_labels=site_labels).table(given)


class PendingCurve:
    """A budget curve being solved in the background (:func:`start_budget_sweep`)."""

    def __init__(self, sweep: PendingSweep, labels: Sequence[str] | None) -> None:
        self.sweep, self.labels = sweep, labels

    def cancel(self) -> None:
        """End the workers now."""
        self.sweep.cancel()

    def solve_also(self, variants: Sequence[Variant], solver: SolverOptions) -> PendingSolves:
        """The curve's data solved under other side constraints on the curve's workers
        (:meth:`PendingSweep.solve_also`); collect them before or after :meth:`table`."""
        return self.sweep.solve_also(variants, solver)

    def table(self, known: Mapping[float, Solution] | None = None) -> pd.DataFrame:
        """The curve as :func:`budget_sweep` gives it; skipped budgets come from ``known``."""
        sols = self.sweep.result({float(b): s for b, s in (known or {}).items() if float(b) in self.sweep.wanted})
        return pd.DataFrame([_curve_row(b, s, self.labels) for b, s in sols.items()], columns=list(CURVE_COLUMNS))


def start_budget_sweep(
    coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, budgets: Iterable[float], *,
    existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
    solver: SolverOptions = SWEEP_SOLVER, backup_weight: float = 0.0, skip: Iterable[float] = (),
    site_labels: Sequence[str] | None = None, executor: TaskMap | None = None,
) -> PendingCurve:
    """:func:`budget_sweep` started in the background, without the budgets in ``skip``.

    The caller solves a skipped budget meanwhile (the run's main budget, on the
    core the workers leave) and hands it to :meth:`PendingCurve.table`. Call
    :meth:`PendingCurve.cancel` when it will not be needed (an error). ``executor``: run the budgets as its
    tasks (:mod:`camsite.optimize._remote`, e.g. a Dask cluster) instead of on the local pool.
    """
    model = make_model(coverage, weights, costs, existing=existing, constraints=constraints,
                       backup_weight=backup_weight)
    labels = _labels(site_labels, model.n_sites)
    return PendingCurve(start_sweep(model, [float(b) for b in budgets], solver=solver, skip=skip,
                                    executor=executor), labels)


def staged_plan(
    coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, stage_budgets: Sequence[float], *,
    existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
    solver: SolverOptions = SWEEP_SOLVER, backup_weight: float = 0.0,
    site_labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A nested rollout: stage ``k`` spends up to the sum of the first ``k`` budgets and keeps stage ``k-1``'s sites.

    Each stage is solved exactly with the earlier stages' sites forced (on top of
    ``constraints.forced``); its coverage is compared with the unconstrained
    optimum for the same cumulative budget (``shortfall_pct``: percentage points
    lost by nesting). Those optima are a :func:`budget_sweep` (on
    ``solver.workers``); the stages themselves run one after the other. The other
    arguments are as in :func:`budget_sweep`; ``time_limit_s`` applies to each
    solve.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STAGE_COLUMNS`, one row per stage; ``new_sites`` lists the
        sites added in that stage separated by ``;``.
    """
    free = make_model(coverage, weights, costs, existing=existing, constraints=constraints,
                      backup_weight=backup_weight)
    labels = _labels(site_labels, free.n_sites)
    cumulative = np.cumsum([float(b) for b in stage_budgets]).tolist()
    best = solve_budgets(free, cumulative, solver=solver)
    base = free.cons.forced
    rows: list[dict[str, Any]] = []
    prev = np.zeros(0, dtype=np.int64)
    for k, (b, cum) in enumerate(zip(stage_budgets, cumulative, strict=True), start=1):
        force = base.copy()
        force[prev] = True
        model = free.with_sites(forced=force) if len(prev) else free.fork()
        sol = model.solve(cum, solver=solver, start=prev if len(prev) else None)
        new = np.setdiff1d(sol.selected, prev)
        opt = best[cum]
        rows.append({"stage": k, "budget_sek": float(b), "cumulative_budget_sek": cum, "spent_sek": sol.spent,
                     "n_sites": sol.n_sites, "n_new_sites": len(new), "coverage_pct": round(sol.coverage_pct, 6),
                     "backup_pct": round(sol.backup_pct, 6), "optimum_coverage_pct": round(opt.coverage_pct, 6),
                     "shortfall_pct": round(opt.coverage_pct - sol.coverage_pct, 6), "status": sol.status,
                     "gap": sol.gap, "proven_optimal": sol.status == "optimal", "new_sites": _join(new, labels)})
        if sol.status != "infeasible":
            prev = sol.selected
    return pd.DataFrame(rows, columns=list(STAGE_COLUMNS))
