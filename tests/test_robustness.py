"""Robustness: selection frequencies on a hand-made instance, regret, the tables, the CLI's errors."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from camsite import stages
from camsite.cameras import CameraModels
from camsite.executors import InlineExecutor
from camsite.robustness import analyse, sample_seeds
from camsite.robustness.perturb import Draw
from camsite.robustness.sample import Outcome, draw_for, evaluate, make_context
from camsite.robustness.tables import alternative_table, jaccard, site_table
from factory import incidents, inputs, invoke, network, one_error_line, points, scenario

X0, Y0 = 152000.0, 6580000.0
#: Mounting points: A (x=100) sees one violence incident, C (x=500) five of each category, B (x=900) one drug incident.
SITES = {"A": 100.0, "C": 500.0, "B": 900.0}


def _case(**robustness: Any) -> SimpleNamespace:
    """A run of the hand-made street: one dome (30 m, cost 100) per mounting point, budget for two."""
    net = network([[(0, 0), (1000, 0)]], names=["Långgatan"], origin=(X0, Y0))
    rows = [("a", "vald", 1, None, "point", "", (X0 + 100, Y0 + 1)),
            ("b", "narkotika", 1, None, "point", "", (X0 + 900, Y0 + 1))]
    rows += [(f"c{i}", cat, 1, None, "point", "", (X0 + 500 + i, Y0 + 1)) for i in range(5)
             for cat in ("vald", "narkotika")]
    mounts = points([(X0 + x, Y0) for x in SITES.values()], site_id=list(SITES))
    inp = inputs(net, incidents=incidents(rows), mounting_points=mounts)
    s = scenario(category_weights={"vald": 1.0, "narkotika": 1.0, "ovrigt": 0.0},
                 demand={"street_weight_per_m": 0.0, "snap_distance_m": 5.0},
                 candidates={"spacing_m": 0, "intersections": False, "min_distance_to_existing_m": 0},
                 camera_types=[{"name": "dome", "range_m": 30, "capex_sek": 100}],
                 optimization={"budget_sek": 200},
                 robustness={"bootstrap": False, "jitter": False, "weights": False, "ranges": False, **robustness})
    cams = CameraModels.of(["dome"], range_m=[30.0], fov_deg=[360.0], cost_sek=[100.0])
    inst = stages.build_instance(inp, s.demand, s.candidates, cams, category_weights=s.category_weights)
    sol = stages.solve(inst, stages.MaxCoverage(200.0), stages.constraints_for(inst, s.optimization),
                       stages.solver_options(s.optimization))
    return SimpleNamespace(scenario=s, inputs=inp, instance=inst, solution=sol)


def _site(res: SimpleNamespace, name: str) -> str:
    """The candidate site id at mounting point ``name``."""
    x = X0 + SITES[name]
    cands = res.instance.candidates
    return str(cands.loc[np.isclose(cands.geometry.x, x), "site_id"].iloc[0])


@pytest.fixture(scope="module")
def weights_case() -> SimpleNamespace:
    return _case(weights=True)


def test_hand_made_instance_is_what_the_test_assumes(weights_case: SimpleNamespace) -> None:
    inst = weights_case.instance
    assert len(inst.candidates) == 3
    # C sees the 10 incidents at x = 500..504 (weight 10), A and B one each: the plan is C and A or B
    chosen = set(inst.candidates["site_id"].to_numpy()[weights_case.solution.selected])
    assert _site(weights_case, "C") in chosen and len(chosen) == 2
    assert math.isclose(weights_case.solution.objective, 11.0)


def test_weight_factors_split_two_symmetric_sites_and_keep_the_dominant_one(weights_case: SimpleNamespace) -> None:
    n = 60
    rob = analyse(weights_case, samples=n, seed=3, sensitivity=False)
    freq = rob.sites.set_index("site_id")["frequency"]
    a, b, c = (_site(weights_case, k) for k in "ABC")
    assert freq[c] == 1.0  # 5 x 0.5 + 5 x 0.5 = 5 > 2 x 1 at worst: always chosen
    assert math.isclose(freq[a] + freq[b], 1.0)  # exactly one of the pair each time
    assert 0.3 <= freq[a] <= 0.7  # P = 1/2 (independent log-uniform factors); 60 draws: 3.9 sd
    assert c in rob.stable_core and a not in rob.stable_core and b not in rob.stable_core
    # each sample: A iff the violence factor exceeds the drug factor (recomputed from the sample's own draw)
    ctx = make_context(weights_case.scenario, weights_case.inputs, weights_case.instance,
                       weights_case.solution.selected)
    assert ctx.reweight_ok
    for row, seed in zip(rob.samples.itertuples(), sample_seeds(3, n)):
        f = draw_for(ctx, seed).category_factors
        expect = a if f["vald"] > f["narkotika"] else b
        assert set(row.sites.split(";")) == {c, expect}
        assert math.isclose(row.sample_optimum, 5 * f["vald"] + 5 * f["narkotika"] + max(f["vald"], f["narkotika"]))
        in_plan = _site(weights_case, "A") in set(weights_case.instance.candidates["site_id"].to_numpy()[
            weights_case.solution.selected])
        main_extra = f["vald"] if in_plan else f["narkotika"]
        assert math.isclose(row.main_plan_value, 5 * f["vald"] + 5 * f["narkotika"] + main_extra)
        assert math.isclose(row.regret_pct, 100 * (row.sample_optimum - row.main_plan_value) / row.sample_optimum)
        assert not row.rebuilt  # weights only: the base rows reweighted, no new coverage


def test_bootstrap_follows_the_resampled_counts() -> None:
    res = _case(bootstrap=True)
    n = 30
    rob = analyse(res, samples=n, seed=11, sensitivity=False)
    ctx = make_context(res.scenario, res.inputs, res.instance, res.solution.selected)
    a, b, c = (_site(res, k) for k in "ABC")
    checked = 0
    for row, seed in zip(rob.samples.itertuples(), sample_seeds(11, n)):
        counts = draw_for(ctx, seed).counts
        assert counts is not None and counts.sum() == 12
        na, nb, nc = counts[0], counts[1], counts[2:].sum()
        assert math.isclose(row.sample_optimum, nc + max(na, nb)) or nc == 0
        if na != nb and nc > max(na, nb):
            assert set(row.sites.split(";")) == {c, a if na > nb else b}
            checked += 1
    assert checked >= n // 2


def test_unperturbed_draw_reproduces_the_main_plan(weights_case: SimpleNamespace) -> None:
    ctx = make_context(weights_case.scenario, weights_case.inputs, weights_case.instance,
                       weights_case.solution.selected)
    out = evaluate(ctx, 0, 0, Draw())
    assert out.regret_pct == 0.0 and math.isclose(out.optimum, 11.0) and math.isclose(out.total, 12.0)
    # a cost factor of 1.6 leaves budget 200 for one camera (160 each): C alone, and the main plan is over budget
    out = evaluate(ctx, 0, 0, Draw(cost_factor=1.6))
    assert out.sites == (_site(weights_case, "C"),) and math.isclose(out.optimum, 10.0)


def test_range_draw_rebuilds_and_a_short_range_loses_the_far_incidents(weights_case: SimpleNamespace) -> None:
    ctx = make_context(weights_case.scenario, weights_case.inputs, weights_case.instance,
                       weights_case.solution.selected)
    # range 30 m x 0.1 = 3 m: C sees x = 500..503 (two incidents each), not 504; A and B their own incident
    out = evaluate(ctx, 0, 0, Draw(range_factors=np.array([0.1])))
    assert out.rebuilt and math.isclose(out.optimum, 9.0)


def test_sensitivity_cases_move_one_assumption(weights_case: SimpleNamespace) -> None:
    rob = analyse(weights_case, samples=1, seed=0, sensitivity=True)
    t = rob.sensitivity
    assert t is not None
    base = t[t["level"] == "base"].iloc[0]
    assert math.isclose(base["coverage_pct"], 100 * 11 / 12)
    vald_hi = t[(t["assumption"] == "category:vald") & (t["level"] == "high")].iloc[0]
    # violence x 2: A (2) beats B (1); total 2 x 6 + 6 = 18, covered 10 + 5 + 2 = 17
    assert math.isclose(vald_hi["coverage_pct"], 100 * 17 / 18)
    cost_hi = t[(t["assumption"] == "camera_cost") & (t["level"] == "high")].iloc[0]
    assert cost_hi["n_sites"] == 1 and math.isclose(cost_hi["coverage_pct"], 100 * 10 / 12)
    assert set(t["assumption"]) == {"base", "street_weight", "category:vald", "category:narkotika",
                                    "camera_range", "camera_cost"}


def _outcome(i: int, sites: tuple[str, ...]) -> Outcome:
    return Outcome(index=i, seed=i, status="optimal", gap=0.0, objective=1.0, optimum=1.0, main_value=1.0,
                   total=2.0, sites=sites, rebuilt=False)


def test_tables_by_hand() -> None:
    outs = [_outcome(0, ("p", "q")), _outcome(1, ("p", "r")), _outcome(2, ("r", "p")), _outcome(3, ("p", "q")),
            _outcome(4, ("p", "r"))]
    where = pd.DataFrame({"easting": [0.0, 3.0, 0.0], "northing": [0.0, 4.0, 8.0], "lon": 0.0, "lat": 0.0},
                         index=pd.Index(["p", "q", "r"]))
    t = site_table(outs, ["p", "q"], where, stable_share=0.8).set_index("site_id")
    assert t.loc["p", "frequency"] == 1.0 and t.loc["q", "frequency"] == 0.4 and t.loc["r", "frequency"] == 0.6
    assert t.loc["p", "mean_rank"] == pytest.approx((1 + 1 + 2 + 1 + 1) / 5)
    assert t.loc["r", "mean_rank"] == pytest.approx((2 + 1 + 2) / 3)
    assert list(t["stable"]) == ["yes", "no", "no"] and t.loc["r", "in_main_plan"] == "no"
    alt = alternative_table(outs, ["p", "q"], where)
    assert alt.iloc[0].to_dict() == {"site_id": "r", "frequency": 0.6, "replaces": "q", "replaces_share": 1.0,
                                     "distance_m": 5.0}
    assert jaccard(["p", "q"], ["p", "r"]) == pytest.approx(1 / 3)
    # a tie between two missing main-plan sites goes to the nearer one: r (0, 8) is 5 m from q (3, 4), 8 m from p
    tie = [_outcome(0, ("r",)), _outcome(1, ("r",))]
    alt = alternative_table(tie, ["p", "q"], where)
    assert alt.iloc[0]["replaces"] == "q" and alt.iloc[0]["distance_m"] == 5.0
    alt = alternative_table(tie, ["q", "p"], where.assign(easting=[0.0, 30.0, 0.0]))
    assert alt.iloc[0]["replaces"] == "p" and alt.iloc[0]["distance_m"] == 8.0


def test_same_seed_same_samples_and_other_seed_differs(weights_case: SimpleNamespace) -> None:
    one = analyse(weights_case, samples=8, seed=5, sensitivity=False, executor=InlineExecutor())
    two = analyse(weights_case, samples=8, seed=5, sensitivity=False)
    other = analyse(weights_case, samples=8, seed=6, sensitivity=False)
    pd.testing.assert_frame_equal(one.samples, two.samples)
    # another seed draws other data: the samples' optima differ, not only their seeds
    assert not one.samples["sample_optimum"].equals(other.samples["sample_optimum"])


def test_switching_one_perturbation_off_keeps_the_others_draws(weights_case: SimpleNamespace) -> None:
    ctx = make_context(weights_case.scenario, weights_case.inputs, weights_case.instance,
                       weights_case.solution.selected)
    both = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, bootstrap=True))
    assert draw_for(both, 42).category_factors == draw_for(ctx, 42).category_factors


@pytest.mark.parametrize(("args", "fragment"), [
    (["--samples", "0"], "--samples: must be between 1"),
    (["--seed", "-1"], "--seed: must be 0 or more"),
    (["--workers", "0"], "--workers: must be 1 or more"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler: cannot reach the Dask scheduler"),
])
@pytest.mark.usefixtures("quick_dask_probe")
def test_bad_options_give_one_error_line(tmp_path: Any, args: list[str], fragment: str) -> None:
    from factory import DEFAULT_SCENARIO

    r = invoke("robustness", DEFAULT_SCENARIO, "--out", tmp_path / "o", "--no-progress", *args)
    one_error_line(r.stderr, r.exit_code, 2, fragment)
    assert not (tmp_path / "o").exists()


@pytest.mark.usefixtures("quick_dask_probe")
def test_run_robustness_bad_options_fail_before_the_run(tmp_path: Any) -> None:
    from factory import DEFAULT_SCENARIO

    r = invoke("run", DEFAULT_SCENARIO, "--out", tmp_path / "o", "--robustness", "0")
    one_error_line(r.stderr, r.exit_code, 2, "--robustness: must be between 1")
    r = invoke("run", DEFAULT_SCENARIO, "--out", tmp_path / "o", "--robustness", "2", "--scheduler",
               "tcp://127.0.0.1:9")
    one_error_line(r.stderr, r.exit_code, 2, "--scheduler: cannot reach the Dask scheduler")
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from factory import fridhemsplan_data, write_scenario

    folder = tmp_path_factory.mktemp("rob")
    path = write_scenario(folder, fridhemsplan_data(250, name="liten", robustness={"ranges": False}), name="s.toml")
    r = invoke("robustness", path, "--samples", "5", "--seed", "4", "--workers", "2", "--out", folder / "o",
               "--no-progress")
    return folder / "o", r


def test_cli_writes_the_tables_and_the_report_parts(cli_run: Any) -> None:
    import pyogrio
    from openpyxl import load_workbook

    out, r = cli_run
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Robusthet: 5 urval")
    sites = pd.read_csv(out / "robustness.csv")
    assert tuple(sites.columns) == ("site_id", "frequency", "n_chosen", "mean_rank", "in_main_plan", "stable",
                                    "place_id", "place_frequency", "place_stable", "nearby_alternatives",
                                    "swap_margin_pct", "best_swap", "best_swap_m", "easting", "northing", "lon", "lat")
    main = pd.read_csv(out / "sites.csv")
    assert set(sites.loc[sites["in_main_plan"] == "yes", "site_id"]) == set(main["site_id"])
    samples = pd.read_csv(out / "samples.csv")
    assert list(samples["sample"]) == [0, 1, 2, 3, 4] and list(samples["seed"]) == sample_seeds(4, 5)
    # frequencies recomputed from the samples' site lists
    counts = pd.Series([s for row in samples["sites"] for s in row.split(";")]).value_counts() / 5
    for rec in sites.itertuples():
        assert rec.frequency == pytest.approx(counts.get(rec.site_id, 0.0))
    assert ((samples["regret_pct"] >= -1e-6) | (samples["status"] != "optimal")).all()
    assert (samples["regret_pct"] - 100 * (samples["sample_optimum"] - samples["main_plan_value"])
            / samples["sample_optimum"]).abs().max() < 1e-9
    ratio = samples["main_plan_coverage_pct"] / samples["sample_coverage_pct"]
    assert (ratio - samples["main_plan_value"] / samples["sample_optimum"]).abs().max() < 1e-9
    assert (out / "tornado.png").read_bytes()[:4] == b"\x89PNG"
    sens = pd.read_csv(out / "sensitivity.csv")
    assert sens.loc[0, "assumption"] == "base" and sens.loc[0, "change_pp"] == 0.0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="robustness"' in html and "Hur säker är planen?" in html and "data:image/png;base64," in html
    assert "Känslighet: ett antagande i taget" in html and "Vikt för gaturum" in html
    assert "Robusthet" in load_workbook(out / "inventory.xlsx").sheetnames
    layer = pyogrio.read_dataframe(out / "camsite.gpkg", layer="robustness")
    assert len(layer) == len(sites) and layer.crs.to_epsg() == 3011


@pytest.mark.usefixtures("no_deliverables")  # the tables are the subject, not the report files
def test_run_with_robustness_adds_the_tables(tmp_path: Any) -> None:
    from factory import fridhemsplan_data, write_scenario

    path = write_scenario(tmp_path, fridhemsplan_data(200, name="liten"), name="s.toml")
    r = invoke("run", path, "--no-curve", "--robustness", "2", "--workers", "1", "--out", tmp_path / "o",
               "--no-progress", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "Robustness: 2 samples" in r.stdout
    assert len(pd.read_csv(tmp_path / "o" / "samples.csv")) == 2 and (tmp_path / "o" / "robustness.csv").is_file()
    t = pd.read_csv(tmp_path / "o" / "robustness.csv")
    plan = t[t["in_main_plan"] == "yes"]
    margin = plan["swap_margin_pct"].dropna()
    assert len(margin) and (margin >= -1e-9).all()  # the plan is optimal: no single swap beats it
    assert t.loc[t["in_main_plan"] == "no", "swap_margin_pct"].isna().all()


def test_missing_dask_is_one_actionable_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import sys

    from factory import DEFAULT_SCENARIO

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    r = invoke("robustness", DEFAULT_SCENARIO, "--scheduler", "tcp://127.0.0.1:9", "--out", tmp_path / "o")
    one_error_line(r.stderr, r.exit_code, 2, "--scheduler: needs dask.distributed: pip install 'camsite[dask]'")


def test_every_label_the_robustness_outputs_use_is_translated() -> None:
    import re
    from pathlib import Path

    from camsite.i18n import tr

    root = Path(__file__).resolve().parents[1] / "src" / "camsite"
    text = "".join((root / f).read_text(encoding="utf-8") for f in (
        "report/_robustness.py", "report/_robustness_files.py", "cli/robustness.py", "cli/options.py"))
    keys = set(re.findall(r'tr\("((?:rob|oat)_[a-z_]+)"', text))
    keys |= {f"oat_{a}" for a in ("street_weight", "footfall", "camera_range", "camera_cost", "category")}
    assert len(keys) > 20
    for key in keys:
        for lang in ("sv", "en"):
            assert tr(key, lang) != key, key
    assert tr("oat_title", "sv") != tr("oat_title", "en")


def test_jitter_moves_each_incident_within_its_precision_class() -> None:
    """Each recorded position moves within its own uncertainty as the model reads it: a point or intersection
    over its disc, a street incident on its street along it; what the model already spreads over its whole
    uncertainty (a street incident off its street, an area or station incident) stays."""
    import geopandas as gpd
    import shapely

    from camsite.robustness.perturb import StreetIndex, moved_incidents

    net = network([[(0, 0), (1000, 0)], [(500, 0), (500, 300)]], names=["Långgatan", "Korsgatan"], origin=(X0, Y0))
    district = shapely.box(X0, Y0 - 50, X0 + 200, Y0 + 50)
    districts = gpd.GeoDataFrame({"name": ["Testdistrikt"]}, geometry=[district], crs=net.crs)
    inc = incidents([("p", "vald", 1, None, "intersection", "", (X0 + 500, Y0)),
                     ("s", "vald", 2, None, "street", "Korsgatan", (X0 + 900, Y0 + 900)),
                     ("a", "vald", 1, None, "area", "", (X0 + 800, Y0)),
                     ("t", "vald", 1, None, "station", "", (X0 + 700, Y0)),
                     ("l", "vald", 1, None, "street", "Långgatan", (X0 + 300, Y0 + 2))])
    inc["district"] = ["", "", "testdistrikt", "", ""]
    streets = StreetIndex.build(net.edges, shapely.box(X0 - 100, Y0 - 100, X0 + 1100, Y0 + 400), districts)
    lang = net.edges.geometry.iloc[0]
    moved_l = 0
    for seed in range(20):
        out = moved_incidents(inc, streets, np.random.default_rng(seed), jitter_m=10.0, positions="all")
        g = out.geometry.to_numpy()
        assert 0 < g[0].distance(inc.geometry.iloc[0]) <= 10.0 and out["precision"].iloc[0] == "intersection"
        assert g[1].equals(inc.geometry.iloc[1]) and out["precision"].iloc[1] == "street"  # off its street
        assert g[2].equals(inc.geometry.iloc[2]) and out["precision"].iloc[2] == "area"
        assert g[4].distance(lang) < 1e-6 and g[4].distance(inc.geometry.iloc[4]) <= 10.0 + 1e-6
        assert out["precision"].iloc[4] == "street"
        assert out["weight"].tolist() == inc["weight"].tolist()  # nobody's weight changes
        moved_l += not g[4].equals(inc.geometry.iloc[4])
        assert g[3].equals(inc.geometry.iloc[3]) and out["precision"].iloc[3] == "station"
    assert moved_l == 20
