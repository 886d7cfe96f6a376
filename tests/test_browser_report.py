"""report.html in headless Chromium with the network off.

Skips only where no browser is available and CI is not set; in CI a missing
browser fails the test (.ci/install-browser installs Debian's chromium).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from factory import open_offline


def _open(browser, path):
    """Open ``path`` with every non-file request aborted and recorded; return (page, requests, errors)."""
    return open_offline(browser, path.as_uri(), "file:")


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.uint32)
    packed = (img[..., 0] << 16) | (img[..., 1] << 8) | img[..., 2]
    return len(np.unique(packed))


def test_report_renders_offline(browser, report_out):
    sites = pd.read_csv(report_out / "sites.csv")
    page, requests, errors = _open(browser, report_out / "report.html")
    try:
        assert page.locator(".site-marker").count() == len(sites)
        assert page.locator("#sites-table tbody tr[data-rank]").count() == len(sites)
        assert page.locator("#map path").count() > 50  # streets, demand, viewsheds drawn from the data
        assert _distinct_colours(page.locator("#map-section").screenshot()) > 100
        assert _distinct_colours(page.locator("#sites").screenshot()) > 20
        assert page.locator("#curve svg .knee").count() == 1
        text = page.inner_text("body")
        assert "Aggregerat per gatusegment" in text and "Piza" in text
    finally:
        page.close()
    assert requests == [], f"the report tried to load {requests}"
    assert errors == []


def test_map_pans_zooms_and_shows_tooltips(browser, report_out):
    page, requests, errors = _open(browser, report_out / "report.html")
    try:
        before = page.get_attribute("#map", "viewBox")
        page.click("#zoom-in")
        zoomed = page.get_attribute("#map", "viewBox")
        assert zoomed != before
        page.locator("#map").scroll_into_view_if_needed()  # the drag must start on the map, inside the viewport
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + 300, box["y"] + 300)
        page.mouse.down()
        page.mouse.move(box["x"] + 400, box["y"] + 350, steps=5)
        page.mouse.up()
        assert page.get_attribute("#map", "viewBox") != zoomed
        page.click("#zoom-reset")
        page.locator(".site-marker").first.hover()
        assert page.locator("#tooltip").is_visible()
        assert "#1" in page.inner_text("#tooltip")
    finally:
        page.close()
    assert requests == [] and errors == []


def test_english_raw_mode_renders(browser, report_result, tmp_path):
    from camsite.report import html

    path = html.write_html(report_result, tmp_path / "report.html", lang="en", include_incidents=True)
    page, requests, errors = _open(browser, path)
    try:
        assert page.locator(".site-marker").count() == len(report_result.sites)
        assert page.locator("#map g.incidents circle").count() == len(report_result.incidents)
        assert "Raw incident points included" in page.inner_text("body")
    finally:
        page.close()
    assert requests == [] and errors == []


def _overlapping(rects: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose on-screen boxes overlap by more than 2 pixels each way."""
    out = []
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > 2 and dy > 2:
                out.append((a["text"], b["text"]))
    return out


def test_map_draws_the_base_layers_and_their_legend(browser, report_result, tmp_path):
    """Water, districts and their names, main-street and station names, zones, every camera's view, and a
    legend of exactly those layers."""
    from camsite.report import html
    from test_maps import ALL_KEYS, with_base_layers

    result = with_base_layers(report_result)
    path = html.write_html(result, tmp_path / "report.html")
    page, requests, errors = _open(browser, path)
    try:
        assert page.locator("#map g.water path").count() == 1
        assert page.locator("#map g.districts path.district-lines").count() == 1
        texts = {k: page.locator(f"#map text.label-{k}").all_text_contents()
                 for k in ("district", "street", "station", "zone")}
        assert {"KUNGSHOLMEN", "STADSHAGEN"} <= set(texts["district"])
        assert "Fleminggatan" in texts["street"] and texts["station"] == ["Fridhemsplan"]
        assert {"Skolgården", "Vårdboendets entré"} <= set(texts["zone"])
        assert page.locator("#map circle.entrance").count() == 3
        assert page.locator("#map path.zone-exclusion").count() == 2
        assert page.locator("#map path.zone-no_view").count() == 1
        assert page.locator("#map path.site-viewshed").count() == len(result.sites)
        assert page.locator("#map g.viewsheds path").count() == len(result.sites) + len(result.existing)
        assert page.locator("#map path.street-main").count() > 0
        keys = page.eval_on_selector_all("#legend [data-key]", "rows => rows.map(r => r.dataset.key)")
        assert keys == ALL_KEYS
        assert "Stadsdelar och vatten: Stockholms stad (CC0)" in page.inner_text(".attribution")
        rects = page.eval_on_selector_all(
            "#map text.map-label", "ts => ts.map(t => { const r = t.getBoundingClientRect(); "
            "return {text: t.textContent, angle: t.getAttribute('transform').includes('rotate'), left: r.left, "
            "right: r.right, top: r.top, bottom: r.bottom}; })")
        level = [r for r in rects if not r["angle"]]  # rotated names have loose boxes on screen
        assert len(level) >= 6 and _overlapping(level) == []
    finally:
        page.close()
    assert requests == [] and errors == []


def test_why_each_site_expands_and_headline_is_incidents(browser, report_out):
    """Each site row has a closed "Varför här?" row under it that opens on a click; the headline is incidents."""
    sites = pd.read_csv(report_out / "sites.csv")
    page, requests, errors = _open(browser, report_out / "report.html")
    try:
        why = page.locator("#sites-table tr.why details")
        assert why.count() == len(sites)
        first = why.first
        assert not first.locator("dl.why").is_visible()
        first.locator("summary").click()
        assert first.locator("dl.why").is_visible()
        shown = first.locator("dl.why").inner_text()
        assert "S999" in shown and str(sites.loc[0, "why_categories"]).split(",")[0] in shown
        figures = page.locator("#key-figures").inner_text()
        assert "Händelser sedda efter" in figures
        assert "Målfunktionen väger samman" in page.locator("#objective-blend").inner_text()
    finally:
        page.close()
    assert requests == [] and errors == []
