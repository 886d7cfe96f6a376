"""The question a run answers: the most coverage for a budget, or the cheapest plan reaching targets.

``[optimization] objective = "min_cost"`` asks for the cheapest plan that
covers (existing cameras included):

* ``target_incident_share`` of the incident weight (demand kinds ``incident``
  and ``point``, :func:`~camsite.stages.summary.kind_masks`);
* for each category of ``target_category_shares``, that share of the category's
  incident weight;
* with ``hotspots = "subareas"``, in each sub-area, and with ``"clusters"``, in
  each *incident cluster*, the target share of its incident weight (every
  coverable incident point in it when no ``target_incident_share`` is given).
  An incident cluster is a :data:`CLUSTER_CELL_M` m grid cell (SWEREF 99
  coordinates floored to the cell size, as the uncoverable places are grouped)
  whose incident demand holds at least :data:`CLUSTER_MIN_INCIDENTS` incidents:
  few enough cells to state one requirement each, and the privacy rule's
  threshold of 3, so no cluster names a single incident.

Each is one coverage requirement (``covers`` of a :class:`~camsite.stages.MinCost`
objective), solved in one exact MIP. A requirement that no plan can reach
(its incident weight is partly seen by no allowed site and no existing camera)
makes the run fail with the highest share reachable.

The budget curve's *target points* are the cheapest plans for
:data:`TARGET_SHARES` of the incident weight, each a min-cost cover.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite.config import OptimizationConfig
from camsite.errors import ConfigError, SolverError
from camsite.optimize import Constraints, Solution, SolverOptions
from camsite.stages._points_table import TARGET_POINT_COLUMNS, target_points_table
from camsite.stages._proofs import ProofStore, fingerprint, instance_parts, stored_cover
from camsite.stages._reach import Reach, highest_reach
from camsite.stages.instance import Instance
from camsite.stages.solve import MinCost, solve
from camsite.stages.summary import kind_masks
from camsite.vocab import category_key

logger = logging.getLogger(__name__)

__all__ = [
    "CLUSTER_CELL_M",
    "CLUSTER_MIN_INCIDENTS",
    "TARGET_POINT_COLUMNS",
    "TARGET_SHARES",
    "Requirement",
    "ShareSolver",
    "TargetWork",
    "assemble_points",
    "cluster_masks",
    "curve_incident_pct",
    "curve_start",
    "incident_rows",
    "requirements",
    "solve_min_cost",
    "solve_share",
    "stored_share",
    "subarea_masks",
    "target_points",
    "target_points_table",
    "target_work",
    "unknown_target_categories",
    "unused_target_text",
]

#: Side (metres) of the grid cells incident clusters are made of.
CLUSTER_CELL_M = 100.0
#: Fewest incidents in a cell for it to be a cluster.
CLUSTER_MIN_INCIDENTS = 3
#: Shares of the incident weight whose cheapest plans mark the budget curve.
TARGET_SHARES: tuple[float, ...] = (0.25, 0.5, 0.75)

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Requirement:
    """One coverage requirement: the incident rows it counts, and the weight they must have covered."""

    name: str
    mask: BoolArray
    required: float
    total: float
    reachable: float

    @property
    def reachable_pct(self) -> float:
        """The highest share (percent) of this requirement's weight any plan can cover."""
        return 100.0 * self.reachable / self.total if self.total > 0 else 100.0


def incident_mask(instance: Instance) -> BoolArray:
    """Incident demand points (kinds ``incident`` and ``point``)."""
    return kind_masks(instance.demand).get("incident", np.zeros(len(instance.demand), dtype=bool))


def seeable(instance: Instance, constraints: Constraints) -> BoolArray:
    """The optimiser's rows (:attr:`Instance.rows`) some allowed candidate or an existing camera reaches."""
    allowed = np.flatnonzero(~constraints.forbidden)
    sub = instance.rows.matrix.tocsc()[:, allowed].tocsr()
    return (np.diff(sub.indptr) > 0) | instance.rows.existing


def cluster_masks(instance: Instance, incident: BoolArray) -> dict[str, BoolArray]:
    """Incident clusters (module docs) as row masks, named ``E<x>N<y>`` by their cell's south-west corner (m)."""
    demand = instance.demand
    x, y = demand.geometry.x.to_numpy(float), demand.geometry.y.to_numpy(float)
    ix = np.floor(x / CLUSTER_CELL_M).astype(np.int64)
    iy = np.floor(y / CLUSTER_CELL_M).astype(np.int64)
    cells, inverse = np.unique(np.column_stack([ix, iy])[incident], axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=demand["incidents"].to_numpy(float)[incident],
                         minlength=len(cells))
    out: dict[str, BoolArray] = {}
    for k in np.flatnonzero(counts >= CLUSTER_MIN_INCIDENTS - 1e-9):  # one mask per cluster, vectorised over rows
        cx, cy = cells[k]
        out[f"E{int(cx * CLUSTER_CELL_M)}N{int(cy * CLUSTER_CELL_M)}"] = incident & (ix == cx) & (iy == cy)
    return out


def subarea_masks(instance: Instance, subareas: gpd.GeoDataFrame) -> dict[str, BoolArray]:
    """Demand rows inside each sub-area (``name``, geometry), as in the summary's per-sub-area coverage."""
    geom = instance.demand.geometry
    return {str(r.name): geom.within(r.geometry).to_numpy() for r in subareas.itertuples()}


def unused_target_text(key: str) -> str:
    """The warning for a min_cost target key under ``objective = "max_coverage"`` (validate and run say it)."""
    return (f'{key} is ignored: objective is "max_coverage" (the most coverage within budget_sek); set '
            'optimization.objective = "min_cost" to plan for the target, or remove the key')


def unknown_target_categories(instance: Instance, opt: OptimizationConfig) -> list[ConfigError]:
    """One error per ``target_category_shares`` category without any incident demand in the data."""
    if opt.objective != "min_cost":
        return []
    inc = incident_mask(instance)
    cats = instance.demand["category"].astype(str).to_numpy()
    present = sorted(set(cats[inc & (np.asarray(instance.weights, float) > 0)]))
    out = []
    for k in opt.target_category_shares:
        if category_key(k) not in present:
            known = ", ".join(present) or "none"
            out.append(ConfigError(f"no incident of category {category_key(k)!r} is demand in this run "
                                   f"(categories with incidents: {known})",
                                   where=f"optimization.target_category_shares.{k}"))
    return out


def _requirement(name: str, mask: BoolArray, share: float | None, w: NDArray[np.float64],
                 seen: BoolArray) -> Requirement | None:
    total = float(w[mask].sum())
    if total <= 0:
        logger.info("requirement %s: no incident weight, nothing to cover", name)
        return None
    reachable = float(w[mask & seen].sum())
    required = reachable if share is None else share * total
    return Requirement(name, mask, required, total, reachable)


def requirements(instance: Instance, opt: OptimizationConfig, constraints: Constraints,
                 subareas: Mapping[str, BoolArray]) -> list[Requirement]:
    """The min-cost requirements of ``opt`` (module docs); ``subareas`` maps sub-area names to demand point
    masks. The requirements' masks are over the optimiser's rows (:attr:`Instance.rows`): with graded
    coverage a share of the weight is a share of the value a perfect view of every point would give."""
    rows = instance.rows
    w, inc = rows.weights, incident_rows(instance)
    seen = seeable(instance, constraints)
    share = opt.target_incident_share
    found: list[Requirement | None] = []
    if share is not None:
        found.append(_requirement("incident", inc, share, w, seen))
    cats = instance.demand["category"].to_numpy()[rows.point]
    for cat, s in opt.target_category_shares.items():
        found.append(_requirement(f"category:{category_key(cat)}", inc & (cats == category_key(cat)), s, w, seen))
    spots = {} if opt.hotspots == "none" else \
        {f"subarea:{k}": inc & rows.for_points(m) for k, m in subareas.items()} if opt.hotspots == "subareas" else \
        {f"cluster:{k}": rows.for_points(m) for k, m in cluster_masks(instance, incident_mask(instance)).items()}
    if share is None:  # every coverable point seen: its first row (graded: the lowest value, which every view gives)
        first = np.r_[True, rows.point[1:] != rows.point[:-1]] if len(rows.point) else np.zeros(0, bool)
        spots = {k: m & first for k, m in spots.items()}
    found.extend(_requirement(name, m, share, w, seen) for name, m in spots.items())
    return [r for r in found if r is not None]


def _side_constraints(opt: OptimizationConfig) -> str:
    """The side constraints the scenario sets, by key, and the one every plan has (one camera per site)."""
    given = [f"optimization.min_spacing_m = {opt.min_spacing_m:g}" if opt.min_spacing_m > 0 else "",
             f"optimization.min_spacing_same_heading_m = {opt.min_spacing_same_heading_m:g}"
             if opt.min_spacing_same_heading_m > 0 else "",
             "optimization.max_per_type" if any(True for _ in opt.max_per_type) else "",
             "optimization.forced_sites" if opt.forced_sites else "",
             "optimization.forbidden_sites" if opt.forbidden_sites else ""]
    return ", ".join([g for g in given if g] + ["one camera (one type and heading) per site"])


def _unreachable(reqs: Sequence[Requirement], opt: OptimizationConfig, reach: Reach | None = None) -> str:
    bad = [r for r in reqs if r.required > r.reachable + 1e-9 * max(1.0, r.total)]
    if reach is not None:  # one requirement, out of reach under the side constraints
        r = reqs[0]
        return (f"no plan sees {100 * r.required / r.total:.1f} % of the {r.name} weight: {reach.text()} "
                f"({_side_constraints(opt)}): lower the target share")
    if not bad:
        return (f"each of the {len(reqs)} targets can be reached alone, but no plan reaches them all at once under "
                f"{_side_constraints(opt)}: lower the target shares")
    parts = [f"{r.name}: at most {r.reachable_pct:.1f} % reachable, {100 * r.required / r.total:.1f} % required"
             for r in bad[:5]]
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return "the target cannot be reached by any plan (" + "; ".join(parts) + more + ")"


def solve_min_cost(instance: Instance, opt: OptimizationConfig, constraints: Constraints, solver: SolverOptions,
                   subareas: Mapping[str, BoolArray], *, proofs: ProofStore | None = None
                   ) -> tuple[Solution, dict[str, Any]]:
    """The cheapest plan meeting ``opt``'s targets, and the question it answers (for summary.json). A question
    of the incident share alone is a target point's (:func:`solve_share`): ``proofs`` gives and keeps its proof.

    Raises
    ------
    SolverError
        When no plan meets the targets; the message gives the highest share reachable.
    """
    for err in unknown_target_categories(instance, opt):
        raise err
    reqs = requirements(instance, opt, constraints, subareas)
    if not reqs:
        raise SolverError("min_cost: no target has incident weight to cover", where="optimization")
    share = opt.target_incident_share
    sol = solve_share(instance, constraints, solver, share, proofs=proofs) \
        if share is not None and [r.name for r in reqs] == ["incident"] else \
        solve(instance, MinCost(target=None, covers=tuple((r.mask, r.required) for r in reqs)), constraints, solver)
    if sol.status == "infeasible":
        alone = len(reqs) == 1 and reqs[0].required <= reqs[0].reachable + 1e-9 * max(1.0, reqs[0].total)
        reach = highest_reach(instance, reqs[0].mask, constraints, solver) if alone else None
        raise SolverError(_unreachable(reqs, opt, reach), where="optimization")
    if not len(sol.selected) and sol.status == "time_limit":
        raise SolverError("the solver found no plan meeting the targets within the time limit", where="optimization")
    inc = next((r for r in reqs if r.name == "incident"), None)
    question: dict[str, Any] = {
        "objective": "min_cost", "target_incident_share": opt.target_incident_share,
        "target_category_shares": {category_key(k): v for k, v in opt.target_category_shares.items()},
        "hotspots": opt.hotspots, "n_hotspots": sum(r.name.startswith(("subarea:", "cluster:")) for r in reqs),
        "cost_sek": round(float(sol.objective), 2), "n_sites": len(sol.selected),
        "max_incident_share_reachable_pct": None if inc is None else round(inc.reachable_pct, 3)}
    if opt.hotspots == "clusters":
        question["cluster_rule"] = (f"{CLUSTER_CELL_M:g} m grid cells holding at least {CLUSTER_MIN_INCIDENTS} "
                                    "incidents")
    return sol, question


def curve_incident_pct(instance: Instance, curve: pd.DataFrame | None) -> float | None:
    """The share (%) of the incident weight the plan at the curve's largest budget sees (None without a curve)."""
    if curve is None or not len(curve):
        return None
    rows = instance.rows
    inc, total = _incidents(instance)
    if total <= 0:
        return None
    variants = instance.candidates["variant"].astype(str).tolist()
    index = {v: i for i, v in enumerate(variants)}
    last = curve.sort_values("budget_sek").iloc[-1]
    cols = [index[s] for s in str(last.get("sites") or "").split(";") if s in index]
    covered = rows.covered(cols)
    return 100.0 * float(rows.weights[inc & covered].sum()) / total


def _curve_plans(instance: Instance, curve: pd.DataFrame | None) -> list[tuple[float, list[int], float]]:
    """The budget curve's plans as (cost, candidate indices, incident share %), cheapest first."""
    if curve is None or not len(curve) or "sites" not in curve:
        return []
    rows = instance.rows
    inc, total = _incidents(instance)
    index = {v: i for i, v in enumerate(instance.candidates["variant"].astype(str))}
    out = []
    for rec in curve.itertuples():
        cols = [index[s] for s in str(getattr(rec, "sites", "") or "").split(";") if s in index]
        spent = float(getattr(rec, "spent_sek", np.nan))
        if cols and np.isfinite(spent) and total > 0:
            out.append((spent, cols, 100.0 * float(rows.weights[inc & rows.covered(cols)].sum()) / total))
    return sorted(out, key=lambda p: p[0])


@dataclass(frozen=True)
class TargetWork:
    """The solves the target points take, known before the budget curve (:func:`target_work`).

    Attributes
    ----------
    shares
        Every share, in order (the points' order).
    solved
        The shares some plan may reach: each is one min-cost cover.
    reach
        The highest reachable share, found first when some share is beyond what every allowed candidate
        together sees (None otherwise: found only when a solve proves its share out of reach).
    """

    shares: tuple[float, ...]
    solved: tuple[float, ...]
    reach: Reach | None


#: A share's min-cost cover from a start (candidate indices), as :func:`solve_share` gives it.
ShareSolver = Callable[[float, tuple[int, ...]], Solution]


def incident_rows(instance: Instance) -> BoolArray:
    """The incident rows over :attr:`Instance.rows` (the requirement of every target point)."""
    return instance.rows.for_points(incident_mask(instance))


def _incidents(instance: Instance) -> tuple[BoolArray, float]:
    """The incident rows and their total weight."""
    inc = incident_rows(instance)
    return inc, float(instance.rows.weights[inc].sum())


def _seeable_shares(instance: Instance, constraints: Constraints, shares: Sequence[float] = TARGET_SHARES
                   ) -> tuple[tuple[float, ...], bool] | None:
    """The shares within what every allowed candidate together sees, and whether some share is beyond it
    (None: no incident weight, no points)."""
    inc, total = _incidents(instance)
    if total <= 0:
        return None
    seeable_pct = 100.0 * float(instance.rows.weights[inc & seeable(instance, constraints)].sum()) / total
    beyond = [100.0 * s > seeable_pct + 1e-9 for s in shares]
    return tuple(s for s, b in zip(shares, beyond) if not b), any(beyond)


def _work_with(shares: Sequence[float], within: Sequence[float], reach: Reach | None) -> TargetWork:
    """The target points' work: the shares ``within`` what is seeable that are not above ``reach``'s bound."""
    bound = 100.0 if reach is None else reach.bound_pct
    return TargetWork(shares=tuple(shares), solved=tuple(s for s in within if 100.0 * s <= bound + 1e-9),
                      reach=reach)


def target_work(instance: Instance, constraints: Constraints, solver: SolverOptions,
                shares: Sequence[float] = TARGET_SHARES, *, prove: bool = False,
                proofs: ProofStore | None = None) -> TargetWork | None:
    """What :func:`target_points` solves for ``shares`` (None: no incident weight, no points).

    A share beyond what every allowed candidate together sees needs the highest
    reachable share (:func:`highest_reach`): it is found here, first, and a
    share above its bound (``bound_pct``: no plan sees more) is out of reach
    without a solve, as the solve would prove (the default scenario's 50 %:
    at most 44.3 % is reachable, 50.4 % seeable). ``prove`` and ``proofs``: as :func:`highest_reach` takes them.
    """
    seen = _seeable_shares(instance, constraints, shares)
    if seen is None:
        return None
    within, beyond = seen
    reach = highest_reach(instance, incident_rows(instance), constraints, solver, prove=prove,
                          proofs=proofs) if beyond else None
    return _work_with(shares, within, reach)


def stored_share(instance: Instance, constraints: Constraints, solver: SolverOptions, share: float,
                 proofs: ProofStore | None) -> Solution | None:
    """The cheapest plan for ``share`` proven earlier on the same data (:mod:`camsite.stages._proofs`), or None."""
    if proofs is None:
        return None
    inc, total = _incidents(instance)
    key = fingerprint("target", *instance_parts(instance, constraints, solver), inc, share)
    return stored_cover(proofs.get(key), instance, constraints, requirement=inc, need=share * total, solver=solver)


def solve_share(instance: Instance, constraints: Constraints, solver: SolverOptions, share: float,
                start: tuple[int, ...] = (), *, proofs: ProofStore | None = None) -> Solution:
    """The cheapest plan seeing ``share`` of the incident weight, from ``start`` (candidate indices); with
    ``proofs`` (:mod:`camsite.stages._proofs`), a plan proven earlier on the same data, and a new proof kept."""
    inc, total = _incidents(instance)
    key = "" if proofs is None else fingerprint("target", *instance_parts(instance, constraints, solver), inc, share)
    if proofs is not None:
        hit = stored_cover(proofs.get(key), instance, constraints, requirement=inc, need=share * total,
                           solver=solver)
        if hit is not None:
            return hit
    sol = solve(instance, MinCost(target=None, covers=((inc, share * total),), start=start), constraints, solver)
    if proofs is not None and sol.status == "optimal" and len(sol.selected):
        proofs.put(key, {"kind": "target", "share": share, "selected": sol.selected.tolist(),
                         "cost_sek": float(sol.objective)})
    return sol


def curve_start(instance: Instance, curve: pd.DataFrame | None, share: float) -> tuple[int, ...]:
    """The cheapest curve plan seeing ``share`` of the incident weight (candidate indices; empty: none does)."""
    return tuple(next((cols for _, cols, pct in _curve_plans(instance, curve) if pct >= 100.0 * share - 1e-9), []))


def target_points(instance: Instance, constraints: Constraints, solver: SolverOptions,
                  shares: Sequence[float] = TARGET_SHARES, curve: pd.DataFrame | None = None, *,
                  prove: bool = False, proofs: ProofStore | None = None) -> tuple[dict[str, Any], ...]:
    """The cheapest plan for each share of the incident weight: cost, sites and coverage (module docs).

    Every share some plan may reach is solved, also beyond the curve's largest
    budget, each to ``solver.time_limit_s`` (a point stopped there keeps its
    status, its ``cost_bound_sek`` and gap). A share no plan reaches (seen by
    no allowed candidate, above the highest reachable share's bound, or proven
    out of reach under the side constraints) has ``status = "unreachable"``
    and the highest reachable share (:func:`highest_reach`, :func:`target_work`):
    ``max_incident_pct`` (the best plan found), ``max_incident_bound_pct`` (no
    plan sees more), ``max_plan_cost_sek`` and ``max_plan_n_sites``; a warning
    says so. With ``curve``, the cheapest curve plan reaching a share (in
    incident coverage) is the solver's warm start and the point's cost never
    exceeds it. The same points, solved on worker processes while the curve is
    solved: :func:`camsite.stages.start_curve`. ``prove``: the highest reach's MIP gets ``solver``'s whole time
    limit; ``proofs``: points proven earlier on the same data are taken from it, new proofs kept in it
    (:mod:`camsite.stages._proofs`).
    """
    work = target_work(instance, constraints, solver, shares, prove=prove, proofs=proofs)
    if work is None:
        return ()

    def solved(share: float, start: tuple[int, ...]) -> Solution:
        return solve_share(instance, constraints, solver, share, start, proofs=proofs)

    return assemble_points(instance, constraints, solver, work, curve, solved=solved, prove=prove, proofs=proofs)


def assemble_points(instance: Instance, constraints: Constraints, solver: SolverOptions, work: TargetWork,
                    curve: pd.DataFrame | None, *, solved: ShareSolver, prove: bool = False,
                    proofs: ProofStore | None = None) -> tuple[dict[str, Any], ...]:
    """The target points of ``work`` (:func:`target_points`), each share's plan from ``solved(share, start)``
    (``start``: the cheapest curve plan reaching it); the highest reach found when first needed."""
    found = [work.reach] if work.reach is not None else []

    def reach() -> Reach:
        found[:] = found or [highest_reach(instance, incident_rows(instance), constraints, solver, prove=prove,
                                           proofs=proofs)]
        return found[0]

    rows = instance.rows
    inc, total = _incidents(instance)
    w = rows.weights
    ids = instance.candidates["site_id"].astype(str).to_numpy()
    foot = rows.for_points(kind_masks(instance.demand).get("footfall", np.zeros(len(instance.demand), bool)))
    out: list[dict[str, Any]] = []
    for share in work.shares:  # one exact solve per marked point
        point: dict[str, Any] = {"kind": f"target_{round(100 * share)}", "target_incident_share": share}
        if share not in work.solved:  # beyond what every candidate sees, or above the reach's bound
            out.append({**point, **_unreachable_point(share, reach())})
            continue
        sol = solved(share, curve_start(instance, curve, share))
        if sol.status == "infeasible":  # out of reach under the side constraints
            out.append({**point, **_unreachable_point(share, reach())})
            continue
        if not len(sol.selected):
            out.append({**point, "status": sol.status})
            continue
        covered = rows.covered(sol.selected)
        foot_total = float(w[foot].sum())
        out.append({**point, "status": sol.status, "cost_sek": round(float(sol.objective), 2),
                    "cost_bound_sek": round(float(sol.bound), 2), "n_sites": len(sol.selected),
                    "incident_pct": round(100.0 * float(w[inc & covered].sum()) / total, 6),
                    "footfall_pct": round(100.0 * float(w[foot & covered].sum()) / foot_total, 6)
                    if foot_total > 0 else None,
                    "coverage_pct": round(sol.coverage_pct, 6), "gap": sol.gap,
                    "sites": ";".join(sorted(dict.fromkeys(ids[sol.selected]))),
                    "variants": ";".join(np.asarray(instance.candidates.get("variant", ids), str)[sol.selected])})
        _warn_unproven(share, sol, solver)
    return tuple(out)


def _warn_unproven(share: float, sol: Solution, solver: SolverOptions) -> None:
    """Say so when a target point stopped at its time limit: its cost, its proven lower bound (when the solve got
    one above 0), how to prove it."""
    if sol.status == "time_limit":
        bound = f"at least {sol.bound:,.0f} kr (gap {100 * sol.gap:.1f} %)" if np.isfinite(sol.bound) and \
            sol.bound > 0 else "no lower bound yet"
        why = (f" (its start lies over {100 * (solver.max_start_gap or 0):g} % above the LP bound: seconds of the "
               "MIP do not close that)" if sol.reduction.get("mip_skipped") else
               f" within {solver.time_limit_s or 0.0:g} s")
        logger.warning("the cheapest plan for %g %% of the incidents is not proven%s: %s kr, %s; "
                       "`camsite run --prove` proves it with the scenario's time limit, and later runs on the same "
                       "data reuse the proof", 100 * share, why, f"{sol.objective:,.0f}", bound)


def _unreachable_point(share: float, reach: Reach) -> dict[str, Any]:
    """A target point no plan reaches: the highest reachable share and what the plan reaching it costs."""
    logger.warning("no plan sees %g %% of the incidents: %s; min_budgets.csv gives that plan and the curve "
                   "leaves the mark out (docs/objectives.md)", 100 * share, reach.text())
    return {"status": "unreachable", "max_incident_pct": round(reach.found_pct, 3),
            "max_incident_bound_pct": round(reach.bound_pct, 3), "max_plan_cost_sek": round(reach.cost_sek, 2),
            "max_plan_n_sites": reach.n_sites}
