"""The yearly rollout: the staged plan by year and site id, and the costs over time of a plan.

:func:`yearly_plan` solves the nested staged plan (:func:`camsite.optimize.staged_plan`:
stage ``k`` keeps the sites of the earlier stages and may spend the sum of the
first ``k`` stage budgets, counted as ``budget_sek`` is, see
:func:`camsite.costs.budget_cost`) and labels it for people: the stage's year,
the sites added by id, the incident coverage reached, and the stage year's
cash flows of the staged plan. :func:`costs_summary` gives ``Summary.costs``:
the yearly investment and operation of the one-shot plan (sites.csv, every
site installed in the start year) and, with stages, of the staged plan, and
says whether the last stage's sites differ from sites.csv. With
``[optimization.frames]`` the staged plan is the plan within the yearly
frames (:mod:`camsite.stages._frames`) and ``Summary.costs["frames"]`` gives
each year's investment, operation, frames and what is left of them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import cost_lines, costs, optimize, ranking
from camsite.config import Scenario, Stage
from camsite.optimize import Constraints, SolverOptions
from camsite.stages._frames import STAGE_TABLE_COLUMNS, frame_years, framed_yearly_plan
from camsite.stages._incident_curve import curve_incident_shares, incident_marginal_cost
from camsite.stages.instance import Instance
from camsite.stages.solve import for_instance

logger = logging.getLogger(__name__)

__all__ = ["STAGE_TABLE_COLUMNS", "costs_summary", "install_years", "with_install_years", "yearly_plan"]



def _indices(text: object) -> list[int]:
    return [int(v) for v in str(text).split(";") if v not in ("", "nan")]


def _type_arrays(scenario: Scenario, instance: Instance,
                 idx: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Capex, opex and lifetime of the candidates ``idx``; capex includes what their cost adds to the type's
    (a mounting point's own price, an exclusion penalty), so the yearly figures add up to sites.csv's costs."""
    opt = scenario.optimization
    types = instance.candidates["camera_type"].to_numpy()[idx]
    cams = [scenario.camera_type(str(t)) for t in types]
    capex = np.array([c.capex_sek for c in cams], dtype=np.float64)
    opex = np.array([c.opex_sek_per_year for c in cams], dtype=np.float64)
    life = np.array([c.lifetime_years or np.inf for c in cams], dtype=np.float64)
    rule = np.array([c.cost_sek(opt.horizon_years, opt.budget_applies_to) for c in cams], dtype=np.float64)
    extra = instance.costs[idx] - rule
    return capex + np.where(np.abs(extra) > 1e-6, extra, 0.0), opex, life


def yearly_plan(scenario: Scenario, instance: Instance, plan: Sequence[Stage], constraints: Constraints,
                solver: SolverOptions, *, backup_weight: float = 0.0) -> pd.DataFrame:
    """The nested staged plan by year (module docs): :data:`STAGE_TABLE_COLUMNS`, ``new_sites`` as site ids.

    With ``[optimization.frames]`` the plan within the yearly frames instead
    (:mod:`camsite.stages._frames`; ``plan`` may then be empty: any year of the horizon).
    """
    if scenario.optimization.frames is not None:
        every = np.arange(len(instance.candidates), dtype=np.int64)
        return framed_yearly_plan(scenario, instance, plan, constraints, solver,
                                  prices=_type_arrays(scenario, instance, every), backup_weight=backup_weight)
    rows = instance.rows
    table = optimize.staged_plan(rows.matrix, rows.weights, instance.costs,
                                 [s.budget_sek for s in plan], existing=rows.existing,
                                 constraints=constraints, solver=for_instance(instance, solver),
                                 backup_weight=backup_weight)
    first = scenario.optimization.first_year()
    site_ids = instance.candidates["site_id"].astype(str).to_numpy()
    incident = rows.for_points(instance.demand["kind"].isin(("incident", "point")).to_numpy())
    chosen: list[int] = []
    years: list[int] = []
    inc_pct: list[float | None] = []
    w = rows.weights * incident
    for stage, new in zip(plan, table["new_sites"], strict=True):
        added = _indices(new)
        chosen += added
        years += [stage.year - first] * len(added)
        mask = rows.covered(np.asarray(chosen, np.int64))
        inc_pct.append(round(ranking.coverage_pct(w, mask), 6) if w.sum() > 0 else None)
    idx = np.asarray(chosen, np.int64)
    flows = costs.cash_flows(*_type_arrays(scenario, instance, idx), years,
                             horizon_years=scenario.optimization.horizon_years)
    k = [s.year - first for s in plan]
    table_indices = table["new_sites"].tolist()
    table = table.assign(year=[s.year for s in plan], incident_coverage_pct=pd.Series(inc_pct, dtype=object),
                         investment_sek=np.round(flows.investment[k], 2), operation_sek=np.round(flows.operation[k], 2),
                         new_sites=[";".join(site_ids[i] for i in _indices(v)) for v in table["new_sites"]])
    out = table.loc[:, list(STAGE_TABLE_COLUMNS)]
    out.attrs["candidate_indices"] = [_indices(v) for v in table_indices]
    return out


def install_years(staged: pd.DataFrame) -> dict[str, int]:
    """Site id -> year it is installed in the staged plan.

    >>> install_years(pd.DataFrame({"year": [2027, 2028], "new_sites": ["a;b", "c"]}))
    {'a': 2027, 'b': 2027, 'c': 2028}
    """
    return {s: int(y) for y, new in zip(staged["year"], staged["new_sites"], strict=True)
            for s in str(new).split(";") if s not in ("", "nan")}


def with_install_years(sites: pd.DataFrame, staged: pd.DataFrame,
                       cost: Mapping[str, Any] | None) -> pd.DataFrame:
    """sites.csv's plan with ``install_year`` (the stage year of each site in the staged plan, empty when the
    staged plan does not have it); a warning when the last stage's sites differ from sites.csv's.

    ``cost`` is ``Summary.costs`` (:func:`costs_summary`), which says whether they differ.
    """
    when = install_years(staged)
    out = sites.assign(install_year=pd.Series([when.get(str(s)) for s in sites["site_id"]], index=sites.index,
                                              dtype=object))
    block = (cost or {}).get("staged") or {}
    if block.get("final_differs_from_sites"):
        logger.warning("the staged plan ends with other sites than sites.csv (the one-shot plan for the budget): "
                       "only in the staged plan %s; only in sites.csv %s; see stages.csv and summary.json 'costs'",
                       ", ".join(block["sites_only_in_staged_plan"]) or "none",
                       ", ".join(block["sites_only_in_one_shot_plan"]) or "none")
    return out


def _years(flows: costs.CashFlows, first: int) -> list[dict[str, Any]]:
    return [{"year": first + k, "investment_sek": round(float(flows.investment[k]), 2),
             "operation_sek": round(float(flows.operation[k]), 2), "cameras_installed": int(flows.installed[k]),
             "cameras_in_operation": int(flows.in_operation[k])} for k in range(len(flows.investment))]


def _block(flows: costs.CashFlows, first: int, rate: float) -> dict[str, Any]:
    return {"years": _years(flows, first), "total_sek": round(float(flows.total.sum()), 2),
            "present_value_sek": round(float(costs.present_value(flows.total, rate)), 2)}


def costs_summary(scenario: Scenario, instance: Instance, sites: pd.DataFrame,
                  staged: pd.DataFrame | None = None, *, curve: pd.DataFrame | None = None) -> dict[str, Any]:
    """``Summary.costs``: what the budget limits, and the yearly costs of the one-shot plan (and the staged one).

    The one-shot plan is sites.csv with every site installed in the start
    year. With stages, ``staged`` holds the staged plan's years, totals and
    present value, and ``final_differs_from_sites`` says (with the site ids on
    either side) whether the last stage's sites are sites.csv's. With the
    budget ``curve``, ``marginal_incident`` is the money per percentage point
    of incident coverage at the budget (:mod:`camsite.stages._incident_curve`).
    """
    opt = scenario.optimization
    first = opt.first_year()
    idx = sites["candidate_index"].to_numpy(np.int64)
    flows = costs.cash_flows(*_type_arrays(scenario, instance, idx), np.zeros(len(idx), np.int64),
                             horizon_years=opt.horizon_years)
    out: dict[str, Any] = {"budget_applies_to": opt.budget_applies_to, "start_year": first,
                           "horizon_years": opt.horizon_years, "discount_rate": opt.discount_rate,
                           **_block(flows, first, opt.discount_rate),
                           "lines": _lines(scenario, instance, idx, np.zeros(len(idx), np.int64)),
                           "marginal_incident": incident_marginal_cost(curve_incident_shares(instance, curve),
                                                                      opt.budget_sek)}
    if staged is None:
        return out
    when = install_years(staged)
    ids = instance.candidates["site_id"].astype(str).to_numpy()
    staged_idx = np.asarray([i for v in _staged_indices(staged) for i in v], np.int64)
    years = np.asarray([when[ids[i]] - first for i in staged_idx], np.int64)
    sflows = costs.cash_flows(*_type_arrays(scenario, instance, staged_idx), years, horizon_years=opt.horizon_years)
    one_shot = set(sites["site_id"].astype(str))
    only_staged, only_one_shot = sorted(set(when) - one_shot), sorted(one_shot - set(when))
    out["staged"] = {**_block(sflows, first, opt.discount_rate), "lines": _lines(scenario, instance, staged_idx, years),
                     "final_differs_from_sites": bool(only_staged or only_one_shot),
                     "sites_only_in_staged_plan": only_staged, "sites_only_in_one_shot_plan": only_one_shot,
                     "coverage_by_year": _coverage_by_year(instance, staged_idx, years + first,
                                                           [y["year"] for y in out["years"]])}
    if opt.frames is not None:
        out["frames"] = frame_years(out["staged"]["years"], opt.frames.limits(len(out["staged"]["years"])))
    return out


def _lines(scenario: Scenario, instance: Instance, idx: NDArray[np.int64],
           years: NDArray[np.int64]) -> dict[str, Any]:
    """The itemised annex (:func:`camsite.cost_lines.scenario_annex`) of the candidates ``idx`` installed in
    plan years ``years``; a site's cost beyond its type's lines is its ``site_extra`` line."""
    types = instance.candidates["camera_type"].astype(str).to_numpy()[idx]
    capex = _type_arrays(scenario, instance, idx)[0]
    base = np.array([scenario.camera_type(t).capex_sek for t in types], dtype=np.float64)
    return cost_lines.scenario_annex(scenario, list(types), years.tolist(), extra_sek=(capex - base).tolist())


def _coverage_by_year(instance: Instance, idx: NDArray[np.int64], install: NDArray[np.int64],
                      years: Sequence[int]) -> list[dict[str, Any]]:
    """Incident coverage and coverage per category (percent of the weight) reached by the end of each year."""
    demand, rows = instance.demand, instance.rows
    w = rows.weights
    incident = rows.for_points(demand["kind"].isin(("incident", "point")).to_numpy())
    cats = {c: rows.for_points(demand["category"].eq(c).to_numpy()) for c in sorted(demand["category"].unique())}

    def pct(mask: NDArray[np.bool_], group: NDArray[np.bool_]) -> float | None:
        total = float(w[group].sum())
        return round(100 * float(w[group & mask].sum()) / total, 3) if total > 0 else None

    out = []
    for year in years:
        mask = rows.covered(idx[install <= year])
        out.append({"year": int(year), "incident_pct": pct(mask, incident),
                    "by_category": {c: pct(mask, g) for c, g in cats.items()}})
    return out


def _staged_indices(staged: pd.DataFrame) -> list[list[int]]:
    """Candidate indices added per stage, as :func:`yearly_plan` keeps them (``attrs``)."""
    chosen = staged.attrs.get("candidate_indices")
    if chosen is not None:
        return [list(c) for c in chosen]
    raise ValueError("the staged table has no candidate indices (make it with yearly_plan)")
