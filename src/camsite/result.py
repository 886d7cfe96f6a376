"""The in-memory result of one run, handed from the pipeline to the writers.

:class:`RunResult` is plain data: every writer (CSV, GeoJSON, XLSX, GeoPackage,
PNG, HTML) reads from it and none changes it.  All geometries are in the
scenario's working CRS (EPSG:3011 unless the scenario overrides it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import scipy.sparse as sp
from shapely.geometry.base import BaseGeometry

from camsite.config import Scenario
from camsite.optimize import Solution
from camsite.stages import DistrictRow, Inputs, Instance, Summary

__all__ = ["SITES_COLUMNS", "Robustness", "RunResult"]

#: Columns of sites.csv, in order.
SITES_COLUMNS: tuple[str, ...] = (
    "rank", "site_id", "lon", "lat", "easting", "northing", "street", "camera_type", "cost_sek",
    "gain_weight", "gain_incidents", "cumulative_cost_sek", "cumulative_coverage_pct",
    "why_categories", "why_precision", "streets_seen", "alternative_site_id", "alternative_gain_weight",
    "gain_events", "top_event_share", "rests_on_one_event", "heading_deg", "fov_deg", "range_m", "gain_identify_pct", "gain_recognise_pct", "gain_observe_pct",
    "gain_detect_pct",
)


@dataclass(frozen=True, eq=False)
class Robustness:
    """How sure the plan is: the result of a robustness analysis (and its sensitivity table).

    Computed by :func:`camsite.robustness.analyse`; the column lists are in
    :mod:`camsite.robustness.tables`.

    Attributes
    ----------
    sites
        One row per site chosen in some sample or in the main plan (robustness.csv).
    samples
        One row per sample (samples.csv).
    stable_core
        Main-plan or other sites chosen in at least ``stable_share`` of the samples.
    alternatives
        Sites not in the main plan, most often chosen first.
    sensitivity
        The one-at-a-time table (:mod:`camsite.robustness.sensitivity`), or None.
    settings
        Seed, number of samples, the perturbations and their ranges, the executor.
    curve_band
        The budget curve's band (:mod:`camsite.robustness.band`): ``budget_sek``, ``incident_p10_pct``,
        ``incident_p90_pct``; None without a curve.
    """

    sites: pd.DataFrame
    samples: pd.DataFrame
    stable_core: tuple[str, ...]
    alternatives: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    curve_band: pd.DataFrame | None = None

    def summary(self) -> dict[str, Any]:
        """The headline figures (for robustness.json and the terminal)."""
        s = self.samples
        t = self.sites
        main = t[t["in_main_plan"] == "yes"] if "in_main_plan" in t else t.iloc[0:0]
        held = main[main["place_stable"] == "yes"] if "place_stable" in main else main.iloc[0:0]
        return {"samples": len(s), "stable_core": list(self.stable_core),
                "place_core": [str(v) for v in held["site_id"]],
                "place_core_share": len(held) / len(main) if len(main) else None,
                "mean_place_jaccard": _mean(s["place_jaccard"]) if "place_jaccard" in s else None,
                "mean_jaccard": _mean(s["jaccard"]), "mean_regret_pct": _mean(s["regret_pct"]),
                "max_regret_pct": float(s["regret_pct"].max()) if len(s) else None,
                "not_optimal": int((s["status"] != "optimal").sum()) if len(s) else 0, **dict(self.settings)}


def _mean(x: pd.Series) -> float | None:
    return float(x.mean()) if len(x) else None


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one ``camsite run`` computed.

    Attributes
    ----------
    scenario
        The validated scenario (with command-line overrides applied).
    inputs
        The inputs as read (:class:`camsite.stages.Inputs`).
    instance
        Demand, candidates and coverage (:class:`camsite.stages.Instance`).
    solution
        The optimisation result.
    sites
        The ranked proposed sites: :data:`SITES_COLUMNS` plus ``variant``,
        ``heading_deg``, ``kind`` and ``candidate_index``.
    summary
        The run's figures (summary.json is written from it).
    budget_curve, stages
        The coverage-budget curve and the staged plan, when asked for.
    robustness
        Selection frequencies, samples and sensitivity (:class:`Robustness`), or None.
    min_incident_count
        Incident counts in ``(0, min_incident_count)`` are suppressed by every
        writer that derives counts itself (0: none; :func:`camsite.privacy.shareable`
        sets it to :data:`camsite.privacy.MIN_COUNT`).
    """

    scenario: Scenario
    inputs: Inputs
    instance: Instance
    solution: Solution
    sites: pd.DataFrame
    summary: Summary
    budget_curve: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    min_incident_count: int = 0
    #: The robustness analysis (``camsite robustness``, ``run --robustness N``), when asked for.
    robustness: Robustness | None = None
    #: With ``[[districts]]``: the plan per district (:class:`camsite.stages.DistrictRow`) and the budget curve's
    #: spend and sites per district (:data:`camsite.stages.DISTRICT_CURVE_COLUMNS`).
    districts: tuple[DistrictRow, ...] = ()
    district_curve: pd.DataFrame | None = None

    # -- shortcuts the writers use ------------------------------------------------------------
    @property
    def study_area(self) -> BaseGeometry:
        """The study-area polygon."""
        return self.inputs.study_area

    @property
    def subareas(self) -> gpd.GeoDataFrame:
        """Named reporting areas: ``name``, ``label``, ``source``, geometry."""
        return self.inputs.subareas

    @property
    def edges(self) -> gpd.GeoDataFrame:
        """Street segments, one row per undirected edge."""
        return self.inputs.network.edges

    @property
    def incidents(self) -> gpd.GeoDataFrame:
        """Incident points used (sensitive)."""
        return self.inputs.incidents

    @property
    def existing(self) -> gpd.GeoDataFrame:
        """Existing cameras (sensitive)."""
        return self.instance.existing

    @property
    def demand(self) -> gpd.GeoDataFrame:
        """Demand points (rows of :attr:`coverage`)."""
        return self.instance.demand

    @property
    def candidates(self) -> gpd.GeoDataFrame:
        """Candidate site variants (columns of :attr:`coverage`)."""
        return self.instance.candidates

    @property
    def coverage(self) -> sp.csr_matrix:
        """Demand × candidates, boolean."""
        return self.instance.coverage

    @property
    def existing_coverage(self) -> sp.csr_matrix:
        """Demand × existing cameras, boolean."""
        return self.instance.existing_coverage

    @property
    def candidate_viewsheds(self) -> gpd.GeoSeries:
        """Viewsheds aligned with :attr:`candidates`."""
        return self.instance.candidate_viewsheds

    @property
    def existing_viewsheds(self) -> gpd.GeoSeries:
        """Viewsheds aligned with :attr:`existing`."""
        return self.instance.existing_viewsheds
