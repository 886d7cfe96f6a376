"""Why each proposed site: what it newly sees, and the best alternative it was chosen over.

For the sites in rank order (each given the existing cameras and the sites
ranked before it), :func:`site_evidence` gives

* ``why_categories``: the incidents it newly covers per category, largest
  first, as text; counts below the privacy threshold read ``<3``;
* ``why_precision``: the same per precision class of the incidents' position;
* ``streets_seen``: the streets of the demand it newly covers, by weight;
* ``alternative_site_id`` and ``alternative_gain_weight``: the candidate
  outside the plan that would have added the most at that step, and its gain;
  ``alternative_gain_incidents``: the incidents in that gain (not published: the
  privacy rule hides the alternative's weight when they are fewer than 3).

>>> import geopandas as gpd, scipy.sparse as sp
>>> from shapely.geometry import Point
>>> demand = gpd.GeoDataFrame({"category": ["vald"] * 3 + ["gata"], "incidents": [1.0, 1, 1, 0],
...                            "precision": ["point"] * 3 + [""], "edge_id": [0, 0, 1, 1]},
...                           geometry=[Point(0, 0)] * 4)
>>> cov = sp.csr_matrix([[1, 0, 1], [1, 0, 0], [1, 0, 0], [0, 1, 1]], dtype=bool)
>>> ev = site_evidence(cov, np.array([1.0, 1, 1, 2]), demand, np.array(["a", "b", "c"], dtype=object),
...                    order=np.array([0]), existing=np.zeros(4, bool), edge_names={0: "Fleminggatan"})
>>> row = ev.iloc[0]
>>> row["why_categories"], row["streets_seen"], row["alternative_site_id"], float(row["alternative_gain_weight"])
('vald 3', 'Fleminggatan', 'c', 3.0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

__all__ = ["ALTERNATIVE_MIN_DISTANCE_M", "EVENT_COLUMNS", "EVENT_COUNT_COLUMNS", "EVIDENCE_COLUMNS", "ONE_EVENT_SHARE",
           "demand_events", "event_counts", "event_gains", "site_evidence", "suppress_text"]

#: An alternative to a chosen site lies at least this far (metres) from every chosen site.
ALTERNATIVE_MIN_DISTANCE_M = 50.0
#: Columns :func:`site_evidence` adds to the ranked sites.
EVIDENCE_COLUMNS = ("why_categories", "why_precision", "streets_seen", "alternative_site_id",
                    "alternative_gain_weight", "alternative_gain_incidents")

#: Unpublished columns :func:`site_evidence` adds for the privacy rule: the distinct events behind each count of
#: the "why" texts (``"vald 4, narkotika 1"``) and behind the alternative's gain.
EVENT_COUNT_COLUMNS = ("why_categories_events", "why_precision_events", "alternative_gain_events")

#: Columns :func:`event_gains` adds to the ranked sites.
EVENT_COLUMNS = ("gain_events", "top_event_share", "rests_on_one_event")
#: A site whose largest single event carries more than this share of its incident gain rests on one event.
ONE_EVENT_SHARE = 0.5


def _counts_text(labels: npt.NDArray[np.object_], counts: npt.NDArray[np.float64], min_count: int) -> str:
    """``"narkotika 4, vald <3"``: summed counts per label, largest first, small ones hidden."""
    frame = pd.DataFrame({"label": labels, "n": counts})
    frame = frame[(frame["n"] > 1e-9) & (frame["label"] != "")]
    total = frame.groupby("label")["n"].sum().sort_index().sort_values(ascending=False, kind="stable")
    return ", ".join(f"{k} {'<' + str(min_count) if v < min_count else _number(v)}" for k, v in total.items())


def _events_text(labels: npt.NDArray[np.object_], events: npt.NDArray[np.object_],
                 counts: npt.NDArray[np.float64]) -> str:
    """``"narkotika 1, vald 4"``: the distinct named events per label of the points with a count (0: only
    points that stand for no single event)."""
    frame = pd.DataFrame({"label": labels, "event": events, "n": counts})
    frame = frame[(frame["n"] > 1e-9) & (frame["label"] != "")]
    named = frame["event"].where(frame["event"] != "")
    per = named.groupby(frame["label"]).nunique().sort_index()
    return ", ".join(f"{k} {int(v)}" for k, v in per.items())


def demand_events(demand: pd.DataFrame) -> npt.NDArray[np.object_]:
    """The event each demand point stands for (its ``event``; "" for none or without the column)."""
    if "event" not in demand:
        return np.full(len(demand), "", object)
    return demand["event"].fillna("").astype(str).to_numpy(object)


def event_counts(text: str) -> dict[str, int]:
    """``"narkotika 1, vald 4"`` -> ``{"narkotika": 1, "vald": 4}`` (the :data:`EVENT_COUNT_COLUMNS` texts).

    >>> event_counts("narkotika 1, vald 4"), event_counts("")
    ({'narkotika': 1, 'vald': 4}, {})
    """
    out: dict[str, int] = {}
    for part in filter(None, str(text or "").split(", ")):
        label, _, n = part.rpartition(" ")
        out[label] = int(n)
    return out


def _number(value: float) -> str:
    """An incident count as text: whole numbers from 10, one decimal below (spread incidents are fractional)."""
    return f"{value:.0f}" if value >= 10 or abs(value - round(value)) < 0.05 else f"{value:.1f}"


def suppress_text(text: str, min_count: int) -> str:
    """``"vald 4, narkotika 1.5"`` with every count below ``min_count`` shown as ``<min_count``.

    >>> suppress_text("vald 4, narkotika 1.5, gata <3", 3)
    'vald 4, narkotika <3, gata <3'
    """
    if min_count <= 0:
        return text

    def repl(m: re.Match[str]) -> str:
        return m.group(0) if float(m.group(2)) >= min_count else f"{m.group(1)}<{min_count}"

    return re.sub(r"([^,]+ )(\d+(?:\.\d+)?)(?=,|$)", repl, text)


def _streets_text(edge_ids: npt.NDArray[np.int64], weights: npt.NDArray[np.float64],
                  edge_names: Mapping[int, str], top: int = 3) -> str:
    names = pd.Series([edge_names.get(int(e), "") for e in edge_ids], dtype=object)
    frame = pd.DataFrame({"name": names, "w": weights})
    frame = frame[frame["name"] != ""]
    total = frame.groupby("name")["w"].sum().sort_index().sort_values(ascending=False, kind="stable")
    return ", ".join(total.index[:top])


def _points(new: npt.NDArray[np.int64], weights: npt.NDArray[np.float64],
            point: npt.NDArray[np.int64] | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The demand points of the rows ``new`` (each once) and the weight the rows add per point."""
    if point is None:
        return new, weights[new]
    pts, inverse = np.unique(point[new], return_inverse=True)
    return pts.astype(np.int64), np.bincount(inverse.ravel(), weights=weights[new], minlength=len(pts)).astype(float)


def _alternative_points(csc: sp.csc_matrix, alt: int, covered: npt.NDArray[np.bool_],
                        weights: npt.NDArray[np.float64], point: npt.NDArray[np.int64] | None) -> npt.NDArray[np.int64]:
    """The demand points (each once) whose value the alternative ``alt`` would raise (none when ``alt`` < 0)."""
    if alt < 0:
        return np.zeros(0, np.int64)
    rows = csc.indices[csc.indptr[alt]:csc.indptr[alt + 1]].astype(np.int64)
    return _points(rows[~covered[rows]], weights, point)[0]


def site_evidence(coverage: sp.csr_matrix, weights: npt.NDArray[np.float64], demand: gpd.GeoDataFrame,
                  site_ids: npt.NDArray[np.object_], *, order: npt.NDArray[np.int64],
                  existing: npt.NDArray[np.bool_], edge_names: Mapping[int, str],
                  min_count: int = 0, xy: npt.NDArray[np.float64] | None = None,
                  labels: Mapping[str, str] | None = None,
                  point: npt.NDArray[np.int64] | None = None,
                  events: npt.NDArray[np.object_] | None = None) -> pd.DataFrame:
    """The evidence for each site in ``order`` (candidate columns of ``coverage``), one row per site.

    Parameters
    ----------
    coverage, weights
        Demand × candidate coverage and the demand weights.
    demand
        The demand frame: ``category``, ``incidents``, ``precision`` (optional), ``edge_id``.
    site_ids
        The physical site of each candidate column (variants of a chosen site are no alternative).
    order
        The chosen candidates in rank order.
    existing
        Demand the existing cameras already see.
    edge_names
        Street name per edge id.
    min_count
        Counts below this are shown as ``<min_count`` (0: every count; the privacy rule applies
        :func:`suppress_text` to shareable outputs).
    xy
        Candidate coordinates: when given, an alternative must lie at least
        :data:`ALTERNATIVE_MIN_DISTANCE_M` from every chosen site (another
        place, not a neighbouring mount of the same corner); otherwise it must
        only be another site.
    labels
        Display text for category and precision keys (e.g. Swedish labels).
    point
        With graded coverage, ``coverage`` has the optimiser's rows (:class:`camsite.stages.ValueRows`):
        the demand row (of ``demand``) of each. A site's evidence then counts each point whose value it
        raises once, whatever the number of its levels.
    events
        Per demand point: the event it stands for ("" for none). When given, the
        :data:`EVENT_COUNT_COLUMNS` are added (the distinct events behind each count).
    """
    labels = labels or {}
    csc = sp.csc_matrix(coverage, dtype=np.float64)
    covered = np.asarray(existing, bool).copy()
    if xy is not None and len(order):
        d2 = ((xy[:, None, :] - xy[order][None, :, :]) ** 2).sum(axis=2)
        outside = d2.min(axis=1) >= ALTERNATIVE_MIN_DISTANCE_M ** 2
    else:
        chosen_sites = set(site_ids[order].tolist())
        outside = np.array([s not in chosen_sites for s in site_ids], bool)
    cats = demand["category"].astype(str).map(lambda c: labels.get(c, c)).to_numpy(object)
    prec = demand["precision"].fillna("").astype(str).map(lambda c: labels.get(c, c)).to_numpy(object) \
        if "precision" in demand.columns else np.full(len(demand), "", object)
    inc = demand["incidents"].to_numpy(float)
    edges = demand["edge_id"].to_numpy(np.int64)
    ev = np.full(len(demand), "", object) if events is None else np.asarray(events, object)
    rows = []
    for j in order:
        gain_all = np.asarray(csc.T @ (weights * ~covered)).ravel()
        gain_all[~outside] = -np.inf
        alt = int(np.argmax(gain_all)) if outside.any() else -1
        new = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        new = new[~covered[new]]
        pts, wpts = _points(new, weights, point)
        alt_pts = _alternative_points(csc, alt, covered, weights, point)
        is_inc = inc[pts] > 0
        rows.append({
            "why_categories": _counts_text(cats[pts][is_inc], inc[pts][is_inc], min_count),
            "why_precision": _counts_text(prec[pts][is_inc], inc[pts][is_inc], min_count),
            "streets_seen": _streets_text(edges[pts], wpts, edge_names),
            "alternative_site_id": site_ids[alt] if alt >= 0 else "",
            "alternative_gain_weight": round(float(gain_all[alt]), 4) if alt >= 0 else np.nan,
            "alternative_gain_incidents": round(float(inc[alt_pts].sum()), 3) if alt >= 0 else np.nan,
            "why_categories_events": _events_text(cats[pts][is_inc], ev[pts][is_inc], inc[pts][is_inc]),
            "why_precision_events": _events_text(prec[pts][is_inc], ev[pts][is_inc], inc[pts][is_inc]),
            "alternative_gain_events": len({e for e in ev[alt_pts][inc[alt_pts] > 0] if e}),
        })
        covered[new] = True
    columns = [*EVIDENCE_COLUMNS, *(EVENT_COUNT_COLUMNS if events is not None else ())]
    return pd.DataFrame(rows, columns=columns)


def event_gains(coverage: sp.csr_matrix, weights: npt.NDArray[np.float64], events: npt.NDArray[np.object_],
                incident: npt.NDArray[np.bool_], *, order: npt.NDArray[np.int64], existing: npt.NDArray[np.bool_],
                point: npt.NDArray[np.int64] | None = None) -> pd.DataFrame:
    """How many events carry each site's incident gain, and the largest one's share (one row per site in ``order``).

    A site's incident gain is the weight of the incident rows it newly reaches (given the existing cameras and
    the sites ranked before it), as in sites.csv's ``gain_weight``. ``gain_events`` counts the distinct
    ``events`` (the demand's ``event``: the incident an intersection, street, station or point sample stands
    for) with a positive share of it; district-level samples (``event`` "") stand for many events at once and
    count in the gain but as no single event. ``top_event_share`` is the largest single event's share of the
    gain (0 without gain) and ``rests_on_one_event`` says whether it exceeds :data:`ONE_EVENT_SHARE`.
    ``gain_event_ids`` (not published: for the privacy rule) holds the events themselves.

    ``coverage`` and ``weights`` are the optimiser's rows (or demand points when ``point`` is None);
    ``events`` and ``incident`` are per demand point.

    >>> cov = sp.csr_matrix([[1], [1], [1], [0]], dtype=bool)
    >>> ev = event_gains(cov, np.array([3.0, 1.0, 2.0, 5.0]), np.array(["a", "a", "b", "c"], dtype=object),
    ...                  np.ones(4, bool), order=np.array([0]), existing=np.zeros(4, bool))
    >>> ev.drop(columns="gain_event_ids").to_dict("records"), ev["gain_event_ids"].tolist()
    ([{'gain_events': 2, 'top_event_share': 0.666667, 'rests_on_one_event': True}], [('a', 'b')])
    """
    csc = sp.csc_matrix(coverage, dtype=np.float64)
    covered = np.asarray(existing, bool).copy()
    pts_of = np.arange(csc.shape[0]) if point is None else np.asarray(point, np.int64)
    rows = []
    for j in order:
        new = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        new = new[~covered[new]]
        covered[new] = True
        p = pts_of[new]
        keep = incident[p] & (weights[new] > 0)
        total = float(weights[new][keep].sum())
        named = keep & (events[p] != "")
        labels, inverse = np.unique(events[p][named].astype(str), return_inverse=True)
        per = np.bincount(inverse.ravel(), weights=weights[new][named], minlength=len(labels))
        carried = per > 1e-12 * max(total, 1e-300)
        per = per[carried]
        top = round(float(per.max()) / total, 6) if len(per) and total > 0 else 0.0
        rows.append({"gain_events": len(per), "top_event_share": top,
                     "rests_on_one_event": bool(top > ONE_EVENT_SHARE),
                     "gain_event_ids": tuple(labels[carried].tolist())})
    return pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "gain_event_ids"])
