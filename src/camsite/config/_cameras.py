"""The camera sections: ``[[camera_types]]`` and ``[quality]`` (how a camera's view is valued)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from camsite.config._common import MAX_YEARS, MIN_LIFETIME_YEARS, check
from camsite.costs import budget_cost

__all__ = ["PTZ_MODES", "CameraType", "LevelValues", "QualityConfig"]


@dataclass(frozen=True)
class CameraType:
    """A camera model: what it sees and what it costs."""

    name: str
    range_m: float
    capex_sek: float
    label: str = ""
    fov_deg: float = 360.0
    opex_sek_per_year: float = 0.0
    height_m: float | None = None
    source: str = ""
    #: Years a camera lasts before it must be replaced (None: longer than any horizon).
    lifetime_years: float | None = None
    # -- graded coverage ([quality] coverage = "graded"; :mod:`camsite.quality`) --
    #: Horizontal pixels of the image (1920 for 1080p); needed by graded coverage.
    resolution_px: float | None = None
    #: All-round (PTZ) types: the angle of view of one preset (default its sector, 360 / ``presets``);
    #: a fixed type's image is its ``fov_deg``.
    lens_deg: float | None = None
    #: An all-round (PTZ) type shows one of ``presets`` equal sectors at a time.
    presets: int = 4
    #: Share of the time a patrolling PTZ dome shows each preset (default 1 / ``presets``).
    patrol_share: float | None = None
    #: How far (metres) the camera sees at night (its infrared or low-light reach; None: as by day, ``range_m``).
    night_range_m: float | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.range_m > 0, "must be > 0", file=file, key=f"{key}.range_m")
        if self.resolution_px is not None:
            check(self.resolution_px > 0, "must be > 0 (horizontal pixels, e.g. 1920)", file=file,
                   key=f"{key}.resolution_px")
        check(1 <= self.presets <= 36, "must be in [1, 36]", file=file, key=f"{key}.presets")
        if self.lens_deg is not None:
            check(0 < self.lens_deg < 180, "must be in (0, 180) degrees", file=file, key=f"{key}.lens_deg")
            check(self.fov_deg >= 360, "only for all-round (PTZ) types: a fixed camera's image is its fov_deg",
                   file=file, key=f"{key}.lens_deg")
            sector = 360.0 / self.presets
            check(self.lens_deg >= sector - 1e-9, f"must be at least 360 / presets = {sector:g} degrees: each "
                   "preset's image must fill its sector, or the presets leave parts of the circle unseen (raise "
                   "presets or lens_deg)", file=file, key=f"{key}.lens_deg")
        if self.patrol_share is not None:
            check(0 < self.patrol_share <= 1, "must be in (0, 1]", file=file, key=f"{key}.patrol_share")
            total = self.presets * self.patrol_share
            check(total <= 1 + 1e-9, f"{self.patrol_share:g} x {self.presets} presets = {100 * total:.0f} % of the time: "
                   f"a dome shows one preset at a time, so the shares add up to at most 100 % (at most "
                   f"{1 / self.presets:.4g} here)",
                   file=file, key=f"{key}.patrol_share")
        if self.lifetime_years is not None:
            check(MIN_LIFETIME_YEARS <= self.lifetime_years <= MAX_YEARS,
                   f"must be in [{MIN_LIFETIME_YEARS:g}, {MAX_YEARS:g}] years", file=file, key=f"{key}.lifetime_years")
        check(0 < self.fov_deg <= 360, "must be in (0, 360]", file=file, key=f"{key}.fov_deg")
        check(self.capex_sek >= 0, "must be >= 0", file=file, key=f"{key}.capex_sek")
        check(self.opex_sek_per_year >= 0, "must be >= 0", file=file, key=f"{key}.opex_sek_per_year")
        if self.height_m is not None:
            check(self.height_m > 0, "must be > 0", file=file, key=f"{key}.height_m")
        if self.night_range_m is not None:
            check(0 <= self.night_range_m <= self.range_m, "must be in [0, range_m] (0: sees nothing at night)",
                  file=file, key=f"{key}.night_range_m")

    def cost_sek(self, horizon_years: float, applies_to: str = "total") -> float:
        """Cost of one camera as ``budget_sek`` counts it (:func:`camsite.costs.budget_cost`).

        ``"total"``: capex (again at each replacement within the horizon) + years × opex.
        """
        return float(budget_cost([self.capex_sek], [self.opex_sek_per_year], [self.lifetime_years or math.inf],
                                 horizon_years=horizon_years, applies_to=applies_to)[0])


@dataclass(frozen=True)
class LevelValues:
    """The value of seeing a demand point at each EN 62676-4 level (0 to 1, not falling with quality)."""

    identify: float = 1.0
    recognise: float = 0.8
    observe: float = 0.5
    detect: float = 0.2

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Values from the lowest level up: detect, observe, recognise, identify."""
        return (self.detect, self.observe, self.recognise, self.identify)

    def validate(self, *, file: str | None, key: str) -> None:
        for name, v in zip(("detect", "observe", "recognise", "identify"), self.as_tuple()):
            check(0 <= v <= 1, "must be in [0, 1]", file=file, key=f"{key}.{name}")
        vals = self.as_tuple()
        for lo, hi, name in zip(vals, vals[1:], ("observe", "recognise", "identify")):
            check(hi >= lo, "must be at least the value of the level below it (a better image is worth no less)",
                   file=file, key=f"{key}.{name}")


#: What a PTZ dome does: ``patrol`` (cycles its presets, each seen a share of the time) or ``guard``
#: (held on one sector, chosen by the optimiser like a fixed camera's heading).
PTZ_MODES = ("patrol", "guard")


@dataclass(frozen=True)
class QualityConfig:
    """How a camera's view is valued: binary (seen or not) or graded by EN 62676-4 image quality."""

    coverage: str = "binary"
    ptz: str = "patrol"
    incident: LevelValues = field(default_factory=LevelValues)
    footfall: LevelValues = field(default_factory=LevelValues)
    street: LevelValues = field(default_factory=lambda: LevelValues(detect=0.0))

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.coverage in ("binary", "graded"), 'must be "binary" or "graded"', file=file,
               key=f"{key}.coverage")
        check(self.ptz in PTZ_MODES, 'must be "patrol" or "guard"', file=file, key=f"{key}.ptz")
