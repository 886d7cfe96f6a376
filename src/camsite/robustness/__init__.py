"""How sure is the plan? Robustness samples, sensitivity cases and where they run.

::

    analyse(run_result, samples=N, seed=S, executor=...)   -> Robustness
    make_executor(workers=K) | make_executor(scheduler="tcp://HOST:PORT")

See docs/robustness.md. The tables are written by :func:`write_files`
(called by :func:`camsite.outputs.write_run` when a run has them).
"""

from __future__ import annotations

from camsite.robustness.analyse import MAX_SAMPLES, Task, analyse, check_options, run_task, sample_seeds
from camsite.robustness.execute import DaskExecutor, InlineExecutor, LocalExecutor, executor, make_executor
from camsite.robustness.tables import Robustness
from camsite.robustness.write import write_files

__all__ = [
    "MAX_SAMPLES",
    "DaskExecutor",
    "InlineExecutor",
    "LocalExecutor",
    "Robustness",
    "Task",
    "analyse",
    "check_options",
    "executor",
    "make_executor",
    "run_task",
    "sample_seeds",
    "write_files",
]
