"""Benchmark: the planning workbench's answers, as a person at the page asks them, against a cold run.

Each row loads the scenario into a fresh workbench (background solves on, as
``camsite serve`` runs), opens a page (``/api/state``: its own session) and
times requests through the JSON API in process (Starlette's TestClient:
parsing, solve, ranking and JSON included). One step of the page's budget
slider is 50,000 SEK; moves go up from the scenario's budget, then down below
it, so no budget is asked twice.

Rows (``--rows``; the issue's table):

``slider``
    10 budget moves 1 s apart (a hand on the slider, reading the figures);
    target p95 < 1 s.
``slider_load``
    the same while ``--load`` busy processes (default: one per core) compete
    for the cores; target p95 < 1 s.
``back_to_back``
    20 budget moves with no pause, each sent as soon as the page shows the
    figures of the one before (only the last move's exact plan is awaited);
    target p95 < 1.5 s.
``weights``
    category weight changes 1 s apart, each kept as the page keeps it (the
    first three adjustable categories doubled in turn, then the first set
    back); target: each under 2 s.

Budget moves and weight changes are sent as the page sends them:
``?provisional=1`` first (for a budget the best plan solved already, for new
weights the plan shown valued under them, at once, while the exact one is
solved in the background), then, if that answer was provisional, the same
request for the exact plan. ``p50_s``, ``p95_s`` and ``max_s`` are the times to the first
figures the page shows, ``exact_*`` the times to the exact plan.

Prints one JSON line per request (``"what": "move"``) with ``--verbose``, one
line per row (``"what": "row"``: the times, how many exact plans were
answered from plans already solved, the target and whether it was met), and with ``--cold``
the wall time of the real command ``camsite run SCENARIO --no-curve --budget
B`` for the first budget in a fresh process and the speed-up against it.

Usage::

    python benchmarks/serve.py                             # every row
    python benchmarks/serve.py --rows slider back_to_back  # some rows
    python benchmarks/serve.py --rows slider --moves 20 --pause 2 --no-prefetch --verbose
    python benchmarks/serve.py --rows slider_load --load 4 --cold
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
STEP = 50_000.0
#: Each row: moves, seconds between requests, busy processes competing, target p95 (s), what it asks.
ROWS: dict[str, dict[str, Any]] = {
    "slider": {"moves": 10, "pause": 1.0, "load": 0, "target_s": 1.0, "kind": "budget", "follow": True},
    "slider_load": {"moves": 10, "pause": 1.0, "load": None, "target_s": 1.0, "kind": "budget", "follow": True},
    "back_to_back": {"moves": 20, "pause": 0.0, "load": 0, "target_s": 1.5, "kind": "budget", "follow": False},
    "weights": {"moves": 4, "pause": 1.0, "load": 0, "target_s": 2.0, "kind": "weights", "follow": True},
}
#: A busy process that ends when the benchmark does (its parent gone).
_SPIN = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    sum(range(100000))\n"


def _budgets(start: float, moves: int) -> list[float]:
    up = [start + STEP * (i + 1) for i in range(moves // 2)]
    down = [start - STEP * (i + 1) for i in range(moves - moves // 2)]
    return up + down


def _weight_bodies(state: dict[str, Any], moves: int) -> list[dict[str, Any]]:
    """Request bodies changing category weights one at a time, each change kept (as the page sends them)."""
    base = dict(state["scenario_request"]["category_weights"])
    cats = list(state["adjustable_categories"])[:max(moves - 1, 1)]
    bodies, now = [], dict(base)
    for cat in cats:
        now = {**now, cat: round(base[cat] * 2 if base[cat] > 0 else 1.0, 3)}
        bodies.append({"category_weights": now})
    if cats and len(bodies) < moves:
        bodies.append({"category_weights": {**now, cats[0]: base[cats[0]]}})
    return bodies[:moves]


@contextmanager
def _busy(n: int) -> Iterator[None]:
    """``n`` processes spinning on the CPU while the block runs (ended by their own ids afterwards)."""
    procs = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(n)]
    try:
        time.sleep(1.0 if n else 0.0)  # let the load build up
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _cold_run(scenario: Path, budget: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "camsite", "-q", "run", str(scenario), "--no-curve", "--no-progress",
                        "--budget", str(budget), "--out", str(Path(tmp) / "out")], check=True, capture_output=True)
        return time.perf_counter() - t0


def _timed(post: Callable[[dict[str, Any], bool], dict[str, Any]], bodies: list[dict[str, Any]], pause: float,
           verbose: bool, *, quick: bool, follow: bool) -> tuple[list[float], list[float], int]:
    """Send ``bodies`` as the page does: with ``quick`` ask for the plan at once
    (``?provisional=1``) and, when it is the nearest plan solved, again for the exact one. The times to the first
    figures shown and to the exact plan, and how many exact plans were answered without solving. Without
    ``follow`` (moves back to back) the next move is sent as soon as the first figures arrive, and only the last
    move's exact plan is awaited."""
    first, exact, cached = [], [], 0
    for body in bodies:
        time.sleep(pause)
        t1 = time.perf_counter()
        plan = post(body, quick)
        shown = time.perf_counter() - t1
        provisional = bool(plan.get("provisional"))
        if provisional and (follow or body is bodies[-1]):
            plan = post(body, False)
        wall = time.perf_counter() - t1
        if "error" in plan:
            raise SystemExit(f"error: {plan['error']}")
        first.append(shown)
        exact.append(wall)
        cached += bool(plan["cached"]) and not plan.get("provisional")
        if verbose:
            print(json.dumps({"what": "move", **body, "first_s": round(shown, 3), "exact_s": round(wall, 3),
                              "provisional_first": provisional, "status": plan["status"], "gap": plan["gap"],
                              "cached": plan["cached"], "n_sites": plan["n_sites"],
                              "coverage_after_pct": plan["coverage_after_pct"]}), flush=True)
    return first, exact, cached


def run_row(name: str, scenario: Path, *, moves: int | None = None, pause: float | None = None,
            load: int | None = None, prefetch: bool = True, verbose: bool = False) -> dict[str, Any]:
    """Load a fresh workbench and time one row's requests; the row's figures as a dict."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from camsite.serve import Workbench, create_app

    spec = ROWS[name]
    moves = spec["moves"] if moves is None else moves
    pause = spec["pause"] if pause is None else pause
    busy = (os.cpu_count() or 1 if spec["load"] is None else spec["load"]) if load is None else load
    t0 = time.perf_counter()
    bench = Workbench.load(scenario, prefetch=prefetch)
    load_s = time.perf_counter() - t0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            client = TestClient(create_app(bench, export_dir=Path(tmp)))
            state = client.get("/api/state").json()
            headers = {"x-camsite-session": state["session"]}  # the page's own session

            def post(body: dict[str, Any], quick: bool) -> dict[str, Any]:
                path = "/api/solve?provisional=1" if quick else "/api/solve"
                return dict(client.post(path, json=body, headers=headers).json())

            if spec["kind"] == "weights":
                bodies = _weight_bodies(state, moves)
            else:
                bodies = [{"budget_sek": b} for b in _budgets(bench.scenario.optimization.budget_sek, moves)]
            with _busy(busy):
                load_avg = os.getloadavg()[0]
                first, exact, cached = _timed(post, bodies, pause, verbose, quick=True, follow=spec["follow"])
    finally:
        bench.close()
    p50, p95 = (float(np.percentile(first, q)) for q in (50, 95))
    e50, e95 = (float(np.percentile(exact, q)) for q in (50, 95))
    measure = max(first) if spec["kind"] == "weights" else p95
    return {"what": "row", "row": name, "scenario": scenario.name, "load_s": round(load_s, 2), "requests": len(first),
            "pause_s": pause, "busy_processes": busy, "load_avg": round(load_avg, 2), "prefetch": prefetch,
            "answered_without_solving": cached, "p50_s": round(p50, 3), "p95_s": round(p95, 3),
            "max_s": round(max(first), 3), "exact_p50_s": round(e50, 3), "exact_p95_s": round(e95, 3),
            "exact_max_s": round(max(exact), 3), "target_s": spec["target_s"],
            "target_on": "max" if spec["kind"] == "weights" else "p95", "target_met": measure < spec["target_s"],
            "first_budget_sek": bodies[0].get("budget_sek")}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen rows and print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=SCENARIO)
    parser.add_argument("--rows", nargs="+", choices=list(ROWS), default=list(ROWS))
    parser.add_argument("--moves", type=int, default=None, help="requests per row (default: the row's)")
    parser.add_argument("--pause", type=float, default=None, metavar="S", help="seconds between requests")
    parser.add_argument("--load", type=int, default=None, metavar="K",
                        help="busy processes competing for the cores (default: the row's; slider_load: one per core)")
    parser.add_argument("--no-prefetch", action="store_true", help="do not solve the neighbouring budgets ahead")
    parser.add_argument("--cold", action="store_true", help="also time a cold `camsite run --no-curve`")
    parser.add_argument("--verbose", action="store_true", help="one line per request")
    args = parser.parse_args(argv)
    first = None
    for name in args.rows:
        row = run_row(name, args.scenario, moves=args.moves, pause=args.pause, load=args.load,
                      prefetch=not args.no_prefetch, verbose=args.verbose)
        first = first or row["first_budget_sek"]
        print(json.dumps(row), flush=True)
    if args.cold and first is not None:
        cold = _cold_run(args.scenario, first)
        print(json.dumps({"what": "cold_run", "budget_sek": first, "wall_s": round(cold, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
