"""Benchmark: the cheapest plans for shares of the incident weight on the default scenario (min-cost covers).

Builds the default scenario's instance through the public stages and solves
the min-cost cover for each share (default 0.25, 0.5, 0.75) with the
scenario's solver settings and a time limit per share (``--time-limit``,
default the scenario's), as ``camsite run --target SHARE`` does. One JSON
line per share: wall and CPU seconds (the CPU time of this process: HiGHS
runs in it on one thread, so on a loaded machine CPU is the fairer figure),
status, cost, bound, gap and the number of sites; for a share no plan
reaches (infeasible under the side constraints) also the highest reachable
share found, its proven bound and the plan reaching it (``stages.highest_reach``,
as the run reports it).

Usage::

    python benchmarks/target.py
    python benchmarks/target.py --shares 0.5 --time-limit 60
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import camsite
from camsite import stages
from camsite.stages.objectives import incident_mask

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Parse the options, build the instance once and print one JSON line per share."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "fridhemsplan.toml")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75])
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    scenario = camsite.load_scenario(args.scenario)
    inputs = stages.load_inputs(scenario)
    instance = stages.instance_for(scenario, inputs)
    constraints = stages.constraints_for(instance, scenario.optimization)
    opt = scenario.optimization
    solver = stages.solver_options(opt)
    if args.time_limit is not None:
        solver = stages.solver_options(dataclasses.replace(opt, time_limit_s=args.time_limit))
    rows = instance.rows
    inc = rows.for_points(incident_mask(instance))
    total = float(rows.weights[inc].sum())
    for share in args.shares:
        wall, cpu = time.perf_counter(), time.process_time()
        sol = stages.solve(instance, stages.MinCost(target=None, covers=((inc, share * total),)), constraints,
                           solver)
        line = {"share": share, "status": sol.status, "cost_sek": sol.objective, "bound_sek": sol.bound,
                "gap": round(sol.gap, 6), "n_sites": len(sol.selected)}
        if sol.status == "infeasible":  # out of reach: the highest reachable share and a plan reaching it
            reach = stages.highest_reach(instance, inc, constraints, solver)
            line.update(max_incident_pct=round(reach.found_pct, 3), max_incident_bound_pct=round(reach.bound_pct, 3),
                        max_plan_cost_sek=reach.cost_sek, max_plan_n_sites=reach.n_sites)
        print(json.dumps({**line, "wall_s": round(time.perf_counter() - wall, 2),
                          "cpu_s": round(time.process_time() - cpu, 2)}), flush=True)


if __name__ == "__main__":
    main()
