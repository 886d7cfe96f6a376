"""The budget curve's worker processes end with their parent (``kill -9`` included) and at once on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_reliability_exec import _gone, _wait, busy_parent

_PARENT = """
import os, signal, sys, time
sys.path.insert(0, {src!r})
import numpy as np, scipy.sparse as sp
from camsite.optimize import SolverOptions, budget_sweep, _sweep

def slow_chain(model, chain, solver):  # each chain's worker says who it is, then works for two minutes
    open(os.path.join({folder!r}, f"pid-{{chain[0][0]:g}}"), "w").write(str(os.getpid()))
    time.sleep(120)
    raise AssertionError("not reached")

def stop(signum, frame):
    raise KeyboardInterrupt

signal.signal(signal.SIGTERM, stop)  # as the CLI does
_sweep._solve_chain = slow_chain  # the forked workers inherit it
cov = sp.csr_matrix(np.eye(3, dtype=bool))
try:
    budget_sweep(cov, np.ones(3), np.ones(3), [1, 2], solver=SolverOptions(workers=2, greedy=False, lp_bound=False))
except KeyboardInterrupt:
    sys.exit(143)
"""


@pytest.fixture
def sweeping(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[int]]]:
    """A process sweeping two budgets on two worker processes, each busy for two minutes; the workers' pids."""
    with busy_parent(_PARENT, tmp_path, ("pid-1", "pid-2")) as got:
        yield got


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_sweep_workers_die_with_their_parent(sweeping: tuple[subprocess.Popen[bytes], list[int]], sig: int) -> None:
    proc, pids = sweeping
    assert len(set(pids)) == 2 and proc.pid not in pids  # two worker processes, not the parent
    assert not any(_gone(p) for p in pids)
    proc.send_signal(sig)
    proc.wait(timeout=30)  # SIGTERM: the parent does not wait for the chains' two minutes
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 143)
    assert _wait(lambda: all(_gone(p) for p in pids), 20), "a sweep worker outlived its parent"
