"""Minimum-cost cover: the cheapest set of sites meeting a coverage requirement.

Required points (every point some allowed site covers, or with
``hotspot_threshold`` every such point of weight >= the threshold) get
``sum_{j covers i} x_j >= 1``. With ``target < 1`` the covered weight (existing
coverage included) must also reach ``target`` times the total weight, and each
further requirement ``k`` of ``covers`` (:mod:`camsite.optimize._shares`: a row
mask or weight vector ``s_k`` and a required covered weight ``r_k``) gives one
more row::

    min  sum_j c_j x_j
    s.t. sum_{j covers i} x_j >= 1                    (i required)
         y_i <= sum_{j covers i} x_j,  0 <= y_i <= 1   (other points)
         sum_i w_i y_i >= target * W - W_existing - W_required
         sum_i s_ki y_i >= r_k - S_k,existing - S_k,required   (each k)

Points covered by existing cameras are already covered and leave the model.
The requirements are one sparse ``K x n`` matrix; merged rows sum its columns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
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
    Outcome,
    open_backend,
    solve_lp,
    solve_mip,
)
from camsite.optimize._options import FAR_START_SITES, SolverOptions
from camsite.optimize._probe import PROBE_MIN_LIMIT_S, PROBE_MIP_SHARE, BudgetProbe, cost_step
from camsite.optimize._reduce import merge_rows, reduce_sites
from camsite.optimize._shares import Cover, greedy_shares, merge_map, share_matrix
from camsite.optimize._ties import Moves, canonical
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["solve_min_cost_cover"]


class _Cover:
    """Reduced instance: required rows, requirement rows (``shares`` x coverage >= ``needs``), kept sites."""

    def __init__(self, csr: sp.csr_matrix, w: FloatArray, e: BoolArray, c: FloatArray, cons: Constraints,
                 target: float | None, hotspot: float | None, covers: Sequence[Cover], reduce: bool) -> None:
        idx = np.flatnonzero(~cons.forbidden).astype(np.int64)
        sub = sp.csr_matrix(csr[:, idx])
        coverable = np.diff(sub.indptr) > 0
        total = float(w.sum())
        share_target = target is not None and target < 1
        want = (w >= hotspot) if hotspot is not None else np.full(len(w), target is not None and target >= 1)
        full, abs_need = share_matrix([(w, target * total)] if share_target and target is not None else [], w)
        extra, extra_need = share_matrix(covers, w)
        full, abs_need = sp.csr_matrix(sp.vstack([full, extra])), np.r_[abs_need, extra_need]
        weighted = np.asarray(abs(full).sum(axis=0)).ravel() > 0
        self.uncoverable = np.flatnonzero(~coverable & ~e & (want | share_target | weighted)).astype(np.int64)
        required = want & coverable & ~e
        self.full, self.abs_need, self.legacy = full, abs_need, not covers
        self.needs = abs_need - full @ (e | required).astype(np.float64)
        share = ~required & coverable & ~e & weighted
        self.max_share = full @ share.astype(np.float64)
        self.need = float(self.needs[0]) if share_target else 0.0
        keep = required | share
        rows, wr, req = sp.csr_matrix(sub[keep]), w[keep], required[keep]
        shares = sp.csr_matrix(full[:, np.flatnonzero(keep)].multiply((~req)[None, :].astype(np.float64)))
        self.stats: dict[str, int] = {
            "rows": int(csr.shape[0]), "sites": int(csr.shape[1]), "required_rows": int(required.sum()),
            "uncoverable_rows": len(self.uncoverable), "forbidden_sites": int(cons.forbidden.sum()),
            "requirements": int(full.shape[0])}
        if reduce:
            rows, wr, req, shares = _merge(rows, wr, req, shares)
            local, s2 = reduce_sites(rows, c[idx], idx, cons, dominance=True)
            self.stats.update(s2)
            rows, idx = sp.csr_matrix(rows[:, local]), idx[local]
            rows, wr, req, shares = _merge(rows, wr, req, shares)
        self.rows, self.weights, self.required, self.sites = sp.csr_matrix(rows), wr, req, idx
        self.shares = sp.csr_matrix(shares)
        self.stats.update(rows_reduced=int(rows.shape[0]), sites_reduced=len(idx))
        self.w_required, self.total = float(w[required].sum()), total
        self.totals = np.maximum(1.0, np.asarray(abs(full).sum(axis=1)).ravel())
        self.all_required = target is not None and target >= 1

    @property
    def infeasible(self) -> bool:
        """Whether some requirement exceeds what every coverable row together gives."""
        return bool((self.needs > self.max_share + 1e-9 * self.totals).any())


def _merge(rows: sp.csr_matrix, w: FloatArray, req: BoolArray, shares: sp.csr_matrix
           ) -> tuple[sp.csr_matrix, FloatArray, BoolArray, sp.csr_matrix]:
    """:func:`merge_rows`, with the requirement matrix's columns summed the same way."""
    if shares.shape[0]:
        shares = sp.csr_matrix(shares @ merge_map(rows, req))
    rows, w, req = merge_rows(rows, w, req)
    return rows, w, req, shares


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
    active = np.flatnonzero(cv.needs > 0)
    if len(active):  # one row per requirement: sum_i s_ki y_i >= need_k
        s = sp.coo_matrix(cv.shares[active][:, opt_rows])
        b.add_rows(len(active), s.row, y[opt_rows][s.col], s.data,
                   lower=cv.needs[active] - 1e-9 * cv.totals[active])
    infeasible = add_side_rows(b, x, cv.sites, cons)
    infeasible |= cv.infeasible
    return b.build(maximize=False), x, y, infeasible


def _check(csc: sp.csc_matrix, w: FloatArray, e: BoolArray, cv: _Cover, selected: IntArray,
           hotspot: float | None) -> float:
    """Covered weight; raises if a requirement is not met on the original matrix."""
    counts = coverage_counts(csc, selected)
    covered = (counts > 0) | e
    want = (w >= hotspot) if hotspot is not None else np.full(len(w), cv.all_required)
    miss = want & ~covered
    miss[cv.uncoverable] = False
    if miss.any():
        raise SolverError(f"internal error: {int(miss.sum())} required points left uncovered")
    have = cv.full @ covered.astype(np.float64)
    short = have < cv.abs_need - 1e-6 * cv.totals
    if short.any():
        raise SolverError(f"internal error: covered weight {have[short].tolist()} below the target "
                          f"{cv.abs_need[short].tolist()}")
    return float(w[covered].sum())


def solve_min_cost_cover(coverage: sp.spmatrix | sp.sparray, costs: npt.ArrayLike, weights: npt.ArrayLike | None,
                         existing: npt.ArrayLike | None, cons: Constraints | None, *, target: float | None,
                         hotspot_threshold: float | None, solver: SolverOptions, reduce: bool,
                         covers: Sequence[Cover] = (), start: npt.ArrayLike | None = None) -> Solution:
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
    if target is not None and not 0 < target <= 1:
        raise ValueError("target must be in (0, 1]")
    if target is None and hotspot_threshold is None and not covers:
        raise ValueError("nothing to cover: give a target, a hotspot threshold or covers")
    cv = _Cover(csr, w, e, c, cons, target, hotspot_threshold, covers, reduce)
    model, x, y, infeasible = _build(cv, c, cons)
    tol = abs_tolerance(c[cv.sites])
    info: dict[str, Any] = {}
    if infeasible:
        return _infeasible(cv, w, t0, solver.name, tol)
    g_local = greedy_cover(cv.rows, cv.required, cv.weights, cv.need, c[cv.sites], cons, cv.sites) \
        if cv.legacy else greedy_shares(cv.rows, cv.required, cv.shares, cv.needs, c[cv.sites], cons, cv.sites)
    first = _better_start(cv, c, g_local, start)
    backend = open_backend(solver.name, model, nested=solver.nested)
    if solver.lp_bound or solver.max_start_gap is not None:
        lp = solve_lp(backend, deadline=deadline, abs_gap=tol)
        if lp.status == "infeasible":
            return _infeasible(cv, w, t0, solver.name, tol)
        info["lp_bound"] = lp.objective if lp.status == "optimal" else None
    mip_start = None if first is None else _start_values(cv, model, x, y, first)
    probe = _probe_for(cv, csr, e, c, cons, solver)
    start_cost = None if first is None else float(c[cv.sites][first].sum())
    if start_cost is not None and _far_start(solver, len(cv.sites), info.get("lp_bound"), start_cost):
        out = Outcome("time_limit", start_cost, float(info["lp_bound"]), 0.0, mip_start)
        cv.stats["mip_skipped"] = 1  # the start, unproven: Solution.reduction says so
    else:  # with a probe, the MIP gets its share of the time and the probes the rest
        out = solve_mip(backend, abs_gap=tol, start=mip_start, deadline=deadline if probe is None else
                        Deadline.after(PROBE_MIP_SHARE * (deadline.left() or 0.0)))
    if out.status == "infeasible":
        return _infeasible(cv, w, t0, solver.name, tol)
    if out.values is not None:
        local = np.flatnonzero(out.values[x] > 0.5).astype(np.int64)
    elif first is not None:
        local = first
    else:
        return _infeasible(cv, w, t0, solver.name, tol, status="time_limit")
    chosen = cv.sites[local]
    local_or_none: IntArray | None = local  # local indices of the kept sites; None when a probe's plan is not
    if probe is not None and out.status == "time_limit" and len(local):
        chosen, out = _settle(probe, chosen, out, deadline)
        local_or_none = _local_of(cv, chosen)
    if out.status == "optimal" and local_or_none is not None and len(local_or_none):
        local = _canonical(solver, backend, cv, model, x, y, c, cons, local_or_none, tol, deadline)
        chosen = cv.sites[local]
    selected = np.sort(chosen).astype(np.int64)
    cw = _check(sp.csc_matrix(csr), w, e, cv, selected, hotspot_threshold)
    objective = float(c[selected].sum())
    bound, gap = bound_gap(out, objective, 0.0, info.get("lp_bound"), maximize=False)
    g_sel = None if g_local is None or not solver.greedy else np.sort(cv.sites[g_local])
    return Solution(selected=selected, objective=objective, bound=bound, gap=gap, status=out.status,
                    runtime_s=time.perf_counter() - t0, solver=solver.name, model="min_cost_cover", spent=objective,
                    covered_weight=cw, total_weight=cv.total, lp_bound=info.get("lp_bound"),
                    greedy_objective=None if g_sel is None else float(c[g_sel].sum()), greedy_selected=g_sel,
                    uncoverable=cv.uncoverable, tolerance=tol, reduction=dict(cv.stats))


def _probe_for(cv: _Cover, csr: sp.csr_matrix, e: BoolArray, c: FloatArray, cons: Constraints,
               solver: SolverOptions) -> BudgetProbe | None:
    """The budget probe (:mod:`camsite.optimize._probe`) when it applies: one weighted requirement and no required
    point, whole-step costs, and a time limit of at least :data:`PROBE_MIN_LIMIT_S`."""
    limit = solver.time_limit_s
    if limit is None or limit < PROBE_MIN_LIMIT_S or cv.full.shape[0] != 1 or cv.required.any() or cv.all_required:
        return None
    step = cost_step(c[~cons.forbidden])
    if step is None or cv.needs[0] <= 0:
        return None
    return BudgetProbe(csr, np.asarray(cv.full.todense()).ravel(), e, c, cons, float(cv.abs_need[0]), step, solver)


def _settle(probe: BudgetProbe, chosen: IntArray, out: Outcome, deadline: Deadline) -> tuple[IntArray, Outcome]:
    """The MIP's unproven plan probed below (:meth:`BudgetProbe.settle`): proven optimal, or a cheaper plan."""
    settled = probe.settle(chosen, deadline)
    if settled.proven:
        logger.debug("min-cost %.0f proven optimal by a budget probe", settled.cost)
        return settled.selected, Outcome("optimal", settled.cost, settled.cost, out.runtime_s)
    return settled.selected, Outcome("time_limit", settled.cost, out.bound, out.runtime_s)


def _local_of(cv: _Cover, chosen: IntArray) -> IntArray | None:
    """``chosen`` (original site indices) as indices of the kept sites, or None when one was reduced away."""
    pos = {int(s): k for k, s in enumerate(cv.sites)}
    local = [pos.get(int(s), -1) for s in chosen]
    return None if -1 in local else np.asarray(sorted(local), dtype=np.int64)


def _canonical(solver: SolverOptions, backend: Backend, cv: _Cover, model: LinearModel, x: IntArray, y: IntArray,
               c: FloatArray, cons: Constraints, local: IntArray, tol: float, deadline: Deadline) -> IntArray:
    """The tie-break among cheapest covers ``solver.tie_break`` asks for (local indices)."""
    if solver.tie_break == "lexicographic":
        return _tie_break(backend, cv, model, x, y, c[cv.sites], local, tol, deadline)
    if solver.tie_break == "local":
        return canonical(local, c[cv.sites], cons, cv.sites, moves=_moves(cv), budget=float(c[cv.sites][local].sum()),
                         tol=tol)
    return local


def _far_start(solver: SolverOptions, n_sites: int, lp_bound: float | None, start_cost: float) -> bool:
    """Whether ``solver.max_start_gap`` leaves the MIP out: a large model whose start is that far above its LP bound.

    >>> quick = SolverOptions(max_start_gap=0.05)
    >>> _far_start(quick, 5000, 100.0, 113.0), _far_start(SolverOptions(), 5000, 100.0, 113.0)
    (True, False)
    >>> _far_start(quick, 5000, 100.0, 104.0), _far_start(quick, 900, 100.0, 113.0)  # near, or a small model
    (False, False)
    """
    gap = solver.max_start_gap
    if gap is None or lp_bound is None or n_sites <= FAR_START_SITES:
        return False
    far = start_cost > (1.0 + gap) * lp_bound
    if far:
        logger.debug("min-cost start %.0f is %.1f %% above the LP bound %.0f on %d sites: no MIP", start_cost,
                     100.0 * (start_cost / lp_bound - 1.0) if lp_bound > 0 else float("inf"), lp_bound, n_sites)
    return far


def _better_start(cv: _Cover, c: FloatArray, greedy: IntArray | None, start: npt.ArrayLike | None
                  ) -> IntArray | None:
    """The cheaper of the greedy cover and ``start`` (original site indices), when ``start`` survives the
    reductions whole and meets every requirement on the reduced rows."""
    given = None if start is None else np.asarray(start, dtype=np.int64).ravel()
    local = None if given is None or not len(given) else _local_of(cv, given)
    if local is None:
        return greedy
    x = np.zeros(len(cv.sites))
    x[local] = 1.0
    seen = np.asarray(cv.rows @ x).ravel() > 0
    ok = bool(seen[cv.required].all()) and bool(
        (cv.shares @ seen.astype(np.float64) >= cv.needs - 1e-9 * cv.totals).all())
    cost = float(c[cv.sites][local].sum())
    if ok and (greedy is None or cost < float(c[cv.sites][greedy].sum())):
        logger.debug("min-cost start: a given plan of %d sites for %.0f", len(local), cost)
        return local
    return greedy


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
    """Drop/swap tests for :func:`~camsite.optimize._ties.canonical`: every requirement must stay met."""
    csc = sp.csc_matrix(cv.rows, dtype=np.float64)
    active = np.flatnonzero(cv.needs > 0)
    shares, needs = sp.csr_matrix(cv.shares[active]), cv.needs[active]
    wtol = 1e-9 * cv.totals[active]

    def moves(chosen: BoolArray, j: int) -> tuple[bool, BoolArray]:
        cnt = np.asarray(cv.rows @ chosen.astype(np.int64)).ravel()
        cnt[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] -= 1
        open_req = (cv.required & (cnt == 0)).astype(np.float64)
        covers_open = np.asarray(csc.T @ open_req).ravel() >= open_req.sum() - 0.5
        if not len(active):
            return not open_req.any(), covers_open
        have = shares @ (cnt > 0).astype(np.float64)
        gain = np.asarray((sp.csr_matrix(shares.multiply((cnt == 0)[None, :].astype(np.float64))) @ csc).todense())
        ok = (not open_req.any()) and bool((have >= needs - wtol).all())
        return ok, covers_open & (have[:, None] + gain >= (needs - wtol)[:, None]).all(axis=0)

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
