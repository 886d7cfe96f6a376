"""Solving the slider's next positions while the page is read: :class:`Prefetcher`.

After each answer the budgets one and two slider steps above and below are
solved in a background thread, exactly, on a copy of the same model with its
own solver (HiGHS releases the GIL while it solves). A later request for one
of them is then answered from the plans kept (or waits for the solve in
progress instead of starting a second one). A new answer drops the queued
budgets of the previous one.

Right after loading, the slider's grid around the scenario's budget
(:data:`GRID_STEPS` steps each way, nearest first) is queued behind them:
solved while nobody asks for anything else, so a hand on the slider mostly
finds its budgets solved.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import replace
from typing import Any

from camsite.optimize import CoverageModel, Solution, SolverOptions

logger = logging.getLogger(__name__)

__all__ = ["GRID_STEPS", "Prefetcher"]

#: Slider steps solved ahead, in the order solved, for a slider last moved up (mirrored when moved down).
AHEAD = (1, 2, -1)
#: Time limit of one background solve (s): a guess must not hold a core long; one not proven is dropped.
BACKGROUND_LIMIT_S = 15.0
#: Slider steps each way of the grid solved after loading (when no neighbour of an answer waits).
GRID_STEPS = 6


class Prefetcher:
    """A background thread solving queued (model, budget) jobs; see the module docstring.

    Parameters
    ----------
    solver
        The solver settings of every solve.
    step
        The slider's step (SEK).
    """

    def __init__(self, solver: SolverOptions, step: float) -> None:
        limit = BACKGROUND_LIMIT_S if solver.time_limit_s is None else min(solver.time_limit_s, BACKGROUND_LIMIT_S)
        self.solver = replace(solver, time_limit_s=limit)
        self.step = step
        self._jobs: deque[tuple[Any, float]] = deque()
        self._grid: deque[tuple[Any, float]] = deque()
        self._busy: dict[tuple[int, float], threading.Event] = {}
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="camsite-prefetch", daemon=True)
        self._thread.start()

    def after(self, entry: Any, budget: float, *, low: float, high: float, down: bool = False) -> None:
        """Queue the slider positions around ``budget`` on ``entry``'s model (dropping older jobs); ``down``:
        the slider was last moved down, so the budgets below come first."""
        with self._cond:
            self._jobs.clear()
            for k in AHEAD:
                b = budget + (-k if down else k) * self.step
                if low <= b <= high:
                    self._jobs.append((entry, b))
            self._cond.notify()

    def grid(self, entry: Any, budget: float, *, low: float, high: float, steps: int = GRID_STEPS) -> None:
        """Queue the slider positions within ``steps`` steps of ``budget`` on ``entry``'s model, nearest first
        (one above, one below, ...), solved when no neighbour of an answer is queued."""
        with self._cond:
            self._grid.clear()
            for k in range(1, steps + 1):
                self._grid.extend((entry, b) for b in (budget + k * self.step, budget - k * self.step)
                                  if low <= b <= high)
            self._cond.notify()

    def running(self, entry: Any, budget: float) -> bool:
        """Whether ``budget`` on ``entry`` is being solved in the background now."""
        with self._cond:
            return (id(entry), budget) in self._busy

    def wait(self, entry: Any, budget: float, timeout: float | None) -> None:
        """Wait for the background solve of ``budget`` on ``entry``, if one is running."""
        with self._cond:
            event = self._busy.get((id(entry), budget))
        if event is not None:
            event.wait(timeout)

    def close(self, *, wait_s: float | None = None) -> None:
        """Stop the thread after the solve in progress; wait up to ``wait_s`` seconds for it (None: no wait)."""
        with self._cond:
            self._stop = True
            self._jobs.clear()
            self._grid.clear()
            self._cond.notify()
        if wait_s is not None:
            self._thread.join(wait_s)

    def _next(self) -> tuple[Any, float, threading.Event] | None:
        with self._cond:
            while not self._jobs and not self._grid and not self._stop:
                self._cond.wait()
            if self._stop:
                return None
            entry, budget = (self._jobs or self._grid).popleft()
            event = threading.Event()
            self._busy[(id(entry), budget)] = event
            return entry, budget, event

    def _loop(self) -> None:
        while (job := self._next()) is not None:
            entry, budget, event = job
            try:
                if entry.known(budget) is None:
                    model: CoverageModel = entry.background_model()
                    sol: Solution = model.solve(budget, solver=self.solver, start=entry.last_selected)
                    if sol.status == "optimal":
                        entry.store(budget, sol)
            except Exception:  # a failed guess must never stop the server: the request then solves itself
                logger.exception("prefetching budget %.0f failed", budget)
            finally:
                with self._cond:
                    self._busy.pop((id(entry), budget), None)
                event.set()
