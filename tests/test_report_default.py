"""The deliverables of the real default Fridhemsplan run (reuses the session's ``default_result``)."""

from __future__ import annotations

import json
import re

import pyogrio
import pytest
from openpyxl import load_workbook

from camsite import report


@pytest.fixture(scope="module")
def default_deliverables(default_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("default_deliverables")
    files = report.write_deliverables(default_result, out)
    return out, files


def test_every_deliverable_written(default_deliverables, default_result):
    out, files = default_deliverables
    expected = {"inventory.xlsx", "camsite.gpkg", "map.png", "report.html"}
    if default_result.budget_curve is not None:
        expected.add("budget_curve.png")
    assert {p.name for p in files} == expected
    assert all(p.stat().st_size > 0 for p in files)


def test_rows_match_the_sites(default_deliverables, default_result):
    out, _ = default_deliverables
    n = len(default_result.sites)
    assert load_workbook(out / "inventory.xlsx").worksheets[0].max_row - 1 == n
    assert len(pyogrio.read_dataframe(out / "camsite.gpkg", layer="proposed_sites")) == n
    assert pyogrio.read_info(out / "camsite.gpkg", layer="demand")["crs"] == "EPSG:3011"
    text = (out / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="camsite-data">(.*?)</script>', text, re.S).group(1).replace("<\\/", "</"))
    assert len(data["sites"]) == n and data["incidents"] is None


def test_illustrative_layers_flagged(default_deliverables, default_result):
    out, _ = default_deliverables
    text = (out / "report.html").read_text(encoding="utf-8")
    for layer in default_result.summary.get("illustrative_layers", []):
        assert layer in text
    assert "ILLUSTRATIVT" in text
