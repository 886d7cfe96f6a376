"""Time of day: monitoring hours, night reach and incidents by hour, by hand on a two-camera street."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camsite import stages
from camsite.cameras import CameraModels
from camsite.config import MonitoringConfig, QualityConfig
from camsite.errors import ConfigError
from camsite.stages.daynight import period_masks
from camsite.timeofday import coarse_hours, day_classes, hour_counts, minute_mask
from factory import incidents, inputs, network, points, scenario

X0, Y0 = 152000.0, 6580000.0
#: Two mounting points on a 1 km street; the night incident is 25 m from A, the day incident 25 m from B.
MOUNTS = {"A": 100.0, "B": 500.0}
NIGHT_AT, DAY_AT = 125.0, 525.0


def _run(*, hours: tuple[str, ...] = ("00:00-24:00",), night_range: float = math.inf, budget: float = 100.0,
         graded: bool = False, undated: bool = False, night_weight: float = 1.0) -> SimpleNamespace:
    """One dome (range 50 m, cost 100) per mounting point; one violent incident at 02:00 near A, one at 14:00
    near B (or one undated incident near A)."""
    net = network([[(0, 0), (1000, 0)]], names=["Långgatan"], origin=(X0, Y0))
    if undated:
        rows = [("u", "vald", 1, None, "point", "", (X0 + NIGHT_AT, Y0 + 1))]
    else:
        rows = [("n", "vald", 1, "2024-03-01 02:00", "point", "", (X0 + NIGHT_AT, Y0 + 1)),
                ("d", "vald", 1, "2024-03-01 14:00", "point", "", (X0 + DAY_AT, Y0 + 1))]
    mounts = points([(X0 + x, Y0) for x in MOUNTS.values()], site_id=list(MOUNTS))
    inp = inputs(net, incidents=incidents(rows), mounting_points=mounts)
    s = scenario(category_weights={"vald": 1.0, "ovrigt": 0.0},
                 demand={"street_weight_per_m": 0.0, "snap_distance_m": 5.0},
                 candidates={"spacing_m": 0, "intersections": False, "min_distance_to_existing_m": 0},
                 camera_types=[{"name": "dome", "range_m": 50, "capex_sek": 100}],
                 optimization={"budget_sek": budget})
    cams = CameraModels.of(["dome"], range_m=[50.0], fov_deg=[360.0], cost_sek=[100.0], resolution_px=[1920.0],
                           lens_deg=[60.0], night_range_m=[night_range])
    monitoring = MonitoringConfig(hours=hours, night="20:00-06:00", night_weight=night_weight)
    inst = stages.build_instance(inp, s.demand, s.candidates, cams, category_weights=s.category_weights,
                                 monitoring=monitoring, quality=QualityConfig(coverage="graded") if graded else None)
    sol = stages.solve(inst, stages.MaxCoverage(budget), stages.constraints_for(inst, s.optimization),
                       stages.solver_options(s.optimization))
    chosen = {str(inst.candidates["site_id"].iloc[j]) for j in sol.selected}
    after = inst.rows.point_share(sol.selected)
    seen = {p: float(inst.weights[m] @ after[m]) for p, m in period_masks(inst.demand).items()}
    return SimpleNamespace(instance=inst, solution=sol, chosen=chosen, seen=seen)


def _site(res: SimpleNamespace, name: str) -> str:
    cands = res.instance.candidates
    return str(cands.loc[np.isclose(cands.geometry.x, X0 + MOUNTS[name]), "site_id"].iloc[0])


def test_all_day_both_incidents_count_each_in_its_period() -> None:
    res = _run(budget=200.0)
    d = res.instance.demand
    assert sorted(d["period"]) == ["day", "night"]
    assert res.seen == {"day": pytest.approx(1.0), "night": pytest.approx(1.0)}
    assert res.solution.objective == pytest.approx(2.0)


def test_monitoring_21_to_07_counts_only_the_night_incident() -> None:
    """Hours 21-07: the 14:00 incident is demand no new camera sees; the one camera goes to A."""
    res = _run(hours=("21:00-07:00",))
    assert res.chosen == {_site(res, "A")}
    assert res.solution.objective == pytest.approx(1.0)
    assert res.seen == {"day": pytest.approx(0.0), "night": pytest.approx(1.0)}
    # B's column sees nothing: the day incident lies outside its hours
    b = int(np.flatnonzero(res.instance.site_ids == _site(res, "B"))[0])
    assert res.instance.coverage[:, b].nnz == 0
    unc = res.instance.uncoverable
    day_id = int(res.instance.demand.index[res.instance.demand["period"] == "day"][0])
    assert unc.set_index("demand_id").loc[day_id, "reason"] == "outside_hours"


def test_night_reach_shorter_than_the_distance_hides_the_night_incident() -> None:
    """Night reach 20 m < 25 m: A sees nothing at night, so the one camera goes to B (the day incident)."""
    res = _run(night_range=20.0)
    assert res.chosen == {_site(res, "B")}
    assert res.seen == {"day": pytest.approx(1.0), "night": pytest.approx(0.0)}
    a = int(np.flatnonzero(res.instance.site_ids == _site(res, "A"))[0])
    assert res.instance.coverage[:, a].nnz == 0


def test_night_reach_longer_than_the_distance_keeps_the_night_incident() -> None:
    res = _run(night_range=30.0, budget=200.0)
    assert res.seen == {"day": pytest.approx(1.0), "night": pytest.approx(1.0)}


def test_graded_night_level_within_reach_is_the_day_level() -> None:
    """Both incidents lie 25 m from their camera (1 m off the street): within the night reach the night incident
    gets the same EN 62676-4 value as the day incident gets by day: 1920 px over 2 * 25.02 m * tan 30° =
    66.5 px/m, observe (0.5)."""
    res = _run(graded=True, night_range=30.0, budget=200.0)
    assert res.seen == {"day": pytest.approx(0.5, abs=1e-9), "night": pytest.approx(0.5, abs=1e-9)}
    short = _run(graded=True, night_range=20.0, budget=200.0)
    assert short.seen == {"day": pytest.approx(0.5, abs=1e-9), "night": pytest.approx(0.0)}


def test_undated_incident_is_spread_over_the_day() -> None:
    """An incident of unknown time counts in each class with the class's share of the day: with hours 21-07 a
    camera can credit 10 of its 24 hours."""
    res = _run(hours=("21:00-07:00",), undated=True)
    assert float(res.instance.weights.sum()) == pytest.approx(1.0)
    assert float(res.instance.demand["incidents"].sum()) == pytest.approx(1.0)
    assert res.solution.objective == pytest.approx(10 / 24)
    assert res.instance.demand_stats["incidents_unknown_time"] == 1


def test_night_weight_scales_night_incidents_only() -> None:
    res = _run(night_weight=2.0, budget=200.0)
    assert res.seen == {"day": pytest.approx(1.0), "night": pytest.approx(2.0)}


# -- windows, classes, the hour chart's privacy --------------------------------------------------------------------


def test_window_past_midnight_by_hand() -> None:
    m = minute_mask(["21:00-07:00"])
    assert int(m.sum()) == 10 * 60 and m[21 * 60] and m[6 * 60 + 59] and not m[7 * 60] and not m[20 * 60 + 59]
    classes = day_classes(MonitoringConfig(hours=("21:00-07:00",), night="20:00-06:00"))
    assert sum(c.share for c in classes) == pytest.approx(1.0)
    # night and watched: 21-06 = 9 h; night, not watched: 20-21 = 1 h; day, watched: 06-07 = 1 h
    assert {(c.night, c.watched): round(c.share * 24, 6) for c in classes} == {
        (True, True): 9.0, (True, False): 1.0, (False, True): 1.0, (False, False): 13.0}


def test_hour_counts_by_hand() -> None:
    counts = hour_counts(pd.Series(pd.to_datetime(["2024-01-01 02:10", "2024-01-02 02:59", "2024-01-03 23:00",
                                                   None])))
    assert counts[2] == 2 and counts[23] == 1 and counts.sum() == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=24, max_size=24))
def test_no_hour_bin_reveals_one_or_two_incidents(counts: list[int]) -> None:
    bins = coarse_hours(counts)
    assert all(n == 0 or n >= 3 for _, _, n in bins)
    if bins:  # every hour in exactly one bin, and the bins add up
        assert [a for a, _, _ in bins] == list(range(0, 24, bins[0][1] - bins[0][0]))
        assert sum(n for _, _, n in bins) == sum(counts)
    else:
        assert 0 < sum(counts) < 3


@pytest.mark.parametrize(("monitoring", "key"), [
    ({"hours": ["21-07"]}, "monitoring.hours[0]"),
    ({"hours": ["07:00-07:00"]}, "monitoring.hours[0]"),
    ({"night": "25:00-06:00"}, "monitoring.night"),
    ({"hours": []}, "monitoring.hours"),
    ({"night_weight": -1}, "monitoring.night_weight"),
])
def test_bad_monitoring_key_is_named(monitoring: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        scenario(monitoring=monitoring)


def test_night_range_above_range_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"camera_types\[0\]\.night_range_m"):
        scenario(camera_types=[{"name": "dome", "range_m": 50, "capex_sek": 100, "night_range_m": 80}])
