"""The public stages on a tiny hand-made instance, and CameraModels, with every number computed by hand.

The instance: one straight street of 100 m (east from the origin), street
space every 50 m, two point incidents, one candidate site in the middle and an
existing dome at the east end::

    a(10)   s25        site(50)        s75   b(90)  K1(100)
    ──●──────○───────────◆──────────────○─────●──────■──

Demand (rows, in build order): incidents a at x=10 (vald, 1.0) and b at x=90
(narkotika, 1.0), snapped onto the street; street points s25 and s75, each
standing for 50 m × 0.01 = 0.5. Camera types: a dome seeing 30 m all round
(100 SEK) and a fixed camera seeing 60 m in a 60° sector (50 SEK), offered
along the street in both directions (headings 90 and 270).
"""

from __future__ import annotations

import math
import multiprocessing

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from camsite import stages
from camsite.cameras import CameraModels
from camsite.config import CameraType
from camsite.errors import ConfigError, InputError
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS
from factory import CRS, cameras, incidents, inputs, network, scenario

X0, Y0 = 152000.0, 6580000.0


# -- CameraModels ------------------------------------------------------------------------------------------------


def test_camera_models_of_aligned_arrays() -> None:
    cams = CameraModels.of(["fixed", "dome"], range_m=[30, 60], fov_deg=[60, 360], cost_sek=[108_000, 150_000])
    assert cams.names == ("fixed", "dome") and cams.offered == ("fixed", "dome")
    assert cams.range_m.dtype == np.float64 and cams.range_m.tolist() == [30.0, 60.0]
    assert np.isnan(cams.height_m).all() and cams.height_m.shape == (2,)
    assert cams.index(["dome", "dome", "fixed"]).tolist() == [1, 1, 0]
    assert cams.lookup(["dome", "fixed"], "fov_deg").tolist() == [360.0, 60.0]
    assert cams.lookup([], "range_m").shape == (0,)
    assert cams.cost("dome") == 150_000.0
    with pytest.raises(ConfigError, match=r"unknown camera type 'ptz' \(known: fixed, dome\)"):
        cams.lookup(["ptz"], "range_m")
    with pytest.raises(ValueError, match="one value per type"):
        CameraModels.of(["a", "b"], range_m=[1], fov_deg=[1, 2], cost_sek=[1, 2])


def test_camera_models_from_scenario_types() -> None:
    types = [CameraType("fixed_1080p", range_m=30, capex_sek=60_000, fov_deg=60, opex_sek_per_year=12_000),
             CameraType("ptz_dome", range_m=60, capex_sek=90_000, opex_sek_per_year=15_000, height_m=6.0)]
    cams = CameraModels.from_types(types, horizon_years=4, offered=["ptz_dome"])
    # capex + 4 years × opex: 60,000 + 48,000 and 90,000 + 60,000
    assert cams.cost_sek.tolist() == [108_000.0, 150_000.0]
    assert cams.fov_deg.tolist() == [60.0, 360.0]
    assert np.isnan(cams.height_m[0]) and cams.height_m[1] == 6.0
    assert cams.offered == ("ptz_dome",) and cams.names == ("fixed_1080p", "ptz_dome")
    assert CameraModels.from_types(types, horizon_years=0).cost_sek.tolist() == [60_000.0, 90_000.0]


# -- build_instance ------------------------------------------------------------------------------------------------


def _cfg(**candidates: object):
    s = scenario(demand={"street_spacing_m": 50}, candidates={"spacing_m": 50, "mount": "centreline", **candidates})
    return s.demand, s.candidates


def _inputs(*, existing: bool = True):
    net = network([[(0, 0), (100, 0)]], names=["Fleminggatan"], origin=(X0, Y0))
    inc = incidents([("a", "vald", 1, None, "point", "", (X0 + 10, Y0 + 2)),
                     ("b", "narkotika", 1, None, "point", "", (X0 + 90, Y0 - 1))])
    cams = gpd.GeoDataFrame({"camera_id": ["K1"], "camera_type": ["dome"], "heading_deg": [math.nan],
                             "source": ["test"]}, geometry=[Point(X0 + 100, Y0)], crs=CRS)
    return inputs(net, incidents=inc, existing=cams if existing else None)


CAMS = {"dome": (30.0, 360.0, 100.0), "fixed": (60.0, 60.0, 50.0)}


@pytest.fixture(scope="module")
def instance():
    dem, cand = _cfg()
    return stages.build_instance(_inputs(), dem, cand, cameras(CAMS), category_weights=DEFAULT_CATEGORY_WEIGHTS)


def _column(inst, variant_suffix: str) -> list[bool]:
    (j,) = [i for i, v in enumerate(inst.candidates["variant"]) if v.endswith(variant_suffix)]
    return inst.coverage.toarray()[:, j].tolist()


def test_instance_demand_by_hand(instance) -> None:
    d = instance.demand
    assert d["kind"].tolist() == ["incident", "incident", "street", "street"]
    assert d["category"].tolist() == ["vald", "narkotika", "gata", "gata"]
    assert instance.weights.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.5])
    assert d.geometry.x.to_numpy() - X0 == pytest.approx([10, 90, 25, 75])
    assert d.geometry.y.to_numpy() == pytest.approx([Y0] * 4)  # snapped onto the street
    assert d["demand_id"].tolist() == [0, 1, 2, 3]
    assert instance.demand_stats["snapped"] == 2 and instance.demand_stats["street_points"] == 2


def test_instance_candidates_and_costs_by_hand(instance) -> None:
    c = instance.candidates
    assert c["site_id"].nunique() == 1 and c.geometry.x.iloc[0] - X0 == pytest.approx(50)
    assert sorted(v.split(":", 1)[1] for v in c["variant"]) == ["dome", "fixed:270", "fixed:90"]
    assert dict(zip(c["variant"].str.split(":", n=1).str[1], instance.costs)) == {
        "dome": 100.0, "fixed:270": 50.0, "fixed:90": 50.0}
    assert instance.site_ids.tolist() == c["site_id"].tolist()
    assert instance.xy[:, 0] - X0 == pytest.approx([50, 50, 50])


def test_instance_coverage_by_hand(instance) -> None:
    # rows: a(10), b(90), s25, s75; the site is at 50
    assert _column(instance, ":dome") == [False, False, True, True]  # 25 m away; a and b are 40 m away
    assert _column(instance, ":fixed:90") == [False, True, False, True]  # looking east, 60 m
    assert _column(instance, ":fixed:270") == [True, False, True, False]  # looking west
    # the existing dome at 100 sees s75 (25 m) and b (10 m)
    assert instance.existing_coverage.toarray()[:, 0].tolist() == [False, True, False, True]
    assert instance.existing_mask.tolist() == [False, True, False, True]
    assert instance.coverage.shape == (4, 3) and instance.coverage.dtype == bool


def test_instance_without_existing_cameras() -> None:
    dem, cand = _cfg()
    inst = stages.build_instance(_inputs(existing=False), dem, cand, cameras(CAMS),
                                 category_weights=DEFAULT_CATEGORY_WEIGHTS)
    assert inst.existing_coverage.shape == (4, 0) and not inst.existing_mask.any()


def test_solve_on_the_tiny_instance(instance) -> None:
    from camsite.optimize import SolverOptions

    cons = stages.constraints_for(instance, scenario().optimization)
    solver = SolverOptions()
    variants = instance.candidates["variant"].to_numpy()
    # existing coverage 1.0 + 0.5; the west-looking camera adds a (1.0) and s25 (0.5): 3.0 of 3.0 for 50 SEK
    sol = stages.solve(instance, stages.MaxCoverage(100), cons, solver)
    assert sol.status == "optimal" and sol.objective == pytest.approx(3.0)
    assert [v.split(":", 1)[1] for v in variants[sol.selected]] == ["fixed:270"]
    # nothing fits in 40 SEK: the existing coverage only
    assert stages.solve(instance, stages.MaxCoverage(40), cons, solver).objective == pytest.approx(1.5)
    # covering everything costs 50 SEK
    cheapest = stages.solve(instance, stages.MinCost(target=1.0), cons, solver)
    assert cheapest.status == "optimal" and cheapest.objective == pytest.approx(50.0)
    sites = stages.rank_sites(instance, sol, crs=CRS)
    assert sites["gain_weight"].tolist() == [1.5] and sites["gain_incidents"].tolist() == [1.0]
    assert sites["cumulative_coverage_pct"].tolist() == [100.0] and sites["cost_sek"].tolist() == [50.0]


def test_instance_errors_name_what_to_check() -> None:
    dem, cand = _cfg()
    no_weight = scenario(demand={"street_spacing_m": 0}).demand
    empty = _inputs(existing=False)
    empty = type(empty)(**{**vars(empty), "incidents": empty.incidents.iloc[:0]})
    with pytest.raises(InputError, match="no demand with weight > 0") as info:
        stages.build_instance(empty, no_weight, cand, cameras(CAMS), category_weights=DEFAULT_CATEGORY_WEIGHTS)
    assert info.value.where == "demand"
    blind = cameras({"dome": (0.01, 360.0, 100.0), "fixed": (0.01, 60.0, 50.0)})
    with pytest.raises(InputError, match="can be seen from any candidate site") as info:
        stages.build_instance(_inputs(existing=False), dem, cand, blind, category_weights=DEFAULT_CATEGORY_WEIGHTS)
    assert info.value.where == "camera_types"


def test_the_candidates_built_on_a_forked_child_are_the_same(instance) -> None:
    """``parallel=True`` (the run's): the candidates come from a forked child, the instance is the same; an error
    met here while the child works is raised as serially, and the child does not outlive it."""
    dem, cand = _cfg()
    par = stages.build_instance(_inputs(), dem, cand, cameras(CAMS), category_weights=DEFAULT_CATEGORY_WEIGHTS,
                                parallel=True)
    assert par.candidates.equals(instance.candidates)
    assert (par.coverage != instance.coverage).nnz == 0 and par.costs.tolist() == instance.costs.tolist()
    far = type(_inputs())(**{**vars(_inputs()), "study_area": Point(X0 + 5000, Y0).buffer(10)})
    with pytest.raises(InputError, match="no demand with weight > 0 inside the study area"):
        stages.build_instance(far, dem, cand, cameras(CAMS), category_weights=DEFAULT_CATEGORY_WEIGHTS, parallel=True)
    assert not multiprocessing.active_children()
