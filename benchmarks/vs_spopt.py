"""Benchmark: camsite.optimize.max_coverage against PySAL spopt's MCLP on the same instances.

Random instances: demand points and candidate sites uniform
in a 10 km square, integer weights 1..10, a service radius chosen so that a
demand point has about 8 sites in range, and p = 5 % of the sites. spopt solves
``MCLP.from_cost_matrix`` with HiGHS through pulp; camsite solves
``max_coverage`` with unit costs and budget p (greedy, LP bound and tie-break
pass included: the defaults a user gets). Both are timed end to end from the
distance/coverage data to the chosen sites. The script checks that the two
objectives are equal and prints one JSON line per instance.

Usage::

    python benchmarks/vs_spopt.py                       # all three sizes
    python benchmarks/vs_spopt.py --sizes 2000x1000 --skip-spopt

spopt needs Python >= 3.12; under older Pythons the spopt side is skipped with
a message on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from camsite.vocab import SOLVER_NAMES

SIDE_M = 10_000.0
SITES_IN_RANGE = 8.0
DEFAULT_SIZES = ("2000x1000", "5000x2000", "20000x5000")


def instance(n_demand: int, n_sites: int, seed: int = 0) -> dict:
    """Random instance: coordinates, weights, radius, p and the sparse coverage matrix."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, SIDE_M, size=(n_demand, 2))
    sites = rng.uniform(0, SIDE_M, size=(n_sites, 2))
    weights = rng.integers(1, 11, size=n_demand).astype(float)
    radius = math.sqrt(SITES_IN_RANGE * SIDE_M**2 / (math.pi * n_sites))
    p = max(1, round(0.05 * n_sites))
    pairs = cKDTree(demand).sparse_distance_matrix(cKDTree(sites), radius, output_type="coo_matrix")
    cov = sp.csr_matrix((np.ones(pairs.nnz, dtype=bool), (pairs.row, pairs.col)), shape=(n_demand, n_sites))
    return {"demand": demand, "sites": sites, "weights": weights, "radius": radius, "p": p, "coverage": cov}


def run_camsite(inst: dict, solver: str) -> tuple[float, float, int, str]:
    from camsite.optimize import SolverOptions, max_coverage

    t0 = time.perf_counter()
    pairs = cKDTree(inst["demand"]).sparse_distance_matrix(cKDTree(inst["sites"]), inst["radius"],
                                                           output_type="coo_matrix")
    cov = sp.csr_matrix((np.ones(pairs.nnz, dtype=bool), (pairs.row, pairs.col)),
                        shape=(len(inst["demand"]), len(inst["sites"])))
    sol = max_coverage(cov, inst["weights"], np.ones(cov.shape[1]), inst["p"], solver=SolverOptions(name=solver))
    return time.perf_counter() - t0, sol.objective, sol.n_sites, sol.status


def run_spopt(inst: dict) -> tuple[float, float, int]:
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    cost = cdist(inst["demand"], inst["sites"])
    model = MCLP.from_cost_matrix(cost, inst["weights"], service_radius=inst["radius"], p_facilities=inst["p"])
    model = model.solve(pulp.getSolver("HiGHS", msg=False))
    runtime = time.perf_counter() - t0
    chosen = np.array([j for j, v in enumerate(model.fac_vars) if v.varValue and v.varValue > 0.5])
    covered = np.asarray(inst["coverage"][:, chosen].sum(axis=1)).ravel() > 0
    return runtime, float(inst["weights"][covered].sum()), len(chosen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=list(DEFAULT_SIZES), help="DEMANDxSITES, e.g. 2000x1000")
    ap.add_argument("--skip-spopt", action="store_true", help="time camsite only")
    ap.add_argument("--spopt-max-sites", type=int, default=None,
                    help="run spopt only on instances with at most this many sites")
    ap.add_argument("--solver", default=SOLVER_NAMES[0], choices=SOLVER_NAMES, help="camsite's solver")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    have_spopt = not args.skip_spopt and sys.version_info >= (3, 12)
    if not args.skip_spopt and not have_spopt:
        print("spopt needs Python >= 3.12: skipping spopt, timing camsite only", file=sys.stderr)
    ok = True
    for size in args.sizes:
        n_dem, n_sites = (int(v) for v in size.lower().split("x"))
        inst = instance(n_dem, n_sites, args.seed)
        t_cs, obj_cs, n_cs, status = run_camsite(inst, args.solver)
        rec = {"n_demand": n_dem, "n_sites": n_sites, "p": inst["p"], "radius_m": round(inst["radius"], 1),
               "nnz": int(inst["coverage"].nnz), "camsite_s": round(t_cs, 3), "camsite_objective": obj_cs,
               "camsite_status": status, "camsite_sites": n_cs}
        if have_spopt and (args.spopt_max_sites is None or n_sites <= args.spopt_max_sites):
            t_sp, obj_sp, n_sp = run_spopt(inst)
            rec.update(spopt_s=round(t_sp, 3), spopt_objective=obj_sp, spopt_sites=n_sp,
                       speedup=round(t_sp / t_cs, 1), equal_objectives=bool(abs(obj_sp - obj_cs) < 1e-6))
            ok &= rec["equal_objectives"]
        print(json.dumps(rec), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
