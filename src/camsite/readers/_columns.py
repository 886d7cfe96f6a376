"""Column names and values of a point table: coordinate columns found by name, numbers from text.

>>> to_number(pd.Series(["59,33", " 18.03 ", "", "x", "6 580 000"])).tolist()
[59.33, 18.03, nan, nan, 6580000.0]
>>> norm_column("Öst-Koordinat")
'ost_koordinat'
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from camsite.errors import InputError

__all__ = ["GEOMETRY_X", "GEOMETRY_Y", "ROW", "coordinate_columns", "find_column", "first_line", "norm_column",
           "to_number", "where"]

GEOMETRY_X, GEOMETRY_Y = "geometry x", "geometry y"

#: Name of the column holding each point's source row (CSV) or feature (GeoJSON/GPKG) number.
ROW = "_row"

_FOLD = str.maketrans("åäöéü", "aaoeu")
_LON = {"lon", "lng", "long", "longitude", "longitud", "lon_wgs84", "wgs84_lon", "longitude_wgs84", "langdgrad"}
_LAT = {"lat", "latitude", "latitud", "lat_wgs84", "wgs84_lat", "latitude_wgs84", "breddgrad"}
_EAST = {"e", "east", "easting", "ost", "ostlig", "ostkoordinat", "e_koord", "e_koordinat", "e_sweref", "easting_m"}
_NORTH = {"n", "north", "northing", "nord", "nordlig", "nordkoordinat", "n_koord", "n_koordinat", "n_sweref",
          "northing_m"}
_GEN_X = {"x", "x_koord", "x_koordinat", "xkoord", "koord_x", "x_coord", "xcoord", "coord_x"}
_GEN_Y = {"y", "y_koord", "y_koordinat", "ykoord", "koord_y", "y_coord", "ycoord", "coord_y"}
_PAIRS = ((_LON, _LAT, False), (_EAST, _NORTH, False), (_GEN_X, _GEN_Y, True))


def norm_column(name: object) -> str:
    """A column name as compared: lower case, Swedish letters folded, spaces, hyphens and dots as ``_``."""
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower().translate(_FOLD))


def to_number(values: pd.Series) -> pd.Series:
    """Numbers from a column: decimal commas, spaces as thousands separators, text -> NaN.

    Parameters
    ----------
    values
        A column as read from a file (numbers, text or a mix).

    Returns
    -------
    pandas.Series
        Floats on the same index; anything that is not a number (empty,
        text) is NaN. Vectorised (each distinct text is parsed once).
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").astype(float)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) < 0.5 * len(values):  # few distinct values: convert those only
        nums = _text_to_number(pd.Series(uniques, dtype=object)).to_numpy(float)
        out = np.where(codes >= 0, nums[np.maximum(codes, 0)] if len(nums) else np.nan, np.nan)
        return pd.Series(out, index=values.index, dtype=float)
    return pd.Series(_text_to_number(values).to_numpy(float), index=values.index, dtype=float)


def _text_to_number(values: pd.Series) -> pd.Series:
    s = values.astype("string").str.replace(",", ".", regex=False)
    out = pd.to_numeric(s, errors="coerce")
    spaced = out.isna() & s.str.contains(r"\d[\s\u00a0\u202f]+\d", regex=True, na=False)
    if spaced.any():  # thousands separated by spaces: "6 580 000"
        out[spaced] = pd.to_numeric(s[spaced].str.replace(r"[\s\u00a0\u202f]", "", regex=True), errors="coerce")
    return out.astype(float)



def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (at most 200 characters), for an error text."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def find_column(df: pd.DataFrame, name: str, path: Path) -> str:
    if name in df.columns:
        return name
    low = {norm_column(c): c for c in df.columns}
    if norm_column(name) in low:
        return str(low[norm_column(name)])
    raise InputError(f"column {name!r} not found (columns: {', '.join(map(str, df.columns))})", file=path,
                     where=f"column {name}")


def coordinate_columns(df: pd.DataFrame, path: Path, x_column: str | None,
                        y_column: str | None) -> tuple[str, str, bool]:
    """The x and y column names, and whether their names leave the axis order open (x/y)."""
    if (x_column is None) != (y_column is None):
        raise InputError("give both x_column and y_column in the scenario, or neither", file=path,
                         where=f"column {x_column or y_column}")
    if x_column is not None and y_column is not None:
        x, y = find_column(df, x_column, path), find_column(df, y_column, path)
        return x, y, norm_column(x) in _GEN_X | _GEN_Y
    low: dict[str, str] = {}
    for c in df.columns:
        low.setdefault(norm_column(c), str(c))
    for xs, ys, generic in _PAIRS:
        xc = next((low[n] for n in low if n in xs), None)
        yc = next((low[n] for n in low if n in ys), None)
        if xc and yc:
            return xc, yc, generic
    raise InputError("no coordinate columns found (looked for lon/lat, easting/northing (E/N, ost/nord) and x/y); "
                     f"columns are: {', '.join(map(str, df.columns))}. Set x_column and y_column in the scenario",
                     file=path, where="columns")



def where(cols: tuple[str, str]) -> str:
    """The ``where`` of an error about the coordinates: the geometry, one column (WKT) or two."""
    if cols[0] == GEOMETRY_X:
        return "geometry"
    return f"column {cols[0]}" if cols[0] == cols[1] else f"columns {cols[0]}, {cols[1]}"
