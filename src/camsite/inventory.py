"""The real camera inventory: owners, columns the scenario does not map, coverage before by owner.

The police liaison's inventory names its columns and values its own way
(``kameratyp`` = PTZ / fast, ``riktning``, ``ägare`` = Polisen). The scenario's
``[existing_cameras] columns``, ``type_values`` and ``owner_values`` map them;
what is left unmapped is named here, so that ``camsite run`` warns and
``camsite validate --strict`` fails instead of silently dropping a heading.

>>> import pandas as pd
>>> from camsite.config import CameraLayer
>>> df = pd.DataFrame({"id": ["a", "b", "c"], "lat": [59.3] * 3, "lon": [18.0] * 3, "Ägare": ["Polisen", "stad", "Vakt AB"],
...                    "riktning": [10, 20, 30]})
>>> owner, unmapped = owners(df, CameraLayer(path="x.csv", columns={"owner": "Ägare"}), "x.csv")
>>> owner.tolist(), [m.split(" (")[0] for m in unmapped]
(['police', 'city', 'other'], ["x.csv: owner value 'Vakt AB' is not mapped"])
>>> [m.split(" (")[0] for m in unused_columns(df, CameraLayer(path="x.csv", columns={"owner": "Ägare"}),
...                                             used=("id",), path="x.csv")]
["x.csv: column 'riktning' is not mapped and not used"]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from camsite.config import CAMERA_FIELDS, OWNERS, CameraLayer

logger = logging.getLogger(__name__)

__all__ = ["OWNER_WORDS", "before_by_owner", "owners", "unused_columns"]

#: Owner words understood without ``owner_values`` (lower case).
OWNER_WORDS: Mapping[str, str] = {
    "police": "police", "polis": "police", "polisen": "police", "polismyndigheten": "police",
    "city": "city", "stad": "city", "staden": "city", "kommun": "city", "kommunen": "city", "stadsdel": "city",
    "stadsdelsförvaltning": "city", "municipality": "city", "other": "other", "annan": "other", "övrig": "other",
    "privat": "other", "private": "other",
}
#: Columns a camera file may carry that camsite reads elsewhere or has no use for (lower case).
_IGNORED = frozenset({
    "lat", "lon", "lng", "latitude", "longitude", "x", "y", "easting", "northing", "e", "n", "geometry", "wkt",
    "source", "kalla", "källa", "name", "namn", "description", "beskrivning", "address", "adress", "comment",
    "kommentar", "note", "anteckning", "camera_id", "id", "kamera_id", "_row",
})
#: A guess of which standard column an unmapped column means, for the warning's example.
_HINTS: Mapping[str, str] = {"typ": "camera_type", "type": "camera_type", "riktning": "heading_deg",
                             "heading": "heading_deg", "bearing": "heading_deg", "direction": "heading_deg",
                             "höjd": "height_m", "hojd": "height_m", "height": "height_m", "ägare": "owner",
                             "agare": "owner", "owner": "owner", "huvudman": "owner", "operator": "owner"}


def _find(df: pd.DataFrame, name: str) -> str | None:
    low = {str(c).strip().lower(): str(c) for c in df.columns}
    return name if name in df.columns else low.get(name.strip().lower())


def owners(df: pd.DataFrame, layer: CameraLayer, path: str) -> tuple[NDArray[np.object_] | None, list[str]]:
    """Each camera's owner (police, city or other) and the warnings for values not mapped.

    None when the file has no owner column (``columns.owner`` or ``owner_column``).
    Empty and unmapped values count as "other"; each unmapped value is named once.
    """
    col = _find(df, layer.columns.get("owner", layer.owner_column))
    if col is None:
        return None, []
    text = df[col].where(df[col].notna(), "").astype(str).str.strip()
    table = {**OWNER_WORDS, **{k.strip().lower(): v for k, v in layer.owner_values.items()}}
    mapped = text.str.lower().map(table)
    messages = [f"{Path(path).name}: owner value {v!r} is not mapped (counted as other; map it with "
                f"[existing_cameras] owner_values = {{ {v!r} = \"police\" | \"city\" | \"other\" }})"
                for v in pd.unique(text[mapped.isna() & (text != "")])]
    for m in messages:
        logger.warning("%s", m)
    return mapped.fillna("other").to_numpy(object), messages


def unused_columns(df: pd.DataFrame, layer: CameraLayer, *, used: Sequence[str | None], path: str) -> list[str]:
    """Warnings naming each column of the file that no key maps and camsite does not use."""
    mapped = {layer.type_column, layer.heading_column, layer.height_column, layer.owner_column,
              layer.x_column, layer.y_column, layer.id_column, *layer.columns.values(), *used}
    known = {str(c).strip().lower() for c in mapped if c} | _IGNORED
    messages = []
    for c in df.columns:
        name = str(c)
        if name.strip().lower() in known or name.startswith("_"):
            continue
        hint = next((v for k, v in _HINTS.items() if k in name.lower()), None)
        example = f"columns = {{ {hint} = \"{name}\" }}" if hint in CAMERA_FIELDS else "columns = { ... }"
        messages.append(f"{Path(path).name}: column {name!r} is not mapped and not used (map it with "
                        f"[existing_cameras] {example}, or remove it)")
    for m in messages:
        logger.warning("%s", m)
    return messages


def before_by_owner(owner: Sequence[str], values: sp.csr_matrix, weights: NDArray[np.float64],
                    incidents: NDArray[np.float64], is_incident: NDArray[np.bool_]) -> dict[str, dict[str, float]]:
    """Coverage before the plan by each owner's cameras alone.

    Parameters
    ----------
    owner
        Per existing camera (column of ``values``): police, city or other.
    values
        Demand × existing cameras: each pair's value (1 = seen; graded: the level's value times the share of time).
    weights, incidents
        Per demand point: its weight and the incidents it stands for.
    is_incident
        Per demand point: incident demand (the headline's denominator).

    Returns
    -------
    dict
        Per owner present (in :data:`OWNERS` order): ``cameras``, ``incident_before_pct`` (share of
        the incident weight seen by that owner's cameras), ``before_pct`` (share of all weight) and
        ``incidents_before`` (the incidents seen; the privacy rule suppresses it when shared).

    >>> v = sp.csr_matrix(np.array([[1.0, 0], [0, 0.5], [0, 0]]))
    >>> before_by_owner(["police", "city"], v, np.array([1.0, 1, 2]), np.array([1.0, 1, 0]),
    ...                 np.array([True, True, False]))
    {'police': {'cameras': 1, 'incident_before_pct': 50.0, 'before_pct': 25.0, 'incidents_before': 1.0}, 'city': {'cameras': 1, 'incident_before_pct': 25.0, 'before_pct': 12.5, 'incidents_before': 0.5}}
    """
    own = np.asarray(owner, dtype=object)
    total, inc_total = float(weights.sum()), float(weights[is_incident].sum())
    out: dict[str, dict[str, float]] = {}
    csc = sp.csc_matrix(values)
    for o in OWNERS:
        cols = np.flatnonzero(own == o)
        if not len(cols):
            continue
        best = csc[:, cols].max(axis=1).toarray().ravel().astype(float)
        out[o] = {"cameras": len(cols),
                  "incident_before_pct": round(100 * float(weights[is_incident] @ best[is_incident]) / inc_total, 3)
                  if inc_total > 0 else 0.0,
                  "before_pct": round(100 * float(weights @ best) / total, 3) if total > 0 else 0.0,
                  "incidents_before": round(float(incidents @ best), 3)}
    return out
