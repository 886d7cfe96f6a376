"""inventory.xlsx's budget sheets: "Etappplan" (the staged plan by year) and "Budgetbilaga" (the budget annex).

Figures come from ``Summary.costs`` (:func:`camsite.stages.rollout.costs_summary`)
and the run's tables; nothing is solved here. Numbers are numbers: costs in
kSEK with the format ``#,##0`` and shares with ``0.0 %`` (format codes are
stored locale-neutral, as Excel wants them; Swedish Excel shows ``1 234`` and
``27,4 %``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from camsite.i18n import category_label, fmt_num, tr
from camsite.result import RunResult
from camsite.tables import FORMULA_STARTS, printable

__all__ = ["FORMATS", "add_budget_sheets", "marginal_cost"]

#: Number formats of the budget sheets (locale-neutral codes; module docs).
FORMATS: dict[str, str] = {"sek": "#,##0", "ksek": "#,##0", "ksek1": "#,##0.0", "share": "0.0 %", "pct": "0.0", "int": "0", "year": "0"}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=12, color="1F4E79")
Column = tuple[str, str]  # (key, format name)


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> None:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        value = None
    value = printable(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = FORMATS[fmt]


def _rows(ws: Worksheet, row: int, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *,
          lang: str) -> int:
    """A titled table at ``row``; return the next free row (one blank row after)."""
    ws.cell(row=row, column=1, value=printable(title)).font = _TITLE_FONT
    for j, (key, _) in enumerate(columns, start=1):
        cell = ws.cell(row=row + 1, column=j, value=tr(key, lang))
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, values in enumerate(rows, start=row + 2):
        for j, ((_, fmt), value) in enumerate(zip(columns, values, strict=True), start=1):
            _put(ws, i, j, value, fmt)
    return row + 3 + len(rows)


def _marginal(result: RunResult) -> dict[str, float] | None:
    """The money per percentage point of *incident* coverage (``Summary.costs["marginal_incident"]``), in
    :func:`marginal_cost`'s keys."""
    m = (result.summary.costs or {}).get("marginal_incident")
    if not m:
        return None
    return {"from_sek": m["from_budget_sek"], "to_sek": m["to_budget_sek"], "gain_pct": m["incident_pp"],
            "sek_per_point": m["sek_per_point"]}


def marginal_cost(curve: pd.DataFrame | None, budget: float) -> dict[str, float] | None:
    """The cost of the budget curve's last step up to ``budget`` divided by its gain in incident coverage (SEK per
    percentage point of ``incident_pct``, the headline; ``coverage_pct`` for a curve without it).

    The step is between the last two feasible curve points at or below
    ``budget`` (the run's own budget is on the curve); ``None`` without two
    such points or without a gain.

    >>> marginal_cost(pd.DataFrame({"budget_sek": [1.0, 2.0, 3.0], "spent_sek": [1.0, 2.0, 2.9],
    ...                             "coverage_pct": [10.0, 14.0, 15.0]}), 3.0)["sek_per_point"]
    0.9
    """
    if curve is None or len(curve) < 2:
        return None
    ok = curve[(curve["budget_sek"] <= budget + 1e-6) & (curve.get("status", "optimal") != "infeasible")]
    ok = ok.sort_values("budget_sek", kind="stable").tail(2)
    if len(ok) < 2:
        return None
    col = "incident_pct" if "incident_pct" in ok else "coverage_pct"  # the headline; the blend on older curves
    (s0, s1), (c0, c1) = ok["spent_sek"].to_numpy(float), ok[col].to_numpy(float)
    if c1 - c0 <= 1e-9:
        return None
    return {"from_sek": float(s0), "to_sek": float(s1), "gain_pct": round(float(c1 - c0), 6),
            "sek_per_point": round(float((s1 - s0) / (c1 - c0)), 2)}


def _year_rows(years: Sequence[Mapping[str, Any]], share: Sequence[float | None]) -> list[list[Any]]:
    return [[y["year"], y["investment_sek"] / 1000, y["operation_sek"] / 1000,
             (y["investment_sek"] + y["operation_sek"]) / 1000, y["cameras_installed"], y["cameras_in_operation"], s]
            for y, s in zip(years, share, strict=True)]


YEAR_COLUMNS: tuple[Column, ...] = (("year", "year"), ("investment_ksek", "ksek"), ("operation_ksek", "ksek"),
                                    ("total_ksek", "ksek"), ("cameras_installed", "int"),
                                    ("cameras_in_operation", "int"), ("incidents_seen_share", "share"))


def _staged_shares(block: Mapping[str, Any]) -> list[float | None]:
    """Incident coverage (share) reached by the end of each year in the staged plan."""
    return [None if y["incident_pct"] is None else y["incident_pct"] / 100 for y in block["coverage_by_year"]]


def _staged_categories(ws: Worksheet, row: int, block: Mapping[str, Any], lang: str) -> int:
    """Coverage per category (share of its weight) by the end of each year of the staged plan."""
    years = block["coverage_by_year"]
    cats = list(years[0]["by_category"]) if years else []
    rows = [[category_label(c, lang), *(None if y["by_category"][c] is None else y["by_category"][c] / 100
                                        for y in years)] for c in cats]
    columns = (("category", ""), *((str(y["year"]), "share") for y in years))
    return _rows(ws, row, tr("annex_by_category_staged", lang), columns, rows, lang=lang)


def _cost_block(ws: Worksheet, row: int, title: str, block: Mapping[str, Any], share: Sequence[float | None],
                rate: float, lang: str) -> int:
    years = block["years"]
    rows = _year_rows(years, share)
    rows.append([tr("annex_sum", lang), sum(r[1] for r in rows), sum(r[2] for r in rows), block["total_sek"] / 1000,
                 None, None, None])
    rows.append([tr("annex_pv", lang, rate=fmt_num(100 * rate, 1, lang) + " %"), None, None,
                 block["present_value_sek"] / 1000, None, None, None])
    return _rows(ws, row, title, YEAR_COLUMNS, rows, lang=lang)


def _assumption_rows(result: RunResult, lang: str) -> list[list[Any]]:
    opt, cost = result.scenario.optimization, result.summary.costs or {}
    rows: list[list[Any]] = [
        [tr("budget_applies_to", lang), tr(f"annex_rule_{opt.budget_applies_to}", lang), None, ""],
        [tr("budget_ksek", lang), opt.budget_sek / 1000, "ksek", ""],
        [tr("start_year", lang), cost.get("start_year"), "year", ""],
        [tr("horizon_years", lang), opt.horizon_years, "pct", ""],
        [tr("discount_rate", lang), opt.discount_rate, "share", ""],
    ]
    for c in result.scenario.camera_types:
        name = c.label or c.name
        rows += [[f"{name}: {tr('capex_ksek', lang)}", c.capex_sek / 1000, "ksek", c.source],
                 [f"{name}: {tr('opex_ksek', lang)}", c.opex_sek_per_year / 1000, "ksek", c.source],
                 [f"{name}: {tr('lifetime', lang)}", c.lifetime_years, "pct", c.source]]
    return rows


def _annex(wb: Workbook, result: RunResult, lang: str) -> None:
    s, cost = result.summary, result.summary.costs or {}
    rate = float(cost.get("discount_rate", 0.0))
    ws = wb.create_sheet(tr("sheet_annex", lang)[:31])
    title = printable(tr("annex_title", lang, name=s.title or s.scenario))
    ws.cell(row=1, column=1, value=title).font = _TITLE_FONT
    one_shot = [None if s.incident_coverage_after_pct is None else s.incident_coverage_after_pct / 100] * len(
        cost["years"])
    row = _cost_block(ws, 3, tr("annex_years_one_shot", lang, year=cost["start_year"]), cost, one_shot, rate, lang)
    if cost.get("staged"):
        row = _cost_block(ws, row, tr("annex_years_staged", lang), cost["staged"],
                          _staged_shares(cost["staged"]), rate, lang)
    def count(v: float | None) -> float | str:  # an empty count was suppressed by the privacy rule
        return tr("suppressed", lang) if v is None or not np.isfinite(v) else v

    cats = [[category_label(r.name, lang), count(r.incidents_total), count(r.incidents_after),
             None if r.before_pct is None else r.before_pct / 100, None if r.after_pct is None else r.after_pct / 100]
            for r in s.coverage_by_category]
    row = _rows(ws, row, tr("annex_by_category", lang), (("category", ""), ("incidents_total", "pct"),
                ("covered_incidents", "pct"), ("before_pct", "share"), ("after_pct", "share")), cats, lang=lang)
    if cost.get("staged"):
        row = _staged_categories(ws, row, cost["staged"], lang)
    m, key = _marginal(result), "ul_marginal_incident_how"
    if m is None and (m := marginal_cost(result.budget_curve, s.budget_sek)) is not None:
        key = "annex_marginal_how"  # no incident demand: the objective's coverage
    how = tr("annex_marginal_none", lang) if m is None else tr(
        key, lang, from_=fmt_num(m["from_sek"], 0, lang), to=fmt_num(m["to_sek"], 0, lang),
        gain=fmt_num(m["gain_pct"], 2, lang))
    row = _rows(ws, row, tr("annex_marginal", lang), (("value_ksek_per_point", "ksek1"), ("annex_how", "")),
                [[None if m is None else m["sek_per_point"] / 1000, how]], lang=lang)
    rows = [[k, v, None, src] for k, v, _, src in _assumption_rows(result, lang)]
    start = row + 2
    _rows(ws, row, tr("annex_assumptions", lang), (("item", ""), ("value", ""), ("", ""), ("source", "")), rows,
          lang=lang)
    for i, (_, v, fmt, _) in enumerate(_assumption_rows(result, lang), start=start):
        if fmt:
            _put(ws, i, 2, v, fmt)
    for j, width in enumerate((34, 16, 16, 16, 16, 16, 16), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def _stage_rows(result: RunResult) -> list[list[Any]]:
    staged = result.stages
    assert staged is not None
    streets = dict(zip(result.candidates["site_id"].astype(str), result.candidates["street"].fillna("").astype(str)))
    rows = []
    for r in staged.to_dict("records"):
        ids = [v for v in str(r["new_sites"]).split(";") if v not in ("", "nan")]
        rows.append([r["stage"], r["year"], r["budget_sek"], r["cumulative_budget_sek"], r["spent_sek"],
                     r["n_new_sites"], "; ".join(ids), "; ".join(streets.get(i, "") for i in ids),
                     r["coverage_pct"], r["incident_coverage_pct"], r["optimum_coverage_pct"], r["shortfall_pct"],
                     r["investment_sek"], r["operation_sek"], bool(r["proven_optimal"])])
    return rows


STAGE_COLUMNS: tuple[Column, ...] = (
    ("stage", "int"), ("year", "year"), ("budget_sek", "sek"), ("cumulative_budget_sek", "sek"), ("spent_sek", "sek"),
    ("n_new_sites", "int"), ("new_site_ids", ""), ("new_site_streets", ""), ("coverage_pct", "pct"),
    ("incident_coverage_pct", "pct"), ("optimum_coverage_pct", "pct"), ("shortfall_pct", "pct"),
    ("investment_sek", "sek"), ("operation_sek", "sek"), ("proven_optimal", ""))


#: The yearly frames (``Summary.costs["frames"]``) under the staged plan; an absent frame is an empty cell.
FRAME_COLUMNS: tuple[Column, ...] = (
    ("year", "year"), ("investment_sek", "sek"), ("investment_frame_sek", "sek"), ("investment_left_sek", "sek"),
    ("operation_sek", "sek"), ("operation_frame_sek", "sek"), ("operation_left_sek", "sek"))


def staged_sentence(result: RunResult, lang: str) -> str:
    """Whether the staged plan ends with sites.csv's sites, said explicitly ("" without stages)."""
    block = (result.summary.costs or {}).get("staged")
    if not block:
        return ""
    if not block["final_differs_from_sites"]:
        return tr("staged_same", lang)
    return tr("staged_differs", lang, staged=", ".join(block["sites_only_in_staged_plan"]) or tr("none", lang),
              one_shot=", ".join(block["sites_only_in_one_shot_plan"]) or tr("none", lang))


def _stages_sheet(wb: Workbook, result: RunResult, lang: str) -> None:
    ws = wb.create_sheet(tr("sheet_stages", lang)[:31])
    row = _rows(ws, 1, tr("sheet_stages", lang), STAGE_COLUMNS, _stage_rows(result), lang=lang)
    ws.cell(row=row, column=1, value=printable(staged_sentence(result, lang)))
    cost = result.summary.costs or {}
    row = _cost_block(ws, row + 2, tr("annex_years_staged", lang), cost["staged"],
                      _staged_shares(cost["staged"]), float(cost.get("discount_rate", 0.0)), lang)
    if cost.get("frames"):
        _rows(ws, row + 1, tr("frames_title", lang), FRAME_COLUMNS,
              [[r[k] for k, _ in FRAME_COLUMNS] for r in cost["frames"]], lang=lang)
    for j, width in enumerate((10, 10, 14, 14, 14, 10, 40, 40, 12, 12, 12, 14, 14, 14, 10), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def add_budget_sheets(wb: Workbook, result: RunResult, *, lang: str = "sv") -> None:
    """Add "Etappplan" (when the run has stages) and "Budgetbilaga" (when it has costs) to ``wb``."""
    cost = result.summary.costs
    if result.stages is not None and cost and cost.get("staged"):
        _stages_sheet(wb, result, lang)
    if cost:
        _annex(wb, result, lang)
