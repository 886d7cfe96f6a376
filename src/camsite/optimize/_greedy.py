"""Cost-effectiveness greedy heuristics (reported next to the exact optimum).

Maximal coverage: start from the forced sites (and, for each ``require_any``
set, its best-ratio member; then, for each spending group below its minimum,
its best-ratio members until the minimum is met); then repeatedly add the affordable, feasible site
with the largest ratio *marginal weight / cost* (a zero-cost site with a gain
ranks first; ties: larger gain, then lower index) until no site adds weight.
The marginal weight of a point is its weight when nothing covers it yet and
``backup_weight`` times its weight when exactly one camera (existing or new)
covers it. As in Khuller, Moss & Naor (1999), the result is compared with the
best single affordable site (plus the forced ones) and the better is kept,
which guarantees at least ``(1 - 1/sqrt(e))`` of the optimum without backup reward or side
constraints.

Minimum-cost cover: repeatedly add the site with the largest ratio *newly
covered required points / cost* until every required point is covered, then
*newly covered weight / cost* until the target share is reached.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, FloatArray, IntArray

__all__ = ["greedy_cover", "greedy_max"]


class State:
    """Chosen sites and what they block (groups, conflicts, type caps, budget)."""

    def __init__(self, cons: Constraints, idx: IntArray, costs: FloatArray, budget: float) -> None:
        self.cons, self.idx, self.costs = cons, idx, costs
        self.left = float(budget)
        self.chosen: list[int] = []
        self.blocked = np.zeros(len(idx), dtype=bool)
        self.kmat = cons.conflict_matrix().tocsr() if cons.any_conflicts else None
        self.local = np.full(cons.n_sites if self.kmat is not None else 0, -1, dtype=np.int64)  # site -> column
        if self.kmat is not None:
            self.local[idx] = np.arange(len(idx))
        self.type_left = cons.type_caps.copy() if cons.type_codes.size else None
        self.spent = np.zeros(len(cons.spend_lower))  # per spending group

    def feasible(self) -> BoolArray:
        ok = ~self.blocked & (self.costs <= self.left + 1e-9 * max(1.0, abs(self.left)))
        if self.type_left is not None:
            ok &= self.type_left[self.cons.type_codes[self.idx]] >= 1
        if self.cons.has_spend:
            g = self.cons.spend_group[self.idx]
            after = self.spent[np.maximum(g, 0)] + self.cons.spend_cost[self.idx]
            ok &= (g < 0) | (after <= self.cons.spend_upper[np.maximum(g, 0)] * (1 + 1e-9))
        return ok

    def short(self) -> IntArray:
        """The spending groups still below their minimum."""
        lower = self.cons.spend_lower
        return np.flatnonzero(self.spent < lower - 1e-9 * np.maximum(1.0, lower)).astype(np.int64)

    def add(self, k: int) -> None:
        self.chosen.append(k)
        self.left -= float(self.costs[k])
        self.blocked[k] = True
        g = self.idx[k]
        grp = self.cons.groups[g]
        if grp >= 0:
            self.blocked |= self.cons.groups[self.idx] == grp
        if self.kmat is not None:
            cols = self.local[self.kmat.indices[self.kmat.indptr[g]:self.kmat.indptr[g + 1]]]
            self.blocked[cols[cols >= 0]] = True
        if self.type_left is not None:
            self.type_left[self.cons.type_codes[g]] -= 1
        if self.cons.has_spend and self.cons.spend_group[g] >= 0:
            self.spent[self.cons.spend_group[g]] += self.cons.spend_cost[g]


def _ratio(gain: FloatArray, costs: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(costs > 0, gain / np.where(costs > 0, costs, 1.0), np.inf)
    return np.where(gain > 0, r, -np.inf)


def pick(gain: FloatArray, costs: FloatArray, ok: BoolArray) -> int:
    """Best ratio, then larger gain, then lower index; -1 when nothing useful is feasible.

    Two passes of ``max`` instead of a sort (the order is only needed at its top: a site of the reach's greedy
    took 0.14 ms to pick by ``lexsort``).

    >>> pick(np.array([2.0, 4.0, 4.0, 6.0]), np.array([1.0, 2.0, 2.0, 3.0]), np.array([True, True, True, False]))
    1
    >>> pick(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([True, False]))  # nothing useful and feasible
    -1
    """
    cand = np.flatnonzero(ok & (gain > 0))
    if cand.size == 0:
        return -1
    r = _ratio(gain[cand], costs[cand])
    top = np.flatnonzero(r == r.max())
    if top.size > 1:  # equal ratios: the larger gain, then the lower index (cand is ascending)
        g = gain[cand[top]]
        top = top[g == g.max()]
    return int(cand[top[0]])


def marginal(counts: IntArray, weights: FloatArray, backup_weight: float) -> FloatArray:
    return np.where(counts == 0, weights, np.where(counts == 1, backup_weight * weights, 0.0))


def _start(state: State, csc: sp.csc_matrix, counts: IntArray, weights: FloatArray,
           backup_weight: float) -> bool:
    """Add forced sites and one member of each ``require_any`` set; False when that is infeasible."""
    cons, idx = state.cons, state.idx
    for f in np.flatnonzero(cons.forced[idx]).tolist():
        if not state.feasible()[f]:
            return False
        state.add(f)
        counts[csc.indices[csc.indptr[f]:csc.indptr[f + 1]]] += 1
    for req in cons.require_any:
        members = np.flatnonzero(np.isin(idx, req))
        if np.isin(members, state.chosen).any():
            continue
        ok = np.zeros(len(idx), dtype=bool)
        ok[members] = True
        ok &= state.feasible()
        if not ok.any():
            return False
        _add_best(state, csc, counts, weights, backup_weight, ok)
    return _meet_minimums(state, csc, counts, weights, backup_weight)


def _add_best(state: State, csc: sp.csc_matrix, counts: IntArray, weights: FloatArray, backup_weight: float,
              ok: BoolArray) -> None:
    """Add the allowed (``ok``) site of the best ratio to ``state`` and count what it covers."""
    gain = np.asarray(csc.T @ marginal(counts, weights, backup_weight)).ravel() + 1e-300
    k = pick(gain, state.costs, ok)
    state.add(k)
    counts[csc.indices[csc.indptr[k]:csc.indptr[k + 1]]] += 1


def _meet_minimums(state: State, csc: sp.csc_matrix, counts: IntArray, weights: FloatArray,
                   backup_weight: float) -> bool:
    """Add sites by the ratio rule to each spending group below its minimum (even sites that see nothing new);
    False when a group cannot reach it."""
    cons, idx = state.cons, state.idx
    for grp in state.short().tolist():
        while state.spent[grp] < cons.spend_lower[grp] * (1 - 1e-9):
            ok = state.feasible() & (cons.spend_group[idx] == grp)
            if not ok.any():
                return False
            _add_best(state, csc, counts, weights, backup_weight, ok)
    return True


def greedy_max(rows: sp.csr_matrix, weights: FloatArray, existing: BoolArray, costs: FloatArray, budget: float,
               cons: Constraints, idx: IntArray, backup_weight: float) -> IntArray | None:
    """Greedy for (backup) maximal coverage on local columns; None when forced sites are infeasible."""
    csc = sp.csc_matrix(rows, dtype=np.float64)

    def run(single: bool) -> tuple[IntArray, float] | None:
        state = State(cons, idx, costs, budget)
        counts = existing.astype(np.int64).copy()
        if not _start(state, csc, counts, weights, backup_weight):
            return None
        while True:
            gain = np.asarray(csc.T @ marginal(counts, weights, backup_weight), dtype=np.float64).ravel()
            k = pick(gain, costs, state.feasible()) if not single else _best_single(gain, state.feasible())
            if k < 0:
                break
            state.add(k)
            counts[csc.indices[csc.indptr[k]:csc.indptr[k + 1]]] += 1
            if single:
                break
        value = float(weights @ ((counts >= 1) + backup_weight * (counts >= 2)))
        return np.sort(np.asarray(state.chosen, dtype=np.int64)), value

    best = run(False)
    if best is None:
        return None
    alt = run(True)
    if alt is not None and alt[1] > best[1]:
        best = alt
    return best[0]


def _best_single(gain: FloatArray, ok: BoolArray) -> int:
    cand = np.flatnonzero(ok & (gain > 0))
    if cand.size == 0:
        return -1
    return int(cand[np.lexsort((cand, -gain[cand]))[0]])


def greedy_cover(rows: sp.csr_matrix, required: BoolArray, weights: FloatArray, need: float, costs: FloatArray,
                 cons: Constraints, idx: IntArray) -> IntArray | None:
    """Greedy for minimum-cost cover on local columns; None when it cannot meet the requirement."""
    csc = sp.csc_matrix(rows, dtype=np.float64)
    state = State(cons, idx, costs, np.inf)
    counts = np.zeros(rows.shape[0], dtype=np.int64)
    if not _start(state, csc, counts, weights, 0.0):
        return None
    tol = 1e-9 * max(1.0, float(weights.sum()))
    while True:
        open_req = required & (counts == 0)
        if open_req.any():
            gain = csc.T @ open_req.astype(np.float64)
        elif float(weights[counts > 0].sum()) < need - tol:
            gain = csc.T @ np.where(counts == 0, weights, 0.0)
        else:
            return np.sort(np.asarray(state.chosen, dtype=np.int64))
        k = pick(gain, costs, state.feasible())
        if k < 0:
            return None
        state.add(k)
        counts[csc.indices[csc.indptr[k]:csc.indptr[k + 1]]] += 1
