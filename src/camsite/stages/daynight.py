"""What the plan sees by day and by night, and the incidents by hour (the summary's ``time_of_day``).

>>> import numpy as np, pandas as pd, geopandas as gpd
>>> from shapely.geometry import Point
>>> demand = gpd.GeoDataFrame({"kind": ["incident", "incident", "street"], "category": ["vald", "vald", "gata"],
...     "weight": [1.0, 3.0, 0.5], "incidents": [1.0, 3.0, 0.0], "period": ["day", "night", ""]},
...     geometry=[Point(0, 0)] * 3)
>>> {k: v.tolist() for k, v in period_masks(demand).items()}
{'day': [True, False, False], 'night': [False, True, False]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from camsite.config import Scenario
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance, demand_reach
from camsite.timeofday import coarse_hours, hour_counts, minute_mask, minutes_of_day
from camsite.vocab import MIN_COUNT

__all__ = ["PERIODS", "period_masks", "time_of_day"]

#: The periods of the day the summary reports, in order.
PERIODS: tuple[str, ...] = ("day", "night")


def period_masks(demand: gpd.GeoDataFrame) -> dict[str, NDArray[np.bool_]]:
    """Incident demand rows by period of the day (demand without a ``period`` column: none)."""
    if "period" not in demand.columns:
        return {}
    period = demand["period"].astype(str).to_numpy()
    return {p: period == p for p in PERIODS if (period == p).any()}


def _weighted_incidents(scenario: Scenario, inputs: Inputs, instance: Instance) -> gpd.GeoDataFrame:
    """The incidents that weigh (category weight above 0, not indoor) where the run builds demand."""
    inc = inputs.incidents
    if inc.empty:
        return inc
    cw = dict(scenario.category_weights)
    cat = inc["category"].astype(str)
    weighs = cat.map(lambda c: cw.get(c, cw.get("ovrigt", 0.0))).to_numpy(float) > 0
    if "indoor" in inc.columns and scenario.demand.indoor_weight <= 0:
        weighs &= ~inc["indoor"].to_numpy(bool)
    reach = demand_reach(inputs.study_area, scenario.demand, instance.cameras)
    return inc[weighs & inc.geometry.within(reach).to_numpy()]


def time_of_day(scenario: Scenario, inputs: Inputs, instance: Instance) -> dict[str, Any]:
    """The monitoring settings, the night reach of each camera type and the weighted incidents by hour.

    ``incidents_by_hour`` is a list of ``{"from": h, "to": h, "incidents": n}``
    in the finest bins where no bin holds 1 or 2 incidents (the privacy rule);
    ``night_share_pct`` the share of the dated incidents at night (None when
    it would reveal 1 or 2 incidents by day or by night).
    """
    m = scenario.monitoring
    inc = _weighted_incidents(scenario, inputs, instance)
    dates = inc["date"] if len(inc) and "date" in inc.columns else None
    counts = np.zeros(24, np.int64) if dates is None else hour_counts(dates)
    minute = np.zeros(0) if dates is None else minutes_of_day(dates)
    minute = minute[np.isfinite(minute)].astype(np.int64)
    n_night = int(minute_mask([m.night])[minute].sum())
    dated = len(minute)
    shown = dated > 0 and all(n == 0 or n >= MIN_COUNT for n in (n_night, dated - n_night))
    cams = instance.cameras
    assert cams.night_range_m is not None  # set by CameraModels
    reach: Mapping[str, float | None] = {n: (None if not np.isfinite(r) else float(r))
                                         for n, r in zip(cams.names, cams.night_range_m)}
    return {"hours": list(m.hours), "existing_hours": list(m.existing_hours), "night": m.night,
            "night_weight": m.night_weight, "night_range_m": dict(reach),
            "incidents_dated": dated, "incidents_undated": int(len(inc) - dated),
            "night_share_pct": round(100.0 * n_night / dated, 1) if shown else None,
            "incidents_by_hour": [{"from": a, "to": b, "incidents": n}
                                  for a, b, n in coarse_hours(counts, min_count=MIN_COUNT)]}
