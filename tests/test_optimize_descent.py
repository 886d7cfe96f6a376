"""Threshold descent (camsite.optimize._descent): checked against every plan of small instances with made-up
bounds, and with the real Lagrangian and restricted MIPs against the plain MIP on random instances."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import SolverOptions, _descent, _maxcov, make_model
from camsite.optimize._descent import descend
from camsite.optimize._fixing import lagrangian_of
from camsite.optimize._model import Deadline, solve_lp


def _toy(seed: int) -> tuple[list[tuple[frozenset[int], float]], np.ndarray]:
    """Every plan of at most 3 of 8 sites with a random value (supersets worth at least their parts), and a valid
    bound per site: the best plan using it, plus a random slack."""
    rng = np.random.default_rng(seed)
    single = rng.uniform(1, 10, 8)
    plans = [(frozenset(p), float(single[list(p)].sum() * rng.uniform(0.6, 1.0)) if p else 0.0)
             for k in range(4) for p in itertools.combinations(range(8), k)]
    best = np.array([max(v for p, v in plans if j in p) for j in range(8)])
    return plans, best + rng.uniform(0, 3, 8)


@pytest.mark.parametrize("seed", range(20))
def test_the_descent_finds_the_optimum_of_every_plan(seed: int) -> None:
    plans, bounds = _toy(seed)
    value = dict(plans)
    calls: list[int] = []

    def solve_kept(keep: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray | None, str]:
        calls.append(int(keep.sum()))
        inside = [(p, v) for p, v in plans if all(keep[j] for j in p)]
        p, _ = max(inside, key=lambda pv: pv[1])
        return np.array(sorted(p), dtype=np.int64), "optimal"

    d = descend(bounds, float(bounds.max()), None, solve_kept, lambda loc: value[frozenset(loc.tolist())],
                first_kept=1, max_kept=8, tol=1e-12)
    true = max(v for _, v in plans)
    assert d.optimal and not d.stopped and d.value == pytest.approx(true)
    assert value[frozenset(d.local.tolist())] == pytest.approx(true)
    assert calls == sorted(calls) and calls[0] >= 1  # each round keeps at least as many sites


@pytest.mark.parametrize("seed", range(20))
def test_a_short_descent_gives_a_plan_and_a_valid_bound(seed: int) -> None:
    """With room for 2 sites only, the descent may not prove anything: its plan is a real plan and its bound is
    never below the optimum."""
    plans, bounds = _toy(seed)
    value = dict(plans)

    def solve_kept(keep: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray | None, str]:
        inside = [(p, v) for p, v in plans if all(keep[j] for j in p)]
        return np.array(sorted(max(inside, key=lambda pv: pv[1])[0]), dtype=np.int64), "optimal"

    d = descend(bounds, float(bounds.max()), None, solve_kept, lambda loc: value[frozenset(loc.tolist())],
                first_kept=1, max_kept=2, tol=1e-12)
    true = max(v for _, v in plans)
    assert d.local is not None and d.value == pytest.approx(value[frozenset(d.local.tolist())])
    assert d.bound >= true - 1e-9 and d.value <= true + 1e-9
    assert not d.optimal or d.value == pytest.approx(true)


@pytest.mark.parametrize("seed", range(4))
def test_the_descent_from_nothing_reaches_the_plain_optimum(seed: int) -> None:
    """The real thing: the LP's Lagrangian, restricted MIPs, an empty plan as the only known one (so plain fixing
    forbids nothing); the optimum equals the MIP's without fixing, recomputed from the matrix."""
    rng = np.random.default_rng(200 + seed)
    cov = sp.random(600, 120, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 600).astype(float)
    c = rng.choice([1.0, 1.5], 120)
    model, budget = make_model(cov, w, c), 12.0
    mip = model._build()
    backend = model._backend("highs", False)
    cuts = model._set_budget(backend, budget)
    lp = solve_lp(backend, deadline=Deadline(None), abs_gap=model.tol)
    lag = lagrangian_of(mip.model, mip.budget_row, budget, cuts, mip.x, lp.row_duals)
    assert lag is not None
    empty = np.zeros(0, dtype=np.int64)
    d = descend(lag.bound + np.minimum(lag.reduced[mip.x], 0.0), lag.bound, (empty, 0.0),
                model._kept_solver(budget, SolverOptions(), Deadline(None)), model._reduced_objective,
                first_kept=3, max_kept=len(mip.x), tol=model.tol)
    plain = model.with_sites().solve(budget, solver=SolverOptions(fixing=False))
    assert d.optimal and d.local is not None
    selected = model.red.sites[d.local]
    seen = np.asarray(cov[:, selected].sum(axis=1)).ravel() > 0
    assert w[seen].sum() == pytest.approx(plain.objective, abs=plain.tolerance) and c[selected].sum() <= budget


def test_a_solve_takes_the_descent_when_fixing_keeps_too_many(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """With a weak start (no swaps, no restricted MIP) plain fixing keeps more than the share allowed here, so the
    solve descends; it ends at the plain optimum."""
    rng = np.random.default_rng(7)
    cov = sp.random(600, 120, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 600).astype(float)
    c = rng.choice([1.0, 1.5], 120)
    model = make_model(cov, w, c)
    monkeypatch.setattr(_maxcov, "MAX_FIXED_SHARE", 0.3)
    monkeypatch.setattr(_descent, "FIRST_KEPT", 2)
    monkeypatch.setattr(_maxcov.CoverageModel, "_better_start", lambda self, warm, *a, **k: warm)
    with caplog.at_level(logging.DEBUG, logger="camsite.optimize"):
        sol = model.solve(12, solver=SolverOptions())
    plain = model.with_sites().solve(12, solver=SolverOptions(fixing=False))
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("threshold descent")]
    assert said and said[0].endswith("(optimal)"), said
    assert sol.status == "optimal" and sol.objective == pytest.approx(plain.objective, abs=sol.tolerance)
