"""The city's view: districts (``[[districts]]``) sharing one budget, solved as one exact plan.

* :func:`city_districts`: which district each candidate variant and each demand
  point lies in (:mod:`camsite.districts`); a candidate in no district is not
  allowed (logged with its count).
* :meth:`CityDistricts.constrain`: the side constraints with one spending row
  per district, ``min_sek <= sum_{j in d} c_j x_j <= max_sek`` (``c_j`` the
  variant's cost as the budget counts it), in the same exact model as the budget.
* :func:`district_rows`: per district the sites, the spend, the incidents and
  travellers seen before and after, and the marginal gain (below).
* :func:`curve_by_district`: each budget-curve plan's spend and sites per district.

**Marginal gain.** What district ``d``'s next money buys at the city optimum
``x*`` (district spends ``s*``) is defined by one more exact solve: the city
budget raised by a step ``D``, district ``d`` allowed to spend up to
``s*_d + D`` (its own ``max_sek`` set aside: the question is what more money
would buy), every other district held to at most what it spends now ``s*_e``
(it may rearrange its sites within that), minimums kept. The marginal gain is
the incidents that plan sees minus those ``x*`` sees, city-wide, per 100 kSEK:
``(incidents(x_d) - incidents(x*)) * 100,000 / D``. The step ``D`` is 100 kSEK,
or the dearest allowed camera when that costs more (cameras come whole: a
step smaller than one camera would often buy nothing and say little). An LP
dual of the district's row would be cheaper but is not a property of the
integer plan (it prices fractions of cameras), so camsite re-solves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import optimize
from camsite.config import District, OptimizationConfig, Scenario
from camsite.districts import assign, district_areas
from camsite.evidence import demand_events
from camsite.optimize import Constraints, Solution, SolverOptions, Spend
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance
from camsite.stages.solve import constraints_for, for_instance, solver_options
from camsite.stages.summary import coverage_breakdown, kind_masks

logger = logging.getLogger(__name__)

__all__ = ["DISTRICT_CURVE_COLUMNS", "MARGINAL_PER_SEK", "CityDistricts", "DistrictRow", "PendingGains",
           "city_districts", "city_figures", "city_gains", "curve_by_district", "curve_notes", "district_rows", "marginal_gains",
           "plan_constraints", "start_gains", "wants_gains"]

#: The marginal gain is given per this many SEK.
MARGINAL_PER_SEK = 100_000.0
#: Columns of :func:`curve_by_district`'s table.
DISTRICT_CURVE_COLUMNS = ("budget_sek", "district", "label", "spent_sek", "n_sites", "share_of_spent_pct", "status")

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class CityDistricts:
    """The scenario's districts and the district of each candidate variant and demand point (``-1``: none)."""

    districts: tuple[District, ...]
    candidate: IntArray
    demand: IntArray

    @property
    def names(self) -> list[str]:
        """The district ids, in the scenario's order."""
        return [d.name for d in self.districts]

    def spend(self, costs: NDArray[np.float64], *, upper: NDArray[np.float64] | None = None) -> Spend:
        """The districts as spending groups over the candidates (``upper``: other maxima than the scenario's)."""
        hi = np.array([d.upper_sek for d in self.districts]) if upper is None else upper
        return Spend(group=self.candidate, cost=costs, lower=[d.min_sek for d in self.districts], upper=hi)

    def constrain(self, constraints: Constraints, costs: NDArray[np.float64], *,
                  upper: NDArray[np.float64] | None = None) -> Constraints:
        """``constraints`` with one spending row per district and the candidates in no district forbidden."""
        return constraints.with_spend(self.spend(costs, upper=upper),
                                      forbidden=constraints.forbidden | (self.candidate < 0))


def city_districts(scenario: Scenario, inputs: Inputs, instance: Instance) -> CityDistricts | None:
    """The districts of a scenario with ``[[districts]]`` (None without); raises
    :class:`~camsite.errors.InputError` naming ``districts[i].stadsdelar`` for an unknown stadsdel."""
    if not scenario.districts:
        return None
    areas = district_areas(scenario.districts, inputs.districts, file=scenario.source_file)
    cand = assign(instance.candidates.geometry, areas)
    outside = int((cand < 0).sum())
    if outside:
        logger.info("%d of %d candidate variants lie in no district of [[districts]]: not allowed", outside,
                    len(cand))
    return CityDistricts(districts=areas.districts, candidate=cand, demand=assign(instance.demand.geometry, areas))


def plan_constraints(scenario: Scenario, inputs: Inputs, instance: Instance, *,
                     opt: OptimizationConfig | None = None, city: CityDistricts | None = None) -> Constraints:
    """The side constraints every command solves a scenario's plans with (run, robustness, serve, batch).

    :func:`~camsite.stages.constraints_for` over ``opt`` (default: the
    scenario's ``[optimization]``; serve passes its request's forced and
    forbidden sites) and, with ``[[districts]]``, one spending row per district
    and the candidates in no district forbidden (:meth:`CityDistricts.constrain`,
    with the instance's costs). ``city``: the districts when already placed
    (:func:`city_districts`), else placed here.
    """
    cons = constraints_for(instance, opt or scenario.optimization)
    if city is None:
        city = city_districts(scenario, inputs, instance)
    return cons if city is None else city.constrain(cons, instance.costs)


@dataclass(frozen=True)
class Marginal:
    """What a district's next money buys (module docs): the step, the incidents gained, the solve's status."""

    step_sek: float
    incidents: float
    status: str
    #: Distinct events whose expected coverage the step changes (the privacy rule shows the gain from 3).
    events: int = 0


@dataclass(frozen=True)
class DistrictRow:
    """One district's part of the city plan (summary.json ``districts``, districts.csv).

    Incident counts are expected incidents seen (graded: weighted by the best
    level's value); ``name`` is "" for the demand outside every district.
    """

    name: str
    label: str
    min_sek: float | None
    max_sek: float | None
    n_sites: int
    spent_sek: float
    weight_total: float | None
    incidents_total: float | None
    incidents_before: float | None
    incidents_after: float | None
    incident_before_pct: float | None
    incident_after_pct: float | None
    footfall_before_pct: float | None
    footfall_after_pct: float | None
    marginal_step_sek: float | None = None
    marginal_incidents: float | None = None
    marginal_incidents_per_100k: float | None = None
    marginal_incident_pct_per_100k: float | None = None
    marginal_status: str | None = None
    marginal_events: int | None = None


def _gain_over(instance: Instance, base_share: NDArray[np.float64], selected: NDArray[np.int64]
               ) -> tuple[float, int]:
    """What the plan ``selected`` sees beyond the plan whose per-point share is ``base_share``: the incidents
    gained, and how many distinct events (the demand's ``event``) it sees differently."""
    mask = kind_masks(instance.demand).get("incident")
    if mask is None:
        return 0.0, 0
    diff = (instance.rows.point_share(selected) - base_share)[mask]
    gain = float(instance.demand["incidents"].to_numpy(float)[mask] @ diff)
    return gain, len({e for e in demand_events(instance.demand)[mask][np.abs(diff) > 1e-12] if e})


def _gain_variants(city: CityDistricts, instance: Instance, constraints: Constraints, solution: Solution, *,
                   budget_sek: float) -> tuple[float, list[optimize.Variant]]:
    """The step and one solve per district (module docs): the city budget and that district's spending raised by
    the step, every other district held to its spend, started from the city optimum (it fits)."""
    costs = instance.costs
    allowed = ~constraints.forbidden
    step = max(MARGINAL_PER_SEK, float(costs[allowed].max()) if allowed.any() else 0.0)
    spent = constraints.spend_of(solution.selected)
    out = []
    for k in range(len(city.districts)):
        upper = spent.copy()
        upper[k] += step
        cons = city.constrain(constraints, costs, upper=upper * (1 + 1e-12))
        out.append(optimize.Variant(budget=budget_sek + step, constraints=cons, start=solution.selected))
    return step, out


@dataclass
class PendingGains:
    """The districts' marginal-gain solves running (:func:`start_gains`); :meth:`result` waits for them."""

    city: CityDistricts
    instance: Instance
    base_share: NDArray[np.float64]  # the city optimum's share of each demand point seen
    step: float
    solves: optimize.PendingSolves

    def result(self) -> dict[str, Marginal]:
        """District name -> :class:`Marginal`."""
        out: dict[str, Marginal] = {}
        for d, sol in zip(self.city.districts, self.solves.result(), strict=True):
            gain, events = _gain_over(self.instance, self.base_share, sol.selected) \
                if sol.status != "infeasible" else (float("nan"), 0)
            logger.debug("district %s: the next %.0f SEK see %.3f incidents more, %d events (%s)", d.name, self.step,
                         gain, events, sol.status)
            out[d.name] = Marginal(step_sek=self.step, incidents=gain, status=sol.status, events=events)
        return out


def start_gains(city: CityDistricts, instance: Instance, constraints: Constraints, solution: Solution,
                solver: SolverOptions, *, budget_sek: float, backup_weight: float = 0.0,
                curve: optimize.PendingCurve | None = None, executor: optimize.TaskMap | None = None
                ) -> PendingGains:
    """The districts' marginal-gain solves started: on the budget curve's workers (``curve``, after its budgets),
    else as ``executor``'s tasks (e.g. a Dask cluster's), else in this process when the result is asked for.

    The solves, and so the gains, are the same wherever they run: each is one exact solve from the city optimum.
    """
    step, variants = _gain_variants(city, instance, constraints, solution, budget_sek=budget_sek)
    solver = for_instance(instance, solver)
    if curve is not None:
        solves = curve.solve_also(variants, solver)
    else:
        rows = instance.rows
        solves = optimize.start_variants(rows.matrix, rows.weights, instance.costs, variants, existing=rows.existing,
                                         backup_weight=backup_weight, solver=solver, executor=executor)
    return PendingGains(city=city, instance=instance, base_share=instance.rows.point_share(solution.selected),
                        step=step, solves=solves)


def marginal_gains(city: CityDistricts, instance: Instance, constraints: Constraints, solution: Solution,
                   solver: SolverOptions, *, budget_sek: float, backup_weight: float = 0.0) -> dict[str, Marginal]:
    """Each district's marginal gain at the city optimum ``solution`` (module docs), by one exact solve each, in
    this process (:func:`start_gains` runs them on workers).

    ``constraints`` are the city's (with the districts' rows, :meth:`CityDistricts.constrain`).
    """
    return start_gains(city, instance, constraints, solution, solver, budget_sek=budget_sek,
                       backup_weight=backup_weight).result()


def _row(name: str, label: str, district: District | None, sel: NDArray[np.int64], instance: Instance,
         masks: dict[str, NDArray[np.bool_]], shares: tuple[NDArray[np.float64], NDArray[np.float64]]) -> DistrictRow:
    ex, after = shares
    demand = instance.demand
    inc = coverage_breakdown(demand, ex, after, {name: masks["incident"]}, None)[0] if "incident" in masks else None
    foot = coverage_breakdown(demand, ex, after, {name: masks["footfall"]}, None)[0] if "footfall" in masks else None
    return DistrictRow(
        name=name, label=label, min_sek=None if district is None else district.min_sek,
        max_sek=None if district is None else district.max_sek,
        n_sites=int(instance.candidates["site_id"].iloc[sel].nunique()),
        spent_sek=round(float(instance.costs[sel].sum()), 2),
        weight_total=None if inc is None else inc.weight_total,
        incidents_total=None if inc is None else inc.incidents_total,
        incidents_before=None if inc is None else inc.incidents_before,
        incidents_after=None if inc is None else inc.incidents_after,
        incident_before_pct=None if inc is None else inc.before_pct,
        incident_after_pct=None if inc is None else inc.after_pct,
        footfall_before_pct=None if foot is None else foot.before_pct,
        footfall_after_pct=None if foot is None else foot.after_pct)


def district_rows(city: CityDistricts, instance: Instance, selected: NDArray[np.int64], *,
                  marginals: dict[str, Marginal] | None = None, outside_label: str = "") -> tuple[DistrictRow, ...]:
    """One row per district (and one named "" for demand outside every district, when there is any).

    The rows' spend, sites and incidents add up to the plan's: every chosen
    site lies in a district, every demand point in one district or outside.
    """
    sel = np.asarray(selected, dtype=np.int64)
    shares = (instance.rows.point_share([]), instance.rows.point_share(sel))
    kinds = kind_masks(instance.demand)
    total_inc = float(instance.demand["incidents"].to_numpy(float)[kinds["incident"]].sum()) \
        if "incident" in kinds else 0.0
    rows = []
    for k, d in enumerate(city.districts):
        masks = {kind: m & (city.demand == k) for kind, m in kinds.items()}
        row = _row(d.name, d.display, d, sel[city.candidate[sel] == k], instance, masks, shares)
        m = (marginals or {}).get(d.name)
        if m is not None:
            per = m.incidents * MARGINAL_PER_SEK / m.step_sek
            row = replace(row, marginal_step_sek=m.step_sek, marginal_incidents=round(m.incidents, 3),
                          marginal_incidents_per_100k=round(per, 3), marginal_status=m.status,
                          marginal_events=m.events,
                          marginal_incident_pct_per_100k=round(100 * per / total_inc, 4) if total_inc > 0 else None)
        rows.append(row)
    if (city.demand < 0).any():
        masks = {kind: m & (city.demand < 0) for kind, m in kinds.items()}
        rows.append(_row("", outside_label, None, sel[city.candidate[sel] < 0], instance, masks, shares))
    return tuple(rows)


def curve_notes(scenario: Scenario, curve: pd.DataFrame) -> pd.DataFrame:
    """``curve`` with a ``note`` column after ``status`` saying why a point is infeasible (with ``[[districts]]``
    or an infeasible point; else unchanged), and one warning naming those budgets.

    A budget below the sum of the districts' ``min_sek`` is "infeasible: below the districts' minimums (X SEK)";
    any other infeasible point cannot meet the side constraints (forced sites, minimums) within its budget.
    """
    if "status" not in curve:
        return curve
    bad = curve["status"].astype(str).to_numpy() == "infeasible"
    if not scenario.districts and not bad.any():
        return curve
    floor = float(sum(d.min_sek for d in scenario.districts))
    budget = curve["budget_sek"].to_numpy(float)
    below = bad & (budget < floor * (1 - 1e-12))
    notes = np.where(below, f"infeasible: below the districts' minimums ({floor:.0f} SEK)",
                     np.where(bad, "infeasible: the side constraints cannot be met within this budget", ""))
    out = curve.drop(columns=["note"], errors="ignore")
    out.insert(list(out.columns).index("status") + 1, "note", notes.astype(object))
    if bad.any():
        what = f"below the districts' minimums ({floor:.0f} SEK)" if below[bad].all() else \
            "the side constraints cannot be met within the budget (see the note column)"
        logger.warning("%d of %d budget-curve points are infeasible: %s; budget_sek %s", int(bad.sum()), len(out),
                       what, ", ".join(f"{b:.0f}" for b in budget[bad]))
    return out


def curve_by_district(city: CityDistricts, instance: Instance, curve: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each budget-curve plan's spend and sites per district (:data:`DISTRICT_CURVE_COLUMNS`), from its
    ``sites`` column (variant labels separated by ``;``)."""
    if curve is None:
        return None
    index = {str(v): i for i, v in enumerate(instance.candidates["variant"])}
    sid = instance.candidates["site_id"].to_numpy(object)
    out = []
    for row in curve.itertuples(index=False):
        text = str(getattr(row, "sites", "") or "")
        sel = np.array([index[s] for s in text.split(";") if s in index], dtype=np.int64)
        total = float(instance.costs[sel].sum())
        for k, d in enumerate(city.districts):
            mine = sel[city.candidate[sel] == k]
            spent = float(instance.costs[mine].sum())
            out.append({"budget_sek": float(str(row.budget_sek)), "district": d.name, "label": d.display,
                        "spent_sek": round(spent, 2), "n_sites": len(set(sid[mine])),
                        "share_of_spent_pct": round(100 * spent / total, 3) if total > 0 else 0.0,
                        "status": row.status})
    return pd.DataFrame(out, columns=list(DISTRICT_CURVE_COLUMNS))


def wants_gains(scenario: Scenario, city: CityDistricts | None, solution: Solution) -> bool:
    """Whether a run's districts get their marginal gains: a most-coverage plan the solver found."""
    return city is not None and scenario.optimization.objective == "max_coverage" and \
        solution.status in ("optimal", "time_limit")


def city_gains(scenario: Scenario, city: CityDistricts | None, instance: Instance, constraints: Constraints,
               solution: Solution, *, curve: optimize.PendingCurve | None = None,
               executor: optimize.TaskMap | None = None) -> PendingGains | None:
    """A run's marginal-gain solves started (:func:`start_gains`; None when the run has none,
    :func:`wants_gains`): hand them to :func:`city_figures`."""
    if city is None or not wants_gains(scenario, city, solution):
        return None
    opt = scenario.optimization
    return start_gains(city, instance, constraints, solution, solver_options(opt), budget_sek=opt.budget_sek,
                       backup_weight=opt.backup_weight, curve=curve, executor=executor)


def city_figures(scenario: Scenario, city: CityDistricts | None, instance: Instance, constraints: Constraints,
                 solution: Solution, curve: pd.DataFrame | None, *, outside_label: str = "",
                 gains: PendingGains | None = None) -> tuple[tuple[DistrictRow, ...], pd.DataFrame | None]:
    """The per-district rows of a run's plan (with the marginal gains when the plan is the most coverage for the
    budget: from ``gains`` when started, :func:`city_gains`, else solved here) and its budget curve per
    district; nothing without ``[[districts]]``."""
    if city is None:
        return (), None
    if gains is None:
        gains = city_gains(scenario, city, instance, constraints, solution)
    marginals = None if gains is None else gains.result()
    rows = district_rows(city, instance, solution.selected, marginals=marginals, outside_label=outside_label)
    return rows, curve_by_district(city, instance, curve)
