"""The robustness analysis in the deliverables: a report.html section, an inventory.xlsx sheet, a GeoPackage layer.

Formatting only: every figure comes from :class:`camsite.result.Robustness`
(``RunResult.robustness``); nothing is written when a run has none.
"""

from __future__ import annotations

import base64
from collections.abc import Hashable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report import svg
from camsite.report._robustness_files import assumption_label, tornado_bytes
from camsite.report._sections import esc
from camsite.result import RunResult
from camsite.tables import neutralise, printable

__all__ = ["add_sheet", "gpkg_layers", "holds_section", "html_section"]

#: Colours from rarely (0) to always (1) chosen (a colour-blind safe sequential scale).
_SCALE = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")
MAP_PX = 520


def _colour(freq: float) -> str:
    return _SCALE[min(int(freq * len(_SCALE)), len(_SCALE) - 1)]


def _site_map(result: RunResult, sites: pd.DataFrame, lang: str) -> str:
    base, origin, size, w = svg.base_layer(result)
    r = max(size) / 110
    dots = []
    for rec in sites.sort_values("frequency").to_dict("records"):
        ring = f' stroke="#D55E00" stroke-width="{2.5 * w:.1f}"' if rec["in_main_plan"] == "yes" else ""
        tip = f'{rec["site_id"]}: {fmt_pct(100 * rec["frequency"], lang, 0)}'
        dots.append(f'<circle cx="{rec["easting"] - origin[0]:.1f}" cy="{origin[1] - rec["northing"]:.1f}" '
                    f'r="{r:.1f}" fill="{_colour(rec["frequency"])}"{ring}><title>{esc(tip)}</title></circle>')
    legend = "".join(f'<span style="display:inline-block;width:14px;height:14px;background:{c};margin-left:6px">'
                     f'</span>{esc(fmt_pct(100 * i / len(_SCALE), lang, 0))}' for i, c in enumerate(_SCALE))
    title = tr("rob_map_title", lang)
    return (f'<figure class="robustness-map"><svg viewBox="0 0 {size[0]:.0f} {size[1]:.0f}" width="{MAP_PX}" '
            f'role="img" aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">{base}{"".join(dots)}</svg>'
            f'<figcaption>{esc(title)} · {legend} · <span style="color:#D55E00">○</span> '
            f'{esc(tr("rob_in_main", lang))}</figcaption></figure>')


def _regret_svg(regret: np.ndarray, lang: str) -> str:
    """A histogram of the regret (per cent) over the samples, as inline SVG."""
    if not len(regret):
        return ""
    top = max(float(np.ceil(regret.max() / 5) * 5), 5.0)
    counts, edges = np.histogram(regret, bins=10, range=(0.0, top))
    wd, ht, pad = 420.0, 160.0, 28.0
    bw = (wd - 2 * pad) / len(counts)
    peak = max(int(counts.max()), 1)
    bars = "".join(f'<rect x="{pad + i * bw:.1f}" y="{ht - pad - (ht - 2 * pad) * c / peak:.1f}" width="{bw - 2:.1f}" '
                   f'height="{(ht - 2 * pad) * c / peak:.1f}" fill="#4c78a8"><title>{fmt_num(edges[i], 1, lang)}–'
                   f'{fmt_num(edges[i + 1], 1, lang)} %: {c}</title></rect>' for i, c in enumerate(counts))
    axis = (f'<line x1="{pad}" y1="{ht - pad}" x2="{wd - pad}" y2="{ht - pad}" stroke="#333"/>'
            f'<text x="{pad}" y="{ht - 8}" font-size="11">0</text>'
            f'<text x="{wd - pad}" y="{ht - 8}" font-size="11" text-anchor="end">{fmt_num(top, 0, lang)} %</text>'
            f'<text x="{wd / 2}" y="{ht - 8}" font-size="11" text-anchor="middle">{esc(tr("rob_regret_x", lang))}</text>'
            f'<text x="4" y="14" font-size="11">{esc(tr("rob_regret_y", lang))} (max {peak})</text>')
    title = tr("rob_regret_title", lang)
    return (f'<figure class="robustness-regret"><svg viewBox="0 0 {wd:.0f} {ht:.0f}" width="{wd:.0f}" role="img" '
            f'aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">{bars}{axis}</svg>'
            f'<figcaption>{esc(title)}</figcaption></figure>')


def _tornado_img(result: RunResult, lang: str) -> str:
    png = None if result.robustness is None else tornado_bytes(result.robustness, lang)
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return (f'<h3>{esc(tr("oat_title", lang))}</h3><img class="tornado" alt="{esc(tr("oat_title", lang))}" '
            f'src="data:image/png;base64,{data}" style="max-width:100%">')


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _yes(v: str, lang: str) -> str:
    return tr("rob_yes" if v == "yes" else "rob_no", lang)


def perturbed(settings: Mapping[str, Any], lang: str) -> str:
    """What the samples varied, from the analysis's settings (a setting missing: on, as before it existed)."""
    jitter = "rob_what_jitter_all" if settings.get("jitter_positions", "all") == "all" else "rob_what_jitter"
    keys = [k for on, k in ((settings.get("bootstrap", True), "rob_what_bootstrap"),
                            (settings.get("jitter", True), jitter), (settings.get("weights", True), "rob_what_weights"),
                            (settings.get("ranges", True), "rob_what_ranges")) if on]
    return ", ".join(tr(k, lang) for k in keys) or tr("rob_what_nothing", lang)


def html_section(result: RunResult, *, lang: str) -> str:
    """The robustness section of report.html ("" when the run has no robustness analysis)."""
    rob = result.robustness
    if rob is None:
        return ""
    s = rob.summary()
    share = fmt_pct(100 * float(rob.settings.get("stable_share", 0.8)), lang, 0)
    intro = tr("rob_intro", lang, n=s["samples"], seed=rob.settings.get("seed", 0), share=share,
               what=perturbed(rob.settings, lang))
    core = ", ".join(rob.stable_core) or tr("rob_none", lang)
    facts = (f'<p><b>{esc(tr("rob_core", lang))}:</b> {esc(core)}<br>'
             f'{esc(tr("rob_mean_jaccard", lang))}: {esc(fmt_num(s["mean_jaccard"], 2, lang))}<br>'
             f'{esc(tr("rob_mean_regret", lang))}: {esc(fmt_pct(s["mean_regret_pct"], lang))}</p>')
    top = rob.sites.head(25)
    sites = _table([tr(k, lang) for k in ("rob_site", "rob_frequency", "rob_mean_rank", "rob_in_main", "rob_stable")],
                   [[r["site_id"], fmt_pct(100 * r["frequency"], lang, 0),
                     "–" if pd.isna(r["mean_rank"]) else fmt_num(r["mean_rank"], 1, lang),
                     _yes(r["in_main_plan"], lang), _yes(r["stable"], lang)] for r in top.to_dict("records")])
    alts = _table([tr(k, lang) for k in ("rob_site", "rob_frequency", "rob_replaces", "rob_replaces_share",
                                         "rob_distance")],
                  [[r["site_id"], fmt_pct(100 * r["frequency"], lang, 0), r["replaces"],
                    fmt_pct(100 * r["replaces_share"], lang, 0),
                    "–" if pd.isna(r["distance_m"]) else fmt_num(r["distance_m"], 0, lang)]
                   for r in rob.alternatives.to_dict("records")])
    return (f'<section class="card" id="robustness"><h2>{esc(tr("rob_title", lang))}</h2>'
            f'<p class="note">{esc(intro)}</p>{facts}{_site_map(result, rob.sites, lang)}'
            f'{_regret_svg(rob.samples["regret_pct"].to_numpy(float), lang)}{sites}'
            f'<h3>{esc(tr("rob_alternatives", lang))}</h3>{alts}{_tornado_img(result, lang)}</section>')


def holds_section(result: RunResult, *, lang: str) -> str:
    """What holds under uncertainty, the report's lead when robustness was run ("" otherwise): per plan site its
    selection frequency, its place's (sites within the spacing radius) and the nearby alternatives."""
    rob = result.robustness
    if rob is None or "place_id" not in rob.sites:
        return ""
    s = rob.summary()
    main = rob.sites[rob.sites["in_main_plan"] == "yes"]
    rank = {str(k): i for i, k in enumerate(result.sites["site_id"].astype(str))}
    main = main.assign(_r=[rank.get(str(v), len(rank)) for v in main["site_id"]]).sort_values("_r")
    share = fmt_pct(100 * float(rob.settings.get("stable_share", 0.8)), lang, 0)
    lead = tr("holds_lead", lang, samples=s["samples"], core=len(s["place_core"]), n=len(main),
              radius=fmt_num(float(rob.settings.get("place_radius_m", 0.0)), 0, lang), share=share,
              jaccard=fmt_num(s["mean_place_jaccard"] or 0.0, 2, lang), regret=fmt_pct(s["mean_regret_pct"] or 0.0,
                                                                                         lang))
    rows = [[r["site_id"], fmt_pct(100 * r["frequency"], lang, 0), r["place_id"],
             fmt_pct(100 * r["place_frequency"], lang, 0), _yes(r["place_stable"], lang),
             r["nearby_alternatives"] or "–", *_margin_cells(r, lang)] for r in main.to_dict("records")]
    table = _table([tr(k, lang) for k in ("rob_site", "rob_frequency", "place_id", "place_frequency", "rob_stable",
                                          "nearby_alternatives", "swap_margin", "best_swap")], rows)
    return (f'<section class="card" id="holds"><h2>{esc(tr("holds_title", lang))}</h2><p>{esc(lead)}</p>{table}'
            f'<p>{esc(tr("holds_margin", lang))}</p></section>')


def _margin_cells(r: Mapping[Hashable, Any], lang: str) -> list[str]:
    """A plan site's swap margin and its best alternative elsewhere ("–" when the analysis has none)."""
    m, alt = r.get("swap_margin_pct", np.nan), str(r.get("best_swap", "") or "")
    if not alt or m is None or not np.isfinite(m):
        return ["–", "–"]
    return [fmt_pct(float(m), lang, 1), f"{alt} ({fmt_num(float(r['best_swap_m']), 0, lang)} m)"]


def _sheet_frame(result: RunResult, lang: str) -> pd.DataFrame:
    rob = result.robustness
    assert rob is not None
    t = rob.sites
    return pd.DataFrame({tr("rob_site", lang): t["site_id"], tr("rob_frequency", lang): t["frequency"].round(3),
                         tr("rob_n_chosen", lang): t["n_chosen"], tr("rob_mean_rank", lang): t["mean_rank"].round(2),
                         tr("rob_in_main", lang): [_yes(v, lang) for v in t["in_main_plan"]],
                         tr("rob_stable", lang): [_yes(v, lang) for v in t["stable"]]})


def add_sheet(wb: Any, result: RunResult, *, lang: str) -> None:
    """The robustness sheet of inventory.xlsx (nothing when the run has no robustness analysis)."""
    if result.robustness is None:
        return
    ws = wb.create_sheet(tr("rob_sheet", lang)[:31])
    frame = _sheet_frame(result, lang)
    ws.append([tr("rob_title", lang)])
    ws.append([])
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if isinstance(v, float) and np.isnan(v) else printable(neutralise(v)) for v in row])
    sens = result.robustness.sensitivity
    if sens is not None and len(sens):
        ws.append([])
        ws.append([tr("oat_title", lang)])
        ws.append([tr(k, lang) for k in ("oat_assumption", "oat_level", "oat_factor", "oat_x", "oat_change",
                                          "oat_changed")])
        for r in sens.to_dict("records"):
            ws.append([assumption_label(r["assumption"], lang) if r["assumption"] != "base" else tr("oat_base", lang),
                       r["level"], r["factor"], round(r["coverage_pct"], 2), round(r["change_pp"], 2),
                       r["sites_changed"]])
    for col, width in zip("ABCDEF", (30, 16, 14, 16, 16, 18)):
        ws.column_dimensions[col].width = width


def gpkg_layers(result: RunResult) -> list[tuple[str, gpd.GeoDataFrame, str]]:
    """The ``robustness`` layer (sites with their selection frequency), or none."""
    rob = result.robustness
    if rob is None or not len(rob.sites):
        return []
    t = rob.sites
    gdf = gpd.GeoDataFrame(t[["site_id", "frequency", "n_chosen", "mean_rank", "in_main_plan", "stable"]].copy(),
                           geometry=gpd.points_from_xy(t["easting"], t["northing"]), crs=result.instance.candidates.crs)
    return [("robustness", gdf, "Point")]
