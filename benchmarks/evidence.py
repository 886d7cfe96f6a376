"""The evidence targets on a scenario, measured: jitter loss, robustness on places, one-event flags, the curve.

Prints

* the loss of the unchanged plan when every intersection-located incident moves within its own recorded
  uncertainty (mean over ``--draws``; :mod:`evidence_jitter`), target <= 5 %;
* with ``--samples N`` (0: skipped), the robustness analysis at the scenario's defaults on ``--workers``
  processes: mean place-level Jaccard (target >= 0.7), mean regret (<= 10 %), the share of the plan's sites in
  the place-level stable core (>= 70 %), and the same without each perturbation when ``--ablate`` is given;
* the plan's sites that take more than half of their incident gain from one event, and whether each is flagged;
* the budget curve's incident coverage (never falling?) and its knee (not the sweep's first or last point?);
* the run's CPU time (this process and its workers).

Run::

    PYTHONPATH=src python benchmarks/evidence.py scenarios/fridhemsplan.toml --draws 4 --samples 100 --workers 2
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from camsite import config, pipeline, robustness, stages
from camsite.executors import executor
from camsite.result import RunResult
from evidence_jitter import _moved, _solve

_ABLATIONS = ("bootstrap", "jitter", "weights", "ranges")


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + kids.ru_utime


def jitter_loss(sc: config.Scenario, draws: int, seed: int) -> list[float]:
    """The unchanged plan's loss (%) against the optimum on the moved data, per draw."""
    inputs = stages.load_inputs(sc)
    base = stages.instance_for(sc, inputs)
    plan = set(base.candidates["variant"].to_numpy()[_solve(sc, base).selected])
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(draws):
        inst = stages.instance_for(sc, _moved(inputs, sc, rng))
        best = _solve(sc, inst)
        cols = np.flatnonzero(inst.candidates["variant"].isin(plan).to_numpy())
        out.append(100.0 * (1.0 - float(inst.rows.plan_value(cols).sum()) / best.objective))
    return out


def _robust(result: RunResult, samples: int, workers: int, off: str | None = None) -> str:
    sc = result.scenario
    settings = sc.robustness if off is None else dataclasses.replace(sc.robustness, **{off: False})
    with executor(workers=workers) as ex:
        rob = robustness.analyse(result, samples=samples, seed=0, executor=ex, sensitivity=False, settings=settings)
    s = rob.summary()
    share = s["place_core_share"]
    return (f"mean place Jaccard {s['mean_place_jaccard']:.2f} (site {s['mean_jaccard']:.2f}), "
            f"mean regret {s['mean_regret_pct']:.1f} % (max {s['max_regret_pct']:.1f}), "
            f"place-level stable core {len(s['place_core'])}/{len(result.sites)} "
            f"({100 * (share or 0):.0f} %), site-level core {len(s['stable_core'])}; {_margins(rob.sites)}")


def _margins(sites: pd.DataFrame) -> str:
    """The plan sites' swap margins, inside and outside the place core."""
    plan = sites[sites["in_main_plan"] == "yes"]
    parts = []
    for label, held in (("in the core", "yes"), ("outside", "no")):
        m = plan.loc[plan["place_stable"] == held, "swap_margin_pct"].dropna()
        parts.append(f"{label} {m.min():.2f}-{m.max():.2f} %" if len(m) else f"{label} none")
    return "swap margins " + ", ".join(parts)


def _flags(result: RunResult) -> str:
    t = result.sites
    heavy = t["top_event_share"].to_numpy(float) > 0.5
    flagged = t["rests_on_one_event"].to_numpy(bool)
    rows = ", ".join(f"#{r} {s:.2f} of {n} events" for r, s, n in
                     zip(t["rank"][heavy], t["top_event_share"][heavy], t["gain_events"][heavy], strict=True))
    return f"{int(heavy.sum())} sites take > 50 % from one event ({rows}); unflagged among them: " \
           f"{int((heavy & ~flagged).sum())}"


def _curve(result: RunResult) -> str:
    c = result.budget_curve
    if c is None:
        return "no budget curve"
    y = c["incident_pct"].to_numpy(float)
    k = result.summary.budget_curve_knee or {}
    b = c["budget_sek"].to_numpy(float)
    inner = bool(k) and b.min() < float(k["budget_sek"]) < b.max()
    carried = int(c["incident_carried_from_sek"].notna().sum())
    pts = ", ".join(f"{v / 1e6:g}:{p:.2f}" for v, p in zip(b, y, strict=True))
    return (f"incident_pct by budget (MSEK:%) {pts}; never falls: {bool((np.diff(y) >= -1e-9).all())} "
            f"({carried} carried); knee {k.get('budget_sek')} at {k.get('incident_pct')} %, inner point: {inner}")


def main() -> None:
    """Measure and print every figure (module docs)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--draws", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ablate", action="store_true", help="also run robustness without each perturbation")
    args = ap.parse_args()
    sc = config.load(args.scenario)
    cpu0, t0 = _cpu(), time.perf_counter()
    result = pipeline.run(sc)
    print(f"run: {time.perf_counter() - t0:.1f} s wall, {_cpu() - cpu0:.1f} s CPU (with the curve)")
    print(f"headline: incidents seen {result.summary.incident_coverage_before_pct:.2f} -> "
          f"{result.summary.incident_coverage_after_pct:.2f} %, blend {result.summary.coverage_before_pct:.2f} -> "
          f"{result.summary.coverage_after_pct:.2f} %")
    print("curve:", _curve(result))
    print("one-event sites:", _flags(result))
    if args.draws:
        loss = jitter_loss(sc, args.draws, args.seed)
        print(f"jitter loss: mean {np.mean(loss):.1f} % (" + ", ".join(f"{v:.1f}" for v in loss) + ") over "
              f"{args.draws} draws (target <= 5 %)")
    if args.samples:
        base = config.override(sc, optimization=dataclasses.replace(sc.optimization, budget_sweep=None, stages=()))
        plain = pipeline.run(base)
        print(f"robustness ({args.samples} samples, seed 0):", _robust(plain, args.samples, args.workers))
        for off in _ABLATIONS if args.ablate else ():
            print(f"  without {off}:", _robust(plain, args.samples, args.workers, off))


if __name__ == "__main__":
    main()
