"""Candidate sites: intersections, along-street points, mounts, headings, exclusions, existing cameras."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from camsite import candidates as cd
from camsite import readers
from camsite.cameras import CameraModels
from factory import CRS, scenario

X0, Y0 = 152000.0, 6580000.0
TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

#: 100,000 + 4 × 10,000 = 140,000 SEK over the horizon; 50,000 SEK.
CAMERA_TYPES = [{"name": "dome", "range_m": 50, "capex_sek": 100000, "opex_sek_per_year": 10000},
                {"name": "fixed", "range_m": 30, "fov_deg": 60, "capex_sek": 50000}]


def latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS.transform(X0 + x, Y0 + y)
    return lat, lon


def scen(folder=None, **candidates):
    return scenario(folder=folder, camera_types=CAMERA_TYPES, optimization={"horizon_years": 4},
                    candidates=candidates)


def build(s, existing=None):
    """Candidates as the instance stage builds them: the scenario's [candidates], camera models and zones."""
    cams = CameraModels.from_types(s.camera_types, horizon_years=s.optimization.horizon_years,
                                   offered=s.candidates.camera_types)
    zones = cd.exclusion_zones(s.candidates.exclusions, crs=s.crs, resolve=s.resolve)
    mp = s.candidates.mounting_points
    mounts = readers.read_points(s.resolve(mp), target_crs=s.crs) if mp else None
    return cd.build_candidates(network(), existing, s.candidates, cameras=cams, crs=s.crs, mounting_points=mounts,
                               exclusion_zones=zones)


def network():
    """A '+' crossing at (X0, Y0) with 100 m arms; a tunnel and a motorway (crossing over, no node) further out."""
    import factory

    lines = [[(-100, 0), (0, 0)], [(0, 0), (100, 0)], [(0, -100), (0, 0)], [(0, 0), (0, 100)],
             [(100, 0), (100, 100)], [(-100, -50), (100, -50)]]
    net = factory.network(lines, names=["Fleminggatan", "Fleminggatan", "Sankt Eriksgatan", "Sankt Eriksgatan",
                                        "Tunneln", "Motorvägen"], highway=["primary"] * 5 + ["motorway"],
                          tunnel=[False] * 4 + [True, False], excluded=[False] * 5 + [True], half_width=10.0,
                          origin=(X0, Y0))
    # the crossing is where four streets meet; (100, 0) joins Fleminggatan and the tunnel
    assert net.nodes["street_count"].tolist() == [1, 4, 1, 2, 1, 1, 1, 1]
    return net


def test_columns_variants_headings_and_costs() -> None:
    c = build(scen(mount="centreline"))
    assert list(c.columns) == list(cd.CANDIDATE_COLUMNS)
    assert c["variant"].is_unique
    cross = c[c["kind"] == "intersection"]
    assert cross["site_id"].nunique() == 1
    assert sorted(cross.loc[cross["camera_type"] == "fixed", "heading_deg"]) == pytest.approx([0, 90, 180, 270])
    assert cross.loc[cross["camera_type"] == "dome", "heading_deg"].isna().all()
    assert (cross["street"] == "Fleminggatan / Sankt Eriksgatan").all()
    street = c[c["kind"] == "street"]
    assert street["site_id"].nunique() == 4 * 4  # 100 m arms, every 20 m, ends excluded
    per_site = street.groupby("site_id")["camera_type"].value_counts().unstack()
    assert (per_site["dome"] == 1).all() and (per_site["fixed"] == 2).all()
    assert set(c.loc[c["camera_type"] == "dome", "cost_sek"]) == {140000.0}
    assert set(c.loc[c["camera_type"] == "fixed", "cost_sek"]) == {50000.0}
    assert (c["penalty_sek"] == 0).all()


def test_site_ids_stable() -> None:
    a = build(scen())
    b = build(scen())
    assert a["site_id"].tolist() == b["site_id"].tolist() and a["variant"].tolist() == b["variant"].tolist()
    x, y = a.geometry.x.round().astype(int).astype(str), a.geometry.y.round().astype(int).astype(str)
    assert (a["site_id"] == x + "_" + y).all()


def test_tunnels_and_motorways_never_sites() -> None:
    net = network()
    c = build(scen())
    bad = net.edges[net.edges["tunnel"] | net.edges["excluded"]]
    interior = bad.geometry.buffer(1.0).difference(Point(X0 + 100, Y0).buffer(2.0))  # node shared with Fleminggatan
    assert not c.geometry.intersects(interior.union_all()).any()


def test_exclusions_remove_or_penalise() -> None:
    lat, lon = latlon(0, 0)
    lat2, lon2 = latlon(0, 60)
    s = scen(mount="centreline", exclusions=[{"name": "klinik", "point": [lat, lon], "buffer_m": 25},
                                             {"name": "boende", "point": [lat2, lon2], "buffer_m": 5,
                                              "penalty_sek": 7000}])
    c = build(s)
    d = c.geometry.distance(Point(X0, Y0))
    assert d.min() > 25
    pen = c[c["penalty_sek"] > 0]
    assert len(pen) and (pen.geometry.distance(Point(X0, Y0 + 60)) <= 5).all()
    assert (pen["cost_sek"] - pen["penalty_sek"]).isin([140000.0, 50000.0]).all()
    assert (pen["penalty_sek"] == 7000).all()


def test_exclusion_polygon_and_min_distance_to_existing() -> None:
    corners = [latlon(*p)[::-1] for p in [(-110, -10), (-50, -10), (-50, 10), (-110, 10)]]
    s = scen(min_distance_to_existing_m=30, exclusions=[{"name": "p", "polygon": [list(c) for c in corners]}])
    existing = gpd.GeoDataFrame({"camera_id": ["k1"], "camera_type": ["dome"], "heading_deg": [math.nan]},
                                geometry=[Point(X0 + 100, Y0)], crs=CRS)
    c = build(s, existing)
    assert not ((c.geometry.x < X0 - 50 + 1e-6) & (abs(c.geometry.y - Y0) < 10)).any()
    assert c.geometry.distance(Point(X0 + 100, Y0)).min() > 30


def test_mounting_points_with_cost_override(tmp_path) -> None:
    lat, lon = latlon(50, 12)
    lat2, lon2 = latlon(-12, 50)
    (tmp_path / "mounts.csv").write_text(f"site_id,lat,lon,cost_sek\nlykta1,{lat},{lon},12345\nfasad2,{lat2},{lon2},\n",
                                         encoding="utf-8")
    s = scen(tmp_path, mounting_points="mounts.csv", camera_types=["fixed"])
    c = build(s)
    m = c[c["kind"] == "mount"]
    assert set(m["site_id"]) == {"lykta1", "fasad2"}
    assert (m.loc[m["site_id"] == "lykta1", "cost_sek"] == 12345).all()
    assert (m.loc[m["site_id"] == "fasad2", "cost_sek"] == 50000).all()
    # headings along the nearest street: lykta1 is 12 m north of Fleminggatan (east-west): along it both ways
    # and across it (south, towards it); on the centreline rule only along it, as before
    assert sorted(m.loc[m["site_id"] == "lykta1", "heading_deg"].round()) == [90.0, 180.0, 270.0]
    assert (m["mount"] == "mounting_point").all()
    assert m.loc[m["site_id"] == "lykta1", "side"].iloc[0] == "N"
    old = build(scen(tmp_path, mounting_points="mounts.csv", camera_types=["fixed"], mount="centreline"))
    assert sorted(old.loc[old["site_id"] == "lykta1", "heading_deg"].round()) == [90.0, 270.0]
    assert (m["street"].isin(["Fleminggatan", "Sankt Eriksgatan"])).all()
    assert set(c["camera_type"]) == {"fixed"}


def test_spacing_zero_gives_intersections_only() -> None:
    c = build(scen(spacing_m=0))
    assert set(c["kind"]) == {"intersection"}
