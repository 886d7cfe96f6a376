"""The real camera inventory: a police-style file (Swedish columns, "PTZ" / "fast", owners) through
validate (--strict) and run, with the mapping and without it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from click.testing import Result

import camsite
from factory import ROOT, invoke

EXAMPLE = ROOT / "scenarios" / "examples" / "police_inventory.toml"
POLICE_CSV = ROOT / "data" / "cameras" / "police_style_example.csv"

#: Every validate and run here reads the default scenario's street network: once (the camera file is the subject).
pytestmark = pytest.mark.usefixtures("shipped_network_once")


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


@pytest.fixture(scope="module")
def unmapped_validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Result]:
    """``camsite validate`` of the unmapped scenario, loose and with --strict (once: every column reads them)."""
    scen = _unmapped_scenario(tmp_path_factory.mktemp("unmapped"))
    return invoke("validate", scen), invoke("validate", scen, "--strict")


@pytest.mark.parametrize("column", ["kameratyp", "riktning", "höjd", "ägare"])
def test_unmapped_columns_warn_and_fail_strict(unmapped_validated: tuple[Result, Result], column: str) -> None:
    loose, strict = unmapped_validated
    assert loose.exit_code == 0, loose.stderr
    assert f"column '{column}' is not mapped" in loose.stderr
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
    assert _report_owners(out) == [["Polisen", "3", "–", "–", "färre än 3"],
                                   ["Staden (kommunen)", "2", "–", "–", "färre än 3"]]


def _report_owners(out: Path) -> list[list[str]]:
    """The rows of report.html's table of coverage before by operator, as text."""
    page = (out / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="card" id="owners">(.*?)</section>', page, re.S)
    assert section, "report.html has no table of coverage before by operator"
    body = section.group(1).split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_the_owner_split_in_the_report_and_workbook_equals_summary_json(report_result, tmp_path: Path) -> None:
    """Coverage before by operator: report.html's table and inventory.xlsx's sheet show summary.json's figures
    (sv and en); an operator whose cameras see fewer than 3 incidents shows none (the privacy rule)."""
    by_owner = {"police": {"cameras": 3, "incident_before_pct": 12.5, "before_pct": 4.3, "incidents_before": 7.0},
                "city": {"cameras": 2, "incident_before_pct": 1.5, "before_pct": 0.75, "incidents_before": 1.0}}
    result = dataclasses.replace(report_result, summary=dataclasses.replace(
        report_result.summary, coverage_before_by_owner=by_owner))
    for lang, names, suppressed in (("sv", ("Polisen", "Staden (kommunen)"), "färre än 3"),
                                    ("en", ("Police", "The city (municipality)"), "fewer than 3")):
        out = tmp_path / lang
        camsite.write_run(result, out, lang=lang)
        shared = json.loads((out / "summary.json").read_text(encoding="utf-8"))["coverage_before_by_owner"]
        police = shared["police"]
        assert police == by_owner["police"]
        assert shared["city"] == {"cameras": 2, "incident_before_pct": None, "before_pct": None,
                                  "incidents_before": None}
        dec = "," if lang == "sv" else "."
        assert _report_owners(out) == [
            [names[0], "3", f"12{dec}5 %", f"4{dec}3 %", f"7{dec}0"],
            [names[1], "2", "–", "–", suppressed]]
        wb = openpyxl.load_workbook(out / "inventory.xlsx")
        ws = wb["Före per huvudman" if lang == "sv" else "Before by operator"]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert rows[0] == (names[0], 3, 12.5, 4.3, 7.0)
        assert rows[1] == (names[1], 2, None, None, suppressed)
