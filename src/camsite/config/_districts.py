"""The ``[[districts]]`` tables: district administration areas (stadsdelsområden) sharing the city's budget.

Each names the stadsdelar (polygons of ``[boundaries] districts``) it is made of
and may set the least and the most it spends (investment plus operation over
the horizon, as the budget counts costs). Names are checked against the
boundary file when the inputs are read (:mod:`camsite.districts`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from camsite.config._common import check

__all__ = ["District"]

_NAME = re.compile(r"[a-z0-9_-]+")


@dataclass(frozen=True)
class District:
    """One district administration area sharing the city's budget (``[[districts]]``).

    Attributes
    ----------
    name
        Its id: lowercase ASCII letters, digits, ``_`` and ``-``; unique.
    label
        The name readers see (default: ``name``).
    stadsdelar
        Names of ``[boundaries] districts`` polygons (``name_column``) it is made of.
    min_sek, max_sek
        The least and the most its chosen sites may cost (SEK over the horizon, as the budget counts them;
        default 0 and no limit).
    """

    name: str
    stadsdelar: tuple[str, ...]
    label: str = ""
    min_sek: float = 0.0
    max_sek: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        check(_NAME.fullmatch(self.name) is not None, f"{self.name!r} is not an id: use lowercase ascii letters, "
              "digits, '_' and '-' (e.g. \"kungsholmen\")", file=file, key=f"{key}.name")
        check(len(self.stadsdelar) > 0, "give at least one stadsdel (a [boundaries] districts name)", file=file,
              key=f"{key}.stadsdelar")
        for i, s in enumerate(self.stadsdelar):
            check(bool(s.strip()), "empty stadsdel name", file=file, key=f"{key}.stadsdelar[{i}]")
        check(math.isfinite(self.min_sek) and self.min_sek >= 0, "must be >= 0 (SEK)", file=file,
              key=f"{key}.min_sek")
        if self.max_sek is not None:
            check(math.isfinite(self.max_sek) and self.max_sek >= 0, "must be >= 0 (SEK)", file=file,
                  key=f"{key}.max_sek")
            check(self.min_sek <= self.max_sek, f"min_sek ({self.min_sek:,.0f}) is above max_sek "
                  f"({self.max_sek:,.0f})", file=file, key=f"{key}.max_sek")

    @property
    def display(self) -> str:
        """The label, or the name when it has none."""
        return self.label or self.name

    @property
    def upper_sek(self) -> float:
        """The most it may spend (``inf``: no limit)."""
        return math.inf if self.max_sek is None else float(self.max_sek)
