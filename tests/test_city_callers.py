"""Every command solves a scenario with ``[[districts]]`` under the same side constraints as ``camsite run``
(``stages.plan_constraints``): the robustness samples and the workbench keep the districts' spending rows.

The runs use the small two-district scenario of test_city_curve.py (400 m around Fridhemsplan split along the
stadsdelar) with "vast" made to spend at least 200 kSEK, as in scenarios/examples/two_districts.toml; the
minimum binds there (test_the_workbench_solves_under_the_districts_rows: at 400 kSEK the plan without the rows
covers more)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import factory
from camsite import config, pipeline, stages
from camsite.result import RunResult
from camsite.robustness.perturb import Draw
from camsite.robustness.sample import evaluate, make_context
from camsite.serve.state import Workbench
from test_city_curve import _data

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "examples" / "two_districts.toml"
VAST_MIN = 200000.0


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    data = _data()
    data["districts"][1]["min_sek"] = VAST_MIN
    scen = factory.scenario(data, folder=tmp_path_factory.mktemp("city_callers"))
    return pipeline.run(config.override(scen, optimization=replace(scen.optimization, budget_sweep=None)))


def test_the_example_scenario_asks_the_same_minimum() -> None:
    """scenarios/examples/two_districts.toml loads, with "vast" (the second district) at the minimum used here."""
    scen = config.load(EXAMPLE)
    assert [d.name for d in scen.districts] == ["ost", "vast"]
    assert scen.districts[1].min_sek == VAST_MIN and scen.districts[0].min_sek == 0.0


def _vast_spend(result: RunResult, sites: list[str] | np.ndarray, costs: np.ndarray) -> float:
    """What the plan's variants (candidate indices) spend in "vast", from the districts placed anew."""
    city = stages.city_districts(result.scenario, result.inputs, result.instance)
    assert city is not None
    idx = np.asarray(sites, dtype=np.int64)
    return float(costs[idx[city.candidate[idx] == city.names.index("vast")]].sum())


def test_run_keeps_the_minimum(run: RunResult) -> None:
    assert _vast_spend(run, run.solution.selected, run.instance.costs) >= VAST_MIN - 1e-6


@pytest.mark.slow
def test_robustness_main_plan_equals_the_run_plan(run: RunResult) -> None:
    """An unperturbed sample is the run's question: same constraints, same optimum, no regret."""
    ctx = make_context(run.scenario, run.inputs, run.instance, run.solution.selected)
    cons = stages.plan_constraints(run.scenario, run.inputs, run.instance)
    for name in ("spend_group", "spend_lower", "spend_upper", "forbidden"):
        assert np.array_equal(getattr(ctx.constraints, name), getattr(cons, name)), name
    out = evaluate(ctx, 0, 0, draw=Draw())
    assert out.optimum == pytest.approx(run.solution.objective, rel=1e-9)
    assert out.main_value == pytest.approx(out.optimum, rel=1e-9)  # the run's plan is the sample's optimum
    chosen = set(run.instance.candidates["site_id"].to_numpy()[run.solution.selected].astype(str))
    assert set(out.sites) == chosen


@pytest.mark.slow
def test_the_workbench_solves_under_the_districts_rows(run: RunResult) -> None:
    bench = Workbench(run, prefetch=False, time_limit_s=60.0)
    try:
        req = bench.parse({"budget_sek": 400000})
        got = bench.solve(req).solution
    finally:
        bench.close()
    cons = stages.plan_constraints(run.scenario, run.inputs, run.instance)
    want = stages.solve(run.instance, stages.MaxCoverage(400000), cons, stages.solver_options(run.scenario.optimization))
    assert want.status == got.status == "optimal"
    assert got.objective == pytest.approx(want.objective, rel=1e-9)
    assert _vast_spend(run, got.selected, run.instance.costs) >= VAST_MIN - 1e-6
    free = stages.solve(run.instance, stages.MaxCoverage(400000), stages.constraints_for(run.instance,
                                                                                          run.scenario.optimization),
                        stages.solver_options(run.scenario.optimization))
    assert free.objective > want.objective + 1e-6  # the minimum binds at 400 kSEK: the rows make a difference

