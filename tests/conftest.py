"""Shared fixtures: the default scenario run once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "fridhemsplan.toml"


@pytest.fixture(scope="session")
def default_scenario():
    from camsite import config

    return config.load(DEFAULT_SCENARIO)


@pytest.fixture(scope="session")
def default_result(default_scenario):
    """The default Fridhemsplan scenario, run end to end once (a few seconds)."""
    from camsite import pipeline

    return pipeline.run(default_scenario)
