"""Shared pieces of the CLI: the command group, logging, error handling."""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any, Callable, TypeVar

import click

from camsite import __version__
from camsite.errors import CamsiteError

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr, force=True)
    logging.captureWarnings(True)


def handle_errors(func: F) -> F:
    """Turn camsite errors into one ``error:`` line on stderr and their exit code.

    Ctrl-C exits with 130 and a one-line message; nothing else is caught, so a
    real bug still shows its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CamsiteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("error: interrupted; no output was changed", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
