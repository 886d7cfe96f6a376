"""Benchmark: the default scenario end to end, step by step, through the public stages.

Prints one JSON line per measurement:

``{"what": "steps", ...}``
    One run in a fresh process, timed per step: ``imports`` (camsite and its
    dependencies), ``inputs`` (network, incidents, cameras, open space),
    ``instance`` (demand, candidates, coverage), ``main_solve`` (the plan
    alone, as ``--no-curve`` solves it), ``plans`` (the main plan again, with
    the budget curve and its target points as ``camsite run`` solves them: the
    curve and the target points started on worker processes, the main budget
    solved meanwhile) and ``plans_extra`` (``plans - main_solve``: what the
    curve and its target points add to the run's time), ``rank_summary``,
    ``reports`` (every output file), and ``total``; ``*_cpu`` are CPU seconds
    (this process and its workers), which stay comparable under load.
``{"what": "timeline", ...}``
    One run in a fresh process through ``camsite.run`` and ``write_run``, as
    the command schedules it (the main plan on a forked child while the
    highest reach runs, map.png drawn aside): wall seconds from the start of
    each step (``imports``, then :data:`camsite.pipeline.STEPS`, then
    ``write``) to the next, and ``*_cpu`` the CPU seconds spent meanwhile by
    this process and the children it has waited for.
``{"what": "cli", ...}``
    Wall time of the real command, ``camsite run`` with and without
    ``--no-curve``, each the best of ``--repeat`` runs (``--no-proofs``: a first run on
    new data, no target point taken from the proof store), and their ratio
    (target: curve run at most 1.5x the no-curve run and under 6 s);
    ``*_cpu_s``: the CPU seconds of that best run, workers included;
    ``load``: the load average before and after.

Usage::

    python benchmarks/run.py               # both
    python benchmarks/run.py --no-cli      # the step breakdowns only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"

_STEPS = r'''
import json, os, sys, tempfile, time
t = {}
t0 = time.perf_counter()
from camsite import config, stages
t["imports"] = time.perf_counter() - t0
s = config.load(sys.argv[1]); opt = s.optimization
t1 = time.perf_counter(); inputs = stages.load_inputs(s); t["inputs"] = time.perf_counter() - t1
t1 = time.perf_counter()
inst = stages.instance_for(s, inputs)
t["instance"] = time.perf_counter() - t1
def cpu():
    c = os.times()
    return c.user + c.system + c.children_user + c.children_system
t1, c1 = time.perf_counter(), cpu()
cons = stages.constraints_for(inst, opt)
sol = stages.answer(s, inputs, inst, cons).solution
t["main_solve"], t["main_solve_cpu"] = time.perf_counter() - t1, cpu() - c1
t1, c1 = time.perf_counter(), cpu()
pending = stages.start_curve(s, inst, cons)
answered = stages.answer(s, inputs, inst, cons)
plans = stages.budget_plans(s, inst, cons, answered=answered, pending=pending)
t["plans"], t["plans_cpu"] = time.perf_counter() - t1, cpu() - c1
t["plans_extra"], t["plans_extra_cpu"] = t["plans"] - t["main_solve"], t["plans_cpu"] - t["main_solve_cpu"]
curve, knee, sol = plans.curve, plans.knee, answered.solution
t1 = time.perf_counter()
sites = stages.rank_sites(inst, sol, crs=s.crs)
summ = stages.summarise(s, inputs, inst, sol, sites=sites, knee=knee, runtime_s=0.0, curve=curve,
                        question=answered.question, target_points=plans.target_points)
t["rank_summary"] = time.perf_counter() - t1
from camsite.result import RunResult
t1 = time.perf_counter()
from camsite.report import write_run  # the writers' libraries (matplotlib, openpyxl) count as reporting
with tempfile.TemporaryDirectory() as d:
    write_run(RunResult(s, inputs, inst, sol, sites, summ, curve), d + "/out")  # (rank_summary: no labels)
t["reports"] = time.perf_counter() - t1
t["total"] = time.perf_counter() - t0
print(json.dumps({"what": "steps", **{k: round(v, 3) for k, v in t.items()},
                  "status": sol.status, "objective": sol.objective, "sweep_points": int(len(curve))}))
'''


_TIMELINE = r'''
import json, os, sys, tempfile, time
def cpu():
    c = os.times()
    return c.user + c.system + c.children_user + c.children_system
marks = [("imports", time.perf_counter(), cpu())]
import camsite
from camsite import config, pipeline
s = config.load(sys.argv[1])
result = pipeline.run(s, progress=lambda name, i: marks.append((name, time.perf_counter(), cpu())))
marks.append(("write", time.perf_counter(), cpu()))
with tempfile.TemporaryDirectory() as d:
    camsite.write_run(result, d + "/out", lang=s.output.lang)
marks.append(("end", time.perf_counter(), cpu()))
out = {"what": "timeline"}
for (name, t, c), (_, t2, c2) in zip(marks, marks[1:]):
    out[name], out[name + "_cpu"] = round(t2 - t, 3), round(c2 - c, 3)
out["total"], out["total_cpu"] = round(marks[-1][1] - marks[0][1], 3), round(marks[-1][2] - marks[0][2], 3)
print(json.dumps(out))
'''


def timeline() -> dict:
    """The real pipeline's steps, timed in a fresh interpreter (:data:`_TIMELINE`)."""
    out = subprocess.run([sys.executable, "-c", _TIMELINE, str(SCENARIO)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def steps() -> dict:
    """The step breakdown, measured in a fresh interpreter (so imports count)."""
    out = subprocess.run([sys.executable, "-c", _STEPS, str(SCENARIO)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _children_cpu() -> float:
    c = os.times()
    return c.children_user + c.children_system


def cli(repeat: int) -> dict:
    """Best-of-``repeat`` wall time of ``camsite run`` with and without the curve, and that run's CPU seconds.

    The two variants alternate (no curve, curve, no curve, ...), so that a
    change in the machine's load reaches both alike.
    """
    exe = [sys.executable, "-m", "camsite"]
    best: dict[str, float] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for label, extra in (("no_curve", ["--no-curve"]), ("with_curve", [])):
                t0, c0 = time.perf_counter(), _children_cpu()
                subprocess.run([*exe, "run", str(SCENARIO), "--out", f"{tmp}/{label}{i}", "--no-progress",
                                "--no-proofs", *extra],
                               check=True, capture_output=True)
                wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
                if wall < best.get(f"{label}_s", float("inf")):
                    best[f"{label}_s"], best[f"{label}_cpu_s"] = wall, cpu
    return {"what": "cli", **{k: round(v, 2) for k, v in best.items()},
            "ratio": round(best["with_curve_s"] / best["no_curve_s"], 2), "repeat": repeat,
            "load": [round(load, 2), round(os.getloadavg()[0], 2)]}


def main(argv: list[str] | None = None) -> int:
    """Print the step breakdown and the CLI timings as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-cli", action="store_true", help="only the step breakdown")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each CLI variant (best is kept)")
    args = ap.parse_args(argv)
    print(json.dumps(steps()), flush=True)
    print(json.dumps(timeline()), flush=True)
    if not args.no_cli:
        print(json.dumps(cli(args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
