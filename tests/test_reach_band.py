"""The highest reachable share under the side constraints, and the budget curve's robustness band."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from camsite.config import OptimizationConfig
from camsite.errors import SolverError
from camsite.optimize import Constraints, SolverOptions
from camsite.robustness import band
from camsite.robustness.perturb import Draw
from camsite.robustness.sample import evaluate, make_context
from camsite.stages import objectives
from camsite.stages._reach import highest_reach
from factory import fridhemsplan_data, invoke, write_scenario
from test_objectives import _instance
from test_robustness import _case, _site

# -- the highest reachable share ---------------------------------------------------------------------------------
# test_objectives' hand instance: incident rows 0-5 (weights 1, 1, 1, 1, 1, 5; 10 in all), every one seen by some
# site. Sites 2 (row 5, cost 3) and 3 (row 4, cost 1) may not both be chosen: the best plan sees rows 0-3 (sites
# 0 and 1, or 4) and row 5 (site 2), 9 of 10; pruned of what adds nothing it is sites 0, 1, 2 for 1 + 1 + 3.
CONFLICT = Constraints.build(5, conflicts=[[2, 3]])


def test_highest_reach_under_a_conflict_by_hand() -> None:
    inst = _instance()
    reach = highest_reach(inst, inst.rows.for_points(objectives.incident_mask(inst)), CONFLICT, SolverOptions())
    assert (reach.found_pct, reach.bound_pct, reach.cost_sek, reach.n_sites, reach.proven) == (90.0, 90.0, 5.0, 3,
                                                                                              True)


def test_target_point_out_of_reach_gives_the_highest_share_and_its_cost() -> None:
    pts = objectives.target_points(_instance(), CONFLICT, SolverOptions(), shares=(0.5, 0.95))
    # 5 of 10 is reachable: site 2 alone (row 5) or sites 0, 1, 3 (rows 0-4), each for 3
    assert pts[0]["status"] == "optimal" and pts[0]["cost_sek"] == 3.0
    fail = pts[1]
    assert fail["status"] == "unreachable" and fail.get("cost_sek") is None
    assert (fail["max_incident_pct"], fail["max_incident_bound_pct"], fail["max_plan_cost_sek"],
            fail["max_plan_n_sites"]) == (90.0, 90.0, 5.0, 3)


def test_min_cost_out_of_reach_names_the_highest_share_and_its_cost() -> None:
    cfg = OptimizationConfig(budget_sek=1.0, objective="min_cost", target_incident_share=0.95)
    with pytest.raises(SolverError, match=r"no plan sees 95\.0 % of the incident weight: at most 90\.0 % under the "
                                          r"side constraints \(a plan of 3 sites for 5 kr sees 90\.0 %\)"):
        objectives.solve_min_cost(_instance(), cfg, CONFLICT, SolverOptions(), {})


# -- the robustness band ------------------------------------------------------------------------------------------
# test_robustness' hand-made street: A sees one violence incident, C five of each category, B one drug incident
# (12 incidents, each fully seen). Curve plans [C] and [A, C] see 10 and 11 of 12.
def _variants(case: object, *names: str) -> tuple[str, ...]:
    cands = case.instance.candidates  # type: ignore[attr-defined]
    return tuple(str(v) for n in names for v in cands.loc[cands["site_id"] == _site(case, n), "variant"])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def street() -> object:
    return _case(weights=True)


def test_curve_plans_measured_on_each_sample_by_hand(street: object) -> None:
    plans = (_variants(street, "C"), _variants(street, "A", "C"))
    ctx = make_context(street.scenario, street.inputs, street.instance, street.solution.selected,  # type: ignore[attr-defined]
                       curve_plans=plans)
    got = evaluate(ctx, 0, 0, Draw()).curve_incident_pct
    assert got == pytest.approx((100 * 10 / 12, 100 * 11 / 12))
    # violence weighs 2: 18 in all; [C] sees 2 * 5 + 5 = 15, [A, C] 2 * 6 + 5 = 17
    got = evaluate(ctx, 0, 0, Draw(category_factors={"vald": 2.0})).curve_incident_pct
    assert got == pytest.approx((100 * 15 / 18, 100 * 17 / 18))


def test_band_percentiles_by_hand_and_never_falling() -> None:
    # three samples over budgets 2, 1 (given out of order); per sample a budget keeps the best plan up to it
    out = band.curve_band([2.0, 1.0], [(9.0, 10.0), (30.0, 20.0), (31.0, 30.0)])
    assert out is not None and out["budget_sek"].tolist() == [1.0, 2.0]
    # budget 1: 10, 20, 30 -> p10 = 12, p90 = 28; budget 2: max(10, 9), max(20, 30), max(30, 31) = 10, 30, 31
    assert out["incident_p10_pct"].tolist() == pytest.approx([12.0, 14.0])
    assert out["incident_p90_pct"].tolist() == pytest.approx([28.0, 30.8])
    assert band.curve_band([1.0], []) is None


def test_unperturbed_samples_give_a_band_on_the_curve(street: object) -> None:
    plans = (_variants(street, "C"), _variants(street, "A", "C"))
    ctx = make_context(street.scenario, street.inputs, street.instance, street.solution.selected,  # type: ignore[attr-defined]
                       curve_plans=plans)
    shares = [evaluate(ctx, i, 0, Draw()).curve_incident_pct for i in range(3)]
    out = band.curve_band([100.0, 200.0], shares)
    assert out is not None
    for col in band.BAND_COLUMNS:
        assert out[col].tolist() == pytest.approx([100 * 10 / 12, 100 * 11 / 12])


@pytest.mark.slow
def test_run_with_robustness_draws_the_band(tmp_path: Path) -> None:
    sweep = {"start": 100000, "stop": 300000, "step": 100000}
    path = write_scenario(tmp_path, fridhemsplan_data(200, optimization={"budget_sek": 200000, "budget_sweep": sweep}),
                          name="s.toml")
    r = invoke("run", path, "--robustness", "3", "--workers", "1", "--out", tmp_path / "o", "--no-progress")
    assert r.exit_code == 0, r.stderr
    curve = pd.read_csv(tmp_path / "o" / "budget_curve.csv")
    cols = list(curve.columns)
    assert cols[cols.index("incident_pct") + 1:cols.index("incident_pct") + 3] == list(band.BAND_COLUMNS)
    lo, hi = curve["incident_p10_pct"].to_numpy(float), curve["incident_p90_pct"].to_numpy(float)
    assert np.isfinite(lo).all() and (lo <= hi + 1e-9).all() and (np.diff(lo) >= -1e-9).all()
    assert 'class="band"' in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    page = (tmp_path / "o" / "underlag.html").read_text(encoding="utf-8")
    assert "10:e–90:e percentilen" in page and not math.isnan(lo[0])


def test_a_target_point_stopped_at_its_limit_says_so_with_its_bound(caplog: pytest.LogCaptureFixture) -> None:
    """A time-limited target point gives one warning with its cost, its proven lower bound, the gap and how to
    prove it; a proven one gives none."""
    from camsite.optimize import Solution
    from camsite.stages.objectives import _warn_unproven

    sol = Solution(selected=np.array([1, 2]), objective=11_706_000.0, bound=11_298_000.0,
                   gap=(11_706_000 - 11_298_000) / 11_706_000, status="time_limit", runtime_s=3.0)
    with caplog.at_level("WARNING", logger="camsite.stages.objectives"):
        _warn_unproven(0.25, sol, SolverOptions(time_limit_s=3.0))
        _warn_unproven(0.25, Solution(selected=np.array([1]), objective=5.0, bound=5.0, gap=0.0, status="optimal",
                                      runtime_s=0.1), SolverOptions(time_limit_s=3.0))
        # the city's 25 % point: stopped before its LP gave a bound (HiGHS reports 0), so no bound is claimed
        _warn_unproven(0.25, Solution(selected=np.array([1, 2]), objective=17_388_000.0, bound=0.0, gap=1.0,
                                      status="time_limit", runtime_s=3.0), SolverOptions(time_limit_s=3.0))
        # the default scenario's 25 % point: its greedy start 13 % above the LP bound, the MIP left out
        _warn_unproven(0.25, Solution(selected=np.array([1, 2]), objective=11_706_000.0, bound=10_351_651.0,
                                      gap=(11_706_000 - 10_351_651) / 11_706_000, status="time_limit", runtime_s=0.5,
                                      reduction={"mip_skipped": 1}),
                       SolverOptions(time_limit_s=3.0, max_start_gap=0.05))
    assert [r.getMessage() for r in caplog.records] == [
        "the cheapest plan for 25 % of the incidents is not proven within 3 s: 11,706,000 kr, at least 11,298,000 kr "
        "(gap 3.5 %); `camsite run --prove` proves it with the scenario's time limit, and later runs on the same data "
        "reuse the proof",
        "the cheapest plan for 25 % of the incidents is not proven within 3 s: 17,388,000 kr, no lower bound yet; "
        "`camsite run --prove` proves it with the scenario's time limit, and later runs on the same data "
        "reuse the proof",
        "the cheapest plan for 25 % of the incidents is not proven (its start lies over 5 % above the LP bound: "
        "seconds of the MIP do not close that): 11,706,000 kr, at least 10,351,651 kr (gap 11.6 %); "
        "`camsite run --prove` proves it with the scenario's time limit, and later runs on the same data "
        "reuse the proof"]


def test_a_target_point_far_beyond_the_curve_stands_at_its_edge() -> None:
    """A 25 % point at 11.7 MSEK beside a curve ending at 2 MSEK: the axis is not stretched to it (no tick past
    2.5), the point stands at the curve's end pointing right, its label gives its cost; a near point stays a
    triangle at its cost."""
    from camsite.report.svg import curve_svg

    curve = pd.DataFrame({"budget_sek": [1e6, 2e6], "coverage_pct": [5.0, 8.0], "incident_pct": [7.0, 11.0]})
    far = {"target_incident_share": 0.25, "cost_sek": 11_700_000.0, "incident_pct": 25.0, "n_sites": 108}
    near = {"target_incident_share": 0.1, "cost_sek": 1_900_000.0, "incident_pct": 10.0, "n_sites": 12}
    svg = curve_svg(curve, budget=1.5e6, after=9.0, before=1.0, knee=None, labels=dict.fromkeys(
                        ("curve_title", "curve_x", "curve_y", "before_line", "chosen_budget", "knee", "n_sites",
                         "not_proven_point", "target_points"), "t"),
                    locale_fmt=lambda v, d: f"{v:.{d}f}", targets=[far, near])
    assert svg.count('class="target-point"') == 2
    assert ">25 %: 11.7 M<" in svg and ">10 %<" in svg
    ticks = [float(t) for t in re.findall(r'text-anchor="middle">([0-9.]+)</text>', svg)]
    assert ticks and max(ticks) <= 2.5
