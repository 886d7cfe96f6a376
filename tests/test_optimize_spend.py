"""Spending groups (districts sharing one budget): rows ``min <= sum_{j in d} c_j x_j <= max`` in the exact
max-coverage model. A two-district instance solved by hand, and random small instances checked against every
plan (brute force), with reduced-cost fixing, the reductions, the greedy start and the tie-break on."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import Constraints, SolverOptions, Spend, max_coverage
from camsite.optimize import _maxcov as maxcov_mod

INF = float("inf")


def _two_districts() -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """District A: sites 0, 1 see 6 and 4 (separate points); district B: sites 2, 3 see 5 and 3.

    Every site costs 100. Points: 0 (w 6, site 0), 1 (w 4, site 1), 2 (w 5, site 2), 3 (w 3, site 3).
    """
    cov = sp.csr_matrix(np.eye(4, dtype=bool))
    return cov, np.array([6.0, 4.0, 5.0, 3.0]), np.full(4, 100.0)


def _cons(lower: list[float], upper: list[float], n: int = 4, group: list[int] | None = None) -> Constraints:
    grp = [0, 0, 1, 1] if group is None else group
    return Constraints.build(n, spend=Spend(group=grp, cost=np.full(n, 100.0), lower=lower, upper=upper))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_two_districts_by_hand(solver: str) -> None:
    cov, w, c = _two_districts()
    opts = SolverOptions(name=solver)
    # 200 for the city, no limits: the two best sites, 6 (A) and 5 (B)
    free = max_coverage(cov, w, c, 200, constraints=_cons([0, 0], [INF, INF]), solver=opts)
    assert free.selected.tolist() == [0, 2] and free.objective == pytest.approx(11.0)
    # 300: the money moves to A, whose next site sees 4 against B's 3
    more = max_coverage(cov, w, c, 300, constraints=_cons([0, 0], [INF, INF]), solver=opts)
    assert more.selected.tolist() == [0, 1, 2] and more.objective == pytest.approx(15.0)
    # B must spend at least 200: the plan becomes 0, 2, 3 (14 instead of 15), by hand
    minimum = max_coverage(cov, w, c, 300, constraints=_cons([0, 200], [INF, INF]), solver=opts)
    assert minimum.selected.tolist() == [0, 2, 3] and minimum.objective == pytest.approx(14.0)
    assert minimum.status == "optimal"
    # A may spend at most 100: at 300 the third site is B's (6 + 5 + 3)
    capped = max_coverage(cov, w, c, 300, constraints=_cons([0, 0], [100, INF]), solver=opts)
    assert capped.selected.tolist() == [0, 2, 3] and capped.objective == pytest.approx(14.0)
    # B at least 300: more than its two sites cost: infeasible
    none = max_coverage(cov, w, c, 400, constraints=_cons([0, 300], [INF, INF]), solver=opts)
    assert none.status == "infeasible"


def test_a_minimum_keeps_sites_that_see_nothing_new() -> None:
    """B's only other site sees what A's site sees: the reductions would drop it as dominated or empty, but B's
    minimum needs it."""
    cov = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 0]], dtype=bool))  # site 2 (B) sees point 0, as site 0 (A)
    w, c = np.array([5.0, 1.0]), np.full(3, 100.0)
    cons = Constraints.build(3, spend=Spend(group=[0, 0, 1], cost=c, lower=[0, 100], upper=[INF, INF]))
    sol = max_coverage(cov, w, c, 200, constraints=cons)
    assert sol.status == "optimal" and sol.selected.tolist() == [1, 2] and sol.objective == pytest.approx(6.0)


def _brute(cov: sp.csr_matrix, w: np.ndarray, c: np.ndarray, budget: float, cons: Constraints) -> float:
    best = -INF
    dense = cov.toarray()
    for k in range(len(c) + 1):
        for combo in itertools.combinations(range(len(c)), k):
            sites = list(combo)
            if c[sites].sum() > budget + 1e-9 or not cons.spend_ok(sites):
                continue
            g = cons.groups[sites]
            if len(np.unique(g[g >= 0])) < int((g >= 0).sum()):
                continue
            best = max(best, float(w @ dense[:, sites].any(axis=1)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_random_instances_match_every_plan(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    n_sites, n_points = 11, 28
    cov = sp.csr_matrix(rng.random((n_points, n_sites)) < 0.2)
    w = rng.integers(1, 10, n_points).astype(float)
    c = rng.choice([2.0, 3.0], n_sites)
    group = rng.integers(-1, 2, n_sites)
    lower = [float(rng.choice([0.0, 3.0, 5.0])), 0.0]
    upper = [INF, float(rng.choice([4.0, 6.0, INF]))]
    pairs = np.arange(n_sites) // 2 if seed % 2 else None  # variants of one physical site, on odd seeds
    cons = Constraints.build(n_sites, groups=pairs, spend=Spend(group=group, cost=c, lower=lower, upper=upper))
    budget = 11.0
    expect = _brute(cov, w, c, budget, cons)
    sol = max_coverage(cov, w, c, budget, constraints=cons)
    if expect == -INF:
        assert sol.status == "infeasible"
        return
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(expect)
    assert cons.spend_ok(sol.selected) and c[sol.selected].sum() <= budget + 1e-9
    nofix = max_coverage(cov, w, c, budget, constraints=cons, solver=SolverOptions(fixing=False, tie_break="none"))
    assert nofix.objective == pytest.approx(expect)


def test_fixing_with_minimum_rows_stays_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reduced-cost fixing runs (its restricted model is solved) on instances whose minimum row binds, and the
    answer is still every plan's best."""
    calls: list[Any] = []
    original = maxcov_mod.CoverageModel._solve_fixed

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(maxcov_mod.CoverageModel, "_solve_fixed", spy)
    monkeypatch.setattr(maxcov_mod, "MAX_FIXED_SHARE", 1.0)  # fix whenever the duals fix anything
    checked = 0
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        n_sites = 12
        cov = sp.csr_matrix(rng.random((30, n_sites)) < 0.15)
        w = rng.integers(1, 10, 30).astype(float)
        c = rng.choice([2.0, 3.0], n_sites)
        group = np.r_[np.zeros(6, int), np.ones(6, int)]
        cons = Constraints.build(n_sites, spend=Spend(group=group, cost=c, lower=[0.0, 6.0], upper=[INF, INF]))
        free = max_coverage(cov, w, c, 8.0)
        if cons.spend_ok(free.selected):
            continue  # the minimum does not bind here
        sol = max_coverage(cov, w, c, 8.0, constraints=cons)
        assert sol.objective == pytest.approx(_brute(cov, w, c, 8.0, cons))
        assert sol.objective < free.objective + 1e-9
        checked += 1
    assert checked >= 5 and calls  # binding minimums were solved, and fixing ran on some of them
