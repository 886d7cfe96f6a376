"""Benchmark: the default scenario's MIP as the run builds it, graded against binary coverage.

For each coverage model (``--models``: the scenario's ``[quality] coverage``
set to ``graded``, its default, and ``binary``), one fresh process builds the
instance exactly as ``camsite run`` does (evidence model, mounts, side
constraints) and prints one JSON line:

``main``
    The run's main solve at the scenario's budget (greedy, LP bound, MIP, tie-break).
``sweep``
    The budget curve's other budgets solved one after the other in this process
    (the run spreads them over the cores), each with the sweep's settings.

Times are given as wall seconds and as CPU seconds of the process
(``time.process_time``: HiGHS runs in-process on one thread), which other jobs
on the machine disturb far less than wall time. ``ratio_cpu`` is graded over
binary (main solve plus sweep).

Usage::

    python benchmarks/mip.py
    python benchmarks/mip.py --models graded --no-sweep
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"

_CASE = r'''
import json, sys, time
from dataclasses import replace
from camsite import config, stages
s = config.load(sys.argv[1])
s = config.override(s, quality=replace(s.quality, coverage=sys.argv[2]))
opt = s.optimization
inputs = stages.load_inputs(s)
inst = stages.instance_for(s, inputs)
cons = stages.constraints_for(inst, opt)
out = {"model": sys.argv[2], "rows": int(inst.rows.matrix.shape[0]), "sites": int(inst.rows.matrix.shape[1]),
       "nnz": int(inst.rows.matrix.nnz)}
w, c = time.perf_counter(), time.process_time()
sol = stages.solve(inst, stages.MaxCoverage(opt.budget_sek, opt.backup_weight), cons, stages.solver_options(opt))
out.update(main_wall=round(time.perf_counter() - w, 2), main_cpu=round(time.process_time() - c, 2),
           status=sol.status, objective=round(sol.objective, 6), n_sites=sol.n_sites,
           lp_bound=None if sol.lp_bound is None else round(sol.lp_bound, 6))
if sys.argv[3] == "sweep":
    opts = stages.solver_options(opt, greedy=False, lp_bound=False, workers=1)
    budgets = [b for b in opt.budget_sweep.values() if b != opt.budget_sek]
    w, c = time.perf_counter(), time.process_time()
    curve, _ = stages.budget_curve(inst, budgets, cons, opts, backup_weight=opt.backup_weight)
    out.update(sweep_wall=round(time.perf_counter() - w, 2), sweep_cpu=round(time.process_time() - c, 2),
               sweep_budgets=len(budgets), sweep_all_optimal=bool(curve["proven_optimal"].all()))
print(json.dumps(out))
'''


def case(model: str, sweep: bool) -> dict:
    """One model's figures, measured in a fresh interpreter."""
    res = subprocess.run([sys.executable, "-c", _CASE, str(SCENARIO), model, "sweep" if sweep else "-"],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print one JSON line per model and the graded/binary ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=["graded", "binary"], choices=["graded", "binary"])
    ap.add_argument("--no-sweep", action="store_true", help="only the main solve")
    args = ap.parse_args()
    rows = {}
    for model in args.models:
        rows[model] = case(model, not args.no_sweep)
        print(json.dumps(rows[model]), flush=True)
    if {"graded", "binary"} <= rows.keys():
        cpu = {m: r["main_cpu"] + r.get("sweep_cpu", 0.0) for m, r in rows.items()}
        print(json.dumps({"what": "ratio", "ratio_cpu": round(cpu["graded"] / max(cpu["binary"], 1e-9), 2),
                          "target": "<= 1.5"}))


if __name__ == "__main__":
    main()
