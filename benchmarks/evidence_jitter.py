"""What moving the intersection-located incidents within their own recorded uncertainty costs the default plan.

For each draw, every incident of precision ``intersection`` is moved to a
uniform point of the disc of its ``uncertainty_m``; the instance is rebuilt
and solved exactly at the scenario's budget. The loss is the unchanged
plan's objective on the moved data against that optimum, in per cent.

The moved record keeps its ``uncertainty_m``, so the model spreads it over
the disc around its new centre (positions up to twice the radius from the
intersection). With ``--exact`` the moved incident is where it happened,
known exactly (``uncertainty_m`` 0): the optimum on those data is the plan
one would choose knowing each event's spot, and the loss the value of that
knowledge.

Run::

    PYTHONPATH=src python benchmarks/evidence_jitter.py scenarios/fridhemsplan.toml --draws 4 --seed 0
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import shapely

from camsite import config, stages
from camsite.uncertainty import recorded_uncertainty


def _moved(inputs: stages.Inputs, scenario: config.Scenario, rng: np.random.Generator, *,
           exact: bool = False) -> stages.Inputs:
    inc = inputs.incidents
    radius = recorded_uncertainty(inc, scenario.demand.uncertainty_m)
    near = inc["precision"].astype(str).eq("intersection").to_numpy()
    r = radius * np.sqrt(rng.uniform(0, 1, len(inc)))
    a = rng.uniform(0, 2 * np.pi, len(inc))
    g = inc.geometry.to_numpy()
    x = np.where(near, shapely.get_x(g) + r * np.cos(a), shapely.get_x(g))
    y = np.where(near, shapely.get_y(g) + r * np.sin(a), shapely.get_y(g))
    moved = inc.set_geometry(shapely.points(x, y)).set_crs(inc.crs, allow_override=True)
    if exact:
        moved["uncertainty_m"] = np.where(near, 0.0, radius)
    return dataclasses.replace(inputs, incidents=moved)


def _solve(scenario: config.Scenario, inst: stages.Instance) -> stages.Solution:
    opt = scenario.optimization
    return stages.solve(inst, stages.MaxCoverage(opt.budget_sek), stages.constraints_for(inst, opt),
                        stages.solver_options(opt))


def main() -> None:
    """Measure the loss over ``--draws`` draws and print one line per draw and the mean."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--draws", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exact", action="store_true", help="the moved incidents are known exactly (uncertainty 0)")
    args = ap.parse_args()
    sc = config.load(args.scenario)
    inputs = stages.load_inputs(sc)
    base = stages.instance_for(sc, inputs)
    plan = set(base.candidates["variant"].to_numpy()[_solve(sc, base).selected])
    rng = np.random.default_rng(args.seed)
    losses = []
    for k in range(args.draws):
        inst = stages.instance_for(sc, _moved(inputs, sc, rng, exact=args.exact))
        best = _solve(sc, inst)
        cols = np.flatnonzero(inst.candidates["variant"].isin(plan).to_numpy())
        kept = float(inst.rows.plan_value(cols).sum())
        losses.append(100.0 * (1.0 - kept / best.objective))
        print(f"draw {k}: plan {kept:.4f}, optimum {best.objective:.4f}, loss {losses[-1]:.1f} %")
    print(f"mean loss {np.mean(losses):.1f} % (min {np.min(losses):.1f}, max {np.max(losses):.1f}) over {args.draws} draws")


if __name__ == "__main__":
    main()
