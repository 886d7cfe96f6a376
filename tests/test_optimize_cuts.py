"""The budget's count rows, the swap local search and the HiGHS guard they needed (hand cases, brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from camsite.optimize import Constraints, SolverOptions, max_coverage
from camsite.optimize._budget_cuts import count_cuts
from camsite.optimize._local import improve


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.floats(0, 300), st.integers(0, 3))
def test_count_rows_hold_for_every_affordable_plan(p1: int, p2: int, budget: float, n_free: int) -> None:
    """Every row holds for every plan within the budget (brute force over all subsets of 6-9 sites)."""
    costs = np.r_[np.full(3, float(p1)), np.full(3, float(p2)), np.zeros(n_free)]
    rows = count_cuts(costs, budget)
    plans = [list(s) for k in range(len(costs) + 1) for s in itertools.combinations(range(len(costs)), k)
             if costs[list(s)].sum() <= budget]
    for coef, upper in rows:
        assert max(float(coef[s].sum()) for s in plans) <= upper + 1e-9
        assert (coef[costs == 0] == 0).all()


def test_count_row_tightens_the_lp_bound() -> None:
    # three sites of 2 at budget 5, each seeing its own point of weight 1: the LP buys 2.5 sites, the count
    # row allows 2, so the reported LP bound is the integer optimum 2
    sol = max_coverage(sp.identity(3, format="csr", dtype=bool), np.ones(3), np.full(3, 2.0), 5.0)
    assert sol.objective == 2.0 and sol.lp_bound == pytest.approx(2.0)


def test_two_prices_by_hand() -> None:
    # 108 and 150 kSEK at 1.5 MSEK: at most 13 sites, and 8 n_108 + 11 n_150 <= 110 (from the points
    # (13, 0), (6, 5) and (0, 10): 8*13 = 104, 8*6 + 11*5 = 103, 11*10 = 110)
    rows = count_cuts(np.array([108e3, 150e3]), 1.5e6)
    assert [(r[0].tolist(), r[1]) for r in rows] == [([8.0, 11.0], 110.0), ([1.0, 1.0], 13.0)]


def test_local_search_never_loses_and_stays_feasible() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        cov = sp.csr_matrix(sp.random(60, 25, density=0.12, random_state=rng) > 0)
        w = rng.integers(1, 10, 60).astype(float)
        c = rng.integers(1, 4, 25).astype(float)
        groups = np.repeat(np.arange(13), 2)[:25]
        cons = Constraints.build(25, groups=groups, conflicts=[[0, 4], [6, 9]])
        idx = np.arange(25)
        start = np.array([1, 7]) if c[[1, 7]].sum() <= 6 else np.array([1])
        plan = improve(cov, w, np.zeros(60, bool), c, 6.0, cons, idx, 0.0, start, tol=0.5)
        seen = np.asarray(cov[:, plan].sum(axis=1)).ravel() > 0
        before = np.asarray(cov[:, start].sum(axis=1)).ravel() > 0
        assert w[seen].sum() >= w[before].sum()
        assert c[plan].sum() <= 6.0
        g = groups[plan]
        assert len(set(g.tolist())) == len(g)
        assert not ({0, 4} <= set(plan.tolist()) or {6, 9} <= set(plan.tolist()))


def test_lexicographic_tie_break_when_highs_returns_the_start() -> None:
    """HiGHS 1.16 solved this tie-break in presolve and returned its start's values ({0, 2, 3}: index cost 8)
    with the objective of {0, 3} (5). Both see 17 at budget 5; the smaller index sum wins."""
    d = np.array([[0, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1, 0], [1, 0, 1, 0, 0, 1, 0],
                  [0, 1, 0, 1, 0, 0, 1]], dtype=bool)
    cons = Constraints.build(7, groups=[-1, 2, 2, -1, -1, 0, -1])
    sol = max_coverage(sp.csr_matrix(d), np.array([5.0, 3, 3, 8, 1]), np.array([2.0, 1, 1, 2, 4, 3, 3]), 5.0,
                       constraints=cons, solver=SolverOptions(tie_break="lexicographic"))
    assert (sol.objective, sol.selected.tolist()) == (pytest.approx(17.0), [0, 3])
