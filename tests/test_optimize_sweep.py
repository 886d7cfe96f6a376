"""Budget sweeps, knees, staged plans, time limits and tolerances in camsite.optimize."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from camsite.executors import InlineExecutor
from camsite.optimize import (
    Constraints,
    SolverOptions,
    budget_sweep,
    knee,
    make_model,
    max_coverage,
    staged_plan,
    start_budget_sweep,
)
from camsite.optimize._data import abs_tolerance

# Points A (w 4), B (w 4), C (w 5). Site 0 covers {C} at cost 1; site 1 covers {A, B} at cost 2.
STAGED_COV = sp.csr_matrix(np.array([[0, 1], [0, 1], [1, 0]], dtype=bool))
STAGED_W = np.array([4.0, 4.0, 5.0])
STAGED_C = np.array([1.0, 2.0])


def test_staged_plan_nests_and_reports_shortfall() -> None:
    # Stage 1 (budget 1): only site 0 fits -> 5 of 13. Stage 2 (cumulative 2): site 0 stays, 1 SEK left, site 1
    # costs 2 -> still 5; the unconstrained optimum at 2 is site 1 alone (8 of 13): shortfall 3/13 = 23.08 points.
    # Stage 3 (cumulative 3): both sites, 100 %, no shortfall.
    plan = staged_plan(STAGED_COV, STAGED_W, STAGED_C, [1, 1, 1])
    assert plan["cumulative_budget_sek"].tolist() == [1.0, 2.0, 3.0]
    assert plan["n_sites"].tolist() == [1, 1, 2]
    assert plan["new_sites"].tolist() == ["0", "", "1"]
    assert plan["coverage_pct"].round(2).tolist() == [38.46, 38.46, 100.0]
    assert plan["optimum_coverage_pct"].round(2).tolist() == [38.46, 61.54, 100.0]
    assert plan["shortfall_pct"].round(2).tolist() == [0.0, 23.08, 0.0]
    assert (plan["status"] == "optimal").all()


def test_budget_sweep_table_and_knee() -> None:
    # Eight sites, each covering its own point, weights 8, 7, ..., 1, unit costs: coverage after b sites is
    # sum of the b largest weights out of 36: 0, 8, 15, 21, 26, 30, 33, 35, 36.
    cov = sp.csr_matrix(np.eye(8, dtype=bool))
    w = np.arange(8, 0, -1, dtype=float)
    curve = budget_sweep(cov, w, np.ones(8), range(9))
    assert list(curve.columns[:9]) == ["budget_sek", "spent_sek", "n_sites", "coverage_pct", "backup_pct",
                                       "objective", "bound", "status", "gap"]
    assert curve["objective"].tolist() == [0, 8, 15, 21, 26, 30, 33, 35, 36]
    assert curve["sites"].iloc[2] == "0;1"
    # Knee (rate rule): with 100 kSEK a site, coverage 0, 22.2, 41.7, 58.3, 72.2, 83.3, 91.7, 97.2, 100 %; over the
    # 500 kSEK after 0, 1, 2, 3 sites it rises 16.7, 13.9, 11.1, 8.3 points per 100 kSEK: the first below 10 is 3.
    k = knee(curve.assign(budget_sek=curve["budget_sek"] * 1e5), rate_pp=10.0)
    assert k is not None and k["budget_sek"] == 3e5 and k["n_sites"] == 3
    assert knee(curve.iloc[:2]) is None
    assert knee(pd.DataFrame({"budget_sek": [0, 1, 2], "coverage_pct": [0, 1, 2]})) is None  # straight line


def test_warm_start_and_explicit_start() -> None:
    rng = np.random.default_rng(3)
    cov = sp.random(200, 60, density=0.05, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 200).astype(float)
    c = rng.integers(1, 4, 60).astype(float)
    cold = max_coverage(cov, w, c, 20)
    warm = max_coverage(cov, w, c, 20, warm_start=cold.selected)
    assert warm.objective == cold.objective and warm.selected.tolist() == cold.selected.tolist()


def test_time_limit_status() -> None:
    # HiGHS only: CBC checks its time limit only between nodes, after a root that takes seconds here.
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    sol = max_coverage(cov, w, np.ones(600), 40, solver=SolverOptions(time_limit_s=0.05))
    assert sol.status == "time_limit"
    assert 0 < sol.n_sites <= 40 and sol.bound >= sol.objective and sol.gap > 0
    assert sol.objective >= sol.greedy_objective


def test_tolerance_from_the_weights() -> None:
    assert abs_tolerance(np.array([1.0, 5.0])) == 0.5  # integers: objectives differ by >= 1
    assert abs_tolerance(np.array([0.25, 1.5])) == pytest.approx(0.005)  # multiples of 0.01
    assert abs_tolerance(np.array([1 / 3, 1.0])) == pytest.approx(1e-9 * (4 / 3))  # no decimal quantum


def test_fractional_weights_are_exact() -> None:
    # Weights 1/3 and 0.3333333 differ by 3.3e-8: the optimum must still pick the larger one.
    cov = sp.csr_matrix(np.eye(2, dtype=bool))
    sol = max_coverage(cov, np.array([0.3333333, 1 / 3]), np.ones(2), 1)
    assert sol.selected.tolist() == [1] and sol.status == "optimal"


def test_solution_percentages() -> None:
    cov = sp.csr_matrix(np.array([[1, 1], [0, 1]], dtype=bool))
    sol = max_coverage(cov, np.array([3.0, 1.0]), np.ones(2), 2, backup_weight=0.5)
    # Both sites: point 0 covered twice (backup 3), point 1 once: objective 4 + 0.5 * 3 = 5.5.
    assert sol.objective == 5.5 and sol.coverage_pct == 100.0 and sol.backup_pct == 75.0
    assert "objective=5.5" in repr(sol)


def test_sweep_warm_start_never_hides_the_optimum() -> None:
    # Found by hypothesis: HiGHS 1.16 reported "optimal" with the warm start's values (13.5 at budget 7) when its
    # presolve solved the model. Row 0 (w 4) is covered by sites 2, 5; row 1 (w 9) by sites 0, 3, 4; costs
    # 5, 5, 1, 2, 2, 5, 3; backup weight 0.5. Budget 7: sites 2, 3, 4 (cost 5) -> 4 + 9 + 0.5 * 9 = 17.5.
    # Budget 11: add site 5 (cost 10) -> both rows twice: 13 + 6.5 = 19.5.
    cov = sp.csr_matrix(np.array([[0, 0, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0, 0]], dtype=bool))
    curve = budget_sweep(cov, np.array([4.0, 9.0]), np.array([5.0, 5, 1, 2, 2, 5, 3]), [0, 2, 4, 7, 11, 16],
                         backup_weight=0.5)
    assert curve["objective"].tolist() == [0.0, 9.0, 13.5, 17.5, 19.5, 19.5]


def test_lp_bound_survives_an_unknown_ipm_status() -> None:
    # Found by hypothesis: the LP relaxation by IPM without crossover ended with HiGHS status Unknown. The optimum
    # (31, checked by enumeration) must still come back with an LP bound.
    rows = [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0],
            [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 0], [1, 0, 0, 1], [1, 0, 0, 0]]
    ex = np.zeros(12, dtype=bool)
    ex[[6, 11]] = True
    cons = Constraints.build(4, groups=[1, 0, -1, 2], conflicts=[[3, 2]], forced=[False, True, False, False])
    sol = max_coverage(sp.csr_matrix(np.array(rows, dtype=bool)), np.array([5.0, 6, 10, 8, 3, 1, 4, 2, 2, 3, 1, 6]),
                       np.array([1.0, 2, 3, 2]), 8, existing=ex, constraints=cons)
    assert sol.objective == 31.0 and sol.status == "optimal" and sol.lp_bound is not None


# --- parallel sweeps, known budgets, labels -------------------------------------------------------------------------


def _random_instance(seed: int = 3) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cov = sp.csr_matrix(sp.random(300, 80, density=0.04, random_state=rng, format="csr") > 0)
    return cov, rng.integers(1, 11, 300).astype(float), rng.integers(1, 4, 80).astype(float)


SWEEP_BUDGETS = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]


def test_sweep_chains_do_not_depend_on_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from camsite.optimize import _sweep
    from camsite.optimize._sweep import _chains

    # the default: every budget alone, from its greedy solution, even after a known one
    assert _sweep.CHAIN_LENGTH == 1 and not _sweep.START_FROM_KNOWN
    known = max_coverage(*_random_instance(), 8, solver=SolverOptions(greedy=False, lp_bound=False))
    chains = _chains([float(b) for b in SWEEP_BUDGETS if b != 8], {8.0: known})
    assert [c[0] for c in chains] == [(float(b),) for b in SWEEP_BUDGETS if b != 8]
    assert all(c[1] is None for c in chains)
    # chains of 4 with warm starts (the rule still works when switched on)
    monkeypatch.setattr(_sweep, "CHAIN_LENGTH", 4)
    monkeypatch.setattr(_sweep, "START_FROM_KNOWN", True)
    chains = _chains([float(b) for b in SWEEP_BUDGETS], {})
    assert [len(c[0]) for c in chains] == [4, 3, 3] and all(c[1] is None for c in chains)
    chains = _chains([float(b) for b in SWEEP_BUDGETS if b != 8], {8.0: known})
    assert [c[0] for c in chains] == [(2.0, 4.0, 6.0), (10.0, 12.0, 14.0), (16.0, 18.0, 20.0)]
    assert chains[0][1] is None and chains[1][1] is known.selected and chains[2][1] is None


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_sweep_is_the_same_with_two_workers(solver: str) -> None:
    cov, w, c = _random_instance()
    one = budget_sweep(cov, w, c, SWEEP_BUDGETS, solver=SolverOptions(name=solver, greedy=False, lp_bound=False))
    two = budget_sweep(cov, w, c, SWEEP_BUDGETS[::-1],
                       solver=SolverOptions(name=solver, greedy=False, lp_bound=False, workers=2))
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["budget_sek"].tolist() == [float(b) for b in SWEEP_BUDGETS]  # ascending whatever the input order
    assert (one["status"] == "optimal").all() and np.all(np.diff(one["objective"]) >= 0)
    # Every point is the exact optimum: the same objective as a single max_coverage solve.
    for b, obj in zip(one["budget_sek"], one["objective"]):
        assert obj == max_coverage(cov, w, c, b, solver=SolverOptions(name=solver)).objective


def test_known_budget_is_not_solved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from camsite.optimize import CoverageModel

    cov, w, c = _random_instance()
    plain = budget_sweep(cov, w, c, SWEEP_BUDGETS)
    main = max_coverage(cov, w, c, 10)
    solved: list[float] = []
    original = CoverageModel.solve

    def spy(self: CoverageModel, budget: float, **kw: object) -> object:
        if not self.cons.forbidden.any():  # the sweep's model, not the smaller ones a solve builds inside
            solved.append(budget)
        return original(self, budget, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(CoverageModel, "solve", spy)
    with_known = budget_sweep(cov, w, c, SWEEP_BUDGETS, known={10: main, 99: main})  # 99: not a budget, ignored
    assert 10.0 not in solved and sorted(solved) == [float(b) for b in SWEEP_BUDGETS if b != 10]
    row = with_known.set_index("budget_sek").loc[10.0]
    assert row["objective"] == main.objective and row["sites"] == ";".join(map(str, main.selected))
    assert row["status"] == main.status and row["bound"] == main.bound
    pd.testing.assert_frame_equal(plain, with_known, check_exact=True)  # same rows as solving it again
    assert len(with_known) == len(SWEEP_BUDGETS)


def test_site_labels_in_tables() -> None:
    cov = sp.csr_matrix(np.eye(8, dtype=bool))
    w = np.arange(8, 0, -1, dtype=float)
    labels = [f"S{k}" for k in range(8)]
    curve = budget_sweep(cov, w, np.ones(8), [0, 2, 3], site_labels=labels)
    assert curve["sites"].tolist() == ["", "S0;S1", "S0;S1;S2"]
    assert budget_sweep(cov, w, np.ones(8), [2])["sites"].tolist() == ["0;1"]
    with pytest.raises(ValueError, match="site_labels has length 3"):
        budget_sweep(cov, w, np.ones(8), [2], site_labels=labels[:3])
    plan = staged_plan(STAGED_COV, STAGED_W, STAGED_C, [1, 1, 1], site_labels=["north", "south"])
    assert plan["new_sites"].tolist() == ["north", "", "south"]


def test_staged_plan_keeps_forced_sites_and_uses_workers() -> None:
    # Site 1 forced from the start (constraints.forced): stage 1 (budget 2) takes it (8 of 13); stage 2 adds site 0.
    cons = Constraints.build(2, forced=[1])
    plan = staged_plan(STAGED_COV, STAGED_W, STAGED_C, [2, 1], constraints=cons,
                       solver=SolverOptions(greedy=False, lp_bound=False, workers=2))
    assert plan["new_sites"].tolist() == ["1", "0"]
    assert plan["coverage_pct"].round(2).tolist() == [61.54, 100.0]
    assert plan["shortfall_pct"].tolist() == [0.0, 0.0]


def test_sweep_time_limit_applies_to_each_budget() -> None:
    import time

    # The 3000 x 600 instance is not solved to optimality in 0.2 s at these budgets: each point gets 0.2 s, so the
    # sweep of three budgets on one worker ends within 3 x (0.2 s + slack).
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    t0 = time.perf_counter()
    curve = budget_sweep(cov, w, np.ones(600), [30, 35, 40], solver=SolverOptions(time_limit_s=0.2))
    assert time.perf_counter() - t0 <= 3 * (0.2 + 0.3)
    assert (curve["status"] == "time_limit").all() and (curve["bound"] >= curve["objective"]).all()
    assert (curve["gap"] > 0).all()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_started_curve_equals_the_sweep_with_the_main_budget_solved_meanwhile(workers: int) -> None:
    """The curve's budgets run in the background while the caller solves the skipped one: the same table as
    budget_sweep, the skipped budget's row made from the caller's solution; a skipped budget not handed
    over is an error, and cancel ends the workers."""
    rng = np.random.default_rng(7)
    cov = sp.random(300, 60, density=0.05, random_state=rng, format="csr") > 0
    w = rng.integers(1, 10, 300).astype(float)
    c = rng.integers(1, 4, 60).astype(float)
    opts = SolverOptions(greedy=False, lp_bound=False, workers=workers)
    budgets = [3.0, 6.0, 9.0, 12.0]
    pending = start_budget_sweep(cov, w, c, budgets, solver=opts, skip=[6.0])
    main = max_coverage(cov, w, c, 6.0)  # solved here while the others run
    table = pending.table({6.0: main})
    pd.testing.assert_frame_equal(table, budget_sweep(cov, w, c, budgets, solver=opts))
    assert table.loc[table["budget_sek"] == 6.0, "objective"].item() == main.objective
    with pytest.raises(ValueError, match="skipped but are not known"):
        start_budget_sweep(cov, w, c, budgets, solver=opts, skip=[6.0]).table()
    start_budget_sweep(cov, w, c, budgets, solver=opts, skip=[6.0]).cancel()


def test_a_budget_on_a_worker_does_not_depend_on_what_the_worker_solved_before() -> None:
    """The executor's tasks share one model per worker: a budget solved after others (one worker, every task)
    equals the same budget solved alone on a fresh model, and the table equals the local pool's."""
    rng = np.random.default_rng(7)
    cov = sp.random(160, 50, density=0.08, random_state=3, format="csr") > 0
    w, c = rng.integers(1, 9, 160).astype(float), rng.integers(1, 4, 50).astype(float)
    budgets = [4.0, 8.0, 12.0, 16.0]
    opts = SolverOptions(greedy=False, lp_bound=False, workers=2)
    shared = start_budget_sweep(cov, w, c, budgets, solver=opts, executor=InlineExecutor()).table()
    pooled = start_budget_sweep(cov, w, c, budgets, solver=opts).table()
    pd.testing.assert_frame_equal(shared, pooled)
    for b, sites in zip(budgets, shared["sites"], strict=True):
        alone = make_model(cov, w, c).solve(b, solver=opts)
        assert ";".join(map(str, alone.selected)) == sites
