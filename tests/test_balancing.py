"""The balancing of interests (Intresseavvägning) and the time-of-day outputs of the default run."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from camsite.balancing import no_view_overlap, site_views
from camsite.config import PermitConfig
from camsite.i18n import tr
from camsite.report.balancing import SHEET_COLUMNS, sheet_frame
from factory import DATA, DEFAULT_SCENARIO

SHEET = "Intresseavvägning"


@pytest.fixture(scope="module")
def sheet(default_out) -> pd.DataFrame:
    """The sheet as the planner opens it: the marker, the law and a note, an empty row, then the table."""
    ws = openpyxl.load_workbook(default_out / "inventory.xlsx")[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("Underlag till ansökan – inte ett beslut")
    assert "kamerabevakningslagen (2018:1200)" in rows[1][0] and "15 §" in rows[1][0] and "IMY" in rows[1][0]
    return pd.DataFrame(rows[5:], columns=rows[4])


def test_sheet_has_swedish_headers_and_one_row_per_site(sheet, default_out) -> None:
    assert list(sheet.columns) == [tr(c, "sv") for c in SHEET_COLUMNS]
    assert list(sheet.columns)[:5] == ["Rang", "Plats-id", "Plats", "Kameratyp", "Syfte"]
    sites = pd.read_csv(default_out / "sites.csv")
    assert sheet["Plats-id"].tolist() == sites["site_id"].astype(str).tolist()
    assert (sheet["Status"].str.startswith("Underlag till ansökan")).all()


def test_one_site_recomputed_from_the_run_tables(sheet, default_out) -> None:
    """A site with metro entrances in view: its figures from sites.csv, the GeoPackage's viewshed, the shipped
    entrances layer and the scenario file, computed here without camsite.balancing."""
    row = sheet[sheet["Tunnelbaneuppgångar i vyn"] != "inga"].iloc[0]
    sid = row["Plats-id"]
    site = pd.read_csv(default_out / "sites.csv").set_index("site_id").loc[sid]
    assert row["Gator i vyn"] == site["streets_seen"]
    assert row["Syfte"].endswith(site["why_categories"])
    assert row["Underlag (lägesprecision)"] == site["why_precision"]
    views = gpd.read_file(default_out / "camsite.gpkg", layer="viewsheds")
    view = views[(views["status"] == "proposed") & (views["camera_id"] == sid)].geometry.iloc[0]
    assert row["Vyns yta (m²)"] == pytest.approx(view.area, abs=1.0)
    osm = gpd.read_file(DATA / "osm" / "metro_entrances_stations_2026.geojson").to_crs("EPSG:3011")
    entrances = osm[osm["kind"] == "subway_entrance"]  # the OSM export also holds the stations themselves
    inside = entrances[shapely.intersects(view, entrances.geometry.to_numpy())]
    stations = inside["nearest_station_derived"].value_counts().sort_index()
    expected = ", ".join(f"{n} ({c})" for n, c in stations.items())
    assert row["Tunnelbaneuppgångar i vyn"] == expected and len(inside) > 0
    scen = tomllib.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    night = {t["name"]: t.get("night_range_m") for t in scen["camera_types"]}
    assert row["Räckvidd i mörker"] == f"{night[site['camera_type']]} m"
    assert row["Föreslagen bevakningstid"] == scen["monitoring"]["hours"][0].replace("-", "–")
    assert f"{scen['permit']['retention_days']} dagar" in row["Lagring"]
    assert row["Huvudman"].startswith("Kommunen") and "IMY" in row["Rättslig väg"]
    assert "15 §" in row["Skyltning"]


def test_sensitive_share_is_the_zone_area_over_the_view_area(default_result) -> None:
    """A do-not-view zone over the western half of the first site's view: share = overlap / view, by hand."""
    view = site_views(default_result)[0]
    x0, y0, x1, y1 = view.bounds
    zone = box(x0 - 1, y0 - 1, (x0 + x1) / 2, y1 + 1)
    zones = gpd.GeoDataFrame({"name": ["klinik"], "label": ["Mottagning (test)"]}, geometry=[zone],
                             crs=default_result.scenario.crs)
    result = dataclasses.replace(default_result, inputs=dataclasses.replace(default_result.inputs,
                                                                            no_view_zones=zones))
    got = no_view_overlap(result).iloc[0]
    assert got["sensitive_places"] == "Mottagning (test)"
    assert got["sensitive_share_pct"] == pytest.approx(round(100 * view.intersection(zone).area / view.area, 1))


def test_another_sensitive_places_function_plugs_in(default_result) -> None:
    def places(result):
        return pd.DataFrame({"site_id": result.sites["site_id"].astype(str), "sensitive_places": "Beroendekliniken",
                             "sensitive_share_pct": 12.5})

    frame = sheet_frame(default_result, lang="sv", sensitive=places)
    assert set(frame["bal_sensitive"]) == {"Beroendekliniken"} and set(frame["bal_sensitive_share"]) == {12.5}


def test_operator_and_route_come_from_the_scenario(default_result) -> None:
    police = dataclasses.replace(default_result, scenario=dataclasses.replace(
        default_result.scenario, permit=PermitConfig(operator="police", retention_days=30)))
    frame = sheet_frame(police, lang="sv")
    assert set(frame["bal_operator"]) == {"Polismyndigheten"}
    assert all("undantagen" in r for r in frame["bal_route"]) and all("30 dagar" in r for r in frame["bal_retention"])
    own = dataclasses.replace(police, scenario=dataclasses.replace(
        police.scenario, permit=PermitConfig(operator="other", route={"sv": "Egen text", "en": "Own text"})))
    assert set(sheet_frame(own, lang="en")["bal_route"]) == {"Own text"}


def test_day_and_night_in_summary_terminal_and_report(default_out, default_cli) -> None:
    s = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    periods = {r["period"]: r for r in s["coverage_by_period"]}
    assert set(periods) == {"day", "night"}
    kinds = {r["kind"]: r for r in s["coverage_by_kind"]}
    # the incident weight is split between day and night without loss
    assert periods["day"]["weight_total"] + periods["night"]["weight_total"] == pytest.approx(
        kinds["incident"]["weight_total"], abs=1e-3)
    bins = s["time_of_day"]["incidents_by_hour"]
    assert all(b["incidents"] == 0 or b["incidents"] >= 3 for b in bins)
    assert "nattetid" in default_cli.stdout
    html = (default_out / "report.html").read_text(encoding="utf-8")
    assert 'id="time-of-day"' in html and 'id="balancing"' in html
    assert len(re.findall(r'<rect class="hour-bar"', html)) == len(bins)
