"""The report writers' synthetic RunResult: a 5 x 5 street grid near Fridhemsplan, no pipeline needed
(fixtures ``report_result`` and ``report_out``, imported by conftest.py for every test module)."""

from __future__ import annotations

import math

import pytest

import factory

# --- report: a small synthetic RunResult near Fridhemsplan, no pipeline needed ---------------------------------------

_SOURCE = "EN 62676-4; Huddinge 2019"
REPORT_SCENARIO = {
    "name": "syntetisk",
    "title": "Kameraövervakning Fridhemsplan (syntetiskt testfall)",
    "description": "Syntetiskt rutnät av gator runt Fridhemsplan för tester av rapporten.",
    "study_area": {"polygon": [[18.024, 59.330], [18.036, 59.330], [18.036, 59.336], [18.024, 59.336]]},
    "subareas": [
        {"name": "fridhemsplan", "label": "Fridhemsplan (platssamverkan)", "source": "illustrative",
         "polygon": [[18.024, 59.330], [18.030, 59.330], [18.030, 59.336], [18.024, 59.336]]},
        {"name": "stadshagen", "label": "Stadshagen (platssamverkan)", "source": "illustrative",
         "polygon": [[18.030, 59.330], [18.036, 59.330], [18.036, 59.336], [18.030, 59.336]]},
    ],
    "network": {"path": "net.graphml", "source": "synthetic grid"},
    "incidents": [{"name": "syntetiska", "path": "incidents.csv", "source": "synthetic"}],
    "existing_cameras": {"path": "cameras.csv", "source": "illustrative", "default_type": "ptz_dome"},
    "camera_types": [
        dict(factory.FIXED_1080P, label="Fast kamera 1080p, 60° (observera ~30 m)", source=_SOURCE),
        dict(factory.PTZ_DOME, label="PTZ-dom 360° (observera ~60 m)", source=_SOURCE),
    ],
    "optimization": {"budget_sek": 1000000, "horizon_years": 4,
                     "budget_sweep": {"start": 250000, "stop": 2000000, "step": 250000}},
}

_REPORT_STREETS_EW = ("Fleminggatan", "Sankt Eriksgatan norra", "Kronobergsgatan", "Hantverkargatan", "Garvargatan")
_REPORT_STREETS_NS = ("Mariebergsgatan", "Polhemsgatan", "Sankt Eriksgatan", "Celsiusgatan", "Arbetargatan")


def _report_network(x0: float, y0: float, step: float):
    """A 5 × 5 grid of named streets (east-west row i and north-south column i, alternately)."""
    lines, names = [], []
    n = len(_REPORT_STREETS_EW)
    for i in range(n):
        for j in range(n - 1):
            lines.append([(j * step, i * step), ((j + 1) * step, i * step)])
            names.append(_REPORT_STREETS_EW[i])
            lines.append([(i * step, j * step), (i * step, (j + 1) * step)])
            names.append(_REPORT_STREETS_NS[i])
    highway = ["secondary" if "Sankt" in nm else "residential" for nm in names]
    return factory.network(lines, names=names, highway=highway, origin=(x0, y0),
                           half_width=[12.0 if h == "secondary" else 8.0 for h in highway])


def _report_viewshed(point, range_m, fov_deg, heading, corridor):
    from shapely.geometry import Polygon

    disc = point.buffer(range_m, quad_segs=16)
    if fov_deg < 360 and heading == heading:
        a0, a1 = math.radians(90 - heading - fov_deg / 2), math.radians(90 - heading + fov_deg / 2)
        arc = [(point.x + 2 * range_m * math.cos(a0 + (a1 - a0) * k / 12),
                point.y + 2 * range_m * math.sin(a0 + (a1 - a0) * k / 12)) for k in range(13)]
        disc = disc.intersection(Polygon([(point.x, point.y), *arc]))
    return disc.intersection(corridor)


def build_report_result():
    """A RunResult with the pipeline's shapes, built by hand on a 5 × 5 street grid (EPSG:3011).

    Coverage is a plain point-in-viewshed test and the plan a cost-effectiveness
    greedy, both computed here, independently of camsite's coverage and
    optimisation code; the solution is reported as stopped at the time limit.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp
    from pyproj import Transformer
    from shapely.geometry import Point, box

    from camsite.cameras import CameraModels
    from camsite.optimize import Solution
    from camsite.result import RunResult
    from camsite.stages import CameraTypeRow, CoverageRow, DataSource, Inputs, Instance, Summary
    from camsite.stages.summary import kind_masks

    scen = factory.scenario(REPORT_SCENARIO, file="syntetisk.toml")
    rng = np.random.default_rng(5)
    x0, y0, step = 151500.0, 6579500.0, 120.0
    net = _report_network(x0, y0, step)
    edges = net.edges
    corridor = edges.buffer(edges["half_width_m"]).union_all()
    study = box(x0 - 40, y0 - 40, x0 + 4 * step + 40, y0 + 4 * step + 40)
    to_wgs = Transformer.from_crs("EPSG:3011", "EPSG:4326", always_xy=True)
    subareas = gpd.GeoDataFrame({"name": ["fridhemsplan", "stadshagen"],
                                 "label": ["Fridhemsplan (platssamverkan)", "Stadshagen (platssamverkan)"],
                                 "source": ["illustrative", "illustrative"]},
                                geometry=[box(x0 - 40, y0 - 40, x0 + 2 * step, y0 + 4 * step + 40),
                                          box(x0 + 2 * step, y0 - 40, x0 + 4 * step + 40, y0 + 4 * step + 40)],
                                crs="EPSG:3011")
    # incidents: clustered near the centre (a hot spot) plus background, on or next to the streets
    cats = np.array(["vald", "narkotika", "knivlagen", "skadegorelse", "trafik"])
    n_inc = 90
    e_idx = np.where(rng.random(n_inc) < 0.6, rng.choice([14, 15, 16, 17, 22, 23], n_inc),
                     rng.integers(0, len(edges), n_inc))
    pts = [edges.geometry.iloc[e].interpolate(rng.random(), normalized=True) for e in e_idx]
    pts = [Point(p.x + rng.normal(0, 3), p.y + rng.normal(0, 3)) for p in pts]
    category = rng.choice(cats, n_inc, p=[0.35, 0.3, 0.1, 0.15, 0.1])
    incidents = gpd.GeoDataFrame({
        "incident_id": [f"syn-{i:03d}" for i in range(n_inc)], "category": category,
        "weight": 1.0, "date": pd.Timestamp("2024-03-01"), "precision": "point", "street": "",
        "source": "synthetic"}, geometry=pts, crs="EPSG:3011")
    # demand: the incidents plus street space every 20 m
    street_pts, street_edge = [], []
    for e, geom in zip(edges["edge_id"], edges.geometry):
        for d in np.arange(10, geom.length, 20):
            street_pts.append(geom.interpolate(d))
            street_edge.append(e)
    weights_cat = dict(scen.category_weights)
    demand = gpd.GeoDataFrame({
        "kind": ["incident"] * n_inc + ["street"] * len(street_pts),
        "category": list(category) + ["gata"] * len(street_pts),
        "weight": [weights_cat.get(c, 0.1) for c in category] + [0.2] * len(street_pts),
        "incidents": [1.0] * n_inc + [0.0] * len(street_pts),
        "edge_id": list(e_idx) + street_edge,
    }, geometry=pts + street_pts, crs="EPSG:3011")
    demand.insert(0, "demand_id", np.arange(len(demand)))
    # candidates: a dome at every intersection and a fixed camera mid-block on every east-west street
    cand_rows = []
    for i in range(5):
        for j in range(5):
            cand_rows.append((f"S{i}{j}", f"S{i}{j}:ptz_dome", "ptz_dome", np.nan, "intersection",
                              _REPORT_STREETS_EW[i], Point(x0 + j * step, y0 + i * step)))
            if j < 4:
                for h in (90.0, 270.0):
                    cand_rows.append((f"M{i}{j}", f"M{i}{j}:fixed_1080p:{h:.0f}", "fixed_1080p", h, "street",
                                      _REPORT_STREETS_EW[i], Point(x0 + (j + 0.5) * step, y0 + i * step + 6)))
    horizon = scen.optimization.horizon_years
    cams = CameraModels.from_types(scen.camera_types, horizon_years=horizon)
    candidates = gpd.GeoDataFrame({
        "site_id": [r[0] for r in cand_rows], "variant": [r[1] for r in cand_rows],
        "camera_type": [r[2] for r in cand_rows], "heading_deg": [r[3] for r in cand_rows],
        "cost_sek": [scen.camera_type(r[2]).cost_sek(horizon) for r in cand_rows], "penalty_sek": 0.0,
        "kind": [r[4] for r in cand_rows], "street": [r[5] for r in cand_rows]},
        geometry=[r[6] for r in cand_rows], crs="EPSG:3011")
    existing = gpd.GeoDataFrame({
        "camera_id": ["K1", "K2", "K3"], "camera_type": ["ptz_dome", "ptz_dome", "fixed_1080p"],
        "heading_deg": [np.nan, np.nan, 0.0], "source": "illustrative"},
        geometry=[Point(x0, y0), Point(x0 + 4 * step, y0 + 4 * step), Point(x0 + 3 * step + 5, y0 + 1.5 * step)],
        crs="EPSG:3011")

    def views(frame):
        cam = {c.name: c for c in scen.camera_types}
        return gpd.GeoSeries([_report_viewshed(g, cam[t].range_m, cam[t].fov_deg, h, corridor) for g, t, h in
                              zip(frame.geometry, frame["camera_type"], frame["heading_deg"])], crs="EPSG:3011")

    def matrix(vs):
        hits = gpd.sjoin(demand[["geometry"]], gpd.GeoDataFrame(geometry=vs), predicate="within")
        return sp.csr_matrix((np.ones(len(hits), bool), (hits.index.to_numpy(), hits["index_right"].to_numpy())),
                             shape=(len(demand), len(vs)))

    cand_views, ex_views = views(candidates), views(existing)
    cov, ex_cov = matrix(cand_views), matrix(ex_views)
    w = demand["weight"].to_numpy(float)
    inc = demand["incidents"].to_numpy(float)
    costs = candidates["cost_sek"].to_numpy(float)
    budget = scen.optimization.budget_sek
    site_of = candidates["site_id"].to_numpy()

    def greedy(limit):
        covered = np.asarray(ex_cov.sum(axis=1)).ravel() > 0
        picked, gains, spent = [], [], 0.0
        csc = cov.tocsc()
        while True:
            best, best_ratio = -1, 0.0
            used = {site_of[k] for k in picked}
            for j in range(cov.shape[1]):
                if spent + costs[j] > limit or site_of[j] in used:
                    continue
                rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
                g = w[rows][~covered[rows]].sum()
                if g / costs[j] > best_ratio:
                    best, best_ratio = j, g / costs[j]
            if best < 0:
                return picked, gains, covered
            rows = csc.indices[csc.indptr[best]:csc.indptr[best + 1]]
            new = rows[~covered[rows]]
            gains.append((w[new].sum(), inc[new].sum()))
            covered[rows] = True
            picked.append(best)
            spent += costs[best]

    before_mask = np.asarray(ex_cov.sum(axis=1)).ravel() > 0
    order, gains, after_mask = greedy(budget)
    chosen = candidates.iloc[order]
    lon, lat = to_wgs.transform(chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy())
    total = w.sum()
    sites = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1), "site_id": chosen["site_id"].to_numpy(),
        "lon": np.round(lon, 6), "lat": np.round(lat, 6),
        "easting": np.round(chosen.geometry.x.to_numpy(), 1), "northing": np.round(chosen.geometry.y.to_numpy(), 1),
        "street": chosen["street"].to_numpy(), "camera_type": chosen["camera_type"].to_numpy(),
        "cost_sek": np.round(chosen["cost_sek"].to_numpy(float), 0),
        "gain_weight": np.round([g[0] for g in gains], 4), "gain_incidents": np.round([g[1] for g in gains], 3),
        "cumulative_cost_sek": np.cumsum(chosen["cost_sek"].to_numpy(float)),
        "cumulative_coverage_pct": np.round(100 * (w[before_mask].sum() + np.cumsum([g[0] for g in gains])) / total, 3),
        # why each site: fixed texts (camsite.evidence computes them in a real run; test_district_plan.py tests it)
        "why_categories": "narkotika 4, vald <3", "why_precision": "gata 4, korsning <3",
        "streets_seen": chosen["street"].to_numpy(), "alternative_site_id": "S999",
        "alternative_gain_weight": np.round([g[0] * 0.9 for g in gains], 4),
        "gain_events": 4, "top_event_share": 0.25, "rests_on_one_event": False,
        "variant": chosen["variant"].to_numpy(), "heading_deg": chosen["heading_deg"].to_numpy(float),
        # the camera type's field of view and range; binary coverage: no gain per image-quality level
        "fov_deg": cams.lookup(chosen["camera_type"].astype(str), "fov_deg"),
        "range_m": cams.lookup(chosen["camera_type"].astype(str), "range_m"),
        **dict.fromkeys(("gain_identify_pct", "gain_recognise_pct", "gain_observe_pct", "gain_detect_pct"), np.nan),
        "kind": chosen["kind"].to_numpy(), "candidate_index": np.asarray(order),
    })
    objective = float(w[after_mask].sum())
    solution = Solution(selected=np.sort(np.asarray(order, dtype=np.int64)), objective=objective,
                        bound=objective * 1.004, gap=0.004, status="time_limit", runtime_s=1.7, solver="highs",
                        spent=float(costs[order].sum()), covered_weight=objective, total_weight=float(total))
    curve_rows = []
    for b in scen.optimization.budget_sweep.values():
        o, _, m = greedy(b)
        curve_rows.append({"budget_sek": b, "spent_sek": float(costs[o].sum()), "n_sites": len(o),
                           "coverage_pct": round(100 * w[m].sum() / total, 3), "backup_pct": 0.0,
                           "status": "optimal", "gap": 0.0})
    curve = pd.DataFrame(curve_rows)
    knee = {"budget_sek": 750000.0,
            "coverage_pct": float(curve.loc[curve["budget_sek"] == 750000, "coverage_pct"].iat[0])}

    def breakdown(groups, labels):
        out = []
        for name, mask in groups.items():
            wt = float(w[mask].sum())
            out.append(CoverageRow(
                name=name, label=None if labels is None else labels.get(name, name), weight_total=round(wt, 4),
                incidents_total=float(inc[mask].sum()),
                before_pct=round(100 * w[mask & before_mask].sum() / wt, 3) if wt > 0 else None,
                after_pct=round(100 * w[mask & after_mask].sum() / wt, 3) if wt > 0 else None,
                incidents_before=float(inc[mask & before_mask].sum()),
                incidents_after=float(inc[mask & after_mask].sum())))
        return tuple(out)

    cat_groups = {c: demand["category"].eq(c).to_numpy() for c in sorted(demand["category"].unique())}
    sub_groups = {r.name: demand.geometry.within(r.geometry).to_numpy() for r in subareas.itertuples()}
    inputs = Inputs(
        crs="EPSG:3011", study_area=study, subareas=subareas, network=net, incidents=incidents, existing=existing,
        open_space=corridor, footfall=None, mounting_points=None,
        exclusion_zones=gpd.GeoDataFrame({"name": [], "penalty_sek": []}, geometry=gpd.GeoSeries([], crs="EPSG:3011")),
        stats=(), incident_stats={"read": n_inc, "outside_study_area": 0, "dropped": {}})
    instance = Instance(
        demand=demand, candidates=candidates, existing=existing, coverage=cov, existing_coverage=ex_cov,
        candidate_viewsheds=cand_views, existing_viewsheds=ex_views, weights=w, costs=costs,
        existing_mask=before_mask, cameras=cams, demand_stats={"demand_points": len(demand)})
    summary = Summary(
        scenario=scen.name, title=scen.title, scenario_file="scenarios/syntetisk.toml", date="2026-11-26",
        crs="EPSG:3011", budget_sek=budget, spent_sek=float(sites["cost_sek"].sum()), n_new_sites=len(sites),
        coverage_before_pct=round(100 * w[before_mask].sum() / total, 4),
        coverage_after_pct=round(100 * objective / total, 4), objective=objective, bound=solution.bound,
        gap=solution.gap, status=solution.status, solver="highs", runtime_s=2.1, solve_runtime_s=1.7,
        n_demand=len(demand), n_candidates=len(candidates),
        n_candidate_sites=int(candidates["site_id"].nunique()), n_existing_cameras=3, n_incidents=n_inc,
        weight_total=round(float(total), 4), horizon_years=horizon, greedy_objective=objective, lp_bound=None,
        coverage_by_category=breakdown(cat_groups, None),
        coverage_by_subarea=breakdown(sub_groups, dict(zip(subareas["name"], subareas["label"]))),
        budget_curve_knee=knee,
        camera_types=tuple(CameraTypeRow(c.name, c.label, c.range_m, c.fov_deg, c.capex_sek, c.opex_sek_per_year,
                                         c.cost_sek(horizon), c.source) for c in scen.camera_types),
        category_weights=dict(scen.category_weights), incident_stats=dict(inputs.incident_stats),
        demand_stats=dict(instance.demand_stats),
        data_sources=(
            DataSource("network", "data/osm/net.graphml", "synthetic grid", "synthetic 5 × 5 grid (tests)",
                       len(edges), "© OpenStreetMap contributors, ODbL 1.0"),
            DataSource("incidents:syntetiska", "incidents.csv", "synthetic", "synthetic", n_inc),
            DataSource("existing_cameras", "cameras.csv", "illustrative", "illustrative", 3)),
        illustrative_layers=("incidents:syntetiska", "existing_cameras"),
        coverage_by_kind=(kinds := breakdown(kind_masks(demand), None)),
        incident_coverage_before_pct=next((r.before_pct for r in kinds if r.name == "incident"), None),
        incident_coverage_after_pct=next((r.after_pct for r in kinds if r.name == "incident"), None),
    )
    return RunResult(scenario=scen, inputs=inputs, instance=instance, solution=solution, sites=sites,
                     summary=summary, budget_curve=curve)


@pytest.fixture(scope="session")
def report_result():
    """A synthetic RunResult on a street grid at Fridhemsplan (EPSG:3011), for the report writers."""
    return build_report_result()


@pytest.fixture(scope="session")
def report_out(report_result, tmp_path_factory):
    """An output folder with sites.csv, summary.json and every deliverable of :func:`report_result`."""
    from camsite import report
    from camsite.report import outputs

    out = tmp_path_factory.mktemp("report_out")
    outputs.write_sites_csv(report_result.sites, out / "sites.csv")
    outputs.write_summary(report.summary_data(report_result.summary), out / "summary.json")
    report.write_deliverables(report_result, out)
    return out
