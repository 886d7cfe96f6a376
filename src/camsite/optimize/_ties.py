"""Deterministic tie-breaking among optimal solutions (``tie_break="local"``).

Starting from the solver's optimal site set, two kinds of moves are applied
until none applies, each keeping the objective exactly optimal (checked with
the reduced model's data, to within the half-quantum of :mod:`._data`) and every
constraint satisfied:

1. **drop**: remove a chosen site whose removal keeps the optimum (max
   coverage) or the requirement (cover);
2. **swap**: replace a chosen site ``j`` by the unchosen site ``k`` with the
   lowest index ``k < j`` that keeps the optimum, the budget (cover: the cost
   does not rise) and the side constraints.

Chosen sites are visited from the highest original index down. Every move
lowers the sum of the chosen indices, so the process ends. The result is a
deterministic function of the solver's solution: the same inputs give the same
sites, no site can be removed, and no single site can be exchanged for a
lower-numbered one. ``tie_break="lexicographic"`` instead solves a second MIP
that minimises the sum of indices over *all* optimal solutions (solver
independent up to equal sums, but often slower than the first solve).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, FloatArray, IntArray

__all__ = ["Moves", "canonical"]


class _Feasible:
    """Which unchosen sites may replace a chosen one under the side constraints."""

    def __init__(self, cons: Constraints, idx: IntArray) -> None:
        self.cons, self.idx = cons, idx
        self.groups = cons.groups[idx]
        local = {int(g): k for k, g in enumerate(idx)}
        self.kmat = None
        if cons.any_conflicts:
            keep = np.array([local.get(int(g), -1) for g in range(cons.n_sites)])
            k = cons.conflict_matrix().tocoo()
            m = (keep[k.row] >= 0) & (keep[k.col] >= 0)
            self.kmat = sp.csr_matrix((np.ones(m.sum()), (keep[k.row[m]], keep[k.col[m]])),
                                      shape=(len(idx), len(idx)))
        self.codes = cons.type_codes[idx] if cons.type_codes.size else None
        self.req = [np.isin(idx, r) for r in cons.require_any]
        self.forced = cons.forced[idx]

    def replacements(self, chosen: BoolArray, j: int) -> BoolArray | None:
        """Mask of sites that may replace ``j`` (None: ``j`` must stay); includes the empty move via the caller."""
        if self.forced[j]:
            return None
        rest = chosen.copy()
        rest[j] = False
        ok = ~chosen
        for r in self.req:
            if r[j] and not (r & rest).any():
                ok &= r
        used = np.unique(self.groups[rest])
        ok &= ~np.isin(self.groups, used[used >= 0])
        if self.kmat is not None:
            ok &= np.asarray(self.kmat[np.flatnonzero(rest)].sum(axis=0)).ravel() == 0
        if self.codes is not None:
            counts = np.bincount(self.codes[rest], minlength=len(self.cons.type_caps))
            ok &= counts[self.codes] < self.cons.type_caps[self.codes]
        if self.cons.has_spend:
            ok &= self.cons.spend_additions(self.idx[rest])[self.idx]
        return ok

    def droppable(self, chosen: BoolArray, j: int) -> bool:
        if self.forced[j]:
            return False
        rest = chosen.copy()
        rest[j] = False
        return all(not r[j] or (r & rest).any() for r in self.req) and self.cons.spend_ok(self.idx[rest])


#: ``moves(chosen, j)``: whether dropping ``j`` keeps the objective, and which swaps for ``j`` keep it.
Moves = Callable[[BoolArray, int], tuple[bool, BoolArray]]


def canonical(local: IntArray, costs: FloatArray, cons: Constraints, idx: IntArray, *, moves: Moves,
              budget: float, tol: float) -> IntArray:
    """Apply drop and swap moves (module docs) to ``local`` (local site indices); returns the new set.

    ``moves(chosen, j)`` returns whether dropping ``j`` keeps the objective and a
    mask of the sites ``k`` whose swap for ``j`` keeps it (constraints aside).
    ``idx`` maps local to original indices (increasing); ``tol`` is a cost tolerance.
    """
    feas = _Feasible(cons, idx)
    chosen = np.zeros(len(idx), dtype=bool)
    chosen[np.asarray(local, dtype=np.int64)] = True
    changed = True
    while changed:
        changed = False
        for j in np.flatnonzero(chosen)[::-1]:
            j = int(j)
            drop_ok, swap_ok = moves(chosen, j)
            if drop_ok and feas.droppable(chosen, j):
                chosen[j] = False
                changed = True
                continue
            repl = feas.replacements(chosen, j)
            if repl is None:
                continue
            left = budget - float(costs[chosen].sum()) + float(costs[j])
            repl[j:] = False  # only lower indices (idx is increasing)
            cand = np.flatnonzero(repl & swap_ok & (costs <= left + tol))
            if cand.size:
                chosen[j], chosen[int(cand[0])] = False, True
                changed = True
    return np.flatnonzero(chosen)


def coverage_moves(rows: sp.csr_matrix, weights: FloatArray, existing: BoolArray, beta: float, tol: float) -> Moves:
    """Drop/swap tests for :func:`canonical` on a reduced max-coverage model (``rows`` x sites, backup ``beta``)."""
    csc = sp.csc_matrix(rows, dtype=np.float64)
    w, ex = weights, existing.astype(np.int64)

    def value(c: IntArray, ww: FloatArray) -> float:
        return float(ww @ ((c >= 1) + beta * (c >= 2)))

    def moves(chosen: BoolArray, j: int) -> tuple[bool, BoolArray]:
        cnt = ex + np.asarray(rows @ chosen.astype(np.int64)).ravel()
        rj = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        cm = cnt.copy()
        cm[rj] -= 1
        loss = value(cnt[rj], w[rj]) - value(cm[rj], w[rj])
        gain = np.asarray(csc.T @ np.where(cm == 0, w, np.where(cm == 1, beta * w, 0.0))).ravel()
        return loss <= tol, gain >= loss - tol

    return moves
