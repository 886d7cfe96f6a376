"""summary.json's content: a :class:`~camsite.stages.Summary` as JSON-ready data, with labels in one language.

The summary itself carries no user-facing labels; category labels are added
here, in the run's language, so ``--lang en`` gives English labels.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from camsite.i18n import category_label, tr
from camsite.stages import CoverageRow, DataSource, Summary

__all__ = ["summary_data"]


def _row(row: CoverageRow, key: str, lang: str) -> dict[str, Any]:
    label = row.label if row.label is not None else category_label(row.name, lang)
    data = asdict(row)
    del data["name"], data["label"]
    return {key: row.name, "label": label, **data}


def _source(src: DataSource) -> dict[str, Any]:
    data = asdict(src)
    if data["attribution"] is None:
        del data["attribution"]
    return data


def summary_data(summary: Summary, *, lang: str = "sv") -> dict[str, Any]:
    """The summary as a JSON-ready mapping (field order kept), with category labels in ``lang``."""
    data: dict[str, Any] = {}
    for name, value in vars(summary).items():
        if name == "coverage_by_category":
            value = [_row(r, "category", lang) for r in value]
        elif name == "coverage_by_subarea":
            value = [_row(r, "name", lang) for r in value]
        elif name == "coverage_by_kind":
            value = [{**_row(r, "kind", lang), "label": tr(f"kind_{r.name}", lang)} for r in value]
        elif name == "coverage_by_period":
            value = [{**_row(r, "period", lang), "label": tr(f"tod_{r.name}", lang)} for r in value]
        elif name in ("uncoverable", "question", "costs", "time_of_day") and value is not None:
            value = dict(value)
        elif name == "camera_types":
            value = [asdict(c) for c in value]
        elif name == "no_view_zones":
            value = [asdict(r) for r in value]
        elif name == "data_sources":
            value = [_source(s) for s in value]
        elif name == "illustrative_layers":
            value = list(value)
        elif name in ("budget_curve_knee", "category_weights", "incident_stats", "demand_stats") and value is not None:
            value = dict(value)
        data[name] = value
    return data
