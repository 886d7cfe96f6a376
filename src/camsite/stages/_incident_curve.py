"""Incident coverage of the budget curve's plans, and the money per percentage point of it.

The curve maximises the objective's blend (incidents, street space,
footfall); a budget analyst asks what the money buys in *incidents*. Each
curve point's plan (its ``sites`` column) is evaluated on the incident rows
alone, and the marginal cost is the last step of that curve at or below the
run's budget: its extra spend divided by its gain in incident coverage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from camsite.stages.instance import Instance

__all__ = ["curve_incident_shares", "incident_marginal_cost"]


def curve_incident_shares(instance: Instance, curve: pd.DataFrame | None) -> pd.DataFrame | None:
    """``budget_sek``, ``spent_sek`` and ``incident_pct`` (share of the incident weight seen) per curve point."""
    if curve is None or not len(curve) or "sites" not in curve:
        return None
    rows = instance.rows
    inc = rows.for_points(instance.demand["kind"].isin(("incident", "point")).to_numpy())
    total = float(rows.weights[inc].sum())
    if total <= 0:
        return None
    index = {v: i for i, v in enumerate(instance.candidates["variant"].astype(str))}
    pct = []
    for text in curve["sites"].fillna("").astype(str):
        cols = [index[s] for s in text.split(";") if s in index]
        pct.append(100.0 * float(rows.weights[inc & rows.covered(cols)].sum()) / total)
    return pd.DataFrame({"budget_sek": curve["budget_sek"].to_numpy(float),
                         "spent_sek": curve["spent_sek"].to_numpy(float), "incident_pct": pct})


def incident_marginal_cost(shares: pd.DataFrame | None, budget: float) -> dict[str, Any] | None:
    """SEK per percentage point of incident coverage over the curve's last step up to ``budget`` (None without
    two points or without a gain).

    >>> t = pd.DataFrame({"budget_sek": [1.0, 2.0, 3.0], "spent_sek": [1.0, 2.0, 2.9], "incident_pct": [5.0, 8, 9]})
    >>> incident_marginal_cost(t, 3.0)
    {'from_budget_sek': 2.0, 'to_budget_sek': 3.0, 'incident_pp': 1.0, 'extra_sek': 0.9, 'sek_per_point': 0.9}
    """
    if shares is None:
        return None
    ok = shares[shares["budget_sek"] <= budget + 1e-6].sort_values("budget_sek", kind="stable").tail(2)
    if len(ok) < 2:
        return None
    (b0, b1), (s0, s1) = ok["budget_sek"].to_numpy(float), ok["spent_sek"].to_numpy(float)
    p0, p1 = ok["incident_pct"].to_numpy(float)
    if not np.isfinite(p1 - p0) or p1 - p0 <= 1e-9:
        return None
    return {"from_budget_sek": float(b0), "to_budget_sek": float(b1), "incident_pp": round(float(p1 - p0), 6),
            "extra_sek": round(float(s1 - s0), 2), "sek_per_point": round(float((s1 - s0) / (p1 - p0)), 2)}
