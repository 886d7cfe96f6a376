"""The inner-city scenario (scenarios/innerstaden.toml) and its data, without solving the city.

The district areas (stadsdelsområden) are checked against the shipped table
data/stockholm/stadsdelsomraden.csv and the stadsdel polygons; the scenario's
camera types, costs, camera model and evidence model against the district
scenario's (the two must value a camera alike). The inner city's places for
``camsite import-events`` are checked on events read by hand: the command of
data/incidents/README.md is rerun on a slice of the feed and must give the
shipped rows, and each hand-read event must land at the place its text
names (stations within 50 m of the station's point, areas within the area's
radius of its centre).
"""

from __future__ import annotations

import json
import lzma
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from pyproj import Transformer
from shapely.geometry import Point

from camsite import config
from camsite.cli import main
from camsite.errors import ConfigError
from camsite.events import load_places

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "scenarios" / "innerstaden.toml"
DISTRICT = ROOT / "scenarios" / "fridhemsplan.toml"
MAPPING = ROOT / "data" / "stockholm" / "stadsdelsomraden.csv"
STADSDELAR = ROOT / "data" / "stockholm" / "stadsdelar_land_2021.geojson"
EVENTS = ROOT / "data" / "polisen" / "events_stockholm_2022_2026.json.xz"
NETWORK = ROOT / "data" / "osm" / "stockholm_drive_osmnx2020.tar.gz"
AREA = ROOT / "data" / "areas" / "innerstaden_extent.geojson"
STATIONS = ROOT / "data" / "stations" / "metro_stations_innerstaden.csv"
PLACES = ROOT / "src" / "camsite" / "events" / "places_innerstaden.toml"
SHIPPED = ROOT / "data" / "incidents" / "polisen_innerstaden.geojson"
TO_3011 = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)

#: event id -> (precision, place, district), read by hand from the event's text.
HAND_CHECKED = {
    "645827": ("intersection", "Kungsgatan / Sveavägen", ""),  # "till korsningen Kungsgatan/Sveavägen"
    "649816": ("intersection", "Artillerigatan / Karlavägen", ""),  # "i korsningen Artillerigatan och Karlavägen"
    "634096": ("intersection", "Wallingatan / Västmannagatan", ""),  # "vid Wallingatan och Västmannagatan"
    "647671": ("station", "Medborgarplatsen", ""),  # "på Medborgarplatsens tunnelbaneperrong"
    "606794": ("station", "Odenplan", ""),  # "misstänkta för rånförsök på Odenplan"
    "648363": ("station", "Hornstull", ""),  # "Man greps efter misshandel vid Hornstull"
    "649275": ("area", "Stureplan", ""),  # "ett nyligen inträffat slagsmål vid Stureplan"
    "619421": ("area", "Humlegården", ""),  # "Larm om slagsmål vid Humlegården på Östermalm"
    "636423": ("area", "Gamla stan", "GAMLA STAN"),  # "En man i Gamla stan visar sitt könsorgan"
    "643945": ("street", "Götgatan", ""),  # "drar i kopparkablar på Götgatan"
}
#: "fallit från en balkong på Gärdet": the stadsdel Ladugårdsgärdet (2.6 km), too coarse to keep with
#: --max-area-radius 1000; not Gärdet's metro station.
TOO_COARSE = "647285"


def _city_toml() -> dict:
    return tomllib.loads(CITY.read_text(encoding="utf-8"))


def _city_scenario() -> config.Scenario:
    """The scenario, without its [[districts]] tables while this camsite does not know them yet."""
    try:
        return config.load(CITY)
    except ConfigError as exc:
        if "districts" not in str(exc):
            raise
        text = re.sub(r"^\[\[districts\]\]\n(?:(?!\[).*\n?)*", "", CITY.read_text(encoding="utf-8"), flags=re.M)
        return config.loads(text, file=str(CITY))


def test_mapping_covers_each_named_stadsdel_once() -> None:
    table = pd.read_csv(MAPPING, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["stadsdel", "stadsdelsomrade", "source"]
    assert not table["stadsdel"].duplicated().any(), "a stadsdel is in two district areas"
    assert (table["source"].str.len() > 0).all()
    polygons = set(gpd.read_file(STADSDELAR)["name"])
    assert set(table["stadsdel"]) <= polygons
    data = _city_toml()
    named = set(data["study_area"]["districts"])
    named |= {d for sub in data["subareas"] for d in sub.get("districts", [])}
    named |= {d for area in data["districts"] for d in area["stadsdelar"]}
    assert named == set(table["stadsdel"])
    # the four inner-city district areas, 21 stadsdelar: 7 + 3 + 5 + 6
    assert table.groupby("stadsdelsomrade").size().to_dict() == {
        "kungsholmen": 7, "norrmalm": 3, "ostermalm": 5, "sodermalm": 6}


def test_districts_tables_equal_the_mapping() -> None:
    table = pd.read_csv(MAPPING, dtype=str, keep_default_na=False)
    expected = table.groupby("stadsdelsomrade")["stadsdel"].apply(set).to_dict()
    areas = _city_toml()["districts"]
    assert {a["name"]: set(a["stadsdelar"]) for a in areas} == expected
    for a in areas:
        assert re.fullmatch(r"[a-z_]+", a["name"]) and a["label"].endswith("stadsdelsområde")
        assert "min_sek" not in a and "max_sek" not in a  # the shared budget is free by default
    # the sub-areas report the same district areas
    subs = {s["name"]: set(s["districts"]) for s in _city_toml()["subareas"]}
    assert subs == expected


def test_study_area_is_the_four_district_areas() -> None:
    data = _city_toml()
    table = pd.read_csv(MAPPING, dtype=str, keep_default_na=False)
    assert set(data["study_area"]["districts"]) == set(table["stadsdel"])


def test_cameras_costs_and_evidence_as_in_the_district_scenario() -> None:
    city, district = _city_scenario(), config.load(DISTRICT)
    for section in ("camera_types", "quality", "monitoring", "demand", "candidates", "category_weights", "costs"):
        assert getattr(city, section) == getattr(district, section), section
    for key in ("horizon_years", "start_year", "discount_rate", "budget_applies_to", "min_spacing_same_heading_m",
                "same_heading_deg"):
        assert getattr(city.optimization, key) == getattr(district.optimization, key), key
    # the city's budget is the district's for each of the four district areas; 8 budgets on the curve
    assert city.optimization.budget_sek == 4 * district.optimization.budget_sek
    sweep = _city_toml()["optimization"]["budget_sweep"]
    assert len(range(sweep["start"], sweep["stop"] + 1, sweep["step"])) == 8


def test_inner_city_places_follow_the_same_rules() -> None:
    inner, kungsholmen = load_places(PLACES), load_places()
    assert inner.indoor == kungsholmen.indoor and inner.scene_elsewhere == kungsholmen.scene_elsewhere
    other = {n.lower() for n in inner.other_places}
    for name in ("Södermalm", "Östermalm", "Norrmalm", "Gamla stan", "Slussen", "Hötorget", "Stora Essingen"):
        assert name.lower() not in other, name
    for name in ("Solna", "Blackeberg", "Liljeholmen", "Gullmarsplan"):
        assert name.lower() in other, name
    # Kungsholmen's areas are the same places in both files
    for name, spec in kungsholmen.areas.items():
        assert inner.areas[name] == spec, name


@pytest.fixture(scope="module")
def sliced(tmp_path_factory) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The README's command on a slice of the feed (the hand-checked events and the first 30 of the file)."""
    shipped = gpd.read_file(SHIPPED)
    ids = set(HAND_CHECKED) | {TOO_COARSE} | set(shipped.loc[shipped["merged_ids"] == "", "incident_id"].head(30))
    with lzma.open(EVENTS, "rt", encoding="utf-8") as fh:
        feed = json.load(fh)
    events = feed["events"] if isinstance(feed, dict) else feed
    folder = tmp_path_factory.mktemp("innerstaden")
    (folder / "slice.json").write_text(json.dumps([e for e in events if str(e["id"]) in ids]), encoding="utf-8")
    out = folder / "incidents.geojson"
    result = CliRunner().invoke(main, [
        "import-events", "polisen", str(folder / "slice.json"), "--network", str(NETWORK), "--area", str(AREA),
        "--stations", str(STATIONS), "--places", str(PLACES), "--max-area-radius", "1000", "--out", str(out)],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return gpd.read_file(out), shipped[shipped["incident_id"].isin(ids)]


def test_slice_matches_the_shipped_layer(sliced) -> None:
    located, shipped = sliced
    cols = ["incident_id", "precision", "category", "place", "district", "indoor"]
    assert len(located) == len(shipped) >= 30 and set(HAND_CHECKED) <= set(located["incident_id"])
    pd.testing.assert_frame_equal(located.sort_values("incident_id")[cols].reset_index(drop=True),
                                  shipped.sort_values("incident_id")[cols].reset_index(drop=True))
    assert located.geometry.distance(shipped.set_index("incident_id").loc[located["incident_id"]]
                                     .geometry.reset_index(drop=True)).max() < 1e-6


@pytest.mark.parametrize("event_id", sorted(HAND_CHECKED))
def test_hand_checked_events(sliced, event_id: str) -> None:
    located, _ = sliced
    row = located.set_index("incident_id").loc[event_id]
    precision, place, district = HAND_CHECKED[event_id]
    assert (row["precision"], row["place"], row["district"]) == (precision, place, district)
    point = Point(*TO_3011.transform(row.geometry.x, row.geometry.y))
    if precision == "station":
        st = pd.read_csv(STATIONS).set_index("stop_name").loc[place]
        assert point.distance(Point(*TO_3011.transform(st["lon"], st["lat"]))) < 50
    if precision == "area":
        spec = load_places(PLACES).areas[place]
        assert point.distance(Point(*TO_3011.transform(spec.lon, spec.lat))) <= spec.radius_m


def test_coarse_area_is_left_out(sliced) -> None:
    located, _ = sliced
    assert TOO_COARSE not in set(located["incident_id"])
