"""The max-coverage MIP of :class:`~camsite.optimize._maxcov.CoverageModel` as arrays (its model docs), and a
complete MIP start from a plan."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from camsite.optimize._common import add_side_rows
from camsite.optimize._constraints import Constraints
from camsite.optimize._model import FloatArray, IntArray, LinearModel, ModelBuilder
from camsite.optimize._reduce import Reduced

logger = logging.getLogger(__name__)

__all__ = ["Mip", "build_mip", "start_values"]


@dataclass(frozen=True, eq=False)
class Mip:
    """The max-coverage MIP as arrays, with where its parts are."""

    model: LinearModel
    x: IntArray  # column of each kept site
    y: IntArray  # column per row of ``cover`` (-1: none)
    u: IntArray  # column per row of ``multi`` (empty without backup reward)
    multi: IntArray  # reduced rows covered by two or more sites
    budget_row: int
    infeasible: bool  # the side constraints alone are infeasible


def build_mip(red: Reduced, costs: FloatArray, cons: Constraints, beta: float) -> Mip:
    """The MIP over the reduced instance ``red`` (sites' ``costs`` over all sites, side constraints ``cons``,
    backup reward ``beta``)."""
    rows = red.rows
    m = len(red.sites)
    sizes = np.diff(rows.indptr)
    single = sizes == 1
    obj_x = np.zeros(m)
    first = rows.indices[rows.indptr[:-1][single]]
    np.add.at(obj_x, first, np.where(red.existing[single], beta, 1.0) * red.weights[single])
    multi = np.flatnonzero(~single).astype(np.int64)
    cover = ~red.existing[multi]  # multi rows that get a coverage variable
    b = ModelBuilder()
    x = b.add_columns(m, cost=obj_x, integer=True)
    y = np.full(len(multi), -1, dtype=np.int64)
    y[cover] = b.add_columns(int(cover.sum()), cost=red.weights[multi[cover]])
    u = b.add_columns(len(multi), cost=beta * red.weights[multi]) if beta > 0 else np.zeros(0, dtype=np.int64)
    sub = sp.coo_matrix(rows[multi])
    k = np.arange(len(multi))
    parts_r: list[IntArray] = [sub.row.astype(np.int64), k[cover]]
    parts_c: list[IntArray] = [x[sub.col], y[cover]]
    parts_v: list[FloatArray] = [np.ones(sub.nnz), -np.ones(int(cover.sum()))]
    if beta > 0:
        parts_r.append(k)
        parts_c.append(u)
        parts_v.append(-np.ones(len(multi)))
    b.add_rows(len(multi), np.concatenate(parts_r), np.concatenate(parts_c), np.concatenate(parts_v), lower=0.0)
    if beta > 0:  # u_i <= y_i
        kc = np.flatnonzero(cover)
        b.add_rows(len(kc), np.repeat(np.arange(len(kc)), 2), np.column_stack([u[kc], y[kc]]).ravel(),
                   np.tile([1.0, -1.0], len(kc)), upper=0.0)
    budget_row = b.add_row(x, costs[red.sites], upper=0.0)
    infeasible = add_side_rows(b, x, red.sites, cons)
    mip = Mip(model=b.build(maximize=True), x=x, y=y, u=u, multi=multi, budget_row=budget_row, infeasible=infeasible)
    logger.debug("max coverage MIP: %d columns, %d rows, %d nonzeros", mip.model.n_cols, mip.model.n_rows,
                 mip.model.matrix.nnz)
    return mip


def start_values(mip: Mip, red: Reduced, local: IntArray) -> FloatArray:
    """A complete MIP start (x, y, u) from a set of local site indices."""
    xs = np.zeros(len(red.sites))
    xs[local] = 1.0
    counts = np.asarray(red.rows @ xs).ravel()[mip.multi]
    full = np.zeros(mip.model.n_cols)
    full[mip.x] = xs
    has_y = mip.y >= 0
    full[mip.y[has_y]] = np.minimum(1.0, counts[has_y])
    if mip.u.size:
        full[mip.u] = np.where(has_y, counts >= 2, counts >= 1)
    return full
