"""A thin layer over pulp: the only module of camsite that imports pulp.

:class:`Mip` builds a model from index/coefficient arrays (never from a dense
matrix) and solves it with HiGHS in-process (``highspy``; pulp's ``HiGHS``
interface) or with CBC (pulp's bundled ``PULP_CBC_CMD``), with the relative gap
set to 0 and the absolute gap chosen by the caller (see
:mod:`camsite.optimize._data`).

HiGHS in-process is used rather than ``HiGHS_CMD``: it needs no ``highs``
executable (``highspy`` ships none) and avoids writing and parsing an MPS file.
A warm start is passed to HiGHS with ``Highs.setSolution`` just before the run,
to CBC with pulp's ``warmStart`` (an MIP start file).
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pulp

from camsite.errors import SolverError

logger = logging.getLogger(__name__)

__all__ = ["Mip", "Outcome", "SOLVERS"]

#: camsite solver names -> pulp solver names.
SOLVERS = {"highs": "HiGHS", "cbc": "COIN_CMD or PULP_CBC_CMD"}

#: HiGHS options for MIPs (measurements in benchmarks/README.md). The root LP of coverage models is
#: highly degenerate: the interior point method (with crossover) solves it several times faster than
#: dual simplex. Presolve probing (rule 15, ``presolve_rule_off = 2**15``) can spend minutes on the
#: cliques a tight budget creates among thousands of site variants, ignoring the time limit.
HIGHS_MIP_OPTIONS: dict[str, Any] = {"mip_lp_solver": "ipm", "presolve_rule_off": 2**15}
#: HiGHS options for the LP relaxation (only its value is used, so no crossover to a basis).
HIGHS_LP_OPTIONS: dict[str, Any] = {"solver": "ipm", "run_crossover": "off"}

_HIGHS_BASE: Any = type(pulp.getSolver("HiGHS", msg=False))


class _HighsWarm(_HIGHS_BASE):  # type: ignore[misc, valid-type]
    """pulp's in-process HiGHS interface, plus a MIP start set just before the run."""

    start: dict[Any, float] | None = None

    def callSolver(self, lp: Any) -> None:  # noqa: N802 (pulp's name)
        if self.start:
            import highspy

            idx = np.fromiter((v.index for v in self.start), dtype=np.int32, count=len(self.start))
            val = np.fromiter(self.start.values(), dtype=np.float64, count=len(self.start))
            status = lp.solverModel.setSolution(len(idx), idx, val)
            if status != highspy.HighsStatus.kOk:
                logger.debug("HiGHS rejected the warm start (%s)", status)
        lp.solverModel.run()


class _Problem(pulp.LpProblem):
    """``LpProblem`` whose ``variables()`` is cached between changes of the model.

    pulp rescans every constraint on each ``variables()`` call, and a solve calls it
    three times; camsite only adds constraints and replaces the objective (both
    change the cache key) or edits right-hand sides (which add no variable).
    """

    _key: tuple[int, int] | None = None

    def variables(self) -> list[Any]:
        key = (len(self._constraints), id(self.objective))
        if key != self._key:
            self._key = key
            return super().variables()
        return self._variables


@dataclass
class Outcome:
    """Status, objective, bound and time of one solve (objective in the model's own sense)."""

    status: str
    objective: float
    bound: float
    runtime_s: float
    has_solution: bool


_BANNER_DONE = False


def _silence_banner() -> None:
    """Create the process's first ``highspy.Highs`` with stdout closed: HiGHS prints a banner once per process."""
    global _BANNER_DONE
    if _BANNER_DONE:
        return
    _BANNER_DONE = True
    import os
    import sys

    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _highs_available() -> bool:
    try:
        ok = bool(pulp.getSolver("HiGHS", msg=False).available())
    except pulp.PulpSolverError:
        return False
    if ok:
        _silence_banner()
    return ok


def _cbc(**kwargs: Any) -> Any:
    """CBC: a ``cbc`` on the PATH through ``COIN_CMD``, else the binary bundled with pulp.

    pulp 3.3 flags its bundled-CBC interface ``PULP_CBC_CMD`` as deprecated for
    pulp 4.0; that one warning is silenced here (camsite turns its own
    DeprecationWarnings into errors in tests).
    """
    coin = pulp.getSolver("COIN_CMD", **kwargs)
    if coin.available():
        return coin
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning)
        return pulp.getSolver("PULP_CBC_CMD", **kwargs)


class Mip:
    """A maximisation or minimisation model over binary site variables and continuous helpers."""

    def __init__(self, name: str, *, maximize: bool) -> None:
        self.prob = _Problem(name, pulp.LpMaximize if maximize else pulp.LpMinimize)
        self.maximize = maximize
        self._count = 0

    # -- building ------------------------------------------------------------------------------
    def binaries(self, name: str, n: int) -> list[Any]:
        """``n`` binary variables."""
        d = self.prob.add_variable_dicts(name, range(n), 0, 1, pulp.LpBinary)
        return [d[i] for i in range(n)]

    def continuous(self, name: str, n: int, upper: float = 1.0) -> list[Any]:
        """``n`` continuous variables in ``[0, upper]``."""
        d = self.prob.add_variable_dicts(name, range(n), 0, upper, pulp.LpContinuous)
        return [d[i] for i in range(n)]

    @staticmethod
    def fix_lower(var: Any, value: float) -> None:
        """Raise a variable's lower bound (a forced site)."""
        var.lowBound = value

    def add(self, terms: Iterable[tuple[Any, float]], sense: str, rhs: float) -> Any:
        """Add ``sum(coef * var) (<=|>=|==) rhs``; returns the constraint."""
        senses = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}
        self._count += 1
        con = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense=senses[sense], rhs=float(rhs),
                                name=f"c{self._count}")
        self.prob.addConstraint(con)
        return con

    def set_objective(self, terms: Iterable[tuple[Any, float]], *, maximize: bool) -> None:
        """Replace the objective."""
        self.prob.sense = pulp.LpMaximize if maximize else pulp.LpMinimize
        self.maximize = maximize
        self.prob.setObjective(pulp.LpAffineExpression(terms))

    @staticmethod
    def values(variables: Sequence[Any]) -> np.ndarray:
        """The variables' values after a solve (0 where the solver gave none)."""
        return np.array([v.varValue if v.varValue is not None else 0.0 for v in variables], dtype=np.float64)

    # -- solving -------------------------------------------------------------------------------
    def _solver(self, solver: str, *, mip: bool, time_limit: float | None, abs_gap: float,
                start: dict[Any, float] | None, options: dict[str, Any] | None = None) -> Any:
        if solver not in SOLVERS:
            raise SolverError(f"unknown solver {solver!r}; use \"highs\" or \"cbc\"")
        tl = None if time_limit is None else max(float(time_limit), 0.01)
        if solver == "highs":
            if not _highs_available():
                raise SolverError("HiGHS (highspy) is not installed; install highspy or use solver=\"cbc\"")
            opts = options if options is not None else (HIGHS_MIP_OPTIONS if mip else HIGHS_LP_OPTIONS)
            s = _HighsWarm(mip=mip, msg=False, gapRel=0.0, gapAbs=abs_gap, timeLimit=tl, threads=1, **opts)
            s.start = start if mip else None
            return s
        s = _cbc(mip=mip, msg=False, gapRel=0.0, gapAbs=abs_gap, timeLimit=tl,
                           warmStart=bool(start) and mip, threads=1)
        if not s.available():
            raise SolverError("CBC is not available; use solver=\"highs\"")
        if start and mip:
            for var, val in start.items():
                var.setInitialValue(val)
        return s

    def solve(self, solver: str = "highs", *, mip: bool = True, time_limit: float | None = None,
              abs_gap: float = 1e-9, start: dict[Any, float] | None = None) -> Outcome:
        """Solve; ``status`` is ``optimal``, ``time_limit`` or ``infeasible``."""
        out = self._solve_once(solver, mip=mip, time_limit=time_limit, abs_gap=abs_gap, start=start)
        if start and out.status == "optimal" and abs(out.bound - out.objective) > abs_gap + 1e-9 * abs(out.bound):
            # HiGHS 1.16 can report "optimal" with the start's values when presolve alone solves the model:
            # the values then disagree with the proven bound. Solve again without the start.
            logger.debug("%s returned the start (%.9g) with bound %.9g: solving again cold", solver,
                         out.objective, out.bound)
            out = self._solve_once(solver, mip=mip, time_limit=time_limit, abs_gap=abs_gap, start=None)
        if out.status == "unknown" and solver == "highs":
            # The interior point method without crossover can end with small dual infeasibilities that
            # HiGHS flags as status Unknown after postsolve: solve again with HiGHS's default settings.
            logger.debug("HiGHS status Unknown: solving again with default settings")
            out = self._solve_once(solver, mip=mip, time_limit=time_limit, abs_gap=abs_gap, start=start, options={})
        if out.status == "unknown":
            raise SolverError(f"{solver} stopped with an unknown status")
        return out

    def _solve_once(self, solver: str, *, mip: bool, time_limit: float | None, abs_gap: float,
                    start: dict[Any, float] | None, options: dict[str, Any] | None = None) -> Outcome:
        s = self._solver(solver, mip=mip, time_limit=time_limit, abs_gap=abs_gap, start=start, options=options)
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated",
                                        category=DeprecationWarning)
                self.prob.solve(s)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"{solver} failed: {exc}") from exc
        runtime = time.perf_counter() - t0
        out = self._highs_outcome(runtime) if solver == "highs" else self._cbc_outcome(runtime)
        logger.debug("%s %s: %s objective %.6g bound %.6g in %.3f s", solver, "MIP" if mip else "LP",
                     out.status, out.objective, out.bound, runtime)
        return out

    def _objective(self) -> float:
        val = pulp.value(self.prob.objective)
        return float("nan") if val is None else float(val)

    def _highs_outcome(self, runtime: float) -> Outcome:
        import highspy

        h = self.prob.solverModel
        st = h.getModelStatus()
        ms = highspy.HighsModelStatus
        if st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return Outcome("infeasible", float("nan"), float("nan"), runtime, False)
        info = h.getInfo()
        has = info.primal_solution_status == 2  # kSolutionStatusFeasible
        obj = self._objective() if has else float("nan")
        sign = -1.0 if self.maximize else 1.0
        bound = sign * float(info.mip_dual_bound) if info.mip_node_count >= 0 else obj
        if st == ms.kOptimal:
            return Outcome("optimal", obj, obj if not np.isfinite(bound) else bound, runtime, has)
        if st in (ms.kTimeLimit, ms.kInterrupt, ms.kIterationLimit, ms.kSolutionLimit):
            return Outcome("time_limit", obj, bound, runtime, has)
        if st == ms.kUnknown:
            return Outcome("unknown", obj, bound, runtime, has)
        raise SolverError(f"HiGHS stopped with status {h.modelStatusToString(st)}")

    def _cbc_outcome(self, runtime: float) -> Outcome:
        st, sol = self.prob.status, self.prob.sol_status
        if st == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
            return Outcome("infeasible", float("nan"), float("nan"), runtime, False)
        if st == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
            obj = self._objective()
            return Outcome("optimal", obj, obj, runtime, True)
        if st == pulp.LpStatusOptimal and sol == pulp.LpSolutionIntegerFeasible:
            return Outcome("time_limit", self._objective(), float("nan"), runtime, True)
        if st == pulp.LpStatusNotSolved:
            return Outcome("time_limit", float("nan"), float("nan"), runtime, False)
        raise SolverError(f"CBC stopped with status {pulp.LpStatus.get(st, st)}")
