"""Camera views by EN 62676-4 level (graded coverage): the rings, the GeoPackage layer, the report and the workbook.

Ring areas are checked against hand computation: a level disc is shapely's
buffer of a point, a regular 64-gon (``QUAD_SEGS`` = 16 segments per quarter)
with a vertex on each axis, of area 32 sin(π/32) r² (0.16 % under π r²).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from camsite.quality import LEVELS
from camsite.report import _sections, _views, basemap, xlsx
from camsite.stages.summary import LEVEL_SHARE_COLUMNS

K64 = 32 * math.sin(math.pi / 32)  # area of the 64-gon disc of radius 1
REACH = {"dome": [40.0, 20.0, 10.0, 5.0], "fixed": [20.0, 20.0, 10.0, 0.0]}  # detect first


def _cams(**cols):
    return gpd.GeoDataFrame(cols, geometry=[Point(0, 0)] * len(cols["camera_type"]), crs="EPSG:3011")


def test_all_round_camera_in_open_square_gives_annuli():
    cams = _cams(camera_id=["d1"], camera_type=["dome"], share=[0.25])
    views = _views.level_views(cams, [box(-100, -100, 100, 100)], REACH)
    assert views["level"].tolist() == list(LEVELS)  # detect first: identify drawn on top
    assert views["level_rank"].tolist() == [1, 2, 3, 4]
    # 40² − 20², 20² − 10², 10² − 5², 5²
    np.testing.assert_allclose(views.area.to_numpy(), K64 * np.array([1200.0, 300.0, 75.0, 25.0]), rtol=1e-9)
    assert views.area.sum() == pytest.approx(math.pi * 40**2, rel=2e-3)  # the polygons are close to π r²
    assert views["share"].tolist() == [0.25] * 4 and views["reach_m"].tolist() == [40.0, 20.0, 10.0, 5.0]
    assert set(views["camera_id"]) == {"d1"} and views.crs == "EPSG:3011"


def test_sector_view_is_cut_and_unreached_levels_left_out():
    """A view over the north-east quadrant only: quarter annuli. The fixed type reaches detect no further
    than observe (no detect ring) and never identifies (reach 0: no ring); a camera without a view is left out."""
    cams = _cams(site_id=["a", "b", "c"], camera_type=["dome", "fixed", "fixed"])
    quadrant = box(0, 0, 100, 100)
    views = _views.level_views(cams, [quadrant, quadrant, None], REACH)
    a, b = views[views["site_id"] == "a"], views[views["site_id"] == "b"]
    np.testing.assert_allclose(a.area.to_numpy(), K64 / 4 * np.array([1200.0, 300.0, 75.0, 25.0]), rtol=1e-9)
    assert b["level"].tolist() == ["observe", "recognise"]
    np.testing.assert_allclose(b.area.to_numpy(), K64 / 4 * np.array([400.0 - 100.0, 100.0]), rtol=1e-9)
    assert "c" not in set(views["site_id"]) and (views["share"] == 1.0).all()


def test_views_need_one_viewshed_per_camera():
    with pytest.raises(ValueError, match="2 viewsheds for 1 cameras"):
        _views.level_views(_cams(camera_id=["x"], camera_type=["dome"]), [box(0, 0, 1, 1)] * 2, REACH)


# -- the default (graded) scenario -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_gpkg_views_layer_by_level(default_out, default_result):
    names = [n for n, _ in pyogrio.list_layers(default_out / "camsite.gpkg")]
    assert "views" in names and "viewsheds" in names
    got = pyogrio.read_dataframe(default_out / "camsite.gpkg", layer="views")
    assert set(got["level"]) == set(LEVELS)
    assert dict(zip(got["level"], got["level_label"])) == {"identify": "identifiera", "recognise": "känna igen",
                                                           "observe": "observera", "detect": "upptäcka"}
    inst = default_result.instance
    proposed, existing = got[got["source"] == "proposed"], got[got["source"] == "existing"]
    assert set(proposed["camera_id"]) == set(default_result.sites["site_id"].astype(str))
    assert set(existing["camera_id"]) == set(default_result.existing["camera_id"].astype(str))
    reach = dict(zip(inst.cameras.names, inst.cameras.level_reach()))
    for row in got.itertuples():  # each ring's outer radius is its type's reach of that level (EN 62676-4)
        assert row.reach_m == pytest.approx(reach[row.camera_type][row.level_rank - 1], abs=0.05)
        assert Point(*_centre(default_result, row)).buffer(row.reach_m + 0.05).contains(row.geometry)
    shares = dict(zip(default_result.existing["camera_id"].astype(str), inst.existing_shares))
    assert existing.groupby("camera_id")["share"].first().to_dict() == pytest.approx(shares)
    assert sorted(set(shares.values())) == [0.25, 1.0]  # a patrolling dome: a quarter of the time per preset


def _centre(result, row):
    if row.source == "proposed":
        site = result.sites[result.sites["site_id"].astype(str) == row.camera_id].iloc[0]
        return site["easting"], site["northing"]
    cam = result.existing[result.existing["camera_id"].astype(str) == row.camera_id].geometry.iloc[0]
    return cam.x, cam.y


@pytest.mark.slow
def test_rings_partition_each_view(default_result):
    """The rings of a camera split its viewshed (already cut to the detect reach): their areas add up to it."""
    views = _views.run_views(default_result)
    vs = default_result.candidate_viewsheds.iloc[default_result.sites["candidate_index"].to_numpy(int)]
    for sid, view in zip(default_result.sites["site_id"].astype(str), vs):
        rings = views[(views["source"] == "proposed") & (views["camera_id"] == sid)]
        assert rings.area.sum() == pytest.approx(view.area, rel=1e-3), sid
        assert not rings.geometry.iloc[0].overlaps(rings.geometry.iloc[-1])


@pytest.mark.slow
def test_report_views_section_and_legend(default_out, default_result):
    text = (default_out / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="card" id="views">(.*?)</section>', text, re.S).group(1)
    assert "EN 62676-4" in section and "25 % av tiden per förinställning" in section
    sites = pd.read_csv(default_out / "sites.csv")
    n_fixed = int((sites["camera_type"] == "fixed_1080p").sum())
    assert f"<td class=\"num\">{n_fixed}</td>" in section
    # the plan's gain (a site's own gain may be hidden by the privacy rule) split by the summary's level shares
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    plan_gain = (summary["coverage_after_pct"] - summary["coverage_before_pct"]) * summary["weight_total"] / 100
    gains = [plan_gain * summary["gain_by_level_pct"][lvl] / 100 for lvl in reversed(LEVELS)]
    assert sum(gains) == pytest.approx(plan_gain, rel=2e-3)  # the shares add up to 100 %
    cells = re.findall(r'<td class="num">([0-9 ,\xa0]+)</td>', section)
    assert [_sections.fmt_num(g, 2, "sv") for g in gains] == cells[-8::2]
    legend = [k for k, _ in basemap.legend_items(default_result, basemap.basemap(default_result,
                                                                                     basemap.extent(default_result)),
                                                  basemap.demand(default_result), lang="sv", include_incidents=False)]
    assert [k for k in legend if k.startswith("view")] == ["view_identify", "view_recognise", "view_observe",
                                                           "view_detect"]
    assert "Synfält: identifiera (≥ 250 px/m)" in text


@pytest.mark.slow
def test_xlsx_sites_sheet_has_level_columns(default_out):
    ws = openpyxl.load_workbook(default_out / "inventory.xlsx")["Föreslagna platser"]
    head = [c.value for c in ws[1]]
    for want in ("Riktning (grader)", "Bildvinkel (grader)", "Räckvidd (m)", "Andel av tillskottet: identifiera",
                 "Andel av tillskottet: känna igen", "Andel av tillskottet: observera", "Andel av tillskottet: upptäcka"):
        assert want in head, want
    sites = pd.read_csv(default_out / "sites.csv")
    col = head.index("Andel av tillskottet: identifiera") + 1
    for k, share in enumerate(sites["gain_identify_pct"], start=2):  # blank where the privacy rule hides the gain
        cell = ws.cell(row=k, column=col)
        if pd.isna(share):
            assert cell.value is None
        else:
            assert cell.number_format == "0.0 %" and cell.value == pytest.approx(share / 100)
    assert ws.cell(row=2, column=head.index("Räckvidd (m)") + 1).number_format == '0" m"'


# -- binary coverage: drawn as before ----------------------------------------------------------------------------------


def _binary(result):
    """``result`` (binary coverage) with the sites columns rank_sites gives then: the level shares NaN."""
    sites = result.sites.assign(fov_deg=60.0, range_m=30.0, **dict.fromkeys(LEVEL_SHARE_COLUMNS, np.nan))
    return dataclasses.replace(result, sites=sites)


def test_binary_run_has_no_level_views(report_result, tmp_path):
    result = _binary(report_result)
    assert result.instance.levels is None and _views.run_views(result) is None
    assert _sections.views_section(result, lang="sv") == ""
    path = xlsx.write_xlsx(result, tmp_path / "inventory.xlsx")
    head = [c.value for c in openpyxl.load_workbook(path)["Föreslagna platser"][1]]
    assert "Räckvidd (m)" in head and not any(str(h).startswith("Andel av tillskottet") for h in head)
    legend = basemap.legend_items(result, basemap.basemap(result, basemap.extent(result)), basemap.demand(result),
                                   lang="sv", include_incidents=False)
    assert [k for k, _ in legend][-4:] == ["viewshed_ex", "existing", "viewshed_new", "proposed"]
