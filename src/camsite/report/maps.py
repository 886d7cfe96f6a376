"""Static maps: map.png (context layers, demand, cameras and their views) and budget_curve.png.

Drawn with matplotlib's object-oriented API (``Figure`` rendered by the Agg
canvas), so no pyplot state and no global backend choice: nothing needs a
display and importing this module changes nothing. Coordinates are the working
CRS (metres), so the scale bar is exact. The layers, their labels and the
legend come from :mod:`camsite.report.basemap` and :mod:`camsite.report._labels`,
which the report's SVG map uses too.
"""

from __future__ import annotations

import logging
import textwrap
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from shapely.geometry import box

from camsite.i18n import fmt_num, layer_label, tr
from camsite.report import _frames, _labels, _views, basemap
from camsite.report._canvas import FileCanvas
from camsite.report._curve_png import write_budget_curve
from camsite.report._style import COLORS, DEMAND_CMAP
from camsite.report.basemap import MAP_COLORS as MC
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["MapFigure", "demand_cmap", "map_figure", "nice_length", "write_budget_curve", "write_map"]

#: Font sizes (points) of the map's names.
LABEL_PT = {"station": 8.0, "zone": 7.0, "subarea": 7.0, "district": 9.0, "street": 6.5}
_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]


@dataclass(frozen=True)
class MapFigure:
    """map.png before it is saved: the figure, its legend, the names drawn and the legend's keys."""

    figure: Figure
    legend: Legend
    labels: tuple[Text, ...]
    legend_keys: tuple[str, ...]


def nice_length(span: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k metres) about a fifth of ``span``.

    >>> nice_length(1000), nice_length(480), nice_length(3000)
    (200.0, 50.0, 500.0)
    """
    target = max(span / 5, 1e-9)
    power = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def _scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * length / 2, by), length / 2, h, facecolor="black" if k == 0 else "white",
                               edgecolor="black", lw=0.8, zorder=20))
    for frac, text in ((0, "0"), (1, f"{length:.0f} m")):
        ax.text(bx + frac * length, by + 2.2 * h, text, ha="center", va="bottom", fontsize=8, zorder=20,
                path_effects=_HALO)


def _north_arrow(ax: Axes) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.87), xycoords="axes fraction", ha="center", va="center",
                fontsize=12, fontweight="bold", zorder=20,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5, "mutation_scale": 16})


def demand_cmap() -> ListedColormap:
    """The demand colormap without its near-white low end (so the smallest sums still show)."""
    base = colormaps[DEMAND_CMAP]
    return ListedColormap(base(np.linspace(0.35, 1.0, 256)), name="camsite_demand")


def _plot(ax: Axes, geom: object, crs: str, **kw: object) -> None:
    gpd.GeoSeries([geom], crs=crs).plot(ax=ax, **kw)


def _draw_base(ax: Axes, result: RunResult, bm: basemap.Basemap) -> None:
    crs = result.scenario.crs
    if bm.water is not None:
        _plot(ax, bm.water, crs, facecolor=MC["water"], edgecolor=MC["water_edge"], lw=0.4, zorder=0.5)
    if bm.district_lines is not None:
        _plot(ax, bm.district_lines, crs, color=MC["district"], lw=1.1, ls="-.", zorder=1.2)
    edges, main = basemap.drawn_streets(result)
    if (~main).any():
        edges[~main].plot(ax=ax, color=MC["street"], lw=0.8, zorder=2)
    if main.any():
        edges[main].plot(ax=ax, color=MC["street_main"], lw=1.8, zorder=2.1)
    gpd.GeoSeries([result.study_area], crs=crs).boundary.plot(ax=ax, color=COLORS["study_area"], lw=1.0, ls="--",
                                                              zorder=2.2)
    subs = result.subareas
    if len(subs):
        subs.boundary.plot(ax=ax, color=COLORS["subarea"], lw=1.0, ls=":", zorder=2.2)
    for kind, _, geom in bm.zones:
        color, hatch = (MC["exclusion"], "////") if kind == "exclusion" else (MC["no_view"], "xxx")
        _plot(ax, geom, crs, facecolor="none", edgecolor=color, hatch=hatch, lw=1.2, zorder=2.6)


def _draw_demand(ax: Axes, result: RunResult, dem: basemap.Demand, *, include_incidents: bool) -> Normalize | None:
    norm = None
    if len(dem.shown):
        norm = Normalize(vmin=0, vmax=dem.vmax)
        dem.shown.plot(ax=ax, column="incident_weight", cmap=demand_cmap(), norm=norm, lw=5, zorder=3, alpha=0.9)
    if len(dem.suppressed):
        dem.suppressed.plot(ax=ax, color=COLORS["suppressed"], lw=2.2, ls=":", zorder=2.5)
    if include_incidents and len(result.incidents):
        result.incidents.plot(ax=ax, color=COLORS["incident"], markersize=6, zorder=4, alpha=0.7)
    return norm


def _draw_levels(ax: Axes, levels: gpd.GeoDataFrame) -> None:
    """Graded coverage: every view filled by EN 62676-4 level, detect first so that identify lies on top."""
    for rank, level in enumerate(reversed(tuple(basemap.LEVEL_COLORS)), start=1):
        part = levels[levels["level_rank"] == rank]
        if len(part):
            part.plot(ax=ax, facecolor=basemap.LEVEL_COLORS[level], alpha=0.55, edgecolor="none", zorder=5)


def _draw_views(ax: Axes, result: RunResult) -> None:
    """The cameras' views: filled by level (graded coverage) or by status, outlined in the status's colour."""
    levels = _views.run_views(result)
    if levels is not None:
        _draw_levels(ax, levels)
    views = _frames.viewsheds(result)
    for status, color in (("existing", COLORS["existing"]), ("proposed", COLORS["proposed"])):
        part = views[(views["status"] == status) & views.geometry.notna() & ~views.geometry.is_empty]
        if len(part):
            if levels is None:
                part.plot(ax=ax, facecolor=color, alpha=0.25, edgecolor=color, lw=0.6, zorder=5)
            part.boundary.plot(ax=ax, color=color, lw=0.7, zorder=5.1)


def _draw_cameras(ax: Axes, result: RunResult, bm: basemap.Basemap) -> None:
    _draw_views(ax, result)
    if bm.entrances:
        xy = np.asarray([e[:2] for e in bm.entrances], float)
        ax.scatter(xy[:, 0], xy[:, 1], marker="o", s=16, facecolor="white", edgecolor=MC["metro"], lw=1.2,
                   zorder=6)
    ex = result.existing
    if len(ex):
        ax.scatter(ex.geometry.x, ex.geometry.y, marker="s", s=60, color=COLORS["existing"], edgecolor="white",
                   lw=1.0, zorder=7)
    sites = result.sites
    ax.scatter(sites["easting"], sites["northing"], s=190, color=COLORS["proposed"], edgecolor="white", lw=1.2,
               zorder=8)
    for x, y, r in zip(sites["easting"], sites["northing"], sites["rank"]):
        ax.text(x, y, str(int(r)), color="white", fontsize=7, fontweight="bold", ha="center", va="center", zorder=9)


def _draw_labels(ax: Axes, result: RunResult, bm: basemap.Basemap, unit_m: float) -> list[Text]:
    markers = [(float(x), float(y), 6.5) for x, y in zip(result.sites["easting"], result.sites["northing"])]
    markers += [(float(g.x), float(g.y), 4.5) for g in result.existing.geometry]
    markers += [(x, y, 2.5) for x, y, _ in bm.entrances]
    x0, y0, x1, y1 = bm.extent
    w, h = x1 - x0, y1 - y0
    reserved = [box(x1 - 0.09 * w, y1 - 0.15 * h, x1, y1), box(x0, y0, x0 + 0.04 * w + 1.2 * nice_length(w),
                                                                 y0 + 0.1 * h)]
    colors = {"station": MC["metro"], "district": MC["district_text"], "street": MC["street_text"],
              "zone": MC["exclusion"], "subarea": COLORS["subarea"]}
    zone_color = {text: MC["exclusion" if kind == "exclusion" else "no_view"] for kind, text, _ in bm.zones}
    out = []
    for lab in _labels.place_labels(bm, unit_m=unit_m, sizes=LABEL_PT, markers=markers, reserved=reserved):
        color = zone_color.get(lab.text, colors["zone"]) if lab.kind == "zone" else colors[lab.kind]
        out.append(ax.text(lab.x, lab.y, lab.text, rotation=lab.angle, rotation_mode="anchor", ha="center",
                           va="center_baseline", fontsize=lab.size, color=color, zorder=11, path_effects=_HALO,
                           fontweight="bold" if lab.kind in _labels.BOLD else "normal",
                           fontstyle="italic" if lab.kind == "street" else "normal", gid=f"label-{lab.kind}"))
    return out


def _handle(key: str, text: str) -> Artist:
    label = textwrap.fill(text, 34)
    lines = {
        "districts": {"color": MC["district"], "ls": "-.", "lw": 1.2},
        "streets_main": {"color": MC["street_main"], "lw": 2.0}, "streets": {"color": MC["street"], "lw": 1.0},
        "study_area": {"color": COLORS["study_area"], "ls": "--", "lw": 1.0},
        "subareas": {"color": COLORS["subarea"], "ls": ":", "lw": 1.2},
        "demand": {"color": demand_cmap()(0.6), "lw": 5}, "suppressed": {"color": COLORS["suppressed"], "lw": 3,
                                                                         "ls": ":"},
        "metro": {"marker": "o", "ls": "", "markerfacecolor": "white", "markeredgecolor": MC["metro"],
                  "markersize": 5},
        "incidents": {"marker": "o", "ls": "", "color": COLORS["incident"], "markersize": 4},
        "existing": {"marker": "s", "ls": "", "color": COLORS["existing"], "markersize": 8},
        "proposed": {"marker": "o", "ls": "", "color": COLORS["proposed"], "markersize": 10},
    }
    patches = {
        "water": {"facecolor": MC["water"], "edgecolor": MC["water_edge"]},
        "exclusion": {"facecolor": "none", "edgecolor": MC["exclusion"], "hatch": "////"},
        "no_view": {"facecolor": "none", "edgecolor": MC["no_view"], "hatch": "xxx"},
        "viewshed_ex": {"facecolor": COLORS["existing"], "alpha": 0.35},
        "viewshed_new": {"facecolor": COLORS["proposed"], "alpha": 0.35},
        **{f"view_{lvl}": {"facecolor": c, "alpha": 0.55} for lvl, c in basemap.LEVEL_COLORS.items()},
    }
    if key in patches:
        return Patch(label=label, **patches[key])  # type: ignore[arg-type]
    return Line2D([], [], label=label, **lines[key])  # type: ignore[arg-type]


def _footer(fig: Figure, result: RunResult, bm: basemap.Basemap, *, lang: str) -> None:
    fig.text(0.99, 0.01, "\n".join([*bm.attribution[1:], f"{bm.attribution[0]} · {result.scenario.crs}"]),
             ha="right", va="bottom", fontsize=7, color="#555555", linespacing=1.4)
    layers = _frames.illustrative_layers(result)
    if layers:
        fig.text(0.01, 0.01, tr("illustrative_note", lang, layers=", ".join(layer_label(n, lang) for n in layers)),
                 ha="left", va="bottom", fontsize=7, color="#a33", wrap=True)


def map_figure(result: RunResult, *, lang: str = "sv", include_incidents: bool = False) -> MapFigure:
    """map.png as a figure: every layer, the names placed, the legend of exactly the layers drawn."""
    x0, y0, x1, y1 = ext = basemap.extent(result)
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    height = float(np.clip(11 * 0.74 * aspect / 0.88, 6.5, 14))
    fig = Figure(figsize=(11, height), dpi=150)
    FileCanvas(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.02, right=0.76, top=1 - 0.75 / height, bottom=0.55 / height)
    bm = basemap.basemap(result, ext, lang=lang)
    dem = basemap.demand(result)
    _draw_base(ax, result, bm)
    norm = _draw_demand(ax, result, dem, include_incidents=include_incidents)
    _draw_cameras(ax, result, bm)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#bbbbbb", lw=0.8))
    pos = ax.get_position()  # the axes box after the equal aspect: metres per point for the labels
    unit_m = max((x1 - x0) / (pos.width * 11 * 72), (y1 - y0) / (pos.height * height * 72))
    labels = _draw_labels(ax, result, bm, unit_m)
    items = basemap.legend_items(result, bm, dem, lang=lang, include_incidents=include_incidents)
    legend = ax.legend(handles=[_handle(k, t) for k, t in items], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       fontsize=8, frameon=False, borderaxespad=0, labelspacing=0.7)
    if norm is not None:
        box_ = legend.get_window_extent().transformed(fig.transFigure.inverted())
        cax = fig.add_axes((0.785, max(box_.y0 - 0.55 / height, 0.1), 0.17, 0.12 / height))
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=demand_cmap()), cax=cax, orientation="horizontal")
        bar.set_label(textwrap.fill(tr("legend_demand_weight", lang), 40), fontsize=7)
        bar.locator = MaxNLocator(nbins=5)
        bar.formatter = FuncFormatter(lambda v, _: fmt_num(v, 0 if dem.vmax >= 5 else 1, lang))
        bar.update_ticks()
        cax.tick_params(labelsize=7)
    _scale_bar(ax)
    _north_arrow(ax)
    s = result.summary
    ax.set_title(f"{tr('map_title', lang)} — {s.title or s.scenario}\n"
                 f"{tr('mode_raw' if include_incidents else 'mode_aggregated', lang)}", fontsize=10, loc="left")
    _footer(fig, result, bm, lang=lang)
    return MapFigure(fig, legend, tuple(labels), tuple(k for k, _ in items))


def write_map(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write map.png (see :func:`map_figure`).

    Parameters
    ----------
    result
        The run to draw.
    path
        The PNG to write.
    lang
        ``"sv"`` (default) or ``"en"``.
    include_incidents
        Draw raw incident points too (internal use only).
    """
    mf = map_figure(result, lang=lang, include_incidents=include_incidents)
    mf.figure.savefig(path, dpi=150, facecolor="white")
    logger.info("wrote %s", path)
    return path
