"""camsite: where should new surveillance cameras go, and how good is the suggestion?

The public Python API, for notebooks and scripts (docs/api-python.md has a
worked example)::

    scenario = camsite.load_scenario("scenarios/fridhemsplan.toml")   # Scenario
    result = camsite.run(scenario)                                      # RunResult
    camsite.write_run(result, "out/fridhemsplan")                       # the run folder

:func:`run` chains the four public stages of :mod:`camsite.stages`, also
exported here, which a notebook can call one by one::

    load_inputs(scenario)                -> Inputs
    instance_for(scenario, inputs)       -> Instance
    solve(instance, objective, ...)      -> Solution
    summarise(scenario, inputs, ...)     -> Summary

Errors are :class:`CamsiteError` subclasses: :class:`InputError` (a data
file), :class:`ConfigError` (a scenario key), :class:`SolverError`. The
library logs through :mod:`logging` and never prints.
"""

import logging

from camsite import stages
from camsite._version import __version__
from camsite.config import Scenario, override
from camsite.config import load as load_scenario
from camsite.config import loads as loads_scenario
from camsite.errors import CamsiteError, ConfigError, InputError, SolverError
from camsite.optimize import Solution
from camsite.pipeline import run
from camsite.report import write_run
from camsite.result import Robustness, RunResult
from camsite.stages import (
    Inputs,
    Instance,
    MaxCoverage,
    MinCost,
    Summary,
    answer,
    budget_curve,
    build_instance,
    constraints_for,
    instance_for,
    load_inputs,
    rank_sites,
    solve,
    solver_options,
    summarise,
)

__all__ = [
    "CamsiteError",
    "ConfigError",
    "InputError",
    "Inputs",
    "Instance",
    "MaxCoverage",
    "MinCost",
    "Robustness",
    "RunResult",
    "Scenario",
    "Solution",
    "SolverError",
    "Summary",
    "__version__",
    "answer",
    "budget_curve",
    "build_instance",
    "constraints_for",
    "instance_for",
    "load_inputs",
    "load_scenario",
    "loads_scenario",
    "override",
    "rank_sites",
    "run",
    "solve",
    "solver_options",
    "stages",
    "summarise",
    "write_run",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
