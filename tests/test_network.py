"""Street networks: every supported format reads, projects to EPSG:3011 and clips."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import numpy as np
import osmnx as ox
import pytest

from camsite import areas, config, network
from camsite.errors import InputError
from factory import DROP, INNER_CITY, OSM_XML, scenario
from factory import GRAPHML as GRAPHML_GZ

FRIDHEMSPLAN = [[18.025, 59.330], [18.036, 59.330], [18.036, 59.336], [18.025, 59.336]]


def _scenario(path: Path, *, polygon: list[list[float]] = FRIDHEMSPLAN) -> config.Scenario:
    return scenario(study_area={"polygon": polygon, "center": DROP, "radius_m": DROP}, network={"path": str(path)},
                    file="t.toml")


def test_graphml_gz_projects_and_clips() -> None:
    s = _scenario(GRAPHML_GZ)
    net = network.load_network(s, areas.study_area_polygon(s))
    assert net.crs == "EPSG:3011" and net.edges.crs.to_epsg() == 3011
    # SWEREF 99 18 00 coordinates around Fridhemsplan: E ~151 km, N ~6,579 km
    minx, miny, maxx, maxy = net.edges.total_bounds
    assert 149_000 < minx < maxx < 154_000 and 6_578_000 < miny < maxy < 6_582_000
    assert list(net.edges["edge_id"]) == list(range(len(net.edges)))
    assert {"u", "v", "name", "highway", "tunnel", "bridge", "excluded", "length_m", "half_width_m"} <= set(net.edges)
    # the length column is the projected geometry's length in metres
    np.testing.assert_allclose(net.edges["length_m"], net.edges.length, rtol=1e-9)
    # reciprocal two-way edges became one segment: no (u, v) pair appears twice in both directions with equal geometry
    pairs = set(zip(net.edges.u, net.edges.v))
    dup = [(u, v) for (u, v) in pairs if (v, u) in pairs and u < v]
    for u, v in dup:
        a = net.edges[(net.edges.u == u) & (net.edges.v == v)].geometry.iloc[0]
        b = net.edges[(net.edges.u == v) & (net.edges.v == u)].geometry.iloc[0]
        assert not a.equals(b.reverse())
    assert "Fridhemsgatan" in set(net.edges["name"])
    # motorways are flagged excluded, never dropped silently
    assert net.edges.loc[net.edges.highway.eq("motorway"), "excluded"].all()


def test_osm_xml_plain_bz2_xz(tmp_path: Path) -> None:
    plain = tmp_path / "tiny.osm"
    plain.write_text(OSM_XML, encoding="utf-8")
    (tmp_path / "tiny.osm.bz2").write_bytes(bz2.compress(OSM_XML.encode()))
    (tmp_path / "tiny.osm.xz").write_bytes(lzma.compress(OSM_XML.encode()))
    for name in ("tiny.osm", "tiny.osm.bz2", "tiny.osm.xz"):
        s = _scenario(tmp_path / name)
        net = network.load_network(s, areas.study_area_polygon(s))
        assert sorted(set(net.edges["name"])) == ["Fleminggatan", "Sankt Eriksgatan"]
        # 3 segments: Fleminggatan split at the crossing, plus Sankt Eriksgatan (~167 m north)
        assert len(net.edges) == 3
        sankt = net.edges[net.edges.name == "Sankt Eriksgatan"].length_m.iloc[0]
        assert sankt == pytest.approx(167, abs=2)


def test_gpkg_and_shapefile_pairs(tmp_path: Path) -> None:
    graph = network.load_graph(GRAPHML_GZ)
    for _, _, d in graph.edges(data=True):
        d.pop("fid", None)  # the 2020 export's shapefile feature id clashes with the GeoPackage fid column
    ox.save_graph_geopackage(graph, tmp_path / "net.gpkg", directed=True)
    g2 = network.load_graph(tmp_path / "net.gpkg")
    assert (g2.number_of_nodes(), g2.number_of_edges()) == (541, 1072)
    nodes, edges = ox.graph_to_gdfs(graph)
    folder = tmp_path / "shp"
    folder.mkdir()
    nodes.reset_index()[["osmid", "geometry"]].to_file(folder / "nodes.shp")
    edges.reset_index()[["u", "v", "key", "name", "highway", "geometry"]].astype({"name": str, "highway": str}) \
        .to_file(folder / "edges.shp")
    g3 = network.load_graph(folder)
    assert (g3.number_of_nodes(), g3.number_of_edges()) == (541, 1072)


def test_inner_city_tarball() -> None:
    graph = network.load_graph(INNER_CITY)
    assert graph.number_of_nodes() == 6974 and graph.number_of_edges() == 15021


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        (b"<graphml><graph", "broken.graphml", "cannot read street network"),
        (b"", "empty.osm", "cannot read street network"),
        (b"hello", "net.txt", "unknown street network format"),
    ],
)
def test_corrupt_files(tmp_path: Path, content: bytes, name: str, match: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError, match=match) as info:
        network.load_graph(p)
    assert str(info.value).startswith(str(p))


def test_truncated_graphml_gz(tmp_path: Path) -> None:
    p = tmp_path / "cut.graphml.gz"
    p.write_bytes(gzip.compress(gzip.decompress(GRAPHML_GZ.read_bytes())[:20000]))
    with pytest.raises(InputError, match="cannot read street network"):
        network.load_graph(p)


def test_missing_file_and_empty_area(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        network.load_graph(tmp_path / "nope.graphml")
    # a study area in Gothenburg has no edge of the Stockholm network
    s = _scenario(GRAPHML_GZ, polygon=[[11.96, 57.70], [11.98, 57.70], [11.98, 57.71], [11.96, 57.71]])
    with pytest.raises(InputError, match="no street edge lies inside the study area"):
        network.load_network(s, areas.study_area_polygon(s))


def test_clip_keeps_edges_whole() -> None:
    s = _scenario(GRAPHML_GZ)
    area = areas.study_area_polygon(s)
    net = network.load_network(s, area)
    assert net.edges.intersects(area.buffer(s.network.clip_buffer_m)).all()
    # some kept edges reach beyond the buffered area: they were kept whole, not cut
    assert not net.edges.within(area.buffer(s.network.clip_buffer_m)).all()
