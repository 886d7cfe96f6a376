"""Do-not-view zones: hand-made cases with every number checked by hand, config errors, and
the care-facilities example run end to end and checked with shapely, independently of camsite's code (with a
dome that looks into an entrance forced into the plan, so that there is a masked view to check).

The corridor case: an east-west street 10 m wide, a fixed camera at the origin (range 30 m, 60° sector) and six
demand points on the centre line::

    d(-10)   cam(0)→    a(5)  b(10)  c(15)  [door(20) ±3]  e(25)

Looking east it sees a, b, c, the door point and e; the door zone is a 3 m disc around x = 20. Masked, the door
point (inside) and e (behind it, in its shadow) drop out: 3 of 5 points of weight 1 are kept (share 0.6).
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from camsite import coverage, load_scenario, stages
from camsite.vocab import DEFAULT_CATEGORY_WEIGHTS
from factory import (
    CRS,
    ROOT,
    cameras,
    incidents,
    inputs,
    invoke,
    network,
    network_cache,
    one_error_line,
    points,
    scenario,
    scenario_data,
    sites,
    write_scenario,
)

MODELS = {"fixed": (30.0, 60.0, 1.0), "dome": (30.0, 360.0, 1.0)}
CORRIDOR = box(-100, -5, 100, 5)
XS = (5.0, 10.0, 15.0, 20.0, 25.0, -10.0)  # demand rows a, b, c, door, e, d
DOOR = Point(20, 0).buffer(3)


def _zones(*geoms, names=None) -> gpd.GeoDataFrame:
    names = names or [f"z{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"name": names, "label": [n.upper() for n in names]}, geometry=list(geoms), crs=CRS)


def _corridor(weights=None, heads=(90.0, 270.0)):
    demand = points([(x, 0.0) for x in XS], weight=list(weights or [1.0] * len(XS)))
    cams = sites([(0.0, 0.0)] * len(heads), ["fixed"] * len(heads), list(heads))
    models = cameras(MODELS)
    cov = coverage.coverage_matrix(demand, cams, models, open_space=CORRIDOR)
    return demand, cams, models, cov


def _apply(demand, cams, models, cov, zones, **kw):
    kw.setdefault("viewsheds", cov.viewsheds)
    return coverage.apply_no_view(cov.matrix, demand, cams, zones, models, CORRIDOR, **kw)


def _counts(nv) -> list[list[int]]:
    return nv.zones[["candidates_masked", "candidates_removed"]].to_numpy().tolist()


# -- the array-level function, by hand -------------------------------------------------------------------------


def test_corridor_coverage_before_the_zones() -> None:
    _, _, _, cov = _corridor()
    assert cov.matrix.toarray().T.tolist() == [[True, True, True, True, True, False],  # east: a b c door e
                                               [False, False, False, False, False, True]]  # west: d


@pytest.mark.parametrize("given", [True, False], ids=["viewsheds_given", "viewsheds_computed"])
def test_camera_facing_the_zone_is_masked_the_other_untouched(given: bool) -> None:
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, _zones(DOOR), viewsheds=cov.viewsheds if given else None)
    m = nv.matrix.toarray()
    assert m[:, 0].tolist() == [True, True, True, False, False, False]  # the door point and e (behind it) drop
    assert m[:, 1].tolist() == cov.matrix.toarray()[:, 1].tolist()  # facing away: as before
    assert nv.keep.tolist() == [True, True]  # 3 of 5 kept = 0.6 >= 0.5
    assert _counts(nv) == [[1, 0]] and nv.zones["masked_variants"].tolist() == [("0",)]
    assert nv.zones[["name", "label"]].to_numpy().tolist() == [["z0", "Z0"]]
    view = nv.viewsheds.iloc[0]
    assert view.intersection(DOOR).area < 1e-6  # the zone is cut out of the viewshed ...
    assert view.covers(Point(15, 0)) and not view.covers(Point(25, 0))  # ... and what lies behind it
    if given:
        assert view.area < cov.viewsheds.iloc[0].area
        assert nv.viewsheds.iloc[1].equals(cov.viewsheds.iloc[1])


def test_below_min_view_share_the_variant_is_removed() -> None:
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, _zones(DOOR), min_view_share=0.7)  # keeps 0.6 < 0.7
    assert nv.keep.tolist() == [False, True] and _counts(nv) == [[0, 1]]
    assert nv.zones["masked_variants"].tolist() == [()]
    # the share is by demand weight: with e weighing 4, the masked view keeps 3 of 8
    demand, cams, models, cov = _corridor(weights=[1, 1, 1, 1, 4, 1])
    assert _apply(demand, cams, models, cov, _zones(DOOR)).keep.tolist() == [False, True]
    # a share of exactly min_view_share is kept
    assert _apply(*_corridor(), _zones(DOOR), min_view_share=0.6).keep.tolist() == [True, True]


def test_forbid_removes_every_variant_looking_into_a_zone() -> None:
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, _zones(DOOR), mode="forbid")
    assert nv.keep.tolist() == [False, True] and _counts(nv) == [[0, 1]]
    assert (nv.matrix != cov.matrix).nnz == 0  # nothing masked: the kept columns are as they were


def test_camera_facing_away_or_out_of_range_is_untouched() -> None:
    demand, cams, models, cov = _corridor(heads=(270.0,))
    nv = _apply(demand, cams, models, cov, _zones(DOOR), mode="forbid")
    assert nv.keep.tolist() == [True] and _counts(nv) == [[0, 0]]
    far = _zones(Point(80, 0).buffer(3))  # 77 m away, range 30 m
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, far, mode="forbid")
    assert nv.keep.tolist() == [True, True] and (nv.matrix != cov.matrix).nnz == 0


def test_zone_behind_a_wall_is_not_looked_into() -> None:
    # two parallel streets with a block between (y 5..15); a dome at the origin in the southern street
    space = shapely.union(box(-50, -5, 50, 5), box(-50, 15, 50, 25))
    demand = points([(10, 0), (-10, 0), (10, 20)], weight=[1.0, 1.0, 1.0])
    dome = sites([(0, 0)], ["dome"])
    models = cameras(MODELS)
    cov = coverage.coverage_matrix(demand, dome, models, open_space=space)
    assert cov.matrix.toarray()[:, 0].tolist() == [True, True, False]  # the northern street is out of sight
    in_block = Point(0, 10).buffer(3)  # inside the block: outside the open space, 7 m away
    other_street = Point(10, 20).buffer(3)  # 22 m away, within range, behind the block
    for given in (cov.viewsheds, None):
        nv = coverage.apply_no_view(cov.matrix, demand, dome, _zones(in_block, other_street), models, space,
                                    mode="forbid", viewsheds=given)
        assert nv.keep.tolist() == [True] and _counts(nv) == [[0, 0], [0, 0]]


def test_a_camera_inside_a_zone_is_masked_all_round() -> None:
    demand = points([(x, 0.0) for x in XS], weight=[1.0] * len(XS))
    dome = sites([(20.0, 0.0)], ["dome"])
    models = cameras(MODELS)
    cov = coverage.coverage_matrix(demand, dome, models, open_space=CORRIDOR)
    nv = coverage.apply_no_view(cov.matrix, demand, dome, _zones(DOOR), models, CORRIDOR, viewsheds=cov.viewsheds,
                                min_view_share=0.0)
    assert cov.matrix.nnz == 6 and nv.matrix.nnz == 0 and nv.keep.tolist() == [True]
    assert nv.viewsheds.iloc[0].area == pytest.approx(0.0, abs=1e-6)


def test_one_variant_looking_into_two_zones_counts_for_both() -> None:
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, _zones(DOOR, Point(-10, 0).buffer(2), Point(10, 0).buffer(1)))
    # east: masked by the door and by the disc at 10 (which hides b and c behind it too): keeps a only, 1 of 5;
    # west: the disc at -10 hides d, its only point
    assert nv.matrix.toarray().T.tolist() == [[True, False, False, False, False, False], [False] * 6]
    assert nv.keep.tolist() == [False, False] and _counts(nv) == [[0, 1], [0, 1], [0, 1]]


def test_mask_region_is_the_zone_and_its_shadow() -> None:
    square = box(10, -1, 12, 1)  # seen from the origin between bearings ±atan(1/10) = ±5.71°
    (m,) = coverage.mask_regions(np.array([0.0]), np.array([0.0]), np.array([square]), np.array([30.0]))
    inside = [(11, 0), (29, 2.5), (59, 0)]  # in the zone, in its shadow at 4.9°, out to twice the range
    outside = [(5, 0), (9.9, 0), (29, 3.5), (-20, 0)]  # in front, beside the shadow (6.9°), behind the camera
    assert [m.covers(Point(p)) for p in inside] == [True] * 3
    assert [m.covers(Point(p)) for p in outside] == [False] * 4


def test_no_zones_and_bad_mode() -> None:
    demand, cams, models, cov = _corridor()
    nv = _apply(demand, cams, models, cov, _zones())
    assert nv.keep.all() and (nv.matrix != cov.matrix).nnz == 0 and list(nv.zones.columns) == list(
        coverage.NO_VIEW_COLUMNS) and nv.zones.empty
    with pytest.raises(ValueError, match="mode must be one of mask, forbid, not 'hide'"):
        _apply(demand, cams, models, cov, _zones(DOOR), mode="hide")


# -- build_instance: removed variants leave candidates, matrix and viewsheds alike; existing cameras unchanged ------


X0, Y0 = 152000.0, 6580000.0
#: test_stages.py's street: incidents a (x=10) and b (90), street points s25 and s75, a site at 50 (on the centreline,
#: ``mount = "centreline"``) with a dome
#: (30 m all round) and a fixed camera (60 m, 60°) each way, the existing dome K1 at 100 (sees b and s75).
STAGE_CAMS = {"dome": (30.0, 360.0, 100.0), "fixed": (60.0, 60.0, 50.0)}


def _stage_instance(mode: str | None, *, viewsheds: bool = True):
    net = network([[(0, 0), (100, 0)]], names=["Fleminggatan"], origin=(X0, Y0))
    inc = incidents([("a", "vald", 1, None, "point", "", (X0 + 10, Y0 + 2)),
                     ("b", "narkotika", 1, None, "point", "", (X0 + 90, Y0 - 1))])
    k1 = gpd.GeoDataFrame({"camera_id": ["K1"], "camera_type": ["dome"], "heading_deg": [math.nan],
                           "source": ["test"]}, geometry=[Point(X0 + 100, Y0)], crs=CRS)
    inp = inputs(net, incidents=inc, existing=k1)
    extra = {} if mode is None else {"no_view_mode": mode}
    s = scenario(demand={"street_spacing_m": 50}, candidates={"spacing_m": 50, "mount": "centreline", **extra})
    if mode is not None:  # a zone around s75 (x = 75)
        inp = dataclasses.replace(inp, no_view_zones=_zones(Point(X0 + 75, Y0).buffer(3), names=["s75"]))
    return stages.build_instance(inp, s.demand, s.candidates, cameras(STAGE_CAMS),
                                 category_weights=DEFAULT_CATEGORY_WEIGHTS, viewsheds=viewsheds)


def _by_variant(inst) -> dict[str, list[bool]]:
    m = inst.coverage.toarray()
    return {v.split(":", 1)[1]: m[:, j].tolist() for j, v in enumerate(inst.candidates["variant"])}


def test_build_instance_without_zones_has_an_empty_no_view_frame() -> None:
    inst = _stage_instance(None)
    assert inst.no_view.empty and list(inst.no_view.columns) == list(coverage.NO_VIEW_COLUMNS)
    # rows a(10), b(90), s25, s75
    assert _by_variant(inst) == {"dome": [False, False, True, True], "fixed:270": [True, False, True, False],
                                 "fixed:90": [False, True, False, True]}


@pytest.mark.parametrize("viewsheds", [True, False])
def test_build_instance_masks_and_removes_consistently(viewsheds: bool) -> None:
    inst = _stage_instance("mask", viewsheds=viewsheds)
    # dome: s75 masked, keeps s25 (0.5 of 1.0); fixed:90 looks east through the zone: s75 and b behind it drop,
    # nothing is left: removed; fixed:270 looks west: untouched
    assert _by_variant(inst) == {"dome": [False, False, True, False], "fixed:270": [True, False, True, False]}
    assert inst.coverage.shape == (4, 2) and len(inst.candidate_viewsheds) == 2 and inst.costs.tolist() == [100, 50]
    assert inst.no_view[["name", "candidates_masked", "candidates_removed"]].to_numpy().tolist() == [["s75", 1, 1]]
    assert inst.no_view["masked_variants"].iloc[0] == (inst.candidates["variant"].iloc[0],)
    # the existing camera still sees s75, inside the zone
    assert inst.existing_coverage.toarray()[:, 0].tolist() == [False, True, False, True]
    if viewsheds:
        zone = Point(X0 + 75, Y0).buffer(3)
        assert all(v.intersection(zone).area < 1e-6 for v in inst.candidate_viewsheds)
        assert inst.existing_viewsheds.iloc[0].intersection(zone).area > 10


def test_build_instance_forbid() -> None:
    inst = _stage_instance("forbid")
    assert _by_variant(inst) == {"fixed:270": [True, False, True, False]}
    assert inst.no_view[["candidates_masked", "candidates_removed"]].to_numpy().tolist() == [[0, 2]]


def test_exclusion_counts_by_hand() -> None:
    from camsite import candidates

    # sites every 20 m along a 100 m street: x = 20, 40, 60, 80; 3 variants each (dome, fixed both ways)
    net = network([[(0, 0), (100, 0)]], names=["Fleminggatan"], origin=(X0, Y0))
    cfg = scenario(candidates={"spacing_m": 20, "mount": "centreline"}).candidates
    zones = gpd.GeoDataFrame({"name": ["klinik", "boende", "tom"], "penalty_sek": [np.nan, 7000.0, np.nan]},
                             geometry=[box(X0 + 30, Y0 - 10, X0 + 70, Y0 + 10), Point(X0 + 80, Y0).buffer(5),
                                       Point(X0 + 50, Y0 + 500).buffer(5)], crs=CRS)
    models = cameras(STAGE_CAMS)
    counts = candidates.exclusion_counts(net, None, cfg, cameras=models, exclusion_zones=zones)
    assert counts.to_dict("list") == {"name": ["klinik", "boende", "tom"], "sites_removed": [2, 0, 0],
                                      "candidates_removed": [6, 0, 0], "sites_penalised": [0, 1, 0],
                                      "candidates_penalised": [0, 3, 0]}
    built = candidates.build_candidates(net, None, cfg, cameras=models, crs=CRS, exclusion_zones=zones)
    assert len(built) == 12 - 6 and (built["penalty_sek"] > 0).sum() == 3
    # only sites inside the study area count
    west = box(X0 - 10, Y0 - 10, X0 + 45, Y0 + 10)
    counts = candidates.exclusion_counts(net, None, cfg, cameras=models, exclusion_zones=zones, study_area=west)
    assert counts["sites_removed"].tolist() == [1, 0, 0] and counts["sites_penalised"].tolist() == [0, 0, 0]


# -- configuration errors through the command line ---------------------------------------------------------------


@pytest.mark.parametrize(("candidates", "key", "text"), [
    ({"no_view_mode": "hide"}, "candidates.no_view_mode", 'must be "mask" or "forbid"'),
    ({"min_view_share": 1.5}, "candidates.min_view_share", "must be in [0, 1]"),
    ({"no_view": [{"name": "x", "point": [59.33, 18.03], "polygon": [[18.0, 59.3], [18.1, 59.3], [18.1, 59.4]]}]},
     "candidates.no_view[0]", "give exactly one of polygon, point or path"),
    ({"no_view": [{"name": "x", "point": [59.33, 18.03], "buffer_m": -1}]}, "candidates.no_view[0].buffer_m",
     "must be >= 0"),
])
def test_bad_no_view_settings_are_one_error_line(tmp_path: Path, candidates: dict, key: str, text: str) -> None:
    path = write_scenario(tmp_path, scenario_data(candidates=candidates))
    result = invoke("validate", path)
    one_error_line(result.stderr, result.exit_code, 2, key, text)


# -- the care-facilities example, end to end ------------------------------------------------------------------------


SENSITIVE = ROOT / "data" / "sensitive" / "kungsholmen_sensitive_places.geojson"
CARE = ROOT / "scenarios" / "examples" / "care_facilities.toml"
#: The budget of the run: the forced dome (150 000 kr over the horizon) and two more (the assertions need no more).
CARE_BUDGET = 500_000
#: The longest camera range of the default scenario (ptz_dome).
MAX_RANGE_M = 60.0
#: The example's own zones: its four entrances (the located sensitive places it inherits follow them).
ENTRANCES = 4
#: What rounding the outputs' coordinates may leave of a zone inside a masked view (m²).
SLIVER_M2 = 0.02


def _care_zones() -> gpd.GeoDataFrame:
    """The do-not-view zones as the TOML states them, built here with pyproj and shapely."""
    data = tomllib.loads(CARE.read_text(encoding="utf-8"))
    to_sweref = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    rows = []
    for z in data["candidates"]["no_view"]:
        lat, lon = z["point"]
        rows.append({"name": z["name"], "geometry": Point(*to_sweref.transform(lon, lat)).buffer(z["buffer_m"])})
    # then the located places of the sensitive-places layer the example inherits from the default scenario
    places = json.loads(SENSITIVE.read_text(encoding="utf-8"))["features"]
    for f in places:
        if f["geometry"] is not None and f["properties"]["precision"] != "not_located":
            lon, lat = f["geometry"]["coordinates"]
            rows.append({"name": f["properties"]["name"],
                         "geometry": Point(*to_sweref.transform(lon, lat)).buffer(f["properties"]["buffer_m"])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


@dataclasses.dataclass(frozen=True)
class CareRun:
    """The example run with one dome forced in beside an entrance, and that dome's view without the mask."""

    out: Path
    site: str
    zone: str
    unmasked_view: shapely.Geometry


def _dome_looking_into_an_entrance() -> tuple[str, str, shapely.Geometry]:
    """The example's candidate dome whose unmasked view covers the most of an entrance zone, from outside it.

    The dome must survive the mask (the masked instance still offers it); its view is taken from an instance built
    without the zones. Returns the site id, the zone's name and the unmasked view.
    """
    scn = load_scenario(CARE)
    inp = stages.load_inputs(scn)
    kept = set(stages.instance_for(scn, inp).candidates["variant"])
    plain = stages.instance_for(scn, dataclasses.replace(inp, no_view_zones=inp.no_view_zones.iloc[:0]))
    domes = plain.candidates["camera_type"].eq("ptz_dome").to_numpy() & plain.candidates["variant"].isin(kept)
    best: tuple[float, str, str, shapely.Geometry] | None = None
    for z in _care_zones().iloc[:ENTRANCES].itertuples():
        for site, view, at in zip(plain.candidates["site_id"][domes], plain.candidate_viewsheds[domes],
                                  plain.candidates.geometry[domes]):
            seen = view.intersection(z.geometry).area
            if at.distance(z.geometry) > 0 and (best is None or seen > best[0]):
                best = (seen, str(site), str(z.name), view)
    assert best is not None and best[0] > 100, best  # a dome seeing 100 m² of a 15 m zone (707 m²) unmasked
    return best[1], best[2], best[3]


@pytest.fixture(scope="module")
def care_run(tmp_path_factory: pytest.TempPathFactory) -> CareRun:
    """The example with the dome of :func:`_dome_looking_into_an_entrance` forced into the plan.

    New fixed cameras are capped at none, so the forced site can only be its dome, whose view the zone masks (the
    plan would otherwise keep its distance from the entrances, and check nothing).
    """
    with network_cache():  # the zones are the subject, not the network: it is read once
        site, zone, view = _dome_looking_into_an_entrance()
        tmp = tmp_path_factory.mktemp("care")
        forced = tmp / "care_forced.toml"
        forced.write_text(f"extends = {json.dumps(CARE.as_posix())}\n\n[optimization]\n"
                          f"forced_sites = [{json.dumps(site)}]\nmax_per_type = {{ fixed_1080p = 0 }}\n",
                          encoding="utf-8")
        out = tmp / "out"
        result = invoke("run", forced, "--out", out, "--budget", CARE_BUDGET, "--no-curve", "--no-progress")
    assert result.exit_code == 0, result.stderr
    return CareRun(out, site, zone, view)


@pytest.mark.slow
def test_care_facilities_no_proposed_view_includes_an_entrance(care_run: CareRun) -> None:
    out = care_run.out
    zones = _care_zones()
    assert len(zones) == ENTRANCES + 3  # the example's four entrances and the three located places it inherits
    views = gpd.read_file(out / "camsite.gpkg", layer="viewsheds")
    views = views[views["status"] == "proposed"]
    sites_geo = gpd.read_file(out / "sites.geojson").to_crs(CRS)
    assert sorted(views["camera_id"]) == sorted(sites_geo["site_id"])
    assert care_run.site in set(views["camera_id"])  # not vacuous: the forced dome looked into an entrance
    for z in zones.itertuples():
        overlap = [v.intersection(z.geometry).area for v in views.geometry]
        assert max(overlap) < SLIVER_M2, (z.name, overlap)  # no more than a rounding sliver
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sum(r["candidates_masked"] + r["candidates_removed"] for r in summary["no_view_zones"][:ENTRANCES]) > 0


@pytest.mark.slow
def test_care_facilities_forced_dome_is_masked(care_run: CareRun) -> None:
    """The forced dome is built (as a dome), listed under its zone, and its view is the unmasked one less the zone."""
    out, site = care_run.out, care_run.site
    zone = _care_zones().set_index("name").geometry[care_run.zone]
    sites_csv = pd.read_csv(out / "sites.csv", dtype={"site_id": str}).set_index("site_id")
    assert sites_csv.loc[site, "camera_type"] == "ptz_dome"
    assert Point(sites_csv.loc[site, ["easting", "northing"]].to_numpy(float)).distance(zone) <= MAX_RANGE_M
    rows = {r["name"]: r for r in json.loads((out / "summary.json").read_text(encoding="utf-8"))["no_view_zones"]}
    assert site in rows[care_run.zone]["proposed_masked"]
    views = gpd.read_file(out / "camsite.gpkg", layer="viewsheds")
    (view,) = views.geometry[(views["status"] == "proposed") & (views["camera_id"] == site)]
    unmasked = care_run.unmasked_view
    assert unmasked.intersection(zone).area > 100  # without the mask the dome sees into the entrance ...
    assert view.intersection(zone).area < SLIVER_M2  # ... with it, nothing beyond a rounding sliver
    assert unmasked.buffer(0.01).covers(view)  # the masked view is part of the unmasked one ...
    assert view.area <= unmasked.area - unmasked.intersection(zone).area + SLIVER_M2  # ... less the zone at least
    assert view.area > 0.5 * unmasked.area  # and the dome keeps most of its view: it sees on past the entrance


@pytest.mark.slow
def test_care_facilities_summary_and_gpkg_report_the_zones(care_run: CareRun) -> None:
    out = care_run.out
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = summary["no_view_zones"]
    zones = _care_zones()
    assert [r["name"] for r in rows] == list(zones["name"])
    assert all(r["label"] and r["candidates_masked"] >= 0 and r["candidates_removed"] >= 0 for r in rows)
    assert sum(r["candidates_masked"] + r["candidates_removed"] for r in rows) > 0
    sites_csv = pd.read_csv(out / "sites.csv", dtype={"site_id": str})
    xy = dict(zip(sites_csv["site_id"], zip(sites_csv["easting"], sites_csv["northing"])))
    listed = [(r["name"], site) for r in rows for site in r["proposed_masked"]]
    assert (care_run.zone, care_run.site) in listed  # not vacuous: the forced dome needs its mask
    for r, zone in zip(rows, zones.geometry):
        for site in r["proposed_masked"]:  # each needs its mask: it stands within range of that zone
            assert Point(xy[site]).distance(zone) <= MAX_RANGE_M
    layers = [n for n, _ in pyogrio.list_layers(out / "camsite.gpkg")]
    assert "no_view_zones" in layers and "exclusion_zones" in layers
    nv = gpd.read_file(out / "camsite.gpkg", layer="no_view_zones")
    assert nv[["name", "candidates_masked", "candidates_removed", "proposed_masked"]].fillna("").to_numpy().tolist() == [
        [r["name"], r["candidates_masked"], r["candidates_removed"], ", ".join(r["proposed_masked"])] for r in rows]
    ex = gpd.read_file(out / "camsite.gpkg", layer="exclusion_zones")
    assert len(ex) == 4 and (ex["sites_removed"].iloc[:3] > 0).all() and ex["sites_penalised"].iloc[3] >= 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="sensitive"' in html and "Känsliga platser" in html
    assert all(html.count(r["label"]) >= 1 for r in rows)


def test_mask_work_is_proportional_to_what_the_zone_touches():
    """A zone 20 km across costs a camera inside or beside it no more outline points than one 100 m across."""
    import tracemalloc

    import shapely as _shapely

    from camsite.coverage._noview import mask_regions

    reach = np.array([60.0, 60.0, 60.0])
    x, y = np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0])
    small, huge = Point(0, 70).buffer(50), Point(0, 10_020).buffer(10_000)  # both reach to 20 m from the camera
    inside = Point(0, 0).buffer(10_000)
    tracemalloc.start()
    try:
        masks = mask_regions(x, y, np.array([small, huge, inside], dtype=object), reach)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the outline of the 20 km zones cut in pieces of the camera's distance took 36 MB of coordinates here; the
    # part within twice the reach takes a few hundred points
    assert peak < 2_000_000, peak
    counts = [len(_shapely.get_coordinates(m)) for m in masks]
    assert max(counts) < 200, counts
    # the masks agree within the camera's reach: what they hide there is the same place
    disc = Point(0, 0).buffer(60)
    for m, z in ((masks[0], small), (masks[1], huge)):
        assert m.intersection(disc).covers(z.intersection(disc).buffer(-0.01))
    assert masks[2].covers(disc)  # the camera stands in the zone: everything is hidden
