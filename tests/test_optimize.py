"""Hand-solved instances for camsite.optimize (optima worked out in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.errors import ConfigError, SolverError
from camsite.optimize import Solution, max_coverage, min_cost_cover, side_constraints

SOLVERS = ["highs", "cbc"]


def M(rows: list[list[int]]) -> sp.csr_matrix:
    return sp.csr_matrix(np.array(rows, dtype=bool))


# Greedy trap. Sites: A covers points 0,1,2 (w 4 each = 12, cost 3, ratio 4);
# B covers points 0,1 (8, cost 2 -> ratio 4 but lower gain), C covers 3,4 (w 5 each = 10, cost 2, ratio 5),
# D covers 2,5 (w 4 + 6 = 10, cost 2, ratio 5). Budget 4.
# Greedy: C (ratio 5, lower index than D), then D (ratio 5, fits: cost 4) -> 20. Best single: A=12. Greedy = 20.
# Optimum with budget 4: pairs of cost 2 sites: B+C = 8+10 = 18, B+D = 8+10 = 18 (point 2 only by D),
# C+D = 20; A alone 12 (cost 3, cannot add a cost-2 site). So 20 is optimal and greedy is optimal here.
# Budget 5: A+C = 22, A+D = 12+6 = 18 (point 2 shared), B+C = 18, C+D = 20, B+D = 18. Greedy: C, D (spent 4,
# left 1) -> 20; exact A+C = 22 > greedy.
GREEDY_COV = M([
    [1, 1, 0, 0],
    [1, 1, 0, 0],
    [1, 0, 0, 1],
    [0, 0, 1, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
])
GREEDY_W = np.array([4.0, 4, 4, 5, 5, 6])
GREEDY_C = np.array([3.0, 2, 2, 2])


@pytest.mark.parametrize("solver", SOLVERS)
def test_greedy_is_not_optimal(solver: str) -> None:
    sol = max_coverage(GREEDY_COV, GREEDY_W, GREEDY_C, 5, solver=solver)
    assert isinstance(sol, Solution)
    assert sol.selected.tolist() == [0, 2]
    assert sol.objective == 22.0 and sol.status == "optimal" and sol.gap == 0.0
    assert sol.greedy_objective == 20.0
    assert sol.lp_bound is not None and sol.lp_bound >= sol.objective - 1e-9
    assert sol.spent == 5.0 and sol.solver == solver


def test_greedy_optimal_at_budget_4() -> None:
    sol = max_coverage(GREEDY_COV, GREEDY_W, GREEDY_C, 4)
    assert sol.selected.tolist() == [2, 3] and sol.objective == 20.0 and sol.greedy_objective == 20.0


# Dominated site. Site 1 covers {0} at cost 2; site 0 covers {0, 1} at cost 1: site 1 is dominated.
# Site 2 covers {2} at cost 1. Budget 2: optimum {0, 2} covers 1 + 1 + 1 = 3; {1, ...} can never be better.
# With budget 3 spare money remains, yet the dominated site 1 must still not be chosen (it adds nothing).
@pytest.mark.parametrize("budget", [2.0, 3.0])
def test_dominated_site_never_chosen(budget: float) -> None:
    cov = M([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    sol = max_coverage(cov, np.ones(3), np.array([1.0, 2.0, 1.0]), budget)
    assert sol.selected.tolist() == [0, 2]
    assert sol.objective == 3.0
    assert sol.reduction["dominated_sites"] == 1


def test_existing_counts_at_zero_cost() -> None:
    # Point 0 (w 10) is covered by an existing camera; site 0 covers {0, 1} (w 10 + 1), site 1 covers {2} (w 3).
    # Budget 1 allows one site: site 0 adds 1, site 1 adds 3 -> choose site 1, objective 10 + 3 = 13.
    cov = M([[1, 0], [1, 0], [0, 1]])
    sol = max_coverage(cov, np.array([10.0, 1, 3]), np.ones(2), 1, existing=np.array([True, False, False]))
    assert sol.selected.tolist() == [1] and sol.objective == 13.0 and sol.covered_weight == 13.0


def test_backup_coverage() -> None:
    # Points 0 (w 5) and 1 (w 1). Sites 0 and 1 both cover point 0; site 2 covers point 1. Budget 2 (unit costs).
    # No backup: {0, 2} covers 6 (the tie {1, 2} loses the index tie-break). Backup weight 0.5: {0, 1} gives
    # 5 + 0.5*5 = 7.5 > {0, 2} = 6, so the second camera on point 0 wins.
    cov = M([[1, 1, 0], [0, 0, 1]])
    w = np.array([5.0, 1.0])
    assert max_coverage(cov, w, np.ones(3), 2).selected.tolist() == [0, 2]
    sol = max_coverage(cov, w, np.ones(3), 2, backup_weight=0.5)
    assert sol.selected.tolist() == [0, 1] and sol.objective == 7.5 and sol.backup_covered_weight == 5.0
    # An existing camera on point 0 plus one new camera there is backup too: {0, 2} -> 5 + 1 + 0.5*5 = 8.5.
    sol = max_coverage(cov, w, np.ones(3), 2, backup_weight=0.5, existing=np.array([True, False]))
    assert sol.selected.tolist() == [0, 2] and sol.objective == 8.5


def test_side_constraints() -> None:
    # Four sites each covering its own point with weights 4, 3, 2, 1; budget 3 (unit costs).
    cov = sp.csr_matrix(np.eye(4, dtype=bool))
    w = np.array([4.0, 3, 2, 1])
    c = np.ones(4)
    assert max_coverage(cov, w, c, 3).selected.tolist() == [0, 1, 2]
    # Sites 0 and 1 are variants of one physical site: {0, 2, 3} = 7.
    assert max_coverage(cov, w, c, 3, groups=[0, 0, 1, 2]).selected.tolist() == [0, 2, 3]
    # Sites 0 and 2 conflict: {0, 1, 3} = 8.
    assert max_coverage(cov, w, c, 3, conflicts=[[0, 2]]).selected.tolist() == [0, 1, 3]
    # Forced site 3 and forbidden site 0: {1, 2, 3} = 6.
    sol = max_coverage(cov, w, c, 3, forced=[False, False, False, True], forbidden=[True, False, False, False])
    assert sol.selected.tolist() == [1, 2, 3] and sol.objective == 6.0
    # At most one "dome" among sites 0..2: {0, 3} plus nothing else of type dome -> 4 + 1 = 5.
    sol = max_coverage(cov, w, c, 3, site_type=["dome", "dome", "dome", "bullet"], max_per_type={"dome": 1})
    assert sol.selected.tolist() == [0, 3] and sol.objective == 5.0
    # Minimum spacing: sites at x = 0, 5, 100, 200 m, spacing 10 m -> 0 and 1 conflict -> {0, 2, 3} = 7.
    xy = np.array([[0, 0], [5, 0], [100, 0], [200, 0]])
    assert max_coverage(cov, w, c, 3, xy=xy, min_spacing_m=10).selected.tolist() == [0, 2, 3]


def test_side_constraints_from_table() -> None:
    kw = side_constraints(site_ids=["s1", "s1", "s2", "s3"], camera_types=["a", "b", "a", "a"], forced=["s1"],
                          forbidden=["s3"], max_per_type={"a": 1})
    cov = sp.csr_matrix(np.eye(4, dtype=bool))
    # s1 forced (one of its variants 0/1), s3 forbidden, at most one type-a camera: best is {1 (b), 2 (a)} = 3 + 2.
    sol = max_coverage(cov, np.array([4.0, 3, 2, 1]), np.ones(4), 3, **kw)
    assert sol.selected.tolist() == [1, 2] and sol.objective == 5.0
    with pytest.raises(ConfigError, match="unknown site id 'nope'"):
        side_constraints(site_ids=["a"], forced=["nope"])


@pytest.mark.parametrize("solver", SOLVERS)
def test_forced_over_budget_is_infeasible(solver: str) -> None:
    cov = sp.csr_matrix(np.eye(2, dtype=bool))
    sol = max_coverage(cov, np.ones(2), np.array([5.0, 5.0]), 6, forced=[True, True], solver=solver)
    assert sol.status == "infeasible" and sol.selected.size == 0 and np.isnan(sol.objective)


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_cost_cover(solver: str) -> None:
    # Points 0..3; sites: 0 covers {0,1} cost 2, 1 covers {1,2} cost 3, 2 covers {2} cost 1, 3 covers {0,1,2}
    # cost 4. Point 3 is uncoverable. Full cover of 0..2: {0, 2} = 3 (cheapest: {3} = 4, {0,1} = 5).
    cov = M([[1, 0, 0, 1], [1, 1, 0, 1], [0, 1, 1, 1], [0, 0, 0, 0]])
    costs = np.array([2.0, 3, 1, 4])
    sol = min_cost_cover(cov, costs, solver=solver)
    assert sol.selected.tolist() == [0, 2] and sol.objective == 3.0 and sol.status == "optimal"
    assert sol.uncoverable.tolist() == [3]
    # Target 50 % of weight (1, 1, 1, 1 -> 2 of 4): site 0 alone (cost 2) covers 2; site 2 (cost 1) covers 1.
    sol = min_cost_cover(cov, costs, target=0.5, solver=solver)
    assert sol.selected.tolist() == [0] and sol.objective == 2.0
    # Hotspots: only point 2 has weight >= 5 -> site 2 (cost 1).
    sol = min_cost_cover(cov, costs, weights=np.array([1.0, 1, 5, 9]), hotspot_threshold=5, solver=solver)
    assert sol.selected.tolist() == [2] and sol.uncoverable.tolist() == [3]


def test_min_cost_cover_infeasible_target() -> None:
    cov = M([[1], [0]])
    assert min_cost_cover(cov, np.ones(1), target=0.75).status == "infeasible"


def test_unknown_solver() -> None:
    with pytest.raises(SolverError, match="unknown solver"):
        max_coverage(M([[1]]), np.ones(1), np.ones(1), 1, solver="gurobi")


def test_time_limit_reports_gap() -> None:
    # A random instance large enough not to be solved in 0.01 s.
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    sol = max_coverage(cov, w, np.ones(600), 40, time_limit=0.01)
    assert sol.status == "time_limit"
    assert sol.n_sites > 0 and sol.spent <= 40
    assert sol.bound >= sol.objective and sol.gap >= 0


@pytest.mark.parametrize("tie_break", ["local", "lexicographic"])
def test_ties_give_the_same_sites_with_both_solvers(tie_break: str) -> None:
    # Six sites each covering two points of weight 1 (disjoint), unit costs, budget 3: every 3-subset is optimal
    # (objective 6). Both rules end at the lowest indices {0, 1, 2}, whichever solver found the optimum.
    cov = sp.csr_matrix(np.kron(np.eye(6, dtype=bool), np.ones((2, 1), dtype=bool)))
    picks = {s: max_coverage(cov, np.ones(12), np.ones(6), 3, solver=s, tie_break=tie_break).selected.tolist()
             for s in SOLVERS}
    assert picks == {"highs": [0, 1, 2], "cbc": [0, 1, 2]}


@pytest.mark.parametrize("side", [
    {"site_type": ["dome", "bullet", "dome"], "max_per_type": {"dome": 1}},
    {"groups": [0, -1, 0]},
    {"conflicts": [[0, 2]]},
])
def test_dominance_respects_side_constraints(side: dict) -> None:
    # Site 0 covers points {0, 1}, site 1 covers {0} (a subset, same cost), site 2 covers {2} (w 5). Budget 2.
    # Without side constraints site 1 is dominated by site 0 and {0, 2} = 7 is optimal. But when sites 0 and 2
    # cannot be chosen together (one dome allowed, one variant per group, or a conflict), the optimum is
    # {1, 2} = 1 + 5 = 6, so site 1 must not be dropped as dominated.
    cov = M([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    w, c = np.array([1.0, 1.0, 5.0]), np.ones(3)
    assert max_coverage(cov, w, c, 2).selected.tolist() == [0, 2]
    sol = max_coverage(cov, w, c, 2, **side)
    assert sol.selected.tolist() == [1, 2] and sol.objective == 6.0


def test_spacing_conflicts_skip_variants_of_one_site() -> None:
    from camsite.optimize._constraints import build_constraints

    # Sites 0 and 1 are two headings at one mast (same group, same point); site 2 stands 5 m away, site 3 50 m.
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [50.0, 0.0]])
    cons = build_constraints(4, xy=xy, min_spacing_m=10, groups=[7, 7, -1, -1])
    assert cons.conflicts.tolist() == [[0, 2], [1, 2]]  # the group rule, not spacing, separates 0 and 1
