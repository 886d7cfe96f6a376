"""camsite's pipeline as four public, typed stages.

::

    load_inputs(scenario)                                   -> Inputs
    build_instance(inputs, demand_cfg, candidate_cfg, cams) -> Instance
    solve(instance, objective, constraints, solver)         -> Solution
    summarise(scenario, inputs, instance, solution, ...)    -> Summary

Each stage takes only its own part of the configuration (the first reads the
files a scenario names, so it takes the scenario). For a whole scenario,
:func:`instance_for` builds the instance with the scenario's sections,
:func:`answer` solves the scenario's question (the most coverage for the
budget, or the cheapest plan meeting its targets) and :func:`budget_plans`
the budget curve, its target points and the staged plan.

``camsite run``, ``camsite validate``, ``camsite serve``, the robustness
analysis, the report and the benchmarks use the names exported here and
nothing private; :func:`camsite.pipeline.run` chains them.
"""

from __future__ import annotations

from camsite.cameras import CameraModels
from camsite.stages._districts import (
    DISTRICT_CURVE_COLUMNS,
    CityDistricts,
    DistrictRow,
    PendingGains,
    city_districts,
    city_figures,
    city_gains,
    curve_by_district,
    district_rows,
    plan_constraints,
)
from camsite.stages._proofs import ProofStore, default_proof_dir
from camsite.stages._reach import Reach, highest_reach
from camsite.stages.answer import Answer, BudgetPlans, PendingPlans, answer, budget_plans, start_curve
from camsite.stages.headline import HEADLINE_COLUMNS, curve_with_incidents, headline_knee, incident_pct
from camsite.stages.inputs import Inputs, LayerStats, load_inputs
from camsite.stages.instance import CoverageModel, Instance, build_instance, demand_reach, district_map
from camsite.stages.objectives import target_points_table, unknown_target_categories, unused_target_text
from camsite.stages.rollout import with_install_years
from camsite.stages.rows import ValueRows, value_rows
from camsite.stages.scenario import camera_models, instance_for
from camsite.stages.solve import (
    MaxCoverage,
    MinCost,
    Objective,
    budget_curve,
    constraints_for,
    for_instance,
    solve,
    solver_options,
    staged_plan,
)
from camsite.stages.summary import (
    LEVEL_SHARE_COLUMNS,
    UNCOVERABLE_CELL_M,
    CameraTypeRow,
    CoverageRow,
    DataSource,
    NoViewRow,
    Summary,
    coverage_breakdown,
    kind_masks,
    not_proven,
    rank_sites,
    share_pct,
    street_names,
    summarise,
    uncoverable_cells,
    uncoverable_summary,
)

__all__ = [
    "DISTRICT_CURVE_COLUMNS",
    "HEADLINE_COLUMNS",
    "LEVEL_SHARE_COLUMNS",
    "UNCOVERABLE_CELL_M",
    "Answer",
    "BudgetPlans",
    "CameraModels",
    "CameraTypeRow",
    "CityDistricts",
    "CoverageModel",
    "CoverageRow",
    "DataSource",
    "DistrictRow",
    "Inputs",
    "Instance",
    "LayerStats",
    "MaxCoverage",
    "MinCost",
    "NoViewRow",
    "Objective",
    "PendingGains",
    "PendingPlans",
    "ProofStore",
    "Reach",
    "Summary",
    "ValueRows",
    "answer",
    "budget_curve",
    "budget_plans",
    "build_instance",
    "camera_models",
    "city_districts",
    "city_figures",
    "city_gains",
    "constraints_for",
    "coverage_breakdown",
    "curve_by_district",
    "curve_with_incidents",
    "default_proof_dir",
    "demand_reach",
    "district_map",
    "district_rows",
    "for_instance",
    "headline_knee",
    "highest_reach",
    "incident_pct",
    "instance_for",
    "kind_masks",
    "load_inputs",
    "not_proven",
    "plan_constraints",
    "rank_sites",
    "share_pct",
    "solve",
    "solver_options",
    "staged_plan",
    "start_curve",
    "street_names",
    "summarise",
    "target_points_table",
    "uncoverable_cells",
    "uncoverable_summary",
    "unknown_target_categories",
    "unused_target_text",
    "value_rows",
    "with_install_years",
]
