"""Proving a min-cost cover optimal by probing the budget just below it.

A min-cost cover of one weighted requirement (``sum_i s_i [i seen] >= r``, no
point required on its own) and the budgeted maximal covering problem of the same
weights are two sides of one question (Cordeau, Furini & Ljubić 2019, EJOR 275:
they solve both with the same Benders machinery): a plan costing ``U`` is the
cheapest iff no plan costing less sees ``r``. When every allowed site's cost is
a multiple of a step ``g`` (camsite's costs are whole kronor: the default
scenario's 108,000 and 150,000 kr have ``g = 6,000``), a cheaper plan costs at
most ``U - g``, so one exact max-coverage solve of the requirement's weight at
budget ``U - g`` decides it:

* its proven bound below ``r``: no cheaper plan reaches the requirement, ``U`` is
  optimal (the min-cost bound becomes ``U``);
* a plan seeing ``r``: it costs at most ``U - g``; the probe repeats below it;
* stopped in between: nothing is proven.

Why it helps: the min-cost MIP's LP relaxation is weak (the default scenario's
25 % point: 9 % below the optimum, and HiGHS closes the last 0.3 % slowly), while
the max-coverage model with the budget's count rows is much tighter and its
reduced-cost fixing (:mod:`camsite.optimize._fixing`) works at a fixed budget.
:func:`~camsite.optimize._mincost.solve_min_cost_cover` gives the MIP
:data:`PROBE_MIP_SHARE` of a time limit of at least :data:`PROBE_MIN_LIMIT_S`
and probes with the rest when the MIP stops unproven.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from functools import reduce

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._data import BoolArray, FloatArray, IntArray
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._model import Deadline
from camsite.optimize._options import SolverOptions

logger = logging.getLogger(__name__)

__all__ = ["PROBE_MIN_LIMIT_S", "PROBE_MIP_SHARE", "BudgetProbe", "cost_step"]

#: Probing is used by solves with a time limit of at least this many seconds (a run's quick target points are not).
PROBE_MIN_LIMIT_S = 20.0
#: Share of the time limit the min-cost MIP gets before probing.
PROBE_MIP_SHARE = 0.5


def cost_step(costs: npt.ArrayLike) -> float | None:
    """The largest step every cost is a whole multiple of (the gcd of whole-kronor costs); None when some cost
    is not a whole number or none is positive.

    >>> cost_step([108000.0, 150000.0, 108000.0]), cost_step([2.0, 3.0]), cost_step([1.5, 3.0]), cost_step([])
    (6000.0, 1.0, None, None)
    """
    c = np.asarray(costs, dtype=np.float64).ravel()
    c = c[c > 0]
    if not len(c) or not np.allclose(c, np.round(c), rtol=0.0, atol=1e-9 * max(1.0, float(c.max()))):
        return None
    return float(reduce(math.gcd, np.unique(np.round(c).astype(np.int64)).tolist()))


@dataclass(frozen=True)
class Settled:
    """What the probes found: the cheapest plan found (original site indices), and whether it is proven."""

    selected: IntArray
    cost: float
    proven: bool


class BudgetProbe:
    """Budget probes for one single-requirement min-cost instance (module docs)."""

    def __init__(self, coverage: sp.csr_matrix, weights: FloatArray, existing: BoolArray, costs: FloatArray,
                 cons: Constraints, need: float, step: float, solver: SolverOptions) -> None:
        self._data = (coverage, weights, existing, cons)
        self._model: CoverageModel | None = None
        self.costs, self.need, self.step = costs, float(need), float(step)
        self.tol = 1e-9 * max(1.0, float(np.abs(weights).sum()))
        self.solver = replace(solver, greedy=False, lp_bound=False, tie_break="none", max_start_gap=None)

    @property
    def model(self) -> CoverageModel:
        """The max-coverage model of the requirement's weight, built on first use."""
        if self._model is None:
            coverage, weights, existing, cons = self._data
            self._model = CoverageModel(coverage, weights, self.costs, existing=existing, constraints=cons)
        return self._model

    def settle(self, selected: IntArray, deadline: Deadline) -> Settled:
        """Probe below the plan ``selected`` (meeting the requirement) until proven or ``deadline``."""
        best = np.sort(np.asarray(selected, dtype=np.int64))
        cost = float(self.costs[best].sum())
        while not deadline.passed:
            budget = cost - self.step
            if budget < -1e-9:
                return Settled(best, cost, True)
            sol = self.model.solve(max(budget, 0.0), solver=replace(self.solver, time_limit_s=deadline.left()))
            logger.debug("budget probe at %.0f: %s, sees %.9g (bound %.9g) of %.9g needed", budget, sol.status,
                         sol.objective, sol.bound, self.need)
            if sol.status == "infeasible" or (np.isfinite(sol.bound) and sol.bound < self.need - self.tol):
                return Settled(best, cost, True)  # no plan costing less than `cost` sees the requirement
            if sol.objective >= self.need - self.tol and float(self.costs[sol.selected].sum()) < cost:
                best = self._pruned(np.asarray(sol.selected, dtype=np.int64))
                cost = float(self.costs[best].sum())
                continue
            break  # stopped at the deadline without a verdict
        return Settled(best, cost, False)

    def _pruned(self, selected: IntArray) -> IntArray:
        """``selected`` without the sites (dearest first) it still meets the requirement without."""
        keep = list(np.asarray(selected, dtype=np.int64)[np.argsort(-self.costs[selected], kind="stable")])
        for j in list(keep):
            rest = [k for k in keep if k != j]
            if self.model.evaluate(np.asarray(rest, dtype=np.int64))[0] >= self.need - self.tol:
                keep = rest
        return np.sort(np.asarray(keep, dtype=np.int64))
