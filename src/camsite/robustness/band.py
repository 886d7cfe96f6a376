"""The budget curve's band: how much the incident coverage of each curve plan varies across the samples.

What is measured: each budget's plan of the main run's curve (its ``sites``,
as budget_curve.csv lists them) is evaluated on every robustness sample's
perturbed data (:func:`plan_shares`, in the sample's own task: no extra solve),
as the share of the sample's incident weight it sees. As on the curve itself
(``incident_pct``, :mod:`camsite.stages.headline`) a budget keeps the best of
the plans up to it (the cheaper plan fits the larger budget too). Per budget
the band is the 10th and 90th percentile of that share across the samples
(``numpy.percentile``, linear interpolation): :data:`BAND_COLUMNS` of
budget_curve.csv. The band answers "how sure is the curve's figure if the
incidents had fallen a little differently", not "what would the optimal plan
for each sample see" (that would need one solve per budget and sample).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import stages

__all__ = ["BAND_COLUMNS", "BAND_PERCENTILES", "curve_band", "curve_variants", "incident_rows", "plan_shares"]

#: The band's percentiles.
BAND_PERCENTILES = (10.0, 90.0)
#: The band's columns in budget_curve.csv.
BAND_COLUMNS = ("incident_p10_pct", "incident_p90_pct")


def curve_variants(curve: pd.DataFrame | None) -> tuple[tuple[str, ...], ...]:
    """Each curve row's plan as candidate variants (budget order of ``curve``), () without a curve."""
    if curve is None or not len(curve) or "sites" not in curve:
        return ()
    return tuple(tuple(v for v in str(s if isinstance(s, str) else "").split(";") if v) for s in curve["sites"])


def incident_rows(instance: stages.Instance) -> NDArray[np.bool_]:
    """The instance's optimiser rows that stand for incidents (as :func:`camsite.stages.incident_pct` counts)."""
    mask = stages.kind_masks(instance.demand).get("incident", np.zeros(len(instance.demand), dtype=bool))
    return instance.rows.for_points(mask)


def plan_shares(instance: stages.Instance, plans: Sequence[Sequence[str]],
                base_rows: NDArray[np.bool_] | None = None) -> tuple[float, ...]:
    """The share (%) of ``instance``'s incident weight each plan (variants) sees, NaN without incidents.

    ``base_rows`` are the incident rows of the base instance, used when ``instance`` is a reweighted copy
    without its demand frame (a worker's, :mod:`camsite.robustness.payload`: the same rows, other weights).
    A variant the instance does not have (a sample whose candidates changed) is left out of the plan.
    """
    rows = instance.rows
    inc = base_rows if not len(instance.demand) and base_rows is not None else incident_rows(instance)
    total = float(rows.weights[inc].sum()) if len(inc) == len(rows.weights) else 0.0
    where = {str(v): i for i, v in enumerate(instance.candidates["variant"].to_numpy())}
    out = []
    for plan in plans:
        seen = rows.covered([where[v] for v in plan if v in where])
        out.append(100.0 * float(rows.weights[inc & seen].sum()) / total if total > 0 else float("nan"))
    return tuple(out)


def curve_band(budgets: Sequence[float], shares: Sequence[Sequence[float]]) -> pd.DataFrame | None:
    """The band per budget from each sample's plan shares (one sequence per sample, in ``budgets`` order).

    >>> curve_band([1.0, 2.0], [(10.0, 9.0), (20.0, 30.0), (30.0, 31.0)]).round(1).to_dict("list")
    {'budget_sek': [1.0, 2.0], 'incident_p10_pct': [12.0, 14.0], 'incident_p90_pct': [28.0, 30.8]}
    """
    rows = [s for s in shares if len(s) == len(budgets)]
    if not rows or not len(budgets):
        return None
    order = np.argsort(np.asarray(budgets, dtype=float), kind="stable")
    table = np.asarray(rows, dtype=float)[:, order]
    best = np.fmax.accumulate(table, axis=1)  # a budget keeps the best plan up to it, per sample
    out = pd.DataFrame({"budget_sek": np.asarray(budgets, dtype=float)[order]})
    for col, q in zip(BAND_COLUMNS, BAND_PERCENTILES, strict=True):
        out[col] = np.nanpercentile(best, q, axis=0) if np.isfinite(best).any() else np.nan
    return out
