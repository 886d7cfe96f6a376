"""Reduced-cost fixing: sites the LP relaxation proves cannot improve a known plan, and sites every better plan has.

Take the MIP ``max c @ x`` s.t. ``l <= A x <= u``, ``lo <= x <= hi`` (a
minimisation is the maximisation of ``-c``). For *any* row multipliers ``pi``
(here: the LP relaxation's row duals as the solver returns them), with reduced
costs ``d = c - A.T @ pi``, every feasible ``x`` satisfies::

    c @ x = d @ x + pi @ (A x) <= L(pi) = sum_i h_i(pi_i) + sum_j max(d_j lo_j, d_j hi_j)

where ``h_i(p) = p u_i`` if ``p > 0`` and ``p l_i`` if ``p < 0`` (a multiplier
whose row bound is infinite is taken as 0). This is weak duality; it holds
whatever the multipliers, so the bound does not rest on the solver's
tolerances: camsite recomputes it from the matrix in double precision. With
the LP's optimal duals it equals the LP bound.

For a binary site column ``k`` (bounds 0 and 1) the same sum, with ``x_k``
held at 1, bounds every plan that uses ``k``::

    c @ x <= L(pi) + min(d_k, 0)          (x_k = 1)
    c @ x <= L(pi) - max(d_k, 0)          (x_k = 0)

So given a plan of value ``z`` (the incumbent), a site with
``L + min(d_k, 0) < z`` is in no plan better than ``z`` and can be forbidden,
and a site with ``L - max(d_k, 0) < z`` is in every such plan and can be
forced. The optimum of the model with those sites fixed is therefore the
optimum of the full model (or ``z`` itself, which the restricted model also
contains). On the default scenario at 1.5 MSEK this keeps 186 of 8,530 sites
and the exact MIP takes 0.9 s instead of 4.1 s.

>>> import scipy.sparse as sp
>>> # max 3 x0 + 2 x1 + x2  s.t.  x0 + x1 + x2 <= 1  (LP dual of the row: 3)
>>> a = sp.csr_matrix(np.ones((1, 3)))
>>> lag = lagrangian(a, np.array([-np.inf]), np.array([1.0]), np.zeros(3), np.ones(3),
...                  np.array([3.0, 2.0, 1.0]), np.array([3.0]))
>>> lag.bound, lag.reduced.tolist()
(3.0, [0.0, -1.0, -2.0])
>>> fix = lag.fixable(np.array([0, 1, 2]), incumbent=2.5)  # a plan worth 2.5 is known
>>> fix.forbid.tolist(), fix.force.tolist()  # x1 = 1 gives at most 2, x2 = 1 at most 1
([False, True, True], [False, False, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from camsite.optimize._data import BoolArray, FloatArray, IntArray
from camsite.optimize._model import LinearModel

__all__ = ["Fixing", "Lagrangian", "lagrangian", "lagrangian_of"]

#: A site is fixed only when its bound is below the incumbent by more than this share of the bound's size
#: (rounding in the sums above; the solver's own tolerances do not enter).
SAFETY = 1e-9


@dataclass(frozen=True, eq=False)
class Fixing:
    """Which of the given columns can be forbidden (set to 0) or forced (set to 1)."""

    forbid: BoolArray
    force: BoolArray


@dataclass(frozen=True, eq=False)
class Lagrangian:
    """The bound ``L(pi)`` of a maximisation and its reduced costs ``d`` (one per column)."""

    bound: float
    reduced: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray

    def fixable(self, cols: IntArray, *, incumbent: float) -> Fixing:
        """The binary columns ``cols`` a plan of value ``incumbent`` lets fix (module docs)."""
        d = self.reduced[cols]
        binary = (self.col_lower[cols] == 0.0) & (self.col_upper[cols] == 1.0)
        margin = SAFETY * max(1.0, abs(self.bound), abs(incumbent))
        forbid = binary & (self.bound + np.minimum(d, 0.0) < incumbent - margin)
        force = binary & (self.bound - np.maximum(d, 0.0) < incumbent - margin)
        return Fixing(forbid=forbid, force=force & ~forbid)


def _bound(matrix: sp.csr_matrix, row_lower: FloatArray, row_upper: FloatArray, col_lower: FloatArray,
           col_upper: FloatArray, cost: FloatArray, pi: FloatArray) -> tuple[float, FloatArray]:
    pi = np.where((pi > 0) & ~np.isfinite(row_upper), 0.0, pi)
    pi = np.where((pi < 0) & ~np.isfinite(row_lower), 0.0, pi)
    rows = np.where(pi > 0, pi * np.where(pi > 0, row_upper, 0.0), pi * np.where(pi < 0, row_lower, 0.0))
    d = cost - np.asarray(matrix.T @ pi).ravel()
    cols = np.where(d > 0, d * col_upper, np.where(d < 0, d * col_lower, 0.0))
    return float(rows.sum() + cols.sum()), d


def lagrangian(matrix: sp.csr_matrix, row_lower: FloatArray, row_upper: FloatArray, col_lower: FloatArray,
               col_upper: FloatArray, cost: FloatArray, row_dual: FloatArray) -> Lagrangian | None:
    """The bound of ``max cost @ x`` from the row multipliers ``row_dual`` (either sign convention), or None.

    Both ``row_dual`` and its negation are valid multipliers; the smaller bound is
    kept (solvers differ in the sign of a maximisation's duals). None when a
    column with an infinite bound makes the bound infinite.
    """
    best: tuple[float, FloatArray] | None = None
    for pi in (np.asarray(row_dual, dtype=np.float64), -np.asarray(row_dual, dtype=np.float64)):
        with np.errstate(invalid="ignore"):
            value, d = _bound(matrix, row_lower, row_upper, col_lower, col_upper, cost, pi)
        if np.isfinite(value) and (best is None or value < best[0]):
            best = (value, d)
    if best is None:
        return None
    return Lagrangian(bound=best[0], reduced=best[1], col_lower=col_lower, col_upper=col_upper)


def lagrangian_of(model: LinearModel, budget_row: int, budget: float, cuts: list[tuple[FloatArray, float]],
                  x: IntArray, row_duals: FloatArray) -> Lagrangian | None:
    """:func:`lagrangian` of a max-coverage ``model`` as one solve holds it: the budget row's upper bound set to
    ``budget`` and the count rows ``cuts`` (coefficients per site, on columns ``x``) appended, in that order.

    None when the duals do not match those rows or the bound is infinite.
    """
    if len(row_duals) != model.n_rows + len(cuts):
        return None
    upper = model.row_upper.copy()
    upper[budget_row] = budget
    matrix = model.matrix
    if cuts:
        coef = np.vstack([c for c, _ in cuts])
        extra = sp.csr_matrix((coef.ravel(), (np.repeat(np.arange(len(cuts)), coef.shape[1]), np.tile(x, len(cuts)))),
                              shape=(len(cuts), model.n_cols))
        matrix = sp.vstack([matrix, extra], format="csr")
        upper = np.r_[upper, [u for _, u in cuts]]
    lower = np.r_[model.row_lower, np.full(len(cuts), -np.inf)]
    sign = 1.0 if model.maximize else -1.0
    return lagrangian(matrix, lower, upper, model.col_lower, model.col_upper, sign * model.cost, row_duals)
