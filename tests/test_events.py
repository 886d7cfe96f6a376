"""camsite.events: reading the police feed and locating events from their text.

Expected points are computed independently of the code under test: an
intersection is the graph node where edges of both named streets meet (read
with networkx from the GraphML), a station is its row in the stations CSV.
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
from pyproj import Transformer
from shapely.geometry import Point, box

from camsite.errors import InputError
from camsite.events import category_for, load_polisen, locate_events, read_stations, street_edges

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
          body: str = "") -> dict:
    return {"id": i, "datetime": "2025-05-01 12:00:00 +02:00", "name": f"1 maj 11.00, {kind}, {muni}",
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
