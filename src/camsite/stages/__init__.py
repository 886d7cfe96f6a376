"""camsite's pipeline as four public, typed stages.

::

    load_inputs(scenario)                                   -> Inputs
    build_instance(inputs, demand_cfg, candidate_cfg, cams) -> Instance
    solve(instance, objective, constraints, solver)         -> Solution
    summarise(scenario, inputs, instance, solution, ...)    -> Summary

Each stage takes only its own part of the configuration (the first reads the
files a scenario names, so it takes the scenario). ``camsite run``,
``camsite validate``, the benchmarks and any later command call these and
nothing private; :func:`camsite.pipeline.run` chains them.
"""

from __future__ import annotations

from camsite.cameras import CameraModels
from camsite.stages.inputs import Inputs, LayerStats, load_inputs
from camsite.stages.instance import Instance, build_instance, demand_reach, district_map
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
    CameraTypeRow,
    CoverageRow,
    DataSource,
    NoViewRow,
    Summary,
    not_proven,
    rank_sites,
    street_names,
    summarise,
)

__all__ = [
    "CameraModels",
    "CameraTypeRow",
    "CoverageRow",
    "DataSource",
    "Inputs",
    "Instance",
    "LayerStats",
    "MaxCoverage",
    "MinCost",
    "NoViewRow",
    "Objective",
    "Summary",
    "ValueRows",
    "budget_curve",
    "build_instance",
    "camera_models",
    "constraints_for",
    "demand_reach",
    "district_map",
    "for_instance",
    "instance_for",
    "load_inputs",
    "not_proven",
    "rank_sites",
    "solve",
    "solver_options",
    "staged_plan",
    "street_names",
    "summarise",
    "value_rows",
]
