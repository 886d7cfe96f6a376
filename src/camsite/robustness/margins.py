"""How far each plan site is ahead of its best alternative elsewhere: the swap margin.

A site chosen in few samples is not always a bad site: often another place is
worth almost as much, and which of the two wins depends on differences
smaller than the data can tell apart (one incident more or less, a street
weight a little higher). The swap margin says so for each plan site, from the
scenario's own data: the plan's value with the site minus the best plan that
replaces it by one other candidate **outside its place** (farther than the
spacing radius from it), in per cent of the plan's value. The replacement
must be one the plan could take: within the budget left when the site is
dropped, not forbidden, not another variant of a site still in the plan and
in no conflict (spacing) with one. Other side constraints (caps per camera
type, required groups) are not checked, so the margin is a close bound, not
an exact figure for plans with such caps.

The margin is exact for single swaps: each candidate's gain given the rest
of the plan is one sparse product over the plan's rows (nested quality
levels, the rows the rest already reaches removed).

>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> from camsite.stages import value_rows
>>> rows = value_rows(sp.csr_matrix(np.array([[1.0, 0, 1.0], [0, 1.0, 0]])), [3.0, 2.0])
>>> where = pd.DataFrame({"easting": [0.0, 100.0, 5.0], "northing": [0.0, 0.0, 0.0]})
>>> m = swap_margins(rows, np.ones(3), ["a", "b", "c"], where, [0, 1], budget_sek=2.0, radius_m=25.0)
>>> m.loc["a", "best_swap"], m.loc["b", "best_swap"], float(m.loc["b", "swap_margin_pct"])
('', 'c', 40.0)

Site ``a`` has no replacement outside its place (``c`` is 5 m from it); ``b``
(2 of the plan's 5) could be replaced by ``c``, which adds nothing next to ``a``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray

from camsite.optimize import Constraints
from camsite.stages import ValueRows

__all__ = ["MARGIN_COLUMNS", "swap_margins"]

#: The columns :func:`swap_margins` adds to robustness.csv (empty for sites outside the plan).
MARGIN_COLUMNS = ("swap_margin_pct", "best_swap", "best_swap_m")


def _gains(rows: ValueRows, rest: NDArray[np.int64]) -> NDArray[np.float64]:
    """Each candidate's gain (covered weight) added to the plan ``rest``."""
    free = np.where(rows.covered(rest), 0.0, rows.weights)
    out: NDArray[np.float64] = np.asarray(rows.matrix.T @ free, dtype=np.float64).ravel()
    return out


def _blocked(constraints: Constraints | None, rest: NDArray[np.int64], n: int) -> NDArray[np.bool_]:
    """Candidates the plan ``rest`` cannot take one more of (forbidden, same group, in conflict)."""
    out = np.zeros(n, dtype=bool)
    if constraints is None:
        return out
    out |= constraints.forbidden
    grp = constraints.groups
    taken = grp[rest]
    out |= np.isin(grp, taken[taken >= 0]) & (grp >= 0)
    pairs = constraints.conflicts
    if len(pairs):
        inside = np.zeros(n, dtype=bool)
        inside[rest] = True
        out[pairs[inside[pairs[:, 0]], 1]] = True
        out[pairs[inside[pairs[:, 1]], 0]] = True
    return out


def swap_margins(rows: ValueRows, costs: npt.ArrayLike, site_ids: Sequence[str], where: pd.DataFrame,
                 selected: npt.ArrayLike, *, budget_sek: float, radius_m: float,
                 constraints: Constraints | None = None) -> pd.DataFrame:
    """The swap margin of each plan site (module docs).

    Parameters
    ----------
    rows
        The instance's value rows.
    costs
        Cost of each candidate column.
    site_ids
        Site id of each candidate column.
    where
        ``easting`` and ``northing`` of each candidate column (working CRS, metres), in column order.
    selected
        The plan's candidate columns.
    budget_sek
        The budget the plan was made for.
    radius_m
        The place radius: a replacement closer than this to the dropped site is the same place.
    constraints
        The plan's side constraints (None: none).

    Returns
    -------
    pandas.DataFrame
        Indexed by the plan's site ids: ``swap_margin_pct`` (NaN when no replacement is possible),
        ``best_swap`` (site id, "" when none) and ``best_swap_m`` (metres between the two).
    """
    sel = np.asarray(selected, dtype=np.int64).ravel()
    cost = np.asarray(costs, dtype=np.float64).ravel()
    ids = np.asarray([str(s) for s in site_ids], dtype=object)
    xy = where[["easting", "northing"]].to_numpy(float)
    total = float(rows.plan_value(sel).sum())
    left = float(budget_sek) - float(cost[sel].sum())
    out = []
    for k, col in enumerate(sel):
        rest = np.delete(sel, k)
        gain = _gains(rows, rest)
        far = np.hypot(*(xy - xy[col]).T) >= radius_m
        ok = far & ~_blocked(constraints, rest, len(cost)) & (cost <= cost[col] + left + 1e-6)
        ok[sel] = False
        if not ok.any() or total <= 0:
            out.append((ids[col], np.nan, "", np.nan))
            continue
        best = int(np.flatnonzero(ok)[np.argmax(gain[ok])])
        out.append((ids[col], 100.0 * (gain[col] - gain[best]) / total, str(ids[best]),
                    float(np.hypot(*(xy[best] - xy[col])))))
    frame = pd.DataFrame(out, columns=["site_id", *MARGIN_COLUMNS])
    return frame.drop_duplicates("site_id").set_index("site_id")
