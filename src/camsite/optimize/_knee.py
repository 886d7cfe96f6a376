"""The knee of a coverage-budget curve: the chord rule (the run's knee, on incident coverage) and the rate rule.

Chord rule
----------
:func:`chord_knee` (the knee a run reports, on the curve of incident
coverage): the curve is taken from its origin (no new camera: budget 0 and
the coverage before) to its largest swept budget, both axes scaled to 0-1
over that span, and the knee is the swept budget farthest *above* the chord
joining the two ends (the Kneedle rule). The origin is part of the curve, so
the first swept point is the knee only when the first cameras buy more per
SEK than anything after them, and the last point never is (it lies on the
chord). A curve with no point above its chord (straight or convex) has no
knee. The rule depends on the sweep's range (a wider sweep with a flat tail
moves the knee right), which the report states; the rate rule below does not,
but on incident coverage (0.3-0.9 points per 100 kSEK on the default
scenario) any fixed rate is either never or always reached.

>>> import pandas as pd
>>> c = pd.DataFrame({"budget_sek": [1e5, 2e5, 3e5, 4e5], "incident_pct": [4.0, 7.0, 8.0, 8.5]})
>>> chord_knee(c, y="incident_pct", origin=1.0)["budget_sek"]
200000.0

Rate rule
---------
The knee is the smallest swept budget ``b`` after which the next
:data:`KNEE_WINDOW_SEK` (500 kSEK) add less than :data:`KNEE_RATE_PP` percentage
points of coverage per 100 kSEK: with ``b'`` the largest swept budget at most
``b + KNEE_WINDOW_SEK``, ``(cov(b') - cov(b)) / (b' - b) * 100 000 < KNEE_RATE_PP``.
Only budgets whose window the sweep reaches (``b + KNEE_WINDOW_SEK <= `` the
largest swept budget) qualify. The rule depends only on the points from the
first one to ``b + KNEE_WINDOW_SEK``, never on where the sweep stops beyond
that, and on a common budget grid not on where it starts either as long as
it starts at or below the knee (the former
Kneedle rule, the point farthest above the chord from the first to the last
point, moved from 600 kSEK to 1.5 MSEK as the range changed). The window
spans several cameras (a site costs 100-250 kSEK over the horizon), so a
plateau where the next camera does not yet fit is not taken for the knee. A
finer or coarser grid can move the knee by a step. No knee is reported when
no budget qualifies.

>>> import pandas as pd
>>> b = [0, 1e5, 2e5, 3e5, 4e5, 5e5, 6e5, 7e5, 8e5, 9e5]
>>> cov = [0, 6, 8, 12, 13, 13.5, 14, 14.5, 15, 15.2]
>>> knee(pd.DataFrame({"budget_sek": b, "coverage_pct": cov}))["budget_sek"]
300000.0
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["KNEE_RATE_PP", "KNEE_WINDOW_SEK", "chord_knee", "knee"]

#: The knee's rate: percentage points of coverage per 100 kSEK (module docs, "Knee rule"). One point per
#: 100 kSEK is where a planner's "is the next camera worth it" turns: on the default scenario the curve
#: rises 3.5 and 1.7 points per 100 kSEK up to 750 kSEK and 0.8 per 100 kSEK over the 500 kSEK after it.
KNEE_RATE_PP = 1.0
#: The budget span (SEK) the knee's rate is measured over: several cameras, so one plateau is not a knee.
KNEE_WINDOW_SEK = 500_000.0

def knee(curve: pd.DataFrame, *, x: str = "budget_sek", y: str = "coverage_pct",
         rate_pp: float | None = None, window: float | None = None) -> dict[str, Any] | None:
    """The knee of a coverage-budget curve (module docs: "Knee rule"), as a dict, or None.

    Parameters
    ----------
    curve
        A table with budgets ``x`` and coverage ``y`` (percent); infeasible rows are skipped.
    x, y
        Column names.
    rate_pp
        Percentage points per 100 kSEK below which extra budget is past the knee
        (default :data:`KNEE_RATE_PP`).
    window
        Budget span (SEK) over which the rate is measured (default :data:`KNEE_WINDOW_SEK`).

    Returns
    -------
    dict or None
        ``budget_sek``, ``y``, ``next_rate_pp_per_100k`` (the rate over the window after
        it), ``rule`` and, when the curve has them, ``n_sites`` and ``spent_sek``.
    """
    limit = KNEE_RATE_PP if rate_pp is None else float(rate_pp)
    span = KNEE_WINDOW_SEK if window is None else float(window)
    df, xs, ys = _solved_points(curve, x, y)
    if len(df) < 2:
        return None
    ends = np.searchsorted(xs, xs + span * (1 + 1e-12), side="right") - 1  # largest budget <= b + window
    ok = (xs + span <= xs[-1] * (1 + 1e-12)) & (ends > np.arange(len(xs)))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(ok, (ys[ends] - ys) / (xs[ends] - xs) * 1e5, np.inf)
    below = np.flatnonzero(rate < limit)
    if not len(below):
        logger.info("no knee: no swept budget is followed by %g SEK adding < %g points per 100 kSEK", span, limit)
        return None
    k = int(below[0])
    row = df.iloc[k]
    out: dict[str, Any] = {
        "budget_sek": float(row[x]), y: float(row[y]), "next_rate_pp_per_100k": round(float(rate[k]), 6),
        "rule": f"smallest swept budget after which the next {span:,.0f} SEK add < {limit:g} percentage points "
                "of coverage per 100 kSEK"}
    return {**out, **_row_extras(df, row, ("n_sites", "spent_sek"), skip=y)}


def chord_knee(curve: pd.DataFrame, *, x: str = "budget_sek", y: str = "incident_pct",
               origin: float | None = None) -> dict[str, Any] | None:
    """The knee of a curve by the chord rule (module docs: "Chord rule"), as a dict, or None.

    Parameters
    ----------
    curve
        A table with budgets ``x`` and coverage ``y`` (percent); infeasible rows are skipped.
    x, y
        Column names.
    origin
        The coverage at budget 0 (before any new camera); None: the chord starts at the first swept point.

    Returns
    -------
    dict or None
        ``budget_sek``, ``y``, ``chord_distance`` (0-1, in the scaled units), ``rule`` and, when the curve
        has them, ``coverage_pct``, ``n_sites`` and ``spent_sek`` of that row; None without a point above
        the chord.
    """
    df, xs, ys = _solved_points(curve, x, y)
    if origin is not None and len(df) and xs[0] > 0:
        x0, y0 = 0.0, float(origin)
    elif len(df) >= 3:
        x0, y0 = float(xs[0]), float(ys[0])
    else:
        return None
    dx, dy = float(xs[-1]) - x0, float(ys[-1]) - y0
    if dx <= 0 or dy <= 0:
        return None
    dist = (ys - y0) / dy - (xs - x0) / dx
    k = int(np.argmax(dist))
    if dist[k] <= 1e-9 or k == len(df) - 1:
        logger.info("no knee: no swept budget lies above the chord of the %s curve", y)
        return None
    row = df.iloc[k]
    out: dict[str, Any] = {"budget_sek": float(row[x]), y: float(row[y]), "chord_distance": round(float(dist[k]), 6),
                           "rule": f"swept budget farthest above the chord from budget 0 to the largest swept "
                                   f"budget, on {y} scaled to 0-1"}
    return {**out, **_row_extras(df, row, ("coverage_pct", "n_sites", "spent_sek"), skip=y)}


def _solved_points(curve: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The curve without infeasible rows, by budget (each budget once), and its x and y as floats."""
    df = curve[curve.get("status", pd.Series("optimal", index=curve.index)) != "infeasible"]
    df = df.sort_values(x, kind="stable").drop_duplicates(x)
    return df, df[x].to_numpy(float), df[y].to_numpy(float)


def _row_extras(df: pd.DataFrame, row: pd.Series, cols: tuple[str, ...], *, skip: str) -> dict[str, Any]:
    """The knee row's values of those ``cols`` the curve has (not ``skip``), as plain Python values."""
    return {c: row[c].item() if hasattr(row[c], "item") else row[c] for c in cols if c in df and c != skip}
