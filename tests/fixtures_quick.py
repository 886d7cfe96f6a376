"""Fixtures that make a test cheaper where the cost is not its subject (imported by conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

#: The connection probe's wait in the tests of an unreachable scheduler (the command's default is 5 s).
PROBE_TIMEOUT_S = 1.0


@pytest.fixture
def quick_dask_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's connection probe gives up after :data:`PROBE_TIMEOUT_S` instead of the 5 s default.

    Dask retries a refused connection until its timeout, so a test of the error an unreachable scheduler gives
    (``tcp://127.0.0.1:9``) waits the whole timeout; the error and its one line are the same after 1 s.
    """
    from camsite import executors

    real = executors._probe

    def probe(distributed: Any, address: str, security: Any, timeout_s: float) -> None:
        real(distributed, address, security, min(timeout_s, PROBE_TIMEOUT_S))

    monkeypatch.setattr(executors, "_probe", probe)
