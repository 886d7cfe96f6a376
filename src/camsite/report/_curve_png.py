"""budget_curve.png: incident coverage (the headline; the objective's blend beside it, lighter) against budget, the chosen budget, the knee and the minimum budgets for 25, 50 and
75 % of the incidents marked (matplotlib, no pyplot)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from camsite.i18n import fmt_num, tr
from camsite.report._band import band_series
from camsite.report._canvas import FileCanvas
from camsite.report._headline import headline_series, knee_y
from camsite.report._style import COLORS, FAR_FACTOR
from camsite.report.question import plan_budget
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["write_budget_curve"]


def _target_points(ax: Any, targets: Sequence[Mapping[str, Any]], lang: str, x_end: float) -> tuple[float, float]:
    """Draw the minimum-budget points (triangles labelled ``25 %`` ...); their largest drawn cost (M) and coverage.

    ``x_end`` is the curve's largest budget (M): points beyond ``FAR_FACTOR`` times it stand at the edge.
    """
    marks = [t for t in targets if t.get("cost_sek") is not None and t.get("incident_pct") is not None]
    if not marks:
        return 0.0, 0.0
    cost = np.array([float(t["cost_sek"]) / 1e6 for t in marks])
    far = cost > FAR_FACTOR * x_end
    tx = np.where(far, x_end * 1.1, cost)
    ty = np.array([float(t["incident_pct"]) for t in marks])  # each target is a share of the incidents
    label = tr("target_points", lang)
    if (~far).any():
        ax.plot(tx[~far], ty[~far], ls="", marker="^", ms=9, color=COLORS["existing"], zorder=7, label=label)
    if far.any():
        ax.plot(tx[far], ty[far], ls="", marker=">", ms=9, color=COLORS["existing"], zorder=7,
                label=None if (~far).any() else label)
    for t, xv, yv, c, beyond in zip(marks, tx, ty, cost, far, strict=True):
        text = f"{fmt_num(100 * float(t['target_incident_share']), 0, lang)} %"
        if beyond:
            text += f": {fmt_num(c, 1, lang)} M"
        ax.annotate(text, (xv, yv), textcoords="offset points", xytext=(-4, 9) if beyond else (0, 9),
                    ha="right" if beyond else "center", fontsize=8, color=COLORS["existing"])
    return float(tx.max()), float(ty.max())


def write_budget_curve(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write budget_curve.png: coverage against budget, the chosen budget and the knee marked.

    ``include_incidents`` is accepted for a uniform writer signature and has no effect.
    """
    curve = result.budget_curve
    if curve is None:
        raise ValueError("result has no budget curve")
    s = result.summary
    fig = Figure(figsize=(8, 5), dpi=150)
    FileCanvas(fig)
    ax = fig.add_subplot()
    x = curve["budget_sek"].to_numpy(float) / 1e6
    y, blend, before, after = headline_series(result)
    ax.plot(x, y, "-o", color=COLORS["proposed"], lw=2, ms=4, label=tr("incident_curve" if blend is not None else "coverage_pct", lang))
    spread = band_series(result)
    if spread is not None:  # the robustness band: 10th-90th percentile of each curve plan across the samples
        ax.fill_between(spread[0], spread[1], spread[2], color=COLORS["proposed"], alpha=0.15, lw=0,
                        label=tr("curve_band", lang))
    if blend is not None:  # the objective's blend beside it, lighter, labelled as the blend
        ax.plot(x, blend, "--", color=COLORS["proposed"], alpha=0.45, lw=1.3, label=tr("blend_curve", lang))
    bad = ~curve["proven_optimal"].to_numpy(bool) if "proven_optimal" in curve else np.zeros(len(curve), bool)
    if bad.any():  # points the solver did not prove optimal: hollow, in the warning colour, with the worst gap
        gap = fmt_num(100 * float(np.nanmax(curve["gap"].to_numpy(float)[bad])), 1, lang) + " %"
        ax.plot(x[bad], y[bad], ls="", marker="o", ms=9, mfc="white",
                mec=COLORS["warning"], mew=2.2, zorder=4, label=tr("not_proven_points", lang, gap=gap))
    if before is not None:
        ax.axhline(before, color=COLORS["existing"], ls=":", lw=1.2,
                   label=f"{tr('before_line', lang)} ({fmt_num(before, 1, lang)} %)")
    budget = plan_budget(s)
    ax.axvline(budget / 1e6, color="#555555", ls="--", lw=1)
    if after is not None:
        ax.plot([budget / 1e6], [after], ls="", marker="D", color="black", ms=7, zorder=5,
                label=f"{tr('chosen_budget', lang)}: {fmt_num(budget / 1e6, 2, lang)} M, {fmt_num(after, 1, lang)} %")
    knee = s.budget_curve_knee or {}
    if knee.get("budget_sek") is not None and knee_y(knee) is not None:
        kx, ky = float(knee["budget_sek"]) / 1e6, float(knee_y(knee))  # type: ignore[arg-type]
        ax.plot([kx], [ky], ls="", marker="o", ms=14, mfc="none", mec=COLORS["knee"], mew=2.5, zorder=6,
                label=f"{tr('knee', lang)}: {fmt_num(kx, 2, lang)} M, {fmt_num(ky, 1, lang)} %")
    xmax_t, ymax_t = _target_points(ax, s.target_points, lang, max(float(x.max()), budget / 1e6))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 2 if v % 1 else 0, lang)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_num(v, 0, lang)))
    ax.set_xlabel(tr("curve_x", lang))
    ax.set_ylabel(tr("incident_curve_y", lang) if blend is not None else tr("curve_y", lang))
    ax.set_ylim(0, min(100, max(float(np.nanmax(y)), after or 0, ymax_t) * 1.15 + 1))
    ax.set_xlim(0, max(x.max(), budget / 1e6, xmax_t) * 1.05)
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
