"""Budgeted maximal coverage with an optional backup reward: :class:`CoverageModel`.

Model (after the reductions of :mod:`camsite.optimize._reduce`), over kept
sites ``j`` and reduced demand rows ``i`` with weight ``w_i``::

    max  sum_i w_i y_i + beta * sum_i w_i u_i
    s.t. y_i + u_i <= e_i + sum_{j covers i} x_j     (e_i = 1: existing camera)
         u_i <= y_i,  0 <= y_i, u_i <= 1,  x_j binary
         sum_j c_j x_j <= budget,  plus the side constraints

``y_i`` (coverage) and ``u_i`` (backup, Murray et al. 2007) can be continuous:
for binary ``x`` an optimum has them integral. Rows covered by existing cameras
have ``y_i = 1`` as a constant. A row that only one site covers adds its weight
to that site's objective coefficient instead of getting a variable.

The model is built once per instance; a new budget only changes the budget
row's upper bound, so a sweep re-solves the same model in place.
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._budget_cuts import count_cuts
from camsite.optimize._common import bound_gap, check_objective
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, abs_tolerance, as_csr, as_mask, as_vector, coverage_counts
from camsite.optimize._descent import RestrictedSolve, descend
from camsite.optimize._fixing import Fixing, lagrangian_of
from camsite.optimize._greedy import greedy_max
from camsite.optimize._local import improve
from camsite.optimize._maxcov_mip import Mip, build_mip, start_values
from camsite.optimize._model import (
    Backend,
    Basis,
    Deadline,
    FloatArray,
    IntArray,
    Outcome,
    open_backend,
    solve_lp,
    solve_mip,
)
from camsite.optimize._options import DEFAULT_SOLVER, SolverOptions
from camsite.optimize._reduce import reduce_coverage
from camsite.optimize._ties import canonical, coverage_moves
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["CoverageModel"]

#: The restricted MIP of :meth:`CoverageModel._better_start` runs only below this many sites (the LP's
#: support on the default scenario: 26; a restricted MIP of 200 sites took as long as the full one). It has
#: no time limit of its own (only the solve's), so the start, and the plan, do not depend on timing.
MAX_RESTRICTED = 120
#: Plans of more sites than this start from the greedy plan as it is (no swap search, no restricted MIP).
MAX_IMPROVE_SITES = 60
#: Reduced-cost fixing builds the smaller model only when it keeps at most this share of the sites.
MAX_FIXED_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class _Budget:
    """One solve's budget and the count rows added for it (:mod:`camsite.optimize._budget_cuts`)."""

    budget: float
    cuts: list[tuple[FloatArray, float]]


@dataclass(eq=False)
class _Backends:
    """The solvers of one model copy (one per solver name), created on first use."""

    by_name: dict[str, Backend] = field(default_factory=dict)


class CoverageModel:
    """A reduced max-coverage instance and its MIP, re-solvable for many budgets.

    Built by :func:`camsite.optimize.make_model` (or :meth:`with_sites`): the
    inputs are checked and reduced once, the MIP is built on the first solve and
    handed to each solver once; :meth:`solve` then only changes the budget.
    """

    def __init__(self, coverage: sp.spmatrix | sp.sparray, weights: npt.ArrayLike, costs: npt.ArrayLike, *,
                 existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
                 backup_weight: float = 0.0, reduce: bool = True) -> None:
        t0 = time.perf_counter()
        self.csr = as_csr(coverage)
        n_dem, n_sites = self.csr.shape
        self.csc = sp.csc_matrix(self.csr)
        self.w = as_vector(weights, n_dem, "weights")
        self.c = as_vector(costs, n_sites, "costs")
        self.e = as_mask(existing, n_dem, "existing")
        if not np.isfinite(backup_weight) or backup_weight < 0:
            raise ValueError("backup_weight must be >= 0")
        self.beta = float(backup_weight)
        self.cons = Constraints.build(n_sites) if constraints is None else constraints
        if self.cons.n_sites != n_sites:
            raise ValueError(f"constraints are for {self.cons.n_sites} sites, the coverage matrix has {n_sites}")
        self.reduce = bool(reduce)
        self._setup(t0)

    def _setup(self, t0: float) -> None:
        self.red, self.uncoverable = reduce_coverage(self.csr, self.w, self.e, self.c, self.cons, self.beta,
                                                     self.reduce)
        self.tol = abs_tolerance(np.r_[self.red.weights, self.beta * self.red.weights])
        self._mip: Mip | None = None
        self._solvers = _Backends()
        self._lp_basis: dict[str, Basis] = {}  # solver name -> the basis every LP starts from (warm_lp)
        self.prep_s = time.perf_counter() - t0
        logger.debug("max coverage reduced %s in %.3f s", self.red.stats, self.prep_s)

    @property
    def n_sites(self) -> int:
        """Number of candidate sites (columns of the coverage matrix)."""
        return int(self.csr.shape[1])

    def with_sites(self, *, forced: npt.ArrayLike | None = None, forbidden: npt.ArrayLike | None = None
                   ) -> CoverageModel:
        """The same instance with other forced and/or forbidden sites (masks or index lists; None: unchanged).

        The checked inputs are shared; the reductions and the MIP are redone
        (a forbidden site can undo a dominance, a forced one must stay in the
        model).
        """
        other = copy.copy(self)
        other.cons = self.cons.with_sites(forced=forced, forbidden=forbidden)
        other._setup(time.perf_counter())
        return other

    def fork(self) -> CoverageModel:
        """A copy sharing the data and the built MIP but with solvers of its own (one per thread)."""
        other = copy.copy(self)
        other._solvers = _Backends()
        return other

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (e.g. sent to a Dask worker) without its solvers: the receiver opens its own."""
        state = dict(self.__dict__)
        state["_solvers"] = _Backends()
        return state

    # -- model ----------------------------------------------------------------------------------
    def _build(self) -> Mip:
        if self._mip is None:
            self._mip = build_mip(self.red, self.c, self.cons, self.beta)
        return self._mip

    def _backend(self, name: str, nested: bool) -> Backend:
        if name not in self._solvers.by_name:
            self._solvers.by_name[name] = open_backend(name, self._build().model, nested=nested)
        return self._solvers.by_name[name]

    def _start_values(self, local: IntArray) -> FloatArray:
        """A complete MIP start (x, y, u) from a set of local site indices."""
        return start_values(self._build(), self.red, local)

    def evaluate(self, selected: npt.ArrayLike) -> tuple[float, float, float]:
        """(objective, covered weight, backup weight) of original site indices, from the original matrix."""
        counts = coverage_counts(self.csc, np.asarray(selected, dtype=np.int64)) + self.e
        covered = float(self.w[counts >= 1].sum())
        backup = float(self.w[counts >= 2].sum())
        return covered + self.beta * backup, covered, backup

    # -- solving --------------------------------------------------------------------------------
    def solve(self, budget: float, *, solver: SolverOptions = DEFAULT_SOLVER, start: npt.ArrayLike | None = None
              ) -> Solution:
        """Solve for one budget.

        Parameters
        ----------
        budget
            Upper limit on the total cost of the chosen sites.
        solver
            Solver settings; ``solver.time_limit_s`` is this solve's limit.
        start
            Original site indices of a solution to start from (kept if feasible
            and filled greedily with what the budget leaves); default: the greedy
            solution.

        Returns
        -------
        Solution
        """
        return self._solve(float(budget), solver, start, time.perf_counter())

    def _solve(self, budget: float, opts: SolverOptions, start: npt.ArrayLike | None, t0: float) -> Solution:
        if not np.isfinite(budget) or budget < 0:
            raise ValueError("budget must be a finite number >= 0")
        deadline = Deadline.after(opts.time_limit_s, t0)
        start_sites = None if start is None else np.asarray(start, dtype=np.int64).ravel()
        mip = self._build()
        info: dict[str, Any] = {"budget": budget}
        g_local = self._greedy(budget) if (opts.greedy or start_sites is None) else None
        if opts.greedy and g_local is not None:
            info["greedy"] = self.red.sites[g_local]
        if mip.infeasible:
            return self._infeasible(t0, info, opts.name)
        backend = self._backend(opts.name, opts.nested)
        cuts = self._set_budget(backend, budget)
        try:
            found = self._run(backend, _Budget(budget, cuts), opts, start_sites, g_local, info, deadline, t0)
        finally:
            for _ in range(len(cuts)):
                backend.delete_last_row()
        if isinstance(found, Solution):
            return found
        local, out = found
        if out.status == "optimal" and opts.tie_break == "lexicographic":
            local = self._tie_break(backend, local, deadline)
        elif out.status == "optimal" and opts.tie_break == "local" and len(local):
            red = self.red
            moves = coverage_moves(red.rows, red.weights, red.existing, self.beta, self.tol)
            local = canonical(local, self.c[red.sites], self.cons, red.sites, moves=moves, budget=budget,
                              tol=1e-9 * max(1.0, budget))
        return self._solution(local, out, info, opts.name, t0)

    def warm_lp(self, budget: float, *, solver: SolverOptions = DEFAULT_SOLVER) -> None:
        """Start every later LP relaxation of this model (and of its :meth:`fork` copies made after) from the
        basis of the LP at ``budget`` (without count rows), instead of cold.

        For a sweep (:class:`~camsite.optimize._sweep.PendingSweep`, at the middle
        budget): on the default scenario eight budgets' LPs took 0.23 s from that
        basis against 1.2 s cold. Each LP still starts from this one basis, never
        from the budget solved before, so a budget's plan depends only on its
        budget, its start and ``budget`` here, whichever worker solves it. This LP
        gets ``solver.time_limit_s`` like one budget of the sweep; stopped there,
        every LP starts cold.
        """
        mip = self._build()
        if mip.infeasible:
            return
        backend = self._backend(solver.name, solver.nested)
        backend.set_row_bounds(mip.budget_row, -np.inf, float(budget))
        lp = solve_lp(backend, deadline=Deadline.after(solver.time_limit_s), abs_gap=self.tol, basis=Basis.cold())
        basis = backend.lp_basis() if lp.status == "optimal" else None
        if basis is not None:
            self._lp_basis = {**self._lp_basis, solver.name: basis}

    def lp_bound(self, budget: float, *, solver: SolverOptions = DEFAULT_SOLVER) -> float | None:
        """The LP relaxation's optimum at ``budget`` (count rows included), solved without a time limit: no plan
        within the budget sees more. None when the side constraints alone are infeasible."""
        mip = self._build()
        if mip.infeasible:
            return None
        backend = self._backend(solver.name, solver.nested)
        cuts = self._set_budget(backend, float(budget))
        try:
            lp = solve_lp(backend, deadline=Deadline(None), abs_gap=self.tol, basis=self._lp_basis.get(solver.name))
        finally:
            for _ in range(len(cuts)):
                backend.delete_last_row()
        return lp.objective + self.red.constant if lp.status == "optimal" else None

    def _set_budget(self, backend: Backend, budget: float) -> list[tuple[FloatArray, float]]:
        """Set the budget row and add the budget's count rows (:mod:`camsite.optimize._budget_cuts`); returns them."""
        mip = self._build()
        backend.set_row_bounds(mip.budget_row, -np.inf, budget)
        costs = self.c[self.red.sites]
        # a budget affording every site (the highest reach) leaves every point of [0, 1]^n within it: no row cuts
        cuts = count_cuts(costs, budget) if budget < float(costs.sum()) else []
        for coef, upper in cuts:
            nz = np.flatnonzero(coef)
            backend.add_row(mip.x[nz], coef[nz], -np.inf, upper)
        return cuts

    def _run(self, backend: Backend, bud: _Budget, opts: SolverOptions, start_sites: IntArray | None,
             g_local: IntArray | None, info: dict[str, Any], deadline: Deadline, t0: float
             ) -> Solution | tuple[IntArray, Outcome]:
        """LP relaxation, the best start found, then the MIP (or, when the LP's reduced costs fix most sites,
        the MIP over the rest: :mod:`camsite.optimize._fixing`), the budget's cuts in place: the plan and the
        MIP's outcome, or the infeasible answer. The tie-break runs after the cuts are gone: its row on the
        optimal value already holds every plan it considers to the optimum."""
        mip, budget = self._build(), bud.budget
        lp = None
        if opts.lp_bound or (opts.fixing and backend.duals):
            lp = solve_lp(backend, deadline=deadline, abs_gap=self.tol, basis=self._lp_basis.get(opts.name))
            if opts.lp_bound:
                info["lp_bound"] = lp.objective + self.red.constant if lp.status == "optimal" else None
            if lp.status == "infeasible":
                return self._infeasible(t0, info, opts.name)
        lp_x = None if lp is None or lp.values is None else lp.values[mip.x]
        warm = self._local(start_sites) if start_sites is not None else g_local
        if start_sites is not None and warm is not None and self._feasible(warm, budget):
            filled = self._greedy(budget, seed=warm)  # spend what the start leaves, greedily
            warm = filled if filled is not None else warm
        if warm is not None and self._feasible(warm, budget):
            warm = self._better_start(warm, lp_x, budget, opts, deadline)
            if opts.fixing and lp is not None:
                found, warm = self._fix(lp, bud, warm, opts, deadline)
                if found is not None:
                    return found
        out = solve_mip(backend, deadline=deadline, abs_gap=self.tol,
                        start=None if warm is None else self._start_values(warm))
        if out.status == "infeasible":
            return self._infeasible(t0, info, opts.name)
        if out.values is not None:
            local = np.flatnonzero(out.values[mip.x] > 0.5).astype(np.int64)
        else:  # stopped before finding a solution: the start, if feasible (greedy always is)
            cands = [w_ for w_ in (warm, g_local) if w_ is not None and self._feasible(w_, budget)]
            local = cands[0] if cands else np.zeros(0, np.int64)
        return local, out

    def _fix(self, lp: Outcome, bud: _Budget, warm: IntArray, opts: SolverOptions, deadline: Deadline
             ) -> tuple[tuple[IntArray, Outcome] | None, IntArray]:
        """Reduced-cost fixing against the plan ``warm`` (:mod:`camsite.optimize._fixing`), or, when that keeps
        over :data:`MAX_FIXED_SHARE` of the sites, the threshold descent (:mod:`camsite.optimize._descent`):
        the plan and its outcome, or None and the best start found for the full MIP."""
        if lp.status != "optimal" or lp.row_duals is None:
            return None, warm
        mip = self._build()
        lag = lagrangian_of(mip.model, mip.budget_row, bud.budget, bud.cuts, mip.x, lp.row_duals)
        if lag is None:
            return None, warm
        z = self._reduced_objective(warm)
        fix = lag.fixable(mip.x, incumbent=z)
        logger.debug("reduced-cost fixing at %.0f: LP %.9g, Lagrangian %.9g, start %.9g: %d of %d sites out, %d in",
                     bud.budget, lp.objective, lag.bound, z, int(fix.forbid.sum()), len(fix.forbid),
                     int(fix.force.sum()))
        most = int(MAX_FIXED_SHARE * len(fix.forbid))
        if len(fix.forbid) - int(fix.forbid.sum()) <= most:
            return self._solve_fixed(fix, bud.budget, opts, warm, deadline), warm
        d = descend(lag.bound + np.minimum(lag.reduced[mip.x], 0.0), lag.bound, (warm, z),
                    self._kept_solver(bud.budget, opts, deadline), self._reduced_objective, max_kept=most,
                    tol=self.tol)
        logger.debug("threshold descent at %.0f: %.9g, bound %.9g (%s)", bud.budget, d.value, d.bound,
                     "optimal" if d.optimal else "stopped" if d.stopped else "full MIP next")
        if d.local is not None and (d.optimal or d.stopped):
            status = "optimal" if d.optimal else "time_limit"
            return (d.local, Outcome(status, d.value, max(d.bound, d.value), 0.0)), warm
        return None, warm if d.local is None else d.local

    def _kept_solver(self, budget: float, opts: SolverOptions, deadline: Deadline) -> RestrictedSolve:
        """The exact MIP over kept sites (local mask) from a start, as :func:`~camsite.optimize._descent.descend`
        asks for it."""
        red = self.red

        def solve_kept(keep: BoolArray, start: IntArray | None) -> tuple[IntArray | None, str]:
            forbid = np.ones(self.n_sites, dtype=bool)
            forbid[red.sites[keep]] = False
            sub = self.with_sites(forbidden=forbid | self.cons.forbidden)
            sol = sub.solve(budget, solver=replace(opts, time_limit_s=deadline.left(), greedy=False, lp_bound=False,
                                                   fixing=False, tie_break="none"),
                            start=None if start is None else red.sites[start])
            if sol.status not in ("optimal", "time_limit"):
                return None, sol.status
            return self._local(sol.selected), sol.status

        return solve_kept

    def _solve_fixed(self, fix: Fixing, budget: float, opts: SolverOptions, warm: IntArray, deadline: Deadline
                     ) -> tuple[IntArray, Outcome]:
        """The optimum over the sites ``fix`` leaves: the full model's optimum (module docs of ``_fixing``)."""
        red = self.red
        forbid = np.ones(self.n_sites, dtype=bool)
        forbid[red.sites[~fix.forbid]] = False
        force = self.cons.forced.copy()
        force[red.sites[fix.force]] = True
        sub = self.with_sites(forbidden=forbid | self.cons.forbidden, forced=force)
        sol = sub.solve(budget, solver=replace(opts, time_limit_s=deadline.left(), greedy=False, lp_bound=False,
                                               fixing=False, tie_break="none"), start=red.sites[warm])
        local = self._local(sol.selected)
        if sol.status not in ("optimal", "time_limit") or not self._feasible(local, budget):
            raise SolverError(f"internal error: the model with fixed sites gave status {sol.status}")
        value = self._reduced_objective(local)
        bound = sol.bound - self.red.constant if np.isfinite(sol.bound) else float("nan")
        return local, Outcome(sol.status, value, max(bound, value), sol.runtime_s)

    def _better_start(self, warm: IntArray, lp_x: FloatArray | None, budget: float, opts: SolverOptions,
                      deadline: Deadline) -> IntArray:
        """``warm`` improved by swaps, then (given the LP relaxation's values) the optimum over the LP's support.

        The restricted MIP keeps the sites the LP uses and those of the improved
        start (a few dozen) and forbids the rest; its optimum is feasible for the
        full model and usually optimal or close (module docs of ``_local``).
        """
        red = self.red
        if len(warm) > MAX_IMPROVE_SITES:  # each swap round costs a product per chosen site
            return warm
        warm = improve(red.rows, red.weights, red.existing, self.c[red.sites], budget, self.cons, red.sites,
                       self.beta, warm, tol=self.tol)
        left = deadline.left()
        if lp_x is None or (left is not None and left < 1.0):
            return warm
        keep = np.union1d(np.flatnonzero(lp_x > 1e-6), warm)
        if len(keep) >= min(len(red.sites), MAX_RESTRICTED):
            return warm
        forbid = np.ones(self.n_sites, dtype=bool)
        forbid[red.sites[keep]] = False
        sub = self.with_sites(forbidden=forbid | self.cons.forbidden)
        sol = sub.solve(budget, solver=replace(opts, time_limit_s=left, greedy=False, lp_bound=False, fixing=False,
                                               tie_break="none"), start=red.sites[warm])
        cand = self._local(sol.selected)
        if self._feasible(cand, budget) and self._reduced_objective(cand) > self._reduced_objective(warm) + self.tol:
            return cand
        return warm

    def greedy(self, budget: float) -> IntArray | None:
        """The greedy plan within ``budget`` that every solve starts from (original site indices, sorted; None
        when the side constraints leave no plan), without solving anything."""
        local = self._greedy(float(budget))
        return None if local is None else np.sort(self.red.sites[local]).astype(np.int64)

    def _greedy(self, budget: float, seed: IntArray | None = None) -> IntArray | None:
        """Greedy on the reduced model; ``seed`` (local indices) are kept, as if forced."""
        red, cons = self.red, self.cons
        if seed is not None and len(seed):
            forced = cons.forced.copy()
            forced[red.sites[seed]] = True
            cons = replace(cons, forced=forced)
        return greedy_max(red.rows, red.weights, red.existing, self.c[red.sites], budget, cons, red.sites,
                          self.beta)

    def _feasible(self, local: IntArray, budget: float) -> bool:
        """Whether local sites satisfy the budget and every side constraint."""
        return self.cons.plan_ok(self.red.sites[local], self.c, budget)

    def _local(self, selected: IntArray) -> IntArray:
        return np.flatnonzero(np.isin(self.red.sites, selected)).astype(np.int64)

    def _tie_break(self, backend: Backend, local: IntArray, deadline: Deadline) -> IntArray:
        """Among optimal solutions, the one with the smallest sum of (original index + 1); see package docs."""
        mip = self._build()
        z = self._reduced_objective(local)
        cost = mip.model.cost
        cols = np.flatnonzero(cost).astype(np.int64)
        backend.add_row(cols, cost[cols], z - self.tol, np.inf)
        index_cost = np.zeros(mip.model.n_cols)
        index_cost[mip.x] = self.red.sites + 1.0
        backend.set_objective(index_cost, maximize=False)
        try:
            out = solve_mip(backend, deadline=deadline, abs_gap=0.5, start=self._start_values(local))
            if out.values is not None and out.status in ("optimal", "time_limit"):
                cand = np.flatnonzero(out.values[mip.x] > 0.5).astype(np.int64)
                if self._reduced_objective(cand) >= z - self.tol:
                    local = cand
        finally:
            backend.delete_last_row()
            backend.set_objective(cost, maximize=True)
        return local

    def _reduced_objective(self, local: IntArray) -> float:
        """The reduced model's objective (without constant) for local sites."""
        xs = np.zeros(len(self.red.sites))
        xs[local] = 1.0
        cnt = np.asarray(self.red.rows @ xs).ravel()
        red = self.red
        cov = np.where(red.existing, 0.0, np.minimum(cnt, 1.0))
        back = np.where(red.existing, np.minimum(cnt, 1.0), cnt >= 2)
        return float(red.weights @ (cov + self.beta * back))

    def _infeasible(self, t0: float, info: dict[str, Any], solver: str) -> Solution:
        nan = float("nan")
        return Solution(selected=np.zeros(0, dtype=np.int64), objective=nan, bound=nan, gap=nan,
                        status="infeasible", runtime_s=time.perf_counter() - t0, solver=solver, model="max_coverage",
                        total_weight=float(self.w.sum()), lp_bound=info.get("lp_bound"),
                        uncoverable=self.uncoverable, tolerance=self.tol, reduction=dict(self.red.stats))

    def _solution(self, local: IntArray, out: Outcome, info: dict[str, Any], solver: str, t0: float) -> Solution:
        selected = np.sort(self.red.sites[local]).astype(np.int64)
        objective, covered, backup = self.evaluate(selected)
        expect = self._reduced_objective(local) + self.red.constant
        if abs(expect - objective) > 1e-6 * max(1.0, abs(objective)):
            raise SolverError(f"internal error: reduced objective {expect} != recomputed {objective}")
        check_objective(out, expect, constant=self.red.constant, tol=self.tol)
        trivial = float(self.w.sum() * (1.0 + self.beta))
        bound, gap = bound_gap(out, objective, self.red.constant, info.get("lp_bound") or trivial, maximize=True)
        g_sel = info.get("greedy")
        return Solution(
            selected=selected, objective=objective, bound=bound, gap=gap, status=out.status,
            runtime_s=time.perf_counter() - t0, solver=solver, model="max_coverage",
            spent=float(self.c[selected].sum()), covered_weight=covered, total_weight=float(self.w.sum()),
            backup_covered_weight=backup, lp_bound=info.get("lp_bound"),
            greedy_objective=None if g_sel is None else self.evaluate(g_sel)[0],
            greedy_selected=None if g_sel is None else np.sort(g_sel), uncoverable=self.uncoverable,
            tolerance=self.tol, reduction=dict(self.red.stats))
