"""The planning workbench's JSON API: budgets, forced/forbidden/removed, weights, bad requests, safety.

Built on the small Fridhemsplan scenario (300 m around the square, real data).
Coverage figures are recomputed here from the chosen sites on instances the
pipeline builds itself (``pipeline.run`` with a cameras file or other category
weights), not from the workbench's own code.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import factory

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx versions
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def client(bench, tmp_path_factory):
    from camsite.serve import create_app

    app = create_app(bench, export_dir=tmp_path_factory.mktemp("exports"))
    return TestClient(app)


def _pcts(instance, variants: list[str]) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """(before %, after %, per kind) of the plan ``variants`` on ``instance``, from its rows directly."""
    rows = instance.rows
    cols = np.flatnonzero(instance.candidates["variant"].isin(variants).to_numpy())
    assert len(cols) == len(variants)
    after = rows.existing | (np.asarray(rows.matrix[:, cols].sum(axis=1)).ravel() > 0)
    w = rows.weights
    kinds = instance.demand["kind"].replace({"point": "incident"}).to_numpy()[rows.point]
    per = {k: (100 * w[rows.existing & (kinds == k)].sum() / w[kinds == k].sum(),
               100 * w[after & (kinds == k)].sum() / w[kinds == k].sum()) for k in np.unique(kinds)}
    return 100 * w[rows.existing].sum() / w.sum(), 100 * w[after].sum() / w.sum(), per


def _check_figures(plan, instance):
    before, after, per = _pcts(instance, [s["variant"] for s in plan["sites"]])
    assert plan["coverage_before_pct"] == pytest.approx(before, abs=1e-3)
    assert plan["coverage_after_pct"] == pytest.approx(after, abs=1e-3)
    for k in plan["coverage_by_kind"]:
        assert (k["before_pct"], k["after_pct"]) == pytest.approx(per[k["kind"]], abs=1e-3)
    costs = instance.candidates.set_index("variant")["cost_sek"]
    assert plan["spent_sek"] == pytest.approx(sum(costs[s["variant"]] for s in plan["sites"]), abs=1)
    assert plan["spent_sek"] <= plan["budget_sek"] + 1e-6


def test_state_is_the_scenario_run(client, bench):
    state = client.get("/api/state").json()
    run = bench.result
    plan = state["plan"]
    assert sorted(s["site_id"] for s in plan["sites"]) == sorted(run.sites["site_id"])
    assert plan["status"] == "optimal" and plan["budget_sek"] == 500000
    assert [c["camera_id"] for c in state["existing_cameras"]] == list(run.instance.existing["camera_id"])
    assert len(state["candidates"]) == run.instance.candidates["site_id"].nunique()
    assert state["map"]["incidents"] is None  # include_incidents is off: no raw points
    assert all(d["sup"] or d["n"] >= 3 for d in state["map"]["demand"])
    assert state["labels"]["sv"]["wb_save"] == "Spara plan" and state["labels"]["en"]["wb_save"] == "Save plan"
    _check_figures(plan, run.instance)


def test_budgets(client, bench):
    plans = [client.post("/api/solve", json={"budget_sek": b}).json() for b in (200000, 400000, 800000)]
    for p in plans:
        assert p["status"] == "optimal" and p["gap"] <= 1e-9
        _check_figures(p, bench.instance)
    after = [p["coverage_after_pct"] for p in plans]
    assert after == sorted(after) and after[0] < after[-1]
    assert [s["rank"] for s in plans[-1]["sites"]] == list(range(1, len(plans[-1]["sites"]) + 1))
    again = client.post("/api/solve", json={"budget_sek": 400000}).json()
    assert again["cached"] and again["sites"] == plans[1]["sites"]


def test_forced_and_forbidden(client, bench):
    base = client.post("/api/solve", json={}).json()
    top = base["sites"][0]["site_id"]
    outside = next(s for s in bench.site_ids if s not in {x["site_id"] for x in base["sites"]})
    plan = client.post("/api/solve", json={"forced": [outside], "forbidden": [top]}).json()
    ids = [s["site_id"] for s in plan["sites"]]
    assert outside in ids and top not in ids
    assert next(s for s in plan["sites"] if s["site_id"] == outside)["forced"] is True
    assert plan["objective"] <= base["objective"] + 1e-9  # a constrained plan cannot beat the optimum
    _check_figures(plan, bench.instance)


def test_removed_camera_matches_a_run_without_it(client, bench, tmp_path):
    from camsite import pipeline

    cams = pd.read_csv(factory.CAMERAS_CSV, dtype=str)
    base = client.post("/api/solve", json={}).json()
    seen = bench.instance.existing_coverage.sum(axis=0).A1
    gone = str(bench.instance.existing["camera_id"].iloc[int(np.argmax(seen))])
    plan = client.post("/api/solve", json={"removed_existing": [gone]}).json()
    assert plan["coverage_before_pct"] < base["coverage_before_pct"]
    cams[cams["camera_id"] != gone].to_csv(tmp_path / "cams.csv", index=False)
    run = pipeline.run(bench.scenario, cameras=tmp_path / "cams.csv")
    _check_figures(plan, run.instance)
    assert sorted(s["site_id"] for s in plan["sites"]) == sorted(run.sites["site_id"])


def test_category_weights_match_a_run_with_them(client, bench):
    from camsite import config, pipeline

    plan = client.post("/api/solve", json={"category_weights": {"vald": 3.0, "ovrigt": 0.0}}).json()
    weights = dict(bench.scenario.category_weights, vald=3.0, ovrigt=0.0)
    run = pipeline.run(config.override(bench.scenario, category_weights=weights))
    assert sorted(s["site_id"] for s in plan["sites"]) == sorted(run.sites["site_id"])
    # the run drops the points that now weigh 0: compare the weighted shares, which do not change
    before, after, _ = _pcts(run.instance, [s["variant"] for s in plan["sites"]])
    assert (plan["coverage_before_pct"], plan["coverage_after_pct"]) == pytest.approx((before, after), abs=1e-3)


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"budget_sek": "much"}, 422, "budget_sek"),
    ({"budget_sek": -5}, 422, "budget_sek"),
    ({"budget_sek": True}, 422, "budget_sek"),
    ({"forced": "abc"}, 422, "forced"),
    ({"forced": ["no-such-site"]}, 422, "forced"),
    ({"removed_existing": ["NOPE"]}, 422, "removed_existing"),
    ({"category_weights": {"vald": -1}}, 422, "category_weights.vald"),
    ({"category_weights": {"nosuch": 1}}, 422, "category_weights.nosuch"),
    ({"category_weights": {"trafik": 1}}, 422, "category_weights.trafik"),
    ({"budget": 1}, 422, "budget"),
    ([1, 2], 400, None),
])
def test_bad_requests_name_the_field(client, body, status, field):
    r = client.post("/api/solve", json=body)
    assert r.status_code == status
    err = r.json()
    assert err["field"] == field and "\n" not in err["error"]
    if field:
        assert err["error"].startswith(field + ":")


def test_forced_and_forbidden_together(client, bench):
    r = client.post("/api/solve", json={"forced": [bench.site_ids[0]], "forbidden": [bench.site_ids[0]]})
    assert r.status_code == 422 and r.json()["field"] == "forbidden"


def test_infeasible_says_so(client, bench):
    forced = bench.site_ids[:6]  # six sites at 108,000 SEK or more each
    r = client.post("/api/solve", json={"forced": forced, "budget_sek": 300000})
    assert r.status_code == 422
    assert r.json()["field"] == "forced" and "infeasible" in r.json()["error"]
    assert "300,000 SEK" in r.json()["error"]


def test_not_json(client):
    assert client.post("/api/solve", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    r = client.post("/api/solve", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/api/solve", data={"budget_sek": "1"})  # a form, as a cross-site page could send
    assert r.status_code == 415


def test_origin_rule(client):
    assert client.post("/api/solve", json={}, headers={"origin": "http://testserver"}).status_code == 200
    r = client.post("/api/solve", json={}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and "cross-site" in r.json()["error"]
    assert client.get("/api/state", headers={"origin": "http://evil.example:8765"}).status_code == 403
    assert client.get("/api/state", headers={"sec-fetch-site": "cross-site"}).status_code == 403


def test_token_rule(bench, tmp_path):
    from camsite.serve import create_app

    c = TestClient(create_app(bench, export_dir=tmp_path, token="s3cret-token"))
    assert c.get("/api/state").status_code == 403
    assert c.post("/api/solve", json={}, headers={"x-camsite-token": "wrong"}).status_code == 403
    assert c.post("/api/export", json={}).status_code == 403
    assert c.get("/api/state", headers={"x-camsite-token": "s3cret-token"}).status_code == 200
    assert c.get("/api/state?token=s3cret-token").status_code == 200
    assert not list(tmp_path.iterdir())  # the refused export wrote nothing


def test_loopback_hosts_only(bench, tmp_path):
    from camsite.serve import create_app, loopback_hosts

    app = create_app(bench, export_dir=tmp_path, allowed_hosts=loopback_hosts(8765))
    c = TestClient(app, base_url="http://127.0.0.1:8765")
    assert c.get("/api/state").status_code == 200
    rebound = TestClient(app, base_url="http://attacker.example:8765")  # DNS rebinding: same origin, other host
    assert rebound.get("/api/state").status_code == 403
    assert rebound.get("/").status_code == 403


def test_page_is_served_offline(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    js = client.get("/static/app.js").text
    assert "http://" not in js.replace("http://www.w3.org/2000/svg", "") and "https://" not in js
    assert client.get("/static/app.css").status_code == 200


def test_time_limit_is_the_scenarios_at_most(bench):
    from camsite import config
    from camsite.serve import Workbench

    # the command line's limit when the scenario has none or a longer one ...
    assert Workbench(bench.result, time_limit_s=3.0, prefetch=False).solver.time_limit_s == 3.0
    # ... and the scenario's when it is shorter
    opt = replace(bench.scenario.optimization, time_limit_s=1.0)
    short = replace(bench.result, scenario=config.override(bench.scenario, optimization=opt))
    assert Workbench(short, time_limit_s=3.0, prefetch=False).solver.time_limit_s == 1.0


def test_prefetch_solves_the_next_slider_position_exactly(bench):
    from camsite.serve import Workbench

    ahead = Workbench(bench.result, prefetch=True)
    try:
        first = ahead.solve(ahead.parse({"budget_sek": 350000}))
        entry = ahead._entry(first.request)
        deadline = time.monotonic() + 120
        while entry.known(400000) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        nxt = ahead.solve(ahead.parse({"budget_sek": 400000}))
    finally:
        ahead.close()
    assert nxt.view["cached"]  # answered from the plan solved ahead
    fresh = bench.solve(bench.parse({"budget_sek": 400000}))
    assert nxt.solution.objective == pytest.approx(fresh.solution.objective, abs=1e-9)
    assert nxt.view["status"] == "optimal"


def test_slider_answers_at_once_with_the_best_plan_solved_then_exactly(bench):
    from camsite.serve import Workbench

    ahead = Workbench(bench.result, prefetch=True)
    ahead.close()  # no more guesses: the plans kept are the run's and the few the grid finished
    try:
        sess = ahead.new_session()
        far = ahead.base.budget_sek + 12 * 50_000  # beyond the grid solved after loading
        req = ahead.parse({"budget_sek": far})
        entry = ahead._entry(req)
        quick = ahead.provisional(req, sess)
        assert quick is not None and quick.view["provisional"] and quick.view["plan_id"] is None
        # the plan shown at once: the best kept that fits the new budget, with its own figures
        kept = [s for s in entry.plans.values() if s.spent <= far]
        assert quick.solution.objective == max(s.objective for s in kept)
        assert quick.view["spent_sek"] <= far and quick.view["budget_sek"] == far
        assert sess.history == [] and sess.current == ahead.base  # nothing remembered for it
        exact = ahead.solve(req, sess)  # waits for the solve started in the background (or solves itself)
    finally:
        ahead.close()
    fresh = bench.solve(bench.parse({"budget_sek": far}))
    assert exact.view["status"] == "optimal" and "provisional" not in exact.view
    assert exact.solution.objective == pytest.approx(fresh.solution.objective, abs=1e-9)
    assert exact.solution.objective >= quick.solution.objective - 1e-9
    assert [h["plan_id"] for h in sess.history] == [exact.view["plan_id"]] == [1]
    # once solved, the exact plan is known: no provisional answer for it
    assert ahead.provisional(req, sess) is None


def test_weight_change_answers_at_once_with_the_plan_reweighted_then_exactly(bench):
    from camsite import config, pipeline
    from camsite.serve import Workbench

    ahead = Workbench(bench.result, prefetch=True, grid_steps=0)
    body = {"category_weights": {"vald": 3.0}}
    try:
        sess, other = ahead.new_session(), ahead.new_session()
        shown = ahead.solve(ahead.base, sess)  # the plan the page shows (the scenario's)
        req = ahead.parse(body)
        quick = ahead.provisional(req, sess)
        assert quick is not None and quick.view["provisional"] and quick.view["plan_id"] is None
        assert quick.view["provisional_basis"] == "reweighted" and quick.view["status"] == "provisional"
        assert [h["plan_id"] for h in sess.history] == [1] and sess.current == ahead.base  # nothing remembered
        exact = ahead.solve(req, sess)  # waits for the solve started in the background (or solves itself)
    finally:
        ahead.close()
    # at once: the same sites, their figures recomputed on a run with the new weights (its own rows)
    variants = sorted(s["variant"] for s in shown.view["sites"])
    assert sorted(s["variant"] for s in quick.view["sites"]) == variants
    run = pipeline.run(config.override(bench.scenario, category_weights=dict(bench.scenario.category_weights,
                                                                             vald=3.0)))
    _check_figures(quick.view, run.instance)
    assert quick.view["coverage_after_pct"] != pytest.approx(shown.view["coverage_after_pct"], abs=1e-6)
    # then exactly: a fresh exact solve of the same weights, listed once in the session with its own figures
    fresh = bench.solve(bench.parse(body), bench.new_session())
    assert exact.view["status"] == "optimal" and "provisional" not in exact.view
    assert exact.solution.objective == pytest.approx(fresh.solution.objective, abs=1e-9)
    assert exact.view["coverage_after_pct"] == pytest.approx(fresh.view["coverage_after_pct"], abs=1e-9)
    _check_figures(exact.view, run.instance)
    assert [h["plan_id"] for h in sess.history] == [1, 2] and sess.history[1]["status"] == "optimal"
    assert sess.history[1]["coverage_after_pct"] == exact.view["coverage_after_pct"]
    assert other.current == ahead.base and other.history == []  # another page's plan is its own


def test_provisional_query_without_background_solves_is_the_exact_plan(client, bench):
    plan = client.post("/api/solve?provisional=1", json={"budget_sek": 450000}).json()
    assert "provisional" not in plan and plan["status"] == "optimal"
    assert plan["objective"] == pytest.approx(bench.solve(bench.parse({"budget_sek": 450000})).solution.objective)


def test_interim_plan_by_hand():
    import scipy.sparse as sp

    from camsite.optimize import Solution, make_model
    from camsite.serve.interim import PROVISIONAL, interim_plan

    # rows (weights 5, 1, 3, 2): site 0 sees rows 0 and 1, site 1 rows 1 and 2, site 2 row 3
    cov = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=bool))
    costs = np.array([100.0, 100.0, 50.0])
    model = make_model(cov, np.array([5.0, 1.0, 3.0, 2.0]), costs)
    big = Solution(selected=np.array([0, 1, 2]), objective=11.0, bound=11.0, gap=0.0, status="optimal",
                   runtime_s=0.0, spent=250.0, total_weight=11.0)
    none = np.array([], dtype=np.int64)
    # nothing solved fits 160: cut the plan; losses per SEK: site 0 5/100, site 1 3/100, site 2 2/50 -> drop 1
    cut = interim_plan(model, [big], 160.0, costs=costs, keep=none)
    assert cut is not None and cut.selected.tolist() == [0, 2] and cut.status == PROVISIONAL
    assert (cut.objective, cut.spent) == (8.0, 150.0)  # rows 0, 1 and 3
    # site 1 forced: drop site 2 (2/50 < 5/100), then site 0: only the forced site is left
    forced = interim_plan(model, [big], 160.0, costs=costs, keep=np.array([1]))
    assert forced is not None and forced.selected.tolist() == [1] and (forced.objective, forced.spent) == (4.0, 100.0)
    # a plan solved that fits is shown as it is; nothing can be shown under the forced site's cost
    small = Solution(selected=np.array([0]), objective=6.0, bound=6.0, gap=0.0, status="optimal", runtime_s=0.0,
                     spent=100.0, total_weight=11.0)
    assert interim_plan(model, [big, small], 160.0, costs=costs, keep=none) is small
    assert interim_plan(model, [big], 60.0, costs=costs, keep=np.array([1])) is None
