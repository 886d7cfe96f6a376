"""Yearly plans within the city's frames: an exact MIP that also chooses each site's install year.

The model extends the reduced max-coverage MIP of
:class:`~camsite.optimize.CoverageModel` (its coverage rows, side constraints
and objective are used as they are): the site column ``x_j`` there means
"installed by the end of the plan", and new binary columns ``X[j,k]`` say in
which allowed install year ``k`` it is installed::

    x_j = sum_k X[j,k]                                     (at most once)
    sum_{j,k} inv[j,k,t] X[j,k] <= I_t      each plan year t with an investment frame
    sum_{j,k} ope[j,k,t] X[j,k] <= O_t      each plan year t with an operation frame
    sum_{j, k <= last} c_j X[j,k] <= B      each (last install year, budget) pair

``inv[j,k,t]`` is what site ``j`` installed in year ``k`` buys in year ``t``
(the camera in year ``k`` and each replacement when it reaches its lifetime)
and ``ope[j,k,t]`` what it costs to run in year ``t``; the caller builds them
(:mod:`camsite.stages.rollout`), so this module knows no prices.

Objective: the coverage of the final plan, exactly as :func:`max_coverage`
values it. Among the plans with that optimal coverage (within the exact
tolerance of the package docs), a second exact solve takes the one whose
sites are installed earliest (least ``sum k X[j,k]``), so coverage arrives as
soon as the frames allow. When the first solve stops at the time limit, its
plan is kept as found and the second solve is skipped.

Dominated sites are only dropped (``reduce=True``) when the caller says that
the cheaper site is never dearer in any year: :func:`framed_plan` checks it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from camsite.optimize._api import Matrix
from camsite.optimize._constraints import Constraints
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._model import Backend, Deadline, FloatArray, IntArray, LinearModel, open_backend, solve_mip
from camsite.optimize._options import SWEEP_SOLVER, SolverOptions
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["FramedPlan", "framed_plan"]


@dataclass(frozen=True, eq=False)
class FramedPlan:
    """The final plan of :func:`framed_plan` and when each of its sites is installed.

    Attributes
    ----------
    solution
        The final plan (``selected`` in ascending order), valued as :func:`max_coverage` values a plan.
    install_year
        Index into ``install_years`` of each selected site, aligned with ``solution.selected``.
    investment, operation
        Money per plan year that the plan spends (the rows of the frames).
    """

    solution: Solution
    install_year: IntArray
    investment: FloatArray
    operation: FloatArray


def _comonotone(*columns: FloatArray) -> bool:
    """Whether every pair of sites is ordered alike in all ``columns`` (then a cheaper site is cheaper in each)."""
    order = np.lexsort(tuple(reversed(columns)))
    return all(bool(np.all(np.diff(c[order]) >= -1e-9)) for c in columns)


def _extended(model: CoverageModel, inv: FloatArray, ope: FloatArray, inv_cap: FloatArray, ope_cap: FloatArray,
              budgets: Sequence[tuple[int, float]]) -> tuple[LinearModel, IntArray]:
    """The max-coverage MIP with the install-year columns and the frame rows; returns it and the X columns."""
    mip = model._build()
    base = mip.model
    sites = model.red.sites
    m, n_k = len(sites), inv.shape[1]
    n0 = base.n_cols
    big_x = (n0 + np.arange(m * n_k, dtype=np.int64)).reshape(m, n_k)
    rows: list[sp.coo_matrix] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    link = sp.coo_matrix((np.r_[np.ones(m), -np.ones(m * n_k)],
                          (np.r_[np.arange(m), np.repeat(np.arange(m), n_k)], np.r_[mip.x, big_x.ravel()])),
                         shape=(m, n0 + m * n_k))
    rows.append(link)
    lower.append(np.zeros(m))
    upper.append(np.zeros(m))
    for coef, cap in ((inv[sites], inv_cap), (ope[sites], ope_cap)):
        for t in np.flatnonzero(np.isfinite(cap)):
            vals = coef[:, :, t].ravel()
            nz = np.flatnonzero(vals)
            rows.append(sp.coo_matrix((vals[nz], (np.zeros(len(nz), np.int64), big_x.ravel()[nz])),
                                      shape=(1, n0 + m * n_k)))
            lower.append(np.array([-np.inf]))
            upper.append(np.array([float(cap[t])]))
    c = model.c[sites]
    for last, limit in budgets:
        cols = big_x[:, : last + 1]
        rows.append(sp.coo_matrix((np.repeat(c, cols.shape[1]), (np.zeros(cols.size, np.int64), cols.ravel())),
                                  shape=(1, n0 + m * n_k)))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(limit)]))
    old = sp.hstack([base.matrix, sp.csr_matrix((base.n_rows, m * n_k))])
    row_upper = base.row_upper.copy()
    row_upper[mip.budget_row] = np.inf  # the budgets are the rows above
    matrix = sp.csr_matrix(sp.vstack([old, *rows]))
    matrix.sum_duplicates()
    matrix.sort_indices()
    ext = LinearModel(maximize=True, cost=np.r_[base.cost, np.zeros(m * n_k)],
                      col_lower=np.r_[base.col_lower, np.zeros(m * n_k)],
                      col_upper=np.r_[base.col_upper, np.ones(m * n_k)],
                      integer=np.r_[base.integer, np.ones(m * n_k, dtype=np.bool_)], matrix=matrix,
                      row_lower=np.r_[base.row_lower, np.concatenate(lower)],
                      row_upper=np.r_[row_upper, np.concatenate(upper)])
    logger.debug("framed MIP: %d columns, %d rows, %d nonzeros", ext.n_cols, ext.n_rows, ext.matrix.nnz)
    return ext, big_x


def _check(inv: FloatArray, ope: FloatArray, n_sites: int, n_years: int, caps: Sequence[FloatArray]) -> None:
    if inv.ndim != 3 or inv.shape[0] != n_sites or inv.shape != ope.shape:
        raise ValueError(f"investment and operation need shape (sites={n_sites}, install years, plan years)")
    if any(len(c) != n_years for c in caps):
        raise ValueError(f"investment_limits and operation_limits need one value per plan year ({n_years})")
    if not (np.isfinite(inv).all() and np.isfinite(ope).all()) or (inv < 0).any() or (ope < 0).any():
        raise ValueError("investment and operation must be finite numbers >= 0")
    if any(bool(np.any(np.asarray(c) < 0)) for c in caps):
        raise ValueError("frames must be >= 0")


def framed_plan(
    coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, investment: npt.ArrayLike,
    operation: npt.ArrayLike, *, investment_limits: npt.ArrayLike, operation_limits: npt.ArrayLike,
    budgets: Sequence[tuple[int, float]] = (), existing: npt.ArrayLike | None = None,
    constraints: Constraints | None = None, solver: SolverOptions = SWEEP_SOLVER, backup_weight: float = 0.0,
) -> FramedPlan:
    """The plan with the most coverage whose installs fit yearly investment and operation frames (module docs).

    Parameters
    ----------
    coverage, weights, costs, existing, constraints, backup_weight
        As in :func:`max_coverage`; ``costs`` are what the ``budgets`` count.
    investment, operation
        Arrays of shape (sites, install years, plan years): what a site installed in each allowed install year
        spends on purchases and on running it in each plan year.
    investment_limits, operation_limits
        The frame of each plan year (``inf``: no limit).
    budgets
        ``(k, limit)`` pairs: the sites installed in install years ``0..k`` cost at most ``limit`` together.
    solver
        ``time_limit_s`` is the limit of the whole plan (both solves).

    Returns
    -------
    FramedPlan

    Examples
    --------
    Three equal sites, 100 each to buy, a frame of 150 a year: one install a year.

    >>> import numpy as np, scipy.sparse as sp
    >>> cov = sp.csr_matrix(np.eye(3, dtype=bool))
    >>> inv = np.zeros((3, 2, 2)); inv[:, 0, 0] = inv[:, 1, 1] = 100.0
    >>> plan = framed_plan(cov, [3.0, 2.0, 1.0], np.full(3, 100.0), inv, np.zeros((3, 2, 2)),
    ...                    investment_limits=[150.0, 150.0], operation_limits=[np.inf, np.inf])
    >>> plan.solution.selected.tolist(), plan.install_year.tolist(), plan.investment.tolist()
    ([0, 1], [0, 1], [100.0, 100.0])
    """
    t0 = time.perf_counter()
    inv = np.asarray(investment, dtype=np.float64)
    ope = np.asarray(operation, dtype=np.float64)
    inv_cap = np.asarray(investment_limits, dtype=np.float64).ravel()
    ope_cap = np.asarray(operation_limits, dtype=np.float64).ravel()
    c = np.asarray(costs, dtype=np.float64).ravel()
    _check(inv, ope, len(c), inv.shape[2] if inv.ndim == 3 else 0, (inv_cap, ope_cap))
    safe = _comonotone(c, *inv.reshape(len(c), -1).T, *ope.reshape(len(c), -1).T)
    model = CoverageModel(coverage, weights, c, existing=existing, constraints=constraints,
                          backup_weight=backup_weight, reduce=safe)
    deadline = Deadline.after(solver.time_limit_s, t0)
    mip = model._build()
    empty = np.zeros(0, np.int64)
    if mip.infeasible:
        return _plan(model._infeasible(t0, {}, solver.name), empty, inv, ope)
    ext, big_x = _extended(model, inv, ope, inv_cap, ope_cap, budgets)
    backend = open_backend(solver.name, ext, nested=solver.nested)
    out = solve_mip(backend, deadline=deadline, abs_gap=model.tol, start=None)
    if out.status == "infeasible" or out.values is None:
        return _plan(model._infeasible(t0, {}, solver.name), empty, inv, ope)
    values = out.values
    if out.status == "optimal":
        values = _earliest(backend, ext, big_x, values, model.tol, deadline)
    local = np.flatnonzero(values[mip.x] > 0.5).astype(np.int64)
    when = np.argmax(values[big_x[local]] > 0.5, axis=1).astype(np.int64)
    sol = model._solution(local, out, {}, solver.name, t0)
    order = np.argsort(model.red.sites[local], kind="stable")
    return _plan(sol, when[order], inv, ope)


def _earliest(backend: Backend, ext: LinearModel, big_x: IntArray, values: FloatArray, tol: float,
              deadline: Deadline) -> FloatArray:
    """Among the plans as good as ``values``, the one with the earliest installs (module docs)."""
    cost = ext.cost
    cols = np.flatnonzero(cost).astype(np.int64)
    z = float(cost @ values)
    backend.add_row(cols, cost[cols], z - tol, np.inf)
    years = np.zeros(ext.n_cols)
    years[big_x] = np.broadcast_to(np.arange(big_x.shape[1], dtype=np.float64), big_x.shape)
    backend.set_objective(years, maximize=False)
    try:
        second = solve_mip(backend, deadline=deadline, abs_gap=0.5, start=values)
        if second.values is not None and float(cost @ second.values) >= z - tol:
            return second.values
    finally:
        backend.delete_last_row()
        backend.set_objective(cost, maximize=True)
    return values


def _plan(sol: Solution, when: IntArray, inv: FloatArray, ope: FloatArray) -> FramedPlan:
    sel = sol.selected
    return FramedPlan(solution=sol, install_year=when,
                      investment=inv[sel, when].sum(axis=0) if len(sel) else np.zeros(inv.shape[2]),
                      operation=ope[sel, when].sum(axis=0) if len(sel) else np.zeros(inv.shape[2]))
