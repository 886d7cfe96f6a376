"""Build the recorded Overpass and Nominatim responses used by tests/test_fetch.py.

The real Overpass API is not reachable where camsite's tests run, so these
"recordings" are constructed in Overpass API's JSON output format from the
shipped extract ``data/osm/fridhemsplan_drive_osmnx2020.graphml.gz`` (©
OpenStreetMap contributors, ODbL 1.0): every street segment touching a small
box around Fridhemsplan becomes a way (its first OSM way id, its highway, name,
oneway, maxspeed and lanes tags; the bends of its geometry become nodes with
ids from 9 100 000 000 up). Added by hand: three footways (two of them ending at street nodes), one pedestrian
street, two building outlines and two ``man_made=surveillance`` nodes. The
ids of the hand-made elements are made up (9 2xx xxx xxx).

Run from the repository root to rebuild the files::

    /work/venv/bin/python tests/data/overpass/make_recordings.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
#: South, west, north, east of the recorded area.
BOX = (59.3315, 18.0280, 59.3345, 18.0340)
TIMESTAMP = "2024-03-01T00:00:00Z"


def _envelope(elements: list[dict]) -> dict:
    return {
        "version": 0.6,
        "generator": "Overpass API 0.7.62.1 084b4234",
        "osm3s": {
            "timestamp_osm_base": TIMESTAMP,
            "copyright": "The data included in this document is from www.openstreetmap.org. "
                         "The data is made available under ODbL.",
        },
        "elements": elements,
    }


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) else value


def _street_elements() -> list[dict]:
    import osmnx as ox

    from camsite.network import load_graph

    graph = load_graph(ROOT / "data" / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz")
    nodes, edges = ox.graph_to_gdfs(graph)
    s, w, n, e = BOX
    edges = edges.cx[w:e, s:n].reset_index()
    node_els: dict[int, dict] = {}
    ways: list[dict] = []
    used: set[int] = set()
    seen_pairs: set[frozenset] = set()
    synthetic = iter(range(9_100_000_000, 9_200_000_000))
    for row in edges.itertuples():
        pair = frozenset((row.u, row.v))
        if pair in seen_pairs:
            continue
        seen_pairs.add(pair)
        ids = [int(row.u)]
        for x, y in list(row.geometry.coords)[1:-1]:
            nid = next(synthetic)
            node_els[nid] = {"type": "node", "id": nid, "lat": round(y, 7), "lon": round(x, 7)}
            ids.append(nid)
        ids.append(int(row.v))
        for nid in (int(row.u), int(row.v)):
            node_els.setdefault(nid, {"type": "node", "id": nid, "lat": round(float(nodes.at[nid, "y"]), 7),
                                      "lon": round(float(nodes.at[nid, "x"]), 7)})
        way_id = int(_first(row.osmid))
        if way_id in used:
            way_id = next(synthetic)
        used.add(way_id)
        tags = {"highway": str(_first(row.highway))}
        if isinstance(row.name, (str, list)):
            tags["name"] = str(_first(row.name))
        if bool(row.oneway):
            tags["oneway"] = "yes"
        for key in ("maxspeed", "lanes"):
            value = getattr(row, key)
            if isinstance(value, (str, list)):
                tags[key] = str(_first(value))
        ways.append({"type": "way", "id": way_id, "nodes": ids, "tags": tags})
    return list(node_els.values()), ways


def _hand_ways(specs: list[tuple[int, dict, list]], first_node: int) -> tuple[list, list]:
    """Ways from (id, tags, [(lat, lon) or an existing node id, ...]); equal points share a node."""
    nodes, ways, known = [], [], {}
    for way_id, tags, coords in specs:
        ids = []
        for point in coords:
            if isinstance(point, int):
                ids.append(point)
                continue
            if point not in known:
                known[point] = first_node + len(known)
                nodes.append({"type": "node", "id": known[point], "lat": point[0], "lon": point[1]})
            ids.append(known[point])
        ways.append({"type": "way", "id": way_id, "nodes": ids, "tags": tags})
    return nodes, ways


FOOTWAYS = [
    (9_201_000_001, {"highway": "footway", "footway": "sidewalk", "surface": "paving_stones"},
     [(59.33285, 18.02905), (59.33300, 18.03000), (59.33312, 18.03085)]),
    # ends at the street node at Sankt Eriksgatan/Sankt Göransgatan (4827108)
    (9_201_000_002, {"highway": "footway", "name": "Fridhemsplan"},
     [(59.33312, 18.03085), (59.33325, 18.03130), 4827108]),
    (9_201_000_003, {"highway": "footway", "surface": "asphalt"},
     [1673767251, (59.33240, 18.03150), (59.33270, 18.03200), (59.33300, 18.03240)]),
    (9_201_000_004, {"highway": "pedestrian", "name": "Fridhemsplan", "surface": "paving_stones"},
     [(59.33312, 18.03085), (59.33318, 18.03160), (59.33322, 18.03230)]),
]

BUILDINGS = [
    (9_202_000_001, {"building": "apartments", "building:levels": "6", "addr:street": "Fridhemsgatan",
                     "addr:housenumber": "45", "addr:city": "Stockholm"},
     [(59.33345, 18.02960), (59.33345, 18.03010), (59.33370, 18.03010), (59.33370, 18.02960), (59.33345, 18.02960)]),
    (9_202_000_002, {"building": "commercial", "building:levels": "5", "name": "Fridhemsplan galleria",
                     "addr:street": "Sankt Eriksgatan", "addr:housenumber": "38"},
     [(59.33230, 18.03200), (59.33230, 18.03260), (59.33255, 18.03260), (59.33255, 18.03200), (59.33230, 18.03200)]),
]

CAMERAS = [
    {"type": "node", "id": 9_203_000_001, "lat": 59.33305, "lon": 18.03075,
     "tags": {"man_made": "surveillance", "surveillance": "public", "surveillance:type": "camera",
              "surveillance:zone": "street", "camera:type": "dome", "camera:mount": "pole",
              "camera:direction": "90", "operator": "Polisen"}},
    {"type": "node", "id": 9_203_000_002, "lat": 59.33335, "lon": 18.03125,
     "tags": {"man_made": "surveillance", "surveillance": "public", "surveillance:type": "camera",
              "surveillance:zone": "street", "camera:type": "fixed", "camera:mount": "wall",
              "camera:direction": "90", "operator": "Polisen"}},
]

NOMINATIM = [{
    "place_id": 130213345, "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
    "osm_type": "way", "osm_id": 9_204_000_001,
    "lat": "59.3330000", "lon": "18.0308000", "class": "place", "type": "square", "place_rank": 25,
    "importance": 0.2, "addresstype": "square", "name": "Fridhemsplan",
    "display_name": "Fridhemsplan, Kungsholmen, Kungsholmens stadsdelsområde, Stockholm, Stockholms kommun, "
                    "Stockholms län, Sverige",
    "boundingbox": ["59.3320000", "59.3340000", "18.0290000", "18.0330000"],
    "geojson": {"type": "Polygon", "coordinates": [[
        [18.0290, 59.3320], [18.0330, 59.3320], [18.0330, 59.3340], [18.0290, 59.3340], [18.0290, 59.3320]]]},
}]


def main() -> None:
    """Write network.json, buildings.json, cameras.json and nominatim_search.json."""
    street_nodes, street_ways = _street_elements()
    foot_nodes, foot_ways = _hand_ways(FOOTWAYS, 9_201_100_000)
    building_nodes, building_ways = _hand_ways(BUILDINGS, 9_202_100_000)
    files = {
        "network.json": _envelope(street_nodes + foot_nodes + street_ways + foot_ways),
        "buildings.json": _envelope(building_nodes + building_ways),
        "cameras.json": _envelope(CAMERAS),
        "nominatim_search.json": NOMINATIM,
    }
    for name, data in files.items():
        (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
