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

Local workers die with the parent: each one asks the kernel for SIGKILL when
its parent goes (Linux) and watches its parent id (everywhere), and a parent
stopped by Ctrl-C or SIGTERM ends its workers before it returns. The pool
never has more processes than the machine has cores.

A Dask cluster is trusted like this machine: its workers receive the shared
data (incident rows among them) and run code sent to them, and results come
back pickled. ``tls://`` addresses connect with Dask's TLS settings (the
certificate files of :class:`TlsFiles`, else Dask's own configuration), so
only holders of a certificate signed by the cluster's CA can connect; a plain
``tcp://`` cluster gets a warning.
"""

from __future__ import annotations

import asyncio
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
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from camsite import procs
from camsite.errors import ConfigError, SolverError

logger = logging.getLogger(__name__)

__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "LocalExecutor", "TlsFiles", "check_scheduler_address",
           "cores", "dumps", "executor", "make_executor"]

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

def cores() -> int:
    """The cores this process may use (its CPU affinity where the system tells, else the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _init_worker(fn: Callable[..., Any], blob: bytes, parent: int) -> None:
    procs.worker_start(parent)
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
    """A pool of ``workers`` processes on this machine (default and at most: one per core)."""

    workers: int = 0

    def __post_init__(self) -> None:
        n = cores()
        if self.workers > n:
            logger.warning("%d worker processes asked for, but this machine has %d core(s): using %d (more would "
                           "only compete for the same cores and memory)", self.workers, n, n)
        self.workers = n if self.workers <= 0 else min(self.workers, n)

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
                                   initializer=_init_worker, initargs=(fn, blob, os.getpid()))
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
        except BaseException:  # Ctrl-C, SIGTERM, an error: the workers stop now, not after their tasks
            procs.terminate(pool)
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
    with procs.one_blas_thread():  # the worker's other tasks keep their own setting
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

#: The address forms a scheduler may have.
SCHEMES = ("tcp", "tls")


def check_scheduler_address(address: str) -> str:
    """``address`` when it is ``tcp://HOST:PORT`` or ``tls://HOST:PORT``, else a :class:`ConfigError`.

    >>> check_scheduler_address("tls://10.0.0.5:8786")
    'tls://10.0.0.5:8786'
    >>> check_scheduler_address("notaurl")
    Traceback (most recent call last):
    ...
    camsite.errors.ConfigError: --scheduler: 'notaurl' is not a Dask scheduler address: give tls://HOST:PORT \
(or tcp://HOST:PORT on a trusted network)
    """
    try:
        parts = urlsplit(address)
        ok = parts.scheme in SCHEMES and bool(parts.hostname) and parts.port is not None and not parts.path.strip("/")
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"{address[:200]!r} is not a Dask scheduler address: give tls://HOST:PORT (or "
                          "tcp://HOST:PORT on a trusted network)", where="--scheduler")
    return address


@dataclass(frozen=True)
class TlsFiles:
    """Certificate files for a ``tls://`` scheduler (None: take it from Dask's configuration).

    Attributes
    ----------
    ca_file
        The cluster's CA certificate (``--tls-ca-file``): the scheduler must present a certificate it signed.
    cert, key
        This client's certificate and private key (``--tls-cert``, ``--tls-key``), signed by the same CA.
    """

    ca_file: str | None = None
    cert: str | None = None
    key: str | None = None

    def given(self) -> bool:
        """Whether any file was named."""
        return any((self.ca_file, self.cert, self.key))


def _security(distributed: Any, address: str, tls: TlsFiles | None) -> Any:
    """Dask's ``Security`` for ``address``: TLS from ``tls`` (or Dask's config) for ``tls://``; None for ``tcp://``."""
    tls = tls or TlsFiles()
    if not address.startswith("tls://"):
        if tls.given():
            raise ConfigError("certificate files need a tls:// scheduler address", where="--tls-ca-file")
        logger.warning("--scheduler %s: plain tcp:// sends the incident rows unencrypted, and anyone who reaches "
                       "the scheduler can read them and run code on its workers; use tls:// (see README)", address)
        return None
    for option, path in (("--tls-ca-file", tls.ca_file), ("--tls-cert", tls.cert), ("--tls-key", tls.key)):
        if path is not None and not Path(path).is_file():
            raise ConfigError(f"no such file: {path}", where=option)
    kwargs = {k: v for k, v in (("tls_ca_file", tls.ca_file), ("tls_client_cert", tls.cert),
                                ("tls_client_key", tls.key)) if v}
    try:
        security = distributed.Security(require_encryption=True, **kwargs)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot use the certificate files ({exc})", where="--tls-ca-file") from None
    if not (security.tls_ca_file and security.tls_client_cert):
        raise ConfigError("a tls:// scheduler needs --tls-ca-file and --tls-cert (and --tls-key unless the key is "
                          "in the certificate file), or distributed.comm.tls.ca-file and .client.cert in Dask's "
                          "configuration", where="--scheduler")
    return security


def _probe(distributed: Any, address: str, security: Any, timeout_s: float) -> None:
    """Connect once and shake hands, within ``timeout_s`` in all: one clear error for anything but a scheduler."""
    args = security.get_connection_args("client") if security is not None else {}

    async def shake() -> None:
        comm = await asyncio.wait_for(distributed.comm.connect(address, timeout=timeout_s, **args), timeout_s)
        await comm.close()

    hint = "; start one with `dask scheduler` and `dask worker ADDRESS`"
    try:
        asyncio.run(shake())
    except TimeoutError:
        raise ConfigError(f"cannot reach the Dask scheduler at {address} (no answer within {timeout_s:g} s){hint}",
                          where="--scheduler") from None
    except Exception as exc:  # whatever answers there (MemoryError, struct.error, ...), it is no scheduler
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        if isinstance(exc, MemoryError) or type(exc).__module__ == "struct":
            reason = "what answers there does not speak Dask's protocol (another server on that port?)"
        raise ConfigError(f"cannot reach the Dask scheduler at {address} ({reason}){hint}",
                          where="--scheduler") from None


@dataclass
class DaskExecutor:
    """Tasks on a Dask cluster: ``address`` (``tls://HOST:PORT`` or ``tcp://HOST:PORT``) or an existing ``client``.

    ``tls`` names the certificate files of a ``tls://`` address (default: Dask's configuration).
    """

    address: str | None = None
    client: Any = None
    timeout_s: float = 5.0
    workers: int = 0
    tls: TlsFiles | None = None

    def __post_init__(self) -> None:
        distributed = _import_distributed()
        if self.client is None:
            address = check_scheduler_address(self.address or "")
            security = _security(distributed, address, self.tls)
            _probe(distributed, address, security, self.timeout_s)
            try:
                self.client = distributed.Client(address, timeout=self.timeout_s, set_as_default=False,
                                                 security=security)
            except Exception as exc:  # the probe passed; report it, never a traceback
                raise ConfigError(f"cannot connect to the Dask scheduler at {address} ({exc}); start one with "
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


def make_executor(*, workers: int | None = None, scheduler: str | None = None, inline: bool = False,
                  tls: TlsFiles | None = None) -> InlineExecutor | LocalExecutor | DaskExecutor:
    """The executor the options ask for: Dask with ``scheduler`` (certificates ``tls``), else a local pool of
    ``workers`` (0: all cores; at most the cores)."""
    if scheduler is not None:
        return DaskExecutor(address=scheduler, tls=tls)
    if inline:
        return InlineExecutor()
    return LocalExecutor(workers=workers or 0)


@contextmanager
def executor(*, workers: int | None = None, scheduler: str | None = None, inline: bool = False,
             tls: TlsFiles | None = None) -> Iterator[InlineExecutor | LocalExecutor | DaskExecutor]:
    """:func:`make_executor` as a context manager (a Dask connection is closed at the end)."""
    ex = make_executor(workers=workers, scheduler=scheduler, inline=inline, tls=tls)
    try:
        yield ex
    finally:
        if isinstance(ex, DaskExecutor):
            ex.close()
