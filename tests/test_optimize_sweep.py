"""Budget sweeps, knees, staged plans, time limits and tolerances in camsite.optimize."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from camsite.optimize import budget_sweep, knee, max_coverage, staged_plan
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
    # Knee: scaled coverage minus scaled budget = (cum/36 - b/8): 0, .097, .167, .208, .222, .208, .167, .097, 0.
    k = knee(curve)
    assert k is not None and k["budget_sek"] == 4.0 and k["n_sites"] == 4
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
    sol = max_coverage(cov, w, np.ones(600), 40, time_limit=0.05)
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
    sol = max_coverage(sp.csr_matrix(np.array(rows, dtype=bool)), np.array([5.0, 6, 10, 8, 3, 1, 4, 2, 2, 3, 1, 6]),
                       np.array([1.0, 2, 3, 2]), 8, existing=ex, groups=[1, 0, -1, 2], conflicts=[[3, 2]],
                       forced=[False, True, False, False])
    assert sol.objective == 31.0 and sol.status == "optimal" and sol.lp_bound is not None
