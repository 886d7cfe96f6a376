"""What a robustness sample perturbs by default: measured coordinates within their recorded disc (text-located records
stay), not the planner's weights."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import shapely

from camsite.cli.robustness import _perturbations
from camsite.config import RobustnessConfig
from camsite.errors import ConfigError
from camsite.report._robustness import perturbed
from camsite.robustness.perturb import StreetIndex, draw_sample, moved_incidents
from factory import incidents, network, scenario

X0, Y0 = 152000.0, 6580000.0
#: A measured point with a 20 m recorded uncertainty, and one record of each text-located class.
ROWS = [("gps", "vald", 1, None, "point", "", (X0 + 300, Y0 + 5)),
        ("x", "vald", 1, None, "intersection", "", (X0 + 500, Y0)),
        ("s", "vald", 1, None, "street", "Långgatan", (X0 + 200, Y0 + 2)),
        ("t", "vald", 1, None, "station", "", (X0 + 700, Y0)),
        ("a", "vald", 1, None, "area", "", (X0 + 800, Y0))]


def _case() -> tuple[gpd.GeoDataFrame, StreetIndex]:
    net = network([[(0, 0), (1000, 0)], [(500, 0), (500, 300)]], names=["Långgatan", "Korsgatan"], origin=(X0, Y0))
    inc = incidents(ROWS)
    inc["uncertainty_m"] = [20.0, 28.0, 400.0, 75.0, 450.0]
    districts = gpd.GeoDataFrame({"name": ["D"]}, geometry=[shapely.box(X0, Y0 - 50, X0 + 900, Y0 + 50)], crs=net.crs)
    return inc, StreetIndex.build(net.edges, shapely.box(X0 - 100, Y0 - 100, X0 + 1100, Y0 + 400), districts)


def test_measured_jitter_moves_only_the_measured_point_uniformly_over_its_disc() -> None:
    """400 draws: the text-located records never move; the measured point always lies within its 20 m disc, a
    quarter of the draws within 10 m (uniform over a disc: P(d <= r/2) = 1/4; 3 binomial standard deviations of
    400 draws are 0.065) and its mean offset is near 0 (an offset's x has standard deviation r/2 = 10 m, its mean
    over 400 draws 0.5 m)."""
    inc, streets = _case()
    home = inc.geometry.to_numpy()
    dx, dy = [], []
    for seed in range(400):
        out = moved_incidents(inc, streets, np.random.default_rng(seed), jitter_m=None, positions="measured")
        g = out.geometry.to_numpy()
        assert all(g[i].equals(home[i]) for i in range(1, len(ROWS)))  # text-located: where the text puts them
        dx.append(g[0].x - home[0].x)
        dy.append(g[0].y - home[0].y)
        assert out["precision"].tolist() == inc["precision"].tolist()
    d = np.hypot(dx, dy)
    assert d.max() <= 20.0 + 1e-9 and d.min() > 0
    assert abs(float(np.mean(d <= 10.0)) - 0.25) < 0.065
    assert abs(float(np.mean(dx))) < 2.0 and abs(float(np.mean(dy))) < 2.0


def test_all_positions_moves_the_text_located_records_too() -> None:
    """``jitter_positions = "all"`` (the default): the intersection moves within its 28 m disc and the
    street record along its street; the measured point draws exactly as under "measured" (same stream)."""
    inc, streets = _case()
    home = inc.geometry.to_numpy()
    for seed in range(20):
        every = moved_incidents(inc, streets, np.random.default_rng(seed), jitter_m=None, positions="all").geometry
        only = moved_incidents(inc, streets, np.random.default_rng(seed), jitter_m=None,
                               positions="measured").geometry
        assert 0 < every.iloc[1].distance(home[1]) <= 28.0 + 1e-9
        assert not every.iloc[2].equals(home[2]) and every.iloc[2].distance(home[2]) <= 400.0 + 1e-6
        assert every.iloc[0].equals(only.iloc[0])


def test_a_draw_that_moves_nothing_reuses_the_base_coverage() -> None:
    """Every record text-located: the "measured" jitter moves none, so the draw has no moved incidents and does not
    rebuild the coverage; with "all" (the default) it does."""
    inc, streets = _case()
    text = inc.iloc[1:].copy()
    assert RobustnessConfig().jitter_positions == "all"
    on = RobustnessConfig(bootstrap=False, weights=False, ranges=False, jitter_positions="measured")
    draw = draw_sample(7, incidents=text, streets=streets, categories=("vald",), n_camera_types=1, settings=on)
    assert draw.moved is None and not draw.changes_geometry
    every = RobustnessConfig(bootstrap=False, weights=False, ranges=False, jitter_positions="all")
    draw = draw_sample(7, incidents=text, streets=streets, categories=("vald",), n_camera_types=1, settings=every)
    assert draw.moved is not None and draw.changes_geometry
    draw = draw_sample(7, incidents=inc, streets=streets, categories=("vald",), n_camera_types=1, settings=on)
    assert draw.moved is not None and not draw.moved.geometry.iloc[0].equals(inc.geometry.iloc[0])


def test_jitter_positions_is_checked_by_name() -> None:
    with pytest.raises(ConfigError, match=r"robustness\.jitter_positions: must be \"measured\" or \"all\""):
        RobustnessConfig(jitter_positions="centre").validate(file="s.toml", key="robustness")


def test_weights_are_not_varied_by_default_and_one_switch_brings_them_back() -> None:
    """A default sample leaves the category and street-space weights (the planner's judgements); ``weights = true``
    or ``--weights`` scales each by a factor in [0.5, 2] again, drawn from its own stream."""
    inc, streets = _case()
    cats = ("vald", "narkotika")
    default = RobustnessConfig()
    assert default.bootstrap and default.jitter and default.ranges and not default.weights
    draw = draw_sample(3, incidents=inc, streets=streets, categories=cats, n_camera_types=1, settings=default)
    assert dict(draw.category_factors) == {} and draw.street_factor == 1.0
    on = draw_sample(3, incidents=inc, streets=streets, categories=cats, n_camera_types=1,
                     settings=RobustnessConfig(weights=True))
    f = [*on.category_factors.values(), on.street_factor]
    assert len(f) == 3 and all(0.5 <= x <= 2.0 for x in f) and len(set(f)) == 3
    assert np.array_equal(on.counts, draw.counts) and np.array_equal(on.range_factors, draw.range_factors)
    scen = scenario()
    assert _perturbations(scen, no_bootstrap=False, no_jitter=False, weights=True, no_ranges=False).robustness.weights
    assert not _perturbations(scen, no_bootstrap=False, no_jitter=False, weights=None,
                              no_ranges=False).robustness.weights


def test_the_report_says_what_the_samples_varied() -> None:
    """The report's robustness intro lists the perturbations that were on (default: no weights), in both languages;
    an analysis saved before the settings existed had every one on."""
    default = dataclasses.asdict(RobustnessConfig())
    assert perturbed(default, "en") == ("incidents resampled with replacement, incidents moved within their position "
                                        "precision, camera ranges varied")
    measured = {**default, "jitter_positions": "measured"}
    assert perturbed(measured, "en") == ("incidents resampled with replacement, measured positions moved within their "
                                         "uncertainty (positions located from the event's text stay), camera ranges "
                                         "varied")
    assert "vikter" not in perturbed(default, "sv") and "räckvidd" in perturbed(default, "sv")
    assert perturbed({}, "en") == ("incidents resampled with replacement, incidents moved within their position "
                                   "precision, weights varied, camera ranges varied")
    off = {"bootstrap": False, "jitter": False, "weights": False, "ranges": False}
    assert perturbed(off, "sv") == "inget varierat" and perturbed(off, "en") == "nothing varied"
