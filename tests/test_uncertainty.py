"""Expected coverage under position uncertainty: discs, street windows, stations' exits and the underground share."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from camsite import demand as dm
from camsite import stages
from camsite.cameras import CameraModels
from camsite.config import QualityConfig
from camsite.coverage import coverage_matrix
from camsite.optimize import max_coverage
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS
from factory import CRS, cameras, incidents, inputs, network, scenario

X0, Y0 = 152000.0, 6580000.0


def _with_uncertainty(inc: gpd.GeoDataFrame, radii: list[float]) -> gpd.GeoDataFrame:
    return inc.assign(uncertainty_m=radii)


# -- a disc by hand ------------------------------------------------------------------------------------------------


def test_disc_expected_value_by_hand() -> None:
    """An intersection event (weight 1) with uncertainty 10 m, sampled every 5 m: the centre, 4 points at 5 m,
    4 at 7.07 m and 4 at 10 m, 13 in all, each 1/13. A dome of range 6 m at (0, 2) sees the centre (2 m), (0, 5)
    (3 m), (±5, 0) (5.39 m) and (±5, 5) (5.83 m): 6 of 13. Its value is 1 x 6/13 x 1 (binary)."""
    net = network([[(-200, 0), (200, 0)]], names=["Fleminggatan"], half_width=30.0, origin=(X0, Y0))
    inc = _with_uncertainty(incidents([("e1", "vald", 1, None, "intersection", "", (X0, Y0))]), [10.0])
    c = scenario(demand={"street_spacing_m": 0, "uncertainty_spacing_m": 5}).demand
    d, stats = dm.build_demand(net, inc, c, category_weights=DEFAULT_CATEGORY_WEIGHTS)
    assert stats["spread_over_disc"] == 1 and len(d) == 13
    assert d["weight"].tolist() == pytest.approx([1 / 13] * 13) and set(d["event"]) == {"e1"}
    cams = cameras({"dome": (6.0, 360.0, 1.0)})
    site = gpd.GeoDataFrame({"camera_type": ["dome"], "heading_deg": [np.nan]}, geometry=[Point(X0, Y0 + 2)], crs=CRS)
    cov = coverage_matrix(d, site, cams, open_space=net.edges.buffer(30.0).union_all(), viewsheds=False)
    assert int(cov.matrix.sum()) == 6
    sol = max_coverage(cov.matrix, d["weight"].to_numpy(float), np.ones(1), 1.0)
    assert sol.objective == pytest.approx(6 / 13)


def test_disc_kept_to_the_open_space() -> None:
    """A 10 m disc on a street 2 x 3 m wide keeps the 5 samples with |y| <= 3 (y = 0): x = -10, -5, 0, 5, 10."""
    net = network([[(-200, 0), (200, 0)]], names=["Fleminggatan"], half_width=3.0, origin=(X0, Y0))
    inc = _with_uncertainty(incidents([("e1", "vald", 1, None, "intersection", "", (X0, Y0))]), [10.0])
    d, _ = dm.build_demand(net, inc, scenario(demand={"street_spacing_m": 0, "uncertainty_spacing_m": 5}).demand,
                           category_weights=DEFAULT_CATEGORY_WEIGHTS, open_space=net.edges.buffer(3.0).union_all())
    assert sorted(round(p.x - X0) for p in d.geometry) == [-10, -5, 0, 5, 10]
    assert d["weight"].tolist() == pytest.approx([0.2] * 5) and (d["edge_id"] == 0).all()


# -- a street window by hand ---------------------------------------------------------------------------------------


def test_street_window_by_hand() -> None:
    """A 400 m street sampled every 10 m (x = 5, 15, ..., 395). An event at (200, 3) with uncertainty 50 m lies on
    the street: it is spread over the 10 points with |x - 200| <= sqrt(50² - 3²) = 49.9 (x = 155 ... 245), each
    0.5 / 10 (street precision factor 0.5). An event 200 m off the street is spread over all 40 points."""
    net = network([[(0, 0), (400, 0)]], names=["Fleminggatan"], origin=(X0, Y0))
    inc = _with_uncertainty(incidents([("s1", "vald", 1, None, "street", "Fleminggatan", (X0 + 200, Y0 + 3)),
                                       ("s2", "narkotika", 1, None, "street", "fleminggatan", (X0 + 200, Y0 + 200))]),
                            [50.0, 50.0])
    c = scenario(demand={"street_spacing_m": 0}).demand
    d, _ = dm.build_demand(net, inc, c, category_weights=DEFAULT_CATEGORY_WEIGHTS)
    near = d[d["category"] == "vald"]
    assert sorted(round(p.x - X0) for p in near.geometry) == list(range(155, 246, 10))
    assert near["weight"].tolist() == pytest.approx([0.05] * 10) and near["incidents"].sum() == pytest.approx(1.0)
    far = d[d["category"] == "narkotika"]
    assert len(far) == 40 and far["weight"].sum() == pytest.approx(0.5)


# -- a station: exits and the underground share ---------------------------------------------------------------------


def _entrances(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["Fridhemsplan"] * len(xy)},
                            geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=CRS)


def test_station_underground_share_by_hand() -> None:
    """A station event of weight 1 x 0.75 (station precision): underground_share 0.4 puts 0.3 underground at
    its point; 0.45 is shared by the two exits ((0, 0) + (30, 0) within 60 m, and (0, 200)), 0.225 each."""
    net = network([[(-100, 0), (100, 0)], [(0, 0), (0, 250)]], names=["Fleminggatan", "Sankt Eriksgatan"],
                  origin=(X0, Y0))
    inc = incidents([("st1", "vald", 1, None, "station", "", (X0 + 10, Y0 + 10))])
    ent = _entrances([(0, 0), (30, 0), (0, 200)])
    s = scenario(demand={"street_spacing_m": 0, "underground_share": 0.4,
                         "footfall": {"path": "ff.csv", "square_radius_m": 10}})
    d, _ = dm.build_demand(net, inc, s.demand, category_weights=DEFAULT_CATEGORY_WEIGHTS, entrances=ent)
    below = d[d["underground"]]
    assert below["weight"].tolist() == pytest.approx([0.3]) and below.geometry.iloc[0].equals(Point(X0 + 10, Y0 + 10))
    above = d[~d["underground"]]
    lone = np.array([p.y > Y0 + 100 for p in above.geometry])
    assert above["weight"][lone].sum() == pytest.approx(0.225) and above["weight"][~lone].sum() == pytest.approx(0.225)
    assert d["incidents"].sum() == pytest.approx(1.0) and set(d["event"]) == {"st1"}
    inst = stages.build_instance(dataclasses.replace(inputs(net, incidents=inc), entrances=ent), s.demand,
                                 s.candidates, cameras(), category_weights=DEFAULT_CATEGORY_WEIGHTS, viewsheds=False)
    hidden = np.flatnonzero(inst.demand["underground"].to_numpy(bool))
    assert len(hidden) == 1 and inst.coverage[hidden].nnz == 0 and not inst.existing_mask[hidden].any()
    unc = inst.uncoverable.set_index("demand_id")["reason"]
    assert unc.loc[int(hidden[0])] == "underground"


def test_duplicated_entrance_node_changes_nothing() -> None:
    """One more OSM node at an existing entrance leaves the demand points, their weights and the plan unchanged."""
    net = network([[(-100, 0), (100, 0)], [(0, 0), (0, 250)]], names=["Fleminggatan", "Sankt Eriksgatan"],
                  origin=(X0, Y0))
    inc = incidents([("st1", "vald", 1, None, "station", "", (X0 + 10, Y0 + 10))])
    ff = gpd.GeoDataFrame({"daily_count": [50000.0]}, geometry=[Point(X0 + 5, Y0 + 5)], crs=CRS)
    s = scenario(demand={"street_spacing_m": 10, "street_weight_per_m": 0.001,
                         "footfall": {"path": "ff.csv", "weight_per_1000": 0.1}}, candidates={"spacing_m": 25})
    base = [(0, 0), (30, 0), (0, 200)]
    frames, plans = [], []
    for xy in (base, [*base, (0, 0)], [*base, (0, 200)]):
        inp = dataclasses.replace(inputs(net, incidents=inc, footfall=ff), entrances=_entrances(xy))
        inst = stages.build_instance(inp, s.demand, s.candidates, cameras(),
                                     category_weights=DEFAULT_CATEGORY_WEIGHTS, viewsheds=False)
        sol = stages.solve(inst, stages.MaxCoverage(250.0), stages.constraints_for(inst, s.optimization),
                           stages.solver_options(s.optimization))
        frames.append(inst.demand)
        plans.append(sorted(inst.candidates["variant"].to_numpy()[sol.selected]))
    for other in frames[1:]:
        pd.testing.assert_frame_equal(pd.DataFrame(frames[0]), pd.DataFrame(other))
    assert plans[0] == plans[1] == plans[2]


# -- the objective is the expected value over each event's distribution ------------------------------------------

_LEVEL_VALUE = QualityConfig().incident


def _graded_cameras() -> CameraModels:
    return CameraModels.of(["fixed", "dome"], range_m=[40.0, 40.0], fov_deg=[60.0, 360.0], cost_sek=[1.0, 1.5],
                           resolution_px=[1920.0, 2560.0], height_m=[4.5, 5.0])


def _expected_value(inst: stages.Instance, chosen: np.ndarray) -> float:
    """Independently: for each event, its sample points' weight times the best value any chosen camera gives."""
    values = [0.0, _LEVEL_VALUE.detect, _LEVEL_VALUE.observe, _LEVEL_VALUE.recognise, _LEVEL_VALUE.identify]
    assert inst.levels is not None and inst.shares is not None
    levels = inst.levels.tocsc()
    total = 0.0
    for _, points in inst.demand.groupby("event"):
        for p, w in zip(points["demand_id"], points["weight"]):
            best = 0.0
            for j in chosen:
                code = int(levels[int(p), int(j)])
                best = max(best, values[code] * float(inst.shares[j]))
            total += float(w) * best
    return total


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(st.tuples(st.floats(-60, 60), st.floats(-8, 8), st.sampled_from([0.0, 6.0, 15.0, 25.0]),
                                 st.sampled_from(["vald", "narkotika", "skadegorelse"])), min_size=1, max_size=5),
       budget=st.sampled_from([1.0, 2.0, 3.5]))
def test_objective_is_the_expected_value_over_the_events(events, budget) -> None:
    net = network([[(-80, 0), (80, 0)], [(0, -60), (0, 60)]], names=["Fleminggatan", "Sankt Eriksgatan"],
                  half_width=8.0, origin=(X0, Y0))
    inc = _with_uncertainty(incidents([(f"e{i}", cat, 1, None, "intersection", "", (X0 + x, Y0 + y))
                                       for i, (x, y, _, cat) in enumerate(events)]), [e[2] for e in events])
    s = scenario(demand={"street_spacing_m": 0, "uncertainty_spacing_m": 5}, candidates={"spacing_m": 30})
    inst = stages.build_instance(inputs(net, incidents=inc), s.demand, s.candidates, _graded_cameras(),
                                 category_weights=DEFAULT_CATEGORY_WEIGHTS, viewsheds=False,
                                 quality=QualityConfig(coverage="graded"))
    assert (inst.demand["event"] != "").all() and inst.demand["weight"].sum() == pytest.approx(
        sum(DEFAULT_CATEGORY_WEIGHTS[e[3]] for e in events))
    sol = stages.solve(inst, stages.MaxCoverage(budget), stages.constraints_for(inst, s.optimization),
                       stages.solver_options(s.optimization))
    assert sol.objective == pytest.approx(_expected_value(inst, np.asarray(sol.selected)), rel=1e-7, abs=1e-9)
