"""The ``[output]`` section: where and in which language results are written."""

from __future__ import annotations

from dataclasses import dataclass

from camsite.config._common import check

__all__ = ["OutputConfig"]


@dataclass(frozen=True)
class OutputConfig:
    """Where and how results are written (``dir`` is relative to the working directory)."""

    dir: str | None = None
    lang: str = "sv"
    include_incidents: bool = False

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.lang in ("sv", "en"), "must be \"sv\" or \"en\"", file=file, key=f"{key}.lang")
