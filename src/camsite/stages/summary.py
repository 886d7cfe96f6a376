"""Stage 4, :func:`summarise` and :func:`rank_sites`: the figures of a solved plan.

A :class:`Summary` is plain, typed data with no user-facing labels: the
report adds them (in the run's language) when it writes summary.json and the
deliverables.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

from camsite import evidence, fingerprints, network, ranking
from camsite.candidates import nearest_street
from camsite.config import Scenario
from camsite.optimize import Solution
from camsite.stages.daynight import period_masks, time_of_day
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance
from camsite.stages.owners import coverage_before_by_owner
from camsite.stages.rollout import costs_summary

__all__ = ["KIND_GROUPS", "LEVEL_SHARE_COLUMNS", "UNCOVERABLE_CELL_M", "CameraTypeRow", "CoverageRow", "DataSource",
           "NoViewRow", "Summary", "coverage_breakdown", "kind_masks", "not_proven", "rank_sites", "share_pct",
           "street_names", "summarise", "uncoverable_cells", "uncoverable_summary"]

#: A layer whose ``source`` is one of these is made up, and every output says so.
MADE_UP_SOURCES: tuple[str, ...] = ("illustrative", "synthetic")


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one group of demand (a category or a sub-area), before and after.

    ``label`` is the scenario's own text for a sub-area, None for a category
    (the report labels categories in its language).
    """

    name: str
    label: str | None
    weight_total: float
    incidents_total: float
    before_pct: float | None
    after_pct: float | None
    incidents_before: float
    incidents_after: float


@dataclass(frozen=True)
class CameraTypeRow:
    """A camera type as the run used it (``cost_sek`` over the horizon)."""

    name: str
    label: str
    range_m: float
    fov_deg: float
    capex_sek: float
    opex_sek_per_year: float
    cost_sek: float
    source: str


@dataclass(frozen=True)
class DataSource:
    """One input layer: its file, stated source, provenance and rows used."""

    layer: str
    file: str
    source: str
    provenance: str
    rows: int
    attribution: str | None = None


@dataclass(frozen=True)
class NoViewRow:
    """A do-not-view zone and the candidate variants that look into it: kept with a privacy mask, or removed.

    ``proposed_masked`` names the proposed sites (in rank order) that see into
    the zone: each needs its privacy mask set up.
    """

    name: str
    label: str
    candidates_masked: int
    candidates_removed: int
    proposed_masked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """The figures of one run (summary.json is written from this, in this order)."""

    scenario: str
    title: str
    scenario_file: str | None
    date: str
    crs: str
    budget_sek: float
    spent_sek: float
    n_new_sites: int
    coverage_before_pct: float
    coverage_after_pct: float
    objective: float
    bound: float
    gap: float
    status: str
    solver: str
    runtime_s: float
    solve_runtime_s: float
    n_demand: int
    n_candidates: int
    n_candidate_sites: int
    n_existing_cameras: int
    n_incidents: int
    weight_total: float
    horizon_years: float
    greedy_objective: float | None
    lp_bound: float | None
    coverage_by_category: tuple[CoverageRow, ...]
    coverage_by_subarea: tuple[CoverageRow, ...]
    budget_curve_knee: Mapping[str, Any] | None
    camera_types: tuple[CameraTypeRow, ...]
    category_weights: Mapping[str, float]
    incident_stats: Mapping[str, Any]
    demand_stats: Mapping[str, Any]
    data_sources: tuple[DataSource, ...]
    illustrative_layers: tuple[str, ...]
    curve_not_proven: int = 0
    stages_not_proven: int = 0
    #: Coverage per demand kind: ``incident`` (incidents, wherever placed), ``footfall``, ``street``.
    coverage_by_kind: tuple[CoverageRow, ...] = ()
    #: The headline: the share of the incident weight seen, before and after (None without incidents).
    incident_coverage_before_pct: float | None = None
    incident_coverage_after_pct: float | None = None
    #: Demand no candidate and no existing camera can see (see :func:`uncoverable_summary`).
    uncoverable: Mapping[str, Any] | None = None
    #: Do-not-view zones (``[[candidates.no_view]]``), in the scenario's order.
    no_view_zones: tuple[NoViewRow, ...] = ()
    # -- the question answered and the curve's target points (objectives) ----------------------------------------
    #: Which question the plan answers: {"objective": "max_coverage" | "min_cost", ...its parameters}.
    question: Mapping[str, Any] | None = None
    #: The budget curve's marked points: the cheapest plan for 25, 50 and 75 % of the incident weight (min-cost
    #: covers; :func:`camsite.stages.objectives.target_points`), only with a budget sweep.
    target_points: tuple[Mapping[str, Any], ...] = ()
    # -- costs over time and the yearly rollout -------------------------------------------------------------------
    #: Costs per year (investment, operation), total and present value; what the budget limits.
    costs: Mapping[str, Any] | None = None
    # -- graded coverage ------------------------------------------------------------------------------------------
    #: ``"binary"`` (seen or not) or ``"graded"`` (coverage percentages weight each point by the value of its
    #: best EN 62676-4 level); ``ptz``: how PTZ domes are counted (``patrol`` or ``guard``).
    coverage_model: str = "binary"
    ptz: str = "patrol"
    #: Proposed sites per camera type, and the plan's gain per level (percent of the gain; graded only).
    camera_mix: Mapping[str, int] | None = None
    gain_by_level_pct: Mapping[str, float] | None = None
    #: Coverage before by who runs the existing cameras (police, city, other), when the inventory has an owner.
    coverage_before_by_owner: Mapping[str, Mapping[str, Any]] | None = None
    # -- time of day ([monitoring]) ---------------------------------------------------------------------------------
    #: Incident coverage by period of the day (``day``, ``night``), and the monitoring settings with the incidents
    #: by hour (:func:`camsite.stages.daynight.time_of_day`).
    coverage_by_period: tuple[CoverageRow, ...] = ()
    time_of_day: Mapping[str, Any] | None = None
    fingerprints: Mapping[str, Any] | None = None  # the cost table's and camera types' sha256 (camsite merge)


def _lonlat(xs: NDArray[np.float64], ys: NDArray[np.float64], crs: str) -> tuple[NDArray[np.float64], ...]:
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def _incident_gains(cov: sp.csr_matrix, incidents: NDArray[np.float64], order: NDArray[np.int64],
                    existing_mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    covered = existing_mask.copy()
    csc = cov.tocsc()
    gains = []
    for j in order:
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        gains.append(float(incidents[rows[~covered[rows]]].sum()))
        covered[rows] = True
    return np.asarray(gains)


def street_names(edges: gpd.GeoDataFrame) -> dict[int, str]:
    """Street name per edge id (a merged segment by its ``name``, the first of its names)."""
    if "name" not in edges.columns:
        return {}
    return {int(e): n for e, v in zip(edges["edge_id"], edges["name"]) if (n := network.first_value(v))}


#: sites.csv's columns for the share (%) of a site's gain at each EN 62676-4 level, best first.
LEVEL_SHARE_COLUMNS = ("gain_identify_pct", "gain_recognise_pct", "gain_observe_pct", "gain_detect_pct")


def _level_share_columns(instance: Instance, order: NDArray[np.int64]) -> dict[str, NDArray[np.float64]]:
    """The share (%) of each ranked site's marginal gain at each level (graded coverage; NaN when binary).

    A row newly reached by the site counts at the level the site gives its demand point.
    """
    out = np.full((len(order), 4), np.nan)
    if instance.graded:
        assert instance.levels is not None  # graded instances carry their level codes
        rows = instance.rows
        covered = rows.existing.copy()
        csc, levels = rows.matrix.tocsc(), instance.levels.tocsc()
        for k, j in enumerate(order):
            new = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
            new = new[~covered[new]]
            covered[new] = True
            col = np.zeros(levels.shape[0], np.int64)
            col[levels.indices[levels.indptr[j]:levels.indptr[j + 1]]] = levels.data[levels.indptr[j]:levels.indptr[j + 1]]
            by_level = np.bincount(col[rows.point[new]], weights=rows.weights[new], minlength=5)[1:]
            total = by_level.sum()
            out[k] = np.round(100 * by_level[::-1] / total, 1) if total > 0 else 0.0
    return dict(zip(LEVEL_SHARE_COLUMNS, out.T))


def _gain_by_level(sites: pd.DataFrame) -> dict[str, float]:
    """The plan's gain per EN 62676-4 level, in percent of its whole gain (from each site's shares)."""
    gain = sites["gain_weight"].to_numpy(float)
    total = float(gain.sum())
    return {c.removeprefix("gain_").removesuffix("_pct"):
            round(float(gain @ sites[c].to_numpy(float)) / total, 1) if total > 0 else 0.0
            for c in LEVEL_SHARE_COLUMNS}


def rank_sites(instance: Instance, solution: Solution, *, crs: str,
               edge_names: Mapping[int, str] | None = None, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The chosen sites ranked by marginal gain, with the columns of sites.csv and the evidence for each
    (:mod:`camsite.evidence`; ``edge_names`` names the streets seen)."""
    rows = instance.rows
    weights, ex = rows.weights, rows.existing
    order, gains = ranking.rank_by_marginal_gain(rows.matrix, weights, solution.selected, existing=ex)
    row_incidents = instance.demand["incidents"].to_numpy(float)[rows.point] * rows.step
    inc_gains = _incident_gains(rows.matrix, row_incidents, order, ex)
    chosen = instance.candidates.iloc[order]
    xs, ys = chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy()
    lon, lat = _lonlat(xs, ys, crs)
    total = weights.sum()
    before = float(weights[ex].sum())
    cost = chosen["cost_sek"].to_numpy(float)
    out = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1),
        "site_id": chosen["site_id"].to_numpy(),
        "lon": np.round(lon, 6), "lat": np.round(lat, 6),
        "easting": np.round(xs, 1), "northing": np.round(ys, 1),
        "street": chosen["street"].fillna("").to_numpy(),
        "camera_type": chosen["camera_type"].to_numpy(),
        "cost_sek": np.round(cost, 0),
        "gain_weight": np.round(gains, 4),
        "gain_incidents": np.round(inc_gains, 3),
        "cumulative_cost_sek": np.round(np.cumsum(cost), 0),
        "cumulative_coverage_pct": np.round(100 * (before + np.cumsum(gains)) / total, 3) if total > 0 else 0.0,
        "heading_deg": np.round(chosen["heading_deg"].to_numpy(float), 1),
        "fov_deg": instance.cameras.lookup(chosen["camera_type"].astype(str), "fov_deg"),
        "range_m": np.round(instance.cameras.lookup(chosen["camera_type"].astype(str), "range_m"), 1),
        **_level_share_columns(instance, order),
        "variant": chosen["variant"].to_numpy(),
        "kind": chosen["kind"].to_numpy(),
        "candidate_index": order,
    })
    why = evidence.site_evidence(rows.matrix, weights, instance.demand, instance.site_ids, point=rows.point,
                                 order=np.asarray(order, np.int64), existing=ex, edge_names=edge_names or {},
                                 xy=instance.xy, labels=labels, events=evidence.demand_events(instance.demand))
    events = evidence.demand_events(instance.demand)
    inc = kind_masks(instance.demand).get("incident", np.zeros(len(instance.demand), bool))
    carried = evidence.event_gains(rows.matrix, weights, events, inc, order=np.asarray(order, np.int64), existing=ex,
                                   point=rows.point)
    at = out.columns.get_loc("heading_deg")
    # for the privacy rule only, after the published columns: the alternative's incidents, the events behind counts
    hidden = {c: why.pop(c).to_numpy() for c in ("alternative_gain_incidents", *evidence.EVENT_COUNT_COLUMNS)}
    hidden["gain_event_ids"] = carried.pop("gain_event_ids").to_numpy()
    return pd.concat([out.iloc[:, :at], why, carried, out.iloc[:, at:]], axis=1).assign(**hidden)


#: Demand kinds as reported: incidents placed anywhere (snapped, spread or as points) count as one kind.
KIND_GROUPS: Mapping[str, tuple[str, ...]] = {"incident": ("incident", "point"), "footfall": ("footfall",),
                                              "street": ("street",)}
#: Size (metres) of the grid cells the worst uncoverable places are grouped in.
UNCOVERABLE_CELL_M = 100.0


def kind_masks(demand: gpd.GeoDataFrame) -> dict[str, NDArray[np.bool_]]:
    """Demand rows per reported kind (:data:`KIND_GROUPS`), kinds with no row left out."""
    kinds = demand["kind"].to_numpy()
    masks = {name: np.isin(kinds, list(members)) for name, members in KIND_GROUPS.items()}
    return {k: m for k, m in masks.items() if m.any()}


def uncoverable_summary(instance: Instance, edges: gpd.GeoDataFrame, *, crs: str, top: int = 5) -> dict[str, Any]:
    """What no camera can see: weight, share, counts by reason and kind, and the worst places.

    Places are :data:`UNCOVERABLE_CELL_M` grid cells, named by the nearest
    street, with their weight and incident count (the privacy rule applies
    when the summary is shared).
    """
    demand, w = instance.demand, instance.weights
    unc = instance.uncoverable
    ids = unc["demand_id"].to_numpy(np.int64)
    masks = kind_masks(demand)
    inc = masks.get("incident", np.zeros(len(demand), bool))
    flag = np.zeros(len(demand), bool)
    flag[ids] = True
    total, inc_total = float(w.sum()), float(w[inc].sum())
    reasons = {r: {"count": int((unc["reason"] == r).sum()),
                   "weight": round(float(w[ids[(unc["reason"] == r).to_numpy()]].sum()), 4)}
               for r in sorted(set(unc["reason"]))}
    stats = instance.demand_stats
    return {
        "count": int(flag.sum()), "weight": round(float(w[flag].sum()), 4),
        "share_pct": round(100 * float(w[flag].sum()) / total, 3) if total > 0 else 0.0,
        "incident_weight": round(float(w[flag & inc].sum()), 4),
        "incident_share_pct": round(100 * float(w[flag & inc].sum()) / inc_total, 3) if inc_total > 0 else None,
        "by_reason": reasons,
        "by_kind": {k: round(float(w[flag & m].sum()), 4) for k, m in masks.items()},
        "outside_not_seen": int(stats.get("outside_not_seen", 0)),
        "worst": _worst_places(instance, edges, crs, top),
    }


def uncoverable_cells(instance: Instance, cell_m: float = UNCOVERABLE_CELL_M) -> pd.DataFrame:
    """Demand no camera can see, summed per ``cell_m`` grid cell (sorted by cell).

    Columns: ``cx``, ``cy`` (cell indices), ``weight``, ``demand_points``,
    ``incidents``, ``reason`` (the most frequent), ``x``, ``y`` (mean position).
    """
    unc = instance.uncoverable
    ids = unc["demand_id"].to_numpy(np.int64)
    pts = instance.demand.geometry.to_numpy()[ids]
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    frame = pd.DataFrame({"cx": np.floor(x / cell_m).astype(np.int64), "cy": np.floor(y / cell_m).astype(np.int64),
                          "weight": instance.weights[ids], "incidents": instance.demand["incidents"].to_numpy(float)[ids],
                          "reason": unc["reason"].to_numpy(), "x": x, "y": y})
    return frame.groupby(["cx", "cy"], sort=True).agg(
        weight=("weight", "sum"), demand_points=("weight", "size"), incidents=("incidents", "sum"),
        reason=("reason", lambda r: r.value_counts().sort_index().idxmax()), x=("x", "mean"),
        y=("y", "mean")).reset_index()


def _worst_places(instance: Instance, edges: gpd.GeoDataFrame, crs: str, top: int) -> list[dict[str, Any]]:
    """The ``top`` cells of :func:`uncoverable_cells` by weight, named by the nearest street."""
    if not len(instance.uncoverable):
        return []
    grp = uncoverable_cells(instance).sort_values(["weight", "x"], ascending=[False, True]).head(top)
    pts = np.asarray(shapely.points(grp["x"].to_numpy(float), grp["y"].to_numpy(float)), dtype=object)
    lon, lat = _lonlat(grp["x"].to_numpy(float), grp["y"].to_numpy(float), crs)
    streets = [""] * len(grp)
    named = edges[edges["name"].fillna("").astype(str) != ""] if "name" in edges.columns else edges.iloc[0:0]
    if len(named):
        nearest = shapely.STRtree(named.geometry.to_numpy()).query_nearest(pts, all_matches=False)[1]
        streets = [str(s) for s in nearest_street(pts, nearest, named)]
    return [{"street": s, "weight": round(float(w), 4), "incidents": round(float(n), 2), "lon": round(float(lo), 6),
             "lat": round(float(la), 6)}
            for s, w, n, lo, la in zip(streets, grp["weight"], grp["incidents"], lon, lat, strict=True)]


def share_pct(weights: NDArray[np.float64], share: NDArray[np.float64]) -> float:
    """Covered weight (each point's weight times its best value) as a percentage of the total weight."""
    total = float(weights.sum())
    return 100.0 * float(weights @ share) / total if total > 0 else 0.0


def coverage_breakdown(demand: gpd.GeoDataFrame, before: NDArray[np.float64], after: NDArray[np.float64],
               groups: Mapping[str, NDArray[np.bool_]], labels: Mapping[str, str] | None) -> tuple[CoverageRow, ...]:
    """Coverage per group of demand points; ``before``/``after`` are each point's value (1 = seen, with graded
    coverage the best level's value times the share of the time), so incidents seen may be fractional."""
    w = demand["weight"].to_numpy(float)
    inc = demand["incidents"].to_numpy(float)
    rows = []
    for name, mask in groups.items():
        wt = float(w[mask].sum())
        rows.append(CoverageRow(
            name=name, label=None if labels is None else labels.get(name, name), weight_total=round(wt, 4),
            incidents_total=round(float(inc[mask].sum()), 3),
            before_pct=round(100 * float(w[mask] @ before[mask]) / wt, 3) if wt > 0 else None,
            after_pct=round(100 * float(w[mask] @ after[mask]) / wt, 3) if wt > 0 else None,
            incidents_before=round(float(inc[mask] @ before[mask]), 3),
            incidents_after=round(float(inc[mask] @ after[mask]), 3)))
    return tuple(rows)


def _shown(scenario: Scenario, path: str) -> str:
    """A file as shareable outputs name it: relative to the scenario file's folder (no user's home in a report)."""
    return Path(os.path.relpath(scenario.resolve(path), scenario.base_dir)).as_posix()


def data_sources(scenario: Scenario, inputs: Inputs) -> tuple[DataSource, ...]:
    """The layers a run used, with their files (relative to the scenario file), stated sources and rows."""
    src = [DataSource("network", _shown(scenario, scenario.network.path), scenario.network.source,
                      str(inputs.network.graph.graph.get("source", "")), len(inputs.network.edges),
                      "© OpenStreetMap contributors, ODbL 1.0")]
    for layer in scenario.incidents:
        src.append(DataSource(f"incidents:{layer.name}", _shown(scenario, layer.path), layer.source,
                              layer.source, len(inputs.incidents)))
    cam = scenario.existing_cameras
    if cam is not None:
        src.append(DataSource("existing_cameras", _shown(scenario, cam.path), cam.source, cam.source,
                              len(inputs.existing)))
    return tuple(src)


def summarise(scenario: Scenario, inputs: Inputs, instance: Instance, solution: Solution, *, sites: pd.DataFrame,
              knee: Mapping[str, Any] | None, runtime_s: float, curve: pd.DataFrame | None = None,
              staged: pd.DataFrame | None = None, question: Mapping[str, Any] | None = None,
              target_points: tuple[Mapping[str, Any], ...] = ()) -> Summary:
    """The figures of a solved plan (coverage before and after, per category and sub-area, the solve's proof,
    the costs over time).

    ``curve`` and ``staged`` (the budget curve and staged plan, when computed)
    give the counts of their solves that were not proven optimal, and the
    staged plan its yearly costs; ``question`` and ``target_points`` (from
    :func:`~camsite.stages.answer` and :func:`~camsite.stages.budget_plans`)
    are kept as they are.
    """
    demand, rows = instance.demand, instance.rows
    ex, after = rows.point_share([]), rows.point_share(solution.selected)  # each point's best value, 0 to 1
    weights, opt = instance.weights, scenario.optimization
    cats = {c: demand["category"].eq(c).to_numpy() for c in sorted(demand["category"].unique())}
    subs = inputs.subareas
    sub_masks = {r.name: demand.geometry.within(r.geometry).to_numpy() for r in subs.itertuples()}
    sources = data_sources(scenario, inputs)
    lp = solution.lp_bound
    return Summary(
        scenario=scenario.name, title=scenario.title, scenario_file=Path(scenario.source_file).name if scenario.source_file else None,
        date=dt.date.today().isoformat(), crs=scenario.crs, budget_sek=opt.budget_sek,
        spent_sek=round(float(sites["cost_sek"].sum()), 2), n_new_sites=len(sites),
        coverage_before_pct=round(share_pct(weights, ex), 4),
        coverage_after_pct=round(share_pct(weights, after), 4),
        objective=solution.objective, bound=solution.bound, gap=solution.gap, status=solution.status,
        solver=opt.solver, runtime_s=round(runtime_s, 3), solve_runtime_s=round(float(solution.runtime_s), 3),
        n_demand=len(demand), n_candidates=len(instance.candidates),
        n_candidate_sites=int(instance.candidates["site_id"].nunique()), n_existing_cameras=len(instance.existing),
        n_incidents=len(inputs.incidents), weight_total=round(float(weights.sum()), 4),
        horizon_years=opt.horizon_years, greedy_objective=solution.greedy_objective,
        # the LP relaxation is solved to a tolerance: HiGHS and CBC differ around the 9th digit
        lp_bound=None if lp is None else round(float(lp), 6),
        coverage_by_category=coverage_breakdown(demand, ex, after, cats, None),
        coverage_by_kind=(by_kind := coverage_breakdown(demand, ex, after, kind_masks(demand), None)),
        incident_coverage_before_pct=next((r.before_pct for r in by_kind if r.name == "incident"), None),
        incident_coverage_after_pct=next((r.after_pct for r in by_kind if r.name == "incident"), None),
        uncoverable=uncoverable_summary(instance, inputs.network.edges, crs=scenario.crs),
        coverage_by_subarea=coverage_breakdown(demand, ex, after, sub_masks, dict(zip(subs["name"], subs["label"]))),
        budget_curve_knee=knee,
        camera_types=tuple(CameraTypeRow(c.name, c.label, c.range_m, c.fov_deg, c.capex_sek, c.opex_sek_per_year,
                                         c.cost_sek(opt.horizon_years), c.source) for c in scenario.camera_types),
        category_weights=dict(scenario.category_weights), incident_stats=dict(inputs.incident_stats),
        demand_stats=dict(instance.demand_stats), data_sources=sources,
        illustrative_layers=tuple(d.layer for d in sources if d.source.lower() in MADE_UP_SOURCES),
        curve_not_proven=not_proven(curve), stages_not_proven=not_proven(staged),
        no_view_zones=no_view_rows(instance.no_view, sites),
        coverage_model=instance.coverage_model, ptz=scenario.quality.ptz,
        camera_mix={str(k): int(v) for k, v in sites["camera_type"].value_counts().sort_index().items()},
        gain_by_level_pct=_gain_by_level(sites) if instance.graded else None,
        question=question, target_points=target_points, costs=costs_summary(scenario, instance, sites, staged,
                                                                                curve=curve),
        coverage_before_by_owner=coverage_before_by_owner(instance, scenario.quality),
        coverage_by_period=coverage_breakdown(demand, ex, after, period_masks(demand), None),
        time_of_day=time_of_day(scenario, inputs, instance), fingerprints=fingerprints.fingerprints(scenario))


def no_view_rows(frame: pd.DataFrame, sites: pd.DataFrame | None = None) -> tuple[NoViewRow, ...]:
    """The per-zone frame of :attr:`Instance.no_view` as typed rows; ``sites`` (from :func:`rank_sites`) gives
    the proposed sites masked for each zone.

    >>> frame = pd.DataFrame({"name": ["a"], "label": ["A"], "candidates_masked": [2], "candidates_removed": [1],
    ...                       "masked_variants": [("s1:dome", "s2:dome")]})
    >>> no_view_rows(frame, pd.DataFrame({"site_id": ["s2", "s3"], "variant": ["s2:dome", "s3:dome"]}))
    (NoViewRow(name='a', label='A', candidates_masked=2, candidates_removed=1, proposed_masked=('s2',)),)
    """
    chosen = [] if sites is None or "variant" not in sites else list(zip(sites["variant"], sites["site_id"]))
    rows = []
    for r in frame.to_dict("records"):
        masked = set(r.get("masked_variants") or ())
        rows.append(NoViewRow(str(r["name"]), str(r["label"]), int(r["candidates_masked"]),
                              int(r["candidates_removed"]), tuple(str(s) for v, s in chosen if v in masked)))
    return tuple(rows)


def not_proven(table: pd.DataFrame | None) -> int:
    """How many rows of a budget-curve or staged-plan table the time limit stopped (not infeasible ones).

    >>> not_proven(pd.DataFrame({"proven_optimal": [True, False, False], "status": ["optimal", "x", "infeasible"]}))
    1
    """
    if table is None or "proven_optimal" not in table:
        return 0
    bad = ~table["proven_optimal"].astype(bool) & (table.get("status", pd.Series("", index=table.index)) != "infeasible")
    return int(bad.sum())
