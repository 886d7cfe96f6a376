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

The city budget curve's rows (8 budgets on a local pool and on a Dask
cluster) are added by :func:`curve_rows` once the shared city budget is in
(the ``[[districts]]`` tables); :func:`city_rows` is the list both give.

Until the scenario loader knows ``[[districts]]``, :func:`load_city` reads
the scenario without those tables (they change no figure here: without
``min_sek`` or ``max_sek`` they only name the district areas).

Usage::

    python benchmarks/city.py                 # build and one solve
    python benchmarks/city.py --time-limit 300
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "innerstaden.toml"


def without_districts(text: str) -> str:
    """The scenario text without its ``[[districts]]`` tables (each up to the next table header).

    >>> without_districts('a = 1\\n[[districts]]\\nname = "x"\\n[output]\\nlang = "sv"\\n')
    'a = 1\\n[output]\\nlang = "sv"\\n'
    """
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        head = line.strip()
        if head.startswith("["):
            skipping = head == "[[districts]]"
        if not skipping:
            out.append(line)
    return "".join(out)


def load_city(path: Path = SCENARIO) -> Any:
    """The city scenario; without its ``[[districts]]`` tables when this camsite does not know them yet."""
    from camsite import config
    from camsite.errors import ConfigError

    try:
        return config.load(path)
    except ConfigError as exc:
        if "districts" not in str(exc):
            raise
        return config.loads(without_districts(path.read_text(encoding="utf-8")), file=str(path))


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


def curve_rows(*, path: Path = SCENARIO) -> list[dict[str, Any]]:
    """The city budget curve's rows: 8 budgets on a local pool and on a Dask LocalCluster.

    A hook for the shared city budget (``[[districts]]``): empty until it is
    in. Each row should give ``what`` (``curve_pool``, ``curve_dask``),
    ``workers``, ``wall_s``, ``cpu_s``, the efficiency against one worker and
    whether both executors gave the same plans.
    """
    del path
    return []


def main(argv: list[str] | None = None) -> int:
    """Print the build and solve rows (and the curve's rows, once there) as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds for the solve (default: the scenario's)")
    args = ap.parse_args(argv)
    print(json.dumps({"what": "machine", "cores": os.cpu_count(), "load": round(os.getloadavg()[0], 2)}),
          flush=True)
    for row in [*city_rows(path=args.scenario, time_limit_s=args.time_limit), *curve_rows(path=args.scenario)]:
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
