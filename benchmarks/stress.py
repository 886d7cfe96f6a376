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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

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

    from camsite import config, network, stages
    from camsite.config import Area, PointLayer
    from camsite.stages import inputs as readers

    base = config.load(SCENARIO)
    base = config.override(base, network=replace(base.network, path=str(INNER_CITY)),
                           optimization=replace(base.optimization, budget_sek=args.budget,
                                                time_limit_s=args.time_limit, solver=args.solver))
    sampler = _Sampler()
    print(json.dumps({"step": "start", "incidents": args.incidents, "seed": args.seed, "budget_sek": args.budget,
                      "time_limit_s": args.time_limit, "solver": args.solver, "cpus": os.cpu_count(),
                      "rss_mb": round(_rss_mb(), 1)}), flush=True)
    with tempfile.TemporaryDirectory(prefix="camsite-stress-") as tmp:
        info: dict[str, Any] = {}
        with step("network", sampler, info):
            whole = network.load_network(base, box(-1e8, -1e8, 1e8, 1e8))
            x0, y0, x1, y1 = whole.edges.total_bounds
            lon, lat = Transformer.from_crs(base.crs, "EPSG:4326", always_xy=True).transform(
                [x0, x1, x1, x0], [y0, y0, y1, y1])
            corners = tuple((float(a), float(b)) for a, b in zip(lon, lat))
            scenario = config.override(base, study_area=Area(polygon=corners), subareas=())
            area, _ = readers.read_study_area(scenario)
            net, _ = readers.read_network(scenario, area)  # as a run does: clipped to the study area
            info.update(edges=len(net.edges), street_km=round(float(net.edges["length_m"].sum()) / 1000, 1),
                        area_km2=round(area.area / 1e6, 2))

        csv = Path(tmp) / "incidents.csv"
        info = {}
        with step("write_incidents_csv", sampler, info):
            write_incidents(net.edges, args.incidents, csv, seed=args.seed, scatter_m=args.scatter, crs=base.crs)
            info.update(rows=args.incidents, csv_mb=round(csv.stat().st_size / 2**20, 1))

        scenario = config.override(scenario, incidents=(PointLayer(path=str(csv), name="stress", source="synthetic",
                                                                   id_column="id", date_column="date"),))
        info = {}
        with step("read_incidents", sampler, info):
            inc, inc_stats, _ = readers.load_incidents(scenario, area)
            info.update(rows=len(inc), **inc_stats)

        info = {}
        with step("existing_cameras_and_open_space", sampler, info):
            existing, _ = readers.load_cameras(scenario, area)
            extras = readers.read_extras(scenario, area, net)
            info.update(rows=len(existing))
        inputs = stages.Inputs(crs=scenario.crs, study_area=area, subareas=readers.read_study_area(scenario)[1],
                               network=net, incidents=inc, existing=existing, open_space=extras["open_space"],
                               footfall=extras["footfall"], mounting_points=extras["mounting_points"],
                               exclusion_zones=extras["exclusion_zones"], stats=(), incident_stats=inc_stats)
        del inc

        info = {}
        with step("instance", sampler, info):  # demand, candidates and the coverage matrix
            opt = scenario.optimization
            instance = stages.instance_for(scenario, inputs)
            cov = instance.coverage
            info.update(demand_points=len(instance.demand), candidates=len(instance.candidates),
                        sites=int(instance.candidates["site_id"].nunique()), nnz=int(cov.nnz),
                        matrix_mb=round((cov.data.nbytes + cov.indices.nbytes + cov.indptr.nbytes) / 2**20, 1))

        info = {}
        with step("optimise", sampler, info):
            sol = stages.solve(instance, stages.MaxCoverage(args.budget), stages.constraints_for(instance, opt),
                               stages.solver_options(opt))
            info.update(status=sol.status, gap=None if not np.isfinite(sol.gap) else round(float(sol.gap), 6),
                        n_selected=len(sol.selected), objective=round(float(sol.objective), 3),
                        solve_seconds=round(float(sol.runtime_s), 2),
                        lp_bound=None if sol.lp_bound is None else round(float(sol.lp_bound), 3),
                        greedy_objective=None if sol.greedy_objective is None else round(float(sol.greedy_objective), 3),
                        reduction={k: v.item() if hasattr(v, "item") else v for k, v in dict(sol.reduction).items()})
    sampler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
