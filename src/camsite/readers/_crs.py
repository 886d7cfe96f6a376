"""Coordinate systems: the declared one checked against the values, or one detected from their ranges.

>>> fitting_crs([18.03, 18.04], [59.33, 59.34])
['EPSG:4326']
>>> fitting_crs([151_000.0], [6_580_000.0])
['EPSG:3011']
>>> fitting_crs([230_000.0], [6_580_000.0])
['EPSG:3006', 'EPSG:3011']
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from camsite.errors import InputError
from camsite.readers._columns import GEOMETRY_X, first_line, where

logger = logging.getLogger(__name__)

__all__ = ["CRS_NAMES", "CRS_RANGES", "FIT_SHARE", "fitting_crs", "known_crs", "project", "resolve_crs"]


#: Value ranges (x range, y range) that identify a CRS in Sweden / Stockholm.
CRS_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "EPSG:4326": ((10.0, 25.0), (55.0, 70.0)),
    "EPSG:3006": ((200_000.0, 1_000_000.0), (6_100_000.0, 7_700_000.0)),
    "EPSG:3011": ((100_000.0, 250_000.0), (6_500_000.0, 6_650_000.0)),
}
CRS_NAMES = {"EPSG:4326": "WGS84 lon/lat", "EPSG:3006": "SWEREF 99 TM", "EPSG:3011": "SWEREF 99 18 00"}

#: Share of the points that must lie in a CRS's range for it to fit.
FIT_SHARE = 0.95


def fitting_crs(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, *,
                share: float = FIT_SHARE) -> list[str]:
    """The CRSs of :data:`CRS_RANGES` in whose value range at least ``share`` of the points lie.

    Parameters
    ----------
    x, y
        Coordinates (NaN and infinite values are ignored).
    share
        Share of the finite points that must lie inside a CRS's range.

    Returns
    -------
    list of str
        ``EPSG:4326``, ``EPSG:3006`` and/or ``EPSG:3011``, in that order; empty when none fits.
    """
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[ok], ya[ok]
    if len(xa) == 0:
        return []
    fits = []
    for crs, ((x0, x1), (y0, y1)) in CRS_RANGES.items():
        inside = (xa >= x0) & (xa <= x1) & (ya >= y0) & (ya <= y1)
        if inside.mean() >= share:
            fits.append(crs)
    return fits


def known_crs(crs: str, path: Path) -> CRS:
    """The CRS a scenario names; an unknown name is an :class:`InputError`."""
    try:
        return CRS.from_user_input(crs)
    except CRSError:
        raise InputError(f"unknown CRS {crs!r} (use e.g. \"EPSG:4326\", \"EPSG:3006\" or \"EPSG:3011\")",
                         file=path, where="crs") from None


def _crs_key(crs: CRS) -> str | None:
    epsg = crs.to_epsg()
    key = f"EPSG:{epsg}" if epsg else None
    if key is None and crs.is_geographic and crs.equals("OGC:CRS84", ignore_axis_order=True):
        key = "EPSG:4326"
    return key if key in CRS_RANGES else None


def _fits_text(fits: Sequence[str]) -> str:
    return " and ".join(f"{c} ({CRS_NAMES[c]})" for c in fits)


def resolve_crs(x: np.ndarray, y: np.ndarray, *, declared: CRS | None, from_file: bool, cols: tuple[str, str],
                 generic: bool, path: Path) -> tuple[CRS, bool, str]:
    """The source CRS, whether x and y must be swapped, and how the CRS was found."""
    if declared is not None and from_file and declared.is_geographic and _not_degrees(x, y):
        logger.warning("%s says its coordinates are degrees but they are not; detecting the CRS from the values",
                       path.name)
        declared = None
    if declared is not None:
        return _check_declared(x, y, declared, how="file" if from_file else "scenario", cols=cols, generic=generic,
                               path=path)
    return _detect(x, y, cols=cols, generic=generic, path=path)


def _check_declared(x: np.ndarray, y: np.ndarray, declared: CRS, *, how: str, cols: tuple[str, str], generic: bool,
                    path: Path) -> tuple[CRS, bool, str]:
    """Accept a declared CRS unless the values clearly say otherwise (swapped axes, another known CRS)."""
    fits, swapped = fitting_crs(x, y), fitting_crs(y, x)
    key = _crs_key(declared)
    if key is None or key in fits or not (fits or swapped):
        return declared, False, how
    if key in swapped and generic:
        logger.info("%s: %s holds the northing (Swedish x/y convention); axes swapped", path.name, cols[0])
        return declared, True, how
    if key in swapped:
        raise _swapped_error(cols, [key], path)
    raise InputError(f"coordinates are declared {key} ({CRS_NAMES[key]}) but their values look like "
                     f"{_fits_text(fits)}; fix crs in the scenario", file=path, where=where(cols))


def _detect(x: np.ndarray, y: np.ndarray, *, cols: tuple[str, str], generic: bool,
            path: Path) -> tuple[CRS, bool, str]:
    """The CRS from the value ranges; an error when none or several fit."""
    fits, swapped = fitting_crs(x, y), fitting_crs(y, x)
    if len(fits) == 1:
        return CRS.from_user_input(fits[0]), False, "detected"
    if len(fits) > 1:
        raise InputError(f"cannot tell the coordinate system: the values fit {_fits_text(fits)}; set crs "
                         f"(e.g. crs = \"{fits[-1]}\") for this layer in the scenario", file=path, where=where(cols))
    if swapped and generic:
        logger.info("%s: %s holds the northing (Swedish x/y convention); axes swapped", path.name, cols[0])
        return CRS.from_user_input(swapped[0]), True, "detected"
    if swapped:
        raise _swapped_error(cols, swapped, path)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():  # no usable row: read_points reports the dropped rows
        return CRS.from_user_input("EPSG:4326"), False, "none"
    xs, ys = x[ok], y[ok]
    raise InputError("cannot tell the coordinate system: the values fit none of WGS84 lon/lat, SWEREF 99 TM "
                     "(EPSG:3006) or SWEREF 99 18 00 (EPSG:3011) in Sweden; set crs for this layer in the scenario "
                     f"(x {xs.min():.6g}..{xs.max():.6g}, y {ys.min():.6g}..{ys.max():.6g})", file=path,
                     where=where(cols))


def _swapped_error(cols: tuple[str, str], crs: Sequence[str], path: Path) -> InputError:
    if cols[0] == GEOMETRY_X:
        return InputError("the points' coordinates look swapped: they are written (lat, lon) or (N, E), but "
                          "GeoJSON and GeoPackage need (lon, lat) or (E, N)", file=path, where="geometry")
    what = ("latitudes", "longitudes") if "EPSG:4326" in crs else ("northings", "eastings")
    return InputError(f"columns look swapped: {cols[0]!r} holds {what[0]} and {cols[1]!r} holds {what[1]}; "
                      "swap the column names (or x_column/y_column in the scenario)", file=path, where=where(cols))


def _not_degrees(x: np.ndarray, y: np.ndarray) -> bool:
    """True when finite values exist and some are beyond ±180/±90 (not degrees)."""
    ok = np.isfinite(x) & np.isfinite(y)
    return bool(ok.any() and ((np.abs(x[ok]) > 180) | (np.abs(y[ok]) > 90)).any())


def project(x: np.ndarray, y: np.ndarray, src: CRS, target: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` transformed from ``src`` to ``target`` (non-finite where a point cannot be transformed)."""
    if src.equals(CRS.from_user_input(target)):
        return x.copy(), y.copy()
    try:
        tr = Transformer.from_crs(src, target, always_xy=True)
        px, py = tr.transform(x, y, errcheck=False)
    except Exception as exc:  # pyproj raises ProjError on impossible transformations
        raise InputError(f"cannot transform from {src.to_string()} to {target} ({first_line(exc)})", file=path,
                         where="crs") from None
    return np.asarray(px, float), np.asarray(py, float)
