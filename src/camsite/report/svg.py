"""SVG helpers for the HTML report and the workbench: path strings in shifted map coordinates, the budget-curve chart.

Map coordinates stay in the working CRS (metres); they are only shifted so the
map's top-left corner is (0, 0) and flipped so y grows downwards, as SVG wants.

>>> from shapely.geometry import LineString
>>> path_d(LineString([(100, 200), (110, 200)]), origin=(100, 250))
'M0 50L10 50'
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import GeometryCollection, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from camsite.report import basemap
from camsite.report._style import COLORS, FAR_FACTOR
from camsite.result import RunResult

__all__ = ["base_layer", "curve_svg", "path_d"]


def _num(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _coords_d(coords: Any, origin: tuple[float, float], close: bool) -> str:
    arr = np.asarray(coords, dtype=float)[:, :2]
    if len(arr) == 0:
        return ""
    xs, ys = arr[:, 0] - origin[0], origin[1] - arr[:, 1]
    parts = [f"{_num(x)} {_num(y)}" for x, y in zip(xs, ys)]
    return "M" + "L".join(parts) + ("Z" if close else "")


def path_d(geom: BaseGeometry | None, *, origin: tuple[float, float]) -> str:
    """An SVG path ``d`` for a (multi)line or (multi)polygon; ``origin`` is the map's (min x, max y)."""
    if geom is None or geom.is_empty:
        return ""
    if geom.geom_type == "LineString":  # not a LinearRing, which is a LineString too
        return _coords_d(geom.coords, origin, False)
    if isinstance(geom, Polygon):
        return "".join(_coords_d(r.coords, origin, True) for r in (geom.exterior, *geom.interiors))
    if isinstance(geom, (MultiLineString, MultiPolygon, GeometryCollection)):
        return "".join(path_d(g, origin=origin) for g in geom.geoms)
    return ""


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = max(hi - lo, 1e-9)
    step = 10 ** np.floor(np.log10(span / n))
    for m in (1, 2, 2.5, 5, 10):
        if span / (m * step) <= n:
            step *= m
            break
    start = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(start, hi + step * 1e-6, step)]


def curve_svg(curve: pd.DataFrame, *, budget: float, after: float | None, before: float | None,
              knee: Mapping[str, Any] | None, labels: dict[str, str], locale_fmt: Any,
              size: Sequence[int] = (760, 360), targets: Sequence[Mapping[str, Any]] = ()) -> str:
    """The coverage-budget curve as an inline SVG chart (budget in million SEK against coverage %).

    ``targets`` are the minimum-budget points (:attr:`camsite.stages.Summary.target_points`): each solved
    one is a triangle at its cost and coverage, labelled with its share of incidents (``25 %``).
    The curve is the headline (``incident_pct``) when the table has it, with the blend (``coverage_pct``) as a
    lighter dashed line and the band (``incident_p10_pct``-``incident_p90_pct``, if given); then ``before``,
    ``after`` and the knee must be incident coverage too.
    """
    (w, h), (left, right, top, bottom) = size, (56, 20, 16, 46)
    xs = curve["budget_sek"].to_numpy(float) / 1e6
    ycol = "incident_pct" if "incident_pct" in curve else "coverage_pct"
    ys, blend = curve[ycol].to_numpy(float), curve["coverage_pct"].to_numpy(float) if ycol != "coverage_pct" else None
    marks, xmax = _placed_targets(targets, ycol, max(float(xs.max()), budget / 1e6))
    ymax = min(100.0, max([float(np.nanmax(ys)), after or 0.0, *(float(t["coverage_pct"]) for t in marks)]) * 1.12
               + 1)

    def sx(v: float) -> float:
        return left + (w - left - right) * v / xmax

    def sy(v: float) -> float:
        return h - bottom - (h - top - bottom) * v / ymax

    out = [f'<svg class="curve" viewBox="0 0 {w} {h}" width="100%" role="img" '
           f'aria-label="{html.escape(labels["curve_title"])}" xmlns="http://www.w3.org/2000/svg">']
    for t in _ticks(0, ymax):
        out.append(f'<line class="grid" x1="{left}" x2="{w - right}" y1="{sy(t):.1f}" y2="{sy(t):.1f}"/>'
                   f'<text x="{left - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{locale_fmt(t, 0)}</text>')
    for t in _ticks(0, xmax):
        out.append(f'<line class="grid" y1="{top}" y2="{h - bottom}" x1="{sx(t):.1f}" x2="{sx(t):.1f}"/>'
                   f'<text x="{sx(t):.1f}" y="{h - bottom + 16}" text-anchor="middle">{locale_fmt(t, 2)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{w - right}" y1="{h - bottom}" y2="{h - bottom}"/>'
               f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{h - bottom}"/>'
               f'<text x="{(left + w - right) / 2}" y="{h - 8}" text-anchor="middle">'
               f'{html.escape(labels["curve_x"])}</text>'
               f'<text transform="translate(14 {(top + h - bottom) / 2}) rotate(-90)" text-anchor="middle">'
               f'{html.escape(labels["curve_y"])}</text>')
    if before is not None:
        out.append(f'<line x1="{left}" x2="{w - right}" y1="{sy(before):.1f}" y2="{sy(before):.1f}" '
                   f'stroke="#0072B2" stroke-dasharray="3 3"><title>{html.escape(labels["before_line"])}: '
                   f'{locale_fmt(before, 1)} %</title></line>')
    out.append(_band_polygon(curve, xs, sx, sy, labels.get("curve_band", "")) if ycol == "incident_pct" else "")
    if blend is not None:
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, blend))
        out.append(f'<polyline class="blend" points="{line}" fill="none" stroke="#D55E00" stroke-opacity="0.45" '
                   f'stroke-dasharray="6 4" stroke-width="1.5"><title>{html.escape(labels.get("blend_curve", ""))}'
                   f'</title></polyline>')
    pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys))
    out.append(f'<polyline points="{pts}" fill="none" stroke="#D55E00" stroke-width="2.5"/>')
    for x, y, row in zip(xs, ys, curve.itertuples()):
        n = getattr(row, "n_sites", "")
        tip = f'{locale_fmt(x, 2)} M: {locale_fmt(y, 1)} % ({n} {html.escape(labels["n_sites"].lower())})'
        if not getattr(row, "proven_optimal", True):  # hollow, in the warning colour, its gap in the tooltip
            gap = f'{locale_fmt(100 * float(getattr(row, "gap", float("nan"))), 1)} %'
            note = html.escape(labels["not_proven_point"].replace("{gap}", gap))
            out.append(f'<circle class="not-proven" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="6" fill="#fff" '
                       f'stroke="{COLORS["warning"]}" stroke-width="2.5"><title>{tip}; {note}</title></circle>')
        else:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="#D55E00"><title>{tip}</title></circle>')
    bx = sx(budget / 1e6)
    out.append(f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="{top}" y2="{h - bottom}" stroke="#555" stroke-dasharray="5 4"/>')
    if after is not None:
        out.append(f'<rect x="{sx(budget / 1e6) - 6:.1f}" y="{sy(after) - 6:.1f}" width="12" height="12" '
                   f'transform="rotate(45 {sx(budget / 1e6):.1f} {sy(after):.1f})" fill="#111">'
                   f'<title>{html.escape(labels["chosen_budget"])}: {locale_fmt(budget / 1e6, 2)} M, '
                   f'{locale_fmt(after, 1)} %</title></rect>')
    if knee and knee.get("budget_sek") is not None and knee.get(ycol, knee.get("coverage_pct")) is not None:
        kx, ky = float(knee["budget_sek"]) / 1e6, float(knee.get(ycol, knee.get("coverage_pct")))
        out.append(f'<circle class="knee" cx="{sx(kx):.1f}" cy="{sy(ky):.1f}" r="10" fill="none" stroke="#CC79A7" '
                   f'stroke-width="3"><title>{html.escape(labels["knee"])}: {locale_fmt(kx, 2)} M, '
                   f'{locale_fmt(ky, 1)} %</title></circle>'
                   f'<text x="{sx(kx) + 14:.1f}" y="{sy(ky) + 18:.1f}" fill="#a0527f">{html.escape(labels["knee"])}'
                   f'</text>')
    out.extend(_target_marks(marks, sx, sy, labels.get("target_points", ""), locale_fmt))
    out.append("</svg>")
    return "".join(out)


def _band_polygon(curve: pd.DataFrame, xs: np.ndarray, sx: Any, sy: Any, title: str) -> str:
    """The robustness band (budget_curve.csv's percentile columns) as a light polygon under the curve ("" without)."""
    if not {"incident_p10_pct", "incident_p90_pct"} <= set(curve.columns):
        return ""
    lo, hi = curve["incident_p10_pct"].to_numpy(float), curve["incident_p90_pct"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ring = [*zip(xs[ok], hi[ok]), *reversed(list(zip(xs[ok], lo[ok])))]
    pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ring)
    return (f'<polygon class="band" points="{pts}" fill="#D55E00" fill-opacity="0.15" stroke="none">'
            f'<title>{html.escape(title)}</title></polygon>')


def _placed_targets(targets: Sequence[Mapping[str, Any]], ycol: str, x_end: float
                    ) -> tuple[list[dict[str, Any]], float]:
    """The solved target points with their place (``far``: beyond ``FAR_FACTOR`` times the curve's end
    ``x_end``, drawn at the edge) and the x axis's end."""
    marks = [{**t, "coverage_pct": t[ycol], "far": float(t["cost_sek"]) / 1e6 > FAR_FACTOR * x_end,
              "x_end": x_end * 1.1} for t in targets if t.get("cost_sek") is not None and t.get(ycol) is not None]
    near = [float(t["cost_sek"]) / 1e6 for t in marks if not t["far"]]
    return marks, max([x_end, *near]) * (1.15 if len(near) < len(marks) else 1.05)


def _target_marks(marks: Sequence[Mapping[str, Any]], sx: Any, sy: Any, title: str, locale_fmt: Any) -> list[str]:
    """SVG triangles for the minimum-budget points, labelled ``25 %`` etc."""
    out = []
    for t in marks:
        far = bool(t.get("far"))  # far beyond the curve: at its right end, pointing right, its cost in the label
        x, y = sx(float(t["x_end"]) if far else float(t["cost_sek"]) / 1e6), sy(float(t["coverage_pct"]))
        share = f'{locale_fmt(100 * float(t["target_incident_share"]), 0)} %'
        tip = (f'{html.escape(title)}: {share}: {locale_fmt(float(t["cost_sek"]) / 1e6, 2)} M, '
               f'{t.get("n_sites", "")} ({html.escape(str(t.get("sites", "")))})')
        shape = (f"M{x + 8:.1f},{y:.1f} L{x - 5:.1f},{y - 7:.1f} L{x - 5:.1f},{y + 7:.1f} Z" if far else
                 f"M{x:.1f},{y - 8:.1f} L{x + 7:.1f},{y + 5:.1f} L{x - 7:.1f},{y + 5:.1f} Z")
        text = f'{share}: {locale_fmt(float(t["cost_sek"]) / 1e6, 1)} M' if far else share
        out.append(f'<path class="target-point" d="{shape}" fill="{COLORS["existing"]}"><title>{tip}</title></path>'
                   f'<text class="target-label" x="{x + (4 if far else 0):.1f}" y="{y - 12:.1f}" '
                   f'text-anchor="{"end" if far else "middle"}" fill="{COLORS["existing"]}">{html.escape(text)}</text>')
    return out


def base_layer(result: RunResult, *, pad: float = 0.03) -> tuple[str, tuple[float, float], tuple[float, float], float]:
    """The small maps' background: study area and simplified streets as SVG, with the map's origin (west,
    north), size (metres) and a line width scaled to it."""
    x0, y0, x1, y1 = basemap.extent(result, pad=pad)
    origin, size = (x0, y1), (x1 - x0, y1 - y0)
    w = max(size) / 400
    streets = path_d(result.edges.geometry.union_all().simplify(2.0), origin=origin)
    base = (f'<path d="{path_d(result.study_area, origin=origin)}" fill="#f4f4f4" stroke="#555" '
            f'stroke-width="{2 * w:.1f}"/><path d="{streets}" fill="none" stroke="#b9bec4" stroke-width="{w:.1f}"/>')
    return base, origin, size, w
