"""HTML sections of report.html: key figures, the site table, breakdowns and the method box.

Every value is escaped; numbers follow the language's conventions.

>>> fmt_num(1234567.891, 1, "sv")
'1\\xa0234\\xa0567,9'
>>> fmt_num(1234567.891, 0, "en")
'1,234,568'
>>> fmt_num(None, 1, "sv")
'–'
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from camsite.report import _frames
from camsite.report._i18n import category_label, tr
from camsite.result import RunResult

__all__ = ["fmt_num", "fmt_pct", "key_figures", "sites_table", "breakdowns", "method_box", "esc"]


def esc(value: object) -> str:
    """HTML-escaped text of ``value``."""
    return html.escape("" if value is None else str(value))


def fmt_num(value: Any, decimals: int = 0, lang: str = "sv") -> str:
    """A number as a planner reads it: Swedish ``1 234,5``, English ``1,234.5``; missing values as ``–``."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def fmt_pct(value: Any, lang: str = "sv", decimals: int = 1) -> str:
    """A percentage with its sign, or ``–`` when missing.

    >>> fmt_pct(12.345, "sv"), fmt_pct(None, "en")
    ('12,3 %', '–')
    """
    text = fmt_num(value, decimals, lang)
    return text if text == "–" else f"{text} %"


def _figure(label: str, value: str, sub: str = "", *, big: bool = False, cls: str = "") -> str:
    return (f'<div class="figure{" big" if big else ""}"><div class="label">{esc(label)}</div>'
            f'<div class="value {cls}">{value}</div><div class="sub">{esc(sub)}</div></div>')


def key_figures(result: RunResult, *, lang: str) -> str:
    """The key-figure cards: budget, spent, sites, coverage before and after, solver status."""
    s = result.summary
    kr = tr("kr", lang)
    before, after = s.get("coverage_before_pct"), s.get("coverage_after_pct")
    delta = (after - before) if before is not None and after is not None else None
    status = str(s.get("status", ""))
    cards = [
        _figure(tr("budget", lang), f"{fmt_num(s.get('budget_sek'), 0, lang)} {kr}"),
        _figure(tr("spent", lang), f"{fmt_num(s.get('spent_sek'), 0, lang)} {kr}",
                tr("of_budget", lang, budget=fmt_num(s.get("budget_sek"), 0, lang))),
        _figure(tr("new_sites", lang), esc(s.get("n_new_sites")), big=True),
        _figure(tr("coverage_before", lang), f"{fmt_num(before, 1, lang)} %"),
        _figure(tr("coverage_after", lang), f"{fmt_num(after, 1, lang)} %",
                tr("pct_points", lang, d=delta) if delta is not None else "", big=True),
        _figure(tr("status", lang), esc(tr(f"status_{status}", lang)),
                f"gap {fmt_num(100 * (s.get('gap') or 0), 2, lang)} %", cls=f"small status-{esc(status)}"),
    ]
    return (f'<section class="card" id="key-figures"><h2>{esc(tr("key_figures", lang))}</h2>'
            f'<div class="figures">{"".join(cards)}</div><p class="note">{esc(tr("coverage_def", lang))}</p></section>')


def sites_table(result: RunResult, *, lang: str) -> str:
    """The ranked site table (one ``tr[data-rank]`` per proposed site)."""
    sites = _frames.proposed_sites(result, lang=lang)
    cols = [("rank", 0), ("site_id", None), ("street", None), ("camera_type", None), ("cost_sek", 0),
            ("gain_weight", 2), ("gain_incidents", 1), ("cumulative_cost_sek", 0), ("cumulative_coverage_pct", 1)]
    head = "".join(f'<th class="{"num" if d is not None else ""}">{esc(tr(c, lang))}</th>' for c, d in cols)
    rows = []
    for rec in sites.itertuples(index=False):
        cells = []
        for col, dec in cols:
            v = getattr(rec, col)
            if col == "rank":
                cells.append(f'<td class="num"><span class="rank-badge">{int(v)}</span></td>')
            elif col == "camera_type":
                cells.append(f'<td class="type">{esc(_frames.type_label(result, str(v)))}</td>')
            elif dec is None:
                cells.append(f"<td>{esc(v or tr('unnamed_street', lang) if col == 'street' else v)}</td>")
            else:
                cells.append(f'<td class="num">{fmt_num(v, dec, lang)}</td>')
        rows.append(f'<tr data-rank="{int(rec.rank)}" title="{esc(rec.description)}">{"".join(cells)}</tr>')
    body = "".join(rows) or f'<tr><td colspan="{len(cols)}">{esc(tr("no_sites", lang))}</td></tr>'
    return (f'<section class="card" id="sites"><h2>{esc(tr("sites", lang))} ({len(sites)})</h2>'
            f'<p class="note">{esc(tr("sites_table_note", lang))}</p><div class="table-scroll">'
            f'<table id="sites-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>')


def _bar(before: float | None, after: float | None) -> str:
    b, a = before or 0.0, after or 0.0
    return (f'<div class="bar" title="{b:.1f} % → {a:.1f} %"><span class="after" style="width:{a:.1f}%"></span>'
            f'<span class="before" style="width:{b:.1f}%"></span></div>')


def _breakdown_table(rows: Iterable[dict[str, Any]], *, lang: str, title: str) -> str:
    body = []
    for r in rows:
        label = r.get("label") or r.get("category") or r.get("name")
        if "category" in r:
            label = category_label(str(r["category"]), lang, label)
        seen = (f"{fmt_num(r.get('incidents_after'), 1, lang)} / {fmt_num(r.get('incidents_total'), 1, lang)}"
                if r.get("incidents_total") else "–")
        body.append(f"<tr><td>{esc(label)}</td><td class=\"num\">{fmt_pct(r.get('before_pct'), lang)}</td>"
                    f"<td class=\"num\">{fmt_pct(r.get('after_pct'), lang)}</td>"
                    f"<td>{_bar(r.get('before_pct'), r.get('after_pct'))}</td><td class=\"num\">{seen}</td></tr>")
    head = (f"<tr><th>{esc(tr('label_col', lang))}</th><th class=\"num\">{esc(tr('before_pct', lang))}</th>"
            f"<th class=\"num\">{esc(tr('after_pct', lang))}</th><th>{esc(tr('bar', lang))}</th>"
            f"<th class=\"num\">{esc(tr('incidents_seen', lang))}</th></tr>")
    return f"<div><h3>{esc(title)}</h3><table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"


def breakdowns(result: RunResult, *, lang: str) -> str:
    """Coverage before and after, by incident category and by sub-area."""
    s = result.summary
    cats = _breakdown_table(s.get("coverage_by_category", []), lang=lang, title=tr("by_category", lang))
    subs = _breakdown_table(s.get("coverage_by_subarea", []), lang=lang, title=tr("by_subarea", lang))
    return f'<section class="card" id="breakdowns"><div class="two">{cats}{subs}</div></section>'


def _sources_table(result: RunResult, *, lang: str) -> str:
    rows = []
    for d in result.summary.get("data_sources", []):
        flag = f' <span class="warn">{esc(tr("illustrative_flag", lang))}</span>' \
            if _frames.is_illustrative(d.get("source")) else ""
        rows.append(f"<tr><td>{esc(d.get('layer'))}{flag}</td><td>{esc(d.get('source'))}</td>"
                    f"<td>{esc(d.get('provenance'))}</td><td>{esc(Path(str(d.get('file', ''))).name)}</td>"
                    f"<td class=\"num\">{fmt_num(d.get('rows'), 0, lang)}</td></tr>")
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("layer", "source", "provenance", "file", "rows"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cameras_table(result: RunResult, *, lang: str) -> str:
    horizon = result.scenario.optimization.horizon_years
    rows = [f"<tr><td>{esc(c.label or c.name)}</td><td class=\"num\">{fmt_num(c.range_m, 0, lang)}</td>"
            f"<td class=\"num\">{fmt_num(c.fov_deg, 0, lang)}</td>"
            f"<td class=\"num\">{fmt_num(c.capex_sek, 0, lang)}</td>"
            f"<td class=\"num\">{fmt_num(c.opex_sek_per_year, 0, lang)}</td>"
            f"<td class=\"num\">{fmt_num(c.cost_sek(horizon), 0, lang)}</td><td>{esc(c.source)}</td></tr>"
            for c in result.scenario.camera_types]
    keys = ("camera_type", "range_m", "fov_deg", "capex_sek", "opex_sek_per_year", "cost_horizon_sek", "source")
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in keys)
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p class=\"note\">{esc(tr('m_cost', lang, years=horizon))}</p>")


def _solver_text(result: RunResult, *, lang: str) -> str:
    s = result.summary
    text = tr("m_solver_text", lang, solver=s.get("solver", ""), status=tr(f"status_{s.get('status')}", lang),
              gap=f"{fmt_num(100 * (s.get('gap') or 0), 3, lang)} %", objective=fmt_num(s.get("objective"), 2, lang),
              bound=fmt_num(s.get("bound"), 2, lang), runtime=fmt_num(s.get("runtime_s"), 1, lang))
    warn = f' <span class="warn">{esc(tr("m_time_limit", lang))}</span>' if s.get("status") == "time_limit" else ""
    return esc(text) + warn


def method_box(result: RunResult, *, lang: str, include_incidents: bool) -> str:
    """The method and assumptions box, including the limits of the evidence."""
    s, scen = result.summary, result.scenario
    sources = sorted({str(x) for x in result.existing.get("source", [])}) or ["–"]
    existing = tr("m_existing_text", lang, n=len(result.existing), source=", ".join(sources),
                  dist=scen.candidates.min_distance_to_existing_m)
    layers = _frames.illustrative_layers(result)
    illus = esc(", ".join(layers)) if layers else esc(tr("m_illustrative_none", lang))
    privacy = tr("m_privacy_raw" if include_incidents else "m_privacy_agg", lang)
    items = [
        (tr("m_data", lang), _sources_table(result, lang=lang)),
        (tr("m_crs", lang), esc(tr("m_crs_text", lang, crs=s.get("crs", scen.crs)))),
        (tr("m_cameras", lang), _cameras_table(result, lang=lang)),
        (tr("m_existing", lang), esc(existing)),
        (tr("m_solver", lang), _solver_text(result, lang=lang)),
        (tr("mode", lang), f'<b>{esc(tr("mode_raw" if include_incidents else "mode_aggregated", lang))}</b>. '
                           f"{esc(privacy)}"),
        (tr("illustrative_layers", lang), f'<span class="{"warn" if layers else ""}">{illus}</span>'),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items)
    evidence = (f'<div class="evidence"><h3>{esc(tr("evidence", lang))}</h3><p>{esc(tr("m_evidence_text", lang))}</p>'
                f'<p class="note">{esc(tr("m_evidence_ref", lang))}</p></div>')
    return (f'<section class="card method" id="method"><h2>{esc(tr("method", lang))}</h2><dl>{dl}</dl>'
            f"<div style=\"margin-top:16px\">{evidence}</div></section>")
