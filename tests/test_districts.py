"""Districts sharing one budget (``[[districts]]``): the scenario keys and their errors, the placing of points in
districts, and a small city run whose per-district figures add up to its totals (recomputed here from the sites
and the district polygons), written to districts.csv, budget_curve_districts.csv and summary.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import factory
from camsite import pipeline
from camsite.config import District
from camsite.districts import assign, district_areas
from camsite.errors import ConfigError, InputError
from camsite.report import write_run

ROOT = Path(__file__).resolve().parents[1]
STADSDELAR = ROOT / "data" / "stockholm" / "stadsdelar_land_2021.geojson"
OST = ["KUNGSHOLMEN"]
VAST = ["MARIEBERG", "STADSHAGEN", "KRISTINEBERG", "FREDHÄLL"]


def _districts(**over: Any) -> list[dict[str, Any]]:
    ost = {"name": "ost", "label": "Öst", "stadsdelar": OST}
    vast = {"name": "vast", "label": "Väst", "stadsdelar": VAST, **over}
    return [ost, vast]


def _data(**over: Any) -> dict[str, Any]:
    return factory.fridhemsplan_data(400, boundaries={"districts": str(STADSDELAR), "name_column": "name"},
                                     districts=_districts(**over), **{"optimization": {"budget_sek": 600000}})


@pytest.mark.parametrize(("over", "key", "text"), [
    ({"min_sek": -1}, "districts[1].min_sek", "must be >= 0"),
    ({"min_sek": 300000, "max_sek": 200000}, "districts[1].max_sek", "is above max_sek"),
    ({"name": "ost"}, "districts[1].name", "defined twice"),
    ({"name": "Väst"}, "districts[1].name", "is not an id"),
    ({"stadsdelar": ["KUNGSHOLMEN"]}, "districts[1].stadsdelar[0]", "already in district 'ost'"),
    ({"min_sek": 700000}, "districts", "more than optimization.budget_sek"),
])
def test_bad_district_keys_name_the_key(over: dict[str, Any], key: str, text: str) -> None:
    with pytest.raises(ConfigError) as err:
        factory.scenario(_data(**over))
    assert err.value.where == key and text in str(err.value)


def test_districts_need_boundaries() -> None:
    data = factory.fridhemsplan_data(districts=_districts())
    with pytest.raises(ConfigError, match="districts: needs \\[boundaries\\] districts"):
        factory.scenario(data)


def test_an_unknown_stadsdel_names_its_key_and_the_known_ones() -> None:
    frame = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(InputError) as err:
        district_areas((District(name="a", stadsdelar=("A",)), District(name="b", stadsdelar=("B", "X"))), frame,
                       file="scenarios/x.toml")
    assert str(err.value) == "scenarios/x.toml: districts[1].stadsdelar: unknown stadsdel 'X' (known: A, B)"


def test_points_on_a_shared_edge_go_to_the_first_district() -> None:
    frame = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    areas = district_areas((District(name="b", stadsdelar=("B",)), District(name="a", stadsdelar=("a",))), frame,
                           file=None)
    got = assign(gpd.GeoSeries([Point(1, 0.5), Point(0.5, 0.5), Point(3, 3)]), areas)
    assert got.tolist() == [0, 1, -1]


@pytest.fixture(scope="module")
def city_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    folder = tmp_path_factory.mktemp("city")
    data = _data(min_sek=100000)
    data["optimization"]["budget_sweep"] = {"start": 200000, "stop": 600000, "step": 200000}
    scen = factory.scenario(data, folder=folder)
    result = pipeline.run(scen)
    out = folder / "out"
    write_run(result, out)
    return result, out


def _district_of_sites(sites: pd.DataFrame) -> np.ndarray:
    """Each proposed site's district, recomputed from the polygons file and the site's own coordinates."""
    frame = gpd.read_file(STADSDELAR).to_crs("EPSG:3011")
    polys = [shapely.union_all(frame[frame["name"].isin(names)].geometry.to_numpy()) for names in (OST, VAST)]
    pts = shapely.points(sites["easting"].to_numpy(float), sites["northing"].to_numpy(float))
    out = np.full(len(sites), -1)
    for k, poly in enumerate(polys):
        out[(out < 0) & shapely.covers(poly, pts)] = k
    return out


@pytest.mark.slow
def test_the_city_run_adds_up(city_run: tuple[Any, Path]) -> None:
    result, _ = city_run
    rows = {r.name: r for r in result.districts}
    assert list(rows)[:2] == ["ost", "vast"]
    sites = result.sites
    where = _district_of_sites(sites)
    assert (where >= 0).all()  # no proposed site outside the districts
    for k, name in enumerate(("ost", "vast")):
        assert rows[name].spent_sek == pytest.approx(float(sites["cost_sek"].to_numpy(float)[where == k].sum()))
        assert rows[name].n_sites == int((where == k).sum())
    assert sum(r.spent_sek for r in rows.values()) == pytest.approx(result.summary.spent_sek)
    assert rows["vast"].spent_sek >= 100000 - 1e-6  # its minimum holds
    incidents = next(r for r in result.summary.coverage_by_kind if r.name == "incident")
    assert sum(r.incidents_after or 0 for r in rows.values()) == pytest.approx(incidents.incidents_after, abs=2e-3)
    assert sum(r.incidents_total or 0 for r in rows.values()) == pytest.approx(incidents.incidents_total, abs=2e-3)
    for name in ("ost", "vast"):  # the next money cannot see less: the optimum's plan stays feasible
        assert rows[name].marginal_status == "optimal"
        assert rows[name].marginal_step_sek >= 100000


@pytest.mark.slow
def test_the_city_files(city_run: tuple[Any, Path]) -> None:
    _, out = city_run
    table = pd.read_csv(out / "districts.csv", keep_default_na=False, na_values=[""])
    assert table["district"].fillna("").tolist()[:2] == ["ost", "vast"]
    counts = table[["incidents_total", "incidents_before", "incidents_after"]].to_numpy(float)
    assert not ((counts > 1e-9) & (counts < 3 - 1e-9)).any()  # the privacy rule
    # a shown marginal gain rests on 3 or more events (an expected value over them, not a small count)
    shown = table["marginal_incidents"].notna().to_numpy()
    assert (table["marginal_events"].to_numpy(float)[shown] >= 3).all()
    assert table["marginal_events"].isna().to_numpy()[~shown & table["marginal_status"].notna().to_numpy()].all()
    curve = pd.read_csv(out / "budget_curve_districts.csv")
    main = pd.read_csv(out / "budget_curve.csv")
    assert len(curve) == 2 * len(main)
    by_budget = curve.groupby("budget_sek")["spent_sek"].sum()
    ok = main["status"] != "infeasible"
    assert np.allclose(by_budget.loc[main["budget_sek"][ok]].to_numpy(), main["spent_sek"][ok].to_numpy())
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [d["district"] for d in summary["districts"]][:2] == ["ost", "vast"]
    assert (out / "budget_curve_districts.png").stat().st_size > 1000
    assert "districts.csv" in summary["outputs"]
