"""The optimiser's rows: graded coverage as an exact multi-level maximal covering model.

A camera ``j`` gives demand point ``p`` a *value* ``e[p, j]`` in (0, 1]: the
value of the best image-quality level it reaches there (EN 62676-4: identify,
recognise, observe, detect; :mod:`camsite.quality`), times the share
of the time it watches ``p`` (a PTZ dome on patrol). A plan ``S`` is worth

    sum_p  w_p * max(e0_p, max_{j in S} e[p, j])

where ``e0_p`` is what the existing cameras already give. The best level is
taken once. With the distinct values ``0 = u_0 < u_1 < ... < u_m = 1`` that
occur in point ``p``'s row (and ``e0_p``, and 1), the maximum telescopes::

    max_j e[p, j] = sum_r (u_r - u_{r-1}) * [some j in S has e[p, j] >= u_r]

so point ``p`` becomes ``m`` binary rows ("seen at value >= u_r"), each with
weight ``w_p (u_r - u_{r-1})`` and the cameras that reach ``u_r``: an ordinary
maximal covering model, solved exactly by :mod:`camsite.optimize` with all its
reductions, proofs and sweeps. A row is credited only if a chosen camera
reaches its level, and the rows of a point are nested, so the credit adds up
to exactly the best value. Binary coverage (every value 1) gives one row per
point: today's model.

>>> import numpy as np, scipy.sparse as sp
>>> e = sp.csr_matrix(np.array([[1.0, 0.5], [0.0, 0.2]]))
>>> r = value_rows(e, np.array([2.0, 10.0]))
>>> r.point.tolist(), r.weights.tolist()
([0, 0, 1, 1], [1.0, 1.0, 2.0, 8.0])
>>> r.matrix.toarray().astype(int).tolist()
[[1, 1], [1, 0], [0, 1], [0, 0]]
>>> r.plan_value([1]).tolist()  # camera 1 alone: 2 * 0.5 + 10 * 0.2
[1.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["ValueRows", "value_rows"]

#: Values are rounded to this many decimals before distinct levels are found (0.8 * 0.25 == 0.2).
DECIMALS = 9


@dataclass(frozen=True, eq=False)
class ValueRows:
    """Demand points split into the optimiser's binary rows.

    Attributes
    ----------
    matrix
        Rows × candidates, boolean: the candidates that reach the row's value.
    weights
        Row weights: the point's weight times the step in value the row stands for.
        The rows of a point add up to the point's weight.
    existing
        Rows existing cameras already reach.
    point
        The demand point (row of :attr:`Instance.demand`) of each row.
    level
        The value ``u_r`` each row stands for (1.0 for binary coverage).
    """

    matrix: sp.csr_matrix
    weights: NDArray[np.float64]
    existing: NDArray[np.bool_]
    point: NDArray[np.int64]
    level: NDArray[np.float64]

    @property
    def n_points(self) -> int:
        """Number of demand points."""
        return int(self.point.max()) + 1 if len(self.point) else 0

    def covered(self, selected: npt.ArrayLike) -> NDArray[np.bool_]:
        """Rows reached by the existing cameras or by the candidate columns ``selected``."""
        cols = np.asarray(selected, dtype=np.int64).ravel()
        hit = self.existing.copy()
        if len(cols):
            hit |= np.asarray(self.matrix[:, cols].sum(axis=1)).ravel() > 0
        return hit

    def plan_value(self, selected: npt.ArrayLike, *, n_points: int | None = None) -> NDArray[np.float64]:
        """Covered weight per demand point (its weight times its best value) for the plan ``selected``."""
        n = self.n_points if n_points is None else n_points
        hit = self.covered(selected)
        return np.bincount(self.point[hit], weights=self.weights[hit], minlength=n).astype(np.float64)

    def point_share(self, selected: npt.ArrayLike) -> NDArray[np.float64]:
        """Each demand point's best value (0 to 1) under the plan ``selected``."""
        total = np.bincount(self.point, weights=self.weights, minlength=self.n_points)
        got = self.plan_value(selected)
        return np.divide(got, total, out=np.zeros_like(got), where=total > 0)

    def for_points(self, mask: npt.ArrayLike) -> NDArray[np.bool_]:
        """A boolean mask over demand points as a mask over rows."""
        return np.asarray(mask, dtype=bool)[self.point]

    def reweighted(self, point_weights: npt.ArrayLike) -> ValueRows:
        """The same rows for other demand weights (one per point; each row keeps its step in value)."""
        w = np.asarray(point_weights, dtype=np.float64)
        return ValueRows(self.matrix, w[self.point] * self.step, self.existing, self.point, self.level)

    @property
    def step(self) -> NDArray[np.float64]:
        """The step in value each row stands for (``u_r - u_{r-1}``)."""
        prev = np.r_[0.0, self.level[:-1]]
        first = np.r_[True, self.point[1:] != self.point[:-1]]
        return np.where(first, self.level, self.level - prev)


def value_rows(values: sp.spmatrix | sp.sparray, weights: npt.ArrayLike,
               existing: npt.ArrayLike | None = None) -> ValueRows:
    """Split demand points into nested binary rows, one per distinct value in each point's row.

    Parameters
    ----------
    values
        Demand × candidates, the value (0 to 1) each candidate gives each point
        (a boolean matrix is binary coverage).
    weights
        Demand weights.
    existing
        The best value existing cameras already give each point (0 to 1; a
        boolean mask means value 1); default none.
    """
    e = sp.csr_matrix(values, dtype=np.float64)  # type: ignore[call-overload]
    e.eliminate_zeros()
    n = e.shape[0]
    w = np.asarray(weights, dtype=np.float64).ravel()
    e0 = np.zeros(n) if existing is None else np.asarray(existing, dtype=np.float64).ravel()
    vals = np.round(np.clip(e.data, 0.0, 1.0), DECIMALS)
    pts = np.repeat(np.arange(n), np.diff(e.indptr))
    # the distinct values per point: each nonzero, the existing value and the top (1.0)
    all_p = np.concatenate([pts, np.arange(n), np.arange(n)])
    all_v = np.concatenate([vals, np.round(np.clip(e0, 0.0, 1.0), DECIMALS), np.ones(n)])
    keep = all_v > 0
    all_p, all_v = all_p[keep], all_v[keep]
    order = np.lexsort((all_v, all_p))
    all_p, all_v = all_p[order], all_v[order]
    first = np.r_[True, (all_p[1:] != all_p[:-1]) | (all_v[1:] != all_v[:-1])]
    row_p, row_v = all_p[first], all_v[first]
    start = np.searchsorted(row_p, np.arange(n))  # first row of each point
    # a nonzero (p, j, v) reaches the rows of p with level <= v: rows start[p] .. start[p] + rank(v)
    rank = _rank_in_group(row_p, row_v, pts, vals, start)
    counts = rank + 1
    rr = np.repeat(start[pts] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    cols = np.repeat(e.indices, counts)
    m = sp.csr_matrix((np.ones(len(rr), bool), (rr, cols)), shape=(len(row_p), e.shape[1]))
    m.sum_duplicates()
    prev = np.r_[0.0, row_v[:-1]]
    step = np.where(np.r_[True, row_p[1:] != row_p[:-1]], row_v, row_v - prev)
    ex = np.round(np.clip(e0, 0.0, 1.0), DECIMALS)[row_p] >= row_v
    return ValueRows(matrix=m, weights=w[row_p] * step, existing=ex, point=row_p.astype(np.int64), level=row_v)


def _rank_in_group(row_p: NDArray[np.int64], row_v: NDArray[np.float64], pts: NDArray[np.int64],
                   vals: NDArray[np.float64], start: NDArray[np.int64]) -> NDArray[np.int64]:
    """Position of each value among its point's distinct values (0 = lowest)."""
    # rows are sorted by (point, value): search the pair as one key
    key_rows = row_p.astype(np.float64) * 2.0 + row_v
    key = pts.astype(np.float64) * 2.0 + vals
    return (np.searchsorted(key_rows, key) - start[pts]).astype(np.int64)
