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
import numpy.typing as npt
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._common import add_side_rows, bound_gap
from camsite.optimize._constraints import Constraints
from camsite.optimize._data import abs_tolerance, as_csr, as_mask, as_vector, coverage_counts
from camsite.optimize._greedy import greedy_cover
from camsite.optimize._model import (
    Backend,
    BoolArray,
    Deadline,
    FloatArray,
    IntArray,
    LinearModel,
    ModelBuilder,
    open_backend,
    solve_lp,
    solve_mip,
)
from camsite.optimize._options import SolverOptions
from camsite.optimize._reduce import merge_rows, reduce_sites
from camsite.optimize._ties import Moves, canonical
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["solve_min_cost_cover"]


class _Cover:
    """Reduced instance: required rows, optional share rows, kept sites."""

    def __init__(self, csr: sp.csr_matrix, w: FloatArray, e: BoolArray, c: FloatArray, cons: Constraints,
                 target: float, hotspot: float | None, reduce: bool) -> None:
        idx = np.flatnonzero(~cons.forbidden).astype(np.int64)
        sub = sp.csr_matrix(csr[:, idx])
        coverable = np.diff(sub.indptr) > 0
        total = float(w.sum())
        want = (w >= hotspot) if hotspot is not None else np.full(len(w), target >= 1)
        self.uncoverable = np.flatnonzero(~coverable & ~e & (want | (target < 1))).astype(np.int64)
        required = want & coverable & ~e
        self.need = target * total - float(w[e].sum()) - float(w[required].sum()) if target < 1 else 0.0
        share = ~required & coverable & ~e & (w > 0) & (target < 1)
        self.max_share = float(w[share].sum())
        keep = required | share
        rows, wr, req = sp.csr_matrix(sub[keep]), w[keep], required[keep]
        self.stats: dict[str, int] = {
            "rows": int(csr.shape[0]), "sites": int(csr.shape[1]), "required_rows": int(required.sum()),
            "uncoverable_rows": len(self.uncoverable), "forbidden_sites": int(cons.forbidden.sum())}
        if reduce:
            rows, wr, req = merge_rows(rows, wr, req)
            local, s2 = reduce_sites(rows, c[idx], idx, cons, dominance=True)
            self.stats.update(s2)
            rows, idx = sp.csr_matrix(rows[:, local]), idx[local]
            rows, wr, req = merge_rows(rows, wr, req)
        self.rows, self.weights, self.required, self.sites = sp.csr_matrix(rows), wr, req, idx
        self.stats.update(rows_reduced=int(rows.shape[0]), sites_reduced=len(idx))
        self.w_required, self.target, self.total = float(w[required].sum()), target, total


def _build(cv: _Cover, c: FloatArray, cons: Constraints) -> tuple[LinearModel, IntArray, IntArray, bool]:
    """The MIP; returns it, the site columns, the coverage column per reduced row (-1: none) and infeasibility."""
    b = ModelBuilder()
    m, n = len(cv.sites), cv.rows.shape[0]
    x = b.add_columns(m, cost=c[cv.sites], integer=True)
    opt = ~cv.required
    y = np.full(n, -1, dtype=np.int64)
    y[opt] = b.add_columns(int(opt.sum()))
    coo = sp.coo_matrix(cv.rows)
    req_rows = np.flatnonzero(cv.required)
    pos = np.full(n, -1, dtype=np.int64)
    pos[req_rows] = np.arange(len(req_rows))
    hit = cv.required[coo.row]
    b.add_rows(len(req_rows), pos[coo.row[hit]], x[coo.col[hit]], 1.0, lower=1.0)
    opt_rows = np.flatnonzero(opt)
    pos[opt_rows] = np.arange(len(opt_rows))
    k = np.arange(len(opt_rows))
    b.add_rows(len(opt_rows), np.r_[pos[coo.row[~hit]], k], np.r_[x[coo.col[~hit]], y[opt_rows]],
               np.r_[np.ones(int((~hit).sum())), -np.ones(len(k))], lower=0.0)
    if cv.target < 1 and cv.need > 0:
        b.add_row(y[opt_rows], cv.weights[opt_rows], lower=cv.need - 1e-9 * max(1.0, cv.total))
    infeasible = add_side_rows(b, x, cv.sites, cons)
    infeasible |= cv.target < 1 and cv.need > cv.max_share + 1e-9 * max(1.0, cv.total)
    return b.build(maximize=False), x, y, infeasible


def _check(csc: sp.csc_matrix, w: FloatArray, e: BoolArray, cv: _Cover, selected: IntArray,
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


def solve_min_cost_cover(coverage: sp.spmatrix | sp.sparray, costs: npt.ArrayLike, weights: npt.ArrayLike | None,
                         existing: npt.ArrayLike | None, cons: Constraints | None, *, target: float,
                         hotspot_threshold: float | None, solver: SolverOptions, reduce: bool) -> Solution:
    """See :func:`camsite.optimize.min_cost_cover`."""
    t0 = time.perf_counter()
    deadline = Deadline.after(solver.time_limit_s, t0)
    csr = as_csr(coverage)
    n_dem, n_sites = csr.shape
    w = np.ones(n_dem) if weights is None else as_vector(weights, n_dem, "weights")
    c, e = as_vector(costs, n_sites, "costs"), as_mask(existing, n_dem, "existing")
    cons = Constraints.build(n_sites) if cons is None else cons
    if cons.n_sites != n_sites:
        raise ValueError(f"constraints are for {cons.n_sites} sites, the coverage matrix has {n_sites}")
    if not 0 < target <= 1:
        raise ValueError("target must be in (0, 1]")
    cv = _Cover(csr, w, e, c, cons, float(target), hotspot_threshold, reduce)
    model, x, y, infeasible = _build(cv, c, cons)
    tol = abs_tolerance(c[cv.sites])
    info: dict[str, Any] = {}
    if infeasible:
        return _infeasible(cv, w, t0, solver.name, tol)
    g_local = greedy_cover(cv.rows, cv.required, cv.weights, cv.need, c[cv.sites], cons, cv.sites)
    backend = open_backend(solver.name, model)
    if solver.lp_bound:
        lp = solve_lp(backend, deadline=deadline, abs_gap=tol)
        if lp.status == "infeasible":
            return _infeasible(cv, w, t0, solver.name, tol)
        info["lp_bound"] = lp.objective if lp.status == "optimal" else None
    start = None if g_local is None else _start_values(cv, model, x, y, g_local)
    out = solve_mip(backend, deadline=deadline, abs_gap=tol, start=start)
    if out.status == "infeasible":
        return _infeasible(cv, w, t0, solver.name, tol)
    if out.values is not None:
        local = np.flatnonzero(out.values[x] > 0.5).astype(np.int64)
    elif g_local is not None:
        local = g_local
    else:
        return _infeasible(cv, w, t0, solver.name, tol, status="time_limit")
    if out.status == "optimal" and solver.tie_break == "lexicographic" and len(local):
        local = _tie_break(backend, cv, model, x, y, c[cv.sites], local, tol, deadline)
    elif out.status == "optimal" and solver.tie_break == "local" and len(local):
        local = canonical(local, c[cv.sites], cons, cv.sites, moves=_moves(cv),
                          budget=float(c[cv.sites][local].sum()), tol=tol)
    selected = np.sort(cv.sites[local]).astype(np.int64)
    cw = _check(sp.csc_matrix(csr), w, e, cv, selected, hotspot_threshold)
    objective = float(c[selected].sum())
    bound, gap = bound_gap(out, objective, 0.0, info.get("lp_bound"), maximize=False)
    g_sel = None if g_local is None or not solver.greedy else np.sort(cv.sites[g_local])
    return Solution(selected=selected, objective=objective, bound=bound, gap=gap, status=out.status,
                    runtime_s=time.perf_counter() - t0, solver=solver.name, model="min_cost_cover", spent=objective,
                    covered_weight=cw, total_weight=cv.total, lp_bound=info.get("lp_bound"),
                    greedy_objective=None if g_sel is None else float(c[g_sel].sum()), greedy_selected=g_sel,
                    uncoverable=cv.uncoverable, tolerance=tol, reduction=dict(cv.stats))


def _start_values(cv: _Cover, model: LinearModel, x: IntArray, y: IntArray, local: IntArray) -> FloatArray:
    """A complete MIP start (x and the coverage variables) from local site indices."""
    xs = np.zeros(len(cv.sites))
    xs[local] = 1.0
    counts = np.asarray(cv.rows @ xs).ravel()
    full = np.zeros(model.n_cols)
    full[x] = xs
    has = y >= 0
    full[y[has]] = np.minimum(1.0, counts[has])
    return full


def _moves(cv: _Cover) -> Moves:
    """Drop/swap tests for :func:`~camsite.optimize._ties.canonical`: the requirement must stay met."""
    csc = sp.csc_matrix(cv.rows, dtype=np.float64)
    share_w = np.where(cv.required, 0.0, cv.weights)
    wtol = 1e-9 * max(1.0, cv.total)

    def moves(chosen: BoolArray, j: int) -> tuple[bool, BoolArray]:
        cnt = np.asarray(cv.rows @ chosen.astype(np.int64)).ravel()
        cnt[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] -= 1
        open_req = (cv.required & (cnt == 0)).astype(np.float64)
        covers_open = np.asarray(csc.T @ open_req).ravel() >= open_req.sum() - 0.5
        if cv.target >= 1:
            return not open_req.any(), covers_open
        have = float(share_w[cnt > 0].sum())
        gain = np.asarray(csc.T @ np.where(cnt == 0, share_w, 0.0)).ravel()
        return (not open_req.any()) and have >= cv.need - wtol, covers_open & (have + gain >= cv.need - wtol)

    return moves


def _tie_break(backend: Backend, cv: _Cover, model: LinearModel, x: IntArray, y: IntArray, cost: FloatArray,
               local: IntArray, tol: float, deadline: Deadline) -> IntArray:
    """Among cheapest covers, the one with the smallest sum of (original index + 1)."""
    z = float(cost[local].sum())
    backend.add_row(x, cost, -np.inf, z + tol)
    index_cost = np.zeros(model.n_cols)
    index_cost[x] = cv.sites + 1.0
    backend.set_objective(index_cost, maximize=False)
    try:
        out = solve_mip(backend, deadline=deadline, abs_gap=0.5, start=_start_values(cv, model, x, y, local))
        if out.values is not None:
            cand = np.flatnonzero(out.values[x] > 0.5).astype(np.int64)
            if float(cost[cand].sum()) <= z + tol:
                return cand
    finally:
        backend.delete_last_row()
        backend.set_objective(model.cost, maximize=False)
    return local


def _infeasible(cv: _Cover, w: FloatArray, t0: float, solver: str, tol: float, status: str = "infeasible"
                ) -> Solution:
    nan = float("nan")
    return Solution(selected=np.zeros(0, dtype=np.int64), objective=nan, bound=nan, gap=nan, status=status,
                    runtime_s=time.perf_counter() - t0, solver=solver, model="min_cost_cover",
                    total_weight=float(w.sum()), uncoverable=cv.uncoverable, tolerance=tol,
                    reduction=dict(cv.stats))
