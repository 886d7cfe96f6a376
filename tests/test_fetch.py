"""camsite fetch-osm, offline: osmnx talks to a local server serving recorded Overpass/Nominatim responses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import osmnx as ox
import pyogrio
import pytest
from click.testing import CliRunner
from pyproj import Transformer
from shapely.geometry import Point

from camsite import config
from camsite.areas import read_polygons
from camsite.cli import main
from camsite.errors import InputError
from camsite.fetch import Query, Servers, fetch_osm, osmnx_settings, write_osm
from camsite.network import load_graph, load_network
from overpass_server import RecordedServer

BBOX = "59.3315,18.0280,59.3345,18.0340"
STAMP = "2024-03-01T00:00:00Z"


@pytest.fixture(autouse=True)
def _no_proxy_for_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests would send 127.0.0.1 through an HTTP(S)_PROXY from the environment (some CI sets one)."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, ",".join(filter(None, ["127.0.0.1", "localhost", os.environ.get(name)])))


@pytest.fixture
def server():
    """The recorded Overpass and Nominatim APIs on 127.0.0.1, for one test."""
    with RecordedServer(lifetime_s=120) as srv:
        yield srv


@pytest.fixture
def servers(server: RecordedServer) -> Servers:
    return Servers(overpass_url=server.overpass_url, nominatim_url=server.url, timeout_s=10)


@pytest.fixture
def closed_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _paths(server: RecordedServer) -> list[str]:
    return [r.path for r in server.data_requests()]


def _highways(graph) -> set[str]:
    out = set()
    for _, _, value in graph.edges(data="highway"):
        out.update(value if isinstance(value, list) else [value])
    return out


def test_bbox_fetches_network_buildings_cameras(tmp_path: Path, server: RecordedServer, servers: Servers) -> None:
    data = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    assert data.graph.number_of_nodes() > 10 and data.graph.number_of_edges() > 20
    assert {"footway", "pedestrian", "secondary"} <= _highways(data.graph)
    assert len(data.buildings) == 2 and set(data.buildings.geom_type) == {"Polygon"}
    assert len(data.cameras) == 2 and set(data.cameras["camera:type"]) == {"dome", "fixed"}
    assert data.osm_timestamp == STAMP
    assert data.from_cache == ()
    assert _paths(server) == ["/api/interpreter"] * 3
    queries = [r.query for r in server.data_requests()]
    assert 'way["highway"]' in queries[0] and "'building'" in queries[1] and "surveillance" in queries[2]


def test_repeated_query_makes_no_request(tmp_path: Path, server: RecordedServer, servers: Servers) -> None:
    first = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    n = len(server.requests)
    again = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    assert len(server.requests) == n
    assert again.from_cache == ("network", "buildings", "cameras")
    assert again.osm_timestamp == STAMP
    assert again.graph.number_of_edges() == first.graph.number_of_edges()
    assert len(again.buildings) == 2 and len(again.cameras) == 2


def test_cache_is_per_part_and_refresh_downloads_again(tmp_path: Path, server: RecordedServer,
                                                      servers: Servers) -> None:
    fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers, buildings=False, cameras=False)
    assert len(_paths(server)) == 1
    data = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    assert len(_paths(server)) == 3  # only buildings and cameras were missing
    assert data.from_cache == ("network",)
    fetch_osm(Query.from_bbox(BBOX, network_type="walk"), cache_dir=tmp_path, servers=servers)
    assert len(_paths(server)) == 4  # another street filter is another network query
    fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers, refresh=True)
    assert len(_paths(server)) == 7


def test_point_query(tmp_path: Path, server: RecordedServer, servers: Servers) -> None:
    data = fetch_osm(Query.from_point("59.3330,18.0308", 120), cache_dir=tmp_path, servers=servers)
    ys = [y for _, y in data.graph.nodes(data="y")]
    assert data.graph.number_of_nodes() > 3
    assert min(ys) > 59.3330 - 0.0012 and max(ys) < 59.3330 + 0.0012  # truncated to the 240 m square
    assert len(data.cameras) == 2


def test_place_query_geocodes_once(tmp_path: Path, server: RecordedServer, servers: Servers) -> None:
    data = fetch_osm(Query(place="Fridhemsplan, Stockholm"), cache_dir=tmp_path, servers=servers)
    assert data.place_name.startswith("Fridhemsplan, Kungsholmen")
    assert _paths(server) == ["/search"] + ["/api/interpreter"] * 3
    assert data.graph.number_of_nodes() > 3 and data.osm_timestamp == STAMP
    n = len(server.requests)
    again = fetch_osm(Query(place="  fridhemsplan,   Stockholm"), cache_dir=tmp_path, servers=servers)
    assert len(server.requests) == n and again.place_name == data.place_name


def test_unknown_place(tmp_path: Path, servers: Servers) -> None:
    with pytest.raises(InputError, match="Nominatim found no area called 'Atlantis'"):
        fetch_osm(Query(place="Atlantis"), cache_dir=tmp_path, servers=servers)


def test_osmnx_settings_are_restored(tmp_path: Path, servers: Servers) -> None:
    before = (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.cache_folder,
              ox.settings.requests_timeout, ox.settings.overpass_rate_limit)
    getaddrinfo = socket.getaddrinfo
    fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    assert (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.cache_folder,
            ox.settings.requests_timeout, ox.settings.overpass_rate_limit) == before
    assert socket.getaddrinfo is getaddrinfo
    with pytest.raises(AttributeError, match="no attribute 'overpas_url'"), osmnx_settings(overpas_url="x"):
        pass


def test_unreachable_server_is_an_input_error(tmp_path: Path, closed_url: str) -> None:
    servers = Servers(overpass_url=closed_url + "/api", nominatim_url=closed_url, timeout_s=5)
    with pytest.raises(InputError, match=r"could not reach the Overpass server .*camsite runs offline"):
        fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)
    with pytest.raises(InputError, match="could not reach the Nominatim geocoder"):
        fetch_osm(Query(place="Fridhemsplan"), cache_dir=tmp_path, servers=servers)


def test_server_error(tmp_path: Path) -> None:
    with RecordedServer(fail=500) as srv:
        servers = Servers(overpass_url=srv.overpass_url, nominatim_url=srv.url, timeout_s=5)
        with pytest.raises(InputError, match=r"the Overpass server at 127\.0\.0\.1:\d+ answered with an error"):
            fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers)


def test_empty_area(tmp_path: Path, servers: Servers) -> None:
    fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers, buildings=False, cameras=False)
    with RecordedServer(empty=True) as srv:
        empty = Servers(overpass_url=srv.overpass_url, nominatim_url=srv.url, timeout_s=5)
        with pytest.raises(InputError, match="no streets found for bbox"):
            fetch_osm(Query.from_bbox(BBOX, network_type="walk"), cache_dir=tmp_path, servers=empty)
        data = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=empty)  # network from the cache
    assert data.from_cache == ("network",)
    assert len(data.buildings) == 0 and len(data.cameras) == 0
    written = write_osm(data, tmp_path / "net.graphml")
    assert set(written) == {"network"} and not (tmp_path / "net_buildings.gpkg").exists()


def test_unusable_cache_dir(tmp_path: Path, servers: Servers) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot use the download cache"):
        fetch_osm(Query.from_bbox(BBOX), cache_dir=blocker / "cache", servers=servers)


def test_custom_filter_is_sent_and_cached_separately(tmp_path: Path, server: RecordedServer,
                                                     servers: Servers) -> None:
    flt = '["highway"~"footway|pedestrian"]'
    fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path, servers=servers, buildings=False, cameras=False)
    fetch_osm(Query.from_bbox(BBOX, custom_filter=flt), cache_dir=tmp_path, servers=servers, buildings=False,
              cameras=False)
    queries = [r.query for r in server.data_requests()]
    assert len(queries) == 2 and f"(way{flt}(poly:" in queries[1]


@pytest.mark.parametrize("name", ["net.gpkg", "net.graphml", "net.graphml.gz"])
def test_written_network_loads(tmp_path: Path, servers: Servers, name: str) -> None:
    data = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path / "cache", servers=servers)
    written = write_osm(data, tmp_path / "out" / name)
    graph = load_graph(written["network"])
    assert graph.number_of_edges() == data.graph.number_of_edges()
    assert graph.number_of_nodes() == data.graph.number_of_nodes()
    assert written["buildings"].name == "net_buildings.gpkg" and written["cameras"].name == "net_cameras.gpkg"
    assert [tuple(x) for x in pyogrio.list_layers(written["buildings"])] == [("buildings", "Polygon")]
    assert [tuple(x) for x in pyogrio.list_layers(written["cameras"])] == [("cameras", "Point")]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_written_gpkg_loads_as_scenario_network(tmp_path: Path, servers: Servers) -> None:
    data = fetch_osm(Query.from_bbox(BBOX), cache_dir=tmp_path / "cache", servers=servers)
    write_osm(data, tmp_path / "net.gpkg")
    scenario = config.loads(
        'name = "t"\n[study_area]\ncenter = [59.3330, 18.0308]\nradius_m = 100\n'
        '[network]\npath = "net.gpkg"\nbuildings = "net_buildings.gpkg"\n'
        '[[camera_types]]\nname = "ptz_dome"\nrange_m = 60\ncapex_sek = 1\n[optimization]\nbudget_sek = 10\n',
        file=str(tmp_path / "t.toml"))
    area = Point(*_projected(59.3330, 18.0308)).buffer(100)
    net = load_network(scenario, area)
    assert len(net.edges) > 5 and "footway" in set(net.edges["highway"])
    buildings = read_polygons(scenario.resolve(scenario.network.buildings), crs=scenario.crs)
    assert buildings.area > 1000  # two footprints, m² in EPSG:3011


def _projected(lat: float, lon: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True).transform(lon, lat)


# -- the command ---------------------------------------------------------------------------------------


def _cli(*args: str) -> object:
    return CliRunner().invoke(main, ["fetch-osm", *args], catch_exceptions=False)


def test_cli_prints_what_it_fetched(tmp_path: Path, server: RecordedServer) -> None:
    common = ["--bbox", BBOX, "--cache-dir", str(tmp_path / "cache"), "--overpass-url", server.overpass_url,
              "--nominatim-url", server.url]
    result = _cli(*common, "--out", str(tmp_path / "net.gpkg"), "--cameras-out", str(tmp_path / "cams.csv"))
    assert result.exit_code == 0, result.output
    assert "2 buildings, 2 cameras" in result.output
    assert f"OSM data date: {STAMP}" in result.output
    assert "nodes" in result.output and "edges" in result.output
    rows = (tmp_path / "cams.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("camera_id,lat,lon,camera_type,heading_deg")
    assert rows[1].startswith("osm:node/9203000001,59.33305,18.03075,ptz_dome,90.0")
    assert ",fixed_1080p,90.0," in rows[2]
    n = len(server.requests)
    again = _cli(*common, "--out", str(tmp_path / "net2.graphml"), "--no-buildings")
    assert again.exit_code == 0 and len(server.requests) == n
    assert "from the cache: network, cameras" in again.output and "buildings" not in again.output.split("\n")[0]
    assert (tmp_path / "net2.graphml").exists() and not (tmp_path / "net2_buildings.gpkg").exists()
    assert f"wrote {tmp_path / 'net2_cameras.gpkg'} (cameras)" in again.output


def test_cli_camera_type_mapping(tmp_path: Path, server: RecordedServer) -> None:
    result = _cli("--point", "59.3330,18.0308", "--dist", "150", "--cache-dir", str(tmp_path / "c"),
                  "--overpass-url", server.overpass_url, "--out", str(tmp_path / "n.gpkg"),
                  "--cameras-out", str(tmp_path / "cams.geojson"), "--camera-type", "dome=dome_4k")
    assert result.exit_code == 0, result.output
    cams = gpd.read_file(tmp_path / "cams.geojson")
    assert sorted(cams["camera_type"]) == ["dome_4k", "fixed_1080p"]
    assert cams.crs.to_epsg() == 4326


@pytest.mark.parametrize("args, fragment", [
    (["--bbox", "59.33,18.02,59.34"], "--bbox: expected 4 numbers"),
    (["--bbox", "59.34,18.02,59.33,18.03"], "--bbox: 59.34,18.02,59.33,18.03 is not south,west,north,east"),
    (["--bbox", BBOX, "--place", "Fridhemsplan"], "give exactly one of --place, --bbox or --point"),
    (["--point", "59.33,18.03"], "--dist: give --dist in metres"),
    ([], "give exactly one of --place, --bbox or --point"),
])
def test_cli_bad_area_options(tmp_path: Path, args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(main, ["fetch-osm", *args, "--out", str(tmp_path / "n.gpkg")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("error: ") and fragment in result.stderr, result.stderr


def test_cli_unreachable_server_one_error_line(tmp_path: Path, closed_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "camsite", "fetch-osm", "--bbox", BBOX, "--out", str(tmp_path / "n.gpkg"),
         "--cache-dir", str(tmp_path / "cache"), "--overpass-url", closed_url + "/api", "--timeout", "5"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: could not reach the Overpass server"), proc.stderr
    assert "camsite runs offline on local files" in lines[0]
    assert not (tmp_path / "n.gpkg").exists()
