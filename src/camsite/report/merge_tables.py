"""``camsite merge``'s city tables and files: city_merged.csv and city_merged.xlsx.

:func:`merge` stacks the districts' places (the contribution format plus the
input each came from, ``source``), totals each district (sites, spend,
incidents and travellers seen before and after) and adds the city's row;
:func:`write_merged` writes the places as ``city_merged.csv`` and a workbook
``city_merged.xlsx`` (places, districts, what was merged).

Privacy: the inputs carry the districts' already aggregated figures, counts
under :data:`~camsite.privacy.MIN_COUNT` suppressed; the rule is applied again
to every count read (a run made with ``--include-incidents`` has them in its
summary.json). A city total of a count is shown only when every district's own
figure was shown: a sum over districts with one figure hidden, less the figures
shown, would give the hidden one back. Percentages are the runs' own; the
city's is each district's weighted by that district's demand weight.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from camsite import privacy
from camsite.errors import InputError
from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report._stable import stable_zip
from camsite.report.merge import Part
from camsite.runfolder import BATCH_MARKER, MARKER
from camsite.tables import FORMULA_STARTS, printable, write_csv

logger = logging.getLogger(__name__)

__all__ = ["COUNTS", "DISTRICT_COLUMNS", "MERGED_CSV", "MERGED_XLSX", "Merged", "format_table", "merge",
           "write_merged"]

#: The files ``camsite merge`` writes.
MERGED_CSV, MERGED_XLSX = "city_merged.csv", "city_merged.xlsx"
#: The district totals' columns (the city's row is the last, ``district`` empty).
DISTRICT_COLUMNS: tuple[str, ...] = (
    "district", "district_title", "source", "budget_sek", "n_sites", "spent_sek", "investment_sek",
    "operation_sek_per_year", "incidents_total", "incidents_before", "incidents_after", "incident_before_pct",
    "incident_after_pct", "travellers_before_pct", "travellers_after_pct", "status", "gap")
#: Incident counts: under the privacy rule, and summed for the city only when every district shows its own.
COUNTS: tuple[str, ...] = ("incidents_total", "incidents_before", "incidents_after")
#: Percentages and the demand kind whose weight weighs each district's in the city's.
_PCTS: dict[str, tuple[str, str]] = {"incident_before_pct": ("incident", "before_pct"),
                                     "incident_after_pct": ("incident", "after_pct"),
                                     "travellers_before_pct": ("footfall", "before_pct"),
                                     "travellers_after_pct": ("footfall", "after_pct")}
#: Integer columns of the places (read as numbers).
_INTS = ("format_version", "plan_start_year", "rank", "install_year")
_FORMATS = {"budget_sek": "#,##0", "spent_sek": "#,##0", "investment_sek": "#,##0", "operation_sek_per_year": "#,##0",
            "cost_over_horizon_sek": "#,##0", "incidents_total": "0.0", "incidents_before": "0.0",
            "incidents_after": "0.0", "incidents_seen": "0.0", "lon": "0.000000", "lat": "0.000000",
            "easting": "0.0", "northing": "0.0", "gap": "0.00%", **dict.fromkeys(_PCTS, "0.0")}
_HEADER_FILL, _HEADER_FONT = PatternFill("solid", fgColor="1F4E79"), Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class Merged:
    """The city's tables: ``places`` (contribution columns + ``source``), ``districts`` (:data:`DISTRICT_COLUMNS`,
    the city last), ``withheld`` (the (row, column) cells of ``districts`` hidden by the privacy rule; other
    empty cells are not known, e.g. a contribution file has no coverage) and ``inputs`` (what was merged)."""

    places: pd.DataFrame
    districts: pd.DataFrame
    withheld: frozenset[tuple[int, str]]
    inputs: pd.DataFrame


def _kind(part: Part, kind: str) -> Mapping[str, Any]:
    rows = (part.summary or {}).get("coverage_by_kind")
    found = [r for r in rows if isinstance(r, Mapping) and r.get("kind") == kind] if isinstance(rows, list) else []
    return found[0] if found else {}


def _number(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
    return float(value) if ok else np.nan


def _district_row(part: Part) -> tuple[dict[str, Any], set[str], dict[str, float]]:
    """A district's totals, the counts the privacy rule hides, and each percentage's weight for the city's."""
    s, p = part.summary or {}, part.places
    row: dict[str, Any] = {
        "district": part.district, "district_title": part.title, "source": part.name,
        "budget_sek": _number(s.get("budget_sek")), "n_sites": len(p),
        "spent_sek": round(float(p["cost_over_horizon_sek"].sum()), 2),
        "investment_sek": round(float(p["investment_sek"].sum()), 2),
        "operation_sek_per_year": round(float(p["operation_sek_per_year"].sum()), 2),
        "status": s.get("status") if isinstance(s.get("status"), str) else None, "gap": _number(s.get("gap"))}
    incident = _kind(part, "incident")
    withheld: set[str] = set()
    for col in COUNTS:
        given = incident.get(col) if part.summary is not None and incident else "unknown"
        value = float(privacy.suppress([_number(given)])[0]) if given != "unknown" else np.nan
        withheld |= {col} if given != "unknown" and np.isnan(value) else set()
        row[col] = value
    weights = {}
    for col, (kind, key) in _PCTS.items():
        block = _kind(part, kind)
        row[col], weights[col] = _number(block.get(key)), _number(block.get("weight_total"))
    return row, withheld, weights


def _city_row(rows: Sequence[dict[str, Any]], withheld: Sequence[set[str]],
              weights: Sequence[dict[str, float]]) -> tuple[dict[str, Any], set[str]]:
    """The city's totals under the module's rule (counts only when every district shows its own)."""
    city: dict[str, Any] = {"district": "", "district_title": "", "source": "",
                            "status": None, "gap": np.nan}
    for col in ("n_sites", "spent_sek", "investment_sek", "operation_sek_per_year", "budget_sek", *COUNTS):
        values = np.array([r[col] for r in rows], float)
        city[col] = round(float(values.sum()), 3) if len(values) and not np.isnan(values).any() else np.nan
    city["n_sites"] = int(city["n_sites"])
    hidden = {col for col in COUNTS if any(col in w for w in withheld)}
    for col in _PCTS:
        pct, w = np.array([r[col] for r in rows], float), np.array([x[col] for x in weights], float)
        known = not (np.isnan(pct).any() or np.isnan(w).any()) and w.sum() > 0
        city[col] = round(float(pct @ w / w.sum()), 3) if known else np.nan
    return city, hidden


def _places(parts: Sequence[Part]) -> pd.DataFrame:
    frames = [p.places.assign(source=p.name) for p in parts]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in _INTS:
        out[col] = out[col].astype(np.int64)
    return out


def _inputs(parts: Sequence[Part]) -> pd.DataFrame:
    rows = []
    for p in parts:
        s = p.summary or {}
        given = s.get("fingerprints")
        prints: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        costs, types = prints.get("cost_table") or {}, prints.get("camera_types") or {}
        rows.append({"source": p.name, "input_kind": "run_folder" if p.summary else "contribution_file",
                     "district": p.district, "district_title": p.title, "scenario_file": s.get("scenario_file"),
                     "date": s.get("date"), "n_sites": len(p.places), "horizon_years": p.horizon_years,
                     "cost_table": costs.get("file"), "cost_table_sha256": costs.get("sha256"),
                     "camera_types_sha256": types.get("sha256")})
    return pd.DataFrame(rows)


def merge(parts: Sequence[Part]) -> Merged:
    """The city's tables from checked districts (:func:`camsite.report.merge.check_comparable`)."""
    made = [_district_row(p) for p in parts]
    city, hidden = _city_row([m[0] for m in made], [m[1] for m in made], [m[2] for m in made])
    table = pd.DataFrame([*(m[0] for m in made), city], columns=list(DISTRICT_COLUMNS))
    withheld = {(i, col) for i, m in enumerate(made) for col in m[1]} | {(len(made), col) for col in hidden}
    return Merged(places=_places(parts), districts=table, withheld=frozenset(withheld), inputs=_inputs(parts))


def _hidden(i: int, col: str, merged: Merged, lang: str) -> str:
    """What a withheld cell says: a district's count is withheld by the privacy rule (under 3, or withheld with
    one under 3: summary.json does not say which); the city's total hides a district's."""
    return tr("merge_withheld" if i == len(merged.districts) - 1 else "merge_hidden", lang)


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, *, lang: str, merged: Merged | None = None) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    for j, col in enumerate(df.columns, start=1):
        cell = ws.cell(row=1, column=j, value=tr(f"merge_col_{col}", lang))
        cell.fill, cell.font, cell.alignment = _HEADER_FILL, _HEADER_FONT, Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(str(cell.value)) + 2))
    for i, rec in enumerate(df.itertuples(index=False)):
        for j, (col, value) in enumerate(zip(df.columns, rec, strict=True), start=1):
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                if merged is not None and (i, col) in merged.withheld:
                    value = _hidden(i, col, merged, lang)
                elif col == "incidents_seen" and rec.incidents_suppressed:
                    value = tr("suppressed", lang)
                else:
                    value = None
            cell = ws.cell(row=i + 2, column=j, value=printable(value))
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text from a user's file, never a live formula
            if col in _FORMATS and isinstance(cell.value, (int, float)):
                cell.number_format = _FORMATS[col]
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    return ws


def _workbook(merged: Merged, lang: str) -> Workbook:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    _sheet(wb, tr("merge_sheet_places", lang), merged.places, lang=lang)
    districts = merged.districts.assign(district_title=[*merged.districts["district_title"][:-1],
                                                        tr("merge_city", lang)])
    ws = _sheet(wb, tr("merge_sheet_districts", lang), districts, lang=lang, merged=merged)
    for j in range(1, len(districts.columns) + 1):
        ws.cell(row=len(districts) + 1, column=j).font = Font(bold=True)
    ws.cell(row=len(districts) + 3, column=1, value=tr("merge_note_privacy", lang))
    ws.cell(row=len(districts) + 4, column=1, value=tr("merge_note_pct", lang))
    inputs = merged.inputs.assign(input_kind=[tr(f"merge_{k}", lang) for k in merged.inputs["input_kind"]])
    ws = _sheet(wb, tr("merge_sheet_inputs", lang), inputs, lang=lang)
    ws.cell(row=len(inputs) + 3, column=1, value=tr("merge_note_checks", lang))
    return wb


def write_merged(merged: Merged, out_dir: str | Path, *, lang: str = "sv") -> list[Path]:
    """Write city_merged.csv and city_merged.xlsx into ``out_dir`` (both built before either replaces a file).

    Raises
    ------
    InputError
        When ``out_dir`` is a run or batch folder (camsite owns those) or cannot be written.
    """
    out = Path(out_dir)
    if (out / MARKER).exists() or (out / BATCH_MARKER).exists():
        raise InputError("is a camsite run folder: write the city's files into a folder of their own (-o)", file=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".city_merged.", dir=out))
    except OSError as exc:
        raise InputError(f"cannot create folder ({exc.strerror or exc})", file=out) from None
    try:
        write_csv(merged.places, tmp / MERGED_CSV)
        try:
            _workbook(merged, lang).save(tmp / MERGED_XLSX)
        except IllegalCharacterError:
            raise InputError("a text of the inputs holds a control character a spreadsheet cannot store",
                             file=out / MERGED_XLSX) from None
        stable_zip(tmp / MERGED_XLSX)
        paths = [out / MERGED_CSV, out / MERGED_XLSX]
        for path in paths:
            (tmp / path.name).replace(path)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", file=out) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("wrote %s", ", ".join(map(str, paths)))
    return paths


def format_table(merged: Merged, *, lang: str = "sv") -> str:
    """The district totals for the terminal: one line per district and the city's."""
    lines = []
    for i, r in enumerate(merged.districts.to_dict("records")):
        counts = [_hidden(i, c, merged, lang) if (i, c) in merged.withheld else fmt_num(r[c], 1, lang)
                  for c in ("incidents_before", "incidents_after")]
        name = r["district"] or tr("merge_city", lang)
        lines.append(tr("merge_line", lang, name=name, n=r["n_sites"], spent=fmt_num(r["spent_sek"], 0, lang),
                        before=counts[0], after=counts[1], pct_before=fmt_pct(r["incident_before_pct"], lang),
                        pct_after=fmt_pct(r["incident_after_pct"], lang)))
    return "\n".join(lines)
