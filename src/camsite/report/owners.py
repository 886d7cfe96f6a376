"""Coverage before the plan by who runs the existing cameras: the report's table and the workbook's sheet.

Both read ``Summary.coverage_before_by_owner`` (the inventory's ``owner``
column: police, city, other), as summary.json has it: the privacy rule has
already blanked an owner's incident figures when its cameras see fewer than 3
incidents (shown as "färre än 3").
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report._sections import esc
from camsite.result import RunResult

__all__ = ["COLUMNS", "owner_frame", "section"]

#: The workbook's columns (their headings are texts of the same key).
COLUMNS = ("owner_label", "owner_cameras", "incident_before_pct", "before_pct", "incidents_before")


def owner_frame(result: RunResult, *, lang: str) -> pd.DataFrame | None:
    """One row per owner with cameras: label, cameras, incident and overall coverage before, incidents seen
    before (None when the inventory names no owners)."""
    data = result.summary.coverage_before_by_owner
    if not data:
        return None
    rows: list[dict[str, Any]] = [
        {"owner_label": tr(f"owner_{owner}", lang), "owner_cameras": row.get("cameras"),
         "incident_before_pct": row.get("incident_before_pct"), "before_pct": row.get("before_pct"),
         "incidents_before": row.get("incidents_before")} for owner, row in data.items()]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _count(value: object, lang: str) -> str:
    return esc(tr("suppressed", lang)) if value is None else fmt_num(float(value), 1, lang)  # type: ignore[arg-type]


def section(result: RunResult, *, lang: str) -> str:
    """The report's table "Före: per huvudman" ("" without owners)."""
    frame = owner_frame(result, lang=lang)
    if frame is None:
        return ""
    body = "".join(
        f"<tr><td>{esc(r['owner_label'])}</td><td class=\"num\">{r['owner_cameras']}</td>"
        f"<td class=\"num\">{fmt_pct(r['incident_before_pct'], lang)}</td>"
        f"<td class=\"num\">{fmt_pct(r['before_pct'], lang)}</td>"
        f"<td class=\"num\">{_count(r['incidents_before'], lang)}</td></tr>"
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records"))
    num = ' class="num"'
    head = "".join(f"<th{'' if k == 0 else num}>{esc(tr(c, lang))}</th>" for k, c in enumerate(COLUMNS))
    return (f'<section class="card" id="owners"><h2>{esc(tr("owners_title", lang))}</h2>'
            f'<p class="note">{esc(tr("owners_note", lang))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>")
