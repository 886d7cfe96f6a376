"""report.html's staged-plan section: a timeline per year and a small static map per stage.

Only written when the run has stages. The timeline lists, per plan year, the
sites installed (by id and street), the incident coverage reached and the
year's investment and operation (the staged plan's cash flows,
``Summary.costs["staged"]``). Each stage's map is an inline SVG: the study
area, the streets, the sites of earlier stages in grey and the new ones in the
proposal colour, in the working CRS shifted as the main map is
(:func:`camsite.report.svg.path_d`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from camsite.i18n import fmt_num, tr
from camsite.report import svg
from camsite.report._budget_xlsx import staged_sentence
from camsite.report._sections import esc
from camsite.result import RunResult

__all__ = ["section"]

#: Size (pixels) of each stage's map.
MAP_PX = 260


def _ids(value: object) -> list[str]:
    return [v for v in str(value).split(";") if v not in ("", "nan")]


def _timeline(result: RunResult, years: Sequence[Mapping[str, Any]], lang: str) -> str:
    staged = result.stages
    assert staged is not None
    streets = dict(zip(result.candidates["site_id"].astype(str), result.candidates["street"].fillna("").astype(str)))
    by_year = {int(y): r for y, r in zip(staged["year"], staged.to_dict("records"), strict=True)}
    before = result.summary.incident_coverage_before_pct
    rows, reached = [], before
    for y in years:
        rec = by_year.get(int(y["year"]))
        added = _ids(rec["new_sites"]) if rec else []
        if rec and rec.get("incident_coverage_pct") is not None and not np.isnan(rec["incident_coverage_pct"]):
            reached = float(rec["incident_coverage_pct"])
        what = "; ".join(f"{s} ({streets.get(s, '')})" for s in added) or "–"
        rows.append(f'<tr data-year="{int(y["year"])}"><td>{int(y["year"])}</td><td>{esc(what)}</td>'
                    f'<td class="num">{fmt_num(reached, 1, lang)} %</td>'
                    f'<td class="num">{fmt_num(y["investment_sek"], 0, lang)}</td>'
                    f'<td class="num">{fmt_num(y["operation_sek"], 0, lang)}</td></tr>')
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("year", "new_site_ids", "incident_coverage_pct",
                                                              "investment_sek", "operation_sek"))
    return f'<table class="stages-timeline"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _stage_map(result: RunResult, base: str, origin: tuple[float, float], size: tuple[float, float],
               earlier: Sequence[str], added: Sequence[str], title: str) -> str:
    xy = dict(zip(result.candidates["site_id"].astype(str), zip(result.candidates.geometry.x,
                                                                  result.candidates.geometry.y, strict=True)))
    r = max(size) / 90

    def dots(ids: Sequence[str], colour: str) -> str:
        return "".join(f'<circle cx="{xy[s][0] - origin[0]:.1f}" cy="{origin[1] - xy[s][1]:.1f}" r="{r:.1f}" '
                       f'fill="{colour}"><title>{esc(s)}</title></circle>' for s in ids if s in xy)

    return (f'<figure class="stage-map"><svg viewBox="0 0 {size[0]:.0f} {size[1]:.0f}" width="{MAP_PX}" role="img" '
            f'aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">{base}{dots(earlier, "#8a8a8a")}'
            f'{dots(added, "#D55E00")}</svg><figcaption>{esc(title)}</figcaption></figure>')


def _maps(result: RunResult, lang: str) -> str:
    staged = result.stages
    assert staged is not None
    base, origin, size, _w = svg.base_layer(result)
    out: list[str] = []
    earlier: list[str] = []
    for rec in staged.to_dict("records"):
        added = _ids(rec["new_sites"])
        title = f'{tr("stage", lang)} {int(rec["stage"])} ({int(rec["year"])}): +{len(added)}'
        out.append(_stage_map(result, base, origin, size, list(earlier), added, title))
        earlier += added
    return f'<div class="stage-maps" style="display:flex;flex-wrap:wrap;gap:12px">{"".join(out)}</div>'


def section(result: RunResult, *, lang: str) -> str:
    """The staged plan's section of report.html ("" without stages)."""
    block = (result.summary.costs or {}).get("staged")
    if result.stages is None or not block:
        return ""
    return (f'<section class="card" id="stages"><h2>{esc(tr("sheet_stages", lang))}</h2>'
            f'<p class="note" id="stages-vs-sites">{esc(staged_sentence(result, lang))}</p>'
            f'{_timeline(result, block["years"], lang)}{_maps(result, lang)}</section>')
