"""Determinism: same inputs, same outputs, whichever run and whichever solver.

A small scenario (250 m around Fridhemsplan, the shipped network, incidents
and cameras, no budget sweep) is run three times through ``camsite run``:
twice with HiGHS and once with CBC. sites.csv must be byte-identical,
summary.json identical except for the timings, the date and (across solvers)
the solver's name, and the GeoPackage's layers must hold the same rows,
columns and geometries (compared as read with pyogrio). Between the two HiGHS
runs inventory.xlsx and camsite.gpkg are byte-identical too (written with
fixed time stamps), and report.html differs only in its run-info element.

Across solvers the comparison is only meaningful when the optimum is unique;
:func:`test_the_optimum_is_unique` proves that for this instance, so the
cross-solver test cannot pass by luck nor fail on a legitimate tie.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest

from factory import fridhemsplan_data, invoke, network_cache, write_scenario

#: summary.json fields that may differ between runs: wall-clock timings and the date.
VOLATILE = ("runtime_s", "solve_runtime_s", "date")

SCENARIO = fridhemsplan_data(
    250, name="determinism",
    subareas=[{"name": "fridhemsplan",
               "polygon": [[18.0285, 59.3315], [18.0335, 59.3315], [18.0335, 59.3345], [18.0285, 59.3345]]}],
    optimization={"budget_sek": 600000, "time_limit_s": 120})


@pytest.fixture(scope="module", autouse=True)
def _network_read_once() -> Iterator[None]:
    """The runs differ in the solver, not in reading the network: it is read once."""
    with network_cache():
        yield


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("det"), SCENARIO)


def _run(scenario: Path, out: Path, *args: str) -> Path:
    res = invoke("run", scenario, "--out", out, "--no-progress", *args)
    assert res.exit_code == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def runs(scenario_file: Path) -> dict[str, Any]:
    """Two HiGHS runs and one CBC run of the same scenario; the first run's RunResult is kept."""
    from camsite import pipeline

    base = scenario_file.parent
    captured = []
    real_run = pipeline.run
    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline, "run", lambda *a, **k: captured.append(real_run(*a, **k)) or captured[-1])
    try:
        first = _run(scenario_file, base / "highs")
    finally:
        mp.undo()
    return {
        "highs": first,
        "highs_again": _run(scenario_file, base / "highs_again"),
        "cbc": _run(scenario_file, base / "cbc", "--solver", "cbc"),
        "result": captured[0],
    }


def summary(out: Path, *drop: str) -> dict[str, Any]:
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in VOLATILE + drop:
        data.pop(key)
    return data


def gpkg_layers(path: Path) -> dict[str, pd.DataFrame]:
    """Each layer as a plain frame: attributes plus the geometry as WKB bytes, in file order."""
    out = {}
    for name, _ in pyogrio.list_layers(path):
        df = pyogrio.read_dataframe(path, layer=name, fid_as_index=True)
        if "geometry" in df.columns:
            df = pd.DataFrame(df).assign(geometry=df.geometry.to_wkb())
        out[str(name)] = pd.DataFrame(df)
    return out


def test_rerun_sites_csv_byte_identical(runs: dict[str, Path]) -> None:
    first = (runs["highs"] / "sites.csv").read_bytes()
    assert first.count(b"\n") > 1  # some sites were chosen
    assert (runs["highs_again"] / "sites.csv").read_bytes() == first


def test_rerun_summary_identical_but_timings(runs: dict[str, Path]) -> None:
    a, b = summary(runs["highs"]), summary(runs["highs_again"])
    assert a == b
    assert (runs["highs"] / "summary.json").read_text(encoding="utf-8").count("\n") > 20


def test_rerun_geopackage_content_identical(runs: dict[str, Path]) -> None:
    a, b = gpkg_layers(runs["highs"] / "camsite.gpkg"), gpkg_layers(runs["highs_again"] / "camsite.gpkg")
    assert sorted(a) == sorted(b) and len(a) >= 2
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_rerun_deliverables_byte_identical(runs: dict[str, Any]) -> None:
    """inventory.xlsx and camsite.gpkg carry fixed stamps; report.html differs only in its run-info element."""
    first, again = runs["highs"], runs["highs_again"]
    for name in ("inventory.xlsx", "camsite.gpkg", "sites.geojson"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name

    def html(folder: Path) -> tuple[str, int]:
        return re.subn(r'<span id="run-info"[^>]*>.*?</span>', "", (folder / "report.html").read_text(encoding="utf-8"))

    (a, n_a), (b, n_b) = html(first), html(again)
    assert n_a == n_b == 1 and a == b


def test_the_optimum_is_unique(runs: dict[str, Any]) -> None:
    """Every optimal solution contains each chosen variant, and no further camera fits in the budget."""
    from camsite import stages

    res = runs["result"]
    scen, sol, inst = res.scenario, res.solution, res.instance
    assert sol.status == "optimal" and len(sol.selected) > 0
    cons = stages.constraints_for(inst, scen.optimization)
    budget = scen.optimization.budget_sek
    solver = stages.solver_options(scen.optimization)
    for j in sol.selected:
        forbidden = cons.forbidden.copy()
        forbidden[j] = True
        other = stages.solve(inst, stages.MaxCoverage(budget), dataclasses.replace(cons, forbidden=forbidden), solver)
        assert other.objective < sol.objective - 1e-6, f"variant {j} can be left out at the same optimum"
    costs = inst.candidates["cost_sek"].to_numpy(float)
    assert np.array_equal(costs, inst.costs)
    left = budget - costs[sol.selected].sum()
    assert left < costs.min()  # so no optimal superset of the chosen sites exists either


def test_highs_and_cbc_agree(runs: dict[str, Path]) -> None:
    assert (runs["cbc"] / "sites.csv").read_bytes() == (runs["highs"] / "sites.csv").read_bytes()
    a, b = summary(runs["highs"], "solver"), summary(runs["cbc"], "solver")
    assert a == b
    ga, gb = gpkg_layers(runs["highs"] / "camsite.gpkg"), gpkg_layers(runs["cbc"] / "camsite.gpkg")
    assert sorted(ga) == sorted(gb)
    for name in ga:
        pd.testing.assert_frame_equal(ga[name], gb[name], check_exact=True, obj=name)
