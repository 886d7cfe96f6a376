"""Presolve reductions: a smaller model with the same optimal value.

Applied in this order, each exact:

1. **Forbidden sites** are removed as columns.
2. **Demand rows** that no allowed site covers are dropped (their weight counts
   as a constant if an existing camera covers them; otherwise they are reported
   as uncoverable). Rows of weight 0 are dropped in ``max_coverage``.
3. **Existing coverage**: with no backup reward, rows covered by existing cameras
   are a constant and are dropped.
4. **Identical rows** (same site set, same existing flag) are merged and their
   weights summed; the objective is linear in the rows, so nothing changes.
5. **Empty sites** (covering no remaining row) are dropped unless forced,
   needed by ``require_any`` or in a spending group with a minimum: they add
   nothing to coverage.
6. **Dominated sites**: site ``a`` is dropped when some site ``b`` has
   ``cost_b <= cost_a`` and ``cover(a) ⊆ cover(b)`` (strictly better, or equal
   and ``b < a``), and swapping ``a`` for ``b`` keeps every solution feasible:
   ``a`` is not forced nor in a ``require_any`` set; ``b`` is ungrouped or in
   ``a``'s group; ``b``'s type is ``a``'s or uncapped; ``b``'s conflicts (other than
   ``a``) are among ``a``'s; with spending groups, ``b`` is in ``a``'s group and
   counts no more there, and that group has no minimum (a plan with both ``a``
   and ``b`` may need ``a`` to reach it). Only done when the backup weight is 0 (with a backup
   reward, ``a`` next to ``b`` is worth something). The relation is a strict
   order, so each dropped site has an undropped dominator, and the swap
   conditions compose along the chain.
7. Rows are merged again, since dropping sites can make rows identical.

The optimum of the reduced model equals the original's; the solution is mapped
back to the original indices and re-evaluated on the original matrix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, FloatArray, IntArray

logger = logging.getLogger(__name__)

__all__ = ["Reduced", "merge_rows", "reduce_coverage", "reduce_sites"]


@dataclass
class Reduced:
    """A reduced model: rows x kept sites, with the map back to original site indices."""

    rows: sp.csr_matrix
    weights: npt.NDArray[np.float64]
    existing: npt.NDArray[np.bool_]
    sites: npt.NDArray[np.int64]
    constant: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)


def row_groups(rows: sp.csr_matrix, flag: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], int]:
    """The group of each row (same site set and ``flag``), numbered in first-occurrence order, and the count.

    Sorts ``rows``'s indices in place.
    """
    rows.sort_indices()
    ind, ptr = rows.indices, rows.indptr
    seen: dict[bytes, int] = {}
    target = np.empty(rows.shape[0], dtype=np.int64)
    for i in range(rows.shape[0]):
        key = ind[ptr[i]:ptr[i + 1]].tobytes() + (b"E" if flag[i] else b"N")
        target[i] = seen.setdefault(key, len(seen))
    return target, len(seen)


def merge_rows(rows: sp.csr_matrix, weights: npt.NDArray[np.float64], existing: npt.NDArray[np.bool_]
               ) -> tuple[sp.csr_matrix, npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Merge rows with the same site set and existing flag, summing weights (first occurrence order)."""
    rows = sp.csr_matrix(rows)
    target, k = row_groups(rows, existing)
    if k == rows.shape[0]:
        return rows, weights, existing
    first = np.full(k, rows.shape[0], dtype=np.int64)
    np.minimum.at(first, target, np.arange(rows.shape[0]))
    new_w = np.bincount(target, weights=weights, minlength=k).astype(np.float64)
    return sp.csr_matrix(rows[first]), new_w, existing[first]


def _pair_ok(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], cost: npt.NDArray[np.float64],
             size: npt.NDArray[np.int64], cons: Constraints, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which candidate pairs (a subset of b, local indices) let ``b`` replace ``a`` (module docs, step 6)."""
    ga, gb = idx[a], idx[b]  # original indices
    better = (cost[b] < cost[a]) | ((cost[b] == cost[a]) & ((size[b] > size[a]) | (b < a)))
    ok = better & (cost[b] <= cost[a]) & ~cons.forced[ga]
    if cons.require_any:
        ok &= ~cons.required()[ga]
    groups, gsize = cons.groups, cons.group_sizes()
    ok &= (gsize[gb] == 1) | (groups[gb] == groups[ga])
    if cons.type_codes.size:
        capped = cons.capped()
        ok &= (cons.type_codes[gb] == cons.type_codes[ga]) | ~capped[gb]
    if cons.any_conflicts and ok.any():
        k = cons.conflict_matrix().astype(np.int64)
        deg = np.asarray(k.sum(axis=1)).ravel()
        both = np.asarray((k @ k)[ga, gb]).ravel()
        kab = np.asarray(k[ga, gb]).ravel()
        ok &= deg[gb] - kab <= both
    if cons.has_spend:
        sa, sb = cons.spend_cost[ga], cons.spend_cost[gb]
        ok &= (cons.spend_group[gb] == cons.spend_group[ga]) & (sb <= sa) & ~cons.spend_minimum()[ga]
    return np.asarray(ok, dtype=bool)


def reduce_sites(rows: sp.csr_matrix, cost: npt.NDArray[np.float64], idx: npt.NDArray[np.int64], cons: Constraints,
                 *, dominance: bool) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    """Local column indices to keep: drop empty sites, and dominated ones when ``dominance``."""
    csc = sp.csc_matrix(rows, dtype=np.int64)
    size = np.diff(csc.indptr)
    protected = cons.forced[idx] | cons.spend_minimum()[idx]
    for r in cons.require_any:
        protected |= np.isin(idx, r)
    drop_empty = (size == 0) & ~protected
    drop_dom = np.zeros(len(idx), dtype=bool)
    if dominance and len(idx) > 1:
        overlap = sp.coo_matrix(csc.T @ csc)
        a, b, val = overlap.row, overlap.col, overlap.data
        cand = (a != b) & (val == size[a]) & (size[a] > 0)
        a, b = a[cand], b[cand]
        ok = _pair_ok(a, b, cost, size, cons, idx)
        drop_dom[a[ok]] = True
        drop_dom &= ~drop_empty
    keep = np.flatnonzero(~(drop_empty | drop_dom)).astype(np.int64)
    return keep, {"empty_sites": int(drop_empty.sum()), "dominated_sites": int(drop_dom.sum())}


def reduce_coverage(csr: sp.csr_matrix, w: FloatArray, e: BoolArray, c: FloatArray, cons: Constraints, beta: float,
                    reduce: bool) -> tuple[Reduced, IntArray]:
    """The max-coverage reductions 1-7 (``reduce=False``: only 1-3) of ``csr`` with weights ``w``, existing
    coverage ``e``, costs ``c`` and backup weight ``beta``; returns the reduced model and the uncoverable rows."""
    idx = np.flatnonzero(~cons.forbidden).astype(np.int64)
    sub = sp.csr_matrix(csr[:, idx])
    coverable = np.diff(sub.indptr) > 0
    keep = coverable & (~e | (beta > 0))
    if reduce:
        keep &= w > 0
    stats = {"rows": int(csr.shape[0]), "sites": int(csr.shape[1]), "forbidden_sites": int(cons.forbidden.sum()),
             "uncoverable_rows": int((~coverable).sum()), "existing_rows_dropped": int((e & coverable & ~keep).sum())}
    rows, wr, er = sp.csr_matrix(sub[keep]), w[keep], e[keep]
    if reduce:
        rows, wr, er = merge_rows(rows, wr, er)
        local, s2 = reduce_sites(rows, c[idx], idx, cons, dominance=beta == 0)
        stats.update(s2)
        rows, idx = sp.csr_matrix(rows[:, local]), idx[local]
        rows, wr, er = merge_rows(rows, wr, er)
    stats.update(rows_reduced=int(rows.shape[0]), sites_reduced=len(idx))
    red = Reduced(rows=sp.csr_matrix(rows), weights=wr, existing=er, sites=idx, constant=float(w[e].sum()),
                  stats=stats)
    return red, np.flatnonzero(~coverable & ~e).astype(np.int64)
