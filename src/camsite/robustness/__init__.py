"""How sure is the plan? Robustness samples and sensitivity cases of a finished run.

::

    analyse(run_result, samples=N, seed=S, executor=...)   -> camsite.result.Robustness

The tasks run on an executor from :mod:`camsite.executors`; the files
(robustness.csv, samples.csv, ...) are written by :func:`camsite.report.write_run`.
See docs/robustness.md.
"""

from __future__ import annotations

from camsite.robustness.analyse import MAX_SAMPLES, Task, analyse, check_options, run_task, sample_seeds

__all__ = ["MAX_SAMPLES", "Task", "analyse", "check_options", "run_task", "sample_seeds"]
