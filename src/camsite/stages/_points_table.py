"""min_budgets.csv: the run's target points as one table (:func:`target_points_table`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = ["TARGET_POINT_COLUMNS", "target_points_table"]

#: Columns of min_budgets.csv (:func:`target_points_table`).
TARGET_POINT_COLUMNS = ("kind", "target_incident_share", "status", "cost_sek", "n_sites", "incident_pct",
                        "footfall_pct", "coverage_pct", "gap", "sites", "max_incident_pct", "cost_bound_sek",
                        "max_incident_bound_pct", "max_plan_cost_sek", "max_plan_n_sites")


def target_points_table(points: Sequence[Mapping[str, Any]]) -> pd.DataFrame | None:
    """min_budgets.csv: one row per target point (:data:`TARGET_POINT_COLUMNS`), None without points.

    >>> target_points_table([{"kind": "target_75", "target_incident_share": 0.75, "status": "unreachable",
    ...                       "max_incident_pct": 62.7}])[["kind", "status", "cost_sek"]].to_dict("records")
    [{'kind': 'target_75', 'status': 'unreachable', 'cost_sek': None}]
    """
    if not points:
        return None
    rows = [{c: p.get(c) for c in TARGET_POINT_COLUMNS} for p in points]
    return pd.DataFrame(rows, columns=list(TARGET_POINT_COLUMNS))
