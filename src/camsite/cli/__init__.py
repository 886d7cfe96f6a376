"""The ``camsite`` command line: a thin layer over the library.

One small module per subcommand (as in rasterio's ``rio``), each defining a
click command; the group below names them in :data:`COMMANDS` and imports a
command's module only when that command is run or listed (``--help``), so
``camsite run`` does not load the workbench's web server, the OSM downloader
or the events importer. Options and helpers
more than one command uses live in :mod:`camsite.cli.options`; commands never
import each other. All logic lives in the library; these modules parse
options, set up logging and progress, call the library and turn
:class:`camsite.errors.CamsiteError` into one ``error:`` line and an exit code.

The ``camsite`` command is :func:`entry`: it keeps numpy's and scipy's BLAS to
one thread before they load (``OPENBLAS_NUM_THREADS=1`` unless the environment
sets it), which :mod:`camsite.procs` explains; importing this package loads
neither (``camsite`` imports its public names on first use).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import sys
import threading
from typing import NoReturn

import click

from camsite._version import __version__
from camsite.cli._common import Group, configure_logging

__all__ = ["COMMANDS", "entry", "main"]

#: Each subcommand's name -> its module in camsite.cli and the click command in it.
COMMANDS: dict[str, tuple[str, str]] = {
    "batch": ("batch", "batch_cmd"),
    "compare": ("compare", "compare_cmd"),
    "fetch-osm": ("fetch_osm", "fetch_osm_cmd"),
    "import-events": ("import_events", "import_events"),
    "merge": ("merge", "merge_cmd"),
    "robustness": ("robustness", "robustness_cmd"),
    "run": ("run", "run_cmd"),
    "serve": ("serve", "serve_cmd"),
    "validate": ("validate", "validate_cmd"),
}


class _Commands(Group):
    """The group of :data:`COMMANDS`, each module imported when its command is wanted."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"camsite.cli.{module}"), name)
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="camsite")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and warnings.")
def main(verbose: int, quiet: bool) -> None:
    """camsite: suggest sites for new surveillance cameras within a budget in SEK.

    Start with `camsite run scenarios/fridhemsplan.toml`. Every command works
    offline on local files; only `camsite fetch-osm` downloads, and only when
    asked to.
    """
    level = logging.WARNING if quiet or verbose == 0 else (logging.INFO if verbose == 1 else logging.DEBUG)
    configure_logging(level)


def entry() -> None:
    """The ``camsite`` command (its console script, and ``python -m camsite``): :func:`main`, its BLAS on one
    thread from the start (module docs) unless ``OPENBLAS_NUM_THREADS`` says otherwise, and a quick exit.

    When the command has succeeded (its files written and closed, its last line printed), the process ends
    without tearing the interpreter down object by object: the threads are joined and the exit handlers run
    (process pools, logging, multiprocessing) as the interpreter runs them, the output is flushed, then
    ``os._exit(0)``. Freeing a run's instance (hundreds of thousands of geometries and arrays) took 0.3 s of
    the default run's 6 s after its last line. A command that fails (exit code 2 or 3) exits as Python does.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: the command owns its process
    try:
        main(prog_name="camsite")
    except SystemExit as done:
        if done.code not in (None, 0):
            raise  # an error: the interpreter's own exit, which a failed run's half-ended pools have always had
    _quick_exit()


def _quick_exit() -> NoReturn:
    """End a command that succeeded: the interpreter's first exit steps, the output flushed, ``os._exit(0)``."""
    # what the interpreter does first at exit: join the non-daemon threads and let every process pool's manager
    # end its workers (concurrent.futures registers that there, not with atexit); without it a pool left by an
    # error path could leave multiprocessing's exit handler waiting on a worker that never got its stop signal
    shutdown = getattr(threading, "_shutdown", None)
    if callable(shutdown):
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe must not turn a finished command into an error
            stream.flush()
    os._exit(0)
