"""Helpers the max-coverage and min-cost models share: side-constraint rows, the bound/gap rule and the check of
a solver's objective against its plan."""

from __future__ import annotations

import logging

import numpy as np

from camsite.errors import SolverError
from camsite.optimize._constraints import Constraints
from camsite.optimize._model import IntArray, ModelBuilder, Outcome

logger = logging.getLogger(__name__)

__all__ = ["add_side_rows", "bound_gap", "check_objective"]


def add_side_rows(builder: ModelBuilder, x: IntArray, sites: IntArray, cons: Constraints) -> bool:
    """Add groups, conflicts, forced, require_any, type caps and spending rows over kept ``sites`` (columns ``x``).

    Returns True when the constraints are infeasible on their own (a forced site
    forbidden, a ``require_any`` set with no allowed site, or a spending group
    whose kept sites cost less than its minimum).
    """
    pos = np.full(cons.n_sites, -1, dtype=np.int64)
    pos[sites] = np.arange(len(sites))
    builder.set_lower(x[cons.forced[sites]], 1.0)
    grp = cons.groups[sites]
    members = np.flatnonzero(grp >= 0)
    if members.size:
        _, code, size = np.unique(grp[members], return_inverse=True, return_counts=True)
        big = size[code] > 1
        members, code = members[big], code[big]
        _, row = np.unique(code, return_inverse=True)
        n_rows = int(row.max()) + 1 if row.size else 0
        builder.add_rows(n_rows, row, x[members], 1.0, upper=1.0)
    if cons.any_conflicts:
        a, b = pos[cons.conflicts[:, 0]], pos[cons.conflicts[:, 1]]
        both = (a >= 0) & (b >= 0)
        k = int(both.sum())
        rows = np.repeat(np.arange(k), 2)
        builder.add_rows(k, rows, x[np.column_stack([a[both], b[both]]).ravel()], 1.0, upper=1.0)
    infeasible = bool(cons.forced[cons.forbidden].any())
    for req in cons.require_any:
        kept = pos[req]
        kept = kept[kept >= 0]
        if kept.size == 0:
            infeasible = True
        else:
            builder.add_row(x[kept], np.ones(kept.size), lower=1.0)
    if cons.type_codes.size:
        codes = cons.type_codes[sites]
        for t, cap in enumerate(cons.type_caps.tolist()):
            kept = np.flatnonzero(codes == t)
            if np.isfinite(cap) and len(kept) > cap:
                builder.add_row(x[kept], np.ones(kept.size), upper=float(cap))
    return _add_spend_rows(builder, x, sites, cons) or infeasible


def _add_spend_rows(builder: ModelBuilder, x: IntArray, sites: IntArray, cons: Constraints) -> bool:
    """One row ``lower <= sum_{j in g} cost_j x_j <= upper`` per spending group with a limit; True when a
    group's kept sites cannot reach its minimum."""
    if not cons.has_spend:
        return False
    infeasible = False
    codes, cost = cons.spend_group[sites], cons.spend_cost[sites]
    for g, (lo, hi) in enumerate(zip(cons.spend_lower.tolist(), cons.spend_upper.tolist(), strict=True)):
        kept = np.flatnonzero(codes == g)
        if lo > 0 and float(cost[kept].sum()) < lo * (1 - 1e-9):
            infeasible = True
        if kept.size and (lo > 0 or np.isfinite(hi)):
            builder.add_row(x[kept], cost[kept], lower=lo if lo > 0 else -np.inf, upper=hi)
    return infeasible


def bound_gap(out: Outcome, objective: float, constant: float, fallback: float | None, *,
              maximize: bool) -> tuple[float, float]:
    """The proven bound and relative gap of a solution (``objective`` recomputed, ``constant`` added to the solver's).

    Optimal: ``(objective, 0)``. Otherwise the tighter of the solver's bound (plus
    ``constant``) and ``fallback`` (the LP bound or a trivial bound), never better
    than the objective itself; the gap is ``|bound - objective| / max(|objective|, 1e-12)``.
    """
    if out.status == "optimal":
        return objective, 0.0
    candidates = [b for b in (out.bound + constant, fallback) if b is not None and np.isfinite(b)]
    trivial = np.inf if maximize else 0.0
    tightest = min if maximize else max
    bound = tightest(candidates) if candidates else trivial
    bound = max(bound, objective) if maximize else min(bound, objective)
    return float(bound), float(abs(bound - objective) / max(abs(objective), 1e-12))


def check_objective(out: Outcome, expect: float, *, constant: float, tol: float) -> None:
    """Compare the solver's objective (plus ``constant``) with the value of its plan recomputed from the matrix
    (``expect``); ``tol`` is the absolute gap the optimum was proven to.

    The recomputed value is what the solution reports. A plan found before the
    time limit may count less than its sites see (the solver had not yet set
    every covered row): the recomputed value is then higher, which is logged at
    debug level. A proven optimum whose plan sees less than the solver counted,
    or more than the solver's own bound (plus the gap it was proven to), is an
    internal error.
    """
    if not out.has_solution:
        return
    said = out.objective + constant
    slack = 1e-5 * max(1.0, abs(expect))
    if abs(said - expect) <= slack:
        return
    # an optimum is proven to within the absolute gap tol (its bound may be its own objective)
    above_bound = bool(np.isfinite(out.bound)) and expect > out.bound + constant + tol + slack
    if out.status == "optimal" and (expect < said or above_bound):
        raise SolverError(f"internal error: the solver's optimum {said:.9g} differs from its plan's recomputed "
                          f"value {expect:.9g}")
    if expect > said:
        logger.debug("%s plan: the solver counted %.9g, its sites see %.9g (reported)", out.status, said, expect)
    else:
        logger.warning("solver objective %.9g is more than its plan's recomputed %.9g (%s)", said, expect, out.status)
