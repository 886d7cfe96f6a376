"""What every command shares: the group class, logging to stderr, error handling and Ctrl-C."""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import click

from camsite.errors import CamsiteError

__all__ = ["Group", "Interrupted", "configure_logging", "handle_errors", "interrupted"]

F = TypeVar("F", bound=Callable[..., Any])


class Group(click.Group):
    """The command group; a usage error (unknown option, bad value) is one ``error:`` line, exit 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        except click.UsageError as exc:
            where = f"{exc.ctx.command_path}: " if exc.ctx else ""
            click.echo(f"error: {where}{exc.format_message()} (see --help)", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: interrupted; no output was changed", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)


class _CliHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The CLI's one stderr handler (replaced, never stacked, when the CLI is invoked again in one process)."""


def configure_logging(level: int) -> None:
    """Send camsite's log records (and Python warnings) to stderr as ``LEVEL: message``.

    Only the ``camsite`` and ``py.warnings`` loggers are touched; the root
    logger and other libraries' loggers are left as they are.
    """
    handler = _CliHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logging.captureWarnings(True)
    for name in ("camsite", "py.warnings"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _CliHandler)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)


class _Interrupts:
    """Remembers a Ctrl-C (or SIGTERM) even when the KeyboardInterrupt it raises is swallowed.

    Python reports an exception raised inside ``__del__`` or a C callback as
    "Exception ignored" and carries on; the run would then finish and replace
    the earlier output although the user pressed Ctrl-C. The CLI asks
    :meth:`seen` before it replaces anything. SIGTERM (``kill``, a service
    manager stopping camsite) is handled alike, so temporary folders and
    worker processes go with it.
    """

    def __init__(self) -> None:
        self.count = 0
        self.signum = signal.SIGINT

    def handler(self, signum: int, frame: Any) -> None:
        self.count += 1
        self.signum = signal.Signals(signum)
        raise KeyboardInterrupt

    def exit_code(self) -> int:
        """130 for Ctrl-C, 143 for SIGTERM (128 + the signal's number, as shells report it)."""
        return 128 + int(self.signum)

    def seen(self) -> bool:
        return self.count > 0


_META_KEY = "camsite.interrupts"


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C after which some output *was* written: ``what`` says what (replaces "no output was changed")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def interrupted() -> bool:
    """True when Ctrl-C was pressed during the current command (even if a library swallowed it)."""
    ctx = click.get_current_context(silent=True)
    record = ctx.meta.get(_META_KEY) if ctx is not None else None
    return bool(record is not None and record.seen())


def handle_errors(func: F) -> F:
    """Turn camsite errors into one ``error:`` line on stderr and their exit code.

    Ctrl-C exits with 130 (SIGTERM with 143) and a one-line message; nothing else is caught, so a
    real bug still shows its traceback. A command asks :func:`interrupted`
    before it replaces earlier output.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        interrupts = _Interrupts()
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, interrupts.handler) if main_thread else None
        previous_term = signal.signal(signal.SIGTERM, interrupts.handler) if main_thread else None
        try:
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                ctx.meta[_META_KEY] = interrupts
            return func(*args, **kwargs)
        except CamsiteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            what = exc.what if isinstance(exc, Interrupted) else "no output was changed"
            stopped = "stopped (SIGTERM)" if interrupts.signum == signal.SIGTERM else "interrupted"
            click.echo(f"error: {stopped}; {what}", err=True)
            sys.exit(interrupts.exit_code())
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)
                signal.signal(signal.SIGTERM, previous_term)

    return wrapper  # type: ignore[return-value]
