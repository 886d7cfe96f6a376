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
>>> agg[["edge_id", "incidents", "unit", "suppressed"]].to_dict("list")
{'edge_id': [0, 1], 'incidents': [4.0, 4.0], 'unit': ['segment:0', 'segment:0'], 'suppressed': [False, False]}
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

from camsite.privacy_districts import hide_districts
from camsite.privacy_map import merge_units
from camsite.privacy_plans import hide_plans
from camsite.privacy_tables import hide_groups, hide_sites
from camsite.vocab import MIN_COUNT

if TYPE_CHECKING:
    from camsite.result import RunResult
    from camsite.stages import CoverageRow

logger = logging.getLogger(__name__)

__all__ = ["MIN_COUNT", "aggregate_demand", "shareable", "suppress", "suppress_events"]

#: Smallest incident count shown per street segment; smaller counts above zero are suppressed.


def aggregate_demand(demand: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *, min_count: int = MIN_COUNT,
                     weighted_only: bool = True, subareas: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Demand per street segment, incidents shown per unit of at least ``min_count`` incidents.

    Segments are merged into units (:func:`camsite.privacy_map.merge_units`:
    the segment, its street, a 250 m grid cell, the sub-area, the rest of the
    area) until each unit carries ``min_count`` incidents or more; every
    segment shows its unit's totals, never its own.

    Parameters
    ----------
    demand
        Demand points (``kind``, ``weight``, ``incidents``, ``edge_id``).
    edges
        Street segments (``edge_id``, ``name``, geometry).
    min_count
        Smallest incident count a unit shows (0: every segment is its own unit).
    weighted_only
        Count only incidents whose weight is above zero (the ones the model
        tries to cover; traffic events weigh 0 by default).
    subareas
        The sub-areas (``name``, geometry) for the fourth level, or None.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment that carries demand: ``edge_id``, ``street``,
        ``incidents`` (the unit's count, rounded to 0.1 since located events
        may be spread over several segments; NaN only when the whole area has
        fewer than ``min_count``), ``incident_weight`` (the unit's, likewise),
        ``street_weight`` (the segment's own), ``suppressed``, ``unit``,
        ``unit_level`` and the segment line. Demand not snapped to a segment
        (``edge_id`` -1) is left out.
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
    e = edges.set_index("edge_id", drop=False)
    g = g[g.index.isin(e.index)]
    units = merge_units(g.reset_index()[["edge_id", "incidents"]], edges, subareas=subareas,
                        min_count=float(min_count) if min_count > 0 else 1e-9)
    unit_weight = pd.Series(g["incident_weight"].to_numpy()).groupby(units["unit"].to_numpy()).transform("sum")
    suppressed = units["unit_incidents"].isna().to_numpy()
    shown_w = np.where(units["unit"].to_numpy() != "", unit_weight.to_numpy(), g["incident_weight"].to_numpy())
    out = gpd.GeoDataFrame({
        "edge_id": g.index.to_numpy(int), "street": e.loc[g.index, "name"].fillna("").astype(str).to_numpy(),
        "incidents": units["unit_incidents"].round(1).to_numpy(),
        "incident_weight": np.where(suppressed, np.nan, np.round(shown_w, 3)),
        "street_weight": g["street_weight"].round(3).to_numpy(), "suppressed": suppressed,
        "unit": units["unit"].to_numpy(), "unit_level": units["unit_level"].to_numpy(),
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

    >>> t = suppress_events(pd.DataFrame({"gain_events": [1, 2, 3, 0, None],
    ...                                   "top_event_share": [1.0, 0.6, 0.4, 0.0, 0.9],
    ...                                   "rests_on_one_event": [True, True, False, False, True]}))
    >>> t["gain_events"].tolist(), t["top_event_share"].tolist()
    ([None, None, 3, 0, None], [None, None, 0.4, 0.0, None])
    """
    out = sites.copy()
    n = out["gain_events"].to_numpy(float)
    few = ((n > 0) & (n < min_count)) | np.isnan(n)  # NaN: already hidden (:func:`privacy_tables.hide_sites`)
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
    worst = []
    for w in data.get("worst", []):
        n = float(suppress([w.get("incidents", 0.0)], min_count=min_count)[0])
        worst.append({**w, "incidents": n, **({"weight": None} if np.isnan(n) else {})})
    return {**data, "worst": worst}


def _owners(data: Mapping[str, Mapping[str, Any]] | None, min_count: int) -> Mapping[str, Any] | None:
    """Coverage before by owner: an owner whose cameras see fewer than ``min_count`` incidents shows no
    incident figure at all (the count and the percentages that would give it back travel together)."""
    if data is None:
        return None
    out: dict[str, Any] = {}
    for owner, row in data.items():
        small = np.isnan(suppress([row.get("incidents_before", 0.0)], min_count=min_count)[0])
        out[owner] = {**row, **({"incidents_before": None, "incident_before_pct": None, "before_pct": None}
                                if small else {})}
    return out


def _grand(rows: tuple[CoverageRow, ...]) -> tuple[float, float, float] | None:
    """The true (total, before, after) of the incidents row of the coverage per demand kind, if any."""
    for r in rows:
        if r.name == "incident":
            return (r.incidents_total or 0.0, r.incidents_before or 0.0, r.incidents_after or 0.0)
    return None


def _groups(rows: tuple[CoverageRow, ...], grand: tuple[float, float, float] | None,
            min_count: int) -> tuple[CoverageRow, ...]:
    return hide_groups(rows, grand=grand, min_count=min_count)


def shareable(result: RunResult, *, min_count: int = MIN_COUNT) -> RunResult:
    """``result`` with every figure a shareable output shows under the privacy rule.

    The ranked sites follow :func:`camsite.privacy_tables.hide_sites` (a site
    with a count under ``min_count`` shows neither the count nor the weight,
    level shares and running totals that would give it back); the coverage by
    category and by sub-area follows :func:`camsite.privacy_tables.hide_groups`
    (small groups hidden with their weight and percentages, plus complementary
    suppression against the incidents total); the coverage per demand kind,
    the worst uncoverable places and the coverage before by owner keep their
    percentages but hide small counts (with the weights derived from them).
    The plan-level figures (budget curve, target points, stages) follow
    :func:`camsite.privacy_plans.hide_plans` (no two published plans differ on 1 or 2 events); the
    per-district table follows :func:`camsite.privacy_districts.hide_districts`.
    ``min_incident_count`` is set so that counts a writer derives itself
    (incidents seen by each existing camera, the demand map) follow the same rule.
    """
    sites = hide_sites(result.sites, min_count=min_count)
    if "gain_events" in sites:
        sites = suppress_events(sites, min_count=min_count)
    s = result.summary
    grand = _grand(s.coverage_by_kind)
    summary = dataclasses.replace(
        s, coverage_by_category=_groups(s.coverage_by_category, grand, min_count),
        coverage_by_subarea=_groups(s.coverage_by_subarea, grand, min_count),
        coverage_by_kind=tuple(_row(r, min_count) for r in s.coverage_by_kind),
        coverage_by_period=tuple(_row(r, min_count) for r in s.coverage_by_period),
        uncoverable=_uncoverable(s.uncoverable, min_count),
        coverage_before_by_owner=_owners(s.coverage_before_by_owner, min_count))
    shared = dataclasses.replace(result, sites=sites, summary=summary, min_incident_count=min_count,
                                 districts=hide_districts(result.districts, grand=grand, min_count=min_count))
    return hide_plans(shared, min_count=min_count)
