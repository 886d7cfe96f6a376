"""Time of day in the deliverables: the terminal line, the incidents-by-hour chart and the report section.

>>> svg = hours_svg([{"from": 0, "to": 12, "incidents": 4}, {"from": 12, "to": 24, "incidents": 8}],
...                 night="20:00-06:00", lang="sv")
>>> svg.count("<rect class=\\"hour-bar"), "12–24" in svg
(2, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report._sections import esc
from camsite.result import RunResult
from camsite.stages import Summary
from camsite.timeofday import minute_mask, windows_text

__all__ = ["day_night_line", "hours_svg", "section"]

_W, _H, _PAD_L, _PAD_B, _PAD_T = 560, 180, 34, 26, 10


def day_night_line(summary: Summary, lang: str) -> str:
    """One terminal line: incidents seen by day and by night, before -> after, and the monitoring hours."""
    rows = {r.name: r for r in summary.coverage_by_period}
    tod = summary.time_of_day or {}
    parts = {f"{p}_{w}": fmt_pct(getattr(rows[p], f"{w}_pct"), lang) if p in rows else "–"
             for p in ("day", "night") for w in ("before", "after")}
    return tr("tod_line", lang, **parts, hours=windows_text(tod.get("hours", [])),
              night=windows_text([tod.get("night", "")]))


def hours_svg(bins: Sequence[Mapping[str, Any]], *, night: str, lang: str) -> str:
    """A bar chart of incidents by hour (the bins of ``time_of_day.incidents_by_hour``); night hours shaded."""
    if not bins:
        return ""
    peak = max(int(b["incidents"]) for b in bins) or 1
    plot_w, plot_h = _W - _PAD_L - 6, _H - _PAD_B - _PAD_T
    dark = np.asarray(minute_mask([night]).reshape(24, 60).any(axis=1) if night else np.zeros(24, bool), dtype=bool)
    parts = [f'<rect x="{_PAD_L + plot_w * h / 24:.1f}" y="{_PAD_T}" width="{plot_w / 24:.1f}" height="{plot_h}" '
             'fill="#e3e7ef"/>' for h in range(24) if dark[h]]
    for b in bins:
        a, z, n = int(b["from"]), int(b["to"]), int(b["incidents"])
        x, w = _PAD_L + plot_w * a / 24 + 1, plot_w * (z - a) / 24 - 2
        h = plot_h * n / peak
        label = tr("tod_bar_title", lang, start=f"{a:02d}", end=f"{z:02d}", n=fmt_num(n, 0, lang))
        parts.append(f'<rect class="hour-bar" x="{x:.1f}" y="{_PAD_T + plot_h - h:.1f}" width="{max(w, 1):.1f}" '
                     f'height="{h:.1f}" fill="#2b5797"><title>{esc(label)}</title></rect>')
        if z - a > 1 or a % 3 == 0:
            parts.append(f'<text x="{x + w / 2:.1f}" y="{_H - 8}" font-size="10" text-anchor="middle">'
                         f'{a:02d}{"–" + format(z, "02d") if z - a > 1 else ""}</text>')
    parts.append(f'<text x="4" y="{_PAD_T + 10}" font-size="10">{fmt_num(peak, 0, lang)}</text>')
    title = esc(tr("tod_chart", lang))
    return (f'<svg class="hours" viewBox="0 0 {_W} {_H}" width="100%" role="img" aria-label="{title}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


def section(result: RunResult, *, lang: str) -> str:
    """The report section "Dygnet": incidents by hour, and what the plan sees by day and by night."""
    s = result.summary
    tod = s.time_of_day
    if not tod or not s.coverage_by_period:
        return ""
    rows = "".join(
        f"<tr><td>{esc(tr(f'tod_{r.name}', lang))}</td><td class=\"num\">{fmt_pct(r.before_pct, lang)}</td>"
        f"<td class=\"num\">{fmt_pct(r.after_pct, lang)}</td></tr>" for r in s.coverage_by_period)
    head = (f"<tr><th>{esc(tr('tod_period', lang))}</th><th class=\"num\">{esc(tr('before_pct', lang))}</th>"
            f"<th class=\"num\">{esc(tr('after_pct', lang))}</th></tr>")
    reach = "; ".join(f"{esc(k)} {fmt_num(v, 0, lang)} m" if v is not None else f"{esc(k)} {esc(tr('tod_as_day', lang))}"
                      for k, v in (tod.get("night_range_m") or {}).items())
    share = tod.get("night_share_pct")
    text = tr("tod_text", lang, hours=windows_text(tod["hours"]), existing=windows_text(tod["existing_hours"]),
              night=windows_text([tod["night"]]), share=fmt_pct(share, lang) if share is not None else "–",
              weight=fmt_num(tod["night_weight"], 2, lang))
    return (f'<section class="card" id="time-of-day"><h2>{esc(tr("tod_title", lang))}</h2>'
            f"<p>{esc(text)}</p><p class=\"note\">{esc(tr('tod_reach', lang))} {reach}.</p>"
            f"<h3>{esc(tr('tod_chart', lang))}</h3>{hours_svg(tod['incidents_by_hour'], night=tod['night'], lang=lang)}"
            f"<p class=\"note\">{esc(tr('tod_chart_note', lang))}</p>"
            f"<table><thead>{head}</thead><tbody>{rows}</tbody></table></section>")
