"""Determinism (issue 7, point 3): same inputs, same outputs, whichever run and whichever solver.

A small scenario (250 m around Fridhemsplan, the shipped network, incidents
and cameras, no budget sweep) is run three times through ``camsite run``:
twice with HiGHS and once with CBC. sites.csv must be byte-identical,
summary.json identical except for the timings, the date and (across solvers)
the solver's name, and the GeoPackage's layers must hold the same rows,
columns and geometries (compared as read with pyogrio, since a GeoPackage
file carries its own write timestamps).

Across solvers the comparison is only meaningful when the optimum is unique;
:func:`test_the_optimum_is_unique` proves that for this instance, so the
cross-solver test cannot pass by luck nor fail on a legitimate tie.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from camsite.cli import main

ROOT = Path(__file__).resolve().parents[1]
GRAPHML = ROOT / "data" / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz"
CAMERAS = ROOT / "data" / "cameras" / "existing_cameras_illustrative.csv"
INCIDENTS = ROOT / "data" / "incidents" / "polisen_kungsholmen.geojson"

#: summary.json fields that may differ between runs: wall-clock timings and the date.
VOLATILE = ("runtime_s", "solve_runtime_s", "date")

SCENARIO = f"""
name = "determinism"
[study_area]
center = [59.3330, 18.0308]
radius_m = 250
[[subareas]]
name = "fridhemsplan"
polygon = [[18.0285, 59.3315], [18.0335, 59.3315], [18.0335, 59.3345], [18.0285, 59.3345]]
[network]
path = "{GRAPHML}"
[[incidents]]
name = "polisen"
path = "{INCIDENTS}"
[existing_cameras]
path = "{CAMERAS}"
default_type = "ptz_dome"
[[camera_types]]
name = "fixed_1080p"
range_m = 30
fov_deg = 60
capex_sek = 60000
opex_sek_per_year = 12000
[[camera_types]]
name = "ptz_dome"
range_m = 60
capex_sek = 90000
opex_sek_per_year = 15000
[optimization]
budget_sek = 600000
time_limit_s = 120
"""


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("det") / "s.toml"
    p.write_text(SCENARIO, encoding="utf-8")
    return p


def _run(scenario: Path, out: Path, *args: str) -> Path:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--no-progress", *args],
                                 catch_exceptions=False)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
    assert res.exit_code == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def runs(scenario_file: Path) -> dict[str, Path]:
    base = scenario_file.parent
    return {
        "highs": _run(scenario_file, base / "highs"),
        "highs_again": _run(scenario_file, base / "highs_again"),
        "cbc": _run(scenario_file, base / "cbc", "--solver", "cbc"),
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


def test_the_optimum_is_unique(scenario_file: Path) -> None:
    """Every optimal solution contains each chosen variant, and no further camera fits in the budget."""
    from camsite import config, optimize, pipeline

    scen = config.load(scenario_file)
    res = pipeline.run(scen)
    sol, cands = res.solution, res.candidates
    assert sol.status == "optimal" and len(sol.selected) > 0
    cov, w = res.coverage, res.demand["weight"].to_numpy(float)
    existing = np.asarray(res.existing_coverage.sum(axis=1)).ravel() > 0
    costs = cands["cost_sek"].to_numpy(float)
    kw = optimize.side_constraints(site_ids=cands["site_id"].to_numpy())
    budget = scen.optimization.budget_sek
    for j in sol.selected:
        forbidden = np.asarray(kw["forbidden"]).copy()
        forbidden[j] = True
        other = optimize.max_coverage(cov, w, costs, budget, existing=existing, **{**kw, "forbidden": forbidden})
        assert other.objective < sol.objective - 1e-6, f"variant {j} can be left out at the same optimum"
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
