"""Side-by-side comparison of finished runs: ``camsite compare OUT_A OUT_B ...``.

Reads each output folder's summary.json (and sites.csv when present) and
lays the key figures out with one column per run: budget, spent, sites,
coverage before and after, coverage by category and by sub-area, solver status.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from camsite.errors import InputError
from camsite.i18n import category_label, fmt_num, tr
from camsite.report._sections import esc
from camsite.report.question import question_line
from camsite.tables import write_csv, write_text_atomic

logger = logging.getLogger(__name__)

__all__ = ["Run", "compare_table", "format_table", "read_run", "write_compare"]

_REQUIRED = ("budget_sek", "spent_sek", "n_new_sites", "coverage_before_pct", "coverage_after_pct", "status")
#: The numbers of a summary (a damaged one may hold text, NaN or Infinity there).
_NUMBERS = ("budget_sek", "spent_sek", "n_new_sites", "coverage_before_pct", "coverage_after_pct", "gap",
            "runtime_s")
#: Lists of per-category / per-sub-area rows.
_BREAKDOWNS = ("coverage_by_category", "coverage_by_subarea")
#: The largest summary.json read (a run writes a few kB).
MAX_SUMMARY_BYTES = 20_000_000


@dataclass(frozen=True)
class Run:
    """One finished run: its folder, summary.json and the proposed site ids (from sites.csv)."""

    folder: Path
    summary: dict[str, Any]
    site_ids: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The folder's name, used as the column heading."""
        return self.folder.resolve().name or str(self.folder)


def _number(value: Any) -> float | int | None:
    """A finite number (bools and text are not numbers), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if abs(value) < 1e300 else None


def _rows(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    """The rows of a breakdown list: dicts with a text name and a finite ``after_pct`` (others become empty)."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("expected a list", file=path, where=key)
    out = []
    for row in value:
        if not isinstance(row, dict):
            raise InputError("expected a list of objects", file=path, where=key)
        out.append({k: (str(v) if isinstance(v, str) else _number(v)) for k, v in row.items()
                    if isinstance(v, (str, int, float)) and not isinstance(v, bool)})
    return out


def _clean(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The summary's figures, checked: required numbers finite, text as text, breakdowns as lists of rows."""
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise InputError(f"missing keys: {', '.join(missing)}", file=path)
    out: dict[str, Any] = {}
    for key in _NUMBERS:
        out[key] = _number(data.get(key))
        if key in _REQUIRED and out[key] is None:
            raise InputError(f"not a finite number ({str(data.get(key))[:40]!r})", file=path, where=key)
    for key in ("status", "scenario", "solver"):
        value = data.get(key)
        out[key] = value[:200] if isinstance(value, str) else None
    if out["status"] is None:
        raise InputError("not text", file=path, where="status")
    for key in _BREAKDOWNS:
        out[key] = _rows(data, key, path)
    question = data.get("question")
    out["question"] = {k: v for k, v in question.items() if isinstance(v, (str, int, float, dict))} \
        if isinstance(question, dict) else None
    return out


def _read_summary(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError("no summary.json here: not a finished camsite output folder", file=path)
    try:
        if path.stat().st_size > MAX_SUMMARY_BYTES:
            raise InputError(f"larger than {MAX_SUMMARY_BYTES // 1_000_000} MB: not a camsite summary", file=path)
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda name: None)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", file=path) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # JSON, bytes, 10**5000, [[[[...]]]]
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0][:120]
        raise InputError(f"not valid JSON ({reason})", file=path) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", file=path)
    return _clean(data, path)


def _read_site_ids(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        return ()
    try:
        sites = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c == "site_id")
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:  # ParserError, EmptyDataError: ValueError
        raise InputError(f"cannot read sites.csv ({str(exc).splitlines()[0][:120] if str(exc) else exc})",
                         file=path) from None
    if "site_id" not in sites:
        raise InputError("no site_id column", file=path, where="header")
    return tuple(sites["site_id"].astype(str))


def read_run(folder: str | Path) -> Run:
    """Read one output folder.

    Raises
    ------
    InputError
        If the folder has no readable summary.json (naming the file), or sites.csv is unreadable.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder (give camsite output folders)", file=folder)
    return Run(folder=folder, summary=_read_summary(folder / "summary.json"),
               site_ids=_read_site_ids(folder / "sites.csv"))


def _breakdown_rows(runs: Sequence[Run], key: str, field_name: str, lang: str) -> list[tuple[str, str, list[Any]]]:
    labels: dict[str, str] = {}
    for run in runs:
        for r in run.summary.get(key, []) or []:
            name = str(r.get(field_name))
            label = str(r.get("label") or name)
            labels.setdefault(name, category_label(name, lang, label) if field_name == "category" else label)
    rows = []
    for name, label in labels.items():
        values = []
        for run in runs:
            match = [r for r in run.summary.get(key, []) or [] if str(r.get(field_name)) == name]
            values.append(match[0].get("after_pct") if match else None)
        rows.append((f"{key}:{name}:after_pct", tr("after_in", lang, label=label), values))
    return rows


def _question(summary: dict[str, Any], lang: str) -> str | None:
    """The question the run answered, without its answer: "Cheapest plan that sees at least 50 % of the ..."."""
    ns = SimpleNamespace(question=summary.get("question"), n_new_sites=summary.get("n_new_sites") or 0,
                         spent_sek=summary.get("spent_sek") or 0, budget_sek=summary.get("budget_sek") or 0)
    try:
        line = question_line(ns, lang).replace("\u00a0", " ")
    except (ValueError, TypeError, KeyError, AttributeError):  # a damaged question: shown as unknown
        return None
    return line.rsplit(": ", 1)[0]


def compare_table(runs: Sequence[Run], *, lang: str = "sv") -> pd.DataFrame:
    """The comparison: one row per measure (``key``, ``measure``), one column per run.

    >>> a = Run(Path("a"), {"budget_sek": 1e6, "spent_sek": 9e5, "n_new_sites": 6, "coverage_before_pct": 4.5,
    ...                     "coverage_after_pct": 49.0, "status": "optimal"}, ("S1", "S2"))
    >>> b = Run(Path("b"), dict(a.summary, budget_sek=2e6, coverage_after_pct=70.0), ("S1", "S3"))
    >>> t = compare_table([a, b], lang="en")
    >>> t.set_index("key").loc["budget_sek", ["a", "b"]].tolist()
    [1000000.0, 2000000.0]
    >>> t.set_index("key").loc["shared_sites", ["a", "b"]].tolist()
    [2, 1]
    """
    names = _unique_names(runs)
    s = [r.summary for r in runs]
    base = [
        ("scenario", tr("scenario", lang), [x.get("scenario") for x in s]),
        ("question", tr("compare_question", lang), [_question(x, lang) for x in s]),
        ("budget_sek", tr("budget_sek", lang), [x.get("budget_sek") for x in s]),
        ("spent_sek", tr("spent_sek", lang), [x.get("spent_sek") for x in s]),
        ("n_new_sites", tr("n_new_sites", lang), [x.get("n_new_sites") for x in s]),
        # the headline first (incidents seen), the objective's blend beside it
        ("incident_coverage_before_pct", tr("incident_coverage_before_pct", lang),
         [x.get("incident_coverage_before_pct") for x in s]),
        ("incident_coverage_after_pct", tr("incident_coverage_after_pct", lang),
         [x.get("incident_coverage_after_pct") for x in s]),
        ("coverage_before_pct", tr("coverage_before_pct", lang), [x.get("coverage_before_pct") for x in s]),
        ("coverage_after_pct", tr("coverage_after_pct", lang), [x.get("coverage_after_pct") for x in s]),
    ]
    base += _breakdown_rows(runs, "coverage_by_category", "category", lang)
    base += _breakdown_rows(runs, "coverage_by_subarea", "name", lang)
    base += [
        ("status", tr("status", lang), [x.get("status") for x in s]),
        ("gap", tr("gap", lang), [x.get("gap") for x in s]),
        ("solver", tr("solver", lang), [x.get("solver") for x in s]),
        ("runtime_s", tr("runtime_s", lang), [x.get("runtime_s") for x in s]),
    ]
    if all(r.site_ids for r in runs):
        first = set(runs[0].site_ids)
        base.append(("shared_sites", tr("shared_sites", lang, run=names[0]),
                     [len(first & set(r.site_ids)) for r in runs]))
    df = pd.DataFrame([[k, m, *v] for k, m, v in base], columns=["key", "measure", *names])
    return df


def _unique_names(runs: Sequence[Run]) -> list[str]:
    """Column names: the folder's name, its path when two share a name, a number when a folder is given twice."""
    names = [r.name for r in runs]
    first = [n if names.count(n) == 1 else str(r.folder) for n, r in zip(names, runs)]
    out: list[str] = []
    for name in first:
        out.append(name if name not in out else f"{name} ({sum(o.startswith(name) for o in out) + 1})")
    return out


def _cell(key: str, value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, str):
        return value
    if key in ("budget_sek", "spent_sek"):
        return fmt_num(value, 0, lang)
    if key == "gap":
        return f"{fmt_num(100 * float(value), 2, lang)} %"
    if key.endswith("pct"):
        return fmt_num(value, 1, lang)
    if key == "runtime_s":
        return fmt_num(value, 1, lang)
    return str(value)


def format_table(table: pd.DataFrame, *, lang: str = "sv") -> str:
    """The comparison as aligned plain text for the terminal."""
    runs = list(table.columns[2:])
    rows = [[tr("metric", lang), *runs]]
    rows += [[rec["measure"], *(_cell(rec["key"], rec[r], lang) for r in runs)] for _, rec in table.iterrows()]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                               for i, c in enumerate(row)))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _html(table: pd.DataFrame, runs: Sequence[Run], *, lang: str) -> str:
    css = ("body{font:14px/1.45 'Segoe UI',Arial,'DejaVu Sans',sans-serif;color:#1d2329;margin:24px;}"
           "h1{font-size:22px;color:#1f4e79}table{border-collapse:collapse}th,td{padding:5px 10px;"
           "border-bottom:1px solid #dde1e6;text-align:right}th:first-child,td:first-child{text-align:left}"
           "thead th{background:#1f4e79;color:#fff}tr.section td{font-weight:600}.note{color:#5b6470}")
    names = list(table.columns[2:])
    head = "".join(f"<th>{esc(n)}</th>" for n in [tr("metric", lang), *names])
    body = "".join(
        f"<tr><td>{esc(rec['measure'])}</td>" + "".join(f"<td>{esc(_cell(rec['key'], rec[n], lang))}</td>"
                                                       for n in names) + "</tr>"
        for _, rec in table.iterrows())
    folders = "".join(f"<li><b>{esc(n)}</b>: {esc(r.folder.resolve())}</li>" for n, r in zip(names, runs))
    return (f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{esc(tr('compare_title', lang))}</title><style>{css}</style></head><body>"
            f"<h1>{esc(tr('compare_title', lang))}</h1><p class=\"note\">{esc(tr('compare_note', lang))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<h2 style=\"font-size:15px\">{esc(tr('folder', lang))}</h2><ul>{folders}</ul></body></html>\n")


def write_compare(runs: Sequence[Run], out_dir: str | Path, *, lang: str = "sv") -> tuple[pd.DataFrame, list[Path]]:
    """Write compare.csv and compare.html to ``out_dir``; return the table and the two paths."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create folder ({exc.strerror})", file=out_dir) from None
    table = compare_table(runs, lang=lang)
    csv_path, html_path = out_dir / "compare.csv", out_dir / "compare.html"
    try:
        write_csv(table, csv_path)
        write_text_atomic(html_path, _html(table, runs, lang=lang))
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror})", file=out_dir) from None
    logger.info("wrote %s and %s", csv_path, html_path)
    return table, [csv_path, html_path]
