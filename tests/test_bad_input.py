"""The bad-input catalogue, through the real ``camsite run`` command.

Every case runs the click command in-process (``CliRunner``, exceptions not
caught, so any traceback fails the test) on a small scenario: a 300 m circle
around Fridhemsplan, the shipped network and cameras, incident and camera
files written per test. Each case has a defined outcome:

* an error: exit code 2, exactly one ``error:`` line on stderr naming the
  file and the row, column or key, nothing written; or
* a tolerance: exit 0, a warning on stderr with the number of rows dropped
  (or not used), and the counts in summary.json.

The report deliverables (HTML, PNG, XLSX, GPKG) are switched off in the
tolerated runs, and the shipped street network is read once per study area
(``factory.network_cache``), to keep the tests fast; neither plays a part in
reading incident and camera files. Broken network files are read every time.
One case also runs as a real subprocess, as a user would start it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import Result
from pyproj import Transformer

from factory import CAMERAS_CSV as CAMERAS
from factory import (
    DROP,
    FIXED_1080P,
    GRAPHML,
    LAT,
    LON,
    OSM_XML,
    PTZ_DOME,
    fridhemsplan_data,
    invoke,
    merge,
    one_error_line,
    run_process,
    toml,
)

N = 30  # incidents in a good file


def points(n: int = N, seed: int = 7) -> list[tuple[int, float, float, str]]:
    """``n`` incidents (id, lat, lon, category) within about 200 m of Fridhemsplan."""
    rng = np.random.default_rng(seed)
    lat = LAT + rng.uniform(-0.0018, 0.0018, n)
    lon = LON + rng.uniform(-0.0035, 0.0035, n)
    cats = ["vald", "narkotika", "skadegorelse"]
    return [(i + 1, round(float(a), 6), round(float(b), 6), cats[i % 3]) for i, (a, b) in enumerate(zip(lat, lon))]


def csv_text(rows: list[tuple[object, ...]], header: str = "id,lat,lon,category", sep: str = ",") -> str:
    return "\n".join([header.replace(",", sep)] + [sep.join(str(v) for v in r) for r in rows]) + "\n"


def scenario(*, incidents: Path | str, cameras: Path | str | None = CAMERAS, network: Path | str = GRAPHML,
             budget: float = 500_000, center: tuple[float, float] = (LAT, LON), layer: dict | None = None,
             camera_layer: dict | None = None, **overrides: Any) -> dict[str, Any]:
    """A 300 m circle around Fridhemsplan with one incident layer (``layer``: its extra keys) and the cameras."""
    data = fridhemsplan_data(
        name="small", study_area={"center": list(center)}, network={"path": str(network)},
        incidents=[{"name": "inc", "path": str(incidents), **(layer or {})}], existing_cameras=DROP,
        optimization={"budget_sek": budget, "time_limit_s": 30})
    if cameras is not None:
        data["existing_cameras"] = {"path": str(cameras),
                                    **({"default_type": "ptz_dome"} if camera_layer is None else camera_layer)}
    return merge(data, overrides)


pytestmark = pytest.mark.usefixtures("shipped_network_once")



class Case:
    """A scenario folder: write files, then run ``camsite run`` on it."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.out = tmp_path / "out"

    def write(self, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        p = self.dir / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding=encoding, newline="")
        return p

    def run(self, *args: str, incidents: str | Path = "inc.csv", **kw: Any) -> Result:
        """Write s.toml from :func:`scenario` (``kw``) and run it."""
        return self.run_data(scenario(incidents=incidents, **kw), *args)

    def run_data(self, data: dict[str, Any], *args: str) -> Result:
        self.write("s.toml", toml(data))
        return invoke("run", self.dir / "s.toml", "--out", self.out, "--no-progress", *args)

    def summary(self) -> dict:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case(tmp_path)


def error_line(result: Result, code: int = 2, *fragments: str) -> str:
    """The one ``error:`` line; checks the exit code and the fragments."""
    return one_error_line(result.stderr, result.exit_code, code, *fragments)


def ok(result: Result, case: Case) -> dict:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "error:" not in result.stderr and "Traceback" not in result.stderr
    assert not list(case.dir.glob(".out.*"))
    return case.summary()


def warnings_of(result: Result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("WARNING:")]


# -- columns, delimiters, decimal separators, encodings -------------------------------------------------------------


def test_missing_coordinate_columns(case: Case) -> None:
    case.write("inc.csv", csv_text([(i, "Fridhemsplan", c) for i, _, _, c in points()], "id,place,category"))
    line = error_line(case.run(), 2, "inc.csv: columns:", "no coordinate columns found", "id, place, category")
    assert not case.out.exists()
    assert "x_column" in line  # says what to do


def test_missing_optional_named_column_is_a_warning(case: Case, no_deliverables: None) -> None:
    """A weight column the scenario names but the file lacks: every incident weighs 1, and the user is told."""
    case.write("inc.csv", csv_text(points()))
    res = case.run(layer={"weight_column": "vikt"})
    s = ok(res, case)
    assert s["incident_stats"]["read"] == N
    assert "WARNING: inc.csv has no column 'vikt' (named in the scenario): every incident weighs 1" in warnings_of(res)
    # with weight 1 each, the incidents' demand weight is the category weights' sum: 10 vald + 10 narkotika
    # (1.0 each) + 10 skadegorelse (0.3 each); read from the incidents row (a category whose seen count is
    # under 3 shows no weight in a shareable summary)
    incidents = next(r for r in s["coverage_by_kind"] if r["kind"] == "incident")
    assert incidents["weight_total"] == pytest.approx(10 * 1.0 + 10 * 1.0 + 10 * 0.3, abs=1e-3)


def test_camera_type_column_missing_without_default(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    cams = case.write("cams.csv", "camera_id,lat,lon\nK1,59.3332,18.0310\n")
    error_line(case.run(cameras=cams, camera_layer={}), 2, "cams.csv: column camera_type:", "not found")


def test_semicolon_delimiter_and_decimal_comma_tolerated(case: Case, no_deliverables: None) -> None:
    rows = [(i, str(a).replace(".", ","), str(b).replace(".", ","), c) for i, a, b, c in points()]
    case.write("inc.csv", csv_text(rows, sep=";"))
    s = ok(case.run(layer={"id_column": "id"}), case)
    assert s["incident_stats"]["read"] == N


def test_mixed_delimiters_drop_rows_with_a_count(case: Case, no_deliverables: None) -> None:
    """Rows whose last separator is ',' in a ';' file: their lon is not a number, dropped and counted."""
    rows = points()
    text = csv_text(rows[:10], sep=";") + "".join(f"{i};{a};{b},{c}\n" for i, a, b, c in rows[10:])
    case.write("inc.csv", text)
    res = case.run()
    assert ok(res, case)["incident_stats"] == {"read": 10, "outside_study_area": 0,
                                               "dropped": {"coordinates not a number": 20}}
    assert any("inc.csv: dropped 20 row(s) with coordinates not a number (rows 12, 13, 14, 15, 16, ...)" in w
               for w in warnings_of(res))


def test_comma_delimiter_with_decimal_commas_names_the_row(case: Case) -> None:
    rows = [(i, str(a).replace(".", ","), str(b).replace(".", ","), c) for i, a, b, c in points()]
    case.write("inc.csv", csv_text(rows))
    error_line(case.run(), 2, "inc.csv: row 2:", "decimal commas")


def test_pipe_delimiter_tolerated(case: Case, no_deliverables: None) -> None:
    case.write("inc.csv", csv_text(points(), sep="|"))
    assert ok(case.run(), case)["incident_stats"]["read"] == N


def test_utf8_bom(case: Case, no_deliverables: None) -> None:
    case.write("inc.csv", csv_text(points()), encoding="utf-8-sig")
    assert (case.dir / "inc.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    s = ok(case.run(layer={"id_column": "id"}), case)  # the BOM is not part of the first column's name
    assert s["incident_stats"]["read"] == N


def test_latin1_text(case: Case, no_deliverables: None) -> None:
    rows = [(i, a, b, "Skadegörelse", "Sankt Göransgatan") for i, a, b, _ in points()]
    case.write("inc.csv", csv_text(rows, "id;lat;lon;category;plats", sep=";"), encoding="latin-1")
    s = ok(case.run(), case)
    cats = {row["category"] for row in s["coverage_by_category"]}
    assert "skadegorelse" in cats  # 'ö' decoded, folded to the standard key


# -- coordinates ----------------------------------------------------------------------------------------------------


def test_swapped_lat_lon(case: Case) -> None:
    case.write("inc.csv", csv_text([(i, b, a, c) for i, a, b, c in points()]))
    error_line(case.run(), 2, "inc.csv: columns lon, lat:", "look swapped", "'lon' holds latitudes")


def _sweref(rows: list[tuple[int, float, float, str]]) -> list[tuple[object, ...]]:
    tr = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)
    out = []
    for i, lat, lon, c in rows:
        e, n = tr.transform(lon, lat)
        out.append((i, round(e, 1), round(n, 1), c))
    return out


def test_declared_wgs84_but_values_are_sweref(case: Case) -> None:
    case.write("inc.csv", csv_text(_sweref(points()), "id,x,y,category"))
    error_line(case.run(layer={"crs": "EPSG:4326"}), 2, "inc.csv: columns x, y:", "declared EPSG:4326",
               "EPSG:3011")


def test_declared_sweref99tm_but_values_are_sweref_18_00(case: Case) -> None:
    case.write("inc.csv", csv_text(_sweref(points()), "id,easting,northing,category"))
    error_line(case.run(layer={"crs": "EPSG:3006"}), 2, "inc.csv: columns easting, northing:", "declared EPSG:3006")


def test_nan_empty_inf_coordinates_dropped_with_counts(case: Case, no_deliverables: None) -> None:
    rows: list[tuple[object, ...]] = list(points())
    rows[2] = (3, "", LON, "vald")
    rows[4] = (5, LAT, "nan", "vald")
    rows[6] = (7, "inf", LON, "vald")
    rows[8] = (9, "-inf", "-inf", "vald")
    rows[10] = (11, "okänd", LON, "vald")
    case.write("inc.csv", csv_text(rows))
    res = case.run()
    s = ok(res, case)
    assert s["incident_stats"]["read"] == N - 5
    assert s["incident_stats"]["dropped"] == {"empty coordinates": 2, "coordinates not a number": 1,
                                              "infinite coordinates": 2}
    text = "\n".join(warnings_of(res))
    assert "inc.csv: dropped 2 row(s) with empty coordinates (rows 4, 6)" in text  # 'nan' reads as empty
    assert "dropped 1 row(s) with coordinates not a number (rows 12)" in text
    assert "dropped 2 row(s) with infinite coordinates (rows 8, 10)" in text


def test_no_usable_coordinates_is_an_error(case: Case) -> None:
    case.write("inc.csv", csv_text([(i, "", "inf", c) for i, _, _, c in points()]))
    error_line(case.run(), 2, "inc.csv: columns lon, lat:", "no row has usable coordinates (30 empty coordinates)")


def test_points_far_outside_the_study_area(case: Case, no_deliverables: None) -> None:
    rows: list[tuple[object, ...]] = list(points())
    rows[0] = (1, 57.7089, 11.9746, "vald")  # Gothenburg
    rows[1] = (2, 59.3293, 18.0686, "vald")  # Stockholm city, 2 km away
    case.write("inc.csv", csv_text(rows))
    res = case.run()
    s = ok(res, case)
    assert s["incident_stats"] == {"read": N, "outside_study_area": 2, "dropped": {}}
    assert any(f"2 of {N} incidents lie outside the study area" in w for w in warnings_of(res))


def test_duplicate_incident_ids_warned(case: Case, no_deliverables: None) -> None:
    rows: list[tuple[object, ...]] = list(points())
    rows[5] = (1, *rows[5][1:])
    case.write("inc.csv", csv_text(rows))
    res = case.run(layer={"id_column": "id"})
    assert ok(res, case)["incident_stats"]["read"] == N  # kept: two events may share a case number
    assert any("occur more than once" in w and "rows 2, 7" in w for w in warnings_of(res))


def test_duplicate_camera_ids_are_an_error(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    cams = case.write("cams.csv", "camera_id,lat,lon,camera_type\nK1,59.3332,18.0310,ptz_dome\n"
                                  "K2,59.3340,18.0320,ptz_dome\nK1,59.3320,18.0290,fixed_1080p\n")
    error_line(case.run(cameras=cams), 2, "cams.csv: row 4, column camera_id:", "'K1' occurs more than once")


# -- empty layers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [("", "the file is empty"), ("id,lat,lon,category\n",
                                                                               "the layer has no rows"),
                                                  ("\n\n\n", "the file is empty")])
def test_empty_incident_layer(case: Case, content: str, message: str) -> None:
    case.write("inc.csv", content)
    error_line(case.run(), 2, "inc.csv:", message)


def test_empty_geojson_layer(case: Case) -> None:
    case.write("inc.geojson", '{"type": "FeatureCollection", "features": []}')
    error_line(case.run(incidents="inc.geojson"), 2, "inc.geojson:", "no features")


def test_empty_camera_layer(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    cams = case.write("cams.csv", "camera_id,lat,lon,camera_type\n")
    error_line(case.run(cameras=cams), 2, "cams.csv:", "no rows")


# -- budget and camera types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [0, -100_000])
def test_zero_or_negative_budget_in_scenario(case: Case, budget: float) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run(budget=budget), 2, "s.toml: optimization.budget_sek:", "must be > 0")


def test_budget_below_cheapest_camera_in_scenario(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    # the cheapest camera costs 60,000 + 4 × 12,000 = 108,000 SEK over the horizon
    error_line(case.run(budget=100_000), 2, "s.toml: optimization.budget_sek:",
               "below the cheapest candidate (108,000 SEK)")


def test_unknown_camera_type_in_camera_file(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    cams = case.write("cams.csv", "camera_id,lat,lon,camera_type\nK1,59.3332,18.0310,ptz_dome\n"
                                  "K2,59.3340,18.0320,laser\n")
    error_line(case.run(cameras=cams), 2, "cams.csv: row 3, column camera_type:", "unknown camera type 'laser'",
               "fixed_1080p, ptz_dome")


def test_unknown_camera_type_in_candidates(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run(candidates={"camera_types": ["ptz_dome", "lidar"]}), 2,
               "s.toml: candidates.camera_types[1]:", "unknown camera type 'lidar'")


# -- scenario keys --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "key"), [
    ({"budget": 5}, "budget"),
    ({"optimization": {"horizon": 4}}, "optimization.horizon"),
    ({"incident": {"path": "x.csv"}}, "incident"),
])
def test_unknown_scenario_keys(case: Case, overrides: dict, key: str) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run_data(merge(scenario(incidents="inc.csv"), overrides)), 2, f"s.toml: {key}:", "unknown key")


def test_unknown_key_in_an_array_table(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    ptz = {("range" if k == "range_m" else k): v for k, v in PTZ_DOME.items()}
    error_line(case.run(camera_types=[FIXED_1080P, ptz]), 2, "s.toml: camera_types[1].range")


# -- paths ----------------------------------------------------------------------------------------------------------


def test_incident_path_does_not_exist(case: Case) -> None:
    error_line(case.run(incidents="nope.csv"), 2, "nope.csv: file does not exist")


def test_incident_path_is_a_directory(case: Case) -> None:
    (case.dir / "exports").mkdir()
    error_line(case.run(incidents="exports"), 2, "exports: is a directory")


def test_incidents_option_is_a_directory(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    (case.dir / "exports").mkdir()
    error_line(case.run("--incidents", str(case.dir / "exports")), 2, "exports: is a directory")


def test_camera_path_does_not_exist(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run(cameras=case.dir / "kameror.csv"), 2, "kameror.csv: file does not exist")


def test_network_path_does_not_exist(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run(network=case.dir / "net.graphml"), 2, "net.graphml: street network file does not exist")


def test_network_path_is_a_directory(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    (case.dir / "osm").mkdir()
    error_line(case.run(network=case.dir / "osm"), 2, "osm: folder holds no nodes.shp and edges.shp")


@pytest.mark.parametrize(("overrides", "name"), [
    ({"study_area": {"center": DROP, "radius_m": DROP, "path": "area.geojson"}}, "area.geojson"),
    ({"network": {"buildings": "hus.gpkg"}}, "hus.gpkg"),
    ({"candidates": {"mounting_points": "stolpar.csv"}}, "stolpar.csv"),
    ({"demand": {"footfall": {"path": "flode.csv"}}}, "flode.csv"),
    ({"subareas": [{"name": "x", "path": "sub.geojson"}]}, "sub.geojson"),
    ({"candidates": {"exclusions": [{"name": "x", "path": "zon.geojson"}]}}, "zon.geojson"),
], ids=["study_area", "buildings", "mounting_points", "footfall", "subarea", "exclusion"])
def test_every_other_named_file_missing(case: Case, overrides: dict, name: str) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run_data(merge(scenario(incidents="inc.csv"), overrides)), 2, f"{case.dir / name}:",
               "does not exist")


def test_truncated_geojson_incidents(case: Case) -> None:
    case.write("inc.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
                              '{"type": "Point", "coord')
    error_line(case.run(incidents="inc.geojson"), 2, "inc.geojson:", "cannot open as GeoJSON")


# -- networks -------------------------------------------------------------------------------------------------------


def test_truncated_graphml_gz_download(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    data = GRAPHML.read_bytes()
    net = case.write("net.graphml.gz", data[: len(data) // 2])  # an interrupted download
    error_line(case.run(network=net), 2, "net.graphml.gz: cannot read street network")


def test_graphml_gz_that_is_not_gzip(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    net = case.write("net.graphml.gz", "<html>502 Bad Gateway</html>")
    error_line(case.run(network=net), 2, "net.graphml.gz: cannot read street network")


@pytest.mark.parametrize("content", [OSM_XML[: len(OSM_XML) // 2], "<html><body>Too Many Requests</body></html>",
                                     b"\x00\x01\x02garbage"])
def test_corrupt_or_truncated_osm(case: Case, content: str | bytes) -> None:
    case.write("inc.csv", csv_text(points()))
    net = case.write("net.osm", content)
    error_line(case.run(network=net), 2, "net.osm:", "street network")


def test_truncated_osm_bz2(case: Case) -> None:
    import bz2

    case.write("inc.csv", csv_text(points()))
    data = bz2.compress(OSM_XML.encode())
    net = case.write("net.osm.bz2", data[: len(data) - 20])
    error_line(case.run(network=net), 2, "net.osm.bz2: cannot read street network")


def test_no_network_edge_inside_the_study_area(case: Case) -> None:
    case.write("inc.csv", csv_text(points()))
    error_line(case.run(center=(57.7089, 11.9746)), 2, "fridhemsplan_drive_osmnx2020.graphml.gz:",
               "no street edge lies inside the study area")


def test_osm_network_elsewhere(case: Case) -> None:
    """A valid OSM file whose streets are all outside the study area (another town)."""
    case.write("inc.csv", csv_text(points()))
    moved = OSM_XML.replace('lat="59.33', 'lat="57.70').replace('lon="18.0', 'lon="11.9')
    net = case.write("net.osm", moved)
    error_line(case.run(network=net), 2, "net.osm:", "no street edge lies inside the study area")


# -- nothing to do --------------------------------------------------------------------------------------------------


def test_every_demand_point_uncoverable(case: Case) -> None:
    """Cameras that see 5 cm, candidates only at crossings, no street-space demand: nothing can be seen."""
    case.write("inc.csv", csv_text([(i, LAT + 0.0004, LON + 0.0004, c) for i, _, _, c in points()]))
    res = case.run(cameras=None, camera_types=[dict(FIXED_1080P, range_m=0.05), dict(PTZ_DOME, range_m=0.05)],
                   demand={"street_spacing_m": 0}, candidates={"spacing_m": 0})
    error_line(res, 2, "s.toml: camera_types:", "can be seen from any candidate site")


def test_no_demand_with_weight(case: Case) -> None:
    """Only traffic incidents (weight 0) and street space switched off: nothing is worth seeing."""
    case.write("inc.csv", csv_text([(i, a, b, "trafik") for i, a, b, _ in points()]))
    res = case.run(demand={"street_weight_per_m": 0})
    error_line(res, 2, "s.toml: demand:", "no demand with weight > 0")


# -- as a user starts it ----------------------------------------------------------------------------------------------


def test_subprocess_swapped_columns(tmp_path: Path) -> None:
    """The same contract in a real process: exit code 2, one line, no traceback, nothing written."""
    (tmp_path / "inc.csv").write_text(csv_text([(i, b, a, c) for i, a, b, c in points()]), encoding="utf-8")
    (tmp_path / "s.toml").write_text(toml(scenario(incidents="inc.csv")), encoding="utf-8")
    proc = run_process("run", tmp_path / "s.toml", "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
    assert [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")] == [
        f"error: {tmp_path / 'inc.csv'}: columns lon, lat: columns look swapped: 'lon' holds latitudes and 'lat' "
        "holds longitudes; swap the column names (or x_column/y_column in the scenario)"]
    assert not (tmp_path / "out").exists()
