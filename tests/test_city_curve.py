"""The city budget curve on a local pool, in this process and on a Dask cluster: the same plans, curve and
district figures (the districts' marginal-gain solves run alongside); `camsite run --scheduler` errors are one
line. A small two-district scenario (400 m around Fridhemsplan split along the stadsdelar)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import camsite
import factory
from camsite import pipeline, stages
from camsite.executors import DaskExecutor, InlineExecutor
from camsite.result import RunResult

ROOT = Path(__file__).resolve().parents[1]
STADSDELAR = ROOT / "data" / "stockholm" / "stadsdelar_land_2021.geojson"


def _data() -> dict[str, Any]:
    districts = [{"name": "ost", "label": "Öst", "stadsdelar": ["KUNGSHOLMEN"]},
                 {"name": "vast", "label": "Väst", "stadsdelar": ["MARIEBERG", "STADSHAGEN", "KRISTINEBERG",
                                                                 "FREDHÄLL"], "min_sek": 100000}]
    return factory.fridhemsplan_data(400, boundaries={"districts": str(STADSDELAR), "name_column": "name"},
                                     districts=districts,
                                     optimization={"budget_sek": 600000,
                                                   "budget_sweep": {"start": 200000, "stop": 800000,
                                                                    "step": 200000}})


@pytest.fixture(scope="module")
def scen(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return factory.scenario(_data(), folder=tmp_path_factory.mktemp("city_curve"))


@pytest.fixture(scope="module")
def pool_run(scen: Any) -> RunResult:
    return pipeline.run(scen)  # the curve's budgets and the marginal-gain solves on the local pool


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40, timeout="60s") as lc, \
            distributed.Client(lc, set_as_default=False, timeout="60s") as client:
        yield client
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


class Counting:
    """An executor that counts the tasks it is given (the curve's budgets and the marginal-gain solves)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.tasks = inner, 0

    def map(self, fn: Any, shared: object, items: Any) -> list[Any]:
        self.tasks += len(items)
        return list(self.inner.map(fn, shared, items))


#: The curve's budgets but the main one (600 kSEK, solved in this process), and one gain solve per district.
TASKS = 3 + 2


def _same(a: RunResult, b: RunResult) -> None:
    assert a.budget_curve is not None and b.budget_curve is not None
    pd.testing.assert_frame_equal(a.budget_curve, b.budget_curve)
    pd.testing.assert_frame_equal(a.district_curve, b.district_curve)
    assert a.districts == b.districts  # the marginal gains included
    assert a.solution.selected.tolist() == b.solution.selected.tolist()


@pytest.mark.slow
def test_the_curve_runs_and_its_districts_add_up(pool_run: RunResult) -> None:
    curve = pool_run.budget_curve
    assert curve is not None and curve["budget_sek"].tolist() == [200000.0, 400000.0, 600000.0, 800000.0]
    assert (curve["status"] == "optimal").all()
    by_budget = pool_run.district_curve.groupby("budget_sek")["spent_sek"].sum()
    assert by_budget.to_numpy() == pytest.approx(curve["spent_sek"].to_numpy(float))
    rows = {r.name: r for r in pool_run.districts}
    for name in ("ost", "vast"):
        assert rows[name].marginal_status == "optimal"
        assert rows[name].marginal_incidents is not None and rows[name].marginal_incidents >= -1e-9


@pytest.mark.slow
def test_in_process_gives_the_same_curve_and_gains(scen: Any, pool_run: RunResult) -> None:
    ex = Counting(InlineExecutor())
    _same(pool_run, pipeline.run(scen, executor=ex))
    assert ex.tasks == TASKS


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_curve_and_gains(scen: Any, pool_run: RunResult, cluster: Any) -> None:
    ex = Counting(DaskExecutor(client=cluster))
    _same(pool_run, pipeline.run(scen, executor=ex))
    assert ex.tasks == TASKS


@pytest.mark.slow
def test_serial_marginal_gains_equal_the_pooled_ones(scen: Any, pool_run: RunResult) -> None:
    """The gains solved one after the other in this process (no curve, no executor) are the pooled ones."""
    inputs = stages.load_inputs(scen)
    instance = stages.instance_for(scen, inputs)
    city = stages.city_districts(scen, inputs, instance)
    cons = stages.plan_constraints(scen, inputs, instance, city=city)
    rows, _ = stages.city_figures(scen, city, instance, cons, pool_run.solution, None)
    assert rows == pool_run.districts


@pytest.mark.parametrize(("address", "fragment"), [
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    ("notaurl", "is not a Dask scheduler address"),
])
@pytest.mark.usefixtures("quick_dask_probe")
def test_scheduler_errors_are_one_line_and_write_nothing(tmp_path: Path, address: str, fragment: str) -> None:
    pytest.importorskip("distributed")
    path = factory.write_scenario(tmp_path, _data())
    out = tmp_path / "out"
    res = factory.invoke("run", str(path), "--out", str(out), "--scheduler", address, "--no-progress")
    factory.one_error_line(res.stderr, res.exit_code, 2, "--scheduler", fragment)
    assert not out.exists()


@pytest.mark.slow
def test_a_curve_budget_below_the_minimums_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = _data()
    data["districts"][1]["min_sek"] = 250000
    data["optimization"]["budget_sweep"] = {"start": 100000, "stop": 500000, "step": 200000}
    data["optimization"]["budget_sek"] = 500000
    with caplog.at_level("WARNING", logger="camsite"):
        result = pipeline.run(factory.scenario(data, folder=tmp_path))
    curve = result.budget_curve
    assert curve is not None and curve["budget_sek"].tolist() == [100000.0, 300000.0, 500000.0]
    assert curve["status"].tolist()[0] == "infeasible" and (curve["status"][1:] != "infeasible").all()
    assert curve["note"].tolist() == ["infeasible: below the districts' minimums (250000 SEK)", "", ""]
    assert list(curve.columns).index("note") == list(curve.columns).index("status") + 1
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("1 of 3 budget-curve points are infeasible: below the districts' minimums (250000 SEK); "
               "budget_sek 100000" in w for w in warnings), warnings
    assert not any("not proven optimal" in w for w in warnings), warnings  # no "time limit, gap nan"
    assert result.summary.curve_not_proven == 0


@pytest.mark.slow
@pytest.mark.usefixtures("no_deliverables")
def test_run_with_scheduler_writes_the_same_files(tmp_path: Path, pool_run: RunResult, cluster: Any) -> None:
    """`camsite run --scheduler` (the cluster's address, loopback) writes the curve and district files the local
    pool writes (the module's run on the pool, written by camsite.write_run as the command writes it), byte for
    byte (the tables compared; the report's pictures and pages are left out). A target point stopped at its time
    limit (here 50 %: unproven within 3 s) depends on the machine's load, so of such a row only its share and
    status are compared; the curve's budgets are solved to optimality and compared whole."""
    path = factory.write_scenario(tmp_path, _data())
    outs = {"pool": tmp_path / "pool", "dask": tmp_path / "dask"}
    camsite.write_run(pool_run, outs["pool"])
    res = factory.invoke("run", str(path), "--out", str(outs["dask"]), "--no-progress", "--scheduler",
                         cluster.scheduler.address)
    assert res.exit_code == 0, res.stderr
    for file in ("budget_curve.csv", "budget_curve_districts.csv", "districts.csv", "sites.csv"):
        assert (outs["pool"] / file).read_bytes() == (outs["dask"] / file).read_bytes(), file
    pool, dask = (pd.read_csv(outs[k] / "min_budgets.csv") for k in ("pool", "dask"))
    assert (pool["status"] != "time_limit").any()  # something is compared whole
    pd.testing.assert_frame_equal(pool[["kind", "target_incident_share", "status"]],
                                  dask[["kind", "target_incident_share", "status"]])
    whole = pool["status"] != "time_limit"
    pd.testing.assert_frame_equal(pool[whole], dask[whole])
