"""The highest share of a requirement's weight any plan can see under the side constraints, and its cost.

A demand row some allowed candidate sees is *seeable*, but a plan cannot use
every candidate: one camera (one type and heading) per site, the spacing rules
and ``max_per_type`` leave some views out. On the default scenario 50.4 % of
the incident value is seeable, yet no plan sees more than about 43 %
(docs/objectives.md). :func:`highest_reach` answers "how much, at most, and at
what cost" when a target share cannot be met, from the max-coverage model on
the requirement's weight alone with no budget limit. Proving its optimum takes
more than a minute on the default scenario (a large packing problem), so the
figures are the ones that do not depend on the machine's speed: the share the
greedy plan sees (``found_pct``, :func:`camsite.optimize.max_coverage`'s greedy
start, which keeps every side constraint) and the LP relaxation's bound
(``bound_pct``: no plan sees more); when the MIP proves its optimum within
:data:`REACH_TIME_S` seconds, that optimum is both. When the LP did not
finish within that time (a busy machine), the model is solved once more
within :data:`REACH_RETRY_S` seconds, so that the bound does not depend on
the load. The plan is then pruned of
every site that adds nothing to the requirement (most expensive first), and
its cost is the cost of reaching ``found_pct``: a plan, not proven the
cheapest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite import optimize
from camsite.optimize import Constraints, SolverOptions
from camsite.stages.instance import Instance
from camsite.stages.solve import for_instance

logger = logging.getLogger(__name__)

__all__ = ["REACH_RETRY_S", "REACH_TIME_S", "Reach", "highest_reach", "prune"]

#: Seconds the highest-reach MIP may take to prove its optimum (or the scenario's time limit, when shorter).
REACH_TIME_S = 1.0
#: Seconds of the second try when the LP bound did not finish within :data:`REACH_TIME_S` (a busy machine: the
#: default scenario's LP takes about 0.3 s of CPU after a greedy plan of 0.6 s, and at a load of 7 on 2 cores it
#: missed the first second; without it the bound says "at most 100 %").
REACH_RETRY_S = 4.0


@dataclass(frozen=True)
class Reach:
    """The highest reachable share (percent) of a requirement: the best plan found, its cost and the bound."""

    found_pct: float
    bound_pct: float
    cost_sek: float
    n_sites: int
    proven: bool

    def text(self) -> str:
        """One clause for messages: the bound, and the plan found with its size and cost."""
        best = (f"at most {self.bound_pct:.1f} %" if not self.proven else f"at most {self.found_pct:.1f} %")
        return (f"{best} under the side constraints (a plan of {self.n_sites} sites for {self.cost_sek:,.0f} kr "
                f"sees {self.found_pct:.1f} %)")


def prune(matrix: sp.csc_matrix, weights: NDArray[np.float64], existing: NDArray[np.bool_],
          selected: NDArray[np.int64], costs: NDArray[np.float64]) -> NDArray[np.int64]:
    """``selected`` without the sites whose every weighted row another chosen site (or camera) also sees.

    Sites are tried most expensive first; the covered weight does not change.

    >>> m = sp.csc_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool))
    >>> prune(m, np.array([1.0, 1.0, 0.0]), np.zeros(3, bool), np.array([0, 1, 2]), np.array([2.0, 1.0, 1.0]))
    array([1])
    """
    counts = np.asarray(matrix[:, selected].sum(axis=1)).ravel() + existing.astype(np.int64)
    keep = np.ones(len(selected), dtype=bool)
    for k in np.argsort(-costs[selected], kind="stable"):
        j = selected[k]
        rows = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        rows = rows[weights[rows] > 0]
        if (counts[rows] >= 2).all():
            counts[rows] -= 1
            keep[k] = False
    return np.sort(selected[keep]).astype(np.int64)


def _max_reach(instance: Instance, w: NDArray[np.float64], costs: NDArray[np.float64], constraints: Constraints,
               solver: SolverOptions, seconds: float) -> optimize.Solution:
    """The max-coverage model of the weights ``w`` without a budget, greedy start and LP bound, within ``seconds``
    (or the scenario's time limit, when shorter)."""
    limit = seconds if solver.time_limit_s is None else min(seconds, solver.time_limit_s)
    opts = replace(for_instance(instance, solver), time_limit_s=limit, greedy=True, lp_bound=True)
    return optimize.max_coverage(instance.rows.matrix, w, costs, float(costs.sum()) + 1.0,
                                 existing=instance.rows.existing, constraints=constraints, solver=opts)


def highest_reach(instance: Instance, mask: NDArray[np.bool_], constraints: Constraints,
                  solver: SolverOptions) -> Reach:
    """The highest share of the weight of the rows in ``mask`` (over :attr:`Instance.rows`) a plan sees (module
    docs), within :data:`REACH_TIME_S` seconds."""
    rows = instance.rows
    w = np.where(mask, rows.weights, 0.0)
    total = float(w.sum())
    costs = np.asarray(instance.costs, dtype=np.float64)
    sol = _max_reach(instance, w, costs, constraints, solver, REACH_TIME_S)
    longer = solver.time_limit_s is None or solver.time_limit_s > REACH_TIME_S  # else the same limit again
    if sol.status == "time_limit" and sol.lp_bound is None and longer:
        logger.info("highest reachable share: the LP bound did not finish within %g s (a busy machine); "
                    "solved again within %g s", REACH_TIME_S, REACH_RETRY_S)
        sol = _max_reach(instance, w, costs, constraints, solver, REACH_RETRY_S)
    if total <= 0 or sol.status == "infeasible":
        return Reach(0.0, 0.0, 0.0, 0, True)
    proven = sol.status == "optimal"
    chosen = sol.selected if proven or sol.greedy_selected is None else sol.greedy_selected
    if not constraints.forced.any():  # forced sites stay whatever they add
        chosen = prune(sp.csc_matrix(rows.matrix), w, rows.existing, chosen, costs)
    found = 100.0 * float(w[rows.covered(chosen)].sum()) / total
    upper = sol.objective if proven else sol.lp_bound if sol.lp_bound is not None else sol.bound
    bound = max(found, 100.0 * float(upper) / total) if np.isfinite(upper) else 100.0
    logger.info("highest reachable share: %.2f %% found (%d sites), at most %.2f %% (%s)", found, len(chosen),
                bound, sol.status)
    return Reach(found_pct=found, bound_pct=min(100.0, bound), cost_sek=float(costs[chosen].sum()),
                 n_sites=len(chosen), proven=proven)
