"""LPs started from a basis (optimize._model.Basis, CoverageModel.warm_lp): the same optimum as a cold start."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import SolverOptions, make_model
from camsite.optimize._highs import HighsBackend
from camsite.optimize._model import Basis, Deadline, ModelBuilder, solve_lp


def _instance(seed: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cov = sp.csr_matrix(sp.random(240, 50, density=0.06, random_state=seed, format="csr") > 0)
    return cov, rng.integers(1, 9, 240).astype(float), rng.choice([2.0, 3.0], 50)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lps_from_the_middle_budgets_basis_have_the_cold_optimum(seed: int) -> None:
    """Every budget's LP bound (with its count rows, which the basis lacks) is the cold one; the basis is
    taken once and each solve starts from it."""
    cov, w, c = _instance(seed)
    cold, warm = make_model(cov, w, c), make_model(cov, w, c)
    warm.warm_lp(12.0)
    assert set(warm._lp_basis) == {"highs"}
    for budget in (2.0, 5.0, 12.0, 21.0, 40.0):
        a, b = cold.lp_bound(budget), warm.lp_bound(budget)
        assert a is not None and b is not None and b == pytest.approx(a, rel=1e-7)  # cold: IPM


def test_a_warm_model_solves_and_pickles_like_a_cold_one() -> None:
    """The optimum (recomputed from the chosen sites) is the cold model's; pickled (as sent to a Dask worker)
    without its solvers, with its basis, it solves the same."""
    cov, w, c = _instance(4)
    opts = SolverOptions(greedy=False, lp_bound=False)
    cold, warm = make_model(cov, w, c), make_model(cov, w, c)
    warm.warm_lp(10.0, solver=opts)
    copy = pickle.loads(pickle.dumps(warm))
    assert copy._solvers.by_name == {} and set(copy._lp_basis) == {"highs"}
    for budget in (4.0, 10.0, 17.0):
        ref = cold.solve(budget, solver=opts)
        for model in (warm, copy):
            sol = model.solve(budget, solver=opts)
            assert sol.status == "optimal" and sol.spent <= budget
            assert model.evaluate(sol.selected)[0] == pytest.approx(ref.objective, abs=1e-9)


def _lp(n: int) -> HighsBackend:
    """max sum x_j s.t. x_0 + ... + x_{n-1} <= 1.5, 0 <= x <= 1 (optimum 1.5)."""
    b = ModelBuilder()
    x = b.add_columns(n, cost=1.0, upper=1.0)
    b.add_row(x, np.ones(n), upper=1.5)
    return HighsBackend(b.build(maximize=True))


def test_a_basis_gets_basic_slacks_for_added_rows_and_another_models_basis_is_not_used() -> None:
    small, other = _lp(3), _lp(4)
    solve_lp(small, deadline=Deadline(None), abs_gap=1e-9)
    assert small.lp_basis() is None  # interior point without crossover: no basis
    first = solve_lp(small, deadline=Deadline(None), abs_gap=1e-9, basis=Basis.cold())  # simplex: a basis
    basis = small.lp_basis()
    assert first.objective == pytest.approx(1.5) and basis is not None
    assert (len(basis.cols), len(basis.rows)) == (3, 1)
    small.add_row(np.array([0]), np.array([1.0]), -np.inf, 0.25)  # x_0 <= 0.25: the optimum stays 1.5
    again = solve_lp(small, deadline=Deadline(None), abs_gap=1e-9, basis=basis)
    after = small.lp_basis()
    assert again.objective == pytest.approx(1.5) and after is not None and len(after.rows) == 2
    assert again.values is not None and again.values[0] <= 0.25 + 1e-9
    alien = solve_lp(other, deadline=Deadline(None), abs_gap=1e-9, basis=basis)  # 3 columns for 4: cold
    assert alien.status == "optimal" and alien.objective == pytest.approx(1.5)
