"""inventory.xlsx and camsite.gpkg opened as a user's tools would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook

from camsite import report
from camsite.report import gpkg
from camsite.result import SITES_COLUMNS


@pytest.fixture(scope="module")
def sites_csv(report_out):
    return pd.read_csv(report_out / "sites.csv")


def test_deliverables_written(report_out):
    for name in ("inventory.xlsx", "camsite.gpkg"):
        assert (report_out / name).stat().st_size > 0


def test_xlsx_sheets_and_rows(report_out, sites_csv):
    wb = load_workbook(report_out / "inventory.xlsx")
    assert wb.sheetnames == ["Föreslagna platser", "Befintliga kameror", "Nyckeltal", "Budgetkurva", "Antaganden",
                             "Underlag", "Kostnadsrader", "Intresseavvägning"]
    ws = wb["Föreslagna platser"]
    assert ws.max_row - 1 == len(sites_csv)
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Rang", "Plats-id", "Longitud (WGS84)"]
    assert headers[-2:] == ["Adress / läge", "Beskrivning"]
    # a binary-coverage run: the four gain-per-level columns are left out of the sheet
    assert len(headers) == len(SITES_COLUMNS) + 2 - 4
    assert {"Riktning (grader)", "Bildvinkel (grader)", "Räckvidd (m)"} <= set(headers)
    assert ws.freeze_panes == "A2"


def test_xlsx_numbers_are_numbers(report_out, sites_csv):
    ws = load_workbook(report_out / "inventory.xlsx")["Föreslagna platser"]
    col = {c.value: i for i, c in enumerate(ws[1])}
    costs = [r[col["Kostnad (kr)"]] for r in ws.iter_rows(min_row=2)]
    assert all(isinstance(c.value, (int, float)) for c in costs)
    assert costs[0].number_format == "#,##0"
    assert [c.value for c in costs] == pytest.approx(sites_csv["cost_sek"].tolist())
    ranks = [r[col["Rang"]].value for r in ws.iter_rows(min_row=2)]
    assert ranks == sites_csv["rank"].tolist()
    assert [r[col["Plats-id"]].value for r in ws.iter_rows(min_row=2)] == sites_csv["site_id"].tolist()


def test_xlsx_existing_and_curve(report_out, report_result):
    wb = load_workbook(report_out / "inventory.xlsx")
    ex = wb["Befintliga kameror"]
    assert ex.max_row - 1 == len(report_result.existing)
    headers = [c.value for c in ex[1]]
    assert "Täckt vikt" in headers and "Täckta händelser" in headers
    curve = wb["Budgetkurva"]
    assert curve.max_row - 1 == len(report_result.budget_curve)
    knee_col = [c.value for c in curve[1]].index("Knäpunkt")
    assert sum(1 for r in curve.iter_rows(min_row=2) if r[knee_col].value == "●") == 1


def test_xlsx_assumptions(report_out, report_result):
    ws = load_workbook(report_out / "inventory.xlsx")["Antaganden"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for cam in report_result.scenario.camera_types:
        assert cam.name in text and cam.source in text
    assert "Planeringshorisont (år)" in text and "EPSG:3011" in text
    assert "Aggregerat per gatusegment" in text
    for src in report_result.summary.data_sources:
        assert src.layer in text


def test_xlsx_english(tmp_path, report_result):
    from camsite.report import xlsx

    xlsx.write_xlsx(report_result, tmp_path / "inv.xlsx", lang="en")
    wb = load_workbook(tmp_path / "inv.xlsx")
    assert wb.sheetnames[0] == "Proposed sites" and "Assumptions" in wb.sheetnames
    assert wb["Proposed sites"]["A1"].value == "Rank"


def test_xlsx_without_curve(tmp_path, report_result):
    import dataclasses

    from camsite.report import xlsx

    xlsx.write_xlsx(dataclasses.replace(report_result, budget_curve=None), tmp_path / "inv.xlsx")
    assert "Budgetkurva" not in load_workbook(tmp_path / "inv.xlsx").sheetnames


def test_gpkg_layers_crs_rows(report_out, report_result, sites_csv):
    path = report_out / "camsite.gpkg"
    names = [n for n, _ in pyogrio.list_layers(path)]
    assert names == [*gpkg.LAYERS, "balancing"]  # the balancing of interests, written when there are sites
    for name in names:
        assert pyogrio.read_info(path, layer=name)["crs"] == "EPSG:3011"
    sites = pyogrio.read_dataframe(path, layer="proposed_sites")
    assert len(sites) == len(sites_csv)
    assert set(SITES_COLUMNS) <= set(sites.columns)
    assert sites["site_id"].tolist() == sites_csv["site_id"].tolist()
    np.testing.assert_allclose(sites.geometry.x, sites_csv["easting"])
    np.testing.assert_allclose(sites.geometry.y, sites_csv["northing"])
    views = pyogrio.read_dataframe(path, layer="viewsheds")
    assert len(views) == len(sites_csv) + len(report_result.existing)
    assert (views["status"] == "proposed").sum() == len(sites_csv)
    assert len(pyogrio.read_dataframe(path, layer="existing_cameras")) == len(report_result.existing)
    cands = pyogrio.read_dataframe(path, layer="candidates")
    assert len(cands) == len(report_result.candidates) and cands["selected"].sum() == len(sites_csv)
    assert len(pyogrio.read_dataframe(path, layer="subareas")) == len(report_result.subareas)
    assert len(pyogrio.read_dataframe(path, layer="study_area")) == 1


def test_gpkg_demand_is_aggregated_into_units(report_out, report_result):
    """Segments with one or two incidents are merged into coarser units (not blanked); each unit shows the exact
    sum of its segments' incidents (recomputed here from the demand), and every unit has 3 or more."""
    demand = pyogrio.read_dataframe(report_out / "camsite.gpkg", layer="demand")
    assert set(demand.geom_type) == {"LineString"}
    shown = demand["incidents"].dropna()
    assert ((shown == 0) | (shown >= 3)).all()
    assert not demand["suppressed"].any()  # 90 incidents: the whole area has enough
    d = report_result.demand
    own = pd.Series(np.where(d["weight"] > 0, d["incidents"], 0.0)).groupby(d["edge_id"].to_numpy()).sum()
    with_inc = demand[demand["edge_id"].map(own) > 0]
    assert (with_inc["unit"] != "").all() and set(with_inc["unit_level"]) > {"segment"}  # some were merged
    for unit, rows in with_inc.groupby("unit"):
        assert rows["incidents"].nunique() == 1, unit
        assert rows["incidents"].iloc[0] == pytest.approx(own[rows["edge_id"]].sum(), abs=0.051), unit
    assert "incidents" not in [n for n, _ in pyogrio.list_layers(report_out / "camsite.gpkg")]


def test_gpkg_raw_incidents_opt_in(tmp_path, report_result):
    path = gpkg.write_gpkg(report_result, tmp_path / "raw.gpkg", include_incidents=True)
    inc = pyogrio.read_dataframe(path, layer="incidents")
    assert len(inc) == len(report_result.incidents)


def test_pngs_written_and_not_blank(report_out):
    import matplotlib.image as mpimg

    for name in ("map.png", "budget_curve.png"):
        img = mpimg.imread(report_out / name)
        assert img.shape[0] > 500 and img.shape[1] > 800
        rgb = (img[..., :3] * 255).astype(np.uint32)
        colours = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
        assert len(colours) > 50, name


def test_no_budget_curve_png_without_curve(tmp_path, report_result):
    import dataclasses

    files = report.write_deliverables(dataclasses.replace(report_result, budget_curve=None), tmp_path)
    names = {p.name for p in files}
    assert "budget_curve.png" not in names and "map.png" in names


@pytest.mark.parametrize("kind", ["per_site", "none"])
def test_viewsheds_for_chosen_sites_only_or_none(tmp_path, report_result, kind):
    import dataclasses

    import geopandas as gpd

    from camsite.report import _frames

    if kind == "per_site":
        views = report_result.candidate_viewsheds.iloc[report_result.sites["candidate_index"]].reset_index(drop=True)
    else:
        views = gpd.GeoSeries([], crs="EPSG:3011")
    result = dataclasses.replace(report_result,
                                 instance=dataclasses.replace(report_result.instance, candidate_viewsheds=views))
    files = report.write_deliverables(result, tmp_path)
    assert len(files) == 6  # inventory.xlsx, camsite.gpkg, map.png, budget_curve.png, report.html, underlag.html
    got = pyogrio.read_dataframe(tmp_path / "camsite.gpkg", layer="viewsheds")
    proposed = got[got["status"] == "proposed"]
    assert len(proposed) == len(report_result.sites)
    if kind == "per_site":
        assert proposed.geometry.notna().all()
        assert _frames.proposed_viewsheds(result)[0].equals(_frames.proposed_viewsheds(report_result)[0])
    else:
        assert proposed.geometry.isna().all()


def test_suppression_uses_exact_counts_and_ignores_zero_weight():
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from camsite.privacy import aggregate_demand

    edges = gpd.GeoDataFrame({"edge_id": [0, 1, 2], "name": ["A", "B", "C"]},
                             geometry=[LineString([(0, i), (10, i)]) for i in range(3)], crs="EPSG:3011")
    demand = gpd.GeoDataFrame({
        "kind": ["incident"] * 7, "category": ["vald"] * 3 + ["trafik"] * 3 + ["vald"],
        "weight": [1.0, 1.0, 0.98, 0.0, 0.0, 0.0, 1.0], "incidents": [1.0, 1.0, 0.98, 1, 1, 1, 1],
        "edge_id": [0, 0, 0, 1, 1, 1, 2]}, geometry=[Point(1, 0)] * 7, crs="EPSG:3011")
    agg = aggregate_demand(demand, edges).set_index("edge_id")
    # 2.98 < 3 although it rounds to 3.0: not a unit of its own; with edge 2's one incident (another street, the
    # same 250 m cell) it makes a cell unit of 3.98
    assert agg.loc[0, "unit"] == agg.loc[2, "unit"] == "ruta:0_0" and agg.loc[0, "unit_level"] == "cell"
    assert agg.loc[0, "incidents"] == agg.loc[2, "incidents"] == 4.0
    assert agg.loc[0, "incident_weight"] == agg.loc[2, "incident_weight"] == pytest.approx(3.98)
    assert not agg.loc[1, "suppressed"] and agg.loc[1, "incidents"] == 0  # traffic weighs 0: not counted
    alone = aggregate_demand(demand[demand["edge_id"] == 2], edges).set_index("edge_id")
    assert alone.loc[2, "suppressed"] and np.isnan(alone.loc[2, "incidents"])  # one incident in the whole area
    counted_all = aggregate_demand(demand, edges, weighted_only=False).set_index("edge_id")
    assert counted_all.loc[1, "incidents"] == 3


def test_summary_data_labels_in_the_run_language(report_result):
    """summary.json is the typed Summary with category labels added in the run's language."""
    import dataclasses

    from camsite import report

    sv, en = (report.summary_data(report_result.summary, lang=lang) for lang in ("sv", "en"))
    assert list(sv) == [f.name for f in dataclasses.fields(report_result.summary)]
    cats_sv = {r["category"]: r["label"] for r in sv["coverage_by_category"]}
    cats_en = {r["category"]: r["label"] for r in en["coverage_by_category"]}
    assert cats_sv["narkotika"] == "Narkotikabrott" and cats_en["narkotika"] == "Drug offences"
    assert cats_sv["gata"] == "Gatumiljö (gatumeter)"
    # sub-areas keep the scenario's own labels in both languages
    assert [r["label"] for r in en["coverage_by_subarea"]] == ["Fridhemsplan (platssamverkan)",
                                                               "Stadshagen (platssamverkan)"]
    assert list(sv["coverage_by_subarea"][0])[:2] == ["name", "label"]
    # numbers are the Summary's, unchanged
    row = report_result.summary.coverage_by_category[0]
    assert sv["coverage_by_category"][0]["after_pct"] == row.after_pct
    # a data source without attribution has no attribution key
    assert "attribution" in sv["data_sources"][0] and "attribution" not in sv["data_sources"][1]
