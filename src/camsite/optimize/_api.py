"""The public model functions :func:`max_coverage` and :func:`min_cost_cover`."""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

import numpy as np

from camsite.optimize._constraints import build_constraints
from camsite.optimize._maxcov import MaxCoverageModel
from camsite.optimize._mincost import solve_min_cost_cover
from camsite.optimize.solution import Solution

logger = logging.getLogger(__name__)

__all__ = ["max_coverage", "min_cost_cover", "make_model"]


def make_model(coverage: Any, weights: Any, costs: Any, *, existing: Any = None, backup_weight: float = 0.0,
               groups: Any = None, conflicts: Any = None, xy: Any = None, min_spacing_m: float = 0.0,
               forced: Any = None, forbidden: Any = None, require_any: Iterable[Any] = (), site_type: Any = None,
               max_per_type: Mapping[Any, int] | None = None, reduce: bool = True) -> MaxCoverageModel:
    """Reduce an instance once and build a re-solvable max-coverage model (used by sweeps)."""
    n_sites = coverage.shape[1]
    cons = build_constraints(n_sites, groups=groups, conflicts=conflicts, xy=xy, min_spacing_m=min_spacing_m,
                             forced=forced, forbidden=forbidden, require_any=require_any, site_type=site_type,
                             max_per_type=max_per_type)
    return MaxCoverageModel(coverage, weights, costs, existing=existing, backup_weight=backup_weight, cons=cons,
                            reduce=reduce)


def max_coverage(
    coverage: Any, weights: Any, costs: Any, budget: float, *, existing: Any = None, solver: str = "highs",
    time_limit: float | None = None, backup_weight: float = 0.0, groups: Any = None, conflicts: Any = None,
    xy: Any = None, min_spacing_m: float = 0.0, forced: Any = None, forbidden: Any = None,
    require_any: Iterable[Any] = (), site_type: Any = None, max_per_type: Mapping[Any, int] | None = None,
    warm_start: Any = None, greedy: bool = True, lp_bound: bool = True, reduce: bool = True,
    tie_break: str | bool = "local",
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
    solver
        ``"highs"`` (default, in-process) or ``"cbc"``.
    time_limit
        Seconds for the whole call; on expiry the best solution is returned with
        ``status="time_limit"`` and its gap.
    backup_weight
        Reward for weight covered twice or more (Murray et al. 2007); 0 = off.
    groups
        Group id per site (``-1`` = none); at most one site per group (variants of
        one physical site).
    conflicts, xy, min_spacing_m
        Pairs of sites that may not both be chosen, and/or site coordinates with a
        minimum spacing in metres between chosen sites of different groups.
    forced, forbidden
        Boolean masks (or index lists) of sites that must / must not be chosen.
    require_any
        Index arrays; at least one site of each is chosen.
    site_type, max_per_type
        A type label per site and a cap of chosen sites per type.
    warm_start
        Site indices of a feasible solution to start from (default: the greedy one).
    greedy, lp_bound
        Also compute the greedy heuristic's and the LP relaxation's values.
    reduce
        Apply the presolve reductions (:mod:`camsite.optimize._reduce`).
    tie_break
        How to choose among optimal solutions: ``"local"`` (default: drop and
        swap moves towards lower site indices, :mod:`camsite.optimize._ties`),
        ``"lexicographic"`` (a second exact MIP: smallest sum of site indices among
        all optimal solutions) or ``"none"``.

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
    """
    model = make_model(coverage, weights, costs, existing=existing, backup_weight=backup_weight, groups=groups,
                       conflicts=conflicts, xy=xy, min_spacing_m=min_spacing_m, forced=forced, forbidden=forbidden,
                       require_any=require_any, site_type=site_type, max_per_type=max_per_type, reduce=reduce)
    start = None if warm_start is None else np.asarray(warm_start, dtype=np.int64)
    return model.solve(float(budget), solver=solver, time_limit=time_limit, start=start, greedy=greedy,
                       lp_bound=lp_bound, tie_break=tie_break)


def min_cost_cover(
    coverage: Any, costs: Any, *, weights: Any = None, target: float = 1.0, solver: str = "highs",
    time_limit: float | None = None, existing: Any = None, hotspot_threshold: float | None = None,
    groups: Any = None, conflicts: Any = None, xy: Any = None, min_spacing_m: float = 0.0, forced: Any = None,
    forbidden: Any = None, require_any: Iterable[Any] = (), site_type: Any = None,
    max_per_type: Mapping[Any, int] | None = None, greedy: bool = True, lp_bound: bool = True,
    reduce: bool = True, tie_break: str | bool = "local",
) -> Solution:
    """The cheapest set of sites that meets a coverage requirement, exactly.

    With ``target=1.0`` every demand point that some allowed site covers is
    covered; points none can cover are listed in ``Solution.uncoverable``. With
    ``target < 1`` the covered weight (existing coverage included) is at least
    ``target`` times the total weight. With ``hotspot_threshold``, every
    coverable point of weight >= the threshold is covered (and ``target < 1``
    adds the share requirement). ``objective`` is the total cost. The side
    constraint keywords are those of :func:`max_coverage`.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> cov = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 0]]))
    >>> sol = min_cost_cover(cov, np.array([2.0, 3.0, 2.0]))
    >>> sol.selected.tolist(), sol.objective, sol.uncoverable.tolist()
    ([0, 2], 4.0, [3])
    """
    cons = build_constraints(coverage.shape[1], groups=groups, conflicts=conflicts, xy=xy,
                             min_spacing_m=min_spacing_m, forced=forced, forbidden=forbidden,
                             require_any=require_any, site_type=site_type, max_per_type=max_per_type)
    return solve_min_cost_cover(coverage, costs, weights, existing, cons, target=target,
                                hotspot_threshold=hotspot_threshold, solver=solver, time_limit=time_limit,
                                greedy=greedy, lp_bound=lp_bound, reduce=reduce, tie_break=tie_break)
