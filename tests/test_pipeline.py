"""The default Fridhemsplan scenario end to end, checked by invariants computed independently."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from pyproj import Transformer

from camsite import privacy
from camsite.result import SITES_COLUMNS

pytestmark = pytest.mark.slow


def test_budget_respected_and_status(default_result) -> None:
    r = default_result
    s = r.summary
    assert s.status == "optimal" and s.gap <= 1e-9
    assert 0 < s.spent_sek <= s.budget_sek == 1_500_000
    # spent = sum of the chosen candidates' costs, looked up in the candidate table
    idx = r.sites["candidate_index"].to_numpy()
    assert r.candidates["cost_sek"].to_numpy()[idx].sum() == pytest.approx(s.spent_sek)
    assert s.n_new_sites == len(r.sites) > 0
    assert sorted(idx.tolist()) == r.solution.selected.tolist()


def _values_by_hand(r, matrix, levels, shares):
    """Value of each (point, camera) pair recomputed in plain Python from the scenario's [quality] tables."""
    q = r.scenario.quality
    table = {"incident": q.incident, "point": q.incident, "footfall": q.footfall, "street": q.street}
    names = ("detect", "observe", "recognise", "identify")
    kinds = r.demand["kind"].to_numpy()
    lv = levels.tocoo()
    out = {}
    for i, j, code in zip(lv.row, lv.col, lv.data):
        out[(int(i), int(j))] = shares[j] * getattr(table[kinds[i]], names[int(code) - 1])
    assert set(out) >= {(int(i), int(j)) for i, j in zip(*matrix.nonzero())}
    return out


def test_reported_coverage_equals_recomputed(default_result) -> None:
    """Graded coverage: each point counts its weight times the best value any chosen or existing camera gives it,
    recomputed here pair by pair from the level codes, the cameras' shares and the scenario's value tables."""
    r = default_result
    inst = r.instance
    assert r.scenario.quality.coverage == "graded"
    w = r.demand["weight"].to_numpy()
    idx = set(r.sites["candidate_index"].tolist())
    best_before, best_after = np.zeros(len(w)), np.zeros(len(w))
    for (i, _j), v in _values_by_hand(r, r.existing_coverage, inst.existing_levels, inst.existing_shares).items():
        best_before[i] = max(best_before[i], v)
    best_after[:] = best_before
    for (i, j), v in _values_by_hand(r, r.coverage, inst.levels, inst.shares).items():
        if j in idx:
            best_after[i] = max(best_after[i], v)
    before = 100 * (w @ best_before) / w.sum()
    after = 100 * (w @ best_after) / w.sum()
    assert r.summary.coverage_before_pct == pytest.approx(before, abs=1e-3)
    assert r.summary.coverage_after_pct == pytest.approx(after, abs=1e-3)
    assert after >= before
    # the solver's objective is the covered weight beyond what existing cameras already give
    assert r.summary.objective == pytest.approx(w @ best_after, rel=1e-6)
    # the ranked table's last cumulative coverage is the total after
    assert r.sites["cumulative_coverage_pct"].iloc[-1] == pytest.approx(after, abs=1e-2)


def test_levels_match_pixel_density_by_hand(default_result) -> None:
    """Each seen pair's EN 62676-4 level, recomputed from resolution, lens angle, height and distance."""
    r = default_result
    types = {c.name: c for c in r.scenario.camera_types}
    lv = r.instance.levels.tocoo()
    dx = r.demand.geometry.x.to_numpy()[lv.row] - r.candidates.geometry.x.to_numpy()[lv.col]
    dy = r.demand.geometry.y.to_numpy()[lv.row] - r.candidates.geometry.y.to_numpy()[lv.col]
    t = r.candidates["camera_type"].to_numpy()[lv.col]
    res = np.array([types[x].resolution_px for x in t])
    lens = np.array([types[x].fov_deg if types[x].fov_deg < 360 else 360 / types[x].presets for x in t])
    drop = np.array([max(types[x].height_m - 1.6, 0) for x in t])
    ppm = res / (2 * np.hypot(np.hypot(dx, dy), drop) * np.tan(np.radians(lens) / 2))
    expected = sum((ppm >= th).astype(int) for th in (25, 62.5, 125, 250))
    assert (lv.data == expected).all()
    assert set(np.unique(lv.data)) == {1, 2, 3, 4}


def test_covered_points_are_within_range(default_result) -> None:
    """Geometry check independent of the coverage code: no covered point lies beyond its camera's range."""
    r = default_result
    ranges = {c.name: c.range_m for c in r.scenario.camera_types}
    coo = r.coverage.tocoo()
    dx = r.demand.geometry.x.to_numpy()[coo.row] - r.candidates.geometry.x.to_numpy()[coo.col]
    dy = r.demand.geometry.y.to_numpy()[coo.row] - r.candidates.geometry.y.to_numpy()[coo.col]
    limit = r.candidates["camera_type"].map(ranges).to_numpy()[coo.col]
    assert (np.hypot(dx, dy) <= limit + 1e-6).all()


def test_sites_table(default_result) -> None:
    sites = default_result.sites
    assert list(sites.columns[: len(SITES_COLUMNS)]) == list(SITES_COLUMNS)
    assert sites["rank"].tolist() == list(range(1, len(sites) + 1))
    assert sites["site_id"].is_unique  # at most one variant per physical site
    # marginal gains of a coverage function are non-increasing in greedy order (submodularity)
    assert (np.diff(sites["gain_weight"].to_numpy()) <= 1e-9).all()
    assert np.allclose(sites["cumulative_cost_sek"], sites["cost_sek"].cumsum())
    # lon/lat agree with easting/northing through an independent transformation
    lon, lat = Transformer.from_crs("EPSG:3011", "EPSG:4326", always_xy=True).transform(
        sites["easting"].to_numpy(), sites["northing"].to_numpy())
    assert np.allclose(lon, sites["lon"], atol=2e-6) and np.allclose(lat, sites["lat"], atol=2e-6)
    # all sites inside the study area around Fridhemsplan
    assert sites["lon"].between(18.0100, 18.0420).all() and sites["lat"].between(59.3290, 59.3410).all()


def test_breakdowns_add_up(default_result) -> None:
    s = default_result.summary
    cats = s.coverage_by_category
    # each row is rounded to 4 decimals: the sum may differ by up to 0.5e-4 per category
    assert sum(c.weight_total for c in cats) == pytest.approx(s.weight_total, abs=1e-4 * len(cats))
    for row in cats + s.coverage_by_subarea:
        if row.before_pct is not None:
            assert row.after_pct >= row.before_pct - 1e-9
    assert all(c.label is None for c in cats)  # categories are labelled by the report, in the run's language
    names = {row.name for row in s.coverage_by_subarea}
    assert names == {"fridhemsplan", "stadshagen", "drogscen_2023", "drogscen_2024"}
    labels = {sub.name: sub.label or sub.name for sub in default_result.scenario.subareas}
    assert {row.name: row.label for row in s.coverage_by_subarea} == labels
    assert "existing_cameras" in s.illustrative_layers
    assert s.data_sources[0].layer == "network"


def test_summary_json_is_the_summary_with_labels(default_result, default_out) -> None:
    """summary.json holds the Summary's fields in order, category labels added in Swedish, plus the file list."""
    from camsite.i18n import category_label

    data = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    fields = [f.name for f in dataclasses.fields(default_result.summary)]
    assert list(data)[: len(fields)] == fields and list(data)[len(fields):] == ["outputs"]
    shared = privacy.shareable(default_result).summary  # a small category's percentages are hidden
    for row, got in zip(shared.coverage_by_category, data["coverage_by_category"], strict=True):
        assert got["category"] == row.name and got["label"] == category_label(row.name, "sv")
        assert got["after_pct"] == row.after_pct
    assert data["n_new_sites"] == default_result.summary.n_new_sites
    assert data["data_sources"][0]["layer"] == "network" and "attribution" in data["data_sources"][0]


def test_result_shortcuts_are_read_only_views(default_result) -> None:
    r = default_result
    assert r.demand is r.instance.demand and r.candidates is r.instance.candidates
    assert r.coverage is r.instance.coverage and r.existing is r.instance.existing
    assert r.edges is r.inputs.network.edges and r.incidents is r.inputs.incidents
    assert r.study_area is r.inputs.study_area and r.subareas is r.inputs.subareas
    with pytest.raises(AttributeError):
        r.demand = r.demand  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.sites = r.sites  # type: ignore[misc]
    assert not hasattr(r, "extras")


def test_budget_curve_contains_the_main_solve(default_result) -> None:
    """The curve at the scenario's budget is the main solve (given to the sweep, not solved again)."""
    r = default_result
    curve = r.budget_curve
    assert curve is not None and curve["budget_sek"].is_monotonic_increasing
    row = curve[curve["budget_sek"] == r.summary.budget_sek]
    assert len(row) == 1
    assert row["coverage_pct"].iat[0] == pytest.approx(r.summary.coverage_after_pct, abs=1e-3)
    variants = r.candidates["variant"].to_numpy()  # the curve names sites by variant id, not row number
    assert row["sites"].iat[0] == ";".join(variants[r.solution.selected])
    # more money never covers less
    assert (np.diff(curve["coverage_pct"].to_numpy()) >= -1e-9).all()
