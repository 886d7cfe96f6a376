"""Run folders: written atomically, replaced only when provably camsite's own, never half-swapped.

A run is written into a temporary folder beside the target
(``.NAME.tmp-PID-XXXX``) and swapped into place when every file is complete.
The swap is two renames (the old run aside into ``.NAME.old-XXXX``, the new
one into place); a process killed between them leaves the old run in the
``.old`` folder, and the next run into the same target puts it back before
doing anything else (:func:`recover`). Temporary folders of runs that died are
removed at the next start; those of runs still going are left alone.

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
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from camsite._version import __version__
from camsite.errors import InputError
from camsite.tables import current_umask

logger = logging.getLogger(__name__)

__all__ = ["MARKER", "atomic_run_folder", "check_run_folder", "recover"]

#: The marker file of a run folder: ``{"camsite": version, "run_id": ..., "files": [...]}``.
MARKER = ".camsite-run.json"
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
                return {*files, name}
            return None
    return None


def recover(target: str | Path) -> None:
    """Undo what an interrupted run left beside ``target``: restore a run moved aside, remove dead temp folders.

    A symbolic link is followed: the leftovers are beside the folder it points to.
    """
    target = _real(Path(target))
    parent, name = target.parent, target.name
    if not parent.is_dir():
        return
    for old in sorted(parent.glob(f".{name}.old-*")):
        previous = old / "previous"
        if not target.exists() and previous.is_dir() and _listed_files(previous) is not None:
            os.replace(previous, target)
            logger.warning("restored the earlier run in %s (a run was interrupted while replacing it)", target)
        shutil.rmtree(old, ignore_errors=True)
    for tmp in parent.glob(f".{name}.tmp-*"):
        pid = _tmp_pid(tmp)
        if pid is None or not _alive(pid):
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
    files = sorted(p.name for p in tmp.iterdir())
    marker = {"camsite": __version__, "run_id": uuid.uuid4().hex, "files": files}
    (tmp / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o777 & ~current_umask())
    return [*files, MARKER]


@contextlib.contextmanager
def atomic_run_folder(target: str | Path, *, cancelled: Callable[[], bool] | None = None) -> Iterator[Path]:
    """Yield a temporary folder; when the block ends without error, it replaces ``target``.

    On any exception (KeyboardInterrupt included) the temporary folder is
    removed and ``target`` is left as it was. ``cancelled`` is asked once more
    just before the swap; when it answers True (e.g. a Ctrl-C that a library
    swallowed), the swap is abandoned with KeyboardInterrupt.
    """
    real = check_run_folder(target)
    parent = real.parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.tmp-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise InputError(f"cannot write in output folder ({exc.strerror})", file=parent) from None
    try:
        yield tmp
        _finish(tmp)
        if cancelled is not None and cancelled():
            raise KeyboardInterrupt
        check_run_folder(target)  # the target may have changed while the run was computing
        old = None
        if real.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=parent))
            os.replace(real, old / "previous")
        os.replace(tmp, real)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
