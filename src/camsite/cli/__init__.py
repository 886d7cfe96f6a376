"""The ``camsite`` command line: a thin layer over the library.

One small module per subcommand (as in rasterio's ``rio``), each defining a
click command; the group below adds them one by one. Options and helpers
more than one command uses live in :mod:`camsite.cli.options`; commands never
import each other. All logic lives in the library; these modules parse
options, set up logging and progress, call the library and turn
:class:`camsite.errors.CamsiteError` into one ``error:`` line and an exit code.
"""

from __future__ import annotations

import logging

import click

from camsite._version import __version__
from camsite.cli import batch, compare, fetch_osm, import_events, robustness, run, serve, validate
from camsite.cli._common import Group, configure_logging

__all__ = ["main"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


main.add_command(batch.batch_cmd)
main.add_command(compare.compare_cmd)
main.add_command(fetch_osm.fetch_osm_cmd)
main.add_command(import_events.import_events)
main.add_command(robustness.robustness_cmd)
main.add_command(run.run_cmd)
main.add_command(serve.serve_cmd)
main.add_command(validate.validate_cmd)
