"""report.html without a browser: self-contained, private by default, both languages."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from camsite.report import html


def _data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="camsite-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


@pytest.fixture(scope="module")
def report_text(report_out):
    return (report_out / "report.html").read_text(encoding="utf-8")


def test_self_contained(report_text):
    assert "default-src 'none'" in report_text
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=["\']?(https?:)?//', report_text)
    assert "tile.openstreetmap" not in report_text and '"tiles"' not in report_text
    assert "<style>" in report_text and "site-marker" in report_text


def test_embedded_data_matches_sites(report_text, report_out):
    data = _data(report_text)
    sites = pd.read_csv(report_out / "sites.csv")
    assert [s["id"] for s in data["sites"]] == sites["site_id"].tolist()
    assert data["crs"] == "EPSG:3011"
    assert len(data["existing"]) == 3 and all(s["vs"] for s in data["sites"])


def test_default_mode_is_aggregated(report_text, report_result):
    data = _data(report_text)
    assert data["incidents"] is None
    counts = [d["n"] for d in data["demand"] if d["n"] is not None]
    assert counts and all(n >= 3 for n in counts)
    assert not any(d["sup"] for d in data["demand"])  # merged into units of 3 or more, not blanked
    assert "Aggregerat per gatusegment; segment med färre än 3 händelser slås ihop" in report_text
    for inc_id in report_result.incidents["incident_id"]:
        assert inc_id not in report_text


def test_contents_sv(report_text, report_result):
    for text in ("Nyckeltal", "Täckning per händelsekategori", "Täckning per delområde", "Budgetkurva",
                 "Metod och antaganden", "Piza", "13 %", "förflyttning", "EPSG:3011", "ILLUSTRATIVT",
                 "tidsgräns", "Knäpunkt", "Fridhemsplan (platssamverkan)", "EN 62676-4"):
        assert text in report_text, text
    assert report_text.count('<tr data-rank="') == len(report_result.sites)


def test_english_and_raw(report_result):
    text = html.render_html(report_result, lang="en", include_incidents=True)
    data = _data(text)
    assert len(data["incidents"]) == len(report_result.incidents)
    assert 'lang="en"' in text and "Method and assumptions" in text and "Drug offences" in text
    assert "Raw incident points included" in text and "internal use only" in text


def test_without_curve(report_result):
    text = html.render_html(dataclasses.replace(report_result, budget_curve=None))
    assert "Ingen budgetkurva beräknades" in text and 'class="knee"' not in text


def test_map_legend_names_what_is_coloured(report_text, report_result):
    """The demand colour is weighted incidents per segment, and the legend says so; no legend entry for a layer
    the run does not have (this one has no water, districts, metro or zones)."""
    from camsite.privacy import aggregate_demand

    data = _data(report_text)
    legend = dict(data["legend"])
    assert legend["demand"].startswith("Viktade händelser per gatusegment (summa av kategorivikter; minst 3 "
                                      "händelser per enhet)")
    assert not {"water", "districts", "metro", "exclusion", "no_view"} & set(legend)
    assert {"streets", "study_area", "subareas", "viewshed_ex", "existing", "viewshed_new", "proposed"} <= set(legend)
    agg = aggregate_demand(report_result.demand, report_result.edges, subareas=report_result.subareas
                           ).set_index("edge_id")
    shown = agg[~agg["suppressed"] & (agg["incident_weight"] > 0)].sort_index()
    assert [d["w"] for d in data["demand"] if not d["sup"]] == pytest.approx(shown["incident_weight"].tolist())
    attribution = re.search(r'<div class="attribution">(.*?)</div>', report_text).group(1)
    assert attribution == "© OpenStreetMap contributors, ODbL 1.0"
