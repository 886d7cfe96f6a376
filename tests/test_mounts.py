"""Cameras where they can be mounted: edge offsets, corners, sight along the edge, same-heading spacing, mounting points.

Every expected position is worked out by hand from the street's half-width and
the inset (0.5 m): a site stands ``half_width - 0.5`` m from the centreline.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point

import factory
from camsite import candidates as cd
from camsite import mounts, readers
from camsite.cameras import CameraModels
from camsite.coverage import corridors, coverage_matrix
from camsite.errors import ConfigError
from camsite.optimize import Constraints, max_coverage, side_constraints
from factory import CRS, scenario

X0, Y0 = 152000.0, 6580000.0
TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
CAMERA_TYPES = [{"name": "dome", "range_m": 50, "capex_sek": 100000},
                {"name": "fixed", "range_m": 30, "fov_deg": 60, "capex_sek": 50000}]


def build(net, folder=None, **candidates):
    s = scenario(folder=folder, camera_types=CAMERA_TYPES, candidates=candidates)
    cams = CameraModels.from_types(s.camera_types, horizon_years=s.optimization.horizon_years,
                                   offered=s.candidates.camera_types)
    mp = s.candidates.mounting_points
    pts = readers.read_points(s.resolve(mp), target_crs=s.crs) if mp else None
    return cd.build_candidates(net, None, s.candidates, cameras=cams, crs=CRS, mounting_points=pts)


def local(c):
    """Site positions relative to the origin, one row per site, sorted."""
    s = c.drop_duplicates("site_id")
    return sorted(zip(np.round(s.geometry.x - X0, 3), np.round(s.geometry.y - Y0, 3)))


def straight(half_width: float = 7.0):
    """One east-west street from x = -100 to 100 (no intersection)."""
    return factory.network([[(-100, 0), (100, 0)]], names=["Fleminggatan"], half_width=half_width, origin=(X0, Y0))


def test_edge_offset_by_hand() -> None:
    c = build(straight())  # half-width 7 m, points every 20 m at x = -80 ... 80 (the ends are left out)
    xs = [-80, -60, -40, -20, 0, 20, 40, 60, 80]
    assert local(c) == sorted((x, y) for x in xs for y in (-6.5, 6.5))
    assert (c["mount"] == "facade_or_pole_line").all() and (c["kind"] == "street").all()
    assert (c["street"] == "Fleminggatan").all()
    north, south = c[c.geometry.y > Y0], c[c.geometry.y < Y0]
    assert set(north["side"]) == {"N"} and set(south["side"]) == {"S"}
    # fixed cameras look along the street both ways and across it, towards the far side
    assert sorted(set(north.loc[north["camera_type"] == "fixed", "heading_deg"])) == [90.0, 180.0, 270.0]
    assert sorted(set(south.loc[south["camera_type"] == "fixed", "heading_deg"])) == [0.0, 90.0, 270.0]
    assert c.loc[c["camera_type"] == "dome", "heading_deg"].isna().all()
    # without the inset the site is on the corridor's boundary itself: y = ±7
    assert {y for _, y in local(build(straight(), mount_inset_m=0))} == {-7.0, 7.0}


def test_centreline_rule_keeps_the_old_sites() -> None:
    c = build(straight(), mount="centreline")
    assert local(c) == [(x, 0.0) for x in (-80, -60, -40, -20, 0, 20, 40, 60, 80)]
    assert (c["mount"] == "centreline").all() and (c["side"] == "").all()
    assert sorted(set(c.loc[c["camera_type"] == "fixed", "heading_deg"])) == [90.0, 270.0]


def cross(hw_ew: float = 7.0, hw_ns: float = 5.0):
    """A '+' crossing at the origin with 30 m arms: east-west half-width ``hw_ew``, north-south ``hw_ns``."""
    lines = [[(-30, 0), (0, 0)], [(0, 0), (30, 0)], [(0, -30), (0, 0)], [(0, 0), (0, 30)]]
    return factory.network(lines, names=["Fleminggatan"] * 2 + ["Sankt Eriksgatan"] * 2,
                           half_width=[hw_ew, hw_ew, hw_ns, hw_ns], origin=(X0, Y0))


def test_intersection_corners_by_hand() -> None:
    c = build(cross(), spacing_m=0)
    # each corner lies 7 - 0.5 m from the east-west centreline and 5 - 0.5 m from the north-south one
    assert local(c) == [(-4.5, -6.5), (-4.5, 6.5), (4.5, -6.5), (4.5, 6.5)]
    assert sorted(c.drop_duplicates("site_id")["side"]) == ["NE", "NW", "SE", "SW"]
    assert (c["kind"] == "intersection").all() and (c["street"] == "Fleminggatan / Sankt Eriksgatan").all()
    # every corner keeps the node's headings: down each of the four streets
    per_site = c[c["camera_type"] == "fixed"].groupby("site_id")["heading_deg"].apply(sorted)
    assert all(h == [0.0, 90.0, 180.0, 270.0] for h in per_site)


def test_oblique_and_t_junction_corners_by_hand() -> None:
    # streets leaving north (bearing 0) and north-east (bearing 60), half-width 7: the corner between them lies on
    # the 30° bisector, 6.5 m from both centrelines, i.e. 6.5 / sin 30° = 13 m from the node
    d = mounts.corner_offsets([0.0, 60.0, 180.0], [7.0, 7.0, 7.0])
    assert d[0] == pytest.approx((13 * math.sin(math.radians(30)), 13 * math.cos(math.radians(30))))
    # a T: the side street (half-width 5) leaves north; the through street's far side gets one corner at 6.5 m south
    t = np.array(mounts.corner_offsets([0.0, 90.0, 270.0], [5.0, 7.0, 7.0]))
    assert t.ravel().tolist() == pytest.approx([4.5, 6.5, 0.0, -6.5, -4.5, 6.5])
    # a wedge of 20°: its corner would lie 6.5 / sin 10° = 37 m out, more than 3 half-widths: left out
    assert len(mounts.corner_offsets([0.0, 20.0], [7.0, 7.0])) == 1


def test_offset_point_in_a_crossing_carriageway_is_dropped() -> None:
    # arms of 24 m, a point every 8 m: at 8 and 16 m from the node. At 8 m the offset point (8, ±9.5) lies 2 m
    # inside the crossing street's 10 m half-width, deeper than the inset: no mount there. At 16 m it is at the edge.
    lines = [[(-24, 0), (0, 0)], [(0, 0), (24, 0)], [(0, -24), (0, 0)], [(0, 0), (0, 24)]]
    net = factory.network(lines, half_width=10.0, origin=(X0, Y0))
    c = build(net, spacing_m=8, intersections=False)
    pos = local(c)
    assert (16.0, 9.5) in pos and (9.5, 16.0) in pos
    assert not any(min(abs(x), abs(y)) == 8.0 for x, y in pos)
    assert len(pos) == 4 * 2  # four arms, two sides, only the points 16 m out
    depth = mounts.edge_depth([Point(X0 + 8, Y0 + 9.5), Point(X0 + 16, Y0 + 9.5)], net.edges)
    assert depth.tolist() == pytest.approx([2.0, 0.5])


@pytest.mark.parametrize("method", ["raster", "exact"])
def test_a_site_at_the_edge_sees_along_the_street(method: str) -> None:
    net = straight()
    c = build(net)
    site = c[(c.geometry.x == X0) & (c.geometry.y == Y0 + 6.5)]
    space = corridors(net.edges)
    cams = CameraModels.of(["dome", "fixed"], range_m=[50, 30], fov_deg=[360, 60], cost_sek=[1, 1])
    # 20 m down the street: on the near edge's line, on the centreline, and on the far edge's line
    demand = factory.points([(X0 + 20, Y0 + 6.5), (X0 + 20, Y0), (X0 + 20, Y0 - 6.5)])
    cov = coverage_matrix(demand, site.reset_index(drop=True), cams, open_space=space, method=method,
                          viewsheds=False)
    rows = cov.matrix.toarray()
    dome = (site["camera_type"] == "dome").to_numpy()
    east = (site["heading_deg"] == 90.0).to_numpy()
    assert rows[:, dome].all()
    # the fixed camera looking east (60°): the near-edge point and the centreline (18° off) are in view;
    # the far-edge point (13 m across at 20 m: 33° off) is not
    assert rows[:, east].ravel().tolist() == [True, True, False]


def test_exactly_on_the_edge_the_raster_loses_the_sight_line() -> None:
    """Why the inset: on the corridor's boundary a raster cell's centre lies outside (y = 7.25 for 0.5 m cells)."""
    net = straight()
    space = corridors(net.edges)
    cams = CameraModels.of(["dome"], range_m=[50], fov_deg=[360], cost_sek=[1])
    demand = factory.points([(X0 + 20, Y0 + 7.0), (X0 + 20, Y0 + 6.5)])
    on_edge = factory.sites([(X0, Y0 + 7.0)], ["dome"])
    inset = factory.sites([(X0, Y0 + 6.5)], ["dome"])
    raster = coverage_matrix(demand, on_edge, cams, open_space=space, viewsheds=False).matrix.toarray().ravel()
    assert raster.tolist() == [False, True]
    nudged = coverage_matrix(demand, inset, cams, open_space=space, viewsheds=False).matrix.toarray().ravel()
    assert nudged.tolist() == [False, True]  # the point itself on the boundary is outside the raster too
    exact = coverage_matrix(demand, on_edge, cams, open_space=space, method="exact", viewsheds=False)
    assert exact.matrix.toarray().ravel().tolist() == [True, True]


def test_mounting_points_file_as_candidates(tmp_path) -> None:
    rows = []
    for sid, (x, y), cost in (("lykta1", (30, 9), 12345), ("fasad2", (-50, -7.5), "")):
        lon, lat = TO_WGS.transform(X0 + x, Y0 + y)
        rows.append(f"{sid},{lat},{lon},{cost}")
    (tmp_path / "mounts.csv").write_text("site_id,lat,lon,cost_sek\n" + "\n".join(rows) + "\n", encoding="utf-8")
    c = build(straight(), tmp_path, mounting_points="mounts.csv", spacing_m=0)
    assert set(c["site_id"]) == {"lykta1", "fasad2"}
    assert (c["mount"] == "mounting_point").all() and (c["kind"] == "mount").all()
    # used where they are, not moved to the edge (a lamp post 9 m off a 7 m half-width street stays there)
    assert local(c) == [(-50.0, -7.5), (30.0, 9.0)]
    side = c.drop_duplicates("site_id").set_index("site_id")["side"]
    assert side.to_dict() == {"fasad2": "S", "lykta1": "N"}
    fixed = c[c["camera_type"] == "fixed"].groupby("site_id")["heading_deg"].apply(sorted).to_dict()
    assert fixed == {"fasad2": [0.0, 90.0, 270.0], "lykta1": [90.0, 180.0, 270.0]}
    assert set(c.loc[c["site_id"] == "lykta1", "cost_sek"]) == {12345.0}


# -- same-heading spacing -----------------------------------------------------------------------------------------


def two_sites(h0: float, h1: float, spacing: float) -> list[int]:
    """Two sites 10 m apart, each seeing its own demand point (weights 2 and 1), budget for both."""
    cov = sp.csr_matrix(np.eye(2, dtype=bool))
    cons = Constraints.build(2, xy=[[0, 0], [10, 0]], heading_deg=[h0, h1], same_heading_spacing_m=spacing)
    out: list[int] = max_coverage(cov, [2.0, 1.0], [1.0, 1.0], 2.0, constraints=cons).selected.tolist()
    return out


def test_same_heading_spacing_by_hand() -> None:
    assert two_sites(90.0, 100.0, 25.0) == [0]  # same way (10° apart), 10 m < 25 m: only the better one
    assert two_sites(90.0, 270.0, 25.0) == [0, 1]  # opposite ways: both
    assert two_sites(90.0, 134.0, 25.0) == [0]  # 44° < 45°
    assert two_sites(90.0, 135.0, 25.0) == [0, 1]  # 45° is not "the same way"
    assert two_sites(math.nan, math.nan, 25.0) == [0]  # two domes
    assert two_sites(math.nan, 90.0, 25.0) == [0, 1]  # a dome and a fixed camera
    assert two_sites(90.0, 100.0, 9.0) == [0, 1]  # farther apart than the spacing
    assert two_sites(90.0, 100.0, 0.0) == [0, 1]  # 0 allows it


def test_same_heading_conflicts_from_the_candidate_table() -> None:
    # variants of one site never conflict with each other (they are one group already)
    c = side_constraints(site_ids=["a", "a", "b", "c"], xy=[[0, 0], [0, 0], [20, 0], [30, 0]],
                         heading_deg=[90, 100, 95, 95], same_heading_spacing_m=25)
    assert c.conflicts.tolist() == [[0, 2], [1, 2], [2, 3]]
    assert not side_constraints(site_ids=["a", "b"], xy=[[0, 0], [1, 0]], heading_deg=[0, 0]).any_conflicts


def test_spacing_keys_defaults_and_validation() -> None:
    s = scenario()
    assert s.optimization.min_spacing_same_heading_m == 25.0 and s.optimization.same_heading_deg == 45.0
    assert s.candidates.mount == "edge" and s.candidates.mount_inset_m == 0.5
    assert scenario(optimization={"min_spacing_same_heading_m": 0}).optimization.min_spacing_same_heading_m == 0
    with pytest.raises(ConfigError, match="min_spacing_same_heading_m"):
        scenario(optimization={"min_spacing_same_heading_m": -1})
    with pytest.raises(ConfigError, match=r"candidates\.mount"):
        scenario(candidates={"mount": "roof"})


@st.composite
def spaced_instances(draw: st.DrawFn) -> dict:
    n_sites = draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dense = rng.random((draw(st.integers(1, 10)), n_sites)) < 0.4
    heads = np.where(rng.random(n_sites) < 0.3, np.nan, rng.choice([0.0, 30.0, 90.0, 180.0], n_sites))
    return {"dense": dense, "weights": rng.integers(1, 10, dense.shape[0]).astype(float),
            "costs": rng.integers(1, 4, n_sites).astype(float), "budget": float(draw(st.integers(1, 10))),
            "xy": rng.random((n_sites, 2)) * 40.0, "heads": heads}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spaced_instances())
def test_spacing_model_is_exact_against_brute_force(inst: dict) -> None:
    """The optimum with same-heading conflicts equals the best feasible subset found by enumeration."""
    dense, w, cost, xy, heads = inst["dense"], inst["weights"], inst["costs"], inst["xy"], inst["heads"]
    n = dense.shape[1]
    cons = Constraints.build(n, xy=xy, heading_deg=heads, same_heading_spacing_m=25.0)
    sol = max_coverage(sp.csr_matrix(dense), w, cost, inst["budget"], constraints=cons)

    def clash(i: int, j: int) -> bool:
        off = abs((heads[i] - heads[j] + 180.0) % 360.0 - 180.0)
        same = (math.isnan(heads[i]) and math.isnan(heads[j])) or off < 45.0
        return same and math.dist(xy[i], xy[j]) < 25.0

    best = 0.0
    for k in range(n + 1):
        for sub in itertools.combinations(range(n), k):
            if cost[list(sub)].sum() <= inst["budget"] and not any(clash(i, j) for i, j in
                                                                  itertools.combinations(sub, 2)):
                best = max(best, float(w[dense[:, list(sub)].any(axis=1)].sum()))
    assert sol.objective == pytest.approx(best)
    chosen = sol.selected.tolist()
    assert not any(clash(i, j) for i, j in itertools.combinations(chosen, 2))
