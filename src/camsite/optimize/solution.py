"""The result of every optimisation model: :class:`Solution`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from camsite.optimize._data import IntArray
from camsite.vocab import STATUSES

__all__ = ["STATUSES", "Solution"]


def _no_sites() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Solution:
    """A solved siting model, mapped back to the caller's site and demand indices.

    Attributes
    ----------
    selected
        Sorted ``int64`` array of the chosen site (column) indices.
    objective
        ``max_coverage``: total weight covered (existing coverage included, plus
        ``backup_weight`` times the weight covered twice). ``min_cost_cover``:
        total cost. Recomputed from the original matrix, not taken from the solver.
    bound
        The best bound the solver proved (upper bound when maximising, lower when
        minimising). Equal to ``objective`` when ``status == "optimal"``.
    gap
        ``|bound - objective| / max(|objective|, 1e-12)`` (0 when optimal).
    status
        ``"optimal"`` (gap closed, see :mod:`camsite.optimize`), ``"time_limit"``
        (best solution found when time ran out) or ``"infeasible"``
        (:data:`camsite.vocab.STATUSES`).
    runtime_s
        Wall-clock seconds of the solve (for :func:`max_coverage` and
        :func:`min_cost_cover` the whole call: reductions, greedy, LP bound, MIP,
        tie-break).
    solver
        The solver's name (:data:`camsite.vocab.SOLVER_NAMES`).
    model
        ``"max_coverage"`` or ``"min_cost_cover"``.
    spent
        Total cost of ``selected``.
    covered_weight, total_weight
        Weight covered at least once (existing included) and the total weight.
    backup_covered_weight
        Weight covered at least twice (an existing camera counts once).
    lp_bound
        Optimum of the LP relaxation, with the budget's count rows for max coverage
        (``None`` when not computed).
    greedy_objective, greedy_selected
        The cost-effectiveness greedy heuristic's objective and sites (``None``
        when not computed).
    uncoverable
        Demand indices that no allowed site covers and no existing camera covers.
    tolerance
        The absolute optimality tolerance given to the solver (see module docs).
    reduction
        Statistics of the presolve reductions (rows merged, sites dropped, ...).
    """

    selected: IntArray
    objective: float
    bound: float
    gap: float
    status: str
    runtime_s: float
    solver: str = "highs"
    model: str = "max_coverage"
    spent: float = 0.0
    covered_weight: float = 0.0
    total_weight: float = 0.0
    backup_covered_weight: float = 0.0
    lp_bound: float | None = None
    greedy_objective: float | None = None
    greedy_selected: IntArray | None = None
    uncoverable: IntArray = field(default_factory=_no_sites)
    tolerance: float = 0.0
    reduction: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_sites(self) -> int:
        """Number of selected sites."""
        return len(self.selected)

    @property
    def coverage_pct(self) -> float:
        """Covered weight as a percentage of the total weight (0 when there is none)."""
        return 0.0 if self.total_weight <= 0 else 100.0 * self.covered_weight / self.total_weight

    @property
    def backup_pct(self) -> float:
        """Weight covered at least twice, as a percentage of the total weight."""
        return 0.0 if self.total_weight <= 0 else 100.0 * self.backup_covered_weight / self.total_weight

    def __repr__(self) -> str:
        return (f"Solution(status={self.status!r}, objective={self.objective:.6g}, bound={self.bound:.6g}, "
                f"gap={self.gap:.3g}, n_sites={self.n_sites}, spent={self.spent:.6g}, solver={self.solver!r})")
