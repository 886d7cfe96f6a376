"""The real camera inventory: a police-style file (Swedish columns, "PTZ" / "fast", owners) through
validate (--strict) and run, with the mapping and without it."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import pytest

from factory import ROOT, invoke

EXAMPLE = ROOT / "scenarios" / "examples" / "police_inventory.toml"
POLICE_CSV = ROOT / "data" / "cameras" / "police_style_example.csv"


def _unmapped_scenario(tmp_path: Path) -> Path:
    """The default scenario pointed at the police-style file without any mapping."""
    path = tmp_path / "unmapped.toml"
    path.write_text(f'extends = "{(ROOT / "scenarios" / "fridhemsplan.toml").as_posix()}"\nname = "unmapped"\n'
                    f'[existing_cameras]\npath = "{POLICE_CSV.as_posix()}"\nsource = "polisen"\n'
                    'default_type = "ptz_dome"\n', encoding="utf-8")
    return path


def test_validate_strict_passes_with_the_mapping() -> None:
    res = invoke("validate", EXAMPLE, "--strict")
    assert res.exit_code == 0, res.stderr
    assert "not mapped" not in res.stderr


@pytest.mark.parametrize("column", ["kameratyp", "riktning", "höjd", "ägare"])
def test_unmapped_columns_warn_and_fail_strict(tmp_path: Path, column: str) -> None:
    scen = _unmapped_scenario(tmp_path)
    loose = invoke("validate", scen)
    assert loose.exit_code == 0, loose.stderr
    assert f"column '{column}' is not mapped" in loose.stderr
    strict = invoke("validate", scen, "--strict")
    assert strict.exit_code == 2
    errors = [ln for ln in strict.stderr.splitlines() if ln.startswith("error:")]
    assert any(f"column '{column}' is not mapped" in e for e in errors), strict.stderr
    assert "Traceback" not in strict.stderr


def test_unmapped_owner_value_fails_strict(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('owner_values = { "Stockholms stad" = "city" }', "")
    text = text.replace('extends = "../fridhemsplan.toml"', f'extends = "{(ROOT / "scenarios" / "fridhemsplan.toml").as_posix()}"')
    text = text.replace('path = "../../data/cameras/police_style_example.csv"', f'path = "{POLICE_CSV.as_posix()}"')
    scen = tmp_path / "owners.toml"
    scen.write_text(text, encoding="utf-8")
    res = invoke("validate", scen, "--strict")
    assert res.exit_code == 2
    assert "owner value 'Stockholms stad' is not mapped" in res.stderr


def test_a_type_value_mapped_to_no_camera_type_names_the_key(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('fast = "fixed_1080p"', 'fast = "fixed_4k"')
    scen = tmp_path / "bad.toml"
    scen.write_text(text.replace('extends = "../fridhemsplan.toml"',
                                 f'extends = "{(ROOT / "scenarios" / "fridhemsplan.toml").as_posix()}"'), encoding="utf-8")
    res = invoke("validate", scen)
    assert res.exit_code == 2
    assert "existing_cameras.type_values.fast" in res.stderr and "fixed_4k" in res.stderr


def test_run_with_cameras_file_sets_the_source_and_splits_before_by_owner(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = invoke("run", EXAMPLE, "--no-curve", "--cameras", POLICE_CSV, "--out", out)
    assert res.exit_code == 0, res.stderr
    assert "befintliga kameror är illustrativt" not in res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    cams = next(d for d in summary["data_sources"] if d["layer"] == "existing_cameras")
    assert cams["source"] == "police_style_example.csv"
    assert "existing_cameras" not in summary["illustrative_layers"]
    layer = pyogrio.read_dataframe(out / "camsite.gpkg", layer="existing_cameras")
    assert set(layer["source"]) == {"police_style_example.csv"}
    # the mapping: PTZ -> ptz_dome, fast -> fixed_1080p, riktning -> heading (EX-P2 200°), höjd -> height
    by_id = layer.set_index("camera_id")
    assert by_id.loc["EX-P1", "camera_type"] == "ptz_dome" and by_id.loc["EX-P2", "camera_type"] == "fixed_1080p"
    assert by_id.loc["EX-P2", "heading_deg"] == pytest.approx(200.0)
    owners = summary["coverage_before_by_owner"]
    assert {k: v["cameras"] for k, v in owners.items()} == {"police": 3, "city": 2}
    # the illustrative cameras see fewer than 3 incidents per owner: shared, no incident figure is left that
    # gives the count back (count and percentages suppressed together)
    for row in owners.values():
        assert row["incidents_before"] is None
        assert row["incident_before_pct"] is None and row["before_pct"] is None
