"""Minimum-cost cover: the cheapest set of sites meeting a coverage requirement.

Required points (every point some allowed site covers, or with
``hotspot_threshold`` every such point of weight >= the threshold) get
``sum_{j covers i} x_j >= 1``. With ``target < 1`` the covered weight (existing
coverage included) must also reach ``target`` times the total weight::

    min  sum_j c_j x_j
    s.t. sum_{j covers i} x_j >= 1                    (i required)
         y_i <= sum_{j covers i} x_j,  0 <= y_i <= 1   (other points)
         sum_i w_i y_i >= target * W - W_existing - W_required

Points covered by existing cameras are already covered and leave the model.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import abs_tolerance, as_csr, as_mask, as_vector, coverage_counts
from camsite.optimize._greedy import greedy_cover
from camsite.optimize._maxcov import _bound_gap, _left, add_side_constraints, tie_break_mode
from camsite.optimize._model import Mip
from camsite.optimize._reduce import merge_rows, reduce_sites
from camsite.optimize._ties import canonical
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["solve_min_cost_cover"]


class _Cover:
    """Reduced instance: required rows, optional share rows, kept sites."""

    def __init__(self, csr: sp.csr_matrix, w: np.ndarray, e: np.ndarray, c: np.ndarray, cons: Constraints,
                 target: float, hotspot: float | None, reduce: bool) -> None:
        idx = np.flatnonzero(~cons.forbidden)
        sub = csr[:, idx]
        coverable = np.diff(sub.indptr) > 0
        total = float(w.sum())
        want = (w >= hotspot) if hotspot is not None else np.full(len(w), target >= 1)
        self.uncoverable = np.flatnonzero(~coverable & ~e & (want | (target < 1)))
        required = want & coverable & ~e
        self.need = target * total - float(w[e].sum()) - float(w[required].sum()) if target < 1 else 0.0
        share = ~required & coverable & ~e & (w > 0) & (target < 1)
        self.max_share = float(w[share].sum())
        keep = required | share
        rows, wr, req = sub[keep], w[keep], required[keep]
        self.stats = {"rows": int(csr.shape[0]), "sites": int(csr.shape[1]), "required_rows": int(required.sum()),
                      "uncoverable_rows": int(len(self.uncoverable)), "forbidden_sites": int(cons.forbidden.sum())}
        if reduce:
            rows, wr, req = merge_rows(rows, wr, req)
            local, s2 = reduce_sites(rows, c[idx], idx, cons, dominance=True)
            self.stats.update(s2)
            rows, idx = rows[:, local], idx[local]
            rows, wr, req = merge_rows(rows, wr, req)
        self.rows, self.weights, self.required, self.sites = sp.csr_matrix(rows), wr, req, idx
        self.stats.update(rows_reduced=int(rows.shape[0]), sites_reduced=int(len(idx)))
        self.w_required, self.target, self.total = float(w[required].sum()), target, total


def _build(cv: _Cover, c: np.ndarray, cons: Constraints) -> tuple[Mip, list[Any], bool]:
    mip = Mip("min_cost_cover", maximize=False)
    x = mip.binaries("x", len(cv.sites))
    ind, ptr = cv.rows.indices, cv.rows.indptr
    share_terms = []
    for i in range(cv.rows.shape[0]):
        lhs = [(x[j], 1.0) for j in ind[ptr[i]:ptr[i + 1]]]
        if cv.required[i]:
            mip.add(lhs, ">=", 1.0)
        else:
            y = mip.continuous(f"y{i}_", 1)[0]
            mip.add(lhs + [(y, -1.0)], ">=", 0.0)
            share_terms.append((y, float(cv.weights[i])))
    if cv.target < 1 and cv.need > 0:
        mip.add(share_terms, ">=", cv.need - 1e-9 * max(1.0, cv.total))
    mip.set_objective(list(zip(x, c[cv.sites].tolist())), maximize=False)
    infeasible = add_side_constraints(mip, x, cv.sites, cons)
    infeasible |= cv.target < 1 and cv.need > cv.max_share + 1e-9 * max(1.0, cv.total)
    return mip, x, infeasible


def _check(csc: sp.csc_matrix, w: np.ndarray, e: np.ndarray, cv: _Cover, selected: np.ndarray,
           hotspot: float | None) -> float:
    """Covered weight; raises if the requirement is not met on the original matrix."""
    counts = coverage_counts(csc, selected)
    covered = (counts > 0) | e
    want = (w >= hotspot) if hotspot is not None else np.full(len(w), cv.target >= 1)
    miss = want & ~covered
    miss[cv.uncoverable] = False
    if miss.any():
        raise SolverError(f"internal error: {int(miss.sum())} required points left uncovered")
    cw = float(w[covered].sum())
    if cv.target < 1 and cw < cv.target * cv.total - 1e-6 * max(1.0, cv.total):
        raise SolverError(f"internal error: covered weight {cw} below the target")
    return cw


def solve_min_cost_cover(coverage: Any, costs: Any, weights: Any, existing: Any, cons: Constraints, *,
                         target: float, hotspot_threshold: float | None, solver: str, time_limit: float | None,
                         greedy: bool, lp_bound: bool, reduce: bool, tie_break: str | bool) -> Solution:
    """See :func:`camsite.optimize.min_cost_cover`."""
    t0 = time.perf_counter()
    csr = as_csr(coverage)
    n_dem, n_sites = csr.shape
    w = np.ones(n_dem) if weights is None else as_vector(weights, n_dem, "weights")
    c, e = as_vector(costs, n_sites, "costs"), as_mask(existing, n_dem, "existing")
    if not 0 < target <= 1:
        raise ValueError("target must be in (0, 1]")
    cv = _Cover(csr, w, e, c, cons, float(target), hotspot_threshold, reduce)
    mip, x, infeasible = _build(cv, c, cons)
    tol = abs_tolerance(c[cv.sites])
    deadline = None if time_limit is None else t0 + float(time_limit)
    info: dict[str, Any] = {}
    g_local = greedy_cover(cv.rows, cv.required, cv.weights, cv.need, c[cv.sites], cons, cv.sites) \
        if not infeasible else None
    if infeasible:
        return _infeasible(cv, w, t0, solver, tol)
    if lp_bound:
        lp = mip.solve(solver, mip=False, time_limit=_left(deadline), abs_gap=tol)
        if lp.status == "infeasible":
            return _infeasible(cv, w, t0, solver, tol)
        info["lp_bound"] = lp.objective if lp.status == "optimal" else None
    start = None if g_local is None else dict(zip(x, np.isin(np.arange(len(x)), g_local).astype(float).tolist()))
    out = mip.solve(solver, time_limit=_left(deadline), abs_gap=tol, start=start)
    if out.status == "infeasible":
        return _infeasible(cv, w, t0, solver, tol)
    if out.has_solution:
        local = np.flatnonzero(Mip.values(x) > 0.5)
    elif g_local is not None:
        local = g_local
    else:
        return _infeasible(cv, w, t0, solver, tol, status="time_limit")
    mode = tie_break_mode(tie_break)
    if out.status == "optimal" and mode == "lexicographic" and len(local):
        local = _tie_break(mip, x, c[cv.sites], cv.sites, local, tol, solver, deadline)
    elif out.status == "optimal" and mode == "local" and len(local):
        local = canonical(local, c[cv.sites], cons, cv.sites, moves=_moves(cv), budget=float(c[cv.sites][local].sum()),
                          tol=tol)
    selected = np.sort(cv.sites[local]).astype(np.int64)
    cw = _check(sp.csc_matrix(csr), w, e, cv, selected, hotspot_threshold)
    objective = float(c[selected].sum())
    bound, gap = _bound_gap(out, objective, 0.0, info.get("lp_bound"))
    if out.status != "optimal":
        bound = min(out.bound if np.isfinite(out.bound) else info.get("lp_bound", 0.0) or 0.0, objective)
        gap = float((objective - bound) / max(abs(objective), 1e-12))
    g_sel = None if g_local is None or not greedy else np.sort(cv.sites[g_local])
    return Solution(selected=selected, objective=objective, bound=float(bound), gap=gap, status=out.status,
                    runtime_s=time.perf_counter() - t0, solver=solver, model="min_cost_cover", spent=objective,
                    covered_weight=cw, total_weight=cv.total, lp_bound=info.get("lp_bound"),
                    greedy_objective=None if g_sel is None else float(c[g_sel].sum()), greedy_selected=g_sel,
                    uncoverable=cv.uncoverable, tolerance=tol, reduction=dict(cv.stats))


def _moves(cv: _Cover) -> Any:
    """Drop/swap tests for :func:`~camsite.optimize._ties.canonical`: the requirement must stay met."""
    csc = sp.csc_matrix(cv.rows, dtype=np.float64)
    share_w = np.where(cv.required, 0.0, cv.weights)
    wtol = 1e-9 * max(1.0, cv.total)

    def moves(chosen: np.ndarray, j: int) -> tuple[bool, np.ndarray]:
        cnt = cv.rows @ chosen.astype(np.int64)
        cnt[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] -= 1
        open_req = (cv.required & (cnt == 0)).astype(np.float64)
        covers_open = (csc.T @ open_req) >= open_req.sum() - 0.5
        if cv.target >= 1:
            return not open_req.any(), covers_open
        have = float(share_w[cnt > 0].sum())
        gain = csc.T @ np.where(cnt == 0, share_w, 0.0)
        return (not open_req.any()) and have >= cv.need - wtol, covers_open & (have + gain >= cv.need - wtol)

    return moves


def _tie_break(mip: Mip, x: list[Any], cost: np.ndarray, sites: np.ndarray, local: np.ndarray, tol: float,
               solver: str, deadline: float | None) -> np.ndarray:
    """Among cheapest covers, the one with the smallest sum of (original index + 1)."""
    z = float(cost[local].sum())
    terms = list(zip(x, cost.tolist()))
    mip.add(terms, "<=", z + tol)
    mip.set_objective(zip(x, (sites + 1.0).tolist()), maximize=False)
    start = dict(zip(x, np.isin(np.arange(len(x)), local).astype(float).tolist()))
    out = mip.solve(solver, time_limit=_left(deadline), abs_gap=0.5, start=start)
    if out.has_solution:
        cand = np.flatnonzero(Mip.values(x) > 0.5)
        if float(cost[cand].sum()) <= z + tol:
            return cand
    return local


def _infeasible(cv: _Cover, w: np.ndarray, t0: float, solver: str, tol: float, status: str = "infeasible"
                ) -> Solution:
    nan = float("nan")
    return Solution(selected=np.zeros(0, dtype=np.int64), objective=nan, bound=nan, gap=nan, status=status,
                    runtime_s=time.perf_counter() - t0, solver=solver, model="min_cost_cover",
                    total_weight=float(w.sum()), uncoverable=cv.uncoverable, tolerance=tol,
                    reduction=dict(cv.stats))
