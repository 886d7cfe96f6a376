""""Spara plan": the exported scenario file reproduces the plan through ``camsite run``; the CLI."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest

import factory

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def test_export_reproduces_through_camsite_run(bench, tmp_path, monkeypatch):
    from camsite.serve import create_app

    client = TestClient(create_app(bench, export_dir=tmp_path / "plans"))
    base = client.post("/api/solve", json={}).json()
    top = base["sites"][0]["site_id"]
    outside = next(s for s in bench.site_ids if s not in {x["site_id"] for x in base["sites"]})
    body = {"budget_sek": 650000, "forced": [outside], "forbidden": [top], "removed_existing": ["ILL-01"],
            "category_weights": {"vald": 2.0, "ovrigt": 0.05}}
    plan = client.post("/api/solve", json=body).json()
    saved = client.post("/api/export", json=body).json()
    assert saved["same_sites"] and saved["plan_id"] == plan["plan_id"]
    assert {"sites.csv", "inventory.xlsx", "report.html", "camsite.gpkg", "summary.json"} <= set(saved["files"])

    data = tomllib.loads(Path(saved["scenario"]).read_text(encoding="utf-8"))
    assert data["optimization"]["forced_sites"] == [outside] and data["optimization"]["forbidden_sites"] == [top]
    assert data["category_weights"]["vald"] == 2.0 and data["optimization"]["budget_sek"] == 650000
    kept = pd.read_csv(saved["cameras"], dtype=str)["camera_id"].tolist()
    assert "ILL-01" not in kept and len(kept) == len(bench.camera_ids) - 1

    from camsite.report import outputs

    monkeypatch.setattr(outputs, "write_deliverables", lambda *a, **k: [])  # the rerun is read for sites.csv only
    out = tmp_path / "rerun"
    res = factory.invoke("run", saved["scenario"], "--no-curve", "--no-progress", "--out", out)
    assert res.exit_code == 0, res.stderr
    rerun = pd.read_csv(out / "sites.csv", dtype=str)
    exported = pd.read_csv(f"{saved['run_folder']}/sites.csv", dtype=str)
    pd.testing.assert_frame_equal(rerun, exported)
    assert rerun["site_id"].tolist() == [s["site_id"] for s in plan["sites"]]  # same sites, same ranks
    assert rerun["cost_sek"].astype(float).sum() == pytest.approx(plan["spent_sek"])


def test_export_of_refused_request_writes_nothing(bench, tmp_path):
    from camsite.serve import create_app

    client = TestClient(create_app(bench, export_dir=tmp_path / "plans"))
    r = client.post("/api/export", json={"forced": bench.site_ids[:6], "budget_sek": 200000})
    assert r.status_code == 422 and "infeasible" in r.json()["error"]
    assert not (tmp_path / "plans").exists()


def test_export_without_any_camera_is_refused(bench, tmp_path):
    from camsite.serve import create_app

    client = TestClient(create_app(bench, export_dir=tmp_path / "plans"))
    body = {"removed_existing": bench.camera_ids}
    plan = client.post("/api/solve", json=body).json()
    assert plan["coverage_before_pct"] == 0.0  # the workbench answers the question...
    r = client.post("/api/export", json=body)  # ...but cannot save it as an extending scenario
    assert r.status_code == 422 and r.json()["field"] == "removed_existing"
    assert not (tmp_path / "plans").exists()


def test_serve_cli_bad_scenario_is_one_error_line(tmp_path):
    res = factory.invoke("serve", tmp_path / "missing.toml")
    factory.one_error_line(res.stderr, res.exit_code, 2, "missing.toml")


def test_serve_cli_help_and_urls():
    from camsite.cli.serve import _is_loopback, _url

    res = factory.invoke("serve", "--help")
    assert res.exit_code == 0 and "--host" in res.stdout and "token" in res.stdout
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.5")
    assert _url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert _url("0.0.0.0", 9000, "abc") == "http://127.0.0.1:9000/?token=abc"
