"""The public model functions :func:`max_coverage`, :func:`min_cost_cover` and :func:`make_model`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy.typing as npt
import scipy.sparse as sp

from camsite.optimize._constraints import Constraints
from camsite.optimize._maxcov import CoverageModel
from camsite.optimize._mincost import solve_min_cost_cover
from camsite.optimize._options import DEFAULT_SOLVER, SolverOptions
from camsite.optimize._shares import Cover
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["make_model", "max_coverage", "min_cost_cover"]

Matrix = sp.spmatrix | sp.sparray


def make_model(coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, *,
               existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
               backup_weight: float = 0.0, reduce: bool = True) -> CoverageModel:
    """Check and reduce a max-coverage instance once, for many solves (:meth:`CoverageModel.solve`).

    The arguments are those of :func:`max_coverage`. The MIP is built on the
    first solve and handed to each solver once; a solve for another budget only
    changes the budget row. :meth:`CoverageModel.with_sites` gives the same
    instance with other forced/forbidden sites.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> model = make_model(sp.csr_matrix(np.eye(3, dtype=bool)), [3.0, 2.0, 1.0], np.ones(3))
    >>> [model.solve(b).objective for b in (1, 2)]
    [3.0, 5.0]
    >>> model.with_sites(forbidden=[0]).solve(1).selected.tolist()
    [1]
    """
    return CoverageModel(coverage, weights, costs, existing=existing, constraints=constraints,
                         backup_weight=backup_weight, reduce=reduce)


def max_coverage(
    coverage: Matrix, weights: npt.ArrayLike, costs: npt.ArrayLike, budget: float, *,
    existing: npt.ArrayLike | None = None, constraints: Constraints | None = None,
    solver: SolverOptions = DEFAULT_SOLVER, backup_weight: float = 0.0, warm_start: npt.ArrayLike | None = None,
    reduce: bool = True,
) -> Solution:
    """Choose sites within ``budget`` that cover the most demand weight, exactly.

    Parameters
    ----------
    coverage
        scipy.sparse matrix, demand points x candidate sites, nonzero = covers.
    weights, costs
        Demand weights (>= 0) and site costs (>= 0, e.g. SEK).
    budget
        Upper limit on the total cost of the chosen sites.
    existing
        Boolean mask of demand points existing cameras already cover; they count
        in the objective at no cost (and once towards backup coverage).
    constraints
        Side constraints (:class:`Constraints`: groups, conflicts, spacing,
        forced/forbidden sites, type caps); default none.
    solver
        Solver settings (:class:`SolverOptions`); ``solver.time_limit_s`` limits
        this whole call.
    backup_weight
        Reward for weight covered twice or more (Murray et al. 2007); 0 = off.
    warm_start
        Site indices of a feasible solution to start from (default: the greedy one).
    reduce
        Apply the presolve reductions (:mod:`camsite.optimize._reduce`).

    Returns
    -------
    Solution

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> cov = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]))
    >>> sol = max_coverage(cov, np.array([3.0, 1, 1, 3]), np.ones(3), 2)
    >>> sol.selected.tolist(), sol.objective, sol.status
    ([0, 2], 8.0, 'optimal')
    >>> max_coverage(cov, np.array([3.0, 1, 1, 3]), np.ones(3), 2, solver=SolverOptions(name="cbc")).objective
    8.0
    """
    t0 = time.perf_counter()
    model = make_model(coverage, weights, costs, existing=existing, constraints=constraints,
                       backup_weight=backup_weight, reduce=reduce)
    return model._solve(float(budget), solver, warm_start, t0)


def min_cost_cover(
    coverage: Matrix, costs: npt.ArrayLike, *, weights: npt.ArrayLike | None = None, target: float | None = 1.0,
    hotspot_threshold: float | None = None, existing: npt.ArrayLike | None = None,
    constraints: Constraints | None = None, solver: SolverOptions = DEFAULT_SOLVER, reduce: bool = True,
    covers: Sequence[Cover] = (), start: npt.ArrayLike | None = None,
) -> Solution:
    """The cheapest set of sites that meets a coverage requirement, exactly.

    With ``target=1.0`` every demand point that some allowed site covers is
    covered; points none can cover are listed in ``Solution.uncoverable``. With
    ``target < 1`` the covered weight (existing coverage included) is at least
    ``target`` times the total weight. With ``hotspot_threshold``, every
    coverable point of weight >= the threshold is covered (and ``target < 1``
    adds the share requirement). ``objective`` is the total cost. ``existing``,
    ``constraints``, ``solver`` and ``reduce`` are as in :func:`max_coverage`.

    ``covers`` adds requirements, each a pair (boolean row mask, or a weight
    per row; the required covered weight, existing coverage included): a mask
    counts ``weights`` of its rows, e.g. ``(incident_mask, 0.5 * incident_weight)``
    for half the incidents, one pair per category or hotspot. With
    ``target=None`` only ``covers`` (and ``hotspot_threshold``) are required.
    ``status="infeasible"`` when no plan meets them all. ``start`` (site
    indices of a plan known to meet the requirements, e.g. a budget-curve plan)
    starts the search when it is cheaper than the greedy cover; it changes only
    the time to the proof, never the optimum.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> cov = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 0]]))
    >>> sol = min_cost_cover(cov, np.array([2.0, 3.0, 2.0]))
    >>> sol.selected.tolist(), sol.objective, sol.uncoverable.tolist()
    ([0, 2], 4.0, [3])
    >>> two = [(np.array([True, True, False, False]), 1.0), (np.array([False, False, True, False]), 1.0)]
    >>> min_cost_cover(cov, np.array([2.0, 3.0, 2.0]), target=None, covers=two).selected.tolist()
    [1]
    """
    return solve_min_cost_cover(coverage, costs, weights, existing, constraints,
                                target=None if target is None else float(target),
                                hotspot_threshold=hotspot_threshold, solver=solver, reduce=reduce,
                                covers=covers, start=start)
