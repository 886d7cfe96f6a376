"""A solve stopped at its time limit reports its plan's recomputed value, the solver's bound and the gap between
them, and logs no warning for it; a proven optimum that disagrees with its own plan is an internal error."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize import SolverOptions, _maxcov, make_model, max_coverage
from camsite.optimize._model import Outcome

#: Three points seen by one site each (weights 1, 2, 3), unit costs.
COV = sp.csr_matrix(np.eye(3, dtype=bool))
W = np.array([1.0, 2.0, 3.0])


def test_a_time_limited_solve_reports_its_plans_value(caplog: pytest.LogCaptureFixture) -> None:
    # The random instance of test_optimize's time-limit test: not solved in 0.01 s.
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    with caplog.at_level(logging.DEBUG, logger="camsite.optimize"):
        sol = max_coverage(cov, w, np.ones(600), 40, solver=SolverOptions(time_limit_s=0.01))
    assert sol.status == "time_limit"
    seen = np.asarray(cov[:, sol.selected].sum(axis=1)).ravel() > 0  # recomputed here, from the matrix
    assert sol.objective == pytest.approx(w[seen].sum(), rel=1e-12)
    assert sol.bound >= sol.objective
    assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.objective, rel=1e-12)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def _scripted(monkeypatch: pytest.MonkeyPatch, status: str, objective: float, bound: float,
              sites: list[int]) -> Any:
    """A model of COV whose solver answers ``status``, ``objective`` and ``bound`` with ``sites`` chosen."""
    model = make_model(COV, W, np.ones(3), reduce=False)
    mip = model._build()
    values = np.zeros(mip.model.n_cols)
    values[mip.x[sites]] = 1.0
    monkeypatch.setattr(_maxcov, "solve_mip", lambda *a, **k: Outcome(status, objective, bound, 0.0, values))
    return model


def test_a_plan_that_sees_more_than_the_solver_counted(monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    # Sites 1 and 2 see weight 2 + 3 = 5; the solver, stopped early, counted only 2 and proved 5.5 at most.
    model = _scripted(monkeypatch, "time_limit", 2.0, 5.5, [1, 2])
    with caplog.at_level(logging.DEBUG, logger="camsite.optimize"):
        sol = model.solve(2, solver=SolverOptions(greedy=False, lp_bound=False, fixing=False))
    assert (sol.status, sol.objective, sol.bound) == ("time_limit", 5.0, 5.5)
    assert sol.gap == pytest.approx(0.1)  # (5.5 - 5) / 5
    assert sol.selected.tolist() == [1, 2]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and "its sites see" in r.getMessage()]
    assert len(debug) == 1 and "counted 2, its sites see 5" in debug[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(("objective", "bound"), [(6.0, 6.0), (3.0, 4.0)])
def test_a_proven_optimum_that_disagrees_with_its_plan_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                                   objective: float, bound: float) -> None:
    # The plan {1, 2} sees 5: an optimum of 6 counts weight no chosen site sees; one of 3 with a bound of 4 is
    # beaten by its own plan by more than the gap it was proven to (0.5: half the weights' quantum of 1).
    model = _scripted(monkeypatch, "optimal", objective, bound, [1, 2])
    with pytest.raises(SolverError, match="internal error: the solver's optimum"):
        model.solve(2, solver=SolverOptions(greedy=False, lp_bound=False, fixing=False, tie_break="none"))


def test_an_optimum_within_the_gap_tolerance_is_reported_as_recomputed(monkeypatch: pytest.MonkeyPatch,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    # The solver stops within its absolute gap with a plan it counted at 4.9 below its bound of 5 (its plan sees 5).
    model = _scripted(monkeypatch, "optimal", 4.9, 5.0, [1, 2])
    with caplog.at_level(logging.DEBUG, logger="camsite.optimize"):
        sol = model.solve(2, solver=SolverOptions(greedy=False, lp_bound=False, fixing=False, tie_break="none"))
    assert (sol.status, sol.objective, sol.bound, sol.gap) == ("optimal", 5.0, 5.0, 0.0)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_optimum_whose_bound_is_its_objective_may_be_beaten_within_the_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    # CBC reports an optimum's bound as its objective: 4.6 proven to within 0.5 allows a plan worth 5.
    model = _scripted(monkeypatch, "optimal", 4.6, 4.6, [1, 2])
    sol = model.solve(2, solver=SolverOptions(greedy=False, lp_bound=False, fixing=False, tie_break="none"))
    assert (sol.status, sol.objective) == ("optimal", 5.0)
