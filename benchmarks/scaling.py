"""Benchmark: memory and time per demand point and per candidate at three sizes, and a fitted model.

Cases (the default scenario's settings: graded coverage, its incidents, cameras,
footfall, camera types, side constraints; only the study area, the network and
the budget change):

``small``
    A 400 m circle around Fridhemsplan on the default network.
``default``
    ``scenarios/fridhemsplan.toml`` as shipped.
``kungsholmen``
    The whole Kungsholmen district administration area (its seven stadsdelar:
    Kungsholmen, Stadshagen, Marieberg, Kristineberg, Fredhäll, Lilla and Stora
    Essingen) on the inner-city network ``data/osm/stockholm_drive_osmnx2020.tar.gz``.

The budget scales with the street length (the default's 1.5 MSEK per its
street km, rounded to 100 kSEK), so each case asks the same money per street.
Each case runs in a fresh process (spawned) and prints one JSON line:
``build_s`` (load_inputs + instance_for: network, demand, candidates, coverage,
rows), ``solve_s`` (one exact max-coverage solve, :func:`camsite.stages.answer`,
time limit ``--time-limit``), ``status``, ``gap``, ``peak_build_mb`` and
``peak_mb`` (the process's peak resident memory after the build and after the
solve, ``resource.getrusage``; Python and the libraries alone take about 250 MB),
``n_demand``, ``n_candidates`` (variants), ``n_rows``, ``nnz`` (the coverage
matrix's seen pairs), ``street_km``, ``area_km2``.

Then it fits, by least squares over the cases, ``build_s = a + b * nnz`` and
``peak_build_mb = c + d * nnz`` and prints the coefficients and the figures per
demand point and per candidate. Why nonzeros: the build's work is the sight
lines from each candidate to the demand points within its range, i.e. the seen
pairs, and its memory is the sparse matrices' entries; both grow with the area
(demand points and candidates both grow with the street length, their product
with its square, which no measured figure does). The solve is a MIP: no linear
model holds for it, so its time is reported per case only.

Last, :func:`municipality` estimates the street length of all 117 stadsdelar
of ``data/stockholm/stadsdelar_land_2021.geojson`` from the shipped inner-city
network: a stadsdel the network covers to at least half (its concave hull) gets
its measured street km divided by the share covered; any other gets its land
area times :data:`OUTER_KM_PER_KM2`, the median street density of the outer
stadsdelar the network covers fully. With the largest case's demand points,
candidates and seen pairs per street km and the fit, it prints the figures of
the whole municipality as one instance.

Usage::

    python benchmarks/scaling.py                 # the three cases and the fit (about 4 minutes on 2 cores)
    python benchmarks/scaling.py --cases small default
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
INNER_CITY = ROOT / "data" / "osm" / "stockholm_drive_osmnx2020.tar.gz"
KUNGSHOLMEN = ("KUNGSHOLMEN", "STADSHAGEN", "MARIEBERG", "KRISTINEBERG", "FREDHÄLL", "LILLA ESSINGEN",
               "STORA ESSINGEN")
CASES = ("small", "default", "kungsholmen")
DISTRICTS = ROOT / "data" / "stockholm" / "stadsdelar_land_2021.geojson"
#: Street km per km² of land assumed for a stadsdel the shipped network does not cover (module docs).
OUTER_KM_PER_KM2 = 11.9


def _scenario(case: str):
    from dataclasses import replace

    from camsite import config
    from camsite.config import Area

    scenario = config.load(SCENARIO)
    if case == "small":
        scenario = config.override(scenario, study_area=Area(center=(59.3330, 18.0308), radius_m=400.0))
    elif case == "kungsholmen":
        scenario = config.override(scenario, study_area=Area(districts=KUNGSHOLMEN),
                                   network=replace(scenario.network, path=str(INNER_CITY)))
    return scenario


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def run_case(case: str, *, time_limit: float, budget_per_km: float | None) -> dict:
    """Build the case's instance, then solve it once; the figures of the module docs."""
    from dataclasses import replace

    from camsite import config, stages

    scenario = _scenario(case)
    t0 = time.perf_counter()
    inputs = stages.load_inputs(scenario)
    instance = stages.instance_for(scenario, inputs, viewsheds=False)
    build = time.perf_counter() - t0
    peak_build = _peak_mb()
    street_km = float(inputs.network.edges["length_m"].sum()) / 1000
    opt = scenario.optimization
    budget = opt.budget_sek if budget_per_km is None else round(budget_per_km * street_km, -5)
    opt = replace(opt, budget_sek=budget, time_limit_s=time_limit, budget_sweep=None)
    scenario = config.override(scenario, optimization=opt)
    constraints = stages.constraints_for(instance, opt)
    t1 = time.perf_counter()
    sol = stages.answer(scenario, inputs, instance, constraints).solution
    return {"case": case, "build_s": round(build, 2), "solve_s": round(time.perf_counter() - t1, 2),
            "status": sol.status, "gap": round(float(sol.gap), 5), "budget_sek": budget,
            "n_sites": len(sol.selected), "peak_build_mb": peak_build, "peak_mb": _peak_mb(),
            "n_demand": len(instance.demand), "n_candidates": len(instance.candidates),
            "n_rows": len(instance.rows.weights), "nnz": int(instance.coverage.nnz),
            "street_km": round(street_km, 1), "area_km2": round(float(inputs.study_area.area) / 1e6, 3)}


def _worker(case: str, time_limit: float, budget_per_km: float | None, queue: mp.Queue) -> None:
    queue.put(run_case(case, time_limit=time_limit, budget_per_km=budget_per_km))


def fit(rows: list[dict], y: str, x: str = "nnz") -> tuple[float, float]:
    """Least squares ``y = a + b * x`` over the cases (a, b)."""
    xs, ys = np.array([r[x] for r in rows], float), np.array([r[y] for r in rows], float)
    b, a = np.polyfit(xs, ys, 1)
    return float(a), float(b)


def municipality() -> dict:
    """The municipality's street km estimated per stadsdel from the shipped polygons and network (module docs)."""
    from dataclasses import replace

    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    from camsite import config
    from camsite.stages import inputs as readers

    scenario = config.load(SCENARIO)
    scenario = config.override(scenario, network=replace(scenario.network, path=str(INNER_CITY)))
    net, _ = readers.read_network(scenario, box(0, 0, 1e7, 1e8))
    hull = shapely.concave_hull(shapely.MultiPoint(net.nodes.geometry.to_numpy()), ratio=0.05)
    districts = gpd.read_file(DISTRICTS).to_crs(scenario.crs)
    lines = net.edges.geometry
    measured = estimated = 0.0
    n_measured = 0
    for geom in districts.geometry:
        covered = geom.intersection(hull).area / geom.area
        if covered >= 0.5:
            measured += float(lines.intersection(geom).length.sum()) / 1000 / covered
            n_measured += 1
        else:
            estimated += geom.area / 1e6 * OUTER_KM_PER_KM2
    return {"stadsdelar": len(districts), "land_km2": round(float(districts.area.sum()) / 1e6, 1),
            "measured_stadsdelar": n_measured, "street_km_measured": round(measured, 1),
            "street_km_estimated": round(estimated, 1), "street_km": round(measured + estimated, 1)}


def main(argv: list[str] | None = None) -> int:
    """Run the cases, each in its own process, print one JSON line each, then the fit."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    ap.add_argument("--time-limit", type=float, default=120.0, help="the one solve's time limit (s)")
    args = ap.parse_args(argv)
    ctx = mp.get_context("spawn")
    rows: list[dict] = []
    per_km: float | None = None
    for case in ["default", *(c for c in args.cases if c != "default")]:
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_worker, args=(case, args.time_limit, per_km, queue))
        proc.start()
        result = queue.get()
        proc.join()
        if case == "default":
            per_km = result["budget_sek"] / result["street_km"]
        if case in args.cases:
            rows.append(result)
            print(json.dumps(result), flush=True)
    if len(rows) >= 2:
        (a, b), (c, d) = fit(rows, "build_s"), fit(rows, "peak_build_mb")
        pairs = np.mean([r["nnz"] / r["n_demand"] for r in rows]), np.mean([r["nnz"] / r["n_candidates"] for r in rows])
        print(json.dumps({"fit": "build_s = a + b * nnz; peak_build_mb = c + d * nnz", "a": round(a, 2),
                          "b_us_per_pair": round(b * 1e6, 3), "c": round(c, 1), "d_kb_per_pair": round(d * 1024, 4),
                          "pairs_per_demand_point": round(float(pairs[0]), 2),
                          "pairs_per_candidate": round(float(pairs[1]), 1)}), flush=True)
        big = max(rows, key=lambda r: r["street_km"])
        city = municipality()
        km = city["street_km"]
        nnz = big["nnz"] / big["street_km"] * km
        print(json.dumps({"municipality": city, "n_demand": round(big["n_demand"] / big["street_km"] * km, -3),
                          "n_candidates": round(big["n_candidates"] / big["street_km"] * km, -3),
                          "nnz": round(nnz, -4), "build_s": round(a + b * nnz), "peak_build_mb": round(c + d * nnz),
                          "per": big["case"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
