"""Benchmark: the planning workbench's re-solves against a cold ``camsite run --no-curve``.

Loads the scenario once into the workbench, then moves the budget slider 20
times through the JSON API (in process, Starlette's TestClient: request
parsing, solve, ranking and JSON included), one step of the page's slider
(50,000 SEK) at a time: 10 steps up from the scenario's budget, then 10 steps
down below it, so no budget is asked twice. Then the same real command
``camsite run SCENARIO --no-curve --budget B`` is timed for the slider's first
budget in a fresh process (imports, reading, building, solving, writing).

With ``--pause S`` the moves are S seconds apart, as a person moves the
slider and reads the figures: the workbench then solves the neighbouring
budgets ahead (``--no-prefetch`` turns that off). Prints one JSON line per
slider move and a summary line: p50 and p95 of the
20 moves, how many were answered from plans already proven (no solve), the
cold run's wall time and the ratio. Target: p95 under 1 s and at least 5x
faster than the cold run on the default scenario.

Usage::

    python benchmarks/serve.py
    python benchmarks/serve.py --pause 2          # a person at the slider
    python benchmarks/serve.py --no-prefetch      # every move a fresh exact solve
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
STEP = 50_000.0


def _budgets(start: float, moves: int) -> list[float]:
    up = [start + STEP * (i + 1) for i in range(moves // 2)]
    down = [start - STEP * (i + 1) for i in range(moves - moves // 2)]
    return up + down


def _cold_run(scenario: Path, budget: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "camsite", "-q", "run", str(scenario), "--no-curve", "--no-progress",
                        "--budget", str(budget), "--out", str(Path(tmp) / "out")], check=True, capture_output=True)
        return time.perf_counter() - t0


def main() -> None:
    """Run the benchmark and print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=SCENARIO)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.0, metavar="S",
                        help="seconds between moves (a person reading the figures; 0: back to back)")
    parser.add_argument("--no-prefetch", action="store_true", help="do not solve the neighbouring budgets ahead")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from camsite.serve import Workbench, create_app

    t0 = time.perf_counter()
    bench = Workbench.load(args.scenario, prefetch=not args.no_prefetch)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        client = TestClient(create_app(bench, export_dir=Path(tmp)))
        client.get("/api/state")
        times, cached = [], 0
        budgets = _budgets(bench.scenario.optimization.budget_sek, args.moves)
        for b in budgets:
            time.sleep(args.pause)
            t1 = time.perf_counter()
            plan = client.post("/api/solve", json={"budget_sek": b}).json()
            wall = time.perf_counter() - t1
            times.append(wall)
            cached += bool(plan["cached"])
            print(json.dumps({"what": "move", "budget_sek": b, "wall_s": round(wall, 3), "status": plan["status"],
                              "gap": plan["gap"], "cached": plan["cached"], "n_sites": plan["n_sites"],
                              "coverage_after_pct": plan["coverage_after_pct"]}), flush=True)
    bench.close()
    cold = _cold_run(args.scenario, budgets[0])
    p50, p95 = (float(np.percentile(times, q)) for q in (50, 95))
    print(json.dumps({"what": "summary", "scenario": args.scenario.name, "load_s": round(load_s, 2),
                      "moves": len(times), "pause_s": args.pause,
                      "prefetch": not args.no_prefetch, "answered_without_solving": cached, "p50_s": round(p50, 3),
                      "p95_s": round(p95, 3), "max_s": round(max(times), 3), "cold_run_s": round(cold, 2),
                      "speedup_p50": round(cold / p50, 1), "speedup_p95": round(cold / p95, 1),
                      "target_met": p95 < 1.0 and cold / p95 >= 5}), flush=True)


if __name__ == "__main__":
    main()
