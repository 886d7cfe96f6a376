"""The yearly plan within the city's frames (``[optimization.frames]``), as stages.csv's table.

:func:`framed_yearly_plan` replaces the nested staged plan when the scenario
gives frames. It solves :func:`camsite.optimize.framed_plan` exactly: every
site is installed in at most one year, each plan year's purchases (new cameras
and the replacements that fall due) stay within the investment frame and the
running cost of the cameras installed so far within the operation frame.

* With ``stages``, sites are installed in the stage years only and stage ``k``
  may spend the sum of the first ``k`` stage budgets (counted as ``budget_sek``
  is), as in the nested plan.
* Without stages, any plan year of the horizon may install sites and all of
  them together cost at most ``budget_sek``: a single-budget run with frames
  becomes a plan over the horizon years.

The objective keeps the staged plan's meaning, coverage: the final plan
covers as much as the frames allow, and among such plans the sites are
installed as early as they can be (:mod:`camsite.optimize._frames`). The
table has :data:`~camsite.stages.rollout.STAGE_TABLE_COLUMNS`, one row per
install year; ``optimum_coverage_pct`` and ``shortfall_pct`` are empty (one
plan is solved for all years at once, not stage by stage).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import costs, optimize, ranking
from camsite.config import Scenario, Stage
from camsite.optimize import Constraints, SolverOptions
from camsite.stages.instance import Instance
from camsite.stages.solve import for_instance

logger = logging.getLogger(__name__)

__all__ = ["STAGE_TABLE_COLUMNS", "frame_years", "framed_yearly_plan", "yearly_arrays"]

#: Columns of stages.csv, in order.
STAGE_TABLE_COLUMNS: tuple[str, ...] = (
    "stage", "year", "budget_sek", "cumulative_budget_sek", "spent_sek", "n_sites", "n_new_sites", "coverage_pct",
    "incident_coverage_pct", "backup_pct", "optimum_coverage_pct", "shortfall_pct", "investment_sek",
    "operation_sek", "status", "gap", "proven_optimal", "new_sites",
)


def yearly_arrays(capex: NDArray[np.float64], opex: NDArray[np.float64], life: NDArray[np.float64],
                  install: Sequence[int], horizon_years: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(investment, operation) of shape (sites, install years, plan years), as :func:`camsite.costs.cash_flows`
    counts a site installed in each plan year of ``install``.

    >>> inv, ope = yearly_arrays(np.array([100.0]), np.array([10.0]), np.array([2.0]), [0, 1], 3)
    >>> inv[0].tolist(), ope[0].tolist()
    ([[100.0, 0.0, 100.0], [0.0, 100.0, 0.0]], [[10.0, 10.0, 10.0], [0.0, 10.0, 10.0]])
    """
    n_t = costs.n_years(horizon_years)
    years = np.asarray(install, dtype=np.int64)
    running = (np.arange(n_t)[None, :] >= years[:, None]) * costs.year_shares(horizon_years)[None, :]
    inv = np.zeros((len(capex), len(years), n_t))
    for span in np.unique(life):
        buys = costs.purchases(years, np.full(len(years), span), horizon_years).astype(np.float64)
        hit = life == span
        inv[hit] = capex[hit, None, None] * buys[None, :, :]
    return inv, opex[:, None, None] * running[None, :, :]


def _install_years(scenario: Scenario, plan: Sequence[Stage]) -> tuple[list[int], list[tuple[int, float]]]:
    """Allowed install years (plan-year offsets) and the budget rows (last install year index, limit)."""
    opt = scenario.optimization
    if plan:
        first = opt.first_year()
        cum = np.cumsum([s.budget_sek for s in plan]).tolist()
        return [s.year - first for s in plan], [(k, float(b)) for k, b in enumerate(cum)]
    n = costs.n_years(opt.horizon_years)
    return list(range(n)), [(n - 1, float(opt.budget_sek))]


def framed_yearly_plan(scenario: Scenario, instance: Instance, plan: Sequence[Stage], constraints: Constraints,
                       solver: SolverOptions, *, prices: tuple[NDArray[np.float64], ...],
                       backup_weight: float = 0.0) -> pd.DataFrame:
    """The yearly plan within the frames (module docs): stages.csv's columns, ``new_sites`` as site ids.

    ``prices`` are every candidate's (capex, opex, lifetime), as the staged plan's cash flows count them.
    """
    opt = scenario.optimization
    if opt.frames is None:
        raise ValueError("the scenario has no [optimization.frames]")
    capex, opex, life = prices
    install, budgets = _install_years(scenario, plan)
    inv, ope = yearly_arrays(capex, opex, life, install, opt.horizon_years)
    inv_cap, ope_cap = opt.frames.limits(costs.n_years(opt.horizon_years))
    rows = instance.rows
    found = optimize.framed_plan(rows.matrix, rows.weights, instance.costs, inv, ope, investment_limits=inv_cap,
                                 operation_limits=ope_cap, budgets=budgets, existing=rows.existing,
                                 constraints=constraints, solver=for_instance(instance, solver),
                                 backup_weight=backup_weight)
    sol = found.solution
    if sol.status == "time_limit":
        logger.warning("the plan within the frames stopped at the time limit: gap %.4f%%", 100 * sol.gap)
    first = opt.first_year()
    site_ids = instance.candidates["site_id"].astype(str).to_numpy()
    incident = rows.for_points(instance.demand["kind"].isin(("incident", "point")).to_numpy())
    stage_budgets = [s.budget_sek for s in plan] if plan else [None] * len(install)
    out: list[dict[str, Any]] = []
    added: list[list[int]] = []
    for k, year in enumerate(install):
        new = sol.selected[found.install_year == k]
        idx = sol.selected[found.install_year <= k]
        added.append([int(i) for i in new])
        out.append(_row(k, first + year, stage_budgets[k], budgets, instance, idx, new, incident, sol, site_ids,
                        found, year))
    table = pd.DataFrame(out, columns=list(STAGE_TABLE_COLUMNS))
    table.attrs["candidate_indices"] = added
    return table


def _row(k: int, year: int, budget: float | None, budgets: Sequence[tuple[int, float]], instance: Instance,
         idx: NDArray[np.int64], new: NDArray[np.int64], incident: NDArray[np.bool_], sol: optimize.Solution,
         site_ids: NDArray[np.str_], found: optimize.FramedPlan, t: int) -> dict[str, Any]:
    rows = instance.rows
    mask = rows.covered(idx)
    w = rows.weights
    cum = budgets[k][1] if len(budgets) > 1 else budgets[0][1]
    return {"stage": k + 1, "year": year, "budget_sek": budget, "cumulative_budget_sek": cum,
            "spent_sek": float(instance.costs[idx].sum()), "n_sites": len(idx), "n_new_sites": len(new),
            "coverage_pct": round(ranking.coverage_pct(w, mask), 6),
            "incident_coverage_pct": round(ranking.coverage_pct(w * incident, mask), 6)
            if (w * incident).sum() > 0 else None,
            "backup_pct": None, "optimum_coverage_pct": None, "shortfall_pct": None,
            "investment_sek": round(float(found.investment[t]), 2), "operation_sek": round(float(found.operation[t]), 2),
            "status": sol.status, "gap": sol.gap, "proven_optimal": sol.status == "optimal",
            "new_sites": ";".join(site_ids[i] for i in new)}


def frame_years(years: Sequence[dict[str, Any]], limits: tuple[Sequence[float], Sequence[float]]) -> list[dict[str, Any]]:
    """``costs.frames``: each plan year's investment and operation, the frames and what is left of each.

    ``years`` are ``costs.staged.years`` (or ``costs.years``); an absent frame is ``None`` and leaves ``None``.

    >>> frame_years([{"year": 2027, "investment_sek": 100.0, "operation_sek": 10.0}], ([150.0], [float("inf")]))
    [{'year': 2027, 'investment_sek': 100.0, 'investment_frame_sek': 150.0, 'investment_left_sek': 50.0, \
'operation_sek': 10.0, 'operation_frame_sek': None, 'operation_left_sek': None}]
    """
    out = []
    for k, y in enumerate(years):
        row: dict[str, Any] = {"year": y["year"]}
        for name, cap in (("investment", limits[0][k]), ("operation", limits[1][k])):
            spent = float(y[f"{name}_sek"])
            row[f"{name}_sek"] = spent
            row[f"{name}_frame_sek"] = float(cap) if np.isfinite(cap) else None
            row[f"{name}_left_sek"] = round(float(cap) - spent, 2) if np.isfinite(cap) else None
        out.append(row)
    return out
