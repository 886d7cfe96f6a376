"""One-at-a-time sensitivity: how coverage and the chosen sites move when one assumption moves.

Each key assumption is set to its low and to its high value while everything
else keeps the scenario's value: the street-space weight, each weighted
incident category, footfall (weights between ``weight_low`` and
``weight_high`` times the scenario's), the camera range (± ``range_pct``) and
the camera cost (± ``cost_pct``). Each case is solved exactly at the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from camsite.robustness.perturb import Draw
from camsite.robustness.sample import Context, Outcome
from camsite.robustness.tables import jaccard

__all__ = ["COLUMNS", "Case", "cases", "sensitivity_table"]

#: Columns of sensitivity.csv.
COLUMNS = ("assumption", "level", "factor", "incident_pct", "main_plan_incident_pct", "incident_change_pp",
           "coverage_pct", "main_plan_coverage_pct", "change_pp", "n_sites", "sites_changed", "jaccard", "sites_added", "sites_dropped", "status", "gap")


@dataclass(frozen=True, eq=False)
class Case:
    """One sensitivity case: ``assumption`` at ``level`` (``low``/``high``/``base``), as a draw."""

    assumption: str
    level: str
    factor: float
    draw: Draw


def cases(ctx: Context) -> list[Case]:
    """The base case, then low and high for each key assumption the scenario has."""
    s = ctx.settings
    lo, hi = s.weight_low, s.weight_high
    out = [Case("base", "base", 1.0, Draw())]
    out += [Case("street_weight", lvl, f, Draw(street_factor=f)) for lvl, f in (("low", lo), ("high", hi))]
    for cat, w in ctx.scenario.category_weights.items():
        if w > 0:
            out += [Case(f"category:{cat}", lvl, f, Draw(category_factors={cat: f}))
                    for lvl, f in (("low", lo), ("high", hi))]
    if ctx.scenario.demand.footfall is not None and ctx.inputs.footfall is not None:
        out += [Case("footfall", lvl, f, Draw(footfall_factor=f)) for lvl, f in (("low", lo), ("high", hi))]
    n = len(ctx.cameras.names)
    if s.range_pct > 0:
        p = s.range_pct / 100
        out += [Case("camera_range", lvl, f, Draw(range_factors=np.full(n, f)))
                for lvl, f in (("low", 1 - p), ("high", 1 + p))]
    if s.cost_pct > 0:
        p = s.cost_pct / 100
        out += [Case("camera_cost", lvl, f, Draw(cost_factor=f)) for lvl, f in (("low", 1 - p), ("high", 1 + p))]
    return out


def _pct(x: float, total: float) -> float:
    return 100.0 * x / total if total > 0 else 0.0


def sensitivity_table(case_list: Sequence[Case], outcomes: Sequence[Outcome],
                      main_sites: Sequence[str]) -> pd.DataFrame:
    """sensitivity.csv: one row per case; ``incident_change_pp`` is the change in the headline (the share of the
    incident weight seen by the case's own plan) against the base case, ``change_pp`` the same for the blend."""
    base = next((o for c, o in zip(case_list, outcomes) if c.level == "base"), None)
    base_pct = _pct(base.optimum, base.total) if base is not None else np.nan
    base_inc = base.incident_pct if base is not None else np.nan
    main = set(main_sites)
    rows = []
    for c, o in zip(case_list, outcomes):
        pct = _pct(o.optimum, o.total)
        rows.append({"assumption": c.assumption, "level": c.level, "factor": c.factor,
                     "incident_pct": o.incident_pct, "main_plan_incident_pct": o.main_incident_pct,
                     "incident_change_pp": o.incident_pct - base_inc, "coverage_pct": pct,
                     "main_plan_coverage_pct": _pct(o.main_value, o.total), "change_pp": pct - base_pct,
                     "n_sites": len(o.sites), "sites_changed": len(main - set(o.sites)),
                     "jaccard": jaccard(o.sites, main_sites),
                     "sites_added": ";".join(s for s in o.sites if s not in main),
                     "sites_dropped": ";".join(s for s in main_sites if s not in set(o.sites)),
                     "status": o.status, "gap": o.gap})
    return pd.DataFrame(rows, columns=list(COLUMNS))
