"""Candidate sites: intersections, along-street points, mounts, headings, exclusions, existing cameras."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point

from camsite import candidates as cd
from camsite.config import loads
from camsite.network import Network

CRS = "EPSG:3011"
X0, Y0 = 152000.0, 6580000.0
TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS.transform(X0 + x, Y0 + y)
    return lat, lon


def scenario(extra: str = "", *, folder: str = "/tmp/camsite-test") -> object:
    return loads(f'''name="t"
[study_area]
center=[59.333, 18.03]
radius_m=500
[network]
path="n.graphml"
[[camera_types]]
name="dome"
range_m=50
capex_sek=100000
opex_sek_per_year=10000
[[camera_types]]
name="fixed"
range_m=30
fov_deg=60
capex_sek=50000
[optimization]
budget_sek=1000
horizon_years=4
{extra}''', file=f"{folder}/t.toml")


def network() -> Network:
    """A '+' crossing at (X0, Y0) with 100 m arms; a tunnel and a motorway (crossing over, no node) further out."""
    ends = {0: (0, 0), 1: (-100, 0), 2: (100, 0), 3: (0, -100), 4: (0, 100), 5: (100, 100), 6: (-100, -50),
            7: (100, -50)}
    pairs = [(1, 0), (0, 2), (3, 0), (0, 4), (2, 5), (6, 7)]
    geoms = [LineString([(X0 + ends[u][0], Y0 + ends[u][1]), (X0 + ends[v][0], Y0 + ends[v][1])]) for u, v in pairs]
    n = len(pairs)
    edges = gpd.GeoDataFrame({
        "edge_id": np.arange(n), "u": [p[0] for p in pairs], "v": [p[1] for p in pairs],
        "name": ["Fleminggatan", "Fleminggatan", "Sankt Eriksgatan", "Sankt Eriksgatan", "Tunneln", "Motorvägen"],
        "highway": ["primary"] * 5 + ["motorway"], "tunnel": [False] * 4 + [True, False], "bridge": [False] * n,
        "excluded": [False] * 5 + [True], "length_m": [g.length for g in geoms], "half_width_m": [10.0] * n},
        geometry=geoms, crs=CRS)
    count = [1, 1, 2, 1, 1, 1, 1, 1]
    count[0] = 4
    nodes = gpd.GeoDataFrame({"street_count": count}, geometry=[Point(X0 + x, Y0 + y) for x, y in ends.values()],
                             index=list(ends), crs=CRS)
    nodes.index.name = "osmid"
    return Network(graph=None, nodes=nodes, edges=edges, crs=CRS)


def test_columns_variants_headings_and_costs() -> None:
    c = cd.build_candidates(network(), None, scenario())
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
    a = cd.build_candidates(network(), None, scenario())
    b = cd.build_candidates(network(), None, scenario())
    assert a["site_id"].tolist() == b["site_id"].tolist() and a["variant"].tolist() == b["variant"].tolist()
    x, y = a.geometry.x.round().astype(int).astype(str), a.geometry.y.round().astype(int).astype(str)
    assert (a["site_id"] == x + "_" + y).all()


def test_tunnels_and_motorways_never_sites() -> None:
    net = network()
    c = cd.build_candidates(net, None, scenario())
    bad = net.edges[net.edges["tunnel"] | net.edges["excluded"]]
    interior = bad.geometry.buffer(1.0).difference(Point(X0 + 100, Y0).buffer(2.0))  # node shared with Fleminggatan
    assert not c.geometry.intersects(interior.union_all()).any()


def test_exclusions_remove_or_penalise() -> None:
    lat, lon = latlon(0, 0)
    lat2, lon2 = latlon(0, 60)
    s = scenario(f'''[candidates]
[[candidates.exclusions]]
name = "klinik"
point = [{lat}, {lon}]
buffer_m = 25
[[candidates.exclusions]]
name = "boende"
point = [{lat2}, {lon2}]
buffer_m = 5
penalty_sek = 7000
''')
    c = cd.build_candidates(network(), None, s)
    d = c.geometry.distance(Point(X0, Y0))
    assert d.min() > 25
    pen = c[c["penalty_sek"] > 0]
    assert len(pen) and (pen.geometry.distance(Point(X0, Y0 + 60)) <= 5).all()
    assert (pen["cost_sek"] - pen["penalty_sek"]).isin([140000.0, 50000.0]).all()
    assert (pen["penalty_sek"] == 7000).all()


def test_exclusion_polygon_and_min_distance_to_existing() -> None:
    corners = [latlon(*p)[::-1] for p in [(-110, -10), (-50, -10), (-50, 10), (-110, 10)]]
    s = scenario("[candidates]\nmin_distance_to_existing_m = 30\n[[candidates.exclusions]]\nname = \"p\"\n"
                 f"polygon = {[list(c) for c in corners]}\n")
    existing = gpd.GeoDataFrame({"camera_id": ["k1"], "camera_type": ["dome"], "heading_deg": [math.nan]},
                                geometry=[Point(X0 + 100, Y0)], crs=CRS)
    c = cd.build_candidates(network(), existing, s)
    assert not ((c.geometry.x < X0 - 50 + 1e-6) & (abs(c.geometry.y - Y0) < 10)).any()
    assert c.geometry.distance(Point(X0 + 100, Y0)).min() > 30


def test_mounting_points_with_cost_override(tmp_path) -> None:
    lat, lon = latlon(50, 12)
    lat2, lon2 = latlon(-12, 50)
    (tmp_path / "mounts.csv").write_text(f"site_id,lat,lon,cost_sek\nlykta1,{lat},{lon},12345\nfasad2,{lat2},{lon2},\n",
                                         encoding="utf-8")
    s = scenario("[candidates]\nmounting_points = \"mounts.csv\"\ncamera_types = [\"fixed\"]\n", folder=str(tmp_path))
    c = cd.build_candidates(network(), None, s)
    m = c[c["kind"] == "mount"]
    assert set(m["site_id"]) == {"lykta1", "fasad2"}
    assert (m.loc[m["site_id"] == "lykta1", "cost_sek"] == 12345).all()
    assert (m.loc[m["site_id"] == "fasad2", "cost_sek"] == 50000).all()
    # headings along the nearest street: lykta1 is beside Fleminggatan (east-west)
    assert sorted(m.loc[m["site_id"] == "lykta1", "heading_deg"].round()) == [90.0, 270.0]
    assert (m["street"].isin(["Fleminggatan", "Sankt Eriksgatan"])).all()
    assert set(c["camera_type"]) == {"fixed"}


def test_spacing_zero_gives_intersections_only() -> None:
    c = cd.build_candidates(network(), None, scenario("[candidates]\nspacing_m = 0\n"))
    assert set(c["kind"]) == {"intersection"}
