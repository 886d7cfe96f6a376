"""The stages fed from a whole :class:`~camsite.config.Scenario`: camera models and the instance.

Every command that builds an instance (``run``, ``validate``, ``robustness``,
``serve``, the benchmarks) calls these, so they agree on the camera models and
the coverage model (``[quality]``).
"""

from __future__ import annotations

from camsite.cameras import CameraModels
from camsite.config import Scenario
from camsite.stages.inputs import Inputs
from camsite.stages.instance import Instance, build_instance

__all__ = ["camera_models", "instance_for"]


def camera_models(scenario: Scenario) -> CameraModels:
    """The scenario's camera types as :class:`CameraModels` (costs as its budget counts them, its PTZ mode)."""
    opt = scenario.optimization
    return CameraModels.from_types(scenario.camera_types, horizon_years=opt.horizon_years,
                                   offered=scenario.candidates.camera_types,
                                   budget_applies_to=opt.budget_applies_to, ptz=scenario.quality.ptz)


def instance_for(scenario: Scenario, inputs: Inputs, *, viewsheds: bool = True, parallel: bool = False) -> Instance:
    """:func:`~camsite.stages.build_instance` with the scenario's own sections (``parallel``: as it takes it)."""
    return build_instance(inputs, scenario.demand, scenario.candidates, camera_models(scenario),
                          category_weights=scenario.category_weights, viewsheds=viewsheds,
                          quality=scenario.quality, monitoring=scenario.monitoring, parallel=parallel)
