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

>>> fitting_crs([18.03, 18.04], [59.33, 59.34])
['EPSG:4326']
>>> fitting_crs([151_000.0], [6_580_000.0])
['EPSG:3011']
>>> fitting_crs([230_000.0], [6_580_000.0])
['EPSG:3006', 'EPSG:3011']
>>> to_number(pd.Series(["59,33", " 18.03 ", "", "x", "6 580 000"])).tolist()
[59.33, 18.03, nan, nan, 6580000.0]
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from camsite.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["CRS_RANGES", "CSV_SUFFIXES", "ROW", "VECTOR_SUFFIXES", "fitting_crs", "read_points", "refuse_remote_crs",
           "to_number"]

GEOMETRY_X, GEOMETRY_Y = "geometry x", "geometry y"

#: Name of the column holding each point's source row (CSV) or feature (GeoJSON/GPKG) number.
ROW = "_row"

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")

#: Value ranges (x range, y range) that identify a CRS in Sweden / Stockholm.
CRS_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "EPSG:4326": ((10.0, 25.0), (55.0, 70.0)),
    "EPSG:3006": ((200_000.0, 1_000_000.0), (6_100_000.0, 7_700_000.0)),
    "EPSG:3011": ((100_000.0, 250_000.0), (6_500_000.0, 6_650_000.0)),
}
CRS_NAMES = {"EPSG:4326": "WGS84 lon/lat", "EPSG:3006": "SWEREF 99 TM", "EPSG:3011": "SWEREF 99 18 00"}

#: Share of the points that must lie in a CRS's range for it to fit.
FIT_SHARE = 0.95

_FOLD = str.maketrans("åäöéü", "aaoeu")
_LON = {"lon", "lng", "long", "longitude", "longitud", "lon_wgs84", "wgs84_lon", "longitude_wgs84", "langdgrad"}
_LAT = {"lat", "latitude", "latitud", "lat_wgs84", "wgs84_lat", "latitude_wgs84", "breddgrad"}
_EAST = {"e", "east", "easting", "ost", "ostlig", "ostkoordinat", "e_koord", "e_koordinat", "e_sweref", "easting_m"}
_NORTH = {"n", "north", "northing", "nord", "nordlig", "nordkoordinat", "n_koord", "n_koordinat", "n_sweref",
          "northing_m"}
_GEN_X = {"x", "x_koord", "x_koordinat", "xkoord", "koord_x", "x_coord", "xcoord", "coord_x"}
_GEN_Y = {"y", "y_koord", "y_koordinat", "ykoord", "koord_y", "y_coord", "ycoord", "coord_y"}
_PAIRS = ((_LON, _LAT, False), (_EAST, _NORTH, False), (_GEN_X, _GEN_Y, True))


def _norm(name: object) -> str:
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


# -- files ---------------------------------------------------------------------------------------------------------


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError("file does not exist", file=path)
    if path.is_dir():
        raise InputError("is a directory, not a point file (give the file inside it)", file=path)
    if not path.is_file():  # a device (/dev/zero), a pipe or a socket: reading it may never end
        raise InputError("is not a regular file", file=path)


#: A multi-byte UTF-8 sequence (an "ä" is C3 A4): evidence that a file was meant as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _encoding(data: bytes, path: Path | None = None) -> str:
    """The file's encoding, from evidence: UTF-16 by its BOM, UTF-8 if it decodes, else cp1252 or Latin-1.

    A file with valid multi-byte UTF-8 sequences *and* invalid bytes is an
    error naming the row: re-decoding it all as cp1252 would silently change
    every "ä" and with it the category names.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            row = data.count(b"\n", 0, exc.start) + 1
            raise InputError(f"the file is UTF-8 but byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8; "
                             "save the file again as UTF-8", file=path, where=f"row {row}") from None
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


@dataclass(frozen=True)
class _CsvDialect:
    sep: str
    decimal: str
    skiprows: int


def _dialect(text: str) -> _CsvDialect:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return _CsvDialect(",", ".", 0)
    skip = 0
    first = lines[0]
    m = re.fullmatch(r'"?sep=(.)"?', first.strip())
    if m:  # Excel's "sep=;" hint line
        sep, skip = m.group(1), 1
    else:
        header = re.sub(r'"[^"]*"', "", first)
        counts = {d: header.count(d) for d in (";", "\t", ",", "|")}
        sep = max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","
    sample = "\n".join(lines[1 + skip:200])
    commas = len(re.findall(r"\d,\d", sample)) if sep != "," else 0
    decimal = "," if commas > len(re.findall(r"\d\.\d", sample)) else "."
    return _CsvDialect(sep, decimal, skip)


def _read_csv_frame(path: Path, text_columns: Sequence[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """The CSV as a DataFrame (blank rows removed) and each row's spreadsheet row number.

    ``text_columns`` (matched case-insensitively) are read as text, so ids like ``007`` keep their zeros.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    if not data[:65536].strip() and not data.strip():
        raise InputError("the file is empty", file=path)
    enc = _encoding(data, path)
    if enc not in ("utf-8-sig",):
        logger.info("%s is not UTF-8: read as %s", path.name, enc)
    head = data[:65536].decode(enc, errors="replace").lstrip("\ufeff")
    dia = _dialect(head)
    opts: dict[str, Any] = {"sep": dia.sep, "encoding": enc, "skiprows": dia.skiprows, "engine": "c",
                            "encoding_errors": "replace"}
    try:
        wanted = {_norm(c) for c in text_columns if c}
        header = pd.read_csv(io.BytesIO(data), nrows=0, **opts).columns if wanted else []
        dtype = {c: object for c in header if _norm(c) in wanted}
        df = pd.read_csv(io.BytesIO(data), decimal=dia.decimal, skip_blank_lines=False, low_memory=False,
                         dtype=dtype or None, **opts)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty (no header row)", file=path) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise _ragged(path, dia, int(m.group(2)), int(m.group(3)), int(m.group(1))) from None
        raise InputError(f"cannot parse as CSV ({_first_line(exc)})", file=path) from None
    except Exception as exc:  # the C parser raises several types on binary junk
        raise InputError(f"cannot parse as CSV ({type(exc).__name__}: {_first_line(exc)})", file=path) from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas used the extra leading fields as an index
        raise _ragged(path, dia, 2 + dia.skiprows, len(df.columns) + df.index.nlevels, len(df.columns))
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    rows = np.arange(len(df), dtype=np.int64) + 2 + dia.skiprows
    blank = df.isna().all(axis=1).to_numpy()
    if blank.any():
        df, rows = _integers_back(df.loc[~blank].reset_index(drop=True)), rows[~blank]
    logger.debug("%s: %d rows, separator %r, decimal %r, %s", path.name, len(df), dia.sep, dia.decimal, enc)
    return df, rows


def _ragged(path: Path, dia: _CsvDialect, row: int, fields: int, expected: int) -> InputError:
    hint = ("decimal commas in a comma-separated file? Quote the numbers or use ';' as separator"
            if dia.sep == "," else f"a stray '{dia.sep}' or a text containing '{dia.sep}' without quotes?")
    return InputError(f"has {fields} fields but the header has {expected} ({hint})", file=path, where=f"row {row}")


def _integers_back(df: pd.DataFrame) -> pd.DataFrame:
    """Integer columns that became float only because of blank rows, as integers again."""
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_float_dtype(col) and col.notna().all():
            v = col.to_numpy(float)
            if np.isfinite(v).all() and (v == np.round(v)).all() and (np.abs(v) < 2**53).all():
                df[c] = v.astype(np.int64)
    return df


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def refuse_remote_crs(path: Path) -> None:
    """Raise :class:`InputError` if a GeoJSON file's ``crs`` member points at a URL.

    GDAL resolves a ``{"type": "link"}`` (or a URL-valued ``name``) crs member by
    downloading it; camsite opens no network connection outside ``fetch-osm``.
    """
    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return
    if b'"crs"' not in head:
        return
    for match in re.finditer(rb'"crs"\s*:\s*\{(?:[^{}]|\{[^{}]*\})*\}', head):
        member = match.group(0)
        if re.search(rb'"type"\s*:\s*"link"', member) or re.search(rb'"(?:href|name)"\s*:\s*"(?:https?|ftp)://',
                                                                     member):
            raise InputError("its \"crs\" member links to a URL, which camsite does not follow (it works offline); "
                             "remove the member (GeoJSON is WGS84) or give the CRS as a name such as EPSG:3006",
                             file=path, where="crs")


def _read_vector_frame(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    refuse_remote_crs(path)
    with warnings.catch_warnings():  # GDAL's warnings on odd files become InputErrors or are harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        return _read_vector_quiet(path, layer)


def _json_hint(path: Path) -> str:
    """A hint when a .json file is the police events feed rather than GeoJSON."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return ""
    if head.lstrip().startswith(b"[") and b'"location"' in head and b'"gps"' in head:
        return ("; this looks like the police events feed: locate its events with "
                "`camsite import-events polisen FILE --network GRAPH --out incidents.geojson` and use that file")
    return ""


def _read_vector_quiet(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL raises DataSourceError and others
        raise InputError(f"cannot open as GeoJSON/GeoPackage ({_first_line(exc)}){_json_hint(path)}",
                         file=path) from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is not None and layer not in names:
        raise InputError(f"no layer {layer!r} (layers: {', '.join(names) or 'none'})", file=path,
                         where=f"layer {layer}")
    if layer is None and len(names) > 1:
        points = [str(n) for n, g in layers if g and "point" in str(g).lower()]
        layer = points[0] if points else names[0]
        logger.warning("%s has layers %s; reading %r (set `layer` in the scenario to choose)", path.name,
                       ", ".join(names), layer)
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise InputError(f"cannot read ({type(exc).__name__}: {_first_line(exc)})", file=path) from None


# -- columns and coordinate systems -------------------------------------------------------------------------------


def _find_column(df: pd.DataFrame, name: str, path: Path) -> str:
    if name in df.columns:
        return name
    low = {_norm(c): c for c in df.columns}
    if _norm(name) in low:
        return str(low[_norm(name)])
    raise InputError(f"column {name!r} not found (columns: {', '.join(map(str, df.columns))})", file=path,
                     where=f"column {name}")


def _coordinate_columns(df: pd.DataFrame, path: Path, x_column: str | None,
                        y_column: str | None) -> tuple[str, str, bool]:
    """The x and y column names, and whether their names leave the axis order open (x/y)."""
    if (x_column is None) != (y_column is None):
        raise InputError("give both x_column and y_column in the scenario, or neither", file=path,
                         where=f"column {x_column or y_column}")
    if x_column is not None and y_column is not None:
        x, y = _find_column(df, x_column, path), _find_column(df, y_column, path)
        return x, y, _norm(x) in _GEN_X | _GEN_Y
    low: dict[str, str] = {}
    for c in df.columns:
        low.setdefault(_norm(c), str(c))
    for xs, ys, generic in _PAIRS:
        xc = next((low[n] for n in low if n in xs), None)
        yc = next((low[n] for n in low if n in ys), None)
        if xc and yc:
            return xc, yc, generic
    raise InputError("no coordinate columns found (looked for lon/lat, easting/northing (E/N, ost/nord) and x/y); "
                     f"columns are: {', '.join(map(str, df.columns))}. Set x_column and y_column in the scenario",
                     file=path, where="columns")


def _known_crs(crs: str, path: Path) -> CRS:
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


def _resolve_crs(x: np.ndarray, y: np.ndarray, *, declared: CRS | None, from_file: bool, cols: tuple[str, str],
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
                     f"{_fits_text(fits)}; fix crs in the scenario", file=path, where=_where(cols))


def _detect(x: np.ndarray, y: np.ndarray, *, cols: tuple[str, str], generic: bool,
            path: Path) -> tuple[CRS, bool, str]:
    """The CRS from the value ranges; an error when none or several fit."""
    fits, swapped = fitting_crs(x, y), fitting_crs(y, x)
    if len(fits) == 1:
        return CRS.from_user_input(fits[0]), False, "detected"
    if len(fits) > 1:
        raise InputError(f"cannot tell the coordinate system: the values fit {_fits_text(fits)}; set crs "
                         f"(e.g. crs = \"{fits[-1]}\") for this layer in the scenario", file=path, where=_where(cols))
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
                     where=_where(cols))


def _where(cols: tuple[str, str]) -> str:
    if cols[0] == GEOMETRY_X:
        return "geometry"
    return f"column {cols[0]}" if cols[0] == cols[1] else f"columns {cols[0]}, {cols[1]}"


def _swapped_error(cols: tuple[str, str], crs: Sequence[str], path: Path) -> InputError:
    if cols[0] == GEOMETRY_X:
        return InputError("the points' coordinates look swapped: they are written (lat, lon) or (N, E), but "
                          "GeoJSON and GeoPackage need (lon, lat) or (E, N)", file=path, where="geometry")
    what = ("latitudes", "longitudes") if "EPSG:4326" in crs else ("northings", "eastings")
    return InputError(f"columns look swapped: {cols[0]!r} holds {what[0]} and {cols[1]!r} holds {what[1]}; "
                      "swap the column names (or x_column/y_column in the scenario)", file=path, where=_where(cols))


def _not_degrees(x: np.ndarray, y: np.ndarray) -> bool:
    """True when finite values exist and some are beyond ±180/±90 (not degrees)."""
    ok = np.isfinite(x) & np.isfinite(y)
    return bool(ok.any() and ((np.abs(x[ok]) > 180) | (np.abs(y[ok]) > 90)).any())


# -- the reader ----------------------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """A file's attribute table and raw coordinates, before CRS handling."""

    df: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    empty: np.ndarray
    cols: tuple[str, str]
    generic: bool
    file_crs: CRS | None = None


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
    _check_path(path)
    raw = _read_raw(path, layer=layer, x_column=x_column, y_column=y_column, text_columns=text_columns)
    declared = _known_crs(crs, path) if crs else raw.file_crs
    src, swap, how = _resolve_crs(raw.x, raw.y, declared=declared, from_file=crs is None and raw.file_crs is not None,
                                  cols=raw.cols, generic=raw.generic, path=path)
    x, y = (raw.y, raw.x) if swap else (raw.x, raw.y)
    px, py = _project(x, y, src, target_crs, path)
    reasons = _bad_coordinates(x, y, raw.empty)
    reasons["cannot be projected"] = ~np.isfinite(px) | ~np.isfinite(py)
    keep, counts, examples = _drop(reasons, raw.rows, path)
    if not keep.any():
        detail = "; ".join(f"{n} {r}" for r, n in counts.items())
        raise InputError(f"no row has usable coordinates ({detail})", file=path, where=_where(raw.cols))
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


def _read_raw(path: Path, *, layer: str | None, x_column: str | None, y_column: str | None,
              text_columns: Sequence[str]) -> _Raw:
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        raw = _vector_coordinates(path, layer, x_column, y_column)
    elif suffix in CSV_SUFFIXES or suffix == "":
        df, rows = _read_csv_frame(path, text_columns)
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
                     y_column: str | None) -> _Raw:
    if len(df) == 0:
        raise InputError("the layer has no rows", file=path)
    wkt = _wkt_column(df) if x_column is None and y_column is None else None
    try:
        xc, yc, generic = _coordinate_columns(df, path, x_column, y_column)
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
    return _Raw(df, x, y, rows, raw_empty, (xc, yc), generic)


def _wkt_column(df: pd.DataFrame) -> str | None:
    return next((str(c) for c in df.columns if _norm(c) in {"wkt", "geometry", "geom", "the_geom"}), None)


def _wkt_coordinates(df: pd.DataFrame, rows: np.ndarray, path: Path, col: str) -> _Raw:
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
    return _Raw(df, x, y, rows, empty, (col, col), False)


def _vector_coordinates(path: Path, layer: str | None, x_column: str | None, y_column: str | None) -> _Raw:
    gdf = _read_vector_frame(path, layer)
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
    return _Raw(attrs, x, y, rows, missing, (GEOMETRY_X, GEOMETRY_Y), False, gdf.crs)


def _project(x: np.ndarray, y: np.ndarray, src: CRS, target: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    if src.equals(CRS.from_user_input(target)):
        return x.copy(), y.copy()
    try:
        tr = Transformer.from_crs(src, target, always_xy=True)
        px, py = tr.transform(x, y, errcheck=False)
    except Exception as exc:  # pyproj raises ProjError on impossible transformations
        raise InputError(f"cannot transform from {src.to_string()} to {target} ({_first_line(exc)})", file=path,
                         where="crs") from None
    return np.asarray(px, float), np.asarray(py, float)


def _duplicates(gdf: gpd.GeoDataFrame, id_column: str, path: Path) -> dict[str, list[int]]:
    col = _find_column(gdf, id_column, path)
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
