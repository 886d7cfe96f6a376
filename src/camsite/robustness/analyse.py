"""How sure is the plan? Robustness samples and sensitivity cases of a finished run.

:func:`analyse` draws ``samples`` perturbed versions of the scenario's data
(one seed each, from ``SeedSequence(seed).spawn``), solves each exactly at the
scenario's budget on an executor (:mod:`camsite.executors`), adds the
one-at-a-time sensitivity cases, and returns a
:class:`~camsite.result.Robustness`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from camsite.config import RobustnessConfig
from camsite.errors import ConfigError
from camsite.executors import Executor, InlineExecutor
from camsite.result import Robustness, RunResult
from camsite.robustness import band
from camsite.robustness import sensitivity as sens
from camsite.robustness.margins import swap_margins
from camsite.robustness.perturb import Draw
from camsite.robustness.sample import Context, Outcome, evaluate, make_context
from camsite.robustness.tables import robustness_tables

logger = logging.getLogger(__name__)

__all__ = ["MAX_SAMPLES", "Task", "analyse", "check_options", "plan_margins", "run_task", "sample_seeds"]

#: The most samples one analysis draws.
MAX_SAMPLES = 100_000


@dataclass(frozen=True, eq=False)
class Task:
    """One task: a sample (drawn from ``seed``) or a sensitivity case (its ``draw``)."""

    index: int
    seed: int
    draw: Draw | None = None


def run_task(ctx: Context, task: Task) -> Outcome:
    """Evaluate one task (the function every executor runs)."""
    return evaluate(ctx, task.index, task.seed, task.draw)


def sample_seeds(seed: int, samples: int) -> list[int]:
    """One 32-bit seed per sample from ``SeedSequence(seed).spawn(samples)`` (the same on every executor)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(samples)]


def check_options(samples: int, seed: int, *, option: str = "--samples") -> None:
    """``--samples`` (or ``option``) and ``--seed`` as a user gives them, else a :class:`ConfigError` naming it."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ConfigError(f"must be between 1 and {MAX_SAMPLES:,} (got {samples})", where=option)
    if seed < 0:
        raise ConfigError(f"must be 0 or more (got {seed})", where="--seed")


def site_positions(result: RunResult) -> pd.DataFrame:
    """Easting, northing (working CRS) and lon, lat of each site id, indexed by site id."""
    cands = result.instance.candidates.drop_duplicates("site_id")
    ll = cands.geometry.to_crs(4326)
    return pd.DataFrame({"easting": cands.geometry.x.to_numpy(float), "northing": cands.geometry.y.to_numpy(float),
                         "lon": ll.x.to_numpy(float), "lat": ll.y.to_numpy(float)},
                        index=pd.Index(cands["site_id"].astype(str).to_numpy(), name="site_id"))


def analyse(result: RunResult, *, samples: int, seed: int = 0, executor: Executor | None = None,
            sensitivity: bool = True, settings: RobustnessConfig | None = None,
            progress: Callable[[int, int], None] | None = None) -> Robustness:
    """Robustness and sensitivity of ``result``'s plan.

    Parameters
    ----------
    result
        A finished run (its solution is the main plan).
    samples, seed
        Number of perturbed samples and the seed they are drawn from.
    executor
        Where the tasks run (default: in this process).
    sensitivity
        Also run the one-at-a-time sensitivity cases.
    settings
        The perturbations (default: the scenario's ``[robustness]``).
    progress
        Called as ``progress(done, total)`` as tasks finish.
    """
    check_options(samples, seed)
    t0 = time.perf_counter()
    ex = executor or InlineExecutor()
    ctx = make_context(result.scenario, result.inputs, result.instance, result.solution.selected, settings=settings,
                       curve_plans=band.curve_variants(getattr(result, "budget_curve", None)))
    tasks = [Task(i, s) for i, s in enumerate(sample_seeds(seed, samples))]
    case_list = sens.cases(ctx) if sensitivity else []
    tasks += [Task(samples + k, 0, c.draw) for k, c in enumerate(case_list)]
    total = len(tasks)
    outcomes = ex.map(run_task, ctx, tasks, progress=(lambda done: progress(done, total)) if progress else None)
    main_sites = list(dict.fromkeys(str(s) for s in result.instance.candidates["site_id"].to_numpy()[
        np.asarray(result.solution.selected, np.int64)]))
    ranked = getattr(result, "sites", None)  # places form from the plan's sites by rank (when the run ranked them)
    rank = {str(s): k for k, s in enumerate(ranked["site_id"])} if ranked is not None and "site_id" in ranked else {}
    main_sites.sort(key=lambda s: rank.get(s, len(rank)))
    table = sens.sensitivity_table(case_list, outcomes[samples:], main_sites) if sensitivity else None
    info: dict[str, Any] = {"seed": seed, "place_radius_m": result.scenario.optimization.min_spacing_same_heading_m, "executor": ex.label, "workers": ex.workers,
                            "seconds": round(time.perf_counter() - t0, 3),
                            **dataclasses.asdict(ctx.settings), "reweight_only": not any(o.rebuilt for o in outcomes[:samples])}
    logger.info("robustness: %d samples and %d sensitivity cases in %.1f s (%s, %d workers)", samples,
                len(case_list), info["seconds"], ex.label, ex.workers)
    rob = robustness_tables(outcomes[:samples], main_sites, site_positions(result),
                            stable_share=ctx.settings.stable_share, settings=info, sensitivity=table,
                            radius_m=result.scenario.optimization.min_spacing_same_heading_m,
                            margins=plan_margins(result, ctx))
    curve = getattr(result, "budget_curve", None)  # a run without a curve (or a stand-in without the field)
    budgets = [] if curve is None or not ctx.curve_plans else curve["budget_sek"].astype(float).tolist()
    return dataclasses.replace(rob, curve_band=band.curve_band(budgets, [o.curve_incident_pct
                                                                         for o in outcomes[:samples]]))


def plan_margins(result: RunResult, ctx: Context) -> pd.DataFrame:
    """The swap margin of each plan site (:mod:`camsite.robustness.margins`) on the scenario's own data."""
    inst, opt = result.instance, result.scenario.optimization
    g = inst.candidates.geometry
    where = pd.DataFrame({"easting": g.x.to_numpy(float), "northing": g.y.to_numpy(float)})
    return swap_margins(inst.rows, inst.costs, inst.candidates["site_id"].astype(str).tolist(), where,
                        result.solution.selected, budget_sek=opt.budget_sek,
                        radius_m=opt.min_spacing_same_heading_m, constraints=ctx.constraints)
