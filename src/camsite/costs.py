"""Costs over time: per-year investment and operation of cameras installed in given years.

Pure array functions, no scenario objects. The plan runs ``horizon_years``
from the start year; year ``k`` (0-based) is the ``k``-th plan year. A camera
installed in plan year ``t``:

* costs its capex in year ``t`` (*investment*), and again every
  ``lifetime_years`` after that while the replacement date falls inside the
  horizon (a replacement due during year ``t + k·L`` is bought in that year);
* costs its opex in every year from ``t`` on (*operation*); a horizon that ends
  part way through a year counts that year's share of the opex.

The present value discounts year ``k`` by ``(1 + rate) ** k`` (year 0 is not
discounted). With one purchase and the whole horizon the total is
``capex + horizon × opex``, the single cost the optimiser used before costs
over time.

>>> t = cash_flows([100.0], [10.0], [2.0], [0], horizon_years=3)
>>> t.investment.tolist(), t.operation.tolist()
([100.0, 0.0, 100.0], [10.0, 10.0, 10.0])
>>> present_value(t.total, 0.1).round(2).item()  # 110 + 10/1.1 + 110/1.21
210.0
>>> budget_cost([100.0], [10.0], [2.0], horizon_years=3, applies_to="total").tolist()
[230.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

__all__ = ["BUDGET_RULES", "CashFlows", "budget_cost", "cash_flows", "n_years", "present_value", "purchases",
           "year_shares"]

#: What ``budget_sek`` limits (``[optimization] budget_applies_to``).
BUDGET_RULES: tuple[str, ...] = ("total", "investment", "yearly")

FloatArray = NDArray[np.float64]
#: Most purchases of one site within the horizon (the scenario's bounds allow 1,000: 100 years / 0.1 year).
MAX_PURCHASES = 100_000


def n_years(horizon_years: float) -> int:
    """Plan years in the tables: the horizon rounded up, at least one (the year of the investment).

    >>> n_years(4), n_years(2.5), n_years(0)
    (4, 3, 1)
    """
    return max(1, math.ceil(horizon_years - 1e-9))


def year_shares(horizon_years: float) -> FloatArray:
    """Share of each plan year inside the horizon (1 for whole years, the remainder for the last).

    >>> year_shares(2.5).tolist(), year_shares(0).tolist()
    ([1.0, 1.0, 0.5], [0.0])
    """
    k = np.arange(n_years(horizon_years), dtype=np.float64)
    return np.clip(horizon_years - k, 0.0, 1.0)


def _lifetimes(lifetime_years: npt.ArrayLike | None, n: int) -> FloatArray:
    if lifetime_years is None:
        return np.full(n, np.inf)
    life = np.asarray(lifetime_years, dtype=np.float64).reshape(-1)
    return np.where(np.isnan(life), np.inf, np.broadcast_to(life, (n,)))


def purchases(install_year: npt.ArrayLike, lifetime_years: npt.ArrayLike | None, horizon_years: float) -> NDArray[
        np.int64]:
    """Cameras bought per (site, plan year): 1 at installation, 1 at each replacement inside the horizon.

    ``lifetime_years`` may hold NaN or inf (never replaced).

    >>> purchases([0, 1], [2.0, 2.0], 4).tolist()
    [[1, 0, 1, 0], [0, 1, 0, 1]]
    """
    years = np.asarray(install_year, dtype=np.int64).reshape(-1)
    ny = n_years(horizon_years)
    life = _lifetimes(lifetime_years, len(years))
    end = min(max(horizon_years, 1e-9), float(ny))
    out = np.zeros((len(years), ny), dtype=np.int64)
    for i, (t, span) in enumerate(zip(years, life, strict=True)):
        if t >= end:
            continue
        # purchases at t, t + span, t + 2 span, ... before the end: counted, not looped (a tiny span is many)
        last = 0 if not np.isfinite(span) else math.ceil((end - t) / span) - 1
        if last > MAX_PURCHASES:
            raise ValueError(f"lifetime {span:g} years gives {last:,} replacements within {horizon_years:g} years")
        when = t + span * np.arange(last + 1) if last else np.array([float(t)])
        np.add.at(out[i], np.floor(when[when < end]).astype(np.int64), 1)
    return out


@dataclass(frozen=True)
class CashFlows:
    """Costs per plan year (SEK) and camera counts of a set of sites.

    ``investment`` and ``operation`` have one value per plan year; ``total`` is
    their sum; ``installed`` counts the sites installed in each year (first
    purchases only) and ``in_operation`` the sites running by the end of it.
    """

    investment: FloatArray
    operation: FloatArray
    installed: NDArray[np.int64]
    in_operation: NDArray[np.int64]

    @property
    def total(self) -> FloatArray:
        """Investment plus operation per year."""
        return self.investment + self.operation


def cash_flows(capex: npt.ArrayLike, opex: npt.ArrayLike, lifetime_years: npt.ArrayLike | None,
               install_year: npt.ArrayLike, *, horizon_years: float) -> CashFlows:
    """Per-year investment and operation of sites installed in plan years ``install_year`` (module docs).

    Parameters
    ----------
    capex, opex
        Purchase price (SEK) and yearly operating cost (SEK per year) of each site's camera.
    lifetime_years
        Years a camera lasts (NaN, inf or None: longer than the horizon).
    install_year
        Plan year (0-based) each site is installed in; a site at or beyond the horizon costs nothing.
    horizon_years
        Length of the plan.

    Examples
    --------
    >>> t = cash_flows([50.0, 80.0], [5.0, 8.0], None, [0, 1], horizon_years=2)
    >>> t.investment.tolist(), t.operation.tolist(), t.in_operation.tolist()
    ([50.0, 80.0], [5.0, 13.0], [1, 2])
    """
    cap = np.asarray(capex, dtype=np.float64).reshape(-1)
    ope = np.asarray(opex, dtype=np.float64).reshape(-1)
    years = np.asarray(install_year, dtype=np.int64).reshape(-1)
    if not len(cap) == len(ope) == len(years):
        raise ValueError("capex, opex and install_year need one value per site")
    buys = purchases(years, lifetime_years, horizon_years)
    ny = buys.shape[1]
    running = np.arange(ny)[None, :] >= years[:, None]
    shares = year_shares(horizon_years)
    first = (np.arange(ny)[None, :] == years[:, None])
    return CashFlows(investment=cap @ buys.astype(np.float64),
                     operation=(ope[:, None] * running * shares[None, :]).sum(axis=0),
                     installed=first.sum(axis=0).astype(np.int64),
                     in_operation=running.sum(axis=0).astype(np.int64))


def present_value(flows: npt.ArrayLike, rate: float) -> FloatArray:
    """The present value of yearly ``flows`` (year 0 first, undiscounted) at a yearly discount ``rate``.

    Returns a 0-d array; ``.item()`` gives the number.

    >>> present_value([100.0, 103.0], 0.03).item()
    200.0
    """
    f = np.asarray(flows, dtype=np.float64)
    return np.asarray((f / (1.0 + rate) ** np.arange(len(f))).sum())


def budget_cost(capex: npt.ArrayLike, opex: npt.ArrayLike, lifetime_years: npt.ArrayLike | None, *,
                horizon_years: float, applies_to: str = "total") -> FloatArray:
    """The cost of one camera installed in year 0 that ``budget_sek`` limits, per camera.

    ``"total"``: every purchase (with replacements) plus the opex over the
    horizon. ``"investment"``: the capex of the first year. ``"yearly"``: the
    dearest plan year's capex (every purchase that year: twice a year for a
    half-year lifetime) plus its opex; the sum over the cameras bounds every
    year's spending, so a single limit on it keeps each year within the budget.

    >>> budget_cost([60.0], [12.0], None, horizon_years=4, applies_to="total").tolist()
    [108.0]
    >>> [budget_cost([60.0], [12.0], [2.0], horizon_years=4, applies_to=r).tolist()[0] for r in BUDGET_RULES]
    [168.0, 60.0, 72.0]
    >>> budget_cost([90.0], [15.0], [0.5], horizon_years=4, applies_to="yearly").tolist()  # bought twice a year
    [195.0]
    """
    if applies_to not in BUDGET_RULES:
        raise ValueError(f"applies_to must be one of {', '.join(BUDGET_RULES)}, got {applies_to!r}")
    cap = np.asarray(capex, dtype=np.float64).reshape(-1)
    ope = np.asarray(opex, dtype=np.float64).reshape(-1)
    if applies_to == "investment":
        return cap.copy()
    buys_per_year = purchases(np.zeros(len(cap), np.int64), lifetime_years, horizon_years)
    if applies_to == "yearly":
        shares = year_shares(horizon_years)
        per_year = cap[:, None] * buys_per_year + ope[:, None] * shares[None, :]
        return np.asarray(per_year.max(axis=1), dtype=np.float64)
    buys = buys_per_year.sum(axis=1)
    return np.asarray(cap * buys + ope * horizon_years, dtype=np.float64)
