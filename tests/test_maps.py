"""Maps a planner can read: map.png and the report's map draw the same layers and legend.

Water, district boundaries and names, main-street names, metro entrances and
station names, exclusion and do-not-view zones, viewsheds of every camera,
demand coloured by weighted incidents per street segment, and the
attribution, on the synthetic grid of ``report_result`` with hand-made base
layers added (:func:`with_base_layers`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from camsite.report import _labels, basemap, html, maps

X0, Y0, STEP = 151500.0, 6579500.0, 120.0  # the grid of fixtures_report.build_report_result
CRS = "EPSG:3011"
ALL_KEYS = ["water", "districts", "streets_main", "streets", "metro", "study_area", "subareas", "exclusion",
            "no_view", "demand", "viewshed_ex", "existing", "viewshed_new", "proposed"]


def with_base_layers(result):
    """``result`` with districts, water, metro entrances and zones around its grid, and main streets named.

    Water is a strip south of the grid (a city-sized polygon with many vertices, most far off the map);
    KUNGSHOLMEN and STADSHAGEN split the grid (land only, ending short of the water); VASASTADEN and the
    Thorildsplan entrance lie off the map. Fleminggatan (the southern row) becomes a tertiary street.
    """
    far = Point(X0 + 240, Y0 - 3000).buffer(2950, quad_segs=256)  # a big, detailed lake reaching the grid
    water = shapely.union(far, box(X0 - 3000, Y0 - 400, X0 + 3000, Y0 - 25))
    districts = gpd.GeoDataFrame(
        {"name": ["KUNGSHOLMEN", "STADSHAGEN", "VASASTADEN"]},
        geometry=[box(X0 - 300, Y0 - 20, X0 + 2 * STEP + 7, Y0 + 900), box(X0 + 2 * STEP + 7, Y0 - 20, X0 + 1200,
                                                                          Y0 + 900),
                  box(X0 - 300, Y0 + 2000, X0 + 1200, Y0 + 3000)], crs=CRS)
    entrances = gpd.GeoDataFrame(
        {"name": ["Fridhemsplan", "Fridhemsplan", "Fridhemsplan", "Thorildsplan"]},
        geometry=[Point(X0 + 1.5 * STEP, Y0 + 2 * STEP + 8), Point(X0 + 2.5 * STEP, Y0 + 2 * STEP - 8),
                  Point(X0 + 2 * STEP + 9, Y0 + 2.4 * STEP), Point(X0 - 900, Y0 + 100)], crs=CRS)
    exclusion = gpd.GeoDataFrame({"name": ["Skolgården", "Parkeringen"], "penalty_sek": [np.nan, 50000.0]},
                                 geometry=[box(X0 + 20, Y0 + 3 * STEP + 20, X0 + 100, Y0 + 4 * STEP - 20),
                                           box(X0 + 3 * STEP + 20, Y0 + 20, X0 + 4 * STEP - 20, Y0 + 100)], crs=CRS)
    no_view = gpd.GeoDataFrame({"name": ["vard"], "label": ["Vårdboendets entré"]},
                               geometry=[Point(X0 + 3.5 * STEP, Y0 + 3.5 * STEP).buffer(25)], crs=CRS)
    edges = result.edges.copy()
    edges.loc[edges["name"] == "Fleminggatan", "highway"] = "tertiary"
    net = dataclasses.replace(result.inputs.network, edges=edges)
    inputs = dataclasses.replace(result.inputs, network=net, districts=districts, water=water, entrances=entrances,
                                 exclusion_zones=exclusion, no_view_zones=no_view)
    return dataclasses.replace(result, inputs=inputs)


@pytest.fixture(scope="module")
def full(report_result):
    return with_base_layers(report_result)


@pytest.fixture(scope="module")
def full_data(full):
    return html.map_data(full)


@pytest.fixture(scope="module")
def full_png(full):
    return maps.map_figure(full)


# -- the shared layers ---------------------------------------------------------------------------------------------


def test_layers_cut_to_the_map(full):
    ext = basemap.extent(full)
    bm = basemap.basemap(full, ext)
    frame = box(*ext).buffer(1e-6)
    assert bm.water is not None and bm.water.within(frame) and bm.water.area > 0
    assert len(shapely.get_coordinates(bm.water)) < 100  # the far-off lake's thousand vertices are cut away
    assert [name for name, _ in bm.districts] == ["KUNGSHOLMEN", "STADSHAGEN"]  # VASASTADEN is off the map
    assert bm.district_lines is not None and bm.district_lines.within(frame)
    # the border between the districts is drawn; their shore (6 m or less from the water) is not
    assert bm.district_lines.distance(LineString([(X0 + 247, Y0), (X0 + 247, Y0 + 400)])) < 1
    assert bm.district_lines.distance(box(X0 - 300, Y0 - 400, X0 + 3000, Y0 - 25)) > 4
    assert [s[0] for s in bm.stations] == ["Fridhemsplan"] and len(bm.entrances) == 3
    assert [(k, t) for k, t, _ in bm.zones] == [("exclusion", "Parkeringen (+50\xa0000 kr)"),
                                                ("exclusion", "Skolgården"), ("no_view", "Vårdboendets entré")]
    names = [s[0] for s in bm.main_streets]
    assert "Fleminggatan" in names and "Sankt Eriksgatan" in names and "Kronobergsgatan" not in names
    assert bm.attribution == ("© OpenStreetMap contributors, ODbL 1.0", "Stadsdelar och vatten: Stockholms stad (CC0)")


def test_merged_street_names_label_each_street(report_result):
    """An edge OSM merged from two streets counts for both (a list, or names joined by "; ")."""
    edges = report_result.edges.copy()
    edges["highway"] = "secondary"
    edges["names"] = edges["name"].astype(object)
    first = edges.index[edges["name"] == "Garvargatan"][0]
    edges.at[first, "names"] = ["Garvargatan", "Norr Mälarstrand"]
    edges.loc[edges["name"] == "Celsiusgatan", "names"] = "Celsiusgatan; Kungsholms strand"
    net = dataclasses.replace(report_result.inputs.network, edges=edges)
    result = dataclasses.replace(report_result, inputs=dataclasses.replace(report_result.inputs, network=net))
    streets = {n: lines for n, lines, _ in basemap.basemap(result, basemap.extent(result)).main_streets}
    assert streets["Norr Mälarstrand"][0].length == pytest.approx(STEP)
    assert streets["Kungsholms strand"][0].length == pytest.approx(4 * STEP)
    assert streets["Garvargatan"][0].length == pytest.approx(4 * STEP)


def _boxes(labels, unit_m):
    return [_labels._box(lab.x, lab.y, _labels.text_width(lab.text, lab.size, bold=lab.kind in _labels.BOLD) * unit_m,
                         1.2 * lab.size * unit_m, lab.angle) for lab in labels]


def test_labels_once_upright_apart_and_on_their_street(full):
    bm = basemap.basemap(full, basemap.extent(full))
    sites = [(x, y, 10.0) for x, y in zip(full.sites["easting"], full.sites["northing"])]
    placed = _labels.place_labels(bm, unit_m=1.0, sizes=html.LABEL_PX, markers=sites)  # as the report shows it
    texts = [lab.text for lab in placed]
    assert len(texts) == len(set(texts))
    for want in ("KUNGSHOLMEN", "STADSHAGEN", "Fridhemsplan", "Fleminggatan", "Sankt Eriksgatan", "Skolgården",
                 "Vårdboendets entré", "Fridhemsplan (platssamverkan)"):
        assert want in texts, want
    boxes = _boxes(placed, 1.0)
    for (a, ba), (b, bb) in itertools.combinations(zip(texts, boxes), 2):
        assert not ba.intersects(bb), (a, b)
    for lab, b in zip(placed, boxes):
        assert -90 < lab.angle <= 90
        assert b.within(box(*bm.extent))
        assert not any(Point(x, y).buffer(10.0).intersects(b) for x, y, _ in sites), lab.text
    streets = {n: shapely.union_all(lines) for n, lines, _ in bm.main_streets}
    for lab in placed:
        if lab.kind == "street":
            assert streets[lab.text].distance(Point(lab.x, lab.y)) < 1.0
    fleming = next(lab for lab in placed if lab.text == "Fleminggatan")
    assert fleming.angle == 0.0  # along its (east-west) street


# -- map.png ---------------------------------------------------------------------------------------------------------


def test_png_legend_is_exactly_the_layers_drawn(full_png):
    assert list(full_png.legend_keys) == ALL_KEYS
    texts = [t.get_text().replace("\n", " ") for t in full_png.legend.get_texts()]
    assert texts[:3] == ["Vatten", "Stadsdelsgräns och stadsdel", "Huvudgata (med namn)"]
    assert "Tunnelbaneuppgång och station" in texts and "Zon som ingen kamera får se in i" in texts
    assert any(t.startswith("Viktade händelser per gatusegment") for t in texts)
    assert len(texts) == len(ALL_KEYS)


def test_png_draws_names_and_attribution(full_png):
    names = {t.get_text() for t in full_png.labels}
    assert {"KUNGSHOLMEN", "STADSHAGEN", "Fleminggatan", "Fridhemsplan", "Skolgården"} <= names
    fig_texts = " ".join(t.get_text() for t in full_png.figure.texts)
    assert "© OpenStreetMap contributors, ODbL 1.0" in fig_texts
    assert "Stadsdelar och vatten: Stockholms stad (CC0)" in fig_texts


def test_png_demand_coloured_by_weighted_incidents(full, full_png):
    dem = basemap.demand(full)
    ax = full_png.figure.axes[0]
    coloured = [c for c in ax.collections if c.get_array() is not None and len(c.get_array()) == len(dem.shown)]
    assert len(coloured) == 1
    np.testing.assert_allclose(coloured[0].get_array(), dem.shown["incident_weight"].to_numpy(float))
    assert not np.allclose(dem.shown["incident_weight"], dem.shown["incidents"])  # so the test tells them apart
    bar = full_png.figure.axes[-1]
    assert bar.get_xlabel().replace("\n", " ").startswith("Viktade händelser per gatusegment")


def test_png_without_base_layers_has_no_legend_for_them(report_result):
    mf = maps.map_figure(report_result, lang="en")
    assert not {"water", "districts", "metro", "exclusion", "no_view"} & set(mf.legend_keys)
    assert {"streets", "viewshed_ex", "viewshed_new", "demand", "subareas"} <= set(mf.legend_keys)
    assert "Stockholm" not in " ".join(t.get_text() for t in mf.figure.texts)
    assert {"Fridhemsplan (platssamverkan)", "Sankt Eriksgatan"} <= {t.get_text() for t in mf.labels}


def test_png_rerun_byte_identical(full, tmp_path):
    a = maps.write_map(full, tmp_path / "a.png").read_bytes()
    b = maps.write_map(full, tmp_path / "b.png").read_bytes()
    assert a == b


# -- the report's SVG map --------------------------------------------------------------------------------------------


def test_svg_data_has_every_layer(full, full_data):
    assert full_data["water"].startswith("M") and full_data["district_lines"].startswith("M")
    labels = {(lab["k"], lab["t"]) for lab in full_data["map_labels"]}
    for want in (("district", "KUNGSHOLMEN"), ("district", "STADSHAGEN"), ("street", "Fleminggatan"),
                 ("station", "Fridhemsplan"), ("zone", "Skolgården"), ("zone", "Vårdboendets entré")):
        assert want in labels, want
    assert len(full_data["entrances"]) == 3 and {e[2] for e in full_data["entrances"]} == {"Fridhemsplan"}
    assert sorted(z["kind"] for z in full_data["zones"]) == ["exclusion", "exclusion", "no_view"]
    assert all(z["d"] for z in full_data["zones"])
    assert len(full_data["sites"]) == len(full.sites) and all(s["vs"] for s in full_data["sites"])
    assert len(full_data["existing"]) == len(full.existing) and all(c["vs"] for c in full_data["existing"])
    assert any(s[2] == 1 for s in full_data["streets"]) and any(s[2] == 0 for s in full_data["streets"])
    assert full_data["attribution"] == ["© OpenStreetMap contributors, ODbL 1.0",
                                        "Stadsdelar och vatten: Stockholms stad (CC0)"]


def test_svg_legend_matches_png(full, full_data, full_png):
    assert [k for k, _ in full_data["legend"]] == list(full_png.legend_keys) == ALL_KEYS
    assert dict(full_data["legend"])["demand"].startswith("Viktade händelser per gatusegment")


def test_svg_demand_is_weighted_and_private(full, full_data):
    dem = basemap.demand(full)
    shown = [d for d in full_data["demand"] if not d["sup"]]
    assert [d["w"] for d in shown] == pytest.approx(dem.shown["incident_weight"].tolist())
    assert full_data["demand_max"] == pytest.approx(float(dem.shown["incident_weight"].max()))
    assert all(d["n"] >= 3 for d in shown)
    assert all(d["n"] is None and d["w"] is None for d in full_data["demand"] if d["sup"])


def test_svg_english(full):
    data = html.map_data(full, lang="en")
    legend = dict(data["legend"])
    assert legend["water"] == "Water" and legend["no_view"] == "Zone no camera may look into"
    assert legend["demand"].startswith("Weighted incidents per street segment")
    assert data["attribution"][1] == "Districts and water: City of Stockholm (CC0)"
    assert ("zone", "Parkeringen (+50,000 SEK)") in {(lab["k"], lab["t"]) for lab in data["map_labels"]}


def test_svg_deterministic_and_small(full, full_data):
    again = html.map_data(full)
    assert json.dumps(again, sort_keys=True) == json.dumps(full_data, sort_keys=True)
    assert len(full_data["water"]) < 2_000  # the lake is clipped to the map, not embedded whole


def test_boundaries_source_named_when_not_stockholm(full):
    from camsite.config import Boundaries

    scen = dataclasses.replace(full.scenario, boundaries=Boundaries(districts="d.geojson", source="Lantmäteriet"))
    result = dataclasses.replace(full, scenario=scen,
                                 inputs=dataclasses.replace(full.inputs, districts=full.inputs.districts.iloc[:0]))
    data = html.map_data(result)
    assert data["attribution"][1] == "Vatten: Lantmäteriet"
    assert "districts" not in dict(data["legend"]) and not data["district_lines"]


def test_upright_and_width():
    assert [_labels.upright(a) for a in (0, 45, 135, 180, -135, 270)] == [0, 45, -45, 0, 45, 90]
    assert _labels.text_width("KUNGSHOLMEN", 10) > _labels.text_width("kungsholmen", 10)
    assert math.isclose(_labels.text_width("ab", 10, bold=True), 1.08 * _labels.text_width("ab", 10))


# -- the default run -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_report_map_has_the_base_layers(default_out):
    import re

    text = (default_out / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="camsite-data">(.*?)</script>', text, re.S).group(1).replace("<\\/", "</"))
    labels = {(lab["k"], lab["t"]) for lab in data["map_labels"]}
    assert {("district", "KUNGSHOLMEN"), ("district", "STADSHAGEN"), ("station", "Fridhemsplan")} <= labels
    assert sum(k == "street" for k, _ in labels) >= 5
    assert data["water"] and data["district_lines"] and data["entrances"]
    assert {"water", "districts", "metro", "streets_main"} <= {k for k, _ in data["legend"]}
    assert "Stadsdelar och vatten: Stockholms stad (CC0)" in text
    assert len(text.encode("utf-8")) < 250_000  # water and districts are cut to the map
