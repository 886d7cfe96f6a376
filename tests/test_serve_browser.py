"""The workbench page in headless Chromium: slider, force, remove, export; figures = the API's.

uvicorn serves the app in a thread on a free port; every request that is not
to that server is aborted and recorded (the page must work offline).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import factory


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from camsite.serve import Workbench, create_app, loopback_hosts

    folder = tmp_path_factory.mktemp("serve")
    # background solves on, as camsite serve runs, less the grid after loading (CPU the other tests need)
    bench = Workbench.load(factory.write_scenario(folder, factory.fridhemsplan_data()), grid_steps=0)
    port = _free_port()
    exports = folder / "plans"
    app = create_app(bench, export_dir=exports, allowed_hosts=loopback_hosts(port))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", bench, exports
    srv.should_exit = True
    thread.join(timeout=10)
    bench.close()


def _api(base: str, body: dict) -> dict:
    req = urllib.request.Request(base + "/api/solve", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def _figures(page) -> dict:
    """The figures the page shows, from the cells' raw values."""
    return page.evaluate("""() => {
        const v = (id) => document.getElementById(id).dataset.value;
        const kinds = {};
        for (const tr of document.querySelectorAll('#fig-kinds tr')) {
            kinds[tr.dataset.kind] = [Number(tr.querySelector('.before').dataset.value),
                                      Number(tr.querySelector('.after').dataset.value)];
        }
        const sites = [...document.querySelectorAll('#sites tbody tr')].map((r) => r.dataset.site);
        return {spent: Number(v('fig-spent')), n: Number(v('fig-n')), status: v('fig-status'), kinds, sites,
                budget: Number(document.getElementById('budget-input').value)};
    }""")


def _same(page, plan: dict) -> None:
    f = _figures(page)
    assert f["spent"] == pytest.approx(plan["spent_sek"]) and f["n"] == len(plan["sites"])
    assert f["status"] == plan["status"] and f["budget"] == pytest.approx(plan["budget_sek"])
    assert f["sites"] == [s["site_id"] for s in plan["sites"]]
    assert f["kinds"]["total"] == pytest.approx([plan["coverage_before_pct"], plan["coverage_after_pct"]])
    for k in plan["coverage_by_kind"]:
        assert f["kinds"][k["kind"]] == pytest.approx([k["before_pct"], k["after_pct"]])


def _wait_new_plan(page, old: str) -> str:
    page.wait_for_function("(old) => document.body.dataset.plan !== old && !document.body.dataset.busy", arg=old,
                           timeout=60_000)
    return page.evaluate("document.body.dataset.plan")


def test_workbench_page(server, browser):
    base, bench, exports = server
    page, outside, errors = factory.open_offline(browser, base + "/", base + "/", width=1400, ready_timeout_ms=30_000)
    assert page.locator("#save").inner_text() == "Spara plan"
    plan_id = page.evaluate("document.body.dataset.plan")
    state = _api(base, {})
    _same(page, state)
    assert page.locator("#candidates circle").count() == len(bench.site_ids)

    # the budget slider
    page.locator("#budget-range").fill("800000")
    plan_id = _wait_new_plan(page, plan_id)
    _same(page, _api(base, {"budget_sek": 800000}))

    # force a candidate that is not in the plan
    shown = set(_figures(page)["sites"])
    site = next(s for s in bench.site_ids if s not in shown)
    page.dispatch_event(f'#candidates circle[data-site="{site}"]', "click")
    page.click("#act-force")
    plan_id = _wait_new_plan(page, plan_id)
    plan = _api(base, {"budget_sek": 800000, "forced": [site]})
    _same(page, plan)
    assert site in _figures(page)["sites"]

    # remove an existing camera from the "before" state
    page.dispatch_event('#existing circle[data-camera="ILL-01"]', "click")
    page.click("#act-camera")
    plan_id = _wait_new_plan(page, plan_id)
    plan = _api(base, {"budget_sek": 800000, "forced": [site], "removed_existing": ["ILL-01"]})
    _same(page, plan)
    assert plan["coverage_before_pct"] < state["coverage_before_pct"]
    assert page.locator('#existing circle.removed[data-camera="ILL-01"]').count() == 1

    # undo goes back to the plan before, the history holds all four
    assert page.locator("#history li").count() == 4
    page.click("#undo")
    plan_id = _wait_new_plan(page, plan_id)
    _same(page, _api(base, {"budget_sek": 800000, "forced": [site]}))
    page.click('summary[data-l="wb_history"]')
    page.click("#history li:last-child button")
    plan_id = _wait_new_plan(page, plan_id)
    assert page.locator("#compare tr").count() >= 5

    # save: a run folder whose sites are the page's
    page.click("#save")
    page.wait_for_selector("#save-result[data-folder]", timeout=120_000)
    folder = Path(page.locator("#save-result").get_attribute("data-folder"))
    sites = pd.read_csv(folder / "sites.csv", dtype=str)
    assert sites["site_id"].tolist() == _figures(page)["sites"]
    assert folder.parent == exports and (exports / f"{folder.name}.toml").exists()

    # a changed category weight: listed under "Ändringar" (old -> new), the figures the API's for that request
    cat = bench.adjustable[0]
    old = bench.category_weights[cat]
    new = 2.0 if old != 2.0 else 1.0
    page.click('summary[data-l="wb_weights"]')  # open the weights panel
    page.locator(f"#weight-{cat}").fill(str(new))  # a range input: sets the value and fires change
    plan_id = _wait_new_plan(page, plan_id)
    asked = page.evaluate("() => app.plan.request")
    assert asked["category_weights"][cat] == new
    _same(page, _api(base, asked))
    row = page.locator(f'#changes .change[data-category="{cat}"]')
    assert row.count() == 1 and row.locator("span").inner_text().endswith(f"{old:.1f} → {new:.1f}".replace(".", ","))
    row.locator("button").click()  # restore: the list is empty again
    _wait_new_plan(page, plan_id)
    assert page.locator("#changes .change[data-category]").count() == 0

    page.click("#lang-switch")
    assert page.locator("#save").inner_text() == "Save plan"
    assert outside == [] and errors == []
