"""validate.validate_scenario and `camsite validate`: every check, tables, exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from camsite import config
from camsite.validate import validate_scenario
from factory import CAMERAS_CSV, DROP, FIXED_1080P, GRAPHML, LAT, LON, PTZ_DOME, invoke, merge, scenario_data
from factory import write_scenario as _write_data

AREA = [[18.024, 59.330], [18.036, 59.330], [18.036, 59.336], [18.024, 59.336]]


def _data(*, incidents: str = "inc.csv", cameras: str | None = str(CAMERAS_CSV), budget: float = 500000,
          network: str = str(GRAPHML), **overrides: Any) -> dict[str, Any]:
    data = scenario_data(
        study_area={"polygon": AREA, "center": DROP, "radius_m": DROP}, network={"path": network},
        incidents=[{"name": "test", "path": incidents, "id_column": "id"}],
        camera_types=[PTZ_DOME, FIXED_1080P], optimization={"budget_sek": budget, "horizon_years": 4})
    if cameras:
        data["existing_cameras"] = {"path": cameras, "source": "illustrative"}
    return merge(data, overrides)


def _write(tmp_path: Path, data: dict[str, Any], name: str = "s.toml") -> Path:
    return _write_data(tmp_path, data, name=name)


GOOD_INCIDENTS = (
    "id;lat;lon;category\n"
    f"1;{LAT};{LON};vald\n"
    f"2;59,3335;18,0300;narkotika\n"
    f"3;;{LON};vald\n"                  # empty coordinate: dropped
    f"4;inf;{LON};vald\n"               # infinite: dropped
    f"5;59,3450;18,0600;vald\n"         # ~2 km outside the study area
    f"2;59,3336;18,0301;vald\n"         # duplicate id
)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    (tmp_path / "inc.csv").write_text(GOOD_INCIDENTS, encoding="utf-8")
    return _write(tmp_path, _data())


def _layer(report, name):
    return next(c for c in report.layers if c.layer == name)


def test_report_counts_rows_kept_dropped_outside(good: Path) -> None:
    report = validate_scenario(config.load(good))
    assert report.ok, report.errors
    inc = _layer(report, "incidents:test")
    assert (inc.rows, inc.kept, inc.outside) == (6, 4, 1)
    assert inc.dropped == {"empty coordinates": 1, "infinite coordinates": 1}
    assert inc.crs.startswith("EPSG:4326")
    assert any("duplicate id" in w and "'2'" in w for w in inc.warnings)
    assert any("outside the study area" in w for w in inc.warnings)
    net = _layer(report, "network")
    assert net.rows and net.kept and net.errors == ()
    cams = _layer(report, "existing_cameras")
    assert cams.kept == 5 and any("illustrative" in w for w in cams.warnings)
    assert any(w.startswith("incidents:test:") for w in report.warnings)


def test_every_error_is_collected(tmp_path: Path) -> None:
    (tmp_path / "cams.csv").write_text(f"lat,lon,camera_type\n{LAT},{LON},thermal\n", encoding="utf-8")
    text = _data(incidents="missing.csv", cameras="cams.csv", network=str(tmp_path / "nonet.graphml"), budget=50000)
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert not report.ok
    joined = "\n".join(report.errors)
    assert "missing.csv: file does not exist" in joined
    assert "nonet.graphml" in joined and "does not exist" in joined
    assert "cams.csv: row 2, column camera_type: unknown camera type 'thermal'" in joined
    assert "budget_sek: 50 000 SEK is below the cheapest camera (fixed_1080p: 108 000 SEK" in joined


def test_far_away_points_suggest_wrong_crs(tmp_path: Path) -> None:
    # Gothenburg in WGS84: valid coordinates, but ~400 km from the study area
    (tmp_path / "inc.csv").write_text("id,lat,lon\n1,57.70,11.97\n2,57.71,11.97\n", encoding="utf-8")
    report = validate_scenario(config.load(_write(tmp_path, _data(cameras=None))))
    (err,) = [e for e in report.errors if "inc.csv" in e]
    assert "km from the study area" in err and "wrong CRS" in err
    # the median it names: of the geodesic distances from the two points to the study area's nearest corner
    median_km = float(re.search(r"median ([\d.]+) km", err).group(1))
    dist = [min(Geod(ellps="GRS80").inv(11.97, lat, lon, lat_c)[2] for lon, lat_c in AREA) / 1000
            for lat in (57.70, 57.71)]
    assert median_km == pytest.approx(sum(dist) / 2, abs=1.0)  # (the working CRS stretches 400 km a little)


def test_ambiguous_crs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text("id,E,N\n1,230000,6580000\n", encoding="utf-8")
    report = validate_scenario(config.load(_write(tmp_path, _data(cameras=None))))
    (err,) = [e for e in report.errors if "inc.csv" in e]
    assert "EPSG:3006" in err and "EPSG:3011" in err and "set crs" in err


def test_weights_and_camera_warnings(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon,category\n1,{LAT},{LON},trafik\n", encoding="utf-8")
    text = _data(cameras=None, category_weights={"trafik": 0.0},
                 camera_types=[dict(PTZ_DOME, range_m=251), FIXED_1080P])  # just over the 250 m limit
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert report.ok
    assert any("every incident weighs 0" in w for w in report.warnings)
    assert any("every category weight is 0" in w for w in report.warnings)
    assert any("251 m is implausibly long" in w for w in report.warnings)


def test_footfall_and_mounting_points(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon\n1,{LAT},{LON}\n", encoding="utf-8")
    (tmp_path / "ff.csv").write_text(f"stop_name,lat,lon,daily_count\nA,{LAT},{LON},-5\n", encoding="utf-8")
    (tmp_path / "mp.geojson").write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
    text = _data(cameras=None, demand={"footfall": {"path": "ff.csv"}}, candidates={"mounting_points": "mp.geojson"})
    report = validate_scenario(config.load(_write(tmp_path, text)))
    joined = "\n".join(report.errors)
    assert "ff.csv: row 2, column daily_count: must be a number >= 0" in joined
    assert "mp.geojson: the layer has no features" in joined


# -- the command ---------------------------------------------------------------------------------------------------


def _camsite(*args: object):
    return invoke(*args)


def test_cli_ok_prints_table_and_warnings(good: Path) -> None:
    proc = _camsite("validate", good)
    assert proc.exit_code == 0, proc.stderr
    assert "incidents:test" in proc.stdout and "inc.csv" in proc.stdout and "network" in proc.stdout
    assert "empty coordinates: 1" in proc.stdout
    assert "warning:" in proc.stderr and "Traceback" not in proc.stderr and "error:" not in proc.stderr


def test_cli_errors_exit_2_one_line_each(tmp_path: Path) -> None:
    text = _data(incidents="missing.csv", budget=1000)
    proc = _camsite("validate", _write(tmp_path, text))
    assert proc.exit_code == 2 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2
    assert any("missing.csv: file does not exist" in e for e in errors)
    assert any("budget_sek" in e for e in errors)


def test_cli_bad_scenario_key_and_missing_scenario(tmp_path: Path) -> None:
    proc = _camsite("validate", _write(tmp_path, _data(optimization={"bugdet": 3})))
    assert proc.exit_code == 2 and "Traceback" not in proc.stderr and "error:" in proc.stderr
    proc = _camsite("validate", tmp_path / "nope.toml")
    assert proc.exit_code == 2 and "does not exist" in proc.stderr
    proc = _camsite("validate", _write(tmp_path, _data(budget=0)))
    assert proc.exit_code == 2 and "budget_sek: must be > 0" in proc.stderr


def test_working_crs_must_be_metres(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon\n1,{LAT},{LON}\n", encoding="utf-8")
    text = _data(cameras=None, crs="EPSG:4326")
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert report.errors == (f"{tmp_path / 's.toml'}: crs: EPSG:4326 is not a projected CRS in metres "
                             '(use "EPSG:3011")',)
    text = _data(cameras=None, crs="EPSG:3006")
    assert validate_scenario(config.load(_write(tmp_path, text))).ok


def test_default_scenario_validates(default_scenario: config.Scenario) -> None:
    report = validate_scenario(default_scenario)
    assert report.ok, report.errors
    names = [c.layer for c in report.layers]
    assert names[:2] == ["study_area", "network"] and "existing_cameras" in names
    assert any(n.startswith("incidents:") for n in names)
    for c in report.layers:
        if c.rows is not None:
            assert c.kept is not None and 0 < c.kept <= c.rows
    assert any("illustrative" in w for w in report.warnings)


def test_missing_study_area_file_still_checks_the_rest(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon\n1,{LAT},{LON}\n", encoding="utf-8")
    text = _data(cameras=None, study_area={"polygon": DROP, "path": "area.geojson"})
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert any("area.geojson: file does not exist" in e for e in report.errors)
    net = _layer(report, "network")
    assert net.rows and net.rows > 500 and net.errors == ()  # read, not clipped
    inc = _layer(report, "incidents:test")
    assert inc.errors == () and inc.outside is None  # read (no error), but nothing to count outside of
