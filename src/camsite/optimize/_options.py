"""How to solve: :class:`SolverOptions`."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from camsite.vocab import SOLVER_NAMES, check_solver

__all__ = ["DEFAULT_SOLVER", "FAR_START_SITES", "SWEEP_SOLVER", "TIE_BREAKS", "SolverOptions"]

#: The tie-break rules (see :mod:`camsite.optimize`).
TIE_BREAKS: tuple[str, ...] = ("local", "lexicographic", "none")


#: ``SolverOptions.max_start_gap`` applies to reduced models of more than this many sites (small ones prove fast).
FAR_START_SITES = 1000


@dataclass(frozen=True)
class SolverOptions:
    """Solver settings shared by every model function.

    Attributes
    ----------
    name
        The MIP solver, one of :data:`camsite.vocab.SOLVER_NAMES`: ``"highs"``
        (default, in-process) or ``"cbc"``.
    time_limit_s
        Wall-clock limit in seconds for one solve, i.e. one budget: the LP bound,
        the MIP, any retry and the lexicographic tie-break share one deadline, so
        together they take at most this long (for :func:`max_coverage` and
        :func:`min_cost_cover` the clock starts with the call, so the reductions
        count too). Steps that cannot be interrupted (reductions, greedy, handing
        the model to the solver, CBC's root node) can overrun it. On expiry the
        best solution found is returned with ``status="time_limit"``, the proven
        bound and the gap. In :func:`budget_sweep` and :func:`staged_plan` it
        applies to each budget. ``None``: no limit.
    greedy
        Also compute the cost-effectiveness greedy heuristic's solution (reported
        in :attr:`Solution.greedy_objective`; the MIP starts from it anyway when
        no other start is given).
    lp_bound
        Also solve the LP relaxation (reported in :attr:`Solution.lp_bound`).
    tie_break
        How to choose among optimal solutions: ``"local"`` (default),
        ``"lexicographic"`` or ``"none"`` (see :mod:`camsite.optimize`).
    workers
        Processes/threads :func:`budget_sweep` uses for its budgets; ``0`` or
        ``None``: one per CPU core. The results do not depend on it.
    nested
        The coverage rows are nested value steps of graded coverage
        (:mod:`camsite.stages.rows`): HiGHS then uses dual simplex without
        presolve (:mod:`camsite.optimize._highs`), several times faster there.
        Only the speed depends on it.
    fixing
        Reduced-cost fixing (max coverage): solve the LP relaxation (also when
        ``lp_bound`` is off) and, when its duals prove that most sites are in
        no plan better than the best start found, solve the MIP over the
        others (:mod:`camsite.optimize._fixing`). Exact; only the speed
        depends on it. Backends without LP duals (CBC) skip it.
    max_start_gap
        Min-cost covers only: when the best start costs more than
        ``(1 + max_start_gap)`` times the LP bound on a reduced model of more
        than :data:`FAR_START_SITES` sites, the MIP is not run and the start is
        returned unproven (``status="time_limit"``) with the LP bound (the LP
        is solved for it). For a quick look within seconds, which does not close
        such a gap (a run's target points: the default scenario's 25 % cover,
        13 % above its LP bound, kept the greedy plan after 3 s of MIP); the
        result then does not depend on the machine's speed. ``None`` (default):
        always run the MIP.

    Examples
    --------
    >>> SolverOptions(name="cbc", time_limit_s=60).time_limit_s
    60
    >>> SolverOptions(name="gurobi")
    Traceback (most recent call last):
    ...
    ValueError: unknown solver 'gurobi'; use "highs" or "cbc"
    """

    name: str = SOLVER_NAMES[0]
    time_limit_s: float | None = None
    greedy: bool = True
    lp_bound: bool = True
    tie_break: str = "local"
    workers: int | None = 1
    nested: bool = False
    fixing: bool = True
    max_start_gap: float | None = None

    def __post_init__(self) -> None:
        check_solver(self.name)
        t = self.time_limit_s
        if t is not None and (isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t <= 0):
            raise ValueError(f"time_limit_s must be a number > 0 or None, not {t!r}")
        if self.tie_break not in TIE_BREAKS:
            raise ValueError(f"tie_break must be 'local', 'lexicographic' or 'none', not {self.tie_break!r}")
        w = self.workers
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w < 0):
            raise ValueError(f"workers must be an integer >= 0 or None, not {w!r}")
        g = self.max_start_gap
        if g is not None and (isinstance(g, bool) or not isinstance(g, int | float) or not math.isfinite(g) or g < 0):
            raise ValueError(f"max_start_gap must be a number >= 0 or None, not {g!r}")
        for flag in ("greedy", "lp_bound", "fixing"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be True or False")

    @property
    def n_workers(self) -> int:
        """The number of workers :attr:`workers` means (``0``/``None``: the usable CPU cores)."""
        if self.workers:
            return int(self.workers)
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)


#: The default settings of :func:`max_coverage`, :func:`min_cost_cover` and :meth:`CoverageModel.solve`.
DEFAULT_SOLVER = SolverOptions()
#: The default settings of :func:`budget_sweep` and :func:`staged_plan`: no greedy or LP bound per budget.
SWEEP_SOLVER = SolverOptions(greedy=False, lp_bound=False)
