"""Threshold descent: reduced-cost fixing when no good plan is known yet.

Reduced-cost fixing (:mod:`camsite.optimize._fixing`) forbids the sites that
are in no plan as good as a known one. When the known plan (the greedy start)
lies far below the LP bound it forbids nothing: on the inner city at 9 MSEK
the start is 1.3 % below the bound and not one of 121,516 sites goes. Asking
for *more* than the start does. For a site ``k`` let ``b_k = L + min(d_k, 0)``
be the Lagrangian bound of the plans that use it; a site with ``b_k < t`` is in
no plan worth ``t`` or more, whatever plans are known. So, for thresholds
``t`` from just below the bound ``L`` downwards:

* the MIP over the sites kept for ``t`` (``b_k >= t``) is solved exactly;
* if its optimum ``z`` reaches ``t``, ``z`` is the optimum of the full model: a
  better plan is worth more than ``t``, so it uses kept sites only, and the
  restricted MIP would have found it;
* otherwise (or when the kept sites admit no plan at all) no plan reaches
  ``t``: the bound falls to ``t``, ``z`` (a feasible plan) may raise the
  incumbent, and the next threshold keeps four times as many sites;
* once a threshold would fall to the incumbent, plain fixing with the incumbent
  ends it (its restricted optimum is the full optimum); when that keeps more
  sites than ``max_kept``, the caller solves the full MIP from the best plan
  found, with the lower bound reached.

Every restricted MIP is solved to optimality, so the answer does not depend on
timing; only the deadline stops the descent (with the best plan and the bound
reached so far). The inner city at 9 MSEK (121,516 sites): the full MIP stopped
at its 120 s limit at 32.846 (bound 32.888, 116 s of CPU); the descent keeps
3,427 sites for ``t`` = 32.88, finds 32.868 there (so no plan reaches 32.88),
and plain fixing with 32.868 keeps 8,927 sites whose optimum, 32.868, is
proven: about 21 s of CPU with the LP.

>>> bounds = np.array([10.0, 9.5, 9.0, 6.0])   # b_k of four sites; the LP bound is 10
>>> def solve_kept(keep, start):               # the restricted optimum: here, the best kept site alone
...     k = int(np.flatnonzero(keep)[np.argmax(np.array([8.0, 9.2, 7.0, 5.0])[keep])])
...     return np.array([k]), "optimal"
>>> d = descend(bounds, 10.0, None, solve_kept, lambda p: float(np.array([8.0, 9.2, 7.0, 5.0])[p].sum()),
...             first_kept=1, max_kept=4, tol=1e-9)
>>> d.local.tolist(), d.value, d.optimal
([1], 9.2, True)

(``t`` = 10 keeps site 0, worth 8: no plan reaches 10; the next threshold, 6,
lies below 8, so plain fixing with 8 keeps sites 0-2, whose best, 9.2, is the
optimum.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from camsite.optimize._data import BoolArray, FloatArray, IntArray
from camsite.optimize._fixing import SAFETY

__all__ = ["Descent", "descend"]

#: How many sites the first threshold keeps (then four times as many each round).
FIRST_KEPT = 2000

#: ``solve_kept(keep, start)``: the exact optimum over the sites ``keep`` (a mask over the local sites), from
#: ``start`` (local indices or None); returns the plan (None: no feasible plan) and the status ("optimal",
#: "infeasible" or "time_limit").
RestrictedSolve = Callable[[BoolArray, IntArray | None], tuple[IntArray | None, str]]


@dataclass(frozen=True, eq=False)
class Descent:
    """What the descent found: the best plan (local sites; None: none), its value, the bound no plan exceeds,
    whether the plan is proven optimal and whether the deadline stopped the descent."""

    local: IntArray | None
    value: float
    bound: float
    optimal: bool
    stopped: bool


def _solve(keep: BoolArray, start: IntArray | None, solve_kept: RestrictedSolve,
           value: Callable[[IntArray], float]) -> tuple[IntArray | None, float, str]:
    plan, status = solve_kept(keep, start)
    return plan, (value(plan) if plan is not None else -np.inf), status


def descend(site_bounds: FloatArray, bound: float, incumbent: tuple[IntArray, float] | None,
            solve_kept: RestrictedSolve, value: Callable[[IntArray], float], *, first_kept: int | None = None,
            max_kept: int, tol: float) -> Descent:
    """The descent of the module docs over sites with Lagrangian bounds ``site_bounds`` (``b_k``, local order)
    below the bound ``bound`` (``L``), from ``incumbent`` (a plan and its value, or None); the first threshold
    keeps ``first_kept`` sites (None: :data:`FIRST_KEPT`)."""
    best, z_best = incumbent if incumbent is not None else (None, -np.inf)
    hi, n = float(bound), len(site_bounds)
    margin = SAFETY * max(1.0, abs(hi))
    order = np.sort(site_bounds)[::-1]
    k = min(FIRST_KEPT if first_kept is None else first_kept, n)
    while 0 < k <= max_kept:
        t = float(order[k - 1])
        if t <= z_best + tol:
            break
        plan, z, status = _solve(site_bounds >= t - margin, best, solve_kept, value)
        if plan is not None and z > z_best:
            best, z_best = plan, z
        if status == "time_limit":
            return Descent(best, z_best, hi, False, True)
        if plan is not None and z >= t:
            return Descent(plan, z, z, True, False)
        hi = min(hi, t)  # no plan reaches t
        if k == n:
            break
        k = min(4 * k, n)
    if best is not None and int((site_bounds >= z_best - margin).sum()) <= max_kept:
        plan, z, status = _solve(site_bounds >= z_best - margin, best, solve_kept, value)
        if plan is not None and z > z_best:
            best, z_best = plan, z
        if status != "optimal":
            return Descent(best, z_best, hi, False, status == "time_limit")
        return Descent(best, z_best, z_best, True, False)  # its restricted optimum is the full one
    return Descent(best, z_best, hi, False, False)
