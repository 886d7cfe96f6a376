"""Worker processes that end with their parent, and pools that stop at once.

Shared by every process pool camsite starts (the executors of
:mod:`camsite.executors`, the budget-curve chains of :mod:`camsite.optimize`).
A worker calls :func:`worker_start` from its pool's initializer: it leaves
Ctrl-C to the parent, takes SIGTERM's default action, and ends when its parent
ends, however the parent ends (also ``kill -9``). A parent stopped by Ctrl-C,
SIGTERM or an error calls :func:`terminate` so its workers stop now rather
than after their tasks.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

__all__ = ["die_with_parent", "terminate", "worker_start"]

#: prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1

#: How often the watchdog thread looks at the parent id, in seconds.
_WATCH_S = 0.5


def _watch_parent(parent: int) -> None:
    """Exit this worker at once when ``parent`` is gone (its parent id changes)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(_WATCH_S)


def die_with_parent(parent: int) -> None:
    """Make this worker process end when ``parent`` ends, however it ends (also ``kill -9``).

    On Linux the kernel sends SIGKILL when the parent goes; everywhere a
    daemon thread watches the parent id.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # else the watchdog below still ends it
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="camsite-parent-watch", daemon=True).start()


def worker_start(parent: int) -> None:
    """What every pool worker does first: Ctrl-C is the parent's, SIGTERM ends it, it dies with ``parent``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's Ctrl-C-like handler, inherited by fork
    die_with_parent(parent)


def terminate(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes at once (SIGTERM; they ignore SIGINT)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for proc in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.terminate()
    for proc in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            proc.join(timeout=5)
