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
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from camsite import quality
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
    resolution_px, lens_deg
        Horizontal pixels and angle of view of one image (graded coverage,
        :mod:`camsite.quality`; NaN when not given). For an all-round
        (PTZ) type the image is one preset.
    share
        Share of the time a candidate of the type shows a point it sees (1 for a
        fixed camera or a PTZ dome held on a sector; 1 / presets for a patrolling dome).
    patrol_share
        Share of the time a patrolling PTZ dome shows each preset (1 for other types).
    night_range_m
        How far each type sees at night (infrared or low-light reach; inf: as by day).
    """

    names: tuple[str, ...]
    range_m: NDArray[np.float64]
    fov_deg: NDArray[np.float64]
    cost_sek: NDArray[np.float64]
    height_m: NDArray[np.float64]
    offered: tuple[str, ...]
    resolution_px: NDArray[np.float64] | None = None
    lens_deg: NDArray[np.float64] | None = None
    share: NDArray[np.float64] | None = None
    patrol_share: NDArray[np.float64] | None = None
    night_range_m: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        n = len(self.names)
        for name, default in (("resolution_px", np.nan), ("share", 1.0), ("patrol_share", 1.0),
                              ("night_range_m", np.inf)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(n, default))
        if self.lens_deg is None:  # a fixed type's image is its field of view
            object.__setattr__(self, "lens_deg", np.where(self.fov_deg >= 360, 90.0, self.fov_deg))

    @classmethod
    def of(cls, names: Sequence[str], *, range_m: Iterable[float], fov_deg: Iterable[float],
           cost_sek: Iterable[float], height_m: Iterable[float] | None = None,
           offered: Sequence[str] | None = None, resolution_px: Iterable[float] | None = None,
           lens_deg: Iterable[float] | None = None, share: Iterable[float] | None = None,
           patrol_share: Iterable[float] | None = None,
           night_range_m: Iterable[float] | None = None) -> CameraModels:
        """Build from plain sequences (one value per type)."""
        n = len(names)
        arr = [np.asarray(list(v), dtype=np.float64) for v in (range_m, fov_deg, cost_sek)]
        opt = [None if v is None else np.asarray(list(v), dtype=np.float64)
               for v in (height_m, resolution_px, lens_deg, share, patrol_share, night_range_m)]
        if any(len(a) != n for a in (*arr, *(o for o in opt if o is not None))):
            raise ValueError("every camera array needs one value per type name")
        height = np.full(n, np.nan) if opt[0] is None else opt[0]
        return cls(tuple(names), arr[0], arr[1], arr[2], height, tuple(offered) if offered else tuple(names),
                   resolution_px=opt[1], lens_deg=opt[2], share=opt[3], patrol_share=opt[4], night_range_m=opt[5])

    @classmethod
    def from_types(cls, types: Sequence[CameraType], *, horizon_years: float,
                   offered: Sequence[str] | None = None, budget_applies_to: str = "total",
                   ptz: str = "patrol") -> CameraModels:
        """From a scenario's camera types; ``cost_sek`` as the budget counts it (``budget_applies_to``,
        see :func:`camsite.costs.budget_cost`) over ``horizon_years``.

        An all-round type (``fov_deg = 360``) is a PTZ dome showing one of its
        ``presets`` sectors at a time: with ``ptz = "patrol"`` it watches the
        whole circle, each sector ``patrol_share`` (default 1 / presets) of the
        time; with ``"guard"`` it is held on one sector (``fov_deg`` 360 / presets,
        all the time), and candidates get one variant per heading, as fixed cameras do.
        """
        allround = [t.fov_deg >= 360 for t in types]
        sector = [360.0 / t.presets for t in types]
        guard = ptz == "guard"
        patrol = [(t.patrol_share or 1.0 / t.presets) if a else 1.0 for t, a in zip(types, allround)]
        return cls.of([t.name for t in types], range_m=[t.range_m for t in types],
                      fov_deg=[s if (a and guard) else t.fov_deg for t, a, s in zip(types, allround, sector)],
                      cost_sek=[t.cost_sek(horizon_years, budget_applies_to) for t in types],
                      height_m=[np.nan if t.height_m is None else t.height_m for t in types], offered=offered,
                      resolution_px=[np.nan if t.resolution_px is None else t.resolution_px for t in types],
                      lens_deg=[(t.lens_deg or s) if a else t.fov_deg for t, a, s in zip(types, allround, sector)],
                      share=[1.0 if guard else p for p in patrol], patrol_share=patrol,
                      night_range_m=[np.inf if t.night_range_m is None else t.night_range_m for t in types])

    @property
    def ptz(self) -> NDArray[np.bool_]:
        """Types that are PTZ domes (a share of the time per preset, or held on one sector)."""
        assert self.patrol_share is not None
        return np.asarray(self.patrol_share < 1.0, dtype=bool)

    def level_reach(self) -> NDArray[np.float64]:
        """Horizontal reach of each EN 62676-4 level per type, shape (types, 4), detect first, capped by
        ``range_m`` (:func:`camsite.quality.level_reach`)."""
        assert self.resolution_px is not None and self.lens_deg is not None  # set in __post_init__
        if np.isnan(self.resolution_px).any():
            missing = [n for n, r in zip(self.names, self.resolution_px) if np.isnan(r)]
            raise ConfigError(f"graded coverage needs resolution_px for camera types {', '.join(missing)}",
                              where="camera_types")
        return np.minimum(quality.level_reach(self.resolution_px, self.lens_deg, self.height_m), self.range_m[:, None])

    def graded(self) -> CameraModels:
        """The same types with ``range_m`` cut to the reach of the lowest level (detect)."""
        return replace(self, range_m=np.minimum(self.range_m, self.level_reach()[:, 0]))

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
        """``range_m``, ``fov_deg``, ``cost_sek``, ``height_m``, ``share``, ... for each of ``names``."""
        values: NDArray[np.float64] = getattr(self, attribute)
        return values[self.index(names)]

    def cost(self, name: str) -> float:
        """Cost of one camera of type ``name`` over the horizon."""
        return float(self.cost_sek[self.index([name])[0]])
