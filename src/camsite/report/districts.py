"""The city's view in a run's files (``[[districts]]``): districts.csv, budget_curve_districts.csv and .png,
summary.json's ``districts``, two workbook sheets' tables and the report's section.

Formatting only: the figures come from :func:`camsite.stages.city_figures` (and
the privacy rule from :func:`camsite.privacy.shareable`, applied before any
writer runs). A run without ``[[districts]]`` writes none of it.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report._canvas import FileCanvas
from camsite.report._sections import esc
from camsite.result import RunResult
from camsite.stages import DistrictRow
from camsite.tables import write_csv

logger = logging.getLogger(__name__)

__all__ = ["DISTRICT_COLUMNS", "curve_frame", "districts_frame", "section", "summary_part", "write_district_files"]

#: Columns of districts.csv (and the workbook's sheet), in order.
DISTRICT_COLUMNS = ("district", "label", "min_sek", "max_sek", "n_sites", "spent_sek", "incidents_total",
                    "incidents_before", "incidents_after", "incident_before_pct", "incident_after_pct",
                    "footfall_before_pct", "footfall_after_pct", "marginal_step_sek", "marginal_incidents",
                    "marginal_incidents_per_100k", "marginal_incident_pct_per_100k", "marginal_events",
                    "marginal_status")
_HIDDEN = ("incidents_total", "incidents_before", "incidents_after", "incident_before_pct", "incident_after_pct",
           "marginal_incidents", "marginal_incidents_per_100k", "marginal_incident_pct_per_100k", "marginal_events")
#: Colours of the districts in the stacked picture (repeated beyond ten).
_PALETTE = ("#1f5f8b", "#e07b39", "#3a8f5c", "#b5443c", "#7a5ea8", "#8c6d46", "#c86aa6", "#6f6f6f", "#a8a532",
            "#2fa3b5")


def _label(row: DistrictRow, lang: str) -> str:
    return row.label if row.name else tr("district_outside", lang)


def districts_frame(result: RunResult, *, lang: str = "sv", suppressed: str | None = None) -> pd.DataFrame:
    """One row per district (:data:`DISTRICT_COLUMNS`); ``suppressed``: the text of a count hidden by the privacy
    rule (None: an empty cell, as in districts.csv)."""
    recs = []
    for r in result.districts:
        rec = {**asdict(r), "district": r.name, "label": _label(r, lang)}
        if suppressed is not None:  # a count the privacy rule hid, told apart from one that does not exist
            hid_inc = result.summary.incident_coverage_after_pct is not None  # hidden cell by cell
            hid_gain = r.marginal_incidents is None and r.marginal_status is not None
            for col in _HIDDEN:
                if rec[col] is None and (hid_gain if col.startswith("marginal") else hid_inc):
                    rec[col] = suppressed
        recs.append(rec)
    return pd.DataFrame(recs, columns=list(DISTRICT_COLUMNS))


def curve_frame(result: RunResult, *, lang: str = "sv") -> pd.DataFrame | None:
    """The budget curve per district (:data:`camsite.stages.DISTRICT_CURVE_COLUMNS`), or None."""
    return result.district_curve


def summary_part(result: RunResult) -> dict[str, Any]:
    """summary.json's ``districts`` (a list of the rows), or nothing without ``[[districts]]``."""
    if not result.districts:
        return {}
    return {"districts": [{"district": r.name, **{k: v for k, v in asdict(r).items() if k != "name"}}
                          for r in result.districts]}


def curve_png_bytes(result: RunResult, *, lang: str = "sv") -> bytes | None:
    """The stacked picture of the curve per district (spend per district against the budget), as PNG bytes."""
    table = result.district_curve
    if table is None or table.empty:
        return None
    wide = table.pivot_table(index="budget_sek", columns="district", values="spent_sek", aggfunc="sum", sort=False)
    order = [r.name for r in result.districts if r.name in wide.columns]
    labels = {r.name: r.label for r in result.districts}
    fig = Figure(figsize=(8, 4.6), dpi=150)
    FileCanvas(fig)
    ax = fig.add_subplot()
    x = wide.index.to_numpy(float) / 1e6
    width = 0.7 * (float(np.min(np.diff(np.sort(x)))) if len(x) > 1 else max(float(x[0]), 1.0) * 0.5)
    bottom = np.zeros(len(x))
    for k, name in enumerate(order):
        y = wide[name].fillna(0.0).to_numpy(float) / 1e6
        ax.bar(x, y, width=width, bottom=bottom, color=_PALETTE[k % len(_PALETTE)], label=labels[name])
        bottom += y
    ax.plot(x, x, ls=":", color="#555555", lw=1, label=tr("budget_sek", lang))
    fmt = FuncFormatter(lambda v, _: fmt_num(v, 2 if v % 1 else 0, lang))
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_xlabel(tr("curve_x", lang))
    ax.set_ylabel(tr("district_curve_y", lang))
    ax.grid(True, axis="y", color="#e5e5e5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(tr("district_curve_title", lang), fontsize=10, loc="left")
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9, edgecolor="#dddddd")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def write_district_files(result: RunResult, folder: Path, *, lang: str = "sv") -> list[Path]:
    """districts.csv, budget_curve_districts.csv and budget_curve_districts.png into ``folder`` (none without
    ``[[districts]]``); returns the files written."""
    if not result.districts:
        return []
    written = [write_csv(districts_frame(result, lang=lang), folder / "districts.csv")]
    if result.district_curve is not None:
        written.append(write_csv(result.district_curve, folder / "budget_curve_districts.csv"))
        png = curve_png_bytes(result, lang=lang)
        if png is not None:
            (folder / "budget_curve_districts.png").write_bytes(png)
            written.append(folder / "budget_curve_districts.png")
    logger.info("wrote %d district files", len(written))
    return written


def _cell(value: Any, lang: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if isinstance(value, str):
        return esc(value)
    return esc(fmt_num(float(value), digits, lang))


def section(result: RunResult, *, lang: str = "sv") -> str:
    """The report's section: the table per district and the stacked picture of the curve (empty without
    ``[[districts]]``)."""
    if not result.districts:
        return ""
    frame = districts_frame(result, lang=lang, suppressed=tr("district_withheld", lang))
    cols = ("label", "n_sites", "spent_sek", "incident_before_pct", "incident_after_pct", "incidents_after",
            "footfall_before_pct", "footfall_after_pct", "marginal_incidents_per_100k")
    head = "".join(f"<th>{esc(tr(c if c != 'label' else 'district', lang))}</th>" for c in cols)
    body = []
    for rec in frame.to_dict("records"):
        cells = [esc(rec["label"])]
        for c in cols[1:]:
            v = rec[c]
            cells.append(fmt_pct(v, lang) if c.endswith("_pct") and isinstance(v, float) else
                         _cell(v, lang, 0 if c in ("n_sites", "spent_sek") else 1))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    step = next((r.marginal_step_sek for r in result.districts if r.marginal_step_sek), 100_000.0)
    note = esc(tr("districts_note", lang, step=fmt_num(step, 0, lang)))
    png = curve_png_bytes(result, lang=lang)
    img = "" if png is None else (f'<h3>{esc(tr("district_curve_title", lang))}</h3><img class="tornado" '
                                  f'alt="{esc(tr("district_curve_title", lang))}" '
                                  f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')
    return (f'<section class="card" id="districts"><h2>{esc(tr("districts_title", lang))}</h2>'
            f'<table class="districts"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="note">{note}</p>{img}</section>')
