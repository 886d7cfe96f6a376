"""Privacy: demand aggregated per street segment, small counts suppressed.

Incident points are sensitive. By default every deliverable carries incidents
only as counts per street segment, and a count under :data:`MIN_COUNT` (but
above zero) is suppressed: shown as "fewer than 3", never as a number.

>>> import geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> edges = gpd.GeoDataFrame({"edge_id": [0, 1], "name": ["A", "B"]},
...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(0, 0), (0, 10)])], crs="EPSG:3011")
>>> demand = gpd.GeoDataFrame({"kind": ["incident"] * 4 + ["street"], "category": ["vald"] * 4 + ["gata"],
...     "weight": [1.0, 1, 1, 1, 0.1], "incidents": [1.0, 1, 1, 1, 0], "edge_id": [0, 0, 0, 1, 1]},
...     geometry=[Point(1, 0)] * 4 + [Point(0, 5)], crs="EPSG:3011")
>>> agg = aggregate_demand(demand, edges)
>>> agg[["edge_id", "incidents", "suppressed"]].to_dict("list")
{'edge_id': [0, 1], 'incidents': [3.0, nan], 'suppressed': [False, True]}
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from camsite.evidence import suppress_text

if TYPE_CHECKING:
    from camsite.result import RunResult
    from camsite.stages import CoverageRow

logger = logging.getLogger(__name__)

__all__ = ["MIN_COUNT", "aggregate_demand", "shareable", "suppress", "suppress_events"]

#: Smallest incident count shown per street segment; smaller counts above zero are suppressed.
MIN_COUNT: int = 3


def aggregate_demand(demand: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *, min_count: int = MIN_COUNT,
                     weighted_only: bool = True) -> gpd.GeoDataFrame:
    """Demand per street segment, with incident counts under ``min_count`` suppressed.

    Parameters
    ----------
    demand
        Demand points (``kind``, ``weight``, ``incidents``, ``edge_id``).
    edges
        Street segments (``edge_id``, ``name``, geometry).
    min_count
        Smallest incident count shown; counts in ``(0, min_count)`` become NaN.
    weighted_only
        Count only incidents whose weight is above zero (the ones the model
        tries to cover; traffic events weigh 0 by default).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment that carries demand: ``edge_id``, ``street``,
        ``incidents`` (count, rounded to 0.1 since located events may be
        spread over several segments; NaN if suppressed), ``incident_weight``
        (NaN if suppressed), ``street_weight``, ``suppressed`` and the segment
        line. Demand not snapped to a segment (``edge_id`` -1) is left out.
    """
    d = pd.DataFrame({"edge_id": demand["edge_id"].to_numpy(int), "weight": demand["weight"].to_numpy(float),
                      "incidents": demand["incidents"].to_numpy(float)})
    is_inc = (demand["kind"].to_numpy() == "incident") | (d["incidents"].to_numpy() > 0)
    d["incident_weight"] = np.where(is_inc, d["weight"], 0.0)
    d["street_weight"] = np.where(is_inc, 0.0, d["weight"])
    if weighted_only:
        d["incidents"] = np.where(d["weight"].to_numpy() > 0, d["incidents"], 0.0)
    unsnapped = int((d["edge_id"] < 0).sum())
    if unsnapped:
        logger.info("%d demand points are not on a street segment and are left out of the aggregate", unsnapped)
    g = d[d["edge_id"] >= 0].groupby("edge_id")[["incidents", "incident_weight", "street_weight"]].sum()
    suppressed = (g["incidents"] > 1e-9) & (g["incidents"] < min_count)  # on the exact sums, before rounding
    g["incidents"] = g["incidents"].round(1)
    g.loc[suppressed, ["incidents", "incident_weight"]] = np.nan
    g["suppressed"] = suppressed
    e = edges.set_index("edge_id", drop=False)
    g = g[g.index.isin(e.index)]
    out = gpd.GeoDataFrame({
        "edge_id": g.index.to_numpy(int), "street": e.loc[g.index, "name"].fillna("").astype(str).to_numpy(),
        "incidents": g["incidents"].to_numpy(), "incident_weight": g["incident_weight"].round(3).to_numpy(),
        "street_weight": g["street_weight"].round(3).to_numpy(), "suppressed": g["suppressed"].to_numpy(bool),
    }, geometry=e.loc[g.index].geometry.to_numpy(), crs=edges.crs)
    return out.reset_index(drop=True)


def suppress(counts: ArrayLike, *, min_count: int = MIN_COUNT) -> NDArray[np.float64]:
    """Incident counts with every value in ``(0, min_count)`` replaced by NaN.

    The one rule every shareable output follows: a count of one or two
    incidents (or a fraction of one, for an incident spread over several
    streets) could point at a person or a single event, so it is not shown.

    >>> suppress([0, 0.4, 2.99, 3, 7.5]).tolist()
    [0.0, nan, nan, 3.0, 7.5]
    """
    a = np.asarray(counts, dtype=np.float64)
    return np.where((a > 1e-9) & (a < min_count), np.nan, a)


def suppress_events(sites: pd.DataFrame, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
    """``sites`` with ``gain_events`` in ``(0, min_count)`` and those sites' ``top_event_share`` hidden (None).

    The number of events that carry a site's gain is a count like any other; the largest event's share would
    give it away (one event: 1.0), so it is hidden with it. ``rests_on_one_event`` stays: it says only whether
    the share is above one half.

    >>> t = suppress_events(pd.DataFrame({"gain_events": [1, 2, 3, 0], "top_event_share": [1.0, 0.6, 0.4, 0.0],
    ...                                   "rests_on_one_event": [True, True, False, False]}))
    >>> t["gain_events"].tolist(), t["top_event_share"].tolist()
    ([None, None, 3, 0], [None, None, 0.4, 0.0])
    """
    out = sites.copy()
    n = out["gain_events"].to_numpy(float)
    few = (n > 0) & (n < min_count)
    out["gain_events"] = pd.Series([None if f else int(v) for f, v in zip(few, n, strict=True)], index=out.index,
                                   dtype=object)
    if "top_event_share" in out:
        out["top_event_share"] = pd.Series([None if f else float(v) for f, v in
                                            zip(few, out["top_event_share"].to_numpy(float), strict=True)],
                                           index=out.index, dtype=object)
    return out


def _row(row: CoverageRow, min_count: int) -> CoverageRow:
    total, before, after = suppress([row.incidents_total, row.incidents_before, row.incidents_after],
                                    min_count=min_count).tolist()
    return dataclasses.replace(row, incidents_total=total, incidents_before=before, incidents_after=after)


def _uncoverable(data: Mapping[str, Any] | None, min_count: int) -> Mapping[str, Any] | None:
    """The worst uncoverable places with their incident counts under the rule."""
    if data is None:
        return None
    worst = [{**w, "incidents": float(suppress([w.get("incidents", 0.0)], min_count=min_count)[0])}
             for w in data.get("worst", [])]
    return {**data, "worst": worst}


def shareable(result: RunResult, *, min_count: int = MIN_COUNT) -> RunResult:
    """``result`` with every incident count that a shareable output shows passed through :func:`suppress`.

    Covers the per-site ``gain_incidents`` and ``gain_events`` (:func:`suppress_events`; sites.csv, sites.geojson, the
    spreadsheet, the report) and the incident counts of the coverage by
    category and by sub-area (summary.json, spreadsheet, report), and sets
    ``min_incident_count`` so that counts a writer derives itself (incidents
    seen by each existing camera) follow the same rule. The
    demand itself is aggregated per street segment by each writer with
    :func:`aggregate_demand`, which applies the same threshold.
    """
    sites = result.sites.copy()
    if "gain_incidents" in sites:
        sites["gain_incidents"] = suppress(sites["gain_incidents"], min_count=min_count)
    if "gain_events" in sites:
        sites = suppress_events(sites, min_count=min_count)
    for col in ("why_categories", "why_precision"):
        if col in sites:
            sites[col] = [suppress_text(str(v), min_count) for v in sites[col].fillna("")]
    s = result.summary
    summary = dataclasses.replace(
        s, coverage_by_category=tuple(_row(r, min_count) for r in s.coverage_by_category),
        coverage_by_subarea=tuple(_row(r, min_count) for r in s.coverage_by_subarea),
        coverage_by_kind=tuple(_row(r, min_count) for r in s.coverage_by_kind),
        uncoverable=_uncoverable(s.uncoverable, min_count))
    return dataclasses.replace(result, sites=sites, summary=summary, min_incident_count=min_count)
