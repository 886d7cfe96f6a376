"""Run folders: written atomically, replaced only when provably camsite's own, never half-swapped.

A run is written into a temporary folder beside the target
(``.NAME.tmp-PID-XXXX``) and swapped into place when every file is complete.
The swap is two renames (the old run aside into ``.NAME.old-XXXX``, the new
one into place); a process killed between them leaves the old run in the
``.old`` folder, and the next run into the same target puts it back before
doing anything else (:func:`recover`). Temporary folders of runs that died are
removed at the next start; those of runs still going are left alone. Both
kinds of folder carry camsite's own marker (:data:`OWNER`, naming the target)
from the moment they are made: a folder without it, or made for another
target, is never touched, whatever its name (names are compared literally,
never as glob patterns).

One run at a time owns a target: :func:`claim` holds a lock beside it
(``.NAME.camsite-lock``) from the first check to the swap, so two runs on one
``--out`` cannot both replace it; the second stops with an error at once.

A folder is replaced only when it holds a marker (:data:`MARKER`, with a run id
and the list of files the run wrote) and nothing else than those files: a
user's notes in a run folder, or a project folder that happens to hold a
``summary.json``, make camsite refuse with an error instead of deleting them.

A target that is a symbolic link (a shared drive) is written through: the
link stays and the folder it points to receives the run. Folders and files get
the user's umask (not the 0700 of a private temporary folder), so colleagues
on a shared drive can read a run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

try:  # POSIX; elsewhere runs on one target are not locked against each other
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from camsite._version import __version__
from camsite.errors import InputError
from camsite.tables import current_umask

logger = logging.getLogger(__name__)

__all__ = ["BATCH_MARKER", "MARKER", "OWNER", "atomic_run_folder", "check_run_folder", "claim", "claim_batch_folder",
           "recover"]

#: The marker file of a run folder: ``{"camsite": version, "run_id": ..., "files": [...]}``.
MARKER = ".camsite-run.json"
#: The marker of camsite's temporary and set-aside folders: ``{"camsite": version, "kind": "tmp" | "old",
#: "target": NAME, "pid": ...}``; only folders holding it are ever removed.
OWNER = ".camsite-owner.json"
#: Written last by a run before the marker (older runs have no marker: their summary.json lists the files).
SUMMARY = "summary.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tmp_pid(folder: Path) -> int | None:
    parts = folder.name.rsplit(".tmp-", 1)[-1].split("-")
    return int(parts[0]) if parts and parts[0].isdigit() else None


def _mark(folder: Path, *, kind: str, target: str) -> None:
    """Write :data:`OWNER` into a folder camsite has just made."""
    data = {"camsite": __version__, "kind": kind, "target": target, "pid": os.getpid()}
    (folder / OWNER).write_text(json.dumps(data) + "\n", encoding="utf-8")


def _owned(folder: Path, *, kind: str, target: str) -> bool:
    """Whether ``folder`` is a ``kind`` folder camsite made for ``target`` (its :data:`OWNER` says so)."""
    try:
        data = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == kind and data.get("target") == target


def _listed_files(folder: Path) -> set[str] | None:
    """The files a camsite run wrote into ``folder`` (from its marker or, for older runs, summary.json)."""
    for name, key in ((MARKER, "files"), (SUMMARY, "outputs")):
        path = folder / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                return None
            files = data.get(key) if isinstance(data, dict) else None
            if isinstance(files, list) and all(isinstance(f, str) for f in files):
                return {*files, name, OWNER}  # OWNER: a run killed just after its swap
            return None
    return None


def _siblings(parent: Path, prefix: str) -> list[Path]:
    """The folders in ``parent`` whose name starts with ``prefix``, compared literally (no glob)."""
    try:
        return sorted(p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir()
                      and not p.is_symlink())
    except OSError:
        return []


def recover(target: str | Path) -> None:
    """Undo what an interrupted run left beside ``target``: restore a run moved aside, remove dead temp folders.

    Only folders carrying camsite's :data:`OWNER` marker for this very target
    are touched; a user's ``.NAME.old-2023`` is left alone. A symbolic link is
    followed: the leftovers are beside the folder it points to.
    """
    target = _real(Path(target))
    parent, name = target.parent, target.name
    if not parent.is_dir():
        return
    for old in _siblings(parent, f".{name}.old-"):
        if not _owned(old, kind="old", target=name):
            continue
        previous = old / "previous"
        if not target.exists() and previous.is_dir() and _listed_files(previous) is not None:
            os.replace(previous, target)
            logger.warning("restored the earlier run in %s (a run was interrupted while replacing it)", target)
        shutil.rmtree(old, ignore_errors=True)
    for tmp in _siblings(parent, f".{name}.tmp-"):
        pid = _tmp_pid(tmp)
        if _owned(tmp, kind="tmp", target=name) and (pid is None or not _alive(pid)):
            shutil.rmtree(tmp, ignore_errors=True)
            logger.info("removed %s, left by an interrupted run", tmp.name)


def _real(target: Path) -> Path:
    """The folder a run goes into: a symbolic link is followed (the link stays)."""
    return target.resolve() if target.is_symlink() else target.absolute()


def check_run_folder(target: str | Path) -> Path:
    """Check now that ``target`` can receive a run; return the folder that will (symlinks followed).

    Raises
    ------
    InputError
        When ``target`` is a file, a folder camsite did not write (or one
        holding files camsite did not write), or its parent is not writable.
    """
    given = Path(target)
    real = _real(given)
    recover(real)
    if real.exists() and not real.is_dir():
        raise InputError("output path exists and is not a folder", file=given)
    if real.is_dir():
        present = {p.name for p in real.iterdir()}
        if present:
            listed = _listed_files(real)
            if listed is None:
                raise InputError("output folder exists, is not empty and is not a camsite run folder (no "
                                 f"{MARKER}); choose another --out", file=given)
            foreign = sorted(present - listed)
            if foreign:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                raise InputError(f"output folder holds files camsite did not write ({shown}); move them or choose "
                                 "another --out", file=given)
    parent = real.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder ({exc.strerror})", file=parent) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("output folder is not writable", file=parent)
    return real


def _finish(tmp: Path) -> list[str]:
    """Write the marker (last) and give the folder the user's umask; return the files written."""
    files = sorted(p.name for p in tmp.iterdir() if p.name != OWNER)
    marker = {"camsite": __version__, "run_id": uuid.uuid4().hex, "files": files}
    (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o777 & ~current_umask())
    return [*files, MARKER]


# -- one run at a time per target ----------------------------------------------------------------------------------

_HELD: dict[Path, int] = {}
_HELD_LOCK = threading.Lock()


def _lock_path(real: Path) -> Path:
    return real.parent / f".{real.name}.camsite-lock"


def _take(path: Path, given: Path) -> int:
    """Open and lock ``path`` (exclusive, not waiting); retry when another run removed it meanwhile."""
    assert fcntl is not None
    for _ in range(10):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~current_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError("another camsite run is writing this output folder now; wait for it to finish or "
                             "choose another --out", file=given) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)
    raise InputError("cannot lock the output folder (it keeps changing); try again", file=given)


@contextlib.contextmanager
def claim(target: str | Path) -> Iterator[Path]:
    """Hold ``target`` for this run: a second run on it (another process) stops with an error at once.

    Re-entrant within one process (the command claims the folder at its
    start, the writer again at the swap). Yields the real folder.

    Raises
    ------
    InputError
        When another camsite process holds the folder, or its parent cannot be created.
    """
    given = Path(target)
    real = _real(given)
    with _HELD_LOCK:
        nested = real in _HELD
    if nested or fcntl is None:
        yield real
        return
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        path = _lock_path(real)
        fd = _take(path, given)
    except OSError as exc:
        raise InputError(f"cannot create output folder ({exc.strerror})", file=real.parent) from None
    with _HELD_LOCK:
        _HELD[real] = fd
    try:
        yield real
    finally:
        with _HELD_LOCK:
            _HELD.pop(real, None)
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


@contextlib.contextmanager
def atomic_run_folder(target: str | Path, *, cancelled: Callable[[], bool] | None = None) -> Iterator[Path]:
    """Yield a temporary folder; when the block ends without error, it replaces ``target``.

    On any exception (KeyboardInterrupt included) the temporary folder is
    removed and ``target`` is left as it was. ``cancelled`` is asked once more
    just before the swap; when it answers True (e.g. a Ctrl-C that a library
    swallowed), the swap is abandoned with KeyboardInterrupt. The target is
    :func:`claim`-ed throughout.
    """
    with claim(target):
        real = check_run_folder(target)
        parent = real.parent
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.tmp-{os.getpid()}-", dir=parent))
            _mark(tmp, kind="tmp", target=real.name)
        except OSError as exc:
            raise InputError(f"cannot write in output folder ({exc.strerror})", file=parent) from None
        try:
            yield tmp
            _finish(tmp)
            if cancelled is not None and cancelled():
                raise KeyboardInterrupt
            check_run_folder(target)  # the target may have changed while the run was computing
            _swap(tmp, real)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _swap(tmp: Path, real: Path) -> None:
    """Move the earlier run aside (into a marked ``.old`` folder), ``tmp`` into place, then drop the earlier run."""
    old = None
    if real.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=real.parent))
        try:
            _mark(old, kind="old", target=real.name)
        except OSError:
            shutil.rmtree(old, ignore_errors=True)
            raise
        os.replace(real, old / "previous")
    os.replace(tmp, real)
    with contextlib.suppress(OSError):
        (real / OWNER).unlink()
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- batch folders -------------------------------------------------------------------------------------------------

#: The marker of a batch folder: ``{"camsite": version, "files": [...]}`` (compare.csv, compare.html, run folders).
BATCH_MARKER = ".camsite-batch.json"


def _batch_listed(root: Path) -> set[str] | None:
    try:
        data = json.loads((root / BATCH_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if isinstance(files, list) and all(isinstance(f, str) for f in files):
        return {*files, BATCH_MARKER}
    return None


def claim_batch_folder(root: str | Path, names: list[str]) -> Path:
    """Check that ``root`` may receive a batch writing ``names``, then mark it as camsite's batch folder.

    The same rule as a run folder: a new or empty folder, or one an earlier
    batch wrote that holds nothing else (its :data:`BATCH_MARKER` lists what
    it wrote). The marker is written before any run starts, so an interrupted
    batch still leaves a folder camsite recognises.

    Raises
    ------
    InputError
        When ``root`` is a file, a folder camsite did not write, one holding
        files camsite did not write, or cannot be created.
    """
    given = Path(root)
    real = _real(given)
    if real.exists() and not real.is_dir():
        raise InputError("output path exists and is not a folder", file=given)
    listed: set[str] = set()
    if real.is_dir() and any(real.iterdir()):
        found = _batch_listed(real)
        if found is None:
            raise InputError("output folder exists, is not empty and is not a camsite batch folder (no "
                             f"{BATCH_MARKER}); choose another --out", file=given)
        foreign = sorted({p.name for p in real.iterdir()} - found)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise InputError(f"output folder holds files camsite did not write ({shown}); move them or choose "
                             "another --out", file=given)
        listed = found - {BATCH_MARKER}
    try:
        real.mkdir(parents=True, exist_ok=True)
        files = sorted(listed | set(names))
        text = json.dumps({"camsite": __version__, "files": files}, indent=1) + "\n"
        (real / BATCH_MARKER).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot create the output folder ({exc.strerror or exc})", file=given) from None
    return real
