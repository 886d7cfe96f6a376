"""The privacy rule on plan-level figures: no two published plans differ by fewer than 3 distinct events.

A run publishes the coverage of many plans: before (the existing cameras),
the plan (the headline), the ranked sites' running totals, every budget-curve
point (budget_curve.csv, budget_curve.png, the report, the workbook), the
cheapest plans for 25/50/75 % (min_budgets.csv) and every stage of a staged
plan (stages.csv). The difference of two such figures is the coverage of what
one plan sees and the other does not: when that rests on one or two events,
subtracting two published percentages gives back a figure of one or two events,
exactly the count the rule hides.

The rule: two plans *differ on* the named events whose seen incident weight
differs between them (samples that stand for several events at once count as
none). Before, the plan and the running totals shown are published first; then
every curve point (cheapest first), target point and stage is published only
when it differs from every plan already published on no event at all or on at
least 3 distinct events; otherwise its coverage figures (``coverage_pct``,
``incident_pct``, ``plan_incident_pct``, ``backup_pct``, ``objective``,
``bound``; a stage's coverage, optimum and shortfall) are blank, with the
curve's knee and the money per percentage point when they rest on it. Budgets,
costs, sites, status and gap stay: they are no incident figures.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray

from camsite.evidence import demand_events

if TYPE_CHECKING:
    from camsite.result import RunResult
    from camsite.stages import Instance

logger = logging.getLogger(__name__)

__all__ = ["CURVE_FIGURES", "STAGE_FIGURES", "TARGET_FIGURES", "hide_plans", "plan_events", "unsafe_pair"]

#: budget_curve.csv's figures of a plan's coverage: blank together when the plan is not published.
CURVE_FIGURES = ("coverage_pct", "incident_pct", "plan_incident_pct", "backup_pct", "objective", "bound")
#: stages.csv's figures of a stage's coverage.
STAGE_FIGURES = ("coverage_pct", "incident_coverage_pct", "backup_pct", "optimum_coverage_pct", "shortfall_pct")
#: min_budgets.csv's figures of a target point's coverage.
TARGET_FIGURES = ("incident_pct", "footfall_pct", "coverage_pct")

_EPS = 1e-9


class _Plans:
    """Seen incident weight per named event (and of the unnamed samples together) of any plan of ``instance``."""

    def __init__(self, instance: Instance) -> None:
        self.rows = instance.rows
        demand = instance.demand
        inc = demand["kind"].isin(("incident", "point")).to_numpy()
        events = np.where(inc, demand_events(demand), "").astype(str)
        labels, code = np.unique(events, return_inverse=True)
        self.labels = labels
        self.code = np.where(inc, code.ravel(), -1)[self.rows.point]
        self.index = {v: i for i, v in enumerate(instance.candidates["variant"].astype(str))}

    def value(self, cols: npt.ArrayLike) -> NDArray[np.float64]:
        covered = self.rows.covered(np.asarray(cols, np.int64).ravel())
        keep = covered & (self.code >= 0)
        return np.bincount(self.code[keep], weights=self.rows.weights[keep], minlength=len(self.labels)).astype(float)

    def of_labels(self, text: object) -> NDArray[np.float64]:
        return self.value([self.index[s] for s in str(text or "").split(";") if s in self.index])


def plan_events(a: NDArray[np.float64], b: NDArray[np.float64], labels: NDArray[Any]) -> tuple[int, bool]:
    """(named events the two plans differ on, whether the unnamed samples differ)."""
    diff = np.abs(a - b) > _EPS
    named = labels != ""
    return int((diff & named).sum()), bool((diff & ~named).any())


def unsafe_pair(n_events: int, unnamed: bool, min_count: int) -> bool:
    """True when a difference on ``n_events`` named events (and ``unnamed`` samples) would give back a figure
    of fewer than ``min_count`` events.

    >>> unsafe_pair(0, False, 3), unsafe_pair(2, False, 3), unsafe_pair(0, True, 3), unsafe_pair(3, True, 3)
    (False, True, True, False)
    """
    return (n_events > 0 or unnamed) and n_events < min_count


class _Publisher:
    def __init__(self, plans: _Plans, min_count: int) -> None:
        self.plans, self.min_count = plans, min_count
        self.kept: list[NDArray[np.float64]] = []

    def fix(self, value: NDArray[np.float64]) -> None:
        self.kept.append(value)

    def offer(self, value: NDArray[np.float64]) -> bool:
        if any(unsafe_pair(*plan_events(value, k, self.plans.labels), self.min_count) for k in self.kept):
            return False
        self.kept.append(value)
        return True


def _blank(frame: pd.DataFrame, mask: NDArray[np.bool_], columns: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].astype(float).where(~mask, np.nan)
    return out


def _curve(pub: _Publisher, curve: pd.DataFrame) -> tuple[pd.DataFrame, set[float]]:
    order = np.argsort(curve["budget_sek"].to_numpy(float), kind="stable")
    hidden = np.zeros(len(curve), bool)
    for k in order:
        hidden[k] = not pub.offer(pub.plans.of_labels(curve["sites"].iloc[k]))
    out = _blank(curve, hidden, CURVE_FIGURES)
    if "incident_carried_from_sek" in out:  # a carried share is the cheaper plan's: blank with it
        gone = set(curve["budget_sek"].to_numpy(float)[hidden])
        carried = out["incident_carried_from_sek"].astype(float).to_numpy()
        out["incident_pct"] = out["incident_pct"].where(~np.isin(carried, list(gone)), np.nan)
    return out, set(curve["budget_sek"].to_numpy(float)[hidden])


def _stages(pub: _Publisher, stages: pd.DataFrame) -> pd.DataFrame:
    chosen = stages.attrs.get("candidate_indices")
    if chosen is None:  # the plan of each stage is unknown: publish no stage coverage
        return _blank(stages, np.ones(len(stages), bool), STAGE_FIGURES)
    hidden = np.zeros(len(stages), bool)
    cols: list[int] = []
    for k, added in enumerate(chosen):
        cols += [int(c) for c in added]
        hidden[k] = not pub.offer(pub.plans.value(cols))
    out = _blank(stages, hidden, STAGE_FIGURES)
    out.attrs = dict(stages.attrs)
    return out


def _targets(pub: _Publisher, points: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    out = []
    for p in points:
        if p.get("incident_pct") is None or ("variants" in p and pub.offer(pub.plans.of_labels(p["variants"]))):
            out.append(p)
        else:
            out.append({**p, **dict.fromkeys(TARGET_FIGURES)})
    return tuple(out)


def _costs(costs: Mapping[str, Any] | None, gone: set[float]) -> Mapping[str, Any] | None:
    m = (costs or {}).get("marginal_incident")
    if not m or not ({float(m["from_budget_sek"]), float(m["to_budget_sek"])} & gone):
        return costs
    return {**(costs or {}), "marginal_incident": None}


def _knee(knee: Mapping[str, Any] | None, gone: set[float]) -> Mapping[str, Any] | None:
    if not knee or float(knee.get("budget_sek", np.nan)) not in gone:
        return knee
    return {k: (None if k.endswith("_pct") else v) for k, v in knee.items()}


def hide_plans(result: RunResult, *, min_count: int) -> RunResult:
    """``result`` with the plan-level figures of the module docstring blank where they would give back a figure
    of fewer than ``min_count`` events (``result.sites`` already under the site rule)."""
    if min_count <= 0:
        return result
    plans = _Plans(result.instance)
    pub = _Publisher(plans, min_count)
    pub.fix(plans.value([]))
    pub.fix(plans.value(result.solution.selected))
    sites = result.sites
    if "candidate_index" in sites and "cumulative_coverage_pct" in sites:
        shown = sites["cumulative_coverage_pct"].notna().to_numpy()
        order = sites["candidate_index"].to_numpy(int)
        for k in np.flatnonzero(shown):
            pub.fix(plans.value(order[:k + 1]))
    curve, gone = result.budget_curve, set[float]()
    if curve is not None and "sites" in curve:  # a curve without its plans (made by hand) is left as it is
        curve, gone = _curve(pub, curve)
    s = result.summary
    targets = _targets(pub, s.target_points)
    stages = None if result.stages is None else _stages(pub, result.stages)
    if gone:
        logger.info("%d budget-curve point(s) show no coverage: they differ from another published plan by "
                    "fewer than %d events", len(gone), min_count)
    summary = dataclasses.replace(s, target_points=targets, costs=_costs(s.costs, gone),
                                  budget_curve_knee=_knee(s.budget_curve_knee, gone))
    return dataclasses.replace(result, budget_curve=curve, stages=stages, summary=summary)
