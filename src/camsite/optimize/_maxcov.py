"""Budgeted maximal coverage with an optional backup reward, exact through pulp.

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
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import abs_tolerance, as_csr, as_mask, as_vector, coverage_counts
from camsite.optimize._greedy import greedy_max
from camsite.optimize._model import Mip
from camsite.optimize._reduce import Reduced, merge_rows, reduce_sites
from camsite.optimize._ties import canonical
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["MaxCoverageModel"]


def _reduce(csr: sp.csr_matrix, w: np.ndarray, e: np.ndarray, c: np.ndarray, cons: Constraints, beta: float,
            reduce: bool) -> tuple[Reduced, np.ndarray]:
    idx = np.flatnonzero(~cons.forbidden)
    sub = csr[:, idx]
    coverable = np.diff(sub.indptr) > 0
    keep = coverable & (~e | (beta > 0))
    if reduce:
        keep &= w > 0
    stats = {"rows": int(csr.shape[0]), "sites": int(csr.shape[1]), "forbidden_sites": int(cons.forbidden.sum()),
             "uncoverable_rows": int((~coverable).sum()), "existing_rows_dropped": int((e & coverable & ~keep).sum())}
    rows, wr, er = sub[keep], w[keep], e[keep]
    if reduce:
        rows, wr, er = merge_rows(rows, wr, er)
        local, s2 = reduce_sites(rows, c[idx], idx, cons, dominance=beta == 0)
        stats.update(s2)
        rows, idx = rows[:, local], idx[local]
        rows, wr, er = merge_rows(rows, wr, er)
    stats.update(rows_reduced=int(rows.shape[0]), sites_reduced=int(len(idx)))
    red = Reduced(rows=sp.csr_matrix(rows), weights=wr, existing=er, sites=idx, constant=float(w[e].sum()),
                  stats=stats)
    return red, np.flatnonzero(~coverable & ~e)


class MaxCoverageModel:
    """Reduced data and a pulp model for one instance, re-solvable for several budgets."""

    def __init__(self, coverage: Any, weights: Any, costs: Any, *, existing: Any, backup_weight: float,
                 cons: Constraints, reduce: bool = True) -> None:
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
        self.cons = cons
        self.red, self.uncoverable = _reduce(self.csr, self.w, self.e, self.c, cons, self.beta, reduce)
        self.tol = abs_tolerance(np.r_[self.red.weights, self.beta * self.red.weights])
        self.prep_s = time.perf_counter() - t0
        self.mip: Mip | None = None
        logger.debug("max coverage reduced %s in %.3f s", self.red.stats, self.prep_s)

    # -- model ----------------------------------------------------------------------------------
    def _build(self) -> Mip:
        red, beta = self.red, self.beta
        mip = Mip("max_coverage", maximize=True)
        m = len(red.sites)
        x = mip.binaries("x", m)
        obj_x = np.zeros(m)
        rows = red.rows
        sizes = np.diff(rows.indptr)
        single = sizes == 1
        first = rows.indices[rows.indptr[:-1][single]]
        np.add.at(obj_x, first, np.where(red.existing[single], beta, 1.0) * red.weights[single])
        terms: list[tuple[Any, float]] = [(x[j], float(obj_x[j])) for j in np.flatnonzero(obj_x)]
        multi = np.flatnonzero(~single)
        cover = multi[~red.existing[multi]]
        y = mip.continuous("y", len(cover))
        u = mip.continuous("u", len(multi)) if beta > 0 else []
        yk = dict(zip(cover.tolist(), y))
        ind, ptr = rows.indices, rows.indptr
        for k, i in enumerate(multi.tolist()):
            lhs = [(x[j], 1.0) for j in ind[ptr[i]:ptr[i + 1]]]
            if i in yk:
                lhs.append((yk[i], -1.0))
                terms.append((yk[i], float(red.weights[i])))
            if beta > 0:
                lhs.append((u[k], -1.0))
                terms.append((u[k], beta * float(red.weights[i])))
                if i in yk:
                    mip.add([(u[k], 1.0), (yk[i], -1.0)], "<=", 0.0)
            mip.add(lhs, ">=", 0.0)
        mip.set_objective(terms, maximize=True)
        self._x, self._y, self._u, self._multi, self._terms = x, yk, u, multi, terms
        self._budget = mip.add(zip(x, self.c[red.sites].tolist()), "<=", 0.0)
        self.infeasible_structure = add_side_constraints(mip, x, red.sites, self.cons)
        self._tie = None
        return mip

    def _start_values(self, local: np.ndarray) -> dict[Any, float]:
        """A complete MIP start (x, y, u) from a set of local site indices."""
        xs = np.zeros(len(self.red.sites))
        xs[local] = 1.0
        counts = self.red.rows @ xs
        start = dict(zip(self._x, xs.tolist()))
        for k, i in enumerate(self._multi.tolist()):
            if i in self._y:
                start[self._y[i]] = float(min(1.0, counts[i]))
                if self._u:
                    start[self._u[k]] = float(counts[i] >= 2)
            elif self._u:
                start[self._u[k]] = float(counts[i] >= 1)
        return start

    def evaluate(self, selected: np.ndarray) -> tuple[float, float, float]:
        """(objective, covered weight, backup weight) of original site indices, from the original matrix."""
        counts = coverage_counts(self.csc, selected) + self.e
        covered = float(self.w[counts >= 1].sum())
        backup = float(self.w[counts >= 2].sum())
        return covered + self.beta * backup, covered, backup

    # -- solving --------------------------------------------------------------------------------
    def solve(self, budget: float, *, solver: str = "highs", time_limit: float | None = None,
              start: np.ndarray | None = None, greedy: bool = True, lp_bound: bool = True,
              tie_break: str | bool = "local") -> Solution:
        """Solve for one budget; ``start`` (original site indices) is an optional warm start."""
        t0 = time.perf_counter()
        if not np.isfinite(budget) or budget < 0:
            raise ValueError("budget must be a finite number >= 0")
        if self.mip is None:
            self.mip = self._build()
        self._budget.constant = -float(budget)
        deadline = None if time_limit is None else t0 + float(time_limit)
        info: dict[str, Any] = {"budget": float(budget)}
        g_local = self._greedy(budget) if (greedy or start is None) else None
        if greedy and g_local is not None:
            info["greedy"] = self.red.sites[g_local]
        if self.infeasible_structure:
            return self._infeasible(t0, info)
        if lp_bound:
            lp = self.mip.solve(solver, mip=False, time_limit=_left(deadline), abs_gap=self.tol)
            info["lp_bound"] = lp.objective + self.red.constant if lp.status == "optimal" else None
            if lp.status == "infeasible":
                return self._infeasible(t0, info)
        warm = self._local(start) if start is not None else g_local
        if start is not None and self._feasible(warm, budget):
            filled = self._greedy(budget, seed=warm)  # spend what the start leaves, greedily
            warm = filled if filled is not None else warm
        out = self.mip.solve(solver, time_limit=_left(deadline), abs_gap=self.tol,
                             start=None if warm is None else self._start_values(warm))
        if out.status == "infeasible":
            return self._infeasible(t0, info)
        if out.has_solution:
            local = self._chosen()
        else:  # stopped before finding a solution: the start, if feasible (greedy always is)
            cands = [w_ for w_ in (warm, g_local) if w_ is not None and self._feasible(w_, budget)]
            local = cands[0] if cands else np.zeros(0, np.int64)
        mode = tie_break_mode(tie_break)
        if out.status == "optimal" and mode == "lexicographic":
            local = self._tie_break(local, solver, deadline)
        elif out.status == "optimal" and mode == "local" and len(local):
            local = canonical(local, self.c[self.red.sites], self.cons, self.red.sites, moves=self._moves(),
                              budget=float(budget), tol=1e-9 * max(1.0, float(budget)))
        return self._solution(local, out, info, solver, t0)

    def _greedy(self, budget: float, seed: np.ndarray | None = None) -> np.ndarray | None:
        """Greedy on the reduced model; ``seed`` (local indices) are kept, as if forced."""
        red, cons = self.red, self.cons
        if seed is not None and len(seed):
            forced = cons.forced.copy()
            forced[red.sites[seed]] = True
            cons = replace(cons, forced=forced)
        return greedy_max(red.rows, red.weights, red.existing, self.c[red.sites], budget, cons, red.sites,
                          self.beta)

    def _feasible(self, local: np.ndarray, budget: float) -> bool:
        """Whether local sites satisfy the budget and every side constraint."""
        cons, sites = self.cons, self.red.sites[local]
        if self.c[sites].sum() > budget + 1e-9 * max(1.0, budget) or cons.forced[sites].sum() < cons.forced.sum():
            return False
        g = cons.groups[sites]
        g = g[g >= 0]
        if len(np.unique(g)) < len(g) or not all(np.isin(r, sites).any() for r in cons.require_any):
            return False
        if cons.any_conflicts and (np.isin(cons.conflicts, sites).all(axis=1)).any():
            return False
        if cons.type_codes.size:
            counts = np.bincount(cons.type_codes[sites], minlength=len(cons.type_caps))
            if (counts > cons.type_caps).any():
                return False
        return True

    def _local(self, selected: np.ndarray) -> np.ndarray:
        return np.flatnonzero(np.isin(self.red.sites, np.asarray(selected, dtype=np.int64)))

    def _chosen(self) -> np.ndarray:
        return np.flatnonzero(Mip.values(self._x) > 0.5)

    def _tie_break(self, local: np.ndarray, solver: str, deadline: float | None) -> np.ndarray:
        """Among optimal solutions, the one with the smallest sum of (original index + 1); see package docs."""
        mip = self.mip
        z = self._reduced_objective(local)
        if self._tie is None:
            self._tie = mip.add(self._terms, ">=", 0.0)
        self._tie.constant = -(z - self.tol)
        mip.set_objective(zip(self._x, (self.red.sites + 1.0).tolist()), maximize=False)
        try:
            out = mip.solve(solver, time_limit=_left(deadline), abs_gap=0.5, start=self._start_values(local))
            if out.has_solution and out.status in ("optimal", "time_limit"):
                cand = self._chosen()
                if self._reduced_objective(cand) >= z - self.tol:
                    local = cand
        finally:
            self._tie.constant = 0.0
            mip.set_objective(self._terms, maximize=True)
        return local

    def _moves(self) -> Any:
        """Drop/swap tests for :func:`~camsite.optimize._ties.canonical` on the reduced model."""
        red, beta, tol = self.red, self.beta, self.tol
        csc = sp.csc_matrix(red.rows, dtype=np.float64)
        w, ex = red.weights, red.existing.astype(np.int64)

        def value(c: np.ndarray, ww: np.ndarray) -> float:
            return float(ww @ ((c >= 1) + beta * (c >= 2)))

        def moves(chosen: np.ndarray, j: int) -> tuple[bool, np.ndarray]:
            cnt = ex + red.rows @ chosen.astype(np.int64)
            rj = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
            cm = cnt.copy()
            cm[rj] -= 1
            loss = value(cnt[rj], w[rj]) - value(cm[rj], w[rj])
            gain = csc.T @ np.where(cm == 0, w, np.where(cm == 1, beta * w, 0.0))
            return loss <= tol, gain >= loss - tol

        return moves

    def _reduced_objective(self, local: np.ndarray) -> float:
        """The reduced model's objective (without constant) for local sites."""
        xs = np.zeros(len(self.red.sites))
        xs[local] = 1.0
        cnt = self.red.rows @ xs
        red = self.red
        cov = np.where(red.existing, 0.0, np.minimum(cnt, 1.0))
        back = np.where(red.existing, np.minimum(cnt, 1.0), cnt >= 2)
        return float(red.weights @ (cov + self.beta * back))

    def _infeasible(self, t0: float, info: dict[str, Any]) -> Solution:
        nan = float("nan")
        return Solution(selected=np.zeros(0, dtype=np.int64), objective=nan, bound=nan, gap=nan,
                        status="infeasible", runtime_s=time.perf_counter() - t0 + self.prep_s, model="max_coverage",
                        total_weight=float(self.w.sum()), lp_bound=info.get("lp_bound"),
                        uncoverable=self.uncoverable, tolerance=self.tol, reduction=dict(self.red.stats))

    def _solution(self, local: np.ndarray, out: Any, info: dict[str, Any], solver: str, t0: float) -> Solution:
        selected = np.sort(self.red.sites[local]).astype(np.int64)
        objective, covered, backup = self.evaluate(selected)
        expect = self._reduced_objective(local) + self.red.constant
        if abs(expect - objective) > 1e-6 * max(1.0, abs(objective)):
            raise SolverError(f"internal error: reduced objective {expect} != recomputed {objective}")
        if out.has_solution and abs(out.objective + self.red.constant - expect) > 1e-5 * max(1.0, abs(expect)):
            logger.warning("solver objective %.9g differs from the recomputed %.9g", out.objective, expect)
        trivial = float(self.w.sum() * (1.0 + self.beta))
        bound, gap = _bound_gap(out, objective, self.red.constant, info.get("lp_bound") or trivial)
        g_sel = info.get("greedy")
        return Solution(
            selected=selected, objective=objective, bound=bound, gap=gap, status=out.status,
            runtime_s=time.perf_counter() - t0 + self.prep_s, solver=solver, model="max_coverage",
            spent=float(self.c[selected].sum()), covered_weight=covered, total_weight=float(self.w.sum()),
            backup_covered_weight=backup, lp_bound=info.get("lp_bound"),
            greedy_objective=None if g_sel is None else self.evaluate(g_sel)[0],
            greedy_selected=None if g_sel is None else np.sort(g_sel), uncoverable=self.uncoverable,
            tolerance=self.tol, reduction=dict(self.red.stats))


def tie_break_mode(tie_break: str | bool) -> str:
    """Normalise the ``tie_break`` option: ``"local"`` (True), ``"lexicographic"`` or ``"none"`` (False)."""
    mode = {True: "local", False: "none"}.get(tie_break, tie_break) if isinstance(tie_break, bool) else tie_break
    if mode not in ("local", "lexicographic", "none"):
        raise ValueError(f"tie_break must be 'local', 'lexicographic' or 'none', not {tie_break!r}")
    return str(mode)


def _bound_gap(out: Any, objective: float, constant: float, lp_bound: float | None) -> tuple[float, float]:
    if out.status == "optimal":
        return objective, 0.0
    bound = out.bound + constant if np.isfinite(out.bound) else (lp_bound if lp_bound is not None else np.inf)
    bound = max(bound, objective)
    return float(bound), float((bound - objective) / max(abs(objective), 1e-12))


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.perf_counter(), 0.01)


def add_side_constraints(mip: Mip, x: list[Any], sites: np.ndarray, cons: Constraints) -> bool:
    """Add groups, conflicts, forced, require_any and type caps over kept ``sites``; True if trivially infeasible."""
    pos = {int(g): k for k, g in enumerate(sites)}
    for k in np.flatnonzero(cons.forced[sites]):
        mip.fix_lower(x[k], 1.0)
    grp = cons.groups[sites]
    if (grp >= 0).any():
        order = np.argsort(grp, kind="stable")
        bounds = np.flatnonzero(np.diff(grp[order])) + 1
        for members in np.split(order, bounds):
            if len(members) > 1 and grp[members[0]] >= 0:
                mip.add([(x[k], 1.0) for k in members], "<=", 1.0)
    for a, b in cons.conflicts.tolist():
        if a in pos and b in pos:
            mip.add([(x[pos[a]], 1.0), (x[pos[b]], 1.0)], "<=", 1.0)
    infeasible = bool(cons.forced[cons.forbidden].any())
    for req in cons.require_any:
        members = [pos[int(g)] for g in req if int(g) in pos]
        if not members:
            infeasible = True
        else:
            mip.add([(x[k], 1.0) for k in members], ">=", 1.0)
    if cons.type_codes.size:
        codes = cons.type_codes[sites]
        for t, cap in enumerate(cons.type_caps.tolist()):
            members = np.flatnonzero(codes == t)
            if np.isfinite(cap) and len(members) > cap:
                mip.add([(x[k], 1.0) for k in members], "<=", float(cap))
    return infeasible
