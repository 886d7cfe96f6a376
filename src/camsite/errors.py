"""Exceptions that camsite raises for problems a user can fix.

Every error that the CLI turns into a one-line ``error:`` message is a
:class:`CamsiteError`.  The message names the file and the row, column or key
where the problem is, so a planner can open the file and fix it.

>>> str(InputError("must be >= 0", file="s.toml", where="budget_sek"))
's.toml: budget_sek: must be >= 0'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXIT_INPUT", "EXIT_SOLVER", "CamsiteError", "ConfigError", "InputError", "SolverError"]

#: Exit code for bad input (a file, a key, a row).
EXIT_INPUT = 2
#: Exit code for an infeasible model or a solver failure.
EXIT_SOLVER = 3


class CamsiteError(Exception):
    """Base class of all errors camsite reports to a user."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, file: str | Path | None = None, where: str | None = None) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.where = where
        super().__init__(self.__str__())

    def in_file(self, file: str | Path | None) -> CamsiteError:
        """This error, naming ``file`` if it names none yet (a stage that knows no file name raised it)."""
        if self.file is not None or file is None:
            return self
        return type(self)(self.message, file=file, where=self.where)

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.where) if p]
        parts.append(self.message)
        return ": ".join(parts)


class InputError(CamsiteError):
    """A data file (network, incidents, cameras, areas) cannot be used as given."""


class ConfigError(CamsiteError):
    """A scenario file has an unknown key, a wrong type or an impossible value."""


class SolverError(CamsiteError):
    """The model is infeasible, or the solver failed or is not installed."""

    exit_code = EXIT_SOLVER
