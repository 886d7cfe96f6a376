"""SolverOptions.max_start_gap: a large min-cost model whose start lies far above its LP bound returns the start,
unproven, with the LP bound, and no MIP (a run's target points)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import SolverOptions, _mincost, min_cost_cover


def _instance() -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    cov = sp.csr_matrix(sp.random(150, 30, density=0.08, random_state=5, format="csr") > 0)
    return cov, rng.integers(1, 9, 150).astype(float), rng.choice([108.0, 150.0], 30)


def _covered_share(cov: sp.csr_matrix, w: np.ndarray, selected: np.ndarray) -> float:
    seen = np.asarray(cov[:, selected].sum(axis=1)).ravel() > 0
    return float(w[seen].sum() / w.sum())


def test_a_far_start_is_returned_unproven_with_the_lp_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    cov, w, c = _instance()
    exact = min_cost_cover(cov, c, weights=w, target=0.6)
    assert exact.status == "optimal" and exact.greedy_objective is not None and exact.lp_bound is not None
    assert exact.greedy_objective > exact.lp_bound  # the instance has a gap to leave the MIP out for
    monkeypatch.setattr(_mincost, "FAR_START_SITES", 0)  # as if the model were large
    quick = min_cost_cover(cov, c, weights=w, target=0.6, solver=SolverOptions(max_start_gap=0.0))
    assert quick.status == "time_limit" and quick.reduction["mip_skipped"] == 1
    assert quick.greedy_selected is not None and quick.selected.tolist() == quick.greedy_selected.tolist()
    assert quick.objective == pytest.approx(float(c[quick.selected].sum())) == exact.greedy_objective
    assert quick.bound == pytest.approx(exact.lp_bound) and quick.objective >= exact.objective
    assert _covered_share(cov, w, quick.selected) >= 0.6 - 1e-9  # the start meets the target, recomputed
    # a gap wider than the start's: the MIP runs and proves the optimum
    wide = min_cost_cover(cov, c, weights=w, target=0.6, solver=SolverOptions(max_start_gap=1.0))
    assert wide.status == "optimal" and wide.objective == pytest.approx(exact.objective)
    assert "mip_skipped" not in wide.reduction
