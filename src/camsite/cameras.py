"""Camera models as plain arrays: what each camera type sees and costs.

Geometry steps (candidates, coverage) take a :class:`CameraModels`, not a
whole scenario, so they can be used and tested with nothing but numbers.

>>> cams = CameraModels.of(("fixed", "dome"), range_m=(30, 60), fov_deg=(60, 360), cost_sek=(108_000, 150_000))
>>> cams.lookup(["dome", "fixed", "dome"], "range_m").tolist()
[60.0, 30.0, 60.0]
>>> cams.cost("fixed")
108000.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from camsite.config import CameraType
from camsite.errors import ConfigError

__all__ = ["CameraModels"]


@dataclass(frozen=True, eq=False)
class CameraModels:
    """Camera types as aligned arrays.

    Attributes
    ----------
    names
        Type names (as in the scenario's ``[[camera_types]]``).
    range_m, fov_deg
        How far (metres) and how wide (degrees, 360 = all round) each type sees.
    cost_sek
        Cost of one camera as the budget counts it (default: over the planning horizon, capex + years × opex).
    height_m
        Mounting height (NaN when not given).
    offered
        The types offered at candidate sites (default: all).
    """

    names: tuple[str, ...]
    range_m: NDArray[np.float64]
    fov_deg: NDArray[np.float64]
    cost_sek: NDArray[np.float64]
    height_m: NDArray[np.float64]
    offered: tuple[str, ...]

    @classmethod
    def of(cls, names: Sequence[str], *, range_m: Iterable[float], fov_deg: Iterable[float],
           cost_sek: Iterable[float], height_m: Iterable[float] | None = None,
           offered: Sequence[str] | None = None) -> CameraModels:
        """Build from plain sequences (one value per type)."""
        n = len(names)
        arr = [np.asarray(list(v), dtype=np.float64) for v in (range_m, fov_deg, cost_sek)]
        height = np.full(n, np.nan) if height_m is None else np.asarray(list(height_m), dtype=np.float64)
        if any(len(a) != n for a in (*arr, height)):
            raise ValueError("every camera array needs one value per type name")
        return cls(tuple(names), arr[0], arr[1], arr[2], height, tuple(offered) if offered else tuple(names))

    @classmethod
    def from_types(cls, types: Sequence[CameraType], *, horizon_years: float,
                   offered: Sequence[str] | None = None, budget_applies_to: str = "total") -> CameraModels:
        """From a scenario's camera types; ``cost_sek`` as the budget counts it (``budget_applies_to``,
        see :func:`camsite.costs.budget_cost`) over ``horizon_years``."""
        return cls.of([t.name for t in types], range_m=[t.range_m for t in types], fov_deg=[t.fov_deg for t in types],
                      cost_sek=[t.cost_sek(horizon_years, budget_applies_to) for t in types],
                      height_m=[np.nan if t.height_m is None else t.height_m for t in types], offered=offered)

    def index(self, names: Iterable[str]) -> NDArray[np.int64]:
        """Position of each name in :attr:`names`; an unknown name raises :class:`ConfigError`."""
        pos = {n: i for i, n in enumerate(self.names)}
        out = []
        for n in names:
            if n not in pos:
                raise ConfigError(f"unknown camera type {n!r} (known: {', '.join(self.names)})",
                                  where="camera_types")
            out.append(pos[n])
        return np.asarray(out, dtype=np.int64)

    def lookup(self, names: Iterable[str], attribute: str) -> NDArray[np.float64]:
        """``range_m``, ``fov_deg``, ``cost_sek`` or ``height_m`` for each of ``names``."""
        values: NDArray[np.float64] = getattr(self, attribute)
        return values[self.index(names)]

    def cost(self, name: str) -> float:
        """Cost of one camera of type ``name`` over the horizon."""
        return float(self.cost_sek[self.index([name])[0]])
