"""The budget curve's robustness band in the run's files (budget_curve.csv, the curve pictures).

The band itself is computed by :mod:`camsite.robustness.band` and kept in
:attr:`camsite.result.Robustness.curve_band`: one row per budget, its
percentile columns (``incident_p10_pct``, ``incident_p90_pct``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from camsite.result import RunResult

__all__ = ["band_series", "curve_with_band"]


def _band(result: RunResult) -> pd.DataFrame | None:
    rob = result.robustness
    band = None if rob is None else rob.curve_band
    return band if band is not None and len(band) and result.budget_curve is not None else None


def curve_with_band(curve: pd.DataFrame, result: RunResult) -> pd.DataFrame:
    """budget_curve.csv: ``curve`` (the run's) with the band's columns after ``incident_pct`` (matched on the budget).

    >>> from types import SimpleNamespace as NS
    >>> c = pd.DataFrame({"budget_sek": [2.0, 1.0], "incident_pct": [5.0, 4.0], "sites": ["a", "b"]})
    >>> b = pd.DataFrame({"budget_sek": [1.0, 2.0], "incident_p10_pct": [3.0, 4.0], "incident_p90_pct": [5.0, 6.0]})
    >>> out = curve_with_band(c, NS(budget_curve=c, robustness=NS(curve_band=b)))
    >>> out.columns.tolist(), out["incident_p10_pct"].tolist()
    (['budget_sek', 'incident_pct', 'incident_p10_pct', 'incident_p90_pct', 'sites'], [4.0, 3.0])
    """
    band = _band(result)
    if band is None:
        return curve
    cols = [c for c in band.columns if c != "budget_sek"]
    out = curve.drop(columns=[c for c in cols if c in curve])
    lookup = band.set_index("budget_sek")
    at = list(out.columns).index("incident_pct") + 1 if "incident_pct" in out else len(out.columns)
    for k, col in enumerate(cols):
        out.insert(at + k, col, lookup[col].reindex(out["budget_sek"].to_numpy(float)).to_numpy(float))
    return out


def band_series(result: RunResult) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(budgets in MSEK, low, high) of the band in budget order, for the curve pictures; None without a band."""
    band = _band(result)
    if band is None:
        return None
    b = band.sort_values("budget_sek")
    cols = [c for c in b.columns if c != "budget_sek"]
    return (b["budget_sek"].to_numpy(float) / 1e6, b[cols[0]].to_numpy(float), b[cols[-1]].to_numpy(float))
