"""report.html: one self-contained file that works offline.

CSS, JavaScript, the map data (JSON) and the budget-curve chart (SVG) are all
inline; a Content-Security-Policy forbids the page from loading anything.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from camsite._version import __version__
from camsite.i18n import labels, layer_label, tr
from camsite.report import (
    _frames,
    _robustness,
    _rollout_html,
    _sections,
    _sensitive,
    _views,
    balancing,
    basemap,
    daynight,
    districts,
    owners,
    svg,
)
from camsite.report import _labels as _labels_mod
from camsite.report._band import curve_with_band
from camsite.report.question import plan_budget
from camsite.result import RunResult
from camsite.tables import jsonable

logger = logging.getLogger(__name__)

__all__ = ["map_data", "render_html", "write_html"]

_CSP_OFFLINE = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _template(name: str) -> str:
    return resources.files("camsite").joinpath("templates", name).read_text(encoding="utf-8")


def _json_for_script(data: Any) -> str:
    """JSON safe to put inside a ``<script>`` element.

    >>> _json_for_script({"a": "</script>"})
    '{"a": "<\\\\/script>"}'
    """
    return json.dumps(jsonable(data), ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


#: Font sizes (pixels) of the map's names, and the map box the report shows first (pixels; see report.css).
LABEL_PX = {"station": 12.0, "zone": 11.0, "subarea": 11.0, "district": 13.0, "street": 11.0}
MAP_BOX_PX = (1098.0, 620.0)


def _cameras(result: RunResult, origin: tuple[float, float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ex = _frames.existing_cameras(result)
    ex_vs = _frames.existing_viewsheds(result)
    existing = [{"id": str(r.camera_id), "type": _frames.type_label(result, str(r.camera_type)),
                 "x": round(g.x - origin[0], 1), "y": round(origin[1] - g.y, 1), "w": r.covered_weight,
                 "inc": r.covered_incidents, "src": str(getattr(r, "source", "")),
                 "vs": svg.path_d(v.simplify(0.5) if v is not None else None, origin=origin)}
                for r, g, v in zip(ex.itertuples(), ex.geometry, ex_vs)]
    views = _frames.proposed_viewsheds(result)
    # rows as records (Python scalars, as itertuples gives them) so each field keeps its column's type
    sites = [{"rank": int(r["rank"]), "id": str(r["site_id"]), "street": str(r["street"] or ""),
              "type": _frames.type_label(result, str(r["camera_type"])), "x": round(r["easting"] - origin[0], 1),
              "y": round(origin[1] - r["northing"], 1), "cost": r["cost_sek"], "gain": r["gain_weight"],
              "inc": r["gain_incidents"], "cum": r["cumulative_coverage_pct"],
              "vs": svg.path_d(v.simplify(0.5) if v is not None else None, origin=origin)}
             for r, v in zip(result.sites.to_dict("records"), views)]
    return existing, sites


def _level_views(result: RunResult, origin: tuple[float, float]) -> list[dict[str, Any]]:
    """Graded coverage: every camera's view per EN 62676-4 level, detect first (so identify is drawn on top);
    empty with binary coverage."""
    levels = _views.run_views(result)
    if levels is None:
        return []
    levels = levels.sort_values("level_rank", kind="stable")
    return [{"src": str(r.source), "id": str(r.camera_id), "lvl": str(r.level), "share": round(float(r.share), 3),
             "d": svg.path_d(g.simplify(0.5), origin=origin)} for r, g in zip(levels.itertuples(), levels.geometry)]


def _reserved(ext: tuple[float, float, float, float], u: float) -> list[BaseGeometry]:
    """The map areas under the report's buttons, north arrow, scale bar and attribution (map as first shown)."""
    x0, y0, x1, y1 = ext
    bw, bh = MAP_BOX_PX
    left, top = (x0 + x1) / 2 - bw * u / 2, (y0 + y1) / 2 + bh * u / 2  # the box's corner in map metres

    def rect(px0: float, py0: float, px1: float, py1: float) -> BaseGeometry:
        return box(left + px0 * u, top - py1 * u, left + px1 * u, top - py0 * u)

    return [rect(0, 0, 95, 120), rect(0, bh - 36, 160, bh), rect(bw - 340, bh - 40, bw, bh)]


def _labels(result: RunResult, bm: basemap.Basemap, origin: tuple[float, float]) -> list[dict[str, Any]]:
    x0, y0, x1, y1 = bm.extent
    u = max((x1 - x0) / MAP_BOX_PX[0], (y1 - y0) / MAP_BOX_PX[1])  # metres per pixel, map as first shown
    markers = [(float(x), float(y), 11.0) for x, y in zip(result.sites["easting"], result.sites["northing"])]
    markers += [(float(g.x), float(g.y), 7.0) for g in result.existing.geometry]
    markers += [(x, y, 4.0) for x, y, _ in bm.entrances]
    placed = _labels_mod.place_labels(bm, unit_m=u, sizes=LABEL_PX, markers=markers, reserved=_reserved(bm.extent, u))
    return [{"k": lab.kind, "t": lab.text, "x": round(lab.x - origin[0], 1), "y": round(origin[1] - lab.y, 1),
             "a": round(-lab.angle, 1), "s": lab.size} for lab in placed]


def map_data(result: RunResult, *, lang: str = "sv", include_incidents: bool = False) -> dict[str, Any]:
    """Everything the report's map script draws, in map coordinates shifted to the map's top-left corner.

    The context layers (water, districts, main-street and station names, zones) and the legend are the
    ones map.png draws (:mod:`camsite.report.basemap`); demand is coloured by weighted incidents per
    street segment, counts under 3 suppressed.
    """
    x0, y0, x1, y1 = ext = basemap.extent(result, pad=0.03)
    origin = (x0, y1)
    bm = basemap.basemap(result, ext, lang=lang)
    dem = basemap.demand(result)
    edges, main = basemap.drawn_streets(result)
    demand = [{"s": str(r.street), "n": r.incidents, "w": r.incident_weight, "sup": False,
               "d": svg.path_d(r.geometry, origin=origin)} for r in dem.shown.itertuples()]
    demand += [{"s": str(r.street), "n": None, "w": None, "sup": True, "d": svg.path_d(r.geometry, origin=origin)}
               for r in dem.suppressed.itertuples()]
    existing, sites = _cameras(result, origin)
    data: dict[str, Any] = {
        "lang": lang, "locale": "sv-SE" if lang == "sv" else "en-GB", "labels": dict(labels(lang)),
        "crs": result.scenario.crs, "origin": [x0, y1], "size": [round(x1 - x0, 1), round(y1 - y0, 1)],
        "colors": dict(basemap.MAP_COLORS),
        "water": svg.path_d(bm.water, origin=origin), "district_lines": svg.path_d(bm.district_lines, origin=origin),
        "study_area": svg.path_d(result.study_area, origin=origin),
        "subareas": [{"label": str(r.label or r.name),
                      "illustrative": _frames.is_illustrative(getattr(r, "source", "")),
                      "d": svg.path_d(r.geometry, origin=origin)} for r in result.subareas.itertuples()],
        "streets": [[str(n or ""), svg.path_d(g, origin=origin), int(m)]
                    for n, g, m in zip(edges["name"], edges.geometry, main)],
        "zones": [{"kind": k, "label": t, "d": svg.path_d(g, origin=origin)} for k, t, g in bm.zones],
        "entrances": [[round(x - x0, 1), round(y1 - y, 1), n] for x, y, n in bm.entrances],
        "map_labels": _labels(result, bm, origin),
        "demand": demand, "demand_max": dem.vmax if len(dem.shown) else 0.0,
        "has_suppressed": bool(len(dem.suppressed)),
        "existing": existing, "sites": sites, "incidents": None,
        "views": _level_views(result, origin), "level_colors": dict(basemap.LEVEL_COLORS),
        "legend": [[k, t] for k, t in basemap.legend_items(result, bm, dem, lang=lang,
                                                             include_incidents=include_incidents)],
        "attribution": list(bm.attribution),
    }
    if include_incidents and len(result.incidents):
        inc = result.incidents
        data["incidents"] = [[round(g.x - x0, 1), round(y1 - g.y, 1), str(c)]
                             for g, c in zip(inc.geometry, inc["category"])]
    return data


def _curve_section(result: RunResult, *, lang: str) -> str:
    esc = _sections.esc
    title = f'<h2>{esc(tr("curve", lang))}</h2>'
    if result.budget_curve is None or result.budget_curve.empty:
        return f'<section class="card" id="curve">{title}<p class="note">{esc(tr("no_curve", lang))}</p></section>'
    s = result.summary
    headline = "incident_pct" in result.budget_curve and s.incident_coverage_after_pct is not None
    curve = svg.curve_svg(curve_with_band(result.budget_curve, result) if headline else result.budget_curve.drop(columns="incident_pct",
                                                                                        errors="ignore"),
                          budget=plan_budget(s), after=s.incident_coverage_after_pct if headline else s.coverage_after_pct,
                          before=s.incident_coverage_before_pct if headline else s.coverage_before_pct,
                          knee=s.budget_curve_knee, labels={**labels(lang), "target_points": tr("target_points", lang),
                                                            "blend_curve": tr("blend_curve", lang),
                                                            "curve_band": tr("curve_band", lang),
                                                            **({"curve_y": tr("incident_curve_y", lang)}
                                                               if headline else {})},
                          locale_fmt=lambda v, d: _sections.fmt_num(v, d, lang), targets=s.target_points)
    warn = ""
    if s.curve_not_proven:
        warn = (f'<p class="warn-box" id="curve-not-proven">'
                f'{esc(tr("curve_not_proven", lang, n=s.curve_not_proven, total=len(result.budget_curve)))}</p>')
    return (f'<section class="card" id="curve">{title}{warn}{curve}'
            f'<p class="note">{esc(tr("curve_note", lang))}</p></section>')


def _run_info(result: RunResult, *, lang: str) -> str:
    """The run's date and runtime: the only part of the report that changes when a run is repeated."""
    s = result.summary
    text = tr("run_info", lang, date=s.date, runtime=_sections.fmt_num(s.runtime_s, 1, lang))
    return f' <span id="run-info" class="runtime">{_sections.esc(text)}</span>'


def _banner(result: RunResult, *, lang: str, include_incidents: bool) -> str:
    parts = []
    layers = _frames.illustrative_layers(result)
    if layers:
        text = tr("banner_illustrative", lang, layers=", ".join(layer_label(n, lang) for n in layers))
        parts.append(f'<p class="banner illustrative">{_sections.esc(text)}</p>')
    if include_incidents:
        parts.append(f'<p class="banner raw">{_sections.esc(tr("banner_raw", lang))}</p>')
    return "".join(parts)


def render_html(result: RunResult, *, lang: str = "sv", include_incidents: bool = False) -> str:
    """The whole report as one HTML string (see :func:`write_html`)."""
    esc, s = _sections.esc, result.summary
    title = s.title or s.scenario
    mode = tr("mode_raw" if include_incidents else "mode_aggregated", lang)
    csp = _CSP_OFFLINE
    map_note = tr("map_note", lang)
    data = map_data(result, lang=lang, include_incidents=include_incidents)
    return Template(_template("report.html")).substitute(
        lang=esc(lang), csp=csp, version=esc(__version__), title=esc(title), kicker=esc(tr("kicker", lang)),
        meta=esc(f"{tr('made_on', lang, scenario=s.scenario)} · {mode}"),
        banner=_banner(result, lang=lang, include_incidents=include_incidents),
        key_figures=_sections.key_figures(result, lang=lang)
        + _robustness.holds_section(result, lang=lang),  # the lead: what holds under uncertainty
        h_map=esc(tr("map", lang)),
        attribution="<br>".join(esc(a) for a in data["attribution"]), north_title=esc(tr("north", lang)),
        map_note=esc(map_note),
        sites_table=_sections.sites_table(result, lang=lang)
        + _sections.views_section(result, lang=lang),  # graded coverage: type mix and gain per level
        curve=_curve_section(result, lang=lang) + _rollout_html.section(result, lang=lang),  # + staged plan
        breakdowns=districts.section(result, lang=lang)  # [[districts]]: the plan per district
        + owners.section(result, lang=lang)  # before, by who runs the existing cameras
        + _sections.breakdowns(result, lang=lang) + daynight.section(result, lang=lang),  # time of day
        sensitive=_sensitive.section(result, lang=lang)  # exclusion and do-not-view zones
        + _robustness.html_section(result, lang=lang)  # camsite robustness / run --robustness N
        + balancing.section(result, lang=lang),  # Intresseavvägning
        method=_sections.method_box(result, lang=lang, include_incidents=include_incidents),
        footer=esc(tr("footer", lang, version=__version__))
        + _run_info(result, lang=lang),
        data=_json_for_script(data),
        css=_template("report.css"), js=_template("report.js"),
    )


def write_html(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write report.html for ``result`` to ``path``; return ``path``.

    Parameters
    ----------
    result
        The run to report.
    path
        The file to write (UTF-8).
    lang
        ``"sv"`` (default) or ``"en"``.
    include_incidents
        Draw raw incident points (internal use only); the report states the mode either way.
    """
    text = render_html(result, lang=lang, include_incidents=include_incidents)
    Path(path).write_text(text, encoding="utf-8")
    logger.info("wrote %s (%.0f kB)", path, len(text.encode("utf-8")) / 1024)
    return Path(path)
