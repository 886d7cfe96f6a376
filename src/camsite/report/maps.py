"""Static maps: map.png (sites, viewsheds, aggregated demand) and budget_curve.png.

Drawn with matplotlib's object-oriented API (``Figure`` rendered by the Agg
canvas), so no pyplot state and no global backend choice: nothing needs a
display and importing this module changes nothing. Coordinates are the working
CRS (metres), so the scale bar is exact.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from camsite import privacy
from camsite.i18n import fmt_num, layer_label, tr
from camsite.report import _frames
from camsite.report._style import COLORS, DEMAND_CMAP
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["nice_length", "write_budget_curve", "write_map"]


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


def _scale_bar(ax: Axes, *, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * length / 2, by), length / 2, h, facecolor="black" if k == 0 else "white",
                                   edgecolor="black", lw=0.8, zorder=20))
    for frac, text in ((0, "0"), (1, f"{length:.0f} m")):
        ax.text(bx + frac * length, by + 2.2 * h, text, ha="center", va="bottom", fontsize=8, zorder=20)


def _north_arrow(ax: Axes) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.87), xycoords="axes fraction", ha="center", va="center",
                fontsize=12, fontweight="bold", zorder=20,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5, "mutation_scale": 16})


def _draw_areas(ax: Axes, result: RunResult) -> None:
    gpd.GeoSeries([result.study_area], crs=result.scenario.crs).boundary.plot(
        ax=ax, color=COLORS["study_area"], lw=1.0, ls="--", zorder=1)
    subs = result.subareas
    if len(subs):
        subs.boundary.plot(ax=ax, color=COLORS["subarea"], lw=1.0, ls=":", zorder=1)
        for label, geom in zip(subs.get("label", subs.get("name")), subs.geometry):
            p = geom.representative_point()
            ax.text(p.x, geom.bounds[3], str(label), color=COLORS["subarea"], fontsize=7, ha="center", va="top",
                    zorder=10, path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])


def demand_cmap() -> ListedColormap:
    """The demand colormap without its near-white low end (so 3 incidents still show)."""
    base = colormaps[DEMAND_CMAP]
    return ListedColormap(base(np.linspace(0.35, 1.0, 256)), name="camsite_demand")


def _draw_demand(ax: Axes, result: RunResult, *, include_incidents: bool) -> tuple[Normalize | None, bool]:
    agg = privacy.aggregate_demand(result.demand, result.edges)
    shown = agg[agg["incidents"].fillna(0) > 0]
    norm = None
    if len(shown):
        norm = Normalize(vmin=0, vmax=max(float(shown["incidents"].max()), privacy.MIN_COUNT + 1.0))
        shown.plot(ax=ax, column="incidents", cmap=demand_cmap(), norm=norm, lw=5, zorder=3, alpha=0.9)
    sup = agg[agg["suppressed"]]
    if len(sup):
        sup.plot(ax=ax, color=COLORS["suppressed"], lw=2.2, ls=":", zorder=2.5)
    if include_incidents and len(result.incidents):
        result.incidents.plot(ax=ax, color=COLORS["incident"], markersize=6, zorder=4, alpha=0.7)
    return norm, bool(len(sup))


def _draw_cameras(ax: Axes, result: RunResult) -> None:
    views = _frames.viewsheds(result)
    for status, color in (("existing", COLORS["existing"]), ("proposed", COLORS["proposed"])):
        part = views[(views["status"] == status) & ~views.geometry.is_empty & views.geometry.notna()]
        if len(part):
            part.plot(ax=ax, color=color, alpha=0.22, edgecolor=color, lw=0.6, zorder=5)
    ex = result.existing
    if len(ex):
        ax.scatter(ex.geometry.x, ex.geometry.y, marker="s", s=60, color=COLORS["existing"], edgecolor="white",
                   lw=1.0, zorder=7)
    sites = result.sites
    ax.scatter(sites["easting"], sites["northing"], s=190, color=COLORS["proposed"], edgecolor="white", lw=1.2,
               zorder=8)
    for x, y, r in zip(sites["easting"], sites["northing"], sites["rank"]):
        ax.text(x, y, str(int(r)), color="white", fontsize=7, fontweight="bold", ha="center", va="center", zorder=9)


def _legend(ax: Axes, *, lang: str, has_suppressed: bool, include_incidents: bool) -> None:
    handles = [
        Line2D([], [], color=COLORS["street"], lw=1.5, label=tr("legend_streets", lang)),
        Line2D([], [], marker="s", ls="", color=COLORS["existing"], markersize=8, label=tr("legend_existing", lang)),
        Line2D([], [], marker="o", ls="", color=COLORS["proposed"], markersize=10, label=tr("legend_proposed", lang)),
        Patch(facecolor=COLORS["existing"], alpha=0.3, label=tr("legend_viewshed_ex", lang)),
        Patch(facecolor=COLORS["proposed"], alpha=0.3, label=tr("legend_viewshed_new", lang)),
        Line2D([], [], color=demand_cmap()(0.6), lw=5, label=tr("legend_demand", lang)),
    ]
    if has_suppressed:
        handles.append(Line2D([], [], color=COLORS["suppressed"], lw=3, ls=":", label=tr("legend_suppressed", lang)))
    if include_incidents:
        handles.append(Line2D([], [], marker="o", ls="", color=COLORS["incident"], markersize=4,
                              label=tr("legend_incidents", lang)))
    handles.append(Line2D([], [], color=COLORS["study_area"], ls="--", lw=1, label=tr("legend_study_area", lang)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              borderaxespad=0)


def _footer(fig: Figure, result: RunResult, *, lang: str) -> None:
    fig.text(0.99, 0.01, tr("attribution", lang) + f" · {result.scenario.crs}", ha="right", va="bottom", fontsize=7,
             color="#555555")
    layers = _frames.illustrative_layers(result)
    if layers:
        fig.text(0.01, 0.01, tr("illustrative_note", lang, layers=", ".join(layer_label(n, lang) for n in layers)),
                 ha="left", va="bottom",
                 fontsize=7, color="#a33", wrap=True)


def _extent(result: RunResult) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = result.study_area.bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def write_map(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write map.png: streets, demand per segment, existing and proposed cameras with viewsheds.

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
    x0, y0, x1, y1 = _extent(result)
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    height = float(np.clip(11 * 0.74 * aspect / 0.88, 5.5, 14))
    fig = Figure(figsize=(11, height), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    edges = result.edges[~result.edges.get("excluded", False)] if "excluded" in result.edges else result.edges
    edges.plot(ax=ax, color=COLORS["street"], lw=1.0, zorder=2)
    _draw_areas(ax, result)
    norm, has_sup = _draw_demand(ax, result, include_incidents=include_incidents)
    _draw_cameras(ax, result)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for side in ax.spines.values():
        side.set_color("#bbbbbb")
    if norm is not None:
        sm = ScalarMappable(norm=norm, cmap=demand_cmap())
        cax = fig.add_axes((0.785, 1 - 3.6 / height, 0.17, 0.12 / height))
        bar = fig.colorbar(sm, cax=cax, orientation="horizontal")
        bar.set_label(tr("legend_demand", lang), fontsize=7)
        bar.locator = MaxNLocator(nbins=5, integer=True)
        bar.update_ticks()
        cax.tick_params(labelsize=7)
    _legend(ax, lang=lang, has_suppressed=has_sup, include_incidents=include_incidents)
    _scale_bar(ax, lang=lang)
    _north_arrow(ax)
    s = result.summary
    ax.set_title(f"{tr('map_title', lang)} — {s.title or s.scenario}\n"
                 f"{tr('mode_raw' if include_incidents else 'mode_aggregated', lang)}", fontsize=10, loc="left")
    fig.subplots_adjust(left=0.02, right=0.76, top=1 - 0.75 / height, bottom=0.4 / height)
    _footer(fig, result, lang=lang)
    fig.savefig(path, dpi=150, facecolor="white")
    logger.info("wrote %s", path)
    return path


def write_budget_curve(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write budget_curve.png: coverage against budget, the chosen budget and the knee marked.

    ``include_incidents`` is accepted for a uniform writer signature and has no effect.
    """
    curve = result.budget_curve
    if curve is None:
        raise ValueError("result has no budget curve")
    s = result.summary
    fig = Figure(figsize=(8, 5), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = curve["budget_sek"].to_numpy(float) / 1e6
    ax.plot(x, curve["coverage_pct"], "-o", color=COLORS["proposed"], lw=2, ms=4, label=tr("coverage_pct", lang))
    bad = ~curve["proven_optimal"].to_numpy(bool) if "proven_optimal" in curve else np.zeros(len(curve), bool)
    if bad.any():  # points the solver did not prove optimal: hollow, in the warning colour, with the worst gap
        gap = fmt_num(100 * float(np.nanmax(curve["gap"].to_numpy(float)[bad])), 1, lang) + " %"
        ax.plot(x[bad], curve["coverage_pct"].to_numpy(float)[bad], ls="", marker="o", ms=9, mfc="white",
                mec=COLORS["warning"], mew=2.2, zorder=4, label=tr("not_proven_points", lang, gap=gap))
    before = s.coverage_before_pct
    ax.axhline(before, color=COLORS["existing"], ls=":", lw=1.2,
               label=f"{tr('before_line', lang)} ({fmt_num(before, 1, lang)} %)")
    budget = s.budget_sek
    after = s.coverage_after_pct
    ax.axvline(budget / 1e6, color="#555555", ls="--", lw=1)
    ax.plot([budget / 1e6], [after], ls="", marker="D", color="black", ms=7, zorder=5,
            label=f"{tr('chosen_budget', lang)}: {fmt_num(budget / 1e6, 2, lang)} M, {fmt_num(after, 1, lang)} %")
    knee = s.budget_curve_knee or {}
    if knee.get("budget_sek") is not None and knee.get("coverage_pct") is not None:
        kx, ky = float(knee["budget_sek"]) / 1e6, float(knee["coverage_pct"])
        ax.plot([kx], [ky], ls="", marker="o", ms=14, mfc="none", mec=COLORS["knee"], mew=2.5, zorder=6,
                label=f"{tr('knee', lang)}: {fmt_num(kx, 2, lang)} M, {fmt_num(ky, 1, lang)} %")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 2 if v % 1 else 0, lang)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0, lang)))
    ax.set_xlabel(tr("curve_x", lang))
    ax.set_ylabel(tr("curve_y", lang))
    ax.set_ylim(0, min(100, max(float(curve["coverage_pct"].max()), after or 0) * 1.15 + 1))
    ax.set_xlim(0, max(x.max(), budget / 1e6) * 1.05)
    ax.grid(True, color="#e5e5e5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{tr('curve_title', lang)} — {s.title or s.scenario}", fontsize=10, loc="left")
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9, edgecolor="#dddddd", borderpad=0.8,
              labelspacing=1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=150, facecolor="white")
    logger.info("wrote %s", path)
    return path
