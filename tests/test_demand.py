"""Demand points: weights preserved through snapping and spreading, street space, footfall, tunnels."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

import factory
from camsite import demand as dm
from camsite.config import DemandConfig
from camsite.errors import InputError
from camsite.stages import inputs as stage
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS as WEIGHTS
from factory import CRS, scenario

X0, Y0 = 152000.0, 6580000.0


def cfg(**demand: object) -> DemandConfig:
    """A [demand] section, validated as in a scenario file."""
    return scenario(demand=demand).demand


def build(net, inc, c: DemandConfig | None = None, **kw):
    return dm.build_demand(net, inc, c or cfg(), category_weights=WEIGHTS, **kw)


def network():
    """A '+' of two named streets, a tunnel and a motorway, around (X0, Y0)."""
    lines = [[(-100, 0), (0, 0)], [(0, 0), (100, 0)], [(0, -100), (0, 0)], [(0, 0), (0, 100)],
             [(100, 0), (100, 100)], [(-100, -50), (100, -50)]]
    names = ["Fleminggatan", "Fleminggatan", "Sankt Eriksgatan", "Sankt Eriksgatan", "Tunnelgatan", "Motorvägen"]
    return factory.network(lines, names=names, highway=["primary"] * 5 + ["motorway"],
                           tunnel=[False] * 4 + [True, False], excluded=[False] * 5 + [True], half_width=10.0,
                           origin=(X0, Y0))


def incidents() -> gpd.GeoDataFrame:
    rows = [
        ("a", "vald", 1.0, "2024-01-01", "point", "", (20, 5)),          # snapped
        ("b", "narkotika", 2.0, "2023-01-01", "intersection", "", (1, 1)),  # snapped
        ("c", "vald", 1.0, "2024-06-01", "point", "", (50, 60)),          # 50 m from a usable street: a point
        ("d", "knivlagen", 1.0, "2024-01-01", "street", "Fleminggatan", (0, 0)),   # spread
        ("e", "vald", 1.0, None, "street", "sankt eriksgatan", (0, 0)),   # spread (case-insensitive)
        ("f", "vald", 1.0, "2024-01-01", "street", "Okänd gata", (-30, 3)),  # name not found: a point
        ("g", "hemlig", 1.0, "2024-01-01", "point", "", (-40, -2)),       # unknown category: as ovrigt
        ("h", "trafik", 1.0, "2024-01-01", "point", "", (-60, 2)),        # weight 0
        ("i", "vald", 1.0, "2024-01-01", "station", "", (105, 40)),       # near the tunnel only: a point
    ]
    return gpd.GeoDataFrame({
        "incident_id": [r[0] for r in rows], "category": [r[1] for r in rows], "weight": [r[2] for r in rows],
        "date": pd.to_datetime([r[3] for r in rows]), "precision": [r[4] for r in rows],
        "street": [r[5] for r in rows], "source": "test"},
        geometry=[Point(X0 + r[6][0], Y0 + r[6][1]) for r in rows], crs=CRS)


def incident_part(d: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return d[d["category"] != dm.STREET_CATEGORY]


@pytest.mark.parametrize("demand", [
    {}, {"half_life_years": 1.5, "reference_date": "2025-01-01"}, {"street_spacing_m": 0},
    {"street_spacing_m": 7, "snap_distance_m": 5}])
def test_incident_weight_preserved_through_snapping_and_spreading(demand: dict) -> None:
    c = cfg(**demand)
    inc = incidents()
    expected = dm.incident_weights(inc, c, WEIGHTS)
    d, stats = build(network(), inc, c)
    part = incident_part(d)
    assert part["weight"].sum() == pytest.approx(expected.sum(), rel=1e-12)
    assert stats["incident_weight"] == pytest.approx(expected.sum())
    # incidents counted: every incident with weight > 0 is one incident in total
    assert part["incidents"].sum() == pytest.approx(float((expected > 0).sum()))


def test_weights_snapping_and_kinds() -> None:
    inc = incidents()
    w = dm.incident_weights(inc, cfg(), WEIGHTS)
    assert w.tolist() == pytest.approx([1.0, 2.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.0, 0.75])
    d, stats = build(network(), inc)
    assert stats["kept_as_point"] == 2 and stats["spread_over_streets"] == 2 and stats["street_not_found"] == 1
    assert list(d.columns) == list(dm.DEMAND_COLUMNS) and d.index.name == "demand_id"
    assert d["demand_id"].tolist() == list(range(len(d)))
    assert (d["weight"] > 0).all()
    snapped = d[d["kind"].eq("incident") & d["incidents"].eq(1.0)]
    assert np.allclose(snapped.geometry.y.min(), Y0)  # (20, 5) moved onto Fleminggatan
    points = d[d["kind"] == "point"]
    assert (points["edge_id"] == -1).all() and len(points) == 2
    # a street incident is spread only over its own, usable street
    spread = d[d["kind"].eq("incident") & d["incidents"].lt(1.0) & d["category"].eq("knivlagen")]
    assert set(spread["edge_id"]) == {0, 1}
    assert spread["weight"].sum() == pytest.approx(0.5)


def test_recency_half_life() -> None:
    inc = incidents().iloc[[0, 1, 4]]
    w = dm.incident_weights(inc, cfg(half_life_years=1.0, reference_date="2024-01-01"), WEIGHTS)
    assert w.tolist() == pytest.approx([1.0, 2.0 * 0.5 ** (365 / 365.25), 0.5])  # no date: weight kept


def test_street_space_every_10_m_not_on_tunnels_or_motorways() -> None:
    d, stats = build(network(), incidents().iloc[:0])
    assert (d["kind"] == "street").all() and (d["category"] == "gata").all()
    assert stats["street_points"] == 40  # 4 usable edges of 100 m
    assert d["weight"].sum() == pytest.approx(400 * 0.01)
    assert not d["edge_id"].isin([4, 5]).any()
    d0, _ = build(network(), incidents().iloc[:0], cfg(street_spacing_m=0))
    assert d0.empty


def footfall(*rows: tuple[float, float, float]) -> gpd.GeoDataFrame:
    """Footfall points ``(x, y, daily_count)`` around (X0, Y0), as the stage reads them."""
    return gpd.GeoDataFrame({"stop_name": [f"S{i}" for i in range(len(rows))],
                             "daily_count": [r[2] for r in rows]},
                            geometry=[Point(X0 + r[0], Y0 + r[1]) for r in rows], crs=CRS)


def test_footfall_spread_over_street_demand_within_radius() -> None:
    c = cfg(footfall={"path": "ff.csv", "radius_m": 30})
    d, stats = build(network(), incidents().iloc[:0], c, footfall=footfall((10, 10, 100000), (2000, 0, 20000)))
    # 100,000 / 1000 × 0.05 = 5.0 and 20,000 / 1000 × 0.05 = 1.0; street space 4 × 100 m × 0.01 = 4.0
    assert stats["footfall_weight"] == pytest.approx(5.0 + 1.0)
    assert d["weight"].sum() == pytest.approx(4.0 + 6.0)
    near = d.geometry.distance(Point(X0 + 10, Y0 + 10)) <= 30
    assert d.loc[near, "weight"].sum() == pytest.approx(near.sum() * 0.1 + 5.0)
    assert ((d["kind"] == "street") & (d["edge_id"] == -1)).sum() == 1  # B has no street nearby: kept as a point


def test_footfall_config_without_points_adds_nothing() -> None:
    d, stats = build(network(), incidents().iloc[:0], cfg(footfall={"path": "ff.csv"}))
    assert d["weight"].sum() == pytest.approx(4.0) and "footfall_weight" not in stats


def test_study_area_keeps_spread_weight_inside() -> None:
    inc = incidents()
    area = box(X0 - 50, Y0 - 100, X0 + 100, Y0 + 100)
    d, _ = build(network(), inc, study_area=area)
    # street incidents spread (the intersection is spread over its disc, the unknown street is a point)
    spread = d[d["kind"].eq("incident") & d["precision"].eq("street") & d["incidents"].lt(1.0)]
    assert spread.geometry.within(area.buffer(1e-6)).all()
    assert spread["weight"].sum() == pytest.approx(1.0)


def test_street_points_doctest_shape() -> None:
    sp = dm.street_points(gpd.GeoSeries([LineString([(0, 0), (25, 0)])]), spacing_m=10.0)
    assert len(sp.geometry) == 2 and sp.length_m.tolist() == [12.5, 12.5]
    assert [p.x for p in sp.geometry] == [6.25, 18.75]


def test_street_incident_without_position_is_spread_or_reported() -> None:
    inc = incidents().iloc[[3, 5]].copy()
    inc = inc.set_geometry(gpd.GeoSeries([None, None], index=inc.index, crs=CRS))
    d, stats = build(network(), inc)
    part = incident_part(d)
    assert part["weight"].sum() == pytest.approx(0.5)  # Fleminggatan spread; the unknown street is unplaced
    assert stats["unplaced"] == 1 and stats["unplaced_weight"] == pytest.approx(0.5)


def test_footfall_without_count_column() -> None:
    ff = footfall((10, 10, 100)).rename(columns={"daily_count": "antal"})
    with pytest.raises(InputError, match="daily_count"):
        build(network(), incidents().iloc[:0], cfg(footfall={"path": "ff.csv"}), footfall=ff)


def test_footfall_file_without_count_column_is_named_by_the_stage(tmp_path) -> None:
    s = scenario(folder=tmp_path, files={"ff.csv": "stop_name,lat,lon\nA,59.333,18.03\n"},
                 demand={"footfall": {"path": "ff.csv"}})
    area = Point(X0, Y0).buffer(5000)
    with pytest.raises(InputError, match="daily_count") as info:
        stage.read_point_file(s, "ff.csv", "footfall", area, ("daily_count",))
    assert info.value.file.endswith("ff.csv")


def test_street_incident_on_tunnel_or_motorway_only_is_no_demand() -> None:
    inc = incidents().iloc[[3, 3, 3]].copy()
    inc["street"] = ["Tunnelgatan", "Motorvägen", "Fleminggatan"]
    d, stats = build(network(), inc)
    part = incident_part(d)
    assert part["weight"].sum() == pytest.approx(0.5)
    assert set(part["edge_id"]) == {0, 1}
    assert stats["on_tunnel_or_excluded"] == 2 and stats["on_tunnel_or_excluded_weight"] == pytest.approx(1.0)
    # incident weight is preserved except for what is reported as not demand
    assert part["weight"].sum() + stats["on_tunnel_or_excluded_weight"] == pytest.approx(stats["incident_weight"])


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["vald", "narkotika", "trafik", "okand", "skadegorelse"]),
                               st.sampled_from(["point", "intersection", "street", "station", "area"]),
                               st.sampled_from(["Fleminggatan", "Sankt Eriksgatan", "Ingen gata", ""]),
                               st.floats(-150, 150), st.floats(-150, 150), st.floats(0, 5)),
                     min_size=1, max_size=30),
       spacing=st.sampled_from([0.0, 5.0, 10.0, 33.0]), snap=st.sampled_from([0.0, 10.0, 30.0, 100.0]))
def test_weight_preserved_property(rows, spacing, snap) -> None:
    inc = gpd.GeoDataFrame({
        "incident_id": [str(i) for i in range(len(rows))], "category": [r[0] for r in rows],
        "weight": [r[5] for r in rows], "date": pd.NaT, "precision": [r[1] for r in rows],
        "street": [r[2] for r in rows], "source": "h"},
        geometry=[Point(X0 + r[3], Y0 + r[4]) for r in rows], crs=CRS)
    c = cfg(street_spacing_m=spacing, snap_distance_m=snap)
    d, stats = build(network(), inc, c)
    assert incident_part(d)["weight"].sum() == pytest.approx(dm.incident_weights(inc, c, WEIGHTS).sum(), rel=1e-9,
                                                             abs=1e-12)
    assert stats["snapped"] + stats["kept_as_point"] + stats["spread_over_streets"] \
        + stats["placed_by_area_or_station"] + stats["spread_over_disc"] == len(rows)
