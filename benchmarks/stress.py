"""Stress test: the inner-city network with 1,000,000 incident points, step by step.

The whole shipped inner-city network (``data/osm/stockholm_drive_osmnx2020.tar.gz``,
about 1,100 km of streets) is the study area (its extent). One million
synthetic incidents are drawn near its streets with a fixed seed (a street
segment chosen in proportion to its length, a point along it, Gaussian
scatter of ``--scatter`` metres), written as a WGS84 lat/lon CSV in a
temporary folder and read back through camsite's own reader, exactly as a
user's export would be. Then the pipeline's steps run on them as
:func:`camsite.pipeline.run` does.

Each step prints one JSON line: ``step``, ``seconds`` (wall clock),
``cpu_seconds`` (this process's CPU time, all threads: the fairer figure on
a shared machine), ``peak_mb`` (the
highest resident memory of the process *during that step*, sampled every
20 ms from ``/proc/self/statm``), ``rss_mb`` (after the step), ``max_rss_mb``
(the process's peak so far, from ``getrusage``) and step-specific counts.

Usage::

    python benchmarks/stress.py                        # 1,000,000 incidents, 120 s solver limit
    python benchmarks/stress.py --incidents 100000 --time-limit 30
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
INNER_CITY = ROOT / "data" / "osm" / "stockholm_drive_osmnx2020.tar.gz"
CATEGORIES = ("vald", "narkotika", "knivlagen", "skadegorelse", "trafik", "ovrigt")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * _PAGE_MB


class _Sampler:
    """Samples the resident memory in a background thread; ``peak`` since the last :meth:`reset`."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak = max(self.peak, _rss_mb())

    def reset(self) -> None:
        self.peak = _rss_mb()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def step(name: str, sampler: _Sampler, extra: dict[str, Any]) -> Iterator[None]:
    """Time a step and print its JSON line (``extra`` is filled in by the step)."""
    sampler.reset()
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = max(sampler.peak, _rss_mb())
    line = {"step": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_mb": round(peak, 1), "rss_mb": round(_rss_mb(), 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), **extra}
    print(json.dumps(line, default=str), flush=True)


def write_incidents(edges: Any, n: int, path: Path, *, seed: int, scatter_m: float, crs: str) -> None:
    """``n`` synthetic incidents near the streets of ``edges``, as a lat/lon CSV (vectorised)."""
    import pandas as pd
    import shapely
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    geoms = edges.geometry.to_numpy()
    length = shapely.length(geoms)
    pick = rng.choice(len(geoms), size=n, p=length / length.sum())
    pts = shapely.line_interpolate_point(geoms[pick], rng.uniform(0, 1, n), normalized=True)
    x = shapely.get_x(pts) + rng.normal(0, scatter_m, n)
    y = shapely.get_y(pts) + rng.normal(0, scatter_m, n)
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    days = rng.integers(0, 4 * 365, n)
    frame = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "category": np.asarray(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), n)],
        "date": (np.datetime64("2022-01-01") + days.astype("timedelta64[D]")).astype(str),
    })
    frame.to_csv(path, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    """Run the steps and print one JSON line each."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=1_000_000, help="number of synthetic incidents")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--scatter", type=float, default=8.0, help="scatter of the incidents around the street, m")
    ap.add_argument("--budget", type=float, default=10_000_000, help="budget in SEK")
    ap.add_argument("--time-limit", type=float, default=120.0, help="solver time limit, s")
    ap.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    args = ap.parse_args(argv)

    from pyproj import Transformer
    from shapely.geometry import box

    from camsite import candidates, config, coverage, layers, network, pipeline
    from camsite import demand as demand_mod
    from camsite.config import Area, PointLayer

    base = config.load(SCENARIO)
    base = base.with_overrides(**{"network.path": str(INNER_CITY), "optimization.budget_sek": args.budget,
                                  "optimization.time_limit_s": args.time_limit, "optimization.solver": args.solver})
    sampler = _Sampler()
    print(json.dumps({"step": "start", "incidents": args.incidents, "seed": args.seed, "budget_sek": args.budget,
                      "time_limit_s": args.time_limit, "solver": args.solver, "cpus": os.cpu_count(),
                      "rss_mb": round(_rss_mb(), 1)}), flush=True)
    with tempfile.TemporaryDirectory(prefix="camsite-stress-") as tmp:
        info: dict[str, Any] = {}
        with step("network", sampler, info):
            net = network.load_network(base, box(-1e8, -1e8, 1e8, 1e8))
            x0, y0, x1, y1 = net.edges.total_bounds
            lon, lat = Transformer.from_crs(base.crs, "EPSG:4326", always_xy=True).transform(
                [x0, x1, x1, x0], [y0, y0, y1, y1])
            corners = tuple((float(a), float(b)) for a, b in zip(lon, lat))
            scenario = replace(base, study_area=Area(polygon=corners), subareas=())
            area = pipeline.areas.study_area_polygon(scenario)
            net = network.load_network(scenario, area)  # as the pipeline does: clipped to the study area
            info.update(edges=int(len(net.edges)), street_km=round(float(net.edges["length_m"].sum()) / 1000, 1),
                        area_km2=round(area.area / 1e6, 2))

        csv = Path(tmp) / "incidents.csv"
        info = {}
        with step("write_incidents_csv", sampler, info):
            write_incidents(net.edges, args.incidents, csv, seed=args.seed, scatter_m=args.scatter, crs=base.crs)
            info.update(rows=args.incidents, csv_mb=round(csv.stat().st_size / 2**20, 1))

        scenario = replace(scenario, incidents=(PointLayer(path=str(csv), name="stress", source="synthetic",
                                                           id_column="id", date_column="date"),))
        info = {}
        with step("read_incidents", sampler, info):
            inc, inc_stats = pipeline._read_incidents(scenario, area)
            info.update(rows=int(len(inc)), **inc_stats)

        info = {}
        with step("existing_cameras", sampler, info):
            existing = layers.read_cameras(scenario.existing_cameras, scenario)
            info.update(rows=int(len(existing)))

        info = {}
        with step("demand", sampler, info):
            dem, _ = demand_mod.build_demand(net, inc, scenario, study_area=area)
            dem = pipeline._renumber_demand(pipeline._inside(dem, area))
            info.update(demand_points=int(len(dem)))
        del inc

        info = {}
        with step("candidates", sampler, info):
            cands = pipeline._inside(candidates.build_candidates(net, existing, scenario), area)
            info.update(candidates=int(len(cands)), sites=int(cands["site_id"].nunique()))

        info = {}
        with step("coverage", sampler, info):
            space = coverage.open_space(net, scenario)
            cov = coverage.coverage_matrix(dem, cands, scenario, open_space=space)
            ex_cov = coverage.coverage_matrix(dem, existing, scenario, open_space=space)
            existing_mask = np.asarray(ex_cov.matrix.sum(axis=1)).ravel() > 0
            info.update(nnz=int(cov.matrix.nnz), matrix_mb=round((cov.matrix.data.nbytes + cov.matrix.indices.nbytes
                                                                   + cov.matrix.indptr.nbytes) / 2**20, 1))

        info = {}
        with step("optimise", sampler, info):
            weights = dem["weight"].to_numpy(float)
            sol = pipeline._solve(scenario, cands, cov.matrix, weights, existing_mask, args.budget)
            info.update(status=sol.status, gap=None if not np.isfinite(sol.gap) else round(float(sol.gap), 6),
                        n_selected=int(len(sol.selected)), objective=round(float(sol.objective), 3),
                        solve_seconds=round(float(sol.runtime_s), 2),
                        lp_bound=None if sol.lp_bound is None else round(float(sol.lp_bound), 3),
                        greedy_objective=None if sol.greedy_objective is None else round(float(sol.greedy_objective), 3),
                        reduction={k: getattr(v, "item", lambda: v)() for k, v in dict(sol.reduction).items()})
    sampler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
