"""CBC through pulp: the only module of camsite that imports pulp.

The :class:`~camsite.optimize._model.LinearModel` becomes pulp variables
(``LpProblem.add_variable``) and constraints once; each solve hands a problem
made of them to CBC (a ``cbc`` on the PATH through ``COIN_CMD``, else the binary
bundled with pulp, also through ``COIN_CMD``: pulp's ``PULP_CBC_CMD`` class is
deprecated).

* **Always a minimisation.** A maximisation is passed to CBC as the
  minimisation of the negated objective, and the values are negated back. With
  ``-max`` (how pulp passes a maximisation), CBC 2.10 takes a MIP start's
  objective with the wrong sign: its log then reads "MIPStart provided solution
  with cost 9391" next to "best possible -13793.14", so it holds the start as
  an incumbent of internal value +9391 while every solution has a negative
  internal value, and a worse solution found later replaces the start. As a
  minimisation the start's cost is -9391 and the incumbent is right.
* **Bound.** pulp reports no bound, so CBC's log (pulp's ``logPath``) is read:
  the final "Lower bound:" line, else the last "best possible" value, else the
  root LP value ("Continuous objective value is"). A time-limited solve thus
  reports CBC's own proven bound and the real gap.
* **Time limit.** CBC checks its limit (``-sec``) only between nodes, so the
  root LP and cut rounds can overrun it.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from camsite.errors import SolverError
from camsite.optimize._model import Basis, FloatArray, IntArray, LinearModel, Outcome

logger = logging.getLogger(__name__)

__all__ = ["CbcBackend", "log_bound"]

_NUM = r"([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|nan))"
_FINAL_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s*" + _NUM, re.MULTILINE)
_BEST_POSSIBLE = re.compile(r"best possible " + _NUM)
_CONTINUOUS = re.compile(r"Continuous objective value is " + _NUM)


def log_bound(text: str) -> float:
    """CBC's proven bound from its log (in CBC's own, minimising, sense), or nan.

    >>> log_bound("Cbc0010I After 0 nodes, 1 on tree, -20 best solution, best possible -23.5 (0.1 seconds)")
    -23.5
    >>> log_bound("Continuous objective value is -24 - 0.00 seconds\\nLower bound:  -22.000\\n")
    -22.0
    """
    for pattern in (_FINAL_BOUND, _BEST_POSSIBLE, _CONTINUOUS):
        hits = pattern.findall(text)
        if hits:
            value = float(hits[-1])
            return value if math.isfinite(value) and abs(value) < 1e50 else float("nan")
    return float("nan")


def _solver(**kwargs: Any) -> Any:
    """CBC through ``COIN_CMD``: a ``cbc`` on the PATH, else the binary bundled with pulp."""
    coin = pulp.getSolver("COIN_CMD", **kwargs)
    if coin.available():
        return coin
    bundled = pulp.getSolver("COIN_CMD", path=pulp.PULP_CBC_CMD.pulp_cbc_path, **kwargs)
    if not bundled.available():
        raise SolverError("CBC is not available; use solver \"highs\"")
    return bundled


class CbcBackend:
    """A :class:`~camsite.optimize._model.LinearModel` as pulp objects, solved by CBC (module docs)."""

    name = "cbc"
    duals = False

    def __init__(self, model: LinearModel) -> None:
        self._holder = pulp.LpProblem("camsite", pulp.LpMinimize)
        self.vars: list[Any] = []
        for j in range(model.n_cols):
            lo, up = float(model.col_lower[j]), float(model.col_upper[j])
            cat = pulp.LpInteger if model.integer[j] else pulp.LpContinuous
            self.vars.append(self._holder.add_variable(f"v{j:07d}", lo if np.isfinite(lo) else None,
                                                       up if np.isfinite(up) else None, cat))
        self.rows: list[list[Any]] = []
        csr = model.matrix
        for i in range(model.n_rows):
            sl = slice(csr.indptr[i], csr.indptr[i + 1])
            self.rows.append(self._row(i, csr.indices[sl].astype(np.int64), csr.data[sl], float(model.row_lower[i]),
                                       float(model.row_upper[i])))
        self.set_objective(model.cost, maximize=model.maximize)

    def _row(self, i: int, cols: IntArray, vals: FloatArray, lower: float, upper: float) -> list[Any]:
        expr = [(self.vars[int(j)], float(v)) for j, v in zip(cols, vals, strict=True)]
        out = []
        if np.isfinite(lower) and lower == upper:
            out.append(pulp.LpConstraint(pulp.LpAffineExpression(expr), sense=pulp.LpConstraintEQ, rhs=lower,
                                         name=f"r{i:07d}e"))
        else:
            if np.isfinite(lower):
                out.append(pulp.LpConstraint(pulp.LpAffineExpression(expr), sense=pulp.LpConstraintGE, rhs=lower,
                                             name=f"r{i:07d}l"))
            if np.isfinite(upper):
                out.append(pulp.LpConstraint(pulp.LpAffineExpression(expr), sense=pulp.LpConstraintLE, rhs=upper,
                                             name=f"r{i:07d}u"))
        return out

    # -- editing ---------------------------------------------------------------------------------
    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Change one row's bounds (only its finite sides can change)."""
        for con in self.rows[row]:
            if con.sense == pulp.LpConstraintEQ and lower != upper:
                raise SolverError("internal error: an equality row cannot become a range")
            bound = lower if con.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else upper
            if not np.isfinite(bound):
                raise SolverError("internal error: a finite row bound cannot become infinite")
            con.constant = -float(bound)

    def set_objective(self, cost: FloatArray, *, maximize: bool) -> None:
        """Replace the objective (kept as a minimisation, module docs)."""
        self.sign = -1.0 if maximize else 1.0
        terms = [(v, self.sign * float(c)) for v, c in zip(self.vars, cost, strict=True)]
        self.objective = pulp.LpAffineExpression(terms)

    def add_row(self, cols: IntArray, vals: FloatArray, lower: float, upper: float) -> int:
        """Add a row; returns its index."""
        self.rows.append(self._row(len(self.rows), cols, vals, lower, upper))
        return len(self.rows) - 1

    def delete_last_row(self) -> None:
        """Remove the last row."""
        self.rows.pop()

    # -- solving ---------------------------------------------------------------------------------
    def _problem(self) -> Any:
        prob = pulp.LpProblem("camsite", pulp.LpMinimize)
        for cons in self.rows:
            for con in cons:
                prob.addConstraint(con)
        prob.setObjective(self.objective)
        return prob

    def lp_basis(self) -> Basis | None:
        """None: pulp gives no basis."""
        return None

    def solve(self, *, mip: bool, time_limit: float | None, abs_gap: float, start: FloatArray | None,
              defaults: bool = False, basis: Basis | None = None) -> Outcome:
        """Solve with CBC (``defaults`` changes nothing: camsite sets no CBC algorithm options; pulp takes no
        ``basis``, so every LP starts cold)."""
        prob = self._problem()
        for v in self.vars:
            v.varValue = None
        warm = start is not None and mip
        if warm and start is not None:
            for v, val in zip(self.vars, np.asarray(start, dtype=np.float64).tolist(), strict=True):
                v.setInitialValue(val, check=False)
        tl = None if time_limit is None else max(float(time_limit), 0.01)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="camsite-cbc-") as tmp:
            log = Path(tmp) / "cbc.log"
            solver = _solver(mip=mip, msg=False, gapRel=0.0, gapAbs=float(abs_gap), timeLimit=tl, warmStart=warm,
                             threads=1, logPath=str(log))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    prob.solve(solver)
            except pulp.PulpSolverError as exc:
                if not warm or start is None:
                    raise SolverError(f"cbc failed: {exc}") from exc
                return self._after_crash(start, tl, t0, abs_gap)
            text = log.read_text(errors="replace") if log.exists() else ""
        runtime = time.perf_counter() - t0
        out = self._outcome(prob, runtime, text)
        logger.debug("cbc %s: %s objective %.9g bound %.9g in %.3f s", "MIP" if mip else "LP", out.status,
                     out.objective, out.bound, runtime)
        return out

    def _after_crash(self, start: FloatArray, time_limit: float | None, t0: float, abs_gap: float) -> Outcome:
        """CBC crashed on a MIP start: solve cold in the time left, and keep the start if it is better.

        CBC 2.10 (the binary pulp bundles) dies with a segmentation fault when
        its time limit falls while it is still working on a MIP start (seen
        with ``-sec`` under about 2 s on the default scenario). The start is a
        feasible plan (checked here), so it is never lost to the crash.
        """
        logger.debug("cbc crashed while using the MIP start: solving again without it")
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.01)
        cold = self.solve(mip=True, time_limit=left, abs_gap=abs_gap, start=None)
        value = self._feasible_value(start)
        if value is None or cold.status == "optimal" or (cold.has_solution and self.sign * cold.objective <= self.sign * value):
            return replace(cold, runtime_s=time.perf_counter() - t0)
        return Outcome("time_limit", value, cold.bound, time.perf_counter() - t0, np.asarray(start, np.float64))

    def _feasible_value(self, values: FloatArray) -> float | None:
        """The objective of ``values`` (in the model's sense) if they satisfy every row and bound, else None."""
        for v, x in zip(self.vars, np.asarray(values, dtype=np.float64).tolist(), strict=True):
            if (v.lowBound is not None and x < v.lowBound - 1e-9) or (v.upBound is not None and x > v.upBound + 1e-9):
                return None
            v.varValue = x
        if not all(con.valid(1e-7) for cons in self.rows for con in cons):
            return None
        return self.sign * float(pulp.value(self.objective) or 0.0)

    def _outcome(self, prob: Any, runtime: float, log: str) -> Outcome:
        st, sol = prob.status, prob.sol_status
        nan = float("nan")
        if st == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
            return Outcome("infeasible", nan, nan, runtime)
        values = np.array([v.varValue if v.varValue is not None else 0.0 for v in self.vars], dtype=np.float64)
        if st == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
            obj = self.sign * float(pulp.value(prob.objective) or 0.0)
            return Outcome("optimal", obj, obj, runtime, values)
        bound = self.sign * log_bound(log)
        if st == pulp.LpStatusOptimal and sol == pulp.LpSolutionIntegerFeasible:
            return Outcome("time_limit", self.sign * float(pulp.value(prob.objective) or 0.0), bound, runtime, values)
        if st == pulp.LpStatusNotSolved:
            return Outcome("time_limit", nan, bound, runtime)
        raise SolverError(f"CBC stopped with status {pulp.LpStatus.get(st, st)}")
