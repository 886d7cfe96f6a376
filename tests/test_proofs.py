"""The proof store: proven target points and highest reaches kept between runs, checked again before use, never
trusted when they do not fit (camsite.stages._proofs)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from camsite import optimize
from camsite.config import OptimizationConfig
from camsite.optimize import SolverOptions
from camsite.stages import ProofStore, Reach, _proofs, _reach, _targets, objectives
from camsite.stages.answer import _target_solver
from factory import fridhemsplan_data, invoke, write_scenario
from test_targets_pool import CONFLICT, GAP, _inst

# The hand instance of test_objectives: incident rows 0-5 (weights 1, 1, 1, 1, 1, 5; 10 in all); sites s0 (rows
# 0, 1; cost 1), s1 (rows 2, 3; 1), s2 (row 5; 3), s3 (row 4; 1), s4 (rows 0-2; 2.5). Half of it (5 of 10)
# costs 3: s2 alone, or s0 + s1 + s3; the tie-break takes the one the solver proves.


def _no_solve(*args: object, **kwargs: object) -> None:
    raise AssertionError("solved again instead of taking the stored proof")


def test_a_proven_point_is_kept_and_taken_again_without_a_solve(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProofStore(tmp_path / "proofs")
    first = objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=store)
    assert (first.status, first.objective) == ("optimal", 3.0)
    files = list((tmp_path / "proofs").glob("*.json"))
    assert len(files) == 1
    record = json.loads(files[0].read_text())
    assert (record["kind"], record["share"], record["cost_sek"], record["selected"]) == \
        ("target", 0.5, 3.0, first.selected.tolist())
    monkeypatch.setattr(objectives, "solve", _no_solve)
    again = objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=store)
    assert (again.status, again.objective, again.bound, again.gap) == ("optimal", 3.0, 3.0, 0.0)
    assert again.selected.tolist() == first.selected.tolist()
    assert again.covered_weight == pytest.approx(first.covered_weight)  # recomputed from the rows
    assert again.coverage_pct == pytest.approx(first.coverage_pct)


def test_another_share_or_other_constraints_are_other_proofs(tmp_path: Path) -> None:
    store = ProofStore(tmp_path)
    objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=store)
    objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.25, proofs=store)
    objectives.solve_share(_inst(), GAP, SolverOptions(), 0.5, proofs=store)
    assert len(list(tmp_path.glob("*.json"))) == 3


def _stored_record(tmp_path: Path) -> Path:
    objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=ProofStore(tmp_path))
    (path,) = tmp_path.glob("*.json")
    return path


@pytest.mark.parametrize(("edit", "why"), [
    ({"cost_sek": 2.0}, "costs 3, not 2"),  # a cost that is not the plan's
    ({"selected": [0], "cost_sek": 1.0}, "no longer sees its share"),  # s0 alone sees 2 of the 5 needed
    ({"selected": [2, 3], "cost_sek": 4.0}, "does not fit"),  # s2 and s3 together break the conflict
    ({"selected": [9], "cost_sek": 1.0}, "does not fit"),  # no site 9
    ({"record_version": 0}, "not a proof record"),
])
def test_a_record_that_does_not_hold_is_ignored_and_solved_again(tmp_path: Path, edit: dict[str, Any], why: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    path = _stored_record(tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), **edit}))
    with caplog.at_level(logging.WARNING, logger="camsite.stages"):
        sol = objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=ProofStore(tmp_path))
    assert (sol.status, sol.objective) == ("optimal", 3.0)  # solved again
    assert any(why in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert json.loads(path.read_text())["cost_sek"] == 3.0  # and the new proof replaces the record


def test_an_unreadable_record_or_folder_never_stops_the_run(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    path = _stored_record(tmp_path)
    path.write_text("{not json")
    blocked = tmp_path / "file"
    blocked.write_text("a file where the store's folder should be")
    with caplog.at_level(logging.WARNING, logger="camsite.stages"):
        assert objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5,
                                      proofs=ProofStore(tmp_path)).objective == 3.0
        assert objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5,
                                      proofs=ProofStore(blocked / "proofs")).objective == 3.0
    messages = " | ".join(r.getMessage() for r in caplog.records)
    assert "cannot be read" in messages and "cannot write" in messages
    assert not list(blocked.parent.glob(".*.tmp"))  # no half-written file left behind


def test_an_unproven_point_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = objectives.solve

    def stopped(*args: Any, **kwargs: Any) -> Any:
        return replace(real(*args, **kwargs), status="time_limit")

    monkeypatch.setattr(objectives, "solve", stopped)
    objectives.solve_share(_inst(), CONFLICT, SolverOptions(), 0.5, proofs=ProofStore(tmp_path))
    assert not list(tmp_path.glob("*.json"))


def test_a_proven_highest_reach_is_kept_and_taken_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProofStore(tmp_path)
    inc = objectives.incident_rows(_inst())
    first = _reach.highest_reach(_inst(), inc, GAP, SolverOptions(), proofs=store)
    assert first == Reach(80.0, 80.0, 5.5, 2, True)  # s2 + s4, proven by the MIP (test_reach_mip)
    monkeypatch.setattr(optimize, "make_model", _no_solve)
    again = _reach.highest_reach(_inst(), inc, GAP, SolverOptions(), proofs=store)
    assert (again.found_pct, again.bound_pct, again.cost_sek, again.n_sites, again.proven) == (80.0, 80.0, 5.5, 2, True)
    assert again.proven_at is not None


def test_prove_gives_a_large_models_reach_its_mip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_reach, "REACH_MIP_SITES", 0)  # as if the model were large and far from its bound
    inc = objectives.incident_rows(_inst())
    quick = _reach.highest_reach(_inst(), inc, GAP, SolverOptions(), proofs=ProofStore(tmp_path))
    assert (quick.found_pct, quick.proven) == (50.0, False)  # the greedy plan and the LP bound: nothing kept
    assert not list(tmp_path.glob("*.json"))
    proved = _reach.highest_reach(_inst(), inc, GAP, SolverOptions(time_limit_s=30.0), prove=True,
                                  proofs=ProofStore(tmp_path))
    assert proved == Reach(80.0, 80.0, 5.5, 2, True)
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_prove_gives_the_target_points_the_scenarios_time_limit() -> None:
    opt = OptimizationConfig(budget_sek=1e6, time_limit_s=120.0, target_time_limit_s=3.0)
    sweep = SolverOptions(time_limit_s=120.0)
    quick, proving = _target_solver(opt, sweep), _target_solver(replace(opt, prove_targets=True), sweep)
    assert (quick.time_limit_s, quick.max_start_gap) == (3.0, 0.05)
    assert (proving.time_limit_s, proving.max_start_gap) == (120.0, None)


def test_the_fingerprint_sees_every_part_of_the_instance() -> None:
    inst = _inst()
    parts = _proofs.instance_parts(inst, CONFLICT, SolverOptions())
    base = _proofs.fingerprint("target", *parts, 0.5)
    assert base == _proofs.fingerprint("target", *_proofs.instance_parts(_inst(), CONFLICT, SolverOptions()), 0.5)
    costs = np.asarray(inst.costs, dtype=float).copy()
    costs[0] += 1.0
    other = [("costs", (*parts[:3], costs, *parts[4:])), ("constraints", (*parts[:4], GAP, *parts[5:])),
             ("solver", (*parts[:5], "cbc", parts[6])), ("tie-break", (*parts[:6], "none"))]
    for what, changed in other:
        assert _proofs.fingerprint("target", *changed, 0.5) != base, what


def test_the_command_proves_keeps_and_reuses(tmp_path: Path) -> None:
    """``camsite run --prove --proofs DIR`` on the 350 m circle (test_objectives' small scenario) keeps its proven
    points; a second run, with the 3 s default, takes them (the log says so) and writes the same min_budgets.csv;
    ``--no-proofs`` neither reads nor writes a store."""
    sweep = {"start": 100000, "stop": 800000, "step": 100000}
    scen = write_scenario(tmp_path, fridhemsplan_data(350, optimization={"budget_sek": 500000, "budget_sweep": sweep}))
    store = tmp_path / "proofs"
    invoke("run", scen, "--out", tmp_path / "a", "--prove", "--proofs", store, "--time-limit", "30")
    kept = sorted(p.name for p in store.glob("*.json"))
    assert kept, "no proof kept"
    first = pd.read_csv(tmp_path / "a" / "min_budgets.csv")
    assert set(first["status"]) <= {"optimal", "unreachable"}
    again = invoke("-v", "run", scen, "--out", tmp_path / "b", "--proofs", store)
    assert "proof store" in again.output
    assert pd.read_csv(tmp_path / "b" / "min_budgets.csv").equals(first)
    assert sorted(p.name for p in store.glob("*.json")) == kept
    invoke("run", scen, "--out", tmp_path / "c", "--no-proofs", "--proofs", tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_a_batch_reads_the_proofs_as_run_does(tmp_path: Path, no_deliverables: None) -> None:
    """``camsite batch --proofs DIR`` takes the target points ``camsite run --prove`` proved there (its own 3 s
    leave them unproven on the 350 m circle: the far-start rule), ``--no-proofs`` neither reads nor writes."""
    sweep = {"start": 100000, "stop": 800000, "step": 100000}
    write_scenario(tmp_path, fridhemsplan_data(350, name="liten", optimization={
        "budget_sek": 500000, "budget_sweep": sweep}), name="liten.toml")
    (tmp_path / "b.toml").write_text('curve = true\n\n[[runs]]\nscenario = "liten.toml"\n', encoding="utf-8")
    store = tmp_path / "proofs"
    invoke("run", tmp_path / "liten.toml", "--out", tmp_path / "run", "--prove", "--proofs", store,
           "--time-limit", "30")
    proven = pd.read_csv(tmp_path / "run" / "min_budgets.csv")
    assert set(proven["status"]) <= {"optimal", "unreachable"}

    def batch(*options: object) -> pd.DataFrame:
        out = tmp_path / f"res{len(list(tmp_path.glob('res*')))}"
        invoke("batch", tmp_path / "b.toml", "--out", out, *options, "--workers", "1", "--no-progress")
        return pd.read_csv(out / "liten" / "min_budgets.csv")

    assert batch("--proofs", store).equals(proven)
    cold = batch("--no-proofs", "--proofs", tmp_path / "none")
    assert not (tmp_path / "none").exists()
    assert "time_limit" in set(cold["status"])  # what the store saved it: the points unproven after 3 s


def test_prove_proves_the_reach_on_a_worker_beside_the_shares(monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                                              ) -> None:
    """With a pool, ``--prove`` decides the shares by the quick reach (greedy 50 %, LP bound 80 %) and proves the
    reach on a worker of its own while the shares are solved: the points report the proven 80 %, and the proof is
    kept by the worker."""
    monkeypatch.setattr(_reach, "REACH_MIP_SITES", 0)  # as if large and far from its bound (the worker forks after)
    pending = _targets.start_targets(_inst(), GAP, SolverOptions(time_limit_s=30.0), shares=(0.5, 0.85, 0.95),
                                     workers=1, prove=True, proofs=ProofStore(tmp_path))
    assert pending is not None and pending.reach is not None and pending.pool is not None
    assert pending.work.reach is not None and (pending.work.reach.found_pct, pending.work.reach.proven) == (50.0, False)
    points = pending.points(None)
    assert [p["status"] for p in points] == ["optimal", "unreachable", "unreachable"]
    assert [(p["max_incident_pct"], p["max_incident_bound_pct"], p["max_plan_cost_sek"]) for p in points[1:]] == \
        [(80.0, 80.0, 5.5)] * 2  # s2 + s4, proven (without --prove: the greedy plan's 50 %)
    kinds = sorted(json.loads(p.read_text())["kind"] for p in tmp_path.glob("*.json"))
    assert kinds == ["reach", "target"]


def test_prove_without_a_curve_says_there_is_nothing_to_prove(tmp_path: Path, no_deliverables: None) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(250))
    res = invoke("run", scen, "--out", tmp_path / "o", "--prove", "--no-curve", "--proofs", tmp_path / "p",
                 "--no-progress")
    assert "no budget curve, so it has no target points to prove" in res.stderr
    assert not (tmp_path / "p").exists()


def test_a_target_question_proves_its_point_for_this_run_and_later_ones(tmp_path: Path, no_deliverables: None
                                                                        ) -> None:
    """``camsite run --target 0.25`` proves the 25 % plan as its question (probes within the scenario's limit);
    its own min_budgets.csv then shows that proof for the 25 % point, not the point's quick 3 s plan, and a later
    run on the same data takes it from the store. Without a store the run's point stays the quick plan."""
    sweep = {"start": 100000, "stop": 800000, "step": 100000}
    scen = write_scenario(tmp_path, fridhemsplan_data(350, optimization={"budget_sek": 500000, "budget_sweep": sweep}))
    store = tmp_path / "proofs"

    def run(out: str, *options: object) -> tuple[dict[str, Any], pd.Series]:
        invoke("run", scen, "--out", tmp_path / out, "--time-limit", "60", "--no-progress", *options)
        points = pd.read_csv(tmp_path / out / "min_budgets.csv")
        return json.loads((tmp_path / out / "summary.json").read_text()), points.set_index("kind").loc["target_25"]

    summary, point = run("asked", "--target", "0.25", "--proofs", store)
    assert summary["status"] == "optimal"
    assert (point["status"], point["cost_sek"]) == ("optimal", summary["question"]["cost_sek"])
    _, later = run("later", "--proofs", store)
    assert later.equals(point)
    cold_summary, cold = run("cold", "--target", "0.25", "--no-proofs")
    assert cold_summary["question"]["cost_sek"] == summary["question"]["cost_sek"]
    assert cold["status"] == "time_limit"  # the point's own 3 s: what the store now settles
