"""Benchmark: the default scenario end to end, step by step, through the public stages.

Prints one JSON line per measurement:

``{"what": "steps", ...}``
    One run in a fresh process, timed per step: ``imports`` (camsite and its
    dependencies), ``inputs`` (network, incidents, cameras, open space),
    ``instance`` (demand, candidates, coverage), ``main_solve``, ``sweep``
    (the budget curve, the main budget not solved again), ``rank_summary``,
    ``reports`` (every output file), and ``total``.
``{"what": "cli", ...}``
    Wall time of the real command, ``camsite run`` with and without
    ``--no-curve``, each the best of ``--repeat`` runs, and their ratio
    (target: curve run at most 2x the no-curve run and under 6 s).

Usage::

    python benchmarks/run.py               # both
    python benchmarks/run.py --no-cli      # the step breakdown only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"

_STEPS = r'''
import json, sys, tempfile, time
t = {}
t0 = time.perf_counter()
from camsite import config, stages
t["imports"] = time.perf_counter() - t0
s = config.load(sys.argv[1]); opt = s.optimization
t1 = time.perf_counter(); inputs = stages.load_inputs(s); t["inputs"] = time.perf_counter() - t1
t1 = time.perf_counter()
inst = stages.instance_for(s, inputs)
t["instance"] = time.perf_counter() - t1
t1 = time.perf_counter()
cons = stages.constraints_for(inst, opt)
sol = stages.solve(inst, stages.MaxCoverage(opt.budget_sek, opt.backup_weight), cons, stages.solver_options(opt))
t["main_solve"] = time.perf_counter() - t1
t1 = time.perf_counter()
curve, knee = stages.budget_curve(inst, opt.budget_sweep.values(), cons,
                                  stages.solver_options(opt, greedy=False, lp_bound=False, workers=0),
                                  backup_weight=opt.backup_weight, known={opt.budget_sek: sol})
t["sweep"] = time.perf_counter() - t1
t1 = time.perf_counter()
sites = stages.rank_sites(inst, sol, crs=s.crs)
summ = stages.summarise(s, inputs, inst, sol, sites=sites, knee=knee, runtime_s=0.0)
t["rank_summary"] = time.perf_counter() - t1
from camsite.result import RunResult
t1 = time.perf_counter()
from camsite.report import write_run  # the writers' libraries (matplotlib, openpyxl) count as reporting
with tempfile.TemporaryDirectory() as d:
    write_run(RunResult(s, inputs, inst, sol, sites, summ, curve), d + "/out")
t["reports"] = time.perf_counter() - t1
t["total"] = time.perf_counter() - t0
print(json.dumps({"what": "steps", **{k: round(v, 3) for k, v in t.items()},
                  "status": sol.status, "objective": sol.objective, "sweep_points": int(len(curve))}))
'''


def steps() -> dict:
    """The step breakdown, measured in a fresh interpreter (so imports count)."""
    out = subprocess.run([sys.executable, "-c", _STEPS, str(SCENARIO)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli(repeat: int) -> dict:
    """Best-of-``repeat`` wall time of ``camsite run`` with and without the curve."""
    exe = Path(sys.executable).with_name("camsite")
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("no_curve_s", ["--no-curve"]), ("with_curve_s", [])):
            for i in range(repeat):
                t0 = time.perf_counter()
                subprocess.run([str(exe), "run", str(SCENARIO), "--out", f"{tmp}/{label}{i}", "--no-progress",
                                *extra], check=True, capture_output=True)
                best[label] = min(best.get(label, float("inf")), time.perf_counter() - t0)
    return {"what": "cli", **{k: round(v, 2) for k, v in best.items()},
            "ratio": round(best["with_curve_s"] / best["no_curve_s"], 2), "repeat": repeat}


def main(argv: list[str] | None = None) -> int:
    """Print the step breakdown and the CLI timings as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-cli", action="store_true", help="only the step breakdown")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each CLI variant (best is kept)")
    args = ap.parse_args(argv)
    print(json.dumps(steps()), flush=True)
    if not args.no_cli:
        print(json.dumps(cli(args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
