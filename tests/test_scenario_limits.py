"""Scenario keys that cannot be true, or cannot finish, are refused on one line naming the key.

Each case goes through ``camsite validate`` (or ``camsite run``) on the small
real-data scenario, as a planner would meet it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import factory
from camsite import costs


def _validate(tmp_path: Path, **overrides: Any):
    path = factory.write_scenario(tmp_path, factory.fridhemsplan_data(**overrides))
    return factory.invoke("validate", path)


def _ptz(**extra: Any) -> list[dict[str, Any]]:
    return [factory.FIXED_1080P, {**factory.PTZ_DOME, **extra}]


@pytest.mark.parametrize(("extra", "key", "fragment"), [
    # four presets each watched all the time: 400 % of the time
    ({"presets": 4, "patrol_share": 1.0}, "camera_types[1].patrol_share", "400 %"),
    ({"presets": 4, "patrol_share": 0.3}, "camera_types[1].patrol_share", "120 %"),
    # a lens narrower than its sector leaves the circle partly unseen; 1e-9 degrees was credited over all of it
    ({"presets": 4, "lens_deg": 1e-9, "resolution_px": 1920}, "camera_types[1].lens_deg", "90 degrees"),
    ({"presets": 8, "lens_deg": 40, "resolution_px": 1920}, "camera_types[1].lens_deg", "45 degrees"),
    ({"lifetime_years": 1e-7}, "camera_types[1].lifetime_years", "[0.1, 100]"),
])
def test_camera_types_that_cannot_be_true(tmp_path, extra, key, fragment):
    res = _validate(tmp_path, camera_types=_ptz(**extra))
    factory.one_error_line(res.stderr, res.exit_code, 2, key, fragment)


def test_patrol_shares_adding_up_to_the_whole_time_pass(tmp_path):
    from camsite import config

    path = factory.write_scenario(tmp_path, factory.fridhemsplan_data(
        camera_types=_ptz(presets=4, patrol_share=0.25, lens_deg=90, resolution_px=1920)))
    dome = config.load(path).camera_type("ptz_dome")
    assert dome.presets * dome.patrol_share == 1.0 and dome.lens_deg == 90


def test_horizon_that_cannot_finish_is_refused(tmp_path):
    res = _validate(tmp_path, optimization={"horizon_years": 1e9})
    factory.one_error_line(res.stderr, res.exit_code, 2, "optimization.horizon_years", "[0, 100]")


def test_shortest_lifetime_and_longest_horizon_still_count(tmp_path):
    # 100 years with a camera bought every 0.1 year: 1,000 purchases, counted without looping per purchase
    buys = costs.purchases([0], [0.1], 100.0)
    assert buys.sum() == 1000 and buys.shape == (1, 100)
    assert set(buys[0].tolist()) == {10}


def test_yearly_budget_counts_every_purchase_of_the_year():
    # capex 90,000 bought twice a year (lifetime 0.5) + opex 15,000: 195,000 SEK every year, not 105,000
    got = costs.budget_cost([90_000], [15_000], [0.5], horizon_years=4, applies_to="yearly")
    assert got.tolist() == [195_000.0]
    # lifetime 1.5 over 4 years: bought in years 0, 1 (at 1.5) and 3 (at 3.0): one purchase at most per year
    assert costs.budget_cost([90_000], [15_000], [1.5], horizon_years=4, applies_to="yearly").tolist() == [105_000]
    # lifetime 0.7: years 0 (0, 0.7) and 2 (1.4? no: 2.1, 2.8) buy twice
    assert costs.purchases([0], [0.7], 4).tolist() == [[2, 1, 2, 1]]
    assert costs.budget_cost([90_000], [15_000], [0.7], horizon_years=4, applies_to="yearly").tolist() == [195_000]


def test_yearly_budget_below_a_years_cost_is_named_by_validate(tmp_path):
    cams = [{**factory.FIXED_1080P, "lifetime_years": 0.5}, {**factory.PTZ_DOME, "lifetime_years": 0.5}]
    # fixed_1080p: 2 x 60,000 + 12,000 = 132,000 a year; a budget of 120,000 bought it before (72,000)
    res = _validate(tmp_path, camera_types=cams, optimization={"budget_sek": 120_000, "budget_applies_to": "yearly"})
    line = factory.one_error_line(res.stderr, res.exit_code, 2, "optimization.budget_sek", "132 000 SEK")
    assert "dearest year" in line


def test_zero_weight_target_category_is_refused(tmp_path):
    res = _validate(tmp_path, optimization={"objective": "min_cost", "target_category_shares": {"trafik": 0.5}})
    factory.one_error_line(res.stderr, res.exit_code, 2, "optimization.target_category_shares.trafik", "weighs 0")


def test_unknown_target_category_is_named_by_validate_and_run(tmp_path):
    opt = {"objective": "min_cost", "target_category_shares": {"cykelstold": 0.5}}
    res = _validate(tmp_path, optimization=opt)
    assert res.exit_code != 0
    err = [ln for ln in (res.stdout + res.stderr).splitlines() if "target_category_shares.cykelstold" in ln]
    assert err and "no incident of category 'cykelstold'" in err[0], res.stdout + res.stderr
    path = factory.write_scenario(tmp_path / "r", factory.fridhemsplan_data(optimization=opt))
    run = factory.invoke("run", path, "--no-curve", "--no-progress", "--out", tmp_path / "out")
    factory.one_error_line(run.stderr, run.exit_code, 2, "optimization.target_category_shares.cykelstold")
    assert not (tmp_path / "out").exists()


def test_target_share_under_max_coverage_is_a_warning(tmp_path):
    res = _validate(tmp_path, optimization={"target_incident_share": 0.5})
    out = res.stdout + res.stderr
    assert res.exit_code == 0, out
    assert "optimization.target_incident_share is ignored" in out and 'objective = "min_cost"' in out


def test_no_view_zones_with_one_name_are_refused(tmp_path):
    zone = {"name": "entre", "point": [factory.LAT, factory.LON], "buffer_m": 10}
    res = _validate(tmp_path, candidates={"no_view": [zone, {**zone, "buffer_m": 5}]})
    factory.one_error_line(res.stderr, res.exit_code, 2, "candidates.no_view[1].name", "'entre' is defined twice")


def test_self_intersecting_zone_is_refused(tmp_path):
    lat, lon = factory.LAT, factory.LON
    bow = [[lon, lat], [lon + 0.001, lat + 0.001], [lon + 0.001, lat], [lon, lat + 0.001]]  # a bow tie
    res = _validate(tmp_path, candidates={"no_view": [{"name": "x", "polygon": bow}]})
    factory.one_error_line(res.stderr, res.exit_code, 2, "candidates.no_view[0].polygon", "edges cross")
    square = [bow[0], bow[2], bow[1], bow[3]]
    ok = _validate(tmp_path / "ok", candidates={"no_view": [{"name": "x", "polygon": square}]})
    assert ok.exit_code == 0, ok.stderr


def test_huge_zone_buffer_is_refused(tmp_path):
    zone = {"name": "allt", "point": [factory.LAT, factory.LON], "buffer_m": 1e9}
    res = _validate(tmp_path, candidates={"no_view": [zone]})
    factory.one_error_line(res.stderr, res.exit_code, 2, "candidates.no_view[0].buffer_m", "2000")


def test_clusters_without_a_share_under_graded_coverage_are_solved(tmp_path, monkeypatch, no_deliverables):
    """Every coverable incident point of each cluster seen at some level: graded needs no more than binary.

    The RunResult checked is the one the command computed (kept from ``pipeline.run`` as it called it)."""
    from camsite import pipeline
    from camsite.stages.objectives import cluster_masks, incident_mask

    cams = [{**factory.FIXED_1080P, "resolution_px": 1920}, {**factory.PTZ_DOME, "resolution_px": 1920}]
    path = factory.write_scenario(tmp_path, factory.fridhemsplan_data(
        camera_types=cams, quality={"coverage": "graded"},
        optimization={"objective": "min_cost", "hotspots": "clusters"}))
    runs = []
    real_run = pipeline.run
    monkeypatch.setattr(pipeline, "run", lambda *a, **k: runs.append(real_run(*a, **k)) or runs[-1])
    res = factory.invoke("run", path, "--no-curve", "--no-progress", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.stderr  # exited 3 before, blaming constraints the scenario does not have
    (run,) = runs
    inst = run.instance
    seen_any = (np.diff(inst.rows.matrix.tocsr().indptr) > 0) | inst.rows.existing
    chosen = inst.rows.covered(run.solution.selected)
    clusters = cluster_masks(inst, incident_mask(inst))
    assert clusters
    for name, pts in clusters.items():
        rows = inst.rows.for_points(pts)
        for p in np.unique(inst.rows.point[rows & seen_any]):  # each coverable point: some row of it covered
            assert chosen[inst.rows.point == p].any(), (name, p)


def test_infeasible_targets_name_the_constraints_the_scenario_has():
    from camsite.config import OptimizationConfig
    from camsite.stages.objectives import Requirement, _unreachable

    ok = Requirement("incident", np.ones(2, bool), 1.0, 2.0, 2.0)
    plain = _unreachable([ok, ok], OptimizationConfig(budget_sek=1, min_spacing_same_heading_m=0))
    assert "spacing" not in plain and "type caps" not in plain and "forced" not in plain
    # the same-heading spacing is on by default (25 m): it is named
    assert "optimization.min_spacing_same_heading_m = 25" in _unreachable([ok, ok], OptimizationConfig(budget_sek=1))
    assert "one camera (one type and heading) per site" in plain and "each of the 2 targets" in plain
    spaced = _unreachable([ok], OptimizationConfig(budget_sek=1, min_spacing_m=40, forced_sites=("a",)))
    assert "optimization.min_spacing_m = 40" in spaced and "optimization.forced_sites" in spaced
