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

The names below are imported on first use (PEP 562), so that ``import camsite.cli``
loads no numerical library: the command line sets how many threads those use
before they load (:func:`camsite.cli.entry`).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from camsite._version import __version__

if TYPE_CHECKING:
    from camsite import stages
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
        budget_curve,
        build_instance,
        constraints_for,
        instance_for,
        load_inputs,
        rank_sites,
        solver_options,
        summarise,
    )

    answer = stages.answer  # not imported by name: mypy takes these two for the submodules of the same name
    solve = stages.solve

#: Each public name -> (its module, its name there).
_LAZY: dict[str, tuple[str, str]] = {
    **{name: ("camsite.errors", name) for name in ("CamsiteError", "ConfigError", "InputError", "SolverError")},
    **{name: ("camsite.stages", name) for name in (
        "Inputs", "Instance", "MaxCoverage", "MinCost", "Summary", "answer", "budget_curve", "build_instance",
        "constraints_for", "instance_for", "load_inputs", "rank_sites", "solve", "solver_options", "summarise")},
    "Scenario": ("camsite.config", "Scenario"), "override": ("camsite.config", "override"),
    "load_scenario": ("camsite.config", "load"), "loads_scenario": ("camsite.config", "loads"),
    "Solution": ("camsite.optimize", "Solution"), "run": ("camsite.pipeline", "run"),
    "write_run": ("camsite.report", "write_run"), "Robustness": ("camsite.result", "Robustness"),
    "RunResult": ("camsite.result", "RunResult"),
}


def __getattr__(name: str) -> Any:
    """The public name ``name``, imported from its module on first use (module docs)."""
    if name == "stages":
        return importlib.import_module("camsite.stages")
    if name not in _LAZY:
        raise AttributeError(f"module 'camsite' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
