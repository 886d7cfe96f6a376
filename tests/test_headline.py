"""One headline everywhere: incident coverage on the budget curve and its knee, the events behind each site's gain
(and their suppression in shareable files), places in the robustness analysis."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from shapely.geometry import Point

import factory
from camsite import demand as dm
from camsite import evidence, privacy
from camsite.optimize import chord_knee
from camsite.robustness.places import nearby_alternatives, place_frequency, place_jaccard, place_of
from camsite.stages.headline import monotone
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS as WEIGHTS

X0, Y0 = 152000.0, 6580000.0


# -- the events behind a site's gain ------------------------------------------------------------------------------

def test_event_gains_by_hand_two_events_one_site() -> None:
    """Event A: two points (weights 3 and 1), event B: one point (2), street space (5) and an existing camera's
    point (A's third sample, 4). The site sees A's two points, B, the street and A's third point: its incident gain
    is 3 + 1 + 2 = 6 (the street is no incident, the existing camera already has the third), A carries 4/6."""
    cov = sp.csr_matrix(np.array([[1], [1], [1], [1], [1]], dtype=bool))
    w = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    events = np.array(["A", "A", "B", "", "A"], dtype=object)
    incident = np.array([True, True, True, False, True])
    existing = np.array([False, False, False, False, True])
    ev = evidence.event_gains(cov, w, events, incident, order=np.array([0]), existing=existing)
    assert ev.to_dict("records") == [{"gain_events": 2, "top_event_share": round(4 / 6, 6),
                                      "rests_on_one_event": True, "gain_event_ids": ("A", "B")}]


def test_event_gains_rank_order_and_area_samples() -> None:
    """The second site counts only what the first did not already see; an area sample (event "") counts in the
    gain but as no single event."""
    cov = sp.csr_matrix(np.array([[1, 1], [0, 1], [0, 1], [0, 1]], dtype=bool))
    w = np.array([2.0, 1.0, 1.0, 2.0])
    events = np.array(["A", "B", "C", ""], dtype=object)
    ev = evidence.event_gains(cov, w, events, np.ones(4, bool), order=np.array([0, 1]), existing=np.zeros(4, bool))
    assert ev["gain_events"].tolist() == [1, 2]  # site 0: A; site 1: B, C (A is already seen) and the area sample
    assert ev["top_event_share"].tolist() == [1.0, 0.25]  # 1 of 1 + 1 + 2
    assert ev["rests_on_one_event"].tolist() == [True, False]


def test_gain_events_suppressed_in_shareable_files() -> None:
    """Under 3 events: the count and the largest share are hidden (the share would give the count away: one event
    is 100 %); the flag stays, so a reader still learns only whether one event carries over half."""
    sites = pd.DataFrame({"gain_events": [1, 2, 3, 7], "top_event_share": [1.0, 0.55, 0.9, 0.2],
                          "rests_on_one_event": [True, True, True, False]})
    out = privacy.suppress_events(sites)
    assert out["gain_events"].tolist() == [None, None, 3, 7]
    assert out["top_event_share"].tolist() == [None, None, 0.9, 0.2]
    assert out["rests_on_one_event"].tolist() == [True, True, True, False]


def test_street_events_keep_their_ids() -> None:
    """Two street events on the same street: one demand row per (event, sample point), each event's weight on
    its own rows, so a site's gain can be traced to the events that carry it."""
    net = factory.network([[(-100, 0), (0, 0)], [(0, 0), (100, 0)]], names=["Fleminggatan"] * 2,
                          highway=["primary"] * 2, tunnel=[False] * 2, excluded=[False] * 2, half_width=10.0,
                          origin=(X0, Y0))
    inc = gpd.GeoDataFrame({"incident_id": ["s1", "s2"], "category": ["vald", "vald"], "weight": [1.0, 2.0],
                            "date": pd.to_datetime(["2024-01-01", "2024-01-01"]), "precision": ["street", "street"],
                            "street": ["Fleminggatan", "Fleminggatan"], "source": "test"},
                           geometry=[Point(X0, Y0 + 500), Point(X0, Y0 + 500)], crs=factory.CRS)
    d = dm.build_demand(net, inc, factory.scenario().demand, category_weights=WEIGHTS)[0]
    street = d[d["precision"].eq("street")]
    assert set(street["event"]) == {"s1", "s2"}
    by_event = street.groupby("event")["weight"].sum()
    assert by_event["s2"] == pytest.approx(2 * by_event["s1"])  # same street, same samples, twice the raw weight
    assert street.groupby("event")["incidents"].sum().to_dict() == pytest.approx({"s1": 1.0, "s2": 1.0})


# -- the curve's headline and its knee ------------------------------------------------------------------------------

def test_monotone_carries_the_best_plan_so_far() -> None:
    curve = pd.DataFrame({"budget_sek": [1.0, 2.0, 3.0, 4.0], "plan_incident_pct": [5.0, 4.0, 4.5, 6.0]})
    best, carried = monotone(curve)
    assert best == [5.0, 5.0, 5.0, 6.0]
    assert np.isnan(carried[0]) and carried[1:3] == [1.0, 1.0] and np.isnan(carried[3])


def test_chord_knee_by_hand() -> None:
    """From (0, 1) to (4, 8.5): scaled distances above the chord 0.15, 0.30, 0.183 -> the knee at 2."""
    c = pd.DataFrame({"budget_sek": [1.0, 2.0, 3.0, 4.0], "incident_pct": [4.0, 7.0, 8.0, 8.5]})
    k = chord_knee(c, origin=1.0)
    assert k is not None and k["budget_sek"] == 2.0 and k["chord_distance"] == pytest.approx(6 / 7.5 - 0.5)
    assert chord_knee(c.assign(incident_pct=[2.875, 4.75, 6.625, 8.5]), origin=1.0) is None  # a straight line
    convex = c.assign(incident_pct=[1.5, 2.5, 4.5, 8.5])
    assert chord_knee(convex, origin=1.0) is None


def test_default_curve_headline_equals_summary(default_out: Path) -> None:
    """budget_curve.csv's incident_pct at the scenario's budget is summary.json's incidents seen; the column never
    falls, and the knee (on it) is neither the sweep's first nor its last point."""
    curve = pd.read_csv(default_out / "budget_curve.csv")
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    at = curve.loc[np.isclose(curve["budget_sek"], summary["budget_sek"])].iloc[0]
    assert at["incident_pct"] == pytest.approx(summary["incident_coverage_after_pct"], abs=1e-3)
    assert (np.diff(curve["incident_pct"].to_numpy(float)) >= -1e-9).all()
    knee = summary["budget_curve_knee"]
    assert curve["budget_sek"].min() < knee["budget_sek"] < curve["budget_sek"].max()
    sites = pd.read_csv(default_out / "sites.csv")
    heavy = sites["top_event_share"].fillna(1.0) > 0.5  # a suppressed share may be anything: the flag says
    assert (sites.loc[heavy & sites["top_event_share"].notna(), "rests_on_one_event"]).all()
    few = sites["gain_events"].notna() & (sites["gain_events"] < 3) & (sites["gain_events"] > 0)
    assert not few.any()  # shareable: fewer than 3 events is never shown


# -- places ---------------------------------------------------------------------------------------------------------

def test_places_by_hand() -> None:
    """a-b 10 m and b-c 20 m apart (25 m radius): one place, named by the main-plan site b; d 70 m on: its own."""
    where = pd.DataFrame({"easting": [0.0, 10.0, 30.0, 100.0], "northing": 0.0},
                         index=pd.Index(["a", "b", "c", "d"], name="site_id"))
    place = place_of(["a", "b", "c", "d"], where, 25.0, main_sites=["b"], counts={"a": 2, "c": 3, "d": 1})
    assert place == {"a": "b", "b": "b", "c": "b", "d": "d"}
    samples = [["a"], ["c", "d"], ["d"], ["b"]]
    assert place_frequency(samples, place) == {"b": 0.75, "d": 0.5}
    assert place_jaccard(["b"], ["a"], place) == 1.0  # another mount of the same place
    assert place_jaccard(["b"], ["c", "d"], place) == 0.5
    assert nearby_alternatives("b", place, {"a": 2, "c": 3, "b": 1, "d": 1}) == "c (3);a (2)"
    assert place_of(["a", "b"], where, 0.0) == {"a": "a", "b": "b"}  # radius 0: every site its own place
