"""Budget probes prove a min-cost cover optimal (optimize._probe): against brute force, and through
min_cost_cover when its MIP stops unproven."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.optimize import Constraints, SolverOptions, _mincost, min_cost_cover
from camsite.optimize._model import Deadline, Outcome
from camsite.optimize._probe import BudgetProbe


def _instance(seed: int, n: int = 40, m: int = 10) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cov = sp.csr_matrix(rng.random((n, m)) < 0.2)
    return cov, rng.integers(1, 6, n).astype(float), rng.choice([2.0, 3.0, 5.0], m)


def _cheapest(cov: sp.csr_matrix, w: np.ndarray, c: np.ndarray, need: float, cons: Constraints) -> float:
    """The cheapest plan seeing ``need`` of the weight, by enumeration (inf: none)."""
    dense = cov.toarray()
    best = np.inf
    for r in range(cov.shape[1] + 1):
        for plan in itertools.combinations(range(cov.shape[1]), r):
            p = np.asarray(plan, dtype=np.int64)
            if not cons.plan_ok(p, c, np.inf):
                continue
            if float(w[dense[:, p].any(axis=1)].sum()) >= need - 1e-9:
                best = min(best, float(c[p].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_probing_down_from_every_site_reaches_the_brute_force_optimum(seed: int) -> None:
    cov, w, c = _instance(seed)
    cons = Constraints.build(10, conflicts=[[0, 1], [2, 3]])
    need = 0.6 * float(w[np.asarray(cov.sum(axis=1)).ravel() > 0].sum())
    start = np.asarray([0, 2, 4, 5, 6, 7, 8, 9], dtype=np.int64)  # every site the conflicts allow together
    seen = np.asarray(cov[:, start].sum(axis=1)).ravel() > 0
    assert float(w[seen].sum()) >= need  # a plan meeting the requirement to probe below
    probe = BudgetProbe(cov, w, np.zeros(len(w), bool), c, cons, need, 1.0, SolverOptions())
    settled = probe.settle(start, Deadline(None))
    assert settled.proven and settled.cost == pytest.approx(_cheapest(cov, w, c, need, cons))
    got = np.asarray(cov[:, settled.selected].sum(axis=1)).ravel() > 0
    assert float(w[got].sum()) >= need - 1e-9 and cons.plan_ok(settled.selected, c, np.inf)
    assert float(c[settled.selected].sum()) == settled.cost


def test_a_min_cost_mip_stopped_unproven_is_proven_by_the_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The MIP stops at once with its start (the greedy cover); with a time limit of 20 s or more the probes
    take it to the optimum and prove it: the unpatched solve's cost, status optimal, zero gap."""
    cov, w, c = _instance(11, n=60, m=12)
    exact = min_cost_cover(cov, c, weights=w, target=0.7)
    assert exact.status == "optimal"
    calls: list[bool] = []

    def stopped(backend: object, *, deadline: Deadline, abs_gap: float, start: np.ndarray | None) -> Outcome:
        calls.append(True)
        return Outcome("time_limit", float("nan"), 0.0, 0.0, start)

    monkeypatch.setattr(_mincost, "solve_mip", stopped)
    short = min_cost_cover(cov, c, weights=w, target=0.7, solver=SolverOptions(time_limit_s=5.0))
    assert short.status == "time_limit" and short.objective > exact.objective  # below 20 s: no probe, the greedy cover
    probed = min_cost_cover(cov, c, weights=w, target=0.7, solver=SolverOptions(time_limit_s=30.0))
    assert calls and probed.status == "optimal" and probed.gap == 0.0
    assert probed.objective == pytest.approx(exact.objective) == pytest.approx(float(c[probed.selected].sum()))
    seen = np.asarray(cov[:, probed.selected].sum(axis=1)).ravel() > 0
    assert float(w[seen].sum()) >= 0.7 * float(w.sum()) - 1e-9
