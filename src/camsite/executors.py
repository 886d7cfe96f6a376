"""Run independent tasks in this process, on a local pool of worker processes, or on a Dask cluster.

Every executor has one method, ``map(fn, shared, items, progress=...)``: it
calls ``fn(shared, item)`` for each item and returns the results in the order
of ``items``. ``shared`` (the coverage rows, costs, weights, ...) reaches each
worker once: a local worker gets it when it starts, a Dask cluster gets it
scattered to every worker. Results do not depend on the executor or on the
number of workers, since each task depends only on ``shared`` and its item.

A local worker that dies (killed, out of memory) breaks the pool; the tasks not
yet finished are resubmitted to a new pool. On Dask the scheduler reruns the
tasks of a lost worker. dask is optional (``pip install camsite[dask]``) and
imported only when a scheduler is given.
"""

from __future__ import annotations

import concurrent.futures
import copyreg
import io
import logging
import multiprocessing
import os
import pickle
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from camsite.errors import ConfigError, SolverError

logger = logging.getLogger(__name__)

__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "LocalExecutor", "dumps", "executor", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")

#: Called with the number of tasks finished so far.
Progress = Callable[[int], None]

#: How often a broken local pool is replaced before :meth:`LocalExecutor.map` gives up.
MAX_POOL_RESTARTS = 3


def _mappingproxy(data: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(data)


def dumps(obj: object) -> bytes:
    """Pickle ``obj``; read-only mappings (the scenario's) are pickled as such, without touching global state."""
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    p.dispatch_table = table
    p.dump(obj)
    return buf.getvalue()


class Executor(Protocol):
    """Runs ``fn(shared, item)`` for every item; results in item order."""

    workers: int

    def map(self, fn: Callable[[Any, T], R], shared: object, items: Sequence[T], *,
            progress: Progress | None = None) -> list[R]: ...

    @property
    def label(self) -> str: ...


@dataclass
class InlineExecutor:
    """Everything in this process, one task after the other (tests, tiny analyses)."""

    workers: int = 1

    @property
    def label(self) -> str:
        return "inline"

    def map(self, fn: Callable[[Any, T], R], shared: object, items: Sequence[T], *,
            progress: Progress | None = None) -> list[R]:
        out = []
        for i, item in enumerate(items):
            out.append(fn(shared, item))
            if progress:
                progress(i + 1)
        return out


# -- local pool ----------------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(fn: Callable[..., Any], blob: bytes) -> None:
    logging.getLogger("camsite").setLevel(logging.ERROR)  # the parent reports; workers stay quiet
    _WORKER["fn"], _WORKER["shared"] = fn, pickle.loads(blob)


def _call(item: Any) -> Any:
    return _WORKER["fn"](_WORKER["shared"], item)


def _context() -> multiprocessing.context.BaseContext:
    """Fork on Linux (workers start at once, sharing the loaded libraries); spawn elsewhere (macOS, Windows)."""
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if fork else "spawn")


@dataclass
class LocalExecutor:
    """A pool of ``workers`` processes on this machine (default: one per core)."""

    workers: int = 0

    def __post_init__(self) -> None:
        if self.workers <= 0:
            self.workers = os.cpu_count() or 1

    @property
    def label(self) -> str:
        return "local"

    def map(self, fn: Callable[[Any, T], R], shared: object, items: Sequence[T], *,
            progress: Progress | None = None) -> list[R]:
        blob = dumps(shared)
        pending = dict(enumerate(items))
        results: dict[int, R] = {}
        restarts = 0
        while pending:
            try:
                self._round(fn, blob, pending, results, progress)
            except BrokenProcessPool:
                restarts += 1
                if restarts > MAX_POOL_RESTARTS:
                    raise SolverError(f"worker processes died {restarts} times; {len(pending)} tasks not done "
                                      "(out of memory? try fewer --workers)") from None
                logger.warning("a worker process died: %d unfinished tasks are run again", len(pending))
        return [results[i] for i in range(len(items))]

    def _round(self, fn: Callable[[Any, T], R], blob: bytes, pending: dict[int, T], results: dict[int, R],
               progress: Progress | None) -> None:
        """Run ``pending`` on one pool, moving finished tasks to ``results`` (also when the pool breaks)."""
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(pending)), mp_context=_context(),
                                   initializer=_init_worker, initargs=(fn, blob))
        futures: dict[Future[R], int] = {pool.submit(_call, item): i for i, item in pending.items()}
        try:
            left = set(futures)
            while left:
                done, left = wait(left, return_when=FIRST_COMPLETED)
                for f in sorted(done, key=futures.__getitem__):
                    self._collect(f, futures[f], pending, results, progress)
        except BrokenProcessPool:
            for f, i in futures.items():  # keep what finished before the pool broke
                if f.done() and not f.cancelled() and f.exception() is None and i in pending:
                    self._collect(f, i, pending, results, progress)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _collect(f: Future[R], i: int, pending: dict[int, T], results: dict[int, R],
                 progress: Progress | None) -> None:
        results[i] = f.result()
        pending.pop(i, None)
        if progress:
            progress(len(results))


# -- dask -------------------------------------------------------------------------------------------------------------

_DASK_CACHE: dict[str, Any] = {}


def _dask_call(fn: Callable[[Any, T], R], blob: bytes, token: str, item: T) -> R:
    """One task on a Dask worker: the shared data are unpickled once per worker process."""
    shared = _DASK_CACHE.get(token)
    if shared is None:
        _DASK_CACHE.clear()  # one map at a time per worker
        logging.getLogger("camsite").setLevel(logging.ERROR)
        shared = _DASK_CACHE[token] = pickle.loads(blob)
    return fn(shared, item)


def _import_distributed() -> Any:
    try:
        import distributed  # noqa: PLC0415  optional (the 'dask' extra): imported only when a scheduler is given
    except ImportError:
        raise ConfigError("needs dask.distributed: pip install 'camsite[dask]'",
                          where="--scheduler") from None
    return distributed


#: Rounds of resubmitting Dask tasks cancelled because a worker died with their scattered input.
RESUBMITS = 3


@dataclass
class DaskExecutor:
    """Tasks on a Dask cluster: ``address`` (``tcp://HOST:PORT``) or an existing ``client``."""

    address: str | None = None
    client: Any = None
    timeout_s: float = 5.0
    workers: int = 0

    def __post_init__(self) -> None:
        distributed = _import_distributed()
        if self.client is None:
            try:
                self.client = distributed.Client(self.address, timeout=self.timeout_s, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {self.address} ({exc}); start one with "
                                  "`dask scheduler` and `dask worker ADDRESS`", where="--scheduler") from None
            self._own = True
        else:
            self._own = False
        self.workers = len(self.client.scheduler_info().get("workers", {}))

    @property
    def label(self) -> str:
        return "dask"

    def close(self) -> None:
        """Disconnect from the scheduler (when this executor connected)."""
        if self._own and self.client is not None:
            self.client.close()

    def map(self, fn: Callable[[Any, T], R], shared: object, items: Sequence[T], *,
            progress: Progress | None = None) -> list[R]:
        """Run ``fn(shared, item)`` for every item; a task whose worker died is run again by the scheduler, and
        a task cancelled because its scattered input was lost with a worker is resubmitted (up to
        :data:`RESUBMITS` rounds)."""
        distributed = _import_distributed()
        payload = dumps(shared)
        results: dict[int, R] = {}
        todo = list(range(len(items)))
        for _round in range(RESUBMITS + 1):
            todo = self._round(distributed, fn, payload, items, todo, results, progress)
            if not todo:
                return [results[i] for i in range(len(items))]
            logger.warning("%d Dask task(s) lost their input with a worker: submitting them again", len(todo))
        raise SolverError(f"Dask lost {len(todo)} task(s) {RESUBMITS + 1} times (workers keep dying)")

    def _round(self, distributed: Any, fn: Callable[[Any, T], R], payload: bytes, items: Sequence[T],
               todo: list[int], results: dict[int, R], progress: Progress | None) -> list[int]:
        """Submit the tasks ``todo``; collect results, return the indices of tasks that were cancelled."""
        token = uuid.uuid4().hex
        blob = self.client.scatter(payload, broadcast=True, hash=False)
        futures = [self.client.submit(_dask_call, fn, blob, token, items[i], key=f"camsite-{token}-{i}", pure=False)
                   for i in todo]
        index = {f.key: i for f, i in zip(futures, todo)}
        lost: list[int] = []
        try:
            for f in distributed.as_completed(futures, loop=self.client.loop):  # not necessarily the default client
                try:
                    results[index[f.key]] = f.result()
                except concurrent.futures.CancelledError:  # its scattered input died with a worker
                    lost.append(index[f.key])
                    continue
                if progress:
                    progress(len(results))
        except distributed.KilledWorker as exc:
            raise SolverError(f"Dask workers died repeatedly while running a task ({exc})") from None
        finally:
            self.client.cancel(futures)
            del blob
        return sorted(lost)


def make_executor(*, workers: int | None = None, scheduler: str | None = None,
                  inline: bool = False) -> InlineExecutor | LocalExecutor | DaskExecutor:
    """The executor the options ask for: Dask with ``scheduler``, else a local pool of ``workers`` (0: all cores)."""
    if scheduler:
        return DaskExecutor(address=scheduler)
    if inline:
        return InlineExecutor()
    return LocalExecutor(workers=workers or 0)


@contextmanager
def executor(*, workers: int | None = None, scheduler: str | None = None,
             inline: bool = False) -> Iterator[InlineExecutor | LocalExecutor | DaskExecutor]:
    """:func:`make_executor` as a context manager (a Dask connection is closed at the end)."""
    ex = make_executor(workers=workers, scheduler=scheduler, inline=inline)
    try:
        yield ex
    finally:
        if isinstance(ex, DaskExecutor):
            ex.close()
