"""Reduced-cost fixing (camsite.optimize._fixing): the Lagrangian bound holds for every plan whatever the
multipliers, a site it forbids is in no plan as good as the incumbent, a site it forces is in every such plan
(both checked against all plans of small instances), and solves with and without fixing reach the same optimum."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import SolverOptions, make_model
from camsite.optimize._budget_cuts import count_cuts
from camsite.optimize._fixing import lagrangian, lagrangian_of
from camsite.optimize._model import Deadline, open_backend, solve_lp


def _instance(seed: int, n_points: int = 30, n_sites: int = 11) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cov = sp.csr_matrix(rng.random((n_points, n_sites)) < 0.2)
    return cov, rng.integers(1, 10, n_points).astype(float), rng.choice([2.0, 3.0], n_sites)


def _plans(model, budget: float) -> list[tuple[np.ndarray, float]]:  # type: ignore[no-untyped-def]
    """Every plan within the budget, as (local site indices, reduced objective): brute force."""
    c = model.c[model.red.sites]
    out = []
    for k in range(len(c) + 1):
        for combo in itertools.combinations(range(len(c)), k):
            local = np.asarray(combo, dtype=np.int64)
            if c[local].sum() <= budget + 1e-9:
                out.append((local, model._reduced_objective(local)))
    return out


def _lagrangian(model, budget: float, duals_from_lp: bool = True, seed: int = 0):  # type: ignore[no-untyped-def]
    mip = model._build()
    backend = open_backend("highs", mip.model)
    backend.set_row_bounds(mip.budget_row, -np.inf, budget)
    cuts = count_cuts(model.c[model.red.sites], budget)
    for coef, upper in cuts:
        nz = np.flatnonzero(coef)
        backend.add_row(mip.x[nz], coef[nz], -np.inf, upper)
    lp = solve_lp(backend, deadline=Deadline(None), abs_gap=1e-9)
    assert lp.status == "optimal" and lp.row_duals is not None
    duals = lp.row_duals if duals_from_lp else np.random.default_rng(seed).normal(size=len(lp.row_duals))
    return lagrangian_of(mip.model, mip.budget_row, budget, cuts, mip.x, duals), lp, mip


@pytest.mark.parametrize("seed", range(6))
def test_the_lagrangian_bounds_every_plan_and_fixes_only_what_no_better_plan_uses(seed: int) -> None:
    cov, w, c = _instance(seed)
    model = make_model(cov, w, c, reduce=False)
    budget = 9.0
    lag, lp, mip = _lagrangian(model, budget)
    plans = _plans(model, budget)
    best = max(v for _, v in plans)
    assert lag.bound >= best - 1e-9  # weak duality, recomputed here from every plan
    assert lag.bound == pytest.approx(lp.objective, abs=1e-6)  # with the LP's optimal duals it is the LP bound
    for incumbent in sorted({v for _, v in plans})[-4:]:  # the four best plan values as incumbents
        fix = lag.fixable(mip.x, incumbent=incumbent)
        as_good = [set(p.tolist()) for p, v in plans if v >= incumbent - 1e-9]
        for k in np.flatnonzero(fix.forbid):
            assert all(k not in p for p in as_good)
        for k in np.flatnonzero(fix.force):
            assert all(k in p for p in as_good)


@pytest.mark.parametrize("seed", range(4))
def test_any_multipliers_give_a_valid_bound(seed: int) -> None:
    cov, w, c = _instance(seed)
    model = make_model(cov, w, c, reduce=False)
    lag, lp, _ = _lagrangian(model, 8.0, duals_from_lp=False, seed=seed)
    assert lag.bound >= max(v for _, v in _plans(model, 8.0)) - 1e-9
    assert lag.bound >= lp.objective - 1e-9  # random multipliers never beat the LP's own duals


def test_fixing_on_a_tiny_instance_by_hand() -> None:
    # max x0 + 3 x1 + 6 x2 s.t. x0 + x1 + x2 <= 1.5 (three sites of unit cost, each seeing one point of weight
    # 1, 3, 6; budget 1.5). The LP takes site 2 and half of site 1 (7.5); the row's dual is 3 (site 1 is
    # fractional), the reduced costs -2, 0, 3, and L = 3 * 1.5 + 0 + 0 + 3 = 7.5. With the plan {2} (6) known:
    # site 0 gives at most 7.5 - 2 = 5.5 < 6 (out), a plan without site 2 at most 7.5 - 3 = 4.5 < 6 (in).
    cols = np.arange(3)
    lag = lagrangian(sp.csr_matrix(np.ones((1, 3))), np.array([-np.inf]), np.array([1.5]), np.zeros(3), np.ones(3),
                     np.array([1.0, 3.0, 6.0]), np.array([3.0]))
    assert lag is not None and lag.bound == pytest.approx(7.5)
    assert lag.reduced.tolist() == pytest.approx([-2.0, 0.0, 3.0])
    fix = lag.fixable(cols, incumbent=6.0)
    assert fix.forbid.tolist() == [True, False, False] and fix.force.tolist() == [False, False, True]
    fix = lag.fixable(cols, incumbent=5.0)  # a worse known plan: site 0 (5.5 > 5) stays, site 2 is still in
    assert fix.forbid.tolist() == [False, False, False] and fix.force.tolist() == [False, False, True]


@pytest.mark.parametrize("seed", range(5))
def test_fixing_reaches_the_same_optimum(seed: int, caplog: pytest.LogCaptureFixture) -> None:
    rng = np.random.default_rng(100 + seed)
    cov = sp.random(600, 120, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 600).astype(float)
    c = rng.choice([1.0, 1.5], 120)
    model = make_model(cov, w, c)
    with caplog.at_level(logging.DEBUG, logger="camsite.optimize"):
        fixed = model.solve(12, solver=SolverOptions())
    plain = model.with_sites().solve(12, solver=SolverOptions(fixing=False))
    assert fixed.status == plain.status == "optimal"
    assert fixed.objective == pytest.approx(plain.objective, abs=fixed.tolerance)
    seen = np.asarray(cov[:, fixed.selected].sum(axis=1)).ravel() > 0  # recomputed from the matrix
    assert fixed.objective == pytest.approx(w[seen].sum(), rel=1e-12) and c[fixed.selected].sum() <= 12
    fixings = [r.args for r in caplog.records if r.getMessage().startswith("reduced-cost fixing")]
    assert fixings and fixings[0][4] > 0  # type: ignore[index]  # the top solve forbade some sites
