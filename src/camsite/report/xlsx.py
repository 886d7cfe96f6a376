"""inventory.xlsx: the site inventory a district pastes into a budget annex.

Sheets: proposed sites, existing cameras, coverage, budget curve (when
computed) and assumptions. Headings follow ``lang``; numbers are written as
numbers with number formats, never as text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from camsite.report import _frames
from camsite.report._i18n import category_label, tr
from camsite.result import SITES_COLUMNS, RunResult

logger = logging.getLogger(__name__)

__all__ = ["write_xlsx", "NUMBER_FORMATS"]

#: Number format per column name (Excel shows the thousands separator of the user's locale).
NUMBER_FORMATS: dict[str, str] = {
    "rank": "0", "lon": "0.000000", "lat": "0.000000", "easting": "0.0", "northing": "0.0",
    "cost_sek": "#,##0", "cumulative_cost_sek": "#,##0", "budget_sek": "#,##0", "spent_sek": "#,##0",
    "capex_sek": "#,##0", "opex_sek_per_year": "#,##0", "cost_horizon_sek": "#,##0",
    "gain_weight": "0.00", "gain_incidents": "0.0", "cumulative_coverage_pct": "0.0", "coverage_pct": "0.0",
    "backup_pct": "0.0", "before_pct": "0.0", "after_pct": "0.0", "covered_weight": "0.00",
    "covered_incidents": "0.0", "only_this_weight": "0.00", "heading_deg": "0", "n_sites": "0", "gap": "0.00%",
    "range_m": "0", "fov_deg": "0", "weight": "0.00", "weight_total": "0.00", "incidents_total": "0.0", "rows": "0",
}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=12, color="1F4E79")
_WIDE = {"description": 60, "address": 30, "label": 42, "file": 40, "provenance": 40, "source": 34, "value": 44}


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes as a number where it is one (NaN becomes an empty cell)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (dict, list, tuple)):
        return str(value)
    return value


def _table(ws: Worksheet, df: pd.DataFrame, *, lang: str, row: int = 1, title: str | None = None) -> int:
    """Write ``df`` with translated headers at ``row``; return the next free row."""
    if title:
        ws.cell(row=row, column=1, value=title).font = _TITLE_FONT
        row += 1
    for j, col in enumerate(df.columns, start=1):
        cell = ws.cell(row=row, column=j, value=tr(col, lang))
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, rec in enumerate(df.itertuples(index=False), start=row + 1):
        for j, (col, val) in enumerate(zip(df.columns, rec), start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(val))
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
    return out.loc[:, [*SITES_COLUMNS, "address", "description"]]


def _existing_df(result: RunResult) -> pd.DataFrame:
    ex = _frames.existing_cameras(result)
    out = pd.DataFrame(ex.drop(columns="geometry"))
    if "camera_type" in out:
        out["camera_type"] = [_frames.type_label(result, str(t)) for t in out["camera_type"]]
    out["easting"] = np.round(ex.geometry.x.to_numpy(), 1) if len(ex) else []
    out["northing"] = np.round(ex.geometry.y.to_numpy(), 1) if len(ex) else []
    return out


#: Budget-curve columns shown in the workbook, in order (others, e.g. solver internals, are left out).
CURVE_COLUMNS: tuple[str, ...] = ("budget_sek", "spent_sek", "n_sites", "coverage_pct", "backup_pct", "status", "gap")


def _curve_df(result: RunResult) -> pd.DataFrame:
    curve = result.budget_curve.loc[:, [c for c in CURVE_COLUMNS if c in result.budget_curve]].copy()
    knee = result.summary.get("budget_curve_knee") or {}
    if knee.get("budget_sek") is not None and "budget_sek" in curve:
        curve["is_knee"] = np.where(np.isclose(curve["budget_sek"], float(knee["budget_sek"])), "●", "")
    return curve


def _coverage_df(rows: Iterable[dict[str, Any]], key: str, lang: str) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    if "category" in df and lang != "sv":
        old = df.get("label", df["category"])
        df["label"] = [category_label(str(c), lang, str(lbl)) for c, lbl in zip(df["category"], old)]
    cols = [c for c in (key, "label", "weight_total", "incidents_total", "before_pct", "after_pct") if c in df]
    return df.loc[:, cols] if len(df) else pd.DataFrame(columns=[key, "label", "before_pct", "after_pct"])


def _key_values(result: RunResult, lang: str, include_incidents: bool) -> pd.DataFrame:
    s, opt = result.summary, result.scenario.optimization
    rows = [
        ("scenario", f"{s.get('scenario', result.scenario.name)} — {s.get('title') or result.scenario.title}"),
        ("date", s.get("date", "")), ("budget", opt.budget_sek), ("spent", s.get("spent_sek")),
        ("new_sites", s.get("n_new_sites")), ("coverage_before", s.get("coverage_before_pct")),
        ("coverage_after", s.get("coverage_after_pct")), ("horizon_years", opt.horizon_years),
        ("cost_rule", ""), ("crs", s.get("crs", result.scenario.crs)),
        ("solver", s.get("solver", opt.solver)), ("status", s.get("status")), ("gap", s.get("gap")),
        ("runtime_s", s.get("runtime_s")), ("n_demand", s.get("n_demand")), ("n_candidates", s.get("n_candidates")),
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
    src = pd.DataFrame(result.summary.get("data_sources", []))
    src = src.loc[:, [c for c in ("layer", "source", "provenance", "file", "rows") if c in src]]
    _table(ws, src, lang=lang, row=row, title=tr("data_sources", lang))
    for j, width in enumerate((34, 44, 14, 12, 16, 16, 18, 40), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"


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
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, tr("sites", lang), _sites_df(result, lang), lang=lang)
    _sheet(wb, tr("existing", lang), _existing_df(result), lang=lang)
    cov = wb.create_sheet(tr("key_figures", lang)[:31])
    row = _table(cov, _coverage_df(result.summary.get("coverage_by_category", []), "category", lang), lang=lang,
                 title=tr("by_category", lang))
    _table(cov, _coverage_df(result.summary.get("coverage_by_subarea", []), "name", lang), lang=lang, row=row,
           title=tr("by_subarea", lang))
    for j, width in enumerate((18, 46, 14, 14, 16, 16), start=1):
        cov.column_dimensions[get_column_letter(j)].width = width
    if result.budget_curve is not None:
        _sheet(wb, tr("curve", lang), _curve_df(result), lang=lang)
    _assumptions(wb, result, lang, include_incidents)
    wb.properties.title = result.summary.get("title") or result.scenario.title or result.scenario.name
    wb.properties.creator = "camsite"
    wb.save(path)
    logger.info("wrote %s", path)
    return path
