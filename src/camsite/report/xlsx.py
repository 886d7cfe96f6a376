"""inventory.xlsx: the site inventory a district pastes into a budget annex.

Sheets: proposed sites, existing cameras, coverage, budget curve (when
computed) and assumptions. Headings follow ``lang``; numbers are written as
numbers with number formats, never as text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from camsite.errors import InputError
from camsite.i18n import category_label, tr
from camsite.report import _budget_xlsx, _frames, _robustness, balancing, districts, owners, underlag
from camsite.report._stable import stable_zip
from camsite.report.question import question_line
from camsite.result import SITES_COLUMNS, RunResult
from camsite.stages import LEVEL_SHARE_COLUMNS, CoverageRow
from camsite.tables import FORMULA_STARTS, control_note, printable

logger = logging.getLogger(__name__)

__all__ = ["NUMBER_FORMATS", "write_xlsx"]

#: Number format per column name (Excel shows the thousands separator of the user's locale).
NUMBER_FORMATS: dict[str, str] = {
    "rank": "0", "lon": "0.000000", "lat": "0.000000", "easting": "0.0", "northing": "0.0",
    "cost_sek": "#,##0", "cumulative_cost_sek": "#,##0", "budget_sek": "#,##0", "spent_sek": "#,##0",
    "capex_sek": "#,##0", "opex_sek_per_year": "#,##0", "cost_horizon_sek": "#,##0",
    "gain_weight": "0.00", "gain_incidents": "0.0", "cumulative_coverage_pct": "0.0", "coverage_pct": "0.0",
    "backup_pct": "0.0", "before_pct": "0.0", "after_pct": "0.0", "covered_weight": "0.00",
    "covered_incidents": "0.0", "only_this_weight": "0.00", "heading_deg": '0"°"', "n_sites": "0", "gap": "0.00%",
    "range_m": '0" m"', "fov_deg": '0"°"', "weight": "0.00", "weight_total": "0.00", "incidents_total": "0.0",
    "rows": "0", "incident_before_pct": "0.0", "incidents_before": "0.0",
    # graded coverage: share of a site's gain per EN 62676-4 level, written as a fraction (sites.csv: percent)
    **dict.fromkeys(LEVEL_SHARE_COLUMNS, "0.0 %"),
}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=12, color="1F4E79")
#: Incident counts; an empty one was suppressed (:func:`camsite.privacy.suppress`) and says so.
COUNT_COLUMNS = frozenset({"gain_incidents", "covered_incidents", "incidents_total", "gain_events",
                           "incidents_before"})
_WIDE = {"description": 60, "address": 30, "label": 42, "file": 40, "provenance": 40, "source": 34, "value": 44}


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes as a number where it is one (NaN becomes an empty cell)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (dict, list, tuple)):
        return str(value)
    return printable(value)  # a control character from an input file cannot go into a cell


def _table(ws: Worksheet, df: pd.DataFrame, *, lang: str, row: int = 1, title: str | None = None) -> int:
    """Write ``df`` with translated headers at ``row``; return the next free row."""
    if title:
        ws.cell(row=row, column=1, value=printable(title)).font = _TITLE_FONT
        row += 1
    for j, col in enumerate(df.columns, start=1):
        cell = ws.cell(row=row, column=j, value=tr(col, lang))
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, rec in enumerate(df.itertuples(index=False), start=row + 1):
        for j, (col, val) in enumerate(zip(df.columns, rec), start=1):
            value = _cell_value(val)
            if col in COUNT_COLUMNS and value is None:
                value = tr("suppressed", lang)  # the privacy rule: a count under 3 is not shown
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text from a user's file, never a live formula (formula injection)
            if col in NUMBER_FORMATS and isinstance(cell.value, (int, float)):
                cell.number_format = NUMBER_FORMATS[col]
    return row + len(df) + 2


def _widths(ws: Worksheet, columns: Sequence[str], *, lang: str) -> None:
    for j, col in enumerate(columns, start=1):
        width = _WIDE.get(col, max(10, min(24, len(tr(col, lang)) + 2)))
        ws.column_dimensions[get_column_letter(j)].width = width


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, *, lang: str) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    _table(ws, df, lang=lang)
    _widths(ws, list(df.columns), lang=lang)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
    return ws


def _sites_df(result: RunResult, lang: str) -> pd.DataFrame:
    sites = _frames.proposed_sites(result, lang=lang)
    out = pd.DataFrame(sites.drop(columns="geometry"))
    out["camera_type"] = [_frames.type_label(result, t) for t in out["camera_type"]]
    out = out.loc[:, [*SITES_COLUMNS, "address", "description"]]
    levels = [c for c in LEVEL_SHARE_COLUMNS if c in out]
    if levels and out[levels].isna().all().all() and not result.instance.graded:  # binary: no level shares
        return out.drop(columns=levels)
    out[levels] = out[levels] / 100.0  # shown with a percent format
    return out


def _existing_df(result: RunResult) -> pd.DataFrame:
    ex = _frames.existing_cameras(result)
    out = pd.DataFrame(ex.drop(columns="geometry"))
    if "camera_type" in out:
        out["camera_type"] = [_frames.type_label(result, str(t)) for t in out["camera_type"]]
    out["easting"] = np.round(ex.geometry.x.to_numpy(), 1) if len(ex) else []
    out["northing"] = np.round(ex.geometry.y.to_numpy(), 1) if len(ex) else []
    return out


#: Budget-curve columns shown in the workbook, in order (others, e.g. solver internals, are left out).
CURVE_COLUMNS: tuple[str, ...] = ("budget_sek", "spent_sek", "n_sites", "incident_pct", "plan_incident_pct",
                                  "incident_carried_from_sek", "coverage_pct", "backup_pct", "status", "gap",
                                  "proven_optimal")


def _curve_df(result: RunResult, budget_curve: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """``budget_curve`` (the run's, when computed) with the :data:`CURVE_COLUMNS` present and the knee marked."""
    curve = budget_curve.loc[:, [c for c in CURVE_COLUMNS if c in budget_curve]].copy()
    if "proven_optimal" in curve:
        curve["proven_optimal"] = [tr("yes" if v else "no", lang) for v in curve["proven_optimal"].astype(bool)]
    knee = result.summary.budget_curve_knee or {}
    if knee.get("budget_sek") is not None and "budget_sek" in curve:
        curve["is_knee"] = np.where(np.isclose(curve["budget_sek"], float(knee["budget_sek"])), "●", "")
    return curve


def _coverage_df(rows: Iterable[CoverageRow], key: str, lang: str) -> pd.DataFrame:
    df = pd.DataFrame([{key: r.name, "label": r.label if r.label is not None else category_label(r.name, lang),
                        "weight_total": r.weight_total, "incidents_total": r.incidents_total,
                        "before_pct": r.before_pct, "after_pct": r.after_pct} for r in rows])
    cols = [c for c in (key, "label", "weight_total", "incidents_total", "before_pct", "after_pct") if c in df]
    return df.loc[:, cols] if len(df) else pd.DataFrame(columns=[key, "label", "before_pct", "after_pct"])


def _target_points_df(points: Sequence[Any]) -> pd.DataFrame:
    """The curve's target points: the cheapest plan for 25, 50 and 75 % of the incident weight."""
    rows = [{"target_incident_share": p.get("target_incident_share"), "status": p.get("status"),
             "cost_sek": p.get("cost_sek"), "n_sites": p.get("n_sites"), "incident_pct": p.get("incident_pct"),
             "max_incident_pct": p.get("max_incident_pct"), "sites": p.get("sites")} for p in points]
    return pd.DataFrame(rows)


def _key_values(result: RunResult, lang: str, include_incidents: bool) -> pd.DataFrame:
    s, opt = result.summary, result.scenario.optimization
    rows = [
        ("scenario", f"{s.scenario} — {s.title}"),
        ("q_label", question_line(s, lang)),
        ("date", s.date), ("budget", s.budget_sek), ("spent", s.spent_sek),
        ("new_sites", s.n_new_sites), ("incidents_seen_before", s.incident_coverage_before_pct),
        ("incidents_seen_after", s.incident_coverage_after_pct), ("coverage_before", s.coverage_before_pct),
        ("coverage_after", s.coverage_after_pct), ("horizon_years", opt.horizon_years),
        ("cost_rule", ""), ("crs", s.crs), ("solver", s.solver), ("status", s.status), ("gap", s.gap),
        ("n_demand", s.n_demand), ("n_candidates", s.n_candidates),
        ("mode", tr("mode_raw" if include_incidents else "mode_aggregated", lang)),
        ("illustrative_layers", ", ".join(_frames.illustrative_layers(result)) or "—"),
    ]
    return pd.DataFrame({"item": [tr(k, lang) for k, _ in rows], "value": [_cell_value(v) for _, v in rows]})


def _assumptions(wb: Workbook, result: RunResult, lang: str, include_incidents: bool) -> None:
    ws = wb.create_sheet(tr("assumptions", lang)[:31])
    row = _table(ws, _key_values(result, lang, include_incidents), lang=lang)
    horizon = result.scenario.optimization.horizon_years
    cams = pd.DataFrame([{"name": c.name, "label": c.label, "range_m": c.range_m, "fov_deg": c.fov_deg,
                          "capex_sek": c.capex_sek, "opex_sek_per_year": c.opex_sek_per_year,
                          "cost_horizon_sek": c.cost_sek(horizon), "source": c.source}
                         for c in result.scenario.camera_types])
    row = _table(ws, cams, lang=lang, row=row, title=tr("camera_types", lang))
    weights = pd.DataFrame({"category": list(result.scenario.category_weights),
                            "weight": [float(v) for v in result.scenario.category_weights.values()]})
    row = _table(ws, weights, lang=lang, row=row, title=tr("weights", lang))
    src = pd.DataFrame([vars(d) for d in result.summary.data_sources])
    src = src.loc[:, [c for c in ("layer", "source", "provenance", "file", "rows") if c in src]]
    _table(ws, src, lang=lang, row=row, title=tr("data_sources", lang))
    for j, width in enumerate((34, 44, 14, 12, 16, 16, 18, 40), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"


def _control_warnings(result: RunResult) -> None:
    """Log, in validate's words, the texts from the inputs that hold control characters (the cells drop them)."""
    texts = {"title": [result.summary.title, result.summary.scenario],
             "category": [r.name for r in result.summary.coverage_by_category],
             "camera id": list(result.existing["camera_id"]) if "camera_id" in result.existing else [],
             "site text": [v for col in result.sites.columns if result.sites[col].dtype == object
                           for v in result.sites[col]]}
    for what, values in texts.items():
        note = control_note(values, what)
        if note:
            logger.warning("%s", note)


def write_xlsx(result: RunResult, path: Path, *, lang: str = "sv", include_incidents: bool = False) -> Path:
    """Write inventory.xlsx for ``result`` to ``path``; return ``path``.

    Parameters
    ----------
    result
        The run to describe.
    path
        The file to write.
    lang
        ``"sv"`` (default) or ``"en"`` headings.
    include_incidents
        Only changes the stated incident mode; the workbook holds no incident points.
    """
    _control_warnings(result)
    try:
        wb = _workbook(result, lang=lang, include_incidents=include_incidents)
    except IllegalCharacterError:  # a text not cleaned above: one line, never a traceback
        raise InputError("a text from the inputs (a title, category, id or name) holds a control character the "
                         "spreadsheet cannot store; remove it (camsite validate names it)", file=path) from None
    wb.save(path)
    stable_zip(Path(path))
    logger.info("wrote %s", path)
    return path


def _workbook(result: RunResult, *, lang: str, include_incidents: bool) -> Workbook:
    """The workbook of :func:`write_xlsx`, not yet saved."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, tr("sites", lang), _sites_df(result, lang), lang=lang)
    _sheet(wb, tr("existing", lang), _existing_df(result), lang=lang)
    cov = wb.create_sheet(tr("key_figures", lang)[:31])
    kinds = _coverage_df(result.summary.coverage_by_kind, "kind", lang)
    if len(kinds):
        kinds["label"] = [tr(f"kind_{k}", lang) for k in kinds["kind"]]
    row = _table(cov, kinds, lang=lang, title=tr("by_kind", lang)) if len(kinds) else 1
    row = _table(cov, _coverage_df(result.summary.coverage_by_category, "category", lang), lang=lang, row=row,
                 title=tr("by_category", lang))
    _table(cov, _coverage_df(result.summary.coverage_by_subarea, "name", lang), lang=lang, row=row,
           title=tr("by_subarea", lang))
    for j, width in enumerate((18, 46, 14, 14, 16, 16), start=1):
        cov.column_dimensions[get_column_letter(j)].width = width
    if (by_owner := owners.owner_frame(result, lang=lang)) is not None:  # before, by who runs the cameras
        _sheet(wb, tr("owners_sheet", lang), by_owner, lang=lang)
    if result.budget_curve is not None:
        _sheet(wb, tr("curve", lang), _curve_df(result, result.budget_curve, lang), lang=lang)
    if result.districts:  # [[districts]]: the plan per district and the curve per district
        _sheet(wb, tr("districts_sheet", lang), districts.districts_frame(result, lang=lang, suppressed=tr(
            "district_withheld", lang)), lang=lang)
        if result.district_curve is not None:
            _sheet(wb, tr("district_curve_sheet", lang), result.district_curve, lang=lang)
    points = list(result.summary.target_points or ())
    if points:
        _sheet(wb, tr("target_points_sheet", lang), _target_points_df(points), lang=lang)
    _assumptions(wb, result, lang, include_incidents)
    _budget_xlsx.add_budget_sheets(wb, result, lang=lang)  # Etappplan and Budgetbilaga
    underlag.add_underlag_sheets(wb, result, lang=lang)  # Underlag and Kostnadsrader
    _robustness.add_sheet(wb, result, lang=lang)  # Robusthet, when the run has a robustness analysis
    balancing.add_sheet(wb, result, lang=lang)  # Intresseavvägning: the figures for a permit application
    wb.properties.title = printable(result.summary.title or result.summary.scenario)
    wb.properties.creator = "camsite"
    wb.properties.created = wb.properties.modified = dt.datetime(1980, 1, 1)
    return wb
