"""Input checks, exact evaluation of a site set, and the optimality tolerance.

Optimality tolerance
--------------------
Solvers stop when ``|incumbent - bound| <= max(mip_abs_gap, mip_rel_gap *
|incumbent|)``. HiGHS defaults to a relative gap of 1e-4, which is not exact.
camsite sets the relative gap to 0 and the absolute gap from the data:

* If every objective coefficient is an integer multiple of a *quantum*
  ``q = 10**-k`` (``k = 0..6``; integer weights give ``q = 1``), every two
  solutions' objectives differ by 0 or by at least ``q``. An absolute gap of
  ``q / 2`` then proves that no better solution exists.
* Otherwise the absolute gap is ``1e-9 * max(1, sum |coefficients|)``:
  "optimal" then means optimal up to one part in a billion of the total.

>>> quantum(np.array([1.0, 2.0, 10.0]))
1.0
>>> quantum(np.array([0.5, 1.25]))
0.01
>>> quantum(np.array([1 / 3])) is None
True
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

logger = logging.getLogger(__name__)

__all__ = ["BoolArray", "FloatArray", "IntArray", "abs_tolerance", "as_csr", "as_mask", "as_vector",
           "coverage_counts", "quantum"]

#: Array types used throughout the package.
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def as_csr(coverage: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """The coverage matrix as a canonical boolean CSR matrix (explicit zeros removed)."""
    if not sp.issparse(coverage):
        raise TypeError("coverage must be a scipy.sparse matrix (demand points x sites)")
    # scipy-stubs type spmatrix/sparray as bare mixins, without the methods csr_matrix's overloads want
    csr: sp.csr_matrix = sp.csr_matrix(coverage, copy=True)  # type: ignore[call-overload]
    csr.eliminate_zeros()
    csr = csr.astype(bool)
    csr.sum_duplicates()
    csr.sort_indices()
    return csr


def as_vector(values: npt.ArrayLike, n: int, name: str, *, nonneg: bool = True) -> FloatArray:
    """A finite float vector of length ``n`` (``>= 0`` when ``nonneg``)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.shape != (n,):
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if nonneg and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0")
    return arr


def as_mask(values: npt.ArrayLike | None, n: int, name: str) -> BoolArray:
    """A boolean vector of length ``n`` (all False when ``values`` is None)."""
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values, dtype=bool).ravel()
    if arr.shape != (n,):
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    return arr


def quantum(values: npt.ArrayLike, *, max_digits: int = 6) -> float | None:
    """The largest ``10**-k`` (``k <= max_digits``) that divides every value, or None."""
    vals = np.abs(np.asarray(values, dtype=np.float64))
    vals = vals[vals > 0]
    if vals.size == 0:
        return 1.0
    for k in range(max_digits + 1):
        scaled = vals * 10.0**k
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, scaled)):
            return float(10.0**-k)
    return None


def abs_tolerance(coefficients: npt.ArrayLike) -> float:
    """The absolute MIP gap that proves optimality for these objective coefficients (module docs)."""
    q = quantum(coefficients)
    if q is not None:
        return 0.5 * q
    return 1e-9 * max(1.0, float(np.abs(coefficients).sum()))


def coverage_counts(csc: sp.csc_matrix, selected: IntArray) -> IntArray:
    """How many of the ``selected`` sites cover each demand point (computed directly from the matrix)."""
    counts = np.zeros(csc.shape[0], dtype=np.int64)
    for j in np.asarray(selected, dtype=np.int64):
        counts[csc.indices[csc.indptr[j]:csc.indptr[j + 1]]] += 1
    return counts
