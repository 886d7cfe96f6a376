"""What the page shows of a plan, as JSON: key figures, coverage per demand kind, ranked sites with views.

Coverage is computed from the variant's rows (:class:`~camsite.stages.rows.ValueRows`):
before = what the remaining existing cameras give, after = that plus the
chosen sites. Map coordinates are the report map's (metres from the map's
top-left corner, y down; :func:`camsite.report.html.map_data`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite import privacy, stages
from camsite.i18n import evidence_labels
from camsite.optimize import Solution
from camsite.report import basemap, svg
from camsite.result import RunResult
from camsite.stages import Instance, coverage_breakdown, kind_masks, share_pct

__all__ = ["PlanView", "coverage_figures"]


def coverage_figures(inst: Instance, selected: NDArray[np.int64]) -> dict[str, Any]:
    """Coverage before and after, in total and per demand kind, computed as summary.json computes them."""
    before, after = inst.rows.point_share([]), inst.rows.point_share(selected)
    by_kind = [{"kind": r.name, "weight_total": r.weight_total, "before_pct": r.before_pct, "after_pct": r.after_pct}
               for r in coverage_breakdown(inst.demand, before, after, kind_masks(inst.demand), None)]
    inc = next((k for k in by_kind if k["kind"] == "incident"), None)
    return {"coverage_before_pct": round(share_pct(inst.weights, before), 4),
            "coverage_after_pct": round(share_pct(inst.weights, after), 4), "coverage_by_kind": by_kind,
            "incident_coverage_before_pct": None if inc is None else inc["before_pct"],
            "incident_coverage_after_pct": None if inc is None else inc["after_pct"],
            "weight_total": round(float(inst.weights.sum()), 6)}


class PlanView:
    """Turns solved plans into the page's JSON (map coordinates of the scenario's run)."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        x0, _, _, y1 = basemap.extent(result, pad=0.03)
        self.origin = (x0, y1)
        self.crs = result.scenario.crs
        self.lang = result.scenario.output.lang
        self.private = not result.scenario.output.include_incidents
        self.edge_names = stages.street_names(result.inputs.network.edges)
        self._views: dict[str, str] = {}

    def xy(self, x: float, y: float) -> tuple[float, float]:
        """Working-CRS coordinates as map coordinates."""
        return round(x - self.origin[0], 1), round(self.origin[1] - y, 1)

    def viewshed(self, instance: Instance, index: int) -> str:
        """The SVG path of candidate ``index``'s viewshed (cached by variant name: the same in every instance)."""
        name = str(instance.candidates["variant"].iloc[index])
        if name not in self._views:
            g = instance.candidate_viewsheds.iloc[index]
            self._views[name] = svg.path_d(None if g is None else g.simplify(0.5), origin=self.origin)
        return self._views[name]

    def ranked(self, inst: Instance, solution: Solution) -> pd.DataFrame:
        """The plan's sites ranked by marginal gain (the columns of sites.csv)."""
        return stages.rank_sites(inst, solution, crs=self.crs, edge_names=self.edge_names,
                                 labels=evidence_labels(self.lang))

    def sites(self, table: pd.DataFrame, forced: tuple[str, ...], instance: Instance) -> list[dict[str, Any]]:
        """The ranked sites as the API returns them (incident gains under 3 suppressed unless allowed)."""
        inc = table["gain_incidents"].to_numpy(float)
        if self.private:
            inc = privacy.suppress(inc)
        out = []
        for r, n in zip(table.to_dict("records"), inc, strict=True):
            x, y = self.xy(float(r["easting"]), float(r["northing"]))
            heading = float(r["heading_deg"])
            out.append({"rank": int(r["rank"]), "site_id": str(r["site_id"]), "lon": float(r["lon"]),
                        "lat": float(r["lat"]), "street": str(r["street"] or ""),
                        "camera_type": str(r["camera_type"]), "cost_sek": float(r["cost_sek"]),
                        "gain_weight": float(r["gain_weight"]), "gain_incidents": None if np.isnan(n) else float(n),
                        "cumulative_coverage_pct": float(r["cumulative_coverage_pct"]),
                        "variant": str(r["variant"]), "heading_deg": None if np.isnan(heading) else heading,
                        "forced": str(r["site_id"]) in forced, "x": x, "y": y,
                        "view": self.viewshed(instance, int(r["candidate_index"]))})
        return out

    def plan(self, forced: tuple[str, ...], solution: Solution, inst: Instance) -> dict[str, Any]:
        """The API's answer for one solved plan, less what depends on the request (budget, request, timing,
        history id): a plan solved for one budget may answer another (:meth:`Workbench.solve`)."""
        table = self.ranked(inst, solution)
        gap = float(solution.gap)
        return {"status": solution.status, "gap": None if np.isnan(gap) else gap,
                "spent_sek": round(float(table["cost_sek"].sum()), 2),
                "n_sites": len(table), "objective": float(solution.objective), "bound": float(solution.bound),
                **coverage_figures(inst, solution.selected), "sites": self.sites(table, forced, inst)}
