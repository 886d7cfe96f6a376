"""Worker processes that end with their parent, and pools that stop at once.

Shared by every process pool camsite starts (the executors of
:mod:`camsite.executors`, the budget-curve chains of :mod:`camsite.optimize`)
and by :class:`Forked`, one call run on a forked child while the caller goes on
(the run's main plan while the highest reach is solved, the pictures drawn while the
other report files are written).
A worker calls :func:`worker_start` from its pool's initializer: it leaves
Ctrl-C to the parent, takes SIGTERM's default action, and ends when its parent
ends, however the parent ends (also ``kill -9``). A parent stopped by Ctrl-C,
SIGTERM or an error calls :func:`terminate` so its workers stop now rather
than after their tasks.

Every camsite process does its dense arithmetic on one BLAS thread: numpy and
scipy each load their own OpenBLAS with a thread per core, and those threads
spin for a while after every call and after every fork. camsite's dense products
are small, so the threads add no speed, but in a run whose worker processes fill
every core they took the solvers' CPU. The ``camsite`` command sets
``OPENBLAS_NUM_THREADS=1`` before numpy loads (:func:`camsite.cli.entry`);
:func:`camsite.run` (from a notebook, where numpy is loaded already) holds
:func:`one_blas_thread` for the run, and a pool worker for its life. Measured on
the default scenario (2 cores, ``camsite run``, mean of 5): 10.6 s of CPU and
6.9 s of wall time with the threads, 9.5 s and 6.5 s on one BLAS thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["Forked", "die_with_parent", "one_blas_thread", "terminate", "worker_start"]

T = TypeVar("T")

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


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """numpy's and scipy's BLAS limited to one thread until the ``with`` block ends (module docs).

    >>> from threadpoolctl import threadpool_info
    >>> with one_blas_thread():
    ...     {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    {1}
    """
    limits: contextlib.AbstractContextManager[Any] = threadpool_limits(limits=1, user_api="blas")
    return limits


def worker_start(parent: int) -> None:
    """What every pool worker does first: Ctrl-C is the parent's, SIGTERM ends it, it dies with ``parent``, its
    BLAS keeps to one thread (module docs)."""
    one_blas_thread()  # for the worker's life: the pool owns the process
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


class _Collect(logging.Handler):
    """A forked child's log records, kept to be handled again by the parent (made picklable as they come)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def _child(call: Callable[[], Any], conn: Connection, parent: int) -> None:
    """Run ``call`` in the forked child and send ``(True, value, records)``, or ``(False, None, [])`` on failure."""
    worker_start(parent)
    collect = _Collect()
    root = logging.getLogger("camsite")
    root.handlers[:] = [collect]  # the child's records go to the parent, which handles them as its own
    root.propagate = False
    try:
        message: tuple[bool, Any, list[logging.LogRecord]] = (True, call(), collect.records)
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the parent makes the call itself and raises what it raises
        data = pickle.dumps((False, None, []))
    with contextlib.suppress(OSError):  # the parent no longer listens (it was cancelled)
        conn.send_bytes(data)
        conn.close()


class Forked(Generic[T]):
    """``call()`` run on a forked child process while the caller goes on; :meth:`result` gives its value.

    The child ends with its parent and leaves Ctrl-C to it (:func:`worker_start`);
    its ``camsite`` log records are handled by the parent when the result is
    taken, as if logged there. Where the child fails in any way (an exception,
    a value that does not pickle, the child killed), :meth:`result` makes the
    call in this process instead, so it returns or raises exactly what the call
    does here. Where ``fork`` is not available, or with ``background=False``,
    nothing runs until :meth:`result`. Use it as a context manager: leaving the
    block ends a child still running (an error, Ctrl-C).
    """

    def __init__(self, call: Callable[[], T], *, background: bool = True) -> None:
        self.call = call
        self.process: Any = None
        self.conn: Connection | None = None
        if background and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice by the child
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    stream.flush()
            recv, send = ctx.Pipe(duplex=False)
            self.process = ctx.Process(target=_child, args=(call, send, os.getpid()), name="camsite-forked")
            gc.freeze()  # the collector in either process leaves the shared objects' pages alone (fewer copies)
            try:
                self.process.start()
            finally:
                gc.unfreeze()
            send.close()
            self.conn = recv

    def result(self) -> T:
        """The call's value: the child's, or made here (class docs); the child's log records handled first."""
        if self.conn is not None:
            try:
                ok, value, records = pickle.loads(self.conn.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError):
                ok, value, records = False, None, []
            with contextlib.suppress(OSError, ValueError, AttributeError):
                self.process.join(timeout=1)  # it has sent its value: it is ending
            self.cancel()
            if ok:
                for record in records:
                    logging.getLogger(record.name).handle(record)
                return value  # type: ignore[no-any-return]
        return self.call()

    def cancel(self) -> None:
        """End the child now (nothing is returned)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                if self.process.is_alive():
                    self.process.terminate()
                self.process.join(timeout=5)
            self.process = None

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.cancel()
