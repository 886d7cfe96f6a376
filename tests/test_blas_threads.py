"""One BLAS thread per camsite process (camsite.procs): the command sets it before numpy loads, a run holds it,
a pool worker keeps it for its life, and none of it outlives what owns it."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from camsite import config, pipeline, procs, stages
from camsite.errors import InputError

DEFAULT_SCENARIO = "scenarios/fridhemsplan.toml"


def _blas_threads() -> set[int]:
    return {int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"}


def _python(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                         env={**clean, **env})
    return res.stdout.strip()


def test_importing_the_command_line_loads_no_numerical_library() -> None:
    # the command sets the thread count before numpy loads: importing camsite or camsite.cli must not load it
    out = _python("import sys, camsite, camsite.cli; print(sorted(m for m in ('numpy', 'scipy', 'pandas') "
                  "if m in sys.modules))")
    assert out == "[]"


def test_the_public_names_still_come_from_their_modules() -> None:
    import camsite
    from camsite.report import write_run

    assert camsite.run is pipeline.run and camsite.write_run is write_run
    assert camsite.load_scenario is config.load and camsite.solve is stages.solve and camsite.stages is stages
    assert {"run", "stages", "InputError"} <= set(dir(camsite))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        camsite.nothing  # noqa: B018


_ENTRY = """
import os, sys
sys.argv = ["camsite", "--version"]
import camsite.cli as cli
def stop():  # entry() ends the process with os._exit: stopped here to look at it
    raise SystemExit(0)
cli._quick_exit = stop
try:
    cli.entry()
except SystemExit:
    pass
from threadpoolctl import threadpool_info, threadpool_limits
import numpy, scipy.sparse.linalg
print(os.environ["OPENBLAS_NUM_THREADS"], sorted({lib["num_threads"] for lib in threadpool_info()
                                                 if lib["user_api"] == "blas"}))
"""


def test_the_command_runs_its_blas_on_one_thread_unless_told_otherwise() -> None:
    assert _python(_ENTRY).splitlines()[-1] == "1 [1]"
    assert _python(_ENTRY, OPENBLAS_NUM_THREADS="2").splitlines()[-1].startswith("2 ")  # the user's value is kept


def test_a_run_holds_one_blas_thread_and_gives_the_setting_back(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[set[int]] = []

    def load_inputs(scenario: Any) -> Any:
        seen.append(_blas_threads())
        raise InputError("stop here", file="x.csv")

    monkeypatch.setattr(stages, "load_inputs", load_inputs)
    with threadpool_limits(limits=2, user_api="blas"):  # a notebook's own setting (the tests' workers have 1)
        assert _blas_threads() == {2}
        with pytest.raises(InputError, match="stop here"):
            pipeline.run(config.load(DEFAULT_SCENARIO))
        assert seen == [{1}]
        assert _blas_threads() == {2}  # scoped: the notebook's numpy keeps its threads


def _worker_threads() -> set[int]:
    return _blas_threads()


def test_a_pool_worker_keeps_one_blas_thread() -> None:
    ctx = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
    with threadpool_limits(limits=2, user_api="blas"):  # a forked worker inherits 2 threads, worker_start sets 1
        with ProcessPoolExecutor(1, mp_context=ctx) as pool:
            assert pool.submit(_worker_threads).result(timeout=60) == {2}
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=procs.worker_start,
                                 initargs=(os.getpid(),)) as pool:
            assert pool.submit(_worker_threads).result(timeout=60) == {1}


def test_the_quick_exit_flushes_and_a_failing_command_keeps_its_exit_code(tmp_path: Path) -> None:
    """A command that succeeded ends with os._exit after the exit handlers and a flush (camsite.cli.entry): what
    was printed and what an exit handler writes arrive, exit code 0. A failing command exits as Python does,
    with its own code and its one error line."""
    script = ("import atexit, sys\nfrom camsite.cli import _quick_exit\n"
              "atexit.register(lambda: sys.stdout.write('handler ran'))\n"
              "sys.stdout.write('printed; ')\n_quick_exit()\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "PYTHONUNBUFFERED")}
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=clean)
    assert (res.returncode, res.stdout, res.stderr) == (0, "printed; handler ran", "")
    failed = subprocess.run([sys.executable, "-m", "camsite", "run", str(tmp_path / "missing.toml")],
                            capture_output=True, text=True, timeout=60, env=clean)
    assert failed.returncode == 2 and failed.stderr.startswith("error: ") and "does not exist" in failed.stderr
