"""Image quality by EN 62676-4 pixel density: which level a camera reaches at a distance.

EN 62676-4 (video surveillance systems, application guidelines) grades an
image by the pixels per metre across the scene at the target:

==========  ========  ============================================
level       px/m      what the image allows
==========  ========  ============================================
identify    250       identify a person beyond reasonable doubt
recognise   125       recognise a person already known
observe     62.5      see what a person or a group is doing
detect      25        detect that a person is there
==========  ========  ============================================

A camera with ``resolution_px`` horizontal pixels and a horizontal angle of
view ``lens_deg`` spreads its pixels over a width of ``2 d tan(lens/2)`` at a
distance ``d``, so its density there is ``resolution_px / (2 d tan(lens/2))``.
``d`` is the slant distance from the lens (``height_m`` above the street) to
a face :data:`TARGET_HEIGHT_M` above the street; a camera type without a
height is taken at face height. A level is reached up to the horizontal
distance where the density falls to the level's threshold.

Level codes are 0 (not seen), 1 detect, 2 observe, 3 recognise, 4 identify.

>>> round(float(pixel_density(1920, 60, 26.6)), 1)   # 1080p, 60° lens, 26.6 m: about observe
62.5
>>> reach = level_reach([1920], [60], [float("nan")])
>>> [round(float(d), 1) for d in reach[0]]            # detect, observe, recognise, identify
[66.5, 26.6, 13.3, 6.7]
>>> level_codes(np.array([5.0, 10.0, 20.0, 50.0, 70.0]), reach[[0, 0, 0, 0, 0]]).tolist()
[4, 3, 2, 1, 0]
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

__all__ = ["LEVELS", "PX_PER_M", "TARGET_HEIGHT_M", "level_codes", "level_reach", "pixel_density"]

#: The levels from the lowest up; a level's code is its position + 1.
LEVELS: tuple[str, ...] = ("detect", "observe", "recognise", "identify")
#: Pixels per metre each level needs (EN 62676-4:2015, table A.1 / figure A.3).
PX_PER_M: tuple[float, ...] = (25.0, 62.5, 125.0, 250.0)
#: Height (metres) of the face or body the density is measured at.
TARGET_HEIGHT_M = 1.6


def _drop(height_m: npt.ArrayLike) -> NDArray[np.float64]:
    """Height of the lens above the target (0 where the height is unknown or below it)."""
    h = np.asarray(height_m, dtype=np.float64)
    return np.where(np.isfinite(h), np.maximum(h - TARGET_HEIGHT_M, 0.0), 0.0)


def pixel_density(resolution_px: npt.ArrayLike, lens_deg: npt.ArrayLike, distance_m: npt.ArrayLike, *,
                  height_m: npt.ArrayLike = math.nan) -> NDArray[np.float64]:
    """Pixels per metre at a horizontal distance (slant distance when the mounting height is given)."""
    slant = np.hypot(np.asarray(distance_m, dtype=np.float64), _drop(height_m))
    width = 2.0 * slant * np.tan(np.radians(np.asarray(lens_deg, dtype=np.float64)) / 2.0)
    with np.errstate(divide="ignore"):
        return np.asarray(resolution_px, dtype=np.float64) / width


def level_reach(resolution_px: npt.ArrayLike, lens_deg: npt.ArrayLike,
                height_m: npt.ArrayLike) -> NDArray[np.float64]:
    """Horizontal distance (metres) to which each level is reached, shape (types, 4), lowest level first.

    0 where the lens is too high to reach the level at any distance.
    """
    res = np.asarray(resolution_px, dtype=np.float64)[:, None]
    tan = np.tan(np.radians(np.asarray(lens_deg, dtype=np.float64)) / 2.0)[:, None]
    slant = res / (2.0 * tan * np.asarray(PX_PER_M)[None, :])
    drop = _drop(height_m)[:, None]
    out: NDArray[np.float64] = np.sqrt(np.maximum(slant**2 - drop**2, 0.0))
    return out


def level_codes(distance_m: NDArray[np.float64], reach: NDArray[np.float64]) -> NDArray[np.uint8]:
    """The level code of each distance, given the reach row (:func:`level_reach`) of its camera."""
    codes: NDArray[np.uint8] = (distance_m[:, None] <= reach).sum(axis=1).astype(np.uint8)
    return codes
