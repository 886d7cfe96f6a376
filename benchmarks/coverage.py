"""Benchmark: the coverage model (open space + coverage matrix + viewsheds) at district and city scale.

Cases:

``fridhemsplan``
    The default scenario ``scenarios/fridhemsplan.toml``: its study area,
    network, incidents, existing cameras, camera types and demand settings;
    demand and candidates kept inside the study area as the pipeline does.
``inner_city``
    The same settings on the whole inner-city network in
    ``data/osm/stockholm_drive_osmnx2020.tar.gz`` (about 1,000 km of streets,
    7,000 intersections), no clipping.

Each case runs in a fresh process per coverage model (``--models``: the
scenario's ``[quality]`` with ``coverage = "binary"`` and ``"graded"``) and
prints one JSON line: ``case``, ``model``, ``n_demand``, ``n_candidates``,
``nnz``, ``seconds`` (``open_space`` plus ``coverage_matrix`` for the
candidates, viewsheds included, plus for graded the pair values and the
optimiser's rows), ``rows`` (the optimiser's rows), ``solve_seconds`` (one
exact max-coverage solve at the scenario's budget, no side constraints; with
``--no-solve`` none), ``status``, ``peak_mb`` (the process's peak resident
memory from ``resource.getrusage``, so it includes reading the network: an
upper bound for the coverage step), and ``prepare_seconds`` (network, demand,
candidates; not part of ``seconds``).

Usage::

    python benchmarks/coverage.py                      # both cases, both models
    python benchmarks/coverage.py --cases inner_city --models graded --no-viewsheds --method exact
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
INNER_CITY = ROOT / "data" / "osm" / "stockholm_drive_osmnx2020.tar.gz"
CASES = ("fridhemsplan", "inner_city")


def _inputs(case: str, model: str):
    from dataclasses import replace

    from shapely.geometry import box

    from camsite import candidates, config, demand, stages
    from camsite.stages import inputs as readers

    scenario = config.load(SCENARIO)
    scenario = config.override(scenario, quality=replace(scenario.quality, coverage=model))
    if case == "inner_city":
        scenario = config.override(scenario, network=replace(scenario.network, path=str(INNER_CITY)))
        area = box(0, 0, 1e7, 1e8)  # everything
    else:
        area, _ = readers.read_study_area(scenario)
    net, _ = readers.read_network(scenario, area)
    inc, _, _ = readers.load_incidents(scenario, area)
    existing, _ = readers.load_cameras(scenario, area)
    extras = readers.read_extras(scenario, area, net)
    cams = stages.camera_models(scenario)
    if model == "graded":
        cams = cams.graded()
    dem, _ = demand.build_demand(net, inc, scenario.demand, category_weights=scenario.category_weights,
                                 footfall=extras["footfall"], study_area=area)
    cands = candidates.build_candidates(net, existing, scenario.candidates, cameras=cams, crs=scenario.crs,
                                        mounting_points=extras["mounting_points"],
                                        exclusion_zones=extras["exclusion_zones"])
    if case != "inner_city":
        dem = dem[dem.geometry.within(area).to_numpy()]
        cands = cands[cands.geometry.within(area).to_numpy()]
    return scenario, cams, net, dem.reset_index(drop=True), cands.reset_index(drop=True)


def run_case(case: str, viewsheds: bool, method: str, model: str = "binary", solve: bool = True) -> dict:
    """Prepare the inputs, then time open space + coverage matrix (+ values and rows), then one solve."""
    from camsite import coverage, optimize
    from camsite.stages._graded import pair_values
    from camsite.stages.rows import value_rows

    t0 = time.perf_counter()
    scenario, cams, net, dem, cands = _inputs(case, model)
    t1 = time.perf_counter()
    space = coverage.open_space(net)
    graded = model == "graded"
    cov = coverage.coverage_matrix(dem, cands, cams, open_space=space, viewsheds=viewsheds, method=method,
                                   graded=graded)
    w = dem["weight"].to_numpy(float)
    if graded:
        share = cams.lookup(cands["camera_type"].astype(str), "share")
        values = pair_values(cov.levels, dem["kind"].to_numpy(object), share, scenario.quality)
        rows = value_rows(values, w)
    else:
        rows = value_rows(cov.matrix, w)
    t2 = time.perf_counter()
    out = {"case": case, "model": model, "n_demand": len(dem), "n_candidates": len(cands),
           "nnz": int(cov.matrix.nnz), "rows": len(rows.weights), "seconds": round(t2 - t1, 2)}
    if solve:
        sol = optimize.max_coverage(rows.matrix, rows.weights, cands["cost_sek"].to_numpy(float),
                                    scenario.optimization.budget_sek, existing=rows.existing,
                                    solver=optimize.SolverOptions(time_limit_s=300, lp_bound=False, nested=graded))
        out.update(solve_seconds=round(time.perf_counter() - t2, 2), status=sol.status, n_sites=len(sol.selected))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {**out, "peak_mb": round(peak, 1), "prepare_seconds": round(t1 - t0, 2),
            "method": method, "viewsheds": viewsheds, "street_km": round(float(net.edges["length_m"].sum()) / 1000, 1)}


def _worker(case: str, viewsheds: bool, method: str, model: str, solve: bool, queue: mp.Queue) -> None:
    queue.put(run_case(case, viewsheds, method, model, solve))


def main(argv: list[str] | None = None) -> int:
    """Run the selected cases, each in its own process, and print one JSON line per case."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    ap.add_argument("--no-viewsheds", action="store_true", help="skip the viewshed polygons")
    ap.add_argument("--method", choices=("raster", "exact"), default="raster")
    ap.add_argument("--models", nargs="+", choices=("binary", "graded"), default=["binary", "graded"])
    ap.add_argument("--no-solve", action="store_true", help="time the coverage only")
    args = ap.parse_args(argv)
    ctx = mp.get_context("spawn")
    for case in args.cases:
        for model in args.models:
            queue: mp.Queue = ctx.Queue()
            proc = ctx.Process(target=_worker, args=(case, not args.no_viewsheds, args.method, model,
                                                     not args.no_solve, queue))
            proc.start()
            result = queue.get()
            proc.join()
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
