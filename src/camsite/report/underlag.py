"""underlag.html and the "Underlag" sheets: a one-page contribution to the city's budget analysis.

:func:`underlag_figures` collects the page's figures from the run's summary
(nothing is solved or recomputed here, so the page says what summary.json
says): the question, two or three budget levels (the proposal and the target
points that were solved) with what each buys, the proposal's cost per year by
frame (investment, operation), the itemised cost lines, the uncertainty, the
legal preconditions and the data limits. :func:`write_underlag` renders it as
one self-contained, printable HTML page (A4, print CSS); every figure cell
carries its raw value in ``data-value`` and its summary.json path in
``data-key``. :func:`add_underlag_sheets` writes the same figures as two
sheets of inventory.xlsx.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook

from camsite.i18n import fmt_num, tr
from camsite.report._band import band_series
from camsite.result import RunResult
from camsite.tables import neutralise

__all__ = ["add_underlag_sheets", "render_underlag", "underlag_figures", "write_underlag"]

_CSS = """
@page { size: A4; margin: 14mm; }
body { font: 10pt/1.35 system-ui, sans-serif; color: #1a1a1a; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 15pt; color: #1f4e79; margin: 0 0 2mm; } h2 { font-size: 11pt; color: #1f4e79; margin: 4mm 0 1mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #ccc; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } p { margin: 1mm 0; } .small { font-size: 8pt; color: #444; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _kind_after(summary: Any, kind: str) -> float | None:
    row = next((r for r in summary.coverage_by_kind if r.name == kind), None)
    return None if row is None else row.after_pct


def _levels(result: RunResult) -> list[dict[str, Any]]:
    """The proposal and every solved target point: cost, sites, incidents and travellers seen, proof."""
    s = result.summary
    plan = {"kind": "plan", "cost_sek": s.spent_sek, "n_sites": s.n_new_sites,
            "incident_pct": s.incident_coverage_after_pct, "footfall_pct": _kind_after(s, "footfall"),
            "status": s.status, "gap": s.gap, "key": "spent_sek", "sites_key": "n_new_sites"}
    out = [plan]
    for i, p in enumerate(s.target_points):
        if p.get("cost_sek") is None:
            continue
        out.append({"kind": p["kind"], "share": p["target_incident_share"], "cost_sek": p["cost_sek"],
                    "n_sites": p.get("n_sites"), "incident_pct": p.get("incident_pct"),
                    "footfall_pct": p.get("footfall_pct"), "status": p.get("status"), "gap": p.get("gap"),
                    "key": f"target_points[{i}].cost_sek", "sites_key": f"target_points[{i}].n_sites"})
    return out


def _band_rows(result: RunResult) -> list[dict[str, float]]:
    """The curve's robustness band (budget_curve.csv's percentile columns) as the page lists it."""
    spread = band_series(result)
    if spread is None:
        return []
    return [{"budget_sek": 1e6 * float(b), "p10": float(lo), "p90": float(hi)}
            for b, lo, hi in zip(*spread, strict=True) if np.isfinite(lo) and np.isfinite(hi)]


def underlag_figures(result: RunResult) -> dict[str, Any]:
    """The page's figures, straight from the run's summary (module docs)."""
    s = result.summary
    costs: Mapping[str, Any] = s.costs or {}
    lines: Mapping[str, Any] = costs.get("lines") or {}
    rob = result.robustness
    return {"question": dict(s.question or {}), "horizon_years": s.horizon_years, "budget_sek": s.budget_sek,
            "levels": _levels(result), "years": list(costs.get("years", [])),
            "total_sek": costs.get("total_sek"), "present_value_sek": costs.get("present_value_sek"),
            "discount_rate": costs.get("discount_rate"), "steady_yearly_sek": lines.get("steady_yearly_sek"),
            "vat": lines.get("vat", "excluded"), "vat_rate": lines.get("vat_rate", 0.25),
            "cost_table": list(lines.get("cost_table", [])), "line_years": list(lines.get("years", [])),
            "marginal": costs.get("marginal_incident"),
            "robustness": None if rob is None else rob.summary(),
            "band": _band_rows(result) or costs.get("band") or None, "illustrative": list(s.illustrative_layers),
            "uncoverable_pct": (s.uncoverable or {}).get("incident_share_pct")}


def _num(value: Any, key: str, decimals: int = 0, lang: str = "sv") -> str:
    raw = "" if value is None else repr(float(value))
    return f'<td class="n" data-key="{html.escape(key)}" data-value="{raw}">{fmt_num(value, decimals, lang)}</td>'


def _question(f: Mapping[str, Any], lang: str) -> str:
    q = f["question"]
    years = fmt_num(f["horizon_years"], 0, lang)
    if q.get("objective") == "min_cost" and q.get("target_incident_share") is not None:
        return tr("ul_question_min", lang, share=fmt_num(100 * q["target_incident_share"], 0, lang), years=years)
    return tr("ul_question_max", lang, budget=fmt_num(f["budget_sek"], 0, lang), years=years)


def _proof(level: Mapping[str, Any], lang: str) -> str:
    if level.get("status") == "optimal":
        return tr("ul_yes", lang)
    return tr("ul_no_gap", lang, gap=fmt_num(100 * float(level.get("gap") or 0.0), 2, lang))


def _levels_html(f: Mapping[str, Any], lang: str) -> str:
    head = "".join(f"<th>{tr(k, lang)}</th>" for k in ("ul_level", "ul_cost", "ul_sites", "ul_incidents",
                                                         "ul_travellers", "ul_status"))
    body = []
    for lv in f["levels"]:
        name = tr("ul_level_plan", lang) if lv["kind"] == "plan" else \
            tr("ul_level_target", lang, share=fmt_num(100 * lv["share"], 0, lang))
        body.append(f"<tr><td>{html.escape(name)}</td>{_num(lv['cost_sek'], lv['key'], 0, lang)}"
                    f"{_num(lv['n_sites'], lv['sites_key'], 0, lang)}"
                    f"{_num(lv['incident_pct'], lv['kind'] + '.incident_pct', 1, lang)}"
                    f"{_num(lv['footfall_pct'], lv['kind'] + '.footfall_pct', 1, lang)}"
                    f"<td>{html.escape(_proof(lv, lang))}</td></tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _years_html(f: Mapping[str, Any], lang: str) -> str:
    head = "".join(f"<th>{tr(k, lang)}</th>" for k in ("year", "ul_investment", "ul_operation", "ul_total"))
    rows = [f"<tr><td>{y['year']}</td>{_num(y['investment_sek'], f'costs.years[{i}].investment_sek', 0, lang)}"
            f"{_num(y['operation_sek'], f'costs.years[{i}].operation_sek', 0, lang)}"
            f"{_num(y['investment_sek'] + y['operation_sek'], f'costs.years[{i}].total', 0, lang)}</tr>"
            for i, y in enumerate(f["years"])]
    vat = tr("ul_vat_excluded", lang) if f["vat"] == "excluded" else \
        tr("ul_vat_included", lang, rate=fmt_num(100 * f["vat_rate"], 0, lang))
    totals = tr("ul_totals", lang, total=fmt_num(f["total_sek"], 0, lang), pv=fmt_num(f["present_value_sek"], 0, lang),
                rate=fmt_num(100 * float(f["discount_rate"] or 0.0), 1, lang),
                steady=fmt_num(f["steady_yearly_sek"], 0, lang), vat=vat)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table><p>{html.escape(totals)}</p>"


def _limits(f: Mapping[str, Any], lang: str) -> list[str]:
    out = []
    if f["illustrative"]:
        out.append(tr("ul_limit_illustrative", lang, layers=", ".join(f["illustrative"])))
    assumed = [ln for ln in f["cost_table"] if ln.get("assumption")]
    if f["cost_table"]:
        out.append(tr("ul_limit_costs", lang, n=len(assumed), total=len(f["cost_table"])))
    if f["uncoverable_pct"]:
        out.append(tr("ul_limit_uncoverable", lang, share=fmt_num(f["uncoverable_pct"], 1, lang)))
    out.append(tr("ul_limit_counts", lang))
    out.append(tr("ul_contribution", lang))
    return out


def _uncertainty(f: Mapping[str, Any], lang: str) -> list[str]:
    out = []
    rob = f["robustness"]
    if rob:
        out.append(tr("ul_robust", lang, n=rob["samples"], core=len(rob["stable_core"]),
                      share=fmt_num(100 * float(rob.get("stable_share", 0.8)), 0, lang),
                      jaccard=fmt_num(rob.get("mean_jaccard"), 2, lang)))
    else:
        out.append(tr("ul_no_robust", lang))
    if f["band"]:
        band = "; ".join(f"{fmt_num(b['budget_sek'] / 1000, 0, lang)} tkr: {fmt_num(b['p10'], 1, lang)}–"
                         f"{fmt_num(b['p90'], 1, lang)} %" for b in f["band"])
        out.append(tr("ul_band", lang, band=band))
    if f["marginal"]:
        out.append(tr("ul_marginal", lang, cost=fmt_num(f["marginal"]["sek_per_point"], 0, lang)))
    return out


def render_underlag(result: RunResult, *, lang: str = "sv") -> str:
    """The page as HTML text (module docs)."""
    f = underlag_figures(result)
    title = html.escape(result.summary.title or result.summary.scenario)

    def para(texts: Sequence[str]) -> str:
        return "".join(f"<p>{html.escape(t)}</p>" for t in texts)

    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{tr("ul_title", lang)}</title>'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">'
            f"<style>{_CSS}</style></head><body><h1>{tr('ul_title', lang)}</h1><p class=\"small\">{title}</p>"
            f"<h2>{tr('ul_question', lang)}</h2><p>{html.escape(_question(f, lang))}</p>"
            f"<h2>{tr('ul_levels', lang)}</h2>{_levels_html(f, lang)}"
            f"<h2>{tr('ul_frames', lang)}</h2>{_years_html(f, lang)}"
            f"<h2>{tr('ul_uncertainty', lang)}</h2>{para(_uncertainty(f, lang))}"
            f"<h2>{tr('ul_legal', lang)}</h2><p>{html.escape(tr('ul_legal_text', lang))}</p>"
            f"<h2>{tr('ul_limits', lang)}</h2>{para(_limits(f, lang))}</body></html>\n")


def write_underlag(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write underlag.html (``include_incidents`` is accepted like every deliverable's; the page has no points)."""
    path.write_text(render_underlag(result, lang=lang), encoding="utf-8")
    return path


def add_underlag_sheets(wb: Workbook, result: RunResult, *, lang: str = "sv") -> None:
    """The "Underlag" sheet (levels and years, as on the page) and the "Kostnadsrader" sheet (the cost table)."""
    f = underlag_figures(result)
    ws = wb.create_sheet(tr("ul_sheet", lang)[:31])
    ws.append([tr("ul_title", lang)])
    ws.append([_question(f, lang)])
    ws.append([])
    ws.append([tr(k, lang) for k in ("ul_level", "ul_cost", "ul_sites", "ul_incidents", "ul_travellers",
                                     "ul_status")])
    for lv in f["levels"]:
        name = tr("ul_level_plan", lang) if lv["kind"] == "plan" else \
            tr("ul_level_target", lang, share=fmt_num(100 * lv["share"], 0, lang))
        ws.append([name, lv["cost_sek"], lv["n_sites"], lv["incident_pct"], lv["footfall_pct"], _proof(lv, lang)])
    ws.append([])
    ws.append([tr(k, lang) for k in ("year", "ul_investment", "ul_operation", "ul_total")])
    for y in f["years"]:
        ws.append([y["year"], y["investment_sek"], y["operation_sek"], y["investment_sek"] + y["operation_sek"]])
    ws.append([])
    for text in (*_uncertainty(f, lang), tr("ul_legal_text", lang), *_limits(f, lang)):
        ws.append([text])
    lines = wb.create_sheet(tr("ul_sheet_lines", lang)[:31])
    lines.append([tr(k, lang) for k in ("ul_camera_type", "ul_line", "ul_kind", "ul_amount", "ul_price_year",
                                        "ul_assumption", "ul_source", "ul_note")])
    for ln in f["cost_table"]:
        lines.append([neutralise(v) for v in (ln["camera_type"], ln["line"], tr(f"ul_kind_{ln['kind']}", lang),
                                              ln["amount_sek"], ln["price_year"],
                                              tr("ul_yes", lang) if ln["assumption"] else "", ln["source"],
                                              ln["note"])])
    _line_years(lines, f["line_years"], lang)


def _line_years(ws: Any, years: Sequence[Mapping[str, Any]], lang: str) -> None:
    """The plan's cost lines per year (summary.json ``costs.lines.years``) below the cost table."""
    if not years:
        return
    names = list(years[0]["lines"])
    ws.append([])
    ws.append([tr("ul_line", lang), *[y["year"] for y in years]])
    for name in names:
        ws.append([neutralise(name), *[y["lines"][name] for y in years]])
    ws.append([tr("ul_investment", lang), *[y["investment_sek"] for y in years]])
    ws.append([tr("ul_operation", lang), *[y["operation_sek"] for y in years]])
    ws.append([tr("ul_total", lang), *[y["total_sek"] for y in years]])
