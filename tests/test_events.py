"""camsite.events: reading the police feed and locating events from their text.

Expected points are computed independently of the code under test: an
intersection is the graph node where edges of both named streets meet (read
with networkx from the GraphML), a station is its row in the stations CSV.
The rules (indoors, scene elsewhere, duplicates, districts, the places file)
are checked on hand-made events whose outcome was worked out by hand.
"""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from pyproj import Transformer
from shapely.geometry import Point, box

from camsite import events as events_pkg
from camsite.cli import main
from camsite.errors import ConfigError, InputError
from camsite.events import (
    DEFAULT_PLACES_FILE,
    category_for,
    load_places,
    load_polisen,
    locate_events,
    read_stations,
    street_edges,
)
from camsite.events._duplicates import merge_duplicates

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "data" / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz"
STATIONS = ROOT / "data" / "stations" / "metro_stations_kungsholmen.csv"
TO_3011 = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)


def lonlat_3011(lon: float, lat: float) -> Point:
    return Point(*TO_3011.transform(lon, lat))


@pytest.fixture(scope="module")
def edges() -> gpd.GeoDataFrame:
    return street_edges(GRAPH)


@pytest.fixture(scope="module")
def stations() -> gpd.GeoDataFrame:
    return read_stations(STATIONS)


@pytest.fixture(scope="module")
def raw_graph() -> nx.MultiDiGraph:
    with gzip.open(GRAPH, "rt", encoding="utf-8") as fh:
        return nx.read_graphml(fh)


def station_point(name: str) -> Point:
    row = pd.read_csv(STATIONS).set_index("stop_name").loc[name]
    return lonlat_3011(row["lon"], row["lat"])


def crossing(graph: nx.MultiDiGraph, a: str, b: str) -> list[Point]:
    """Graph nodes touched by an edge named ``a`` and an edge named ``b`` (names as GraphML strings)."""
    touched: dict[str, set[str]] = {a: set(), b: set()}
    for u, v, data in graph.edges(data=True):
        for name in (a, b):
            if name in str(data.get("name", "")):
                touched[name] |= {u, v}
    nodes = touched[a] & touched[b]
    return [lonlat_3011(float(graph.nodes[n]["x"]), float(graph.nodes[n]["y"])) for n in nodes]


def event(text: str, *, muni: str = "Stockholm", i: int = 1, kind: str = "Misshandel",
          body: str = "", when: str = "11.00") -> dict:
    return {"id": i, "datetime": "2025-05-01 23:00:00 +02:00", "name": f"1 maj {when}, {kind}, {muni}",
            "summary": text, "url": f"/aktuellt/handelser/{i}/", "type": kind,
            "location": {"name": muni, "gps": "59.3,18.0"}, "html_preamble": text, "html_body": body}


def locate_one(text: str, edges: gpd.GeoDataFrame, stations: gpd.GeoDataFrame, **kw: object) -> pd.Series:
    muni = kw.pop("muni", "Stockholm")
    return locate_events([event(text, muni=muni, **kw)], edges, stations=stations).iloc[0]


# --- reading ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,opener", [(".json", open), (".json.gz", gzip.open), (".json.xz", lzma.open)])
def test_load_polisen_plain_and_compressed(tmp_path: Path, suffix: str, opener) -> None:
    path = tmp_path / f"events{suffix}"
    with opener(path, "wt", encoding="utf-8") as fh:
        json.dump([event("Bråk på Fleminggatan.")], fh)
    assert load_polisen(path)[0]["html_preamble"] == "Bråk på Fleminggatan."


def test_load_polisen_names_file_and_event(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    bad = event("x")
    del bad["type"]
    path.write_text(json.dumps([event("ok"), bad]), encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: event 1: has no type"):
        load_polisen(path)
    path.write_text('[{"id": 1,', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: line 1, column \d+: not valid JSON"):
        load_polisen(path)
    path.write_text('{"id": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="list of events"):
        load_polisen(path)
    with pytest.raises(InputError, match="does not exist"):
        load_polisen(tmp_path / "missing.json")


@pytest.mark.parametrize("kind,category", [
    ("Misshandel, grov", "vald"), ("Rån väpnat", "vald"), ("Mord/dråp, försök", "vald"), ("Olaga hot", "vald"),
    ("Narkotikabrott", "narkotika"), ("Knivlagen", "knivlagen"), ("Skottlossning, misstänkt", "knivlagen"),
    ("Stöld/inbrott", "skadegorelse"), ("Skadegörelse", "skadegorelse"), ("Trafikolycka, singel", "trafik"),
    ("Rattfylleri", "trafik"), ("Brand", "ovrigt"), ("Sammanfattning natt", "ovrigt"), ("", "ovrigt"),
])
def test_category_table(kind: str, category: str) -> None:
    assert category_for(kind) == category


# --- patterns ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,a,b", [
    ("Bråk vid Fleminggatan och Sankt Eriksgatan.", "Fleminggatan", "Sankt Eriksgatan"),
    ("Olycka i korsningen Drottningholmsvägen/Fridhemsgatan.", "Drottningholmsvägen", "Fridhemsgatan"),
    ("Olycka i korsningen Drottningholmsvägen-Fridhemsgatan.", "Drottningholmsvägen", "Fridhemsgatan"),
    ("Rån på hörnet S:t Eriksgatan och Alströmergatan.", "Sankt Eriksgatan", "Alströmergatan"),
    ("Krock vid Rörstrandsgatan/ St. Eriksgatan.", "Rörstrandsgatan", "Sankt Eriksgatan"),
    ("Man påkörd i korsningen Bergsgatan och Scheelagatan.", "Bergsgatan", "Scheelegatan"),  # misspelt
    ("Stöld på Scheffersgatan vid korsningen med Stagneliusvägen.", "Scheffersgatan", "Stagneliusvägen"),
    ("Krock i korsningen Fleming- och Scheelegatan.", "Fleminggatan", "Scheelegatan"),  # shared ending
    ("Bråk i hörnet av Fleminggatan & Fridhemsgatan.", "Fleminggatan", "Fridhemsgatan"),
])
def test_intersections(edges, stations, raw_graph, text: str, a: str, b: str) -> None:
    row = locate_one(text, edges, stations)
    assert row["precision"] == "intersection"
    nodes = crossing(raw_graph, a, b)
    assert nodes, f"{a} and {b} share no node in the test graph"
    assert min(row.geometry.distance(n) for n in nodes) < 50
    assert row["uncertainty_m"] >= 25


@pytest.mark.parametrize("text,street,matched", [
    ("En man misshandlades på Fleminggatan 12 under natten.", "Fleminggatan", "Fleminggatan"),
    ("Inbrott i en lägenhet på S:t Eriksgatan.", "Sankt Eriksgatan", "S:t Eriksgatan"),
    ("Bråk utanför en krog på St Eriksgatan.", "Sankt Eriksgatan", "St Eriksgatan"),
    ("Sankt Eriksgatans trottoar blockerades.", "Sankt Eriksgatan", "Sankt Eriksgatans"),
    ("Misshandel på Sankt-Göransgatan.", "Sankt Göransgatan", "Sankt-Göransgatan"),
    ("Stöld vid KUNGSHOLMSTORGET.", "Kungsholmstorg", "KUNGSHOLMSTORGET"),
    ("Rattfylleri på Hantverkarg. vid lunch.", "Hantverkargatan", "Hantverkarg."),
    ("Bråk vid Sankt Eriksplan i Vasastan.", "Sankt Eriksplan", "Sankt Eriksplan"),
    ("Bilbrand på Norr Mälarstrand.", "Norr Mälarstrand", "Norr Mälarstrand"),
])
def test_streets(edges, stations, text: str, street: str, matched: str) -> None:
    row = locate_one(text, edges, stations)
    assert (row["precision"], row["street"], row["matched_text"]) == ("street", street, matched)
    lines = edges[edges["name"].map(lambda n: street in (n if isinstance(n, list) else [n]))]
    assert lines.distance(row.geometry).min() < 1.0  # the point lies on the named street
    assert row["uncertainty_m"] == pytest.approx(max(25.0, lines.drop_duplicates("geometry").length.sum() / 2),
                                                 rel=0.05)


@pytest.mark.parametrize("text,station", [
    ("Misshandel vid tunnelbanestationen Fridhemsplan.", "Fridhemsplan"),
    ("Rån vid Stadshagens tunnelbana under kvällen.", "Stadshagen"),
    ("Bråk på Stadshagens T-station.", "Stadshagen"),
    ("Ordningsvakter vid Fridhemsplans tunnelbanestation grep en man.", "Fridhemsplan"),
    ("Överfallslarm från kiosk vid Fridhemsplan.", "Fridhemsplan"),  # the square: station point
    ("Stöld på S:t Eriksplans tunnelbanestation.", "S:t Eriksplan"),
    ("En man greps i spärren vid Thorildsplan.", "Thorildsplan"),
])
def test_stations(edges, stations, text: str, station: str) -> None:
    row = locate_one(text, edges, stations)
    assert (row["precision"], row["place"]) == ("station", station)
    assert row.geometry.distance(station_point(station)) < 1.0
    assert row["uncertainty_m"] == 75


def test_districts_are_areas(edges, stations) -> None:
    row = locate_one("En bilförare kontrollerades i Stadshagen.", edges, stations)
    assert (row["precision"], row["place"]) == ("area", "Stadshagen")
    row = locate_one("Smällar hördes på Kungsholm.", edges, stations)
    assert (row["precision"], row["place"], row["uncertainty_m"]) == ("area", "Kungsholmen", 2000)


def test_most_precise_place_wins(edges, stations) -> None:
    row = locate_one("Bråk på Kungsholmen. Det skedde vid tunnelbanestationen Fridhemsplan.", edges, stations)
    assert row["precision"] == "station"


@pytest.mark.parametrize("text,muni", [
    ("En man rånades på Bergsgatan i centrum.", "Solna"),  # filed under another municipality
    ("En man rånades på Torsgatan i Solna.", "Stockholms län"),  # county event naming another town
    ("Krock på Drottningholmsvägen i Bromma.", "Stockholm"),
    ("Cyklist påkörd i Ulvsunda. På Drottningholmsvägen/Hemslöjdsvägen skadades en cyklist.", "Stockholm"),
    ("Krock i korsningen Odengatan och Birger Jarlsgatan.", "Stockholm"),  # crossing outside the network
    ("I nuläget är Hagagatan avspärrad mellan Vanadisvägen och Frejgatan.", "Stockholm"),
    ("Bråk på torget efter en fotbollsmatch.", "Stockholm"),  # common word
    ("En person omhändertogs för berusning.", "Stockholm"),  # no place
    ("Tre män greps i Rinkeby. De fördes till polishuset på Kungsholmsgatan.", "Stockholm"),
])
def test_negative_cases(edges, stations, text: str, muni: str) -> None:
    assert locate_one(text, edges, stations, muni=muni)["precision"] == "unlocated"


def test_area_filter_and_columns(edges, stations) -> None:
    events = [event("Rån vid Odenplan.", i=1), event("Rån på Fleminggatan.", i=2),
              event("Inget ställe.", i=3, kind="Trafikolycka")]
    area = gpd.GeoSeries([box(18.005, 59.325, 18.045, 59.345)], crs="EPSG:4326").to_crs("EPSG:3011").iloc[0]
    every = locate_events(events, edges, stations=stations)
    assert list(every["precision"]) == ["station", "street", "unlocated"]
    assert list(every["category"]) == ["vald", "vald", "trafik"]
    assert every.crs == "EPSG:3011" and every.geometry.iloc[2] is None
    kept = locate_events(events, edges, stations=stations, area=area)
    assert list(kept["incident_id"]) == ["2"]
    assert kept.attrs["counts"] == {"intersection": 0, "station": 1, "street": 1, "area": 0, "unlocated": 1}
    assert kept.attrs["n_in_area"] == 1
    row = kept.iloc[0]
    assert (row["weight"], row["source"]) == (1.0, "polisen.se händelser")
    assert row["url"] == "https://polisen.se/aktuellt/handelser/2/"
    assert row["date"] == pd.Timestamp("2025-05-01 11:00:00")  # from the name, not the publication time


def test_max_area_radius_drops_coarse_districts(edges, stations) -> None:
    events = [event("Rån på Kungsholmen.", i=1), event("Rån i Stadshagen.", i=2)]
    kept = locate_events(events, edges, stations=stations, max_area_radius_m=1000)
    assert list(kept["place"]) == ["Stadshagen"]
    assert kept.attrs["n_too_coarse"] == 1 and kept.attrs["counts"]["area"] == 2


def test_municipality_check_can_be_turned_off(edges, stations) -> None:
    row = locate_events([event("Rån på Fleminggatan.", muni="Solna")], edges, stations=stations,
                        municipality_name=None).iloc[0]
    assert row["precision"] == "street"


def test_edges_in_wgs84_are_projected(edges, stations) -> None:
    row = locate_events([event("Rån vid tunnelbanestationen Fridhemsplan.")], edges.to_crs("EPSG:4326"),
                        stations=stations).iloc[0]
    assert row.geometry.distance(station_point("Fridhemsplan")) < 1.0
    assert np.isfinite(row["uncertainty_m"])


def test_read_stations_errors(tmp_path: Path) -> None:
    path = tmp_path / "st.csv"
    path.write_text("stop_name,lat\nFridhemsplan,59.33\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"st\.csv: has no lon column"):
        read_stations(path)
    path.write_text("stop_name,lat,lon\nFridhemsplan,59.33,18.03\nX,nord,18.0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"st\.csv: row 3: lat/lon is not a WGS84 coordinate"):
        read_stations(path)


def test_street_edges_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        street_edges(tmp_path / "none.graphml")


def test_street_edges_keep_every_name(edges) -> None:
    listed = edges[edges["name"].map(lambda n: isinstance(n, list))]
    assert len(listed) > 0 and edges.crs == "EPSG:3011"
    assert (edges["name"].map(lambda n: isinstance(n, (str, list)))).all()


def test_no_events(edges, stations) -> None:
    empty = locate_events([], edges, stations=stations)
    assert len(empty) == 0 and "precision" in empty.columns and empty.crs == "EPSG:3011"


# --- rule: indoors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,indoor", [
    ("Inbrott i en lägenhet på Fleminggatan.", True),
    ("Snatteri i butiken på Fleminggatan.", True),
    ("En kvinna kastade glas på en restaurang på Sankt Eriksgatan.", True),
    ("Stol kastad mot personalen i en hotellreception på Torsgatan.", True),
    ("Två män slogs ombord på en båt vid Norr Mälarstrand.", True),
    ("Brand i trapphuset på Fleminggatan.", True),
    ("Rån i en matbutik vid Fridhemsplan.", True),  # a compound of "butik"
    ("Bråk utanför en restaurang på Sankt Eriksgatan.", False),
    ("Bråk utanför butiken på Fleminggatan.", False),
    ("Rån vid butiken på Fleminggatan.", False),
    ("En tjuv greps på bar gärning på Fleminggatan.", False),
    ("Klotter på huset på Fleminggatan.", False),  # on the front of the house
    ("En man med kniv sprang in i ett trapphus på Fleminggatan.", False),  # fled indoors after the event
    ("Misshandel på Fleminggatan.", False),
])
def test_indoor_flag(edges, stations, text: str, indoor: bool) -> None:
    row = locate_one(text, edges, stations)
    assert row["precision"] in {"street", "station"}  # indoor events are located like the others
    assert bool(row["indoor"]) is indoor


def test_indoor_flag_without_a_place(edges, stations) -> None:
    assert bool(locate_one("Bråk i en lägenhet.", edges, stations)["indoor"]) is True


# --- rule: scene elsewhere --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,precision,place,scene", [
    # a case from the feed: the scene is outside the area, police only stopped the train at Fridhemsplan
    ("En man misshandlades i Blackeberg. Polisen stoppade tåget vid Fridhemsplan.", "unlocated", "", "unlocated"),
    ("En man misshandlade en kvinna i Blackeberg. Vid Fridhemsplans tunnelbanestation beordrade polisen "
     "tågstopp.", "unlocated", "", "unlocated"),
    # the scene is a district of the area: located there, not at the station (450 m radius, 950 m away)
    ("En man misshandlades i Stadshagen. Polisen stoppade tåget vid Fridhemsplan.", "area", "Stadshagen", "moved"),
    # arrested elsewhere on the home ground: the street of the scene, not the station of the arrest
    ("Rån på Fleminggatan. Mannen greps senare vid tunnelbanestationen Stadshagen.", "street", "Fleminggatan",
     "moved"),
    ("Rån på Fleminggatan. Mannen kunde gripas vid Fridhemsplan.", "street", "Fleminggatan", "moved"),
])
def test_scene_elsewhere(edges, stations, text: str, precision: str, place: str, scene: str) -> None:
    located = locate_events([event(text)], edges, stations=stations)
    assert (located["precision"].iloc[0], located["place"].iloc[0]) == (precision, place)
    assert located.attrs["scene"] == {"moved": int(scene == "moved"), "unlocated": int(scene == "unlocated")}


@pytest.mark.parametrize("text,precision,place", [
    ("Polisen stoppade tåget vid Fridhemsplan efter ett bråk.", "station", "Fridhemsplan"),  # no scene before
    ("Bråk på Kungsholmen. En man greps vid Fridhemsplan.", "station", "Fridhemsplan"),  # the district covers it
    ("En man misshandlades på Fleminggatan och greps på Fleminggatan.", "street", "Fleminggatan"),  # same place
    ("En man som misshandlats i Stadshagen vårdas. Bråk vid Fridhemsplan.", "station", "Fridhemsplan"),  # no cue
])
def test_scene_elsewhere_negative(edges, stations, text: str, precision: str, place: str) -> None:
    located = locate_events([event(text)], edges, stations=stations)
    assert (located["precision"].iloc[0], located["place"].iloc[0]) == (precision, place)
    assert located.attrs["scene"] == {"moved": 0, "unlocated": 0}


# --- rule: duplicates -------------------------------------------------------------------------------------

def test_duplicates_by_text_and_by_place_within_an_hour(edges, stations) -> None:
    events = [
        event("Bråk i en lägenhet på Fleminggatan.", i=5, when="11.00"),
        event("Bråk i en lägenhet på Fleminggatan.", i=3, when="11.30"),  # same text: 5 merges into 3
        event("Rån på Fleminggatan.", i=10, kind="Rån", when="11.00"),
        event("Rån på Fleminggatan 12, en man skadad.", i=11, kind="Rån", when="11.40"),  # same street point
        event("Rån på Fleminggatan.", i=12, kind="Rån", when="13.30"),  # 2 h 30 min after 10, 1 h 50 min after 11
        event("Rån på Fleminggatan.", i=13, kind="Stöld", when="11.10"),  # same place, not the same type as 10
        event("Rån på Sankt Eriksgatan.", i=14, kind="Rån", when="11.05"),  # another street
    ]
    area = gpd.GeoSeries([box(18.005, 59.325, 18.045, 59.345)], crs="EPSG:4326").to_crs("EPSG:3011").iloc[0]
    located = locate_events(events, edges, stations=stations, area=area)
    assert dict(zip(located["incident_id"], located["merged_ids"])) == {
        "3": "5", "10": "11", "12": "", "13": "", "14": ""}
    assert located.attrs["n_merged"] == 2 and located.attrs["n_in_area"] == 7
    assert located.attrs["in_area"]["street"] == 7


def test_duplicates_chain_and_unlocated_are_not_merged(edges, stations) -> None:
    events = [event("Rån på Fleminggatan.", i=1, when="10.00"), event("Rån på Fleminggatan nu.", i=2, when="10.50"),
              event("Rån på Fleminggatan igen.", i=3, when="11.40"),  # 1 h 40 min after 1, chained through 2
              event("Inget ställe.", i=4, when="10.00"), event("Inget ställe.", i=5, when="10.00")]
    located = locate_events(events, edges, stations=stations)
    assert list(located["incident_id"]) == ["1", "4", "5"]
    assert list(located["merged_ids"]) == ["2,3", "", ""]


def test_duplicates_by_text_alone() -> None:
    """Same type and text within an hour merge even when located 300 m apart; same place needs the same class."""
    frame = gpd.GeoDataFrame({
        "incident_id": ["20", "8", "30", "31"], "type": ["Brand"] * 4,
        "date": pd.to_datetime(["2025-05-01 10:00", "2025-05-01 10:59", "2025-05-01 10:00", "2025-05-01 10:10"]),
        "precision": ["street", "area", "street", "station"]},
        geometry=[Point(0, 0), Point(300, 0), Point(1000, 0), Point(1000, 10)], crs="EPSG:3011")
    merged = merge_duplicates(frame, ["Brand i ett hus.", "Brand i ett hus.", "Brand här.", "Brand där."])
    assert list(merged["incident_id"]) == ["8", "30", "31"]  # 30 and 31: 10 m apart but street vs station
    assert list(merged["merged_ids"]) == ["20", "", ""]
    assert merged.attrs["n_merged"] == 1


# --- districts and places ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,precision,place,district", [
    ("Rån i Stadshagen.", "area", "Stadshagen", "STADSHAGEN"),
    ("Rån i Fredhäll.", "area", "Fredhäll", "FREDHÄLL"),
    ("Bråk i Marieberg.", "area", "Marieberg", "MARIEBERG"),
    ("Smällar hördes på Kungsholm.", "area", "Kungsholmen", "KUNGSHOLMEN"),
    ("Bråk i Kronobergsparken.", "area", "Kronobergsparken", ""),  # a park: no stadsdel
    ("Bråk på Rålis.", "area", "Rålambshovsparken", ""),
    ("Misshandel på Fleminggatan.", "street", "Fleminggatan", ""),
    ("Misshandel vid tunnelbanestationen Fridhemsplan.", "station", "Fridhemsplan", ""),
])
def test_district_and_place(edges, stations, text: str, precision: str, place: str, district: str) -> None:
    row = locate_one(text, edges, stations)
    assert (row["precision"], row["place"], row["district"]) == (precision, place, district)


def test_shipped_districts_are_stadsdelar() -> None:
    """Every district of the shipped places file is spelled as a stadsdel of Stockholm's map."""
    stadsdelar = ROOT / "data" / "stockholm" / "stadsdelar_land_2021.geojson"
    names = set(gpd.read_file(stadsdelar)["name"])
    assert len(names) > 100  # every stadsdel of the city, not a cut-out
    districts = {a.district for a in load_places().areas.values()} - {""}
    assert districts == {"KUNGSHOLMEN", "STADSHAGEN", "MARIEBERG", "FREDHÄLL", "KRISTINEBERG", "LILLA ESSINGEN"}
    assert districts <= names


def test_shipped_places_file_is_package_data() -> None:
    """The default places file sits in the package (pyproject's package-data must list events/*.toml)."""
    assert DEFAULT_PLACES_FILE.parent == Path(events_pkg.__file__).parent
    assert DEFAULT_PLACES_FILE.is_file() and load_places(DEFAULT_PLACES_FILE).source == str(DEFAULT_PLACES_FILE)


MINIMAL_PLACES = """\
other_places = ["Blackeberg"]
local_places = ["Stockholm"]
[areas.Stadshagen]
lat = 59.3385
lon = 18.0170
radius_m = 450.0
district = "STADSHAGEN"
"""


def test_another_places_file_needs_no_code(tmp_path: Path, edges, stations) -> None:
    path = tmp_path / "places.toml"
    path.write_text(MINIMAL_PLACES, encoding="utf-8")
    places = load_places(path)
    events = [event("Rån i Stadshagen.", i=1, kind="Rån"), event("Rån i Marieberg.", i=2),
              event("Bråk i en lägenhet i Stadshagen.", i=3)]
    located = locate_events(events, edges, stations=stations, places=places)
    assert list(located["place"]) == ["Stadshagen", "", "Stadshagen"]  # Marieberg is not in this file
    assert not located["indoor"].any()  # no [indoor] table: the rule is off


@pytest.mark.parametrize("text,message", [
    ("other_places = [\n", r"p\.toml: not valid TOML"),
    (MINIMAL_PLACES + "[indor]\nwords = []\n", r"p\.toml: indor: unknown key \(allowed: areas, "),
    (MINIMAL_PLACES.replace("radius_m = 450.0", "radius_m = -1"), r"p\.toml: areas\.Stadshagen\.radius_m: must be > 0"),
    (MINIMAL_PLACES.replace("lat = 59.3385", 'lat = "x"'),
     r"p\.toml: areas\.Stadshagen\.lat: expected a number, got 'x'"),
    (MINIMAL_PLACES.replace("local_places", "locals"), r"p\.toml: locals: unknown key"),
    (MINIMAL_PLACES.replace('"Blackeberg"', '"Stadshagen"'), r"p\.toml: areas\.Stadshagen: 'Stadshagen' is also in "
                                                             r"other_places"),
    (MINIMAL_PLACES + "[indoor]\nbefore = ['i']\nwords = ['(lägenhet']\n",
     r"p\.toml: indoor\.words\[0\]: '\(lägenhet' is not a word or phrase"),
])
def test_bad_places_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_places(path)


def test_missing_places_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: places file does not exist"):
        load_places(tmp_path / "nope.toml")


def test_cli_bad_places_file_is_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text(MINIMAL_PLACES.replace("radius_m = 450.0", "radius_m = 0"), encoding="utf-8")
    feed = tmp_path / "e.json"
    feed.write_text("[]", encoding="utf-8")
    out = tmp_path / "o.geojson"
    result = CliRunner().invoke(main, ["import-events", "polisen", str(feed), "--network", str(GRAPH),
                                       "--places", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: areas.Stadshagen.radius_m: must be > 0"
    assert not out.exists()
