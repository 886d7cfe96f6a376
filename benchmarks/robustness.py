"""Benchmark: robustness samples of the default scenario on 1 local worker, all local workers and Dask.

Runs the default scenario once (no budget curve), then draws ``--samples``
perturbed samples (all perturbations on, seed 0, no sensitivity table) on

* a local pool of 1 worker process,
* a local pool of ``--workers`` processes (default: every core),
* a dask.distributed ``LocalCluster`` with the same number of worker processes
  (one thread each, Dask's sampling profiler off), started here (skipped without dask),

and prints one JSON line per executor (the best of ``--repeat`` runs): ``executor``, ``workers``, ``samples``,
``seconds``, ``samples_per_s``, ``efficiency`` (speed-up over 1 worker divided
by the workers) and ``same`` (the samples table equals the 1-worker one).

Usage::

    python benchmarks/robustness.py               # 100 samples
    python benchmarks/robustness.py --samples 40 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from camsite import config, pipeline, robustness
from camsite.executors import DaskExecutor, LocalExecutor

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"


def _timed(result: Any, ex: Any, samples: int, repeat: int) -> tuple[float, Any]:
    """The best of ``repeat`` wall-clock times (the machine may be shared) and the last result."""
    best, rob = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        rob = robustness.analyse(result, samples=samples, seed=0, executor=ex, sensitivity=False)
        best = min(best, time.perf_counter() - t0)
    return best, rob


def _line(name: str, workers: int, samples: int, seconds: float, base: float | None, same: bool) -> dict[str, Any]:
    speed = samples / seconds
    eff = None if base is None else round(base / seconds / workers, 3)
    return {"executor": name, "workers": workers, "samples": samples, "seconds": round(seconds, 2),
            "samples_per_s": round(speed, 3), "efficiency": eff, "same": same}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs per executor")
    args = ap.parse_args()
    logging.getLogger("camsite").setLevel(logging.ERROR)
    scen = config.load(args.scenario)
    scen = config.override(scen, optimization=replace(scen.optimization, budget_sweep=None, stages=()))
    result = pipeline.run(scen)
    t1, ref = _timed(result, LocalExecutor(1), args.samples, args.repeat)
    print(json.dumps(_line("local", 1, args.samples, t1, t1, True)), flush=True)
    tk, rob = _timed(result, LocalExecutor(args.workers), args.samples, args.repeat)
    print(json.dumps(_line("local", args.workers, args.samples, tk, t1, rob.samples.equals(ref.samples))), flush=True)
    try:
        import distributed
    except ImportError:
        print(json.dumps({"executor": "dask", "skipped": "pip install 'camsite[dask]'"}))
        return
    import dask

    dask.config.set({"distributed.worker.profile.enabled": False})  # the sampling profiler slows CPU-bound tasks
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as lc, \
            distributed.Client(lc) as client:
        client.wait_for_workers(args.workers)
        td, rob = _timed(result, DaskExecutor(client=client), args.samples, args.repeat)
    print(json.dumps(_line("dask", args.workers, args.samples, td, t1, rob.samples.equals(ref.samples))), flush=True)


if __name__ == "__main__":
    main()
