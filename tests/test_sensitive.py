"""Sensitive places: the shipped layer, a place in view by hand on a two-camera instance, residential façades
as cost (hand-made layer), and the reading errors.

The corridor: an east-west street 10 m wide. Camera A at the origin looks east (range 30 m, 60° sector),
camera B at x = -50 looks west. A clinic is the 6 m x 6 m square around x = 20 on the street::

    B(-50)←        A(0)→     [clinic 17..23]

A's view is the corridor within its sector: for x < 5 / tan 30° = 8.66 m the sector is narrower than the
street (area tan 30° x 8.66² = 43.3 m²), beyond it the whole 10 m width to where the 30 m arc meets
y = ±5 (x = 29.58 m: 209.2 m²) plus the arc's cap (about 2.8 m²): about 255 m². The clinic lies inside it
whole: 36 m², a share of 36 / 255 = 14.1 %. B sees nothing of it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from camsite import sensitive
from camsite.coverage import viewsheds
from camsite.errors import InputError
from factory import CRS, ROOT, cameras, sites

CORRIDOR = box(-100, -5, 100, 5)
CLINIC = box(17, -3, 23, 3)
MODELS = {"fixed": (30.0, 60.0, 1.0)}


def _view_area() -> float:
    x0 = 5 / math.tan(math.radians(30))
    x1 = math.sqrt(30**2 - 5**2)
    # the circular segment beyond x1 (|y| <= sqrt(900 - x^2)): r^2 acos(x1/r) - x1 sqrt(r^2 - x1^2)
    cap = 30**2 * math.acos(x1 / 30) - x1 * math.sqrt(30**2 - x1**2)
    return math.tan(math.radians(30)) * x0**2 + 10 * (x1 - x0) + cap


def _places() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["clinic"], "label": ["Klinik"], "kind": ["vard"], "precision": ["address"]},
                            geometry=[CLINIC], crs=CRS)


def test_place_in_view_by_hand_two_cameras() -> None:
    cams = sites([(0, 0), (-50, 0)], ["fixed", "fixed"], [90.0, 270.0]).assign(site_id=["A", "B"])
    got = sensitive.site_views(cams, _places(), cameras(MODELS), open_space=CORRIDOR)
    area = _view_area()
    assert 250 < area < 260  # the hand figure of the module notes
    assert got["site_id"].tolist() == ["A", "B"]
    # the view is a fan of rays 7.5° apart on a 0.5 m raster: its arc is cut by chords, so a few % under the hand
    # figure, never over it
    assert 0.9 * area < got.loc[0, "view_m2"] <= area
    view = viewsheds(cams, cameras(MODELS), open_space=CORRIDOR).iloc[0]
    assert view.intersection(CLINIC).area == pytest.approx(36.0, abs=1.0)  # the clinic lies in the view whole
    share = 100 * view.intersection(CLINIC).area / view.area
    assert got.loc[0, "places_share_pct"] == pytest.approx(share, abs=0.01)
    assert got.loc[0, "places_share_pct"] == pytest.approx(100 * 36 / area, abs=1.2)
    assert got.loc[0, "places_in_view"] == f"Klinik ({share:.0f} %)"
    assert got.loc[1, "places_in_view"] == "" and got.loc[1, "places_share_pct"] == 0.0


def test_a_place_not_located_is_never_in_view(tmp_path: Path) -> None:
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a", "precision": "not_located"}, "geometry": None},
        {"type": "Feature", "properties": {"name": "b", "precision": "address", "buffer_m": 3},
         "geometry": {"type": "Point", "coordinates": [18.03, 59.333]}}]}), encoding="utf-8")
    places = sensitive.read_places(path, crs=CRS)
    assert places["located"].tolist() == [False, True]
    assert places.geometry.iloc[0] is None
    assert places.geometry.iloc[1].area == pytest.approx(math.pi * 9, rel=0.02)


@pytest.mark.parametrize(("props", "fragment"), [
    ({"name": "a", "precision": "exact"}, "precision 'exact'"),
    ({"name": "a", "buffer_m": "far"}, "buffer_m 'far'"),
    ({"label": "no name"}, "no column 'name'"),
])
def test_bad_places_name_the_row(tmp_path: Path, props: dict, fragment: str) -> None:
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [18.03, 59.333]}}]}),
        encoding="utf-8")
    with pytest.raises(InputError, match=fragment.replace("(", r"\(")):
        sensitive.read_places(path, crs=CRS)


def test_residential_facades_as_cost_by_hand(tmp_path: Path) -> None:
    # a house north of the street at x 10..14: its façade band (1.5 m each side of the outline) reaches into the
    # street (y 3.5..5), which camera A sees; B, looking west, does not
    house = gpd.GeoDataFrame({"use": ["residential"]}, geometry=[box(10, 5, 14, 9)], crs=CRS)
    path = tmp_path / "houses.gpkg"
    house.to_file(path)
    facades = sensitive.facade_zones(path, crs=CRS, depth_m=3.0)
    assert len(facades) == 1 and facades.geometry.iloc[0].contains(Point(12, 4))
    cams = sites([(0, 0), (-50, 0)], ["fixed", "fixed"], [90.0, 270.0])
    views = viewsheds(cams, cameras(MODELS), open_space=CORRIDOR)
    assert sensitive.residential_penalty(views, facades, penalty_sek=40000).tolist() == [40000.0, 0.0]


def test_the_shipped_layer_is_honest_about_precision() -> None:
    places = sensitive.read_places(ROOT / "data" / "sensitive" / "kungsholmen_sensitive_places.geojson", crs=CRS)
    assert set(places["precision"]) <= {"approximate", "not_located"}  # nothing claims address precision
    assert np.all(places["source"].str.len() > 20)
    assert {"psykiatrisk_akut", "beroendekliniken", "beroendecentrum_metadon", "dagverksamhet_hemlosa",
            "akutboende_hemlosa"} == set(places["name"])
