"""A point file's attribute table and raw coordinates (columns, WKT or geometry), before CRS handling."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from camsite.errors import InputError
from camsite.readers._columns import GEOMETRY_X, GEOMETRY_Y, coordinate_columns, norm_column, to_number
from camsite.readers._csv import CSV_SUFFIXES, read_csv_frame
from camsite.readers._vector import VECTOR_SUFFIXES, read_vector_frame

logger = logging.getLogger(__name__)

__all__ = ["Raw", "read_raw"]


@dataclass
class Raw:
    """A file's attribute table and raw coordinates, before CRS handling."""

    df: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    empty: np.ndarray
    cols: tuple[str, str]
    generic: bool
    file_crs: CRS | None = None


def read_raw(path: Path, *, layer: str | None, x_column: str | None, y_column: str | None,
             text_columns: Sequence[str]) -> Raw:
    """The attribute table and raw coordinates of a CSV, GeoJSON or GeoPackage file."""
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        raw = _vector_coordinates(path, layer, x_column, y_column)
    elif suffix in CSV_SUFFIXES or suffix == "":
        df, rows = read_csv_frame(path, text_columns)
        raw = _csv_coordinates(df, rows, path, x_column, y_column)
    elif suffix in (".xlsx", ".xls", ".ods"):
        raise InputError("spreadsheets are not read directly: save the sheet as CSV (in Excel: \"CSV UTF-8\") "
                         "and point the scenario at the .csv file", file=path)
    else:
        raise InputError(f"unknown point file format {suffix!r} (use .csv, .geojson, .json or .gpkg)", file=path)
    if len(raw.df) == 0:
        raise InputError("the layer has no rows", file=path)
    return raw


def _csv_coordinates(df: pd.DataFrame, rows: np.ndarray, path: Path, x_column: str | None,
                     y_column: str | None) -> Raw:
    if len(df) == 0:
        raise InputError("the layer has no rows", file=path)
    wkt = _wkt_column(df) if x_column is None and y_column is None else None
    try:
        xc, yc, generic = coordinate_columns(df, path, x_column, y_column)
    except InputError:
        if wkt is None:
            raise
        return _wkt_coordinates(df, rows, path, wkt)
    raw_empty = (df[xc].isna() | df[yc].isna()).to_numpy(bool, copy=True)
    for c in (xc, yc):
        if not pd.api.types.is_numeric_dtype(df[c]):
            blank = df[c].astype("string").str.strip().eq("").fillna(False).to_numpy(bool)
            raw_empty |= blank
    x, y = to_number(df[xc]).to_numpy(float), to_number(df[yc]).to_numpy(float)
    return Raw(df, x, y, rows, raw_empty, (xc, yc), generic)


def _wkt_column(df: pd.DataFrame) -> str | None:
    return next((str(c) for c in df.columns if norm_column(c) in {"wkt", "geometry", "geom", "the_geom"}), None)


def _wkt_coordinates(df: pd.DataFrame, rows: np.ndarray, path: Path, col: str) -> Raw:
    """Points from a WKT column (QGIS's "AS_WKT" CSV export)."""
    text = df[col].astype(object).where(df[col].notna(), None).to_numpy(object)
    text = np.array([t if isinstance(t, str) else None for t in text], dtype=object)
    geoms = shapely.from_wkt(text, on_invalid="ignore")
    kind = shapely.get_type_id(geoms)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bad = ~missing & (kind != 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"is not a POINT ({str(text[i])[:40]!r})", file=path, where=f"row {rows[i]}, column {col}")
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    x[~missing], y[~missing] = shapely.get_x(geoms[~missing]), shapely.get_y(geoms[~missing])
    empty = missing & np.array([t is None or not str(t).strip() for t in text], dtype=bool)
    return Raw(df, x, y, rows, empty, (col, col), False)


def _vector_coordinates(path: Path, layer: str | None, x_column: str | None, y_column: str | None) -> Raw:
    gdf = read_vector_frame(path, layer)
    if len(gdf) == 0:
        raise InputError("the layer has no features", file=path, where=f"layer {layer}" if layer else None)
    rows = np.arange(1, len(gdf) + 1, dtype=np.int64)
    geom_name = gdf.active_geometry_name if isinstance(gdf, gpd.GeoDataFrame) else None
    geom_name = geom_name if geom_name in gdf.columns else None
    attrs = pd.DataFrame(gdf.drop(columns=[geom_name])) if geom_name else pd.DataFrame(gdf)
    geo_values = np.asarray(gdf.geometry.array, dtype=object) if geom_name else np.empty(0, object)
    missing = shapely.is_missing(geo_values) | shapely.is_empty(geo_values)
    has_geom = geom_name is not None and not missing.all()
    if x_column is not None or y_column is not None or not has_geom:
        if not has_geom and x_column is None and len(gdf):
            logger.info("%s has no point geometry; looking for coordinate columns", path.name)
        return _csv_coordinates(attrs, rows, path, x_column, y_column)
    geoms = gdf.geometry
    types = geoms.geom_type.to_numpy(object)
    bad = ~missing & (types != "Point")
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"is a {types[i]}, expected a point", file=path, where=f"feature {i + 1}")
    x = np.full(len(gdf), np.nan)
    y = np.full(len(gdf), np.nan)
    x[~missing] = geoms[~missing].x.to_numpy(float)
    y[~missing] = geoms[~missing].y.to_numpy(float)
    return Raw(attrs, x, y, rows, missing, (GEOMETRY_X, GEOMETRY_Y), False, gdf.crs)
