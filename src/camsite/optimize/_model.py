"""Solver-neutral integer programs as arrays, and the solve protocol every backend follows.

A :class:`LinearModel` is a MIP in arrays: objective, column bounds and
integrality, a sparse row matrix with row bounds. It is built with
:class:`ModelBuilder` from index/coefficient arrays (never from a dense matrix)
and handed to a backend (:func:`open_backend`):

* ``"highs"``: :mod:`camsite.optimize._highs`, HiGHS in-process through
  ``highspy``; the model is passed once and edited in place (row bounds,
  objective) between solves.
* ``"cbc"``: :mod:`camsite.optimize._cbc`, CBC through pulp (the only module of
  camsite that imports pulp).

:func:`solve_mip` and :func:`solve_lp` add the safeguards that do not depend on
the backend: one deadline for a solve and its retries, and the two HiGHS 1.16
guards (see their docstrings).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from camsite.errors import SolverError
from camsite.optimize._data import BoolArray, FloatArray, IntArray
from camsite.vocab import check_solver

logger = logging.getLogger(__name__)

__all__ = ["Backend", "Basis", "BoolArray", "Deadline", "FloatArray", "IntArray", "LinearModel", "ModelBuilder", "Outcome",
           "open_backend", "solve_lp", "solve_mip"]

#: Shortest time a solve is given once its deadline has passed (it then returns what it has at once).
MIN_SOLVE_S = 0.01


@dataclass(frozen=True, eq=False)
class LinearModel:
    """``max/min cost @ x`` s.t. ``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``."""

    maximize: bool
    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    matrix: sp.csr_matrix
    row_lower: FloatArray
    row_upper: FloatArray

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return len(self.row_lower)


class ModelBuilder:
    """Collects column and row blocks, then assembles a :class:`LinearModel`."""

    def __init__(self) -> None:
        self._cols: list[tuple[FloatArray, FloatArray, FloatArray, BoolArray]] = []
        self._rows: list[tuple[IntArray, IntArray, FloatArray]] = []
        self._bounds: list[tuple[FloatArray, FloatArray]] = []
        self.n_cols = 0
        self.n_rows = 0

    def add_columns(self, n: int, *, cost: float | FloatArray = 0.0, lower: float | FloatArray = 0.0,
                    upper: float | FloatArray = 1.0, integer: bool = False) -> IntArray:
        """Add ``n`` columns; returns their indices."""
        self._cols.append((np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy(),
                           np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy(),
                           np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy(),
                           np.full(n, integer, dtype=np.bool_)))
        idx = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.n_cols += n
        return idx

    def set_lower(self, cols: npt.ArrayLike, value: float) -> None:
        """Set the lower bound of columns already added (e.g. 1 for forced sites)."""
        idx = np.asarray(cols, dtype=np.int64).ravel()
        start = 0
        for lo in (p[1] for p in self._cols):
            hit = idx[(idx >= start) & (idx < start + len(lo))]
            lo[hit - start] = value
            start += len(lo)

    def add_rows(self, n: int, row: npt.ArrayLike, col: npt.ArrayLike, val: npt.ArrayLike, *,
                 lower: float | FloatArray = -np.inf, upper: float | FloatArray = np.inf) -> IntArray:
        """Add ``n`` rows from triplets (``row`` counts from 0 within the block); returns their indices."""
        r, c = np.asarray(row, dtype=np.int64).ravel(), np.asarray(col, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(val, dtype=np.float64), r.shape).copy()
        if r.size and (r.min() < 0 or r.max() >= n):
            raise ValueError("row index out of the block")
        self._rows.append((r + self.n_rows, c, v))
        self._bounds.append((np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy(),
                             np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy()))
        idx = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self.n_rows += n
        return idx

    def add_row(self, cols: npt.ArrayLike, vals: npt.ArrayLike, *, lower: float = -np.inf,
                upper: float = np.inf) -> int:
        """Add one row ``lower <= sum vals * x[cols] <= upper``; returns its index."""
        c = np.asarray(cols, dtype=np.int64).ravel()
        return int(self.add_rows(1, np.zeros(len(c), dtype=np.int64), c, vals, lower=lower, upper=upper)[0])

    def build(self, *, maximize: bool) -> LinearModel:
        """The assembled model (duplicate entries of a row and column are summed)."""

        def floats(parts: list[FloatArray]) -> FloatArray:
            return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0, dtype=np.float64)

        def ints(parts: list[IntArray]) -> IntArray:
            return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

        r, c = ints([p[0] for p in self._rows]), ints([p[1] for p in self._rows])
        if c.size and (c.min() < 0 or c.max() >= self.n_cols):
            raise ValueError("column index out of range")
        matrix: sp.csr_matrix = sp.coo_matrix((floats([p[2] for p in self._rows]), (r, c)),
                                              shape=(self.n_rows, self.n_cols)).tocsr()
        matrix.sum_duplicates()
        matrix.sort_indices()
        integer = np.concatenate([p[3] for p in self._cols]) if self._cols else np.zeros(0, dtype=np.bool_)
        return LinearModel(maximize=maximize, cost=floats([p[0] for p in self._cols]),
                           col_lower=floats([p[1] for p in self._cols]), col_upper=floats([p[2] for p in self._cols]),
                           integer=integer.astype(np.bool_), matrix=matrix,
                           row_lower=floats([b[0] for b in self._bounds]),
                           row_upper=floats([b[1] for b in self._bounds]))


@dataclass(frozen=True, eq=False)
class Basis:
    """An LP basis as the backend gives it (HiGHS's status codes of the columns and rows); opaque elsewhere.

    A backend that can start an LP from a basis (:meth:`Backend.solve`, ``basis``) gives
    the last optimal LP's (:meth:`Backend.lp_basis`). Rows added after it was taken start
    basic (their slacks in the basis), so the basis of a model stays valid for the same
    model with rows added. :meth:`cold` (no columns) starts the LP cold but by simplex, so
    that it ends with a basis to give.
    """

    cols: IntArray
    rows: IntArray

    @classmethod
    def cold(cls) -> Basis:
        """The empty basis: a cold simplex start."""
        return cls(np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int8))


@dataclass(frozen=True, eq=False)
class Outcome:
    """Status, objective, bound, time and column values of one solve (objective in the model's own sense).

    ``status`` is ``"optimal"``, ``"time_limit"``, ``"infeasible"`` or ``"unknown"``
    (HiGHS could not tell; :func:`solve_mip` retries). ``bound`` is nan when the
    solver proved none. ``row_duals`` (LP solves, when the backend gives them):
    the rows' dual values, for :mod:`camsite.optimize._fixing`.
    """

    status: str
    objective: float
    bound: float
    runtime_s: float
    values: FloatArray | None = None
    row_duals: FloatArray | None = None

    @property
    def has_solution(self) -> bool:
        """Whether the solver returned a feasible solution."""
        return self.values is not None


class Backend(Protocol):
    """A solver holding one :class:`LinearModel`, editable in place between solves."""

    name: str
    #: Whether its LP solves return row duals (:attr:`Outcome.row_duals`, used for reduced-cost fixing).
    duals: bool

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Change one row's bounds."""

    def set_objective(self, cost: FloatArray, *, maximize: bool) -> None:
        """Replace the objective."""

    def add_row(self, cols: IntArray, vals: FloatArray, lower: float, upper: float) -> int:
        """Add a row; returns its index (the last one)."""

    def delete_last_row(self) -> None:
        """Remove the row :meth:`add_row` added last."""

    def lp_basis(self) -> Basis | None:
        """The basis of the LP just solved to optimality (None: none, or the backend gives none)."""

    def solve(self, *, mip: bool, time_limit: float | None, abs_gap: float, start: FloatArray | None,
              defaults: bool = False, basis: Basis | None = None) -> Outcome:
        """Solve the model (``mip=False``: its LP relaxation) from a clean state.

        ``start`` is a full column vector to start the MIP from; ``defaults`` uses
        the solver's default algorithm settings instead of camsite's; ``basis``
        (LP only; a backend that cannot use it ignores it) is the basis to start
        the LP from instead of a cold start: the solve then depends only on the
        model and that basis, never on what was solved before.
        """


def open_backend(name: str, model: LinearModel, *, nested: bool = False) -> Backend:
    """A backend for solver ``name`` (see :data:`camsite.vocab.SOLVER_NAMES`) holding ``model``; ``nested``:
    the model's coverage rows are graded value steps (HiGHS options, :mod:`camsite.optimize._highs`)."""
    check_solver(name)
    if name == "highs":
        from camsite.optimize._highs import HighsBackend  # noqa: PLC0415  (the deliberate backend registry)

        return HighsBackend(model, nested=nested)
    from camsite.optimize._cbc import CbcBackend  # noqa: PLC0415  (the deliberate backend registry)

    return CbcBackend(model)


@dataclass(frozen=True)
class Deadline:
    """The wall-clock end of one solve (``None``: no limit); every step and retry of the solve shares it."""

    at: float | None

    @classmethod
    def after(cls, seconds: float | None, t0: float | None = None) -> Deadline:
        """The deadline ``seconds`` after ``t0`` (default: now)."""
        if seconds is None:
            return cls(None)
        return cls((time.perf_counter() if t0 is None else t0) + float(seconds))

    def left(self) -> float | None:
        """Seconds left (at least :data:`MIN_SOLVE_S`), or None without a limit."""
        return None if self.at is None else max(self.at - time.perf_counter(), MIN_SOLVE_S)

    @property
    def passed(self) -> bool:
        """Whether the deadline is over."""
        return self.at is not None and time.perf_counter() >= self.at


def _start_disagrees(out: Outcome, abs_gap: float) -> bool:
    return out.status == "optimal" and abs(out.bound - out.objective) > abs_gap + 1e-9 * abs(out.bound)


def solve_mip(backend: Backend, *, deadline: Deadline, abs_gap: float, start: FloatArray | None) -> Outcome:
    """Solve the MIP within ``deadline``, with the HiGHS 1.16 guards; status never ``"unknown"``.

    * HiGHS 1.16 can report "optimal" with the start's values when presolve alone
      solves the model: the values then disagree with the proven bound. The model
      is solved again without the start.
    * The interior point method can end with status Unknown (small dual
      infeasibilities after postsolve): solved again with HiGHS's defaults.

    Each retry only gets the time left until ``deadline``, so a solve and its
    retries together take at most the time limit.
    """
    out = backend.solve(mip=True, time_limit=deadline.left(), abs_gap=abs_gap, start=start)
    if start is not None and _start_disagrees(out, abs_gap):
        logger.debug("%s returned the start (%.9g) with bound %.9g: solving again cold", backend.name,
                     out.objective, out.bound)
        out = backend.solve(mip=True, time_limit=deadline.left(), abs_gap=abs_gap, start=None)
    if out.status == "unknown":
        logger.debug("%s status Unknown: solving again with default settings", backend.name)
        out = backend.solve(mip=True, time_limit=deadline.left(), abs_gap=abs_gap, start=start, defaults=True)
    if out.status == "unknown":
        raise SolverError(f"{backend.name} stopped with an unknown status")
    return out


def solve_lp(backend: Backend, *, deadline: Deadline, abs_gap: float, basis: Basis | None = None) -> Outcome:
    """Solve the LP relaxation within ``deadline``, from ``basis`` when given (retried cold with default settings
    on status Unknown)."""
    out = backend.solve(mip=False, time_limit=deadline.left(), abs_gap=abs_gap, start=None, basis=basis)
    if out.status == "unknown":
        logger.debug("%s LP status Unknown: solving again with default settings", backend.name)
        out = backend.solve(mip=False, time_limit=deadline.left(), abs_gap=abs_gap, start=None, defaults=True)
    if out.status == "unknown":
        raise SolverError(f"{backend.name} stopped with an unknown status")
    return out
