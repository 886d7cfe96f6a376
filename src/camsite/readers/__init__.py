"""Read point layers (CSV, GeoJSON, GeoPackage) into the working CRS.

A planner's exports come from many systems, so :func:`read_points` accepts
comma- or semicolon-separated CSV with decimal commas, UTF-8 with or without
a BOM and Latin-1/Windows-1252, finds the coordinate columns by name, and
works out the coordinate system from the file or from the value ranges when
the scenario does not give it. Every problem a user can fix is an
:class:`~camsite.errors.InputError` naming the file and the row or column.

Row numbers (the ``_row`` column) are those a spreadsheet shows for a CSV
file (the header is row 1, the first data row is row 2) and 1-based feature
numbers for GeoJSON and GeoPackage.

The package reads in three steps, one private module each: ``_csv`` and
``_vector`` read the file, ``_raw`` finds the coordinates (columns, a WKT
column or the geometry), ``_crs`` decides the coordinate system;
``_columns`` holds the column-name and number helpers they share. Typed,
standardised layers (incidents, cameras) are made from these points by
:mod:`camsite.layers`.

>>> fitting_crs([18.03, 18.04], [59.33, 59.34])
['EPSG:4326']
>>> to_number(pd.Series(["59,33", " 18.03 ", ""])).tolist()
[59.33, 18.03, nan]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite.errors import InputError
from camsite.readers._columns import ROW, find_column, to_number, where
from camsite.readers._crs import CRS_RANGES, fitting_crs, known_crs, project, resolve_crs
from camsite.readers._csv import CSV_SUFFIXES, check_path, read_csv_frame
from camsite.readers._raw import read_raw
from camsite.readers._vector import VECTOR_SUFFIXES, read_zone_layer, refuse_remote_crs

logger = logging.getLogger(__name__)

__all__ = ["CRS_RANGES", "CSV_SUFFIXES", "ROW", "VECTOR_SUFFIXES", "fitting_crs", "read_csv_table", "read_points", "read_zone_layer",
           "refuse_remote_crs", "to_number"]


def _bad_coordinates(x: np.ndarray, y: np.ndarray, raw_empty: np.ndarray) -> dict[str, np.ndarray]:
    empty = raw_empty
    nan = (np.isnan(x) | np.isnan(y)) & ~empty
    inf = (np.isinf(x) | np.isinf(y)) & ~empty & ~nan
    return {"empty coordinates": empty, "coordinates not a number": nan, "infinite coordinates": inf}


def _drop(reasons: dict[str, np.ndarray], rows: np.ndarray, path: Path) -> tuple[np.ndarray, dict[str, int],
                                                                                    dict[str, list[int]]]:
    keep = np.ones(len(rows), bool)
    counts: dict[str, int] = {}
    examples: dict[str, list[int]] = {}
    for reason, mask in reasons.items():
        mask = mask & keep
        n = int(mask.sum())
        if n:
            counts[reason] = n
            examples[reason] = [int(r) for r in rows[mask][:10]]
            keep &= ~mask
            logger.warning("%s: dropped %d row(s) with %s (rows %s%s)", path.name, n, reason,
                           ", ".join(map(str, examples[reason][:5])), ", ..." if n > 5 else "")
    return keep, counts, examples


def read_points(path: str | Path, *, crs: str | None = None, x_column: str | None = None,
                y_column: str | None = None, layer: str | None = None, target_crs: str = "EPSG:3011",
                id_column: str | None = None, text_columns: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """Read a point layer into ``target_crs``, keeping every attribute column.

    Parameters
    ----------
    path
        A CSV (``.csv``, ``.txt``, ``.tsv``), GeoJSON or GeoPackage file.
    crs
        The coordinates' CRS. Default: the file's own (GeoJSON, GeoPackage),
        else detected from the value ranges (WGS84, EPSG:3006, EPSG:3011).
    x_column, y_column
        Coordinate columns. Default: found by name (lon/lat, easting/northing,
        E/N, ost/nord, x/y; case-insensitive); for GeoJSON/GeoPackage the
        geometry is used unless these are given.
    layer
        GeoPackage layer (default: the only one, else the first point layer).
    target_crs
        The working CRS of the result.
    id_column
        A column of ids: duplicates are reported (``attrs["duplicate_ids"]``).
    text_columns
        Columns kept as text even when they look numeric (ids with leading zeros).

    Returns
    -------
    geopandas.GeoDataFrame
        The file's columns, ``_row`` (source row or feature number) and a
        point geometry in ``target_crs``. ``attrs`` holds ``source_file``,
        ``rows`` (rows read), ``dropped`` ({reason: count}), ``dropped_rows``
        ({reason: first row numbers}), ``source_crs``, ``crs_from``
        (``scenario``, ``file`` or ``detected``), ``columns`` and
        ``duplicate_ids``.

    Raises
    ------
    InputError
        Missing file, a directory, an unreadable file, missing columns, an
        undecidable or contradictory CRS, swapped coordinates, or no usable row.
    """
    path = Path(path)
    check_path(path)
    raw = read_raw(path, layer=layer, x_column=x_column, y_column=y_column, text_columns=text_columns)
    declared = known_crs(crs, path) if crs else raw.file_crs
    src, swap, how = resolve_crs(raw.x, raw.y, declared=declared, from_file=crs is None and raw.file_crs is not None,
                                  cols=raw.cols, generic=raw.generic, path=path)
    x, y = (raw.y, raw.x) if swap else (raw.x, raw.y)
    px, py = project(x, y, src, target_crs, path)
    reasons = _bad_coordinates(x, y, raw.empty)
    reasons["cannot be projected"] = ~np.isfinite(px) | ~np.isfinite(py)
    keep, counts, examples = _drop(reasons, raw.rows, path)
    if not keep.any():
        detail = "; ".join(f"{n} {r}" for r, n in counts.items())
        raise InputError(f"no row has usable coordinates ({detail})", file=path, where=where(raw.cols))
    out = raw.df.loc[keep].copy()
    for c, v in zip(raw.cols, (raw.x, raw.y)):
        if c in out.columns and raw.cols[0] != raw.cols[1]:  # the parsed numbers, not the text
            out[c] = v[keep]
    out[ROW] = raw.rows[keep]
    gdf = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=gpd.points_from_xy(px[keep], py[keep]),
                           crs=target_crs)
    gdf.attrs.update({
        "source_file": str(path), "rows": len(raw.df), "dropped": counts, "dropped_rows": examples,
        "source_crs": src.to_string(), "crs_from": how, "columns": raw.cols,
        "duplicate_ids": _duplicates(gdf, id_column, path) if id_column else {},
    })
    logger.info("%s: %d of %d rows kept, CRS %s (%s)", path.name, len(gdf), len(raw.df), src.to_string(), how)
    return gdf


def read_csv_table(path: str | Path, *, text_columns: Sequence[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """A CSV file as a table, without looking for coordinates.

    Parameters
    ----------
    path
        The CSV file (UTF-8 with or without a BOM, UTF-16, cp1252 or Latin-1;
        comma, semicolon, tab or pipe separated; decimal commas allowed).
    text_columns
        Columns kept as text even when they look numeric.

    Returns
    -------
    tuple of pandas.DataFrame and numpy.ndarray
        The table (blank rows removed) and each row's spreadsheet row number
        (the header is row 1).

    Raises
    ------
    InputError
        A missing, empty or unreadable file, or a row with more fields than the header.
    """
    path = Path(path)
    check_path(path)
    return read_csv_frame(path, text_columns)


def _duplicates(gdf: gpd.GeoDataFrame, id_column: str, path: Path) -> dict[str, list[int]]:
    col = find_column(gdf, id_column, path)
    ids = gdf[col].astype("string")
    dup = ids.duplicated(keep=False) & ids.notna()
    if not dup.any():
        return {}
    sub = pd.DataFrame({"id": ids[dup].to_numpy(object), "row": gdf.loc[dup, ROW].to_numpy()})
    sub = sub[sub["id"].isin(pd.unique(sub["id"])[:100])]  # report the first 100 duplicated ids
    groups = sub.groupby("id", sort=False)["row"].apply(lambda r: [int(v) for v in r[:10]])
    out = {str(k): v for k, v in groups.items()}
    first = next(iter(out.items()))
    logger.warning("%s: %d id(s) in column %s occur more than once (e.g. %r in rows %s)", path.name, len(out), col,
                   first[0], ", ".join(map(str, first[1])))
    return out
