"""Benchmark: candidate sites where cameras can be mounted (``[candidates] mount``) and same-heading spacing.

Solves the default scenario at its budget twice, through the public stages:
``edge`` (the scenario as shipped: façade or pole line, corners, 25 m
same-heading spacing) and ``centreline`` (the rule before: sites on the
centreline, no spacing rule). Prints one JSON line per rule: candidate sites
and variants, same-heading conflict pairs, CPU and wall seconds of the
instance (demand, candidates, coverage) and of the solve, the solver's
objective; then one line per chosen site of each plan: street,
mount, side, distance from the nearest usable centreline and the nearest
chosen site with a heading within ``same_heading_deg`` (or two domes).

Usage::

    python benchmarks/mounts.py [SCENARIO]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from camsite import config, stages
from camsite.demand import usable_edges

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"


def _closest_same_heading(xy: np.ndarray, head: np.ndarray, max_deg: float) -> tuple[float, list[int]]:
    best, pair = np.inf, [-1, -1]
    for i in range(len(xy)):
        for j in range(i + 1, len(xy)):
            off = abs((head[i] - head[j] + 180.0) % 360.0 - 180.0)
            same = (np.isnan(head[i]) and np.isnan(head[j])) or off < max_deg
            d = float(np.hypot(*(xy[i] - xy[j])))
            if same and d < best:
                best, pair = d, [i, j]
    return best, pair


def measure(scenario: config.Scenario, rule: str, inputs: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One rule's figures and its plan's sites."""
    c0, w0 = time.process_time(), time.perf_counter()
    inst = stages.instance_for(scenario, inputs, viewsheds=False)
    c1, w1 = time.process_time(), time.perf_counter()
    opt = scenario.optimization
    cons = stages.constraints_for(inst, opt)
    sol = stages.solve(inst, stages.MaxCoverage(opt.budget_sek, opt.backup_weight), cons, stages.solver_options(opt))
    c2, w2 = time.process_time(), time.perf_counter()
    cands = inst.candidates.iloc[sol.selected]
    edges = usable_edges(inputs.network.edges)
    tree = shapely.STRtree(edges.geometry.to_numpy())
    pts = cands.geometry.to_numpy()
    _, nearest = tree.query_nearest(pts, all_matches=False)
    dist = shapely.distance(pts, edges.geometry.to_numpy()[nearest])
    xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
    head = cands["heading_deg"].to_numpy(float)
    closest, pair = _closest_same_heading(xy, head, opt.same_heading_deg)
    sites = [{"rule": rule, "site_id": r.site_id, "street": r.street, "camera_type": r.camera_type,
              "heading_deg": None if np.isnan(r.heading_deg) else round(float(r.heading_deg), 1),
              "mount": r.mount, "side": r.side, "from_centreline_m": round(float(d), 1)}
             for r, d in zip(cands.itertuples(), dist)]
    return {"what": "rule", "rule": rule, "n_sites": int(inst.candidates["site_id"].nunique()),
            "n_variants": len(inst.candidates), "same_heading_pairs": len(cons.conflicts),
            "instance_cpu_s": round(c1 - c0, 2), "instance_wall_s": round(w1 - w0, 2),
            "solve_cpu_s": round(c2 - c1, 2), "solve_wall_s": round(w2 - w1, 2), "status": sol.status,
            "objective": round(float(sol.objective), 4), "n_chosen": len(sol.selected),
            "spent_sek": float(inst.costs[sol.selected].sum()),
            "closest_same_heading_m": round(closest, 1) if np.isfinite(closest) else None,
            "closest_pair": [sites[i]["site_id"] for i in pair] if pair[0] >= 0 else []}, sites


def main(argv: list[str]) -> None:
    """Both rules on the scenario (default: scenarios/fridhemsplan.toml)."""
    edge = config.load(argv[0] if argv else SCENARIO)
    old = config.revalidate(replace(edge, candidates=replace(edge.candidates, mount="centreline"),
                                    optimization=replace(edge.optimization, min_spacing_same_heading_m=0.0)))
    inputs = stages.load_inputs(edge)
    for scenario, rule in ((old, "centreline"), (edge, "edge")):
        head, sites = measure(scenario, rule, inputs)
        print(json.dumps(head, ensure_ascii=False))
        for s in sites:
            print(json.dumps(s, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
