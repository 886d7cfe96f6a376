"""The command line as a user meets it: help, a real run, and every error path."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"


def camsite(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "camsite", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *fragments: str) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    for frag in fragments:
        assert frag in lines[0], lines[0]
    return lines[0]


def test_help_explains_every_option() -> None:
    top = camsite("--help")
    assert top.returncode == 0 and "run" in top.stdout
    run = camsite("run", "--help")
    for opt in ("--out", "--budget", "--solver", "--time-limit", "--incidents", "--cameras", "--lang",
                "--include-incidents"):
        assert opt in run.stdout


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "fridhemsplan"
    proc = camsite("run", SCENARIO, "--out", out, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "nya platser" in proc.stdout
    assert "illustrativt" in proc.stderr  # the illustrative camera layer is flagged
    return out


def test_run_writes_the_three_files(first_run: Path) -> None:
    for name in ("sites.csv", "sites.geojson", "summary.json"):
        assert (first_run / name).is_file()
    summary = json.loads((first_run / "summary.json").read_text(encoding="utf-8"))
    for key in ("scenario", "budget_sek", "spent_sek", "n_new_sites", "coverage_before_pct", "coverage_after_pct",
                "objective", "bound", "gap", "status", "solver", "runtime_s", "n_demand", "n_candidates",
                "data_sources"):
        assert key in summary
    assert summary["status"] == "optimal"
    with open(first_run / "sites.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == summary["n_new_sites"]
    assert sum(float(r["cost_sek"]) for r in rows) == pytest.approx(summary["spent_sek"])
    geo = json.loads((first_run / "sites.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(rows)
    assert geo["features"][0]["geometry"]["coordinates"] == [float(rows[0]["lon"]), float(rows[0]["lat"])]
    assert not list(first_run.parent.glob(".fridhemsplan.*"))  # no temporary folder left


def test_rerun_is_byte_identical(first_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    proc = camsite("run", SCENARIO, "--out", out, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert (out / "sites.csv").read_bytes() == (first_run / "sites.csv").read_bytes()


def test_budget_override_and_cbc(tmp_path: Path) -> None:
    out = tmp_path / "cbc"
    proc = camsite("run", SCENARIO, "--out", out, "--budget", "500000", "--solver", "cbc", "--no-progress",
                   "--no-curve")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["budget_sek"] == 500_000 and summary["spent_sek"] <= 500_000
    assert summary["solver"] == "cbc" and summary["status"] == "optimal"
    assert not (out / "budget_curve.csv").exists()  # --no-curve skips the sweep


def _scenario_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "variant.toml"
    p.write_text(text.replace(old, new).replace('"../data/', f'"{ROOT}/data/'), encoding="utf-8")
    return p


def test_error_missing_scenario(tmp_path: Path) -> None:
    assert_one_line_error(camsite("run", tmp_path / "nope.toml"), 2, "nope.toml", "does not exist")


def test_error_directory_as_scenario(tmp_path: Path) -> None:
    assert_one_line_error(camsite("run", tmp_path), 2, "is a directory")


def test_error_unknown_key(tmp_path: Path) -> None:
    p = _scenario_variant(tmp_path, "budget_sek = 1500000", "budget_sek = 1500000\nbudgett = 2")
    assert_one_line_error(camsite("run", p, "--out", tmp_path / "o"), 2, "variant.toml", "optimization.budgett",
                          "unknown key")


def test_error_negative_budget_option(tmp_path: Path) -> None:
    assert_one_line_error(camsite("run", SCENARIO, "--budget", "-5", "--out", tmp_path / "o"), 2,
                          "optimization.budget_sek", "must be > 0")


def test_error_budget_below_cheapest_camera(tmp_path: Path) -> None:
    assert_one_line_error(camsite("run", SCENARIO, "--budget", "1000", "--out", tmp_path / "o"), 2,
                          "optimization.budget_sek", "below the cheapest")


def test_error_unknown_camera_type(tmp_path: Path) -> None:
    p = _scenario_variant(tmp_path, 'default_type = "ptz_dome"', 'default_type = "laser"')
    assert_one_line_error(camsite("run", p, "--out", tmp_path / "o"), 2, "existing_cameras.default_type",
                          "unknown camera type 'laser'")


def test_error_corrupt_network(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><graph edgedefault=", encoding="utf-8")
    p = _scenario_variant(tmp_path, 'path = "../data/osm/fridhemsplan_drive_osmnx2020.graphml.gz"',
                          f'path = "{bad}"')
    assert_one_line_error(camsite("run", p, "--out", tmp_path / "o"), 2, "bad.graphml", "cannot read street network")


def test_error_missing_incident_file_keeps_earlier_run(first_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "keep"
    shutil.copytree(first_run, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert_one_line_error(camsite("run", SCENARIO, "--out", out, "--incidents", tmp_path / "missing.csv"), 2,
                          "missing.csv")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".keep.*"))


def test_error_output_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "taken"
    f.write_text("x")
    assert_one_line_error(camsite("run", SCENARIO, "--out", f), 2, "taken", "not a folder")


def test_infeasible_forced_sites_exit_3(first_run: Path, tmp_path: Path) -> None:
    with open(first_run / "sites.csv", encoding="utf-8") as fh:
        ids = [r["site_id"] for r in csv.DictReader(fh)][:3]
    forced = ", ".join(f'"{i}"' for i in ids)
    p = _scenario_variant(tmp_path, "budget_sek = 1500000", f"budget_sek = 200000\nforced_sites = [{forced}]")
    assert_one_line_error(camsite("run", p, "--out", tmp_path / "o"), 3, "infeasible")
