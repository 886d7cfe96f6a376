"""Rank chosen sites by marginal gain and compute coverage figures.

Pure array functions: no geometry, no I/O.

>>> import numpy as np, scipy.sparse as sp
>>> cov = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [0, 1]], dtype=bool))
>>> w = np.array([5.0, 1.0, 1.0, 1.0])
>>> order, gains = rank_by_marginal_gain(cov, w, np.array([0, 1]))
>>> order.tolist(), gains.tolist()
([0, 1], [6.0, 2.0])
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["coverage_pct", "rank_by_marginal_gain"]


def rank_by_marginal_gain(
    coverage: sp.spmatrix, weights: np.ndarray, selected: np.ndarray, *, existing: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Order ``selected`` sites by greedy marginal gain in covered weight.

    The first site is the one that adds the most weight to what existing
    cameras already cover, the second adds the most to that, and so on. Ties
    go to the lower site index, so the order is deterministic.

    Returns
    -------
    order
        The selected site indices in rank order.
    gains
        The weight each adds, in the same order.
    """
    csc = sp.csc_matrix(coverage, dtype=np.float64)
    remaining = [int(j) for j in sorted(np.asarray(selected, dtype=np.int64))]
    covered = np.zeros(coverage.shape[0], dtype=bool) if existing is None else np.asarray(existing, bool).copy()
    w = np.asarray(weights, dtype=np.float64)
    order, gains = [], []
    while remaining:
        sub = csc[:, remaining]
        gain = np.asarray(sub.T @ (w * ~covered)).ravel()
        k = int(np.argmax(gain))  # argmax returns the first maximum: the lowest index among ties
        j = remaining.pop(k)
        order.append(j)
        gains.append(float(gain[k]))
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        covered[rows] = True
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)


def coverage_pct(weights: np.ndarray, mask: np.ndarray) -> float:
    """Share of the total weight that ``mask`` covers, in percent (0 when there is no weight)."""
    total = float(np.sum(weights))
    return 0.0 if total <= 0 else 100.0 * float(np.sum(np.asarray(weights)[mask])) / total
