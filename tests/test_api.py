"""The public Python API: ``import camsite`` gives what docs/api-python.md promises, and its examples run."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

import camsite
from factory import network_cache

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_is_importable_and_documented() -> None:
    doc = (ROOT / "docs" / "api-python.md").read_text(encoding="utf-8")
    for name in camsite.__all__:
        assert hasattr(camsite, name), name
        if name not in ("__version__", "stages", "Solution", "Robustness"):
            assert f"`{name}" in doc or f" {name}" in doc, f"{name} is not in docs/api-python.md"


def test_the_stages_are_the_same_objects_as_camsite_stages() -> None:
    assert camsite.solve is camsite.stages.solve
    assert camsite.load_inputs is camsite.stages.load_inputs


@pytest.mark.slow
def test_docs_api_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example of docs/api-python.md, run from the repository root as a reader would.

    The examples read the default scenario's inputs three times (two runs and the stage-by-stage example); the
    street network, the same file each time, is read once (``network_cache``: each read gets its own copy).
    """
    monkeypatch.chdir(ROOT)
    with network_cache():
        res = doctest.testfile(os.fspath(ROOT / "docs" / "api-python.md"), module_relative=False,
                               optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert res.attempted >= 15
    assert res.failed == 0
