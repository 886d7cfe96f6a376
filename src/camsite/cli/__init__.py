"""The ``camsite`` command line: a thin layer over the library.

One small module per subcommand (as in rasterio's ``rio``); each defines a
click command and registers it on :data:`main` below. All logic lives in the
library; these modules parse options, set up logging and progress, call the
library and turn :class:`camsite.errors.CamsiteError` into one ``error:`` line
and an exit code.
"""

from __future__ import annotations

from camsite.cli._common import main

__all__ = ["main"]

# Subcommands register themselves on import (one line each).
from camsite.cli import batch as _batch  # noqa: F401
from camsite.cli import compare as _compare  # noqa: F401
from camsite.cli import fetch_osm as _fetch_osm  # noqa: F401
from camsite.cli import import_events as _import_events  # noqa: F401
from camsite.cli import robustness as _robustness  # noqa: F401
from camsite.cli import run as _run  # noqa: F401
from camsite.cli import serve as _serve  # noqa: F401
from camsite.cli import validate as _validate  # noqa: F401
