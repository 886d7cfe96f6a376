"""Property tests for camsite.optimize on random instances, checked against brute force.

Every optimum here is also computed independently by enumerating all site subsets
(at most 2**7) with plain numpy, so the tests do not trust the code under test.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camsite.optimize import Constraints, SolverOptions, budget_sweep, max_coverage, min_cost_cover

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn, *, side: bool = True) -> dict:
    n_dem = draw(st.integers(1, 12))
    n_sites = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dense = rng.random((n_dem, n_sites)) < draw(st.sampled_from([0.15, 0.3, 0.5]))
    quarter = draw(st.booleans())
    weights = rng.integers(0, 11, n_dem) / (4.0 if quarter else 1.0)
    costs = rng.integers(1, 6, n_sites).astype(float)
    inst = {
        "dense": dense, "coverage": sp.csr_matrix(dense), "weights": weights, "costs": costs,
        "budget": float(draw(st.integers(0, 15))),
        "existing": rng.random(n_dem) < 0.2 if draw(st.booleans()) else None,
        "backup_weight": draw(st.sampled_from([0.0, 0.0, 0.5])),
        "groups": None, "conflicts": None, "forced": None, "site_type": None, "max_per_type": None,
    }
    if side and draw(st.booleans()):
        inst["groups"] = rng.integers(-1, 3, n_sites)
    if side and n_sites > 1 and draw(st.booleans()):
        inst["conflicts"] = rng.integers(0, n_sites, (2, 2))
    if side and draw(st.booleans()):
        inst["forced"] = np.arange(n_sites) == rng.integers(0, n_sites)
    if side and draw(st.booleans()):
        inst["site_type"] = rng.choice(["dome", "bullet"], n_sites)
        inst["max_per_type"] = {"dome": int(rng.integers(0, 3))}
    return inst


def feasible(inst: dict, subset: tuple[int, ...], budget: float) -> bool:
    if inst["costs"][list(subset)].sum() > budget + 1e-9:
        return False
    if inst["groups"] is not None:
        g = inst["groups"][list(subset)]
        g = g[g >= 0]
        if len(np.unique(g)) < len(g):
            return False
    if inst["conflicts"] is not None:
        for a, b in inst["conflicts"]:
            if a != b and a in subset and b in subset:
                return False
    if inst["forced"] is not None and not set(np.flatnonzero(inst["forced"])) <= set(subset):
        return False
    if inst["site_type"] is not None:
        n_dome = sum(inst["site_type"][j] == "dome" for j in subset)
        if n_dome > inst["max_per_type"]["dome"]:
            return False
    return True


def value(inst: dict, subset: tuple[int, ...]) -> float:
    dense, w = inst["dense"], inst["weights"]
    ex = np.zeros(len(w), int) if inst["existing"] is None else inst["existing"].astype(int)
    count = ex + dense[:, list(subset)].sum(axis=1)
    return float(w @ (count >= 1) + inst["backup_weight"] * (w @ (count >= 2)))


def brute_max(inst: dict, budget: float) -> float | None:
    """The optimum by enumeration, or None when no subset is feasible."""
    m = inst["dense"].shape[1]
    vals = [value(inst, s) for r in range(m + 1) for s in itertools.combinations(range(m), r)
            if feasible(inst, s, budget)]
    return max(vals) if vals else None


def solve(inst: dict, budget: float | None = None, *, reduce: bool = True, **opts: object):
    cons = Constraints.build(inst["dense"].shape[1], groups=inst["groups"], conflicts=inst["conflicts"],
                             forced=inst["forced"], site_type=inst["site_type"], max_per_type=inst["max_per_type"])
    return max_coverage(inst["coverage"], inst["weights"], inst["costs"],
                        inst["budget"] if budget is None else budget, existing=inst["existing"],
                        backup_weight=inst["backup_weight"], constraints=cons, solver=SolverOptions(**opts),
                        reduce=reduce)


@SETTINGS
@given(instances())
def test_max_coverage_matches_brute_force(inst: dict) -> None:
    sol = solve(inst)
    best = brute_max(inst, inst["budget"])
    if best is None:  # e.g. the forced site costs more than the budget
        assert sol.status == "infeasible" and sol.selected.size == 0
        return
    sel = tuple(sol.selected.tolist())
    assert sol.status == "optimal" and sol.gap == 0.0
    assert list(sel) == sorted(sel)
    assert feasible(inst, sel, inst["budget"])  # budget and side constraints respected
    assert sol.objective == pytest.approx(value(inst, sel), abs=1e-9)  # recomputed independently
    assert sol.objective == pytest.approx(best, abs=1e-9)
    assert sol.spent == pytest.approx(inst["costs"][list(sel)].sum())
    # exact >= greedy; LP bound >= exact
    assert sol.greedy_objective is not None and sol.greedy_objective <= sol.objective + 1e-9
    assert feasible(inst, tuple(sol.greedy_selected.tolist()), inst["budget"])
    assert sol.lp_bound is not None and sol.lp_bound >= sol.objective - 1e-6


@SETTINGS
@given(instances())
def test_reductions_keep_the_optimum_and_runs_repeat(inst: dict) -> None:
    full = solve(inst, reduce=False, tie_break="none")
    if full.status == "infeasible":
        assert solve(inst).status == "infeasible"
        return
    red = solve(inst)
    assert red.objective == pytest.approx(full.objective, abs=1e-9)
    again = solve(inst)
    assert again.selected.tolist() == red.selected.tolist()  # deterministic
    lex = solve(inst, tie_break="lexicographic")
    assert lex.objective == pytest.approx(full.objective, abs=1e-9)
    assert lex.selected.sum() + len(lex.selected) <= red.selected.sum() + len(red.selected)


@settings(max_examples=15, deadline=None)
@given(instances())
def test_highs_and_cbc_agree(inst: dict) -> None:
    a = solve(inst, name="highs")
    b = solve(inst, name="cbc")
    assert a.status == b.status
    if a.status == "infeasible":
        return
    assert a.objective == pytest.approx(b.objective, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(instances(side=False))
def test_coverage_never_decreases_with_budget(inst: dict) -> None:
    curve = budget_sweep(inst["coverage"], inst["weights"], inst["costs"], [0, 2, 4, 7, 11, 16],
                         existing=inst["existing"], backup_weight=inst["backup_weight"])
    assert (curve["status"] == "optimal").all()
    assert (curve["spent_sek"] <= curve["budget_sek"] + 1e-9).all()
    assert np.all(np.diff(curve["objective"].to_numpy()) >= -1e-9)
    for b, obj in zip(curve["budget_sek"], curve["objective"]):
        assert obj == pytest.approx(brute_max(inst, b), abs=1e-9)


@SETTINGS
@given(instances(side=False), st.sampled_from([1.0, 0.5, 0.8]))
def test_min_cost_cover_matches_brute_force(inst: dict, target: float) -> None:
    dense, w, c = inst["dense"], inst["weights"], inst["costs"]
    ex = np.zeros(len(w), bool) if inst["existing"] is None else inst["existing"]
    coverable = dense.any(axis=1)
    m = dense.shape[1]
    best = np.inf
    for r in range(m + 1):
        for s in itertools.combinations(range(m), r):
            cov = ex | dense[:, list(s)].any(axis=1)
            ok = bool(np.all(cov | ~coverable)) if target >= 1 else w[cov].sum() >= target * w.sum() - 1e-9
            if ok:
                best = min(best, c[list(s)].sum())
    sol = min_cost_cover(inst["coverage"], c, weights=w, target=target, existing=inst["existing"])
    if np.isinf(best):
        assert sol.status == "infeasible"
        return
    assert sol.status == "optimal" and sol.objective == pytest.approx(best)
    cov = ex | dense[:, sol.selected].any(axis=1)
    if target >= 1:
        assert np.all(cov | ~coverable)
        assert sol.uncoverable.tolist() == np.flatnonzero(~coverable & ~ex).tolist()
    else:
        assert w[cov].sum() >= target * w.sum() - 1e-9
    assert sol.greedy_objective is None or sol.greedy_objective >= sol.objective - 1e-9
