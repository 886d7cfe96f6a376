"""Scenario files: one TOML file, validated once into a frozen :class:`Scenario`.

Each section is a frozen dataclass in a private module (``_inputs``,
``_cameras``, ``_demand``, ``_candidates``, ``_districts``, ``_optimization``, ``_output``,
``_scenario``); ``_load`` reads the TOML, follows ``extends`` and validates.
This package is the public face: import from ``camsite.config``.

Relative paths in a scenario are relative to the scenario file's folder.
Coordinates in a scenario (polygons, points) are WGS84 longitude/latitude,
except ``center`` and ``point`` which are ``[lat, lon]`` as a planner reads
them off a web map.

>>> s = loads('''
... name = "demo"
... [study_area]
... center = [59.3330, 18.0308]
... radius_m = 500
... [network]
... path = "net.graphml"
... [[camera_types]]
... name = "dome"
... range_m = 40
... capex_sek = 50000
... opex_sek_per_year = 5000
... [optimization]
... budget_sek = 200000
... ''', file="demo.toml")
>>> s.camera_types[0].cost_sek(s.optimization.horizon_years)
70000.0
>>> s.optimization.solver
'highs'
"""

from __future__ import annotations

from camsite.config._cameras import PTZ_MODES, CameraType, LevelValues, QualityConfig
from camsite.config._candidates import CandidateConfig, Exclusion, NoViewZone
from camsite.config._common import MAX_SWEEP_POINTS, MAX_WEIGHT, MIN_SPACING_M, LonLat
from camsite.config._costs import VAT_RULES, CostsConfig
from camsite.config._demand import DemandConfig, FootfallConfig
from camsite.config._districts import District
from camsite.config._inputs import (
    CAMERA_FIELDS,
    OWNERS,
    Area,
    Boundaries,
    CameraLayer,
    NetworkConfig,
    PointLayer,
    SubArea,
)
from camsite.config._load import PATH_KEYS, load, loads, override, revalidate, to_data
from camsite.config._monitoring import ALL_DAY, OPERATORS, MonitoringConfig, PermitConfig, window_minutes
from camsite.config._optimization import FramesConfig, OptimizationConfig, RobustnessConfig, Stage, SweepConfig
from camsite.config._output import OutputConfig
from camsite.config._scenario import Scenario

__all__ = [
    "ALL_DAY",
    "CAMERA_FIELDS",
    "MAX_SWEEP_POINTS",
    "MAX_WEIGHT",
    "MIN_SPACING_M",
    "OPERATORS",
    "OWNERS",
    "PATH_KEYS",
    "PTZ_MODES",
    "VAT_RULES",
    "Area",
    "Boundaries",
    "CameraLayer",
    "CameraType",
    "CandidateConfig",
    "CostsConfig",
    "DemandConfig",
    "District",
    "Exclusion",
    "FootfallConfig",
    "FramesConfig",
    "LevelValues",
    "LonLat",
    "MonitoringConfig",
    "NetworkConfig",
    "NoViewZone",
    "OptimizationConfig",
    "OutputConfig",
    "PermitConfig",
    "PointLayer",
    "QualityConfig",
    "RobustnessConfig",
    "Scenario",
    "Stage",
    "SubArea",
    "SweepConfig",
    "load",
    "loads",
    "override",
    "revalidate",
    "to_data",
    "window_minutes",
]
