"""The deliverables of the real default Fridhemsplan run, as ``camsite run`` wrote them (``default_out``)."""

from __future__ import annotations

import json
import re

import pyogrio
import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.slow


def test_every_deliverable_written(default_out, default_result):
    expected = {"inventory.xlsx", "camsite.gpkg", "map.png", "report.html"}
    if default_result.budget_curve is not None:
        expected.add("budget_curve.png")
    files = {p.name: p for p in default_out.iterdir()}
    assert expected <= set(files)
    assert all(files[name].stat().st_size > 0 for name in expected)
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    assert expected <= set(summary["outputs"])


def test_rows_match_the_sites(default_out, default_result):
    n = len(default_result.sites)
    assert load_workbook(default_out / "inventory.xlsx").worksheets[0].max_row - 1 == n
    assert len(pyogrio.read_dataframe(default_out / "camsite.gpkg", layer="proposed_sites")) == n
    assert pyogrio.read_info(default_out / "camsite.gpkg", layer="demand")["crs"] == "EPSG:3011"
    text = (default_out / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="camsite-data">(.*?)</script>', text, re.S).group(1).replace("<\\/", "</"))
    assert len(data["sites"]) == n and data["incidents"] is None


def test_illustrative_layers_flagged(default_out, default_result):
    text = (default_out / "report.html").read_text(encoding="utf-8")
    assert default_result.summary.illustrative_layers  # the shipped camera layer is made up
    for layer in default_result.summary.illustrative_layers:
        assert layer in text
    assert "ILLUSTRATIVT" in text
