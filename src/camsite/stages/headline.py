"""One headline everywhere: the share of the incident weight seen, on the budget curve and at its knee.

The optimiser maximises the *blend* (incidents, travellers and street space
by their weights, :attr:`Instance.rows`); the headline a reader compares is
the share of the incident weight seen (graded: each incident point's weight
times its best value, as in summary.json's ``incident_coverage_after_pct``).
:func:`curve_with_incidents` adds it to the budget curve:

* ``plan_incident_pct``: what the blend-optimal plan at that budget sees;
* ``incident_pct``: the headline, never falling as the budget grows. A larger
  budget's blend-optimal plan can see fewer incidents than a smaller one's
  (it buys more travellers or street instead); the curve then carries the
  best plan so far, which fits the larger budget too, and says so:
  ``incident_carried_from_sek`` is the budget whose plan is carried (NaN where
  the budget's own plan is the best so far).

:func:`headline_knee` is the knee of that curve by the chord rule
(:func:`camsite.optimize.chord_knee`), starting at the incident coverage
before any new camera.

>>> import pandas as pd
>>> monotone(pd.DataFrame({"budget_sek": [1.0, 2.0, 3.0], "plan_incident_pct": [5.0, 4.0, 6.0]}))
([5.0, 5.0, 6.0], [nan, 1.0, nan])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from camsite import optimize
from camsite.stages.instance import Instance
from camsite.stages.summary import kind_masks

logger = logging.getLogger(__name__)

__all__ = ["HEADLINE_COLUMNS", "curve_with_incidents", "headline_knee", "incident_pct", "monotone"]

#: Columns :func:`curve_with_incidents` adds to the budget curve, after ``coverage_pct`` (the blend).
HEADLINE_COLUMNS = ("incident_pct", "plan_incident_pct", "incident_carried_from_sek")


def incident_pct(instance: Instance, selected: Sequence[int] | np.ndarray) -> float | None:
    """The share (%) of the incident weight the plan ``selected`` (candidate columns) and the existing cameras
    see, graded as in summary.json; None without incident weight."""
    rows = instance.rows
    mask = kind_masks(instance.demand).get("incident")
    if mask is None:
        return None
    inc = rows.for_points(mask)
    total = float(rows.weights[inc].sum())
    if total <= 0:
        return None
    return 100.0 * float(rows.weights[inc & rows.covered(np.asarray(selected, np.int64))].sum()) / total


def monotone(curve: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The running best of ``plan_incident_pct`` in budget order, and the budget carried where it is not the row's
    own (NaN elsewhere); ``curve`` sorted by budget."""
    best, best_at = -np.inf, np.nan
    out, src = [], []
    for b, v in zip(curve["budget_sek"].to_numpy(float), curve["plan_incident_pct"].to_numpy(float), strict=True):
        if np.isfinite(v) and v >= best - 1e-9:
            best, best_at = max(best, float(v)), float(b)
            out.append(float(v))
            src.append(np.nan)
        else:
            out.append(best if np.isfinite(best) else np.nan)
            src.append(best_at)
    return out, src


def curve_with_incidents(instance: Instance, curve: pd.DataFrame) -> pd.DataFrame:
    """``curve`` (a :func:`~camsite.stages.budget_curve` table, ``sites`` as variant labels) with
    :data:`HEADLINE_COLUMNS` after ``coverage_pct`` (module docs), sorted by budget."""
    out = curve.sort_values("budget_sek", kind="stable").reset_index(drop=True)
    index = {v: i for i, v in enumerate(instance.candidates["variant"].astype(str))}
    own = []
    for sites, status in zip(out["sites"].fillna("").astype(str), out["status"].astype(str), strict=True):
        pct = None if status == "infeasible" else incident_pct(instance, [index[s] for s in sites.split(";")
                                                                           if s in index])
        own.append(np.nan if pct is None else round(pct, 6))
    out["plan_incident_pct"] = own
    best, carried = monotone(out)
    out["incident_pct"], out["incident_carried_from_sek"] = best, carried
    for b, c in zip(out["budget_sek"], carried, strict=True):
        if not np.isnan(c):
            logger.warning("budget curve: the plan for %.0f SEK sees fewer incidents than the plan for %.0f SEK "
                           "(it buys more of the blend's other demand); the curve carries the cheaper plan", b, c)
    at = list(out.columns).index("coverage_pct") + 1
    cols = [*out.columns[:at], *HEADLINE_COLUMNS, *[c for c in out.columns[at:] if c not in HEADLINE_COLUMNS]]
    return out[cols]


def headline_knee(instance: Instance, curve: pd.DataFrame) -> dict[str, Any] | None:
    """The knee of the curve's ``incident_pct`` by the chord rule, from the incident coverage before."""
    before = incident_pct(instance, [])
    if before is None or "incident_pct" not in curve:
        return optimize.knee(curve)
    return optimize.chord_knee(curve, y="incident_pct", origin=before)
