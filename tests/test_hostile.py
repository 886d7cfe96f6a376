"""Issue 11 (second reliability pass), class by class, through the real command line.

Each test names the class it covers. Runs are in-process (``CliRunner``,
exceptions not caught, so a traceback fails the test) on a 300 m circle
around Fridhemsplan with the shipped data; the street network is read once
per study area. Classes covered elsewhere through the command line:
5 (formula text) and 6 (GeoJSON crs links, no socket during run/validate) in
test_leaks.py; 11 (unproven points) and the privacy part of 7 in
test_cli.py; determinism in test_determinism.py; Ctrl-C and faults while
writing in test_faults.py.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from camsite.runfolder import OWNER
from factory import (
    CAMERAS_CSV,
    DEFAULT_SCENARIO,
    GRAPHML,
    LAT,
    LON,
    fridhemsplan_data,
    invoke,
    merge,
    one_error_line,
    toml,
)

pytestmark = pytest.mark.usefixtures("shipped_network_once")



def write(folder: Path, data: dict[str, Any] | None = None, name: str = "s.toml", **overrides: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(toml(merge(data or fridhemsplan_data(name="small"), overrides)), encoding="utf-8")
    return p


def run(scen: Path, *args: object) -> Result:
    return invoke("run", scen, "--no-progress", "--no-curve", *args)


def error(result: Result, code: int, *fragments: str) -> str:
    return one_error_line(result.stderr, result.exit_code, code, *fragments)


def owner(folder: Path, kind: str) -> None:
    """The marker camsite puts into its own temporary (``tmp``) and set-aside (``old``) folders."""
    target = folder.name[1:].split(f".{kind}-")[0]
    (folder / OWNER).write_text(json.dumps({"camsite": "x", "kind": kind, "target": target, "pid": 1}))


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if re.match(r"\..+\.(tmp|old)-", p.name))


# -- 1. never replace or delete what camsite did not write --------------------------------------------------------


@pytest.mark.parametrize("extra", [{}, {"notes.txt": b"my notes"}])
def test_1_project_folder_with_a_summary_json_is_refused(tmp_path: Path, extra: dict[str, bytes]) -> None:
    """A folder holding a file named summary.json (not listing its files, no marker) is not a camsite run."""
    project = tmp_path / "project"
    scen = write(project)
    (project / "summary.json").write_bytes(b'{"my": "own summary"}')
    for name, data in extra.items():
        (project / name).write_bytes(data)
    before = contents(project)
    error(run(scen, "--out", project), 2, "project", "not a camsite run folder", ".camsite-run.json")
    assert contents(project) == before and leftovers(tmp_path) == []


def test_1_notes_put_into_a_run_folder_are_never_deleted(tmp_path: Path, no_deliverables: None) -> None:
    scen, out = write(tmp_path), tmp_path / "out"
    assert run(scen, "--out", out).exit_code == 0
    marker = json.loads((out / ".camsite-run.json").read_text(encoding="utf-8"))
    assert set(marker) >= {"camsite", "run_id", "files"} and "sites.csv" in marker["files"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*marker["files"], ".camsite-run.json"])
    (out / "anteckningar.docx").write_bytes(b"notes")
    before = contents(out)
    error(run(scen, "--out", out), 2, "files camsite did not write", "anteckningar.docx")
    assert contents(out) == before and leftovers(tmp_path) == []


# -- 2. a run killed between the two renames is recovered at the next start ---------------------------------------


def test_2_interrupted_swap_is_restored_and_leftovers_cleaned(tmp_path: Path, no_deliverables: None) -> None:
    scen, out = write(tmp_path), tmp_path / "out"
    assert run(scen, "--out", out).exit_code == 0
    old_run = contents(out)
    # what `kill -9` between "move the old run aside" and "move the new one in" leaves behind:
    aside = tmp_path / ".out.old-k9" / "previous"
    aside.parent.mkdir()
    owner(aside.parent, "old")
    os.replace(out, aside)
    dead_tmp = tmp_path / ".out.tmp-999999999-x"  # the temp folder of a run whose process is gone
    dead_tmp.mkdir()
    owner(dead_tmp, "tmp")
    (dead_tmp / "sites.csv").write_text("half")
    result = run(scen, "--out", out, "--budget", "600000")
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["budget_sek"] == 600000
    assert contents(out) != old_run
    assert "restored the earlier run" in result.stderr
    assert leftovers(tmp_path) == []


def test_2_failed_run_after_recovery_leaves_the_earlier_run(tmp_path: Path, no_deliverables: None) -> None:
    scen, out = write(tmp_path), tmp_path / "out"
    assert run(scen, "--out", out).exit_code == 0
    old_run = contents(out)
    (tmp_path / ".out.old-k9").mkdir()
    owner(tmp_path / ".out.old-k9", "old")
    os.replace(out, tmp_path / ".out.old-k9" / "previous")
    error(run(scen, "--out", out, "--budget", "-1"), 2, "optimization.budget_sek")
    assert contents(out) == old_run and leftovers(tmp_path) == []


# -- 3. symlinks are written through; the user's umask -----------------------------------------------------------


def test_3_symlink_out_writes_into_its_target_with_the_umask(tmp_path: Path, no_deliverables: None) -> None:
    scen = write(tmp_path)
    share = tmp_path / "share" / "camsite"
    share.mkdir(parents=True)
    link = tmp_path / "out"
    link.symlink_to(share, target_is_directory=True)
    old = os.umask(0o022)
    try:
        for budget in ("500000", "600000"):  # a first run into the empty target, then a replacement
            assert run(scen, "--out", link, "--budget", budget).exit_code == 0
    finally:
        os.umask(old)
    assert link.is_symlink() and link.resolve() == share.resolve()
    assert json.loads((share / "summary.json").read_text(encoding="utf-8"))["budget_sek"] == 600000
    assert stat.S_IMODE(share.stat().st_mode) == 0o755
    assert stat.S_IMODE((share / "sites.csv").stat().st_mode) == 0o644
    assert leftovers(share.parent) == [] and leftovers(tmp_path) == []


# -- 4. a scenario name is never a path ----------------------------------------------------------------------------


def test_4_name_with_dots_and_slashes_stays_inside_out(tmp_path: Path, no_deliverables: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b"
    scen = write(work, fridhemsplan_data(name="../../x"))
    monkeypatch.chdir(work)
    result = invoke("run", scen, "--no-progress", "--no-curve")
    assert result.exit_code == 0, result.stderr
    assert (work / "out" / "x" / "sites.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"] and sorted(p.name for p in (tmp_path / "a").iterdir()) \
        == ["b"]


# -- 7. shareable outputs name inputs relative to the scenario file -------------------------------------------------


def test_7_no_absolute_input_path_in_shareable_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "cams.csv").write_bytes(CAMERAS_CSV.read_bytes())
    scen = write(folder, fridhemsplan_data(existing_cameras={"path": "data/cams.csv"}))
    out = tmp_path / "out"
    assert run(scen, "--out", out).exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario_file"] == "s.toml"
    for p in out.iterdir():
        if p.suffix in (".json", ".csv", ".html", ".geojson"):
            text = p.read_text(encoding="utf-8")
            assert str(tmp_path) not in text, p.name
    book = openpyxl.load_workbook(out / "inventory.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and str(tmp_path) in v for v in row)
    assert "data/cams.csv" in (out / "summary.json").read_text(encoding="utf-8")


# -- 8. a UTF-8 file with a few bad bytes is an error naming the row ----------------------------------------------


def test_8_utf8_with_bad_bytes_names_the_row(tmp_path: Path) -> None:
    rows = ["id,lat,lon,category"] + [f"{i},{LAT + i * 1e-5:.6f},{LON:.6f},våld" for i in range(1, 9)]
    data = "\n".join(rows).encode("utf-8")
    data = data.replace(b"8,", b"8,\xff", 1)  # one bad byte at the start of row 9 (id 8)
    (tmp_path / "inc.csv").write_bytes(data)
    scen = write(tmp_path, fridhemsplan_data(incidents=[{"name": "inc", "path": "inc.csv"}],
                                             category_weights={"våld": 1.0}))
    for command in ("run", "validate"):
        result = run(scen, "--out", tmp_path / "o") if command == "run" else invoke("validate", scen)
        error(result, 2, "inc.csv", "row 9", "not valid UTF-8")
    assert not (tmp_path / "o").exists()


def test_8_whole_windows_1252_file_is_read_with_its_categories(tmp_path: Path, no_deliverables: None) -> None:
    rows = ["id,lat,lon,category"] + [f"{i},{LAT + i * 1e-5:.6f},{LON:.6f},våld" for i in range(1, 9)]
    (tmp_path / "inc.csv").write_bytes("\n".join(rows).encode("cp1252"))
    scen = write(tmp_path, fridhemsplan_data(incidents=[{"name": "inc", "path": "inc.csv"}],
                                             category_weights={"våld": 3.0}))
    result = run(scen, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.stderr
    assert "categories not in" not in result.stderr  # 'våld' decoded as 'våld', so it weighs 3


# -- 9. run and validate: one set of checks, the same counts ------------------------------------------------------


def test_9_far_away_cameras_fail_run_and_validate_alike(tmp_path: Path) -> None:
    far = "camera_id,lat,lon,camera_type\nK1,67.85,20.22,ptz_dome\nK2,67.86,20.23,ptz_dome\n"  # Kiruna, 956 km
    (tmp_path / "cams.csv").write_text(far, encoding="utf-8")
    scen = write(tmp_path, fridhemsplan_data(existing_cameras={"path": "cams.csv"}))
    line_run = error(run(scen, "--out", tmp_path / "o"), 2, "cams.csv")
    line_validate = error(invoke("validate", scen), 2, "cams.csv")
    assert line_run == line_validate


def test_9_run_and_validate_count_the_same_incidents(tmp_path: Path, no_deliverables: None) -> None:
    scen = write(tmp_path)
    assert run(scen, "--out", tmp_path / "o").exit_code == 0
    stats = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["incident_stats"]
    shown = invoke("validate", scen)
    assert shown.exit_code == 0, shown.stderr
    line = next(ln for ln in shown.stdout.splitlines() if ln.startswith("incidents:"))
    numbers = [int(n) for n in re.findall(r"\b\d+\b", line)]
    assert stats["read"] in numbers and stats["outside_study_area"] in numbers
    assert stats["outside_study_area"] > 0 and stats["read"] > stats["outside_study_area"]


# -- 10. GraphML: duplicated node ids; list-valued names label a site by the nearest street ---------------------


def _graphml(tmp_path: Path, edit: Any) -> Path:
    text = gzip.decompress(GRAPHML.read_bytes()).decode("utf-8")
    p = tmp_path / "net.graphml"
    p.write_text(edit(text), encoding="utf-8")
    return p


def _first_node(text: str) -> re.Match[str]:
    m = re.search(r'<node id="([^"]+)">.*?</node>', text, flags=re.S)
    assert m is not None
    return m


@pytest.mark.parametrize("case, edit, message", [
    ("duplicate node", lambda t: t.replace(_first_node(t).group(0), _first_node(t).group(0) * 2, 1),
     "is defined twice"),
    ("node without x/y", lambda t: t.replace(_first_node(t).group(0),
                                             re.sub(r'<data key="d\d+">[-\d.]+</data>', "",
                                                    _first_node(t).group(0)), 1),
     "no finite x/y"),
    ("NaN coordinate", lambda t: t.replace(_first_node(t).group(0),
                                           re.sub(r'>(-?\d+\.\d+)<', ">nan<", _first_node(t).group(0), count=1), 1),
     "no finite x/y"),
    ("edge to a missing node", lambda t: t.replace("</graph>",
                                                  f'<edge source="{_first_node(t).group(1)}" target="424242424242" '
                                                  'id="0" /></graph>', 1),
     "no finite x/y"),
    ("unknown CRS", lambda t: re.sub(r'(<data key="d\d+">)epsg:4326(</data>)', r"\1EPSG:999999\2", t, count=1),
     "cannot project"),
])
def test_10_broken_graphml_is_one_error(tmp_path: Path, case: str, edit: Any, message: str) -> None:
    net = _graphml(tmp_path, edit)
    assert net.read_text(encoding="utf-8") != gzip.decompress(GRAPHML.read_bytes()).decode("utf-8"), case
    scen = write(tmp_path, fridhemsplan_data(network={"path": "net.graphml"}))
    for result in (run(scen, "--out", tmp_path / "o"), invoke("validate", scen)):
        error(result, 2, "net.graphml", message)


def test_10_sites_are_labelled_by_the_nearest_street(tmp_path: Path, no_deliverables: None) -> None:
    """Each site's street is the name of the nearest named edge, recomputed here from the GraphML with shapely."""
    import geopandas as gpd
    import osmnx as ox

    scen = write(tmp_path, fridhemsplan_data(radius_m=600, optimization={"budget_sek": 1500000}))
    assert run(scen, "--out", tmp_path / "o").exit_code == 0
    with open(tmp_path / "o" / "sites.csv", encoding="utf-8") as fh:
        sites = list(csv.DictReader(fh))
    edges = ox.graph_to_gdfs(ox.load_graphml(GRAPHML), nodes=False).to_crs(3011)
    edges = edges[edges["name"].notna()]
    assert edges["name"].map(lambda v: isinstance(v, list)).any()  # the data do have merged segments
    pts = gpd.GeoSeries(gpd.points_from_xy([float(s["lon"]) for s in sites], [float(s["lat"]) for s in sites]),
                        crs=4326).to_crs(3011)
    for site, pt in zip(sites, pts, strict=True):
        d = edges.distance(pt)
        nearest = edges.loc[d <= d.min() + 0.5, "name"]
        names = {n for v in nearest for n in (v if isinstance(v, list) else [v])}
        assert "[" not in site["street"] and "," not in site["street"].split(" / ")[0], site["street"]
        assert any(n in site["street"] for n in names), (site["site_id"], site["street"], names)


# -- 12. optional columns are optional ------------------------------------------------------------------------------


def test_12_plain_incident_csv_with_the_default_scenario(tmp_path: Path, no_deliverables: None) -> None:
    rows = ["id,lon,lat,category,datetime"] + [f"{i},{LON + i * 1e-4:.6f},{LAT:.6f},narkotika,2024-03-0{1 + i % 9}"
                                               for i in range(20)]
    (tmp_path / "mine.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("run", DEFAULT_SCENARIO, "--incidents", tmp_path / "mine.csv", "--out", tmp_path / "o",
                    "--no-progress", "--no-curve")
    assert result.exit_code == 0, result.stderr
    stats = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["incident_stats"]
    assert stats["read"] == 20


# -- tracebacks and resource exhaustion: every number checked where it is read --------------------------------------


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
@pytest.mark.parametrize("overrides, key", [
    ({"optimization": {"budget_sek": "V"}}, "optimization.budget_sek"),
    ({"camera_types": [{"name": "fixed_1080p", "range_m": "V", "fov_deg": 60, "capex_sek": 60000,
                        "opex_sek_per_year": 12000}]}, "range_m"),
    ({"camera_types": [{"name": "ptz_dome", "range_m": 60, "capex_sek": "V", "opex_sek_per_year": 1}]},
     "capex_sek"),
    ({"optimization": {"budget_sweep": {"start": 250000, "stop": "V", "step": 250000}}}, "budget_sweep.stop"),
    ({"network": {"clip_buffer_m": "V"}}, "network.clip_buffer_m"),
    ({"study_area": {"radius_m": "V"}}, "study_area.radius_m"),
])
def test_non_finite_numbers_name_the_key(tmp_path: Path, overrides: dict[str, Any], key: str, value: float) -> None:
    text = toml(merge(fridhemsplan_data(), overrides)).replace('"V"', "inf" if value == float("inf") else "nan")
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    for result in (run(tmp_path / "s.toml", "--out", tmp_path / "o"), invoke("validate", tmp_path / "s.toml")):
        error(result, 2, "s.toml", key)


@pytest.mark.parametrize("option", ["--budget", "--time-limit"])
@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400"])
def test_non_finite_options_name_the_option(tmp_path: Path, option: str, value: str) -> None:
    scen = write(tmp_path)
    error(run(scen, "--out", tmp_path / "o", option, value), 2)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "namn = 'å'".encode("cp1252")])
def test_extends_target_not_utf8(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "base.toml").write_bytes(content)
    (tmp_path / "s.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    error(run(tmp_path / "s.toml", "--out", tmp_path / "o"), 2, "s.toml", "extends", "not UTF-8")


def test_category_that_is_a_json_object(tmp_path: Path) -> None:
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON, LAT]},
               "properties": {"id": 1, "category": {"vald": 1}}}
    doc = {"type": "FeatureCollection", "features": [feature, {**feature, "properties": {"id": 2, "category": "vald"}}]}
    (tmp_path / "inc.geojson").write_text(json.dumps(doc), encoding="utf-8")
    scen = write(tmp_path, fridhemsplan_data(incidents=[{"name": "inc", "path": "inc.geojson"}]))
    error(run(scen, "--out", tmp_path / "o"), 2, "inc.geojson", "category")


@pytest.mark.parametrize("overrides, key", [
    ({"category_weights": {"vald": 1e308}}, "category_weights.vald"),
    ({"demand": {"street_weight_per_m": 1e308}}, "demand.street_weight_per_m"),
])
def test_huge_weights_are_bad_input_not_a_solver_failure(tmp_path: Path, overrides: dict, key: str) -> None:
    scen = write(tmp_path, fridhemsplan_data(**overrides))
    error(run(scen, "--out", tmp_path / "o"), 2, key, "must be in [0, 1e+06]")


@pytest.mark.parametrize("overrides, key, limit", [
    ({"candidates": {"spacing_m": 0.001}}, "candidates.spacing_m", "at least 1 m"),
    ({"demand": {"street_spacing_m": 0.001}}, "demand.street_spacing_m", "at least 1 m"),
    ({"optimization": {"budget_sweep": {"start": 1, "stop": 1e6, "step": 1}}}, "budget_sweep", "at most 200"),
])
def test_sizes_that_cannot_finish_are_refused(tmp_path: Path, overrides: dict, key: str, limit: str) -> None:
    scen = write(tmp_path, fridhemsplan_data(**overrides))
    error(invoke("run", scen, "--out", tmp_path / "o", "--no-progress"), 2, key, limit)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_incidents_from_dev_zero(tmp_path: Path) -> None:
    error(run(write(tmp_path), "--out", tmp_path / "o", "--incidents", "/dev/zero"), 2, "/dev/zero",
          "not a regular file")


@pytest.mark.parametrize("args, fragment", [
    (["run"], "SCENARIO"),
    (["run", "s.toml", "--budgett", "5"], "--budgett"),
    (["run", "s.toml", "--solver", "gurobi"], "gurobi"),
    (["no-such-command"], "no-such-command"),
])
def test_usage_errors_are_one_error_line(args: list[str], fragment: str) -> None:
    result = invoke(*args)
    line = error(result, 2, fragment)
    assert "Usage:" not in result.stderr and "Try " not in result.stderr, result.stderr
    assert line.startswith("error:")


# -- newcomer findings -------------------------------------------------------------------------------------------


def test_terminal_summary_uses_decimal_commas_in_swedish_and_english_in_english(tmp_path: Path,
                                                                                no_deliverables: None) -> None:
    scen = write(tmp_path)
    sv = run(scen, "--out", tmp_path / "sv")
    en = run(scen, "--out", tmp_path / "en", "--lang", "en")
    assert sv.exit_code == 0 and en.exit_code == 0
    assert re.search(r"\d,\d %", sv.stdout) and not re.search(r"\d\.\d %", sv.stdout), sv.stdout
    assert re.search(r"\d\.\d ?%", en.stdout) and "täckning" not in en.stdout.lower(), en.stdout
