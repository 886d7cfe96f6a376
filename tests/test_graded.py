"""Graded coverage: EN 62676-4 levels, PTZ presets and the exact multi-level covering model."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from camsite.cameras import CameraModels
from camsite.config import CameraType, QualityConfig
from camsite.coverage import coverage_matrix
from camsite.optimize import Constraints, SolverOptions, max_coverage
from camsite.quality import level_codes, level_reach, pixel_density
from camsite.stages import MinCost, solve
from camsite.stages._graded import existing_views, pair_values
from camsite.stages.rows import value_rows

# -- levels against hand-computed pixel densities ------------------------------------------------------------

@pytest.mark.parametrize(("res", "lens", "d", "height", "ppm", "code"), [
    # 1920 px over 2 * 10 m * tan 30° = 11.547 m: 166.3 px/m, recognise (>= 125, < 250)
    (1920, 60, 10.0, None, 1920 / (2 * 10 * math.tan(math.radians(30))), 3),
    # mounted at 4.5 m: slant sqrt(10² + 2.9²) = 10.412 m, 159.7 px/m, still recognise
    (1920, 60, 10.0, 4.5, 1920 / (2 * math.hypot(10, 2.9) * math.tan(math.radians(30))), 3),
    # a 90° preset of a 2560 px dome at 30 m: 2560 / 60 = 42.7 px/m, detect
    (2560, 90, 30.0, None, 2560 / 60, 1),
    # 5 m with a 60° 1080p lens: 332.6 px/m, identify
    (1920, 60, 5.0, None, 1920 / (2 * 5 * math.tan(math.radians(30))), 4),
    # 100 m: 9.6 px/m, below detection
    (1920, 60, 100.0, None, 1920 / (2 * 100 * math.tan(math.radians(30))), 0),
])
def test_pixel_density_and_level_by_hand(res, lens, d, height, ppm, code) -> None:
    h = math.nan if height is None else height
    assert float(pixel_density(res, lens, d, height_m=h)) == pytest.approx(ppm, rel=1e-12)
    reach = level_reach([res], [lens], [h])
    assert int(level_codes(np.array([d]), reach)[0]) == code


def test_reach_of_each_level_by_hand() -> None:
    # slant reach = res / (2 tan(lens/2) ppm); horizontal = sqrt(slant² - (h - 1.6)²)
    reach = level_reach([1920], [60], [4.5])[0]
    for got, ppm in zip(reach, (25, 62.5, 125, 250)):
        slant = 1920 / (2 * math.tan(math.radians(30)) * ppm)
        assert got == pytest.approx(math.sqrt(slant**2 - 2.9**2), rel=1e-12)
    assert level_reach([100], [90], [30.0])[0].tolist() == [0.0, 0.0, 0.0, 0.0]  # too high to see anyone


# -- the multi-level model: a hand-solved instance where graded and binary disagree --------------------------

def test_three_points_graded_optimum_differs_from_binary() -> None:
    """Points A, B, C of weight 1; camera X (cost 1) detects all three (0.2 each), camera Y (cost 1) identifies
    A and B (1.0 each). Budget 1: binary coverage picks X (3 points against 2), graded picks Y (2.0 against 0.6).
    With an existing camera that observes C (0.5), graded X is worth only 0.2 + 0.2 + 0 = 0.4 more."""
    values = sp.csr_matrix(np.array([[0.2, 1.0], [0.2, 1.0], [0.2, 0.0]]))
    w, cost = np.ones(3), np.ones(2)
    binary = max_coverage(values.astype(bool), w, cost, 1)
    assert binary.selected.tolist() == [0] and binary.objective == 3.0
    rows = value_rows(values, w)
    graded = max_coverage(rows.matrix, rows.weights, cost, 1, existing=rows.existing)
    assert graded.selected.tolist() == [1] and graded.objective == pytest.approx(2.0)
    assert rows.plan_value([0]).sum() == pytest.approx(0.6)
    rows_ex = value_rows(values, w, np.array([0.0, 0.0, 0.5]))
    assert rows_ex.plan_value([]).sum() == pytest.approx(0.5)
    assert rows_ex.plan_value([0]).sum() == pytest.approx(0.9)  # C keeps 0.5: the best level is taken once
    assert rows_ex.plan_value([0, 1]).sum() == pytest.approx(2.5)


def test_rows_of_a_point_add_up_to_its_weight() -> None:
    values = sp.csr_matrix(np.array([[0.2, 0.8, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 0.25]]))
    w = np.array([2.0, 3.0, 5.0])
    rows = value_rows(values, w)
    assert np.bincount(rows.point, weights=rows.weights).tolist() == pytest.approx(w.tolist())
    assert rows.point.tolist() == [0, 0, 0, 0, 1, 2, 2]
    assert rows.level.tolist() == pytest.approx([0.2, 0.5, 0.8, 1.0, 1.0, 0.25, 1.0])


# -- PTZ domes: a hand-worked preset example ---------------------------------------------------------------

def _square_demand():
    # an open square 40 m across; points 5 m north and 5 m south of the mount
    space = box(-20, -20, 20, 20)
    demand = gpd.GeoDataFrame({"kind": ["incident", "incident"]}, geometry=[Point(0, 5), Point(0, -5)])
    return space, demand


def _dome(ptz: str) -> CameraModels:
    t = CameraType(name="dome", range_m=60, capex_sek=1, fov_deg=360, resolution_px=1920, presets=4)
    return CameraModels.from_types([t], horizon_years=1, ptz=ptz)


def test_patrolling_dome_counts_a_quarter_of_its_preset() -> None:
    """1920 px over a 90° preset at 5 m: 1920 / (2 * 5 * tan 45°) = 192 px/m, recognise (0.8); patrolling four
    presets, each a quarter of the time: 0.8 * 0.25 = 0.2 for both points."""
    space, demand = _square_demand()
    cams = _dome("patrol").graded()
    sites = gpd.GeoDataFrame({"camera_type": ["dome"], "heading_deg": [np.nan]}, geometry=[Point(0, 0)])
    cov = coverage_matrix(demand, sites, cams, open_space=space, viewsheds=False, graded=True)
    assert cov.levels is not None and cov.levels.toarray().ravel().tolist() == [3, 3]
    share = cams.lookup(["dome"], "share")
    values = pair_values(cov.levels, demand["kind"].to_numpy(object), share, QualityConfig())
    assert values.toarray().ravel().tolist() == pytest.approx([0.2, 0.2])


def test_guarding_dome_sees_its_sector_all_the_time() -> None:
    """Held on the northern 90° sector: the point north gets 0.8, the point south nothing."""
    space, demand = _square_demand()
    cams = _dome("guard").graded()
    assert cams.fov_deg.tolist() == [90.0] and cams.lookup(["dome"], "share").tolist() == [1.0]
    sites = gpd.GeoDataFrame({"camera_type": ["dome"], "heading_deg": [0.0]}, geometry=[Point(0, 0)])
    cov = coverage_matrix(demand, sites, cams, open_space=space, viewsheds=False, graded=True)
    values = pair_values(cov.levels, demand["kind"].to_numpy(object), np.ones(1), QualityConfig())
    assert values.toarray().ravel().tolist() == pytest.approx([0.8, 0.0])


def test_existing_dome_with_a_heading_is_held_on_it() -> None:
    cams = _dome("patrol")
    ex = gpd.GeoDataFrame({"camera_id": ["a", "b"], "camera_type": ["dome", "dome"], "heading_deg": [90.0, np.nan]},
                          geometry=[Point(0, 0), Point(1, 1)])
    frame, share = existing_views(ex, cams)
    assert frame["fov_deg"].tolist() == [90.0, 360.0] and share.tolist() == [1.0, 0.25]


# -- exactness on random instances: solver objective = value recomputed from the chosen sites = brute force ----

def _value(values: np.ndarray, w: np.ndarray, e0: np.ndarray, chosen: tuple[int, ...]) -> float:
    best = e0.copy()
    for j in chosen:
        best = np.maximum(best, values[:, j])
    return float(w @ best)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_graded_optimum_equals_brute_force(data) -> None:
    n_pts = data.draw(st.integers(1, 8))
    n_sites = data.draw(st.integers(1, 6))
    levels = st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.25, 0.5, 0.8, 1.0])
    values = np.array(data.draw(st.lists(st.lists(levels, min_size=n_sites, max_size=n_sites),
                                         min_size=n_pts, max_size=n_pts)))
    w = np.array(data.draw(st.lists(st.integers(0, 9), min_size=n_pts, max_size=n_pts)), float)
    cost = np.array(data.draw(st.lists(st.integers(1, 4), min_size=n_sites, max_size=n_sites)), float)
    e0 = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.2, 0.5]), min_size=n_pts, max_size=n_pts)))
    budget = data.draw(st.integers(0, 8))
    rows = value_rows(sp.csr_matrix(values), w, e0)
    sol = max_coverage(rows.matrix, rows.weights, cost, budget, existing=rows.existing)
    assert sol.status == "optimal"
    chosen = tuple(int(j) for j in sol.selected)
    assert cost[list(chosen)].sum() <= budget + 1e-9
    # the solver's objective is the plan's value recomputed point by point from the value matrix
    assert sol.objective == pytest.approx(_value(values, w, e0, chosen), abs=1e-7)
    assert rows.plan_value(list(chosen)).sum() == pytest.approx(sol.objective, abs=1e-7)
    best = max(_value(values, w, e0, c) for k in range(n_sites + 1) for c in itertools.combinations(range(n_sites), k)
               if cost[list(c)].sum() <= budget)
    assert sol.objective == pytest.approx(best, abs=1e-7)


def test_inventory_height_replaces_the_type_height() -> None:
    """A point 3 m away: at face height 1920 px over 60° give 554 px/m (identify); mounted at 10 m the slant
    distance is hypot(3, 8.4) = 8.92 m and the density 186.4 px/m (recognise)."""
    space = box(-20, -20, 20, 20)
    demand = gpd.GeoDataFrame({"kind": ["incident"]}, geometry=[Point(3, 0)])
    cams = CameraModels.of(["fixed"], range_m=[60], fov_deg=[60], cost_sek=[1], resolution_px=[1920]).graded()
    sites = gpd.GeoDataFrame({"camera_type": ["fixed", "fixed"], "heading_deg": [90.0, 90.0],
                              "height_m": [np.nan, 10.0]}, geometry=[Point(0, 0), Point(0, 0)])
    cov = coverage_matrix(demand, sites, cams, open_space=space, viewsheds=False, graded=True)
    assert cov.levels.toarray().ravel().tolist() == [4, 3]
    assert 1920 / (2 * math.hypot(3, 8.4) * math.tan(math.radians(30))) == pytest.approx(186.4, abs=0.05)


def test_min_cost_hotspot_gets_its_best_value() -> None:
    """Hotspot A (weight 6 >= threshold 5): site 0 (2 kr) gives it 0.5, site 1 (3 kr) 1.0; site 2 (1 kr) fully
    sees B (weight 4, no hotspot). 30 % of the weight (3) alone: site 2 (1 kr). With the hotspot rule A must get
    the best value a camera can give it, 1.0: site 1 (3 kr), which also meets 30 % (6 >= 3). The threshold is on
    the point's weight: A's two rows weigh 3 each and would fall under it."""
    values = sp.csr_matrix(np.array([[0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    w = np.array([6.0, 4.0])
    inst = SimpleNamespace(rows=value_rows(values, w), weights=w, costs=np.array([2.0, 3.0, 1.0]), graded=True)
    cons, opts = Constraints.build(3), SolverOptions()
    assert solve(inst, MinCost(target=0.3), cons, opts).selected.tolist() == [2]
    sol = solve(inst, MinCost(target=0.3, hotspot_threshold=5.0), cons, opts)
    assert sol.selected.tolist() == [1] and sol.objective == 3.0
