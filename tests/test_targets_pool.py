"""The curve's target points solved on worker processes give the points solved one after the other."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from camsite import config, pipeline, stages
from camsite.config import OptimizationConfig
from camsite.errors import SolverError
from camsite.optimize import Constraints, SolverOptions
from camsite.stages import Reach, _reach, _targets, objectives
from factory import fridhemsplan_data, write_scenario
from test_objectives import _instance

# test_objectives' hand instance: incident rows 0-5 (weights 1, 1, 1, 1, 1, 5; 10 in all); sites s0 (rows 0, 1;
# cost 1), s1 (rows 2, 3; 1), s2 (row 5; 3), s3 (row 4; 1), s4 (rows 0-2; 2.5).
CONFLICT = Constraints.build(5, conflicts=[[2, 3]])  # s2 and s3 not both: at most 9 of 10 (test_reach_band)
NO_S2 = Constraints.build(5, forbidden=[2])  # row 5 seen by no allowed site: at most 5 of 10 seeable


def _inst() -> Any:
    inst = _instance()
    inst.candidates["variant"] = [f"v{j}" for j in range(5)]
    return inst


def _points(cons: Constraints, shares: tuple[float, ...], curve: pd.DataFrame | None,
            workers: int) -> tuple[dict[str, Any], ...]:
    pending = _targets.start_targets(_inst(), cons, SolverOptions(), shares=shares, workers=workers)
    assert pending is not None
    assert (pending.pool is not None) == (workers > 0)
    return pending.points(curve)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(("cons", "shares"), [(CONFLICT, (0.25, 0.5, 0.95)), (NO_S2, (0.25, 0.5, 0.75))])
def test_pool_gives_the_serial_points(cons: Constraints, shares: tuple[float, ...], workers: int) -> None:
    serial = objectives.target_points(_inst(), cons, SolverOptions(), shares=shares)
    assert _points(cons, shares, None, workers) == _points(cons, shares, None, 0) == serial
    # by hand: 2.5 of 10 -> s0 + s1 or s4 (cost 2 or 2.5: s0 + s1); 5 -> s2 alone or s0 + s1 + s3 (3 each)
    assert [p.get("cost_sek") for p in serial[:2]] == [2.0, 3.0]
    last = serial[2]
    if cons is CONFLICT:  # 9.5 of 10: out of reach under the conflict, at most 9 (s0, s1, s2 for 5)
        assert (last["status"], last["max_incident_pct"], last["max_plan_cost_sek"]) == ("unreachable", 90.0, 5.0)
    else:  # 7.5 of 10: beyond what the allowed sites see (5 of 10), no solve: the highest reach, s0 + s1 + s3
        assert (last["status"], last["max_incident_pct"], last["max_plan_cost_sek"]) == ("unreachable", 50.0, 3.0)


def test_the_highest_reach_comes_first_only_when_a_share_is_beyond_what_is_seeable() -> None:
    work = objectives.target_work(_inst(), NO_S2, SolverOptions(), (0.25, 0.5, 0.75))
    assert work is not None and (work.solved, work.reach) == ((0.25, 0.5), Reach(50.0, 50.0, 3.0, 3, True))
    work = objectives.target_work(_inst(), CONFLICT, SolverOptions(), (0.25, 0.95))
    assert work is not None and (work.solved, work.reach) == ((0.25, 0.95), None)  # 95 %: proven out of reach later


# s3 forbidden: row 4 is seen by no allowed site (9 of 10 seeable); s1 and s2 not both: the best plan is s2 + s4
# (rows 5 and 0-2: 8 of 10, for 3 + 2.5), which the LP bound proves (row 3 needs s1, row 5 s2: 5 > 1).
GAP = Constraints.build(5, forbidden=[3], conflicts=[[1, 2]])


@pytest.mark.parametrize("workers", [0, 1])
def test_a_share_above_the_reach_bound_is_out_of_reach_without_a_solve(workers: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shares = (0.5, 0.85, 0.95)
    work = objectives.target_work(_inst(), GAP, SolverOptions(), shares)
    assert work is not None and work.solved == (0.5,) and work.reach == Reach(80.0, 80.0, 5.5, 2, True)
    asked: list[float] = []
    solve_share = objectives.solve_share

    def recorded(inst: Any, cons: Constraints, solver: SolverOptions, share: float,
                 start: tuple[int, ...] = (), **kw: Any) -> Any:
        asked.append(share)
        return solve_share(inst, cons, solver, share, start, **kw)

    monkeypatch.setattr(objectives, "solve_share", recorded)
    monkeypatch.setattr(_targets, "solve_share", recorded)  # before the worker forks: it records its own copy
    serial = objectives.target_points(_inst(), GAP, SolverOptions(), shares=shares)
    assert asked == [0.5]  # 85 % (above the bound of 80 %, below the 90 % seeable) is not solved
    assert _points(GAP, shares, None, workers) == serial
    pending = _targets.start_targets(_inst(), GAP, SolverOptions(), shares=shares, workers=workers)
    assert pending is not None and set(pending.shares) == ({0.5} if workers else set())  # 85 %: not submitted
    pending.cancel()
    # 85 %: what the solve would prove (infeasible), with the highest reach; 5 of 10 for 3 SEK: s2 alone
    assert [p["status"] for p in serial] == ["optimal", "unreachable", "unreachable"]
    assert serial[0]["cost_sek"] == 3.0 and serial[0]["sites"] == "s2"
    assert all((p["max_incident_pct"], p["max_incident_bound_pct"], p["max_plan_cost_sek"], p["max_plan_n_sites"])
               == (80.0, 80.0, 5.5, 2) for p in serial[1:])
    with pytest.raises(SolverError):  # the solve the bound saves proves the same: no plan sees 85 %
        objectives.solve_min_cost(_inst(), OptimizationConfig(budget_sek=1.0, objective="min_cost",
                                                              target_incident_share=0.85), GAP, SolverOptions(), {})


@pytest.mark.parametrize("workers", [0, 2])
def test_a_curve_plan_reaching_a_share_is_its_start_as_serially(workers: int, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    # the curve's plan at 3 SEK (s0, s1, s3) sees 5 of 10: the start of the 25 % and 50 % points, solved again here
    curve = pd.DataFrame({"budget_sek": [3.0], "spent_sek": [3.0], "sites": ["v0;v1;v3"]})
    assert objectives.curve_start(_inst(), curve, 0.5) == (0, 1, 3)
    assert objectives.curve_start(_inst(), curve, 0.75) == ()
    shares = (0.25, 0.5, 0.75)
    serial = objectives.target_points(_inst(), CONFLICT, SolverOptions(), shares=shares, curve=curve)
    assert [p.get("cost_sek") for p in serial] == [2.0, 3.0, 5.0]  # 7.5 of 10: s0 + s1 + s2 (1 + 1 + 3)
    pending = _targets.start_targets(_inst(), CONFLICT, SolverOptions(), shares=shares, workers=workers)
    assert pending is not None
    here: list[tuple[float, tuple[int, ...]]] = []  # the solves made in this process (the workers forked before)

    def recorded(inst: Any, cons: Constraints, solver: SolverOptions, share: float,
                 start: tuple[int, ...] = (), **kw: Any) -> Any:
        here.append((share, start))
        return objectives.solve_share(inst, cons, solver, share, start, **kw)

    monkeypatch.setattr(_targets, "solve_share", recorded)
    assert pending.points(curve) == serial
    started = [(0.25, (0, 1, 3)), (0.5, (0, 1, 3))]
    assert here == (started if workers else [*started, (0.75, ())])  # 75 %: the worker's plan, no curve start


def test_a_failing_solve_ends_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("solver broke")

    monkeypatch.setattr(_targets, "solve_share", fail)  # before the workers fork: they fail too
    pending = _targets.start_targets(_inst(), CONFLICT, SolverOptions(), shares=(0.25, 0.5), workers=2)
    assert pending is not None and pending.pool is not None
    processes = list(pending.pool._processes.values())
    with pytest.raises(ValueError, match="solver broke"):
        pending.points(None)
    assert pending.pool is None and not any(p.is_alive() for p in processes)


def test_cancel_ends_the_workers_at_once() -> None:
    pending = _targets.start_targets(_inst(), NO_S2, SolverOptions(), shares=(0.25, 0.5, 0.75), workers=2)
    assert pending is not None and pending.pool is not None
    processes = list(pending.pool._processes.values())
    pending.cancel()
    assert pending.pool is None and not any(p.is_alive() for p in processes)


def test_no_incident_weight_no_points() -> None:
    inst = _inst()
    inst.rows.weights[:] = np.where(objectives.incident_rows(inst), 0.0, inst.rows.weights)
    assert _targets.start_targets(inst, CONFLICT, SolverOptions(), workers=2) is None


def test_a_failing_main_solve_ends_the_curve_and_target_workers(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's main solve fails while the curve and its target points are being solved: every worker ends."""
    scenario = config.load(write_scenario(tmp_path, fridhemsplan_data(optimization={
        "budget_sek": 500000, "budget_sweep": {"start": 100000, "stop": 800000, "step": 100000}})))
    started: list[stages.PendingPlans] = []
    workers: list[Any] = []
    start_curve = stages.start_curve

    def spy(*args: Any, **kwargs: Any) -> Any:
        pending = start_curve(*args, **kwargs)
        started.append(pending)
        for pool in (pending.curve.sweep.pool, pending.targets.pool if pending.targets else None):
            workers.extend((getattr(pool, "_processes", None) or {}).values())
        return pending

    def fail(*args: Any, **kwargs: Any) -> None:
        raise SolverError("the main solve broke", where="optimization")

    monkeypatch.setattr(stages, "start_curve", spy)
    monkeypatch.setattr(stages, "answer", fail)
    with pytest.raises(SolverError, match="the main solve broke"):
        pipeline.run(scenario)
    pending = started[0]
    assert pending.targets is not None and workers  # the target points were started, on a worker
    assert pending.curve.sweep.pool is None and pending.targets.pool is None
    assert not any(p.is_alive() for p in workers)


def test_highest_reach_has_its_lp_bound_whatever_the_mip_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy machine: the MIP's second ends before it proves anything (as if); the bound is the LP relaxation's,
    solved without a limit, so the figures do not depend on the load."""
    real = _reach.optimize.CoverageModel.solve
    limits: list[float | None] = []

    def stopped(self: Any, budget: float, *, solver: SolverOptions, **kwargs: Any) -> Any:
        limits.append(solver.time_limit_s)
        return dataclasses.replace(real(self, budget, solver=solver, **kwargs), status="time_limit")

    monkeypatch.setattr(_reach.optimize.CoverageModel, "solve", stopped)
    inst = _inst()
    reach = _reach.highest_reach(inst, objectives.incident_rows(inst), CONFLICT, SolverOptions())
    assert limits == [_reach.REACH_TIME_S] and not reach.proven
    assert (reach.found_pct, reach.bound_pct, reach.cost_sek, reach.n_sites) == (90.0, 90.0, 5.0, 3)  # by hand
