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
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from camsite.i18n import category_label, fmt_num, fmt_pct, layer_label, source_label, tr
from camsite.report import _frames
from camsite.report.question import question_line
from camsite.result import RunResult
from camsite.stages import CoverageRow

__all__ = ["breakdowns", "esc", "fmt_num", "fmt_pct", "key_figures", "method_box", "sites_table", "views_section"]



def _flagged(value: object) -> bool:
    """A site's ``rests_on_one_event`` flag: True only for a true value (an empty or NaN cell is no flag).

    >>> _flagged(True), _flagged(float("nan")), _flagged(None), _flagged(False)
    (True, False, False, False)
    """
    return value is not None and value == value and bool(value)

def esc(value: object) -> str:
    """HTML-escaped text of ``value``."""
    return html.escape("" if value is None else str(value))


def _figure(label: str, value: str, sub: str = "", *, big: bool = False, cls: str = "") -> str:
    return (f'<div class="figure{" big" if big else ""}"><div class="label">{esc(label)}</div>'
            f'<div class="value {cls}">{value}</div><div class="sub">{esc(sub)}</div></div>')


def key_figures(result: RunResult, *, lang: str) -> str:
    """The question answered (one line), then the key-figure cards: budget, spent, sites, coverage before and
    after, solver status."""
    s = result.summary
    kr = tr("kr", lang)
    kinds = {r.name: r for r in s.coverage_by_kind}
    head = kinds.get("incident")
    before, after = (head.before_pct or 0.0, head.after_pct or 0.0) if head else (s.coverage_before_pct,
                                                                                  s.coverage_after_pct)
    status = s.status
    q = s.question or {}
    min_cost = q.get("objective") == "min_cost"
    share = q.get("target_incident_share")
    cards = [
        _figure(tr("target_card", lang), f"{fmt_num(100 * share, 0, lang)} %" if share is not None else "–")
        if min_cost else _figure(tr("budget", lang), f"{fmt_num(s.budget_sek, 0, lang)} {kr}"),
        _figure(tr("spent", lang), f"{fmt_num(s.spent_sek, 0, lang)} {kr}",
                "" if min_cost else tr("of_budget", lang, budget=fmt_num(s.budget_sek, 0, lang))),
        _figure(tr("new_sites", lang), esc(s.n_new_sites), big=True),
        _figure(tr("incidents_seen_before" if head else "coverage_before", lang), f"{fmt_num(before, 1, lang)} %"),
        _figure(tr("incidents_seen_after" if head else "coverage_after", lang), f"{fmt_num(after, 1, lang)} %",
                tr("pct_points", lang, d=after - before), big=True),
        *(_figure(tr(f"kind_{k}", lang), f"{fmt_num(r.before_pct or 0, 1, lang)} % → "
                  f"{fmt_num(r.after_pct or 0, 1, lang)} %", cls="small")
          for k, r in kinds.items() if k != "incident"),
        _figure(tr("status", lang), esc(tr(f"status_{status}", lang)),
                f"gap {fmt_num(100 * (s.gap or 0), 2, lang)} %", cls=f"small status-{esc(status)}"),
    ]
    return (f'<section class="card" id="key-figures"><h2>{esc(tr("key_figures", lang))}</h2>'
            f'<p class="question" id="question"><strong>{esc(tr("q_label", lang))}:</strong> '
            f'{esc(question_line(s, lang))}</p>'
            f'<div class="figures">{"".join(cards)}</div><p class="note" id="objective-blend">'
            f'{esc(blend_sentence(result, lang=lang))}</p></section>')


def blend_sentence(result: RunResult, *, lang: str) -> str:
    """One sentence: what the objective adds up (weight and share per demand kind) and its coverage."""
    s = result.summary
    if not s.coverage_by_kind:
        return tr("coverage_def", lang)
    total = sum(r.weight_total for r in s.coverage_by_kind) or 1.0
    parts = [tr("blend_part", lang, kind=tr(f"kind_{r.name}", lang).lower(), w=fmt_num(r.weight_total, 1, lang),
                share=fmt_num(100 * r.weight_total / total, 0, lang)) for r in s.coverage_by_kind]
    return tr("blend_sentence", lang, parts="; ".join(parts), before=fmt_num(s.coverage_before_pct, 1, lang),
              after=fmt_num(s.coverage_after_pct, 1, lang))


def sites_table(result: RunResult, *, lang: str) -> str:
    """The ranked site table (one ``tr[data-rank]`` per proposed site)."""
    sites = _frames.proposed_sites(result, lang=lang)
    cols = [("rank", 0), ("site_id", None), ("street", None), ("camera_type", None), ("cost_sek", 0),
            ("gain_weight", 2), ("gain_incidents", 1), ("gain_events", 0), ("cumulative_cost_sek", 0),
            ("cumulative_coverage_pct", 1)]
    head = "".join(f'<th class="{"num" if d is not None else ""}">{esc(tr(c, lang))}</th>' for c, d in cols)
    rows = []
    for rec in sites.itertuples(index=False):
        cells = []
        for col, dec in cols:
            v = getattr(rec, col)
            if col == "rank":  # ⚑: the site rests on one event (its largest event carries over half its gain)
                flag = ' <span class="one-event" title="{}">⚑</span>'.format(esc(tr("rests_on_one_event", lang))) \
                    if _flagged(getattr(rec, "rests_on_one_event", False)) else ""
                cells.append(f'<td class="num"><span class="rank-badge">{int(v)}</span>{flag}</td>')
            elif col == "camera_type":
                cells.append(f'<td class="type">{esc(_frames.type_label(result, str(v)))}</td>')
            elif dec is None:
                cells.append(f"<td>{esc(v or tr('unnamed_street', lang) if col == 'street' else v)}</td>")
            else:
                text = _count(float("nan") if v is None else float(v), lang) if col in ("gain_incidents", "gain_events") \
                    else fmt_num(v, dec, lang)
                cells.append(f'<td class="num">{esc(text)}</td>')
        rows.append(f'<tr data-rank="{int(rec.rank)}" title="{esc(rec.description)}">{"".join(cells)}</tr>')
        rows.append(_why_row(rec, len(cols), lang))
    body = "".join(rows) or f'<tr><td colspan="{len(cols)}">{esc(tr("no_sites", lang))}</td></tr>'
    flagged = int(sites["rests_on_one_event"].map(_flagged).sum()) if "rests_on_one_event" in sites else 0
    one = f'<p class="warn-box" id="one-event">{esc(tr("one_event_note", lang, n=flagged))}</p>' if flagged else ""
    return (f'<section class="card" id="sites"><h2>{esc(tr("sites", lang))} ({len(sites)})</h2>{one}'
            f'<p class="note">{esc(tr("sites_table_note", lang))}</p><div class="table-scroll">'
            f'<table id="sites-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>')


#: sites.csv's share (%) columns of a site's gain per EN 62676-4 level, best first, with the level each is for.
_LEVEL_COLUMNS: tuple[tuple[str, str], ...] = (("identify", "gain_identify_pct"), ("recognise", "gain_recognise_pct"),
                                               ("observe", "gain_observe_pct"), ("detect", "gain_detect_pct"))


def _ptz_note(result: RunResult, lang: str) -> str:
    """Which new camera types count only a share of the time (patrolling PTZ domes), and how much."""
    cams = result.instance.cameras
    assert cams.share is not None
    return " ".join(tr("views_ptz_share", lang, type=_frames.type_label(result, n),
                       share=f"{fmt_num(100 * sh, 0, lang)} %") for n, sh in zip(cams.names, cams.share) if sh < 1)


def _simple_table(head: Iterable[tuple[str, bool]], rows: Iterable[Iterable[str]]) -> str:
    """A small table: ``head`` (text, numeric) and rows of escaped cells (numeric columns right-aligned)."""
    cols = list(head)
    th = "".join(f'<th class="num">{esc(t)}</th>' if num else f"<th>{esc(t)}</th>" for t, num in cols)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if num else f"<td>{c}</td>"
                                    for c, (_, num) in zip(row, cols)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def views_section(result: RunResult, *, lang: str) -> str:
    """Graded coverage: how views are valued, the plan's camera types (count per type) and its gain per
    EN 62676-4 level (the whole plan's gain times the summary's ``gain_by_level_pct``: a site's own gain may be
    hidden by the privacy rule); empty with binary coverage."""
    if not result.instance.graded:
        return ""
    sites = result.sites
    counts = sites["camera_type"].astype(str).value_counts().sort_index()
    mix = _simple_table([(tr("camera_type", lang), False), (tr("views_count", lang), True)],
                        [(esc(_frames.type_label(result, str(t))), fmt_num(n, 0, lang)) for t, n in counts.items()])
    s = result.summary
    plan_gain = (s.coverage_after_pct - s.coverage_before_pct) * s.weight_total / 100
    shares = s.gain_by_level_pct or {}
    by_level = [(lvl, plan_gain * float(shares.get(lvl, 0.0)) / 100) for lvl, _ in _LEVEL_COLUMNS]
    total = sum(v for _, v in by_level)
    levels = _simple_table(
        [(tr("views_level", lang), False), (tr("views_gain", lang), True), (tr("views_gain_share", lang), True)],
        [(esc(tr(f"level_{lvl}", lang)), fmt_num(v, 2, lang), fmt_num(100 * v / total if total > 0 else None, 1,
                                                                       lang)) for lvl, v in by_level])
    text = " ".join(t for t in (tr("views_valued", lang), _ptz_note(result, lang), _existing_note(result, lang)) if t)
    return (f'<section class="card" id="views"><h2>{esc(tr("views_title", lang))}</h2>'
            f'<p class="note" id="views-valued">{esc(text)}</p><div class="two"><div><h3>'
            f'{esc(tr("views_mix", lang))}</h3>{mix}</div><div><h3>{esc(tr("views_by_level", lang))}</h3>{levels}'
            f'</div></div><p class="note">{esc(tr("views_gain_note", lang))}</p></section>')


def _existing_note(result: RunResult, lang: str) -> str:
    """How the existing cameras' views were taken: type, heading and height from the inventory or the defaults."""
    ex = result.instance.existing
    if not len(ex):
        return ""
    h = ex["height_m"].to_numpy(float) if "height_m" in ex else np.full(len(ex), np.nan)
    head = ex["heading_deg"].to_numpy(float)
    return tr("views_existing", lang, n=len(ex), heading=int((~np.isnan(head)).sum()),
              height=int((~np.isnan(h)).sum()))


def _why_row(rec: Any, width: int, lang: str) -> str:
    """The expandable "why this site" row under a site: what it newly sees, and the best other place."""
    alt = rec.alternative_site_id or ""
    items = [(tr("why_categories", lang), rec.why_categories or "–"),
             (tr("why_precision", lang), rec.why_precision or "–"),
             (tr("streets_seen", lang), rec.streets_seen or "–"),
             (tr("alternative", lang), tr("alternative_text", lang, site=alt,
                                          gain=fmt_num(float(rec.alternative_gain_weight), 2, lang),
                                          own=fmt_num(float(rec.gain_weight), 2, lang)) if alt else "–")]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return (f'<tr class="why" data-why="{int(rec.rank)}"><td colspan="{width}"><details><summary>'
            f'{esc(tr("why_site", lang))}</summary><dl class="why">{dl}</dl></details></td></tr>')


def uncoverable_section(result: RunResult, *, lang: str) -> str:
    """What no candidate and no existing camera can see: share, reasons, the worst places."""
    unc = result.summary.uncoverable
    if not unc:
        return ""
    share = unc.get("incident_share_pct")
    reasons = "".join(f"<li>{esc(tr(f'unc_{r}', lang))}: {fmt_num(v['weight'], 2, lang)} "
                      f"({esc(v['count'])} {esc(tr('points', lang))})</li>" for r, v in unc.get("by_reason", {}).items())
    worst = "".join(f"<tr><td>{esc(w['street'] or '–')}</td><td class=\"num\">{fmt_num(w['weight'], 2, lang)}</td>"
                    f"<td class=\"num\">{_count(float('nan') if w.get('incidents') is None else w['incidents'], lang)}"
                    f"</td></tr>" for w in unc.get("worst", []))
    table = (f"<table><thead><tr><th>{esc(tr('street', lang))}</th><th class=\"num\">{esc(tr('weight', lang))}</th>"
             f"<th class=\"num\">{esc(tr('incidents_col', lang))}</th></tr></thead><tbody>{worst}</tbody></table>"
             if worst else "")
    text = tr("unc_text", lang, n=unc.get("count", 0), share=fmt_num(unc.get("share_pct", 0.0), 1, lang),
              inc=fmt_num(share or 0.0, 1, lang))
    return (f'<section class="card" id="uncoverable"><h2>{esc(tr("unc_title", lang))}</h2><p>{esc(text)}</p>'
            f'<ul>{reasons}</ul>{table}</section>')


def _bar(before: float | None, after: float | None) -> str:
    b, a = before or 0.0, after or 0.0
    return (f'<div class="bar" title="{b:.1f} % → {a:.1f} %"><span class="after" style="width:{a:.1f}%"></span>'
            f'<span class="before" style="width:{b:.1f}%"></span></div>')


def _count(value: float, lang: str) -> str:
    """An incident count; NaN means suppressed by the privacy rule (a count under 3)."""
    return tr("suppressed", lang) if not math.isfinite(value) else fmt_num(value, 1, lang)


def _breakdown_table(rows: Iterable[CoverageRow], *, lang: str, title: str,
                     label: Callable[[CoverageRow], str] | None = None) -> str:
    body = []
    for r in rows:
        label_text = label(r) if label is not None else r.label if r.label is not None else category_label(r.name,
                                                                                                           lang)
        seen = f"{_count(r.incidents_after, lang)} / {_count(r.incidents_total, lang)}" if r.incidents_total else "–"
        body.append(f"<tr><td>{esc(label_text or r.name)}</td><td class=\"num\">{fmt_pct(r.before_pct, lang)}</td>"
                    f"<td class=\"num\">{fmt_pct(r.after_pct, lang)}</td>"
                    f"<td>{_bar(r.before_pct, r.after_pct)}</td><td class=\"num\">{seen}</td></tr>")
    head = (f"<tr><th>{esc(tr('label_col', lang))}</th><th class=\"num\">{esc(tr('before_pct', lang))}</th>"
            f"<th class=\"num\">{esc(tr('after_pct', lang))}</th><th>{esc(tr('bar', lang))}</th>"
            f"<th class=\"num\">{esc(tr('incidents_seen', lang))}</th></tr>")
    return f"<div><h3>{esc(title)}</h3><table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"


def breakdowns(result: RunResult, *, lang: str) -> str:
    """Coverage before and after, by incident category and by sub-area."""
    s = result.summary
    cats = _breakdown_table(s.coverage_by_category, lang=lang, title=tr("by_category", lang))
    subs = _breakdown_table(s.coverage_by_subarea, lang=lang, title=tr("by_subarea", lang))
    kinds = _breakdown_table(s.coverage_by_kind, lang=lang, title=tr("by_kind", lang), label=lambda r: tr(
        f"kind_{r.name}", lang))
    return (f'<section class="card" id="breakdowns"><div class="two">{cats}{subs}</div>{kinds}</section>'
            + uncoverable_section(result, lang=lang))


def _sources_table(result: RunResult, *, lang: str) -> str:
    rows = []
    for d in result.summary.data_sources:
        flag = f' <span class="warn">{esc(tr("illustrative_flag", lang))}</span>' \
            if _frames.is_illustrative(d.source) else ""
        rows.append(f"<tr><td>{esc(layer_label(d.layer, lang))}{flag}</td><td>{esc(source_label(d.source, lang))}</td>"
                    f"<td>{esc(d.provenance)}</td><td>{esc(Path(d.file).name)}</td>"
                    f"<td class=\"num\">{fmt_num(d.rows, 0, lang)}</td></tr>")
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
    text = tr("m_solver_text", lang, solver=s.solver, status=tr(f"status_{s.status}", lang),
              gap=f"{fmt_num(100 * (s.gap or 0), 3, lang)} %", objective=fmt_num(s.objective, 2, lang),
              bound=fmt_num(s.bound, 2, lang))
    warn = f' <span class="warn">{esc(tr("m_time_limit", lang))}</span>' if s.status == "time_limit" else ""
    return esc(text) + warn


def method_box(result: RunResult, *, lang: str, include_incidents: bool) -> str:
    """The method and assumptions box, including the limits of the evidence."""
    s, scen = result.summary, result.scenario
    sources = sorted({str(x) for x in result.existing.get("source", [])}) or ["–"]
    existing = tr("m_existing_text", lang, n=len(result.existing), source=", ".join(sources),
                  dist=scen.candidates.min_distance_to_existing_m)
    layers = _frames.illustrative_layers(result)
    illus = esc(", ".join(layer_label(n, lang) for n in layers)) if layers else esc(tr("m_illustrative_none", lang))
    privacy = tr("m_privacy_raw" if include_incidents else "m_privacy_agg", lang)
    items = [
        (tr("m_data", lang), _sources_table(result, lang=lang)),
        (tr("m_crs", lang), esc(tr("m_crs_text", lang, crs=s.crs))),
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
