"""The privacy rule on tables: a count under 3 is hidden together with every figure that would give it back.

Two kinds of table carry incident counts in the shareable outputs:

*Ranked sites* (sites.csv, sites.geojson, the workbook, the report, the
GeoPackage). A site's row is *open* when every count it carries
(:data:`SITE_COUNT_COLUMNS`) and every per-category and per-precision count of
its "why" texts (:data:`SITE_CELL_TEXTS`) is 0 or at least 3; otherwise it is
*closed*: its counts and every figure derived from them
(:data:`SITE_DERIVED_COLUMNS`: the weight, the level shares) are blank, and the
"why" texts keep the counts of 3 or more and show the others as ``<3``. A
weight is a sum of counts times known factors, so it travels with all of its
counts. The running totals (:data:`SITE_CUMULATIVE_COLUMNS`) are blank from the
first closed row on: two consecutive running totals would give back the
closed row's weight. The alternative's weight is blank when the alternative's
own incident count is under 3 (``alternative_gain_incidents``, which is never
published).

*Groups* (coverage per category, per sub-area, per owner). A group is hidden
when its total, before or after count, or after minus before, or total minus
after, lies in (0, 3): its counts and its weight and percentages together.
Complementary suppression: when the hidden groups together (the grand total
minus the groups shown) would show a count in (0, 3), the smallest group still
shown is hidden too, until they do not.

>>> import pandas as pd
>>> sites = pd.DataFrame({"gain_incidents": [5.0, 1.0, 4.0], "gain_weight": [5.1, 1.02, 4.2],
...                       "cumulative_coverage_pct": [10.0, 12.0, 20.0],
...                       "why_categories": ["vald 5", "vald 1", "vald 3, narkotika 1"]})
>>> hide_sites(sites)[["gain_incidents", "gain_weight", "cumulative_coverage_pct", "why_categories"]
...                   ].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
{'gain_incidents': [5.0, nan, nan], 'gain_weight': [5.1, nan, nan], 'cumulative_coverage_pct': [10.0, nan, nan],
 'why_categories': ['vald 5', 'vald <3', 'vald 3, narkotika <3']}
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from camsite.evidence import suppress_text
from camsite.privacy_events import alternative_small, closed_by_events, has_events, hide_cells
from camsite.stages import CoverageRow

__all__ = ["SITE_CELL_TEXTS", "SITE_COUNT_COLUMNS", "SITE_CUMULATIVE_COLUMNS", "SITE_DERIVED_COLUMNS",
           "hide_groups", "hide_sites", "is_small"]

#: Per-site columns that are counts of incidents or events (a value in (0, 3) closes the row).
SITE_COUNT_COLUMNS: tuple[str, ...] = ("gain_incidents", "gain_events")
#: Per-site columns computed from the row's counts: blank on a closed row. ``rests_on_one_event`` is not one:
#: it says only whether the largest event carries over half of the gain, which no count under 3 can be worked
#: out from (one event, or a hundred with one dominant), and a reviewer must see it.
SITE_DERIVED_COLUMNS: tuple[str, ...] = (
    "gain_weight", "gain_identify_pct", "gain_recognise_pct", "gain_observe_pct", "gain_detect_pct",
    "top_event_share",
)
#: Per-site running totals over the rank order: blank from the first closed row on.
SITE_CUMULATIVE_COLUMNS: tuple[str, ...] = ("cumulative_coverage_pct",)
#: Per-site texts of counts per category ("vald 4, narkotika 1"): their cells count like the row's counts.
SITE_CELL_TEXTS: tuple[str, ...] = ("why_categories", "why_precision")

_CELL = re.compile(r"(?:^|, )[^,]+ (\d+(?:\.\d+)?)(?=,|$)")


def is_small(value: float | None, min_count: float) -> bool:
    """True for a count in ``(0, min_count)`` (None and NaN are not counts).

    >>> is_small(2.9, 3), is_small(0.0, 3), is_small(3, 3), is_small(None, 3)
    (True, False, False, False)
    """
    if value is None or not np.isfinite(value):
        return False
    return 1e-9 < float(value) < min_count - 1e-9


def _small_cell(text: str, min_count: float) -> bool:
    return "<" in text or any(is_small(float(m.group(1)), min_count) for m in _CELL.finditer(text))


def _closed(sites: pd.DataFrame, min_count: float) -> np.ndarray:
    closed = np.zeros(len(sites), bool)
    for col in SITE_COUNT_COLUMNS:
        if col in sites:
            closed |= np.array([is_small(v, min_count) for v in sites[col].to_numpy(float)], bool)
    for col in SITE_CELL_TEXTS:
        if col in sites:
            closed |= np.array([_small_cell(str(t), min_count) for t in sites[col].fillna("")], bool)
    return closed


def hide_sites(sites: pd.DataFrame, *, min_count: int = 3) -> pd.DataFrame:
    """``sites`` (in rank order) under the rule of the module docstring; a copy.

    With the events behind each figure (``gain_events`` and the unpublished ``gain_event_ids`` and
    :data:`camsite.evidence.EVENT_COUNT_COLUMNS`), the rule counts distinct events instead of incidents
    (:mod:`camsite.privacy_events`) and shows the weights of open rows rounded to 0.01.
    """
    out = sites.copy()
    if out.empty or min_count <= 0:
        return out
    events = has_events(out)
    closed = closed_by_events(out, min_count) if events else _closed(out, min_count)
    for col in (*SITE_COUNT_COLUMNS, *SITE_DERIVED_COLUMNS):
        if col in out:
            out[col] = out[col].astype(float).where(~closed, np.nan)
    if events and "gain_weight" in out:
        out["gain_weight"] = out["gain_weight"].round(2)
    first = int(np.argmax(closed)) if closed.any() else len(out)
    for col in SITE_CUMULATIVE_COLUMNS:
        if col in out:
            out[col] = out[col].astype(float).where(np.arange(len(out)) < first, np.nan)
    for col in SITE_CELL_TEXTS:
        if col in out and events and f"{col}_events" in out:
            out[col] = [hide_cells(str(t), str(e), min_count, closed=bool(c)) for t, e, c in
                        zip(out[col].fillna(""), out[f"{col}_events"].fillna(""), closed, strict=True)]
        elif col in out:
            out[col] = [suppress_text(str(t), min_count) for t in out[col].fillna("")]
    if "alternative_gain_weight" in out:
        alt_small = closed | alternative_small(out, min_count) if events else closed.copy()
        if not events and "alternative_gain_incidents" in out:
            alt_small |= np.array([is_small(v, min_count) for v in out["alternative_gain_incidents"].to_numpy(float)])
        out["alternative_gain_weight"] = out["alternative_gain_weight"].astype(float).where(~alt_small, np.nan)
    return out


def _counts(row: CoverageRow) -> tuple[float, float, float]:
    return float(row.incidents_total or 0.0), float(row.incidents_before or 0.0), float(row.incidents_after or 0.0)


def _unsafe(total: float, before: float, after: float, min_count: float) -> bool:
    return any(is_small(v, min_count) for v in (total, before, after, after - before, total - after))


def _hidden(row: CoverageRow) -> CoverageRow:
    """The row with its counts, weight and percentages blank (None in summary.json, empty in the tables)."""
    blank: Any = None
    return dataclasses.replace(row, incidents_total=blank, incidents_before=blank, incidents_after=blank,
                               weight_total=blank, before_pct=None, after_pct=None)


def hide_groups(rows: Sequence[CoverageRow], *, grand: tuple[float, float, float] | None,
                min_count: int = 3) -> tuple[CoverageRow, ...]:
    """Coverage rows (:class:`camsite.stages.CoverageRow`) with the small groups hidden, complementary included.

    Parameters
    ----------
    rows
        One row per group, with the true counts.
    grand
        The true (total, before, after) of all groups together, when a reader knows it (the incidents row
        of the coverage per demand kind); None: no complementary suppression.
    min_count
        The threshold.

    Returns
    -------
    tuple
        The rows; a hidden row has None for its counts, weight and percentages. Groups without incidents
        (street space, footfall) are left as they are.
    """
    counts = [_counts(r) for r in rows]
    has_inc = [c[0] > 1e-9 for c in counts]
    hide = [h and _unsafe(*c, min_count) for h, c in zip(has_inc, counts, strict=True)]
    while grand is not None and any(hide):
        shown = np.array([c for c, h, i in zip(counts, hide, has_inc, strict=True) if i and not h]).reshape(-1, 3)
        total, before, after = (float(v) for v in np.asarray(grand, float) - shown.sum(axis=0))
        if not _unsafe(total, before, after, min_count):
            break
        candidates = [k for k, (h, i) in enumerate(zip(hide, has_inc, strict=True)) if i and not h]
        if not candidates:
            break
        hide[min(candidates, key=lambda k: counts[k][0])] = True
    return tuple(_hidden(r) if h else r for r, h in zip(rows, hide, strict=True))
