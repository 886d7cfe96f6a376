"""Incident and existing-camera layers in the standard columns of docs/architecture.md.

:func:`read_incidents` and :func:`read_cameras` read a scenario layer with
:func:`camsite.readers.read_points` and map its columns (named in the
scenario) onto the standard ones. The reader's ``attrs`` (rows read, rows
dropped and why, duplicate ids) are kept on the result, with more reasons
added here.

>>> list(empty_incidents("EPSG:3011").columns)
['incident_id', 'category', 'weight', 'date', 'precision', 'street', 'source', 'indoor', 'district', 'uncertainty_m', 'geometry']
>>> list(empty_cameras("EPSG:3011").columns)
['camera_id', 'camera_type', 'heading_deg', 'height_m', 'source', 'geometry']
>>> as_text(pd.Series([1.0, 2.5, None])).tolist()
['1', '2.5', '']
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from camsite import inventory, readers
from camsite.config import MAX_WEIGHT, CameraLayer, PointLayer, Scenario
from camsite.errors import InputError
from camsite.vocab import INCIDENT_PRECISIONS, category_key

logger = logging.getLogger(__name__)

__all__ = [
    "CAMERA_COLUMNS",
    "INCIDENT_COLUMNS",
    "PRECISIONS",
    "as_text",
    "empty_cameras",
    "empty_incidents",
    "read_cameras",
    "read_incidents",
]

INCIDENT_COLUMNS = ("incident_id", "category", "weight", "date", "precision", "street", "source", "indoor", "district",
                    "uncertainty_m", "geometry")
CAMERA_COLUMNS = ("camera_id", "camera_type", "heading_deg", "height_m", "source", "geometry")
#: Precision classes of an incident's position.
PRECISIONS = INCIDENT_PRECISIONS

_ID_NAMES = ("id", "incident_id", "event_id", "handelse_id", "nr", "camera_id", "kamera_id")
_STREET_NAMES = ("street", "gata", "gatunamn", "street_name")


def empty_incidents(crs: str) -> gpd.GeoDataFrame:
    """An incident frame with no rows (the standard columns)."""
    df = pd.DataFrame({
        "incident_id": pd.Series([], dtype=object), "category": pd.Series([], dtype=object),
        "weight": pd.Series([], dtype=float), "date": pd.Series([], dtype="datetime64[ns]"),
        "precision": pd.Series([], dtype=object), "street": pd.Series([], dtype=object),
        "source": pd.Series([], dtype=object), "indoor": pd.Series([], dtype=bool),
        "district": pd.Series([], dtype=object), "uncertainty_m": pd.Series([], dtype=float),
    })
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def empty_cameras(crs: str) -> gpd.GeoDataFrame:
    """A camera frame with no rows (the standard columns)."""
    df = pd.DataFrame({
        "camera_id": pd.Series([], dtype=object), "camera_type": pd.Series([], dtype=object),
        "heading_deg": pd.Series([], dtype=float), "height_m": pd.Series([], dtype=float),
        "source": pd.Series([], dtype=object),
    })
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def as_text(values: pd.Series) -> pd.Series:
    """Values as stripped text ('' for missing); whole floats lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        v = values.to_numpy(float)
        whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 2**53)
        out = values.astype(object).astype(str)
        out[whole] = v[whole].astype(np.int64).astype(str)
        return out.where(values.notna(), "")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.array([str(u).strip() for u in uniques] + [""], dtype=object)  # code -1 (missing) -> ""
    return pd.Series(text[codes], index=values.index, dtype=object)


def _column(gdf: gpd.GeoDataFrame, name: str | None, path: str, *, required: bool) -> str | None:
    """The actual column for ``name`` (case-insensitive), None when absent and not required."""
    if name is None:
        return None
    low = {str(c).strip().lower(): str(c) for c in gdf.columns}
    if name in gdf.columns:
        return name
    if name.strip().lower() in low:
        return low[name.strip().lower()]
    if required:
        cols = ", ".join(str(c) for c in gdf.columns if c not in (readers.ROW, "geometry"))
        raise InputError(f"column {name!r} not found (columns: {cols})", file=path, where=f"column {name}")
    return None


def _is_structured(value: object) -> bool:
    """A JSON object or list: as Python objects, or as the JSON text GDAL makes of a GeoJSON object property."""
    if isinstance(value, (dict, list, tuple)):
        return True
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return isinstance(json.loads(value), dict)
        except ValueError:
            return False
    return False


def _check_scalars(gdf: gpd.GeoDataFrame, columns: tuple[str | None, ...], path: str) -> None:
    """A text column holding a JSON object or list (from a GeoJSON property) is an error naming the row."""
    for col in columns:
        if col is None or col not in gdf.columns or not (gdf[col].dtype == object
                                                          or pd.api.types.is_string_dtype(gdf[col].dtype)):
            continue
        bad = gdf[col].map(_is_structured).to_numpy(bool)
        if bad.any():
            row = gdf[readers.ROW].to_numpy()[np.argmax(bad)]
            raise InputError("expected a text or a number, got a JSON object or list", file=path,
                             where=f"row {row}, column {col}")


def _optional(gdf: gpd.GeoDataFrame, name: str | None, default: str | None, path: str, consequence: str) -> str | None:
    """An optional column: the one the scenario names (a warning, not an error, when the file lacks it), or
    ``default`` when present. A scenario's column mapping never makes another file (``--incidents``) unusable."""
    if name is not None:
        col = _column(gdf, name, path, required=False)
        if col is None:
            logger.warning("%s has no column %r (named in the scenario): %s", Path(path).name, name, consequence)
        return col
    return _column(gdf, default, path, required=False) if default else None


def _first_present(gdf: gpd.GeoDataFrame, names: tuple[str, ...]) -> str | None:
    low = {str(c).strip().lower(): str(c) for c in gdf.columns}
    return next((low[n] for n in names if n in low), None)


def _row_error(gdf: gpd.GeoDataFrame, mask: np.ndarray, message: str, path: str, column: str) -> InputError:
    i = int(np.argmax(mask))
    n = int(mask.sum())
    more = f" ({n - 1} more row(s) like it)" if n > 1 else ""
    return InputError(message + more, file=path, where=f"row {int(gdf[readers.ROW].iloc[i])}, column {column}")


def _finish(gdf: gpd.GeoDataFrame, data: Mapping[str, object], columns: tuple[str, ...],
            crs: str) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(pd.DataFrame(data, index=gdf.index), geometry=gdf.geometry.to_numpy(), crs=crs)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    out = out[list(columns)].reset_index(drop=True)
    out.attrs = dict(gdf.attrs)
    return out


def _drop_rows(gdf: gpd.GeoDataFrame, mask: np.ndarray, reason: str) -> gpd.GeoDataFrame:
    n = int(mask.sum())
    if not n:
        return gdf
    rows = [int(r) for r in gdf.loc[mask, readers.ROW].to_numpy()[:10]]
    logger.warning("%s: dropped %d row(s): %s (rows %s)", Path(gdf.attrs.get("source_file", "")).name, n, reason,
                   ", ".join(map(str, rows[:5])))
    attrs = dict(gdf.attrs)
    attrs["dropped"] = {**attrs.get("dropped", {}), reason: n}
    attrs["dropped_rows"] = {**attrs.get("dropped_rows", {}), reason: rows}
    out = gdf.loc[~mask]
    out.attrs = attrs
    return out


# -- incidents -----------------------------------------------------------------------------------------------------


def _ids(gdf: gpd.GeoDataFrame, id_col: str | None, prefix: str) -> np.ndarray:
    if id_col is None:
        return np.char.add(f"{prefix}-", gdf[readers.ROW].to_numpy().astype(str)).astype(object)
    ids = as_text(gdf[id_col]).to_numpy(object, copy=True)
    empty = ids == ""
    if empty.any():
        ids[empty] = np.char.add(f"{prefix}-", gdf.loc[empty, readers.ROW].to_numpy().astype(str)).astype(object)
    return ids


def _categories(values: pd.Series, default: str) -> np.ndarray:
    """Category keys: ``Våld`` -> ``vald`` for the standard ones, others as given, empty -> ``default``."""
    codes, uniques = pd.factorize(as_text(values))
    mapped = []
    for u in uniques:
        mapped.append(default if u == "" else category_key(str(u)))
    return np.array(mapped, dtype=object)[codes] if len(uniques) else np.full(len(values), default, object)


def _flags(gdf: gpd.GeoDataFrame, col: str | None) -> np.ndarray:
    """A yes/no column (true, 1, ja, yes; anything else is no); all no when the file has none."""
    if col is None:
        return np.zeros(len(gdf), bool)
    text = as_text(gdf[col]).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "ja", "yes", "y", "sant"]).to_numpy(bool)


def _lower_or(values: pd.Series, default: str) -> np.ndarray:
    """Lower-case text, ``default`` where empty (vectorised over distinct values)."""
    codes, uniques = pd.factorize(as_text(values))
    mapped = np.array([str(u).lower() or default for u in uniques], dtype=object)
    return mapped[codes] if len(uniques) else np.full(len(values), default, object)


def _uncertainty(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """The optional ``uncertainty_m`` column (radius of the position, metres): NaN where absent or not a number >= 0."""
    col = _first_present(gdf, ("uncertainty_m", "osakerhet_m"))
    if col is None:
        return np.full(len(gdf), np.nan)
    u = readers.to_number(gdf[col]).to_numpy(float)
    return np.where(np.isfinite(u) & (u >= 0), u, np.nan)


def _weights(gdf: gpd.GeoDataFrame, col: str | None, path: str) -> np.ndarray:
    if col is None:
        return np.ones(len(gdf))
    w = readers.to_number(gdf[col]).to_numpy(float)
    missing = np.isnan(w)
    bad_text = missing & (as_text(gdf[col]).to_numpy(object) != "") if missing.any() else missing
    if bad_text.any():
        raise _row_error(gdf, bad_text, f"weight {as_text(gdf[col])[bad_text].iloc[0]!r} is not a number", path, col)
    if (~np.isfinite(w) & ~missing).any():
        raise _row_error(gdf, ~np.isfinite(w) & ~missing, "weight is infinite", path, col)
    if (w < 0).any():
        raise _row_error(gdf, w < 0, f"weight {w[w < 0][0]:g} is negative (weights must be >= 0)", path, col)
    if (w > MAX_WEIGHT).any():
        raise _row_error(gdf, w > MAX_WEIGHT, f"weight {w[w > MAX_WEIGHT][0]:g} is larger than {MAX_WEIGHT:g} "
                         "(weights are relative: 1 is an ordinary incident)", path, col)
    if missing.any():
        logger.warning("%s: %d row(s) with no weight get weight 1", Path(path).name, int(missing.sum()))
    return np.where(missing, 1.0, w)


def _parse_dates(text: pd.Series, *, utc: bool) -> pd.Series:
    """Dates from text: ISO 8601 first, then other forms (day first); unparseable -> NaT."""
    parsed = pd.to_datetime(text, errors="coerce", utc=utc, format="ISO8601")
    retry = parsed.isna() & text.notna()
    if retry.any():
        parsed[retry] = pd.to_datetime(text[retry], errors="coerce", utc=utc, format="mixed", dayfirst=True)
    if utc:
        parsed = parsed.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _dates(gdf: gpd.GeoDataFrame, col: str | None, path: str) -> pd.Series:
    """Dates as naive Stockholm local time; times with a UTC offset are converted."""
    if col is None:
        return pd.Series(pd.NaT, index=gdf.index, dtype="datetime64[ns]")
    raw: pd.Series = gdf[col]
    if pd.api.types.is_datetime64_any_dtype(raw):
        tz = getattr(raw.dt, "tz", None)
        return (raw.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None) if tz else raw).astype("datetime64[ns]")
    codes, uniques = pd.factorize(as_text(raw))  # parse each distinct text once
    text = pd.Series(uniques, dtype=object)
    text = text.where(text != "", None)
    zoned = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if zoned.any():
        parsed[zoned] = _parse_dates(text[zoned], utc=True)
    if (~zoned).any():
        parsed[~zoned] = _parse_dates(text[~zoned], utc=False)
    values = np.append(parsed.to_numpy("datetime64[ns]"), np.datetime64("NaT", "ns"))
    out = pd.Series(values[codes], index=gdf.index, dtype="datetime64[ns]")
    bad = out.isna().to_numpy() & text.notna().to_numpy()[codes]
    if bad.any():
        rows = ", ".join(map(str, gdf.loc[bad, readers.ROW].to_numpy()[:5]))
        logger.warning("%s: %d date(s) in column %s could not be read (rows %s); they count as undated",
                       Path(path).name, int(bad.sum()), col, rows)
    return out


def read_incidents(layer: PointLayer, scenario: Scenario) -> gpd.GeoDataFrame:
    """Read an incident layer into the standard incident columns, in the scenario's CRS.

    Parameters
    ----------
    layer
        The scenario's ``[[incidents]]`` entry: the file and its column names.
    scenario
        The scenario (working CRS, precision classes, paths).

    Returns
    -------
    geopandas.GeoDataFrame
        ``incident_id``, ``category``, ``weight``, ``date``, ``precision``,
        ``street``, ``source``, geometry. Category names are folded to the
        standard keys (``Våld`` -> ``vald``); an empty category gets
        ``default_category``; a missing weight is 1; rows whose precision is
        not a known class (e.g. ``unlocated``) are dropped with a warning.
        ``attrs`` as from :func:`camsite.readers.read_points`.

    Raises
    ------
    InputError
        Unreadable file, missing columns, a negative or non-numeric weight.
    """
    path = str(scenario.resolve(layer.path))
    gdf = readers.read_points(path, crs=layer.crs, x_column=layer.x_column, y_column=layer.y_column,
                              layer=layer.layer, target_crs=scenario.crs, id_column=layer.id_column,
                              text_columns=tuple(c for c in (layer.id_column,) if c))
    cat_col = _column(gdf, layer.category_column, path, required=layer.category_column != "category")
    if cat_col is None:
        logger.info("%s has no column %r: every incident is %r", Path(path).name, layer.category_column,
                    layer.default_category)
    prec_col = _optional(gdf, layer.precision_column, "precision", path, "every incident is precision 'point'")
    _check_scalars(gdf, (cat_col, prec_col, layer.id_column, _first_present(gdf, _STREET_NAMES)), path)
    precision = _lower_or(gdf[prec_col], "point") if prec_col else np.full(len(gdf), "point", object)
    known = set(scenario.demand.precision_factors) | set(PRECISIONS)
    unknown = ~np.isin(precision, list(known))
    if unknown.any():
        gdf = _drop_rows(gdf, unknown, f"precision not one of {', '.join(sorted(known))}")
        precision = precision[~unknown]
    id_col = _column(gdf, layer.id_column, path, required=True) if layer.id_column else _first_present(gdf, _ID_NAMES)
    street_col = _first_present(gdf, _STREET_NAMES)
    data = {
        "incident_id": _ids(gdf, id_col, layer.name),
        "category": _categories(gdf[cat_col], layer.default_category) if cat_col
        else np.full(len(gdf), layer.default_category, object),
        "weight": _weights(gdf, _optional(gdf, layer.weight_column, None, path, "every incident weighs 1"), path),
        "date": _dates(gdf, _optional(gdf, layer.date_column, None, path, "incidents are undated"), path).to_numpy(),
        "precision": precision,
        "street": as_text(gdf[street_col]).to_numpy(object) if street_col else np.full(len(gdf), "", object),
        "source": np.full(len(gdf), layer.source or layer.name, object),
        "indoor": _flags(gdf, _first_present(gdf, ("indoor", "inomhus"))),
        "district": as_text(gdf[dcol]).to_numpy(object) if (dcol := _first_present(gdf, ("district", "stadsdel")))
        else np.full(len(gdf), "", object),
        "uncertainty_m": _uncertainty(gdf),
    }
    out = _finish(gdf, data, INCIDENT_COLUMNS, scenario.crs)
    unused = sorted(set(pd.unique(out["category"])) - set(scenario.category_weights))
    if unused:
        logger.warning("%s: categories not in [category_weights]: %s", Path(path).name, ", ".join(unused[:10]))
    logger.info("%s: %d incidents", Path(path).name, len(out))
    return out


# -- cameras -------------------------------------------------------------------------------------------------------


def _camera_types(gdf: gpd.GeoDataFrame, layer: CameraLayer, scenario: Scenario, path: str) -> np.ndarray:
    names = [c.name for c in scenario.camera_types]
    name = layer.columns.get("camera_type", layer.type_column)
    col = _column(gdf, name, path, required=layer.default_type is None or "camera_type" in layer.columns)
    if col is None:
        return np.full(len(gdf), layer.default_type, object)
    text = as_text(gdf[col])
    lookup = {n.lower(): n for n in names} | {str(k).strip().lower(): v for k, v in layer.type_values.items()}
    types = text.str.lower().map(lookup)
    empty = (text == "").to_numpy()
    if layer.default_type is not None:
        types[empty] = layer.default_type
    elif empty.any():
        raise _row_error(gdf, empty, f"no camera type (known: {', '.join(names)}; or set default_type)", path, col)
    bad = types.isna().to_numpy() & ~empty
    if bad.any():
        raise _row_error(gdf, bad, f"unknown camera type {text[bad].iloc[0]!r} (known: {', '.join(names)}; or map "
                         f"it with [existing_cameras] type_values = {{ {text[bad].iloc[0]} = \"{names[0]}\" }})",
                         path, col)
    return types.to_numpy(object)


def _headings(gdf: gpd.GeoDataFrame, layer: CameraLayer, path: str) -> np.ndarray:
    name = layer.columns.get("heading_deg", layer.heading_column)
    col = _column(gdf, name, path, required=name != "heading_deg")
    if col is None:
        return np.full(len(gdf), np.nan)
    h: npt.NDArray[np.float64] = readers.to_number(gdf[col]).to_numpy(float)
    bad = np.isnan(h) & (as_text(gdf[col]).to_numpy(object) != "") | np.isinf(h)
    if bad.any():
        raise _row_error(gdf, bad, f"heading {as_text(gdf[col])[bad].iloc[0]!r} is not a number of degrees", path, col)
    return np.mod(h, 360.0)


def _heights(gdf: gpd.GeoDataFrame, layer: CameraLayer, path: str) -> np.ndarray:
    """Mounting height per camera (metres above the street; NaN: the camera type's ``height_m``)."""
    name = layer.columns.get("height_m", layer.height_column)
    col = _column(gdf, name, path, required=name != "height_m")
    if col is None:
        return np.full(len(gdf), np.nan)
    h: npt.NDArray[np.float64] = readers.to_number(gdf[col]).to_numpy(float)
    bad = (np.isnan(h) & (as_text(gdf[col]).to_numpy(object) != "")) | np.isinf(h) | (h <= 0)
    if bad.any():
        raise _row_error(gdf, bad, f"height {as_text(gdf[col])[bad].iloc[0]!r} is not a number of metres > 0", path,
                         col)
    return h


def _warn_missing_headings(cams: gpd.GeoDataFrame, scenario: Scenario, path: str) -> None:
    """Directional cameras without a heading are modelled as seeing all round: say so."""
    fov = {c.name: c.fov_deg for c in scenario.camera_types}
    narrow = cams["camera_type"].map(fov).to_numpy(float) < 360
    missing = narrow & np.isnan(cams["heading_deg"].to_numpy(float))
    if missing.any():
        logger.warning("%s: %d directional camera(s) have no heading and are modelled as seeing all round "
                       "(e.g. %s)", Path(path).name, int(missing.sum()), cams.loc[missing, "camera_id"].iloc[0])


def read_cameras(layer: CameraLayer, scenario: Scenario) -> gpd.GeoDataFrame:
    """Read the existing-camera layer into the standard camera columns, in the scenario's CRS.

    Parameters
    ----------
    layer
        The scenario's ``[existing_cameras]``: the file and its column names
        (``x_column``, ``y_column``, ``id_column``, ``type_column``,
        ``heading_column``).
    scenario
        The scenario (camera types, working CRS, paths).

    Returns
    -------
    geopandas.GeoDataFrame
        ``camera_id``, ``camera_type`` (a scenario camera type; matched
        case-insensitively, empty -> ``default_type``), ``heading_deg``
        (0-360, NaN when not given), ``height_m`` (NaN when not given: the
        type's height is used), ``source``, geometry.

    Raises
    ------
    InputError
        Unreadable file, missing columns, an unknown camera type (naming the
        row and the known types), a heading that is not a number, or the same
        camera id twice.
    """
    path = str(scenario.resolve(layer.path))
    id_name = layer.columns.get("camera_id", layer.id_column)
    gdf = readers.read_points(path, crs=layer.crs, x_column=layer.x_column, y_column=layer.y_column,
                              layer=layer.layer, target_crs=scenario.crs, id_column=id_name,
                              text_columns=tuple(c for c in (id_name, "camera_id", "id") if c))
    id_col = _column(gdf, id_name, path, required=True) if id_name else _first_present(gdf, ("camera_id", "id",
                                                                                                "kamera_id"))
    ids = _ids(gdf, id_col, "cam")
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        first = ids[np.argmax(dup)]
        rows = gdf.loc[ids == first, readers.ROW].to_numpy()
        raise InputError(f"camera id {first!r} occurs more than once (rows {', '.join(map(str, rows[:5]))})",
                         file=path, where=f"row {rows[1]}, column {id_col}")
    file_source = _first_present(gdf, ("source", "kalla"))
    source = (np.full(len(gdf), layer.source, object) if layer.source or file_source is None
              else as_text(gdf[file_source]).replace("", Path(path).name).to_numpy(object))
    if not layer.source and file_source is None:
        source = np.full(len(gdf), Path(path).name, object)
    data = {
        "camera_id": ids,
        "camera_type": _camera_types(gdf, layer, scenario, path),
        "heading_deg": _headings(gdf, layer, path),
        "height_m": _heights(gdf, layer, path),
        "source": source,
    }
    owners, unmapped = inventory.owners(gdf, layer, path)
    unmapped += inventory.unused_columns(gdf, layer, used=(id_col, file_source), path=path)
    out = _finish(gdf, data, CAMERA_COLUMNS, scenario.crs)
    if owners is not None:
        out.insert(len(CAMERA_COLUMNS) - 1, "owner", owners)
    out.attrs["unmapped"] = unmapped
    _warn_missing_headings(out, scenario, path)
    logger.info("%s: %d existing cameras", Path(path).name, len(out))
    return out
