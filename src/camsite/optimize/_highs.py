"""HiGHS in-process through ``highspy``: the model is passed once as arrays and edited in place.

The :class:`~camsite.optimize._model.LinearModel` is handed over with one
``Highs.passModel`` call (column-wise matrix, integrality). Between solves only
what changes is edited: a row's bounds (``changeRowBounds``: the budget of a
sweep), the objective, or one extra row (the lexicographic tie-break). Each
solve starts from a clean solver state (``clearSolver``), so its result depends
only on the model, the options and the MIP start (``setSolution``), never on
earlier solves: a sweep gives the same sites in any order and with any number
of workers.

HiGHS runs single-threaded (``threads = 1``: deterministic) and silent: output
is switched off with HiGHS's own ``output_flag`` (and ``log_to_console``) before
the solver can print (``highspy.Highs.__init__`` installs its callback through
``enableCallbacks``, which is when HiGHS 1.16 prints its banner unless output is
already off).

Options (:data:`MIP_OPTIONS`, :data:`LP_OPTIONS`) were chosen by measurement
(HiGHS 1.16, 2-core machine, CPU seconds of the solver thread) on the default
scenario (6,376 demand points x 5,474 candidate variants, reduced to 3,729 rows
x 5,390 sites: a MIP of 9,119 columns, 5,467 rows, 62,956 nonzeros; 8 budgets
0.25-2 MSEK, each warm-started from the previous optimum) and on the random
instances of ``benchmarks/vs_spopt.py``:

* MIP, ``mip_lp_solver = "ipm"`` (chosen): 12.2-12.9 s for the 8 budgets;
  1.4 s at random 5,000 x 2,000.
* MIP, ``mip_lp_solver = "simplex"``: 10.4-12.0 s; 2.3 s at 5,000 x 2,000.
* MIP with presolve probing (``presolve_rule_off = 0``): over 60 s at 0.25 MSEK.
* MIP with ``presolve = "off"``: 56.7 s; with ``mip_allow_restart = false``:
  126-166 s.
* MIP without RINS/RENS or feasibility jump, or ``mip_heuristic_effort`` 0 or
  0.02: 12.4-15.9 s (no gain).
* LP relaxation by IPM without crossover: 0.74-0.86 s; 0.27 s at 5,000 x 2,000.
* LP relaxation by dual simplex: 0.10-0.13 s; 1.1 s at 5,000 x 2,000.

IPM is kept for both: it loses up to 20 % (MIP) and 0.7 s (LP) on the default
scenario but wins by 1.6-4x on the random instances and by 7-16x at
20,000 x 5,000 (benchmarks/README.md; with dual simplex that instance took
71.6 s against 6.5 s). Scaling the budget row (its coefficients reach 2e5)
changed nothing beyond the noise; of the column orders tried (this one, pulp's
name order, reversed, four random permutations: 17.5-25.6 s for five budgets
without greedy filling of the start) this one was the fastest.

Nested models (graded coverage: each demand point split into
nested rows; ``SolverOptions.nested``) get :data:`NESTED_OPTIONS` instead: dual simplex and no presolve. On the default
scenario's graded model (42,361 rows, a MIP of 18,622 columns and 15,695 rows)
five budgets 0.25-2 MSEK took 30.1 s with the IPM options above (LP bound
included), 4.6 s with dual simplex, and the MIP alone 0.4-1.5 s per budget with
dual simplex and presolve off against 0.7-2.5 s with presolve. On binary
models presolve off is far slower (1 MSEK: 22 s against 5.6 s; 1.75 MSEK: over
60 s against 7.1 s), so the rule is by model, not global. Their LP relaxations
(for reduced-cost fixing) get the same: eight budgets' LPs with their count
rows took 1.2 s with presolve off against 1.9 s with it (same optima).

An LP can start from a :class:`~camsite.optimize._model.Basis` (``solve(...,
basis=...)``; dual simplex, no presolve): the rows added since the basis was
taken start basic, a basis of another model is not used (cold start).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._model import Basis, FloatArray, IntArray, LinearModel, Outcome

logger = logging.getLogger(__name__)

__all__ = ["LP_OPTIONS", "MIP_OPTIONS", "NESTED_OPTIONS", "HighsBackend"]

#: HiGHS options for MIPs (module docs). The root LP of random coverage models is highly degenerate:
#: the interior point method (``mip_lp_solver = "ipm"``) solves it several times faster than dual simplex
#: (20,000 x 5,000 random instance: MIP 9.7 s against 73.6 s). Presolve probing (rule 15,
#: ``presolve_rule_off = 2**15``) can spend minutes on the cliques a tight budget creates among thousands
#: of site variants, ignoring the time limit (default scenario at 250,000 SEK: over 60 s, against 1 s).
MIP_OPTIONS: dict[str, Any] = {"mip_lp_solver": "ipm", "presolve_rule_off": 2**15}
#: HiGHS options for the LP relaxation (only its value is used, so no crossover to a basis).
LP_OPTIONS: dict[str, Any] = {"solver": "ipm", "run_crossover": "off"}
#: Options for nested (graded) models, MIP and LP alike (module docs).
NESTED_OPTIONS: dict[str, Any] = {"mip_lp_solver": "simplex", "solver": "simplex", "presolve": "off"}
#: HiGHS's defaults for the options above (used by the retry with ``defaults=True``).
_DEFAULTS: dict[str, Any] = {"mip_lp_solver": "choose", "presolve_rule_off": 0, "solver": "choose",
                             "run_crossover": "on", "presolve": "choose"}

_MS = highspy.HighsModelStatus
#: HiGHS's basis status by its code (:class:`~camsite.optimize._model.Basis` keeps the codes).
_STATUS = {int(v): v for v in highspy.HighsBasisStatus.__members__.values()}
_STOPPED = (_MS.kTimeLimit, _MS.kInterrupt, _MS.kIterationLimit, _MS.kSolutionLimit)


class _QuietHighs(highspy.Highs):
    """``highspy.Highs`` with output off before HiGHS can print its banner (module docs)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def enableCallbacks(self) -> None:  # noqa: N802 (highspy's name)
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()  # type: ignore[no-untyped-call]


def _set(h: highspy.Highs, name: str, value: Any) -> None:
    if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise SolverError(f"HiGHS rejected option {name} = {value!r}")


class HighsBackend:
    """One HiGHS instance holding a :class:`~camsite.optimize._model.LinearModel`."""

    name = "highs"
    duals = True

    def __init__(self, model: LinearModel, *, nested: bool = False) -> None:
        self.maximize = model.maximize
        self.n_cols = model.n_cols
        self.h = _QuietHighs()
        for key, value in {"output_flag": False, "log_to_console": False, "threads": 1, "mip_rel_gap": 0.0,
                           "random_seed": 0}.items():
            _set(self.h, key, value)
        csc = sp.csc_matrix(model.matrix)
        csc.sort_indices()
        status = self.h.passModel(
            model.n_cols, model.n_rows, int(csc.nnz), int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize), 0.0,
            model.cost, model.col_lower, model.col_upper, model.row_lower, model.row_upper,
            csc.indptr.astype(np.int32), csc.indices.astype(np.int32), csc.data.astype(np.float64),
            model.integer.astype(np.int32))
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS rejected the model")
        self.n_rows = model.n_rows
        self.nested = nested
        self.cost = np.asarray(model.cost, dtype=np.float64).copy()

    # -- editing ---------------------------------------------------------------------------------
    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Change one row's bounds."""
        self.h.changeRowBounds(int(row), float(lower), float(upper))

    def set_objective(self, cost: FloatArray, *, maximize: bool) -> None:
        """Replace the objective."""
        idx = np.arange(self.n_cols, dtype=np.int32)
        self.h.changeColsCost(self.n_cols, idx, np.asarray(cost, dtype=np.float64))
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize)
        self.maximize = maximize
        self.cost = np.asarray(cost, dtype=np.float64).copy()

    def add_row(self, cols: IntArray, vals: FloatArray, lower: float, upper: float) -> int:
        """Add a row; returns its index."""
        self.h.addRow(float(lower), float(upper), len(cols), np.asarray(cols, dtype=np.int32),
                      np.asarray(vals, dtype=np.float64))
        self.n_rows += 1
        return self.n_rows - 1

    def delete_last_row(self) -> None:
        """Remove the last row."""
        self.n_rows -= 1
        self.h.deleteRows(1, np.array([self.n_rows], dtype=np.int32))

    # -- solving ---------------------------------------------------------------------------------
    def solve(self, *, mip: bool, time_limit: float | None, abs_gap: float, start: FloatArray | None,
              defaults: bool = False, basis: Basis | None = None) -> Outcome:
        """Solve from a clean state, or an LP from ``basis`` (see :class:`~camsite.optimize._model.Backend`)."""
        h = self.h
        h.clearSolver()
        opts = dict(_DEFAULTS)
        if not defaults:
            opts.update(MIP_OPTIONS if mip else LP_OPTIONS)
            if self.nested or (basis is not None and not mip):
                opts.update(NESTED_OPTIONS)
        opts.update(solve_relaxation=not mip, mip_abs_gap=float(abs_gap),
                    time_limit=float("inf") if time_limit is None else max(float(time_limit), 1e-3))
        for key, value in opts.items():
            _set(h, key, value)
        if start is not None and mip:
            idx = np.arange(self.n_cols, dtype=np.int32)
            if h.setSolution(self.n_cols, idx, np.asarray(start, dtype=np.float64)) != highspy.HighsStatus.kOk:
                logger.debug("HiGHS rejected the warm start")
        if basis is not None and not mip and not defaults:
            self._set_basis(basis)
        t0 = time.perf_counter()
        h.run()
        out = self._outcome(mip, time.perf_counter() - t0)
        if start is not None and mip and self._values_disagree(out):
            # HiGHS 1.16 can report the optimum's objective with the start's values (presolve solved it)
            logger.debug("highs returned the start's values with objective %.9g: solving again cold", out.objective)
            h.clearSolver()
            t0 = time.perf_counter()
            h.run()
            out = self._outcome(mip, time.perf_counter() - t0)
        logger.debug("highs %s: %s objective %.9g bound %.9g in %.3f s", "MIP" if mip else "LP", out.status,
                     out.objective, out.bound, out.runtime_s)
        return out

    def _set_basis(self, basis: Basis) -> None:
        """Start the next LP from ``basis``, the rows added since it was taken basic; a basis of another model
        (other columns, or more rows) is not used."""
        if not len(basis.cols):  # Basis.cold()
            return
        extra = self.n_rows - len(basis.rows)
        if len(basis.cols) != self.n_cols or extra < 0:
            logger.debug("LP basis of another model (%d columns, %d rows): starting cold", len(basis.cols),
                         len(basis.rows))
            return
        hb = highspy.HighsBasis()
        hb.col_status = [_STATUS[int(k)] for k in basis.cols]
        hb.row_status = [_STATUS[int(k)] for k in basis.rows] + [highspy.HighsBasisStatus.kBasic] * extra
        hb.valid, hb.alien = True, False
        if self.h.setBasis(hb) != highspy.HighsStatus.kOk:
            logger.debug("HiGHS rejected the LP basis: starting cold")
            self.h.clearSolver()

    def lp_basis(self) -> Basis | None:
        """The basis of the LP just solved to optimality (None after a MIP or when the LP did not end optimal)."""
        if self.h.getModelStatus() != _MS.kOptimal or not self.h.getInfo().basis_validity:
            return None
        hb = self.h.getBasis()
        return Basis(cols=np.fromiter(map(int, hb.col_status), dtype=np.int8, count=self.n_cols),
                     rows=np.fromiter(map(int, hb.row_status), dtype=np.int8, count=self.n_rows))

    def _values_disagree(self, out: Outcome) -> bool:
        """Whether the returned values' objective differs from the objective HiGHS reports."""
        if out.values is None or not np.isfinite(out.objective):
            return False
        said = float(self.cost @ out.values)
        return abs(said - out.objective) > 1e-6 * max(1.0, abs(out.objective))

    def _outcome(self, mip: bool, runtime: float) -> Outcome:
        h = self.h
        st = h.getModelStatus()
        nan = float("nan")
        if st in (_MS.kInfeasible, _MS.kUnboundedOrInfeasible):
            return Outcome("infeasible", nan, nan, runtime)
        if st == _MS.kModelEmpty:
            return Outcome("optimal", 0.0, 0.0, runtime, np.zeros(self.n_cols))
        info = h.getInfo()
        has = int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
        values = np.asarray(h.getSolution().col_value, dtype=np.float64) if has else None
        obj = float(info.objective_function_value) if has else nan
        if mip:
            bound = float(info.mip_dual_bound)
            bound = bound if np.isfinite(bound) else nan
        else:
            bound = obj
        if st == _MS.kOptimal:
            duals = None
            if not mip and int(info.dual_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible):
                duals = np.asarray(h.getSolution().row_dual, dtype=np.float64)
            return Outcome("optimal", obj, obj if np.isnan(bound) else bound, runtime, values, duals)
        if st in _STOPPED:
            return Outcome("time_limit", obj, bound, runtime, values)
        if st == _MS.kUnknown:
            return Outcome("unknown", obj, bound, runtime, values)
        raise SolverError(f"HiGHS stopped with status {h.modelStatusToString(st)}")
