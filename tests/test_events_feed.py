"""The whole shipped police events file through ``camsite import-events polisen``.

The counts per precision class and per rule are what the locator gives
today, after a sample was checked by hand (see data/incidents/README.md); a
change in them is a change in method to review. The hand-checked events name
a known intersection or station; their located point must lie within 50 m of
it, computed here from the stations CSV or from the graph node the two
streets share. The rule cases are events of the feed read by hand: the
assault in Blackeberg that the old rules put at Fridhemsplan (police stopped
a train there), indoor events, a report filed twice.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from pyproj import Transformer
from shapely.geometry import Point

from camsite.cli import main
from camsite.events import load_polisen, locate_events, read_stations, street_edges

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "data" / "polisen" / "events_stockholm_2022_2026.json.xz"
GRAPH = ROOT / "data" / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz"
AREA = ROOT / "data" / "areas" / "fridhemsplan_extent.geojson"
STATIONS = ROOT / "data" / "stations" / "metro_stations_kungsholmen.csv"
SHIPPED = ROOT / "data" / "incidents" / "polisen_kungsholmen.geojson"
TO_3011 = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)

#: Events located before the area filter, per precision class (4,776 events).
COUNTS = {"intersection": 11, "station": 28, "street": 115, "area": 170, "unlocated": 4452}
#: Events inside the Fridhemsplan extent, per precision class, before duplicates are merged.
IN_AREA = {"intersection": 10, "station": 13, "street": 107, "area": 61}
#: Events written (duplicates merged), per precision class.
WRITTEN = {"intersection": 10, "station": 13, "street": 106, "area": 61}
#: Events located only to all of Kungsholmen (radius 2 km), left out by --max-area-radius 1000.
TOO_COARSE = 93
#: Events naming a place of Kungsholmen whose text puts them elsewhere: moved to the scene, left unlocated.
SCENE_MOVED, SCENE_UNLOCATED = 2, 29
#: Duplicates merged away inside the area; indoor events written.
MERGED, INDOOR = 1, 25

#: Indoor events, read by hand: id -> the words that say so.
INDOOR_EVENTS = {
    "646981": "på en restaurang",  # "kastat glas omkring sig på en restaurang på Sankt Eriksgatan"
    "616673": "i en butik",  # "slagit sönder saker i en butik i Stadshagen"
    "561665": "i butik",  # "Tumult i butik på Odengatan"
    "560162": "i ett trapphus",  # "Ett föremål har exploderat i ett trapphus"
    "438954": "i en hotellreception",  # "kastat en stol mot personalen i en hotellreception på Torsgatan"
    "429441": "ombord på en båt",  # "Två män slåss med varandra ombord på en båt vid Norr Mälarstrand"
    "548786": "i en lägenhet",  # "larm om brand i en lägenhet"
}
#: Outdoor events that name an indoor place, read by hand.
OUTDOOR_EVENTS = {
    "446941": "skadegörelse vid en krog",
    "569464": "försvunnit in i ett trapphus",  # a man with a knife on Odengatan fled into a stairwell
    "591820": "rökutveckling från en balkong i ett flerfamiljshus",
    "464700": "misshandlat en kvinna utomhus",
}

#: event id -> ("station", stop name) or ("crossing", street a, street b), checked by hand against the text.
HAND_CHECKED = {
    "626583": ("crossing", "Drottningholmsvägen", "Fridhemsgatan"),  # "korsningen Drottningholmsvägen-Fridhemsgatan"
    "640642": ("crossing", "Drottningholmsvägen", "Fridhemsgatan"),  # "... Drottningholmsvägen och Fridhemsgatan"
    "555430": ("crossing", "Sankt Eriksgatan", "Alströmergatan"),  # "S:t Eriksgatan vid Alströmergatan"
    "426380": ("crossing", "Fleminggatan", "Inedalsgatan"),  # "Vid korsningen Fleminggatan och Inedalsgatan"
    "581949": ("crossing", "Rörstrandsgatan", "Sankt Eriksgatan"),  # "vid Rörstrandsgatan/ Sankt Eriksgatan"
    "450184": ("crossing", "Scheffersgatan", "Stagneliusvägen"),  # "... vid korsningen med Stagneliusvägen"
    "442642": ("station", "Fridhemsplan"),  # "Ordningsvakt vid tunnelbanestationen Fridhemsplan"
    "443268": ("station", "Stadshagen"),  # "på Stadshagens tunnelbanestation"
    "606975": ("station", "Stadshagen"),  # "på Stadshagens T-station"
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[str, gpd.GeoDataFrame]:
    out = tmp_path_factory.mktemp("events") / "incidents.geojson"
    result = CliRunner().invoke(main, [
        "import-events", "polisen", str(EVENTS), "--network", str(GRAPH), "--area", str(AREA),
        "--stations", str(STATIONS), "--max-area-radius", "1000", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, gpd.read_file(out)


def _expected(kind: tuple[str, ...]) -> list[Point]:
    if kind[0] == "station":
        row = pd.read_csv(STATIONS).set_index("stop_name").loc[kind[1]]
        return [Point(*TO_3011.transform(row["lon"], row["lat"]))]
    with gzip.open(GRAPH, "rt", encoding="utf-8") as fh:
        graph = nx.read_graphml(fh)
    touched: dict[str, set[str]] = {kind[1]: set(), kind[2]: set()}
    for u, v, data in graph.edges(data=True):
        for name in touched:
            if name in str(data.get("name", "")):
                touched[name] |= {u, v}
    shared = touched[kind[1]] & touched[kind[2]]
    return [Point(*TO_3011.transform(float(graph.nodes[n]["x"]), float(graph.nodes[n]["y"]))) for n in shared]


def test_counts_per_precision_class(run) -> None:
    output, incidents = run
    assert ("4776 händelser: korsning {intersection}, station {station}, gata {street}, område {area}, "
            "ej lägesbestämda {unlocated}").format(**COUNTS) in output
    assert f"{TOO_COARSE} händelser med bara ett stadsdelsområde över 1000 m utelämnade" in output
    assert (f"{sum(IN_AREA.values())} lägesbestämda inom området ({AREA.name}): korsning {{intersection}}, "
            "station {station}, gata {street}, område {area}").format(**IN_AREA) in output
    assert incidents["precision"].value_counts().to_dict() == WRITTEN
    assert len(incidents) == sum(WRITTEN.values()) == sum(IN_AREA.values()) - MERGED


def test_counts_per_rule(run) -> None:
    """The command prints what each rule changed, in this order, and the file agrees."""
    output, incidents = run
    lines = output.strip().splitlines()
    assert lines[1] == (f"platsen någon annanstans: {SCENE_MOVED + SCENE_UNLOCATED} "
                        f"({SCENE_MOVED} flyttade, {SCENE_UNLOCATED} ej lägesbestämda)")
    assert lines[4] == f"dubbletter: {MERGED} sammanslagen"
    assert lines[5] == f"inomhus: {INDOOR} (vikt 0 som standard)"
    assert lines[6].startswith(f"skrev {sum(WRITTEN.values())} händelser till ")
    assert int(incidents["indoor"].sum()) == INDOOR
    assert int((incidents["merged_ids"] != "").sum()) == MERGED


def test_blackeberg_assault_is_not_at_fridhemsplan(run) -> None:
    """592839: "En man misshandlar en kvinna i Blackeberg ... Vid Fridhemsplans tunnelbanestation beordrar
    polisen om tågstopp": the scene is in Blackeberg, outside the area, so the event is not located."""
    _, incidents = run
    assert "592839" not in set(incidents["incident_id"])
    event = [e for e in load_polisen(EVENTS) if str(e["id"]) == "592839"]
    located = locate_events(event, street_edges(GRAPH), stations=read_stations(STATIONS))
    assert located["precision"].iloc[0] == "unlocated"
    assert located.attrs["scene"] == {"moved": 0, "unlocated": 1}


def test_arrest_elsewhere_is_moved_to_the_scene(run) -> None:
    """581340: a break-in alarm "från en skola på Karlbergsvägen"; "Polisen ... griper mannen på
    Rörstrandsgatan": the event is on Karlbergsvägen, not where the man was caught."""
    _, incidents = run
    row = incidents.set_index("incident_id").loc["581340"]
    assert (row["precision"], row["place"]) == ("street", "Karlbergsvägen")


@pytest.mark.parametrize("event_id", sorted(INDOOR_EVENTS))
def test_indoor_events(run, event_id: str) -> None:
    _, incidents = run
    assert bool(incidents.set_index("incident_id").loc[event_id, "indoor"]) is True


@pytest.mark.parametrize("event_id", sorted(OUTDOOR_EVENTS))
def test_outdoor_events(run, event_id: str) -> None:
    _, incidents = run
    assert bool(incidents.set_index("incident_id").loc[event_id, "indoor"]) is False


def test_same_text_twice_is_merged(run) -> None:
    """425866 and 425867: two ids, the same Trafikolycka text ("lastbil vält" on Klarastrandsleden), same minute."""
    _, incidents = run
    ids = set(incidents["incident_id"])
    assert "425866" in ids and "425867" not in ids
    assert incidents.set_index("incident_id").loc["425866", "merged_ids"] == "425867"


def test_districts_and_places(run) -> None:
    _, incidents = run
    areas = incidents[incidents["precision"] == "area"]
    pairs = set(zip(areas["place"], areas["district"]))
    assert pairs == {("Stadshagen", "STADSHAGEN"), ("Kristineberg", "KRISTINEBERG"), ("Fredhäll", "FREDHÄLL"),
                     ("Marieberg", "MARIEBERG"), ("Rålambshovsparken", ""), ("Kronobergsparken", ""),
                     ("Vasaparken", "")}
    assert (incidents.loc[incidents["precision"] != "area", "district"] == "").all()
    assert (incidents["place"] != "").all()


def test_output_is_wgs84_inside_the_area(run) -> None:
    _, incidents = run
    assert incidents.crs.to_epsg() == 4326
    x, y = incidents.geometry.x, incidents.geometry.y
    assert x.between(18.005, 18.045).all() and y.between(59.325, 59.345).all()
    assert {"incident_id", "date", "type", "category", "precision", "uncertainty_m", "matched_text", "street",
            "weight", "source", "url", "place", "district", "indoor", "merged_ids"} <= set(incidents.columns)
    assert incidents["incident_id"].is_unique
    streets = incidents[incidents["precision"] == "street"]
    assert (streets["street"] != "").all()
    assert (incidents["uncertainty_m"] > 0).all()
    areas = incidents[incidents["precision"] == "area"]
    assert (areas["uncertainty_m"] <= 1000).all() and "Kungsholmen" not in set(areas["place"])


@pytest.mark.parametrize("event_id", sorted(HAND_CHECKED))
def test_hand_checked_events(run, event_id: str) -> None:
    _, incidents = run
    row = incidents.set_index("incident_id").loc[event_id]
    kind = HAND_CHECKED[event_id]
    assert row["precision"] == ("station" if kind[0] == "station" else "intersection")
    located = Point(*TO_3011.transform(row.geometry.x, row.geometry.y))
    expected = _expected(kind)
    assert expected and min(located.distance(p) for p in expected) < 50


def test_shipped_layer_is_current(run) -> None:
    """data/incidents/polisen_kungsholmen.geojson is what the command gives today (regenerate it if not)."""
    _, incidents = run
    shipped = gpd.read_file(SHIPPED)
    cols = ["incident_id", "precision", "category", "place", "district", "indoor", "merged_ids"]
    pd.testing.assert_frame_equal(shipped[cols].reset_index(drop=True), incidents[cols].reset_index(drop=True))


def test_cli_error_on_malformed_event(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": 1, "name": "x", "datetime": "2025-01-01 00:00:00 +01:00"}]), encoding="utf-8")
    result = CliRunner().invoke(main, ["import-events", "polisen", str(bad), "--network", str(GRAPH),
                                       "--out", str(tmp_path / "o.geojson")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"error: {bad}: event 0: has no type"
    assert not (tmp_path / "o.geojson").exists()


def test_cli_error_on_missing_output_folder(tmp_path: Path) -> None:
    events = tmp_path / "e.json"
    events.write_text("[]", encoding="utf-8")
    out = tmp_path / "no" / "such" / "o.geojson"
    result = CliRunner().invoke(main, ["import-events", "polisen", str(events), "--network", str(GRAPH),
                                       "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {out.parent}: output folder does not exist"
