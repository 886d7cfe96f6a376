"""The ``[costs]`` section: the itemised cost table behind the camera types' costs, and VAT treatment."""

from __future__ import annotations

from dataclasses import dataclass

from camsite.config._common import check

__all__ = ["VAT_RULES", "CostsConfig"]

#: How the annex shows VAT: the table's amounts as they are (``"excluded"``, the municipal convention: the
#: municipality gets its VAT back) or with ``vat_rate`` added (``"included"``).
VAT_RULES: tuple[str, ...] = ("excluded", "included")


@dataclass(frozen=True)
class CostsConfig:
    """``[costs]``: the cost table (one row per cost line and camera type) and how VAT is shown.

    The table's investment lines of a camera type must add up to its ``capex_sek`` and its operation lines
    to its ``opex_sek_per_year`` (:mod:`camsite.cost_lines`), so the optimiser and the annex use one cost.
    """

    #: CSV file of cost lines (relative to the scenario file); None: one line per type (capex, opex).
    table: str | None = None
    #: ``"excluded"`` (default) or ``"included"``: VAT in the annex's cost lines.
    vat: str = "excluded"
    #: VAT rate added with ``vat = "included"`` (Swedish standard rate 25 %).
    vat_rate: float = 0.25

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.vat in VAT_RULES, 'must be "excluded" or "included"', file=file, key=f"{key}.vat")
        check(0 <= self.vat_rate < 1, "must be in [0, 1) (0.25 for 25 %)", file=file, key=f"{key}.vat_rate")
