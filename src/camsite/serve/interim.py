"""The plan shown while a budget is solved exactly: :func:`interim_plan`.

A slider move is answered at once with the best plan already solved on the
same model that fits the new budget. When none fits (the slider moved below
every plan solved so far), the cheapest plan solved above the budget is cut
down to it: the site whose removal loses the least covered weight per SEK
saved goes first, until the plan fits (forced sites stay). Either way the
figures are the plan's own, computed from the model's rows; the page marks
the plan as provisional until the exact one arrives.

A change of category weights is answered at once with the plan shown,
valued under the new weights (:func:`reweighted_plan`): the same sites, the
new model's figures, while the plan for those weights is solved exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from camsite.optimize import CoverageModel, Solution

__all__ = ["PROVISIONAL", "interim_plan", "reweighted_plan"]

#: The status of a plan shown while the exact one is solved.
PROVISIONAL = "provisional"


def _best_within(plans: list[Solution], budget: float) -> Solution | None:
    fits = [s for s in plans if s.spent <= budget]
    return max(fits, key=lambda s: (s.objective, -s.spent)) if fits else None


def _cut(model: CoverageModel, plan: Solution, budget: float, costs: NDArray[np.float64],
         keep: NDArray[np.int64]) -> Solution | None:
    chosen = [int(j) for j in plan.selected]
    kept = {int(k) for k in keep}
    spent = float(costs[chosen].sum())
    objective = model.evaluate(chosen)[0]
    while spent > budget + 1e-6:
        loose = [j for j in chosen if j not in kept]
        if not loose:
            return None
        losses = []
        for j in loose:
            rest = [i for i in chosen if i != j]
            losses.append(((objective - model.evaluate(rest)[0]) / max(float(costs[j]), 1e-9), j))
        _, drop = min(losses)
        chosen.remove(drop)
        spent -= float(costs[drop])
        objective = model.evaluate(chosen)[0]
    obj, covered, backup = model.evaluate(chosen)
    return Solution(selected=np.asarray(sorted(chosen), dtype=np.int64), objective=obj, bound=math.nan,
                    gap=math.nan, status=PROVISIONAL, runtime_s=0.0, spent=float(costs[chosen].sum()),
                    covered_weight=covered, total_weight=plan.total_weight, backup_covered_weight=backup)


def interim_plan(model: CoverageModel, plans: Iterable[Solution], budget: float, *, costs: NDArray[np.float64],
                 keep: NDArray[np.int64]) -> Solution | None:
    """The plan to show at once for ``budget``: the best of ``plans`` that fits, else the cheapest plan above the
    budget cut down to it (sites ``keep`` never dropped), else None.

    Parameters
    ----------
    model
        The variant's model (its rows value a plan: :meth:`~camsite.optimize.CoverageModel.evaluate`).
    plans
        The plans solved on it.
    budget
        The budget asked (SEK).
    costs
        Cost of each candidate variant (SEK).
    keep
        Candidate indices that stay in the plan (the forced sites' variants).
    """
    usable = [s for s in plans if s.status != "infeasible"]
    best = _best_within(usable, budget)
    if best is not None:
        return best
    above = [s for s in usable if s.spent > budget]
    if not above:
        return None
    return _cut(model, min(above, key=lambda s: (s.spent, -s.objective)), budget, costs, keep)


def reweighted_plan(model: CoverageModel, selected: NDArray[np.int64], costs: NDArray[np.float64]) -> Solution:
    """The plan ``selected`` valued on ``model`` (another variant's weights: the same sites, its figures).

    Parameters
    ----------
    model
        The model of the new category weights (its rows value the plan).
    selected
        Candidate indices of the plan shown (columns of the model's instance).
    costs
        Cost of each candidate variant (SEK).

    Returns
    -------
    Solution
        Marked :data:`PROVISIONAL`, with no bound or gap (nothing was solved).
    """
    chosen = np.asarray(sorted(int(j) for j in selected), dtype=np.int64)
    obj, covered, backup = model.evaluate(chosen)
    return Solution(selected=chosen, objective=obj, bound=math.nan, gap=math.nan, status=PROVISIONAL,
                    runtime_s=0.0, spent=float(costs[chosen].sum()), covered_weight=covered,
                    total_weight=float(model.w.sum()), backup_covered_weight=backup)
