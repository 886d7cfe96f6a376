"""The page's fixed layers and texts: the report's map data, candidate sites, existing cameras, labels.

The map is the report's (:func:`camsite.report.html.map_data`): streets, water,
district boundaries, stations, existing cameras with their views, and demand
aggregated per street segment with counts under 3 suppressed. Incident points
are added only when the scenario sets ``output.include_incidents``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from camsite import privacy
from camsite.i18n import category_label, page_labels, tr
from camsite.report.html import map_data
from camsite.result import RunResult
from camsite.serve.plan import PlanView
from camsite.tables import jsonable

__all__ = ["BUDGET_STEP_SEK", "budget_range", "fixed_layers"]

#: Step of the budget slider (SEK).
BUDGET_STEP_SEK = 50_000.0
_MAP_KEYS = ("crs", "origin", "size", "colors", "water", "district_lines", "study_area", "subareas", "streets",
             "zones", "entrances", "map_labels", "demand", "demand_max", "has_suppressed", "existing", "incidents",
             "attribution")


def budget_range(result: RunResult) -> dict[str, float]:
    """The slider's range: from the cheapest site to well above the scenario's budget, in whole steps."""
    budget = result.scenario.optimization.budget_sek
    cheapest = float(result.instance.costs.min())
    top = max(3.0 * budget, 2_000_000.0)
    step = BUDGET_STEP_SEK
    return {"min_sek": float(np.ceil(cheapest / step) * step), "max_sek": float(np.ceil(top / step) * step),
            "step_sek": step, "scenario_sek": float(budget)}


def _candidates(result: RunResult, view: PlanView) -> list[dict[str, Any]]:
    """One entry per physical candidate site: id, map position, street, camera types, cheapest cost."""
    c = result.instance.candidates
    frame = c.assign(_x=c.geometry.x, _y=c.geometry.y)
    out = []
    for sid, g in frame.groupby("site_id", sort=True):
        x, y = view.xy(float(g["_x"].iloc[0]), float(g["_y"].iloc[0]))
        out.append({"site_id": str(sid), "x": x, "y": y, "street": str(g["street"].fillna("").iloc[0]),
                    "camera_types": sorted(set(g["camera_type"].astype(str))),
                    "min_cost_sek": float(g["cost_sek"].min())})
    return out


def _labels(result: RunResult) -> dict[str, dict[str, str]]:
    """The page's texts in both languages, with category, demand-kind and camera-type names."""
    out = {}
    for lang in ("sv", "en"):
        lab = dict(page_labels(lang))
        for cat in result.scenario.category_weights:
            lab[f"cat_{cat}"] = category_label(cat, lang)
        for kind in ("incident", "footfall", "street"):
            lab[f"kind_{kind}"] = tr(f"kind_{kind}", lang)
        for cam in result.scenario.camera_types:
            lab[f"type_{cam.name}"] = cam.label or cam.name
        out[lang] = lab
    return out


def fixed_layers(result: RunResult, view: PlanView) -> dict[str, Any]:
    """Everything the page draws that no request changes (JSON-ready)."""
    scen = result.scenario
    raw = scen.output.include_incidents
    shown = result if raw else privacy.shareable(result)
    data = map_data(shown, lang=scen.output.lang, include_incidents=raw)
    out: dict[str, Any] = jsonable({
        "scenario": {"name": scen.name, "title": scen.title, "crs": scen.crs, "lang": scen.output.lang,
                     "include_incidents": raw},
        "map": {k: data[k] for k in _MAP_KEYS},
        "labels": _labels(result),
        "candidates": _candidates(result, view),
        "budget": budget_range(result),
    })
    return out
