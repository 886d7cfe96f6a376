"""The workbench under hostile and careless use: bodies, numbers, sessions, saved plans, locks, one-line JSON errors.

Everything goes through the HTTP API (Starlette's TestClient, or a real
uvicorn on 127.0.0.1 with bounded traffic) as a page or an attacker would.
"""

from __future__ import annotations

import asyncio
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import factory

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def app(bench, tmp_path_factory):
    from camsite.serve import create_app

    return create_app(bench, export_dir=tmp_path_factory.mktemp("plans"))


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def _one_line(r, status: int, field: str | None = None) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert "\n" not in body["error"] and len(body["error"]) < 400
    if field is not None:
        assert body["field"] == field and body["error"].startswith(field + ":")
    return str(body["error"])


# -- bodies ----------------------------------------------------------------------------------------------------


def test_declared_length_over_the_limit_is_refused_unread(app):
    """A 1 GiB Content-Length gets 413 without one byte of the body being read."""
    from camsite.serve.api import MAX_BODY

    sent: list[dict] = []

    async def receive():
        raise AssertionError("the body was read")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/api/solve", "raw_path": b"/api/solve",
             "query_string": b"", "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "root_path": "", "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                                          (b"content-length", str(2 ** 30).encode())]}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == f"request body over {MAX_BODY} bytes"


def test_streamed_body_is_capped(client):
    def chunks():  # chunked: no Content-Length to refuse by
        for _ in range(100):
            yield b" " * 1024

    r = client.post("/api/solve", content=chunks(), headers={"content-type": "application/json"})
    _one_line(r, 413)
    r = client.post("/api/solve", content=b"{}", headers={"content-type": "application/json",
                                                          "content-length": "2x"})
    assert r.status_code == 400


@pytest.mark.parametrize(("raw", "status", "field"), [
    (b"[" * 30_000 + b"]" * 30_000, 400, None),  # RecursionError before
    (b'{"budget_sek": ' + b"7" * 5000 + b"}", 422, "budget_sek"),  # int conversion ValueError before
    (b'{"budget_sek": 1' + b"0" * 400 + b"}", 422, "budget_sek"),  # OverflowError before
    (b'{"category_weights": {"vald": 1' + b"0" * 400 + b"}}", 422, "category_weights.vald"),
    (b'{"budget_sek": NaN}', 422, "budget_sek"),
    (b'{"budget_sek": Infinity}', 422, "budget_sek"),
    (b'{"budget_sek": 1e999}', 422, "budget_sek"),
    (b"\xff\xfe{}", 400, None),
])
def test_hostile_bodies_are_one_json_line(client, raw, status, field):
    r = client.post("/api/solve", content=raw, headers={"content-type": "application/json"})
    _one_line(r, status, field)


def test_huge_budget_is_echoed_short(client):
    err = _one_line(client.post("/api/solve", json={"budget_sek": 1e308}), 422, "budget_sek")
    assert "1e+308" in err and "0" * 20 not in err


def test_field_names_with_control_characters_stay_on_one_line(client):
    _one_line(client.post("/api/solve", json={"bud\nget": 1}), 422)
    err = _one_line(client.post("/api/solve", json={"category_weights": {"a\nb" * 50: 1}}), 422)
    assert err.startswith("category_weights.'a\\nb")


# -- pages ------------------------------------------------------------------------------------------------------


def test_favicon_and_unknown_paths(client):
    assert client.get("/favicon.ico").status_code == 204
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not found"
    assert client.get("/api/solve").status_code == 405


def test_each_page_has_its_own_session(client, bench):
    a, b = client.get("/api/state").json(), client.get("/api/state").json()
    assert a["session"] != b["session"]
    assert [h["request"]["budget_sek"] for h in a["history"]] == [500000] == [
        h["request"]["budget_sek"] for h in b["history"]]  # each page starts with the scenario's plan as plan 1
    ha, hb = {"x-camsite-session": a["session"]}, {"x-camsite-session": b["session"]}
    moved = client.post("/api/solve", json={"budget_sek": 300000}, headers=ha).json()
    assert moved["plan_id"] == 2 and moved["session"] == a["session"]
    # the other page, reloaded with its session, still shows the scenario's plan; a fresh page too
    again_b = client.get("/api/state", headers=hb).json()
    assert again_b["plan"]["budget_sek"] == 500000 and len(again_b["history"]) == 1
    assert client.get("/api/state").json()["plan"]["budget_sek"] == 500000
    again_a = client.get("/api/state", headers=ha).json()
    assert again_a["plan"]["budget_sek"] == 300000 and [h["plan_id"] for h in again_a["history"]] == [1, 2]
    # plan numbers are per page, and the shared solved plans answer the other page at once
    other = client.post("/api/solve", json={"budget_sek": 300000}, headers=hb).json()
    assert other["plan_id"] == 2 and other["cached"] and other["sites"] == moved["sites"]
    r = client.post("/api/solve", json={}, headers={"x-camsite-session": "../../etc"})
    _one_line(r, 400, "session")


def test_answer_agrees_with_its_recomputation(bench):
    """A time-limited plan reports the covered weight recomputed from its sites, with a consistent gap."""
    from camsite.serve import Workbench

    quick = Workbench(bench.result, time_limit_s=0.1, prefetch=False)
    for budget in (1_000_000.0, 1e10):
        plan = quick.solve(quick.parse({"budget_sek": budget})).view
        inst = bench.instance
        cols = np.flatnonzero(inst.candidates["variant"].isin([s["variant"] for s in plan["sites"]]).to_numpy())
        covered = inst.rows.covered(cols)
        assert plan["objective"] == pytest.approx(float(inst.rows.weights[covered].sum()), rel=1e-9)
        assert plan["bound"] >= plan["objective"] - 1e-6
        assert plan["status"] in ("optimal", "time_limit") and plan["gap"] >= 0
        assert plan["spent_sek"] <= min(budget, float(inst.costs.sum())) + 1e-6


def test_a_solve_in_progress_blocks_only_its_own_model(bench, tmp_path):
    """While one model solves, known plans and other pages answer; a second solve on it waits, bounded."""
    from camsite.serve import Workbench, create_app
    from camsite.serve import state as state_mod

    wb = Workbench(bench.result, time_limit_s=0.2, prefetch=False)
    c = TestClient(create_app(wb, export_dir=tmp_path))
    entry = wb._entry(wb.base)
    old = state_mod.LOCK_MARGIN_S
    state_mod.LOCK_MARGIN_S = 0.0
    entry.solve_lock.acquire()  # as if a long solve were running on the scenario's model
    try:
        assert c.get("/api/state").status_code == 200  # the scenario's plan is known: no wait
        busy = c.post("/api/solve", json={"budget_sek": 750000})
        assert "busy" in _one_line(busy, 503)
        other = c.post("/api/solve", json={"budget_sek": 750000, "forbidden": [bench.site_ids[0]]})
        assert other.status_code == 200  # another variant has its own model
    finally:
        entry.solve_lock.release()
        state_mod.LOCK_MARGIN_S = old
    assert c.post("/api/solve", json={"budget_sek": 750000}).status_code == 200


# -- saved plans ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_deliverables")  # the saved scenario files and their numbers are the subject
def test_saved_plans_are_never_overwritten(bench, tmp_path):
    from camsite.serve import Workbench, create_app

    folder = tmp_path / "plans"
    first = TestClient(create_app(bench, export_dir=folder)).post("/api/export", json={"budget_sek": 400000}).json()
    assert first["number"] == 1 and first["scenario"].endswith("plan-001.toml")
    toml_1 = folder / "plan-001.toml"
    toml_1.write_text(toml_1.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    (folder / "plan-007").mkdir()  # a folder the user made by hand
    # a new session of camsite serve on the same folder: its plan ids start at 1 again
    restarted = TestClient(create_app(Workbench(bench.result, prefetch=False), export_dir=folder))
    second = restarted.post("/api/export", json={"budget_sek": 600000}).json()
    assert second["plan_id"] == 1 and second["number"] == 8 and second["scenario"].endswith("plan-008.toml")
    assert toml_1.read_text(encoding="utf-8").endswith("# my note\n")
    assert "budget_sek = 400000.0" in toml_1.read_text(encoding="utf-8")
    assert not any((folder / "plan-007").iterdir())


def test_claimed_numbers_are_exclusive(tmp_path):
    from camsite.serve.export import claim_number

    got = [claim_number(tmp_path)[0] for _ in range(3)]
    assert got == [1, 2, 3] and sorted(p.name for p in tmp_path.iterdir()) == [
        "plan-001.toml", "plan-002.toml", "plan-003.toml"]


def test_export_into_a_file_is_a_json_error(bench, tmp_path):
    from camsite.serve import create_app

    blocker = tmp_path / "plans"
    blocker.write_text("not a folder", encoding="utf-8")
    r = TestClient(create_app(bench, export_dir=blocker)).post("/api/export", json={})
    assert _one_line(r, 500).startswith("export failed: ")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


HOSTILE = ["=cmd|' /C calc'!A0", "+A1"]


@pytest.mark.usefixtures("no_deliverables")  # sites.csv is compared, the report files are not read
def test_saved_camera_file_is_formula_safe_and_runs(tmp_path):
    """Camera ids that a spreadsheet would run are written as text, and camsite reads the file back."""
    from camsite.serve import Workbench, create_app

    cams = pd.read_csv(factory.CAMERAS_CSV, dtype=str)
    cams.loc[:1, "camera_id"] = HOSTILE
    cams.to_csv(tmp_path / "cams.csv", index=False)
    data = factory.fridhemsplan_data(existing_cameras={"path": str(tmp_path / "cams.csv")})
    wb = Workbench.load(factory.write_scenario(tmp_path, data), prefetch=False)
    removed = str(cams["camera_id"].iloc[2])
    saved = TestClient(create_app(wb, export_dir=tmp_path / "plans")).post(
        "/api/export", json={"removed_existing": [removed]}).json()
    text = (tmp_path / "plans" / "plan-001-cameras.csv").read_text(encoding="utf-8")
    cells = [c for line in text.splitlines() for c in line.split(",")]
    assert not any(c.startswith(("=", "+", "@")) for c in cells), text
    assert "'=cmd|' /C calc'!A0" in text and "'+A1" in text
    out = tmp_path / "rerun"
    res = factory.invoke("run", saved["scenario"], "--cameras", saved["cameras"], "--no-curve", "--no-progress",
                         "--out", out)
    assert res.exit_code == 0, res.stderr
    again = pd.read_csv(out / "sites.csv", dtype=str)
    exported = pd.read_csv(f"{saved['run_folder']}/sites.csv", dtype=str)
    pd.testing.assert_frame_equal(again, exported)
    assert len(pd.read_csv(saved["cameras"], dtype=str)) == len(cams) - 1
