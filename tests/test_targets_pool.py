"""The curve's target points solved on worker processes give the points solved one after the other."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from camsite.optimize import Constraints, SolverOptions
from camsite.stages import _targets, objectives
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


def test_highest_reach_is_a_task_only_when_a_share_is_beyond_what_is_seeable() -> None:
    assert objectives.target_work(_inst(), NO_S2, (0.25, 0.5, 0.75)) == objectives.TargetWork(
        shares=(0.25, 0.5, 0.75), solved=(0.25, 0.5), reach=True)
    assert objectives.target_work(_inst(), CONFLICT, (0.25, 0.95)) == objectives.TargetWork(
        shares=(0.25, 0.95), solved=(0.25, 0.95), reach=False)


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
                 start: tuple[int, ...] = ()) -> Any:
        here.append((share, start))
        return objectives.solve_share(inst, cons, solver, share, start)

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
