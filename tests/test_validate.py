"""validate.validate_scenario and `camsite validate`: every check, tables, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from camsite import config
from camsite.validate import validate_scenario

ROOT = Path(__file__).resolve().parents[1]
GRAPHML = ROOT / "data" / "osm" / "fridhemsplan_drive_osmnx2020.graphml.gz"
CAMERAS = ROOT / "data" / "cameras" / "existing_cameras_illustrative.csv"
LAT, LON = 59.3330, 18.0308


def _scenario_text(*, incidents: str = "inc.csv", cameras: str | None = str(CAMERAS), budget: float = 500000,
                   network: str = str(GRAPHML), extra: str = "") -> str:
    cam = f'[existing_cameras]\npath="{cameras}"\nsource="illustrative"\n' if cameras else ""
    return (
        'name="t"\n[study_area]\npolygon=[[18.024,59.330],[18.036,59.330],[18.036,59.336],[18.024,59.336]]\n'
        f'[network]\npath="{network}"\n'
        f'[[incidents]]\nname="test"\npath="{incidents}"\nid_column="id"\n'
        f"{cam}"
        '[[camera_types]]\nname="ptz_dome"\nrange_m=60\ncapex_sek=90000\nopex_sek_per_year=15000\n'
        '[[camera_types]]\nname="fixed_1080p"\nrange_m=30\nfov_deg=60\ncapex_sek=60000\nopex_sek_per_year=12000\n'
        f"[optimization]\nbudget_sek={budget}\nhorizon_years=4\n{extra}"
    )


def _write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


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
    return _write(tmp_path, _scenario_text())


def _layer(report, name):  # noqa: ANN001, ANN202
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
    text = _scenario_text(incidents="missing.csv", cameras="cams.csv", network=str(tmp_path / "nonet.graphml"),
                          budget=50000)
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
    report = validate_scenario(config.load(_write(tmp_path, _scenario_text(cameras=None))))
    assert any("km from the study area" in e and "wrong CRS" in e for e in report.errors)
    assert _layer(report, "incidents:test").outside == 2


def test_ambiguous_crs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text("id,E,N\n1,230000,6580000\n", encoding="utf-8")
    report = validate_scenario(config.load(_write(tmp_path, _scenario_text(cameras=None))))
    (err,) = [e for e in report.errors if "inc.csv" in e]
    assert "EPSG:3006" in err and "EPSG:3011" in err and "set crs" in err


def test_weights_and_camera_warnings(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon,category\n1,{LAT},{LON},trafik\n", encoding="utf-8")
    extra = '[category_weights]\ntrafik = 0.0\n'
    text = _scenario_text(cameras=None).replace('range_m=60\n', 'range_m=900\n') + extra
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert report.ok
    assert any("every incident weighs 0" in w for w in report.warnings)
    assert any("every category weight is 0" in w for w in report.warnings)
    assert any("900 m is implausibly long" in w for w in report.warnings)


def test_footfall_and_mounting_points(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon\n1,{LAT},{LON}\n", encoding="utf-8")
    (tmp_path / "ff.csv").write_text(f"stop_name,lat,lon,daily_count\nA,{LAT},{LON},-5\n", encoding="utf-8")
    (tmp_path / "mp.geojson").write_text('{"type":"FeatureCollection","features":[]}', encoding="utf-8")
    extra = '[demand.footfall]\npath="ff.csv"\n[candidates]\nmounting_points="mp.geojson"\n'
    report = validate_scenario(config.load(_write(tmp_path, _scenario_text(cameras=None) + extra)))
    joined = "\n".join(report.errors)
    assert "ff.csv: row 2, column daily_count: must be a number >= 0" in joined
    assert "mp.geojson: the layer has no features" in joined


# -- the command ---------------------------------------------------------------------------------------------------


def _camsite(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "camsite", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_cli_ok_prints_table_and_warnings(good: Path) -> None:
    proc = _camsite("validate", good)
    assert proc.returncode == 0, proc.stderr
    assert "incidents:test" in proc.stdout and "inc.csv" in proc.stdout and "network" in proc.stdout
    assert "empty coordinates: 1" in proc.stdout
    assert "warning:" in proc.stderr and "Traceback" not in proc.stderr and "error:" not in proc.stderr


def test_cli_errors_exit_2_one_line_each(tmp_path: Path) -> None:
    text = _scenario_text(incidents="missing.csv", budget=1000)
    proc = _camsite("validate", _write(tmp_path, text))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2
    assert any("missing.csv: file does not exist" in e for e in errors)
    assert any("budget_sek" in e for e in errors)


def test_cli_bad_scenario_key_and_missing_scenario(tmp_path: Path) -> None:
    proc = _camsite("validate", _write(tmp_path, _scenario_text() + "bugdet = 3\n"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "error:" in proc.stderr
    proc = _camsite("validate", tmp_path / "nope.toml")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = _camsite("validate", _write(tmp_path, _scenario_text(budget=0)))
    assert proc.returncode == 2 and "budget_sek: must be > 0" in proc.stderr


def test_working_crs_must_be_metres(tmp_path: Path) -> None:
    (tmp_path / "inc.csv").write_text(f"id,lat,lon\n1,{LAT},{LON}\n", encoding="utf-8")
    text = 'crs = "EPSG:4326"\n' + _scenario_text(cameras=None)
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert report.errors == (f"{tmp_path / 's.toml'}: crs: EPSG:4326 is not a projected CRS in metres "
                             '(use "EPSG:3011")',)
    text = 'crs = "EPSG:3006"\n' + _scenario_text(cameras=None)
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
    text = _scenario_text(cameras=None).replace(
        "polygon=[[18.024,59.330],[18.036,59.330],[18.036,59.336],[18.024,59.336]]", 'path="area.geojson"')
    report = validate_scenario(config.load(_write(tmp_path, text)))
    assert any("area.geojson: file does not exist" in e for e in report.errors)
    net = _layer(report, "network")
    assert net.rows and net.rows > 500 and net.errors == ()  # read, not clipped
    inc = _layer(report, "incidents:test")
    assert inc.kept == 1 and inc.outside is None
