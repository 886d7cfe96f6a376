"""The headline every picture and table of a run shows: incident coverage, with the objective's blend beside it.

Budget curves from before the headline column (or without incidents) fall back to the blend
(``coverage_pct``), and then say so in their axis label.

>>> knee_y({"budget_sek": 1e6, "incident_pct": 10.1, "coverage_pct": 6.7}), knee_y({"coverage_pct": 6.7})
(10.1, 6.7)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from camsite.result import RunResult

__all__ = ["headline_series", "knee_y", "target_y"]


def knee_y(knee: Mapping[str, Any]) -> float | None:
    """The knee's height on the headline curve: its incident coverage (its blend for an older curve)."""
    for key in ("incident_pct", "coverage_pct"):
        if knee.get(key) is not None:
            return float(knee[key])
    return None


def target_y(point: Mapping[str, Any]) -> float | None:
    """A target point's height: the incident coverage it is defined on."""
    v = point.get("incident_pct")
    return None if v is None else float(v)


def headline_series(result: RunResult) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None,
                                                float | None, float | None]:
    """The curve's headline (incident coverage per budget), the blend beside it (None when the headline is the
    blend), and the headline before and after at the plan."""
    curve, s = result.budget_curve, result.summary
    assert curve is not None
    if "incident_pct" in curve and s.incident_coverage_after_pct is not None:
        return (curve["incident_pct"].to_numpy(float), curve["coverage_pct"].to_numpy(float),
                s.incident_coverage_before_pct, s.incident_coverage_after_pct)
    return curve["coverage_pct"].to_numpy(float), None, s.coverage_before_pct, s.coverage_after_pct
