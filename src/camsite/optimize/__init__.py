"""Exact site selection: array-level integer programs solved with HiGHS (``highspy``) or CBC.

No solver object appears in the signatures: the functions take a scipy.sparse
coverage matrix and numpy arrays, :class:`Constraints` and
:class:`SolverOptions`, and return a :class:`Solution` or a table. Models:
budgeted maximal coverage with backup reward and side constraints
(:func:`max_coverage`, or :func:`make_model` to reduce an instance once and
re-solve it), minimum-cost cover (:func:`min_cost_cover`), budget sweeps with a
knee (:func:`budget_sweep`, :func:`knee`), nested staged plans
(:func:`staged_plan`) and yearly plans within investment and operation frames
(:func:`framed_plan`). HiGHS gets the model as arrays once and is re-solved in
place (:mod:`camsite.optimize._highs`); CBC runs through pulp
(:mod:`camsite.optimize._cbc`, the only module that imports pulp).

Exactness
---------
The relative MIP gap is 0 and the absolute gap is half the quantum of the
objective coefficients (``q/2`` with ``q = 1`` for integer weights, ``0.01`` for
weights with two decimals, down to ``1e-6``): two solutions' objectives differ by
0 or by at least ``q``, so closing the gap to ``q/2`` proves optimality. Weights
without such a quantum get ``1e-9 * sum(weights)`` (optimal to one part in a
billion). The coefficients are the weights (and ``backup_weight`` times the
weights) in :func:`max_coverage`, the costs in :func:`min_cost_cover`.
``status="optimal"`` is only reported when the solver closed that gap; a solve
stopped by ``SolverOptions.time_limit_s`` reports ``"time_limit"`` with the
solver's proven bound and the gap.

Reductions and verification
---------------------------
Before solving, identical demand rows are merged, rows no site covers (or, with
no backup reward, that existing cameras cover) leave the model as constants,
and empty or dominated sites are dropped when that is provably safe
(:mod:`camsite.optimize._reduce`). The solution is mapped back to the caller's
indices, its objective is recomputed from the original matrix and compared with
the reduced model's value (a mismatch raises :class:`~camsite.errors.SolverError`).

Strengthening and starts
------------------------
Max coverage adds, per budget, valid rows on how many sites of each price fit
(the integer hull of the budget's counts, :mod:`camsite.optimize._budget_cuts`):
they cut fractional plans only, so ``lp_bound`` is the LP relaxation with these
rows (3.30 instead of 3.42 on the default scenario, optimum 3.23). The MIP
starts from the greedy plan (or the caller's start) improved by swaps
(:mod:`camsite.optimize._local`) and, when the LP relaxation was solved, by the
exact optimum over the LP's support (a restricted MIP of a few dozen sites).
Both only speed up the proof; the optimum is the MIP's.

Reduced-cost fixing (``SolverOptions.fixing``, on by default; HiGHS, whose LP
returns duals) then uses that start's value ``z``: camsite recomputes a
Lagrangian bound from the LP's row duals (weak duality, valid for any
multipliers, so it does not rest on the solver's tolerances), forbids every
site whose bound with the site is below ``z`` and forces every site whose
bound without it is below ``z``, and solves the MIP over the rest
(:mod:`camsite.optimize._fixing`). No plan as good as ``z`` is lost, so the
optimum is the full model's. On the default scenario at 1.5 MSEK it keeps 186
of 8,530 sites: the main solve takes 1.6 s of CPU instead of 5.3 s, the other
seven curve budgets 5.3 s instead of 19.9 s (``benchmarks/mip.py``).

Determinism and ties
--------------------
The same inputs always give the same sites: HiGHS runs single-threaded (it is
then deterministic) and every solve starts from a clean solver state, CBC is
deterministic, the reductions and the greedy heuristic are deterministic
(greedy ties go to the lower index), budget sweeps give the same table with any
number of workers, and ties among optimal solutions are broken by a documented
exact rule (``SolverOptions.tie_break``). Only a run stopped by the time limit
depends on timing (on how far the solver got).

* ``"local"`` (default): from the solver's optimum, repeatedly drop a site
  whose removal keeps the optimum, or swap a chosen site for the lowest-numbered
  unchosen site that keeps the optimum and every constraint, visiting chosen
  sites from the highest index down (:mod:`camsite.optimize._ties`). The value
  never changes (each move is checked exactly), no chosen site is redundant, and
  no single chosen site can be exchanged for a lower-numbered one. Cheap: a few
  sparse products per chosen site.
* ``"lexicographic"``: a second exact MIP keeps the optimal value as a
  constraint (``>= z* - q/2``, which admits no worse solution) and minimises
  ``sum_j (j + 1) x_j`` over the original indices: the optimum with the smallest
  index sum, independent of the solver unless two optima tie on that sum too.
  It can take several times longer than the first solve on large instances.
* ``"none"``: the solver's solution as is.

Both rules act on the reduced model, so a dominated site is never returned even
when its index is lower.

>>> import numpy as np, scipy.sparse as sp
>>> cov = sp.csr_matrix(np.eye(3, dtype=bool))
>>> max_coverage(cov, np.ones(3), np.ones(3), 1).selected.tolist()  # three equal sites: lowest index
[0]
>>> cons = Constraints.build(3, forbidden=[0])
>>> max_coverage(cov, np.ones(3), np.ones(3), 1, constraints=cons, solver=SolverOptions(name="cbc")).selected.tolist()
[1]
"""

from __future__ import annotations

from camsite.optimize._api import make_model, max_coverage, min_cost_cover
from camsite.optimize._constraints import Constraints, Spend, side_constraints
from camsite.optimize._frames import FramedPlan, framed_plan
from camsite.optimize._knee import chord_knee
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._options import TIE_BREAKS, SolverOptions
from camsite.optimize._remote import PendingSolves, TaskMap, Variant, start_variants
from camsite.optimize._sweep import (
    CURVE_COLUMNS,
    STAGE_COLUMNS,
    PendingCurve,
    budget_sweep,
    knee,
    solve_budgets,
    staged_plan,
    start_budget_sweep,
)
from camsite.optimize.solution import STATUSES, Solution

__all__ = [
    "CURVE_COLUMNS",
    "STAGE_COLUMNS",
    "STATUSES",
    "TIE_BREAKS",
    "Constraints",
    "CoverageModel",
    "FramedPlan",
    "PendingCurve",
    "PendingSolves",
    "Solution",
    "SolverOptions",
    "Spend",
    "TaskMap",
    "Variant",
    "budget_sweep",
    "chord_knee",
    "framed_plan",
    "knee",
    "make_model",
    "max_coverage",
    "min_cost_cover",
    "side_constraints",
    "solve_budgets",
    "staged_plan",
    "start_budget_sweep",
    "start_variants",
]
