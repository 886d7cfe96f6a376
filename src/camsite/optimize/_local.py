"""Swap local search: a better MIP start than the greedy plan, in a few sparse products.

The exact solve proves optimality faster from a better start (HiGHS prunes
with the incumbent from the root on). :func:`improve` takes a feasible plan on
the reduced model and repeats, until no move gains more than ``tol``:

* **swap**: drop one chosen site ``s`` (not forced, not in a ``require_any``
  set) and add the feasible site ``j`` with the largest gain given the rest,
  when that gain exceeds what ``s`` alone covered;
* **fill**: add, by the greedy's ratio rule, whatever the budget left affords
  and still gains weight.

Every plan it visits satisfies the budget and the side constraints (groups,
conflicts, type caps, forced sites, spending groups' limits), and its value never falls, so the result
is a valid start and at least as good as the plan given. Each swap round costs
one product ``rows.T @ marginal`` per chosen site. It is a heuristic: the
optimum is still proven by the MIP.

On the default scenario at 1.5 MSEK the greedy plan's 3.188 becomes 3.228,
the optimum (``benchmarks/mip.py``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, FloatArray, IntArray
from camsite.optimize._greedy import State, marginal, pick

__all__ = ["improve"]

#: Most swaps made (each costs one product per chosen site).
MAX_SWAPS = 60


def _value(counts: IntArray, weights: FloatArray, beta: float) -> float:
    return float(weights @ ((counts >= 1) + beta * (counts >= 2)))


def _state(chosen: list[int], cons: Constraints, idx: IntArray, costs: FloatArray, budget: float) -> State:
    state = State(cons, idx, costs, budget)
    for k in chosen:
        state.add(k)
    return state


def _fill(chosen: list[int], counts: IntArray, csc: sp.csc_matrix, weights: FloatArray, beta: float,
          state: State) -> None:
    """Add sites by the greedy's rule while the budget allows and they gain weight (in place)."""
    while True:
        gain = np.asarray(csc.T @ marginal(counts, weights, beta), dtype=np.float64).ravel()
        k = pick(gain, state.costs, state.feasible())
        if k < 0:
            return
        state.add(k)
        chosen.append(k)
        counts[csc.indices[csc.indptr[k]:csc.indptr[k + 1]]] += 1


def _best_swap(chosen: list[int], counts: IntArray, csc: sp.csc_matrix, weights: FloatArray, beta: float,
               fixed: BoolArray, args: tuple[Constraints, IntArray, FloatArray, float], tol: float
               ) -> tuple[int, int, float] | None:
    """The first chosen site (in order) with an improving swap: (site out, site in, gain over loss)."""
    value = _value(counts, weights, beta)
    for s in sorted(chosen):
        if fixed[s]:
            continue
        rows_s = csc.indices[csc.indptr[s]:csc.indptr[s + 1]]
        left = counts.copy()
        left[rows_s] -= 1
        loss = value - _value(left, weights, beta)
        gain = np.asarray(csc.T @ marginal(left, weights, beta), dtype=np.float64).ravel()
        rest = [k for k in chosen if k != s]
        ok = _state(rest, *args).feasible()
        if args[0].has_spend:  # the swap must also keep every spending group's minimum
            ok &= args[0].spend_additions(args[1][rest])[args[1]]
        ok[s] = False
        cand = np.flatnonzero(ok & (gain > loss + tol))
        if cand.size:
            j = int(cand[np.lexsort((cand, -gain[cand]))[0]])
            return s, j, float(gain[j] - loss)
    return None


def improve(rows: sp.csr_matrix, weights: FloatArray, existing: BoolArray, costs: FloatArray, budget: float,
            cons: Constraints, idx: IntArray, beta: float, chosen: IntArray, *, tol: float) -> IntArray:
    """A plan at least as good as ``chosen`` (local indices, feasible), by swaps and fills (module docs).

    Parameters
    ----------
    rows, weights, existing
        The reduced model's rows (rows x local sites), their weights and existing flags.
    costs, budget
        Cost per local site and the budget.
    cons, idx
        The side constraints (over original sites) and the original index of each local site.
    beta
        Backup weight.
    chosen
        A feasible plan (local indices).
    tol
        Smallest gain that counts as an improvement.

    Returns
    -------
    numpy.ndarray
        Sorted local indices.
    """
    csc = sp.csc_matrix(rows, dtype=np.float64)
    plan = [int(k) for k in chosen]
    counts = existing.astype(np.int64) + np.asarray(rows @ np.bincount(plan, minlength=len(idx)),
                                                    dtype=np.int64).ravel()
    fixed = cons.forced[idx] | cons.required()[idx]
    args = (cons, idx, costs, float(budget))
    _fill(plan, counts, csc, weights, beta, _state(plan, *args))
    for _ in range(MAX_SWAPS):
        move = _best_swap(plan, counts, csc, weights, beta, fixed, args, tol)
        if move is None:
            break
        s, j, _gain = move
        plan.remove(s)
        plan.append(j)
        counts[csc.indices[csc.indptr[s]:csc.indptr[s + 1]]] -= 1
        counts[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] += 1
        _fill(plan, counts, csc, weights, beta, _state(plan, *args))
    return np.sort(np.asarray(plan, dtype=np.int64))
