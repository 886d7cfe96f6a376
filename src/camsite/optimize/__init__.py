"""Exact site selection: array-level integer programs solved through pulp.

This package is the only part of camsite that imports pulp; no pulp object
appears in its signatures. Models: budgeted maximal coverage with backup reward
and side constraints (:func:`max_coverage`), minimum-cost cover
(:func:`min_cost_cover`), budget sweeps with a knee (:func:`budget_sweep`,
:func:`knee`) and nested staged plans (:func:`staged_plan`).

Exactness
---------
The relative MIP gap is 0 and the absolute gap is half the quantum of the
objective coefficients (``q/2`` with ``q = 1`` for integer weights, ``0.01`` for
weights with two decimals, down to ``1e-6``): two solutions' objectives differ by
0 or by at least ``q``, so closing the gap to ``q/2`` proves optimality. Weights
without such a quantum get ``1e-9 * sum(weights)`` (optimal to one part in a
billion). ``status="optimal"`` is only reported when the solver closed that gap.

Reductions and verification
---------------------------
Before solving, identical demand rows are merged, rows no site covers (or, with
no backup reward, that existing cameras cover) leave the model as constants,
and empty or dominated sites are dropped when that is provably safe
(:mod:`camsite.optimize._reduce`). The solution is mapped back to the caller's
indices, its objective is recomputed from the original matrix and compared with
the reduced model's value (a mismatch raises :class:`~camsite.errors.SolverError`).

Determinism and ties
--------------------
The same inputs always give the same sites. When several site sets reach the
optimum, a second exact pass keeps the optimal value as a constraint (``>=
z* - q/2``, which admits no worse solution) and minimises ``sum_j (j + 1) x_j``
over the original site indices ``j``: the tie-break prefers fewer sites and
lower indices, and never drops a site without which the optimum is lost. The
pass runs on the reduced model, so a dominated site is never returned even if
its index is lower. If two optimal sets also tie on the index sum (rare), the
solver's own deterministic search picks one; both HiGHS (single thread) and CBC
are deterministic run to run. The greedy heuristic breaks ties by the lower index.

>>> import numpy as np, scipy.sparse as sp
>>> cov = sp.csr_matrix(np.eye(3, dtype=bool))
>>> max_coverage(cov, np.ones(3), np.ones(3), 1).selected.tolist()  # three equal sites: lowest index
[0]
"""

from __future__ import annotations

from camsite.optimize._api import make_model, max_coverage, min_cost_cover
from camsite.optimize._constraints import side_constraints
from camsite.optimize._greedy import greedy_cover, greedy_max
from camsite.optimize._sweep import budget_sweep, knee, staged_plan
from camsite.optimize.solution import STATUSES, Solution

__all__ = [
    "Solution", "STATUSES", "max_coverage", "min_cost_cover", "side_constraints", "budget_sweep", "knee",
    "staged_plan", "make_model", "greedy_max", "greedy_cover",
]
