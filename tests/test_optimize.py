"""Hand-solved instances for camsite.optimize (optima worked out in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from camsite.errors import ConfigError, SolverError
from camsite.optimize import Constraints, Solution, SolverOptions, max_coverage, min_cost_cover, side_constraints

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
    sol = max_coverage(GREEDY_COV, GREEDY_W, GREEDY_C, 5, solver=SolverOptions(name=solver))
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
    cons = Constraints.build(4, groups=[0, 0, 1, 2])
    assert max_coverage(cov, w, c, 3, constraints=cons).selected.tolist() == [0, 2, 3]
    # Sites 0 and 2 conflict: {0, 1, 3} = 8.
    cons = Constraints.build(4, conflicts=[[0, 2]])
    assert max_coverage(cov, w, c, 3, constraints=cons).selected.tolist() == [0, 1, 3]
    # Forced site 3 and forbidden site 0: {1, 2, 3} = 6.
    cons = Constraints.build(4, forced=[False, False, False, True], forbidden=[True, False, False, False])
    sol = max_coverage(cov, w, c, 3, constraints=cons)
    assert sol.selected.tolist() == [1, 2, 3] and sol.objective == 6.0
    # At most one "dome" among sites 0..2: {0, 3} plus nothing else of type dome -> 4 + 1 = 5.
    cons = Constraints.build(4, site_type=["dome", "dome", "dome", "bullet"], max_per_type={"dome": 1})
    sol = max_coverage(cov, w, c, 3, constraints=cons)
    assert sol.selected.tolist() == [0, 3] and sol.objective == 5.0
    # Minimum spacing: sites at x = 0, 5, 100, 200 m, spacing 10 m -> 0 and 1 conflict -> {0, 2, 3} = 7.
    xy = np.array([[0, 0], [5, 0], [100, 0], [200, 0]])
    cons = Constraints.build(4, xy=xy, min_spacing_m=10)
    assert max_coverage(cov, w, c, 3, constraints=cons).selected.tolist() == [0, 2, 3]


def test_side_constraints_from_table() -> None:
    cons = side_constraints(site_ids=["s1", "s1", "s2", "s3"], camera_types=["a", "b", "a", "a"], forced=["s1"],
                            forbidden=["s3"], max_per_type={"a": 1})
    assert isinstance(cons, Constraints)
    assert cons.groups.tolist() == [0, 0, 1, 2] and cons.forbidden.tolist() == [False, False, False, True]
    assert [r.tolist() for r in cons.require_any] == [[0, 1]] and cons.type_caps.tolist() == [1.0, np.inf]
    cov = sp.csr_matrix(np.eye(4, dtype=bool))
    # s1 forced (one of its variants 0/1), s3 forbidden, at most one type-a camera: best is {1 (b), 2 (a)} = 3 + 2.
    sol = max_coverage(cov, np.array([4.0, 3, 2, 1]), np.ones(4), 3, constraints=cons)
    assert sol.selected.tolist() == [1, 2] and sol.objective == 5.0
    with pytest.raises(ConfigError, match="unknown site id 'nope'"):
        side_constraints(site_ids=["a"], forced=["nope"])


@pytest.mark.parametrize("solver", SOLVERS)
def test_forced_over_budget_is_infeasible(solver: str) -> None:
    cov = sp.csr_matrix(np.eye(2, dtype=bool))
    sol = max_coverage(cov, np.ones(2), np.array([5.0, 5.0]), 6, constraints=Constraints.build(2, forced=[True, True]),
                       solver=SolverOptions(name=solver))
    assert sol.status == "infeasible" and sol.selected.size == 0 and np.isnan(sol.objective)


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_cost_cover(solver: str) -> None:
    # Points 0..3; sites: 0 covers {0,1} cost 2, 1 covers {1,2} cost 3, 2 covers {2} cost 1, 3 covers {0,1,2}
    # cost 4. Point 3 is uncoverable. Full cover of 0..2: {0, 2} = 3 (cheapest: {3} = 4, {0,1} = 5).
    cov = M([[1, 0, 0, 1], [1, 1, 0, 1], [0, 1, 1, 1], [0, 0, 0, 0]])
    costs = np.array([2.0, 3, 1, 4])
    opts = SolverOptions(name=solver)
    sol = min_cost_cover(cov, costs, solver=opts)
    assert sol.selected.tolist() == [0, 2] and sol.objective == 3.0 and sol.status == "optimal"
    assert sol.uncoverable.tolist() == [3]
    # Target 50 % of weight (1, 1, 1, 1 -> 2 of 4): site 0 alone (cost 2) covers 2; site 2 (cost 1) covers 1.
    sol = min_cost_cover(cov, costs, target=0.5, solver=opts)
    assert sol.selected.tolist() == [0] and sol.objective == 2.0
    # Hotspots: only point 2 has weight >= 5 -> site 2 (cost 1).
    sol = min_cost_cover(cov, costs, weights=np.array([1.0, 1, 5, 9]), hotspot_threshold=5, solver=opts)
    assert sol.selected.tolist() == [2] and sol.uncoverable.tolist() == [3]


def test_min_cost_cover_infeasible_target() -> None:
    cov = M([[1], [0]])
    assert min_cost_cover(cov, np.ones(1), target=0.75).status == "infeasible"


def test_unknown_solver() -> None:
    with pytest.raises(ValueError, match="unknown solver"):
        max_coverage(M([[1]]), np.ones(1), np.ones(1), 1, solver=SolverOptions(name="gurobi"))


def test_time_limit_reports_gap() -> None:
    # A random instance large enough not to be solved in 0.01 s.
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    sol = max_coverage(cov, w, np.ones(600), 40, solver=SolverOptions(time_limit_s=0.01))
    assert sol.status == "time_limit"
    assert sol.n_sites > 0 and sol.spent <= 40
    assert sol.bound >= sol.objective and sol.gap >= 0


@pytest.mark.parametrize("tie_break", ["local", "lexicographic"])
def test_ties_give_the_same_sites_with_both_solvers(tie_break: str) -> None:
    # Six sites each covering two points of weight 1 (disjoint), unit costs, budget 3: every 3-subset is optimal
    # (objective 6). Both rules end at the lowest indices {0, 1, 2}, whichever solver found the optimum.
    cov = sp.csr_matrix(np.kron(np.eye(6, dtype=bool), np.ones((2, 1), dtype=bool)))
    picks = {s: max_coverage(cov, np.ones(12), np.ones(6), 3,
                             solver=SolverOptions(name=s, tie_break=tie_break)).selected.tolist()
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
    sol = max_coverage(cov, w, c, 2, constraints=Constraints.build(3, **side))
    assert sol.selected.tolist() == [1, 2] and sol.objective == 6.0


def test_spacing_conflicts_skip_variants_of_one_site() -> None:
    # Sites 0 and 1 are two headings at one mast (same group, same point); site 2 stands 5 m away, site 3 50 m.
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [50.0, 0.0]])
    cons = Constraints.build(4, xy=xy, min_spacing_m=10, groups=[7, 7, -1, -1])
    assert cons.conflicts.tolist() == [[0, 2], [1, 2]]  # the group rule, not spacing, separates 0 and 1


# --- the typed API: SolverOptions, Constraints, reusable models ----------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "gurobi"}, "unknown solver"),
    ({"time_limit_s": 0}, "time_limit_s"),
    ({"time_limit_s": -1.0}, "time_limit_s"),
    ({"time_limit_s": float("nan")}, "time_limit_s"),
    ({"time_limit_s": "5"}, "time_limit_s"),
    ({"tie_break": "random"}, "tie_break"),
    ({"workers": -1}, "workers"),
    ({"workers": 1.5}, "workers"),
    ({"workers": True}, "workers"),
    ({"greedy": 1}, "greedy"),
])
def test_solver_options_validation(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SolverOptions(**kwargs)


def test_solver_options_values() -> None:
    import dataclasses

    opts = SolverOptions()
    assert (opts.name, opts.time_limit_s, opts.greedy, opts.lp_bound, opts.tie_break, opts.workers) == (
        "highs", None, True, True, "local", 1)
    assert SolverOptions(name="cbc", time_limit_s=2.5, workers=3).n_workers == 3
    assert SolverOptions(workers=0).n_workers >= 1 and SolverOptions(workers=None).n_workers >= 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.name = "cbc"  # type: ignore[misc]


def test_constraints_build_checks_lengths_and_indices() -> None:
    with pytest.raises(ValueError, match="groups has length"):
        Constraints.build(3, groups=[0, 1])
    with pytest.raises(ValueError, match="forced: site index out of range"):
        Constraints.build(3, forced=[3])
    with pytest.raises(ValueError, match="conflicts"):
        Constraints.build(3, conflicts=[[0, 5]])
    with pytest.raises(ValueError, match="constraints are for 2 sites"):
        max_coverage(M([[1, 0, 1]]), np.ones(1), np.ones(3), 1, constraints=Constraints.build(2))


def test_reusable_model_matches_single_solves() -> None:
    from camsite.optimize import make_model

    # GREEDY instance: optima 20 (budget 4, {2, 3}) and 22 (budget 5, {0, 2}), solved on one model in any order.
    model = make_model(GREEDY_COV, GREEDY_W, GREEDY_C)
    for budget, sites, value in [(5, [0, 2], 22.0), (4, [2, 3], 20.0), (5, [0, 2], 22.0)]:
        sol = model.solve(budget)
        assert sol.selected.tolist() == sites and sol.objective == value and sol.status == "optimal"
    # Forbidding site 2: budget 5 -> A + D = 12 + 6 = 18 or B + D = 8 + 10 = 18 (tie: lower indices {0, 3}).
    other = model.with_sites(forbidden=[2])
    assert other.solve(5).objective == 18.0 and other.solve(5).selected.tolist() == [0, 3]
    assert model.solve(5).selected.tolist() == [0, 2]  # the original model is unchanged
    forced = model.with_sites(forced=[1])  # B forced: B + C = 18 or B + D = 18 at budget 4 -> {1, 2}
    assert forced.solve(4).selected.tolist() == [1, 2] and forced.solve(4).objective == 18.0


# --- solver plumbing: silence, guards, deadlines, CBC bounds ---------------------------------------------------------


def test_highs_prints_nothing() -> None:
    import subprocess
    import sys

    code = ("import numpy as np, scipy.sparse as sp\n"
            "from camsite.optimize import max_coverage, SolverOptions\n"
            "cov = sp.csr_matrix(np.eye(3, dtype=bool))\n"
            "max_coverage(cov, np.ones(3), np.ones(3), 1)\n"
            "max_coverage(cov, np.ones(3), np.ones(3), 1, solver=SolverOptions(name='cbc'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "" and out.stderr == ""


class _FakeBackend:
    """Scripted outcomes; records the time limit of each call and sleeps for part of it."""

    name = "highs"

    def __init__(self, outcomes: list, use: float = 0.0) -> None:
        self.outcomes, self.use, self.calls = list(outcomes), use, []

    def solve(self, *, mip: bool, time_limit: float | None, abs_gap: float, start, defaults: bool = False):
        import time

        self.calls.append({"time_limit": time_limit, "start": start is not None, "defaults": defaults})
        if time_limit is not None:
            time.sleep(self.use * time_limit)
        return self.outcomes.pop(0)


def test_guards_retry_within_one_deadline() -> None:
    import time

    from camsite.optimize._model import Deadline, Outcome, solve_mip

    x = np.ones(2)
    # HiGHS 1.16 guard 1: "optimal" with the start's value (5) below its own bound (7) -> solved again cold.
    # Guard 2: status Unknown -> solved again with HiGHS's defaults. Each call may use half of its time.
    fake = _FakeBackend([Outcome("optimal", 5.0, 7.0, 0.0, x), Outcome("unknown", 7.0, 7.0, 0.0, x),
                         Outcome("optimal", 7.0, 7.0, 0.0, x)], use=0.5)
    t0 = time.perf_counter()
    out = solve_mip(fake, deadline=Deadline.after(0.4), abs_gap=0.5, start=np.zeros(2))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    assert out.status == "optimal" and out.objective == 7.0
    assert [c["start"] for c in fake.calls] == [True, False, True]
    assert [c["defaults"] for c in fake.calls] == [False, False, True]
    limits = [c["time_limit"] for c in fake.calls]
    assert limits[0] <= 0.4 and limits[1] < limits[0] and limits[2] < limits[1]  # one shrinking deadline
    assert elapsed <= 0.4 + 0.05  # the retries never get the full limit again
    with pytest.raises(SolverError, match="unknown status"):
        solve_mip(_FakeBackend([Outcome("unknown", 1.0, 1.0, 0.0, x)] * 2),  # type: ignore[arg-type]
                  deadline=Deadline(None), abs_gap=0.5, start=None)


@pytest.mark.parametrize("limit", [0.2, 0.6])
def test_time_limit_covers_the_whole_call(limit: float) -> None:
    import time

    # The 3000 x 600 instance of test_time_limit_reports_gap: not solved within these limits; LP bound, MIP and
    # tie-break share one deadline, so the call ends within the limit plus a small slack.
    rng = np.random.default_rng(1)
    cov = sp.random(3000, 600, density=0.02, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 3000).astype(float)
    for tie_break in ("local", "lexicographic"):
        t0 = time.perf_counter()
        sol = max_coverage(cov, w, np.ones(600), 40, solver=SolverOptions(time_limit_s=limit, tie_break=tie_break))
        assert time.perf_counter() - t0 <= limit + 0.5
        assert sol.status == "time_limit" and sol.bound >= sol.objective and sol.runtime_s <= limit + 0.5


def test_cbc_log_bound() -> None:
    from camsite.optimize._cbc import log_bound

    log = ("Continuous objective value is -13793.1 - 3.89 seconds\n"
           "Cbc0010I After 100 nodes, 5 on tree, -9391 best solution, best possible -13000.5 (1.5 seconds)\n"
           "Result - Stopped on time limit\n\nObjective value:                -9391.00000000\n"
           "Lower bound:                    -12999.250\nGap:                            0.38\n")
    assert log_bound(log) == -12999.25
    assert log_bound(log.split("Result")[0]) == -13000.5
    assert log_bound("Continuous objective value is -24 - 0.00 seconds") == -24.0
    assert np.isnan(log_bound("")) and np.isnan(log_bound("Lower bound: -1e+100"))


def test_cbc_time_limit_reports_its_own_bound() -> None:
    # A random instance CBC cannot close in 0.5 s (HiGHS needs seconds to prove the optimum 1687). The bound is
    # CBC's own (from its log): above the objective, at most the LP bound, and the gap is real.
    rng = np.random.default_rng(1)
    cov = sp.random(600, 150, density=0.04, random_state=rng, format="csr") > 0
    w = rng.integers(1, 11, 600).astype(float)
    sol = max_coverage(cov, w, np.ones(150), 10, solver=SolverOptions(name="cbc", time_limit_s=0.5))
    assert sol.status == "time_limit" and sol.solver == "cbc"
    assert sol.objective <= 1687.0 and sol.n_sites <= 10
    assert sol.lp_bound is not None and sol.objective < sol.bound <= sol.lp_bound + 1e-6
    assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.objective) and sol.gap > 0
    assert sol.greedy_objective is not None and sol.objective >= sol.greedy_objective  # the MIP start is kept


@pytest.mark.parametrize("cold_finds", [True, False])
def test_cbc_crash_on_a_mip_start_keeps_the_plan(cold_finds: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """CBC 2.10 segfaults when its time limit falls while it processes a MIP start (pulp then raises).

    Injected here (the real crash depends on timing): the warm solve fails, camsite solves cold; when the
    cold solve finds nothing, the start is the time-limited answer, never an error: the given {C, D} = 20 at
    budget 5, improved by the swap local search (D out, A in: 22) before the MIP. When the cold solve
    finishes, its proven optimum A + C = 22 is returned.
    """
    import pulp

    from camsite.optimize import make_model

    real = pulp.LpProblem.solve
    calls: list[bool] = []

    def flaky(self: pulp.LpProblem, solver: object = None, **kw: object) -> int:
        warm = bool(getattr(solver, "optionsDict", {}).get("warmStart"))
        calls.append(warm)
        if warm:
            raise pulp.PulpSolverError("Pulp: Error while trying to execute (injected: cbc exit -11)")
        return real(self, solver, **kw) if cold_finds else pulp.LpStatusNotSolved

    monkeypatch.setattr(pulp.LpProblem, "solve", flaky)
    sol = make_model(GREEDY_COV, GREEDY_W, GREEDY_C).solve(5, solver=SolverOptions(name="cbc", time_limit_s=5, lp_bound=False),
                                                             start=np.array([2, 3]))
    assert calls[:2] == [True, False]
    if cold_finds:
        assert (sol.status, sol.selected.tolist(), sol.objective) == ("optimal", [0, 2], 22.0)
    else:
        assert (sol.status, sol.selected.tolist(), sol.objective) == ("time_limit", [0, 2], 22.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_lexicographic_tie_break_restores_the_model(solver: str) -> None:
    from camsite.optimize import make_model

    # Six disjoint equal sites (the tie instance), one model: lexicographic solves at budgets 3 and 2, then a plain
    # solve at 3 must still see the original objective and no leftover tie-break row.
    cov = sp.csr_matrix(np.kron(np.eye(6, dtype=bool), np.ones((2, 1), dtype=bool)))
    model = make_model(cov, np.ones(12), np.ones(6))
    lex = SolverOptions(name=solver, tie_break="lexicographic")
    assert model.solve(3, solver=lex).selected.tolist() == [0, 1, 2]
    assert model.solve(2, solver=lex).selected.tolist() == [0, 1]
    sol = model.solve(3, solver=SolverOptions(name=solver, tie_break="none"))
    assert sol.objective == 6.0 and sol.n_sites == 3


def test_min_cost_cover_tie_rules() -> None:
    # Cover instance of test_min_cost_cover: cheapest full cover {0, 2} (cost 3) with either tie rule.
    cov = M([[1, 0, 0, 1], [1, 1, 0, 1], [0, 1, 1, 1], [0, 0, 0, 0]])
    costs = np.array([2.0, 3, 1, 4])
    for rule in ("lexicographic", "none"):
        assert min_cost_cover(cov, costs, solver=SolverOptions(tie_break=rule)).selected.tolist() == [0, 2]
    # Without site 0 the cheapest covers are {3} and {1, 2} (cost 4 each); the lexicographic rule takes the smaller
    # sum of (index + 1): {3} -> 4 against {1, 2} -> 2 + 3 = 5.
    cons = Constraints.build(4, forbidden=[0])
    sol = min_cost_cover(cov, costs, constraints=cons, solver=SolverOptions(tie_break="lexicographic"))
    assert sol.objective == 4.0 and sol.selected.tolist() == [3]
