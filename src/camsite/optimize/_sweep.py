"""Budget sweeps, the knee of the coverage-budget curve, and nested staged plans.

Knee rule
---------
Budgets and coverage are scaled to [0, 1] over the curve; the knee is the point
farthest (perpendicular distance) *above* the chord from the first to the last
point, the "Kneedle" rule of Satopää et al. (2011). Beyond it each extra krona
buys less coverage than the curve's average rate. Ties go to the lower budget.
No knee is reported for fewer than three points or a flat curve.

>>> import pandas as pd
>>> knee(pd.DataFrame({"budget_sek": [0, 1, 2, 3, 4], "coverage_pct": [0, 60, 80, 90, 95]}))["budget_sek"]
1.0
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from camsite.optimize._api import make_model
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["budget_sweep", "knee", "staged_plan", "CURVE_COLUMNS", "STAGE_COLUMNS"]

#: Columns of :func:`budget_sweep`'s table.
CURVE_COLUMNS = ("budget_sek", "spent_sek", "n_sites", "coverage_pct", "backup_pct", "objective", "bound",
                 "status", "gap", "sites")
#: Columns of :func:`staged_plan`'s table.
STAGE_COLUMNS = ("stage", "budget_sek", "cumulative_budget_sek", "spent_sek", "n_sites", "n_new_sites",
                 "coverage_pct", "backup_pct", "optimum_coverage_pct", "shortfall_pct", "status", "gap",
                 "new_sites")


def _join(idx: Iterable[int]) -> str:
    return ";".join(str(int(i)) for i in idx)


def budget_sweep(coverage: Any, weights: Any, costs: Any, budgets: Iterable[float], *, existing: Any = None,
                 solver: str = "highs", time_limit: float | None = None, backup_weight: float = 0.0,
                 greedy: bool = False, lp_bound: bool = False, **side: Any) -> pd.DataFrame:
    """The exact coverage-budget curve: one :func:`max_coverage` solve per budget.

    The instance is reduced and the model built once; budgets are solved in
    ascending order, each warm-started from the previous optimum (feasible, since
    the budget only grows). ``time_limit`` applies to each budget. ``side`` takes
    the side-constraint keywords of :func:`max_coverage`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CURVE_COLUMNS`, one row per budget; ``sites`` lists the
        chosen site indices separated by ``;``. No timings, so the table is the
        same on every run.
    """
    model = make_model(coverage, weights, costs, existing=existing, backup_weight=backup_weight, **side)
    rows, prev = [], None
    for b in sorted(set(float(v) for v in budgets)):
        sol = model.solve(b, solver=solver, time_limit=time_limit, start=prev, greedy=greedy, lp_bound=lp_bound)
        if sol.status != "infeasible":
            prev = sol.selected
        rows.append(_curve_row(b, sol))
        logger.info("budget %.0f: %s, coverage %.3f%%", b, sol.status, sol.coverage_pct)
    return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))


def _curve_row(budget: float, sol: Solution) -> dict[str, Any]:
    return {"budget_sek": budget, "spent_sek": sol.spent, "n_sites": sol.n_sites,
            "coverage_pct": round(sol.coverage_pct, 6), "backup_pct": round(sol.backup_pct, 6),
            "objective": sol.objective, "bound": sol.bound, "status": sol.status, "gap": sol.gap,
            "sites": _join(sol.selected)}


def knee(curve: pd.DataFrame, *, x: str = "budget_sek", y: str = "coverage_pct") -> dict[str, Any] | None:
    """The knee of a coverage-budget curve (module docs), as a dict, or None."""
    df = curve[curve.get("status", pd.Series("optimal", index=curve.index)) != "infeasible"]
    df = df.sort_values(x, kind="stable")
    if len(df) < 3:
        return None
    xs, ys = df[x].to_numpy(float), df[y].to_numpy(float)
    dx, dy = xs[-1] - xs[0], ys[-1] - ys[0]
    if dx <= 0 or dy <= 0:
        return None
    xn, yn = (xs - xs[0]) / dx, (ys - ys[0]) / dy
    dist = (yn - xn) / np.sqrt(2.0)
    k = int(np.argmax(dist))
    if dist[k] <= 0:
        return None
    row = df.iloc[k]
    out = {"budget_sek": float(row[x]), y: float(row[y]), "distance": round(float(dist[k]), 6),
           "rule": "max distance above the chord from first to last point (budget, coverage scaled to [0, 1])"}
    for col in ("n_sites", "spent_sek"):
        if col in df:
            out[col] = row[col].item() if hasattr(row[col], "item") else row[col]
    return out


def staged_plan(coverage: Any, weights: Any, costs: Any, stage_budgets: Sequence[float], *, existing: Any = None,
                solver: str = "highs", time_limit: float | None = None, backup_weight: float = 0.0,
                forced: Any = None, **side: Any) -> pd.DataFrame:
    """A nested rollout: stage ``k`` spends up to the sum of the first ``k`` budgets and keeps stage ``k-1``'s sites.

    Each stage is solved exactly with the earlier stages' sites forced; its
    coverage is compared with the unconstrained optimum for the same cumulative
    budget (``shortfall_pct``: percentage points lost by nesting).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STAGE_COLUMNS`, one row per stage; ``new_sites`` lists the
        site indices added in that stage separated by ``;``.
    """
    n_sites = coverage.shape[1]
    base = np.zeros(n_sites, dtype=bool)
    if forced is not None:
        f = np.asarray(forced)
        base[f if f.dtype == bool else f.astype(np.int64)] = True
    free = make_model(coverage, weights, costs, existing=existing, backup_weight=backup_weight, forced=base, **side)
    rows, prev, cum = [], np.zeros(0, dtype=np.int64), 0.0
    for k, b in enumerate(stage_budgets, start=1):
        cum += float(b)
        best = free.solve(cum, solver=solver, time_limit=time_limit, greedy=False, lp_bound=False)
        force = base.copy()
        force[prev] = True
        model = make_model(coverage, weights, costs, existing=existing, backup_weight=backup_weight, forced=force,
                           **side)
        sol = model.solve(cum, solver=solver, time_limit=time_limit, greedy=False, lp_bound=False,
                          start=prev if len(prev) else None)
        new = np.setdiff1d(sol.selected, prev)
        rows.append({"stage": k, "budget_sek": float(b), "cumulative_budget_sek": cum, "spent_sek": sol.spent,
                     "n_sites": sol.n_sites, "n_new_sites": int(len(new)), "coverage_pct": round(sol.coverage_pct, 6),
                     "backup_pct": round(sol.backup_pct, 6), "optimum_coverage_pct": round(best.coverage_pct, 6),
                     "shortfall_pct": round(best.coverage_pct - sol.coverage_pct, 6), "status": sol.status,
                     "gap": sol.gap, "new_sites": _join(new)})
        if sol.status != "infeasible":
            prev = sol.selected
    return pd.DataFrame(rows, columns=list(STAGE_COLUMNS))
