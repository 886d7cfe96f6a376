"""Benchmark: the optimiser on the default scenario's instance (main solve and budget sweep).

The instance (6,376 demand points x 5,474 candidate variants, groups from the
site ids, no spacing, no forced/forbidden sites) is read from
``/tmp/default_instance.npz`` and ``/tmp/default_cov.npz``; when they are
missing it is built through the public stages (``camsite.stages``) and saved
there. For each solver one JSON line per measurement:

``reduce``
    :func:`camsite.optimize.make_model` (checks and presolve reductions).
``main``
    :func:`camsite.optimize.max_coverage` at the main budget with the defaults
    (greedy, LP bound, local tie-break).
``sweep``
    :func:`camsite.optimize.budget_sweep` over 250,000..2,000,000 SEK (step
    250,000) with ``workers`` 1 and 2, with and without the main budget as
    ``known``; ``same`` says whether the table equals the 1-worker one, and
    ``golden`` whether it equals ``tests/data/golden/budget_curve.csv`` (HiGHS).

CBC runs with a time limit per solve (``--cbc-time-limit``), so its rows show
``time_limit`` statuses with CBC's own bound.

Usage::

    python benchmarks/sweep.py                      # HiGHS and CBC
    python benchmarks/sweep.py --solvers highs --repeat 3
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from camsite import optimize
from camsite.optimize import Constraints, SolverOptions
from camsite.vocab import SOLVER_NAMES

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"
GOLDEN = ROOT / "tests" / "data" / "golden" / "budget_curve.csv"
INSTANCE = Path("/tmp/default_instance.npz")
COVERAGE = Path("/tmp/default_cov.npz")
MAIN_BUDGET = 1_500_000.0
BUDGETS = [250_000.0 * k for k in range(1, 9)]


def _build_instance() -> None:
    """Build the default instance through the public stages and save it (a few seconds)."""
    from camsite import config, stages

    s = config.load(SCENARIO)
    opt = s.optimization
    inputs = stages.load_inputs(s)
    cams = stages.CameraModels.from_types(s.camera_types, horizon_years=opt.horizon_years,
                                          offered=s.candidates.camera_types)
    inst = stages.build_instance(inputs, s.demand, s.candidates, cams, category_weights=s.category_weights,
                                 viewsheds=False)
    c = inst.candidates
    np.savez(INSTANCE, w=inst.weights, c=inst.costs, e=inst.existing_mask,
             site_ids=c["site_id"].to_numpy().astype(str), types=c["camera_type"].to_numpy().astype(str),
             x=inst.xy[:, 0], y=inst.xy[:, 1])
    sp.save_npz(COVERAGE, sp.csr_matrix(inst.coverage))


def load() -> tuple[sp.csr_matrix, dict[str, Any], Constraints]:
    """The default instance: coverage, arrays and side constraints."""
    if not (INSTANCE.exists() and COVERAGE.exists()):
        _build_instance()
    d = dict(np.load(INSTANCE))
    cov = sp.csr_matrix(sp.load_npz(COVERAGE))
    return cov, d, optimize.side_constraints(site_ids=d["site_ids"], camera_types=d["types"])


def _timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t0, 3)


def run(solver: str, time_limit: float | None, cov: sp.csr_matrix, d: dict[str, Any], cons: Constraints,
        golden: str | None) -> list[dict[str, Any]]:
    """The measurements for one solver."""
    w, c, e = d["w"], d["c"], d["e"]
    rows: list[dict[str, Any]] = []
    _, t = _timed(lambda: optimize.make_model(cov, w, c, existing=e, constraints=cons))
    rows.append({"what": "reduce", "solver": solver, "seconds": t})
    main, t = _timed(lambda: optimize.max_coverage(cov, w, c, MAIN_BUDGET, existing=e, constraints=cons,
                                                   solver=SolverOptions(name=solver, time_limit_s=time_limit)))
    rows.append({"what": "main", "solver": solver, "seconds": t, "status": main.status,
                 "objective": main.objective, "bound": main.bound, "sites": main.selected.tolist()})
    ref = None
    for known in (False, True):
        for workers in (1, 2):
            opts = SolverOptions(name=solver, time_limit_s=time_limit, greedy=False, lp_bound=False,
                                 workers=workers)
            curve, t = _timed(lambda o=opts, k=known: optimize.budget_sweep(  # type: ignore[misc]
                cov, w, c, BUDGETS, existing=e, constraints=cons, solver=o,
                known={MAIN_BUDGET: main} if k else None))
            ref = curve if ref is None else ref
            rec: dict[str, Any] = {
                "what": "sweep", "solver": solver, "workers": workers, "known_main": known, "seconds": t,
                "same": bool(curve.equals(ref)), "statuses": curve["status"].tolist(),
                "gaps": [round(g, 4) for g in curve["gap"]]}
            if golden is not None:
                rec["golden"] = curve.to_csv(index=False, lineterminator="\n") == golden
            rows.append(rec)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the measurements as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--solvers", nargs="+", default=list(SOLVER_NAMES), choices=list(SOLVER_NAMES))
    ap.add_argument("--cbc-time-limit", type=float, default=5.0, help="seconds per CBC solve")
    ap.add_argument("--repeat", type=int, default=1, help="repeat every measurement")
    args = ap.parse_args(argv)
    cov, d, cons = load()
    golden = GOLDEN.read_text() if GOLDEN.exists() else None
    for _ in range(args.repeat):
        for solver in args.solvers:
            limit = args.cbc_time_limit if solver == "cbc" else None
            for rec in run(solver, limit, cov, d, cons, golden if solver == "highs" else None):
                print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
