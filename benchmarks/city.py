"""Benchmark: the inner-city scenario (``scenarios/innerstaden.toml``) at city scale.

Prints one JSON line per measurement (``what``):

``build``
    The instance built from the scenario as every command builds it
    (``config.load``, ``stages.load_inputs``, ``stages.instance_for``: graded
    coverage, expected coverage over each incident's position uncertainty,
    mounting positions) in a fresh process: ``wall_s``, ``cpu_s`` (this
    process's user + system seconds, which stay comparable when other jobs
    share the cores), ``peak_mb`` (the process's peak resident memory, from
    ``resource.getrusage``: reading the network included), and the instance's
    size (``n_demand``, ``n_candidates``, ``n_sites``, ``rows``, ``nnz``).
    Targets: < 60 s and < 4 GB.
``solve``
    One exact solve at the scenario's budget (``stages.answer`` with the
    scenario's side constraints, as ``camsite run --no-curve`` solves it), in
    the same process after the build: ``status``, ``gap``, ``wall_s``,
    ``cpu_s``, ``n_sites``, ``spent_sek``, ``incident_pct`` (share of the
    incident weight seen, graded). Target: proven optimal in < 60 s on 2 cores.

``curve_1``, ``curve_pool``, ``curve_dask``
    The city budget curve (the scenario's 8 budgets, every one solved, with
    the districts' spending rows) with 1 worker in this process (T1), on a
    2-worker local pool (T2) and on a 2-worker Dask LocalCluster bound to
    127.0.0.1 (T2d): ``wall_s``, ``cpu_s`` (the pool's workers and the Dask
    workers' CPU included), ``load``, ``efficiency`` (``T1 / (2 T2)``, wall)
    and ``same_table`` (the curve equals the in-process one). Targets: < 3 min,
    efficiency >= 0.8.
``main_solve``, ``gains_serial``, ``curve_and_gains_pool``
    The districts' marginal-gain solves at the city optimum one after the
    other in this process, and queued on the curve's 2-worker pool after its
    budgets as a run queues them (``curve_wall_s``: when the curve was done;
    ``same_gains``).

Usage::

    python benchmarks/city.py                 # build and one solve, then the curve's rows
    python benchmarks/city.py --only build --time-limit 300
    python benchmarks/city.py --only curve
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "innerstaden.toml"


def load_city(path: Path = SCENARIO) -> Any:
    """The city scenario, as every command loads it."""
    from camsite import config

    return config.load(path)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def build_and_solve(path: Path, time_limit_s: float | None) -> list[dict[str, Any]]:
    """Build the instance, then solve it once at the scenario's budget; the two rows (see the module doc)."""
    from dataclasses import replace

    from camsite import config, stages

    t0, c0 = time.perf_counter(), _cpu()
    scenario = load_city(path)
    if time_limit_s is not None:
        scenario = config.override(scenario, optimization=replace(scenario.optimization, time_limit_s=time_limit_s))
    inputs = stages.load_inputs(scenario)
    inst = stages.instance_for(scenario, inputs)
    build = {"what": "build", "scenario": path.name, "wall_s": round(time.perf_counter() - t0, 2),
             "cpu_s": round(_cpu() - c0, 2), "peak_mb": _peak_mb(), "coverage": inst.coverage_model,
             "n_demand": len(inst.demand), "n_candidates": len(inst.candidates),
             "n_sites": int(inst.candidates["site_id"].nunique()), "rows": len(inst.rows.weights),
             "nnz": int(inst.rows.matrix.nnz)}
    t1, c1 = time.perf_counter(), _cpu()
    cons = stages.constraints_for(inst, scenario.optimization)
    sol = stages.answer(scenario, inputs, inst, cons).solution
    chosen = inst.candidates.iloc[sol.selected]
    inc = inst.demand["kind"].isin(["incident", "point"]).to_numpy()
    solve = {"what": "solve", "scenario": path.name, "budget_sek": scenario.optimization.budget_sek,
             "status": sol.status, "gap": round(float(sol.gap), 6), "wall_s": round(time.perf_counter() - t1, 2),
             "cpu_s": round(_cpu() - c1, 2), "peak_mb": _peak_mb(), "n_sites": len(sol.selected),
             "spent_sek": round(float(chosen["cost_sek"].sum())),
             "incident_pct": _incident_pct(inst, sol.selected, inc)}
    return [build, solve]


def _incident_pct(inst: Any, selected: Any, incident: Any) -> float:
    """Share (%) of the incident weight seen, graded: a row's weight counts when the plan or a camera reaches it."""
    rows = inst.rows
    mask = incident[rows.point]
    total = float(rows.weights[mask].sum())
    seen = float(rows.weights[mask & rows.covered(selected)].sum())
    return round(100 * seen / total, 2) if total > 0 else 0.0


def _worker(path: str, time_limit_s: float | None, queue: mp.Queue) -> None:
    queue.put(build_and_solve(Path(path), time_limit_s))


def city_rows(*, path: Path = SCENARIO, time_limit_s: float | None = None) -> list[dict[str, Any]]:
    """The build and solve rows, measured in a fresh process (so peak memory is this build's)."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_worker, args=(str(path), time_limit_s, queue))
    proc.start()
    rows: list[dict[str, Any]] = queue.get()
    proc.join()
    return rows


def _setup(path: Path) -> tuple[Any, Any, Any, Any]:
    """The scenario, its instance, the run's side constraints (districts' rows included) and the districts."""
    from camsite import stages

    scenario = load_city(path)
    inputs = stages.load_inputs(scenario)
    inst = stages.instance_for(scenario, inputs)
    city = stages.city_districts(scenario, inputs, inst)
    return scenario, inst, stages.plan_constraints(scenario, inputs, inst, city=city), city


def _timed_curve(scenario: Any, inst: Any, cons: Any, *, workers: int = 1, executor: Any = None,
                 cluster_cpu: Any = None, budgets: int | None = None) -> tuple[dict[str, Any], Any]:
    """One 8-budget curve (every budget solved: none known), wall and CPU seconds (this process and its pool's
    workers; on Dask the workers' own CPU seconds from ``cluster_cpu``), and its table."""
    from camsite import stages

    opt = scenario.optimization
    solver = stages.solver_options(opt, greedy=False, lp_bound=False, workers=workers)  # as a run's curve
    t0, c0, d0 = time.perf_counter(), _cpu(), cluster_cpu() if cluster_cpu else 0.0
    table = _start(inst, opt, cons, solver, executor, budgets).table()
    wall, cpu = time.perf_counter() - t0, _cpu() - c0 + ((cluster_cpu() - d0) if cluster_cpu else 0.0)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load": round(os.getloadavg()[0], 2),
            "budgets": table["budget_sek"].tolist(), "statuses": table["status"].tolist()}, table


def _start(inst: Any, opt: Any, cons: Any, solver: Any, executor: Any, budgets: int | None = None) -> Any:
    from camsite.stages.solve import start_budget_curve

    values = list(opt.budget_sweep.values())[:budgets]
    return start_budget_curve(inst, values, cons, solver, backup_weight=opt.backup_weight, executor=executor)


def _dask_cpu(client: Any) -> Any:
    """A function giving the Dask workers' CPU seconds so far (user + system, summed over the workers)."""
    def one() -> float:
        import psutil

        t = psutil.Process().cpu_times()
        return float(t.user + t.system)

    return lambda: float(sum(client.run(one).values()))


def _gains_rows(scenario: Any, inst: Any, cons: Any, city: Any, budgets: int | None) -> list[dict[str, Any]]:
    """The districts' marginal-gain solves at the city optimum: one after the other in this process, and queued
    on the curve's 2-worker pool after its budgets (the run's way): wall and CPU seconds, the same gains."""
    from camsite import stages

    opt = scenario.optimization
    t0, c0 = time.perf_counter(), _cpu()
    main = stages.solve(inst, stages.MaxCoverage(opt.budget_sek), cons, stages.solver_options(opt))
    rows: list[dict[str, Any]] = [{"what": "main_solve", "status": main.status,
                                   "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(_cpu() - c0, 2)}]
    t0, c0 = time.perf_counter(), _cpu()
    serial = stages.city_gains(scenario, city, inst, cons, main).result()
    rows.append({"what": "gains_serial", "wall_s": round(time.perf_counter() - t0, 2),
                 "cpu_s": round(_cpu() - c0, 2), "load": round(os.getloadavg()[0], 2)})
    t0, c0 = time.perf_counter(), _cpu()
    solver = stages.solver_options(opt, greedy=False, lp_bound=False, workers=2)
    pending = _start(inst, opt, cons, solver, None, budgets)
    gains = stages.city_gains(scenario, city, inst, cons, main, curve=pending)
    pending.table()
    t_curve = time.perf_counter() - t0
    pooled = gains.result()
    rows.append({"what": "curve_and_gains_pool", "workers": 2, "curve_wall_s": round(t_curve, 2),
                 "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(_cpu() - c0, 2),
                 "load": round(os.getloadavg()[0], 2), "same_gains": pooled == serial})
    return rows


def curve_rows(*, path: Path = SCENARIO, budgets: int | None = None) -> Iterator[dict[str, Any]]:
    """The city budget curve's rows: its 8 budgets (``[optimization.budget_sweep]``) with 1 worker (in this
    process, ``curve_1``), on a 2-worker local pool (``curve_pool``) and on a 2-worker Dask LocalCluster bound to
    127.0.0.1 (``curve_dask``), each with ``wall_s``, ``cpu_s``, the parallel efficiency ``T1 / (2 T2)`` and
    whether its table equals the in-process one; then the districts' marginal-gain solves one after the other
    and queued on the curve's pool (``gains_serial``, ``curve_and_gains_pool``). ``budgets``: only the first
    this many budgets of the sweep. Rows are yielded as they are measured."""
    from camsite.executors import DaskExecutor

    scenario, inst, cons, city = _setup(path)
    one, base = _timed_curve(scenario, inst, cons, workers=1, budgets=budgets)
    yield {"what": "curve_1", "workers": 1, **one}
    pool, table = _timed_curve(scenario, inst, cons, workers=2, budgets=budgets)
    yield {"what": "curve_pool", "workers": 2, **pool, "efficiency": round(one["wall_s"] / (2 * pool["wall_s"]), 3),
           "same_table": bool(table.equals(base))}
    try:
        import distributed
    except ImportError:
        yield {"what": "curve_dask", "skipped": "needs dask.distributed"}
    else:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, silence_logs=40) as lc, \
                distributed.Client(lc, set_as_default=False) as client:
            dask, table = _timed_curve(scenario, inst, cons, executor=DaskExecutor(client=client),
                                       cluster_cpu=_dask_cpu(client), budgets=budgets)
        yield {"what": "curve_dask", "workers": 2, **dask,
               "efficiency": round(one["wall_s"] / (2 * dask["wall_s"]), 3), "same_table": bool(table.equals(base))}
    yield from _gains_rows(scenario, inst, cons, city, budgets)


def main(argv: list[str] | None = None) -> int:
    """Print the build and solve rows (and the curve's rows, once there) as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds for the solve (default: the scenario's)")
    ap.add_argument("--only", choices=("build", "curve"), default=None, help="only the build and solve rows, or "
                    "only the curve's rows")
    ap.add_argument("--budgets", type=int, default=None, metavar="K",
                    help="the curve's rows with only the sweep's first K budgets (default: all 8)")
    args = ap.parse_args(argv)
    print(json.dumps({"what": "machine", "cores": os.cpu_count(), "load": round(os.getloadavg()[0], 2)}),
          flush=True)
    if args.only != "curve":
        for row in city_rows(path=args.scenario, time_limit_s=args.time_limit):
            print(json.dumps(row), flush=True)
    if args.only != "build":
        for row in curve_rows(path=args.scenario, budgets=args.budgets):
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
